// QGIS layer styles written with every export (planner/io/qgis_style.hpp) and the one style
// definition they come from (planner/report/style.hpp). Rendering them in QGIS is tests/qgis.

#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "io_test_support.hpp"
#include "planner/io/export.hpp"
#include "planner/io/qgis_style.hpp"
#include "planner/report/style.hpp"

using namespace gp;
namespace style = gp::report::style;

namespace {

MultiPolygon square(double x, double y, double size) {
  return {Polygon{{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}, {}}};
}

/// A large_grids table of three grids (250, 400, 600 households) and a buildings table, in the
/// fields the real layers have (report::build_layers), EPSG:4547 metres.
struct Tables {
  MultiPolygon shapes[3] = {square(500000, 3500000, 100), square(500100, 3500000, 100),
                            square(500200, 3500000, 100)};
  std::vector<report::LayerTable> layers;
  Tables() {
    using report::FieldDef;
    using report::FieldType;
    report::LayerTable large{"large_grids", "大网格", report::GeometryKind::polygon, {}, {}};
    large.fields = {FieldDef{"code", "code", "网格编码", FieldType::text, ""},
                    FieldDef{"name", "name", "网格名称", FieldType::text, ""},
                    FieldDef{"households", "households", "户数", FieldType::integer, ""},
                    FieldDef{"violation", "violation", "户数越界", FieldType::text, ""}};
    const long long households[] = {250, 400, 600};
    const char* violation[] = {"below_min", "", "above_max"};
    for (int g = 0; g < 3; ++g)
      large.features.push_back({&shapes[g],
                                {},
                                false,
                                {std::string("1402211000010") + std::to_string(g + 1),
                                 "西城社区第0" + std::to_string(g + 1) + "网格", households[g],
                                 std::string(violation[g])}});
    report::LayerTable buildings{"buildings", "楼栋", report::GeometryKind::polygon, {}, {}};
    buildings.fields = {FieldDef{"use", "use", "用途", FieldType::text, ""},
                        FieldDef{"households", "households", "户数", FieldType::integer, ""},
                        FieldDef{"walk_m", "walk_m", "步行距离(米)", FieldType::real, ""}};
    buildings.features.push_back(
        {&shapes[0], {}, false, {std::string("residential"), 40LL, 250.0}});
    layers = {large, buildings};
  }
};

std::string wkt_4547() {
  io::test::register_gdal();
  OGRSpatialReference srs;
  srs.importFromEPSG(4547);
  char* text = nullptr;
  srs.exportToWkt(&text);
  std::string wkt = text;
  CPLFree(text);
  return wkt;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE(
    "style: household classes cover every count once, inside the bounds never the end colours") {
  const auto classes = style::household_classes(300, 500);
  REQUIRE(classes.size() == 6);
  for (int h = 0; h <= 800; ++h) {
    int matches = 0;
    for (const auto& c : classes) matches += h >= c.lower && h < c.upper;
    CHECK(matches == 1);
  }
  CHECK(classes[1].label == "300–349 户");
  CHECK(classes[4].label == "450–500 户");
  CHECK(style::household_colour(299, 300, 500) == style::ramp(0.0));
  CHECK(style::household_colour(501, 300, 500) == style::ramp(1.0));
  for (int h : {300, 400, 500}) {
    CHECK_FALSE(style::household_colour(h, 300, 500) == style::ramp(0.0));
    CHECK_FALSE(style::household_colour(h, 300, 500) == style::ramp(1.0));
  }
  // Narrow bounds still give four non-empty steps.
  for (const auto& c : style::household_classes(10, 11)) CHECK(c.lower < c.upper);
}

TEST_CASE("style: walking bands are ≤ threshold, as the report counts coverage") {
  const std::vector<double> t{300, 500, 1000};
  CHECK(style::walking_colour(300, t) == style::walking_bands(t)[0].colour);
  CHECK(style::walking_colour(300.5, t) == style::walking_bands(t)[1].colour);
  CHECK(style::walking_colour(5000, t) == style::walking_bands(t)[3].colour);
  CHECK(style::walking_bands(t)[3].label == "更远 farther");
  CHECK(style::ramp(0.0).hex() == "#ffffcc");
  CHECK(style::violation_outline().colour.qgis() == "192,57,43,255");
}

TEST_CASE("qgis styles: rule per household class, the red outline rule, Chinese labels") {
  Tables t;
  style::PlanStyle ps;
  ps.large = {250, 450, 350};
  const auto styles = io::qgis_styles(t.layers, ps, false);
  REQUIRE(styles.size() == 3);  // large_grids; buildings by use and by walking distance
  const io::LayerStyle& large = styles[0];
  CHECK(large.layer == "large_grids");
  CHECK(large.is_default);
  CHECK(large.qml.find("<!DOCTYPE qgis") == 0);
  CHECK(large.qml.find("type=\"RuleRenderer\"") != std::string::npos);
  CHECK(large.qml.find("filter=\"&quot;households&quot; &gt;= 250 AND &quot;households&quot; "
                       "&lt; 300\"") != std::string::npos);
  CHECK(large.qml.find("label=\"250–299 户\"") != std::string::npos);
  CHECK(large.qml.find("&quot;violation&quot; IN ('below_min', 'above_max')") != std::string::npos);
  CHECK(large.qml.find("v=\"192,57,43,255\"") != std::string::npos);
  CHECK(large.qml.find("fontFamily=\"Noto Sans CJK SC\"") != std::string::npos);
  CHECK(large.qml.find("labelsEnabled=\"1\"") != std::string::npos);
  CHECK(large.qml.find("<alias field=\"households\" index=\"2\" name=\"户数\"/>") !=
        std::string::npos);
  CHECK(styles[1].is_default);
  CHECK_FALSE(styles[2].is_default);
  CHECK(styles[2].key == "walking");
  CHECK(styles[2].qml.find("&quot;walk_m&quot; &lt;= 300") != std::string::npos);
  // Shapefile styles name the DBF fields.
  const auto shp = io::qgis_styles(t.layers, ps, true);
  CHECK(shp[0].qml.find("&quot;households&quot;") != std::string::npos);
}

TEST_CASE("export: plan.gpkg carries layer_styles as QGIS writes it, Shapefiles a sidecar .qml") {
  Tables t;
  io::test::TempDir dir("export-styles");
  io::ExportOptions options;
  options.formats = {"shp"};
  options.style.large = {300, 500, 400};
  io::export_layers(t.layers, wkt_4547(), dir.file(""), options);

  GDALDatasetUniquePtr gpkg(GDALDataset::Open(dir.file("plan.gpkg").c_str(), GDAL_OF_VECTOR));
  REQUIRE(gpkg);
  OGRLayer* table = gpkg->GetLayerByName("layer_styles");
  REQUIRE(table != nullptr);
  for (const char* column :
       {"f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
        "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time"})
    CHECK(table->GetLayerDefn()->GetFieldIndex(column) >= 0);
  CHECK(table->GetFeatureCount() == 3);
  int defaults = 0;
  for (auto& row : *table) {
    CHECK(std::string(row->GetFieldAsString("f_geometry_column")) == "geom");
    CHECK(std::string(row->GetFieldAsString("f_table_catalog")).empty());
    if (row->GetFieldAsInteger("useAsDefault") == 1) {
      ++defaults;
      const std::string layer = row->GetFieldAsString("f_table_name");
      CHECK((layer == "large_grids" || layer == "buildings"));
    }
    CHECK(std::string(row->GetFieldAsString("update_time")).size() >= 19);
  }
  CHECK(defaults == 2);

  const std::string qml = read_file(dir.file("shp/large_grids.qml"));
  CHECK(qml.find("label=\"450–500 户\"") != std::string::npos);
  CHECK(std::filesystem::exists(dir.file("shp/buildings.qml")));
  CHECK(std::filesystem::exists(dir.file("shp/buildings.walking.qml")));
}
