#pragma once
// Importing plans: an existing (hand-drawn or earlier) grid plan to evaluate or re-plan, and a
// finished run directory read back for `gridplan compare`. No GDAL types in this header.
//
// An existing plan comes as either
// - grid polygons (any vector format): large and micro grids, told apart by a `level` field, a
//   parent code, or layers named large_grids / micro_grids (a GridPlanner plan.gpkg imports as
//   it is). They go through the loader (role "grids") and partition's existing_plan_from_grids;
// - a building→grid table (CSV, or any layer with the fields): building id, large grid code and
//   optionally micro grid code per row. Grid polygons then come from the union of the buildings'
//   tessellation cells.

#include <string>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/geo/tessellation.hpp"
#include "planner/io/load.hpp"
#include "planner/partition/plan.hpp"
#include "planner/report/compare.hpp"

namespace gp::io {

/// An existing plan to evaluate or re-plan (a scenario's [existing] table).
struct ExistingPlanSettings {
  std::string path;   // grid polygons (any vector format) or a building→grid table (CSV, ...)
  std::string layer;  // layer of `path`; empty: the first (or only) layer
  /// "replan": plan anew keeping locked grids and moving as few households as possible;
  /// "evaluate": keep the existing plan as it is and evaluate it with the same metrics.
  std::string mode = "replan";
  /// For a building→grid table: the building id field (matches the buildings' id/bid), the
  /// large grid code field and the micro grid code field (may be empty).
  std::string bid_field = "bid";
  std::string large_field = "large_code";
  std::string micro_field = "micro_code";
};

enum class ExistingPlanKind { grid_polygons, building_table };

struct ExistingPlanSource {
  ExistingPlanKind kind = ExistingPlanKind::grid_polygons;
  /// For grid polygons: the inputs to add to LoadOptions::inputs (role grids).
  std::vector<InputSpec> grid_inputs;
  /// For grid polygons from a GridPlanner plan.gpkg (layers large_grids and buildings with bid
  /// and large_code): each building's grids as the plan lists them, for
  /// existing_plan_from_grids (by id rather than by geometry).
  std::vector<ListedBuildingGrids> listed;
};

/// Looks into the file: polygon layers make grid polygons (`settings.layer`, else layers named
/// large_grids and micro_grids, else every polygon layer whose name suggests grids, else the only
/// polygon layer); otherwise it is a building→grid table. Throws gp::InputError when the file
/// cannot be opened or holds neither.
ExistingPlanSource inspect_existing_plan(const ExistingPlanSettings& settings);

/// A plan from a building→grid table. Buildings are matched by Building::id; rows naming an
/// unknown building and buildings in no row are reported in `problems` (the latter are planned
/// afresh when re-planning). Large grids take the community of most of their buildings, micro
/// grids the large grid of most of theirs. With `cells`, grid polygons are the union of their
/// buildings' cells. Metrics are not filled (evaluation::fill_plan_metrics).
/// Throws gp::InputError naming the file and the missing field.
Plan plan_from_table(const Dataset& dataset, const ExistingPlanSettings& settings,
                     const geo::Tessellation* cells, ProblemReporter& problems);

/// Reads a run directory written by `gridplan run` (plan.gpkg layers buildings and large_grids,
/// metrics.json) for comparison. Throws gp::InputError when it is not a complete run directory.
report::RunSnapshot read_run(const std::string& dir);

}  // namespace gp::io
