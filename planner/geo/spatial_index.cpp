#include "planner/geo/spatial_index.hpp"

#include <algorithm>
#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <boost/iterator/function_output_iterator.hpp>
#include <cmath>
#include <iterator>
#include <utility>

namespace gp::geo {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {
using BgPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using BgBox = bg::model::box<BgPoint>;
using Entry = std::pair<BgBox, std::int32_t>;

BgBox to_bg(const Box& box) {
  return BgBox(BgPoint(box.min_x, box.min_y), BgPoint(box.max_x, box.max_y));
}
}  // namespace

struct BoxIndex::Impl {
  // 16 entries per node: a common sweet spot for 2-D boxes; the packing constructor (STR-like
  // bulk loading) decides the layout, the rstar parameter only matters for later inserts.
  bgi::rtree<Entry, bgi::rstar<16>> tree;
};

BoxIndex::BoxIndex() : impl_(std::make_unique<Impl>()) {}

BoxIndex::BoxIndex(const std::vector<Box>& boxes) {
  std::vector<Entry> entries;
  entries.reserve(boxes.size());
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    if (boxes[i].empty()) continue;
    entries.emplace_back(to_bg(boxes[i]), static_cast<std::int32_t>(i));
  }
  // The range constructor bulk-loads with the packing algorithm.
  impl_ = std::make_unique<Impl>(Impl{{entries.begin(), entries.end()}});
}

BoxIndex::~BoxIndex() = default;
BoxIndex::BoxIndex(BoxIndex&&) noexcept = default;
BoxIndex& BoxIndex::operator=(BoxIndex&&) noexcept = default;

std::size_t BoxIndex::size() const {
  return impl_->tree.size();
}

std::vector<std::int32_t> BoxIndex::intersecting(const Box& query) const {
  std::vector<std::int32_t> out;
  intersecting(query, out);
  return out;
}

void BoxIndex::intersecting(const Box& query, std::vector<std::int32_t>& out) const {
  out.clear();
  if (query.empty() || impl_->tree.empty()) return;
  // The recursive query, not the incremental one (qbegin): that one allocates its own stack of
  // nodes on the heap at every query, a malloc and a free per call in the hottest loops
  // (docs/decisions/0003-tessellation.md, "CPU, round 9"). Same hits, sorted below.
  impl_->tree.query(bgi::intersects(to_bg(query)),
                    boost::make_function_output_iterator(
                        [&out](const Entry& entry) { out.push_back(entry.second); }));
  std::sort(out.begin(), out.end());
}

void BoxIndex::intersecting_unsorted(const Box& query, std::vector<std::int32_t>& out) const {
  out.clear();
  if (query.empty() || impl_->tree.empty()) return;
  impl_->tree.query(bgi::intersects(to_bg(query)),
                    boost::make_function_output_iterator(
                        [&out](const Entry& entry) { out.push_back(entry.second); }));
}

bool BoxIndex::any_intersecting(const Box& query) const {
  if (query.empty() || impl_->tree.empty()) return false;
  return impl_->tree.query(bgi::intersects(to_bg(query)),
                           boost::make_function_output_iterator([](const Entry&) {})) > 0;
}

std::vector<std::int32_t> BoxIndex::nearest(const Box& query, std::size_t k) const {
  std::vector<std::int32_t> out;
  if (query.empty() || k == 0 || impl_->tree.empty()) return out;
  const BgBox q = to_bg(query);
  std::vector<Entry> found;
  found.reserve(k);
  impl_->tree.query(bgi::nearest(q, static_cast<unsigned>(k)), std::back_inserter(found));
  std::vector<std::pair<double, std::int32_t>> ranked;
  ranked.reserve(found.size());
  for (const Entry& e : found) ranked.emplace_back(bg::comparable_distance(q, e.first), e.second);
  std::sort(ranked.begin(), ranked.end());
  out.reserve(ranked.size());
  for (const auto& [distance, id] : ranked) out.push_back(id);
  return out;
}

std::vector<std::int32_t> BoxIndex::nearest(const Point& query, std::size_t k) const {
  return nearest(Box{query.x, query.y, query.x, query.y}, k);
}

BoxGrid::BoxGrid(const std::vector<Box>& boxes) : boxes_(&boxes) {
  std::size_t count = 0;
  double extent_sum = 0.0;
  for (const Box& box : boxes) {
    if (box.empty()) continue;
    extent_.expand(box);
    extent_sum += std::max(box.width(), box.height());
    ++count;
  }
  if (count == 0) return;
  // Buckets about the size of a box, and about as many as boxes; coarser while the entries
  // (a box in every bucket it overlaps) would pass 8 per box (long diagonal edges).
  const double width = extent_.width(), height = extent_.height();
  double cell = std::max({extent_sum / static_cast<double>(count),
                          std::sqrt(width * height / static_cast<double>(count)),
                          std::max(width, height) / 4096.0, 1e-9});
  auto span = [&](double lo, double hi, double origin) {
    return static_cast<std::int64_t>(std::floor((hi - origin) / cell)) -
           static_cast<std::int64_t>(std::floor((lo - origin) / cell)) + 1;
  };
  for (;;) {
    std::int64_t entries = 0;
    for (const Box& box : boxes)
      if (!box.empty())
        entries +=
            span(box.min_x, box.max_x, extent_.min_x) * span(box.min_y, box.max_y, extent_.min_y);
    if (entries <= 8 * static_cast<std::int64_t>(count) + 1024) break;
    cell *= 2.0;
  }
  cell_ = cell;
  columns_ = static_cast<std::int64_t>(std::floor(width / cell)) + 1;
  rows_ = static_cast<std::int64_t>(std::floor(height / cell)) + 1;
  start_.assign(static_cast<std::size_t>(columns_ * rows_) + 1, 0);
  auto each_bucket = [&](const Box& box, const auto& visit) {
    const std::int64_t c0 = column(box.min_x), c1 = column(box.max_x);
    const std::int64_t r0 = row(box.min_y), r1 = row(box.max_y);
    for (std::int64_t r = r0; r <= r1; ++r)
      for (std::int64_t c = c0; c <= c1; ++c) visit(static_cast<std::size_t>(r * columns_ + c));
  };
  for (const Box& box : boxes)
    if (!box.empty()) each_bucket(box, [&](std::size_t b) { ++start_[b + 1]; });
  for (std::size_t b = 1; b < start_.size(); ++b) start_[b] += start_[b - 1];
  entries_.resize(start_.back());
  std::vector<std::uint32_t> fill(start_.begin(), start_.end() - 1);
  for (std::size_t i = 0; i < boxes.size(); ++i)  // ascending within every bucket
    if (!boxes[i].empty())
      each_bucket(boxes[i],
                  [&](std::size_t b) { entries_[fill[b]++] = static_cast<std::int32_t>(i); });
}

std::int64_t BoxGrid::column(double x) const {
  return std::clamp<std::int64_t>(
      static_cast<std::int64_t>(std::floor((x - extent_.min_x) / cell_)), 0,
      std::max<std::int64_t>(columns_ - 1, 0));
}

std::int64_t BoxGrid::row(double y) const {
  return std::clamp<std::int64_t>(
      static_cast<std::int64_t>(std::floor((y - extent_.min_y) / cell_)), 0,
      std::max<std::int64_t>(rows_ - 1, 0));
}

void BoxGrid::holding(const Point& p, std::vector<std::int32_t>& out) const {
  out.clear();
  if (entries_.empty() || !(p.x >= extent_.min_x && p.x <= extent_.max_x && p.y >= extent_.min_y &&
                            p.y <= extent_.max_y))
    return;
  const auto b = static_cast<std::size_t>(row(p.y) * columns_ + column(p.x));
  for (std::uint32_t k = start_[b]; k < start_[b + 1]; ++k) {
    const Box& box = (*boxes_)[static_cast<std::size_t>(entries_[k])];
    if (p.x >= box.min_x && p.x <= box.max_x && p.y >= box.min_y && p.y <= box.max_y)
      out.push_back(entries_[k]);
  }
}

double box_distance(const Box& a, const Box& b) {
  if (a.empty() || b.empty()) return INFINITY;
  const double dx = std::max({0.0, a.min_x - b.max_x, b.min_x - a.max_x});
  const double dy = std::max({0.0, a.min_y - b.max_y, b.min_y - a.max_y});
  return std::hypot(dx, dy);
}

}  // namespace gp::geo
