#pragma once
// The analytic workload model (WISN style) and the allocation of a worker total to grids.
//
// Per grid, in hours per year (docs/simulation.md shows the demo town's figures):
//   events    = Σ_c weighted households × events_c/household/year × handling minutes_c ÷ 60
//   routine_k = units_k × share_k × per_unit_k × minutes_k ÷ 60   (visits, updates, care, …)
//   walking   = (events + walking routine tasks per year) × mean walk ÷ speed,
//               mean walk = share × √(A/π) × detour
//   patrol    = rounds/year × (route ÷ speed + buildings × min/building + floors × min/floor)
//   main      = events + Σ routine + walking + patrol
//   FTE       = main ÷ AWT × CAF + IAS ÷ AWT      (WISN)
//     AWT = available working hours of a full-time worker (shift pattern),
//     CAF = 1 ÷ (1 − support hours per worker ÷ AWT)  (meetings, ledgers, training),
//     IAS = the grid chief's individual allowance, hours per large grid
//   total     = FTE × AWT

#include <cstdint>
#include <string>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/partition/plan.hpp"
#include "planner/sim/params.hpp"

namespace gp::sim {

/// What the workload model needs to know about one grid.
struct GridWorkloadInput {
  int households = 0;
  double weighted_households = 0.0;  // Σ households × Building::workload_weight
  int buildings = 0;                 // buildings holding households
  double floors = 0.0;               // Σ floors of those buildings (unknown counts as 1)
  double area_m2 = 0.0;
  double perimeter_m = 0.0;
  std::string code;  // large-grid code (WorkloadParams::grid_event_multipliers)
};

/// From a plan's grid: households and weights from its buildings; area and perimeter from the
/// grid polygon, else (no polygon yet) from the bounding box of its buildings' centroids, padded
/// by 20 m. Precondition: grid.buildings index into dataset.buildings.
GridWorkloadInput workload_input(const Dataset& dataset, const Grid& grid);

struct WorkloadEstimate {
  std::vector<double> event_hours;    // per category, in WorkloadParams::categories order
  std::vector<double> routine_hours;  // per component, in WorkloadParams::routine order
  double events_per_year = 0.0;
  double walking_hours = 0.0;
  double patrol_hours = 0.0;
  double patrol_route_m = 0.0;
  double main_hours = 0.0;             // events + routine + walking + patrol
  double support_hours = 0.0;          // category allowance implied by CAF: main × (CAF − 1)
  double individual_hours = 0.0;       // individual allowance (grid chief), large grids only
  double total_hours = 0.0;            // main + support + individual
  double full_time_equivalents = 0.0;  // total ÷ available hours of a full-time worker
  int full_time_workers = 0;           // ⌈FTE⌉, at least 1 when the grid has households
  /// The same need met by part-time workers only: ⌈total ÷ part-time available hours⌉.
  int part_time_workers = 0;
};

/// Patrol route length of a grid, metres (see PatrolRoute).
double patrol_route_m(const GridWorkloadInput& grid, const WorkloadParams& params);

/// `individual_allowance`: add the grid chief's hours (true for large grids, false for micro).
WorkloadEstimate estimate_workload(const GridWorkloadInput& grid, const WorkloadParams& params,
                                   bool individual_allowance = true);

/// Minutes spent at buildings and floors during one patrol round (excluding the walk).
double patrol_stop_minutes(const GridWorkloadInput& grid, const WorkloadParams& params);

/// WISN category allowance factor 1 ÷ (1 − support hours ÷ available hours) of a full-time
/// worker. Throws ConfigError when support work fills the whole working year.
double category_allowance_factor(const WorkloadParams& params);

/// One line of a workload breakdown: a component, its hours per year.
struct ComponentHours {
  std::string key;  // "care_visits", "event:health", "patrol", "walking", "support", …
  std::string chinese;
  std::string english;
  double hours = 0.0;
};
/// The components of the summed estimates, largest first.
std::vector<ComponentHours> breakdown(const std::vector<WorkloadEstimate>& estimates,
                                      const WorkloadParams& params);

/// Splits `total` into integer shares proportional to `weights` by the largest-remainder
/// (Hamilton) method, after giving every entry `min_each` first. Ties in the remainder go to the
/// lower index. Precondition: weights ≥ 0; throws ConfigError when total < min_each × size.
std::vector<int> allocate_largest_remainder(int total, const std::vector<double>& weights,
                                            int min_each);

/// Workers per grid.
struct WorkerAllocation {
  std::vector<int> full_time;
  std::vector<int> part_time;
};

/// Allocates `full_time_total` (≥ 1 per grid) and `part_time_total` (≥ 0 per grid) proportionally
/// to each grid's total workload hours.
WorkerAllocation allocate_workers(const std::vector<WorkloadEstimate>& workload,
                                  int full_time_total, int part_time_total);

}  // namespace gp::sim
