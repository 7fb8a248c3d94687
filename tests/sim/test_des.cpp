#include <catch2/catch.hpp>

#include <cmath>

#include "planner/sim/des.hpp"
#include "planner/sim/event_queue.hpp"

using namespace gp;
using namespace gp::sim;

namespace {

/// A shift that never ends: queueing without working hours.
ShiftPattern always_on() {
  return ShiftPattern{{{0.0, 24.0}}, {true, true, true, true, true, true, true}, 0.0};
}

/// One category with flat profiles, `arrivals_per_hour` in total, exponential handling.
WorkloadParams queueing_workload(double arrivals_per_hour, double service_minutes,
                                 double households) {
  WorkloadParams workload;
  CategoryParams category;
  category.events_per_household_per_year = arrivals_per_hour * 8760.0 / households;
  category.handling_minutes = service_minutes;
  category.escalate_to_community = 0.0;
  category.daily.fill(1.0);
  category.weekly.fill(1.0);
  workload.categories = {category};
  workload.full_time = always_on();
  return workload;
}

SimModel single_grid(int workers, double households) {
  SimModel model;
  SimGrid grid;
  grid.code = "01";
  grid.buildings.push_back({{0.0, 0.0}, households, -1.0});
  grid.full_time = workers;
  model.grids.push_back(grid);
  return model;
}

/// Erlang C: mean wait in queue of M/M/c with arrival rate λ and service rate μ per server.
double erlang_c_wait(double lambda, double mu, int c) {
  const double a = lambda / mu;
  const double rho = a / c;
  double term = 1.0, sum = 0.0;
  for (int k = 0; k < c; ++k) {
    sum += term;
    term *= a / (k + 1);
  }
  // term is now a^c / c!
  const double tail = term / (1.0 - rho);
  const double probability_wait = tail / (sum + tail);
  return probability_wait / (c * mu - lambda);
}

SimulationParams queueing_params(int replications, std::uint64_t seed) {
  SimulationParams params;
  params.replications = replications;
  params.seed = seed;
  params.exponential_handling = true;
  params.routine_work = false;
  params.walking = false;
  return params;
}

}  // namespace

TEST_CASE("the event queue pops in time order, ties in insertion order") {
  EventQueue<int> queue;
  queue.push(3.0, 1);
  queue.push(1.0, 2);
  queue.push(3.0, 3);
  queue.push(2.0, 4);
  queue.push(1.0, 5);
  std::vector<int> order;
  while (!queue.empty()) order.push_back(queue.pop().payload);
  CHECK(order == std::vector<int>{2, 5, 4, 1, 3});
}

TEST_CASE("M/M/c: mean wait agrees with the Erlang C formula within the replications' 95% CI") {
  // λ = 2.4 /h, μ = 1 /h (60 min), c = 3: ρ = 0.8, P(wait) = 0.6472, Wq = 1.0787 h.
  const double lambda = 2.4, mu = 1.0;
  const int c = 3;
  const WorkloadParams workload = queueing_workload(lambda, 60.0, 100.0);
  SimulationParams params = queueing_params(30, 7);
  params.horizon_days = 120.0;
  const SimResult result = simulate(single_grid(c, 100.0), workload, params);
  const double expected = erlang_c_wait(lambda, mu, c);
  CHECK(expected == Approx(1.0787).epsilon(0.001));
  const Estimate& wait = result.grids[0].wait_mean_h;
  INFO("simulated mean wait " << wait.mean << " ± " << wait.half_width << " h, Erlang C "
                              << expected << " h");
  // The start-up from an empty queue biases the mean wait slightly low; the horizon is long
  // enough that the bias is far below the interval's width.
  CHECK(wait.low() <= expected);
  CHECK(expected <= wait.high());
  CHECK(wait.half_width < 0.1 * expected);
  // Utilisation = ρ and arrivals = λ × horizon.
  CHECK(result.grids[0].utilisation.mean == Approx(lambda / (c * mu)).epsilon(0.02));
  CHECK(result.grids[0].events.mean == Approx(lambda * 24 * 120).epsilon(0.01));
}

TEST_CASE("M/M/1 mean wait ρ/(μ−λ) within the 95% CI") {
  const double lambda = 0.5, mu = 1.0;
  const WorkloadParams workload = queueing_workload(lambda, 60.0, 10.0);
  SimulationParams params = queueing_params(30, 11);
  params.horizon_days = 200.0;
  const SimResult result = simulate(single_grid(1, 10.0), workload, params);
  const double expected = (lambda / mu) / (mu - lambda);
  const Estimate& wait = result.grids[0].wait_mean_h;
  INFO("simulated " << wait.mean << " ± " << wait.half_width << ", expected " << expected);
  CHECK(wait.low() <= expected);
  CHECK(expected <= wait.high());
}

TEST_CASE("the same seed gives the same numbers, a different seed different ones") {
  WorkloadParams workload;  // defaults: five categories, profiles, shifts, routine work
  SimModel model;
  for (int g = 0; g < 3; ++g) {
    SimGrid grid;
    grid.code = std::to_string(g);
    for (int b = 0; b < 10; ++b) grid.buildings.push_back({{g * 500.0 + b * 30.0, b * 20.0}, 40.0});
    grid.base = {g * 500.0, 0.0};
    grid.patrol_route_m = 1500.0;
    grid.full_time = 1;
    grid.part_time = 1;
    model.grids.push_back(grid);
  }
  SimulationParams params;
  params.replications = 6;
  params.horizon_days = 60.0;
  const SimResult a = simulate(model, workload, params);
  const SimResult b = simulate(model, workload, params);
  params.seed = 2;
  const SimResult c = simulate(model, workload, params);
  REQUIRE(a.grids.size() == 3);
  for (std::size_t g = 0; g < 3; ++g) {
    CHECK(a.grids[g].events.mean == b.grids[g].events.mean);
    CHECK(a.grids[g].response_p90_h.mean == b.grids[g].response_p90_h.mean);
    CHECK(a.grids[g].utilisation.mean == b.grids[g].utilisation.mean);
    CHECK(a.grids[g].resolution_p90_h.half_width == b.grids[g].resolution_p90_h.half_width);
  }
  CHECK(a.total.response_mean_h.mean != c.total.response_mean_h.mean);
  CHECK(a.total.events.mean != c.total.events.mean);
  CHECK(a.workers.size() == 6);
  CHECK(a.walking_distances == "straight line × detour");
}

TEST_CASE("more workers give shorter waits and lower utilisation") {
  // Round-the-clock shifts, so that the waits measure capacity rather than nights and weekends.
  WorkloadParams workload;
  workload.full_time = always_on();
  SimulationParams params;
  params.replications = 8;
  params.horizon_days = 90.0;
  double previous_wait = INFINITY, previous_utilisation = INFINITY;
  for (int workers = 1; workers <= 4; ++workers) {
    SimModel model;
    SimGrid grid;
    for (int b = 0; b < 20; ++b) grid.buildings.push_back({{b * 25.0, (b % 4) * 40.0}, 150.0});
    grid.patrol_route_m = 2000.0;
    grid.full_time = workers;
    model.grids.push_back(grid);
    const SimResult result = simulate(model, workload, params);
    INFO(workers << " workers: wait " << result.grids[0].wait_mean_h.mean << " h, utilisation "
                 << result.grids[0].utilisation.mean);
    CHECK(result.grids[0].wait_mean_h.mean < previous_wait);
    CHECK(result.grids[0].utilisation.mean < previous_utilisation);
    previous_wait = result.grids[0].wait_mean_h.mean;
    previous_utilisation = result.grids[0].utilisation.mean;
  }
}

TEST_CASE("escalation: shares leaving the grid follow the category parameters") {
  WorkloadParams workload = queueing_workload(0.5, 30.0, 10.0);
  workload.categories[0].escalate_to_community = 0.3;
  workload.categories[0].escalate_to_centre = 0.5;
  SimulationParams params = queueing_params(10, 3);
  params.horizon_days = 100.0;
  const SimResult result = simulate(single_grid(2, 10.0), workload, params);
  const GroupResult& grid = result.grids[0];
  CHECK(grid.share_in_grid.mean == Approx(0.7).margin(0.02));
  CHECK(grid.escalated_to_centre.mean / grid.escalated_to_community.mean ==
        Approx(0.5).margin(0.05));
  // Escalated matters take days: the 90th percentile of resolution is far above the response.
  CHECK(grid.resolution_p90_h.mean > 10.0 * grid.response_p90_h.mean);
  CHECK(result.communities.size() == 1);
  CHECK(result.communities[0].events.mean == grid.events.mean);
}

TEST_CASE("events outside working hours wait for the next shift") {
  WorkloadParams workload = queueing_workload(0.2, 10.0, 10.0);
  // Office hours only: a report at night waits until 08:30.
  workload.full_time = full_time_shift();
  SimulationParams params = queueing_params(5, 5);
  params.horizon_days = 56.0;
  const SimResult result = simulate(single_grid(1, 10.0), workload, params);
  CHECK(result.grids[0].response_p90_h.mean > 12.0);
  CHECK(result.grids[0].utilisation.mean > 0.0);
}

TEST_CASE("routine work in the simulation adds up to the analytic hours") {
  // No events: every busy hour is routine work. Five round-the-clock workers are never short of
  // time, so the busy hours are the routine hours accrued over the year (the last part-block
  // excepted): visits, updates, care, campaigns (per household) + patrols + the workers' own
  // support work + the grid chief.
  WorkloadParams workload;
  workload.full_time = always_on();
  for (CategoryParams& c : workload.categories) c.events_per_household_per_year = 0.0;
  SimModel model = single_grid(5, 400.0);
  model.grids[0].patrol_route_m = 1800.0;
  model.grids[0].patrol_stop_minutes = 30.0;
  SimulationParams params;
  params.replications = 2;
  params.walking = false;
  const SimResult result = simulate(model, workload, params);
  double routine = 0.0;
  for (const RoutineComponent& r : workload.routine)
    if (r.basis == RoutineBasis::household)
      routine += 400.0 * r.share * r.per_unit_per_year * r.minutes / 60.0;
  const double patrol = 250.0 * (1800.0 / 4500.0 + 0.5);
  const double support = 5 * workload.support_hours_per_year(workload.full_time) + 100.0;
  const double expected = (routine + patrol + support) / (5 * 8760.0);
  INFO("routine " << routine << " h, patrol " << patrol << " h, support " << support << " h");
  CHECK(result.grids[0].utilisation.mean == Approx(expected).epsilon(0.002));
  CHECK(result.grids[0].routine_backlog.mean < 1.0);
  CHECK(result.grids[0].events.mean == 0.0);
}

TEST_CASE("work orders report the share answered within their deadline") {
  WorkloadParams workload = queueing_workload(0.2, 30.0, 10.0);
  workload.categories[0].category = EventCategory::work_order;
  workload.categories[0].deadline_hours = 72.0;
  workload.full_time = full_time_shift();
  SimulationParams params = queueing_params(4, 9);
  params.horizon_days = 91.0;
  const SimResult ample = simulate(single_grid(3, 10.0), workload, params);
  // Office hours answer everything within three days (the longest gap is a weekend, 62.5 h).
  CHECK(ample.grids[0].on_time_share.mean > 0.99);
  workload.categories[0].deadline_hours = 1.0;
  const SimResult tight = simulate(single_grid(3, 10.0), workload, params);
  // Within one hour only what arrives during office hours: about a fifth of the week.
  CHECK(tight.grids[0].on_time_share.mean < 0.4);
  CHECK(tight.grids[0].on_time_share.mean > 0.1);
}
