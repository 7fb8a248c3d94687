#pragma once
// The partition engine: from a validated dataset to a Plan of large and micro grids.
//
// Steps (docs/decisions/0003-partition.md): tessellate (geo) → per community build the atom
// graph (buildings; compounds contracted while within the large-grid maximum) → large grids by
// seeded region growing + boundary refinement under hard bounds and contiguity → micro grids
// inside each large grid with the same machinery → polygons by coverage union → codes → metrics.

#include <optional>

#include "planner/core/dataset.hpp"
#include "planner/core/progress.hpp"
#include "planner/partition/params.hpp"
#include "planner/partition/plan.hpp"

namespace gp {

/// Plans grids for `dataset`. When `existing` is given, its grids seed the plan, locked grids
/// stay exactly as they are, and the objective penalises households moved.
/// Preconditions: geo::validate_and_join has run on `dataset`.
Plan make_plan(const Dataset& dataset, const PartitionParams& params, Progress& progress,
               const Plan* existing = nullptr);

}  // namespace gp
