#pragma once
// Cells of buildings split by units (entrances) between grids.
//
// A building whose households exceed a grid maximum is split at unit boundaries (单元) into runs
// of consecutive units that go to different grids. Each run then needs a polygon of its own, so
// that every grid has a shape and the grids still tile their community: the building's cell is
// cut across the building, each run getting the stretch of the cell beside its units.

#include <functional>
#include <utility>
#include <vector>

#include "planner/core/geometry.hpp"

namespace gp::geo {

/// Cuts `cell` into one piece per run of units: straight cuts divide the area of the
/// footprint's part inside the cell in proportion to `weights` (units per run, in unit order
/// along the cut axis). The axis is the first, of the footprint's long axis (the longer side of
/// its minimum rotated rectangle), its perpendicular and the directions of its longest edges,
/// along which every run's strip of the footprint is one polygon: a U-shaped tower taller than
/// wide is cut across its base, not across both arms (issue 12); when none is, the axis with
/// the fewest extra parts. Run j > 0 gets its strip of the footprint (between cuts j−1 and j);
/// run 0 — the run holding the first unit, whose grid also holds the building's neighbours
/// (docs/decisions/0005-partition.md) — gets its strip and the rest of the cell, so it touches
/// every cell around, except where a later run's grid holds cells beside this one
/// (`beside[j]`, optional: the cells of run j's grid that border `cell`): run j then takes the
/// part of the cell off the footprint between its strip and the nearest of them, so its grid
/// is one polygon. All pieces come from one noded arrangement of the cell boundary, the
/// footprint's outline and the cuts, so neighbouring pieces share their vertices exactly and
/// their union is the cell.
/// Each piece is one polygon: a part that shares no edge with the rest of its run (a cut across
/// a non-convex footprint, a corner of the cell cut off by a footprint reaching the cell's
/// boundary, land beyond a pinch of the cell narrower than 1 µm, which snap-rounding splits)
/// joins the neighbouring run it shares the longest boundary with, unless it borders its own
/// run's cells in `beside` (then the grid joins it through them).
/// A piece is empty when the cell has nothing in that stretch (not for a cell that contains
/// its footprint, as the tessellation's cells do).
/// Preconditions: metres; `cell` and `footprint` valid; weights non-empty, each ≥ 0, sum > 0.
/// Thread-safe (one GEOS context per calling thread).
/// With `units` > 0 (the weights are whole counts of units summing to it), each run's piece is
/// the union of its units' pieces of the cut one weight per unit, `beside` unused: the pieces
/// the partition linked the tower's neighbours to (pieces_bordering), so a grid holding a run
/// and the neighbours linked to its units is one polygon.
/// `sides` (Tessellation::cell_sides: the cell's part in each hard face, when it lies in
/// several; else empty): a tower standing across a hard road. Every piece then lies on one
/// side, and the land off the footprint on a side other than the first run's goes to the runs
/// whose strip lies mostly on that side (each stretch of it to the one it borders the longest),
/// so a run's land and its neighbours are on its own side; land on a side holding no run's
/// strip stays with the first run (docs/decisions/0008-polygon-truth.md, "A split tower across
/// a hard road"). Every caller cutting one tower passes the same sides (the cuts are kept by
/// them too).
std::vector<MultiPolygon> split_cell_along_building(
    const MultiPolygon& cell, const MultiPolygon& footprint, const std::vector<double>& weights,
    const std::vector<std::vector<const MultiPolygon*>>& beside = {}, int units = 0,
    const std::vector<MultiPolygon>& sides = {});

/// Pairs (u < v) of units whose pieces of the cut one weight per unit (the cut above with
/// `units` weights of 1) share an edge: what the partition links a split tower's unit atoms by
/// (partition/atoms.cpp). Consecutive units of a footprint cut across a non-convex shape (an
/// E-shaped tower, a complex wrapped around a court) need not touch, and a later unit's piece
/// touches the first unit's (which holds the land off the footprint) wherever it lies.
/// Thread-safe; uses the kept cut.
std::vector<std::pair<int, int>> unit_pieces_touching(const MultiPolygon& cell,
                                                      const MultiPolygon& footprint, int units,
                                                      const std::vector<MultiPolygon>& sides = {});

/// Whether the units of the cut one weight per unit can lie on different sides (two sides each
/// hold half a unit's share of the footprint's part in the cell): only then do the sides change
/// the cut (split_cell_along_building). Thread-safe.
bool units_across_sides(const MultiPolygon& cell, const MultiPolygon& footprint, int units,
                        const std::vector<MultiPolygon>& sides);

/// The side (index into `sides`) holding most of each unit's strip of the kept unit cut, -1
/// where none does or without sides (fewer than two): the partition keeps units on different
/// sides of a hard road apart (partition/atoms.cpp). Thread-safe.
std::vector<int> unit_sides(const MultiPolygon& cell, const MultiPolygon& footprint, int units,
                            const std::vector<MultiPolygon>& sides);

/// Whether the cut one weight per unit of a cell that holds `footprint` clear of its boundary
/// gives strips that chain (each unit's strip one polygon sharing an edge with the next): true
/// for one polygon without holes monotone along its long axis (every cross-section one
/// interval), the axis the cut tries first. Cheap (one minimum rotated rectangle); thread-safe.
bool unit_strips_chain(const MultiPolygon& footprint);

/// The cuts one weight per unit (no cells beside) are kept, by the content of the cell and the
/// footprint and the unit count, from the partition's cut of a tower (partition/atoms.cpp) to
/// the grid polygons' (issue 14: each tower was cut three times). forget_unit_cuts releases
/// them (the grid polygons stage does once its polygons are made); unit_cuts_held counts them.
/// Thread-safe.
void forget_unit_cuts();
std::size_t unit_cuts_held();

/// Test switch: with `on`, split_cell_along_building takes every step by GEOS overlays, as
/// before round 6, and keeps no cuts (the own steps' results are compared with it:
/// tests/geo/test_cell_split_one_pass.cpp). Not for production.
void set_split_reference(bool on);

/// The pair (i, j) of a piece of `a` and a piece of `b` sharing the longest boundary, more than
/// 10 cm; (-1, -1) when none does (a touch at a corner). A whole cell is a list of one piece; a
/// tower split into units is the list of its units' pieces (split_cell_along_building, one
/// weight per unit). The partition links a neighbour of a split tower to the unit whose piece
/// it borders, not to the tower's first unit: the first run's piece is only its strip and the
/// land off the footprint, so a neighbour touching the tower along a later unit's strip (a
/// shared wall) joined to the first run's grid left that grid in two pieces (issue 12: Helsinki
/// micro grids …2302, …4401). Metres; thread-safe.
std::pair<int, int> pieces_bordering(const std::vector<MultiPolygon>& a,
                                     const std::vector<MultiPolygon>& b);

/// Index of the piece that holds the footprint's point on surface (GEOS PointOnSurface, what a
/// GIS takes as the building's representative point); 0 when none does. The building is listed
/// under that piece's grid. Thread-safe.
std::size_t piece_holding_point_on_surface(const std::vector<MultiPolygon>& pieces,
                                           const MultiPolygon& footprint);

/// The footprint's part inside each piece (polygonal part of footprint ∩ piece): the strip of
/// each run of units, exported as that run's row of the buildings layer. Empty for an empty
/// piece. Thread-safe.
std::vector<MultiPolygon> footprint_in_pieces(const std::vector<MultiPolygon>& pieces,
                                              const MultiPolygon& footprint);

/// A point inside the footprint: GEOS PointOnSurface, which is what GIS tools (shapely's
/// representative_point, QGIS's point on surface) take as a polygon's representative point; the
/// vertex centroid of an L-shaped or courtyard building can lie outside it. Empty → (0, 0).
/// Thread-safe.
Point point_on_surface(const MultiPolygon& footprint);

/// Union of polygons that are not an exact coverage (pieces of split cells beside whole cells:
/// a cut ends on a neighbour's edge without a vertex there). GEOS noding union; slower than
/// union_cells, used only for grids that hold such pieces. Snap-rounded to a 1 µm grid, so
/// near-coincident edges (a cut ending a few ulps off a neighbour's edge) merge. Thread-safe.
MultiPolygon union_polygons(const std::vector<const MultiPolygon*>& polygons);

/// A grid polygon as written to the plan: GEOS MakeValid of an invalid `shape` (polygonal
/// parts; parts of no area dropped); a valid one snap-rounded to 1 µm when a ring passes within
/// that of itself (the rounding changes its pieces, rings or vertex counts), else `shape` as it
/// is. Issue 12, Monaco micro grid …35001: a ring pinched to nanometres at a collapsed spike was
/// valid in metres, crossed itself once written in WGS84, and GIS tools read it back, repaired,
/// as a grid with a crumb the plan's own figures did not show. `changed` (optional) says whether
/// the polygon was replaced (its edges are then no longer exactly its neighbours'). Thread-safe.
MultiPolygon valid_grid_polygon(MultiPolygon shape, bool* changed = nullptr);

/// Tolerance of conform_edges (m): snap rounding to the union grid (1 µm) moves a vertex, and
/// a segment through a vertex's pixel, by at most √2/2 µm.
inline constexpr double kConformToleranceM = 1e-6;

/// Makes polygons that tile an area edge-matched where some of them were rounded apart from
/// their neighbours (grids snap-rounded to 1 µm on their own by union_polygons or
/// valid_grid_polygon, beside exact ones: their shared edges lie up to 0.7 µm apart and a
/// rounded grid has nodes — a cut's end — its neighbour's edge lacks), so that the own coverage
/// union (union_cells) takes them instead of the noding union (docs/benchmarks.md "Unions,
/// round 3"). `moved[i]` marks the rounded polygons; `fixed[i]` (optional) polygons that must
/// not change (locked grids of an existing plan). Within `tolerance` (m):
///  1. each vertex of a rounded polygon goes to the nearest vertex of an unrounded polygon, else
///     to its projection on the nearest edge of one (the same coordinates give the same place,
///     so rounded polygons sharing a vertex keep sharing it);
///  2. each vertex lying on another polygon's edge (one of the two rounded or moved), not at
///     its ends, is inserted in that edge (T-junctions: a rounded grid's cut end, a vertex
///     rounding merged); a spike there and back is dropped.
/// A rounded polygon that is not valid (GEOS) once back on the exact vertices (its rounding
/// had resolved a pinch) is pinned: kept as rounded, and the exact polygons beside it take its
/// vertices instead (up to 4 rounds). Vertices move by at most `tolerance`. Returns false,
/// every polygon as it was, when that does not give valid polygons: the caller keeps the
/// noding union. `changed` (optional, sized to polygons) says which were changed. Metres;
/// deterministic; thread-safe (one GEOS context per calling thread).
/// `progress` (optional) is called with the fraction done (0–1, only rising) every few hundred
/// polygons: one community holding a whole town conforms thousands of grids in one call
/// (issue 14: 2.1 s without a word on the real 100k town).
bool conform_edges(const std::vector<MultiPolygon*>& polygons, const std::vector<char>& moved,
                   const std::vector<char>& fixed, double tolerance,
                   std::vector<char>* changed = nullptr,
                   const std::function<void(double)>& progress = {});

}  // namespace gp::geo
