// The crossing between two cells when one of them holds land across a hard barrier (issue 12;
// docs/decisions/0008-polygon-truth.md, "Barrier crossings", "Lead confirmed"). An empty street
// block whose only owned neighbour in the first round is across a hard road joins that cell
// (empty-face-merged-across-hard-barrier); the absorbed block then borders, softly, the cells of
// its own face. Those cells' buildings still stand on two sides of the road: their adjacency must
// be hard, or the partition joins households of both sides through the absorbed land (Monaco
// large grid …297 across Boulevard des Moulins, Helsinki …09 across Unioninkatu). Footprints and
// the community as WKT, coordinates in metres (a projected CRS).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "planner/core/point_in_polygon.hpp"
#include "planner/geo/cell_split.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/tessellation.hpp"

namespace {

using namespace gp;

MultiPolygon from_wkt(geo::GeosContext& ctx, const std::string& wkt) {
  GEOSWKTReader* reader = GEOSWKTReader_create_r(ctx.handle());
  geo::GeomPtr g = geo::own(ctx, GEOSWKTReader_read_r(ctx.handle(), reader, wkt.c_str()), "wkt");
  GEOSWKTReader_destroy_r(ctx.handle(), reader);
  return geo::to_multipolygon(ctx, g.get());
}

/// A community 300 × 100 m. A primary road (hard) runs along y = 50 across it; north of it two
/// residential streets (soft) at x = 100 and x = 200 cut three street blocks: west (building Y),
/// middle and east (both empty). South of the road one building, X, owns the whole south face.
/// First round of the empty blocks: the middle one takes Y's cell (its soft neighbour), the east
/// one has only X across the road (its soft neighbour, the middle, is still unowned) and takes
/// X's cell across the barrier. X's cell then touches Y's cell along the street at x = 200.
struct AbsorbedTown {
  Dataset dataset;
  AbsorbedTown() {
    geo::GeosContext ctx;
    Community c;
    c.id = 1;
    c.name = "华侨路社区";
    c.footprint = from_wkt(ctx, "POLYGON ((0 0, 300 0, 300 100, 0 100, 0 0))");
    dataset.communities.push_back(c);
    for (const char* wkt : {"POLYGON ((140 10, 160 10, 160 30, 140 30, 140 10))",  // X
                            "POLYGON ((40 70, 60 70, 60 90, 40 90, 40 70))"}) {    // Y
      Building b;
      b.id = static_cast<std::int64_t>(dataset.buildings.size()) + 1;
      b.households = 100;
      b.community = 0;
      b.footprint = from_wkt(ctx, wkt);
      dataset.buildings.push_back(b);
    }
    road("primary", {{-10, 50}, {310, 50}});
    road("residential", {{100, 50}, {100, 110}});
    road("residential", {{200, 50}, {200, 110}});
  }
  void road(const std::string& cls, LineString geometry) {
    Line l;
    l.id = static_cast<std::int64_t>(dataset.lines.size()) + 1;
    l.kind = LineKind::road;
    l.cls = cls;
    l.geometry = std::move(geometry);
    dataset.lines.push_back(l);
  }
};

}  // namespace

TEST_CASE("tessellation: land absorbed across a hard road does not make its neighbours soft") {
  const AbsorbedTown town;
  geo::TessellationParams params;
  params.hard_road_classes = {"primary"};
  Progress progress;
  const geo::Tessellation tess = geo::tessellate(town.dataset, params, progress);
  REQUIRE(tess.cells.size() == 2);
  // The situation: X's cell holds the south face and the empty east block across the road.
  CHECK(tess.cell_area_m2[0] == Approx(300.0 * 50.0 + 100.0 * 50.0).epsilon(1e-6));
  CHECK(tess.cell_area_m2[1] == Approx(200.0 * 50.0).epsilon(1e-6));
  CHECK(tess.face[0] != tess.face[1]);
  bool reported = false;
  for (const Problem& p : tess.problems.problems())
    reported |= p.kind == "empty-face-merged-across-hard-barrier";
  CHECK(reported);
  // The rule: X and Y stand on two sides of the road; the 50 m of soft street between the east
  // block and the middle one do not join them.
  REQUIRE(tess.adjacency.size() == 1);
  const geo::CellAdjacency& adj = tess.adjacency.front();
  CHECK(adj.a == 0);
  CHECK(adj.b == 1);
  CHECK(adj.shared_length_m == Approx(200.0 + 50.0).epsilon(1e-6));
  CHECK(adj.crossing == geo::Crossing::hard);
}

// A tower split into units: its neighbours are linked, in the partition, to the unit whose piece
// of the cell they border (partition/atoms.cpp, find_contact_units), and the export cuts the
// cell so that each run is the union of its units' pieces (issue 12; docs/decisions/0008,
// "Split towers and the barrier fix"). Before, every neighbour was linked to the first unit,
// whose piece is only its strip and the land off the footprint: a neighbour touching a later
// unit's strip along a wall went to the first run's grid, which came out in two pieces
// (Helsinki micro grids …2302, …4401). Metres.
TEST_CASE("split tower: a neighbour touching a later unit's strip is linked to that unit") {
  geo::GeosContext ctx;
  // The tower's cell: its footprint (x 10–100, 4 units along x) and land west of it (x 0–10).
  const MultiPolygon cell = from_wkt(ctx, "POLYGON ((0 0, 100 0, 100 20, 0 20, 0 0))");
  const MultiPolygon footprint = from_wkt(ctx, "POLYGON ((10 0, 100 0, 100 20, 10 20, 10 0))");
  // North of the tower, a neighbour whose cell touches the footprint's north wall at x 60–75 (in
  // the third unit from the west, the second from the east: never the first unit, whichever end
  // the cut starts from); west of it, one touching the land off the footprint.
  const MultiPolygon north = from_wkt(ctx, "POLYGON ((60 20, 75 20, 75 40, 60 40, 60 20))");
  const MultiPolygon west = from_wkt(ctx, "POLYGON ((-20 0, 0 0, 0 20, -20 20, -20 0))");
  const std::vector<MultiPolygon> units =
      geo::split_cell_along_building(cell, footprint, std::vector<double>(4, 1.0));
  REQUIRE(units.size() == 4);
  double total = 0.0;
  for (const MultiPolygon& u : units) {
    CHECK(u.size() == 1);  // each unit's piece is one polygon
    total += area(u);
  }
  CHECK(total == Approx(area(cell)).epsilon(1e-9));

  const auto [unit_north, cell_north] = geo::pieces_bordering(units, {north});
  CHECK(cell_north == 0);
  CHECK((unit_north == 1 || unit_north == 2));  // a middle unit, not the first
  // The western neighbour is linked to the unit whose piece holds the land off the footprint.
  const int unit_west = geo::pieces_bordering(units, {west}).first;
  REQUIRE(unit_west >= 0);
  CHECK(point_in_polygon(units[static_cast<std::size_t>(unit_west)], Point{5.0, 10.0}));
  // The first unit's piece does not touch the northern neighbour at all.
  CHECK(geo::pieces_bordering({units[0]}, {north}).first == -1);

  // The export: runs of 1 + 3 and 2 + 2 units, each the union of its units' pieces, so the run
  // holding the unit the neighbour was linked to borders it.
  for (const std::vector<double>& runs : {std::vector<double>{1, 3}, std::vector<double>{2, 2}}) {
    INFO("runs of " << runs[0] << " + " << runs[1] << " units");
    const std::vector<MultiPolygon> pieces =
        geo::split_cell_along_building(cell, footprint, runs, {}, 4);
    REQUIRE(pieces.size() == 2);
    CHECK(pieces[0].size() == 1);
    CHECK(pieces[1].size() == 1);
    // The union of two units' pieces is snap-rounded to 1 µm (union_polygons): m² to 1 mm².
    CHECK(area(pieces[0]) ==
          Approx(area(units[0]) + (runs[0] > 1 ? area(units[1]) : 0.0)).margin(1e-6));
    const std::size_t run_north = unit_north < static_cast<int>(runs[0]) ? 0 : 1;
    CHECK(geo::pieces_bordering({pieces[run_north]}, {north}).first == 0);
    CHECK(geo::pieces_bordering({pieces[1 - run_north]}, {north}).first == -1);
  }
}
