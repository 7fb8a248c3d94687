#pragma once
// Faces of a noded line arrangement (private to planner/geo): the tessellation's own polygonizer.
// GEOS's polygonizer builds a planar graph of heap objects per input line and was the largest
// cost of the tessellation; the pieces' linework is already noded (segments meet only at shared,
// exactly equal end points), so a half-edge face walk over sorted arrays does the same job.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

#include "planner/core/geometry.hpp"
#include "planner/core/parallel.hpp"
#include "planner/core/parallel_sort.hpp"
#include "planner/core/point_in_polygon.hpp"

namespace gp::geo::detail {

/// Lexicographic order of points (x, then y): the key vertices are matched by exactly.
inline bool less_point(const Point& p, const Point& q) {
  return p.x < q.x || (p.x == q.x && p.y < q.y);
}

/// less_point as a function object, for sorts and searches: a function pointer handed to
/// std::sort is called, not inlined (less_point and segment_less were 1.7 % of the real-100000
/// run's samples as calls of their own). The same order.
struct PointLess {
  bool operator()(const Point& p, const Point& q) const { return less_point(p, q); }
};

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
/// `progress` (optional) takes the fraction done, 0 to 1, several times a second on a large input.
bool polygonize_segments(std::vector<Segment> segments, std::vector<Polygon>& faces,
                         const std::function<void(double)>& progress = {});

/// A face's lowest half-edge: its segment (normalised) and its direction (`reverse`: second to
/// first). polygonize_segments gives the faces in the order of these keys (each face cycle is
/// walked from its lowest half-edge, half-edges ordered by segment_less and then direction), so
/// the faces of parts of an arrangement, each polygonized on its own, merge into that order.
struct FaceKey {
  Segment segment;
  bool reverse = false;
};

/// The faces of a region of a noded arrangement, as polygonize_segments gives them for the
/// whole arrangement: `boundary` is the region's boundary (its outer ring and holes, split
/// wherever the arrangement splits them) with each segment directed so that the region lies on
/// its left; `segments` the arrangement's segments inside the region. Faces outside the region
/// (its holes, the unbounded face) are left out. A face's rings start where the whole
/// arrangement's polygonizing would start them, and `keys` takes each face's lowest half-edge
/// (FaceKey): merged by key, the faces of every region of a partition (street blocks) are the
/// bounded faces of the whole arrangement inside the regions, in its order, exactly. This holds
/// because a face, its cycles and whether an edge is a dangle or cut edge depend only on the
/// linework of the region the face lies in and that region's boundary.
/// False as polygonize_segments (an overlap).
bool polygonize_region(std::vector<Segment> segments, std::vector<Segment> boundary,
                       std::vector<Polygon>& faces, std::vector<FaceKey>& keys);

// parallel_sort (planner/core/parallel_sort.hpp) sorts the community-wide arrays (segments,
// vertices, contacts) on the threads under a total order of the values.

// Segment and ring helpers shared by the tessellation's files.

/// A segment with its ends in lexicographic order: the key both sides of a shared edge store.
inline Segment normalised(const Point& a, const Point& b) {
  return less_point(a, b) ? Segment{a, b} : Segment{b, a};
}

inline bool segment_less(const Segment& s, const Segment& t) {
  if (!(s.first == t.first)) return less_point(s.first, t.first);
  return less_point(s.second, t.second);
}

/// segment_less as a function object (see PointLess).
struct SegmentLess {
  bool operator()(const Segment& s, const Segment& t) const { return segment_less(s, t); }
};

/// Sorts segments (each normalised) and drops duplicates.
inline void sort_unique(std::vector<Segment>& segments) {
  std::sort(segments.begin(), segments.end(), SegmentLess{});
  segments.erase(std::unique(segments.begin(), segments.end()), segments.end());
}

/// Twice the signed area of the triangle a, b, c (positive when counter-clockwise), relative
/// to `a` for precision.
inline double orientation(const Point& a, const Point& b, const Point& c) {
  return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

/// Which side of the line a→b the point c lies on: +1 left, −1 right, 0 when the rounding of the
/// computation could reach the computed value. The bound is Shewchuk's first one for orient2d,
/// (3 + 16ε)ε times the sum of the products' magnitudes: a point more than ~1e-12 m from the
/// line (at the lengths of a block, hundreds of metres) gets its true side.
inline int robust_side(const Point& a, const Point& b, const Point& c) {
  const double left = (b.x - a.x) * (c.y - a.y);
  const double right = (b.y - a.y) * (c.x - a.x);
  const double det = left - right;
  const double bound = 3.4e-16 * (std::abs(left) + std::abs(right));
  if (det > bound) return 1;
  if (det < -bound) return -1;
  return 0;
}

/// Shells counter-clockwise, holes clockwise (the orientation the face walk and dissolve use).
inline void orient(Polygon& polygon) {
  if (signed_area(polygon.outer) < 0.0) std::reverse(polygon.outer.begin(), polygon.outer.end());
  for (Ring& hole : polygon.holes)
    if (signed_area(hole) > 0.0) std::reverse(hole.begin(), hole.end());
}

/// Point in a polygon with holes (crossing number; the boundary may go either way).
inline bool in_polygon(const Polygon& polygon, const Point& p) {
  if (polygon.outer.size() < 4 || !in_ring(polygon.outer, p)) return false;
  for (const Ring& hole : polygon.holes)
    if (in_ring(hole, p)) return false;
  return true;
}

/// Euclidean distance (metres) from `p` to the closed segment `s` (gp::distance_to_segment).
inline double distance_to_segment(const Point& p, const Segment& s) {
  return gp::distance_to_segment(p, s.first, s.second);
}

}  // namespace gp::geo::detail
