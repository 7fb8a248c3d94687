#include "planner/sim/staffing.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "planner/core/errors.hpp"

namespace gp::sim {

std::vector<GridStaffing> staff_grids(const SimModel& model, const WorkloadParams& workload,
                                      const SimulationParams& params, const StaffingTarget& target,
                                      const std::vector<int>& start_workers, Progress* progress) {
  if (start_workers.size() != model.grids.size()) {
    throw ConfigError("sim staffing: " + std::to_string(start_workers.size()) +
                      " starting counts for " + std::to_string(model.grids.size()) + " grids");
  }
  std::vector<GridStaffing> result(model.grids.size());
  for (std::size_t g = 0; g < model.grids.size(); ++g) {
    SimModel single;
    single.grids.push_back(model.grids[g]);
    single.grids[0].community = 0;
    single.grids[0].part_time = 0;
    std::map<int, std::pair<double, double>> tried;  // workers → (p90, max utilisation)
    auto evaluate = [&](int workers) {
      auto it = tried.find(workers);
      if (it != tried.end()) return it->second;
      single.grids[0].full_time = workers;
      const SimResult run = simulate(single, workload, params);
      double utilisation = 0.0;
      for (const WorkerResult& worker : run.workers) {
        utilisation = std::max(utilisation, worker.utilisation.mean);
      }
      // No events at all: nothing to respond to.
      const double p90 =
          std::isnan(run.grids[0].response_p90_h.mean) ? 0.0 : run.grids[0].response_p90_h.mean;
      return tried[workers] = {p90, utilisation};
    };
    auto meets = [&](int workers) {
      const auto [p90, utilisation] = evaluate(workers);
      return p90 < target.p90_response_hours && utilisation < target.max_utilisation;
    };
    GridStaffing& staffing = result[g];
    staffing.analytic_workers = std::max(1, start_workers[g]);
    int workers = std::min(staffing.analytic_workers, target.max_workers_per_grid);
    if (meets(workers)) {
      while (workers > 1 && meets(workers - 1)) --workers;
      staffing.met = true;
    } else {
      while (workers < target.max_workers_per_grid && !meets(workers)) ++workers;
      staffing.met = meets(workers);
    }
    staffing.workers = workers;
    std::tie(staffing.p90_response_h, staffing.max_utilisation) = evaluate(workers);
    staffing.simulations = static_cast<int>(tried.size());
    if (progress) {
      progress->update("staffing",
                       static_cast<double>(g + 1) / static_cast<double>(model.grids.size()));
    }
  }
  return result;
}

}  // namespace gp::sim
