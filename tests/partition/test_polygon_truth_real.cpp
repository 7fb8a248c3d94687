// Polygon truth on the plans users receive (issue 12), by geometry: every grid one polygon,
// every building inside its micro grid, micro grids nested in their large grid, each community
// tiled, nothing lost; and re-planning an unchanged town from its own plan moves no household.
// On the real OSM extracts in ../shared/data (skipped when absent) and on the demo town.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "planner/geo/cell_split.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/own_footprint.hpp"
#include "planner/geo/tessellation.hpp"
#include "planner/io/export.hpp"
#include "planner/io/load.hpp"
#include "planner/io/plan_import.hpp"
#include "planner/partition/partition_internal.hpp"
#include "planner/partition/partitioner.hpp"
#include "planner/report/layers.hpp"

using namespace gp;

namespace {

struct Planned {
  Dataset dataset;
  geo::Tessellation tessellation;
  Plan plan;
};

Planned plan_file(const std::string& path, const std::function<void(Dataset&)>& change = {}) {
  Planned out;
  io::LoadOptions load;
  load.inputs.push_back({path, "", {}});
  Progress progress;
  out.dataset = io::load_dataset(load, progress);
  if (change) change(out.dataset);
  const PartitionParams params;
  out.tessellation = geo::tessellate(out.dataset, tessellation_params(params), progress);
  out.plan = make_plan(out.dataset, out.tessellation, params, progress);
  return out;
}

/// Polygons GEOS makes of a grid's shape (a shape of two pieces joined at a point stays two).
int parts(geo::GeosContext& ctx, const MultiPolygon& shape) {
  if (shape.empty()) return 0;
  geo::GeomPtr g = geo::to_geos(ctx, shape);
  geo::GeomPtr u = geo::own(ctx, GEOSUnaryUnion_r(ctx.handle(), g.get()), "union");
  return GEOSGetNumGeometries_r(ctx.handle(), u.get());
}

bool covers(geo::GeosContext& ctx, const MultiPolygon& shape, const Point& p) {
  if (shape.empty()) return false;
  geo::GeomPtr g = geo::to_geos(ctx, shape);
  geo::GeomPtr q = geo::to_geos(ctx, p);
  return GEOSIntersects_r(ctx.handle(), g.get(), q.get()) == 1;
}

double distance_to(geo::GeosContext& ctx, const MultiPolygon& shape, const Point& p) {
  if (shape.empty()) return INFINITY;
  geo::GeomPtr g = geo::to_geos(ctx, shape);
  geo::GeomPtr q = geo::to_geos(ctx, p);
  double d = 0.0;
  GEOSDistance_r(ctx.handle(), g.get(), q.get(), &d);
  return d;
}

/// Grids in pieces and buildings outside their micro grid, where a real extract still has some
/// (see docs/decisions/0008-polygon-truth.md, "Left"): the test fails when there are more.
struct Allowed {
  int in_pieces = 0;
  int outside = 0;
};

/// The invariants of issue 12 item 1 and item 8 on a plan.
void check_polygon_truth(const Dataset& dataset, const Plan& plan, Allowed allowed = {}) {
  geo::GeosContext ctx;
  int without_polygon = 0, in_pieces = 0;
  for (const std::vector<Grid>* level : {&plan.large_grids, &plan.micro_grids})
    for (const Grid& g : *level) {
      const int n = parts(ctx, g.polygon);
      without_polygon += n == 0 ? 1 : 0;
      in_pieces += n > 1 ? 1 : 0;
      if (n > 1) WARN("grid " << g.code << " is " << n << " polygons");
    }
  CHECK(without_polygon == 0);
  CHECK(in_pieces <= allowed.in_pieces);
  // Every building with a community is in exactly one micro grid, and lies in it: its
  // representative point (GEOS PointOnSurface, as a GIS takes it) is inside the grid's polygon
  // or within 0.5 m of it (the audit's and check_plan.py's tolerance).
  // A building split by units is checked run by run below.
  std::set<std::int32_t> split;
  for (const BuildingRun& run : plan.building_runs) split.insert(run.building);
  int unlisted = 0, outside = 0;
  // A building overlapped by smaller footprints (a podium under its tower) by its own part.
  std::vector<const MultiPolygon*> footprints;
  for (const Building& building : dataset.buildings) footprints.push_back(&building.footprint);
  const std::vector<MultiPolygon> own = geo::own_footprints(footprints);
  for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
    if (dataset.buildings[b].community == kNone) continue;
    const std::int32_t m = plan.building_micro[b];
    if (m == kNone) {
      ++unlisted;
      continue;
    }
    if (split.contains(std::int32_t(b))) continue;
    if (distance_to(ctx, plan.micro_grids[std::size_t(m)].polygon,
                    geo::point_on_surface(own[b].empty() ? dataset.buildings[b].footprint
                                                         : own[b])) > 0.5) {
      ++outside;
      WARN("building " << dataset.buildings[b].id << " lies outside micro grid "
                       << plan.micro_grids[std::size_t(m)].code);
    }
  }
  // A building split by units: each run's households in its grids, its strip inside its own
  // micro grid, the runs' households adding up to the building's.
  std::map<std::int32_t, long long> run_households;
  for (const BuildingRun& run : plan.building_runs) {
    REQUIRE(run.micro != kNone);
    CHECK(run.large == plan.micro_grids[std::size_t(run.micro)].parent);
    CHECK(run.units > 0);
    run_households[run.building] += run.households;
    // Within 0.5 m, as the audit and check_plan.py allow: a one-unit strip can be a sliver
    // whose point lies within the 1 µm snap rounding of its grid's edge.
    if (!run.footprint.empty() && distance_to(ctx, plan.micro_grids[std::size_t(run.micro)].polygon,
                                              geo::point_on_surface(run.footprint)) > 0.5) {
      ++outside;
      WARN("run of units " << run.first_unit + 1 << "-" << run.first_unit + run.units
                           << " of building " << dataset.buildings[std::size_t(run.building)].id
                           << " lies outside micro grid "
                           << plan.micro_grids[std::size_t(run.micro)].code);
    }
  }
  for (const auto& [b, households] : run_households)
    CHECK(households == dataset.buildings[std::size_t(b)].households);
  CHECK(unlisted == 0);
  CHECK(outside <= allowed.outside);
  // Micro grids nest: each lies in its large grid and together they make it up.
  std::map<std::int32_t, double> micro_area;
  int not_nested = 0;
  for (const Grid& m : plan.micro_grids) {
    REQUIRE(m.parent != kNone);
    micro_area[m.parent] += area(m.polygon);
    if (!m.polygon.empty() && !covers(ctx, plan.large_grids[std::size_t(m.parent)].polygon,
                                      geo::point_on_surface(m.polygon)))
      ++not_nested;
  }
  CHECK(not_nested == 0);
  for (std::size_t g = 0; g < plan.large_grids.size(); ++g) {
    const double a = area(plan.large_grids[g].polygon);
    CHECK(micro_area[std::int32_t(g)] == Approx(a).epsilon(1e-6).margin(0.01));
  }
  // Each community tiled: no gap, no overlap; total area conserved.
  double communities = 0.0, large = 0.0;
  for (const Community& c : dataset.communities) communities += area(c.footprint);
  for (const Grid& g : plan.large_grids) large += area(g.polygon);
  CHECK(large == Approx(communities).epsilon(1e-6));
  CHECK(plan.metrics.coverage_gap_m2 <= 1e-6 * communities + 1.0);
  CHECK(plan.metrics.coverage_overlap_m2 <= 1e-6 * communities + 1.0);
}

/// The plan's grids as an existing plan (what `--existing plan.gpkg` imports), re-planned.
Plan replan(Dataset dataset, const Plan& first) {
  dataset.existing_grids.clear();
  std::int64_t id = 0;
  for (const Grid& g : first.large_grids)
    dataset.existing_grids.push_back(
        {++id, {}, GridLevel::large, g.code, g.name, "", false, g.polygon, g.bounds_reason});
  for (const Grid& g : first.micro_grids)
    dataset.existing_grids.push_back({++id,
                                      {},
                                      GridLevel::micro,
                                      g.code,
                                      g.name,
                                      first.large_grids[std::size_t(g.parent)].code,
                                      false,
                                      g.polygon,
                                      g.bounds_reason});
  const Plan existing = existing_plan_from_grids(dataset);
  const PartitionParams params;
  Progress progress;
  const geo::Tessellation tessellation =
      geo::tessellate(dataset, tessellation_params(params), progress);
  return make_plan(dataset, tessellation, params, progress, &existing);
}

/// Households moved when `first` (planned from `input`) is exported as plan.gpkg and re-planned
/// from that file the way `gridplan run --existing DIR/plan.gpkg` does it: the grid layers
/// loaded with the data, the buildings layer's bid/large_code/micro_code taken by id.
/// `change`, when given, edits the data loaded for the re-plan (a building demolished);
/// `micro`, when given and nothing changed, receives the households moved between micro grids.
/// Households whose grid (`micro`: micro grid, else large grid) changed from `before` to
/// `after` (plans of the same buildings), counted as the plan counts large ones (each old grid's
/// successor is the new grid receiving most of its households), but against the grids `before`
/// really had — households_moved counts against the previous plan as the re-plan read it — and
/// a building split by units unit by unit (its runs' grids).
long long moved_between(const Dataset& dataset, const Plan& before, const Plan& after, bool micro) {
  // Per building, the grid of each unit (one entry for a building not split).
  auto units_of = [&](const Plan& plan) {
    std::vector<std::vector<std::int32_t>> grid(dataset.buildings.size());
    for (std::size_t b = 0; b < dataset.buildings.size(); ++b)
      grid[b] = {micro ? plan.building_micro[b] : plan.building_large[b]};
    std::set<std::int32_t> split;
    for (const BuildingRun& run : plan.building_runs) {
      auto& units = grid[std::size_t(run.building)];
      if (split.insert(run.building).second) units.clear();
      if (units.size() < std::size_t(run.first_unit + run.units))
        units.resize(std::size_t(run.first_unit + run.units), kNone);
      for (int u = run.first_unit; u < run.first_unit + run.units; ++u)
        units[std::size_t(u)] = micro ? run.micro : run.large;
    }
    return grid;
  };
  const auto from = units_of(before), to = units_of(after);
  std::map<std::int32_t, std::map<std::int32_t, long long>> flow;
  for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
    const std::vector<int> households =
        from[b].size() > 1 || to[b].size() > 1
            ? partition::detail::unit_households(dataset.buildings[b]).households
            : std::vector<int>{dataset.buildings[b].households};
    for (std::size_t u = 0; u < households.size(); ++u) {
      const std::int32_t was = from[b][std::min(u, from[b].size() - 1)];
      const std::int32_t is = to[b][std::min(u, to[b].size() - 1)];
      if (was != kNone && is != kNone) flow[was][is] += households[u];
    }
  }
  long long moved = 0;
  for (const auto& [was, into] : flow) {
    long long total = 0, most = 0;
    for (const auto& [is, h] : into) {
      total += h;
      most = std::max(most, h);
    }
    moved += total - most;
  }
  return moved;
}

long long replan_from_file(const std::string& input, const Planned& first, const std::string& name,
                           const std::function<void(Dataset&)>& change = {},
                           long long* micro = nullptr) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("gridplan-test-replan-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ProblemReporter problems;
  io::export_layers(report::build_layers(first.dataset, first.plan, nullptr, problems),
                    first.dataset.crs_wkt, dir.string(), {});
  io::ExistingPlanSettings settings;
  settings.path = (dir / "plan.gpkg").string();
  const io::ExistingPlanSource source = io::inspect_existing_plan(settings);
  // One row per building, one per run of a building split by units (each naming its units).
  std::set<std::int32_t> split;
  for (const BuildingRun& run : first.plan.building_runs) split.insert(run.building);
  CHECK(source.listed.size() ==
        first.dataset.buildings.size() + first.plan.building_runs.size() - split.size());
  const auto run_rows =
      std::count_if(source.listed.begin(), source.listed.end(),
                    [](const ListedBuildingGrids& r) { return r.first_unit >= 0; });
  CHECK(static_cast<std::size_t>(run_rows) == first.plan.building_runs.size());
  io::LoadOptions load;
  load.inputs.push_back({input, "", {}});
  for (const io::InputSpec& in : source.grid_inputs) load.inputs.push_back(in);
  Progress progress;
  Dataset dataset = io::load_dataset(load, progress);
  // Only the plan file's grids are the existing plan (as the CLI keeps them).
  std::erase_if(dataset.existing_grids, [&](const ExistingGrid& g) {
    return std::filesystem::path(g.source.file).filename() != "plan.gpkg";
  });
  REQUIRE(!dataset.existing_grids.empty());
  if (change) change(dataset);
  const Plan existing = existing_plan_from_grids(dataset, source.listed);
  const PartitionParams params;
  const geo::Tessellation tessellation =
      geo::tessellate(dataset, tessellation_params(params), progress);
  const Plan again = make_plan(dataset, tessellation, params, progress, &existing);
  if (micro) *micro = change ? -1 : moved_between(dataset, first.plan, again, true);
  std::filesystem::remove_all(dir);
  return again.metrics.households_moved;
}

/// The demo town's largest residential building made a tower of 1,200 households in 12
/// entrances: above both maxima, split into runs across large and micro grids.
void make_tower(Dataset& d) {
  std::size_t tower = 0;
  for (std::size_t b = 0; b < d.buildings.size(); ++b)
    if (d.buildings[b].households > d.buildings[tower].households) tower = b;
  d.buildings[tower].households = 1200;
  d.buildings[tower].units = 12;
}

}  // namespace

TEST_CASE("re-planning the demo town from its exported plan.gpkg moves nobody",
          "[plan][truth][replan]") {
  const std::string input = std::string(GRIDPLAN_SOURCE_DIR) + "/data/demo-town.gpkg";
  const Planned demo = plan_file(input);
  // 102 households before the plan file's buildings were taken by id and a fresh division
  // outside the bounds was re-planned from itself (docs/decisions/0008).
  CHECK(replan_from_file(input, demo, "demo") == 0);

  // One residential building demolished: households move only in the large grid it was in.
  std::size_t removed = 0;
  for (std::size_t b = 0; b < demo.dataset.buildings.size(); ++b)
    if (demo.dataset.buildings[b].households > 0 && demo.plan.building_large[b] != kNone) {
      removed = b;
      if (b > demo.dataset.buildings.size() / 3) break;
    }
  const std::int64_t id = demo.dataset.buildings[removed].id;
  const Grid& home = demo.plan.large_grids[std::size_t(demo.plan.building_large[removed])];
  const long long moved = replan_from_file(input, demo, "demo-removed", [id](Dataset& d) {
    std::erase_if(d.buildings, [id](const Building& b) { return b.id == id; });
  });
  INFO("removed building " << id << " of large grid " << home.code << " ("
                           << home.metrics.households << " households)");
  CHECK(moved <= home.metrics.households - demo.dataset.buildings[removed].households);
}

TEST_CASE("a split tower is exported one row per run and re-planned from them unchanged",
          "[plan][truth][replan][units]") {
  const std::string input = std::string(GRIDPLAN_SOURCE_DIR) + "/data/demo-town.gpkg";
  const Planned demo = plan_file(input, make_tower);
  REQUIRE(demo.plan.building_runs.size() >= 6);  // 12 entrances, micro maximum 200
  check_polygon_truth(demo.dataset, demo.plan);
  // The buildings layer: one row per run, naming its units, with its households and grids.
  ProblemReporter problems;
  const std::vector<report::LayerTable> layers =
      report::build_layers(demo.dataset, demo.plan, nullptr, problems);
  const auto buildings =
      std::find_if(layers.begin(), layers.end(),
                   [](const report::LayerTable& t) { return t.name == "buildings"; });
  REQUIRE(buildings != layers.end());
  std::size_t unit_range = 0, households = 0, micro_code = 0;
  for (std::size_t f = 0; f < buildings->fields.size(); ++f) {
    if (buildings->fields[f].name == "unit_range") unit_range = f;
    if (buildings->fields[f].name == "households") households = f;
    if (buildings->fields[f].name == "micro_code") micro_code = f;
  }
  REQUIRE(unit_range > 0);
  long long run_households = 0;
  std::size_t run_rows = 0;
  std::set<std::string> run_grids;
  for (const report::Feature& f : buildings->features)
    if (const auto* range = std::get_if<std::string>(&f.values[unit_range])) {
      ++run_rows;
      run_households += std::get<long long>(f.values[households]);
      run_grids.insert(std::get<std::string>(f.values[micro_code]));
      CHECK(range->find('-') != std::string::npos);
    }
  CHECK(run_rows == demo.plan.building_runs.size());
  CHECK(run_households == 1200);
  CHECK(run_grids.size() == run_rows);  // each run in its own micro grid
  CHECK(buildings->features.size() == demo.dataset.buildings.size() + run_rows - 1);
  // Re-planned from the exported plan.gpkg (the same tower in the data): each unit takes its
  // run's grid, nobody moves.
  CHECK(replan_from_file(input, demo, "tower", make_tower) == 0);
}

// The same tower re-planned from the plan's grids alone (no rows of runs: an existing plan as
// another tool exports it), which the re-plan reads by geometry: each unit takes the large and
// the micro grid holding its strip of the tower's cut cell. Before round 11 the micro level gave
// every unit the building's one micro grid (the one holding its point), and the units of the
// other runs moved between micro grids (docs/decisions/0008-polygon-truth.md, "Round 11").
TEST_CASE("a split tower re-planned from the grids alone keeps every unit's micro grid",
          "[plan][truth][replan][units]") {
  const Planned demo =
      plan_file(std::string(GRIDPLAN_SOURCE_DIR) + "/data/demo-town.gpkg", make_tower);
  std::set<std::int32_t> runs_micro;
  for (const BuildingRun& run : demo.plan.building_runs) runs_micro.insert(run.micro);
  REQUIRE(runs_micro.size() >= 6);  // 12 entrances, micro maximum 200: in six micro grids at least
  const Plan again = replan(demo.dataset, demo.plan);
  const long long large = moved_between(demo.dataset, demo.plan, again, false);
  const long long micro = moved_between(demo.dataset, demo.plan, again, true);
  WARN("demo town with a tower of 12 entrances, re-planned from its grids alone: "
       << large << " households moved by large grid, " << micro << " by micro grid");
  CHECK(again.metrics.households_moved == 0);
  CHECK(large == 0);
  CHECK(micro == 0);
  check_polygon_truth(demo.dataset, again);
}

TEST_CASE("polygon truth on the demo town, and a re-plan from its own plan moves nobody",
          "[plan][truth]") {
  const Planned demo = plan_file(std::string(GRIDPLAN_SOURCE_DIR) + "/data/demo-town.gpkg");
  check_polygon_truth(demo.dataset, demo.plan);
  const Plan again = replan(demo.dataset, demo.plan);
  CHECK(again.metrics.households_moved == 0);
  check_polygon_truth(demo.dataset, again);

  // A small change — one residential building demolished — moves households only near it: at
  // most those of the large grid it was in (here: none, that grid stays within the bounds or
  // its neighbours absorb the change).
  std::size_t removed = 0;
  for (std::size_t b = 0; b < demo.dataset.buildings.size(); ++b)
    if (demo.dataset.buildings[b].households > 0 && demo.plan.building_large[b] != kNone) {
      removed = b;
      if (b > demo.dataset.buildings.size() / 2) break;
    }
  const Grid& home = demo.plan.large_grids[std::size_t(demo.plan.building_large[removed])];
  Dataset changed = demo.dataset;
  changed.buildings.erase(changed.buildings.begin() + std::ptrdiff_t(removed));
  const Plan after = replan(changed, demo.plan);
  INFO("removed building " << demo.dataset.buildings[removed].id << " of large grid " << home.code
                           << " (" << home.metrics.households << " households)");
  CHECK(after.metrics.households_moved <= home.metrics.households);
  check_polygon_truth(changed, after);
}

// Towers whose consecutive units' pieces do not touch (docs/decisions/0008-polygon-truth.md,
// "Split towers linked where their units' pieces touch"): cut from the 1M real-shapes town
// (/work/bench/towns/real-1000000.gpkg, tests/bench/make_real_town.py --buildings 1000000), the
// buildings meeting a box 300 m (Monaco) / 150 m (Nanjing) around the tower's envelope and the
// roads clipped to it:
//   ogr2ogr -spat X0 Y0 X1 Y1 T.gpkg real-1000000.gpkg buildings
//   ogr2ogr -update -spat X0 Y0 X1 Y1 -clipsrc X0 Y0 X1 Y1 T.gpkg real-1000000.gpkg roads
//  - monaco-complex-court.gpkg: the Fairmont complex wrapped around a court (OSM way 2093796,
//    tile 116, 63 units), box 473361 3585616 474086 3586413: on main 57bf72a large grid …17 and
//    micro grid …1703 came out in two pieces (10908 + 2467 m²), a run's strip apart from the
//    units its grid was linked by;
//  - nanjing-e-tower.gpkg: the E-shaped 40-storey tower (OSM way 318702395, tile 54, 26 units),
//    box 480693 3546619 481083 3547035.
TEST_CASE("polygon truth on towers whose units' pieces do not chain", "[plan][truth][tower]") {
  for (const auto& [name, tower_id] :
       {std::pair{"monaco-complex-court", 955880}, std::pair{"nanjing-e-tower", 452218}}) {
    INFO(name);
    const Planned town =
        plan_file(std::string(GRIDPLAN_SOURCE_DIR) + "/tests/data/towers/" + name + ".gpkg");
    check_polygon_truth(town.dataset, town.plan);
    // The tower is split into runs, and each run's strip lies inside its own micro grid, all of
    // it (not only its point).
    std::int32_t tower = kNone;  // by its bid in the town
    for (std::size_t b = 0; b < town.dataset.buildings.size(); ++b)
      if (town.dataset.buildings[b].id == tower_id) tower = static_cast<std::int32_t>(b);
    REQUIRE(tower != kNone);
    geo::GeosContext ctx;
    int runs = 0, strips_outside = 0;
    for (const BuildingRun& run : town.plan.building_runs) {
      if (run.building == tower) ++runs;
      if (run.footprint.empty()) continue;
      const geo::GeomPtr strip = geo::to_geos(ctx, run.footprint);
      const geo::GeomPtr grid =
          geo::to_geos(ctx, town.plan.micro_grids[std::size_t(run.micro)].polygon);
      const geo::GeomPtr outside =
          geo::own(ctx, GEOSDifference_r(ctx.handle(), strip.get(), grid.get()), "strip outside");
      double outside_m2 = 0.0;
      GEOSArea_r(ctx.handle(), outside.get(), &outside_m2);
      if (outside_m2 > 0.01) {
        ++strips_outside;
        WARN("run of units " << run.first_unit + 1 << "-" << run.first_unit + run.units << " has "
                             << outside_m2 << " m² outside micro grid "
                             << town.plan.micro_grids[std::size_t(run.micro)].code);
      }
    }
    CHECK(runs >= 2);
    CHECK(strips_outside == 0);
  }
}

// Re-planning those towns from their own plan moves nobody, both ways a previous plan's tower
// is read: from the plan.gpkg's rows of runs (each unit its run's grid), and from the grids
// alone (each unit's strip of the cut cell placed in a grid, the units of each grid then made
// connected on the large-grid graph, which links them where their pieces touch). Reading the
// grids alone as runs of consecutive units (the chain), as before round 10, moved households
// that had no reason to move: the court complex 23, the E tower 79 by large grid. And from the
// plan.gpkg nobody moves between micro grids either: before round 10 every unit of the tower
// took the micro grid of the run holding its point (214 and 328 moved; docs/decisions/
// 0008-polygon-truth.md, "Round 10: re-planning split towers by touching units").
TEST_CASE("re-planning towers whose units' pieces do not chain moves nobody",
          "[plan][truth][tower][replan]") {
  for (const char* name : {"monaco-complex-court", "nanjing-e-tower"}) {
    INFO(name);
    const std::string input =
        std::string(GRIDPLAN_SOURCE_DIR) + "/tests/data/towers/" + name + ".gpkg";
    const Planned town = plan_file(input);
    const Plan again = replan(town.dataset, town.plan);
    const long long large = moved_between(town.dataset, town.plan, again, false);
    const long long micro_alone = moved_between(town.dataset, town.plan, again, true);
    WARN(name << ": re-planned from its grids, " << again.metrics.households_moved
              << " households moved (" << large << " against the plan's own grids, " << micro_alone
              << " between micro grids)");
    CHECK(again.metrics.households_moved == 0);
    CHECK(large == 0);
    CHECK(micro_alone == 0);
    check_polygon_truth(town.dataset, again);
    long long micro = -1;
    const long long moved = replan_from_file(input, town, std::string("tower-") + name, {}, &micro);
    WARN(name << ": re-planned from its plan.gpkg, " << moved << " households moved, " << micro
              << " between micro grids");
    CHECK(moved == 0);
    CHECK(micro == 0);
  }
}

TEST_CASE("polygon truth on the real OSM extracts", "[plan][truth][shared]") {
  const std::filesystem::path dir = std::filesystem::path(GRIDPLAN_SHARED_DATA_DIR) / "osm";
  if (!std::filesystem::exists(dir)) {
    WARN("skipped: shared data not found at " << dir.string()
                                              << " (real OSM extracts are optional)");
    return;
  }
  // Monaco (23k buildings, one community) takes about a minute in the dev build: it runs with
  // the tag [monaco] (`test_partition "[monaco]"`), the other two by default. Before issue 12's
  // fixes: Nanjing 13 grids without a polygon, 39 in pieces, 24 with crumbs, 65 buildings
  // outside; Helsinki 10 in pieces, 99 with crumbs, 14 outside.
  // Grids counted here are GEOS polygons (a crumb counts): Nanjing 3 in pieces + 2 with crumbs,
  // 0 buildings outside (1, podium 318198212, until buildings were placed by their own part);
  // Helsinki 1 outside (0008 "Left"). Re-planned from their own plan.gpkg
  // they move nobody (before: Nanjing 237 until split towers were exported run by run; 1,069
  // and 6 by the CLI before that).
  struct Case {
    const char* file;
    Allowed allowed;
    long long moved;
  };
  for (const Case& c :
       {Case{"nanjing-xinjiekou.osm", {5, 0}, 0}, Case{"helsinki-centre.osm.pbf", {0, 1}, 0}}) {
    const std::filesystem::path path = dir / c.file;
    if (!std::filesystem::exists(path)) {
      WARN("skipped: " << path.string() << " not present");
      continue;
    }
    SECTION(c.file) {
      const Planned planned = plan_file(path.string());
      INFO(c.file << ": " << planned.plan.large_grids.size() << " large, "
                  << planned.plan.micro_grids.size() << " micro grids");
      check_polygon_truth(planned.dataset, planned.plan, c.allowed);
      const long long moved = replan_from_file(path.string(), planned, "real");
      WARN(c.file << ": re-planned from its own plan.gpkg, " << moved << " households moved");
      CHECK(moved <= c.moved);
    }
  }
}

TEST_CASE("polygon truth on Monaco, one community of 23k buildings", "[.][monaco][truth]") {
  const std::filesystem::path path =
      std::filesystem::path(GRIDPLAN_SHARED_DATA_DIR) / "osm" / "monaco.osm.pbf";
  if (!std::filesystem::exists(path)) {
    WARN("skipped: " << path.string() << " not present");
    return;
  }
  const Planned planned = plan_file(path.string());
  // Before issue 12's fixes: 63 grids in pieces, 377 with crumbs, 29 buildings outside.
  check_polygon_truth(planned.dataset, planned.plan, {0, 0});
}
