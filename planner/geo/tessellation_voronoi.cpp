#include "planner/geo/tessellation_voronoi.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <boost/polygon/point_data.hpp>
#include <boost/polygon/voronoi.hpp>

#include "planner/core/parallel.hpp"

namespace gp::geo::detail {
namespace {

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
  // Sorted by x, then index: the x beside each index, so the sort does not look every point
  // up (the same comparisons as on the indices alone, so the same order).
  struct ByX {
    double x;
    std::uint32_t index;
  };
  std::vector<ByX> by_x(points.size());
  for (std::size_t i = 0; i < by_x.size(); ++i) by_x[i] = {points[i].x, std::uint32_t(i)};
  std::sort(by_x.begin(), by_x.end(),
            [](const ByX& a, const ByX& b) { return a.x != b.x ? a.x < b.x : a.index < b.index; });
  std::vector<std::uint32_t> order(points.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = by_x[i].index;
  by_x = {};
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

/// Voronoi edges of `sites` within `box` from Boost.Polygon's sweep-line diagram, which takes
/// 32-bit integer coordinates and computes the vertices with robust predicates (cocircular sites
/// give one vertex of degree > 3, never folding chains). The sites lie on the grid
/// kSiteGridM (choose_sites puts them there), so they are integers relative to the grid point
/// below the box, exactly; false when the box is wider than the integers reach (the caller then
/// triangulates with GEOS). Edges between two sites of one building are left out, as in
/// voronoi_from_delaunay; each edge is output once (a half-edge and its twin are one edge).
/// What one thread's Voronoi steps keep from block to block: the sweep's diagram and the
/// buffers, cleared for each block but not freed, so a thread does not allocate (and
/// fault in fresh pages for) the same arrays again for every block. The results do not depend on
/// it: every block starts from cleared containers.
struct VoronoiScratch {
  GeosContext ctx;
  boost::polygon::voronoi_diagram<double> diagram;
  std::vector<boost::polygon::point_data<std::int32_t>> points;
  std::vector<Point> vertex_m;
  std::vector<Segment> segments;
  std::vector<std::int32_t> hits;
  std::vector<Segment> parts;
};

bool voronoi_from_sweep(const std::vector<Site>& sites, const Box& box, VoronoiScratch& scratch,
                        std::vector<Segment>& out) {
  // Integer coordinates: grid steps from the grid point at the box's lower left corner.
  const double origin_x = std::floor(box.min_x / kSiteGridM);
  const double origin_y = std::floor(box.min_y / kSiteGridM);
  constexpr double kMaxSteps = 2.0e9;  // below 2^31, with a margin
  if ((box.max_x / kSiteGridM) - origin_x > kMaxSteps ||
      (box.max_y / kSiteGridM) - origin_y > kMaxSteps)
    return false;
  std::vector<boost::polygon::point_data<std::int32_t>>& points = scratch.points;
  points.clear();
  points.reserve(sites.size());
  for (const Site& s : sites) {
    const double ix = std::round(s.p.x / kSiteGridM) - origin_x;
    const double iy = std::round(s.p.y / kSiteGridM) - origin_y;
    if (!(ix >= 0.0 && ix <= kMaxSteps && iy >= 0.0 && iy <= kMaxSteps)) return false;
    points.emplace_back(std::int32_t(ix), std::int32_t(iy));
  }
  // Into the thread's diagram, cleared (construct_voronoi only reserves and fills it).
  boost::polygon::voronoi_diagram<double>& diagram = scratch.diagram;
  diagram.clear();
  boost::polygon::construct_voronoi(points.begin(), points.end(), &diagram);
  // Vertices in metres (exact grid arithmetic: origin and step are powers-of-two multiples),
  // rounding-close ones merged as in voronoi_from_delaunay.
  std::vector<Point>& vertex_m = scratch.vertex_m;
  vertex_m.clear();
  vertex_m.reserve(diagram.vertices().size());
  for (const auto& v : diagram.vertices())
    vertex_m.push_back({(origin_x + v.x()) * kSiteGridM, (origin_y + v.y()) * kSiteGridM});
  merge_close_points(vertex_m, kVertexMergeM);
  auto vertex_index = [&](const boost::polygon::voronoi_diagram<double>::vertex_type* v) {
    return std::size_t(v - &diagram.vertices().front());
  };
  auto site_m = [&](std::size_t index) {
    return Point{(origin_x + double(points[index].x())) * kSiteGridM,
                 (origin_y + double(points[index].y())) * kSiteGridM};
  };
  const Point box_centre{0.5 * (box.min_x + box.max_x), 0.5 * (box.min_y + box.max_y)};
  const double box_diagonal = std::hypot(box.width(), box.height());
  for (const auto& edge : diagram.edges()) {
    const auto* twin = edge.twin();
    if (twin < &edge) continue;  // the pair once
    const std::size_t ia = edge.cell()->source_index();
    const std::size_t ib = twin->cell()->source_index();
    if (sites[ia].building == sites[ib].building) continue;
    const Point a = site_m(ia);
    const Point b = site_m(ib);
    // Along the edge (vertex0 → vertex1) with site a on the left.
    const double dx = a.y - b.y;
    const double dy = b.x - a.x;
    Segment segment;
    if (edge.vertex0() != nullptr && edge.vertex1() != nullptr) {
      segment = {vertex_m[vertex_index(edge.vertex0())], vertex_m[vertex_index(edge.vertex1())]};
    } else {
      // A ray (or, all sites collinear, a line): long enough to leave the box.
      const Point mid{0.5 * (a.x + b.x), 0.5 * (a.y + b.y)};
      const Point from = edge.vertex0() ? vertex_m[vertex_index(edge.vertex0())] : mid;
      const Point to = edge.vertex1() ? vertex_m[vertex_index(edge.vertex1())] : mid;
      const double reach = box_diagonal + std::hypot(from.x - box_centre.x, from.y - box_centre.y) +
                           std::hypot(to.x - box_centre.x, to.y - box_centre.y);
      const double scale = reach / std::hypot(dx, dy);
      segment = {edge.vertex0() ? from : Point{from.x - dx * scale, from.y - dy * scale},
                 edge.vertex1() ? to : Point{to.x + dx * scale, to.y + dy * scale}};
    }
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

/// Voronoi edges of a block's sites that meet the block, sorted into `out`. `outline_boxes`
/// holds the boxes of the outlines that join the linework: edges near them must be noded.
void block_voronoi_edges(VoronoiScratch& scratch, const std::vector<Site>& sites,
                         const GEOSGeometry* block, const BlockShape& shape, const Box& block_box,
                         const BoxIndex& outline_boxes, BlockEdges& out, ProgressCount& counted) {
  GeosContext& ctx = scratch.ctx;
  constexpr double kFrameMarginM = 1.0;  // edges are cut to the block's box widened by this
  const Box frame{block_box.min_x - kFrameMarginM, block_box.min_y - kFrameMarginM,
                  block_box.max_x + kFrameMarginM, block_box.max_y + kFrameMarginM};
  std::vector<Segment>& segments = scratch.segments;
  segments.clear();
  if (!voronoi_from_sweep(sites, frame, scratch, segments) &&
      !voronoi_from_delaunay(ctx, sites, frame, segments)) {
    segments.clear();
    voronoi_from_cells(ctx, sites, block, segments);
  }
  // Progress: the block's units (its sites and one) half after the diagram, half over its
  // edges (a block of thousands of sites beside a long boundary takes seconds here).
  const std::size_t units = sites.size() + 1;
  std::size_t added = units / 2;
  counted.add(added);
  std::vector<std::int32_t>& hits = scratch.hits;
  std::vector<Segment>& parts = scratch.parts;
  for (std::size_t k = 0; k < segments.size(); ++k) {
    if ((k & 1023) == 1023) {
      const std::size_t due = units / 2 + (units - units / 2) * k / segments.size();
      if (due > added) counted.add(due - added);
      added = std::max(added, due);
    }
    const Segment& segment = segments[k];
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
      if (hits.empty()) {
        out.inner.push_back(segment);
      } else {
        out.near_outline.push_back(segment);
        out.near_outline_one.push_back(hits.size() == 1 ? hits.front() : -1);
        if (hits.size() > 1)
          out.near_several.insert(out.near_several.end(), hits.begin(), hits.end());
      }
      continue;
    }
    parts.clear();
    shape.cut(segment, parts);
    if (parts.empty()) continue;
    out.whole.push_back(segment);
    out.to_node.insert(out.to_node.end(), parts.begin(), parts.end());
    out.boundary.push_back(segment);
    outline_boxes.intersecting(clearance, hits);
    out.near_cut.insert(out.near_cut.end(), hits.begin(), hits.end());
  }
  counted.add(units - added);
}

}  // namespace

std::vector<BlockEdges> voronoi_edges(const CommunityBlocks& blocks,
                                      const std::vector<std::vector<Site>>& block_sites,
                                      const BoxIndex& outline_boxes,
                                      const std::function<void(double)>& report) {
  // Blocks are independent: in parallel (one GEOS context and scratch per thread, VoronoiScratch),
  // each into its own BlockEdges, so that the result does not depend on the threads. Each
  // block's GEOS geometry and BlockShape are used by one thread.
  const std::size_t count = blocks.size();
  std::vector<BlockEdges> per_block(count);
  PerThread<VoronoiScratch> scratch;
  // Progress by the blocks' sites, not by blocks (one community's largest blocks hold most of
  // its sites; issue 14 item 5).
  std::size_t total = 0;
  for (const std::vector<Site>& sites : block_sites) total += sites.size() + 1;
  const std::function<void(double)> progress = progress_span(report, 0.45, 0.6);
  ProgressCount counted(progress, total, 1024);
  parallel_for(0, count, [&](std::size_t b) {
    if (block_sites[b].size() >= 2) {
      block_voronoi_edges(scratch.local(), block_sites[b], blocks.blocks[b].geometry.get(),
                          blocks.shapes[b], blocks.blocks[b].box, outline_boxes, per_block[b],
                          counted);
    } else {
      counted.add(block_sites[b].size() + 1);
    }
  });
  return per_block;
}

}  // namespace gp::geo::detail
