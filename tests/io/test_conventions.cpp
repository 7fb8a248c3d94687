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
