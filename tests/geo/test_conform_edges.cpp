// geo::conform_edges (docs/benchmarks.md "Unions, round 3"): grids snap-rounded on their own
// beside exact neighbours become edge-matched, so the own coverage union takes them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "planner/geo/cell_split.hpp"
#include "planner/geo/tessellation.hpp"
#include "planner/geo/union_cells.hpp"

namespace {

using gp::MultiPolygon;
using gp::Point;
using gp::Polygon;
using gp::Ring;

MultiPolygon shape(std::vector<Point> ring) {
  ring.push_back(ring.front());
  Polygon p;
  p.outer = std::move(ring);
  if (gp::signed_area(p.outer) < 0.0) std::reverse(p.outer.begin(), p.outer.end());
  return MultiPolygon{p};
}

bool same(const MultiPolygon& l, const MultiPolygon& r) {
  if (l.size() != r.size()) return false;
  for (std::size_t i = 0; i < l.size(); ++i)
    if (l[i].outer != r[i].outer || l[i].holes != r[i].holes) return false;
  return true;
}

bool has_vertex(const MultiPolygon& m, const Point& v) {
  for (const Polygon& p : m)
    for (const Point& q : p.outer)
      if (q == v) return true;
  return false;
}

constexpr double kX = 500000.0, kY = 3500000.0;  // projected metres, as a UTM town

}  // namespace

TEST_CASE(
    "conform_edges: a rounded grid beside exact ones takes their vertices, they take its cut end",
    "[geo][conform]") {
  // A: exact, its right edge (1,0)–(1,1) as one segment. B: its neighbour rounded on its own
  // (left edge 0.4 µm off) with a cut end at y = 0.5 that A lacks (a T-junction).
  const double e = 0.4e-6;
  MultiPolygon a = shape({{kX, kY}, {kX + 1, kY}, {kX + 1, kY + 1}, {kX, kY + 1}});
  MultiPolygon b = shape({{kX + 1 + e, kY - e},
                          {kX + 2, kY},
                          {kX + 2, kY + 1},
                          {kX + 1 - e, kY + 1 + e},
                          {kX + 1 + 0.3e-6, kY + 0.5}});
  const std::vector<const MultiPolygon*> both{&a, &b};
  std::vector<MultiPolygon*> polygons{&a, &b};
  std::vector<char> changed;
  REQUIRE(gp::geo::conform_edges(polygons, {0, 1}, {}, gp::geo::kConformToleranceM, &changed));
  CHECK(changed == std::vector<char>{1, 1});
  CHECK(has_vertex(b, {kX + 1, kY}));  // back on A's vertices
  CHECK(has_vertex(b, {kX + 1, kY + 1}));
  // B's cut end went onto A's edge, and A gained it there.
  CHECK(has_vertex(b, {kX + 1, kY + 0.5}));
  CHECK(has_vertex(a, {kX + 1, kY + 0.5}));
  CHECK(a.front().outer.size() == 6);
  CHECK(std::abs(gp::area(a) - 1.0) < 1e-6);
  CHECK(std::abs(gp::area(b) - 1.0) < 1e-6);

  const std::size_t middle = gp::geo::union_cells_fallbacks();
  const MultiPolygon merged = gp::geo::union_cells(both);
  CHECK(gp::geo::union_cells_fallbacks() == middle);  // the own coverage union took them
  REQUIRE(merged.size() == 1);
  CHECK(merged.front().holes.empty());
  CHECK(std::abs(gp::area(merged) - gp::area(a) - gp::area(b)) < 1e-9);
}

TEST_CASE("conform_edges: nothing rounded, a locked neighbour, a rounded sliver pinned",
          "[geo][conform]") {
  SECTION("nothing rounded: nothing changes") {
    MultiPolygon a = shape({{kX, kY}, {kX + 1, kY}, {kX + 1, kY + 1}, {kX, kY + 1}});
    const MultiPolygon copy = a;
    std::vector<MultiPolygon*> polygons{&a};
    std::vector<char> changed;
    CHECK(gp::geo::conform_edges(polygons, {0}, {}, gp::geo::kConformToleranceM, &changed));
    CHECK(changed == std::vector<char>{0});
    CHECK(same(a, copy));
  }
  SECTION("a locked neighbour keeps its polygon; the rounded grid still takes its vertices") {
    const double e = 0.4e-6;
    MultiPolygon a = shape({{kX, kY}, {kX + 1, kY}, {kX + 1, kY + 1}, {kX, kY + 1}});
    const MultiPolygon copy = a;
    MultiPolygon b =
        shape({{kX + 1 + e, kY - e}, {kX + 2, kY}, {kX + 2, kY + 1}, {kX + 1 - e, kY + 1 + e}});
    std::vector<MultiPolygon*> polygons{&a, &b};
    std::vector<char> changed;
    REQUIRE(
        gp::geo::conform_edges(polygons, {0, 1}, {1, 0}, gp::geo::kConformToleranceM, &changed));
    CHECK(same(a, copy));
    CHECK(has_vertex(b, {kX + 1, kY}));
    CHECK(has_vertex(b, {kX + 1, kY + 1}));
    const std::size_t before = gp::geo::union_cells_fallbacks();
    CHECK(gp::geo::union_cells({&a, &b}).size() == 1);
    CHECK(gp::geo::union_cells_fallbacks() == before);
  }
  SECTION("a rounded sliver that collapses on the exact vertices is kept; they take its own") {
    // C, rounded, 0.3 µm wide beside A: its vertices would go to A's, nearer than B's (0.9 µm
    // from A), and it would have no area left. It is pinned instead, and B's left edge goes
    // onto C's right one (0.6 µm).
    MultiPolygon a = shape({{kX, kY}, {kX + 1, kY}, {kX + 1, kY + 1}, {kX, kY + 1}});
    MultiPolygon c =
        shape({{kX + 1, kY}, {kX + 1 + 0.3e-6, kY}, {kX + 1 + 0.3e-6, kY + 1}, {kX + 1, kY + 1}});
    MultiPolygon b =
        shape({{kX + 1 + 0.9e-6, kY}, {kX + 2, kY}, {kX + 2, kY + 1}, {kX + 1 + 0.9e-6, kY + 1}});
    const MultiPolygon a0 = a, c0 = c;
    std::vector<MultiPolygon*> polygons{&a, &c, &b};
    REQUIRE(gp::geo::conform_edges(polygons, {0, 1, 0}, {}, gp::geo::kConformToleranceM));
    CHECK(same(a, a0));
    CHECK(same(c, c0));
    CHECK(has_vertex(b, {kX + 1 + 0.3e-6, kY}));
    CHECK(has_vertex(b, {kX + 1 + 0.3e-6, kY + 1}));
    const std::size_t before = gp::geo::union_cells_fallbacks();
    const MultiPolygon merged = gp::geo::union_cells({&a, &c, &b});
    CHECK(gp::geo::union_cells_fallbacks() == before);
    CHECK(merged.size() == 1);
    CHECK(std::abs(gp::area(merged) - 2.0) < 1e-6);
  }
}
