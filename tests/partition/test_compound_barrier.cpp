// A compound (小区) cut by a hard road (issue 12, "no grid crosses a hard barrier"; decisions/0008
// "A compound cut by a hard barrier"). Compounds stay whole — unless a hard barrier divides them
// and the land between their parts is not their own: then one grid would hold households on both
// sides of the road through other land, or be two polygons far apart (Monaco large grid …331).
// The barrier wins: one atom per part, the split reported with the compound's id and counted,
// and the audit allows the split. Where the compound's own cells meet across the road (its
// internal road), it stays whole. Footprints and the community as WKT, metres.

#include <catch2/catch.hpp>

#include <string>

#include "planner/evaluation/evaluation.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/tessellation.hpp"
#include "planner/partition/partitioner.hpp"

using namespace gp;

namespace {

MultiPolygon from_wkt(geo::GeosContext& ctx, const std::string& wkt) {
  GEOSWKTReader* reader = GEOSWKTReader_create_r(ctx.handle());
  geo::GeomPtr g = geo::own(ctx, GEOSWKTReader_read_r(ctx.handle(), reader, wkt.c_str()), "wkt");
  GEOSWKTReader_destroy_r(ctx.handle(), reader);
  return geo::to_multipolygon(ctx, g.get());
}

/// A community 200 × 100 m cut by a primary road along y = 50, with four buildings of 100
/// households in its corners: SW (index 0), NE (1), SE (2), NW (3). The compound holds the
/// buildings given; its footprint covers them and the road between them.
struct Town {
  Dataset dataset;
  explicit Town(const std::vector<int>& compound_members, const std::string& compound_wkt) {
    geo::GeosContext ctx;
    Community c;
    c.id = 1;
    c.code = "320106001001";
    c.name = "华侨路社区";
    c.footprint = from_wkt(ctx, "POLYGON ((0 0, 200 0, 200 100, 0 100, 0 0))");
    dataset.communities.push_back(c);
    Compound k;
    k.id = 77;
    k.ref = "K77";
    k.name = "金陵小区";
    k.community = 0;
    k.footprint = from_wkt(ctx, compound_wkt);
    dataset.compounds.push_back(k);
    const char* corners[] = {"POLYGON ((20 15, 40 15, 40 35, 20 35, 20 15))",
                             "POLYGON ((160 65, 180 65, 180 85, 160 85, 160 65))",
                             "POLYGON ((160 15, 180 15, 180 35, 160 35, 160 15))",
                             "POLYGON ((20 65, 40 65, 40 85, 20 85, 20 65))"};
    for (int i = 0; i < 4; ++i) {
      Building b;
      b.id = 1000 + i;
      b.households = 100;
      b.community = 0;
      b.footprint = from_wkt(ctx, corners[i]);
      for (int m : compound_members) b.compound = m == i ? 0 : b.compound;
      dataset.buildings.push_back(b);
    }
    Line road;
    road.id = 1;
    road.kind = LineKind::road;
    road.cls = "primary";
    road.name = "中山路";
    road.geometry = {{-10, 50}, {210, 50}};
    dataset.lines.push_back(road);
  }
};

struct Planned {
  geo::Tessellation tess;
  Plan plan;
  geo::PlanAudit audit;
};

Planned plan_town(const Dataset& dataset) {
  PartitionParams params;
  params.large = {100, 500, 400};
  params.micro = {50, 150, 100};
  params.hard_road_classes = {"primary"};
  Progress progress;
  Planned out;
  out.tess = geo::tessellate(dataset, tessellation_params(params), progress);
  out.plan = make_plan(dataset, out.tess, params, progress);
  out.audit = evaluation::audit_plan(dataset, out.plan, params);
  return out;
}

const Problem* problem(const Plan& plan, const std::string& kind) {
  for (const Problem& p : plan.problems.problems())
    if (p.kind == kind) return &p;
  return nullptr;
}

std::string findings(const geo::PlanAudit& audit) {
  std::string text;
  for (const geo::AuditFinding& f : audit.findings)
    text += f.rule + " (" + geo::to_string(f.severity) + "): " + f.message + "\n";
  return text;
}

}  // namespace

TEST_CASE("a compound cut by a hard road with no land of its own between: one part per side",
          "[plan][barrier]") {
  // SW and NE: their cells meet at a point at most (NW's and SE's cells lie between them).
  const Town town({0, 1},
                  "MULTIPOLYGON (((10 5, 50 5, 50 45, 10 45, 10 5)), "
                  "((150 55, 190 55, 190 95, 150 95, 150 55)))");
  const Planned p = plan_town(town.dataset);
  INFO(findings(p.audit));
  const Plan& plan = p.plan;
  // Before this rule the compound was one atom joining SE and NW through it: one grid on both
  // sides of the road. Now the south (SW + SE) and the north (NW + NE) are grids of their own.
  REQUIRE(plan.large_grids.size() == 2);
  CHECK(plan.building_large[0] == plan.building_large[2]);
  CHECK(plan.building_large[1] == plan.building_large[3]);
  CHECK(plan.building_large[0] != plan.building_large[1]);
  for (const Grid& g : plan.large_grids) CHECK(g.polygon.size() == 1);
  const Problem* split = problem(plan, "compound-split-by-barrier");
  REQUIRE(split);
  CHECK(split->message.find("金陵小区") != std::string::npos);
  CHECK(split->message.find("id 77") != std::string::npos);
  CHECK(split->message.find("2 parts") != std::string::npos);
  CHECK(problem(plan, "compound-split"));
  // Counted, and allowed by the audit: the plan splits it only along the road.
  CHECK(p.audit.counts.compound_splits == 1);
  CHECK(p.audit.counts.compound_splits_allowed == 1);
  CHECK(p.audit.counts.compound_splits_by_barrier == 1);
  CHECK(plan.metrics.compound_splits_by_barrier == 1);
  CHECK(p.audit.counts.large_crossing_barrier == 0);
  CHECK(p.audit.counts.micro_crossing_barrier == 0);
  CHECK(p.audit.holds());
}

TEST_CASE("a compound whose own land goes on across a hard road stays whole", "[plan][barrier]") {
  // SW and NW: their cells meet along the road (its internal road).
  const Town town({0, 3}, "POLYGON ((10 5, 50 5, 50 95, 10 95, 10 5))");
  const Planned p = plan_town(town.dataset);
  INFO(findings(p.audit));
  const Plan& plan = p.plan;
  CHECK(plan.building_large[0] == plan.building_large[3]);
  CHECK_FALSE(problem(plan, "compound-split-by-barrier"));
  CHECK(problem(plan, "compound-spans-barrier"));
  CHECK(p.audit.counts.compound_splits == 0);
  CHECK(p.audit.counts.large_crossing_barrier == 0);
  CHECK(p.audit.counts.crossings_allowed >= 1);
  for (const Grid& g : plan.large_grids) CHECK(g.polygon.size() == 1);
}

TEST_CASE("barrier audit: a compound split along a hard road is allowed, elsewhere broken",
          "[barrier]") {
  // Two large grids, south and north of y = 50, and the SW + NE compound split between them.
  const Town town({0, 1},
                  "MULTIPOLYGON (((10 5, 50 5, 50 45, 10 45, 10 5)), "
                  "((150 55, 190 55, 190 95, 150 95, 150 55)))");
  geo::GeosContext ctx;
  const MultiPolygon south = from_wkt(ctx, "POLYGON ((0 0, 200 0, 200 50, 0 50, 0 0))");
  const MultiPolygon north = from_wkt(ctx, "POLYGON ((0 50, 200 50, 200 100, 0 100, 0 50))");
  const std::vector<std::int32_t> south_members{0, 2}, north_members{1, 3};
  Dataset dataset = town.dataset;
  SECTION("the road between the grids: allowed, counted as split by a barrier") {}
  SECTION("no road: the compound fits one grid, broken") {
    dataset.lines.clear();
  }
  geo::AuditInput in;
  for (int k = 0; k < 2; ++k) {
    geo::AuditGrid g;
    g.level = GridLevel::large;
    g.code = "320106001001" + std::string(k == 0 ? "01" : "02");
    g.community = 0;
    g.polygon = k == 0 ? &south : &north;
    g.buildings = k == 0 ? &south_members : &north_members;
    g.households = 200;
    in.large.push_back(g);
  }
  in.building_large = {0, 1, 0, 1};
  in.building_micro.assign(4, kNone);
  geo::AuditParams params;
  params.large = {100, 500};
  params.hard_road_classes = {"primary"};
  params.check_community_coverage = false;
  Progress progress;
  const geo::PlanAudit audit = geo::audit_plan(dataset, in, params, progress);
  INFO(findings(audit));
  CHECK(audit.counts.compound_splits == 1);
  const bool road = !dataset.lines.empty();
  CHECK(audit.counts.compound_splits_allowed == (road ? 1 : 0));
  CHECK(audit.counts.compound_splits_by_barrier == (road ? 1 : 0));
}
