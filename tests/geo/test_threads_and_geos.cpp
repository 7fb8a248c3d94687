// Threads and GEOS (docs/decisions/0011-threads-and-geos.md): GEOS 3.11 fills a geometry's
// envelope and a coordinate sequence's dimension on first use, without synchronisation, so a
// GEOS object read by several threads must have its read caches filled first
// (gp::geo::fill_read_caches), and a prepared geometry is never shared. The races this rule
// prevents made one large community's tessellation differ, rarely, from run to run.
//
// The tests here are statistical: a race shows up only when two threads happen to meet in
// GEOS's lazy caches, so a pass says the tessellation of a real extract came out the same on one
// thread and in several runs on all threads, not that no race is left. They cannot pass by
// accident in the other direction: any difference between the runs fails them.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <tbb/global_control.h>

#include "osm_xml_ways.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/tessellation.hpp"

namespace {

using gp::geo::GeomPtr;
using gp::geo::GeosContext;
using gp::geo::Tessellation;

/// The buildings (closed ways tagged building, valid) and roads (highway ways of the classes
/// below) of an OSM XML extract in local metres, with one community: the buildings' extent
/// widened by 30 m (a town without a community layer, as `gridplan run` plans it).
gp::Dataset osm_town(const std::string& path) {
  static const std::set<std::string> kRoads = {
      "motorway",     "trunk",       "primary",       "secondary", "tertiary",
      "unclassified", "residential", "living_street", "service",   "pedestrian"};
  const gp::test::OsmXmlWays ways = gp::test::read_osm_xml(path);
  gp::Dataset dataset;
  gp::Box extent;
  for (const gp::MultiPolygon& footprint : ways.buildings) {
    gp::Building b;
    b.id = std::int64_t(dataset.buildings.size()) + 1;
    b.footprint = footprint;
    b.community = 0;
    for (const gp::Point& p : footprint.front().outer) extent.expand(p);
    dataset.buildings.push_back(std::move(b));
  }
  for (const auto& [highway, points] : ways.highways) {
    if (kRoads.count(highway) == 0) continue;
    gp::Line road;
    road.id = std::int64_t(dataset.lines.size()) + 1;
    road.kind = gp::LineKind::road;
    road.cls = highway;
    road.geometry = points;
    dataset.lines.push_back(std::move(road));
  }
  constexpr double kMarginM = 30.0;
  const double x0 = extent.min_x - kMarginM, y0 = extent.min_y - kMarginM;
  const double x1 = extent.max_x + kMarginM, y1 = extent.max_y + kMarginM;
  gp::Community community;
  community.id = 1;
  community.name = "extent";
  community.footprint = {{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}}};
  dataset.communities.push_back(std::move(community));
  return dataset;
}

Tessellation tessellate(const gp::Dataset& dataset) {
  gp::geo::TessellationParams params;
  params.hard_road_classes = {"motorway", "trunk", "primary", "secondary", "tertiary"};
  gp::Progress progress;
  return gp::geo::tessellate(dataset, params, progress);
}

/// Buildings whose cell differs (rings, perimeter, face, block), and adjacency entries that do.
std::pair<std::size_t, std::size_t> differences(const Tessellation& a, const Tessellation& b) {
  std::size_t cells = 0;
  for (std::size_t i = 0; i < a.cells.size(); ++i) {
    bool same = i < b.cells.size() && a.cells[i].size() == b.cells[i].size() &&
                a.cell_perimeter_m[i] == b.cell_perimeter_m[i] && a.face[i] == b.face[i] &&
                a.block[i] == b.block[i];
    for (std::size_t p = 0; same && p < a.cells[i].size(); ++p)
      same =
          a.cells[i][p].outer == b.cells[i][p].outer && a.cells[i][p].holes == b.cells[i][p].holes;
    cells += same ? 0 : 1;
  }
  std::size_t adjacency = a.adjacency.size() == b.adjacency.size()
                              ? 0
                              : std::max(a.adjacency.size(), b.adjacency.size());
  for (std::size_t k = 0; adjacency == 0 && k < a.adjacency.size(); ++k) {
    const gp::geo::CellAdjacency& x = a.adjacency[k];
    const gp::geo::CellAdjacency& y = b.adjacency[k];
    if (x.a != y.a || x.b != y.b || x.shared_length_m != y.shared_length_m ||
        x.crossing != y.crossing)
      ++adjacency;
  }
  return {cells, adjacency};
}

}  // namespace

TEST_CASE(
    "threads and GEOS: a real extract's tessellation is the same on 1 thread and in "
    "repeated runs on all threads",
    "[tessellation][threads][realdata]") {
  // Nanjing Xinjiekou as one community (1,149 buildings, primary and secondary roads as hard
  // barriers, residential and service roads cutting street blocks): the community geometry is
  // prepared by every thread, each worker of place_buildings prepares and intersects every
  // street block, and choose_sites uses the blocks' prepared geometries made on the calling
  // thread. Statistical: see the top of the file.
  const std::string path = std::string(GRIDPLAN_SHARED_DATA_DIR) + "/osm/nanjing-xinjiekou.osm";
  if (!std::ifstream(path)) {
    WARN("skipped: " << path << " is absent (real OSM extracts live in ../shared/data)");
    return;
  }
  const gp::Dataset dataset = osm_town(path);
  REQUIRE(dataset.buildings.size() > 1000);
  REQUIRE(dataset.lines.size() > 100);
  Tessellation serial;
  {
    const tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
    serial = tessellate(dataset);
  }
  REQUIRE(serial.cells.size() == dataset.buildings.size());
  REQUIRE(serial.adjacency.size() > dataset.buildings.size());
  // At least two threads even on a one-core runner, so that the threads do meet.
  const std::size_t threads = std::max<std::size_t>(2, std::thread::hardware_concurrency());
  const tbb::global_control all(tbb::global_control::max_allowed_parallelism, threads);
  constexpr int kRuns = 8;
  for (int run = 0; run < kRuns; ++run) {
    const Tessellation parallel = tessellate(dataset);
    const auto [cells, adjacency] = differences(serial, parallel);
    INFO("run " << run << " on " << threads << " threads");
    CHECK(parallel.cells.size() == serial.cells.size());
    CHECK(cells == 0);
    CHECK(adjacency == 0);
  }
}

TEST_CASE("threads and GEOS: fill_read_caches takes every geometry type and empty ones and null",
          "[geos][threads]") {
  GeosContext ctx;
  const GEOSContextHandle_t h = ctx.handle();
  GEOSWKTReader* reader = GEOSWKTReader_create_r(h);
  const char* cases[] = {
      "POINT (1 2)",
      "POINT EMPTY",
      "LINESTRING (0 0, 1 1)",
      "LINEARRING (0 0, 1 0, 1 1, 0 0)",
      "POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 2 1, 2 2, 1 1))",
      "POLYGON EMPTY",
      "MULTIPOINT ((0 0), (1 1))",
      "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3))",
      "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))",
      "GEOMETRYCOLLECTION (POINT (0 0), GEOMETRYCOLLECTION (LINESTRING (0 0, 1 1)), POLYGON EMPTY)",
  };
  for (const char* wkt : cases) {
    INFO(wkt);
    GeomPtr g = gp::geo::own(ctx, GEOSWKTReader_read_r(h, reader, wkt), "wkt");
    gp::geo::fill_read_caches(ctx, g.get());
    // Filling changes nothing a reader sees.
    GeomPtr again = gp::geo::own(ctx, GEOSWKTReader_read_r(h, reader, wkt), "wkt");
    CHECK(GEOSEqualsExact_r(h, g.get(), again.get(), 0.0) == 1);
  }
  gp::geo::fill_read_caches(ctx, nullptr);
  GEOSWKTReader_destroy_r(h, reader);
}

TEST_CASE("threads and GEOS: four threads read one fresh geometry at once after fill_read_caches",
          "[geos][threads]") {
  // The rule of decision 0011 on GEOS itself: a polygon with holes (each ring's envelope and
  // dimension are caches of their own) is made, its caches filled, and four threads, released
  // together, each prepare it in their own context and ask a predicate, an overlay and a distance
  // of it. Every thread must get the single thread's answers; under the asan preset,
  // LeakSanitizer also reports an Envelope lost to a race. Statistical, as the test above, but
  // sharp: without the fill, 3 of 10 runs of this test under the asan preset failed with
  // Envelopes leaked from LineString, Polygon and GeometryCollection::computeEnvelopeInternal
  // (round 16); with it, 0 of 10. Counted inside the threads (Catch is not thread-safe), checked
  // after.
  gp::Polygon polygon;
  polygon.outer = {{0, 0}, {1000, 0}, {1000, 1000}, {0, 1000}, {0, 0}};
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j) {
      const double x = 50.0 + 110.0 * i, y = 50.0 + 110.0 * j;
      polygon.holes.push_back({{x, y}, {x, y + 40}, {x + 40, y + 40}, {x + 40, y}, {x, y}});
    }
  const gp::MultiPolygon shape{polygon};
  // 5 × 5 of the holes lie in the window.
  const gp::MultiPolygon window{{{{45, 45}, {545, 45}, {545, 545}, {45, 545}, {45, 45}}, {}}};
  struct Answers {
    char contains = -1;
    double area = 0.0;
    double distance = 0.0;
    bool operator==(const Answers&) const = default;
  };
  auto ask = [&](GeosContext& ctx, const GEOSGeometry* g) {
    Answers a;
    const GEOSContextHandle_t h = ctx.handle();
    const gp::geo::PreparedPtr prepared(GEOSPrepare_r(h, g), gp::geo::PreparedDeleter{h});
    const GeomPtr point = gp::geo::to_geos(ctx, gp::Point{60.0, 60.0});  // in a hole
    a.contains = GEOSPreparedContains_r(h, prepared.get(), point.get());
    const GeomPtr w = gp::geo::to_geos(ctx, window);
    const GeomPtr common = gp::geo::own(ctx, GEOSIntersection_r(h, g, w.get()), "intersection");
    GEOSArea_r(h, common.get(), &a.area);
    const GeomPtr far = gp::geo::to_geos(ctx, gp::Point{2000.0, 500.0});
    GEOSDistance_r(h, g, far.get(), &a.distance);
    return a;
  };
  GeosContext ctx;
  Answers expected;
  {
    const GeomPtr g = gp::geo::to_geos(ctx, shape);
    expected = ask(ctx, g.get());
  }
  REQUIRE(expected.contains == 0);
  REQUIRE(expected.area == Approx(500.0 * 500.0 - 25 * 40.0 * 40.0));
  REQUIRE(expected.distance == Approx(1000.0));
  constexpr int kRounds = 200;
  constexpr int kThreads = 4;
  std::atomic<int> wrong{0};
  for (int round = 0; round < kRounds; ++round) {
    const GeomPtr g = gp::geo::to_geos(ctx, shape);
    gp::geo::fill_read_caches(ctx, g.get());
    std::atomic<int> waiting{kThreads};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&] {
        GeosContext own;
        waiting.fetch_sub(1);
        while (waiting.load() > 0) std::this_thread::yield();  // released together
        try {
          if (!(ask(own, g.get()) == expected)) wrong.fetch_add(1);
        } catch (const gp::geo::GeosError&) {
          wrong.fetch_add(1);
        }
      });
    for (std::thread& t : threads) t.join();
  }
  CHECK(wrong.load() == 0);
}
