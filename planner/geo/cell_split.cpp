#include "planner/geo/cell_split.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "planner/geo/geos.hpp"

namespace gp::geo {
namespace {

/// Precision grid of union_polygons (m): far below any length that matters in a plan, far
/// above the rounding error of computed intersections at projected coordinates (~10⁻⁹ m).
constexpr double kUnionGridM = 1e-6;

/// Unit vector along the longer side of the footprint's minimum rotated rectangle; (1, 0) for
/// a degenerate footprint.
Point long_axis(GeosContext& ctx, const GEOSGeometry* footprint) {
  GeomPtr rectangle =
      own(ctx, GEOSMinimumRotatedRectangle_r(ctx.handle(), footprint), "minimum rectangle");
  const MultiPolygon shape = to_multipolygon(ctx, rectangle.get());
  if (shape.empty() || shape.front().outer.size() < 4) return {1.0, 0.0};
  const Ring& ring = shape.front().outer;
  const Point a{ring[1].x - ring[0].x, ring[1].y - ring[0].y};
  const Point b{ring[2].x - ring[1].x, ring[2].y - ring[1].y};
  const double la = std::hypot(a.x, a.y), lb = std::hypot(b.x, b.y);
  if (std::max(la, lb) <= 0.0) return {1.0, 0.0};
  return la >= lb ? Point{a.x / la, a.y / la} : Point{b.x / lb, b.y / lb};
}

void fix_orientation(MultiPolygon& shape) {
  for (Polygon& polygon : shape) {
    if (signed_area(polygon.outer) < 0.0) std::reverse(polygon.outer.begin(), polygon.outer.end());
    for (Ring& hole : polygon.holes)
      if (signed_area(hole) > 0.0) std::reverse(hole.begin(), hole.end());
  }
}

}  // namespace

std::vector<MultiPolygon> split_cell_along_building(const MultiPolygon& cell,
                                                    const MultiPolygon& footprint,
                                                    const std::vector<double>& weights) {
  const std::size_t runs = weights.size();
  if (runs <= 1 || cell.empty()) {
    std::vector<MultiPolygon> result(std::max<std::size_t>(runs, 1));
    result.front() = cell;
    return result;
  }
  thread_local GeosContext ctx;  // called from partitioner worker threads
  const GeomPtr footprint_geos = to_geos(ctx, footprint);
  const Point along = long_axis(ctx, footprint_geos.get());
  const Point across{-along.y, along.x};
  auto t_of = [&](const Point& p) { return p.x * along.x + p.y * along.y; };
  auto s_of = [&](const Point& p) { return p.x * across.x + p.y * across.y; };

  // Extent along the axis of the footprint's part inside the cell (all of it, unless another
  // footprint overlaps it or it straddles a barrier; then the whole footprint would put cuts
  // outside the cell and leave runs without a polygon), and of the cell across it (cuts reach
  // past it).
  const GeomPtr cell_geos = to_geos(ctx, cell);
  MultiPolygon inside_cell;
  GeomPtr inside_geos =
      own(ctx, GEOSIntersection_r(ctx.handle(), footprint_geos.get(), cell_geos.get()),
          "footprint inside its cell");
  {
    double overlap_area = 0.0;
    if (GEOSArea_r(ctx.handle(), inside_geos.get(), &overlap_area) == 1 && overlap_area > 0.0)
      inside_cell = to_multipolygon(ctx, inside_geos.get());
    // Only the polygonal part (an intersection can add lines and points where they touch).
    inside_geos.reset();
    if (!inside_cell.empty()) inside_geos = to_geos(ctx, inside_cell);
  }
  const MultiPolygon& measured = inside_cell.empty() ? cell : inside_cell;
  double t_min = std::numeric_limits<double>::infinity(), t_max = -t_min;
  for (const Polygon& polygon : measured)
    for (const Point& p : polygon.outer) {
      t_min = std::min(t_min, t_of(p));
      t_max = std::max(t_max, t_of(p));
    }
  double s_min = std::numeric_limits<double>::infinity(), s_max = -s_min;
  for (const Polygon& polygon : cell)
    for (const Point& p : polygon.outer) {
      s_min = std::min(s_min, s_of(p));
      s_max = std::max(s_max, s_of(p));
    }
  s_min -= 1.0;
  s_max += 1.0;

  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<double> cuts;  // positions along the axis, ascending
  double running = 0.0;
  for (std::size_t j = 0; j + 1 < runs; ++j) {
    running += weights[j];
    cuts.push_back(t_min + (t_max - t_min) * (total > 0.0 ? running / total : 0.0));
  }

  // Cell boundary + cuts, noded together and polygonized: one arrangement.
  std::vector<GEOSGeometry*> lines;
  lines.push_back(GEOSBoundary_r(ctx.handle(), cell_geos.get()));
  for (const double t : cuts) {
    const LineString cut{{t * along.x + s_min * across.x, t * along.y + s_min * across.y},
                         {t * along.x + s_max * across.x, t * along.y + s_max * across.y}};
    lines.push_back(to_geos(ctx, cut).release());
  }
  // The footprint's outline too: runs after the first take their strip of the footprint only,
  // and the first run — the one holding the cell, whose grid holds the building's neighbours —
  // keeps the rest of the cell, so it touches every neighbouring cell (issue 12: with strips
  // across the whole cell, the first run's grid lay in two pieces when its other buildings
  // touched the cell beyond the first strip).
  if (inside_geos) lines.push_back(GEOSBoundary_r(ctx.handle(), inside_geos.get()));
  if (std::find(lines.begin(), lines.end(), nullptr) != lines.end()) {
    for (GEOSGeometry* g : lines)
      if (g) GEOSGeom_destroy_r(ctx.handle(), g);
    ctx.fail("cell boundary");
  }
  const GeomPtr collection =
      own(ctx,
          GEOSGeom_createCollection_r(ctx.handle(), GEOS_MULTILINESTRING, lines.data(),
                                      static_cast<unsigned>(lines.size())),
          "cut lines");
  const GeomPtr noded = own(ctx, GEOSUnaryUnion_r(ctx.handle(), collection.get()), "noding cuts");
  const GEOSGeometry* noded_raw = noded.get();
  const GeomPtr pieces =
      own(ctx, GEOSPolygonize_r(ctx.handle(), &noded_raw, 1), "polygonizing the cut cell");
  const PreparedPtr prepared{GEOSPrepare_r(ctx.handle(), cell_geos.get()),
                             PreparedDeleter{ctx.handle()}};
  const PreparedPtr in_footprint{
      inside_geos ? GEOSPrepare_r(ctx.handle(), inside_geos.get()) : nullptr,
      PreparedDeleter{ctx.handle()}};

  // Pieces of the arrangement, each with the run of its stretch along the axis.
  struct Piece {
    GeomPtr geometry;
    std::size_t run;
    double footprint_area;  // m² of the footprint inside the piece
  };
  std::vector<Piece> kept;
  const int count = GEOSGetNumGeometries_r(ctx.handle(), pieces.get());
  for (int i = 0; i < count; ++i) {
    const GEOSGeometry* piece = GEOSGetGeometryN_r(ctx.handle(), pieces.get(), i);
    const GeomPtr inside = own(ctx, GEOSPointOnSurface_r(ctx.handle(), piece), "piece point");
    // Rings of holes polygonize into pieces too: keep only pieces inside the cell.
    if (GEOSPreparedContains_r(ctx.handle(), prepared.get(), inside.get()) != 1) continue;
    double x = 0.0, y = 0.0;
    GEOSGeomGetX_r(ctx.handle(), inside.get(), &x);
    GEOSGeomGetY_r(ctx.handle(), inside.get(), &y);
    const bool on_footprint =
        !in_footprint ||
        GEOSPreparedContains_r(ctx.handle(), in_footprint.get(), inside.get()) == 1;
    const auto run =
        on_footprint
            ? static_cast<std::size_t>(
                  std::upper_bound(cuts.begin(), cuts.end(), t_of(Point{x, y})) - cuts.begin())
            : std::size_t{0};
    const GeomPtr overlap = own(ctx, GEOSIntersection_r(ctx.handle(), piece, footprint_geos.get()),
                                "piece and footprint");
    double overlap_area = 0.0;
    if (GEOSArea_r(ctx.handle(), overlap.get(), &overlap_area) != 1) ctx.fail("piece area");
    kept.push_back({own(ctx, GEOSGeom_clone_r(ctx.handle(), piece), "piece"), run, overlap_area});
  }
  // Each run's stretch must be one polygon (issue 12): a cut across a non-convex cell can leave
  // parts of a stretch that share no edge with the part beside the run's units. Such a part
  // joins the neighbouring stretch it shares the longest boundary with. A run keeps the group of
  // its pieces (edge-connected) holding most of the footprint, else its largest.
  const std::size_t k = kept.size();
  std::vector<std::vector<std::pair<std::size_t, double>>> neighbours(k);
  for (std::size_t i = 0; i < k; ++i) {
    const GeomPtr boundary_i =
        own(ctx, GEOSBoundary_r(ctx.handle(), kept[i].geometry.get()), "piece boundary");
    for (std::size_t j = i + 1; j < k; ++j) {
      if (GEOSIntersects_r(ctx.handle(), kept[i].geometry.get(), kept[j].geometry.get()) != 1)
        continue;
      const GeomPtr boundary_j =
          own(ctx, GEOSBoundary_r(ctx.handle(), kept[j].geometry.get()), "piece boundary");
      const GeomPtr shared =
          own(ctx, GEOSIntersection_r(ctx.handle(), boundary_i.get(), boundary_j.get()),
              "shared piece boundary");
      double length = 0.0;
      if (GEOSLength_r(ctx.handle(), shared.get(), &length) != 1) ctx.fail("shared length");
      if (length <= 0.0) continue;  // a shared vertex does not connect
      neighbours[i].emplace_back(j, length);
      neighbours[j].emplace_back(i, length);
    }
  }
  std::vector<std::size_t> run_of(k);
  for (std::size_t i = 0; i < k; ++i) run_of[i] = kept[i].run;
  for (bool changed = true; changed;) {
    changed = false;
    // Groups: edge-connected pieces of one run.
    std::vector<std::size_t> group(k, k);
    std::vector<std::vector<std::size_t>> members;
    for (std::size_t i = 0; i < k; ++i) {
      if (group[i] != k) continue;
      members.emplace_back();
      std::vector<std::size_t> stack{i};
      group[i] = members.size() - 1;
      while (!stack.empty()) {
        const std::size_t p = stack.back();
        stack.pop_back();
        members.back().push_back(p);
        for (const auto& [q, length] : neighbours[p])
          if (group[q] == k && run_of[q] == run_of[p]) {
            group[q] = group[i];
            stack.push_back(q);
          }
      }
    }
    // The group each run keeps: most footprint, then most area, then the first.
    std::vector<std::size_t> home(runs, members.size());
    std::vector<std::pair<double, double>> score(members.size(), {0.0, 0.0});
    for (std::size_t g = 0; g < members.size(); ++g)
      for (std::size_t p : members[g]) {
        double piece_area = 0.0;
        GEOSArea_r(ctx.handle(), kept[p].geometry.get(), &piece_area);
        score[g].first += kept[p].footprint_area;
        score[g].second += piece_area;
      }
    for (std::size_t g = 0; g < members.size(); ++g) {
      const std::size_t run = run_of[members[g].front()];
      if (home[run] == members.size() || score[g] > score[home[run]]) home[run] = g;
    }
    // The first detached group joins its best neighbour; then the groups are recomputed.
    for (std::size_t g = 0; g < members.size() && !changed; ++g) {
      if (home[run_of[members[g].front()]] == g) continue;
      std::vector<double> by_run(runs, 0.0);
      for (std::size_t p : members[g])
        for (const auto& [q, length] : neighbours[p])
          if (group[q] != g) by_run[run_of[q]] += length;
      const auto best =
          static_cast<std::size_t>(std::max_element(by_run.begin(), by_run.end()) - by_run.begin());
      if (by_run[best] <= 0.0) continue;  // not connected to anything: stays
      for (std::size_t p : members[g]) run_of[p] = best;
      changed = true;
    }
  }

  std::vector<std::vector<GEOSGeometry*>> by_run(runs);
  for (std::size_t i = 0; i < k; ++i) by_run[run_of[i]].push_back(kept[i].geometry.release());
  std::vector<MultiPolygon> result(runs);
  for (std::size_t run = 0; run < runs; ++run) {
    if (by_run[run].empty()) continue;
    const GeomPtr group =
        own(ctx,
            GEOSGeom_createCollection_r(ctx.handle(), GEOS_GEOMETRYCOLLECTION, by_run[run].data(),
                                        static_cast<unsigned>(by_run[run].size())),
            "cell pieces");
    // Pieces of one arrangement are an exact coverage.
    const GeomPtr merged =
        own(ctx, GEOSCoverageUnion_r(ctx.handle(), group.get()), "union of cell pieces");
    result[run] = to_multipolygon(ctx, merged.get());
    fix_orientation(result[run]);
  }
  return result;
}

std::size_t piece_holding_point_on_surface(const std::vector<MultiPolygon>& pieces,
                                           const MultiPolygon& footprint) {
  if (pieces.size() <= 1 || footprint.empty()) return 0;
  thread_local GeosContext ctx;
  const GeomPtr shape = to_geos(ctx, footprint);
  const GeomPtr point =
      own(ctx, GEOSPointOnSurface_r(ctx.handle(), shape.get()), "footprint point on surface");
  // The piece covering the point (on a cut, the first); pieces are few.
  for (std::size_t j = 0; j < pieces.size(); ++j) {
    if (pieces[j].empty()) continue;
    const GeomPtr piece = to_geos(ctx, pieces[j]);
    if (GEOSIntersects_r(ctx.handle(), piece.get(), point.get()) == 1) return j;
  }
  return 0;
}

std::vector<MultiPolygon> footprint_in_pieces(const std::vector<MultiPolygon>& pieces,
                                              const MultiPolygon& footprint) {
  std::vector<MultiPolygon> result(pieces.size());
  if (footprint.empty()) return result;
  thread_local GeosContext ctx;
  const GeomPtr shape = to_geos(ctx, footprint);
  for (std::size_t j = 0; j < pieces.size(); ++j) {
    if (pieces[j].empty()) continue;
    const GeomPtr piece = to_geos(ctx, pieces[j]);
    const GeomPtr common =
        own(ctx, GEOSIntersection_r(ctx.handle(), shape.get(), piece.get()), "footprint in piece");
    result[j] = to_multipolygon(ctx, common.get());  // polygons only: touching lines dropped
    std::erase_if(result[j],
                  [](const Polygon& p) { return std::abs(signed_area(p.outer)) <= 0.0; });
    fix_orientation(result[j]);
  }
  return result;
}

Point point_on_surface(const MultiPolygon& footprint) {
  if (footprint.empty()) return {0.0, 0.0};
  thread_local GeosContext ctx;
  const GeomPtr shape = to_geos(ctx, footprint);
  const GeomPtr point =
      own(ctx, GEOSPointOnSurface_r(ctx.handle(), shape.get()), "footprint point on surface");
  Point p{0.0, 0.0};
  if (GEOSGeomGetX_r(ctx.handle(), point.get(), &p.x) != 1 ||
      GEOSGeomGetY_r(ctx.handle(), point.get(), &p.y) != 1)
    ctx.fail("point on surface");
  return p;
}

MultiPolygon valid_grid_polygon(MultiPolygon shape, bool* changed) {
  if (changed) *changed = false;
  if (shape.empty()) return shape;
  thread_local GeosContext ctx;
  const GeomPtr g = to_geos(ctx, shape);
  const char valid = GEOSisValid_r(ctx.handle(), g.get());
  if (valid == 2) ctx.fail("validity of a grid polygon");
  GeomPtr repaired;
  if (valid == 1) {
    // Valid, but a ring may pass within nanometres of itself (a collapsed spike where cells
    // meet): written in another CRS it crosses itself. Snap-rounded to the union grid, such a
    // pinch becomes exact and resolves; the polygon is replaced only when that changes its
    // structure (pieces, rings or vertices), else kept to the last bit.
    repaired =
        own(ctx, GEOSGeom_setPrecision_r(ctx.handle(), g.get(), kUnionGridM, 0), "grid on grid");
    const MultiPolygon snapped = to_multipolygon(ctx, repaired.get());
    bool same = snapped.size() == shape.size();
    for (std::size_t i = 0; same && i < shape.size(); ++i) {
      same = snapped[i].outer.size() == shape[i].outer.size() &&
             snapped[i].holes.size() == shape[i].holes.size();
      for (std::size_t h = 0; same && h < shape[i].holes.size(); ++h)
        same = snapped[i].holes[h].size() == shape[i].holes[h].size();
    }
    if (same) return shape;
  } else {
    repaired = own(ctx, GEOSMakeValid_r(ctx.handle(), g.get()), "repairing a grid");
  }
  MultiPolygon out = to_multipolygon(ctx, repaired.get());
  std::erase_if(out, [](const Polygon& p) { return std::abs(signed_area(p.outer)) <= 0.0; });
  fix_orientation(out);
  if (changed) *changed = true;
  return out;
}

MultiPolygon union_polygons(const std::vector<const MultiPolygon*>& polygons) {
  thread_local GeosContext ctx;
  std::vector<GEOSGeometry*> parts;
  for (const MultiPolygon* shape : polygons) {
    if (!shape) continue;
    for (const Polygon& polygon : *shape) parts.push_back(to_geos(ctx, polygon).release());
  }
  if (parts.empty()) return {};
  const GeomPtr collection =
      own(ctx,
          GEOSGeom_createCollection_r(ctx.handle(), GEOS_GEOMETRYCOLLECTION, parts.data(),
                                      static_cast<unsigned>(parts.size())),
          "polygons to union");
  // Snap-rounded to a 1 µm grid (issue 12, Nanjing large grid …62 in two halves): a cut's end
  // on the cell boundary is a computed intersection, a few ulps off the straight edge the
  // neighbouring cell keeps, so the two edges are near-coincident, not equal; where the new
  // vertex lies inside, a hairline gap runs along the whole edge and a plain union leaves the
  // two touching at their ends only. Snap rounding nodes both edges at the same grid points.
  const GeomPtr merged =
      own(ctx, GEOSUnaryUnionPrec_r(ctx.handle(), collection.get(), kUnionGridM), "union");
  MultiPolygon out = to_multipolygon(ctx, merged.get());
  fix_orientation(out);
  return out;
}

}  // namespace gp::geo
