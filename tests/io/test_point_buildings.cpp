// Building points (楼栋 points with 楼栋编号 and 户数, as grid-management platforms export them)
// plan like footprints: each becomes a LoadOptions::point_building_side_m square centred on the
// point, so the tessellation gives it a cell. Built from the Nanjing extract's own buildings
// (centroids) and roads, skipped when ../shared/data is absent.

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "io_test_support.hpp"
#include "planner/core/geometry.hpp"
#include "planner/io/load.hpp"

using namespace gp;

namespace {

int run_command(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string q(const std::string& s) {
  return "'" + s + "'";
}

std::string point_wkt(Point p) {
  return "POINT(" + std::to_string(p.x) + " " + std::to_string(p.y) + ")";
}

std::string line_wkt(const LineString& line) {
  std::string out = "LINESTRING(";
  for (std::size_t i = 0; i < line.size(); ++i)
    out += (i ? "," : "") + std::to_string(line[i].x) + " " + std::to_string(line[i].y);
  return out + ")";
}

}  // namespace

TEST_CASE("point buildings: a small square each, households kept or estimated, said", "[points]") {
  io::test::TempDir dir("points-small");
  const std::string path = dir.file("楼栋.gpkg");
  io::test::write_layer(
      path, "GPKG", "楼栋", 4547, wkbPoint,
      {{"楼栋编号", OFTInteger64}, {"户数", OFTInteger}, {"层数", OFTInteger}},
      {{"POINT(500000 3500000)", {{"楼栋编号", "11"}, {"户数", "24"}, {"层数", "6"}}},
       {"POINT(500100 3500000)", {{"楼栋编号", "12"}, {"层数", "6"}}},
       // 300 households on 6 floors: a 10 m square cannot hold them
       {"POINT(500200 3500000)", {{"楼栋编号", "13"}, {"户数", "300"}, {"层数", "6"}}}});
  io::LoadOptions options;
  options.inputs.push_back({path, "", {}});
  Progress progress;
  const io::LoadResult r = io::load(options, progress);
  const Dataset& d = r.dataset;
  REQUIRE(d.buildings.size() == 3);
  std::map<std::int64_t, const Building*> by_id;
  for (const Building& b : d.buildings) by_id[b.id] = &b;
  const Building& given = *by_id.at(11);
  CHECK(area(given.footprint) == Approx(100.0).epsilon(1e-6));
  CHECK(centroid(given.footprint).x == Approx(500000.0).margin(1e-6));
  CHECK(centroid(given.footprint).y == Approx(3500000.0).margin(1e-6));
  CHECK(given.households == 24);
  CHECK_FALSE(given.households_estimated);
  CHECK(given.households_source == HouseholdSource::field);
  // No count: estimated as 100 m² × 6 floors × residential share ÷ 90 m² per dwelling.
  const Building& estimated = *by_id.at(12);
  CHECK(estimated.households_estimated);
  CHECK(estimated.households_source == HouseholdSource::point);  // on the square, not a footprint
  const HouseholdParams hp;
  CHECK(estimated.households ==
        std::max(1, int(std::lround(100.0 * 6 * hp.residential_share / hp.dwelling_gross_m2))));
  // 300 households at ≤ 5 per 100 m² of floor: ≥ 6000 m² of floor, ≥ 1000 m² footprint.
  const Building& tower = *by_id.at(13);
  CHECK(tower.households == 300);
  CHECK(tower.households_source == HouseholdSource::field);
  CHECK(area(tower.footprint) >= 1000.0);
  CHECK(area(tower.footprint) < 1010.0);
  bool noted = false;
  for (const Problem& p : d.problems.problems())
    if (p.kind == "point-buildings") {
      noted = true;
      CHECK(p.message.find("3 buildings are points") != std::string::npos);
      CHECK(p.message.find("10 m × 10 m") != std::string::npos);
    }
  CHECK(noted);
  for (const Problem& p : d.problems.problems()) CHECK(p.kind != "absurd-households");
}

TEST_CASE("Nanjing's buildings as points with 户数: gridplan run plans every one",
          "[points][real]") {
  const std::filesystem::path osm =
      std::filesystem::path(GRIDPLAN_SHARED_DATA_DIR) / "osm" / "nanjing-xinjiekou.osm";
  const std::string cli = GRIDPLAN_CLI_PATH;
  if (!std::filesystem::exists(osm) || !std::filesystem::exists(cli)) {
    WARN("skipped: " << osm << " or " << cli << " missing");
    return;
  }
  io::LoadOptions source_options;
  source_options.inputs.push_back({osm.string(), "", {}});
  Progress progress;
  const io::LoadResult source = io::load(source_options, progress);
  const Dataset& s = source.dataset;
  REQUIRE(s.buildings.size() > 1000);
  REQUIRE(s.crs_epsg > 0);

  io::test::TempDir dir("points-nanjing");
  const std::string path = dir.file("楼栋.gpkg");
  std::vector<io::test::TestFeature> points, roads;
  std::size_t without_count = 0;
  for (std::size_t i = 0; i < s.buildings.size(); ++i) {
    const Building& b = s.buildings[i];
    io::test::TestFeature f{
        point_wkt(centroid(b.footprint)),
        {{"楼栋编号", std::to_string(b.id)}, {"层数", std::to_string(b.floors)}}};
    // Every tenth building has no 户数: the stated default (100 m² × floors) applies.
    if (i % 10 != 0 && b.households > 0)
      f.values.push_back({"户数", std::to_string(b.households)});
    else
      ++without_count;
    points.push_back(std::move(f));
  }
  for (const Line& l : s.lines)
    if (l.kind == LineKind::road) roads.push_back({line_wkt(l.geometry), {{"道路等级", l.cls}}});
  io::test::write_layer(path, "GPKG", "楼栋", s.crs_epsg, wkbPoint,
                        {{"楼栋编号", OFTInteger64}, {"户数", OFTInteger}, {"层数", OFTInteger}},
                        points);
  io::test::write_layer(path, "GPKG", "道路", s.crs_epsg, wkbLineString, {{"道路等级", OFTString}},
                        roads);
  REQUIRE(without_count > 0);

  const std::string out = dir.file("run");
  // Planning is what is checked: no event simulation (minutes under the sanitizer builds).
  REQUIRE(run_command(q(cli) + " run --input " + q(path) + " --no-simulation --out " + q(out) +
                      " > " + q(dir.file("log.txt")) + " 2>&1") == 0);
  std::ifstream log_file(dir.file("log.txt"));
  const std::string log((std::istreambuf_iterator<char>(log_file)), {});
  INFO(log);
  GDALDatasetUniquePtr plan(GDALDataset::Open(
      (out + "/plan.gpkg").c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
  REQUIRE(plan);
  OGRLayer* buildings = plan->GetLayerByName("buildings");
  REQUIRE(buildings);
  // One row per building, one per run of units of a tower split between micro grids.
  std::set<std::int64_t> planned, in_micro;
  for (auto& f : *buildings) {
    planned.insert(f->GetFieldAsInteger64("bid"));
    const std::string micro = f->GetFieldAsString("micro_code");
    if (!micro.empty()) in_micro.insert(f->GetFieldAsInteger64("bid"));
  }
  CHECK(planned.size() == points.size());
  CHECK(in_micro == planned);
  OGRLayer* micro_grids = plan->GetLayerByName("micro_grids");
  REQUIRE(micro_grids);
  CHECK(micro_grids->GetFeatureCount() > 10);
}
