#include "planner/partition/graph_partition.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <map>
#include <numbers>
#include <optional>
#include <queue>
#include <unordered_map>
#include <utility>

#include "planner/core/progress_ticks.hpp"
#include "planner/core/random.hpp"

namespace gp::partition {

const char* to_string(Infeasibility why) {
  switch (why) {
    case Infeasibility::below_minimum:
      return "below-minimum";
    case Infeasibility::no_feasible_count:
      return "no-feasible-count";
    case Infeasibility::granularity:
      return "granularity";
  }
  return "?";
}

namespace {

std::size_t at(std::int32_t i) {
  return static_cast<std::size_t>(i);
}

/// The project's SplitMix64 mixer (planner/core/random.hpp): portable, so the same seed gives the
/// same restarts with any standard library.
std::uint64_t mix(std::uint64_t x) {
  return mix64(x);
}

struct PartState {
  long long households = 0;
  double workload = 0.0;
  double area_m2 = 0.0;
  double perimeter_m = 0.0;  // of the union of the part's cells
  std::int32_t nodes = 0;
};

// Penalty per household outside the bounds, in objective units. One part's balance and
// compactness terms are O(1), so any drop in violation outweighs them.
constexpr double kViolationPenalty = 100.0;
// A household above the maximum weighs twice one below the minimum: the maximum is the grid
// worker's load ceiling, so where no division meets both bounds (compounds that must stay whole)
// an undersized grid is the lesser evil — as for containers without a feasible count.
constexpr long long kAboveMaxWeight = 2;

/// Exhaustive search over the divisions of a small connected container (at most 64 nodes) into
/// connected parts that each hold at most bounds.max and at least one household, with at most
/// `undersized` parts below bounds.min. Used where the heuristic left parts outside the bounds:
/// it either finds a division the heuristic missed or proves that none exists ("granularity"
/// then is a fact about the data, not about the heuristic).
///
/// Method: the lowest-numbered node of the remaining set must be in some part; enumerate the
/// connected sets containing it whose households fit (each exactly once, by include/exclude
/// branching over the frontier), most balanced first, and recurse on what remains, component by
/// component. Remainders already shown to fail are memoised. Every step counts against
/// `step_limit`; running out (or capping a set list) makes the answer "unknown", never "none".
/// Deterministic: no randomness, no clocks.
class ExactDivision {
 public:
  enum class Outcome { found, none, unknown };
  static constexpr std::size_t kMaxNodes = 64;

  /// Precondition: nodes.size() ≤ kMaxNodes, nodes ascending and connected in `graph`.
  ExactDivision(const AtomGraph& graph, const std::vector<NodeId>& nodes,
                const HouseholdBounds& bounds, long long step_limit)
      : bounds_(bounds), steps_left_(step_limit) {
    n_ = static_cast<int>(nodes.size());
    households_.resize(nodes.size());
    neighbours_.assign(nodes.size(), 0);
    // Positions by binary search over the (at most 64) nodes: an index array over the whole
    // graph would cost a pass over every node of the graph for each small container searched.
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      households_[i] = graph.households[at(nodes[i])];
      for (auto e = graph.begin(nodes[i]); e < graph.end(nodes[i]); ++e) {
        const NodeId u = graph.neighbours[at(e)];
        const auto it = std::lower_bound(nodes.begin(), nodes.end(), u);
        if (it == nodes.end() || *it != u) continue;
        const auto j = static_cast<int>(it - nodes.begin());
        if (static_cast<std::size_t>(j) != i) neighbours_[i] |= bit(j);
      }
    }
  }

  /// Searches for a division with at most `undersized` parts below the minimum. On `found`,
  /// `parts` holds one bit set (over the positions in `nodes`) per part.
  Outcome solve(int undersized, std::vector<std::uint64_t>& parts) {
    parts.clear();
    chosen_.clear();
    exhaustive_ = true;
    const std::uint64_t all = n_ == 64 ? ~std::uint64_t{0} : (bit(n_) - 1);
    if (solve_set(all, undersized)) {
      parts = chosen_;
      return Outcome::found;
    }
    return exhaustive_ && steps_left_ > 0 ? Outcome::none : Outcome::unknown;
  }

 private:
  static std::uint64_t bit(int i) { return std::uint64_t{1} << i; }
  static int lowest(std::uint64_t set) { return std::countr_zero(set); }

  long long households(std::uint64_t set) const {
    long long h = 0;
    for (; set; set &= set - 1) h += households_[static_cast<std::size_t>(lowest(set))];
    return h;
  }

  std::uint64_t component_of(int start, std::uint64_t within) const {
    std::uint64_t seen = bit(start), frontier = bit(start);
    while (frontier) {
      const int v = lowest(frontier);
      frontier &= frontier - 1;
      const std::uint64_t next = neighbours_[static_cast<std::size_t>(v)] & within & ~seen;
      seen |= next;
      frontier |= next;
    }
    return seen;
  }

  /// Parts below the minimum any division of a container of h households must have.
  int needed_undersized(long long h) const {
    if (h >= bounds_.min && (h + bounds_.max - 1) / bounds_.max <= h / bounds_.min) return 0;
    return 1;
  }

  bool solve_set(std::uint64_t set, int undersized) {
    if (set == 0) return true;
    // Independent components: each needs its own division; give each the fewest undersized
    // parts it can do with (components do not interact, so this is optimal).
    std::vector<std::uint64_t> components;
    int needed = 0;
    for (std::uint64_t rest = set; rest;) {
      const std::uint64_t c = component_of(lowest(rest), rest);
      rest &= ~c;
      const long long h = households(c);
      if (h <= 0) return false;  // a part without households is no grid
      needed += needed_undersized(h);
      components.push_back(c);
    }
    if (needed > undersized) return false;
    if (components.size() > 1) {
      int left = undersized;
      for (std::size_t k = 0; k < components.size(); ++k) {
        const long long h = households(components[k]);
        int spare = left;
        for (std::size_t j = k + 1; j < components.size(); ++j)
          spare -= needed_undersized(households(components[j]));
        bool done = false;
        for (int u = needed_undersized(h); u <= spare && !done; ++u) {
          if (solve_component(components[k], u)) {
            left -= u;
            done = true;
          }
          if (steps_left_ <= 0) return false;
        }
        if (!done) return false;
      }
      return true;
    }
    return solve_component(set, undersized);
  }

  bool solve_component(std::uint64_t set, int undersized) {
    if (const auto it = failed_.find(set); it != failed_.end() && it->second >= undersized)
      return false;
    if (--steps_left_ <= 0) return false;
    const long long total = households(set);
    if (total <= bounds_.max && (total >= bounds_.min || undersized > 0)) {
      chosen_.push_back(set);  // the whole set is one part
      return true;
    }
    const int v = lowest(set);
    candidates_.clear();
    enumerate(set, bit(v), households_[static_cast<std::size_t>(v)],
              neighbours_[static_cast<std::size_t>(v)] & set, 0, undersized > 0);
    std::vector<std::pair<long long, std::uint64_t>> sets;
    sets.swap(candidates_);
    // Most balanced first: parts within the bounds before undersized ones, then by distance
    // from the target.
    std::sort(sets.begin(), sets.end());
    for (const auto& [key, part] : sets) {
      const bool below = households(part) < bounds_.min;
      const std::size_t mark = chosen_.size();
      if (solve_set(set & ~part, undersized - (below ? 1 : 0))) {
        chosen_.push_back(part);
        return true;
      }
      chosen_.resize(mark);
      if (steps_left_ <= 0) return false;
    }
    if (exhaustive_) {
      auto& worst = failed_[set];
      worst = std::max(worst, undersized);
    }
    return false;
  }

  /// Connected sets ⊇ current within `set`, extended by frontier nodes not yet excluded.
  void enumerate(std::uint64_t set, std::uint64_t current, long long h, std::uint64_t frontier,
                 std::uint64_t excluded, bool allow_below) {
    if (--steps_left_ <= 0) return;
    if (current != set && h >= 1 && (h >= bounds_.min || allow_below)) {
      if (candidates_.size() >= kMaxCandidates) {
        exhaustive_ = false;
        return;
      }
      const long long key = (h < bounds_.min ? (1LL << 40) : 0) + std::llabs(h - bounds_.target);
      candidates_.emplace_back(key, current);
    }
    std::uint64_t open = frontier & ~excluded & ~current;
    std::uint64_t excluded_here = excluded;
    while (open) {
      const int u = lowest(open);
      open &= open - 1;
      const long long hu = h + households_[static_cast<std::size_t>(u)];
      if (hu <= bounds_.max)
        enumerate(
            set, current | bit(u), hu,
            (frontier | (neighbours_[static_cast<std::size_t>(u)] & set)) & ~current & ~bit(u),
            excluded_here, allow_below);
      if (steps_left_ <= 0) return;
      excluded_here |= bit(u);  // later branches leave u out: each set is listed once
    }
  }

  static constexpr std::size_t kMaxCandidates = 1 << 14;

  HouseholdBounds bounds_;
  long long steps_left_;
  int n_ = 0;
  std::vector<long long> households_;
  std::vector<std::uint64_t> neighbours_;
  std::vector<std::uint64_t> chosen_;
  std::vector<std::pair<long long, std::uint64_t>> candidates_;
  std::unordered_map<std::uint64_t, int> failed_;
  bool exhaustive_ = true;
};

// Step limit of one exhaustive search (a step is one set listed or one remainder tried): about
// 10 ms on this machine; the search runs only for containers the heuristic left out of bounds.
constexpr long long kExactStepLimit = 200'000;
// Further heuristic runs for a container too large for the exhaustive search that the first run
// left out of bounds.
constexpr int kRestarts = 8;

/// Per-node work arrays over the whole graph, made once and shared by the components' runs: a
/// component touches only its own nodes' entries, so nothing is cleared between components (a
/// graph of 100k nodes in 600 containers would otherwise fill 600 × 100k entries per array).
struct Scratch {
  explicit Scratch(std::size_t n) : stamp(n, 0), dist(n, -1), home(n, kNoPart), own_previous(n) {}
  std::vector<std::int32_t> stamp;
  std::int32_t stamp_value = 0;
  std::vector<int> dist;             // hop_distances
  std::vector<PartId> home;          // per node: its part as taken over from a previous plan
  std::vector<PartId> own_previous;  // polish(): the division being re-planned from itself
};

/// Reports the share of the graph partitioned to GraphPartitionOptions::on_progress: whole
/// containers done, plus the share of the current one. A container's first heuristic run
/// (construction, repair, refinement) takes nine tenths of it: construction up to half of that
/// (nodes placed by the bisection), the first refinement the rest, by passes (all of it when the
/// refinement stops early). Each further run — restarts, polish passes, the re-plan's fallback
/// over the whole container — takes half of what is left of the last tenth, so a container run
/// many times still reports as it goes (a 1M-atom container's restarts are minutes). Never
/// decreasing, and at most every 1/10,000 of the graph: a town of many small containers (areas
/// cut off by hard barriers, each searched exhaustively when its bounds fail) then reports as
/// they are done — at 1/500 a 1M-building town went 17 s of CPU without an update (issue 14).
class ProgressShare {
 public:
  ProgressShare(const std::function<void(double)>& callback, std::size_t total_nodes)
      : callback_(callback), total_(static_cast<double>(std::max<std::size_t>(total_nodes, 1))) {}
  void begin_container(std::size_t nodes) {
    container_ = static_cast<double>(nodes);
    runs_ = 0;
  }
  /// A heuristic run starts in the current container: its window of the container's share.
  void begin_run() {
    if (runs_ == 0) {
      run_lo_ = 0.0;
      run_hi_ = kFirstRun;
    } else {
      const double rest = (1.0 - kFirstRun) * std::pow(0.5, runs_ - 1);
      run_lo_ = 1.0 - rest;
      run_hi_ = 1.0 - rest / 2;
    }
    ++runs_;
  }
  /// `share` of the current run done.
  void within_run(double share) {
    within(run_lo_ + std::clamp(share, 0.0, 1.0) * (run_hi_ - run_lo_));
  }
  /// `within` of the current container done.
  void within(double share) {
    if (!callback_) return;
    const double f = (done_ + std::clamp(share, 0.0, 1.0) * container_) / total_;
    if (f < reported_ + kStep) return;
    reported_ = f;
    callback_(std::min(f, 1.0));
  }
  void end_container() {
    done_ += container_;
    container_ = 0.0;
    if (!callback_) return;
    const double f = std::min(done_ / total_, 1.0);
    if (f < reported_ + kStep && done_ < total_) return;
    if (f <= reported_) return;
    reported_ = f;
    callback_(f);
  }
  [[nodiscard]] bool active() const { return static_cast<bool>(callback_); }

 private:
  static constexpr double kFirstRun = 0.9;
  static constexpr double kStep = 1e-4;
  const std::function<void(double)>& callback_;
  double total_;
  double done_ = 0.0;
  double container_ = 0.0;
  double reported_ = 0.0;
  int runs_ = 0;
  double run_lo_ = 0.0, run_hi_ = kFirstRun;
};

class ComponentPartitioner {
 public:
  ComponentPartitioner(const AtomGraph& graph, const GraphPartitionOptions& options,
                       std::vector<PartId>& part, std::vector<PartState>& parts, Scratch& scratch,
                       ProgressShare& share)
      : share_(share),
        graph_(graph),
        options_(options),
        bounds_(options.bounds),
        part_(part),
        parts_(parts),
        stamp_(scratch.stamp),
        stamp_value_(scratch.stamp_value),
        dist_(scratch.dist),
        home_(scratch.home),
        own_previous_(scratch.own_previous) {}

  /// Partitions the connected node set `nodes` (ascending). Appends parts to `parts_`.
  void run(const std::vector<NodeId>& nodes, std::uint64_t seed, InfeasibleContainer& report) {
    nodes_ = nodes;
    rng_ = seed;
    first_part_ = static_cast<PartId>(parts_.size());
    long long total = 0;
    double total_work = 0.0;
    for (NodeId v : nodes_) {
      total += graph_.households[at(v)];
      total_work += graph_.workload[at(v)];
    }
    const int k = choose_parts(total, report);
    unavoidable_ = unavoidable_violation(total);
    solve(k, total_work, report);
    polish(k, total_work, seed, report);
    report.parts = live_parts();
    for (PartId p = first_part_; p < static_cast<PartId>(parts_.size()); ++p)
      if (parts_[at(p)].nodes > 0 && violation(parts_[at(p)].households) > 0)
        report.violating_parts.push_back(p);
    if (!report.violating_parts.empty() && report.min_parts <= report.max_parts) {
      report.why = Infeasibility::granularity;
      // One atom above the maximum (a unit of a tower, a building that cannot be split) makes
      // its part too large whatever the division: that is a proof too.
      for (NodeId v : nodes_)
        if (graph_.households[at(v)] > bounds_.max) {
          report.proven = true;
          report.atom_above_max = true;
          break;
        }
    }
  }

  /// A part holding no household (a clubhouse or school left alone between coarse parts) is no
  /// grid: it joins the neighbouring part it shares the longest boundary with. Households do not
  /// change, so no bound gets worse, and two adjacent connected parts stay connected.
  void absorb_parts_without_households() {
    if (live_parts() <= 1) return;
    bool changed = false;
    // Nodes per part (ascending), gathered once when a part without households is found and
    // kept up to date as parts are absorbed: scanning every node of the container for each such
    // part grew with parts × nodes on one community holding a town.
    std::vector<std::vector<NodeId>> by_part;
    for (PartId p = first_part_; p < static_cast<PartId>(parts_.size()); ++p) {
      if (parts_[at(p)].nodes == 0 || parts_[at(p)].households > 0) continue;
      if (by_part.empty()) by_part = members_by_part();
      std::vector<std::pair<PartId, double>> shared;  // neighbour part → boundary length
      const std::vector<NodeId> members = std::move(by_part[at(p - first_part_)]);
      by_part[at(p - first_part_)].clear();
      for (NodeId v : members) {
        for (auto e = graph_.begin(v); e < graph_.end(v); ++e) {
          const PartId q = part_[at(graph_.neighbours[at(e)])];
          if (q == p) continue;
          auto it = std::find_if(shared.begin(), shared.end(),
                                 [q](const auto& entry) { return entry.first == q; });
          if (it == shared.end())
            shared.emplace_back(q, graph_.shared_length_m[at(e)]);
          else
            it->second += graph_.shared_length_m[at(e)];
        }
      }
      if (shared.empty()) {
        by_part[at(p - first_part_)] = members;
        continue;
      }
      // Longest shared boundary; ties to the lower part id (deterministic).
      const auto best =
          std::max_element(shared.begin(), shared.end(), [](const auto& a, const auto& b) {
            return a.second != b.second ? a.second < b.second : a.first > b.first;
          });
      const PartId target = best->first;
      clear_part(p);
      for (NodeId v : members) assign(v, target);
      std::vector<NodeId>& into = by_part[at(target - first_part_)];
      const auto middle = static_cast<std::ptrdiff_t>(into.size());
      into.insert(into.end(), members.begin(), members.end());
      std::inplace_merge(into.begin(), into.begin() + middle, into.end());
      changed = true;
    }
    if (changed) recompute_perimeters(nodes_);  // perimeters of whole parts, not of members
  }

  /// Construction, repair and refinement for k parts.
  void heuristic(int k, double total_work) {
    share_.begin_run();
    construct(k);
    // A previous plan that still holds here — taken over (its detached pieces and new nodes
    // grown into neighbouring parts, so every part is connected) and within the bounds — is
    // kept as it is: re-planning an unchanged town from its own plan must move no household
    // (issue 12), and compactness alone is no reason to move residents. Weight `moved` = 0 says
    // moves do not matter: then it is optimised as usual.
    // Outside the bounds, the previous plan is kept unless the optimisation lowers the
    // violation (a container where no division meets the bounds keeps its grids).
    const bool keep_previous = previous_intact_ && options_.weights.moved > 0.0 &&
                               (options_.fixed_parts == 0 || live_parts() == options_.fixed_parts);
    if (keep_previous && total_violation() == 0) {
      mean_workload_ = total_work / std::max(1, live_parts());
      return;
    }
    // Re-planning from an existing plan (not polish's re-plan of a fresh division): only the
    // parts that changed and break the bounds, or that break them without the reason the plan
    // recorded, are re-divided, together with the parts next to them; the rest stay frozen.
    // Before, one changed part let the repair and refinement re-divide the whole container:
    // a compound added on Helsinki moved 1,357 households, 769 of them in grids nowhere near it
    // (issue 12 item 7). Nothing to re-divide: the previous plan is kept as it is.
    const bool local = keep_previous && !polishing_ && !whole_container_;
    if (local && !mark_local_region()) {
      mean_workload_ = total_work / std::max(1, live_parts());
      kept_whole_ = true;
      return;
    }
    const long long previous_violation = keep_previous ? total_violation() : 0;
    std::vector<PartId> previous_part;
    std::vector<PartState> previous_parts;
    if (keep_previous) {
      for (NodeId v : nodes_) previous_part.push_back(part_[at(v)]);
      previous_parts.assign(parts_.begin() + first_part_, parts_.end());
    }
    // A local re-plan first moves single boundary nodes (refinement weighs each household
    // moved), and re-splits whole groups of parts (repair, blind to where households were) only
    // for what that leaves: a compound that took 28 households from its neighbouring grid had
    // six grids re-split around it, 1,357 households moved, where one atom moved back suffices.
    // In a local re-plan every refinement move must also lower the violation: moves that only
    // improve balance or compactness would move residents for the objective's sake (a synthetic
    // compound moved 518 households where 180 sufficed).
    mend_only_ = local;
    if (local) {
      mean_workload_ = total_work / std::max(1, live_parts());
      refine();
    }
    repair();
    mean_workload_ = total_work / std::max(1, live_parts());
    refine();
    repair();  // refinement never adds violation; this only catches what construction left
    // A repair that only lowered the violation leaves parts whose boundary nodes can still
    // shift the rest (a run of units one entrance short of the minimum): refine once more.
    if (violating_parts() > 0) {
      refine();
      repair();
    }
    mend_only_ = false;
    if (keep_previous && total_violation() >= previous_violation) {
      parts_.resize(at(first_part_));
      parts_.insert(parts_.end(), previous_parts.begin(), previous_parts.end());
      for (std::size_t i = 0; i < nodes_.size(); ++i) part_[at(nodes_[i])] = previous_part[i];
      mean_workload_ = total_work / std::max(1, live_parts());
    }
  }

  /// Construction, repair and refinement; where parts stay outside the bounds, the exact
  /// search (small containers) or restarts; parts without households absorbed.
  void solve(int k, double total_work, InfeasibleContainer& report) {
    heuristic(k, total_work);
    // A local re-plan that leaves parts outside the bounds: the whole container is re-divided
    // from the previous plan as well (the old way), and taken only when that lowers the
    // violation (a changed large grid's micro grids: 1 of 3 left at 95 households locally).
    if (!frozen_.empty() && !kept_whole_ && violating_parts() > 0) {
      const long long local_violation = total_violation();
      std::vector<PartId> local_part;
      for (NodeId v : nodes_) local_part.push_back(part_[at(v)]);
      const std::vector<PartState> local_parts(parts_.begin() + first_part_, parts_.end());
      parts_.resize(at(first_part_));
      whole_container_ = true;
      heuristic(k, total_work);
      whole_container_ = false;
      if (total_violation() >= local_violation) {
        parts_.resize(at(first_part_));
        parts_.insert(parts_.end(), local_parts.begin(), local_parts.end());
        for (std::size_t i = 0; i < nodes_.size(); ++i) part_[at(nodes_[i])] = local_part[i];
      }
    }
    // A re-plan that kept the previous division whole (nothing changed, every part outside
    // the bounds with its recorded reason) searches no further.
    if (violating_parts() > 0 && options_.fixed_parts == 0 && !kept_whole_) {
      if (nodes_.size() <= ExactDivision::kMaxNodes)
        exact_search(report);
      else
        restart(k, total_work, report);
    }
    absorb_parts_without_households();
  }

  /// A fresh division still outside the bounds is re-planned from itself exactly as
  /// `--existing` of its own plan re-plans it (same seed; previous parts taken over in the same
  /// order, see construct_from_previous; kept unless the violation drops), until a pass lowers
  /// nothing. Without this, re-planning an unchanged town from its own plan found a further
  /// improvement and moved households (issue 12: 102 on the demo town).
  void polish(int k, double total_work, std::uint64_t seed, InfeasibleContainer& report) {
    if (!options_.previous.empty() || options_.weights.moved <= 0.0 || options_.fixed_parts != 0)
      return;
    for (int pass = 0; pass < kPolishPasses && total_violation() > unavoidable_; ++pass) {
      for (NodeId v : nodes_) own_previous_[at(v)] = part_[at(v)];
      polishing_ = true;
      const std::vector<PartState> saved(parts_.begin() + first_part_, parts_.end());
      const long long before = total_violation();
      rng_ = seed;
      parts_.resize(at(first_part_));
      solve(k, total_work, report);
      if (total_violation() < before) continue;
      // Not lowered: the division stays as it was (part ids included).
      parts_.resize(at(first_part_));
      parts_.insert(parts_.end(), saved.begin(), saved.end());
      for (NodeId v : nodes_) part_[at(v)] = own_previous_[at(v)];
      break;
    }
    polishing_ = false;
  }

  /// The previous plan construction starts from (read only at this container's nodes).
  [[nodiscard]] const std::vector<PartId>& previous_plan() const {
    return polishing_ ? own_previous_ : options_.previous;
  }

  [[nodiscard]] long long total_violation() const {
    long long sum = 0;
    for (PartId p = first_part_; p < static_cast<PartId>(parts_.size()); ++p)
      if (parts_[at(p)].nodes > 0) sum += violation(parts_[at(p)].households);
    return sum;
  }

  /// Where the heuristic left parts outside the bounds in a container too large for the
  /// exhaustive search: run it again from other seeds and with the other feasible part counts
  /// (nearest the first first), keeping the result with the least violation (the first on ties,
  /// so a container the first run got right is never changed). Deterministic: the seeds derive
  /// from the container's seed.
  void restart(int k, double total_work, InfeasibleContainer& report) {
    long long best = total_violation();
    std::vector<PartId> best_part;
    std::vector<PartState> best_parts;
    auto keep = [&] {
      best_part.clear();
      for (NodeId v : nodes_) best_part.push_back(part_[at(v)]);
      best_parts.assign(parts_.begin() + first_part_, parts_.end());
    };
    keep();
    const int lo = std::max(1, report.min_parts), hi = std::max(lo, report.max_parts);
    std::vector<int> counts{k};
    for (int d = 1; static_cast<int>(counts.size()) < kRestarts && (k - d >= lo || k + d <= hi);
         ++d) {
      if (k + d <= hi) counts.push_back(k + d);
      if (k - d >= lo) counts.push_back(k - d);
    }
    const std::uint64_t base = rng_;
    for (int attempt = 1; attempt <= kRestarts && best > unavoidable_; ++attempt) {
      const int count = std::min(counts[static_cast<std::size_t>(attempt) % counts.size()],
                                 static_cast<int>(nodes_.size()));
      rng_ = mix(base + static_cast<std::uint64_t>(attempt));
      parts_.resize(at(first_part_));
      heuristic(count, total_work);
      if (const long long v = total_violation(); v < best) {
        best = v;
        keep();
      }
    }
    parts_.resize(at(first_part_));
    parts_.insert(parts_.end(), best_parts.begin(), best_parts.end());
    for (std::size_t i = 0; i < nodes_.size(); ++i) part_[at(nodes_[i])] = best_part[i];
  }

  /// Where the heuristic left parts outside the bounds in a small container: search every
  /// division. A division within the bounds replaces the heuristic's (then refined, which never
  /// leaves the bounds). If none exists, prefer the fewest undersized parts and none above the
  /// maximum (an undersized grid is the lesser evil, see kAboveMaxWeight) when the heuristic's
  /// result has parts above it.
  void exact_search(InfeasibleContainer& report) {
    ExactDivision search(graph_, nodes_, bounds_, kExactStepLimit);
    std::vector<std::uint64_t> division;
    const ExactDivision::Outcome strict = search.solve(0, division);
    if (strict == ExactDivision::Outcome::found) {
      adopt(division);
      return;
    }
    report.proven = strict == ExactDivision::Outcome::none;
    int above = 0;
    for (PartId p = first_part_; p < static_cast<PartId>(parts_.size()); ++p)
      above += parts_[at(p)].nodes > 0 && parts_[at(p)].households > bounds_.max ? 1 : 0;
    if (above == 0) return;
    // Fewest undersized parts, none above the maximum (possible whenever no single node is
    // above it), even if that means more undersized parts than the heuristic's result has.
    for (int undersized = 1; undersized <= static_cast<int>(nodes_.size()); ++undersized) {
      const ExactDivision::Outcome relaxed = search.solve(undersized, division);
      if (relaxed == ExactDivision::Outcome::found) {
        adopt(division);
        return;
      }
      if (relaxed == ExactDivision::Outcome::unknown) return;
    }
  }

  /// Replaces the container's parts by `division` (bit sets over positions in nodes_).
  void adopt(const std::vector<std::uint64_t>& division) {
    for (PartId p = first_part_; p < static_cast<PartId>(parts_.size()); ++p) clear_part(p);
    for (std::uint64_t set : division) {
      const PartId p = new_part();
      for (; set; set &= set - 1)
        assign(nodes_[static_cast<std::size_t>(std::countr_zero(set))], p);
    }
    recompute_perimeters(nodes_);
    refine();
  }

 private:
  // ---- bounds -------------------------------------------------------------------------------
  /// Households outside the bounds, those above the maximum counted kAboveMaxWeight times.
  [[nodiscard]] long long violation(long long h) const {
    if (h < bounds_.min) return bounds_.min - h;
    if (h > bounds_.max) return kAboveMaxWeight * (h - bounds_.max);
    return 0;
  }

  /// A lower bound on total_violation() of any division of this container: a part holding an
  /// atom above the maximum is above it by at least that much; and k parts of H households in
  /// all fall short of the minimum by at least k·min − H in sum, or exceed the maximum by
  /// H − k·max. Restarts and polish passes stop there: only a strictly lower violation is
  /// kept, so running them once the bound is reached could change nothing (same result, less
  /// time — a 100k-atom container holding one tower above the maximum ran every restart).
  [[nodiscard]] long long unavoidable_violation(long long total) const {
    long long atoms = 0;
    for (NodeId v : nodes_)
      if (graph_.households[at(v)] > bounds_.max)
        atoms += kAboveMaxWeight * (graph_.households[at(v)] - bounds_.max);
    long long counts = -1;
    const long long most = std::max<long long>(1, static_cast<long long>(nodes_.size()));
    const long long around = (total + bounds_.max - 1) / std::max(1, bounds_.max);
    // The bound over k is smallest near ⌈H/max⌉ (below it the excess grows, above it the
    // shortfall): trying the neighbours of that count is enough.
    for (long long k = std::max(1LL, around - 1); k <= std::min(most, around + 1); ++k) {
      const long long bound = std::max(0LL, k * bounds_.min - total) +
                              kAboveMaxWeight * std::max(0LL, total - k * bounds_.max);
      counts = counts < 0 ? bound : std::min(counts, bound);
    }
    return std::max(atoms, std::max(0LL, counts));
  }

  int choose_parts(long long total, InfeasibleContainer& report) const {
    const long long lo = (total + bounds_.max - 1) / std::max(1, bounds_.max);
    const long long hi = total / std::max(1, bounds_.min);
    report.households = total;
    report.min_parts = static_cast<int>(lo);
    report.max_parts = static_cast<int>(hi);
    report.why =
        total < bounds_.min ? Infeasibility::below_minimum : Infeasibility::no_feasible_count;
    long long k;
    if (options_.fixed_parts > 0) {
      k = options_.fixed_parts;
    } else if (lo <= hi) {
      k = std::llround(static_cast<double>(total) / std::max(1, bounds_.target));
      k = std::clamp(k, lo, hi);
    } else {
      k = std::max(1LL, lo);  // never above the maximum; undersized parts are reported
    }
    k = std::clamp<long long>(k, 1, static_cast<long long>(nodes_.size()));
    return static_cast<int>(k);
  }

  [[nodiscard]] int violating_parts() const {
    int count = 0;
    for (PartId p = first_part_; p < static_cast<PartId>(parts_.size()); ++p)
      count += parts_[at(p)].nodes > 0 && violation(parts_[at(p)].households) > 0 ? 1 : 0;
    return count;
  }

  int live_parts() const {
    int count = 0;
    for (PartId p = first_part_; p < static_cast<PartId>(parts_.size()); ++p)
      count += parts_[at(p)].nodes > 0 ? 1 : 0;
    return count;
  }

  // ---- part bookkeeping ---------------------------------------------------------------------
  PartId new_part() {
    parts_.emplace_back();
    return static_cast<PartId>(parts_.size()) - 1;
  }

  void assign(NodeId v, PartId p) {
    part_[at(v)] = p;
    PartState& s = parts_[at(p)];
    s.households += graph_.households[at(v)];
    s.workload += graph_.workload[at(v)];
    s.area_m2 += graph_.area_m2[at(v)];
    s.nodes += 1;
  }

  void clear_part(PartId p) { parts_[at(p)] = PartState{}; }

  /// Recomputes the perimeter of every part touched by `nodes`: Σ cell perimeters minus twice
  /// the boundary shared inside the part.
  void recompute_perimeters(const std::vector<NodeId>& nodes) {
    for (NodeId v : nodes) parts_[at(part_[at(v)])].perimeter_m = 0.0;
    for (NodeId v : nodes) {
      double inner = 0.0;
      for (auto i = graph_.begin(v); i < graph_.end(v); ++i)
        if (part_[at(graph_.neighbours[at(i)])] == part_[at(v)])
          inner += graph_.shared_length_m[at(i)];
      parts_[at(part_[at(v)])].perimeter_m += graph_.perimeter_m[at(v)] - inner;
    }
  }

  std::int32_t next_stamp() {
    if (++stamp_value_ == 0x7fffffff) {
      std::fill(stamp_.begin(), stamp_.end(), 0);
      stamp_value_ = 1;
    }
    return stamp_value_;
  }

  // ---- construction -------------------------------------------------------------------------
  void construct(int k) {
    previous_intact_ = false;
    kept_whole_ = false;
    frozen_.clear();
    for (NodeId v : nodes_) part_[at(v)] = kNoPart;
    if (!previous_plan().empty() && construct_from_previous()) return;
    if (k > 1 && !options_.seed_nodes.empty() && construct_from_seeds(k)) return;
    std::vector<PartId> pool;
    constructing_ = share_.active();
    placed_ = 0;
    // The bisections' own work, reported as it goes (issue 12/14 item 5): the first part is
    // placed only after a bisection of every level down one branch (the whole container, its
    // half, its quarter …), which on one community of 1M buildings was seconds without an
    // update at the start of the large grids. Each level passes over every node about
    // kBisectionPasses times (two hop searches, the growth, the rest's pieces); LoopTicks stops
    // at the construction's half of the run when that is an underestimate.
    if (constructing_ && k > 1) {
      const auto levels = static_cast<std::size_t>(std::bit_width(static_cast<unsigned>(k - 1)));
      bisection_ticks_.emplace([this](double share) { share_.within_run(share); }, 0.0, 0.5,
                               nodes_.size() * levels * kBisectionPasses);
    }
    split_into(nodes_, k, pool);
    bisection_ticks_.reset();
    constructing_ = false;
    recompute_perimeters(nodes_);
  }

  /// Keeps each previous part's largest connected piece, gives unassigned regions that can
  /// stand alone their own parts, and grows the rest into neighbouring parts.
  bool construct_from_previous() {
    std::vector<std::pair<PartId, NodeId>> by_previous;
    for (NodeId v : nodes_)
      if (previous_plan()[at(v)] != kNoPart) by_previous.emplace_back(previous_plan()[at(v)], v);
    if (by_previous.empty()) return false;
    std::sort(by_previous.begin(), by_previous.end());
    // Parts are made in the order of their lowest node, not of their previous ids (grid indices
    // of an imported plan, part ids of polish()): the same division then gives the same run.
    std::map<PartId, NodeId> lowest;
    for (const auto& [q, v] : by_previous) lowest.try_emplace(q, v);  // nodes ascending per q
    std::stable_sort(by_previous.begin(), by_previous.end(), [&](const auto& l, const auto& r) {
      return lowest[l.first] < lowest[r.first];
    });
    for (NodeId v : nodes_) home_[at(v)] = kNoPart;
    has_home_ = true;
    previous_intact_ = true;
    part_changed_.clear();
    part_previous_.clear();
    for (std::size_t i = 0; i < by_previous.size();) {
      std::size_t j = i;
      std::vector<NodeId> members;
      while (j < by_previous.size() && by_previous[j].first == by_previous[i].first)
        members.push_back(by_previous[j++].second);
      auto piece = largest_connected_piece(members);
      PartId p = new_part();
      for (NodeId v : piece) {
        assign(v, p);
        home_[at(v)] = p;
      }
      part_previous_.push_back(by_previous[i].first);
      part_changed_.push_back(piece.size() < members.size() ? 1 : 0);
      i = j;
    }
    // Unassigned regions big enough for their own part(s) get them (a new compound does not
    // push households out of existing grids); smaller ones are absorbed by growth.
    std::vector<NodeId> unassigned;
    for (NodeId v : nodes_)
      if (part_[at(v)] == kNoPart) unassigned.push_back(v);
    for (auto& region : connected_pieces(unassigned)) {
      long long h = 0;
      for (NodeId v : region) h += graph_.households[at(v)];
      if (h >= bounds_.min) {
        long long k = std::clamp<long long>(std::llround(static_cast<double>(h) / bounds_.target),
                                            (h + bounds_.max - 1) / bounds_.max,
                                            std::max<long long>(1, h / bounds_.min));
        std::vector<PartId> pool;
        split_into(region, static_cast<int>(std::max(1LL, k)), pool);
      }
    }
    grow_unassigned();
    // Parts that took nodes without a previous part of theirs (new buildings, detached pieces)
    // or were made for them have changed.
    part_changed_.resize(parts_.size() - at(first_part_), 1);
    for (NodeId v : nodes_)
      if (home_[at(v)] != part_[at(v)]) part_changed_[at(part_[at(v)] - first_part_)] = 1;
    recompute_perimeters(nodes_);
    return true;
  }

  /// Re-plan: marks the parts to re-divide — those outside the bounds that changed since the
  /// previous plan or whose previous part had no accepted reason to be outside them — and the
  /// parts next to them; freezes the others (frozen_). False when there is nothing to re-divide.
  bool mark_local_region() {
    const auto count = parts_.size() - at(first_part_);
    std::vector<NodeId> seeds;
    std::vector<char> free(count, 0);
    for (std::size_t i = 0; i < count; ++i) {
      const PartState& s = parts_[i + at(first_part_)];
      if (s.nodes == 0 || violation(s.households) == 0) continue;
      const PartId before = i < part_previous_.size() ? part_previous_[i] : kNoPart;
      const bool accepted = before != kNoPart && at(before) < options_.previous_accepted.size() &&
                            options_.previous_accepted[at(before)] != 0;
      if ((i < part_changed_.size() && part_changed_[i]) || !accepted) free[i] = 1;
    }
    std::vector<NodeId> members;
    for (NodeId v : nodes_)
      if (free[at(part_[at(v)] - first_part_)]) members.push_back(v);
    if (members.empty()) return false;
    for (PartId q : neighbour_parts(members)) free[at(q - first_part_)] = 1;
    frozen_.assign(count, 0);
    for (std::size_t i = 0; i < count; ++i) frozen_[i] = free[i] ? 0 : 1;
    return true;
  }

  /// Part p is frozen by a local re-plan (parts made after the region was marked never are).
  [[nodiscard]] bool frozen(PartId p) const {
    const auto i = static_cast<std::size_t>(p - first_part_);
    return p >= first_part_ && i < frozen_.size() && frozen_[i] != 0;
  }

  bool construct_from_seeds(int k) {
    std::vector<NodeId> seeds;
    const std::int32_t mark = next_stamp();
    for (NodeId v : nodes_) stamp_[at(v)] = mark;
    for (NodeId s : options_.seed_nodes)
      if (s >= 0 && s < graph_.node_count() && stamp_[at(s)] == mark &&
          std::find(seeds.begin(), seeds.end(), s) == seeds.end())
        seeds.push_back(s);
    if (seeds.empty()) return false;
    std::sort(seeds.begin(), seeds.end());
    if (static_cast<int>(seeds.size()) > k) seeds.resize(static_cast<std::size_t>(k));
    // Farthest-point seeds (hop distance) for the parts without a station.
    while (static_cast<int>(seeds.size()) < k) {
      const auto& dist = hop_distances(nodes_, seeds);
      NodeId far = seeds.front();
      for (NodeId v : nodes_)
        if (dist[at(v)] > dist[at(far)]) far = v;
      if (dist[at(far)] <= 0) break;
      seeds.push_back(far);
    }
    for (NodeId s : seeds) assign(s, new_part());
    grow_unassigned();
    recompute_perimeters(nodes_);
    return true;
  }

  /// Multi-source growth: the part with the fewest households claims its next frontier node.
  void grow_unassigned() {
    std::vector<std::vector<NodeId>> frontier(parts_.size() - at(first_part_));
    std::vector<std::size_t> head(frontier.size(), 0);
    for (NodeId v : nodes_)
      if (part_[at(v)] != kNoPart)
        for (auto i = graph_.begin(v); i < graph_.end(v); ++i)
          if (part_[at(graph_.neighbours[at(i)])] == kNoPart)
            frontier[at(part_[at(v)] - first_part_)].push_back(graph_.neighbours[at(i)]);
    using Entry = std::pair<long long, PartId>;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> lightest;
    for (std::size_t f = 0; f < frontier.size(); ++f)
      if (!frontier[f].empty())
        lightest.emplace(parts_[f + at(first_part_)].households,
                         static_cast<PartId>(f) + first_part_);
    while (!lightest.empty()) {
      auto [h, p] = lightest.top();
      lightest.pop();
      if (h != parts_[at(p)].households) continue;  // stale entry
      auto& queue = frontier[at(p - first_part_)];
      auto& front = head[at(p - first_part_)];
      while (front < queue.size() && part_[at(queue[front])] != kNoPart) ++front;
      if (front == queue.size()) continue;
      NodeId v = queue[front++];
      assign(v, p);
      for (auto i = graph_.begin(v); i < graph_.end(v); ++i)
        if (part_[at(graph_.neighbours[at(i)])] == kNoPart)
          queue.push_back(graph_.neighbours[at(i)]);
      lightest.emplace(parts_[at(p)].households, p);
    }
    // Regions no part touches (cannot happen in a connected component with ≥ 1 part).
    for (NodeId v : nodes_)
      if (part_[at(v)] == kNoPart) assign(v, new_part());
  }

  /// Hops from the nearest source, for the nodes of `set` (sources in it); valid until the next
  /// call. Entries outside `set` are meaningless.
  const std::vector<int>& hop_distances(const std::vector<NodeId>& set,
                                        const std::vector<NodeId>& sources) {
    std::vector<int>& dist = dist_;
    const std::int32_t mark = next_stamp();
    for (NodeId v : set) {
      stamp_[at(v)] = mark;
      dist[at(v)] = -1;
    }
    std::vector<NodeId> queue(sources.begin(), sources.end());
    for (NodeId s : sources) dist[at(s)] = 0;
    for (std::size_t head = 0; head < queue.size(); ++head) {
      NodeId v = queue[head];
      bisection_tick();
      for (auto i = graph_.begin(v); i < graph_.end(v); ++i) {
        NodeId u = graph_.neighbours[at(i)];
        if (stamp_[at(u)] == mark && dist[at(u)] < 0) {
          dist[at(u)] = dist[at(v)] + 1;
          queue.push_back(u);
        }
      }
    }
    return dist;
  }

  /// Connected pieces of a node subset (each piece ascending, pieces by smallest node).
  std::vector<std::vector<NodeId>> connected_pieces(const std::vector<NodeId>& set) {
    std::vector<std::vector<NodeId>> pieces;
    const std::int32_t member = next_stamp();
    for (NodeId v : set) stamp_[at(v)] = member;
    const std::int32_t seen = next_stamp();
    for (NodeId start : set) {
      if (stamp_[at(start)] == seen) continue;
      std::vector<NodeId> piece{start};
      stamp_[at(start)] = seen;
      for (std::size_t head = 0; head < piece.size(); ++head) {
        NodeId v = piece[head];
        bisection_tick();
        for (auto i = graph_.begin(v); i < graph_.end(v); ++i) {
          NodeId u = graph_.neighbours[at(i)];
          if (stamp_[at(u)] == member) {
            stamp_[at(u)] = seen;
            piece.push_back(u);
          }
        }
      }
      std::sort(piece.begin(), piece.end());
      pieces.push_back(std::move(piece));
    }
    return pieces;
  }

  std::vector<NodeId> largest_connected_piece(const std::vector<NodeId>& set) {
    auto pieces = connected_pieces(set);
    std::size_t best = 0;
    long long best_h = -1;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      long long h = 0;
      for (NodeId v : pieces[i]) h += graph_.households[at(v)];
      if (h > best_h || (h == best_h && pieces[i].size() > pieces[best].size())) {
        best = i;
        best_h = h;
      }
    }
    return pieces.empty() ? std::vector<NodeId>{} : pieces[best];
  }

  /// Recursive bisection of the connected set `nodes` into k parts. Part ids come from `pool`
  /// (front first) and then new ones.
  void split_into(const std::vector<NodeId>& nodes, int k, std::vector<PartId>& pool) {
    if (k <= 1 || nodes.size() <= 1) {
      PartId p;
      if (!pool.empty()) {
        p = pool.front();
        pool.erase(pool.begin());
      } else {
        p = new_part();
      }
      for (NodeId v : nodes) assign(v, p);
      if (constructing_) {
        placed_ += nodes.size();
        share_.within_run(0.5 * static_cast<double>(placed_) / static_cast<double>(nodes_.size()));
      }
      return;
    }
    k = std::min<int>(k, static_cast<int>(nodes.size()));
    long long total = 0;
    for (NodeId v : nodes) total += graph_.households[at(v)];
    const int k1 = k / 2, k2 = k - k1;
    long long lo = std::max<long long>(1LL * k1 * bounds_.min, total - 1LL * k2 * bounds_.max);
    long long hi = std::min<long long>(1LL * k1 * bounds_.max, total - 1LL * k2 * bounds_.min);
    const double target = static_cast<double>(total) * k1 / k;
    if (lo > hi) lo = hi = std::llround(target);
    auto [first, second] = bisect(nodes, lo, hi, target);
    split_into(first, k1, pool);
    split_into(second, k2, pool);
  }

  /// Splits a connected set into two connected sides, the first with households in [lo, hi]
  /// if possible (closest to target), by best-first growth from peripheral nodes.
  std::pair<std::vector<NodeId>, std::vector<NodeId>> bisect(const std::vector<NodeId>& nodes,
                                                             long long lo, long long hi,
                                                             double target) {
    std::vector<NodeId> starts;
    {
      NodeId random = nodes[at(static_cast<std::int32_t>((rng_ = mix(rng_)) % nodes.size()))];
      const auto& d = hop_distances(nodes, {random});
      NodeId far = random;
      for (NodeId v : nodes)
        if (d[at(v)] > d[at(far)]) far = v;
      starts.push_back(far);
      const auto& d2 = hop_distances(nodes, {far});  // d is overwritten: far is kept
      NodeId far2 = far;
      for (NodeId v : nodes)
        if (d2[at(v)] > d2[at(far2)]) far2 = v;
      if (far2 != far) starts.push_back(far2);
      starts.push_back(nodes[at(static_cast<std::int32_t>((rng_ = mix(rng_)) % nodes.size()))]);
    }
    std::vector<NodeId> best_first;
    double best_score = INFINITY;
    for (NodeId start : starts) {
      auto side = grow_side(nodes, start, lo, hi, target);
      long long h = 0;
      for (NodeId v : side) h += graph_.households[at(v)];
      const double miss = static_cast<double>(std::max(0LL, std::max(lo - h, h - hi)));
      const double score = miss * 1e6 + std::abs(static_cast<double>(h) - target);
      if (score < best_score) {
        best_score = score;
        best_first = std::move(side);
      }
      if (miss == 0) break;
    }
    const std::int32_t mark = next_stamp();
    for (NodeId v : best_first) stamp_[at(v)] = mark;
    std::vector<NodeId> second;
    for (NodeId v : nodes)
      if (stamp_[at(v)] != mark) second.push_back(v);
    std::sort(best_first.begin(), best_first.end());
    return {best_first, second};
  }

  std::vector<NodeId> grow_side(const std::vector<NodeId>& nodes, NodeId start, long long lo,
                                long long hi, double target) {
    const std::int32_t member = next_stamp();
    for (NodeId v : nodes) stamp_[at(v)] = member;
    const std::int32_t taken = next_stamp();
    const Point origin = graph_.position[at(start)];
    auto distance = [&](NodeId v) {
      return std::hypot(graph_.position[at(v)].x - origin.x, graph_.position[at(v)].y - origin.y);
    };
    using Entry = std::pair<double, NodeId>;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> frontier;
    std::vector<NodeId> order;
    frontier.emplace(0.0, start);
    stamp_[at(start)] = taken;
    // Grown one node at a time in order of distance from the start, only as far as the best
    // prefix can still be: inside [lo, hi] and closest to the target; both sides non-empty. The
    // set is connected, so the growth reaches every node; past the cut it is not needed.
    std::size_t cut = 1;
    double best = INFINITY;
    long long h = 0;
    for (std::size_t i = 0; i + 1 < nodes.size() && !frontier.empty(); ++i) {
      const NodeId v = frontier.top().second;
      frontier.pop();
      order.push_back(v);
      bisection_tick();
      for (auto e = graph_.begin(v); e < graph_.end(v); ++e) {
        const NodeId u = graph_.neighbours[at(e)];
        if (stamp_[at(u)] == member) {
          stamp_[at(u)] = taken;
          frontier.emplace(distance(u), u);
        }
      }
      h += graph_.households[at(v)];
      const double miss = static_cast<double>(std::max(0LL, std::max(lo - h, h - hi)));
      const double score = miss * 1e6 + std::abs(static_cast<double>(h) - target);
      if (score < best) {
        best = score;
        cut = i + 1;
      }
      if (h > hi && miss * 1e6 > best) break;
    }
    if (order.empty()) order.push_back(start);  // a single node: it is the side
    std::vector<NodeId> side(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(cut));
    // The rest: every node not on the side, in the order of `nodes` (ascending, as every caller
    // passes; sorted otherwise).
    const std::int32_t on_side = next_stamp();
    for (NodeId v : side) stamp_[at(v)] = on_side;
    std::vector<NodeId> rest;
    rest.reserve(nodes.size() - side.size());
    for (NodeId v : nodes)
      if (stamp_[at(v)] != on_side) rest.push_back(v);
    if (!std::is_sorted(rest.begin(), rest.end())) std::sort(rest.begin(), rest.end());
    // The rest must stay connected: its smaller pieces join this side (they touch it).
    auto pieces = connected_pieces(rest);
    if (pieces.size() > 1) {
      std::size_t keep = 0;
      long long keep_h = -1;
      for (std::size_t i = 0; i < pieces.size(); ++i) {
        long long ph = 0;
        for (NodeId v : pieces[i]) ph += graph_.households[at(v)];
        if (ph > keep_h || (ph == keep_h && pieces[i].size() > pieces[keep].size())) {
          keep = i;
          keep_h = ph;
        }
      }
      for (std::size_t i = 0; i < pieces.size(); ++i)
        if (i != keep) side.insert(side.end(), pieces[i].begin(), pieces[i].end());
    }
    return side;
  }

  // ---- repair -------------------------------------------------------------------------------
  /// Parts adjacent to part p (ascending).
  std::vector<PartId> neighbour_parts(const std::vector<NodeId>& members) {
    std::vector<PartId> result;
    for (NodeId v : members)
      for (auto i = graph_.begin(v); i < graph_.end(v); ++i) {
        PartId q = part_[at(graph_.neighbours[at(i)])];
        if (q != part_[at(v)]) result.push_back(q);
      }
    std::sort(result.begin(), result.end());
    result.erase(std::unique(result.begin(), result.end()), result.end());
    return result;
  }

  std::vector<std::vector<NodeId>> members_by_part() {
    std::vector<std::vector<NodeId>> members(parts_.size() - at(first_part_));
    for (NodeId v : nodes_) members[at(part_[at(v)] - first_part_)].push_back(v);
    return members;
  }

  void repair() {
    const int max_rounds = 4 + 2 * live_parts();
    for (int round = 0; round < max_rounds; ++round) {
      auto members = members_by_part();
      std::vector<std::pair<long long, PartId>> violating;
      for (PartId p = first_part_; p < static_cast<PartId>(parts_.size()); ++p)
        if (parts_[at(p)].nodes > 0 && violation(parts_[at(p)].households) > 0 && !frozen(p))
          violating.emplace_back(-violation(parts_[at(p)].households), p);
      if (violating.empty()) return;
      std::sort(violating.begin(), violating.end());
      bool improved = false;
      for (auto [neg, p] : violating) {
        if (parts_[at(p)].nodes == 0 || violation(parts_[at(p)].households) == 0) continue;
        if (repair_around(p, members)) {
          improved = true;
          update_members(members);
        }
      }
      if (!improved) return;
    }
  }

  /// members_by_part() after a successful re-split, rebuilt only for the parts it touched (the
  /// group's and the new ones; nodes ascending, as members_by_part lists them): rebuilding every
  /// part's list after each repair grew with repairs × nodes on one community holding a town.
  void update_members(std::vector<std::vector<NodeId>>& members) {
    members.resize(parts_.size() - at(first_part_));
    for (PartId q : resplit_group_) members[at(q - first_part_)].clear();
    for (auto q = resplit_parts_before_; q < parts_.size(); ++q)
      members[q - at(first_part_)].clear();
    for (NodeId v : resplit_nodes_) members[at(part_[at(v)] - first_part_)].push_back(v);
  }

  /// Re-partitions p with its neighbouring parts (depth 1..3) into the number of parts their
  /// union needs; keeps the result when the total violation drops.
  bool repair_around(PartId p, const std::vector<std::vector<NodeId>>& members) {
    std::vector<PartId> group{p};
    std::vector<PartId> ring{p};
    for (int depth = 1; depth <= 3; ++depth) {
      std::vector<NodeId> ring_nodes;
      for (PartId q : ring)
        ring_nodes.insert(ring_nodes.end(), members[at(q - first_part_)].begin(),
                          members[at(q - first_part_)].end());
      std::vector<PartId> next;
      for (PartId q : neighbour_parts(ring_nodes))
        if (!frozen(q) && std::find(group.begin(), group.end(), q) == group.end())
          next.push_back(q);
      if (next.empty()) break;
      group.insert(group.end(), next.begin(), next.end());
      ring = next;
      if (group.size() > 16) break;  // keeps a repair local and cheap

      std::vector<NodeId> nodes;
      long long total = 0, before = 0;
      for (PartId q : group) {
        const auto& m = members[at(q - first_part_)];
        nodes.insert(nodes.end(), m.begin(), m.end());
        total += parts_[at(q)].households;
        before += violation(parts_[at(q)].households);
      }
      const long long lo = (total + bounds_.max - 1) / bounds_.max;
      const long long hi = total / bounds_.min;
      std::sort(nodes.begin(), nodes.end());
      // The count that lets every part meet the bounds; where atoms are too coarse for it, one
      // more part, which trades a part above the maximum for parts below the minimum. Without
      // a feasible count: ⌈H/max⌉ parts, none needs to exceed the maximum.
      const long long k =
          lo <= hi ? std::clamp<long long>(
                         std::llround(static_cast<double>(total) / bounds_.target), lo, hi)
                   : lo;
      for (long long parts = k; parts <= k + 1; ++parts) {
        if (parts > static_cast<long long>(nodes.size())) break;
        if (try_resplit(group, nodes, static_cast<int>(parts), before)) return true;
        if (lo > hi) break;  // ⌈H/max⌉ parts already avoid the maximum
      }
    }
    return false;
  }

  /// Re-splits the union `nodes` of the parts in `group` into `parts` parts; keeps the result
  /// when the total violation drops below `before`, else restores the group.
  bool try_resplit(const std::vector<PartId>& group, const std::vector<NodeId>& nodes, int parts,
                   long long before) {
    std::vector<std::pair<NodeId, PartId>> saved;
    saved.reserve(nodes.size());
    for (NodeId v : nodes) saved.emplace_back(v, part_[at(v)]);
    std::vector<PartState> saved_states;
    for (PartId q : group) saved_states.push_back(parts_[at(q)]);
    const auto parts_before = parts_.size();
    std::vector<PartId> pool(group.begin(), group.end());
    std::sort(pool.begin(), pool.end());
    for (PartId q : group) clear_part(q);
    split_into(nodes, parts, pool);
    long long after = 0;
    for (PartId q : group)
      after += parts_[at(q)].nodes > 0 ? violation(parts_[at(q)].households) : 0;
    for (auto q = parts_before; q < parts_.size(); ++q) after += violation(parts_[q].households);
    if (after < before) {
      recompute_perimeters(nodes);
      resplit_group_ = group;
      resplit_nodes_ = nodes;
      resplit_parts_before_ = parts_before;
      return true;
    }
    for (auto [v, q] : saved) part_[at(v)] = q;
    for (std::size_t i = 0; i < group.size(); ++i) parts_[at(group[i])] = saved_states[i];
    parts_.resize(parts_before);
    return false;
  }

  // ---- refinement ---------------------------------------------------------------------------
  [[nodiscard]] double part_cost(long long h, double work, double area, double perimeter) const {
    const double t = std::max(1, bounds_.target);
    const double dev = (static_cast<double>(h) - t) / t;
    double cost = options_.weights.balance * dev * dev;
    if (options_.weights.compactness != 0.0 && perimeter > 0.0)
      cost += options_.weights.compactness *
              (1.0 - 4.0 * std::numbers::pi * area / (perimeter * perimeter));
    if (options_.weights.workload != 0.0 && mean_workload_ > 0.0) {
      const double w = (work - mean_workload_) / mean_workload_;
      cost += options_.weights.workload * w * w;
    }
    return cost + kViolationPenalty * static_cast<double>(violation(h));
  }

  [[nodiscard]] double moved_cost(NodeId v, PartId p) const {
    if (!has_home_ || home_[at(v)] == kNoPart || home_[at(v)] == p) return 0.0;
    return options_.weights.moved * graph_.households[at(v)] / std::max(1, bounds_.target);
  }

  /// Whether part p stays connected without node v: a BFS inside p from one of v's neighbours
  /// in p, stopped as soon as all of them are reached (cost bounded by the part's size).
  bool stays_connected_without(NodeId v, PartId p) {
    targets_.clear();
    for (auto i = graph_.begin(v); i < graph_.end(v); ++i)
      if (part_[at(graph_.neighbours[at(i)])] == p) targets_.push_back(graph_.neighbours[at(i)]);
    if (targets_.size() <= 1) return true;
    const std::int32_t target_mark = next_stamp();
    for (NodeId u : targets_) stamp_[at(u)] = target_mark;
    const std::int32_t seen = next_stamp();
    stamp_[at(v)] = seen;
    std::vector<NodeId>& queue = queue_;
    queue.assign(1, targets_.front());
    stamp_[at(targets_.front())] = seen;
    std::size_t found = 1;
    for (std::size_t head = 0; head < queue.size() && found < targets_.size(); ++head) {
      NodeId w = queue[head];
      for (auto i = graph_.begin(w); i < graph_.end(w); ++i) {
        NodeId u = graph_.neighbours[at(i)];
        if (part_[at(u)] != p || stamp_[at(u)] == seen) continue;
        if (stamp_[at(u)] == target_mark) ++found;
        stamp_[at(u)] = seen;
        queue.push_back(u);
      }
    }
    return found >= targets_.size();
  }

  void refine() {
    if (live_parts() <= 1) return;
    std::vector<std::pair<PartId, double>> touching;  // neighbour part → shared length
    for (int pass = 0; pass < options_.refinement_passes; ++pass) {
      int moves = 0;
      for (NodeId v : nodes_) {
        const PartId p = part_[at(v)];
        if (frozen(p)) continue;
        touching.clear();
        double own_length = 0.0;
        for (auto i = graph_.begin(v); i < graph_.end(v); ++i) {
          const PartId q = part_[at(graph_.neighbours[at(i)])];
          const double len = graph_.shared_length_m[at(i)];
          if (q == p) {
            own_length += len;
            continue;
          }
          auto it = std::find_if(touching.begin(), touching.end(),
                                 [q](const auto& e) { return e.first == q; });
          if (it == touching.end())
            touching.emplace_back(q, len);
          else
            it->second += len;
        }
        if (touching.empty() || parts_[at(p)].nodes <= 1) continue;
        const PartState& sp = parts_[at(p)];
        const long long w = graph_.households[at(v)];
        const double work = graph_.workload[at(v)], area = graph_.area_m2[at(v)],
                     per = graph_.perimeter_m[at(v)];
        const double p_before = part_cost(sp.households, sp.workload, sp.area_m2, sp.perimeter_m);
        const double p_per_after = sp.perimeter_m - per + 2.0 * own_length;
        const double p_after =
            part_cost(sp.households - w, sp.workload - work, sp.area_m2 - area, p_per_after);
        PartId best_q = kNoPart;
        double best_delta = -1e-9;
        double best_q_per = 0.0;
        for (auto [q, len] : touching) {
          if (frozen(q)) continue;
          const PartState& sq = parts_[at(q)];
          const long long viol_change = violation(sp.households - w) +
                                        violation(sq.households + w) - violation(sp.households) -
                                        violation(sq.households);
          if (viol_change > 0) continue;  // bounds are hard: never worsen them
          if (mend_only_ && viol_change == 0) continue;
          const double q_per_after = sq.perimeter_m + per - 2.0 * len;
          const double delta =
              p_after - p_before +
              part_cost(sq.households + w, sq.workload + work, sq.area_m2 + area, q_per_after) -
              part_cost(sq.households, sq.workload, sq.area_m2, sq.perimeter_m) + moved_cost(v, q) -
              moved_cost(v, p);
          if (delta < best_delta) {
            best_delta = delta;
            best_q = q;
            best_q_per = q_per_after;
          }
        }
        if (best_q == kNoPart || !stays_connected_without(v, p)) continue;
        PartState& from = parts_[at(p)];
        PartState& to = parts_[at(best_q)];
        from.households -= w;
        from.workload -= work;
        from.area_m2 -= area;
        from.perimeter_m = p_per_after;
        from.nodes -= 1;
        to.households += w;
        to.workload += work;
        to.area_m2 += area;
        to.perimeter_m = best_q_per;
        to.nodes += 1;
        part_[at(v)] = best_q;
        ++moves;
      }
      // Stopping early (no move left) ends the refinement's share.
      share_.within_run(
          moves == 0 ? 1.0 : 0.5 + 0.5 * (pass + 1) / std::max(1, options_.refinement_passes));
      if (moves == 0) break;
    }
  }

  ProgressShare& share_;
  bool constructing_ = false;  // a construction's bisection: nodes placed are reported
  std::size_t placed_ = 0;
  /// Node visits of the construction's bisections (hop searches, growth, pieces), reported over
  /// the construction's half of the run; empty outside a reported construction.
  static constexpr std::size_t kBisectionPasses = 4;
  std::optional<LoopTicks> bisection_ticks_;
  void bisection_tick() {
    if (bisection_ticks_) bisection_ticks_->step();
  }
  const AtomGraph& graph_;
  const GraphPartitionOptions& options_;
  HouseholdBounds bounds_;
  std::vector<PartId>& part_;
  std::vector<PartState>& parts_;
  std::vector<std::int32_t>& stamp_;
  std::int32_t& stamp_value_;
  std::vector<NodeId> nodes_;
  std::vector<int>& dist_;
  std::vector<PartId>& home_;  // per node: its part as taken over from the previous plan
  bool has_home_ = false;      // home_ is set for this container's nodes
  // The last construction started from the previous plan: each previous part's largest
  // connected piece kept, the rest (detached pieces, nodes without a previous part) grown into
  // neighbouring parts, so every part is connected.
  bool previous_intact_ = false;
  // construct_from_previous: per part made from a previous part (index p - first_part_), that
  // part's id and whether the part changed (lost a detached piece, took nodes without a previous
  // part); parts made for new regions count as changed.
  std::vector<PartId> part_previous_;
  std::vector<char> part_changed_;
  std::vector<char> frozen_;      // local re-plan: per part, kept as it is (see mark_local_region)
  bool kept_whole_ = false;       // the re-plan kept the previous division as it was
  bool whole_container_ = false;  // solve(): the re-plan's fallback over the whole container
  bool mend_only_ = false;        // refine(): only moves that lower the violation
  std::vector<PartId>& own_previous_;  // polish(): the division being re-planned from itself
  bool polishing_ = false;             // construction starts from own_previous_
  static constexpr int kPolishPasses = 4;
  std::vector<NodeId> targets_;
  std::vector<NodeId> queue_;
  // The last re-split kept by try_resplit (for update_members).
  std::vector<PartId> resplit_group_;
  std::vector<NodeId> resplit_nodes_;
  std::size_t resplit_parts_before_ = 0;
  PartId first_part_ = 0;
  long long unavoidable_ = 0;  // unavoidable_violation() of this container
  double mean_workload_ = 0.0;
  std::uint64_t rng_ = 0;
};

}  // namespace

GraphPartition partition_graph(const AtomGraph& graph, const GraphPartitionOptions& options) {
  HouseholdBounds bounds = options.bounds;
  bounds.min = std::max(0, bounds.min);
  bounds.max = std::max({1, bounds.min, bounds.max});
  bounds.target = std::clamp(bounds.target, std::max(1, bounds.min), bounds.max);
  GraphPartitionOptions checked = options;
  checked.bounds = bounds;

  GraphPartition result;
  const auto n = static_cast<std::size_t>(graph.node_count());
  result.part.assign(n, kNoPart);
  Components components = connected_components(graph);
  std::vector<std::vector<NodeId>> members(static_cast<std::size_t>(components.count));
  for (NodeId v = 0; v < graph.node_count(); ++v)
    members[at(components.of_node[at(v)])].push_back(v);

  std::vector<PartState> parts;
  Scratch scratch(n);
  ProgressShare share(options.on_progress, n);
  std::vector<PartId> raw_part(n, kNoPart);
  std::vector<std::pair<PartId, PartId>> component_parts;  // [first, end) per component
  for (std::int32_t c = 0; c < components.count; ++c) {
    const auto first = static_cast<PartId>(parts.size());
    InfeasibleContainer report;
    report.component = c;
    ComponentPartitioner engine(graph, checked, raw_part, parts, scratch, share);
    share.begin_container(members[at(c)].size());
    engine.run(members[at(c)], mix(options.seed ^ mix(static_cast<std::uint64_t>(c))), report);
    share.end_container();
    component_parts.emplace_back(first, static_cast<PartId>(parts.size()));
    if (!report.violating_parts.empty()) result.infeasible.push_back(std::move(report));
  }

  // Renumber parts densely, per component, in order of each part's smallest node.
  std::vector<PartId> renumber(parts.size(), kNoPart);
  for (std::int32_t c = 0; c < components.count; ++c)
    for (NodeId v : members[at(c)]) {
      PartId& r = renumber[at(raw_part[at(v)])];
      if (r == kNoPart) {
        r = result.part_count++;
        result.part_component.push_back(c);
      }
    }
  for (std::size_t v = 0; v < n; ++v) result.part[v] = renumber[at(raw_part[v])];
  for (auto& report : result.infeasible)
    for (PartId& p : report.violating_parts) p = renumber[at(p)];
  return result;
}

std::vector<int> pieces_per_part(const AtomGraph& graph, const std::vector<PartId>& part) {
  PartId count = 0;
  for (PartId p : part) count = std::max(count, p + 1);
  std::vector<int> pieces(at(count), 0);
  std::vector<char> seen(at(graph.node_count()), 0);
  std::vector<NodeId> stack;
  for (NodeId s = 0; s < graph.node_count(); ++s) {
    if (seen[at(s)] || part[at(s)] < 0) continue;
    ++pieces[at(part[at(s)])];
    seen[at(s)] = 1;
    stack.push_back(s);
    while (!stack.empty()) {
      NodeId v = stack.back();
      stack.pop_back();
      for (auto i = graph.begin(v); i < graph.end(v); ++i) {
        NodeId u = graph.neighbours[at(i)];
        if (!seen[at(u)] && part[at(u)] == part[at(v)]) {
          seen[at(u)] = 1;
          stack.push_back(u);
        }
      }
    }
  }
  return pieces;
}

PartitionQuality evaluate_partition(const AtomGraph& graph, const std::vector<PartId>& part,
                                    const HouseholdBounds& bounds) {
  PartitionQuality q;
  PartId count = 0;
  for (PartId p : part) count = std::max(count, p + 1);
  q.parts = count;
  std::vector<long long> h(at(count), 0);
  std::vector<double> area(at(count), 0.0), perimeter(at(count), 0.0);
  std::vector<int> nodes(at(count), 0);
  for (NodeId v = 0; v < graph.node_count(); ++v) {
    const PartId p = part[at(v)];
    h[at(p)] += graph.households[at(v)];
    area[at(p)] += graph.area_m2[at(v)];
    perimeter[at(p)] += graph.perimeter_m[at(v)];
    nodes[at(p)] += 1;
    for (auto i = graph.begin(v); i < graph.end(v); ++i)
      if (part[at(graph.neighbours[at(i)])] == p) perimeter[at(p)] -= graph.shared_length_m[at(i)];
  }
  const std::vector<int> pieces = pieces_per_part(graph, part);
  q.min_households = INT32_MAX;
  q.max_households = 0;
  double compact_sum = 0.0;
  for (PartId p = 0; p < count; ++p) {
    if (nodes[at(p)] == 0) {
      ++q.empty;
      continue;
    }
    q.below_min += h[at(p)] < bounds.min ? 1 : 0;
    q.above_max += h[at(p)] > bounds.max ? 1 : 0;
    q.discontiguous += pieces[at(p)] > 1 ? 1 : 0;
    q.min_households = std::min<int>(q.min_households, static_cast<int>(h[at(p)]));
    q.max_households = std::max<int>(q.max_households, static_cast<int>(h[at(p)]));
    if (perimeter[at(p)] > 0.0)
      compact_sum += 4.0 * std::numbers::pi * area[at(p)] / (perimeter[at(p)] * perimeter[at(p)]);
  }
  if (count == 0) q.min_households = 0;
  q.mean_compactness = count - q.empty > 0 ? compact_sum / (count - q.empty) : 0.0;
  return q;
}

}  // namespace gp::partition
