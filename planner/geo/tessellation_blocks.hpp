#pragma once
// Faces and street blocks of one community (private to planner/geo; steps 1 and 2 of
// docs/decisions/0003-tessellation.md). The community boundary and the hard barriers are noded
// and polygonized into faces; the soft roads cut the faces further into street blocks. The later
// steps work block by block (sites, Voronoi edges, the GEOS noding of the pieces, the merge of
// empty blocks). BlockShape answers the exact questions near a block's boundary (is a point
// inside, which ring segments are near a box) without a GEOS object per question.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/spatial_index.hpp"
#include "planner/geo/tessellation_community.hpp"
#include "planner/geo/tessellation_faces.hpp"
#include "planner/geo/tessellation_geos.hpp"

namespace gp::geo::detail {

/// A polygonal region of the community — a hard face, a street block or a piece of the final
/// arrangement — with a point strictly inside it and its bounding box.
struct Region {
  GeomPtr geometry;
  Point inside;
  Box box;
};

/// Finds which region holds a point or a footprint. Regions must outlive the locator. One thread
/// at a time: its prepared geometries build their indexes on first use and its queries reuse a
/// scratch vector; threads make their own over the same regions, whose read caches must be
/// filled first (fill_read_caches; docs/decisions/0011-threads-and-geos.md).
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

/// Distance (metres) from the block boundary and from outlines beyond which a Voronoi edge skips
/// the noding: far above the overshoot of edges cut to a neighbouring block (kOvershootM) and
/// the rounding errors of noding.
constexpr double kClearanceM = 1e-3;
/// Edges crossing the block boundary are cut there and extended by this much (metres), so that
/// the cut end, computed with a rounding error, still crosses the boundary. The overshoot dangles
/// in the next block and polygonizing drops it.
constexpr double kOvershootM = 1e-6;

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
    std::vector<std::int32_t>& hits = scratch();
    index_.intersecting(box, hits);
    out.clear();
    for (std::int32_t k : hits) out.push_back(segments_[std::size_t(k)]);
  }

  /// True when a boundary segment's box meets `box` (touching counts).
  [[nodiscard]] bool boundary_near(const Box& box) const { return index_.any_intersecting(box); }

  /// Crossing-number test over the boundary segments a ray to the east can meet; a point on
  /// the boundary may go either way.
  [[nodiscard]] bool contains(const Point& p) const {
    if (!(p.x <= max_x_)) return false;
    std::vector<std::int32_t>& hits = scratch();
    index_.intersecting_unsorted(Box{p.x, p.y, max_x_, p.y}, hits);  // parity: any order
    bool inside = false;
    for (std::int32_t k : hits) {
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
    std::vector<std::int32_t>& hits = scratch();
    index_.intersecting(box_of(segment), hits);
    for (std::int32_t k : hits) {
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
  /// The queries' scratch, one per thread: a block's shape is queried from several threads
  /// (the pieces' blocks are found in parallel, cut_pieces).
  static std::vector<std::int32_t>& scratch() {
    thread_local std::vector<std::int32_t> hits;
    return hits;
  }
};

/// The faces and street blocks of one community. Not movable: the locator refers to `blocks`.
struct CommunityBlocks {
  std::vector<Region> faces;             // hard faces (community boundary + hard barriers)
  std::vector<Region> blocks;            // street blocks (faces cut by soft roads)
  std::vector<std::int32_t> block_face;  // the face of each block
  std::vector<Polygon> polygons;         // each block: shell counter-clockwise, holes clockwise
  std::vector<BlockShape> shapes;        // each block's rings, indexed
  std::optional<RegionLocator> locator;  // over `blocks`

  CommunityBlocks() = default;
  CommunityBlocks(const CommunityBlocks&) = delete;
  CommunityBlocks& operator=(const CommunityBlocks&) = delete;

  [[nodiscard]] std::size_t size() const { return blocks.size(); }
  /// The block strictly containing `p` (a piece's interior point), or kNone.
  [[nodiscard]] std::int32_t containing(const Point& p) const;
};

/// Steps 1 and 2: the barrier linework inside the community (clipped to its box widened by 1 m,
/// see "Why lines overshoot" in 0003), noded and polygonized into faces, then with the soft
/// roads into blocks. False when nothing is left to tessellate; the error is then reported in
/// `problems` (community-without-area).
/// `report` takes the step's fraction done (0 to 1).
bool build_blocks(GeosContext& ctx, const Dataset& dataset, const CommunityJob& job,
                  double snap_grid_m, CommunityBlocks& out, ProblemReporter& problems,
                  const std::function<void(double)>& report = {});

}  // namespace gp::geo::detail
