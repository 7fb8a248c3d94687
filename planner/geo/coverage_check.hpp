#pragma once
// Does a set of polygons tile a container polygon? Gap, overlap and reach outside by the edges
// (issue 14 item 2: one community holding a town of 1M buildings; a union of all its grids is a
// GEOS call on a quarter of the town at the end of a tree of unions and never finished).
//
// Each polygon's boundary is a chain of directed edges (outer rings counter-clockwise, holes
// clockwise); the container's boundary counts reversed. Where the polygons tile the container
// and share vertices along their common edges (grids assembled from the tessellation's cells,
// made edge-matched by conform_edges), every inner edge is used twice in opposite directions and
// each edge of the outline once by a polygon and once (reversed) by the container: the chain
// cancels exactly, and then the sum of the polygons' indicator functions equals the container's
// everywhere (the winding number of a chain that cancels is 0): no gap, overlap or reach outside,
// with no geometry operation at all. The edges left over (equal coordinates matched exactly; the
// order of a ring's vertices does not matter) are where it does not: a gap, an overlap, a hole,
// a grid reaching out, or seams that are only not edge-matched (a T-junction, grids rounded on
// their own). The leftover vertices within 1 µm of each other are first made one and the leftover
// segments cut at leftover vertices lying on them (T-junctions), then matched again: seams only
// rounded apart (a community outline rounded to 1 µm, a grid rounded on its own) cancel there,
// within a stated bound on the area that moves (CoverageCheck::snapped_m2).
// Every area where the polygons do not tile the container is bounded by those edges, so lies
// inside the box of the connected piece of them around it ("windows", merged where they
// overlap); each window is cut into tiles of a few dozen polygons, a tile that no leftover edge
// meets is decided by the leftover chain's winding number at its centre (0: tiled; −1: all gap),
// and only the tiles that leftover edges meet are overlaid with GEOS, each on the polygons' parts
// inside it and the container's (clipped by rectangle from a quadtree of its pieces). Areas add
// over the tiles, so the figures are those of one union of
// everything, to rounding. Metres (projected CRS).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "planner/core/geometry.hpp"

namespace gp::geo {

struct CoverageCheckParams {
  /// Polygons per tile where leftover edges are overlaid (about; the tiles are a regular grid
  /// over the leftover edges' box).
  std::size_t polygons_per_tile = 24;
  /// Seams (m): before the tiles, unmatched vertices within this of each other are made one and
  /// unmatched segments are cut at the unmatched vertices within this of them (T-junctions: a
  /// vertex a neighbour or the container runs straight past), then matched again; 0: never.
  /// The areas then move by at most CoverageCheck::snapped_m2. 1 µm, as conform_edges
  /// (kConformToleranceM): a community outline rounded to 1 µm beside the exact ends of the
  /// cells on it, a grid snap-rounded on its own; a real gap or overlap is wider.
  double t_junction_m = 1e-6;
  /// Keep the gap and outside areas' geometry (CoverageCheck::gap, outside), to locate findings.
  bool keep_geometry = false;
};

struct CoverageCheck {
  double container_area_m2 = 0.0;
  double polygons_area_m2 = 0.0;  ///< Σ of the polygons' areas
  double gap_m2 = 0.0;            ///< container − union of the polygons
  double outside_m2 = 0.0;        ///< union of the polygons − container
  double overlap_m2 = 0.0;        ///< Σ areas − area of the union
  std::size_t edges = 0;          ///< directed edges matched (polygons and container)
  std::size_t unmatched = 0;      ///< distinct segments whose uses do not cancel
  std::size_t t_junctions = 0;    ///< unmatched segments moved or cut at a seam
  std::size_t unmatched_after_t_junctions = 0;
  double snapped_m2 = 0.0;         ///< bound on the areas' change by those cuts
  std::size_t tiles = 0;           ///< tiles over the unmatched edges' box
  std::size_t overlaid_tiles = 0;  ///< of them, overlaid with GEOS
  /// Polygons (indices into the input) meeting an overlaid tile or a tile decided as not tiled:
  /// every overlap between two polygons lies there (ascending).
  std::vector<std::int32_t> local_polygons;
  /// With keep_geometry: the gap and the reach outside, in pieces cut at tile lines.
  MultiPolygon gap, outside;

  /// Area of the union of the polygons.
  [[nodiscard]] double union_area_m2() const { return container_area_m2 - gap_m2 + outside_m2; }
  /// True when every edge matched: the polygons tile the container exactly.
  [[nodiscard]] bool conforming() const { return unmatched == 0; }
  /// True when every edge matched once T-junctions were cut: tiled to within snapped_m2.
  [[nodiscard]] bool seamless() const { return unmatched_after_t_junctions == 0; }
};

/// Gap, overlap and reach outside of `polygons` in `container`, by the edges (see above); GEOS
/// only in tiles where edges do not match. Null or empty polygons are skipped. `tick(units)` is
/// called as work is done, from worker threads (it must be thread-safe), with units summing to
/// polygons.size(): the edges in chunks of polygons, then the tiles. Thread-safe; parallel inside.
/// Throws GeosError when a tile's overlay fails (invalid polygons).
CoverageCheck check_coverage(const MultiPolygon& container,
                             const std::vector<const MultiPolygon*>& polygons,
                             const CoverageCheckParams& params = {},
                             const std::function<void(double)>& tick = {});

/// The same figures by one GEOS union of all the polygons (then container − union and union −
/// container): the test oracle, and the check GRIDPLAN_COVERAGE_BY_UNION=1 selects in the plan
/// assembly and the plan audit to compare on real data. Slow on large containers (the reason for
/// check_coverage); no progress. local_polygons lists every polygon.
CoverageCheck check_coverage_by_union(const MultiPolygon& container,
                                      const std::vector<const MultiPolygon*>& polygons,
                                      const CoverageCheckParams& params = {});

/// True when GRIDPLAN_COVERAGE_BY_UNION is set (to anything but "0"): callers use the oracle.
bool coverage_by_union_requested();

}  // namespace gp::geo
