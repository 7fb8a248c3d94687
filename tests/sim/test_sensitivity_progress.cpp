// Sensitivity's progress (issue 14 item 5): every simulation it runs (the base, each simulated
// row's −/+ step, each probe of the staffing bisection) reports its own batches, passed on as
// the fraction of that step, so the display moves within a step — one step is a whole event
// simulation, tens of seconds on a 100k-building town (it was silent 36 s before its first
// update, then up to 46 s between updates). Steps are counted in the stage's fraction — its work
// units — not in wall time; the clock is injected (one second per reading).

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "planner/core/progress.hpp"
#include "planner/sim/des.hpp"
#include "planner/sim/sensitivity.hpp"
#include "sensitivity_case.hpp"

using namespace gp;
using namespace gp::sim;
using namespace gp::sim::test;

TEST_CASE("sensitivity progress: updates within every simulation, results unchanged") {
  // 300 grids of 400 households, 2 always-on workers each: 3 replications × 300 grids = 900
  // simulation jobs per run, each reported by des.cpp (at most every 0.1 s of the caller's
  // clock; this one moves a second per reading).
  const WorkloadParams w = hand_workload();
  std::vector<GridWorkloadInput> inputs;
  SimModel model;
  for (int g = 0; g < 300; ++g) {
    inputs.push_back(hand_grid(400, 0.0));
    SimGrid grid;
    grid.code = "G" + std::to_string(g);
    grid.buildings.push_back({{0.0, 0.0}, 400.0, -1.0});
    grid.full_time = 2;
    model.grids.push_back(grid);
  }
  SimulationParams sim;
  sim.horizon_days = 7;
  sim.routine_work = false;
  sim.walking = false;
  sim.seed = 5;
  StaffingTarget target;
  target.p90_response_hours = 2.0;
  target.max_utilisation = 0.85;
  SensitivityParams params;
  params.simulated_rows = 2;
  params.replications = 3;
  const int total_steps = params.simulated_rows * 2 + 1 + 12;

  double clock = 0.0;
  std::set<std::string> stages;
  std::vector<double> fractions;
  Progress progress(
      [&](const ProgressReport& r) {
        stages.insert(r.stage);
        fractions.push_back(r.fraction);
      },
      [&] { return clock += 1.0; });
  const SensitivityResult with =
      analyse_sensitivity(inputs, model, w, sim, target, 600, 0, params, &progress);
  const SensitivityResult without =
      analyse_sensitivity(inputs, model, w, sim, target, 600, 0, params, nullptr);

  // Only the stage's own name reaches the display (not the inner runs' "simulating").
  CHECK(stages == std::set<std::string>{"sensitivity"});
  // Simulations run: the base, 2 rows × 2, and the bisection's probes (at least two).
  const int simulations = 1 + 2 * params.simulated_rows + 2;
  REQUIRE(fractions.size() >= static_cast<std::size_t>(simulations * 10));
  double largest_step = 0.0;
  for (std::size_t i = 1; i < fractions.size(); ++i) {
    CHECK(fractions[i] >= fractions[i - 1]);  // never backwards
    largest_step = std::max(largest_step, fractions[i] - fractions[i - 1]);
  }
  // A job is one 900th of a step; with jobs finishing on two threads between reports, well
  // under a fifth of a step.
  CHECK(largest_step <= 0.2 / total_steps);
  CHECK(fractions.front() < 0.2 / total_steps);

  // The progress changes nothing in the results.
  REQUIRE(with.rows.size() == without.rows.size());
  CHECK(with.p90_h == without.p90_h);
  for (std::size_t i = 0; i < with.rows.size(); ++i) {
    CHECK(with.rows[i].key == without.rows[i].key);
    CHECK(with.rows[i].need_low == without.rows[i].need_low);
    CHECK(with.rows[i].need_high == without.rows[i].need_high);
    CHECK((with.rows[i].p90_low == without.rows[i].p90_low ||
           (std::isnan(with.rows[i].p90_low) && std::isnan(without.rows[i].p90_low))));
    CHECK((with.rows[i].p90_high == without.rows[i].p90_high ||
           (std::isnan(with.rows[i].p90_high) && std::isnan(without.rows[i].p90_high))));
  }
  CHECK(with.workers_meeting_target == without.workers_meeting_target);
  CHECK(with.workers_meeting_target > 0);
}
