#pragma once
// The atom graph the partitioner works on: one node per atom (a building, a contracted compound,
// or a part of a building split by units), an undirected edge per pair of atoms whose cells share
// a boundary that may be crossed (Crossing none/soft; hard only where a rule allows it).
//
// Stored as CSR (compressed sparse rows): the neighbours of node v are
// neighbours[offsets[v] .. offsets[v+1]), with the length of the shared cell boundary alongside.
// Nothing here knows about buildings or geometry libraries; tests build graphs by hand.

#include <cstdint>
#include <vector>

#include "planner/core/geometry.hpp"

namespace gp::partition {

using NodeId = std::int32_t;
using PartId = std::int32_t;
inline constexpr PartId kNoPart = -1;

struct AtomGraph {
  std::vector<std::int32_t> offsets{0};  // size node_count + 1
  std::vector<NodeId> neighbours;        // both directions of every edge
  std::vector<double> shared_length_m;   // parallel to neighbours: common cell boundary, metres
  std::vector<int> households;           // per node, ≥ 0
  std::vector<double> workload;          // per node: Σ households × workload weight
  std::vector<double> area_m2;           // per node: cell area
  std::vector<double> perimeter_m;       // per node: cell perimeter
  std::vector<Point> position;           // per node: representative point (cell centroid), m

  [[nodiscard]] NodeId node_count() const { return static_cast<NodeId>(households.size()); }
  [[nodiscard]] std::int32_t begin(NodeId v) const { return offsets[static_cast<std::size_t>(v)]; }
  [[nodiscard]] std::int32_t end(NodeId v) const {
    return offsets[static_cast<std::size_t>(v) + 1];
  }
  [[nodiscard]] long long total_households() const;
};

/// Collects nodes and edges, then builds the CSR graph. Parallel edges are merged (lengths
/// summed); self-loops are dropped.
class AtomGraphBuilder {
 public:
  /// Returns the new node's id (0, 1, 2, ... in call order).
  NodeId add_node(int households, double workload, double area_m2, double perimeter_m,
                  Point position);
  /// Precondition: both nodes exist. Undirected.
  void add_edge(NodeId a, NodeId b, double shared_length_m);
  AtomGraph build();

 private:
  struct Edge {
    NodeId a, b;
    double length;
  };
  AtomGraph graph_;
  std::vector<Edge> edges_;
};

/// Connected components: component id per node (0.., in order of their smallest node) and count.
struct Components {
  std::vector<std::int32_t> of_node;
  std::int32_t count = 0;
};
Components connected_components(const AtomGraph& graph);

/// Square lattice of width × height nodes (cells of 1 m², shared lengths 1 m) with the given
/// households per node; for tests and benchmarks. Node id = y × width + x.
AtomGraph make_lattice(int width, int height, const std::vector<int>& households);

}  // namespace gp::partition
