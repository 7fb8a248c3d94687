#include "planner/sim/workload.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "planner/core/errors.hpp"

namespace gp::sim {

namespace {
constexpr double kPi = 3.14159265358979323846;
// Beardwood-Halton-Hammersley constant for the shortest tour through n uniform points in a
// region of area A: L ≈ 0.7124·√(n·A) (asymptotic estimate by Percus and Martin).
constexpr double kTourConstant = 0.7124;
}  // namespace

GridWorkloadInput workload_input(const Dataset& dataset, const Grid& grid) {
  GridWorkloadInput input;
  Box box;
  for (std::int32_t index : grid.buildings) {
    const Building& building = dataset.buildings.at(static_cast<std::size_t>(index));
    input.households += building.households;
    input.weighted_households += building.households * building.workload_weight;
    if (building.households > 0) ++input.buildings;
    box.expand(centroid(building.footprint));
  }
  if (!grid.polygon.empty()) {
    input.area_m2 = area(grid.polygon);
    input.perimeter_m = perimeter(grid.polygon);
  } else if (!box.empty()) {
    const double width = box.width() + 40.0, height = box.height() + 40.0;
    input.area_m2 = width * height;
    input.perimeter_m = 2.0 * (width + height);
  }
  return input;
}

double patrol_route_m(const GridWorkloadInput& grid, const WorkloadParams& params) {
  switch (params.patrol_route) {
    case PatrolRoute::perimeter:
      return grid.perimeter_m * params.detour_factor;
    case PatrolRoute::building_tour:
      return kTourConstant * std::sqrt(grid.buildings * std::max(grid.area_m2, 0.0)) *
             params.detour_factor;
  }
  return 0.0;
}

WorkloadEstimate estimate_workload(const GridWorkloadInput& grid, const WorkloadParams& params) {
  if (params.walking_speed_kmh <= 0.0) {
    throw ConfigError("sim workload: walking speed must be positive, got " +
                      std::to_string(params.walking_speed_kmh) + " km/h");
  }
  if (params.other_work_share < 0.0 || params.other_work_share >= 1.0) {
    throw ConfigError("sim workload: other_work_share must be in [0, 1), got " +
                      std::to_string(params.other_work_share));
  }
  const double speed_m_per_h = params.walking_speed_kmh * 1000.0;
  WorkloadEstimate estimate;
  const double weighted = grid.weighted_households;
  const double visits = weighted * params.visits_per_household_per_year;
  estimate.visit_hours = visits * params.minutes_per_visit / 60.0;
  double event_total = 0.0;
  for (const CategoryParams& category : params.categories) {
    const double events = weighted * category.events_per_household_per_year;
    estimate.events_per_year += events;
    estimate.event_hours.push_back(events * category.handling_minutes / 60.0);
    event_total += estimate.event_hours.back();
  }
  const double radius_m = std::sqrt(std::max(grid.area_m2, 0.0) / kPi);
  const double mean_walk_m = params.walk_share_of_radius * radius_m * params.detour_factor;
  estimate.walking_hours = (visits + estimate.events_per_year) * mean_walk_m / speed_m_per_h;
  estimate.patrol_route_m = patrol_route_m(grid, params);
  estimate.patrol_hours = params.patrols_per_year * estimate.patrol_route_m / speed_m_per_h;
  const double direct =
      estimate.visit_hours + event_total + estimate.walking_hours + estimate.patrol_hours;
  estimate.total_hours = direct / (1.0 - params.other_work_share);
  const double full_time_hours = params.full_time.available_hours_per_year();
  const double part_time_hours = params.part_time.available_hours_per_year();
  if (full_time_hours <= 0.0 || part_time_hours <= 0.0) {
    throw ConfigError("sim workload: a shift pattern has no available hours per year");
  }
  estimate.full_time_equivalents = estimate.total_hours / full_time_hours;
  // A tiny epsilon keeps an exact 2.0 FTE at 2 workers despite rounding noise.
  estimate.full_time_workers = static_cast<int>(std::ceil(estimate.full_time_equivalents - 1e-9));
  estimate.part_time_workers =
      static_cast<int>(std::ceil(estimate.total_hours / part_time_hours - 1e-9));
  if (grid.households > 0) {
    estimate.full_time_workers = std::max(estimate.full_time_workers, 1);
    estimate.part_time_workers = std::max(estimate.part_time_workers, 1);
  }
  return estimate;
}

std::vector<int> allocate_largest_remainder(int total, const std::vector<double>& weights,
                                            int min_each) {
  const int n = static_cast<int>(weights.size());
  std::vector<int> shares(weights.size(), min_each);
  if (n == 0) return shares;
  const long long reserved = static_cast<long long>(min_each) * n;
  if (total < reserved) {
    throw ConfigError("sim allocation: " + std::to_string(total) + " workers cannot give " +
                      std::to_string(min_each) + " to each of " + std::to_string(n) +
                      " grids; raise the total or lower the minimum");
  }
  const int rest = total - static_cast<int>(reserved);
  const double weight_sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<double> quotas(weights.size());
  for (std::size_t i = 0; i < weights.size(); ++i) {
    quotas[i] = weight_sum > 0.0 ? rest * weights[i] / weight_sum
                                 : static_cast<double>(rest) / static_cast<double>(n);
  }
  int given = 0;
  std::vector<std::size_t> order(weights.size());
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const int whole = static_cast<int>(std::floor(quotas[i]));
    shares[i] += whole;
    given += whole;
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return quotas[a] - std::floor(quotas[a]) > quotas[b] - std::floor(quotas[b]);
  });
  for (std::size_t k = 0; given < rest; ++k, ++given) ++shares[order[k % order.size()]];
  return shares;
}

WorkerAllocation allocate_workers(const std::vector<WorkloadEstimate>& workload,
                                  int full_time_total, int part_time_total) {
  std::vector<double> weights;
  weights.reserve(workload.size());
  for (const WorkloadEstimate& estimate : workload) weights.push_back(estimate.total_hours);
  WorkerAllocation allocation;
  allocation.full_time = allocate_largest_remainder(full_time_total, weights, 1);
  allocation.part_time = allocate_largest_remainder(part_time_total, weights, 0);
  return allocation;
}

}  // namespace gp::sim
