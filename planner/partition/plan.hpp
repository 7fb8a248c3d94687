#pragma once
// A grid plan: community ⊃ large grid ⊃ micro grid ⊃ building, with polygons, codes and metrics.

#include <cstdint>
#include <string>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/core/diagnostics.hpp"

namespace gp {

struct GridMetrics {
  int households = 0;
  int buildings = 0;
  double workload = 0.0;  // Σ households × building workload weight
  double area_m2 = 0.0;
  double perimeter_m = 0.0;
  double compactness = 0.0;  // Polsby-Popper of the grid polygon
  bool contiguous = true;  // one polygon (evaluation::audit_plan: no second piece ≥ 100 m² or 1 %)
  bool below_min = false;
  bool above_max = false;
  int barrier_crossings = 0;  // extra sides of hard barriers holding its buildings (by geometry)
  int compound_splits = 0;    // compounds whose buildings are in this and another grid
};

struct Grid {
  GridLevel level = GridLevel::large;
  std::string code;  // community code + 2 digits (large) [+ 2 digits (micro)]
  std::string name;
  std::int32_t community = kNone;  // index into Dataset::communities
  std::int32_t parent = kNone;     // micro grids: index into Plan::large_grids
  bool locked = false;
  std::vector<std::int32_t> buildings;  // indices into Dataset::buildings, ascending
  MultiPolygon polygon;                 // metres; tiles its community (large) or parent (micro)
  GridMetrics metrics;
  /// Why the grid is outside its household bounds, as the partition found it (the container
  /// too small, no feasible count, too coarse; for a micro grid also its large grid's reason);
  /// "" within them. Written to plan.gpkg (field bounds_why) and read back by `gridplan check`.
  std::string bounds_reason;
};

struct PlanMetrics {
  int large_grids = 0;
  int micro_grids = 0;
  int bound_violations = 0;  // grids outside their bounds (large + micro)
  // The figures below are measured on the grid polygons by evaluation::audit_plan (geo/plan_audit).
  int discontiguous = 0;      // grids in pieces (large + micro)
  int barrier_crossings = 0;  // grids lying on both sides of a hard barrier (compounds excepted)
  int compound_splits = 0;    // compounds split across large grids (reported)
  int buildings_split = 0;    // buildings split by units across micro grids (reported)
  long long households = 0;
  long long households_moved = 0;  // vs the existing plan (0 when none given)
  double mean_compactness = 0.0;
  double coverage_gap_m2 = 0.0;      // Σ over communities of |community| − |∪ large grids|
  double coverage_overlap_m2 = 0.0;  // Σ pairwise overlap of grids at the same level
  int grids_with_crumbs = 0;         // grids carrying sliver crumbs beside their main piece
  int grids_without_polygon = 0;
  int buildings_outside = 0;  // buildings whose representative point is outside their micro grid
  int micro_not_nested = 0;   // micro grids reaching outside their large grid
};

/// A building's grids as a plan file lists them: the buildings layer of GridPlanner's own
/// plan.gpkg (fields bid, large_code, micro_code). An existing plan read back takes these over
/// the geometry (see existing_plan_from_grids).
struct ListedBuildingGrids {
  std::int64_t bid = 0;    // Building::id
  std::string large_code;  // code of a large grid of the same plan
  std::string micro_code;  // code of a micro grid, empty when none
  /// A row of one run of units (a building split by units has one row per run, field `unit`
  /// "first-last", 1-based): its first unit (0-based) and unit count; first_unit < 0: the row
  /// is the whole building.
  int first_unit = -1;
  int units = 0;
  int households = 0;  // the run's households (rows of runs only)
};

/// A run of consecutive units (单元) of a building split by units between micro grids: a
/// building whose households exceed the micro maximum (docs/decisions/0005-partition.md). The
/// buildings layer of plan.gpkg carries one row per run, its geometry `footprint`.
struct BuildingRun {
  std::int32_t building = kNone;  // index into Dataset::buildings
  std::int32_t large = kNone;     // index into Plan::large_grids
  std::int32_t micro = kNone;     // index into Plan::micro_grids
  int first_unit = 0;             // its first unit, 0-based in entrance order
  int units = 0;
  int households = 0;
  /// The run's strip of the footprint (metres), inside the run's micro grid; empty: not known
  /// (a plan read from a table without geometry).
  MultiPolygon footprint;
};

struct Plan {
  std::vector<Grid> large_grids;
  std::vector<Grid> micro_grids;
  /// For each building: its micro grid (index into micro_grids). A building split by units
  /// maps to the micro grid holding most of its households; the split is in `problems`.
  std::vector<std::int32_t> building_micro;
  std::vector<std::int32_t> building_large;
  /// Buildings split by units between micro grids: every run, by building then first unit.
  /// Such a building is in Grid::buildings of each run's grids; building_micro names the run
  /// whose strip holds its representative point.
  std::vector<BuildingRun> building_runs;
  PlanMetrics metrics;
  ProblemReporter problems;  // infeasible containers, splits, policies applied
};

}  // namespace gp
