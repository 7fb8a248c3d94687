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

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <mutex>

#include "planner/geo/tessellation_blocks.hpp"
#include "planner/geo/tessellation_cells.hpp"
#include "planner/geo/tessellation_noding.hpp"
#include "planner/geo/tessellation_sites.hpp"
#include "planner/geo/tessellation_voronoi.hpp"

namespace gp::geo::detail {
namespace {

/// Communities with at least this many buildings return their freed heap after cut_pieces.
constexpr std::size_t kTrimBuildings = 20000;

void release_free_memory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace

CommunityCells tessellate_community(GeosContext& ctx, const Dataset& dataset,
                                    const CommunityJob& job, const TessellationParams& params,
                                    double snap_grid_m, const CommunityProgress& tick) {
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
  place_buildings(ctx, dataset, job, blocks, out, block_sites, placements, report);

  const std::vector<char> outlined =
      choose_sites(dataset, job, placements, params, blocks, block_sites, out.problems, report);
  const OutlineLocator outlines(dataset, job, outlined, placements);
  BlockEdges edges = voronoi_edges(blocks, block_sites, outlines.boxes(), report);

  report(0.6);
  Pieces pieces = cut_pieces(ctx, dataset, job, blocks, edges, outlined, outlines.boxes(),
                             out.block, snap_grid_m, progress_span(report, 0.6, 0.8));
  edges = BlockEdges{};  // only the pieces need them: freed before the contacts (the peak)
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

  merge_empty_blocks(dataset, job, blocks, block_sites, pieces, contacts, owner, out.problems);
  report(0.88);
  // One piece per cell (issue 12): a Voronoi cell cut by a non-convex block, an outline or a
  // noding sliver can leave pieces of one owner that share no edge with the piece holding its
  // building (grids in pieces, sliver crumbs, grids joined at a point).
  reassign_detached_pieces(pieces.polygons, pieces.block, blocks.block_face, contacts, placements,
                           owner);

  report(0.9);
  assemble_cells(dataset, job, params, pieces, blocks.block_face, contacts, placements, owner, out,
                 progress_span(report, 0.9, 1.0));
  return out;
}

}  // namespace gp::geo::detail
