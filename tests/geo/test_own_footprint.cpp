// A building overlapped by smaller footprints is placed by its own part (issue 12 item 1;
// planner/geo/own_footprint.hpp). The case found on Nanjing: podium 318198212 with a
// cross-shaped tower mapped as a building standing on it. The tessellation gives the tower its
// footprint, so the podium's cell is the podium less the tower, while the podium's
// representative point (GEOS PointOnSurface of the whole footprint) lies in the tower, in
// another grid. Coordinates in metres (a projected CRS).
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "planner/core/point_in_polygon.hpp"
#include "planner/geo/cell_split.hpp"
#include "planner/geo/own_footprint.hpp"
#include "planner/geo/plan_audit.hpp"
#include "planner/geo/tessellation.hpp"
#include "tests/geo/geo_test_support.hpp"

namespace {

using namespace gp;

using test::square;

/// A cross 50 m across with arms 20 m wide, centred on (50, 50): 1,600 m².
MultiPolygon cross() {
  return {Polygon{{{40, 25},
                   {60, 25},
                   {60, 40},
                   {75, 40},
                   {75, 60},
                   {60, 60},
                   {60, 75},
                   {40, 75},
                   {40, 60},
                   {25, 60},
                   {25, 40},
                   {40, 40},
                   {40, 25}},
                  {}}};
}

bool inside(const MultiPolygon& shape, Point p) {
  return point_in_polygon(shape, p);
}

/// Community 200 × 100 m: the podium (60 m square, 0), the tower on it (1) and a building
/// beside them (2).
Dataset town() {
  Dataset d;
  Community c;
  c.name = "华侨路社区";
  c.footprint = square(0, 0, 200, 100);
  d.communities.push_back(c);
  for (const MultiPolygon& footprint :
       {square(20, 20, 80, 80), cross(), square(120, 40, 140, 60)}) {
    Building b;
    b.id = std::int64_t(d.buildings.size()) + 1;
    b.households = 60;
    b.community = 0;
    b.footprint = footprint;
    d.buildings.push_back(b);
  }
  return d;
}

std::vector<const MultiPolygon*> footprints(const Dataset& d) {
  std::vector<const MultiPolygon*> out;
  for (const Building& b : d.buildings) out.push_back(&b.footprint);
  return out;
}

}  // namespace

TEST_CASE("own footprint: a podium is the podium less the tower on it, the others themselves",
          "[own][truth]") {
  const Dataset d = town();
  const std::vector<MultiPolygon> own = geo::own_footprints(footprints(d));
  REQUIRE(own.size() == 3);
  CHECK(area(own[0]) == Approx(3600.0 - 1600.0).epsilon(1e-12));
  CHECK(own[1].empty());  // the tower keeps the shared area: its footprint is its own
  CHECK(own[2].empty());  // overlaps nothing
  // The cause: the podium's point on surface lies in the tower; its own part's does not.
  const Point whole = geo::point_on_surface(d.buildings[0].footprint);
  const Point placed = geo::point_on_surface(own[0]);
  CHECK(inside(cross(), whole));
  CHECK_FALSE(inside(cross(), placed));
  CHECK(inside(d.buildings[0].footprint, placed));
}

TEST_CASE("own footprint: of two equal footprints the lower index keeps the overlap",
          "[own][truth]") {
  const MultiPolygon a = square(0, 0, 10, 10), b = square(5, 0, 15, 10);
  const std::vector<MultiPolygon> own = geo::own_footprints({&a, &b});
  CHECK(own[0].empty());
  CHECK(area(own[1]) == Approx(50.0).epsilon(1e-12));
  // Footprints that only touch along an edge keep themselves.
  const MultiPolygon c = square(10, 0, 20, 10);
  const std::vector<MultiPolygon> touching = geo::own_footprints({&a, &c});
  CHECK(touching[0].empty());
  CHECK(touching[1].empty());
}

TEST_CASE("own footprint: a podium lies in its micro grid by the audit, its tower's runs apart",
          "[own][truth]") {
  const Dataset d = town();
  Progress progress;
  const geo::Tessellation t = geo::tessellate(d, geo::TessellationParams{}, progress);
  REQUIRE(t.cells.size() == 3);
  // The tessellation's overlap rule: the tower's cell is its footprint, the podium's cell does
  // not hold the podium's whole-footprint point but holds its own part's.
  CHECK(area(t.cells[1]) == Approx(1600.0).epsilon(1e-9));
  CHECK_FALSE(inside(t.cells[0], geo::point_on_surface(d.buildings[0].footprint)));
  CHECK(inside(t.cells[0], geo::point_on_surface(geo::own_footprints(footprints(d))[0])));

  // One micro grid per cell (the tower's grid another than the podium's, as on Nanjing), one
  // large grid over all.
  geo::AuditInput in;
  const MultiPolygon whole = square(0, 0, 200, 100);
  const std::vector<std::int32_t> all{0, 1, 2};
  std::vector<std::vector<std::int32_t>> members{{0}, {1}, {2}};
  geo::AuditGrid large;
  large.level = GridLevel::large;
  large.code = "L1";
  large.community = 0;
  large.polygon = &whole;
  large.buildings = &all;
  large.households = 180;
  in.large.push_back(large);
  for (std::size_t m = 0; m < 3; ++m) {
    geo::AuditGrid g;
    g.level = GridLevel::micro;
    g.code = "L1-" + std::to_string(m + 1);
    g.community = 0;
    g.parent = 0;
    g.polygon = &t.cells[m];
    g.buildings = &members[m];
    g.households = 60;
    in.micro.push_back(g);
  }
  in.building_large = {0, 0, 0};
  in.building_micro = {0, 1, 2};
  geo::AuditParams params;
  params.large = {100, 500};
  params.micro = {50, 200};
  const geo::PlanAudit audit = geo::audit_plan(d, in, params, progress);
  CHECK(audit.counts.buildings_outside == 0);
  CHECK(audit.counts.micro_in_pieces == 0);
}

namespace {

bool same(const MultiPolygon& a, const MultiPolygon& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (a[k].outer != b[k].outer || a[k].holes != b[k].holes) return false;
  return true;
}

}  // namespace

TEST_CASE("own footprint: settled once, the same as per community and among all buildings",
          "[own-footprint][settle]") {
  // Two communities side by side; in each a podium with a tower on it, a copy of the tower (the
  // same shape drawn again: no site, takes the original's own part), a kiosk inside the podium,
  // and a building across the communities' line overlapping a building of the other community
  // (its own part among all the buildings differs from its community's); one building in no
  // community overlapping another.
  Dataset d;
  for (int c = 0; c < 2; ++c) {
    Community community;
    community.name = "c" + std::to_string(c);
    community.footprint = square(200.0 * c, 0, 200.0 * (c + 1), 100);
    d.communities.push_back(community);
  }
  auto add = [&](MultiPolygon footprint, std::int32_t community) {
    Building b;
    b.id = std::int64_t(d.buildings.size()) + 1;
    b.households = 10;
    b.community = community;
    b.footprint = std::move(footprint);
    d.buildings.push_back(std::move(b));
  };
  for (int c = 0; c < 2; ++c) {
    const double x = 200.0 * c;
    add(square(x + 20, 20, x + 80, 80), c);  // podium
    add(square(x + 30, 30, x + 50, 50), c);  // tower on it
    add(square(x + 30, 30, x + 50, 50), c);  // its copy
    add(square(x + 60, 60, x + 65, 65), c);  // kiosk
  }
  add(square(180, 10, 210, 15), 0);  // across the line, community 0
  add(square(195, 8, 230, 18), 1);   // overlapping it, community 1 (larger)
  add(square(150, 85, 170, 95), kNone);
  add(square(155, 88, 160, 92), 0);  // inside the one in no community

  const std::shared_ptr<const FootprintSettling> settled = geo::settle_footprints(d);
  d.settled = settled;
  REQUIRE(d.settled_footprints() == settled.get());
  const std::size_t n = d.buildings.size();
  std::vector<const MultiPolygon*> all(n);
  for (std::size_t i = 0; i < n; ++i) all[i] = &d.buildings[i].footprint;
  // Among all the buildings: as geo::own_footprints over all of them.
  const std::vector<MultiPolygon> everyone = geo::own_footprints(all);
  REQUIRE(settled->own_parts->size() == n);
  for (std::size_t i = 0; i < n; ++i) CHECK(same((*settled->own_parts)[i], everyone[i]));
  // Per community: holders as footprint_holders among its buildings; the sites' own parts as
  // own_footprints among its buildings that are no copy.
  int copies = 0, differing = 0;
  for (std::int32_t c = 0; c < 2; ++c) {
    std::vector<std::int32_t> members;
    for (std::size_t i = 0; i < n; ++i)
      if (d.buildings[i].community == c) members.push_back(std::int32_t(i));
    std::vector<const MultiPolygon*> footprints;
    for (std::int32_t b : members) footprints.push_back(&d.buildings[std::size_t(b)].footprint);
    const std::vector<std::int32_t> holders = geo::footprint_holders(footprints);
    std::vector<std::int32_t> sites;
    for (std::size_t k = 0; k < members.size(); ++k) {
      const std::int32_t h = holders[k];
      CHECK(settled->holder[std::size_t(members[k])] == (h < 0 ? -1 : members[std::size_t(h)]));
      if (h >= 0 && geo::footprint_is_copy(area(*footprints[k]), area(*footprints[std::size_t(h)])))
        ++copies;
      else
        sites.push_back(members[k]);
    }
    std::vector<const MultiPolygon*> site_footprints;
    for (std::int32_t b : sites) site_footprints.push_back(&d.buildings[std::size_t(b)].footprint);
    const std::vector<MultiPolygon> own = geo::own_footprints(site_footprints);
    for (std::size_t k = 0; k < sites.size(); ++k) {
      const auto it = std::find_if(settled->site_parts.begin(), settled->site_parts.end(),
                                   [&](const auto& e) { return e.first == sites[k]; });
      const MultiPolygon none;
      CHECK(same(it == settled->site_parts.end() ? none : it->second, own[k]));
      if (!same(own[k], everyone[std::size_t(sites[k])])) ++differing;
    }
  }
  CHECK(copies == 2);
  CHECK(differing >= 1);  // the building across the line, cut by the other community's
  // A change of community makes the settling stale: each step computes its own again.
  d.buildings[0].community = 1;
  CHECK(d.settled_footprints() == nullptr);
}

TEST_CASE("own footprint: a copy takes its original's own part, not an equal-sized neighbour's",
          "[own][truth]") {
  // The fuzz town regression-copy-of-tower-equal-to-another: tower 1 (12–38 × 29–41, 312 m²),
  // its copy 2, tower 0 of the same area crossing it (22–48 × 19–31) and building 3 across both
  // (19–31 × 25–45). Nothing of the copy is left after the footprints that keep their overlap
  // with it; the first of those of its area was tower 0, which only overlaps it, so the copy
  // took tower 0's own part and lay 21 m outside its micro grid.
  const MultiPolygon t0 = square(22, 19, 48, 31), t1 = square(12, 29, 38, 41),
                     t2 = square(12, 29, 38, 41), b3 = square(19, 25, 31, 45);
  const std::vector<MultiPolygon> own = geo::own_footprints({&t0, &t1, &t2, &b3});
  REQUIRE(own.size() == 4);
  CHECK(area(own[1]) == Approx(84.0 + 70.0).epsilon(1e-12));  // two strips either side of 3
  CHECK(area(own[2]) == Approx(area(own[1])).epsilon(1e-12));
  CHECK(inside(t1, geo::point_on_surface(own[2])));
  CHECK_FALSE(inside(own[0], geo::point_on_surface(own[2])));
}
