// Partition benchmark against METIS on one adjacency graph: a lattice town cut by rivers (no
// edges across a river except at bridges), households per node varied like buildings.
//
//   bench_partition --width 400 --height 250 --dir DIR           # writes DIR/graph.metis and
//                                                                 # DIR/parts, runs ours, prints
//   bench_partition --width 400 --height 250 --evaluate DIR/graph.metis.part.K   # METIS result
//
// Both evaluations use the same graph (regenerated deterministically from the same options) and
// the same bounds: violations of [min, max] and parts that are not contiguous.
// tests/bench/partition_vs_metis.sh runs the whole comparison.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "planner/partition/graph_partition.hpp"

using namespace gp;
using namespace gp::partition;

namespace {

struct Options {
  int width = 400;
  int height = 250;
  std::uint64_t seed = 1;
  int river_every = 40;   // a river every this many rows
  int bridge_every = 25;  // a bridge every this many columns
  std::string dir;
  std::string evaluate;
  HouseholdBounds bounds{300, 500, 400};
};

/// The benchmark graph: node (x, y) holds 0–60 households (one in six holds none: shops,
/// schools); rivers between rows y and y+1 where (y+1) % river_every == 0, bridged every
/// bridge_every columns.
AtomGraph make_graph(const Options& o) {
  AtomGraphBuilder builder;
  std::uint64_t state = o.seed * 0x9E3779B97F4A7C15ULL + 12345;
  auto next = [&state]() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  for (int y = 0; y < o.height; ++y)
    for (int x = 0; x < o.width; ++x) {
      const int households = next() % 6 == 0 ? 0 : static_cast<int>(next() % 61);
      builder.add_node(households, households, 400.0, 80.0, Point{x * 20.0 + 10, y * 20.0 + 10});
    }
  for (int y = 0; y < o.height; ++y)
    for (int x = 0; x < o.width; ++x) {
      const int v = y * o.width + x;
      if (x + 1 < o.width) builder.add_edge(v, v + 1, 20.0);
      const bool river = (y + 1) % o.river_every == 0;
      if (y + 1 < o.height && (!river || x % o.bridge_every == 0))
        builder.add_edge(v, v + o.width, 20.0);
    }
  return builder.build();
}

void print_quality(const char* who, const PartitionQuality& q, double seconds) {
  std::printf(
      "%-6s parts %6d  below_min %5d  above_max %5d  discontiguous %5d  empty %4d  "
      "households %d–%d  compactness %.3f  time %.3f s\n",
      who, q.parts, q.below_min, q.above_max, q.discontiguous, q.empty, q.min_households,
      q.max_households, q.mean_compactness, seconds);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "bench_partition: " << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--width")
      o.width = std::stoi(value());
    else if (arg == "--height")
      o.height = std::stoi(value());
    else if (arg == "--seed")
      o.seed = std::stoull(value());
    else if (arg == "--dir")
      o.dir = value();
    else if (arg == "--evaluate")
      o.evaluate = value();
    else if (arg == "--min")
      o.bounds.min = std::stoi(value());
    else if (arg == "--max")
      o.bounds.max = std::stoi(value());
    else if (arg == "--target")
      o.bounds.target = std::stoi(value());
    else {
      std::cerr << "bench_partition: unknown option " << arg << '\n';
      return 2;
    }
  }
  const AtomGraph graph = make_graph(o);
  const long long total = graph.total_households();

  if (!o.evaluate.empty()) {
    std::ifstream in(o.evaluate);
    std::vector<PartId> part;
    for (PartId p; in >> p;) part.push_back(p);
    if (static_cast<NodeId>(part.size()) != graph.node_count()) {
      std::cerr << "bench_partition: " << o.evaluate << " has " << part.size()
                << " entries, the graph " << graph.node_count() << " nodes\n";
      return 1;
    }
    print_quality("metis", evaluate_partition(graph, part, o.bounds), 0.0);
    return 0;
  }

  // The same number of parts for both: ours chooses it from the bounds (one component).
  GraphPartitionOptions options;
  options.bounds = o.bounds;
  options.seed = o.seed;
  const auto start = std::chrono::steady_clock::now();
  GraphPartition result = partition_graph(graph, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (!o.dir.empty()) {
    std::ofstream metis(o.dir + "/graph.metis");
    long long edges = static_cast<long long>(graph.neighbours.size()) / 2;
    metis << graph.node_count() << ' ' << edges << " 010\n";  // fmt 010: vertex weights
    for (NodeId v = 0; v < graph.node_count(); ++v) {
      metis << graph.households[static_cast<std::size_t>(v)];
      for (auto e = graph.begin(v); e < graph.end(v); ++e)
        metis << ' ' << graph.neighbours[static_cast<std::size_t>(e)] + 1;
      metis << '\n';
    }
    std::ofstream(o.dir + "/parts") << result.part_count << '\n';
    std::ofstream ours(o.dir + "/ours.part");
    for (PartId p : result.part) ours << p << '\n';
  }
  std::printf("graph  nodes %d  edges %zu  households %lld  components %d  parts %d\n",
              graph.node_count(), graph.neighbours.size() / 2, total,
              connected_components(graph).count, result.part_count);
  print_quality("ours", evaluate_partition(graph, result.part, o.bounds), seconds);
  return 0;
}
