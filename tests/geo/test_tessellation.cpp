// Tessellation: cells tile each community, respect hard barriers, and report adjacency.
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <numbers>
#include <random>
#include <sstream>

#include <tbb/global_control.h>

#include "planner/geo/geos.hpp"
#include "planner/geo/tessellation.hpp"
#include "planner/geo/tessellation_blocks.hpp"

namespace {

using gp::geo::CellAdjacency;
using gp::geo::Crossing;
using gp::geo::GeomPtr;
using gp::geo::GeosContext;
using gp::geo::Tessellation;
using gp::geo::TessellationParams;

gp::Polygon rect(double x0, double y0, double x1, double y1) {
  return {{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}};
}

gp::MultiPolygon read_wkt(GeosContext& ctx, const std::string& wkt) {
  GEOSWKTReader* reader = GEOSWKTReader_create_r(ctx.handle());
  GeomPtr g = gp::geo::own(ctx, GEOSWKTReader_read_r(ctx.handle(), reader, wkt.c_str()), "wkt");
  GEOSWKTReader_destroy_r(ctx.handle(), reader);
  return gp::geo::to_multipolygon(ctx, g.get());
}

gp::LineString line(std::initializer_list<gp::Point> points) {
  return {points};
}

struct Town {
  gp::Dataset dataset;
  void community(gp::MultiPolygon footprint) {
    gp::Community c;
    c.id = std::int64_t(dataset.communities.size());
    c.name = "C" + std::to_string(c.id);
    c.footprint = std::move(footprint);
    dataset.communities.push_back(std::move(c));
  }
  std::int32_t building(gp::Polygon footprint, std::int32_t community = 0) {
    gp::Building b;
    b.id = std::int64_t(dataset.buildings.size()) + 100;
    b.footprint = {std::move(footprint)};
    b.community = community;
    dataset.buildings.push_back(std::move(b));
    return std::int32_t(dataset.buildings.size() - 1);
  }
  void barrier(gp::LineKind kind, std::string cls, gp::LineString geometry) {
    gp::Line l;
    l.id = std::int64_t(dataset.lines.size());
    l.kind = kind;
    l.cls = std::move(cls);
    l.geometry = std::move(geometry);
    dataset.lines.push_back(std::move(l));
  }
};

TessellationParams default_params() {
  TessellationParams params;
  params.hard_road_classes = {"primary", "secondary", "tertiary"};
  return params;
}

Tessellation run(const Town& town, const TessellationParams& params = default_params()) {
  gp::Progress progress;
  return gp::geo::tessellate(town.dataset, params, progress);
}

double overlap_area(GeosContext& ctx, const gp::MultiPolygon& a, const gp::MultiPolygon& b) {
  GeomPtr ga = to_geos(ctx, a);
  GeomPtr gb = to_geos(ctx, b);
  GeomPtr i = gp::geo::own(ctx, GEOSIntersection_r(ctx.handle(), ga.get(), gb.get()), "overlap");
  double area = 0.0;
  GEOSArea_r(ctx.handle(), i.get(), &area);
  return area;
}

double symmetric_difference_area(GeosContext& ctx, const gp::MultiPolygon& a,
                                 const gp::MultiPolygon& b) {
  GeomPtr ga = to_geos(ctx, a);
  GeomPtr gb = to_geos(ctx, b);
  GeomPtr d = gp::geo::own(ctx, GEOSSymDifference_r(ctx.handle(), ga.get(), gb.get()), "symdiff");
  double area = 0.0;
  GEOSArea_r(ctx.handle(), d.get(), &area);
  return area;
}

/// Share of `footprint`'s area that lies inside `cell` (1 when it is entirely inside).
double share_inside(GeosContext& ctx, const gp::MultiPolygon& footprint,
                    const gp::MultiPolygon& cell) {
  return overlap_area(ctx, footprint, cell) / gp::area(footprint);
}

/// True when a barrier line meets the footprint: such a building may straddle street blocks, and
/// only the part in its own block can be in its cell.
bool crossed_by_barrier(GeosContext& ctx, const Town& town, const gp::MultiPolygon& footprint) {
  GeomPtr g = to_geos(ctx, footprint);
  for (const gp::Line& l : town.dataset.lines) {
    GeomPtr lg = to_geos(ctx, l.geometry);
    if (GEOSIntersects_r(ctx.handle(), g.get(), lg.get()) == 1) return true;
  }
  return false;
}

/// Checks the tiling invariants of every community of `town`.
void check_tiling(const Town& town, const Tessellation& t) {
  GeosContext ctx;
  const auto& buildings = town.dataset.buildings;
  REQUIRE(t.cells.size() == buildings.size());
  for (std::size_t c = 0; c < town.dataset.communities.size(); ++c) {
    std::vector<const gp::MultiPolygon*> cells;
    std::vector<std::size_t> members;
    double area_sum = 0.0;
    for (std::size_t i = 0; i < buildings.size(); ++i) {
      if (buildings[i].community != std::int32_t(c)) continue;
      INFO("building " << i);
      REQUIRE_FALSE(t.cells[i].empty());
      CHECK(t.cell_area_m2[i] == Approx(gp::area(t.cells[i])).epsilon(1e-9));
      cells.push_back(&t.cells[i]);
      members.push_back(i);
      area_sum += t.cell_area_m2[i];
    }
    if (cells.empty()) continue;
    const gp::MultiPolygon& community = town.dataset.communities[c].footprint;
    const double community_area = gp::area(community);
    CHECK(std::abs(area_sum - community_area) <= 1e-6 * community_area);
    const gp::MultiPolygon all = gp::geo::union_cells(cells);
    CHECK(symmetric_difference_area(ctx, all, community) <= 1e-6 * community_area);
    // No overlaps: neighbouring cells by bounding box.
    for (std::size_t x = 0; x < members.size(); ++x)
      for (std::size_t y = x + 1; y < members.size(); ++y) {
        const gp::Box bx = gp::bounds(t.cells[members[x]]);
        const gp::Box by = gp::bounds(t.cells[members[y]]);
        if (bx.max_x < by.min_x || by.max_x < bx.min_x || bx.max_y < by.min_y ||
            by.max_y < bx.min_y)
          continue;
        INFO("cells " << members[x] << " and " << members[y]);
        CHECK(overlap_area(ctx, t.cells[members[x]], t.cells[members[y]]) <= 1e-6);
      }
  }
  for (std::size_t k = 0; k < t.adjacency.size(); ++k) {
    CHECK(t.adjacency[k].a < t.adjacency[k].b);
    CHECK(t.adjacency[k].shared_length_m > 0.01);
    if (k > 0) {
      const CellAdjacency& p = t.adjacency[k - 1];
      const CellAdjacency& q = t.adjacency[k];
      CHECK((p.a < q.a || (p.a == q.a && p.b < q.b)));
    }
  }
}

/// Checks that every building's footprint lies in its own cell (to 1e-6 m²) and, with
/// `one_piece`, that each cell is one polygon.
void check_footprints_in_cells(const Town& town, const Tessellation& t, bool one_piece) {
  GeosContext ctx;
  for (std::size_t i = 0; i < town.dataset.buildings.size(); ++i) {
    INFO("building " << i);
    const gp::MultiPolygon& footprint = town.dataset.buildings[i].footprint;
    CHECK(gp::area(footprint) - overlap_area(ctx, footprint, t.cells[i]) <= 1e-6);
    if (one_piece) CHECK(t.cells[i].size() == 1);
  }
}

const CellAdjacency* find_adjacency(const Tessellation& t, std::int32_t a, std::int32_t b) {
  for (const CellAdjacency& adj : t.adjacency)
    if (adj.a == std::min(a, b) && adj.b == std::max(a, b)) return &adj;
  return nullptr;
}

}  // namespace

TEST_CASE("tessellation: four buildings in a square community tile it", "[tessellation]") {
  Town town;
  town.community({rect(0, 0, 100, 100)});
  town.building(rect(10, 10, 30, 30));
  town.building(rect(70, 10, 90, 30));
  town.building(rect(10, 70, 30, 90));
  town.building(rect(70, 70, 90, 90));
  const Tessellation t = run(town);
  check_tiling(town, t);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(t.cell_area_m2[i] == Approx(2500.0));
    CHECK(t.cell_perimeter_m[i] == Approx(200.0));
  }
  REQUIRE(t.adjacency.size() == 4);  // the diagonal pairs touch only at the centre point
  for (const CellAdjacency& adj : t.adjacency) {
    CHECK(adj.shared_length_m == Approx(50.0));
    CHECK(adj.crossing == Crossing::none);
  }
  CHECK(find_adjacency(t, 0, 1));
  CHECK(find_adjacency(t, 0, 2));
  CHECK(find_adjacency(t, 1, 3));
  CHECK(find_adjacency(t, 2, 3));
  CHECK(t.face_count == 1);
  CHECK(t.block_count == 1);
}

TEST_CASE("tessellation: a river splits a community into faces that meet only along it",
          "[tessellation]") {
  Town town;
  town.community({rect(0, 0, 100, 100)});
  town.building(rect(10, 10, 30, 30));  // 0: south-west
  town.building(rect(70, 10, 90, 30));  // 1: south-east
  town.building(rect(10, 60, 30, 80));  // 2: north-west, nearer the river than 0
  town.building(rect(70, 70, 90, 90));  // 3: north-east
  town.barrier(gp::LineKind::river, "river", line({{-10, 50}, {110, 50}}));
  const Tessellation t = run(town);
  check_tiling(town, t);
  CHECK(t.face_count == 2);
  CHECK(t.face[0] == t.face[1]);
  CHECK(t.face[2] == t.face[3]);
  CHECK(t.face[0] != t.face[2]);
  // South cells end at the river: the Voronoi bisector of a north building would be at y = 45.
  for (std::int32_t i : {0, 1, 2, 3}) CHECK(t.cell_area_m2[std::size_t(i)] == Approx(2500.0));
  double hard_length = 0.0;
  for (const CellAdjacency& adj : t.adjacency) {
    const bool across = t.face[std::size_t(adj.a)] != t.face[std::size_t(adj.b)];
    CHECK((adj.crossing == Crossing::hard) == across);
    if (across) hard_length += adj.shared_length_m;
  }
  CHECK(hard_length == Approx(100.0));
  REQUIRE(find_adjacency(t, 0, 2));
  CHECK(find_adjacency(t, 0, 2)->crossing == Crossing::hard);
  CHECK(find_adjacency(t, 0, 2)->shared_length_m == Approx(50.0));
  CHECK(find_adjacency(t, 0, 1)->crossing == Crossing::none);
}

TEST_CASE("tessellation: bridges and minor roads do not cut faces", "[tessellation]") {
  Town town;
  town.community({rect(0, 0, 100, 100)});
  town.building(rect(10, 10, 30, 30));
  town.building(rect(10, 70, 30, 90));
  town.barrier(gp::LineKind::road, "primary", line({{-10, 50}, {110, 50}}));
  town.dataset.lines.back().bridge = true;
  Tessellation t = run(town);
  CHECK(t.face_count == 1);
  REQUIRE(find_adjacency(t, 0, 1));
  CHECK(find_adjacency(t, 0, 1)->crossing == Crossing::none);

  TessellationParams params = default_params();
  params.bridges_cut = true;
  t = run(town, params);
  CHECK(t.face_count == 2);
  CHECK(find_adjacency(t, 0, 1)->crossing == Crossing::hard);
}

TEST_CASE("tessellation: a soft road marks soft crossings and street blocks", "[tessellation]") {
  Town town;
  town.community({rect(0, 0, 100, 100)});
  town.building(rect(10, 10, 30, 30));
  town.building(rect(70, 10, 90, 30));
  town.building(rect(10, 70, 30, 90));
  town.building(rect(70, 70, 90, 90));
  town.barrier(gp::LineKind::road, "residential", line({{60, -10}, {60, 110}}));
  const Tessellation t = run(town);
  check_tiling(town, t);
  CHECK(t.face_count == 1);
  CHECK(t.block_count == 2);
  CHECK(t.block[0] == t.block[2]);
  CHECK(t.block[0] != t.block[1]);
  // Cells follow the road, not the bisector at x = 50.
  CHECK(t.cell_area_m2[0] == Approx(3000.0));
  CHECK(t.cell_area_m2[1] == Approx(2000.0));
  REQUIRE(find_adjacency(t, 0, 1));
  CHECK(find_adjacency(t, 0, 1)->crossing == Crossing::soft);
  CHECK(find_adjacency(t, 0, 1)->shared_length_m == Approx(50.0));
  CHECK(find_adjacency(t, 0, 2)->crossing == Crossing::none);
  CHECK(find_adjacency(t, 2, 3)->crossing == Crossing::soft);
}

TEST_CASE("tessellation: a block without buildings joins a neighbouring cell", "[tessellation]") {
  SECTION("across a soft road: the longest shared boundary wins, nothing reported") {
    Town town;
    town.community({rect(0, 0, 100, 100)});
    town.building(rect(10, 10, 30, 30));  // its cell borders the empty strip over 50 m
    town.building(rect(10, 70, 30, 40));
    town.building(rect(10, 70, 30, 90));
    town.barrier(gp::LineKind::road, "service", line({{80, -10}, {80, 110}}));
    const Tessellation t = run(town);
    check_tiling(town, t);
    CHECK(t.problems.empty());
  }
  SECTION("across a river: reported") {
    Town town;
    town.community({rect(0, 0, 100, 100)});
    town.building(rect(10, 10, 30, 30));
    town.building(rect(70, 10, 90, 30));
    town.barrier(gp::LineKind::river, "river", line({{-10, 50}, {110, 50}}));
    const Tessellation t = run(town);
    check_tiling(town, t);
    CHECK(t.problems.counts_by_kind().at("empty-face-merged-across-hard-barrier") == 1);
    CHECK(t.cell_area_m2[0] + t.cell_area_m2[1] == Approx(10000.0));
    // One cell now spans the river: its land neighbour on the north side is not "across".
    REQUIRE(find_adjacency(t, 0, 1));
  }
  SECTION("a lake inside the community") {
    Town town;
    town.community({rect(0, 0, 100, 100)});
    town.building(rect(10, 10, 30, 30));
    town.building(rect(70, 70, 90, 90));
    gp::WaterArea lake;
    lake.footprint = {rect(40, 40, 60, 60)};
    town.dataset.water.push_back(lake);
    const Tessellation t = run(town);
    check_tiling(town, t);
    CHECK(t.face_count == 2);
    CHECK(t.problems.counts_by_kind().at("empty-face-merged-across-hard-barrier") == 1);
  }
}

TEST_CASE("tessellation: a long building between small ones lies inside its own cell",
          "[tessellation]") {
  // With one site per building (its interior point, near (50, 50)) the small buildings' cells
  // would cut across both ends of the long one.
  Town town;
  town.community({rect(0, 0, 100, 100)});
  const std::int32_t long_one = town.building(rect(10, 48, 90, 52));
  town.building(rect(14, 54, 18, 58));
  town.building(rect(30, 42, 34, 46));
  town.building(rect(70, 54, 74, 58));
  town.building(rect(84, 41, 88, 45));
  town.building(rect(48, 80, 52, 84));
  town.building(rect(4, 49, 8, 51));  // just beyond its west end
  const Tessellation t = run(town);
  check_tiling(town, t);
  check_footprints_in_cells(town, t, false);
  // Cells stay whole: the small buildings' cells do not reach past the long building.
  for (std::size_t i = 1; i < town.dataset.buildings.size(); ++i) CHECK(t.cells[i].size() == 1);
  CHECK(t.cell_area_m2[std::size_t(long_one)] > 320.0);
  CHECK(t.problems.empty());
}

TEST_CASE("tessellation: a round building among terraced houses keeps its footprint in its cell",
          "[tessellation]") {
  // A drum of 360 vertices 14 cm apart between two terraces of houses sharing walls, and a house
  // 20 cm from it: the drum's sites thinned to about outline_sites_max (round 19). Each footprint
  // lies in its cell and each cell is one piece: the outline's linework, not the site spacing,
  // makes the containment exact.
  Town town;
  town.community({rect(0, 0, 120, 80)});
  gp::Ring drum;
  for (int k = 0; k < 360; ++k) {
    const double a = 2.0 * std::numbers::pi * double(k) / 360.0;
    drum.push_back({60.0 + 8.0 * std::cos(a), 40.0 + 8.0 * std::sin(a)});
  }
  drum.push_back(drum.front());
  town.building({drum, {}});
  for (int k = 0; k < 6; ++k) {
    town.building(rect(20.0 + 6.0 * k, 48, 26.0 + 6.0 * k, 58));  // north terrace, shared walls
    town.building(rect(20.0 + 6.0 * k, 22, 26.0 + 6.0 * k, 32));  // south terrace
  }
  town.building(rect(56, 48.2, 64, 56));  // 20 cm north of the drum
  const Tessellation t = run(town);
  check_tiling(town, t);
  check_footprints_in_cells(town, t, true);
}

TEST_CASE("tessellation: overlapping footprints: the smaller keeps the shared area, reported",
          "[tessellation]") {
  Town town;
  town.community({rect(0, 0, 100, 100)});
  town.building(rect(40, 40, 60, 60));
  town.building(rect(55, 45, 75, 55));  // 5 × 10 m inside the first
  town.building(rect(10, 10, 20, 20));
  const Tessellation t = run(town);
  check_tiling(town, t);
  GeosContext ctx;
  // The first (400 m²) keeps its own part: 400 m² minus the 50 m² it shares with the second.
  CHECK(overlap_area(ctx, town.dataset.buildings[0].footprint, t.cells[0]) ==
        Approx(350.0).epsilon(1e-9));
  // The second (200 m², the smaller) keeps its whole footprint.
  CHECK(overlap_area(ctx, town.dataset.buildings[1].footprint, t.cells[1]) ==
        Approx(200.0).epsilon(1e-9));
  CHECK(overlap_area(ctx, town.dataset.buildings[2].footprint, t.cells[2]) ==
        Approx(100.0).epsilon(1e-9));
  CHECK(t.problems.counts_by_kind().at("building-footprints-overlap") == 1);
  for (const gp::MultiPolygon& cell : t.cells) CHECK(cell.size() == 1);
}

TEST_CASE("tessellation: a building straddling a river belongs to its larger side",
          "[tessellation]") {
  Town town;
  town.community({rect(0, 0, 100, 100)});
  town.building(rect(40, 40, 60, 70));  // 20 m north of the river, 10 m south
  town.building(rect(40, 10, 60, 20));
  town.barrier(gp::LineKind::river, "river", line({{-10, 50}, {110, 50}}));
  const Tessellation t = run(town);
  check_tiling(town, t);
  CHECK(t.face[0] != t.face[1]);
  CHECK(t.cell_area_m2[0] == Approx(5000.0));
  CHECK(t.cell_area_m2[1] == Approx(5000.0));
  REQUIRE(find_adjacency(t, 0, 1));
  CHECK(find_adjacency(t, 0, 1)->crossing == Crossing::hard);
}

TEST_CASE("tessellation: degenerate sites", "[tessellation]") {
  SECTION("identical footprints: the first gets the cell, its copies none") {
    // A copy has no land of its own; the planner plans it with its original
    // (docs/decisions/0008-polygon-truth.md, "Overlapping footprints settled in the engine").
    Town town;
    town.community({rect(0, 0, 100, 100)});
    town.building(rect(40, 40, 60, 60));
    town.building(rect(5, 5, 10, 10));
    const Tessellation first = run(town);
    check_tiling(town, first);
    town.building(rect(40, 40, 60, 60));
    town.building(rect(40, 40, 60, 60));
    const Tessellation t = run(town);
    CHECK(t.cells[2].empty());
    CHECK(t.cells[3].empty());
    CHECK(t.face[2] == t.face[0]);
    CHECK(t.cell_area_m2[0] == Approx(first.cell_area_m2[0]));
    CHECK(t.cell_area_m2[1] == Approx(first.cell_area_m2[1]));
  }
  SECTION("collinear buildings") {
    Town town;
    town.community({rect(0, 0, 100, 20)});
    for (int k = 0; k < 5; ++k) town.building(rect(20.0 * k + 5, 5, 20.0 * k + 15, 15));
    const Tessellation t = run(town);
    check_tiling(town, t);
    for (std::size_t i = 0; i < 5; ++i) CHECK(t.cell_area_m2[i] == Approx(400.0));
    CHECK(t.adjacency.size() == 4);
  }
  SECTION("one building takes its whole community; unjoined buildings get no cell") {
    Town town;
    town.community({rect(0, 0, 100, 100)});
    town.community({rect(100, 0, 200, 100)});
    town.building(rect(10, 10, 20, 20), 0);
    town.building(rect(110, 10, 120, 20), 1);
    town.building(rect(300, 10, 320, 20), gp::kNone);
    const Tessellation t = run(town);
    CHECK(t.cell_area_m2[0] == Approx(10000.0));
    CHECK(t.cell_area_m2[1] == Approx(10000.0));
    CHECK(t.cells[2].empty());
    CHECK(t.face[2] == gp::kNone);
    CHECK(t.adjacency.empty());  // cells of different communities are never adjacent
    CHECK(t.face[0] != t.face[1]);
  }
  SECTION("a community with a hole") {
    Town town;
    GeosContext ctx;
    town.community(
        read_wkt(ctx, "POLYGON((0 0,100 0,100 100,0 100,0 0),(40 40,60 40,60 60,40 60,40 40))"));
    town.building(rect(10, 10, 20, 20));
    town.building(rect(80, 80, 90, 90));
    town.building(rect(10, 80, 20, 90));
    const Tessellation t = run(town);
    check_tiling(town, t);
  }
}

namespace {

/// A generated town: `communities` side by side, buildings on a jittered lattice, random
/// barrier lines across (rivers, hard and soft roads).
Town random_town(unsigned seed, int communities, int per_side) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Town town;
  const double size = 200.0;
  for (int c = 0; c < communities; ++c) town.community({rect(c * size, 0, (c + 1) * size, size)});
  const double slot = size / per_side;
  for (int c = 0; c < communities; ++c)
    for (int i = 0; i < per_side; ++i)
      for (int j = 0; j < per_side; ++j) {
        if (unit(rng) < 0.15) continue;  // some empty slots
        const double w = slot * (0.3 + 0.5 * unit(rng));
        const double h = slot * (0.3 + 0.5 * unit(rng));
        const double x = c * size + i * slot + (slot - w) * unit(rng);
        const double y = j * slot + (slot - h) * unit(rng);
        town.building(rect(x, y, x + w, y + h), c);
      }
  const int lines = 1 + int(rng() % 4);
  for (int l = 0; l < lines; ++l) {
    const double y0 = size * unit(rng);
    const double y1 = size * unit(rng);
    const double xm = communities * size * unit(rng);
    const double ym = size * unit(rng);
    const unsigned kind = rng() % 3;
    town.barrier(kind == 0 ? gp::LineKind::river : gp::LineKind::road,
                 kind == 0 ? "river" : (kind == 1 ? "primary" : "residential"),
                 line({{-5, y0}, {xm, ym}, {communities * size + 5, y1}}));
  }
  return town;
}

}  // namespace

TEST_CASE("tessellation: invariants on generated towns", "[tessellation]") {
  for (unsigned seed = 1; seed <= 25; ++seed) {
    INFO("seed " << seed);
    const Town town = random_town(seed, 2, 6);
    const Tessellation t = run(town);
    check_tiling(town, t);
    // Every footprint no barrier crosses lies in its own cell (the generated footprints do not
    // overlap).
    GeosContext ctx;
    for (std::size_t i = 0; i < town.dataset.buildings.size(); ++i) {
      const gp::MultiPolygon& footprint = town.dataset.buildings[i].footprint;
      if (crossed_by_barrier(ctx, town, footprint)) continue;
      INFO("building " << i);
      CHECK(share_inside(ctx, footprint, t.cells[i]) >= 0.9999);
    }
    // Cells of different faces meet only across a hard barrier, cells of one face never across
    // one — unless an empty face beyond the barrier joined one of them (reported).
    const bool merged_across =
        t.problems.counts_by_kind().contains("empty-face-merged-across-hard-barrier");
    for (const CellAdjacency& adj : t.adjacency) {
      const bool faces_differ = t.face[std::size_t(adj.a)] != t.face[std::size_t(adj.b)];
      if (faces_differ != (adj.crossing == Crossing::hard)) CHECK(merged_across);
    }
  }
}

TEST_CASE("tessellation: perimeter of a group from cell perimeters and shared lengths",
          "[tessellation]") {
  for (unsigned seed = 1; seed <= 10; ++seed) {
    INFO("seed " << seed);
    const Town town = random_town(seed + 100, 1, 7);
    const Tessellation t = run(town);
    // Groups: the buildings of each quadrant.
    std::map<int, std::vector<std::int32_t>> groups;
    for (std::size_t i = 0; i < town.dataset.buildings.size(); ++i) {
      const gp::Point c = gp::centroid(town.dataset.buildings[i].footprint);
      groups[int(c.x >= 100) + 2 * int(c.y >= 100)].push_back(std::int32_t(i));
    }
    std::vector<int> group_of(town.dataset.buildings.size(), -1);
    for (const auto& [g, members] : groups)
      for (std::int32_t b : members) group_of[std::size_t(b)] = g;
    for (const auto& [g, members] : groups) {
      double area = 0.0;
      double perimeter = 0.0;
      std::vector<const gp::MultiPolygon*> cells;
      for (std::int32_t b : members) {
        area += t.cell_area_m2[std::size_t(b)];
        perimeter += t.cell_perimeter_m[std::size_t(b)];
        cells.push_back(&t.cells[std::size_t(b)]);
      }
      for (const CellAdjacency& adj : t.adjacency)
        if (group_of[std::size_t(adj.a)] == g && group_of[std::size_t(adj.b)] == g)
          perimeter -= 2.0 * adj.shared_length_m;
      const gp::MultiPolygon united = gp::geo::union_cells(cells);
      CHECK(gp::area(united) == Approx(area).epsilon(1e-6));
      CHECK(gp::perimeter(united) == Approx(perimeter).epsilon(1e-6));
    }
  }
}

TEST_CASE("tessellation: results do not depend on the number of threads", "[tessellation]") {
  const Town town = random_town(7, 4, 8);
  Tessellation serial;
  {
    tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
    serial = run(town);
  }
  const Tessellation parallel = run(town);
  REQUIRE(serial.cells.size() == parallel.cells.size());
  for (std::size_t i = 0; i < serial.cells.size(); ++i) {
    INFO("building " << i);
    REQUIRE(serial.cells[i].size() == parallel.cells[i].size());
    for (std::size_t p = 0; p < serial.cells[i].size(); ++p)
      CHECK(serial.cells[i][p].outer == parallel.cells[i][p].outer);
    CHECK(serial.cell_perimeter_m[i] == parallel.cell_perimeter_m[i]);
    CHECK(serial.face[i] == parallel.face[i]);
    CHECK(serial.block[i] == parallel.block[i]);
  }
  REQUIRE(serial.adjacency.size() == parallel.adjacency.size());
  for (std::size_t k = 0; k < serial.adjacency.size(); ++k) {
    CHECK(serial.adjacency[k].a == parallel.adjacency[k].a);
    CHECK(serial.adjacency[k].b == parallel.adjacency[k].b);
    CHECK(serial.adjacency[k].shared_length_m == parallel.adjacency[k].shared_length_m);
    CHECK(serial.adjacency[k].crossing == parallel.adjacency[k].crossing);
  }
}

namespace {

/// Every "tessellation" fraction the town's tessellation reports, in order: a test clock one
/// second on per reading passes the driver's 0.2 s throttle, so every update is published.
std::vector<double> tessellation_fractions(const Town& town) {
  std::vector<double> fractions;
  double clock = 0.0;
  gp::Progress progress(
      [&](const gp::ProgressReport& report) {
        if (report.stage == "tessellation") fractions.push_back(report.fraction);
      },
      [&] { return clock += 1.0; });
  const Tessellation t = gp::geo::tessellate(town.dataset, default_params(), progress);
  REQUIRE(t.cells.size() == town.dataset.buildings.size());
  return fractions;
}

}  // namespace

TEST_CASE("tessellation: a large community reports its progress in every step",
          "[tessellation][progress]") {
  // One community of ~3,000 buildings (a town without a community layer): every update is
  // published (a test clock one second on per reading passes the driver's 0.2 s throttle), so
  // the fractions seen are the community's own. Before round 6 the steps after the noding
  // (pieces, owners, contacts, cells: 0.8 to 1) reported nothing between 0.8, 0.9 and 1.
  const Town town = random_town(11, 1, 60);
  const std::vector<double> fractions = tessellation_fractions(town);
  REQUIRE(!fractions.empty());
  CHECK(std::is_sorted(fractions.begin(), fractions.end()));
  CHECK(fractions.back() == 1.0);
  CHECK(fractions.size() >= 40);
  auto updates_within = [&](double from, double to) {
    return std::count_if(fractions.begin(), fractions.end(),
                         [&](double f) { return f > from && f < to; });
  };
  CHECK(updates_within(0.0, 0.05) >= 2);  // street blocks
  CHECK(updates_within(0.6, 0.8) >= 3);   // noding, faces, pieces
  CHECK(updates_within(0.8, 0.9) >= 3);   // owners, contacts
  CHECK(updates_within(0.9, 1.0) >= 2);   // cells
}

TEST_CASE("tessellation: progress inside the steps that were silent at 1M buildings",
          "[tessellation][progress]") {
  // Round 10 (docs/benchmarks.md "Progress silences at 1M, round 10"): placing buildings (whose
  // own parts' sites it now places too: helper nest's merge), the start of cut_pieces (free
  // outlines, edges to node, block rings), the owners' site locators, the contacts' pairs, the
  // empty blocks, the detached pieces, the cells' pairs and the freeing of the community's working
  // data each report from inside their loops. Counted by updates (a test clock one second on per
  // reading passes every throttle), on one community of ~3,000 buildings: at least two updates
  // strictly inside each step's span of the community's fraction (the stage's, over the
  // communities' share 0.98).
  const Town town = random_town(11, 1, 60);
  const std::vector<double> fractions = tessellation_fractions(town);
  REQUIRE(std::is_sorted(fractions.begin(), fractions.end()));
  auto updates_within = [&](double from, double to) {  // community fractions
    return std::count_if(fractions.begin(), fractions.end(), [&](double f) {
      return f > 0.98 * from + 1e-12 && f < 0.98 * to - 1e-12;
    });
  };
  CHECK(updates_within(0.05, 0.29) >= 2);      // placing buildings, by their own parts
  CHECK(updates_within(0.6, 0.6014) >= 2);     // cut_pieces: free outlines
  CHECK(updates_within(0.6014, 0.6028) >= 2);  // cut_pieces: edges near outlines
  CHECK(updates_within(0.6028, 0.607) >= 2);   // cut_pieces: block rings, outlines to node
  CHECK(updates_within(0.8, 0.809) >= 2);      // owners: the blocks' site locators
  CHECK(updates_within(0.854, 0.858) >= 2);    // contacts: pairs of segments
  CHECK(updates_within(0.87, 0.88) >= 2);      // empty blocks
  CHECK(updates_within(0.88, 0.9) >= 2);       // detached pieces
  CHECK(updates_within(0.9, 0.921) >= 2);      // cells: pieces and pairs of owners
  CHECK(updates_within(0.97, 1.0) >= 2);       // the working data freed
}

TEST_CASE("tessellation: one large community gives the same cells on 1 and on all threads",
          "[tessellation]") {
  // Large enough for the parallel steps of round 6 to split their work: the pieces' sorts
  // (parallel_sort cuts inputs of 2^16 values and more), owners, cells in chunks.
  const Town town = random_town(11, 1, 60);
  Tessellation serial;
  {
    tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
    serial = run(town);
  }
  const Tessellation parallel = run(town);
  REQUIRE(serial.cells.size() == parallel.cells.size());
  std::size_t differing = 0;
  for (std::size_t i = 0; i < serial.cells.size(); ++i) {
    bool same = serial.cells[i].size() == parallel.cells[i].size() &&
                serial.cell_perimeter_m[i] == parallel.cell_perimeter_m[i];
    for (std::size_t p = 0; same && p < serial.cells[i].size(); ++p)
      same = serial.cells[i][p].outer == parallel.cells[i][p].outer &&
             serial.cells[i][p].holes == parallel.cells[i][p].holes;
    differing += same ? 0 : 1;
  }
  CHECK(differing == 0);
  REQUIRE(serial.adjacency.size() == parallel.adjacency.size());
  for (std::size_t k = 0; k < serial.adjacency.size(); ++k) {
    CHECK(serial.adjacency[k].a == parallel.adjacency[k].a);
    CHECK(serial.adjacency[k].b == parallel.adjacency[k].b);
    CHECK(serial.adjacency[k].shared_length_m == parallel.adjacency[k].shared_length_m);
  }
}

TEST_CASE("tessellation: union_cells of a community's cells is the community", "[tessellation]") {
  const Town town = random_town(3, 1, 5);
  const Tessellation t = run(town);
  std::vector<const gp::MultiPolygon*> cells;
  for (const gp::MultiPolygon& cell : t.cells) cells.push_back(&cell);
  const gp::MultiPolygon united = gp::geo::union_cells(cells);
  REQUIRE(united.size() == 1);
  CHECK(united.front().holes.empty());
  CHECK(gp::area(united) == Approx(40000.0));
  CHECK(gp::signed_area(united.front().outer) > 0.0);
  CHECK(gp::geo::union_cells({}).empty());
}

// Benchmark, hidden from normal runs: `test_geo "[.bench]"` (GRIDPLAN_BENCH_BUILDINGS, default
// 100000). A lattice of square buildings in 100 square communities, with rivers, hard and soft
// roads across the town, in Gauss-Kruger-sized coordinates.
TEST_CASE("tessellation: benchmark on a generated town", "[.bench]") {
  const char* env = std::getenv("GRIDPLAN_BENCH_BUILDINGS");
  const long target = env ? std::atol(env) : 100000;
  const int communities_per_side = 10;
  const int per_side = int(std::ceil(std::sqrt(double(target) / 100.0)));
  const double slot = 12.0;  // metres per building slot
  const double community_size = slot * per_side;
  const double x0 = 500000.0;
  const double y0 = 3400000.0;
  Town town;
  for (int cx = 0; cx < communities_per_side; ++cx)
    for (int cy = 0; cy < communities_per_side; ++cy)
      town.community({rect(x0 + cx * community_size, y0 + cy * community_size,
                           x0 + (cx + 1) * community_size, y0 + (cy + 1) * community_size)});
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> jitter(0.0, 3.0);
  for (int cx = 0; cx < communities_per_side; ++cx)
    for (int cy = 0; cy < communities_per_side; ++cy)
      for (int i = 0; i < per_side; ++i)
        for (int j = 0; j < per_side; ++j) {
          const double x = x0 + cx * community_size + i * slot + jitter(rng);
          const double y = y0 + cy * community_size + j * slot + jitter(rng);
          town.building(rect(x, y, x + 8.0, y + 8.0), cx * communities_per_side + cy);
        }
  const double extent = community_size * communities_per_side;
  for (int k = 1; k <= 3; ++k)  // rivers, wavy, west to east
    town.barrier(gp::LineKind::river, "river",
                 line({{x0 - 10, y0 + extent * k / 4.0},
                       {x0 + extent / 3, y0 + extent * k / 4.0 + 40},
                       {x0 + 2 * extent / 3, y0 + extent * k / 4.0 - 40},
                       {x0 + extent + 10, y0 + extent * k / 4.0 + 17}}));
  for (int k = 1; k < 2 * communities_per_side; ++k) {  // roads north to south
    const double x = x0 + extent * k / (2.0 * communities_per_side) + 5.5;
    town.barrier(gp::LineKind::road, k % 4 == 0 ? "primary" : "residential",
                 line({{x, y0 - 10}, {x + 13, y0 + extent + 10}}));
  }
  const auto start = std::chrono::steady_clock::now();
  const Tessellation t = run(town);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  double area_sum = 0.0;
  std::size_t without_cell = 0;
  for (std::size_t i = 0; i < t.cells.size(); ++i) {
    area_sum += t.cell_area_m2[i];
    without_cell += t.cells[i].empty() ? 1 : 0;
  }
  WARN("tessellated " << town.dataset.buildings.size() << " buildings in " << seconds
                      << " s; peak RSS " << usage.ru_maxrss / 1024 << " MiB; " << t.adjacency.size()
                      << " adjacencies, " << t.face_count << " faces, " << t.block_count
                      << " blocks, " << t.problems.problems().size() << " problems");
  CHECK(without_cell == 0);
  CHECK(area_sum == Approx(extent * extent).epsilon(1e-9));
}

TEST_CASE("street blocks: the own face walk gives GEOS's faces, and reports inside",
          "[tessellation][progress]") {
  // Round 11 (docs/benchmarks.md "Progress: the street blocks, the siting, the export's end and
  // short runs' time left, round 11"): the street blocks' polygonizing (hard faces and blocks)
  // is the tessellation's own face walk, not one GEOS call that passed no checkpoint at its
  // start and end (17–39 s silent at 1M). The faces must be GEOS's polygonizer's exactly: the
  // same rings, point for point, in GEOS's orientation (shells clockwise); only the order of
  // the faces and each ring's first point may differ. A lattice of soft roads every 20 m with
  // diagonals (computed crossings) in a community of 1 km² at Gauss-Krüger ordinates.
  const double x0 = 500000.0;
  const double y0 = 3500000.0;
  const double size = 1000.0;
  gp::Dataset dataset;
  gp::Community community;
  community.footprint = {gp::Polygon{
      {{x0, y0}, {x0 + size, y0}, {x0 + size, y0 + size}, {x0, y0 + size}, {x0, y0}}, {}}};
  dataset.communities.push_back(community);
  // Each road drawn with 400 vertices: enough input for the soft roads' noding to run on its
  // helper thread beside the hard faces (build_blocks, kPolledMinCheckpoints), whose blocks
  // must be the same.
  auto road = [&](gp::Point a, gp::Point b) {
    gp::Line line;
    line.cls = "residential";
    for (int k = 0; k <= 400; ++k)
      line.geometry.push_back({a.x + (b.x - a.x) * k / 400.0, a.y + (b.y - a.y) * k / 400.0});
    dataset.lines.push_back(line);
  };
  for (double v = 20.0; v < size; v += 20.0) {
    road({x0 + v, y0}, {x0 + v, y0 + size});
    road({x0, y0 + v}, {x0 + size, y0 + v});
  }
  for (double v = 0.0; v < size; v += 130.0) {
    road({x0 + v, y0}, {x0 + size, y0 + size - v});
    road({x0, y0 + v + 7.0}, {x0 + size - v - 7.0, y0 + size});
  }
  gp::geo::detail::CommunityJob job;
  job.community = 0;
  for (std::int32_t l = 0; l < std::int32_t(dataset.lines.size()); ++l) job.soft_lines.push_back(l);
  GeosContext ctx;
  const GEOSContextHandle_t h = ctx.handle();
  std::vector<double> fractions;
  gp::geo::detail::CommunityBlocks blocks;
  gp::ProblemReporter problems;
  REQUIRE(gp::geo::detail::build_blocks(ctx, dataset, job, 0.0, blocks, problems,
                                        [&](double f) { fractions.push_back(f); }));
  // Updates strictly inside the hard faces' and the blocks' polygonizing spans.
  auto updates_within = [&](double from, double to) {
    return std::count_if(fractions.begin(), fractions.end(),
                         [&](double f) { return f > from && f < to; });
  };
  CHECK(std::is_sorted(fractions.begin(), fractions.end()));
  CHECK(updates_within(0.15, 0.2) >= 2);
  CHECK(updates_within(0.45, 0.6) >= 4);

  // GEOS's faces of the same linework: the community's boundary and the roads, noded together
  // (no hard line, so the two nodings of build_blocks are this one), polygonized.
  std::vector<GeomPtr> parts;
  {
    GeomPtr outline = gp::geo::to_geos(ctx, dataset.communities[0].footprint);
    gp::geo::detail::append_lines(ctx, GeomPtr(GEOSBoundary_r(h, outline.get()), {h}).get(), parts);
  }
  for (const gp::Line& line : dataset.lines) parts.push_back(gp::geo::to_geos(ctx, line.geometry));
  GeomPtr noded = gp::geo::detail::node_lines(ctx, parts, 0.0);
  std::vector<GeomPtr> faces = gp::geo::detail::polygonize(ctx, noded.get());
  REQUIRE(faces.size() == blocks.blocks.size());
  REQUIRE(faces.size() > 2500);
  auto key = [&](const GEOSGeometry* g) {
    GeomPtr copy(GEOSGeom_clone_r(h, g), {h});
    REQUIRE(GEOSNormalize_r(h, copy.get()) == 0);
    char* text = GEOSGeomToWKT_r(h, copy.get());
    std::string out(text);
    GEOSFree_r(h, text);
    return out;
  };
  std::vector<std::string> expected;
  std::vector<std::string> got;
  std::size_t clockwise_geos = 0;
  std::size_t clockwise_own = 0;
  for (const GeomPtr& f : faces) {
    expected.push_back(key(f.get()));
    char ccw = 0;
    GEOSCoordSeq_isCCW_r(h, GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, f.get())), &ccw);
    clockwise_geos += ccw == 0 ? 1 : 0;
  }
  for (const auto& block : blocks.blocks) {
    got.push_back(key(block.geometry.get()));
    char ccw = 0;
    GEOSCoordSeq_isCCW_r(
        h, GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, block.geometry.get())), &ccw);
    clockwise_own += ccw == 0 ? 1 : 0;
  }
  std::sort(expected.begin(), expected.end());
  std::sort(got.begin(), got.end());
  CHECK(got == expected);
  CHECK(clockwise_geos == faces.size());
  CHECK(clockwise_own == blocks.blocks.size());
}
