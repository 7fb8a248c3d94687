// Partition benchmark against METIS on one adjacency graph, from either source:
//   - a lattice town cut by rivers (no edges across a river except at bridges), households per
//     node varied like buildings (--width/--height);
//   - a real or synthetic town (--town GPKG): loaded, validated and tessellated as `gridplan plan`
//     does, then make_plan; the graph is the disjoint union of every community's large-grid atom
//     graph exactly as the partitioner saw it (no edge across a hard barrier or a community
//     boundary), and "ours" is the large-grid partition make_plan chose.
//
//   bench_partition --town town.gpkg --dir DIR        # writes DIR/graph.metis, DIR/graph.atoms,
//   bench_partition --width 400 --height 250 --dir DIR #   DIR/parts, DIR/ours.part; prints ours
//   bench_partition --graph DIR/graph.atoms --evaluate DIR/graph.metis.part.K   # METIS result
//   bench_partition --graph DIR/graph.atoms --ours [--compare DIR/ours.part]
//       # ours again on a saved town graph, per community with make_plan's options (seconds,
//       # not the minutes of loading and tessellating a real town): thread CPU time, quality,
//       # and whether the parts equal the saved ones (a speed change must not change them)
//
// Both evaluations use the same graph and the same bounds: parts outside [min, max], parts that
// are not contiguous over the graph, and parts spanning two communities.
// tests/bench/partition_vs_metis.sh runs the whole comparison.

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "planner/io/load.hpp"
#include "planner/partition/graph_partition.hpp"
#include "planner/partition/partitioner.hpp"

using namespace gp;
using namespace gp::partition;

namespace {

struct Options {
  int width = 400;
  int height = 250;
  std::uint64_t seed = 1;
  int river_every = 40;   // a river every this many rows
  int bridge_every = 25;  // a bridge every this many columns
  std::string town;       // GeoPackage (or any loadable file) → its large-grid atom graph
  std::string graph;      // graph.atoms written by --dir
  std::string dir;
  std::string evaluate;
  bool ours = false;    // with --graph: re-run ours per community (make_plan's options)
  std::string compare;  // with --ours: a saved ours.part the re-run should equal
  int repeat = 1;       // with --ours: runs (the CPU time printed is the fastest)
  HouseholdBounds bounds{300, 500, 400};
  // --hard-roads a,b,c: the road classes that are hard barriers (default: the project's); fewer
  // of them make fewer, larger containers — the partitioner's harder case.
  std::optional<std::set<std::string>> hard_roads;
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

/// A graph with the community of every node (all 0 for the lattice).
struct BenchGraph {
  AtomGraph graph;
  std::vector<std::int32_t> community;
};

/// The partition "ours" produced and the time spent in partition_graph (seconds, one thread).
struct OurPartition {
  std::vector<PartId> part;
  PartId part_count = 0;
  double seconds = 0.0;
  // CPU time of partition_graph re-run on the same graphs with make_plan's options (thread CPU
  // clock: unlike wall time, not inflated when other processes share the cores), and whether the
  // re-run gave make_plan's parts exactly (if not, the options were not reproduced and only the
  // wall time above is ours).
  double cpu_seconds = 0.0;
  bool rerun_identical = false;
  // Containers the partitioner reported as not divisible within the bounds, and the parts it
  // left outside them: proven by exhaustive search / below the minimum / no feasible count,
  // versus granularity not proven (heuristic result only).
  int containers_proven = 0;
  int containers_unproven = 0;
  int parts_in_proven = 0;
  int parts_in_unproven = 0;
};

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

/// Disjoint union of make_plan's per-community large-grid graphs; ours = its parts, renumbered.
std::pair<BenchGraph, OurPartition> town_graph(const Options& o) {
  Progress progress;
  io::LoadOptions options;
  options.inputs.push_back({o.town, {}, {}});
  const Dataset dataset = io::load_dataset(options, progress);
  PartitionParams params;
  params.large = o.bounds;
  if (o.hard_roads) params.hard_road_classes = *o.hard_roads;
  const geo::Tessellation tessellation =
      geo::tessellate(dataset, tessellation_params(params), progress);
  std::vector<LargeGridPartition> large;
  const auto start = std::chrono::steady_clock::now();
  const Plan plan = make_plan(dataset, tessellation, params, progress, nullptr, &large);
  const double make_plan_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  AtomGraphBuilder builder;
  BenchGraph result;
  OurPartition ours;
  for (const LargeGridPartition& c : large) {
    const auto offset = static_cast<NodeId>(result.community.size());
    const AtomGraph& g = c.graph;
    for (NodeId v = 0; v < g.node_count(); ++v) {
      const auto i = static_cast<std::size_t>(v);
      builder.add_node(g.households[i], g.workload[i], g.area_m2[i], g.perimeter_m[i],
                       g.position[i]);
      result.community.push_back(c.community);
      ours.part.push_back(c.part[i] + ours.part_count);
    }
    for (NodeId v = 0; v < g.node_count(); ++v)
      for (auto e = g.begin(v); e < g.end(v); ++e) {
        const NodeId w = g.neighbours[static_cast<std::size_t>(e)];
        if (v < w)
          builder.add_edge(offset + v, offset + w, g.shared_length_m[static_cast<std::size_t>(e)]);
      }
    ours.part_count += c.part_count;
    ours.seconds += c.partition_seconds;
    for (const InfeasibleContainer& container : c.infeasible) {
      const bool proven = container.why != Infeasibility::granularity || container.proven;
      (proven ? ours.containers_proven : ours.containers_unproven) += 1;
      (proven ? ours.parts_in_proven : ours.parts_in_unproven) +=
          static_cast<int>(container.violating_parts.size());
    }
  }
  result.graph = builder.build();
  // The same partition again, timed in thread CPU time (make_plan's options: params' defaults,
  // its per-community seed; no station seeds — a town with stations will not reproduce).
  ours.rerun_identical = true;
  for (const LargeGridPartition& c : large) {
    GraphPartitionOptions again_options;
    again_options.bounds = params.large;
    again_options.weights = params.weights;
    again_options.fixed_parts = params.fixed_large_per_community;
    again_options.refinement_passes = params.refinement_passes;
    again_options.seed = params.seed ^ (0x5EEDULL * static_cast<std::uint64_t>(c.community + 1));
    const double before = thread_cpu_seconds();
    const GraphPartition again = partition_graph(c.graph, again_options);
    ours.cpu_seconds += thread_cpu_seconds() - before;
    ours.rerun_identical = ours.rerun_identical && again.part == c.part;
  }
  std::printf(
      "town   %zu buildings, %zu communities (%zu with planned buildings); make_plan %.2f s "
      "wall (micro grids and polygons included), %d large grids\n",
      dataset.buildings.size(), dataset.communities.size(), large.size(), make_plan_seconds,
      plan.metrics.large_grids);
  return {std::move(result), std::move(ours)};
}

/// Ours on a saved town graph (graph.atoms, nodes of one community contiguous and in
/// make_plan's order): partition_graph per community with make_plan's large-grid options, as
/// town_graph's re-run does. Returns the parts (renumbered per community as town_graph does) and
/// the fastest thread CPU time of `repeat` runs.
OurPartition rerun_on_saved(const BenchGraph& bench, const Options& o) {
  OurPartition ours;
  ours.cpu_seconds = INFINITY;
  const PartitionParams params;
  for (int run = 0; run < std::max(1, o.repeat); ++run) {
    OurPartition attempt;
    const NodeId n = bench.graph.node_count();
    for (NodeId first = 0; first < n;) {
      NodeId last = first;
      while (last < n && bench.community[static_cast<std::size_t>(last)] ==
                             bench.community[static_cast<std::size_t>(first)])
        ++last;
      AtomGraphBuilder builder;
      const AtomGraph& g = bench.graph;
      for (NodeId v = first; v < last; ++v) {
        const auto i = static_cast<std::size_t>(v);
        builder.add_node(g.households[i], g.workload[i], g.area_m2[i], g.perimeter_m[i],
                         g.position[i]);
      }
      for (NodeId v = first; v < last; ++v)
        for (auto e = g.begin(v); e < g.end(v); ++e) {
          const NodeId w = g.neighbours[static_cast<std::size_t>(e)];
          if (v < w)
            builder.add_edge(v - first, w - first, g.shared_length_m[static_cast<std::size_t>(e)]);
        }
      const AtomGraph sub = builder.build();
      GraphPartitionOptions options;
      options.bounds = o.bounds;
      options.weights = params.weights;
      options.fixed_parts = params.fixed_large_per_community;
      options.refinement_passes = params.refinement_passes;
      const auto community = bench.community[static_cast<std::size_t>(first)];
      options.seed = params.seed ^ (0x5EEDULL * static_cast<std::uint64_t>(community + 1));
      const double before = thread_cpu_seconds();
      const auto start = std::chrono::steady_clock::now();
      const GraphPartition result = partition_graph(sub, options);
      attempt.cpu_seconds += thread_cpu_seconds() - before;
      attempt.seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      for (PartId p : result.part) attempt.part.push_back(p + attempt.part_count);
      attempt.part_count += result.part_count;
      first = last;
    }
    if (run > 0 && attempt.part != ours.part)
      throw std::runtime_error("two runs with the same seed gave different parts");
    if (attempt.cpu_seconds < ours.cpu_seconds) {
      const double best = attempt.cpu_seconds;
      ours = std::move(attempt);
      ours.cpu_seconds = best;
    }
  }
  return ours;
}

/// graph.atoms: "nodes edges" then per node "households area perimeter x y community", then per
/// edge "a b shared_length" (each undirected edge once). Plain text, exact enough (%.17g).
void write_atoms(const std::string& path, const BenchGraph& bench) {
  std::FILE* out = std::fopen(path.c_str(), "w");
  if (!out) throw std::runtime_error("cannot write " + path);
  const AtomGraph& g = bench.graph;
  std::fprintf(out, "%d %zu\n", g.node_count(), g.neighbours.size() / 2);
  for (NodeId v = 0; v < g.node_count(); ++v) {
    const auto i = static_cast<std::size_t>(v);
    std::fprintf(out, "%d %.17g %.17g %.17g %.17g %d\n", g.households[i], g.area_m2[i],
                 g.perimeter_m[i], g.position[i].x, g.position[i].y, bench.community[i]);
  }
  for (NodeId v = 0; v < g.node_count(); ++v)
    for (auto e = g.begin(v); e < g.end(v); ++e) {
      const NodeId w = g.neighbours[static_cast<std::size_t>(e)];
      if (v < w)
        std::fprintf(out, "%d %d %.17g\n", v, w, g.shared_length_m[static_cast<std::size_t>(e)]);
    }
  std::fclose(out);
}

BenchGraph read_atoms(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  NodeId nodes = 0;
  std::size_t edges = 0;
  in >> nodes >> edges;
  AtomGraphBuilder builder;
  BenchGraph bench;
  for (NodeId v = 0; v < nodes; ++v) {
    int households = 0, community = 0;
    double area = 0, perimeter = 0, x = 0, y = 0;
    in >> households >> area >> perimeter >> x >> y >> community;
    builder.add_node(households, households, area, perimeter, Point{x, y});
    bench.community.push_back(community);
  }
  for (std::size_t e = 0; e < edges; ++e) {
    NodeId a = 0, b = 0;
    double length = 0;
    in >> a >> b >> length;
    builder.add_edge(a, b, length);
  }
  if (!in) throw std::runtime_error(path + " is truncated");
  bench.graph = builder.build();
  return bench;
}

void write_metis(const std::string& path, const AtomGraph& graph) {
  std::ofstream metis(path);
  const auto edges = static_cast<long long>(graph.neighbours.size()) / 2;
  metis << graph.node_count() << ' ' << edges << " 010\n";  // fmt 010: vertex weights
  for (NodeId v = 0; v < graph.node_count(); ++v) {
    metis << graph.households[static_cast<std::size_t>(v)];
    for (auto e = graph.begin(v); e < graph.end(v); ++e)
      metis << ' ' << graph.neighbours[static_cast<std::size_t>(e)] + 1;
    metis << '\n';
  }
}

/// Parts holding nodes of more than one community (grids crossing a community boundary).
int parts_across_communities(const BenchGraph& bench, const std::vector<PartId>& part) {
  std::vector<std::int32_t> first(
      part.empty() ? 0 : static_cast<std::size_t>(*std::max_element(part.begin(), part.end()) + 1),
      -1);
  std::vector<char> crossing(first.size(), 0);
  for (std::size_t v = 0; v < part.size(); ++v) {
    if (part[v] < 0) continue;
    const auto p = static_cast<std::size_t>(part[v]);
    if (first[p] < 0)
      first[p] = bench.community[v];
    else if (first[p] != bench.community[v])
      crossing[p] = 1;
  }
  return static_cast<int>(std::count(crossing.begin(), crossing.end(), 1));
}

/// Containers (connected components of the graph) no partitioner can divide within the bounds:
/// below the minimum (0 < H < min), or with no count k of parts where every part can hold
/// [min, max] households (⌈H / max⌉ > ⌊H / min⌋, e.g. 550 households for 300–500). Each
/// leaves at least one part outside the bounds, whoever partitions it.
struct InfeasibleContainers {
  int below_min = 0;
  int no_feasible_count = 0;
};
InfeasibleContainers infeasible_containers(const AtomGraph& graph, const HouseholdBounds& bounds) {
  const Components components = connected_components(graph);
  std::vector<long long> households(static_cast<std::size_t>(components.count), 0);
  for (NodeId v = 0; v < graph.node_count(); ++v)
    households[static_cast<std::size_t>(components.of_node[static_cast<std::size_t>(v)])] +=
        graph.households[static_cast<std::size_t>(v)];
  InfeasibleContainers result;
  for (const long long h : households) {
    if (h <= 0) continue;
    if (h < bounds.min)
      ++result.below_min;
    else if ((h + bounds.max - 1) / bounds.max > h / bounds.min)
      ++result.no_feasible_count;
  }
  return result;
}

void print_quality(const char* who, const BenchGraph& bench, const std::vector<PartId>& part,
                   const HouseholdBounds& bounds, double seconds) {
  const PartitionQuality q = evaluate_partition(bench.graph, part, bounds);
  std::printf(
      "%-6s parts %6d  below_min %5d  above_max %5d  discontiguous %5d  across_communities %4d  "
      "empty %4d  households %d–%d  compactness %.3f  time %.3f s\n",
      who, q.parts, q.below_min, q.above_max, q.discontiguous,
      parts_across_communities(bench, part), q.empty, q.min_households, q.max_households,
      q.mean_compactness, seconds);
}

}  // namespace

int main(int argc, char** argv) try {
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
    else if (arg == "--town")
      o.town = value();
    else if (arg == "--graph")
      o.graph = value();
    else if (arg == "--dir")
      o.dir = value();
    else if (arg == "--evaluate")
      o.evaluate = value();
    else if (arg == "--hard-roads") {
      std::set<std::string> classes;
      std::stringstream list(value());
      for (std::string item; std::getline(list, item, ',');)
        if (!item.empty()) classes.insert(item);
      o.hard_roads = classes;
    } else if (arg == "--ours")
      o.ours = true;
    else if (arg == "--compare")
      o.compare = value();
    else if (arg == "--repeat")
      o.repeat = std::stoi(value());
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

  if (!o.evaluate.empty()) {
    const BenchGraph bench = o.graph.empty() ? BenchGraph{make_graph(o), {}} : read_atoms(o.graph);
    BenchGraph evaluated = bench;
    evaluated.community.resize(static_cast<std::size_t>(bench.graph.node_count()), 0);
    std::ifstream in(o.evaluate);
    std::vector<PartId> part;
    for (PartId p; in >> p;) part.push_back(p);
    if (static_cast<NodeId>(part.size()) != bench.graph.node_count()) {
      std::cerr << "bench_partition: " << o.evaluate << " has " << part.size()
                << " entries, the graph " << bench.graph.node_count() << " nodes\n";
      return 1;
    }
    print_quality("metis", evaluated, part, o.bounds, 0.0);
    return 0;
  }

  if (o.ours) {
    if (o.graph.empty()) {
      std::cerr << "bench_partition: --ours needs --graph DIR/graph.atoms\n";
      return 2;
    }
    const BenchGraph bench = read_atoms(o.graph);
    const OurPartition ours = rerun_on_saved(bench, o);
    print_quality("ours", bench, ours.part, o.bounds, ours.seconds);
    std::printf("       %.3f s thread CPU in partition_graph (fastest of %d), %d parts\n",
                ours.cpu_seconds, std::max(1, o.repeat), ours.part_count);
    if (!o.compare.empty()) {
      std::ifstream in(o.compare);
      std::vector<PartId> saved;
      for (PartId p; in >> p;) saved.push_back(p);
      std::printf("       parts %s %s\n", saved == ours.part ? "identical to" : "DIFFER from",
                  o.compare.c_str());
    }
    return 0;
  }

  BenchGraph bench;
  OurPartition ours;
  if (!o.town.empty()) {
    std::tie(bench, ours) = town_graph(o);
  } else {
    bench.graph = make_graph(o);
    bench.community.assign(static_cast<std::size_t>(bench.graph.node_count()), 0);
    // The same number of parts for both: ours chooses it from the bounds (one component).
    GraphPartitionOptions options;
    options.bounds = o.bounds;
    options.seed = o.seed;
    const auto start = std::chrono::steady_clock::now();
    const double cpu_before = thread_cpu_seconds();
    GraphPartition result = partition_graph(bench.graph, options);
    ours.cpu_seconds = thread_cpu_seconds() - cpu_before;
    ours.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ours.part = std::move(result.part);
    ours.part_count = result.part_count;
  }

  if (!o.dir.empty()) {
    write_metis(o.dir + "/graph.metis", bench.graph);
    write_atoms(o.dir + "/graph.atoms", bench);
    std::ofstream(o.dir + "/parts") << ours.part_count << '\n';
    std::ofstream out(o.dir + "/ours.part");
    for (PartId p : ours.part) out << p << '\n';
  }
  const AtomGraph& graph = bench.graph;
  const InfeasibleContainers infeasible = infeasible_containers(graph, o.bounds);
  std::printf(
      "graph  nodes %d  edges %zu  households %lld  components %d  parts %d\n"
      "       components no partition can keep within the bounds: %d below the minimum, "
      "%d with no feasible number of parts\n",
      graph.node_count(), graph.neighbours.size() / 2, graph.total_households(),
      connected_components(graph).count, ours.part_count, infeasible.below_min,
      infeasible.no_feasible_count);
  print_quality("ours", bench, ours.part, o.bounds, ours.seconds);
  if (!o.town.empty())
    std::printf("       ours re-run: %.3f s thread CPU in partition_graph (%s)\n", ours.cpu_seconds,
                ours.rerun_identical ? "same parts as make_plan"
                                     : "parts differ from make_plan: options not reproduced, "
                                       "use the wall time");
  else
    std::printf("       ours: %.3f s thread CPU in partition_graph\n", ours.cpu_seconds);
  if (!o.town.empty())
    std::printf(
        "       ours left %d parts outside the bounds in %d containers where no division "
        "can hold them (below the minimum, no feasible count, or exhaustive search), and "
        "%d parts in %d containers without such a proof\n",
        ours.parts_in_proven, ours.containers_proven, ours.parts_in_unproven,
        ours.containers_unproven);
  return 0;
} catch (const std::exception& error) {
  std::cerr << "bench_partition: " << error.what() << '\n';
  return 1;
}
