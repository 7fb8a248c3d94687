#include "planner/geo/tessellation_faces.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>

#include "planner/geo/spatial_index.hpp"

namespace gp::geo::detail {
namespace {

/// Twice the signed area of a closed ring, relative to its first vertex for precision.
double signed_area2(const Ring& ring) {
  double a2 = 0.0;
  const Point o = ring.front();
  for (std::size_t k = 0; k + 1 < ring.size(); ++k)
    a2 += (ring[k].x - o.x) * (ring[k + 1].y - o.y) - (ring[k + 1].x - o.x) * (ring[k].y - o.y);
  return a2;
}

using Id = std::uint32_t;

/// The graph after dropping dangles and cut edges: vertices, edges (u < v by coordinates), and
/// per vertex its outgoing half-edges (2e: u→v, 2e+1: v→u) counter-clockwise by angle.
class FaceGraph {
 public:
  FaceGraph(std::vector<Point> vertices, std::vector<std::pair<Id, Id>> edges)
      : vertices_(std::move(vertices)), edges_(std::move(edges)), alive_(edges_.size(), 1) {}

  [[nodiscard]] const std::vector<Point>& vertices() const { return vertices_; }
  [[nodiscard]] Id origin(Id h) const {
    return h % 2 == 0 ? edges_[h / 2].first : edges_[h / 2].second;
  }

  /// Drops edges with an end of degree one, repeatedly.
  void prune_dangles() {
    std::vector<Id> degree(vertices_.size(), 0);
    for (std::size_t e = 0; e < edges_.size(); ++e)
      if (alive_[e]) {
        ++degree[edges_[e].first];
        ++degree[edges_[e].second];
      }
    build_incidence();
    std::vector<Id> stack;
    for (Id v = 0; v < Id(vertices_.size()); ++v)
      if (degree[v] == 1) stack.push_back(v);
    while (!stack.empty()) {
      const Id v = stack.back();
      stack.pop_back();
      if (degree[v] != 1) continue;
      for (Id k = first_[v]; k < first_[v + 1]; ++k) {
        const Id e = incident_[k];
        if (!alive_[e]) continue;
        alive_[e] = 0;
        --degree[v];
        const Id w = edges_[e].first == v ? edges_[e].second : edges_[e].first;
        if (--degree[w] == 1) stack.push_back(w);
        break;
      }
    }
  }

  /// Sorts each vertex's outgoing half-edges by angle. False when two leave in one direction.
  bool sort_stars() {
    build_incidence();
    out_.assign(incident_.size(), 0);
    angle_.assign(2 * edges_.size(), 0.0);
    position_.assign(2 * edges_.size(), 0);
    // Each vertex's star is its own (its ranges of out_, its half-edges' angles and positions):
    // vertices in parallel, in chunks.
    std::atomic<bool> overlap{false};
    parallel_for_chunks(0, vertices_.size(), 8192, [&](std::size_t lo, std::size_t hi) {
      for (Id v = Id(lo); v < Id(hi); ++v) {
        const Id begin = first_[v];
        const Id end = first_[v + 1];
        for (Id k = begin; k < end; ++k) {
          const Id e = incident_[k];
          const Id h = edges_[e].first == v ? 2 * e : 2 * e + 1;
          const Point& a = vertices_[v];
          const Point& b = vertices_[h % 2 == 0 ? edges_[e].second : edges_[e].first];
          angle_[h] = std::atan2(b.y - a.y, b.x - a.x);
          out_[k] = h;
        }
        std::sort(out_.begin() + begin, out_.begin() + end, [&](Id g, Id h) {
          return angle_[g] != angle_[h] ? angle_[g] < angle_[h] : g < h;
        });
        for (Id k = begin; k < end; ++k) {
          if (k > begin && angle_[out_[k]] == angle_[out_[k - 1]]) overlap = true;
          position_[out_[k]] = k;
        }
      }
    });
    return !overlap;
  }

  /// The half-edge after `h` on the face to its left: at h's end, the outgoing half-edge just
  /// clockwise of h's twin.
  [[nodiscard]] Id next(Id h) const {
    const Id twin = h ^ 1U;
    const Id v = origin(twin);
    const Id k = position_[twin];
    return k == first_[v] ? out_[first_[v + 1] - 1] : out_[k - 1];
  }

  [[nodiscard]] bool alive(Id e) const { return alive_[e] != 0; }
  void kill(Id e) { alive_[e] = 0; }
  [[nodiscard]] std::size_t edge_count() const { return edges_.size(); }
  [[nodiscard]] const std::pair<Id, Id>& edge(Id e) const { return edges_[e]; }

 private:
  /// first_/incident_: the alive edges at each vertex (CSR).
  void build_incidence() {
    first_.assign(vertices_.size() + 1, 0);
    for (std::size_t e = 0; e < edges_.size(); ++e)
      if (alive_[e]) {
        ++first_[edges_[e].first + 1];
        ++first_[edges_[e].second + 1];
      }
    std::partial_sum(first_.begin(), first_.end(), first_.begin());
    incident_.assign(first_.back(), 0);
    std::vector<Id> fill(first_.begin(), first_.end() - 1);
    for (std::size_t e = 0; e < edges_.size(); ++e)
      if (alive_[e]) {
        incident_[fill[edges_[e].first]++] = Id(e);
        incident_[fill[edges_[e].second]++] = Id(e);
      }
  }

  std::vector<Point> vertices_;
  std::vector<std::pair<Id, Id>> edges_;
  std::vector<char> alive_;
  std::vector<Id> first_;
  std::vector<Id> incident_;
  std::vector<Id> out_;  // parallel to incident_: outgoing half-edges sorted by angle
  std::vector<double> angle_;
  std::vector<Id> position_;  // half-edge → its index in out_
};

}  // namespace

namespace {

/// The face walk of polygonize_segments and polygonize_region over sorted, unique, normalised
/// segments. `outside` (empty, or one byte per segment): bit 0 marks the half-edge first→second,
/// bit 1 the half-edge second→first, as having the outside of the region on its left: a cycle
/// holding such a half-edge is no face of the region (and no hole of one). `keys` (optional)
/// takes each face's lowest half-edge.
bool walk_faces(std::vector<Segment> segments, std::vector<std::uint8_t> outside,
                std::vector<Polygon>& faces, std::vector<FaceKey>* keys,
                const std::function<void(double)>& tick);

}  // namespace

bool polygonize_segments(std::vector<Segment> segments, std::vector<Polygon>& faces,
                         const std::function<void(double)>& progress) {
  // Progress at the end of each pass, weighted by its time on real-100000's one community.
  auto tick = [&](double f) {
    if (progress) progress(f);
  };
  faces.clear();
  // Edges between unique vertices.
  std::erase_if(segments, [](const Segment& s) { return s.first == s.second; });
  for (Segment& s : segments)
    if (less_point(s.second, s.first)) std::swap(s.first, s.second);
  parallel_sort(segments, segment_less, [&](double f) { tick(0.2 * f); });
  segments.erase(std::unique(segments.begin(), segments.end()), segments.end());
  tick(0.2);
  return walk_faces(std::move(segments), {}, faces, nullptr, tick);
}

bool polygonize_region(std::vector<Segment> segments, std::vector<Segment> boundary,
                       std::vector<Polygon>& faces, std::vector<FaceKey>& keys) {
  faces.clear();
  keys.clear();
  // Normalised, with the outside's half-edge marked (bit 0: first→second, bit 1: the reverse).
  std::vector<std::pair<Segment, std::uint8_t>> marked;
  marked.reserve(segments.size() + boundary.size());
  for (const Segment& s : segments)
    if (!(s.first == s.second)) marked.emplace_back(normalised(s.first, s.second), 0);
  segments.clear();
  segments.shrink_to_fit();
  for (const Segment& s : boundary) {
    if (s.first == s.second) continue;
    // s runs with the region on its left: its reverse has the outside on its left.
    if (less_point(s.first, s.second))
      marked.emplace_back(s, 2);
    else
      marked.emplace_back(Segment{s.second, s.first}, 1);
  }
  boundary.clear();
  boundary.shrink_to_fit();
  std::sort(marked.begin(), marked.end(),
            [](const auto& s, const auto& t) { return segment_less(s.first, t.first); });
  std::vector<Segment> unique;
  std::vector<std::uint8_t> outside;
  unique.reserve(marked.size());
  outside.reserve(marked.size());
  for (const auto& [s, flag] : marked) {
    if (!unique.empty() && unique.back() == s) {
      outside.back() |= flag;
    } else {
      unique.push_back(s);
      outside.push_back(flag);
    }
  }
  marked.clear();
  marked.shrink_to_fit();
  return walk_faces(std::move(unique), std::move(outside), faces, &keys, {});
}

namespace {

bool walk_faces(std::vector<Segment> segments, std::vector<std::uint8_t> outside,
                std::vector<Polygon>& faces, std::vector<FaceKey>* keys,
                const std::function<void(double)>& progress) {
  auto tick = [&](double f) {
    if (progress) progress(f);
  };
  if (segments.size() < 3) return true;
  // Vertices (sorted, unique) and each edge's two vertex ids. The segments are sorted, so their
  // first ends already come in order; only the second ends are sorted (with the segment they
  // end), and one merge of the two runs numbers the vertices. The same ids as a sort of all 2S
  // ends and a binary search per end, at half the sorting and none of the searches, whose
  // random reads over the whole community's vertices grew with its size (issue 14 item 2).
  const std::size_t segment_count = segments.size();
  std::vector<std::pair<Point, Id>> seconds(segment_count);
  parallel_for_chunks(0, segment_count, 16384, [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = begin; k < end; ++k) seconds[k] = {segments[k].second, Id(k)};
  });
  // A total order (by point, then segment): parallel_sort then gives std::sort's order.
  parallel_sort(
      seconds,
      [](const std::pair<Point, Id>& s, const std::pair<Point, Id>& t) {
        if (!(s.first == t.first)) return less_point(s.first, t.first);
        return s.second < t.second;
      },
      [&](double f) { tick(0.2 + 0.15 * f); });
  tick(0.35);
  std::vector<Point> vertices;
  vertices.reserve(segment_count);  // about 2/3 of it on real linework (vertices of degree 3)
  std::vector<std::pair<Id, Id>> edges(segment_count);
  {
    auto number = [&](const Point& p) {
      if (vertices.empty() || !(vertices.back() == p)) vertices.push_back(p);
      return Id(vertices.size() - 1);
    };
    std::size_t i = 0;  // next first end, in segment order
    std::size_t j = 0;  // next second end, in point order
    while (i < segment_count || j < seconds.size()) {
      if (j == seconds.size() ||
          (i < segment_count && !less_point(seconds[j].first, segments[i].first))) {
        edges[i].first = number(segments[i].first);
        ++i;
      } else {
        edges[seconds[j].second].second = number(seconds[j].first);
        ++j;
      }
      if (((i + j) & 0x3FFFF) == 0) tick(0.35 + 0.1 * double(i + j) / double(2 * segment_count));
    }
  }
  seconds.clear();
  seconds.shrink_to_fit();
  segments.clear();
  segments.shrink_to_fit();
  FaceGraph graph(std::move(vertices), std::move(edges));
  const std::vector<Point>& points = graph.vertices();
  tick(0.45);

  // Face cycles; cut edges (both sides on one cycle) are dropped and the walk repeated.
  // The cycles' half-edges one after the other in one array (cycle c: cycle_half[cycle_first[c]]
  // up to cycle_first[c + 1]): no allocation per face.
  std::vector<Id> cycle_of;
  std::vector<Id> cycle_half;
  std::vector<std::size_t> cycle_first;
  while (true) {
    graph.prune_dangles();
    tick(0.5);
    if (!graph.sort_stars()) return false;
    tick(0.6);
    cycle_of.assign(2 * graph.edge_count(), Id(-1));
    cycle_half.clear();
    cycle_first.assign(1, 0);
    const Id edge_count = Id(graph.edge_count());
    for (Id e = 0; e < edge_count; ++e) {
      if (e % 65536 == 65535) tick(0.6 + 0.25 * double(e) / double(edge_count));
      if (!graph.alive(e)) continue;
      for (Id start : {2 * e, 2 * e + 1}) {
        if (cycle_of[start] != Id(-1)) continue;
        const Id c = Id(cycle_first.size() - 1);
        Id h = start;
        do {
          if (cycle_of[h] != Id(-1)) return false;  // not a consistent planar graph
          cycle_of[h] = c;
          cycle_half.push_back(h);
          h = graph.next(h);
        } while (h != start);
        cycle_first.push_back(cycle_half.size());
      }
    }
    bool cut = false;
    for (Id e = 0; e < Id(graph.edge_count()); ++e)
      if (graph.alive(e) && cycle_of[2 * e] == cycle_of[2 * e + 1]) {
        graph.kill(e);
        cut = true;
      }
    if (!cut) break;
  }
  tick(0.85);

  // Rings: positive area = a face's shell; negative = the outline of a connected part of the
  // graph, a hole of the face around it (or of none: the unbounded face).
  const std::size_t cycle_count = cycle_first.size() - 1;
  auto cycle_start = [&](std::size_t c) { return cycle_half[cycle_first[c]]; };
  std::vector<Ring> rings(cycle_count);
  std::vector<double> area2(cycle_count);
  for (std::size_t c = 0; c < cycle_count; ++c) {
    Ring& ring = rings[c];
    ring.reserve(cycle_first[c + 1] - cycle_first[c] + 1);
    for (std::size_t k = cycle_first[c]; k < cycle_first[c + 1]; ++k)
      ring.push_back(points[graph.origin(cycle_half[k])]);
    ring.push_back(ring.front());
    area2[c] = signed_area2(ring);
  }
  // A cycle with a half-edge that has the region's outside on its left is outside the region
  // (the unbounded face, the inside of the region's holes): neither a face nor a hole.
  auto is_outside = [&](std::size_t c) {
    if (outside.empty()) return false;
    for (std::size_t k = cycle_first[c]; k < cycle_first[c + 1]; ++k) {
      const Id h = cycle_half[k];
      if ((outside[h / 2] >> (h % 2)) & 1U) return true;
    }
    return false;
  };
  std::vector<std::size_t> shell_of_cycle(cycle_count, std::size_t(-1));
  std::vector<std::size_t> holes;
  for (std::size_t c = 0; c < cycle_count; ++c) {
    if (area2[c] == 0.0 || is_outside(c)) continue;
    if (area2[c] > 0.0) {
      shell_of_cycle[c] = faces.size();
      faces.push_back({std::move(rings[c]), {}});
      if (keys != nullptr) {
        // The cycle starts at its lowest half-edge (the walk starts each cycle at the lowest
        // one not yet walked): the key that orders the faces of the whole arrangement.
        const Id h = cycle_start(c);
        const std::pair<Id, Id>& e = graph.edge(h / 2);
        keys->push_back({{points[e.first], points[e.second]}, h % 2 != 0});
      }
    } else {
      holes.push_back(c);
    }
  }
  tick(0.95);
  // One connected part: its outline bounds nothing. (In a region, the outside cycles are left
  // out already, so every hole left is inside a face.)
  if (outside.empty() ? holes.size() <= 1 : holes.empty()) return true;

  // Connected parts, to tell a hole's own faces from the faces around it.
  std::vector<Id> part(points.size());
  std::iota(part.begin(), part.end(), Id(0));
  auto root = [&](Id v) {
    while (part[v] != v) v = part[v] = part[part[v]];
    return v;
  };
  for (Id e = 0; e < Id(graph.edge_count()); ++e)
    if (graph.alive(e)) {
      const Id a = root(graph.edge(e).first);
      const Id b = root(graph.edge(e).second);
      if (a != b) part[std::max(a, b)] = std::min(a, b);
    }
  std::vector<Box> shell_boxes;
  std::vector<Id> shell_part;
  std::vector<double> shell_area2;
  for (std::size_t c = 0; c < cycle_count; ++c)
    if (shell_of_cycle[c] != std::size_t(-1)) {
      shell_boxes.push_back(bounds(faces[shell_of_cycle[c]].outer));
      shell_part.push_back(root(graph.origin(cycle_start(c))));
      shell_area2.push_back(area2[c]);
    }
  const BoxIndex index(shell_boxes);
  std::vector<std::int32_t> candidates;
  for (std::size_t c : holes) {
    const Ring& hole = rings[c];
    const Box box = bounds(hole);
    const Id hole_part = root(graph.origin(cycle_start(c)));
    index.intersecting(box, candidates);
    std::int32_t best = -1;
    for (std::int32_t s : candidates) {
      const Box& sb = shell_boxes[std::size_t(s)];
      if (shell_part[std::size_t(s)] == hole_part || sb.min_x > box.min_x || sb.min_y > box.min_y ||
          sb.max_x < box.max_x || sb.max_y < box.max_y)
        continue;
      if (best >= 0 && shell_area2[std::size_t(s)] >= shell_area2[std::size_t(best)]) continue;
      if (in_ring(faces[std::size_t(s)].outer, hole.front())) best = s;
    }
    if (best >= 0) faces[std::size_t(best)].holes.push_back(std::move(rings[c]));
  }
  return true;
}

}  // namespace

}  // namespace gp::geo::detail
