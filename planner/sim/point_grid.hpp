#pragma once
// A uniform grid over points for nearest-neighbour and radius queries. Plain and deterministic:
// results never depend on insertion order beyond the documented tie rule (lower index wins).

#include <cstdint>
#include <vector>

#include "planner/core/geometry.hpp"

namespace gp::sim {

class PointGrid {
 public:
  /// Indexes `points` (kept by reference: they must outlive the grid). `cell_m` 0 = choose
  /// about two points per cell.
  explicit PointGrid(const std::vector<Point>& points, double cell_m = 0.0);
  /// Index of the nearest point (lower index on ties) and its distance; −1 when empty.
  [[nodiscard]] std::int32_t nearest(const Point& query, double* distance_m = nullptr) const;
  /// Indices of all points within `radius_m` of `query` (inclusive), ascending.
  [[nodiscard]] std::vector<std::int32_t> within(const Point& query, double radius_m) const;

 private:
  [[nodiscard]] std::int64_t cell_x(double x) const;
  [[nodiscard]] std::int64_t cell_y(double y) const;

  const std::vector<Point>& points_;
  double cell_m_ = 1.0, origin_x_ = 0.0, origin_y_ = 0.0;
  std::int64_t columns_ = 0, rows_ = 0;
  std::vector<std::int32_t> offsets_, members_;
};

}  // namespace gp::sim
