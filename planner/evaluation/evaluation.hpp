#pragma once
// Evaluating a plan: the simulator module's pieces joined in the order a run needs them —
// analytic workload per grid → workers per grid → walking coverage of stations → event
// simulation (replications) → station rules → siting of new stations. Also fills the metrics
// of a plan that did not come from make_plan (an imported existing plan).
//
// Preconditions everywhere: the dataset is projected (metres) and validated; the plan indexes
// into it (Plan::building_large/micro sized to Dataset::buildings).

#include <cstdint>
#include <optional>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/core/progress.hpp"
#include "planner/partition/params.hpp"
#include "planner/partition/plan.hpp"
#include "planner/sim/coverage.hpp"
#include "planner/sim/des.hpp"
#include "planner/sim/params.hpp"
#include "planner/sim/rules.hpp"
#include "planner/sim/siting.hpp"
#include "planner/sim/workload.hpp"

namespace gp::evaluation {

struct EvaluationParams {
  sim::WorkloadParams workload;
  sim::SimulationParams simulation;
  sim::CoverageParams coverage;
  sim::RuleParams rules;
  sim::SitingParams siting;
  /// Workers to allocate over the large grids in proportion to workload (e.g. Yanggao's 282 =
  /// 141 full-time + 141 part-time). Both 0: each grid gets its analytic full-time need.
  int full_time_workers = 0;
  int part_time_workers = 0;
  /// Run the event simulation (the slowest step; off for quick looks).
  bool simulate = true;
  /// Site new stations for the households beyond the siting radius.
  bool site_stations = true;
};

struct StationStats {
  long long households_served = 0;  // households whose nearest station of this tier it is
  /// Of those, households within each coverage threshold (5/10/15 minutes by default).
  std::vector<long long> households_within;
  bool fails_rule = false;  // floor area short or unknown
};

struct Evaluation {
  std::vector<sim::WorkloadEstimate> large_workload;  // per large grid
  std::vector<sim::WorkloadEstimate> micro_workload;  // per micro grid
  sim::WorkerAllocation allocation;                   // per large grid
  std::vector<int> micro_workers;  // per micro grid: its share of the large grid's workers
  std::vector<double> large_hours_per_worker;  // analytic hours per year per allocated worker
  std::optional<sim::SimResult> simulation;
  sim::CoverageResult coverage;
  std::vector<sim::RuleFailure> rule_failures;
  std::optional<sim::SitingResult> siting;
  /// Per large grid: the compound station inside it, else the nearest compound station within
  /// RuleParams::station_max_distance_m of the grid's buildings; kNone when there is none.
  std::vector<std::int32_t> large_station;
  std::vector<StationStats> stations;  // per Dataset::stations
  std::vector<double> thresholds_m;    // coverage thresholds used (copied)
};

/// Runs the whole evaluation. Throws gp::ConfigError for inconsistent parameters (fewer
/// full-time workers than large grids), gp::Cancelled.
Evaluation evaluate(const Dataset& dataset, const Plan& plan, const EvaluationParams& params,
                    Progress& progress);

/// Fills Grid::metrics and Plan::metrics of a plan that did not come from make_plan (households,
/// buildings, workload, area, perimeter, compactness, bound flags, counts). Grids without a
/// polygon keep area 0 and compactness 0.
void fill_plan_metrics(const Dataset& dataset, Plan& plan, const PartitionParams& params);

}  // namespace gp::evaluation
