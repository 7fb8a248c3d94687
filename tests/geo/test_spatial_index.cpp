#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "planner/geo/spatial_index.hpp"

using namespace gp;
using gp::geo::BoxIndex;

namespace {

bool boxes_intersect(const Box& a, const Box& b) {
  return a.min_x <= b.max_x && b.min_x <= a.max_x && a.min_y <= b.max_y && b.min_y <= a.max_y;
}

std::vector<Box> random_boxes(std::mt19937& rng, std::size_t n, double extent_m,
                              double max_side_m) {
  std::uniform_real_distribution<double> position(0.0, extent_m);
  std::uniform_real_distribution<double> side(0.0, max_side_m);
  std::vector<Box> boxes;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = position(rng), y = position(rng);
    boxes.push_back(Box{x, y, x + side(rng), y + side(rng)});
  }
  return boxes;
}

}  // namespace

TEST_CASE("box index: intersecting matches brute force on random boxes") {
  std::mt19937 rng(20261127);
  const std::vector<Box> boxes = random_boxes(rng, 5000, 10000.0, 200.0);
  const BoxIndex index(boxes);
  REQUIRE(index.size() == boxes.size());
  const std::vector<Box> queries = random_boxes(rng, 300, 10000.0, 800.0);
  std::vector<std::int32_t> reused;
  for (const Box& q : queries) {
    std::vector<std::int32_t> expected;
    for (std::size_t i = 0; i < boxes.size(); ++i)
      if (boxes_intersect(boxes[i], q)) expected.push_back(std::int32_t(i));
    CHECK(index.intersecting(q) == expected);  // both ascending
    index.intersecting(q, reused);
    CHECK(reused == expected);
  }
}

TEST_CASE("box index: nearest k matches brute force distances") {
  std::mt19937 rng(7);
  const std::vector<Box> boxes = random_boxes(rng, 3000, 5000.0, 50.0);
  const BoxIndex index(boxes);
  std::uniform_real_distribution<double> position(-500.0, 5500.0);
  for (int trial = 0; trial < 200; ++trial) {
    const Point p{position(rng), position(rng)};
    const Box q{p.x, p.y, p.x, p.y};
    const std::size_t k = 1 + std::size_t(trial % 7);
    std::vector<double> all;
    for (const Box& b : boxes) all.push_back(geo::box_distance(q, b));
    std::sort(all.begin(), all.end());
    const std::vector<std::int32_t> found = index.nearest(p, k);
    REQUIRE(found.size() == k);
    for (std::size_t i = 0; i < k; ++i)
      CHECK(geo::box_distance(q, boxes[std::size_t(found[i])]) == Approx(all[i]).margin(1e-9));
  }
}

TEST_CASE("box index: empty boxes are skipped, empty index answers nothing") {
  const std::vector<Box> boxes{Box{0, 0, 10, 10}, Box{}, Box{20, 20, 30, 30}};
  const BoxIndex index(boxes);
  CHECK(index.size() == 2);
  CHECK(index.intersecting(Box{-100, -100, 100, 100}) == std::vector<std::int32_t>{0, 2});
  CHECK(index.nearest(Point{25, 25}, 5) == std::vector<std::int32_t>{2, 0});
  CHECK(index.intersecting(Box{}).empty());
  // Touching edges count as intersecting.
  CHECK(index.intersecting(Box{10, 10, 15, 15}) == std::vector<std::int32_t>{0});

  const BoxIndex empty;
  CHECK(empty.size() == 0);
  CHECK(empty.intersecting(Box{0, 0, 1, 1}).empty());
  CHECK(empty.nearest(Point{0, 0}, 3).empty());
}

TEST_CASE("box distance") {
  CHECK(geo::box_distance(Box{0, 0, 1, 1}, Box{4, 5, 6, 6}) == Approx(5.0));
  CHECK(geo::box_distance(Box{0, 0, 2, 2}, Box{1, 1, 3, 3}) == 0.0);
}

TEST_CASE("box grid: the boxes holding a point are BoxIndex's, ascending") {
  std::mt19937 rng(20261207);
  std::uniform_real_distribution<double> position(-50.0, 3050.0);
  // Small boxes (edges widened by a tolerance), a few long ones, a degenerate one, an empty one;
  // points at random, on the boxes' corners and edges, and outside the extent.
  std::vector<Box> boxes = random_boxes(rng, 4000, 3000.0, 6.0);
  for (const Box& long_box : random_boxes(rng, 20, 3000.0, 900.0)) boxes.push_back(long_box);
  boxes.push_back(Box{100.0, 100.0, 100.0, 100.0});
  boxes.push_back(Box{});
  const BoxIndex index(boxes);
  const geo::BoxGrid grid(boxes);
  std::vector<Point> points{{100.0, 100.0}, {-1000.0, 5.0}, {5000.0, 5000.0}};
  for (int k = 0; k < 3000; ++k) points.push_back({position(rng), position(rng)});
  for (std::size_t i = 0; i < boxes.size(); i += 7)
    if (!boxes[i].empty()) {
      points.push_back({boxes[i].min_x, boxes[i].min_y});
      points.push_back({boxes[i].max_x, boxes[i].max_y});
      points.push_back({boxes[i].min_x, 0.5 * (boxes[i].min_y + boxes[i].max_y)});
    }
  std::vector<std::int32_t> expected, found;
  std::size_t mismatches = 0, hits = 0;
  for (const Point& p : points) {
    index.intersecting(Box{p.x, p.y, p.x, p.y}, expected);
    grid.holding(p, found);
    mismatches += found != expected;
    hits += found.size();
  }
  CHECK(mismatches == 0);
  CHECK(hits > points.size() / 2);

  const std::vector<Box> none{Box{}};
  const geo::BoxGrid empty(none);
  empty.holding(Point{0.0, 0.0}, found);
  CHECK(found.empty());
}
