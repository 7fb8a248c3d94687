#include <catch2/catch.hpp>

#include <cmath>

#include "planner/core/errors.hpp"
#include "planner/core/random.hpp"
#include "planner/sim/calibrate.hpp"
#include "planner/sim/des.hpp"
#include "planner/sim/workload.hpp"

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
      CHECK(grid.shrunk == Approx(tiny.gamma_shape / (grid.expected + tiny.gamma_shape)));
      CHECK(grid.credibility == Approx(grid.expected / (grid.expected + tiny.gamma_shape)));
      CHECK(grid.credibility < 0.1);  // E ≈ 1 record against α ≈ 11
      CHECK(grid.multiplier > 0.85);
    }

  const std::string fragment = calibration_fragment(result, "records.csv");
  CHECK(fragment.find("[events.work_order]") != std::string::npos);
  CHECK(fragment.find("4 rejected") != std::string::npos);
  CHECK(fragment.find("[events.grid_multipliers]") != std::string::npos);
  // The multipliers keep the town total: household-weighted mean 1.
  double mean = 0.0;
  for (const GridFit& grid : result.grids) mean += grid.households * grid.multiplier / total;
  CHECK(mean == Approx(1.0).epsilon(1e-9));
  CHECK_THROWS_AS(calibrate(records, households, 0.0), ConfigError);
}

TEST_CASE("calibration: observed against expected and simulated counts by month and category") {
  std::map<std::string, int> households;
  std::map<std::string, double> multiplier;
  for (int g = 0; g < 12; ++g) {
    const std::string code = "G" + std::to_string(g);
    households[code] = 400 + 25 * g;
    multiplier[code] = 1.0;
  }
  const std::vector<std::pair<std::string, double>> rates = {{"health", 0.4}, {"work_order", 0.3}};
  const std::vector<WorkRecord> records = generate(households, multiplier, rates, 365, 29);
  CalibrationPeriod period;
  period.days = 365;
  period.seed = 5;
  const CalibrationResult result = calibrate(records, households, period);
  REQUIRE(result.months.size() == 12 * 2);
  CHECK(result.months.front().month == "2025-01");
  CHECK(result.months.back().month == "2025-12");
  std::map<std::string, long long> observed;
  std::map<std::string, double> expected, simulated;
  int misfits = 0;
  for (const MonthCount& m : result.months) {
    observed[m.category] += m.observed;
    expected[m.category] += m.expected;
    simulated[m.category] += static_cast<double>(m.simulated);
    CHECK(m.deviation == Approx(static_cast<double>(m.observed) - m.expected));
    if (std::abs(m.z) > 3.0) ++misfits;
  }
  CHECK(misfits <= 1);  // flat months: the fitted model reproduces every month
  for (const CategoryFit& fit : result.categories) {
    INFO(fit.category);
    CHECK(observed[fit.category] == fit.records);
    // The fitted model's expectation reproduces the total (up to the product of the profiles).
    CHECK(expected[fit.category] == Approx(static_cast<double>(fit.records)).epsilon(0.02));
    // One simulation of it lies within 4 standard deviations of its expectation.
    CHECK(std::abs(simulated[fit.category] - expected[fit.category]) <
          4.0 * std::sqrt(expected[fit.category]));
  }
  // Same seed, same simulated counts.
  const CalibrationResult again = calibrate(records, households, period);
  for (std::size_t i = 0; i < result.months.size(); ++i)
    CHECK(again.months[i].simulated == result.months[i].simulated);
}

TEST_CASE("calibration over a short period keeps the annual rate and the months' counts") {
  // 90 days from 1 March: the months outside the period have no information and stay at 1; the
  // fitted annual rate, applied with the fitted profiles, gives back the observed counts.
  std::map<std::string, int> households{{"A", 2000}, {"B", 3000}};
  std::map<std::string, double> multiplier{{"A", 1.0}, {"B", 1.0}};
  std::vector<WorkRecord> records =
      generate(households, multiplier, {{"livelihood_services", 0.8}}, 90, 3);
  CalibrationPeriod period;
  period.days = 90;
  period.start_day_of_year = 59;  // 1 March in a 365-day year
  const CalibrationResult result = calibrate(records, households, period);
  REQUIRE(result.categories.size() == 1);
  const CategoryFit& fit = result.categories[0];
  CHECK(fit.low <= 0.8);
  CHECK(0.8 <= fit.high);
  CHECK(fit.monthly[0] == 1.0);  // January: outside the period
  REQUIRE(result.months.size() == 3);
  CHECK(result.months[0].month == "2025-03");
  double expected = 0.0;
  for (const MonthCount& m : result.months) {
    expected += m.expected;
    CHECK(std::abs(m.z) < 4.0);
  }
  CHECK(expected == Approx(static_cast<double>(fit.records)).epsilon(0.03));
}

TEST_CASE("records located by coordinates go to the grid whose polygon holds them") {
  // Two 100 m squares side by side (EPSG:4547-like metres): West [0,100]², East [100,200]×[0,100].
  auto square = [](double x0) {
    Polygon p;
    p.outer = {{x0, 0}, {x0 + 100, 0}, {x0 + 100, 100}, {x0, 100}, {x0, 0}};
    return MultiPolygon{p};
  };
  const std::vector<GridShape> grids = {{"W", square(0)}, {"E", square(100)}};
  std::vector<WorkRecord> records;
  auto at = [&](long row, double x, double y) {
    WorkRecord r;
    r.row = row;
    r.category = "health";
    r.has_point = true;
    r.point = {x, y};
    records.push_back(r);
  };
  at(1, 50, 50);    // West
  at(2, 150, 50);   // East
  at(3, 100, 50);   // on the shared edge: exactly one (the half-open rule: the one to its right)
  at(4, 250, 50);   // outside both
  at(5, -0.5, 99);  // outside, just left of West
  WorkRecord coded;
  coded.row = 6;
  coded.grid = "W";  // a grid code wins over no point
  records.push_back(coded);
  const std::vector<RejectedRecord> outside = locate_records(records, grids);
  REQUIRE(outside.size() == 2);
  CHECK(outside[0].row == 4);
  CHECK(outside[0].reason.find("outside every grid") != std::string::npos);
  CHECK(outside[0].reason.find("250.0") != std::string::npos);
  CHECK(outside[1].row == 5);
  REQUIRE(records.size() == 4);
  CHECK(records[0].grid == "W");
  CHECK(records[1].grid == "E");
  CHECK(records[2].grid == "E");
  CHECK(records[3].grid == "W");
}

TEST_CASE("per-grid multipliers scale a grid's events in the workload model and the simulation") {
  WorkloadParams workload;
  workload.grid_event_multipliers["HOT"] = 3.0;
  GridWorkloadInput input;
  input.households = 1000;
  input.weighted_households = 1000;
  input.buildings = 10;
  input.floors = 60;
  input.area_m2 = 200000;
  input.perimeter_m = 1800;
  input.code = "COLD";
  const WorkloadEstimate cold = estimate_workload(input, workload);
  input.code = "HOT";
  const WorkloadEstimate hot = estimate_workload(input, workload);
  CHECK(hot.events_per_year == Approx(3.0 * cold.events_per_year));
  for (std::size_t c = 0; c < cold.event_hours.size(); ++c)
    CHECK(hot.event_hours[c] == Approx(3.0 * cold.event_hours[c]));

  SimModel model;
  for (const char* code : {"COLD", "HOT"}) {
    SimGrid grid;
    grid.code = code;
    grid.buildings.push_back({{0.0, 0.0}, 500.0, -1.0});
    grid.full_time = 3;
    model.grids.push_back(grid);
  }
  SimulationParams params;
  params.replications = 3;
  params.horizon_days = 60;
  params.routine_work = false;
  const SimResult result = simulate(model, workload, params);
  const double ratio = result.grids[1].events.mean / result.grids[0].events.mean;
  INFO("HOT " << result.grids[1].events.mean << ", COLD " << result.grids[0].events.mean);
  CHECK(ratio == Approx(3.0).epsilon(0.1));

  // apply_calibration carries the fitted multipliers into the parameters.
  CalibrationResult fitted;
  fitted.grids.push_back({"HOT", 500, 30, 10.0, 0.5, 2.0, 1.8});
  const WorkloadParams applied = apply_calibration(fitted, WorkloadParams{});
  CHECK(applied.event_multiplier("HOT") == Approx(1.8));
  CHECK(applied.event_multiplier("OTHER") == 1.0);
}

TEST_CASE("observed time use against the modelled workload, per component") {
  // 2 FTE, 200 working days: 400 worker-days. 8,000 h of care visits = 1,200 min per worker-day.
  const std::vector<ComponentHours> modelled = {
      {"care_visits", "关爱对象走访", "care-target visits", 8000.0},
      {"event:health", "事件: 医疗卫生", "events: health", 400.0},
      {"patrol", "巡查", "patrol rounds", 0.0}};
  const std::map<std::string, double> observed = {
      {"care_visits", 1000.0}, {"health", 90.0}, {"WeChat groups", 45.0}};
  const std::vector<TimeUseRow> rows = compare_time_use(modelled, 2.0, 200.0, observed);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].modelled == Approx(1200.0));
  CHECK(rows[0].difference == Approx(-200.0));
  CHECK(rows[1].modelled == Approx(60.0));
  CHECK(rows[1].observed == Approx(90.0));  // "health" matches the event category
  CHECK(std::isnan(rows[2].observed));      // patrol: not in the survey
  CHECK(std::isnan(rows[2].difference));
  CHECK(rows[3].component == "WeChat groups");  // work the model leaves out
  CHECK(std::isnan(rows[3].modelled));
  CHECK(rows[3].difference == Approx(45.0));
  CHECK_THROWS_AS(compare_time_use(modelled, 0.0, 200.0, observed), ConfigError);
}

TEST_CASE("calibration: a model with the wrong rate fails the month-by-month check") {
  // Records at 0.4 a year checked against a model at 0.4 (fits) and one at 0.6 (does not).
  std::map<std::string, int> households{{"A", 3000}, {"B", 2000}};
  std::map<std::string, double> multiplier{{"A", 1.0}, {"B", 1.0}};
  const std::vector<WorkRecord> records =
      generate(households, multiplier, {{"health", 0.4}}, 365, 41);
  const CalibrationResult result = calibrate(records, households, CalibrationPeriod{});
  WorkloadParams right;
  for (CategoryParams& c : right.categories)
    if (c.category == EventCategory::health) {
      c.events_per_household_per_year = 0.4;
      c.daily = kDefaultDailyProfile;  // the generator's shape
      c.weekly = {1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 0.5};
      c.monthly = kFlatMonthlyProfile;
    }
  WorkloadParams wrong = right;
  for (CategoryParams& c : wrong.categories)
    if (c.category == EventCategory::health) c.events_per_household_per_year = 0.6;
  auto tally = [&](const WorkloadParams& model) {
    double observed = 0, expected = 0;
    int misfits = 0;
    for (const MonthCount& m : check_model(result, model, households, CalibrationPeriod{})) {
      REQUIRE(m.category == "health");
      observed += static_cast<double>(m.observed);
      expected += m.expected;
      misfits += std::abs(m.z) > 3.0 ? 1 : 0;
    }
    return std::make_tuple(observed, expected, misfits);
  };
  const auto [observed, expected, misfits] = tally(right);
  CHECK(expected == Approx(0.4 * 5000).epsilon(0.01));
  CHECK(std::abs(observed - expected) < 4 * std::sqrt(expected));
  CHECK(misfits <= 1);
  const auto [observed_wrong, expected_wrong, misfits_wrong] = tally(wrong);
  CHECK(expected_wrong == Approx(0.6 * 5000).epsilon(0.01));
  CHECK(misfits_wrong >= 10);  // ≈ 167 a month against ≈ 250: z ≈ −5 in every month
  // The per-grid multipliers of the model count: doubling grid A's events raises the expectation.
  WorkloadParams busy = right;
  busy.grid_event_multipliers["A"] = 2.0;
  CHECK(std::get<1>(tally(busy)) == Approx(0.4 * 8000).epsilon(0.01));
}

TEST_CASE("calibration intervals: a small count against the exact Poisson bounds, minutes") {
  // 4 records in a year over 1,000 households: the exact (Garwood) 95 % bounds of the count are
  // χ²(0.025; 8)/2 = 1.0899 and χ²(0.975; 10)/2 = 10.2416.
  std::map<std::string, int> households{{"A", 1000}};
  std::vector<WorkRecord> records;
  for (int i = 0; i < 4; ++i) {
    WorkRecord r;
    r.row = i + 1;
    r.time_h = 1000.0 * i + 10.0;
    r.grid = "A";
    r.category = "dispute_mediation";
    r.minutes = 60.0 + 20.0 * i;  // 60, 80, 100, 120: mean 90, sd 25.82
    r.minutes_given = true;
    records.push_back(r);
  }
  const CalibrationResult result = calibrate(records, households, 365.0);
  REQUIRE(result.categories.size() == 1);
  const CategoryFit& fit = result.categories[0];
  CHECK(fit.per_household_per_year == Approx(0.004));
  CHECK(fit.low * 1000 == Approx(1.0899).epsilon(0.02));
  CHECK(fit.high * 1000 == Approx(10.2416).epsilon(0.01));
  CHECK(fit.handling_minutes == Approx(90.0));
  CHECK(fit.minutes_half_width == Approx(1.96 * 25.81989 / 2.0).epsilon(1e-4));
}
