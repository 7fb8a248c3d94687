// The bad-input catalogue (docs/bad-inputs.md): each TEST_CASE feeds one kind of broken input to
// the loader, the scenario parser or the CLI and checks that it ends in a clear message — an
// error naming the file, or a problem `file:layer:fid: message [kind]` — and never in a crash, a
// hang or a building dropped without a word. Kinds already covered by tests/io, tests/geo and
// tests/partition are cited in the catalogue, not repeated here.
//
// With GRIDPLAN_BAD_INPUT_LOG=FILE set, every case appends the message it saw to FILE; the
// catalogue quotes those lines.

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>

#include "planner/core/errors.hpp"
#include "planner/geo/tessellation.hpp"
#include "planner/io/load.hpp"
#include "planner/partition/partitioner.hpp"
#include "planner/pipeline/scenario.hpp"
#include "tests/hardening/hardening_support.hpp"
#include "tests/io/io_test_support.hpp"

using namespace gp;
using gp::hardening::record;
using io::test::rect_wkt;
using io::test::TempDir;
using io::test::write_layer;

namespace {

constexpr double kX = 384000, kY = 3546000;  // EPSG:4549 metres

io::LoadResult load_one(const std::string& path, io::LoadOptions options = {}) {
  options.inputs.push_back({path, "", {}});
  Progress progress;
  return io::load(options, progress);
}

/// The message of the InputError/ConfigError that loading `path` must throw.
std::string load_error(const std::string& path, io::LoadOptions options = {}) {
  try {
    load_one(path, std::move(options));
  } catch (const InputError& e) {
    return e.what();
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("expected gp::InputError or gp::ConfigError for " << path);
  return {};
}

/// The first problem of `kind`, printed as the CLI prints it; fails when there is none.
std::string problem_text(const Dataset& dataset, const std::string& kind) {
  for (const Problem& p : dataset.problems.problems())
    if (p.kind == kind) return to_string(p);
  std::string kinds;
  for (const auto& [k, n] : dataset.problems.counts_by_kind()) kinds += " " + k;
  FAIL("no problem of kind " << kind << "; kinds:" << kinds);
  return {};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 random(seed);
  std::string bytes(n, '\0');
  for (char& c : bytes) c = static_cast<char>(random() & 0xFF);
  return bytes;
}

/// A GeoJSON FeatureCollection in EPSG:4549 from feature JSON texts.
std::string geojson(const std::string& features, const std::string& crs = "EPSG::4549") {
  return R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:)" +
         crs + R"("}},"features":[)" + features + "]}";
}

std::string feature(const std::string& properties, const std::string& geometry) {
  return R"({"type":"Feature","properties":)" + properties + R"(,"geometry":)" + geometry + "}";
}

std::string square_json(double x, double y, double side) {
  auto p = [](double px, double py) {
    return "[" + std::to_string(px) + "," + std::to_string(py) + "]";
  };
  return R"({"type":"Polygon","coordinates":[[)" + p(x, y) + "," + p(x + side, y) + "," +
         p(x + side, y + side) + "," + p(x, y + side) + "," + p(x, y) + "]]}";
}

}  // namespace

// --- Files that are not what they claim ------------------------------------------------------

TEST_CASE("bad input: a corrupt GeoPackage (random bytes)", "[bad-input]") {
  TempDir dir("corrupt-gpkg");
  const std::string path = dir.file("town.gpkg");
  write_bytes(path, "SQLite format 3" + std::string(1, '\0') + random_bytes(8192, 1));
  const std::string message = load_error(path);
  record("corrupt GeoPackage (SQLite header, random pages)", message);
  CHECK(message.find(path) != std::string::npos);
}

TEST_CASE("bad input: an empty file", "[bad-input]") {
  TempDir dir("empty-file");
  const std::string path = dir.file("buildings.geojson");
  write_bytes(path, "");
  const std::string message = load_error(path);
  record("empty file (0 bytes)", message);
  CHECK(message.find("cannot open") != std::string::npos);
}

TEST_CASE("bad input: binary garbage named .geojson", "[bad-input]") {
  TempDir dir("garbage");
  const std::string path = dir.file("buildings.geojson");
  write_bytes(path, random_bytes(4096, 2));
  const std::string message = load_error(path);
  record("binary garbage named .geojson", message);
  CHECK(message.find("cannot open") != std::string::npos);
}

TEST_CASE("bad input: a directory where a file is expected", "[bad-input]") {
  TempDir dir("directory");
  const std::string path = dir.file("town.gpkg");
  std::filesystem::create_directories(path);
  const std::string message = load_error(path);
  record("a directory named town.gpkg", message);
  CHECK(message.find(path) != std::string::npos);
}

TEST_CASE("bad input: a Shapefile without its .dbf and .shx", "[bad-input]") {
  TempDir dir("no-dbf");
  const std::string path = dir.file("buildings.shp");
  write_layer(path, "ESRI Shapefile", "buildings", 4549, wkbPolygon, {},
              {{rect_wkt(kX, kY, 20, 12), {}}});
  std::filesystem::remove(dir.file("buildings.dbf"));
  std::filesystem::remove(dir.file("buildings.shx"));
  std::string message;
  try {
    const io::LoadResult result = load_one(path);
    // GDAL can rebuild a missing .shx; then the buildings load without attributes.
    message = "loaded " + std::to_string(result.dataset.buildings.size()) + " building(s)";
    for (const Problem& p : result.dataset.problems.problems())
      if (p.kind == "gdal-warning") message = to_string(p);
    CHECK(result.dataset.buildings.size() == 1);
  } catch (const InputError& e) {
    message = e.what();
    CHECK(message.find(path) != std::string::npos);
  }
  record("Shapefile without .dbf and .shx", message);
}

TEST_CASE("bad input: a .prj that is not a CRS", "[bad-input]") {
  TempDir dir("bad-prj");
  const std::string path = dir.file("buildings.shp");
  write_layer(path, "ESRI Shapefile", "buildings", 4549, wkbPolygon, {},
              {{rect_wkt(kX, kY, 20, 12), {}}});
  write_bytes(dir.file("buildings.prj"), "this is not a coordinate system");
  const std::string message = load_error(path);
  record("Shapefile whose .prj is not a CRS", message);
  CHECK(message.find("buildings") != std::string::npos);
}

TEST_CASE("bad input: a truncated OpenStreetMap XML file", "[bad-input]") {
  TempDir dir("osm-truncated");
  std::ifstream in(std::string(GRIDPLAN_TEST_DATA_DIR) + "/osm/small-town.osm");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string path = dir.file("town.osm");
  write_bytes(path, text.substr(0, text.size() / 2));
  std::string message;
  try {
    const io::LoadResult result = load_one(path);
    message = "loaded " + std::to_string(result.dataset.buildings.size()) + " building(s) of the " +
              "complete part";
    for (const Problem& p : result.dataset.problems.problems())
      if (p.kind == "gdal-warning") message = to_string(p);
  } catch (const InputError& e) {
    message = e.what();
    CHECK(message.find(path) != std::string::npos);
  }
  record("OpenStreetMap XML cut in the middle", message);
  CHECK_FALSE(message.empty());
}

// --- Coordinates and CRS ---------------------------------------------------------------------

TEST_CASE("bad input: metre coordinates in a layer that says EPSG:4326", "[bad-input]") {
  TempDir dir("wrong-crs");
  const std::string path = dir.file("buildings.geojson");
  write_bytes(path, geojson(feature("{}", square_json(kX, kY, 20)), "EPSG::4326"));
  std::string message;
  try {
    const io::LoadResult result = load_one(path);
    message = problem_text(result.dataset, "projection-failed");
    CHECK(result.dataset.buildings.empty());
  } catch (const InputError& e) {
    message = e.what();
  }
  record("wrong CRS: metre coordinates in a layer declared EPSG:4326", message);
  CHECK_FALSE(message.empty());
}

TEST_CASE("bad input: degree coordinates in a layer that says it is projected", "[bad-input]") {
  TempDir dir("degrees");
  const std::string path = dir.file("buildings.geojson");
  write_bytes(path, geojson(feature("{}", square_json(113.75, 40.36, 0.0002))));
  // The only building has no area, hence no household: a plan input is refused, naming it.
  CHECK_THROWS_WITH(load_one(path), Catch::Contains("no households") && Catch::Contains(path));
  io::LoadOptions describe;  // as inspect loads it
  describe.require_households = false;
  const io::LoadResult result = load_one(path, describe);
  const std::string message = problem_text(result.dataset, "zero-area");
  record("degree coordinates in a layer declared EPSG:4549 (metres)", message);
  CHECK(result.dataset.buildings.size() == 1);
}

TEST_CASE("bad input: infinite coordinates", "[bad-input]") {
  TempDir dir("inf");
  const std::string path = dir.file("town.gpkg");
  write_layer(path, "GPKG", "buildings", 4549, wkbPolygon, {}, {{rect_wkt(kX, kY, 20, 20), {}}});
  {
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    REQUIRE(ds);
    OGRLayer* layer = ds->GetLayerByName("buildings");
    OGRLinearRing ring;
    ring.addPoint(kX, kY);
    ring.addPoint(std::numeric_limits<double>::infinity(), kY + 10);
    ring.addPoint(kX + 10, kY + 10);
    ring.addPoint(kX, kY);
    OGRPolygon polygon;
    polygon.addRing(&ring);
    OGRFeatureUniquePtr f(OGRFeature::CreateFeature(layer->GetLayerDefn()));
    f->SetGeometry(&polygon);
    REQUIRE(layer->CreateFeature(f.get()) == OGRERR_NONE);
  }
  const io::LoadResult result = load_one(path);
  record("infinite coordinates", problem_text(result.dataset, "nan-coordinates"));
  CHECK(result.dataset.buildings.size() == 1);
  CHECK(result.sources.at(0).layers.at(0).skipped == 1);
}

TEST_CASE("bad input: 3D coordinates", "[bad-input]") {
  TempDir dir("3d");
  const std::string path = dir.file("buildings.geojson");
  write_layer(path, "GeoJSON", "buildings", 4549, wkbPolygon25D, {},
              {{"POLYGON Z((384000 3546000 5,384020 3546000 5,384020 3546012 5,384000 3546012 5,"
                "384000 3546000 5))",
                {}}});
  const io::LoadResult result = load_one(path);
  REQUIRE(result.dataset.buildings.size() == 1);
  CHECK(area(result.dataset.buildings[0].footprint) == Approx(240));
  record("3D coordinates (POLYGON Z)",
         "loaded; Z is dropped, the footprint is the 2D polygon (240 m²)");
}

TEST_CASE("bad input: coordinates of 1e300", "[bad-input]") {
  TempDir dir("huge-coordinates");
  const std::string path = dir.file("buildings.geojson");
  write_bytes(path,
              geojson(feature("{}", square_json(kX, kY, 20)) + "," +
                      feature("{}", R"({"type":"Polygon","coordinates":[[[384000,3546000],)"
                                    R"([1e300,3546000],[384000,1e300],[384000,3546000]]]})")));
  const io::LoadResult result = load_one(path);
  const std::string message = problem_text(result.dataset, "nan-coordinates");
  record("coordinates of 1e300 metres", message);
  CHECK(result.dataset.buildings.size() == 1);
  CHECK(result.sources.at(0).layers.at(0).skipped == 1);
}

// --- Geometry --------------------------------------------------------------------------------

TEST_CASE("bad input: a building with a courtyard hole", "[bad-input]") {
  TempDir dir("holes");
  const std::string path = dir.file("buildings.geojson");
  write_layer(path, "GeoJSON", "buildings", 4549, wkbPolygon, {},
              {{"POLYGON((384000 3546000,384020 3546000,384020 3546020,384000 3546020,"
                "384000 3546000),(384005 3546005,384005 3546015,384015 3546015,384015 3546005,"
                "384005 3546005))",
                {}}});
  const io::LoadResult result = load_one(path);
  REQUIRE(result.dataset.buildings.size() == 1);
  CHECK(area(result.dataset.buildings[0].footprint) == Approx(300));
  record("polygon with a hole (courtyard)",
         "loaded as one building; area excludes the hole (300 m² = 400 − 100)");
}

TEST_CASE("bad input: a building drawn as a multipolygon", "[bad-input]") {
  TempDir dir("multipolygon");
  const std::string path = dir.file("buildings.geojson");
  write_layer(path, "GeoJSON", "buildings", 4549, wkbMultiPolygon, {},
              {{"MULTIPOLYGON(((384000 3546000,384020 3546000,384020 3546012,384000 3546012,"
                "384000 3546000)),((384030 3546000,384050 3546000,384050 3546012,384030 3546012,"
                "384030 3546000)))",
                {}}});
  const io::LoadResult result = load_one(path);
  REQUIRE(result.dataset.buildings.size() == 1);
  CHECK(result.dataset.buildings[0].footprint.size() == 2);
  record("multipolygon building (two parts)", "loaded as one building with two parts (480 m²)");
}

TEST_CASE("bad input: an unclosed ring", "[bad-input]") {
  TempDir dir("unclosed");
  const std::string path = dir.file("buildings.geojson");
  write_bytes(path,
              geojson(feature("{}", R"({"type":"Polygon","coordinates":[[[384000,3546000],)"
                                    R"([384020,3546000],[384020,3546012],[384000,3546012]]]})")));
  std::string message;
  const io::LoadResult result = load_one(path);
  const std::size_t loaded = result.dataset.buildings.size();
  if (loaded == 1) {
    message = "loaded; the ring is closed (area " +
              std::to_string(std::lround(area(result.dataset.buildings[0].footprint))) + " m²)";
  } else {
    message = to_string(result.dataset.problems.problems().front());
  }
  record("unclosed ring (first point ≠ last)", message);
  CHECK(loaded + result.sources.at(0).layers.at(0).skipped == 1);
}

TEST_CASE("bad input: a gigantic building polygon (100 km)", "[bad-input]") {
  // Its estimated households (~10^8) once became ~5·10^7 unit atoms in the partitioner: memory
  // grew without end. Units are now capped per building; the plan finishes and says why the
  // building stays above the bounds.
  TempDir dir("gigantic");
  const std::string path = dir.file("buildings.geojson");
  write_bytes(path, geojson(feature("{}", square_json(kX, kY, 20)) + "," +
                            feature("{}", square_json(kX - 50000, kY - 50000, 100000))));
  const io::LoadResult result = load_one(path);
  REQUIRE(result.dataset.buildings.size() == 2);
  Progress progress;
  const PartitionParams params;
  const geo::Tessellation tessellation =
      geo::tessellate(result.dataset, tessellation_params(params), progress);
  const Plan plan = make_plan(result.dataset, tessellation, params, progress);
  std::string message;
  for (const Problem& p : plan.problems.problems())
    if (p.kind == "building-split-by-units" || p.kind == "container-granularity") {
      message = to_string(p);
      break;
    }
  record("gigantic building polygon (100 km × 100 km)", message);
  CHECK_FALSE(message.empty());
  CHECK(plan.building_micro.at(1) != kNone);
}

TEST_CASE("bad input: mixed geometry types in one building layer", "[bad-input]") {
  TempDir dir("mixed");
  const std::string path = dir.file("buildings.geojson");
  write_bytes(path,
              geojson(feature("{}", square_json(kX, kY, 20)) + "," +
                      feature("{}", R"({"type":"LineString","coordinates":[[384000,3546000],)"
                                    R"([384050,3546000]]})") +
                      "," + feature("{}", R"({"type":"Point","coordinates":[384000,3546000]})")));
  const io::LoadResult result = load_one(path);
  record("mixed geometry types in a building layer (polygon, line, point)",
         problem_text(result.dataset, "wrong-geometry-type"));
  CHECK(result.dataset.buildings.size() == 1);
  CHECK(result.sources.at(0).layers.at(0).skipped == 2);
}

TEST_CASE("bad input: a building layer given as points", "[bad-input]") {
  TempDir dir("points");
  const std::string path = dir.file("buildings.geojson");
  write_layer(path, "GeoJSON", "buildings", 4549, wkbPoint, {},
              {{"POINT(384000 3546000)", {}}, {"POINT(384050 3546000)", {}}});
  const io::LoadResult result = load_one(path);
  // 楼栋 points plan like footprints: a 10 m square each, estimated, said in one note.
  record("building layer of points", problem_text(result.dataset, "point-buildings"));
  CHECK(result.dataset.problems.counts_by_kind()["wrong-geometry-type"] == 0);
  REQUIRE(result.dataset.buildings.size() == 2);
  for (const Building& b : result.dataset.buildings) {
    CHECK(area(b.footprint) == Approx(100.0).epsilon(1e-6));
    CHECK(b.households_estimated);
    CHECK(b.households > 0);
  }
}

TEST_CASE("bad input: an empty building layer", "[bad-input]") {
  TempDir dir("empty-layer");
  const std::string path = dir.file("buildings.geojson");
  write_bytes(path, geojson(""));
  const io::LoadResult result = load_one(path);
  CHECK(result.dataset.buildings.empty());
  const hardening::ChildResult r = hardening::run_cli(
      {"run", "--input", path, "--out", dir.file("out"), "--no-simulation", "--quiet"}, {},
      dir.file("err"));
  const std::string message = hardening::cli_message(r.err);
  record("empty building layer (0 features) given to run", message);
  CHECK(r.exited);
  CHECK(r.exit_code == 3);
  CHECK_FALSE(std::filesystem::exists(dir.file("out")));
}

// --- Attributes ------------------------------------------------------------------------------

TEST_CASE("bad input: duplicate building ids", "[bad-input]") {
  TempDir dir("duplicate-ids");
  const std::string path = dir.file("buildings.geojson");
  write_bytes(path, geojson(feature(R"({"bid":7})", square_json(kX, kY, 20)) + "," +
                            feature(R"({"bid":7})", square_json(kX + 50, kY, 20))));
  const io::LoadResult result = load_one(path);
  // Both are kept and both keep bid 7 (each is located by file:layer:fid); the second is a
  // warning naming the first, since a building→grid table keyed by bid would be ambiguous.
  REQUIRE(result.dataset.buildings.size() == 2);
  CHECK(result.dataset.buildings[0].id == result.dataset.buildings[1].id);
  record("duplicate building ids (bid 7 twice)",
         problem_text(result.dataset, "duplicate-building-id"));
}

TEST_CASE("bad input: a household count beyond any integer", "[bad-input]") {
  TempDir dir("huge-households");
  const std::string path = dir.file("buildings.geojson");
  write_bytes(path, geojson(feature(R"({"households":99999999999})", square_json(kX, kY, 20))));
  const io::LoadResult result = load_one(path);
  REQUIRE(result.dataset.buildings.size() == 1);
  record("household count 99999999999 (beyond int)",
         problem_text(result.dataset, "unreadable-households"));
}

TEST_CASE("bad input: a household count that is text", "[bad-input]") {
  TempDir dir("text-households");
  const std::string path = dir.file("buildings.geojson");
  write_bytes(path, geojson(feature(R"({"households":"abc"})", square_json(kX, kY, 20))));
  const io::LoadResult result = load_one(path);
  REQUIRE(result.dataset.buildings.size() == 1);
  record("household count 'abc' (text)", problem_text(result.dataset, "unreadable-households"));
}

TEST_CASE("bad input: a negative household count", "[bad-input]") {
  TempDir dir("negative-households");
  const std::string path = dir.file("buildings.geojson");
  write_bytes(path, geojson(feature(R"({"households":-5})", square_json(kX, kY, 20))));
  const io::LoadResult result = load_one(path);
  REQUIRE(result.dataset.buildings.size() == 1);
  record("negative household count (-5)", problem_text(result.dataset, "negative-households"));
}

TEST_CASE("bad input: negative floors", "[bad-input]") {
  TempDir dir("negative-floors");
  const std::string path = dir.file("buildings.geojson");
  write_bytes(path, geojson(feature(R"({"floors":-3})", square_json(kX, kY, 20))));
  const io::LoadResult result = load_one(path);
  REQUIRE(result.dataset.buildings.size() == 1);
  CHECK(result.dataset.buildings[0].floors >= 0);
  record("negative floors (-3)", problem_text(result.dataset, "negative-floors"));
}

TEST_CASE("bad input: non-UTF-8 text in a GeoJSON", "[bad-input]") {
  TempDir dir("gbk-geojson");
  const std::string path = dir.file("buildings.geojson");
  // "测试" in GBK: not valid UTF-8, which GeoJSON requires.
  write_bytes(path, geojson(feature("{\"name\":\"\xb2\xe2\xca\xd4\"}", square_json(kX, kY, 20))));
  const io::LoadResult result = load_one(path);
  // GDAL's GeoJSON driver passes the bytes through: the building loads with them, and a warning
  // names the feature and says to convert the file to UTF-8.
  REQUIRE(result.dataset.buildings.size() == 1);
  record("GBK bytes in a GeoJSON (must be UTF-8)", problem_text(result.dataset, "text-not-utf8"));
}

TEST_CASE("bad input: two inputs with the same layer name", "[bad-input]") {
  TempDir dir("duplicate-layers");
  const std::string a = dir.file("a.gpkg"), b = dir.file("b.gpkg");
  write_layer(a, "GPKG", "buildings", 4549, wkbPolygon, {}, {{rect_wkt(kX, kY, 20, 12), {}}});
  write_layer(b, "GPKG", "buildings", 4549, wkbPolygon, {}, {{rect_wkt(kX + 50, kY, 20, 12), {}}});
  io::LoadOptions options;
  options.inputs.push_back({a, "", {}});
  options.inputs.push_back({b, "", {}});
  Progress progress;
  const io::LoadResult result = io::load(options, progress);
  CHECK(result.dataset.buildings.size() == 2);
  CHECK(result.dataset.buildings[0].source.file != result.dataset.buildings[1].source.file);
  record("two inputs each with a layer named 'buildings'",
         "both loaded; every building keeps its own file:layer:fid (" +
             to_string(Problem{Severity::info, "", result.dataset.buildings[1].source, "…"}) + ")");
}

TEST_CASE("bad input: the same file given twice", "[bad-input]") {
  TempDir dir("same-file");
  const std::string a = dir.file("buildings.gpkg");
  write_layer(a, "GPKG", "buildings", 4549, wkbPolygon, {}, {{rect_wkt(kX, kY, 20, 12), {}}});
  io::LoadOptions options;
  options.inputs.push_back({a, "", {}});
  options.inputs.push_back({a, "", {}});
  Progress progress;
  const io::LoadResult result = io::load(options, progress);
  record("the same input file given twice", problem_text(result.dataset, "duplicate-building"));
}

// --- Scenarios -------------------------------------------------------------------------------

namespace {
std::string scenario_error(const std::string& text, const std::string& path) {
  try {
    (void)pipeline::parse_scenario(text, path);
  } catch (const ConfigError& e) {
    return e.what();
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL("expected the scenario to be rejected: " << text.substr(0, 80));
  return {};
}
}  // namespace

TEST_CASE("bad input: scenario of binary garbage", "[bad-input][scenario]") {
  TempDir dir("scenario-garbage");
  const std::string message = scenario_error(random_bytes(512, 3), dir.file("s.toml"));
  record("scenario file of binary garbage", message);
  CHECK(message.find("s.toml") != std::string::npos);
}

TEST_CASE("bad input: scenario with an integer beyond 64 bits", "[bad-input][scenario]") {
  TempDir dir("scenario-bigint");
  const std::string message =
      scenario_error("[grids.large]\nmin = 99999999999999999999\n", dir.file("s.toml"));
  record("scenario: grids.large.min = 99999999999999999999", message);
  CHECK(message.find("s.toml") != std::string::npos);
}

TEST_CASE("bad input: scenario bounds beyond int", "[bad-input][scenario]") {
  TempDir dir("scenario-int");
  const std::string message =
      scenario_error("[grids.large]\nmin = 300\nmax = 9999999999\n", dir.file("s.toml"));
  record("scenario: grids.large.max = 9999999999 (beyond int)", message);
  CHECK(message.find("grids.large.max") != std::string::npos);
}

TEST_CASE("bad input: scenario that is a directory", "[bad-input][scenario]") {
  TempDir dir("scenario-dir");
  std::filesystem::create_directories(dir.file("s.toml"));
  const hardening::ChildResult r = hardening::run_cli(
      {"run", dir.file("s.toml"), "--out", dir.file("out"), "--quiet"}, {}, dir.file("err"));
  const std::string message = hardening::cli_message(r.err);
  record("scenario path is a directory", message);
  CHECK(r.exited);
  CHECK(r.exit_code != 0);
  CHECK_FALSE(std::filesystem::exists(dir.file("out")));
}

TEST_CASE("bad input: an empty scenario file", "[bad-input][scenario]") {
  TempDir dir("scenario-empty");
  const std::string path = dir.file("s.toml");
  write_bytes(path, "");
  const hardening::ChildResult r =
      hardening::run_cli({"run", path, "--out", dir.file("out"), "--quiet"}, {}, dir.file("err"));
  const std::string message = hardening::cli_message(r.err);
  record("empty scenario file given to run", message);
  CHECK(r.exited);
  CHECK(r.exit_code == 4);
  CHECK(message.find("no input files") != std::string::npos);
}
