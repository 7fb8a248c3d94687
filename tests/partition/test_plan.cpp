// make_plan on hand-made towns (real tessellation): exact results, islands, oversized compounds,
// small communities, split buildings, locked grids, re-plans, and invariants over many seeds.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "planner/geo/tessellation.hpp"
#include "planner/partition/partitioner.hpp"

using namespace gp;

namespace {

Polygon rect(double x0, double y0, double x1, double y1) {
  return {{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}};
}

struct Town {
  Dataset dataset;
  std::int32_t community(double x0, double y0, double x1, double y1, std::string code = "") {
    Community c;
    c.id = static_cast<std::int64_t>(dataset.communities.size()) + 1;
    c.name = "社区" + std::to_string(c.id);
    c.code = std::move(code);
    c.footprint = {rect(x0, y0, x1, y1)};
    dataset.communities.push_back(std::move(c));
    return static_cast<std::int32_t>(dataset.communities.size()) - 1;
  }
  std::int32_t compound(std::int32_t community, std::string name) {
    Compound c;
    c.id = static_cast<std::int64_t>(dataset.compounds.size()) + 1;
    c.ref = "K" + std::to_string(c.id);
    c.name = std::move(name);
    c.community = community;
    dataset.compounds.push_back(std::move(c));
    return static_cast<std::int32_t>(dataset.compounds.size()) - 1;
  }
  std::int32_t building(double x, double y, int households, std::int32_t community,
                        std::int32_t compound = kNone, int units = 0) {
    Building b;
    b.id = static_cast<std::int64_t>(dataset.buildings.size()) + 1000;
    b.footprint = {rect(x - 8, y - 6, x + 8, y + 6)};
    b.households = households;
    b.units = units;
    b.community = community;
    b.compound = compound;
    dataset.buildings.push_back(std::move(b));
    return static_cast<std::int32_t>(dataset.buildings.size()) - 1;
  }
  void line(LineKind kind, std::string cls, LineString geometry) {
    Line l;
    l.id = static_cast<std::int64_t>(dataset.lines.size()) + 1;
    l.kind = kind;
    l.cls = std::move(cls);
    l.geometry = std::move(geometry);
    dataset.lines.push_back(std::move(l));
  }
};

struct Planned {
  geo::Tessellation tess;
  Plan plan;
};

Planned plan_town(const Dataset& dataset, const PartitionParams& params = {},
                  const Plan* existing = nullptr) {
  Progress progress;
  Planned out;
  out.tess = geo::tessellate(dataset, tessellation_params(params), progress);
  out.plan = make_plan(dataset, out.tess, params, progress, existing);
  return out;
}

bool has_problem(const Plan& plan, const std::string& kind) {
  for (const Problem& p : plan.problems.problems())
    if (p.kind == kind) return true;
  return false;
}

/// Invariants every plan must satisfy.
void check_invariants(const Dataset& dataset, const Plan& plan) {
  // Every building with a community is in exactly one large grid — or, above the large maximum,
  // split by units over several (reported) — and maps to one micro grid whose parent is the
  // large grid holding its cell.
  std::vector<int> large_count(dataset.buildings.size(), 0);
  for (const Grid& g : plan.large_grids)
    for (std::int32_t b : g.buildings) ++large_count[static_cast<std::size_t>(b)];
  bool split_reported = false;
  for (const Problem& p : plan.problems.problems())
    split_reported |= p.kind == "building-split-by-units";
  for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
    if (dataset.buildings[b].community == kNone) continue;
    INFO("building " << b);
    CHECK(large_count[b] >= 1);
    if (large_count[b] > 1) CHECK(split_reported);
    if (dataset.buildings[b].households <= 500) CHECK(large_count[b] == 1);
    REQUIRE(plan.building_micro[b] != kNone);
    CHECK(plan.micro_grids[static_cast<std::size_t>(plan.building_micro[b])].parent ==
          plan.building_large[b]);
  }
  for (const Grid& m : plan.micro_grids) {
    REQUIRE(m.parent != kNone);
    const Grid& parent = plan.large_grids[static_cast<std::size_t>(m.parent)];
    CHECK(m.code.substr(0, parent.code.size()) == parent.code);
    for (std::int32_t b : m.buildings)
      CHECK(std::binary_search(parent.buildings.begin(), parent.buildings.end(), b));
  }
  CHECK(plan.metrics.barrier_crossings == 0);
  CHECK(plan.metrics.discontiguous == 0);
  // Every grid has a shape (runs of a split building's entrances get a stretch of its cell).
  for (const Grid& g : plan.large_grids) CHECK_FALSE(g.polygon.empty());
  for (const Grid& g : plan.micro_grids) CHECK_FALSE(g.polygon.empty());
  // Seamless: grids tile each community and micro grids tile their large grid.
  double community_area = 0.0;
  for (const Community& c : dataset.communities) community_area += area(c.footprint);
  CHECK(plan.metrics.coverage_gap_m2 <= 1e-6 * community_area);
  CHECK(plan.metrics.coverage_overlap_m2 <= 1e-6 * community_area);
  std::set<std::string> codes;
  for (const Grid& g : plan.large_grids) CHECK(codes.insert(g.code).second);
  for (const Grid& g : plan.micro_grids) CHECK(codes.insert(g.code).second);
  // Every grid outside its household bounds carries the reason the partition found for it
  // (issue 12: plan.gpkg's bounds_why, `gridplan check`); a grid within them carries none.
  for (const auto* grids : {&plan.large_grids, &plan.micro_grids})
    for (const Grid& g : *grids) {
      INFO(g.code << " holds " << g.metrics.households << " households");
      CHECK((g.metrics.below_min || g.metrics.above_max) == !g.bounds_reason.empty());
    }
}

/// West: 8 buildings × 100 households (2 rows of 4); a river at x = 300; east: an island
/// building of 40 households.
Town river_town() {
  Town town;
  const auto c = town.community(0, 0, 400, 200, "140221001001");
  for (int row = 0; row < 2; ++row)
    for (int col = 0; col < 4; ++col) town.building(40 + col * 70, 50 + row * 100, 100, c);
  town.building(350, 100, 40, c);
  town.line(LineKind::river, "river", {{300, -10}, {300, 210}});
  return town;
}

}  // namespace

TEST_CASE("river town: two large grids west, the island undersized and reported", "[plan]") {
  Town town = river_town();
  auto [tess, plan] = plan_town(town.dataset);
  check_invariants(town.dataset, plan);
  REQUIRE(plan.large_grids.size() == 3);
  std::multiset<int> households;
  for (const Grid& g : plan.large_grids) households.insert(g.metrics.households);
  CHECK(households == std::multiset<int>{40, 400, 400});
  const std::int32_t island_grid = plan.building_large[8];
  CHECK(plan.large_grids[static_cast<std::size_t>(island_grid)].buildings ==
        std::vector<std::int32_t>{8});
  CHECK(plan.large_grids[static_cast<std::size_t>(island_grid)].metrics.below_min);
  CHECK(has_problem(plan, "container-below-minimum"));
  // The island grid's own reason, and its single micro grid's (40 < 100): its large grid's.
  CHECK(plan.large_grids[static_cast<std::size_t>(island_grid)].bounds_reason.rfind(
            "container-below-minimum", 0) == 0);
  const Grid& island_micro = plan.micro_grids[static_cast<std::size_t>(plan.building_micro[8])];
  CHECK(island_micro.metrics.below_min);
  CHECK(island_micro.bounds_reason.find("container-below-minimum") != std::string::npos);
  CHECK(plan.metrics.bound_violations >= 1);
  // Codes: community code + 2 digits, numbered west → east: the island (east) is last.
  CHECK(plan.large_grids[0].code == "14022100100101");
  CHECK(plan.large_grids[static_cast<std::size_t>(island_grid)].code == "14022100100103");
  // Micro grids of the western large grids lie within 100–200 households.
  for (const Grid& m : plan.micro_grids)
    if (m.parent != island_grid) {
      CHECK(m.metrics.households >= 100);
      CHECK(m.metrics.households <= 200);
    }
}

TEST_CASE("plans are identical across runs", "[plan][determinism]") {
  Town town = river_town();
  auto first = plan_town(town.dataset).plan;
  auto second = plan_town(town.dataset).plan;
  REQUIRE(first.large_grids.size() == second.large_grids.size());
  CHECK(first.building_large == second.building_large);
  CHECK(first.building_micro == second.building_micro);
  for (std::size_t g = 0; g < first.large_grids.size(); ++g)
    CHECK(first.large_grids[g].code == second.large_grids[g].code);
}

TEST_CASE("a compound above the maximum is split along buildings and reported", "[plan]") {
  Town town;
  const auto c = town.community(0, 0, 600, 200);
  const auto k = town.compound(c, "阳光小区");
  for (int i = 0; i < 6; ++i) town.building(50 + i * 100, 100, 100, c, k);  // 600 households
  auto [tess, plan] = plan_town(town.dataset);
  check_invariants(town.dataset, plan);
  CHECK(plan.large_grids.size() == 2);  // 600: 2 grids of 300
  CHECK(plan.metrics.bound_violations == 0);
  CHECK(plan.metrics.compound_splits == 1);
  CHECK(has_problem(plan, "compound-split"));
  // Generated community code: "99" + 10 digits.
  CHECK(plan.large_grids[0].code.substr(0, 12) == "990000000001");
}

TEST_CASE("compounds within the maximum stay whole", "[plan]") {
  Town town;
  const auto c = town.community(0, 0, 800, 200);
  const auto a = town.compound(c, "甲小区");
  const auto b = town.compound(c, "乙小区");
  for (int i = 0; i < 4; ++i) town.building(50 + i * 100, 100, 90, c, a);  // 360
  for (int i = 4; i < 8; ++i) town.building(50 + i * 100, 100, 95, c, b);  // 380
  auto [tess, plan] = plan_town(town.dataset);
  check_invariants(town.dataset, plan);
  REQUIRE(plan.large_grids.size() == 2);
  CHECK(plan.metrics.compound_splits == 0);
  CHECK(plan.building_large[0] != plan.building_large[7]);
  for (int i = 1; i < 4; ++i)
    CHECK(plan.building_large[static_cast<std::size_t>(i)] == plan.building_large[0]);
}

TEST_CASE("a community below the minimum becomes one undersized grid, reported", "[plan]") {
  Town town;
  const auto c = town.community(0, 0, 200, 100);
  town.building(50, 50, 120, c);
  town.building(150, 50, 80, c);
  auto [tess, plan] = plan_town(town.dataset);
  check_invariants(town.dataset, plan);
  REQUIRE(plan.large_grids.size() == 1);
  CHECK(plan.large_grids[0].metrics.households == 200);
  CHECK(plan.large_grids[0].metrics.below_min);
  bool whole = false;
  for (const Problem& p : plan.problems.problems())
    if (p.kind == "container-below-minimum" &&
        p.message.find("whole community") != std::string::npos)
      whole = true;
  CHECK(whole);
}

TEST_CASE("a building above the micro maximum is split by units", "[plan]") {
  Town town;
  const auto c = town.community(0, 0, 300, 100);
  town.building(50, 50, 450, c, kNone, 3);  // 3 entrances × 150
  auto [tess, plan] = plan_town(town.dataset);
  REQUIRE(plan.large_grids.size() == 1);
  CHECK(plan.micro_grids.size() == 3);
  double micro_area = 0.0;
  for (const Grid& m : plan.micro_grids) {
    CHECK(m.metrics.households == 150);
    CHECK_FALSE(m.polygon.empty());  // each run of entrances has its stretch of the cell
    micro_area += area(m.polygon);
  }
  CHECK(micro_area == Approx(area(plan.large_grids.front().polygon)).epsilon(1e-9));
  CHECK(plan.metrics.buildings_split == 1);
  CHECK(has_problem(plan, "building-split-by-units"));
  check_invariants(town.dataset, plan);
}

TEST_CASE("a tower above the large maximum is split at unit boundaries into large grids",
          "[plan][units]") {
  Town town;
  const auto c = town.community(0, 0, 300, 100);
  const auto tower = town.building(50, 50, 1200, c, kNone, 12);  // 12 entrances × 100
  auto [tess, plan] = plan_town(town.dataset);
  check_invariants(town.dataset, plan);
  REQUIRE(plan.large_grids.size() == 3);  // 1200 / 400
  for (const Grid& g : plan.large_grids) {
    CHECK(g.metrics.households == 400);  // 4 whole entrances each
    CHECK(g.buildings == std::vector<std::int32_t>{tower});
  }
  CHECK(plan.metrics.bound_violations == 0);
  CHECK(plan.metrics.buildings_split == 1);
  CHECK(has_problem(plan, "building-split-by-units"));
  CHECK_FALSE(has_problem(plan, "container-granularity"));
  // The tower's cell (the whole community) is cut across the tower's long axis (x, 16 m from
  // x = 42 to 58) at its unit boundaries, 4 of 12 entrances per grid: x = 47.33 and 52.67. The
  // second and third runs take their strips of the footprint (y 44–56); the first run, whose grid
  // would also hold the neighbours, keeps its strip and the rest of the cell. Each is one
  // polygon and together they tile the community.
  std::vector<std::pair<double, Box>> shapes;  // (area, box) per large grid
  double total = 0.0;
  for (const Grid& g : plan.large_grids) {
    REQUIRE(g.polygon.size() == 1);
    shapes.emplace_back(area(g.polygon), bounds(g.polygon));
    total += area(g.polygon);
  }
  std::sort(shapes.begin(), shapes.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  const double strip = 16.0 / 3 * 12.0;  // m²
  // Grids holding cut pieces are unioned on a 1 µm grid (geo::union_polygons): ~10⁻⁵ m².
  CHECK(shapes[0].first == Approx(strip).margin(1e-4));
  CHECK(shapes[1].first == Approx(strip).margin(1e-4));
  CHECK(shapes[2].first == Approx(300.0 * 100.0 - 2 * strip).epsilon(1e-9));
  for (int k = 0; k < 2; ++k) {
    CHECK(shapes[std::size_t(k)].second.min_y == Approx(44.0).margin(1e-9));
    CHECK(shapes[std::size_t(k)].second.max_y == Approx(56.0).margin(1e-9));
  }
  std::vector<double> strip_west{shapes[0].second.min_x, shapes[1].second.min_x};
  std::sort(strip_west.begin(), strip_west.end());
  CHECK(strip_west[0] == Approx(42.0 + 16.0 / 3).margin(1e-6));
  CHECK(strip_west[1] == Approx(42.0 + 32.0 / 3).margin(1e-6));
  CHECK(shapes[2].second.min_x == Approx(0.0).margin(1e-9));
  CHECK(shapes[2].second.max_x == Approx(300.0).margin(1e-9));
  CHECK(total == Approx(300.0 * 100.0).epsilon(1e-9));
  for (const Grid& m : plan.micro_grids) CHECK_FALSE(m.polygon.empty());
  CHECK(plan.metrics.coverage_gap_m2 < 1e-4);
  CHECK(plan.metrics.coverage_overlap_m2 < 1e-4);
}

TEST_CASE("a tower with unknown units is split at estimated unit boundaries, with neighbours",
          "[plan][units]") {
  Town town;
  const auto c = town.community(0, 0, 400, 100);
  const auto tower = town.building(50, 50, 700, c);
  town.dataset.buildings[static_cast<std::size_t>(tower)].floors = 25;  // ⌈700/50⌉ = 14 units
  town.building(150, 50, 100, c);
  town.building(250, 50, 100, c);
  auto [tess, plan] = plan_town(town.dataset);
  check_invariants(town.dataset, plan);
  REQUIRE(plan.large_grids.size() == 2);  // 900 households
  for (const Grid& g : plan.large_grids) {
    CHECK(g.metrics.households >= 300);
    CHECK(g.metrics.households <= 500);
    CHECK(g.metrics.households % 50 == 0);  // whole units of 50 plus whole buildings
  }
  CHECK(plan.metrics.bound_violations == 0);
  bool estimated = false;
  for (const Problem& p : plan.problems.problems())
    if (p.kind == "building-split-by-units")
      estimated |= p.message.find("14 units estimated") != std::string::npos;
  CHECK(estimated);
}

TEST_CASE("a single-entrance building above the maximum cannot be split and is reported",
          "[plan][units]") {
  Town town;
  const auto c = town.community(0, 0, 200, 100);
  town.building(50, 50, 600, c, kNone, 1);
  auto [tess, plan] = plan_town(town.dataset);
  check_invariants(town.dataset, plan);
  REQUIRE(plan.large_grids.size() == 1);
  CHECK(plan.large_grids[0].metrics.above_max);
  CHECK(has_problem(plan, "container-granularity"));
  CHECK(plan.metrics.buildings_split == 0);
}

TEST_CASE("unplanned buildings are listed, not dropped silently", "[plan]") {
  Town town = river_town();
  town.building(1000, 1000, 30, kNone);
  auto [tess, plan] = plan_town(town.dataset);
  CHECK(has_problem(plan, "building-unplanned"));
  CHECK(plan.building_large.back() == kNone);
}

namespace {

/// A generated town: a community of w × h blocks cut by soft lanes, a river across part of it,
/// buildings with varied households; compounds of 2–4 buildings.
Town generated_town(std::uint64_t seed, int columns, int rows) {
  Town town;
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 7;
  auto next = [&](int lo, int hi) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + static_cast<int>((x >> 33) % static_cast<std::uint64_t>(hi - lo + 1));
  };
  const double width = columns * 50.0, height = rows * 40.0;
  const auto c = town.community(0, 0, width, height, "140221002003");
  std::int32_t compound = kNone;
  int left_in_compound = 0;
  for (int row = 0; row < rows; ++row)
    for (int col = 0; col < columns; ++col) {
      if (left_in_compound == 0) {
        compound =
            next(0, 2) == 0 ? kNone : town.compound(c, "小区" + std::to_string(row * 100 + col));
        left_in_compound = next(2, 4);
      }
      --left_in_compound;
      town.building(25 + col * 50, 20 + row * 40, next(0, 3) == 0 ? 0 : next(20, 90), c, compound);
    }
  // Soft lanes every 4 columns, a river across the lower third (with a gap: not a full cut).
  for (int col = 4; col < columns; col += 4)
    town.line(LineKind::road, "residential", {{col * 50.0, -1}, {col * 50.0, height + 1}});
  town.line(LineKind::river, "river", {{-1, 40.0 * (rows / 3)}, {width * 0.7, 40.0 * (rows / 3)}});
  return town;
}

}  // namespace

TEST_CASE("invariants on generated towns over many seeds", "[plan][invariants]") {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    Town town =
        generated_town(seed, 10 + static_cast<int>(seed % 4), 8 + static_cast<int>(seed % 3));
    PartitionParams params;
    params.seed = seed;
    auto [tess, plan] = plan_town(town.dataset, params);
    INFO("seed " << seed << " households " << town.dataset.total_households());
    check_invariants(town.dataset, plan);
    // Bounds are hard wherever the container admits them: any violating large grid must be
    // explained by a reported container problem.
    int violating = 0;
    for (const Grid& g : plan.large_grids)
      violating += (g.metrics.below_min || g.metrics.above_max) ? 1 : 0;
    if (violating > 0)
      CHECK((has_problem(plan, "container-below-minimum") ||
             has_problem(plan, "container-no-feasible-division") ||
             has_problem(plan, "container-granularity")));
    auto again = plan_town(town.dataset, params).plan;
    CHECK(again.building_micro == plan.building_micro);
  }
}

TEST_CASE("a locked grid stays exactly as it is", "[plan][existing]") {
  Town town = generated_town(3, 12, 9);
  auto first = plan_town(town.dataset).plan;
  REQUIRE(first.large_grids.size() >= 3);
  Plan existing = first;
  existing.large_grids[1].locked = true;
  PartitionParams params;
  params.seed = 77;  // a different seed for the rest
  auto second = plan_town(town.dataset, params, &existing).plan;
  const Grid& before = first.large_grids[1];
  auto it = std::find_if(second.large_grids.begin(), second.large_grids.end(),
                         [&](const Grid& g) { return g.code == before.code; });
  REQUIRE(it != second.large_grids.end());
  CHECK(it->locked);
  CHECK(it->buildings == before.buildings);
  REQUIRE(it->polygon.size() == before.polygon.size());
  for (std::size_t i = 0; i < before.polygon.size(); ++i) {
    CHECK(it->polygon[i].outer == before.polygon[i].outer);
    CHECK(it->polygon[i].holes == before.polygon[i].holes);
  }
  check_invariants(town.dataset, second);
}

TEST_CASE("a re-plan after adding a compound moves few households", "[plan][existing]") {
  Town town = generated_town(5, 12, 9);
  auto first = plan_town(town.dataset).plan;
  const long long before = town.dataset.total_households();
  // A new compound east of the town: extend the community and add 6 buildings of 70.
  town.dataset.communities[0].footprint = {rect(0, 0, 12 * 50.0 + 150, 9 * 40.0)};
  const auto k = town.compound(0, "新小区");
  for (int i = 0; i < 6; ++i) town.building(625 + (i % 3) * 50, 60 + (i / 3) * 120, 70, 0, k);
  Plan existing = first;
  existing.building_large.resize(town.dataset.buildings.size(), kNone);
  existing.building_micro.resize(town.dataset.buildings.size(), kNone);
  auto second = plan_town(town.dataset, {}, &existing).plan;
  check_invariants(town.dataset, second);
  INFO("moved " << second.metrics.households_moved << " of " << before);
  CHECK(second.metrics.households_moved * 10 <= before);
}

// Issue 12 item 7: a compound drawn over homes of two large grids (it stays whole, so they must
// join, and one grid falls below the minimum) moves households only in those grids and the
// grids next to them, and few: the re-plan mends what changed, never re-splits around it. Grids are
// "next to" each other here when two of their buildings are lattice neighbours (50 m apart across,
// 40 m up).
TEST_CASE("a compound drawn over two grids moves only households near them", "[plan][existing]") {
  int tried = 0;
  for (std::uint64_t seed = 1; seed <= 40 && tried < 6; ++seed) {
    INFO("seed " << seed);
    Town town = generated_town(seed, 16, 12);
    const Plan first = plan_town(town.dataset).plan;
    auto centre = [&](std::size_t i) {
      const Box box = bounds(town.dataset.buildings[i].footprint);
      return Point{(box.min_x + box.max_x) / 2, (box.min_y + box.max_y) / 2};
    };
    // Two homes side by side, in no compound, in different large grids; the first such pair.
    std::size_t a = 0, b = 0;
    for (std::size_t i = 0; i < town.dataset.buildings.size() && a == b; ++i)
      for (std::size_t j = i + 1; j < town.dataset.buildings.size(); ++j) {
        const Building& bi = town.dataset.buildings[i];
        const Building& bj = town.dataset.buildings[j];
        if (bi.compound != kNone || bj.compound != kNone || bi.households == 0 ||
            bj.households == 0 || first.building_large[i] == first.building_large[j])
          continue;
        if (std::abs(centre(i).x - centre(j).x) + std::abs(centre(i).y - centre(j).y) > 51.0)
          continue;
        // One of the two grids falls below the minimum when its home leaves it, so the re-plan
        // must move households to mend it (not only join the two homes).
        long long left_i = -bi.households, left_j = -bj.households;
        for (std::size_t m = 0; m < town.dataset.buildings.size(); ++m) {
          if (first.building_large[m] == first.building_large[i])
            left_i += town.dataset.buildings[m].households;
          if (first.building_large[m] == first.building_large[j])
            left_j += town.dataset.buildings[m].households;
        }
        if (std::min(left_i, left_j) >= 300) continue;
        a = i;
        b = j;
        break;
      }
    if (a == b) continue;
    ++tried;
    const auto k = town.compound(0, "新划小区");
    town.dataset.buildings[a].compound = k;
    town.dataset.buildings[b].compound = k;
    const Plan second = plan_town(town.dataset, {}, &first).plan;
    check_invariants(town.dataset, second);
    CHECK(second.building_large[a] == second.building_large[b]);
    // Each old grid's successor is the new grid receiving most of its households.
    std::map<std::pair<std::int32_t, std::int32_t>, long long> flow;
    for (std::size_t i = 0; i < town.dataset.buildings.size(); ++i)
      flow[{first.building_large[i], second.building_large[i]}] +=
          town.dataset.buildings[i].households;
    std::map<std::int32_t, std::pair<long long, std::int32_t>> successor;
    for (const auto& [grids, h] : flow)
      if (h > successor[grids.first].first) successor[grids.first] = {h, grids.second};
    const std::set<std::int32_t> own{first.building_large[a], first.building_large[b]};
    std::set<std::int32_t> near = own;
    for (std::size_t i = 0; i < town.dataset.buildings.size(); ++i)
      for (std::size_t j = 0; j < town.dataset.buildings.size(); ++j)
        if (own.count(first.building_large[i]) && std::abs(centre(i).x - centre(j).x) <= 51.0 &&
            std::abs(centre(i).y - centre(j).y) <= 41.0)
          near.insert(first.building_large[j]);
    long long moved = 0, moved_far = 0;
    for (std::size_t i = 0; i < town.dataset.buildings.size(); ++i) {
      const std::int32_t was = first.building_large[i];
      if (second.building_large[i] == successor[was].second) continue;
      moved += town.dataset.buildings[i].households;
      if (!near.count(was)) moved_far += town.dataset.buildings[i].households;
    }
    INFO("moved " << moved << ", of them " << moved_far << " from grids not next to the compound");
    CHECK(moved > 0);
    CHECK(moved_far == 0);
    // Never more than the two grids the compound joins hold. Seeds 1–6 move 38, 58, 94, 495,
    // 133, 51 households (re-splitting the container moved 191–732). Seed 4, traced: the homes
    // (90 households each) stand in grids of 386 and 332; joining them leaves one side below the
    // minimum, and the mend redraws the three grids there (376, 386, 332 → 392, 326, 334, and 42
    // households to a fourth neighbour) instead of handing over one building: all next to the
    // compound, so still local, but not the fewest moves.
    long long own_households = 0;
    for (std::size_t i = 0; i < town.dataset.buildings.size(); ++i)
      if (own.count(first.building_large[i]))
        own_households += town.dataset.buildings[i].households;
    CHECK(moved <= own_households);
  }
  CHECK(tried == 6);
}

TEST_CASE(
    "a compound cut by the community boundary into parts that do not touch is one atom "
    "per part, each grid one polygon",
    "[plan][truth]") {
  // real-30000 with communities (tests/bench/make_real_town.py): a 1 km community square cut a
  // bent Monaco compound into two parts that do not touch inside the community; contracted
  // into one atom they became one large grid in two pieces (C2-5-401: 750,784 + 152,959 m²).
  // Here a U-shaped community: the compound's buildings stand in both arms (200 households
  // each), three other buildings in the band below (130 each); bounds 300–500.
  Town town;
  const auto c = town.community(0, 0, 300, 100);
  town.dataset.communities[0].footprint = {{{{0, 0},
                                             {300, 0},
                                             {300, 100},
                                             {200, 100},
                                             {200, 40},
                                             {100, 40},
                                             {100, 100},
                                             {0, 100},
                                             {0, 0}},
                                            {}}};
  const auto k = town.compound(c, "两臂小区");
  for (double x : {30.0, 70.0, 230.0, 270.0}) town.building(x, 75, 100, c, k);
  for (double x : {50.0, 150.0, 250.0}) town.building(x, 18, 130, c);
  auto [tess, plan] = plan_town(town.dataset);
  check_invariants(town.dataset, plan);
  REQUIRE(plan.large_grids.size() == 2);
  for (const Grid& g : plan.large_grids) {
    INFO("large grid " << g.code);
    CHECK(g.polygon.size() == 1);  // one polygon: the arms are not in one grid without the band
  }
  // Each arm's part of the compound stays whole; the split is reported with its reason.
  CHECK(plan.building_large[0] == plan.building_large[1]);
  CHECK(plan.building_large[2] == plan.building_large[3]);
  CHECK(plan.building_large[0] != plan.building_large[2]);
  bool reason = false;
  for (const Problem& p : plan.problems.problems())
    reason |= p.kind == "compound-split" &&
              p.message.find("community boundary cuts it into 2 parts") != std::string::npos;
  CHECK(reason);
}
