#include "planner/sim/siting.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <numeric>
#include <queue>
#include <sstream>
#include <string_view>

#include "planner/core/parallel.hpp"
#include "planner/core/progress_ticks.hpp"
#include "planner/core/shortest_path.hpp"
#include "planner/sim/point_grid.hpp"

namespace gp::sim {

namespace {

/// Scratch space of one thread for radius-bounded searches, reset by the touched lists.
struct SearchScratch {
  std::vector<double> node_distance;
  std::vector<std::int32_t> touched_nodes;
  std::vector<double> demand_distance;
  std::vector<std::int32_t> touched_demands;
};

}  // namespace

CoverageSets compute_coverage_sets(const WalkNetwork& network, const std::vector<Point>& candidates,
                                   const std::vector<Point>& demands, double radius_m,
                                   double max_snap_m, double detour_factor, Progress* progress) {
  std::vector<std::vector<std::int32_t>> per_candidate(candidates.size());
  // Candidates go in blocks, each spread over the cores, with the progress reported between
  // blocks from this thread: one search per candidate takes ~1 ms on a dense network, and 100k
  // candidates (every building) took 30 s without a word. ~200 blocks (at least 256 candidates
  // each, so a block keeps both cores busy) put the updates a fraction of a second apart.
  //
  // Before the searches, the demands and the candidates are snapped to the network (at 1M
  // buildings ~1.1M snaps, 1.3 s without a word at 0 %, round 11): in blocks too, reported as
  // the stage's first 3 %. Each point is snapped as snap_all snaps it, so the sets do not
  // change.
  constexpr const char* kStage = "siting: coverage of candidates";
  const double snap_share = network.empty() ? 0.0 : 0.03;
  constexpr double kSearchesEnd = 0.97;  // the searches end here; the sets' joining follows
  const std::size_t block = std::max<std::size_t>(256, candidates.size() / 200);
  auto for_each_candidate = [&](const auto& body) {
    for (std::size_t first = 0; first < candidates.size(); first += block) {
      const std::size_t last = std::min(candidates.size(), first + block);
      parallel_for(first, last, body);
      if (progress)
        progress->update(kStage, snap_share + (kSearchesEnd - snap_share) *
                                                  static_cast<double>(last) /
                                                  static_cast<double>(candidates.size()));
    }
  };
  const double snap_total = static_cast<double>(demands.size() + candidates.size());
  auto snap_reporting = [&](const std::vector<Point>& points, std::size_t done_before) {
    std::vector<Snap> snaps(points.size());
    const std::size_t snap_block = std::max<std::size_t>(4096, points.size() / 16);
    for (std::size_t first = 0; first < points.size(); first += snap_block) {
      const std::size_t last = std::min(points.size(), first + snap_block);
      parallel_for(first, last,
                   [&](std::size_t i) { snaps[i] = network.snap(points[i], max_snap_m); });
      if (progress && snap_total > 0)
        progress->update(kStage, snap_share * static_cast<double>(done_before + last) / snap_total);
    }
    return snaps;
  };
  if (network.empty()) {
    const PointGrid grid(demands);
    for_each_candidate([&](std::size_t c) {
      per_candidate[c] = grid.within(candidates[c], radius_m / detour_factor);
    });
  } else {
    const std::vector<Snap> demand_snaps = snap_reporting(demands, 0);
    const std::vector<Snap> candidate_snaps = snap_reporting(candidates, demands.size());
    // Demands by edge (CSR).
    std::vector<std::int32_t> edge_offsets(network.edge_count() + 1, 0);
    for (const Snap& snap : demand_snaps) {
      if (snap.ok()) ++edge_offsets[static_cast<std::size_t>(snap.edge) + 1];
    }
    for (std::size_t e = 1; e < edge_offsets.size(); ++e) edge_offsets[e] += edge_offsets[e - 1];
    std::vector<std::int32_t> edge_demands(static_cast<std::size_t>(edge_offsets.back()));
    {
      std::vector<std::int32_t> fill(edge_offsets.begin(), edge_offsets.end() - 1);
      for (std::size_t d = 0; d < demand_snaps.size(); ++d) {
        if (demand_snaps[d].ok()) {
          edge_demands[static_cast<std::size_t>(
              fill[static_cast<std::size_t>(demand_snaps[d].edge)]++)] =
              static_cast<std::int32_t>(d);
        }
      }
    }
    PerThread<SearchScratch> scratches([&] {
      SearchScratch scratch;
      scratch.node_distance.assign(network.node_count(), kUnreachable);
      scratch.demand_distance.assign(demands.size(), kUnreachable);
      return scratch;
    });
    for_each_candidate([&](std::size_t c) {
      const Snap& origin = candidate_snaps[c];
      if (!origin.ok()) return;
      SearchScratch& scratch = scratches.local();
      auto reach_demand = [&](std::int32_t d, double distance) {
        if (distance > radius_m) return;
        double& best = scratch.demand_distance[static_cast<std::size_t>(d)];
        if (best == kUnreachable) scratch.touched_demands.push_back(d);
        best = std::min(best, distance);
      };
      // The project's one Dijkstra (planner/core/shortest_path.hpp), bounded by the radius.
      ShortestPaths search(scratch.node_distance);
      search.set_limit(radius_m);
      auto offer = [&](std::int32_t node, double distance) {
        const bool first = scratch.node_distance[static_cast<std::size_t>(node)] == kUnreachable;
        if (search.offer(node, distance) && first) scratch.touched_nodes.push_back(node);
      };
      const double origin_length = network.edge_length(origin.edge);
      offer(network.edge_from(origin.edge), origin.distance_m + origin.t * origin_length);
      offer(network.edge_to(origin.edge), origin.distance_m + (1.0 - origin.t) * origin_length);
      // Demands on the candidate's own edge: walk along it directly.
      for (std::int32_t k = edge_offsets[static_cast<std::size_t>(origin.edge)];
           k < edge_offsets[static_cast<std::size_t>(origin.edge) + 1]; ++k) {
        const std::int32_t d = edge_demands[static_cast<std::size_t>(k)];
        const Snap& snap = demand_snaps[static_cast<std::size_t>(d)];
        reach_demand(
            d, origin.distance_m + std::abs(origin.t - snap.t) * origin_length + snap.distance_m);
      }
      // A node's demands: those on each edge it touches, reached from it at `distance`.
      auto reach_from = [&](std::int32_t node, double distance) {
        for (const std::int32_t* e = network.incident_begin(node); e != network.incident_end(node);
             ++e) {
          const double length = network.edge_length(*e);
          const bool at_from = network.edge_from(*e) == node;
          for (std::int32_t k = edge_offsets[static_cast<std::size_t>(*e)];
               k < edge_offsets[static_cast<std::size_t>(*e) + 1]; ++k) {
            const std::int32_t d = edge_demands[static_cast<std::size_t>(k)];
            const Snap& snap = demand_snaps[static_cast<std::size_t>(d)];
            reach_demand(d,
                         distance + (at_from ? snap.t : 1.0 - snap.t) * length + snap.distance_m);
          }
        }
      };
      // `node` reached at `distance` over edge `via`. Most nodes of a street network only join
      // two edges (the vertices of a curving street): such a node is not queued but settled at
      // once and the walk goes on along the street, until a junction (queued as usual), a node
      // already reached as near, or the radius. A node walked to too early is walked again when
      // a shorter way reaches it, so every node ends at the least of its neighbours' distances
      // plus the edge — the same sums, added in the same order, as the queue alone gives — and
      // every demand at the least distance any settled node offers it: the sets do not change
      // (tests/sim/test_siting.cpp compares them with the plain search). Real 100k town:
      // 132,073 nodes for 142,371 edges, 2.16 edges per node: most nodes join two.
      auto relax = [&](std::int32_t node, double distance, std::int32_t via) {
        for (;;) {
          const std::int32_t* first_edge = network.incident_begin(node);
          const bool chain =
              network.incident_end(node) - first_edge == 2 && first_edge[0] != first_edge[1];
          if (!chain) {
            offer(node, distance);
            return;
          }
          if (distance > radius_m) return;
          double& best = scratch.node_distance[static_cast<std::size_t>(node)];
          if (!(distance < best)) return;
          if (best == kUnreachable) scratch.touched_nodes.push_back(node);
          best = distance;
          reach_from(node, distance);
          const std::int32_t next = first_edge[0] == via ? first_edge[1] : first_edge[0];
          distance = distance + network.edge_length(next);
          node = network.other_end(next, node);
          via = next;
        }
      };
      search.settle([&](std::int32_t node, double distance) {
        reach_from(node, distance);
        for (const std::int32_t* e = network.incident_begin(node); e != network.incident_end(node);
             ++e)
          relax(network.other_end(*e, node), distance + network.edge_length(*e), *e);
      });
      std::vector<std::int32_t>& covered = per_candidate[c];
      covered = scratch.touched_demands;
      std::sort(covered.begin(), covered.end());
      for (std::int32_t node : scratch.touched_nodes) {
        scratch.node_distance[static_cast<std::size_t>(node)] = kUnreachable;
      }
      for (std::int32_t d : scratch.touched_demands) {
        scratch.demand_distance[static_cast<std::size_t>(d)] = kUnreachable;
      }
      scratch.touched_nodes.clear();
      scratch.touched_demands.clear();
    });
  }
  // The sets joined into one array (CSR), appended block by block with the progress reported
  // between blocks as the stage's last 3 %, each set freed once copied: at 1M buildings this
  // is hundreds of millions of entries, and the join was 1.2–2.3 s without a word after the
  // searches' last report (rounds 16–17). Reserved, not sized: sizing would zero the whole
  // array on this thread before the first report (3.3 s on a busy machine, round 17).
  CoverageSets sets;
  std::size_t total = 0;
  for (const auto& covered : per_candidate) total += covered.size();
  sets.demands.reserve(total);
  sets.offsets.reserve(candidates.size() + 1);
  for (std::size_t first = 0; first < candidates.size(); first += block) {
    const std::size_t last = std::min(candidates.size(), first + block);
    for (std::size_t c = first; c < last; ++c) {
      sets.add(per_candidate[c]);
      std::vector<std::int32_t>().swap(per_candidate[c]);
    }
    if (progress)
      progress->update(kStage, kSearchesEnd + (1.0 - kSearchesEnd) * static_cast<double>(last) /
                                                  static_cast<double>(candidates.size()));
  }
  return sets;
}

namespace {

/// The candidates covering each demand (the sets inverted: `offsets` by demand, candidates
/// ascending). Read over every set twice (a count, then a fill): at 1M buildings hundreds of
/// millions of entries, seconds of scattered writes, so it reports from `from` to `to` of the
/// stage as the sets are read (`report` may be empty).
struct InverseSets {
  std::vector<std::int64_t> offsets;
  // Not zero-filled (make_unique_for_overwrite): the fill writes every entry, and zeroing
  // hundreds of millions first was seconds without a word between the count and the fill
  // (~3.5 s at 300k buildings under load, round 11); its pages are now touched by the fill,
  // which reports.
  std::unique_ptr<std::int32_t[]> candidates;
};

InverseSets invert(const CoverageSets& sets, std::size_t demand_count,
                   const std::function<void(double)>& report, double from, double to) {
  InverseSets inverse;
  inverse.offsets.assign(demand_count + 1, 0);
  const std::size_t candidates = sets.candidates();
  const double middle = from + 0.4 * (to - from);
  LoopTicks count_ticks(report, from, middle, sets.demands.size(), std::size_t(1) << 20);
  for (std::size_t c = 0; c < candidates; ++c) {
    for (const std::int32_t* d = sets.begin(c); d != sets.end(c); ++d)
      ++inverse.offsets[static_cast<std::size_t>(*d) + 1];
    count_ticks.step(static_cast<std::size_t>(sets.end(c) - sets.begin(c)));
  }
  for (std::size_t d = 1; d < inverse.offsets.size(); ++d)
    inverse.offsets[d] += inverse.offsets[d - 1];
  inverse.candidates = std::make_unique_for_overwrite<std::int32_t[]>(sets.demands.size());
  std::vector<std::int64_t> fill(inverse.offsets.begin(), inverse.offsets.end() - 1);
  LoopTicks fill_ticks(report, middle, to, sets.demands.size(), std::size_t(1) << 20);
  for (std::size_t c = 0; c < candidates; ++c) {
    for (const std::int32_t* d = sets.begin(c); d != sets.end(c); ++d) {
      inverse.candidates[static_cast<std::size_t>(fill[static_cast<std::size_t>(*d)]++)] =
          static_cast<std::int32_t>(c);
    }
    fill_ticks.step(static_cast<std::size_t>(sets.end(c) - sets.begin(c)));
  }
  if (report) report(to);
  return inverse;
}

double sum_of_largest(std::vector<double> values, std::size_t k) {
  k = std::min(k, values.size());
  std::partial_sort(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end(),
                    std::greater<>());
  return std::accumulate(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), 0.0);
}

}  // namespace

MaxCoverResult solve_max_cover(const CoverageSets& sets, const std::vector<double>& weights, int k,
                               int swap_passes, Progress* progress) {
  // Progress: the greedy's sites chosen (0–0.2 of the stage), the index of the sets by demand
  // (–0.25) and every candidate's gain (–0.3), then the swap search's slots visited (–0.9: a
  // pass over every chosen site is one sweep; the search ends early when a pass improves
  // nothing), then the final gains and the bound (–1).
  const std::string_view stage = "siting: maximal covering";
  if (progress) progress->update(stage, 0.0);
  std::function<void(double)> report;
  if (progress) report = [progress, stage](double f) { progress->update(stage, f); };
  MaxCoverResult result;
  const std::size_t candidates = sets.candidates();
  if (k <= 0 || candidates == 0) return result;
  std::vector<int> count(weights.size(), 0);  // chosen sites covering each demand
  std::vector<char> chosen(candidates, 0);
  auto marginal = [&](std::size_t c) {
    double gain = 0.0;
    for (const std::int32_t* d = sets.begin(c); d != sets.end(c); ++d) {
      if (count[static_cast<std::size_t>(*d)] == 0) gain += weights[static_cast<std::size_t>(*d)];
    }
    return gain;
  };
  std::vector<double> single(candidates);
  parallel_for(std::size_t{0}, candidates, [&](std::size_t c) { single[c] = marginal(c); });

  // Greedy with lazy evaluation: gains only shrink as sites are added (submodularity), so a
  // stale gain is an upper bound; a recomputed gain still at the top of the heap is the best.
  using Item = std::pair<double, std::int64_t>;  // (gain bound, −candidate): lower index first
  std::priority_queue<Item> heap;
  for (std::size_t c = 0; c < candidates; ++c)
    heap.push({single[c], -static_cast<std::int64_t>(c)});
  while (static_cast<int>(result.chosen.size()) < k && !heap.empty()) {
    const auto [bound, negative] = heap.top();
    heap.pop();
    const auto c = static_cast<std::size_t>(-negative);
    const double gain = marginal(c);
    if (!heap.empty() && gain < heap.top().first) {
      heap.push({gain, negative});
      continue;
    }
    if (gain <= 0.0) break;
    chosen[c] = 1;
    result.chosen.push_back(static_cast<std::int32_t>(c));
    result.gain.push_back(gain);
    result.covered += gain;
    for (const std::int32_t* d = sets.begin(c); d != sets.end(c); ++d)
      ++count[static_cast<std::size_t>(*d)];
    if (progress)
      progress->update(stage,
                       0.2 * static_cast<double>(result.chosen.size()) / static_cast<double>(k));
  }

  // Swap local search: replace chosen i by j when j covers more than i alone covered.
  const InverseSets inverted = invert(sets, weights.size(), report, 0.2, 0.25);
  const std::vector<std::int64_t>& inverse_offsets = inverted.offsets;
  const std::int32_t* inverse = inverted.candidates.get();
  std::vector<double> gains(candidates), overlap(candidates, 0.0);
  std::vector<std::int32_t> touched;
  auto refresh_gains = [&] {
    parallel_for(std::size_t{0}, candidates,
                 [&](std::size_t c) { gains[c] = chosen[c] ? 0.0 : marginal(c); });
  };
  refresh_gains();
  if (progress) progress->update(stage, 0.3);
  // After a swap only the candidates covering a demand whose coverage changed (covered by no
  // chosen site before and some after, or the reverse) can have another marginal gain; theirs
  // are recomputed by the same sum as refresh_gains, so every gain is the same double as a full
  // refresh gives (the full refresh cost Σ|sets| per swap: 100k candidates × hundreds of demands
  // each on a real town).
  std::vector<char> stale(candidates, 0);
  std::vector<std::int32_t> stale_list;
  auto mark_covering = [&](std::size_t demand) {
    for (std::int64_t k2 = inverse_offsets[demand]; k2 < inverse_offsets[demand + 1]; ++k2) {
      const auto c = static_cast<std::size_t>(inverse[static_cast<std::size_t>(k2)]);
      if (!stale[c]) {
        stale[c] = 1;
        stale_list.push_back(static_cast<std::int32_t>(c));
      }
    }
  };
  auto refresh_stale = [&] {
    parallel_for(std::size_t{0}, stale_list.size(), [&](std::size_t k2) {
      const auto c = static_cast<std::size_t>(stale_list[k2]);
      gains[c] = chosen[c] ? 0.0 : marginal(c);
      stale[c] = 0;
    });
    stale_list.clear();
  };
  constexpr double greedy_share = 0.3;
  constexpr double swap_end = 0.9;
  const std::size_t slots = std::max<std::size_t>(result.chosen.size(), 1);
  const int passes = std::max(swap_passes, 1);
  for (int pass = 0; pass < swap_passes; ++pass) {
    bool improved = false;
    for (std::size_t slot = 0; slot < result.chosen.size(); ++slot) {
      if (progress)
        progress->update(
            stage,
            greedy_share + (swap_end - greedy_share) *
                               static_cast<double>(static_cast<std::size_t>(pass) * slots + slot) /
                               static_cast<double>(static_cast<std::size_t>(passes) * slots));
      const auto i = static_cast<std::size_t>(result.chosen[slot]);
      double loss = 0.0;  // weight only i covers
      for (const std::int32_t* d = sets.begin(i); d != sets.end(i); ++d) {
        const auto demand = static_cast<std::size_t>(*d);
        if (count[demand] != 1) continue;
        loss += weights[demand];
        for (std::int64_t k2 = inverse_offsets[demand]; k2 < inverse_offsets[demand + 1]; ++k2) {
          const std::int32_t j = inverse[static_cast<std::size_t>(k2)];
          if (overlap[static_cast<std::size_t>(j)] == 0.0) touched.push_back(j);
          overlap[static_cast<std::size_t>(j)] += weights[demand];
        }
      }
      std::int64_t best = -1;
      double best_value = loss + 1e-9 * std::max(1.0, loss);
      for (std::size_t j = 0; j < candidates; ++j) {
        if (chosen[j]) continue;
        const double value = gains[j] + overlap[j];
        if (value > best_value) {
          best_value = value;
          best = static_cast<std::int64_t>(j);
        }
      }
      for (std::int32_t j : touched) overlap[static_cast<std::size_t>(j)] = 0.0;
      touched.clear();
      if (best < 0) continue;
      const auto j = static_cast<std::size_t>(best);
      for (const std::int32_t* d = sets.begin(i); d != sets.end(i); ++d)
        if (--count[static_cast<std::size_t>(*d)] == 0) mark_covering(static_cast<std::size_t>(*d));
      for (const std::int32_t* d = sets.begin(j); d != sets.end(j); ++d)
        if (count[static_cast<std::size_t>(*d)]++ == 0) mark_covering(static_cast<std::size_t>(*d));
      chosen[i] = 0;
      chosen[j] = 1;
      result.chosen[slot] = static_cast<std::int32_t>(j);
      ++result.swaps;
      improved = true;
      for (const std::size_t c : {i, j})
        if (!stale[c]) {
          stale[c] = 1;
          stale_list.push_back(static_cast<std::int32_t>(c));
        }
      refresh_stale();
    }
    if (!improved) break;
  }
  // Gains in the final order, and the covered total.
  if (progress) progress->update(stage, swap_end);
  std::fill(count.begin(), count.end(), 0);
  result.covered = 0.0;
  for (std::size_t slot = 0; slot < result.chosen.size(); ++slot) {
    const auto c = static_cast<std::size_t>(result.chosen[slot]);
    result.gain[slot] = marginal(c);
    result.covered += result.gain[slot];
    for (const std::int32_t* d = sets.begin(c); d != sets.end(c); ++d)
      ++count[static_cast<std::size_t>(*d)];
  }
  refresh_gains();
  if (progress) progress->update(stage, 0.94);
  const auto kk = static_cast<std::size_t>(k);
  double total_weight = 0.0;
  {
    std::vector<char> coverable(weights.size(), 0);
    LoopTicks coverable_ticks(report, 0.94, 0.98, sets.demands.size(), std::size_t(1) << 20);
    for (std::size_t c = 0; c < candidates; ++c) {
      for (const std::int32_t* d = sets.begin(c); d != sets.end(c); ++d)
        coverable[static_cast<std::size_t>(*d)] = 1;
      coverable_ticks.step(static_cast<std::size_t>(sets.end(c) - sets.begin(c)));
    }
    for (std::size_t d = 0; d < weights.size(); ++d)
      total_weight += coverable[d] ? weights[d] : 0.0;
  }
  if (progress) progress->update(stage, 0.98);
  result.upper_bound = std::min(
      {sum_of_largest(single, kk), result.covered + sum_of_largest(gains, kk), total_weight});
  result.upper_bound = std::max(result.upper_bound, result.covered);
  result.gap =
      result.upper_bound > 0.0 ? (result.upper_bound - result.covered) / result.upper_bound : 0.0;
  if (progress) progress->update(stage, 1.0);
  return result;
}

SetCoverResult solve_set_cover(const CoverageSets& sets, const std::vector<double>& weights,
                               Progress* progress) {
  // Progress: the coverable demand points found (0–0.01), those covered by the greedy (–0.8 of
  // the stage), then the redundant sites dropped (–0.9), the sets inverted (–0.93) and the
  // lower bound.
  const std::string_view stage = "siting: set covering";
  if (progress) progress->update(stage, 0.0);
  std::function<void(double)> report;
  if (progress) report = [progress, stage](double f) { progress->update(stage, f); };
  SetCoverResult result;
  const std::size_t candidates = sets.candidates();
  std::vector<char> coverable(weights.size(), 0);
  {
    LoopTicks coverable_ticks(report, 0.0, 0.01, sets.demands.size(), std::size_t(1) << 20);
    for (std::size_t c = 0; c < candidates; ++c) {
      for (const std::int32_t* d = sets.begin(c); d != sets.end(c); ++d)
        if (weights[static_cast<std::size_t>(*d)] > 0.0)
          coverable[static_cast<std::size_t>(*d)] = 1;
      coverable_ticks.step(static_cast<std::size_t>(sets.end(c) - sets.begin(c)));
    }
  }
  for (std::size_t d = 0; d < weights.size(); ++d) {
    if (weights[d] > 0.0 && !coverable[d]) result.uncoverable += weights[d];
  }
  std::vector<int> count(weights.size(), 0);
  auto new_demands = [&](std::size_t c) {
    long long n = 0;
    for (const std::int32_t* d = sets.begin(c); d != sets.end(c); ++d) {
      const auto demand = static_cast<std::size_t>(*d);
      n += coverable[demand] && count[demand] == 0 ? 1 : 0;
    }
    return n;
  };
  // Greedy by newly covered demand points, lazily evaluated; ties to the lower index.
  using Item = std::pair<long long, std::int64_t>;
  std::vector<long long> first_gain(candidates);
  parallel_for(std::size_t{0}, candidates, [&](std::size_t c) { first_gain[c] = new_demands(c); });
  if (progress) progress->update(stage, 0.01);
  std::priority_queue<Item> heap;
  for (std::size_t c = 0; c < candidates; ++c)
    heap.push({first_gain[c], -static_cast<std::int64_t>(c)});
  std::vector<long long>().swap(first_gain);
  const auto to_cover = static_cast<double>(
      std::max<std::ptrdiff_t>(1, std::count(coverable.begin(), coverable.end(), char{1})));
  double covered_points = 0.0;
  double reported = 0.0;
  std::vector<std::int32_t> picked;
  while (!heap.empty()) {
    const auto [bound, negative] = heap.top();
    heap.pop();
    const auto c = static_cast<std::size_t>(-negative);
    const long long gain = new_demands(c);
    if (!heap.empty() && gain < heap.top().first) {
      heap.push({gain, negative});
      continue;
    }
    if (gain <= 0) break;
    picked.push_back(static_cast<std::int32_t>(c));
    for (const std::int32_t* d = sets.begin(c); d != sets.end(c); ++d)
      ++count[static_cast<std::size_t>(*d)];
    covered_points += static_cast<double>(gain);
    // Every 1 % of the points: a greedy step is one set's length, thousands a second.
    if (progress && covered_points - reported >= 0.01 * to_cover) {
      reported = covered_points;
      progress->update(stage, 0.01 + 0.79 * covered_points / to_cover);
    }
  }
  if (progress) progress->update(stage, 0.8);
  // Drop sites whose every coverable demand another chosen site covers (latest first).
  std::vector<char> keep(picked.size(), 1);
  for (std::size_t k = picked.size(); k-- > 0;) {
    const auto c = static_cast<std::size_t>(picked[k]);
    bool redundant = true;
    for (const std::int32_t* d = sets.begin(c); d != sets.end(c) && redundant; ++d) {
      const auto demand = static_cast<std::size_t>(*d);
      redundant = !coverable[demand] || count[demand] >= 2;
    }
    if (!redundant) continue;
    keep[k] = 0;
    for (const std::int32_t* d = sets.begin(c); d != sets.end(c); ++d)
      --count[static_cast<std::size_t>(*d)];
  }
  std::fill(count.begin(), count.end(), 0);
  for (std::size_t k = 0; k < picked.size(); ++k) {
    if (!keep[k]) continue;
    const auto c = static_cast<std::size_t>(picked[k]);
    double gain = 0.0;
    for (const std::int32_t* d = sets.begin(c); d != sets.end(c); ++d) {
      const auto demand = static_cast<std::size_t>(*d);
      if (coverable[demand] && count[demand]++ == 0) gain += weights[demand];
    }
    result.chosen.push_back(picked[k]);
    result.gain.push_back(gain);
    result.covered += gain;
  }
  if (progress) progress->update(stage, 0.9);
  // Lower bound: demands pairwise without a common covering candidate (fewest candidates first).
  const InverseSets inverted = invert(sets, weights.size(), report, 0.9, 0.93);
  const std::vector<std::int64_t>& inverse_offsets = inverted.offsets;
  const std::int32_t* inverse = inverted.candidates.get();
  std::vector<std::int32_t> order;
  for (std::size_t d = 0; d < weights.size(); ++d) {
    if (coverable[d]) order.push_back(static_cast<std::int32_t>(d));
  }
  if (progress) progress->update(stage, 0.93);
  std::stable_sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
    return inverse_offsets[static_cast<std::size_t>(a) + 1] -
               inverse_offsets[static_cast<std::size_t>(a)] <
           inverse_offsets[static_cast<std::size_t>(b) + 1] -
               inverse_offsets[static_cast<std::size_t>(b)];
  });
  std::vector<char> used(candidates, 0);
  for (const std::int32_t d : order) {
    const auto demand = static_cast<std::size_t>(d);
    bool free = true;
    for (std::int64_t k = inverse_offsets[demand]; k < inverse_offsets[demand + 1] && free; ++k) {
      free = !used[static_cast<std::size_t>(inverse[static_cast<std::size_t>(k)])];
    }
    if (!free) continue;
    ++result.lower_bound;
    for (std::int64_t k = inverse_offsets[demand]; k < inverse_offsets[demand + 1]; ++k) {
      used[static_cast<std::size_t>(inverse[static_cast<std::size_t>(k)])] = 1;
    }
  }
  if (progress) progress->update(stage, 1.0);
  return result;
}

SitingResult site_stations(const Dataset& dataset, const CoverageResult& coverage,
                           const WalkNetwork& network, std::vector<Point> candidates,
                           const SitingParams& params, const CoverageParams& coverage_params,
                           Progress* progress) {
  SitingResult result;
  const std::vector<Point> points = building_points(dataset);
  std::vector<Point> demand_points;
  std::vector<double> weights;
  const bool candidates_are_buildings = candidates.empty() && params.candidates_from_buildings;
  for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
    const int households = dataset.buildings[b].households;
    if (households <= 0) continue;
    if (candidates_are_buildings) candidates.push_back(points[b]);
    if (coverage.any().distance_m[b] <= params.radius_m) continue;
    demand_points.push_back(points[b]);
    weights.push_back(households);
    result.households_uncovered += households;
  }
  std::ostringstream method;
  if (network.empty()) {
    method << "no walking network: straight line × " << coverage_params.detour_factor
           << " detour factor within " << params.radius_m << " m";
  } else {
    method << "walking network within " << params.radius_m << " m";
  }
  result.method = method.str();
  if (progress) progress->update("siting: coverage of candidates", 0.0);
  const CoverageSets sets =
      compute_coverage_sets(network, candidates, demand_points, params.radius_m,
                            coverage_params.max_snap_m, coverage_params.detour_factor, progress);
  const MaxCoverResult max_cover =
      solve_max_cover(sets, weights, params.new_stations, params.swap_passes, progress);
  for (std::size_t k = 0; k < max_cover.chosen.size(); ++k) {
    const std::int32_t c = max_cover.chosen[k];
    result.max_cover.push_back(
        {c, candidates[static_cast<std::size_t>(c)], std::llround(max_cover.gain[k])});
  }
  result.max_cover_households = std::llround(max_cover.covered);
  result.max_cover_upper_bound = max_cover.upper_bound;
  result.max_cover_gap = max_cover.gap;
  const SetCoverResult set_cover = solve_set_cover(sets, weights, progress);
  for (std::size_t k = 0; k < set_cover.chosen.size(); ++k) {
    const std::int32_t c = set_cover.chosen[k];
    result.set_cover.push_back(
        {c, candidates[static_cast<std::size_t>(c)], std::llround(set_cover.gain[k])});
  }
  result.set_cover_lower_bound = set_cover.lower_bound;
  result.households_uncoverable = std::llround(set_cover.uncoverable);
  if (progress) progress->update("siting", 1.0);
  return result;
}

}  // namespace gp::sim
