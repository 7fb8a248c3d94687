#include <catch2/catch.hpp>

#include "planner/core/geometry.hpp"
#include "planner/core/households.hpp"

using namespace gp;

namespace {
Polygon square(double x0, double y0, double side) {
  return {{{x0, y0}, {x0 + side, y0}, {x0 + side, y0 + side}, {x0, y0 + side}, {x0, y0}}, {}};
}
}  // namespace

TEST_CASE("area, perimeter and centroid of a square with a hole") {
  Polygon p = square(500000, 3500000, 10);
  p.holes.push_back({{500002, 3500002},
                     {500002, 3500004},
                     {500004, 3500004},
                     {500004, 3500002},
                     {500002, 3500002}});
  CHECK(area(p) == Approx(96.0));
  CHECK(perimeter(p) == Approx(48.0));
  const Point c = centroid(MultiPolygon{square(500000, 3500000, 10)});
  CHECK(c.x == Approx(500005.0));
  CHECK(c.y == Approx(3500005.0));
}

TEST_CASE("Polsby-Popper is 1 for a circle and π/4 for a square") {
  CHECK(polsby_popper(3.14159265358979 * 4, 2 * 3.14159265358979 * 2) == Approx(1.0));
  CHECK(polsby_popper(100, 40) == Approx(3.14159265358979 / 4));
  CHECK(polsby_popper(0, 0) == 0.0);
}

TEST_CASE("households are estimated from footprint × floors ÷ dwelling size") {
  HouseholdParams params;
  Building b;
  b.footprint = {square(0, 0, 30)};  // 900 m²
  b.floors = 6;
  estimate_households(b, params);
  CHECK(b.households == 60);  // 900 × 6 ÷ 90
  CHECK(b.households_estimated);
  CHECK_FALSE(b.floors_estimated);

  Building from_height;
  from_height.footprint = {square(0, 0, 30)};
  from_height.height_m = 30.0;
  estimate_households(from_height, params);
  CHECK(from_height.floors == 10);
  CHECK(from_height.floors_estimated);

  Building school;
  school.use = BuildingUse::school;
  school.footprint = {square(0, 0, 50)};
  estimate_households(school, params);
  CHECK(school.households == 0);

  Building given;
  given.footprint = {square(0, 0, 30)};
  given.floors = 6;
  given.households = 48;
  estimate_households(given, params);
  CHECK(given.households == 48);
  CHECK_FALSE(given.households_estimated);
  CHECK_FALSE(households_absurd(given, params));
  given.households = 5000;
  CHECK(households_absurd(given, params));
}
