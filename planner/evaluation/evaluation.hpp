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
#include "planner/geo/plan_audit.hpp"
#include "planner/partition/params.hpp"
#include "planner/partition/plan.hpp"
#include "planner/sim/coverage.hpp"
#include "planner/sim/des.hpp"
#include "planner/sim/params.hpp"
#include "planner/sim/rules.hpp"
#include "planner/sim/sensitivity.hpp"
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
  /// Service targets (the scenario's [staffing]) and the ±25 % sensitivity analysis against them
  /// (needs the simulation).
  sim::StaffingTarget target;
  bool sensitivity = true;
  sim::SensitivityParams sensitivity_params;
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
  /// The workers given against the modelled need, in words (always set).
  sim::StaffingVerdict verdict;
  /// The large grids' workload summed by component, largest first (hours per year).
  std::vector<sim::ComponentHours> workload_breakdown;
  std::optional<sim::SensitivityResult> sensitivity;
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

/// THE plan metrics measured on the grid polygons users receive, for planned, re-planned,
/// edited and imported plans alike: audits `plan` by geometry (geo::audit_plan, rules listed in
/// planner/geo/plan_audit.hpp) and writes what it measured into the plan:
///   Grid::metrics.contiguous        = the polygon is one piece (no second piece ≥ 100 m² or 1 %)
///   Grid::metrics.barrier_crossings = extra sides of a hard barrier holding the grid's buildings
///                                     (0 when compounds spanning the barrier join the sides)
///   Grid::metrics.compound_splits   = compounds split between this large grid and another
///   Plan::metrics.discontiguous, barrier_crossings, compound_splits, coverage_gap_m2,
///   coverage_overlap_m2, grids_with_crumbs, grids_without_polygon, buildings_outside,
///   micro_not_nested.
/// Households, buildings and bound flags are NOT recomputed (make_plan or fill_plan_metrics set
/// them; a building split by units counts only its share in each grid). Bounds and hard road
/// classes come from `params`. A grid outside its bounds has a recorded reason when the plan's
/// problems report its community as infeasible (kinds container-*, micro-grid-out-of-bounds)
/// or the grid is locked. Call it after make_plan and after every edit; fill_plan_metrics calls
/// it for imported plans. Returns the findings for printing (`gridplan check`) and JSON.
/// The audit's parameters: audit_params(params, dataset). Throws gp::Cancelled through
/// `progress` (may be null).
geo::PlanAudit audit_plan(const Dataset& dataset, Plan& plan, const PartitionParams& params,
                          Progress* progress = nullptr);

/// The same with the audit's parameters given (e.g. `gridplan check` turning rules off that the
/// inputs cannot support, or tolerances changed).
geo::PlanAudit audit_plan(const Dataset& dataset, Plan& plan, const geo::AuditParams& params,
                          Progress* progress = nullptr);

/// The audit's input and parameters for a plan (what audit_plan passes to geo::audit_plan).
geo::AuditInput audit_input(const Dataset& dataset, const Plan& plan);
geo::AuditParams audit_params(const PartitionParams& params);
/// The same, with the rules the dataset cannot support turned off, as every audit of a plan on
/// a dataset applies them (`gridplan run`, `plan`, `check`, the studio): no household rules
/// without buildings. A community made from the data's extent (validation's problem
/// "community-from-extent") keeps its coverage rule here: the plan we made tiles that study
/// area, and its exported grids are checked to cover it seamlessly. `gridplan check`, which may
/// audit a district's own plan, drawn without our study area, turns that one rule off itself
/// (community_coverage_checkable); so on our own plan the run checks one rule more than check.
geo::AuditParams audit_params(const PartitionParams& params, const Dataset& dataset);
/// False when the dataset's communities were made from its extent (no community layer): a plan
/// drawn elsewhere need not cover our study area, so `gridplan check` does not check it.
bool community_coverage_checkable(const Dataset& dataset);

/// Fills Grid::metrics and Plan::metrics of a plan that did not come from make_plan (households,
/// buildings, workload, area, perimeter, compactness, bound flags, counts), then the geometric
/// metrics by audit_plan (returned). Grids without a polygon keep area 0 and compactness 0.
geo::PlanAudit fill_plan_metrics(const Dataset& dataset, Plan& plan, const PartitionParams& params,
                                 Progress* progress = nullptr);
/// The same with the audit's parameters given (household bound flags from `params`).
geo::PlanAudit fill_plan_metrics(const Dataset& dataset, Plan& plan, const PartitionParams& params,
                                 const geo::AuditParams& audit, Progress* progress = nullptr);

}  // namespace gp::evaluation
