// The tessellation's own polygonizer (planner/geo/tessellation_faces.hpp): faces of noded segments.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <tbb/global_control.h>

#include "planner/geo/tessellation_cells.hpp"
#include "planner/geo/tessellation_faces.hpp"

namespace {

using gp::Point;
using gp::Polygon;
using gp::geo::detail::polygonize_segments;
using gp::geo::detail::Segment;

void add_ring(std::vector<Segment>& segments, std::initializer_list<Point> points) {
  const std::vector<Point> p(points);
  for (std::size_t k = 0; k < p.size(); ++k) segments.emplace_back(p[k], p[(k + 1) % p.size()]);
}

std::vector<double> sorted_areas(const std::vector<Polygon>& faces) {
  std::vector<double> areas;
  for (const Polygon& f : faces) areas.push_back(gp::area(f));
  std::sort(areas.begin(), areas.end());
  return areas;
}

}  // namespace

TEST_CASE("tessellation faces: a square cut by a diagonal gives two triangles", "[tessellation]") {
  std::vector<Segment> segments;
  add_ring(segments, {{0, 0}, {2, 0}, {2, 2}, {0, 2}});
  segments.emplace_back(Point{2, 2}, Point{0, 0});  // reversed and duplicated edges are fine
  segments.emplace_back(Point{0, 0}, Point{2, 2});
  std::vector<Polygon> faces;
  REQUIRE(polygonize_segments(segments, faces));
  REQUIRE(faces.size() == 2);
  for (const Polygon& f : faces) {
    CHECK(gp::signed_area(f.outer) == Approx(2.0));  // counter-clockwise
    CHECK(f.outer.front() == f.outer.back());
    CHECK(f.holes.empty());
  }
}

TEST_CASE("tessellation faces: dangles and cut edges bound nothing", "[tessellation]") {
  std::vector<Segment> segments;
  add_ring(segments, {{0, 0}, {2, 0}, {2, 2}, {0, 2}});
  segments.emplace_back(Point{1, 1}, Point{2, 2});  // dangle into the square
  segments.emplace_back(Point{2, 2}, Point{3, 3});  // dangle outside
  add_ring(segments, {{5, 0}, {6, 0}, {6, 1}, {5, 1}});
  segments.emplace_back(Point{2, 0}, Point{5, 0});  // cut edge between the two squares
  std::vector<Polygon> faces;
  REQUIRE(polygonize_segments(segments, faces));
  CHECK(sorted_areas(faces) == std::vector<double>{1.0, 4.0});
  for (const Polygon& f : faces) CHECK(f.outer.size() == 5);
}

TEST_CASE("tessellation faces: a part inside a face is its hole", "[tessellation]") {
  std::vector<Segment> segments;
  add_ring(segments, {{0, 0}, {5, 0}, {10, 0}, {10, 10}, {5, 10}, {0, 10}});
  segments.emplace_back(Point{5, 0}, Point{5, 10});      // two rooms
  add_ring(segments, {{1, 1}, {3, 1}, {3, 3}, {1, 3}});  // an island in the west room
  add_ring(segments, {{1.5, 1.5}, {2.5, 1.5}, {2.5, 2.5}, {1.5, 2.5}});  // and one inside it
  std::vector<Polygon> faces;
  REQUIRE(polygonize_segments(segments, faces));
  REQUIRE(faces.size() == 4);
  double total = 0.0;
  for (const Polygon& f : faces) {
    total += gp::area(f);
    for (const gp::Ring& hole : f.holes) CHECK(gp::signed_area(hole) < 0.0);  // clockwise
  }
  CHECK(total == Approx(100.0));
  CHECK(sorted_areas(faces) == std::vector<double>{1.0, 3.0, 46.0, 50.0});
  for (const Polygon& f : faces)
    CHECK(f.holes.size() == ((gp::area(f) == 46.0 || gp::area(f) == 3.0) ? 1U : 0U));
}

TEST_CASE("tessellation faces: overlapping edges are refused", "[tessellation]") {
  std::vector<Segment> segments;
  add_ring(segments, {{0, 0}, {2, 0}, {2, 2}, {0, 2}});
  // A triangle whose first edge lies on the edge (0,0)–(2,0) without a vertex at (1,0).
  add_ring(segments, {{0, 0}, {1, 0}, {1, 1}});
  std::vector<Polygon> faces;
  CHECK_FALSE(polygonize_segments(segments, faces));
}

TEST_CASE("tessellation faces: the result does not depend on the input order", "[tessellation]") {
  // A noded 4 × 4 grid of unit squares.
  std::vector<Segment> noded;
  for (int i = 0; i <= 4; ++i)
    for (int j = 0; j < 4; ++j) {
      noded.emplace_back(Point{double(i), double(j)}, Point{double(i), double(j + 1)});
      noded.emplace_back(Point{double(j), double(i)}, Point{double(j + 1), double(i)});
    }
  std::vector<Polygon> forward;
  REQUIRE(polygonize_segments(noded, forward));
  std::reverse(noded.begin(), noded.end());
  for (Segment& s : noded) std::swap(s.first, s.second);
  std::vector<Polygon> backward;
  REQUIRE(polygonize_segments(noded, backward));
  REQUIRE(forward.size() == 16);
  REQUIRE(backward.size() == forward.size());
  for (std::size_t k = 0; k < forward.size(); ++k) CHECK(forward[k].outer == backward[k].outer);
}

TEST_CASE("tessellation faces: parallel_sort gives std::sort's order on any number of threads",
          "[tessellation]") {
  // Large enough to be cut into parts (2^15 values per part at least), with repeated values.
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> coordinate(0, 2000);
  std::vector<gp::geo::detail::Segment> segments(300000);
  for (auto& s : segments)
    s = gp::geo::detail::normalised(
        {500000.0 + coordinate(rng) * 0.25, 3500000.0 + coordinate(rng)},
        {500000.0 + coordinate(rng), 3500000.0 + coordinate(rng) * 0.5});
  std::vector<gp::geo::detail::Segment> expected = segments;
  std::sort(expected.begin(), expected.end(), gp::geo::detail::segment_less);
  std::vector<double> fractions;
  std::vector<gp::geo::detail::Segment> parallel = segments;
  gp::geo::detail::parallel_sort(parallel, gp::geo::detail::segment_less,
                                 [&](double f) { fractions.push_back(f); });
  CHECK(parallel == expected);
  CHECK(fractions.size() >= 8);
  CHECK(fractions.back() == 1.0);
  std::vector<gp::geo::detail::Segment> serial = segments;
  {
    tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
    gp::geo::detail::parallel_sort(serial, gp::geo::detail::segment_less);
  }
  CHECK(serial == expected);
}

TEST_CASE("tessellation faces: a large grid and its contacts from the sorted check segments",
          "[tessellation]") {
  // 300 × 300 unit squares (180,600 segments, each twice and in both directions): large enough
  // for the parallel sorts' parts and the vertex numbering's progress; the faces are the squares
  // on any number of threads, and the contacts from sorted_piece_segments (the tiling check's
  // array, handed on by cut_pieces) are the ones piece_contacts finds by itself.
  constexpr int kSide = 300;
  std::vector<Segment> noded;
  for (int i = 0; i <= kSide; ++i)
    for (int j = 0; j < kSide; ++j) {
      const Point a{500000.0 + i, 3500000.0 + j};
      const Point b{500000.0 + i, 3500000.0 + j + 1};
      const Point c{500000.0 + j, 3500000.0 + i};
      const Point d{500000.0 + j + 1, 3500000.0 + i};
      noded.emplace_back(a, b);
      noded.emplace_back(d, c);
      noded.emplace_back(b, a);
    }
  std::vector<double> fractions;
  std::vector<Polygon> faces;
  REQUIRE(polygonize_segments(noded, faces, [&](double f) { fractions.push_back(f); }));
  REQUIRE(faces.size() == std::size_t(kSide) * kSide);
  std::size_t not_square = 0;  // one count, not 90,000 assertions (the ASan build runs this)
  for (const Polygon& face : faces)
    if (face.outer.size() != 5 || std::abs(gp::area(face) - 1.0) > 1e-6) ++not_square;
  CHECK(not_square == 0);
  CHECK(std::is_sorted(fractions.begin(), fractions.end()));
  std::vector<Polygon> serial;
  {
    tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
    REQUIRE(polygonize_segments(noded, serial));
  }
  REQUIRE(serial.size() == faces.size());
  std::size_t differ = 0;
  for (std::size_t k = 0; k < faces.size(); ++k)
    differ += serial[k].outer == faces[k].outer ? 0 : 1;
  CHECK(differ == 0);

  const std::vector<gp::geo::detail::Contact> own = gp::geo::detail::piece_contacts(faces);
  const std::vector<gp::geo::detail::Contact> handed =
      gp::geo::detail::piece_contacts(faces, gp::geo::detail::sorted_piece_segments(faces));
  // Inner edges: 2 · side · (side − 1); the outline: 4 · side, one contact per square on it.
  std::size_t inner = 0;
  std::size_t outline = 0;
  for (const auto& c : own) (c.b == gp::kNone ? outline : inner) += 1;
  CHECK(inner == std::size_t(2 * kSide * (kSide - 1)));
  CHECK(outline == std::size_t(4 * kSide - 4));
  REQUIRE(handed.size() == own.size());
  std::size_t other = 0;
  for (std::size_t k = 0; k < own.size(); ++k)
    if (handed[k].a != own[k].a || handed[k].b != own[k].b || handed[k].length_m != own[k].length_m)
      ++other;
  CHECK(other == 0);
}
