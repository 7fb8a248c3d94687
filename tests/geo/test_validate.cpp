#include <catch2/catch.hpp>

#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <random>
#include <string>

#include "planner/geo/geos.hpp"
#include "planner/geo/validate.hpp"

using namespace gp;

namespace {

/// Parses WKT (polygon or multipolygon) into plain gp geometry, invalid shapes included as drawn.
MultiPolygon wkt(const char* text) {
  geo::GeosContext ctx;
  GEOSWKTReader* reader = GEOSWKTReader_create_r(ctx.handle());
  geo::GeomPtr g = geo::own(ctx, GEOSWKTReader_read_r(ctx.handle(), reader, text), "WKT");
  GEOSWKTReader_destroy_r(ctx.handle(), reader);
  return geo::to_multipolygon(ctx, g.get());
}

MultiPolygon rect(double x0, double y0, double x1, double y1) {
  return {Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}}};
}

Location at(const char* layer, std::int64_t fid) {
  return Location{"town.gpkg", layer, fid};
}

Building building(std::int64_t fid, MultiPolygon footprint, int households = 10, int floors = 6) {
  Building b;
  b.id = fid;
  b.source = at("buildings", fid);
  b.footprint = std::move(footprint);
  b.households = households;
  b.floors = floors;
  return b;
}

Community community(std::int64_t fid, const char* code, const char* name, MultiPolygon footprint) {
  Community c;
  c.id = fid;
  c.source = at("communities", fid);
  c.code = code;
  c.name = name;
  c.footprint = std::move(footprint);
  return c;
}

Compound compound(std::int64_t fid, const char* ref, MultiPolygon footprint) {
  Compound c;
  c.id = fid;
  c.source = at("compounds", fid);
  c.ref = ref;
  c.name = ref;
  c.footprint = std::move(footprint);
  return c;
}

geo::ValidationSummary run(Dataset& d) {
  Progress progress;
  return geo::validate_and_join(d, HouseholdParams{}, progress);
}

std::vector<const Problem*> of_kind(const Dataset& d, const std::string& kind) {
  std::vector<const Problem*> out;
  for (const Problem& p : d.problems.problems())
    if (p.kind == kind) out.push_back(&p);
  return out;
}

bool is_valid(const MultiPolygon& footprint) {
  geo::GeosContext ctx;
  geo::GeomPtr g = geo::to_geos(ctx, footprint);
  return GEOSisValid_r(ctx.handle(), g.get()) == 1;
}

/// One community (0..1000 m square) around whatever the test adds.
Dataset one_community_town() {
  Dataset d;
  d.communities.push_back(community(1, "140221001001", "东关社区", rect(0, 0, 1000, 1000)));
  return d;
}

}  // namespace

TEST_CASE("validate: a bow-tie building is repaired, counted and reported with the reason") {
  Dataset d = one_community_town();
  d.buildings.push_back(building(7, wkt("POLYGON((100 100, 110 110, 110 100, 100 110, 100 100))")));
  const geo::ValidationSummary s = run(d);
  CHECK(s.repaired == 1);
  REQUIRE(d.buildings.size() == 1);
  const Building& b = d.buildings[0];
  CHECK(is_valid(b.footprint));
  CHECK(area(b.footprint) == Approx(50.0));  // two triangles of 25 m²
  CHECK(b.community == 0);
  const auto repaired = of_kind(d, "invalid-geometry-repaired");
  REQUIRE(repaired.size() == 1);
  CHECK(repaired[0]->where.fid == 7);
  CHECK(repaired[0]->message.find("Self-intersection") != std::string::npos);
  CHECK(to_string(*repaired[0]).rfind("town.gpkg:buildings:7: warning: ", 0) == 0);
}

TEST_CASE("validate: empty, collapsed and zero-area buildings are reported and kept") {
  Dataset d = one_community_town();
  d.buildings.push_back(building(1, {}));  // no vertices
  d.buildings.push_back(building(2, wkt("POLYGON((200 200, 210 200, 220 200, 200 200))")));  // line
  d.buildings.push_back(building(3, rect(300, 300, 300.05, 300.05)));  // 0.0025 m²
  d.buildings.push_back(building(4, rect(400, 400, 420, 410)));        // ordinary
  const geo::ValidationSummary s = run(d);
  REQUIRE(d.buildings.size() == 4);
  CHECK(s.empty == 3);

  const auto empty = of_kind(d, "empty-geometry");
  REQUIRE(empty.size() == 2);
  CHECK(empty[0]->severity == Severity::error);
  CHECK(empty[0]->where.fid == 1);
  CHECK(empty[1]->where.fid == 2);
  // No coordinates: nowhere to place it, so no community; households untouched.
  CHECK(d.buildings[0].community == kNone);
  CHECK(d.buildings[0].households == 10);
  // Collapsed: original vertices kept, placed by their centroid inside the community.
  CHECK(d.buildings[1].footprint.at(0).outer.size() == 4);
  CHECK(d.buildings[1].community == 0);
  CHECK(d.buildings[1].households == 10);
  CHECK_FALSE(geo::footprint_has_area(d.buildings[1].footprint));

  const auto zero = of_kind(d, "zero-area");
  REQUIRE(zero.size() == 1);
  CHECK(zero[0]->where.fid == 3);
  CHECK(d.buildings[2].community == 0);
  CHECK(geo::footprint_has_area(d.buildings[3].footprint));
}

TEST_CASE("validate: duplicate footprints are found and both kept") {
  Dataset d = one_community_town();
  d.buildings.push_back(building(1, rect(100, 100, 120, 110)));
  // Same square drawn clockwise from another start vertex.
  d.buildings.push_back(building(2, wkt("POLYGON((120 110, 120 100, 100 100, 100 110, 120 110))")));
  d.buildings.push_back(building(3, rect(100, 100, 120, 111)));  // different: not a duplicate
  const geo::ValidationSummary s = run(d);
  CHECK(s.duplicates == 1);
  CHECK(d.buildings.size() == 3);
  const auto dup = of_kind(d, "duplicate-building");
  REQUIRE(dup.size() == 1);
  CHECK(dup[0]->where.fid == 2);
  CHECK(dup[0]->message.find("town.gpkg:buildings:1") != std::string::npos);
}

TEST_CASE("validate: buildings outside every community, near and far") {
  Dataset d = one_community_town();
  d.buildings.push_back(building(1, rect(1020, 500, 1040, 520)));  // 20 m east of the boundary
  d.buildings.push_back(building(2, rect(1500, 500, 1520, 520)));  // 500 m east
  const geo::ValidationSummary s = run(d);
  REQUIRE(d.buildings.size() == 2);
  CHECK(d.buildings[0].community == 0);
  CHECK(d.buildings[1].community == kNone);
  CHECK(s.assigned_to_nearest_community == 1);
  CHECK(s.outside_community == 1);
  const auto near = of_kind(d, "building-assigned-to-nearest-community");
  REQUIRE(near.size() == 1);
  CHECK(near[0]->where.fid == 1);
  CHECK(near[0]->message.find("20.0 m") != std::string::npos);
  const auto far = of_kind(d, "building-outside-community");
  REQUIRE(far.size() == 1);
  CHECK(far[0]->where.fid == 2);
  CHECK(far[0]->severity == Severity::error);
}

TEST_CASE("validate: overlapping compounds above the thresholds are reported") {
  Dataset d = one_community_town();
  d.compounds.push_back(compound(1, "A", rect(0, 0, 50, 50)));
  d.compounds.push_back(compound(2, "B", rect(40, 0, 90, 50)));       // overlaps A by 500 m²
  d.compounds.push_back(compound(3, "C", rect(90, 0, 140, 50)));      // touches B only
  d.compounds.push_back(compound(4, "D", rect(139.99, 0, 200, 50)));  // 0.5 m² sliver with C
  const geo::ValidationSummary s = run(d);
  CHECK(s.overlapping_compounds == 1);
  const auto overlaps = of_kind(d, "overlapping-compounds");
  REQUIRE(overlaps.size() == 1);
  CHECK(overlaps[0]->where.fid == 1);
  CHECK(overlaps[0]->message.find("500.0 m²") != std::string::npos);
  for (const Compound& c : d.compounds) CHECK(c.community == 0);
}

TEST_CASE("validate: overlapping communities are reported") {
  Dataset d;
  d.communities.push_back(community(1, "1", "west", rect(0, 0, 210, 200)));
  d.communities.push_back(community(2, "2", "east", rect(200, 0, 400, 200)));
  const geo::ValidationSummary s = run(d);
  CHECK(s.overlapping_communities == 1);
  CHECK(of_kind(d, "overlapping-communities").size() == 1);
}

TEST_CASE("validate: building → compound → community join on a hand-made town") {
  // Two communities side by side, one compound in each; west 0..200 m, east 200..400 m.
  Dataset d;
  d.communities.push_back(community(1, "140221001001", "西街社区", rect(0, 0, 200, 200)));
  d.communities.push_back(community(2, "140221001002", "东街社区", rect(200, 0, 400, 200)));
  d.compounds.push_back(compound(1, "W1", rect(10, 10, 90, 90)));
  d.compounds.push_back(compound(2, "E1", rect(210, 10, 290, 90)));
  d.buildings.push_back(building(1, rect(20, 20, 40, 30)));      // in W1
  d.buildings.push_back(building(2, rect(120, 120, 140, 130)));  // west, no compound
  d.buildings.push_back(building(3, rect(220, 20, 240, 30)));    // in E1
  d.buildings.push_back(building(4, rect(190, 150, 230, 160)));  // straddles: 3/4 in east
  // An L-shaped building: its centroid (≈ 60.7, 51.7) lies outside it; PointOnSurface does not.
  d.buildings.push_back(
      building(5, wkt("POLYGON((50 40, 88 40, 88 44, 54 44, 54 80, 50 80, 50 40))")));
  d.buildings.push_back(building(6, rect(80, 40, 120, 50)));  // 1/4 in W1, point outside: overlap
  Building attributed = building(7, rect(60, 60, 70, 70));    // in W1 by geometry...
  attributed.compound_ref = "E1";                             // ...but the attribute says E1
  attributed.community_ref = "西街社区";                      // agrees with geometry (by name)
  d.buildings.push_back(attributed);
  Building unknown = building(8, rect(130, 20, 140, 30));
  unknown.compound_ref = "X9";
  d.buildings.push_back(unknown);

  const geo::ValidationSummary s = run(d);
  CHECK(s.outside_community == 0);
  CHECK(s.overlapping_compounds == 0);
  CHECK(d.compounds[0].community == 0);
  CHECK(d.compounds[1].community == 1);

  auto joined = [&](std::size_t i) {
    return std::pair{d.buildings[i].compound, d.buildings[i].community};
  };
  CHECK(joined(0) == std::pair{0, 0});
  CHECK(joined(1) == std::pair{kNone, 0});
  CHECK(joined(2) == std::pair{1, 1});
  CHECK(joined(3) == std::pair{kNone, 1});
  CHECK(joined(4) == std::pair{0, 0});
  CHECK(joined(5) == std::pair{0, 0});
  CHECK(joined(6) == std::pair{1, 0});  // attribute wins, disagreement reported
  CHECK(joined(7) == std::pair{kNone, 0});
  CHECK(s.attribute_disagreements == 2);
  const auto disagrees = of_kind(d, "compound-ref-disagrees");
  REQUIRE(disagrees.size() == 1);
  CHECK(disagrees[0]->where.fid == 7);
  CHECK(of_kind(d, "unknown-compound-ref").size() == 1);
  CHECK(of_kind(d, "community-ref-disagrees").empty());
}

TEST_CASE("validate: a compound across a community boundary is reported") {
  Dataset d;
  d.communities.push_back(community(1, "1", "west", rect(0, 0, 200, 200)));
  d.communities.push_back(community(2, "2", "east", rect(200, 0, 400, 200)));
  d.compounds.push_back(compound(1, "X", rect(150, 100, 260, 140)));  // 5/11 west, 6/11 east
  d.compounds.push_back(compound(2, "Y", rect(20, 20, 80, 80)));      // inside west
  const geo::ValidationSummary s = run(d);
  CHECK(d.compounds[0].community == 1);
  CHECK(d.compounds[1].community == 0);
  CHECK(s.compounds_crossing_communities == 1);
  const auto crossing = of_kind(d, "compound-crosses-community");
  REQUIRE(crossing.size() == 1);
  CHECK(crossing[0]->where.fid == 1);
  CHECK(crossing[0]->message.find("54.5 %") != std::string::npos);
}

TEST_CASE("validate: with no communities the built-up area becomes one community") {
  Dataset d;
  d.buildings.push_back(building(1, rect(1000, 2000, 1020, 2010)));
  d.buildings.push_back(building(2, rect(1500, 2600, 1510, 2620)));
  const geo::ValidationSummary s = run(d);
  CHECK(s.community_from_extent);
  REQUIRE(d.communities.size() == 1);
  const Community& c = d.communities[0];
  CHECK(c.code == "000000000000");
  CHECK(c.name == "研究范围 (study area)");
  // The buildings grown by 60 m and shrunk back to a 30 m margin (geo/built_up_area.hpp): two
  // parts, 780 m apart, never the box around both plus 50 m.
  const Box box = bounds(c.footprint);
  CHECK(box.min_x == Approx(970));
  CHECK(box.min_y == Approx(1970));
  CHECK(box.max_x == Approx(1540));
  CHECK(box.max_y == Approx(2650));
  CHECK(c.footprint.size() == 2);
  CHECK(area(c.footprint) < 2 * 80.0 * 80.0);
  for (const Building& b : d.buildings) CHECK(b.community == 0);
  const auto info = of_kind(d, "community-from-extent");
  REQUIRE(info.size() == 1);
  CHECK(info[0]->severity == Severity::info);
  CHECK(s.outside_community == 0);
}

TEST_CASE("validate: problems reported earlier by the loader stay first") {
  Dataset d = one_community_town();
  d.problems.report(Severity::warning, "zzz-loader", at("buildings", 99), "from the loader");
  d.buildings.push_back(building(1, rect(1500, 500, 1520, 520)));
  run(d);
  REQUIRE(d.problems.problems().size() == 2);
  CHECK(d.problems.problems()[0].kind == "zzz-loader");
  CHECK(d.problems.problems()[1].kind == "building-outside-community");
}

TEST_CASE("validate: absurd household counts are reported and kept") {
  Dataset d = one_community_town();
  d.buildings.push_back(building(1, rect(100, 100, 110, 110), 1000, 6));  // 600 m² floor area
  d.buildings.push_back(building(2, rect(200, 100, 230, 120), 40, 6));    // plausible
  const geo::ValidationSummary s = run(d);
  CHECK(s.absurd_households == 1);
  const auto absurd = of_kind(d, "absurd-households");
  REQUIRE(absurd.size() == 1);
  CHECK(absurd[0]->where.fid == 1);
  CHECK(absurd[0]->message.find("1000 households") != std::string::npos);
  CHECK(d.buildings[0].households == 1000);
}

TEST_CASE("validate: an invalid community is repaired before the join") {
  Dataset d;
  // A community ring drawn with a self-touching spike: repairable.
  d.communities.push_back(
      community(1, "1", "c", wkt("POLYGON((0 0, 100 0, 100 100, 0 100, 0 0, -10 -10, 0 0))")));
  d.buildings.push_back(building(1, rect(10, 10, 20, 20)));
  const geo::ValidationSummary s = run(d);
  CHECK(is_valid(d.communities[0].footprint));
  CHECK(d.buildings[0].community == 0);
  CHECK(s.repaired == (of_kind(d, "invalid-geometry-repaired").size()));
}

namespace {

/// A generated town: a 4×4 block of communities, compounds, and buildings on a jittered grid,
/// with some bow-ties, duplicates and buildings off the edge.
Dataset generated_town(unsigned seed, int buildings_per_side) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> jitter(-3.0, 3.0);
  Dataset d;
  const double spacing = 30.0;
  const double side = spacing * buildings_per_side;
  const double community_side = side / 4.0;
  for (int cy = 0; cy < 4; ++cy)
    for (int cx = 0; cx < 4; ++cx) {
      const std::int64_t fid = cy * 4 + cx;
      d.communities.push_back(
          community(fid, std::to_string(fid).c_str(), "",
                    rect(cx * community_side, cy * community_side, (cx + 1) * community_side,
                         (cy + 1) * community_side)));
      d.compounds.push_back(compound(fid, std::to_string(fid).c_str(),
                                     rect(cx * community_side + 10, cy * community_side + 10,
                                          cx * community_side + community_side / 2,
                                          cy * community_side + community_side / 2)));
    }
  std::int64_t fid = 0;
  for (int y = 0; y < buildings_per_side; ++y)
    for (int x = 0; x < buildings_per_side + 1; ++x) {  // one column beyond the communities
      const double x0 = x * spacing + jitter(rng), y0 = y * spacing + jitter(rng);
      MultiPolygon footprint = rect(x0, y0, x0 + 18, y0 + 12);
      if (fid % 97 == 0) {  // bow-tie
        footprint = {
            Polygon{{{x0, y0}, {x0 + 18, y0 + 12}, {x0 + 18, y0}, {x0, y0 + 12}, {x0, y0}}, {}}};
      }
      d.buildings.push_back(building(fid, footprint, 20, 6));
      if (fid % 211 == 0) d.buildings.push_back(building(100000 + fid, footprint, 20, 6));
      ++fid;
    }
  return d;
}

std::vector<std::string> outcome(const Dataset& d) {
  std::vector<std::string> out;
  for (const Problem& p : d.problems.problems()) out.push_back(to_string(p));
  for (const Building& b : d.buildings)
    out.push_back(std::to_string(b.compound) + "/" + std::to_string(b.community) + "/" +
                  std::to_string(area(b.footprint)));
  for (const Compound& c : d.compounds) out.push_back(std::to_string(c.community));
  return out;
}

}  // namespace

TEST_CASE("validate: results are identical with one thread and with many") {
  Dataset parallel_run = generated_town(42, 60);
  Dataset serial_run = parallel_run;
  Dataset again = parallel_run;
  const geo::ValidationSummary a = run(parallel_run);
  geo::ValidationSummary b;
  tbb::task_arena single(1);
  single.execute([&] { b = run(serial_run); });
  const geo::ValidationSummary c = run(again);
  CHECK(c.duplicates == a.duplicates);
  CHECK(a.repaired > 0);
  CHECK(a.duplicates > 0);
  CHECK(a.outside_community + a.assigned_to_nearest_community > 0);
  CHECK(a.repaired == b.repaired);
  CHECK(a.duplicates == b.duplicates);
  CHECK(a.outside_community == b.outside_community);
  CHECK(a.assigned_to_nearest_community == b.assigned_to_nearest_community);
  CHECK(outcome(parallel_run) == outcome(serial_run));
  CHECK(outcome(parallel_run) == outcome(again));
  // Problems come sorted by kind (then file, layer, fid), so reports diff cleanly between runs.
  const std::vector<Problem>& problems = parallel_run.problems.problems();
  CHECK(std::is_sorted(problems.begin(), problems.end(),
                       [](const Problem& x, const Problem& y) { return x.kind < y.kind; }));
  // Nothing dropped.
  CHECK(parallel_run.buildings.size() == generated_town(42, 60).buildings.size());
}

TEST_CASE("validate: a podium cut by a community boundary joins where its own part lies") {
  // Two communities side by side; a podium 100 m × 20 m across their boundary (x = 100), 40 m in
  // the west one, and a tower mapped on its east 60 m. The whole footprint's point (110, 50) lies
  // in the east community, but the tower keeps the shared area, so the podium's own part is its
  // west 40 m: the plan places it there (own_footprint.hpp), and its community must be the west
  // one, or no grid of its community could hold it.
  Dataset d;
  d.communities.push_back(community(1, "A", "西社区", rect(0, 0, 100, 100)));
  d.communities.push_back(community(2, "B", "东社区", rect(100, 0, 200, 100)));
  d.buildings.push_back(building(1, rect(60, 40, 160, 60)));   // podium
  d.buildings.push_back(building(2, rect(100, 40, 160, 60)));  // tower on it
  d.buildings.push_back(building(3, rect(20, 70, 40, 90)));    // plain, west
  SECTION("joined by its own part") {
    run(d);
    CHECK(d.buildings[0].community == 0);
    CHECK(d.buildings[1].community == 1);
    CHECK(d.buildings[2].community == 0);
  }
  SECTION("a community attribute still wins") {
    d.buildings[0].community_ref = "B";
    run(d);
    CHECK(d.buildings[0].community == 1);
  }
  SECTION("without the tower the whole footprint decides") {
    d.buildings.erase(d.buildings.begin() + 1);
    run(d);
    CHECK(d.buildings[0].community == 1);  // 60 % in the east
  }
}
