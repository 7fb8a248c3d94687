#include "planner/geo/tessellation_sites.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <numbers>
#include <optional>
#include <set>
#include <sstream>

#include "planner/core/parallel.hpp"

namespace gp::geo::detail {
namespace {

/// Whether a block holds a point: its own rings when the point is clear of them by kClearanceM
/// (the same coordinates as the GEOS block, and far beyond the crossing test's rounding, so the
/// same answer), else GEOS's prepared block.
bool block_contains(GeosContext& ctx, const GEOSPreparedGeometry* block, const BlockShape& shape,
                    const Point& p) {
  const Box clear{p.x - kClearanceM, p.y - kClearanceM, p.x + kClearanceM, p.y + kClearanceM};
  if (!shape.boundary_near(clear)) return shape.contains(p);
  return contains_point(ctx, block, p);
}

/// Buildings with identical sites (duplicates, or footprints sharing a representative point)
/// would share one Voronoi cell. Spread each group evenly on a small circle around the common
/// point: the bisectors then split the group's cell into wedges of comparable size, one per
/// building. The start angle avoids bisectors parallel to axis-aligned footprints.
void spread_coincident_sites(GeosContext& ctx, std::vector<Site>& sites,
                             const GEOSPreparedGeometry* block, const BlockShape& shape) {
  std::sort(sites.begin(), sites.end(), [](const Site& a, const Site& b) {
    if (a.p.x != b.p.x) return a.p.x < b.p.x;
    if (a.p.y != b.p.y) return a.p.y < b.p.y;
    return a.building < b.building;
  });
  std::size_t i = 0;
  while (i < sites.size()) {
    std::size_t j = i + 1;
    while (j < sites.size() && sites[j].p == sites[i].p) ++j;
    const std::size_t group = j - i;
    if (group > 1) {
      const Point centre = sites[i].p;
      for (std::size_t k = 0; k < group; ++k) {
        const double angle = 0.5 + 2.0 * std::numbers::pi * double(k) / double(group);
        // Radii in metres: far above the snap grid, far below any building.
        for (double radius : {0.01, 0.001, 0.0001}) {
          const Point moved = on_site_grid(
              {centre.x + radius * std::cos(angle), centre.y + radius * std::sin(angle)});
          if (block_contains(ctx, block, shape, moved)) {
            sites[i + k].p = moved;
            break;
          }
        }
      }
    }
    i = j;
  }
}

/// The block holding the largest part of `shape` among `candidates`, and a point strictly inside
/// that part; kNone when no block holds any of it.
std::pair<std::int32_t, Point> largest_part(GeosContext& ctx, const GEOSGeometry* shape,
                                            const std::vector<Region>& blocks,
                                            const std::vector<std::int32_t>& candidates) {
  std::int32_t best = kNone;
  double best_area = 0.0;
  GeomPtr best_part;
  for (std::int32_t b : candidates) {
    GeomPtr part =
        own(ctx, GEOSIntersection_r(ctx.handle(), shape, blocks[std::size_t(b)].geometry.get()),
            "footprint overlap with a block");
    const double a = geos_area(ctx, part.get());
    if (a > best_area) {
      best_area = a;
      best = b;
      best_part = std::move(part);
    }
  }
  if (best == kNone) return {kNone, Point{}};
  return {best, interior_point(ctx, best_part.get())};
}

/// A building goes to the block that covers its footprint; a footprint straddling block
/// boundaries (a building across a river or road) goes to the block with the largest overlap,
/// with its site inside that overlap so the cell starts where the building is.
///
/// A building under smaller footprints (`own`: its own part, own_footprint.hpp) is placed by
/// that part, the land the tessellation leaves it (the smaller footprints keep the land they
/// share with it) and where its representative point lies — the point the audit, the buildings
/// layer and any GIS place it by. Covered by one block, its site is its own part's point there
/// (step 6b keeps the piece of a cell holding the site, so the cell keeps the part holding the
/// point). Straddling blocks, it goes to the block holding the largest part of its own part,
/// its site inside it: by its whole footprint, a split tower holding a smaller one wall to wall
/// went to the smaller one's block, its site on the smaller one's (the fuzz town
/// regression-nested-split-tower-across-soft-road: its own part lay across a lane, it got no
/// cell and its grids no polygon). Across a lane its point is then reached by a span
/// (soft_spans); when the point lies in another hard face (an own part in two pieces, a holder
/// around a tower wall to wall, its point in the piece across a river from the larger: fuzz town
/// regression-holder-point-across-river), it goes to the block holding the point.
Placement place_building(GeosContext& ctx, const Building& building, const MultiPolygon* own_part,
                         const std::vector<Region>& blocks, const std::vector<BlockShape>& shapes,
                         const std::vector<std::int32_t>& block_face, const RegionLocator& locator,
                         ProblemReporter& problems) {
  if (area(building.footprint) <= 0.0) {
    const Point c = centroid(building.footprint);
    const std::int32_t block = locator.locate(ctx, c);
    problems.report(Severity::warning, "building-without-area", building.source,
                    describe_building(building) +
                        " has no footprint area; its cell is placed at its vertices' centre");
    return {block, blocks[std::size_t(block)].inside, false, {}};
  }
  GeomPtr footprint = to_geos(ctx, building.footprint);
  // The own part in GEOS, or null (none, or GEOS cannot read it: placed by its footprint).
  GeomPtr land;
  if (own_part && !own_part->empty()) {
    try {
      land = to_geos(ctx, *own_part);
    } catch (const GeosError&) {
      land.reset();
    }
  }
  const Box footprint_box = bounds(building.footprint);
  const std::vector<std::int32_t> candidates = locator.candidates(footprint_box);
  // A block's rings nowhere near the footprint's box (kClearanceM): the footprint lies wholly
  // inside or wholly outside the block, which one vertex tells (the same answer as GEOS's
  // covers, without preparing the block or asking GEOS). Most buildings stand clear of their
  // block's boundary.
  const Box clear{footprint_box.min_x - kClearanceM, footprint_box.min_y - kClearanceM,
                  footprint_box.max_x + kClearanceM, footprint_box.max_y + kClearanceM};
  // Near the boundary, the same when no edge of the footprint comes near a boundary segment
  // (their boxes widened by kClearanceM apart): each part of the footprint then lies wholly on
  // one side of the block's boundary.
  const Point& vertex = building.footprint.front().outer.front();
  std::vector<Segment> boundary;
  auto clear_of = [&](const BlockShape& shape) {
    shape.segments_near(clear, boundary);
    for (const Polygon& polygon : building.footprint) {
      auto ring_clear = [&](const Ring& ring) {
        for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
          Box e = BlockShape::box_of({ring[k], ring[k + 1]});
          e = {e.min_x - kClearanceM, e.min_y - kClearanceM, e.max_x + kClearanceM,
               e.max_y + kClearanceM};
          for (const Segment& s : boundary) {
            const Box t = BlockShape::box_of(s);
            if (e.min_x <= t.max_x && t.min_x <= e.max_x && e.min_y <= t.max_y &&
                t.min_y <= e.max_y)
              return false;
          }
        }
        return true;
      };
      if (!ring_clear(polygon.outer)) return false;
      for (const Ring& hole : polygon.holes)
        if (!ring_clear(hole)) return false;
    }
    return true;
  };
  for (std::int32_t b : candidates) {
    const BlockShape& shape = shapes[std::size_t(b)];
    char covers = 0;
    if (!shape.boundary_near(clear)) {
      covers = shape.contains(vertex) ? 1 : 0;
    } else if (clear_of(shape)) {
      // Each part (a polygon, connected) wholly on one side: covered when every part is in.
      covers = 1;
      for (const Polygon& polygon : building.footprint)
        if (!shape.contains(polygon.outer.front())) covers = 0;
    } else {
      covers = GEOSPreparedCovers_r(ctx.handle(), locator.prepared(b), footprint.get());
    }
    if (covers == 2) ctx.fail("footprint in block");
    if (covers != 1) continue;
    if (land) {
      try {
        return {b, interior_point(ctx, land.get()), true, {}};
      } catch (const GeosError&) {
        // Its footprint's point, as for a building without an own part.
      }
    }
    return {b, interior_point(ctx, footprint.get()), true, {}};
  }
  if (land) {
    try {
      const auto [block, site] = largest_part(ctx, land.get(), blocks, candidates);
      if (block != kNone) {
        // Its own part's point (the point the audit places it by) in another hard face, across
        // a river or main road, where no span reaches (soft_spans): the block holding the
        // point, the site there.
        const Point point = interior_point(ctx, land.get());
        if (!contains_point(ctx, locator.prepared(block), point))
          for (std::int32_t b : candidates)
            if (block_face[std::size_t(b)] != block_face[std::size_t(block)] &&
                contains_point(ctx, locator.prepared(b), point))
              return {b, point, false, {}};
        return {block, site, false, {}};
      }
    } catch (const GeosError&) {
      // Placed by its footprint below.
    }
  }
  const auto [best, site] = largest_part(ctx, footprint.get(), blocks, candidates);
  if (best != kNone) return {best, site, false, {}};
  const std::int32_t block = locator.nearest(ctx, interior_point(ctx, footprint.get()));
  problems.report(Severity::warning, "building-outside-community-polygon", building.source,
                  describe_building(building) +
                      " lies outside its community's polygon; its cell is the nearest part of it");
  return {block, blocks[std::size_t(block)].inside, false, {}};
}

/// Part of a footprint (m²) in another block below which it is left to that block: a footprint
/// drawn up to a road's centre line overlaps the next block by rounding errors only. 0.01 m²:
/// a strip 10 cm wide and 10 cm long, far below anything a planner could see on a map.
constexpr double kSpanMinM2 = 0.01;

/// A building across a lane or a soft road under it — Helsinki's "Forum", a multipolygon over a
/// lane; Nanjing's way 863035805, a road area mapped as a building — lies in two or more street
/// blocks of one hard face. Its footprint is one thing to the planner and to the GIS user who
/// checks that the building lies inside its micro grid, so its cell takes the footprint in every
/// such block, and the land next to it there too (see add_span_sites): the lane under it then
/// runs inside the cell and cuts nothing. Across a hard barrier (a main road, a river) the
/// barrier wins: the building stays in the block of its largest part, as grids must not cross
/// hard barriers (a building passage over a main road is rare; its part across the road is left
/// to the cells there). Only when the building's representative point lies outside `home`.
/// A building under smaller footprints (`own_part`, as place_building) is taken by its own
/// part: its point is that part's, and only that part is its land in another block.
/// Returns the other blocks of `home`'s hard face holding more than kSpanMinM2 of the
/// footprint (of its own part), ascending.
std::vector<Span> soft_spans(GeosContext& ctx, const Building& building,
                             const MultiPolygon* own_part, const CommunityBlocks& blocks,
                             const RegionLocator& locator, std::int32_t home) {
  std::vector<Span> spans;
  if (home == kNone) return spans;
  const std::int32_t face = blocks.block_face[std::size_t(home)];
  const bool by_own_part = own_part && !own_part->empty();
  GeomPtr footprint = to_geos(ctx, by_own_part ? *own_part : building.footprint);
  // Only a building whose representative point (the point the audit and the GIS user test
  // against its micro grid) lies outside its home block spans: spanning every footprint that
  // reaches into a neighbouring block (10 on Nanjing, 11 on Helsinki, 96 on Monaco) also spread
  // split towers over lanes and left their grids in pieces or with crumbs.
  if (contains_point(ctx, locator.prepared(home), interior_point(ctx, footprint.get())))
    return spans;
  for (std::int32_t b : locator.candidates(bounds(building.footprint))) {  // ascending
    if (b == home || blocks.block_face[std::size_t(b)] != face) continue;
    GeomPtr part = own(ctx,
                       GEOSIntersection_r(ctx.handle(), footprint.get(),
                                          blocks.blocks[std::size_t(b)].geometry.get()),
                       "footprint part in a block across a soft road");
    if (geos_area(ctx, part.get()) > kSpanMinM2)
      spans.push_back({b, interior_point(ctx, part.get())});
  }
  return spans;
}

/// Appends sites along a ring: its vertices and points between them at most `spacing_m` apart,
/// each at least half `spacing_m` from the site before it (a curved wall's vertices a few
/// centimetres apart are one site, not dozens).
void sample_ring(const Ring& ring, double spacing_m, std::int32_t building,
                 std::vector<Site>& out) {
  const double least_gap2 = 0.25 * spacing_m * spacing_m;
  const std::size_t first = out.size();
  auto add = [&](const Point& p) {
    if (out.size() > first) {
      const Point& last = out.back().p;
      if ((p.x - last.x) * (p.x - last.x) + (p.y - last.y) * (p.y - last.y) < least_gap2) return;
    }
    out.push_back({on_site_grid(p), building});
  };
  for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
    const Point& a = ring[k];
    const Point& b = ring[k + 1];
    add(a);
    const int steps = int(std::ceil(std::hypot(b.x - a.x, b.y - a.y) / spacing_m));
    for (int step = 1; step < steps; ++step) {
      const double t = double(step) / double(steps);
      add({a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)});
    }
  }
}

/// The sites of the buildings across a soft road (Placement::spans) in the blocks they span:
/// one inside the footprint's part there and the outline's sites (outline_sites) lying in the
/// block, so that the cell there is the footprint and the land nearest to it, joined to the rest
/// of the cell across the lane. Such a building is outlined: its outline joins the linework and
/// the pieces inside its footprint are its own in every block it claims (OutlineLocator).
void add_span_sites(const Dataset& dataset, const CommunityJob& job,
                    const std::vector<Placement>& placements, const TessellationParams& params,
                    const CommunityBlocks& blocks, std::vector<std::vector<Site>>& block_sites,
                    std::vector<char>& outlined) {
  std::vector<Site> along;
  for (std::size_t i = 0; i < placements.size(); ++i) {
    if (placements[i].spans.empty()) continue;
    outlined[i] = 1;
    along.clear();
    outline_sites(dataset.buildings[std::size_t(job.buildings[i])].footprint, params,
                  std::int32_t(i), along);
    for (const Span& span : placements[i].spans) {
      std::vector<Site>& sites = block_sites[std::size_t(span.block)];
      sites.push_back({span.inside, std::int32_t(i)});
      for (const Site& site : along)
        if (blocks.shapes[std::size_t(span.block)].contains(site.p)) sites.push_back(site);
    }
  }
}

/// A footprint vertex must be nearer to its own site than to any other by this much (metres)
/// for the building to keep a single site: GEOS computes Voronoi vertices in floating point, so
/// a vertex practically on a bisector could fall a rounding error into the neighbour's cell.
constexpr double kOwnedMarginM = 1e-4;

/// Which buildings `misfits` looks at: those the block covers, or those it holds only part of.
enum class Coverage { covered, cut };

/// Buildings of `members` (not yet outlined) whose footprint does not lie in the Voronoi cell of
/// their single site. That cell is convex, so it holds the footprint exactly when it holds every
/// outer vertex.
///
/// Coverage::covered: the buildings the block covers. Coverage::cut: those it does not — across
/// a community boundary or a road drawn through them — whose outer vertices *inside the block*
/// do not all lie in that cell (their site is in their part here, place_building). The block
/// holds only part of such a footprint, but a long neighbour's cell can then take much of that
/// part (real-30000-communities building 16143: 421 of its 724 m² inside its community fell in
/// the cell of the strip-shaped building beside it, and its point with them, 4.6 m outside its
/// micro grid).
std::vector<std::int32_t> misfits(
    GeosContext& ctx, const GEOSPreparedGeometry* block, const BlockShape& shape, Coverage coverage,
    const std::vector<Site>& sites, const std::vector<std::int32_t>& members,
    const std::vector<Placement>& placements, const std::vector<char>& outlined,
    const std::function<const MultiPolygon&(std::int32_t)>& footprint_of) {
  std::vector<std::int32_t> out;
  std::optional<SiteLocator> locator;
  // How many sites each member has here and one of them (a building with one site is tested
  // against the sites near it only, below; the others by the locator). By position in
  // `members` (ascending).
  std::vector<std::int32_t> site_count(members.size(), 0);
  std::vector<std::int32_t> site_at(members.size(), -1);
  for (std::size_t k = 0; k < sites.size(); ++k) {
    const auto it = std::lower_bound(members.begin(), members.end(), sites[k].building);
    if (it == members.end() || *it != sites[k].building) continue;
    const std::size_t at = std::size_t(it - members.begin());
    ++site_count[at];
    site_at[at] = std::int32_t(k);
  }
  // The sites by x (they usually are: spread_coincident_sites sorts them), for the sites
  // within a building's reach: a slab of x, then y.
  std::vector<std::int32_t> by_x(sites.size());
  for (std::size_t k = 0; k < sites.size(); ++k) by_x[k] = std::int32_t(k);
  if (!std::is_sorted(sites.begin(), sites.end(),
                      [](const Site& u, const Site& v) { return u.p.x < v.p.x; }))
    std::stable_sort(by_x.begin(), by_x.end(), [&](std::int32_t u, std::int32_t v) {
      return sites[std::size_t(u)].p.x < sites[std::size_t(v)].p.x;
    });
  std::vector<std::int32_t> near;
  constexpr std::ptrdiff_t kSlabMax = 1024;
  std::size_t position = 0;
  for (std::int32_t m : members) {
    const Placement& placement = placements[std::size_t(m)];
    if (outlined[std::size_t(m)] != 0 || placement.covered != (coverage == Coverage::covered))
      continue;
    if (coverage == Coverage::cut && area(footprint_of(m)) <= 0.0) continue;
    // A vertex outside the block is not looked at (Coverage::cut).
    auto outside_block = [&](const Point& vertex) {
      return !block_contains(ctx, block, shape, vertex);
    };
    while (position < members.size() && members[position] < m) ++position;
    bool single = position < members.size() && members[position] == m && site_count[position] == 1;
    bool owned = true;
    const Point s = single ? sites[std::size_t(site_at[position])].p : Point{};
    if (single) {
      // Owned with margin (SiteLocator::owned_with_margin, exactly): the nearest other
      // building's site farther than the own site by more than kOwnedMarginM. A site farther
      // than 2r + margin from the own one (r: the farthest vertex from it) is farther from
      // every vertex than the own site plus the margin, so only the sites within that box can
      // decide: one box query per building instead of a nearest-two query per vertex.
      double r = 0.0;
      for (const Polygon& polygon : footprint_of(m))
        for (const Point& v : polygon.outer) r = std::max(r, std::hypot(v.x - s.x, v.y - s.y));
      const double reach = 2.0 * r + kOwnedMarginM + 1e-6;
      near.clear();
      const auto from =
          std::lower_bound(by_x.begin(), by_x.end(), s.x - reach,
                           [&](std::int32_t k, double x) { return sites[std::size_t(k)].p.x < x; });
      const auto to =
          std::upper_bound(from, by_x.end(), s.x + reach,
                           [&](double x, std::int32_t k) { return x < sites[std::size_t(k)].p.x; });
      single = to - from <= kSlabMax;  // a slab through a tall block of thousands: the locator
      for (auto it = from; single && it != to; ++it)
        if (std::abs(sites[std::size_t(*it)].p.y - s.y) <= reach) near.push_back(*it);
    }
    if (single) {
      std::erase_if(near, [&](std::int32_t k) { return sites[std::size_t(k)].building == m; });
      for (const Polygon& polygon : footprint_of(m)) {
        for (std::size_t k = 0; owned && k + 1 < polygon.outer.size(); ++k) {
          const Point& v = polygon.outer[k];
          if (coverage == Coverage::cut && outside_block(v)) continue;
          const double own = std::hypot(s.x - v.x, s.y - v.y);
          double other = INFINITY;
          for (std::int32_t n : near) {
            const Point& o = sites[std::size_t(n)].p;
            other = std::min(other, std::hypot(o.x - v.x, o.y - v.y));
          }
          owned = other - own > kOwnedMarginM;
        }
        if (!owned) break;
      }
    } else {
      if (!locator) locator.emplace(sites);
      for (const Polygon& polygon : footprint_of(m)) {
        for (std::size_t k = 0; owned && k + 1 < polygon.outer.size(); ++k) {
          const Point& v = polygon.outer[k];
          if (coverage == Coverage::cut && outside_block(v)) continue;
          owned = locator->owned_with_margin(v, m, kOwnedMarginM);
        }
        if (!owned) break;
      }
    }
    if (!owned) out.push_back(m);
  }
  return out;
}

/// Which side of the line a→b the point c lies on, exactly: +1 left, −1 right, 0 on it
/// (robust_side where its rounding cannot change the sign, else GEOS's orientation index).
int exact_side(GeosContext& ctx, const Point& a, const Point& b, const Point& c) {
  if (const int certain = robust_side(a, b, c); certain != 0) return certain;
  const int index = GEOSOrientationIndex_r(ctx.handle(), a.x, a.y, b.x, b.y, c.x, c.y);
  if (index == 2) ctx.fail("orientation");
  return index;
}

/// A proof that the interiors of two footprints do not meet, where the separating-line proof of
/// whole footprints (interiors_apart) finds none: their interiors can meet only inside the
/// common box C of their boxes, so a line through an edge of either reaching C that separates
/// the footprints' parts in C settles it (an L-shaped building around the corner of its
/// neighbour: the wall's line separates them inside C, not beyond). A part A ∩ C lies in a
/// closed half-plane when every edge of A meeting C does and every corner of C inside A does
/// (its vertices are A's vertices in C, its edges' crossings with C's sides and C's corners in
/// A). Conservative: an edge meeting C that crosses the line, or a corner of C on the wrong side
/// that is not clearly outside the footprint (more than kFootprintsApartM from its boundary),
/// rejects the line. Exact side tests. False: no proof (ask GEOS).
bool parts_in_box_apart(GeosContext& ctx, const MultiPolygon& a, const MultiPolygon& b) {
  const Box box_a = bounds(a);
  const Box box_b = bounds(b);
  const Box c{std::max(box_a.min_x, box_b.min_x), std::max(box_a.min_y, box_b.min_y),
              std::min(box_a.max_x, box_b.max_x), std::min(box_a.max_y, box_b.max_y)};
  if (!(c.min_x < c.max_x) || !(c.min_y < c.max_y)) return true;
  auto meets_c = [&](const Point& u, const Point& v) {
    return !(std::max(u.x, v.x) < c.min_x || std::min(u.x, v.x) > c.max_x ||
             std::max(u.y, v.y) < c.min_y || std::min(u.y, v.y) > c.max_y);
  };
  // The edges of a footprint meeting C (closed), every ring.
  auto edges_in_c = [&](const MultiPolygon& footprint) {
    std::vector<Segment> out;
    auto add = [&](const Ring& ring) {
      for (std::size_t k = 0; k + 1 < ring.size(); ++k)
        if (!(ring[k] == ring[k + 1]) && meets_c(ring[k], ring[k + 1]))
          out.emplace_back(ring[k], ring[k + 1]);
    };
    for (const Polygon& polygon : footprint) {
      add(polygon.outer);
      for (const Ring& hole : polygon.holes) add(hole);
    }
    return out;
  };
  const std::vector<Segment> in_a = edges_in_c(a);
  const std::vector<Segment> in_b = edges_in_c(b);
  if (in_a.empty() || in_b.empty()) return false;
  constexpr std::size_t kMaxWork = std::size_t(1) << 16;
  if ((in_a.size() + in_b.size()) * (in_a.size() + in_b.size()) > kMaxWork) return false;
  const Point corners[4] = {
      {c.min_x, c.min_y}, {c.max_x, c.min_y}, {c.max_x, c.max_y}, {c.min_x, c.max_y}};
  // Whether a corner of C is certainly outside a footprint.
  auto clearly_outside = [&](const MultiPolygon& footprint, const Point& corner) {
    if (near_outline(footprint, corner, kFootprintsApartM)) return false;
    for (const Polygon& polygon : footprint)
      if (in_polygon(polygon, corner)) return false;
    return true;
  };
  // The part of `footprint` in C lies on the closed side `sign` of p→q.
  auto on_side = [&](const Point& p, const Point& q, const std::vector<Segment>& edges,
                     const MultiPolygon& footprint, int sign) {
    for (const Segment& e : edges)
      if (exact_side(ctx, p, q, e.first) * sign < 0 || exact_side(ctx, p, q, e.second) * sign < 0)
        return false;
    for (const Point& corner : corners)
      if (exact_side(ctx, p, q, corner) * sign < 0 && !clearly_outside(footprint, corner))
        return false;
    return true;
  };
  auto try_lines = [&](const std::vector<Segment>& lines) {
    for (const Segment& line : lines) {
      const Point& p = line.first;
      const Point& q = line.second;
      // A's side: that of its first edge end off the line.
      int sign = 0;
      for (const Segment& e : in_a) {
        sign = exact_side(ctx, p, q, e.first);
        if (sign == 0) sign = exact_side(ctx, p, q, e.second);
        if (sign != 0) break;
      }
      if (sign == 0) continue;
      if (on_side(p, q, in_a, a, sign) && on_side(p, q, in_b, b, -sign)) return true;
    }
    return false;
  };
  return try_lines(in_a) || try_lines(in_b);
}

/// Chooses the Voronoi sites of one block so that every footprint the block covers lies in its
/// own cell, and marks the buildings whose outline must join the linework (`outlined`, per local
/// building). `sites` holds the block's placement sites (one per building) on entry and the
/// chosen sites on return.
///
/// A building keeps its single site when its footprint fits in that site's Voronoi cell (most
/// do). One that does not — a long building beside small ones — gets sites along its outline
/// instead, so that its cell follows its shape and neighbours' cells stop at it; its outline is
/// an edge of the arrangement and the pieces inside the footprint are its own whatever their
/// nearest site (OutlineLocator). Those new sites can take vertices of a neighbour away from the
/// neighbour's cell: such a neighbour is outlined but keeps its single site (its cell is then its
/// Voronoi cell plus its footprint, still connected as the site is inside the footprint).
/// Giving it outline sites too would cascade through a whole block of closely spaced
/// buildings. A building whose footprint overlaps an outlined one's is outlined too, so that
/// the shared area goes to the smaller footprint (reported) rather than to whichever was outlined.
void choose_block_sites(GeosContext& ctx, const Dataset& dataset, const CommunityJob& job,
                        const std::vector<Placement>& placements, const TessellationParams& params,
                        const GEOSPreparedGeometry* block, const BlockShape& shape,
                        std::vector<Site>& sites, std::vector<char>& outlined,
                        ProblemReporter& problems) {
  std::vector<std::int32_t> members;
  for (const Site& s : sites) members.push_back(s.building);
  std::sort(members.begin(), members.end());
  // On the grid the Voronoi diagram takes exactly (kSiteGridM); the checks below see the sites
  // the diagram will.
  for (Site& s : sites) s.p = on_site_grid(s.p);
  const std::function<const MultiPolygon&(std::int32_t)> footprint_of =
      [&](std::int32_t local) -> const MultiPolygon& {
    return dataset.buildings[std::size_t(job.buildings[std::size_t(local)])].footprint;
  };
  auto smaller_footprint = [&](std::int32_t a, std::int32_t b) {
    return footprint_precedes(footprint_of(a), a, footprint_of(b), b) ? a : b;
  };
  members.erase(std::unique(members.begin(), members.end()), members.end());
  // Buildings across a soft road (outlined before, add_span_sites): their overlaps with this
  // block's footprints are settled below like those of the buildings outlined here.
  std::vector<std::int32_t> spanning;
  for (std::int32_t m : members)
    if (!placements[std::size_t(m)].spans.empty()) spanning.push_back(m);
  spread_coincident_sites(ctx, sites, block, shape);
  const std::vector<std::int32_t> reshaped = misfits(ctx, block, shape, Coverage::covered, sites,
                                                     members, placements, outlined, footprint_of);
  // Buildings only partly in the block whose part here leaves their cell: outlined, keeping their
  // single site (in that part), so their cell is the Voronoi cell plus the footprint's part here.
  const std::vector<std::int32_t> cut =
      misfits(ctx, block, shape, Coverage::cut, sites, members, placements, outlined, footprint_of);
  for (std::int32_t m : cut) outlined[std::size_t(m)] = 1;
  spanning.insert(spanning.end(), cut.begin(), cut.end());
  if (reshaped.empty() && spanning.empty()) return;
  // The block's footprints by their boxes, indexed by position in `members` (ascending, so
  // payload order is building order).
  std::vector<Box> member_boxes(members.size());  // empty (not indexed) without area
  for (std::size_t k = 0; k < members.size(); ++k)
    if (area(footprint_of(members[k])) > 0.0) member_boxes[k] = bounds(footprint_of(members[k]));
  const BoxIndex footprint_boxes(member_boxes);
  std::vector<std::int32_t> pending;
  if (!reshaped.empty()) {
    for (std::int32_t m : reshaped) outlined[std::size_t(m)] = 1;
    std::erase_if(sites, [&](const Site& s) {
      return std::binary_search(reshaped.begin(), reshaped.end(), s.building);
    });
    std::vector<std::int32_t> near;
    for (std::int32_t m : reshaped) {
      const std::size_t from = sites.size();
      outline_sites(footprint_of(m), params, m, sites);
      drop_sites_on_other_outlines(sites, from, members, footprint_boxes, footprint_of, near);
    }
    spread_coincident_sites(ctx, sites, block, shape);
    pending = misfits(ctx, block, shape, Coverage::covered, sites, members, placements, outlined,
                      footprint_of);
    for (std::int32_t m : pending) outlined[std::size_t(m)] = 1;
    pending.insert(pending.end(), reshaped.begin(), reshaped.end());
  }
  pending.insert(pending.end(), spanning.begin(), spanning.end());

  // Overlaps of outlined footprints with any other footprint of the block, transitively:
  // also the footprints the block holds only part of (across a river or road; their outline
  // claims only the pieces in the blocks they are placed in). Only covered ones were looked at:
  // a building across a river under a larger one crosswise, both outlined as cut (misfits), was
  // never outlined for the overlap, so the larger one's outline took the land under both and
  // the smaller one's point lay in the larger one's cell (fuzz town
  // regression-overlap-and-river-across-building: 3.5 m outside its micro grid).
  std::vector<std::int32_t> hits;
  std::set<std::pair<std::int32_t, std::int32_t>> checked_pairs;
  while (!pending.empty()) {
    std::sort(pending.begin(), pending.end());
    std::vector<std::int32_t> next;
    for (std::int32_t a : pending) {
      footprint_boxes.intersecting(bounds(footprint_of(a)), hits);
      GeomPtr geometry_a;
      for (const std::int32_t hit : hits) {
        const std::int32_t b = members[std::size_t(hit)];
        if (b == a || !checked_pairs.insert({std::min(a, b), std::max(a, b)}).second) continue;
        // The exact cheap tests first (most pairs: boxes overlapping near apart footprints, or
        // a footprint on another); GEOS's relate only for touching boundaries.
        int interiors_meet = footprint_interiors_meet(footprint_of(a), footprint_of(b));
        // Touching boundaries (terraced houses sharing a wall, most of the pairs left): a line
        // through a shared wall separating them settles it exactly (own_footprint.hpp); GEOS's
        // relate, which builds both footprints' whole topology, only when there is none (it
        // was half of choosing the sites at real-100000).
        if (interiors_meet < 0 && (interiors_apart(ctx, footprint_of(a), bounds(footprint_of(a)),
                                                   footprint_of(b), bounds(footprint_of(b))) ||
                                   parts_in_box_apart(ctx, footprint_of(a), footprint_of(b))))
          interiors_meet = 0;
        if (interiors_meet < 0) {
          if (!geometry_a) geometry_a = to_geos(ctx, footprint_of(a));
          GeomPtr geometry_b = to_geos(ctx, footprint_of(b));
          interiors_meet =
              GEOSRelatePattern_r(ctx.handle(), geometry_a.get(), geometry_b.get(), "T********");
          if (interiors_meet == 2) ctx.fail("footprint overlap");
        }
        if (interiors_meet == 0) continue;
        // The smaller footprint keeps the shared area (see OutlineLocator): a building nested
        // in another (a tower on its podium) keeps its own footprint as its cell.
        const std::int32_t keeper = smaller_footprint(a, b);
        const Building& kept = dataset.buildings[std::size_t(job.buildings[std::size_t(keeper)])];
        const Building& other =
            dataset.buildings[std::size_t(job.buildings[std::size_t(keeper == a ? b : a)])];
        problems.report(Severity::warning, "building-footprints-overlap", other.source,
                        describe_building(other) + " overlaps " + describe_building(kept) +
                            "; their shared area lies in the cell of " + describe_building(kept));
        if (outlined[std::size_t(b)] == 0) {
          outlined[std::size_t(b)] = 1;
          next.push_back(b);
        }
      }
    }
    pending = std::move(next);
  }
}

}  // namespace

void outline_sites(const MultiPolygon& footprint, const TessellationParams& params,
                   std::int32_t building, std::vector<Site>& out) {
  const double spacing_m =
      std::max(params.outline_site_spacing_m,
               perimeter(footprint) / double(std::max(params.outline_sites_max, 1)));
  for (const Polygon& polygon : footprint) {
    sample_ring(polygon.outer, spacing_m, building, out);
    for (const Ring& hole : polygon.holes) sample_ring(hole, spacing_m, building, out);
  }
}

void drop_sites_on_other_outlines(
    std::vector<Site>& sites, std::size_t from, const std::vector<std::int32_t>& members,
    const BoxIndex& footprint_boxes,
    const std::function<const MultiPolygon&(std::int32_t)>& footprint_of,
    std::vector<std::int32_t>& near) {
  if (sites.size() <= from + 1) return;
  auto on_other_outline = [&](const Site& site) {
    const Box around{site.p.x - kSharedWallM, site.p.y - kSharedWallM, site.p.x + kSharedWallM,
                     site.p.y + kSharedWallM};
    footprint_boxes.intersecting_unsorted(around, near);
    for (const std::int32_t k : near) {
      const std::int32_t other = members[std::size_t(k)];
      if (other != site.building && near_outline(footprint_of(other), site.p, kSharedWallM))
        return true;
    }
    return false;
  };
  const Site first = sites[from];
  std::size_t kept = from;
  for (std::size_t k = from; k < sites.size(); ++k)
    if (!on_other_outline(sites[k])) sites[kept++] = sites[k];
  sites.resize(kept);
  if (kept == from) sites.push_back(first);  // every site on shared walls: the first stays
}

int footprint_interiors_meet(const MultiPolygon& a, const MultiPolygon& b) {
  const Box box_a = bounds(a);
  const Box box_b = bounds(b);
  // The interiors lie in the open boxes.
  const Box common{std::max(box_a.min_x, box_b.min_x), std::max(box_a.min_y, box_b.min_y),
                   std::min(box_a.max_x, box_b.max_x), std::min(box_a.max_y, box_b.max_y)};
  if (!(common.min_x < common.max_x) || !(common.min_y < common.max_y)) return 0;
  // Only segments near the common box can meet the other footprint; a point of the common box
  // is more than kFootprintsApartM from every other segment.
  const Box near{common.min_x - kFootprintsApartM, common.min_y - kFootprintsApartM,
                 common.max_x + kFootprintsApartM, common.max_y + kFootprintsApartM};
  auto meets = [](const Box& s, const Box& t) {
    return s.min_x <= t.max_x && t.min_x <= s.max_x && s.min_y <= t.max_y && t.min_y <= s.max_y;
  };
  auto segment_box = [](const Point& p, const Point& q) {
    return Box{std::min(p.x, q.x), std::min(p.y, q.y), std::max(p.x, q.x), std::max(p.y, q.y)};
  };
  auto segments_near = [&](const MultiPolygon& footprint) {
    std::vector<Segment> out;
    auto add_ring = [&](const Ring& ring) {
      for (std::size_t k = 0; k + 1 < ring.size(); ++k)
        if (!(ring[k] == ring[k + 1]) && meets(segment_box(ring[k], ring[k + 1]), near))
          out.emplace_back(ring[k], ring[k + 1]);
    };
    for (const Polygon& polygon : footprint) {
      add_ring(polygon.outer);
      for (const Ring& hole : polygon.holes) add_ring(hole);
    }
    return out;
  };
  const std::vector<Segment> near_a = segments_near(a);
  const std::vector<Segment> near_b = segments_near(b);
  // Beyond this many pairs GEOS's sweep is cheaper than the all-pairs test.
  constexpr std::size_t kMaxPairs = std::size_t(1) << 16;
  if (near_a.size() * near_b.size() > kMaxPairs) return -1;
  bool touching = false;
  for (const Segment& s : near_a) {
    Box sb = segment_box(s.first, s.second);
    sb = {sb.min_x - kFootprintsApartM, sb.min_y - kFootprintsApartM, sb.max_x + kFootprintsApartM,
          sb.max_y + kFootprintsApartM};
    for (const Segment& t : near_b) {
      if (!meets(sb, segment_box(t.first, t.second))) continue;
      const int sc = robust_side(s.first, s.second, t.first);
      const int sd = robust_side(s.first, s.second, t.second);
      const int sa = robust_side(t.first, t.second, s.first);
      const int sbb = robust_side(t.first, t.second, s.second);
      if (sc * sd < 0 && sa * sbb < 0) return 1;  // a proper crossing
      // Otherwise, segments that meet have an end within rounding of the other segment.
      if (!touching && (distance_to_segment(t.first, s) <= kFootprintsApartM ||
                        distance_to_segment(t.second, s) <= kFootprintsApartM ||
                        distance_to_segment(s.first, t) <= kFootprintsApartM ||
                        distance_to_segment(s.second, t) <= kFootprintsApartM))
        touching = true;
    }
  }
  // A vertex of one strictly inside the other (clear of its boundary, so the crossing-number
  // test is exact). A vertex outside the common box is outside the other's box.
  auto vertex_inside = [&](const MultiPolygon& of, const std::vector<Segment>& other_near,
                           const MultiPolygon& other) {
    for (const Polygon& polygon : of) {
      auto ring_inside = [&](const Ring& ring) {
        for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
          const Point& v = ring[k];
          if (v.x < common.min_x || v.x > common.max_x || v.y < common.min_y || v.y > common.max_y)
            continue;
          bool clear = true;
          for (const Segment& t : other_near)
            if (distance_to_segment(v, t) <= kFootprintsApartM) {
              clear = false;
              break;
            }
          if (!clear) continue;
          for (const Polygon& o : other)
            if (in_polygon(o, v)) return true;
        }
        return false;
      };
      if (ring_inside(polygon.outer)) return true;
      for (const Ring& hole : polygon.holes)
        if (ring_inside(hole)) return true;
    }
    return false;
  };
  if (vertex_inside(a, near_b, b) || vertex_inside(b, near_a, a)) return 1;
  // Boundaries apart and no boundary inside the other: the interiors are apart too (a common
  // interior point's component of int A ∩ int B would be bounded by a part of one boundary
  // inside the other's interior).
  return touching ? -1 : 0;
}

std::string describe_building(const Building& building) {
  std::ostringstream s;
  s << "building " << building.id;
  if (!building.name.empty()) s << " (" << building.name << ")";
  return s.str();
}

void place_buildings(GeosContext& ctx, const Dataset& dataset, const CommunityJob& job,
                     const std::vector<const MultiPolygon*>& own, const CommunityBlocks& blocks,
                     CommunityCells& out, std::vector<std::vector<Site>>& block_sites,
                     std::vector<Placement>& placements,
                     const std::function<void(double)>& report) {
  const std::size_t n = job.buildings.size();
  block_sites.assign(blocks.size(), {});
  placements.assign(n, Placement{});
  // Buildings in parallel, in fixed chunks of kChunk (not depending on the threads). GEOS
  // prepared geometries build their indexes on first use and must not be shared between
  // threads, and the locator reuses a scratch vector: each thread has its own GEOS context and
  // its own locator over the same blocks (each block prepared per thread; a prepared block's
  // indexes are built only when a building of that thread meets it). The block geometries
  // themselves are read by every thread (prepared, intersected, measured): their read caches
  // were filled where they were made (build_blocks; docs/decisions/0011). Problems are kept per
  // chunk and merged in chunk order, sites appended in building order afterwards: the result is
  // the serial loop's.
  constexpr std::size_t kChunk = 256;
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<ProblemReporter> chunk_problems(chunks);
  struct Worker {
    explicit Worker(const std::vector<Region>& regions) : locator(ctx, regions) {}
    GeosContext ctx;
    RegionLocator locator;
  };
  PerThread<std::unique_ptr<Worker>> workers;
  std::mutex report_mutex;
  std::size_t done = 0;
  (void)ctx;  // the community's context stays with the calling thread's other steps
  parallel_for(0, chunks, [&](std::size_t c) {
    std::unique_ptr<Worker>& worker = workers.local();
    if (!worker) worker = std::make_unique<Worker>(blocks.blocks);
    GeosContext& wctx = worker->ctx;
    const RegionLocator& locator = worker->locator;
    ProblemReporter& problems = chunk_problems[c];
    for (std::size_t i = c * kChunk; i < std::min(n, (c + 1) * kChunk); ++i) {
      const Building& building = dataset.buildings[std::size_t(job.buildings[i])];
      Placement placement;
      try {
        const MultiPolygon* own_part = i < own.size() ? own[i] : nullptr;
        placement = place_building(wctx, building, own_part, blocks.blocks, blocks.shapes,
                                   blocks.block_face, locator, problems);
        // The worker's own context and locator: each building's spans depend on its footprint
        // (own part) and the blocks only, whichever thread computes them.
        if (!placement.covered && area(building.footprint) > 0.0)
          placement.spans = soft_spans(wctx, building, own_part, blocks, locator, placement.block);
      } catch (const GeosError& error) {
        // An unusable footprint (GEOS could not intersect it): place it by its vertices' centre.
        const Point c0 = centroid(building.footprint);
        placement.block = locator.locate(wctx, c0);
        placement.site = contains_point(wctx, locator.prepared(placement.block), c0)
                             ? c0
                             : blocks.blocks[std::size_t(placement.block)].inside;
        problems.report(Severity::warning, "building-footprint-unusable", building.source,
                        describe_building(building) + ": " + error.what() +
                            "; its cell is placed at its vertices' centre");
      }
      placements[i] = placement;
    }
    // Every chunk (256 buildings, as the serial loop did), counted under the lock so that the
    // fractions reported never decrease whichever thread finishes first.
    const std::lock_guard lock(report_mutex);
    report(0.05 + 0.24 * double(++done) / double(chunks));
  });
  for (const ProblemReporter& p : chunk_problems) out.problems.merge(p);
  for (std::size_t i = 0; i < n; ++i) {
    const Placement& placement = placements[i];
    out.block[i] = placement.block;
    out.face[i] = blocks.block_face[std::size_t(placement.block)];
    block_sites[std::size_t(placement.block)].push_back({placement.site, std::int32_t(i)});
  }
}

std::vector<char> choose_sites(const Dataset& dataset, const CommunityJob& job,
                               const std::vector<Placement>& placements,
                               const TessellationParams& params, const CommunityBlocks& blocks,
                               std::vector<std::vector<Site>>& block_sites,
                               ProblemReporter& problems,
                               const std::function<void(double)>& report) {
  // Blocks in parallel (one GEOS context per thread): a block's sites, prepared geometry and
  // buildings are its own, so each `outlined` entry is written by one block only; problems are
  // kept per block and merged in block order, so the result does not depend on the threads.
  // The prepared blocks were made on the calling thread (build_blocks' locator) and build their
  // indexes on first use: block b's is used by iteration b only (choose_block_sites is given no
  // other, and nothing else uses the locator's prepared geometries meanwhile), so each one is used
  // by one thread, never by two at once (docs/decisions/0011).
  const std::size_t count = blocks.size();
  std::vector<char> outlined(job.buildings.size(), 0);
  add_span_sites(dataset, job, placements, params, blocks, block_sites, outlined);
  std::vector<ProblemReporter> block_problems(count);
  PerThread<GeosContext> contexts;
  // Progress by the blocks' buildings (their sites on entry, one each), not by blocks: one
  // community's largest blocks hold most of its buildings (issue 14 item 5).
  std::size_t total = 0;
  for (const std::vector<Site>& sites : block_sites) total += sites.size() + 1;
  const std::function<void(double)> progress = progress_span(report, 0.30, 0.45);
  ProgressCount counted(progress, total, 256);
  parallel_for(0, count, [&](std::size_t b) {
    const std::size_t work = block_sites[b].size() + 1;
    if (block_sites[b].size() >= 2)
      choose_block_sites(contexts.local(), dataset, job, placements, params,
                         blocks.locator->prepared(std::int32_t(b)), blocks.shapes[b],
                         block_sites[b], outlined, block_problems[b]);
    counted.add(work);
  });
  for (const ProblemReporter& p : block_problems) problems.merge(p);
  return outlined;
}

}  // namespace gp::geo::detail
