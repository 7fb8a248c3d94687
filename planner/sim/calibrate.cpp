#include "planner/sim/calibrate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "planner/core/errors.hpp"
#include "planner/core/point_in_polygon.hpp"
#include "planner/core/random.hpp"

namespace gp::sim {

namespace {

constexpr double kHoursPerYear = 8760.0;  // 365-day year, as the simulation

int category_index(const std::string& name) {
  for (int c = 0; c < kCategoryCount; ++c) {
    const auto category = static_cast<EventCategory>(c);
    if (name == to_string(category) || name == chinese_name(category)) return c;
  }
  return -1;
}

/// Rate per unit of exposure relative to the period's mean rate: Σ exposure × factor = Σ
/// exposure, so the profile keeps the fitted total. Entries without exposure (months outside a
/// short period) get 1: no information, no shape.
template <std::size_t N>
std::array<double, N> profile(const std::array<double, N>& counts,
                              const std::array<double, N>& exposure) {
  std::array<double, N> result{};
  double n = 0.0, e = 0.0;
  for (std::size_t i = 0; i < N; ++i) {
    n += counts[i];
    e += exposure[i];
  }
  for (std::size_t i = 0; i < N; ++i)
    result[i] = exposure[i] > 0.0 && n > 0.0 ? counts[i] / exposure[i] / (n / e) : 1.0;
  return result;
}

/// As the simulation uses a profile: scaled to mean 1 over its entries.
template <std::size_t N>
std::array<double, N> mean_one(const std::array<double, N>& profile) {
  double sum = 0.0;
  for (double v : profile) sum += std::max(v, 0.0);
  std::array<double, N> result{};
  for (std::size_t i = 0; i < N; ++i)
    result[i] = sum > 0.0 ? std::max(profile[i], 0.0) * static_cast<double>(N) / sum : 1.0;
  return result;
}

/// Calendar month key ((year − start year) × 12 + month) of each day of the period.
std::vector<int> period_months(const CalibrationPeriod& period) {
  const auto day_count = static_cast<long long>(std::ceil(period.days));
  std::vector<int> day_month = period.day_month;
  day_month.resize(std::min(day_month.size(), static_cast<std::size_t>(day_count)));
  for (auto day = static_cast<long long>(day_month.size()); day < day_count; ++day) {
    const long long d = period.start_day_of_year + day;
    day_month.push_back(static_cast<int>(d / 365) * 12 + month_of_day(d % 365));
  }
  return day_month;
}

/// The model's expected count in the month `key`: its hourly intensity — `per_hour` × daily ×
/// weekly × monthly factors, each scaled to mean 1 as the simulation scales them — summed over
/// the month's hours in the period.
double cell_expectation(double per_hour, const DailyProfile& daily_profile,
                        const WeeklyProfile& weekly_profile, const MonthlyProfile& monthly_profile,
                        int key, const std::vector<int>& day_month,
                        const CalibrationPeriod& period) {
  const auto daily = mean_one(daily_profile);
  const auto weekly = mean_one(weekly_profile);
  const auto monthly = mean_one(monthly_profile);
  const double horizon_h = period.days * 24.0;
  double expected = 0.0;
  for (std::size_t day = 0; day < day_month.size(); ++day) {
    if (day_month[day] != key) continue;
    const double length = std::min(24.0, horizon_h - 24.0 * static_cast<double>(day));
    const double day_factor = weekly[(static_cast<std::size_t>(period.start_weekday) + day) % 7] *
                              monthly[static_cast<std::size_t>(key % 12)];
    for (int h = 0; h < 24; ++h)
      expected += per_hour * day_factor * daily[static_cast<std::size_t>(h)] *
                  std::clamp(length - h, 0.0, 1.0);
  }
  return expected;
}

void set_expectation(MonthCount& m, double expected, Rng& rng) {
  m.expected = expected;
  m.simulated = static_cast<long long>(rng.poisson(expected));
  m.deviation = static_cast<double>(m.observed) - expected;
  m.z = expected > 0.0 ? m.deviation / std::sqrt(expected) : 0.0;
}

std::string fmt(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

}  // namespace

std::vector<RejectedRecord> locate_records(std::vector<WorkRecord>& records,
                                           const std::vector<GridShape>& grids) {
  std::vector<Box> boxes;
  for (const GridShape& grid : grids) {
    Box box;
    for (const Polygon& polygon : grid.shape)
      for (const Point& p : polygon.outer) box.expand(p);
    boxes.push_back(box);
  }
  std::vector<RejectedRecord> outside;
  std::vector<WorkRecord> kept;
  kept.reserve(records.size());
  for (WorkRecord& r : records) {
    if (!r.has_point || !r.grid.empty()) {
      kept.push_back(std::move(r));
      continue;
    }
    for (std::size_t g = 0; g < grids.size(); ++g) {
      const Box& b = boxes[g];
      if (r.point.x < b.min_x || r.point.x > b.max_x || r.point.y < b.min_y || r.point.y > b.max_y)
        continue;
      if (point_in_polygon(grids[g].shape, r.point)) {
        r.grid = grids[g].code;
        break;
      }
    }
    if (r.grid.empty())
      outside.push_back({r.row, "outside every grid (x " + fmt(r.point.x, 1) + ", y " +
                                    fmt(r.point.y, 1) + " in the plan's CRS)"});
    else
      kept.push_back(std::move(r));
  }
  records = std::move(kept);
  return outside;
}

CalibrationResult calibrate(const std::vector<WorkRecord>& records,
                            const std::map<std::string, int>& households, double period_days,
                            int start_weekday, int start_day_of_year) {
  CalibrationPeriod period;
  period.days = period_days;
  period.start_weekday = start_weekday;
  period.start_day_of_year = start_day_of_year;
  return calibrate(records, households, period);
}

CalibrationResult calibrate(const std::vector<WorkRecord>& records,
                            const std::map<std::string, int>& households,
                            const CalibrationPeriod& period) {
  if (!(period.days > 0.0))
    throw ConfigError("calibrate: the records' period must be positive, got " +
                      std::to_string(period.days) + " days");
  double total_households = 0.0;
  for (const auto& [code, n] : households) total_households += std::max(n, 0);
  if (total_households <= 0.0)
    throw ConfigError("calibrate: no large grid has households; check the plan given");
  const double horizon_h = period.days * 24.0;
  const double years = period.days / 365.0;
  const auto day_count = static_cast<long long>(std::ceil(period.days));
  const std::vector<int> day_month = period_months(period);
  const int first_key = day_month.front();
  const int month_cells = day_month.back() - first_key + 1;

  struct Counts {
    long long n = 0;
    double minutes = 0.0;
    double minutes_squared = 0.0;
    long long timed = 0;
    std::array<double, 24> hours{};
    std::array<double, 7> days{};
    std::array<double, 12> months{};
    std::vector<long long> by_month;
  };
  std::vector<Counts> counts(kCategoryCount);
  for (Counts& k : counts) k.by_month.assign(static_cast<std::size_t>(month_cells), 0);
  std::map<std::string, long long> per_grid;
  CalibrationResult result;
  for (const WorkRecord& r : records) {
    const int c = category_index(r.category);
    std::string reason;
    if (r.grid.empty())
      reason = "no grid code and no location";
    else if (!households.count(r.grid))
      reason = "unknown grid '" + r.grid + "'";
    else if (!(r.time_h >= 0.0 && r.time_h < horizon_h))
      reason = "date outside the period (" + fmt(r.time_h / 24.0, 1) + " days from its start, " +
               "period " + fmt(period.days, 0) + " days)";
    else if (c < 0)
      reason = "unknown category '" + r.category + "'";
    else if (r.minutes_given && !(r.minutes >= 0.0))
      reason = "negative handling minutes (" + fmt(r.minutes, 1) + ")";
    if (!reason.empty()) {
      result.rejected.push_back({r.row, reason});
      continue;
    }
    ++result.accepted;
    Counts& k = counts[static_cast<std::size_t>(c)];
    ++k.n;
    if (r.minutes_given) {
      k.minutes += r.minutes;
      k.minutes_squared += r.minutes * r.minutes;
      ++k.timed;
    }
    const auto hour = static_cast<long long>(std::floor(r.time_h));
    const long long day = hour / 24;
    const int key = day_month[static_cast<std::size_t>(day)];
    k.hours[static_cast<std::size_t>(hour % 24)] += 1;
    k.days[static_cast<std::size_t>((period.start_weekday + day) % 7)] += 1;
    k.months[static_cast<std::size_t>(key % 12)] += 1;
    ++k.by_month[static_cast<std::size_t>(key - first_key)];
    ++per_grid[r.grid];
  }
  // Exposure: hours of each hour-of-day, weekday and month in the period.
  std::array<double, 24> hour_exposure{};
  std::array<double, 7> day_exposure{};
  std::array<double, 12> month_exposure{};
  for (long long day = 0; day < day_count; ++day) {
    const double length = std::min(24.0, horizon_h - 24.0 * static_cast<double>(day));
    day_exposure[static_cast<std::size_t>((period.start_weekday + day) % 7)] += length;
    month_exposure[static_cast<std::size_t>(day_month[static_cast<std::size_t>(day)] % 12)] +=
        length;
    for (int h = 0; h < 24; ++h)
      hour_exposure[static_cast<std::size_t>(h)] += std::clamp(length - h, 0.0, 1.0);
  }
  long long total = 0;
  std::vector<int> fitted_index(kCategoryCount, -1);
  for (int c = 0; c < kCategoryCount; ++c) {
    const Counts& k = counts[static_cast<std::size_t>(c)];
    if (k.n == 0) continue;
    total += k.n;
    CategoryFit fit;
    fit.category = to_string(static_cast<EventCategory>(c));
    fit.records = k.n;
    const double scale = 1.0 / (total_households * years);
    fit.per_household_per_year = static_cast<double>(k.n) * scale;
    // 95 % interval of a Poisson count n by Byar's approximation of the exact (Garwood)
    // interval: n(1 − 1/(9n) − z/(3√n))³ … (n+1)(1 − 1/(9(n+1)) + z/(3√(n+1)))³, z = 1.96;
    // within about 1 % of the exact bounds down to n = 1 (the normal n ± z√n is not).
    const auto n = static_cast<double>(k.n);
    const double z = 1.96;
    fit.low = n * std::pow(1.0 - 1.0 / (9.0 * n) - z / (3.0 * std::sqrt(n)), 3) * scale;
    fit.high =
        (n + 1) * std::pow(1.0 - 1.0 / (9.0 * (n + 1)) + z / (3.0 * std::sqrt(n + 1)), 3) * scale;
    fit.timed = k.timed;
    if (k.timed > 0) {
      fit.handling_minutes = k.minutes / static_cast<double>(k.timed);
      // 95 % interval of the mean minutes (normal, sample standard deviation).
      if (k.timed > 1) {
        const double t = static_cast<double>(k.timed);
        const double variance = std::max(
            0.0, (k.minutes_squared - t * fit.handling_minutes * fit.handling_minutes) / (t - 1.0));
        fit.minutes_half_width = 1.96 * std::sqrt(variance / t);
      }
    }
    fit.daily = profile(k.hours, hour_exposure);
    fit.weekly = profile(k.days, day_exposure);
    fit.monthly = profile(k.months, month_exposure);
    fitted_index[static_cast<std::size_t>(c)] = static_cast<int>(result.categories.size());
    result.categories.push_back(fit);
  }

  // The fitted model against the records, month by month: the expectation sums the model's
  // hourly intensity (rate × households ÷ 8760 h × daily × weekly × monthly factors, each scaled
  // to mean 1 as the simulation scales them) over the cell's hours; the simulated count is a
  // Poisson draw of that expectation, which is how many events the simulation's
  // non-homogeneous Poisson process puts in the cell.
  Rng rng(period.seed);
  for (int cell = 0; cell < month_cells; ++cell) {
    const int key = first_key + cell;
    const std::string label = std::to_string(period.start_year + key / 12) + "-" +
                              (key % 12 < 9 ? "0" : "") + std::to_string(key % 12 + 1);
    for (int c = 0; c < kCategoryCount; ++c) {
      const int f = fitted_index[static_cast<std::size_t>(c)];
      if (f < 0) continue;
      const CategoryFit& fit = result.categories[static_cast<std::size_t>(f)];
      const double per_hour = fit.per_household_per_year * total_households / kHoursPerYear;
      MonthCount m;
      m.month = label;
      m.category = fit.category;
      m.observed = counts[static_cast<std::size_t>(c)].by_month[static_cast<std::size_t>(cell)];
      set_expectation(
          m, cell_expectation(per_hour, fit.daily, fit.weekly, fit.monthly, key, day_month, period),
          rng);
      result.months.push_back(m);
    }
  }

  // Per-grid multipliers: y_g ~ Poisson(θ_g E_g), θ_g ~ Gamma(α, α) (mean 1, variance 1/α);
  // 1/α by moments, Σ[(y − E)² − y] ÷ Σ E², clamped to a small positive value (grids alike →
  // no spread). The posterior mean (y + α) ÷ (E + α) is the credibility-weighted ratio
  // Z·y/E + (1 − Z)·1 with Z = E ÷ (E + α): a grid with few expected records keeps Z small.
  const double town_rate = static_cast<double>(total) / total_households;
  double numerator = 0.0, denominator = 0.0;
  for (const auto& [code, n] : households) {
    GridFit grid;
    grid.grid = code;
    grid.households = std::max(n, 0);
    const auto it = per_grid.find(code);
    grid.records = it == per_grid.end() ? 0 : it->second;
    grid.expected = grid.households * town_rate;
    const double y = static_cast<double>(grid.records);
    numerator += (y - grid.expected) * (y - grid.expected) - y;
    denominator += grid.expected * grid.expected;
    result.grids.push_back(grid);
  }
  const double inverse = denominator > 0.0 ? std::max(numerator / denominator, 1e-6) : 1e-6;
  result.gamma_shape = 1.0 / inverse;
  double weighted = 0.0;
  for (GridFit& grid : result.grids) {
    grid.credibility = grid.expected / (grid.expected + result.gamma_shape);
    grid.shrunk = (static_cast<double>(grid.records) + result.gamma_shape) /
                  (grid.expected + result.gamma_shape);
    weighted += grid.households * grid.shrunk;
  }
  const double mean = weighted / total_households;
  for (GridFit& grid : result.grids) grid.multiplier = mean > 0.0 ? grid.shrunk / mean : 1.0;
  return result;
}

std::vector<MonthCount> check_model(const CalibrationResult& result, const WorkloadParams& model,
                                    const std::map<std::string, int>& households,
                                    const CalibrationPeriod& period) {
  // Events per year per unit rate: households × the model's per-grid multipliers.
  double weight = 0.0;
  for (const auto& [code, n] : households) weight += std::max(n, 0) * model.event_multiplier(code);
  const std::vector<int> day_month = period_months(period);
  if (day_month.empty()) return {};
  Rng rng(period.seed);
  std::vector<MonthCount> months = result.months;
  for (MonthCount& m : months) {
    const auto c =
        std::find_if(model.categories.begin(), model.categories.end(),
                     [&](const CategoryParams& p) { return m.category == to_string(p.category); });
    // The cell's month key, from its label "YYYY-MM".
    const int key = (std::stoi(m.month.substr(0, 4)) - period.start_year) * 12 +
                    std::stoi(m.month.substr(5, 2)) - 1;
    const double expected =
        c == model.categories.end()
            ? 0.0
            : cell_expectation(c->events_per_household_per_year * weight / kHoursPerYear, c->daily,
                               c->weekly, c->monthly, key, day_month, period);
    set_expectation(m, expected, rng);
  }
  return months;
}

WorkloadParams apply_calibration(const CalibrationResult& result, WorkloadParams workload) {
  for (const CategoryFit& fit : result.categories)
    for (CategoryParams& c : workload.categories) {
      if (fit.category != to_string(c.category)) continue;
      c.events_per_household_per_year = fit.per_household_per_year;
      if (fit.handling_minutes >= 0.0) c.handling_minutes = fit.handling_minutes;
      c.daily = fit.daily;
      c.weekly = fit.weekly;
      c.monthly = fit.monthly;
    }
  for (const GridFit& grid : result.grids)
    workload.grid_event_multipliers[grid.grid] = grid.multiplier;
  return workload;
}

std::string calibration_fragment(const CalibrationResult& result, const std::string& source) {
  std::ostringstream out;
  out.precision(6);
  out << "# Written by gridplan calibrate from " << source << ": " << result.accepted
      << " records used, " << result.rejected.size() << " rejected (listed in its report).\n";
  auto array = [&](const auto& values) {
    out << "[";
    for (std::size_t i = 0; i < values.size(); ++i) out << (i ? ", " : "") << values[i];
    out << "]\n";
  };
  for (const CategoryFit& fit : result.categories) {
    out << "\n[events." << fit.category << "]\n";
    out << "per_household_per_year = " << fit.per_household_per_year << "  # 95 % interval "
        << fit.low << "–" << fit.high << ", " << fit.records << " records\n";
    if (fit.handling_minutes >= 0.0)
      out << "handling_minutes = " << fit.handling_minutes << "  # mean of " << fit.timed
          << " recorded, ± " << fmt(fit.minutes_half_width, 1) << " (95 %)\n";
    out << "daily = ";
    array(fit.daily);
    out << "weekly = ";
    array(fit.weekly);
    out << "monthly = ";
    array(fit.monthly);
    out << "source = \"fitted from " << source << "\"\n";
  }
  out << "\n# Events per grid relative to the town rate: (records + α) ÷ (expected + α) with\n"
      << "# α = " << result.gamma_shape
      << " (Poisson-gamma empirical Bayes), rescaled to a household-weighted mean of 1.\n"
      << "[events.grid_multipliers]\n";
  for (const GridFit& g : result.grids)
    out << "\"" << g.grid << "\" = " << g.multiplier << "  # " << g.records << " records, "
        << fmt(g.expected, 1) << " expected, credibility " << fmt(g.credibility, 2) << "\n";
  return out.str();
}

std::vector<TimeUseRow> compare_time_use(const std::vector<ComponentHours>& modelled,
                                         double worker_fte, double working_days,
                                         const std::map<std::string, double>& observed) {
  if (!(worker_fte > 0.0) || !(working_days > 0.0))
    throw ConfigError("calibrate: time use needs the workers (" + fmt(worker_fte, 1) +
                      " FTE) and their working days (" + fmt(working_days, 1) + ") to be positive");
  std::vector<TimeUseRow> rows;
  auto matches = [](const ComponentHours& c, const std::string& name) {
    return name == c.key || name == c.chinese || name == c.english ||
           (c.key.rfind("event:", 0) == 0 && name == c.key.substr(6)) ||
           (c.key.rfind("event:", 0) == 0 &&
            category_index(name) == category_index(c.key.substr(6)));
  };
  for (std::size_t i = 0; i < modelled.size(); ++i) {
    TimeUseRow row;
    row.component = modelled[i].key;
    row.label = modelled[i].english;
    row.modelled = modelled[i].hours * 60.0 / worker_fte / working_days;
    for (const auto& [name, minutes] : observed)
      if (matches(modelled[i], name)) {
        row.observed = std::isnan(row.observed) ? minutes : row.observed + minutes;
      }
    if (!std::isnan(row.observed)) row.difference = row.observed - row.modelled;
    rows.push_back(row);
  }
  // Survey tasks the model does not have: work the model leaves out.
  for (const auto& [name, minutes] : observed) {
    bool known = false;
    for (const ComponentHours& c : modelled) known |= matches(c, name);
    if (known) continue;
    TimeUseRow row;
    row.component = name;
    row.label = "not in the model";
    row.observed = minutes;
    row.modelled = NAN;
    row.difference = minutes;
    rows.push_back(row);
  }
  return rows;
}

}  // namespace gp::sim
