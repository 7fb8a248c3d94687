#pragma once
// Plain geometry values shared by every module. Coordinates are metres in the dataset's
// projected CRS (see Dataset::crs) unless a function says otherwise. No GEOS, no GDAL here:
// the geo module converts these to GEOS geometries where real geometry work is needed.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace gp {

struct Point {
  double x = 0.0;  // easting, metres
  double y = 0.0;  // northing, metres
  friend bool operator==(const Point&, const Point&) = default;
};

/// A closed ring: first point equals last point. Exterior rings are counter-clockwise after
/// geo::normalise(); readers do not guarantee orientation.
using Ring = std::vector<Point>;

struct Polygon {
  Ring outer;
  std::vector<Ring> holes;
};

using MultiPolygon = std::vector<Polygon>;
using LineString = std::vector<Point>;

struct Box {
  double min_x = INFINITY, min_y = INFINITY, max_x = -INFINITY, max_y = -INFINITY;
  void expand(const Point& p) {
    min_x = std::min(min_x, p.x);
    min_y = std::min(min_y, p.y);
    max_x = std::max(max_x, p.x);
    max_y = std::max(max_y, p.y);
  }
  void expand(const Box& b) {
    min_x = std::min(min_x, b.min_x);
    min_y = std::min(min_y, b.min_y);
    max_x = std::max(max_x, b.max_x);
    max_y = std::max(max_y, b.max_y);
  }
  [[nodiscard]] bool empty() const { return min_x > max_x; }
  [[nodiscard]] double width() const { return empty() ? 0.0 : max_x - min_x; }
  [[nodiscard]] double height() const { return empty() ? 0.0 : max_y - min_y; }
};

/// The bounding box of the segment a-b.
inline Box segment_box(const Point& a, const Point& b) {
  Box box;
  box.expand(a);
  box.expand(b);
  return box;
}

/// Signed area of a ring by the shoelace formula (m², positive when counter-clockwise).
double signed_area(const Ring& ring);
/// Area of a polygon: |outer| − Σ|holes| (m²). Assumes a valid polygon.
double area(const Polygon& polygon);
double area(const MultiPolygon& multipolygon);
/// Perimeter including holes (m).
double perimeter(const Polygon& polygon);
double perimeter(const MultiPolygon& multipolygon);
double length(const LineString& line);
/// Area-weighted centroid; for a degenerate (zero-area) shape the mean of its vertices.
Point centroid(const MultiPolygon& multipolygon);
Box bounds(const MultiPolygon& multipolygon);
Box bounds(const LineString& line);
/// Polsby-Popper compactness 4πA/P² in [0, 1]; 0 for an empty shape.
double polsby_popper(double area_m2, double perimeter_m);

/// Euclidean distance (metres) from `p` to the closed segment from `a` to `b` (a point when
/// a == b). The one point-to-segment distance of the engine: the tessellation's noding and
/// sites and near_outline use it.
inline double distance_to_segment(const Point& p, const Point& a, const Point& b) {
  const double ex = b.x - a.x;
  const double ey = b.y - a.y;
  const double length2 = ex * ex + ey * ey;
  double t = length2 > 0.0 ? ((p.x - a.x) * ex + (p.y - a.y) * ey) / length2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  return std::hypot(p.x - (a.x + t * ex), p.y - (a.y + t * ey));
}

/// Whether `p` lies within `reach` metres of an edge of any ring of `shape` (outer rings and
/// holes; rings are closed). The existing plan's near-edge test, the tessellation's shared-wall
/// and footprint-corner tests.
inline bool near_outline(const MultiPolygon& shape, const Point& p, double reach) {
  auto ring_near = [&](const Ring& ring) {
    for (std::size_t k = 0; k + 1 < ring.size(); ++k)
      if (distance_to_segment(p, ring[k], ring[k + 1]) <= reach) return true;
    return false;
  };
  for (const Polygon& polygon : shape) {
    if (ring_near(polygon.outer)) return true;
    for (const Ring& hole : polygon.holes)
      if (ring_near(hole)) return true;
  }
  return false;
}

}  // namespace gp
