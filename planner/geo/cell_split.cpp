#include "planner/geo/cell_split.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <unordered_map>

#include "planner/core/parallel.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/spatial_index.hpp"
#include "planner/geo/strip_clip.hpp"

namespace gp::geo {
namespace {

/// Precision grid of union_polygons (m): far below any length that matters in a plan, far
/// above the rounding error of computed intersections at projected coordinates (~10⁻⁹ m).
constexpr double kUnionGridM = 1e-6;

/// Unit vector along the longer side of the footprint's minimum rotated rectangle; (1, 0) for
/// a degenerate footprint.
Point long_axis(GeosContext& ctx, const GEOSGeometry* footprint) {
  GeomPtr rectangle =
      own(ctx, GEOSMinimumRotatedRectangle_r(ctx.handle(), footprint), "minimum rectangle");
  const MultiPolygon shape = to_multipolygon(ctx, rectangle.get());
  if (shape.empty() || shape.front().outer.size() < 4) return {1.0, 0.0};
  const Ring& ring = shape.front().outer;
  const Point a{ring[1].x - ring[0].x, ring[1].y - ring[0].y};
  const Point b{ring[2].x - ring[1].x, ring[2].y - ring[1].y};
  const double la = std::hypot(a.x, a.y), lb = std::hypot(b.x, b.y);
  if (std::max(la, lb) <= 0.0) return {1.0, 0.0};
  return la >= lb ? Point{a.x / la, a.y / la} : Point{b.x / lb, b.y / lb};
}

/// Area (m²) of the part of `shape` where p·along ≤ t: each ring clipped to the half-plane
/// (Sutherland–Hodgman; on a non-convex ring the clipped ring may run back along the cut line,
/// which adds no area, so the signed area stays exact).
///
/// `along_of`: every ring's vertices' p·along, in shape order (outer, then holes, per polygon),
/// computed once per axis by area_cuts (round 13: the bisection recomputed them at each of its
/// steps); p·along − t is then the same bits as before.
double area_before(const MultiPolygon& shape, const std::vector<std::vector<double>>& along_of,
                   double t) {
  // The clipped ring's signed area summed as its vertices come, without the ring: the same
  // terms in the same order as signed_area of the ring closed on its first vertex (origin that
  // vertex), so the same bits (issue 14 item 2: the bisection of area_cuts calls this 60 times
  // per cut, and the ring's allocations were a third of it).
  auto clipped_area = [&](const Ring& ring, const std::vector<double>& projection) {
    std::size_t count = 0;
    Point origin{0.0, 0.0}, previous{0.0, 0.0};
    double twice = 0.0;
    auto emit = [&](const Point& q) {
      if (count++ == 0) {
        origin = previous = q;
        return;
      }
      const double ax = previous.x - origin.x, ay = previous.y - origin.y;
      const double bx = q.x - origin.x, by = q.y - origin.y;
      twice += ax * by - bx * ay;
      previous = q;
    };
    const std::size_t n = ring.size();
    for (std::size_t i = 0; i < n; ++i) {
      const Point& a = ring[i];
      const Point& b = ring[(i + 1) % n];
      const double da = projection[i] - t, db = projection[(i + 1) % n] - t;
      if (da <= 0.0) emit(a);
      if ((da < 0.0 && db > 0.0) || (da > 0.0 && db < 0.0)) {
        const double f = da / (da - db);
        emit({a.x + f * (b.x - a.x), a.y + f * (b.y - a.y)});
      }
    }
    if (count < 3) return 0.0;
    emit(origin);  // the closing edge back to the first vertex
    return std::abs(twice / 2.0);
  };
  double total = 0.0;
  std::size_t r = 0;
  for (const Polygon& polygon : shape) {
    total += clipped_area(polygon.outer, along_of[r++]);
    for (const Ring& hole : polygon.holes) total -= clipped_area(hole, along_of[r++]);
  }
  return total;
}

/// The rings' vertices' p·along for area_before (same order, same arithmetic).
std::vector<std::vector<double>> projections_along(const MultiPolygon& shape, const Point& along) {
  std::vector<std::vector<double>> out;
  auto add = [&](const Ring& ring) {
    std::vector<double>& projection = out.emplace_back();
    projection.reserve(ring.size());
    for (const Point& p : ring) projection.push_back(p.x * along.x + p.y * along.y);
  };
  for (const Polygon& polygon : shape) {
    add(polygon.outer);
    for (const Ring& hole : polygon.holes) add(hole);
  }
  return out;
}

/// Positions along `along` (ascending) that divide the area of `shape` in proportion to
/// `weights`: each run of units gets the share of the floor area its units have of the
/// building's (a U-shaped tower's arm holds more flats per metre of the long axis than its
/// base). Bisection to 1 µm or 60 steps.
std::vector<double> area_cuts(const MultiPolygon& shape, const Point& along, double t_min,
                              double t_max, const std::vector<double>& weights) {
  const double total_weight = std::accumulate(weights.begin(), weights.end(), 0.0);
  const std::vector<std::vector<double>> along_of = projections_along(shape, along);
  const double total_area = area_before(shape, along_of, t_max + 1.0);
  std::vector<double> cuts;
  double running = 0.0;
  for (std::size_t j = 0; j + 1 < weights.size(); ++j) {
    running += weights[j];
    const double share = total_weight > 0.0 ? running / total_weight : 0.0;
    double lo = cuts.empty() ? t_min : cuts.back(), hi = t_max;
    if (total_area <= 0.0) {
      cuts.push_back(t_min + (t_max - t_min) * share);
      continue;
    }
    for (int step = 0; step < 60 && hi - lo > 1e-6; ++step) {
      const double mid = 0.5 * (lo + hi);
      (area_before(shape, along_of, mid) < share * total_area ? lo : hi) = mid;
    }
    cuts.push_back(0.5 * (lo + hi));
  }
  return cuts;
}

/// Directions to try as the cut axis, best guess first: the long axis of the footprint's
/// minimum rotated rectangle, its perpendicular, then the directions of the footprint's
/// longest edges (a U- or L-shaped tower's wings), each once (within 2°).
std::vector<Point> axis_candidates(const Point& long_axis_dir, const MultiPolygon& footprint) {
  std::vector<Point> result{long_axis_dir, Point{-long_axis_dir.y, long_axis_dir.x}};
  std::vector<std::pair<double, Point>> edges;  // length, unit direction
  for (const Polygon& polygon : footprint)
    for (std::size_t i = 0; i + 1 < polygon.outer.size(); ++i) {
      const Point d{polygon.outer[i + 1].x - polygon.outer[i].x,
                    polygon.outer[i + 1].y - polygon.outer[i].y};
      const double length = std::hypot(d.x, d.y);
      if (length > 0.0) edges.emplace_back(length, Point{d.x / length, d.y / length});
    }
  std::stable_sort(edges.begin(), edges.end(),
                   [](const auto& l, const auto& r) { return l.first > r.first; });
  const double same = std::cos(2.0 * 3.14159265358979323846 / 180.0);
  for (const auto& [length, d] : edges) {
    if (result.size() >= 6) break;
    for (const Point& candidate : {d, Point{-d.y, d.x}}) {
      const bool known = std::any_of(result.begin(), result.end(), [&](const Point& r) {
        return std::abs(r.x * candidate.x + r.y * candidate.y) >= same;
      });
      if (!known) result.push_back(candidate);
    }
  }
  return result;
}

void fix_orientation(MultiPolygon& shape) {
  for (Polygon& polygon : shape) {
    if (signed_area(polygon.outer) < 0.0) std::reverse(polygon.outer.begin(), polygon.outer.end());
    for (Ring& hole : polygon.holes)
      if (signed_area(hole) > 0.0) std::reverse(hole.begin(), hole.end());
  }
}

/// Whether a straight line across `along` meets `shape` in one interval wherever it meets it
/// (one polygon without holes whose ring's position along `along` rises once and falls once):
/// then every strip of it between two cuts across `along` is one polygon. A footprint's strips
/// are checked this way before GEOS is asked to intersect each one (issue 14: those per-strip
/// overlays were most of the cost of cutting a tower on the real 1M town).
bool monotone_along(const MultiPolygon& shape, const Point& along) {
  if (shape.size() != 1 || !shape.front().holes.empty()) return false;
  const Ring& ring = shape.front().outer;
  const std::size_t n =
      ring.size() > 0 && ring.front() == ring.back() ? ring.size() - 1 : ring.size();
  if (n < 3) return false;
  int sign = 0, first = 0, changes = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Point& a = ring[i];
    const Point& b = ring[(i + 1) % n];
    const double d = (b.x - a.x) * along.x + (b.y - a.y) * along.y;
    const int s = d > 0.0 ? 1 : d < 0.0 ? -1 : 0;
    if (s == 0) continue;  // an edge across the axis: no turn
    if (sign == 0) {
      first = s;
    } else if (s != sign) {
      ++changes;
    }
    sign = s;
  }
  if (sign != 0 && sign != first) ++changes;  // around the ring's start
  return changes == 2;
}

/// Whether a vertex of `shape` lies within `distance` (m) of an edge of it that does not end at
/// that vertex (any ring): only then can snap rounding to the union grid split the polygon at a
/// pinch, so only then is GEOS asked to round it (each rounding sets up a snap-rounding noder:
/// issue 14, a seventh of the cost of cutting towers was the noder's set-up). Two segments
/// that do not cross are nearest at an end of one of them, so a neck narrower than `distance`
/// always has such a vertex.
bool may_pinch(const MultiPolygon& shape, double distance) {
  struct Segment {
    Point a, b;
    Box box;
  };
  std::vector<Segment> segments;
  {
    std::size_t vertices = 0;
    for (const Polygon& polygon : shape) {
      vertices += polygon.outer.size();
      for (const Ring& hole : polygon.holes) vertices += hole.size();
    }
    segments.reserve(vertices);
  }
  for (const Polygon& polygon : shape) {
    auto add = [&](const Ring& ring) {
      for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
        Box box;
        box.expand(ring[k]);
        box.expand(ring[k + 1]);
        box.min_x -= distance;
        box.min_y -= distance;
        box.max_x += distance;
        box.max_y += distance;
        segments.push_back({ring[k], ring[k + 1], box});
      }
    };
    add(polygon.outer);
    for (const Ring& hole : polygon.holes) add(hole);
  }
  const double d2 = distance * distance;
  auto near = [&](const Point& p, const Segment& s) {
    if (p.x < s.box.min_x || p.x > s.box.max_x || p.y < s.box.min_y || p.y > s.box.max_y)
      return false;
    if (p == s.a || p == s.b) return false;
    const double dx = s.b.x - s.a.x, dy = s.b.y - s.a.y;
    const double length2 = dx * dx + dy * dy;
    double t = length2 > 0.0 ? ((p.x - s.a.x) * dx + (p.y - s.a.y) * dy) / length2 : 0.0;
    t = std::clamp(t, 0.0, 1.0);
    const double ex = s.a.x + t * dx - p.x, ey = s.a.y + t * dy - p.y;
    return ex * ex + ey * ey < d2;
  };
  for (const Segment& v : segments)
    if (v.a == v.b) return true;  // a repeated vertex: rounding drops it
  // Few segments (a footprint, a cut cell's piece): every pair. More (a grid's polygon, a
  // hundred vertices on real footprints, thousands on a large grid): a sweep along x, each
  // vertex against the segments whose widened box spans its x (issue 14 item 2: the box index
  // built per polygon and queried per vertex was a tenth of "grid polygons" at real-100000).
  // The same answer either way: the box test is the first test of every pair, and every
  // segment whose box holds the vertex spans its x.
  if (segments.size() <= 16) {
    for (const Segment& v : segments)
      for (const Segment& s : segments)
        if (near(v.a, s)) return true;
    return false;
  }
  std::vector<std::uint32_t> by_min(segments.size()), by_x(segments.size());
  std::iota(by_min.begin(), by_min.end(), 0u);
  std::iota(by_x.begin(), by_x.end(), 0u);
  std::sort(by_min.begin(), by_min.end(), [&](std::uint32_t l, std::uint32_t r) {
    return segments[l].box.min_x < segments[r].box.min_x;
  });
  std::sort(by_x.begin(), by_x.end(),
            [&](std::uint32_t l, std::uint32_t r) { return segments[l].a.x < segments[r].a.x; });
  std::vector<std::uint32_t> active;
  std::size_t next = 0;
  for (const std::uint32_t v : by_x) {
    const Point& p = segments[v].a;
    while (next < by_min.size() && segments[by_min[next]].box.min_x <= p.x)
      active.push_back(by_min[next++]);
    for (std::size_t k = 0; k < active.size();) {
      const Segment& s = segments[active[k]];
      if (s.box.max_x < p.x) {  // left behind: the vertices still to come lie further right
        active[k] = active.back();
        active.pop_back();
        continue;
      }
      if (near(p, s)) return true;
      ++k;
    }
  }
  return false;
}

/// Total length (m) of the edges each pair of `shapes` has in common, shapes that share their
/// vertices exactly (faces of one noded arrangement: an edge between two faces is the same
/// segment in both). Map (i, j), i < j → length.
std::map<std::pair<std::size_t, std::size_t>, double> shared_edge_lengths(
    const std::vector<const MultiPolygon*>& shapes) {
  auto less = [](const Point& p, const Point& q) { return p.x < q.x || (p.x == q.x && p.y < q.y); };
  struct Edge {
    Point a, b;  // a before b
    std::size_t shape;
  };
  std::vector<Edge> edges;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    if (!shapes[i]) continue;
    for (const Polygon& polygon : *shapes[i]) {
      auto add = [&](const Ring& ring) {
        for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
          if (ring[k] == ring[k + 1]) continue;
          const bool forward = less(ring[k], ring[k + 1]);
          edges.push_back({forward ? ring[k] : ring[k + 1], forward ? ring[k + 1] : ring[k], i});
        }
      };
      add(polygon.outer);
      for (const Ring& hole : polygon.holes) add(hole);
    }
  }
  std::sort(edges.begin(), edges.end(), [&](const Edge& l, const Edge& r) {
    if (!(l.a == r.a)) return less(l.a, r.a);
    if (!(l.b == r.b)) return less(l.b, r.b);
    return l.shape < r.shape;
  });
  std::map<std::pair<std::size_t, std::size_t>, double> result;
  for (std::size_t first = 0; first < edges.size();) {
    std::size_t last = first + 1;
    while (last < edges.size() && edges[last].a == edges[first].a &&
           edges[last].b == edges[first].b)
      ++last;
    const double length =
        std::hypot(edges[first].b.x - edges[first].a.x, edges[first].b.y - edges[first].a.y);
    for (std::size_t i = first; i < last; ++i)
      for (std::size_t j = i + 1; j < last; ++j)
        if (edges[i].shape != edges[j].shape)
          result[{std::min(edges[i].shape, edges[j].shape),
                  std::max(edges[i].shape, edges[j].shape)}] += length;
    first = last;
  }
  return result;
}

/// Whether the runs of a cut in proportion to `weights` can lie on different sides of a hard
/// road (CellSides): whether two sides each hold at least half the smallest run's share of the
/// footprint's part in the cell. The cuts divide that part's area in proportion to the weights,
/// so a run's strip lies mostly on a side only if that side holds half of its area: with one
/// side alone holding so much, every run lies mostly on it and the sides change nothing (the
/// cut is made as without them, so plans without such a tower do not move).
bool runs_across_sides(GeosContext& ctx, const GEOSGeometry* footprint_in_cell,
                       const std::vector<MultiPolygon>& sides, const std::vector<double>& weights) {
  if (sides.size() < 2 || !footprint_in_cell || weights.size() < 2) return false;
  double total = 0.0, least = std::numeric_limits<double>::infinity();
  for (double w : weights) {
    total += w;
    if (w > 0.0) least = std::min(least, w);
  }
  double footprint_area = 0.0;
  if (total <= 0.0 || GEOSArea_r(ctx.handle(), footprint_in_cell, &footprint_area) != 1)
    return false;
  // A little under half, so that rounding never hides a run lying exactly half on each side.
  const double enough = 0.49 * least / total * footprint_area;
  int holding = 0;
  for (const MultiPolygon& side : sides) {
    const GeomPtr side_geos = to_geos(ctx, side);
    const GeomPtr common =
        own(ctx, GEOSIntersection_r(ctx.handle(), footprint_in_cell, side_geos.get()),
            "footprint on a side");
    double common_area = 0.0;
    if (GEOSArea_r(ctx.handle(), common.get(), &common_area) == 1 && common_area >= enough)
      ++holding;
  }
  return holding >= 2;
}

/// Test switch (set_split_reference): every step by GEOS overlays as before round 6.
std::atomic<bool> g_reference{false};

/// A cut cell: the pieces, one per run, and whether any came from a piece snap-rounded into
/// lobes (then the pieces match their neighbours only to the union grid).
struct CutCell {
  std::vector<MultiPolygon> pieces;
  bool lobes = false;
  /// Pairs (i < j) of runs whose pieces share an edge (pieces of the arrangement, edge to edge).
  std::vector<std::pair<int, int>> touching;
  /// With sides: the side (index into them) holding most of each run's strip; -1 without.
  std::vector<int> run_side;
};

CutCell cut_cell(const MultiPolygon& cell, const MultiPolygon& footprint,
                 const std::vector<double>& weights,
                 const std::vector<std::vector<const MultiPolygon*>>& beside,
                 const std::vector<MultiPolygon>& sides);

/// The cells cut one weight per unit, by the cell's, the footprint's and the unit count's
/// content (two independent 64-bit hashes of every coordinate's bits): the partition cuts each
/// tower's cell this way to link its neighbours to units (partition/atoms.cpp), the grid
/// polygons stage again for the runs (issue 14: three cuts of each tower, each one noding and
/// dozens of overlays). Released by forget_unit_cuts once the grid polygons are made.
struct CutKey {
  std::uint64_t h1 = 0, h2 = 0;
  std::size_t units = 0;
  bool operator==(const CutKey& o) const { return h1 == o.h1 && h2 == o.h2 && units == o.units; }
};
struct CutKeyHash {
  std::size_t operator()(const CutKey& k) const {
    return static_cast<std::size_t>(k.h1 ^ (k.h2 * 31));
  }
};

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

CutKey cut_key(const MultiPolygon& cell, const MultiPolygon& footprint, std::size_t units,
               const std::vector<MultiPolygon>& sides) {
  CutKey key;
  key.units = units;
  std::uint64_t a = 0x243f6a8885a308d3ULL, b = 0x13198a2e03707344ULL;
  auto value = [&](std::uint64_t v) {
    a = mix(a ^ v);
    b = mix((b + v) * 0x9fb21c651e98df25ULL);
  };
  auto shape = [&](const MultiPolygon& m) {
    value(m.size());
    for (const Polygon& polygon : m) {
      auto ring = [&](const Ring& r) {
        value(r.size());
        for (const Point& p : r) {
          std::uint64_t x = 0, y = 0;
          std::memcpy(&x, &p.x, sizeof x);
          std::memcpy(&y, &p.y, sizeof y);
          value(x);
          value(y);
        }
      };
      ring(polygon.outer);
      value(polygon.holes.size());
      for (const Ring& hole : polygon.holes) ring(hole);
    }
  };
  shape(cell);
  shape(footprint);
  for (const MultiPolygon& side : sides) shape(side);
  key.h1 = a;
  key.h2 = b;
  return key;
}

struct CutCache {
  std::mutex mutex;
  std::unordered_map<CutKey, std::shared_ptr<const CutCell>, CutKeyHash> cuts;
};

CutCache& cut_cache() {
  static CutCache cache;
  return cache;
}

std::shared_ptr<const CutCell> unit_cut(const MultiPolygon& cell, const MultiPolygon& footprint,
                                        std::size_t units, const std::vector<MultiPolygon>& sides) {
  if (g_reference.load())
    return std::make_shared<const CutCell>(
        cut_cell(cell, footprint, std::vector<double>(units, 1.0), {}, sides));
  const CutKey key = cut_key(cell, footprint, units, sides);
  CutCache& cache = cut_cache();
  {
    const std::lock_guard<std::mutex> lock(cache.mutex);
    const auto it = cache.cuts.find(key);
    if (it != cache.cuts.end()) return it->second;
  }
  auto cut = std::make_shared<const CutCell>(
      cut_cell(cell, footprint, std::vector<double>(units, 1.0), {}, sides));
  const std::lock_guard<std::mutex> lock(cache.mutex);
  return cache.cuts.emplace(key, std::move(cut)).first->second;
}
}  // namespace

namespace {

CutCell cut_cell(const MultiPolygon& cell, const MultiPolygon& footprint,
                 const std::vector<double>& weights,
                 const std::vector<std::vector<const MultiPolygon*>>& beside,
                 const std::vector<MultiPolygon>& sides) {
  const std::size_t runs = weights.size();
  if (runs <= 1 || cell.empty()) {
    CutCell result;
    result.pieces.resize(std::max<std::size_t>(runs, 1));
    result.pieces.front() = cell;
    return result;
  }
  const bool reference = g_reference.load();
  thread_local GeosContext ctx;  // called from partitioner worker threads
  const GeomPtr footprint_geos = to_geos(ctx, footprint);

  // The footprint's part inside the cell (all of it, unless another footprint overlaps it or
  // it straddles a barrier; then the whole footprint would put cuts outside the cell and leave
  // runs without a polygon): the cuts divide its area.
  const GeomPtr cell_geos = to_geos(ctx, cell);
  MultiPolygon inside_cell;
  GeomPtr inside_geos =
      own(ctx, GEOSIntersection_r(ctx.handle(), footprint_geos.get(), cell_geos.get()),
          "footprint inside its cell");
  {
    double overlap_area = 0.0;
    if (GEOSArea_r(ctx.handle(), inside_geos.get(), &overlap_area) == 1 && overlap_area > 0.0)
      inside_cell = to_multipolygon(ctx, inside_geos.get());
    // Only the polygonal part (an intersection can add lines and points where they touch).
    inside_geos.reset();
    if (!inside_cell.empty()) inside_geos = to_geos(ctx, inside_cell);
  }
  const MultiPolygon& measured = inside_cell.empty() ? cell : inside_cell;
  const GEOSGeometry* measured_raw = inside_geos ? inside_geos.get() : cell_geos.get();

  // A cut plan: the axis, the extent of the footprint along it, of the cell across it (cuts
  // reach past it), and the cut positions (ascending).
  struct CutPlan {
    Point along, across;
    double t_min = 0.0, t_max = 0.0, s_min = 0.0, s_max = 0.0;
    std::vector<double> cuts;
  };
  auto plan_along = [&](const Point& along) {
    CutPlan plan;
    plan.along = along;
    plan.across = {-along.y, along.x};
    plan.t_min = std::numeric_limits<double>::infinity();
    plan.t_max = -plan.t_min;
    for (const Polygon& polygon : measured)
      for (const Point& p : polygon.outer) {
        const double t = p.x * along.x + p.y * along.y;
        plan.t_min = std::min(plan.t_min, t);
        plan.t_max = std::max(plan.t_max, t);
      }
    plan.s_min = std::numeric_limits<double>::infinity();
    plan.s_max = -plan.s_min;
    for (const Polygon& polygon : cell)
      for (const Point& p : polygon.outer) {
        const double s = p.x * plan.across.x + p.y * plan.across.y;
        plan.s_min = std::min(plan.s_min, s);
        plan.s_max = std::max(plan.s_max, s);
      }
    plan.s_min -= 1.0;
    plan.s_max += 1.0;
    plan.cuts = area_cuts(measured, along, plan.t_min, plan.t_max, weights);
    return plan;
  };
  // Each run's cells beside this one (its grid's other cells that border the cell), 1 cm wider
  // (m) so that edges shared up to rounding count as shared.
  std::vector<std::vector<GeomPtr>> near(runs);
  for (std::size_t j = 0; j < runs && j < beside.size(); ++j)
    for (const MultiPolygon* other : beside[j]) {
      if (!other || other->empty()) continue;
      const GeomPtr g = to_geos(ctx, *other);
      near[j].push_back(own(ctx, GEOSBuffer_r(ctx.handle(), g.get(), 0.01, 2), "cell beside"));
    }
  // Whether a polygonal geometry shares more than 10 cm of boundary with run j's cells beside.
  auto borders_run = [&](const GEOSGeometry* g, std::size_t j) {
    if (near[j].empty()) return false;
    const GeomPtr boundary = own(ctx, GEOSBoundary_r(ctx.handle(), g), "piece boundary");
    for (const GeomPtr& other : near[j]) {
      const GeomPtr common =
          own(ctx, GEOSIntersection_r(ctx.handle(), boundary.get(), other.get()), "border");
      double length = 0.0;
      if (GEOSLength_r(ctx.handle(), common.get(), &length) == 1 && length > 0.1) return true;
    }
    return false;
  };
  // How well a cut plan fits, lower is better: first the polygons beyond one in the runs'
  // strips of the footprint (0: every run's strip is one polygon; straight cuts across a
  // U-shaped tower's long axis put one run in both arms, issue 12, Nanjing large grids …72 and
  // …54 in two pieces), then the runs whose stretch of the cell does not border their grid's
  // cells beside it (which end of the tower the first unit takes: Nanjing micro grid …12002,
  // the first run's strip at the tip away from its grid's other cells).
  auto misfit = [&](const CutPlan& plan) {
    std::pair<int, int> result{0, 0};
    // A footprint whose every cross-section along the axis is one interval has every strip in
    // one polygon: no overlay needed for the first count.
    const bool whole_strips = !reference && monotone_along(measured, plan.along);
    // Otherwise each strip of the footprint by the own clip (strip_clip.hpp: two half-planes,
    // exact for non-convex footprints with holes), GEOS only where it cannot decide (issue 14
    // item 2: the per-strip GEOS intersection was two thirds of "planning grids").
    std::optional<StripShape> strip_shape;
    if (!whole_strips && !reference) strip_shape.emplace(measured, plan.along);
    for (std::size_t j = 0; j < runs; ++j) {
      if (whole_strips && near[j].empty()) continue;
      const double t0 = j == 0 ? plan.t_min - 1.0 : plan.cuts[j - 1];
      const double t1 = j + 1 == runs ? plan.t_max + 1.0 : plan.cuts[j];
      if (t1 <= t0) continue;
      auto corner = [&](double t, double s) {
        return Point{t * plan.along.x + s * plan.across.x, t * plan.along.y + s * plan.across.y};
      };
      const Ring slab_ring{corner(t0, plan.s_min), corner(t1, plan.s_min), corner(t1, plan.s_max),
                           corner(t0, plan.s_max), corner(t0, plan.s_min)};
      GeomPtr slab_geos;
      auto slab = [&]() -> const GEOSGeometry* {
        if (!slab_geos) slab_geos = to_geos(ctx, MultiPolygon{Polygon{slab_ring, {}}});
        return slab_geos.get();
      };
      int own_parts = -1;  // the own clip's count; -1: undecided
      if (strip_shape) {
        if (const std::optional<MultiPolygon> clipped = strip_shape->clip(t0, t1)) {
          own_parts = 0;
          for (const Polygon& polygon : *clipped) {
            const double part_area = polygon_area(polygon);
            // Within rounding of the 1 mm² threshold below: GEOS's area decides.
            if (std::abs(part_area - 1e-6) < 1e-8) {
              own_parts = -1;
              break;
            }
            if (part_area > 1e-6) ++own_parts;
          }
        }
        count_strip_clip(own_parts < 0);
      }
      if (own_parts >= 0) {
        result.first += std::max(own_parts - 1, 0);
      } else if (!whole_strips) {
        const GeomPtr strip = own(ctx, GEOSIntersection_r(ctx.handle(), measured_raw, slab()),
                                  "strip of the footprint");
        int parts = 0;
        const int n = GEOSGetNumGeometries_r(ctx.handle(), strip.get());
        for (int i = 0; i < n; ++i) {
          double part_area = 0.0;
          if (GEOSArea_r(ctx.handle(), GEOSGetGeometryN_r(ctx.handle(), strip.get(), i),
                         &part_area) == 1 &&
              part_area > 1e-6)  // m²: a touch along the cut line is no piece
            ++parts;
        }
        result.first += std::max(parts - 1, 0);
      }
      if (!near[j].empty()) {
        const GeomPtr stretch = own(ctx, GEOSIntersection_r(ctx.handle(), cell_geos.get(), slab()),
                                    "stretch of the cell");
        if (!borders_run(stretch.get(), j)) ++result.second;
      }
    }
    return result;
  };
  // The first axis and direction that fits (strips whole, every run beside its grid); else the
  // best (detached parts are then joined to a neighbouring run below).
  CutPlan chosen;
  std::pair<int, int> chosen_misfit{std::numeric_limits<int>::max(), 0};
  for (const Point& axis : axis_candidates(long_axis(ctx, footprint_geos.get()), measured)) {
    for (const Point& along : {axis, Point{-axis.x, -axis.y}}) {
      CutPlan plan = plan_along(along);
      const std::pair<int, int> score = misfit(plan);
      if (score < chosen_misfit) {
        chosen = std::move(plan);
        chosen_misfit = score;
      }
      if (score == std::pair<int, int>{0, 0}) break;
    }
    if (chosen_misfit == std::pair<int, int>{0, 0}) break;
  }
  const Point along = chosen.along, across = chosen.across;
  auto t_of = [&](const Point& p) { return p.x * along.x + p.y * along.y; };
  const double s_min = chosen.s_min, s_max = chosen.s_max;
  const std::vector<double>& cuts = chosen.cuts;

  // Cell boundary + cuts, noded together and polygonized: one arrangement.
  std::vector<GEOSGeometry*> lines;
  lines.push_back(GEOSBoundary_r(ctx.handle(), cell_geos.get()));
  for (const double t : cuts) {
    const LineString cut{{t * along.x + s_min * across.x, t * along.y + s_min * across.y},
                         {t * along.x + s_max * across.x, t * along.y + s_max * across.y}};
    lines.push_back(to_geos(ctx, cut).release());
  }
  // The footprint's outline too: runs after the first take their strip of the footprint only,
  // and the first run — the one holding the cell, whose grid holds the building's neighbours —
  // keeps the rest of the cell, so it touches every neighbouring cell (issue 12: with strips
  // across the whole cell, the first run's grid lay in two pieces when its other buildings
  // touched the cell beyond the first strip).
  if (inside_geos) lines.push_back(GEOSBoundary_r(ctx.handle(), inside_geos.get()));
  // A cell in several hard faces (a tower standing across a hard road): the sides' edges too,
  // so that every piece lies on one side (docs/decisions/0008-polygon-truth.md, "A split tower
  // across a hard road").
  // Only where a run's strip can lie mostly on a side other than the others' (runs_across_sides);
  // else the cut is exactly what it was without sides.
  const std::size_t side_count =
      runs_across_sides(ctx, inside_geos.get(), sides, weights) ? sides.size() : 0;
  std::vector<GeomPtr> side_geos;
  std::vector<PreparedPtr> side_prepared;
  for (std::size_t s = 0; s < side_count; ++s) {
    side_geos.push_back(to_geos(ctx, sides[s]));
    lines.push_back(GEOSBoundary_r(ctx.handle(), side_geos.back().get()));
    side_prepared.emplace_back(GEOSPrepare_r(ctx.handle(), side_geos.back().get()),
                               PreparedDeleter{ctx.handle()});
  }
  if (std::find(lines.begin(), lines.end(), nullptr) != lines.end()) {
    for (GEOSGeometry* g : lines)
      if (g) GEOSGeom_destroy_r(ctx.handle(), g);
    ctx.fail("cell boundary");
  }
  const GeomPtr collection =
      own(ctx,
          GEOSGeom_createCollection_r(ctx.handle(), GEOS_MULTILINESTRING, lines.data(),
                                      static_cast<unsigned>(lines.size())),
          "cut lines");
  // Snap-rounded to the union grid, all lines at once: the pieces then share every vertex
  // exactly, on the grid. Noded exactly, a cut ending a few 10⁻⁷ m from a vertex of the cell
  // gave one piece both points and its neighbour one, and each grid holding a run, rounded on
  // its own (valid_grid_polygon), moved them apart: two runs of one grid met along a 20 m
  // sliver 1 µm wide instead of an edge, and the grid's union came out in two pieces (issue 12,
  // bureau-style data: large grids …336 and …341, towers 318702395 and 442418472).
  const GeomPtr noded =
      own(ctx, GEOSUnaryUnionPrec_r(ctx.handle(), collection.get(), kUnionGridM), "noding cuts");
  const GEOSGeometry* noded_raw = noded.get();
  const GeomPtr pieces =
      own(ctx, GEOSPolygonize_r(ctx.handle(), &noded_raw, 1), "polygonizing the cut cell");
  const PreparedPtr prepared{GEOSPrepare_r(ctx.handle(), cell_geos.get()),
                             PreparedDeleter{ctx.handle()}};
  const PreparedPtr in_footprint{
      inside_geos ? GEOSPrepare_r(ctx.handle(), inside_geos.get()) : nullptr,
      PreparedDeleter{ctx.handle()}};

  // Pieces of the arrangement, each with the run of its stretch along the axis.
  struct Piece {
    GeomPtr geometry;
    std::size_t run;
    double footprint_area;  // m² of the footprint inside the piece
    bool off_footprint;     // a piece of the cell beside the footprint
    bool lobe;              // snap-rounded: its edges match its neighbours' only to 1 µm
    int side;               // the side holding it (-1: no sides)
  };
  std::vector<Piece> kept;
  // A piece pinched to less than the union grid (the tessellation's cell can narrow to
  // nanometres beside a footprint's corner) is one polygon here but two once snap-rounded, as
  // the grid polygons are (union_polygons) and as GIS tools read them back: it is taken as its
  // snap-rounded lobes, so a lobe beyond the pinch joins the run it really borders (issue 12,
  // Nanjing micro grid …8601: an arm of a tower's cell, 152 m², beyond a neck 10⁻⁷ m wide).
  std::vector<GeomPtr> lobes;
  std::vector<char> is_lobe;
  // The point inside each whole piece, found once: a piece that is not split into lobes is
  // asked for it again below, and the answer is the same (issue 14 item 2: GEOSContains_r and
  // GEOSPointOnSurface_r twice per piece were a fifth of the cut's own time).
  std::vector<GeomPtr> inside_of;
  // A point inside a piece. Where the footprint's outline meets the cell's edge at computed
  // points a few ulps off that edge, the edge is not split at each of them and the piece
  // between the outline and the edge comes out with a spike of ~10⁻⁸ m width along the edge;
  // GEOS's point on surface is then the spike's tip, on the cell's boundary, and the piece was
  // dropped as lying outside the cell: land of no grid (real-10000 with communities: a 2.1 m²
  // coverage gap beside a tower whose footprint crosses the community boundary). Such a piece
  // is asked for its point on its snap-rounded form (the spike gone, the body kept).
  //
  // "Contains" by the prepared piece (round 13: GEOSContains_r built the relate's topology
  // graph of the whole piece for one point, a tenth of the cut): for a point both answer
  // "inside the interior" by the same ray-crossing count over exact orientations, so the same
  // answer. The reference switch keeps the plain predicate.
  auto piece_contains = [&](const GEOSGeometry* piece, PreparedPtr& prepared_piece,
                            const GEOSGeometry* point) {
    if (reference) return GEOSContains_r(ctx.handle(), piece, point) == 1;
    if (!prepared_piece) {
      prepared_piece.reset(GEOSPrepare_r(ctx.handle(), piece));
      if (!prepared_piece) ctx.fail("preparing a piece");
    }
    return GEOSPreparedContains_r(ctx.handle(), prepared_piece.get(), point) == 1;
  };
  auto point_inside = [&](const GEOSGeometry* piece) {
    PreparedPtr prepared_piece{nullptr, PreparedDeleter{ctx.handle()}};
    GeomPtr point = own(ctx, GEOSPointOnSurface_r(ctx.handle(), piece), "piece point");
    if (piece_contains(piece, prepared_piece, point.get())) return point;
    const GeomPtr snapped = own(ctx, GEOSGeom_setPrecision_r(ctx.handle(), piece, kUnionGridM, 0),
                                "piece on the union grid");
    if (GEOSisEmpty_r(ctx.handle(), snapped.get()) != 0) return point;
    GeomPtr body = own(ctx, GEOSPointOnSurface_r(ctx.handle(), snapped.get()), "piece point");
    return piece_contains(piece, prepared_piece, body.get()) ? std::move(body) : std::move(point);
  };
  const int count = GEOSGetNumGeometries_r(ctx.handle(), pieces.get());
  for (int i = 0; i < count; ++i) {
    const GEOSGeometry* piece = GEOSGetGeometryN_r(ctx.handle(), pieces.get(), i);
    const GeomPtr inside = point_inside(piece);
    // Rings of holes polygonize into pieces too: keep only pieces inside the cell.
    if (GEOSPreparedContains_r(ctx.handle(), prepared.get(), inside.get()) != 1) continue;
    // Only a piece with a neck near the union grid can round into lobes (3 µm: rounding moves
    // a vertex, and an edge through its pixel, by at most 0.71 µm).
    if (!reference && !may_pinch(to_multipolygon(ctx, piece), 3.0 * kUnionGridM)) {
      lobes.push_back(own(ctx, GEOSGeom_clone_r(ctx.handle(), piece), "piece"));
      is_lobe.push_back(0);
      inside_of.resize(lobes.size());
      inside_of.back() = own(ctx, GEOSGeom_clone_r(ctx.handle(), inside.get()), "piece point");
      continue;
    }
    const GeomPtr snapped = own(ctx, GEOSGeom_setPrecision_r(ctx.handle(), piece, kUnionGridM, 0),
                                "piece on the union grid");
    const int parts = GEOSGetNumGeometries_r(ctx.handle(), snapped.get());
    int polygons = 0;
    for (int j = 0; j < parts; ++j) {
      double part_area = 0.0;
      const GEOSGeometry* part = GEOSGetGeometryN_r(ctx.handle(), snapped.get(), j);
      if (GEOSGeomTypeId_r(ctx.handle(), part) == GEOS_POLYGON &&
          GEOSArea_r(ctx.handle(), part, &part_area) == 1 && part_area > 0.0)
        ++polygons;
    }
    if (polygons <= 1) {
      lobes.push_back(own(ctx, GEOSGeom_clone_r(ctx.handle(), piece), "piece"));
      is_lobe.push_back(0);
      inside_of.resize(lobes.size());
      inside_of.back() = own(ctx, GEOSGeom_clone_r(ctx.handle(), inside.get()), "piece point");
      continue;
    }
    for (int j = 0; j < parts; ++j) {
      double part_area = 0.0;
      const GEOSGeometry* part = GEOSGetGeometryN_r(ctx.handle(), snapped.get(), j);
      if (GEOSGeomTypeId_r(ctx.handle(), part) != GEOS_POLYGON ||
          GEOSArea_r(ctx.handle(), part, &part_area) != 1 || part_area <= 0.0)
        continue;
      lobes.push_back(own(ctx, GEOSGeom_clone_r(ctx.handle(), part), "lobe"));
      is_lobe.push_back(1);
    }
  }
  bool any_lobe = false;
  for (std::size_t i = 0; i < lobes.size(); ++i) {
    const GEOSGeometry* piece = lobes[i].get();
    const GeomPtr inside =
        i < inside_of.size() && inside_of[i] ? std::move(inside_of[i]) : point_inside(piece);
    double x = 0.0, y = 0.0;
    GEOSGeomGetX_r(ctx.handle(), inside.get(), &x);
    GEOSGeomGetY_r(ctx.handle(), inside.get(), &y);
    const bool on_footprint =
        !in_footprint ||
        GEOSPreparedContains_r(ctx.handle(), in_footprint.get(), inside.get()) == 1;
    const auto run =
        on_footprint
            ? static_cast<std::size_t>(
                  std::upper_bound(cuts.begin(), cuts.end(), t_of(Point{x, y})) - cuts.begin())
            : std::size_t{0};
    // The footprint's area in the piece: all of it on the footprint (the arrangement holds the
    // footprint's outline in the cell, and the piece lies in the cell), none beside it.
    double overlap_area = 0.0;
    if (reference) {
      const GeomPtr overlap =
          own(ctx, GEOSIntersection_r(ctx.handle(), piece, footprint_geos.get()),
              "piece and footprint");
      if (GEOSArea_r(ctx.handle(), overlap.get(), &overlap_area) != 1) ctx.fail("piece area");
    } else if (in_footprint && on_footprint &&
               GEOSArea_r(ctx.handle(), piece, &overlap_area) != 1) {
      ctx.fail("piece area");
    }
    any_lobe = any_lobe || is_lobe[i];
    int side = -1;
    for (std::size_t s = 0; s < side_count && side < 0; ++s)
      if (GEOSPreparedContains_r(ctx.handle(), side_prepared[s].get(), inside.get()) == 1)
        side = static_cast<int>(s);
    kept.push_back({std::move(lobes[i]), run, overlap_area, !on_footprint, is_lobe[i] != 0, side});
  }
  // Each run's stretch must be one polygon (issue 12): a cut across a non-convex cell can leave
  // parts of a stretch that share no edge with the part beside the run's units. Such a part
  // joins the neighbouring stretch it shares the longest boundary with. A run keeps the group of
  // its pieces (edge-connected) holding most of the footprint, else its largest.
  const std::size_t k = kept.size();
  std::vector<std::vector<std::pair<std::size_t, double>>> neighbours(k);
  // Pieces that are faces of the arrangement share their common edges segment for segment:
  // their shared lengths are summed without overlays (issue 14); a lobe's edges only lie
  // within the union grid of its neighbours', so pairs with a lobe ask GEOS.
  std::map<std::pair<std::size_t, std::size_t>, double> shared_faces;
  if (!reference) {
    std::vector<MultiPolygon> faces(k);
    std::vector<const MultiPolygon*> face_of(k, nullptr);
    for (std::size_t i = 0; i < k; ++i)
      if (!kept[i].lobe) {
        faces[i] = to_multipolygon(ctx, kept[i].geometry.get());
        face_of[i] = &faces[i];
      }
    shared_faces = shared_edge_lengths(face_of);
  }
  for (std::size_t i = 0; i < k; ++i) {
    const GeomPtr boundary_i =
        own(ctx, GEOSBoundary_r(ctx.handle(), kept[i].geometry.get()), "piece boundary");
    for (std::size_t j = i + 1; j < k; ++j) {
      if (!reference && !kept[i].lobe && !kept[j].lobe) {
        const auto found = shared_faces.find({i, j});
        if (found == shared_faces.end() || found->second <= 0.0) continue;
        neighbours[i].emplace_back(j, found->second);
        neighbours[j].emplace_back(i, found->second);
        continue;
      }
      if (kept[i].lobe || kept[j].lobe) {
        double gap = 0.0;
        if (GEOSDistance_r(ctx.handle(), kept[i].geometry.get(), kept[j].geometry.get(), &gap) !=
                1 ||
            gap > 2.0 * kUnionGridM)
          continue;
      } else if (GEOSIntersects_r(ctx.handle(), kept[i].geometry.get(), kept[j].geometry.get()) !=
                 1) {
        continue;
      }
      GeomPtr boundary_j =
          own(ctx, GEOSBoundary_r(ctx.handle(), kept[j].geometry.get()), "piece boundary");
      // A lobe's edges lie within the union grid of its neighbours', not on them.
      if (kept[i].lobe || kept[j].lobe)
        boundary_j = own(ctx, GEOSBuffer_r(ctx.handle(), boundary_j.get(), 2.0 * kUnionGridM, 2),
                         "piece boundary, widened");
      const GeomPtr shared =
          own(ctx, GEOSIntersection_r(ctx.handle(), boundary_i.get(), boundary_j.get()),
              "shared piece boundary");
      double length = 0.0;
      if (GEOSLength_r(ctx.handle(), shared.get(), &length) != 1) ctx.fail("shared length");
      // A shared vertex does not connect; beside a lobe, nor does the widened boundary's
      // reach around a point (a few µm), only an edge longer than 0.1 mm.
      if (length <= ((kept[i].lobe || kept[j].lobe) ? 1e-4 : 0.0)) continue;
      neighbours[i].emplace_back(j, length);
      neighbours[j].emplace_back(i, length);
    }
  }
  std::vector<std::size_t> run_of(k);
  for (std::size_t i = 0; i < k; ++i) run_of[i] = kept[i].run;
  // The side holding most of each run's strip of the footprint (-1: none).
  auto sides_of_runs = [&] {
    std::vector<int> side_of(runs, -1);
    if (side_count == 0) return side_of;
    std::vector<std::vector<double>> area_on(runs, std::vector<double>(side_count, 0.0));
    for (std::size_t i = 0; i < k; ++i)
      if (!kept[i].off_footprint && kept[i].side >= 0)
        area_on[run_of[i]][static_cast<std::size_t>(kept[i].side)] += kept[i].footprint_area;
    for (std::size_t r = 0; r < runs; ++r) {
      const auto best = std::max_element(area_on[r].begin(), area_on[r].end());
      if (*best > 0.0) side_of[r] = static_cast<int>(best - area_on[r].begin());
    }
    return side_of;
  };
  // A tower standing across a hard road (its cell in several hard faces): the land off the
  // footprint on a side other than the first run's goes to the runs on that side — each
  // edge-connected stretch of it to the run of that side it borders the longest — so every
  // run's piece, and the neighbours the partition links to it, lie on its own side (fuzz town
  // split-tower-across-hard-road-seed9: the first run's strip west of a primary road, its land
  // and neighbours east of it, one grid on both sides). Land on a side holding no run's strip
  // (an area without buildings joined across the road) stays with the first run.
  if (side_count > 0) {
    const std::vector<int> side_of = sides_of_runs();
    std::vector<char> seen(k, 0);
    for (std::size_t i = 0; i < k; ++i) {
      if (seen[i] || !kept[i].off_footprint || run_of[i] != 0 || kept[i].side < 0 ||
          kept[i].side == side_of[0])
        continue;
      // The stretch: off-footprint pieces of the first run on this side, edge to edge.
      std::vector<std::size_t> stretch{i};
      seen[i] = 1;
      for (std::size_t head = 0; head < stretch.size(); ++head)
        for (const auto& [q, length] : neighbours[stretch[head]])
          if (!seen[q] && kept[q].off_footprint && run_of[q] == 0 && kept[q].side == kept[i].side) {
            seen[q] = 1;
            stretch.push_back(q);
          }
      std::vector<double> by_run(runs, 0.0);
      for (std::size_t p : stretch)
        for (const auto& [q, length] : neighbours[p])
          if (!kept[q].off_footprint && run_of[q] != 0 && side_of[run_of[q]] == kept[i].side)
            by_run[run_of[q]] += length;
      const auto best =
          static_cast<std::size_t>(std::max_element(by_run.begin(), by_run.end()) - by_run.begin());
      if (by_run[best] <= 0.0) continue;
      for (std::size_t p : stretch) run_of[p] = best;
    }
  }
  // A later run whose grid holds cells beside this one takes the part of the cell off the
  // footprint between its strip and those cells (issue 12, Nanjing micro grid …12002: a run's
  // strip lay on the far side of the tower from its grid's other cells, and the grid came out
  // in two pieces). The part claimed is the shortest chain of off-footprint pieces, edge to
  // edge, from the run's strip to a piece bordering one of its cells, never one bordering the
  // first run's cells beside (the first run's grid must stay whole too).
  // Edge-connected groups of a run's pieces.
  auto groups_of = [&](std::size_t run) {
    std::vector<char> seen(k, 0);
    std::size_t groups = 0;
    for (std::size_t i = 0; i < k; ++i) {
      if (seen[i] || run_of[i] != run) continue;
      ++groups;
      std::vector<std::size_t> stack{i};
      seen[i] = 1;
      while (!stack.empty()) {
        const std::size_t p = stack.back();
        stack.pop_back();
        for (const auto& [q, length] : neighbours[p])
          if (!seen[q] && run_of[q] == run) {
            seen[q] = 1;
            stack.push_back(q);
          }
      }
    }
    return groups;
  };
  for (std::size_t j = 1; j < runs; ++j) {
    if (near[j].empty()) continue;
    auto borders = [&](std::size_t i) { return borders_run(kept[i].geometry.get(), j); };
    // The run already borders its cells through its own strip: nothing to claim.
    bool already = false;
    for (std::size_t i = 0; i < k && !already; ++i) already = run_of[i] == j && borders(i);
    if (already) continue;
    // Breadth-first from the run's pieces through off-footprint pieces of the first run.
    std::vector<std::size_t> from(k, k);
    std::vector<std::size_t> queue;
    for (std::size_t i = 0; i < k; ++i)
      if (run_of[i] == j) {
        from[i] = i;
        queue.push_back(i);
      }
    std::size_t found = k;
    for (std::size_t head = 0; head < queue.size() && found == k; ++head) {
      const std::size_t p = queue[head];
      if (run_of[p] != j && borders(p)) found = p;
      for (const auto& [q, length] : neighbours[p])
        if (from[q] == k && kept[q].off_footprint && run_of[q] == 0 &&
            !borders_run(kept[q].geometry.get(), 0)) {  // the first run keeps its own way out
          from[q] = p;
          queue.push_back(q);
        }
    }
    if (found == k) continue;
    // Claimed only if the first run's pieces stay as connected as they were: the first run's
    // land may join its grid's cells on several sides (Monaco micro grid …39802).
    const std::size_t before = groups_of(0);
    std::vector<std::size_t> claimed;
    for (std::size_t p = found; p != k && run_of[p] != j; p = from[p]) claimed.push_back(p);
    for (std::size_t p : claimed) run_of[p] = j;
    if (groups_of(0) > before)
      for (std::size_t p : claimed) run_of[p] = 0;
  }
  for (bool changed = true; changed;) {
    changed = false;
    // Groups: edge-connected pieces of one run.
    std::vector<std::size_t> group(k, k);
    std::vector<std::vector<std::size_t>> members;
    for (std::size_t i = 0; i < k; ++i) {
      if (group[i] != k) continue;
      members.emplace_back();
      std::vector<std::size_t> stack{i};
      group[i] = members.size() - 1;
      while (!stack.empty()) {
        const std::size_t p = stack.back();
        stack.pop_back();
        members.back().push_back(p);
        for (const auto& [q, length] : neighbours[p])
          if (group[q] == k && run_of[q] == run_of[p]) {
            group[q] = group[i];
            stack.push_back(q);
          }
      }
    }
    // The group each run keeps: most footprint, then most area, then the first.
    std::vector<std::size_t> home(runs, members.size());
    std::vector<std::pair<double, double>> score(members.size(), {0.0, 0.0});
    for (std::size_t g = 0; g < members.size(); ++g)
      for (std::size_t p : members[g]) {
        double piece_area = 0.0;
        GEOSArea_r(ctx.handle(), kept[p].geometry.get(), &piece_area);
        score[g].first += kept[p].footprint_area;
        score[g].second += piece_area;
      }
    for (std::size_t g = 0; g < members.size(); ++g) {
      const std::size_t run = run_of[members[g].front()];
      if (home[run] == members.size() || score[g] > score[home[run]]) home[run] = g;
    }
    // The first detached group joins its best neighbour; then the groups are recomputed.
    for (std::size_t g = 0; g < members.size() && !changed; ++g) {
      const std::size_t own_run = run_of[members[g].front()];
      if (home[own_run] == g) continue;
      // A group bordering its run's cells beside this one is joined to the rest through them
      // (Monaco micro grid …39802: land on both sides of a tower, split at a pinch).
      if (std::any_of(members[g].begin(), members[g].end(),
                      [&](std::size_t p) { return borders_run(kept[p].geometry.get(), own_run); }))
        continue;
      std::vector<double> by_run(runs, 0.0);
      for (std::size_t p : members[g])
        for (const auto& [q, length] : neighbours[p])
          if (group[q] != g) by_run[run_of[q]] += length;
      const auto best =
          static_cast<std::size_t>(std::max_element(by_run.begin(), by_run.end()) - by_run.begin());
      if (by_run[best] <= 0.0) continue;  // not connected to anything: stays
      for (std::size_t p : members[g]) run_of[p] = best;
      changed = true;
    }
  }

  CutCell result;
  result.run_side = sides_of_runs();
  for (std::size_t i = 0; i < k; ++i)
    for (const auto& [j, length] : neighbours[i])
      if (run_of[i] < run_of[j])
        result.touching.emplace_back(static_cast<int>(run_of[i]), static_cast<int>(run_of[j]));
  std::sort(result.touching.begin(), result.touching.end());
  result.touching.erase(std::unique(result.touching.begin(), result.touching.end()),
                        result.touching.end());
  std::vector<std::vector<GEOSGeometry*>> by_run(runs);
  for (std::size_t i = 0; i < k; ++i) by_run[run_of[i]].push_back(kept[i].geometry.release());
  result.pieces.resize(runs);
  result.lobes = any_lobe;
  for (std::size_t run = 0; run < runs; ++run) {
    if (by_run[run].empty()) continue;
    const GeomPtr group =
        own(ctx,
            GEOSGeom_createCollection_r(ctx.handle(), GEOS_GEOMETRYCOLLECTION, by_run[run].data(),
                                        static_cast<unsigned>(by_run[run].size())),
            "cell pieces");
    // Pieces of one arrangement are an exact coverage; with lobes, only to the union grid.
    const GeomPtr merged =
        any_lobe ? own(ctx, GEOSUnaryUnionPrec_r(ctx.handle(), group.get(), kUnionGridM),
                       "union of cell pieces")
                 : own(ctx, GEOSCoverageUnion_r(ctx.handle(), group.get()), "union of cell pieces");
    result.pieces[run] = to_multipolygon(ctx, merged.get());
    fix_orientation(result.pieces[run]);
  }
  return result;
}

/// Union of pieces of one cut cell: they share every vertex (one snap-rounded arrangement), so
/// GEOS's coverage union dissolves their common edges without an overlay; with lobes (pieces
/// matching only to the union grid) the noding union.
MultiPolygon union_of_pieces(const std::vector<const MultiPolygon*>& parts, bool lobes) {
  if (lobes || g_reference.load()) return union_polygons(parts);
  thread_local GeosContext ctx;
  std::vector<GEOSGeometry*> geometries;
  for (const MultiPolygon* shape : parts)
    for (const Polygon& polygon : *shape) geometries.push_back(to_geos(ctx, polygon).release());
  if (geometries.empty()) return {};
  const GeomPtr group =
      own(ctx,
          GEOSGeom_createCollection_r(ctx.handle(), GEOS_GEOMETRYCOLLECTION, geometries.data(),
                                      static_cast<unsigned>(geometries.size())),
          "unit pieces");
  GEOSGeometry* merged = GEOSCoverageUnion_r(ctx.handle(), group.get());
  if (!merged) return union_polygons(parts);  // not a clean coverage after all
  const GeomPtr owned = own(ctx, merged, "union of unit pieces");
  MultiPolygon out = to_multipolygon(ctx, owned.get());
  fix_orientation(out);
  return out;
}

}  // namespace

void set_split_reference(bool on) {
  g_reference.store(on);
}

void forget_unit_cuts() {
  CutCache& cache = cut_cache();
  const std::lock_guard<std::mutex> lock(cache.mutex);
  std::unordered_map<CutKey, std::shared_ptr<const CutCell>, CutKeyHash>().swap(cache.cuts);
}

std::size_t unit_cuts_held() {
  CutCache& cache = cut_cache();
  const std::lock_guard<std::mutex> lock(cache.mutex);
  return cache.cuts.size();
}

std::vector<MultiPolygon> split_cell_along_building(
    const MultiPolygon& cell, const MultiPolygon& footprint, const std::vector<double>& weights,
    const std::vector<std::vector<const MultiPolygon*>>& beside, int units,
    const std::vector<MultiPolygon>& sides) {
  const std::size_t runs = weights.size();
  if (runs <= 1 || cell.empty()) {
    std::vector<MultiPolygon> result(std::max<std::size_t>(runs, 1));
    result.front() = cell;
    return result;
  }
  // One weight per unit and no cells beside: the cut the partition made already (unit_cut).
  const bool no_beside =
      std::all_of(beside.begin(), beside.end(), [](const auto& list) { return list.empty(); });
  if (no_beside && std::all_of(weights.begin(), weights.end(), [](double w) { return w == 1.0; }))
    return unit_cut(cell, footprint, runs, sides)->pieces;
  // With units: each run is the union of its units' pieces of the cut one weight per unit —
  // exactly the pieces the partition linked the tower's neighbours to (find_contact_units in
  // partition/atoms.cpp, pieces_bordering), so a grid holding a run and the neighbours linked
  // to its units is one polygon (issue 12: Helsinki micro grids …2302, …4401, Monaco …33101).
  if (units > 0 &&
      std::accumulate(weights.begin(), weights.end(), 0.0) == static_cast<double>(units) &&
      std::all_of(weights.begin(), weights.end(), [](double w) { return w == std::floor(w); })) {
    const std::shared_ptr<const CutCell> cut =
        unit_cut(cell, footprint, static_cast<std::size_t>(units), sides);
    const std::vector<MultiPolygon>& unit_pieces = cut->pieces;
    std::vector<MultiPolygon> result(runs);
    std::size_t u = 0;
    for (std::size_t j = 0; j < runs; ++j) {
      std::vector<const MultiPolygon*> parts;
      for (int n = 0; n < static_cast<int>(weights[j]) && u < unit_pieces.size(); ++n, ++u)
        if (!unit_pieces[u].empty()) parts.push_back(&unit_pieces[u]);
      if (parts.size() == 1)
        result[j] = *parts.front();
      else if (!parts.empty())
        result[j] = union_of_pieces(parts, cut->lobes);
    }
    // Consecutive units whose pieces do not meet (an E-shaped tower cut across its arms,
    // Nanjing 318702395; a complex wrapped around a court, Monaco 2093796) leave a run in
    // several polygons: the partition linked such units only where their pieces share an edge
    // (unit_pieces_touching), so the grid holding the run holds what joins its parts. Kept as
    // the partition planned it (a cut by runs here gave other pieces than the ones the
    // neighbours were linked by: grids in pieces, docs/decisions/0008-polygon-truth.md).
    return result;
  }
  return cut_cell(cell, footprint, weights, beside, sides).pieces;
}

std::vector<std::pair<int, int>> unit_pieces_touching(const MultiPolygon& cell,
                                                      const MultiPolygon& footprint, int units,
                                                      const std::vector<MultiPolygon>& sides) {
  if (units < 2 || cell.empty()) return {};
  return unit_cut(cell, footprint, static_cast<std::size_t>(units), sides)->touching;
}

bool units_across_sides(const MultiPolygon& cell, const MultiPolygon& footprint, int units,
                        const std::vector<MultiPolygon>& sides) {
  if (units < 2 || cell.empty() || sides.size() < 2) return false;
  thread_local GeosContext ctx;
  const GeomPtr footprint_geos = to_geos(ctx, footprint);
  const GeomPtr cell_geos = to_geos(ctx, cell);
  const GeomPtr inside = own(
      ctx, GEOSIntersection_r(ctx.handle(), footprint_geos.get(), cell_geos.get()), "footprint");
  return runs_across_sides(ctx, inside.get(), sides,
                           std::vector<double>(static_cast<std::size_t>(units), 1.0));
}

std::vector<int> unit_sides(const MultiPolygon& cell, const MultiPolygon& footprint, int units,
                            const std::vector<MultiPolygon>& sides) {
  if (units < 2 || cell.empty() || sides.size() < 2)
    return std::vector<int>(static_cast<std::size_t>(std::max(units, 0)), -1);
  return unit_cut(cell, footprint, static_cast<std::size_t>(units), sides)->run_side;
}

bool unit_strips_chain(const MultiPolygon& footprint) {
  if (footprint.size() != 1 || !footprint.front().holes.empty()) return false;
  thread_local GeosContext ctx;
  const GeomPtr geometry = to_geos(ctx, footprint);
  return monotone_along(footprint, long_axis(ctx, geometry.get()));
}

namespace {

/// Whether no point of `a`'s boundary lies within `d` (m) of `b` (its boundary or inside it):
/// then the boundary of `a` misses any buffer of `b` by up to `d`. Segment pairs by box first;
/// a pair that crosses, or an end within `d` of the other segment, is near; a vertex of `a`
/// inside `b` is near. Conservative only in that direction (true means apart).
bool boundary_apart(const MultiPolygon& a, const MultiPolygon& b, double d) {
  struct Segment {
    Point p, q;
    Box box;
  };
  auto segments_of = [](const MultiPolygon& shape) {
    std::vector<Segment> out;
    auto add = [&](const Ring& ring) {
      for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
        Box box;
        box.expand(ring[k]);
        box.expand(ring[k + 1]);
        out.push_back({ring[k], ring[k + 1], box});
      }
    };
    for (const Polygon& polygon : shape) {
      add(polygon.outer);
      for (const Ring& hole : polygon.holes) add(hole);
    }
    return out;
  };
  const std::vector<Segment> sa = segments_of(a), sb = segments_of(b);
  const double d2 = d * d;
  auto point_near = [&](const Point& p, const Segment& s) {
    const double dx = s.q.x - s.p.x, dy = s.q.y - s.p.y;
    const double length2 = dx * dx + dy * dy;
    double t = length2 > 0.0 ? ((p.x - s.p.x) * dx + (p.y - s.p.y) * dy) / length2 : 0.0;
    t = std::clamp(t, 0.0, 1.0);
    const double ex = s.p.x + t * dx - p.x, ey = s.p.y + t * dy - p.y;
    return ex * ex + ey * ey <= d2;
  };
  auto orient = [](const Point& o, const Point& p, const Point& q) {
    const double v = (p.x - o.x) * (q.y - o.y) - (p.y - o.y) * (q.x - o.x);
    return v > 0.0 ? 1 : v < 0.0 ? -1 : 0;
  };
  for (const Segment& u : sa)
    for (const Segment& v : sb) {
      if (u.box.min_x > v.box.max_x + d || v.box.min_x > u.box.max_x + d ||
          u.box.min_y > v.box.max_y + d || v.box.min_y > u.box.max_y + d)
        continue;
      if (point_near(u.p, v) || point_near(u.q, v) || point_near(v.p, u) || point_near(v.q, u))
        return false;
      if (orient(u.p, u.q, v.p) * orient(u.p, u.q, v.q) <= 0 &&
          orient(v.p, v.q, u.p) * orient(v.p, v.q, u.q) <= 0)
        return false;
    }
  // No boundary near: a's boundary is wholly inside or wholly outside each part of b; a vertex
  // of each of a's rings tells (even-odd over b's rings).
  auto inside_b = [&](const Point& p) {
    bool in = false;
    for (const Segment& s : sb)
      if ((s.p.y > p.y) != (s.q.y > p.y) &&
          p.x < (s.q.x - s.p.x) * (p.y - s.p.y) / (s.q.y - s.p.y) + s.p.x)
        in = !in;
    return in;
  };
  for (const Polygon& polygon : a) {
    if (!polygon.outer.empty() && inside_b(polygon.outer.front())) return false;
    for (const Ring& hole : polygon.holes)
      if (!hole.empty() && inside_b(hole.front())) return false;
  }
  return true;
}

}  // namespace

std::pair<int, int> pieces_bordering(const std::vector<MultiPolygon>& a,
                                     const std::vector<MultiPolygon>& b) {
  std::pair<int, int> result{-1, -1};
  thread_local GeosContext ctx;
  std::vector<GeomPtr> boundaries;
  std::vector<Box> boxes;
  for (const MultiPolygon& piece : a) {
    boxes.push_back(bounds(piece));
    if (piece.empty()) {
      boundaries.emplace_back(nullptr, GeomDeleter{ctx.handle()});
      continue;
    }
    const GeomPtr g = to_geos(ctx, piece);
    boundaries.push_back(own(ctx, GEOSBoundary_r(ctx.handle(), g.get()), "piece boundary"));
  }
  constexpr double kWiden = 0.01;  // m: edges shared up to rounding count as shared (as the cut)
  double best = 0.1;               // m: a shared vertex, or a few millimetres, is no contact
  for (std::size_t j = 0; j < b.size(); ++j) {
    if (b[j].empty()) continue;
    const Box box = bounds(b[j]);
    GeomPtr wide;  // made for the first piece whose boundary comes near
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!boundaries[i] || boxes[i].min_x > box.max_x + 2 * kWiden ||
          box.min_x > boxes[i].max_x + 2 * kWiden || boxes[i].min_y > box.max_y + 2 * kWiden ||
          box.min_y > boxes[i].max_y + 2 * kWiden)
        continue;
      // A boundary nowhere within the buffer's width (and 1 mm more: the buffer's arcs are
      // chords inside the true width) has nothing in common with it: no overlay (issue 14
      // item 2: these overlays were a fifth of "planning grids"' contact units).
      if (!g_reference.load() && boundary_apart(a[i], b[j], kWiden + 0.001)) continue;
      if (!wide) {
        const GeomPtr other = to_geos(ctx, b[j]);
        wide = own(ctx, GEOSBuffer_r(ctx.handle(), other.get(), kWiden, 2), "beside");
      }
      const GeomPtr common =
          own(ctx, GEOSIntersection_r(ctx.handle(), boundaries[i].get(), wide.get()), "border");
      double length = 0.0;
      if (GEOSLength_r(ctx.handle(), common.get(), &length) == 1 && length > best) {
        best = length;
        result = {static_cast<int>(i), static_cast<int>(j)};
      }
    }
  }
  return result;
}

std::size_t piece_holding_point_on_surface(const std::vector<MultiPolygon>& pieces,
                                           const MultiPolygon& footprint) {
  if (pieces.size() <= 1 || footprint.empty()) return 0;
  thread_local GeosContext ctx;
  const GeomPtr shape = to_geos(ctx, footprint);
  const GeomPtr point =
      own(ctx, GEOSPointOnSurface_r(ctx.handle(), shape.get()), "footprint point on surface");
  // The piece covering the point (on a cut, the first); pieces are few.
  for (std::size_t j = 0; j < pieces.size(); ++j) {
    if (pieces[j].empty()) continue;
    const GeomPtr piece = to_geos(ctx, pieces[j]);
    if (GEOSIntersects_r(ctx.handle(), piece.get(), point.get()) == 1) return j;
  }
  return 0;
}

std::vector<MultiPolygon> footprint_in_pieces(const std::vector<MultiPolygon>& pieces,
                                              const MultiPolygon& footprint) {
  std::vector<MultiPolygon> result(pieces.size());
  if (footprint.empty()) return result;
  thread_local GeosContext ctx;
  const GeomPtr shape = to_geos(ctx, footprint);
  for (std::size_t j = 0; j < pieces.size(); ++j) {
    if (pieces[j].empty()) continue;
    const GeomPtr piece = to_geos(ctx, pieces[j]);
    const GeomPtr common =
        own(ctx, GEOSIntersection_r(ctx.handle(), shape.get(), piece.get()), "footprint in piece");
    result[j] = to_multipolygon(ctx, common.get());  // polygons only: touching lines dropped
    std::erase_if(result[j],
                  [](const Polygon& p) { return std::abs(signed_area(p.outer)) <= 0.0; });
    fix_orientation(result[j]);
  }
  return result;
}

Point point_on_surface(const MultiPolygon& footprint) {
  if (footprint.empty()) return {0.0, 0.0};
  thread_local GeosContext ctx;
  const GeomPtr shape = to_geos(ctx, footprint);
  const GeomPtr point =
      own(ctx, GEOSPointOnSurface_r(ctx.handle(), shape.get()), "footprint point on surface");
  Point p{0.0, 0.0};
  if (GEOSGeomGetX_r(ctx.handle(), point.get(), &p.x) != 1 ||
      GEOSGeomGetY_r(ctx.handle(), point.get(), &p.y) != 1)
    ctx.fail("point on surface");
  return p;
}

MultiPolygon valid_grid_polygon(MultiPolygon shape, bool* changed) {
  if (changed) *changed = false;
  if (shape.empty()) return shape;
  thread_local GeosContext ctx;
  const GeomPtr g = to_geos(ctx, shape);
  const char valid = GEOSisValid_r(ctx.handle(), g.get());
  if (valid == 2) ctx.fail("validity of a grid polygon");
  GeomPtr repaired;
  // Valid, and no vertex within 3 µm of an edge not its own nor two at one place: rounding to
  // the union grid (each vertex, and an edge through its pixel, moves by at most 0.71 µm)
  // cannot change its pieces, rings or vertex counts, so it is kept without asking GEOS (issue
  // 14: the rounding's snap-rounding noder was a tenth of the stage on the real 30k town).
  if (valid == 1 && !g_reference.load() && !may_pinch(shape, 3.0 * kUnionGridM)) {
    return shape;
  }
  if (valid == 1) {
    // Valid, but a ring may pass within nanometres of itself (a collapsed spike where cells
    // meet): written in another CRS it crosses itself. Snap-rounded to the union grid, such a
    // pinch becomes exact and resolves; the polygon is replaced only when that changes its
    // structure (pieces, rings or vertices), else kept to the last bit.
    repaired =
        own(ctx, GEOSGeom_setPrecision_r(ctx.handle(), g.get(), kUnionGridM, 0), "grid on grid");
    const MultiPolygon snapped = to_multipolygon(ctx, repaired.get());
    bool same = snapped.size() == shape.size();
    for (std::size_t i = 0; same && i < shape.size(); ++i) {
      same = snapped[i].outer.size() == shape[i].outer.size() &&
             snapped[i].holes.size() == shape[i].holes.size();
      for (std::size_t h = 0; same && h < shape[i].holes.size(); ++h)
        same = snapped[i].holes[h].size() == shape[i].holes[h].size();
    }
    if (same) return shape;
  } else {
    repaired = own(ctx, GEOSMakeValid_r(ctx.handle(), g.get()), "repairing a grid");
  }
  MultiPolygon out = to_multipolygon(ctx, repaired.get());
  std::erase_if(out, [](const Polygon& p) { return std::abs(signed_area(p.outer)) <= 0.0; });
  fix_orientation(out);
  if (changed) *changed = true;
  return out;
}

MultiPolygon union_polygons(const std::vector<const MultiPolygon*>& polygons) {
  thread_local GeosContext ctx;
  std::vector<GEOSGeometry*> parts;
  for (const MultiPolygon* shape : polygons) {
    if (!shape) continue;
    for (const Polygon& polygon : *shape) parts.push_back(to_geos(ctx, polygon).release());
  }
  if (parts.empty()) return {};
  const GeomPtr collection =
      own(ctx,
          GEOSGeom_createCollection_r(ctx.handle(), GEOS_GEOMETRYCOLLECTION, parts.data(),
                                      static_cast<unsigned>(parts.size())),
          "polygons to union");
  // Snap-rounded to a 1 µm grid (issue 12, Nanjing large grid …62 in two halves): a cut's end
  // on the cell boundary is a computed intersection, a few ulps off the straight edge the
  // neighbouring cell keeps, so the two edges are near-coincident, not equal; where the new
  // vertex lies inside, a hairline gap runs along the whole edge and a plain union leaves the
  // two touching at their ends only. Snap rounding nodes both edges at the same grid points.
  const GeomPtr merged =
      own(ctx, GEOSUnaryUnionPrec_r(ctx.handle(), collection.get(), kUnionGridM), "union");
  MultiPolygon out = to_multipolygon(ctx, merged.get());
  fix_orientation(out);
  return out;
}

namespace {

/// Squared distance from p to segment a–b and the parameter of its projection (unclamped).
double segment_distance2(const Point& p, const Point& a, const Point& b, double& t) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double length2 = dx * dx + dy * dy;
  t = length2 > 0.0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2 : 0.0;
  const double c = std::clamp(t, 0.0, 1.0);
  const double ex = a.x + c * dx - p.x, ey = a.y + c * dy - p.y;
  return ex * ex + ey * ey;
}

bool less_point(const Point& p, const Point& q) {
  return p.x < q.x || (p.x == q.x && p.y < q.y);
}

/// A ring without consecutive repeated points, closed; false when fewer than 3 distinct points
/// remain.
bool tidy_ring(Ring& ring) {
  Ring out;
  out.reserve(ring.size());
  for (const Point& p : ring) {
    if (!out.empty() && out.back() == p) continue;
    // A spike there and back (a → b → a: a vertex snapped beside one left where it was) has no
    // area: dropped.
    if (out.size() >= 2 && out[out.size() - 2] == p) {
      out.pop_back();
      continue;
    }
    out.push_back(p);
  }
  while (out.size() > 1 && out.front() == out.back()) out.pop_back();
  // The same across the ring's start.
  while (out.size() >= 3 && out[1] == out.back()) {
    out.pop_back();
    out.erase(out.begin());
  }
  while (out.size() >= 3 && out.front() == out[out.size() - 2]) {
    out.pop_back();
    out.pop_back();
  }
  if (out.size() < 3) return false;
  out.push_back(out.front());
  ring = std::move(out);
  return true;
}

}  // namespace

bool conform_edges(const std::vector<MultiPolygon*>& polygons, const std::vector<char>& moved,
                   const std::vector<char>& fixed, double tolerance, std::vector<char>* changed,
                   const std::function<void(double)>& progress) {
  // Rank of each polygon: a polygon's vertices go to those of polygons of lower rank. Rounded
  // polygons go back onto exact ones; a rounded polygon that is not valid once back (its
  // rounding had resolved a pinch of the exact rings, as valid_grid_polygon does) is pinned:
  // kept as rounded, the exact polygons beside it take its vertices instead.
  enum : signed char { kLocked = -2, kPinned = -1, kExact = 0, kRounded = 1 };
  const std::size_t n = polygons.size();
  if (changed) changed->assign(n, 0);
  std::vector<signed char> rank(n, kExact);
  bool any = false;
  for (std::size_t i = 0; i < n; ++i) {
    if (!polygons[i] || polygons[i]->empty()) continue;
    if (!fixed.empty() && fixed[i]) {
      rank[i] = kLocked;
    } else if (moved[i]) {
      rank[i] = kRounded;
      any = true;
    }
  }
  if (!any) return true;
  // Progress: round r of pinning spans [1 − 2^−r, 1 − 2^−(r+1)); in a round, snapping the
  // vertices is its first third, the T-junctions the second, the validity the last. Reported
  // every 256 polygons.
  int progress_round = 0;
  double progress_done = 0.0;
  std::size_t progress_ticks = 0;
  std::mutex progress_mutex;  // the loops below report from the cores they run on
  auto report = [&](double phase, double within) {
    if (!progress) return;
    const std::lock_guard lock(progress_mutex);
    if (++progress_ticks % 256 != 0) return;
    const double lo = 1.0 - std::ldexp(1.0, -progress_round);
    const double f = lo + (std::ldexp(1.0, -progress_round) * 0.5) *
                              ((phase + std::clamp(within, 0.0, 1.0)) / 3.0);
    if (f <= progress_done) return;
    progress_done = f;
    progress(f);
  };
  auto widened = [&](Box box) {
    box.min_x -= tolerance;
    box.min_y -= tolerance;
    box.max_x += tolerance;
    box.max_y += tolerance;
    return box;
  };
  // The polygons concerned: the rounded ones and those within the tolerance of them.
  std::vector<Box> boxes(n);
  for (std::size_t i = 0; i < n; ++i)
    if (polygons[i]) boxes[i] = bounds(*polygons[i]);
  std::vector<char> involved(n, 0);
  {
    const BoxIndex index(boxes);
    std::vector<std::int32_t> found;
    for (std::size_t i = 0; i < n; ++i) {
      if (rank[i] != kRounded) continue;
      index.intersecting(widened(boxes[i]), found);
      for (std::int32_t j : found) involved[static_cast<std::size_t>(j)] = 1;
      involved[i] = 1;
    }
  }
  const bool debug = std::getenv("GRIDPLAN_UNION_STATS") != nullptr;
  std::vector<std::pair<std::size_t, MultiPolygon>> originals;
  for (std::size_t i = 0; i < n; ++i)
    if (involved[i] && rank[i] != kLocked) originals.emplace_back(i, *polygons[i]);
  auto restore = [&] {
    for (const auto& [i, shape] : originals) *polygons[i] = shape;
  };
  struct Edge {
    Point a, b;
    std::size_t polygon;
    Ring* ring;
  };
  auto collect = [&](auto keep, std::vector<Edge>& edges, std::vector<Box>& edge_boxes) {
    edges.clear();
    edge_boxes.clear();
    for (std::size_t i = 0; i < n; ++i) {
      if (!involved[i] || !keep(i)) continue;
      for (Polygon& polygon : *polygons[i]) {
        auto add = [&](Ring& ring) {
          for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
            edges.push_back({ring[k], ring[k + 1], i, &ring});
            Box box;
            box.expand(ring[k]);
            box.expand(ring[k + 1]);
            edge_boxes.push_back(widened(box));
          }
        };
        add(polygon.outer);
        for (Ring& hole : polygon.holes) add(hole);
      }
    }
  };
  const double tolerance2 = tolerance * tolerance;
  std::vector<Edge> edges;
  std::vector<Box> edge_boxes;
  // Vertices of the polygons of rank `r` onto the vertices, else edges, of `target` polygons.
  // False when a ring collapses (then `collapsed` holds the polygon).
  std::vector<char> snapped(n, 0);
  auto snap_rank = [&](signed char r, auto target, std::size_t& collapsed) {
    collect(target, edges, edge_boxes);
    if (edges.empty()) return true;
    // A grid of buckets, not an R-tree: a point query per vertex of every rounded polygon
    // (issue 14 item 2: the R-tree was half of conform_edges at real-100000). Same edges found.
    const BoxGrid index(edge_boxes);
    auto place = [&](const Point& p, std::vector<std::int32_t>& found) {
      index.holding(p, found);
      double best_vertex = tolerance2, best_edge = tolerance2;
      const Point* vertex = nullptr;
      Point on_edge = p;
      bool edge = false;
      for (std::int32_t e : found) {  // ascending: ties go to the first edge, deterministic
        const Edge& s = edges[static_cast<std::size_t>(e)];
        for (const Point* q : {&s.a, &s.b}) {
          const double d2 = (q->x - p.x) * (q->x - p.x) + (q->y - p.y) * (q->y - p.y);
          if (d2 <= best_vertex && (!vertex || d2 < best_vertex)) {
            best_vertex = d2;
            vertex = q;
          }
        }
        double t = 0.0;
        const double d2 = segment_distance2(p, s.a, s.b, t);
        if (t > 0.0 && t < 1.0 && d2 <= best_edge && (!edge || d2 < best_edge)) {
          best_edge = d2;
          on_edge = {s.a.x + t * (s.b.x - s.a.x), s.a.y + t * (s.b.y - s.a.y)};
          edge = true;
        }
      }
      return vertex ? *vertex : on_edge;
    };
    // Polygons of rank r are snapped onto copies of the edges of other ranks' polygons: each
    // one on its own, spread over the cores (one community holding a whole town conforms
    // thousands of grids); the first to collapse is the lowest, as in one loop.
    std::atomic<std::size_t> first_collapsed{n};
    parallel_for_chunks(std::size_t{0}, n, 64, [&](std::size_t lo, std::size_t hi) {
      std::vector<std::int32_t> near;
      for (std::size_t i = lo; i < hi; ++i) {
        report(0.0, static_cast<double>(i) / static_cast<double>(n));
        if (!involved[i] || rank[i] != r) continue;
        auto snap = [&](Ring& ring) {
          for (Point& p : ring) {
            const Point q = place(p, near);
            if (!(q == p)) snapped[i] = 1;
            p = q;
          }
          return tidy_ring(ring);
        };
        for (Polygon& polygon : *polygons[i]) {
          bool whole = snap(polygon.outer);
          for (Ring& hole : polygon.holes) whole = snap(hole) && whole;
          if (!whole) {
            std::size_t seen = first_collapsed.load();
            while (i < seen && !first_collapsed.compare_exchange_weak(seen, i)) {
            }
          }
        }
      }
    });
    if (first_collapsed.load() == n) return true;
    collapsed = first_collapsed.load();
    return false;
  };
  auto attempt = [&](std::vector<std::size_t>& pin) {
    std::fill(snapped.begin(), snapped.end(), 0);
    std::size_t collapsed = n;
    // 1. Exact polygons onto pinned ones, then rounded ones onto all others.
    if (std::find(rank.begin(), rank.end(), kPinned) != rank.end() &&
        !snap_rank(
            kExact, [&](std::size_t i) { return rank[i] == kPinned; }, collapsed)) {
      if (debug) std::fprintf(stderr, "conform: exact polygon %zu collapsed\n", collapsed);
      return false;
    }
    if (!snap_rank(
            kRounded, [&](std::size_t i) { return rank[i] < kRounded; }, collapsed)) {
      if (debug) std::fprintf(stderr, "conform: polygon %zu collapsed: pinned\n", collapsed);
      pin.push_back(collapsed);
      return false;
    }
    // 2. T-junctions: a vertex on another polygon's edge (one of the two moved or pinned) joins
    // that edge.
    auto active = [&](std::size_t i) {
      return rank[i] == kRounded || rank[i] == kPinned || snapped[i];
    };
    collect([&](std::size_t i) { return rank[i] != kLocked; }, edges, edge_boxes);
    std::vector<std::vector<std::pair<double, Point>>> inserted(edges.size());
    {
      // Found per polygon over the cores (the polygons are only read here), then added to the
      // edges in polygon order; each edge's new vertices are sorted below whatever the order.
      struct Junction {
        std::size_t edge;
        double t;
        Point p;
      };
      std::vector<std::vector<Junction>> junctions(n);
      const BoxGrid index(edge_boxes);
      parallel_for_chunks(std::size_t{0}, n, 64, [&](std::size_t lo, std::size_t hi) {
        std::vector<std::int32_t> near;
        for (std::size_t i = lo; i < hi; ++i) {
          report(1.0, static_cast<double>(i) / static_cast<double>(n));
          if (!involved[i]) continue;
          for (const Polygon& polygon : *polygons[i]) {
            auto visit = [&](const Ring& ring) {
              for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
                const Point& p = ring[k];
                index.holding(p, near);
                for (std::int32_t e32 : near) {
                  const auto e = static_cast<std::size_t>(e32);
                  const Edge& s = edges[e];
                  if (s.polygon == i || !(active(i) || active(s.polygon))) continue;
                  if (p == s.a || p == s.b) continue;
                  double t = 0.0;
                  if (segment_distance2(p, s.a, s.b, t) > tolerance2 || t <= 0.0 || t >= 1.0)
                    continue;
                  junctions[i].push_back({e, t, p});
                }
              }
            };
            visit(polygon.outer);
            for (const Ring& hole : polygon.holes) visit(hole);
          }
        }
      });
      for (const std::vector<Junction>& list : junctions)
        for (const Junction& j : list) inserted[j.edge].emplace_back(j.t, j.p);
    }
    std::vector<char> touched(n, 0);
    for (std::size_t i = 0; i < n; ++i) touched[i] = rank[i] == kRounded || snapped[i];
    // Rings rebuilt from their edges (consecutive in `edges`, ring by ring), each edge with its
    // new vertices in order along it.
    for (std::size_t first = 0; first < edges.size();) {
      std::size_t last = first;
      bool any_insert = false;
      while (last < edges.size() && edges[last].ring == edges[first].ring) {
        any_insert = any_insert || !inserted[last].empty();
        ++last;
      }
      if (any_insert) {
        Ring out;
        out.reserve(last - first + 8);
        for (std::size_t e = first; e < last; ++e) {
          out.push_back(edges[e].a);
          auto& extra = inserted[e];
          std::sort(extra.begin(), extra.end(), [](const auto& l, const auto& r) {
            return l.first != r.first ? l.first < r.first : less_point(l.second, r.second);
          });
          for (const auto& [t, p] : extra) out.push_back(p);
        }
        out.push_back(out.front());
        const std::size_t i = edges[first].polygon;
        if (!tidy_ring(out)) {
          if (debug) std::fprintf(stderr, "conform: polygon %zu collapsed on insertion\n", i);
          if (rank[i] == kRounded) pin.push_back(i);
          return false;
        }
        *edges[first].ring = std::move(out);
        touched[i] = 1;
      }
      first = last;
    }
    // 3. Each changed polygon valid (GEOS IsValid); a rounded one that is not gets pinned.
    // Not valid_grid_polygon's stricter test (no vertices within the union grid of each other):
    // back on the exact vertices, a rounded grid has the vertices nanometres apart that its
    // exact neighbours have too, and that test would pin a third of them (Nanjing: 96 of 298).
    // `gridplan check` and check_plan.py read the exported plans back: docs/benchmarks.md
    // "Unions, round 3".
    // The validity of every changed polygon over the cores, then read in polygon order as one
    // loop read it (an exact polygon not valid stops at once; the polygons after it are
    // restored with it).
    std::vector<char> valid(n, 1);
    parallel_for_chunks(std::size_t{0}, n, 16, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t i = lo; i < hi; ++i) {
        report(2.0, static_cast<double>(i) / static_cast<double>(n));
        if (!touched[i]) continue;
        fix_orientation(*polygons[i]);
        thread_local GeosContext vctx;
        const GeomPtr g = to_geos(vctx, *polygons[i]);
        valid[i] = GEOSisValid_r(vctx.handle(), g.get()) == 1 ? 1 : 0;
      }
    });
    bool ok = true;
    for (std::size_t i = 0; i < n; ++i) {
      if (!touched[i] || valid[i]) continue;
      if (debug) {
        thread_local GeosContext vctx;
        const GeomPtr g = to_geos(vctx, *polygons[i]);
        char* reason = GEOSisValidReason_r(vctx.handle(), g.get());
        std::fprintf(stderr, "conform: polygon %zu (rank %d) not kept valid: %s\n", i,
                     static_cast<int>(rank[i]), reason ? reason : "?");
        if (reason) GEOSFree_r(vctx.handle(), reason);
      }
      ok = false;
      if (rank[i] == kRounded)
        pin.push_back(i);
      else
        return false;  // an exact or pinned polygon: no other way tried
    }
    if (ok && changed) *changed = touched;
    return ok;
  };
  // A few rounds of pinning (each round pins every rounded polygon that failed).
  for (int round = 0; round < 4; ++round) {
    if (round > 0) restore();
    progress_round = round;
    std::vector<std::size_t> pin;
    if (attempt(pin)) {
      if (progress && progress_done < 1.0) progress(1.0);
      return true;
    }
    if (pin.empty()) break;
    for (std::size_t i : pin) rank[i] = kPinned;
  }
  restore();
  if (changed) changed->assign(n, 0);
  if (progress && progress_done < 1.0) progress(1.0);
  return false;
}

}  // namespace gp::geo
