#pragma once
// Calibration from a department's records (work orders and events): per-category rates per
// household per year with 95 % intervals, daily / weekly / monthly profiles, mean handling
// minutes where recorded, and per-grid multipliers shrunk toward the town mean (Poisson-gamma
// empirical Bayes: a grid with few records stays near 1). Bad records are counted and listed
// with their row and reason, never dropped silently. The result is written as a scenario
// fragment (`include = ["calibration.toml"]`). Reading files is planner/io's job; this is the
// fitting.

#include <map>
#include <string>
#include <vector>

#include "planner/sim/params.hpp"

namespace gp::sim {

struct WorkRecord {
  long row = 0;           // row in the source table, for messages
  double time_h = 0.0;    // hours since the period start (a Monday 00:00, 1 January)
  std::string grid;       // large-grid code
  std::string category;   // EventCategory name (to_string) or its Chinese name
  double minutes = -1.0;  // handling minutes; negative sentinel −1 = not recorded
  bool minutes_given = false;
};

struct RejectedRecord {
  long row = 0;
  std::string reason;
};

struct CategoryFit {
  std::string category;
  long long records = 0;
  double per_household_per_year = 0.0;
  double low = 0.0, high = 0.0;    // 95 % interval (Poisson, normal approximation of √count)
  double handling_minutes = -1.0;  // mean of the recorded minutes; −1 when none recorded
  DailyProfile daily{};
  WeeklyProfile weekly{};
  MonthlyProfile monthly{};
};

struct GridFit {
  std::string grid;
  long long records = 0;
  double expected = 0.0;    // households × town rate × years
  double multiplier = 1.0;  // shrunk toward 1: (records + α) ÷ (expected + α)
};

struct CalibrationResult {
  std::vector<CategoryFit> categories;
  std::vector<GridFit> grids;
  double gamma_shape = 0.0;  // α of the Poisson-gamma model (large: grids alike)
  std::vector<RejectedRecord> rejected;
  long long accepted = 0;
};

/// `households`: large-grid code → households; `period_days`: length of the records' period;
/// `start_weekday` (0 = Monday) and `start_day_of_year` (0 = 1 January) place the period's start
/// in the week and the year for the profiles. Throws ConfigError when the period is not positive
/// or no grid has households.
CalibrationResult calibrate(const std::vector<WorkRecord>& records,
                            const std::map<std::string, int>& households, double period_days,
                            int start_weekday = 0, int start_day_of_year = 0);

/// The fit as a scenario fragment: one [events.<category>] table per category with records.
std::string calibration_fragment(const CalibrationResult& result, const std::string& source);

}  // namespace gp::sim
