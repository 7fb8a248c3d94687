#include "planner/sim/calibrate.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "planner/core/errors.hpp"

namespace gp::sim {

namespace {

int category_index(const std::string& name) {
  for (int c = 0; c < kCategoryCount; ++c) {
    const auto category = static_cast<EventCategory>(c);
    if (name == to_string(category) || name == chinese_name(category)) return c;
  }
  return -1;
}

template <std::size_t N>
std::array<double, N> profile(const std::array<double, N>& counts,
                              const std::array<double, N>& exposure) {
  // Rate per unit of exposure, normalised to mean 1 (a shape, as the parameters expect).
  std::array<double, N> result{};
  double sum = 0.0;
  for (std::size_t i = 0; i < N; ++i) {
    result[i] = exposure[i] > 0.0 ? counts[i] / exposure[i] : 0.0;
    sum += result[i];
  }
  for (double& v : result) v = sum > 0.0 ? v * static_cast<double>(N) / sum : 1.0;
  return result;
}

}  // namespace

CalibrationResult calibrate(const std::vector<WorkRecord>& records,
                            const std::map<std::string, int>& households, double period_days,
                            int start_weekday, int start_day_of_year) {
  if (!(period_days > 0.0))
    throw ConfigError("calibrate: the records' period must be positive, got " +
                      std::to_string(period_days) + " days");
  double total_households = 0.0;
  for (const auto& [code, n] : households) total_households += std::max(n, 0);
  if (total_households <= 0.0)
    throw ConfigError("calibrate: no large grid has households; check the plan given");
  const double horizon_h = period_days * 24.0;
  const double years = period_days / 365.0;

  struct Counts {
    long long n = 0;
    double minutes = 0.0;
    long long timed = 0;
    std::array<double, 24> hours{};
    std::array<double, 7> days{};
    std::array<double, 12> months{};
  };
  std::vector<Counts> counts(kCategoryCount);
  std::map<std::string, long long> per_grid;
  CalibrationResult result;
  for (const WorkRecord& r : records) {
    const int c = category_index(r.category);
    std::string reason;
    if (!households.count(r.grid))
      reason = "unknown grid '" + r.grid + "'";
    else if (!(r.time_h >= 0.0 && r.time_h < horizon_h))
      reason = "date outside the period";
    else if (c < 0)
      reason = "unknown category '" + r.category + "'";
    else if (r.minutes_given && !(r.minutes >= 0.0))
      reason = "negative handling minutes";
    if (!reason.empty()) {
      result.rejected.push_back({r.row, reason});
      continue;
    }
    ++result.accepted;
    Counts& k = counts[static_cast<std::size_t>(c)];
    ++k.n;
    if (r.minutes_given) {
      k.minutes += r.minutes;
      ++k.timed;
    }
    const auto hour = static_cast<long long>(std::floor(r.time_h));
    k.hours[static_cast<std::size_t>(hour % 24)] += 1;
    k.days[static_cast<std::size_t>((start_weekday + hour / 24) % 7)] += 1;
    k.months[static_cast<std::size_t>(month_of_day(start_day_of_year + hour / 24))] += 1;
    ++per_grid[r.grid];
  }
  // Exposure: hours of each hour-of-day, weekday and month in the period.
  std::array<double, 24> hour_exposure{};
  std::array<double, 7> day_exposure{};
  std::array<double, 12> month_exposure{};
  for (long long day = 0; 24.0 * static_cast<double>(day) < horizon_h; ++day) {
    const double length = std::min(24.0, horizon_h - 24.0 * static_cast<double>(day));
    day_exposure[static_cast<std::size_t>((start_weekday + day) % 7)] += length;
    month_exposure[static_cast<std::size_t>(month_of_day(start_day_of_year + day))] += length;
    for (int h = 0; h < static_cast<int>(std::ceil(length)); ++h)
      hour_exposure[static_cast<std::size_t>(h)] += 1;
  }
  long long total = 0;
  for (int c = 0; c < kCategoryCount; ++c) {
    const Counts& k = counts[static_cast<std::size_t>(c)];
    if (k.n == 0) continue;
    total += k.n;
    CategoryFit fit;
    fit.category = to_string(static_cast<EventCategory>(c));
    fit.records = k.n;
    const double scale = 1.0 / (total_households * years);
    fit.per_household_per_year = static_cast<double>(k.n) * scale;
    const double half = 1.96 * std::sqrt(static_cast<double>(k.n));
    fit.low = std::max(0.0, static_cast<double>(k.n) - half) * scale;
    fit.high = (static_cast<double>(k.n) + half) * scale;
    if (k.timed > 0) fit.handling_minutes = k.minutes / static_cast<double>(k.timed);
    fit.daily = profile(k.hours, hour_exposure);
    fit.weekly = profile(k.days, day_exposure);
    fit.monthly = profile(k.months, month_exposure);
    result.categories.push_back(fit);
  }
  // Per-grid multipliers: y_g ~ Poisson(θ_g E_g), θ_g ~ Gamma(α, α); 1/α by moments,
  // Σ[(y − E)² − y] ÷ Σ E², clamped to a small positive value (grids alike → no spread).
  const double town_rate = static_cast<double>(total) / total_households;
  double numerator = 0.0, denominator = 0.0;
  for (const auto& [code, n] : households) {
    GridFit grid;
    grid.grid = code;
    const auto it = per_grid.find(code);
    grid.records = it == per_grid.end() ? 0 : it->second;
    grid.expected = std::max(n, 0) * town_rate;
    const double y = static_cast<double>(grid.records);
    numerator += (y - grid.expected) * (y - grid.expected) - y;
    denominator += grid.expected * grid.expected;
    result.grids.push_back(grid);
  }
  const double inverse = denominator > 0.0 ? std::max(numerator / denominator, 1e-6) : 1e-6;
  result.gamma_shape = 1.0 / inverse;
  for (GridFit& grid : result.grids)
    grid.multiplier = (static_cast<double>(grid.records) + result.gamma_shape) /
                      (grid.expected + result.gamma_shape);
  return result;
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
    if (fit.handling_minutes >= 0.0) out << "handling_minutes = " << fit.handling_minutes << "\n";
    out << "daily = ";
    array(fit.daily);
    out << "weekly = ";
    array(fit.weekly);
    out << "monthly = ";
    array(fit.monthly);
    out << "source = \"fitted from " << source << "\"\n";
  }
  return out.str();
}

}  // namespace gp::sim
