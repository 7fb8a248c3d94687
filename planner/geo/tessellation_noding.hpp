#pragma once
// The pieces of one community (private to planner/geo; step 5 of
// docs/decisions/0003-tessellation.md): the street blocks cut by the Voronoi edges and the
// outlines. The linework must be noded (every crossing a shared vertex) before the own face walk
// (tessellation_faces) turns it into pieces. Edges well inside a block are already noded; edges
// near a free outline or (when nothing else comes near a block boundary) near a block ring are
// crossed here by own code; the rest is noded block by block (node_blocks) by the own noder
// (tessellation_noder), GEOS's union only for a block the noder cannot settle; never as one
// union of the whole community, whose cost and memory grew faster than the community (issue 14).
// Each way is checked (areas add up, every inner edge bounds two pieces) and falls back to the
// next: own crossings + per-block noding, all of it per block, all of it through GEOS at once
// (snap-rounded on the driver's retries).

#include <cstdint>
#include <functional>
#include <vector>

#include "planner/geo/tessellation_blocks.hpp"
#include "planner/geo/tessellation_voronoi.hpp"

namespace gp::geo::detail {

/// The pieces of the arrangement: each with a point inside it and its block.
/// A segment of a piece's ring, normalised so that both pieces sharing it store the same key.
struct SegmentEntry {
  Point a;
  Point b;
  std::int32_t piece;
};

struct Pieces {
  std::vector<Polygon> polygons;  // shells counter-clockwise, holes clockwise
  std::vector<Point> inside;
  std::vector<std::int32_t> block;
  /// area(polygons[p]) of every piece (piece_areas), filled after the contacts (the
  /// tessellation's memory peak) for the detached pieces and the cells, which summed them piece
  /// by piece on one thread; empty until then.
  std::vector<double> area;
  /// sorted_piece_segments(polygons) when cut_pieces made it for its own check (the fast path),
  /// else empty: piece_contacts takes it instead of sorting the same segments again.
  std::vector<SegmentEntry> sorted_segments;
};

/// Every ring segment of `pieces` (outer rings and holes, zero-length ones skipped) as a
/// SegmentEntry, sorted by (a, b, piece): a total order, so the parallel sort gives std::sort's
/// order. `progress` (optional) takes the fraction done, 0 to 1.
std::vector<SegmentEntry> sorted_piece_segments(const std::vector<Polygon>& pieces,
                                                const std::function<void(double)>& progress = {});

/// area() of each polygon, computed in parallel (each value is the serial loop's).
std::vector<double> piece_areas(const std::vector<Polygon>& pieces);

/// Step 5. `outlined` and `building_block` are per local building; `outline_boxes` indexes the
/// outlined footprints (OutlineLocator::boxes). With `snap_grid_m` > 0 (a retry after GEOS
/// failed) everything is noded at once and snap-rounded to that grid. `edges`: voronoi_edges'
/// result, one BlockEdges per block, consumed: the fast path moves or frees every member as it
/// uses it but `whole`, which the fallbacks read. `report` takes the community's fraction done (0.6
/// to 0.8 here).
Pieces cut_pieces(GeosContext& ctx, const Dataset& dataset, const CommunityJob& job,
                  const CommunityBlocks& community_blocks, std::vector<BlockEdges>& edges,
                  const std::vector<char>& outlined, const BoxIndex& outline_boxes,
                  const std::vector<std::int32_t>& building_block, double snap_grid_m,
                  const std::function<void(double)>& report);

}  // namespace gp::geo::detail
