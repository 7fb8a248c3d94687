// Site choice (planner/geo/tessellation_sites.cpp): the cheap exact test of whether two
// footprints' interiors meet agrees with GEOS's relate wherever it answers, on real footprints
// (the Nanjing OSM extract in ../shared/data, skipped when absent) and on constructed cases; an
// outlined building's sites keep their spacing on a curved wall and on the extract's footprints.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "osm_xml_ways.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/spatial_index.hpp"
#include "planner/geo/tessellation.hpp"
#include "planner/geo/tessellation_sites.hpp"

namespace {

using gp::geo::GeomPtr;
using gp::geo::GeosContext;
using gp::geo::detail::footprint_interiors_meet;

gp::Polygon rect(double x0, double y0, double x1, double y1) {
  return {{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}};
}

/// GEOS's answer: 1 when the interiors meet ("T********"), else 0.
int geos_interiors_meet(GeosContext& ctx, const gp::MultiPolygon& a, const gp::MultiPolygon& b) {
  GeomPtr ga = gp::geo::to_geos(ctx, a);
  GeomPtr gb = gp::geo::to_geos(ctx, b);
  const char r = GEOSRelatePattern_r(ctx.handle(), ga.get(), gb.get(), "T********");
  REQUIRE(r != 2);
  return r;
}

/// The valid building footprints of the Nanjing OSM extract, in metres (osm_xml_ways.hpp); empty,
/// with a warning, when ../shared/data is absent.
std::vector<gp::MultiPolygon> nanjing_footprints() {
  const std::string path = std::string(GRIDPLAN_SHARED_DATA_DIR) + "/osm/nanjing-xinjiekou.osm";
  if (!std::ifstream(path)) {
    WARN("skipped: " << path << " is absent (real OSM extracts live in ../shared/data)");
    return {};
  }
  std::vector<gp::MultiPolygon> footprints = gp::test::read_osm_xml(path).buildings;
  REQUIRE(footprints.size() > 1000);
  return footprints;
}

}  // namespace

TEST_CASE("sites: the cheap interiors test agrees with GEOS on constructed footprints",
          "[tessellation][sites]") {
  GeosContext ctx;
  const double x = 500000.0;
  const double y = 3500000.0;
  const gp::MultiPolygon square{rect(x, y, x + 10, y + 10)};
  struct Case {
    const char* what;
    gp::MultiPolygon a;
    gp::MultiPolygon b;
    int expected;  // 1 meet, 0 apart, -1 left to GEOS
  };
  auto polygon = [](std::initializer_list<gp::Point> ring) { return gp::MultiPolygon{{ring, {}}}; };
  gp::Polygon with_hole = rect(x - 5, y - 5, x + 15, y + 15);
  with_hole.holes.push_back(
      {{x - 1, y - 1}, {x - 1, y + 11}, {x + 11, y + 11}, {x + 11, y - 1}, {x - 1, y - 1}});
  const gp::MultiPolygon lower = polygon({{x, y}, {x + 10, y}, {x, y + 10}, {x, y}});
  const gp::MultiPolygon upper = polygon({{x + 10, y}, {x + 10, y + 10}, {x, y + 10}, {x + 10, y}});
  const std::vector<Case> cases{
      {"shared wall (boxes meet in a line)", square, {rect(x + 10, y, x + 20, y + 10)}, 0},
      {"apart, boxes overlapping", square,
       polygon({{x + 9, y + 30}, {x + 30, y + 9}, {x + 30, y + 30}, {x + 9, y + 30}}), 0},
      {"crossing edges", square, {rect(x + 5, y + 5, x + 15, y + 15)}, 1},
      {"nested", square, {rect(x + 2, y + 2, x + 4, y + 4)}, 1},
      {"around", square, {rect(x - 2, y - 2, x + 14, y + 14)}, 1},
      {"in the hole of a ring", square, {with_hole}, 0},
      {"halves of a square, touching along the diagonal", lower, upper, -1},
      {"a half on the square", lower, square, -1},
      {"identical", square, square, -1},
  };
  for (const Case& k : cases) {
    INFO(k.what);
    const int quick = footprint_interiors_meet(k.a, k.b);
    CHECK(quick == k.expected);
    CHECK(footprint_interiors_meet(k.b, k.a) == quick);
    if (quick >= 0) CHECK(quick == geos_interiors_meet(ctx, k.a, k.b));
  }
}

TEST_CASE("sites: the cheap interiors test agrees with GEOS on real footprints",
          "[tessellation][sites][realdata]") {
  const std::vector<gp::MultiPolygon> footprints = nanjing_footprints();
  if (footprints.empty()) return;
  // Every pair whose boxes meet, as choose_block_sites asks (footprint_boxes.intersecting).
  std::vector<gp::Box> boxes;
  for (const gp::MultiPolygon& f : footprints) boxes.push_back(gp::bounds(f));
  const gp::geo::BoxIndex index(boxes);
  GeosContext ctx;
  std::size_t pairs = 0;
  std::size_t settled = 0;
  std::size_t meeting = 0;
  std::vector<std::int32_t> hits;
  for (std::size_t i = 0; i < footprints.size(); ++i) {
    index.intersecting(boxes[i], hits);
    for (const std::int32_t j : hits) {
      if (std::size_t(j) <= i) continue;
      ++pairs;
      const int quick = footprint_interiors_meet(footprints[i], footprints[std::size_t(j)]);
      const int exact = geos_interiors_meet(ctx, footprints[i], footprints[std::size_t(j)]);
      meeting += std::size_t(exact);
      if (quick < 0) continue;
      ++settled;
      INFO("footprints " << i << " and " << j);
      CHECK(quick == exact);
    }
  }
  INFO(pairs << " pairs with meeting boxes, " << settled << " settled without GEOS, " << meeting
             << " with meeting interiors");
  REQUIRE(pairs > 500);
  // Most pairs are settled by the cheap tests (the point of them); GEOS is left the touching ones.
  CHECK(double(settled) >= 0.6 * double(pairs));
}

namespace {

/// Checks outline_sites on one footprint (one ring, no holes): every site on the ring, each at
/// least half the spacing from the one before, every vertex within half the spacing of a site.
/// Returns the number of sites.
std::size_t check_outline_sites(const gp::MultiPolygon& footprint,
                                const gp::geo::TessellationParams& params) {
  using gp::geo::detail::kSiteGridM;
  std::vector<gp::geo::detail::Site> sites;
  gp::geo::detail::outline_sites(footprint, params, 7, sites);
  const gp::Ring& ring = footprint.front().outer;
  const double spacing = std::max(params.outline_site_spacing_m,
                                  gp::perimeter(footprint) / double(params.outline_sites_max));
  const double grid = 2.0 * kSiteGridM;  // sites are on the site grid: each ordinate moves ≤ ½ step
  REQUIRE(!sites.empty());
  for (std::size_t k = 0; k < sites.size(); ++k) {
    CHECK(sites[k].building == 7);
    double on_ring = INFINITY;
    for (std::size_t v = 0; v + 1 < ring.size(); ++v)
      on_ring = std::min(on_ring, gp::distance_to_segment(sites[k].p, ring[v], ring[v + 1]));
    CHECK(on_ring <= grid);
    if (k > 0) {
      const double gap =
          std::hypot(sites[k].p.x - sites[k - 1].p.x, sites[k].p.y - sites[k - 1].p.y);
      CHECK(gap >= 0.5 * spacing - grid);
    }
  }
  for (const gp::Point& vertex : ring) {
    double nearest = INFINITY;
    for (const gp::geo::detail::Site& s : sites)
      nearest = std::min(nearest, std::hypot(s.p.x - vertex.x, s.p.y - vertex.y));
    CHECK(nearest <= 0.5 * spacing + grid);
  }
  return sites.size();
}

}  // namespace

TEST_CASE("sites: an outline's sites keep their spacing, on a curved wall and on real footprints",
          "[tessellation][sites][realdata]") {
  const gp::geo::TessellationParams params;
  SECTION("a round building of 720 vertices 26 cm apart gets about outline_sites_max sites") {
    // Every vertex was a site (720, and the diagram's edges between them and the neighbours'
    // sites) before round 19; the outline's cell is the same shape within the spacing.
    const double x = 500000.0;
    const double y = 3500000.0;
    gp::Ring ring;
    for (int k = 0; k < 720; ++k) {
      const double a = 2.0 * std::numbers::pi * double(k) / 720.0;
      ring.push_back({x + 30.0 * std::cos(a), y + 30.0 * std::sin(a)});
    }
    ring.push_back(ring.front());
    const std::size_t sites = check_outline_sites({{ring, {}}}, params);
    CHECK(sites >= std::size_t(params.outline_sites_max));
    CHECK(sites <= 2 * std::size_t(params.outline_sites_max) + 1);
  }
  SECTION("the Nanjing extract's footprints") {
    const std::vector<gp::MultiPolygon> footprints = nanjing_footprints();
    if (footprints.empty()) return;
    std::size_t sites = 0;
    std::size_t vertices = 0;
    for (const gp::MultiPolygon& f : footprints) {
      if (f.size() != 1 || !f.front().holes.empty()) continue;
      sites += check_outline_sites(f, params);
      vertices += f.front().outer.size() - 1;
    }
    INFO(sites << " sites for " << vertices << " vertices");
    CHECK(sites > 0);
  }
}

TEST_CASE("sites: outline sites on a wall shared with a neighbour are dropped, the others kept",
          "[tessellation][sites]") {
  using gp::geo::detail::Site;
  const gp::geo::TessellationParams params;
  const double x = 500000.0;
  const double y = 3500000.0;
  // A terrace of three 12 × 9 m houses sharing walls at x + 12 and x + 24, and a house 5 cm off
  // the end of it (its wall not shared: kept).
  const std::vector<gp::MultiPolygon> footprints{{rect(x, y, x + 12, y + 9)},
                                                 {rect(x + 12, y, x + 24, y + 9)},
                                                 {rect(x + 24, y, x + 36, y + 9)},
                                                 {rect(x + 36.05, y, x + 48, y + 9)}};
  const std::vector<std::int32_t> members{0, 1, 2, 3};
  std::vector<gp::Box> boxes;
  for (const gp::MultiPolygon& f : footprints) boxes.push_back(gp::bounds(f));
  const gp::geo::BoxIndex index(boxes);
  const std::function<const gp::MultiPolygon&(std::int32_t)> footprint_of =
      [&](std::int32_t b) -> const gp::MultiPolygon& { return footprints[std::size_t(b)]; };
  std::vector<std::int32_t> near;
  auto sites_of = [&](std::int32_t building) {
    std::vector<Site> sites{{{x - 100, y - 100}, 9}};  // another building's, left alone
    gp::geo::detail::outline_sites(footprints[std::size_t(building)], params, building, sites);
    const std::size_t all = sites.size() - 1;
    gp::geo::detail::drop_sites_on_other_outlines(sites, 1, members, index, footprint_of, near);
    REQUIRE(sites.front().building == 9);
    return std::make_pair(all, std::vector<Site>(sites.begin() + 1, sites.end()));
  };
  auto on_wall = [&](const Site& s, double wall_x) { return std::abs(s.p.x - wall_x) < 1e-6; };
  SECTION("the middle house keeps its street fronts, not its two party walls") {
    const auto [all, kept] = sites_of(1);
    CHECK(kept.size() < all);
    for (const Site& s : kept) {
      CHECK(s.building == 1);
      CHECK_FALSE(on_wall(s, x + 12));
      CHECK_FALSE(on_wall(s, x + 24));
    }
    // Both fronts (y and y + 9) keep their sites between the walls.
    CHECK(std::any_of(kept.begin(), kept.end(), [&](const Site& s) { return s.p.y == y; }));
    CHECK(std::any_of(kept.begin(), kept.end(), [&](const Site& s) { return s.p.y == y + 9; }));
  }
  SECTION("an end house 5 cm from the next one keeps its sites on that wall") {
    const auto [all, kept] = sites_of(3);
    CHECK(kept.size() == all);
  }
  SECTION("a house whose every site is on walls shared with others keeps its first") {
    const std::vector<gp::MultiPolygon> walls{{rect(x, y, x + 12, y + 9)}};
    std::vector<Site> sites;
    gp::geo::detail::outline_sites(walls.front(), params, 0, sites);
    const Site first = sites.front();
    // The house itself listed under another index: every site lies on "another" outline.
    const std::vector<std::int32_t> twin{0, 1};
    const std::vector<gp::Box> twin_boxes{gp::bounds(walls.front()), gp::bounds(walls.front())};
    const gp::geo::BoxIndex twin_index(twin_boxes);
    const std::function<const gp::MultiPolygon&(std::int32_t)> same =
        [&](std::int32_t) -> const gp::MultiPolygon& { return walls.front(); };
    gp::geo::detail::drop_sites_on_other_outlines(sites, 0, twin, twin_index, same, near);
    REQUIRE(sites.size() == 1);
    CHECK(sites.front().p == first.p);
  }
}
