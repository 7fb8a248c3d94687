// Sensitivity analysis (planner/sim/sensitivity.hpp) on a grid whose need can be computed by
// hand: two event categories, no routine work, no patrol, no allowances, so that
// need = households × Σ rate × minutes ÷ 60 ÷ AWT and each ±25 % swing is known.

#include <catch2/catch.hpp>

#include <cmath>

#include "planner/sim/des.hpp"
#include "planner/sim/sensitivity.hpp"
#include "sensitivity_case.hpp"

using namespace gp;
using namespace gp::sim;
using namespace gp::sim::test;

namespace {

/// The simulation model of hand_grid: one building with all households, 3 always-on workers.
SimModel hand_model(double households) {
  SimModel model;
  SimGrid grid;
  grid.code = "G";
  grid.buildings.push_back({{0.0, 0.0}, households, -1.0});
  grid.full_time = 3;
  model.grids.push_back(grid);
  return model;
}

/// Short simulations: the analytic rows are what the first test checks.
SimulationParams quick() {
  SimulationParams sim;
  sim.horizon_days = 14;
  sim.routine_work = false;
  sim.walking = false;
  return sim;
}

SensitivityParams analytic_only() {
  SensitivityParams p;
  p.simulated_rows = 0;
  p.replications = 2;
  return p;
}

const SensitivityRow& row(const SensitivityResult& r, const std::string& key) {
  for (const SensitivityRow& x : r.rows)
    if (x.key == key) return x;
  FAIL("no row " << key);
  return r.rows.front();
}

}  // namespace

TEST_CASE("sensitivity: ±25 % moves the need as computed by hand, tornado in that order") {
  const WorkloadParams w = hand_workload();
  const double awt = w.full_time.available_hours_per_year();
  const int households = 20000;
  const std::vector<GridWorkloadInput> inputs = {hand_grid(households, 0.0)};
  const SensitivityResult r = analyse_sensitivity(inputs, hand_model(households), w, quick(),
                                                  StaffingTarget{}, 3, 0, analytic_only());
  // need = 20,000 × (1 × 60 + 0.1 × 30) ÷ 60 h ÷ AWT = 21,000 h ÷ AWT.
  CHECK(r.need_fte == Approx(21000.0 / awt));
  const SensitivityRow& a_rate = row(r, "events.livelihood_services.per_household_per_year");
  CHECK(a_rate.need_low == Approx(households * (0.75 * 60 + 3.0) / 60.0 / awt));
  CHECK(a_rate.need_high == Approx(households * (1.25 * 60 + 3.0) / 60.0 / awt));
  const SensitivityRow& b_minutes = row(r, "events.health.handling_minutes");
  CHECK(b_minutes.need_high - b_minutes.need_low == Approx(households * 0.1 * 15.0 / 60.0 / awt));
  // Every knob moves the need up with its value, or not at all (no walking: area 0).
  for (const SensitivityRow& x : r.rows) {
    INFO(x.key);
    CHECK(x.need_high >= x.need_low - 1e-12);
  }
  // Tornado order: A's rate and minutes (swing 0.5 × 20,000 h ÷ AWT each, the rate first: the
  // sort is stable), then B's (0.025 × 20,000 h ÷ AWT each), then the rest with no swing.
  REQUIRE(r.rows.size() >= 4);
  CHECK(r.rows[0].key == "events.livelihood_services.per_household_per_year");
  CHECK(r.rows[1].key == "events.livelihood_services.handling_minutes");
  CHECK(r.rows[2].key == "events.health.per_household_per_year");
  CHECK(r.rows[3].key == "events.health.handling_minutes");
  CHECK(r.rows[4].need_high - r.rows[4].need_low == Approx(0.0).margin(1e-12));

  // With walking (area > 0), a faster walk lowers the need and a larger detour raises it.
  const SensitivityResult walk =
      analyse_sensitivity({hand_grid(households, 1e6)}, hand_model(households), w, quick(),
                          StaffingTarget{}, 3, 0, analytic_only());
  const SensitivityRow& speed = row(walk, "workers.walking_speed_kmh");
  CHECK(speed.need_high < speed.need_low);
  const SensitivityRow& detour = row(walk, "workers.detour_factor");
  CHECK(detour.need_high > detour.need_low);
  // Walking time ∝ 1 ÷ speed: the swing is trips × walk × (1/0.75 − 1/1.25) ÷ speed ÷ AWT.
  const double trips = households * 1.1;
  const double walk_m = 2.0 / 3.0 * std::sqrt(1e6 / 3.14159265358979) * w.detour_factor;
  CHECK(speed.need_low - speed.need_high ==
        Approx(trips * walk_m / (w.walking_speed_kmh * 1000.0) * (1 / 0.75 - 1 / 1.25) / awt)
            .epsilon(1e-6));
}

TEST_CASE("sensitivity: the staffing at which the service targets are met") {
  // 20,000 households × 1.1 events a year ≈ 2.5 events an hour, about 0.96 h each
  // (walking off): at least ⌈2.4 ÷ 0.85⌉ = 3 always-on workers for utilisation below 85 %.
  const WorkloadParams w = hand_workload();
  const std::vector<GridWorkloadInput> inputs = {hand_grid(20000, 0.0)};
  const SimModel model = hand_model(20000.0);
  SimulationParams sim;
  sim.horizon_days = 60;
  sim.routine_work = false;
  sim.walking = false;
  sim.seed = 11;
  StaffingTarget target;
  target.p90_response_hours = 1.0;
  target.max_utilisation = 0.85;
  SensitivityParams params;
  params.simulated_rows = 2;
  params.replications = 3;
  const SensitivityResult r = analyse_sensitivity(inputs, model, w, sim, target, 3, 0, params);
  // The simulated rows: more events, longer p90 response.
  CHECK(r.rows[0].p90_high > r.rows[0].p90_low);
  CHECK(std::isnan(r.rows[2].p90_low));  // beyond simulated_rows
  REQUIRE(r.workers_meeting_target > 0);
  CHECK(r.workers_meeting_target >= 3);
  CHECK(r.p90_at_target_h < 1.0);
  CHECK(r.max_utilisation_at_target < 0.85);
  // One worker fewer misses a target (same seed, same replications: the same simulation).
  SimulationParams same = sim;
  same.replications = params.replications;
  auto outcome = [&](int workers) {
    SimModel variant = model;
    variant.grids[0].full_time = workers;
    const SimResult result = simulate(variant, w, same);
    return std::make_pair(result.total.response_p90_h.mean, result.grids[0].utilisation.mean);
  };
  const auto at = outcome(r.workers_meeting_target);
  CHECK(at.first == Approx(r.p90_at_target_h));
  const auto below = outcome(r.workers_meeting_target - 1);
  CHECK((below.first >= 1.0 || below.second >= 0.85));
}
