#include "planner/geo/tessellation_noding.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <mutex>
#include <type_traits>

#include "planner/core/parallel.hpp"
#include "planner/core/parallel_sort.hpp"
#include "planner/core/progress_ticks.hpp"
#include "planner/geo/tessellation_noder.hpp"

namespace gp::geo::detail {
namespace {

/// Where edge p→q crosses ring segment a→c, once the edge's line is known to separate a and c:
/// the edge's parameter t, the ring segment's u (both 0 to 1) and the point (computed from the
/// edge). `none` when the ring segment's line does not separate p and q; `degenerate` when p or
/// q lies on it (the callers leave that case to GEOS).
struct EdgeRingCrossing {
  enum Kind { none, crossing, degenerate } kind = none;
  double t = 0.0;
  double u = 0.0;
  Point x;
};

EdgeRingCrossing edge_ring_crossing(const Point& p, const Point& q, const Point& a,
                                    const Point& c) {
  const double op = orientation(a, c, p);
  const double oq = orientation(a, c, q);
  if (op == 0.0 || oq == 0.0) return {EdgeRingCrossing::degenerate, 0.0, 0.0, {}};
  if ((op > 0.0) == (oq > 0.0)) return {};  // the line crosses the ring segment, the edge not
  const double t = op / (op - oq);
  const Point x{p.x + t * (q.x - p.x), p.y + t * (q.y - p.y)};
  const double ex = c.x - a.x;
  const double ey = c.y - a.y;
  const double u = ((x.x - a.x) * ex + (x.y - a.y) * ey) / (ex * ex + ey * ey);
  return {EdgeRingCrossing::crossing, t, u, x};
}

/// Nodes Voronoi edges with one outline ring that touches nothing else (a "free" outline: no
/// other outline, no block boundary within kClearanceM of its box), without GEOS: the crossings
/// of each edge with the ring become shared vertices of both. Whether the edge's line separates
/// two ring vertices is decided once per vertex (a vertex on the line counts as left), so
/// neighbouring ring segments never both or neither claim a crossing. Appends the split ring and
/// edges to `out`; false on a degenerate case (an edge end on the ring's line), which the caller
/// leaves to GEOS.
bool cross_outline(const Ring& ring, const std::vector<Segment>& edges, std::vector<Segment>& out) {
  const std::size_t m = ring.size() - 1;  // closed ring: ring[m] == ring[0]
  std::vector<std::vector<std::pair<double, Point>>> on_ring(m);
  std::vector<char> left(m);
  std::vector<std::pair<double, Point>> on_edge;
  for (const Segment& e : edges) {
    const Point& p = e.first;
    const Point& q = e.second;
    for (std::size_t k = 0; k < m; ++k) left[k] = orientation(p, q, ring[k]) >= 0.0 ? 1 : 0;
    on_edge.clear();
    for (std::size_t k = 0; k < m; ++k) {
      const std::size_t k1 = k + 1 == m ? 0 : k + 1;
      if (left[k] == left[k1]) continue;
      const EdgeRingCrossing crossing = edge_ring_crossing(p, q, ring[k], ring[k1]);
      if (crossing.kind == EdgeRingCrossing::degenerate) return false;
      if (crossing.kind == EdgeRingCrossing::none) continue;
      on_edge.emplace_back(crossing.t, crossing.x);
      on_ring[k].emplace_back(crossing.u, crossing.x);
    }
    std::sort(on_edge.begin(), on_edge.end(),
              [](const auto& s, const auto& t) { return s.first < t.first; });
    Point from = p;
    for (const auto& [t, x] : on_edge) {
      out.emplace_back(from, x);
      from = x;
    }
    out.emplace_back(from, q);
  }
  for (std::size_t k = 0; k < m; ++k) {
    std::vector<std::pair<double, Point>>& cuts = on_ring[k];
    std::sort(cuts.begin(), cuts.end(),
              [](const auto& s, const auto& t) { return s.first < t.first; });
    Point from = ring[k];
    for (const auto& [u, x] : cuts) {
      out.emplace_back(from, x);
      from = x;
    }
    out.emplace_back(from, ring[k + 1]);
  }
  return true;
}

/// The blocks' ring segments (outer rings and holes), normalised, sorted, without repeats.
std::vector<Segment> ring_segments(const std::vector<Polygon>& block_polygons) {
  std::vector<Segment> rings;
  for (const Polygon& polygon : block_polygons) {
    auto add_ring = [&](const Ring& ring) {
      for (std::size_t k = 0; k + 1 < ring.size(); ++k)
        if (!(ring[k] == ring[k + 1])) rings.push_back(normalised(ring[k], ring[k + 1]));
    };
    add_ring(polygon.outer);
    for (const Ring& hole : polygon.holes) add_ring(hole);
  }
  sort_unique(rings);
  return rings;
}

/// The blocks' ring segments split by the noding: every ring segment once (normalised, sorted,
/// as ring_segments gives them) with its parts in order from its first end to its second (CSR).
/// Both blocks beside a ring segment read the same parts, so neighbouring pieces share every
/// vertex.
struct RingParts {
  std::vector<Segment> rings;
  std::vector<std::size_t> first{0};  // parts of rings[r]: parts[first[r]] up to first[r + 1]
  std::vector<Segment> parts;

  void add(const Point& from, const Point& to) { parts.emplace_back(from, to); }
  void close_ring() { first.push_back(parts.size()); }

  /// Appends block `polygon`'s boundary, split, each part directed with the block on its left
  /// (block polygons have their shell counter-clockwise and their holes clockwise).
  void boundary_of(const Polygon& polygon, std::vector<Segment>& out) const {
    auto add_ring = [&](const Ring& ring) {
      for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
        if (ring[k] == ring[k + 1]) continue;
        const Segment key = normalised(ring[k], ring[k + 1]);
        const auto it = std::lower_bound(rings.begin(), rings.end(), key, SegmentLess{});
        if (it == rings.end() || !(*it == key)) continue;  // not split: cannot happen
        const std::size_t r = std::size_t(it - rings.begin());
        const bool forward = ring[k] == key.first;
        for (std::size_t j = first[r]; j < first[r + 1]; ++j)
          out.push_back(forward ? parts[j] : Segment{parts[j].second, parts[j].first});
      }
    };
    add_ring(polygon.outer);
    for (const Ring& hole : polygon.holes) add_ring(hole);
  }
};

/// Nodes the Voronoi edges near block boundaries with the blocks' rings without GEOS, like
/// cross_outline: a ring vertex's side of an edge's line is decided once, so the crossing goes to
/// exactly one of the two ring segments at that vertex. Appends to `edge_parts[b]` the parts of
/// each edge inside its block (their ends on the boundary are the crossings, exactly) and to
/// `ring_parts` every block ring segment (each shared one once) split at the crossings of the
/// edges of either block. False on a degenerate case (an edge end on a ring segment's line).
bool cross_block_rings(const std::vector<BlockEdges>& block_edges,
                       const std::vector<BlockShape>& shapes,
                       const std::vector<Polygon>& block_polygons,
                       std::vector<std::vector<Segment>>& edge_parts, RingParts& ring_parts,
                       LoopTicks& ticks) {
  std::vector<std::pair<Segment, std::pair<double, Point>>> splits;  // normalised segment, (u, x)
  std::vector<Segment> candidates;
  std::vector<std::pair<double, Point>> on_edge;
  for (std::size_t b = 0; b < block_edges.size(); ++b)
    for (const Segment& e : block_edges[b].boundary) {
      ticks.step();
      const Point& p = e.first;
      const Point& q = e.second;
      const BlockShape& shape = shapes[b];
      shape.segments_near(BlockShape::box_of(e), candidates);
      on_edge.clear();
      for (const Segment& r : candidates) {
        const Segment key = normalised(r.first, r.second);
        const Point& a = key.first;
        const Point& c = key.second;
        if ((orientation(p, q, a) >= 0.0) == (orientation(p, q, c) >= 0.0)) continue;
        const EdgeRingCrossing crossing = edge_ring_crossing(p, q, a, c);
        if (crossing.kind == EdgeRingCrossing::degenerate) return false;
        if (crossing.kind == EdgeRingCrossing::none) continue;
        on_edge.emplace_back(crossing.t, crossing.x);
        splits.push_back({key, {crossing.u, crossing.x}});
      }
      std::sort(on_edge.begin(), on_edge.end(),
                [](const auto& s, const auto& t) { return s.first < t.first; });
      on_edge.emplace_back(1.0, q);
      Point from = p;
      for (const auto& [t, x] : on_edge) {
        const Point middle{0.5 * (from.x + x.x), 0.5 * (from.y + x.y)};
        if (!(from == x) && shape.contains(middle)) edge_parts[b].emplace_back(from, x);
        from = x;
      }
    }
  ring_parts.rings = ring_segments(block_polygons);
  std::sort(splits.begin(), splits.end(), [](const auto& s, const auto& t) {
    if (!(s.first == t.first)) return segment_less(s.first, t.first);
    return s.second.first < t.second.first;
  });
  std::size_t k = 0;
  for (const Segment& r : ring_parts.rings) {
    while (k < splits.size() && segment_less(splits[k].first, r)) ++k;
    Point from = r.first;
    for (; k < splits.size() && splits[k].first == r; ++k) {
      const Point& x = splits[k].second.second;
      if (!(from == x)) ring_parts.add(from, x);
      from = x;
    }
    if (!(from == r.second)) ring_parts.add(from, r.second);
    ring_parts.close_ring();
  }
  return true;
}

/// The lines one block's GEOS noding takes (see node_blocks).
struct BlockLines {
  std::vector<Segment> edges;      // Voronoi edges of the block, uncut
  std::vector<const Ring*> rings;  // outline rings (outer rings and holes) meeting the block's box
  [[nodiscard]] bool empty() const { return edges.empty() && rings.empty(); }
};

/// Distance (metres) within which both ends of a noded segment count as lying on a block ring
/// segment: far above the rounding of GEOS's floating noding (~1e-9 m at the CGCS2000 GK
/// ordinates of ~3.5e6 m) and above the snapping GEOS falls back to when floating noding fails
/// (it moves vertices by up to ~1e-5 m there), far below anything drawn (0.1 mm).
constexpr double kOnRingM = 1e-4;

/// Distance (metres) below which a crossing GEOS computed is merged into a nearby vertex. Where
/// three lines nearly meet (an outline corner on a Voronoi edge), floating noding computes two
/// crossings a rounding error apart, and the segment between them would make cells that meet at
/// a point edge-connected (issue 12's crumbs); GEOS's snapping noder, which a whole-community
/// union fell back to, merged them as a side effect.
constexpr double kMergeM = 1e-5;

/// Moves every vertex of `segments` that is not in `given` (a crossing GEOS computed) onto a
/// vertex within kMergeM: a given vertex if there is one (they never move, so Voronoi vertices
/// shared with unnoded edges and ring vertices stay exact), else a smaller computed one.
/// Segments that collapse are dropped.
void merge_computed_vertices(std::vector<Point> given, std::vector<Segment>& segments) {
  std::sort(given.begin(), given.end(), PointLess{});
  given.erase(std::unique(given.begin(), given.end()), given.end());
  auto is_given = [&](const Point& p) {
    return std::binary_search(given.begin(), given.end(), p, PointLess{});
  };
  std::vector<Point> computed;
  for (const Segment& s : segments)
    for (const Point& p : {s.first, s.second})
      if (!is_given(p)) computed.push_back(p);
  if (computed.empty()) return;
  std::sort(computed.begin(), computed.end(), PointLess{});
  computed.erase(std::unique(computed.begin(), computed.end()), computed.end());
  std::vector<std::pair<Point, Point>> moved;  // (computed, kept), sorted by the first
  auto kept_of = [&](const Point& p) {
    const auto it =
        std::lower_bound(moved.begin(), moved.end(), p,
                         [](const auto& m, const Point& q) { return less_point(m.first, q); });
    return it != moved.end() && it->first == p ? it->second : p;
  };
  auto near = [](const Point& a, const Point& b) {
    return std::hypot(a.x - b.x, a.y - b.y) <= kMergeM;
  };
  for (const Point& c : computed) {  // ascending: smaller computed points are resolved first
    const Point* best = nullptr;
    double best_d = INFINITY;
    auto lo =
        std::lower_bound(given.begin(), given.end(), Point{c.x - kMergeM, -INFINITY}, PointLess{});
    for (auto it = lo; it != given.end() && it->x <= c.x + kMergeM; ++it) {
      const double d = std::hypot(it->x - c.x, it->y - c.y);
      if (d <= kMergeM && d < best_d) {
        best_d = d;
        best = &*it;
      }
    }
    Point target = c;
    if (best != nullptr) {
      target = *best;
    } else {
      auto clo = std::lower_bound(computed.begin(), computed.end(), Point{c.x - kMergeM, -INFINITY},
                                  PointLess{});
      for (auto it = clo; it != computed.end() && less_point(*it, c); ++it)
        if (near(*it, c)) {
          target = kept_of(*it);
          break;
        }
    }
    if (!(target == c)) {
      moved.emplace_back(c, target);
      std::sort(moved.begin(), moved.end(),
                [](const auto& s, const auto& t) { return less_point(s.first, t.first); });
    }
  }
  if (moved.empty()) return;
  std::vector<Segment> out;
  out.reserve(segments.size());
  for (const Segment& s : segments) {
    const Point a = kept_of(s.first);
    const Point b = kept_of(s.second);
    if (!(a == b)) out.emplace_back(a, b);
  }
  segments = std::move(out);
}

/// Nodes the linework of each block on its own (issue 14). Noding is local: lines inside one
/// block meet lines of another only on the ring they share, so noding each block gives the
/// same arrangement as one union of the whole community, at a cost that grows with the
/// largest block instead of with the community (a town planned as one community put every
/// road, outline and Voronoi edge into one union, which failed its floating noding somewhere
/// and redid everything with the snapping noder: 97 % of the time, 31 KiB per building). Each
/// block is noded by node_segments (own orientation tests, issue 14 round 5: GEOS's union per
/// block fell back to its snapping noder on most real blocks), by GEOS's union only when that
/// does not settle.
///
/// Each block's noding holds its lines and, with `with_rings`, its own rings; of the noded
/// segments it keeps those inside the block (by their midpoint) and reads the ones lying on a
/// ring segment (both ends within kOnRingM) as split points of that ring segment. The two blocks
/// sharing a ring segment may split it at different points (each nodes only its own lines), so
/// the ring segments are written once, after all blocks, split at the points of both sides:
/// neighbouring pieces then share every vertex, and the pieces remain an exact coverage.
/// Without `with_rings` the lines must lie strictly inside their block (the caller crossed the
/// rings itself) and every noded segment is kept. Blocks are noded in parallel (one GEOS context
/// per thread); the output is in block order, so it does not depend on the threads.
void node_blocks(const std::function<void(double)>& progress, const std::vector<BlockShape>& shapes,
                 const std::vector<Polygon>& block_polygons, const std::vector<BlockLines>& lines,
                 bool with_rings, RingParts& ring_parts,
                 std::vector<std::vector<Segment>>& inside) {
  const std::size_t blocks = lines.size();
  struct Split {
    Segment ring;  // normalised ring segment
    double u;      // position along it, 0..1
    Point at;
  };
  inside.assign(blocks, {});
  std::vector<std::vector<Split>> splits(blocks);
  PerThread<GeosContext> contexts;
  // Progress by segments, not blocks: one community's largest block can hold a tenth of its
  // lines, and it reports while it is noded (issue 14 item 5).
  auto ring_size = [](const Ring& ring) { return ring.empty() ? 0 : ring.size() - 1; };
  auto segment_count = [&](std::size_t b) {
    std::size_t count = lines[b].edges.size();
    for (const Ring* ring : lines[b].rings) count += ring_size(*ring);
    if (with_rings) {
      count += ring_size(block_polygons[b].outer);
      for (const Ring& hole : block_polygons[b].holes) count += ring_size(hole);
    }
    return count;
  };
  std::size_t total = 0;
  for (std::size_t b = 0; b < blocks; ++b) total += segment_count(b);
  // Each block's segments count twice: as they are noded and as the noded ones are sorted to
  // the rings and the inside (a large block's second loop is seconds); the blocks fill 0 to 0.9,
  // the ring splits' sort and joining the rest.
  std::atomic<std::size_t> done{0};
  auto advance = [&](std::size_t count) {
    const std::size_t now = done += count;
    progress(0.9 * double(now) / double(std::max<std::size_t>(2 * total, 1)));
  };
  parallel_for(0, blocks, [&](std::size_t b) {
    if (lines[b].empty()) return;
    std::vector<Segment> segments;
    segments.reserve(segment_count(b));
    auto add_ring = [&](const Ring& ring) {
      for (std::size_t k = 0; k + 1 < ring.size(); ++k) segments.emplace_back(ring[k], ring[k + 1]);
    };
    segments.insert(segments.end(), lines[b].edges.begin(), lines[b].edges.end());
    for (const Ring* ring : lines[b].rings) add_ring(*ring);
    if (with_rings) {
      add_ring(block_polygons[b].outer);
      for (const Ring& hole : block_polygons[b].holes) add_ring(hole);
    }
    // The block's share of the progress: what the noder reports, at most the block's segments.
    const std::size_t share = segments.size();
    std::size_t reported = 0;
    const std::function<void(std::size_t)> tick = [&](std::size_t count) {
      count = std::min(count, share - reported);
      reported += count;
      if (count > 0) advance(count);
    };
    // Own noding (tessellation_noder); GEOS's union only for a block it cannot settle.
    if (!node_segments(segments, tick)) {
      GeosContext& ctx = contexts.local();
      std::vector<GeomPtr> geometries;
      geometries.reserve(lines[b].edges.size() + lines[b].rings.size() + 1);
      for (const Segment& e : lines[b].edges)
        geometries.push_back(to_geos(ctx, LineString{e.first, e.second}));
      for (const Ring* ring : lines[b].rings) geometries.push_back(to_geos(ctx, *ring));
      if (with_rings) {
        geometries.push_back(to_geos(ctx, block_polygons[b].outer));
        for (const Ring& hole : block_polygons[b].holes) geometries.push_back(to_geos(ctx, hole));
      }
      GeomPtr noded = node_lines(ctx, geometries, 0.0);
      segments.clear();
      append_segments(ctx, noded.get(), segments);
      std::vector<Point> given;  // input vertices: floating noding keeps them exactly
      for (const Segment& e : lines[b].edges) {
        given.push_back(e.first);
        given.push_back(e.second);
      }
      for (const Ring* ring : lines[b].rings) given.insert(given.end(), ring->begin(), ring->end());
      if (with_rings) {
        given.insert(given.end(), block_polygons[b].outer.begin(), block_polygons[b].outer.end());
        for (const Ring& hole : block_polygons[b].holes)
          given.insert(given.end(), hole.begin(), hole.end());
      }
      merge_computed_vertices(given, segments);
    }
    if (reported < share) advance(share - reported);
    const BlockShape& shape = shapes[b];
    std::vector<Segment> near;
    std::size_t sorted = 0;  // of `share`, advanced in proportion to the segments passed
    for (std::size_t k = 0; k < segments.size(); ++k) {
      if ((k & 4095) == 4095) {
        const std::size_t due = share * k / segments.size();
        if (due > sorted) advance(due - sorted);
        sorted = std::max(sorted, due);
      }
      const Segment& s = segments[k];
      if (!with_rings) {
        inside[b].push_back(normalised(s.first, s.second));
        continue;
      }
      Box box = BlockShape::box_of(s);
      box.min_x -= kOnRingM;
      box.min_y -= kOnRingM;
      box.max_x += kOnRingM;
      box.max_y += kOnRingM;
      shape.segments_near(box, near);
      bool on_ring = false;
      for (const Segment& r : near) {
        if (distance_to_segment(s.first, r) > kOnRingM ||
            distance_to_segment(s.second, r) > kOnRingM)
          continue;
        on_ring = true;
        const Segment key = normalised(r.first, r.second);
        const double ex = key.second.x - key.first.x;
        const double ey = key.second.y - key.first.y;
        for (const Point& p : {s.first, s.second}) {
          if (p == key.first || p == key.second) continue;
          const double u =
              ((p.x - key.first.x) * ex + (p.y - key.first.y) * ey) / (ex * ex + ey * ey);
          splits[b].push_back({key, u, p});
        }
        break;
      }
      if (on_ring) continue;
      const Point middle{0.5 * (s.first.x + s.second.x), 0.5 * (s.first.y + s.second.y)};
      if (shape.contains(middle)) inside[b].push_back(normalised(s.first, s.second));
    }
    if (sorted < share) advance(share - sorted);
  });
  if (!with_rings) return;
  std::vector<Split> all;
  for (std::vector<Split>& s : splits) all.insert(all.end(), s.begin(), s.end());
  // Equivalent splits are equal (same ring, position and point): a total order, so the sorted
  // array is the same whatever the sort; on both cores (parallel_sort.hpp).
  parallel_sort(
      all.begin(), all.end(),
      [](const Split& s, const Split& t) {
        if (!(s.ring == t.ring)) return segment_less(s.ring, t.ring);
        if (s.u != t.u) return s.u < t.u;
        return less_point(s.at, t.at);
      },
      progress_span(progress, 0.9, 0.95));
  progress(0.95);  // the joining below: the rounding of the fraction, a second on a large town
  ring_parts = RingParts{};
  ring_parts.rings = ring_segments(block_polygons);
  const std::vector<Segment>& rings = ring_parts.rings;
  // Split points closer than kOnRingM to a ring vertex or to the previous split point are one
  // point: the two blocks beside a ring segment compute the same crossing (an outline across the
  // boundary is in both nodings) each with its own rounding, and two vertices 1e-10 m apart
  // would leave a segment of that length through which cells meeting at a point would count as
  // edge-connected. Segments ending at a merged point are moved onto the one kept.
  std::vector<std::pair<Point, Point>> moved;  // (computed point, the point kept)
  auto near = [](const Point& a, const Point& b) {
    return std::hypot(a.x - b.x, a.y - b.y) <= kOnRingM;
  };
  std::size_t k = 0;
  LoopTicks join_ticks(progress, 0.95, 1.0, rings.size());
  for (const Segment& r : rings) {
    join_ticks.step();
    while (k < all.size() && segment_less(all[k].ring, r)) ++k;
    Point from = r.first;
    for (; k < all.size() && all[k].ring == r; ++k) {
      const Point& x = all[k].at;
      if (x == from) continue;
      if (near(x, r.second)) {
        moved.emplace_back(x, r.second);
      } else if (near(x, from)) {
        moved.emplace_back(x, from);
      } else {
        ring_parts.add(from, x);
        from = x;
      }
    }
    if (!(from == r.second)) ring_parts.add(from, r.second);
    ring_parts.close_ring();
  }
  std::sort(moved.begin(), moved.end(),
            [](const auto& s, const auto& t) { return less_point(s.first, t.first); });
  auto kept = [&](const Point& p) {
    const auto it =
        std::lower_bound(moved.begin(), moved.end(), p,
                         [](const auto& m, const Point& q) { return less_point(m.first, q); });
    return it != moved.end() && it->first == p ? it->second : p;
  };
  if (moved.empty()) return;
  parallel_for(0, blocks, [&](std::size_t b) {
    std::vector<Segment>& segments = inside[b];
    std::size_t kept_count = 0;
    for (const Segment& s : segments) {
      const Point a = kept(s.first);
      const Point c = kept(s.second);
      if (!(a == c)) segments[kept_count++] = normalised(a, c);
    }
    segments.resize(kept_count);
  });
}
}  // namespace

std::vector<SegmentEntry> sorted_piece_segments(const std::vector<Polygon>& pieces,
                                                const std::function<void(double)>& progress) {
  auto tick = [&](double f) {
    if (progress) progress(f);
  };
  // Sorted without a community-wide merge (issue 14 item 2: a parallel sort's last merge
  // borrowed half the array again, 20 B per piece segment at the tessellation's peak): the
  // entries are written straight into buckets of their first end's x (equal-width stripes, so
  // every entry of one bucket precedes every entry of the next in the order below) and each
  // bucket is sorted on its own. The order is a total order of the entries, so the result is
  // std::sort's of all of them whatever the buckets and threads.
  const std::size_t piece_count = pieces.size();
  auto for_each_segment = [&](std::size_t p, const auto& f) {
    auto add_ring = [&](const Ring& ring) {
      for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
        Point a = ring[k];
        Point b = ring[k + 1];
        if (a == b) continue;
        if (less_point(b, a)) std::swap(a, b);
        f(a, b);
      }
    };
    add_ring(pieces[p].outer);
    for (const Ring& hole : pieces[p].holes) add_ring(hole);
  };
  double min_x = INFINITY;
  double max_x = -INFINITY;
  for (const Polygon& piece : pieces)
    if (!piece.outer.empty()) {
      min_x = std::min(min_x, piece.outer.front().x);
      max_x = std::max(max_x, piece.outer.front().x);
    }
  const std::size_t buckets =
      std::isfinite(min_x) && max_x > min_x
          ? std::clamp<std::size_t>(piece_count / 512, 1, std::size_t(1) << 15)
          : 1;
  const double scale = buckets > 1 ? double(buckets) / (max_x - min_x) : 0.0;
  auto bucket_of = [&](double x) {
    const double at = (x - min_x) * scale;  // monotone in x
    if (!(at > 0.0)) return std::size_t(0);
    return std::min(buckets - 1, std::size_t(at));
  };
  // Fixed chunks of pieces, so that every chunk's place in every bucket is known beforehand.
  constexpr std::size_t kChunk = 4096;
  const std::size_t chunks = (piece_count + kChunk - 1) / kChunk;
  std::vector<std::size_t> at(chunks * buckets, 0);  // chunk-major: at[c * buckets + k]
  // Progress per chunk of pieces through both passes (seconds each at 1M buildings). The
  // chunks finish on the worker threads: one call of `tick` at a time, rising only.
  std::mutex pass_mutex;
  double pass_so_far = 0.0;
  const std::function<void(double)> pass_progress = [&](double f) {
    const std::lock_guard<std::mutex> lock(pass_mutex);
    if (f <= pass_so_far) return;
    pass_so_far = f;
    tick(f <= 0.5 ? 0.3 * f : 0.225 + 0.15 * (f - 0.5));  // 0.15 to 0.225: the allocation
  };
  ProgressCount passes(pass_progress, 2 * std::max<std::size_t>(chunks, 1), 4);
  parallel_for(0, chunks, [&](std::size_t c) {
    std::size_t* count = at.data() + c * buckets;
    for (std::size_t p = c * kChunk; p < std::min(piece_count, (c + 1) * kChunk); ++p)
      for_each_segment(p, [&](const Point& a, const Point&) { ++count[bucket_of(a.x)]; });
    passes.add(1);
  });
  std::vector<std::size_t> bucket_first(buckets + 1, 0);
  std::size_t total = 0;
  for (std::size_t k = 0; k < buckets; ++k) {
    bucket_first[k] = total;
    for (std::size_t c = 0; c < chunks; ++c) {
      const std::size_t count = at[c * buckets + k];
      at[c * buckets + k] = total;
      total += count;
    }
  }
  bucket_first[buckets] = total;
  tick(0.15);
  // A gigabyte at 1M buildings in one community, zeroed as it is made: in sixteen steps with
  // progress between them (the same vector, reserved once).
  std::vector<SegmentEntry> segments;
  segments.reserve(total);
  for (std::size_t step = 1; step <= 16; ++step) {
    segments.resize(total * step / 16);
    tick(0.15 + 0.15 * 0.5 * double(step) / 16.0);
  }
  parallel_for(0, chunks, [&](std::size_t c) {
    std::size_t* next = at.data() + c * buckets;
    for (std::size_t p = c * kChunk; p < std::min(piece_count, (c + 1) * kChunk); ++p)
      for_each_segment(p, [&](const Point& a, const Point& b) {
        segments[next[bucket_of(a.x)]++] = {a, b, std::int32_t(p)};
      });
    passes.add(1);
  });
  at = {};
  tick(0.3);
  // A total order of the entries (a piece's ring never holds one segment twice; equal entries
  // would be identical anyway).
  // Buckets finish on the worker threads: one call of `progress` at a time, rising only.
  std::mutex sort_mutex;
  double sorted_so_far = 0.0;
  const std::function<void(double)> sort_progress = [&](double f) {
    const std::lock_guard<std::mutex> lock(sort_mutex);
    if (f <= sorted_so_far) return;
    sorted_so_far = f;
    tick(0.3 + 0.7 * f);
  };
  ProgressCount counted(sort_progress, std::max<std::size_t>(total, 1), std::size_t(1) << 18);
  parallel_for(0, buckets, [&](std::size_t k) {
    std::sort(segments.begin() + std::ptrdiff_t(bucket_first[k]),
              segments.begin() + std::ptrdiff_t(bucket_first[k + 1]),
              [](const SegmentEntry& s, const SegmentEntry& t) {
                if (!(s.a == t.a)) return less_point(s.a, t.a);
                if (!(s.b == t.b)) return less_point(s.b, t.b);
                return s.piece < t.piece;
              });
    counted.add(bucket_first[k + 1] - bucket_first[k]);
  });
  tick(1.0);
  return segments;
}

std::vector<double> piece_areas(const std::vector<Polygon>& pieces) {
  std::vector<double> out(pieces.size());
  parallel_for_chunks(0, pieces.size(), 4096, [&](std::size_t begin, std::size_t end) {
    for (std::size_t p = begin; p < end; ++p) out[p] = area(pieces[p]);
  });
  return out;
}

Pieces cut_pieces(GeosContext& ctx, const Dataset& dataset, const CommunityJob& job,
                  const CommunityBlocks& community_blocks, std::vector<BlockEdges>& edges,
                  const std::vector<char>& outlined, const BoxIndex& outline_boxes,
                  const std::vector<std::int32_t>& building_block, double snap_grid_m,
                  const std::function<void(double)>& report) {
  // Progress of this step (0 to 1): the fast path's noding, faces, pieces and checks fill
  // 0 to 0.7 (its parts weighted by their times on real-100000), the fallback's 0.7 to 1.
  double attempt_from = 0.0;
  double attempt_to = 0.7;
  auto attempt_part = [&](double from, double to) {
    const double span = attempt_to - attempt_from;
    return progress_span(report, attempt_from + span * from, attempt_from + span * to);
  };
  auto mark = [&](double f) { report(attempt_from + (attempt_to - attempt_from) * f); };
  std::function<void(double)> progress = attempt_part(0.05, 0.45);
  std::function<void(double)> faces_progress = attempt_part(0.45, 0.75);
  std::function<void(double)> pieces_progress = attempt_part(0.75, 0.9);
  const GEOSContextHandle_t h = ctx.handle();
  const std::size_t n = job.buildings.size();
  const std::vector<Region>& blocks = community_blocks.blocks;
  const std::vector<Polygon>& block_polygons = community_blocks.polygons;
  const std::vector<BlockShape>& block_shapes = community_blocks.shapes;
  const RegionLocator& block_locator = *community_blocks.locator;
  auto block_containing = [&](const Point& p) { return community_blocks.containing(p); };
  Pieces pieces;
  // Outlines noded without GEOS in the fast path (see cross_outline); all outlines otherwise.
  std::vector<char> free_outline(n, 0);
  auto outline_lines = [&](std::vector<GeomPtr>& into) {
    for (std::size_t i = 0; i < n; ++i)
      if (outlined[i] != 0 && free_outline[i] == 0)
        for (const Polygon& polygon : dataset.buildings[std::size_t(job.buildings[i])].footprint) {
          into.push_back(to_geos(ctx, polygon.outer));
          for (const Ring& hole : polygon.holes) into.push_back(to_geos(ctx, hole));
        }
  };
  // The blocks' rings: the linework that bounds pieces. Not all_noded, whose dangles (dead-end
  // roads inside a block) would cross Voronoi edges that skip the noding, and whose lines
  // outside the community only make faces that are dropped.
  auto block_lines = [&](std::vector<GeomPtr>& into) {
    for (const Region& block : blocks) {
      GeomPtr boundary = own(ctx, GEOSBoundary_r(h, block.geometry.get()), "block boundary");
      append_lines(ctx, boundary.get(), into);
    }
  };
  auto segment_lines = [&](const std::vector<Segment>& segments, std::vector<GeomPtr>& into) {
    into.reserve(into.size() + segments.size());
    for (const Segment& segment : segments)
      into.push_back(to_geos(ctx, LineString{segment.first, segment.second}));
  };

  std::vector<Polygon>& piece_polygons = pieces.polygons;
  std::vector<Point>& piece_inside = pieces.inside;
  std::vector<std::int32_t>& piece_block = pieces.block;
  auto add_piece = [&](Polygon&& face) {
    if (face.outer.size() < 4 || area(face) <= 0.0) return;
    const Point inside = interior_point(ctx, face);
    // Faces outside every block (a hole of the community) are not pieces.
    const std::int32_t b = block_containing(inside);
    if (b == kNone) return;
    piece_polygons.push_back(std::move(face));
    piece_inside.push_back(inside);
    piece_block.push_back(b);
  };
  auto clear_pieces = [&] {
    pieces.sorted_segments.clear();
    piece_polygons.clear();
    piece_inside.clear();
    piece_block.clear();
  };
  // Faces of noded segments (own polygonizer); false when it finds them not noded. Each face's
  // interior point and block (add_piece's tests) are computed in parallel, in chunks (one GEOS
  // context per thread for the rare interior point GEOS computes), and the pieces kept in face
  // order: the result is the serial loop's.
  auto collect_pieces = [&](std::vector<Segment> segments) {
    clear_pieces();
    std::vector<Polygon> found;
    if (!polygonize_segments(std::move(segments), found, faces_progress)) return false;
    constexpr std::size_t kChunk = 1024;
    const std::size_t count = found.size();
    std::vector<Point> inside(count);
    std::vector<std::int32_t> block(count, kNone);
    PerThread<GeosContext> contexts;
    ProgressCount counted(pieces_progress, count, 4 * kChunk);
    parallel_for_chunks(0, count, kChunk, [&](std::size_t begin, std::size_t end) {
      for (std::size_t f = begin; f < end; ++f) {
        const Polygon& face = found[f];
        if (face.outer.size() < 4 || area(face) <= 0.0) continue;
        inside[f] = interior_point(contexts.local(), face);
        // Faces outside every block (a hole of the community) are not pieces.
        block[f] = block_containing(inside[f]);
      }
      counted.add(end - begin);
    });
    piece_polygons.reserve(count);
    piece_inside.reserve(count);
    piece_block.reserve(count);
    for (std::size_t f = 0; f < count; ++f) {
      if (block[f] == kNone) continue;
      piece_polygons.push_back(std::move(found[f]));
      piece_inside.push_back(inside[f]);
      piece_block.push_back(block[f]);
    }
    pieces_progress(1.0);
    return true;
  };
  // The same per street block (issue 14 item 2): each block's faces from its own linework and
  // its split boundary (polygonize_region), merged in the order of their lowest half-edges,
  // which is the order polygonize_segments gives the faces of the whole linework; so the
  // pieces are the ones collect_pieces finds, in its order, with the same rings. The
  // community-wide arrays (every segment sorted, the face walk's graph) become block-sized
  // ones, freed block by block. With `checked` (per block), each block also checks that its
  // checked segments bound two pieces (see below); a checked segment on the block's boundary,
  // where pieces of the block beside it count too, leaves the check to the whole community
  // (`check_here` false).
  std::atomic<bool> check_here{true};
  auto collect_block_pieces = [&](const RingParts& ring_parts,
                                  std::vector<std::vector<Segment>>& inside,
                                  const std::vector<std::vector<Segment>>* checked,
                                  bool& all_bound_two) {
    clear_pieces();
    check_here = true;
    const std::size_t block_count = blocks.size();
    struct BlockPieces {
      std::vector<Polygon> polygons;
      std::vector<Point> inside;
      std::vector<std::int32_t> block;
      std::vector<FaceKey> keys;
    };
    std::vector<BlockPieces> found(block_count);
    std::atomic<bool> noded{true};
    std::atomic<bool> bound_two{true};
    std::size_t total = 0;
    auto ring_size = [](const Ring& ring) { return ring.empty() ? 0 : ring.size() - 1; };
    auto block_size = [&](std::size_t b) {
      std::size_t count = inside[b].size() + ring_size(block_polygons[b].outer);
      for (const Ring& hole : block_polygons[b].holes) count += ring_size(hole);
      if (checked != nullptr) count += (*checked)[b].size();
      return count;
    };
    for (std::size_t b = 0; b < block_count; ++b) total += block_size(b);
    PerThread<GeosContext> contexts;
    ProgressCount counted(faces_progress, std::max<std::size_t>(total, 1), std::size_t(1) << 14);
    parallel_for(0, block_count, [&](std::size_t b) {
      if (!noded) return;
      const std::size_t size = block_size(b);
      std::vector<Segment> lines = std::move(inside[b]);
      inside[b] = {};
      if (checked != nullptr) lines.insert(lines.end(), (*checked)[b].begin(), (*checked)[b].end());
      std::vector<Segment> boundary;
      ring_parts.boundary_of(block_polygons[b], boundary);
      std::vector<Segment> on_boundary;  // for the check: the boundary's parts, normalised
      if (checked != nullptr && !(*checked)[b].empty()) {
        on_boundary.reserve(boundary.size());
        for (const Segment& part : boundary)
          on_boundary.push_back(normalised(part.first, part.second));
        std::sort(on_boundary.begin(), on_boundary.end(), SegmentLess{});
      }
      std::vector<Polygon> faces;
      std::vector<FaceKey> keys;
      if (!polygonize_region(std::move(lines), std::move(boundary), faces, keys)) {
        noded = false;
        return;
      }
      BlockPieces& out = found[b];
      // The block's units: half for its faces, half over their interior points (a large
      // block's are seconds).
      std::size_t added = size / 2;
      counted.add(added);
      for (std::size_t f = 0; f < faces.size(); ++f) {
        if ((f & 1023) == 1023) {
          const std::size_t due = size / 2 + (size - size / 2) * f / faces.size();
          if (due > added) counted.add(due - added);
          added = std::max(added, due);
        }
        Polygon& face = faces[f];
        if (face.outer.size() < 4 || area(face) <= 0.0) continue;
        const Point inside_point = interior_point(contexts.local(), face);
        // Faces outside every block (a hole of the community) are not pieces.
        const std::int32_t in_block = block_containing(inside_point);
        if (in_block == kNone) continue;
        out.polygons.push_back(std::move(face));
        out.inside.push_back(inside_point);
        out.block.push_back(in_block);
        out.keys.push_back(keys[f]);
      }
      if (checked != nullptr && !(*checked)[b].empty()) {
        // Every checked segment of the block bounds two of its pieces: the pieces' ring
        // segments, normalised, sorted, counted per checked segment (the community-wide
        // sorted_piece_segments this did before held 40 B per piece segment at once).
        std::vector<Segment> piece_segments;
        for (const Polygon& piece : out.polygons) {
          auto add_ring = [&](const Ring& ring) {
            for (std::size_t k = 0; k + 1 < ring.size(); ++k)
              if (!(ring[k] == ring[k + 1]))
                piece_segments.push_back(normalised(ring[k], ring[k + 1]));
          };
          add_ring(piece.outer);
          for (const Ring& hole : piece.holes) add_ring(hole);
        }
        std::sort(piece_segments.begin(), piece_segments.end(), SegmentLess{});
        for (const Segment& c : (*checked)[b]) {
          if (std::binary_search(on_boundary.begin(), on_boundary.end(), c, SegmentLess{}))
            check_here = false;
          const auto [lo, hi] =
              std::equal_range(piece_segments.begin(), piece_segments.end(), c, SegmentLess{});
          if (hi - lo != 2) bound_two = false;
        }
      }
      counted.add(size - added);
    });
    all_bound_two = bound_two;
    if (!noded) {
      clear_pieces();
      return false;
    }
    // The faces of all blocks in the order of their keys (lowest half-edge: segment, then
    // direction), which is the whole linework's face order.
    struct Order {
      FaceKey key;
      std::uint32_t block;
      std::uint32_t index;
    };
    std::vector<Order> order;
    std::size_t count = 0;
    for (const BlockPieces& block : found) count += block.keys.size();
    order.reserve(count);
    for (std::size_t b = 0; b < block_count; ++b)
      for (std::size_t f = 0; f < found[b].keys.size(); ++f)
        order.push_back({found[b].keys[f], std::uint32_t(b), std::uint32_t(f)});
    // Progress through the sort and the moves (2.5 s silent at 1M buildings otherwise).
    parallel_sort(
        order,
        [](const Order& s, const Order& t) {
          if (!(s.key.segment == t.key.segment)) return segment_less(s.key.segment, t.key.segment);
          if (s.key.reverse != t.key.reverse) return t.key.reverse;
          if (s.block != t.block) return s.block < t.block;
          return s.index < t.index;
        },
        [&](double f) { pieces_progress(0.7 * f); });
    piece_polygons.reserve(count);
    piece_inside.reserve(count);
    piece_block.reserve(count);
    for (std::size_t k = 0; k < order.size(); ++k) {
      if (k % 262144 == 262143) pieces_progress(0.7 + 0.3 * double(k) / double(order.size()));
      const Order& o = order[k];
      BlockPieces& from = found[o.block];
      piece_polygons.push_back(std::move(from.polygons[o.index]));
      piece_inside.push_back(from.inside[o.index]);
      piece_block.push_back(from.block[o.index]);
    }
    pieces_progress(1.0);
    return true;
  };
  // The pieces cover the blocks: a rounding slip in the noding would show as a missing or
  // doubled area.
  auto pieces_cover_blocks = [&] {
    double blocks_area = 0.0;
    for (const double a : piece_areas(block_polygons)) blocks_area += a;
    double pieces_area = 0.0;
    for (const double a : piece_areas(piece_polygons)) pieces_area += a;
    return std::abs(pieces_area - blocks_area) <= 1e-9 * blocks_area;
  };
  // An outline's rings join the GEOS noding of its block (`own_block`), or of every block its
  // box meets (it may cross block boundaries).
  auto add_outline = [&](std::size_t i, bool own_block, std::vector<BlockLines>& per_block) {
    const MultiPolygon& footprint = dataset.buildings[std::size_t(job.buildings[i])].footprint;
    auto add = [&](std::vector<const Ring*>& rings) {
      for (const Polygon& polygon : footprint) {
        rings.push_back(&polygon.outer);
        for (const Ring& hole : polygon.holes) rings.push_back(&hole);
      }
    };
    if (own_block) {
      add(per_block[std::size_t(building_block[i])].rings);
      return;
    }
    for (std::int32_t b : block_locator.candidates(bounds(footprint)))
      add(per_block[std::size_t(b)].rings);
  };
  // The edges per block (voronoi_edges: one BlockEdges per block, in block order); the loops
  // below visit them block after block, in the order the community-wide arrays held them.
  std::size_t whole_count = 0;
  std::size_t near_outline_count = 0;
  for (const BlockEdges& block_edges : edges) {
    whole_count += block_edges.whole.size();
    near_outline_count += block_edges.near_outline.size();
  }
  const bool near_cut_empty = std::all_of(edges.begin(), edges.end(),
                                          [](const BlockEdges& e) { return e.near_cut.empty(); });
  if (whole_count == 0) {
    for (std::size_t b = 0; b < blocks.size(); ++b) {
      piece_polygons.push_back(block_polygons[b]);
      piece_inside.push_back(blocks[b].inside);
      piece_block.push_back(std::int32_t(b));
    }
  } else {
    bool pieces_tile = false;
    if (snap_grid_m <= 0.0) {
      // Only the edges near block boundaries and outlines are noded; the inner ones join the
      // polygonizing as they are. Checked: the pieces must tile the blocks (a rounding slip
      // would show as a missing or doubled area); else the whole linework is noded.
      // A free outline: one simple ring whose box, widened by kClearanceM, meets no other
      // outline and no block boundary, and whose Voronoi edges come near no other outline and
      // were not cut at a block boundary. It and its edges are crossed here (cross_outline).
      // Progress through these loops per building and edge (seconds each at 1M buildings).
      // Each building's test is its own (index queries only): in parallel.
      {
        const std::function<void(double)> free_progress = [&](double f) { mark(0.01 * f); };
        const std::size_t chunk = std::clamp<std::size_t>(n / 32, 64, 4096);
        ProgressCount free_counted(free_progress, n, chunk);
        parallel_for_chunks(0, n, chunk, [&](std::size_t begin, std::size_t end) {
          std::vector<std::int32_t> hits;
          for (std::size_t i = begin; i < end; ++i) {
            const MultiPolygon& footprint =
                dataset.buildings[std::size_t(job.buildings[i])].footprint;
            if (outlined[i] == 0 || footprint.size() != 1 || !footprint.front().holes.empty() ||
                footprint.front().outer.size() < 4 || building_block[i] == kNone)
              continue;
            Box box = bounds(footprint);
            box.min_x -= kClearanceM;
            box.min_y -= kClearanceM;
            box.max_x += kClearanceM;
            box.max_y += kClearanceM;
            outline_boxes.intersecting(box, hits);
            if (hits.size() != 1 || block_shapes[std::size_t(building_block[i])].boundary_near(box))
              continue;
            free_outline[i] = 1;
          }
          free_counted.add(end - begin);
        });
      }
      for (const BlockEdges& block_edges : edges)
        for (std::int32_t i : block_edges.near_cut) free_outline[std::size_t(i)] = 0;
      mark(0.01);
      for (const BlockEdges& block_edges : edges)
        for (std::int32_t i : block_edges.near_several) free_outline[std::size_t(i)] = 0;
      // Each member of the blocks' edges is freed as soon as this path has used it (freed
      // memory is then reused by the noding and the faces below, which hold the tessellation's
      // peak at 1M buildings); only `whole` stays, for the fallbacks.
      auto release = [](auto& member) { std::decay_t<decltype(member)>().swap(member); };
      for (BlockEdges& block_edges : edges) {
        release(block_edges.near_several);
        release(block_edges.near_cut);
      }
      // What GEOS nodes, block by block (node_blocks).
      std::vector<BlockLines> per_block(blocks.size());
      std::vector<std::vector<Segment>> free_edges(n);
      LoopTicks edge_ticks(mark, 0.01, 0.02, near_outline_count + blocks.size() + n);
      for (std::size_t b = 0; b < edges.size(); ++b) {
        const BlockEdges& block_edges = edges[b];
        for (std::size_t k = 0; k < block_edges.near_outline.size(); ++k) {
          edge_ticks.step();
          const Segment& segment = block_edges.near_outline[k];
          const std::int32_t one = block_edges.near_outline_one[k];
          if (one >= 0 && free_outline[std::size_t(one)] != 0)
            free_edges[std::size_t(one)].push_back(segment);
          else
            per_block[b].edges.push_back(segment);
        }
        release(edges[b].near_outline);
        release(edges[b].near_outline_one);
      }
      // Must each bound two pieces, per block: the inner edges (moved out of the block's
      // edges: only this path uses them), the crossed free outlines, the edge parts inside the
      // blocks.
      std::vector<std::vector<Segment>> checked(blocks.size());
      for (std::size_t b = 0; b < edges.size(); ++b, edge_ticks.step())
        checked[b] = std::move(edges[b].inner);
      std::vector<Segment> crossed;
      for (std::size_t i = 0; i < n; ++i) {
        edge_ticks.step();
        if (free_outline[i] == 0) continue;
        crossed.clear();
        const Ring& ring = dataset.buildings[std::size_t(job.buildings[i])].footprint.front().outer;
        if (cross_outline(ring, free_edges[i], crossed)) {
          for (const Segment& segment : crossed)
            if (!(segment.first == segment.second))
              checked[std::size_t(building_block[i])].push_back(
                  normalised(segment.first, segment.second));
        } else {
          free_outline[i] = 0;
          std::vector<Segment>& into = per_block[std::size_t(building_block[i])].edges;
          into.insert(into.end(), free_edges[i].begin(), free_edges[i].end());
        }
      }
      free_edges = {};
      // The edges near block boundaries are crossed with the block rings here too, unless
      // something GEOS nodes (an outline that is not free, an edge near one) comes within
      // kClearanceM of a block boundary.
      mark(0.02);
      bool own_rings = near_cut_empty;
      // Buildings twice (here and adding the outlines), the edges crossing block rings once.
      std::size_t boundary_count = 0;
      for (const BlockEdges& block_edges : edges) boundary_count += block_edges.boundary.size();
      LoopTicks ring_ticks(mark, 0.02, 0.05, 2 * n + boundary_count);
      if (own_rings) {  // each building's test is its own: in parallel, any one decides
        std::atomic<bool> near_boundary{false};
        parallel_for_chunks(0, n, 4096, [&](std::size_t begin, std::size_t end) {
          for (std::size_t i = begin; i < end && !near_boundary; ++i) {
            if (outlined[i] == 0 || free_outline[i] != 0) continue;
            Box box = bounds(dataset.buildings[std::size_t(job.buildings[i])].footprint);
            box.min_x -= kClearanceM;
            box.min_y -= kClearanceM;
            box.max_x += kClearanceM;
            box.max_y += kClearanceM;
            if (building_block[i] == kNone ||
                block_shapes[std::size_t(building_block[i])].boundary_near(box))
              near_boundary = true;
          }
        });
        own_rings = !near_boundary;
      }
      ring_ticks.step(n);
      RingParts ring_parts;
      if (own_rings) {
        std::vector<std::vector<Segment>> edge_parts(blocks.size());
        own_rings = cross_block_rings(edges, block_shapes, block_polygons, edge_parts, ring_parts,
                                      ring_ticks);
        if (own_rings) {
          for (std::size_t b = 0; b < blocks.size(); ++b)
            for (const Segment& part : edge_parts[b])
              checked[b].push_back(normalised(part.first, part.second));
        } else {
          ring_parts = RingParts{};
        }
      }
      for (std::size_t b = 0; b < edges.size(); ++b) {
        if (!own_rings)
          per_block[b].edges.insert(per_block[b].edges.end(), edges[b].to_node.begin(),
                                    edges[b].to_node.end());
        release(edges[b].to_node);
        release(edges[b].boundary);
      }
      // Outlines that are not free: in their block when the rings were crossed above (they are
      // then clear of every block boundary), else in every block their box meets (those blocks
      // found in parallel, the outlines then added in building order as before).
      std::vector<std::vector<std::int32_t>> outline_blocks;
      if (!own_rings) {
        outline_blocks.resize(n);
        parallel_for_chunks(0, n, 4096, [&](std::size_t begin, std::size_t end) {
          for (std::size_t i = begin; i < end; ++i)
            if (outlined[i] != 0 && free_outline[i] == 0)
              outline_blocks[i] = block_locator.candidates(
                  bounds(dataset.buildings[std::size_t(job.buildings[i])].footprint));
        });
      }
      for (std::size_t i = 0; i < n; ++i) {
        ring_ticks.step();
        if (outlined[i] == 0 || free_outline[i] != 0) continue;
        if (own_rings) {
          add_outline(i, true, per_block);
          continue;
        }
        const MultiPolygon& footprint = dataset.buildings[std::size_t(job.buildings[i])].footprint;
        for (std::int32_t b : outline_blocks[i])
          for (const Polygon& polygon : footprint) {
            per_block[std::size_t(b)].rings.push_back(&polygon.outer);
            for (const Ring& hole : polygon.holes) per_block[std::size_t(b)].rings.push_back(&hole);
          }
        outline_blocks[i] = {};
      }
      outline_blocks = {};
      mark(0.05);
      std::vector<std::vector<Segment>> inside;
      RingParts noded_rings;
      node_blocks(progress, block_shapes, block_polygons, per_block, !own_rings, noded_rings,
                  inside);
      per_block = {};
      if (!own_rings) ring_parts = std::move(noded_rings);
      // And every inner edge separates two pieces: had the noding moved a vertex that inner
      // edges end at, they would dangle and be dropped, merging pieces without changing the
      // area. Checked per block while its pieces are made.
      bool all_bound_two = true;
      pieces_tile = collect_block_pieces(ring_parts, inside, &checked, all_bound_two) &&
                    pieces_cover_blocks();
      if (pieces_tile && !check_here) {
        // A checked segment on a block boundary (not seen on the real towns): counted over the
        // whole community as before.
        mark(0.92);
        pieces.sorted_segments =
            sorted_piece_segments(piece_polygons, [&](double f) { mark(0.92 + 0.06 * f); });
        const std::vector<SegmentEntry>& piece_segments = pieces.sorted_segments;
        auto entry_less = [](const SegmentEntry& s, const Segment& t) {
          return s.a == t.first ? less_point(s.b, t.second) : less_point(s.a, t.first);
        };
        auto segment_entry_less = [](const Segment& s, const SegmentEntry& t) {
          return s.first == t.a ? less_point(s.second, t.b) : less_point(s.first, t.a);
        };
        all_bound_two = true;
        for (const std::vector<Segment>& block_checked : checked)
          for (const Segment& c : block_checked) {
            const auto lo =
                std::lower_bound(piece_segments.begin(), piece_segments.end(), c, entry_less);
            const auto hi = std::upper_bound(lo, piece_segments.end(), c, segment_entry_less);
            if (hi - lo != 2) all_bound_two = false;
          }
      }
      if (pieces_tile) pieces_tile = all_bound_two;
    }
    report(attempt_to);
    if (!pieces_tile && snap_grid_m <= 0.0) {
      // Everything through GEOS, still block by block.
      attempt_from = attempt_to;
      attempt_to = 1.0;
      progress = attempt_part(0.05, 0.45);
      faces_progress = attempt_part(0.45, 0.75);
      pieces_progress = attempt_part(0.75, 0.9);
      std::fill(free_outline.begin(), free_outline.end(), 0);
      std::vector<BlockLines> per_block(blocks.size());
      for (std::size_t b = 0; b < edges.size(); ++b)
        per_block[b].edges.insert(per_block[b].edges.end(), edges[b].whole.begin(),
                                  edges[b].whole.end());
      for (std::size_t i = 0; i < n; ++i)
        if (outlined[i] != 0) add_outline(i, false, per_block);
      RingParts ring_parts;
      std::vector<std::vector<Segment>> inside;
      node_blocks(progress, block_shapes, block_polygons, per_block, true, ring_parts, inside);
      per_block = {};
      bool unused = true;
      pieces_tile =
          collect_block_pieces(ring_parts, inside, nullptr, unused) && pieces_cover_blocks();
    }
    if (!pieces_tile) {
      // The whole community's linework in one GEOS noding (snap-rounded on a retry).
      std::fill(free_outline.begin(), free_outline.end(), 0);
      std::vector<GeomPtr> cut_lines;
      for (const BlockEdges& block_edges : edges) segment_lines(block_edges.whole, cut_lines);
      outline_lines(cut_lines);
      block_lines(cut_lines);
      GeomPtr noded = node_lines(ctx, cut_lines, snap_grid_m);
      std::vector<Segment> segments;
      append_segments(ctx, noded.get(), segments);
      if (!collect_pieces(std::move(segments))) {
        // GEOS's polygonizer as the last resort (it drops what it cannot use).
        clear_pieces();
        for (GeomPtr& face : polygonize(ctx, noded.get())) {
          MultiPolygon mp = to_multipolygon(ctx, face.get());
          if (!mp.empty()) {
            orient(mp.front());
            add_piece(std::move(mp.front()));
          }
        }
      }
    }
  }
  return pieces;
}

}  // namespace gp::geo::detail
