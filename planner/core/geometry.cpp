#include "planner/core/geometry.hpp"

#include <numbers>

namespace gp {

double signed_area(const Ring& ring) {
  if (ring.size() < 3) return 0.0;
  // Shift to the first vertex so large projected coordinates (≈ 10⁶ m) keep their precision.
  const Point origin = ring.front();
  double twice = 0.0;
  for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
    const double ax = ring[i].x - origin.x, ay = ring[i].y - origin.y;
    const double bx = ring[i + 1].x - origin.x, by = ring[i + 1].y - origin.y;
    twice += ax * by - bx * ay;
  }
  return twice / 2.0;
}

double area(const Polygon& polygon) {
  double a = std::abs(signed_area(polygon.outer));
  for (const Ring& hole : polygon.holes) a -= std::abs(signed_area(hole));
  return a;
}

double area(const MultiPolygon& multipolygon) {
  double a = 0.0;
  for (const Polygon& p : multipolygon) a += area(p);
  return a;
}

double length(const LineString& line) {
  double l = 0.0;
  for (std::size_t i = 0; i + 1 < line.size(); ++i)
    l += std::hypot(line[i + 1].x - line[i].x, line[i + 1].y - line[i].y);
  return l;
}

double perimeter(const Polygon& polygon) {
  double p = length(polygon.outer);
  for (const Ring& hole : polygon.holes) p += length(hole);
  return p;
}

double perimeter(const MultiPolygon& multipolygon) {
  double p = 0.0;
  for (const Polygon& poly : multipolygon) p += perimeter(poly);
  return p;
}

Point centroid(const MultiPolygon& multipolygon) {
  double sum_a = 0.0, sum_x = 0.0, sum_y = 0.0;
  double mean_x = 0.0, mean_y = 0.0;
  std::size_t n = 0;
  bool have_origin = false;
  Point origin;
  auto accumulate_ring = [&](const Ring& ring, double sign) {
    if (ring.size() < 3) return;
    for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
      const double ax = ring[i].x - origin.x, ay = ring[i].y - origin.y;
      const double bx = ring[i + 1].x - origin.x, by = ring[i + 1].y - origin.y;
      const double cross = ax * by - bx * ay;
      sum_a += sign * cross;
      sum_x += sign * (ax + bx) * cross;
      sum_y += sign * (ay + by) * cross;
    }
  };
  for (const Polygon& poly : multipolygon) {
    for (const Point& p : poly.outer) {
      if (!have_origin) {
        origin = p;
        have_origin = true;
      }
      mean_x += p.x - origin.x;
      mean_y += p.y - origin.y;
      ++n;
    }
  }
  if (n == 0) return {};
  for (const Polygon& poly : multipolygon) {
    // Orientation-independent: outer counts positive, holes negative.
    const double outer_sign = signed_area(poly.outer) >= 0 ? 1.0 : -1.0;
    accumulate_ring(poly.outer, outer_sign);
    for (const Ring& hole : poly.holes) accumulate_ring(hole, signed_area(hole) >= 0 ? -1.0 : 1.0);
  }
  if (std::abs(sum_a) < 1e-12)
    return {origin.x + mean_x / double(n), origin.y + mean_y / double(n)};
  return {origin.x + sum_x / (3.0 * sum_a), origin.y + sum_y / (3.0 * sum_a)};
}

Box bounds(const MultiPolygon& multipolygon) {
  Box b;
  for (const Polygon& p : multipolygon)
    for (const Point& pt : p.outer) b.expand(pt);
  return b;
}

Box bounds(const LineString& line) {
  Box b;
  for (const Point& pt : line) b.expand(pt);
  return b;
}

double polsby_popper(double area_m2, double perimeter_m) {
  if (perimeter_m <= 0.0) return 0.0;
  return 4.0 * std::numbers::pi * area_m2 / (perimeter_m * perimeter_m);
}

}  // namespace gp
