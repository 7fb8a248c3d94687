#pragma once
// The project's one shortest-path routine: Dijkstra's algorithm with a binary heap and lazy
// deletion, over any graph the caller describes by a relax callback. Distances in metres (any
// non-negative length). Used for the walking network's multi-source nearest-station search and
// for the radius-bounded searches of station siting (planner/sim).

#include <cstdint>
#include <functional>
#include <limits>
#include <queue>
#include <utility>
#include <vector>

namespace gp {

inline constexpr double kNoPath = std::numeric_limits<double>::infinity();

/// Dijkstra's frontier over nodes 0..n−1 whose best known distances live in the caller's
/// `distance` vector (kNoPath = not reached). The caller seeds it with offer() and runs it with
/// settle(), whose callback offers the neighbours of each node as it is settled, in order of
/// distance. A node is settled once, at its shortest distance.
class ShortestPaths {
 public:
  explicit ShortestPaths(std::vector<double>& distance) : distance_(distance) {}

  /// Offers `node` at distance `d`: kept (and queued) when shorter than its best so far, and
  /// then true. Nodes beyond `limit` (a radius; default none) are never kept.
  bool offer(std::int32_t node, double d) {
    if (d > limit_) return false;
    double& best = distance_[static_cast<std::size_t>(node)];
    if (!(d < best)) return false;
    best = d;
    heap_.push({d, node});
    return true;
  }

  /// Distances beyond `limit` are not searched (radius-bounded search).
  void set_limit(double limit) { limit_ = limit; }

  /// Settles nodes in order of distance; `expand(node, d)` offers the node's neighbours.
  template <class Expand>
  void settle(Expand&& expand) {
    while (!heap_.empty()) {
      const auto [d, node] = heap_.top();
      heap_.pop();
      if (d > distance_[static_cast<std::size_t>(node)]) continue;  // a stale, longer entry
      expand(node, d);
    }
  }

 private:
  using Item = std::pair<double, std::int32_t>;
  std::vector<double>& distance_;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> heap_;
  double limit_ = kNoPath;
};

}  // namespace gp
