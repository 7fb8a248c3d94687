#include "planner/geo/area_cells.hpp"

#include <algorithm>
#include <cmath>

namespace gp::geo {

namespace {

constexpr std::uint8_t kOutline = 0;  // Where::mixed
constexpr std::uint8_t kInside = 1;
constexpr std::uint8_t kOutside = 2;
constexpr std::uint8_t kUnset = 3;  // while building: off the outline, not yet classified

template <typename Visit>
void for_each_edge(const MultiPolygon& area, const Visit& visit) {
  auto ring_edges = [&](const Ring& ring) {
    if (ring.size() < 2) return;
    for (std::size_t k = 0; k + 1 < ring.size(); ++k) visit(ring[k], ring[k + 1]);
    if (!(ring.front() == ring.back())) visit(ring.back(), ring.front());  // implied closing edge
  };
  for (const Polygon& polygon : area) {
    ring_edges(polygon.outer);
    for (const Ring& hole : polygon.holes) ring_edges(hole);
  }
}

}  // namespace

std::int64_t AreaCells::first_cell(double v, double origin, std::int64_t n) const {
  auto edge = [&](std::int64_t i) { return origin + double(i) * cell_; };  // as edge_x / edge_y
  auto i = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((v - origin) / cell_)), 0,
                                    n - 1);
  while (i > 0 && edge(i) >= v) --i;
  while (i < n - 1 && edge(i + 1) < v) ++i;
  return i;
}

std::int64_t AreaCells::last_cell(double v, double origin, std::int64_t n) const {
  auto edge = [&](std::int64_t i) { return origin + double(i) * cell_; };
  auto i = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((v - origin) / cell_)), 0,
                                    n - 1);
  while (i < n - 1 && edge(i + 1) <= v) ++i;
  while (i > 0 && edge(i) > v) --i;
  return i;
}

AreaCells::AreaCells(const MultiPolygon& area, double cell_m, std::size_t max_cells) {
  Box box;
  for (const Polygon& polygon : area) box.expand(bounds(polygon.outer));
  if (box.empty() || !(cell_m > 0.0) || max_cells == 0) return;
  cell_ = std::max(cell_m, std::sqrt((box.width() + 2.0 * cell_m) * (box.height() + 2.0 * cell_m) /
                                     static_cast<double>(max_cells)));
  // One cell of margin on every side: the outermost cells are off the outline, outside.
  x0_ = box.min_x - cell_;
  y0_ = box.min_y - cell_;
  nx_ = static_cast<std::int64_t>(std::ceil((box.max_x - x0_) / cell_)) + 2;
  ny_ = static_cast<std::int64_t>(std::ceil((box.max_y - y0_) / cell_)) + 2;
  bounds_ = Box{edge_x(0), edge_y(0), edge_x(nx_), edge_y(ny_)};
  state_.assign(static_cast<std::size_t>(nx_ * ny_), kUnset);

  // 1. The outline: every cell whose closed box meets an edge's box, grown by a margin far above
  //    the rounding of the coordinates (1e-9 of their size: 5 mm at 5,000 km) — a cell that is
  //    not marked holds no point of the outline. Long edges go in pieces of about a cell, so a
  //    diagonal edge marks a band of cells, not its whole box.
  const double scale = std::max(
      {std::abs(box.min_x), std::abs(box.max_x), std::abs(box.min_y), std::abs(box.max_y), 1.0});
  const double margin = 1e-9 * scale;
  auto mark = [&](double ax, double ay, double bx, double by) {
    const std::int64_t i0 = first_column(std::min(ax, bx) - margin),
                       i1 = last_column(std::max(ax, bx) + margin);
    const std::int64_t j0 = first_row(std::min(ay, by) - margin),
                       j1 = last_row(std::max(ay, by) + margin);
    for (std::int64_t j = j0; j <= j1; ++j)
      std::fill(state_.begin() + j * nx_ + i0, state_.begin() + j * nx_ + i1 + 1, kOutline);
  };
  // 2. The crossings of each row's centre line, by the half-open rule of point_in_polygon.hpp:
  //    counted first, then stored row by row.
  std::vector<std::uint32_t> start(static_cast<std::size_t>(ny_) + 1, 0);
  auto rows_crossed = [&](const Point& a, const Point& b, std::int64_t& j0, std::int64_t& j1) {
    // Rows whose centre c has (a.y > c) != (b.y > c): min(a.y, b.y) <= c < max(a.y, b.y).
    const double lo = std::min(a.y, b.y), hi = std::max(a.y, b.y);
    j0 = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::ceil((lo - y0_) / cell_ - 0.5)), 0,
                                  ny_);
    while (j0 > 0 && edge_y(j0 - 1) + 0.5 * cell_ >= lo) --j0;
    while (j0 < ny_ && edge_y(j0) + 0.5 * cell_ < lo) ++j0;
    j1 = j0;
    while (j1 < ny_ && edge_y(j1) + 0.5 * cell_ < hi) ++j1;  // one past the last
  };
  for_each_edge(area, [&](const Point& a, const Point& b) {
    const double length = std::hypot(b.x - a.x, b.y - a.y);
    const auto pieces =
        std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(length / cell_)));
    double px = a.x, py = a.y;
    for (std::size_t s = 1; s <= pieces; ++s) {
      const double t = static_cast<double>(s) / static_cast<double>(pieces);
      const double qx = s == pieces ? b.x : a.x + t * (b.x - a.x);
      const double qy = s == pieces ? b.y : a.y + t * (b.y - a.y);
      mark(px, py, qx, qy);
      px = qx;
      py = qy;
    }
    std::int64_t j0 = 0, j1 = 0;
    rows_crossed(a, b, j0, j1);
    for (std::int64_t j = j0; j < j1; ++j) ++start[static_cast<std::size_t>(j) + 1];
  });
  for (std::size_t j = 0; j < static_cast<std::size_t>(ny_); ++j) start[j + 1] += start[j];
  std::vector<double> crossings(start.back());
  std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
  for_each_edge(area, [&](const Point& a, const Point& b) {
    std::int64_t j0 = 0, j1 = 0;
    rows_crossed(a, b, j0, j1);
    for (std::int64_t j = j0; j < j1; ++j) {
      const double c = edge_y(j) + 0.5 * cell_;
      if ((a.y > c) == (b.y > c)) continue;  // the count above was by the same rule
      crossings[fill[static_cast<std::size_t>(j)]++] = (b.x - a.x) * (c - a.y) / (b.y - a.y) + a.x;
    }
  });
  // 3. Each row's runs of cells off the outline, by the crossings right of the run's first centre.
  for (std::int64_t j = 0; j < ny_; ++j) {
    const auto first = crossings.begin() + start[static_cast<std::size_t>(j)];
    const auto last = crossings.begin() + fill[static_cast<std::size_t>(j)];
    std::sort(first, last);
    std::uint8_t* row = state_.data() + j * nx_;
    for (std::int64_t i = 0; i < nx_;) {
      if (row[i] == kOutline) {
        ++i;
        continue;
      }
      const double centre = edge_x(i) + 0.5 * cell_;
      const auto right = static_cast<std::size_t>(last - std::upper_bound(first, last, centre));
      const std::uint8_t where = right % 2 == 1 ? kInside : kOutside;
      for (; i < nx_ && row[i] != kOutline; ++i) row[i] = where;
    }
  }
}

AreaCells::Where AreaCells::locate(const Point& p) const {
  if (state_.empty()) return Where::mixed;
  if (p.x < bounds_.min_x || p.x > bounds_.max_x || p.y < bounds_.min_y || p.y > bounds_.max_y)
    return Where::outside;
  const std::int64_t i = first_column(p.x), j = first_row(p.y);
  return static_cast<Where>(state_[static_cast<std::size_t>(j * nx_ + i)]);
}

AreaCells::Where AreaCells::locate(const Box& box) const {
  if (state_.empty() || box.empty()) return Where::mixed;
  if (box.min_x > bounds_.max_x || box.max_x < bounds_.min_x || box.min_y > bounds_.max_y ||
      box.max_y < bounds_.min_y)
    return Where::outside;
  // Beyond the grid is outside the area's bounds: outside.
  const bool beyond = box.min_x < bounds_.min_x || box.max_x > bounds_.max_x ||
                      box.min_y < bounds_.min_y || box.max_y > bounds_.max_y;
  const std::int64_t i0 = first_column(box.min_x), i1 = last_column(box.max_x);
  const std::int64_t j0 = first_row(box.min_y), j1 = last_row(box.max_y);
  const std::uint8_t seen = state_[static_cast<std::size_t>(j0 * nx_ + i0)];
  if (seen == kOutline || (beyond && seen != kOutside)) return Where::mixed;
  for (std::int64_t j = j0; j <= j1; ++j)
    for (std::int64_t i = i0; i <= i1; ++i)
      if (state_[static_cast<std::size_t>(j * nx_ + i)] != seen) return Where::mixed;
  return static_cast<Where>(seen);
}

std::size_t AreaCells::outline_cells() const {
  return static_cast<std::size_t>(std::count(state_.begin(), state_.end(), kOutline));
}

}  // namespace gp::geo
