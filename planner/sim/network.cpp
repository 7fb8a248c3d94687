#include "planner/sim/network.hpp"

#include "planner/core/parallel.hpp"
#include "planner/core/road_classes.hpp"
#include "planner/core/shortest_path.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <unordered_map>

namespace gp::sim {

namespace {

struct Segment {
  Point a, b;
  int level = 0;
};

struct Split {
  double t = 0.0;
  Point point;
};

struct KeyHash {
  std::size_t operator()(const std::pair<std::int64_t, std::int64_t>& key) const {
    return std::hash<std::int64_t>()(key.first * 1000003LL) ^ std::hash<std::int64_t>()(key.second);
  }
};

/// Crossing of segments p and q as fractions along each; false when parallel or apart.
bool crossing(const Segment& p, const Segment& q, double& t, double& u) {
  const double rx = p.b.x - p.a.x, ry = p.b.y - p.a.y;
  const double sx = q.b.x - q.a.x, sy = q.b.y - q.a.y;
  const double denominator = rx * sy - ry * sx;
  if (std::abs(denominator) < 1e-12 * (std::hypot(rx, ry) * std::hypot(sx, sy) + 1e-300)) {
    return false;
  }
  const double qx = q.a.x - p.a.x, qy = q.a.y - p.a.y;
  t = (qx * sy - qy * sx) / denominator;
  u = (qx * ry - qy * rx) / denominator;
  constexpr double eps = 1e-9;
  return t >= -eps && t <= 1.0 + eps && u >= -eps && u <= 1.0 + eps;
}

double clamp01(double v) {
  return std::min(1.0, std::max(0.0, v));
}

}  // namespace

WalkNetwork WalkNetwork::from_lines(const std::vector<Line>& lines, const CoverageParams& params,
                                    Progress* progress) {
  std::vector<LineString> polylines;
  std::vector<int> levels;
  for (const Line& line : lines) {
    if (line.kind != LineKind::road || !line.walkable || line.geometry.size() < 2) continue;
    if (road_class_in(line.cls, params.forbidden_classes)) continue;
    polylines.push_back(line.geometry);
    levels.push_back(line.bridge ? 1 : line.tunnel ? -1 : 0);
  }
  return from_polylines(polylines, levels, progress);
}

WalkNetwork WalkNetwork::from_polylines(const std::vector<LineString>& polylines,
                                        const std::vector<int>& levels, Progress* progress) {
  constexpr std::string_view kStage = "coverage: walking network";
  if (progress) progress->update(kStage, 0.0);
  std::vector<Segment> segments;
  Box box;
  double total_length = 0.0;
  for (std::size_t l = 0; l < polylines.size(); ++l) {
    const LineString& line = polylines[l];
    for (std::size_t i = 0; i + 1 < line.size(); ++i) {
      if (line[i] == line[i + 1]) continue;
      segments.push_back({line[i], line[i + 1], l < levels.size() ? levels[l] : 0});
      box.expand(line[i]);
      box.expand(line[i + 1]);
      total_length += std::hypot(line[i + 1].x - line[i].x, line[i + 1].y - line[i].y);
    }
  }
  WalkNetwork network;
  if (segments.empty()) return network;

  // Crossings: bucket segments by a uniform grid, test pairs within each cell, and keep a pair's
  // crossing only in the cell that holds the crossing point (each crossing counted once).
  const double width = std::max(box.width(), 1.0), height = std::max(box.height(), 1.0);
  double cell = std::max(2.0 * total_length / static_cast<double>(segments.size()), 1.0);
  cell = std::max(cell, std::sqrt(width * height / 4.0e6));
  const auto columns = static_cast<std::int64_t>(width / cell) + 1;
  const auto rows = static_cast<std::int64_t>(height / cell) + 1;
  auto cx = [&](double x) {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>((x - box.min_x) / cell), 0,
                                    columns - 1);
  };
  auto cy = [&](double y) {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>((y - box.min_y) / cell), 0, rows - 1);
  };
  std::vector<std::int32_t> offsets(static_cast<std::size_t>(columns * rows + 1), 0);
  auto for_cells = [&](const Segment& s, auto&& visit) {
    for (std::int64_t y = cy(std::min(s.a.y, s.b.y)); y <= cy(std::max(s.a.y, s.b.y)); ++y) {
      for (std::int64_t x = cx(std::min(s.a.x, s.b.x)); x <= cx(std::max(s.a.x, s.b.x)); ++x) {
        visit(static_cast<std::size_t>(y * columns + x));
      }
    }
  };
  for (const Segment& s : segments) for_cells(s, [&](std::size_t c) { ++offsets[c + 1]; });
  for (std::size_t c = 1; c < offsets.size(); ++c) offsets[c] += offsets[c - 1];
  std::vector<std::int32_t> members(static_cast<std::size_t>(offsets.back()));
  {
    std::vector<std::int32_t> fill(offsets.begin(), offsets.end() - 1);
    for (std::size_t i = 0; i < segments.size(); ++i) {
      for_cells(segments[i], [&](std::size_t c) {
        members[static_cast<std::size_t>(fill[c]++)] = static_cast<std::int32_t>(i);
      });
    }
  }
  std::vector<std::vector<Split>> splits(segments.size());
  // The crossings are the first 60 % of the stage, by grid cells done; the nodes the rest.
  WorkCounter crossings(progress, std::string(kStage), static_cast<double>(offsets.size()), 0.0,
                        0.6);
  for (std::size_t c = 0; c + 1 < offsets.size(); ++c) {
    if ((c & 4095U) == 4095U) crossings.add(4096.0);
    for (std::int32_t i = offsets[c]; i < offsets[c + 1]; ++i) {
      const auto si = static_cast<std::size_t>(members[static_cast<std::size_t>(i)]);
      for (std::int32_t j = i + 1; j < offsets[c + 1]; ++j) {
        const auto sj = static_cast<std::size_t>(members[static_cast<std::size_t>(j)]);
        const Segment& p = segments[si];
        const Segment& q = segments[sj];
        if (p.level != q.level) continue;  // bridge over street, street over tunnel: no junction
        double t = 0.0, u = 0.0;
        if (!crossing(p, q, t, u)) continue;
        t = clamp01(t);
        u = clamp01(u);
        // Use an exact end point where the crossing is at one, so both sides get the same node.
        Point point{p.a.x + t * (p.b.x - p.a.x), p.a.y + t * (p.b.y - p.a.y)};
        if (t < 1e-9)
          point = p.a;
        else if (t > 1.0 - 1e-9)
          point = p.b;
        else if (u < 1e-9)
          point = q.a;
        else if (u > 1.0 - 1e-9)
          point = q.b;
        if (static_cast<std::size_t>(cy(point.y) * columns + cx(point.x)) != c) continue;
        splits[si].push_back({t, point});
        splits[sj].push_back({u, point});
      }
    }
  }

  // Nodes by coordinates rounded to 1 cm; edges between consecutive split points.
  std::unordered_map<std::pair<std::int64_t, std::int64_t>, std::int32_t, KeyHash> node_ids;
  node_ids.reserve(segments.size() * 2);
  auto node_of = [&](const Point& p) {
    const std::pair<std::int64_t, std::int64_t> key{std::llround(p.x * 100.0),
                                                    std::llround(p.y * 100.0)};
    const auto [it, inserted] =
        node_ids.emplace(key, static_cast<std::int32_t>(network.nodes_.size()));
    if (inserted) network.nodes_.push_back(p);
    return it->second;
  };
  crossings.finish();
  WorkCounter nodes(progress, std::string(kStage), static_cast<double>(segments.size()), 0.6, 1.0);
  for (std::size_t s = 0; s < segments.size(); ++s) {
    if ((s & 4095U) == 4095U) nodes.add(4096.0);
    std::vector<Split>& points = splits[s];
    points.push_back({0.0, segments[s].a});
    points.push_back({1.0, segments[s].b});
    std::stable_sort(points.begin(), points.end(),
                     [](const Split& x, const Split& y) { return x.t < y.t; });
    std::int32_t previous = node_of(points.front().point);
    for (std::size_t k = 1; k < points.size(); ++k) {
      const std::int32_t next = node_of(points[k].point);
      if (next == previous) continue;
      const Point& a = network.nodes_[static_cast<std::size_t>(previous)];
      const Point& b = network.nodes_[static_cast<std::size_t>(next)];
      network.edge_from_.push_back(previous);
      network.edge_to_.push_back(next);
      network.edge_length_.push_back(std::hypot(b.x - a.x, b.y - a.y));
      previous = next;
    }
  }
  network.finish();
  nodes.finish();
  return network;
}

void WalkNetwork::finish() {
  offsets_.assign(nodes_.size() + 1, 0);
  for (std::size_t e = 0; e < edge_from_.size(); ++e) {
    ++offsets_[static_cast<std::size_t>(edge_from_[e]) + 1];
    ++offsets_[static_cast<std::size_t>(edge_to_[e]) + 1];
  }
  for (std::size_t n = 1; n < offsets_.size(); ++n) offsets_[n] += offsets_[n - 1];
  adjacency_.resize(static_cast<std::size_t>(offsets_.back()));
  {
    std::vector<std::int32_t> fill(offsets_.begin(), offsets_.end() - 1);
    for (std::size_t e = 0; e < edge_from_.size(); ++e) {
      adjacency_[static_cast<std::size_t>(fill[static_cast<std::size_t>(edge_from_[e])]++)] =
          static_cast<std::int32_t>(e);
      adjacency_[static_cast<std::size_t>(fill[static_cast<std::size_t>(edge_to_[e])]++)] =
          static_cast<std::int32_t>(e);
    }
  }
  // Edge grid for snapping: about one edge length per cell.
  Box box;
  double total = 0.0;
  for (const Point& p : nodes_) box.expand(p);
  for (double length : edge_length_) total += length;
  const double width = std::max(box.width(), 1.0), height = std::max(box.height(), 1.0);
  cell_m_ =
      std::max(total / static_cast<double>(std::max<std::size_t>(edge_length_.size(), 1)), 1.0);
  cell_m_ = std::max(cell_m_, std::sqrt(width * height / 4.0e6));
  origin_x_ = box.min_x;
  origin_y_ = box.min_y;
  columns_ = static_cast<std::int64_t>(width / cell_m_) + 1;
  rows_ = static_cast<std::int64_t>(height / cell_m_) + 1;
  cell_offsets_.assign(static_cast<std::size_t>(columns_ * rows_ + 1), 0);
  auto for_cells = [&](std::size_t e, auto&& visit) {
    const Point& a = nodes_[static_cast<std::size_t>(edge_from_[e])];
    const Point& b = nodes_[static_cast<std::size_t>(edge_to_[e])];
    const auto x0 = static_cast<std::int64_t>((std::min(a.x, b.x) - origin_x_) / cell_m_);
    const auto x1 = static_cast<std::int64_t>((std::max(a.x, b.x) - origin_x_) / cell_m_);
    const auto y0 = static_cast<std::int64_t>((std::min(a.y, b.y) - origin_y_) / cell_m_);
    const auto y1 = static_cast<std::int64_t>((std::max(a.y, b.y) - origin_y_) / cell_m_);
    for (std::int64_t y = std::max<std::int64_t>(y0, 0); y <= std::min(y1, rows_ - 1); ++y) {
      for (std::int64_t x = std::max<std::int64_t>(x0, 0); x <= std::min(x1, columns_ - 1); ++x) {
        visit(static_cast<std::size_t>(y * columns_ + x));
      }
    }
  };
  for (std::size_t e = 0; e < edge_from_.size(); ++e) {
    for_cells(e, [&](std::size_t c) { ++cell_offsets_[c + 1]; });
  }
  for (std::size_t c = 1; c < cell_offsets_.size(); ++c) cell_offsets_[c] += cell_offsets_[c - 1];
  cell_edges_.resize(static_cast<std::size_t>(cell_offsets_.back()));
  std::vector<std::int32_t> fill(cell_offsets_.begin(), cell_offsets_.end() - 1);
  for (std::size_t e = 0; e < edge_from_.size(); ++e) {
    for_cells(e, [&](std::size_t c) {
      cell_edges_[static_cast<std::size_t>(fill[c]++)] = static_cast<std::int32_t>(e);
    });
  }
}

Snap WalkNetwork::snap(const Point& point, double max_distance_m) const {
  Snap best;
  if (empty()) return best;
  const double outside_x =
      std::max({origin_x_ - point.x, point.x - (origin_x_ + columns_ * cell_m_), 0.0});
  const double outside_y =
      std::max({origin_y_ - point.y, point.y - (origin_y_ + rows_ * cell_m_), 0.0});
  const double outside = std::hypot(outside_x, outside_y);
  if (outside > max_distance_m) return best;
  const std::int64_t cx = std::clamp<std::int64_t>(
      static_cast<std::int64_t>(std::floor((point.x - origin_x_) / cell_m_)), 0, columns_ - 1);
  const std::int64_t cy = std::clamp<std::int64_t>(
      static_cast<std::int64_t>(std::floor((point.y - origin_y_) / cell_m_)), 0, rows_ - 1);
  auto consider = [&](std::int32_t e) {
    const Point& a = nodes_[static_cast<std::size_t>(edge_from_[static_cast<std::size_t>(e)])];
    const Point& b = nodes_[static_cast<std::size_t>(edge_to_[static_cast<std::size_t>(e)])];
    const double dx = b.x - a.x, dy = b.y - a.y;
    const double length2 = dx * dx + dy * dy;
    const double t =
        length2 > 0.0 ? clamp01(((point.x - a.x) * dx + (point.y - a.y) * dy) / length2) : 0.0;
    const double d = std::hypot(a.x + t * dx - point.x, a.y + t * dy - point.y);
    if (d > max_distance_m) return;
    if (d < best.distance_m || (d == best.distance_m && e < best.edge)) {
      best.edge = e;
      best.t = t;
      best.distance_m = d;
    }
  };
  const std::int64_t max_ring = std::max(columns_, rows_);
  for (std::int64_t r = 0; r <= max_ring; ++r) {
    for (std::int64_t y = cy - r; y <= cy + r; ++y) {
      if (y < 0 || y >= rows_) continue;
      const bool edge_row = y == cy - r || y == cy + r;
      for (std::int64_t x = cx - r; x <= cx + r; x += edge_row ? 1 : 2 * r) {
        if (x >= 0 && x < columns_) {
          const auto c = static_cast<std::size_t>(y * columns_ + x);
          for (std::int32_t k = cell_offsets_[c]; k < cell_offsets_[c + 1]; ++k) {
            consider(cell_edges_[static_cast<std::size_t>(k)]);
          }
        }
        if (r == 0) break;
      }
    }
    const double reach = std::max(outside, static_cast<double>(r) * cell_m_);
    if (reach >= best.distance_m || reach > max_distance_m) break;
  }
  return best;
}

std::vector<Snap> WalkNetwork::snap_all(const std::vector<Point>& points,
                                        double max_distance_m) const {
  std::vector<Snap> snaps(points.size());
  parallel_for(std::size_t{0}, points.size(),
               [&](std::size_t i) { snaps[i] = snap(points[i], max_distance_m); });
  return snaps;
}

NearestSource nearest_by_network(const WalkNetwork& network, const std::vector<Point>& targets,
                                 const std::vector<Point>& sources, double max_snap_m) {
  return nearest_by_network(network, network.snap_all(targets, max_snap_m),
                            network.snap_all(sources, max_snap_m));
}

NearestSource nearest_by_network(const WalkNetwork& network, const std::vector<Snap>& targets,
                                 const std::vector<Snap>& sources) {
  const std::size_t n = network.node_count();
  std::vector<double> distance(n, kUnreachable);
  std::vector<std::int32_t> label(n, -1);
  ShortestPaths search(distance);  // the project's one Dijkstra (planner/core/shortest_path.hpp)
  auto offer = [&](std::int32_t node, double d, std::int32_t source) {
    if (search.offer(node, d)) label[static_cast<std::size_t>(node)] = source;
  };
  // Sources by edge, for targets on the same edge as a source (a direct walk along the edge).
  std::vector<std::pair<std::int32_t, std::int32_t>> on_edge;  // (edge, source)
  for (std::size_t s = 0; s < sources.size(); ++s) {
    const Snap& snap = sources[s];
    if (!snap.ok()) continue;
    const double length = network.edge_length(snap.edge);
    offer(network.edge_from(snap.edge), snap.distance_m + snap.t * length,
          static_cast<std::int32_t>(s));
    offer(network.edge_to(snap.edge), snap.distance_m + (1.0 - snap.t) * length,
          static_cast<std::int32_t>(s));
    on_edge.emplace_back(snap.edge, static_cast<std::int32_t>(s));
  }
  std::sort(on_edge.begin(), on_edge.end());
  search.settle([&](std::int32_t node, double d) {
    const std::int32_t source = label[static_cast<std::size_t>(node)];
    for (const std::int32_t* e = network.incident_begin(node); e != network.incident_end(node);
         ++e) {
      offer(network.other_end(*e, node), d + network.edge_length(*e), source);
    }
  });
  NearestSource result;
  result.distance_m.assign(targets.size(), kUnreachable);
  result.source.assign(targets.size(), -1);
  parallel_for(std::size_t{0}, targets.size(), [&](std::size_t i) {
    const Snap& snap = targets[i];
    if (!snap.ok()) return;
    const double length = network.edge_length(snap.edge);
    const auto from = static_cast<std::size_t>(network.edge_from(snap.edge));
    const auto to = static_cast<std::size_t>(network.edge_to(snap.edge));
    double best = distance[from] + snap.t * length;
    std::int32_t best_source = label[from];
    const double via_to = distance[to] + (1.0 - snap.t) * length;
    if (via_to < best || (via_to == best && label[to] < best_source)) {
      best = via_to;
      best_source = label[to];
    }
    auto it = std::lower_bound(on_edge.begin(), on_edge.end(), std::make_pair(snap.edge, -1));
    for (; it != on_edge.end() && it->first == snap.edge; ++it) {
      const Snap& source = sources[static_cast<std::size_t>(it->second)];
      const double direct = std::abs(snap.t - source.t) * length + source.distance_m;
      if (direct < best || (direct == best && it->second < best_source)) {
        best = direct;
        best_source = it->second;
      }
    }
    if (best_source < 0) return;
    result.distance_m[i] = best + snap.distance_m;
    result.source[i] = best_source;
  });
  return result;
}

NearestSource nearest_by_straight_line(const std::vector<Point>& targets,
                                       const std::vector<Point>& sources, double detour_factor) {
  NearestSource result;
  result.distance_m.assign(targets.size(), kUnreachable);
  result.source.assign(targets.size(), -1);
  if (sources.empty()) return result;
  const PointGrid grid(sources);
  parallel_for(std::size_t{0}, targets.size(), [&](std::size_t i) {
    double d = 0.0;
    result.source[i] = grid.nearest(targets[i], &d);
    result.distance_m[i] = d * detour_factor;
  });
  return result;
}

}  // namespace gp::sim
