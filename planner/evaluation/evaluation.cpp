#include "planner/evaluation/evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "planner/core/errors.hpp"
#include "planner/geo/cell_split.hpp"
#include "planner/partition/partitioner.hpp"
#include "planner/sim/network.hpp"

namespace gp::evaluation {
namespace {

std::size_t at(std::int32_t index) {
  return static_cast<std::size_t>(index);
}

/// Splits a large grid's workers over its micro grids in proportion to their workload hours.
std::vector<int> micro_shares(const Plan& plan, const std::vector<sim::WorkloadEstimate>& micro,
                              const sim::WorkerAllocation& allocation) {
  std::vector<int> workers(plan.micro_grids.size(), 0);
  std::vector<std::vector<std::size_t>> children(plan.large_grids.size());
  for (std::size_t m = 0; m < plan.micro_grids.size(); ++m)
    if (plan.micro_grids[m].parent != kNone) children[at(plan.micro_grids[m].parent)].push_back(m);
  for (std::size_t g = 0; g < plan.large_grids.size(); ++g) {
    if (children[g].empty()) continue;
    const int total = allocation.full_time[g] + allocation.part_time[g];
    std::vector<double> weights;
    for (std::size_t m : children[g]) weights.push_back(micro[m].total_hours);
    const std::vector<int> shares = sim::allocate_largest_remainder(total, weights, 0);
    for (std::size_t k = 0; k < children[g].size(); ++k) workers[children[g][k]] = shares[k];
  }
  return workers;
}

}  // namespace

Evaluation evaluate(const Dataset& dataset, const Plan& plan, const EvaluationParams& params,
                    Progress& progress) {
  Evaluation result;
  progress.update("workload", 0.0);
  {
    // Per grid (a 100k-building town has ~3k large and ~10k micro grids: about a second).
    WorkCounter grids(&progress, "workload",
                      static_cast<double>(plan.large_grids.size() + plan.micro_grids.size()));
    for (const Grid& grid : plan.large_grids) {
      result.large_workload.push_back(
          sim::estimate_workload(sim::workload_input(dataset, grid), params.workload));
      grids.add();
    }
    for (const Grid& grid : plan.micro_grids) {
      result.micro_workload.push_back(
          sim::estimate_workload(sim::workload_input(dataset, grid), params.workload, false));
      grids.add();
    }
    grids.finish();
  }

  const std::size_t large_count = plan.large_grids.size();
  if (params.full_time_workers > 0 || params.part_time_workers > 0) {
    const int total = params.full_time_workers + params.part_time_workers;
    if (static_cast<std::size_t>(total) < large_count)
      throw ConfigError("workers: " + std::to_string(total) + " workers cannot staff " +
                        std::to_string(large_count) +
                        " large grids (at least one each); raise workers.full_time / "
                        "workers.part_time or set both to 0 to staff every grid by its need");
    if (static_cast<std::size_t>(params.full_time_workers) >= large_count) {
      result.allocation = sim::allocate_workers(result.large_workload, params.full_time_workers,
                                                params.part_time_workers);
    } else {
      // Fewer full-time workers than grids (e.g. one grid chief per planned grid of a
      // published count, but the plan drew more grids): every grid gets at least one worker
      // from the whole pool, the full-time ones go to the heaviest shares.
      std::vector<double> hours;
      for (const sim::WorkloadEstimate& w : result.large_workload) hours.push_back(w.total_hours);
      const std::vector<int> all = sim::allocate_largest_remainder(total, hours, 1);
      const std::vector<int> full =
          sim::allocate_largest_remainder(params.full_time_workers, hours, 0);
      for (std::size_t g = 0; g < large_count; ++g) {
        const int f = std::min(full[g], all[g]);
        result.allocation.full_time.push_back(f);
        result.allocation.part_time.push_back(all[g] - f);
      }
    }
  } else {
    for (const sim::WorkloadEstimate& w : result.large_workload) {
      result.allocation.full_time.push_back(std::max(1, w.full_time_workers));
      result.allocation.part_time.push_back(0);
    }
  }
  result.micro_workers = micro_shares(plan, result.micro_workload, result.allocation);
  result.verdict = sim::staffing_verdict(result.large_workload, params.workload,
                                         params.full_time_workers, params.part_time_workers);
  result.workload_breakdown = sim::breakdown(result.large_workload, params.workload);
  for (std::size_t g = 0; g < large_count; ++g) {
    const int workers = result.allocation.full_time[g] + result.allocation.part_time[g];
    result.large_hours_per_worker.push_back(
        workers > 0 ? result.large_workload[g].total_hours / workers : 0.0);
  }

  progress.update("coverage", 0.1);
  const sim::WalkNetwork network =
      sim::WalkNetwork::from_lines(dataset.lines, params.coverage, &progress);
  result.coverage = sim::compute_coverage(dataset, network, params.coverage, &progress);
  result.thresholds_m = params.coverage.thresholds_m;

  // Station statistics: households served by each station within its own tier.
  result.stations.assign(dataset.stations.size(), StationStats{});
  for (StationStats& s : result.stations) s.households_within.assign(result.thresholds_m.size(), 0);
  for (int tier = 0; tier < 3; ++tier) {
    const sim::TierCoverage& coverage = result.coverage.tier(static_cast<StationTier>(tier));
    for (std::size_t b = 0; b < dataset.buildings.size() && b < coverage.station.size(); ++b) {
      const std::int32_t station = coverage.station[b];
      if (station == kNone) continue;
      const int households = dataset.buildings[b].households;
      StationStats& stats = result.stations[at(station)];
      stats.households_served += households;
      for (std::size_t t = 0; t < result.thresholds_m.size(); ++t)
        if (coverage.distance_m[b] <= result.thresholds_m[t])
          stats.households_within[t] += households;
    }
  }

  // The station of each large grid: inside it, else the nearest within the rule's distance.
  const std::vector<Point> points = sim::building_points(dataset);
  const std::vector<sim::NearestStation> nearest =
      sim::nearest_compound_stations(dataset, plan, points);
  result.large_station.assign(large_count, kNone);
  for (std::size_t g = 0; g < large_count; ++g)
    if (nearest[g].distance_m <= params.rules.station_max_distance_m)
      result.large_station[g] = nearest[g].station;

  if (params.simulate && large_count > 0) {
    progress.update("event simulation", 0.3);
    const std::vector<double>& walk =
        result.coverage.tier(StationTier::compound_station).distance_m;
    const sim::SimModel model =
        sim::build_model(dataset, plan, params.workload, result.allocation, &walk);
    result.simulation = sim::simulate(model, params.workload, params.simulation, &progress);
    if (params.sensitivity) {
      std::vector<sim::GridWorkloadInput> inputs;
      for (const Grid& grid : plan.large_grids)
        inputs.push_back(sim::workload_input(dataset, grid));
      result.sensitivity = sim::analyse_sensitivity(
          inputs, model, params.workload, params.simulation, params.target,
          params.full_time_workers, params.part_time_workers, params.sensitivity_params, &progress);
    }
  }

  progress.update("station rules", 0.8);
  result.rule_failures = sim::check_rules(dataset, plan, result.coverage, params.rules);
  for (const sim::RuleFailure& failure : result.rule_failures)
    if (failure.station != kNone && (failure.kind == sim::RuleKind::floor_area_short ||
                                     failure.kind == sim::RuleKind::floor_area_unknown))
      result.stations[at(failure.station)].fails_rule = true;

  if (params.site_stations && !dataset.buildings.empty()) {
    progress.update("station siting", 0.9);
    result.siting = sim::site_stations(dataset, result.coverage, network, {}, params.siting,
                                       params.coverage, &progress);
  }
  progress.update("evaluation", 1.0);
  return result;
}

namespace {

/// Why a grid is outside its bounds, as the plan records it ("" when it does not): the reason the
/// partition gave this very grid (read back from plan.gpkg's bounds_why by `gridplan check`). A
/// community's infeasibility messages are not a grid's reason: they name the containers that
/// could not be divided, not which of the community's grids they left outside the bounds.
std::string bounds_reason(const Grid& grid) {
  if (grid.locked) return "locked grid, kept as drawn";
  return grid.bounds_reason;
}

}  // namespace

geo::AuditInput audit_input(const Dataset& dataset, const Plan& plan) {
  geo::AuditInput input;
  auto view = [&](const Grid& g) {
    geo::AuditGrid a;
    a.level = g.level;
    a.code = g.code;
    a.name = g.name;
    a.community = g.community;
    a.parent = g.parent;
    a.polygon = &g.polygon;
    a.buildings = &g.buildings;
    a.households = g.metrics.households;
    if (g.metrics.below_min || g.metrics.above_max) a.bounds_reason = bounds_reason(g);
    return a;
  };
  for (const Grid& g : plan.large_grids) input.large.push_back(view(g));
  for (const Grid& g : plan.micro_grids) input.micro.push_back(view(g));
  input.building_large = plan.building_large;
  input.building_micro = plan.building_micro;
  input.building_large.resize(dataset.buildings.size(), kNone);
  input.building_micro.resize(dataset.buildings.size(), kNone);
  // A building split by units: each run in its own grids, at a point of its strip (the point a
  // GIS takes of the run's row in the exported buildings layer).
  for (const BuildingRun& run : plan.building_runs) {
    const Point nowhere{std::numeric_limits<double>::quiet_NaN(),
                        std::numeric_limits<double>::quiet_NaN()};
    input.runs.push_back({run.building, run.large, run.micro,
                          run.footprint.empty() ? nowhere : geo::point_on_surface(run.footprint)});
  }
  return input;
}

geo::AuditParams audit_params(const PartitionParams& params) {
  geo::AuditParams a;
  a.large = {params.large.min, params.large.max};
  a.micro = {params.micro.min, params.micro.max};
  // The barriers exactly as the tessellation cuts by them.
  const geo::TessellationParams cut = tessellation_params(params);
  a.hard_road_classes = cut.hard_road_classes;
  a.bridges_cut = cut.bridges_cut;
  return a;
}

bool community_coverage_checkable(const Dataset& dataset) {
  for (const Problem& p : dataset.problems.problems())
    if (p.kind == "community-from-extent") return false;
  return true;
}

geo::AuditParams audit_params(const PartitionParams& params, const Dataset& dataset) {
  geo::AuditParams a = audit_params(params);
  if (dataset.buildings.empty()) a.check_households = false;
  return a;
}

geo::PlanAudit audit_plan(const Dataset& dataset, Plan& plan, const PartitionParams& params,
                          Progress* progress) {
  return audit_plan(dataset, plan, audit_params(params, dataset), progress);
}

geo::PlanAudit audit_plan(const Dataset& dataset, Plan& plan, const geo::AuditParams& params,
                          Progress* progress) {
  Progress silent;
  geo::PlanAudit audit =
      geo::audit_plan(dataset, audit_input(dataset, plan), params, progress ? *progress : silent);
  for (std::size_t g = 0; g < plan.large_grids.size(); ++g) {
    GridMetrics& m = plan.large_grids[g].metrics;
    const geo::GridAudit& a = audit.large[g];
    m.contiguous = !a.in_pieces;
    m.barrier_crossings = a.crossing_allowed ? 0 : a.barrier_crossings;
    m.compound_splits = a.compound_splits;
  }
  for (std::size_t g = 0; g < plan.micro_grids.size(); ++g) {
    GridMetrics& m = plan.micro_grids[g].metrics;
    const geo::GridAudit& a = audit.micro[g];
    m.contiguous = !a.in_pieces;
    m.barrier_crossings = a.crossing_allowed ? 0 : a.barrier_crossings;
    m.compound_splits = 0;
  }
  PlanMetrics& pm = plan.metrics;
  const geo::AuditCounts& c = audit.counts;
  pm.discontiguous = c.large_in_pieces + c.micro_in_pieces;
  pm.barrier_crossings = c.large_crossing_barrier + c.micro_crossing_barrier;
  pm.compound_splits = c.compound_splits;
  pm.coverage_gap_m2 = c.coverage_gap_m2;
  pm.coverage_overlap_m2 = c.coverage_overlap_m2;
  pm.grids_with_crumbs = c.grids_with_crumbs;
  pm.grids_without_polygon = c.grids_without_polygon;
  pm.buildings_outside = c.buildings_outside;
  pm.micro_not_nested = c.micro_not_nested;
  return audit;
}

geo::PlanAudit fill_plan_metrics(const Dataset& dataset, Plan& plan, const PartitionParams& params,
                                 Progress* progress) {
  return fill_plan_metrics(dataset, plan, params, audit_params(params, dataset), progress);
}

geo::PlanAudit fill_plan_metrics(const Dataset& dataset, Plan& plan, const PartitionParams& params,
                                 const geo::AuditParams& audit, Progress* progress) {
  // A building split by units counts in each grid with the households of its runs there.
  std::map<std::tuple<GridLevel, std::int32_t, std::int32_t>, int> run_households;
  for (const BuildingRun& run : plan.building_runs) {
    run_households[{GridLevel::large, run.large, run.building}] += run.households;
    run_households[{GridLevel::micro, run.micro, run.building}] += run.households;
  }
  std::set<std::int32_t> split;
  for (const BuildingRun& run : plan.building_runs) split.insert(run.building);
  auto fill = [&](Grid& grid, const HouseholdBounds& bounds) {
    GridMetrics& m = grid.metrics;
    m = GridMetrics{};
    const auto index = static_cast<std::int32_t>(&grid - (grid.level == GridLevel::large
                                                              ? plan.large_grids.data()
                                                              : plan.micro_grids.data()));
    for (std::int32_t b : grid.buildings) {
      const Building& building = dataset.buildings[at(b)];
      int households = building.households;
      if (split.contains(b)) {
        const auto it = run_households.find({grid.level, index, b});
        households = it == run_households.end() ? 0 : it->second;
      }
      m.households += households;
      m.buildings += 1;
      m.workload += households * building.workload_weight;
    }
    m.area_m2 = area(grid.polygon);
    m.perimeter_m = perimeter(grid.polygon);
    m.compactness = polsby_popper(m.area_m2, m.perimeter_m);
    m.below_min = m.households < bounds.min;
    m.above_max = m.households > bounds.max;
  };
  PlanMetrics& pm = plan.metrics;
  pm = PlanMetrics{};
  double compactness = 0.0;
  for (Grid& g : plan.large_grids) {
    fill(g, params.large);
    pm.households += g.metrics.households;
    pm.bound_violations += (g.metrics.below_min || g.metrics.above_max) ? 1 : 0;
    compactness += g.metrics.compactness;
  }
  for (Grid& g : plan.micro_grids) {
    fill(g, params.micro);
    pm.bound_violations += (g.metrics.below_min || g.metrics.above_max) ? 1 : 0;
  }
  pm.large_grids = static_cast<int>(plan.large_grids.size());
  pm.micro_grids = static_cast<int>(plan.micro_grids.size());
  pm.mean_compactness = plan.large_grids.empty() ? 0.0 : compactness / pm.large_grids;
  // Buildings listed by more than one grid of a level (split by units in an imported table) are
  // counted once in the plan's figures above; the geometric figures come from the audit.
  return audit_plan(dataset, plan, audit, progress);
}

}  // namespace gp::evaluation
