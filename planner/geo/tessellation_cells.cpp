#include "planner/geo/tessellation_cells.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <sstream>
#include <type_traits>

#include "planner/core/parallel.hpp"
#include "planner/core/parallel_sort.hpp"
#include "planner/core/progress_ticks.hpp"

namespace gp::geo::detail {
namespace {

/// Dissolves edge-matched polygons (the pieces of one cell, oriented with shells
/// counter-clockwise and holes clockwise) into polygons: segments shared by two pieces cancel,
/// the rest is chained into rings, turning as far left as possible at a vertex where rings
/// touch, which keeps each ring around a single part. Vertices are kept exactly, so the result
/// still matches its neighbours edge for edge.
MultiPolygon dissolve(const std::vector<const Polygon*>& parts) {
  struct Directed {
    Point a;
    Point b;
    bool used = false;
  };
  std::vector<Directed> segments;
  for (const Polygon* polygon : parts) {
    auto add_ring = [&](const Ring& ring) {
      for (std::size_t k = 0; k + 1 < ring.size(); ++k)
        if (!(ring[k] == ring[k + 1])) segments.push_back({ring[k], ring[k + 1]});
    };
    add_ring(polygon->outer);
    for (const Ring& hole : polygon->holes) add_ring(hole);
  }
  auto by_start = [](const Directed& s, const Directed& t) {
    if (!(s.a == t.a)) return less_point(s.a, t.a);
    return less_point(s.b, t.b);
  };
  std::sort(segments.begin(), segments.end(), by_start);
  auto find = [&](const Point& a, const Point& b) -> Directed* {
    const Directed key{a, b};
    auto it = std::lower_bound(segments.begin(), segments.end(), key, by_start);
    return it != segments.end() && it->a == a && it->b == b ? &*it : nullptr;
  };
  for (Directed& s : segments) {
    if (s.used) continue;
    Directed* reverse = find(s.b, s.a);
    if (reverse && !reverse->used) {
      s.used = true;
      reverse->used = true;
    }
  }
  std::vector<Ring> shells;
  std::vector<Ring> holes;
  for (Directed& first : segments) {
    if (first.used) continue;
    Ring ring{first.a};
    Directed* current = &first;
    while (true) {
      current->used = true;
      ring.push_back(current->b);
      if (current->b == first.a) break;
      // Unused segments leaving current->b: choose the leftmost turn. Most vertices have one
      // (the turn is computed only where there is a choice: an atan2 per vertex was most of
      // this function's time).
      const Directed key{current->b, Point{-INFINITY, -INFINITY}};
      const auto leaving = std::lower_bound(segments.begin(), segments.end(), key, by_start);
      Directed* next = nullptr;
      std::size_t choices = 0;
      for (auto it = leaving; it != segments.end() && it->a == current->b && choices < 2; ++it)
        if (!it->used) {
          next = &*it;
          ++choices;
        }
      if (choices == 0) break;  // open chain: not a clean coverage; close the ring as it is
      if (choices == 1) {
        current = next;
        continue;
      }
      next = nullptr;
      double best_turn = -INFINITY;
      const double in_x = current->b.x - current->a.x;
      const double in_y = current->b.y - current->a.y;
      for (auto it = leaving; it != segments.end() && it->a == current->b; ++it) {
        if (it->used) continue;
        const double out_x = it->b.x - it->a.x;
        const double out_y = it->b.y - it->a.y;
        const double turn = std::atan2(in_x * out_y - in_y * out_x, in_x * out_x + in_y * out_y);
        if (turn > best_turn) {
          best_turn = turn;
          next = &*it;
        }
      }
      if (!next) break;  // open chain: not a clean coverage; close the ring as it is
      current = next;
    }
    if (!(ring.back() == ring.front())) ring.push_back(ring.front());
    if (ring.size() < 4) continue;
    const double a = signed_area(ring);
    if (a > 0.0)
      shells.push_back(std::move(ring));
    else if (a < 0.0)
      holes.push_back(std::move(ring));
  }
  MultiPolygon out;
  for (Ring& shell : shells) out.push_back({std::move(shell), {}});
  for (Ring& hole : holes) {
    // The shell holding most of the hole's vertices (vertices may touch the shell), smallest
    // first when tied.
    std::size_t best = 0;
    std::size_t best_count = 0;
    for (std::size_t k = 0; k < out.size(); ++k) {
      std::size_t count = 0;
      for (const Point& p : hole) count += in_ring(out[k].outer, p) ? 1 : 0;
      if (count > best_count || (count == best_count && count > 0 &&
                                 signed_area(out[k].outer) < signed_area(out[best].outer))) {
        best = k;
        best_count = count;
      }
    }
    if (!out.empty()) out[best].holes.push_back(std::move(hole));
  }
  return out;
}

Crossing crossing_between(std::int32_t block_a, std::int32_t block_b,
                          const std::vector<std::int32_t>& block_face) {
  if (block_a == block_b) return Crossing::none;
  return block_face[std::size_t(block_a)] == block_face[std::size_t(block_b)] ? Crossing::soft
                                                                              : Crossing::hard;
}

}  // namespace

std::vector<Contact> piece_contacts(const std::vector<Polygon>& pieces,
                                    const std::function<void(double)>& progress) {
  return piece_contacts(pieces, {}, progress);
}

std::vector<Contact> piece_contacts(const std::vector<Polygon>& pieces,
                                    std::vector<SegmentEntry> sorted,
                                    const std::function<void(double)>& progress) {
  auto tick = [&](double f) {
    if (progress) progress(f);
  };
  std::vector<SegmentEntry> segments = std::move(sorted);
  if (segments.empty()) segments = sorted_piece_segments(pieces, [&](double f) { tick(0.6 * f); });
  tick(0.6);
  // The contacts in segment order, made in parallel: chunks of the sorted segments cut at the
  // start of a run of equal segments, each chunk counted, then written at its offset (the
  // serial loop's output, element for element; one array, no per-chunk copies to join).
  const std::size_t segment_count = segments.size();
  const std::size_t chunks = std::clamp<std::size_t>(segment_count >> 12U, 1, 256);
  std::vector<std::size_t> chunk_start(chunks + 1, segment_count);
  chunk_start[0] = 0;
  for (std::size_t c = 1; c < chunks; ++c) {
    std::size_t at = std::max(chunk_start[c - 1], segment_count * c / chunks);
    while (at > 0 && at < segment_count && segments[at].a == segments[at - 1].a &&
           segments[at].b == segments[at - 1].b)
      ++at;
    chunk_start[c] = at;
  }
  auto contacts_of = [&](std::size_t c, Contact* out) {
    std::size_t made = 0;
    std::size_t i = chunk_start[c];
    while (i < chunk_start[c + 1]) {
      std::size_t j = i + 1;
      while (j < segment_count && segments[j].a == segments[i].a && segments[j].b == segments[i].b)
        ++j;
      const double length =
          std::hypot(segments[i].b.x - segments[i].a.x, segments[i].b.y - segments[i].a.y);
      if (j - i == 2 && segments[i].piece != segments[i + 1].piece) {
        if (out) out[made] = {segments[i].piece, segments[i + 1].piece, length};
        ++made;
      } else {
        for (std::size_t k = i; k < j; ++k, ++made)
          if (out) out[made] = {segments[k].piece, kNone, length};
      }
      i = j;
    }
    return made;
  };
  const std::function<void(double)> report = tick;
  const std::function<void(double)> pairs_progress = progress_span(report, 0.6, 0.7);
  ProgressCount counted(pairs_progress, 2 * chunks, 1);
  std::vector<std::size_t> chunk_offset(chunks + 1, 0);
  parallel_for(0, chunks, [&](std::size_t c) {
    chunk_offset[c + 1] = contacts_of(c, nullptr);
    counted.add(1);
  });
  for (std::size_t c = 0; c < chunks; ++c) chunk_offset[c + 1] += chunk_offset[c];
  // Not zero-filled (make_unique_for_overwrite; Contact is trivial): every entry is written by
  // the fill, whose pages are touched on both threads. A zero-filled vector was 1.3 s of one
  // thread without a word here at 1M buildings in one community (round 17).
  static_assert(std::is_trivially_default_constructible_v<Contact>);
  const std::size_t contact_count = chunk_offset[chunks];
  const std::unique_ptr<Contact[]> contacts =
      std::make_unique_for_overwrite<Contact[]>(contact_count);
  parallel_for(0, chunks, [&](std::size_t c) {
    contacts_of(c, contacts.get() + chunk_offset[c]);
    counted.add(1);
  });
  segments = {};
  tick(0.7);
  // Merge per pair: sorted by pair and then by length, a total order (contacts of one pair with
  // equal lengths are equal), so the lengths of one pair add up in one order, shortest first,
  // whatever sort and threads (parallel_sort.hpp).
  parallel_sort(
      contacts.get(), contacts.get() + contact_count,
      [](const Contact& s, const Contact& t) {
        if (s.a != t.a) return s.a < t.a;
        if (s.b != t.b) return s.b < t.b;
        return s.length_m < t.length_m;
      },
      progress_span(report, 0.7, 0.9));
  tick(0.9);
  std::vector<Contact> merged;
  LoopTicks merge_ticks(report, 0.9, 1.0, contact_count, 1 << 16);
  for (std::size_t k = 0; k < contact_count; ++k) {
    const Contact& c = contacts[k];
    merge_ticks.step();
    if (!merged.empty() && merged.back().a == c.a && merged.back().b == c.b)
      merged.back().length_m += c.length_m;
    else
      merged.push_back(c);
  }
  tick(1.0);
  return merged;
}

std::vector<std::int32_t> label_pieces(const Pieces& pieces,
                                       const std::vector<std::vector<Site>>& block_sites,
                                       const OutlineLocator& outlines,
                                       const std::function<void(double)>& progress) {
  const std::size_t piece_count = pieces.polygons.size();
  // One locator per block, made in parallel (an R-tree each for the larger blocks: seconds at
  // 1M buildings on one thread). Progress: the locators (by sites) fill 0 to 0.3, the pieces
  // the rest.
  std::vector<std::optional<SiteLocator>> site_locators(block_sites.size());
  std::size_t site_count = 0;
  for (const std::vector<Site>& sites : block_sites) site_count += sites.size() + 1;
  const std::function<void(double)> none = [](double) {};
  const std::function<void(double)> locators_progress = progress_span(progress, 0.0, 0.3);
  // A report as each block starts and as it ends (blocks finish out of order on the threads
  // and only rises pass on, so a community of a few large blocks still reports inside the
  // span; ~2 reports per block, a quarter of a million at 1M buildings, cheap).
  ProgressCount locators_counted(progress ? locators_progress : none, site_count, 1);
  parallel_for_chunks(0, block_sites.size(), 1, [&](std::size_t begin, std::size_t end) {
    for (std::size_t b = begin; b < end; ++b) {
      locators_counted.add(1);
      site_locators[b].emplace(block_sites[b]);
      locators_counted.add(block_sites[b].size());
    }
  });
  std::vector<std::int32_t> owner(piece_count, kNone);
  const std::function<void(double)> pieces_progress = progress_span(progress, 0.3, 1.0);
  constexpr std::size_t kChunk = 2048;
  ProgressCount counted(progress ? pieces_progress : none, piece_count, 4 * kChunk);
  parallel_for_chunks(0, piece_count, kChunk, [&](std::size_t begin, std::size_t end) {
    std::vector<std::int32_t> hits;
    for (std::size_t p = begin; p < end; ++p) {
      owner[p] = outlines.building_containing(pieces.block[p], pieces.inside[p], hits);
      if (owner[p] == kNone)
        owner[p] = site_locators[std::size_t(pieces.block[p])]->nearest_building(pieces.inside[p]);
    }
    counted.add(end - begin);
  });
  return owner;
}

void merge_empty_blocks(const Dataset& dataset, const CommunityJob& job,
                        const CommunityBlocks& blocks,
                        const std::vector<std::vector<Site>>& block_sites, const Pieces& pieces,
                        const std::vector<Contact>& contacts, std::vector<std::int32_t>& owner,
                        ProblemReporter& problems, const std::function<void(double)>& progress) {
  const Community& community = dataset.communities[std::size_t(job.community)];
  const std::vector<Polygon>& piece_polygons = pieces.polygons;
  const std::vector<std::int32_t>& piece_block = pieces.block;
  const std::size_t piece_count = piece_polygons.size();
  // Only the blocks without sites and their pieces take part (a few in a town): their pieces
  // and those pieces' neighbours are listed, in piece and contact order as a list of every
  // piece's would have them (one allocation per piece of the community before).
  std::vector<std::vector<std::int32_t>> block_pieces(blocks.size());
  // Progress over the pieces and contacts (the empty blocks' rounds are few and small).
  LoopTicks ticks(progress, 0.0, 1.0, piece_count + contacts.size(), 1 << 16);
  for (std::size_t p = 0; p < piece_count; ++p) {
    ticks.step();
    const std::size_t b = std::size_t(piece_block[p]);
    if (block_sites[b].empty()) block_pieces[b].push_back(std::int32_t(p));
  }
  std::vector<std::int32_t> empty_blocks;
  for (std::size_t b = 0; b < blocks.size(); ++b)
    if (block_sites[b].empty() && !block_pieces[b].empty()) empty_blocks.push_back(std::int32_t(b));
  std::vector<std::int32_t> slot(empty_blocks.empty() ? 0 : piece_count, -1);
  std::int32_t slots = 0;
  for (std::int32_t e : empty_blocks)
    for (std::int32_t p : block_pieces[std::size_t(e)]) slot[std::size_t(p)] = slots++;
  std::vector<std::vector<std::pair<std::int32_t, double>>> neighbour_lists(
      static_cast<std::size_t>(slots));
  auto neighbours = [&](std::int32_t p) -> const std::vector<std::pair<std::int32_t, double>>& {
    return neighbour_lists[std::size_t(slot[std::size_t(p)])];
  };
  for (const Contact& c : contacts) {
    ticks.step();
    if (c.b == kNone || slots == 0) continue;
    if (const std::int32_t k = slot[std::size_t(c.a)]; k >= 0)
      neighbour_lists[std::size_t(k)].emplace_back(c.b, c.length_m);
    if (const std::int32_t k = slot[std::size_t(c.b)]; k >= 0)
      neighbour_lists[std::size_t(k)].emplace_back(c.a, c.length_m);
  }
  bool changed = true;
  while (changed) {
    changed = false;
    std::vector<std::int32_t> next = owner;
    for (std::int32_t e : empty_blocks) {
      const std::vector<std::int32_t>& mine = block_pieces[std::size_t(e)];
      if (owner[std::size_t(mine.front())] != kNone) continue;
      // Per candidate owner: shared length not across a hard barrier, and across one.
      std::map<std::int32_t, std::pair<double, double>> by_owner;
      for (std::int32_t p : mine)
        for (const auto& [q, length] : neighbours(p)) {
          const std::int32_t o = owner[std::size_t(q)];
          if (o == kNone) continue;
          const bool hard =
              crossing_between(e, piece_block[std::size_t(q)], blocks.block_face) == Crossing::hard;
          (hard ? by_owner[o].second : by_owner[o].first) += length;
        }
      std::int32_t best = kNone;
      double best_length = 0.0;
      bool best_hard = true;
      for (const auto& [o, lengths] : by_owner) {
        const bool hard = lengths.first <= 0.0;
        const double length = hard ? lengths.second : lengths.first;
        if (best == kNone || (best_hard && !hard) || (hard == best_hard && length > best_length)) {
          best = o;
          best_length = length;
          best_hard = hard;
        }
      }
      if (best == kNone) continue;
      for (std::int32_t p : mine) next[std::size_t(p)] = best;
      changed = true;
      if (best_hard) {
        const Building& building = dataset.buildings[std::size_t(job.buildings[std::size_t(best)])];
        double empty_area = 0.0;
        for (std::int32_t p : mine) empty_area += area(piece_polygons[std::size_t(p)]);
        std::ostringstream message;
        message.precision(1);
        message << std::fixed << "an area of " << empty_area
                << " m² with no building, enclosed by hard barriers, joined the cell of "
                << describe_building(building) << " across a hard barrier";
        problems.report(Severity::info, "empty-face-merged-across-hard-barrier", building.source,
                        message.str());
      }
    }
    owner = std::move(next);
  }
  // Parts of the community not connected to any building's cell (a detached part of a
  // multipolygon community): the building whose site is nearest takes them, reported.
  for (std::int32_t e : empty_blocks) {
    const std::vector<std::int32_t>& mine = block_pieces[std::size_t(e)];
    if (owner[std::size_t(mine.front())] != kNone) continue;
    const Point inside = blocks.blocks[std::size_t(e)].inside;
    std::int32_t nearest = kNone;
    double best_d2 = INFINITY;
    double empty_area = 0.0;
    for (std::int32_t p : mine) empty_area += area(piece_polygons[std::size_t(p)]);
    for (const std::vector<Site>& sites : block_sites)
      for (const Site& s : sites) {
        const double d2 =
            (s.p.x - inside.x) * (s.p.x - inside.x) + (s.p.y - inside.y) * (s.p.y - inside.y);
        if (d2 < best_d2 || (d2 == best_d2 && s.building < nearest)) {
          best_d2 = d2;
          nearest = s.building;
        }
      }
    for (std::int32_t p : mine) owner[std::size_t(p)] = nearest;
    std::ostringstream message;
    message.precision(1);
    message << std::fixed << "community " << community.name << " has a detached part of "
            << empty_area << " m² with no building; it joined the cell of the nearest building";
    problems.report(Severity::warning, "community-part-without-buildings", community.source,
                    message.str());
  }
}

// A shared edge this short (m, projected CRS) connects nothing: it is a rounding error, e.g. two
// crossings of three nearly concurrent lines computed 1e-10 m apart in different street blocks'
// noding (merge_computed_vertices merges such pairs only within one block's computed vertices).
// Written out, reprojected or dissolved by GEOS it is a point, so pieces meeting only there
// would be a cell or grid in two polygons (Helsinki: a 0.14 m² crumb of grid 44). 0.01 mm: the
// merge tolerance of the noding, far below any real edge of a footprint or a street block.
constexpr double kMinConnectingEdgeM = 1e-5;

void reassign_detached_pieces(
    const std::vector<Polygon>& pieces, const std::vector<std::int32_t>& piece_block,
    const std::vector<std::int32_t>& block_face, const std::vector<Contact>& contacts,
    const std::vector<Placement>& placements, std::vector<std::int32_t>& owner,
    const std::function<void(double)>& progress, const std::vector<double>* piece_area) {
  const std::size_t piece_count = pieces.size();
  std::vector<double> computed_area;
  if (!piece_area || piece_area->size() != piece_count) {
    computed_area = piece_areas(pieces);
    piece_area = &computed_area;
  }
  const std::vector<double>& areas = *piece_area;
  // Progress over the contacts and three passes over the pieces (the detached pieces' rounds
  // after them are few).
  LoopTicks ticks(progress, 0.0, 1.0, contacts.size() + 3 * piece_count, 1 << 16);
  std::vector<std::int32_t> parent(piece_count);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](std::int32_t p) {
    while (parent[std::size_t(p)] != p) {
      parent[std::size_t(p)] = parent[std::size_t(parent[std::size_t(p)])];
      p = parent[std::size_t(p)];
    }
    return p;
  };
  for (const Contact& c : contacts) {
    ticks.step();
    if (c.b == kNone || c.length_m <= kMinConnectingEdgeM) continue;
    const std::int32_t o = owner[std::size_t(c.a)];
    if (o == kNone || o != owner[std::size_t(c.b)]) continue;
    const std::int32_t ra = find(c.a), rb = find(c.b);
    if (ra != rb) parent[std::size_t(std::max(ra, rb))] = std::min(ra, rb);
  }
  // Per owner: the group holding its site, else the group of largest area.
  const std::size_t n = placements.size();
  std::vector<std::int32_t> home(n, kNone);
  std::vector<double> group_area(piece_count, 0.0);
  for (std::size_t p = 0; p < piece_count; ++p) {
    ticks.step();
    if (owner[p] != kNone) group_area[std::size_t(find(std::int32_t(p)))] += areas[p];
  }
  std::vector<double> home_area(n, -1.0);
  for (std::size_t p = 0; p < piece_count; ++p) {
    ticks.step();
    const std::int32_t o = owner[p];
    if (o == kNone) continue;
    const std::int32_t root = find(std::int32_t(p));
    if (home_area[std::size_t(o)] == INFINITY) continue;  // the site's group is known
    if (in_polygon(pieces[p], placements[std::size_t(o)].site)) {
      home[std::size_t(o)] = root;
      home_area[std::size_t(o)] = INFINITY;
    } else if (group_area[std::size_t(root)] > home_area[std::size_t(o)]) {
      home[std::size_t(o)] = root;
      home_area[std::size_t(o)] = group_area[std::size_t(root)];
    }
  }
  std::vector<std::int32_t> detached;  // pieces
  std::vector<std::int32_t> original(piece_count, kNone);
  for (std::size_t p = 0; p < piece_count; ++p) {
    ticks.step();
    const std::int32_t o = owner[p];
    if (o == kNone || find(std::int32_t(p)) == home[std::size_t(o)]) continue;
    detached.push_back(std::int32_t(p));
    original[p] = o;
    owner[p] = kNone;
  }
  if (detached.empty()) return;
  std::vector<std::vector<std::pair<std::int32_t, double>>> neighbours(piece_count);
  for (const Contact& c : contacts) {
    if (c.b == kNone || c.length_m <= kMinConnectingEdgeM) continue;
    if (original[std::size_t(c.a)] != kNone)
      neighbours[std::size_t(c.a)].emplace_back(c.b, c.length_m);
    if (original[std::size_t(c.b)] != kNone)
      neighbours[std::size_t(c.b)].emplace_back(c.a, c.length_m);
  }
  std::map<std::int32_t, std::vector<std::int32_t>> groups;  // root → pieces, ascending
  for (std::int32_t p : detached) groups[find(p)].push_back(p);
  bool changed = true;
  while (changed) {
    changed = false;
    std::vector<std::int32_t> next = owner;
    for (auto& [root, members] : groups) {
      if (owner[std::size_t(members.front())] != kNone) continue;
      // Shared length per candidate owner and tier (0 same block, 1 same face, 2 across).
      std::map<std::int32_t, std::array<double, 3>> by_owner;
      for (std::int32_t p : members)
        for (const auto& [q, length] : neighbours[std::size_t(p)]) {
          const std::int32_t o = owner[std::size_t(q)];
          if (o == kNone) continue;
          const Crossing crossing = crossing_between(piece_block[std::size_t(p)],
                                                     piece_block[std::size_t(q)], block_face);
          auto [it, fresh] = by_owner.try_emplace(o, std::array<double, 3>{0.0, 0.0, 0.0});
          it->second[std::size_t(crossing)] += length;
        }
      std::int32_t best = kNone;
      std::size_t best_tier = 3;
      double best_length = 0.0;
      for (const auto& [o, lengths] : by_owner) {  // ascending owner: ties keep the lower one
        std::size_t tier = 0;
        while (tier < 3 && lengths[tier] <= 0.0) ++tier;
        if (tier < best_tier || (tier == best_tier && lengths[tier] > best_length)) {
          best = o;
          best_tier = tier;
          best_length = lengths[tier];
        }
      }
      if (best == kNone) continue;
      for (std::int32_t p : members) next[std::size_t(p)] = best;
      changed = true;
    }
    owner = std::move(next);
  }
  for (std::int32_t p : detached)
    if (owner[std::size_t(p)] == kNone) owner[std::size_t(p)] = original[std::size_t(p)];
}

void assemble_cells(const Dataset& dataset, const CommunityJob& job,
                    const TessellationParams& params, const Pieces& pieces,
                    const std::vector<std::int32_t>& block_face,
                    const std::vector<Contact>& contacts, const std::vector<Placement>& placements,
                    const std::vector<std::int32_t>& owner, CommunityCells& out,
                    const std::function<void(double)>& progress) {
  auto tick = [&](double f) {
    if (progress) progress(f);
  };
  const std::size_t n = job.buildings.size();
  const std::vector<Polygon>& piece_polygons = pieces.polygons;
  const std::vector<std::int32_t>& piece_block = pieces.block;
  const std::size_t piece_count = piece_polygons.size();
  std::vector<double> computed_area;
  if (pieces.area.size() != piece_count) computed_area = piece_areas(piece_polygons);
  const std::vector<double>& piece_area =
      pieces.area.size() == piece_count ? pieces.area : computed_area;
  std::vector<std::vector<std::int32_t>> owned(n);
  // Progress over the pieces and the contacts (a map of the pairs: seconds at 1M buildings).
  const std::function<void(double)> report = tick;
  LoopTicks ticks(report, 0.0, 0.3, piece_count + contacts.size(), 1 << 16);
  for (std::size_t p = 0; p < piece_count; ++p) {
    ticks.step();
    const std::int32_t o = owner[p];
    if (o == kNone) continue;
    owned[std::size_t(o)].push_back(std::int32_t(p));
    out.area_m2[std::size_t(o)] += piece_area[p];
  }
  // Each contact between two cells as (building pair, crossing, length), summed per pair below.
  // (A std::map of the pairs, looked up per contact, was the largest self time in the
  // tessellation at real-100000.) The parts are stable-sorted by pair, so each pair's lengths
  // are added in contact order as the map added them: the same sums, bit for bit.
  struct PairPart {
    std::uint64_t pair;  // (lower building << 32) | higher building: the pairs' order
    double length_m;
    Crossing crossing;
  };
  std::vector<PairPart> pair_parts;
  pair_parts.reserve(contacts.size());
  for (const Contact& c : contacts) {
    ticks.step();
    const std::int32_t oa = owner[std::size_t(c.a)];
    const std::int32_t ob = c.b == kNone ? kNone : owner[std::size_t(c.b)];
    if (oa == ob) continue;  // inside one cell
    if (oa != kNone) out.perimeter_m[std::size_t(oa)] += c.length_m;
    if (ob != kNone) out.perimeter_m[std::size_t(ob)] += c.length_m;
    if (oa == kNone || ob == kNone) continue;
    Crossing crossing =
        crossing_between(piece_block[std::size_t(c.a)], piece_block[std::size_t(c.b)], block_face);
    // A cell can hold land across a hard barrier from its building (an empty area enclosed by
    // hard barriers joined for seamless coverage, a detached piece with no other neighbour).
    // Touching a neighbour over there does not put the two buildings on one side: the crossing
    // between two cells is also the one between their buildings' own blocks, whichever is
    // harder — else the partition joins households of both sides through the joined land.
    const std::int32_t home_a = placements[std::size_t(oa)].block;
    const std::int32_t home_b = placements[std::size_t(ob)].block;
    if (home_a != kNone && home_b != kNone)
      crossing = std::max(crossing, crossing_between(home_a, home_b, block_face));
    const std::int32_t ga = job.buildings[std::size_t(oa)];
    const std::int32_t gb = job.buildings[std::size_t(ob)];
    pair_parts.push_back(
        {(std::uint64_t(std::uint32_t(std::min(ga, gb))) << 32U) | std::uint32_t(std::max(ga, gb)),
         c.length_m, crossing});
  }
  parallel_stable_sort(pair_parts,
                       [](const PairPart& x, const PairPart& y) { return x.pair < y.pair; });
  tick(0.3);
  LoopTicks pair_ticks(report, 0.3, 0.4, pair_parts.size(), 1 << 16);
  for (std::size_t k = 0; k < pair_parts.size();) {
    const std::uint64_t pair = pair_parts[k].pair;
    double by_crossing[3] = {0.0, 0.0, 0.0};  // indexed by Crossing
    for (; k < pair_parts.size() && pair_parts[k].pair == pair; ++k) {
      pair_ticks.step();
      by_crossing[int(pair_parts[k].crossing)] += pair_parts[k].length_m;
    }
    const double total = by_crossing[0] + by_crossing[1] + by_crossing[2];
    if (total <= params.min_shared_length_m) continue;
    // Two cells meeting partly across a barrier and partly not are connected on land: the
    // weakest crossing of any substantial part of their common boundary is what counts.
    Crossing crossing = Crossing::hard;
    for (int c = 2; c >= 0; --c)
      if (by_crossing[c] > params.min_shared_length_m) crossing = Crossing(c);
    out.adjacency.push_back(
        {std::int32_t(pair >> 32U), std::int32_t(pair & 0xffffffffU), total, crossing});
  }

  tick(0.4);
  // Each cell from its own pieces: in parallel, each building's cell written by one thread.
  const std::function<void(double)> none = [](double) {};
  const std::function<void(double)> cells_progress = [&](double f) { tick(0.4 + 0.6 * f); };
  constexpr std::size_t kChunk = 1024;
  ProgressCount counted(progress ? cells_progress : none, n, 4 * kChunk);
  parallel_for_chunks(0, n, kChunk, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const std::vector<std::int32_t>& mine = owned[i];
      if (mine.size() == 1) {
        out.cells[i].push_back(piece_polygons[std::size_t(mine.front())]);
      } else if (mine.size() > 1) {
        std::vector<const Polygon*> parts;
        for (std::int32_t p : mine) parts.push_back(&piece_polygons[std::size_t(p)]);
        out.cells[i] = dissolve(parts);
      }
    }
    counted.add(end - begin);
  });
  // Cells in more than one hard face (a building standing across a hard barrier, land joined
  // across one): their part in each face, which the cut of a split tower gives to the units on
  // that side (cell_split.hpp). Rare, so serial.
  for (std::size_t i = 0; i < n; ++i) {
    const std::vector<std::int32_t>& mine = owned[i];
    auto face_of = [&](std::int32_t p) {
      const std::int32_t blk = piece_block[std::size_t(p)];
      return blk == kNone ? kNone : block_face[std::size_t(blk)];
    };
    if (mine.size() < 2 || std::all_of(mine.begin(), mine.end(), [&](std::int32_t p) {
          return face_of(p) == face_of(mine.front());
        }))
      continue;
    std::map<std::int32_t, std::vector<const Polygon*>> by_face;
    for (std::int32_t p : mine) by_face[face_of(p)].push_back(&piece_polygons[std::size_t(p)]);
    std::vector<MultiPolygon> sides;
    for (const auto& [face, parts] : by_face) sides.push_back(dissolve(parts));
    out.sides.emplace_back(std::int32_t(i), std::move(sides));
  }
  for (std::size_t i = 0; i < n; ++i)
    if (owned[i].empty()) {
      const Building& building = dataset.buildings[std::size_t(job.buildings[i])];
      out.problems.report(Severity::warning, "building-without-cell", building.source,
                          describe_building(building) +
                              " got no cell (its site coincides with another building's)");
    }
}

}  // namespace gp::geo::detail
