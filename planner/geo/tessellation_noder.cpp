#include "planner/geo/tessellation_noder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace gp::geo::detail {
namespace {

/// Rounds before giving up. Real blocks settle in two (one that splits, one that finds
/// nothing), occasionally three or four where a crossing lands near a third line.
constexpr std::size_t kMaxRounds = 8;
/// Segments between two calls of the progress tick.
constexpr std::size_t kTickEvery = 1024;

/// Which side of the line a→b the point c lies on (robust_side, tessellation_faces.hpp).
int side(const Point& a, const Point& b, const Point& c) {
  return robust_side(a, b, c);
}

/// Where p lies along s (0..1, by projection) when p is within kNodeSnapM of the interior of s
/// and not one of its ends; otherwise a negative value.
double snap_position(const Segment& s, const Point& p) {
  if (p == s.first || p == s.second) return -1.0;
  const double ex = s.second.x - s.first.x;
  const double ey = s.second.y - s.first.y;
  const double wx = p.x - s.first.x;
  const double wy = p.y - s.first.y;
  const double length2 = ex * ex + ey * ey;
  const double along = wx * ex + wy * ey;
  if (!(along > 0.0 && along < length2)) return -1.0;
  const double across = ex * wy - ey * wx;  // distance × length
  if (across * across > kNodeSnapM * kNodeSnapM * length2) return -1.0;
  return along / length2;
}

double position(const Segment& s, const Point& p) {
  const double ex = s.second.x - s.first.x;
  const double ey = s.second.y - s.first.y;
  return ((p.x - s.first.x) * ex + (p.y - s.first.y) * ey) / (ex * ex + ey * ey);
}

/// The crossing of s and t when they cross properly: each one's end points lie clearly on
/// opposite sides of the other's line. A pair where some end point lies on (within rounding of)
/// the other's line does not cross properly: that end point is then within kNodeSnapM of the
/// other segment (and was snapped) or beyond its end, where the two cannot meet.
bool proper_crossing(const Segment& s, const Segment& t, Point& x) {
  const Point& a = s.first;
  const Point& b = s.second;
  const Point& c = t.first;
  const Point& d = t.second;
  const int sc = side(a, b, c);
  const int sd = side(a, b, d);
  if (sc == 0 || sd == 0 || sc == sd) return false;
  const int sa = side(c, d, a);
  const int sb = side(c, d, b);
  if (sa == 0 || sb == 0 || sa == sb) return false;
  const double oa = orientation(c, d, a);
  const double ob = orientation(c, d, b);
  const double f = oa / (oa - ob);
  x = {a.x + f * (b.x - a.x), a.y + f * (b.y - a.y)};
  return true;
}

/// A segment's y range widened by kNodeSnapM (the sweep keeps its boxes as arrays: the scan
/// reads the left sides and the y ranges, not whole boxes).
struct YRange {
  double min_y, max_y;
};

struct Split {
  std::uint32_t segment;
  double u;  // position along it, 0..1
  Point at;
};

/// Sorts segments with their `fresh` flags and drops repeats (a repeat is fresh when any copy
/// is).
void sort_unique_flagged(std::vector<Segment>& segments, std::vector<char>& fresh) {
  std::vector<std::pair<Segment, char>> flagged;
  flagged.reserve(segments.size());
  for (std::size_t k = 0; k < segments.size(); ++k) flagged.emplace_back(segments[k], fresh[k]);
  std::sort(flagged.begin(), flagged.end(),
            [](const auto& s, const auto& t) { return segment_less(s.first, t.first); });
  segments.clear();
  fresh.clear();
  for (const auto& [segment, is_fresh] : flagged) {
    if (!segments.empty() && segments.back() == segment) {
      fresh.back() = char(fresh.back() | is_fresh);
      continue;
    }
    segments.push_back(segment);
    fresh.push_back(is_fresh);
  }
}

}  // namespace

bool node_segments(std::vector<Segment>& segments, const std::function<void(std::size_t)>& tick,
                   NodingStats* stats) {
  NodingStats local;
  NodingStats& st = stats != nullptr ? *stats : local;
  st = {};
  for (Segment& s : segments) s = normalised(s.first, s.second);
  std::erase_if(segments, [](const Segment& s) { return s.first == s.second; });
  std::vector<char> fresh(segments.size(), 1);
  sort_unique_flagged(segments, fresh);
  // The input's vertices never move; crossings are merged onto them.
  std::vector<Point> given;
  given.reserve(2 * segments.size());
  for (const Segment& s : segments) {
    given.push_back(s.first);
    given.push_back(s.second);
  }
  bool given_sorted = false;  // sorted when first needed: most blocks compute no crossing
  auto is_given = [&](const Point& p) {
    return std::binary_search(given.begin(), given.end(), p, PointLess{});
  };

  // The segments' boxes widened by kNodeSnapM, by segment (which is also sweep order).
  std::vector<double> sweep_min_x;
  std::vector<double> sweep_max_x;
  std::vector<YRange> sweep_y;
  std::vector<std::size_t> fresh_entries;  // the fresh segments, in sweep order
  std::vector<Split> splits;
  std::vector<Point> computed;  // crossings of this round
  std::vector<Segment> next;
  std::vector<char> next_fresh;
  std::vector<Point> vertices;
  std::vector<std::pair<Point, Point>> moved;  // (crossing, the vertex it moves onto)
  for (std::size_t round = 0; round < kMaxRounds; ++round) {
    ++st.rounds;
    // Candidate pairs by a sweep over the segments' boxes (widened by the snap distance) in
    // order of their left side: each pair of boxes that meet is seen once, from the one
    // further left. Pairs of segments that were both there, unchanged, in the previous round
    // were tested then.
    const std::size_t count = segments.size();
    sweep_min_x.resize(count);
    sweep_max_x.resize(count);
    sweep_y.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      const Segment& s = segments[i];  // normalised: first.x <= second.x
      sweep_min_x[i] = s.first.x - kNodeSnapM;
      sweep_max_x[i] = s.second.x + kNodeSnapM;
      sweep_y[i] = {std::min(s.first.y, s.second.y) - kNodeSnapM,
                    std::max(s.first.y, s.second.y) + kNodeSnapM};
    }
    // Segments are sorted by their first point, so they are already in order of min_x.
    splits.clear();
    computed.clear();
    // Tests segments a (further left) and b, whose y ranges meet.
    auto test_pair = [&](std::size_t a, std::size_t b) {
      // (lo, hi) is the pair in segment order, so the crossing computed does not depend on
      // which side found it.
      const std::size_t lo = std::min(a, b);
      const std::size_t hi = std::max(a, b);
      const Segment& s = segments[lo];
      const Segment& t = segments[hi];
      bool snapped = false;
      for (const Point& p : {t.first, t.second})
        if (const double u = snap_position(s, p); u >= 0.0) {
          splits.push_back({std::uint32_t(lo), u, p});
          snapped = true;
        }
      for (const Point& p : {s.first, s.second})
        if (const double u = snap_position(t, p); u >= 0.0) {
          splits.push_back({std::uint32_t(hi), u, p});
          snapped = true;
        }
      if (snapped) {
        ++st.snaps;
        return;
      }
      // Segments sharing an end point meet only there (an overlap would have snapped).
      if (s.first == t.first || s.first == t.second || s.second == t.first || s.second == t.second)
        return;
      Point x;
      if (!proper_crossing(s, t, x)) return;
      ++st.crossings;
      splits.push_back({std::uint32_t(lo), position(s, x), x});
      splits.push_back({std::uint32_t(hi), position(t, x), x});
      computed.push_back(x);
    };
    // Only pairs with a fresh segment are tested: an entry that is not fresh is paired with the
    // fresh entries after it only (`fresh_entries`, in sweep order), not scanned past every
    // entry it overlaps in x. From the second round on most segments are not fresh; the pairs
    // tested are the same as when scanning them all.
    fresh_entries.clear();
    for (std::size_t b = 0; b < count; ++b)
      if (fresh[b] != 0) fresh_entries.push_back(b);
    std::size_t first_fresh_after = 0;  // in fresh_entries: the first entry after `a`
    std::size_t since_tick = 0;
    for (std::size_t a = 0; a < count; ++a) {
      if (tick && ++since_tick == kTickEvery) {
        tick(since_tick);
        since_tick = 0;
      }
      while (first_fresh_after < fresh_entries.size() && fresh_entries[first_fresh_after] <= a)
        ++first_fresh_after;
      const double max_x = sweep_max_x[a];
      const YRange y = sweep_y[a];
      if (fresh[a] != 0) {
        for (std::size_t b = a + 1; b < count && sweep_min_x[b] <= max_x; ++b)
          if (!(sweep_y[b].min_y > y.max_y || sweep_y[b].max_y < y.min_y)) test_pair(a, b);
      } else {
        for (std::size_t k = first_fresh_after;
             k < fresh_entries.size() && sweep_min_x[fresh_entries[k]] <= max_x; ++k) {
          const std::size_t b = fresh_entries[k];
          if (!(sweep_y[b].min_y > y.max_y || sweep_y[b].max_y < y.min_y)) test_pair(a, b);
        }
      }
    }
    if (tick && since_tick > 0) tick(since_tick);
    if (splits.empty()) return true;

    // Each split segment becomes its parts between consecutive split points.
    std::sort(splits.begin(), splits.end(), [](const Split& s, const Split& t) {
      if (s.segment != t.segment) return s.segment < t.segment;
      if (s.u != t.u) return s.u < t.u;
      return less_point(s.at, t.at);
    });
    next.clear();
    next_fresh.clear();
    std::size_t k = 0;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const Segment& s = segments[i];
      if (k == splits.size() || splits[k].segment != i) {
        next.push_back(s);
        next_fresh.push_back(0);
        continue;
      }
      Point from = s.first;
      for (; k < splits.size() && splits[k].segment == i; ++k) {
        const Point& x = splits[k].at;
        if (x == from || x == s.second) continue;
        next.push_back(normalised(from, x));
        next_fresh.push_back(1);
        from = x;
      }
      next.push_back(normalised(from, s.second));
      next_fresh.push_back(1);
    }

    // Crossings near a vertex move onto it: an input vertex first (the nearest), else a crossing
    // of an earlier round, else a smaller crossing of this round (three lines nearly meeting
    // give one vertex instead of a sliver triangle between three crossings).
    std::sort(computed.begin(), computed.end(), PointLess{});
    computed.erase(std::unique(computed.begin(), computed.end()), computed.end());
    if (!computed.empty() && !given_sorted) {
      std::sort(given.begin(), given.end(), PointLess{});
      given.erase(std::unique(given.begin(), given.end()), given.end());
      given_sorted = true;
    }
    vertices.clear();
    if (!computed.empty())
      for (const Segment& s : next) {
        vertices.push_back(s.first);
        vertices.push_back(s.second);
      }
    std::sort(vertices.begin(), vertices.end(), PointLess{});
    vertices.erase(std::unique(vertices.begin(), vertices.end()), vertices.end());
    moved.clear();
    auto kept_of = [&](const Point& p) {
      const auto it =
          std::lower_bound(moved.begin(), moved.end(), p,
                           [](const auto& m, const Point& q) { return less_point(m.first, q); });
      return it != moved.end() && it->first == p ? it->second : p;
    };
    for (const Point& c : computed) {  // ascending: smaller crossings are resolved first
      if (is_given(c)) continue;
      const Point* best[3] = {nullptr, nullptr, nullptr};  // given, earlier crossing, this round's
      double best_d[3] = {INFINITY, INFINITY, INFINITY};
      const auto lo = std::lower_bound(vertices.begin(), vertices.end(),
                                       Point{c.x - kNodeMergeM, -INFINITY}, PointLess{});
      for (auto it = lo; it != vertices.end() && it->x <= c.x + kNodeMergeM; ++it) {
        if (*it == c || std::abs(it->y - c.y) > kNodeMergeM) continue;
        const double d = std::hypot(it->x - c.x, it->y - c.y);
        if (d > kNodeMergeM) continue;
        int kind = 0;
        if (!is_given(*it)) {
          kind = std::binary_search(computed.begin(), computed.end(), *it, PointLess{}) ? 2 : 1;
          if (kind == 2 && !less_point(*it, c)) continue;  // a larger one of this round: later
        }
        if (d < best_d[kind] || (d == best_d[kind] && less_point(*it, *best[kind]))) {
          best_d[kind] = d;
          best[kind] = &*it;
        }
      }
      const Point* target = best[0] != nullptr ? best[0] : best[1] != nullptr ? best[1] : best[2];
      if (target == nullptr) continue;
      moved.emplace_back(c, kept_of(*target));  // ascending by the first: stays sorted
      ++st.merged;
    }
    if (!moved.empty()) {
      std::size_t kept = 0;
      for (std::size_t i = 0; i < next.size(); ++i) {
        const Point a = kept_of(next[i].first);
        const Point b = kept_of(next[i].second);
        if (a == b) continue;
        const bool changed = !(a == next[i].first) || !(b == next[i].second);
        next[kept] = normalised(a, b);
        next_fresh[kept] = char(next_fresh[i] | (changed ? 1 : 0));
        ++kept;
      }
      next.resize(kept);
      next_fresh.resize(kept);
    }
    sort_unique_flagged(next, next_fresh);
    segments.swap(next);
    fresh.swap(next_fresh);
  }
  return false;
}

}  // namespace gp::geo::detail
