#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "planner/core/errors.hpp"
#include "planner/sim/staffing.hpp"
#include "planner/sim/workload.hpp"

using namespace gp;
using namespace gp::sim;

TEST_CASE("workload model arithmetic on a hand-made grid") {
  GridWorkloadInput grid;
  grid.households = 100;
  grid.weighted_households = 100.0;
  grid.buildings = 10;
  grid.floors = 60.0;
  grid.area_m2 = 10000.0;  // 100 m × 100 m
  grid.perimeter_m = 400.0;
  const WorkloadParams params;  // defaults
  const WorkloadEstimate w = estimate_workload(grid, params);

  // Events: 100 × (0.5 + 0.1 + 0.1 + 0.6 + 0.2 + 0.25 work orders) = 175 per year.
  CHECK(w.events_per_year == Approx(175.0));
  const double event_hours = std::accumulate(w.event_hours.begin(), w.event_hours.end(), 0.0);
  CHECK(event_hours ==
        Approx(100.0 * (0.5 * 30 + 0.1 * 45 + 0.1 * 90 + 0.6 * 40 + 0.2 * 30 + 0.25 * 45) / 60));
  CHECK(w.event_hours[2] == Approx(100.0 * 0.1 * 90 / 60));  // dispute mediation: 15 h
  // Routine: visits 100 × 2 × 15 min; updates 100 × 0.35 × 20; care 100 × 0.08 × 24 × 30;
  // follow-up 175 × 0.3 × 20; campaigns 100 × 2 × 15.
  REQUIRE(w.routine_hours.size() == 5);
  CHECK(w.routine_hours[0] == Approx(50.0));
  CHECK(w.routine_hours[1] == Approx(100 * 0.35 * 20 / 60.0));
  CHECK(w.routine_hours[2] == Approx(100 * 0.08 * 24 * 30 / 60.0));
  CHECK(w.routine_hours[3] == Approx(175 * 0.3 * 20 / 60.0));
  CHECK(w.routine_hours[4] == Approx(50.0));
  const double routine = std::accumulate(w.routine_hours.begin(), w.routine_hours.end(), 0.0);
  // Walking: every event and walking routine task: 175 + 200 + 35 + 192 + 52.5 + 200 trips.
  const double trips = 175 + 200 + 35 + 192 + 52.5 + 200;
  const double mean_walk = 2.0 / 3.0 * std::sqrt(10000.0 / 3.14159265358979) * 1.3;
  CHECK(w.walking_hours == Approx(trips * mean_walk / 4500.0));
  // Patrol: 250 rounds × (0.7124 × √(10 × 10000) × 1.3 m ÷ 4500 m/h + (10 × 1 + 60 × 0.2) min).
  CHECK(w.patrol_route_m == Approx(0.7124 * std::sqrt(100000.0) * 1.3));
  CHECK(w.patrol_hours == Approx(250.0 * (w.patrol_route_m / 4500.0 + 22.0 / 60.0)));
  const double main = event_hours + routine + w.walking_hours + w.patrol_hours;
  CHECK(w.main_hours == Approx(main));
  // WISN: CAF = 1 / (1 − (7 h/week × weeks worked + 40 h) ÷ available hours).
  const double available = (52.143 * 5 - 21) * 7;
  const double support = 7.0 * (52.143 * 5 - 21) / 5 + 40.0;
  CHECK(category_allowance_factor(params) == Approx(1.0 / (1.0 - support / available)));
  CHECK(w.total_hours == Approx(main / (1.0 - support / available) + 100.0));
  CHECK(w.individual_hours == Approx(100.0));
  CHECK(params.full_time.available_hours_per_year() == Approx(available));
  // Part time: 6 h a week (3 days × 2 h), 10 days off.
  CHECK(params.part_time.hours_per_week() == Approx(6.0));
  CHECK(params.part_time.available_hours_per_year() == Approx((52.143 * 3 - 10) * 2));
  CHECK(w.full_time_equivalents == Approx(w.total_hours / available));
  CHECK(w.full_time_workers == static_cast<int>(std::ceil(w.full_time_equivalents)));
  // Micro grids carry no grid chief.
  CHECK(estimate_workload(grid, params, false).individual_hours == 0.0);

  // Patrol time grows with buildings, floors and distance, not only with households.
  GridWorkloadInput taller = grid;
  taller.floors = 180.0;
  CHECK(estimate_workload(taller, params).patrol_hours > w.patrol_hours);
  GridWorkloadInput spread = grid;
  spread.area_m2 = 40000.0;
  CHECK(estimate_workload(spread, params).patrol_hours > w.patrol_hours);
  GridWorkloadInput more_buildings = grid;
  more_buildings.buildings = 20;
  CHECK(estimate_workload(more_buildings, params).patrol_hours > w.patrol_hours);

  // The breakdown sums to the total and is sorted.
  const std::vector<ComponentHours> rows = breakdown({w}, params);
  double sum = 0.0;
  for (const ComponentHours& row : rows) sum += row.hours;
  CHECK(sum == Approx(w.total_hours));
  CHECK(rows.front().hours >= rows.back().hours);

  // Perimeter route and a larger grid: 2,000 weighted households need several workers.
  WorkloadParams perimeter = params;
  perimeter.patrol_route = PatrolRoute::perimeter;
  CHECK(patrol_route_m(grid, perimeter) == Approx(400.0 * 1.3));
  grid.weighted_households = 2000.0;
  const WorkloadEstimate big = estimate_workload(grid, params);
  CHECK(big.full_time_workers == static_cast<int>(std::ceil(big.full_time_equivalents)));
  CHECK(big.full_time_workers >= 3);
  CHECK(big.part_time_workers > big.full_time_workers);
}

TEST_CASE("workload_input reads households, weights and the polygon of a plan's grid") {
  Dataset dataset;
  for (int i = 0; i < 3; ++i) {
    Building b;
    const double x = i * 50.0;
    b.footprint = {{{{x, 0}, {x + 20, 0}, {x + 20, 20}, {x, 20}, {x, 0}}, {}}};
    b.households = 10 * (i + 1);
    b.workload_weight = i == 2 ? 2.0 : 1.0;
    dataset.buildings.push_back(b);
  }
  Grid grid;
  grid.buildings = {0, 1, 2};
  GridWorkloadInput input = workload_input(dataset, grid);
  CHECK(input.households == 60);
  CHECK(input.weighted_households == Approx(10 + 20 + 60));
  CHECK(input.buildings == 3);
  CHECK(input.area_m2 == Approx((100 + 40) * (0 + 40)));  // centroid box padded by 20 m
  grid.polygon = {{{{0, 0}, {200, 0}, {200, 100}, {0, 100}, {0, 0}}, {}}};
  input = workload_input(dataset, grid);
  CHECK(input.area_m2 == Approx(20000));
  CHECK(input.perimeter_m == Approx(600));
}

TEST_CASE("largest-remainder allocation") {
  CHECK(allocate_largest_remainder(10, {1, 1, 1}, 1) == std::vector<int>{4, 3, 3});
  // Quotas 3.5, 1.75, 1.75: the two larger remainders get the two seats left.
  CHECK(allocate_largest_remainder(7, {0.5, 0.25, 0.25}, 0) == std::vector<int>{3, 2, 2});
  CHECK(allocate_largest_remainder(3, {5, 0, 0}, 1) == std::vector<int>{1, 1, 1});
  CHECK_THROWS_AS(allocate_largest_remainder(2, {1, 1, 1}, 1), ConfigError);
  // 282 workers over 53 grids of varied workload: sums exactly, everyone at least 1.
  std::vector<WorkloadEstimate> grids(53);
  for (std::size_t g = 0; g < grids.size(); ++g) grids[g].total_hours = 100.0 + 37.0 * (g % 7);
  const WorkerAllocation allocation = allocate_workers(grids, 141, 141);
  CHECK(std::accumulate(allocation.full_time.begin(), allocation.full_time.end(), 0) == 141);
  CHECK(std::accumulate(allocation.part_time.begin(), allocation.part_time.end(), 0) == 141);
  CHECK(*std::min_element(allocation.full_time.begin(), allocation.full_time.end()) >= 1);
  // Heavier grids get at least as many as lighter ones.
  CHECK(allocation.part_time[6] >= allocation.part_time[0]);
}

TEST_CASE("staffing finds the fewest workers meeting the target, searching from the estimate") {
  WorkloadParams workload;
  workload.full_time = ShiftPattern{{{0.0, 24.0}}, {true, true, true, true, true, true, true}, 0};
  SimModel model;
  SimGrid grid;
  for (int b = 0; b < 10; ++b) grid.buildings.push_back({{b * 30.0, 0.0}, 300.0});
  grid.patrol_route_m = 1000.0;
  model.grids.push_back(grid);
  SimulationParams params;
  params.replications = 4;
  params.horizon_days = 60.0;
  StaffingTarget target;
  target.p90_response_hours = 2.0;
  target.max_utilisation = 0.85;
  const auto from_low = staff_grids(model, workload, params, target, {1});
  const auto from_high = staff_grids(model, workload, params, target, {8});
  REQUIRE(from_low.size() == 1);
  CHECK(from_low[0].met);
  CHECK(from_low[0].workers == from_high[0].workers);
  CHECK(from_low[0].p90_response_h < 2.0);
  CHECK(from_low[0].max_utilisation < 0.85);
  // One fewer fails the target.
  if (from_low[0].workers > 1) {
    const auto fewer = staff_grids(model, workload, params, target, {from_low[0].workers - 1});
    CHECK(fewer[0].workers == from_low[0].workers);
  }
}
