#include "planner/geo/own_footprint.hpp"

#include <algorithm>
#include <cmath>

#include "planner/core/parallel.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/spatial_index.hpp"
#include "planner/geo/tessellation_faces.hpp"
#include "planner/geo/validate.hpp"

namespace gp::geo {
namespace {

/// body(i) for i in [0, n), in blocks run one after the other (each in parallel), tick(fraction
/// of [0, n) done) after each: about 1 % of n, at least 2,048 (a block keeps both cores busy).
template <typename Body>
void in_blocks(std::size_t n, const std::function<void(double)>& tick, const Body& body) {
  if (!tick) {
    parallel_for(std::size_t{0}, n, body);
    return;
  }
  const std::size_t block = std::max<std::size_t>(2048, n / 100);
  for (std::size_t lo = 0; lo < n; lo += block) {
    const std::size_t hi = std::min(n, lo + block);
    parallel_for(lo, hi, body);
    tick(double(hi) / double(n));
  }
}

/// Which side of the line a→b the point c lies on: +1 left, −1 right, 0 on it. The floating-point
/// determinant where its rounding cannot change the sign (robust_side, Shewchuk's first bound),
/// else GEOS's orientation index (the exact test GEOS's own predicates use).
int side(GeosContext& ctx, const Point& a, const Point& b, const Point& c) {
  if (const int certain = detail::robust_side(a, b, c); certain != 0) return certain;
  const int index = GEOSOrientationIndex_r(ctx.handle(), a.x, a.y, b.x, b.y, c.x, c.y);
  if (index == 2) ctx.fail("orientation");
  return index;
}

/// Whether the line a→b has every vertex of `one` on one closed side and every one of `other` on
/// the other, neither all on the line: then each footprint lies in its closed half-plane (the
/// hull of its vertices holds it) and their interiors lie in the two open half-planes, apart.
bool line_separates(GeosContext& ctx, const Point& a, const Point& b, const MultiPolygon& one,
                    const MultiPolygon& other) {
  int first = 0;
  auto same_side = [&](const Ring& ring) {
    for (const Point& v : ring) {
      const int s = side(ctx, a, b, v);
      if (s == 0) continue;
      if (first == 0)
        first = s;
      else if (s != first)
        return false;
    }
    return true;
  };
  for (const Polygon& polygon : one) {
    if (!same_side(polygon.outer)) return false;
    for (const Ring& hole : polygon.holes)
      if (!same_side(hole)) return false;
  }
  if (first == 0) return false;
  bool beyond = false;
  auto other_side = [&](const Ring& ring) {
    for (const Point& v : ring) {
      const int s = side(ctx, a, b, v);
      if (s == first) return false;
      beyond = beyond || s != 0;
    }
    return true;
  };
  for (const Polygon& polygon : other) {
    if (!other_side(polygon.outer)) return false;
    for (const Ring& hole : polygon.holes)
      if (!other_side(hole)) return false;
  }
  return beyond;
}

}  // namespace

/// A proof that the interiors of two footprints do not meet: a line through an edge of either
/// that separates them (line_separates), tried on the edges that reach the overlap of their
/// boxes — two footprints sharing a wall are separated by the wall's line. Most pairs of
/// footprints whose boxes meet in a real town only touch (round 11 on real-100000: 216 of 79,345
/// pairs have interiors that meet), and GEOS's relate builds both footprints' whole topology to
/// say so. False: no proof found (ask GEOS).
bool interiors_apart(GeosContext& ctx, const MultiPolygon& a, const Box& a_box,
                     const MultiPolygon& b, const Box& b_box) {
  const Box overlap{std::max(a_box.min_x, b_box.min_x), std::max(a_box.min_y, b_box.min_y),
                    std::min(a_box.max_x, b_box.max_x), std::min(a_box.max_y, b_box.max_y)};
  // Boxes that meet along an edge or corner only: the open boxes, which hold the interiors, are
  // apart.
  if (overlap.min_x >= overlap.max_x || overlap.min_y >= overlap.max_y) return true;
  auto try_edges = [&](const MultiPolygon& edges, const MultiPolygon& one,
                       const MultiPolygon& other) {
    for (const Polygon& polygon : edges) {
      const Ring& ring = polygon.outer;
      for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
        const Point& p = ring[k];
        const Point& q = ring[k + 1];
        if (std::max(p.x, q.x) < overlap.min_x || std::min(p.x, q.x) > overlap.max_x ||
            std::max(p.y, q.y) < overlap.min_y || std::min(p.y, q.y) > overlap.max_y || p == q)
          continue;
        if (line_separates(ctx, p, q, one, other)) return true;
      }
    }
    return false;
  };
  return try_edges(a, a, b) || try_edges(b, a, b);
}

namespace {

/// Footprint `i` less the footprints `hits` (ascending; each keeps its overlap with `i`) whose
/// interior meets its interior, into `part` (empty: nothing cut, nothing left, or GEOS failed);
/// `copy_of`: when nothing is left, the first hit that is a copy (footprint_is_copy), else -1.
void own_part(GeosContext& ctx, const std::vector<const MultiPolygon*>& footprints, std::size_t i,
              const std::vector<std::int32_t>& hits, const std::vector<Box>& boxes,
              const std::vector<double>& areas, MultiPolygon& part, std::int32_t& copy_of) {
  part.clear();
  copy_of = -1;
  if (hits.empty()) return;
  const MultiPolygon& footprint = *footprints[i];
  try {
    GeomPtr shape;  // the footprint as GEOS, made when GEOS is first asked
    bool cut = false;
    for (std::int32_t j : hits) {  // ascending: the same order on every thread count
      // While nothing is cut the shape is the footprint, and a separating line settles it.
      if (!cut && interiors_apart(ctx, footprint, boxes[i], *footprints[std::size_t(j)],
                                  boxes[std::size_t(j)]))
        continue;
      if (!shape) shape = to_geos(ctx, footprint);
      const GeomPtr other = to_geos(ctx, *footprints[std::size_t(j)]);
      const char meet = GEOSRelatePattern_r(ctx.handle(), shape.get(), other.get(), "T********");
      if (meet == 2) ctx.fail("footprint overlap");
      if (meet == 0) continue;
      shape = own(ctx, GEOSDifference_r(ctx.handle(), shape.get(), other.get()),
                  "footprint less a smaller footprint on it");
      cut = true;
    }
    if (!cut) return;
    MultiPolygon left = to_multipolygon(ctx, shape.get());
    std::erase_if(left, [](const Polygon& p) { return std::abs(signed_area(p.outer)) <= 0.0; });
    if (left.empty()) {
      // A hit keeps the overlap, so it is no larger than this footprint. A copy is one of the
      // same area that also holds this footprint (footprint_holders' test): one of equal area
      // only overlapping it, with the rest covered by others, is no copy — its own part is
      // elsewhere (fuzz: a copy of a split tower took the own part of an equal-sized tower
      // crossing it and lay 21 m outside its micro grid).
      for (std::int32_t j : hits) {  // ascending: the lowest index of equal shapes
        if (!footprint_is_copy(areas[std::size_t(j)], areas[i])) continue;
        const GeomPtr whole = to_geos(ctx, footprint);
        const GeomPtr other = to_geos(ctx, *footprints[std::size_t(j)]);
        const GeomPtr outside = own(ctx, GEOSDifference_r(ctx.handle(), whole.get(), other.get()),
                                    "footprint outside a copy");
        double outside_m2 = 0.0;
        if (GEOSArea_r(ctx.handle(), outside.get(), &outside_m2) != 1) ctx.fail("area");
        if (outside_m2 <= kHeldOutsideShare * areas[i]) {
          copy_of = j;
          break;
        }
      }
    }
    for (Polygon& polygon : left) {  // shells counter-clockwise, holes clockwise
      if (signed_area(polygon.outer) < 0.0)
        std::reverse(polygon.outer.begin(), polygon.outer.end());
      for (Ring& hole : polygon.holes)
        if (signed_area(hole) > 0.0) std::reverse(hole.begin(), hole.end());
    }
    part = std::move(left);
  } catch (const GeosError&) {
    part.clear();  // placed by its whole footprint, as before
    copy_of = -1;
  }
}

/// A copy (the same shape drawn again) loses all of it to its original: it takes the original's
/// own part, so both stand at one point, in the original's cell (footprint_holders).
void take_originals_parts(std::vector<MultiPolygon>& parts,
                          const std::vector<std::int32_t>& copy_of) {
  for (std::size_t i = 0; i < parts.size(); ++i)
    if (copy_of[i] >= 0) parts[i] = parts[std::size_t(copy_of[i])];
}

/// Boxes (empty for footprints without area, not indexed) and areas of the footprints.
struct Footprints {
  std::vector<Box> boxes;
  std::vector<double> areas;

  explicit Footprints(const std::vector<const MultiPolygon*>& footprints)
      : boxes(footprints.size()), areas(footprints.size(), 0.0) {
    for (std::size_t i = 0; i < footprints.size(); ++i)
      if (footprints[i] && footprint_has_area(*footprints[i])) {
        boxes[i] = bounds(*footprints[i]);
        areas[i] = area(*footprints[i]);
      }
  }
  /// Which of two overlapping footprints keeps their shared area (footprint_keeps_overlap, on
  /// the areas computed once).
  [[nodiscard]] bool keeps(std::size_t a, std::size_t b) const {
    return areas[a] != areas[b] ? areas[a] < areas[b] : a < b;
  }
  /// The kept overlaps of footprint i: into `hits`, the footprints whose boxes meet i's in
  /// `index` (ascending) that keep their overlap with it — what own_part takes away from i.
  void kept_overlaps(const BoxIndex& index, std::size_t i, std::vector<std::int32_t>& hits) const {
    index.intersecting(boxes[i], hits);
    std::erase_if(hits,
                  [&](std::int32_t j) { return std::size_t(j) == i || !keeps(std::size_t(j), i); });
  }
};

/// footprint_holders, among footprints of the same `group` only (null: one group; kNone: held
/// by nobody and holding nobody).
std::vector<std::int32_t> holders_in_groups(const std::vector<const MultiPolygon*>& footprints,
                                            const Footprints& f, const BoxIndex& index,
                                            const std::vector<std::int32_t>* group,
                                            const std::function<void(double)>& tick) {
  const std::size_t n = footprints.size();
  std::vector<std::int32_t> holder(n, -1);
  const std::vector<Box>& boxes = f.boxes;
  const std::vector<double>& areas = f.areas;
  PerThread<GeosContext> contexts;
  // Each entry written by its own index only.
  in_blocks(n, tick, [&](std::size_t i) {
    if (boxes[i].empty() || (group && (*group)[i] == kNone)) return;
    const Box& box = boxes[i];
    // A holder's box holds this box, up to the noise the share allows.
    const double slack = 1e-3 * std::max(box.width(), box.height());
    std::vector<std::int32_t> hits;
    index.intersecting(box, hits);
    std::erase_if(hits, [&](std::int32_t j) {
      const Box& other = boxes[std::size_t(j)];
      return std::size_t(j) == i || (group && (*group)[std::size_t(j)] != (*group)[i]) ||
             areas[std::size_t(j)] < areas[i] ||
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

}  // namespace

std::vector<MultiPolygon> own_footprints(const std::vector<const MultiPolygon*>& footprints) {
  const std::size_t n = footprints.size();
  const Footprints f(footprints);
  const BoxIndex index(f.boxes);
  std::vector<MultiPolygon> parts(n);
  std::vector<std::int32_t> copy_of(n, -1);
  PerThread<GeosContext> contexts;
  // Each entry written by its own index only.
  parallel_for(std::size_t{0}, n, [&](std::size_t i) {
    if (f.boxes[i].empty()) return;
    std::vector<std::int32_t> hits;
    f.kept_overlaps(index, i, hits);
    own_part(contexts.local(), footprints, i, hits, f.boxes, f.areas, parts[i], copy_of[i]);
  });
  take_originals_parts(parts, copy_of);
  return parts;
}

std::vector<std::int32_t> footprint_holders(const std::vector<const MultiPolygon*>& footprints) {
  const Footprints f(footprints);
  const BoxIndex index(f.boxes);
  return holders_in_groups(footprints, f, index, nullptr, nullptr);
}

std::shared_ptr<const FootprintSettling> settle_footprints(
    const Dataset& dataset, const std::function<void(double)>& tick) {
  const std::size_t n = dataset.buildings.size();
  auto out = std::make_shared<FootprintSettling>();
  std::vector<const MultiPolygon*> footprints(n);
  out->community.resize(n);
  std::vector<std::int32_t> group(n, kNone);  // the community, kNone when none or invalid
  for (std::size_t i = 0; i < n; ++i) {
    const Building& b = dataset.buildings[i];
    footprints[i] = &b.footprint;
    out->community[i] = b.community;
    if (b.community >= 0 && std::size_t(b.community) < dataset.communities.size())
      group[i] = b.community;
  }
  const Footprints f(footprints);
  const BoxIndex index(f.boxes);
  auto span = [&](double from, double to) -> std::function<void(double)> {
    if (!tick) return nullptr;
    return [&tick, from, to](double done) { tick(from + (to - from) * done); };
  };

  // 1. Holders within each community (the tessellation's and the partition's jobs).
  out->holder = holders_in_groups(footprints, f, index, &group, span(0.0, 0.4));
  std::vector<char> copy(n, 0);
  for (std::size_t i = 0; i < n; ++i)
    if (const std::int32_t h = out->holder[i]; h >= 0)
      copy[i] = footprint_is_copy(f.areas[i], f.areas[std::size_t(h)]) ? 1 : 0;

  // 2. Own parts among the community's buildings that are no copy (the tessellation's sites),
  //    and which buildings' own part among all the buildings may differ from it: a copy, a
  //    building in no community, and one a copy or another community's footprint may cut.
  //    For every other building the two calls see the same footprints in the same order.
  std::vector<MultiPolygon> site_part(n), all_part(n);
  std::vector<std::int32_t> site_copy_of(n, -1), all_copy_of(n, -1);
  std::vector<char> differs(n, 0);
  PerThread<GeosContext> contexts;
  in_blocks(n, span(0.4, 0.9), [&](std::size_t i) {
    if (f.boxes[i].empty()) return;
    std::vector<std::int32_t> hits;
    f.kept_overlaps(index, i, hits);
    if (group[i] == kNone || copy[i]) {
      differs[i] = 1;
      return;
    }
    const std::size_t before = hits.size();
    std::erase_if(hits, [&](std::int32_t j) {
      return copy[std::size_t(j)] || group[std::size_t(j)] != group[i];
    });
    differs[i] = hits.size() != before ? 1 : 0;
    own_part(contexts.local(), footprints, i, hits, f.boxes, f.areas, site_part[i],
             site_copy_of[i]);
  });
  // 3. Own parts among all the buildings, where they may differ.
  in_blocks(n, span(0.9, 1.0), [&](std::size_t i) {
    if (!differs[i]) {
      all_part[i] = site_part[i];
      all_copy_of[i] = site_copy_of[i];
      return;
    }
    std::vector<std::int32_t> hits;
    f.kept_overlaps(index, i, hits);
    own_part(contexts.local(), footprints, i, hits, f.boxes, f.areas, all_part[i], all_copy_of[i]);
  });
  take_originals_parts(site_part, site_copy_of);
  take_originals_parts(all_part, all_copy_of);
  for (std::size_t i = 0; i < n; ++i)
    if (!site_part[i].empty() && group[i] != kNone && !copy[i])
      out->site_parts.emplace_back(std::int32_t(i), std::move(site_part[i]));
  out->own_parts = std::make_shared<const std::vector<MultiPolygon>>(std::move(all_part));
  return out;
}

}  // namespace gp::geo
