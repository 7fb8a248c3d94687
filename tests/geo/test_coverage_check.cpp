// geo::check_coverage (issue 14 item 2, docs/benchmarks.md "Coverage check by edges, round 7"):
// gap, overlap and reach outside of grids in their container by the grids' edges, overlaid only
// around the edges that do not match. Every case is compared with the union oracle
// (geo::check_coverage_by_union: one GEOS union of everything), on coverages made broken on
// purpose: a gap, an overlap, a sliver of a few cm², a hole, a grid reaching outside, a
// T-junction (seamless: no gap), grids rounded apart by a fraction of a micrometre.
// Coordinates in metres of a projected CRS, placed as a UTM town (large values, as real data).
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <random>
#include <vector>

#include "planner/geo/coverage_check.hpp"

namespace {

using gp::MultiPolygon;
using gp::Point;
using gp::Polygon;
using gp::Ring;
using gp::geo::check_coverage;
using gp::geo::check_coverage_by_union;
using gp::geo::CoverageCheck;

constexpr double kX = 500000.0, kY = 3500000.0;

MultiPolygon shape(std::vector<Point> ring, std::vector<Ring> holes = {}) {
  ring.push_back(ring.front());
  Polygon p;
  p.outer = std::move(ring);
  if (gp::signed_area(p.outer) < 0.0) std::reverse(p.outer.begin(), p.outer.end());
  for (Ring& h : holes) {
    h.push_back(h.front());
    if (gp::signed_area(h) > 0.0) std::reverse(h.begin(), h.end());
    p.holes.push_back(std::move(h));
  }
  return MultiPolygon{p};
}

/// A k × k mesh of 10 m cells with interior vertices jittered (shared exactly by the cells
/// around them: a conforming coverage), and its outline through every boundary vertex.
struct Mesh {
  int k;
  std::vector<std::vector<Point>> v;  // v[i][j], i along x
  std::vector<MultiPolygon> cells;    // cell (i, j) at index j * k + i
  MultiPolygon outline;

  explicit Mesh(int size, unsigned seed = 7) : k(size), v(size + 1, std::vector<Point>(size + 1)) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> jitter(-3.0, 3.0);
    for (int i = 0; i <= k; ++i)
      for (int j = 0; j <= k; ++j) {
        const bool edge_x = i == 0 || i == k, edge_y = j == 0 || j == k;
        v[i][j] = {kX + 10.0 * i + (edge_x ? 0.0 : jitter(rng)),
                   kY + 10.0 * j + (edge_y ? 0.0 : jitter(rng))};
      }
    for (int j = 0; j < k; ++j)
      for (int i = 0; i < k; ++i)
        cells.push_back(shape({v[i][j], v[i + 1][j], v[i + 1][j + 1], v[i][j + 1]}));
    std::vector<Point> ring;
    for (int i = 0; i < k; ++i) ring.push_back(v[i][0]);
    for (int j = 0; j < k; ++j) ring.push_back(v[k][j]);
    for (int i = k; i > 0; --i) ring.push_back(v[i][k]);
    for (int j = k; j > 0; --j) ring.push_back(v[0][j]);
    outline = shape(ring);
  }
  MultiPolygon& cell(int i, int j) { return cells[static_cast<std::size_t>(j * k + i)]; }
  [[nodiscard]] std::vector<const MultiPolygon*> pointers() const {
    std::vector<const MultiPolygon*> out;
    for (const MultiPolygon& c : cells) out.push_back(&c);
    return out;
  }
};

/// check_coverage, with its figures asserted equal to the oracle's (1e-6 m² + 1e-9 relative, or
/// `margin` m²).
CoverageCheck checked(const MultiPolygon& container, const std::vector<const MultiPolygon*>& grids,
                      double margin = 0.0) {
  const CoverageCheck edges = check_coverage(container, grids);
  const CoverageCheck oracle = check_coverage_by_union(container, grids);
  const double tol = std::max(margin, 1e-6 + 1e-9 * oracle.container_area_m2);
  CHECK(edges.gap_m2 == Approx(oracle.gap_m2).margin(tol));
  CHECK(edges.overlap_m2 == Approx(oracle.overlap_m2).margin(tol));
  CHECK(edges.outside_m2 == Approx(oracle.outside_m2).margin(tol));
  CHECK(edges.union_area_m2() == Approx(oracle.union_area_m2()).margin(tol));
  return edges;
}

}  // namespace

TEST_CASE("coverage by edges: a conforming coverage is decided without any overlay",
          "[geo][coverage]") {
  const Mesh mesh(40);  // 1,600 cells
  const CoverageCheck c = checked(mesh.outline, mesh.pointers());
  CHECK(c.conforming());
  CHECK(c.unmatched == 0);
  CHECK(c.overlaid_tiles == 0);
  CHECK(c.gap_m2 == 0.0);
  CHECK(c.overlap_m2 == 0.0);
  CHECK(c.outside_m2 == 0.0);
  CHECK(c.edges >= 4 * 1600);
  CHECK(c.polygons_area_m2 == Approx(c.container_area_m2).epsilon(1e-12));
}

TEST_CASE("coverage by edges: a missing grid is a gap of its area, found in one tile",
          "[geo][coverage]") {
  Mesh mesh(30);
  const double lost = gp::area(mesh.cell(12, 17));
  mesh.cell(12, 17).clear();
  const CoverageCheck c = checked(mesh.outline, mesh.pointers());
  CHECK_FALSE(c.conforming());
  CHECK(c.unmatched == 4);
  CHECK(c.gap_m2 == Approx(lost).epsilon(1e-9));
  CHECK(c.overlap_m2 == Approx(0.0).margin(1e-6));
  CHECK(c.outside_m2 == Approx(0.0).margin(1e-6));
  CHECK(c.overlaid_tiles <= 4);  // around one cell, not the 900 of them
}

TEST_CASE("coverage by edges: a large hole inside many grids is found by the winding number",
          "[geo][coverage]") {
  // A 10 × 10 block of cells removed: the tiles inside it meet no unmatched edge and are
  // decided gap by the winding number of the edges around them.
  Mesh mesh(40);
  double lost = 0.0;
  for (int j = 10; j < 20; ++j)
    for (int i = 10; i < 20; ++i) {
      lost += gp::area(mesh.cell(i, j));
      mesh.cell(i, j).clear();
    }
  gp::geo::CoverageCheckParams params;
  params.polygons_per_tile = 2;  // small tiles, so some lie wholly inside the hole
  params.keep_geometry = true;
  const CoverageCheck c = check_coverage(mesh.outline, mesh.pointers(), params);
  CHECK(c.gap_m2 == Approx(lost).epsilon(1e-9));
  CHECK(c.overlaid_tiles < c.tiles);
  CHECK(gp::area(c.gap) == Approx(lost).epsilon(1e-9));
  checked(mesh.outline, mesh.pointers());
}

TEST_CASE("coverage by edges: an overlap, a duplicate grid and a grid reaching outside",
          "[geo][coverage]") {
  Mesh mesh(20);
  SECTION("a vertex of one grid pushed into its neighbour") {
    Point& p = mesh.cell(5, 5).front().outer[1];  // shared with cells (6,5), (6,4), (5,4)
    const Point moved{p.x + 2.0, p.y};
    for (Point& q : mesh.cell(5, 5).front().outer)
      if (q == p) q = moved;
    const CoverageCheck c = checked(mesh.outline, mesh.pointers());
    CHECK(c.overlap_m2 > 1.0);
    CHECK(c.gap_m2 < 1e-6);  // the grid only grew: nothing left open
  }
  SECTION("a grid listed twice") {
    std::vector<const MultiPolygon*> grids = mesh.pointers();
    grids.push_back(&mesh.cell(3, 9));
    const CoverageCheck c = checked(mesh.outline, grids);
    CHECK(c.overlap_m2 == Approx(gp::area(mesh.cell(3, 9))).epsilon(1e-9));
    CHECK(c.gap_m2 == Approx(0.0).margin(1e-6));
    CHECK(std::find(c.local_polygons.begin(), c.local_polygons.end(), 3 + 9 * 20) !=
          c.local_polygons.end());
  }
  SECTION("a boundary grid reaching 5 m out of the container") {
    // Cell (7, 0) with a rectangle 5 m deep added below the outline.
    const Point a = mesh.v[7][0], b = mesh.v[8][0];
    mesh.cell(7, 0) = shape({a, {a.x, a.y - 5.0}, {b.x, b.y - 5.0}, b, mesh.v[8][1], mesh.v[7][1]});
    const CoverageCheck c = checked(mesh.outline, mesh.pointers());
    CHECK(c.outside_m2 == Approx(5.0 * (b.x - a.x)).epsilon(1e-9));
    CHECK(c.gap_m2 == Approx(0.0).margin(1e-6));
    CHECK(c.overlap_m2 == Approx(0.0).margin(1e-6));
  }
}

TEST_CASE("coverage by edges: a sliver of a few cm² and a hole in a grid are gaps",
          "[geo][coverage]") {
  Mesh mesh(10);
  SECTION("sliver") {
    // One grid's edge pulled back 1 cm at one end: a triangle of 10 m × 1 cm / 2 = 0.05 m².
    MultiPolygon& g = mesh.cell(4, 4);
    const Point shared = mesh.v[5][4];
    for (Point& q : g.front().outer)
      if (q == shared) q.x -= 0.01;
    const CoverageCheck c = checked(mesh.outline, mesh.pointers());
    CHECK(c.gap_m2 == Approx(0.05).epsilon(0.2));
    CHECK(c.gap_m2 > 1e-6 * c.container_area_m2);  // above the plan's threshold
  }
  // A 2 × 2 m square hole in cell (2, 6) (clockwise, as a hole).
  const Point c0 = mesh.v[2][6];
  const Ring hole{{c0.x + 3, c0.y + 3},
                  {c0.x + 3, c0.y + 5},
                  {c0.x + 5, c0.y + 5},
                  {c0.x + 5, c0.y + 3},
                  {c0.x + 3, c0.y + 3}};
  SECTION("a hole no grid fills") {
    mesh.cell(2, 6).front().holes.push_back(hole);
    const CoverageCheck c = checked(mesh.outline, mesh.pointers());
    CHECK(c.gap_m2 == Approx(4.0).epsilon(1e-9));
    CHECK(c.overlap_m2 == Approx(0.0).margin(1e-6));
  }
  SECTION("the hole filled by another grid: tiled again") {
    mesh.cell(2, 6).front().holes.push_back(hole);
    const MultiPolygon island = shape(
        {{c0.x + 3, c0.y + 3}, {c0.x + 5, c0.y + 3}, {c0.x + 5, c0.y + 5}, {c0.x + 3, c0.y + 5}});
    std::vector<const MultiPolygon*> grids = mesh.pointers();
    grids.push_back(&island);
    const CoverageCheck c = checked(mesh.outline, grids);
    CHECK(c.conforming());
    CHECK(c.gap_m2 == 0.0);
  }
}

TEST_CASE("coverage by edges: a T-junction on a shared edge is not a gap", "[geo][coverage]") {
  // Two grids side by side; the right one has an extra vertex on the shared edge, the left one
  // not. The edge upright (the vertex exactly on it) or slanted (its coordinates rounded, a few
  // picometres off).
  for (const double lean : {0.0, 3.0}) {
    const MultiPolygon community =
        shape({{kX, kY}, {kX + 20, kY}, {kX + 20, kY + 9}, {kX, kY + 9}});
    const MultiPolygon left =
        shape({{kX, kY}, {kX + 10, kY}, {kX + 10 + lean, kY + 9}, {kX, kY + 9}});
    for (const double t : {0.5, 1.0 / 3.0, 0.01}) {
      INFO("lean " << lean << ", vertex at " << t);
      const MultiPolygon right = shape({{kX + 10, kY},
                                        {kX + 20, kY},
                                        {kX + 20, kY + 9},
                                        {kX + 10 + lean, kY + 9},
                                        {kX + 10 + lean * (1 - t), kY + 9 * (1 - t)}});
      const CoverageCheck c = checked(community, {&left, &right});
      CHECK_FALSE(c.conforming());  // not edge-matched, so overlaid locally ...
      CHECK(c.gap_m2 < 1e-6);       // ... and seamless
      CHECK(c.overlap_m2 < 1e-6);
      CHECK(c.outside_m2 < 1e-6);
    }
  }
}

TEST_CASE("coverage by edges: grids rounded apart by 0.4 µm agree with the union",
          "[geo][coverage]") {
  // Every fifth cell's vertices moved by up to 0.4 µm on their own (as a grid snap-rounded to
  // 1 µm beside exact neighbours): slivers of nanometres, overlaid only around those cells.
  Mesh mesh(30, 11);
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> shift(-0.4e-6, 0.4e-6);
  for (std::size_t i = 0; i < mesh.cells.size(); i += 5)
    for (Point& q : mesh.cells[i].front().outer) {
      q.x += shift(rng);
      q.y += shift(rng);
    }
  for (MultiPolygon& c : mesh.cells) c.front().outer.back() = c.front().outer.front();
  // Slivers 0.4 µm wide are at the precision of GEOS's overlay (in tiles or in one union: it
  // snaps where floating noding fails), so the figures agree to 1 mm², far below the plan's
  // threshold (1e-6 of the community: 0.09 m² here) on both sides.
  const CoverageCheck c = checked(mesh.outline, mesh.pointers(), 1e-3);
  CHECK_FALSE(c.conforming());
  CHECK(c.gap_m2 < 1e-6 * c.container_area_m2);
  CHECK(c.overlap_m2 < 1e-6 * c.container_area_m2);
}

TEST_CASE("coverage by edges: random damage agrees with the union oracle", "[geo][coverage]") {
  for (unsigned seed = 1; seed <= 12; ++seed) {
    Mesh mesh(16, seed);
    std::mt19937 rng(seed * 31);
    std::uniform_int_distribution<int> pick(0, 15);
    std::uniform_real_distribution<double> move(-2.0, 2.0);
    // Three damaged cells: one removed, one with a vertex moved, one shrunk about its centre.
    mesh.cell(pick(rng), pick(rng)).clear();
    {
      MultiPolygon& g = mesh.cell(pick(rng), pick(rng));
      if (!g.empty()) {
        const Point old = g.front().outer[2];
        const Point moved{old.x + move(rng), old.y + move(rng)};
        for (Point& q : g.front().outer)
          if (q == old) q = moved;
      }
    }
    {
      MultiPolygon& g = mesh.cell(pick(rng), pick(rng));
      if (!g.empty()) {
        Point c{0, 0};
        for (std::size_t i = 0; i + 1 < g.front().outer.size(); ++i) {
          c.x += g.front().outer[i].x / 4.0;
          c.y += g.front().outer[i].y / 4.0;
        }
        for (Point& q : g.front().outer) q = {c.x + 0.9 * (q.x - c.x), c.y + 0.9 * (q.y - c.y)};
      }
    }
    INFO("seed " << seed);
    checked(mesh.outline, mesh.pointers());
  }
}

TEST_CASE("coverage by edges: progress in units summing to the grids, in many steps",
          "[geo][coverage]") {
  Mesh mesh(60);  // 3,600 grids
  mesh.cell(30, 30).clear();
  // The tick runs on the worker threads (its contract): it only counts, and the checks come
  // after (Catch's assertions are not thread-safe: TSan found one inside the tick).
  std::atomic<int> calls{0}, not_positive{0};
  std::atomic<double> units{0.0};
  const CoverageCheck c = check_coverage(mesh.outline, mesh.pointers(), {}, [&](double u) {
    if (!(u > 0.0)) ++not_positive;
    ++calls;
    double now = units.load();
    while (!units.compare_exchange_weak(now, now + u)) {
    }
  });
  CHECK(not_positive.load() == 0);
  CHECK(c.gap_m2 > 0.0);
  CHECK(units.load() == Approx(3600.0).epsilon(1e-9));
  CHECK(calls.load() >= 3600 / 64);  // at least once per chunk of 64 grids
}
