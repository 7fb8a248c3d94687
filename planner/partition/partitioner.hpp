#pragma once
// The partition engine: from a validated dataset to a Plan of large and micro grids.
//
// Steps (docs/decisions/0005-partition.md): tessellate (geo) → per community build the atom
// graph (buildings; compounds contracted while within the large-grid maximum) → large grids by
// seeded region growing + boundary refinement under hard bounds and contiguity → micro grids
// inside each large grid with the same machinery → polygons by coverage union → codes → metrics.

#include <optional>
#include <string>

#include "planner/core/dataset.hpp"
#include "planner/core/progress.hpp"
#include "planner/geo/tessellation.hpp"
#include "planner/partition/graph_partition.hpp"
#include "planner/partition/params.hpp"
#include "planner/partition/plan.hpp"

namespace gp {

/// Plans grids for `dataset`. When `existing` is given, its grids seed the plan, locked grids
/// stay exactly as they are, and the objective penalises households moved.
/// Preconditions: geo::validate_and_join has run on `dataset`.
Plan make_plan(const Dataset& dataset, const PartitionParams& params, Progress& progress,
               const Plan* existing = nullptr);

/// The same from a tessellation already made (tests hand-build one; the CLI reuses it).
/// Preconditions: `tessellation` was made from `dataset` (vectors indexed by building).
Plan make_plan(const Dataset& dataset, const geo::Tessellation& tessellation,
               const PartitionParams& params, Progress& progress, const Plan* existing = nullptr);

/// What make_plan partitioned into large grids in one community: the atom graph exactly as the
/// partitioner saw it (atoms = buildings, contracted compounds and unit parts; no edge across a
/// hard barrier or a community boundary), the part of every atom and the time partition_graph
/// took (one thread, seconds). Benchmarks give the same graph to other partitioners.
struct LargeGridPartition {
  std::int32_t community = -1;
  partition::AtomGraph graph;
  std::vector<partition::PartId> part;
  std::int32_t part_count = 0;
  std::vector<partition::InfeasibleContainer> infeasible;  // components of `graph`
  double partition_seconds = 0.0;
};

/// make_plan that also returns every community's large-grid partition (in community order;
/// communities without planned buildings are left out). Same plan as the overload above.
Plan make_plan(const Dataset& dataset, const geo::Tessellation& tessellation,
               const PartitionParams& params, Progress& progress, const Plan* existing,
               std::vector<LargeGridPartition>* large_partitions);

/// The tessellation parameters make_plan uses for `params` (hard road classes).
geo::TessellationParams tessellation_params(const PartitionParams& params);

/// An existing plan from Dataset::existing_grids (e.g. a hand-drawn grid layer): each building
/// goes to the large and micro grid containing its footprint centroid; micro grids are nested by
/// parent_code, else by the large grid containing most of their buildings. Buildings in no grid
/// stay unassigned (kNone) and are planned afresh. Polygons and locked flags are kept.
///
/// `listed`: the plan file's own building→grid rows (GridPlanner's plan.gpkg). A building listed
/// there goes to the listed grids instead, as long as the listed grid (its micro grid, else its
/// large grid) still holds its representative point or one of its footprint's vertices: the
/// geometry can put a building that the plan listed in one grid into another (a split tower
/// listed under one run, a footprint reaching past its cell), and re-planning an unchanged plan
/// then moved its households; a grid redrawn away from the building (a plan edited in a GIS)
/// still wins by geometry. Rows naming an unknown bid, a bid used by several buildings, or a code
/// no grid has are ignored.
Plan existing_plan_from_grids(const Dataset& dataset,
                              const std::vector<ListedBuildingGrids>& listed = {});

/// The community code grid codes start with: Community::code when given, else "99" + the
/// community's index + 1 zero-padded to 10 digits (12 digits, recognisably not administrative).
std::string community_code(const Dataset& dataset, std::int32_t community);

}  // namespace gp
