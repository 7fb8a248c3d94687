// gridplan calibrate: fit event rates, profiles, handling minutes and per-grid multipliers to a
// department's work-order / event table and write a scenario fragment a run can include
// (docs/cli/calibrate.md). Reading is planner/io (read_table), fitting is planner/sim.

#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>

#include "planner/cli/commands.hpp"
#include "planner/core/errors.hpp"
#include "planner/io/table_reader.hpp"
#include "planner/sim/calibrate.hpp"

namespace gp::cli {

namespace {

struct CalibrateOptions {
  std::string records;
  std::string grids;
  std::string out = "calibration.toml";
  std::string start;
  double days = 365.0;
  std::string time_field = "time";
  std::string grid_field = "grid";
  std::string category_field = "category";
  std::string minutes_field = "minutes";
};

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

/// "2025-03-04 08:15[:30]" or with '/' or 'T': hours since 1970-01-01; NaN when unreadable.
double parse_time(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  std::string t = text;
  for (char& c : t)
    if (c == '/' || c == 'T') c = c == 'T' ? ' ' : '-';
  const int n = std::sscanf(t.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s);
  if (n < 3 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59)
    return NAN;
  return 24.0 * static_cast<double>(
                    days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d))) +
         h + mi / 60.0 + s / 3600.0;
}

int run_calibrate(const CalibrateOptions& o) {
  const double start_h = parse_time(o.start);
  if (!std::isfinite(start_h))
    throw ConfigError("calibrate: --start '" + o.start + "' is not a date (write 2025-01-01)");
  const io::Table grid_table = io::read_table(o.grids);
  std::map<std::string, int> households;
  for (const io::TableRow& row : grid_table.rows) {
    const auto code = row.fields.find("code");
    const auto count = row.fields.find("households");
    if (code == row.fields.end() || count == row.fields.end())
      throw InputError(o.grids + ": row " + std::to_string(row.row) +
                       " has no 'code' and 'households' (give a run's large_grids.csv)");
    households[code->second] = std::atoi(count->second.c_str());
  }
  const io::Table table = io::read_table(o.records);
  std::vector<sim::WorkRecord> records;
  std::vector<sim::RejectedRecord> unreadable;
  for (const io::TableRow& row : table.rows) {
    auto field = [&](const std::string& name) {
      const auto it = row.fields.find(name);
      return it == row.fields.end() ? std::string() : it->second;
    };
    sim::WorkRecord r;
    r.row = row.row;
    const double t = parse_time(field(o.time_field));
    if (!std::isfinite(t)) {
      unreadable.push_back({row.row, "unreadable date-time '" + field(o.time_field) + "'"});
      continue;
    }
    r.time_h = t - start_h;
    r.grid = field(o.grid_field);
    r.category = field(o.category_field);
    const std::string minutes = field(o.minutes_field);
    if (!minutes.empty()) {
      r.minutes_given = true;
      r.minutes = std::atof(minutes.c_str());
    }
    records.push_back(r);
  }
  const long long start_day = static_cast<long long>(std::floor(start_h / 24.0));
  // 1970-01-01 was a Thursday (weekday 3 with Monday = 0).
  const int weekday = static_cast<int>(((start_day % 7) + 7 + 3) % 7);
  int year = 1970;
  while (days_from_civil(year + 1, 1, 1) <= start_day) ++year;
  const int day_of_year = static_cast<int>(start_day - days_from_civil(year, 1, 1));
  sim::CalibrationResult result =
      sim::calibrate(records, households, o.days, weekday, std::min(day_of_year, 364));
  result.rejected.insert(result.rejected.begin(), unreadable.begin(), unreadable.end());

  std::printf("records: %zu rows, %lld used, %zu rejected\n", table.rows.size(), result.accepted,
              result.rejected.size());
  for (const sim::RejectedRecord& r : result.rejected)
    std::printf("  %s: row %ld: %s\n", o.records.c_str(), r.row, r.reason.c_str());
  std::printf("%-22s %8s %10s %21s %8s\n", "category", "records", "/hh/year", "95 % interval",
              "minutes");
  for (const sim::CategoryFit& fit : result.categories)
    std::printf("%-22s %8lld %10.4f %10.4f–%-10.4f %8.1f\n", fit.category.c_str(), fit.records,
                fit.per_household_per_year, fit.low, fit.high, fit.handling_minutes);
  std::printf("grid multipliers (Poisson-gamma, shape %.2f): ", result.gamma_shape);
  double low = INFINITY, high = 0.0;
  for (const sim::GridFit& g : result.grids) {
    low = std::min(low, g.multiplier);
    high = std::max(high, g.multiplier);
  }
  std::printf("%.2f … %.2f over %zu grids\n", low, high, result.grids.size());
  std::ofstream out(o.out, std::ios::binary);
  out << sim::calibration_fragment(result, o.records);
  out << "\n# Per-grid multipliers (records ÷ expected, shrunk toward 1):\n";
  for (const sim::GridFit& g : result.grids)
    out << "# " << g.grid << " " << g.records << " records, expected " << g.expected
        << ", multiplier " << g.multiplier << "\n";
  if (!out) throw OutputError(o.out + ": cannot write the fragment");
  std::printf("wrote %s (add include = [\"%s\"] to a scenario)\n", o.out.c_str(), o.out.c_str());
  return kExitOk;
}

}  // namespace

void add_calibrate_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<CalibrateOptions>();
  auto* cmd = app.add_subcommand(
      "calibrate", "Fit event rates and profiles to work-order / event records; write a fragment");
  cmd->add_option("records", options->records, "Records table (CSV or any GDAL table)")->required();
  cmd->add_option("--grids", options->grids,
                  "Large grids with code and households "
                  "(a run's large_grids.csv)")
      ->required();
  cmd->add_option("--start", options->start, "First day of the records' period, 2025-01-01")
      ->required();
  cmd->add_option("--days", options->days, "Length of the period in days")->capture_default_str();
  cmd->add_option("--out", options->out, "Scenario fragment to write")->capture_default_str();
  cmd->add_option("--time-field", options->time_field, "Date-time column")->capture_default_str();
  cmd->add_option("--grid-field", options->grid_field, "Grid code column")->capture_default_str();
  cmd->add_option("--category-field", options->category_field, "Category column")
      ->capture_default_str();
  cmd->add_option("--minutes-field", options->minutes_field, "Handling minutes column")
      ->capture_default_str();
  cmd->callback([&action, options] { action = [options] { return run_calibrate(*options); }; });
}

}  // namespace gp::cli
