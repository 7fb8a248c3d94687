// GIS exports opened with GDAL: layer names, field names, counts, CRS and Chinese text, in
// GeoPackage, Shapefile (UTF-8 and GBK) and GeoJSON; reading back with geopandas when installed;
// atomic output directories; checksums.

#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "io_test_support.hpp"
#include "planner/core/errors.hpp"
#include "planner/io/export.hpp"
#include "planner/io/load.hpp"
#include "planner/report/layers.hpp"

namespace fs = std::filesystem;
using namespace gp;

namespace {

MultiPolygon square(double x, double y, double size) {
  return {Polygon{{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}, {}}};
}

std::string wkt_of_epsg(int epsg) {
  io::test::register_gdal();
  OGRSpatialReference srs;
  srs.importFromEPSG(epsg);
  char* text = nullptr;
  srs.exportToWkt(&text);
  std::string wkt = text;
  CPLFree(text);
  return wkt;
}

/// A town of four buildings in one community, two large grids of one micro grid each, one
/// station. EPSG:4547 (CGCS2000 3-degree GK CM 114E): x 500 000 is the central meridian.
struct Town {
  Dataset dataset;
  Plan plan;
  Town() {
    dataset.crs_wkt = wkt_of_epsg(4547);
    dataset.crs_epsg = 4547;
    Community community;
    community.code = "140221100001";
    community.name = "西城社区";
    community.footprint = square(500000, 3500000, 200);
    dataset.communities.push_back(community);
    Compound compound;
    compound.name = "丽景嘉园";
    compound.footprint = square(500000, 3500000, 100);
    compound.community = 0;
    dataset.compounds.push_back(compound);
    for (int i = 0; i < 4; ++i) {
      Building b;
      b.id = 1001 + i;
      b.name = "楼栋" + std::to_string(i + 1) + "号";
      b.households = 30 + 10 * i;
      b.floors = 6;
      b.footprint = square(500010 + (i % 2) * 100, 3500010 + (i / 2) * 100, 30);
      b.community = 0;
      b.compound = i == 0 ? 0 : kNone;
      b.source = {"town.gpkg", "buildings", i + 1};
      dataset.buildings.push_back(b);
    }
    Station station;
    station.id = 7;
    station.name = "西城社区党群服务中心";
    station.tier = StationTier::community_centre;
    station.floor_m2 = 650;
    station.location = {500100, 3500100};
    dataset.stations.push_back(station);
    dataset.problems.report(Severity::warning, "households-estimated",
                            {"town.gpkg", "buildings", 2},
                            "户数由面积估算 (households estimated from floor area)");
    for (int g = 0; g < 2; ++g) {
      Grid large;
      large.level = GridLevel::large;
      large.code = "14022110000" + std::string(g == 0 ? "101" : "102");
      large.name = "西城社区第0" + std::to_string(g + 1) + "网格";
      large.community = 0;
      large.polygon = {Polygon{{{500000.0 + g * 100, 3500000},
                                {500100.0 + g * 100, 3500000},
                                {500100.0 + g * 100, 3500200},
                                {500000.0 + g * 100, 3500200},
                                {500000.0 + g * 100, 3500000}},
                               {}}};
      large.buildings = {g, g + 2};
      large.metrics.households =
          dataset.buildings[g].households + dataset.buildings[g + 2].households;
      large.metrics.buildings = 2;
      large.metrics.below_min = g == 0;
      plan.large_grids.push_back(large);
      Grid micro = large;
      micro.level = GridLevel::micro;
      micro.code = large.code + "01";
      micro.parent = g;
      plan.micro_grids.push_back(micro);
    }
    plan.building_large = {0, 1, 0, 1};
    plan.building_micro = {0, 1, 0, 1};
  }
};

struct Opened {
  GDALDatasetUniquePtr dataset;
  explicit Opened(const std::string& path) {
    io::test::register_gdal();
    dataset.reset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR));
    REQUIRE(dataset);
  }
};

std::vector<std::string> field_names(OGRLayer& layer) {
  std::vector<std::string> names;
  OGRFeatureDefn* defn = layer.GetLayerDefn();
  for (int i = 0; i < defn->GetFieldCount(); ++i)
    names.push_back(defn->GetFieldDefn(i)->GetNameRef());
  return names;
}

bool has_all(const std::vector<std::string>& names, const std::vector<std::string>& wanted) {
  for (const std::string& w : wanted)
    if (std::find(names.begin(), names.end(), w) == names.end()) {
      UNSCOPED_INFO("missing field " << w);
      return false;
    }
  return true;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("the GeoPackage has every layer, the issue's fields, the input CRS and Chinese text") {
  Town town;
  io::test::TempDir dir("export-gpkg");
  const auto layers = report::build_layers(town.dataset, town.plan, nullptr, town.dataset.problems);
  const io::ExportResult result = io::export_layers(layers, town.dataset.crs_wkt, dir.file(""), {});
  CHECK(result.crs_epsg == 4547);
  Opened gpkg(dir.file("plan.gpkg"));
  for (const char* name :
       {"communities", "large_grids", "micro_grids", "buildings", "stations", "diagnostics"})
    CHECK(gpkg.dataset->GetLayerByName(name) != nullptr);

  OGRLayer& buildings = *gpkg.dataset->GetLayerByName("buildings");
  CHECK(buildings.GetFeatureCount() == 4);
  CHECK(has_all(field_names(buildings), {"bid", "households", "hh_est", "floors", "compound",
                                         "community", "large_code", "micro_code"}));
  OGRLayer& large = *gpkg.dataset->GetLayerByName("large_grids");
  CHECK(large.GetFeatureCount() == 2);
  CHECK(has_all(field_names(large), {"code", "community", "households", "buildings", "micro_count",
                                     "workers", "area_m2", "compact", "station", "violation"}));
  CHECK(has_all(field_names(*gpkg.dataset->GetLayerByName("micro_grids")),
                {"code", "large_code", "households", "buildings", "workers", "area_m2", "compact",
                 "violation"}));
  CHECK(
      has_all(field_names(*gpkg.dataset->GetLayerByName("stations")),
              {"sid", "name", "tier", "floor_m2", "hh_served", "hh_5min", "hh_10min", "hh_15min"}));
  REQUIRE(large.GetSpatialRef() != nullptr);
  CHECK(std::string(large.GetSpatialRef()->GetAuthorityCode(nullptr)) == "4547");
  // Chinese text, an alias in Chinese, and the values.
  OGRFeatureUniquePtr first(large.GetFeature(1));
  REQUIRE(first);
  CHECK(std::string(first->GetFieldAsString("community")) == "西城社区");
  CHECK(std::string(first->GetFieldAsString("name")) == "西城社区第01网格");
  CHECK(std::string(first->GetFieldAsString("violation")) == "below_min");
  CHECK(first->GetFieldAsInteger64("households") == 80);
  OGRFeatureUniquePtr building(buildings.GetFeature(1));
  CHECK(std::string(building->GetFieldAsString("compound")) == "丽景嘉园");
  CHECK(building->GetFieldAsInteger64("bid") == 1001);
  OGRLayer& diagnostics = *gpkg.dataset->GetLayerByName("diagnostics");
  CHECK(diagnostics.GetFeatureCount() == 1);
  OGRFeatureUniquePtr problem(diagnostics.GetNextFeature());
  CHECK(std::string(problem->GetFieldAsString("message")).find("户数由面积估算") == 0);
  REQUIRE(problem->GetGeometryRef() != nullptr);  // located at building 2
}

TEST_CASE(
    "Shapefiles: one per layer with .prj and .cpg, short ASCII names, fields.csv, UTF-8 or GBK") {
  Town town;
  const auto layers = report::build_layers(town.dataset, town.plan, nullptr, town.dataset.problems);
  for (const std::string encoding : {"UTF-8", "GBK"}) {
    INFO(encoding);
    io::test::TempDir dir("export-shp");
    io::ExportOptions options;
    options.formats = {"shp", "geojson"};
    options.shapefile_encoding = encoding;
    io::export_layers(layers, town.dataset.crs_wkt, dir.file(""), options);
    for (const report::LayerTable& layer : layers) {
      for (const char* ext : {".shp", ".shx", ".dbf", ".prj", ".cpg"})
        CHECK(fs::exists(dir.file("shp/" + layer.name + ext)));
      CHECK(fs::exists(dir.file("geojson/" + layer.name + ".geojson")));
    }
    const std::string cpg = read_file(dir.file("shp/large_grids.cpg"));
    CHECK(cpg.find(encoding == "UTF-8" ? "UTF-8" : "936") != std::string::npos);
    Opened shp(dir.file("shp/large_grids.shp"));
    OGRLayer& large = *shp.dataset->GetLayer(0);
    for (const std::string& name : field_names(large)) {
      CHECK(name.size() <= 10);
      CHECK(std::all_of(name.begin(), name.end(), [](char c) { return c > 0 && c < 127; }));
    }
    CHECK(has_all(field_names(large), {"code", "community", "households", "micro_cnt", "compact"}));
    OGRFeatureUniquePtr first(large.GetNextFeature());
    CHECK(std::string(first->GetFieldAsString("community")) == "西城社区");
    CHECK(std::string(large.GetSpatialRef()->GetName()).find("114E") != std::string::npos);
    const std::string aliases = read_file(dir.file("shp/fields.csv"));
    CHECK(aliases.find("large_grids,micro_cnt,micro_count,微网格数,integer") != std::string::npos);
    Opened geojson(dir.file("geojson/buildings.geojson"));
    OGRFeatureUniquePtr building(geojson.dataset->GetLayer(0)->GetNextFeature());
    CHECK(std::string(building->GetFieldAsString("name")) == "楼栋1号");
  }
}

TEST_CASE("exports reproject to the CRS asked for") {
  Town town;
  io::test::TempDir dir("export-crs");
  const auto layers = report::build_layers(town.dataset, town.plan, nullptr, town.dataset.problems);
  io::ExportOptions options;
  options.crs = "EPSG:4326";
  const io::ExportResult result =
      io::export_layers(layers, town.dataset.crs_wkt, dir.file(""), options);
  CHECK(result.crs_epsg == 4326);
  Opened gpkg(dir.file("plan.gpkg"));
  OGRLayer& stations = *gpkg.dataset->GetLayerByName("stations");
  OGRFeatureUniquePtr station(stations.GetNextFeature());
  const OGRPoint* point = station->GetGeometryRef()->toPoint();
  CHECK(point->getX() == Approx(114.001).margin(0.01));  // x 500 100 m on the CM 114E zone
  CHECK(point->getY() == Approx(31.62).margin(0.05));
  CHECK_THROWS_AS(io::export_layers(layers, town.dataset.crs_wkt, dir.file("x"),
                                    io::ExportOptions{{}, "EPSG:99999999", "UTF-8", {}}),
                  ConfigError);
}

TEST_CASE("geopandas reads the Shapefiles back with Chinese text intact") {
  // Debian's python3-geopandas lives in the system interpreter, which a pyenv or venv python3
  // earlier on PATH would hide.
  std::string python;
  for (const char* candidate : {"python3", "/usr/bin/python3"})
    if (std::system((std::string(candidate) + " -c 'import geopandas' >/dev/null 2>&1").c_str()) ==
        0) {
      python = candidate;
      break;
    }
  if (python.empty()) {
    WARN("python3-geopandas is not installed: skipped");
    return;
  }
  Town town;
  const auto layers = report::build_layers(town.dataset, town.plan, nullptr, town.dataset.problems);
  for (const std::string encoding : {"UTF-8", "GBK"}) {
    io::test::TempDir dir("export-geopandas");
    io::ExportOptions options;
    options.formats = {"shp"};
    options.shapefile_encoding = encoding;
    io::export_layers(layers, town.dataset.crs_wkt, dir.file(""), options);
    // geopandas/fiona honour the .cpg; the check prints nothing and exits 0 when text matches.
    const std::string script =
        "import geopandas, sys\n"
        "g = geopandas.read_file(sys.argv[1])\n"
        "assert list(g['community']) == ['西城社区', '西城社区'], list(g['community'])\n"
        "assert g.crs.to_epsg() == 4547, g.crs\n"
        "b = geopandas.read_file(sys.argv[2])\n"
        "assert b['name'][0] == '楼栋1号', b['name'][0]\n"
        "assert b['compound'][0] == '丽景嘉园'\n";
    std::ofstream(dir.file("check.py")) << script;
    const std::string command = python + " " + dir.file("check.py") + " " +
                                dir.file("shp/large_grids.shp") + " " +
                                dir.file("shp/buildings.shp");
    INFO(encoding << ": " << command);
    CHECK(std::system(command.c_str()) == 0);
  }
}

TEST_CASE("output directories are atomic, refuse existing ones and protect inputs") {
  io::test::TempDir root("export-atomic");
  const std::string out = root.file("run");
  {
    io::OutputDirectory dir(out, false, {});
    CHECK(!fs::exists(out));
    CHECK(fs::path(dir.path()).parent_path() == fs::path(out).parent_path());
    io::write_text(dir.path() + "/a.txt", "half");
    // Not committed (an exception, an interruption): nothing at `out`, no temporary left.
  }
  CHECK(!fs::exists(out));
  for (const auto& entry : fs::directory_iterator(root.file(""))) FAIL(entry.path().string());
  {
    io::OutputDirectory dir(out, false, {});
    io::write_text(dir.path() + "/a.txt", "first");
    dir.commit();
  }
  CHECK(read_file(out + "/a.txt") == "first");
  CHECK_THROWS_WITH(io::OutputDirectory(out, false, {}),
                    Catch::Contains("exists; pass --overwrite to replace it"));
  {
    io::OutputDirectory dir(out, true, {});
    io::write_text(dir.path() + "/b.txt", "second");
    CHECK(read_file(out + "/a.txt") == "first");  // untouched until the commit
    dir.commit();
  }
  CHECK(!fs::exists(out + "/a.txt"));
  CHECK(read_file(out + "/b.txt") == "second");
  // An input inside the output directory, or the output directory itself as an input.
  CHECK_THROWS_AS(io::OutputDirectory(out, true, {out + "/b.txt"}), OutputError);
  CHECK_THROWS_AS(io::OutputDirectory(out, true, {out}), OutputError);
  CHECK(read_file(out + "/b.txt") == "second");
}

TEST_CASE("SHA-256 matches the FIPS 180-4 examples") {
  CHECK(io::sha256_hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(io::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(io::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(io::sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("a grid's reason for being outside its bounds goes into plan.gpkg and loads back") {
  Town town;
  const std::string why =
      "container-below-minimum: community '西城社区': an area of 2 buildings cut off by hard "
      "barriers holds 80 households, fewer than the large-grid minimum of 300";
  town.plan.large_grids[0].bounds_reason = why;
  town.plan.large_grids[1].bounds_reason = "stale: this grid is within its bounds";
  io::test::TempDir dir("export-bounds-why");
  const auto layers = report::build_layers(town.dataset, town.plan, nullptr, town.dataset.problems);
  io::export_layers(layers, town.dataset.crs_wkt, dir.file(""), {});
  {
    Opened gpkg(dir.file("plan.gpkg"));
    OGRLayer& large = *gpkg.dataset->GetLayerByName("large_grids");
    CHECK(has_all(field_names(large), {"bounds_why"}));
    CHECK(has_all(field_names(*gpkg.dataset->GetLayerByName("micro_grids")), {"bounds_why"}));
    OGRFeatureUniquePtr first(large.GetFeature(1));
    CHECK(std::string(first->GetFieldAsString("bounds_why")) == why);
    // Within the bounds: no reason written, whatever the grid carried.
    OGRFeatureUniquePtr second(large.GetFeature(2));
    CHECK(std::string(second->GetFieldAsString("bounds_why")).empty());
  }
  // Read back as grids (`gridplan check`, `--existing`): the reason comes with the grid.
  io::LoadOptions options;
  options.inputs = {{dir.file("plan.gpkg"), "large_grids", io::LayerRole::grids}};
  Progress progress;
  const io::LoadResult loaded = io::load(options, progress);
  REQUIRE(loaded.dataset.existing_grids.size() == 2);
  std::vector<std::string> reasons;
  for (const ExistingGrid& g : loaded.dataset.existing_grids) reasons.push_back(g.bounds_reason);
  CHECK(std::count(reasons.begin(), reasons.end(), why) == 1);
  CHECK(std::count(reasons.begin(), reasons.end(), std::string()) == 1);
}
