// The cells that answer validation's point and cover tests away from a community's outline
// (planner/geo/area_cells.hpp) give GEOS's own answer wherever they give one: points and boxes
// scattered over a built-up area with holes and separate parts, at several cell sizes, checked
// against GEOS's prepared predicates.
#include <catch2/catch.hpp>

#include <geos_c.h>

#include <cstdint>
#include <random>
#include <vector>

#include "planner/geo/area_cells.hpp"
#include "planner/geo/built_up_area.hpp"
#include "planner/geo/geos.hpp"
#include "tests/geo/geo_test_support.hpp"

namespace {

using namespace gp;
using Where = geo::AreaCells::Where;

/// A town of `n` small rotated footprints in clusters, its built-up area (parts with holes, arcs).
MultiPolygon clustered_area(geo::GeosContext& ctx, int n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> centre(0.0, 2000.0), offset(-150.0, 150.0),
      side(6.0, 25.0), angle(0.0, 3.14159);
  std::vector<MultiPolygon> footprints;
  double cx = 0.0, cy = 0.0;
  for (int k = 0; k < n; ++k) {
    if (k % 40 == 0) {
      cx = centre(rng) + 500000.0;  // UTM-sized coordinates, as in the towns
      cy = centre(rng) + 3500000.0;
    }
    const double x = cx + offset(rng), y = cy + offset(rng), w = side(rng), h = side(rng),
                 a = angle(rng);
    const double c = std::cos(a), s = std::sin(a);
    Ring ring;
    for (auto [u, v] : {std::pair{-w, -h}, {w, -h}, {w, h}, {-w, h}, {-w, -h}})
      ring.push_back({x + 0.5 * (u * c - v * s), y + 0.5 * (u * s + v * c)});
    footprints.push_back({Polygon{ring, {}}});
  }
  std::vector<const MultiPolygon*> pointers;
  for (const MultiPolygon& f : footprints) pointers.push_back(&f);
  geo::BuiltUpParams params;
  params.reach_m = 40.0;
  params.margin_m = 12.0;
  return geo::built_up_area(ctx, pointers, params, nullptr);
}

}  // namespace

TEST_CASE("area cells agree with GEOS on points and boxes over a built-up area",
          "[geo][area_cells]") {
  geo::GeosContext ctx;
  GEOSContextHandle_t h = ctx.handle();
  const MultiPolygon area = clustered_area(ctx, 1200, 7);
  REQUIRE(area.size() > 3);
  std::size_t holes = 0;
  for (const Polygon& p : area) holes += p.holes.size();
  REQUIRE(holes > 0);
  const geo::GeomPtr geometry = geo::to_geos(ctx, area);
  const GEOSPreparedGeometry* prepared = GEOSPrepare_r(h, geometry.get());
  REQUIRE(prepared != nullptr);
  const Box extent = bounds(area);

  for (double cell : {3.0, 8.0, 31.0}) {
    CAPTURE(cell);
    const geo::AreaCells cells(area, cell, 10'000'000);
    REQUIRE_FALSE(cells.empty());
    CHECK(cells.outline_cells() < cells.cells());
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> x(extent.min_x - 100.0, extent.max_x + 100.0),
        y(extent.min_y - 100.0, extent.max_y + 100.0), size(0.0, 40.0);
    std::size_t known_points = 0, known_boxes = 0, wrong_points = 0, wrong_boxes = 0;
    for (int k = 0; k < 20000; ++k) {
      const Point p{x(rng), y(rng)};
      const Where where = cells.locate(p);
      if (where != Where::mixed) {
        ++known_points;
        const geo::GeomPtr point = geo::to_geos(ctx, p);
        const bool in = GEOSPreparedIntersects_r(h, prepared, point.get()) == 1;
        if (in != (where == Where::inside)) ++wrong_points;
      }
      const Box box{p.x, p.y, p.x + size(rng), p.y + size(rng)};
      const Where box_where = cells.locate(box);
      if (box_where != Where::mixed) {
        ++known_boxes;
        const geo::GeomPtr shape =
            geo::to_geos(ctx, test::square(box.min_x, box.min_y, box.max_x, box.max_y));
        const bool covered = GEOSPreparedCovers_r(h, prepared, shape.get()) == 1;
        const bool meets = GEOSPreparedIntersects_r(h, prepared, shape.get()) == 1;
        if (box_where == Where::inside ? !covered : meets) ++wrong_boxes;
      }
    }
    CHECK(wrong_points == 0);
    CHECK(wrong_boxes == 0);
    // Most points and boxes are away from the outline at these sizes.
    CHECK(known_points > 10000);
    CHECK(known_boxes > 5000);
  }
  GEOSPreparedGeom_destroy_r(h, prepared);
}

TEST_CASE("area cells: points on the outline and beyond the grid", "[geo][area_cells]") {
  // A square with a square hole; cells of 1 m, so the outline cells are a narrow band.
  MultiPolygon area = test::square(0, 0, 100, 100);
  area[0].holes.push_back({{40, 40}, {40, 60}, {60, 60}, {60, 40}, {40, 40}});
  const geo::AreaCells cells(area, 1.0, 1'000'000);
  CHECK(cells.locate(Point{20, 20}) == Where::inside);
  CHECK(cells.locate(Point{50, 50}) == Where::outside);  // in the hole
  CHECK(cells.locate(Point{-50, 50}) == Where::outside);
  CHECK(cells.locate(Point{1e7, 1e7}) == Where::outside);
  CHECK(cells.locate(Point{0, 50}) == Where::mixed);   // on the outer ring
  CHECK(cells.locate(Point{40, 50}) == Where::mixed);  // on the hole's ring
  CHECK(cells.locate(Point{100, 100}) == Where::mixed);
  CHECK(cells.locate(Box{10, 10, 30, 30}) == Where::inside);
  CHECK(cells.locate(Box{45, 45, 55, 55}) == Where::outside);
  CHECK(cells.locate(Box{30, 30, 50, 50}) == Where::mixed);
  CHECK(cells.locate(Box{-30, -30, -10, -10}) == Where::outside);
  CHECK(cells.locate(Box{-30, 10, 10, 20}) == Where::mixed);
  CHECK(cells.locate(Box{-1e6, -1e6, -9e5, -9e5}) == Where::outside);
  // No area, no cells: every answer is "ask GEOS".
  const geo::AreaCells none(MultiPolygon{}, 1.0, 1000);
  CHECK(none.empty());
  CHECK(none.locate(Point{20, 20}) == Where::mixed);
  CHECK(none.locate(Box{10, 10, 30, 30}) == Where::mixed);
}
