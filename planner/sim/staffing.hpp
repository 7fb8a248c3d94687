#pragma once
// Staffing: the fewest full-time workers per grid that meet a service target in the event
// simulation — p90 response below StaffingTarget::p90_response_hours and every worker's mean
// utilisation below StaffingTarget::max_utilisation. The search starts at the analytic (WISN)
// estimate: if that meets the target it steps down while the target still holds, otherwise up
// until it holds (or the cap is reached, then `met` is false). Grids are independent in the
// model (workers serve only their grid; escalation has no capacity limit), so each grid is
// simulated alone.

#include <vector>

#include "planner/sim/des.hpp"
#include "planner/sim/params.hpp"

namespace gp::sim {

struct GridStaffing {
  int analytic_workers = 0;  // the starting point
  int workers = 0;           // fewest meeting the target (or the cap)
  bool met = false;
  double p90_response_h = 0.0;   // mean over replications, at `workers`
  double max_utilisation = 0.0;  // highest worker mean utilisation, at `workers`
  int simulations = 0;           // staffing levels simulated for this grid
};

/// Precondition: start_workers.size() == model.grids.size(). Part-time workers in the model are
/// ignored: the answer is in full-time workers.
std::vector<GridStaffing> staff_grids(const SimModel& model, const WorkloadParams& workload,
                                      const SimulationParams& params, const StaffingTarget& target,
                                      const std::vector<int>& start_workers,
                                      Progress* progress = nullptr);

}  // namespace gp::sim
