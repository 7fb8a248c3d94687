// One definition per concept in the core (issue 13): the PRNG, the shortest-path routine and the
// point-in-polygon rule every module uses.

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "planner/core/point_in_polygon.hpp"
#include "planner/core/random.hpp"
#include "planner/core/shortest_path.hpp"

using namespace gp;

TEST_CASE("random: the stream and the seed mixers are pinned bit for bit") {
  // The values the synthetic towns and the simulation drew before the generator moved to the
  // core (xoshiro256** seeded through SplitMix64): the committed demo town and the recorded
  // simulation figures depend on them.
  Rng rng(42);
  CHECK(rng.next() == 1546998764402558742ULL);
  CHECK(rng.next() == 6990951692964543102ULL);
  CHECK(rng.next() == 12544586762248559009ULL);
  CHECK(derive_seed(7, 3) == 11890610812480902339ULL);
  CHECK(derive_replication_seed(7, 3) == 1096056677610498102ULL);
  std::uint64_t state = 5;
  const std::uint64_t first = splitmix64(state);
  CHECK(mix64(5) == first);
  CHECK(mix64(first) != first);
}

TEST_CASE("random: draws stay in range and are roughly uniform") {
  Rng rng(7);
  std::vector<int> counts(10, 0);
  for (int i = 0; i < 100000; ++i) {
    const int v = rng.between(0, 9);
    REQUIRE(v >= 0);
    REQUIRE(v <= 9);
    ++counts[static_cast<std::size_t>(v)];
    const std::uint64_t b = rng.below(7);
    REQUIRE(b < 7);
    const double u = rng.uniform_open_zero();
    REQUIRE(u > 0.0);
    REQUIRE(u <= 1.0);
  }
  for (int c : counts) CHECK(std::abs(c - 10000) < 500);  // ±5 %: about 5 standard deviations
  double sum = 0.0;
  for (int i = 0; i < 20000; ++i) sum += static_cast<double>(rng.poisson(45.5));
  CHECK(sum / 20000 == Approx(45.5).epsilon(0.01));
}

TEST_CASE("shortest paths: Dijkstra equals Floyd-Warshall on random graphs and honours a radius") {
  Rng rng(11);
  for (int trial = 0; trial < 30; ++trial) {
    const int n = 2 + static_cast<int>(rng.below(25));
    std::vector<std::vector<std::pair<std::int32_t, double>>> edges(static_cast<std::size_t>(n));
    std::vector<std::vector<double>> d(static_cast<std::size_t>(n),
                                       std::vector<double>(static_cast<std::size_t>(n), kNoPath));
    for (int i = 0; i < n; ++i) d[i][i] = 0.0;
    const int m = static_cast<int>(rng.below(static_cast<std::uint64_t>(3 * n)));
    for (int k = 0; k < m; ++k) {
      const auto a = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(n)));
      const auto b = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(n)));
      const double w = rng.uniform(0.0, 100.0);
      edges[a].push_back({b, w});
      edges[b].push_back({a, w});
      d[a][b] = std::min(d[a][b], w);
      d[b][a] = std::min(d[b][a], w);
    }
    for (int k = 0; k < n; ++k)
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) d[i][j] = std::min(d[i][j], d[i][k] + d[k][j]);
    for (const double radius : {kNoPath, 60.0}) {
      std::vector<double> distance(static_cast<std::size_t>(n), kNoPath);
      ShortestPaths search(distance);
      search.set_limit(radius);
      search.offer(0, 0.0);
      search.settle([&](std::int32_t node, double at) {
        for (const auto& [next, w] : edges[static_cast<std::size_t>(node)])
          search.offer(next, at + w);
      });
      for (int j = 0; j < n; ++j) {
        INFO("trial " << trial << " node " << j << " radius " << radius);
        if (d[0][j] <= radius)
          CHECK(distance[j] == Approx(d[0][j]));
        else
          CHECK(distance[j] == kNoPath);
      }
    }
  }
}

TEST_CASE("point in polygon: points on a shared edge belong to exactly one polygon") {
  // A 3 × 3 partition of unit squares: every point of the covered area, boundaries included
  // (except the partition's own right and top edges), is in exactly one square.
  std::vector<Polygon> squares;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      squares.push_back(Polygon{Ring{{1.0 * i, 1.0 * j},
                                     {i + 1.0, 1.0 * j},
                                     {i + 1.0, j + 1.0},
                                     {1.0 * i, j + 1.0},
                                     {1.0 * i, 1.0 * j}},
                                {}});
  for (double x = 0.0; x < 3.0; x += 0.25)
    for (double y = 0.0; y < 3.0; y += 0.25) {
      int owners = 0;
      for (const Polygon& s : squares) owners += point_in_polygon(s, Point{x, y}) ? 1 : 0;
      INFO(x << ", " << y);
      CHECK(owners == 1);
    }
  // The convention: left and bottom edges inside, right and top edges outside.
  const Polygon& unit = squares[0];
  CHECK(point_in_polygon(unit, Point{0.0, 0.5}));
  CHECK(point_in_polygon(unit, Point{0.5, 0.0}));
  CHECK_FALSE(point_in_polygon(unit, Point{1.0, 0.5}));
  CHECK_FALSE(point_in_polygon(unit, Point{0.5, 1.0}));
  // Holes are outside; a multipolygon is inside when any part is.
  Polygon holed{Ring{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
                {Ring{{4, 4}, {6, 4}, {6, 6}, {4, 6}, {4, 4}}}};
  CHECK(point_in_polygon(holed, Point{2, 2}));
  CHECK_FALSE(point_in_polygon(holed, Point{5, 5}));
  const MultiPolygon two{holed, Polygon{Ring{{20, 0}, {30, 0}, {30, 10}, {20, 0}}, {}}};
  CHECK(point_in_polygon(two, Point{29, 5}));
  CHECK_FALSE(point_in_polygon(two, Point{15, 5}));
  CHECK_FALSE(point_in_ring(Ring{{0, 0}, {1, 1}}, Point{0.5, 0.5}));
}
