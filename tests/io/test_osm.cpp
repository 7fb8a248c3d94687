// OpenStreetMap reading: the hand-made fixture in tests/data/osm, and the real extracts in
// ../shared/data/osm when present (counts compared with what GDAL itself reports).

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <set>

#include "io_test_support.hpp"
#include "planner/core/errors.hpp"
#include "planner/io/load.hpp"
#include "planner/io/osm_tags.hpp"

using namespace gp;

namespace {

const Building* building_named(const Dataset& d, const std::string& name) {
  for (const Building& b : d.buildings)
    if (b.name == name) return &b;
  return nullptr;
}

const Building* building_with_id(const Dataset& d, std::int64_t id) {
  for (const Building& b : d.buildings)
    if (b.id == id) return &b;
  return nullptr;
}

}  // namespace

TEST_CASE("OSM other_tags parsing and tag tables", "[osm]") {
  const std::string tags =
      R"("building:levels"=>"6","height"=>"30 m","note"=>"a \"quoted\" => value")";
  CHECK(io::find_other_tag(tags, "building:levels") == "6");
  CHECK(io::find_other_tag(tags, "height") == "30 m");
  CHECK(io::find_other_tag(tags, "note") == R"(a "quoted" => value)");
  CHECK_FALSE(io::find_other_tag(tags, "levels"));
  CHECK_FALSE(io::find_other_tag("", "height"));

  CHECK(io::parse_osm_number("12.5 m", true) == Approx(12.5));
  CHECK(io::parse_osm_number("40'", true) == Approx(12.192));
  CHECK(io::parse_osm_number("6;7", false) == Approx(6));
  CHECK_FALSE(io::parse_osm_number("many", false));

  CHECK(io::building_use_from_value("apartments") == BuildingUse::residential);
  CHECK(io::building_use_from_value("YES") == BuildingUse::residential);
  CHECK(io::building_use_from_value("kindergarten") == BuildingUse::school);
  CHECK(io::building_use_from_value("government") == BuildingUse::office);
  CHECK(io::building_use_from_value("supermarket") == BuildingUse::commercial);
  CHECK(io::building_use_from_value("warehouse") == BuildingUse::industrial);
  CHECK(io::building_use_from_value("roof") == BuildingUse::ancillary);
  CHECK(io::building_use_from_value("church") == BuildingUse::other);
  CHECK(io::building_use_from_value("住宅") == BuildingUse::residential);

  CHECK(io::highway_walkable("footway"));
  CHECK(io::highway_walkable("steps"));
  CHECK(io::highway_walkable("residential"));
  CHECK_FALSE(io::highway_walkable("motorway"));
  CHECK_FALSE(io::highway_walkable("trunk_link"));
}

TEST_CASE("hand-made OSM file: buildings, landuse, highways, river", "[osm]") {
  io::LoadOptions options;
  options.inputs.push_back({std::string(GRIDPLAN_TEST_DATA_DIR) + "/osm/small-town.osm", "", {}});
  Progress progress;
  const io::LoadResult result = io::load(options, progress);
  const Dataset& d = result.dataset;

  // 113.3E 40.08N is in China: CGCS2000 3-degree GK, CM 114E = EPSG:4547.
  CHECK(d.crs_epsg == 4547);
  CHECK(d.crs_name.find("114E") != std::string::npos);

  // Six closed ways carry building=*; building=no is listed, not loaded.
  REQUIRE(d.buildings.size() == 5);
  auto by_kind = d.problems.counts_by_kind();
  CHECK(by_kind["not-a-building"] == 1);

  const Building* apartments = building_with_id(d, 101);
  REQUIRE(apartments);
  CHECK(apartments->name == "1号楼");
  CHECK(apartments->use == BuildingUse::residential);
  CHECK(apartments->source_use == "apartments");
  CHECK(apartments->floors == 6);
  CHECK_FALSE(apartments->floors_estimated);
  CHECK(apartments->households_estimated);
  CHECK(area(apartments->footprint) == Approx(480).epsilon(0.02));
  // 480 m² × 6 floors ÷ 90 m² per dwelling ≈ 32.
  CHECK(apartments->households == Approx(32).margin(1));
  // x: 0.7° west of CM 114E at 40°N ≈ 60 km west of the 500 km false easting.
  CHECK(apartments->footprint.front().outer.front().x == Approx(440300).margin(1000));
  CHECK(apartments->footprint.front().outer.front().y == Approx(4437000).margin(3000));

  const Building* tall = building_named(d, "2号楼");
  REQUIRE(tall);
  CHECK(tall->height_m == Approx(30));
  CHECK(tall->floors == 10);  // 30 m ÷ 3 m storeys
  CHECK(tall->floors_estimated);
  CHECK(tall->households == Approx(53).margin(2));

  const Building* school = building_named(d, "实验小学");
  REQUIRE(school);
  CHECK(school->use == BuildingUse::school);
  CHECK(school->households == 0);

  const Building* house = building_with_id(d, 103);
  REQUIRE(house);
  CHECK(house->floors == 1);
  CHECK(house->households == 1);
  const Building* garage = building_with_id(d, 105);
  REQUIRE(garage);
  CHECK(garage->use == BuildingUse::ancillary);
  CHECK(garage->households == 0);

  REQUIRE(d.compounds.size() == 1);
  CHECK(d.compounds.front().name == "幸福小区");

  std::map<std::string, const Line*> lines;
  for (const Line& l : d.lines) lines[l.cls] = &l;
  REQUIRE(d.lines.size() == 5);
  REQUIRE(lines.count("motorway"));
  CHECK(lines["motorway"]->kind == LineKind::road);
  CHECK_FALSE(lines["motorway"]->walkable);
  CHECK(lines["footway"]->walkable);
  CHECK(lines["residential"]->walkable);
  CHECK(lines["residential"]->name == "幸福路");
  CHECK(lines["secondary"]->bridge);
  REQUIRE(lines.count("river"));
  CHECK(lines["river"]->kind == LineKind::river);
  CHECK_FALSE(lines["river"]->walkable);

  // Per-layer report for inspect.
  REQUIRE(result.sources.size() == 1);
  CHECK(result.sources.front().driver == "OSM");
  const auto& layers = result.sources.front().layers;
  const auto mp = std::find_if(layers.begin(), layers.end(),
                               [](const io::LayerReport& l) { return l.name == "multipolygons"; });
  REQUIRE(mp != layers.end());
  CHECK(mp->loaded.at("buildings") == 5);
  CHECK(mp->crs_epsg == 4326);
}

namespace {

struct OsmCounts {
  long long buildings = 0;
  long long highways = 0;
};

/// What GDAL's OSM driver itself reports, with the filters ogrinfo would use:
/// multipolygons WHERE building IS NOT NULL, lines WHERE highway IS NOT NULL.
OsmCounts gdal_counts(const std::string& path) {
  io::test::register_gdal();
  OsmCounts counts;
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  REQUIRE(ds);
  for (const char* sql : {"SELECT COUNT(*) FROM multipolygons WHERE building IS NOT NULL",
                          "SELECT COUNT(*) FROM lines WHERE highway IS NOT NULL"}) {
    OGRLayer* result = ds->ExecuteSQL(sql, nullptr, nullptr);
    REQUIRE(result);
    OGRFeatureUniquePtr f(result->GetNextFeature());
    REQUIRE(f);
    (std::string(sql).find("building") != std::string::npos ? counts.buildings : counts.highways) =
        f->GetFieldAsInteger64(0);
    ds->ReleaseResultSet(result);
  }
  return counts;
}

/// Features of `layer` that the reader listed as not loaded, for roads or buildings (`what`,
/// as in the problem message "...; building not loaded").
std::multiset<std::int64_t> listed_fids(const Dataset& d, const std::string& layer,
                                        const std::string& what) {
  std::multiset<std::int64_t> fids;
  for (const Problem& p : d.problems.problems()) {
    if (p.where.layer != layer || !p.where.fid) continue;
    const bool listed = p.message.size() >= what.size() + 11 &&
                        p.message.compare(p.message.size() - what.size() - 11, std::string::npos,
                                          what + " not loaded") == 0;
    if (listed || (what == "building" && (p.kind == "not-a-building" || p.kind == "building-part")))
      fids.insert(*p.where.fid);
  }
  return fids;
}

/// FIDs GDAL gives for `where` on `layer` (layer-at-a-time reading is fine for small files).
std::multiset<std::int64_t> gdal_fids(const std::string& path, const char* layer,
                                      const char* where) {
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  std::multiset<std::int64_t> fids;
  OGRLayer* l = ds->GetLayerByName(layer);
  l->SetAttributeFilter(where);
  for (auto& f : *l) fids.insert(f->GetFID());
  return fids;
}

std::string missing_text(const std::multiset<std::int64_t>& expected,
                         const std::multiset<std::int64_t>& got) {
  std::vector<std::int64_t> missing;
  std::set_difference(expected.begin(), expected.end(), got.begin(), got.end(),
                      std::back_inserter(missing));
  std::vector<std::int64_t> extra;
  std::set_difference(got.begin(), got.end(), expected.begin(), expected.end(),
                      std::back_inserter(extra));
  std::string text = "missing:";
  for (std::size_t i = 0; i < std::min<std::size_t>(missing.size(), 10); ++i)
    text += " " + std::to_string(missing[i]);
  text += "; extra:";
  for (std::size_t i = 0; i < std::min<std::size_t>(extra.size(), 10); ++i)
    text += " " + std::to_string(extra[i]);
  return text;
}

}  // namespace

TEST_CASE("real OSM extracts load every building and road GDAL reports", "[osm][shared]") {
  const std::filesystem::path dir = std::filesystem::path(GRIDPLAN_SHARED_DATA_DIR) / "osm";
  if (!std::filesystem::exists(dir)) {
    WARN("skipped: shared data not found at " << dir.string()
                                              << " (real OSM extracts are optional)");
    return;
  }
  struct Case {
    std::string file;
    int epsg;
  };
  // Nanjing 118.8E → CGCS2000 GK CM 120E; Monaco 7.4E → UTM 32N; Helsinki 24.9E → UTM 35N.
  for (const Case& c : {Case{"nanjing-xinjiekou.osm", 4549}, Case{"monaco.osm.pbf", 32632},
                        Case{"helsinki-centre.osm.pbf", 32635}}) {
    const std::string path = (dir / c.file).string();
    if (!std::filesystem::exists(path)) {
      WARN("skipped: " << path << " not present");
      continue;
    }
    SECTION(c.file) {
      const OsmCounts expected = gdal_counts(path);
      io::LoadOptions options;
      options.inputs.push_back({path, "", {}});
      Progress progress;
      const io::LoadResult result = io::load(options, progress);
      const Dataset& d = result.dataset;
      CHECK(d.crs_epsg == c.epsg);

      std::multiset<std::int64_t> buildings = listed_fids(d, "multipolygons", "building");
      const std::size_t buildings_listed = buildings.size();
      for (const Building& b : d.buildings) buildings.insert(*b.source.fid);
      std::multiset<std::int64_t> roads = listed_fids(d, "lines", "roads");
      const std::size_t roads_listed = roads.size();
      std::set<std::int64_t> road_features;
      for (const Line& l : d.lines)
        if (l.kind == LineKind::road) road_features.insert(*l.source.fid);
      roads.insert(road_features.begin(), road_features.end());
      INFO(c.file << ": GDAL buildings " << expected.buildings << ", loaded " << d.buildings.size()
                  << ", listed " << buildings_listed << "; GDAL highways " << expected.highways
                  << ", loaded " << road_features.size() << ", listed " << roads_listed);
      const bool buildings_match = static_cast<long long>(buildings.size()) == expected.buildings;
      CHECK(buildings_match);
      if (!buildings_match)
        FAIL_CHECK(
            missing_text(gdal_fids(path, "multipolygons", "building IS NOT NULL"), buildings));
      CHECK(static_cast<long long>(roads.size()) == expected.highways);
      CHECK(d.buildings.size() > 0);
      // OSM has no household counts: all residential ones are estimated.
      CHECK(std::all_of(d.buildings.begin(), d.buildings.end(),
                        [](const Building& b) { return b.households_estimated; }));
    }
  }
}
