#include "planner/geo/own_footprint.hpp"

#include <algorithm>
#include <cmath>

#include "planner/core/parallel.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/spatial_index.hpp"
#include "planner/geo/validate.hpp"

namespace gp::geo {

std::vector<MultiPolygon> own_footprints(const std::vector<const MultiPolygon*>& footprints) {
  const std::size_t n = footprints.size();
  std::vector<MultiPolygon> parts(n);
  std::vector<Box> boxes(n);  // empty (not indexed) for footprints without area
  for (std::size_t i = 0; i < n; ++i)
    if (footprints[i] && footprint_has_area(*footprints[i])) boxes[i] = bounds(*footprints[i]);
  const BoxIndex index(boxes);
  PerThread<GeosContext> contexts;
  // Each entry written by its own index only.
  parallel_for(std::size_t{0}, n, [&](std::size_t i) {
    if (boxes[i].empty()) return;
    const MultiPolygon& footprint = *footprints[i];
    std::vector<std::int32_t> hits;
    index.intersecting(boxes[i], hits);
    std::erase_if(hits, [&](std::int32_t j) {
      return std::size_t(j) == i ||
             !footprint_keeps_overlap(*footprints[std::size_t(j)], std::size_t(j), footprint, i);
    });
    if (hits.empty()) return;
    GeosContext& ctx = contexts.local();
    try {
      GeomPtr shape = to_geos(ctx, footprint);
      bool cut = false;
      for (std::int32_t j : hits) {  // ascending: the same order on every thread count
        const GeomPtr other = to_geos(ctx, *footprints[std::size_t(j)]);
        const char meet = GEOSRelatePattern_r(ctx.handle(), shape.get(), other.get(), "T********");
        if (meet == 2) ctx.fail("footprint overlap");
        if (meet == 0) continue;
        shape = own(ctx, GEOSDifference_r(ctx.handle(), shape.get(), other.get()),
                    "footprint less a smaller footprint on it");
        cut = true;
      }
      if (!cut) return;
      MultiPolygon part = to_multipolygon(ctx, shape.get());
      std::erase_if(part, [](const Polygon& p) { return std::abs(signed_area(p.outer)) <= 0.0; });
      for (Polygon& polygon : part) {  // shells counter-clockwise, holes clockwise
        if (signed_area(polygon.outer) < 0.0)
          std::reverse(polygon.outer.begin(), polygon.outer.end());
        for (Ring& hole : polygon.holes)
          if (signed_area(hole) > 0.0) std::reverse(hole.begin(), hole.end());
      }
      parts[i] = std::move(part);
    } catch (const GeosError&) {
      parts[i].clear();  // placed by its whole footprint, as before
    }
  });
  return parts;
}

}  // namespace gp::geo
