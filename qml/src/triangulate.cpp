#include "triangulate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gp::studio {
namespace {

struct V {
  double x, y;
  std::uint32_t out;  // output vertex index
};

double cross(const V& a, const V& b, const V& c) {
  return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

// Ring without the closing point and without consecutive duplicates.
std::vector<Point> open_ring(const Ring& ring) {
  std::vector<Point> out;
  out.reserve(ring.size());
  for (const Point& p : ring)
    if (out.empty() || !(out.back() == p)) out.push_back(p);
  while (out.size() > 1 && out.front() == out.back()) out.pop_back();
  return out;
}

double ring_area(const std::vector<Point>& r) {
  double a = 0.0;
  for (std::size_t i = 0, j = r.size() - 1; i < r.size(); j = i++)
    a += (r[j].x - r[i].x) * (r[j].y + r[i].y);
  return a * 0.5;  // positive when counter-clockwise
}

bool inside_triangle(const V& a, const V& b, const V& c, const V& p) {
  // Counter-clockwise triangle; points on an edge count as inside (conservative for ears).
  return cross(a, b, p) >= 0.0 && cross(b, c, p) >= 0.0 && cross(c, a, p) >= 0.0;
}

// Joins `hole` (clockwise) into `outer` (counter-clockwise) through a bridge from the hole's
// rightmost vertex to a visible vertex of `outer` (the classic ray-cast construction).
void bridge_hole(std::vector<V>& outer, const std::vector<V>& hole) {
  std::size_t hi = 0;
  for (std::size_t i = 1; i < hole.size(); ++i)
    if (hole[i].x > hole[hi].x) hi = i;
  const V m = hole[hi];
  // Nearest intersection of the ray y = m.y, x ≥ m.x with an outer edge.
  double best_x = std::numeric_limits<double>::infinity();
  std::size_t best = outer.size();
  for (std::size_t i = 0; i < outer.size(); ++i) {
    const V& a = outer[i];
    const V& b = outer[(i + 1) % outer.size()];
    if ((a.y > m.y) == (b.y > m.y) && a.y != m.y && b.y != m.y) continue;
    if (a.y == b.y) {
      if (a.y != m.y) continue;
      const double x = std::min(a.x, b.x);
      if (x >= m.x && x < best_x) {
        best_x = x;
        best = a.x < b.x ? i : (i + 1) % outer.size();
      }
      continue;
    }
    const double x = a.x + (m.y - a.y) * (b.x - a.x) / (b.y - a.y);
    if (x < m.x || x >= best_x) continue;
    best_x = x;
    best = a.x > b.x ? i : (i + 1) % outer.size();
  }
  if (best == outer.size()) return;  // hole outside the outer ring: ignore it
  // A reflex vertex inside the triangle (m, intersection, candidate) may block the view; take
  // the one with the smallest angle to the ray.
  const V hit{best_x, m.y, 0};
  const V cand = outer[best];
  double best_angle = std::numeric_limits<double>::infinity();
  if (!(cand.x == hit.x && cand.y == hit.y)) {
    const V t0 = m, t1 = cand.y < m.y ? cand : hit, t2 = cand.y < m.y ? hit : cand;
    for (std::size_t i = 0; i < outer.size(); ++i) {
      const V& p = outer[i];
      if (i == best || p.x < m.x) continue;
      if (!inside_triangle(t0, t1, t2, p)) continue;
      const V& prev = outer[(i + outer.size() - 1) % outer.size()];
      const V& next = outer[(i + 1) % outer.size()];
      if (cross(prev, p, next) > 0.0) continue;  // convex: cannot block
      const double angle = std::abs(std::atan2(p.y - m.y, p.x - m.x));
      if (angle < best_angle || (angle == best_angle && p.x < outer[best].x)) {
        best_angle = angle;
        best = i;
      }
    }
  }
  std::vector<V> merged;
  merged.reserve(outer.size() + hole.size() + 2);
  merged.insert(merged.end(), outer.begin(), outer.begin() + static_cast<std::ptrdiff_t>(best) + 1);
  for (std::size_t k = 0; k <= hole.size(); ++k) merged.push_back(hole[(hi + k) % hole.size()]);
  merged.push_back(outer[best]);
  merged.insert(merged.end(), outer.begin() + static_cast<std::ptrdiff_t>(best) + 1, outer.end());
  outer.swap(merged);
}

}  // namespace

std::size_t triangulate(const Polygon& polygon, const Point& origin, std::vector<float>& out_xy,
                        std::vector<std::uint32_t>& out_indices) {
  std::vector<Point> outer_pts = open_ring(polygon.outer);
  if (outer_pts.size() < 3) return 0;
  const double outer_area = ring_area(outer_pts);
  if (outer_area == 0.0) return 0;
  if (outer_area < 0.0) std::reverse(outer_pts.begin(), outer_pts.end());

  auto emit = [&](const Point& p) {
    const auto index = static_cast<std::uint32_t>(out_xy.size() / 2);
    out_xy.push_back(static_cast<float>(p.x - origin.x));
    out_xy.push_back(static_cast<float>(p.y - origin.y));
    return index;
  };
  // Work in coordinates relative to the origin (doubles) for well-conditioned cross products.
  auto make = [&](const Point& p) { return V{p.x - origin.x, p.y - origin.y, emit(p)}; };
  std::vector<V> poly;
  poly.reserve(outer_pts.size());
  for (const Point& p : outer_pts) poly.push_back(make(p));

  std::vector<std::vector<V>> holes;
  for (const Ring& ring : polygon.holes) {
    std::vector<Point> pts = open_ring(ring);
    if (pts.size() < 3) continue;
    const double a = ring_area(pts);
    if (a == 0.0) continue;
    if (a > 0.0) std::reverse(pts.begin(), pts.end());  // holes clockwise
    std::vector<V> hole;
    for (const Point& p : pts) hole.push_back(make(p));
    holes.push_back(std::move(hole));
  }
  std::sort(holes.begin(), holes.end(), [](const std::vector<V>& a, const std::vector<V>& b) {
    auto max_x = [](const std::vector<V>& r) {
      double x = -std::numeric_limits<double>::infinity();
      for (const V& v : r) x = std::max(x, v.x);
      return x;
    };
    return max_x(a) > max_x(b);
  });
  for (const auto& hole : holes) bridge_hole(poly, hole);

  // Ear clipping over a circular doubly linked list.
  const std::size_t n = poly.size();
  std::vector<std::size_t> prev(n), next(n);
  for (std::size_t i = 0; i < n; ++i) {
    prev[i] = (i + n - 1) % n;
    next[i] = (i + 1) % n;
  }
  std::size_t triangles = 0;
  std::size_t remaining = n;
  std::size_t i = 0;
  std::size_t stall = 0;
  auto same = [](const V& a, const V& b) { return a.x == b.x && a.y == b.y; };
  while (remaining > 3) {
    const std::size_t a = prev[i], c = next[i];
    const V &pa = poly[a], &pb = poly[i], &pc = poly[c];
    bool ear = cross(pa, pb, pc) > 0.0;
    if (ear) {
      // No other vertex of the remaining polygon inside the candidate ear.
      for (std::size_t k = next[c]; k != a; k = next[k]) {
        const V& p = poly[k];
        if (same(p, pa) || same(p, pb) || same(p, pc)) continue;
        if (inside_triangle(pa, pb, pc, p)) {
          ear = false;
          break;
        }
      }
    }
    if (ear || stall > remaining) {
      // stall > remaining: numerically stuck (self-touching input); clip anyway to finish.
      if (cross(pa, pb, pc) != 0.0) {
        out_indices.insert(out_indices.end(), {pa.out, pb.out, pc.out});
        ++triangles;
      }
      next[a] = c;
      prev[c] = a;
      --remaining;
      stall = 0;
      i = c;
    } else {
      ++stall;
      i = next[i];
    }
  }
  const V &pa = poly[prev[i]], &pb = poly[i], &pc = poly[next[i]];
  if (cross(pa, pb, pc) != 0.0) {
    if (cross(pa, pb, pc) > 0.0)
      out_indices.insert(out_indices.end(), {pa.out, pb.out, pc.out});
    else
      out_indices.insert(out_indices.end(), {pa.out, pc.out, pb.out});
    ++triangles;
  }
  return triangles;
}

}  // namespace gp::studio
