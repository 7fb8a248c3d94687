#pragma once
// Voronoi edges of one community's street blocks (private to planner/geo; step 4 of
// docs/decisions/0003-tessellation.md). The edges come from GEOS's Delaunay triangulation of
// each block's sites (circumcentres computed once and merged when closer than 1 µm, so that
// edges meeting at a Voronoi vertex share it exactly), cut to the block's box + 1 m; each edge
// is then sorted by what the noding must do with it (BlockEdges).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <mutex>
#include <utility>
#include <vector>

#include "planner/core/parallel.hpp"
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
  std::vector<std::int32_t> to_node_block;  // the block of each `to_node` part
  std::vector<Segment> whole;  // every edge meeting the block, uncut (the fallback's input)
  std::vector<std::int32_t> whole_block;  // the block of each `whole` edge
  /// Edges ≥ kClearanceM inside the block but near outlines (local building indices): noded
  /// by GEOS, or by crossing_outlines when their only outline is free (see there).
  std::vector<Segment> near_outline;
  /// The one outline near each `near_outline` edge, or -1 when several are: an edge near one
  /// outline only can be crossed with it (when that one is free), one near several never, and
  /// its outlines are then in `near_several`. (Not a vector of outlines per edge: one allocation
  /// per edge, ~4 % of the Voronoi step's samples at real-100000.)
  std::vector<std::int32_t> near_outline_one;
  std::vector<std::int32_t> near_outline_block;  // the block of each `near_outline` edge
  std::vector<std::int32_t> near_several;        // the outlines near edges that are near several
  std::vector<std::int32_t> near_cut;            // outlines near edges cut at the block boundary
  /// The edges near the block boundary, uncut, with their block (for cross_block_rings).
  std::vector<std::pair<Segment, std::int32_t>> boundary;

  /// The blocks' edges joined in block order, each vector reserved once for all of them (not
  /// regrown and copied block after block: on real-100000 the regrowing's fresh pages were a
  /// fifth of the Voronoi step), each block's freed once it is in. `each_joined` is called after
  /// each block's part (progress: joining and freeing millions of edges takes seconds at 1M).
  static BlockEdges joined(std::vector<BlockEdges>& parts,
                           const std::function<void()>& each_joined = {}) {
    // Each member sized once for all blocks, then every block's part copied to its offset and
    // freed, the blocks in parallel (a serial join was seconds of one core at 1M buildings).
    BlockEdges all;
    const std::size_t count = parts.size();
    std::vector<std::size_t> offsets(count + 1);
    auto room = [&](auto member) {
      offsets[0] = 0;
      for (std::size_t b = 0; b < count; ++b)
        offsets[b + 1] = offsets[b] + (parts[b].*member).size();
      (all.*member).resize(offsets[count]);
      return offsets;
    };
    const std::vector<std::vector<std::size_t>> at{room(&BlockEdges::inner),
                                                   room(&BlockEdges::to_node),
                                                   room(&BlockEdges::to_node_block),
                                                   room(&BlockEdges::whole),
                                                   room(&BlockEdges::whole_block),
                                                   room(&BlockEdges::near_outline),
                                                   room(&BlockEdges::near_outline_one),
                                                   room(&BlockEdges::near_several),
                                                   room(&BlockEdges::near_outline_block),
                                                   room(&BlockEdges::near_cut),
                                                   room(&BlockEdges::boundary)};
    std::mutex joined_mutex;
    parallel_for(0, count, [&](std::size_t b) {
      BlockEdges& part = parts[b];
      std::size_t m = 0;
      auto put = [&](auto member) {
        auto& from = part.*member;
        std::copy(from.begin(), from.end(), (all.*member).begin() + std::ptrdiff_t(at[m++][b]));
      };
      put(&BlockEdges::inner);
      put(&BlockEdges::to_node);
      put(&BlockEdges::to_node_block);
      put(&BlockEdges::whole);
      put(&BlockEdges::whole_block);
      put(&BlockEdges::near_outline);
      put(&BlockEdges::near_outline_one);
      put(&BlockEdges::near_several);
      put(&BlockEdges::near_outline_block);
      put(&BlockEdges::near_cut);
      put(&BlockEdges::boundary);
      part = BlockEdges{};
      if (each_joined) {
        const std::lock_guard lock(joined_mutex);
        each_joined();
      }
    });
    return all;
  }

  /// Appends another block's edges (blocks are joined in block order).
  void append(BlockEdges&& other) {
    auto join = [](auto& into, auto& from) {
      into.insert(into.end(), std::make_move_iterator(from.begin()),
                  std::make_move_iterator(from.end()));
    };
    join(inner, other.inner);
    join(to_node, other.to_node);
    join(to_node_block, other.to_node_block);
    join(whole, other.whole);
    join(whole_block, other.whole_block);
    join(near_outline, other.near_outline);
    join(near_outline_one, other.near_outline_one);
    join(near_several, other.near_several);
    join(near_outline_block, other.near_outline_block);
    join(near_cut, other.near_cut);
    join(boundary, other.boundary);
  }
};

/// Step 4 (edges): the Voronoi edges of every block with two or more sites, sorted into
/// BlockEdges. `outline_boxes`: the boxes of the outlines that join the linework.
BlockEdges voronoi_edges(const CommunityBlocks& blocks,
                         const std::vector<std::vector<Site>>& block_sites,
                         const BoxIndex& outline_boxes, const std::function<void(double)>& report);

}  // namespace gp::geo::detail
