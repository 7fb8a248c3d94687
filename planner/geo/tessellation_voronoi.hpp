#pragma once
// Voronoi edges of one community's street blocks (private to planner/geo; step 4 of
// docs/decisions/0003-tessellation.md). The edges come from GEOS's Delaunay triangulation of
// each block's sites (circumcentres computed once and merged when closer than 1 µm, so that
// edges meeting at a Voronoi vertex share it exactly), cut to the block's box + 1 m; each edge
// is then sorted by what the noding must do with it (BlockEdges).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "planner/geo/tessellation_blocks.hpp"
#include "planner/geo/tessellation_sites.hpp"

namespace gp::geo::detail {

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
  std::vector<Segment> near_outline;
  /// The one outline near each `near_outline` edge, or -1 when several are: an edge near one
  /// outline only can be crossed with it (when that one is free), one near several never, and
  /// its outlines are then in `near_several`. (Not a vector of outlines per edge: one allocation
  /// per edge, ~4 % of the Voronoi step's samples at real-100000.)
  std::vector<std::int32_t> near_outline_one;
  std::vector<std::int32_t> near_several;  // the outlines near edges that are near several
  std::vector<std::int32_t> near_cut;      // outlines near edges cut at the block boundary
  /// The edges near the block boundary, uncut (for cross_block_rings). Every member is the
  /// block's own: voronoi_edges gives one BlockEdges per block, so no edge carries its block.
  std::vector<Segment> boundary;
};

/// Step 4 (edges): the Voronoi edges of every block with two or more sites, sorted into
/// BlockEdges, one per block in block order (empty for a block with fewer than two sites).
/// `outline_boxes`: the boxes of the outlines that join the linework.
///
/// Not joined into one BlockEdges for the community: cut_pieces takes the edges block by block
/// anyway, and the join's arrays (sized, so zero-filled, on one thread before the copy) were a
/// 3.9 s silence at the end of this step at 1M buildings in one community (round 17).
std::vector<BlockEdges> voronoi_edges(const CommunityBlocks& blocks,
                                      const std::vector<std::vector<Site>>& block_sites,
                                      const BoxIndex& outline_boxes,
                                      const std::function<void(double)>& report);

}  // namespace gp::geo::detail
