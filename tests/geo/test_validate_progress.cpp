// Validation's progress (issue 14 item 5): "validating areas" (the container layers repaired and,
// without communities, the built-up area grown and merged), "joining compounds" and "checking
// overlaps" report in small steps of their own work, so the display moves at least once a second
// on large towns (on the real 100k-building town "validating areas" was silent for 73 s). Steps
// are counted in the stage's fraction — its work units — not in wall time, so the test holds on a
// loaded machine and under the sanitizers; the clock is injected (one second per reading).
// The built-up area, now merged in blocks over the cores, is compared with the single union of
// all grown footprints it replaced.

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "planner/geo/built_up_area.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/validate.hpp"
#include "tests/geo/geo_test_support.hpp"

using namespace gp;

namespace {

MultiPolygon rect(double x0, double y0, double x1, double y1) {
  return {Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}}};
}

struct Seen {
  int updates = 0;
  double first = -1.0;
  double last = 0.0;
  double largest_step = 0.0;  // between consecutive updates of the stage
};

struct Recorder {
  double clock = 0.0;
  std::map<std::string, Seen> stages;
  std::string previous;
  Progress progress{[this](const ProgressReport& r) {
                      Seen& s = stages[r.stage];
                      if (s.updates > 0 && previous == r.stage)
                        s.largest_step = std::max(s.largest_step, r.fraction - s.last);
                      if (s.updates == 0) s.first = r.fraction;
                      previous = r.stage;
                      s.last = r.fraction;
                      ++s.updates;
                    },
                    [this] { return clock += 1.0; }};
};

/// A town of `n` small buildings in clusters 400 m apart (so the built-up area has several
/// parts), with a compound around every 25 buildings.
Dataset clustered_town(int n) {
  Dataset d;
  for (int i = 0; i < n; ++i) {
    const int cluster = i / 100, k = i % 100;
    const double x0 = (cluster % 10) * 400.0 + (k % 10) * 15.0;
    const double y0 = (cluster / 10) * 400.0 + (k / 10) * 15.0;
    Building b;
    b.id = i + 1;
    b.source = Location{"town.gpkg", "buildings", i + 1};
    b.footprint = rect(x0, y0, x0 + 10.0, y0 + 8.0 + (i % 3));
    b.households = 10;
    b.floors = 6;
    d.buildings.push_back(std::move(b));
    if (k % 25 == 0) {
      Compound c;
      c.id = static_cast<std::int64_t>(d.compounds.size()) + 1;
      c.source = Location{"town.gpkg", "compounds", c.id};
      c.ref = "C" + std::to_string(c.id);
      c.name = c.ref;
      c.footprint = rect(x0 - 2.0, y0 - 2.0, x0 + 5 * 15.0 - 3.0, y0 + 5 * 15.0 - 3.0);
      d.compounds.push_back(std::move(c));
    }
  }
  return d;
}

}  // namespace

TEST_CASE("validate progress: without communities the built-up area reports in small steps") {
  Dataset d = clustered_town(8000);  // 320 compounds
  Recorder rec;
  const geo::ValidationSummary summary = geo::validate_and_join(d, HouseholdParams{}, rec.progress);
  CHECK(summary.community_from_extent);
  REQUIRE(rec.stages.count("validating areas"));
  const Seen& areas = rec.stages["validating areas"];
  // Units: 320 compounds repaired, then 8,320 footprints: chosen (reported every 2,048 of two
  // passes), the chosen ones grown and merged (512 between reports), their parts shrunk: at
  // least 10 updates, none more than a sixth of the stage apart.
  CHECK(areas.first == 0.0);
  CHECK(areas.updates >= 10);
  CHECK(areas.largest_step <= 1.0 / 6.0);
  CHECK(areas.last == Approx(1.0));
  // Buildings, compounds joined and overlaps checked, likewise in steps of their own work.
  const Seen& buildings = rec.stages["validating buildings"];
  CHECK(buildings.updates >= 3);
  const Seen& joining = rec.stages["joining compounds"];
  CHECK(joining.updates >= 5);
  CHECK(joining.largest_step <= 0.25);
  const Seen& overlaps = rec.stages["checking overlaps"];
  CHECK(overlaps.updates >= 5);
  CHECK(overlaps.largest_step <= 0.25);
  CHECK(overlaps.last == Approx(1.0));
}

TEST_CASE("validate progress: many communities are repaired in steps of the layer") {
  Dataset d;
  for (int i = 0; i < 3000; ++i) {
    Community c;
    c.id = i + 1;
    c.source = Location{"town.gpkg", "communities", i + 1};
    c.code = std::to_string(140221001000 + i);
    const double x0 = (i % 60) * 500.0, y0 = (i / 60) * 500.0;
    c.footprint = rect(x0, y0, x0 + 500.0, y0 + 500.0);
    d.communities.push_back(std::move(c));
  }
  Recorder rec;
  geo::validate_and_join(d, HouseholdParams{}, rec.progress);
  const Seen& areas = rec.stages["validating areas"];
  CHECK(areas.updates >= 10);  // blocks of 256 communities (4 chunks of 64)
  CHECK(areas.largest_step <= 0.1);
  CHECK(areas.last == Approx(1.0));
}

TEST_CASE("built-up area: merged in blocks it is the single union of the grown footprints") {
  const Dataset d = clustered_town(5000);
  std::vector<const MultiPolygon*> footprints;
  for (const Building& b : d.buildings) footprints.push_back(&b.footprint);
  geo::GeosContext ctx;
  std::size_t reported = 0;
  int calls = 0;
  const geo::BuiltUpParams params;
  const MultiPolygon blocked = geo::built_up_area(ctx, footprints, params, [&](std::size_t n) {
    reported += n;
    ++calls;
  });
  CHECK(reported == footprints.size());
  // Choosing the footprints to grow (every 2,048 of its two passes over 5,000), blocks of 128
  // grown footprints in rounds of 4, the tree of their unions and the shrink, each reported.
  CHECK(calls >= 9);

  // The single union it replaced (tests/geo/geo_test_support.hpp).
  const MultiPolygon single = test::single_union_built_up_area(ctx, footprints, params);
  GEOSContextHandle_t h = ctx.handle();

  CHECK(blocked.size() == single.size());
  CHECK(area(blocked) == Approx(area(single)).epsilon(1e-9));
  geo::GeomPtr a = geo::to_geos(ctx, blocked), b = geo::to_geos(ctx, single);
  geo::GeomPtr difference =
      geo::own(ctx, GEOSSymDifference_r(h, a.get(), b.get()), "symmetric difference");
  double differing = 0.0;
  GEOSArea_r(h, difference.get(), &differing);
  CHECK(differing < 1e-6 * area(single));
}
