// GEOS geometries read by several threads (planner/geo/geos.hpp, fill_read_caches; decision
// 0011). GEOS 3.11 computes a geometry's envelope on first use and caches it in the geometry
// without synchronisation, so two threads reading one fresh geometry at once race inside GEOS:
// an Envelope leaks or is freed under the other thread's read.
//
// What this test can catch: under the asan preset (CI), LeakSanitizer fails the test's process
// when a read races a cache fill (a component fill_read_caches missed: a hole, a member of a
// collection). Measured with the fill_read_caches line below commented out (asan build, this
// machine): the process failed with 1,255 Envelopes leaked (from Polygon:: and
// LineString::computeEnvelopeInternal); with it, it passed twice out of twice. In the dev build it
// only checks that both threads get the same answers. It is statistical: a race that does not
// happen in a run is not seen.

#include <catch2/catch.hpp>

#include <geos_c.h>

#include <cstddef>
#include <thread>
#include <vector>

#include "planner/geo/geos.hpp"
#include "planner/geo/tessellation_geos.hpp"

using namespace gp;

namespace {

/// A square of side `side` at (x, y), with a square hole in its middle when `hole`.
Polygon square(double x, double y, double side, bool hole) {
  Polygon p;
  p.outer = {{x, y}, {x + side, y}, {x + side, y + side}, {x, y + side}, {x, y}};
  if (hole) {
    const double a = side / 4.0, b = 3.0 * side / 4.0;
    p.holes.push_back(
        {{x + a, y + a}, {x + a, y + b}, {x + b, y + b}, {x + b, y + a}, {x + a, y + a}});
  }
  return p;
}

}  // namespace

TEST_CASE("GEOS geometries with their read caches filled are read by two threads at once",
          "[geos][threads]") {
  constexpr int kRounds = 10;
  constexpr int kShapes = 20000;
  geo::GeosContext owner;
  for (int round = 0; round < kRounds; ++round) {
    // Fresh geometries every round (empty caches): polygons with holes and two-part
    // multipolygons, as the tessellation's faces and blocks are.
    std::vector<geo::GeomPtr> shared;
    shared.reserve(kShapes);
    for (int i = 0; i < kShapes; ++i) {
      const double x = 3.0 * i;
      if (i % 2 == 0)
        shared.push_back(geo::to_geos(owner, square(x, 0.0, 2.0, true)));
      else
        shared.push_back(geo::to_geos(
            owner, MultiPolygon{square(x, 0.0, 1.0, false), square(x, 1.5, 1.0, true)}));
      geo::fill_read_caches(owner, shared.back().get());
    }
    // Both threads read every geometry in the same order, so they meet on the same one often:
    // first a cheap test the envelopes decide (both threads in step: the race's window), then
    // a prepared test (as RegionLocator does per thread) and an intersection (as soft_spans).
    std::vector<char> answers[2];
    auto reader = [&](int t) {
      geo::GeosContext ctx;
      std::vector<char>& out = answers[t];
      out.reserve(3 * kShapes);
      const geo::GeomPtr far = geo::to_geos(ctx, square(-10.0, 10.0, 1.0, false));
      for (int i = 0; i < kShapes; ++i)
        out.push_back(GEOSIntersects_r(ctx.handle(), shared[std::size_t(i)].get(), far.get()));
      for (int i = 0; i < kShapes; i += 4) {
        const double x = 3.0 * i;
        const geo::PreparedPtr prepared = geo::detail::prepare(ctx, shared[std::size_t(i)].get());
        out.push_back(geo::detail::contains_point(ctx, prepared.get(), Point{x + 0.1, 0.1}) ? 1
                                                                                            : 0);
        const geo::GeomPtr probe = geo::to_geos(ctx, square(x + 0.5, 0.5, 1.0, false));
        const geo::GeomPtr meet = geo::own(
            ctx, GEOSIntersection_r(ctx.handle(), shared[std::size_t(i)].get(), probe.get()),
            "intersection");
        double a = 0.0;
        GEOSArea_r(ctx.handle(), meet.get(), &a);
        out.push_back(static_cast<char>(a * 16.0));
      }
    };
    std::thread first(reader, 0), second(reader, 1);
    first.join();
    second.join();
    // Counted outside the threads (Catch is not thread-safe): both read the same answers.
    CHECK(answers[0] == answers[1]);
    CHECK(answers[0][0] == 0);        // nothing meets the far square
    CHECK(answers[0][kShapes] == 1);  // the first square's corner is inside it
  }
}
