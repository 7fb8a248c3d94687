#include "planner/geo/tessellation_geos.hpp"

#include "planner/geo/tessellation_faces.hpp"

namespace gp::geo::detail {

GeomPtr make_collection(GeosContext& ctx, int type, std::vector<GeomPtr>& parts) {
  std::vector<GEOSGeometry*> raw;
  raw.reserve(parts.size());
  for (GeomPtr& part : parts) raw.push_back(part.release());
  parts.clear();
  return own(ctx, GEOSGeom_createCollection_r(ctx.handle(), type, raw.data(), unsigned(raw.size())),
             "collection");
}

GeomPtr clone(GeosContext& ctx, const GEOSGeometry* geometry) {
  return own(ctx, GEOSGeom_clone_r(ctx.handle(), geometry), "clone");
}

void append_lines(GeosContext& ctx, const GEOSGeometry* geometry, std::vector<GeomPtr>& out) {
  const GEOSContextHandle_t h = ctx.handle();
  const int type = GEOSGeomTypeId_r(h, geometry);
  if (type == GEOS_LINESTRING) {
    if (GEOSisEmpty_r(h, geometry) == 0) out.push_back(clone(ctx, geometry));
  } else if (type == GEOS_LINEARRING) {
    if (GEOSisEmpty_r(h, geometry) != 0) return;
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, geometry);
    if (!seq) ctx.fail("ring coordinates");
    GEOSCoordSequence* copy = GEOSCoordSeq_clone_r(h, seq);
    if (!copy) ctx.fail("ring coordinates");
    out.push_back(own(ctx, GEOSGeom_createLineString_r(h, copy), "ring as line"));
  } else if (type == GEOS_POLYGON) {
    return;
  } else if (type == GEOS_MULTILINESTRING || type == GEOS_GEOMETRYCOLLECTION) {
    const int n = GEOSGetNumGeometries_r(h, geometry);
    for (int i = 0; i < n; ++i) append_lines(ctx, GEOSGetGeometryN_r(h, geometry, i), out);
  }
}

void append_polygons(GeosContext& ctx, const GEOSGeometry* geometry, std::vector<GeomPtr>& out) {
  const GEOSContextHandle_t h = ctx.handle();
  const int type = GEOSGeomTypeId_r(h, geometry);
  if (type == GEOS_POLYGON) {
    if (GEOSisEmpty_r(h, geometry) == 0) out.push_back(clone(ctx, geometry));
  } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
    const int n = GEOSGetNumGeometries_r(h, geometry);
    for (int i = 0; i < n; ++i) append_polygons(ctx, GEOSGetGeometryN_r(h, geometry, i), out);
  }
}

GeomPtr node_lines(GeosContext& ctx, std::vector<GeomPtr>& lines, double snap_grid_m) {
  GeomPtr all = make_collection(ctx, GEOS_GEOMETRYCOLLECTION, lines);
  // Snap-rounding costs one std::random_device per input line inside GEOS 3.11 (tens of µs
  // each on virtual machines), so it is kept for retries.
  GEOSGeometry* noded = snap_grid_m > 0.0
                            ? GEOSUnaryUnionPrec_r(ctx.handle(), all.get(), snap_grid_m)
                            : GEOSUnaryUnion_r(ctx.handle(), all.get());
  return own(ctx, noded, "noding lines");
}

std::vector<GeomPtr> polygonize(GeosContext& ctx, const GEOSGeometry* noded_lines) {
  return polygonize(ctx, std::vector<const GEOSGeometry*>{noded_lines});
}

std::vector<GeomPtr> polygonize(GeosContext& ctx, const std::vector<const GEOSGeometry*>& inputs) {
  GeomPtr faces = own(ctx, GEOSPolygonize_r(ctx.handle(), inputs.data(), unsigned(inputs.size())),
                      "polygonize");
  std::vector<GeomPtr> out;
  append_polygons(ctx, faces.get(), out);
  return out;
}

Point interior_point(GeosContext& ctx, const GEOSGeometry* polygonal) {
  GeomPtr point = own(ctx, GEOSPointOnSurface_r(ctx.handle(), polygonal), "point on surface");
  Point p;
  if (GEOSisEmpty_r(ctx.handle(), point.get()) != 0) ctx.fail("point on surface of an empty shape");
  if (GEOSGeomGetX_r(ctx.handle(), point.get(), &p.x) == 0 ||
      GEOSGeomGetY_r(ctx.handle(), point.get(), &p.y) == 0)
    ctx.fail("point coordinates");
  return p;
}

Box envelope(GeosContext& ctx, const GEOSGeometry* geometry) {
  Box box;
  if (GEOSisEmpty_r(ctx.handle(), geometry) != 0) return box;
  if (GEOSGeom_getXMin_r(ctx.handle(), geometry, &box.min_x) == 0 ||
      GEOSGeom_getYMin_r(ctx.handle(), geometry, &box.min_y) == 0 ||
      GEOSGeom_getXMax_r(ctx.handle(), geometry, &box.max_x) == 0 ||
      GEOSGeom_getYMax_r(ctx.handle(), geometry, &box.max_y) == 0)
    ctx.fail("envelope");
  return box;
}

PreparedPtr prepare(GeosContext& ctx, const GEOSGeometry* geometry) {
  const GEOSPreparedGeometry* prepared = GEOSPrepare_r(ctx.handle(), geometry);
  if (!prepared) ctx.fail("prepare geometry");
  return PreparedPtr(prepared, PreparedDeleter{ctx.handle()});
}

bool contains_point(GeosContext& ctx, const GEOSPreparedGeometry* prepared, const Point& point) {
  GeomPtr g = to_geos(ctx, point);
  const char result = GEOSPreparedContains_r(ctx.handle(), prepared, g.get());
  if (result == 2) ctx.fail("point in polygon");
  return result == 1;
}

double geos_area(GeosContext& ctx, const GEOSGeometry* geometry) {
  double a = 0.0;
  if (GEOSArea_r(ctx.handle(), geometry, &a) == 0) ctx.fail("area");
  return a;
}

void append_segments(GeosContext& ctx, const GEOSGeometry* geometry,
                     std::vector<std::pair<Point, Point>>& out) {
  const GEOSContextHandle_t h = ctx.handle();
  const int type = GEOSGeomTypeId_r(h, geometry);
  if (type == GEOS_LINESTRING || type == GEOS_LINEARRING) {
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, geometry);
    if (!seq) ctx.fail("line coordinates");
    unsigned size = 0;
    if (GEOSCoordSeq_getSize_r(h, seq, &size) == 0) ctx.fail("line coordinates");
    Point previous;
    for (unsigned k = 0; k < size; ++k) {
      Point p;
      GEOSCoordSeq_getXY_r(h, seq, k, &p.x, &p.y);
      if (k > 0 && !(p == previous)) out.emplace_back(previous, p);
      previous = p;
    }
  } else if (type == GEOS_MULTILINESTRING || type == GEOS_GEOMETRYCOLLECTION) {
    const int n = GEOSGetNumGeometries_r(h, geometry);
    for (int i = 0; i < n; ++i) append_segments(ctx, GEOSGetGeometryN_r(h, geometry, i), out);
  }
}

Point interior_point(GeosContext& ctx, const Polygon& polygon) {
  double a2 = 0.0;
  double cx = 0.0;
  double cy = 0.0;
  const Ring& ring = polygon.outer;
  const Point origin = ring.front();  // relative coordinates keep precision far from 0
  for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
    const double x0 = ring[k].x - origin.x;
    const double y0 = ring[k].y - origin.y;
    const double x1 = ring[k + 1].x - origin.x;
    const double y1 = ring[k + 1].y - origin.y;
    const double cross = x0 * y1 - x1 * y0;
    a2 += cross;
    cx += (x0 + x1) * cross;
    cy += (y0 + y1) * cross;
  }
  if (a2 != 0.0) {
    const Point c{origin.x + cx / (3.0 * a2), origin.y + cy / (3.0 * a2)};
    if (in_polygon(polygon, c)) return c;
  }
  GeomPtr geometry = to_geos(ctx, polygon);
  return interior_point(ctx, geometry.get());
}

}  // namespace gp::geo::detail
