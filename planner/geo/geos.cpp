#include "planner/geo/geos.hpp"

#include <cstdarg>

namespace gp::geo {

GeosContext::GeosContext() : handle_(GEOS_init_r()) {
  if (!handle_) throw GeosError("GEOS: could not create a context");
  GEOSContext_setErrorMessageHandler_r(handle_, &GeosContext::on_error, this);
}

GeosContext::~GeosContext() {
  GEOS_finish_r(handle_);
}

void GeosContext::on_error(const char* message, void* userdata) {
  // Never throw across the C boundary: remember the message for the caller to report.
  auto* self = static_cast<GeosContext*>(userdata);
  self->last_error_ = message ? message : "unknown GEOS error";
}

std::string GeosContext::take_error() {
  std::string e;
  e.swap(last_error_);
  return e;
}

void GeosContext::fail(const std::string& what) {
  std::string message = take_error();
  throw GeosError("GEOS: " + what + (message.empty() ? "" : ": " + message));
}

GeomPtr own(GeosContext& ctx, GEOSGeometry* geometry, const char* what) {
  if (!geometry) ctx.fail(what);
  return GeomPtr(geometry, GeomDeleter{ctx.handle()});
}

void fill_read_caches(GeosContext& ctx, const GEOSGeometry* geometry) {
  if (geometry == nullptr) return;
  const GEOSContextHandle_t h = ctx.handle();
  // GEOSGeom_getXMin_r asks the geometry for its envelope (computed and cached on first use);
  // an empty geometry is not asked (GEOS never caches one for it through this call either).
  double ignored = 0.0;
  GEOSGeom_getXMin_r(h, geometry, &ignored);
  const int type = GEOSGeomTypeId_r(h, geometry);
  if (type == GEOS_POINT || type == GEOS_LINESTRING || type == GEOS_LINEARRING) {
    // A point's coordinate sequence caches its dimension like a line's
    // (FixedSizeCoordinateSequence::dimension, mutable in GEOS 3.11).
    unsigned dimensions = 0;
    if (const GEOSCoordSequence* sequence = GEOSGeom_getCoordSeq_r(h, geometry))
      GEOSCoordSeq_getDimensions_r(h, sequence, &dimensions);  // caches the dimension
  } else if (type == GEOS_POLYGON) {
    fill_read_caches(ctx, GEOSGetExteriorRing_r(h, geometry));
    const int holes = GEOSGetNumInteriorRings_r(h, geometry);
    for (int i = 0; i < holes; ++i) fill_read_caches(ctx, GEOSGetInteriorRingN_r(h, geometry, i));
  } else if (type == GEOS_MULTIPOINT || type == GEOS_MULTILINESTRING || type == GEOS_MULTIPOLYGON ||
             type == GEOS_GEOMETRYCOLLECTION) {
    const int parts = GEOSGetNumGeometries_r(h, geometry);
    for (int i = 0; i < parts; ++i) fill_read_caches(ctx, GEOSGetGeometryN_r(h, geometry, i));
  }
}

namespace {

GEOSCoordSequence* make_sequence(GeosContext& ctx, const std::vector<Point>& points) {
  GEOSCoordSequence* seq = GEOSCoordSeq_create_r(ctx.handle(), unsigned(points.size()), 2);
  if (!seq) ctx.fail("coordinate sequence");
  for (unsigned i = 0; i < points.size(); ++i)
    GEOSCoordSeq_setXY_r(ctx.handle(), seq, i, points[i].x, points[i].y);
  return seq;
}

GEOSGeometry* make_ring(GeosContext& ctx, const Ring& ring) {
  Ring closed = ring;
  if (!closed.empty() && !(closed.front() == closed.back())) closed.push_back(closed.front());
  while (!closed.empty() && closed.size() < 4) closed.push_back(closed.front());  // degenerate
  GEOSGeometry* g = GEOSGeom_createLinearRing_r(ctx.handle(), make_sequence(ctx, closed));
  if (!g) ctx.fail("linear ring");
  return g;
}

GEOSGeometry* make_polygon(GeosContext& ctx, const Polygon& polygon) {
  if (polygon.outer.empty()) {
    GEOSGeometry* g = GEOSGeom_createEmptyPolygon_r(ctx.handle());
    if (!g) ctx.fail("empty polygon");
    return g;
  }
  GEOSGeometry* shell = make_ring(ctx, polygon.outer);
  std::vector<GEOSGeometry*> holes;
  holes.reserve(polygon.holes.size());
  for (const Ring& h : polygon.holes) holes.push_back(make_ring(ctx, h));
  GEOSGeometry* g =
      GEOSGeom_createPolygon_r(ctx.handle(), shell, holes.data(), unsigned(holes.size()));
  if (!g) ctx.fail("polygon");
  return g;
}

Ring read_ring(GeosContext& ctx, const GEOSGeometry* ring) {
  const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx.handle(), ring);
  if (!seq) ctx.fail("ring coordinates");
  unsigned n = 0;
  GEOSCoordSeq_getSize_r(ctx.handle(), seq, &n);
  Ring out(n);
  for (unsigned i = 0; i < n; ++i) GEOSCoordSeq_getXY_r(ctx.handle(), seq, i, &out[i].x, &out[i].y);
  return out;
}

void collect_polygons(GeosContext& ctx, const GEOSGeometry* g, MultiPolygon& out) {
  const int type = GEOSGeomTypeId_r(ctx.handle(), g);
  if (type == GEOS_POLYGON) {
    if (GEOSisEmpty_r(ctx.handle(), g) == 1) return;
    Polygon p;
    p.outer = read_ring(ctx, GEOSGetExteriorRing_r(ctx.handle(), g));
    const int holes = GEOSGetNumInteriorRings_r(ctx.handle(), g);
    for (int i = 0; i < holes; ++i)
      p.holes.push_back(read_ring(ctx, GEOSGetInteriorRingN_r(ctx.handle(), g, i)));
    out.push_back(std::move(p));
  } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
    const int n = GEOSGetNumGeometries_r(ctx.handle(), g);
    for (int i = 0; i < n; ++i) collect_polygons(ctx, GEOSGetGeometryN_r(ctx.handle(), g, i), out);
  }
}

void collect_lines(GeosContext& ctx, const GEOSGeometry* g, std::vector<LineString>& out) {
  const int type = GEOSGeomTypeId_r(ctx.handle(), g);
  if (type == GEOS_LINESTRING || type == GEOS_LINEARRING) {
    if (GEOSisEmpty_r(ctx.handle(), g) == 1) return;
    out.push_back(read_ring(ctx, g));
  } else if (type == GEOS_MULTILINESTRING || type == GEOS_GEOMETRYCOLLECTION) {
    const int n = GEOSGetNumGeometries_r(ctx.handle(), g);
    for (int i = 0; i < n; ++i) collect_lines(ctx, GEOSGetGeometryN_r(ctx.handle(), g, i), out);
  }
}

}  // namespace

GeomPtr to_geos(GeosContext& ctx, const Polygon& polygon) {
  return own(ctx, make_polygon(ctx, polygon), "polygon");
}

GeomPtr to_geos(GeosContext& ctx, const MultiPolygon& multipolygon) {
  std::vector<GEOSGeometry*> parts;
  parts.reserve(multipolygon.size());
  for (const Polygon& p : multipolygon) parts.push_back(make_polygon(ctx, p));
  return own(ctx,
             GEOSGeom_createCollection_r(ctx.handle(), GEOS_MULTIPOLYGON, parts.data(),
                                         unsigned(parts.size())),
             "multipolygon");
}

GeomPtr to_geos(GeosContext& ctx, const LineString& line) {
  return own(ctx, GEOSGeom_createLineString_r(ctx.handle(), make_sequence(ctx, line)), "line");
}

GeomPtr to_geos(GeosContext& ctx, const Point& point) {
  return own(ctx, GEOSGeom_createPointFromXY_r(ctx.handle(), point.x, point.y), "point");
}

MultiPolygon to_multipolygon(GeosContext& ctx, const GEOSGeometry* geometry) {
  MultiPolygon out;
  if (geometry) collect_polygons(ctx, geometry, out);
  return out;
}

std::vector<LineString> to_lines(GeosContext& ctx, const GEOSGeometry* geometry) {
  std::vector<LineString> out;
  if (geometry) collect_lines(ctx, geometry, out);
  return out;
}

}  // namespace gp::geo
