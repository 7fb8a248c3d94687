// The plan audit by geometry (geo::audit_plan through evaluation::audit_plan) on hand-drawn plans
// written in WKT: each rule broken on its own, reported with its grid code and location, and a
// clean plan reporting nothing. Coordinates in metres (a projected CRS).

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "planner/evaluation/evaluation.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/plan_audit.hpp"
#include "planner/report/kpi.hpp"

using namespace gp;

namespace {

/// A polygon or multipolygon from WKT, through GEOS's reader.
MultiPolygon wkt(const char* text) {
  geo::GeosContext ctx;
  GEOSWKTReader* reader = GEOSWKTReader_create_r(ctx.handle());
  GEOSGeometry* g = GEOSWKTReader_read_r(ctx.handle(), reader, text);
  GEOSWKTReader_destroy_r(ctx.handle(), reader);
  const geo::GeomPtr owned = geo::own(ctx, g, "WKT");
  return geo::to_multipolygon(ctx, owned.get());
}

LineString line(std::initializer_list<Point> points) {
  return LineString(points);
}

/// A hand-drawn town: one community 400 × 200 m, eight buildings of 50 households (two rows of
/// four, 40 m squares at x = 20, 120, 220, 320 and y = 20, 120), a primary road along x = 200 (on
/// the boundary between the large grids: no crossing). The plan: large grids west / east of
/// x = 200, each with a south and a north micro grid (y < 100 / y > 100): 200 households per
/// large grid, 100 per micro grid.
struct HandDrawn {
  Dataset dataset;
  Plan plan;
  PartitionParams params;

  HandDrawn() {
    Community c;
    c.code = "140221100001";
    c.name = "西城社区";
    c.source = {"communities.gpkg", "社区", 1};
    c.footprint = wkt("POLYGON((0 0,400 0,400 200,0 200,0 0))");
    dataset.communities.push_back(c);
    for (int i = 0; i < 8; ++i) {
      Building b;
      b.id = 100 + i;
      b.households = 50;
      const double x = 20 + (i % 4) * 100, y = 20 + (i / 4) * 100;
      b.footprint = {Polygon{{{x, y}, {x + 40, y}, {x + 40, y + 40}, {x, y + 40}, {x, y}}, {}}};
      b.community = 0;
      dataset.buildings.push_back(b);
    }
    Line road;
    road.kind = LineKind::road;
    road.cls = "primary";
    road.name = "府前大街";
    road.geometry = line({{200, -10}, {200, 210}});
    dataset.lines.push_back(road);
    params.large = {150, 250, 200};
    params.micro = {50, 150, 100};
    grid(GridLevel::large, "14022110000101", "POLYGON((0 0,200 0,200 200,0 200,0 0))");
    grid(GridLevel::large, "14022110000102", "POLYGON((200 0,400 0,400 200,200 200,200 0))");
    grid(GridLevel::micro, "1402211000010101", "POLYGON((0 0,200 0,200 100,0 100,0 0))", 0);
    grid(GridLevel::micro, "1402211000010102", "POLYGON((0 100,200 100,200 200,0 200,0 100))", 0);
    grid(GridLevel::micro, "1402211000010201", "POLYGON((200 0,400 0,400 100,200 100,200 0))", 1);
    grid(GridLevel::micro, "1402211000010202", "POLYGON((200 100,400 100,400 200,200 200,200 100))",
         1);
    assign_by_position();
  }

  void grid(GridLevel level, const std::string& code, const char* polygon,
            std::int32_t parent = kNone) {
    Grid g;
    g.level = level;
    g.code = code;
    g.community = 0;
    g.parent = parent;
    g.polygon = wkt(polygon);
    (level == GridLevel::large ? plan.large_grids : plan.micro_grids).push_back(std::move(g));
  }

  Grid& large(int i) { return plan.large_grids[static_cast<std::size_t>(i)]; }
  Grid& micro(int i) { return plan.micro_grids[static_cast<std::size_t>(i)]; }

  /// Building → grid by the position the hand-drawn plan means (not by the polygons, which the
  /// sections below bend): west/east of x = 200, south/north of y = 100.
  void assign_by_position() {
    plan.building_large.assign(8, kNone);
    plan.building_micro.assign(8, kNone);
    for (Grid& g : plan.large_grids) g.buildings.clear();
    for (Grid& g : plan.micro_grids) g.buildings.clear();
    for (int b = 0; b < 8; ++b) {
      const Point p = centroid(dataset.buildings[static_cast<std::size_t>(b)].footprint);
      const int l = p.x < 200 ? 0 : 1, m = l * 2 + (p.y < 100 ? 0 : 1);
      move(b, l, m);
    }
  }
  void move(int b, int l, int m) {
    const auto i = static_cast<std::size_t>(b);
    for (Grid& g : plan.large_grids) std::erase(g.buildings, b);
    for (Grid& g : plan.micro_grids) std::erase(g.buildings, b);
    plan.building_large[i] = l;
    plan.building_micro[i] = m;
    large(l).buildings.push_back(b);
    micro(m).buildings.push_back(b);
    std::sort(large(l).buildings.begin(), large(l).buildings.end());
    std::sort(micro(m).buildings.begin(), micro(m).buildings.end());
  }
  void compound(const std::string& ref, std::initializer_list<int> buildings) {
    Compound c;
    c.ref = ref;
    c.name = "小区" + ref;
    c.community = 0;
    Box box;
    for (int b : buildings)
      box.expand(bounds(dataset.buildings[static_cast<std::size_t>(b)].footprint));
    c.footprint = {Polygon{{{box.min_x, box.min_y},
                            {box.max_x, box.min_y},
                            {box.max_x, box.max_y},
                            {box.min_x, box.max_y},
                            {box.min_x, box.min_y}},
                           {}}};
    for (int b : buildings)
      dataset.buildings[static_cast<std::size_t>(b)].compound =
          static_cast<std::int32_t>(dataset.compounds.size());
    dataset.compounds.push_back(c);
  }

  geo::PlanAudit audit() { return evaluation::fill_plan_metrics(dataset, plan, params); }
};

std::vector<geo::AuditFinding> of_rule(const geo::PlanAudit& audit, const std::string& rule) {
  std::vector<geo::AuditFinding> out;
  for (const geo::AuditFinding& f : audit.findings)
    if (f.rule == rule) out.push_back(f);
  return out;
}

std::string all_messages(const geo::PlanAudit& audit) {
  std::string text;
  for (const geo::AuditFinding& f : audit.findings) text += f.rule + ": " + f.message + "\n";
  return text;
}

}  // namespace

TEST_CASE("plan audit: a clean hand-drawn plan reports nothing") {
  HandDrawn town;
  const geo::PlanAudit audit = town.audit();
  INFO(all_messages(audit));
  CHECK(audit.findings.empty());
  CHECK(audit.holds());
  CHECK(town.plan.metrics.discontiguous == 0);
  CHECK(town.plan.metrics.barrier_crossings == 0);
  CHECK(town.plan.metrics.compound_splits == 0);
  CHECK(town.plan.metrics.buildings_outside == 0);
  CHECK(town.plan.metrics.coverage_gap_m2 == Approx(0.0).margin(1e-6));
  CHECK(town.plan.metrics.coverage_overlap_m2 == Approx(0.0).margin(1e-6));
  CHECK(town.plan.metrics.households == 400);
}

TEST_CASE("plan audit: a grid in two pieces, and one with a crumb") {
  HandDrawn town;
  SECTION("second piece of 400 m²: in pieces, at the second piece") {
    // The west grid (and its north micro grid) also holds a 20 × 20 m square in the east
    // grid's north-east corner, which the east grids leave out: no gap, no overlap.
    town.large(0).polygon =
        wkt("MULTIPOLYGON(((0 0,200 0,200 200,0 200,0 0)),((380 180,400 180,400 200,380 200,380 "
            "180)))");
    town.micro(1).polygon = wkt(
        "MULTIPOLYGON(((0 100,200 100,200 200,0 200,0 100)),((380 180,400 180,400 200,380 200,380 "
        "180)))");
    town.large(1).polygon = wkt("POLYGON((200 0,400 0,400 180,380 180,380 200,200 200,200 0))");
    town.micro(3).polygon =
        wkt("POLYGON((200 100,400 100,400 180,380 180,380 200,200 200,200 100))");
    const geo::PlanAudit audit = town.audit();
    INFO(all_messages(audit));
    const auto pieces = of_rule(audit, "grid-in-pieces");
    REQUIRE(pieces.size() == 2);
    CHECK(pieces[0].grid == "14022110000101");
    CHECK(pieces[0].level == GridLevel::large);
    CHECK(pieces[0].where.x == Approx(390));
    CHECK(pieces[0].where.y == Approx(190));
    CHECK(pieces[1].grid == "1402211000010102");
    CHECK(audit.counts.large_in_pieces == 1);
    CHECK(audit.counts.micro_in_pieces == 1);
    CHECK(town.plan.metrics.discontiguous == 2);
    CHECK_FALSE(town.large(0).metrics.contiguous);
    CHECK(town.large(1).metrics.contiguous);
    CHECK(of_rule(audit, "coverage-gap").empty());
    CHECK(of_rule(audit, "coverage-overlap").empty());
    CHECK_FALSE(audit.holds());
    // The KPIs (metrics.json) carry the same figure.
    const report::PlanKpis kpis =
        report::compute_kpis("t", town.dataset, town.plan, nullptr, ProblemReporter{}, false);
    CHECK(kpis.discontiguous == 2);
  }
  SECTION("a 5 × 5 m crumb: crumbs, not pieces") {
    town.large(0).polygon =
        wkt("MULTIPOLYGON(((0 0,200 0,200 200,0 200,0 0)),((395 195,400 195,400 200,395 200,395 "
            "195)))");
    town.large(1).polygon = wkt("POLYGON((200 0,400 0,400 195,395 195,395 200,200 200,200 0))");
    town.micro(3).polygon =
        wkt("POLYGON((200 100,400 100,400 195,395 195,395 200,200 200,200 100))");
    const geo::PlanAudit audit = town.audit();
    INFO(all_messages(audit));
    CHECK(of_rule(audit, "grid-in-pieces").empty());
    const auto crumbs = of_rule(audit, "grid-crumbs");
    REQUIRE(crumbs.size() == 1);
    CHECK(crumbs[0].grid == "14022110000101");
    CHECK(crumbs[0].value == Approx(25.0));
    CHECK(town.plan.metrics.grids_with_crumbs == 1);
    CHECK(town.plan.metrics.discontiguous == 0);
  }
}

TEST_CASE("plan audit: a grid across a river, and across a hard road inside a compound") {
  HandDrawn town;
  Line river;
  river.kind = LineKind::river;
  river.cls = "river";
  river.name = "御河";
  river.source = {"rivers.shp", "河流", 7};
  river.geometry = line({{-10, 100}, {410, 100}});  // between the rows: both large grids span it
  town.dataset.lines.push_back(river);
  SECTION("both large grids lie on both sides; the micro grids (south / north) do not") {
    const geo::PlanAudit audit = town.audit();
    INFO(all_messages(audit));
    const auto crossed = of_rule(audit, "barrier-crossed");
    REQUIRE(crossed.size() == 2);
    CHECK(crossed[0].grid == "14022110000101");
    CHECK(crossed[1].grid == "14022110000102");
    CHECK(crossed[0].severity == geo::AuditSeverity::broken);
    CHECK(crossed[0].where.y == Approx(100.0));
    CHECK(crossed[0].message.find("御河") != std::string::npos);
    CHECK(audit.counts.large_crossing_barrier == 2);
    CHECK(audit.counts.micro_crossing_barrier == 0);
    CHECK(town.plan.metrics.barrier_crossings == 2);
    CHECK(town.large(0).metrics.barrier_crossings == 1);
  }
  SECTION("a compound spanning the river joins the sides: allowed, not counted") {
    town.compound("01", {0, 4});  // west column: one building south, one north of the river
    const geo::PlanAudit audit = town.audit();
    INFO(all_messages(audit));
    const auto crossed = of_rule(audit, "barrier-crossed");
    REQUIRE(crossed.size() == 2);
    CHECK(crossed[0].severity == geo::AuditSeverity::allowed);
    CHECK(crossed[1].severity == geo::AuditSeverity::broken);
    CHECK(town.plan.metrics.barrier_crossings == 1);
    CHECK(audit.counts.crossings_allowed == 1);
  }
  SECTION("a bridge does not cut, a soft road does not count") {
    town.dataset.lines.back().bridge = true;
    Line street;
    street.kind = LineKind::road;
    street.cls = "residential";
    street.geometry = line({{-10, 100}, {410, 100}});
    town.dataset.lines.push_back(street);
    const geo::PlanAudit audit = town.audit();
    INFO(all_messages(audit));
    CHECK(of_rule(audit, "barrier-crossed").empty());
  }
}

TEST_CASE("plan audit: a compound split between large grids") {
  HandDrawn town;
  town.compound("02", {1, 2});  // x = 120 (west) and x = 220 (east): 100 households
  SECTION("it fits in one large grid: broken") {
    const geo::PlanAudit audit = town.audit();
    INFO(all_messages(audit));
    const auto split = of_rule(audit, "compound-split");
    REQUIRE(split.size() == 1);
    CHECK(split[0].severity == geo::AuditSeverity::broken);
    CHECK(split[0].compound == 0);
    CHECK(split[0].message.find("14022110000101, 14022110000102") != std::string::npos);
    CHECK(town.plan.metrics.compound_splits == 1);
    CHECK(town.large(0).metrics.compound_splits == 1);
  }
  SECTION("it holds more than the large-grid maximum: allowed, said which") {
    for (int b : {1, 2}) town.dataset.buildings[static_cast<std::size_t>(b)].households = 200;
    town.params.large = {150, 350, 250};
    const geo::PlanAudit audit = town.audit();
    INFO(all_messages(audit));
    const auto split = of_rule(audit, "compound-split");
    REQUIRE(split.size() == 1);
    CHECK(split[0].severity == geo::AuditSeverity::allowed);
    CHECK(split[0].message.find("allowed") != std::string::npos);
    CHECK(audit.counts.compound_splits_allowed == 1);
    CHECK(town.plan.metrics.compound_splits == 1);
  }
  SECTION("a community boundary divides it, one grid on each side: allowed, said why") {
    // Two communities west and east of x = 200, as a bureau's 社区 layer cuts a compound.
    Community east = town.dataset.communities[0];
    east.code = "140221100002";
    east.name = "东城社区";
    east.footprint = wkt("POLYGON((200 0,400 0,400 200,200 200,200 0))");
    town.dataset.communities[0].footprint = wkt("POLYGON((0 0,200 0,200 200,0 200,0 0))");
    town.dataset.communities.push_back(east);
    for (Building& b : town.dataset.buildings)
      if (centroid(b.footprint).x > 200) b.community = 1;
    town.large(1).community = 1;
    town.micro(2).community = 1;
    town.micro(3).community = 1;
    const geo::PlanAudit audit = town.audit();
    INFO(all_messages(audit));
    const auto split = of_rule(audit, "compound-split");
    REQUIRE(split.size() == 1);
    CHECK(split[0].severity == geo::AuditSeverity::allowed);
    CHECK(split[0].message.find("2 communities") != std::string::npos);
    CHECK(audit.counts.compound_splits_allowed == 1);
  }
}

TEST_CASE("plan audit: a building outside its micro grid, and one in no grid") {
  HandDrawn town;
  town.move(0, 0, 1);  // building 100 (south-west) listed by the north-west micro grid
  town.dataset.buildings[7].households = 30;
  for (Grid& g : town.plan.large_grids) std::erase(g.buildings, 7);
  for (Grid& g : town.plan.micro_grids) std::erase(g.buildings, 7);
  town.plan.building_large[7] = town.plan.building_micro[7] = kNone;
  const geo::PlanAudit audit = town.audit();
  INFO(all_messages(audit));
  const auto outside = of_rule(audit, "building-outside-grid");
  REQUIRE(outside.size() == 1);
  CHECK(outside[0].grid == "1402211000010102");
  CHECK(outside[0].building == 0);
  CHECK(outside[0].value == Approx(60.0));  // representative point at y = 40, the grid from 100
  CHECK(outside[0].where.y == Approx(40.0));
  CHECK(town.plan.metrics.buildings_outside == 1);
  const auto unassigned = of_rule(audit, "building-unassigned");
  REQUIRE(unassigned.size() == 1);
  CHECK(unassigned[0].building == 7);
}

TEST_CASE("plan audit: a coverage gap and an overlap, located") {
  HandDrawn town;
  SECTION("gap: the east grids stop 20 m short of the community's north edge") {
    town.large(1).polygon = wkt("POLYGON((200 0,400 0,400 180,200 180,200 0))");
    town.micro(3).polygon = wkt("POLYGON((200 100,400 100,400 180,200 180,200 100))");
    const geo::PlanAudit audit = town.audit();
    INFO(all_messages(audit));
    const auto gaps = of_rule(audit, "coverage-gap");
    REQUIRE(gaps.size() == 1);
    CHECK(gaps[0].grid == "140221100001");
    CHECK(gaps[0].value == Approx(4000.0));
    CHECK(gaps[0].where.y > 180.0);
    CHECK(gaps[0].where.x > 200.0);
    CHECK(town.plan.metrics.coverage_gap_m2 == Approx(4000.0));
  }
  SECTION("overlap: the west grid reaches 20 m into the east one") {
    town.large(0).polygon = wkt("POLYGON((0 0,220 0,220 200,0 200,0 0))");
    const geo::PlanAudit audit = town.audit();
    INFO(all_messages(audit));
    const auto overlaps = of_rule(audit, "coverage-overlap");
    REQUIRE(overlaps.size() == 1);
    CHECK(overlaps[0].grid == "14022110000101");
    CHECK(overlaps[0].other_grid == "14022110000102");
    CHECK(overlaps[0].value == Approx(4000.0));
    CHECK(overlaps[0].where.x > 200.0);
    CHECK(overlaps[0].where.x < 220.0);
    CHECK(town.plan.metrics.coverage_overlap_m2 == Approx(4000.0));
    // The west micro grids no longer fill their large grid: a gap inside it.
    CHECK(of_rule(audit, "coverage-gap").size() == 1);
  }
}

TEST_CASE("plan audit: large grids reaching outside their community") {
  HandDrawn town;
  SECTION("the east grids reach 30 m past the community's east edge") {
    town.large(1).polygon = wkt("POLYGON((200 0,430 0,430 200,200 200,200 0))");
    const geo::PlanAudit audit = town.audit();
    INFO(all_messages(audit));
    const auto outside = of_rule(audit, "coverage-outside");
    REQUIRE(outside.size() == 1);
    CHECK(outside[0].grid == "140221100001");
    CHECK(outside[0].value == Approx(6000.0));
    CHECK(outside[0].where.x > 400.0);
    CHECK(of_rule(audit, "coverage-gap").size() == 1);  // the micro grids leave the rest bare
  }
  SECTION("out by 30 m and short of the north edge by 20 m at once") {
    // The reach outside is what the union holds beyond the community's area and its gap:
    // 81,400 − 80,000 + 4,000 m².
    town.large(1).polygon = wkt("POLYGON((200 0,430 0,430 180,200 180,200 0))");
    const geo::PlanAudit audit = town.audit();
    INFO(all_messages(audit));
    const auto outside = of_rule(audit, "coverage-outside");
    REQUIRE(outside.size() == 1);
    CHECK(outside[0].value == Approx(5400.0));
    const auto gaps = of_rule(audit, "coverage-gap");
    REQUIRE_FALSE(gaps.empty());
    CHECK(gaps[0].grid == "140221100001");
    CHECK(gaps[0].value == Approx(4000.0));
  }
  SECTION("within the community by a millimetre: nothing reported") {
    town.large(1).polygon = wkt("POLYGON((200 0,399.999 0,399.999 200,200 200,200 0))");
    const geo::PlanAudit audit = town.audit();
    INFO(all_messages(audit));
    CHECK(of_rule(audit, "coverage-outside").empty());
  }
}

TEST_CASE("plan audit: a micro grid sticking out of its large grid") {
  HandDrawn town;
  town.micro(1).polygon = wkt("POLYGON((0 100,250 100,250 200,0 200,0 100))");
  const geo::PlanAudit audit = town.audit();
  INFO(all_messages(audit));
  const auto nested = of_rule(audit, "micro-not-nested");
  REQUIRE(nested.size() == 1);
  CHECK(nested[0].grid == "1402211000010102");
  CHECK(nested[0].value == Approx(5000.0).epsilon(0.01));
  CHECK(nested[0].where.x > 200.0);
  CHECK(town.plan.metrics.micro_not_nested == 1);
}

TEST_CASE("plan audit: a grid without a polygon") {
  HandDrawn town;
  town.micro(3).polygon.clear();
  const geo::PlanAudit audit = town.audit();
  INFO(all_messages(audit));
  const auto none = of_rule(audit, "grid-without-polygon");
  REQUIRE(none.size() == 1);
  CHECK(none[0].grid == "1402211000010202");
  CHECK(none[0].where.y == Approx(140.0));  // shown at its buildings
  CHECK(town.plan.metrics.grids_without_polygon == 1);
  // Its buildings have no polygon to lie in, and the large grid is left with a gap.
  CHECK(of_rule(audit, "building-outside-grid").size() == 2);
  CHECK(of_rule(audit, "coverage-gap").size() == 1);
}

TEST_CASE("plan audit: households outside the bounds, with and without a recorded reason") {
  HandDrawn town;
  town.params.large = {250, 400, 300};
  SECTION("no reason: broken") {
    const geo::PlanAudit audit = town.audit();
    INFO(all_messages(audit));
    const auto bounds = of_rule(audit, "households-out-of-bounds");
    REQUIRE(bounds.size() == 2);
    CHECK(bounds[0].severity == geo::AuditSeverity::broken);
    CHECK(bounds[0].value == 200);
    CHECK(bounds[0].message.find("no reason recorded") != std::string::npos);
    CHECK(audit.counts.bounds_without_reason == 2);
    CHECK(town.plan.metrics.bound_violations == 2);
  }
  SECTION("the planner recorded each grid's reason: allowed") {
    for (Grid& g : town.plan.large_grids)
      g.bounds_reason = "container-granularity: community '西城社区': too coarse to divide";
    const geo::PlanAudit audit = town.audit();
    const auto bounds = of_rule(audit, "households-out-of-bounds");
    REQUIRE(bounds.size() == 2);
    CHECK(bounds[0].severity == geo::AuditSeverity::allowed);
    CHECK(bounds[0].message.find("too coarse") != std::string::npos);
    CHECK(audit.holds());
  }
  SECTION("a problem of the community is no grid's reason: still broken") {
    // It names a container that could not be divided, not which grids it left outside.
    town.plan.problems.report(Severity::warning, "container-granularity",
                              town.dataset.communities[0].source,
                              "community '西城社区': too coarse to divide");
    const geo::PlanAudit audit = town.audit();
    CHECK(audit.counts.bounds_without_reason == 2);
    CHECK_FALSE(audit.holds());
  }
}

TEST_CASE("plan audit: findings come out in the same order whatever the thread schedule") {
  HandDrawn town;
  town.large(0).polygon = wkt("POLYGON((0 0,220 0,220 200,0 200,0 0))");
  town.compound("02", {1, 2});
  const geo::PlanAudit first = town.audit();
  for (int run = 0; run < 5; ++run) {
    const geo::PlanAudit again = town.audit();
    REQUIRE(again.findings.size() == first.findings.size());
    for (std::size_t i = 0; i < first.findings.size(); ++i)
      CHECK(again.findings[i].message == first.findings[i].message);
  }
}
