// A whole run's progress (issue 14 item 5): the stages that take long on large towns report in
// small steps of their own work (buildings planned, simulation jobs, candidates, features
// written), and the run's time left is estimated from the stage weights pipeline::run sets.
// Steps are counted in each stage's fraction — its work units — not in wall time, so the test
// holds on a loaded machine and under the sanitizers. The clock is injected: one second per
// reading, so every estimate exists and is deterministic in form.

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
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
  std::vector<double> export_fractions;
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
        if (r.stage == "export") export_fractions.push_back(r.fraction);
        if (r.total_left_s) {
          run_estimate = true;
          last_run_left = *r.total_left_s;
        }
      },
      [&] { return static_cast<double>(++ticks); });
  std::vector<std::string> notes;
  progress.set_note_handler([&](std::string_view text) {
    const std::lock_guard lock(mutex);
    notes.emplace_back(text);
  });

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
  CHECK(stages["export"].updates >= 10);
  CHECK(stages["export"].largest_step <= 0.15 + 1e-9);
  CHECK(stages["export"].last == 1.0);
  // Inside its parts too: the layer tables (0 → 0.15) report the own footprints and the
  // buildings' rows, the report's maps (0.8 → 0.89) the grids drawn, the checksums (0.9 → 0.98)
  // the bytes read, and the run's data freed (0.98 → 1: 1.9 s silent at 1M buildings when it
  // was freed at run()'s return) the items freed.
  auto updates_within = [&](double from, double to) {
    return std::count_if(export_fractions.begin(), export_fractions.end(),
                         [&](double f) { return f > from && f < to; });
  };
  CHECK(updates_within(0.0, 0.15) >= 2);
  CHECK(updates_within(0.8, 0.9) >= 1);
  CHECK(updates_within(0.9, 0.98) >= 2);
  CHECK(updates_within(0.98, 1.0) >= 2);
  // The plan audit: the buildings' points (own footprints from one chunk at this size), then
  // the grids checked for barriers and the rest, each in steps of its own work.
  for (const char* audit : {"plan audit: polygons", "plan audit: nesting", "plan audit: coverage",
                            "plan audit: barriers"}) {
    INFO(audit);
    REQUIRE(stages.count(audit));
    CHECK(stages[audit].updates >= 5);
    CHECK(stages[audit].largest_step <= 0.1 + 1e-9);
  }
  CHECK(order.back() == "export");
  // The two solvers of the siting report their own steps, up to 1.
  for (const char* solver : {"siting: maximal covering", "siting: set covering"}) {
    REQUIRE(stages.count(solver));
    CHECK(stages[solver].updates >= 3);
    CHECK(stages[solver].last == 1.0);
  }
  // Once loaded, the run is weighed by its size (pipeline::weigh_stages), written as notes for
  // GRIDPLAN_PROGRESS_LOG: the demo town's 2,058 buildings.
  REQUIRE(notes.size() == 3);
  CHECK(notes[0].rfind("size buildings=2058 ", 0) == 0);
  CHECK(notes[1].rfind("run simulate=1 sensitivity=0 siting=1 replications=30", 0) == 0);
  CHECK(notes[2].rfind("weights|reading =", 0) == 0);
  // The run's time left: estimated (stage weights set by run), and about nothing at the end.
  CHECK(run_estimate);
  CHECK(last_run_left >= 0.0);
  CHECK(last_run_left <= 0.05 * static_cast<double>(ticks.load()));
}

TEST_CASE("run_stage_weights: each stage's expected time follows the input's size") {
  const pipeline::Scenario scenario = pipeline::default_scenario();
  auto weight = [](const std::vector<StageWeight>& weights, const std::string& prefix) {
    for (const StageWeight& w : weights)
      if (w.prefix == prefix) return w.weight;
    FAIL("no weight " << prefix);
    return 0.0;
  };
  // 100k buildings as the synthetic town has them (725 communities of ~150 simple blocks) and as
  // a real city without a communities layer (one community of footprints of ~10 vertices).
  pipeline::RunSize synthetic;
  synthetic.buildings = synthetic.homes = 100000;
  synthetic.vertices = 500000;
  synthetic.communities = 725;
  synthetic.largest_community = 200;
  synthetic.largest_vertices = 1000;
  synthetic.line_vertices = 60000;
  synthetic.households = 3.0e6;
  pipeline::RunSize real = synthetic;
  real.vertices = real.largest_vertices = 1.0e6;
  real.communities = 1;
  real.largest_community = 100000;
  const std::vector<StageWeight> a = pipeline::run_stage_weights(scenario, &synthetic);
  const std::vector<StageWeight> b = pipeline::run_stage_weights(scenario, &real);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].prefix == b[i].prefix);
    CHECK(a[i].weight >= 0.0);
  }
  // One community of real footprints: the tessellation and validation cost more than the
  // synthetic town's (by how much is checked against the measured runs below); the evaluation
  // (by households and homes) the same.
  CHECK(weight(b, "tessellat") > weight(a, "tessellat"));
  CHECK(weight(b, "validat") > weight(a, "validat"));
  CHECK(weight(b, "simulating") == weight(a, "simulating"));
  CHECK(weight(b, "siting: coverage of candidates") == weight(a, "siting: coverage of candidates"));
  // Twice the buildings, about twice the time, stage by stage (no stage shrinks).
  pipeline::RunSize twice = real;
  for (double* v : {&twice.buildings, &twice.homes, &twice.vertices, &twice.largest_vertices,
                    &twice.largest_community, &twice.line_vertices, &twice.households})
    *v *= 2.0;
  const std::vector<StageWeight> c = pipeline::run_stage_weights(scenario, &twice);
  for (std::size_t i = 0; i < c.size(); ++i) {
    CHECK(c[i].weight >= b[i].weight);
    CHECK(c[i].weight <= 2.0 * b[i].weight + 1e-12);
  }
  // The studio's jobs take a slice: from "planning grids" up to "workload".
  const std::vector<StageWeight> slice =
      pipeline::stage_weights_slice(b, "planning grids", "workload");
  REQUIRE_FALSE(slice.empty());
  CHECK(slice.front().prefix == "planning grids");
  CHECK(slice.back().prefix == "plan audit");
  CHECK(pipeline::stage_weights_slice(b, "", "").size() == b.size());
}

namespace {

/// One progress log the stage costs were fitted on (tests/data/eta/fit-runs.tsv, written by
/// `tests/bench/eta_fit.py --write-fixture`): its group of runs made side by side, its size,
/// scenario and measured seconds per weighted stage.
struct MeasuredRun {
  std::string name, group;
  double end_s = 0;
  pipeline::Scenario scenario = pipeline::default_scenario();
  pipeline::RunSize size;
  std::map<std::string, double> stage_s;
};

std::vector<MeasuredRun> measured_runs() {
  std::ifstream in(std::string(GRIDPLAN_TEST_DATA_DIR) + "/eta/fit-runs.tsv");
  std::vector<MeasuredRun> runs;
  std::string line;
  std::vector<std::string> header;
  auto split = [](const std::string& text, char sep) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream stream(text);
    while (std::getline(stream, part, sep)) parts.push_back(part);
    return parts;
  };
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> cells = split(line, '\t');
    if (header.empty()) {
      header = cells;
      continue;
    }
    std::map<std::string, std::string> row;
    for (std::size_t k = 0; k < cells.size() && k < header.size(); ++k) row[header[k]] = cells[k];
    MeasuredRun run;
    run.name = row["run"];
    run.group = row["group"];
    run.end_s = std::stod(row["end_s"]);
    evaluation::EvaluationParams& e = run.scenario.evaluation;
    e.simulate = std::stod(row["simulate"]) != 0;
    e.sensitivity = std::stod(row["sensitivity"]) != 0;
    e.site_stations = std::stod(row["siting"]) != 0;
    e.simulation.replications = std::stoi(row["replications"]);
    e.simulation.horizon_days = 365.0 * std::stod(row["years"]);
    e.sensitivity_params.simulated_rows = std::stoi(row["sensitivity_rows"]);
    e.sensitivity_params.replications = std::stoi(row["sensitivity_replications"]);
    pipeline::RunSize& z = run.size;
    z.buildings = std::stod(row["buildings"]);
    z.vertices = std::stod(row["vertices"]);
    z.communities = std::stod(row["communities"]);
    z.largest_community = std::stod(row["largest_community"]);
    z.largest_vertices = std::stod(row["largest_vertices"]);
    z.line_vertices = std::stod(row["line_vertices"]);
    z.households = std::stod(row["households"]);
    z.homes = std::stod(row["homes"]);
    for (const std::string& item : split(row["stages"], '|')) {
      const std::size_t eq = item.rfind('=');
      if (eq != std::string::npos) run.stage_s[item.substr(0, eq)] = std::stod(item.substr(eq + 1));
    }
    runs.push_back(std::move(run));
  }
  return runs;
}

/// The run's time left as the estimator gives it at the end of each weighted stage (elapsed ×
/// weight left ÷ weight done) against the actual time left, from 10 % of the run on: the median
/// relative error (eta_fit.py's boundary_errors, the same sums).
double median_error_at_stage_ends(const MeasuredRun& run, const std::vector<StageWeight>& weights) {
  double total = 0;
  for (const StageWeight& w : weights) total += w.weight;
  double elapsed = 0, done = 0;
  std::vector<double> errors;
  for (const StageWeight& w : weights) {
    const auto found = run.stage_s.find(w.prefix);
    const double seconds = found == run.stage_s.end() ? 0.0 : found->second;
    elapsed += seconds;
    done += w.weight;
    const double actual = run.end_s - elapsed;
    if (elapsed < 0.1 * run.end_s || actual <= 0 || done <= 0 || seconds <= 0) continue;
    const double estimate = elapsed * (total - done) / done;
    errors.push_back(std::abs(estimate - actual) / std::max(actual, 1.0));
  }
  if (errors.empty()) return 0.0;
  std::sort(errors.begin(), errors.end());
  const std::size_t n = errors.size();
  return n % 2 ? errors[n / 2] : 0.5 * (errors[n / 2 - 1] + errors[n / 2]);
}

}  // namespace

// The stage costs against the runs they were fitted on (docs/benchmarks.md "The run's time left:
// one speed per group", round 12): refitting them (`tests/bench/eta_fit.py … --write-cpp
// --write-fixture`) rewrites both, so what is checked is what matters — the estimate's error on
// the measured runs, and the cost of real against synthetic footprints as measured side by side —
// not the constants of one fit.
TEST_CASE("run_stage_weights: the time left on the measured runs, and real vs synthetic cost") {
  const std::vector<MeasuredRun> runs = measured_runs();
  REQUIRE(runs.size() >= 4);
  // Runs of 20 s and more, where a time left is read: their median error within a third, none
  // above 60 %. Shorter ones are over before anyone reads it, and a tenth of a second of load
  // moves their relative error.
  std::vector<double> long_errors;
  for (const MeasuredRun& run : runs) {
    const std::vector<StageWeight> weights = pipeline::run_stage_weights(run.scenario, &run.size);
    const double error = median_error_at_stage_ends(run, weights);
    INFO(run.name << " (" << run.group << ", " << run.end_s << " s): median error " << error);
    if (run.end_s < 20.0) continue;
    CHECK(error <= 0.6);
    long_errors.push_back(error);
  }
  REQUIRE_FALSE(long_errors.empty());
  std::sort(long_errors.begin(), long_errors.end());
  CHECK(long_errors[long_errors.size() / 2] <= 0.35);
  // In each group holding a synthetic and a real town of about the same size (run side by side
  // on one machine): the real town's tessellation weighs against the synthetic one's as its
  // measured time did, within a factor of 1.6.
  int pairs = 0;
  for (const MeasuredRun& real : runs) {
    if (real.name.rfind("real-", 0) != 0) continue;
    for (const MeasuredRun& synth : runs) {
      if (synth.group != real.group || synth.name.rfind("synth-", 0) != 0) continue;
      if (synth.size.buildings < 0.7 * real.size.buildings ||
          synth.size.buildings > 1.4 * real.size.buildings)
        continue;
      auto tessellation = [](const MeasuredRun& run) {
        for (const StageWeight& w : pipeline::run_stage_weights(run.scenario, &run.size))
          if (w.prefix == "tessellat") return w.weight;
        return 0.0;
      };
      const double weighed = tessellation(real) / tessellation(synth);
      const double measured = real.stage_s.at("tessellat") / synth.stage_s.at("tessellat");
      INFO(real.name << " vs " << synth.name << " (" << real.group << "): tessellation weighs "
                     << weighed << "x, measured " << measured << "x");
      CHECK(weighed >= measured / 1.6);
      CHECK(weighed <= measured * 1.6);
      ++pairs;
    }
  }
  CHECK(pairs >= 1);
}
