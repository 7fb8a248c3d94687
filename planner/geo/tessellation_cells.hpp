#pragma once
// Cells of one community from its pieces (private to planner/geo; steps 5 (owners), 6 and 7 of
// docs/decisions/0003-tessellation.md): each piece goes to the outlined building containing it
// or the nearest site of its block; blocks without a building join a neighbouring cell; a piece
// cut off from its building's cell joins a neighbour (one piece per cell); the pieces of each
// building are dissolved into its cell, with area, perimeter and adjacency from the exactly
// shared segments.

#include <cstdint>
#include <functional>
#include <vector>

#include "planner/geo/tessellation_noding.hpp"
#include "planner/geo/tessellation_sites.hpp"

namespace gp::geo::detail {

/// Length of boundary between two pieces (b == kNone: the community boundary).
struct Contact {
  std::int32_t a;
  std::int32_t b;
  double length_m;
};

/// Contacts between pieces, from identical segments (the pieces come from one polygonization
/// of noded linework, so a shared edge has identical vertices on both sides).
/// `progress` (optional) takes the fraction done, 0 to 1.
std::vector<Contact> piece_contacts(const std::vector<Polygon>& pieces,
                                    const std::function<void(double)>& progress = {});
/// The same from the pieces' segments already sorted (sorted_piece_segments of these pieces, or
/// empty to make them here).
std::vector<Contact> piece_contacts(const std::vector<Polygon>& pieces,
                                    std::vector<SegmentEntry> sorted,
                                    const std::function<void(double)>& progress = {});

/// The owner (local building) of each piece: the outlined building whose footprint holds it,
/// else the nearest site of its block; kNone in a block without sites. Pieces are labelled in
/// parallel (each piece's owner depends on it alone). `progress` (optional): 0 to 1.
std::vector<std::int32_t> label_pieces(const Pieces& pieces,
                                       const std::vector<std::vector<Site>>& block_sites,
                                       const OutlineLocator& outlines,
                                       const std::function<void(double)>& progress = {});

/// Step 6: blocks without a building join, whole, the neighbouring cell with the longest shared
/// boundary, preferring one not across a hard barrier (reported when across one). Rounds are
/// computed from the previous round's owners only, so the result does not depend on the
/// visiting order; a block whose neighbours are all empty waits for a later round. A detached
/// part of the community with no building goes to the nearest site (warning).
void merge_empty_blocks(const Dataset& dataset, const CommunityJob& job,
                        const CommunityBlocks& blocks,
                        const std::vector<std::vector<Site>>& block_sites, const Pieces& pieces,
                        const std::vector<Contact>& contacts, std::vector<std::int32_t>& owner,
                        ProblemReporter& problems,
                        const std::function<void(double)>& progress = {});

/// Makes every cell one edge-connected set of pieces holding its building. Pieces of one owner
/// are grouped by shared edges (a contact longer than 0.01 mm; a shared vertex, or an edge of a
/// rounding error's length, does not connect). The group holding the owner's site (else its
/// largest) stays; every other group is *detached* and joins, whole, the neighbouring cell it
/// shares the longest boundary with: preferably in its own street block, then in its own hard face,
/// then across a barrier. Rounds use the previous round's owners only, so the result does not
/// depend on the visiting order. A detached group with no owned neighbour at all (a separate part
/// of a multipolygon community) keeps its owner. `piece_area`: the pieces' areas when known
/// (Pieces::area), else computed.
void reassign_detached_pieces(const std::vector<Polygon>& pieces,
                              const std::vector<std::int32_t>& piece_block,
                              const std::vector<std::int32_t>& block_face,
                              const std::vector<Contact>& contacts,
                              const std::vector<Placement>& placements,
                              std::vector<std::int32_t>& owner,
                              const std::function<void(double)>& progress = {},
                              const std::vector<double>* piece_area = nullptr);

/// Step 7: cells (dissolved pieces of each owner), areas, perimeters and adjacency into `out`;
/// a building without any piece is reported (building-without-cell). `progress` (optional): 0 to 1.
void assemble_cells(const Dataset& dataset, const CommunityJob& job,
                    const TessellationParams& params, const Pieces& pieces,
                    const std::vector<std::int32_t>& block_face,
                    const std::vector<Contact>& contacts, const std::vector<Placement>& placements,
                    const std::vector<std::int32_t>& owner, CommunityCells& out,
                    const std::function<void(double)>& progress = {});

}  // namespace gp::geo::detail
