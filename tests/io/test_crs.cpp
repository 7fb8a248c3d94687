// CRS choice (CGCS2000 Gauss-Krüger in China, UTM elsewhere), projection of geographic input,
// layers in different CRSs, layers without CRS, and the GCJ-02 correction.

#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "io_test_support.hpp"
#include "planner/core/errors.hpp"
#include "planner/io/crs.hpp"
#include "planner/io/load.hpp"

using namespace gp;

namespace {

/// Distance in metres between two nearby lon/lat points (equirectangular, fine below 1 km).
double metres_between(io::LonLat a, io::LonLat b) {
  const double k = 6371008.8 * std::numbers::pi / 180.0;
  const double dx = (a.lon - b.lon) * k * std::cos(a.lat * std::numbers::pi / 180.0);
  const double dy = (a.lat - b.lat) * k;
  return std::hypot(dx, dy);
}

/// Projects one lon/lat point with OGR directly, for comparison.
Point project(double lon, double lat, int epsg) {
  OGRSpatialReference wgs84, target;
  wgs84.importFromEPSG(4326);
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  target.importFromEPSG(epsg);
  target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> ct(
      OGRCreateCoordinateTransformation(&wgs84, &target));
  double x = lon, y = lat;
  REQUIRE(ct->Transform(1, &x, &y));
  return {x, y};
}

}  // namespace

TEST_CASE("projection choice by location", "[crs]") {
  // Nanjing 118.78E → CM 120E; Datong 113.3E → CM 114E; Urumqi 87.6E → CM 87E; Harbin → CM 126E.
  CHECK(io::choose_projection({118.78, 32.04}).epsg == 4549);
  CHECK(io::choose_projection({113.3, 40.08}).epsg == 4547);
  CHECK(io::choose_projection({87.6, 43.8}).epsg == 4538);
  CHECK(io::choose_projection({126.6, 45.75}).epsg == 4551);
  CHECK(io::choose_projection({118.78, 32.04}).name == "CGCS2000 / 3-degree Gauss-Kruger CM 120E");
  // Outside China: UTM.
  CHECK(io::choose_projection({24.94, 60.17}).epsg == 32635);   // Helsinki
  CHECK(io::choose_projection({7.42, 43.73}).epsg == 32632);    // Monaco
  CHECK(io::choose_projection({127.0, 37.56}).epsg == 32652);   // Seoul
  CHECK(io::choose_projection({151.2, -33.87}).epsg == 32756);  // Sydney
  CHECK(io::inside_china({114.17, 22.3}));                      // Hong Kong
  CHECK_FALSE(io::inside_china({106.9, 47.9}));                 // Ulaanbaatar
  CHECK_FALSE(io::inside_china({105.85, 21.03}));               // Hanoi
}

TEST_CASE("the EPSG codes used for GK zones are the CM codes PROJ knows", "[crs]") {
  io::test::register_gdal();
  for (int cm = 75; cm <= 135; cm += 3) {
    const io::ProjectionChoice choice = io::choose_projection({double(cm), 35.0});
    if (!io::inside_china({double(cm), 35.0})) continue;
    OGRSpatialReference srs;
    REQUIRE(srs.importFromEPSG(choice.epsg) == OGRERR_NONE);
    CHECK(std::string(srs.GetName()) == choice.name);
    CHECK(srs.GetProjParm(SRS_PP_CENTRAL_MERIDIAN) == Approx(cm));
  }
}

TEST_CASE("GCJ-02 round trip is below half a metre", "[crs][gcj02]") {
  double worst = 0.0;
  for (double lon = 75.0; lon <= 134.0; lon += 2.5)
    for (double lat = 19.0; lat <= 53.0; lat += 1.7) {
      const io::LonLat wgs{lon, lat};
      const io::LonLat gcj = io::wgs84_to_gcj02(wgs);
      // The shift itself is hundreds of metres.
      CHECK(metres_between(wgs, gcj) > 50.0);
      worst = std::max(worst, metres_between(wgs, io::gcj02_to_wgs84(gcj)));
    }
  CHECK(worst < 0.5);
  CHECK(worst < 0.01);  // in practice the iteration converges to millimetres
}

TEST_CASE("EPSG:4326 GeoJSON is projected to the right CGCS2000 zone", "[crs][geojson]") {
  io::test::TempDir dir("geojson");
  const std::string path = dir.file("buildings.geojson");
  // A 0.0005° square at Nanjing (≈ 47 m × 55 m).
  io::test::write_layer(path, "GeoJSON", "buildings", 4326, wkbPolygon,
                        {{"name", OFTString}, {"households", OFTInteger}},
                        {{"POLYGON((118.78 32.04,118.7805 32.04,118.7805 32.0405,118.78 32.0405,"
                          "118.78 32.04))",
                          {{"name", "新街口1栋"}, {"households", "24"}}}});
  io::LoadOptions options;
  options.inputs.push_back({path, "", {}});
  Progress progress;
  const io::LoadResult result = io::load(options, progress);
  const Dataset& d = result.dataset;
  CHECK(d.crs_epsg == 4549);
  CHECK(result.crs_reason.find("automatic") != std::string::npos);
  REQUIRE(d.buildings.size() == 1);
  const Building& b = d.buildings.front();
  CHECK(b.name == "新街口1栋");
  CHECK(b.households == 24);
  CHECK_FALSE(b.households_estimated);
  const Point expected = project(118.78, 32.04, 4549);
  // 1.22° west of CM 120E at 32°N: about 115 km west of the 500 km false easting.
  CHECK(expected.x == Approx(384800).margin(1500));
  CHECK(expected.y == Approx(3546000).margin(3000));
  const Point first = b.footprint.front().outer.front();
  CHECK(first.x == Approx(expected.x).margin(1e-6));
  CHECK(first.y == Approx(expected.y).margin(1e-6));
  CHECK(area(b.footprint) == Approx(47.2 * 55.4).epsilon(0.03));
}

TEST_CASE("layers in different CRSs end in one, a projected input CRS is kept", "[crs]") {
  io::test::TempDir dir("mixed");
  const std::string gpkg = dir.file("town.gpkg");
  const Point origin = project(118.78, 32.04, 4549);
  io::test::write_layer(gpkg, "GPKG", "buildings", 4549, wkbPolygon, {},
                        {{io::test::rect_wkt(origin.x, origin.y, 30, 12), {}}});
  io::test::write_layer(gpkg, "GPKG", "roads", 4326, wkbLineString, {{"class", OFTString}},
                        {{"LINESTRING(118.779 32.0399,118.782 32.0399)", {{"class", "primary"}}}});
  io::LoadOptions options;
  options.inputs.push_back({gpkg, "", {}});
  Progress progress;
  const io::LoadResult result = io::load(options, progress);
  CHECK(result.dataset.crs_epsg == 4549);
  CHECK(result.crs_reason.find("kept") != std::string::npos);
  REQUIRE(result.dataset.lines.size() == 1);
  const Point road_start = result.dataset.lines.front().geometry.front();
  const Point expected = project(118.779, 32.0399, 4549);
  CHECK(road_start.x == Approx(expected.x).margin(1e-6));
  CHECK(road_start.y == Approx(expected.y).margin(1e-6));
  CHECK(road_start.x < origin.x);  // 0.001° west of the building
}

TEST_CASE("the gcj02 option shifts web-map coordinates back to WGS84 before projecting",
          "[crs][gcj02]") {
  io::test::TempDir dir("gcj");
  const io::LonLat wgs{118.78, 32.04};
  const io::LonLat gcj = io::wgs84_to_gcj02(wgs);
  const std::string path = dir.file("stations.geojson");
  io::test::write_layer(path, "GeoJSON", "stations", 4326, wkbPoint,
                        {{"name", OFTString}, {"tier", OFTString}},
                        {{"POINT(" + std::to_string(gcj.lon) + " " + std::to_string(gcj.lat) + ")",
                          {{"name", "新街口社区党群服务中心"}, {"tier", "community_centre"}}}});
  io::LoadOptions options;
  options.inputs.push_back({path, "", {}});
  options.gcj02 = true;
  Progress progress;
  const Dataset d = io::load_dataset(options, progress);
  REQUIRE(d.stations.size() == 1);
  const Point expected = project(wgs.lon, wgs.lat, 4549);
  CHECK(std::hypot(d.stations.front().location.x - expected.x,
                   d.stations.front().location.y - expected.y) < 0.5);
  CHECK(d.stations.front().tier == StationTier::community_centre);
}

TEST_CASE("a layer without CRS needs --assume-crs", "[crs]") {
  io::test::TempDir dir("nocrs");
  const std::string path = dir.file("buildings.shp");
  io::test::write_layer(path, "ESRI Shapefile", "buildings", 0, wkbPolygon, {},
                        {{io::test::rect_wkt(384000, 3546000, 20, 10), {}}});
  io::LoadOptions options;
  options.inputs.push_back({path, "", {}});
  Progress progress;
  try {
    io::load(options, progress);
    FAIL("expected gp::InputError");
  } catch (const InputError& e) {
    const std::string message = e.what();
    CHECK(message.find(path) != std::string::npos);
    CHECK(message.find("'buildings'") != std::string::npos);
    CHECK(message.find("--assume-crs") != std::string::npos);
  }
  options.assume_crs = "EPSG:4549";
  const Dataset d = io::load_dataset(options, progress);
  CHECK(d.crs_epsg == 4549);
  REQUIRE(d.buildings.size() == 1);
  CHECK(d.buildings.front().footprint.front().outer.front().x == Approx(384000));
}
