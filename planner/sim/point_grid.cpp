#include "planner/sim/point_grid.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gp::sim {

PointGrid::PointGrid(const std::vector<Point>& points, double cell_m) : points_(points) {
  if (points.empty()) return;
  Box box;
  for (const Point& p : points) box.expand(p);
  const double width = std::max(box.width(), 1.0), height = std::max(box.height(), 1.0);
  if (cell_m <= 0.0) cell_m = std::sqrt(width * height * 2.0 / static_cast<double>(points.size()));
  // Keep the grid below ~4M cells whatever the spread of the points.
  cell_m = std::max({cell_m, 1e-3, std::sqrt(width * height / 4.0e6)});
  cell_m_ = cell_m;
  origin_x_ = box.min_x;
  origin_y_ = box.min_y;
  columns_ = static_cast<std::int64_t>(width / cell_m_) + 1;
  rows_ = static_cast<std::int64_t>(height / cell_m_) + 1;
  offsets_.assign(static_cast<std::size_t>(columns_ * rows_ + 1), 0);
  std::vector<std::int64_t> cell_of(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    cell_of[i] = cell_y(points[i].y) * columns_ + cell_x(points[i].x);
    ++offsets_[static_cast<std::size_t>(cell_of[i]) + 1];
  }
  for (std::size_t c = 1; c < offsets_.size(); ++c) offsets_[c] += offsets_[c - 1];
  members_.resize(points.size());
  std::vector<std::int32_t> fill(offsets_.begin(), offsets_.end() - 1);
  for (std::size_t i = 0; i < points.size(); ++i) {
    members_[static_cast<std::size_t>(fill[static_cast<std::size_t>(cell_of[i])]++)] =
        static_cast<std::int32_t>(i);
  }
}

std::int64_t PointGrid::cell_x(double x) const {
  return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((x - origin_x_) / cell_m_)),
                                  0, columns_ - 1);
}
std::int64_t PointGrid::cell_y(double y) const {
  return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((y - origin_y_) / cell_m_)),
                                  0, rows_ - 1);
}

std::int32_t PointGrid::nearest(const Point& query, double* distance_m) const {
  std::int32_t best = -1;
  double best_d2 = std::numeric_limits<double>::infinity();
  if (points_.empty()) {
    if (distance_m) *distance_m = best_d2;
    return best;
  }
  // Points in cells beyond ring r of the clamped cell are at least r·cell away, and never
  // closer than the query's distance to the grid's box.
  const double outside_x =
      std::max({origin_x_ - query.x, query.x - (origin_x_ + columns_ * cell_m_), 0.0});
  const double outside_y =
      std::max({origin_y_ - query.y, query.y - (origin_y_ + rows_ * cell_m_), 0.0});
  const double outside = std::hypot(outside_x, outside_y);
  const std::int64_t cx = cell_x(query.x), cy = cell_y(query.y);
  const std::int64_t max_ring = std::max(columns_, rows_);
  for (std::int64_t r = 0; r <= max_ring; ++r) {
    for (std::int64_t y = cy - r; y <= cy + r; ++y) {
      if (y < 0 || y >= rows_) continue;
      const bool edge_row = y == cy - r || y == cy + r;
      for (std::int64_t x = cx - r; x <= cx + r; x += edge_row ? 1 : 2 * r) {
        if (x >= 0 && x < columns_) {
          const std::size_t cell = static_cast<std::size_t>(y * columns_ + x);
          for (std::int32_t k = offsets_[cell]; k < offsets_[cell + 1]; ++k) {
            const std::int32_t i = members_[static_cast<std::size_t>(k)];
            const Point& p = points_[static_cast<std::size_t>(i)];
            const double d2 = (p.x - query.x) * (p.x - query.x) + (p.y - query.y) * (p.y - query.y);
            if (d2 < best_d2 || (d2 == best_d2 && i < best)) {
              best_d2 = d2;
              best = i;
            }
          }
        }
        if (r == 0) break;
      }
    }
    const double reach = std::max(outside, static_cast<double>(r) * cell_m_);
    if (best >= 0 && reach * reach >= best_d2) break;
  }
  if (distance_m) *distance_m = std::sqrt(best_d2);
  return best;
}

std::vector<std::int32_t> PointGrid::within(const Point& query, double radius_m) const {
  std::vector<std::int32_t> result;
  if (points_.empty()) return result;
  const std::int64_t x0 = cell_x(query.x - radius_m), x1 = cell_x(query.x + radius_m);
  const std::int64_t y0 = cell_y(query.y - radius_m), y1 = cell_y(query.y + radius_m);
  const double r2 = radius_m * radius_m;
  for (std::int64_t y = y0; y <= y1; ++y) {
    for (std::int64_t x = x0; x <= x1; ++x) {
      const std::size_t cell = static_cast<std::size_t>(y * columns_ + x);
      for (std::int32_t k = offsets_[cell]; k < offsets_[cell + 1]; ++k) {
        const std::int32_t i = members_[static_cast<std::size_t>(k)];
        const Point& p = points_[static_cast<std::size_t>(i)];
        if ((p.x - query.x) * (p.x - query.x) + (p.y - query.y) * (p.y - query.y) <= r2) {
          result.push_back(i);
        }
      }
    }
  }
  std::sort(result.begin(), result.end());
  return result;
}

}  // namespace gp::sim
