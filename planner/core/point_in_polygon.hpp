#pragma once
// The project's one point-in-polygon rule: the crossing-number (even-odd) test with the half-open
// boundary convention, over the project's own rings (planner/core/geometry.hpp).
//
// Boundary convention: an edge a→b counts as crossed by the ray from p towards +x when exactly one
// of its ends lies strictly above p (a.y > p.y differs from b.y > p.y) and p lies strictly left
// of the crossing. So a point on an edge shared by two polygons of a partition (adjacent cells or
// grids) belongs to exactly one of them: the one to its right (a vertical edge) or above it (a
// horizontal edge); a point on an outer boundary's left or bottom edge is inside, on its right or
// top edge outside. Floating-point rounding of the crossing can move points within about 1e-9 m
// of an edge either way.

#include "planner/core/geometry.hpp"

namespace gp {

/// Does the ray from `p` towards +x cross the edge a→b (the half-open rule above)?
inline bool ray_crosses(const Point& a, const Point& b, const Point& p) {
  return (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x;
}

/// Inside the closed ring (last point equal to the first, or not: the closing edge is implied).
inline bool point_in_ring(const Ring& ring, const Point& p) {
  bool inside = false;
  if (ring.size() < 3) return false;
  for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++)
    if (ray_crosses(ring[i], ring[j], p)) inside = !inside;
  return inside;
}

/// Inside the outer ring and in none of the holes.
inline bool point_in_polygon(const Polygon& polygon, const Point& p) {
  if (!point_in_ring(polygon.outer, p)) return false;
  for (const Ring& hole : polygon.holes)
    if (point_in_ring(hole, p)) return false;
  return true;
}

/// Inside any of the parts (parts do not overlap in valid input).
inline bool point_in_polygon(const MultiPolygon& shape, const Point& p) {
  for (const Polygon& polygon : shape)
    if (point_in_polygon(polygon, p)) return true;
  return false;
}

}  // namespace gp
