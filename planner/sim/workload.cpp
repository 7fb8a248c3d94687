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
  input.code = grid.code;
  Box box;
  for (std::int32_t index : grid.buildings) {
    const Building& building = dataset.buildings.at(static_cast<std::size_t>(index));
    input.households += building.households;
    input.weighted_households += building.households * building.workload_weight;
    if (building.households > 0) {
      ++input.buildings;
      input.floors += std::max(building.floors, 1);
    }
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

double patrol_stop_minutes(const GridWorkloadInput& grid, const WorkloadParams& params) {
  return grid.buildings * params.patrol_minutes_per_building +
         grid.floors * params.patrol_minutes_per_floor;
}

double category_allowance_factor(const WorkloadParams& params) {
  const double available = params.full_time.available_hours_per_year();
  if (available <= 0.0) {
    throw ConfigError("sim workload: the full-time shift pattern has no available hours per year");
  }
  const double share = params.support_hours_per_year(params.full_time) / available;
  if (share >= 0.95) {
    throw ConfigError("sim workload: meetings, ledgers and training take " +
                      std::to_string(static_cast<int>(share * 100.0)) +
                      " % of a full-time worker's year; lower workers.meeting_hours_per_week, "
                      "ledger_hours_per_week or training_hours_per_year");
  }
  return 1.0 / (1.0 - share);
}

namespace {
double routine_units(const RoutineComponent& component, const GridWorkloadInput& grid,
                     const WorkloadParams& params, double events_per_year) {
  switch (component.basis) {
    case RoutineBasis::household:
      return grid.weighted_households;
    case RoutineBasis::resident:
      return grid.weighted_households * params.persons_per_household;
    case RoutineBasis::building:
      return grid.buildings;
    case RoutineBasis::floor:
      return grid.floors;
    case RoutineBasis::event:
      return events_per_year;
    case RoutineBasis::grid:
      return grid.households > 0 ? 1.0 : 0.0;
  }
  return 0.0;
}
}  // namespace

WorkloadEstimate estimate_workload(const GridWorkloadInput& grid, const WorkloadParams& params,
                                   bool individual_allowance) {
  if (params.walking_speed_kmh <= 0.0) {
    throw ConfigError("sim workload: walking speed must be positive, got " +
                      std::to_string(params.walking_speed_kmh) + " km/h");
  }
  const double caf = category_allowance_factor(params);
  const double speed_m_per_h = params.walking_speed_kmh * 1000.0;
  WorkloadEstimate estimate;
  // Calibrated grids have more or fewer events than the town rate (grid_event_multipliers).
  const double weighted = grid.weighted_households * params.event_multiplier(grid.code);
  double event_total = 0.0;
  for (const CategoryParams& category : params.categories) {
    const double events = weighted * category.events_per_household_per_year;
    estimate.events_per_year += events;
    estimate.event_hours.push_back(events * category.handling_minutes / 60.0);
    event_total += estimate.event_hours.back();
  }
  double trips = estimate.events_per_year, routine_total = 0.0;
  for (const RoutineComponent& component : params.routine) {
    const double tasks = routine_units(component, grid, params, estimate.events_per_year) *
                         component.share * component.per_unit_per_year;
    estimate.routine_hours.push_back(tasks * component.minutes / 60.0);
    routine_total += estimate.routine_hours.back();
    if (component.walk) trips += tasks;
  }
  const double radius_m = std::sqrt(std::max(grid.area_m2, 0.0) / kPi);
  const double mean_walk_m = params.walk_share_of_radius * radius_m * params.detour_factor;
  estimate.walking_hours = trips * mean_walk_m / speed_m_per_h;
  estimate.patrol_route_m = patrol_route_m(grid, params);
  const double rounds = grid.households > 0 ? params.patrols_per_year : 0.0;
  estimate.patrol_hours =
      rounds * (estimate.patrol_route_m / speed_m_per_h + patrol_stop_minutes(grid, params) / 60.0);
  estimate.main_hours =
      event_total + routine_total + estimate.walking_hours + estimate.patrol_hours;
  estimate.support_hours = estimate.main_hours * (caf - 1.0);
  estimate.individual_hours =
      individual_allowance && grid.households > 0 ? params.grid_chief_hours_per_year : 0.0;
  estimate.total_hours = estimate.main_hours + estimate.support_hours + estimate.individual_hours;
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

std::vector<ComponentHours> breakdown(const std::vector<WorkloadEstimate>& estimates,
                                      const WorkloadParams& params) {
  std::vector<ComponentHours> rows;
  for (const CategoryParams& c : params.categories)
    rows.push_back({std::string("event:") + to_string(c.category),
                    std::string("事件: ") + chinese_name(c.category),
                    std::string("events: ") + to_string(c.category), 0.0});
  for (const RoutineComponent& r : params.routine)
    rows.push_back({r.key, r.chinese, r.english, 0.0});
  rows.push_back({"patrol", "巡查", "patrol rounds", 0.0});
  rows.push_back({"walking", "步行往返", "walking to buildings", 0.0});
  rows.push_back({"support", "例会、台账、培训",
                  "meetings, ledgers, training (WISN category allowance)", 0.0});
  rows.push_back(
      {"grid_chief", "网格长督导", "grid chief's supervision (WISN individual allowance)", 0.0});
  const std::size_t nc = params.categories.size(), nr = params.routine.size();
  for (const WorkloadEstimate& e : estimates) {
    for (std::size_t c = 0; c < nc && c < e.event_hours.size(); ++c)
      rows[c].hours += e.event_hours[c];
    for (std::size_t r = 0; r < nr && r < e.routine_hours.size(); ++r)
      rows[nc + r].hours += e.routine_hours[r];
    rows[nc + nr].hours += e.patrol_hours;
    rows[nc + nr + 1].hours += e.walking_hours;
    rows[nc + nr + 2].hours += e.support_hours;
    rows[nc + nr + 3].hours += e.individual_hours;
  }
  std::stable_sort(rows.begin(), rows.end(), [](const ComponentHours& a, const ComponentHours& b) {
    return a.hours > b.hours;
  });
  return rows;
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
