#include "planner/geo/plan_audit.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <tuple>

#include "planner/core/parallel.hpp"
#include "planner/core/point_in_polygon.hpp"
#include "planner/geo/coverage_check.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/own_footprint.hpp"
#include "planner/geo/spatial_index.hpp"
#include "planner/geo/tessellation.hpp"
#include "planner/geo/tessellation_faces.hpp"
#include "planner/geo/tessellation_geos.hpp"
#include "planner/geo/validate.hpp"

namespace gp::geo {
namespace {

/// Every edge of `polygon`'s rings (outer and holes) as an `Edge{a, b}` with its box, in ring
/// order: what the GEOS-free line tests (InsideLength, EdgeReach) index.
template <class Edge>
void collect_ring_edges(const MultiPolygon& polygon, std::vector<Edge>& edges,
                        std::vector<Box>& boxes) {
  auto add_ring = [&](const Ring& ring) {
    for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
      edges.push_back({ring[k], ring[k + 1]});
      boxes.push_back(segment_box(ring[k], ring[k + 1]));
    }
  };
  for (const Polygon& p : polygon) {
    add_ring(p.outer);
    for (const Ring& hole : p.holes) add_ring(hole);
  }
}

using detail::geos_area;
using detail::interior_point;

std::size_t at(std::int32_t index) {
  return static_cast<std::size_t>(index);
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string fixed(double value, int decimals = 1) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

const char* level_name(GridLevel level) {
  return level == GridLevel::large ? "large grid" : "micro grid";
}

std::string label(const AuditGrid& grid) {
  std::string text = std::string(level_name(grid.level)) + " " +
                     (grid.code.empty() ? std::string("(no code)") : grid.code);
  if (!grid.name.empty()) text += " '" + grid.name + "'";
  return text;
}

std::string building_label(const Dataset& dataset, std::int32_t b) {
  const Building& building = dataset.buildings[at(b)];
  std::string text = "building " + std::to_string(building.id);
  if (!building.name.empty()) text += " '" + building.name + "'";
  return text;
}

std::string community_label(const Dataset& dataset, std::int32_t c) {
  const Community& community = dataset.communities[at(c)];
  std::string text = "community";
  if (!community.code.empty()) text += " " + community.code;
  if (!community.name.empty()) text += " '" + community.name + "'";
  return text;
}

/// How a line divides the land, as the tessellation decides it (geo/tessellation.cpp cut_of):
/// rivers and rail always, roads of the hard classes; bridges and tunnels do not cut.
bool hard_barrier(const Line& line, const AuditParams& params) {
  if ((line.bridge || line.tunnel) && !params.bridges_cut) return false;
  if (line.geometry.size() < 2) return false;
  switch (line.kind) {
    case LineKind::river:
    case LineKind::rail:
      return true;
    case LineKind::road:
      return params.hard_road_classes.contains(line.cls);
  }
  return false;
}

std::vector<double> piece_areas(const MultiPolygon& polygon) {
  std::vector<double> areas;
  for (const Polygon& p : polygon) areas.push_back(area(p));
  std::sort(areas.begin(), areas.end(), std::greater<>());
  return areas;
}

bool has_polygon(const AuditGrid& grid) {
  return grid.polygon && !grid.polygon->empty() && area(*grid.polygon) > 0.0;
}

const std::vector<std::int32_t>& listed(const AuditGrid& grid) {
  static const std::vector<std::int32_t> none;
  return grid.buildings ? *grid.buildings : none;
}

/// The largest polygon of a polygonal GEOS geometry, for locating a finding inside it.
Point largest_part_point(GeosContext& ctx, const GEOSGeometry* polygonal, int* parts,
                         double min_part_m2) {
  std::vector<GeomPtr> pieces;
  detail::append_polygons(ctx, polygonal, pieces);
  double best = -1.0;
  Point where{kNaN, kNaN};
  int counted = 0;
  for (const GeomPtr& piece : pieces) {
    const double a = geos_area(ctx, piece.get());
    if (a >= min_part_m2) ++counted;
    if (a > best) {
      best = a;
      where = interior_point(ctx, piece.get());
    }
  }
  if (parts) *parts = std::max(counted, pieces.empty() ? 0 : 1);
  return where;
}

/// The stretch [t0, t1] of segment a→b (t from 0 at a to 1 at b) inside `box`, by Liang–Barsky;
/// false when the segment misses the box or only touches it at one point.
bool clip_to_box(const Point& a, const Point& b, const Box& box, double& t0, double& t1) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  t0 = 0.0;
  t1 = 1.0;
  bool inside = true;
  auto clip = [&](double p, double q) {  // p·t <= q
    if (p == 0.0) {
      if (q < 0.0) inside = false;
      return;
    }
    const double t = q / p;
    if (p < 0.0)
      t0 = std::max(t0, t);
    else
      t1 = std::min(t1, t);
  };
  clip(-dx, a.x - box.min_x);
  clip(dx, box.max_x - a.x);
  clip(-dy, a.y - box.min_y);
  clip(dy, box.max_y - a.y);
  return inside && t1 > t0;
}

/// The length of `line` within `box` (a bound of its length within any shape inside the box).
double length_in_box(const LineString& line, const Box& box) {
  double total = 0.0;
  for (std::size_t k = 0; k + 1 < line.size(); ++k) {
    const Point& a = line[k];
    const Point& b = line[k + 1];
    const double dx = b.x - a.x, dy = b.y - a.y;
    double t0 = 0.0, t1 = 1.0;
    if (clip_to_box(a, b, box, t0, t1)) total += (t1 - t0) * std::sqrt(dx * dx + dy * dy);
  }
  return total;
}

/// point_in_polygon over a shape with many vertices (a hard face: hundreds of thousands on a real
/// town held by few hard lines), by horizontal slabs: only edges spanning the point's y can cross
/// its ray, and those of its slab are each tested as point_in_polygon tests them (ray_crosses,
/// the same vertex order), so the answer is point_in_polygon's.
class SlabLocator {
 public:
  explicit SlabLocator(const MultiPolygon& shape) {
    Box box;
    std::size_t total = 0;
    for (std::size_t q = 0; q < shape.size(); ++q) {
      const Polygon& polygon = shape[q];
      rings_.push_back({&polygon.outer, static_cast<std::uint32_t>(q), false});
      for (const Ring& hole : polygon.holes)
        rings_.push_back({&hole, static_cast<std::uint32_t>(q), true});
      for (const Point& v : polygon.outer) box.expand(v);
    }
    for (const RingRef& r : rings_) total += r.ring->size();
    polygons_ = shape.size();
    if (box.empty()) return;
    slabs_ = std::clamp<std::size_t>(total / 4, 1, 1u << 16);
    y0_ = box.min_y;
    h_ = std::max(box.height() / static_cast<double>(slabs_), 1e-9);
    auto slab = [&](double y) {
      const double k = std::floor((y - y0_) / h_);
      return static_cast<std::size_t>(std::clamp(k, 0.0, static_cast<double>(slabs_ - 1)));
    };
    std::vector<std::pair<std::size_t, EdgeRef>> refs;
    for (std::size_t r = 0; r < rings_.size(); ++r) {
      const Ring& ring = *rings_[r].ring;
      if (ring.size() < 3) continue;
      for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const double lo = std::min(ring[i].y, ring[j].y), hi = std::max(ring[i].y, ring[j].y);
        if (!(lo < hi)) continue;  // horizontal: never crossed
        for (std::size_t k = slab(lo), last = slab(hi); k <= last; ++k)
          refs.push_back({k, EdgeRef{static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(i),
                                     static_cast<std::uint32_t>(j)}});
      }
    }
    offset_.assign(slabs_ + 1, 0);
    for (const auto& ref : refs) ++offset_[ref.first + 1];
    for (std::size_t k = 0; k < slabs_; ++k) offset_[k + 1] += offset_[k];
    edges_.resize(refs.size());
    std::vector<std::size_t> next(offset_.begin(), offset_.end() - 1);
    for (const auto& ref : refs) edges_[next[ref.first]++] = ref.second;
  }

  [[nodiscard]] bool contains(const Point& p) const {
    if (slabs_ == 0) return false;
    const double k = std::floor((p.y - y0_) / h_);
    const auto s = static_cast<std::size_t>(std::clamp(k, 0.0, static_cast<double>(slabs_ - 1)));
    std::vector<std::uint32_t> crossed;
    for (std::size_t e = offset_[s]; e < offset_[s + 1]; ++e) {
      const EdgeRef& ref = edges_[e];
      const Ring& ring = *rings_[ref.ring].ring;
      if (ray_crosses(ring[ref.i], ring[ref.j], p)) crossed.push_back(ref.ring);
    }
    std::sort(crossed.begin(), crossed.end());
    // Rings crossed an odd number of times contain p; a polygon contains it when its outer ring
    // does and none of its holes.
    std::vector<char> outer_in(polygons_, 0), hole_in(polygons_, 0);
    for (std::size_t a = 0; a < crossed.size();) {
      std::size_t b = a;
      while (b < crossed.size() && crossed[b] == crossed[a]) ++b;
      if ((b - a) % 2 == 1) {
        const RingRef& r = rings_[crossed[a]];
        (r.hole ? hole_in : outer_in)[r.polygon] = 1;
      }
      a = b;
    }
    for (std::size_t q = 0; q < polygons_; ++q)
      if (outer_in[q] && !hole_in[q]) return true;
    return false;
  }

 private:
  struct RingRef {
    const Ring* ring;
    std::uint32_t polygon;
    bool hole;
  };
  struct EdgeRef {
    std::uint32_t ring, i, j;  // the edge ring[i], ring[j], as point_in_ring pairs them
  };
  std::vector<RingRef> rings_;
  std::size_t polygons_ = 0, slabs_ = 0;
  double y0_ = 0.0, h_ = 1.0;
  std::vector<std::size_t> offset_;
  std::vector<EdgeRef> edges_;
};

/// A bound from above on the length of `line` inside the closed `polygon` (no GEOS): each segment,
/// clipped to the polygon's box, is cut where it meets an edge of the polygon (touching and
/// collinear meetings cut it too), and a part counts whole when its middle is inside the polygon
/// or within 1 µm of an edge, plus a millimetre and a millionth for rounding. Cheaper and far
/// tighter than the box's bound for lines that run along a grid or pass its corner.
class InsideLength {
 public:
  explicit InsideLength(const MultiPolygon& polygon) : polygon_(polygon), box_(bounds(polygon)) {
    collect_ring_edges(polygon, edges_, boxes_);
    index_ = BoxIndex(boxes_);
  }

  [[nodiscard]] double bound(const LineString& line) const {
    double total = 0.0;
    std::vector<std::int32_t> hits;
    std::vector<double> cuts;
    for (std::size_t k = 0; k + 1 < line.size(); ++k) {
      const Point& a = line[k];
      const Point& b = line[k + 1];
      const double dx = b.x - a.x, dy = b.y - a.y;
      const double length = std::sqrt(dx * dx + dy * dy);
      if (!(length > 0.0)) continue;
      // Liang–Barsky against the box, widened a little so nothing on its edge is lost.
      const double w = 1e-6;
      const Box widened{box_.min_x - w, box_.min_y - w, box_.max_x + w, box_.max_y + w};
      double t0 = 0.0, t1 = 1.0;
      if (!clip_to_box(a, b, widened, t0, t1)) continue;
      const Point pa{a.x + t0 * dx, a.y + t0 * dy}, pb{a.x + t1 * dx, a.y + t1 * dy};
      Box query = segment_box(pa, pb);
      query.min_x -= w;
      query.min_y -= w;
      query.max_x += w;
      query.max_y += w;
      index_.intersecting_unsorted(query, hits);
      cuts.assign({t0, t1});
      for (std::int32_t h : hits) {
        const Point& c = edges_[static_cast<std::size_t>(h)].a;
        const Point& d = edges_[static_cast<std::size_t>(h)].b;
        const double o1 = orient(c, d, a), o2 = orient(c, d, b);
        const double o3 = orient(a, b, c), o4 = orient(a, b, d);
        if ((o1 > 0.0 && o2 > 0.0) || (o1 < 0.0 && o2 < 0.0)) continue;
        if ((o3 > 0.0 && o4 > 0.0) || (o3 < 0.0 && o4 < 0.0)) continue;
        if (o1 != o2) cuts.push_back(o1 / (o1 - o2));
        // Collinear or touching: cut at the edge's ends too.
        for (const Point& e : {c, d})
          cuts.push_back(((e.x - a.x) * dx + (e.y - a.y) * dy) / (length * length));
      }
      for (double& t : cuts) t = std::clamp(t, t0, t1);
      std::sort(cuts.begin(), cuts.end());
      for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
        const double u = cuts[i], v = cuts[i + 1];
        if (!(v > u)) continue;
        const double t = 0.5 * (u + v);
        const Point m{a.x + t * dx, a.y + t * dy};
        if (point_in_polygon(polygon_, m) || near_edge(m)) total += (v - u) * length;
      }
    }
    return total * (1.0 + 1e-6) + 1e-3;
  }

 private:
  struct Edge {
    Point a, b;
  };
  static double orient(const Point& a, const Point& b, const Point& c) {
    return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
  }
  [[nodiscard]] bool near_edge(const Point& m) const {
    constexpr double r = 1e-6;
    std::vector<std::int32_t> hits;
    index_.intersecting_unsorted(Box{m.x - r, m.y - r, m.x + r, m.y + r}, hits);
    for (std::int32_t h : hits) {
      const Edge& e = edges_[static_cast<std::size_t>(h)];
      const double ex = e.b.x - e.a.x, ey = e.b.y - e.a.y;
      const double len2 = ex * ex + ey * ey;
      double t = len2 > 0.0 ? ((m.x - e.a.x) * ex + (m.y - e.a.y) * ey) / len2 : 0.0;
      t = std::clamp(t, 0.0, 1.0);
      const double qx = e.a.x + t * ex - m.x, qy = e.a.y + t * ey - m.y;
      if (qx * qx + qy * qy <= r * r) return true;
    }
    return false;
  }
  const MultiPolygon& polygon_;
  Box box_;
  std::vector<Edge> edges_;
  std::vector<Box> boxes_;
  BoxIndex index_;
};

/// Findings of one grid or container, kept apart per index and merged in order afterwards.
using Findings = std::vector<AuditFinding>;

void append(Findings& into, Findings& from) {
  for (AuditFinding& f : from) into.push_back(std::move(f));
  from.clear();
}

class Auditor {
 public:
  Auditor(const Dataset& dataset, const AuditInput& input, const AuditParams& params,
          Progress& progress)
      : dataset_(dataset), in_(input), params_(params), progress_(progress) {}

  PlanAudit run() {
    out_.large.assign(in_.large.size(), GridAudit{});
    out_.micro.assign(in_.micro.size(), GridAudit{});
    progress_.update("plan audit: polygons", 0.0);
    // The hard faces (one GEOS noding of all hard lines and a face walk, serial) on a thread of
    // their own from the start, beside the stages before the barriers (each spread over the
    // cores): the barriers wait for them only when they are not done by then.
    hard_ = hard_lines();
    if (!hard_.empty())
      faces_done_ = std::async(std::launch::async,
                               [this] { hard_faces(hard_, [this](double f) { walked_ = f; }); });
    collect_members();
    representative_points();  // grids without a polygon are shown at their buildings
    polygons();
    progress_.update("plan audit: buildings", 0.1);
    buildings_outside();
    progress_.update("plan audit: nesting", 0.3);
    nesting();
    progress_.update("plan audit: coverage", 0.45);
    coverage();
    progress_.update("plan audit: barriers", 0.65);
    barriers();
    progress_.update("plan audit: compounds and bounds", 0.9);
    compounds();
    household_bounds();
    for (Findings* f : {&f_polygon_, &f_outside_, &f_nesting_, &f_coverage_, &f_barrier_,
                        &f_compound_, &f_bounds_, &f_failed_})
      append(out_.findings, *f);
    progress_.update("plan audit", 1.0);
    return std::move(out_);
  }

 private:
  const Dataset& dataset_;
  const AuditInput& in_;
  const AuditParams& params_;
  Progress& progress_;
  PlanAudit out_;
  PerThread<GeosContext> contexts_;
  std::vector<Point> building_point_;  // representative point per building (NaN: none)
  std::vector<MultiPolygon> faces_;    // hard faces (hard_faces), metres
  std::unique_ptr<BoxIndex> face_index_;
  std::vector<double> face_area_;                         // per face
  std::vector<std::unique_ptr<SlabLocator>> face_slabs_;  // per face with many vertices, else null
  /// The barrier rule's grids (GRIDPLAN_AUDIT_STATS): joined without GEOS, cut by GEOS.
  mutable std::atomic<std::size_t> joined_by_sight_{0}, cut_by_geos_{0};
  Findings f_polygon_, f_outside_, f_nesting_, f_coverage_, f_barrier_, f_compound_, f_bounds_,
      f_failed_;
  std::vector<std::int32_t> hard_;    // hard barrier lines (indices into Dataset::lines)
  std::atomic<double> walked_{-1.0};  // the face walk's fraction done (-1: noding)
  std::future<void> faces_done_;      // hard_faces, started first (joined before what it uses goes)

  /// The buildings of a grid: by the building → grid maps when the plan gives them (what an
  /// exported plan records per building: one large and one micro grid), else the grid's list.
  /// A building split by units belongs to the grid it is filed under (its roster).
  std::vector<std::vector<std::int32_t>> large_members_, micro_members_;
  /// (level, grid, building) → the point of the building's run in that grid (split buildings).
  std::map<std::tuple<GridLevel, std::int32_t, std::int32_t>, Point> run_point_;

  void collect_members() {
    auto collect = [&](const std::vector<std::int32_t>& map, const std::vector<AuditGrid>& grids,
                       std::vector<std::vector<std::int32_t>>& members) {
      members.assign(grids.size(), {});
      if (std::none_of(map.begin(), map.end(), [](std::int32_t g) { return g != kNone; })) {
        for (std::size_t g = 0; g < grids.size(); ++g) members[g] = listed(grids[g]);
        return;
      }
      for (std::size_t b = 0; b < map.size() && b < dataset_.buildings.size(); ++b)
        if (map[b] != kNone && at(map[b]) < grids.size())
          members[at(map[b])].push_back(static_cast<std::int32_t>(b));
    };
    collect(in_.building_large, in_.large, large_members_);
    collect(in_.building_micro, in_.micro, micro_members_);
    if (in_.runs.empty()) return;
    // Buildings split by units belong to the grids of their runs, each at the run's point.
    std::set<std::int32_t> split;
    for (const AuditRun& r : in_.runs) split.insert(r.building);
    for (auto* lists : {&large_members_, &micro_members_})
      for (std::vector<std::int32_t>& list : *lists)
        std::erase_if(list, [&](std::int32_t b) { return split.contains(b); });
    for (const AuditRun& r : in_.runs) {
      for (const auto& [level, g] :
           {std::pair{GridLevel::large, r.large}, std::pair{GridLevel::micro, r.micro}}) {
        auto& lists = level == GridLevel::large ? large_members_ : micro_members_;
        if (g == kNone || at(g) >= lists.size()) continue;
        std::vector<std::int32_t>& list = lists[at(g)];
        const auto [it, fresh] = run_point_.try_emplace({level, g, r.building}, r.point);
        if (fresh) list.insert(std::lower_bound(list.begin(), list.end(), r.building), r.building);
      }
    }
  }

  /// Where building `b` lies in grid `g` of `level`: its run's point when it is split by units
  /// and the run gives one, else its representative point.
  Point member_point(GridLevel level, std::size_t g, std::int32_t b) const {
    if (!run_point_.empty()) {
      const auto it = run_point_.find({level, static_cast<std::int32_t>(g), b});
      if (it != run_point_.end() && std::isfinite(it->second.x)) return it->second;
    }
    return building_point_[at(b)];
  }

  const std::vector<std::int32_t>& members(const AuditGrid& g) const {
    if (g.level == GridLevel::large)
      return large_members_[at(static_cast<std::int32_t>(&g - in_.large.data()))];
    return micro_members_[at(static_cast<std::int32_t>(&g - in_.micro.data()))];
  }

  const AuditGrid& grid(GridLevel level, std::size_t i) const {
    return level == GridLevel::large ? in_.large[i] : in_.micro[i];
  }
  GridAudit& result(GridLevel level, std::size_t i) {
    return level == GridLevel::large ? out_.large[i] : out_.micro[i];
  }

  AuditFinding finding(std::string rule, const AuditGrid& g, Point where, double value,
                       std::string message, AuditSeverity severity = AuditSeverity::broken) const {
    AuditFinding f;
    f.rule = std::move(rule);
    f.severity = severity;
    f.level = g.level;
    f.grid = g.code;
    f.where = where;
    f.value = value;
    f.message = std::move(message);
    return f;
  }

  AuditFinding failed(const AuditGrid& g, const std::string& what, const std::exception& e) const {
    return finding("geometry-failed", g, anchor_without_geos(g), 0.0,
                   label(g) + ": " + what + " could not be checked: " + e.what() +
                       " (repair the polygon in a GIS and check again)");
  }

  /// A point to show a grid at without GEOS: the centroid of its largest piece, else of its
  /// buildings' points.
  Point anchor_without_geos(const AuditGrid& g) const {
    if (g.polygon && !g.polygon->empty()) {
      const Polygon* largest = &g.polygon->front();
      for (const Polygon& p : *g.polygon)
        if (area(p) > area(*largest)) largest = &p;
      return centroid(MultiPolygon{*largest});
    }
    double x = 0.0, y = 0.0;
    int n = 0;
    for (std::int32_t b : members(g))
      if (at(b) < building_point_.size() && std::isfinite(building_point_[at(b)].x)) {
        x += building_point_[at(b)].x;
        y += building_point_[at(b)].y;
        ++n;
      }
    return n > 0 ? Point{x / n, y / n} : Point{kNaN, kNaN};
  }

  Point anchor(GeosContext& ctx, const AuditGrid& g) const {
    if (!has_polygon(g)) return anchor_without_geos(g);
    GeomPtr polygon = to_geos(ctx, *g.polygon);
    return largest_part_point(ctx, polygon.get(), nullptr, 0.0);
  }

  // ---- grids without a polygon, in pieces, with crumbs ---------------------------------------
  void polygons() {
    for (GridLevel level : {GridLevel::large, GridLevel::micro}) {
      const std::size_t n = level == GridLevel::large ? in_.large.size() : in_.micro.size();
      for (std::size_t i = 0; i < n; ++i) {
        const AuditGrid& g = grid(level, i);
        GridAudit& r = result(level, i);
        if (!has_polygon(g)) {
          ++out_.counts.grids_without_polygon;
          f_polygon_.push_back(
              finding("grid-without-polygon", g, anchor_without_geos(g), 0.0,
                      label(g) + " has no polygon" +
                          (members(g).empty() ? std::string()
                                              : " (it holds " + std::to_string(members(g).size()) +
                                                    " buildings; shown at them)")));
          continue;
        }
        const std::vector<double> areas = piece_areas(*g.polygon);
        const double threshold =
            areas.empty() ? 0.0
                          : std::min(params_.piece_min_m2, params_.piece_min_share * areas[0]);
        r.pieces = static_cast<int>(
            std::count_if(areas.begin(), areas.end(), [&](double a) { return a >= threshold; }));
        if (areas.size() < 2) continue;
        // Locate the second-largest piece (the first real piece or crumb beside the main one).
        const Polygon* second = nullptr;
        for (const Polygon& p : *g.polygon)
          if (area(p) == areas[1]) {
            second = &p;
            break;
          }
        const Point where = second ? centroid(MultiPolygon{*second}) : anchor_without_geos(g);
        if (areas[1] >= threshold) {
          r.in_pieces = true;
          ++(level == GridLevel::large ? out_.counts.large_in_pieces : out_.counts.micro_in_pieces);
          f_polygon_.push_back(
              finding("grid-in-pieces", g, where, static_cast<double>(r.pieces),
                      label(g) + " is in " + std::to_string(r.pieces) + " pieces (largest " +
                          fixed(areas[0]) + " m², second " + fixed(areas[1]) +
                          " m², shown at the second); a grid must be one polygon"));
        } else {
          r.crumbs = true;
          ++out_.counts.grids_with_crumbs;
          double crumbs = 0.0;
          for (std::size_t k = 1; k < areas.size(); ++k) crumbs += areas[k];
          f_polygon_.push_back(finding("grid-crumbs", g, where, crumbs,
                                       label(g) + " carries " + std::to_string(areas.size() - 1) +
                                           " sliver crumb(s) beside its main piece (" +
                                           fixed(crumbs, 2) + " m² in all, below " +
                                           fixed(threshold) + " m² each)"));
        }
      }
    }
  }

  // ---- buildings ------------------------------------------------------------------------------
  void representative_points() {
    const std::size_t n = dataset_.buildings.size();
    building_point_.assign(n, Point{kNaN, kNaN});
    // A building overlapped by smaller footprints (a podium under its tower) is placed by its
    // own part, as the plan places it and the buildings layer writes it (own_footprint.hpp).
    // Given by the caller (the run computed them once), else computed here in chunks: on a
    // 100k-building town they take seconds, the first part of this stage (fraction 0–0.06).
    std::shared_ptr<const std::vector<MultiPolygon>> own_parts = in_.own_footprints;
    if ((!own_parts || own_parts->size() != n) && dataset_.settled_footprints())
      own_parts = dataset_.settled->own_parts;  // settled once after validation
    if (!own_parts || own_parts->size() != n) {
      std::vector<const MultiPolygon*> footprints(n);
      for (std::size_t b = 0; b < n; ++b) footprints[b] = &dataset_.buildings[b].footprint;
      own_parts = std::make_shared<const std::vector<MultiPolygon>>(own_footprints_chunked(
          footprints, [&](double done) { progress_.update("plan audit: polygons", 0.06 * done); }));
    }
    out_.own_footprints = own_parts;
    const std::vector<MultiPolygon>& own = *own_parts;
    // Then each building's point (GEOS PointOnSurface): 0.06–0.09, from the workers.
    WorkCounter placed(&progress_, "plan audit: polygons", static_cast<double>(n), 0.06, 0.09);
    parallel_for(std::size_t{0}, n, [&](std::size_t b) {
      placed.add(1.0);
      const MultiPolygon& footprint = own[b].empty() ? dataset_.buildings[b].footprint : own[b];
      if (footprint.empty()) return;
      if (!footprint_has_area(footprint)) {
        building_point_[b] = centroid(footprint);
        return;
      }
      GeosContext& ctx = contexts_.local();
      try {
        GeomPtr g = to_geos(ctx, footprint);
        building_point_[b] = interior_point(ctx, g.get());
      } catch (const GeosError&) {
        building_point_[b] = centroid(footprint);
      }
    });
  }

  void buildings_outside() {
    const std::size_t n = dataset_.buildings.size();
    const std::vector<std::vector<std::int32_t>>& members = micro_members_;
    // Distance of each (micro grid, building) pair, in the order of members: the building's
    // point, or its run's point for a building split by units.
    std::vector<std::vector<double>> distance(in_.micro.size());
    std::vector<Findings> failures(in_.micro.size());
    // Progress in buildings placed, from the workers (one update in 1.09 s at 1M was a silence).
    double listed_total = 0.0;
    for (const std::vector<std::int32_t>& list : members)
      listed_total += static_cast<double>(list.size()) + 1.0;
    WorkCounter placed(&progress_, "plan audit: buildings", listed_total, 0.1, 0.3);
    parallel_for(std::size_t{0}, in_.micro.size(), [&](std::size_t m) {
      const AuditGrid& g = in_.micro[m];
      placed.add(static_cast<double>(members[m].size()) + 1.0);
      distance[m].assign(members[m].size(), std::numeric_limits<double>::infinity());
      if (!has_polygon(g)) return;
      GeosContext& ctx = contexts_.local();
      try {
        GeomPtr polygon = to_geos(ctx, *g.polygon);
        PreparedPtr prepared = detail::prepare(ctx, polygon.get());
        for (std::size_t k = 0; k < members[m].size(); ++k) {
          const Point p = member_point(GridLevel::micro, m, members[m][k]);
          if (!std::isfinite(p.x)) continue;
          GeomPtr point = to_geos(ctx, p);
          const char inside = GEOSPreparedIntersects_r(ctx.handle(), prepared.get(), point.get());
          if (inside == 2) ctx.fail("point in micro grid");
          if (inside == 1) {
            distance[m][k] = 0.0;
            continue;
          }
          double d = 0.0;
          if (GEOSDistance_r(ctx.handle(), polygon.get(), point.get(), &d) == 0)
            ctx.fail("distance to micro grid");
          distance[m][k] = d;
        }
      } catch (const GeosError& e) {
        failures[m].push_back(failed(g, "whether its buildings lie inside it", e));
      }
    });
    for (Findings& f : failures) append(f_failed_, f);
    // A building is outside when it lies in none of the micro grids listing it (a table may list
    // a building under several); a run of a split building when it lies outside its own grid.
    struct Listing {
      std::int32_t micro;
      double distance;
    };
    std::vector<std::vector<Listing>> listing(n);
    for (std::size_t m = 0; m < in_.micro.size(); ++m)
      for (std::size_t k = 0; k < members[m].size(); ++k)
        if (at(members[m][k]) < n)
          listing[at(members[m][k])].push_back({static_cast<std::int32_t>(m), distance[m][k]});
    std::set<std::int32_t> split;
    for (const AuditRun& r : in_.runs) split.insert(r.building);
    for (std::size_t b = 0; b < n; ++b) {
      const Building& building = dataset_.buildings[b];
      const auto bi = static_cast<std::int32_t>(b);
      if (listing[b].empty()) {
        if (building.households <= 0) continue;
        ++out_.counts.buildings_unassigned;
        AuditFinding f;
        f.rule = "building-unassigned";
        f.level = GridLevel::micro;
        f.building = bi;
        f.where = building_point_[b];
        f.value = building.households;
        f.message = building_label(dataset_, bi) + " (" + std::to_string(building.households) +
                    " households) is in no micro grid";
        f_outside_.push_back(std::move(f));
        continue;
      }
      if (!std::isfinite(building_point_[b].x)) continue;  // no footprint: nothing to place
      std::vector<Listing> outside;
      if (split.contains(bi)) {
        for (const Listing& l : listing[b])
          if (l.distance > params_.building_tolerance_m) outside.push_back(l);
      } else {
        Listing nearest = listing[b].front();
        for (const Listing& l : listing[b])
          if (l.distance < nearest.distance) nearest = l;
        if (nearest.distance > params_.building_tolerance_m) {
          // Shown against its own micro grid (the one building_micro names).
          if (b < in_.building_micro.size() && in_.building_micro[b] != kNone)
            nearest.micro = in_.building_micro[b];
          outside.push_back(nearest);
        }
      }
      for (const Listing& l : outside) {
        const AuditGrid& g = in_.micro[at(l.micro)];
        ++out_.counts.buildings_outside;
        ++out_.micro[at(l.micro)].buildings_outside;
        const bool run = split.contains(bi);
        AuditFinding f = finding(
            "building-outside-grid", g, member_point(GridLevel::micro, at(l.micro), bi), l.distance,
            building_label(dataset_, bi) + (run ? " (its run of units in " + label(g) + ")" : "") +
                (std::isfinite(l.distance)
                     ? " lies " + fixed(l.distance) + " m outside its " + label(g)
                     : " is listed by " + label(g) + ", which has no polygon") +
                (!run && listing[b].size() > 1
                     ? " (and the other " + std::to_string(listing[b].size() - 1) +
                           " micro grid(s) listing it)"
                     : ""));
        f.building = bi;
        f_outside_.push_back(std::move(f));
      }
    }
  }

  // ---- micro grids nested in their large grid ------------------------------------------------
  void nesting() {
    std::vector<std::vector<std::int32_t>> children(in_.large.size());
    for (std::size_t m = 0; m < in_.micro.size(); ++m) {
      const std::int32_t p = in_.micro[m].parent;
      if (p == kNone || at(p) >= in_.large.size()) {
        ++out_.counts.micro_not_nested;
        const AuditGrid& g = in_.micro[m];
        f_nesting_.push_back(finding("micro-not-nested", g, anchor_without_geos(g), 0.0,
                                     label(g) + " belongs to no large grid"));
        continue;
      }
      children[at(p)].push_back(static_cast<std::int32_t>(m));
    }
    std::vector<Findings> found(in_.large.size());
    // Progress in large grids checked, from the workers.
    WorkCounter checked(&progress_, "plan audit: nesting", static_cast<double>(in_.large.size()),
                        0.3, 0.45);
    parallel_for(std::size_t{0}, in_.large.size(), [&](std::size_t p) {
      checked.add(1.0);
      if (children[p].empty()) return;
      const AuditGrid& parent = in_.large[p];
      GeosContext& ctx = contexts_.local();
      // A micro grid none of whose edges reaches outside the large grid farther than the
      // tolerance (EdgeReach, no GEOS) lies within the tolerance of it: nothing to measure (a
      // planned town's micro grids share their large grid's edges). The condition holds only
      // for a large grid of one piece without holes near the micro grid (a micro grid could
      // cover a hole, or land enclosed by several pieces, with its edges all near the large
      // grid's). Only the others are measured against the large grid buffered by the tolerance,
      // made when the first of them needs it (the buffer per large grid and the difference per
      // micro grid were the stage's cost: 1.2 s of CPU on the real 100k town).
      GeomPtr reach;
      bool reach_made = false;
      std::unique_ptr<EdgeReach> edges;
      if (has_polygon(parent) && parent.polygon->size() == 1)
        edges = std::make_unique<EdgeReach>(*parent.polygon, params_.nesting_tolerance_m);
      auto within_reach = [&](const MultiPolygon& shape) {
        if (!edges) return false;
        const Box box = bounds(shape);
        for (const Ring& hole : parent.polygon->front().holes) {
          Box hb;
          for (const Point& q : hole) hb.expand(q);
          if (!(hb.min_x > box.max_x || hb.max_x < box.min_x || hb.min_y > box.max_y ||
                hb.max_y < box.min_y))
            return false;
        }
        for (const Polygon& piece : shape) {
          if (edges->beyond(piece.outer, false)) return false;
          for (const Ring& hole : piece.holes)
            if (edges->beyond(hole, false)) return false;
        }
        return true;
      };
      auto make_reach = [&] {
        if (reach_made) return;
        reach_made = true;
        if (!has_polygon(parent)) return;
        GeomPtr polygon = to_geos(ctx, *parent.polygon);
        reach = own(ctx, GEOSBuffer_r(ctx.handle(), polygon.get(), params_.nesting_tolerance_m, 2),
                    "buffering a large grid");
      };
      for (std::int32_t m : children[p]) {
        const AuditGrid& g = in_.micro[at(m)];
        if (!has_polygon(g)) continue;  // reported as grid-without-polygon
        if (within_reach(*g.polygon)) continue;
        GeomPtr shape;
        try {
          make_reach();
        } catch (const GeosError& e) {
          found[p].push_back(failed(parent, "whether its micro grids nest in it", e));
          return;
        }
        try {
          if (!shape) shape = to_geos(ctx, *g.polygon);
          if (!reach) {
            found[p].push_back(
                finding("micro-not-nested", g, anchor(ctx, g), area(*g.polygon),
                        label(g) + " lies in " + label(parent) + ", which has no polygon"));
            continue;
          }
          GeomPtr outside = own(ctx, GEOSDifference_r(ctx.handle(), shape.get(), reach.get()),
                                "micro grid minus its large grid");
          const double a = geos_area(ctx, outside.get());
          if (a <= params_.nesting_min_m2) continue;
          found[p].push_back(
              finding("micro-not-nested", g, largest_part_point(ctx, outside.get(), nullptr, 0.0),
                      a, label(g) + " reaches " + fixed(a) + " m² outside its " + label(parent)));
        } catch (const GeosError& e) {
          found[p].push_back(failed(g, "whether it nests in its large grid", e));
        }
      }
    });
    for (Findings& f : found) {
      out_.counts.micro_not_nested += static_cast<int>(std::count_if(
          f.begin(), f.end(), [](const AuditFinding& x) { return x.rule == "micro-not-nested"; }));
      append(f_nesting_, f);
    }
  }

  // ---- coverage: gaps, overlaps, grids outside their container -------------------------------
  /// The community of each large grid: as given, else the community its polygon overlaps most.
  std::vector<std::int32_t> large_communities() {
    std::vector<std::int32_t> community(in_.large.size(), kNone);
    std::vector<Box> boxes;
    for (const Community& c : dataset_.communities) boxes.push_back(bounds(c.footprint));
    const BoxIndex index(boxes);
    // Progress per grid: a plan without community codes (`gridplan check PLAN` alone) takes an
    // intersection with its community per grid, 10.5 s without an update on the real 100k town.
    WorkCounter assigned(&progress_, "plan audit: coverage",
                         std::max(1.0, static_cast<double>(in_.large.size())), 0.45, 0.47);
    parallel_for(std::size_t{0}, in_.large.size(), [&](std::size_t g) {
      const AuditGrid& grid = in_.large[g];
      community[g] = grid.community;
      assigned.add();
      if (community[g] != kNone || !has_polygon(grid)) return;
      GeosContext& ctx = contexts_.local();
      try {
        GeomPtr polygon = to_geos(ctx, *grid.polygon);
        double best = 0.0;
        for (std::int32_t c : index.intersecting(bounds(*grid.polygon))) {
          GeomPtr other = to_geos(ctx, dataset_.communities[at(c)].footprint);
          GeomPtr common = own(ctx, GEOSIntersection_r(ctx.handle(), polygon.get(), other.get()),
                               "grid ∩ community");
          const double a = geos_area(ctx, common.get());
          if (a > best) {
            best = a;
            community[g] = c;
          }
        }
      } catch (const GeosError&) {
        // Left without a community: its coverage is not checked (the polygon itself is
        // reported by the other rules).
      }
    });
    return community;
  }

  struct ContainerResult {
    Findings findings;
    double gap_m2 = 0.0;
    double overlap_m2 = 0.0;
    int gaps = 0, overlaps = 0, outside = 0;
    std::size_t edges = 0, unmatched = 0, left = 0, tiles = 0, overlaid = 0;  // the stats line
    double seconds = 0.0;  // wall, of the check's geometry (GRIDPLAN_UNION_STATS)
  };

  /// Gaps, overlaps and reach outside of `children` (grids of `level`) in one container polygon.
  /// `tick(units)` reports work done inside a large container (units: its children; the
  /// caller reports the rest when it returns).
  ContainerResult check_container(GeosContext& ctx, const MultiPolygon& container,
                                  const std::string& container_label,
                                  const std::string& container_code, GridLevel level,
                                  const std::vector<std::int32_t>& children,
                                  const std::function<void(double)>& tick) {
    ContainerResult r;
    const double container_area = area(container);
    const double noise =
        std::max(params_.coverage_min_m2, params_.coverage_min_share * container_area);
    std::vector<const AuditGrid*> grids;
    std::vector<Box> boxes;
    for (std::int32_t i : children) {
      const AuditGrid& g = grid(level, at(i));
      if (!has_polygon(g)) continue;
      grids.push_back(&g);
      boxes.push_back(bounds(*g.polygon));
    }
    if (grids.empty()) return r;
    const char* what = level == GridLevel::large ? "large grid" : "micro grid";
    // Gap, overlap and reach outside by the grids' edges (geo/coverage_check.hpp): where they
    // match, as a planned town's do, nothing is overlaid; only the tiles around unmatched edges
    // (a gap, an overlap, grids rounded on their own, a hand-drawn plan's seams) are, each on
    // a few dozen grids, with the progress ticked between them. It was one union of the
    // container's grids and a difference in strips: with one community holding the real 100k
    // town the longest silence left in the audit (0.61 s).
    std::vector<const MultiPolygon*> shapes;
    for (const AuditGrid* g : grids) shapes.push_back(g->polygon);
    const CoverageCheckParams check_params{.keep_geometry = true};
    const auto started = std::chrono::steady_clock::now();
    const CoverageCheck check =
        coverage_by_union_requested()
            ? check_coverage_by_union(container, shapes, check_params)
            : check_coverage(container, shapes, check_params, [&](double units) { tick(units); });
    r.edges = check.edges;
    r.unmatched = check.unmatched;
    r.left = check.unmatched_after_t_junctions;
    r.tiles = check.tiles;
    r.overlaid = check.overlaid_tiles;
    // Overlaps: pair by pair to locate them (candidates from an R-tree over the grids' boxes),
    // only when their total is above the noise and only among the grids near unmatched edges
    // (every overlap lies there).
    r.overlap_m2 = check.overlap_m2;
    if (r.overlap_m2 > noise) {
      std::vector<Box> local_boxes(grids.size());  // empty boxes: not near an unmatched edge
      for (std::int32_t k : check.local_polygons) local_boxes[at(k)] = boxes[at(k)];
      const BoxIndex index(local_boxes);
      for (std::int32_t i32 : check.local_polygons) {
        const auto i = at(i32);
        for (std::int32_t j32 : index.intersecting(boxes[i])) {
          const auto j = at(j32);
          if (j <= i) continue;
          const GeomPtr gi = to_geos(ctx, *grids[i]->polygon);
          const GeomPtr gj = to_geos(ctx, *grids[j]->polygon);
          GeomPtr common = own(ctx, GEOSIntersection_r(ctx.handle(), gi.get(), gj.get()),
                               "overlap of two grids");
          const double a = geos_area(ctx, common.get());
          if (a <= noise) continue;
          ++r.overlaps;
          AuditFinding f = finding("coverage-overlap", *grids[i],
                                   largest_part_point(ctx, common.get(), nullptr, 0.0), a,
                                   label(*grids[i]) + " and " + label(*grids[j]) + " overlap by " +
                                       fixed(a) + " m² (in " + container_label + ")");
          f.other_grid = grids[j]->code;
          r.findings.push_back(std::move(f));
        }
      }
    }
    // The gap and the reach outside come in pieces cut at the tiles' lines: merged again (only
    // they) for the count of areas and the place shown.
    auto merged = [&](const MultiPolygon& pieces) {
      std::vector<GeomPtr> parts;
      for (const Polygon& p : pieces) parts.push_back(to_geos(ctx, p));
      GeomPtr all = detail::make_collection(ctx, GEOS_GEOMETRYCOLLECTION, parts);
      return own(ctx, GEOSUnaryUnion_r(ctx.handle(), all.get()), "pieces of a gap");
    };
    // One finding for an area of the container left uncovered or reached outside of.
    auto area_finding = [&](const char* rule, const MultiPolygon& pieces, double m2,
                            const std::string& what_happens) {
      int parts = 0;
      const GeomPtr area = merged(pieces);
      AuditFinding f;
      f.rule = rule;
      f.level = level;
      f.grid = container_code;
      f.where = largest_part_point(ctx, area.get(), &parts, noise);
      f.value = m2;
      f.message = container_label + ": " + what_happens + " (" + std::to_string(parts) +
                  " area(s); shown at the largest)";
      r.findings.push_back(std::move(f));
    };
    r.gap_m2 = check.gap_m2;
    if (check.gap_m2 > noise) {
      ++r.gaps;
      area_finding("coverage-gap", check.gap, check.gap_m2,
                   fixed(check.gap_m2) + " m² covered by no " + what);
    }
    // The reach outside (large grids only: micro grids reaching out are micro-not-nested).
    if (level == GridLevel::large && check.outside_m2 > noise) {
      ++r.outside;
      area_finding(
          "coverage-outside", check.outside, check.outside_m2,
          std::string("its ") + what + "s reach " + fixed(check.outside_m2) + " m² outside it");
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return r;
  }

  void coverage() {
    // The containers: each community holding large grids (unless communities are not real),
    // then each large grid holding micro grids. One loop checks them all.
    struct Container {
      const MultiPolygon* polygon;
      std::string label, code;
      GridLevel level;  // of the children
      std::vector<std::int32_t> children;
      const AuditGrid* grid;  // the large grid, for micro-grid containers
    };
    std::vector<Container> containers;
    if (params_.check_community_coverage) {
      const std::vector<std::int32_t> community = large_communities();
      std::vector<std::vector<std::int32_t>> by_community(dataset_.communities.size());
      for (std::size_t g = 0; g < in_.large.size(); ++g)
        if (community[g] != kNone && at(community[g]) < by_community.size())
          by_community[at(community[g])].push_back(static_cast<std::int32_t>(g));
      for (std::size_t c = 0; c < by_community.size(); ++c)
        if (!by_community[c].empty())
          containers.push_back({&dataset_.communities[c].footprint,
                                community_label(dataset_, static_cast<std::int32_t>(c)),
                                dataset_.communities[c].code, GridLevel::large,
                                std::move(by_community[c]), nullptr});
    }
    const std::size_t communities = containers.size();
    std::vector<std::vector<std::int32_t>> children(in_.large.size());
    for (std::size_t m = 0; m < in_.micro.size(); ++m)
      if (in_.micro[m].parent != kNone && at(in_.micro[m].parent) < in_.large.size())
        children[at(in_.micro[m].parent)].push_back(static_cast<std::int32_t>(m));
    for (std::size_t g = 0; g < in_.large.size(); ++g)
      if (!children[g].empty() && has_polygon(in_.large[g]))
        containers.push_back({in_.large[g].polygon, label(in_.large[g]), in_.large[g].code,
                              GridLevel::micro, std::move(children[g]), &in_.large[g]});
    std::vector<ContainerResult> results(containers.size());
    // Progress in grids checked (a container's children, when it is done), from the workers.
    double children_total = 0.0;
    for (const Container& c : containers) children_total += static_cast<double>(c.children.size());
    WorkCounter checked(&progress_, "plan audit: coverage", children_total, 0.47, 0.65);
    parallel_for(std::size_t{0}, containers.size(), [&](std::size_t k) {
      const Container& c = containers[k];
      GeosContext& ctx = contexts_.local();
      double reported = 0.0;  // of c's children, reported from inside check_container
      auto tick = [&](double units) {
        checked.add(units);
        reported += units;
      };
      try {
        results[k] = check_container(ctx, *c.polygon, c.label, c.code, c.level, c.children, tick);
      } catch (const GeosError& e) {
        if (c.grid) {
          results[k].findings.push_back(failed(*c.grid, "coverage by its micro grids", e));
        } else {
          AuditFinding f;
          f.rule = "geometry-failed";
          f.grid = c.code;
          f.where = centroid(*c.polygon);
          f.message = c.label + ": coverage could not be checked: " + e.what();
          results[k].findings.push_back(std::move(f));
        }
      }
      checked.add(static_cast<double>(c.children.size()) - reported);
    });
    if (std::getenv("GRIDPLAN_UNION_STATS") != nullptr) {
      std::size_t edges = 0, unmatched = 0, left = 0, tiles = 0, overlaid = 0;
      double seconds = 0.0, community_seconds = 0.0;
      for (std::size_t k = 0; k < results.size(); ++k) {
        const ContainerResult& r = results[k];
        edges += r.edges;
        unmatched += r.unmatched;
        left += r.left;
        tiles += r.tiles;
        overlaid += r.overlaid;
        seconds += r.seconds;
        if (k < communities) community_seconds += r.seconds;
      }
      std::fprintf(stderr,
                   "union stats: plan audit coverage done: %zu containers (%zu communities), "
                   "%zu edges, %zu unmatched, %zu left after seams, %zu of %zu tiles overlaid; "
                   "%.2f s in the checks (%.2f s communities)\n",
                   results.size(), communities, edges, unmatched, left, overlaid, tiles, seconds,
                   community_seconds);
    }
    for (std::size_t k = 0; k < results.size(); ++k) {
      ContainerResult& r = results[k];
      if (k < communities) {  // the plan's coverage figures are those of the communities
        out_.counts.coverage_gap_m2 += r.gap_m2;
        out_.counts.coverage_overlap_m2 += r.overlap_m2;
      }
      out_.counts.coverage_gaps += r.gaps;
      out_.counts.coverage_overlaps += r.overlaps;
      out_.counts.coverage_outside += r.outside;
      append(f_coverage_, r.findings);
    }
  }

  // ---- hard barriers crossed by geometry -----------------------------------------------------
  std::vector<std::int32_t> hard_lines() const {
    std::vector<std::int32_t> hard;
    for (std::size_t i = 0; i < dataset_.lines.size(); ++i)
      if (hard_barrier(dataset_.lines[i], params_)) hard.push_back(static_cast<std::int32_t>(i));
    return hard;
  }

  void barriers() {
    const std::vector<std::int32_t>& hard = hard_;
    if (hard.empty()) return;
    std::vector<Box> boxes;
    for (std::int32_t l : hard) boxes.push_back(bounds(dataset_.lines[at(l)].geometry));
    const BoxIndex index(boxes);
    const std::size_t total = in_.large.size() + in_.micro.size();
    std::vector<Findings> found(total);
    // The hard faces first (the land as the hard lines divide it: one noding of all of them by
    // GEOS, single-threaded, then the tessellation's own face walk), on a thread of their own
    // started with the audit (run): while they are not done this one reports: the noding has no
    // progress of its own, so the fraction rises towards 0.67 as time passes, by a guess of its
    // duration from the hard lines' vertices; the face walk reports its own (0.67–0.7).
    {
      double vertices = 0.0;
      for (std::int32_t l : hard)
        vertices += static_cast<double>(dataset_.lines[at(l)].geometry.size());
      const double guess_s = std::max(0.2, 2e-6 * vertices);
      std::future<void>& faces = faces_done_;
      const double t0 = progress_.now();
      while (faces.wait_for(std::chrono::milliseconds(200)) != std::future_status::ready) {
        const double w = walked_.load();
        progress_.update("plan audit: barriers",
                         w >= 0.0
                             ? 0.67 + 0.03 * std::min(1.0, w)
                             : 0.65 + 0.02 * (1.0 - std::exp(-(progress_.now() - t0) / guess_s)));
      }
      faces.get();
    }
    progress_.update("plan audit: barriers", 0.7);
    // Progress in grids checked, from the workers.
    WorkCounter checked(&progress_, "plan audit: barriers", static_cast<double>(total), 0.7, 0.9);
    parallel_for(std::size_t{0}, total, [&](std::size_t k) {
      checked.add(1.0);
      const GridLevel level = k < in_.large.size() ? GridLevel::large : GridLevel::micro;
      const std::size_t i = level == GridLevel::large ? k : k - in_.large.size();
      const AuditGrid& g = grid(level, i);
      if (!has_polygon(g)) return;
      const std::vector<std::int32_t> candidates = index.intersecting(bounds(*g.polygon));
      if (candidates.empty()) return;
      GeosContext& ctx = contexts_.local();
      try {
        found[k] = crossing(ctx, g, result(level, i), hard, candidates);
      } catch (const GeosError& e) {
        found[k].push_back(failed(g, "whether a hard barrier crosses it", e));
      }
    });
    tally(found);
    if (std::getenv("GRIDPLAN_AUDIT_STATS") != nullptr)
      std::fprintf(stderr,
                   "audit stats: barriers: %zu grids joined clear of the lines, %zu cut by GEOS, "
                   "%zu findings\n",
                   joined_by_sight_.load(), cut_by_geos_.load(), f_barrier_.size());
  }

  void tally(std::vector<Findings>& found) {
    const std::size_t total = found.size();
    for (std::size_t k = 0; k < total; ++k) {
      for (const AuditFinding& f : found[k]) {
        if (f.rule == "barrier-through") ++out_.counts.barriers_through;
        if (f.rule != "barrier-crossed") continue;
        if (f.severity == AuditSeverity::allowed)
          ++out_.counts.crossings_allowed;
        else
          ++(f.level == GridLevel::large ? out_.counts.large_crossing_barrier
                                         : out_.counts.micro_crossing_barrier);
      }
      append(f_barrier_, found[k]);
    }
  }

  // The land as the hard barriers divide it, the way the tessellation cuts it
  // (geo/tessellation_blocks.cpp: hard lines, water areas and community boundaries, noded and
  // polygonized into faces). A hard line that ends inside the land (a dead end, a road that
  // stops at a bridge or a tunnel, a gap in the data) closes off no face: the two sides of it
  // are one face, joined around its end, and the partition may join them (Crossing::soft).
  void hard_faces(const std::vector<std::int32_t>& hard,
                  const std::function<void(double)>& walked) {
    GeosContext& ctx = contexts_.local();
    std::vector<GeomPtr> linework;
    for (std::int32_t l : hard) linework.push_back(to_geos(ctx, dataset_.lines[at(l)].geometry));
    auto boundary_of = [&](const MultiPolygon& shape) {
      if (shape.empty()) return;
      GeomPtr geometry = to_geos(ctx, shape);
      GeomPtr boundary = own(ctx, GEOSBoundary_r(ctx.handle(), geometry.get()), "boundary");
      detail::append_lines(ctx, boundary.get(), linework);
    };
    for (const WaterArea& w : dataset_.water) boundary_of(w.footprint);
    for (const Community& c : dataset_.communities) boundary_of(c.footprint);
    GeomPtr noded = detail::node_lines(ctx, linework, 0.0);
    linework.clear();
    walked(0.0);
    std::vector<Box> boxes;
    // The faces by the tessellation's face walk (tessellation_faces.hpp: GEOS's polygonizer's
    // faces, dangles and cut edges dropped, holes in the face around them, with progress); by
    // GEOS's polygonizer when the walk finds the noded linework not noded (never seen).
    std::vector<detail::Segment> segments;
    detail::append_segments(ctx, noded.get(), segments);
    std::vector<Polygon> walked_faces;
    if (detail::polygonize_segments(std::move(segments), walked_faces, walked)) {
      for (Polygon& face : walked_faces) {
        MultiPolygon shape{std::move(face)};
        boxes.push_back(bounds(shape));
        faces_.push_back(std::move(shape));
      }
    } else {
      for (const GeomPtr& face : detail::polygonize(ctx, noded.get())) {
        MultiPolygon shape = to_multipolygon(ctx, face.get());
        if (shape.empty()) continue;
        boxes.push_back(bounds(shape));
        faces_.push_back(std::move(shape));
      }
    }
    face_index_ = std::make_unique<BoxIndex>(boxes);
    // face_of's areas and, for faces with many vertices, their slabs (it was a point-in-polygon
    // test and an area over every vertex of the face per building: 0.4 s of CPU on the real
    // 100k town, whose faces are large).
    constexpr std::size_t kSlabsFrom = 64;
    face_area_.resize(faces_.size());
    face_slabs_.resize(faces_.size());
    for (std::size_t f = 0; f < faces_.size(); ++f) {
      face_area_[f] = area(faces_[f]);
      std::size_t vertices = 0;
      for (const Polygon& p : faces_[f]) {
        vertices += p.outer.size();
        for (const Ring& hole : p.holes) vertices += hole.size();
      }
      if (vertices >= kSlabsFrom) face_slabs_[f] = std::make_unique<SlabLocator>(faces_[f]);
    }
  }

  /// The hard face holding `p` (the smallest, faces nest where a face fills another's hole in
  /// GEOS's polygonizer output), -1 outside every face (beyond the communities).
  [[nodiscard]] std::int32_t face_of(const Point& p) const {
    if (!face_index_) return -1;
    std::int32_t best = -1;
    double best_area = 0.0;
    for (std::int32_t f : face_index_->intersecting(Box{p.x, p.y, p.x, p.y})) {
      const bool in =
          face_slabs_[at(f)] ? face_slabs_[at(f)]->contains(p) : point_in_polygon(faces_[at(f)], p);
      if (!in) continue;
      const double a = face_area_[at(f)];
      if (best < 0 || a < best_area) {
        best = f;
        best_area = a;
      }
    }
    return best;
  }

  Findings crossing(GeosContext& ctx, const AuditGrid& g, GridAudit& r,
                    const std::vector<std::int32_t>& hard,
                    const std::vector<std::int32_t>& candidates) const {
    Findings found;
    // Only a grid a hard line passes through, beyond the tolerance, can be cut into sides
    // (line_inside_beyond, no GEOS): a line along its edge, touching a vertex or cutting a
    // corner by less leaves one side. Grids in several pieces are cut as before (their pieces
    // are sides already).
    std::vector<const LineString*> lines;
    lines.reserve(candidates.size());
    for (std::int32_t c : candidates) lines.push_back(&dataset_.lines[at(hard[at(c)])].geometry);
    if (g.polygon->size() == 1 &&
        !line_inside_beyond(*g.polygon, lines, std::max(params_.barrier_tolerance_m, 1e-6)))
      return found;
    const std::size_t gi = static_cast<std::size_t>(
        g.level == GridLevel::large ? &g - in_.large.data() : &g - in_.micro.data());
    // A grid whose buildings are joined by straight paths inside it clear of the lines
    // (points_joined_clear_of, no GEOS) has them in one piece however the lines cut it: no
    // side holds them apart, no finding. `clear` is wider than the strip cut below (a GEOS
    // buffer of the lines: its arcs lie inside the circle, its simplification of the lines moves
    // it by a hundredth of its width) and `margin` keeps the paths off the grid's edges. Most
    // grids a hard line passes through are these: a dead-end road, a line cutting off a corner
    // or a strip without buildings (on the real 100k town, ~N of ~M).
    {
      const double strip = std::max(params_.barrier_tolerance_m, 1e-6);
      std::vector<Point> points;
      points.reserve(members(g).size());
      for (std::int32_t b : members(g)) points.push_back(member_point(g.level, gi, b));
      if (points_joined_clear_of(*g.polygon, lines, points, 1.05 * strip + 1e-3, 1e-4)) {
        ++joined_by_sight_;
        return found;
      }
    }
    ++cut_by_geos_;
    GeomPtr polygon = to_geos(ctx, *g.polygon);
    // Which candidate lines come near the grid: a prepared polygon's tests, not an overlay of
    // all of them with it (that intersection was 41 % of this check's CPU on the real 100k town,
    // and only its emptiness was used). A line meeting the grid makes it worth cutting; a line
    // within `reach` of it widens the strip that is no side (below), one farther away cannot.
    PreparedPtr prepared = detail::prepare(ctx, polygon.get());
    const double reach = 2.0 * params_.barrier_tolerance_m;
    std::vector<std::int32_t> meeting;  // the candidates meeting the grid, in their order
    std::vector<GeomPtr> close;         // the hard lines within `reach` of the grid
    for (std::int32_t c : candidates) {
      GeomPtr line = to_geos(ctx, dataset_.lines[at(hard[at(c)])].geometry);
      const char hit = GEOSPreparedIntersects_r(ctx.handle(), prepared.get(), line.get());
      if (hit == 2) ctx.fail("barrier meets grid");
      if (hit == 1) {
        meeting.push_back(c);
      } else {
        const char within =
            GEOSPreparedDistanceWithin_r(ctx.handle(), prepared.get(), line.get(), reach);
        if (within == 2) ctx.fail("barrier near grid");
        if (within == 0) continue;
      }
      close.push_back(std::move(line));
    }
    if (meeting.empty()) return found;
    // Cut the grid by the barriers, widened by `barrier_tolerance_m` on each side: the grid's
    // polygon minus that strip falls into the sides. The tolerance makes the figure a property of
    // the plan, not of the last bits of its coordinates (metres, working CRS): a grid edge drawn
    // along a hard road lies on the road in memory but a few nanometres off it once written to
    // WGS84 and read back, so a road ending at the edge (a T junction on the road the edge
    // follows) cut the grid in one and dangled inside it in the other, and a road along the
    // edge wavered across it. Within the tolerance a line reaches the edge (it divides) and a
    // line along the edge cuts off only a strip narrower than it (no side). Pieces too small to
    // hold anything are slivers along a barrier on (or near) the grid's edge.
    const Box box = bounds(*g.polygon);
    std::vector<GeomPtr> near;
    for (const GeomPtr& line : close) {
      GeomPtr clipped =
          own(ctx,
              GEOSClipByRect_r(ctx.handle(), line.get(), box.min_x - reach, box.min_y - reach,
                               box.max_x + reach, box.max_y + reach),
              "barrier near the grid");
      if (GEOSisEmpty_r(ctx.handle(), clipped.get()) == 0)
        detail::append_lines(ctx, clipped.get(), near);
    }
    if (near.empty()) return found;
    GeomPtr near_lines = detail::make_collection(ctx, GEOS_MULTILINESTRING, near);
    GeomPtr strip = own(ctx,
                        GEOSBuffer_r(ctx.handle(), near_lines.get(),
                                     std::max(params_.barrier_tolerance_m, 1e-6), 2),
                        "barrier strip");
    GeomPtr cut = own(ctx, GEOSDifference_r(ctx.handle(), polygon.get(), strip.get()),
                      "grid minus the barriers");
    std::vector<GeomPtr> faces;
    detail::append_polygons(ctx, cut.get(), faces);
    std::vector<PreparedPtr> sides;
    std::vector<const GEOSGeometry*> faces_kept;  // the side's polygon, as `sides` prepares it
    for (const GeomPtr& face : faces) {
      if (geos_area(ctx, face.get()) < params_.crossing_piece_min_m2) continue;
      sides.push_back(detail::prepare(ctx, face.get()));
      faces_kept.push_back(face.get());
    }
    if (sides.size() < 2) return found;
    // Which side each of the grid's buildings is on; sides holding none do not count.
    std::map<std::size_t, std::vector<std::int32_t>> on_side;
    for (std::int32_t b : members(g)) {
      const Point p = member_point(g.level, gi, b);
      if (!std::isfinite(p.x)) continue;
      GeomPtr point = to_geos(ctx, p);
      for (std::size_t s = 0; s < sides.size(); ++s)
        if (GEOSPreparedIntersects_r(ctx.handle(), sides[s].get(), point.get()) == 1) {
          on_side[s].push_back(b);
          break;
        }
    }
    if (on_side.size() < 2) return found;
    // The grid's polygon is cut into sides holding its buildings. It crosses the barrier only
    // when the barrier separates the land: sides whose buildings lie in one hard face are
    // joined around the barrier's end, outside the grid or through it.
    std::vector<std::size_t> root(sides.size());
    std::iota(root.begin(), root.end(), std::size_t{0});
    auto find = [&](std::size_t s) {
      while (root[s] != s) s = root[s] = root[root[s]];
      return s;
    };
    auto join_by = [&](auto key_of) {
      std::map<std::int32_t, std::size_t> first_side;
      for (const auto& [s, members] : on_side)
        for (std::int32_t b : members) {
          const std::int32_t key = key_of(b);
          if (key == kNone) continue;
          auto [it, fresh] = first_side.emplace(key, s);
          if (!fresh) root[find(s)] = find(it->second);
        }
    };
    std::map<std::int32_t, std::int32_t> face;  // building → hard face (-1: none)
    for (const auto& [s, members] : on_side)
      for (std::int32_t b : members) face[b] = face_of(member_point(g.level, gi, b));
    join_by([&](std::int32_t b) { return face[b] < 0 ? kNone : face[b]; });
    auto group_count = [&] {
      std::set<std::size_t> groups;
      for (const auto& [s, members] : on_side) groups.insert(find(s));
      return groups.size();
    };
    const bool through = group_count() == 1;
    // Sides joined by a compound spanning the barrier: allowed (compounds are kept whole).
    if (!through) join_by([&](std::int32_t b) { return dataset_.buildings[at(b)].compound; });
    const bool by_compound = !through && group_count() == 1;
    // Sides joined by a building standing across the barrier (a tenth of its footprint, and more
    // than `crossing_piece_min_m2`, on each: a block built over a road, a footprint mapped
    // across one — not a footprint drawn a little over a road's centre line;
    // Monaco large grid …07, building 143683159 across the D 21). Whichever grid it is in, the
    // grid reaches both sides, and its households live on both: allowed, as for a compound.
    std::int32_t across = kNone;
    if (!through && !by_compound) {
      for (const auto& side : on_side)
        for (std::int32_t b : side.second) {
          const MultiPolygon& footprint = dataset_.buildings[at(b)].footprint;
          if (footprint.empty()) continue;
          const double least = std::max(params_.crossing_piece_min_m2, 0.1 * area(footprint));
          GeomPtr shape = to_geos(ctx, footprint);
          std::vector<std::size_t> touched;
          for (std::size_t t = 0; t < sides.size(); ++t) {
            if (GEOSPreparedIntersects_r(ctx.handle(), sides[t].get(), shape.get()) != 1) continue;
            GeomPtr common =
                own(ctx, GEOSIntersection_r(ctx.handle(), faces_kept[t], shape.get()), "part");
            if (geos_area(ctx, common.get()) > least) touched.push_back(t);
          }
          for (std::size_t t = 1; t < touched.size(); ++t) {
            if (find(touched[t]) != find(touched[0]) && across == kNone) across = b;
            root[find(touched[t])] = find(touched[0]);
          }
        }
    }
    const bool by_building = !through && !by_compound && across != kNone && group_count() == 1;
    // Sides across the barrier whose buildings hold no households: the partition joins an area
    // without households to its neighbour across a barrier for seamless coverage (no resident
    // crosses it; partition/atoms.cpp).
    std::map<std::size_t, long long> group_households;
    for (const auto& [s, members] : on_side)
      for (std::int32_t b : members)
        group_households[find(s)] += std::max(0, dataset_.buildings[at(b)].households);
    int populated = 0;
    for (const auto& [group, households] : group_households) populated += households > 0 ? 1 : 0;
    const bool empty_side = !through && !by_compound && !by_building && populated <= 1;
    r.barrier_crossings = through ? 0 : static_cast<int>(group_households.size()) - 1;
    r.crossing_allowed = !through && (by_compound || by_building || empty_side);
    // Name the barrier: the candidate line with the longest stretch inside the grid.
    GeomPtr edge = own(ctx, GEOSBoundary_r(ctx.handle(), polygon.get()), "grid boundary");
    const Line* named = nullptr;
    double longest = 0.0;
    // Only a line meeting the grid can have a stretch inside it (the others measure 0 and are
    // never named): 1,549 grids of the real 100k town get here, each with dozens of candidates.
    // The lines are measured longest-possible first (their length within the grid's box bounds
    // the stretch inside it), until no line left can reach the longest stretch found: the line
    // named is the one the candidates' order would give (the first of the longest).
    Point where{kNaN, kNaN};
    // The bound: the smaller of the length within the box and the own measure of the length
    // inside the grid (InsideLength, from above): with it most grids measure one line by GEOS.
    // Whatever the order, every line that could tie with or beat the longest is measured, and
    // the first of the longest in the candidates' order is named.
    const Box grid_box = bounds(*g.polygon);
    const InsideLength inside_length(*g.polygon);
    std::vector<std::pair<double, std::size_t>> order;  // (bound, position in meeting)
    order.reserve(meeting.size());
    for (std::size_t k = 0; k < meeting.size(); ++k) {
      const LineString& geometry = dataset_.lines[at(hard[at(meeting[k])])].geometry;
      order.emplace_back(std::min(length_in_box(geometry, grid_box), inside_length.bound(geometry)),
                         k);
    }
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& x, const auto& y) { return x.first > y.first; });
    std::size_t named_at = 0;
    GeomPtr named_part;
    for (const auto& [bound, k] : order) {
      if (named && bound * (1.0 + 1e-9) + 1e-9 < longest) break;
      const Line& line = dataset_.lines[at(hard[at(meeting[k])])];
      GeomPtr one = to_geos(ctx, line.geometry);
      // Inside the grid, not along its edge (a barrier on the boundary divides nothing).
      GeomPtr clipped =
          own(ctx, GEOSIntersection_r(ctx.handle(), one.get(), polygon.get()), "barrier ∩ grid");
      GeomPtr part = own(ctx, GEOSDifference_r(ctx.handle(), clipped.get(), edge.get()),
                         "barrier inside the grid");
      double length = 0.0;
      GEOSLength_r(ctx.handle(), part.get(), &length);
      if (length > longest || (named && length == longest && k < named_at)) {
        longest = length;
        named = &line;
        named_at = k;
        named_part = std::move(part);
      }
    }
    if (named && GEOSisEmpty_r(ctx.handle(), named_part.get()) == 0)
      where = interior_point(ctx, named_part.get());
    if (!named) {
      // No stretch inside (the lines run along the edge): shown on the barriers in the grid.
      std::vector<GeomPtr> shapes;
      for (std::int32_t c : candidates)
        shapes.push_back(to_geos(ctx, dataset_.lines[at(hard[at(c)])].geometry));
      GeomPtr all = detail::make_collection(ctx, GEOS_MULTILINESTRING, shapes);
      GeomPtr inside =
          own(ctx, GEOSIntersection_r(ctx.handle(), all.get(), polygon.get()), "barriers ∩ grid");
      where = interior_point(ctx, inside.get());
    }
    std::string barrier = "a hard barrier";
    if (named) {
      barrier = std::string(to_string(named->kind)) + (named->cls.empty() ? "" : " " + named->cls);
      if (!named->name.empty()) barrier += " '" + named->name + "'";
      if (named->source.fid) barrier += " (feature " + std::to_string(*named->source.fid) + ")";
    }
    if (through) {
      found.push_back(
          finding("barrier-through", g, where, static_cast<double>(on_side.size()),
                  label(g) + ": " + barrier + " runs through it (" + fixed(longest) +
                      " m) but does not separate the land: its buildings on either side are joined "
                      "around the barrier's end (a dead end, a gap, a bridge or a tunnel)",
                  AuditSeverity::allowed));
      return found;
    }
    std::string message = label(g) + " lies on " + std::to_string(group_households.size()) +
                          " sides of " + barrier + " (" + fixed(longest) +
                          " m of it run through the grid)";
    if (by_compound)
      message += ": allowed, the buildings on both sides belong to a compound that spans it";
    else if (by_building)
      message += ": allowed, building " + std::to_string(dataset_.buildings[at(across)].id) +
                 " stands across it (its footprint lies on both sides)";
    else if (empty_side)
      message +=
          ": allowed, the buildings across it hold no households (an area joined across "
          "the barrier for seamless coverage)";
    found.push_back(finding("barrier-crossed", g, where,
                            static_cast<double>(group_households.size()), message,
                            r.crossing_allowed ? AuditSeverity::allowed : AuditSeverity::broken));
    return found;
  }

  // ---- compounds split between large grids ---------------------------------------------------
  void compounds() {
    std::map<std::int32_t, std::set<std::int32_t>> grids_of;
    // Per compound, its grids in each community (by its buildings' communities).
    std::map<std::int32_t, std::map<std::int32_t, std::set<std::int32_t>>> grids_in_community;
    std::map<std::int32_t, long long> households;
    for (std::size_t g = 0; g < in_.large.size(); ++g)
      for (std::int32_t b : large_members_[g]) {
        const std::int32_t c = dataset_.buildings[at(b)].compound;
        if (c == kNone) continue;
        grids_of[c].insert(static_cast<std::int32_t>(g));
        grids_in_community[c][dataset_.buildings[at(b)].community].insert(
            static_cast<std::int32_t>(g));
      }
    for (const Building& b : dataset_.buildings)
      if (b.compound != kNone) households[b.compound] += std::max(0, b.households);
    for (const auto& [c, grids] : grids_of) {
      if (grids.size() <= 1) continue;
      const Compound& compound = dataset_.compounds[at(c)];
      const long long hh = households[c];
      // Grids nest in communities: a compound whose buildings lie in several communities is
      // split at their boundaries whatever the plan does (real-shapes towns with 1 km community
      // squares, bureau data whose 社区 cut compounds). Allowed when no community holds it in
      // more than one grid.
      bool along_communities = grids_in_community[c].size() > 1;
      for (const auto& [community, in_community] : grids_in_community[c])
        along_communities = along_communities && in_community.size() <= 1;
      const bool oversized = hh > params_.large.max;
      const bool allowed = oversized || along_communities;
      ++out_.counts.compound_splits;
      if (allowed) ++out_.counts.compound_splits_allowed;
      std::string codes;
      for (std::int32_t g : grids) {
        ++out_.large[at(g)].compound_splits;
        codes += (codes.empty() ? "" : ", ") + in_.large[at(g)].code;
      }
      AuditFinding f = finding(
          "compound-split", in_.large[at(*grids.begin())], centroid(compound.footprint),
          static_cast<double>(grids.size()),
          "compound '" + compound.name + "'" +
              (compound.ref.empty() ? std::string() : " (" + compound.ref + ")") + " with " +
              std::to_string(hh) + " households is split between " + std::to_string(grids.size()) +
              " large grids (" + codes + ")" +
              (oversized ? ": allowed, it holds more than the large-grid maximum of " +
                               std::to_string(params_.large.max)
               : along_communities
                   ? ": allowed, it lies in " + std::to_string(grids_in_community[c].size()) +
                         " communities and is split only at their boundaries"
                   : "; it fits in one large grid (maximum " + std::to_string(params_.large.max) +
                         ")"),
          allowed ? AuditSeverity::allowed : AuditSeverity::broken);
      f.compound = c;
      f_compound_.push_back(std::move(f));
    }
  }

  // ---- household bounds ----------------------------------------------------------------------
  void household_bounds() {
    if (!params_.check_households) return;
    GeosContext& ctx = contexts_.local();
    for (GridLevel level : {GridLevel::large, GridLevel::micro}) {
      const std::vector<AuditGrid>& grids = level == GridLevel::large ? in_.large : in_.micro;
      const AuditBounds& b = level == GridLevel::large ? params_.large : params_.micro;
      for (const AuditGrid& g : grids) {
        const bool below = g.households<b.min, above = g.households> b.max;
        if (!below && !above) continue;
        ++out_.counts.bounds_outside;
        const bool reason = !g.bounds_reason.empty();
        if (!reason) ++out_.counts.bounds_without_reason;
        Point where{kNaN, kNaN};
        try {
          where = anchor(ctx, g);
        } catch (const GeosError&) {
          where = anchor_without_geos(g);
        }
        f_bounds_.push_back(
            finding("households-out-of-bounds", g, where, static_cast<double>(g.households),
                    label(g) + " holds " + std::to_string(g.households) + " households, " +
                        (below ? "below the minimum of " + std::to_string(b.min)
                               : "above the maximum of " + std::to_string(b.max)) +
                        (reason ? "; reason recorded: " + g.bounds_reason : "; no reason recorded"),
                    reason ? AuditSeverity::allowed : AuditSeverity::broken));
      }
    }
  }
};

struct RuleTitle {
  const char* rule;
  const char* zh;
  const char* en;
};

constexpr RuleTitle kRules[] = {
    {"grid-without-polygon", "网格无图形", "grid without a polygon"},
    {"grid-in-pieces", "网格不连通 (多块)", "grid in pieces"},
    {"grid-crumbs", "网格带碎片", "grid with sliver crumbs"},
    {"building-outside-grid", "楼栋不在所属微网格内", "building outside its micro grid"},
    {"building-unassigned", "楼栋未划入网格", "building in no micro grid"},
    {"micro-not-nested", "微网格超出大网格", "micro grid not inside its large grid"},
    {"coverage-gap", "覆盖缺口", "coverage gap"},
    {"coverage-overlap", "网格重叠", "grids overlap"},
    {"coverage-outside", "网格超出社区", "grids outside their community"},
    {"barrier-crossed", "网格跨越硬边界", "grid across a hard barrier"},
    {"barrier-through", "硬边界穿过网格但未分隔用地",
     "hard barrier through a grid, not separating the land"},
    {"compound-split", "小区被拆分", "compound split between large grids"},
    {"households-out-of-bounds", "户数越界", "households outside the bounds"},
    {"geometry-failed", "几何无法检查", "geometry could not be checked"},
};

}  // namespace

const char* to_string(AuditSeverity severity) {
  return severity == AuditSeverity::broken ? "broken" : "allowed";
}

std::size_t PlanAudit::broken() const {
  return static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(),
                    [](const AuditFinding& f) { return f.severity == AuditSeverity::broken; }));
}

std::vector<MultiPolygon> own_footprints_chunked(const std::vector<const MultiPolygon*>& footprints,
                                                 const std::function<void(double)>& tick) {
  const std::size_t n = footprints.size();
  // Buildings per chunk: a chunk of the real 100k town takes ~0.05 s of CPU, so a progress
  // update comes well within a second on a loaded machine, and the chunks' extra work (their
  // neighbours' parts, computed and dropped) stays a few per cent.
  constexpr std::size_t kPerChunk = 2500;
  if (n <= kPerChunk) {
    std::vector<MultiPolygon> parts = own_footprints(footprints);
    if (tick) tick(1.0);
    return parts;
  }
  std::vector<Box> boxes(n);
  std::vector<std::size_t> order;  // footprints with area, in strips across x
  for (std::size_t i = 0; i < n; ++i)
    if (footprints[i] && footprint_has_area(*footprints[i])) {
      boxes[i] = bounds(*footprints[i]);
      order.push_back(i);
    }
  const BoxIndex index(boxes);
  // Chunks of neighbouring buildings (by the x of their box's centre, then the index): a chunk's
  // buildings then meet few footprints outside it.
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double xa = boxes[a].min_x + boxes[a].max_x, xb = boxes[b].min_x + boxes[b].max_x;
    return xa != xb ? xa < xb : a < b;
  });
  std::vector<MultiPolygon> parts(n);
  const std::size_t chunks = (order.size() + kPerChunk - 1) / kPerChunk;
  std::vector<const MultiPolygon*> subset(n, nullptr);
  std::vector<std::int32_t> hits;
  for (std::size_t k = 0; k < chunks; ++k) {
    const std::size_t lo = k * kPerChunk, hi = std::min(order.size(), lo + kPerChunk);
    // The chunk's footprints and every footprint whose box meets one of theirs, at their own
    // index: own_footprints then sees all a chunk building's overlaps, ties broken by the same
    // indices, so its part is the one a single call over all footprints gives.
    std::vector<std::size_t> present;
    for (std::size_t r = lo; r < hi; ++r) {
      const std::size_t i = order[r];
      index.intersecting(boxes[i], hits);
      for (std::int32_t j : hits)
        if (!subset[at(j)]) {
          subset[at(j)] = footprints[at(j)];
          present.push_back(at(j));
        }
    }
    std::vector<MultiPolygon> chunk = own_footprints(subset);
    for (std::size_t r = lo; r < hi; ++r) parts[order[r]] = std::move(chunk[order[r]]);
    for (std::size_t j : present) subset[j] = nullptr;
    if (tick) tick(static_cast<double>(k + 1) / static_cast<double>(chunks));
  }
  return parts;
}

namespace {

double squared(double v) {
  return v * v;
}

/// Squared distance from p to the segment a–b.
double distance2(const Point& p, const Point& a, const Point& b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  double t = len2 > 0.0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  return squared(a.x + t * dx - p.x) + squared(a.y + t * dy - p.y);
}

/// The parameter of p's projection on the segment a–b, in [0, 1].
double projection(const Point& p, const Point& a, const Point& b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  return len2 > 0.0 ? std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0) : 0.0;
}

/// The part [lo, hi] of the segment a–b (parameter t) within distance² r2 of the segment p–q,
/// or false when none is. The distance from a point moving along a–b to p–q is convex in t, so
/// the part is one interval; its ends are found by bisection from a point inside, keeping the
/// inner bound (the interval returned never holds a point farther than r).
bool covered(const Point& a, const Point& b, const Point& p, const Point& q, double r2, double& lo,
             double& hi) {
  auto at = [&](double t) { return Point{a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)}; };
  auto f = [&](double t) { return distance2(at(t), p, q); };
  // The distance's minimum lies at an end of a–b, at the projection of an end of p–q, or where
  // the segments cross.
  double candidates[5] = {0.0, 1.0, projection(p, a, b), projection(q, a, b), 0.0};
  int n = 4;
  const double d1x = b.x - a.x, d1y = b.y - a.y, d2x = q.x - p.x, d2y = q.y - p.y;
  const double den = d1x * d2y - d1y * d2x;
  if (den != 0.0) {
    const double t = ((p.x - a.x) * d2y - (p.y - a.y) * d2x) / den;
    if (t > 0.0 && t < 1.0) candidates[n++] = t;
  }
  double seed = -1.0, best = r2;
  for (int k = 0; k < n; ++k) {
    const double v = f(candidates[k]);
    if (v <= best) {
      best = v;
      seed = candidates[k];
    }
  }
  if (seed < 0.0) return false;
  const double length = std::sqrt(d1x * d1x + d1y * d1y);
  auto bisect = [&](double inside, double outside) {
    // f(inside) <= r2 < f(outside): the last parameter known within r.
    for (int k = 0; k < 64 && std::abs(outside - inside) * length > 1e-9; ++k) {
      const double mid = 0.5 * (inside + outside);
      (f(mid) <= r2 ? inside : outside) = mid;
    }
    return inside;
  };
  lo = f(0.0) <= r2 ? 0.0 : bisect(seed, 0.0);
  hi = f(1.0) <= r2 ? 1.0 : bisect(seed, 1.0);
  return true;
}

}  // namespace

EdgeReach::EdgeReach(const MultiPolygon& polygon, double tolerance)
    : polygon_(polygon), r_(std::max(tolerance, 0.0)) {
  collect_ring_edges(polygon, edges_, boxes_);
  box_ = bounds(polygon);
  // Edges near a segment: all of them for a small polygon, an R-tree's answer for a large one.
  constexpr std::size_t kIndexFrom = 48;
  if (edges_.size() >= kIndexFrom) index_ = std::make_unique<BoxIndex>(boxes_);
}

EdgeReach::~EdgeReach() = default;

bool EdgeReach::beyond(const LineString& line, bool inside) const {
  if (edges_.empty()) return !inside && line.size() >= 2;
  const double r = r_, r2 = r * r;
  std::vector<std::int32_t> near;
  std::vector<std::pair<double, double>> parts;
  for (std::size_t k = 0; k + 1 < line.size(); ++k) {
    const Point& a = line[k];
    const Point& b = line[k + 1];
    if (a == b) continue;
    Box reach;
    reach.expand(a);
    reach.expand(b);
    reach.min_x -= r;
    reach.min_y -= r;
    reach.max_x += r;
    reach.max_y += r;
    const bool apart = reach.min_x > box_.max_x || reach.max_x < box_.min_x ||
                       reach.min_y > box_.max_y || reach.max_y < box_.min_y;
    if (apart) {
      if (inside) continue;
      return true;  // wholly outside the polygon, farther than r
    }
    near.clear();
    if (index_) {
      index_->intersecting_unsorted(reach, near);
    } else {
      for (std::size_t e = 0; e < edges_.size(); ++e) {
        const Box& eb = boxes_[e];
        if (!(reach.min_x > eb.max_x || reach.max_x < eb.min_x || reach.min_y > eb.max_y ||
              reach.max_y < eb.min_y))
          near.push_back(static_cast<std::int32_t>(e));
      }
    }
    // Most segments lie along one edge (a micro grid's edge on its large grid's, a road along
    // a grid's edge): both ends within r of it cover the whole segment (the distance is convex).
    const bool along_one = std::any_of(near.begin(), near.end(), [&](std::int32_t e) {
      const Edge& edge = edges_[at(e)];
      return distance2(a, edge.a, edge.b) <= r2 && distance2(b, edge.a, edge.b) <= r2;
    });
    if (along_one) continue;
    parts.clear();
    for (std::int32_t e : near) {
      double lo = 0.0, hi = 0.0;
      if (covered(a, b, edges_[at(e)].a, edges_[at(e)].b, r2, lo, hi)) parts.emplace_back(lo, hi);
    }
    std::sort(parts.begin(), parts.end());
    // The parts of a–b farther than r from every edge: each wholly inside or wholly outside.
    double reached = 0.0;
    auto gap_found = [&](double from, double to) {
      if (!(to > from)) return false;
      const double t = 0.5 * (from + to);
      const Point m{a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)};
      const bool in =
          !(m.x < box_.min_x || m.x > box_.max_x || m.y < box_.min_y || m.y > box_.max_y) &&
          point_in_polygon(polygon_, m);
      return in == inside;
    };
    for (const auto& [lo, hi] : parts) {
      if (lo > reached && gap_found(reached, lo)) return true;
      reached = std::max(reached, hi);
    }
    if (reached < 1.0 && gap_found(reached, 1.0)) return true;
  }
  return false;
}

bool line_inside_beyond(const MultiPolygon& polygon, const std::vector<const LineString*>& lines,
                        double tolerance) {
  const EdgeReach reach(polygon, tolerance);
  for (const LineString* line : lines)
    if (line && reach.beyond(*line, true)) return true;
  return false;
}

namespace {

double orientation(const Point& a, const Point& b, const Point& c) {
  return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

/// Squared distance between the segments a–b and c–d (0 when they cross or touch).
double segment_distance2(const Point& a, const Point& b, const Point& c, const Point& d) {
  const double o1 = orientation(c, d, a), o2 = orientation(c, d, b);
  const double o3 = orientation(a, b, c), o4 = orientation(a, b, d);
  if (((o1 > 0.0 && o2 < 0.0) || (o1 < 0.0 && o2 > 0.0)) &&
      ((o3 > 0.0 && o4 < 0.0) || (o3 < 0.0 && o4 > 0.0)))
    return 0.0;
  // Not crossing (or touching, collinear: an end then lies on the other segment, distance 0).
  return std::min({distance2(a, c, d), distance2(b, c, d), distance2(c, a, b), distance2(d, a, b)});
}

}  // namespace

bool points_joined_clear_of(const MultiPolygon& polygon,
                            const std::vector<const LineString*>& lines,
                            const std::vector<Point>& points, double clear, double margin) {
  if (polygon.empty()) return false;
  const Box box = bounds(polygon);
  // The obstacles: the polygon's edges (keep `margin` off them) and the lines' segments near
  // the polygon (keep `clear` off them), each boxed with its distance.
  struct Obstacle {
    Point a, b;
    double r2;
    bool edge;  // of the polygon (else of a line)
  };
  std::vector<Obstacle> obstacles;
  std::vector<Box> boxes;
  auto add = [&](const Point& a, const Point& b, double r, bool edge) {
    Box sb = segment_box(a, b);
    sb.min_x -= r;
    sb.min_y -= r;
    sb.max_x += r;
    sb.max_y += r;
    obstacles.push_back({a, b, r * r, edge});
    boxes.push_back(sb);
  };
  for (const Polygon& p : polygon) {
    for (std::size_t k = 0; k + 1 < p.outer.size(); ++k)
      add(p.outer[k], p.outer[k + 1], margin, true);
    for (const Ring& hole : p.holes)
      for (std::size_t k = 0; k + 1 < hole.size(); ++k) add(hole[k], hole[k + 1], margin, true);
  }
  for (const LineString* line : lines) {
    if (!line) continue;
    for (std::size_t k = 0; k + 1 < line->size(); ++k) {
      const Box sb = segment_box((*line)[k], (*line)[k + 1]);
      if (sb.min_x > box.max_x + clear || sb.max_x < box.min_x - clear ||
          sb.min_y > box.max_y + clear || sb.max_y < box.min_y - clear)
        continue;
      add((*line)[k], (*line)[k + 1], clear, false);
    }
  }
  const BoxIndex index(boxes);
  std::vector<std::int32_t> hits;
  // Whether the segment a–b keeps off every obstacle (a point: a == b).
  auto clear_path = [&](const Point& a, const Point& b) {
    index.intersecting_unsorted(segment_box(a, b), hits);
    for (std::int32_t h : hits) {
      const Obstacle& o = obstacles[at(h)];
      if (!(segment_distance2(a, b, o.a, o.b) > o.r2)) return false;
    }
    return true;
  };
  // The points inside (clear of everything), the others shown outside by the margin.
  std::vector<Point> inside;
  for (const Point& p : points) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    const bool in = !(p.x < box.min_x || p.x > box.max_x || p.y < box.min_y || p.y > box.max_y) &&
                    point_in_polygon(polygon, p);
    if (in) {
      if (!clear_path(p, p)) return false;  // near a line or the boundary: undecided
      inside.push_back(p);
      continue;
    }
    // Outside: farther than the margin from the boundary (lines do not matter there).
    Box pb{p.x - margin, p.y - margin, p.x + margin, p.y + margin};
    index.intersecting_unsorted(pb, hits);
    for (std::int32_t h : hits) {
      const Obstacle& o = obstacles[at(h)];
      if (o.edge && !(distance2(p, o.a, o.b) > o.r2)) return false;
    }
  }
  if (inside.size() < 2) return true;
  // Neighbours first (a Morton order over the polygon's box), each joined to the one before when
  // the path between them is free; then the groups left joined through their first points.
  const double sx = box.width() > 0.0 ? 65535.0 / box.width() : 0.0;
  const double sy = box.height() > 0.0 ? 65535.0 / box.height() : 0.0;
  auto spread = [](std::uint32_t v) {
    std::uint64_t x = v & 0xffffu;
    x = (x | (x << 8)) & 0x00ff00ffu;
    x = (x | (x << 4)) & 0x0f0f0f0fu;
    x = (x | (x << 2)) & 0x33333333u;
    x = (x | (x << 1)) & 0x55555555u;
    return x;
  };
  std::vector<std::pair<std::uint64_t, std::size_t>> order(inside.size());
  for (std::size_t i = 0; i < inside.size(); ++i) {
    const auto qx =
        static_cast<std::uint32_t>(std::clamp((inside[i].x - box.min_x) * sx, 0.0, 65535.0));
    const auto qy =
        static_cast<std::uint32_t>(std::clamp((inside[i].y - box.min_y) * sy, 0.0, 65535.0));
    order[i] = {spread(qx) | (spread(qy) << 1), i};
  }
  std::sort(order.begin(), order.end());
  std::vector<Point> sorted(inside.size());
  for (std::size_t i = 0; i < order.size(); ++i) sorted[i] = inside[order[i].second];
  std::vector<std::size_t> root(sorted.size());
  std::iota(root.begin(), root.end(), std::size_t{0});
  auto find = [&](std::size_t s) {
    while (root[s] != s) s = root[s] = root[root[s]];
    return s;
  };
  std::size_t groups = sorted.size();
  for (std::size_t i = 1; i < sorted.size(); ++i)
    if (sorted[i] == sorted[i - 1] || clear_path(sorted[i - 1], sorted[i])) {
      root[find(i)] = find(i - 1);
      --groups;
    }
  if (groups == 1) return true;
  constexpr std::size_t kMostGroups = 16;  // more: the lines divide them, GEOS decides
  if (groups > kMostGroups) return false;
  // Each point against a few points of every other group (spread over it), until one group is
  // left or every pair tried has failed.
  constexpr std::size_t kTriesPerGroup = 4;
  std::vector<std::vector<std::size_t>> group_points;
  {
    std::vector<std::size_t> slot(sorted.size(), sorted.size());
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      const std::size_t r = find(i);
      if (slot[r] == sorted.size()) {
        slot[r] = group_points.size();
        group_points.emplace_back();
      }
      group_points[slot[r]].push_back(i);
    }
  }
  for (std::size_t i = 0; i < sorted.size() && groups > 1; ++i)
    for (const std::vector<std::size_t>& members : group_points) {
      const std::size_t step = std::max<std::size_t>(1, members.size() / kTriesPerGroup);
      for (std::size_t k = 0; k < members.size(); k += step) {
        const std::size_t j = members[k];
        if (find(i) == find(j)) break;
        if (!clear_path(sorted[i], sorted[j])) continue;
        root[find(i)] = find(j);
        --groups;
        break;
      }
    }
  return groups == 1;
}

PlanAudit audit_plan(const Dataset& dataset, const AuditInput& input, const AuditParams& params,
                     Progress& progress) {
  return Auditor(dataset, input, params, progress).run();
}

const char* rule_title_zh(const std::string& rule) {
  for (const RuleTitle& r : kRules)
    if (rule == r.rule) return r.zh;
  return "";
}

const char* rule_title_en(const std::string& rule) {
  for (const RuleTitle& r : kRules)
    if (rule == r.rule) return r.en;
  return "";
}

}  // namespace gp::geo
