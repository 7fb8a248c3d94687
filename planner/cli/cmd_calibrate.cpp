// gridplan calibrate: fit event rates, profiles, handling minutes and per-grid multipliers to a
// department's work-order / event table (located by grid code or by coordinates in the plan's
// grid polygons), check the fit month by month, compare the model with observed staffing and
// time use, and write a scenario fragment a run can include (docs/cli/calibrate.md). Reading is
// planner/io, fitting planner/sim.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "planner/cli/commands.hpp"
#include "planner/core/errors.hpp"
#include "planner/io/table_reader.hpp"
#include "planner/pipeline/scenario.hpp"
#include "planner/sim/calibrate.hpp"
#include "planner/sim/workload.hpp"

namespace gp::cli {

namespace {

namespace fs = std::filesystem;

struct CalibrateOptions {
  std::string records;
  std::string layer;
  std::string grids;
  std::string plan;
  std::string plan_layer;
  std::string out = "calibration.toml";
  std::string start;
  double days = 365.0;
  std::string time_field = "time";
  std::string grid_field = "grid";
  std::string category_field = "category";
  std::string minutes_field = "minutes";
  std::string x_field;
  std::string y_field;
  std::string lon_field;
  std::string lat_field;
  std::string crs;
  std::string staffing;
  std::string time_use;
  std::string scenario;
  std::string check;
  std::uint64_t seed = 1;
  int list = 50;
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

/// The civil year and month (1..12) of a day since 1970-01-01 (Hinnant's inverse).
std::pair<long long, unsigned> civil_from_days(long long z) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<long long>(yoe) + era * 400 + (m <= 2), m};
}

/// "2025-03-04 08:15[:30]" or with '/' or 'T': hours since 1970-01-01; NaN when unreadable.
double parse_time(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  std::string t = text;
  for (char& c : t)
    if (c == '/' || c == 'T') c = c == 'T' ? ' ' : '-';
  const int n = std::sscanf(t.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s);
  if (n < 3 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 ||
      s > 60)
    return NAN;
  // No 30 February: the day must exist in its month.
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const int month_days[] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d > month_days[mo - 1]) return NAN;
  return 24.0 * static_cast<double>(
                    days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d))) +
         h + mi / 60.0 + s / 3600.0;
}

/// A whole-text number ("12.5"); NaN when empty or not a number.
double parse_number(const std::string& text) {
  if (text.empty()) return NAN;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  while (end && (*end == ' ' || *end == '\t')) ++end;
  return end && *end == '\0' ? v : NAN;
}

std::string field(const io::TableRow& row, const std::string& name) {
  const auto it = row.fields.find(name);
  return it == row.fields.end() ? std::string() : it->second;
}

bool has_column(const io::Table& table, const std::string& name) {
  return std::find(table.columns.begin(), table.columns.end(), name) != table.columns.end();
}

/// `out` with `suffix` in place of its extension: calibration.toml → calibration.months.csv.
std::string sibling(const std::string& out, const std::string& suffix) {
  fs::path p(out);
  return (p.parent_path() / (p.stem().string() + suffix)).string();
}

std::ofstream open_out(const std::string& path) {
  std::error_code ec;
  if (fs::path(path).has_parent_path()) fs::create_directories(fs::path(path).parent_path(), ec);
  std::ofstream out(path, std::ios::binary);
  if (!out) throw OutputError(path + ": cannot write (check the directory exists and is writable)");
  return out;
}

std::string csv_text(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string num(double v, int decimals) {
  if (!std::isfinite(v)) return "";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
  return buffer;
}

/// The grids: code, households and the workload inputs (from a plan's polygons and buildings, or
/// a run's large_grids.csv).
struct GridInfo {
  std::map<std::string, int> households;
  std::vector<sim::GridShape> shapes;
  std::string crs;
  std::vector<sim::GridWorkloadInput> inputs;
  int full_time = 0, part_time = 0;  // workers the plan allocated (0 when not known)
};

GridInfo read_grids(const CalibrateOptions& o) {
  GridInfo info;
  std::map<std::string, sim::GridWorkloadInput> inputs;
  if (!o.plan.empty()) {
    const io::GridPolygons polygons = io::read_grid_polygons(o.plan, o.plan_layer);
    info.crs = polygons.crs;
    for (const io::GridPolygon& g : polygons.grids) {
      if (info.households.count(g.code))
        throw InputError(o.plan + ": grid code '" + g.code + "' appears twice (feature " +
                         std::to_string(g.row) + "); codes must be unique");
      info.households[g.code] = g.households;
      info.shapes.push_back({g.code, g.shape});
      sim::GridWorkloadInput& in = inputs[g.code];
      in.code = g.code;
      in.households = g.households;
      in.weighted_households = g.households;
      in.area_m2 = area(g.shape);
      in.perimeter_m = perimeter(g.shape);
    }
    // Buildings and floors per grid from the plan's buildings layer (a run's plan.gpkg).
    try {
      const io::Table buildings = io::read_table(o.plan, "buildings");
      for (const io::TableRow& b : buildings.rows) {
        const auto it = inputs.find(field(b, "large_code"));
        const double households = parse_number(field(b, "households"));
        if (it == inputs.end() || !(households > 0)) continue;
        ++it->second.buildings;
        const double floors = parse_number(field(b, "floors"));
        it->second.floors += floors >= 1 ? floors : 1.0;
      }
      const io::Table grids =
          io::read_table(o.plan, o.plan_layer.empty() ? "large_grids" : o.plan_layer);
      for (const io::TableRow& g : grids.rows) {
        info.full_time += std::max(0, std::atoi(field(g, "full_time").c_str()));
        info.part_time += std::max(0, std::atoi(field(g, "part_time").c_str()));
      }
    } catch (const InputError&) {
      // Not a run's plan.gpkg: buildings are counted as one per 30 households below.
    }
  } else {
    const io::Table grid_table = io::read_table(o.grids);
    for (const io::TableRow& row : grid_table.rows) {
      const std::string code = field(row, "code");
      const double households = parse_number(field(row, "households"));
      if (code.empty() || !std::isfinite(households))
        throw InputError(o.grids + ": row " + std::to_string(row.row) +
                         " has no 'code' and 'households' (give a run's large_grids.csv)");
      info.households[code] = static_cast<int>(households);
      sim::GridWorkloadInput& in = inputs[code];
      in.code = code;
      in.households = static_cast<int>(households);
      in.weighted_households = households;
      in.buildings = std::max(0, std::atoi(field(row, "buildings").c_str()));
      in.floors = in.buildings;
      in.area_m2 = std::max(0.0, std::atof(field(row, "area_m2").c_str()));
      in.perimeter_m = 4.0 * std::sqrt(in.area_m2);
      info.full_time += std::max(0, std::atoi(field(row, "full_time").c_str()));
      info.part_time += std::max(0, std::atoi(field(row, "part_time").c_str()));
    }
  }
  for (auto& [code, in] : inputs) {
    if (in.buildings == 0 && in.households > 0) {
      in.buildings = std::max(1, in.households / 30);
      in.floors = in.buildings;
    }
    info.inputs.push_back(in);
  }
  return info;
}

/// Observed staffing: grid → full-time equivalents (columns grid or code; fte, or full_time and
/// part_time, or workers).
std::map<std::string, double> read_staffing(const std::string& path,
                                            const sim::WorkloadParams& workload,
                                            const std::map<std::string, int>& households) {
  const io::Table table = io::read_table(path);
  const std::string code_column = has_column(table, "grid") ? "grid" : "code";
  const double part_share =
      workload.part_time.available_hours_per_year() / workload.full_time.available_hours_per_year();
  std::map<std::string, double> fte;
  for (const io::TableRow& row : table.rows) {
    const std::string where = path + ": row " + std::to_string(row.row) + ": ";
    const std::string code = field(row, code_column);
    if (!households.count(code))
      throw InputError(where + "grid '" + code + "' is not in the plan; give the plan's codes");
    double value = NAN;
    if (has_column(table, "fte")) {
      value = parse_number(field(row, "fte"));
    } else if (has_column(table, "full_time")) {
      const double full = parse_number(field(row, "full_time"));
      const double part =
          has_column(table, "part_time") ? parse_number(field(row, "part_time")) : 0.0;
      value = full + part * part_share;
    } else if (has_column(table, "workers")) {
      value = parse_number(field(row, "workers"));
    } else {
      throw InputError(path + ": no 'fte', 'full_time' (and 'part_time') or 'workers' column");
    }
    if (!(value >= 0.0)) throw InputError(where + "the workers are not a number ≥ 0; fix the row");
    fte[code] += value;
  }
  return fte;
}

/// Observed time use: component → minutes per worker per working day.
std::map<std::string, double> read_time_use(const std::string& path) {
  const io::Table table = io::read_table(path);
  if (!has_column(table, "component") || !has_column(table, "minutes_per_day"))
    throw InputError(path + ": needs the columns 'component' and 'minutes_per_day'");
  std::map<std::string, double> observed;
  for (const io::TableRow& row : table.rows) {
    const double minutes = parse_number(field(row, "minutes_per_day"));
    if (!(minutes >= 0.0) || minutes > 24 * 60)
      throw InputError(path + ": row " + std::to_string(row.row) + ": minutes_per_day '" +
                       field(row, "minutes_per_day") + "' is not a number of minutes 0–1440");
    observed[field(row, "component")] += minutes;
  }
  return observed;
}

int run_calibrate(const CalibrateOptions& o) {
  const double start_h = parse_time(o.start);
  if (!std::isfinite(start_h))
    throw ConfigError("calibrate: --start '" + o.start + "' is not a date (write 2025-01-01)");
  if (o.plan.empty() == o.grids.empty())
    throw ConfigError(
        "calibrate: give the grids with --plan plan.gpkg (polygons, for records "
        "located by coordinates) or --grids large_grids.csv (codes only)");
  const GridInfo grids = read_grids(o);

  // Where records are: grid code, x/y or lon/lat columns, or the layer's points.
  const io::Table table = io::read_table(o.records, o.layer);
  std::string x_field = o.x_field, y_field = o.y_field, records_crs = o.crs;
  if (!o.lon_field.empty() || !o.lat_field.empty()) {
    x_field = o.lon_field;
    y_field = o.lat_field;
    if (records_crs.empty()) records_crs = "EPSG:4326";
  }
  if (x_field.empty() && y_field.empty() && !has_column(table, o.grid_field)) {
    // Common column names, when none are given.
    if (has_column(table, "lon") && has_column(table, "lat")) {
      x_field = "lon";
      y_field = "lat";
      if (records_crs.empty()) records_crs = "EPSG:4326";
    } else if (has_column(table, "x") && has_column(table, "y")) {
      x_field = "x";
      y_field = "y";
    }
  }
  if (x_field.empty() != y_field.empty())
    throw ConfigError(
        "calibrate: give both coordinate columns (--x-field and --y-field, or "
        "--lon-field and --lat-field)");
  std::string columns;
  for (const std::string& c : table.columns) columns += (columns.empty() ? "" : ", ") + c;
  for (const std::string& name : {x_field, y_field})
    if (!name.empty() && !has_column(table, name))
      throw InputError(o.records + ": no column '" + name + "' (columns: " + columns + ")");
  for (const std::string& name : {o.time_field, o.category_field})
    if (!has_column(table, name))
      throw InputError(o.records + ": no column '" + name + "' (columns: " + columns +
                       "); name it with --time-field / --category-field");
  const bool by_columns = !x_field.empty();
  bool any_point = false;
  for (const io::TableRow& row : table.rows) any_point |= row.has_point;
  const bool by_geometry = !by_columns && any_point;
  if (by_geometry && records_crs.empty()) records_crs = table.crs;
  const bool located = by_columns || by_geometry;
  const bool grid_column = has_column(table, o.grid_field);
  if (!located && !grid_column)
    throw InputError(o.records + ": no grid column '" + o.grid_field +
                     "' and no coordinates; name the columns (--grid-field, --x-field/--y-field "
                     "or --lon-field/--lat-field) or give a point layer");
  if (located && o.plan.empty())
    throw ConfigError(
        "calibrate: records located by coordinates need the grid polygons: give "
        "--plan plan.gpkg (a run's plan) instead of --grids");
  if (located && records_crs.empty())
    throw ConfigError("calibrate: " + o.records +
                      " has coordinates but no CRS; give it with --crs (e.g. EPSG:4547)");
  if (located && grids.crs.empty())
    throw InputError(o.plan + ": the grid layer has no CRS; records cannot be placed in it");
  if (!o.minutes_field.empty() && !has_column(table, o.minutes_field))
    std::printf("note: %s has no column '%s': handling minutes are not fitted\n", o.records.c_str(),
                o.minutes_field.c_str());

  std::vector<sim::WorkRecord> records;
  std::vector<sim::RejectedRecord> rejected;
  std::vector<Point> points;
  std::map<long, std::string> given;  // row → coordinates as written, for messages
  std::vector<std::size_t> point_owner;
  for (const io::TableRow& row : table.rows) {
    sim::WorkRecord r;
    r.row = row.row;
    const double t = parse_time(field(row, o.time_field));
    if (!std::isfinite(t)) {
      rejected.push_back({row.row, "unreadable date-time '" + field(row, o.time_field) + "'"});
      continue;
    }
    r.time_h = t - start_h;
    r.category = field(row, o.category_field);
    const std::string minutes = field(row, o.minutes_field);
    if (!minutes.empty()) {
      r.minutes_given = true;
      r.minutes = parse_number(minutes);
      if (std::isnan(r.minutes)) {
        rejected.push_back({row.row, "unreadable handling minutes '" + minutes + "'"});
        continue;
      }
    }
    if (grid_column) r.grid = field(row, o.grid_field);
    if (r.grid.empty() && by_columns) {
      const std::string xs = field(row, x_field), ys = field(row, y_field);
      const double x = parse_number(xs), y = parse_number(ys);
      if (!std::isfinite(x) || !std::isfinite(y)) {
        rejected.push_back({row.row, "unreadable coordinates '" + xs + "', '" + ys + "'"});
        continue;
      }
      r.has_point = true;
      r.point = {x, y};
      given[row.row] = xs + ", " + ys;
    } else if (r.grid.empty() && by_geometry) {
      if (!row.has_point) {
        rejected.push_back({row.row, row.other_geometry ? "geometry is not a point (or is empty)"
                                                        : "no grid code and no geometry"});
        continue;
      }
      r.has_point = true;
      r.point = row.point;
    }
    if (r.has_point) {
      points.push_back(r.point);
      point_owner.push_back(records.size());
    }
    records.push_back(r);
  }
  long long by_location = 0;
  if (!points.empty()) {
    const std::vector<bool> ok = io::transform_points(points, records_crs, grids.crs);
    std::vector<sim::WorkRecord> kept;
    std::vector<bool> drop(records.size(), false);
    for (std::size_t i = 0; i < points.size(); ++i) {
      sim::WorkRecord& r = records[point_owner[i]];
      if (!ok[i]) {
        rejected.push_back({r.row, "coordinates " + num(r.point.x, 6) + ", " + num(r.point.y, 6) +
                                       " cannot be transformed to the plan's CRS"});
        drop[point_owner[i]] = true;
      }
      r.point = points[i];
    }
    for (std::size_t i = 0; i < records.size(); ++i)
      if (!drop[i]) kept.push_back(std::move(records[i]));
    records = std::move(kept);
    std::vector<sim::RejectedRecord> outside = sim::locate_records(records, grids.shapes);
    for (sim::RejectedRecord& r : outside)
      if (const auto it = given.find(r.row); it != given.end())
        r.reason += "; given as " + it->second;
    rejected.insert(rejected.end(), outside.begin(), outside.end());
  }

  // The period on the calendar.
  const auto start_day = static_cast<long long>(std::floor(start_h / 24.0));
  sim::CalibrationPeriod period;
  period.days = o.days;
  period.seed = o.seed;
  period.start_weekday = static_cast<int>(((start_day % 7) + 7 + 3) % 7);  // 1970-01-01: Thu
  const auto [first_year, first_month] = civil_from_days(start_day);
  period.start_year = static_cast<int>(first_year);
  for (long long day = 0; day < static_cast<long long>(std::ceil(o.days)); ++day) {
    const auto [y, m] = civil_from_days(start_day + day);
    period.day_month.push_back(static_cast<int>((y - first_year) * 12 + (m - 1)));
  }
  (void)first_month;
  sim::CalibrationResult result = sim::calibrate(records, grids.households, period);
  {
    // Located by coordinates and used: not rejected by the fit (period, minutes, category).
    std::set<long> unused;
    for (const sim::RejectedRecord& r : result.rejected) unused.insert(r.row);
    by_location = 0;
    for (const sim::WorkRecord& r : records) by_location += r.has_point && !unused.count(r.row);
  }
  rejected.insert(rejected.end(), result.rejected.begin(), result.rejected.end());
  std::stable_sort(rejected.begin(), rejected.end(),
                   [](const auto& a, const auto& b) { return a.row < b.row; });
  result.rejected = rejected;

  // Printed summary.
  std::printf("records: %s, %zu rows: %lld used (%lld located by coordinates), %zu rejected\n",
              o.records.c_str(), table.rows.size(), result.accepted, by_location,
              result.rejected.size());
  std::map<std::string, int> reasons;
  for (const sim::RejectedRecord& r : result.rejected)
    ++reasons[r.reason.substr(0, r.reason.find_first_of("'(0123456789"))];
  for (const auto& [reason, n] : reasons) std::printf("  %6d × %s\n", n, reason.c_str());
  int listed = 0;
  for (const sim::RejectedRecord& r : result.rejected) {
    if (listed++ >= o.list) {
      std::printf("  … %zu more: see %s\n",
                  result.rejected.size() - static_cast<std::size_t>(o.list),
                  sibling(o.out, ".rejected.csv").c_str());
      break;
    }
    std::printf("  %s: row %ld: %s\n", o.records.c_str(), r.row, r.reason.c_str());
  }
  if (result.accepted == 0)
    throw InputError(o.records + ": no record could be used (" +
                     std::to_string(result.rejected.size()) +
                     " rejected, listed above); check --start, --days and the column names");
  std::printf("%-22s %8s %10s %21s %14s\n", "category", "records", "/hh/year", "95 % interval",
              "minutes ± 95 %");
  for (const sim::CategoryFit& fit : result.categories)
    std::printf("%-22s %8lld %10.4f %10.4f–%-10.4f %8s ± %-4s\n", fit.category.c_str(), fit.records,
                fit.per_household_per_year, fit.low, fit.high,
                fit.handling_minutes >= 0 ? num(fit.handling_minutes, 1).c_str() : "—",
                fit.handling_minutes >= 0 ? num(fit.minutes_half_width, 1).c_str() : "");

  // Observed against the fitted model, by month (all categories) and the worst cells.
  std::printf("observed vs fitted model by month (all categories; expected, one simulation):\n");
  std::printf("  %-8s %9s %10s %10s %8s\n", "month", "observed", "expected", "simulated", "dev %");
  std::map<std::string, std::array<double, 3>> by_month;
  int misfits = 0;
  const sim::MonthCount* worst = nullptr;
  for (const sim::MonthCount& m : result.months) {
    auto& row = by_month[m.month];
    row[0] += static_cast<double>(m.observed);
    row[1] += m.expected;
    row[2] += static_cast<double>(m.simulated);
    if (std::abs(m.z) > 3.0) ++misfits;
    if (!worst || std::abs(m.z) > std::abs(worst->z)) worst = &m;
  }
  for (const auto& [month, row] : by_month)
    std::printf("  %-8s %9.0f %10.1f %10.0f %+7.1f\n", month.c_str(), row[0], row[1], row[2],
                row[1] > 0 ? 100.0 * (row[0] - row[1]) / row[1] : 0.0);
  std::printf("  %zu month × category cells, %d with |z| > 3", result.months.size(), misfits);
  if (worst)
    std::printf(" (largest: %s %s, %lld observed against %.1f expected, z %+.1f)",
                worst->month.c_str(), worst->category.c_str(), worst->observed, worst->expected,
                worst->z);
  std::printf("\n");

  double low = INFINITY, high = 0.0;
  const sim::GridFit* top = nullptr;
  for (const sim::GridFit& g : result.grids) {
    low = std::min(low, g.multiplier);
    high = std::max(high, g.multiplier);
    if (!top || g.multiplier > top->multiplier) top = &g;
  }
  std::printf("grid multipliers (Poisson-gamma, shape α %.2f): %.2f … %.2f over %zu grids",
              result.gamma_shape, low, high, result.grids.size());
  if (top)
    std::printf("; highest %s: %lld records against %.1f expected, credibility %.2f",
                top->grid.c_str(), top->records, top->expected, top->credibility);
  std::printf("\n");

  // Hold-out: the records against another model (a scenario, or a fragment fitted on another
  // period), by category and month.
  if (!o.check.empty()) {
    const pipeline::Scenario other = pipeline::load_scenario(o.check);
    const std::vector<sim::MonthCount> cells =
        sim::check_model(result, other.evaluation.workload, grids.households, period);
    std::ofstream out = open_out(sibling(o.out, ".check.csv"));
    out << "month,category,observed,expected,simulated,deviation,z\n";
    std::map<std::string, std::array<double, 3>> by_category;
    for (const sim::MonthCount& m : cells) {
      out << m.month << "," << m.category << "," << m.observed << "," << num(m.expected, 2) << ","
          << m.simulated << "," << num(m.deviation, 2) << "," << num(m.z, 2) << "\n";
      auto& row = by_category[m.category];
      row[0] += static_cast<double>(m.observed);
      row[1] += m.expected;
      row[2] += std::abs(m.z) > 3.0 ? 1 : 0;
    }
    std::printf("records against %s (hold-out check; months in %s):\n", o.check.c_str(),
                sibling(o.out, ".check.csv").c_str());
    std::printf("  %-22s %9s %10s %8s %12s\n", "category", "observed", "expected", "dev %",
                "|z|>3 months");
    for (const auto& [category, row] : by_category)
      std::printf("  %-22s %9.0f %10.1f %+7.1f %12.0f\n", category.c_str(), row[0], row[1],
                  row[1] > 0 ? 100.0 * (row[0] - row[1]) / row[1] : 0.0, row[2]);
  }

  // The calibrated model against observed staffing and time use.
  sim::WorkloadParams base;
  if (!o.scenario.empty()) {
    pipeline::Scenario scenario = pipeline::load_scenario(o.scenario);
    base = scenario.evaluation.workload;
  }
  const sim::WorkloadParams calibrated = sim::apply_calibration(result, base);
  std::vector<sim::WorkloadEstimate> estimates;
  std::map<std::string, double> need;
  double need_total = 0.0;
  for (const sim::GridWorkloadInput& in : grids.inputs) {
    estimates.push_back(sim::estimate_workload(in, calibrated));
    need[in.code] = estimates.back().full_time_equivalents;
    need_total += need[in.code];
  }
  const double awt = calibrated.full_time.available_hours_per_year();
  double observed_fte = 0.0;
  std::string fte_source;
  if (!o.staffing.empty()) {
    const std::map<std::string, double> staff =
        read_staffing(o.staffing, calibrated, grids.households);
    std::ofstream out = open_out(sibling(o.out, ".staffing.csv"));
    out << "grid,observed_fte,modelled_fte,difference\n";
    std::vector<std::string> missing;
    for (const auto& [code, n] : need)
      if (!staff.count(code)) missing.push_back(code);
    if (!missing.empty())
      std::printf("note: %s has no row for %zu of the plan's grids (counted as 0 workers): %s%s\n",
                  o.staffing.c_str(), missing.size(), missing.front().c_str(),
                  missing.size() > 1 ? ", …" : "");
    for (const auto& [code, n] : need) {
      const auto it = staff.find(code);
      const double observed = it == staff.end() ? 0.0 : it->second;
      observed_fte += observed;
      out << csv_text(code) << "," << num(observed, 2) << "," << num(n, 2) << ","
          << num(observed - n, 2) << "\n";
    }
    fte_source = o.staffing;
    std::printf(
        "staffing: %s: %.1f FTE observed against %.1f FTE modelled need (%.2f×); per grid "
        "in %s\n",
        o.staffing.c_str(), observed_fte, need_total,
        need_total > 0 ? observed_fte / need_total : 0.0, sibling(o.out, ".staffing.csv").c_str());
  } else if (grids.full_time + grids.part_time > 0) {
    observed_fte =
        grids.full_time + grids.part_time * calibrated.part_time.available_hours_per_year() / awt;
    fte_source = "the plan's allocation";
  }
  if (!o.time_use.empty()) {
    const std::map<std::string, double> observed = read_time_use(o.time_use);
    const double workers = observed_fte > 0.0 ? observed_fte : need_total;
    if (fte_source.empty()) fte_source = "the modelled need";
    const double working_days = awt / calibrated.full_time.hours_per_day();
    std::vector<sim::ComponentHours> modelled = sim::breakdown(estimates, calibrated);
    // Meetings, ledgers and training are done by every worker employed, not by the needed ones
    // only: per worker, the category allowance of a full-time worker.
    for (sim::ComponentHours& c : modelled)
      if (c.key == "support")
        c.hours = calibrated.support_hours_per_year(calibrated.full_time) * workers;
    const std::vector<sim::TimeUseRow> rows =
        sim::compare_time_use(modelled, workers, working_days, observed);
    std::ofstream out = open_out(sibling(o.out, ".time_use.csv"));
    out << "component,label,observed_min_per_day,modelled_min_per_day,difference\n";
    std::printf(
        "time use (minutes per worker per working day, %.1f FTE from %s, %.0f days/year):\n",
        workers, fte_source.c_str(), working_days);
    std::printf("  %-28s %9s %9s %9s\n", "component", "observed", "modelled", "diff");
    double total_observed = 0.0, total_modelled = 0.0, model_total = 0.0, unmodelled = 0.0;
    for (const sim::TimeUseRow& r : rows) {
      out << csv_text(r.component) << "," << csv_text(r.label) << "," << num(r.observed, 1) << ","
          << num(r.modelled, 1) << "," << num(r.difference, 1) << "\n";
      std::printf("  %-28s %9s %9s %9s\n", r.component.c_str(), num(r.observed, 1).c_str(),
                  std::isnan(r.modelled) ? "not mod." : num(r.modelled, 1).c_str(),
                  num(r.difference, 1).c_str());
      if (std::isfinite(r.observed) && std::isfinite(r.modelled)) {
        total_observed += r.observed;
        total_modelled += r.modelled;
      }
      if (std::isfinite(r.modelled)) model_total += r.modelled;
      if (std::isnan(r.modelled)) unmodelled += r.observed;
    }
    std::printf("  %-28s %9.1f %9.1f %+9.1f\n", "surveyed and modelled", total_observed,
                total_modelled, total_observed - total_modelled);
    std::printf("  the model's whole day: %.1f min; surveyed work the model leaves out: %.1f min\n",
                model_total, unmodelled);
  }

  // Files.
  {
    std::ofstream out = open_out(o.out);
    out << sim::calibration_fragment(result, fs::path(o.records).filename().string());
    if (!out) throw OutputError(o.out + ": cannot write the fragment");
  }
  {
    std::ofstream out = open_out(sibling(o.out, ".months.csv"));
    out << "month,category,observed,expected,simulated,deviation,z\n";
    for (const sim::MonthCount& m : result.months)
      out << m.month << "," << m.category << "," << m.observed << "," << num(m.expected, 2) << ","
          << m.simulated << "," << num(m.deviation, 2) << "," << num(m.z, 2) << "\n";
  }
  {
    std::ofstream out = open_out(sibling(o.out, ".grids.csv"));
    out << "grid,households,records,expected_town_rate,credibility,shrunk,multiplier,"
           "expected_with_multiplier\n";
    for (const sim::GridFit& g : result.grids)
      out << csv_text(g.grid) << "," << g.households << "," << g.records << ","
          << num(g.expected, 2) << "," << num(g.credibility, 3) << "," << num(g.shrunk, 4) << ","
          << num(g.multiplier, 4) << "," << num(g.expected * g.multiplier, 2) << "\n";
  }
  {
    std::ofstream out = open_out(sibling(o.out, ".rejected.csv"));
    out << "file,row,reason\n";
    for (const sim::RejectedRecord& r : result.rejected)
      out << csv_text(o.records) << "," << r.row << "," << csv_text(r.reason) << "\n";
  }
  std::printf("wrote %s (add include = [\"%s\"] to a scenario), %s, %s, %s\n", o.out.c_str(),
              fs::path(o.out).filename().string().c_str(), sibling(o.out, ".months.csv").c_str(),
              sibling(o.out, ".grids.csv").c_str(), sibling(o.out, ".rejected.csv").c_str());
  return kExitOk;
}

}  // namespace

void add_calibrate_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<CalibrateOptions>();
  auto* cmd = app.add_subcommand(
      "calibrate", "Fit event rates and profiles to work-order / event records; write a fragment");
  cmd->add_option("records", options->records,
                  "Records table (CSV or any GDAL table or point layer)")
      ->required();
  cmd->add_option("--layer", options->layer, "Layer of the records file (default: the first)");
  cmd->add_option("--plan", options->plan,
                  "A run's plan.gpkg: grid polygons (large_grids) with code and households");
  cmd->add_option("--plan-layer", options->plan_layer,
                  "Grid layer of --plan (default large_grids)");
  cmd->add_option("--grids", options->grids,
                  "Instead of --plan: large grids with code and households (a run's "
                  "large_grids.csv); records must then carry a grid code");
  cmd->add_option("--start", options->start, "First day of the records' period, 2025-01-01")
      ->required();
  cmd->add_option("--days", options->days, "Length of the period in days")->capture_default_str();
  cmd->add_option("--out", options->out, "Scenario fragment to write (tables beside it)")
      ->capture_default_str();
  cmd->add_option("--time-field", options->time_field, "Date-time column")->capture_default_str();
  cmd->add_option("--grid-field", options->grid_field, "Grid code column")->capture_default_str();
  cmd->add_option("--category-field", options->category_field, "Category column")
      ->capture_default_str();
  cmd->add_option("--minutes-field", options->minutes_field, "Handling minutes column")
      ->capture_default_str();
  cmd->add_option("--x-field", options->x_field, "Easting column (records located by coordinates)");
  cmd->add_option("--y-field", options->y_field, "Northing column");
  cmd->add_option("--lon-field", options->lon_field,
                  "Longitude column (CRS EPSG:4326 unless --crs)");
  cmd->add_option("--lat-field", options->lat_field, "Latitude column");
  cmd->add_option("--crs", options->crs,
                  "CRS of the coordinates (EPSG:4547, WKT, PROJ); default: the layer's, or "
                  "EPSG:4326 for lon/lat");
  cmd->add_option("--staffing", options->staffing,
                  "Observed staffing per grid: grid, and fte or full_time/part_time or workers");
  cmd->add_option("--time-use", options->time_use,
                  "Observed time use: component, minutes_per_day (per worker per working day)");
  cmd->add_option("--scenario", options->scenario,
                  "Scenario whose workload model is calibrated (default: the built-in defaults)");
  cmd->add_option("--check", options->check,
                  "Also compare the records with this scenario's or fragment's model, month by "
                  "month (a hold-out check)");
  cmd->add_option("--seed", options->seed, "Seed of the simulated counts")->capture_default_str();
  cmd->add_option("--list", options->list, "Rejected records listed on screen (all in the CSV)")
      ->capture_default_str();
  cmd->callback([&action, options] { action = [options] { return run_calibrate(*options); }; });
}

}  // namespace gp::cli
