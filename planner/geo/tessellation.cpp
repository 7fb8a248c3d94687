#include "planner/geo/tessellation.hpp"

#include <algorithm>
#include <atomic>
#include <iterator>
#include <mutex>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include "planner/core/parallel.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/tessellation_community.hpp"
#include "planner/geo/tessellation_geos.hpp"

namespace gp::geo {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using BPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using BBox = bg::model::box<BPoint>;
using BoxEntry = std::pair<BBox, std::int32_t>;
using BoxTree = bgi::rtree<BoxEntry, bgi::quadratic<16>>;

BBox to_bbox(const Box& box) {
  return {BPoint(box.min_x, box.min_y), BPoint(box.max_x, box.max_y)};
}

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
      return params.hard_road_classes.contains(line.cls) ? Cut::hard : Cut::soft;
  }
  return Cut::none;
}

BoxTree index_boxes(const std::vector<Box>& boxes) {
  std::vector<BoxEntry> entries;
  for (std::size_t i = 0; i < boxes.size(); ++i)
    if (!boxes[i].empty()) entries.emplace_back(to_bbox(boxes[i]), std::int32_t(i));
  return BoxTree(entries.begin(), entries.end());
}

std::vector<std::int32_t> query(const BoxTree& tree, const Box& box) {
  std::vector<BoxEntry> hits;
  tree.query(bgi::intersects(to_bbox(box)), std::back_inserter(hits));
  std::vector<std::int32_t> out;
  out.reserve(hits.size());
  for (const BoxEntry& hit : hits) out.push_back(hit.second);
  std::sort(out.begin(), out.end());
  return out;
}

/// Snap grids tried in turn (multiples of params.snap_grid_m; 0 = floating noding first): when
/// GEOS fails on a community (a robustness failure in an overlay), snap-rounding usually succeeds.
constexpr double kRetryGridFactors[] = {0.0, 1.0, 1000.0};

}  // namespace

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
  for (std::size_t c = 0; c < by_community.size(); ++c) {
    by_community[c].community = std::int32_t(c);
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
  const BoxTree line_index = index_boxes(line_boxes);
  const BoxTree water_index = index_boxes(water_boxes);
  for (detail::CommunityJob& job : jobs) {
    const Box box = bounds(dataset.communities[std::size_t(job.community)].footprint);
    for (std::int32_t l : query(line_index, box))
      (cuts[std::size_t(l)] == Cut::hard ? job.hard_lines : job.soft_lines).push_back(l);
    job.water = query(water_index, box);
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
  std::atomic<std::size_t> buildings_done{0};
  std::mutex progress_mutex;
  parallel_for_chunks(0, order.size(), 1, [&](std::size_t lo, std::size_t hi) {
    GeosContext& ctx = contexts.local();
    for (std::size_t k = lo; k != hi; ++k) {
      const detail::CommunityJob& job = jobs[order[k]];
      detail::CommunityCells& cells = done[order[k]];
      std::string failure;
      bool ok = false;
      for (double factor : kRetryGridFactors) {
        try {
          cells =
              detail::tessellate_community(ctx, dataset, job, params, params.snap_grid_m * factor);
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
      const std::size_t total = buildings_done += job.buildings.size();
      std::lock_guard lock(progress_mutex);
      progress.update("tessellation", double(total) / double(std::max<std::size_t>(n, 1)));
    }
  });

  // Merge in community order.
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const detail::CommunityJob& job = jobs[j];
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
    result.face_count += cells.face_count;
    result.block_count += cells.block_count;
    result.adjacency.insert(result.adjacency.end(), cells.adjacency.begin(), cells.adjacency.end());
    cells = detail::CommunityCells{};  // release memory early
  }
  std::sort(result.adjacency.begin(), result.adjacency.end(),
            [](const CellAdjacency& s, const CellAdjacency& t) {
              return s.a != t.a ? s.a < t.a : s.b < t.b;
            });
  progress.update("tessellation", 1.0);
  return result;
}

MultiPolygon union_cells(const std::vector<const MultiPolygon*>& cells) {
  std::size_t parts_count = 0;
  const MultiPolygon* single = nullptr;
  for (const MultiPolygon* cell : cells) {
    if (!cell || cell->empty()) continue;
    parts_count += cell->size();
    single = cell;
  }
  if (parts_count == 0) return {};
  if (parts_count == 1) return *single;

  thread_local GeosContext ctx;  // union_cells is called from partitioner worker threads
  std::vector<GeomPtr> parts;
  parts.reserve(parts_count);
  for (const MultiPolygon* cell : cells) {
    if (!cell) continue;
    for (const Polygon& polygon : *cell) parts.push_back(to_geos(ctx, polygon));
  }
  GeomPtr collection = detail::make_collection(ctx, GEOS_GEOMETRYCOLLECTION, parts);
  GEOSGeometry* merged = GEOSCoverageUnion_r(ctx.handle(), collection.get());
  if (!merged) {
    // Not a clean coverage (cells from different tessellations, or edited by hand): the
    // ordinary union is slower but accepts anything valid.
    ctx.take_error();
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

}  // namespace gp::geo
