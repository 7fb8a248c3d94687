#include "planner/partition/graph.hpp"

#include <algorithm>
#include <stdexcept>

namespace gp::partition {

long long AtomGraph::total_households() const {
  long long total = 0;
  for (int h : households) total += h;
  return total;
}

NodeId AtomGraphBuilder::add_node(int households, double workload, double area_m2,
                                  double perimeter_m, Point position) {
  graph_.households.push_back(households);
  graph_.workload.push_back(workload);
  graph_.area_m2.push_back(area_m2);
  graph_.perimeter_m.push_back(perimeter_m);
  graph_.position.push_back(position);
  return graph_.node_count() - 1;
}

void AtomGraphBuilder::add_edge(NodeId a, NodeId b, double shared_length_m) {
  if (a == b) return;
  if (a < 0 || b < 0 || a >= graph_.node_count() || b >= graph_.node_count())
    throw std::out_of_range("partition graph: edge refers to a node that does not exist");
  edges_.push_back({std::min(a, b), std::max(a, b), shared_length_m});
}

AtomGraph AtomGraphBuilder::build() {
  std::sort(edges_.begin(), edges_.end(),
            [](const Edge& l, const Edge& r) { return l.a != r.a ? l.a < r.a : l.b < r.b; });
  // Merge parallel edges (two building pieces of one compound touching twice, etc.).
  std::vector<Edge> merged;
  merged.reserve(edges_.size());
  for (const Edge& e : edges_) {
    if (!merged.empty() && merged.back().a == e.a && merged.back().b == e.b)
      merged.back().length += e.length;
    else
      merged.push_back(e);
  }
  const auto n = static_cast<std::size_t>(graph_.node_count());
  std::vector<std::int32_t> degree(n, 0);
  for (const Edge& e : merged) {
    ++degree[static_cast<std::size_t>(e.a)];
    ++degree[static_cast<std::size_t>(e.b)];
  }
  graph_.offsets.assign(n + 1, 0);
  for (std::size_t v = 0; v < n; ++v) graph_.offsets[v + 1] = graph_.offsets[v] + degree[v];
  graph_.neighbours.assign(static_cast<std::size_t>(graph_.offsets[n]), 0);
  graph_.shared_length_m.assign(graph_.neighbours.size(), 0.0);
  std::vector<std::int32_t> fill(graph_.offsets.begin(), graph_.offsets.end() - 1);
  // Edges are sorted by (a, b), so each adjacency list comes out sorted as well.
  for (const Edge& e : merged) {
    auto ia = static_cast<std::size_t>(fill[static_cast<std::size_t>(e.a)]++);
    graph_.neighbours[ia] = e.b;
    graph_.shared_length_m[ia] = e.length;
  }
  for (const Edge& e : merged) {
    auto ib = static_cast<std::size_t>(fill[static_cast<std::size_t>(e.b)]++);
    graph_.neighbours[ib] = e.a;
    graph_.shared_length_m[ib] = e.length;
  }
  for (std::size_t v = 0; v < n; ++v) {
    // Sort each list (the two fill passes interleave lower and higher neighbours).
    auto first = static_cast<std::ptrdiff_t>(graph_.offsets[v]);
    auto last = static_cast<std::ptrdiff_t>(graph_.offsets[v + 1]);
    std::vector<std::pair<NodeId, double>> list;
    list.reserve(static_cast<std::size_t>(last - first));
    for (auto i = first; i < last; ++i)
      list.emplace_back(graph_.neighbours[static_cast<std::size_t>(i)],
                        graph_.shared_length_m[static_cast<std::size_t>(i)]);
    std::sort(list.begin(), list.end());
    for (auto i = first; i < last; ++i) {
      graph_.neighbours[static_cast<std::size_t>(i)] =
          list[static_cast<std::size_t>(i - first)].first;
      graph_.shared_length_m[static_cast<std::size_t>(i)] =
          list[static_cast<std::size_t>(i - first)].second;
    }
  }
  edges_.clear();
  AtomGraph out = std::move(graph_);
  graph_ = AtomGraph{};
  return out;
}

Components connected_components(const AtomGraph& graph) {
  Components result;
  const auto n = static_cast<std::size_t>(graph.node_count());
  result.of_node.assign(n, -1);
  std::vector<NodeId> stack;
  for (NodeId start = 0; start < graph.node_count(); ++start) {
    if (result.of_node[static_cast<std::size_t>(start)] >= 0) continue;
    const std::int32_t id = result.count++;
    result.of_node[static_cast<std::size_t>(start)] = id;
    stack.push_back(start);
    while (!stack.empty()) {
      NodeId v = stack.back();
      stack.pop_back();
      for (auto i = graph.begin(v); i < graph.end(v); ++i) {
        NodeId u = graph.neighbours[static_cast<std::size_t>(i)];
        if (result.of_node[static_cast<std::size_t>(u)] < 0) {
          result.of_node[static_cast<std::size_t>(u)] = id;
          stack.push_back(u);
        }
      }
    }
  }
  return result;
}

AtomGraph make_lattice(int width, int height, const std::vector<int>& households) {
  AtomGraphBuilder builder;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      auto v = static_cast<std::size_t>(y * width + x);
      int h = v < households.size() ? households[v] : 0;
      builder.add_node(h, h, 1.0, 4.0, Point{x + 0.5, y + 0.5});
    }
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      if (x + 1 < width) builder.add_edge(y * width + x, y * width + x + 1, 1.0);
      if (y + 1 < height) builder.add_edge(y * width + x, (y + 1) * width + x, 1.0);
    }
  return builder.build();
}

}  // namespace gp::partition
