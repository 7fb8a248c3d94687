// Shapefiles as surveying bureaus deliver them: GBK text, Chinese field names, missing .cpg,
// truncated files; and the errors for missing files and wrong field names.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "io_test_support.hpp"
#include "planner/core/errors.hpp"
#include "planner/io/load.hpp"

using namespace gp;

namespace {

/// A GBK-encoded buildings shapefile (EPSG:4549) with Chinese values and a 户数 field.
std::string write_gbk_buildings(const io::test::TempDir& dir) {
  const std::string path = dir.file("楼栋.shp");
  std::vector<io::test::TestFeature> features;
  for (int i = 0; i < 3; ++i)
    features.push_back({io::test::rect_wkt(384000 + 40.0 * i, 3546000, 30, 12),
                        {{"名称", std::to_string(i + 1) + "号楼"},
                         {"户数", std::to_string(24 + i)},
                         {"小区", "幸福里小区"},
                         {"用途", "住宅"}}});
  io::test::write_layer(
      path, "ESRI Shapefile", "楼栋", 4549, wkbPolygon,
      {{"名称", OFTString}, {"户数", OFTInteger}, {"小区", OFTString}, {"用途", OFTString}},
      features, {"ENCODING=GBK"});
  return path;
}

io::LoadResult load_one(const std::string& path, io::LoadOptions options = {}) {
  options.inputs.push_back({path, "", {}});
  Progress progress;
  return io::load(options, progress);
}

}  // namespace

TEST_CASE("GBK shapefile with .cpg: Chinese names and fields survive", "[shapefile][encoding]") {
  io::test::TempDir dir("gbk");
  const std::string path = write_gbk_buildings(dir);
  REQUIRE(std::filesystem::exists(dir.file("楼栋.cpg")));
  {
    // The bytes on disk really are GBK: 号 is 0xBA 0xC5.
    std::ifstream dbf(dir.file("楼栋.dbf"), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(dbf)), {});
    CHECK(bytes.find("\xBA\xC5") != std::string::npos);
  }
  const io::LoadResult result = load_one(path);
  const Dataset& d = result.dataset;
  REQUIRE(d.buildings.size() == 3);  // role detected from the layer name 楼栋
  CHECK(d.buildings[0].name == "1号楼");
  CHECK(d.buildings[2].name == "3号楼");
  CHECK(d.buildings[1].households == 25);
  CHECK_FALSE(d.buildings[1].households_estimated);
  CHECK(d.buildings[0].compound_ref == "幸福里小区");
  CHECK(d.buildings[0].use == BuildingUse::residential);
  const io::LayerReport& layer = result.sources.at(0).layers.at(0);
  CHECK(layer.role == io::LayerRole::buildings);
  CHECK(layer.encoding_from == "cpg");
  CHECK(layer.field_mapping.at("households") == "户数");
  CHECK(layer.field_mapping.at("name") == "名称");
}

TEST_CASE("GBK shapefile without .cpg: read as GB18030 (said), --encoding overrides",
          "[shapefile][encoding]") {
  io::test::TempDir dir("gbk-nocpg");
  const std::string path = write_gbk_buildings(dir);
  std::filesystem::remove(dir.file("楼栋.cpg"));

  // The field names are GBK too; map the roles explicitly so the test does not depend on them.
  io::LoadOptions options;
  options.encoding = "GBK";
  const io::LoadResult result = load_one(path, options);
  REQUIRE(result.dataset.buildings.size() == 3);
  CHECK(result.dataset.buildings[0].name == "1号楼");
  CHECK(result.dataset.buildings[0].households == 24);
  CHECK(result.sources.at(0).layers.at(0).encoding_from == "option");

  // Without an encoding: not UTF-8, but clean GB18030 — read as GB18030, and said so. The
  // layer's Chinese name and field names are recognised (role from 楼栋, 户数, 名称).
  const io::LoadResult detected = load_one(path);
  auto kinds = detected.dataset.problems.counts_by_kind();
  CHECK(kinds["encoding-detected"] == 1);
  CHECK(kinds["unknown-encoding"] == 0);
  REQUIRE(detected.dataset.buildings.size() == 3);
  CHECK(detected.dataset.buildings[0].name == "1号楼");
  CHECK(detected.dataset.buildings[0].households == 24);
  CHECK_FALSE(detected.dataset.buildings[0].households_estimated);
  CHECK(detected.sources.at(0).layers.at(0).encoding_from == "detected");
  CHECK(detected.sources.at(0).layers.at(0).field_mapping.at("households") == "户数");

  // Bytes that are neither UTF-8 nor GB18030 are not guessed: the warning stays.
  io::test::TempDir bad("latin-nocpg");
  const std::string latin = bad.file("blds.shp");
  io::test::write_layer(latin, "ESRI Shapefile", "blds", 4549, wkbPolygon, {{"name", OFTString}},
                        {{io::test::rect_wkt(384000, 3546000, 30, 12),
                          {{"name",
                            "a\xff\xff"
                            "b"}}}},
                        {"ENCODING=UTF-8"});  // bytes written as given
  std::filesystem::remove(bad.file("blds.cpg"));
  io::LoadOptions plain;
  plain.layer_roles["blds"] = io::LayerRole::buildings;
  const auto raw_kinds = load_one(latin, plain).dataset.problems.counts_by_kind();
  CHECK(raw_kinds.count("encoding-detected") == 0);
}

TEST_CASE("configured field names: aliases, explicit mapping, unknown field", "[shapefile]") {
  io::test::TempDir dir("fields");
  const std::string path = dir.file("blds.gpkg");
  io::test::write_layer(path, "GPKG", "buildings", 4549, wkbPolygon,
                        {{"HU_SHU", OFTInteger}, {"Levels", OFTInteger}, {"NAME", OFTString}},
                        {{io::test::rect_wkt(384000, 3546000, 30, 12),
                          {{"HU_SHU", "40"}, {"Levels", "7"}, {"NAME", "A"}}}});
  SECTION("aliases are case-insensitive; unmapped households are estimated") {
    const Dataset d = load_one(path).dataset;
    REQUIRE(d.buildings.size() == 1);
    CHECK(d.buildings[0].floors == 7);
    CHECK(d.buildings[0].name == "A");
    CHECK(d.buildings[0].households_estimated);
  }
  SECTION("an explicit mapping is used") {
    io::LoadOptions options;
    options.fields[io::LayerRole::buildings]["households"] = "hu_shu";
    const Dataset d = load_one(path, options).dataset;
    CHECK(d.buildings[0].households == 40);
    CHECK_FALSE(d.buildings[0].households_estimated);
  }
  SECTION("a field that does not exist is an error listing the fields") {
    io::LoadOptions options;
    options.fields[io::LayerRole::buildings]["households"] = "HH_COUNT";
    try {
      load_one(path, options);
      FAIL("expected gp::InputError");
    } catch (const InputError& e) {
      const std::string message = e.what();
      CHECK(message.find("HH_COUNT") != std::string::npos);
      CHECK(message.find("HU_SHU, Levels, NAME") != std::string::npos);
    }
  }
  SECTION("an unknown key is a configuration error") {
    io::LoadOptions options;
    options.fields[io::LayerRole::buildings]["flats"] = "HU_SHU";
    CHECK_THROWS_AS(load_one(path, options), ConfigError);
  }
}

TEST_CASE("a truncated .shp is a clear input error", "[shapefile][errors]") {
  io::test::TempDir dir("truncated");
  const std::string path = dir.file("buildings.shp");
  std::vector<io::test::TestFeature> features;
  for (int i = 0; i < 200; ++i)
    features.push_back(
        {io::test::rect_wkt(384000 + 40.0 * (i % 20), 3546000 + 30.0 * (i / 20), 30, 12), {}});
  io::test::write_layer(path, "ESRI Shapefile", "buildings", 4549, wkbPolygon, {}, features);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  try {
    load_one(path);
    FAIL("expected gp::InputError");
  } catch (const InputError& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK(message.find(path) != std::string::npos);
    CHECK(message.find("truncated or corrupt") != std::string::npos);
    CHECK(message.find("could not be read") != std::string::npos);
  }
}

TEST_CASE("missing and unreadable files are input errors naming the file", "[errors]") {
  io::test::TempDir dir("missing");
  try {
    load_one(dir.file("nowhere.gpkg"));
    FAIL("expected gp::InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("nowhere.gpkg: file not found") != std::string::npos);
  }
  const std::string junk = dir.file("junk.geojson");
  std::ofstream(junk) << "{ this is not json";
  try {
    load_one(junk);
    FAIL("expected gp::InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("junk.geojson: cannot open") != std::string::npos);
  }
  io::LoadOptions options;
  options.inputs.push_back(
      {std::string(GRIDPLAN_TEST_DATA_DIR) + "/osm/small-town.osm", "no_such_layer", {}});
  Progress progress;
  try {
    io::load(options, progress);
    FAIL("expected gp::InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("multipolygons") != std::string::npos);
  }
}
