// Real data: the three OpenStreetMap extracts in ../shared/data/osm through `gridplan run`
// (defaults only, as a new user would), and bureau-style inputs built from one of them (GBK
// Shapefiles without .cpg and without a language byte, Chinese layer and field names, Chinese
// road classes and use values, households for part of the homes, communities that cut
// compounds). Every polygon invariant is checked BY GEOMETRY on the exported plan with
// `gridplan check`, which must agree with the run's metrics.json, and with the independent
// ../shared/tools/check_plan.py (geopandas) when /usr/bin/python3 has it. Skips with a message
// when ../shared/data is absent.
//
// Runs are cached per build in <build>/tests/realdata-runs/<name> (rerun when the gridplan
// binary is newer), so each test case (one process under ctest) does not re-plan.
//
// A test that fails today is tagged [.pending], hidden until the fix it waits for lands, and says
// what it reports (docs/decisions/0008-polygon-truth.md, "Left"); none is pending now.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "../support/shell.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace {

using gp::test::quote;
using Result = gp::test::ShellResult;

/// A command's output with its stderr (`with_stderr`) or without it (for output that is parsed).
Result shell(const std::string& command, bool with_stderr = true) {
  return gp::test::shell(command,
                         with_stderr ? gp::test::Stderr::merged : gp::test::Stderr::discarded);
}

fs::path shared(const std::string& name) {
  return fs::path(GRIDPLAN_SHARED_DATA_DIR) / "osm" / name;
}

bool have(const std::string& name) {
  if (fs::exists(shared(name))) return true;
  WARN("skipped: " << shared(name) << " is absent (real OSM extracts live in ../shared/data)");
  return false;
}

fs::path runs_dir() {
  return fs::current_path() / "realdata-runs";
}

/// `gridplan run --input INPUT --out <runs>/<name> --no-simulation`, reused while newer than the
/// gridplan binary.
fs::path planned(const std::string& name, const std::string& input) {
  const fs::path out = runs_dir() / name;
  const fs::path manifest = out / "manifest.json";
  if (fs::exists(manifest) &&
      fs::last_write_time(manifest) > fs::last_write_time(GRIDPLAN_CLI_PATH))
    return out;
  fs::create_directories(runs_dir());
  const Result r = shell(std::string(GRIDPLAN_CLI_PATH) + " run --input " + input + " --out " +
                         quote(out) + " --overwrite --no-simulation -q");
  INFO(r.out);
  REQUIRE(r.code == 0);
  return out;
}

nlohmann::json kpis_of(const fs::path& run) {
  std::ifstream in(run / "metrics.json");
  return nlohmann::json::parse(in)["kpis"];
}

/// `gridplan check PLAN --input INPUT --json` (the data the plan was made from: roads and
/// compounds are not in plan.gpkg).
nlohmann::json checked(const fs::path& run, const std::string& input, int* code = nullptr) {
  const Result r = shell(std::string(GRIDPLAN_CLI_PATH) + " check " + quote(run / "plan.gpkg") +
                             " --input " + input + " --json -q",
                         false);
  INFO(r.out);
  if (code) *code = r.code;
  REQUIRE_NOTHROW(nlohmann::json::parse(r.out));
  return nlohmann::json::parse(r.out);
}

/// The plan's figures measured on the polygons alone (no barrier lines involved).
const char* kPolygonFigures[] = {"discontiguous",     "grids_with_crumbs", "grids_without_polygon",
                                 "buildings_outside", "micro_not_nested",  "compound_splits"};

/// `gridplan check` of the exported plan.gpkg (read back from the output CRS) and the run's
/// metrics.json (the same audit on the plan in memory) give the same figures for `keys`, and
/// the same households.
template <std::size_t N>
void check_agreement(const fs::path& run, const std::string& input, const char* const (&keys)[N]) {
  const nlohmann::json kpis = kpis_of(run);
  const nlohmann::json j = checked(run, input);
  for (const char* key : keys) {
    INFO(key << ": gridplan check " << j["metrics"][key] << ", metrics.json " << kpis[key]);
    CHECK(j["metrics"][key] == kpis[key]);
  }
  CHECK(j["counts"]["households"] == kpis["households"]);
}

std::string broken_summary(const nlohmann::json& j) {
  std::string summary;
  for (const auto& [rule, n] : j["broken_by_rule"].items())
    summary += rule + " " + std::to_string(n.get<int>()) + "; ";
  return summary;
}

/// Every polygon invariant of issue 12 item 1, by geometry, on the exported polygons: one
/// polygon per grid, no crumbs, every building (every run of a split tower) inside its micro
/// grid, nesting, each community tiled.
void check_polygon_invariants(const fs::path& run, const std::string& input) {
  const nlohmann::json j = checked(run, input);
  const nlohmann::json& a = j["audit"];
  INFO("broken: " << broken_summary(j));
  CHECK(a["grids_without_polygon"] == 0);
  CHECK(a["large_in_pieces"] == 0);
  CHECK(a["micro_in_pieces"] == 0);
  CHECK(a["grids_with_crumbs"] == 0);
  CHECK(a["buildings_outside"] == 0);
  CHECK(a["buildings_unassigned"] == 0);
  CHECK(a["micro_not_nested"] == 0);
  CHECK(a["coverage_gaps"] == 0);
  CHECK(a["coverage_overlaps"] == 0);
}

/// No grid across a hard barrier, by geometry; with `exit_code`, `gridplan check` also exits 0
/// (every rule holds).
void check_barriers(const fs::path& run, const std::string& input, bool exit_code) {
  int code = -1;
  const nlohmann::json j = checked(run, input, &code);
  const nlohmann::json& a = j["audit"];
  INFO("broken: " << broken_summary(j));
  CHECK(a["large_crossing_barrier"] == 0);
  CHECK(a["micro_crossing_barrier"] == 0);
  if (exit_code) CHECK(code == 0);
}

/// ../shared/tools/check_plan.py PLAN LARGE_MIN LARGE_MAX: the independent check (geopandas).
void check_with_python(const fs::path& run) {
  const fs::path tool =
      fs::path(GRIDPLAN_SHARED_DATA_DIR).parent_path() / "tools" / "check_plan.py";
  if (!fs::exists(tool) || shell("/usr/bin/python3 -c 'import geopandas'").code != 0) {
    WARN("skipped: " << tool << " or /usr/bin/python3 with geopandas is absent");
    return;
  }
  const Result r =
      shell("/usr/bin/python3 " + quote(tool) + " " + quote(run / "plan.gpkg") + " 300 500");
  INFO(r.out);
  CHECK(r.code == 0);
}

struct Extract {
  const char* name;
  const char* file;
};
constexpr Extract kNanjing{"nanjing", "nanjing-xinjiekou.osm"};
constexpr Extract kHelsinki{"helsinki", "helsinki-centre.osm.pbf"};
constexpr Extract kMonaco{"monaco", "monaco.osm.pbf"};

}  // namespace

// ---- the three extracts, defaults only ---------------------------------------------------------

TEST_CASE("realdata: each extract plans with households") {
  for (const Extract& e : {kNanjing, kHelsinki, kMonaco}) {
    if (!have(e.file)) continue;
    const fs::path run = planned(e.name, quote(shared(e.file)));
    const nlohmann::json kpis = kpis_of(run);
    INFO(e.name);
    CHECK(kpis["households"].get<long long>() > 0);
    CHECK(kpis["large_grids"].get<int>() > 0);
    CHECK(kpis["micro_grids"].get<int>() >= kpis["large_grids"].get<int>());
  }
}

// `gridplan check` of the exported plan.gpkg (read back from WGS84) and the run's metrics.json
// (the same audit on the plan in memory) agree on every figure measured on the polygons, and on
// households (a tower split by units counts each run's households in its own grids).
TEST_CASE("realdata: gridplan check agrees with metrics.json on every extract, polygon figures",
          "[realdata]") {
  for (const Extract& e : {kNanjing, kHelsinki, kMonaco}) {
    if (!have(e.file)) continue;
    INFO(e.name);
    check_agreement(planned(e.name, quote(shared(e.file))), quote(shared(e.file)), kPolygonFigures);
  }
}
// Barrier crossings too: the audit's hard-line test has a tolerance (AuditParams::
// barrier_tolerance_m, 5 cm: a line that close to a grid's edge reaches it, a strip that wide
// along a line is no side), so a grid edge drawn on a hard road gives one figure in memory and
// read back from WGS84 (before: Monaco 12 in metrics.json vs 7 by check, Helsinki 6 vs 8,
// Nanjing 0 vs 1, measured 2026-12-06 04:20 UTC).
TEST_CASE("realdata: gridplan check agrees with metrics.json on nanjing, barriers too",
          "[realdata]") {
  if (!have(kNanjing.file)) return;
  const char* const keys[] = {"barrier_crossings"};
  check_agreement(planned(kNanjing.name, quote(shared(kNanjing.file))),
                  quote(shared(kNanjing.file)), keys);
}
TEST_CASE("realdata: gridplan check agrees with metrics.json on barriers, monaco and helsinki",
          "[realdata]") {
  const char* const keys[] = {"barrier_crossings"};
  for (const Extract& e : {kHelsinki, kMonaco}) {
    if (!have(e.file)) continue;
    INFO(e.name);
    check_agreement(planned(e.name, quote(shared(e.file))), quote(shared(e.file)), keys);
  }
}

// Helsinki held but for the Forum (a multipolygon across a lane, its representative point in
// the other block) and Monaco for 49209624 (a footprint across a pedestrian way) until a building
// whose point lies outside its home block takes its footprint in the blocks across the lane
// (planner/geo/tessellation_sites.cpp, soft_spans).
TEST_CASE("realdata: every polygon invariant holds by geometry on helsinki and monaco",
          "[realdata]") {
  for (const Extract& e : {kHelsinki, kMonaco}) {
    if (!have(e.file)) continue;
    INFO(e.name);
    check_polygon_invariants(planned(e.name, quote(shared(e.file))), quote(shared(e.file)));
  }
}
// Nanjing held but for podium 318198212 (its point lay in the tower on it, 11.7 m outside micro
// grid …6401) until a building overlapped by smaller footprints was placed by its own part
// (planner/geo/own_footprint.hpp).
TEST_CASE("realdata: every polygon invariant holds by geometry on nanjing", "[realdata]") {
  if (!have(kNanjing.file)) return;
  check_polygon_invariants(planned(kNanjing.name, quote(shared(kNanjing.file))),
                           quote(shared(kNanjing.file)));
}
// Grids across a hard barrier by geometry, counted as docs/decisions/0008 "Barrier crossings"
// defines them: only where the barrier separates the land (the grid's buildings lie in different
// hard faces). Measured with gridplan check (broken large + micro): 2026-12-06 04:20 UTC Monaco
// 94 -> 7, Helsinki 18 -> 8, Nanjing 7 -> 1; 06:55 UTC with the 5 cm barrier tolerance
// (docs/cli/check.md, "Precision") 18, 10 and 2; 10:10 UTC with the crossing between cells taken
// from their buildings' own blocks, split towers linked by their units' pieces and a building
// standing across a barrier joining its sides (0008 "Barrier crossings: the fix") 0, 0 and 0.
// The rest are barriers running through a grid without separating the land (barrier-through,
// allowed, counted apart). The figures may only go down.
TEST_CASE("realdata: grids across a hard barrier stay at or below the measured figures",
          "[realdata]") {
  struct Limit {
    Extract extract;
    int broken;
  };
  for (const Limit& l : {Limit{kNanjing, 0}, Limit{kHelsinki, 0}, Limit{kMonaco, 0}}) {
    if (!have(l.extract.file)) continue;
    INFO(l.extract.name);
    const nlohmann::json j = checked(planned(l.extract.name, quote(shared(l.extract.file))),
                                     quote(shared(l.extract.file)));
    const nlohmann::json& a = j["audit"];
    CHECK(a["large_crossing_barrier"].get<int>() + a["micro_crossing_barrier"].get<int>() <=
          l.broken);
    CHECK(a["barriers_through"].get<int>() > 0);  // reported apart, not dropped
  }
}
// No grid crosses a hard barrier, by geometry, on the three extracts.
TEST_CASE("realdata: no grid crosses a hard barrier", "[realdata]") {
  for (const Extract& e : {kNanjing, kHelsinki, kMonaco}) {
    if (!have(e.file)) continue;
    INFO(e.name);
    check_barriers(planned(e.name, quote(shared(e.file))), quote(shared(e.file)), false);
  }
}
// And `gridplan check` exits 0: every rule holds on the three extracts.
TEST_CASE("realdata: no grid crosses a hard barrier and gridplan check holds", "[realdata]") {
  for (const Extract& e : {kNanjing, kHelsinki, kMonaco}) {
    if (!have(e.file)) continue;
    INFO(e.name);
    check_barriers(planned(e.name, quote(shared(e.file))), quote(shared(e.file)), true);
  }
}

TEST_CASE("realdata: check_plan.py passes on nanjing", "[realdata]") {
  if (!have(kNanjing.file)) return;
  check_with_python(planned(kNanjing.name, quote(shared(kNanjing.file))));
}
TEST_CASE("realdata: check_plan.py passes on helsinki and monaco", "[realdata]") {
  for (const Extract& e : {kHelsinki, kMonaco}) {
    if (!have(e.file)) continue;
    INFO(e.name);
    check_with_python(planned(e.name, quote(shared(e.file))));
  }
}

namespace {

/// tests/realdata/local_change.py for the commands that need /usr/bin/python3 with geopandas
/// only; empty (with a warning) when it is absent.
fs::path geopandas_script() {
  if (shell("/usr/bin/python3 -c 'import geopandas'").code != 0) {
    WARN("skipped: /usr/bin/python3 with geopandas is absent");
    return {};
  }
  return fs::path(GRIDPLAN_SOURCE_DIR) / "tests" / "realdata" / "local_change.py";
}

/// `local_change.py unchanged BEFORE AFTER`: households moved by large and by micro grid (JSON
/// {"large", "micro"}), a split tower unit by unit, whatever the grids' codes.
nlohmann::json moved_between(const fs::path& script, const fs::path& before,
                             const fs::path& after) {
  const Result counted = shell("/usr/bin/python3 " + quote(script) + " unchanged " +
                                   quote(before / "plan.gpkg") + " " + quote(after / "plan.gpkg"),
                               false);
  INFO(counted.out);
  REQUIRE(counted.code == 0);
  return nlohmann::json::parse(counted.out);
}

}  // namespace

// Issue 12 item 7 through the CLI: `gridplan run --existing DIR/plan.gpkg` of an unchanged
// extract moves no household (before: Nanjing 237, 2,369 at the start of issue 12; Helsinki
// 1,119; Monaco 2,690). The plan's buildings layer lists a split tower once per run of units,
// and the re-plan takes each unit's previous large and micro grid from its run. Counted by
// micro grid too (households_moved counts large grids only): before round 10 the micro re-plan
// gave every unit of a tower the micro grid of the run holding its point, and moved Nanjing
// 1,716, Helsinki 569 and Monaco 869 households between micro grids.
TEST_CASE("realdata: re-planning each extract from its own plan.gpkg moves no household",
          "[realdata]") {
  const fs::path script = geopandas_script();
  for (const Extract& e : {kNanjing, kHelsinki, kMonaco}) {
    if (!have(e.file)) continue;
    INFO(e.name);
    const fs::path first = planned(e.name, quote(shared(e.file)));
    const fs::path again = runs_dir() / (std::string(e.name) + "-replan");
    const Result r = shell(std::string(GRIDPLAN_CLI_PATH) + " run --input " +
                           quote(shared(e.file)) + " --existing " + quote(first / "plan.gpkg") +
                           " --out " + quote(again) + " --overwrite --no-simulation -q");
    INFO(r.out);
    REQUIRE(r.code == 0);
    const nlohmann::json kpis = kpis_of(again);
    CHECK(kpis["households_moved"] == 0);
    CHECK(kpis["households"] == kpis_of(first)["households"]);
    if (script.empty()) continue;
    const nlohmann::json moved = moved_between(script, first, again);
    CHECK(moved["large"] == 0);
    CHECK(moved["micro"] == 0);
  }
}

// The same re-plan from the plan's grids alone (its large_grids and micro_grids layers, no
// buildings layer: an existing plan as another tool exports it), which the re-plan reads by
// geometry: each building by its point, each unit of a split tower by its strip of the cut
// cell. Every tower's units are read as connected on the large-grid graph; read as contiguous
// runs of unit indices (before round 10) they moved Monaco 47 households (and the tower towns in
// tests/data/towers: the Monaco court complex 24, the Nanjing E tower 79), and Nanjing 71: one
// tower whose units do chain (way 147223223, 48 units) had its large grid …75 hold units 1,
// 21–26 and 48, joined through its neighbours (docs/decisions/0008-polygon-truth.md, "Round
// 10"). By micro grid too: each unit takes the micro grid holding its strip, among those of
// its large grid, read through the large grid's micro-grid graph the same way; before round 11
// every unit of a tower took its building's one micro grid, and micro grids moved (Nanjing
// 1,761, Helsinki 569, Monaco 829).
TEST_CASE("realdata: re-planning each extract from its grids alone moves no household",
          "[realdata]") {
  const fs::path script = geopandas_script();
  if (script.empty()) return;
  for (const Extract& e : {kNanjing, kHelsinki, kMonaco}) {
    if (!have(e.file)) continue;
    INFO(e.name);
    const fs::path first = planned(e.name, quote(shared(e.file)));
    const fs::path grids = runs_dir() / (std::string(e.name) + "-grids.gpkg");
    fs::remove(grids);
    const Result written = shell("/usr/bin/python3 " + quote(script) + " grids " +
                                 quote(first / "plan.gpkg") + " " + quote(grids));
    INFO(written.out);
    REQUIRE(written.code == 0);
    const fs::path again = runs_dir() / (std::string(e.name) + "-replan-grids");
    const Result r = shell(std::string(GRIDPLAN_CLI_PATH) + " run --input " +
                           quote(shared(e.file)) + " --existing " + quote(grids) + " --out " +
                           quote(again) + " --overwrite --no-simulation -q");
    INFO(r.out);
    REQUIRE(r.code == 0);
    CHECK(kpis_of(again)["households"] == kpis_of(first)["households"]);
    // gridplan's own count too (against the previous plan as it read it: before round 11 it
    // read Nanjing podium 318198212 by its whole footprint's point, in the grid of the tower on
    // it, and counted 200 moved).
    CHECK(kpis_of(again)["households_moved"] == 0);
    const nlohmann::json moved = moved_between(script, first, again);
    WARN(e.name << ": re-planned from its grids alone, " << moved["large"]
                << " households moved by large grid, " << moved["micro"] << " by micro grid");
    CHECK(moved["large"] == 0);
    CHECK(moved["micro"] == 0);
  }
}

namespace {

/// tests/realdata/local_change.py, which needs osmium (osmium-tool) and /usr/bin/python3 with
/// geopandas; empty (with a warning) when either is absent.
fs::path local_change_script() {
  if (shell("osmium --version").code != 0 ||
      shell("/usr/bin/python3 -c 'import geopandas'").code != 0) {
    WARN("skipped: osmium (osmium-tool) or /usr/bin/python3 with geopandas is absent");
    return {};
  }
  return fs::path(GRIDPLAN_SOURCE_DIR) / "tests" / "realdata" / "local_change.py";
}

/// `gridplan run --input CHANGED --existing EXISTING --out runs/NAME` (EXISTING: FIRST/plan.gpkg
/// unless given, e.g. its grids alone), then `local_change.py moved FIRST AGAIN ARGS`: the
/// households moved, per kind of grid (JSON).
nlohmann::json replanned_moves(const fs::path& script, const fs::path& first,
                               const fs::path& changed, const std::string& name,
                               const std::string& args, const fs::path& existing = {}) {
  const fs::path again = runs_dir() / name;
  const Result r = shell(std::string(GRIDPLAN_CLI_PATH) + " run --input " + quote(changed) +
                         " --existing " + quote(existing.empty() ? first / "plan.gpkg" : existing) +
                         " --out " + quote(again) + " --overwrite --no-simulation -q");
  INFO(r.out);
  REQUIRE(r.code == 0);
  const Result counted =
      shell("/usr/bin/python3 " + quote(script) + " moved " + quote(first / "plan.gpkg") + " " +
                quote(again / "plan.gpkg") + " " + args,
            false);
  INFO(counted.out);
  REQUIRE(counted.code == 0);
  return nlohmann::json::parse(counted.out);
}

/// A small change moves households by micro grid only near it too: none in a micro grid whose
/// large grid neither holds the changed buildings nor touches their grid, and no building whose
/// households moved (by large or micro grid) lies further from the changed buildings than one
/// large grid reaches (the median diagonal of the large grids' boxes, 265 m on Helsinki): the
/// re-plan re-divides the grids at the change and keeps the others. Before round 10 every split
/// tower's units but those of the run holding its point changed micro grid, wherever the tower
/// was: removing one building moved 568 households by micro grid in grids far from it, the
/// farthest 1,210 m away (adding a compound: 568, 1,104 m); now 0, the farthest 78 m (13 m).
void near_the_change(const nlohmann::json& moved) {
  INFO("by micro grid " << moved["micro_moved"] << "; farthest moved " << moved["farthest_m"]
                        << " m, one grid reaches " << moved["median_grid_diagonal_m"] << " m");
  CHECK(moved["micro_moved"]["elsewhere"] == 0);
  CHECK(moved["farthest_m"]["large"].get<double>() <=
        moved["median_grid_diagonal_m"].get<double>());
  CHECK(moved["farthest_m"]["micro"].get<double>() <=
        moved["median_grid_diagonal_m"].get<double>());
}

/// FIRST/plan.gpkg's grids alone (`local_change.py grids`), written to runs/NAME-grids.gpkg.
fs::path grids_alone(const fs::path& script, const fs::path& first, const std::string& name) {
  const fs::path grids = runs_dir() / (name + "-grids.gpkg");
  fs::remove(grids);
  const Result written = shell("/usr/bin/python3 " + quote(script) + " grids " +
                               quote(first / "plan.gpkg") + " " + quote(grids));
  INFO(written.out);
  REQUIRE(written.code == 0);
  return grids;
}

/// The same change re-planned from FIRST's grids alone moves the same households: only near
/// the change, by large and by micro grid (before round 11 every split tower's units but those
/// of the grid holding its point moved between micro grids: 568 households far from the change).
void near_the_change_from_grids_alone(const fs::path& script, const fs::path& first,
                                      const fs::path& changed, const std::string& name,
                                      const std::string& args, const nlohmann::json& from_plan) {
  const nlohmann::json moved = replanned_moves(script, first, changed, name + "-from-grids", args,
                                               grids_alone(script, first, name));
  INFO("from the grids alone: by large grid " << moved["moved"] << ", by micro grid "
                                              << moved["micro_moved"]);
  CHECK(moved["moved"]["elsewhere"] == 0);
  near_the_change(moved);
  CHECK(moved["micro_moved"] == from_plan["micro_moved"]);
}

}  // namespace

// Issue 12 item 7, a small change: one building removed from the Helsinki extract (`osmium
// removeid` of its way) and the town re-planned from its own plan.gpkg moves only households
// near it: no more than the removed building's large grid holds, and none in grids that do not
// touch that grid. The building is a home of median households, not split by units, in a large
// grid of at least three buildings (tests/realdata/local_change.py picks it and counts the moves
// per grid as gridplan does: each old grid's successor is the new grid receiving most of it).
TEST_CASE("realdata: removing one building moves only households near it, helsinki", "[realdata]") {
  if (!have(kHelsinki.file)) return;
  const fs::path script = local_change_script();
  if (script.empty()) return;
  const fs::path first = planned(kHelsinki.name, quote(shared(kHelsinki.file)));
  const Result picked =
      shell("/usr/bin/python3 " + quote(script) + " pick " + quote(first / "plan.gpkg"), false);
  INFO(picked.out);
  REQUIRE(picked.code == 0);
  const long long bid = std::stoll(picked.out);
  REQUIRE(bid > 0);  // a closed way: osmium removes it by id
  const fs::path changed = runs_dir() / "helsinki-less-one.osm.pbf";
  const Result removed = shell("osmium removeid --overwrite -o " + quote(changed) + " " +
                               quote(shared(kHelsinki.file)) + " w" + std::to_string(bid));
  INFO(removed.out);
  REQUIRE(removed.code == 0);
  const fs::path again = runs_dir() / "helsinki-less-one";
  const nlohmann::json moved =
      replanned_moves(script, first, changed, "helsinki-less-one", std::to_string(bid));
  const nlohmann::json kpis = kpis_of(again);
  INFO("building " << bid << ", " << moved["removed_households"] << " households, in large grid "
                   << moved["removed_grid"] << " (" << moved["removed_grid_households"]
                   << "); gridplan counts " << kpis["households_moved"] << " moved");
  // The building is gone, every other household is still planned.
  CHECK(kpis["households"].get<long long>() == kpis_of(first)["households"].get<long long>() -
                                                   moved["removed_households"].get<long long>());
  CHECK(kpis["households_moved"].get<long long>() <=
        moved["removed_grid_households"].get<long long>());
  CHECK(moved["moved"]["elsewhere"] == 0);
  near_the_change(moved);
  near_the_change_from_grids_alone(script, first, changed, "helsinki-less-one", std::to_string(bid),
                                   moved);
}

// Issue 12 item 7, the other small change: a residential compound (landuse=residential) drawn
// around two neighbouring homes of one large grid that lie in different micro grids (and any
// building the outline takes in), added to the extract with osmium. The compound stays whole,
// so households move; only in the compound's grids and the grids touching them (before: 1,357
// moved, 769 of them in grids further away — the re-plan re-split whole groups of grids).
TEST_CASE("realdata: adding a compound moves only households near it, helsinki", "[realdata]") {
  if (!have(kHelsinki.file)) return;
  const fs::path script = local_change_script();
  if (script.empty()) return;
  const fs::path first = planned(kHelsinki.name, quote(shared(kHelsinki.file)));
  const fs::path outline = runs_dir() / "helsinki-compound.osm";
  const Result drawn = shell("/usr/bin/python3 " + quote(script) + " compound " +
                                 quote(first / "plan.gpkg") + " " + quote(outline),
                             false);
  INFO(drawn.out);
  REQUIRE(drawn.code == 0);
  const std::string bids = drawn.out.substr(0, drawn.out.find_last_not_of("\n") + 1);
  const fs::path changed = runs_dir() / "helsinki-plus-compound.osm.pbf";
  const Result merged = shell("osmium merge --overwrite -o " + quote(changed) + " " +
                              quote(shared(kHelsinki.file)) + " " + quote(outline));
  INFO(merged.out);
  REQUIRE(merged.code == 0);
  const fs::path again = runs_dir() / "helsinki-plus-compound";
  const nlohmann::json moved =
      replanned_moves(script, first, changed, "helsinki-plus-compound", bids + " --kept");
  const nlohmann::json kpis = kpis_of(again);
  // Nothing lost, the compound whole, and no household moved away from the compound's grids
  // and their neighbours.
  CHECK(kpis["households"].get<long long>() == kpis_of(first)["households"].get<long long>());
  CHECK(kpis["compound_splits"].get<long long>() == 0);
  CHECK(moved["moved"]["elsewhere"] == 0);
  CHECK(kpis["households_moved"].get<long long>() <=
        2 * moved["own_grid_households"].get<long long>());
  near_the_change(moved);
  near_the_change_from_grids_alone(script, first, changed, "helsinki-plus-compound",
                                   bids + " --kept", moved);
}

// ---- bureau-style inputs built from the Nanjing extract ---------------------------------------

namespace {

/// GBK Shapefiles as a surveying bureau hands them out, made with ogr2ogr from the Nanjing run
/// (buildings with their use and households; a tower split by units is one row per run in the
/// plan, one building again here) and extract (roads): 建筑 (楼栋编号, 用途 in
/// Chinese, 层数, 户数 for one building in three), 道路 (道路等级 快速路/主干路/次干路/支路,
/// 道路名称), 社区 (社区编码, 社区名称: 2 × 2 rectangles over the extent, cutting compounds).
/// No .cpg and the DBF language byte zeroed. Returns the directory, or "" when ogr2ogr is absent.
fs::path bureau_inputs(const fs::path& nanjing_run) {
  if (shell("ogr2ogr --version").code != 0) {
    WARN("skipped: ogr2ogr (gdal-bin) is absent");
    return {};
  }
  const fs::path dir = runs_dir() / "bureau-input";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path plan = nanjing_run / "plan.gpkg";
  const std::string gbk = " -f 'ESRI Shapefile' -lco ENCODING=CP936 -dialect SQLite ";
  Result r = shell(
      "ogr2ogr" + gbk + quote(dir / "建筑.shp") + " " + quote(plan) +
      " -nln 建筑 -nlt MULTIPOLYGON -sql \"SELECT ST_Union(geom) AS geom, bid AS 楼栋编号, CASE "
      "use WHEN 'residential' THEN '住宅' WHEN 'mixed' THEN '商住' WHEN 'commercial' THEN '商业' "
      "WHEN 'office' THEN '办公' WHEN 'school' THEN '学校' WHEN 'hospital' THEN '医院' WHEN "
      "'industrial' THEN '工业' WHEN 'ancillary' THEN '附属' ELSE '其他' END AS 用途, floors AS "
      "层数, CASE WHEN bid % 3 = 0 THEN SUM(households) END AS 户数 FROM buildings GROUP BY "
      "bid\"");
  INFO(r.out);
  REQUIRE(r.code == 0);
  r = shell("ogr2ogr" + gbk + quote(dir / "道路.shp") + " " + quote(shared(kNanjing.file)) +
            " -nln 道路 -sql \"SELECT geometry, CASE highway WHEN 'motorway' THEN '快速路' WHEN "
            "'trunk' THEN '快速路' WHEN 'primary' THEN '主干路' WHEN 'secondary' THEN '次干路' "
            "WHEN 'tertiary' THEN '支路' ELSE '街坊路' END AS 道路等级, name AS 道路名称 FROM "
            "lines WHERE highway IS NOT NULL\"");
  INFO(r.out);
  REQUIRE(r.code == 0);
  // Communities: the extent of the plan's communities cut into 2 × 2 rectangles.
  r = shell("ogrinfo -ro -so -al " + quote(plan) + " communities | grep Extent");
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  REQUIRE(std::sscanf(r.out.c_str(), "Extent: (%lf, %lf) - (%lf, %lf)", &x0, &y0, &x1, &y1) == 4);
  const fs::path communities = dir / "communities.geojson";
  {
    std::ofstream out(communities);
    out.precision(12);
    out << R"({"type":"FeatureCollection","features":[)";
    for (int k = 0; k < 4; ++k) {
      const double ax = x0 + (x1 - x0) * (k % 2) / 2, bx = x0 + (x1 - x0) * (k % 2 + 1) / 2;
      const double ay = y0 + (y1 - y0) * (k / 2) / 2, by = y0 + (y1 - y0) * (k / 2 + 1) / 2;
      out << (k ? "," : "") << R"({"type":"Feature","properties":{"社区编码":"32010200100)" << k + 1
          << R"(","社区名称":"新街口第)" << k + 1
          << R"(社区"},"geometry":{"type":"Polygon","coordinates":[[[)" << ax << "," << ay << "],["
          << bx << "," << ay << "],[" << bx << "," << by << "],[" << ax << "," << by << "],[" << ax
          << "," << ay << "]]]}}";
    }
    out << "]}\n";
  }
  // The run exports in the input's CRS: WGS84 longitude/latitude for an OSM extract.
  r = shell("ogr2ogr -f 'ESRI Shapefile' -lco ENCODING=CP936 " + quote(dir / "社区.shp") + " " +
            quote(communities) + " -nln 社区 -a_srs EPSG:4326");
  INFO(r.out);
  REQUIRE(r.code == 0);
  fs::remove(communities);
  // As bureaus hand them out: no .cpg, no language byte (DBF byte 29).
  for (const char* layer : {"建筑", "道路", "社区"}) {
    fs::remove(dir / (std::string(layer) + ".cpg"));
    std::fstream dbf(dir / (std::string(layer) + ".dbf"),
                     std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(dbf);
    dbf.seekp(29);
    dbf.put('\0');
  }
  return dir;
}

}  // namespace

TEST_CASE("realdata: bureau-style GBK inputs build and load with households", "[realdata]") {
  if (!have(kNanjing.file)) return;
  const fs::path dir = bureau_inputs(planned(kNanjing.name, quote(shared(kNanjing.file))));
  if (dir.empty()) return;
  for (const char* f : {"建筑.shp", "道路.shp", "社区.shp"}) CHECK(fs::exists(dir / f));
  CHECK_FALSE(fs::exists(dir / "建筑.cpg"));
  const Result r = shell(std::string(GRIDPLAN_CLI_PATH) + " inspect " + quote(dir / "建筑.shp"));
  INFO(r.out);
  CHECK(r.code == 0);
}

// Bureau-style data hold every rule: 户数 is read, gridplan check agrees with metrics.json, no
// grid crosses a hard road (主干路/次干路 are hard), every grid outside its bounds has its reason,
// no crumb, no building outside, and no grid in pieces (the last: large grids …336 and …341,
// runs of split towers 318702395 and 442418472 whose pieces, each rounded alone to the 1 µm
// union grid, met along a sliver instead of an edge; fixed by snap-rounding the cut cell's
// arrangement, docs/decisions/0008 "Round 5 (helper bureau)").
// Checks: households read from 户数, every polygon invariant by geometry, no grid across a hard
// road, gridplan check agreeing with metrics.json, check_plan.py.
TEST_CASE("realdata: bureau-style GBK Shapefiles plan and hold every invariant", "[realdata]") {
  if (!have(kNanjing.file)) return;
  const fs::path dir = bureau_inputs(planned(kNanjing.name, quote(shared(kNanjing.file))));
  if (dir.empty()) return;
  const std::string input = quote(dir);
  const fs::path run = planned("bureau", input);
  const nlohmann::json kpis = kpis_of(run);
  CHECK(kpis["households"].get<long long>() > 0);
  // 户数 is given for a third of the buildings: the loader must have read it (the run's buildings
  // layer says which counts were estimated).
  const Result estimated = shell(
      "ogrinfo -ro -q -sql \"SELECT COUNT(*) FROM buildings WHERE "
      "hh_est = 0 AND households > 0\" " +
      quote(run / "plan.gpkg"));
  INFO(estimated.out);
  CHECK(estimated.out.find("= 0\n") == std::string::npos);
  check_polygon_invariants(run, input);
  check_barriers(run, input, true);
  check_agreement(run, input, kPolygonFigures);
  check_with_python(run);
}
