// Buildings → atoms of the large-grid graph: a building is an atom, a compound is contracted into
// one atom while it fits the large-grid maximum (kept whole), a tower above the maximum becomes a
// chain of unit atoms (entrances). Then the atom graph: adjacency over the tessellation, no edge
// across a hard barrier except inside a compound. See docs/decisions/0005-partition.md.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "planner/core/parallel.hpp"
#include "planner/core/progress_ticks.hpp"
#include "planner/geo/cell_split.hpp"
#include "planner/geo/own_footprint.hpp"
#include "planner/partition/partition_internal.hpp"

namespace gp::partition::detail {

UnitHouseholds unit_households(const Building& building) {
  UnitHouseholds result;
  const int h = std::max(0, building.households);
  int units = building.units;
  if (units <= 0) {
    result.estimated = true;
    const int floors = building.floors > 0 ? building.floors : 6;
    units = (h + 2 * floors - 1) / (2 * floors);
  }
  units = std::clamp(units, 1, std::clamp(h, 1, kMaxUnitsPerBuilding));
  result.households.resize(static_cast<std::size_t>(units));
  for (int u = 0; u < units; ++u)
    result.households[static_cast<std::size_t>(u)] =
        static_cast<int>(1LL * h * (u + 1) / units - 1LL * h * u / units);
  return result;
}

namespace {

/// Shares of the contact units' progress (one unit of "planning grids" per building): the cells'
/// centroids in prepare_buildings, the towers' clearance checks, then the cuts and comparisons.
constexpr double kPrepareShare = 0.2;
constexpr double kClearShare = 0.2;

/// Squared distance (m²) from p to the segment a–b.
double point_segment_distance2(const Point& p, const Point& a, const Point& b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double length2 = dx * dx + dy * dy;
  double t = length2 > 0.0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  const double ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y;
  return ex * ex + ey * ey;
}

/// Whether the closed segments a–b and c–d come within `margin` (m) of each other (crossing or
/// touching included).
bool segments_within(const Point& a, const Point& b, const Point& c, const Point& d,
                     double margin) {
  auto side = [](const Point& p, const Point& q, const Point& r) {
    const double cross = (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x);
    return cross > 0.0 ? 1 : (cross < 0.0 ? -1 : 0);
  };
  // Proper crossing: each segment's ends on both sides of the other (collinear and touching
  // cases are at distance 0 from an end, which the distances below find).
  if (side(a, b, c) * side(a, b, d) < 0 && side(c, d, a) * side(c, d, b) < 0) return true;
  const double m2 = margin * margin;
  return point_segment_distance2(a, c, d) < m2 || point_segment_distance2(b, c, d) < m2 ||
         point_segment_distance2(c, a, b) < m2 || point_segment_distance2(d, a, b) < m2;
}

}  // namespace

bool footprint_clear_of_cell_boundary(const MultiPolygon& cell, const MultiPolygon& footprint,
                                      double margin) {
  if (cell.size() != 1 || !cell.front().holes.empty() || footprint.size() != 1) return false;
  const Ring& outer = cell.front().outer;
  const Ring& ring = footprint.front().outer;
  if (outer.size() < 4 || ring.size() < 4) return false;
  const Box cell_box = bounds(cell), box = bounds(footprint);
  if (box.min_x < cell_box.min_x + margin || box.max_x > cell_box.max_x - margin ||
      box.min_y < cell_box.min_y + margin || box.max_y > cell_box.max_y - margin)
    return false;
  // Inside: one vertex inside and no edge of the footprint within the margin of the cell's.
  if (!point_in_ring(outer, ring.front())) return false;
  // Cell edges near the footprint's box (the others are farther than the margin from it).
  std::vector<std::size_t> near;
  for (std::size_t i = 0; i + 1 < outer.size(); ++i) {
    const Point& a = outer[i];
    const Point& b = outer[i + 1];
    if (std::max(a.x, b.x) < box.min_x - margin || std::min(a.x, b.x) > box.max_x + margin ||
        std::max(a.y, b.y) < box.min_y - margin || std::min(a.y, b.y) > box.max_y + margin)
      continue;
    near.push_back(i);
  }
  for (std::size_t j = 0; j + 1 < ring.size(); ++j)
    for (std::size_t i : near)
      if (segments_within(ring[j], ring[j + 1], outer[i], outer[i + 1], margin)) return false;
  return true;
}

bool later_unit_pieces_near(const std::vector<Box>& a, const std::vector<Box>& b) {
  auto near = [](const Box& p, const Box& q) {
    return !p.empty() && !q.empty() && p.min_x <= q.max_x + kPiecesNearM &&
           q.min_x <= p.max_x + kPiecesNearM && p.min_y <= q.max_y + kPiecesNearM &&
           q.min_y <= p.max_y + kPiecesNearM;
  };
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < b.size(); ++j)
      if ((i > 0 || j > 0) && near(a[i], b[j])) return true;
  return false;
}

void CommunityPlanner::prepare_buildings() {
  const auto n = at(n_);
  cell_centroid_.resize(n);
  // Progress: the contact units' share of "planning grids" (one unit per building) begins
  // here, kPrepareShare of it over these centroids (a town in one community: seconds at 0 %
  // before, issue 14 item 5); find_contact_units adds the rest.
  const std::size_t batch = std::clamp<std::size_t>(n / 16, 256, 4096);
  for (std::size_t i = 0; i < n; ++i) {
    if (ctx_.progress && i % batch == batch - 1)
      ctx_.progress->add(kPrepareShare * static_cast<double>(batch));
    const std::int32_t b = in_.buildings[i];
    const MultiPolygon& cell = tess_.cells[at(b)];
    cell_centroid_[i] =
        cell.empty() ? centroid(dataset_.buildings[at(b)].footprint) : centroid(cell);
    top_y_ = std::max(top_y_, cell.empty() ? cell_centroid_[i].y : bounds(cell).max_y);
  }
  if (ctx_.progress) ctx_.progress->add(kPrepareShare * static_cast<double>(n % batch));
  find_riders();
  // Buildings without a cell (the tessellation could not place one) are linked to the nearest
  // building with a cell, so they still belong to a grid; a rider (a copy: no cell of its own)
  // is planned with its holder instead.
  for (std::int32_t i = 0; i < n_; ++i) {
    if (!tess_.cells[at(in_.buildings[at(i)])].empty() || holder_[at(i)] != kNone) continue;
    std::int32_t nearest = kNone;
    double best = INFINITY;
    for (std::int32_t j = 0; j < n_; ++j) {
      if (j == i || tess_.cells[at(in_.buildings[at(j)])].empty()) continue;
      const double d = std::hypot(cell_centroid_[at(i)].x - cell_centroid_[at(j)].x,
                                  cell_centroid_[at(i)].y - cell_centroid_[at(j)].y);
      if (d < best) {
        best = d;
        nearest = j;
      }
    }
    result_.problems.report(Severity::warning, "building-without-cell", building(i).source,
                            building_label(dataset_, in_.buildings[at(i)]) +
                                " has no tessellation cell; it joins the grid of the nearest "
                                "building and adds no area to the grid polygon");
    if (nearest != kNone) {
      extra_links_.insert({std::min(i, nearest), std::max(i, nearest)});
      cellless_links_.insert({std::min(i, nearest), std::max(i, nearest)});
    }
  }
  find_contact_units();
}

void CommunityPlanner::find_riders() {
  // A building drawn twice, or a footprint inside another (a kiosk in a mall, a tower mapped on
  // its podium): the tessellation gives the shared land to one of them — a copy gets no cell at
  // all (tessellation_community.cpp) — so the other's representative point lies in a cell that
  // is not its own (a copy's is its original's), and planned on its own it lay outside its micro
  // grid, or made a grid with no polygon (issue 12, polygon truth; the fuzz towns). Such a
  // building rides with the building that holds it: one atom, one micro grid, its households
  // counted there, its cell (if any) in that grid's polygon.
  //  - A copy always rides. When its holder is a tower split into unit runs it rides with the
  //    unit whose piece of the cell (cut one weight per unit, as the export cuts the runs) holds
  //    its point, so it lies in that run's micro grid.
  //  - A footprint strictly inside another rides while the holder and its riders fit both
  //    maxima (the holder is never split); inside a tower it keeps its own cell (a hole in the
  //    tower's) and goes with the unit whose piece it borders (find_contact_units).
  holder_.assign(at(n_), kNone);
  rider_unit_.assign(at(n_), 0);
  riders_.clear();
  // The holders among the community's buildings, settled once after validation: the same as
  // among this planner's unless a holder is not one of them (locked in an existing plan's
  // grid), when they are computed here.
  const FootprintSettling* settled = ctx_.settled;
  std::vector<std::int32_t> held(at(n_), kNone);
  for (std::int32_t i = 0; settled && i < n_; ++i) {
    const std::int32_t h = settled->holder[at(in_.buildings[at(i)])];
    if (h == kNone) continue;
    held[at(i)] = local_of(h);
    if (held[at(i)] == kNone || dataset_.buildings[at(h)].community != in_.community)
      settled = nullptr;
  }
  if (!settled) {
    std::vector<const MultiPolygon*> footprints(at(n_));
    for (std::int32_t i = 0; i < n_; ++i) footprints[at(i)] = &building(i).footprint;
    held = geo::footprint_holders(footprints);
  }
  auto is_copy = [&](std::int32_t r) {
    const std::int32_t h = held[at(r)];
    return h >= 0 &&
           geo::footprint_is_copy(area(building(r).footprint), area(building(h).footprint));
  };
  // Copies of each original (the original is never a copy: the lowest index of equal shapes).
  std::map<std::int32_t, std::vector<std::int32_t>> copies;
  for (std::int32_t i = 0; i < n_; ++i)
    if (is_copy(i)) copies[held[at(i)]].push_back(i);
  auto with_copies = [&](std::int32_t b) {
    long long h = std::max(0, building(b).households);
    if (const auto it = copies.find(b); it != copies.end())
      for (std::int32_t c : it->second) h += std::max(0, building(c).households);
    return h;
  };
  // Footprints strictly inside a holder held by nobody, with their copies: they ride when the
  // holder, its copies and all of them fit both maxima.
  std::map<std::int32_t, std::vector<std::int32_t>> nested;
  for (std::int32_t i = 0; i < n_; ++i)
    if (held[at(i)] >= 0 && !is_copy(i) && held[at(held[at(i)])] < 0)
      nested[held[at(i)]].push_back(i);
  const long long limit = std::min(params_.large.max, params_.micro.max);
  std::map<std::int32_t, std::vector<std::int32_t>> groups;  // holder → riders
  std::vector<char> rides(at(n_), 0);
  for (const auto& [h, members] : nested) {
    long long total = with_copies(h);
    for (std::int32_t r : members) total += with_copies(r);
    if (total > limit) continue;  // planned apart, each with its own cell
    for (std::int32_t r : members) {
      groups[h].push_back(r);
      rides[at(r)] = 1;
    }
  }
  // A copy rides with its original, or with what its original rides with.
  for (const auto& [original, list] : copies)
    for (std::int32_t c : list)
      groups[rides[at(original)] ? held[at(original)] : original].push_back(c);
  for (auto& [h, riders] : groups) {
    std::sort(riders.begin(), riders.end());
    // A tower: the unit holding each rider.
    const MultiPolygon& cell = tess_.cells[at(in_.buildings[at(h)])];
    const std::size_t units = unit_households(building(h)).households.size();
    if (building(h).households > std::min(params_.micro.max, params_.large.max) && units >= 2 &&
        !cell.empty()) {
      const std::vector<MultiPolygon> pieces = geo::split_cell_along_building(
          cell, building(h).footprint, std::vector<double>(units, 1.0), {}, 0,
          geo::cell_sides_of(tess_, in_.buildings[at(h)]));
      // The riders' own parts (geo::own_footprints: a copy's is its original's): the points
      // the audit places them by, among all the buildings (settled once after validation),
      // else among the footprints meeting the tower's box.
      std::vector<MultiPolygon> near_own;
      const std::int32_t holder = h;  // clang 14 does not capture a structured binding
      auto own_part = [&](std::int32_t r) -> const MultiPolygon& {
        const std::int32_t b = in_.buildings[at(r)];
        if (ctx_.settled) return (*ctx_.settled->own_parts)[at(b)];
        if (near_own.empty()) {
          std::vector<const MultiPolygon*> near(at(n_), nullptr);
          const Box tower_box = bounds(building(holder).footprint);
          for (std::int32_t i = 0; i < n_; ++i) {
            const Box box = bounds(building(i).footprint);
            if (box.min_x <= tower_box.max_x && tower_box.min_x <= box.max_x &&
                box.min_y <= tower_box.max_y && tower_box.min_y <= box.max_y)
              near[at(i)] = &building(i).footprint;
          }
          near_own = geo::own_footprints(near);
        }
        return near_own[at(r)];
      };
      for (std::int32_t r : riders) {
        const MultiPolygon& own_cell = tess_.cells[at(in_.buildings[at(r)])];
        int unit = 0;
        if (!own_cell.empty()) {
          unit = std::max(0, geo::pieces_bordering({own_cell}, pieces).second);
        } else {
          const MultiPolygon& own = own_part(r);
          unit = static_cast<int>(geo::piece_holding_point_on_surface(
              pieces, own.empty() ? building(r).footprint : own));
        }
        rider_unit_[at(r)] = std::clamp(unit, 0, static_cast<int>(units) - 1);
      }
    }
    for (std::int32_t r : riders) {
      holder_[at(r)] = h;
      result_.problems.report(
          Severity::info, "building-planned-with-holder", building(r).source,
          building_label(dataset_, in_.buildings[at(r)]) +
              (is_copy(r) && held[at(r)] == h ? " is a copy of " : " lies inside ") +
              building_label(dataset_, in_.buildings[at(h)]) +
              (building(h).source.fid ? " (fid " + std::to_string(*building(h).source.fid) + ")"
                                      : std::string()) +
              "; planned with it, in its grids, with its " +
              std::to_string(building(r).households) + " households");
    }
    riders_[h] = std::move(riders);
  }
}

/// Atoms of the large-grid graph per local building (atom_of_, atom_members_, atom_households_,
/// atom_building_, large_units_, oversized_compounds_).
std::vector<std::pair<NodeId, NodeId>> CommunityPlanner::make_large_atoms() {
  const HouseholdBounds& bounds = params_.large;
  // Compounds are contracted while they fit the large-grid maximum.
  // A rider (find_riders) counts with its holder's compound and joins its holder's atom.
  auto compound_of = [&](std::int32_t i) {
    return holder_[at(i)] == kNone ? building(i).compound : building(holder_[at(i)]).compound;
  };
  std::map<std::int32_t, long long> compound_households;
  for (std::int32_t i = 0; i < n_; ++i)
    if (compound_of(i) != kNone) compound_households[compound_of(i)] += building(i).households;
  atom_of_.assign(at(n_), kNone);
  large_units_.assign(at(n_), {});
  std::map<std::int32_t, NodeId> compound_atom;
  std::vector<std::pair<NodeId, NodeId>> unit_links;  // consecutive units of one building
  for (std::int32_t i = 0; i < n_; ++i) {
    if (holder_[at(i)] != kNone) continue;  // joins its holder's atom below
    const std::int32_t c = building(i).compound;
    if (c != kNone && compound_households[c] <= bounds.max) {
      // One atom per part of the compound that touches (compound_parts, community_planner.cpp).
      auto [it, fresh] =
          compound_atom.emplace(compound_part_[at(i)], static_cast<NodeId>(atom_members_.size()));
      if (fresh) {
        atom_members_.emplace_back();
        atom_households_.push_back(0);
        atom_building_.push_back(i);
      }
      atom_of_[at(i)] = it->second;
    } else {
      atom_of_[at(i)] = static_cast<NodeId>(atom_members_.size());
      atom_members_.emplace_back();
      atom_households_.push_back(0);
      atom_building_.push_back(i);
    }
    atom_members_[at(atom_of_[at(i)])].push_back(i);
    if (building(i).households <= bounds.max) {
      atom_households_[at(atom_of_[at(i)])] += building(i).households;
      continue;
    }
    // A building above the large-grid maximum (a tower) becomes a chain of unit atoms in
    // entrance order: the first carries the building's cell and its neighbours, the others
    // have no area and link only to the previous unit. A large grid then takes a run of
    // consecutive entrances; runs without the first unit are grids of that building alone.
    // A tower whose consecutive units' pieces do not all touch (unit_touching_) links its
    // units where their pieces share an edge instead, so a grid holds only units whose pieces
    // are connected (docs/decisions/0008, round 9).
    UnitHouseholds units = unit_households(building(i));
    atom_households_[at(atom_of_[at(i)])] += units.households.front();
    const NodeId head = atom_of_[at(i)];
    for (std::size_t u = 1; u < units.households.size(); ++u) {
      atom_members_.emplace_back();  // no cell: the building is a member of its first atom
      atom_households_.push_back(units.households[u]);
      atom_building_.push_back(i);
    }
    if (const auto touching = unit_touching_.find(i); touching != unit_touching_.end()) {
      for (const auto& [u, v] : touching->second)
        if (static_cast<std::size_t>(v) < units.households.size())
          unit_links.emplace_back(head + static_cast<NodeId>(u), head + static_cast<NodeId>(v));
    } else {
      for (std::size_t u = 1; u < units.households.size(); ++u)
        unit_links.emplace_back(head + static_cast<NodeId>(u - 1), head + static_cast<NodeId>(u));
    }
    large_units_[at(i)] = std::move(units);
  }
  for (const auto& [h, riders] : riders_)
    for (std::int32_t r : riders) {
      // A rider of a tower split here joins the unit atom holding it (its households only: a
      // further unit has no members), else the holder's atom.
      const bool split = !large_units_[at(h)].households.empty();
      const NodeId atom = atom_of_[at(h)] + (split ? static_cast<NodeId>(rider_unit_[at(r)]) : 0);
      atom_of_[at(r)] = atom;
      if (!split || rider_unit_[at(r)] == 0) atom_members_[at(atom)].push_back(r);
      atom_households_[at(atom)] += building(r).households;
    }
  for (auto [c, h] : compound_households)
    if (h > bounds.max) oversized_compounds_[c] = h;
  return unit_links;
}

void CommunityPlanner::find_contact_units() {
  // A tower split into units is cut, in the exported plan, one piece per run of units
  // (geo::split_cell_along_building): a later run gets its strip of the footprint, the first run
  // its strip and the land off the footprint. A neighbour touching the tower only along a later
  // unit's strip (a shared wall) does not touch the first run's piece, so linking it to the
  // tower's first unit, as the whole cell's adjacency did, let a grid take it with the first
  // run and come out in two pieces (issue 12: Helsinki micro grids …2302, …4401; Monaco
  // …33101). Each neighbour is linked to the unit whose piece it borders, the cell cut one
  // weight per unit as the export and the re-plan cut it (cuts of runs fall on unit
  // boundaries).
  //
  // Cutting a cell costs GEOS overlays per unit (tens of milliseconds for a tower of 50
  // units): on a real city of 100k buildings in one community, cutting every tower on one
  // thread was 95 % of "planning grids", 30 s without a progress update (issue 14). So:
  //  - a tower whose footprint (one polygon) lies inside its cell (one polygon without holes)
  //    clear of the cell's boundary by kClearOfCellM is not cut: the land off its footprint is
  //    then one ring around it, which the cut lines divide but do not disconnect, so all of it
  //    stays with the first unit's piece, and every later unit's piece lies inside the footprint
  //    (split_cell_along_building's contract), out of pieces_bordering's 1 cm reach from every
  //    neighbour's cell. Every neighbour takes unit 0, as the pieces would give;
  //  - the other towers are cut in parallel (one tower's pieces depend on it alone), and the
  //    neighbours are compared in parallel; results are kept by index, so the links are the
  //    same on any number of threads.
  // A clear tower beside a tower that is cut is cut too, so that pair is compared piece by
  // piece exactly as before (tests/partition/test_contact_units.cpp checks the claim on the
  // real extracts and on synthetic towers).
  enum State : char { unchecked, not_tower, tower };
  std::vector<char> state(at(n_), unchecked);
  std::vector<std::int32_t> towers;  // local buildings, in order of first adjacency
  std::vector<std::size_t> tower_units;
  for (std::size_t k : in_.adjacency) {
    const geo::CellAdjacency& adj = tess_.adjacency[k];
    for (const std::int32_t b : {adj.a, adj.b}) {
      const std::int32_t i = local_of(b);
      if (state[at(i)] != unchecked) continue;
      state[at(i)] = not_tower;
      // Split at either level: above the micro maximum, or above the large one where that is
      // the lower (a fuzz town with micro grids of 20–120 and large grids of 20: the tower's
      // unit atoms were never cut, its neighbours all took unit 0, across a hard road too).
      if (building(i).households <= std::min(params_.micro.max, params_.large.max) ||
          tess_.cells[at(b)].empty())
        continue;
      const std::size_t units = unit_households(building(i)).households.size();
      if (units < 2) continue;
      state[at(i)] = tower;
      towers.push_back(i);
      tower_units.push_back(units);
    }
  }
  // The contact units' progress after the centroids (prepare_buildings): kClearShare of a unit
  // per building over the towers' clearance checks, the rest over the cuts and comparisons.
  const double contact_units = (1.0 - kPrepareShare) * static_cast<double>(n_);
  if (towers.empty()) {
    if (ctx_.progress) ctx_.progress->add(contact_units);
    return;
  }
  const double clear_units = kClearShare * static_cast<double>(n_);
  const double per_tower = clear_units / static_cast<double>(towers.size());
  std::vector<std::int32_t> tower_of(at(n_), kNone);  // local building → index in towers
  for (std::size_t t = 0; t < towers.size(); ++t)
    tower_of[at(towers[t])] = static_cast<std::int32_t>(t);
  std::vector<char> clear(towers.size(), 0), cut(towers.size(), 0);
  // A clear tower is left uncut only where its unit strips chain (a footprint monotone along
  // its long axis): a non-convex one (an E, a U around a court) may have consecutive units
  // whose pieces do not touch, which only the cut shows (unit_touching_).
  parallel_for(std::size_t{0}, towers.size(), [&](std::size_t t) {
    const std::int32_t i = towers[t];
    // A tower standing across a hard road, its units on two sides of it, is always cut: its
    // cell's land is divided by side (geo::split_cell_along_building).
    clear[t] = !geo::units_across_sides(tess_.cells[at(in_.buildings[at(i)])],
                                        building(i).footprint, static_cast<int>(tower_units[t]),
                                        geo::cell_sides_of(tess_, in_.buildings[at(i)])) &&
                       footprint_clear_of_cell_boundary(tess_.cells[at(in_.buildings[at(i)])],
                                                        building(i).footprint, kClearOfCellM) &&
                       geo::unit_strips_chain(building(i).footprint)
                   ? 1
                   : 0;
    if (ctx_.progress) ctx_.progress->add(per_tower);
  });
  // A footprint overlapping the tower's (a building mapped inside the tower) has its cell in the
  // footprint, where later units' pieces lie: the tower is cut, so that building is linked to
  // the unit whose piece holds it (the fuzz towns: a grid with it and unit 0 came out in pieces).
  for (std::size_t k : in_.adjacency) {
    const geo::CellAdjacency& adj = tess_.adjacency[k];
    for (const auto& [tower_side, other_side] :
         {std::pair{adj.a, adj.b}, std::pair{adj.b, adj.a}}) {
      const std::int32_t t = tower_of[at(local_of(tower_side))];
      if (t == kNone || !clear[at(t)]) continue;
      const Box mine = bounds(building(towers[at(t)]).footprint);
      const Box other = bounds(building(local_of(other_side)).footprint);
      if (std::min(mine.max_x, other.max_x) > std::max(mine.min_x, other.min_x) &&
          std::min(mine.max_y, other.max_y) > std::max(mine.min_y, other.min_y))
        clear[at(t)] = 0;
    }
  }
  for (std::size_t t = 0; t < towers.size(); ++t) cut[t] = clear[t] ? 0 : 1;
  // Adjacencies whose contact units the pieces decide: a side is a tower that is not clear.
  std::vector<std::size_t> compared;
  for (std::size_t k : in_.adjacency) {
    const geo::CellAdjacency& adj = tess_.adjacency[k];
    const std::int32_t ta = tower_of[at(local_of(adj.a))], tb = tower_of[at(local_of(adj.b))];
    const bool decide_a = ta != kNone && !clear[at(ta)], decide_b = tb != kNone && !clear[at(tb)];
    if (!decide_a && !decide_b) continue;
    compared.push_back(k);
    if (ta != kNone) cut[at(ta)] = 1;  // a clear tower beside a cut one: compared by pieces
    if (tb != kNone) cut[at(tb)] = 1;
  }
  // Progress: the contact units are one unit of "planning grids" per planned building, spread
  // over the work in proportion to the units cut (a cell's cost grows with its units) and
  // compared.
  double work = 0.0;
  for (std::size_t t = 0; t < towers.size(); ++t)
    if (cut[t]) work += static_cast<double>(tower_units[t]);
  auto compared_work = [&](std::size_t k) {
    const geo::CellAdjacency& adj = tess_.adjacency[k];
    double w = 0.0;
    for (const std::int32_t b : {adj.a, adj.b}) {
      const std::int32_t t = tower_of[at(local_of(b))];
      w += t != kNone && cut[at(t)] ? static_cast<double>(tower_units[at(t)]) : 1.0;
    }
    return w;
  };
  for (std::size_t k : compared) work += compared_work(k);
  const double cut_units = contact_units - clear_units;
  const double per_work = work > 0.0 ? cut_units / work : 0.0;
  double reported = 0.0;  // sum of the shares added, in tower then adjacency order
  std::vector<std::vector<MultiPolygon>> pieces(towers.size());
  std::vector<std::vector<std::pair<int, int>>> touching(towers.size());
  std::vector<std::vector<int>> side_of_units(towers.size());
  std::vector<char> broken(towers.size(), 0);
  parallel_for(std::size_t{0}, towers.size(), [&](std::size_t t) {
    if (!cut[t]) return;
    const std::int32_t b = in_.buildings[at(towers[t])];
    const std::vector<MultiPolygon>& sides = geo::cell_sides_of(tess_, b);
    pieces[t] =
        geo::split_cell_along_building(tess_.cells[at(b)], building(towers[t]).footprint,
                                       std::vector<double>(tower_units[t], 1.0), {}, 0, sides);
    // The units whose pieces share an edge (the same kept cut); an empty piece (no land in its
    // stretch) counts as touching the units beside it in the chain, as before.
    const std::vector<std::pair<int, int>> shared = geo::unit_pieces_touching(
        tess_.cells[at(b)], building(towers[t]).footprint, static_cast<int>(tower_units[t]), sides);
    if (!sides.empty())
      side_of_units[t] = geo::unit_sides(tess_.cells[at(b)], building(towers[t]).footprint,
                                         static_cast<int>(tower_units[t]), sides);
    touching[t] = shared;
    for (std::size_t u = 1; u < pieces[t].size(); ++u) {
      const std::pair<int, int> pair{static_cast<int>(u - 1), static_cast<int>(u)};
      if (pieces[t][u - 1].empty() || pieces[t][u].empty()) {
        touching[t].push_back(pair);
      } else if (!std::binary_search(shared.begin(), shared.end(), pair)) {
        broken[t] = 1;
      }
    }
    std::sort(touching[t].begin(), touching[t].end());
    touching[t].erase(std::unique(touching[t].begin(), touching[t].end()), touching[t].end());
    if (ctx_.progress) ctx_.progress->add(per_work * static_cast<double>(tower_units[t]));
  });
  for (std::size_t t = 0; t < towers.size(); ++t)
    if (broken[t]) unit_touching_[towers[t]] = std::move(touching[t]);
  for (std::size_t t = 0; t < towers.size(); ++t) {
    const std::vector<int>& sides = side_of_units[t];
    // Kept only for a tower with units on two sides.
    bool two = false;
    for (int s : sides) two = two || (s >= 0 && sides.front() >= 0 && s != sides.front());
    if (two) unit_side_[towers[t]] = sides;
  }
  for (std::size_t t = 0; t < towers.size(); ++t)
    if (cut[t]) reported += per_work * static_cast<double>(tower_units[t]);
  // Boxes of the pieces of each cut tower: a neighbour whose box is nowhere near a later unit's
  // piece can only border the first unit's (or none), which is what no link entry means, so
  // pieces_bordering's overlays are skipped for it (later_unit_pieces_near).
  std::vector<std::vector<Box>> piece_boxes(towers.size());
  for (std::size_t t = 0; t < towers.size(); ++t)
    for (const MultiPolygon& piece : pieces[t]) piece_boxes[t].push_back(bounds(piece));
  std::vector<std::pair<int, int>> bordering(compared.size(), {-1, -1});
  parallel_for(std::size_t{0}, compared.size(), [&](std::size_t c) {
    const geo::CellAdjacency& adj = tess_.adjacency[compared[c]];
    const std::int32_t ta = tower_of[at(local_of(adj.a))], tb = tower_of[at(local_of(adj.b))];
    const bool cut_a = ta != kNone && cut[at(ta)], cut_b = tb != kNone && cut[at(tb)];
    // Only a pair with a later unit's piece (index > 0) on either side can add a link entry.
    const std::vector<Box> box_a =
        cut_a ? piece_boxes[at(ta)] : std::vector<Box>{bounds(tess_.cells[at(adj.a)])};
    const std::vector<Box> box_b =
        cut_b ? piece_boxes[at(tb)] : std::vector<Box>{bounds(tess_.cells[at(adj.b)])};
    if (later_unit_pieces_near(box_a, box_b)) {
      // Two towers side by side: the pair of units whose pieces touch.
      const std::vector<MultiPolygon> whole_a{cut_a ? MultiPolygon{} : tess_.cells[at(adj.a)]},
          whole_b{cut_b ? MultiPolygon{} : tess_.cells[at(adj.b)]};
      bordering[c] =
          geo::pieces_bordering(cut_a ? pieces[at(ta)] : whole_a, cut_b ? pieces[at(tb)] : whole_b);
    }
    if (ctx_.progress) ctx_.progress->add(per_work * compared_work(compared[c]));
  });
  for (std::size_t c = 0; c < compared.size(); ++c) {
    const std::size_t k = compared[c];
    reported += per_work * compared_work(k);
    const geo::CellAdjacency& adj = tess_.adjacency[k];
    const std::int32_t la = local_of(adj.a), lb = local_of(adj.b);
    const std::int32_t ta = tower_of[at(la)], tb = tower_of[at(lb)];
    const auto [ua, ub] = bordering[c];
    if (ta != kNone && cut[at(ta)] && ua > 0) contact_unit_[{k, la}] = ua;
    if (tb != kNone && cut[at(tb)] && ub > 0) contact_unit_[{k, lb}] = ub;
  }
  if (ctx_.progress) ctx_.progress->add(cut_units - reported);
}

bool CommunityPlanner::units_across(std::int32_t local, int u, int v) const {
  const auto it = unit_side_.find(local);
  if (it == unit_side_.end()) return false;
  const std::vector<int>& sides = it->second;
  if (u < 0 || v < 0 || static_cast<std::size_t>(std::max(u, v)) >= sides.size()) return false;
  const int su = sides[static_cast<std::size_t>(u)], sv = sides[static_cast<std::size_t>(v)];
  return su >= 0 && sv >= 0 && su != sv;
}

bool CommunityPlanner::units_linked(std::int32_t local, int u, int v) const {
  if (units_across(local, u, v)) return false;
  if (u > v) std::swap(u, v);
  const auto it = unit_touching_.find(local);
  if (it == unit_touching_.end()) return v == u + 1;
  return std::binary_search(it->second.begin(), it->second.end(), std::pair{u, v});
}

int CommunityPlanner::contact_unit(std::size_t k, std::int32_t local) const {
  const auto it = contact_unit_.find({k, local});
  return it == contact_unit_.end() ? 0 : it->second;
}

void CommunityPlanner::build_large_graph(const std::vector<std::pair<NodeId, NodeId>>& unit_links,
                                         const std::function<void(double)>& report) {
  const auto atoms = static_cast<std::int32_t>(atom_members_.size());
  // Progress from inside the two long loops (issue 12/14 item 5): the adjacencies (half), the
  // atoms (the other half).
  LoopTicks adjacency_ticks(report, 0.0, 0.5, in_.adjacency.size());
  LoopTicks atom_ticks(report, 0.5, 1.0, at(atoms));
  std::vector<double> inner(at(atoms), 0.0);
  struct Link {
    NodeId a, b;
    double length;
    std::int32_t la, lb;
  };
  std::vector<Link> edges, hard_links;
  std::set<std::int32_t> spanning;
  for (std::size_t k : in_.adjacency) {
    adjacency_ticks.step();
    const geo::CellAdjacency& adj = tess_.adjacency[k];
    const std::int32_t la = local_of(adj.a), lb = local_of(adj.b);
    // A tower split at this level: the unit atom whose piece the neighbour borders (a split
    // building is never inside a contracted compound: its unit atoms follow its first atom).
    const NodeId a =
        atom_of_[at(la)] +
        (large_units_[at(la)].households.empty() ? 0 : static_cast<NodeId>(contact_unit(k, la)));
    const NodeId b =
        atom_of_[at(lb)] +
        (large_units_[at(lb)].households.empty() ? 0 : static_cast<NodeId>(contact_unit(k, lb)));
    const bool hard = adj.crossing == geo::Crossing::hard;
    if (hard && same_compound(la, lb)) spanning.insert(building(la).compound);
    if (a == b) {
      inner[at(a)] += adj.shared_length_m;
    } else if (!hard || same_compound(la, lb)) {
      edges.push_back({a, b, adj.shared_length_m, la, lb});
    } else {
      hard_links.push_back({a, b, adj.shared_length_m, la, lb});
    }
  }
  for (std::int32_t c : spanning) {
    const Compound& compound = dataset_.compounds[at(c)];
    result_.problems.report(Severity::info, "compound-spans-barrier", compound.source,
                            "compound '" + compound.name + "' (" + compound.ref +
                                ") spans a hard barrier (river, rail or major road); its "
                                "buildings stay together across it");
  }
  for (const auto& [la, lb] : extra_links_)
    edges.push_back({atom_of_[at(la)], atom_of_[at(lb)], 0.0, la, lb});
  for (const auto& [a, b] : unit_links) {
    // Units of a tower on two sides of a hard road are not linked: each side's units plan with
    // their own side (docs/decisions/0008, "A split tower across a hard road").
    const std::int32_t tower = atom_building_[at(a)];
    const Link link{a, b, 0.0, tower, atom_building_[at(b)]};
    if (units_across(tower, a - atom_of_[at(tower)], b - atom_of_[at(tower)]))
      hard_links.push_back(link);
    else
      edges.push_back(link);
  }

  // Areas without households cut off by hard barriers (a park across a river, a depot beyond
  // the railway) join the neighbour they share the longest boundary with: they need a grid
  // for seamless coverage, and no resident has to cross the barrier.
  const std::vector<long long>& atom_households = atom_households_;
  UnionFind components(at(atoms));
  for (const Link& e : edges) components.unite(e.a, e.b);
  std::vector<long long> component_households(at(atoms), 0);
  for (NodeId a = 0; a < atoms; ++a)
    component_households[at(components.find(a))] += atom_households[at(a)];
  for (NodeId root = 0; root < atoms; ++root) {
    if (components.find(root) != root || component_households[at(root)] > 0) continue;
    const Link* best = nullptr;
    bool best_has_households = false;
    for (const Link& link : hard_links) {
      const std::int32_t ra = components.find(link.a), rb = components.find(link.b);
      if (ra == rb || (ra != root && rb != root)) continue;
      const std::int32_t other = ra == root ? rb : ra;
      const bool has = component_households[at(other)] > 0;
      if (!best || (has && !best_has_households) ||
          (has == best_has_households && link.length > best->length)) {
        best = &link;
        best_has_households = has;
      }
    }
    if (!best) continue;
    edges.push_back(*best);
    extra_links_.insert({std::min(best->la, best->lb), std::max(best->la, best->lb)});
    const long long joined = component_households[at(components.find(best->a))] +
                             component_households[at(components.find(best->b))];
    components.unite(best->a, best->b);
    component_households[at(components.find(best->a))] = joined;
    result_.problems.report(
        Severity::info, "empty-area-joined-across-barrier", building(best->la).source,
        "an area without households (" + building_label(dataset_, in_.buildings[at(best->la)]) +
            " and its neighbours) is cut off by a hard barrier; it joins the grid across it for "
            "seamless coverage");
  }

  AtomGraphBuilder builder;
  for (NodeId a = 0; a < atoms; ++a) {
    atom_ticks.step();
    double work = 0.0, cell_area = 0.0, perimeter = 0.0;
    Point weighted{0.0, 0.0};
    for (std::int32_t i : atom_members_[at(a)]) {
      const std::int32_t b = in_.buildings[at(i)];
      work += building(i).households * building(i).workload_weight;
      cell_area += tess_.cell_area_m2[at(b)];
      perimeter += tess_.cell_perimeter_m[at(b)];
      const double w = std::max(tess_.cell_area_m2[at(b)], 1e-9);
      weighted.x += cell_centroid_[at(i)].x * w;
      weighted.y += cell_centroid_[at(i)].y * w;
    }
    double weight_sum = 0.0;
    for (std::int32_t i : atom_members_[at(a)])
      weight_sum += std::max(tess_.cell_area_m2[at(in_.buildings[at(i)])], 1e-9);
    if (atom_members_[at(a)].empty()) {  // a further unit of a split building
      const std::int32_t i = atom_building_[at(a)];
      work = static_cast<double>(atom_households[at(a)]) * building(i).workload_weight;
      weighted = cell_centroid_[at(i)];
      weight_sum = 1.0;
    } else {
      // Workload of a split building's first atom: its units' households only.
      for (std::int32_t i : atom_members_[at(a)])
        if (!large_units_[at(i)].households.empty())
          work -= (building(i).households - large_units_[at(i)].households.front()) *
                  building(i).workload_weight;
    }
    builder.add_node(static_cast<int>(atom_households[at(a)]), work, cell_area,
                     perimeter - 2.0 * inner[at(a)],
                     Point{weighted.x / weight_sum, weighted.y / weight_sum});
  }
  for (const Link& e : edges) builder.add_edge(e.a, e.b, e.length);
  large_graph_ = builder.build();
}

}  // namespace gp::partition::detail
