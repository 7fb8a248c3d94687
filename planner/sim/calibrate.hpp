#pragma once
// Calibration from a department's records (work orders and events): per-category rates per
// household per year with 95 % intervals, daily / weekly / monthly profiles, mean handling
// minutes where recorded, and per-grid multipliers shrunk toward the town mean (Poisson-gamma
// empirical Bayes, i.e. credibility weighting: a grid with few records stays near 1). Records
// located by a point instead of a grid code are assigned to the grid whose polygon holds them
// (core/point_in_polygon.hpp). The fitted model is checked against the records: observed
// against expected and simulated counts by month and category. Optionally the modelled
// workload is compared with observed time use (minutes per worker per day by component) and
// observed staffing. Bad records are counted and listed with their row and reason, never
// dropped silently. The result is written as a scenario fragment (`include = [...]`). Reading
// files is planner/io's job; this is the fitting.

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "planner/core/geometry.hpp"
#include "planner/sim/params.hpp"
#include "planner/sim/workload.hpp"

namespace gp::sim {

struct WorkRecord {
  long row = 0;           // row in the source table, for messages
  double time_h = 0.0;    // hours since the period start (00:00 of its first day)
  std::string grid;       // large-grid code; empty when located by `point`
  std::string category;   // EventCategory name (to_string) or its Chinese name
  double minutes = -1.0;  // handling minutes; negative sentinel −1 = not recorded
  bool minutes_given = false;
  bool has_point = false;  // located by coordinates (in the grids' CRS, metres)
  Point point;
};

struct RejectedRecord {
  long row = 0;
  std::string reason;
};

/// A large grid's polygon for locating records, in the records' (transformed) CRS.
struct GridShape {
  std::string code;
  MultiPolygon shape;
};

/// Assigns every record with a point and no grid code to the grid whose polygon holds the point
/// (the project's half-open point-in-polygon rule, so a point on a shared edge goes to exactly
/// one grid). Records inside no grid are removed from `records` and returned, each with its
/// row and coordinates ("outside every grid").
std::vector<RejectedRecord> locate_records(std::vector<WorkRecord>& records,
                                           const std::vector<GridShape>& grids);

/// The records' period on the calendar.
struct CalibrationPeriod {
  double days = 365.0;    // length, days
  int start_weekday = 0;  // 0 = Monday
  int start_year = 2025;  // for month labels
  /// Calendar month of each day of the period as (year − start_year) × 12 + month (0..11);
  /// empty: a 365-day calendar from 1 January (then `start_day_of_year` places the start).
  std::vector<int> day_month;
  int start_day_of_year = 0;  // used only when day_month is empty
  std::uint64_t seed = 1;     // for the simulated counts
};

struct CategoryFit {
  std::string category;
  long long records = 0;
  double per_household_per_year = 0.0;
  double low = 0.0, high = 0.0;     // 95 % interval (Poisson count, Byar's approximation)
  double handling_minutes = -1.0;   // mean of the recorded minutes; −1 when none recorded
  double minutes_half_width = 0.0;  // 95 % interval of that mean: ± this (normal)
  long long timed = 0;              // records with minutes
  DailyProfile daily{};
  WeeklyProfile weekly{};
  MonthlyProfile monthly{};
};

struct GridFit {
  std::string grid;
  int households = 0;
  long long records = 0;
  double expected = 0.0;     // households × town rate × years (all categories)
  double credibility = 0.0;  // Z = E ÷ (E + α): weight of the grid's own ratio
  double shrunk = 1.0;       // Z × records/E + (1 − Z) × 1 = (records + α) ÷ (E + α)
  /// `shrunk` rescaled so that the household-weighted mean over the grids is 1: the category
  /// rates stay the town's and the multipliers only move events between grids.
  double multiplier = 1.0;
};

/// One cell of the check of the fitted model against the records.
struct MonthCount {
  std::string month;  // "2025-03"
  std::string category;
  long long observed = 0;
  double expected = 0.0;    // the fitted model's expectation over the cell's hours
  long long simulated = 0;  // one draw of the fitted model (seeded)
  double deviation = 0.0;   // observed − expected
  double z = 0.0;           // deviation ÷ √expected (Poisson); |z| > 3 is a misfit
};

struct CalibrationResult {
  std::vector<CategoryFit> categories;
  std::vector<GridFit> grids;
  double gamma_shape = 0.0;  // α of the Poisson-gamma model (large: grids alike)
  std::vector<RejectedRecord> rejected;
  long long accepted = 0;
  std::vector<MonthCount> months;  // month by month, categories in enum order within a month
};

/// `households`: large-grid code → households. Throws ConfigError when the period is not
/// positive or no grid has households.
CalibrationResult calibrate(const std::vector<WorkRecord>& records,
                            const std::map<std::string, int>& households,
                            const CalibrationPeriod& period);
/// The same on a 365-day calendar starting at `start_day_of_year` (0 = 1 January).
CalibrationResult calibrate(const std::vector<WorkRecord>& records,
                            const std::map<std::string, int>& households, double period_days,
                            int start_weekday = 0, int start_day_of_year = 0);

/// The records' months (result.months, observed) against another model — the scenario in use,
/// or a fragment fitted on another period (a hold-out check): each cell's expectation and one
/// simulated count under `model`'s categories, over households × its per-grid multipliers.
std::vector<MonthCount> check_model(const CalibrationResult& result, const WorkloadParams& model,
                                    const std::map<std::string, int>& households,
                                    const CalibrationPeriod& period);

/// `workload` with the fitted rates, minutes (where recorded), profiles and per-grid multipliers.
WorkloadParams apply_calibration(const CalibrationResult& result, WorkloadParams workload);

/// The fit as a scenario fragment: one [events.<category>] table per category with records, and
/// [events.grid_multipliers] (grid code = multiplier).
std::string calibration_fragment(const CalibrationResult& result, const std::string& source);

/// Observed time use against the model, per component, in minutes per full-time-equivalent
/// worker per working day.
struct TimeUseRow {
  std::string component;  // breakdown key ("care_visits", "event:health", …) or the name given
  std::string label;
  double observed = NAN;    // NaN: not in the survey
  double modelled = 0.0;    // NaN: the survey names a task the model does not have
  double difference = NAN;  // observed − modelled
};
/// `modelled`: the model's component hours per year (sim::breakdown); `worker_fte`: the workers
/// the hours are shared by, in full-time equivalents; `working_days`: a full-time worker's
/// working days per year; `observed`: component → minutes per worker per day. A name matches a
/// component by key, Chinese or English label, or category name ("health" = "event:health").
std::vector<TimeUseRow> compare_time_use(const std::vector<ComponentHours>& modelled,
                                         double worker_fte, double working_days,
                                         const std::map<std::string, double>& observed);

}  // namespace gp::sim
