#include "planner/geo/coverage_check.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "planner/core/parallel.hpp"
#include "planner/core/point_in_polygon.hpp"
#include "planner/core/progress_ticks.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/spatial_index.hpp"
#include "planner/geo/tessellation_geos.hpp"

namespace gp::geo {
namespace {

using detail::geos_area;

/// One use of a segment by a ring: p < q (x, then y); weight +1 when the ring, oriented as a
/// boundary (outer counter-clockwise, holes clockwise; the container reversed), runs p → q.
struct Edge {
  Point p, q;
  std::int32_t weight;
};

/// A segment whose uses do not cancel: a → b, `count` times net.
struct Leftover {
  Point a, b;
  int count;
};

bool less(const Point& l, const Point& r) {
  return l.x < r.x || (l.x == r.x && l.y < r.y);
}

std::uint64_t bits(double v) {
  if (v == 0.0) v = 0.0;  // −0 and +0 are the same coordinate
  return std::bit_cast<std::uint64_t>(v);
}

/// Bucket of a segment (equal coordinates, equal bucket), to match edges bucket by bucket.
std::size_t bucket_of(const Edge& e, std::size_t buckets) {
  std::uint64_t h = 0x9e3779b97f4a7c15ULL;
  for (std::uint64_t v : {bits(e.p.x), bits(e.p.y), bits(e.q.x), bits(e.q.y)}) {
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
  }
  h ^= h >> 33;
  return static_cast<std::size_t>(h % buckets);
}

/// Appends the directed edges of `shape` with `sign` (+1 for the tiles, −1 for the container).
void append_edges(const MultiPolygon& shape, int sign, std::vector<Edge>& out) {
  auto ring_edges = [&](const Ring& ring, bool hole) {
    const double a = signed_area(ring);
    if (a == 0.0 || ring.size() < 4) return;  // no area: its edges enclose nothing
    // As a boundary: outer rings counter-clockwise (a > 0), holes clockwise.
    const int forward = ((a > 0.0) != hole) ? sign : -sign;
    for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
      const Point& u = ring[i];
      const Point& v = ring[i + 1];
      if (u == v) continue;
      if (less(u, v))
        out.push_back({u, v, forward});
      else
        out.push_back({v, u, -forward});
    }
  };
  for (const Polygon& polygon : shape) {
    ring_edges(polygon.outer, false);
    for (const Ring& hole : polygon.holes) ring_edges(hole, true);
  }
}

/// Edges of a chunk of polygons, ordered by bucket: bucket b is [offset[b], offset[b + 1]).
struct ChunkEdges {
  std::vector<Edge> edges;
  std::vector<std::size_t> offset;
};

void order_by_bucket(std::vector<Edge>& edges, std::size_t buckets, ChunkEdges& out) {
  std::vector<std::size_t> bucket(edges.size());
  out.offset.assign(buckets + 1, 0);
  for (std::size_t i = 0; i < edges.size(); ++i) {
    bucket[i] = bucket_of(edges[i], buckets);
    ++out.offset[bucket[i] + 1];
  }
  for (std::size_t b = 0; b < buckets; ++b) out.offset[b + 1] += out.offset[b];
  std::vector<std::size_t> next(out.offset.begin(), out.offset.end() - 1);
  out.edges.resize(edges.size());
  for (std::size_t i = 0; i < edges.size(); ++i) out.edges[next[bucket[i]]++] = edges[i];
}

double cross(const Point& a, const Point& b, const Point& c) {
  return (b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y);
}

/// Winding number of the leftover chain around `c` (a point on none of its segments): the
/// polygons covering c minus whether the container does.
int winding(const std::vector<Leftover>& leftover, const BoxIndex& index, const Point& c,
            double max_x, std::vector<std::int32_t>& scratch) {
  index.intersecting(Box{c.x, c.y, max_x + 1.0, c.y}, scratch);
  int w = 0;
  for (std::int32_t i : scratch) {
    const Leftover& s = leftover[static_cast<std::size_t>(i)];
    if (s.a.y <= c.y) {
      if (s.b.y > c.y && cross(s.a, s.b, c) > 0.0) w += s.count;
    } else if (s.b.y <= c.y && cross(s.a, s.b, c) < 0.0) {
      w -= s.count;
    }
  }
  return w;
}

Polygon rectangle(const Box& b) {
  return Polygon{{{b.min_x, b.min_y},
                  {b.max_x, b.min_y},
                  {b.max_x, b.max_y},
                  {b.min_x, b.max_y},
                  {b.min_x, b.min_y}},
                 {}};
}

/// The polygonal parts of a GEOS result as one valid polygonal geometry (an intersection with a
/// rectangle can add lines and points where a polygon only touches it).
GeomPtr polygonal(GeosContext& ctx, GeomPtr g) {
  const int type = GEOSGeomTypeId_r(ctx.handle(), g.get());
  if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON) return g;
  std::vector<GeomPtr> parts;
  detail::append_polygons(ctx, g.get(), parts);
  return detail::make_collection(ctx, GEOS_MULTIPOLYGON, parts);
}

/// The figures of one area (a tile, or everything for the oracle) by overlay.
struct Overlay {
  double container = 0.0, pieces = 0.0, gap = 0.0, outside = 0.0, overlap = 0.0;
  MultiPolygon gap_shape, outside_shape;
};

/// Overlays `container` (already cut to the area) with the polygons' `pieces` (cut likewise).
Overlay overlay(GeosContext& ctx, GeomPtr container, std::vector<GeomPtr>& pieces,
                bool keep_geometry) {
  Overlay o;
  o.container = geos_area(ctx, container.get());
  for (const GeomPtr& p : pieces) o.pieces += geos_area(ctx, p.get());
  GeomPtr all;
  if (pieces.empty()) {
    all = own(ctx, GEOSGeom_createEmptyPolygon_r(ctx.handle()), "empty union");
  } else {
    GeomPtr collection = detail::make_collection(ctx, GEOS_GEOMETRYCOLLECTION, pieces);
    all = polygonal(
        ctx, own(ctx, GEOSUnaryUnion_r(ctx.handle(), collection.get()), "union of polygons"));
  }
  const double union_area = geos_area(ctx, all.get());
  o.overlap = std::max(0.0, o.pieces - union_area);
  GeomPtr gap = own(ctx, GEOSDifference_r(ctx.handle(), container.get(), all.get()),
                    "container minus its polygons");
  GeomPtr outside = own(ctx, GEOSDifference_r(ctx.handle(), all.get(), container.get()),
                        "polygons minus their container");
  o.gap = geos_area(ctx, gap.get());
  o.outside = geos_area(ctx, outside.get());
  if (keep_geometry) {
    if (o.gap > 0.0) o.gap_shape = to_multipolygon(ctx, gap.get());
    if (o.outside > 0.0) o.outside_shape = to_multipolygon(ctx, outside.get());
  }
  return o;
}

/// Leftover segments cut at the leftover vertices lying on them within `tolerance` (m), then
/// matched again: a vertex one polygon has on an edge its neighbour (or the container) runs
/// straight past — a T-junction, where a Voronoi edge or a road met the community's outline —
/// is no gap. Moving a segment onto such vertices changes the chain by at most
/// tolerance × length per segment: added to `snapped_m2`, a bound on what that does to the areas.
std::vector<Leftover> resolve_t_junctions(const std::vector<Leftover>& leftover, double tolerance,
                                          std::size_t& t_junctions, double& snapped_m2,
                                          const std::function<void(double)>& progress = {}) {
  // Progress (0 to 1) between the steps and through the sorts (reporting only).
  auto tick = [&](double f) {
    if (progress) progress(f);
  };
  std::vector<Point> vertices;
  vertices.reserve(2 * leftover.size());
  for (const Leftover& s : leftover) {
    vertices.push_back(s.a);
    vertices.push_back(s.b);
  }
  sort_reporting(vertices.begin(), vertices.end(), less, [&](double f) { tick(0.2 * f); });
  vertices.erase(std::unique(vertices.begin(), vertices.end()), vertices.end());
  std::vector<Box> vertex_boxes(vertices.size());
  for (std::size_t v = 0; v < vertices.size(); ++v) vertex_boxes[v].expand(vertices[v]);
  // Vertices within `tolerance` of each other are one (the first in x, y order of their group):
  // the community's outline rounded to 1 µm beside the cells' exact ends on it, a grid rounded
  // on its own beside exact ones.
  std::vector<std::size_t> root(vertices.size());
  for (std::size_t v = 0; v < vertices.size(); ++v) root[v] = v;
  auto find = [&](std::size_t v) {
    while (root[v] != v) v = root[v] = root[root[v]];
    return v;
  };
  {
    const BoxIndex all(vertex_boxes);
    std::vector<std::int32_t> near;
    for (std::size_t v = 0; v < vertices.size(); ++v) {
      const Point& p = vertices[v];
      all.intersecting(Box{p.x - tolerance, p.y - tolerance, p.x + tolerance, p.y + tolerance},
                       near);
      for (std::int32_t k : near) {
        const Point& q = vertices[static_cast<std::size_t>(k)];
        if (std::hypot(q.x - p.x, q.y - p.y) > tolerance) continue;
        const std::size_t a = find(v), b = find(static_cast<std::size_t>(k));
        if (a != b) root[std::max(a, b)] = std::min(a, b);
      }
    }
  }
  tick(0.35);
  auto snapped = [&](const Point& p) {
    const auto it = std::lower_bound(vertices.begin(), vertices.end(), p, less);
    return vertices[find(static_cast<std::size_t>(it - vertices.begin()))];
  };
  std::vector<Leftover> moved;
  moved.reserve(leftover.size());
  for (const Leftover& s : leftover) {
    const Point a = snapped(s.a), b = snapped(s.b);
    const double da = std::hypot(a.x - s.a.x, a.y - s.a.y),
                 db = std::hypot(b.x - s.b.x, b.y - s.b.y);
    if (da > 0.0 || db > 0.0) {
      snapped_m2 += 0.5 * (da + db) * std::hypot(s.b.x - s.a.x, s.b.y - s.a.y) + da * db;
      ++t_junctions;
    }
    if (!(a == b)) moved.push_back({a, b, s.count});
  }
  tick(0.45);
  std::vector<Point> kept;
  for (std::size_t v = 0; v < vertices.size(); ++v)
    if (find(v) == v) kept.push_back(vertices[v]);
  vertices = std::move(kept);
  vertex_boxes.assign(vertices.size(), Box{});
  for (std::size_t v = 0; v < vertices.size(); ++v) vertex_boxes[v].expand(vertices[v]);
  const BoxIndex vertex_index(vertex_boxes);
  const std::vector<Leftover>& segments = moved;
  struct Cut {
    std::vector<Edge> edges;
    std::size_t splits = 0;
    double snapped = 0.0;
  };
  const std::size_t chunk = 1024;
  std::vector<Cut> cuts((segments.size() + chunk - 1) / chunk);
  tick(0.5);
  parallel_for_chunks(0, cuts.size(), 1, [&](std::size_t lo, std::size_t hi) {
    std::vector<std::int32_t> near;
    std::vector<std::pair<double, Point>> on;
    for (std::size_t c = lo; c < hi; ++c)
      for (std::size_t i = c * chunk; i < std::min(segments.size(), (c + 1) * chunk); ++i) {
        const Leftover& s = segments[i];
        Box query;
        query.expand(s.a);
        query.expand(s.b);
        query = {query.min_x - tolerance, query.min_y - tolerance, query.max_x + tolerance,
                 query.max_y + tolerance};
        vertex_index.intersecting(query, near);
        const double dx = s.b.x - s.a.x, dy = s.b.y - s.a.y;
        const double length2 = dx * dx + dy * dy;
        on.clear();
        double farthest = 0.0;
        for (std::int32_t k : near) {
          const Point& v = vertices[static_cast<std::size_t>(k)];
          if (v == s.a || v == s.b) continue;
          const double t = ((v.x - s.a.x) * dx + (v.y - s.a.y) * dy) / length2;
          if (t <= 0.0 || t >= 1.0) continue;
          const double distance = std::abs(cross(s.a, s.b, v)) / std::sqrt(length2);
          if (distance > tolerance) continue;
          on.emplace_back(t, v);
          farthest = std::max(farthest, distance);
        }
        std::sort(on.begin(), on.end(),
                  [](const auto& l, const auto& m) { return l.first < m.first; });
        Cut& out = cuts[c];
        out.splits += on.size();
        out.snapped += farthest * std::sqrt(length2);
        Point from = s.a;
        auto emit = [&](const Point& to) {
          if (from == to) return;
          if (less(from, to))
            out.edges.push_back({from, to, s.count});
          else
            out.edges.push_back({to, from, -s.count});
          from = to;
        };
        for (const auto& [t, v] : on) emit(v);
        emit(s.b);
      }
  });
  tick(0.7);
  std::vector<Edge> edges;
  for (Cut& c : cuts) {
    t_junctions += c.splits;
    snapped_m2 += c.snapped;
    edges.insert(edges.end(), c.edges.begin(), c.edges.end());
  }
  sort_reporting(
      edges.begin(), edges.end(),
      [](const Edge& l, const Edge& m) {
        if (l.p.x != m.p.x) return l.p.x < m.p.x;
        if (l.p.y != m.p.y) return l.p.y < m.p.y;
        if (l.q.x != m.q.x) return l.q.x < m.q.x;
        return l.q.y < m.q.y;
      },
      [&](double f) { tick(0.75 + 0.2 * f); });
  std::vector<Leftover> out;
  for (std::size_t i = 0; i < edges.size();) {
    std::size_t j = i;
    int net = 0;
    for (; j < edges.size() && edges[j].p == edges[i].p && edges[j].q == edges[i].q; ++j)
      net += edges[j].weight;
    if (net > 0) out.push_back({edges[i].p, edges[i].q, net});
    if (net < 0) out.push_back({edges[i].q, edges[i].p, -net});
    i = j;
  }
  return out;
}

/// The container cut into quadrants, recursively, until a piece has at most 2,048 vertices: a
/// tile then clips the smallest piece holding it instead of the whole container (a community
/// holding a town has an outline of 10⁵ vertices, and a rectangle clip is linear in them). Plain
/// polygons, so every thread makes its own GEOS copy of the pieces it uses.
struct ContainerTree {
  struct Node {
    Box box;
    MultiPolygon piece;
    std::array<std::int32_t, 4> child{-1, -1, -1, -1};
  };
  std::vector<Node> nodes;

  static std::size_t vertices(const MultiPolygon& m) {
    std::size_t v = 0;
    for (const Polygon& p : m) {
      v += p.outer.size();
      for (const Ring& h : p.holes) v += h.size();
    }
    return v;
  }

  /// At most this many nodes are split (four clips each).
  static constexpr std::size_t kMaxSplit = 4096;

  /// `split` (optional) is called after each node split: at most kMaxSplit + 1 times. A
  /// community holding a town has an outline of 100k vertices or more: seconds of clips.
  ContainerTree(const MultiPolygon& container, const Box& box,
                const std::function<void()>& split = {}) {
    GeosContext ctx;
    nodes.push_back({box, container, {-1, -1, -1, -1}});
    for (std::size_t k = 0; k < nodes.size(); ++k) {
      if (vertices(nodes[k].piece) <= 2048 || nodes.size() > kMaxSplit) continue;
      if (split) split();
      const Box b = nodes[k].box;
      const double mx = 0.5 * (b.min_x + b.max_x), my = 0.5 * (b.min_y + b.max_y);
      const Box quadrant[4] = {{b.min_x, b.min_y, mx, my},
                               {mx, b.min_y, b.max_x, my},
                               {b.min_x, my, mx, b.max_y},
                               {mx, my, b.max_x, b.max_y}};
      const GeomPtr whole = to_geos(ctx, nodes[k].piece);
      for (int q = 0; q < 4; ++q) {
        GeomPtr cut = clip(ctx, whole.get(), quadrant[q]);
        nodes[k].child[static_cast<std::size_t>(q)] = static_cast<std::int32_t>(nodes.size());
        nodes.push_back({quadrant[q], to_multipolygon(ctx, cut.get()), {-1, -1, -1, -1}});
      }
    }
  }

  /// The smallest piece whose box holds `tile`.
  [[nodiscard]] const Node& holding(const Box& tile) const {
    const Node* node = &nodes.front();
    for (bool deeper = true; deeper;) {
      deeper = false;
      for (std::int32_t c : node->child) {
        if (c < 0) continue;
        const Box& b = nodes[static_cast<std::size_t>(c)].box;
        if (tile.min_x >= b.min_x && tile.max_x <= b.max_x && tile.min_y >= b.min_y &&
            tile.max_y <= b.max_y) {
          node = &nodes[static_cast<std::size_t>(c)];
          deeper = true;
          break;
        }
      }
    }
    return *node;
  }

  /// A polygonal geometry cut to a rectangle: GEOS's rectangle clip (no noding), checked valid,
  /// else the intersection.
  static GeomPtr clip(GeosContext& ctx, const GEOSGeometry* g, const Box& b) {
    GeomPtr cut;
    if (GEOSGeometry* clipped =
            GEOSClipByRect_r(ctx.handle(), g, b.min_x, b.min_y, b.max_x, b.max_y))
      cut = polygonal(ctx, own(ctx, clipped, "container in a tile"));
    if (!cut || GEOSisValid_r(ctx.handle(), cut.get()) != 1) {
      ctx.take_error();
      const GeomPtr rect = to_geos(ctx, rectangle(b));
      cut = polygonal(
          ctx, own(ctx, GEOSIntersection_r(ctx.handle(), g, rect.get()), "container in a tile"));
    }
    return cut;
  }
};

struct TileState {
  GeosContext ctx;
};

struct TileResult {
  double gap = 0.0, outside = 0.0, overlap = 0.0;
  bool overlaid = false;
  std::vector<std::int32_t> local;
  MultiPolygon gap_shape, outside_shape;
};

}  // namespace

bool coverage_by_union_requested() {
  const char* v = std::getenv("GRIDPLAN_COVERAGE_BY_UNION");
  return v != nullptr && std::strcmp(v, "0") != 0 && v[0] != '\0';
}

/// The tiles' share of check_coverage's work units (per polygon); the steps before them and the
/// setup between take the rest (0.4 + 0.2 + 0.1).
constexpr double kTileUnits = 0.3;

CoverageCheck check_coverage(const MultiPolygon& container,
                             const std::vector<const MultiPolygon*>& polygons,
                             const CoverageCheckParams& params,
                             const std::function<void(double)>& tick) {
  CoverageCheck r;
  const std::size_t n = polygons.size();
  auto report = [&](double units) {
    if (tick && units > 0.0) tick(units);
  };
  r.container_area_m2 = area(container);

  // 1. Every ring's directed edges, in chunks of polygons (0.4 of the work units), ordered by
  // bucket of the segment. Chunks of 64 grids: about 20k edges, well under a millisecond.
  constexpr std::size_t kChunk = 64;
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<Box> boxes(n);
  std::vector<double> areas(n, 0.0);
  // Buckets: about 4k edges each once all are in (a town's community: millions of edges).
  std::size_t vertex_estimate = 0;
  for (const Polygon& p : container) vertex_estimate += p.outer.size();
  for (const MultiPolygon* shape : polygons)
    if (shape)
      for (const Polygon& p : *shape) vertex_estimate += p.outer.size();
  const std::size_t buckets = std::clamp<std::size_t>(vertex_estimate / 4096, 1, 4096);
  std::vector<ChunkEdges> by_chunk(chunks + 1);
  parallel_for_chunks(0, chunks + 1, 1, [&](std::size_t lo, std::size_t hi) {
    std::vector<Edge> edges;
    for (std::size_t c = lo; c < hi; ++c) {
      edges.clear();
      if (c == chunks) {  // the container, reversed
        append_edges(container, -1, edges);
      } else {
        const std::size_t first = c * kChunk, last = std::min(n, first + kChunk);
        for (std::size_t i = first; i < last; ++i) {
          if (!polygons[i] || polygons[i]->empty()) continue;
          boxes[i] = bounds(*polygons[i]);
          areas[i] = area(*polygons[i]);
          append_edges(*polygons[i], 1, edges);
        }
        report(0.4 * static_cast<double>(last - first));
      }
      order_by_bucket(edges, buckets, by_chunk[c]);
    }
  });
  for (std::size_t i = 0; i < n; ++i) r.polygons_area_m2 += areas[i];

  // 2. Bucket by bucket, equal segments together: the net use of each (0.2 of the units).
  std::vector<std::vector<Leftover>> leftover_of(buckets);
  std::vector<std::size_t> edges_of(buckets, 0);
  parallel_for_chunks(0, buckets, 8, [&](std::size_t lo, std::size_t hi) {
    std::vector<Edge> edges;
    for (std::size_t b = lo; b < hi; ++b) {
      edges.clear();
      for (const ChunkEdges& c : by_chunk)
        edges.insert(edges.end(), c.edges.begin() + static_cast<std::ptrdiff_t>(c.offset[b]),
                     c.edges.begin() + static_cast<std::ptrdiff_t>(c.offset[b + 1]));
      edges_of[b] = edges.size();
      std::sort(edges.begin(), edges.end(), [](const Edge& l, const Edge& m) {
        if (l.p.x != m.p.x) return l.p.x < m.p.x;
        if (l.p.y != m.p.y) return l.p.y < m.p.y;
        if (l.q.x != m.q.x) return l.q.x < m.q.x;
        return l.q.y < m.q.y;
      });
      for (std::size_t i = 0; i < edges.size();) {
        std::size_t j = i;
        int net = 0;
        for (; j < edges.size() && edges[j].p == edges[i].p && edges[j].q == edges[i].q; ++j)
          net += edges[j].weight;
        if (net > 0) leftover_of[b].push_back({edges[i].p, edges[i].q, net});
        if (net < 0) leftover_of[b].push_back({edges[i].q, edges[i].p, -net});
        i = j;
      }
      report(0.2 * static_cast<double>(n) / static_cast<double>(buckets));
    }
  });
  by_chunk.clear();
  by_chunk.shrink_to_fit();
  std::vector<Leftover> leftover;
  for (std::size_t b = 0; b < buckets; ++b) {
    r.edges += edges_of[b];
    leftover.insert(leftover.end(), leftover_of[b].begin(), leftover_of[b].end());
  }
  // Between the steps (serial; a second or more at 1M buildings in one community): 0.1 of the
  // units in five reports, so the check never waits long for its next one.
  const double setup_units = 0.02 * static_cast<double>(n);
  report(setup_units);
  // A share of `units` reported as a fraction f (0 to 1, rising) of its work goes.
  auto in_units = [&](double units) {
    return [&report, units, done = 0.0](double f) mutable {
      report(units * (f - done));
      done = f;
    };
  };
  r.unmatched = leftover.size();
  double t_junction_done = 0.0;
  if (!leftover.empty() && params.t_junction_m > 0.0) {
    const std::function<void(double)> t_junction_units =
        [&, part = in_units(setup_units)](double f) mutable {
          part(f);
          t_junction_done = f;
        };
    leftover = resolve_t_junctions(leftover, params.t_junction_m, r.t_junctions, r.snapped_m2,
                                   t_junction_units);
  }
  r.unmatched_after_t_junctions = leftover.size();
  report(setup_units * (1.0 - t_junction_done));
  Box box;  // of the leftover edges: every area not tiled exactly lies inside it
  for (const Leftover& s : leftover) {
    box.expand(s.a);
    box.expand(s.b);
  }
  if (leftover.empty() || box.width() <= 0.0 || box.height() <= 0.0) {
    // Every edge matched (or what is left encloses no area): tiled exactly.
    report(0.4 * static_cast<double>(n) - 2.0 * setup_units);
    return r;
  }

  // 3. Windows: the boxes of the leftover segments' connected pieces (joined at shared
  // vertices), merged where they overlap. An area not tiled exactly is bounded by leftover
  // segments, so lies in the box of the piece around it, and a piece inside it has its box
  // inside that one: outside the windows the polygons tile the container. A town's leftovers
  // are mostly slivers of a few metres (cuts' ends more than 1 µm off the outline): one small
  // window each instead of tiles over the whole town.
  std::vector<Box> windows;
  {
    std::vector<std::size_t> part(leftover.size());
    for (std::size_t k = 0; k < part.size(); ++k) part[k] = k;
    auto find = [&](std::size_t k) {
      while (part[k] != k) k = part[k] = part[part[k]];
      return k;
    };
    std::vector<std::pair<Point, std::size_t>> ends;
    ends.reserve(2 * leftover.size());
    for (std::size_t k = 0; k < leftover.size(); ++k) {
      ends.emplace_back(leftover[k].a, k);
      ends.emplace_back(leftover[k].b, k);
    }
    sort_reporting(
        ends.begin(), ends.end(),
        [](const auto& l, const auto& m) { return less(l.first, m.first); },
        in_units(0.5 * setup_units));
    for (std::size_t k = 1; k < ends.size(); ++k)
      if (ends[k].first == ends[k - 1].first) {
        const std::size_t x = find(ends[k].second), y = find(ends[k - 1].second);
        if (x != y) part[std::max(x, y)] = std::min(x, y);
      }
    report(0.25 * setup_units);
    std::vector<Box> piece(leftover.size());
    for (std::size_t k = 0; k < leftover.size(); ++k) {
      piece[find(k)].expand(leftover[k].a);
      piece[find(k)].expand(leftover[k].b);
    }
    for (std::size_t k = 0; k < leftover.size(); ++k)
      if (find(k) == k && piece[k].width() > 0.0 && piece[k].height() > 0.0)
        windows.push_back(piece[k]);
    // Merge overlapping windows until none overlap (a few rounds at most in practice).
    for (bool merged = true; merged && windows.size() > 1;) {
      merged = false;
      const BoxIndex index(windows);
      std::vector<std::size_t> group(windows.size());
      for (std::size_t k = 0; k < group.size(); ++k) group[k] = k;
      auto root = [&](std::size_t k) {
        while (group[k] != k) k = group[k] = group[group[k]];
        return k;
      };
      std::vector<std::int32_t> near;
      for (std::size_t k = 0; k < windows.size(); ++k) {
        index.intersecting(windows[k], near);
        for (std::int32_t o : near) {
          const std::size_t x = root(k), y = root(static_cast<std::size_t>(o));
          if (x != y) {
            group[std::max(x, y)] = std::min(x, y);
            merged = true;
          }
        }
      }
      if (!merged) break;
      std::vector<Box> joined(windows.size());
      for (std::size_t k = 0; k < windows.size(); ++k) joined[root(k)].expand(windows[k]);
      windows.clear();
      for (std::size_t k = 0; k < joined.size(); ++k)
        if (root(k) == k) windows.push_back(joined[k]);
    }
  }
  report(0.25 * setup_units);
  if (windows.empty()) {
    report(0.4 * static_cast<double>(n) - 3.0 * setup_units);
    return r;
  }
  // Each window in tiles of about polygons_per_tile polygons (0.4 of the units over all tiles).
  const BoxIndex polygon_index(boxes);
  std::vector<Box> tile_boxes;
  for (const Box& w : windows) {
    const std::size_t inside = polygon_index.intersecting(w).size();
    const std::size_t wanted =
        std::max<std::size_t>(1, (inside + params.polygons_per_tile - 1) /
                                     std::max<std::size_t>(params.polygons_per_tile, 1));
    const double aspect = w.width() / w.height();
    const auto nx = static_cast<std::size_t>(
        std::clamp(std::round(std::sqrt(static_cast<double>(wanted) * aspect)), 1.0, 4096.0));
    const std::size_t ny = std::clamp<std::size_t>((wanted + nx - 1) / nx, 1, 4096);
    auto x_at = [&](std::size_t i) {
      return i == nx ? w.max_x
                     : w.min_x + w.width() * static_cast<double>(i) / static_cast<double>(nx);
    };
    auto y_at = [&](std::size_t j) {
      return j == ny ? w.max_y
                     : w.min_y + w.height() * static_cast<double>(j) / static_cast<double>(ny);
    };
    for (std::size_t j = 0; j < ny; ++j)
      for (std::size_t i = 0; i < nx; ++i)
        tile_boxes.push_back(Box{x_at(i), y_at(j), x_at(i + 1), y_at(j + 1)});
  }
  r.tiles = tile_boxes.size();
  std::vector<Box> segment_boxes(leftover.size());
  for (std::size_t s = 0; s < leftover.size(); ++s) {
    segment_boxes[s].expand(leftover[s].a);
    segment_boxes[s].expand(leftover[s].b);
  }
  const BoxIndex segment_index(segment_boxes);
  report(setup_units);
  std::vector<Box> outline_boxes;  // the container's edges
  auto add_outline = [&](const Ring& ring) {
    for (std::size_t i = 0; i + 1 < ring.size(); ++i)
      outline_boxes.push_back(segment_box(ring[i], ring[i + 1]));
  };
  for (const Polygon& p : container) {
    add_outline(p.outer);
    for (const Ring& hole : p.holes) add_outline(hole);
  }
  const BoxIndex outline_index(outline_boxes);
  Box container_box = bounds(container);
  container_box.expand(box);
  double tree_units = 0.0;  // a share of setup_units per node split, the rest after the tree
  const ContainerTree tree(container, container_box, [&] {
    const double u = setup_units / static_cast<double>(ContainerTree::kMaxSplit + 1);
    report(u);
    tree_units += u;
  });
  report(setup_units - tree_units);
  std::vector<TileResult> tiles(r.tiles);
  PerThread<TileState> states;
  parallel_for_chunks(0, r.tiles, 1, [&](std::size_t lo, std::size_t hi) {
    std::vector<std::int32_t> scratch;
    for (std::size_t t = lo; t < hi; ++t) {
      const Box& tile = tile_boxes[t];
      TileResult& out = tiles[t];
      segment_index.intersecting(tile, scratch);
      if (scratch.empty()) {
        // No leftover edge in the tile: the polygons covering a point minus the container's
        // cover is the same all over it.
        const int w = winding(leftover, segment_index,
                              {0.5 * (tile.min_x + tile.max_x), 0.5 * (tile.min_y + tile.max_y)},
                              box.max_x, scratch);
        if (w == 0) {
          report(kTileUnits * static_cast<double>(n) / static_cast<double>(r.tiles));
          continue;
        }
        if (w == -1) {  // inside the container, covered by no polygon
          out.gap = tile.width() * tile.height();
          if (params.keep_geometry) out.gap_shape.push_back(rectangle(tile));
          report(kTileUnits * static_cast<double>(n) / static_cast<double>(r.tiles));
          continue;
        }
      }
      out.overlaid = true;
      TileState& state = states.local();
      GeosContext& ctx = state.ctx;
      const GeomPtr rect = to_geos(ctx, rectangle(tile));
      // The container in the tile: the tile or nothing where its outline does not cross it;
      // else GEOS's rectangle clip (linear in the outline, no noding: a community holding a
      // town has an outline of 10⁵ vertices, which an intersection per tile nodes again),
      // checked valid, else the intersection.
      GeomPtr cut;
      outline_index.intersecting(tile, scratch);
      if (scratch.empty()) {
        cut = point_in_polygon(container,
                               {0.5 * (tile.min_x + tile.max_x), 0.5 * (tile.min_y + tile.max_y)})
                  ? to_geos(ctx, rectangle(tile))
                  : own(ctx, GEOSGeom_createEmptyPolygon_r(ctx.handle()), "empty tile");
      } else {
        const GeomPtr piece = to_geos(ctx, tree.holding(tile).piece);
        cut = ContainerTree::clip(ctx, piece.get(), tile);
      }
      std::vector<GeomPtr> pieces;
      polygon_index.intersecting(tile, out.local);
      for (std::int32_t k : out.local) {
        const MultiPolygon& shape = *polygons[static_cast<std::size_t>(k)];
        const Box& b = boxes[static_cast<std::size_t>(k)];
        GeomPtr g = to_geos(ctx, shape);
        if (b.min_x >= tile.min_x && b.max_x <= tile.max_x && b.min_y >= tile.min_y &&
            b.max_y <= tile.max_y) {
          pieces.push_back(std::move(g));
          continue;
        }
        GeomPtr piece = polygonal(
            ctx,
            own(ctx, GEOSIntersection_r(ctx.handle(), g.get(), rect.get()), "polygon in a tile"));
        if (GEOSisEmpty_r(ctx.handle(), piece.get()) == 0) pieces.push_back(std::move(piece));
      }
      Overlay o = overlay(ctx, std::move(cut), pieces, params.keep_geometry);
      out.gap = o.gap;
      out.outside = o.outside;
      out.overlap = o.overlap;
      out.gap_shape = std::move(o.gap_shape);
      out.outside_shape = std::move(o.outside_shape);
      report(kTileUnits * static_cast<double>(n) / static_cast<double>(r.tiles));
    }
  });
  std::vector<char> local(n, 0);
  for (TileResult& t : tiles) {
    r.gap_m2 += t.gap;
    r.outside_m2 += t.outside;
    r.overlap_m2 += t.overlap;
    r.overlaid_tiles += t.overlaid ? 1 : 0;
    for (std::int32_t k : t.local) local[static_cast<std::size_t>(k)] = 1;
    for (Polygon& p : t.gap_shape) r.gap.push_back(std::move(p));
    for (Polygon& p : t.outside_shape) r.outside.push_back(std::move(p));
  }
  for (std::size_t k = 0; k < n; ++k)
    if (local[k]) r.local_polygons.push_back(static_cast<std::int32_t>(k));
  return r;
}

CoverageCheck check_coverage_by_union(const MultiPolygon& container,
                                      const std::vector<const MultiPolygon*>& polygons,
                                      const CoverageCheckParams& params) {
  thread_local GeosContext ctx;
  CoverageCheck r;
  r.container_area_m2 = area(container);
  std::vector<GeomPtr> pieces;
  for (std::size_t i = 0; i < polygons.size(); ++i) {
    if (!polygons[i] || polygons[i]->empty()) continue;
    r.polygons_area_m2 += area(*polygons[i]);
    pieces.push_back(to_geos(ctx, *polygons[i]));
    r.local_polygons.push_back(static_cast<std::int32_t>(i));
  }
  Overlay o = overlay(ctx, to_geos(ctx, container), pieces, params.keep_geometry);
  r.gap_m2 = o.gap;
  r.outside_m2 = o.outside;
  r.overlap_m2 = o.overlap;
  r.gap = std::move(o.gap_shape);
  r.outside = std::move(o.outside_shape);
  return r;
}

}  // namespace gp::geo
