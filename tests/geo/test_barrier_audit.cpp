// The audit's barrier rule (geo::audit_plan, rules barrier-crossed / barrier-through), one case
// per cause found on the real extracts (issue 12; docs/decisions/0008-polygon-truth.md "Barrier
// crossings"): a grid on both sides of a road that separates the land (broken), a road that ends
// inside the land or stops at a bridge (it runs through the grid but separates nothing: allowed,
// counted apart), buildings without households across a barrier (joined for coverage: allowed),
// and a road lying along the grid's edge a few centimetres inside it (no crossing). Coordinates
// in metres (a projected CRS).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "planner/geo/geos.hpp"
#include "planner/geo/plan_audit.hpp"
#include "tests/geo/geo_test_support.hpp"

namespace {

using namespace gp;

using test::square;

/// One community 200 × 100 m, two buildings of 60 households (20 m squares, one south and one
/// north of y = 50) in one large grid covering it all, and the lines the case adds.
struct Town {
  Dataset dataset;
  MultiPolygon grid_polygon = square(0, 0, 200, 100);
  std::vector<std::int32_t> members{0, 1};

  Town() {
    Community c;
    c.code = "320106001001";
    c.name = "华侨路社区";
    c.footprint = square(0, 0, 200, 100);
    dataset.communities.push_back(c);
    for (int i = 0; i < 2; ++i) {
      Building b;
      b.id = 10 + i;
      b.households = 60;
      b.community = 0;
      b.footprint = i == 0 ? square(90, 10, 110, 30) : square(90, 70, 110, 90);
      dataset.buildings.push_back(b);
    }
  }
  Line& road(LineString geometry, const std::string& cls = "primary") {
    Line l;
    l.kind = LineKind::road;
    l.cls = cls;
    l.name = "中山路";
    l.geometry = std::move(geometry);
    dataset.lines.push_back(l);
    return dataset.lines.back();
  }
  geo::PlanAudit audit() const {
    geo::AuditInput in;
    geo::AuditGrid g;
    g.level = GridLevel::large;
    g.code = "32010600100101";
    g.community = 0;
    g.polygon = &grid_polygon;
    g.buildings = &members;
    g.households = 120;
    in.large.push_back(g);
    in.building_large.assign(dataset.buildings.size(), 0);
    in.building_micro.assign(dataset.buildings.size(), kNone);
    geo::AuditParams params;
    params.large = {100, 500};
    params.hard_road_classes = {"primary"};
    params.check_community_coverage = false;
    Progress progress;
    return geo::audit_plan(dataset, in, params, progress);
  }
};

std::vector<geo::AuditFinding> of_rule(const geo::PlanAudit& audit, const std::string& rule) {
  std::vector<geo::AuditFinding> out;
  for (const geo::AuditFinding& f : audit.findings)
    if (f.rule == rule) out.push_back(f);
  return out;
}

std::string messages(const geo::PlanAudit& audit) {
  std::string text;
  for (const geo::AuditFinding& f : audit.findings) text += f.rule + ": " + f.message + "\n";
  return text;
}

}  // namespace

TEST_CASE("barrier audit: a road across the whole community separates the land: broken") {
  Town town;
  town.road({{-5, 50}, {205, 50}});
  const geo::PlanAudit audit = town.audit();
  INFO(messages(audit));
  const auto crossed = of_rule(audit, "barrier-crossed");
  REQUIRE(crossed.size() == 1);
  CHECK(crossed[0].severity == geo::AuditSeverity::broken);
  CHECK(crossed[0].message.find("中山路") != std::string::npos);
  CHECK(audit.counts.large_crossing_barrier == 1);
  CHECK(audit.counts.barriers_through == 0);
  CHECK(audit.large[0].barrier_crossings == 1);
  CHECK_FALSE(audit.large[0].crossing_allowed);
}

TEST_CASE("barrier audit: a road ending inside the grid does not cut it: no finding") {
  Town town;
  SECTION("a dead end: from the west edge to x = 150") {
    town.road({{-5, 50}, {150, 50}});
  }
  SECTION("a bridge inside the grid: the hard road stops on both banks") {
    town.road({{-5, 50}, {80, 50}});
    town.road({{80, 50}, {120, 50}}).bridge = true;
    town.road({{120, 50}, {205, 50}});
  }
  const geo::PlanAudit audit = town.audit();
  INFO(messages(audit));
  CHECK(of_rule(audit, "barrier-crossed").empty());
  CHECK(of_rule(audit, "barrier-through").empty());
  CHECK(audit.large[0].barrier_crossings == 0);
}

TEST_CASE("barrier audit: a road through the grid that ends beyond it: through, allowed") {
  // The grid is the middle 120 m of the community; the road cuts it in two, but the land joins
  // around the road's end outside the grid.
  Town town;
  town.grid_polygon = square(40, 0, 160, 100);
  SECTION("a dead end at x = 180, short of the community's east edge") {
    town.road({{-5, 50}, {180, 50}});
  }
  SECTION("a bridge east of the grid: the hard road stops on both banks") {
    town.road({{-5, 50}, {170, 50}});
    town.road({{170, 50}, {185, 50}}).bridge = true;
    town.road({{185, 50}, {205, 50}});
  }
  const geo::PlanAudit audit = town.audit();
  INFO(messages(audit));
  CHECK(of_rule(audit, "barrier-crossed").empty());
  const auto through = of_rule(audit, "barrier-through");
  REQUIRE(through.size() == 1);
  CHECK(through[0].severity == geo::AuditSeverity::allowed);
  CHECK(through[0].message.find("does not separate the land") != std::string::npos);
  CHECK(audit.counts.barriers_through == 1);
  CHECK(audit.counts.large_crossing_barrier == 0);
  CHECK(audit.large[0].barrier_crossings == 0);
  CHECK_FALSE(audit.large[0].crossing_allowed);
}

TEST_CASE("barrier audit: the same road across the whole community: broken") {
  Town town;
  town.grid_polygon = square(40, 0, 160, 100);
  town.road({{-5, 50}, {205, 50}});
  const geo::PlanAudit audit = town.audit();
  INFO(messages(audit));
  REQUIRE(of_rule(audit, "barrier-crossed").size() == 1);
  CHECK(audit.counts.large_crossing_barrier == 1);
  CHECK(audit.counts.barriers_through == 0);
}

TEST_CASE("barrier audit: buildings without households across a barrier: allowed") {
  Town town;
  town.road({{-5, 50}, {205, 50}});
  town.dataset.buildings[1].households = 0;  // a school north of the road, joined for coverage
  const geo::PlanAudit audit = town.audit();
  INFO(messages(audit));
  const auto crossed = of_rule(audit, "barrier-crossed");
  REQUIRE(crossed.size() == 1);
  CHECK(crossed[0].severity == geo::AuditSeverity::allowed);
  CHECK(crossed[0].message.find("no households") != std::string::npos);
  CHECK(audit.counts.large_crossing_barrier == 0);
  CHECK(audit.counts.crossings_allowed == 1);
}

TEST_CASE("barrier audit: a building standing across the road joins its sides: allowed") {
  // Monaco large grid …07: building 143683159 is mapped across the D 21 (14.7 m of the road
  // inside its footprint). Its point lies on one side, most of it on the other: the grid holding
  // it reaches both sides whatever the plan does.
  Town town;
  town.road({{-5, 50}, {205, 50}});
  SECTION("a fifth of the northern building south of the road: allowed") {
    town.dataset.buildings[1].footprint = square(90, 40, 110, 90);
    const geo::PlanAudit audit = town.audit();
    INFO(messages(audit));
    const auto crossed = of_rule(audit, "barrier-crossed");
    REQUIRE(crossed.size() == 1);
    CHECK(crossed[0].severity == geo::AuditSeverity::allowed);
    CHECK(crossed[0].message.find("building 11 stands across it") != std::string::npos);
    CHECK(audit.counts.large_crossing_barrier == 0);
    CHECK(audit.counts.crossings_allowed == 1);
  }
  SECTION("a footprint drawn a metre over the road's centre line: still broken") {
    town.dataset.buildings[1].footprint = square(90, 49, 110, 90);  // 20 m², 2 % of it
    const geo::PlanAudit audit = town.audit();
    INFO(messages(audit));
    const auto crossed = of_rule(audit, "barrier-crossed");
    REQUIRE(crossed.size() == 1);
    CHECK(crossed[0].severity == geo::AuditSeverity::broken);
    CHECK(audit.counts.large_crossing_barrier == 1);
  }
}

TEST_CASE("barrier audit: a road along the grid's edge within centimetres is no crossing") {
  Town town;
  // 2 cm inside the south edge, the full width: it cuts off a 4 m² strip holding no building.
  town.road({{-5, 0.02}, {205, 0.02}});
  // And one wavering across the east edge by ±3 cm (a WGS84 round trip of a shared edge).
  town.road({{200.03, -5}, {199.97, 30}, {200.03, 60}, {199.97, 105}});
  const geo::PlanAudit audit = town.audit();
  INFO(messages(audit));
  CHECK(of_rule(audit, "barrier-crossed").empty());
  CHECK(of_rule(audit, "barrier-through").empty());
  CHECK(audit.counts.large_crossing_barrier == 0);
}

// The figure does not depend on the last bits of the coordinates (issue 12 item 1: metrics.json
// audits the plan in memory, `gridplan check` the plan.gpkg read back from WGS84, and both must
// give the same figure). The town cut by a north–south primary road at x = 160 and an east–west
// one from the west edge to a T junction on it at (160, 50): three hard faces. The grid covers
// the west part, its east edge along the north–south road at x = `east` (drawn through the
// junction's vertex, as the tessellation draws it); a road ending at that edge must cut the grid
// whether the edge lies exactly on the road or nanometres off it.
namespace {
geo::PlanAudit audit_with_east_edge(double east) {
  Town town;
  town.grid_polygon = {Polygon{{{0, 0}, {east, 0}, {east, 50}, {east, 100}, {0, 100}, {0, 0}}, {}}};
  town.road({{160, -5}, {160, 105}});
  town.road({{-5, 50}, {160, 50}});
  return town.audit();
}
}  // namespace

TEST_CASE("audit precision: a road ending at the grid's edge cuts it, nanometres either way") {
  // 160 exactly (in memory), ± 1 nm (the WGS84 round trip), and 1 cm short of the edge or past
  // it (within the 5 cm tolerance): the same finding every time.
  for (double east : {160.0, 160.0 - 1e-9, 160.0 + 1e-9, 160.0 + 0.01, 160.0 - 0.01}) {
    INFO("east edge at x = " << east);
    const geo::PlanAudit audit = audit_with_east_edge(east);
    CHECK(audit.counts.large_crossing_barrier == 1);
    CHECK(audit.large[0].barrier_crossings == 1);
    CHECK(audit.counts.barriers_through == 0);
  }
}

TEST_CASE("audit precision: the same finding with the edge a metre either side of the road") {
  // x = 159: the east–west road crosses the grid's east edge. x = 161: the north–south road
  // runs 1 m inside the grid (a strip without buildings) and the east–west road ends on it.
  for (double east : {159.0, 161.0}) {
    INFO("east edge at x = " << east);
    const geo::PlanAudit audit = audit_with_east_edge(east);
    CHECK(audit.counts.large_crossing_barrier == 1);
    CHECK(audit.large[0].barrier_crossings == 1);
  }
}

// The barrier rule's first test (geo::line_inside_beyond, no GEOS): does a hard line pass through
// a grid's interior farther than the tolerance from its edges? Only grids it says yes for are cut
// with GEOS, so it must say yes wherever the GEOS measure of the same thing is not zero. Edge
// cases in WKT (metres), each compared with GEOS: the length of the line inside the grid less a
// buffer of the grid's boundary by the tolerance (32 segments a quarter circle: near exact).
namespace {
struct Case {
  const char* name;
  const char* polygon;
  const char* line;
  bool inside;  // the expected answer
};

geo::GeomPtr read_wkt(geo::GeosContext& ctx, const char* wkt) {
  GEOSWKTReader* reader = GEOSWKTReader_create_r(ctx.handle());
  GEOSGeometry* g = GEOSWKTReader_read_r(ctx.handle(), reader, wkt);
  GEOSWKTReader_destroy_r(ctx.handle(), reader);
  return geo::own(ctx, g, "reading WKT");
}

double geos_inside_beyond(geo::GeosContext& ctx, const GEOSGeometry* polygon,
                          const GEOSGeometry* line, double tolerance) {
  const GEOSContextHandle_t h = ctx.handle();
  geo::GeomPtr boundary = geo::own(ctx, GEOSBoundary_r(h, polygon), "boundary");
  geo::GeomPtr band = geo::own(ctx, GEOSBuffer_r(h, boundary.get(), tolerance, 32), "band");
  geo::GeomPtr core = geo::own(ctx, GEOSDifference_r(h, polygon, band.get()), "core");
  geo::GeomPtr part = geo::own(ctx, GEOSIntersection_r(h, line, core.get()), "part");
  double length = 0.0;
  GEOSLength_r(h, part.get(), &length);
  return length;
}
}  // namespace

TEST_CASE("barrier audit: a line through a grid beyond the tolerance, as GEOS measures it") {
  constexpr double kTolerance = 0.05;
  const char* square = "POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0))";
  const char* holed =
      "POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0), (40 40, 60 40, 60 60, 40 60, 40 40))";
  const Case cases[] = {
      {"along an edge, on it", square, "LINESTRING (-10 0, 110 0)", false},
      {"along an edge, 2 cm inside", square, "LINESTRING (-10 0.02, 110 0.02)", false},
      {"along an edge, 4.9 cm inside", square, "LINESTRING (-10 0.049, 110 0.049)", false},
      {"along an edge, 8 cm inside", square, "LINESTRING (-10 0.08, 110 0.08)", true},
      {"along an edge, split at other vertices", square,
       "LINESTRING (-10 0.01, 33.3 0.02, 66.7 -0.01, 110 0.03)", false},
      {"along two edges round a corner", square, "LINESTRING (50 0.03, 99.97 0.03, 99.97 50)",
       false},
      {"touching a vertex", square, "LINESTRING (-10 -10, 0 0, -10 10)", false},
      {"touching a vertex from inside by 3 cm", square, "LINESTRING (-10 -10, 0.03 0.03, -10 10)",
       false},
      {"crossing a corner by less than the tolerance", square,
       "LINESTRING (99.9 -10, 99.96 0.03, 110 0.1)", false},
      {"crossing a corner by more", square, "LINESTRING (90 -1, 101 10)", true},
      {"crossing well inside", square, "LINESTRING (-10 50, 110 50)", true},
      {"ending inside", square, "LINESTRING (-10 50, 30 50)", true},
      {"outside, 2 cm off the edge", square, "LINESTRING (-10 -0.02, 110 -0.02)", false},
      {"outside, far", square, "LINESTRING (-10 -10, 110 -10)", false},
      {"wavering across an edge by 3 cm", square,
       "LINESTRING (100.03 -5, 99.97 30, 100.03 60, 99.97 105)", false},
      {"through the hole only", holed, "LINESTRING (45 45, 55 55)", false},
      {"along the hole's edge", holed, "LINESTRING (40.02 30, 40.02 70)", true},
      {"on the hole's edge", holed, "LINESTRING (40 40, 60 40)", false},
      {"through the hole and beyond", holed, "LINESTRING (50 50, 50 80)", true},
  };
  geo::GeosContext ctx;
  for (const Case& c : cases) {
    INFO(c.name);
    geo::GeomPtr polygon = read_wkt(ctx, c.polygon);
    geo::GeomPtr line = read_wkt(ctx, c.line);
    const MultiPolygon shape = geo::to_multipolygon(ctx, polygon.get());
    const std::vector<LineString> lines = geo::to_lines(ctx, line.get());
    REQUIRE(lines.size() == 1);
    const bool ours = geo::line_inside_beyond(shape, {&lines[0]}, kTolerance);
    const double measured = geos_inside_beyond(ctx, polygon.get(), line.get(), kTolerance);
    INFO("GEOS: " << measured << " m inside beyond the tolerance");
    CHECK(ours == c.inside);
    CHECK(ours == (measured > 1e-6));
  }
}

// The barrier rule's second test (geo::points_joined_clear_of, no GEOS): are the grid's buildings
// joined by straight paths inside it, clear of the hard lines? It may say yes only where the GEOS
// cut of the rule (the grid minus the lines buffered by the tolerance, quadrant segments 2,
// pieces under 1 m² dropped) leaves the points in at most one piece. Edge cases in WKT (metres),
// each compared with that cut.
namespace {
struct SightCase {
  const char* name;
  const char* polygon;
  const char* line;
  std::vector<Point> points;
  bool joined;  // the expected answer
};

/// Pieces of the GEOS cut (as plan_audit.cpp's crossing) that hold one of `points` or more.
int geos_sides_holding(geo::GeosContext& ctx, const GEOSGeometry* polygon, const GEOSGeometry* line,
                       const std::vector<Point>& points, double tolerance) {
  const GEOSContextHandle_t h = ctx.handle();
  geo::GeomPtr strip = geo::own(ctx, GEOSBuffer_r(h, line, tolerance, 2), "strip");
  geo::GeomPtr cut = geo::own(ctx, GEOSDifference_r(h, polygon, strip.get()), "cut");
  const MultiPolygon pieces = geo::to_multipolygon(ctx, cut.get());
  std::vector<int> held(pieces.size(), 0);
  for (const Point& p : points) {
    geo::GeomPtr point = geo::to_geos(ctx, p);
    for (std::size_t s = 0; s < pieces.size(); ++s) {
      if (area(pieces[s]) < 1.0) continue;
      geo::GeomPtr piece = geo::to_geos(ctx, MultiPolygon{pieces[s]});
      if (GEOSIntersects_r(h, piece.get(), point.get()) == 1) {
        held[s] = 1;
        break;
      }
    }
  }
  int sides = 0;
  for (int x : held) sides += x;
  return sides;
}
}  // namespace

TEST_CASE("barrier audit: buildings joined clear of the lines, as the GEOS cut places them") {
  constexpr double kTolerance = 0.05;
  constexpr double kClear = 1.05 * kTolerance + 1e-3;  // as plan_audit.cpp asks it
  constexpr double kMargin = 1e-4;
  const char* square = "POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0))";
  const char* u_shape = "POLYGON ((0 0, 100 0, 100 100, 70 100, 70 30, 30 30, 30 100, 0 100, 0 0))";
  const char* two_pieces =
      "MULTIPOLYGON (((0 0, 40 0, 40 100, 0 100, 0 0)), ((60 0, 100 0, 100 100, 60 100, 60 0)))";
  const char* holed =
      "POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0), (40 40, 60 40, 60 60, 40 60, 40 40))";
  const std::vector<SightCase> cases = {
      {"a dead end, buildings either side",
       square,
       "LINESTRING (-10 50, 60 50)",
       {{20, 40}, {20, 60}, {80, 40}, {80, 60}},
       true},
      {"a line across, buildings either side",
       square,
       "LINESTRING (-10 50, 110 50)",
       {{20, 40}, {20, 60}},
       false},
      {"a line across, buildings on one side",
       square,
       "LINESTRING (-10 50, 110 50)",
       {{20, 40}, {80, 40}, {50, 10}},
       true},
      {"cutting off an empty corner",
       square,
       "LINESTRING (80 -10, 110 20)",
       {{20, 20}, {50, 50}, {80, 80}},
       true},
      {"a building in the strip",
       square,
       "LINESTRING (-10 50, 60 50)",
       {{20, 50.03}, {20, 60}},
       false},
      {"a building just clear of the strip",
       square,
       "LINESTRING (-10 50, 60 50)",
       {{20, 50.06}, {20, 60}, {20, 40}, {80, 45}, {80, 55}},
       true},
      {"a path passing a dead end at 5.2 cm",
       square,
       "LINESTRING (50 -10, 50 49.948)",
       {{10, 50}, {90, 50}},
       false},
      {"a path passing a dead end at 6 cm",
       square,
       "LINESTRING (50 -10, 50 49.94)",
       {{10, 50}, {90, 50}},
       true},
      {"a building outside the grid",
       square,
       "LINESTRING (-10 50, 110 50)",
       {{20, 40}, {20, 140}},
       true},
      {"a building on the grid's edge",
       square,
       "LINESTRING (-10 50, 60 50)",
       {{20, 40}, {0, 60}},
       false},
      {"a U with buildings in its arms only: not shown",
       u_shape,
       "LINESTRING (50 -10, 50 10)",
       {{15, 90}, {85, 90}},
       false},
      {"a U with a building at its foot",
       u_shape,
       "LINESTRING (50 -10, 50 10)",
       {{15, 90}, {85, 90}, {15, 20}, {85, 20}},
       true},
      {"a U cut at its foot",
       u_shape,
       "LINESTRING (50 -10, 50 40)",
       {{15, 90}, {85, 90}, {15, 20}, {85, 20}},
       false},
      {"two pieces", two_pieces, "LINESTRING (-10 50, 20 50)", {{20, 40}, {80, 40}}, false},
      {"around a hole",
       holed,
       "LINESTRING (50 -10, 50 20)",
       {{20, 20}, {80, 20}, {20, 80}, {80, 80}},
       true},
      {"a line from the edge to the hole",
       holed,
       "LINESTRING (50 -10, 50 45)",
       {{20, 20}, {80, 20}, {20, 80}, {80, 80}},
       true},
      {"a line from the edge to the hole and on",
       holed,
       "LINESTRING (50 -10, 50 45, 50 55, 50 110)",
       {{20, 20}, {80, 20}, {20, 80}, {80, 80}},
       false},
      {"one building", square, "LINESTRING (-10 50, 110 50)", {{20, 40}}, true},
  };
  geo::GeosContext ctx;
  for (const SightCase& c : cases) {
    INFO(c.name);
    geo::GeomPtr polygon = read_wkt(ctx, c.polygon);
    geo::GeomPtr line = read_wkt(ctx, c.line);
    const MultiPolygon shape = geo::to_multipolygon(ctx, polygon.get());
    const std::vector<LineString> lines = geo::to_lines(ctx, line.get());
    REQUIRE(lines.size() == 1);
    const bool ours = geo::points_joined_clear_of(shape, {&lines[0]}, c.points, kClear, kMargin);
    const int sides = geos_sides_holding(ctx, polygon.get(), line.get(), c.points, kTolerance);
    INFO("GEOS: " << sides << " side(s) hold the points");
    CHECK(ours == c.joined);
    if (ours) CHECK(sides <= 1);
  }
}
