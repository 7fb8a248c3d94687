// The GridPlanner layer convention in a GeoPackage (every role), FlatGeobuf, and reader-side
// problems: null, wrong-type and NaN geometries, self-intersections repaired by validation,
// strict mode.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "io_test_support.hpp"
#include "planner/core/errors.hpp"
#include "planner/io/load.hpp"

using namespace gp;
using io::test::rect_wkt;

namespace {

constexpr double kX = 384000, kY = 3546000;  // Nanjing, EPSG:4549

/// A small town in the GridPlanner convention: every layer and field as documented.
std::string write_convention_gpkg(const io::test::TempDir& dir) {
  const std::string path = dir.file("town.gpkg");
  using io::test::write_layer;
  write_layer(path, "GPKG", "communities", 4549, wkbPolygon,
              {{"code", OFTString}, {"name", OFTString}},
              {{rect_wkt(kX - 100, kY - 100, 600, 400),
                {{"code", "320106001001"}, {"name", "华侨路社区"}}}});
  write_layer(path, "GPKG", "compounds", 4549, wkbPolygon,
              {{"ref", OFTString}, {"name", OFTString}, {"management", OFTString}},
              {{rect_wkt(kX - 10, kY - 10, 200, 100),
                {{"ref", "C1"}, {"name", "幸福里"}, {"management", "property_company"}}}});
  write_layer(path, "GPKG", "buildings", 4549, wkbPolygon,
              {{"bid", OFTInteger64},
               {"name", OFTString},
               {"use", OFTString},
               {"floors", OFTInteger},
               {"height", OFTReal},
               {"units", OFTInteger},
               {"households", OFTInteger},
               {"compound", OFTString},
               {"community", OFTString}},
              {{rect_wkt(kX, kY, 40, 12),
                {{"bid", "1001"},
                 {"name", "1栋"},
                 {"use", "residential"},
                 {"floors", "6"},
                 {"height", "18"},
                 {"units", "3"},
                 {"households", "36"},
                 {"compound", "C1"},
                 {"community", "320106001001"}}},
               {rect_wkt(kX + 60, kY, 40, 12),
                {{"bid", "1002"},
                 {"name", "2栋"},
                 {"use", "mixed"},
                 {"floors", "5"},
                 {"households", "0"},
                 {"compound", "C1"}}},
               {rect_wkt(kX + 300, kY, 50, 30),
                {{"bid", "1003"}, {"name", "华侨路小学"}, {"use", "school"}, {"floors", "4"}}}});
  write_layer(
      path, "GPKG", "roads", 4549, wkbLineString,
      {{"class", OFTString}, {"name", OFTString}, {"bridge", OFTInteger}, {"tunnel", OFTInteger}},
      {{"LINESTRING(383900 3545980,384500 3545980)",
        {{"class", "primary"}, {"name", "汉中路"}, {"bridge", "0"}, {"tunnel", "1"}}},
       {"LINESTRING(384250 3545900,384250 3546300)", {{"class", "trunk"}, {"name", "快速路"}}}});
  write_layer(
      path, "GPKG", "rivers", 4549, wkbLineString, {{"class", OFTString}, {"name", OFTString}},
      {{"LINESTRING(383900 3546250,384500 3546250)", {{"class", "river"}, {"name", "秦淮河"}}}});
  write_layer(path, "GPKG", "water", 4549, wkbPolygon, {{"name", OFTString}},
              {{rect_wkt(kX + 400, kY + 200, 50, 50), {{"name", "莫愁湖"}}}});
  write_layer(path, "GPKG", "rail", 4549, wkbLineString,
              {{"class", OFTString}, {"name", OFTString}},
              {{"LINESTRING(383900 3546280,384500 3546280)", {{"class", "rail"}}}});
  write_layer(
      path, "GPKG", "stations", 4549, wkbPoint,
      {{"sid", OFTInteger64}, {"name", OFTString}, {"tier", OFTString}, {"floor_m2", OFTReal}},
      {{"POINT(384020 3546030)",
        {{"sid", "7"},
         {"name", "华侨路社区党群服务中心"},
         {"tier", "community_centre"},
         {"floor_m2", "650"}}}});
  write_layer(path, "GPKG", "grids", 4549, wkbPolygon,
              {{"code", OFTString},
               {"name", OFTString},
               {"level", OFTString},
               {"parent", OFTString},
               {"locked", OFTInteger}},
              {{rect_wkt(kX - 10, kY - 10, 200, 100),
                {{"code", "G01"}, {"name", "第一网格"}, {"level", "large"}, {"locked", "1"}}},
               {rect_wkt(kX - 10, kY - 10, 100, 100),
                {{"code", "G01-1"}, {"level", "micro"}, {"parent", "G01"}}}});
  return path;
}

io::LoadResult load_one(const std::string& path, io::LoadOptions options = {}) {
  options.inputs.push_back({path, "", {}});
  Progress progress;
  return io::load(options, progress);
}

}  // namespace

TEST_CASE("GeoPackage in the GridPlanner convention: every role and field", "[gpkg]") {
  io::test::TempDir dir("convention");
  const io::LoadResult result = load_one(write_convention_gpkg(dir));
  const Dataset& d = result.dataset;
  CHECK(d.crs_epsg == 4549);

  REQUIRE(d.communities.size() == 1);
  CHECK(d.communities[0].code == "320106001001");
  CHECK(d.communities[0].name == "华侨路社区");
  REQUIRE(d.compounds.size() == 1);
  CHECK(d.compounds[0].ref == "C1");
  CHECK(d.compounds[0].management == Management::property_company);

  REQUIRE(d.buildings.size() == 3);
  const Building& first = d.buildings[0];
  CHECK(first.id == 1001);
  CHECK(first.floors == 6);
  CHECK(first.height_m == Approx(18));
  CHECK(first.units == 3);
  CHECK(first.households == 36);
  CHECK_FALSE(first.households_estimated);
  CHECK(first.compound_ref == "C1");
  CHECK(first.community_ref == "320106001001");
  const Building& mixed = d.buildings[1];
  CHECK(mixed.use == BuildingUse::mixed);
  CHECK(mixed.households_estimated);  // 0 in the attribute means unknown
  // 480 m² × 5 floors × 0.7 mixed share ÷ 90 m² ≈ 19.
  CHECK(mixed.households == Approx(19).margin(1));
  const Building& school = d.buildings[2];
  CHECK(school.use == BuildingUse::school);
  CHECK(school.households == 0);

  std::size_t roads = 0, rivers = 0, rail = 0;
  for (const Line& l : d.lines) {
    roads += l.kind == LineKind::road;
    rivers += l.kind == LineKind::river;
    rail += l.kind == LineKind::rail;
    if (l.cls == "primary") {
      CHECK(l.tunnel);
      CHECK_FALSE(l.bridge);
      CHECK(l.walkable);
      CHECK(l.name == "汉中路");
    }
    if (l.cls == "trunk") CHECK_FALSE(l.walkable);
  }
  CHECK(roads == 2);
  CHECK(rivers == 1);
  CHECK(rail == 1);
  REQUIRE(d.water.size() == 1);
  CHECK(d.water[0].name == "莫愁湖");
  REQUIRE(d.stations.size() == 1);
  CHECK(d.stations[0].id == 7);
  CHECK(d.stations[0].tier == StationTier::community_centre);
  CHECK(d.stations[0].floor_m2 == Approx(650));
  REQUIRE(d.existing_grids.size() == 2);
  CHECK(d.existing_grids[0].locked);
  CHECK(d.existing_grids[1].level == GridLevel::micro);
  CHECK(d.existing_grids[1].parent_code == "G01");

  // Joined by validation: buildings inside the compound and community.
  CHECK(d.buildings[0].compound == 0);
  CHECK(d.buildings[0].community == 0);
  CHECK_FALSE(result.validation.community_from_extent);

  for (const io::LayerReport& l : result.sources.at(0).layers) {
    INFO(l.name);
    CHECK(l.role_source == "name");
    CHECK(l.skipped == 0);
  }
}

TEST_CASE("FlatGeobuf buildings load", "[fgb]") {
  io::test::TempDir dir("fgb");
  const std::string path = dir.file("buildings.fgb");
  io::test::write_layer(path, "FlatGeobuf", "buildings", 4549, wkbPolygon, {{"floors", OFTInteger}},
                        {{rect_wkt(kX, kY, 20, 20), {{"floors", "3"}}},
                         {rect_wkt(kX + 30, kY, 20, 20), {{"floors", "4"}}}});
  const Dataset d = load_one(path).dataset;
  REQUIRE(d.buildings.size() == 2);
  // FlatGeobuf's spatial index may reorder features: compare as a set.
  CHECK(d.buildings[0].floors + d.buildings[1].floors == 7);
  CHECK(d.buildings[0].floors * d.buildings[1].floors == 12);
}

TEST_CASE("reader problems are listed as file:layer:fid, never dropped silently", "[problems]") {
  io::test::TempDir dir("problems");
  const std::string path = dir.file("buildings.geojson");
  io::test::write_layer(
      path, "GeoJSON", "buildings", 4549, wkbUnknown, {{"name", OFTString}},
      {{rect_wkt(kX, kY, 20, 20), {{"name", "ok"}}},
       {"", {{"name", "no geometry"}}},
       {"POINT(384000 3546000)", {{"name", "a point"}}},
       {"POLYGON EMPTY", {{"name", "empty"}}},
       // Bow-tie: self-intersecting, repaired by MakeValid in validation.
       {"POLYGON((384100 3546000,384120 3546020,384120 3546000,384100 3546020,384100 3546000))",
        {{"name", "bow-tie"}}}});
  const io::LoadResult result = load_one(path);
  const Dataset& d = result.dataset;
  auto kinds = d.problems.counts_by_kind();
  // GeoJSON may write POLYGON EMPTY as a null geometry: either way it is listed.
  CHECK(kinds["null-geometry"] + kinds["empty-input-geometry"] == 2);
  CHECK(kinds["wrong-geometry-type"] == 1);
  REQUIRE(d.buildings.size() == 2);  // "ok" and the repaired bow-tie
  CHECK(result.sources.at(0).layers.at(0).skipped == 3);
  CHECK(result.validation.repaired >= 1);
  CHECK(kinds["invalid-geometry-repaired"] == 1);
  const auto bow_tie = std::find_if(d.buildings.begin(), d.buildings.end(),
                                    [](const Building& b) { return b.name == "bow-tie"; });
  REQUIRE(bow_tie != d.buildings.end());
  CHECK(area(bow_tie->footprint) == Approx(200).epsilon(0.01));  // two 100 m² triangles
  for (const Problem& p : d.problems.problems()) {
    if (p.kind != "null-geometry") continue;
    CHECK(p.where.file == path);
    CHECK(p.where.layer == "buildings");
    CHECK(p.where.fid.has_value());
    CHECK(to_string(p).rfind(path + ":buildings:", 0) == 0);
  }

  SECTION("strict mode makes them fatal") {
    io::LoadOptions options;
    options.strict = true;
    try {
      load_one(path, options);
      FAIL("expected gp::StrictModeError");
    } catch (const StrictModeError& e) {
      CHECK(std::string(e.what()).find("null-geometry") != std::string::npos);
    }
  }
}

TEST_CASE("NaN coordinates and a layer of the wrong geometry type", "[problems]") {
  io::test::TempDir dir("nan");
  const std::string path = dir.file("town.gpkg");
  io::test::write_layer(path, "GPKG", "buildings", 4549, wkbPolygon, {},
                        {{rect_wkt(kX, kY, 20, 20), {}}});
  {
    // WKT cannot spell NaN: add the bad polygon through the API.
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    REQUIRE(ds);
    OGRLayer* layer = ds->GetLayerByName("buildings");
    OGRLinearRing ring;
    ring.addPoint(kX, kY);
    ring.addPoint(std::nan(""), kY + 10);
    ring.addPoint(kX + 10, kY + 10);
    ring.addPoint(kX, kY);
    OGRPolygon polygon;
    polygon.addRing(&ring);
    OGRFeatureUniquePtr feature(OGRFeature::CreateFeature(layer->GetLayerDefn()));
    feature->SetGeometry(&polygon);
    REQUIRE(layer->CreateFeature(feature.get()) == OGRERR_NONE);
  }
  io::test::write_layer(path, "GPKG", "compounds", 4549, wkbPoint, {},
                        {{"POINT(384000 3546000)", {}}});
  const io::LoadResult result = load_one(path);
  auto kinds = result.dataset.problems.counts_by_kind();
  CHECK(result.dataset.buildings.size() == 1);
  CHECK(kinds["nan-coordinates"] == 1);
  CHECK(kinds["wrong-geometry-type"] == 1);
  CHECK(result.dataset.compounds.empty());
}

TEST_CASE("role detection from layer names", "[roles]") {
  using io::LayerRole;
  CHECK(io::detect_role("buildings") == LayerRole::buildings);
  CHECK(io::detect_role("建筑") == LayerRole::buildings);
  CHECK(io::detect_role("楼栋_2023") == LayerRole::buildings);
  CHECK(io::detect_role("小区") == LayerRole::compounds);
  CHECK(io::detect_role("社区边界") == LayerRole::communities);
  CHECK(io::detect_role("社区党群服务站") == LayerRole::stations);
  CHECK(io::detect_role("网格") == LayerRole::grids);
  CHECK(io::detect_role("Roads") == LayerRole::roads);
  CHECK(io::detect_role("waterways") == LayerRole::rivers);
  CHECK(io::detect_role("water") == LayerRole::water);
  CHECK(io::detect_role("railways") == LayerRole::rail);
  CHECK(io::detect_role("walkways") == LayerRole::walkways);
  CHECK(io::detect_role("parcels") == LayerRole::unknown);
  CHECK(io::parse_role("stations") == LayerRole::stations);
  CHECK_FALSE(io::parse_role("bridges"));
}
