// `gridplan run` and `gridplan compare` end to end on a tiny town written as GeoJSON: outputs
// opened with ogrinfo (layers, fields, CRS, Chinese text), manifest checksums, atomicity and
// refusals, existing plans from a table and from grid polygons, comparison.

#include <sys/wait.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "planner/io/export.hpp"
#include "tiny_town.hpp"

namespace fs = std::filesystem;

using namespace gp::test;

TEST_CASE("gridplan run writes a complete run directory that GIS tools open") {
  TinyTown town;
  const std::string out = town.path("base");
  const Result r = run(gridplan() + " run " + town.path("tiny.toml") + " --out " + out +
                       " --format shp,geojson -q");
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(r.output.find("report: " + out + "/report.html") != std::string::npos);
  for (const char* file :
       {"plan.gpkg", "metrics.json", "manifest.json", "report.html", "large_grids.csv",
        "shp/fields.csv", "shp/buildings.shp", "shp/buildings.cpg", "shp/large_grids.prj",
        "geojson/micro_grids.geojson"})
    CHECK(fs::exists(out + "/" + file));
  CHECK(town.count_entries(".tmp-") == 0);

  // ogrinfo: layers, features, fields, CRS, Chinese text.
  const Result layers = run("ogrinfo -ro -so -q " + out + "/plan.gpkg");
  for (const char* layer :
       {"communities", "large_grids", "micro_grids", "buildings", "stations", "diagnostics"})
    CHECK(layers.output.find(std::string(": ") + layer + " (") != std::string::npos);
  const Result buildings = run("ogrinfo -ro -so " + out + "/plan.gpkg buildings");
  CHECK(buildings.output.find("Feature Count: 24") != std::string::npos);
  CHECK(buildings.output.find("ID[\"EPSG\",4547]") != std::string::npos);
  for (const char* field : {"bid:", "households:", "hh_est:", "floors:", "compound:", "community:",
                            "large_code:", "micro_code:"})
    CHECK(buildings.output.find(field) != std::string::npos);
  const Result feature = run("ogrinfo -ro -q " + out + "/plan.gpkg buildings -fid 1");
  CHECK(feature.output.find("幸福小区1号楼") != std::string::npos);
  CHECK(feature.output.find("community (String) = 幸福社区") != std::string::npos);
  const Result stations = run("ogrinfo -ro -so " + out + "/plan.gpkg stations");
  for (const char* field :
       {"sid:", "name:", "tier:", "floor_m2:", "hh_served:", "hh_5min:", "hh_10min:", "hh_15min:"})
    CHECK(stations.output.find(field) != std::string::npos);
  const Result shp = run("ogrinfo -ro -q " + out + "/shp/large_grids.shp large_grids -fid 0");
  CHECK(shp.output.find("community (String) = 幸福社区") != std::string::npos);
  CHECK(shp.output.find("micro_cnt") != std::string::npos);

  // metrics.json and manifest.json.
  const auto metrics = nlohmann::json::parse(read(out + "/metrics.json"));
  CHECK(metrics["kpis"]["households"] == 960);
  CHECK(metrics["kpis"]["name"] == "小镇基线");
  CHECK(metrics["kpis"]["full_time_workers"] == 4);
  const auto manifest = nlohmann::json::parse(read(out + "/manifest.json"));
  CHECK(manifest["seed"] == 3);
  CHECK(manifest["gridplan_version"].is_string());
  CHECK(manifest["parameters"]["grids.large"] == "200–400 (target 300)");
  CHECK(manifest["sources"]["grids.large"] == "test bounds");
  bool found = false;
  for (const auto& input : manifest["inputs"])
    if (input["path"].get<std::string>().find("buildings.geojson") != std::string::npos) {
      CHECK(input["sha256"] == gp::io::sha256_file(town.path("in/buildings.geojson")));
      found = true;
    }
  CHECK(found);
  CHECK(manifest["outputs"].size() > 10);

  // The report opens offline: no scripts, no external URLs.
  const std::string html = read(out + "/report.html");
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("幸福社区") != std::string::npos);
  CHECK(html.find("http") == std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
}

TEST_CASE("gridplan run refuses an existing directory, keeps inputs, leaves nothing on failure") {
  TinyTown town;
  const std::string out = town.path("run");
  REQUIRE(run(gridplan() + " run " + town.path("tiny.toml") + " --out " + out + " -q").code == 0);
  const std::string before = read(out + "/manifest.json");
  const std::string input_before = read(town.path("in/buildings.geojson"));

  const Result again = run(gridplan() + " run " + town.path("tiny.toml") + " --out " + out + " -q");
  CHECK(again.code == 6);
  CHECK(again.output.find("pass --overwrite") != std::string::npos);
  CHECK(read(out + "/manifest.json") == before);

  // An output directory holding the inputs is refused even with --overwrite.
  const Result over_input = run(gridplan() + " run " + town.path("tiny.toml") + " --out " +
                                town.path("in") + " --overwrite -q");
  CHECK(over_input.code == 6);
  CHECK(read(town.path("in/buildings.geojson")) == input_before);

  // Failures before and during the run leave no output directory and no temporary one.
  const Result missing =
      run(gridplan() + " run " + town.path("missing.toml") + " --out " + town.path("none") + " -q");
  CHECK(missing.code == 4);
  CHECK(missing.output.find("missing.toml:2: input.files[0]: file not found") != std::string::npos);
  const Result bad_crs = run(gridplan() + " run " + town.path("tiny.toml") + " --out " +
                             town.path("none") + " --crs EPSG:99999999 -q");
  CHECK(bad_crs.code == 4);
  CHECK(!fs::exists(town.path("none")));
  CHECK(town.count_entries(".tmp-") == 0);

  const Result overwrite = run(gridplan() + " run " + town.path("tiny.toml") + " --out " + out +
                               " --overwrite --crs EPSG:4326 -q");
  CHECK(overwrite.code == 0);
  const Result wgs84 = run("ogrinfo -ro -so " + out + "/plan.gpkg large_grids");
  CHECK(wgs84.output.find("ID[\"EPSG\",4326]") != std::string::npos);
  CHECK(town.count_entries(".old-") == 0);
}

TEST_CASE("gridplan run --input prints the defaults it uses") {
  TinyTown town;
  const Result r = run(gridplan() + " run --input " + town.path("in/buildings.geojson") +
                       " --input " + town.path("in/communities.geojson") +
                       " --no-simulation --out " + town.path("quick") + " -q");
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK(r.output.find("No scenario file: using the defaults") != std::string::npos);
  CHECK(r.output.find("grids.large = 300–500 (target 400)") != std::string::npos);
  CHECK(fs::exists(town.path("quick/plan.gpkg")));
}

TEST_CASE("existing plans import from a building table or grid polygons, and re-plan") {
  TinyTown town;
  const std::string base = town.path("base");
  REQUIRE(run(gridplan() + " run " + town.path("tiny.toml") + " --out " + base + " -q").code == 0);
  const auto base_kpis = nlohmann::json::parse(read(base + "/metrics.json"))["kpis"];

  // A building→grid table (what a grid-management platform exports).
  const Result csv = run("ogr2ogr -f CSV " + town.path("table.csv") + " " + base +
                         "/plan.gpkg buildings -select bid,large_code,micro_code");
  REQUIRE(csv.code == 0);
  const Result evaluated =
      run(gridplan() + " run " + town.path("tiny.toml") + " --out " + town.path("eval") +
          " --existing " + town.path("table.csv") + " --existing-mode evaluate -q");
  INFO(evaluated.output);
  REQUIRE(evaluated.code == 0);
  const auto eval_kpis = nlohmann::json::parse(read(town.path("eval/metrics.json")))["kpis"];
  CHECK(eval_kpis["large_grids"] == base_kpis["large_grids"]);
  CHECK(eval_kpis["micro_grids"] == base_kpis["micro_grids"]);
  CHECK(eval_kpis["large_households"]["max"] == base_kpis["large_households"]["max"]);

  // Re-planned from the same table: nothing needs to move.
  const Result replanned =
      run(gridplan() + " run " + town.path("tiny.toml") + " --out " + town.path("replan") +
          " --existing " + town.path("table.csv") + " -q");
  REQUIRE(replanned.code == 0);
  const auto replan = nlohmann::json::parse(read(town.path("replan/metrics.json")));
  CHECK(replan["kpis"]["households_moved"] == 0);
  CHECK(replan.contains("existing_kpis"));

  // Grid polygons: the earlier run's plan.gpkg.
  const Result polygons =
      run(gridplan() + " run " + town.path("tiny.toml") + " --out " + town.path("poly") +
          " --existing " + base + "/plan.gpkg --existing-mode evaluate -q");
  INFO(polygons.output);
  REQUIRE(polygons.code == 0);
  const auto poly_kpis = nlohmann::json::parse(read(town.path("poly/metrics.json")))["kpis"];
  CHECK(poly_kpis["large_grids"] == base_kpis["large_grids"]);
  CHECK(poly_kpis["households"] == 960);
  CHECK(poly_kpis["unplanned_buildings"] == 0);
}

TEST_CASE("gridplan compare: terminal table, compare.html and compare.csv with moves") {
  TinyTown town;
  REQUIRE(run(gridplan() + " run " + town.path("tiny.toml") + " --out " + town.path("a") + " -q")
              .code == 0);
  std::ofstream(town.path("variant.toml")) << R"(inherits = "tiny.toml"
[scenario]
name = "小镇变体"
[grids.large]
min = 150
max = 300
target = 240
)";
  const Result r = run(gridplan() + " compare " + town.path("a") + " " + town.path("variant.toml") +
                       " --out " + town.path("cmp") + " -q");
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(r.output.find("小镇基线") != std::string::npos);
  CHECK(r.output.find("小镇变体") != std::string::npos);
  CHECK(r.output.find("调整户数 (相对第一个方案)") != std::string::npos);
  CHECK(fs::exists(town.path("cmp/compare.html")));
  CHECK(fs::exists(town.path("cmp/runs/variant/plan.gpkg")));
  const std::string csv = read(town.path("cmp/compare.csv"));
  CHECK(csv.find("large_grids,大网格数,large grids,") != std::string::npos);
  const std::string html = read(town.path("cmp/compare.html"));
  CHECK(html.find("差异图") != std::string::npos);
  CHECK(html.find("http") == std::string::npos);
  const Result refused = run(gridplan() + " compare " + town.path("a") + " " + town.path("a") +
                             " --out " + town.path("cmp") + " -q");
  CHECK(refused.code == 6);
}

TEST_CASE("run, plan and inspect take the household table and the point-building side") {
  TinyTown town;
  // A department's table: two buildings get other counts (户数), one row matches no building.
  std::ofstream(town.path("hh.csv")) << "楼栋编号,户数\n1000,55\n1001,61\n9999,7\n";
  const auto files = {"buildings", "communities", "roads"};
  const std::string table = " --household-table " + town.path("hh.csv") +
                            " --household-key 楼栋编号 --household-column 户数";

  const std::string out = town.path("run");
  gridplan_ok("run" + town.inputs(files, " --input") + table +
              " --point-building-side 20 --no-simulation -q --out " + out);
  const auto sources = building_values(out + "/plan.gpkg", {"households", "hh_source"});
  CHECK(sources.at("1000") == "55/table");
  CHECK(sources.at("1001") == "61/table");
  CHECK(sources.at("1002") == "40/field");  // the buildings' own households field
  // The run's scenario keeps both, as scenario keys.
  const std::string scenario = read(out + "/scenario.toml");
  CHECK(scenario.find("point_building_side_m = 20.0") != std::string::npos);
  CHECK(scenario.find("path = \"" + fs::absolute(town.path("hh.csv")).lexically_normal().string() +
                      "\"") != std::string::npos);
  CHECK(scenario.find("key_column = \"楼栋编号\"") != std::string::npos);

  gridplan_ok("plan" + town.inputs(files) + table + " -q --out " + town.path("plan"));
  CHECK(building_values(town.path("plan/plan.gpkg"), {"households", "hh_source"}).at("1001") ==
        "61/table");

  const Result i = run(gridplan() + " inspect" + town.inputs(files) + table + " --all");
  INFO(i.output);
  CHECK(i.code == 0);
  CHECK(i.output.find("household-table-unmatched") != std::string::npos);  // row 9999

  // Details of a table without the table: a clear error (exit 4), not silently ignored.
  const Result bad = run(gridplan() + " plan" + town.inputs(files) +
                         " --household-join name -q --out " + town.path("bad"));
  CHECK(bad.code == 4);
  CHECK(bad.output.find("--household-table FILE") != std::string::npos);
}

namespace {

/// The tiny town with a main road (primary: a hard barrier) between its third and fourth
/// columns of buildings instead of its streets, a scenario for it, and an existing plan whose
/// middle large grid — locked, so a re-plan keeps it as drawn — lies on both sides of the road.
struct MainRoadTown {
  TinyTown town;
  std::string scenario = town.path("main-road.toml");
  std::string inputs = town.inputs({"buildings", "communities", "main_road"}, " --input");
  std::string existing = town.path("locked.geojson");

  MainRoadTown() {
    const double x0 = 500000, y0 = 3500000;
    std::ofstream(town.path("in/main_road.geojson"))
        << R"({"type":"FeatureCollection","name":"roads",)" << kCrs
        << R"(,"features":[{"type":"Feature","properties":{"highway":"primary"},)"
        << R"("geometry":{"type":"LineString","coordinates":[[)" << x0 + 150 << "," << y0 - 10
        << "],[" << x0 + 150 << "," << y0 + 310 << "]]}}]}";
    std::ofstream(scenario) << R"([scenario]
name = "main road"
seed = 3
[input]
files = ["in/buildings.geojson", "in/communities.geojson", "in/main_road.geojson"]
[grids.large]
min = 200
max = 400
[grids.micro]
min = 60
max = 160
[simulation]
enabled = false
)";
    auto rect = [](double x, double y, double w, double h) {
      std::ostringstream s;
      s << "[[[" << x << "," << y << "],[" << x + w << "," << y << "],[" << x + w << "," << y + h
        << "],[" << x << "," << y + h << "],[" << x << "," << y << "]]]";
      return s.str();
    };
    std::ofstream grids(existing);
    grids << R"({"type":"FeatureCollection","name":"large_grids",)" << kCrs << R"(,"features":[)";
    for (int g = 0; g < 3; ++g)
      grids << (g ? "," : "") << R"({"type":"Feature","properties":{"code":"1402211000010)" << g + 1
            << R"(","level":"large","locked":)" << (g == 1 ? 1 : 0)
            << R"(},"geometry":{"type":"Polygon","coordinates":)"
            << rect(x0 + g * 100, y0, 100, 300) << "}}";
    grids << "]}";
  }
};

}  // namespace

TEST_CASE("gridplan run and plan exit 7 when their own plan breaks a rule, and still write it") {
  MainRoadTown t;
  const std::string clean = t.town.path("clean");
  const Result ok = run(gridplan() + " run " + t.scenario + " --out " + clean + " -q");
  INFO(ok.output);
  REQUIRE(ok.code == 0);
  CHECK(ok.output.find("the plan holds every rule") != std::string::npos);
  CHECK(nlohmann::json::parse(read(clean + "/metrics.json"))["audit"]["holds"] == true);
  CHECK(run(gridplan() + " check " + clean + "/plan.gpkg" + t.inputs + " -q").code == 0);

  // Re-planned keeping a locked grid across the main road: our plan breaks the barrier rule.
  const std::string out = t.town.path("broken");
  const Result broken = run(gridplan() + " run " + t.scenario + " --existing " + t.existing +
                            " --out " + out + " -q");
  INFO(broken.output);
  CHECK(broken.code == 7);
  for (const char* file : {"plan.gpkg", "metrics.json", "report.html", "manifest.json"})
    CHECK(fs::exists(out + "/" + file));
  CHECK(t.town.count_entries(".tmp-") == 0);
  CHECK(broken.output.find("此方案不得原样交付") != std::string::npos);
  CHECK(broken.output.find("It must not be handed on as it is") != std::string::npos);
  CHECK(broken.output.find("网格跨越硬边界 1") != std::string::npos);
  CHECK(broken.output.find("grid across a hard barrier 1") != std::string::npos);
  CHECK(broken.output.find("gridplan check " + out + "/plan.gpkg --input ") != std::string::npos);
  CHECK(broken.output.find("locked from the existing plan") != std::string::npos);
  const auto audit = nlohmann::json::parse(read(out + "/metrics.json"))["audit"];
  CHECK(audit["holds"] == false);
  CHECK(audit["broken_by_rule"]["barrier-crossed"] == 1);

  // `gridplan check` gives the exported plan the same verdict (exit 1: its own code).
  const Result check =
      run(gridplan() + " check " + out + "/plan.gpkg" + t.inputs + " --json -q 2>/dev/null");
  CHECK(check.code == 1);
  const auto checked = nlohmann::json::parse(check.output);
  CHECK(checked["broken"] == audit["broken"]);
  CHECK(checked["broken_by_rule"] == audit["broken_by_rule"]);

  // The existing plan evaluated as it is: its broken rules are the job's answer, exit 0.
  const Result evaluated = run(gridplan() + " run " + t.scenario + " --existing " + t.existing +
                               " --existing-mode evaluate --out " + t.town.path("eval") + " -q");
  INFO(evaluated.output);
  CHECK(evaluated.code == 0);
  CHECK(evaluated.output.find("the existing plan breaks rules (grid across a hard barrier 1") !=
        std::string::npos);
  const auto eval_audit = nlohmann::json::parse(read(t.town.path("eval/metrics.json")))["audit"];
  CHECK(eval_audit["own_plan"] == false);
  CHECK(eval_audit["broken_by_rule"]["barrier-crossed"] == 1);

  // gridplan plan makes the plan the same way: the same exit 7, the plan written.
  const Result plan =
      run(gridplan() + " plan " + t.town.inputs({"buildings", "communities", "main_road"}) +
          " --large-min 200 --large-max 400 --existing " + t.existing + " --out " +
          t.town.path("plan") + " -q");
  INFO(plan.output);
  CHECK(plan.code == 7);
  CHECK(fs::exists(t.town.path("plan/plan.gpkg")));
  CHECK(nlohmann::json::parse(read(t.town.path("plan/plan.json")))["audit"]["holds"] == false);
  const Result plan_clean =
      run(gridplan() + " plan " + t.town.inputs({"buildings", "communities", "main_road"}) +
          " --large-min 200 --large-max 400 --out " + t.town.path("plan-clean") + " -q");
  CHECK(plan_clean.code == 0);
}
