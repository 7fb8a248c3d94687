#pragma once
// Faces of a noded line arrangement (private to planner/geo): the tessellation's own polygonizer.
// GEOS's polygonizer builds a planar graph of heap objects per input line and was the largest
// cost of the tessellation; the pieces' linework is already noded (segments meet only at shared,
// exactly equal end points), so a half-edge face walk over sorted arrays does the same job.

#include <utility>
#include <vector>

#include "planner/core/geometry.hpp"

namespace gp::geo::detail {

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
