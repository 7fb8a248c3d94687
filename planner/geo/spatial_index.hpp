#pragma once
// A static spatial index over axis-aligned boxes (metres, projected CRS), each identified by its
// position in the input vector. Backed by a Boost.Geometry R-tree that is bulk-loaded once with
// the packing constructor (better query performance than one-by-one insertion, and no rebuilds:
// the datasets we index are fixed after loading). Boost stays inside spatial_index.cpp so that
// including this header is cheap.
//
// Thread safety: building is single-threaded; const queries may run concurrently from any number
// of threads (the R-tree is not modified after construction).

#include <cstdint>
#include <memory>
#include <vector>

#include "planner/core/geometry.hpp"

namespace gp::geo {

class BoxIndex {
 public:
  /// An empty index: every query returns nothing.
  BoxIndex();
  /// Indexes boxes[i] with payload i. Empty boxes (Box::empty(), e.g. the bounds of an empty
  /// geometry) are skipped: they intersect nothing and are never nearest.
  /// Precondition: boxes.size() fits in int32.
  explicit BoxIndex(const std::vector<Box>& boxes);
  ~BoxIndex();
  BoxIndex(BoxIndex&&) noexcept;
  BoxIndex& operator=(BoxIndex&&) noexcept;
  BoxIndex(const BoxIndex&) = delete;
  BoxIndex& operator=(const BoxIndex&) = delete;

  /// Number of indexed (non-empty) boxes.
  [[nodiscard]] std::size_t size() const;

  /// Payloads of boxes that intersect `query` (touching edges count), ascending.
  [[nodiscard]] std::vector<std::int32_t> intersecting(const Box& query) const;
  /// Same, into `out` (cleared first), to reuse its allocation in hot loops.
  void intersecting(const Box& query, std::vector<std::int32_t>& out) const;
  /// Same payloads in no particular order (not sorted: for callers whose answer does not depend
  /// on the order, e.g. a crossing-number test).
  void intersecting_unsorted(const Box& query, std::vector<std::int32_t>& out) const;
  /// Whether any box intersects `query` (touching edges count): intersecting() is not empty.
  [[nodiscard]] bool any_intersecting(const Box& query) const;

  /// Up to k payloads whose boxes are nearest to `query` (box-to-box distance, 0 when they
  /// intersect), ordered by distance then payload. When several boxes tie at the k-th distance,
  /// which of them are returned is unspecified.
  [[nodiscard]] std::vector<std::int32_t> nearest(const Box& query, std::size_t k) const;
  [[nodiscard]] std::vector<std::int32_t> nearest(const Point& query, std::size_t k) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The boxes holding a point, from a uniform grid of buckets: for many small boxes (a community's
/// grid edges, widened by a tolerance) asked about one point each, a few times cheaper than
/// BoxIndex (no tree to walk, no sort: each bucket lists its boxes in ascending order). Same
/// answer as BoxIndex::intersecting with the point's degenerate box (closed boxes: a point on a
/// box's edge is held). Empty boxes are skipped. Const queries are thread-safe.
class BoxGrid {
 public:
  explicit BoxGrid(const std::vector<Box>& boxes);
  /// Positions of the boxes holding `p`, ascending, into `out` (cleared first).
  void holding(const Point& p, std::vector<std::int32_t>& out) const;

 private:
  [[nodiscard]] std::int64_t column(double x) const;
  [[nodiscard]] std::int64_t row(double y) const;
  const std::vector<Box>* boxes_;
  Box extent_;
  double cell_ = 1.0;
  std::int64_t columns_ = 0, rows_ = 0;
  std::vector<std::uint32_t> start_;  // bucket → first entry; size columns × rows + 1
  std::vector<std::int32_t> entries_;
};

/// Distance between two boxes in metres (0 when they intersect or touch).
double box_distance(const Box& a, const Box& b);

}  // namespace gp::geo
