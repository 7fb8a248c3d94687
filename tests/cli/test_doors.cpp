// Every door gives the same plan (issue 13): one scenario through `gridplan run`, `gridplan plan`
// and a re-run of the run's own scenario.toml gives the same building → grid assignment and the
// same exported fields; a scenario with only min/max gives the same target everywhere and in the
// manifest; the input options (--role) are on every subcommand that reads inputs; a grids layer
// among the inputs is not an existing plan at any door. (The studio's door: tests/studio.)

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tiny_town.hpp"

using namespace gp::test;

namespace {

const char* kBounds =
    " --large-min 200 --large-max 400 --large-target 300 --micro-min 60 --micro-max 160 "
    "--micro-target 120 --seed 3";

}  // namespace

TEST_CASE("doors: run and plan and the run scenario.toml give the same plan and the same fields") {
  TinyTown town;
  // A hand-drawn grids layer among the inputs: no door takes it as the existing plan (only a
  // file named with --existing / [existing] is one), so it changes nothing.
  std::ofstream(town.path("in/grids.geojson"))
      << R"({"type":"FeatureCollection","name":"grids",)" << kCrs
      << R"(,"features":[{"type":"Feature","properties":{"code":"G1","level":"large","locked":1},)"
      << R"("geometry":{"type":"Polygon","coordinates":)" << square(500000, 3500000, 300) << "}}]}";
  const auto files = {"buildings", "communities", "roads", "stations", "grids"};

  gridplan_ok("run " + town.path("tiny.toml") + " --out " + town.path("run") +
              " --no-simulation -q");
  gridplan_ok("run" + town.inputs(files, " --input") + " --seed 3 --out " +
              town.path("run-inputs") + " --no-simulation -q");
  gridplan_ok("plan" + town.inputs(files) + kBounds + " --out " + town.path("plan") + " -q");
  gridplan_ok("run " + town.path("run/scenario.toml") + " --out " + town.path("again") +
              " --no-simulation -q");

  const auto expected = assignment(town.path("run/plan.gpkg"));
  REQUIRE(expected.size() == 24);
  std::set<std::string> codes;
  for (const auto& [bid, code] : expected) codes.insert(code.substr(0, code.find('/')));
  CHECK(codes.size() >= 3);  // 960 households in grids of 200–400: a real division
  CHECK(assignment(town.path("plan/plan.gpkg")) == expected);
  CHECK(assignment(town.path("again/plan.gpkg")) == expected);
  // The defaults (--input without a scenario) differ only in the bounds: same buildings, planned
  // afresh too (every building in a grid, the grids layer not used).
  const auto defaults = assignment(town.path("run-inputs/plan.gpkg"));
  CHECK(defaults.size() == 24);
  for (const auto& [bid, code] : defaults) CHECK(code.find('/') > 0);

  // One schema: every field of every layer, by name and type, the same at each door.
  const std::set<std::string> fields = schema(town.path("run/plan.gpkg"));
  CHECK(fields.count("large_grids: households (Integer64)") == 1);
  CHECK(fields.count("buildings: micro_code (String)") == 1);
  CHECK(schema(town.path("plan/plan.gpkg")) == fields);
  CHECK(schema(town.path("again/plan.gpkg")) == fields);
  // plan's GeoJSON is the same layer definition.
  const auto large = nlohmann::json::parse(read(town.path("plan/geojson/large_grids.geojson")));
  std::set<std::string> keys;
  for (const auto& [key, value] : large["features"][0]["properties"].items()) keys.insert(key);
  for (const std::string& f : fields)
    if (f.rfind("large_grids: ", 0) == 0) {
      const std::string name = f.substr(13, f.find(' ', 13) - 13);
      CHECK(keys.count(name) == 1);
    }

  // scenario.toml says what the manifest says.
  const auto manifest = nlohmann::json::parse(read(town.path("run/manifest.json")));
  const auto manifest_again = nlohmann::json::parse(read(town.path("again/manifest.json")));
  for (const char* key : {"grids.large", "grids.micro", "grids.weights", "scenario.seed",
                          "barriers.hard_road_classes", "workers.full_time"})
    CHECK(manifest["parameters"][key] == manifest_again["parameters"][key]);
  CHECK(manifest["scenario"]["resolved"] == "scenario.toml");
}

TEST_CASE("doors: a scenario with only min and max gives the same target everywhere") {
  TinyTown town;
  gridplan_ok("run " + town.min_max_scenario() + " --out " + town.path("run") + " -q");
  const auto manifest = nlohmann::json::parse(read(town.path("run/manifest.json")));
  CHECK(manifest["parameters"]["grids.large"] == "100–250 (target 175)");
  CHECK(manifest["parameters"]["grids.micro"] == "40–90 (target 65)");
  const std::string toml = read(town.path("run/scenario.toml"));
  CHECK(toml.find("target = 175") != std::string::npos);
  CHECK(toml.find("target = 65") != std::string::npos);
  const std::string report = read(town.path("run/report.html"));
  CHECK(report.find("target 175") != std::string::npos);
  CHECK(report.find("target 400") == std::string::npos);

  const Result planned =
      gridplan_ok("plan" + town.inputs({"buildings", "communities", "roads"}) +
                  " --large-min 100 --large-max 250 --micro-min 40 --micro-max 90 --seed 3 --out " +
                  town.path("plan") + " -q");
  CHECK(planned.output.find("large grids 100–250 households (target 175), micro grids 40–90 "
                            "(target 65)") != std::string::npos);
  const auto plan_json = nlohmann::json::parse(read(town.path("plan/plan.json")));
  CHECK(plan_json["params"]["large"] == nlohmann::json({100, 250, 175}));
  CHECK(assignment(town.path("plan/plan.gpkg")) == assignment(town.path("run/plan.gpkg")));

  // A target given outside the bounds is refused at every door, naming where it was given.
  const Result bad_plan =
      run(gridplan() + " plan " + town.path("in/buildings.geojson") +
          " --large-min 100 --large-max 250 --large-target 400 --out " + town.path("bad") + " -q");
  CHECK(bad_plan.code == 4);
  CHECK(bad_plan.output.find("--large-target: grids.large.target: 400 lies outside [100, 250]") !=
        std::string::npos);
  std::ofstream(town.path("bad.toml"))
      << "inherits = \"minmax.toml\"\n[grids.large]\ntarget = 400\n";
  const Result bad_run =
      run(gridplan() + " run " + town.path("bad.toml") + " --out " + town.path("bad") + " -q");
  CHECK(bad_run.code == 4);
  CHECK(bad_run.output.find("grids.large.target") != std::string::npos);
  CHECK(!fs::exists(town.path("bad")));
}

TEST_CASE("doors: --role and --field on run and plan as on inspect") {
  TinyTown town;
  // The buildings under a layer name nothing detects, with the households in another field.
  std::string text = read(town.path("in/buildings.geojson"));
  text.replace(text.find("\"name\":\"buildings\""), 18, "\"name\":\"lou_dong\"");
  for (std::size_t at = 0; (at = text.find("\"households\":", at)) != std::string::npos;)
    text.replace(at, 13, "\"HU_SHU\":");
  std::ofstream(town.path("in/lou_dong.geojson")) << text;
  const std::string inputs = " --input " + town.path("in/lou_dong.geojson") + " --input " +
                             town.path("in/communities.geojson");

  const Result without =
      run(gridplan() + " run" + inputs + " --no-simulation --out " + town.path("a") + " -q");
  CHECK(without.code == 3);
  CHECK(without.output.find("--role LAYER=buildings") != std::string::npos);

  const std::string options = " --role lou_dong=buildings --field buildings.households=HU_SHU";
  const Result with = run(gridplan() + " run" + inputs + options + " --no-simulation --out " +
                          town.path("b") + " -q");
  INFO(with.output);
  REQUIRE(with.code == 0);
  const auto metrics = nlohmann::json::parse(read(town.path("b/metrics.json")));
  CHECK(metrics["kpis"]["households"] == 960);  // from HU_SHU, not estimated
  const Result planned =
      run(gridplan() + " plan " + town.path("in/lou_dong.geojson") + " " +
          town.path("in/communities.geojson") + options + " --out " + town.path("c") + " -q");
  INFO(planned.output);
  REQUIRE(planned.code == 0);
  CHECK(assignment(town.path("c/plan.gpkg")) == assignment(town.path("b/plan.gpkg")));
  // The run's scenario.toml keeps the options: re-running it needs none.
  const std::string toml = read(town.path("b/scenario.toml"));
  CHECK(toml.find("[input.layers]\nlou_dong = \"buildings\"") != std::string::npos);
  CHECK(toml.find("[input.fields.buildings]\nhouseholds = \"HU_SHU\"") != std::string::npos);
  const Result again =
      run(gridplan() + " run " + town.path("b/scenario.toml") + " --out " + town.path("d") + " -q");
  INFO(again.output);
  REQUIRE(again.code == 0);
  CHECK(assignment(town.path("d/plan.gpkg")) == assignment(town.path("b/plan.gpkg")));
}
