// `gridplan calibrate` end to end on the tiny town: records generated from known rates at the
// buildings' coordinates (EPSG:4547 x/y and WGS 84 lon/lat) with one grid three times as busy,
// bad rows of every kind listed by row, observed staffing and time use compared, the
// observed-vs-simulated table, and a run that includes the fragment giving the busy grid more
// events.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "planner/io/table_reader.hpp"
#include "tiny_town.hpp"

namespace fs = std::filesystem;

using namespace gp::test;

namespace {

/// Rows of a CSV the calibrate command wrote (no quoted commas in these).
std::vector<std::vector<std::string>> csv_rows(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(read(path));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream cell(line);
    for (std::string c; std::getline(cell, c, ',');) cells.push_back(c);
    rows.push_back(cells);
  }
  return rows;
}

}  // namespace

TEST_CASE("gridplan calibrate: records by coordinates, bad rows listed, multipliers used by run") {
  TinyTown town;
  const std::string base = town.path("base");
  Result r =
      run(gridplan() + " run " + town.path("tiny.toml") + " --out " + base + " --no-simulation -q");
  INFO(r.output);
  REQUIRE(r.code == 0);
  const std::map<std::string, std::string> grids_of = assignment(base + "/plan.gpkg");
  REQUIRE(grids_of.size() == 24);
  auto large = [&](int i) {
    const std::string both = grids_of.at(std::to_string(1000 + i));
    return both.substr(0, both.find('/'));
  };
  const std::string hot = large(0);  // the grid of the first building: three times as busy
  std::map<std::string, int> households;
  for (int i = 0; i < 24; ++i) households[large(i)] += 40;
  REQUIRE(households.size() >= 2);

  // Records over 2025 at the buildings' centroids (x0 + 25 + 50·col, y0 + 25 + 50·row).
  std::mt19937_64 rng(20250101);
  std::ofstream csv(town.path("records.csv"));
  csv << "time,x,y,category,minutes,grid\n";
  std::vector<gp::Point> lonlat;
  long rows = 0;
  long long generated = 0;
  for (int i = 0; i < 24; ++i) {
    const double x = 500000 + 25 + (i % 6) * 50, y = 3500000 + 25 + (i / 6) * 50;
    const double rate = 40 * 1.5 * (large(i) == hot ? 3.0 : 1.0);  // per year
    std::poisson_distribution<int> count(rate);
    const int n = count(rng);
    for (int k = 0; k < n; ++k) {
      const int day = static_cast<int>(rng() % 365);
      const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      int m = 0, d = day;
      while (d >= month_days[m]) d -= month_days[m++];
      char time[32];
      std::snprintf(time, sizeof time, "2025-%02d-%02d %02d:%02d", m + 1, d + 1,
                    8 + static_cast<int>(rng() % 10), static_cast<int>(rng() % 60));
      // Every fourth record is located in lon/lat (a second file), the rest by x/y here.
      if (k % 4 == 3) {
        lonlat.push_back({x + 3, y - 4});
        continue;
      }
      csv << time << "," << x + 3 << "," << y - 4 << ","
          << (k % 2 ? "work_order" : "livelihood_services") << "," << 30 + rng() % 31 << ",\n";
      ++rows;
      ++generated;
    }
  }
  // Bad rows, one of each kind (rows numbered after the good ones).
  csv << "2025-13-40 08:00,500030,3500030,health,30,\n"   // unreadable date
      << "2026-03-01 08:00,500030,3500030,health,30,\n"   // after the period
      << "2025-03-01 08:00,,,health,30,X99\n"             // unknown grid code
      << "2025-03-01 08:00,500030,3500030,health,-5,\n"   // negative minutes
      << "2025-03-01 08:00,abc,3500030,health,30,\n"      // unreadable coordinates
      << "2025-03-01 08:00,499000,3500030,health,30,\n";  // outside every grid
  csv.close();
  const long bad_first = rows + 1;

  std::ofstream(town.path("staffing.csv")) << [&] {
    std::string text = "grid,full_time,part_time\n";
    for (const auto& [code, n] : households) text += code + ",1,2\n";
    return text;
  }();
  std::ofstream(town.path("time_use.csv"))
      << "component,minutes_per_day\ncare_visits,60\nwork_order,40\n微信群答复,45\n";

  fs::create_directories(town.path("calib"));
  const std::string fragment = town.path("calib/calibration.toml");
  r = run(gridplan() + " calibrate " + town.path("records.csv") + " --plan " + base +
          "/plan.gpkg --start 2025-01-01 --days 365 --x-field x --y-field y --crs EPSG:4547" +
          " --staffing " + town.path("staffing.csv") + " --time-use " + town.path("time_use.csv") +
          " --check " + town.path("tiny.toml") + " --out " + fragment);
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(r.output.find(std::to_string(generated) + " used (" + std::to_string(generated) +
                      " located by coordinates), 6 rejected") != std::string::npos);
  const std::string where = town.path("records.csv") + ": row ";
  CHECK(r.output.find(where + std::to_string(bad_first) + ": unreadable date-time") !=
        std::string::npos);
  CHECK(r.output.find(where + std::to_string(bad_first + 1) + ": date outside the period") !=
        std::string::npos);
  CHECK(r.output.find(where + std::to_string(bad_first + 2) + ": unknown grid 'X99'") !=
        std::string::npos);
  CHECK(r.output.find(where + std::to_string(bad_first + 3) + ": negative handling minutes") !=
        std::string::npos);
  CHECK(r.output.find(where + std::to_string(bad_first + 4) + ": unreadable coordinates") !=
        std::string::npos);
  CHECK(r.output.find(where + std::to_string(bad_first + 5) + ": outside every grid") !=
        std::string::npos);
  CHECK(csv_rows(town.path("calib/calibration.rejected.csv")).size() == 6);
  CHECK(r.output.find("staffing: ") != std::string::npos);
  CHECK(r.output.find("微信群答复") != std::string::npos);
  CHECK(fs::exists(town.path("calib/calibration.time_use.csv")));
  // Staffing: one row per grid, 1 full-time + 2 part-time = 1 + 2 × 293 h ÷ 1,678 h ≈ 1.35 FTE.
  const auto staffing = csv_rows(town.path("calib/calibration.staffing.csv"));
  REQUIRE(staffing.size() == households.size());
  for (const auto& g : staffing) {
    CHECK(std::stod(g[1]) == Approx(1.35).margin(0.01));
    CHECK(std::stod(g[2]) > 0.5);  // the need of 280–400 households
  }
  // Time use: the survey's care visits against the model's, per worker and working day.
  bool care = false;
  for (const auto& c : csv_rows(town.path("calib/calibration.time_use.csv")))
    if (c[0] == "care_visits") {
      care = true;
      CHECK(std::stod(c[2]) == 60.0);
      CHECK(std::stod(c[3]) > 10.0);
    }
  CHECK(care);
  // Hold-out check against the defaults (work orders 0.25 a household a year; the records have
  // ≈ 0.7): far more observed than expected.
  CHECK(r.output.find("hold-out check") != std::string::npos);
  const auto check = csv_rows(town.path("calib/calibration.check.csv"));
  REQUIRE(check.size() == 24);
  double work_orders = 0, work_orders_expected = 0;
  for (const auto& m : check)
    if (m[1] == "work_order") {
      work_orders += std::stod(m[2]);
      work_orders_expected += std::stod(m[3]);
    }
  CHECK(work_orders_expected == Approx(0.25 * 960).epsilon(0.02));
  CHECK(work_orders > 2 * work_orders_expected);

  // Observed vs simulated: 12 months × 2 categories, observed summing to the records used.
  const auto months = csv_rows(town.path("calib/calibration.months.csv"));
  CHECK(months.size() == 24);
  long long observed = 0;
  double expected = 0;
  for (const auto& m : months) {
    observed += std::stoll(m[2]);
    expected += std::stod(m[3]);
  }
  CHECK(observed == generated);
  CHECK(expected == Approx(static_cast<double>(generated)).epsilon(0.03));

  // The busy grid has the highest multiplier, above 1; its records against the others'.
  const auto grids = csv_rows(town.path("calib/calibration.grids.csv"));
  std::string top;
  double top_multiplier = 0;
  for (const auto& g : grids)
    if (std::stod(g[6]) > top_multiplier) {
      top_multiplier = std::stod(g[6]);
      top = g[0];
    }
  CHECK(top == hot);
  CHECK(top_multiplier > 1.3);
  const std::string text = read(fragment);
  CHECK(text.find("[events.grid_multipliers]") != std::string::npos);
  CHECK(text.find("[events.livelihood_services]") != std::string::npos);

  // The same records in lon/lat, as a second file: located in the same grids.
  {
    std::vector<gp::Point> points = lonlat;
    gp::io::transform_points(points, "EPSG:4547", "EPSG:4326");
    std::ofstream geo(town.path("lonlat.csv"));
    geo << "time,lon,lat,category\n";
    geo.precision(10);
    for (const gp::Point& p : points)
      geo << "2025-06-01 09:00," << p.x << "," << p.y << ",health\n";
  }
  r = run(gridplan() + " calibrate " + town.path("lonlat.csv") + " --plan " + base +
          "/plan.gpkg --start 2025-01-01 --out " + town.path("calib/lonlat.toml"));
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(r.output.find(std::to_string(lonlat.size()) + " used (" + std::to_string(lonlat.size()) +
                      " located by coordinates), 0 rejected") != std::string::npos);

  // A point layer (GeoJSON in EPSG:4547, read from the layer): located without --crs; a line
  // feature is listed, not dropped.
  {
    std::ofstream layer(town.path("points.geojson"));
    layer << R"({"type":"FeatureCollection","name":"records",)" << kCrs << R"(,"features":[)";
    for (int i = 0; i < 24; ++i)
      layer << R"({"type":"Feature","properties":{"time":"2025-04-0)" << 1 + i % 9
            << R"( 10:00","category":"纠纷调解"},"geometry":{"type":"Point","coordinates":[)"
            << 500000 + 25 + (i % 6) * 50 << "," << 3500000 + 25 + (i / 6) * 50 << "]}},";
    layer
        << R"({"type":"Feature","properties":{"time":"2025-04-01 10:00","category":"health"},)"
        << R"("geometry":{"type":"LineString","coordinates":[[500030,3500030],[500040,3500040]]}}]})";
  }
  r = run(gridplan() + " calibrate " + town.path("points.geojson") + " --plan " + base +
          "/plan.gpkg --start 2025-01-01 --out " + town.path("calib/points.toml"));
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(r.output.find("24 used (24 located by coordinates), 1 rejected") != std::string::npos);
  CHECK(r.output.find("row 25: geometry is not a point") != std::string::npos);
  const auto located = csv_rows(town.path("calib/points.grids.csv"));
  long long by_grid = 0;
  for (const auto& g : located) {
    INFO(g[0]);
    CHECK(std::stoll(g[2]) == households.at(g[0]) / 40);  // one record per building
    by_grid += std::stoll(g[2]);
  }
  CHECK(by_grid == 24);

  // A run including the fragment puts more events in the busy grid (per household).
  std::ofstream(town.path("calibrated.toml"))
      << "inherits = \"tiny.toml\"\ninclude = [\"calib/calibration.toml\"]\n"
      << "[simulation]\nreplications = 3\nhorizon_days = 120\nsensitivity = false\n"
      << "[events.grid_multipliers]\n\"NOPE\" = 2.0\n";  // a code the plan lacks: a warning
  const std::string out = town.path("calibrated");
  r = run(gridplan() + " run " + town.path("calibrated.toml") + " --out " + out + " -q");
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(assignment(out + "/plan.gpkg") == grids_of);  // the same plan: the same grid codes
  const nlohmann::json metrics = nlohmann::json::parse(read(out + "/metrics.json"));
  const nlohmann::json& simulated = metrics["simulation"]["large_grids"];
  double hot_rate = 0, other_events = 0, other_households = 0;
  for (const auto& [code, n] : households) {
    const double events = simulated.at(code)["events"]["mean"].get<double>();
    if (code == hot) {
      hot_rate = events / n;
    } else {
      other_events += events;
      other_households += n;
    }
  }
  INFO("busy grid " << hot_rate << " events per household, others "
                    << other_events / other_households);
  CHECK(hot_rate > 1.5 * other_events / other_households);
  const Result diagnostics = run("ogrinfo -ro -q " + out + "/plan.gpkg diagnostics");
  CHECK(diagnostics.output.find("grid-multiplier-unknown-grid") != std::string::npos);
  CHECK(diagnostics.output.find("'NOPE'") != std::string::npos);
  // The run's own scenario.toml carries the multipliers; the report lists them.
  const std::string written = read(out + "/scenario.toml");
  CHECK(written.find("[events.grid_multipliers]") != std::string::npos);
  CHECK(written.find(hot + " = ") != std::string::npos);
  CHECK(read(out + "/report.html").find("events.grid_multipliers") != std::string::npos);
}

TEST_CASE("gridplan calibrate: records by coordinates without the plan's polygons are refused") {
  TinyTown town;
  std::ofstream(town.path("records.csv")) << "time,x,y,category\n2025-01-02 09:00,1,2,health\n";
  std::ofstream(town.path("grids.csv")) << "code,households\nA,100\n";
  const Result r = run(gridplan() + " calibrate " + town.path("records.csv") + " --grids " +
                       town.path("grids.csv") + " --start 2025-01-01 --crs EPSG:4547 --out " +
                       town.path("c.toml"));
  CHECK(r.code != 0);
  CHECK(r.output.find("--plan plan.gpkg") != std::string::npos);
  // A missing column is named with the columns there are.
  std::ofstream(town.path("dates.csv")) << "date,grid,category\n2025-01-02 09:00,A,health\n";
  const Result named =
      run(gridplan() + " calibrate " + town.path("dates.csv") + " --grids " +
          town.path("grids.csv") + " --start 2025-01-01 --out " + town.path("d.toml"));
  CHECK(named.code == 3);
  CHECK(named.output.find("dates.csv: no column 'time' (columns: date, grid, category)") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(town.path("d.toml")));
}
