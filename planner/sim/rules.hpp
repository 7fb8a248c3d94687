#pragma once
// Station rules checked against a plan and its coverage, as the standards state them, reported as
// a list of failures, each naming its source and the level it applies to:
// - large grid: a compound station inside it or within RuleParams::station_max_distance_m
//   (Yanggao's "1+15+53": one compound station per large grid; local practice);
// - community: the community's service floor space — its community centre and the compound
//   stations inside it together (社区综合服务设施) — ≥ 30 m² per 100 households of the community
//   (national urban-rural community service plan, 2022). Not a size for each compound station.
//   Without a community layer the whole town is one community;
// - station: floor area not given (the community sum cannot be checked in full);
// - households: farther than RuleParams::max_walk_m from every station (15-minute life circle,
//   GB 50180-2018), grouped per large grid.

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
  floor_area_short,  // community level
  floor_area_unknown,
  households_beyond_walk
};
const char* to_string(RuleKind kind);
/// The level a rule applies to ("large grid", "community", "station", "household") and where
/// the rule comes from.
const char* rule_level(RuleKind kind);
const char* rule_source(RuleKind kind);

struct RuleFailure {
  RuleKind kind = RuleKind::no_station_in_large_grid;
  std::int32_t large_grid = kNone;      // index into Plan::large_grids, where it applies
  std::int32_t station = kNone;         // index into Dataset::stations, where it applies
  std::int32_t community = kNone;       // index into Dataset::communities (kNone: whole town)
  std::vector<std::int32_t> buildings;  // the buildings concerned (beyond-walk failures)
  double value = 0.0;                   // what was found (distance m, floor m², households)
  double limit = 0.0;                   // what the rule asks for
  std::string message;
};

/// Precondition: `coverage` was computed for `dataset`.
std::vector<RuleFailure> check_rules(const Dataset& dataset, const Plan& plan,
                                     const CoverageResult& coverage, const RuleParams& params);

/// A large grid's nearest compound station: distance 0 when the station lies inside the grid's
/// polygon, else the least straight-line distance (m) from the station to the points of the
/// grid's buildings (`points`: sim::building_points); ties go to the lower station index.
struct NearestStation {
  double distance_m = kUnreachable;  // no compound station: unreachable
  std::int32_t station = kNone;      // index into Dataset::stations
};
/// Per large grid. Stations are tried nearest bounding box first and skipped once their box
/// is farther than the nearest found: the same distances and stations as trying every station
/// against every building (which cost grids × stations × buildings per grid: ~8 s on the
/// synthetic 100k town), in a fraction of a second.
std::vector<NearestStation> nearest_compound_stations(const Dataset& dataset, const Plan& plan,
                                                      const std::vector<Point>& points);

/// Point in polygon (even-odd over the outer ring and holes; boundary points count as inside
/// only by chance: use for stations, not for points on edges).
bool contains(const MultiPolygon& shape, const Point& point);

}  // namespace gp::sim
