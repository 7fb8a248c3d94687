#pragma once
// Faces of a noded line arrangement (private to planner/geo): the tessellation's own polygonizer.
// GEOS's polygonizer builds a planar graph of heap objects per input line and was the largest
// cost of the tessellation; the pieces' linework is already noded (segments meet only at shared,
// exactly equal end points), so a half-edge face walk over sorted arrays does the same job.

#include <utility>
#include <vector>

#include "planner/core/geometry.hpp"
#include "planner/core/point_in_polygon.hpp"

namespace gp::geo::detail {

/// Lexicographic order of points (x, then y): the key vertices are matched by exactly.
inline bool less_point(const Point& p, const Point& q) {
  return p.x < q.x || (p.x == q.x && p.y < q.y);
}

/// Crossing-number test; points on the boundary may go either way (callers use points well
/// inside, or accept either answer).
inline bool in_ring(const Ring& ring, const Point& p) {
  return point_in_ring(ring, p);  // the project's one rule (planner/core/point_in_polygon.hpp)
}

using Segment = std::pair<Point, Point>;

/// The bounded faces of the planar graph whose edges are `segments` (any direction, duplicates
/// and zero-length ones allowed). Segments must be noded: two segments meet, if at all, at an end
/// point of both, with exactly equal coordinates. Like GEOS's polygonizer, dangles (edges with a
/// free end) and cut edges (edges with the same face on both sides) bound no face and are
/// dropped. Faces have their shell counter-clockwise and their holes (the outlines of other
/// connected parts of the graph inside them) clockwise, rings closed. Faces come in a
/// deterministic order that depends only on the set of segments.
///
/// Returns false, leaving `faces` unspecified, when the input is visibly not noded: two edges
/// leaving one vertex in the same direction (an overlap).
bool polygonize_segments(std::vector<Segment> segments, std::vector<Polygon>& faces);

}  // namespace gp::geo::detail
