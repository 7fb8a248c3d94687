#pragma once
// Station rules checked against a plan and its coverage, reported as a list of failures:
// - every large grid has a compound station inside it or within RuleParams::station_max_distance_m;
// - every station's floor area ≥ 30 m² per 100 households it serves (households are served by the
//   nearest station of the same tier by walking distance);
// - households farther than RuleParams::max_walk_m from every station (15-minute circle),
//   grouped per large grid.

#include <cstdint>
#include <string>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/partition/plan.hpp"
#include "planner/sim/coverage.hpp"
#include "planner/sim/params.hpp"

namespace gp::sim {

enum class RuleKind {
  no_station_in_large_grid,
  floor_area_short,
  floor_area_unknown,
  households_beyond_walk
};
const char* to_string(RuleKind kind);

struct RuleFailure {
  RuleKind kind = RuleKind::no_station_in_large_grid;
  std::int32_t large_grid = kNone;      // index into Plan::large_grids, where it applies
  std::int32_t station = kNone;         // index into Dataset::stations, where it applies
  std::vector<std::int32_t> buildings;  // the buildings concerned (beyond-walk failures)
  double value = 0.0;                   // what was found (distance m, floor m², households)
  double limit = 0.0;                   // what the rule asks for
  std::string message;
};

/// Precondition: `coverage` was computed for `dataset`.
std::vector<RuleFailure> check_rules(const Dataset& dataset, const Plan& plan,
                                     const CoverageResult& coverage, const RuleParams& params);

/// Point in polygon (even-odd over the outer ring and holes; boundary points count as inside
/// only by chance: use for stations, not for points on edges).
bool contains(const MultiPolygon& shape, const Point& point);

}  // namespace gp::sim
