// The pipeline's own rules: parameters resolved once (bounds, targets, weights), the resolved
// scenario written as TOML and read back unchanged, the scenario of a run directory.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
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

TEST_CASE("audit verdict: broken findings of our own plan fail the run, allowed ones do not") {
  // The verdict counts the audit's own classification (geo::AuditSeverity, as gridplan check):
  // allowed exceptions never fail; broken ones fail our plan, not an existing plan evaluated.
  Plan plan;
  plan.large_grids.resize(2);
  plan.large_grids[0].code = "A";
  plan.large_grids[1].code = "B";
  plan.large_grids[1].locked = true;
  plan.building_large = {0, 1};
  auto finding = [](const char* rule, geo::AuditSeverity severity, const char* grid,
                    std::int32_t building = kNone) {
    geo::AuditFinding f;
    f.rule = rule;
    f.severity = severity;
    f.grid = grid;
    f.building = building;
    return f;
  };
  geo::PlanAudit audit;
  audit.findings = {finding("barrier-crossed", geo::AuditSeverity::allowed, "A"),
                    finding("compound-split", geo::AuditSeverity::allowed, "A")};
  pipeline::AuditVerdict v = pipeline::audit_verdict(audit, plan, true);
  CHECK(v.broken == 0);
  CHECK(v.allowed == 2);
  CHECK_FALSE(v.fails());

  audit.findings.push_back(finding("barrier-crossed", geo::AuditSeverity::broken, "A"));
  audit.findings.push_back(finding("barrier-crossed", geo::AuditSeverity::broken, "B"));
  audit.findings.push_back(finding("grid-in-pieces", geo::AuditSeverity::broken, "A"));
  v = pipeline::audit_verdict(audit, plan, true);
  CHECK(v.broken == audit.broken());
  CHECK(v.broken == 3);
  CHECK(v.allowed == 2);
  CHECK(v.grids == 2);
  CHECK(v.broken_by_rule ==
        std::map<std::string, std::size_t>{{"barrier-crossed", 2}, {"grid-in-pieces", 1}});
  CHECK_FALSE(v.locked_only);
  CHECK(v.fails());
  // The existing plan evaluated as it is: the same findings, the job's answer, not a failure.
  CHECK_FALSE(pipeline::audit_verdict(audit, plan, false).fails());
  CHECK(pipeline::audit_verdict(audit, plan, false).broken == 3);

  // Only the locked grid (and a building of it that has no micro grid) breaks rules.
  geo::PlanAudit locked;
  locked.findings = {finding("barrier-crossed", geo::AuditSeverity::broken, "B"),
                     finding("building-unassigned", geo::AuditSeverity::broken, "", 1)};
  v = pipeline::audit_verdict(locked, plan, true);
  CHECK(v.locked_only);
  CHECK(v.grids == 1);
  CHECK(v.fails());
  locked.findings.push_back(finding("building-unassigned", geo::AuditSeverity::broken, "", 0));
  CHECK_FALSE(pipeline::audit_verdict(locked, plan, true).locked_only);
}

TEST_CASE("audit rules per dataset: run and check turn off the rules the data cannot support") {
  // evaluation::audit_params(params, dataset) is what gridplan check and every audit of a run
  // use; check alone also leaves out the coverage of a community made from the data's extent.
  const PartitionParams params;
  Dataset dataset;
  dataset.buildings.resize(1);
  geo::AuditParams a = evaluation::audit_params(params, dataset);
  CHECK(a.check_community_coverage);
  CHECK(a.check_households);
  dataset.problems.report(Severity::info, "community-from-extent", {}, "no communities were given");
  a = evaluation::audit_params(params, dataset);
  CHECK(a.check_community_coverage);  // our own plan tiles the study area: checked by the run
  CHECK_FALSE(evaluation::community_coverage_checkable(dataset));  // check turns it off
  CHECK(a.check_households);
  CHECK(a.hard_road_classes == evaluation::audit_params(params).hard_road_classes);
  CHECK_FALSE(evaluation::audit_params(params, Dataset{}).check_households);
}
