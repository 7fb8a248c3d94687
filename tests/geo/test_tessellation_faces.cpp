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
  gp::parallel_sort(parallel, gp::geo::detail::segment_less,
                    [&](double f) { fractions.push_back(f); });
  CHECK(parallel == expected);
  CHECK(fractions.size() >= 8);
  CHECK(fractions.back() == 1.0);
  std::vector<gp::geo::detail::Segment> serial = segments;
  {
    tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
    gp::parallel_sort(serial, gp::geo::detail::segment_less);
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

  // sorted_piece_segments (entries written into x buckets, each bucket sorted) is std::sort's
  // order of every entry.
  {
    using gp::geo::detail::SegmentEntry;
    std::vector<SegmentEntry> expected;
    for (std::size_t p = 0; p < faces.size(); ++p)
      for (std::size_t k = 0; k + 1 < faces[p].outer.size(); ++k) {
        const Segment s = gp::geo::detail::normalised(faces[p].outer[k], faces[p].outer[k + 1]);
        expected.push_back({s.first, s.second, std::int32_t(p)});
      }
    std::sort(expected.begin(), expected.end(), [](const SegmentEntry& s, const SegmentEntry& t) {
      if (!(s.a == t.a)) return gp::geo::detail::less_point(s.a, t.a);
      if (!(s.b == t.b)) return gp::geo::detail::less_point(s.b, t.b);
      return s.piece < t.piece;
    });
    std::vector<double> sort_fractions;
    const std::vector<SegmentEntry> sorted = gp::geo::detail::sorted_piece_segments(
        faces, [&](double f) { sort_fractions.push_back(f); });
    REQUIRE(sorted.size() == expected.size());
    std::size_t unlike = 0;
    for (std::size_t k = 0; k < sorted.size(); ++k)
      if (!(sorted[k].a == expected[k].a) || !(sorted[k].b == expected[k].b) ||
          sorted[k].piece != expected[k].piece)
        ++unlike;
    CHECK(unlike == 0);
    CHECK(std::is_sorted(sort_fractions.begin(), sort_fractions.end()));
    CHECK(sort_fractions.back() == 1.0);
  }

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

namespace {

/// A closed ring through `corners` (integer coordinates, axis-parallel sides), split at every
/// integer point, each part directed along the ring.
std::vector<Segment> unit_ring(std::initializer_list<Point> corners) {
  const std::vector<Point> c(corners);
  std::vector<Segment> out;
  for (std::size_t k = 0; k < c.size(); ++k) {
    const Point a = c[k];
    const Point b = c[(k + 1) % c.size()];
    const int steps = int(std::abs(b.x - a.x) + std::abs(b.y - a.y));
    for (int s = 0; s < steps; ++s) {
      const double t0 = double(s) / steps;
      const double t1 = double(s + 1) / steps;
      out.emplace_back(Point{a.x + t0 * (b.x - a.x), a.y + t0 * (b.y - a.y)},
                       Point{a.x + t1 * (b.x - a.x), a.y + t1 * (b.y - a.y)});
    }
  }
  return out;
}

bool key_less(const gp::geo::detail::FaceKey& s, const gp::geo::detail::FaceKey& t) {
  if (!(s.segment == t.segment)) return gp::geo::detail::segment_less(s.segment, t.segment);
  return !s.reverse && t.reverse;
}

}  // namespace

TEST_CASE("tessellation faces: faces per region, merged by key, are the whole arrangement's",
          "[tessellation]") {
  // Seven blocks tiling [0, 12]², one of them an island in another's hole; inside them a grid
  // of unit squares, dangles, a cut edge, rings touching nothing (holes of the faces around
  // them) and lines from ring to ring. Polygonized block by block (polygonize_region) and merged
  // by FaceKey, the faces must be polygonize_segments' faces of all the linework, in its order,
  // with the same rings (same first vertex, same holes in the same order).
  struct Block {
    std::vector<Segment> boundary;  // directed, the block on the left
    std::vector<Segment> inside;
  };
  auto reversed = [](std::vector<Segment> ring) {
    for (Segment& s : ring) std::swap(s.first, s.second);
    return ring;
  };
  auto join = [](std::vector<Segment> a, const std::vector<Segment>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  std::vector<Block> blocks(7);
  blocks[0].boundary = unit_ring({{0, 0}, {4, 0}, {4, 6}, {0, 6}});
  for (int i = 0; i <= 4; ++i)
    for (int j = 0; j < 6; ++j) {
      if (i > 0 && i < 4)
        blocks[0].inside.emplace_back(Point{double(i), double(j)}, Point{double(i), double(j + 1)});
    }
  for (int j = 1; j < 6; ++j)
    for (int i = 0; i < 4; ++i)
      blocks[0].inside.emplace_back(Point{double(i), double(j)}, Point{double(i + 1), double(j)});
  blocks[1].boundary = unit_ring({{4, 0}, {8, 0}, {8, 6}, {4, 6}});
  blocks[1].inside = {{{4, 3}, {5, 3}}, {{5, 3}, {5.5, 3.5}}};  // a dangle from the ring
  // A ring touching nothing: a hole of the block's face.
  for (const Segment& s : unit_ring({{5, 4}, {6, 4}, {6, 5}, {5, 5}}))
    blocks[1].inside.push_back(s);
  // Two rings joined by a cut edge.
  blocks[1].inside = join(blocks[1].inside, {{{5, 1}, {6, 1}},
                                             {{6, 1}, {6, 1.5}},
                                             {{6, 1.5}, {6, 2}},
                                             {{6, 2}, {5, 2}},
                                             {{5, 2}, {5, 1}},
                                             {{6, 1.5}, {6.5, 1.5}},
                                             {{6.5, 1}, {7, 1}},
                                             {{7, 1}, {7, 2}},
                                             {{7, 2}, {6.5, 2}},
                                             {{6.5, 2}, {6.5, 1.5}},
                                             {{6.5, 1.5}, {6.5, 1}}});
  const std::vector<Segment> island = unit_ring({{9, 1}, {11, 1}, {11, 3}, {9, 3}});
  blocks[2].boundary = join(unit_ring({{8, 0}, {12, 0}, {12, 6}, {8, 6}}), reversed(island));
  blocks[2].inside = {{{11, 3}, {12, 4}}, {{9, 3}, {9, 5}}};  // ring to ring; a dangle
  blocks[3].boundary = island;
  blocks[3].inside = {{{9, 1}, {10, 2}}, {{10, 2}, {11, 3}}};
  blocks[4].boundary = unit_ring({{0, 6}, {4, 6}, {4, 12}, {0, 12}});
  blocks[5].boundary = unit_ring({{4, 6}, {8, 6}, {8, 12}, {4, 12}});
  for (int i = 4; i < 8; ++i)
    blocks[5].inside.emplace_back(Point{double(i), 9}, Point{double(i + 1), 9});
  blocks[6].boundary = unit_ring({{8, 6}, {12, 6}, {12, 12}, {8, 12}});
  // A ring in a ring in block 6: the inner one a hole of the face between them.
  blocks[6].inside = join(
      unit_ring({{9, 7}, {11, 7}, {11, 11}, {9, 11}}),
      {{{10, 8}, {10.5, 8}}, {{10.5, 8}, {10.5, 9}}, {{10.5, 9}, {10, 9}}, {{10, 9}, {10, 8}}});

  std::vector<Segment> all;
  for (const Block& block : blocks) all = join(join(all, block.boundary), block.inside);
  std::vector<Polygon> whole;
  REQUIRE(polygonize_segments(all, whole));

  struct Found {
    gp::geo::detail::FaceKey key;
    Polygon face;
  };
  std::vector<Found> merged;
  for (const Block& block : blocks) {
    std::vector<Polygon> faces;
    std::vector<gp::geo::detail::FaceKey> keys;
    REQUIRE(gp::geo::detail::polygonize_region(block.inside, block.boundary, faces, keys));
    REQUIRE(keys.size() == faces.size());
    CHECK(std::is_sorted(keys.begin(), keys.end(), key_less));
    for (std::size_t f = 0; f < faces.size(); ++f) merged.push_back({keys[f], faces[f]});
  }
  std::sort(merged.begin(), merged.end(),
            [](const Found& s, const Found& t) { return key_less(s.key, t.key); });
  // 24 unit squares; block 1 (two holes), its square and the two rectangles of the cut edge;
  // block 2 (its line from ring to ring is a cut edge), the island's two triangles, block 4,
  // block 5's two halves, block 6 with its ring and the ring in that.
  CHECK(whole.size() == 24 + 4 + 1 + 2 + 1 + 2 + 3);
  REQUIRE(merged.size() == whole.size());
  for (std::size_t k = 0; k < whole.size(); ++k) {
    CHECK(merged[k].face.outer == whole[k].outer);
    CHECK(merged[k].face.holes == whole[k].holes);
  }
}
