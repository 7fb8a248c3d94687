#include "planner/geo/built_up_area.hpp"

#include <geos_c.h>

#include <algorithm>
#include <cstdint>
#include <tuple>

#include "planner/core/parallel.hpp"

namespace gp::geo {

namespace {

/// Interleaves the bits of two 16-bit cell numbers (a Z-order curve): footprints close in this
/// order are close on the ground, so a block of consecutive ones is a compact patch.
std::uint32_t morton(std::uint32_t x, std::uint32_t y) {
  auto spread = [](std::uint32_t v) {
    v &= 0xFFFF;
    v = (v | (v << 8)) & 0x00FF00FF;
    v = (v | (v << 4)) & 0x0F0F0F0F;
    v = (v | (v << 2)) & 0x33333333;
    v = (v | (v << 1)) & 0x55555555;
    return v;
  };
  return spread(x) | (spread(y) << 1);
}

}  // namespace

MultiPolygon built_up_area(GeosContext& ctx, const std::vector<const MultiPolygon*>& footprints,
                           const BuiltUpParams& params,
                           const std::function<void(std::size_t)>& grown_block) {
  GEOSContextHandle_t h = ctx.handle();
  // 4 segments per quarter circle: the outline is a planning boundary, not a survey line.
  constexpr int kQuadrantSegments = 4;
  // Each footprint is grown on its own (which also mends invalid rings), then the grown shapes
  // are merged by unions: buffering one collection of tens of thousands of raw footprints makes
  // GEOS overlay them all at once and runs out of memory (Monaco, 23k).
  //
  // The grown footprints are merged in blocks of neighbours (Z-order of their bounding-box
  // centres), the blocks spread over the cores and reported between rounds, then the blocks'
  // unions are merged. Union is associative, so the area is the one a single unary union of all
  // grown footprints gives (same parts; tests/geo/test_validate_progress.cpp compares them); on
  // the real 100k-building town the single union and the growing before it were one silent
  // GEOS call of over a minute on the loaded machine.
  std::vector<std::size_t> order;
  order.reserve(footprints.size());
  Box extent;
  std::vector<Box> boxes(footprints.size());
  for (std::size_t i = 0; i < footprints.size(); ++i) {
    if (footprints[i] == nullptr || footprints[i]->empty()) continue;
    boxes[i] = bounds(*footprints[i]);
    if (boxes[i].empty()) continue;
    extent.expand(boxes[i]);
    order.push_back(i);
  }
  if (order.empty()) {
    if (grown_block && !footprints.empty()) grown_block(footprints.size());
    return {};
  }
  {
    const double w = std::max(extent.width(), 1e-9), hgt = std::max(extent.height(), 1e-9);
    std::vector<std::uint32_t> key(footprints.size(), 0);
    for (std::size_t i : order) {
      const Box& b = boxes[i];
      const double cx = 0.5 * (b.min_x + b.max_x), cy = 0.5 * (b.min_y + b.max_y);
      key[i] = morton(static_cast<std::uint32_t>((cx - extent.min_x) / w * 65535.0),
                      static_cast<std::uint32_t>((cy - extent.min_y) / hgt * 65535.0));
    }
    // Ties by index: the blocks do not depend on the sort's whims.
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::tie(key[a], a) < std::tie(key[b], b);
    });
  }

  // 256 footprints per block, 4 blocks per round (1,024 footprints between progress reports: well
  // under a second on the loaded 2-core machine; 4 blocks keep up to 4 cores busy).
  constexpr std::size_t kBlock = 256;
  const std::size_t blocks = (order.size() + kBlock - 1) / kBlock;
  // Contexts before the geometries: a block's union is made on a worker's context and destroyed
  // after the final merge, while the contexts still live.
  PerThread<GeosContext> contexts;
  std::vector<GEOSGeometry*> merged(blocks, nullptr);
  struct Release {
    std::vector<GEOSGeometry*>& geometries;
    GEOSContextHandle_t h;
    ~Release() {
      for (GEOSGeometry* g : geometries)
        if (g) GEOSGeom_destroy_r(h, g);
    }
  } release{merged, h};

  auto merge_block = [&](std::size_t block) {
    GeosContext& local = contexts.local();
    GEOSContextHandle_t lh = local.handle();
    const std::size_t first = block * kBlock, last = std::min(order.size(), first + kBlock);
    std::vector<GEOSGeometry*> parts;
    parts.reserve(last - first);
    for (std::size_t k = first; k < last; ++k) {
      GeomPtr raw = to_geos(local, *footprints[order[k]]);
      if (GEOSGeometry* grown = GEOSBuffer_r(lh, raw.get(), params.reach_m, kQuadrantSegments))
        parts.push_back(grown);
    }
    if (parts.empty()) return;
    // The collection takes ownership of the parts.
    GeomPtr all = own(local,
                      GEOSGeom_createCollection_r(lh, GEOS_GEOMETRYCOLLECTION, parts.data(),
                                                  static_cast<unsigned>(parts.size())),
                      "built-up area: collecting grown footprints");
    merged[block] = own(local, GEOSUnaryUnion_r(lh, all.get()), "built-up area: merging").release();
  };
  // Progress units are footprints (they sum to footprints.size()): the growing and the blocks'
  // unions report three quarters of each block's footprints, the merge of the blocks' unions
  // below the last quarter, level by level.
  std::size_t reported = 0;
  auto report_to = [&](std::size_t units) {
    if (grown_block && units > reported) {
      grown_block(units - reported);
      reported = units;
    }
  };
  const std::size_t held_back = order.size() / 4;
  // Rounds of a few blocks per core, reported from this thread between rounds.
  const std::size_t round = 4;
  for (std::size_t first = 0; first < blocks; first += round) {
    const std::size_t last = std::min(blocks, first + round);
    parallel_for(first, last, merge_block);
    const std::size_t done = std::min(order.size(), last * kBlock);
    report_to(done - done * held_back / std::max<std::size_t>(order.size(), 1));
  }

  // The blocks' unions merged in a tree: groups of 4 neighbours (consecutive in Z-order) per
  // level, the groups of a level spread over the cores in rounds and reported between them.
  // Union is associative: the area and parts are those of one union of all the blocks (which
  // this replaced: a single GEOS call of 1.2 s on the real 30k town, loaded machine, no update).
  std::vector<GEOSGeometry*> level_pieces;
  for (GEOSGeometry*& g : merged)
    if (g) {
      level_pieces.push_back(g);
      g = nullptr;
    }
  Release release_pieces{level_pieces, h};  // whatever a failed merge leaves
  if (level_pieces.empty()) {
    report_to(footprints.size());
    return {};
  }
  std::size_t levels = 0;
  for (std::size_t n = level_pieces.size(); n > 1; n = (n + 3) / 4) ++levels;
  const std::size_t base = order.size() - held_back;
  for (std::size_t level = 0; level_pieces.size() > 1; ++level) {
    constexpr std::size_t kGroup = 4;
    const std::size_t groups = (level_pieces.size() + kGroup - 1) / kGroup;
    std::vector<GEOSGeometry*> next(groups, nullptr);
    // The pieces of the level are handed to the groups' collections; `next` owns the results.
    Release release_next{next, h};
    auto merge_group = [&](std::size_t group) {
      GeosContext& local = contexts.local();
      GEOSContextHandle_t lh = local.handle();
      const std::size_t first = group * kGroup,
                        last = std::min(level_pieces.size(), first + kGroup);
      if (last - first == 1) {
        next[group] = level_pieces[first];
        level_pieces[first] = nullptr;
        return;
      }
      GEOSGeometry* collection = GEOSGeom_createCollection_r(
          lh, GEOS_GEOMETRYCOLLECTION, &level_pieces[first], static_cast<unsigned>(last - first));
      if (collection == nullptr) throw GeosError("built-up area: collecting merged blocks");
      for (std::size_t k = first; k < last; ++k) level_pieces[k] = nullptr;  // owned by it now
      GeomPtr all = own(local, collection, "built-up area: collecting merged blocks");
      next[group] = own(local, GEOSUnaryUnion_r(lh, all.get()), "built-up area: merging").release();
    };
    for (std::size_t first = 0; first < groups; first += round) {
      const std::size_t last = std::min(groups, first + round);
      parallel_for(first, last, merge_group);
      const double share =
          (static_cast<double>(level) + static_cast<double>(last) / static_cast<double>(groups)) /
          static_cast<double>(levels);
      report_to(base + static_cast<std::size_t>(static_cast<double>(held_back) * share));
    }
    for (GEOSGeometry* g : level_pieces)
      if (g) GEOSGeom_destroy_r(h, g);
    level_pieces.assign(next.begin(), next.end());
    std::fill(next.begin(), next.end(), nullptr);
  }
  GeomPtr grown(level_pieces.front(), GeomDeleter{h});
  level_pieces.clear();
  report_to(footprints.size());
  GeomPtr closed =
      own(ctx, GEOSBuffer_r(h, grown.get(), -(params.reach_m - params.margin_m), kQuadrantSegments),
          "built-up area: shrinking back");
  return to_multipolygon(ctx, closed.get());
}

}  // namespace gp::geo
