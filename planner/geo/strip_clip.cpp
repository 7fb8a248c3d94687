#include "planner/geo/strip_clip.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

namespace gp::geo {
namespace {

std::atomic<std::size_t> g_fallbacks{0};
std::atomic<std::size_t> g_clips{0};

/// Twice the signed area of a ring (without its closing vertex), about `origin`: coordinates
/// taken relative to a point near the shape, so projected coordinates (10⁶ m) lose no digits.
double twice_area(const std::vector<Point>& ring, const Point& origin) {
  double sum = 0.0;
  const std::size_t n = ring.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Point& a = ring[i];
    const Point& b = ring[(i + 1) % n];
    sum += (a.x - origin.x) * (b.y - origin.y) - (b.x - origin.x) * (a.y - origin.y);
  }
  return sum;
}

/// Whether p lies inside the ring (even-odd crossing rule); p is never on it here.
bool inside_ring(const Point& p, const std::vector<Point>& ring) {
  bool in = false;
  const std::size_t n = ring.size();
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    const Point& a = ring[i];
    const Point& b = ring[j];
    if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) in = !in;
  }
  return in;
}

}  // namespace

std::size_t strip_clip_fallbacks() {
  return g_fallbacks.load();
}

std::size_t strip_clips_made() {
  return g_clips.load();
}

void count_strip_clip(bool fallback) {
  g_clips.fetch_add(1, std::memory_order_relaxed);
  if (fallback) g_fallbacks.fetch_add(1, std::memory_order_relaxed);
}

StripShape::StripShape(const MultiPolygon& shape, const Point& along) : along_(along) {
  Point origin{0.0, 0.0};
  for (const Polygon& polygon : shape)
    if (!polygon.outer.empty()) {
      origin = polygon.outer.front();
      break;
    }
  auto add = [&](const Ring& ring, bool hole) {
    RingData data;
    data.hole = hole;
    data.points.assign(ring.begin(), ring.end());
    if (data.points.size() > 1 && data.points.front() == data.points.back()) data.points.pop_back();
    if (data.points.size() < 3) {
      // A ring of no area: the walk below cannot orient it; every clip is left to GEOS.
      touches_.push_back(-std::numeric_limits<double>::infinity());
      touches_.push_back(std::numeric_limits<double>::infinity());
      return;
    }
    const double a = twice_area(data.points, origin);
    if (a == 0.0) {
      touches_.push_back(-std::numeric_limits<double>::infinity());
      touches_.push_back(std::numeric_limits<double>::infinity());
    }
    if ((a < 0.0) != hole) std::reverse(data.points.begin(), data.points.end());
    data.t.reserve(data.points.size());
    for (const Point& p : data.points) data.t.push_back(p.x * along.x + p.y * along.y);
    rings_.push_back(std::move(data));
  };
  for (const Polygon& polygon : shape) {
    add(polygon.outer, false);
    for (const Ring& hole : polygon.holes) add(hole, true);
  }
  // Places where the rings touch (a vertex within the tolerance of an edge not ending at it,
  // of any ring): a pinch there is one polygon to the ring walk and may be two to GEOS.
  const double tol2 = kStripClipTolerance * kStripClipTolerance;
  for (std::size_t r = 0; r < rings_.size(); ++r) {
    const RingData& vr = rings_[r];
    for (std::size_t i = 0; i < vr.points.size(); ++i) {
      const Point& p = vr.points[i];
      bool touch = false;
      for (std::size_t q = 0; q < rings_.size() && !touch; ++q) {
        const RingData& er = rings_[q];
        const std::size_t n = er.points.size();
        for (std::size_t k = 0; k < n; ++k) {
          const std::size_t k1 = (k + 1) % n;
          if (q == r && (k == i || k1 == i)) continue;
          const Point& a = er.points[k];
          const Point& b = er.points[k1];
          const double dx = b.x - a.x, dy = b.y - a.y;
          // Box test first: most edges are far.
          if (p.x < std::min(a.x, b.x) - kStripClipTolerance ||
              p.x > std::max(a.x, b.x) + kStripClipTolerance ||
              p.y < std::min(a.y, b.y) - kStripClipTolerance ||
              p.y > std::max(a.y, b.y) + kStripClipTolerance)
            continue;
          const double length2 = dx * dx + dy * dy;
          double f = length2 > 0.0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2 : 0.0;
          f = std::clamp(f, 0.0, 1.0);
          const double ex = a.x + f * dx - p.x, ey = a.y + f * dy - p.y;
          if (ex * ex + ey * ey < tol2) {
            touch = true;
            break;
          }
        }
      }
      if (touch) touches_.push_back(vr.t[i]);
    }
  }
  std::sort(touches_.begin(), touches_.end());
}

std::optional<MultiPolygon> StripShape::clip(double t0, double t1) const {
  const double tol = kStripClipTolerance;
  // A touch inside the closed strip (or near it): not decided here.
  {
    const auto it = std::lower_bound(touches_.begin(), touches_.end(), t0 - tol);
    if (it != touches_.end() && *it <= t1 + tol) return std::nullopt;
  }
  const Point across{-along_.y, along_.x};
  struct Chain {
    std::vector<Point> points;
    int next = -1;
    bool visited = false;
  };
  struct Event {
    double s;
    int chain;
    bool entry;
  };
  std::vector<Chain> chains;
  std::vector<Event> events[2];  // on t = t0, on t = t1
  std::vector<std::vector<Point>> whole_outer, whole_holes;
  Point origin{0.0, 0.0};
  bool have_origin = false;

  for (const RingData& ring : rings_) {
    const std::size_t n = ring.points.size();
    if (!have_origin) {
      origin = ring.points.front();
      have_origin = true;
    }
    std::vector<signed char> side(n);
    std::size_t start = n;
    for (std::size_t i = 0; i < n; ++i) {
      const double t = ring.t[i];
      if (std::abs(t - t0) < tol || std::abs(t - t1) < tol) return std::nullopt;
      side[i] = t < t0 ? -1 : t > t1 ? 1 : 0;
      if (side[i] != 0 && start == n) start = i;
    }
    if (start == n) {  // the whole ring inside the strip
      (ring.hole ? whole_holes : whole_outer).push_back(ring.points);
      continue;
    }
    // Walk from a vertex outside the strip: every chain inside it starts at an entry and ends
    // at an exit.
    auto crossing = [&](std::size_t i, std::size_t j, double t) {
      const Point& a = ring.points[i];
      const Point& b = ring.points[j];
      const double f = (t - ring.t[i]) / (ring.t[j] - ring.t[i]);
      return Point{a.x + f * (b.x - a.x), a.y + f * (b.y - a.y)};
    };
    auto line_t = [&](signed char s) { return s < 0 ? t0 : t1; };
    auto add_event = [&](signed char s, const Point& p, int chain, bool entry) {
      events[s < 0 ? 0 : 1].push_back({p.x * across.x + p.y * across.y, chain, entry});
    };
    for (std::size_t step = 0; step < n; ++step) {
      const std::size_t i = (start + step) % n, j = (i + 1) % n;
      const signed char sa = side[i], sb = side[j];
      if (sa != 0 && sb == 0) {
        const Point p = crossing(i, j, line_t(sa));
        chains.push_back({{p, ring.points[j]}});
        add_event(sa, p, static_cast<int>(chains.size()) - 1, true);
      } else if (sa == 0 && sb == 0) {
        chains.back().points.push_back(ring.points[j]);
      } else if (sa == 0 && sb != 0) {
        const Point p = crossing(i, j, line_t(sb));
        chains.back().points.push_back(p);
        add_event(sb, p, static_cast<int>(chains.size()) - 1, false);
      } else if (sa != sb) {  // across the whole strip
        const Point p = crossing(i, j, line_t(sa)), q = crossing(i, j, line_t(sb));
        chains.push_back({{p, q}});
        add_event(sa, p, static_cast<int>(chains.size()) - 1, true);
        add_event(sb, q, static_cast<int>(chains.size()) - 1, false);
      }
    }
  }
  // Along each line the crossings alternate out of and into the shape (even-odd): the boundary
  // of the clip runs along the line between an exit and the entry paired with it.
  for (std::vector<Event>& line : events) {
    if (line.size() % 2 != 0) return std::nullopt;
    std::sort(line.begin(), line.end(), [](const Event& l, const Event& r) { return l.s < r.s; });
    for (std::size_t k = 0; k + 1 < line.size(); ++k)
      if (line[k + 1].s - line[k].s < tol) return std::nullopt;
    for (std::size_t k = 0; k < line.size(); k += 2) {
      const Event& a = line[k];
      const Event& b = line[k + 1];
      if (a.entry == b.entry) return std::nullopt;
      const Event& exit = a.entry ? b : a;
      const Event& entry = a.entry ? a : b;
      if (chains[static_cast<std::size_t>(exit.chain)].next != -1) return std::nullopt;
      chains[static_cast<std::size_t>(exit.chain)].next = entry.chain;
    }
  }
  // Cycles: chains joined along the lines (outer boundaries: a hole of the clip cannot reach
  // a line, the land beyond the line being outside it), and whole rings inside the strip.
  struct Cycle {
    std::vector<Point> points;
    double area2;
  };
  std::vector<Cycle> outers, holes;
  for (std::size_t c = 0; c < chains.size(); ++c) {
    if (chains[c].visited) continue;
    Cycle cycle;
    std::size_t k = c;
    while (!chains[k].visited) {
      chains[k].visited = true;
      cycle.points.insert(cycle.points.end(), chains[k].points.begin(), chains[k].points.end());
      if (chains[k].next < 0) return std::nullopt;
      k = static_cast<std::size_t>(chains[k].next);
    }
    if (k != c) return std::nullopt;  // joined into another cycle's middle: not a valid walk
    cycle.area2 = twice_area(cycle.points, origin);
    if (!(cycle.area2 > 0.0)) return std::nullopt;
    outers.push_back(std::move(cycle));
  }
  for (std::vector<Point>& ring : whole_outer) {
    const double a = twice_area(ring, origin);
    outers.push_back({std::move(ring), a});
  }
  for (std::vector<Point>& ring : whole_holes) {
    const double a = twice_area(ring, origin);
    holes.push_back({std::move(ring), a});
  }
  MultiPolygon result(outers.size());
  for (std::size_t i = 0; i < outers.size(); ++i) {
    result[i].outer = outers[i].points;
    result[i].outer.push_back(outers[i].points.front());
  }
  // Each hole goes to the smallest outer boundary around it (a part of the shape can lie in
  // another part's hole).
  for (const Cycle& hole : holes) {
    std::size_t best = outers.size();
    for (std::size_t i = 0; i < outers.size(); ++i)
      if (inside_ring(hole.points.front(), outers[i].points) &&
          (best == outers.size() || outers[i].area2 < outers[best].area2))
        best = i;
    if (best == outers.size()) return std::nullopt;
    Ring ring = hole.points;
    ring.push_back(hole.points.front());
    result[best].holes.push_back(std::move(ring));
  }
  return result;
}

double polygon_area(const Polygon& polygon) {
  if (polygon.outer.empty()) return 0.0;
  const Point origin = polygon.outer.front();
  auto ring_area = [&](const Ring& ring) {
    std::vector<Point> points(ring.begin(), ring.end());
    if (points.size() > 1 && points.front() == points.back()) points.pop_back();
    return std::abs(0.5 * twice_area(points, origin));
  };
  double result = ring_area(polygon.outer);
  for (const Ring& hole : polygon.holes) result -= ring_area(hole);
  return result;
}

}  // namespace gp::geo
