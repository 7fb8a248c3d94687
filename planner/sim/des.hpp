#pragma once
// The event simulation of grid work (own discrete-event engine; docs/decisions/0006-simulation.md).
//
// Per grid, events arise per household and category as a non-homogeneous Poisson process with
// daily, weekly and monthly profiles (sampled exactly by inverting the piecewise-constant hourly
// intensity). Routine work — every RoutineComponent with its mean walk, patrol rounds, the
// workers' support work (meetings, ledgers, training: WISN category allowance) and the grid
// chief's supervision — accrues as a backlog of hours at its annual rates (monthly profiles) and
// is taken in blocks (SimulationParams::routine_block_minutes). The grid's workers (full-time /
// part-time, each with a shift pattern) take events first-come-first-served, routine blocks only
// when no event waits, never pre-empted. A worker walks to the building,
// handles the event, and escalates a share to the community (and of those a share on to the
// service centre), which take their own time (infinite-server delays).
//
// Grids are independent (workers serve only their grid; escalation has no capacity limit), so
// every (replication, grid) pair is one job with its own small future-event list and its own
// seeded generators — one for event arrivals, one for routine arrivals, one for service — and
// jobs run in parallel and are merged in (replication, grid) order: the same seed gives the
// same numbers on any number of threads, and a variant that changes only the staffing sees the
// same events (common random numbers).

#include <cstdint>
#include <string>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/core/progress.hpp"
#include "planner/partition/plan.hpp"
#include "planner/sim/params.hpp"
#include "planner/sim/stats.hpp"
#include "planner/sim/workload.hpp"

namespace gp::sim {

struct SimBuilding {
  Point location;
  double weighted_households = 0.0;  // households × workload weight: the event/visit rate weight
  /// Walking distance from the grid base (station) to the building over the network, metres;
  /// negative = unknown (then straight line from the worker's position × detour factor).
  double walk_from_base_m = -1.0;
};

struct SimGrid {
  std::string code;
  std::int32_t community = 0;  // index into the model's communities (0 when there is one)
  Point base;                  // where workers start and where patrols begin and end
  std::vector<SimBuilding> buildings;
  double patrol_route_m = 0.0;
  /// Minutes per patrol round at buildings and floors (patrol_stop_minutes), on top of the walk.
  double patrol_stop_minutes = 0.0;
  double floors = 0.0;  // Σ floors of the buildings (routine work per floor); 0 = one each
  int full_time = 1;
  int part_time = 0;
};

struct SimModel {
  std::vector<SimGrid> grids;
  int communities = 1;
};

/// A model from a plan: one SimGrid per large grid, base at its compound station when one lies
/// within its buildings' bounds (the nearest to their centroid), else the household-weighted
/// centroid. `walk_from_station_m`, when given (one value per dataset building, e.g. the coverage
/// module's distance to the nearest compound station; negative/inf = unknown), becomes each
/// building's walk from the base. Preconditions: allocation sized to plan.large_grids.
SimModel build_model(const Dataset& dataset, const Plan& plan, const WorkloadParams& workload,
                     const WorkerAllocation& allocation,
                     const std::vector<double>* walk_from_station_m = nullptr);

/// Results of one group (grid, community or the whole town), as estimates over replications.
/// Times in hours. Response = report → worker at the building; resolution = report → resolved
/// (after the community / centre when escalated).
struct GroupResult {
  Estimate events;       // events reported in the horizon
  Estimate utilisation;  // busy hours ÷ scheduled shift hours of the group's workers
  Estimate response_mean_h;
  Estimate response_median_h;
  Estimate response_p90_h;
  Estimate wait_mean_h;  // report → a worker starts (excludes walking)
  Estimate resolution_median_h;
  Estimate resolution_p90_h;
  Estimate backlog;          // events not resolved at the end of the horizon
  Estimate routine_backlog;  // hours of routine work not done at the end of the horizon
  Estimate share_in_grid;    // of events handled by a grid worker, share not escalated
  Estimate escalated_to_community;
  Estimate escalated_to_centre;
  /// Of matters with a deadline (work orders), the share answered within it; NaN when none.
  Estimate on_time_share;
};

struct WorkerResult {
  std::int32_t grid = 0;
  bool full_time = true;
  Estimate utilisation;
  Estimate events_handled;
};

struct SimResult {
  std::vector<GroupResult> grids;
  std::vector<GroupResult> communities;
  GroupResult total;
  std::vector<WorkerResult> workers;  // grid by grid; full-time first within a grid
  int replications = 0;
  std::uint64_t seed = 0;
  /// How walks were measured: "network" (every building had a walk from its base),
  /// "straight line × detour" (none had) or "mixed".
  std::string walking_distances;
  /// Scheduler actions (arrival candidates, task completions, shift starts) over all
  /// replications: the unit of the speed benchmark.
  std::uint64_t actions = 0;
};

/// Runs `params.replications` replications of `params.horizon_days`.
/// Preconditions: grid communities in [0, model.communities); categories non-empty.
SimResult simulate(const SimModel& model, const WorkloadParams& workload,
                   const SimulationParams& params, Progress* progress = nullptr);

}  // namespace gp::sim
