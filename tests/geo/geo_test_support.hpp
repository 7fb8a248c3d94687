// Shapes and reference computations several geometry tests share (header-only; tests only).
#pragma once

#include <geos_c.h>

#include <vector>

#include "planner/core/geometry.hpp"
#include "planner/geo/built_up_area.hpp"
#include "planner/geo/geos.hpp"

namespace gp::test {

/// The axis-aligned rectangle x0..x1 × y0..y1 (metres, the working CRS) as one polygon.
inline MultiPolygon square(double x0, double y0, double x1, double y1) {
  return {Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}}};
}

/// The built-up area as one GEOS union, the way geo::built_up_area computed it before it chose
/// the footprints to grow (round 6): every non-empty footprint grown by reach_m (4 segments per
/// quadrant), one unary union, one shrink by reach_m − margin_m. The reference its tests compare
/// the faster area with.
inline MultiPolygon single_union_built_up_area(geo::GeosContext& ctx,
                                               const std::vector<const MultiPolygon*>& footprints,
                                               const geo::BuiltUpParams& params) {
  GEOSContextHandle_t h = ctx.handle();
  std::vector<GEOSGeometry*> parts;
  for (const MultiPolygon* f : footprints) {
    if (f->empty()) continue;
    geo::GeomPtr raw = geo::to_geos(ctx, *f);
    if (GEOSGeometry* grown = GEOSBuffer_r(h, raw.get(), params.reach_m, 4)) parts.push_back(grown);
  }
  geo::GeomPtr all = geo::own(ctx,
                              GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts.data(),
                                                          static_cast<unsigned>(parts.size())),
                              "collection");
  geo::GeomPtr grown = geo::own(ctx, GEOSUnaryUnion_r(h, all.get()), "union");
  geo::GeomPtr closed =
      geo::own(ctx, GEOSBuffer_r(h, grown.get(), -(params.reach_m - params.margin_m), 4), "shrink");
  return geo::to_multipolygon(ctx, closed.get());
}

}  // namespace gp::test
