// Chinese and real-world conventions in the input: the one road-class table (OSM and Chinese
// national classes, matched the same way by every user), use values (Chinese and English
// synonyms, generic values), a plan input without households, OSM files in any id order and
// building parts.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "io_test_support.hpp"
#include "planner/core/errors.hpp"
#include "planner/core/road_classes.hpp"
#include "planner/io/crs.hpp"
#include "planner/io/load.hpp"
#include "planner/io/osm_tags.hpp"
#include "planner/partition/params.hpp"
#include "planner/sim/params.hpp"

using namespace gp;

namespace {

io::LoadResult load_path(const std::string& path, io::LoadOptions options = {}) {
  options.inputs.push_back({path, "", {}});
  Progress progress;
  return io::load(options, progress);
}

std::string line_wkt(double x0, double y0, double x1, double y1) {
  std::ostringstream out;
  out.precision(12);
  out << "LINESTRING(" << x0 << " " << y0 << "," << x1 << " " << y1 << ")";
  return out.str();
}

}  // namespace

TEST_CASE("one road-class table: OSM and Chinese classes, links with their parent", "[roads]") {
  CHECK(normalise_road_class(" Primary_Link ") == "primary");
  CHECK(normalise_road_class("TRUNK-link") == "trunk");
  CHECK(normalise_road_class("城市主干道") == "主干路");
  CHECK(normalise_road_class("快速路匝道") == "快速路");
  CHECK(normalise_road_class("\xE3\x80\x80次干道 ") == "次干路");  // ideographic space
  CHECK(normalise_road_class("小区路") == "街坊路");
  CHECK(normalise_road_class("步行道") == "人行道");

  const std::set<std::string> hard = default_hard_road_classes();
  for (const char* cls :
       {"motorway", "trunk_link", "primary", "secondary", "tertiary_link", "快速路", "主干路",
        "主干道", "次干路", "高速公路", "一级公路", "二级公路", "国道", "省道"})
    CHECK(road_class_in(cls, hard));
  for (const char* cls : {"支路", "县道", "乡道", "村道", "三级公路", "四级公路", "街坊路",
                          "内部道路", "人行道", "residential", "service", "footway", "無名"})
    CHECK_FALSE(road_class_in(cls, hard));
  // 支路 made hard through the existing option: matched the same way.
  std::set<std::string> with_branch = hard;
  with_branch.insert("支路");
  CHECK(road_class_in("城市支路", with_branch));

  // Every user shares the defaults: the partition's hard classes are the table's.
  CHECK(PartitionParams{}.hard_road_classes == hard);
  const std::vector<std::string> forbidden = sim::CoverageParams{}.forbidden_classes;
  CHECK(road_class_in("motorway_link", forbidden));
  CHECK(road_class_in("快速路", forbidden));
  CHECK(road_class_in("高速公路", forbidden));
  CHECK_FALSE(road_class_in("主干路", forbidden));
  CHECK_FALSE(road_class_in("footway", forbidden));
  CHECK_FALSE(io::highway_walkable("trunk_link"));
  CHECK(io::highway_walkable("支路"));

  // One drawn width per class (the PNG renderer and the studio both read it).
  CHECK(road_drawn_width_m("primary") == Approx(20.0));
  CHECK(road_drawn_width_m("primary_link") == Approx(20.0));
  CHECK(road_drawn_width_m("主干路") == Approx(20.0));
  CHECK(road_drawn_width_m("footway") < road_drawn_width_m("service"));
  CHECK(road_rank("快速路") > road_rank("主干路"));
  CHECK(road_rank("主干路") > road_rank("次干路"));
  CHECK(road_rank("次干路") > road_rank("支路"));
  for (const RoadClass& c : road_classes()) {
    CHECK_FALSE(c.label_zh.empty());
    CHECK_FALSE(c.label_en.empty());
    CHECK(c.drawn_width_m > 0.0);
    CHECK(find_road_class(c.key) == &c);
  }
}

TEST_CASE("bureau roads layer with 道路等级: classes counted, hard ones named, unknown listed",
          "[roads]") {
  io::test::TempDir dir("road-classes");
  const std::string path = dir.file("道路.gpkg");
  const double x = 384000, y = 3546000;
  io::test::write_layer(
      path, "GPKG", "道路", 4549, wkbLineString, {{"道路等级", OFTString}, {"道路名称", OFTString}},
      {{line_wkt(x, y, x + 500, y), {{"道路等级", "主干路"}, {"道路名称", "中山路"}}},
       {line_wkt(x, y + 100, x + 500, y + 100), {{"道路等级", "主干道"}, {"道路名称", "中山路"}}},
       {line_wkt(x, y + 200, x + 500, y + 200), {{"道路等级", "次干路"}}},
       {line_wkt(x, y + 300, x + 500, y + 300), {{"道路等级", "支路"}}},
       {line_wkt(x, y + 400, x + 500, y + 400), {{"道路等级", "快速路匝道"}}},
       {line_wkt(x, y + 500, x + 500, y + 500), {{"道路等级", "机耕路"}}}});
  const io::LoadResult r = load_path(path);
  REQUIRE(r.dataset.lines.size() == 6);
  CHECK(r.sources.at(0).layers.at(0).field_mapping.at("class") == "道路等级");
  const auto counts = io::count_road_classes(r.dataset, PartitionParams{}.hard_road_classes);
  auto find = [&counts](const std::string& key) -> const io::RoadClassCount* {
    for (const io::RoadClassCount& c : counts)
      if (c.key == key) return &c;
    return nullptr;
  };
  const io::RoadClassCount* arterial = find("主干路");
  REQUIRE(arterial);
  CHECK(arterial->lines == 2);
  CHECK(arterial->hard);
  CHECK(arterial->spellings.size() == 2);
  REQUIRE(find("次干路"));
  CHECK(find("次干路")->hard);
  REQUIRE(find("支路"));
  CHECK_FALSE(find("支路")->hard);
  REQUIRE(find("快速路"));
  CHECK(find("快速路")->hard);
  CHECK_FALSE(r.dataset.lines[4].walkable);  // the ramp of an urban expressway
  const io::RoadClassCount* unknown = find("机耕路");
  REQUIRE(unknown);
  CHECK_FALSE(unknown->known);
  CHECK_FALSE(unknown->hard);
  // Ordered by rank: the expressway first.
  CHECK(counts.front().key == "快速路");
}

TEST_CASE("use values: Chinese and English synonyms, generic values, zero households refused",
          "[use]") {
  CHECK(io::lookup_building_use("住宅") == BuildingUse::residential);
  CHECK(io::lookup_building_use("居住") == BuildingUse::residential);
  CHECK(io::lookup_building_use(" Apartments ") == BuildingUse::residential);
  CHECK(io::lookup_building_use("商住") == BuildingUse::mixed);
  CHECK(io::lookup_building_use("学校") == BuildingUse::school);
  CHECK(io::lookup_building_use("医院") == BuildingUse::hospital);
  CHECK(io::lookup_building_use("办公") == BuildingUse::office);
  CHECK(io::lookup_building_use("商业") == BuildingUse::commercial);
  CHECK(io::lookup_building_use("工业") == BuildingUse::industrial);
  CHECK(io::lookup_building_use("附属") == BuildingUse::ancillary);
  CHECK(io::lookup_building_use("其他") == BuildingUse::other);
  CHECK(io::lookup_building_use("church") == BuildingUse::other);
  CHECK_FALSE(io::lookup_building_use("building"));
  CHECK_FALSE(io::lookup_building_use("yes"));
  CHECK(io::generic_building_value("building"));
  CHECK(io::generic_building_value("建筑"));
  CHECK_FALSE(io::generic_building_value("住宅"));

  io::test::TempDir dir("uses");
  const double x = 384000, y = 3546000;
  SECTION("kind = building on every feature: residential, estimated, counted and flagged") {
    const std::string path = dir.file("buildings.gpkg");
    std::vector<io::test::TestFeature> features;
    for (int i = 0; i < 4; ++i)
      features.push_back({io::test::rect_wkt(x + 40 * i, y, 20, 12), {{"kind", "building"}}});
    io::test::write_layer(path, "GPKG", "buildings", 4549, wkbPolygon, {{"kind", OFTString}},
                          features);
    const io::LoadResult r = load_path(path);
    REQUIRE(r.dataset.buildings.size() == 4);
    CHECK(r.dataset.total_households() > 0);
    for (const Building& b : r.dataset.buildings) {
      CHECK(b.use == BuildingUse::residential);
      CHECK(b.households_estimated);
    }
    const io::LayerReport& layer = r.sources.at(0).layers.at(0);
    CHECK(layer.unknown_use == 4);
    CHECK(layer.use_values.at("building") == 4);
    CHECK(r.dataset.problems.counts_by_kind().at("unknown-use") == 1);

    // The scenario may say otherwise: then no households, and the plan input is refused.
    io::LoadOptions other;
    other.unknown_use = BuildingUse::other;
    try {
      load_path(path, other);
      FAIL("zero households must be refused");
    } catch (const InputError& e) {
      const std::string text = e.what();
      CHECK(text.find("no households") != std::string::npos);
      CHECK(text.find(path) != std::string::npos);
      CHECK(text.find("layer 'buildings'") != std::string::npos);
      CHECK(text.find("use field 'kind'") != std::string::npos);
      CHECK(text.find("'building' ×4") != std::string::npos);
    }
    // inspect describes it instead of failing.
    other.require_households = false;
    CHECK(load_path(path, other).dataset.total_households() == 0);
  }
  SECTION("a bureau layer with 用途 values in Chinese") {
    const std::string path = dir.file("楼栋.gpkg");
    io::test::write_layer(path, "GPKG", "楼栋", 4549, wkbPolygon,
                          {{"用途", OFTString}, {"户数", OFTInteger}},
                          {{io::test::rect_wkt(x, y, 30, 12), {{"用途", "住宅"}, {"户数", "24"}}},
                           {io::test::rect_wkt(x + 50, y, 30, 12), {{"用途", "学校"}}},
                           {io::test::rect_wkt(x + 100, y, 30, 12), {{"用途", "商住"}}}});
    const io::LoadResult r = load_path(path);
    REQUIRE(r.dataset.buildings.size() == 3);
    CHECK(r.dataset.buildings[0].use == BuildingUse::residential);
    CHECK(r.dataset.buildings[0].households == 24);
    CHECK(r.dataset.buildings[1].use == BuildingUse::school);
    CHECK(r.dataset.buildings[1].households == 0);
    CHECK(r.dataset.buildings[2].use == BuildingUse::mixed);
    CHECK(r.sources.at(0).layers.at(0).unknown_use == 0);
  }
}

TEST_CASE("building_parts layer is dropped in favour of the buildings layer, counted", "[use]") {
  io::test::TempDir dir("parts");
  const std::string path = dir.file("town.gpkg");
  const double x = 384000, y = 3546000;
  io::test::write_layer(path, "GPKG", "buildings", 4549, wkbPolygon, {{"name", OFTString}},
                        {{io::test::rect_wkt(x, y, 40, 20), {{"name", "A"}}}});
  io::test::write_layer(path, "GPKG", "building_parts", 4549, wkbPolygon, {{"name", OFTString}},
                        {{io::test::rect_wkt(x, y, 20, 20), {{"name", "A1"}}},
                         {io::test::rect_wkt(x + 20, y, 20, 20), {{"name", "A2"}}}});
  const io::LoadResult r = load_path(path);
  CHECK(r.dataset.buildings.size() == 1);
  const auto kinds = r.dataset.problems.counts_by_kind();
  CHECK(kinds.at("building-parts-dropped") == 1);
  const io::LayerReport& parts = r.sources.at(0).layers.at(1);
  CHECK(parts.name == "building_parts");
  CHECK(parts.role_source == "parts-dropped");
  CHECK(parts.skipped == 2);

  // Alone, the parts are the only outlines there are: loaded as buildings.
  const std::string only = dir.file("parts.gpkg");
  io::test::write_layer(only, "GPKG", "building_parts", 4549, wkbPolygon, {{"name", OFTString}},
                        {{io::test::rect_wkt(x, y, 20, 20), {{"name", "A1"}}}});
  CHECK(load_path(only).dataset.buildings.size() == 1);
}

TEST_CASE("OSM XML in any id order loads like the sorted file (Nanjing, shuffled)", "[osm]") {
  const std::string original =
      (std::filesystem::path(GRIDPLAN_SHARED_DATA_DIR) / "osm" / "nanjing-xinjiekou.osm").string();
  if (!std::filesystem::exists(original)) {
    WARN("skipped: " << original << " not present");
    return;
  }
  // Rewrite the file with nodes, ways and relations each in a shuffled order (as JOSM writes new
  // and edited elements): every element block is moved whole.
  std::ifstream in(original);
  std::string header, line;
  std::vector<std::string> blocks[3];
  std::string current;
  int kind = -1;
  while (std::getline(in, line)) {
    const std::size_t start = line.find_first_not_of(" \t");
    const std::string_view t =
        start == std::string::npos ? "" : std::string_view(line).substr(start);
    if (kind < 0) {
      const int k = t.starts_with("<node ")       ? 0
                    : t.starts_with("<way ")      ? 1
                    : t.starts_with("<relation ") ? 2
                                                  : -1;
      if (k < 0) {
        if (!t.starts_with("</osm>") && blocks[0].empty() && blocks[1].empty())
          header += line + "\n";
        continue;
      }
      current = line + "\n";
      if (t.ends_with("/>")) {
        blocks[k].push_back(current);
      } else {
        kind = k;
      }
      continue;
    }
    current += line + "\n";
    if (t.starts_with("</node>") || t.starts_with("</way>") || t.starts_with("</relation>")) {
      blocks[kind].push_back(current);
      kind = -1;
    }
  }
  REQUIRE(blocks[0].size() > 1000);
  REQUIRE(blocks[1].size() > 100);
  std::mt19937 random(12);
  io::test::TempDir dir("shuffled-osm");
  const std::string shuffled = dir.file("nanjing-shuffled.osm");
  {
    std::ofstream out(shuffled);
    out << header;
    for (auto& group : blocks) {
      std::shuffle(group.begin(), group.end(), random);
      for (const std::string& b : group) out << b;
    }
    out << "</osm>\n";
  }
  const io::LoadResult sorted = load_path(original);
  const io::LoadResult unsorted = load_path(shuffled);
  const auto kinds = unsorted.dataset.problems.counts_by_kind();
  CHECK(kinds.count("osm-ids-not-sorted") == 1);
  CHECK(sorted.dataset.problems.counts_by_kind().count("osm-ids-not-sorted") == 0);
  CHECK(unsorted.dataset.buildings.size() == sorted.dataset.buildings.size());
  CHECK(unsorted.dataset.total_households() == sorted.dataset.total_households());
  CHECK(unsorted.dataset.lines.size() == sorted.dataset.lines.size());
  CHECK(unsorted.dataset.problems.count(Severity::error) == 0);
  // The building part inside its parent is dropped in both, and said.
  CHECK(sorted.dataset.problems.counts_by_kind().at("building-part") == kinds.at("building-part"));
  CHECK(kinds.at("building-parts-dropped") == 1);
}

namespace {

/// Writes the buildings of an OSM file to a GeoPackage layer "buildings" in `srs`, as
/// `ogr2ogr -t_srs SRS -where "building IS NOT NULL"` would.
void osm_buildings_to_gpkg(const std::string& osm, const std::string& out, const char* srs) {
  io::test::register_gdal();
  GDALDatasetUniquePtr src(GDALDataset::Open(osm.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  REQUIRE(src);
  OGRLayer* in = src->GetLayerByName("multipolygons");
  REQUIRE(in);
  in->SetAttributeFilter("building IS NOT NULL");
  OGRSpatialReference target;
  target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  REQUIRE(target.SetFromUserInput(srs) == OGRERR_NONE);
  std::unique_ptr<OGRCoordinateTransformation> to_target(
      OGRCreateCoordinateTransformation(in->GetSpatialRef(), &target));
  REQUIRE(to_target);
  GDALDriver* gpkg = GetGDALDriverManager()->GetDriverByName("GPKG");
  GDALDatasetUniquePtr dst(gpkg->Create(out.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  REQUIRE(dst);
  OGRLayer* layer = dst->CreateLayer("buildings", &target, wkbMultiPolygon, nullptr);
  OGRFieldDefn use("building", OFTString);
  layer->CreateField(&use);
  for (auto& f : *in) {
    OGRGeometry* g = f->GetGeometryRef();
    if (g == nullptr) continue;
    std::unique_ptr<OGRGeometry> copy(g->clone());
    if (copy->transform(to_target.get()) != OGRERR_NONE) continue;
    OGRFeature feature(layer->GetLayerDefn());
    feature.SetField("building", f->GetFieldAsString("building"));
    feature.SetGeometry(copy.get());
    REQUIRE(layer->CreateFeature(&feature) == OGRERR_NONE);
  }
}

double footprint_area(const Dataset& d) {
  double sum = 0.0;
  for (const Building& b : d.buildings) sum += area(b.footprint);
  return sum;
}

}  // namespace

TEST_CASE("a projected CRS off by more than 0.1 % over the data is reprojected (Nanjing)",
          "[crs]") {
  const std::string osm =
      (std::filesystem::path(GRIDPLAN_SHARED_DATA_DIR) / "osm" / "nanjing-xinjiekou.osm").string();
  if (!std::filesystem::exists(osm)) {
    WARN("skipped: " << osm << " not present");
    return;
  }
  CHECK(io::short_ellipsoid_distance_m({118.78, 32.04}, {118.78, 32.05}) ==
        Approx(1109.0).epsilon(0.002));  // 0.01° of latitude at 32°N ≈ 1109 m
  io::test::TempDir dir("crs-scale");
  const std::string proper = dir.file("zone.gpkg");
  const std::string mercator = dir.file("mercator.gpkg");
  const std::string far_zone = dir.file("far.gpkg");
  osm_buildings_to_gpkg(osm, proper, "EPSG:4549");    // CGCS2000 GK CM 120E: Nanjing's zone
  osm_buildings_to_gpkg(osm, mercator, "EPSG:3857");  // Web Mercator: × 1.18 in length here
  osm_buildings_to_gpkg(osm, far_zone, "EPSG:4547");  // CM 114E, 4.8° west: ≈ 0.25 % off
  const io::LoadResult zone = load_path(proper);
  CHECK(zone.dataset.crs_epsg == 4549);
  CHECK(zone.dataset.problems.counts_by_kind().count("crs-reprojected") == 0);
  CHECK(zone.crs_reason.find("kept") != std::string::npos);
  for (const std::string& path : {mercator, far_zone}) {
    INFO(path);
    const io::LoadResult r = load_path(path);
    CHECK(r.dataset.crs_epsg == 4549);
    CHECK(r.dataset.problems.counts_by_kind().count("crs-reprojected") == 1);
    CHECK(r.crs_reason.find("reprojected") != std::string::npos);
    REQUIRE(r.dataset.buildings.size() == zone.dataset.buildings.size());
    CHECK(footprint_area(r.dataset) == Approx(footprint_area(zone.dataset)).epsilon(0.001));
    CHECK(static_cast<double>(r.dataset.total_households()) ==
          Approx(static_cast<double>(zone.dataset.total_households())).epsilon(0.001));
  }
}

namespace {

/// A small OSM XML file near Nanjing: two buildings, an administrative boundary (admin_level
/// 10) and a neighbourhood place around both.
std::string small_osm_with_boundaries() {
  std::ostringstream out;
  out.precision(10);
  out << "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>\n";
  int id = 1;
  auto square = [&](double lon, double lat, double size, const std::string& tags) {
    const int first = id;
    const double xs[4] = {lon, lon + size, lon + size, lon};
    const double ys[4] = {lat, lat, lat + size, lat + size};
    for (int k = 0; k < 4; ++k)
      out << "<node id='" << id++ << "' lat='" << ys[k] << "' lon='" << xs[k] << "'/>\n";
    out << "<way id='" << 1000 + first << "'>";
    for (int k = 0; k < 4; ++k) out << "<nd ref='" << first + k << "'/>";
    out << "<nd ref='" << first << "'/>" << tags << "</way>\n";
  };
  square(118.780, 32.040, 0.0003, "<tag k='building' v='apartments'/>");
  square(118.782, 32.040, 0.0003, "<tag k='building' v='residential'/>");
  square(118.779, 32.039, 0.005,
         "<tag k='boundary' v='administrative'/><tag k='admin_level' v='10'/>"
         "<tag k='name' v='示例社区'/><tag k='ref' v='320102001001'/>");
  square(118.7785, 32.0385, 0.006, "<tag k='place' v='neighbourhood'/><tag k='name' v='片区'/>");
  out << "</osm>\n";
  return out.str();
}

}  // namespace

TEST_CASE("OSM boundaries become communities, otherwise the built-up area and never the box",
          "[osm][communities]") {
  io::test::TempDir dir("osm-communities");
  const std::string path = dir.file("town.osm");
  std::ofstream(path) << small_osm_with_boundaries();

  const io::LoadResult admin = load_path(path);
  REQUIRE(admin.dataset.communities.size() == 1);
  CHECK(admin.dataset.communities[0].name == "示例社区");
  CHECK(admin.dataset.communities[0].code == "320102001001");
  CHECK(admin.dataset.problems.counts_by_kind().at("communities-from-osm") == 1);
  CHECK_FALSE(admin.validation.community_from_extent);

  io::LoadOptions level9;
  level9.osm_admin_level = 9;  // no boundary at this level: the neighbourhood place is used
  const io::LoadResult place = load_path(path, level9);
  REQUIRE(place.dataset.communities.size() == 1);
  CHECK(place.dataset.communities[0].name == "片区");

  io::LoadOptions off;
  off.osm_communities = false;  // the built-up area of the two buildings
  const io::LoadResult built = load_path(path, off);
  REQUIRE(built.dataset.communities.size() == 1);
  CHECK(built.validation.community_from_extent);
  // Two 28 m × 33 m buildings 160 m apart: grown by 60 m they do not meet, so two parts, each
  // ≈ (28 + 60) × (33 + 60) m; never the box around both plus 50 m.
  const MultiPolygon& area_mp = built.dataset.communities[0].footprint;
  CHECK(area_mp.size() == 2);
  CHECK(area(area_mp) < 2 * 100.0 * 100.0);
  CHECK(area(area_mp) > 2 * 80.0 * 80.0);
}

TEST_CASE("real extracts: boundaries holding few buildings are not used, the built-up area is",
          "[osm][communities]") {
  const std::filesystem::path dir = std::filesystem::path(GRIDPLAN_SHARED_DATA_DIR) / "osm";
  const std::string monaco = (dir / "monaco.osm.pbf").string();
  const std::string nanjing = (dir / "nanjing-xinjiekou.osm").string();
  if (!std::filesystem::exists(monaco) || !std::filesystem::exists(nanjing)) {
    WARN("skipped: extracts not present in " << dir);
    return;
  }
  // Monaco's nine quartiers (admin_level 10) hold a small share of the extract's buildings,
  // most of which lie in France: not used, said, and the built-up area is planned.
  const io::LoadResult m = load_path(monaco);
  CHECK(m.dataset.problems.counts_by_kind().at("osm-communities-not-used") == 1);
  REQUIRE(m.dataset.communities.size() == 1);
  CHECK(m.validation.community_from_extent);
  CHECK(m.validation.outside_community == 0);
  // Nanjing: no boundaries; the built-up area is much smaller than the box around the data.
  const io::LoadResult n = load_path(nanjing);
  REQUIRE(n.dataset.communities.size() == 1);
  Box box;
  for (const Building& b : n.dataset.buildings) {
    box.expand(bounds(b.footprint));
  }
  const double box_area = (box.max_x - box.min_x + 100.0) * (box.max_y - box.min_y + 100.0);
  CHECK(area(n.dataset.communities[0].footprint) < 0.9 * box_area);
  CHECK(n.validation.outside_community == 0);
}
