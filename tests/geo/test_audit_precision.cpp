// The audit's barrier figure does not depend on the last bits of the coordinates (issue 12 item
// 1: metrics.json audits the plan in memory, `gridplan check` the plan.gpkg read back from
// WGS84, and both must give the same figure). A grid edge drawn along a hard road lies exactly
// on it in memory and a few nanometres off it after the round trip; a road ending at that edge
// (a T junction) must cut the grid either way, and a road along the edge must not.
// Coordinates in metres (a projected CRS).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "planner/geo/plan_audit.hpp"

namespace {

using namespace gp;

MultiPolygon square(double x0, double y0, double x1, double y1) {
  return {Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}}};
}

Line road(LineString geometry) {
  Line l;
  l.kind = LineKind::road;
  l.cls = "primary";
  l.name = "汉中路";
  l.geometry = std::move(geometry);
  return l;
}

/// One community 200 × 100 m cut by a north–south primary road at x = 160 and an east–west one
/// from the west edge to a T junction on it at (160, 50): three hard faces. One large grid over
/// the west part, its east edge along the north–south road at x = `east`, with a building of 60
/// households on either side of the east–west road.
geo::PlanAudit audit_with_east_edge(double east) {
  Dataset dataset;
  Community c;
  c.code = "320106001001";
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
  dataset.lines.push_back(road({{160, -5}, {160, 105}}));
  dataset.lines.push_back(road({{-5, 50}, {160, 50}}));
  // The edge as the tessellation draws it: through the junction's vertex.
  const MultiPolygon polygon{
      Polygon{{{0, 0}, {east, 0}, {east, 50}, {east, 100}, {0, 100}, {0, 0}}, {}}};
  const std::vector<std::int32_t> members{0, 1};
  geo::AuditInput in;
  geo::AuditGrid g;
  g.level = GridLevel::large;
  g.code = "32010600100101";
  g.community = 0;
  g.polygon = &polygon;
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
