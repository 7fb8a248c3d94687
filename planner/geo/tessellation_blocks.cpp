#include "planner/geo/tessellation_blocks.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "planner/core/parallel.hpp"
#include "planner/core/progress_ticks.hpp"
#include "planner/geo/geos_watch.hpp"

namespace gp::geo::detail {
namespace {

/// Keeps the faces of polygonized linework that lie inside the community: polygonizing the
/// community's own rings also yields its holes (and the outside of concave parts never, since
/// only closed rings make faces), which we drop by their interior point. `step(done)` every
/// hundredth of the faces (a town in one community has hundreds of thousands).
std::vector<Region> regions_inside(GeosContext& ctx, std::vector<GeomPtr> faces,
                                   const GEOSGeometry* community,
                                   const std::function<void(double)>& step) {
  // Each face's test is its own: in parallel, one GEOS context and one prepared community per
  // thread (a prepared geometry builds its indexes lazily, so it is not shared), the regions
  // kept in face order. Progress per chunk of faces, rising only (a town in one community has
  // hundreds of thousands).
  const std::size_t count = faces.size();
  std::vector<Region> found(count);
  std::vector<char> keep(count, 0);
  struct Scratch {
    GeosContext ctx;
    PreparedPtr community;
  };
  PerThread<Scratch> scratch;
  // Every thread prepares the community: its read caches are filled first (geos.hpp).
  fill_read_caches(ctx, community);
  std::mutex step_mutex;
  std::size_t done = 0;
  double reported = -1.0;
  parallel_for_chunks(0, count, 256, [&](std::size_t begin, std::size_t end) {
    Scratch& local = scratch.local();
    if (!local.community) local.community = prepare(local.ctx, community);
    for (std::size_t k = begin; k < end; ++k) {
      GeomPtr& face = faces[k];
      if (geos_area(local.ctx, face.get()) <= 0.0) continue;  // collapsed ring after snap-rounding
      Region& region = found[k];
      region.inside = interior_point(local.ctx, face.get());
      if (!contains_point(local.ctx, local.community.get(), region.inside)) continue;
      region.box = envelope(local.ctx, face.get());
      // Later steps read the regions from several threads at once (each place_buildings worker
      // prepares every block, soft_spans intersects with them): filled here, where the face is
      // this iteration's own (geos.hpp, fill_read_caches).
      fill_read_caches(local.ctx, face.get());
      region.geometry = std::move(face);
      keep[k] = 1;
    }
    const std::lock_guard lock(step_mutex);
    done += end - begin;
    const double f = static_cast<double>(done) / static_cast<double>(count);
    if (f >= reported + 0.01) {
      reported = f;
      step(f);
    }
  });
  std::vector<Region> out;
  out.reserve(count);
  for (std::size_t k = 0; k < count; ++k)
    if (keep[k] != 0) out.push_back(std::move(found[k]));
  return out;
}

/// Input vertices of a set of GEOS geometries (the work of one noding or polygonizing call).
double vertices_of(GeosContext& ctx, const std::vector<GeomPtr>& parts) {
  double n = 0.0;
  for (const GeomPtr& g : parts) n += std::max(0, GEOSGetNumCoordinates_r(ctx.handle(), g.get()));
  return n;
}

/// GEOS checkpoints (geos_watch.hpp) per input vertex of the street blocks' calls, measured on
/// GEOS 3.11: a floating-point noding union of road lines passes about 1.4 per input vertex, a
/// polygonizing of noded lines about 0.2. Only the progress inside the call depends on them.
constexpr double kNodingCheckpointsPerVertex = 1.4;
constexpr double kPolygonizeCheckpointsPerVertex = 0.2;

/// The calling thread's report of one long GEOS call's checkpoints: `expected` of them make
/// the span from `from` to `to`, capped at 95 % of it until the call returns.
struct CheckpointPoll {
  std::atomic<std::uint64_t> checks{0};
  double expected;
  double from;
  double to;
  // A copy, not a reference: BackgroundCall keeps its poll past the statement that made it,
  // and callers pass a lambda, whose std::function would be a temporary (ASan: stack overflow).
  std::function<void(double)> tick;
  double last;
  std::uint64_t seen = 0;
  int still = 0;

  CheckpointPoll(double expected_checks, double from_f, double to_f,
                 std::function<void(double)> report)
      : expected(expected_checks), from(from_f), to(to_f), tick(std::move(report)), last(from_f) {}

  void poll() {
    if (!tick) return;
    const std::uint64_t now = checks.load();
    double f = from + (to - from) * std::min(0.95, static_cast<double>(now) / expected);
    // GEOS's last phase passes no checkpoint (a noding union's graph, labelling and line
    // extraction: ~1 s at 300k buildings, several at 1M): once the count has stood still
    // for 0.3 s the fraction creeps on, a fiftieth of what is left to 99 % of the span per
    // poll, so the step still reports at every poll while the call runs (issue 14 item 5).
    // Reporting only: the call and its result are the same.
    still = now == seen ? still + 1 : 0;
    seen = now;
    if (still >= 3) f = std::max(f, last + (from + 0.99 * (to - from) - last) / 50.0);
    if (f <= last) return;  // only an advance is reported
    last = f;
    tick(f);
  }
};

/// Runs `call` (one long GEOS call of this step) on a helper thread with its checkpoints
/// counted, and reports from `from` towards `to` of the step as they pass (CheckpointPoll). The
/// same call on the same inputs: the result does not depend on it.
template <typename Call>
void watched(const Call& call, double expected, double from, double to,
             const std::function<void(double)>& tick) {
  if (!tick) {
    call();
    return;
  }
  CheckpointPoll poll(expected, from, to, tick);
  run_polled_when_long(
      expected, kPolledMinCheckpoints,
      [&] {
        CheckpointScope count{poll.checks};
        call();
      },
      [&] { poll.poll(); });
}

/// One long GEOS call started on a helper thread (its checkpoints counted) while the calling
/// thread does other work of the step; finish() then reports its checkpoints from `from`
/// towards `to` (CheckpointPoll) on the calling thread until the call has returned, and
/// rethrows what the call threw. Destroying it waits for the call (an exception or a
/// cancellation in the other work). The call must use its own GEOS context.
class BackgroundCall {
 public:
  BackgroundCall(std::function<void()> call, double expected, double from, double to,
                 const std::function<void(double)>& tick)
      : poll_(expected, from, to, tick) {
    std::packaged_task<void()> task([this, work = std::move(call)] {
      CheckpointScope count{poll_.checks};
      work();
    });
    done_ = task.get_future();
    thread_ = std::thread(std::move(task));
  }
  BackgroundCall(const BackgroundCall&) = delete;
  BackgroundCall& operator=(const BackgroundCall&) = delete;
  ~BackgroundCall() {
    if (thread_.joinable()) thread_.join();
  }
  void finish() {
    while (done_.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready)
      poll_.poll();
    thread_.join();
    done_.get();
  }

 private:
  CheckpointPoll poll_;
  std::future<void> done_;
  std::thread thread_;
};

/// The faces of noded linework by the tessellation's own face walk (tessellation_faces.hpp),
/// reporting `step(0..1)` as it goes, as GEOS polygons with GEOS's polygonizer's orientation
/// (shells clockwise, holes counter-clockwise). False when the walk finds the linework not noded
/// (the caller then polygonizes with GEOS).
bool own_faces(GeosContext& ctx, const GEOSGeometry* noded, std::vector<GeomPtr>& faces,
               const std::function<void(double)>& step) {
  std::vector<Segment> segments;
  append_segments(ctx, noded, segments);
  std::vector<Polygon> polygons;
  if (!polygonize_segments(std::move(segments), polygons, [&](double f) { step(0.8 * f); }))
    return false;
  faces.clear();
  faces.reserve(polygons.size());
  LoopTicks ticks(step, 0.8, 1.0, polygons.size());
  for (Polygon& polygon : polygons) {
    std::reverse(polygon.outer.begin(), polygon.outer.end());
    for (Ring& hole : polygon.holes) std::reverse(hole.begin(), hole.end());
    faces.push_back(to_geos(ctx, polygon));
    polygon = Polygon{};
    ticks.step();
  }
  return true;
}

std::vector<Region> clone_regions(GeosContext& ctx, const std::vector<Region>& regions) {
  std::vector<Region> out;
  out.reserve(regions.size());
  for (const Region& r : regions) {
    out.push_back({clone(ctx, r.geometry.get()), r.inside, r.box});
    fill_read_caches(ctx, out.back().geometry.get());  // read by several threads (geos.hpp)
  }
  return out;
}

}  // namespace

std::int32_t CommunityBlocks::containing(const Point& p) const {
  for (std::int32_t b : locator->candidates(Box{p.x, p.y, p.x, p.y}))
    if (shapes[std::size_t(b)].contains(p)) return b;
  return kNone;
}

bool build_blocks(GeosContext& ctx, const Dataset& dataset, const CommunityJob& job,
                  double snap_grid_m, CommunityBlocks& out, ProblemReporter& problems,
                  const std::function<void(double)>& report) {
  // Progress after each GEOS step (their shares of the step's time on real-100000: the soft
  // roads' noding and polygonizing are most of it).
  auto tick = [&](double f) {
    if (report) report(f);
  };
  auto span = [&](double from, double to) {
    return std::function<void(double)>(
        [&tick, from, to](double f) { tick(from + (to - from) * f); });
  };
  const GEOSContextHandle_t h = ctx.handle();
  const Community& community = dataset.communities[std::size_t(job.community)];
  GeomPtr community_geometry = to_geos(ctx, community.footprint);
  tick(0.005);

  // 1. Barrier linework inside the community. The community boundary closes every face.
  std::vector<GeomPtr> hard_parts;
  {
    GeomPtr boundary = own(ctx, GEOSBoundary_r(h, community_geometry.get()), "community boundary");
    append_lines(ctx, boundary.get(), hard_parts);
  }
  tick(0.01);
  // Barriers are clipped to the community's box widened by a margin, not to the community:
  // an exact clip would end them at computed points a rounding error short of the boundary,
  // leaving dangles that do not cut. Overshooting ends dangle outside and polygonizing drops them.
  const Box community_box = bounds(community.footprint);
  auto clip_to_community = [&](std::vector<GeomPtr>& lines, std::vector<GeomPtr>& into) {
    if (lines.empty()) return;
    constexpr double kMarginM = 1.0;
    GeomPtr all = make_collection(ctx, GEOS_MULTILINESTRING, lines);
    GeomPtr clipped =
        own(ctx,
            GEOSClipByRect_r(h, all.get(), community_box.min_x - kMarginM,
                             community_box.min_y - kMarginM, community_box.max_x + kMarginM,
                             community_box.max_y + kMarginM),
            "barriers clipped to the community");
    append_lines(ctx, clipped.get(), into);
  };
  {
    std::vector<GeomPtr> hard_lines;
    for (std::int32_t l : job.hard_lines) {
      const LineString& line = dataset.lines[std::size_t(l)].geometry;
      if (line.size() >= 2) hard_lines.push_back(to_geos(ctx, line));
    }
    for (std::int32_t w : job.water) {
      GeomPtr water = to_geos(ctx, dataset.water[std::size_t(w)].footprint);
      GeomPtr boundary = own(ctx, GEOSBoundary_r(h, water.get()), "water boundary");
      append_lines(ctx, boundary.get(), hard_lines);
    }
    tick(0.02);
    clip_to_community(hard_lines, hard_parts);
  }
  tick(0.03);
  std::vector<GeomPtr> soft_parts;
  {
    std::vector<GeomPtr> soft_lines;
    for (std::int32_t l : job.soft_lines) {
      const LineString& line = dataset.lines[std::size_t(l)].geometry;
      if (line.size() >= 2) soft_lines.push_back(to_geos(ctx, line));
    }
    tick(0.04);
    clip_to_community(soft_lines, soft_parts);
  }

  // 2. Hard faces, then street blocks (faces cut further by soft roads).
  tick(0.05);
  GeomPtr hard_noded;
  watched([&] { hard_noded = node_lines(ctx, hard_parts, snap_grid_m); },
          kNodingCheckpointsPerVertex * vertices_of(ctx, hard_parts), 0.05, 0.15, tick);
  tick(0.15);
  // The soft roads' noding (with the hard linework: one GEOS union, the step's longest call,
  // serial) needs only the hard noding: on a large community it runs on a helper thread, in its
  // own GEOS context, while this thread makes the hard faces (the same call on the same inputs,
  // so the same blocks). A small community's runs after them here, as before.
  GeosContext soft_ctx;
  GeomPtr all_noded;
  const double soft_checks =
      soft_parts.empty() ? 0.0
                         : kNodingCheckpointsPerVertex *
                               (vertices_of(ctx, soft_parts) +
                                double(std::max(0, GEOSGetNumCoordinates_r(h, hard_noded.get()))));
  // Tested once here: the noding takes the parts (make_collection empties the vector), on the
  // helper thread.
  const bool has_soft = !soft_parts.empty();
  std::optional<BackgroundCall> soft_noding;
  if (has_soft) {
    soft_parts.push_back(clone(ctx, hard_noded.get()));
    if (soft_checks >= kPolledMinCheckpoints)
      soft_noding.emplace([&] { all_noded = node_lines(soft_ctx, soft_parts, snap_grid_m); },
                          soft_checks, 0.25, 0.45, tick);
  }
  std::vector<GeomPtr> faces;
  if (!own_faces(ctx, hard_noded.get(), faces, span(0.15, 0.2)))
    watched(
        [&] { faces = polygonize(ctx, hard_noded.get()); },
        kPolygonizeCheckpointsPerVertex * std::max(0, GEOSGetNumCoordinates_r(h, hard_noded.get())),
        0.15, 0.2, tick);
  out.faces = regions_inside(ctx, std::move(faces), community_geometry.get(), span(0.2, 0.25));
  tick(0.25);
  if (out.faces.empty()) {
    problems.report(
        Severity::error, "community-without-area", community.source,
        "community " + community.name + " has no area to tessellate; its buildings get no cell");
    return false;
  }
  std::vector<Region>& blocks = out.blocks;
  std::vector<std::int32_t>& block_face = out.block_face;
  if (!has_soft) {
    all_noded = std::move(hard_noded);
    blocks = clone_regions(ctx, out.faces);
    for (std::size_t f = 0; f < out.faces.size(); ++f) block_face.push_back(std::int32_t(f));
  } else {
    if (soft_noding)
      soft_noding->finish();
    else
      watched([&] { all_noded = node_lines(ctx, soft_parts, snap_grid_m); }, soft_checks, 0.25,
              0.45, tick);
    tick(0.45);
    if (!own_faces(ctx, all_noded.get(), faces, span(0.45, 0.6)))
      watched([&] { faces = polygonize(ctx, all_noded.get()); },
              kPolygonizeCheckpointsPerVertex *
                  std::max(0, GEOSGetNumCoordinates_r(h, all_noded.get())),
              0.45, 0.6, tick);
    blocks = regions_inside(ctx, std::move(faces), community_geometry.get(), span(0.6, 0.7));
    tick(0.7);
    const RegionLocator face_locator(ctx, out.faces);
    for (const Region& block : blocks) block_face.push_back(face_locator.locate(ctx, block.inside));
  }
  if (blocks.empty()) {
    problems.report(Severity::error, "community-without-area", community.source,
                    "community " + community.name +
                        " has no area left between its barriers; its buildings get no cell");
    return false;
  }
  tick(0.8);
  out.locator.emplace(ctx, blocks);
  out.polygons.reserve(blocks.size());
  for (const Region& block : blocks) {
    MultiPolygon mp = to_multipolygon(ctx, block.geometry.get());
    out.polygons.push_back(std::move(mp.front()));
    orient(out.polygons.back());
  }
  tick(0.9);
  out.shapes.reserve(blocks.size());
  for (const Polygon& polygon : out.polygons) out.shapes.emplace_back(polygon);
  tick(1.0);
  return true;
}

}  // namespace gp::geo::detail
