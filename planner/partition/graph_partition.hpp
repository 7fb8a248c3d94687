#pragma once
// Partitioning one atom graph into contiguous parts whose households lie within bounds.
//
// Each connected component of the graph is a container and is partitioned on its own:
//   1. number of parts k: any k with ceil(H/max) ≤ k ≤ floor(H/min) keeps every part within the
//      bounds; we take the one closest to H/target (or `fixed_parts`). When no such k exists
//      (H < min, or e.g. H = 550 with bounds 300–500) the container is infeasible: k =
//      max(1, ceil(H/max)) so no part exceeds the maximum, and the result says why.
//   2. construction: parts kept from a previous plan (largest connected piece of each), stations
//      as seeds (multi-source growth, lightest part grows first), otherwise recursive bisection
//      by region growing from a peripheral node in order of Euclidean distance, each side sized
//      so that its number of parts can still meet the bounds.
//   3. repair: every part outside the bounds is re-partitioned together with its neighbouring
//      parts (depth 1, then 2) into as many parts as that union needs; kept when the total bound
//      violation drops. This covers merge, split and pair rebalancing in one move.
//   4. refinement: passes over boundary nodes, moving a node to a neighbouring part when the
//      weighted objective drops, the bound violation does not grow and the source part stays
//      connected (bounded BFS inside the part). The objective is incremental per move.
// Everything is sequential within a component and deterministic for a given seed.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "planner/partition/graph.hpp"
#include "planner/partition/params.hpp"

namespace gp::partition {

struct GraphPartitionOptions {
  HouseholdBounds bounds;
  ObjectiveWeights weights;
  /// Parts per component (0 = choose from the bounds).
  int fixed_parts = 0;
  int refinement_passes = 8;
  std::uint64_t seed = 1;
  /// Preferred seed nodes (e.g. atoms holding a station), at most one used per part.
  std::vector<NodeId> seed_nodes;
  /// Per node: part id in a previous plan, or kNoPart. Empty = no previous plan. Parts of the
  /// previous plan are kept where they are still connected; the objective penalises moving
  /// households away from them (weights.moved).
  std::vector<PartId> previous;
  /// Per previous part id: 1 when that part's violation of the bounds was accepted (the plan
  /// recorded why it is outside them, e.g. `bounds_why`). Empty = none accepted. A re-plan
  /// re-divides only around the parts that changed or that break the bounds without such a
  /// reason (see ComponentPartitioner::heuristic): a small change moves only households near it.
  std::vector<char> previous_accepted;
  /// Called on the calling thread with the share of the graph's nodes partitioned so far, in
  /// [0, 1] and never decreasing: as containers are done (at most every 1/10,000 of the
  /// graph), and inside a large one during its construction, refinement, restarts and polish
  /// passes (a 100k-atom container takes seconds). May throw (a cancellation) to abandon the
  /// partition. Empty = not called.
  std::function<void(double)> on_progress;
};

/// Why a container could not be divided within the bounds.
enum class Infeasibility {
  below_minimum,      // the container holds fewer households than the minimum
  no_feasible_count,  // no number of parts puts every part within [min, max]
  granularity,        // a count exists but atoms are too coarse / the shape prevents it
};
const char* to_string(Infeasibility why);

struct InfeasibleContainer {
  std::int32_t component = 0;  // component id (see connected_components)
  long long households = 0;    // in the container
  int parts = 0;               // parts it was divided into
  int min_parts = 0;           // ceil(H / max)
  int max_parts = 0;           // floor(H / min)
  Infeasibility why = Infeasibility::below_minimum;
  /// For granularity: true when an exhaustive search over every division of the container into
  /// connected parts proved that none keeps all parts within the bounds (small containers); false
  /// when the container was too large or the search hit its step limit.
  bool proven = false;
  /// With `proven`: the proof is that one atom alone holds more than the maximum.
  bool atom_above_max = false;
  std::vector<PartId> violating_parts;
};

struct GraphPartition {
  std::vector<PartId> part;  // per node, 0 .. part_count-1; parts never span components
  PartId part_count = 0;
  std::vector<std::int32_t> part_component;  // per part
  std::vector<InfeasibleContainer> infeasible;
};

/// Partitions every component of `graph`. Nodes heavier than bounds.max stay whole (split them
/// beforehand if that matters). Deterministic.
GraphPartition partition_graph(const AtomGraph& graph, const GraphPartitionOptions& options);

/// Quality of a partition, for tests and benchmarks.
struct PartitionQuality {
  int parts = 0;
  int below_min = 0;
  int above_max = 0;
  int discontiguous = 0;  // parts whose nodes are not connected inside the part
  int empty = 0;          // part ids with no node
  int min_households = 0;
  int max_households = 0;
  double mean_compactness = 0.0;  // Polsby-Popper from node areas/perimeters/shared lengths
};
/// Number of connected pieces of every part over the graph (1 = contiguous; 0 = empty part id).
std::vector<int> pieces_per_part(const AtomGraph& graph, const std::vector<PartId>& part);

PartitionQuality evaluate_partition(const AtomGraph& graph, const std::vector<PartId>& part,
                                    const HouseholdBounds& bounds);

}  // namespace gp::partition
