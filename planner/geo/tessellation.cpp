#include "planner/geo/tessellation.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "planner/core/parallel.hpp"
#include "planner/core/progress_ticks.hpp"
#include "planner/core/road_classes.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/spatial_index.hpp"
#include "planner/geo/tessellation_community.hpp"
#include "planner/geo/tessellation_faces.hpp"
#include "planner/geo/tessellation_geos.hpp"
#include "planner/geo/union_cells.hpp"

namespace gp::geo {
namespace {

enum class Cut { none, soft, hard };

/// How a line divides the land: rivers and rail always (unless bridged or in a tunnel, e.g. a
/// culvert), roads by class.
Cut cut_of(const Line& line, const TessellationParams& params) {
  if ((line.bridge || line.tunnel) && !params.bridges_cut) return Cut::none;
  if (line.geometry.size() < 2) return Cut::none;
  switch (line.kind) {
    case LineKind::river:
    case LineKind::rail:
      return Cut::hard;
    case LineKind::road:
      // One matching rule everywhere (core/road_classes): "primary_link" is hard with "primary".
      return road_class_in(line.cls, params.hard_road_classes) ? Cut::hard : Cut::soft;
  }
  return Cut::none;
}

/// Snap grids tried in turn (multiples of params.snap_grid_m; 0 = floating noding first): when
/// GEOS fails on a community (a robustness failure in an overlay), snap-rounding usually succeeds.
constexpr double kRetryGridFactors[] = {0.0, 1.0, 1000.0};

bool less_point(const Point& p, const Point& q) {
  return p.x < q.x || (p.x == q.x && p.y < q.y);
}

/// Union of an edge-matched coverage by its boundary, as GEOS's CoverageUnion does it without
/// GEOS objects: segments two polygons share (in opposite directions) cancel, the rest are
/// polygonized, and the faces with the polygons on their left are the union. False (use an
/// ordinary union) when the input is visibly not such a coverage: a segment used twice in one
/// direction, segments overlapping without shared vertices, or an area that does not add up.
bool union_coverage(const std::vector<const MultiPolygon*>& cells, MultiPolygon& out) {
  struct Directed {
    Point low;
    Point high;
    bool forward;  // the polygon's ring runs low → high
  };
  std::vector<Directed> segments;
  {
    // Reserved (issue 14 item 2: the vector's growth was a tenth of the union at real-100000).
    std::size_t vertices = 0;
    for (const MultiPolygon* cell : cells)
      if (cell)
        for (const Polygon& polygon : *cell) {
          vertices += polygon.outer.size();
          for (const Ring& hole : polygon.holes) vertices += hole.size();
        }
    segments.reserve(vertices);
  }
  double input_area = 0.0;
  for (const MultiPolygon* cell : cells) {
    if (!cell) continue;
    for (const Polygon& polygon : *cell) {
      input_area += area(polygon);
      auto add_ring = [&](const Ring& ring, bool counter_clockwise) {
        const bool reversed = (signed_area(ring) > 0.0) != counter_clockwise;
        for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
          Point a = ring[k];
          Point b = ring[k + 1];
          if (a == b) continue;
          if (reversed) std::swap(a, b);
          segments.push_back(less_point(a, b) ? Directed{a, b, true} : Directed{b, a, false});
        }
      };
      add_ring(polygon.outer, true);
      for (const Ring& hole : polygon.holes) add_ring(hole, false);
    }
  }
  std::sort(segments.begin(), segments.end(), [](const Directed& s, const Directed& t) {
    if (!(s.low == t.low)) return less_point(s.low, t.low);
    if (!(s.high == t.high)) return less_point(s.high, t.high);
    return s.forward < t.forward;
  });
  std::vector<detail::Segment> boundary;  // directed as the polygons' rings run
  for (std::size_t i = 0; i < segments.size();) {
    std::size_t j = i + 1;
    while (j < segments.size() && segments[j].low == segments[i].low &&
           segments[j].high == segments[i].high)
      ++j;
    if (j - i == 1) {
      const Directed& s = segments[i];
      boundary.push_back(s.forward ? detail::Segment{s.low, s.high}
                                   : detail::Segment{s.high, s.low});
    } else if (j - i != 2 || segments[i].forward == segments[i + 1].forward) {
      return false;  // overlapping polygons
    }
    i = j;
  }
  std::vector<Polygon> faces;
  if (!detail::polygonize_segments(boundary, faces)) return false;
  auto segment_less = [](const detail::Segment& s, const detail::Segment& t) {
    if (!(s.first == t.first)) return less_point(s.first, t.first);
    return less_point(s.second, t.second);
  };
  std::sort(boundary.begin(), boundary.end(), segment_less);
  out.clear();
  double output_area = 0.0;
  for (Polygon& face : faces) {
    // A face of the union runs along the boundary as the polygons do; a gap runs against it.
    const detail::Segment first{face.outer[0], face.outer[1]};
    if (!std::binary_search(boundary.begin(), boundary.end(), first, segment_less)) continue;
    output_area += area(face);
    out.push_back(std::move(face));
  }
  return std::abs(output_area - input_area) <= 1e-9 * std::max(input_area, 1.0);
}

}  // namespace

/// The stage's share for the communities' tessellation; the merge of their cells is the rest.
constexpr double kCommunitiesShare = 0.98;

Tessellation tessellate(const Dataset& dataset, const TessellationParams& params,
                        Progress& progress) {
  const std::size_t n = dataset.buildings.size();
  Tessellation result;
  result.cells.resize(n);
  result.cell_area_m2.assign(n, 0.0);
  result.cell_perimeter_m.assign(n, 0.0);
  result.face.assign(n, kNone);
  result.block.assign(n, kNone);
  progress.update("tessellation", 0.0);

  // Jobs: one per community that holds buildings.
  std::vector<detail::CommunityJob> by_community(dataset.communities.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t c = dataset.buildings[i].community;
    if (c == kNone) continue;
    if (c < 0 || std::size_t(c) >= dataset.communities.size()) {
      result.problems.report(
          Severity::error, "building-community-invalid", dataset.buildings[i].source,
          "building " + std::to_string(dataset.buildings[i].id) + " refers to community index " +
              std::to_string(c) + ", which does not exist; it gets no cell");
      continue;
    }
    by_community[std::size_t(c)].buildings.push_back(std::int32_t(i));
  }
  std::vector<detail::CommunityJob> jobs;
  const FootprintSettling* settled = dataset.settled_footprints();
  for (std::size_t c = 0; c < by_community.size(); ++c) {
    by_community[c].community = std::int32_t(c);
    by_community[c].settled = settled;
    if (by_community[c].buildings.empty()) {
      const Community& community = dataset.communities[c];
      result.problems.report(
          Severity::info, "community-without-buildings", community.source,
          "community " + community.name + " holds no building; it gets no cells and no grids");
      continue;
    }
    jobs.push_back(std::move(by_community[c]));
  }

  // Barriers near each community, by bounding box.
  std::vector<Cut> cuts(dataset.lines.size());
  std::vector<Box> line_boxes(dataset.lines.size());
  for (std::size_t l = 0; l < dataset.lines.size(); ++l) {
    cuts[l] = cut_of(dataset.lines[l], params);
    if (cuts[l] != Cut::none) line_boxes[l] = bounds(dataset.lines[l].geometry);
  }
  std::vector<Box> water_boxes(dataset.water.size());
  for (std::size_t w = 0; w < dataset.water.size(); ++w)
    water_boxes[w] = bounds(dataset.water[w].footprint);
  const BoxIndex line_index(line_boxes);  // lines that cut nothing have empty boxes
  const BoxIndex water_index(water_boxes);
  for (detail::CommunityJob& job : jobs) {
    const Box box = bounds(dataset.communities[std::size_t(job.community)].footprint);
    for (std::int32_t l : line_index.intersecting(box))
      (cuts[std::size_t(l)] == Cut::hard ? job.hard_lines : job.soft_lines).push_back(l);
    job.water = water_index.intersecting(box);
  }

  // Communities in parallel, largest first so a big one does not start last; results are
  // stored per job and merged in community order, so the output does not depend on threads.
  std::vector<std::size_t> order(jobs.size());
  for (std::size_t j = 0; j < jobs.size(); ++j) order[j] = j;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return jobs[a].buildings.size() > jobs[b].buildings.size();
  });
  std::vector<detail::CommunityCells> done(jobs.size());
  PerThread<GeosContext> contexts;
  // Progress counts buildings: those of finished communities plus each running community's
  // share of its own (issue 12: one community of 100k buildings must not sit at 0 % for
  // minutes). Updates are throttled to a few per second across threads.
  std::atomic<std::size_t> buildings_done{0};
  std::mutex progress_mutex;
  std::vector<double> running(jobs.size(), 0.0);  // buildings done inside unfinished jobs
  // The Progress's clock (steady, or a test's), so the throttle is the display's notion of time.
  double last_update = -1e300;
  auto publish = [&](bool force) {  // with progress_mutex held
    const double now = progress.now();
    if (!force && now - last_update < 0.2) return;
    last_update = now;
    double total = double(buildings_done.load());
    for (double r : running) total += r;
    progress.update("tessellation",
                    kCommunitiesShare * std::min(total / double(std::max<std::size_t>(n, 1)), 1.0));
  };
  parallel_for_chunks(0, order.size(), 1, [&](std::size_t lo, std::size_t hi) {
    GeosContext& ctx = contexts.local();
    for (std::size_t k = lo; k != hi; ++k) {
      const detail::CommunityJob& job = jobs[order[k]];
      detail::CommunityCells& cells = done[order[k]];
      const detail::CommunityProgress tick = [&, job_index = order[k]](double fraction) {
        std::lock_guard lock(progress_mutex);
        // Only a rise: a retry on a coarser grid (kRetryGridFactors) starts the community's
        // fraction from 0 again, which must not move the stage back.
        running[job_index] = std::max(running[job_index], fraction * double(job.buildings.size()));
        publish(false);
      };
      std::string failure;
      bool ok = false;
      for (double factor : kRetryGridFactors) {
        try {
          cells = detail::tessellate_community(ctx, dataset, job, params,
                                               params.snap_grid_m * factor, tick);
          ok = true;
          break;
        } catch (const GeosError& error) {
          failure = error.what();
        }
      }
      if (!ok) {
        const Community& community = dataset.communities[std::size_t(job.community)];
        cells = detail::CommunityCells{};
        cells.problems.report(Severity::error, "tessellation-failed", community.source,
                              "community " + community.name + ": cells could not be computed (" +
                                  failure +
                                  "); its buildings get no cell. Check its polygon and the "
                                  "barriers crossing it.");
      }
      std::lock_guard lock(progress_mutex);
      buildings_done += job.buildings.size();
      running[order[k]] = 0.0;
      publish(true);
    }
  });

  // Merge in community order: the rest of the stage, by buildings, then the adjacency's sort
  // (seconds at 1M buildings in one community).
  const std::function<void(double)> merge_progress = [&](double f) {
    progress.update("tessellation", kCommunitiesShare + (1.0 - kCommunitiesShare) * f);
  };
  LoopTicks merge_ticks(merge_progress, 0.0, 0.5, n, 1 << 16);
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const detail::CommunityJob& job = jobs[j];
    merge_ticks.step(job.buildings.size());
    detail::CommunityCells& cells = done[j];
    result.problems.merge(cells.problems);
    if (cells.cells.size() != job.buildings.size()) continue;  // failed community
    for (std::size_t i = 0; i < job.buildings.size(); ++i) {
      const std::size_t b = std::size_t(job.buildings[i]);
      result.cells[b] = std::move(cells.cells[i]);
      result.cell_area_m2[b] = cells.area_m2[i];
      result.cell_perimeter_m[b] = cells.perimeter_m[i];
      if (cells.face[i] != kNone) result.face[b] = result.face_count + cells.face[i];
      if (cells.block[i] != kNone) result.block[b] = result.block_count + cells.block[i];
    }
    for (auto& [i, sides] : cells.sides)
      result.cell_sides.push_back({job.buildings[std::size_t(i)], std::move(sides)});
    result.face_count += cells.face_count;
    result.block_count += cells.block_count;
    result.adjacency.insert(result.adjacency.end(), cells.adjacency.begin(), cells.adjacency.end());
    cells = detail::CommunityCells{};  // release memory early
  }
  sort_reporting(
      result.adjacency.begin(), result.adjacency.end(),
      [](const CellAdjacency& s, const CellAdjacency& t) {
        return s.a != t.a ? s.a < t.a : s.b < t.b;
      },
      [&](double f) { merge_progress(0.5 + 0.5 * f); });
  progress.update("tessellation", 1.0);
  return result;
}

const std::vector<MultiPolygon>& cell_sides_of(const Tessellation& tessellation, std::int32_t b) {
  static const std::vector<MultiPolygon> none;
  const auto it = std::lower_bound(
      tessellation.cell_sides.begin(), tessellation.cell_sides.end(), b,
      [](const CellSides& s, std::int32_t building) { return s.building < building; });
  return it != tessellation.cell_sides.end() && it->building == b ? it->sides : none;
}

namespace {

std::atomic<std::size_t> own_union_fallbacks{0};

/// union_cells, with or without GEOS's CoverageUnion between the own coverage union and the
/// ordinary union.
MultiPolygon union_of_cells(const std::vector<const MultiPolygon*>& cells, bool geos_coverage) {
  std::size_t parts_count = 0;
  const MultiPolygon* single = nullptr;
  for (const MultiPolygon* cell : cells) {
    if (!cell || cell->empty()) continue;
    parts_count += cell->size();
    single = cell;
  }
  if (parts_count == 0) return {};
  if (parts_count == 1) return *single;

  MultiPolygon covered;
  if (union_coverage(cells, covered)) return covered;

  ++own_union_fallbacks;
  thread_local GeosContext ctx;  // called from partitioner worker threads
  std::vector<GeomPtr> parts;
  parts.reserve(parts_count);
  for (const MultiPolygon* cell : cells) {
    if (!cell) continue;
    for (const Polygon& polygon : *cell) parts.push_back(to_geos(ctx, polygon));
  }
  GeomPtr collection = detail::make_collection(ctx, GEOS_GEOMETRYCOLLECTION, parts);
  GEOSGeometry* merged =
      geos_coverage ? GEOSCoverageUnion_r(ctx.handle(), collection.get()) : nullptr;
  if (!merged) {
    // Not a clean coverage (cells from different tessellations, or edited by hand): the
    // ordinary union is slower but accepts anything valid.
    if (geos_coverage) ctx.take_error();
    merged = GEOSUnaryUnion_r(ctx.handle(), collection.get());
  }
  GeomPtr result = own(ctx, merged, "union of cells");
  MultiPolygon out = to_multipolygon(ctx, result.get());
  for (Polygon& polygon : out) {
    if (signed_area(polygon.outer) < 0.0) std::reverse(polygon.outer.begin(), polygon.outer.end());
    for (Ring& hole : polygon.holes)
      if (signed_area(hole) > 0.0) std::reverse(hole.begin(), hole.end());
  }
  return out;
}

}  // namespace

MultiPolygon union_cells(const std::vector<const MultiPolygon*>& cells) {
  return union_of_cells(cells, true);
}

std::size_t union_cells_fallbacks() {
  return own_union_fallbacks.load();
}

MultiPolygon union_cells_or_overlay(const std::vector<const MultiPolygon*>& polygons) {
  return union_of_cells(polygons, false);
}

}  // namespace gp::geo
