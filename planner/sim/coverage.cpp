#include "planner/sim/coverage.hpp"

#include "planner/core/parallel.hpp"

#include <cmath>
#include <sstream>

namespace gp::sim {

std::vector<Point> building_points(const Dataset& dataset) {
  std::vector<Point> points(dataset.buildings.size());
  parallel_for(std::size_t{0}, points.size(),
               [&](std::size_t i) { points[i] = centroid(dataset.buildings[i].footprint); });
  return points;
}

namespace {

void fill_shares(const Dataset& dataset, const CoverageParams& params, TierCoverage& tier) {
  tier.thresholds_m = params.thresholds_m;
  tier.households_within.assign(params.thresholds_m.size(), 0);
  tier.share_within.assign(params.thresholds_m.size(), 0.0);
  for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
    const long long households = dataset.buildings[b].households;
    if (households <= 0) continue;
    tier.households += households;
    if (!std::isfinite(tier.distance_m[b])) tier.households_unreachable += households;
    for (std::size_t k = 0; k < params.thresholds_m.size(); ++k) {
      if (tier.distance_m[b] <= params.thresholds_m[k]) tier.households_within[k] += households;
    }
  }
  for (std::size_t k = 0; k < params.thresholds_m.size(); ++k) {
    tier.share_within[k] = tier.households > 0 ? static_cast<double>(tier.households_within[k]) /
                                                     static_cast<double>(tier.households)
                                               : 0.0;
  }
}

}  // namespace

CoverageResult compute_coverage(const Dataset& dataset, const WalkNetwork& network,
                                const CoverageParams& params, Progress* progress) {
  CoverageResult result;
  result.network_used = !network.empty();
  std::ostringstream method;
  if (result.network_used) {
    method << "walking network: " << network.node_count() << " nodes, " << network.edge_count()
           << " edges; buildings joined to the nearest network point (snap distance added)";
  } else {
    method << "no walking network in the input: distances are straight line × "
           << params.detour_factor << " detour factor, not walked";
  }
  result.method = method.str();
  if (progress) progress->update("coverage: joining buildings", 0.0);
  const std::vector<Point> points = building_points(dataset);
  std::vector<Snap> building_snaps, station_snaps;
  if (result.network_used) {
    building_snaps = network.snap_all(points, params.max_snap_m);
    std::vector<Point> station_points;
    for (const Station& station : dataset.stations) station_points.push_back(station.location);
    station_snaps = network.snap_all(station_points, params.max_snap_m);
    for (std::size_t b = 0; b < building_snaps.size(); ++b) {
      if (!building_snaps[b].ok())
        result.unsnapped_buildings.push_back(static_cast<std::int32_t>(b));
    }
    for (std::size_t s = 0; s < station_snaps.size(); ++s) {
      if (!station_snaps[s].ok()) result.unsnapped_stations.push_back(static_cast<std::int32_t>(s));
    }
  }
  // Three tiers, then "any tier".
  for (int t = 0; t <= 3; ++t) {
    if (progress) progress->update("coverage: shortest walks", t / 4.0);
    TierCoverage tier;
    tier.any_tier = t == 3;
    tier.tier = t == 3 ? StationTier::compound_station : static_cast<StationTier>(t);
    std::vector<std::int32_t> members;
    for (std::size_t s = 0; s < dataset.stations.size(); ++s) {
      if (tier.any_tier || dataset.stations[s].tier == tier.tier) {
        members.push_back(static_cast<std::int32_t>(s));
      }
    }
    tier.stations = static_cast<int>(members.size());
    std::vector<Point> sources;
    for (std::int32_t s : members)
      sources.push_back(dataset.stations[static_cast<std::size_t>(s)].location);
    NearestSource nearest;
    if (result.network_used) {
      std::vector<Snap> source_snaps;
      for (std::int32_t s : members)
        source_snaps.push_back(station_snaps[static_cast<std::size_t>(s)]);
      nearest = nearest_by_network(network, building_snaps, source_snaps);
      if (!result.unsnapped_buildings.empty()) {
        std::vector<Point> off_network;
        for (std::int32_t b : result.unsnapped_buildings)
          off_network.push_back(points[static_cast<std::size_t>(b)]);
        const NearestSource fallback =
            nearest_by_straight_line(off_network, sources, params.detour_factor);
        for (std::size_t k = 0; k < off_network.size(); ++k) {
          const auto b = static_cast<std::size_t>(result.unsnapped_buildings[k]);
          nearest.distance_m[b] = fallback.distance_m[k];
          nearest.source[b] = fallback.source[k];
        }
      }
    } else {
      nearest = nearest_by_straight_line(points, sources, params.detour_factor);
    }
    tier.distance_m = std::move(nearest.distance_m);
    tier.station.resize(points.size(), kNone);
    for (std::size_t b = 0; b < points.size(); ++b) {
      if (nearest.source[b] >= 0)
        tier.station[b] = members[static_cast<std::size_t>(nearest.source[b])];
    }
    fill_shares(dataset, params, tier);
    result.tiers.push_back(std::move(tier));
  }
  if (progress) progress->update("coverage", 1.0);
  return result;
}

CoverageResult compute_coverage(const Dataset& dataset, const CoverageParams& params,
                                Progress* progress) {
  const WalkNetwork network = WalkNetwork::from_lines(dataset.lines, params);
  return compute_coverage(dataset, network, params, progress);
}

}  // namespace gp::sim
