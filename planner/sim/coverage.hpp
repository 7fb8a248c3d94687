#pragma once
// Station coverage over the walking network: for every building the walking distance to the
// nearest station of each tier (and of any tier), and the shares of households within the
// 5/10/15-minute thresholds. Without a walking network the distances are straight line × detour
// factor and the result says so (`network_used` false and `method`).

#include <cstdint>
#include <string>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/core/progress.hpp"
#include "planner/sim/network.hpp"
#include "planner/sim/params.hpp"

namespace gp::sim {

struct TierCoverage {
  StationTier tier = StationTier::compound_station;
  bool any_tier = false;  // true for the "nearest station of any tier" entry
  int stations = 0;
  std::vector<double> distance_m;     // per dataset building; kUnreachable when no route/station
  std::vector<std::int32_t> station;  // per building: index into Dataset::stations, or kNone
  std::vector<double> thresholds_m;   // copied from the parameters
  std::vector<long long> households_within;  // per threshold
  std::vector<double> share_within;          // per threshold, of all households
  long long households = 0;
  long long households_unreachable = 0;  // no station of this tier reachable at all
};

struct CoverageResult {
  bool network_used = false;
  /// How distances were measured, for reports: e.g. "walking network: 5,321 nodes, 7,002 edges"
  /// or "no walking network: straight line × 1.3 detour factor".
  std::string method;
  std::vector<TierCoverage> tiers;  // county centre, community centre, compound station, any tier
  /// Buildings / stations farther than max_snap_m from the network (distances for those
  /// buildings fall back to straight line × detour; such stations are left out).
  std::vector<std::int32_t> unsnapped_buildings;
  std::vector<std::int32_t> unsnapped_stations;

  [[nodiscard]] const TierCoverage& tier(StationTier t) const {
    return tiers[static_cast<std::size_t>(t)];
  }
  [[nodiscard]] const TierCoverage& any() const { return tiers.back(); }
};

/// Building locations as used by the simulator module: footprint centroids.
std::vector<Point> building_points(const Dataset& dataset);

/// Coverage using `network` (may be empty: then straight line × detour).
CoverageResult compute_coverage(const Dataset& dataset, const WalkNetwork& network,
                                const CoverageParams& params, Progress* progress = nullptr);
/// Builds the network from dataset.lines first.
CoverageResult compute_coverage(const Dataset& dataset, const CoverageParams& params,
                                Progress* progress = nullptr);

}  // namespace gp::sim
