#pragma once
// A variant of union_cells (tessellation.hpp) for unions of many grids that may not be
// edge-matched (the plan audit's union of a community's large grids).

#include <cstddef>
#include <vector>

#include "planner/core/dataset.hpp"

namespace gp::geo {

/// union_cells without GEOS's CoverageUnion: the own coverage union when the polygons pass its
/// checks (edge-matched, no overlap), else the ordinary GEOS union at once. union_cells tries
/// GEOS's CoverageUnion in between, which on a planned town's large grids (not edge-matched
/// where a grid is snap-rounded: docs/benchmarks.md "Unions outside the tessellation") fails
/// after seconds and leaves the same ordinary union. Thread-safe.
MultiPolygon union_cells_or_overlay(const std::vector<const MultiPolygon*>& polygons);

/// How many times union_cells or union_cells_or_overlay, since the process started, found its
/// input not an edge-matched coverage and took a GEOS union (GRIDPLAN_UNION_STATS).
std::size_t union_cells_fallbacks();

}  // namespace gp::geo
