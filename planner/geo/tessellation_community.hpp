#pragma once
// Tessellation of one community (private to planner/geo; the public entry is tessellation.hpp).
// The driver gathers, per community, its buildings and the barriers near it; this computes the
// cells, the faces and blocks, and the adjacency, using one GEOS context (the calling thread's).
// See docs/decisions/0003-tessellation.md for the algorithm.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/tessellation.hpp"

namespace gp::geo::detail {

struct CommunityJob {
  std::int32_t community = kNone;  // index into Dataset::communities
  /// Ascending indices into Dataset::buildings: every building of the community (the footprint
  /// holders and own parts settled on a validated dataset are the community's).
  std::vector<std::int32_t> buildings;
  std::vector<std::int32_t> hard_lines;  // indices into Dataset::lines that cut hard faces
  std::vector<std::int32_t> soft_lines;  // indices into Dataset::lines that cut street blocks
  std::vector<std::int32_t> water;       // indices into Dataset::water (boundaries are hard)
  /// Dataset::settled_footprints(), checked once by the driver (the check reads every building);
  /// null: holders and own parts are computed for the job.
  const FootprintSettling* settled = nullptr;
};

/// Result for one community. Per-building vectors are parallel to CommunityJob::buildings;
/// face and block ids are local to the community (the driver offsets them).
struct CommunityCells {
  std::vector<MultiPolygon> cells;
  std::vector<double> area_m2;
  std::vector<double> perimeter_m;
  std::vector<std::int32_t> face;
  std::vector<std::int32_t> block;
  std::int32_t face_count = 0;
  std::int32_t block_count = 0;
  std::vector<CellAdjacency> adjacency;  // global building indices, a < b, sorted, each pair once
  /// Cells in more than one hard face: (local building, the cell's part in each face), by local
  /// building ascending.
  std::vector<std::pair<std::int32_t, std::vector<MultiPolygon>>> sides;
  ProblemReporter problems;
};

/// Called during the work with the fraction of this community done, in [0, 1], often (per
/// batch of buildings or blocks); it may throw gp::Cancelled.
using CommunityProgress = std::function<void(double)>;

/// The part [from, to] of the community's fraction that one step fills: the step reports its own
/// fraction in [0, 1]. `report` must outlive the result.
inline std::function<void(double)> progress_span(const std::function<void(double)>& report,
                                                 double from, double to) {
  return [&report, from, to](double f) { report(from + (to - from) * std::clamp(f, 0.0, 1.0)); };
}

/// Counts work done by a loop (possibly on several threads) against a known total and passes
/// the fraction on every `every` units or more, so that a long step reports while it runs (issue
/// 12/14 item 5: an update at least once a second) without a call per item. The receiver keeps
/// only rises (tessellate_community), so counts reported out of order do no harm.
class ProgressCount {
 public:
  ProgressCount(const std::function<void(double)>& report, std::size_t total, std::size_t every)
      : report_(report),
        total_(std::max<std::size_t>(total, 1)),
        every_(std::max<std::size_t>(every, 1)) {}
  void add(std::size_t count) {
    if (count == 0) return;
    const std::size_t before = done_.fetch_add(count);
    const std::size_t now = before + count;
    if (now / every_ != before / every_ || now >= total_)
      report_(double(std::min(now, total_)) / double(total_));
  }

 private:
  const std::function<void(double)>& report_;
  std::size_t total_;
  std::size_t every_;
  std::atomic<std::size_t> done_{0};
};

/// Precondition: job.buildings is not empty and the community footprint is a valid polygon.
/// `snap_grid_m` is the snap-rounding grid (params.snap_grid_m, or coarser on a retry).
CommunityCells tessellate_community(GeosContext& ctx, const Dataset& dataset,
                                    const CommunityJob& job, const TessellationParams& params,
                                    double snap_grid_m, const CommunityProgress& tick = {});

}  // namespace gp::geo::detail
