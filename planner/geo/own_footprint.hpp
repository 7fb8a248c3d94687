#pragma once
// A building's own footprint: its footprint less the parts that smaller footprints overlapping
// it keep.
//
// Where two footprints overlap (a tower mapped as a building standing on its podium, a building
// drawn over another), the tessellation gives the shared area to the smaller footprint, so a
// footprint nested inside another still has a cell (docs/decisions/0008-polygon-truth.md, cause
// 3). The larger building's cell then holds only its own part, and its representative point
// (GEOS PointOnSurface of the whole footprint) can lie in the smaller one's cell, in another
// grid: Nanjing podium 318198212 was 11.7 m outside its micro grid, its point inside the tower
// on it (issue 12). The plan places such a building by its own part: the buildings layer writes
// it as the row's geometry, and the audit takes the building's point in it. The rule needs only
// the footprints, so an audit of a plan file against its input data (`gridplan check --input`)
// applies it exactly as the plan did.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/core/geometry.hpp"

namespace gp::geo {

class GeosContext;

/// A proof that the interiors of two valid footprints do not meet: a line through an edge of
/// either (one reaching the overlap of their boxes) with every vertex of one on one closed side
/// and every vertex of the other on the other (exact orientation tests). Two footprints sharing
/// a wall are separated by the wall's line. False: no proof found (ask GEOS's relate). Used by
/// own_footprints and by the tessellation's overlap test (tessellation_sites.cpp).
bool interiors_apart(GeosContext& ctx, const MultiPolygon& a, const Box& a_box,
                     const MultiPolygon& b, const Box& b_box);

/// Which of two overlapping footprints keeps their shared area: the smaller (m²), then the lower
/// index. The smaller one is the nested one when a footprint lies inside another. The same rule
/// as the tessellation's (planner/geo/tessellation_sites.hpp).
inline bool footprint_keeps_overlap(const MultiPolygon& a, std::size_t ia, const MultiPolygon& b,
                                    std::size_t ib) {
  const double area_a = area(a), area_b = area(b);
  return area_a != area_b ? area_a < area_b : ia < ib;
}

/// For each footprint, its own part (metres): the footprint less every footprint whose interior
/// meets its interior and that keeps the overlap (footprint_keeps_overlap). Empty when no such
/// footprint overlaps it (the footprint is its own part: use it as it is), when nothing is left
/// (a footprint wholly covered by smaller ones) or when GEOS cannot compute it. Parallel; the
/// result does not depend on the thread count.
std::vector<MultiPolygon> own_footprints(const std::vector<const MultiPolygon*>& footprints);

/// Share of a footprint's area that may lie outside another footprint that still holds it
/// (digitising noise along a shared wall).
inline constexpr double kHeldOutsideShare = 1e-3;

/// For each footprint, the footprint that holds it, or -1: a copy of another footprint (the
/// same shape drawn twice: the lower index holds the higher), or a footprint lying inside a
/// larger one (a tower mapped on its podium, a kiosk inside a mall), all but kHeldOutsideShare
/// of its area inside. Among several holders, the smallest (then the lowest index): a copy's is
/// the first of its copies (the original), a footprint inside a copied one's is the original.
/// The planner plans a held building together with its holder (same atom and grids:
/// partition/atoms.cpp), so its representative point, which lies in the holder's footprint, lies
/// in its grid (issue 12, polygon truth; docs/decisions/0008-polygon-truth.md). Parallel; the
/// result does not depend on the thread count.
std::vector<std::int32_t> footprint_holders(const std::vector<const MultiPolygon*>& footprints);

/// A copy: a held footprint (footprint_holders) within kHeldOutsideShare of its holder's area
/// (m², either order: the holder is the larger for footprint_holders, the one wholly covering
/// the other is the smaller for own_footprints). The one rule of the tessellation (a copy gets
/// no site), the partition (a copy rides with its original) and own_footprints (a copy takes its
/// original's own part).
inline bool footprint_is_copy(double area_a_m2, double area_b_m2) {
  return std::min(area_a_m2, area_b_m2) >=
         (1.0 - kHeldOutsideShare) * std::max(area_a_m2, area_b_m2);
}

/// footprint_holders and own_footprints computed once, after validation, for every step after
/// it (Dataset::settled): holders and the sites' own parts per community, exactly as the
/// tessellation and the partition computed them for each community, and own parts among all
/// the buildings, as the audit and the buildings layer computed them. `tick(fraction done)`
/// between blocks of buildings. Parallel; the result does not depend on the thread count.
std::shared_ptr<const FootprintSettling> settle_footprints(
    const Dataset& dataset, const std::function<void(double)>& tick = nullptr);

}  // namespace gp::geo
