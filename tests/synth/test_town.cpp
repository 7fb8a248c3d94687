// The synthetic town generator: determinism, Yanggao-like structure, geometric invariants
// (checked with GEOS), scaling.

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "planner/core/errors.hpp"
#include "planner/geo/geos.hpp"
#include "planner/synth/names.hpp"
#include "planner/synth/town.hpp"

using gp::synth::generate_town;
using gp::synth::SynthParams;
using gp::synth::SynthTown;

namespace {

const SynthTown& demo_town() {
  static const SynthTown town = generate_town(SynthParams{});
  return town;
}

bool same_shape(const gp::MultiPolygon& a, const gp::MultiPolygon& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].outer != b[i].outer || a[i].holes.size() != b[i].holes.size()) return false;
  return true;
}

/// Field-by-field equality of two generated datasets (coordinates exactly).
void require_identical(const gp::Dataset& a, const gp::Dataset& b) {
  REQUIRE(a.buildings.size() == b.buildings.size());
  for (std::size_t i = 0; i < a.buildings.size(); ++i) {
    const gp::Building& x = a.buildings[i];
    const gp::Building& y = b.buildings[i];
    REQUIRE(x.id == y.id);
    REQUIRE(x.name == y.name);
    REQUIRE(x.use == y.use);
    REQUIRE(x.floors == y.floors);
    REQUIRE(x.height_m == y.height_m);
    REQUIRE(x.units == y.units);
    REQUIRE(x.households == y.households);
    REQUIRE(x.compound_ref == y.compound_ref);
    REQUIRE(x.community_ref == y.community_ref);
    REQUIRE(same_shape(x.footprint, y.footprint));
  }
  REQUIRE(a.compounds.size() == b.compounds.size());
  for (std::size_t i = 0; i < a.compounds.size(); ++i) {
    REQUIRE(a.compounds[i].ref == b.compounds[i].ref);
    REQUIRE(a.compounds[i].name == b.compounds[i].name);
    REQUIRE(a.compounds[i].management == b.compounds[i].management);
    REQUIRE(same_shape(a.compounds[i].footprint, b.compounds[i].footprint));
  }
  REQUIRE(a.communities.size() == b.communities.size());
  for (std::size_t i = 0; i < a.communities.size(); ++i) {
    REQUIRE(a.communities[i].code == b.communities[i].code);
    REQUIRE(same_shape(a.communities[i].footprint, b.communities[i].footprint));
  }
  REQUIRE(a.lines.size() == b.lines.size());
  for (std::size_t i = 0; i < a.lines.size(); ++i) {
    REQUIRE(a.lines[i].cls == b.lines[i].cls);
    REQUIRE(a.lines[i].name == b.lines[i].name);
    REQUIRE(a.lines[i].bridge == b.lines[i].bridge);
    REQUIRE(a.lines[i].geometry == b.lines[i].geometry);
  }
  REQUIRE(a.stations.size() == b.stations.size());
  for (std::size_t i = 0; i < a.stations.size(); ++i) {
    REQUIRE(a.stations[i].name == b.stations[i].name);
    REQUIRE(a.stations[i].location == b.stations[i].location);
    REQUIRE(a.stations[i].floor_m2 == b.stations[i].floor_m2);
  }
  REQUIRE(a.existing_grids.size() == b.existing_grids.size());
  for (std::size_t i = 0; i < a.existing_grids.size(); ++i) {
    REQUIRE(a.existing_grids[i].code == b.existing_grids[i].code);
    REQUIRE(same_shape(a.existing_grids[i].footprint, b.existing_grids[i].footprint));
  }
}

double geos_area(gp::geo::GeosContext& ctx, const GEOSGeometry* g) {
  double a = 0.0;
  GEOSArea_r(ctx.handle(), g, &a);
  return a;
}

gp::geo::GeomPtr union_of(gp::geo::GeosContext& ctx,
                          const std::vector<const gp::MultiPolygon*>& shapes) {
  std::vector<GEOSGeometry*> parts;
  for (const gp::MultiPolygon* s : shapes) parts.push_back(gp::geo::to_geos(ctx, *s).release());
  gp::geo::GeomPtr collection =
      gp::geo::own(ctx,
                   GEOSGeom_createCollection_r(ctx.handle(), GEOS_GEOMETRYCOLLECTION, parts.data(),
                                               static_cast<unsigned>(parts.size())),
                   "collection");
  return gp::geo::own(ctx, GEOSUnaryUnion_r(ctx.handle(), collection.get()), "union");
}

/// Pairs of buildings whose interiors overlap (area > 1 cm²), found through a GEOS STRtree.
std::size_t overlapping_building_pairs(const gp::Dataset& d) {
  gp::geo::GeosContext ctx;
  std::vector<gp::geo::GeomPtr> geoms;
  for (const gp::Building& b : d.buildings) geoms.push_back(gp::geo::to_geos(ctx, b.footprint));
  GEOSSTRtree* tree = GEOSSTRtree_create_r(ctx.handle(), 10);
  for (std::size_t i = 0; i < geoms.size(); ++i)
    GEOSSTRtree_insert_r(ctx.handle(), tree, geoms[i].get(), reinterpret_cast<void*>(i));
  struct Query {
    gp::geo::GeosContext* ctx;
    std::vector<gp::geo::GeomPtr>* geoms;
    std::size_t self;
    std::size_t overlaps;
  };
  std::size_t overlaps = 0;
  for (std::size_t i = 0; i < geoms.size(); ++i) {
    Query q{&ctx, &geoms, i, 0};
    GEOSSTRtree_query_r(
        ctx.handle(), tree, geoms[i].get(),
        [](void* item, void* user) {
          auto* query = static_cast<Query*>(user);
          const auto j = reinterpret_cast<std::size_t>(item);
          if (j <= query->self) return;
          GEOSContextHandle_t h = query->ctx->handle();
          const GEOSGeometry* a = (*query->geoms)[query->self].get();
          const GEOSGeometry* b = (*query->geoms)[j].get();
          if (GEOSIntersects_r(h, a, b) != 1) return;
          GEOSGeometry* inter = GEOSIntersection_r(h, a, b);
          double area = 0.0;
          if (inter) {
            GEOSArea_r(h, inter, &area);
            GEOSGeom_destroy_r(h, inter);
          }
          if (area > 1e-4) ++query->overlaps;
        },
        &q);
    overlaps += q.overlaps;
  }
  GEOSSTRtree_destroy_r(ctx.handle(), tree);
  return overlaps;
}

}  // namespace

TEST_CASE("synth: same seed gives an identical town, another seed a different one", "[synth]") {
  const SynthTown again = generate_town(SynthParams{});
  require_identical(demo_town().dataset, again.dataset);

  SynthParams other;
  other.seed = gp::synth::kDemoSeed + 1;
  const SynthTown different = generate_town(other);
  bool differs = different.dataset.buildings.size() != demo_town().dataset.buildings.size();
  for (std::size_t i = 0; !differs && i < different.dataset.buildings.size(); ++i)
    differs = !same_shape(different.dataset.buildings[i].footprint,
                          demo_town().dataset.buildings[i].footprint);
  CHECK(differs);
}

TEST_CASE("synth: the demo town has Yanggao's structure", "[synth]") {
  const gp::synth::SynthSummary& s = demo_town().summary;
  CHECK(s.communities == 15);
  CHECK(s.bungalow_communities == 2);
  CHECK(s.compounds == 93);  // the demo seed is chosen to give Yanggao's 93 compounds
  CHECK(s.unmanaged_compounds >= 3);
  CHECK(s.property_company_compounds > s.compounds / 2);
  // Households such that 300–500 per large grid gives roughly 50–55 large grids at 400.
  CHECK(s.households >= 20000);
  CHECK(s.households <= 22000);
  CHECK(s.expected_large_grids_at_target >= 50);
  CHECK(s.expected_large_grids_at_target <= 55);
  // The "1+15+N" station network.
  CHECK(s.county_centres == 1);
  CHECK(s.community_centres == 15);
  CHECK(s.compound_stations >= 15);
  CHECK(s.compound_stations < 53);  // incomplete on purpose: coverage analysis has work to do
  CHECK(s.existing_large_grids >= 45);
  CHECK(s.existing_large_grids <= 60);
  CHECK(s.existing_micro_grids > s.existing_large_grids);
  CHECK(s.bridges >= 2);
  CHECK(s.bridges <= 3);
  CHECK(s.river_lines == 1);
  // The summary of the dataset equals the one the generator returns (inspect prints the former).
  const gp::synth::SynthSummary again = gp::synth::summarize(demo_town().dataset);
  CHECK(again.households == s.households);
  CHECK(again.buildings == s.buildings);
}

TEST_CASE("synth: buildings carry plausible attributes and Chinese names", "[synth]") {
  const gp::Dataset& d = demo_town().dataset;
  std::map<gp::BuildingUse, int> uses;
  int walkups = 0, midrises = 0, towers = 0;
  for (const gp::Building& b : d.buildings) {
    ++uses[b.use];
    REQUIRE(b.floors >= 1);
    REQUIRE(b.height_m > 0.0);
    REQUIRE(b.households >= 0);
    REQUIRE_FALSE(b.community_ref.empty());
    if (!gp::may_hold_households(b.use)) REQUIRE(b.households == 0);
    if (b.compound >= 0 && b.use == gp::BuildingUse::residential) {
      REQUIRE(b.units >= 1);
      REQUIRE(b.units <= 3);
      // Households per floor per unit: 2 for walk-ups and mid-rises, 2–3 for towers.
      const int per_floor_unit = b.households / (b.floors * b.units);
      REQUIRE(b.households % (b.floors * b.units) == 0);
      REQUIRE(per_floor_unit >= 2);
      REQUIRE(per_floor_unit <= 3);
      if (b.floors <= 7) ++walkups;
      if (b.floors >= 11 && b.floors <= 18) ++midrises;
      if (b.floors >= 26) ++towers;
    }
  }
  CHECK(walkups > 0);
  CHECK(midrises > 0);
  CHECK(towers > 0);
  for (gp::BuildingUse u :
       {gp::BuildingUse::residential, gp::BuildingUse::mixed, gp::BuildingUse::school,
        gp::BuildingUse::hospital, gp::BuildingUse::office, gp::BuildingUse::commercial,
        gp::BuildingUse::ancillary})
    CHECK(uses[u] > 0);

  std::set<std::string> compound_names;
  for (const gp::Compound& c : d.compounds) {
    CHECK(compound_names.insert(c.name).second);  // unique
    CHECK(c.name.size() >= 6);                    // at least two CJK characters (3 bytes each)
  }
  std::set<std::string> codes;
  for (const gp::Community& c : d.communities) {
    CHECK(c.code.size() == 12);
    CHECK(c.code.rfind("140221", 0) == 0);  // Yanggao county, GB/T 2260
    CHECK(codes.insert(c.code).second);
    CHECK(c.name.ends_with("社区"));
  }
  CHECK(d.communities.front().name == "西城社区");
  bool county_centre_found = false;
  for (const gp::Station& s : d.stations) {
    if (s.tier == gp::StationTier::county_centre) {
      county_centre_found = true;
      CHECK(s.floor_m2 == 1096.0);
      CHECK(s.name == "县党群服务中心");
    }
    if (s.tier == gp::StationTier::community_centre) {
      CHECK(s.floor_m2 > 600.0);
      CHECK(s.name.ends_with("社区党群服务中心"));
    }
  }
  CHECK(county_centre_found);
  CHECK(d.crs_epsg == 4547);
  // Placed at Yanggao (≈ 113.75°E 40.36°N → E 478 764, N 4 469 533 in EPSG:4547).
  const gp::Box extent = d.extent();
  CHECK(extent.min_x > 470000.0);
  CHECK(extent.max_x < 488000.0);
  CHECK(extent.min_y > 4460000.0);
  CHECK(extent.max_y < 4478000.0);
}

TEST_CASE("synth: Chinese numerals and community names", "[synth]") {
  CHECK(gp::synth::chinese_numeral(1) == "一");
  CHECK(gp::synth::chinese_numeral(10) == "十");
  CHECK(gp::synth::chinese_numeral(12) == "十二");
  CHECK(gp::synth::chinese_numeral(20) == "二十");
  CHECK(gp::synth::chinese_numeral(105) == "一百零五");
  CHECK(gp::synth::chinese_numeral(110) == "一百一十");
  std::set<std::string> names;
  for (int i = 0; i < 2000; ++i) CHECK(names.insert(gp::synth::community_name(i)).second);
}

TEST_CASE("synth: communities tile the town, compounds and buildings lie inside their containers",
          "[synth][geometry]") {
  const gp::Dataset& d = demo_town().dataset;
  gp::geo::GeosContext ctx;

  // Communities: no overlaps (Σ areas = area of the union) and no gaps (union = town rectangle).
  std::vector<const gp::MultiPolygon*> shapes;
  double sum = 0.0;
  gp::Box town;
  for (const gp::Community& c : d.communities) {
    shapes.push_back(&c.footprint);
    sum += gp::area(c.footprint);
    town.expand(gp::bounds(c.footprint));
  }
  const gp::geo::GeomPtr all = union_of(ctx, shapes);
  CHECK(geos_area(ctx, all.get()) == Approx(sum).epsilon(1e-9));
  CHECK(geos_area(ctx, all.get()) == Approx(town.width() * town.height()).epsilon(1e-9));

  std::vector<gp::geo::GeomPtr> communities, compounds;
  std::vector<gp::geo::PreparedPtr> prepared_communities, prepared_compounds;
  for (const gp::Community& c : d.communities) {
    communities.push_back(gp::geo::to_geos(ctx, c.footprint));
    prepared_communities.emplace_back(GEOSPrepare_r(ctx.handle(), communities.back().get()),
                                      gp::geo::PreparedDeleter{ctx.handle()});
  }
  for (const gp::Compound& c : d.compounds) {
    compounds.push_back(gp::geo::to_geos(ctx, c.footprint));
    prepared_compounds.emplace_back(GEOSPrepare_r(ctx.handle(), compounds.back().get()),
                                    gp::geo::PreparedDeleter{ctx.handle()});
    REQUIRE(c.community >= 0);
    CHECK(GEOSPreparedCovers_r(ctx.handle(),
                               prepared_communities[static_cast<std::size_t>(c.community)].get(),
                               compounds.back().get()) == 1);
  }
  std::size_t outside_compound = 0, outside_community = 0;
  for (const gp::Building& b : d.buildings) {
    const gp::geo::GeomPtr g = gp::geo::to_geos(ctx, b.footprint);
    REQUIRE(b.community >= 0);
    if (GEOSPreparedCovers_r(ctx.handle(),
                             prepared_communities[static_cast<std::size_t>(b.community)].get(),
                             g.get()) != 1)
      ++outside_community;
    if (b.compound >= 0 &&
        GEOSPreparedCovers_r(ctx.handle(),
                             prepared_compounds[static_cast<std::size_t>(b.compound)].get(),
                             g.get()) != 1)
      ++outside_compound;
  }
  CHECK(outside_community == 0);
  CHECK(outside_compound == 0);

  // Existing large grids tile their community.
  std::map<std::string, std::vector<const gp::MultiPolygon*>> grids_by_community;
  for (const gp::ExistingGrid& g : d.existing_grids)
    if (g.level == gp::GridLevel::large)
      grids_by_community[g.code.substr(0, 12)].push_back(&g.footprint);
  for (const gp::Community& c : d.communities) {
    double grid_sum = 0.0;
    for (const gp::MultiPolygon* s : grids_by_community[c.code]) grid_sum += gp::area(*s);
    CHECK(grid_sum == Approx(gp::area(c.footprint)).epsilon(1e-6));
    const gp::geo::GeomPtr u = union_of(ctx, grids_by_community[c.code]);
    CHECK(geos_area(ctx, u.get()) == Approx(gp::area(c.footprint)).epsilon(1e-6));
  }
}

TEST_CASE("synth: no building overlaps another, a road, a river or the water",
          "[synth][geometry]") {
  const gp::Dataset& d = demo_town().dataset;
  CHECK(overlapping_building_pairs(d) == 0);

  gp::geo::GeosContext ctx;
  std::vector<const gp::MultiPolygon*> shapes;
  for (const gp::Building& b : d.buildings) shapes.push_back(&b.footprint);
  const gp::geo::GeomPtr buildings = union_of(ctx, shapes);
  const gp::geo::PreparedPtr prepared(GEOSPrepare_r(ctx.handle(), buildings.get()),
                                      gp::geo::PreparedDeleter{ctx.handle()});
  std::size_t crossing = 0;
  for (const gp::Line& l : d.lines) {
    const gp::geo::GeomPtr g = gp::geo::to_geos(ctx, l.geometry);
    if (GEOSPreparedIntersects_r(ctx.handle(), prepared.get(), g.get()) == 1) {
      ++crossing;
      UNSCOPED_INFO("line " << l.id << " (" << l.cls << " " << l.name << ") touches a building");
    }
  }
  for (const gp::WaterArea& w : d.water) {
    const gp::geo::GeomPtr g = gp::geo::to_geos(ctx, w.footprint);
    if (GEOSPreparedIntersects_r(ctx.handle(), prepared.get(), g.get()) == 1) ++crossing;
  }
  CHECK(crossing == 0);
}

TEST_CASE("synth: a 10k-building town keeps the structure", "[synth][scale]") {
  SynthParams params;
  params.target_buildings = 10000;
  const SynthTown town = generate_town(params);
  const gp::synth::SynthSummary& s = town.summary;
  CHECK(s.buildings >= 8000);
  CHECK(s.buildings <= 12500);
  CHECK(s.communities > 15);
  CHECK(s.bungalow_communities >= 2);
  CHECK(s.county_centres == 1);
  CHECK(s.community_centres == s.communities);
  // Households per community as in the demo town (≈ 1,400, one large grid per ≈ 400).
  const double per_community =
      static_cast<double>(s.households) / static_cast<double>(s.communities);
  CHECK(per_community > 1200.0);
  CHECK(per_community < 1600.0);
  CHECK(overlapping_building_pairs(town.dataset) == 0);
  // Deterministic at scale too.
  const SynthTown again = generate_town(params);
  require_identical(town.dataset, again.dataset);
}

TEST_CASE("synth: a negative building count is a configuration error", "[synth]") {
  SynthParams params;
  params.target_buildings = -5;
  CHECK_THROWS_AS(generate_town(params), gp::ConfigError);
}
