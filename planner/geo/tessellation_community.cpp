// Tessellation of one community: the steps of docs/decisions/0003-tessellation.md in order, each
// a named function in the file of its seam:
//   1–2 faces and street blocks        tessellation_blocks.cpp   build_blocks
//   3   buildings to blocks, sites     tessellation_sites.cpp    place_buildings
//   4   outlines and Voronoi edges     tessellation_sites.cpp    choose_sites
//                                      tessellation_voronoi.cpp  voronoi_edges
//   5   pieces (noding, face walk)     tessellation_noding.cpp   cut_pieces
//       owners of the pieces           tessellation_cells.cpp    label_pieces
//   6   empty blocks                   tessellation_cells.cpp    merge_empty_blocks
//   6b  one piece per cell             tessellation_cells.cpp    reassign_detached_pieces
//   7   cells, areas, adjacency        tessellation_cells.cpp    assemble_cells
// The own polygonizer is tessellation_faces.cpp; small GEOS helpers are tessellation_geos.cpp.

#include "planner/geo/tessellation_community.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "planner/core/memory.hpp"
#include "planner/core/parallel.hpp"
#include "planner/core/progress_ticks.hpp"
#include "planner/geo/own_footprint.hpp"
#include "planner/geo/tessellation_blocks.hpp"
#include "planner/geo/tessellation_cells.hpp"
#include "planner/geo/tessellation_geos.hpp"
#include "planner/geo/tessellation_noding.hpp"
#include "planner/geo/tessellation_sites.hpp"
#include "planner/geo/tessellation_voronoi.hpp"

namespace gp::geo::detail {
namespace {

/// Communities with at least this many buildings return their freed heap after cut_pieces.
constexpr std::size_t kTrimBuildings = 20000;

/// The own parts of the job's buildings (own_footprint.hpp), per local building (null: none): a
/// building under smaller footprints (a podium under its tower, a building crossed by one mapped
/// inside it from wall to wall, a split tower holding a smaller one) has its representative
/// point — where the audit, the buildings layer and any GIS place it — in its own part, the
/// footprint less the smaller ones, and step 3 places it there (place_building): its block and
/// site are its own part's. Settled once after validation (the community's buildings that are
/// no copy: the job's), else computed here into `computed`.
std::vector<const MultiPolygon*> own_parts_of(const Dataset& dataset, const CommunityJob& job,
                                              std::vector<MultiPolygon>& computed) {
  const std::size_t n = job.buildings.size();
  std::vector<const MultiPolygon*> own(n, nullptr);
  if (const FootprintSettling* settled = job.settled) {
    // Both ascending by building: from the job's first.
    auto it = std::lower_bound(
        settled->site_parts.begin(), settled->site_parts.end(), n ? job.buildings.front() : 0,
        [](const std::pair<std::int32_t, MultiPolygon>& e, std::int32_t b) { return e.first < b; });
    for (std::size_t i = 0; i < n && it != settled->site_parts.end(); ++i) {
      while (it != settled->site_parts.end() && it->first < job.buildings[i]) ++it;
      if (it != settled->site_parts.end() && it->first == job.buildings[i]) own[i] = &it->second;
    }
  } else {
    std::vector<const MultiPolygon*> footprints;
    footprints.reserve(n);
    for (std::int32_t b : job.buildings)
      footprints.push_back(&dataset.buildings[std::size_t(b)].footprint);
    computed = own_footprints(footprints);
    for (std::size_t i = 0; i < n; ++i)
      if (!computed[i].empty()) own[i] = &computed[i];
  }
  return own;
}

CommunityCells tessellate_sites(GeosContext& ctx, const Dataset& dataset, const CommunityJob& job,
                                const TessellationParams& params, double snap_grid_m,
                                const CommunityProgress& tick) {
  // Progress within the community: the driver throttles, so calling it per batch is cheap.
  // Stages weighted by their share of the time on the real extracts. Steps run their blocks on
  // several threads, each reporting what it counted: a thread descheduled between counting and
  // reporting would report an older count after a newer one, so only a rise is passed on (the
  // stage's fraction never goes back).
  std::mutex tick_mutex;
  double last_tick = 0.0;
  const std::function<void(double)> report = [&](double fraction) {
    if (!tick) return;
    const double f = std::clamp(fraction, 0.0, 1.0);
    const std::lock_guard lock(tick_mutex);
    if (f < last_tick) return;
    last_tick = f;
    tick(f);
  };
  const std::size_t n = job.buildings.size();
  CommunityCells out;
  out.cells.resize(n);
  out.area_m2.assign(n, 0.0);
  out.perimeter_m.assign(n, 0.0);
  out.face.assign(n, kNone);
  out.block.assign(n, kNone);

  // The community's fraction per step, from their times on real-100000 as one community
  // (docs/decisions/0003-tessellation.md, "Performance (sixth version)"). Every step reports
  // within its span, so no step is silent for long (issue 12/14 item 5).
  CommunityBlocks blocks;
  if (!build_blocks(ctx, dataset, job, snap_grid_m, blocks, out.problems,
                    progress_span(report, 0.0, 0.05)))
    return out;
  out.face_count = std::int32_t(blocks.faces.size());
  out.block_count = std::int32_t(blocks.size());
  report(0.05);

  std::vector<std::vector<Site>> block_sites;
  std::vector<Placement> placements;
  {
    std::vector<MultiPolygon> computed;
    const std::vector<const MultiPolygon*> own = own_parts_of(dataset, job, computed);
    place_buildings(ctx, dataset, job, own, blocks, out, block_sites, placements, report);
  }

  const std::vector<char> outlined =
      choose_sites(dataset, job, placements, params, blocks, block_sites, out.problems, report);
  const OutlineLocator outlines(dataset, job, outlined, placements);
  std::vector<BlockEdges> edges = voronoi_edges(blocks, block_sites, outlines.boxes(), report);
  if (std::getenv("GRIDPLAN_TESS_STATS") != nullptr) {  // counts for docs/benchmarks.md
    std::size_t sites = 0, outlined_buildings = 0, edge_count = 0;
    for (const char o : outlined) outlined_buildings += o ? 1 : 0;
    for (const std::vector<Site>& s : block_sites) sites += s.size();
    for (const BlockEdges& e : edges) edge_count += e.whole.size();
    std::fprintf(stderr,
                 "tessellation stats: %zu buildings, %zu outlined, %zu Voronoi sites, %zu Voronoi "
                 "edges in the blocks\n",
                 n, outlined_buildings, sites, edge_count);
  }

  report(0.6);
  Pieces pieces = cut_pieces(ctx, dataset, job, blocks, edges, outlined, outlines.boxes(),
                             out.block, snap_grid_m, progress_span(report, 0.6, 0.8));
  edges = {};    // only the pieces need them: freed before the contacts (the peak)
  report(0.79);  // (freeing them and the trim below: seconds at 1M buildings)
  // The edges were many small blocks of the heap, which glibc keeps resident once freed, and
  // the contacts' sorted segments are one large new mapping beside them: in a large community
  // (one community holding a town) the freed heap goes back to the system first, which lowers
  // the tessellation's peak (issue 14 item 2). Milliseconds; a community of a few hundred
  // buildings would only pay for it.
  if (n >= kTrimBuildings) release_free_memory();
  report(0.8);
  std::vector<std::int32_t> owner =
      label_pieces(pieces, block_sites, outlines, progress_span(report, 0.8, 0.83));
  const std::vector<Contact> contacts = piece_contacts(
      pieces.polygons, std::move(pieces.sorted_segments), progress_span(report, 0.83, 0.87));

  pieces.area = piece_areas(pieces.polygons);  // after the contacts' peak; in parallel
  merge_empty_blocks(dataset, job, blocks, block_sites, pieces, contacts, owner, out.problems,
                     progress_span(report, 0.87, 0.88));
  report(0.88);
  // One piece per cell (issue 12): a Voronoi cell cut by a non-convex block, an outline or a
  // noding sliver can leave pieces of one owner that share no edge with the piece holding its
  // building (grids in pieces, sliver crumbs, grids joined at a point).
  reassign_detached_pieces(pieces.polygons, pieces.block, blocks.block_face, contacts, placements,
                           owner, progress_span(report, 0.88, 0.9), &pieces.area);

  report(0.9);
  assemble_cells(dataset, job, params, pieces, blocks.block_face, contacts, placements, owner, out,
                 progress_span(report, 0.9, 0.97));
  // The working data freed here with progress, not silently at the return: a town in one
  // community leaves millions of pieces and the blocks' GEOS geometries (seconds to free at 1M
  // buildings). The cells were copied out of the pieces; the locator goes before the blocks
  // its prepared geometries were made from.
  // The pieces and sites (our own heap blocks) are freed on both threads; the blocks' GEOS
  // geometries on this one (their deleters share this thread's GEOS context).
  {
    const std::size_t piece_count = pieces.polygons.size();
    const std::size_t units = piece_count + block_sites.size();
    const std::function<void(double)> free_progress = progress_span(report, 0.97, 0.99);
    const std::size_t chunk = std::clamp<std::size_t>(units / 32, 64, 8192);
    ProgressCount freed(free_progress, units, chunk);
    parallel_for_chunks(0, units, chunk, [&](std::size_t begin, std::size_t end) {
      for (std::size_t k = begin; k < end; ++k) {
        if (k < piece_count)
          pieces.polygons[k] = Polygon{};
        else
          block_sites[k - piece_count] = {};
      }
      freed.add(end - begin);
    });
  }
  pieces = Pieces{};
  LoopTicks free_ticks(report, 0.99, 1.0, 2 * blocks.size(), 1 << 16);
  blocks.locator.reset();
  for (Region& block : blocks.blocks) {
    block.geometry.reset();
    free_ticks.step();
  }
  for (Polygon& polygon : blocks.polygons) {
    polygon = Polygon{};
    free_ticks.step();
  }
  report(1.0);
  return out;
}

}  // namespace

CommunityCells tessellate_community(GeosContext& ctx, const Dataset& dataset,
                                    const CommunityJob& job, const TessellationParams& params,
                                    double snap_grid_m, const CommunityProgress& tick) {
  // A copy of a footprint (the same shape drawn twice, geo::footprint_holders) has no land of
  // its own: its original keeps the footprint, and a site of its own only cut a sliver beside
  // it (a wedge around the common point), planned apart (issue 12, polygon truth; the fuzz
  // towns). Copies get no site and no cell; the planner plans each with its original
  // (partition/atoms.cpp, find_riders), whose cell holds the copy's point.
  // The holders among the job's buildings (a community's): settled once after validation, else
  // computed here.
  std::vector<std::int32_t> holders;
  if (const FootprintSettling* settled = job.settled) {
    holders.assign(job.buildings.size(), -1);
    for (std::size_t i = 0; i < job.buildings.size(); ++i) {
      const std::int32_t h = settled->holder[std::size_t(job.buildings[i])];
      if (h < 0) continue;
      const auto at = std::lower_bound(job.buildings.begin(), job.buildings.end(), h);
      if (at != job.buildings.end() && *at == h)
        holders[i] = std::int32_t(at - job.buildings.begin());
    }
  } else {
    std::vector<const MultiPolygon*> footprints;
    footprints.reserve(job.buildings.size());
    for (std::int32_t b : job.buildings)
      footprints.push_back(&dataset.buildings[std::size_t(b)].footprint);
    holders = footprint_holders(footprints);
  }
  std::vector<char> copy(job.buildings.size(), 0);
  bool any = false;
  for (std::size_t i = 0; i < holders.size(); ++i) {
    if (holders[i] < 0) continue;
    const auto footprint = [&](std::size_t k) -> const MultiPolygon& {
      return dataset.buildings[std::size_t(job.buildings[k])].footprint;
    };
    if (footprint_is_copy(area(footprint(i)), area(footprint(std::size_t(holders[i]))))) {
      copy[i] = 1;
      any = true;
    }
  }
  if (!any) return tessellate_sites(ctx, dataset, job, params, snap_grid_m, tick);
  CommunityJob sites = job;
  sites.buildings.clear();
  for (std::size_t i = 0; i < job.buildings.size(); ++i)
    if (!copy[i]) sites.buildings.push_back(job.buildings[i]);
  CommunityCells found = tessellate_sites(ctx, dataset, sites, params, snap_grid_m, tick);
  CommunityCells out;
  const std::size_t n = job.buildings.size();
  out.cells.resize(n);
  out.area_m2.assign(n, 0.0);
  out.perimeter_m.assign(n, 0.0);
  out.face.assign(n, kNone);
  out.block.assign(n, kNone);
  std::vector<std::size_t> local(n, 0);  // index into `sites` of each non-copy
  for (std::size_t i = 0, k = 0; i < n; ++i)
    if (!copy[i]) local[i] = k++;
  for (std::size_t i = 0; i < n; ++i) {
    // A copy stands in its original's face and block.
    const std::size_t k = copy[i] ? local[std::size_t(holders[i])] : local[i];
    if (k >= found.cells.size()) continue;  // the community failed before its cells
    out.face[i] = found.face[k];
    out.block[i] = found.block[k];
    if (copy[i]) continue;
    out.cells[i] = std::move(found.cells[k]);
    out.area_m2[i] = found.area_m2[k];
    out.perimeter_m[i] = found.perimeter_m[k];
  }
  // The sides, from the index among the non-copies to the job's (both ascending).
  std::vector<std::int32_t> job_of(found.cells.size(), kNone);
  for (std::size_t i = 0; i < n; ++i)
    if (!copy[i] && local[i] < job_of.size()) job_of[local[i]] = std::int32_t(i);
  for (auto& [k, sides] : found.sides)
    if (job_of[std::size_t(k)] != kNone)
      out.sides.emplace_back(job_of[std::size_t(k)], std::move(sides));
  out.face_count = found.face_count;
  out.block_count = found.block_count;
  out.adjacency = std::move(found.adjacency);
  out.problems = std::move(found.problems);
  return out;
}

}  // namespace gp::geo::detail
