// A run's plan.gpkg read without its inputs (`gridplan check plan.gpkg`, the studio opening a run
// directory): a tower split by units between micro grids is one row per run of units in the
// buildings layer, each with the building's id and its unit_range. The loader reads those rows
// as ONE building (households of all runs, the strips joined into the footprint), and the plan
// import keeps each run in its own grids (issue 12 item 8: counts of buildings right
// everywhere). Written in WGS84 as `gridplan run` writes plan.gpkg, near Nanjing.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "io_test_support.hpp"
#include "planner/core/diagnostics.hpp"
#include "planner/io/load.hpp"
#include "planner/io/plan_import.hpp"

using namespace gp;

namespace {

std::size_t at(std::int32_t index) {
  return static_cast<std::size_t>(index);
}

/// "POLYGON((…))" of lon/lat rectangle [x0, x1] × [y0, y1] (degrees).
std::string lonlat_rect(double x0, double y0, double x1, double y1) {
  auto p = [](double x, double y) {
    char text[64];
    std::snprintf(text, sizeof text, "%.9f %.9f", x, y);
    return std::string(text);
  };
  return "POLYGON((" + p(x0, y0) + "," + p(x1, y0) + "," + p(x1, y1) + "," + p(x0, y1) + "," +
         p(x0, y0) + "))";
}

/// A tower (bid 7, 6 units) cut across its length into three runs — 50, 30 and 30 households
/// in micro grids M1, M2, M2 of large grid L1 — and an ordinary building (bid 8, 40 households,
/// no unit_range) in M1.
void write_plan(const std::string& path) {
  const double x0 = 118.7800, y0 = 32.0400, dx = 0.0001, dy = 0.0001;  // ≈ 9.4 m × 11.1 m
  std::vector<io::test::TestFeature> rows;
  const char* ranges[] = {"1-2", "3-4", "5-6"};
  const char* households[] = {"50", "30", "30"};
  const char* micro[] = {"L1M1", "L1M2", "L1M2"};
  for (int k = 0; k < 3; ++k)
    rows.push_back({lonlat_rect(x0 + k * dx, y0, x0 + (k + 1) * dx, y0 + dy),
                    {{"bid", "7"},
                     {"households", households[k]},
                     {"units", "6"},
                     {"large_code", "L1"},
                     {"micro_code", micro[k]},
                     {"unit_range", ranges[k]}}});
  rows.push_back({lonlat_rect(x0, y0 + 3 * dy, x0 + dx, y0 + 4 * dy),
                  {{"bid", "8"},
                   {"households", "40"},
                   {"units", "2"},
                   {"large_code", "L1"},
                   {"micro_code", "L1M1"}}});
  io::test::write_layer(path, "GPKG", "buildings", 4326, wkbPolygon,
                        {{"bid", OFTInteger64},
                         {"households", OFTInteger},
                         {"units", OFTInteger},
                         {"large_code", OFTString},
                         {"micro_code", OFTString},
                         {"unit_range", OFTString}},
                        rows);
}

io::LoadResult load_buildings(const std::string& path) {
  io::LoadOptions options;
  options.inputs = {{path, "buildings", io::LayerRole::buildings}};
  Progress progress;
  return io::load(options, progress);
}

const Building& by_id(const Dataset& d, std::int64_t id) {
  const auto it = std::find_if(d.buildings.begin(), d.buildings.end(),
                               [id](const Building& b) { return b.id == id; });
  REQUIRE(it != d.buildings.end());
  return *it;
}

bool reported(const ProblemReporter& problems, const std::string& kind) {
  const auto& all = problems.problems();
  return std::any_of(all.begin(), all.end(), [&](const Problem& p) { return p.kind == kind; });
}

}  // namespace

TEST_CASE("unit runs: the rows of a split tower load as one building with all its households",
          "[io][existing]") {
  io::test::TempDir dir("unit-runs");
  const std::string path = dir.file("plan.gpkg");
  write_plan(path);
  const io::LoadResult loaded = load_buildings(path);
  const Dataset& d = loaded.dataset;
  REQUIRE(d.buildings.size() == 2);
  const Building& tower = by_id(d, 7);
  CHECK(tower.households == 110);
  CHECK(by_id(d, 8).households == 40);
  // The three strips joined into one footprint of their total area (≈ 3 × 9.4 m × 11.1 m).
  CHECK(tower.footprint.size() == 1);
  CHECK(area(tower.footprint) == Approx(3 * area(by_id(d, 8).footprint)).epsilon(0.01));
  CHECK(reported(d.problems, "unit-runs-merged"));
  CHECK_FALSE(reported(d.problems, "duplicate-building-id"));
}

TEST_CASE("unit runs: the plan import keeps each run of the tower in its own grids",
          "[io][existing]") {
  io::test::TempDir dir("unit-runs-import");
  const std::string path = dir.file("plan.gpkg");
  write_plan(path);
  const io::LoadResult loaded = load_buildings(path);
  const Dataset& d = loaded.dataset;
  io::ExistingPlanSettings settings;
  settings.path = path;
  settings.layer = "buildings";
  ProblemReporter problems;
  const Plan plan = io::plan_from_table(d, settings, nullptr, problems);
  CHECK_FALSE(reported(problems, "existing-plan-unknown-building"));
  const auto tower = static_cast<std::int32_t>(&by_id(d, 7) - d.buildings.data());
  REQUIRE(plan.building_runs.size() == 3);
  int households = 0;
  for (const BuildingRun& run : plan.building_runs) {
    CHECK(run.building == tower);
    CHECK_FALSE(run.footprint.empty());  // its strip, for the audit's "inside its micro grid"
    households += run.households;
  }
  CHECK(households == 110);
  REQUIRE(plan.micro_grids.size() == 2);
  REQUIRE(plan.large_grids.size() == 1);
  // The building's own grids are those of its largest run (50 households in L1M1); both micro
  // grids list it, and the large grid lists it once beside the other building.
  CHECK(plan.micro_grids[at(plan.building_micro[at(tower)])].code == "L1M1");
  for (const Grid& g : plan.micro_grids)
    CHECK(std::count(g.buildings.begin(), g.buildings.end(), tower) == 1);
  CHECK(plan.large_grids[0].buildings.size() == 2);
}
