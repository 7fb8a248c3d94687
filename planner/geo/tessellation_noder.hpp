#pragma once
// Own noding of one street block's linework (private to planner/geo; step 5 of
// docs/decisions/0003-tessellation.md, "Performance (fifth version)"). The pieces' face walk
// (tessellation_faces) needs segments that meet only at shared, exactly equal end points. GEOS's
// union did this block by block, but on real outlines (shared walls, touching footprints,
// corners on walls) its floating noding fails its own check and the whole block is redone by
// the snapping noder and then snap-rounding: half of the tessellation's time on real towns
// (issue 14). This noder does the same job with orientation tests and a snap tolerance:
//
// - an end point of one segment within kNodeSnapM of another segment's interior splits that
//   segment there (T-junctions, corners on walls, collinear overlaps: shared walls become
//   identical segments and are kept once);
// - two segments that cross properly (every end point clearly on one side of the other's line)
//   are both split at their computed crossing;
// - crossings computed within kNodeMergeM of a vertex of the input, or of a crossing computed
//   before, are moved onto it (three lines nearly meeting give one vertex, not a sliver);
//
// and repeats on the segments a round changed until a round finds nothing: the output is then
// proven noded up to the rounding of the orientation tests, which is bounded (Shewchuk's error
// bound) and far below the snap tolerance. Input vertices never move (they are shared with the
// lines that skip the noding and with the neighbouring blocks); only crossings are computed.

#include <cstddef>
#include <functional>
#include <vector>

#include "planner/geo/tessellation_faces.hpp"

namespace gp::geo::detail {

/// Distance (metres) within which a vertex counts as lying on a segment: the segment is split
/// there. Far above the rounding of a computed crossing (~1e-9 m at Gauss-Krüger ordinates of
/// ~3.5e6 m) and of the orientation tests, far below anything drawn; near GEOS's own snapping
/// tolerance at these ordinates (~3.5e-6 m). 1e-5 m (the merge distance) left a 100 m² piece of
/// a grid apart on real-100000 (2 grids in pieces where main holds every rule); 1e-6 m does not.
constexpr double kNodeSnapM = 1e-6;
/// Distance (metres) below which a computed crossing is moved onto a nearby vertex.
constexpr double kNodeMergeM = 1e-5;

/// What one call did (tests and benchmarks read it).
struct NodingStats {
  std::size_t rounds = 0;     // rounds run, the last one finding nothing when noded
  std::size_t crossings = 0;  // proper crossings computed
  std::size_t snaps = 0;      // segments split at a vertex near their interior
  std::size_t merged = 0;     // computed crossings moved onto a nearby vertex
};

/// Nodes `segments` (any direction; duplicates and zero-length ones allowed) in place: on
/// success every segment is normalised, unique, non-degenerate, and two segments meet at most at
/// a common end point. False when the rounds did not settle (kept to a few; the caller then
/// nodes these lines another way), `segments` being unspecified. `tick`, when given, is called
/// with the number of segments processed since its last call (for progress within large
/// blocks); it must be safe to call from the calling thread.
bool node_segments(std::vector<Segment>& segments,
                   const std::function<void(std::size_t)>& tick = nullptr,
                   NodingStats* stats = nullptr);

}  // namespace gp::geo::detail
