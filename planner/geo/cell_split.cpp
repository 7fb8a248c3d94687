#include "planner/geo/cell_split.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "planner/geo/geos.hpp"

namespace gp::geo {
namespace {

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

  // Extent of the footprint along the axis, and of the cell across it (cuts reach past it).
  double t_min = std::numeric_limits<double>::infinity(), t_max = -t_min;
  for (const Polygon& polygon : footprint)
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
  const GeomPtr cell_geos = to_geos(ctx, cell);
  std::vector<GEOSGeometry*> lines;
  lines.push_back(GEOSBoundary_r(ctx.handle(), cell_geos.get()));
  for (const double t : cuts) {
    const LineString cut{{t * along.x + s_min * across.x, t * along.y + s_min * across.y},
                         {t * along.x + s_max * across.x, t * along.y + s_max * across.y}};
    lines.push_back(to_geos(ctx, cut).release());
  }
  if (!lines.front()) {
    for (GEOSGeometry* g : lines) GEOSGeom_destroy_r(ctx.handle(), g);
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

  std::vector<std::vector<GEOSGeometry*>> by_run(runs);
  const int count = GEOSGetNumGeometries_r(ctx.handle(), pieces.get());
  for (int i = 0; i < count; ++i) {
    const GEOSGeometry* piece = GEOSGetGeometryN_r(ctx.handle(), pieces.get(), i);
    const GeomPtr inside = own(ctx, GEOSPointOnSurface_r(ctx.handle(), piece), "piece point");
    // Rings of holes polygonize into pieces too: keep only pieces inside the cell.
    if (GEOSPreparedContains_r(ctx.handle(), prepared.get(), inside.get()) != 1) continue;
    double x = 0.0, y = 0.0;
    GEOSGeomGetX_r(ctx.handle(), inside.get(), &x);
    GEOSGeomGetY_r(ctx.handle(), inside.get(), &y);
    const auto run = static_cast<std::size_t>(
        std::upper_bound(cuts.begin(), cuts.end(), t_of(Point{x, y})) - cuts.begin());
    by_run[run].push_back(GEOSGeom_clone_r(ctx.handle(), piece));
  }
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
  const GeomPtr merged = own(ctx, GEOSUnaryUnion_r(ctx.handle(), collection.get()), "union");
  MultiPolygon out = to_multipolygon(ctx, merged.get());
  fix_orientation(out);
  return out;
}

}  // namespace gp::geo
