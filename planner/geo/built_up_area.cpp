#include "planner/geo/built_up_area.hpp"

#include <geos_c.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <tuple>
#include <unordered_set>

#include "planner/core/parallel.hpp"
#include "planner/geo/built_up_area_validity.hpp"
#include "planner/geo/geos_watch.hpp"

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

/// Footprints whose grown shape the others' grown shapes already cover add nothing to the union
/// of grown footprints; in a dense town they are most of them, and every one of them overlaps
/// dozens of neighbours' grown shapes, which is what made the union costly (on the real 30k town
/// the unions were 53 % of the load-and-validate CPU). This keeps a subset whose grown shapes
/// cover the same area, deciding cover on a grid of cells `c` metres wide (projected CRS):
///  - a witness is a point on the boundary of a kept, valid footprint (its vertices and points
///    along its edges at most `c` apart); its grown shape covers every point within reach_m of it
///    except where GEOS approximates the arc by chords (4 segments per quadrant: at most
///    reach_m × (1 − cos 11.25°) = 1.9 % of reach_m inside the true arc);
///  - a cell is covered when a witness lies within w = reach_m − c/√2 − 3 % of reach_m of its
///    centre: every point of the cell is then within reach_m − 3 % of that witness, inside its
///    footprint's grown shape;
///  - a footprint is left out when every cell meeting its box grown by reach_m is covered: its
///    grown shape lies in that box, so in the union of kept grown shapes.
/// Invalid footprints are always kept and never witnesses (GEOS's buffer of a self-crossing ring
/// need not hold the ring). A first pass keeps a net — the first valid footprint, in the given
/// order, whose box centre falls in each reach_m square — so that cover exists on every side of
/// a footprint before it is tested; the second pass tests the rest in order, keeping (and adding
/// the witnesses of) those not covered. Sequential, in the given order: the same subset for any
/// number of threads. Returns the kept footprints, in the given order.
std::vector<std::size_t> footprints_to_grow(
    GeosContext& ctx, const std::vector<const MultiPolygon*>& footprints,
    const std::vector<Box>& boxes, const std::vector<std::size_t>& order, const Box& extent,
    double reach_m, const std::function<void(double)>& step, std::vector<std::int8_t>* validity) {
  if (order.size() < 2 || !(reach_m > 0.0)) return order;
  Box area = extent;
  area.min_x -= reach_m;
  area.min_y -= reach_m;
  area.max_x += reach_m;
  area.max_y += reach_m;
  // Cells of reach_m / 6 (10 m at the default 60 m), wider on a vast extent so that the grid
  // stays under 4·10⁷ cells (40 MB).
  const double cell = std::max(reach_m / 12.0, std::sqrt(area.width() * area.height() / 4e7));
  const double w = reach_m - cell * std::sqrt(0.5) - 0.03 * reach_m;
  if (w < cell) return order;  // cells too coarse to prove any cover
  const auto nx = static_cast<std::int64_t>(std::ceil(area.width() / cell)) + 1;
  const auto ny = static_cast<std::int64_t>(std::ceil(area.height() / cell)) + 1;
  std::vector<std::uint8_t> covered(static_cast<std::size_t>(nx * ny), 0);
  auto column = [&](double x) {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((x - area.min_x) / cell)),
                                    0, nx - 1);
  };
  auto row = [&](double y) {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((y - area.min_y) / cell)),
                                    0, ny - 1);
  };
  // Marks the cells whose centre lies within w of p, one run of cells per row.
  auto cover_around = [&](const Point& p) {
    const std::int64_t j0 = row(p.y - w), j1 = row(p.y + w);
    for (std::int64_t j = j0; j <= j1; ++j) {
      const double dy = area.min_y + (static_cast<double>(j) + 0.5) * cell - p.y;
      if (dy * dy > w * w) continue;
      const double half = std::sqrt(w * w - dy * dy);
      // Centres min_x + (i + 0.5)·cell within [p.x − half, p.x + half].
      const auto i0 = std::max<std::int64_t>(
          0, static_cast<std::int64_t>(std::ceil((p.x - half - area.min_x) / cell - 0.5)));
      const auto i1 = std::min<std::int64_t>(
          nx - 1, static_cast<std::int64_t>(std::floor((p.x + half - area.min_x) / cell - 0.5)));
      if (i0 > i1) continue;
      std::fill(covered.begin() + j * nx + i0, covered.begin() + j * nx + i1 + 1, std::uint8_t{1});
    }
  };
  auto add_witnesses = [&](const MultiPolygon& footprint) {
    auto ring_points = [&](const Ring& ring) {
      for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
        const Point& a = ring[k];
        const Point& b = ring[k + 1];
        const double length = std::hypot(b.x - a.x, b.y - a.y);
        const auto steps =
            std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(length / cell)));
        for (std::size_t s = 0; s < steps; ++s) {
          const double t = static_cast<double>(s) / static_cast<double>(steps);
          cover_around(Point{a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)});
        }
      }
    };
    for (const Polygon& polygon : footprint) {
      ring_points(polygon.outer);
      for (const Ring& hole : polygon.holes) ring_points(hole);
    }
  };
  // The cells that may meet the footprint's grown shape: those whose centre lies within
  // reach_m + c/√2 of its box (the grown shape lies within reach_m of the box).
  const double near = reach_m + cell * std::sqrt(0.5);
  auto is_covered = [&](const Box& b) {
    const std::int64_t i0 = column(b.min_x - reach_m), i1 = column(b.max_x + reach_m);
    const std::int64_t j0 = row(b.min_y - reach_m), j1 = row(b.max_y + reach_m);
    for (std::int64_t j = j0; j <= j1; ++j) {
      const double cy = area.min_y + (static_cast<double>(j) + 0.5) * cell;
      const double dy = std::max({0.0, b.min_y - cy, cy - b.max_y});
      for (std::int64_t i = i0; i <= i1; ++i) {
        const double cx = area.min_x + (static_cast<double>(i) + 0.5) * cell;
        const double dx = std::max({0.0, b.min_x - cx, cx - b.max_x});
        if (dx * dx + dy * dy > near * near) continue;
        if (!covered[static_cast<std::size_t>(j * nx + i)]) return false;
      }
    }
    return true;
  };
  auto is_valid = [&](std::size_t f) {
    GeomPtr g = to_geos(ctx, *footprints[f]);
    const char valid = GEOSisValid_r(ctx.handle(), g.get());
    if (validity && valid != 2) (*validity)[f] = static_cast<std::int8_t>(valid);
    return valid == 1;
  };

  std::vector<char> kept(footprints.size(), 0);
  // The net: one valid footprint per square of reach_m / 2 (by its box centre).
  const double net = reach_m;
  std::unordered_set<std::uint64_t> taken;
  // Progress: each pass is half the work; reported every 2,048 footprints.
  constexpr std::size_t kReport = 2048;
  const double passes = 2.0 * static_cast<double>(order.size());
  std::size_t seen = 0;
  auto tick = [&] {
    if (++seen % kReport == 0 && step) step(static_cast<double>(seen) / passes);
  };
  for (std::size_t f : order) {
    tick();
    const Box& b = boxes[f];
    const auto i = static_cast<std::uint64_t>((0.5 * (b.min_x + b.max_x) - area.min_x) / net);
    const auto j = static_cast<std::uint64_t>((0.5 * (b.min_y + b.max_y) - area.min_y) / net);
    const std::uint64_t key = (j << 32) | (i & 0xFFFFFFFFu);
    if (taken.count(key)) continue;
    if (!is_valid(f)) {
      kept[f] = 1;  // invalid: kept, not a witness; the square waits for a valid one
      continue;
    }
    taken.insert(key);
    kept[f] = 1;
    add_witnesses(*footprints[f]);
  }
  for (std::size_t f : order) {
    tick();
    if (kept[f] || is_covered(boxes[f])) continue;
    kept[f] = 1;
    if (is_valid(f)) add_witnesses(*footprints[f]);
  }
  std::vector<std::size_t> result;
  for (std::size_t f : order)
    if (kept[f]) result.push_back(f);
  return result;
}

/// The share of a round of GEOS calls done, from x = the checkpoints passed over those expected:
/// x up to 0.8, then slower and slower towards 1 (never reaching it), so that a round that
/// passes more checkpoints than expected keeps reporting (e.g. 0.93 at x = 1.2, 0.99 at x = 1.8)
/// instead of standing still at a cap until it ends.
double within_round(double x) {
  if (!(x > 0.0)) return 0.0;
  if (x <= 0.8) return x;
  return 1.0 - 0.2 * std::exp(-(x - 0.8) / 0.2);
}

}  // namespace

MultiPolygon built_up_area(GeosContext& ctx, const std::vector<const MultiPolygon*>& footprints,
                           const BuiltUpParams& params,
                           const std::function<void(std::size_t)>& grown_block,
                           std::vector<std::int8_t>* validity) {
  if (validity) validity->assign(footprints.size(), -1);
  GEOSContextHandle_t h = ctx.handle();
  // 4 segments per quarter circle: the outline is a planning boundary, not a survey line.
  constexpr int kQuadrantSegments = 4;
  // Each footprint is grown on its own (which also mends invalid rings), then the grown shapes
  // are merged by unions: buffering one collection of tens of thousands of raw footprints makes
  // GEOS overlay them all at once and runs out of memory (Monaco, 23k).
  //
  // The grown footprints are merged in blocks of neighbours (Z-order of their bounding-box
  // centres), the blocks spread over the cores and reported while they run, then the blocks'
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

  // Progress units are footprints (they sum to footprints.size()), shared by the steps' times
  // on the real-shapes towns in one community (300k and 1M buildings, docs/benchmarks.md
  // "Progress, round 9"): choosing the footprints to grow 10 %, growing and merging them in
  // blocks 55 %, the merge of the blocks' unions 27 % (level by level, and inside each union
  // by GEOS's own checkpoints, geos_watch.hpp), the shrink the last 8 %.
  std::size_t reported = 0;
  auto report_to = [&](std::size_t units) {
    if (grown_block && units > reported) {
      grown_block(units - reported);
      reported = units;
    }
  };
  // Only the footprints whose grown shapes are not covered by the others' are grown and merged:
  // the same area, a fraction of the overlay work (footprints_to_grow above). Choosing them is
  // the first tenth of the units.
  const std::size_t choosing = order.size() / 10;
  const std::vector<std::size_t> grow = footprints_to_grow(
      ctx, footprints, boxes, order, extent, params.reach_m,
      [&](double done) {
        report_to(static_cast<std::size_t>(done * static_cast<double>(choosing)));
      },
      validity);
  report_to(choosing);
  // The rest of the units: the blocks, the merge of their unions, the shrink.
  const std::size_t rest = footprints.size() - choosing;

  // 128 grown footprints per block.
  constexpr std::size_t kBlock = 128;
  const std::size_t blocks = (grow.size() + kBlock - 1) / kBlock;
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
    const std::size_t first = block * kBlock, last = std::min(grow.size(), first + kBlock);
    std::vector<GEOSGeometry*> parts;
    parts.reserve(last - first);
    for (std::size_t k = first; k < last; ++k) {
      GeomPtr raw = to_geos(local, *footprints[grow[k]]);
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
  // Of the rest (90 %): blocks 55, levels 27, shrink 8 of the whole.
  const std::size_t held_back = rest * 35 / 90;
  // The blocks in 32 parallel loops (at least 4 blocks each), reported from this thread after
  // each loop and, inside a long one, every poll_interval_s by the footprints merged so far.
  // (Rounds of 4 blocks waited at every round for its slowest block with the other core idle, a
  // block taking ~10 ms; one loop of all the blocks reported only on the clock, so a small town
  // on an idle machine jumped over half the stage in one step.) A cancelled run (report_to
  // throws) stops the blocks not yet started.
  std::atomic<std::size_t> footprints_merged{0};
  std::atomic<bool> stopped{false};
  auto merge_counted = [&](std::size_t block) {
    if (stopped.load(std::memory_order_relaxed)) return;
    merge_block(block);
    footprints_merged += std::min(grow.size(), (block + 1) * kBlock) - block * kBlock;
  };
  auto report_blocks = [&] {
    const double done = static_cast<double>(footprints_merged.load()) /
                        static_cast<double>(std::max<std::size_t>(1, grow.size()));
    try {
      report_to(choosing + static_cast<std::size_t>(done * static_cast<double>(rest - held_back)));
    } catch (...) {
      stopped = true;
      throw;
    }
  };
  {
    double grow_vertices = 0.0;
    for (std::size_t f : grow)
      for (const Polygon& polygon : *footprints[f]) {
        grow_vertices += static_cast<double>(polygon.outer.size());
        for (const Ring& hole : polygon.holes) grow_vertices += static_cast<double>(hole.size());
      }
    constexpr std::size_t kLoops = 32, kMinBlocksPerLoop = 4;
    const std::size_t per_loop = std::max(kMinBlocksPerLoop, (blocks + kLoops - 1) / kLoops);
    for (std::size_t first = 0; first < blocks; first += per_loop) {
      const std::size_t last = std::min(blocks, first + per_loop);
      const double loop_vertices =
          grow_vertices * static_cast<double>(last - first) / static_cast<double>(blocks);
      run_polled_when_long(
          kUnionCheckpointsPerVertex * loop_vertices, params.polled_min_checkpoints,
          [&] { parallel_for(first, last, merge_counted); }, report_blocks, params.poll_interval_s);
      report_blocks();
    }
  }

  // The blocks' unions merged in a tree: groups of 4 neighbours (consecutive in Z-order) per
  // level, the groups of a level spread over the cores in one parallel loop, reported while it
  // runs by the GEOS checkpoints its unions passed.
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
  const std::size_t base = choosing + rest - held_back;
  const std::size_t level_units = held_back * 27 / 35;  // the levels' share of the units
  // Inside a level, progress is the GEOS checkpoints its calls passed (geos_watch.hpp) over
  // those expected: the checkpoints per input vertex of the levels done so far times the level's
  // input vertices (GEOS's measured rate before the first level ends); past 80 % of the expected
  // ones it slows down (within_round), so an underestimate neither runs past the level nor stops
  // short for long (the top union at 1M ran 1.74 s past its estimate, silent, at a cap of 95 %).
  double checks_done = 0.0, vertices_done = 0.0;
  auto checks_per_vertex = [&] {
    return vertices_done > 0.0 && checks_done > 0.0 ? checks_done / vertices_done
                                                    : kUnionCheckpointsPerVertex;
  };
  for (std::size_t level = 0; level_pieces.size() > 1; ++level) {
    constexpr std::size_t kGroup = 4;
    const std::size_t groups = (level_pieces.size() + kGroup - 1) / kGroup;
    std::vector<GEOSGeometry*> next(groups, nullptr);
    // The pieces of the level are handed to the groups' collections; `next` owns the results.
    Release release_next{next, h};
    // Input vertices per group (a lone piece passes through: none), and the level's.
    std::vector<double> group_vertices(groups, 0.0);
    double level_vertices = 0.0;
    for (std::size_t group = 0; group < groups; ++group) {
      const std::size_t first = group * kGroup,
                        last = std::min(level_pieces.size(), first + kGroup);
      if (last - first < 2) continue;
      for (std::size_t k = first; k < last; ++k)
        group_vertices[group] += std::max(0, GEOSGetNumCoordinates_r(h, level_pieces[k]));
      level_vertices += group_vertices[group];
    }
    std::atomic<std::uint64_t> checks{0};
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
      CheckpointScope count{checks};
      GEOSGeometry* collection = GEOSGeom_createCollection_r(
          lh, GEOS_GEOMETRYCOLLECTION, &level_pieces[first], static_cast<unsigned>(last - first));
      if (collection == nullptr) throw GeosError("built-up area: collecting merged blocks");
      for (std::size_t k = first; k < last; ++k) level_pieces[k] = nullptr;  // owned by it now
      GeomPtr all = own(local, collection, "built-up area: collecting merged blocks");
      next[group] = own(local, GEOSUnaryUnion_r(lh, all.get()), "built-up area: merging").release();
    };
    double level_done = 0.0;  // input vertices of the level's rounds done
    auto report_level = [&](double vertices) {
      const double share =
          (static_cast<double>(level) +
           (level_vertices > 0.0 ? std::min(1.0, vertices / level_vertices) : 1.0)) /
          static_cast<double>(levels);
      report_to(base + static_cast<std::size_t>(static_cast<double>(level_units) * share));
    };
    {
      const std::size_t first = 0, last = groups;
      double round_vertices = 0.0;
      for (std::size_t g = first; g < last; ++g) round_vertices += group_vertices[g];
      checks = 0;
      const double expected = checks_per_vertex() * round_vertices;
      auto merge_round = [&] { parallel_for(first, last, merge_group); };
      run_polled_when_long(
          expected, params.polled_min_checkpoints, merge_round,
          [&] {
            if (expected <= 0.0) return;
            const double inside = within_round(static_cast<double>(checks.load()) / expected);
            report_level(level_done + inside * round_vertices);
          },
          params.poll_interval_s);
      checks_done += static_cast<double>(checks.load());
      vertices_done += round_vertices;
      level_done += round_vertices;
      report_level(level_done);
    }
    for (GEOSGeometry* g : level_pieces)
      if (g) GEOSGeom_destroy_r(h, g);
    level_pieces.assign(next.begin(), next.end());
    std::fill(next.begin(), next.end(), nullptr);
  }
  GeomPtr grown(level_pieces.front(), GeomDeleter{h});
  level_pieces.clear();

  // The shrink, part by part over the cores, reported between rounds by the vertices done (the
  // last units). Shrinking takes area away, so the parts' shrunk shapes stay apart and together
  // are the shrink of the whole (which this replaced: one GEOS call, 0.7 s silent on the real
  // 100k town, loaded machine); parts are kept in the union's order.
  const int part_count = GEOSGetNumGeometries_r(h, grown.get());
  if (part_count < 0) throw GeosError("built-up area: counting parts");
  std::vector<const GEOSGeometry*> parts(static_cast<std::size_t>(part_count));
  std::vector<double> weight(parts.size(), 0.0);
  double total_weight = 0.0;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    parts[k] = GEOSGetGeometryN_r(h, grown.get(), static_cast<int>(k));
    weight[k] = std::max(1, GEOSGetNumCoordinates_r(h, parts[k]));
    total_weight += weight[k];
  }
  std::vector<MultiPolygon> shrunk(parts.size());
  std::atomic<std::uint64_t> shrink_checks{0};
  auto shrink_part = [&](std::size_t k) {
    GeosContext& local = contexts.local();
    CheckpointScope count{shrink_checks};
    GeomPtr closed = own(local,
                         GEOSBuffer_r(local.handle(), parts[k], -(params.reach_m - params.margin_m),
                                      kQuadrantSegments),
                         "built-up area: shrinking back");
    shrunk[k] = to_multipolygon(local, closed.get());
  };
  // Rounds of about a sixty-fourth of the vertices (at least one part), a few parts per core;
  // inside a round (one part can be most of the town) the GEOS checkpoints its buffers passed,
  // over those expected from the rounds done (GEOS's union rate before the first ends).
  const std::size_t shrink_base = base + level_units;
  const double shrink_units = static_cast<double>(footprints.size() - shrink_base);
  double done_weight = 0.0, shrink_checks_done = 0.0;
  for (std::size_t first = 0; first < parts.size();) {
    std::size_t last = first;
    double round_weight = 0.0;
    while (last < parts.size() &&
           (last == first || round_weight + weight[last] <= total_weight / 64.0))
      round_weight += weight[last++];
    shrink_checks = 0;
    const double per_vertex = done_weight > 0.0 && shrink_checks_done > 0.0
                                  ? shrink_checks_done / done_weight
                                  : kUnionCheckpointsPerVertex;
    const double expected = per_vertex * round_weight;
    auto shrink_round = [&] { parallel_for(first, last, shrink_part); };
    // Polled from an eighth of the usual threshold: a round is a sixty-fourth of the outline, and
    // at 1M buildings rounds of ~40,000 expected checkpoints, made directly, were each a silence
    // of 0.8-1.4 s on the loaded machine (round 12); a helper thread per round costs far less.
    run_polled_when_long(
        expected, params.polled_min_checkpoints / 8.0, shrink_round,
        [&] {
          const double inside = within_round(static_cast<double>(shrink_checks.load()) / expected);
          report_to(shrink_base +
                    static_cast<std::size_t>(
                        shrink_units *
                        std::min(1.0, (done_weight + inside * round_weight) / total_weight)));
        },
        params.poll_interval_s);
    shrink_checks_done += static_cast<double>(shrink_checks.load());
    done_weight += round_weight;
    report_to(shrink_base +
              static_cast<std::size_t>(shrink_units * std::min(1.0, done_weight / total_weight)));
    first = last;
  }
  report_to(footprints.size());
  MultiPolygon result;
  for (MultiPolygon& m : shrunk)
    for (Polygon& polygon : m) result.push_back(std::move(polygon));
  return result;
}

MultiPolygon built_up_area(GeosContext& ctx, const std::vector<const MultiPolygon*>& footprints,
                           const BuiltUpParams& params,
                           const std::function<void(std::size_t)>& grown_block) {
  return built_up_area(ctx, footprints, params, grown_block, nullptr);
}

}  // namespace gp::geo
