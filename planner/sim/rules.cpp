#include "planner/sim/rules.hpp"

#include "planner/core/point_in_polygon.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <utility>

#include "planner/core/parallel.hpp"

namespace gp::sim {

const char* to_string(RuleKind kind) {
  switch (kind) {
    case RuleKind::no_station_in_large_grid:
      return "no_station_in_large_grid";
    case RuleKind::floor_area_short:
      return "floor_area_short";
    case RuleKind::floor_area_unknown:
      return "floor_area_unknown";
    case RuleKind::households_beyond_walk:
      return "households_beyond_walk";
  }
  return "unknown";
}

const char* rule_level(RuleKind kind) {
  switch (kind) {
    case RuleKind::no_station_in_large_grid:
      return "large grid";
    case RuleKind::floor_area_short:
      return "community";
    case RuleKind::floor_area_unknown:
      return "station";
    case RuleKind::households_beyond_walk:
      return "household";
  }
  return "?";
}

const char* rule_source(RuleKind kind) {
  switch (kind) {
    case RuleKind::no_station_in_large_grid:
      return "local practice: one compound station per large grid (Yanggao '1+15+53')";
    case RuleKind::floor_area_short:
      return "national urban-rural community service plan (2022): community service facilities "
             "(community centre and stations together) ≥ 30 m² per 100 households";
    case RuleKind::floor_area_unknown:
      return "needed for the community floor-space rule (national plan, 2022)";
    case RuleKind::households_beyond_walk:
      return "GB 50180-2018: 15-minute life circle (walk 800–1,000 m)";
  }
  return "?";
}

namespace {
bool ring_contains(const Ring& ring, const Point& p) {
  return point_in_ring(ring, p);  // the project's one rule (planner/core/point_in_polygon.hpp)
}

std::string grid_name(const Grid& grid, std::size_t index) {
  return grid.code.empty() ? "#" + std::to_string(index) : grid.code;
}
}  // namespace

bool contains(const MultiPolygon& shape, const Point& point) {
  for (const Polygon& polygon : shape) {
    if (polygon.outer.size() < 4 || !ring_contains(polygon.outer, point)) continue;
    bool in_hole = false;
    for (const Ring& hole : polygon.holes)
      in_hole |= hole.size() >= 4 && ring_contains(hole, point);
    if (!in_hole) return true;
  }
  return false;
}

std::vector<NearestStation> nearest_compound_stations(const Dataset& dataset, const Plan& plan,
                                                      const std::vector<Point>& points) {
  std::vector<std::int32_t> compound;
  for (std::size_t s = 0; s < dataset.stations.size(); ++s)
    if (dataset.stations[s].tier == StationTier::compound_station)
      compound.push_back(static_cast<std::int32_t>(s));
  std::vector<NearestStation> out(plan.large_grids.size());
  if (compound.empty()) return out;
  // Distance from a point to a box: ≤ the distance to any point in it (subtraction and hypot
  // are monotone; the margin below covers hypot's last bit).
  auto box_distance = [](const Box& box, const Point& p) {
    if (!(box.min_x <= box.max_x)) return kUnreachable;
    const double dx = std::max({box.min_x - p.x, 0.0, p.x - box.max_x});
    const double dy = std::max({box.min_y - p.y, 0.0, p.y - box.max_y});
    return std::hypot(dx, dy);
  };
  auto inside_box = [](const Box& box, const Point& p) {
    return p.x >= box.min_x && p.x <= box.max_x && p.y >= box.min_y && p.y <= box.max_y;
  };
  parallel_for(std::size_t{0}, plan.large_grids.size(), [&](std::size_t g) {
    const Grid& grid = plan.large_grids[g];
    Box buildings, outline;
    for (std::int32_t b : grid.buildings) buildings.expand(points[static_cast<std::size_t>(b)]);
    for (const Polygon& polygon : grid.polygon)
      for (const Point& p : polygon.outer) outline.expand(p);
    std::vector<std::pair<double, std::int32_t>> order;  // (lower bound, station)
    order.reserve(compound.size());
    for (std::int32_t s : compound) {
      const Point& at = dataset.stations[static_cast<std::size_t>(s)].location;
      // A station inside the outline's box may lie inside the grid: distance 0.
      order.emplace_back(inside_box(outline, at) ? 0.0 : box_distance(buildings, at), s);
    }
    std::sort(order.begin(), order.end());
    NearestStation& best = out[g];
    for (const auto& [bound, s] : order) {
      if (bound > best.distance_m * (1.0 + 1e-9) + 1e-9) break;  // no later one is nearer
      const Point& at = dataset.stations[static_cast<std::size_t>(s)].location;
      double distance = kUnreachable;
      if (!grid.polygon.empty() && contains(grid.polygon, at)) distance = 0.0;
      for (std::size_t k = 0; distance > 0.0 && k < grid.buildings.size(); ++k) {
        const Point& p = points[static_cast<std::size_t>(grid.buildings[k])];
        distance = std::min(distance, std::hypot(p.x - at.x, p.y - at.y));
      }
      if (distance < best.distance_m || (distance == best.distance_m && s < best.station)) {
        best.distance_m = distance;
        best.station = s;
      }
    }
  });
  return out;
}

std::vector<RuleFailure> check_rules(const Dataset& dataset, const Plan& plan,
                                     const CoverageResult& coverage, const RuleParams& params) {
  std::vector<RuleFailure> failures;
  const std::vector<Point> points = building_points(dataset);

  // 1. A compound station inside each large grid or near one of its buildings.
  const std::vector<NearestStation> nearest_station =
      nearest_compound_stations(dataset, plan, points);
  for (std::size_t g = 0; g < plan.large_grids.size(); ++g) {
    const Grid& grid = plan.large_grids[g];
    const double nearest = nearest_station[g].distance_m;
    if (nearest > params.station_max_distance_m) {
      RuleFailure failure;
      failure.kind = RuleKind::no_station_in_large_grid;
      failure.large_grid = static_cast<std::int32_t>(g);
      failure.value = nearest;
      failure.limit = params.station_max_distance_m;
      std::ostringstream message;
      message << "large grid " << grid_name(grid, g) << " has no compound station inside or within "
              << params.station_max_distance_m << " m";
      if (std::isfinite(nearest)) message << " (nearest " << std::lround(nearest) << " m)";
      failure.message = message.str();
      failures.push_back(std::move(failure));
    }
  }

  // 2. Community service floor space: the community centre and the compound stations inside
  //    the community together, against the community's households. The county centre serves
  //    the county and counts for no community. Without communities: the whole town.
  const bool town = dataset.communities.empty();
  const std::size_t groups = town ? 1 : dataset.communities.size();
  std::vector<long long> households(groups, 0);
  for (const Building& building : dataset.buildings) {
    if (building.households <= 0) continue;
    if (town) {
      households[0] += building.households;
    } else if (building.community != kNone) {
      households[static_cast<std::size_t>(building.community)] += building.households;
    }
  }
  std::vector<double> floor(groups, 0.0);
  std::vector<int> stations_in(groups, 0);
  for (std::size_t s = 0; s < dataset.stations.size(); ++s) {
    const Station& station = dataset.stations[s];
    if (station.tier == StationTier::county_centre) continue;
    std::size_t group = groups;
    if (town) {
      group = 0;
    } else {
      for (std::size_t c = 0; c < groups && group == groups; ++c)
        if (contains(dataset.communities[c].footprint, station.location)) group = c;
    }
    const std::string name = station.name.empty() ? "#" + std::to_string(station.id) : station.name;
    if (station.floor_m2 <= 0.0) {
      RuleFailure failure;
      failure.kind = RuleKind::floor_area_unknown;
      failure.station = static_cast<std::int32_t>(s);
      failure.community = group < groups && !town ? static_cast<std::int32_t>(group) : kNone;
      failure.message = std::string(to_string(station.tier)) + " " + name +
                        ": floor area not given; its community's service floor space cannot be "
                        "checked in full";
      failures.push_back(std::move(failure));
    }
    if (group < groups) {
      floor[group] += std::max(station.floor_m2, 0.0);
      ++stations_in[group];
    }
  }
  for (std::size_t c = 0; c < groups; ++c) {
    const double needed =
        static_cast<double>(households[c]) / 100.0 * params.floor_m2_per_100_households;
    if (households[c] == 0 || floor[c] + 1e-9 >= needed) continue;
    RuleFailure failure;
    failure.kind = RuleKind::floor_area_short;
    failure.community = town ? kNone : static_cast<std::int32_t>(c);
    failure.value = floor[c];
    failure.limit = needed;
    std::ostringstream message;
    message << (town ? std::string("the town (no community layer)")
                     : "community " + dataset.communities[c].name)
            << " has " << std::lround(floor[c]) << " m² of service floor space in "
            << stations_in[c] << " centres and stations for " << households[c] << " households; "
            << params.floor_m2_per_100_households << " m² per 100 households asks for "
            << std::lround(needed) << " m²";
    failure.message = message.str();
    failures.push_back(std::move(failure));
  }

  // 3. Households beyond the walk limit from every station, per large grid.
  const TierCoverage& any = coverage.any();
  std::vector<std::int32_t> grid_of(dataset.buildings.size(), kNone);
  for (std::size_t g = 0; g < plan.large_grids.size(); ++g) {
    for (std::int32_t b : plan.large_grids[g].buildings)
      grid_of[static_cast<std::size_t>(b)] = static_cast<std::int32_t>(g);
  }
  std::vector<RuleFailure> beyond(plan.large_grids.size() + 1);
  for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
    if (dataset.buildings[b].households <= 0 || any.distance_m[b] <= params.max_walk_m) continue;
    const std::int32_t g = grid_of[b];
    RuleFailure& failure =
        beyond[g == kNone ? plan.large_grids.size() : static_cast<std::size_t>(g)];
    failure.buildings.push_back(static_cast<std::int32_t>(b));
    failure.value += dataset.buildings[b].households;
  }
  for (std::size_t g = 0; g < beyond.size(); ++g) {
    RuleFailure& failure = beyond[g];
    if (failure.buildings.empty()) continue;
    failure.kind = RuleKind::households_beyond_walk;
    failure.large_grid = g < plan.large_grids.size() ? static_cast<std::int32_t>(g) : kNone;
    failure.limit = params.max_walk_m;
    std::ostringstream message;
    message << std::lround(failure.value) << " households in " << failure.buildings.size()
            << " buildings of "
            << (g < plan.large_grids.size() ? "large grid " + grid_name(plan.large_grids[g], g)
                                            : std::string("no large grid"))
            << " are farther than " << params.max_walk_m << " m from every station"
            << (coverage.network_used ? " (walking)" : " (straight line × detour: no network)");
    failure.message = message.str();
    failures.push_back(std::move(failure));
  }
  return failures;
}

}  // namespace gp::sim
