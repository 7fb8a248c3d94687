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
  // A copy (the same shape drawn again) loses all of it to its original: it takes the original's
  // own part, so both stand at one point, in the original's cell (footprint_holders).
  std::vector<std::int32_t> copy_of(n, -1);
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
      if (part.empty()) {
        const double own_area = area(footprint);
        for (std::int32_t j : hits)  // ascending: the lowest index of equal shapes
          if (area(*footprints[std::size_t(j)]) <= (1.0 + kHeldOutsideShare) * own_area &&
              area(*footprints[std::size_t(j)]) >= (1.0 - kHeldOutsideShare) * own_area) {
            copy_of[i] = j;
            break;
          }
      }
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
  for (std::size_t i = 0; i < n; ++i)
    if (copy_of[i] >= 0) parts[i] = parts[std::size_t(copy_of[i])];
  return parts;
}

std::vector<std::int32_t> footprint_holders(const std::vector<const MultiPolygon*>& footprints) {
  const std::size_t n = footprints.size();
  std::vector<std::int32_t> holder(n, -1);
  std::vector<Box> boxes(n);  // empty (not indexed) for footprints without area
  std::vector<double> areas(n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    if (footprints[i] && footprint_has_area(*footprints[i])) {
      boxes[i] = bounds(*footprints[i]);
      areas[i] = area(*footprints[i]);
    }
  const BoxIndex index(boxes);
  PerThread<GeosContext> contexts;
  // Each entry written by its own index only.
  parallel_for(std::size_t{0}, n, [&](std::size_t i) {
    if (boxes[i].empty()) return;
    const Box& box = boxes[i];
    // A holder's box holds this box, up to the noise the share allows.
    const double slack = 1e-3 * std::max(box.width(), box.height());
    std::vector<std::int32_t> hits;
    index.intersecting(box, hits);
    std::erase_if(hits, [&](std::int32_t j) {
      const Box& other = boxes[std::size_t(j)];
      return std::size_t(j) == i || areas[std::size_t(j)] < areas[i] ||
             (areas[std::size_t(j)] == areas[i] && std::size_t(j) > i) ||
             other.min_x > box.min_x + slack || other.min_y > box.min_y + slack ||
             other.max_x < box.max_x - slack || other.max_y < box.max_y - slack;
    });
    if (hits.empty()) return;
    // The smallest holder first, then the lowest index.
    std::sort(hits.begin(), hits.end(), [&](std::int32_t a, std::int32_t b) {
      return areas[std::size_t(a)] != areas[std::size_t(b)]
                 ? areas[std::size_t(a)] < areas[std::size_t(b)]
                 : a < b;
    });
    GeosContext& ctx = contexts.local();
    try {
      const GeomPtr shape = to_geos(ctx, *footprints[i]);
      for (std::int32_t j : hits) {
        const GeomPtr other = to_geos(ctx, *footprints[std::size_t(j)]);
        const GeomPtr outside = own(ctx, GEOSDifference_r(ctx.handle(), shape.get(), other.get()),
                                    "footprint outside another");
        double outside_m2 = 0.0;
        if (GEOSArea_r(ctx.handle(), outside.get(), &outside_m2) != 1) ctx.fail("area");
        if (outside_m2 <= kHeldOutsideShare * areas[i]) {
          holder[i] = j;
          return;
        }
      }
    } catch (const GeosError&) {
      // Held by nobody: planned on its own, as before.
    }
  });
  return holder;
}

}  // namespace gp::geo
