#pragma once
// Small GEOS building blocks used by the tessellation (private to planner/geo). Every function
// takes the calling thread's GeosContext and throws GeosError (with the GEOS message) on failure.
// Coordinates are metres in the dataset's projected CRS.

#include <utility>
#include <vector>

#include "planner/core/geometry.hpp"
#include "planner/geo/geos.hpp"

namespace gp::geo::detail {

/// Makes a collection of `type` (GEOS_MULTILINESTRING, GEOS_GEOMETRYCOLLECTION, ...) that owns
/// `parts`; `parts` is left empty.
GeomPtr make_collection(GeosContext& ctx, int type, std::vector<GeomPtr>& parts);

GeomPtr clone(GeosContext& ctx, const GEOSGeometry* geometry);

/// Appends every non-empty linear component of `geometry` (lines, rings as lines; points and
/// polygons are skipped) as an owned LineString.
void append_lines(GeosContext& ctx, const GEOSGeometry* geometry, std::vector<GeomPtr>& out);

/// Appends every non-empty polygon of `geometry` (searching collections) as an owned Polygon.
void append_polygons(GeosContext& ctx, const GEOSGeometry* geometry, std::vector<GeomPtr>& out);

/// Nodes a set of lines: every crossing and touch becomes a shared vertex, so polygonizing the
/// result gives faces whose common edges have identical coordinates. With `snap_grid_m` = 0 this
/// is GEOS's robust union (floating noding, falling back to snapping when that fails); with a
/// grid, every vertex is snap-rounded to it first (slower: used when retrying after a failure).
/// Consumes `lines`.
GeomPtr node_lines(GeosContext& ctx, std::vector<GeomPtr>& lines, double snap_grid_m);

/// Faces (polygons) enclosed by fully noded linework; dangles and cut edges are dropped.
std::vector<GeomPtr> polygonize(GeosContext& ctx, const GEOSGeometry* noded_lines);
/// The same over several inputs, noded together as a whole (GEOS reads them as one graph).
std::vector<GeomPtr> polygonize(GeosContext& ctx, const std::vector<const GEOSGeometry*>& inputs);

/// A point strictly inside a polygonal geometry (GEOS PointOnSurface).
Point interior_point(GeosContext& ctx, const GEOSGeometry* polygonal);
/// A point inside a polygon: its centroid when that is inside (most pieces of the tessellation
/// are convex Voronoi cells), else GEOS PointOnSurface.
Point interior_point(GeosContext& ctx, const Polygon& polygon);

Box envelope(GeosContext& ctx, const GEOSGeometry* geometry);

PreparedPtr prepare(GeosContext& ctx, const GEOSGeometry* geometry);

/// True when `point` is inside `prepared` (boundary excluded).
bool contains_point(GeosContext& ctx, const GEOSPreparedGeometry* prepared, const Point& point);

double geos_area(GeosContext& ctx, const GEOSGeometry* geometry);

/// Appends the segments of every line of `geometry` (a line, or a collection of lines), each
/// from one vertex to the next (zero-length ones skipped).
void append_segments(GeosContext& ctx, const GEOSGeometry* geometry,
                     std::vector<std::pair<Point, Point>>& out);

}  // namespace gp::geo::detail
