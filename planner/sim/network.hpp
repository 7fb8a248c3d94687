#pragma once
// The walking network: a graph built from Dataset::lines, a spatial index of its edges for
// joining points (buildings, stations, candidates) to the nearest point on the network, and
// shortest walking distances (multi-source Dijkstra, and radius-bounded Dijkstra for siting).
//
// Graph rules (docs/decisions/0006-simulation.md):
// - Walkable lines: kind road, walkable, class not in CoverageParams::forbidden_classes
//   (motorways, trunk roads, ...). Rivers and railways never carry walkers, so a river is crossed
//   only where a walkable line crosses it — a bridge (or a road over a culvert).
// - Nodes at shared vertices (coordinates equal to 1 cm) and at crossings of walkable lines on
//   the same level (level +1 bridge, −1 tunnel, 0 otherwise): a street passing under a bridge
//   does not meet it.
// - Every straight piece between nodes is an edge; lengths in metres; undirected.

#include <cstdint>
#include <limits>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/core/progress.hpp"
#include "planner/sim/params.hpp"
#include "planner/sim/point_grid.hpp"

namespace gp::sim {

inline constexpr double kUnreachable = std::numeric_limits<double>::infinity();

/// A point joined to the network: on edge `edge` at fraction `t` from its `from` node.
struct Snap {
  std::int32_t edge = -1;  // -1: nothing within the snap distance
  double t = 0.0;
  double distance_m = kUnreachable;  // straight line from the point to the network
  [[nodiscard]] bool ok() const { return edge >= 0; }
};

class WalkNetwork {
 public:
  WalkNetwork() = default;
  /// Builds the graph from the walkable lines of `lines` (see the rules above). With `progress`,
  /// reports stage "coverage: walking network" from 0 to 1 (a city's 50k road lines take about
  /// a second: the crossings by grid cell, then the nodes).
  static WalkNetwork from_lines(const std::vector<Line>& lines, const CoverageParams& params,
                                Progress* progress = nullptr);
  /// Builds the graph from plain polylines, all walkable, each with a level (0 ground, +1 bridge,
  /// −1 tunnel). Mostly for tests and benchmarks. `progress` as in from_lines.
  static WalkNetwork from_polylines(const std::vector<LineString>& polylines,
                                    const std::vector<int>& levels, Progress* progress = nullptr);

  [[nodiscard]] std::size_t node_count() const { return nodes_.size(); }
  [[nodiscard]] std::size_t edge_count() const { return edge_from_.size(); }
  [[nodiscard]] bool empty() const { return edge_from_.empty(); }
  [[nodiscard]] const Point& node(std::int32_t n) const {
    return nodes_[static_cast<std::size_t>(n)];
  }
  [[nodiscard]] std::int32_t edge_from(std::int32_t e) const {
    return edge_from_[static_cast<std::size_t>(e)];
  }
  [[nodiscard]] std::int32_t edge_to(std::int32_t e) const {
    return edge_to_[static_cast<std::size_t>(e)];
  }
  [[nodiscard]] double edge_length(std::int32_t e) const {
    return edge_length_[static_cast<std::size_t>(e)];
  }
  /// Edges incident to node n, as a range of edge ids.
  [[nodiscard]] const std::int32_t* incident_begin(std::int32_t n) const {
    return adjacency_.data() + offsets_[static_cast<std::size_t>(n)];
  }
  [[nodiscard]] const std::int32_t* incident_end(std::int32_t n) const {
    return adjacency_.data() + offsets_[static_cast<std::size_t>(n) + 1];
  }
  [[nodiscard]] std::int32_t other_end(std::int32_t e, std::int32_t n) const {
    return edge_from(e) == n ? edge_to(e) : edge_from(e);
  }

  /// The nearest point on the network within `max_distance_m` (straight line), or !ok().
  /// Ties go to the lower edge id, so results do not depend on the index layout.
  [[nodiscard]] Snap snap(const Point& point, double max_distance_m) const;
  /// Snaps many points in parallel (same results as one by one).
  [[nodiscard]] std::vector<Snap> snap_all(const std::vector<Point>& points,
                                           double max_distance_m) const;

 private:
  void finish();  // adjacency (CSR) and the edge grid

  std::vector<Point> nodes_;
  std::vector<std::int32_t> edge_from_, edge_to_;
  std::vector<double> edge_length_;
  std::vector<std::int32_t> offsets_, adjacency_;
  // Uniform grid of edges by bounding box, for snapping.
  double cell_m_ = 100.0;
  double origin_x_ = 0.0, origin_y_ = 0.0;
  std::int64_t columns_ = 0, rows_ = 0;
  std::vector<std::int32_t> cell_offsets_, cell_edges_;
};

/// Shortest walking distances from many sources at once.
struct NearestSource {
  std::vector<double> distance_m;    // per target; kUnreachable when no route
  std::vector<std::int32_t> source;  // per target: index into the sources, or -1
};

/// For every target point: the walking distance to the nearest source point over the network,
/// including both snap distances (point → network), and which source that is. Targets or sources
/// farther than `max_snap_m` from the network are not joined: such a target gets kUnreachable
/// and source −1 (callers list them and fall back), such a source is ignored.
/// Precondition: !network.empty().
NearestSource nearest_by_network(const WalkNetwork& network, const std::vector<Point>& targets,
                                 const std::vector<Point>& sources, double max_snap_m);
/// Same with precomputed snaps (one per target / source).
NearestSource nearest_by_network(const WalkNetwork& network, const std::vector<Snap>& targets,
                                 const std::vector<Snap>& sources);

/// Straight line × detour factor to the nearest source (a uniform grid keeps it fast).
NearestSource nearest_by_straight_line(const std::vector<Point>& targets,
                                       const std::vector<Point>& sources, double detour_factor);

}  // namespace gp::sim
