// Progress through a whole run, structurally (issue 14 item 5, issue 12 item 5): the demo town's
// buildings, compounds, roads, water and stations without its community layer, so the study
// area is one community holding everything (the built-up area, one tessellation of ~2,000
// buildings, one coverage union: the shape of the real towns whose single GEOS calls were
// silent for seconds), run with simulation and sensitivity. With an injected clock (one second
// per reading) the test asserts what holds on any machine: every stage's fraction only rises
// while it is current, the bar of the whole run (run_fraction) never goes back, the run's time
// left is shown from the tessellation on and is about nothing at the end, and the long stages
// report in small steps of their own work. The wall-clock target (no gap above a second) is
// machine-dependent and measured by tests/bench/progress_gaps.sh.

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "planner/core/progress.hpp"
#include "planner/pipeline/pipeline.hpp"

using namespace gp;
namespace fs = std::filesystem;

namespace {

struct StageSeen {
  int updates = 0;
  double last = 0.0;
  double largest_step = 0.0;  // between consecutive updates while the stage is current
  bool went_back = false;
};

/// The stage whose name starts with `prefix` (stages are named "plan audit: coverage" etc.).
const StageSeen* find(const std::map<std::string, StageSeen>& stages, const std::string& prefix) {
  for (const auto& [name, seen] : stages)
    if (name.rfind(prefix, 0) == 0) return &seen;
  return nullptr;
}

}  // namespace

TEST_CASE("run: one community holding a town reports in small steps, monotone, with an estimate") {
  const std::string demo = std::string(GRIDPLAN_SOURCE_DIR) + "/data/demo-town.gpkg";
  pipeline::RunRequest request;
  request.scenario = pipeline::default_scenario();
  for (const char* layer : {"buildings", "compounds", "roads", "rivers", "water", "stations"})
    request.scenario.load.inputs.push_back({demo, layer, {}});
  request.scenario.evaluation.simulation.replications = 6;
  request.scenario.evaluation.sensitivity_params.simulated_rows = 2;  // keeps the test short
  request.scenario.evaluation.sensitivity_params.replications = 2;
  std::random_device random;
  const fs::path out =
      fs::temp_directory_path() / ("gridplan-progress-structure-" + std::to_string(random()));
  request.out = out.string();

  std::atomic<long> ticks{0};
  std::mutex mutex;
  std::map<std::string, StageSeen> stages;
  std::vector<std::string> order;
  std::string previous;
  double run_fraction = 0.0;
  bool run_fraction_went_back = false;
  bool tessellation_started = false;
  int reports_without_estimate_after_tessellation = 0;
  std::optional<double> last_run_left;
  Progress progress(
      [&](const ProgressReport& r) {
        const std::lock_guard lock(mutex);
        if (!stages.count(r.stage)) order.push_back(r.stage);
        StageSeen& s = stages[r.stage];
        CHECK(r.fraction >= 0.0);
        CHECK(r.fraction <= 1.0);
        if (s.updates > 0 && previous == r.stage) {
          s.largest_step = std::max(s.largest_step, r.fraction - s.last);
          if (r.fraction < s.last - 1e-12) s.went_back = true;
        }
        previous = r.stage;
        s.last = r.fraction;
        ++s.updates;
        if (r.run_fraction) {
          if (*r.run_fraction < run_fraction - 1e-12) run_fraction_went_back = true;
          run_fraction = std::max(run_fraction, *r.run_fraction);
        }
        if (r.stage.rfind("tessellat", 0) == 0) tessellation_started = true;
        if (tessellation_started && !r.total_left_s) ++reports_without_estimate_after_tessellation;
        last_run_left = r.total_left_s;
      },
      [&] { return static_cast<double>(++ticks); });

  const pipeline::RunOutcome outcome = pipeline::run(request, progress);
  fs::remove_all(out);

  INFO("stages in order: " << [&] {
    std::string text;
    for (const std::string& s : order) {
      const StageSeen& seen = stages[s];
      text += s + " (" + std::to_string(seen.updates) + ", step " +
              std::to_string(seen.largest_step) + ") ";
    }
    return text;
  }());
  // Fractions only rise within a stage; the whole run's bar never goes back.
  for (const auto& [name, seen] : stages) {
    INFO(name);
    CHECK_FALSE(seen.went_back);
  }
  CHECK_FALSE(run_fraction_went_back);
  CHECK(run_fraction == Approx(1.0).margin(1e-6));
  // The run's time left: on every report from the tessellation on (the stage weights are set
  // before loading; the reading and the validation come first), about nothing at the end.
  CHECK(tessellation_started);
  CHECK(reports_without_estimate_after_tessellation == 0);
  REQUIRE(last_run_left.has_value());
  CHECK(*last_run_left <= 0.05 * static_cast<double>(ticks.load()));

  // The long stages, in their own work units.
  // The built-up area of the ~2,000 footprints and compounds: grown in blocks of 1,024, then
  // merged in a tree, each level reported.
  const StageSeen* areas = find(stages, "validating areas");
  REQUIRE(areas != nullptr);
  CHECK(areas->updates >= 4);
  // One community's tessellation: buildings in batches of 256 (sites, Voronoi), the noding per
  // block: no step above a tenth of the stage.
  const StageSeen* tessellation = find(stages, "tessellation");
  REQUIRE(tessellation != nullptr);
  CHECK(tessellation->updates >= 10);
  CHECK(tessellation->largest_step <= 0.1 + 1e-9);
  // The plan audit's coverage and barrier steps report from inside (grids checked).
  const StageSeen* audit_coverage = find(stages, "plan audit: coverage");
  REQUIRE(audit_coverage != nullptr);
  CHECK(audit_coverage->updates >= 2);
  const StageSeen* audit_barriers = find(stages, "plan audit: barriers");
  REQUIRE(audit_barriers != nullptr);
  CHECK(audit_barriers->updates >= 3);
  CHECK(audit_barriers->largest_step <= 0.1 + 1e-9);  // of the whole audit: the loop is 0.2
  // The simulation: every job (a grid's replication) is a unit, weighted by its households.
  const StageSeen* simulating = find(stages, "simulating");
  REQUIRE(simulating != nullptr);
  CHECK(simulating->updates >= 20);
  CHECK(simulating->largest_step <= 0.05);
  CHECK(simulating->last == 1.0);
  // The sensitivity: each of its simulations reports inside its step.
  const StageSeen* sensitivity = find(stages, "sensitivity");
  REQUIRE(sensitivity != nullptr);
  CHECK(sensitivity->updates >= 40);
  CHECK(sensitivity->largest_step <= 0.05);
  // The plan is a real one: one community (the built-up area), grids that cover it.
  CHECK(outcome.kpis.communities == 1);
  CHECK(outcome.kpis.large_grids >= 10);
  CHECK(outcome.kpis.coverage_gap_m2 < 1.0);
}
