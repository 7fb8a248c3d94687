// The towers' contact units (find_contact_units in planner/partition/atoms.cpp): which unit of a
// tower split by entrances each neighbour links to. Issue 14: cutting every tower's cell on one
// thread was 95 % of "planning grids" on a real city in one community, with no progress update
// for 30 s. A tower whose footprint lies clear of its cell's boundary is no longer cut (every
// neighbour takes its first unit), the others are cut in parallel, and the stage reports as the
// towers are done. Here: the geometric test itself, the claim it rests on (a clear tower's later
// units border no neighbour, on synthetic towers and on the real extracts in ../shared/data),
// plans the same with one thread and with several, and the stage's progress inside a community
// full of towers.

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <tbb/global_control.h>

#include "planner/geo/cell_split.hpp"
#include "planner/geo/tessellation.hpp"
#include "planner/io/load.hpp"
#include "planner/partition/partition_internal.hpp"
#include "planner/partition/partitioner.hpp"

using namespace gp;
using partition::detail::footprint_clear_of_cell_boundary;
using partition::detail::kClearOfCellM;
using partition::detail::unit_households;

namespace {

Polygon rect(double x0, double y0, double x1, double y1) {
  return {{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}};
}

/// One community of `columns` × `rows` towers of 300 households (25 estimated units each, more
/// than the micro maximum of 200): every other pair of towers shares a wall (their footprints
/// touch, so the cell boundary runs along the wall), the others stand alone 20 m apart.
Dataset tower_town(int columns, int rows) {
  Dataset dataset;
  Community c;
  c.id = 1;
  c.name = "塔楼社区";
  const double width = columns * 60.0 + 40.0, height = rows * 40.0 + 40.0;
  c.footprint = {rect(0, 0, width, height)};
  dataset.communities.push_back(c);
  for (int r = 0; r < rows; ++r)
    for (int col = 0; col < columns; ++col) {
      Building b;
      b.id = static_cast<std::int64_t>(dataset.buildings.size()) + 1;
      b.households = 300;
      b.floors = 6;
      b.community = 0;
      // Pairs (2j, 2j+1) in a row: the first pair of every row shares a wall, and every
      // other pair after it; the rest stand 44 m apart.
      const int pair = col / 2;
      const bool joined = pair % 2 == 0;
      const double x0 = 20.0 + pair * 120.0 + (col % 2) * (joined ? 16.0 : 60.0);
      const double y0 = 20.0 + r * 40.0;
      b.footprint = {rect(x0, y0, x0 + 16.0, y0 + 12.0)};
      dataset.buildings.push_back(std::move(b));
    }
  return dataset;
}

/// For every tower (above the micro maximum, two units or more, with a cell) whose footprint is
/// clear of its cell's boundary: its cell cut one weight per unit (as find_contact_units would)
/// and every neighbour's border compared, as pieces_bordering does, from both sides. Returns
/// (towers checked, towers not clear); fails a CHECK where a later unit borders a neighbour.
std::pair<int, int> check_clear_towers(const Dataset& dataset, const geo::Tessellation& tess,
                                       int limit) {
  const PartitionParams params;
  std::vector<std::vector<std::int32_t>> neighbours(dataset.buildings.size());
  for (const geo::CellAdjacency& adj : tess.adjacency) {
    neighbours[static_cast<std::size_t>(adj.a)].push_back(adj.b);
    neighbours[static_cast<std::size_t>(adj.b)].push_back(adj.a);
  }
  int checked = 0, not_clear = 0;
  for (std::size_t b = 0; b < dataset.buildings.size() && checked < limit; ++b) {
    const Building& building = dataset.buildings[b];
    const MultiPolygon& cell = tess.cells[b];
    if (building.households <= params.micro.max || cell.empty() || neighbours[b].empty()) continue;
    const std::size_t units = unit_households(building).households.size();
    if (units < 2) continue;
    if (!footprint_clear_of_cell_boundary(cell, building.footprint, kClearOfCellM)) {
      ++not_clear;
      continue;
    }
    ++checked;
    const std::vector<MultiPolygon> pieces =
        geo::split_cell_along_building(cell, building.footprint, std::vector<double>(units, 1.0));
    for (std::int32_t other : neighbours[b]) {
      const std::vector<MultiPolygon> whole{tess.cells[static_cast<std::size_t>(other)]};
      INFO("building " << building.id << " (" << units << " units) beside building "
                       << dataset.buildings[static_cast<std::size_t>(other)].id);
      CHECK(geo::pieces_bordering(pieces, whole).first <= 0);
      CHECK(geo::pieces_bordering(whole, pieces).second <= 0);
    }
  }
  return {checked, not_clear};
}

std::vector<Box> boxes(const std::vector<MultiPolygon>& pieces) {
  std::vector<Box> result;
  for (const MultiPolygon& piece : pieces) result.push_back(bounds(piece));
  return result;
}

/// For every cut tower (above the micro maximum, two units or more, with a cell, not clear of
/// its cell's boundary) and every neighbour: where later_unit_pieces_near says no later unit's
/// piece is near the neighbour's cell (or, for two towers, any pair involving a later unit),
/// pieces_bordering — the overlays find_contact_units then skips — finds no later unit either.
/// Returns (pairs skipped, pairs compared); at most `limit` towers.
std::pair<int, int> check_skipped_pairs(const Dataset& dataset, const geo::Tessellation& tess,
                                        int limit) {
  using partition::detail::later_unit_pieces_near;
  const PartitionParams params;
  auto pieces_of = [&](std::size_t b) {
    const Building& building = dataset.buildings[b];
    const MultiPolygon& cell = tess.cells[b];
    if (building.households <= params.micro.max || cell.empty())
      return std::vector<MultiPolygon>{cell};
    const std::size_t units = unit_households(building).households.size();
    if (units < 2 || footprint_clear_of_cell_boundary(cell, building.footprint, kClearOfCellM))
      return std::vector<MultiPolygon>{cell};
    return geo::split_cell_along_building(cell, building.footprint,
                                          std::vector<double>(units, 1.0));
  };
  int skipped = 0, compared = 0, towers = 0;
  for (const geo::CellAdjacency& adj : tess.adjacency) {
    if (towers >= limit) break;
    const std::vector<MultiPolygon> a = pieces_of(static_cast<std::size_t>(adj.a)),
                                    b = pieces_of(static_cast<std::size_t>(adj.b));
    if (a.size() < 2 && b.size() < 2) continue;
    ++towers;
    if (later_unit_pieces_near(boxes(a), boxes(b))) {
      ++compared;
      continue;
    }
    ++skipped;
    const auto [ua, ub] = geo::pieces_bordering(a, b);
    INFO("building " << dataset.buildings[static_cast<std::size_t>(adj.a)].id << " (" << a.size()
                     << " pieces) beside building "
                     << dataset.buildings[static_cast<std::size_t>(adj.b)].id << " (" << b.size()
                     << " pieces)");
    CHECK(ua <= 0);
    CHECK(ub <= 0);
  }
  return {skipped, compared};
}

struct StageSeen {
  int updates = 0;
  int contact_updates = 0;   // below 0.2: the towers' contact units (first of three units)
  int centroid_updates = 0;  // below 0.04: the cells' centroids (a fifth of the first unit)
  int clear_updates = 0;     // 0.04 to 0.08: the towers' clearance checks (the next fifth)
  int graph_updates = 0;     // 0.2 to 0.21: the large grids' atom graph (a twentieth of the second)
  int tail_updates = 0;      // 0.6 to 0.67: after the micro grids, the planners freed, the merge
  double last = 0.0;
  double largest_step = 0.0;
  double largest_step_from = 0.0;  // the fraction the largest step started at
  bool decreased = false;
};

/// "planning grids" as make_plan reports it for `dataset`, with a clock that advances one
/// second per reading (so every unit of work done can be reported).
StageSeen planning_progress(const Dataset& dataset, const geo::Tessellation& tess) {
  std::atomic<long> ticks{0};
  std::mutex mutex;
  StageSeen seen;
  std::string previous;
  Progress progress(
      [&](const ProgressReport& r) {
        const std::lock_guard lock(mutex);
        if (r.stage != "planning grids") {
          previous = r.stage;
          return;
        }
        if (seen.updates > 0 && previous == r.stage) {
          if (r.fraction - seen.last > seen.largest_step) {
            seen.largest_step = r.fraction - seen.last;
            seen.largest_step_from = seen.last;
          }
          seen.decreased = seen.decreased || r.fraction < seen.last;
        }
        if (r.fraction > 0.0 && r.fraction < 0.2) ++seen.contact_updates;
        if (r.fraction > 0.0 && r.fraction < 0.04 - 1e-12) ++seen.centroid_updates;
        if (r.fraction > 0.04 + 1e-12 && r.fraction < 0.08 - 1e-12) ++seen.clear_updates;
        if (r.fraction > 0.2 + 1e-12 && r.fraction < 0.21 - 1e-12) ++seen.graph_updates;
        if (r.fraction > 0.6 + 1e-12 && r.fraction < 0.67 + 1e-12) ++seen.tail_updates;
        seen.last = r.fraction;
        previous = r.stage;
        ++seen.updates;
      },
      [&] { return static_cast<double>(++ticks); });
  make_plan(dataset, tess, PartitionParams{}, progress);
  return seen;
}

/// The real extracts in ../shared/data, each loaded and tessellated once per test run (seconds of
/// GEOS work each, tens of seconds under ASan) for the tests that check a claim on them; an
/// absent extract is left out with a warning.
struct ExtractTessellation {
  std::string name;
  Dataset dataset;
  geo::Tessellation tess;
};

const std::vector<ExtractTessellation>& real_extract_tessellations() {
  static const std::vector<ExtractTessellation> extracts = [] {
    const std::filesystem::path dir =
        std::filesystem::path(GRIDPLAN_SOURCE_DIR) / ".." / "shared" / "data" / "osm";
    std::vector<ExtractTessellation> loaded;
    for (const char* name :
         {"nanjing-xinjiekou.osm", "helsinki-centre.osm.pbf", "monaco.osm.pbf"}) {
      const auto path = dir / name;
      if (!std::filesystem::exists(path)) {
        WARN("skipped: " << path.string() << " not present");
        continue;
      }
      io::LoadOptions load;
      load.inputs.push_back({path.string(), "", {}});
      Progress progress;
      ExtractTessellation extract{name, io::load_dataset(load, progress), {}};
      extract.tess =
          geo::tessellate(extract.dataset, tessellation_params(PartitionParams{}), progress);
      loaded.push_back(std::move(extract));
    }
    return loaded;
  }();
  return extracts;
}

}  // namespace

TEST_CASE("footprint clear of its cell's boundary: inside with the margin, nothing else",
          "[plan][units][contact]") {
  const MultiPolygon cell{rect(0, 0, 100, 50)};
  const double m = kClearOfCellM;
  CHECK(footprint_clear_of_cell_boundary(cell, {rect(10, 10, 40, 30)}, m));
  // Within the margin of an edge, touching it, crossing it, outside.
  CHECK_FALSE(footprint_clear_of_cell_boundary(cell, {rect(10, 10, 100 - m / 2, 30)}, m));
  CHECK(footprint_clear_of_cell_boundary(cell, {rect(10, 10, 100 - 2 * m, 30)}, m));
  CHECK_FALSE(footprint_clear_of_cell_boundary(cell, {rect(10, 0, 40, 30)}, m));
  CHECK_FALSE(footprint_clear_of_cell_boundary(cell, {rect(90, 10, 120, 30)}, m));
  CHECK_FALSE(footprint_clear_of_cell_boundary(cell, {rect(200, 10, 240, 30)}, m));
  // A cell with a notch reaching in between the footprint's box edges: its vertex comes near
  // the footprint's edge although no vertex of the footprint is near the cell's.
  const MultiPolygon notched{
      {{{0, 0}, {100, 0}, {100, 50}, {30, 50}, {25, 30.0 + m / 2}, {20, 50}, {0, 50}, {0, 0}}, {}}};
  CHECK_FALSE(footprint_clear_of_cell_boundary(notched, {rect(10, 10, 40, 30)}, m));
  CHECK(footprint_clear_of_cell_boundary(notched, {rect(10, 10, 40, 29)}, m));
  // A cell with a hole (another building's cell inside it), a cell or footprint in two parts.
  MultiPolygon holed{rect(0, 0, 100, 50)};
  holed.front().holes.push_back({{60, 10}, {60, 20}, {70, 20}, {70, 10}, {60, 10}});
  CHECK_FALSE(footprint_clear_of_cell_boundary(holed, {rect(10, 10, 40, 30)}, m));
  CHECK_FALSE(footprint_clear_of_cell_boundary({rect(0, 0, 100, 50), rect(200, 0, 300, 50)},
                                               {rect(10, 10, 40, 30)}, m));
  CHECK_FALSE(
      footprint_clear_of_cell_boundary(cell, {rect(10, 10, 20, 30), rect(30, 10, 40, 30)}, m));
  // A courtyard in the footprint is fine: no other cell lies inside a cell without holes.
  MultiPolygon courtyard{rect(10, 10, 40, 30)};
  courtyard.front().holes.push_back({{20, 15}, {20, 25}, {30, 25}, {30, 15}, {20, 15}});
  CHECK(footprint_clear_of_cell_boundary(cell, courtyard, m));
}

TEST_CASE("a tower clear of its cell's boundary borders its neighbours by its first unit only",
          "[plan][units][contact]") {
  const Dataset dataset = tower_town(8, 4);
  Progress progress;
  const geo::Tessellation tess =
      geo::tessellate(dataset, tessellation_params(PartitionParams{}), progress);
  const auto [checked, not_clear] = check_clear_towers(dataset, tess, 1000);
  // Both kinds are there: towers standing alone, and towers sharing a wall (cut).
  CHECK(checked >= 8);
  CHECK(not_clear >= 8);
}

TEST_CASE("contact units: pairs with no later unit's piece near are skipped, and border by unit 0",
          "[plan][units][contact]") {
  // The skip's claim on towers sharing a wall (cut, a neighbour beside each unit) and standing
  // alone; and the helper itself on boxes.
  const Dataset dataset = tower_town(8, 4);
  Progress progress;
  const geo::Tessellation tess =
      geo::tessellate(dataset, tessellation_params(PartitionParams{}), progress);
  const auto [skipped, compared] = check_skipped_pairs(dataset, tess, 1000);
  CHECK(compared > 0);
  using partition::detail::kPiecesNearM;
  using partition::detail::later_unit_pieces_near;
  const Box whole{0, 0, 10, 10}, first{0, 0, 5, 10}, later{5, 0, 10, 10};
  const Box far{10 + 2 * kPiecesNearM, 0, 20, 10}, close{10 + kPiecesNearM / 2, 0, 20, 10};
  CHECK_FALSE(later_unit_pieces_near({whole}, {far}));
  CHECK_FALSE(later_unit_pieces_near({first, later}, {far}));
  CHECK(later_unit_pieces_near({first, later}, {close}));
  CHECK(later_unit_pieces_near({close}, {first, later}));
  CHECK_FALSE(later_unit_pieces_near({first, Box{}}, {close}));  // an empty piece is never near
  // Only the first pieces near each other: a pair (0, 0) decides no later unit.
  const Box beside_first{-5, 0, 0, 10};
  CHECK_FALSE(later_unit_pieces_near({first, later}, {beside_first}));
  WARN("tower town: " << skipped << " pairs skipped, " << compared << " compared");
}

// One test case (the extracts loaded and tessellated once for both claims: ctest runs each test
// case in its own process).
TEST_CASE("on the real extracts, clear towers and contact pairs skipped by box border by unit 0",
          "[plan][units][contact][shared]") {
  SECTION("a tower clear of its cell's boundary borders by unit 0 only") {
    int total = 0;
    for (const ExtractTessellation& extract : real_extract_tessellations()) {
      // At most 150 towers per extract: each cut is GEOS work per unit.
      const auto [checked, not_clear] = check_clear_towers(extract.dataset, extract.tess, 150);
      WARN(extract.name << ": " << checked << " clear towers checked, " << not_clear
                        << " not clear");
      total += checked;
    }
    if (total == 0) WARN("skipped: no extract with clear towers found under ../shared/data/osm");
  }
  SECTION("a contact pair no later unit's piece comes near borders by unit 0 only") {
    int total = 0;
    for (const ExtractTessellation& extract : real_extract_tessellations()) {
      // At most 300 adjacencies of cut towers per extract: each cut is GEOS work per unit.
      const auto [skipped, compared] = check_skipped_pairs(extract.dataset, extract.tess, 300);
      WARN(extract.name << ": " << skipped << " pairs skipped by box, " << compared << " compared");
      total += skipped;
    }
    if (total == 0) WARN("skipped: no extract with skipped pairs found under ../shared/data/osm");
  }
}

TEST_CASE("a community full of towers: the same plan on one thread and on several",
          "[plan][units][contact][determinism]") {
  const Dataset dataset = tower_town(10, 5);
  Progress progress;
  const geo::Tessellation tess =
      geo::tessellate(dataset, tessellation_params(PartitionParams{}), progress);
  Plan serial;
  {
    tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
    serial = make_plan(dataset, tess, PartitionParams{}, progress);
  }
  const Plan parallel = make_plan(dataset, tess, PartitionParams{}, progress);
  REQUIRE(serial.large_grids.size() == parallel.large_grids.size());
  REQUIRE(serial.micro_grids.size() == parallel.micro_grids.size());
  for (std::size_t g = 0; g < serial.large_grids.size(); ++g) {
    CHECK(serial.large_grids[g].buildings == parallel.large_grids[g].buildings);
    CHECK(serial.large_grids[g].metrics.households == parallel.large_grids[g].metrics.households);
  }
  for (std::size_t g = 0; g < serial.micro_grids.size(); ++g) {
    CHECK(serial.micro_grids[g].buildings == parallel.micro_grids[g].buildings);
    CHECK(serial.micro_grids[g].metrics.households == parallel.micro_grids[g].metrics.households);
    CHECK(serial.micro_grids[g].parent == parallel.micro_grids[g].parent);
  }
  // Every tower is split by units, and every grid is one contiguous piece within the maximum.
  for (const Grid& m : parallel.micro_grids) {
    CHECK(m.metrics.contiguous);
    CHECK(m.metrics.households <= 200);
  }
  for (const Grid& g : parallel.large_grids) {
    CHECK(g.metrics.contiguous);
    CHECK(g.metrics.households <= 500);
  }
}

TEST_CASE("planning grids reports while a community's towers are cut, more often for more towers",
          "[plan][units][contact][progress]") {
  const Dataset small = tower_town(4, 3), large = tower_town(12, 6);
  Progress progress;
  const PartitionParams params;
  const StageSeen few =
      planning_progress(small, geo::tessellate(small, tessellation_params(params), progress));
  const StageSeen many =
      planning_progress(large, geo::tessellate(large, tessellation_params(params), progress));
  INFO("updates " << few.updates << " / " << many.updates << ", while cutting "
                  << few.contact_updates << " / " << many.contact_updates << "; largest step "
                  << many.largest_step << " from " << many.largest_step_from);
  // One community: without reports inside it the stage went from 0 to 0.6 in one step.
  CHECK(few.contact_updates >= 3);
  CHECK(many.contact_updates > 2 * few.contact_updates);
  CHECK(many.updates > few.updates);
  CHECK_FALSE(many.decreased);
  // Steps are work, not time: the largest is the large grids' partition finding nothing to
  // refine after its construction (its container's refinement share done at once), under half
  // of that third of the stage's 0.6.
  CHECK(many.largest_step <= 0.1);
  CHECK(many.last == Approx(1.0));
}

namespace {

/// 800 buildings of `households` each in one community, standing apart: towers (300) are each
/// clear of their cell's boundary, so none is cut and nothing is compared.
Dataset towers_apart(int households = 300) {
  Dataset town;
  Community c;
  c.id = 1;
  c.name = "塔楼社区";
  c.footprint = {rect(0, 0, 40 * 40.0 + 40.0, 20 * 30.0 + 40.0)};
  town.communities.push_back(c);
  for (int r = 0; r < 20; ++r)
    for (int col = 0; col < 40; ++col) {
      Building b;
      b.id = static_cast<std::int64_t>(town.buildings.size()) + 1;
      b.households = households;
      b.floors = 6;
      b.community = 0;
      const double x0 = 32.0 + col * 40.0, y0 = 29.0 + r * 30.0;
      b.footprint = {rect(x0, y0, x0 + 16.0, y0 + 12.0)};
      town.buildings.push_back(std::move(b));
    }
  return town;
}

}  // namespace

TEST_CASE("planning grids reports before the first tower is cut: centroids, clearance checks",
          "[plan][units][contact][progress]") {
  // Round 10 (docs/benchmarks.md "Progress silences at 1M, round 10"): a town in one community
  // sat at 0 % for seconds while every cell's centroid was taken and every tower's clearance
  // checked, before the first tower was cut. Each now reports its fifth of the contact units
  // (0 to 0.04 and 0.04 to 0.08 of the stage), counted by updates, not time.
  // towers_apart(): none is cut and nothing is compared (before, the contact units went from 0
  // to 0.2 in one step).
  const Dataset town = towers_apart();
  Progress progress;
  const PartitionParams params;
  const StageSeen seen =
      planning_progress(town, geo::tessellate(town, tessellation_params(params), progress));
  INFO("updates " << seen.updates << ": centroids " << seen.centroid_updates << ", clearance "
                  << seen.clear_updates);
  CHECK(seen.centroid_updates >= 2);
  CHECK(seen.clear_updates >= 2);
  CHECK_FALSE(seen.decreased);
  CHECK(seen.last == Approx(1.0));
}

namespace {

/// "planning grids" as seen while 800 houses of 2 households in two towers apart are planned.
StageSeen two_towers_planning_progress() {
  const Dataset town = towers_apart(2);
  Progress progress;
  const PartitionParams params;
  return planning_progress(town, geo::tessellate(town, tessellation_params(params), progress));
}

}  // namespace

TEST_CASE("planning grids reports while the large grids' atom graph is built", "[plan][progress]") {
  // Round 11 (docs/benchmarks.md "Planning grids and grid polygons, round 11"): at 1M buildings
  // in one community "planning grids" sat at 20 % for seconds between the towers' contact units
  // and the large grids' first report: making the atom graph (its loops over every adjacency and
  // every atom) and the partition's first bisections. The graph's loops now report a twentieth of
  // the large grids' unit (0.2 to 0.21 of the stage), the bisections the partition's share
  // (tests/partition/test_graph_partition.cpp). Counted by updates, not time. 800 houses of 2
  // households: four large grids, whose partition reports nothing before 0.21 (before, its first
  // update, a quarter of the nodes placed, was the first after 0.2).
  const StageSeen seen = two_towers_planning_progress();
  INFO("updates " << seen.updates << ": atom graph " << seen.graph_updates);
  // 9: every 256 of the ~2,300 adjacencies and of the 800 atoms (2 without the graph's reports:
  // the partition's first bisection, then starting at 0.2).
  CHECK(seen.graph_updates >= 6);
  CHECK_FALSE(seen.decreased);
  CHECK(seen.last == Approx(1.0));
}

TEST_CASE("planning grids reports after the micro grids and around the merge", "[plan][progress]") {
  // Round 12: at 1M buildings in one community "planning grids" sat at 60 % for 1.16 s after the
  // micro grids' last report: the split buildings' reports, the grids' connectivity, compound
  // splits and codes, the planner freed and the communities merged. Each now reports (0.6 to
  // 0.65 after the micro grids, 0.66 once the planners are freed, 0.67 once merged).
  const StageSeen seen = two_towers_planning_progress();
  INFO("updates " << seen.updates << ": after the micro grids " << seen.tail_updates);
  CHECK(seen.tail_updates >= 4);
  CHECK_FALSE(seen.decreased);
  CHECK(seen.last == Approx(1.0));
}
