// The pipeline's own rules: parameters resolved once (bounds, targets, weights), the resolved
// scenario written as TOML and read back unchanged, the scenario of a run directory.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "planner/core/errors.hpp"
#include "planner/pipeline/parameters.hpp"
#include "planner/pipeline/pipeline.hpp"
#include "planner/pipeline/scenario_write.hpp"

using namespace gp;
namespace fs = std::filesystem;

namespace {

pipeline::Scenario with_inputs(pipeline::Scenario s) {
  s.load.inputs.push_back({std::string(GRIDPLAN_SOURCE_DIR) + "/data/demo-town.gpkg", "", {}});
  return s;
}

}  // namespace

TEST_CASE("parameters: a default target outside the bounds given becomes their middle") {
  pipeline::Scenario s = with_inputs(pipeline::default_scenario());
  s.partition.large.min = 100;
  s.partition.large.max = 250;  // target stays the default 400
  s.partition.micro.min = 40;
  s.partition.micro.max = 90;
  pipeline::resolve(s);
  CHECK(s.partition.large.target == 175);
  CHECK(s.partition.micro.target == 65);
  // Inside the bounds a default target stays.
  pipeline::Scenario d = with_inputs(pipeline::default_scenario());
  pipeline::resolve(d);
  CHECK(d.partition.large.target == 400);
  CHECK(d.partition.micro.target == 150);
  // Resolving twice changes nothing.
  pipeline::Scenario twice = s;
  pipeline::resolve(twice);
  CHECK(twice.partition.large.target == 175);
}

TEST_CASE("parameters: a given target outside or min above max or negative weights are refused") {
  pipeline::Scenario s = with_inputs(pipeline::default_scenario());
  s.partition.large = {100, 250, 400};
  s.origins["grids.large.target"] = {"town.toml", 12};
  CHECK_THROWS_WITH(
      pipeline::resolve(s),
      Catch::Contains("town.toml:12: grids.large.target: 400 lies outside [100, 250]"));
  pipeline::Scenario swapped = with_inputs(pipeline::default_scenario());
  swapped.partition.micro = {200, 100, 150};
  CHECK_THROWS_WITH(pipeline::resolve(swapped), Catch::Contains("min 200 > max 100"));
  pipeline::Scenario weights = with_inputs(pipeline::default_scenario());
  weights.partition.weights.moved = -1;
  CHECK_THROWS_WITH(pipeline::resolve(weights), Catch::Contains("grids.weights.moved"));
  pipeline::Scenario micro = with_inputs(pipeline::default_scenario());
  micro.partition.micro = {100, 600, 150};
  CHECK_THROWS_WITH(pipeline::resolve(micro), Catch::Contains("a micro grid must fit"));
  pipeline::Scenario no_inputs = pipeline::default_scenario();  // no input files: refused
  CHECK_THROWS_AS(pipeline::resolve(no_inputs), ConfigError);
}

TEST_CASE("scenario.toml: every scenario key written and read back to the same scenario") {
  const std::string dir = std::string(GRIDPLAN_SOURCE_DIR) + "/scenarios/";
  for (const char* name : {"demo-baseline.toml", "demo-replan.toml", "demo-existing.toml",
                           "demo-small-micro.toml", "demo-more-workers.toml"}) {
    INFO(name);
    pipeline::Scenario s = pipeline::load_scenario(dir + name);
    pipeline::resolve(s);
    const std::string text = pipeline::to_toml(s);
    const fs::path written = fs::temp_directory_path() / ("gridplan-scenario-" + std::string(name));
    const pipeline::Scenario back = pipeline::parse_scenario(text, written.string());
    CHECK(pipeline::to_toml(back) == text);  // a fixed point: nothing lost or changed
    CHECK(pipeline::describe(back) == pipeline::describe(s));
    CHECK(back.sources == s.sources);
  }
  // Every key the reader knows is written (a key added to the reader without the writer fails
  // here), except `inherits` and `include` (the file stands alone: what they bring is written) and
  // the existing plan's keys when there is none.
  pipeline::Scenario s = pipeline::load_scenario(dir + "demo-replan.toml");
  const std::string text = pipeline::to_toml(s);
  const std::vector<std::string> keys = pipeline::known_keys();
  for (const std::string& key : keys) {
    // Mappings (input.layers, input.fields.<role>) are written when given: the next test.
    // workers.visits_per_household_per_year and workers.minutes_per_visit are older names of
    // [workload.household_visits] per_unit_per_year and minutes, which are written instead.
    if (key == "workers.visits_per_household_per_year" || key == "workers.minutes_per_visit")
      continue;
    if (key == "inherits" || key == "include" || key.find("source") != std::string::npos ||
        key.rfind("input.fields", 0) == 0 || key == "input.layers")
      continue;
    INFO(key);
    const bool is_table = std::any_of(
        keys.begin(), keys.end(), [&](const std::string& k) { return k.rfind(key + ".", 0) == 0; });
    if (is_table) {
      CHECK(text.find("[" + key) != std::string::npos);
    } else {
      const std::string table = key.substr(0, key.rfind('.'));
      const std::string leaf = key.substr(key.rfind('.') + 1);
      const auto at = text.find("[" + table + "]\n");
      REQUIRE(at != std::string::npos);
      const auto next = text.find("\n[", at + 1);
      CHECK(text.substr(at, next - at).find("\n" + leaf + " = ") != std::string::npos);
    }
  }
}

TEST_CASE("scenario.toml: inputs as absolute paths with options and field mappings kept") {
  pipeline::Scenario s = with_inputs(pipeline::default_scenario());
  s.load.inputs.back().layer = "buildings";
  s.load.inputs.back().role = io::LayerRole::buildings;
  s.load.layer_roles["楼栋"] = io::LayerRole::buildings;
  s.load.fields[io::LayerRole::buildings]["households"] = "HU_SHU";
  s.load.encoding = "GBK";
  s.partition.seed = 77;
  s.evaluation.simulation.seed = 77;
  const std::string text = pipeline::to_toml(s);
  const pipeline::Scenario back = pipeline::parse_scenario(text, "/nowhere/scenario.toml");
  REQUIRE(back.load.inputs.size() == 1);
  CHECK(back.load.inputs[0].path == s.load.inputs[0].path);
  CHECK(back.load.inputs[0].layer == "buildings");
  CHECK(back.load.inputs[0].role == io::LayerRole::buildings);
  CHECK(back.load.layer_roles.at("楼栋") == io::LayerRole::buildings);
  CHECK(back.load.fields.at(io::LayerRole::buildings).at("households") == "HU_SHU");
  CHECK(back.load.encoding == "GBK");
  CHECK(back.partition.seed == 77);
  CHECK(back.evaluation.simulation.seed == 77);
}

TEST_CASE("scenario of a run: not a run directory is a clear error") {
  CHECK_THROWS_WITH(pipeline::scenario_of_run(GRIDPLAN_SOURCE_DIR),
                    Catch::Contains("is not a run directory of gridplan run"));
}
