// `gridplan check` end to end: hand-drawn plans written as GeoJSON (EPSG:4547, metres) with one
// rule broken each — reported with grid code and location, exit 1, JSON fields — a clean one
// (exit 0), bad input (exit 3/4), and the demo town's own run, whose metrics.json check agrees
// with.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "../support/shell.hpp"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace {

using Result = gp::test::ShellResult;  // out: stdout only (JSON)

Result run(const std::string& command) {
  return gp::test::shell(command, gp::test::Stderr::discarded);
}

const char* kCrs = R"("crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4547"}})";
constexpr double kX = 500000, kY = 3500000;  // the town's south-west corner (CM 114E)

std::string ring(std::vector<std::pair<double, double>> points) {
  std::ostringstream out;
  out.precision(12);
  out << "[";
  for (std::size_t i = 0; i < points.size(); ++i)
    out << (i ? "," : "") << "[" << kX + points[i].first << "," << kY + points[i].second << "]";
  out << "]";
  return out.str();
}

std::string rect(double x0, double y0, double x1, double y1) {
  return ring({{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}});
}

std::string polygon(const std::string& rings) {
  return R"({"type":"Polygon","coordinates":[)" + rings + "]}";
}

void write(const fs::path& path, const std::string& name,
           const std::vector<std::pair<std::string, std::string>>& features) {
  std::ofstream out(path);
  out << R"({"type":"FeatureCollection","name":")" << name << "\"," << kCrs << R"(,"features":[)";
  for (std::size_t i = 0; i < features.size(); ++i)
    out << (i ? "," : "") << R"({"type":"Feature","properties":)" << features[i].first
        << R"(,"geometry":)" << features[i].second << "}";
  out << "]}\n";
}

/// The hand-drawn town of tests/report/test_plan_audit.cpp as files: one community 400 × 200 m,
/// eight buildings of 50 households, a compound over buildings 2 and 3 (x 120–260), a primary
/// road along x = 200; large grids west / east of x = 200, micro grids south / north of y = 100.
struct Files {
  fs::path dir;
  std::map<std::string, std::string> grids;  // code → geometry
  std::vector<std::pair<std::string, std::string>> roads;
  std::map<int, std::string> filed_under;  // building → micro code, when the plan says
  bool split_compound = false;

  explicit Files(const std::string& name) : dir(fs::temp_directory_path() / ("gp_check_" + name)) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    write(dir / "communities.geojson", "communities",
          {{R"({"code":"140221100001","name":"西城社区"})", polygon(rect(0, 0, 400, 200))}});
    roads.push_back(
        {R"({"class":"primary","name":"府前大街"})",
         R"({"type":"LineString","coordinates":)" + ring({{200, -10}, {200, 210}}) + "}"});
    grids["14022110000101"] = polygon(rect(0, 0, 200, 200));
    grids["14022110000102"] = polygon(rect(200, 0, 400, 200));
    grids["1402211000010101"] = polygon(rect(0, 0, 200, 100));
    grids["1402211000010102"] = polygon(rect(0, 100, 200, 200));
    grids["1402211000010201"] = polygon(rect(200, 0, 400, 100));
    grids["1402211000010202"] = polygon(rect(200, 100, 400, 200));
  }
  ~Files() {
    if (!getenv("KEEP")) fs::remove_all(dir);
  }

  Result check(const std::string& options = "--min 150 --max 250 --micro-min 50 --micro-max 150") {
    std::vector<std::pair<std::string, std::string>> features;
    for (const auto& [code, geometry] : grids) {
      const bool large = code.size() == 14;
      features.push_back({R"({"code":")" + code + R"(","level":")" + (large ? "大网格" : "微网格") +
                              R"(","parent":")" + (large ? "" : code.substr(0, 14)) + "\"}",
                          geometry});
    }
    write(dir / "grids.geojson", "grids", features);
    std::vector<std::pair<std::string, std::string>> buildings;
    for (int i = 0; i < 8; ++i) {
      const double x = 20 + (i % 4) * 100, y = 20 + (i / 4) * 100;
      std::string props = R"({"bid":)" + std::to_string(100 + i) + R"(,"households":50)";
      if (!filed_under.empty()) {
        // The plan's own building → grid table, as plan.gpkg's buildings layer carries it.
        const std::string large = i % 4 < 2 ? "14022110000101" : "14022110000102";
        const std::string micro =
            filed_under.count(i) ? filed_under.at(i) : large + (i < 4 ? "01" : "02");
        props += R"(,"large_code":")" + large + R"(","micro_code":")" + micro + "\"";
      }
      buildings.push_back({props + "}", polygon(rect(x, y, x + 40, y + 40))});
    }
    write(dir / "buildings.geojson", "buildings", buildings);
    write(dir / "roads.geojson", "roads", roads);
    // A compound over buildings 101 and 102 (x 110–270): split between the large grids.
    write(
        dir / "compounds.geojson", "compounds",
        split_compound
            ? std::vector<std::pair<std::string, std::string>>{{R"({"ref":"01","name":"幸福小区"})",
                                                                polygon(rect(110, 10, 270, 70))}}
            : std::vector<std::pair<std::string, std::string>>{});
    std::string command =
        std::string(GRIDPLAN_CLI_PATH) + " check " + (dir / "grids.geojson").string();
    for (const char* f : {"buildings", "communities", "compounds", "roads"})
      command += " --input " + (dir / (std::string(f) + ".geojson")).string();
    return run(command + " --json -q " + options);
  }
};

nlohmann::json parse(const Result& r) {
  INFO(r.out);
  REQUIRE_NOTHROW(nlohmann::json::parse(r.out));
  return nlohmann::json::parse(r.out);
}

std::vector<nlohmann::json> broken(const nlohmann::json& j, const std::string& rule) {
  std::vector<nlohmann::json> out;
  for (const auto& f : j["findings"])
    if (f["rule"] == rule && f["severity"] == "broken") out.push_back(f);
  return out;
}

}  // namespace

TEST_CASE("gridplan check: a clean hand-drawn plan holds, exit 0") {
  Files files("clean");
  const Result r = files.check();
  const nlohmann::json j = parse(r);
  INFO(r.out);
  CHECK(r.code == 0);
  CHECK(j["holds"] == true);
  CHECK(j["broken"] == 0);
  CHECK(j["counts"]["large_grids"] == 2);
  CHECK(j["counts"]["micro_grids"] == 4);
  CHECK(j["counts"]["households"] == 400);
  CHECK(j["metrics"]["discontiguous"] == 0);
  CHECK(j["metrics"]["barrier_crossings"] == 0);
  CHECK(j["bounds"]["large"]["min"] == 150);
}

TEST_CASE("gridplan check: each broken rule is reported with grid code and location, exit 1") {
  Files files("broken");
  std::string rule, grid;
  SECTION("a grid in two pieces") {
    files.grids["14022110000101"] = R"({"type":"MultiPolygon","coordinates":[[)" +
                                    rect(0, 0, 200, 200) + "],[" + rect(380, 180, 400, 200) + "]]}";
    files.grids["14022110000102"] = polygon(
        ring({{200, 0}, {400, 0}, {400, 180}, {380, 180}, {380, 200}, {200, 200}, {200, 0}}));
    files.grids["1402211000010202"] = polygon(
        ring({{200, 100}, {400, 100}, {400, 180}, {380, 180}, {380, 200}, {200, 200}, {200, 100}}));
    rule = "grid-in-pieces";
    grid = "14022110000101";
  }
  SECTION("a grid across a river") {
    files.roads.push_back(
        {R"({"class":"river","name":"御河"})",
         R"({"type":"LineString","coordinates":)" + ring({{-10, 100}, {410, 100}}) + "}"});
    // A river in the roads layer is read as a road of class "river": make it hard by option.
    rule = "barrier-crossed";
    grid = "14022110000101";
  }
  SECTION("a split compound") {
    files.split_compound = true;
    rule = "compound-split";
    grid = "14022110000101";
  }
  SECTION("a building outside its micro grid") {
    // Building 100 (x 20–60, y 20–60) filed under the north-west micro grid (y 100–200).
    files.filed_under[0] = "1402211000010102";
    rule = "building-outside-grid";
    grid = "1402211000010102";
  }
  SECTION("a coverage gap") {
    files.grids["14022110000102"] = polygon(rect(200, 0, 400, 180));
    files.grids["1402211000010202"] = polygon(rect(200, 100, 400, 180));
    rule = "coverage-gap";
    grid = "140221100001";
  }
  SECTION("an overlap") {
    files.grids["14022110000101"] = polygon(rect(0, 0, 220, 200));
    rule = "coverage-overlap";
    grid = "14022110000101";
  }
  SECTION("a micro grid sticking out of its large grid") {
    files.grids["1402211000010102"] = polygon(rect(0, 100, 250, 200));
    rule = "micro-not-nested";
    grid = "1402211000010102";
  }
  const std::string hard = rule == "barrier-crossed" ? " --hard-roads primary,river" : "";
  const Result r = files.check("--min 150 --max 250 --micro-min 50 --micro-max 150" + hard);
  const nlohmann::json j = parse(r);
  INFO(rule << "\n" << r.out);
  CHECK(r.code == 1);
  CHECK(j["holds"] == false);
  const auto found = broken(j, rule);
  REQUIRE_FALSE(found.empty());
  CHECK(found[0]["grid"] == grid);
  CHECK(found[0]["x"].get<double>() > kX - 1);
  CHECK(found[0]["x"].get<double>() < kX + 401);
  CHECK(found[0]["y"].get<double>() > kY - 1);
  CHECK(found[0]["y"].get<double>() < kY + 201);
  CHECK(found[0]["lon"].get<double>() == Approx(114.0).margin(0.01));  // CM 114E, x ≈ 500 km
  CHECK(found[0]["lat"].get<double>() == Approx(31.6).margin(0.2));
  CHECK_FALSE(found[0]["message"].get<std::string>().empty());
  CHECK_FALSE(found[0]["title_zh"].get<std::string>().empty());
  if (rule == "grid-in-pieces") CHECK(j["metrics"]["discontiguous"] == 1);
  if (rule == "barrier-crossed") CHECK(j["metrics"]["barrier_crossings"] == 2);
  if (rule == "compound-split") CHECK(j["metrics"]["compound_splits"] == 1);
  if (rule == "coverage-gap") CHECK(j["metrics"]["coverage_gap_m2"].get<double>() == Approx(4000));
  if (rule == "building-outside-grid") {
    CHECK(j["metrics"]["buildings_outside"] == 1);
    CHECK(found[0]["building"] == 100);
    CHECK(j["assignment"].get<std::string>().find("buildings") != std::string::npos);
  }
}

TEST_CASE("gridplan check: bad input and bad bounds get the documented exit codes") {
  Files files("bad");
  CHECK(run(std::string(GRIDPLAN_CLI_PATH) + " check /nonexistent/plan.gpkg").code == 3);
  CHECK(files.check("--min 300 --max 200").code == 4);
  CHECK(run(std::string(GRIDPLAN_CLI_PATH) + " check").code == 2);
}

TEST_CASE("gridplan check agrees with metrics.json of the demo town's run, and finds it clean") {
  const fs::path out = fs::temp_directory_path() / "gp_check_demo";
  fs::remove_all(out);
  const std::string demo = std::string(GRIDPLAN_SOURCE_DIR) + "/data/demo-town.gpkg";
  const Result ran = run(std::string(GRIDPLAN_CLI_PATH) + " run --input " + demo + " --out " +
                         out.string() + " --no-simulation -q");
  REQUIRE(ran.code == 0);
  const Result r = run(std::string(GRIDPLAN_CLI_PATH) + " check " + (out / "plan.gpkg").string() +
                       " --input " + demo + " --json -q");
  const nlohmann::json j = parse(r);
  std::ifstream in(out / "metrics.json");
  const nlohmann::json kpis = nlohmann::json::parse(in)["kpis"];
  INFO(r.out);
  CHECK(r.code == 0);
  CHECK(j["holds"] == true);
  for (const char* key :
       {"discontiguous", "grids_with_crumbs", "grids_without_polygon", "barrier_crossings",
        "compound_splits", "buildings_outside", "micro_not_nested"})
    CHECK(j["metrics"][key] == kpis[key]);
  CHECK(j["metrics"]["bound_violations"] ==
        kpis["large_violations"].get<int>() + kpis["micro_violations"].get<int>());
  CHECK(j["counts"]["households"] == kpis["households"]);
  CHECK(j["bounds"]["from"].get<std::string>().find("manifest") != std::string::npos);
  fs::remove_all(out);
}
