#include <catch2/catch.hpp>

#include <cmath>

#include "planner/core/errors.hpp"
#include "planner/core/random.hpp"
#include "planner/sim/calibrate.hpp"

using namespace gp;
using namespace gp::sim;

namespace {

/// Records from known rates: for each grid, category and hour, a Poisson count at
/// households × rate × multiplier × daily × weekly factors, over `days` days.
std::vector<WorkRecord> generate(const std::map<std::string, int>& households,
                                 const std::map<std::string, double>& multiplier,
                                 const std::vector<std::pair<std::string, double>>& rates, int days,
                                 std::uint64_t seed) {
  Rng rng(seed);
  const DailyProfile daily = kDefaultDailyProfile;
  double daily_sum = 0.0;
  for (double v : daily) daily_sum += v;
  std::vector<WorkRecord> records;
  long row = 1;
  for (const auto& [grid, n] : households)
    for (const auto& [category, rate] : rates)
      for (int hour = 0; hour < days * 24; ++hour) {
        const double weekday = (hour / 24) % 7 == 6 ? 0.5 : 1.1;  // quieter Sundays
        const double mean = n * rate * multiplier.at(grid) / 8760.0 *
                            daily[static_cast<std::size_t>(hour % 24)] * 24.0 / daily_sum *
                            weekday / (6 * 1.1 + 0.5) * 7.0;
        const auto k = rng.poisson(mean);
        for (std::uint64_t i = 0; i < k; ++i) {
          WorkRecord r;
          r.row = row++;
          r.time_h = hour + rng.uniform();
          r.grid = grid;
          r.category = category;
          r.minutes = 20.0 + 40.0 * rng.uniform();  // mean 40
          r.minutes_given = true;
          records.push_back(r);
        }
      }
  return records;
}

}  // namespace

TEST_CASE("calibration recovers known rates within their intervals and lists bad records") {
  std::map<std::string, int> households;
  std::map<std::string, double> multiplier;
  for (int g = 0; g < 40; ++g) {
    const std::string code = "G" + std::to_string(g);
    households[code] = 300 + 10 * g;
    multiplier[code] = g < 20 ? 0.7 : 1.3;  // two kinds of grid
  }
  const std::vector<std::pair<std::string, double>> rates = {
      {"livelihood_services", 0.6}, {"public_security", 0.1}, {"work_order", 0.25}};
  std::vector<WorkRecord> records = generate(households, multiplier, rates, 365, 17);
  // Bad records: an unknown grid, a date after the period, negative minutes, a category nobody
  // knows.
  WorkRecord bad = records.front();
  bad.row = 900001;
  bad.grid = "X99";
  records.push_back(bad);
  bad = records.front();
  bad.row = 900002;
  bad.time_h = 366 * 24.0;
  records.push_back(bad);
  bad = records.front();
  bad.row = 900003;
  bad.minutes = -5;
  records.push_back(bad);
  bad = records.front();
  bad.row = 900004;
  bad.category = "卫生";
  records.push_back(bad);

  const CalibrationResult result = calibrate(records, households, 365.0);
  REQUIRE(result.rejected.size() == 4);
  CHECK(result.rejected[0].row == 900001);
  CHECK(result.rejected[0].reason.find("unknown grid") != std::string::npos);
  CHECK(result.rejected[1].reason.find("outside the period") != std::string::npos);
  CHECK(result.rejected[2].reason.find("negative") != std::string::npos);
  CHECK(result.rejected[3].reason.find("unknown category") != std::string::npos);
  CHECK(result.accepted + 4 == static_cast<long long>(records.size()));

  // The town rate is the household-weighted mean multiplier × the rate.
  double weighted = 0.0, total = 0.0;
  for (const auto& [code, n] : households) {
    weighted += n * multiplier[code];
    total += n;
  }
  REQUIRE(result.categories.size() == 3);
  for (const CategoryFit& fit : result.categories) {
    double truth = 0.0;
    for (const auto& [name, rate] : rates)
      if (name == fit.category) truth = rate * weighted / total;
    INFO(fit.category << ": " << fit.per_household_per_year << " [" << fit.low << ", " << fit.high
                      << "], truth " << truth);
    CHECK(fit.low <= truth);
    CHECK(truth <= fit.high);
    CHECK(fit.handling_minutes == Approx(40.0).margin(1.5));
    // Sundays at 0.5 against 1.1 the other days; nights quieter than mornings.
    CHECK(fit.weekly[6] < 0.7 * fit.weekly[2]);
    CHECK(fit.daily[3] < 0.2 * fit.daily[9]);
  }
  // Grid multipliers: the two kinds separate, shrunk toward 1.
  double low_kind = 0.0, high_kind = 0.0;
  for (const GridFit& grid : result.grids)
    (multiplier[grid.grid] < 1.0 ? low_kind : high_kind) += grid.multiplier / 20.0;
  CHECK(low_kind < 0.85);
  CHECK(high_kind > 1.15);
  CHECK(result.gamma_shape > 0.0);

  // A grid with few records stays near the town mean: one household and no records gives a raw
  // ratio of 0, shrunk to α ÷ (E + α), close to 1.
  std::map<std::string, int> with_tiny = households;
  with_tiny["TINY"] = 1;
  const CalibrationResult tiny = calibrate(records, with_tiny, 365.0);
  for (const GridFit& grid : tiny.grids)
    if (grid.grid == "TINY") {
      CHECK(grid.records == 0);
      CHECK(grid.multiplier == Approx(tiny.gamma_shape / (grid.expected + tiny.gamma_shape)));
      CHECK(grid.multiplier > 0.85);
    }

  const std::string fragment = calibration_fragment(result, "records.csv");
  CHECK(fragment.find("[events.work_order]") != std::string::npos);
  CHECK(fragment.find("4 rejected") != std::string::npos);
  CHECK_THROWS_AS(calibrate(records, households, 0.0), ConfigError);
}
