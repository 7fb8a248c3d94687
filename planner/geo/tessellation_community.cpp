#include "planner/geo/tessellation_community.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <numbers>
#include <numeric>
#include <set>
#include <sstream>
#include <utility>

#include "planner/core/point_in_polygon.hpp"
#include "planner/geo/spatial_index.hpp"
#include "planner/geo/tessellation_faces.hpp"
#include "planner/geo/tessellation_geos.hpp"

namespace gp::geo::detail {
namespace {

/// A polygonal region of the community — a hard face, a street block or a piece of the final
/// arrangement — with a point strictly inside it and its bounding box.
struct Region {
  GeomPtr geometry;
  Point inside;
  Box box;
};

/// Polygonizes noded linework and keeps the faces inside the community: polygonizing the
/// community's own rings also yields its holes (and the outside of concave parts never, since
/// only closed rings make faces), which we drop by their interior point.
std::vector<Region> regions_inside(GeosContext& ctx, const GEOSGeometry* noded,
                                   const GEOSPreparedGeometry* community) {
  std::vector<Region> out;
  for (GeomPtr& face : polygonize(ctx, noded)) {
    if (geos_area(ctx, face.get()) <= 0.0) continue;  // collapsed ring after snap-rounding
    Region region;
    region.inside = interior_point(ctx, face.get());
    if (!contains_point(ctx, community, region.inside)) continue;
    region.box = envelope(ctx, face.get());
    region.geometry = std::move(face);
    out.push_back(std::move(region));
  }
  return out;
}

std::vector<Region> clone_regions(GeosContext& ctx, const std::vector<Region>& regions) {
  std::vector<Region> out;
  out.reserve(regions.size());
  for (const Region& r : regions) out.push_back({clone(ctx, r.geometry.get()), r.inside, r.box});
  return out;
}

/// Finds which region holds a point or a footprint. Regions must outlive the locator.
class RegionLocator {
 public:
  RegionLocator(GeosContext& ctx, const std::vector<Region>& regions) : regions_(regions) {
    std::vector<Box> boxes;
    boxes.reserve(regions.size());
    prepared_.reserve(regions.size());
    for (const Region& region : regions) {
      boxes.push_back(region.box);
      prepared_.push_back(prepare(ctx, region.geometry.get()));
    }
    index_ = BoxIndex(boxes);
  }

  /// Regions whose box meets `box`, ascending.
  [[nodiscard]] std::vector<std::int32_t> candidates(const Box& box) const {
    return index_.intersecting(box);
  }

  [[nodiscard]] const GEOSPreparedGeometry* prepared(std::int32_t region) const {
    return prepared_[std::size_t(region)].get();
  }

  /// The region containing `point`; when none does (a point on a boundary or just outside the
  /// community after snap-rounding), the nearest one. kNone only when there are no regions.
  std::int32_t locate(GeosContext& ctx, const Point& point) const {
    const std::int32_t r = locate_inside(ctx, point);
    return r != kNone ? r : nearest(ctx, point);
  }

  /// The region containing `point`, or kNone.
  std::int32_t locate_inside(GeosContext& ctx, const Point& point) const {
    index_.intersecting(Box{point.x, point.y, point.x, point.y}, hits_);
    for (std::int32_t r : hits_)
      if (contains_point(ctx, prepared(r), point)) return r;
    return kNone;
  }

  std::int32_t nearest(GeosContext& ctx, const Point& point) const {
    std::vector<std::int32_t> near = index_.nearest(point, 8);
    std::sort(near.begin(), near.end());
    GeomPtr p = to_geos(ctx, point);
    std::int32_t best = kNone;
    double best_distance = INFINITY;
    for (std::int32_t r : near) {
      double d = 0.0;
      if (GEOSDistance_r(ctx.handle(), regions_[std::size_t(r)].geometry.get(), p.get(), &d) == 0)
        ctx.fail("distance");
      if (d < best_distance) {
        best_distance = d;
        best = r;
      }
    }
    return best;
  }

 private:
  const std::vector<Region>& regions_;
  std::vector<PreparedPtr> prepared_;
  BoxIndex index_;
  mutable std::vector<std::int32_t> hits_;  // reused by queries (one community per thread)
};

bool in_polygon(const Polygon& polygon, const Point& p) {
  if (polygon.outer.size() < 4 || !in_ring(polygon.outer, p)) return false;
  for (const Ring& hole : polygon.holes)
    if (in_ring(hole, p)) return false;
  return true;
}

/// A Voronoi generator: a point standing for (part of) a building, local building index.
struct Site {
  Point p;
  std::int32_t building = kNone;
};

/// Buildings with identical sites (duplicates, or footprints sharing a representative point)
/// would share one Voronoi cell. Spread each group evenly on a small circle around the common
/// point: the bisectors then split the group's cell into wedges of comparable size, one per
/// building. The start angle avoids bisectors parallel to axis-aligned footprints.
void spread_coincident_sites(GeosContext& ctx, std::vector<Site>& sites,
                             const GEOSPreparedGeometry* block) {
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
          const Point moved{centre.x + radius * std::cos(angle),
                            centre.y + radius * std::sin(angle)};
          if (contains_point(ctx, block, moved)) {
            sites[i + k].p = moved;
            break;
          }
        }
      }
    }
    i = j;
  }
}

/// Nearest site of one block, to tell which building a piece of the arrangement belongs to.
class SiteLocator {
 public:
  explicit SiteLocator(const std::vector<Site>& sites) : sites_(sites) {
    if (sites.size() > kBruteForceMax) {
      std::vector<Box> boxes;
      boxes.reserve(sites.size());
      for (const Site& s : sites) boxes.push_back({s.p.x, s.p.y, s.p.x, s.p.y});
      index_ = BoxIndex(boxes);
    }
  }

  /// Local building index of the site nearest to `point` (ties: lower building index).
  [[nodiscard]] std::int32_t nearest_building(const Point& point) const {
    if (sites_.size() <= kBruteForceMax) {
      std::int32_t best = kNone;
      double best_d2 = INFINITY;
      for (const Site& s : sites_) {
        const double d2 =
            (s.p.x - point.x) * (s.p.x - point.x) + (s.p.y - point.y) * (s.p.y - point.y);
        if (d2 < best_d2 || (d2 == best_d2 && s.building < best)) {
          best_d2 = d2;
          best = s.building;
        }
      }
      return best;
    }
    const std::vector<std::int32_t> hits = index_.nearest(point, 1);
    return hits.empty() ? kNone : sites_[std::size_t(hits.front())].building;
  }

  /// True when the site nearest to `point` belongs to `building` and every other building's
  /// site is farther by more than `margin_m` (metres). Precondition: `building` has one site.
  [[nodiscard]] bool owned_with_margin(const Point& point, std::int32_t building,
                                       double margin_m) const {
    double own = INFINITY;
    double other = INFINITY;
    auto visit = [&](const Site& s) {
      const double d = std::hypot(s.p.x - point.x, s.p.y - point.y);
      if (s.building == building)
        own = std::min(own, d);
      else
        other = std::min(other, d);
    };
    if (sites_.size() <= kBruteForceMax) {
      for (const Site& s : sites_) visit(s);
    } else {
      // The building's own single site and the nearest other one are among the two nearest
      // whenever the building owns the point; otherwise `other` < `own` anyway.
      for (std::int32_t hit : index_.nearest(point, 2)) visit(sites_[std::size_t(hit)]);
    }
    return other - own > margin_m;
  }

 private:
  static constexpr std::size_t kBruteForceMax = 24;
  const std::vector<Site>& sites_;
  BoxIndex index_;
};

Segment normalised(const Point& a, const Point& b) {
  return less_point(a, b) ? Segment{a, b} : Segment{b, a};
}

bool segment_less(const Segment& s, const Segment& t) {
  if (!(s.first == t.first)) return less_point(s.first, t.first);
  return less_point(s.second, t.second);
}

/// Sorts segments (each normalised) and drops duplicates.
void sort_unique(std::vector<Segment>& segments) {
  std::sort(segments.begin(), segments.end(), segment_less);
  segments.erase(std::unique(segments.begin(), segments.end()), segments.end());
}

/// Clips a segment to a box (Liang–Barsky); an end inside the box is kept exactly, so Voronoi
/// vertices shared by several edges stay shared. False when nothing is left.
bool clip_to_box(Segment& segment, const Box& box) {
  const Point a = segment.first;
  const double dx = segment.second.x - a.x;
  const double dy = segment.second.y - a.y;
  double t0 = 0.0;
  double t1 = 1.0;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {a.x - box.min_x, box.max_x - a.x, a.y - box.min_y, box.max_y - a.y};
  for (int k = 0; k < 4; ++k) {
    if (p[k] == 0.0) {
      if (q[k] < 0.0) return false;
      continue;
    }
    const double t = q[k] / p[k];
    if (p[k] < 0.0)
      t0 = std::max(t0, t);
    else
      t1 = std::min(t1, t);
  }
  if (t0 > t1) return false;
  if (t0 > 0.0) segment.first = {a.x + t0 * dx, a.y + t0 * dy};
  if (t1 < 1.0) segment.second = {a.x + t1 * dx, a.y + t1 * dy};
  return !(segment.first == segment.second);
}

Point circumcentre(const Point& a, const Point& b, const Point& c) {
  // Relative to `a`, so that precision holds far from the origin (Gauss-Krüger coordinates).
  const double bx = b.x - a.x;
  const double by = b.y - a.y;
  const double cx = c.x - a.x;
  const double cy = c.y - a.y;
  const double d = 2.0 * (bx * cy - by * cx);
  const double b2 = bx * bx + by * by;
  const double c2 = cx * cx + cy * cy;
  return {a.x + (cy * b2 - by * c2) / d, a.y + (bx * c2 - cx * b2) / d};
}

/// Voronoi vertices closer than this (metres) are one vertex. Four or more cocircular sites (rows
/// of equal buildings, sites sampled along parallel outlines) give triangles whose circumcentres
/// coincide exactly but are computed a rounding error apart, in an order that need not match the
/// triangulation: the edges between them then fold back over each other (collinear overlaps
/// that polygonizing cannot use). Far below any distance that matters for a cell.
constexpr double kVertexMergeM = 1e-6;

/// Replaces every point by the first (lowest index) point of its cluster, clusters being the
/// connected groups of points closer than `tolerance_m` to each other.
void merge_close_points(std::vector<Point>& points, double tolerance_m) {
  std::vector<std::uint32_t> order(points.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = std::uint32_t(i);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return points[a].x != points[b].x ? points[a].x < points[b].x : a < b;
  });
  std::vector<std::uint32_t> parent(points.size());
  for (std::size_t i = 0; i < parent.size(); ++i) parent[i] = std::uint32_t(i);
  auto root = [&](std::uint32_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  bool merged = false;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const Point& p = points[order[k]];
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    for (std::size_t l = k + 1; l < order.size() && points[order[l]].x - p.x <= tolerance_m; ++l) {
      const Point& q = points[order[l]];
      if (std::abs(q.y - p.y) > tolerance_m || std::hypot(q.x - p.x, q.y - p.y) > tolerance_m)
        continue;
      const std::uint32_t a = root(order[k]);
      const std::uint32_t b = root(order[l]);
      if (a != b) parent[std::max(a, b)] = std::min(a, b);  // the root stays the lowest index
      merged = true;
    }
  }
  if (!merged) return;
  for (std::size_t i = 0; i < points.size(); ++i) points[i] = points[root(std::uint32_t(i))];
}

/// Voronoi edges of `sites` within `box`, from GEOS's Delaunay triangulation: each interior
/// triangle edge gives the segment between its two triangles' circumcentres (computed once per
/// triangle, so edges meeting at a Voronoi vertex share it exactly), each hull edge a ray from its
/// triangle's circumcentre away from the triangle. GEOS's own Voronoi output clips every
/// unbounded cell with an overlay, which cost more than the triangulation itself. Returns false
/// when there is no triangle (collinear sites): the caller then asks GEOS for the diagram.
bool voronoi_from_delaunay(GeosContext& ctx, const std::vector<Site>& sites, const Box& box,
                           std::vector<Segment>& out) {
  const GEOSContextHandle_t h = ctx.handle();
  // Sites by point (vertex ids of the triangulation) with their building: an edge between two
  // sites of one building (an outlined one) separates two parts of the same cell, so it is left
  // out.
  std::vector<std::pair<Point, std::int32_t>> vertex;
  vertex.reserve(sites.size());
  for (const Site& s : sites) vertex.emplace_back(s.p, s.building);
  std::sort(vertex.begin(), vertex.end(), [](const auto& x, const auto& y) {
    return less_point(x.first, y.first) || (x.first == y.first && x.second < y.second);
  });
  auto id_of = [&](const Point& p) {
    const auto it = std::lower_bound(vertex.begin(), vertex.end(), p,
                                     [](const std::pair<Point, std::int32_t>& x, const Point& q) {
                                       return less_point(x.first, q);
                                     });
    if (it == vertex.end() || !(it->first == p)) ctx.fail("Delaunay vertex is not a site");
    return std::uint32_t(it - vertex.begin());
  };
  // The sites as one line: GEOS triangulates the coordinates of any geometry, and one
  // coordinate sequence costs far less than a point object per site.
  GEOSCoordSequence* seq = GEOSCoordSeq_create_r(h, unsigned(vertex.size()), 2);
  if (!seq) ctx.fail("site coordinates");
  for (std::size_t k = 0; k < vertex.size(); ++k)
    GEOSCoordSeq_setXY_r(h, seq, unsigned(k), vertex[k].first.x, vertex[k].first.y);
  GeomPtr input = own(ctx, GEOSGeom_createLineString_r(h, seq), "sites");
  GeomPtr triangles =
      own(ctx, GEOSDelaunayTriangulation_r(h, input.get(), 0.0, 0), "Delaunay triangulation");
  const int count = GEOSGetNumGeometries_r(h, triangles.get());
  if (count <= 0 || GEOSisEmpty_r(h, triangles.get()) != 0) return false;
  struct TriangleEdge {
    std::uint64_t key;       // (lower vertex id << 32) | higher vertex id
    std::uint32_t opposite;  // the triangle's third vertex
    std::int32_t triangle;
  };
  std::vector<Point> centres(static_cast<std::size_t>(count));
  std::vector<TriangleEdge> edges;
  edges.reserve(std::size_t(count) * 3);
  for (int i = 0; i < count; ++i) {
    const GEOSGeometry* triangle = GEOSGetGeometryN_r(h, triangles.get(), i);
    const GEOSGeometry* ring = GEOSGetExteriorRing_r(h, triangle);
    const GEOSCoordSequence* coords = ring ? GEOSGeom_getCoordSeq_r(h, ring) : nullptr;
    if (!coords) ctx.fail("Delaunay triangle coordinates");
    Point v[3];
    std::uint32_t id[3];
    for (unsigned k = 0; k < 3; ++k) {
      GEOSCoordSeq_getXY_r(h, coords, k, &v[k].x, &v[k].y);
      id[k] = id_of(v[k]);
    }
    centres[std::size_t(i)] = circumcentre(v[0], v[1], v[2]);
    for (int k = 0; k < 3; ++k) {
      const std::uint32_t a = std::min(id[k], id[(k + 1) % 3]);
      const std::uint32_t b = std::max(id[k], id[(k + 1) % 3]);
      edges.push_back({(std::uint64_t(a) << 32U) | b, id[(k + 2) % 3], std::int32_t(i)});
    }
  }
  merge_close_points(centres, kVertexMergeM);
  std::sort(edges.begin(), edges.end(), [](const TriangleEdge& s, const TriangleEdge& t) {
    return s.key != t.key ? s.key < t.key : s.triangle < t.triangle;
  });
  const Point box_centre{0.5 * (box.min_x + box.max_x), 0.5 * (box.min_y + box.max_y)};
  const double box_diagonal = std::hypot(box.width(), box.height());
  for (std::size_t i = 0; i < edges.size();) {
    const TriangleEdge& e = edges[i];
    const Point& c = centres[std::size_t(e.triangle)];
    const bool shared = i + 1 < edges.size() && edges[i + 1].key == e.key;
    const auto& [a, building_a] = vertex[std::size_t(e.key >> 32U)];
    const auto& [b, building_b] = vertex[std::size_t(e.key & 0xffffffffU)];
    if (building_a == building_b) {
      i += shared ? 2 : 1;
      continue;
    }
    Segment segment;
    if (shared) {
      segment = {c, centres[std::size_t(edges[i + 1].triangle)]};
      i += 2;
    } else {
      // A hull edge: the ray must leave the box, so it is longer than the box's diagonal plus
      // the centre's distance from the box.
      const Point& opposite = vertex[e.opposite].first;
      double nx = -(b.y - a.y);
      double ny = b.x - a.x;
      if (nx * (opposite.x - a.x) + ny * (opposite.y - a.y) > 0.0) {
        nx = -nx;
        ny = -ny;
      }
      const double scale =
          (box_diagonal + std::hypot(c.x - box_centre.x, c.y - box_centre.y)) / std::hypot(nx, ny);
      segment = {c, {c.x + nx * scale, c.y + ny * scale}};
      i += 1;
    }
    if (!std::isfinite(segment.first.x) || !std::isfinite(segment.first.y) ||
        !std::isfinite(segment.second.x) || !std::isfinite(segment.second.y))
      return false;  // a degenerate triangle: leave it to GEOS's own diagram
    if (!clip_to_box(segment, box)) continue;
    out.push_back(normalised(segment.first, segment.second));
  }
  sort_unique(out);
  return true;
}

/// Voronoi edges from GEOS's diagram (the cell polygons; GEOS 3.11 builds the edge-only output
/// through an overlay that is ~20× slower). Neighbouring cells share their vertices exactly, so
/// each interior edge appears twice, identical.
void voronoi_from_cells(GeosContext& ctx, const std::vector<Site>& sites, const GEOSGeometry* block,
                        std::vector<Segment>& out) {
  std::vector<GeomPtr> points;
  points.reserve(sites.size());
  for (const Site& s : sites) points.push_back(to_geos(ctx, s.p));
  GeomPtr multipoint = make_collection(ctx, GEOS_MULTIPOINT, points);
  // The block as envelope makes GEOS extend the diagram over the whole block.
  GeomPtr cells = own(ctx, GEOSVoronoiDiagram_r(ctx.handle(), multipoint.get(), block, 0.0, 0),
                      "Voronoi diagram");
  const int count = GEOSGetNumGeometries_r(ctx.handle(), cells.get());
  for (int i = 0; i < count; ++i) {
    const GEOSGeometry* cell = GEOSGetGeometryN_r(ctx.handle(), cells.get(), i);
    const GEOSGeometry* ring = GEOSGetExteriorRing_r(ctx.handle(), cell);
    if (!ring) ctx.fail("Voronoi cell ring");
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx.handle(), ring);
    if (!seq) ctx.fail("Voronoi cell coordinates");
    unsigned size = 0;
    GEOSCoordSeq_getSize_r(ctx.handle(), seq, &size);
    Point previous;
    for (unsigned k = 0; k < size; ++k) {
      Point p;
      GEOSCoordSeq_getXY_r(ctx.handle(), seq, k, &p.x, &p.y);
      if (k > 0 && !(p == previous)) out.push_back(normalised(previous, p));
      previous = p;
    }
  }
  sort_unique(out);
}

/// Distance (metres) from the block boundary and from outlines beyond which a Voronoi edge skips
/// the noding: far above the overshoot of edges cut to a neighbouring block (kOvershootM) and
/// the rounding errors of noding.
constexpr double kClearanceM = 1e-3;
/// Edges crossing the block boundary are cut there and extended by this much (metres), so that
/// the cut end, computed with a rounding error, still crosses the boundary. The overshoot dangles
/// in the next block and polygonizing drops it.
constexpr double kOvershootM = 1e-6;

/// Where the Voronoi edges of a block go. Polygonizing needs fully noded lines, but GEOS's
/// noding (a union) costs as much as the polygonizing; edges well inside their block and away
/// from outlines are already noded with each other (they meet only at shared Voronoi vertices),
/// so only the others are noded.
struct BlockEdges {
  std::vector<Segment> inner;    // ≥ kClearanceM inside the block, away from outlines
  std::vector<Segment> to_node;  // near the block boundary, cut to the block (BlockShape::cut)
  std::vector<Segment> whole;    // every edge meeting the block, uncut (the fallback's input)
  /// Edges ≥ kClearanceM inside the block but near outlines (local building indices): noded
  /// by GEOS, or by crossing_outlines when their only outline is free (see there).
  std::vector<std::pair<Segment, std::vector<std::int32_t>>> near_outline;
  std::vector<std::int32_t> near_cut;  // outlines near edges cut at the block boundary
  /// The edges near the block boundary, uncut, with their block (for cross_block_rings).
  std::vector<std::pair<Segment, std::int32_t>> boundary;
};

/// A block's rings as segments with a spatial index, for exact tests near its boundary without
/// GEOS objects per Voronoi edge.
class BlockShape {
 public:
  explicit BlockShape(const Polygon& polygon) {
    auto add_ring = [&](const Ring& ring) {
      for (std::size_t k = 0; k + 1 < ring.size(); ++k)
        if (!(ring[k] == ring[k + 1])) segments_.emplace_back(ring[k], ring[k + 1]);
    };
    add_ring(polygon.outer);
    for (const Ring& hole : polygon.holes) add_ring(hole);
    std::vector<Box> boxes;
    boxes.reserve(segments_.size());
    for (const Segment& s : segments_) {
      boxes.push_back(box_of(s));
      max_x_ = std::max({max_x_, s.first.x, s.second.x});
    }
    index_ = BoxIndex(boxes);
  }

  static Box box_of(const Segment& s) {
    return {std::min(s.first.x, s.second.x), std::min(s.first.y, s.second.y),
            std::max(s.first.x, s.second.x), std::max(s.first.y, s.second.y)};
  }

  /// The boundary segments whose boxes meet `box`, as given (ring direction).
  void segments_near(const Box& box, std::vector<Segment>& out) const {
    index_.intersecting(box, hits_);
    out.clear();
    for (std::int32_t k : hits_) out.push_back(segments_[std::size_t(k)]);
  }

  /// True when a boundary segment's box meets `box` (touching counts).
  [[nodiscard]] bool boundary_near(const Box& box) const {
    index_.intersecting(box, hits_);
    return !hits_.empty();
  }

  /// Crossing-number test over the boundary segments a ray to the east can meet; a point on
  /// the boundary may go either way.
  [[nodiscard]] bool contains(const Point& p) const {
    if (!(p.x <= max_x_)) return false;
    index_.intersecting(Box{p.x, p.y, max_x_, p.y}, hits_);
    bool inside = false;
    for (std::int32_t k : hits_) {
      const Point& a = segments_[std::size_t(k)].first;
      const Point& b = segments_[std::size_t(k)].second;
      if (ray_crosses(a, b, p)) inside = !inside;
    }
    return inside;
  }

  /// Parts of `segment` inside the block, each extended by kOvershootM where it crosses the
  /// boundary; ends inside are kept exactly.
  void cut(const Segment& segment, std::vector<Segment>& out) const {
    const Point a = segment.first;
    const double dx = segment.second.x - a.x;
    const double dy = segment.second.y - a.y;
    std::vector<double> ts{0.0, 1.0};
    index_.intersecting(box_of(segment), hits_);
    for (std::int32_t k : hits_) {
      const Point& r0 = segments_[std::size_t(k)].first;
      const Point& r1 = segments_[std::size_t(k)].second;
      const double ex = r1.x - r0.x;
      const double ey = r1.y - r0.y;
      const double denominator = dx * ey - dy * ex;
      if (denominator == 0.0) continue;  // parallel: no single crossing point
      const double wx = r0.x - a.x;
      const double wy = r0.y - a.y;
      const double t = (wx * ey - wy * ex) / denominator;
      const double u = (wx * dy - wy * dx) / denominator;
      if (t > 0.0 && t < 1.0 && u >= 0.0 && u <= 1.0) ts.push_back(t);
    }
    std::sort(ts.begin(), ts.end());
    const double extension = kOvershootM / std::hypot(dx, dy);
    for (std::size_t k = 0; k + 1 < ts.size(); ++k) {
      if (!(ts[k + 1] > ts[k])) continue;
      const double t_mid = 0.5 * (ts[k] + ts[k + 1]);
      if (!contains({a.x + t_mid * dx, a.y + t_mid * dy})) continue;
      const double t0 = ts[k] == 0.0 ? 0.0 : std::max(0.0, ts[k] - extension);
      const double t1 = ts[k + 1] == 1.0 ? 1.0 : std::min(1.0, ts[k + 1] + extension);
      const Point p0 = t0 == 0.0 ? a : Point{a.x + t0 * dx, a.y + t0 * dy};
      const Point p1 = t1 == 1.0 ? segment.second : Point{a.x + t1 * dx, a.y + t1 * dy};
      if (!(p0 == p1)) out.push_back({p0, p1});
    }
  }

 private:
  std::vector<Segment> segments_;
  double max_x_ = -INFINITY;
  BoxIndex index_;
  mutable std::vector<std::int32_t> hits_;  // reused by the queries (one thread per block)
};

/// Voronoi edges of a block's sites that meet the block, sorted into `out`. `outline_boxes`
/// holds the boxes of the outlines that join the linework: edges near them must be noded.
void block_voronoi_edges(GeosContext& ctx, const std::vector<Site>& sites,
                         const GEOSGeometry* block, std::int32_t block_id, const BlockShape& shape,
                         const Box& block_box, const BoxIndex& outline_boxes, BlockEdges& out) {
  constexpr double kFrameMarginM = 1.0;  // edges are cut to the block's box widened by this
  const Box frame{block_box.min_x - kFrameMarginM, block_box.min_y - kFrameMarginM,
                  block_box.max_x + kFrameMarginM, block_box.max_y + kFrameMarginM};
  std::vector<Segment> segments;
  if (!voronoi_from_delaunay(ctx, sites, frame, segments)) {
    segments.clear();
    voronoi_from_cells(ctx, sites, block, segments);
  }
  std::vector<std::int32_t> hits;
  std::vector<Segment> parts;
  for (const Segment& segment : segments) {
    Box clearance = BlockShape::box_of(segment);
    clearance.min_x -= kClearanceM;
    clearance.min_y -= kClearanceM;
    clearance.max_x += kClearanceM;
    clearance.max_y += kClearanceM;
    // No boundary in the widened box: the box lies wholly inside or wholly outside the block.
    if (!shape.boundary_near(clearance)) {
      if (!shape.contains(segment.first)) continue;
      out.whole.push_back(segment);
      outline_boxes.intersecting(clearance, hits);
      if (hits.empty())
        out.inner.push_back(segment);
      else
        out.near_outline.emplace_back(segment, hits);
      continue;
    }
    parts.clear();
    shape.cut(segment, parts);
    if (parts.empty()) continue;
    out.whole.push_back(segment);
    out.to_node.insert(out.to_node.end(), parts.begin(), parts.end());
    out.boundary.emplace_back(segment, block_id);
    outline_boxes.intersecting(clearance, hits);
    out.near_cut.insert(out.near_cut.end(), hits.begin(), hits.end());
  }
}

/// Twice the signed area of the triangle a, b, c (positive when counter-clockwise), relative
/// to `a` for precision.
double orientation(const Point& a, const Point& b, const Point& c) {
  return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

/// Nodes Voronoi edges with one outline ring that touches nothing else (a "free" outline: no
/// other outline, no block boundary within kClearanceM of its box), without GEOS: the crossings
/// of each edge with the ring become shared vertices of both. Whether the edge's line separates
/// two ring vertices is decided once per vertex (a vertex on the line counts as left), so
/// neighbouring ring segments never both or neither claim a crossing. Appends the split ring and
/// edges to `out`; false on a degenerate case (an edge end on the ring's line), which the caller
/// leaves to GEOS.
bool cross_outline(const Ring& ring, const std::vector<Segment>& edges, std::vector<Segment>& out) {
  const std::size_t m = ring.size() - 1;  // closed ring: ring[m] == ring[0]
  std::vector<std::vector<std::pair<double, Point>>> on_ring(m);
  std::vector<char> left(m);
  std::vector<std::pair<double, Point>> on_edge;
  for (const Segment& e : edges) {
    const Point& p = e.first;
    const Point& q = e.second;
    for (std::size_t k = 0; k < m; ++k) left[k] = orientation(p, q, ring[k]) >= 0.0 ? 1 : 0;
    on_edge.clear();
    for (std::size_t k = 0; k < m; ++k) {
      const std::size_t k1 = k + 1 == m ? 0 : k + 1;
      if (left[k] == left[k1]) continue;
      const Point& a = ring[k];
      const Point& b = ring[k1];
      const double op = orientation(a, b, p);
      const double oq = orientation(a, b, q);
      if (op == 0.0 || oq == 0.0) return false;
      if ((op > 0.0) == (oq > 0.0)) continue;  // the line crosses the ring segment, the edge not
      const double t = op / (op - oq);
      const Point x{p.x + t * (q.x - p.x), p.y + t * (q.y - p.y)};
      const double ex = b.x - a.x;
      const double ey = b.y - a.y;
      const double u = ((x.x - a.x) * ex + (x.y - a.y) * ey) / (ex * ex + ey * ey);
      on_edge.emplace_back(t, x);
      on_ring[k].emplace_back(u, x);
    }
    std::sort(on_edge.begin(), on_edge.end(),
              [](const auto& s, const auto& t) { return s.first < t.first; });
    Point from = p;
    for (const auto& [t, x] : on_edge) {
      out.emplace_back(from, x);
      from = x;
    }
    out.emplace_back(from, q);
  }
  for (std::size_t k = 0; k < m; ++k) {
    std::vector<std::pair<double, Point>>& cuts = on_ring[k];
    std::sort(cuts.begin(), cuts.end(),
              [](const auto& s, const auto& t) { return s.first < t.first; });
    Point from = ring[k];
    for (const auto& [u, x] : cuts) {
      out.emplace_back(from, x);
      from = x;
    }
    out.emplace_back(from, ring[k + 1]);
  }
  return true;
}

/// Nodes the Voronoi edges near block boundaries with the blocks' rings without GEOS, like
/// cross_outline: a ring vertex's side of an edge's line is decided once, so the crossing goes to
/// exactly one of the two ring segments at that vertex. Appends to `edge_parts` the parts of each
/// edge inside its block (their ends on the boundary are the crossings, exactly) and to
/// `ring_parts` every block ring segment (each shared one once) split at the crossings of the
/// edges of either block. False on a degenerate case (an edge end on a ring segment's line).
bool cross_block_rings(const std::vector<std::pair<Segment, std::int32_t>>& edges,
                       const std::vector<BlockShape>& shapes,
                       const std::vector<Polygon>& block_polygons, std::vector<Segment>& edge_parts,
                       std::vector<Segment>& ring_parts) {
  std::vector<std::pair<Segment, std::pair<double, Point>>> splits;  // normalised segment, (u, x)
  std::vector<Segment> candidates;
  std::vector<std::pair<double, Point>> on_edge;
  for (const auto& [e, b] : edges) {
    const Point& p = e.first;
    const Point& q = e.second;
    const BlockShape& shape = shapes[std::size_t(b)];
    shape.segments_near(BlockShape::box_of(e), candidates);
    on_edge.clear();
    for (const Segment& r : candidates) {
      const Segment key = normalised(r.first, r.second);
      const Point& a = key.first;
      const Point& c = key.second;
      if ((orientation(p, q, a) >= 0.0) == (orientation(p, q, c) >= 0.0)) continue;
      const double op = orientation(a, c, p);
      const double oq = orientation(a, c, q);
      if (op == 0.0 || oq == 0.0) return false;
      if ((op > 0.0) == (oq > 0.0)) continue;
      const double t = op / (op - oq);
      const Point x{p.x + t * (q.x - p.x), p.y + t * (q.y - p.y)};
      const double ex = c.x - a.x;
      const double ey = c.y - a.y;
      const double u = ((x.x - a.x) * ex + (x.y - a.y) * ey) / (ex * ex + ey * ey);
      on_edge.emplace_back(t, x);
      splits.push_back({key, {u, x}});
    }
    std::sort(on_edge.begin(), on_edge.end(),
              [](const auto& s, const auto& t) { return s.first < t.first; });
    on_edge.emplace_back(1.0, q);
    Point from = p;
    for (const auto& [t, x] : on_edge) {
      const Point middle{0.5 * (from.x + x.x), 0.5 * (from.y + x.y)};
      if (!(from == x) && shape.contains(middle)) edge_parts.emplace_back(from, x);
      from = x;
    }
  }
  std::vector<Segment> rings;
  for (const Polygon& polygon : block_polygons) {
    auto add_ring = [&](const Ring& ring) {
      for (std::size_t k = 0; k + 1 < ring.size(); ++k)
        if (!(ring[k] == ring[k + 1])) rings.push_back(normalised(ring[k], ring[k + 1]));
    };
    add_ring(polygon.outer);
    for (const Ring& hole : polygon.holes) add_ring(hole);
  }
  sort_unique(rings);
  std::sort(splits.begin(), splits.end(), [](const auto& s, const auto& t) {
    if (!(s.first == t.first)) return segment_less(s.first, t.first);
    return s.second.first < t.second.first;
  });
  std::size_t k = 0;
  for (const Segment& r : rings) {
    while (k < splits.size() && segment_less(splits[k].first, r)) ++k;
    Point from = r.first;
    for (; k < splits.size() && splits[k].first == r; ++k) {
      const Point& x = splits[k].second.second;
      if (!(from == x)) ring_parts.emplace_back(from, x);
      from = x;
    }
    if (!(from == r.second)) ring_parts.emplace_back(from, r.second);
  }
  return true;
}

/// Which block a building belongs to and its Voronoi site there.
struct Placement {
  std::int32_t block = kNone;
  Point site;
  bool covered = false;  // the block covers the whole footprint
};

std::string describe_building(const Building& building) {
  std::ostringstream s;
  s << "building " << building.id;
  if (!building.name.empty()) s << " (" << building.name << ")";
  return s.str();
}

/// A building goes to the block that covers its footprint; a footprint straddling block
/// boundaries (a building across a river or road) goes to the block with the largest overlap,
/// with its site inside that overlap so the cell starts where the building is.
Placement place_building(GeosContext& ctx, const Building& building,
                         const std::vector<Region>& blocks, const RegionLocator& locator,
                         ProblemReporter& problems) {
  if (area(building.footprint) <= 0.0) {
    const Point c = centroid(building.footprint);
    const std::int32_t block = locator.locate(ctx, c);
    problems.report(Severity::warning, "building-without-area", building.source,
                    describe_building(building) +
                        " has no footprint area; its cell is placed at its vertices' centre");
    return {block, blocks[std::size_t(block)].inside, false};
  }
  GeomPtr footprint = to_geos(ctx, building.footprint);
  const std::vector<std::int32_t> candidates = locator.candidates(bounds(building.footprint));
  for (std::int32_t b : candidates) {
    const char covers = GEOSPreparedCovers_r(ctx.handle(), locator.prepared(b), footprint.get());
    if (covers == 2) ctx.fail("footprint in block");
    if (covers == 1) return {b, interior_point(ctx, footprint.get()), true};
  }
  std::int32_t best = kNone;
  double best_area = 0.0;
  GeomPtr best_part;
  for (std::int32_t b : candidates) {
    GeomPtr part = own(
        ctx,
        GEOSIntersection_r(ctx.handle(), footprint.get(), blocks[std::size_t(b)].geometry.get()),
        "footprint overlap with a block");
    const double a = geos_area(ctx, part.get());
    if (a > best_area) {
      best_area = a;
      best = b;
      best_part = std::move(part);
    }
  }
  if (best != kNone) return {best, interior_point(ctx, best_part.get()), false};
  const std::int32_t block = locator.nearest(ctx, interior_point(ctx, footprint.get()));
  problems.report(Severity::warning, "building-outside-community-polygon", building.source,
                  describe_building(building) +
                      " lies outside its community's polygon; its cell is the nearest part of it");
  return {block, blocks[std::size_t(block)].inside, false};
}

/// Appends sites along a ring: its vertices and points between them at most `spacing_m` apart.
void sample_ring(const Ring& ring, double spacing_m, std::int32_t building,
                 std::vector<Site>& out) {
  for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
    const Point& a = ring[k];
    const Point& b = ring[k + 1];
    out.push_back({a, building});
    const int steps = int(std::ceil(std::hypot(b.x - a.x, b.y - a.y) / spacing_m));
    for (int step = 1; step < steps; ++step) {
      const double t = double(step) / double(steps);
      out.push_back({{a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)}, building});
    }
  }
}

/// Sites along a footprint's outline (every ring), at most params.outline_site_spacing_m apart,
/// or sparser so that a long outline gets about params.outline_sites_max of them (plus its
/// vertices).
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

/// Which of two overlapping footprints keeps their shared area: the smaller (m²), then the lower
/// local index. The smaller one is the nested one when a footprint lies inside another.
bool footprint_precedes(const MultiPolygon& a, std::int32_t ia, const MultiPolygon& b,
                        std::int32_t ib) {
  const double area_a = area(a), area_b = area(b);
  return area_a != area_b ? area_a < area_b : ia < ib;
}

/// A footprint vertex must be nearer to its own site than to any other by this much (metres)
/// for the building to keep a single site: GEOS computes Voronoi vertices in floating point, so
/// a vertex practically on a bisector could fall a rounding error into the neighbour's cell.
constexpr double kOwnedMarginM = 1e-4;

/// Covered buildings of `members` (not yet outlined) whose footprint does not lie in the
/// Voronoi cell of their single site. That cell is convex, so it holds the footprint exactly when
/// it holds every outer vertex.
std::vector<std::int32_t> misfits(
    const std::vector<Site>& sites, const std::vector<std::int32_t>& members,
    const std::vector<Placement>& placements, const std::vector<char>& outlined,
    const std::function<const MultiPolygon&(std::int32_t)>& footprint_of) {
  const SiteLocator locator(sites);
  std::vector<std::int32_t> out;
  for (std::int32_t m : members) {
    if (outlined[std::size_t(m)] || !placements[std::size_t(m)].covered) continue;
    bool owned = true;
    for (const Polygon& polygon : footprint_of(m)) {
      for (std::size_t k = 0; owned && k + 1 < polygon.outer.size(); ++k)
        owned = locator.owned_with_margin(polygon.outer[k], m, kOwnedMarginM);
      if (!owned) break;
    }
    if (!owned) out.push_back(m);
  }
  return out;
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
                        const GEOSPreparedGeometry* block, std::vector<Site>& sites,
                        std::vector<char>& outlined, ProblemReporter& problems) {
  std::vector<std::int32_t> members;
  for (const Site& s : sites) members.push_back(s.building);
  std::sort(members.begin(), members.end());
  const std::function<const MultiPolygon&(std::int32_t)> footprint_of =
      [&](std::int32_t local) -> const MultiPolygon& {
    return dataset.buildings[std::size_t(job.buildings[std::size_t(local)])].footprint;
  };
  auto smaller_footprint = [&](std::int32_t a, std::int32_t b) {
    return footprint_precedes(footprint_of(a), a, footprint_of(b), b) ? a : b;
  };
  spread_coincident_sites(ctx, sites, block);
  const std::vector<std::int32_t> reshaped =
      misfits(sites, members, placements, outlined, footprint_of);
  if (reshaped.empty()) return;
  for (std::int32_t m : reshaped) outlined[std::size_t(m)] = 1;
  std::erase_if(sites, [&](const Site& s) { return outlined[std::size_t(s.building)] != 0; });
  for (std::int32_t m : reshaped) outline_sites(footprint_of(m), params, m, sites);
  spread_coincident_sites(ctx, sites, block);
  std::vector<std::int32_t> pending = misfits(sites, members, placements, outlined, footprint_of);
  for (std::int32_t m : pending) outlined[std::size_t(m)] = 1;
  pending.insert(pending.end(), reshaped.begin(), reshaped.end());

  // Overlaps of outlined footprints with any other footprint of the block, transitively.
  // Indexed by position in `members` (ascending, so payload order is building order).
  std::vector<Box> member_boxes(members.size());  // empty (not indexed) unless covered
  for (std::size_t k = 0; k < members.size(); ++k)
    if (placements[std::size_t(members[k])].covered)
      member_boxes[k] = bounds(footprint_of(members[k]));
  const BoxIndex footprint_boxes(member_boxes);
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
        if (!geometry_a) geometry_a = to_geos(ctx, footprint_of(a));
        GeomPtr geometry_b = to_geos(ctx, footprint_of(b));
        const char interiors_meet =
            GEOSRelatePattern_r(ctx.handle(), geometry_a.get(), geometry_b.get(), "T********");
        if (interiors_meet == 2) ctx.fail("footprint overlap");
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

/// The outlined buildings (see choose_block_sites) whose footprint holds a point: a piece of the
/// arrangement inside an outlined footprint belongs to that building whatever its nearest site.
class OutlineLocator {
 public:
  OutlineLocator(const Dataset& dataset, const CommunityJob& job, const std::vector<char>& outlined,
                 const std::vector<std::int32_t>& block)
      : dataset_(dataset), job_(job), block_(block) {
    std::vector<Box> boxes(outlined.size());  // empty (not indexed) unless outlined
    for (std::size_t i = 0; i < outlined.size(); ++i)
      if (outlined[i] != 0) boxes[i] = bounds(footprint(std::int32_t(i)));
    index_ = BoxIndex(boxes);
  }

  /// Boxes of the outlined footprints (payload: local building index).
  [[nodiscard]] const BoxIndex& boxes() const { return index_; }

  /// The outlined building of `block` whose footprint contains `point`, else kNone; of
  /// overlapping footprints the smallest (then the lowest index) keeps the shared area, so a
  /// footprint nested inside another's still has a cell. `point` is a piece's interior point,
  /// never on an outline (outlines are edges of the arrangement).
  [[nodiscard]] std::int32_t building_containing(std::int32_t block, const Point& point) const {
    if (index_.size() == 0) return kNone;
    index_.intersecting(Box{point.x, point.y, point.x, point.y}, hits_);
    std::int32_t best = kNone;
    for (const std::int32_t i : hits_) {  // ascending
      if (block_[std::size_t(i)] != block) continue;
      if (best != kNone && !footprint_precedes(footprint(i), i, footprint(best), best)) continue;
      for (const Polygon& polygon : footprint(i))
        if (in_polygon(polygon, point)) {
          best = i;
          break;
        }
    }
    return best;
  }

 private:
  [[nodiscard]] const MultiPolygon& footprint(std::int32_t local) const {
    return dataset_.buildings[std::size_t(job_.buildings[std::size_t(local)])].footprint;
  }
  const Dataset& dataset_;
  const CommunityJob& job_;
  const std::vector<std::int32_t>& block_;
  BoxIndex index_;
  mutable std::vector<std::int32_t> hits_;  // reused by queries (one community per thread)
};

/// A segment of a piece's ring, normalised so that both pieces sharing it store the same key.
struct SegmentEntry {
  Point a;
  Point b;
  std::int32_t piece;
};

/// Length of boundary between two pieces (b == kNone: the community boundary).
struct Contact {
  std::int32_t a;
  std::int32_t b;
  double length_m;
};

/// Contacts between pieces, from identical segments (the pieces come from one polygonization
/// of noded linework, so a shared edge has identical vertices on both sides).
std::vector<Contact> piece_contacts(const std::vector<Polygon>& pieces) {
  std::vector<SegmentEntry> segments;
  for (std::size_t p = 0; p < pieces.size(); ++p) {
    auto add_ring = [&](const Ring& ring) {
      for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
        Point a = ring[k];
        Point b = ring[k + 1];
        if (a == b) continue;
        if (less_point(b, a)) std::swap(a, b);
        segments.push_back({a, b, std::int32_t(p)});
      }
    };
    add_ring(pieces[p].outer);
    for (const Ring& hole : pieces[p].holes) add_ring(hole);
  }
  std::sort(segments.begin(), segments.end(), [](const SegmentEntry& s, const SegmentEntry& t) {
    if (!(s.a == t.a)) return less_point(s.a, t.a);
    if (!(s.b == t.b)) return less_point(s.b, t.b);
    return s.piece < t.piece;
  });
  std::vector<Contact> contacts;
  std::size_t i = 0;
  while (i < segments.size()) {
    std::size_t j = i + 1;
    while (j < segments.size() && segments[j].a == segments[i].a && segments[j].b == segments[i].b)
      ++j;
    const double length =
        std::hypot(segments[i].b.x - segments[i].a.x, segments[i].b.y - segments[i].a.y);
    if (j - i == 2 && segments[i].piece != segments[i + 1].piece) {
      contacts.push_back({segments[i].piece, segments[i + 1].piece, length});
    } else {
      for (std::size_t k = i; k < j; ++k) contacts.push_back({segments[k].piece, kNone, length});
    }
    i = j;
  }
  // Merge per pair.
  std::sort(contacts.begin(), contacts.end(),
            [](const Contact& s, const Contact& t) { return s.a != t.a ? s.a < t.a : s.b < t.b; });
  std::vector<Contact> merged;
  for (const Contact& c : contacts) {
    if (!merged.empty() && merged.back().a == c.a && merged.back().b == c.b)
      merged.back().length_m += c.length_m;
    else
      merged.push_back(c);
  }
  return merged;
}

void orient(Polygon& polygon) {
  if (signed_area(polygon.outer) < 0.0) std::reverse(polygon.outer.begin(), polygon.outer.end());
  for (Ring& hole : polygon.holes)
    if (signed_area(hole) > 0.0) std::reverse(hole.begin(), hole.end());
}

/// A point inside a piece: its centroid when that is inside (most pieces are convex Voronoi
/// cells), else GEOS PointOnSurface.
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
  return detail::interior_point(ctx, geometry.get());
}

/// Appends the segments of every line of `geometry` (a line, or a collection of lines).
void append_segments(GeosContext& ctx, const GEOSGeometry* geometry, std::vector<Segment>& out) {
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

/// Dissolves edge-matched polygons (the pieces of one cell, oriented with shells
/// counter-clockwise and holes clockwise) into polygons: segments shared by two pieces cancel,
/// the rest is chained into rings, turning as far left as possible at a vertex where rings
/// touch, which keeps each ring around a single part. Vertices are kept exactly, so the result
/// still matches its neighbours edge for edge.
MultiPolygon dissolve(const std::vector<const Polygon*>& parts) {
  struct Directed {
    Point a;
    Point b;
    bool used = false;
  };
  std::vector<Directed> segments;
  for (const Polygon* polygon : parts) {
    auto add_ring = [&](const Ring& ring) {
      for (std::size_t k = 0; k + 1 < ring.size(); ++k)
        if (!(ring[k] == ring[k + 1])) segments.push_back({ring[k], ring[k + 1]});
    };
    add_ring(polygon->outer);
    for (const Ring& hole : polygon->holes) add_ring(hole);
  }
  auto by_start = [](const Directed& s, const Directed& t) {
    if (!(s.a == t.a)) return less_point(s.a, t.a);
    return less_point(s.b, t.b);
  };
  std::sort(segments.begin(), segments.end(), by_start);
  auto find = [&](const Point& a, const Point& b) -> Directed* {
    const Directed key{a, b};
    auto it = std::lower_bound(segments.begin(), segments.end(), key, by_start);
    return it != segments.end() && it->a == a && it->b == b ? &*it : nullptr;
  };
  for (Directed& s : segments) {
    if (s.used) continue;
    Directed* reverse = find(s.b, s.a);
    if (reverse && !reverse->used) {
      s.used = true;
      reverse->used = true;
    }
  }
  std::vector<Ring> shells;
  std::vector<Ring> holes;
  for (Directed& first : segments) {
    if (first.used) continue;
    Ring ring{first.a};
    Directed* current = &first;
    while (true) {
      current->used = true;
      ring.push_back(current->b);
      if (current->b == first.a) break;
      // Unused segments leaving current->b: choose the leftmost turn.
      const Directed key{current->b, Point{-INFINITY, -INFINITY}};
      Directed* next = nullptr;
      double best_turn = -INFINITY;
      const double in_x = current->b.x - current->a.x;
      const double in_y = current->b.y - current->a.y;
      for (auto it = std::lower_bound(segments.begin(), segments.end(), key, by_start);
           it != segments.end() && it->a == current->b; ++it) {
        if (it->used) continue;
        const double out_x = it->b.x - it->a.x;
        const double out_y = it->b.y - it->a.y;
        const double turn = std::atan2(in_x * out_y - in_y * out_x, in_x * out_x + in_y * out_y);
        if (turn > best_turn) {
          best_turn = turn;
          next = &*it;
        }
      }
      if (!next) break;  // open chain: not a clean coverage; close the ring as it is
      current = next;
    }
    if (!(ring.back() == ring.front())) ring.push_back(ring.front());
    if (ring.size() < 4) continue;
    const double a = signed_area(ring);
    if (a > 0.0)
      shells.push_back(std::move(ring));
    else if (a < 0.0)
      holes.push_back(std::move(ring));
  }
  MultiPolygon out;
  for (Ring& shell : shells) out.push_back({std::move(shell), {}});
  for (Ring& hole : holes) {
    // The shell holding most of the hole's vertices (vertices may touch the shell), smallest
    // first when tied.
    std::size_t best = 0;
    std::size_t best_count = 0;
    for (std::size_t k = 0; k < out.size(); ++k) {
      std::size_t count = 0;
      for (const Point& p : hole) count += in_ring(out[k].outer, p) ? 1 : 0;
      if (count > best_count || (count == best_count && count > 0 &&
                                 signed_area(out[k].outer) < signed_area(out[best].outer))) {
        best = k;
        best_count = count;
      }
    }
    if (!out.empty()) out[best].holes.push_back(std::move(hole));
  }
  return out;
}

Crossing crossing_between(std::int32_t block_a, std::int32_t block_b,
                          const std::vector<std::int32_t>& block_face) {
  if (block_a == block_b) return Crossing::none;
  return block_face[std::size_t(block_a)] == block_face[std::size_t(block_b)] ? Crossing::soft
                                                                              : Crossing::hard;
}

/// Makes every cell one edge-connected set of pieces holding its building. Pieces of one owner
/// are grouped by shared edges (a contact has positive length; a shared vertex does not
/// connect). The group holding the owner's site (else its largest) stays; every other group is
/// *detached* and joins, whole, the neighbouring cell it shares the longest boundary with:
/// preferably in its own street block, then in its own hard face, then across a barrier. Rounds
/// use the previous round's owners only, so the result does not depend on the visiting order.
/// A detached group with no owned neighbour at all (a separate part of a multipolygon
/// community) keeps its owner.
void reassign_detached_pieces(const std::vector<Polygon>& pieces,
                              const std::vector<std::int32_t>& piece_block,
                              const std::vector<std::int32_t>& block_face,
                              const std::vector<Contact>& contacts,
                              const std::vector<Placement>& placements,
                              std::vector<std::int32_t>& owner) {
  const std::size_t piece_count = pieces.size();
  std::vector<std::int32_t> parent(piece_count);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](std::int32_t p) {
    while (parent[std::size_t(p)] != p) {
      parent[std::size_t(p)] = parent[std::size_t(parent[std::size_t(p)])];
      p = parent[std::size_t(p)];
    }
    return p;
  };
  for (const Contact& c : contacts) {
    if (c.b == kNone || c.length_m <= 0.0) continue;
    const std::int32_t o = owner[std::size_t(c.a)];
    if (o == kNone || o != owner[std::size_t(c.b)]) continue;
    const std::int32_t ra = find(c.a), rb = find(c.b);
    if (ra != rb) parent[std::size_t(std::max(ra, rb))] = std::min(ra, rb);
  }
  // Per owner: the group holding its site, else the group of largest area.
  const std::size_t n = placements.size();
  std::vector<std::int32_t> home(n, kNone);
  std::vector<double> group_area(piece_count, 0.0);
  for (std::size_t p = 0; p < piece_count; ++p)
    if (owner[p] != kNone) group_area[std::size_t(find(std::int32_t(p)))] += area(pieces[p]);
  std::vector<double> home_area(n, -1.0);
  for (std::size_t p = 0; p < piece_count; ++p) {
    const std::int32_t o = owner[p];
    if (o == kNone) continue;
    const std::int32_t root = find(std::int32_t(p));
    if (home_area[std::size_t(o)] == INFINITY) continue;  // the site's group is known
    if (in_polygon(pieces[p], placements[std::size_t(o)].site)) {
      home[std::size_t(o)] = root;
      home_area[std::size_t(o)] = INFINITY;
    } else if (group_area[std::size_t(root)] > home_area[std::size_t(o)]) {
      home[std::size_t(o)] = root;
      home_area[std::size_t(o)] = group_area[std::size_t(root)];
    }
  }
  std::vector<std::int32_t> detached;  // pieces
  std::vector<std::int32_t> original(piece_count, kNone);
  for (std::size_t p = 0; p < piece_count; ++p) {
    const std::int32_t o = owner[p];
    if (o == kNone || find(std::int32_t(p)) == home[std::size_t(o)]) continue;
    detached.push_back(std::int32_t(p));
    original[p] = o;
    owner[p] = kNone;
  }
  if (detached.empty()) return;
  std::vector<std::vector<std::pair<std::int32_t, double>>> neighbours(piece_count);
  for (const Contact& c : contacts) {
    if (c.b == kNone || c.length_m <= 0.0) continue;
    if (original[std::size_t(c.a)] != kNone)
      neighbours[std::size_t(c.a)].emplace_back(c.b, c.length_m);
    if (original[std::size_t(c.b)] != kNone)
      neighbours[std::size_t(c.b)].emplace_back(c.a, c.length_m);
  }
  std::map<std::int32_t, std::vector<std::int32_t>> groups;  // root → pieces, ascending
  for (std::int32_t p : detached) groups[find(p)].push_back(p);
  bool changed = true;
  while (changed) {
    changed = false;
    std::vector<std::int32_t> next = owner;
    for (auto& [root, members] : groups) {
      if (owner[std::size_t(members.front())] != kNone) continue;
      // Shared length per candidate owner and tier (0 same block, 1 same face, 2 across).
      std::map<std::int32_t, std::array<double, 3>> by_owner;
      for (std::int32_t p : members)
        for (const auto& [q, length] : neighbours[std::size_t(p)]) {
          const std::int32_t o = owner[std::size_t(q)];
          if (o == kNone) continue;
          const Crossing crossing = crossing_between(piece_block[std::size_t(p)],
                                                     piece_block[std::size_t(q)], block_face);
          auto [it, fresh] = by_owner.try_emplace(o, std::array<double, 3>{0.0, 0.0, 0.0});
          it->second[std::size_t(crossing)] += length;
        }
      std::int32_t best = kNone;
      std::size_t best_tier = 3;
      double best_length = 0.0;
      for (const auto& [o, lengths] : by_owner) {  // ascending owner: ties keep the lower one
        std::size_t tier = 0;
        while (tier < 3 && lengths[tier] <= 0.0) ++tier;
        if (tier < best_tier || (tier == best_tier && lengths[tier] > best_length)) {
          best = o;
          best_tier = tier;
          best_length = lengths[tier];
        }
      }
      if (best == kNone) continue;
      for (std::int32_t p : members) next[std::size_t(p)] = best;
      changed = true;
    }
    owner = std::move(next);
  }
  for (std::int32_t p : detached)
    if (owner[std::size_t(p)] == kNone) owner[std::size_t(p)] = original[std::size_t(p)];
}

}  // namespace

CommunityCells tessellate_community(GeosContext& ctx, const Dataset& dataset,
                                    const CommunityJob& job, const TessellationParams& params,
                                    double snap_grid_m, const CommunityProgress& tick) {
  const GEOSContextHandle_t h = ctx.handle();
  // Progress within the community: the driver throttles, so calling it per batch is cheap.
  // Stages weighted by their share of the time on the real extracts (placing buildings and the
  // Voronoi edges per block dominate).
  auto report = [&](double fraction) {
    if (tick) tick(std::clamp(fraction, 0.0, 1.0));
  };
  const Community& community = dataset.communities[std::size_t(job.community)];
  const std::size_t n = job.buildings.size();
  CommunityCells out;
  out.cells.resize(n);
  out.area_m2.assign(n, 0.0);
  out.perimeter_m.assign(n, 0.0);
  out.face.assign(n, kNone);
  out.block.assign(n, kNone);

  GeomPtr community_geometry = to_geos(ctx, community.footprint);
  PreparedPtr community_prepared = prepare(ctx, community_geometry.get());

  // 1. Barrier linework inside the community. The community boundary closes every face.
  std::vector<GeomPtr> hard_parts;
  {
    GeomPtr boundary = own(ctx, GEOSBoundary_r(h, community_geometry.get()), "community boundary");
    append_lines(ctx, boundary.get(), hard_parts);
  }
  // Barriers are clipped to the community's box widened by a margin, not to the community:
  // an exact clip would end them at computed points a rounding error short of the boundary,
  // leaving dangles that do not cut. Overshooting ends dangle outside and polygonizing drops them.
  const Box community_box = bounds(community.footprint);
  auto clip_to_community = [&](std::vector<GeomPtr>& lines, std::vector<GeomPtr>& into) {
    if (lines.empty()) return;
    constexpr double kMarginM = 1.0;
    GeomPtr all = make_collection(ctx, GEOS_MULTILINESTRING, lines);
    GeomPtr clipped =
        own(ctx,
            GEOSClipByRect_r(h, all.get(), community_box.min_x - kMarginM,
                             community_box.min_y - kMarginM, community_box.max_x + kMarginM,
                             community_box.max_y + kMarginM),
            "barriers clipped to the community");
    append_lines(ctx, clipped.get(), into);
  };
  {
    std::vector<GeomPtr> hard_lines;
    for (std::int32_t l : job.hard_lines) {
      const LineString& line = dataset.lines[std::size_t(l)].geometry;
      if (line.size() >= 2) hard_lines.push_back(to_geos(ctx, line));
    }
    for (std::int32_t w : job.water) {
      GeomPtr water = to_geos(ctx, dataset.water[std::size_t(w)].footprint);
      GeomPtr boundary = own(ctx, GEOSBoundary_r(h, water.get()), "water boundary");
      append_lines(ctx, boundary.get(), hard_lines);
    }
    clip_to_community(hard_lines, hard_parts);
  }
  std::vector<GeomPtr> soft_parts;
  {
    std::vector<GeomPtr> soft_lines;
    for (std::int32_t l : job.soft_lines) {
      const LineString& line = dataset.lines[std::size_t(l)].geometry;
      if (line.size() >= 2) soft_lines.push_back(to_geos(ctx, line));
    }
    clip_to_community(soft_lines, soft_parts);
  }

  // 2. Hard faces, then street blocks (faces cut further by soft roads).
  GeomPtr hard_noded = node_lines(ctx, hard_parts, snap_grid_m);
  std::vector<Region> faces = regions_inside(ctx, hard_noded.get(), community_prepared.get());
  if (faces.empty()) {
    out.problems.report(
        Severity::error, "community-without-area", community.source,
        "community " + community.name + " has no area to tessellate; its buildings get no cell");
    return out;
  }
  GeomPtr all_noded;
  std::vector<Region> blocks;
  std::vector<std::int32_t> block_face;
  if (soft_parts.empty()) {
    all_noded = std::move(hard_noded);
    blocks = clone_regions(ctx, faces);
    for (std::size_t f = 0; f < faces.size(); ++f) block_face.push_back(std::int32_t(f));
  } else {
    soft_parts.push_back(clone(ctx, hard_noded.get()));
    all_noded = node_lines(ctx, soft_parts, snap_grid_m);
    blocks = regions_inside(ctx, all_noded.get(), community_prepared.get());
    const RegionLocator face_locator(ctx, faces);
    for (const Region& block : blocks) block_face.push_back(face_locator.locate(ctx, block.inside));
  }
  out.face_count = std::int32_t(faces.size());
  out.block_count = std::int32_t(blocks.size());
  if (blocks.empty()) {
    out.problems.report(Severity::error, "community-without-area", community.source,
                        "community " + community.name +
                            " has no area left between its barriers; its buildings get no cell");
    return out;
  }
  const RegionLocator block_locator(ctx, blocks);
  std::vector<Polygon> block_polygons;  // shells counter-clockwise, holes clockwise
  block_polygons.reserve(blocks.size());
  for (const Region& block : blocks) {
    MultiPolygon mp = to_multipolygon(ctx, block.geometry.get());
    block_polygons.push_back(std::move(mp.front()));
    orient(block_polygons.back());
  }
  std::vector<BlockShape> block_shapes;
  block_shapes.reserve(blocks.size());
  for (const Polygon& polygon : block_polygons) block_shapes.emplace_back(polygon);
  // The block strictly containing a point (a piece's interior point), or kNone.
  std::vector<std::int32_t> block_candidates;
  auto block_containing = [&](const Point& p) {
    block_candidates = block_locator.candidates(Box{p.x, p.y, p.x, p.y});
    for (std::int32_t b : block_candidates)
      if (block_shapes[std::size_t(b)].contains(p)) return b;
    return kNone;
  };

  // 3. Each building to a block, with its Voronoi site.
  std::vector<std::vector<Site>> block_sites(blocks.size());
  std::vector<Placement> placements(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (i % 256 == 0) report(0.05 + 0.25 * double(i) / double(n));
    const Building& building = dataset.buildings[std::size_t(job.buildings[i])];
    Placement placement;
    try {
      placement = place_building(ctx, building, blocks, block_locator, out.problems);
    } catch (const GeosError& error) {
      // An unusable footprint (GEOS could not intersect it): place it by its vertices' centre.
      const Point c = centroid(building.footprint);
      placement.block = block_locator.locate(ctx, c);
      placement.site = contains_point(ctx, block_locator.prepared(placement.block), c)
                           ? c
                           : blocks[std::size_t(placement.block)].inside;
      out.problems.report(Severity::warning, "building-footprint-unusable", building.source,
                          describe_building(building) + ": " + error.what() +
                              "; its cell is placed at its vertices' centre");
    }
    out.block[i] = placement.block;
    out.face[i] = block_face[std::size_t(placement.block)];
    block_sites[std::size_t(placement.block)].push_back({placement.site, std::int32_t(i)});
    placements[i] = placement;
  }

  // 4. Sites of each block that holds two or more buildings, with the outlines of the buildings
  // that need them (see choose_block_sites); then the blocks' Voronoi edges.
  std::vector<char> outlined(n, 0);
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    if (b % 16 == 0) report(0.30 + 0.15 * double(b) / double(blocks.size()));
    if (block_sites[b].size() >= 2)
      choose_block_sites(ctx, dataset, job, placements, params,
                         block_locator.prepared(std::int32_t(b)), block_sites[b], outlined,
                         out.problems);
  }
  const OutlineLocator outlines(dataset, job, outlined, out.block);
  BlockEdges edges;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    if (b % 16 == 0) report(0.45 + 0.15 * double(b) / double(blocks.size()));
    if (block_sites[b].size() < 2) continue;
    block_voronoi_edges(ctx, block_sites[b], blocks[b].geometry.get(), std::int32_t(b),
                        block_shapes[b], blocks[b].box, outlines.boxes(), edges);
  }
  // Outlines noded without GEOS in the fast path (see cross_outline); all outlines otherwise.
  std::vector<char> free_outline(n, 0);
  auto outline_lines = [&](std::vector<GeomPtr>& into) {
    for (std::size_t i = 0; i < n; ++i)
      if (outlined[i] != 0 && free_outline[i] == 0)
        for (const Polygon& polygon : dataset.buildings[std::size_t(job.buildings[i])].footprint) {
          into.push_back(to_geos(ctx, polygon.outer));
          for (const Ring& hole : polygon.holes) into.push_back(to_geos(ctx, hole));
        }
  };
  // The blocks' rings: the linework that bounds pieces. Not all_noded, whose dangles (dead-end
  // roads inside a block) would cross Voronoi edges that skip the noding, and whose lines
  // outside the community only make faces that are dropped.
  auto block_lines = [&](std::vector<GeomPtr>& into) {
    for (const Region& block : blocks) {
      GeomPtr boundary = own(ctx, GEOSBoundary_r(h, block.geometry.get()), "block boundary");
      append_lines(ctx, boundary.get(), into);
    }
  };
  auto segment_lines = [&](const std::vector<Segment>& segments, std::vector<GeomPtr>& into) {
    into.reserve(into.size() + segments.size());
    for (const Segment& segment : segments)
      into.push_back(to_geos(ctx, LineString{segment.first, segment.second}));
  };

  // 5. Pieces: the blocks cut by the Voronoi edges and outlines, each labelled with its block.
  report(0.6);
  std::vector<Polygon> piece_polygons;
  std::vector<Point> piece_inside;
  std::vector<std::int32_t> piece_block;
  auto add_piece = [&](Polygon&& face) {
    if (face.outer.size() < 4 || area(face) <= 0.0) return;
    const Point inside = interior_point(ctx, face);
    // Faces outside every block (a hole of the community) are not pieces.
    const std::int32_t b = block_containing(inside);
    if (b == kNone) return;
    piece_polygons.push_back(std::move(face));
    piece_inside.push_back(inside);
    piece_block.push_back(b);
  };
  auto clear_pieces = [&] {
    piece_polygons.clear();
    piece_inside.clear();
    piece_block.clear();
  };
  // Faces of noded segments (own polygonizer); false when it finds them not noded.
  auto collect_pieces = [&](std::vector<Segment> segments) {
    clear_pieces();
    std::vector<Polygon> found;
    if (!polygonize_segments(std::move(segments), found)) return false;
    for (Polygon& face : found) add_piece(std::move(face));
    return true;
  };
  if (edges.whole.empty()) {
    for (std::size_t b = 0; b < blocks.size(); ++b) {
      piece_polygons.push_back(block_polygons[b]);
      piece_inside.push_back(blocks[b].inside);
      piece_block.push_back(std::int32_t(b));
    }
  } else {
    bool pieces_tile = false;
    if (snap_grid_m <= 0.0) {
      // Only the edges near block boundaries and outlines are noded; the inner ones join the
      // polygonizing as they are. Checked: the pieces must tile the blocks (a rounding slip
      // would show as a missing or doubled area); else the whole linework is noded.
      // A free outline: one simple ring whose box, widened by kClearanceM, meets no other
      // outline and no block boundary, and whose Voronoi edges come near no other outline and
      // were not cut at a block boundary. It and its edges are crossed here (cross_outline).
      std::vector<std::int32_t> hits;
      for (std::size_t i = 0; i < n; ++i) {
        const MultiPolygon& footprint = dataset.buildings[std::size_t(job.buildings[i])].footprint;
        if (outlined[i] == 0 || footprint.size() != 1 || !footprint.front().holes.empty() ||
            footprint.front().outer.size() < 4 || out.block[i] == kNone)
          continue;
        Box box = bounds(footprint);
        box.min_x -= kClearanceM;
        box.min_y -= kClearanceM;
        box.max_x += kClearanceM;
        box.max_y += kClearanceM;
        outlines.boxes().intersecting(box, hits);
        if (hits.size() != 1 || block_shapes[std::size_t(out.block[i])].boundary_near(box))
          continue;
        free_outline[i] = 1;
      }
      for (std::int32_t i : edges.near_cut) free_outline[std::size_t(i)] = 0;
      for (const auto& [segment, near] : edges.near_outline)
        if (near.size() > 1)
          for (std::int32_t i : near) free_outline[std::size_t(i)] = 0;
      std::vector<Segment> geos_edges;
      std::vector<std::vector<Segment>> free_edges(n);
      for (const auto& [segment, near] : edges.near_outline) {
        if (near.size() == 1 && free_outline[std::size_t(near.front())] != 0)
          free_edges[std::size_t(near.front())].push_back(segment);
        else
          geos_edges.push_back(segment);
      }
      std::vector<Segment> checked = edges.inner;  // must each bound two pieces
      std::vector<Segment> crossed;
      for (std::size_t i = 0; i < n; ++i) {
        if (free_outline[i] == 0) continue;
        crossed.clear();
        const Ring& ring = dataset.buildings[std::size_t(job.buildings[i])].footprint.front().outer;
        if (cross_outline(ring, free_edges[i], crossed)) {
          for (const Segment& segment : crossed)
            if (!(segment.first == segment.second))
              checked.push_back(normalised(segment.first, segment.second));
        } else {
          free_outline[i] = 0;
          geos_edges.insert(geos_edges.end(), free_edges[i].begin(), free_edges[i].end());
        }
      }
      // The edges near block boundaries are crossed with the block rings here too, unless
      // something GEOS nodes (an outline that is not free, an edge near one) comes within
      // kClearanceM of a block boundary.
      bool own_rings = edges.near_cut.empty();
      for (std::size_t i = 0; own_rings && i < n; ++i) {
        if (outlined[i] == 0 || free_outline[i] != 0) continue;
        Box box = bounds(dataset.buildings[std::size_t(job.buildings[i])].footprint);
        box.min_x -= kClearanceM;
        box.min_y -= kClearanceM;
        box.max_x += kClearanceM;
        box.max_y += kClearanceM;
        if (out.block[i] == kNone || block_shapes[std::size_t(out.block[i])].boundary_near(box))
          own_rings = false;
      }
      std::vector<Segment> segments;
      if (own_rings) {
        std::vector<Segment> edge_parts;
        own_rings =
            cross_block_rings(edges.boundary, block_shapes, block_polygons, edge_parts, segments);
        if (own_rings) {
          for (const Segment& part : edge_parts)
            checked.push_back(normalised(part.first, part.second));
          segments.insert(segments.end(), edge_parts.begin(), edge_parts.end());
        } else {
          segments.clear();
        }
      }
      if (!own_rings)
        geos_edges.insert(geos_edges.end(), edges.to_node.begin(), edges.to_node.end());
      std::vector<GeomPtr> to_node;
      segment_lines(geos_edges, to_node);
      outline_lines(to_node);
      if (!own_rings) block_lines(to_node);
      segments.insert(segments.end(), checked.begin(), checked.end());
      if (!to_node.empty()) {
        GeomPtr noded = node_lines(ctx, to_node, 0.0);
        append_segments(ctx, noded.get(), segments);
      }
      pieces_tile = collect_pieces(std::move(segments));
      if (pieces_tile) {
        double blocks_area = 0.0;
        for (const Polygon& block : block_polygons) blocks_area += area(block);
        double pieces_area = 0.0;
        for (const Polygon& piece : piece_polygons) pieces_area += area(piece);
        pieces_tile = std::abs(pieces_area - blocks_area) <= 1e-9 * blocks_area;
      }
      // And every inner edge separates two pieces: had the noding moved a vertex that inner
      // edges end at, they would dangle and be dropped, merging pieces without changing the area.
      if (pieces_tile) {
        std::vector<Segment> piece_segments;
        for (const Polygon& piece : piece_polygons) {
          auto add_ring = [&](const Ring& ring) {
            for (std::size_t k = 0; k + 1 < ring.size(); ++k)
              if (!(ring[k] == ring[k + 1]))
                piece_segments.push_back(normalised(ring[k], ring[k + 1]));
          };
          add_ring(piece.outer);
          for (const Ring& hole : piece.holes) add_ring(hole);
        }
        std::sort(piece_segments.begin(), piece_segments.end(), segment_less);
        for (const Segment& segment : checked) {
          const auto range =
              std::equal_range(piece_segments.begin(), piece_segments.end(), segment, segment_less);
          if (range.second - range.first != 2) {
            pieces_tile = false;
            break;
          }
        }
      }
    }
    if (!pieces_tile) {
      std::fill(free_outline.begin(), free_outline.end(), 0);
      std::vector<GeomPtr> cut_lines;
      segment_lines(edges.whole, cut_lines);
      outline_lines(cut_lines);
      block_lines(cut_lines);
      GeomPtr noded = node_lines(ctx, cut_lines, snap_grid_m);
      std::vector<Segment> segments;
      append_segments(ctx, noded.get(), segments);
      if (!collect_pieces(std::move(segments))) {
        // GEOS's polygonizer as the last resort (it drops what it cannot use).
        clear_pieces();
        for (GeomPtr& face : polygonize(ctx, noded.get())) {
          MultiPolygon mp = to_multipolygon(ctx, face.get());
          if (!mp.empty()) {
            orient(mp.front());
            add_piece(std::move(mp.front()));
          }
        }
      }
    }
  }
  report(0.8);
  const std::size_t piece_count = piece_polygons.size();
  std::vector<SiteLocator> site_locators;
  site_locators.reserve(blocks.size());
  for (const std::vector<Site>& sites : block_sites) site_locators.emplace_back(sites);
  std::vector<std::int32_t> owner(piece_count, kNone);
  for (std::size_t p = 0; p < piece_count; ++p) {
    owner[p] = outlines.building_containing(piece_block[p], piece_inside[p]);
    if (owner[p] == kNone)
      owner[p] = site_locators[std::size_t(piece_block[p])].nearest_building(piece_inside[p]);
  }

  const std::vector<Contact> contacts = piece_contacts(piece_polygons);

  // 6. Blocks without a building join, whole, the neighbouring cell with the longest shared
  // boundary, preferring one not across a hard barrier. Rounds are computed from the previous
  // round's owners only, so the result does not depend on the visiting order; a block whose
  // neighbours are all empty waits for a later round.
  {
    std::vector<std::vector<std::int32_t>> block_pieces(blocks.size());
    for (std::size_t p = 0; p < piece_count; ++p)
      block_pieces[std::size_t(piece_block[p])].push_back(std::int32_t(p));
    std::vector<std::vector<std::pair<std::int32_t, double>>> neighbours(piece_count);
    for (const Contact& c : contacts) {
      if (c.b == kNone) continue;
      neighbours[std::size_t(c.a)].emplace_back(c.b, c.length_m);
      neighbours[std::size_t(c.b)].emplace_back(c.a, c.length_m);
    }
    std::vector<std::int32_t> empty_blocks;
    for (std::size_t b = 0; b < blocks.size(); ++b)
      if (block_sites[b].empty() && !block_pieces[b].empty())
        empty_blocks.push_back(std::int32_t(b));
    bool changed = true;
    while (changed) {
      changed = false;
      std::vector<std::int32_t> next = owner;
      for (std::int32_t e : empty_blocks) {
        const std::vector<std::int32_t>& mine = block_pieces[std::size_t(e)];
        if (owner[std::size_t(mine.front())] != kNone) continue;
        // Per candidate owner: shared length not across a hard barrier, and across one.
        std::map<std::int32_t, std::pair<double, double>> by_owner;
        for (std::int32_t p : mine)
          for (const auto& [q, length] : neighbours[std::size_t(p)]) {
            const std::int32_t o = owner[std::size_t(q)];
            if (o == kNone) continue;
            const bool hard =
                crossing_between(e, piece_block[std::size_t(q)], block_face) == Crossing::hard;
            (hard ? by_owner[o].second : by_owner[o].first) += length;
          }
        std::int32_t best = kNone;
        double best_length = 0.0;
        bool best_hard = true;
        for (const auto& [o, lengths] : by_owner) {
          const bool hard = lengths.first <= 0.0;
          const double length = hard ? lengths.second : lengths.first;
          if (best == kNone || (best_hard && !hard) ||
              (hard == best_hard && length > best_length)) {
            best = o;
            best_length = length;
            best_hard = hard;
          }
        }
        if (best == kNone) continue;
        for (std::int32_t p : mine) next[std::size_t(p)] = best;
        changed = true;
        if (best_hard) {
          const Building& building =
              dataset.buildings[std::size_t(job.buildings[std::size_t(best)])];
          double empty_area = 0.0;
          for (std::int32_t p : mine) empty_area += area(piece_polygons[std::size_t(p)]);
          std::ostringstream message;
          message.precision(1);
          message << std::fixed << "an area of " << empty_area
                  << " m² with no building, enclosed by hard barriers, joined the cell of "
                  << describe_building(building) << " across a hard barrier";
          out.problems.report(Severity::info, "empty-face-merged-across-hard-barrier",
                              building.source, message.str());
        }
      }
      owner = std::move(next);
    }
    // Parts of the community not connected to any building's cell (a detached part of a
    // multipolygon community): the building whose site is nearest takes them, reported.
    for (std::int32_t e : empty_blocks) {
      const std::vector<std::int32_t>& mine = block_pieces[std::size_t(e)];
      if (owner[std::size_t(mine.front())] != kNone) continue;
      const Point inside = blocks[std::size_t(e)].inside;
      std::int32_t nearest = kNone;
      double best_d2 = INFINITY;
      double empty_area = 0.0;
      for (std::int32_t p : mine) empty_area += area(piece_polygons[std::size_t(p)]);
      for (const std::vector<Site>& sites : block_sites)
        for (const Site& s : sites) {
          const double d2 =
              (s.p.x - inside.x) * (s.p.x - inside.x) + (s.p.y - inside.y) * (s.p.y - inside.y);
          if (d2 < best_d2 || (d2 == best_d2 && s.building < nearest)) {
            best_d2 = d2;
            nearest = s.building;
          }
        }
      for (std::int32_t p : mine) owner[std::size_t(p)] = nearest;
      std::ostringstream message;
      message.precision(1);
      message << std::fixed << "community " << community.name << " has a detached part of "
              << empty_area << " m² with no building; it joined the cell of the nearest building";
      out.problems.report(Severity::warning, "community-part-without-buildings", community.source,
                          message.str());
    }
  }

  // 6b. One piece per cell. A Voronoi cell cut by a non-convex block, an outline or a noding
  // sliver can leave pieces of one owner that share no edge with the piece holding its building
  // (issue 12: grids in pieces, sliver crumbs, grids joined at a point). Such a piece joins the
  // neighbouring cell it shares the longest boundary with (same block first, then same face).
  reassign_detached_pieces(piece_polygons, piece_block, block_face, contacts, placements, owner);

  // 7. Cells, areas, perimeters and adjacency from the pieces and their contacts.
  report(0.9);
  std::vector<std::vector<std::int32_t>> owned(n);
  for (std::size_t p = 0; p < piece_count; ++p) {
    const std::int32_t o = owner[p];
    if (o == kNone) continue;
    owned[std::size_t(o)].push_back(std::int32_t(p));
    out.area_m2[std::size_t(o)] += area(piece_polygons[p]);
  }
  struct PairLengths {
    double by_crossing[3] = {0.0, 0.0, 0.0};  // indexed by Crossing
  };
  std::map<std::pair<std::int32_t, std::int32_t>, PairLengths> pair_lengths;
  for (const Contact& c : contacts) {
    const std::int32_t oa = owner[std::size_t(c.a)];
    const std::int32_t ob = c.b == kNone ? kNone : owner[std::size_t(c.b)];
    if (oa == ob) continue;  // inside one cell
    if (oa != kNone) out.perimeter_m[std::size_t(oa)] += c.length_m;
    if (ob != kNone) out.perimeter_m[std::size_t(ob)] += c.length_m;
    if (oa == kNone || ob == kNone) continue;
    const Crossing crossing =
        crossing_between(piece_block[std::size_t(c.a)], piece_block[std::size_t(c.b)], block_face);
    const std::int32_t ga = job.buildings[std::size_t(oa)];
    const std::int32_t gb = job.buildings[std::size_t(ob)];
    pair_lengths[{std::min(ga, gb), std::max(ga, gb)}].by_crossing[int(crossing)] += c.length_m;
  }
  for (const auto& [pair, lengths] : pair_lengths) {
    const double total = lengths.by_crossing[0] + lengths.by_crossing[1] + lengths.by_crossing[2];
    if (total <= params.min_shared_length_m) continue;
    // Two cells meeting partly across a barrier and partly not are connected on land: the
    // weakest crossing of any substantial part of their common boundary is what counts.
    Crossing crossing = Crossing::hard;
    for (int k = 2; k >= 0; --k)
      if (lengths.by_crossing[k] > params.min_shared_length_m) crossing = Crossing(k);
    out.adjacency.push_back({pair.first, pair.second, total, crossing});
  }

  for (std::size_t i = 0; i < n; ++i) {
    const std::vector<std::int32_t>& mine = owned[i];
    if (mine.empty()) {
      const Building& building = dataset.buildings[std::size_t(job.buildings[i])];
      out.problems.report(Severity::warning, "building-without-cell", building.source,
                          describe_building(building) +
                              " got no cell (its site coincides with another building's)");
      continue;
    }
    if (mine.size() == 1) {
      out.cells[i].push_back(piece_polygons[std::size_t(mine.front())]);
    } else {
      std::vector<const Polygon*> parts;
      for (std::int32_t p : mine) parts.push_back(&piece_polygons[std::size_t(p)]);
      out.cells[i] = dissolve(parts);
    }
  }
  return out;
}

}  // namespace gp::geo::detail
