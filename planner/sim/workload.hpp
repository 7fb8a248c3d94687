#pragma once
// The analytic workload model (WISN style) and the allocation of a worker total to grids.
//
// Per grid, in hours per year:
//   visits  = Σ(households × workload weight) × visits/household/year × minutes/visit ÷ 60
//   events  = Σ_c Σ(households × weight) × events_c/household/year × handling minutes_c ÷ 60
//   walking = (visits + events per year) × mean walk ÷ speed, mean walk = share × √(A/π) × detour
//   patrol  = patrols/year × route length ÷ speed (route: building tour or perimeter, × detour)
//   total   = (visits + events + walking + patrol) ÷ (1 − other-work share)
//   workers = total ÷ available hours per full-time worker (from the shift pattern)

#include <cstdint>
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
  double area_m2 = 0.0;
  double perimeter_m = 0.0;
};

/// From a plan's grid: households and weights from its buildings; area and perimeter from the
/// grid polygon, else (no polygon yet) from the bounding box of its buildings' centroids, padded
/// by 20 m. Precondition: grid.buildings index into dataset.buildings.
GridWorkloadInput workload_input(const Dataset& dataset, const Grid& grid);

struct WorkloadEstimate {
  double visit_hours = 0.0;
  std::vector<double> event_hours;  // per category, in WorkloadParams::categories order
  double events_per_year = 0.0;
  double walking_hours = 0.0;
  double patrol_hours = 0.0;
  double patrol_route_m = 0.0;
  double total_hours = 0.0;            // including the other-work allowance
  double full_time_equivalents = 0.0;  // total ÷ available hours of a full-time worker
  int full_time_workers = 0;           // ⌈FTE⌉, at least 1 when the grid has households
  /// The same need met by part-time workers only: ⌈total ÷ part-time available hours⌉.
  int part_time_workers = 0;
};

/// Patrol route length of a grid, metres (see PatrolRoute).
double patrol_route_m(const GridWorkloadInput& grid, const WorkloadParams& params);

WorkloadEstimate estimate_workload(const GridWorkloadInput& grid, const WorkloadParams& params);

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
