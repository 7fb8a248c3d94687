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

double box_distance(const Box& a, const Box& b) {
  if (a.empty() || b.empty()) return INFINITY;
  const double dx = std::max({0.0, a.min_x - b.max_x, b.min_x - a.max_x});
  const double dy = std::max({0.0, a.min_y - b.max_y, b.min_y - a.max_y});
  return std::hypot(dx, dy);
}

}  // namespace gp::geo
