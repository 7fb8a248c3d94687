// Real data: the three OpenStreetMap extracts in ../shared/data/osm through `gridplan run`
// (defaults only, as a new user would), and bureau-style inputs built from one of them (GBK
// Shapefiles without .cpg and without a language byte, Chinese layer and field names, Chinese
// road classes and use values, households for part of the homes, communities that cut
// compounds). Every polygon invariant is checked BY GEOMETRY on the exported plan with
// `gridplan check`, which must agree with the run's metrics.json, and with the independent
// ../shared/tools/check_plan.py (geopandas) when /usr/bin/python3 has it. Skips with a message
// when ../shared/data is absent.
//
// Runs are cached per build in <build>/tests/realdata-runs/<name> (rerun when the gridplan
// binary is newer), so each test case (one process under ctest) does not re-plan.
//
// Tests tagged [.pending] fail today and are hidden until the fixes they wait for land
// (helper "poly": grid polygons in pieces, crumbs, buildings outside, barrier crossings by
// geometry; helper "load": GBK without .cpg, Chinese road classes). Each says what it reports.

#include <sys/wait.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace {

struct Result {
  int code = -1;
  std::string out;
};

Result shell(const std::string& command, bool with_stderr = true) {
  Result result;
  FILE* pipe = popen((command + (with_stderr ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
  REQUIRE(pipe);
  std::array<char, 4096> buffer;
  while (std::fgets(buffer.data(), buffer.size(), pipe)) result.out += buffer.data();
  const int status = pclose(pipe);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string quote(const fs::path& p) {
  return "'" + p.string() + "'";
}

fs::path shared(const std::string& name) {
  return fs::path(GRIDPLAN_SHARED_DATA_DIR) / "osm" / name;
}

bool have(const std::string& name) {
  if (fs::exists(shared(name))) return true;
  WARN("skipped: " << shared(name) << " is absent (real OSM extracts live in ../shared/data)");
  return false;
}

fs::path runs_dir() {
  return fs::current_path() / "realdata-runs";
}

/// `gridplan run --input INPUT --out <runs>/<name> --no-simulation`, reused while newer than the
/// gridplan binary.
fs::path planned(const std::string& name, const std::string& input) {
  const fs::path out = runs_dir() / name;
  const fs::path manifest = out / "manifest.json";
  if (fs::exists(manifest) &&
      fs::last_write_time(manifest) > fs::last_write_time(GRIDPLAN_CLI_PATH))
    return out;
  fs::create_directories(runs_dir());
  const Result r = shell(std::string(GRIDPLAN_CLI_PATH) + " run --input " + input + " --out " +
                         quote(out) + " --overwrite --no-simulation -q");
  INFO(r.out);
  REQUIRE(r.code == 0);
  return out;
}

nlohmann::json kpis_of(const fs::path& run) {
  std::ifstream in(run / "metrics.json");
  return nlohmann::json::parse(in)["kpis"];
}

/// `gridplan check PLAN --input INPUT --json` (the data the plan was made from: roads and
/// compounds are not in plan.gpkg).
nlohmann::json checked(const fs::path& run, const std::string& input, int* code = nullptr) {
  const Result r = shell(std::string(GRIDPLAN_CLI_PATH) + " check " + quote(run / "plan.gpkg") +
                             " --input " + input + " --json -q",
                         false);
  INFO(r.out);
  if (code) *code = r.code;
  REQUIRE_NOTHROW(nlohmann::json::parse(r.out));
  return nlohmann::json::parse(r.out);
}

const char* kAgreeing[] = {"discontiguous",     "grids_with_crumbs", "grids_without_polygon",
                           "barrier_crossings", "compound_splits",   "buildings_outside",
                           "micro_not_nested"};

void check_agreement(const fs::path& run, const std::string& input) {
  const nlohmann::json kpis = kpis_of(run);
  const nlohmann::json j = checked(run, input);
  for (const char* key : kAgreeing) {
    INFO(key << ": gridplan check " << j["metrics"][key] << ", metrics.json " << kpis[key]);
    CHECK(j["metrics"][key] == kpis[key]);
  }
  CHECK(j["counts"]["households"] == kpis["households"]);
}

/// Every invariant of issue 12 item 1, by geometry, on the exported polygons.
void check_invariants(const fs::path& run, const std::string& input) {
  int code = -1;
  const nlohmann::json j = checked(run, input, &code);
  const nlohmann::json& a = j["audit"];
  std::string summary;
  for (const auto& [rule, n] : j["broken_by_rule"].items())
    summary += rule + " " + std::to_string(n.get<int>()) + "; ";
  INFO("broken: " << summary);
  CHECK(a["grids_without_polygon"] == 0);
  CHECK(a["large_in_pieces"] == 0);
  CHECK(a["micro_in_pieces"] == 0);
  CHECK(a["grids_with_crumbs"] == 0);
  CHECK(a["buildings_outside"] == 0);
  CHECK(a["buildings_unassigned"] == 0);
  CHECK(a["micro_not_nested"] == 0);
  CHECK(a["coverage_gaps"] == 0);
  CHECK(a["coverage_overlaps"] == 0);
  CHECK(a["large_crossing_barrier"] == 0);
  CHECK(a["micro_crossing_barrier"] == 0);
  CHECK(code == 0);
}

/// ../shared/tools/check_plan.py PLAN LARGE_MIN LARGE_MAX: the independent check (geopandas).
void check_with_python(const fs::path& run) {
  const fs::path tool =
      fs::path(GRIDPLAN_SHARED_DATA_DIR).parent_path() / "tools" / "check_plan.py";
  if (!fs::exists(tool) || shell("/usr/bin/python3 -c 'import geopandas'").code != 0) {
    WARN("skipped: " << tool << " or /usr/bin/python3 with geopandas is absent");
    return;
  }
  const Result r =
      shell("/usr/bin/python3 " + quote(tool) + " " + quote(run / "plan.gpkg") + " 300 500");
  INFO(r.out);
  CHECK(r.code == 0);
}

struct Extract {
  const char* name;
  const char* file;
};
constexpr Extract kNanjing{"nanjing", "nanjing-xinjiekou.osm"};
constexpr Extract kHelsinki{"helsinki", "helsinki-centre.osm.pbf"};
constexpr Extract kMonaco{"monaco", "monaco.osm.pbf"};

}  // namespace

// ---- the three extracts, defaults only ---------------------------------------------------------

TEST_CASE("realdata: each extract plans with households") {
  for (const Extract& e : {kNanjing, kHelsinki, kMonaco}) {
    if (!have(e.file)) continue;
    const fs::path run = planned(e.name, quote(shared(e.file)));
    const nlohmann::json kpis = kpis_of(run);
    INFO(e.name);
    CHECK(kpis["households"].get<long long>() > 0);
    CHECK(kpis["large_grids"].get<int>() > 0);
    CHECK(kpis["micro_grids"].get<int>() >= kpis["large_grids"].get<int>());
  }
}

// Pending: gridplan check of the exported plan.gpkg (read back from WGS84, repaired by the
// loader) and the run's metrics.json disagree today. Measured 2026-12-06:
//   monaco   discontiguous 62 vs 63 (a grid written as an invalid multipolygon, merged on read),
//            barrier_crossings 141 vs 135
//   helsinki barrier_crossings 22 vs 23
//   nanjing  discontiguous 37 vs 39, barrier_crossings 13 vs 20, buildings_outside 62 vs 65 (the
//            3 buildings of micro grids exported without a polygon read as unassigned)
// Waits for helper "poly" (valid single-piece polygons whose edges follow the hard roads).
TEST_CASE("realdata: gridplan check agrees with metrics.json on monaco", "[.pending]") {
  if (!have(kMonaco.file)) return;
  check_agreement(planned(kMonaco.name, quote(shared(kMonaco.file))), quote(shared(kMonaco.file)));
}
TEST_CASE("realdata: gridplan check agrees with metrics.json on helsinki", "[.pending]") {
  if (!have(kHelsinki.file)) return;
  check_agreement(planned(kHelsinki.name, quote(shared(kHelsinki.file))),
                  quote(shared(kHelsinki.file)));
}
TEST_CASE("realdata: gridplan check agrees with metrics.json on nanjing", "[.pending]") {
  if (!have(kNanjing.file)) return;
  check_agreement(planned(kNanjing.name, quote(shared(kNanjing.file))),
                  quote(shared(kNanjing.file)));
}

// Pending (helper "poly"): measured with gridplan check 2026-12-06 —
//   monaco   62 grids in pieces, 377 with crumbs, 29 buildings outside, 141 across a hard barrier
//   helsinki 10 in pieces, 99 with crumbs, 14 buildings outside, 22 across a hard barrier
//   nanjing  37 in pieces, 24 with crumbs, 62 buildings outside, 3 unassigned, 13 grids without
//            a polygon, 13 across a hard barrier
TEST_CASE("realdata: every polygon invariant holds by geometry on monaco", "[.pending]") {
  if (!have(kMonaco.file)) return;
  check_invariants(planned(kMonaco.name, quote(shared(kMonaco.file))), quote(shared(kMonaco.file)));
}
TEST_CASE("realdata: every polygon invariant holds by geometry on helsinki", "[.pending]") {
  if (!have(kHelsinki.file)) return;
  check_invariants(planned(kHelsinki.name, quote(shared(kHelsinki.file))),
                   quote(shared(kHelsinki.file)));
}
TEST_CASE("realdata: every polygon invariant holds by geometry on nanjing", "[.pending]") {
  if (!have(kNanjing.file)) return;
  check_invariants(planned(kNanjing.name, quote(shared(kNanjing.file))),
                   quote(shared(kNanjing.file)));
}

// Pending (helper "poly"): check_plan.py reports grids in pieces, crumbs and buildings outside
// on every extract (the figures above).
TEST_CASE("realdata: check_plan.py passes on every extract", "[.pending]") {
  for (const Extract& e : {kNanjing, kHelsinki, kMonaco}) {
    if (!have(e.file)) continue;
    INFO(e.name);
    check_with_python(planned(e.name, quote(shared(e.file))));
  }
}

// ---- bureau-style inputs built from the Nanjing extract ---------------------------------------

namespace {

/// GBK Shapefiles as a surveying bureau hands them out, made with ogr2ogr from the Nanjing run
/// (buildings with their use and households) and extract (roads): 建筑 (楼栋编号, 用途 in
/// Chinese, 层数, 户数 for one building in three), 道路 (道路等级 快速路/主干路/次干路/支路,
/// 道路名称), 社区 (社区编码, 社区名称: 2 × 2 rectangles over the extent, cutting compounds).
/// No .cpg and the DBF language byte zeroed. Returns the directory, or "" when ogr2ogr is absent.
fs::path bureau_inputs(const fs::path& nanjing_run) {
  if (shell("ogr2ogr --version").code != 0) {
    WARN("skipped: ogr2ogr (gdal-bin) is absent");
    return {};
  }
  const fs::path dir = runs_dir() / "bureau-input";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path plan = nanjing_run / "plan.gpkg";
  const std::string gbk = " -f 'ESRI Shapefile' -lco ENCODING=CP936 -dialect SQLite ";
  Result r = shell(
      "ogr2ogr" + gbk + quote(dir / "建筑.shp") + " " + quote(plan) +
      " -nln 建筑 -nlt MULTIPOLYGON -sql \"SELECT geom, bid AS 楼栋编号, CASE use WHEN "
      "'residential' THEN '住宅' WHEN 'mixed' THEN '商住' WHEN 'commercial' THEN '商业' WHEN "
      "'office' THEN '办公' WHEN 'school' THEN '学校' WHEN 'hospital' THEN '医院' WHEN "
      "'industrial' THEN '工业' WHEN 'ancillary' THEN '附属' ELSE '其他' END AS 用途, floors AS "
      "层数, CASE WHEN bid % 3 = 0 THEN households END AS 户数 FROM buildings\"");
  INFO(r.out);
  REQUIRE(r.code == 0);
  r = shell("ogr2ogr" + gbk + quote(dir / "道路.shp") + " " + quote(shared(kNanjing.file)) +
            " -nln 道路 -sql \"SELECT geometry, CASE highway WHEN 'motorway' THEN '快速路' WHEN "
            "'trunk' THEN '快速路' WHEN 'primary' THEN '主干路' WHEN 'secondary' THEN '次干路' "
            "WHEN 'tertiary' THEN '支路' ELSE '街坊路' END AS 道路等级, name AS 道路名称 FROM "
            "lines WHERE highway IS NOT NULL\"");
  INFO(r.out);
  REQUIRE(r.code == 0);
  // Communities: the extent of the plan's communities cut into 2 × 2 rectangles.
  r = shell("ogrinfo -ro -so -al " + quote(plan) + " communities | grep Extent");
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  REQUIRE(std::sscanf(r.out.c_str(), "Extent: (%lf, %lf) - (%lf, %lf)", &x0, &y0, &x1, &y1) == 4);
  const fs::path communities = dir / "communities.geojson";
  {
    std::ofstream out(communities);
    out.precision(12);
    out << R"({"type":"FeatureCollection","features":[)";
    for (int k = 0; k < 4; ++k) {
      const double ax = x0 + (x1 - x0) * (k % 2) / 2, bx = x0 + (x1 - x0) * (k % 2 + 1) / 2;
      const double ay = y0 + (y1 - y0) * (k / 2) / 2, by = y0 + (y1 - y0) * (k / 2 + 1) / 2;
      out << (k ? "," : "") << R"({"type":"Feature","properties":{"社区编码":"32010200100)" << k + 1
          << R"(","社区名称":"新街口第)" << k + 1
          << R"(社区"},"geometry":{"type":"Polygon","coordinates":[[[)" << ax << "," << ay << "],["
          << bx << "," << ay << "],[" << bx << "," << by << "],[" << ax << "," << by << "],[" << ax
          << "," << ay << "]]]}}";
    }
    out << "]}\n";
  }
  // The run exports in the input's CRS: WGS84 longitude/latitude for an OSM extract.
  r = shell("ogr2ogr -f 'ESRI Shapefile' -lco ENCODING=CP936 " + quote(dir / "社区.shp") + " " +
            quote(communities) + " -nln 社区 -a_srs EPSG:4326");
  INFO(r.out);
  REQUIRE(r.code == 0);
  fs::remove(communities);
  // As bureaus hand them out: no .cpg, no language byte (DBF byte 29).
  for (const char* layer : {"建筑", "道路", "社区"}) {
    fs::remove(dir / (std::string(layer) + ".cpg"));
    std::fstream dbf(dir / (std::string(layer) + ".dbf"),
                     std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(dbf);
    dbf.seekp(29);
    dbf.put('\0');
  }
  return dir;
}

}  // namespace

TEST_CASE("realdata: bureau-style GBK inputs build and load with households", "[realdata]") {
  if (!have(kNanjing.file)) return;
  const fs::path dir = bureau_inputs(planned(kNanjing.name, quote(shared(kNanjing.file))));
  if (dir.empty()) return;
  for (const char* f : {"建筑.shp", "道路.shp", "社区.shp"}) CHECK(fs::exists(dir / f));
  CHECK_FALSE(fs::exists(dir / "建筑.cpg"));
  const Result r = shell(std::string(GRIDPLAN_CLI_PATH) + " inspect " + quote(dir / "建筑.shp"));
  INFO(r.out);
  CHECK(r.code == 0);
}

// Pending (helpers "load" and "poly"): a GBK DBF without .cpg and language byte is read with its
// Chinese field names unrecognised (户数/层数/用途 ignored: today 0 buildings with a household
// count read, all estimated), and 主干路/次干路 are not hard barriers, so no crossing is even
// looked for. Also today: 5 large and 24 micro grids in pieces, 24 with crumbs, 60 buildings
// outside their micro grid, 4 unassigned. Checks: households read from 户数, every polygon
// invariant by geometry, no grid across a hard road, gridplan check agreeing with metrics.json,
// check_plan.py.
TEST_CASE("realdata: bureau-style GBK Shapefiles plan and hold every invariant", "[.pending]") {
  if (!have(kNanjing.file)) return;
  const fs::path dir = bureau_inputs(planned(kNanjing.name, quote(shared(kNanjing.file))));
  if (dir.empty()) return;
  const std::string input = quote(dir);
  const fs::path run = planned("bureau", input);
  const nlohmann::json kpis = kpis_of(run);
  CHECK(kpis["households"].get<long long>() > 0);
  // 户数 is given for a third of the buildings: the loader must have read it (the run's buildings
  // layer says which counts were estimated).
  const Result estimated = shell(
      "ogrinfo -ro -q -sql \"SELECT COUNT(*) FROM buildings WHERE "
      "hh_est = 0 AND households > 0\" " +
      quote(run / "plan.gpkg"));
  INFO(estimated.out);
  CHECK(estimated.out.find("= 0\n") == std::string::npos);
  check_invariants(run, input);
  check_agreement(run, input);
  check_with_python(run);
}
