#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "planner/core/random.hpp"
#include "planner/sim/coverage.hpp"
#include "planner/sim/network.hpp"

using namespace gp;
using namespace gp::sim;

namespace {

struct BruteSnap {
  std::size_t edge = 0;
  double t = 0.0, distance = INFINITY;
};

/// Nearest point on any segment, by scanning all of them.
BruteSnap brute_snap(const std::vector<std::pair<Point, Point>>& edges, const Point& p) {
  BruteSnap best;
  for (std::size_t e = 0; e < edges.size(); ++e) {
    const auto& [a, b] = edges[e];
    const double dx = b.x - a.x, dy = b.y - a.y;
    const double t =
        std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy), 0.0, 1.0);
    const double d = std::hypot(a.x + t * dx - p.x, a.y + t * dy - p.y);
    if (d < best.distance) best = {e, t, d};
  }
  return best;
}

/// Walking distance from each target to its nearest source by Floyd-Warshall over the graph
/// of lattice nodes plus every snapped point inserted into its edge.
std::vector<double> brute_force(const std::vector<Point>& nodes,
                                const std::vector<std::pair<int, int>>& edges,
                                const std::vector<Point>& targets,
                                const std::vector<Point>& sources) {
  std::vector<std::pair<Point, Point>> segments;
  for (const auto& [a, b] : edges) segments.push_back({nodes[a], nodes[b]});
  const std::size_t base = nodes.size();
  std::vector<Point> all = targets;
  all.insert(all.end(), sources.begin(), sources.end());
  std::vector<BruteSnap> snaps;
  for (const Point& p : all) snaps.push_back(brute_snap(segments, p));
  const std::size_t n = base + all.size();
  std::vector<std::vector<double>> d(n, std::vector<double>(n, INFINITY));
  for (std::size_t i = 0; i < n; ++i) d[i][i] = 0.0;
  auto link = [&](std::size_t a, std::size_t b, double w) {
    d[a][b] = std::min(d[a][b], w);
    d[b][a] = std::min(d[b][a], w);
  };
  for (std::size_t e = 0; e < edges.size(); ++e) {
    // Points along the edge in order of t, chained from one end to the other.
    std::vector<std::pair<double, std::size_t>> along{
        {0.0, static_cast<std::size_t>(edges[e].first)},
        {1.0, static_cast<std::size_t>(edges[e].second)}};
    for (std::size_t k = 0; k < all.size(); ++k) {
      if (snaps[k].edge == e) along.push_back({snaps[k].t, base + k});
    }
    std::sort(along.begin(), along.end());
    const double length = std::hypot(segments[e].second.x - segments[e].first.x,
                                     segments[e].second.y - segments[e].first.y);
    for (std::size_t k = 1; k < along.size(); ++k) {
      link(along[k - 1].second, along[k].second, (along[k].first - along[k - 1].first) * length);
    }
  }
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) d[i][j] = std::min(d[i][j], d[i][k] + d[k][j]);
  std::vector<double> result;
  for (std::size_t t = 0; t < targets.size(); ++t) {
    double best = INFINITY;
    for (std::size_t s = 0; s < sources.size(); ++s) {
      const std::size_t ti = base + t, si = base + targets.size() + s;
      best = std::min(best, snaps[t].distance + d[ti][si] + snaps[targets.size() + s].distance);
    }
    result.push_back(best);
  }
  return result;
}

Line road(LineString geometry, bool bridge = false, std::string cls = "residential") {
  Line line;
  line.kind = LineKind::road;
  line.cls = std::move(cls);
  line.geometry = std::move(geometry);
  line.bridge = bridge;
  return line;
}

Building building_at(double x, double y, int households) {
  Building b;
  b.footprint = {
      {{{x - 5, y - 5}, {x + 5, y - 5}, {x + 5, y + 5}, {x - 5, y + 5}, {x - 5, y - 5}}, {}}};
  b.households = households;
  return b;
}

Station station_at(double x, double y, StationTier tier = StationTier::compound_station) {
  Station s;
  s.location = {x, y};
  s.tier = tier;
  return s;
}

}  // namespace

TEST_CASE("network distances equal brute-force Floyd-Warshall on small random graphs") {
  Rng rng(2024);
  for (int trial = 0; trial < 25; ++trial) {
    // A jittered 5 × 5 lattice with ~25 % of its edges removed: planar, maybe disconnected.
    const int side = 5;
    std::vector<Point> nodes;
    for (int y = 0; y < side; ++y)
      for (int x = 0; x < side; ++x)
        nodes.push_back(
            {x * 100.0 + (rng.uniform() - 0.5) * 40.0, y * 100.0 + (rng.uniform() - 0.5) * 40.0});
    std::vector<std::pair<int, int>> edges;
    for (int y = 0; y < side; ++y) {
      for (int x = 0; x < side; ++x) {
        if (x + 1 < side && rng.uniform() > 0.25) edges.push_back({y * side + x, y * side + x + 1});
        if (y + 1 < side && rng.uniform() > 0.25)
          edges.push_back({y * side + x, (y + 1) * side + x});
      }
    }
    std::vector<LineString> polylines;
    for (const auto& [a, b] : edges) polylines.push_back({nodes[a], nodes[b]});
    const WalkNetwork network =
        WalkNetwork::from_polylines(polylines, std::vector<int>(polylines.size(), 0));
    CHECK(network.node_count() <= nodes.size());
    CHECK(network.edge_count() == edges.size());
    std::vector<Point> targets, sources;
    for (int k = 0; k < 12; ++k)
      targets.push_back({rng.uniform() * 420 - 10, rng.uniform() * 420 - 10});
    for (int k = 0; k < 3; ++k)
      sources.push_back({rng.uniform() * 420 - 10, rng.uniform() * 420 - 10});
    const NearestSource fast = nearest_by_network(network, targets, sources, 1e9);
    const std::vector<double> slow = brute_force(nodes, edges, targets, sources);
    for (std::size_t t = 0; t < targets.size(); ++t) {
      INFO("trial " << trial << " target " << t);
      if (std::isinf(slow[t])) {
        CHECK(std::isinf(fast.distance_m[t]));
      } else {
        CHECK(fast.distance_m[t] == Approx(slow[t]).margin(1e-6));
      }
    }
  }
}

TEST_CASE("snapping finds the nearest segment like a full scan") {
  Rng rng(5);
  std::vector<LineString> polylines;
  std::vector<std::pair<Point, Point>> segments;
  for (int k = 0; k < 60; ++k) {
    const Point a{rng.uniform() * 1000, rng.uniform() * 1000};
    const Point b{a.x + (rng.uniform() - 0.5) * 200, a.y + (rng.uniform() - 0.5) * 200};
    polylines.push_back({a, b});
  }
  const WalkNetwork network = WalkNetwork::from_polylines(polylines, std::vector<int>(60, 0));
  for (std::int32_t e = 0; e < static_cast<std::int32_t>(network.edge_count()); ++e) {
    segments.push_back({network.node(network.edge_from(e)), network.node(network.edge_to(e))});
  }
  for (int k = 0; k < 300; ++k) {
    const Point p{rng.uniform() * 1400 - 200, rng.uniform() * 1400 - 200};
    const Snap snap = network.snap(p, 1e9);
    REQUIRE(snap.ok());
    CHECK(snap.distance_m == Approx(brute_snap(segments, p).distance).margin(1e-9));
  }
  CHECK_FALSE(network.snap({5000, 5000}, 100.0).ok());
}

TEST_CASE("crossing streets meet, a street under a bridge does not") {
  // Level crossing: an east-west and a north-south street crossing at (50, 0).
  const WalkNetwork level =
      WalkNetwork::from_polylines({{{0, 0}, {100, 0}}, {{50, -50}, {50, 50}}}, {0, 0});
  CHECK(level.node_count() == 5);
  CHECK(level.edge_count() == 4);
  const NearestSource via = nearest_by_network(level, {{50, 40}}, {{0, 0}}, 10.0);
  CHECK(via.distance_m[0] == Approx(90.0));
  // The east-west line is a bridge: no junction, so the street below is not reachable.
  const WalkNetwork bridged =
      WalkNetwork::from_polylines({{{0, 0}, {100, 0}}, {{50, -50}, {50, 50}}}, {1, 0});
  CHECK(bridged.node_count() == 4);
  const NearestSource none = nearest_by_network(bridged, {{50, 40}}, {{0, 0}}, 10.0);
  CHECK(std::isinf(none.distance_m[0]));
  // A T-junction without a shared vertex is still a junction.
  const WalkNetwork tee =
      WalkNetwork::from_polylines({{{0, 0}, {100, 0}}, {{50, 0}, {50, 50}}}, {0, 0});
  CHECK(tee.node_count() == 4);
  CHECK(tee.edge_count() == 3);
}

TEST_CASE("rivers are crossed only on bridges, forbidden classes are left out") {
  Dataset dataset;
  // A river along x = 500. Streets on each bank run north-south; one bridge at y = 1000
  // joins them through two short approach roads.
  Line river;
  river.kind = LineKind::river;
  river.walkable = false;
  river.geometry = {{500, -100}, {500, 1100}};
  dataset.lines.push_back(river);
  dataset.lines.push_back(road({{480, 0}, {480, 1000}}));
  dataset.lines.push_back(road({{520, 0}, {520, 1000}}));
  dataset.lines.push_back(road({{480, 1000}, {520, 1000}}, true));
  // A motorway straight across the river at y = 0: pedestrians may not use it.
  dataset.lines.push_back(road({{400, 0}, {600, 0}}, true, "motorway"));
  dataset.buildings.push_back(building_at(470, 0, 50));    // west bank, south end
  dataset.buildings.push_back(building_at(530, 990, 20));  // east bank near the bridge
  dataset.stations.push_back(station_at(530, 0));          // east bank, south end
  CoverageParams params;
  const CoverageResult coverage = compute_coverage(dataset, params);
  REQUIRE(coverage.network_used);
  const TierCoverage& tier = coverage.tier(StationTier::compound_station);
  // West building: 10 m snap + 1000 m north + 40 m bridge + 1000 m south + 10 m snap.
  CHECK(tier.distance_m[0] == Approx(2060.0));
  CHECK(tier.station[0] == 0);
  // East building: on the east street 990 m north of the station's snap point.
  CHECK(tier.distance_m[1] == Approx(10.0 + 990.0 + 10.0));
  CHECK(tier.households == 70);
  CHECK(tier.households_within.back() == 0);  // both beyond 1000 m
  CHECK(coverage.any().distance_m[0] == Approx(2060.0));
}

TEST_CASE("without a network the result says straight line × detour") {
  Dataset dataset;
  dataset.buildings.push_back(building_at(0, 0, 10));
  dataset.buildings.push_back(building_at(300, 400, 30));
  dataset.buildings.push_back(building_at(3000, 0, 60));
  dataset.stations.push_back(station_at(0, 0, StationTier::community_centre));
  CoverageParams params;
  const CoverageResult coverage = compute_coverage(dataset, params);
  CHECK_FALSE(coverage.network_used);
  CHECK(coverage.method.find("straight line") != std::string::npos);
  const TierCoverage& tier = coverage.tier(StationTier::community_centre);
  CHECK(tier.distance_m[1] == Approx(500.0 * 1.3));
  CHECK(tier.households_within == std::vector<long long>{10, 10, 40});
  CHECK(tier.share_within[2] == Approx(0.4));
  // No compound stations at all: every household unreachable for that tier.
  CHECK(coverage.tier(StationTier::compound_station).households_unreachable == 100);
}

TEST_CASE("buildings far from the network fall back to straight line and are listed") {
  Dataset dataset;
  dataset.lines.push_back(road({{0, 0}, {1000, 0}}));
  dataset.buildings.push_back(building_at(100, 20, 10));
  dataset.buildings.push_back(building_at(100, 2000, 10));
  dataset.stations.push_back(station_at(0, 10));
  CoverageParams params;
  params.max_snap_m = 200.0;
  const CoverageResult coverage = compute_coverage(dataset, params);
  CHECK(coverage.unsnapped_buildings == std::vector<std::int32_t>{1});
  CHECK(coverage.any().distance_m[0] == Approx(20 + 100 + 10));
  CHECK(coverage.any().distance_m[1] == Approx(std::hypot(100.0, 1990.0) * 1.3));
}
