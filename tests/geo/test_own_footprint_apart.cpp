// own_footprints settles most pairs of footprints whose boxes meet without GEOS: a line through
// an edge of either that separates them proves their interiors apart (round 11). The own parts
// must stay GEOS's: a town of terraced rows (shared walls, some slanted), L-shaped and notched
// footprints, bays, towers on podiums and buildings drawn over their neighbours, against the
// footprint less every smaller footprint whose interior meets its interior by GEOS's relate,
// coordinate for coordinate.
#include <catch2/catch.hpp>

#include <geos_c.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "planner/core/geometry.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/own_footprint.hpp"

namespace {

using namespace gp;

Ring ring_of(std::initializer_list<Point> points, double dx, double dy, double c, double s) {
  Ring ring;
  for (const Point& p : points) ring.push_back({dx + p.x * c - p.y * s, dy + p.x * s + p.y * c});
  ring.push_back(ring.front());
  return ring;
}

std::vector<MultiPolygon> terraced_town(std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<MultiPolygon> town;
  for (int row = 0; row < 12; ++row) {
    const double a = 0.4 * unit(rng) - 0.2, c = std::cos(a), s = std::sin(a);
    const double y0 = 3500000.0 + 30.0 * row, x0 = 500000.0;
    double x = 0.0;
    for (int k = 0; k < 14; ++k) {
      const double w = 6.0 + 6.0 * unit(rng), d = 10.0 + 4.0 * unit(rng);
      const double kind = unit(rng);
      if (kind < 0.5) {  // a plain house sharing its walls
        town.push_back(
            {Polygon{ring_of({{x, 0}, {x + w, 0}, {x + w, d}, {x, d}}, x0, y0, c, s), {}}});
      } else if (kind < 0.7) {  // an L, its notch on the next house's side
        town.push_back({Polygon{
            ring_of(
                {{x, 0}, {x + w, 0}, {x + w, d / 2}, {x + w / 2, d / 2}, {x + w / 2, d}, {x, d}},
                x0, y0, c, s),
            {}}});
      } else if (kind < 0.85) {  // a house with a bay poking into the next one
        town.push_back({Polygon{
            ring_of(
                {{x, 0}, {x + w, 0}, {x + w, 3}, {x + w + 1.5, 4}, {x + w, 5}, {x + w, d}, {x, d}},
                x0, y0, c, s),
            {}}});
      } else {  // a podium with a tower on it
        town.push_back(
            {Polygon{ring_of({{x, 0}, {x + w, 0}, {x + w, d}, {x, d}}, x0, y0, c, s), {}}});
        town.push_back({Polygon{
            ring_of({{x + 1, 1}, {x + w - 1, 1}, {x + w - 1, d - 2}, {x + 1, d - 2}}, x0, y0, c, s),
            {}}});
      }
      x += w;
      if (unit(rng) < 0.1)
        x += 0.5;  // a gap
      else if (unit(rng) < 0.1)
        x -= 0.3 * unit(rng);  // drawn over the neighbour
    }
  }
  return town;
}

/// own_footprints' rule with GEOS's relate for every pair (its form before round 11), copies
/// aside (the town has none).
std::vector<MultiPolygon> own_parts_by_relate(const std::vector<MultiPolygon>& town) {
  geo::GeosContext ctx;
  GEOSContextHandle_t h = ctx.handle();
  std::vector<MultiPolygon> parts(town.size());
  for (std::size_t i = 0; i < town.size(); ++i) {
    const Box bi = bounds(town[i]);
    geo::GeomPtr shape = geo::to_geos(ctx, town[i]);
    bool cut = false;
    for (std::size_t j = 0; j < town.size(); ++j) {
      const Box bj = bounds(town[j]);
      if (j == i || bj.min_x > bi.max_x || bj.max_x < bi.min_x || bj.min_y > bi.max_y ||
          bj.max_y < bi.min_y || !geo::footprint_keeps_overlap(town[j], j, town[i], i))
        continue;
      const geo::GeomPtr other = geo::to_geos(ctx, town[j]);
      if (GEOSRelatePattern_r(h, shape.get(), other.get(), "T********") != 1) continue;
      shape = geo::own(ctx, GEOSDifference_r(h, shape.get(), other.get()), "difference");
      cut = true;
    }
    if (!cut) continue;
    MultiPolygon left = geo::to_multipolygon(ctx, shape.get());
    for (Polygon& polygon : left) {  // the orientation own_footprints gives
      if (signed_area(polygon.outer) < 0.0)
        std::reverse(polygon.outer.begin(), polygon.outer.end());
      for (Ring& hole : polygon.holes)
        if (signed_area(hole) > 0.0) std::reverse(hole.begin(), hole.end());
    }
    parts[i] = std::move(left);
  }
  return parts;
}

}  // namespace

TEST_CASE("own footprint: pairs proved apart by a separating line keep GEOS's own parts",
          "[own][settle]") {
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    CAPTURE(seed);
    const std::vector<MultiPolygon> town = terraced_town(seed);
    std::vector<const MultiPolygon*> pointers;
    for (const MultiPolygon& f : town) pointers.push_back(&f);
    const std::vector<MultiPolygon> parts = geo::own_footprints(pointers);
    const std::vector<MultiPolygon> expected = own_parts_by_relate(town);
    REQUIRE(parts.size() == expected.size());
    std::size_t cut = 0, differ = 0;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (!expected[i].empty()) ++cut;
      if (parts[i].size() != expected[i].size()) {
        ++differ;
        continue;
      }
      for (std::size_t k = 0; k < parts[i].size(); ++k)
        if (parts[i][k].outer != expected[i][k].outer || parts[i][k].holes != expected[i][k].holes)
          ++differ;
    }
    CHECK(differ == 0);
    CHECK(cut > 10);  // towers on podiums, bays and overdrawn walls
  }
}
