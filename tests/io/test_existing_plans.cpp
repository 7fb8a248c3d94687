// Existing plans as grid-management platforms and GridPlanner export them: one GBK Shapefile
// with 网格编码 / 网格名称 / 网格级别 / 上级编码 (no .cpg, no language byte), two layers 大网格 and
// 微网格, and plan.gpkg's large_grids / micro_grids with large_code as the micro grid's parent.
// Built from the demo town's own grids layer (data/demo-town.gpkg, EPSG:4547).

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "io_test_support.hpp"
#include "planner/io/load.hpp"
#include "planner/io/plan_import.hpp"

using namespace gp;

namespace {

struct SourceGrid {
  std::string code, name, level, parent, wkt;
};

std::vector<SourceGrid> demo_grids() {
  io::test::register_gdal();
  const std::string path = std::string(GRIDPLAN_SOURCE_DIR) + "/data/demo-town.gpkg";
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                            nullptr, nullptr, nullptr));
  REQUIRE(ds);
  OGRLayer* layer = ds->GetLayerByName("grids");
  REQUIRE(layer);
  std::vector<SourceGrid> out;
  for (auto& f : *layer) {
    char* wkt = nullptr;
    f->GetGeometryRef()->exportToWkt(&wkt);
    out.push_back({f->GetFieldAsString("code"), f->GetFieldAsString("name"),
                   f->GetFieldAsString("level"), f->GetFieldAsString("parent"), wkt});
    CPLFree(wkt);
  }
  return out;
}

/// Zeroes the DBF language driver byte (offset 29) and removes the .cpg: bureau data as it comes.
void strip_encoding_marks(const io::test::TempDir& dir, const std::string& stem) {
  std::filesystem::remove(dir.file(stem + ".cpg"));
  std::fstream dbf(dir.file(stem + ".dbf"), std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(dbf);
  dbf.seekp(29);
  dbf.put('\0');
}

io::LoadResult load_plan(const std::string& path) {
  io::ExistingPlanSettings settings;
  settings.path = path;
  const io::ExistingPlanSource source = io::inspect_existing_plan(settings);
  REQUIRE(source.kind == io::ExistingPlanKind::grid_polygons);
  io::LoadOptions options;
  options.inputs = source.grid_inputs;
  Progress progress;
  return io::load(options, progress);
}

/// Same levels and parents as the source, by code.
void check_levels(const Dataset& d, const std::vector<SourceGrid>& source) {
  std::size_t large = 0, micro = 0;
  for (const SourceGrid& g : source) (g.level == "large" ? large : micro) += 1;
  REQUIRE(large > 0);
  REQUIRE(micro > 0);
  std::map<std::string, const ExistingGrid*> by_code;
  std::size_t got_large = 0, got_micro = 0;
  for (const ExistingGrid& g : d.existing_grids) {
    by_code[g.code] = &g;
    (g.level == GridLevel::large ? got_large : got_micro) += 1;
  }
  CHECK(got_large == large);
  CHECK(got_micro == micro);
  for (const SourceGrid& g : source) {
    INFO(g.code);
    REQUIRE(by_code.count(g.code) == 1);
    const ExistingGrid& e = *by_code[g.code];
    CHECK((e.level == GridLevel::large) == (g.level == "large"));
    if (g.level == "micro") CHECK(e.parent_code == g.parent);
  }
}

}  // namespace

TEST_CASE("platform export: one GBK shapefile with 网格级别 and 上级编码 imports both levels",
          "[existing][shapefile][encoding]") {
  const std::vector<SourceGrid> source = demo_grids();
  for (const auto& [large_value, micro_value] : std::vector<std::pair<std::string, std::string>>{
           {"大网格", "微网格"}, {"一级网格", "二级网格"}, {"1", "2"}}) {
    DYNAMIC_SECTION("levels " << large_value << " / " << micro_value) {
      io::test::TempDir dir("platform-grids");
      std::vector<io::test::TestFeature> features;
      for (const SourceGrid& g : source)
        features.push_back({g.wkt,
                            {{"网格编码", g.code},
                             {"网格名称", g.name},
                             {"网格级别", g.level == "large" ? large_value : micro_value},
                             {"上级编码", g.parent}}});
      io::test::write_layer(dir.file("网格.shp"), "ESRI Shapefile", "网格", 4547, wkbPolygon,
                            {{"网格编码", OFTString},
                             {"网格名称", OFTString},
                             {"网格级别", OFTString},
                             {"上级编码", OFTString}},
                            features, {"ENCODING=GBK"});
      strip_encoding_marks(dir, "网格");
      const io::LoadResult r = load_plan(dir.file("网格.shp"));
      check_levels(r.dataset, source);
      const io::LayerReport& layer = r.sources.at(0).layers.at(0);
      CHECK(layer.encoding_from == "detected");
      CHECK(layer.field_mapping.at("level") == "网格级别");
      CHECK(layer.field_mapping.at("parent") == "上级编码");
    }
  }
}

TEST_CASE("two layers 大网格 and 微网格 without a level field import both levels", "[existing]") {
  const std::vector<SourceGrid> source = demo_grids();
  io::test::TempDir dir("two-layers");
  const std::string path = dir.file("plan.gpkg");
  std::vector<io::test::TestFeature> large, micro;
  for (const SourceGrid& g : source)
    (g.level == "large" ? large : micro)
        .push_back(
            {g.wkt, g.level == "large"
                        ? std::vector<std::pair<std::string, std::string>>{{"网格编码", g.code}}
                        : std::vector<std::pair<std::string, std::string>>{
                              {"网格编码", g.code}, {"所属大网格", g.parent}}});
  io::test::write_layer(path, "GPKG", "大网格", 4547, wkbPolygon, {{"网格编码", OFTString}}, large);
  io::test::write_layer(path, "GPKG", "微网格", 4547, wkbPolygon,
                        {{"网格编码", OFTString}, {"所属大网格", OFTString}}, micro);
  check_levels(load_plan(path).dataset, source);
}

TEST_CASE("plan.gpkg layers large_grids / micro_grids: large_code is the micro grid's parent",
          "[existing]") {
  const std::vector<SourceGrid> source = demo_grids();
  io::test::TempDir dir("own-plan");
  const std::string path = dir.file("plan.gpkg");
  std::vector<io::test::TestFeature> large, micro;
  for (const SourceGrid& g : source)
    (g.level == "large" ? large : micro)
        .push_back({g.wkt, g.level == "large"
                               ? std::vector<std::pair<std::string, std::string>>{{"code", g.code}}
                               : std::vector<std::pair<std::string, std::string>>{
                                     {"code", g.code}, {"large_code", g.parent}}});
  // No level field: the layer names and large_code say it (our own export also writes level).
  io::test::write_layer(path, "GPKG", "large_grids", 4547, wkbPolygon, {{"code", OFTString}},
                        large);
  io::test::write_layer(path, "GPKG", "micro_grids", 4547, wkbPolygon,
                        {{"code", OFTString}, {"large_code", OFTString}}, micro);
  check_levels(load_plan(path).dataset, source);
}
