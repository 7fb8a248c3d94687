// A whole run's progress (issue 14 item 5): the stages that take long on large towns report in
// small steps of their own work (buildings planned, simulation jobs, candidates, features
// written), and the run's time left is estimated from the stage weights pipeline::run sets.
// Steps are counted in each stage's fraction — its work units — not in wall time, so the test
// holds on a loaded machine and under the sanitizers. The clock is injected: one second per
// reading, so every estimate exists and is deterministic in form.

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "planner/core/progress.hpp"
#include "planner/pipeline/pipeline.hpp"

using namespace gp;
namespace fs = std::filesystem;

namespace {

struct Seen {
  int updates = 0;
  double last = 0.0;
  double largest_step = 0.0;  // between consecutive updates of the stage
};

}  // namespace

TEST_CASE("run: long stages report in small steps and the run's time left is estimated") {
  pipeline::RunRequest request;
  request.scenario = pipeline::default_scenario();
  request.scenario.load.inputs.push_back(
      {std::string(GRIDPLAN_SOURCE_DIR) + "/data/demo-town.gpkg", "", {}});
  request.scenario.evaluation.sensitivity = false;           // not what is tested; halves the run
  request.scenario.evaluation.simulation.replications = 30;  // issue 14's demo-town year × 30
  std::random_device random;
  const fs::path out =
      fs::temp_directory_path() / ("gridplan-progress-" + std::to_string(random()));
  request.out = out.string();

  // The planners of the communities report from worker threads: the clock and the sink are
  // shared, so both are thread-safe.
  std::atomic<long> ticks{0};
  std::mutex mutex;
  std::map<std::string, Seen> stages;
  std::vector<std::string> order;
  std::string previous;
  bool run_estimate = false;
  double last_run_left = -1.0;
  Progress progress(
      [&](const ProgressReport& r) {
        const std::lock_guard lock(mutex);
        if (!stages.count(r.stage)) order.push_back(r.stage);
        Seen& s = stages[r.stage];
        // Steps between consecutive updates while the stage is the current one ("planning
        // grids" is named again at 1.0 after its polygons and coverage steps).
        if (s.updates > 0 && previous == r.stage)
          s.largest_step = std::max(s.largest_step, r.fraction - s.last);
        previous = r.stage;
        s.last = r.fraction;
        ++s.updates;
        if (r.total_left_s) {
          run_estimate = true;
          last_run_left = *r.total_left_s;
        }
      },
      [&] { return static_cast<double>(++ticks); });

  pipeline::run(request, progress);
  fs::remove_all(out);

  INFO("stages in order: " << [&] {
    std::string text;
    for (const std::string& s : order) text += s + " (" + std::to_string(stages[s].updates) + ") ";
    return text;
  }());
  // Planning grids: from 0 to 0.6 as the 2,058 buildings get their grids (two units each), in
  // steps of at most a tenth of the stage — one community of the demo town is ~1/15 of it.
  REQUIRE(stages.count("planning grids"));
  CHECK(stages["planning grids"].updates >= 10);
  CHECK(stages["planning grids"].largest_step <= 0.1);
  // The simulation: batches of a twentieth of its jobs (30 replications × the large grids).
  REQUIRE(stages.count("simulating"));
  CHECK(stages["simulating"].updates >= 20);
  CHECK(stages["simulating"].largest_step <= 0.05 + 1e-9);
  CHECK(stages["simulating"].last == 1.0);
  // Siting: every 256 candidates (the demo's 1,635 buildings holding households).
  REQUIRE(stages.count("siting: coverage of candidates"));
  CHECK(stages["siting: coverage of candidates"].updates >= 7);
  CHECK(stages["siting: coverage of candidates"].largest_step <= 256.0 / 1600.0);
  CHECK(stages["siting: coverage of candidates"].last == 1.0);
  // Export: the tables, the GIS files (every 4,096 features: tests/io/test_export_progress.cpp;
  // the demo has fewer), the report, then done.
  REQUIRE(stages.count("export"));
  CHECK(stages["export"].updates >= 4);
  CHECK(stages["export"].last == 1.0);
  CHECK(order.back() == "export");
  // The run's time left: estimated (stage weights set by run), and about nothing at the end.
  CHECK(run_estimate);
  CHECK(last_run_left >= 0.0);
  CHECK(last_run_left <= 0.05 * static_cast<double>(ticks.load()));
}
