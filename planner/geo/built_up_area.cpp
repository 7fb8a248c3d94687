#include "planner/geo/built_up_area.hpp"

#include <geos_c.h>

namespace gp::geo {

MultiPolygon built_up_area(GeosContext& ctx, const std::vector<const MultiPolygon*>& footprints,
                           const BuiltUpParams& params) {
  GEOSContextHandle_t h = ctx.handle();
  // 4 segments per quarter circle: the outline is a planning boundary, not a survey line.
  constexpr int kQuadrantSegments = 4;
  // Each footprint is grown on its own (which also mends invalid rings), then the grown shapes
  // are merged by a cascaded union: buffering one collection of tens of thousands of raw
  // footprints makes GEOS overlay them all at once and runs out of memory (Monaco, 23k).
  std::vector<GEOSGeometry*> parts;
  parts.reserve(footprints.size());
  for (const MultiPolygon* footprint : footprints) {
    if (footprint == nullptr || footprint->empty()) continue;
    GeomPtr raw = to_geos(ctx, *footprint);
    if (GEOSGeometry* grown = GEOSBuffer_r(h, raw.get(), params.reach_m, kQuadrantSegments))
      parts.push_back(grown);
  }
  if (parts.empty()) return {};
  // The collection takes ownership of the parts.
  GeomPtr all = own(ctx,
                    GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts.data(),
                                                static_cast<unsigned>(parts.size())),
                    "built-up area: collecting grown footprints");
  GeomPtr grown = own(ctx, GEOSUnaryUnion_r(h, all.get()), "built-up area: merging");
  GeomPtr closed =
      own(ctx, GEOSBuffer_r(h, grown.get(), -(params.reach_m - params.margin_m), kQuadrantSegments),
          "built-up area: shrinking back");
  return to_multipolygon(ctx, closed.get());
}

}  // namespace gp::geo
