// The built-up area (geo/built_up_area.hpp) on the real OSM extracts in ../shared/data (skipped
// when absent), loaded without communities as a user without a community layer has them: the
// area it makes — growing and merging only the footprints whose grown shapes the others' do not
// cover, shrinking part by part — is the one of the single union of every grown footprint it
// replaced (same parts, same area up to GEOS rounding), and the same on one thread as on all.
// In tests/partition because this module links the loader (io); the geo module does not.
#include <geos_c.h>
#include <oneapi/tbb/task_arena.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "planner/geo/built_up_area.hpp"
#include "planner/geo/geos.hpp"
#include "planner/io/load.hpp"
#include "tests/geo/geo_test_support.hpp"

using namespace gp;

namespace {

double symmetric_difference_area(geo::GeosContext& ctx, const MultiPolygon& a,
                                 const MultiPolygon& b) {
  geo::GeomPtr ga = geo::to_geos(ctx, a), gb = geo::to_geos(ctx, b);
  geo::GeomPtr d =
      geo::own(ctx, GEOSSymDifference_r(ctx.handle(), ga.get(), gb.get()), "symmetric difference");
  double m2 = 0.0;
  GEOSArea_r(ctx.handle(), d.get(), &m2);
  return m2;
}

bool same_coordinates(const MultiPolygon& a, const MultiPolygon& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t p = 0; p < a.size(); ++p) {
    if (a[p].outer.size() != b[p].outer.size() || a[p].holes.size() != b[p].holes.size())
      return false;
    for (std::size_t k = 0; k < a[p].outer.size(); ++k)
      if (a[p].outer[k].x != b[p].outer[k].x || a[p].outer[k].y != b[p].outer[k].y) return false;
    for (std::size_t r = 0; r < a[p].holes.size(); ++r) {
      if (a[p].holes[r].size() != b[p].holes[r].size()) return false;
      for (std::size_t k = 0; k < a[p].holes[r].size(); ++k)
        if (a[p].holes[r][k].x != b[p].holes[r][k].x || a[p].holes[r][k].y != b[p].holes[r][k].y)
          return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("built-up area on the real extracts: the single union's area, one thread or all",
          "[geo][built-up][shared]") {
  const std::filesystem::path dir = std::filesystem::path(GRIDPLAN_SHARED_DATA_DIR) / "osm";
  if (!std::filesystem::exists(dir)) {
    WARN("skipped: shared data not found at " << dir.string()
                                              << " (real OSM extracts are optional)");
    return;
  }
  for (const char* file : {"helsinki-centre.osm.pbf", "nanjing-xinjiekou.osm"}) {
    const std::filesystem::path path = dir / file;
    if (!std::filesystem::exists(path)) {
      WARN("skipped: " << path.string() << " not found");
      continue;
    }
    INFO(file);
    io::LoadOptions load;
    load.inputs.push_back({path.string(), "", {}});
    load.osm_communities = false;  // as without a community layer: the built-up area
    Progress progress;
    const Dataset d = io::load_dataset(load, progress);
    REQUIRE(d.communities.size() == 1);
    std::vector<const MultiPolygon*> footprints;
    for (const Building& b : d.buildings) footprints.push_back(&b.footprint);
    for (const Compound& c : d.compounds) footprints.push_back(&c.footprint);
    REQUIRE(footprints.size() > 300);

    geo::GeosContext ctx;
    const geo::BuiltUpParams params;
    std::size_t reported = 0;
    int calls = 0;
    const MultiPolygon area_now = geo::built_up_area(ctx, footprints, params, [&](std::size_t n) {
      reported += n;
      ++calls;
    });
    CHECK(reported == footprints.size());
    CHECK(calls >= 4);  // choosing, growing, merging and shrinking each report

    MultiPolygon on_one_thread;
    tbb::task_arena single(1);
    single.execute([&] {
      geo::GeosContext own_ctx;
      on_one_thread = geo::built_up_area(own_ctx, footprints, params);
    });
    CHECK(same_coordinates(area_now, on_one_thread));

    // The same parts and area. Not to the last bit: where a footprint left out had an arc on
    // the outline of a kept one (a building with a corner on its compound's), the union's
    // outline follows one footprint's chords instead of the other's, which lie within the arcs'
    // own approximation (4 segments per quadrant: up to 1.15 m inside the true 60 m arc). On
    // Helsinki: 0.95 m² in slivers a few cm wide on 1.41 km²; on Nanjing 3·10⁻⁷ m².
    const MultiPolygon before = test::single_union_built_up_area(ctx, footprints, params);
    REQUIRE(!before.empty());
    CHECK(area_now.size() == before.size());  // one piece where it was one, and so on
    CHECK(area(area_now) == Approx(area(before)).epsilon(1e-6));
    const double differing = symmetric_difference_area(ctx, area_now, before);
    CHECK(differing < 1e-5 * area(before));
    geo::GeomPtr a = geo::to_geos(ctx, area_now), b = geo::to_geos(ctx, before);
    double apart_m = 0.0;
    REQUIRE(GEOSHausdorffDistance_r(ctx.handle(), a.get(), b.get(), &apart_m) == 1);
    INFO("differing " << differing << " m², outlines up to " << apart_m << " m apart");
    CHECK(apart_m < 0.5);
  }
}
