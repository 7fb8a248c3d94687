#pragma once
// Which cells of a uniform grid lie wholly inside or wholly outside an area (a community), so that
// the questions validation asks of every building — does the community hold this point, does it
// cover this footprint — are answered from a few cells instead of from GEOS, whenever the building
// stands away from the community's outline. Near the outline the cells say "mixed" and the caller
// asks GEOS as before: the answers are GEOS's own wherever the cells give one.
//
// Why: without a community layer the one community is the built-up area, a polygon with as many
// rings as the town has gaps; GEOS's prepared covers test tries one point of every ring of it
// against the building (PreparedPolygonPredicate::isAnyTargetComponentInAreaTest), so each
// building cost time in proportion to the town's size — "validating buildings" took 1.2 s CPU at
// 100k buildings and 66 s at 1M (docs/benchmarks.md, "Validation, settling and the plan audit,
// round 11").
//
// Exactness: a cell is marked as on the outline when its closed box meets the box (grown by a
// rounding margin) of any edge of the area's rings; every other cell lies wholly in one face of
// the outline's complement, inside or outside the area. Along each row of cells, a run of cells
// off the outline is one such face, classified by the even-odd rule at its first cell's centre
// (the rule GEOS's prepared predicates use, planner/core/point_in_polygon.hpp): the crossings of
// the row's centre line lie off the run's cells, at least half a cell from the centre, so the
// rounding of a crossing cannot change the count. A point in a cell off the outline is then inside
// (GEOS: intersects, not on the boundary) or outside (GEOS: disjoint) as its cell; a box whose
// cells are all inside is covered, all outside is disjoint.
//
// Thread safety: built once; const queries may run concurrently.

#include <cstdint>
#include <vector>

#include "planner/core/geometry.hpp"

namespace gp::geo {

class AreaCells {
 public:
  enum class Where : std::uint8_t { mixed = 0, inside = 1, outside = 2 };

  /// No cells: every query answers `mixed`.
  AreaCells() = default;
  /// Cells of `cell_m` metres over the area's bounds (wider when more than `max_cells` would be
  /// needed). An empty area gives no cells.
  AreaCells(const MultiPolygon& area, double cell_m, std::size_t max_cells);

  /// `inside` when the point lies in the area's interior, `outside` when it lies outside the
  /// closed area, `mixed` when its cell is on the outline (ask GEOS).
  [[nodiscard]] Where locate(const Point& p) const;
  /// `inside` when the closed box lies in the area's interior, `outside` when it is disjoint from
  /// the closed area, `mixed` otherwise or near the outline.
  [[nodiscard]] Where locate(const Box& box) const;

  [[nodiscard]] bool empty() const { return state_.empty(); }
  [[nodiscard]] double cell_size() const { return cell_; }
  /// How many cells are on the outline and how many in all (for tests and notes).
  [[nodiscard]] std::size_t outline_cells() const;
  [[nodiscard]] std::size_t cells() const { return state_.size(); }

 private:
  // Cell i spans the closed interval [edge(i), edge(i + 1)] in x (and likewise in y): the same
  // floating-point expression everywhere, so marking and queries agree on every cell's box.
  [[nodiscard]] double edge_x(std::int64_t i) const { return x0_ + double(i) * cell_; }
  [[nodiscard]] double edge_y(std::int64_t j) const { return y0_ + double(j) * cell_; }
  /// The first cell along an axis (cells of cell_ from `origin`, `n` of them) whose closed
  /// interval reaches v (edge(i + 1) >= v), clamped to the grid; columns and rows alike.
  [[nodiscard]] std::int64_t first_cell(double v, double origin, std::int64_t n) const;
  /// The last cell along an axis whose closed interval starts at or before v (edge(i) <= v),
  /// clamped.
  [[nodiscard]] std::int64_t last_cell(double v, double origin, std::int64_t n) const;
  [[nodiscard]] std::int64_t first_column(double x) const { return first_cell(x, x0_, nx_); }
  [[nodiscard]] std::int64_t last_column(double x) const { return last_cell(x, x0_, nx_); }
  [[nodiscard]] std::int64_t first_row(double y) const { return first_cell(y, y0_, ny_); }
  [[nodiscard]] std::int64_t last_row(double y) const { return last_cell(y, y0_, ny_); }

  double x0_ = 0.0, y0_ = 0.0, cell_ = 1.0;
  std::int64_t nx_ = 0, ny_ = 0;
  Box bounds_;                       // the grid's closed extent
  std::vector<std::uint8_t> state_;  // Where per cell, row by row (mixed: on the outline)
};

}  // namespace gp::geo
