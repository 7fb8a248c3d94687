// The plan audit after the plan (issue 12/14 item 5, issue 14 item 2): its long parts report in
// steps of their own work, rising, and the cheaper paths give the same results as before:
// own footprints computed in chunks are those of one call (geo::own_footprints), own footprints
// given by the caller give the audit's findings as computed ones, and the barrier check (lines
// tested against a prepared grid polygon instead of one overlay of all of them) finds what it
// did (tests/geo/test_barrier_audit.cpp holds each barrier rule; tests/realdata the extracts).
// Coordinates in metres (a projected CRS). The progress clock is injected, one second per
// reading, so every WorkCounter step reports and the test holds on a loaded machine.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "planner/geo/own_footprint.hpp"
#include "planner/geo/plan_audit.hpp"
#include "tests/geo/geo_test_support.hpp"

namespace {

using namespace gp;

using test::square;

/// 3,200 buildings (80 × 40, 10 m squares every 25 m) over one community 2,000 × 1,000 m, every
/// fifth with a tower (a smaller square overlapping it: its own part is cut), every seventh
/// with a twin of the same area shifted by 2 m (ties broken by index), and 32 large grids of
/// 250 × 250 m, each with one micro grid of the same polygon. A primary road runs north–south
/// at x = 1,123 m (between two columns of buildings, across the whole community) and another
/// stops in the middle of grid 0.
struct Town {
  Dataset dataset;
  std::vector<MultiPolygon> grid_polygons;
  std::vector<std::vector<std::int32_t>> members;

  Town() {
    Community c;
    c.code = "320106001001";
    c.footprint = square(0, 0, 2000, 1000);
    dataset.communities.push_back(c);
    for (int gy = 0; gy < 4; ++gy)
      for (int gx = 0; gx < 8; ++gx)
        grid_polygons.push_back(square(gx * 250.0, gy * 250.0, (gx + 1) * 250.0, (gy + 1) * 250.0));
    members.resize(grid_polygons.size());
    std::int64_t id = 1;
    for (int iy = 0; iy < 40; ++iy)
      for (int ix = 0; ix < 80; ++ix) {
        const double x = 5.0 + 25.0 * ix, y = 5.0 + 25.0 * iy;
        auto add = [&](MultiPolygon footprint, int households) {
          Building b;
          b.id = id++;
          b.households = households;
          b.community = 0;
          b.footprint = std::move(footprint);
          const int grid = static_cast<int>(y / 250.0) * 8 + static_cast<int>(x / 250.0);
          members[static_cast<std::size_t>(grid)].push_back(
              static_cast<std::int32_t>(dataset.buildings.size()));
          dataset.buildings.push_back(std::move(b));
        };
        add(square(x, y, x + 10, y + 10), 4);
        const int k = iy * 80 + ix;
        if (k % 5 == 0) add(square(x + 6, y + 6, x + 12, y + 12), 2);
        if (k % 7 == 0) add(square(x + 2, y + 2, x + 12, y + 12), 3);
      }
    Line road;
    road.kind = LineKind::road;
    road.cls = "primary";
    road.geometry = {{1123, -10}, {1123, 1010}};
    dataset.lines.push_back(road);
    road.geometry = {{30, 100}, {130, 100}};  // ends inside grid 0
    dataset.lines.push_back(road);
  }

  geo::AuditInput input() const {
    geo::AuditInput in;
    in.building_large.assign(dataset.buildings.size(), kNone);
    in.building_micro.assign(dataset.buildings.size(), kNone);
    for (std::size_t g = 0; g < grid_polygons.size(); ++g) {
      for (const GridLevel level : {GridLevel::large, GridLevel::micro}) {
        geo::AuditGrid grid;
        grid.level = level;
        grid.code = std::string(level == GridLevel::large ? "L" : "M") + std::to_string(g);
        grid.community = 0;
        grid.parent = level == GridLevel::micro ? static_cast<std::int32_t>(g) : kNone;
        grid.polygon = &grid_polygons[g];
        grid.buildings = &members[g];
        for (std::int32_t b : members[g])
          grid.households += dataset.buildings[static_cast<std::size_t>(b)].households;
        (level == GridLevel::large ? in.large : in.micro).push_back(grid);
      }
      for (std::int32_t b : members[g]) {
        in.building_large[static_cast<std::size_t>(b)] = static_cast<std::int32_t>(g);
        in.building_micro[static_cast<std::size_t>(b)] = static_cast<std::int32_t>(g);
      }
    }
    return in;
  }

  static geo::AuditParams params() {
    geo::AuditParams p;
    p.large = {1, 100000};
    p.micro = {1, 100000};
    p.hard_road_classes = {"primary"};
    return p;
  }
};

bool same(const MultiPolygon& a, const MultiPolygon& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].outer != b[i].outer || a[i].holes != b[i].holes) return false;
  return true;
}

std::string describe(const geo::PlanAudit& audit) {
  std::string text;
  for (const geo::AuditFinding& f : audit.findings)
    text += f.rule + " " + f.grid + " " + std::to_string(f.value) + " " + f.message + "\n";
  return text;
}

}  // namespace

TEST_CASE("own footprints in chunks: the parts of one call, every chunk reported") {
  const Town town;
  std::vector<const MultiPolygon*> footprints;
  for (const Building& b : town.dataset.buildings) footprints.push_back(&b.footprint);
  REQUIRE(footprints.size() > 2500);  // two chunks or more
  const std::vector<MultiPolygon> whole = geo::own_footprints(footprints);
  std::vector<double> ticks;
  const std::vector<MultiPolygon> chunked =
      geo::own_footprints_chunked(footprints, [&](double done) { ticks.push_back(done); });
  REQUIRE(chunked.size() == whole.size());
  std::size_t cut = 0, differ = 0;
  for (std::size_t b = 0; b < whole.size(); ++b) {
    if (!whole[b].empty()) ++cut;
    if (!same(chunked[b], whole[b])) ++differ;
  }
  CHECK(cut > 500);  // the towers and twins cut their neighbours' own parts
  CHECK(differ == 0);
  REQUIRE(ticks.size() >= 2);
  CHECK(std::is_sorted(ticks.begin(), ticks.end()));
  CHECK(ticks.back() == 1.0);
}

TEST_CASE(
    "plan audit: polygons and barriers report in many rising steps, same findings with "
    "the own footprints given") {
  const Town town;
  const geo::AuditInput input = town.input();
  std::map<std::string, std::vector<double>> seen;
  double ticks = 0.0;
  Progress progress([&](const ProgressReport& r) { seen[r.stage].push_back(r.fraction); },
                    [&] { return ++ticks; });
  const geo::PlanAudit computed = geo::audit_plan(town.dataset, input, Town::params(), progress);
  INFO(describe(computed));
  // The road across the community splits the grids of its column: buildings with households on
  // both sides; the road ending inside grid 0 runs through it (allowed, counted apart).
  CHECK(computed.counts.large_crossing_barrier == 4);
  CHECK(computed.counts.micro_crossing_barrier == 4);
  for (const char* stage : {"plan audit: polygons", "plan audit: barriers"}) {
    INFO(stage);
    REQUIRE(seen.count(stage));
    const std::vector<double>& f = seen[stage];
    CHECK(f.size() >= 20);
    CHECK(std::is_sorted(f.begin(), f.end()));
  }
  // The own parts it placed the buildings by come back for the export, and given to a second
  // audit they give the same findings.
  REQUIRE(computed.own_footprints);
  REQUIRE(computed.own_footprints->size() == town.dataset.buildings.size());
  geo::AuditInput given = input;
  given.own_footprints = computed.own_footprints;
  Progress silent;
  const geo::PlanAudit again = geo::audit_plan(town.dataset, given, Town::params(), silent);
  CHECK(again.own_footprints == computed.own_footprints);  // used, not recomputed
  CHECK(describe(again) == describe(computed));
  CHECK(again.broken() == computed.broken());
}
