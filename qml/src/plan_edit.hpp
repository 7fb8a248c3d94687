#pragma once
// Hand edits of a plan in the studio: move buildings (or a whole compound) to a neighbouring
// micro grid, lock grids, replace the plan by a re-plan, undo and redo.
//
// After each move the two micro grids and (when they differ) the two large grids touched are
// re-checked incrementally: households, buildings and workload summed, bounds flags set,
// contiguity by a breadth-first search over the tessellation's cell adjacency restricted to the
// grid (links across a hard barrier count only inside one compound, as in the engine), barrier
// crossings as the number of extra soft-connected pieces holding households, and polygons
// re-unioned from the cells with geo::union_cells (the engine's function). Plan totals are then
// re-summed from the grids. Undo restores the stored copies of the touched grids, so an edit
// followed by undo gives back the plan exactly. No Qt here.

#include <cstdint>
#include <string>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/geo/tessellation.hpp"
#include "planner/partition/params.hpp"
#include "planner/partition/plan.hpp"

namespace gp::studio {

struct EditResult {
  bool ok = false;
  std::string message;              // why an edit was refused, or what it did
  std::vector<std::int32_t> micro;  // micro grids touched
  std::vector<std::int32_t> large;  // large grids touched
  double milliseconds = 0.0;
};

class PlanEditor {
 public:
  PlanEditor(const Dataset& dataset, const geo::Tessellation& tessellation,
             const PartitionParams& params, Plan plan);

  [[nodiscard]] const Plan& plan() const { return plan_; }

  /// Moves `buildings` to micro grid `target` in one undoable step. They may come from several
  /// micro grids (a lasso); those already in `target` stay. The target must touch the selection
  /// through the cell adjacency, lie in the same community as every source grid, and neither it
  /// nor a source grid may be locked. Every touched micro and large grid is re-checked.
  EditResult move_buildings(const std::vector<std::int32_t>& buildings, std::int32_t target);
  /// The buildings of `building`'s compound that share its micro grid (the building alone when
  /// it is in no compound).
  [[nodiscard]] std::vector<std::int32_t> compound_group(std::int32_t building) const;
  /// Micro grids adjacent to the given buildings' cells (other than their own), ascending.
  [[nodiscard]] std::vector<std::int32_t> neighbour_grids(
      const std::vector<std::int32_t>& buildings) const;
  EditResult set_locked(GridLevel level, std::int32_t grid, bool locked);
  /// Replaces the whole plan (a re-plan of the unlocked rest), undoably.
  void replace_plan(Plan plan, std::string label);

  [[nodiscard]] bool can_undo() const { return done_ > 0; }
  [[nodiscard]] bool can_redo() const { return done_ < steps_.size(); }
  [[nodiscard]] std::string undo_label() const;
  [[nodiscard]] std::string redo_label() const;
  /// Undo/redo one step; returns the grids touched (both empty after a whole-plan step).
  EditResult undo();
  EditResult redo();

  /// Re-checks one grid's figures and polygon (used after an edit; public for tests).
  void recheck_micro(std::int32_t m);
  void recheck_large(std::int32_t g);
  void resum_plan_metrics();

 private:
  struct GridCopy {
    GridLevel level;
    std::int32_t index;
    Grid grid;
  };
  struct Assignment {
    std::int32_t building, micro, large;
  };
  struct Step {
    std::string label;
    bool whole = false;
    Plan plan_before, plan_after;  // whole-plan steps only
    std::vector<GridCopy> before, after;
    std::vector<Assignment> assign_before, assign_after;
    PlanMetrics metrics_before, metrics_after;
  };
  void push(Step step);
  void apply(const std::vector<GridCopy>& grids, const std::vector<Assignment>& assign,
             const PlanMetrics& metrics);
  EditResult touched(const Step& step, bool after) const;
  bool connected(const std::vector<std::int32_t>& members, bool soft_only, bool households_only,
                 int* pieces) const;

  const Dataset& dataset_;
  const geo::Tessellation& tess_;
  PartitionParams params_;
  Plan plan_;
  struct Link {
    std::int32_t to;
    geo::Crossing crossing;
  };
  std::vector<std::vector<Link>> neighbours_;  // per building, from the tessellation
  std::vector<Step> steps_;
  std::size_t done_ = 0;
};

}  // namespace gp::studio
