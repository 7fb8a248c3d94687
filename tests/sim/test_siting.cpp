#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "planner/core/random.hpp"
#include "planner/core/shortest_path.hpp"
#include "planner/sim/rules.hpp"
#include "planner/sim/siting.hpp"

using namespace gp;
using namespace gp::sim;

namespace {

CoverageSets random_sets(Rng& rng, int candidates, int demands, double density) {
  CoverageSets sets;
  for (int c = 0; c < candidates; ++c) {
    std::vector<std::int32_t> covered;
    for (int d = 0; d < demands; ++d) {
      if (rng.uniform() < density) covered.push_back(d);
    }
    sets.add(covered);
  }
  return sets;
}

double covered_weight(const CoverageSets& sets, const std::vector<double>& weights,
                      const std::vector<std::int32_t>& chosen) {
  std::vector<char> covered(weights.size(), 0);
  for (std::int32_t c : chosen)
    for (const std::int32_t* d = sets.begin(static_cast<std::size_t>(c));
         d != sets.end(static_cast<std::size_t>(c)); ++d)
      covered[static_cast<std::size_t>(*d)] = 1;
  double total = 0.0;
  for (std::size_t d = 0; d < weights.size(); ++d) total += covered[d] ? weights[d] : 0.0;
  return total;
}

/// Best coverage over all subsets of exactly min(k, n) candidates (bitmask enumeration).
double exhaustive_max_cover(const CoverageSets& sets, const std::vector<double>& weights, int k) {
  const int n = static_cast<int>(sets.candidates());
  double best = 0.0;
  for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
    if (__builtin_popcount(mask) > k) continue;
    std::vector<std::int32_t> chosen;
    for (int c = 0; c < n; ++c)
      if (mask & (1u << c)) chosen.push_back(c);
    best = std::max(best, covered_weight(sets, weights, chosen));
  }
  return best;
}

/// Fewest candidates covering all coverable demand (positive weight), by enumeration.
int exhaustive_set_cover(const CoverageSets& sets, const std::vector<double>& weights) {
  const int n = static_cast<int>(sets.candidates());
  std::vector<std::int32_t> all;
  for (int c = 0; c < n; ++c) all.push_back(c);
  const double target = covered_weight(sets, weights, all);
  int best = n;
  for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
    const int size = __builtin_popcount(mask);
    if (size >= best) continue;
    std::vector<std::int32_t> chosen;
    for (int c = 0; c < n; ++c)
      if (mask & (1u << c)) chosen.push_back(c);
    if (covered_weight(sets, weights, chosen) >= target - 1e-9) best = size;
  }
  return best;
}

}  // namespace

TEST_CASE("maximal covering: within the reported bound of the exhaustive optimum") {
  Rng rng(99);
  int optimal = 0;
  const int trials = 60;
  for (int trial = 0; trial < trials; ++trial) {
    const int candidates = 10, demands = 25, k = 1 + trial % 4;
    const CoverageSets sets = random_sets(rng, candidates, demands, 0.2);
    std::vector<double> weights;
    for (int d = 0; d < demands; ++d) weights.push_back(static_cast<double>(1 + rng.below(50)));
    const MaxCoverResult result = solve_max_cover(sets, weights, k, 3);
    const double best = exhaustive_max_cover(sets, weights, k);
    INFO("trial " << trial << " k " << k << ": found " << result.covered << ", optimum " << best
                  << ", bound " << result.upper_bound);
    CHECK(static_cast<int>(result.chosen.size()) <= k);
    CHECK(result.covered == Approx(covered_weight(sets, weights, result.chosen)));
    CHECK(result.covered <= best + 1e-9);
    CHECK(best <= result.upper_bound + 1e-9);
    CHECK(result.gap ==
          Approx((result.upper_bound - result.covered) / result.upper_bound).margin(1e-12));
    optimal += result.covered >= best - 1e-9 ? 1 : 0;
  }
  // Greedy + swaps finds the optimum on nearly all of these small instances.
  CHECK(optimal >= trials * 9 / 10);
}

TEST_CASE("maximal covering: swaps repair a greedy trap") {
  // Candidate 0 covers the middle (8 demands); 1 and 2 each cover half of the middle plus 3 of
  // their own (7 each). Greedy takes 0 first and then gets 3 more: 11. With k = 2 the best is
  // {1, 2}, covering all 14.
  CoverageSets sets;
  sets.add({0, 1, 2, 3, 4, 5, 6, 7});
  sets.add({0, 1, 2, 3, 8, 9, 10});
  sets.add({4, 5, 6, 7, 11, 12, 13});
  const std::vector<double> weights(14, 1.0);
  const MaxCoverResult result = solve_max_cover(sets, weights, 2, 3);
  CHECK(result.covered == 14.0);
  CHECK(result.swaps >= 1);
  CHECK(result.gap == 0.0);
}

TEST_CASE("set covering: greedy + redundancy removal against exhaustive search") {
  Rng rng(3);
  int minimal = 0;
  const int trials = 60;
  for (int trial = 0; trial < trials; ++trial) {
    const CoverageSets sets = random_sets(rng, 10, 20, 0.25);
    std::vector<double> weights(20, 1.0);
    weights[static_cast<std::size_t>(trial % 20)] = 0.0;  // a demand that needs no cover
    const SetCoverResult result = solve_set_cover(sets, weights);
    const int best = exhaustive_set_cover(sets, weights);
    std::vector<std::int32_t> all;
    for (int c = 0; c < 10; ++c) all.push_back(c);
    INFO("trial " << trial << ": greedy " << result.chosen.size() << ", optimum " << best
                  << ", lower bound " << result.lower_bound);
    CHECK(result.covered == Approx(covered_weight(sets, weights, all)));
    CHECK(covered_weight(sets, weights, result.chosen) == Approx(result.covered));
    CHECK(result.lower_bound <= best);
    CHECK(best <= static_cast<int>(result.chosen.size()));
    minimal += static_cast<int>(result.chosen.size()) == best ? 1 : 0;
  }
  CHECK(minimal >= trials * 8 / 10);
}

TEST_CASE("set covering on a tiny instance is minimal and its bound is tight") {
  CoverageSets sets;
  sets.add({0, 1});
  sets.add({1, 2});
  sets.add({2, 3});
  sets.add({3, 4});
  sets.add({0, 4});
  const std::vector<double> weights(6, 1.0);  // demand 5 is uncoverable
  const SetCoverResult result = solve_set_cover(sets, weights);
  CHECK(result.chosen.size() == 3);  // 5 demands on a 5-cycle of pairs need 3
  CHECK(result.uncoverable == 1.0);
  CHECK(result.covered == 5.0);
  CHECK(result.lower_bound >= 2);
}

TEST_CASE("coverage sets over the network agree with straight line on an open grid") {
  // Walking radius 300 m on a dense street lattice (20 m spacing) versus straight line × 1.3:
  // network coverage must never exceed the straight-line disc (walks are never shorter).
  std::vector<LineString> streets;
  for (int k = 0; k <= 50; ++k) {
    streets.push_back({{0, k * 20.0}, {1000, k * 20.0}});
    streets.push_back({{k * 20.0, 0}, {k * 20.0, 1000}});
  }
  const WalkNetwork network =
      WalkNetwork::from_polylines(streets, std::vector<int>(streets.size(), 0));
  Rng rng(1);
  std::vector<Point> demands, candidates;
  for (int d = 0; d < 400; ++d) demands.push_back({rng.uniform() * 1000, rng.uniform() * 1000});
  for (int c = 0; c < 30; ++c) candidates.push_back({rng.uniform() * 1000, rng.uniform() * 1000});
  const CoverageSets walked = compute_coverage_sets(network, candidates, demands, 300.0, 50.0, 1.3);
  const CoverageSets straight =
      compute_coverage_sets(WalkNetwork{}, candidates, demands, 300.0, 50.0, 1.0);
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    for (const std::int32_t* d = walked.begin(c); d != walked.end(c); ++d) {
      CHECK(std::binary_search(straight.begin(c), straight.end(c), *d));
    }
    // Manhattan distance ≤ 300 − snaps is always walkable: the walked set is not tiny.
    CHECK(walked.end(c) - walked.begin(c) >= (straight.end(c) - straight.begin(c)) / 3);
  }
  // The same sets come back from a second run (parallel loops, fixed merge order).
  const CoverageSets again = compute_coverage_sets(network, candidates, demands, 300.0, 50.0, 1.3);
  CHECK(again.demands == walked.demands);
  CHECK(again.offsets == walked.offsets);
}

namespace {

/// The coverage sets by the plain radius-bounded search: every reached node queued, each
/// settled node's demands reached and its neighbours offered (compute_coverage_sets before it
/// walked along streets). The reference the faster search must match exactly.
CoverageSets plain_coverage_sets(const WalkNetwork& network, const std::vector<Point>& candidates,
                                 const std::vector<Point>& demands, double radius_m,
                                 double max_snap_m) {
  const std::vector<Snap> demand_snaps = network.snap_all(demands, max_snap_m);
  const std::vector<Snap> candidate_snaps = network.snap_all(candidates, max_snap_m);
  CoverageSets sets;
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    std::vector<double> node_distance(network.node_count(), kUnreachable);
    std::vector<double> demand_distance(demands.size(), kUnreachable);
    const Snap& origin = candidate_snaps[c];
    if (origin.ok()) {
      auto reach = [&](std::size_t d, double distance) {
        if (distance <= radius_m) demand_distance[d] = std::min(demand_distance[d], distance);
      };
      ShortestPaths search(node_distance);
      search.set_limit(radius_m);
      const double length = network.edge_length(origin.edge);
      search.offer(network.edge_from(origin.edge), origin.distance_m + origin.t * length);
      search.offer(network.edge_to(origin.edge), origin.distance_m + (1.0 - origin.t) * length);
      for (std::size_t d = 0; d < demands.size(); ++d)
        if (demand_snaps[d].ok() && demand_snaps[d].edge == origin.edge)
          reach(d, origin.distance_m + std::abs(origin.t - demand_snaps[d].t) * length +
                       demand_snaps[d].distance_m);
      search.settle([&](std::int32_t node, double distance) {
        for (const std::int32_t* e = network.incident_begin(node); e != network.incident_end(node);
             ++e) {
          const double edge_length = network.edge_length(*e);
          const bool at_from = network.edge_from(*e) == node;
          for (std::size_t d = 0; d < demands.size(); ++d)
            if (demand_snaps[d].ok() && demand_snaps[d].edge == *e)
              reach(d, distance +
                           (at_from ? demand_snaps[d].t : 1.0 - demand_snaps[d].t) * edge_length +
                           demand_snaps[d].distance_m);
          search.offer(network.other_end(*e, node), distance + edge_length);
        }
      });
    }
    std::vector<std::int32_t> covered;
    for (std::size_t d = 0; d < demands.size(); ++d)
      if (demand_distance[d] != kUnreachable) covered.push_back(static_cast<std::int32_t>(d));
    sets.add(covered);
  }
  return sets;
}

}  // namespace

TEST_CASE("coverage sets along curving streets are those of the plain search") {
  // Streets with many vertices (nodes joining two edges, walked without the queue), junctions
  // every 120 m, a ring street without any junction, a dead end and a lollipop loop; demands
  // and candidates scattered over it, three radii.
  Rng rng(7);
  std::vector<LineString> streets;
  auto curving = [&](Point a, Point b) {
    LineString line{a};
    const int steps = 2 + static_cast<int>(rng.uniform() * 10);
    for (int k = 1; k < steps; ++k) {
      const double t = static_cast<double>(k) / steps;
      line.push_back({a.x + (b.x - a.x) * t + (rng.uniform() - 0.5) * 8.0,
                      a.y + (b.y - a.y) * t + (rng.uniform() - 0.5) * 8.0});
    }
    line.push_back(b);
    return line;
  };
  for (int i = 0; i <= 8; ++i)
    for (int j = 0; j < 8; ++j) {
      streets.push_back(curving({i * 120.0, j * 120.0}, {i * 120.0, (j + 1) * 120.0}));
      streets.push_back(curving({j * 120.0, i * 120.0}, {(j + 1) * 120.0, i * 120.0}));
    }
  LineString ring;
  for (int k = 0; k <= 24; ++k) {
    const double a = 2.0 * 3.141592653589793 * k / 24;
    ring.push_back({1300.0 + 80.0 * std::cos(a), 400.0 + 80.0 * std::sin(a)});
  }
  ring.back() = ring.front();
  streets.push_back(ring);
  streets.push_back(curving({960.0, 480.0}, {1220.0, 400.0}));  // a street to nowhere near
  streets.push_back({{480.0, 960.0},
                     {480.0, 1010.0},
                     {500.0, 1030.0},
                     {460.0, 1030.0},
                     {480.0, 1010.0}});  // a lollipop
  const WalkNetwork network =
      WalkNetwork::from_polylines(streets, std::vector<int>(streets.size(), 0));
  std::vector<Point> demands, candidates;
  for (int d = 0; d < 600; ++d)
    demands.push_back({rng.uniform() * 1400.0 - 20.0, rng.uniform() * 1080.0 - 20.0});
  for (int c = 0; c < 80; ++c)
    candidates.push_back({rng.uniform() * 1400.0 - 20.0, rng.uniform() * 1080.0 - 20.0});
  for (const double radius : {150.0, 400.0, 1000.0}) {
    const CoverageSets walked =
        compute_coverage_sets(network, candidates, demands, radius, 60.0, 1.3);
    const CoverageSets plain = plain_coverage_sets(network, candidates, demands, radius, 60.0);
    CHECK(walked.offsets == plain.offsets);
    CHECK(walked.demands == plain.demands);
    CHECK(walked.demands.size() > candidates.size());  // not trivially empty
  }
}

TEST_CASE("site_stations covers the uncovered households of a dataset") {
  Dataset dataset;
  // Two clusters of households far apart; one already has a station.
  for (int k = 0; k < 5; ++k) {
    Building b;
    const double x = k * 30.0;
    b.footprint = {{{{x, 0}, {x + 10, 0}, {x + 10, 10}, {x, 10}, {x, 0}}, {}}};
    b.households = 20;
    dataset.buildings.push_back(b);
    Building far = b;
    for (auto& p : far.footprint[0].outer) p.x += 5000.0;
    far.households = 30;
    dataset.buildings.push_back(far);
  }
  Station station;
  station.location = {60, 5};
  dataset.stations.push_back(station);
  CoverageParams coverage_params;
  const CoverageResult coverage = compute_coverage(dataset, coverage_params);
  SitingParams params;
  params.new_stations = 2;
  const SitingResult result =
      site_stations(dataset, coverage, WalkNetwork{}, {}, params, coverage_params);
  CHECK(result.households_uncovered == 150);
  REQUIRE(result.max_cover.size() == 1);  // one site covers the far cluster; a second adds nothing
  CHECK(result.max_cover[0].households_covered == 150);
  CHECK(result.max_cover[0].location.x > 4000.0);
  CHECK(result.max_cover_gap == 0.0);
  CHECK(result.set_cover.size() == 1);
  CHECK(result.set_cover_lower_bound == 1);
  CHECK(result.method.find("straight line") != std::string::npos);
}

TEST_CASE("rules: station per large grid, floor area per households, households beyond 1000 m") {
  Dataset dataset;
  auto square = [](double x, double y, double side) {
    return MultiPolygon{{{{x, y}, {x + side, y}, {x + side, y + side}, {x, y + side}, {x, y}}, {}}};
  };
  for (int k = 0; k < 4; ++k) {
    Building b;
    b.footprint = square(k * 200.0, 0, 10);
    b.households = 100;
    dataset.buildings.push_back(b);
  }
  Building remote;
  remote.footprint = square(5000, 0, 10);
  remote.households = 40;
  dataset.buildings.push_back(remote);
  Station small;
  small.name = "A站";
  small.location = {50, 5};
  small.floor_m2 = 60.0;  // serves 4 × 100 + 40 households: needs 132 m²
  dataset.stations.push_back(small);
  Plan plan;
  Grid a, b;
  a.code = "A";
  a.buildings = {0, 1};
  a.polygon = square(-10, -10, 300);
  b.code = "B";
  b.buildings = {2, 3, 4};
  plan.large_grids = {a, b};
  CoverageParams coverage_params;
  const CoverageResult coverage = compute_coverage(dataset, coverage_params);
  const std::vector<RuleFailure> failures = check_rules(dataset, plan, coverage, RuleParams{});
  std::vector<RuleKind> kinds;
  for (const RuleFailure& f : failures) kinds.push_back(f.kind);
  CHECK(std::count(kinds.begin(), kinds.end(), RuleKind::no_station_in_large_grid) == 1);
  const auto station_rule = std::find_if(
      failures.begin(), failures.end(),
      [](const RuleFailure& f) { return f.kind == RuleKind::no_station_in_large_grid; });
  CHECK(station_rule->large_grid == 1);  // grid B: its nearest building is 355 m away
  // No community layer: the town is one community, 440 households need 132 m² in all.
  const auto floor = std::find_if(failures.begin(), failures.end(), [](const RuleFailure& f) {
    return f.kind == RuleKind::floor_area_short;
  });
  REQUIRE(floor != failures.end());
  CHECK(floor->limit == Approx(132.0));
  CHECK(floor->value == Approx(60.0));
  CHECK(floor->community == kNone);
  CHECK(std::string(rule_level(floor->kind)) == "community");
  CHECK(std::string(rule_source(floor->kind)).find("2022") != std::string::npos);
  const auto beyond = std::find_if(failures.begin(), failures.end(), [](const RuleFailure& f) {
    return f.kind == RuleKind::households_beyond_walk;
  });
  REQUIRE(beyond != failures.end());
  CHECK(beyond->buildings == std::vector<std::int32_t>{4});
  CHECK(beyond->value == 40.0);
  CHECK(beyond->large_grid == 1);
}

TEST_CASE("rules: floor space is a community figure, stations of a community counted together") {
  // Two communities of 1,000 households. Community 1 has a 200 m² centre and two 60 m² compound
  // stations (320 m² ≥ 300 m² needed): none of its stations fails although each compound
  // station alone is far below 30 m² per 100 households. Community 2 has one 150 m² centre.
  Dataset dataset;
  auto square = [](double x, double y, double side) {
    return MultiPolygon{{{{x, y}, {x + side, y}, {x + side, y + side}, {x, y + side}, {x, y}}, {}}};
  };
  for (int c = 0; c < 2; ++c) {
    Community community;
    community.name = c == 0 ? "东社区" : "西社区";
    community.footprint = square(c * 1000.0, 0, 1000);
    dataset.communities.push_back(community);
    for (int k = 0; k < 10; ++k) {
      Building b;
      b.footprint = square(c * 1000.0 + 50 + k * 90.0, 100, 20);
      b.households = 100;
      b.community = c;
      dataset.buildings.push_back(b);
    }
  }
  auto station = [&](double x, StationTier tier, double floor_m2) {
    Station s;
    s.name = "站" + std::to_string(dataset.stations.size());
    s.location = {x, 150};
    s.tier = tier;
    s.floor_m2 = floor_m2;
    dataset.stations.push_back(s);
  };
  station(100, StationTier::community_centre, 200);
  station(400, StationTier::compound_station, 60);
  station(700, StationTier::compound_station, 60);
  station(1500, StationTier::community_centre, 150);
  station(1600, StationTier::county_centre, 1096);  // serves the county: counts for no community
  Plan plan;
  CoverageParams coverage_params;
  const CoverageResult coverage = compute_coverage(dataset, coverage_params);
  const std::vector<RuleFailure> failures = check_rules(dataset, plan, coverage, RuleParams{});
  std::vector<const RuleFailure*> short_floor;
  for (const RuleFailure& f : failures)
    if (f.kind == RuleKind::floor_area_short) short_floor.push_back(&f);
  REQUIRE(short_floor.size() == 1);
  CHECK(short_floor[0]->community == 1);
  CHECK(short_floor[0]->value == Approx(150.0));
  CHECK(short_floor[0]->limit == Approx(300.0));
  CHECK(short_floor[0]->station == kNone);
  CHECK(short_floor[0]->message.find("西社区") != std::string::npos);
}

TEST_CASE("nearest compound station per large grid: the same as trying every station") {
  // Random towns: square grids of random buildings, compound stations (and other tiers, which do
  // not count) anywhere, some inside grids; distance 0 inside the grid's polygon, else the least
  // distance to a building's point, ties to the lower station index.
  Rng rng(2024);
  for (int town = 0; town < 20; ++town) {
    Dataset dataset;
    Plan plan;
    const int grids = 1 + static_cast<int>(rng.uniform() * 30);
    for (int g = 0; g < grids; ++g) {
      const double x0 = rng.uniform() * 5000.0, y0 = rng.uniform() * 5000.0;
      const double side = 50.0 + rng.uniform() * 400.0;
      Grid grid;
      grid.polygon = {Polygon{
          {{x0, y0}, {x0 + side, y0}, {x0 + side, y0 + side}, {x0, y0 + side}, {x0, y0}}, {}}};
      const int buildings = g % 7 == 0 ? 0 : 1 + static_cast<int>(rng.uniform() * 20);
      for (int b = 0; b < buildings; ++b) {
        const double bx = x0 + rng.uniform() * (side - 10.0),
                     by = y0 + rng.uniform() * (side - 10.0);
        Building building;
        building.footprint = {
            Polygon{{{bx, by}, {bx + 8, by}, {bx + 8, by + 8}, {bx, by + 8}, {bx, by}}, {}}};
        building.households = 10;
        grid.buildings.push_back(static_cast<std::int32_t>(dataset.buildings.size()));
        dataset.buildings.push_back(std::move(building));
      }
      plan.large_grids.push_back(std::move(grid));
    }
    const int stations = static_cast<int>(rng.uniform() * 40);
    for (int s = 0; s < stations; ++s) {
      Station station;
      station.tier = s % 5 == 4 ? StationTier::community_centre : StationTier::compound_station;
      station.location = {rng.uniform() * 5500.0, rng.uniform() * 5500.0};
      // Some on a building's point exactly, and pairs at the same place (ties).
      if (s % 6 == 1 && !dataset.buildings.empty())
        station.location =
            building_points(dataset)[static_cast<std::size_t>(s) % dataset.buildings.size()];
      if (s % 9 == 2 && s > 0) station.location = dataset.stations.back().location;
      dataset.stations.push_back(station);
    }
    const std::vector<Point> points = building_points(dataset);
    const std::vector<NearestStation> found = nearest_compound_stations(dataset, plan, points);
    REQUIRE(found.size() == plan.large_grids.size());
    for (std::size_t g = 0; g < plan.large_grids.size(); ++g) {
      const Grid& grid = plan.large_grids[g];
      NearestStation every;  // every station against every building, in station order
      for (std::size_t s = 0; s < dataset.stations.size(); ++s) {
        const Station& station = dataset.stations[s];
        if (station.tier != StationTier::compound_station) continue;
        double distance = contains(grid.polygon, station.location) ? 0.0 : kUnreachable;
        for (std::int32_t b : grid.buildings) {
          const Point& p = points[static_cast<std::size_t>(b)];
          distance =
              std::min(distance, std::hypot(p.x - station.location.x, p.y - station.location.y));
        }
        if (distance < every.distance_m) every = {distance, static_cast<std::int32_t>(s)};
      }
      CHECK(found[g].distance_m == every.distance_m);
      CHECK(found[g].station == every.station);
    }
  }
}
