#pragma once
// The built-up area of a town: where to plan when no community layer is given. Instead of the
// bounding box (whose outer grids are fans of empty land hundreds of metres past the last
// building), the area is the buildings' footprints grown by `reach_m` and shrunk back by
// `reach_m − margin_m` (a morphological closing plus a margin): buildings closer than
// 2 × reach_m to each other form one area, its outline keeps about `margin_m` from the outermost
// buildings, and open land wider than 2 × reach_m (a park, a river, fields) stays outside.

#include <cstddef>
#include <functional>
#include <vector>

#include "planner/core/geometry.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/geos_watch.hpp"

namespace gp::geo {

struct BuiltUpParams {
  double reach_m = 60.0;   // half the widest gap between buildings that is bridged, m
  double margin_m = 30.0;  // distance kept from the outermost buildings, m
  // Progress inside the merge's unions and the shrink's buffers (geos_watch.hpp): a round of
  // calls expected to pass fewer GEOS checkpoints than this is made directly, the others on a
  // helper thread while this one reports every poll_interval_s. Tests lower both; the area
  // does not depend on them.
  double polled_min_checkpoints = kPolledMinCheckpoints;
  double poll_interval_s = 0.1;
};

/// The built-up area of `footprints` (projected CRS, metres); empty when there are none.
/// Throws GeosError when GEOS fails. Uses every core. Only the footprints whose grown shapes the
/// others' grown shapes do not cover are grown and merged (most of a dense town's are covered;
/// the area is the same, see built_up_area.cpp), and the merged shape is shrunk part by part.
/// `grown(n)`, when given, is called on the calling thread with the progress units done since
/// the last call (n sums to footprints.size(): the first quarter while choosing the footprints
/// to grow, then three quarters of the rest while growing and merging blocks of them, the last
/// quarter of the rest while the blocks' unions are merged level by level and the parts shrunk).
MultiPolygon built_up_area(GeosContext& ctx, const std::vector<const MultiPolygon*>& footprints,
                           const BuiltUpParams& params = {},
                           const std::function<void(std::size_t)>& grown = {});

}  // namespace gp::geo
