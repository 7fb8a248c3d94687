#pragma once
// Key figures of one plan, the numbers an organization department compares plans by: grids and
// households per grid, rule violations, compactness, worker load and response times from the
// event simulation, station coverage at the walking thresholds, stations failing rules.
// Serialised to metrics.json and read back by `gridplan compare`.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/evaluation/evaluation.hpp"
#include "planner/partition/plan.hpp"

namespace gp::report {

/// Summary of a sample. cv = standard deviation ÷ mean (population sd; 0 when mean is 0).
struct Distribution {
  int count = 0;
  double min = 0.0, mean = 0.0, max = 0.0, cv = 0.0;
};
Distribution distribution(const std::vector<double>& values);

struct PlanKpis {
  std::string name;  // scenario or run name
  long long households = 0;
  long long buildings = 0;  // buildings holding households
  int communities = 0;
  int large_grids = 0;
  int micro_grids = 0;
  Distribution large_households;  // households per large grid
  Distribution micro_households;
  int large_violations = 0;  // large grids outside their household bounds
  int micro_violations = 0;
  // Measured on the grid polygons (evaluation::audit_plan, planner/geo/plan_audit.hpp).
  int discontiguous = 0;      // grids in pieces (large + micro)
  int barrier_crossings = 0;  // grids on both sides of a hard barrier (compounds excepted)
  int compound_splits = 0;    // compounds split between large grids (allowed ones included)
  int buildings_split = 0;
  int grids_with_crumbs = 0;
  int grids_without_polygon = 0;
  int buildings_outside = 0;  // outside their micro grid's polygon (0.5 m tolerance)
  int micro_not_nested = 0;
  double coverage_gap_m2 = 0.0;
  double coverage_overlap_m2 = 0.0;
  double mean_compactness = 0.0;    // Polsby-Popper, mean over large grids
  int unplanned_buildings = 0;      // buildings with households but no grid
  long long households_moved = -1;  // vs the existing plan; -1 when there was none
  // Workers and the event simulation (NaN when not simulated).
  int full_time_workers = 0;
  int part_time_workers = 0;
  double analytic_fte = 0.0;  // analytic need, full-time equivalents
  double utilisation = NAN;   // whole town, mean over replications
  double max_grid_utilisation = NAN;
  double response_median_h = NAN;
  double response_p90_h = NAN;  // report → worker at the building, hours
  double resolution_p90_h = NAN;
  double share_in_grid = NAN;  // of events a grid worker handled, share not escalated
  int replications = 0;
  // Station coverage (any tier), per threshold.
  std::vector<double> thresholds_m;
  std::vector<double> coverage_share;
  std::string coverage_method;
  int stations = 0;
  int stations_failing_rules = 0;   // floor area unknown (the floor rule is a community figure)
  int communities_floor_short = 0;  // communities below 30 m² per 100 households, all stations
  double given_fte = NAN;           // workers given in full-time equivalents (NaN: by need)
  int large_grids_without_station = 0;
  long long households_beyond_walk = 0;
  int new_stations_suggested = 0;  // maximal covering
  long long new_station_households = 0;
  int problems_error = 0;
  int problems_warning = 0;
};

/// Computes the key figures. `evaluation` may be null (plan only). `problems` is every problem
/// of the run (input, tessellation, plan).
PlanKpis compute_kpis(const std::string& name, const Dataset& dataset, const Plan& plan,
                      const evaluation::Evaluation* evaluation, const ProblemReporter& problems,
                      bool has_existing_plan);

nlohmann::json to_json(const PlanKpis& kpis);
/// Reads what to_json wrote; missing members keep their defaults (older metrics files).
PlanKpis kpis_from_json(const nlohmann::json& json);

/// One comparable figure: its key, Chinese and English label, the value of a plan as a number
/// (NaN when unknown) and how to print it.
struct KpiRow {
  std::string key;
  std::string chinese;
  std::string english;
  int decimals = 0;
  bool percent = false;  // value is a share in [0,1], printed as %
  /// Which direction is better: -1 lower, +1 higher, 0 neither (for highlighting).
  int better = 0;
};
/// The rows compared side by side, in order.
std::vector<KpiRow> kpi_rows(const PlanKpis& any);
double kpi_value(const PlanKpis& kpis, const std::string& key);
/// "123", "45.6 %", "—" for NaN.
std::string format_kpi(double value, const KpiRow& row);

}  // namespace gp::report
