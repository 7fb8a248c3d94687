#pragma once
// Station siting from candidate locations (docs/decisions/0006-simulation.md):
// - maximal covering (MCLP): k new stations covering the most households not yet within the
//   radius of a station — greedy (lazy evaluation) then swap local search; reported with an
//   upper bound on the optimum: min( Σ of the k largest single-site coverages,
//   f(S) + Σ of the k largest marginal gains against the final S ) — both valid because
//   coverage is monotone submodular (Nemhauser-Wolsey-Fisher).
// - set covering: the fewest stations covering every coverable household — greedy by newly
//   covered buildings, then redundant sites dropped; reported with a lower bound: a set of
//   demand buildings no two of which share a covering candidate needs one station each.

#include <cstdint>
#include <string>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/core/progress.hpp"
#include "planner/sim/coverage.hpp"
#include "planner/sim/network.hpp"
#include "planner/sim/params.hpp"

namespace gp::sim {

/// For each candidate, the demand points it covers (ascending), in CSR form.
struct CoverageSets {
  std::vector<std::int64_t> offsets{0};  // candidates + 1
  std::vector<std::int32_t> demands;
  [[nodiscard]] std::size_t candidates() const { return offsets.size() - 1; }
  [[nodiscard]] const std::int32_t* begin(std::size_t c) const {
    return demands.data() + offsets[c];
  }
  [[nodiscard]] const std::int32_t* end(std::size_t c) const {
    return demands.data() + offsets[c + 1];
  }
  void add(const std::vector<std::int32_t>& covered) {
    demands.insert(demands.end(), covered.begin(), covered.end());
    offsets.push_back(static_cast<std::int64_t>(demands.size()));
  }
};

/// Which demand points each candidate reaches within `radius_m`: walking over `network`
/// (radius-bounded Dijkstra per candidate, snap distances included) or, when the network is
/// empty, straight line × `detour_factor`. With `progress`, reports the stage "siting: coverage
/// of candidates" (fraction of candidates done) between blocks of candidates.
CoverageSets compute_coverage_sets(const WalkNetwork& network, const std::vector<Point>& candidates,
                                   const std::vector<Point>& demands, double radius_m,
                                   double max_snap_m, double detour_factor,
                                   Progress* progress = nullptr);

struct MaxCoverResult {
  std::vector<std::int32_t> chosen;  // candidate indices, in the order chosen
  std::vector<double> gain;          // weight each chosen site covers that no earlier one does
  double covered = 0.0;              // total weight covered by the chosen sites
  double upper_bound = 0.0;          // on the best possible with `k` sites
  double gap = 0.0;                  // (upper_bound − covered) ÷ upper_bound, 0 when bound is 0
  int swaps = 0;                     // improving swaps made by the local search
};

/// Chooses up to k candidates maximising the covered weight. Stops early when no candidate adds
/// anything. Precondition: demand indices < weights.size(), weights ≥ 0. With `progress`,
/// reports the stage "siting: maximal covering" (sites chosen, then swap slots visited).
MaxCoverResult solve_max_cover(const CoverageSets& sets, const std::vector<double>& weights, int k,
                               int swap_passes, Progress* progress = nullptr);

struct SetCoverResult {
  std::vector<std::int32_t> chosen;  // candidate indices
  std::vector<double> gain;          // weight covered by each chosen site not by earlier ones
  double covered = 0.0;              // = coverable
  double uncoverable = 0.0;          // weight no candidate reaches
  int lower_bound = 0;               // no cover of the coverable demand uses fewer sites
};

/// The fewest candidates covering every demand point of positive weight that some candidate
/// covers (greedy + redundancy removal). With `progress`, reports the stage "siting: set
/// covering" (share of the coverable points covered, then the last steps).
SetCoverResult solve_set_cover(const CoverageSets& sets, const std::vector<double>& weights,
                               Progress* progress = nullptr);

struct SitedStation {
  std::int32_t candidate = 0;
  Point location;
  long long households_covered = 0;  // newly covered, in the order chosen
};

struct SitingResult {
  std::string method;                    // walking network or straight line × detour
  long long households_uncovered = 0;    // beyond the radius of every existing station
  long long households_uncoverable = 0;  // of those, beyond the radius of every candidate
  std::vector<SitedStation> max_cover;
  long long max_cover_households = 0;
  double max_cover_upper_bound = 0.0;
  double max_cover_gap = 0.0;
  std::vector<SitedStation> set_cover;
  int set_cover_lower_bound = 0;
};

/// Sites new stations for the households that `coverage` leaves beyond `params.radius_m` of every
/// station. `candidates` empty = every building with households is a candidate site.
SitingResult site_stations(const Dataset& dataset, const CoverageResult& coverage,
                           const WalkNetwork& network, std::vector<Point> candidates,
                           const SitingParams& params, const CoverageParams& coverage_params,
                           Progress* progress = nullptr);

}  // namespace gp::sim
