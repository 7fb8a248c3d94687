// Progress inside one long GEOS call (issue 14 item 5, planner/geo/geos_watch.hpp): GEOS's
// interrupt checkpoints are counted on the threads inside a CheckpointScope only, run_polled
// polls while its work runs and passes exceptions on, and the built-up area polled inside its
// unions reports more often with the same units and exactly the same area.

#include <catch2/catch.hpp>

#include <geos_c.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "planner/geo/built_up_area.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/geos_watch.hpp"

using namespace gp;

namespace {

/// A union of `n` overlapping discs on a line: a few thousand vertices of real overlay work.
void union_of_discs(geo::GeosContext& ctx, int n) {
  GEOSContextHandle_t h = ctx.handle();
  std::vector<GEOSGeometry*> discs;
  for (int i = 0; i < n; ++i) {
    GEOSGeometry* p = GEOSGeom_createPointFromXY_r(h, i * 7.0, (i % 5) * 3.0);
    discs.push_back(GEOSBuffer_r(h, p, 10.0, 8));
    GEOSGeom_destroy_r(h, p);
  }
  geo::GeomPtr all = geo::own(ctx,
                              GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, discs.data(),
                                                          static_cast<unsigned>(discs.size())),
                              "discs");
  geo::GeomPtr merged = geo::own(ctx, GEOSUnaryUnion_r(h, all.get()), "union");
}

MultiPolygon rect(double x0, double y0, double x1, double y1) {
  return {Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}}};
}

}  // namespace

TEST_CASE("geos checkpoints: counted on the scoped thread only") {
  geo::GeosContext ctx;
  std::atomic<std::uint64_t> counted{0}, other{0};
  {
    geo::CheckpointScope scope{counted};
    union_of_discs(ctx, 300);
  }
  const std::uint64_t after_scope = counted.load();
  CHECK(after_scope > 300);  // several per input vertex
  union_of_discs(ctx, 300);  // outside any scope
  CHECK(counted.load() == after_scope);
  // Another thread's scope counts its own calls, not this thread's.
  std::thread t([&] {
    geo::GeosContext local;
    geo::CheckpointScope scope{other};
    union_of_discs(local, 100);
  });
  union_of_discs(ctx, 300);
  t.join();
  CHECK(counted.load() == after_scope);
  CHECK(other.load() > 100);
  // Nested scopes: the innermost counts, the outer again after it.
  std::atomic<std::uint64_t> outer{0}, inner{0};
  {
    geo::CheckpointScope a{outer};
    {
      geo::CheckpointScope b{inner};
      union_of_discs(ctx, 50);
    }
    const std::uint64_t inner_count = inner.load();
    CHECK(inner_count > 0);
    CHECK(outer.load() == 0);
    union_of_discs(ctx, 50);
    CHECK(inner.load() == inner_count);
  }
  CHECK(outer.load() > 0);
}

TEST_CASE("run_polled: polls while the work runs, passes exceptions on after the work ends") {
  std::atomic<int> polls{0};
  std::atomic<bool> finished{false};
  geo::run_polled(
      [&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        finished = true;
      },
      [&] { ++polls; }, 0.01);
  CHECK(finished.load());
  CHECK(polls.load() >= 2);

  CHECK_THROWS_AS(geo::run_polled([] { throw std::runtime_error("work"); }, [] {}, 0.01),
                  std::runtime_error);

  // A poll that throws (a cancelled run): the work still ends before the exception leaves.
  finished = false;
  int thrown = 0;
  try {
    geo::run_polled(
        [&] {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          finished = true;
        },
        [] { throw std::logic_error("cancelled"); }, 0.01);
  } catch (const std::logic_error&) {
    ++thrown;
  }
  CHECK(thrown == 1);
  CHECK(finished.load());
}

TEST_CASE("built-up area: polled inside its unions, more reports, same units, same area") {
  // 4,000 footprints 30 m apart, grown by 20 m: every grown shape adds area (none is left out
  // as covered), so 32 blocks of them are merged in three levels of real overlay work.
  std::vector<MultiPolygon> shapes;
  for (int i = 0; i < 4000; ++i) {
    const double x0 = (i % 80) * 30.0 + (i % 7), y0 = (i / 80) * 30.0 + (i % 3);
    shapes.push_back(rect(x0, y0, x0 + 9.0, y0 + 7.0));
  }
  std::vector<const MultiPolygon*> footprints;
  for (const MultiPolygon& s : shapes) footprints.push_back(&s);
  geo::GeosContext ctx;
  struct Calls {
    std::size_t units = 0;
    int calls = 0;
    bool monotone = true;
  };
  auto run = [&](const geo::BuiltUpParams& params, Calls& c) {
    return geo::built_up_area(ctx, footprints, params, [&](std::size_t n) {
      if (n == 0) c.monotone = false;  // every report adds units
      c.units += n;
      ++c.calls;
    });
  };
  geo::BuiltUpParams direct;
  direct.reach_m = 20.0;
  direct.margin_m = 10.0;
  direct.polled_min_checkpoints = 1e300;  // never polled
  geo::BuiltUpParams polled = direct;
  polled.polled_min_checkpoints = 0.0;  // every round polled, as often as the loop turns
  polled.poll_interval_s = 0.0;
  Calls a, b;
  const MultiPolygon plain = run(direct, a);
  const MultiPolygon watched = run(polled, b);
  CHECK(a.units == footprints.size());
  CHECK(b.units == footprints.size());
  CHECK(a.monotone);
  CHECK(b.monotone);
  CHECK(b.calls > a.calls);  // reports from inside the unions and buffers
  // The same calls on the same inputs: exactly the same area, vertex for vertex.
  geo::GeomPtr pa = geo::to_geos(ctx, plain), pb = geo::to_geos(ctx, watched);
  CHECK(GEOSEqualsExact_r(ctx.handle(), pa.get(), pb.get(), 0.0) == 1);
}
