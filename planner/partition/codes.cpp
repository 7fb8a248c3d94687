// Grid codes and names: the community code, two-digit padded numbers in reading order (rows
// north→south, west→east within a row), micro grids numbered inside their large grid.

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <string>

#include "planner/partition/partition_internal.hpp"

namespace gp::partition::detail {

std::string padded(long long number, int width) {
  std::string digits = std::to_string(number);
  if (static_cast<int>(digits.size()) < width)
    digits.insert(0, static_cast<std::size_t>(width - static_cast<int>(digits.size())), '0');
  return digits;
}

/// Orders grids west→east within rows north→south and returns the order (indices into
/// `centroids`). Rows are `row_height_m` high, counted down from `top_y`.
std::vector<std::size_t> reading_order(const std::vector<Point>& centroids, double top_y,
                                       double row_height_m) {
  std::vector<std::size_t> order(centroids.size());
  std::iota(order.begin(), order.end(), 0);
  const double h = row_height_m > 0.0 ? row_height_m : 1.0;
  auto row = [&](std::size_t i) {
    return static_cast<long long>(std::floor((top_y - centroids[i].y) / h));
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t l, std::size_t r) {
    const long long rl = row(l), rr = row(r);
    if (rl != rr) return rl < rr;
    if (centroids[l].x != centroids[r].x) return centroids[l].x < centroids[r].x;
    return l < r;
  });
  return order;
}

void CommunityPlanner::number_grids() {
  if (result_.large.empty()) return;
  const std::string prefix = community_code(dataset_, in_.community);
  const std::string community_name = dataset_.communities[at(in_.community)].name;
  double total_area = 0.0, top = top_y_;
  for (std::size_t g = 0; g < result_.large.size(); ++g) {
    total_area += area_[g];
    if (result_.large[g].locked) top = std::max(top, bounds(result_.large[g].polygon).max_y);
  }
  const double row_height = std::sqrt(total_area / static_cast<double>(result_.large.size()));
  std::set<std::string> used;
  for (const Grid& g : result_.large)
    if (g.locked) used.insert(g.code);
  int number = 0;
  for (std::size_t g : reading_order(centroid_, top, row_height)) {
    Grid& grid = result_.large[g];
    if (grid.locked) continue;
    do {
      ++number;
      grid.code = prefix + padded(number, 2);
    } while (used.count(grid.code));
    grid.name = community_name + "第" + padded(number, 2) + "网格";
  }
  // Micro grids: per large grid, same reading order.
  std::map<std::int32_t, std::vector<std::size_t>> by_parent;
  for (std::size_t m = 0; m < result_.micro.size(); ++m)
    if (!result_.micro[m].locked) by_parent[result_.micro[m].parent].push_back(m);
  for (auto& [parent, list] : by_parent) {
    std::vector<Point> centres;
    double parent_area = 0.0, parent_top = -INFINITY;
    for (std::size_t m : list) {
      centres.push_back(micro_centroid_[m]);
      parent_area += micro_area_[m];
      parent_top = std::max(parent_top, micro_centroid_[m].y);
    }
    const Grid& large = result_.large[at(parent)];
    const double height = std::sqrt(std::max(parent_area, 1.0) / static_cast<double>(list.size()));
    int micro_number = 0;
    for (std::size_t k : reading_order(centres, parent_top + height / 2, height)) {
      Grid& grid = result_.micro[list[k]];
      ++micro_number;
      grid.code = large.code + padded(micro_number, 2);
      grid.name = large.name + "第" + padded(micro_number, 2) + "微网格";
    }
  }
  if (result_.large.size() > 99)
    result_.problems.report(
        Severity::warning, "grid-code-overflow", community_location(dataset_, in_.community),
        community_label(dataset_, in_.community) + " has " + std::to_string(result_.large.size()) +
            " large grids; codes above 99 use 3 digits (CJ/T 349 allows 2)");
  // Final order: by code, micro grids by parent code then code.
  std::vector<std::size_t> order(result_.large.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t l, std::size_t r) {
    return result_.large[l].code < result_.large[r].code;
  });
  std::vector<std::int32_t> new_index(order.size());
  std::vector<Grid> sorted;
  for (std::size_t k = 0; k < order.size(); ++k) {
    new_index[order[k]] = static_cast<std::int32_t>(k);
    sorted.push_back(std::move(result_.large[order[k]]));
  }
  result_.large = std::move(sorted);
  for (Grid& m : result_.micro) m.parent = new_index[at(m.parent)];
  std::vector<std::size_t> micro_order(result_.micro.size());
  std::iota(micro_order.begin(), micro_order.end(), 0);
  std::sort(micro_order.begin(), micro_order.end(), [&](std::size_t l, std::size_t r) {
    return result_.micro[l].code < result_.micro[r].code;
  });
  std::vector<Grid> micro_sorted;
  std::vector<std::vector<std::int32_t>> cells_sorted;
  std::vector<std::int32_t> new_micro_index(micro_order.size());
  for (std::size_t m : micro_order) {
    new_micro_index[m] = static_cast<std::int32_t>(micro_sorted.size());
    micro_sorted.push_back(std::move(result_.micro[m]));
    cells_sorted.push_back(std::move(result_.cell_buildings[m]));
  }
  result_.micro = std::move(micro_sorted);
  result_.cell_buildings = std::move(cells_sorted);
  moved_flow(new_index);
  for (auto& [building_index, runs] : result_.unit_runs)
    for (auto& run : runs) run.first = new_micro_index[at(run.first)];
}

}  // namespace gp::partition::detail

namespace gp {

using partition::detail::at;
using partition::detail::padded;

std::string community_code(const Dataset& dataset, std::int32_t community) {
  const Community& c = dataset.communities[at(community)];
  if (!c.code.empty()) return c.code;
  return "99" + padded(community + 1, 10);
}

}  // namespace gp
