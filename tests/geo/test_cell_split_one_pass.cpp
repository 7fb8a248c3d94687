// Split towers cut by the own steps of round 6 (issue 14: the monotone test instead of one
// overlay per strip, the pinch test instead of rounding every piece, shared edges summed
// instead of intersected, the runs' units joined by coverage union, the partition's cuts kept
// for the grid polygons) give the runs the GEOS-overlay cut of before gives (set_split_reference),
// and the runs still share every vertex (issue 12, item 1).

#include <geos_c.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "planner/geo/cell_split.hpp"
#include "planner/geo/geos.hpp"

namespace {

using gp::geo::GeomPtr;
using gp::geo::GeosContext;

/// Area (m²) of the symmetric difference of a and b.
double difference_area(const gp::MultiPolygon& a, const gp::MultiPolygon& b) {
  GeosContext ctx;
  if (a.empty() || b.empty()) return gp::area(a) + gp::area(b);
  GeomPtr ga = gp::geo::to_geos(ctx, a), gb = gp::geo::to_geos(ctx, b);
  GeomPtr d = gp::geo::own(ctx, GEOSSymDifference_r(ctx.handle(), ga.get(), gb.get()), "sym");
  double result = 0.0;
  GEOSArea_r(ctx.handle(), d.get(), &result);
  return result;
}

/// Area (m²) of the coverage union of the runs (GEOS CoverageUnion: only edges shared vertex
/// for vertex dissolve), and the number of polygons it makes; -1 when GEOS refuses it.
std::pair<double, int> coverage_union(const std::vector<gp::MultiPolygon>& runs) {
  GeosContext ctx;
  std::vector<GEOSGeometry*> parts;
  for (const gp::MultiPolygon& run : runs)
    for (const gp::Polygon& polygon : run)
      parts.push_back(gp::geo::to_geos(ctx, polygon).release());
  GeomPtr all = gp::geo::own(ctx,
                             GEOSGeom_createCollection_r(ctx.handle(), GEOS_GEOMETRYCOLLECTION,
                                                         parts.data(), unsigned(parts.size())),
                             "runs");
  GEOSGeometry* u = GEOSCoverageUnion_r(ctx.handle(), all.get());
  if (!u) return {0.0, -1};
  GeomPtr owned = gp::geo::own(ctx, u, "union");
  double result = 0.0;
  GEOSArea_r(ctx.handle(), owned.get(), &result);
  return {result, GEOSGetNumGeometries_r(ctx.handle(), owned.get())};
}

gp::Ring rotated_ring(std::vector<gp::Point> points, double angle, gp::Point at) {
  const double c = std::cos(angle), s = std::sin(angle);
  gp::Ring ring;
  for (const gp::Point& p : points)
    ring.push_back({at.x + c * p.x - s * p.y, at.y + s * p.x + c * p.y});
  ring.push_back(ring.front());
  if (gp::signed_area(ring) < 0.0) std::reverse(ring.begin(), ring.end());
  return ring;
}

struct Case {
  std::string name;
  gp::MultiPolygon cell, footprint;
};

/// Towers of the shapes real ones have (slab, L, U, T, a slab with a notch), rotated, in cells
/// of 5 to 9 sides around them, at projected coordinates of the size real ones have.
std::vector<Case> towers() {
  const std::vector<std::pair<std::string, std::vector<gp::Point>>> shapes{
      {"slab", {{-30, -8}, {30, -8}, {30, 8}, {-30, 8}}},
      {"L", {{-25, -10}, {25, -10}, {25, 0}, {-12, 0}, {-12, 20}, {-25, 20}}},
      {"U", {{-30, -10}, {30, -10}, {30, 25}, {18, 25}, {18, 2}, {-18, 2}, {-18, 25}, {-30, 25}}},
      {"T", {{-30, 0}, {30, 0}, {30, 10}, {6, 10}, {6, 35}, {-6, 35}, {-6, 10}, {-30, 10}}},
      {"notch", {{-28, -9}, {-2, -9}, {-2, -4}, {3, -4}, {3, -9}, {28, -9}, {28, 9}, {-28, 9}}},
  };
  std::vector<Case> result;
  int k = 0;
  for (const auto& [name, points] : shapes)
    for (const double angle : {0.0, 0.3, 1.1, 2.4}) {
      const gp::Point at{384123.14854736946 + 97.3 * k, 3547233.768076031 + 41.9 * k};
      ++k;
      gp::Ring cell;
      const int sides = 5 + k % 5;
      for (int i = 0; i < sides; ++i) {
        const double a = 2.0 * M_PI * i / sides + 0.17 * k;
        const double r = 55.0 + 9.0 * std::sin(3.0 * a + k);
        cell.push_back({at.x + r * std::cos(a), at.y + r * std::sin(a)});
      }
      cell.push_back(cell.front());
      result.push_back({name + " at " + std::to_string(angle),
                        {gp::Polygon{cell, {}}},
                        {gp::Polygon{rotated_ring(points, angle, at), {}}}});
    }
  return result;
}

void compare(const Case& c, int units, const std::vector<double>& weights) {
  INFO(c.name << ", " << units << " units, " << weights.size() << " runs");
  gp::geo::set_split_reference(true);
  const std::vector<gp::MultiPolygon> before =
      gp::geo::split_cell_along_building(c.cell, c.footprint, weights, {}, units);
  gp::geo::set_split_reference(false);
  const std::vector<gp::MultiPolygon> after =
      gp::geo::split_cell_along_building(c.cell, c.footprint, weights, {}, units);
  REQUIRE(after.size() == before.size());
  const double cell_area = gp::area(c.cell);
  for (std::size_t j = 0; j < after.size(); ++j) {
    INFO("run " << j);
    CHECK(after[j].size() == before[j].size());
    CHECK(std::abs(gp::area(after[j]) - gp::area(before[j])) < 1e-6 * cell_area);
    CHECK(difference_area(after[j], before[j]) < 1e-4);
  }
  // The runs share every vertex: GEOS's coverage union takes them, one polygon, the cell.
  const auto [union_area, polygons] = coverage_union(after);
  CHECK(polygons == 1);
  CHECK(std::abs(union_area - cell_area) < 1e-3);
}

}  // namespace

TEST_CASE("split tower: the own cut gives the overlay cut's runs, sharing every vertex",
          "[cell_split][units][truth]") {
  for (const Case& c : towers())
    for (const int units : {2, 3, 5, 8, 13}) {
      // One weight per unit (the partition's cut), and runs of units as the export makes them.
      compare(c, units, std::vector<double>(units, 1.0));
      std::vector<double> runs;
      for (int left = units; left > 0; left -= std::min(left, 3)) runs.push_back(std::min(left, 3));
      if (runs.size() > 1) compare(c, units, runs);
    }
  gp::geo::forget_unit_cuts();
}

TEST_CASE("split tower: the partition's cut of a tower is kept for the grid polygons, then freed",
          "[cell_split][units]") {
  gp::geo::forget_unit_cuts();
  const Case c = towers().front();
  const std::vector<gp::MultiPolygon> first =
      gp::geo::split_cell_along_building(c.cell, c.footprint, std::vector<double>(6, 1.0));
  CHECK(gp::geo::unit_cuts_held() == 1);
  // The export's runs of 2 units come from the same cut: nothing new is cut.
  const std::vector<gp::MultiPolygon> runs =
      gp::geo::split_cell_along_building(c.cell, c.footprint, {2.0, 2.0, 2.0}, {}, 6);
  CHECK(gp::geo::unit_cuts_held() == 1);
  REQUIRE(runs.size() == 3);
  for (std::size_t j = 0; j < 3; ++j)
    CHECK(std::abs(gp::area(runs[j]) - gp::area(first[2 * j]) - gp::area(first[2 * j + 1])) < 1e-6);
  // Another footprint in the same cell is another cut.
  gp::MultiPolygon moved = c.footprint;
  moved.front().outer.front().x += 1e-9;
  moved.front().outer.back() = moved.front().outer.front();
  gp::geo::split_cell_along_building(c.cell, moved, std::vector<double>(6, 1.0));
  CHECK(gp::geo::unit_cuts_held() == 2);
  gp::geo::forget_unit_cuts();
  CHECK(gp::geo::unit_cuts_held() == 0);
}

TEST_CASE("conform_edges reports its progress, only rising, to the end", "[cell_split][conform]") {
  // 40 × 40 grids of 10 m (metres), every third one rounded apart by 0.3 µm: one community's
  // conforming in one call (issue 14: 2.1 s without a word on the real 100k town).
  std::vector<gp::MultiPolygon> grids;
  std::vector<char> moved;
  for (int i = 0; i < 40; ++i)
    for (int j = 0; j < 40; ++j) {
      const double shift = (i * 40 + j) % 3 == 0 ? 3e-7 : 0.0;
      const double x = 500000.0 + 10.0 * i + shift, y = 4000000.0 + 10.0 * j - shift;
      gp::Ring ring{{x, y}, {x + 10.0, y}, {x + 10.0, y + 10.0}, {x, y + 10.0}, {x, y}};
      grids.push_back({gp::Polygon{ring, {}}});
      moved.push_back(shift != 0.0 ? 1 : 0);
    }
  std::vector<gp::MultiPolygon*> polygons;
  for (gp::MultiPolygon& g : grids) polygons.push_back(&g);
  std::vector<double> reported;
  const bool ok = gp::geo::conform_edges(polygons, moved, {}, gp::geo::kConformToleranceM, nullptr,
                                         [&](double f) { reported.push_back(f); });
  CHECK(ok);
  REQUIRE(reported.size() >= 3);
  for (std::size_t k = 1; k < reported.size(); ++k) CHECK(reported[k] > reported[k - 1]);
  CHECK(reported.back() == 1.0);
  // Back on the exact grids' vertices: a rounded grid's corner is its neighbour's.
  CHECK(grids[0].front().outer[1] == grids[40].front().outer[0]);
}
