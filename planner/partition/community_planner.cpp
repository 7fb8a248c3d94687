// Planning one community: large grids over its atom graph, micro grids inside each large grid,
// re-planning against an existing plan, and the metrics measured inside the community
// (contiguity, barrier crossings, compound splits). See docs/decisions/0005-partition.md.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "planner/core/parallel.hpp"
#include "planner/geo/cell_split.hpp"
#include "planner/geo/geos.hpp"
#include "planner/partition/partition_internal.hpp"

namespace gp::partition::detail {

CommunityResult CommunityPlanner::run() {
  copy_locked();
  // Progress: after the micro grids, the split buildings' reports, the grids' connectivity,
  // the compound splits and the codes are kTailUnits per planned building (make_plan counts
  // them): on one community of 1M buildings they were 1.16 s at 60 % without an update.
  const double tail = ctx_.progress ? kTailUnits * static_cast<double>(n_) : 0.0;
  auto tail_step = [&] {
    if (ctx_.progress) ctx_.progress->add(tail / 4.0);
  };
  if (n_ > 0) {
    prepare_buildings();
    plan_large();
    plan_micro();
    tail_step();
    grid_connectivity();
    tail_step();
    compound_splits();
    tail_step();
  }
  number_grids();
  if (n_ > 0) tail_step();
  return std::move(result_);
}

void CommunityPlanner::copy_locked() {
  if (!ctx_.existing) return;
  for (std::int32_t g : in_.locked_large) {
    Grid large = ctx_.existing->large_grids[at(g)];
    large.locked = true;
    recount(large, params_.large);
    large.community = in_.community;
    const auto parent = static_cast<std::int32_t>(result_.large.size());
    result_.large.push_back(large);
    centroid_.push_back(centroid(large.polygon));
    area_.push_back(area(large.polygon));
    for (std::size_t m = 0; m < ctx_.existing->micro_grids.size(); ++m) {
      if (ctx_.existing->micro_grids[m].parent != g) continue;
      Grid micro = ctx_.existing->micro_grids[m];
      micro.parent = parent;
      micro.locked = true;
      micro.community = in_.community;
      recount(micro, params_.micro);
      result_.micro.push_back(micro);
      result_.cell_buildings.emplace_back();  // the polygon is kept, not rebuilt
      micro_centroid_.push_back(centroid(micro.polygon));
      micro_area_.push_back(area(micro.polygon));
    }
  }
}

/// Households, buildings and workload of a grid kept from the existing plan, from today's data.
void CommunityPlanner::recount(Grid& grid, const HouseholdBounds& bounds) const {
  grid.metrics = GridMetrics{};
  for (std::int32_t b : grid.buildings) {
    grid.metrics.households += dataset_.buildings[at(b)].households;
    grid.metrics.workload +=
        dataset_.buildings[at(b)].households * dataset_.buildings[at(b)].workload_weight;
  }
  grid.metrics.buildings = static_cast<int>(grid.buildings.size());
  grid.metrics.below_min = grid.metrics.households < bounds.min;
  grid.metrics.above_max = grid.metrics.households > bounds.max;
}

void CommunityPlanner::plan_large() {
  const HouseholdBounds& bounds = params_.large;
  // Progress: the large grids are one unit per planned building (micro grids the other), a
  // twentieth of it over the atom graph's loops (on one community of 1M buildings: a second and
  // more at 20 % of the stage without an update, issue 12/14 item 5), the rest over the
  // partition.
  const long long graph_units = ctx_.progress ? n_ / 20 : 0;
  long long graph_reported = 0;
  auto graph_progress = [&](double share) {
    const auto units = std::llround(share * static_cast<double>(graph_units));
    if (units <= graph_reported) return;
    ctx_.progress->add(static_cast<double>(units - graph_reported));
    graph_reported = units;
  };
  compound_parts();
  build_large_graph(make_large_atoms(), ctx_.progress ? std::function<void(double)>(graph_progress)
                                                      : std::function<void(double)>());
  graph_progress(1.0);
  const auto atoms = static_cast<std::int32_t>(atom_members_.size());

  GraphPartitionOptions options;
  options.bounds = bounds;
  options.weights = params_.weights;
  options.fixed_parts = params_.fixed_large_per_community;
  options.refinement_passes = params_.refinement_passes;
  options.seed = params_.seed ^ (0x5EEDULL * static_cast<std::uint64_t>(in_.community + 1));
  if (params_.seed_from_stations) options.seed_nodes = station_atoms();
  if (ctx_.existing && ctx_.existing->building_large.size() == dataset_.buildings.size()) {
    options.previous.assign(at(atoms), kNoPart);
    for (NodeId a = 0; a < atoms; ++a)
      options.previous[at(a)] =
          ctx_.existing->building_large[at(in_.buildings[at(atom_building_[at(a)])])];
    previous_units_from_geometry(options.previous);
    previous_large_ = options.previous;
    for (const Grid& g : ctx_.existing->large_grids)
      options.previous_accepted.push_back(g.bounds_reason.empty() ? 0 : 1);
  }
  // Progress: the rest of the large grids' unit per planned building.
  const long long partition_units = n_ - graph_units;
  long long reported = 0;
  if (ctx_.progress)
    options.on_progress = [&](double share) {
      const auto units = std::llround(share * static_cast<double>(partition_units));
      ctx_.progress->add(static_cast<double>(units - reported));
      reported = std::max(reported, units);
    };
  const auto started = std::chrono::steady_clock::now();
  GraphPartition large = partition_graph(large_graph_, options);
  if (ctx_.progress) ctx_.progress->add(static_cast<double>(partition_units - reported));
  if (ctx_.keep_large_partitions)
    result_.large_partition = LargeGridPartition{
        in_.community,
        large_graph_,
        large.part,
        large.part_count,
        large.infeasible,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()};
  large_part_ = large.part;
  large_count_ = large.part_count;

  const auto first = static_cast<std::int32_t>(result_.large.size());
  for (PartId p = 0; p < large.part_count; ++p) {
    Grid grid;
    grid.level = GridLevel::large;
    grid.community = in_.community;
    result_.large.push_back(std::move(grid));
  }
  // Slices: what each large grid holds of each building — the whole building, or a run of
  // consecutive units of a split one (the run holding the first unit holds the cell).
  for (std::int32_t i = 0; i < n_; ++i) {
    const NodeId head = atom_of_[at(i)];
    const std::vector<int>& units = large_units_[at(i)].households;
    if (units.empty()) {
      slices_.push_back({i, building(i).households, first + large.part[at(head)], true, {}});
      continue;
    }
    for (std::size_t u = 0; u < units.size(); ++u) {
      // A split building is never inside a contracted compound (the compound is above the
      // maximum too), so its unit atoms are the ids right after its first atom.
      const std::int32_t grid = first + large.part[at(head + static_cast<NodeId>(u))];
      // A new slice where the grid changes, or where this unit's piece does not touch the
      // previous one's (unit_touching_): a slice is a stretch of connected units.
      if (u == 0 || slices_.back().large != grid ||
          !units_linked(i, static_cast<int>(u) - 1, static_cast<int>(u)))
        slices_.push_back({i, 0, grid, u == 0, {}});
      slices_.back().households += units[u];
      slices_.back().unit_households.push_back(units[u]);
    }
  }
  building_large_.assign(at(n_), kNone);
  for (const Slice& slice : slices_) {
    if (slice.has_cell) building_large_[at(slice.local)] = slice.large;
    Grid& grid = result_.large[at(slice.large)];
    if (grid.buildings.empty() || grid.buildings.back() != in_.buildings[at(slice.local)])
      grid.buildings.push_back(in_.buildings[at(slice.local)]);
    grid.metrics.households += slice.households;
    grid.metrics.workload += slice.households * building(slice.local).workload_weight;
  }
  for (PartId p = 0; p < large.part_count; ++p) {
    Grid& grid = result_.large[at(first + p)];
    std::sort(grid.buildings.begin(), grid.buildings.end());
    grid.metrics.buildings = static_cast<int>(grid.buildings.size());
    grid.metrics.below_min = grid.metrics.households < bounds.min;
    grid.metrics.above_max = grid.metrics.households > bounds.max;
  }
  // Centroids and areas for numbering.
  for (PartId p = 0; p < large.part_count; ++p) {
    centroid_.push_back(Point{0.0, 0.0});
    area_.push_back(0.0);
  }
  std::vector<double> weight(at(large.part_count), 0.0);
  for (NodeId a = 0; a < atoms; ++a) {
    const auto g = at(first + large.part[at(a)]);
    const double w = std::max(large_graph_.area_m2[at(a)], 1e-9);
    centroid_[g].x += large_graph_.position[at(a)].x * w;
    centroid_[g].y += large_graph_.position[at(a)].y * w;
    area_[g] += large_graph_.area_m2[at(a)];
    weight[g - at(first)] += w;
  }
  for (PartId p = 0; p < large.part_count; ++p) {
    centroid_[at(first + p)].x /= weight[at(p)];
    centroid_[at(first + p)].y /= weight[at(p)];
  }
  // Reasons first: they name grids by part (first + p), which the join renumbers.
  report_infeasible_large(large, first);
  if (params_.policy == InfeasiblePolicy::join_across_soft) join_undersized_across_soft(first);
}

/// A compound is kept whole as one large-grid atom only where its buildings' cells touch inside
/// the community. A community boundary can cut a compound into parts that do not touch (a 1 km
/// community square across a bent Monaco compound, real-30000 with communities): contracted into
/// one atom, the parts became one large grid in two pieces 100 m and more apart (C2-5-401: 750,784
/// + 152,959 m²; C2-6-403 in three). Parts are joined by the compound's own cell adjacencies
/// (across any road: a compound's internal roads do not cut it) and by the links of its buildings
/// without a cell; each part is then its own atom, and the split is reported (compound_splits).
void CommunityPlanner::compound_parts() {
  UnionFind parts(at(n_));
  for (std::size_t k : in_.adjacency) {
    const geo::CellAdjacency& adj = tess_.adjacency[k];
    const std::int32_t la = local_of(adj.a), lb = local_of(adj.b);
    if (same_compound(la, lb)) parts.unite(la, lb);
  }
  for (const auto& [la, lb] : cellless_links_)
    if (same_compound(la, lb)) parts.unite(la, lb);
  compound_part_.assign(at(n_), kNone);
  std::map<std::int32_t, std::set<std::int32_t>> roots;
  for (std::int32_t i = 0; i < n_; ++i) {
    if (building(i).compound == kNone) continue;
    compound_part_[at(i)] = parts.find(i);
    roots[building(i).compound].insert(compound_part_[at(i)]);
  }
  for (const auto& [c, r] : roots)
    if (r.size() > 1) cut_compounds_[c] = static_cast<int>(r.size());
}

/// A plan lists a split tower under one grid, but its units lay in several: each unit takes
/// the previous large grid holding its strip of the tower's cell (the first unit's strip
/// holds the rest of the cell, as the first run's grid does; the listed grid is the one
/// holding the building's representative point, which need not be the first run's), cut as
/// the export cut it (split_cell_along_building, one weight per unit: the runs' cuts fall on unit
/// boundaries). Without this every unit of a tower landed in one previous grid, which then
/// broke the bounds, and re-planning an unchanged plan moved households (issue 12).
void CommunityPlanner::previous_units_from_geometry(std::vector<PartId>& previous) const {
  const Plan& existing = *ctx_.existing;
  std::vector<NodeId> towers_units;  // unit atoms of the towers read by geometry
  for (std::int32_t i = 0; i < n_; ++i) {
    const std::vector<int>& units = large_units_[at(i)].households;
    const std::int32_t b = in_.buildings[at(i)];
    // The plan lists the tower's runs (one buildings row per run): each unit takes its run's
    // large grid, as exported, instead of cutting the cell again (issue 12: Nanjing 237 moved).
    bool from_runs = false;
    for (const BuildingRun& run : existing.building_runs) {
      if (run.building != b || run.large == kNone || units.size() < 2) continue;
      for (int u = run.first_unit; u < run.first_unit + run.units; ++u)
        if (u >= 0 && static_cast<std::size_t>(u) < units.size())
          previous[at(atom_of_[at(i)] + static_cast<NodeId>(u))] = static_cast<PartId>(run.large);
      from_runs = true;
    }
    if (from_runs) continue;
    if (units.size() < 2 || tess_.cells[at(b)].empty()) continue;
    const std::vector<MultiPolygon> strips = geo::split_cell_along_building(
        tess_.cells[at(b)], building(i).footprint, std::vector<double>(units.size(), 1.0), {}, 0,
        geo::cell_sides_of(tess_, b));
    for (std::size_t u = 0; u < units.size() && u < strips.size(); ++u) {
      if (strips[u].empty()) continue;
      const Point p = geo::point_on_surface(strips[u]);
      for (std::size_t g = 0; g < existing.large_grids.size(); ++g) {
        const MultiPolygon& polygon = existing.large_grids[g].polygon;
        if (box_contains(bounds(polygon), p) && point_in_polygon(polygon, p)) {
          // A split building is never inside a contracted compound: its unit atoms are the
          // ids right after its first atom.
          previous[at(atom_of_[at(i)] + static_cast<NodeId>(u))] = static_cast<PartId>(g);
          break;
        }
      }
    }
    // Its grids' units are connected on the large-grid graph, read through it (a chaining
    // tower's units link u → u + 1, so this is one run per grid there too; a run held through
    // the tower's neighbours, as Nanjing's way 147223223, is read as it was).
    for (std::size_t u = 0; u < units.size(); ++u)
      towers_units.push_back(atom_of_[at(i)] + static_cast<NodeId>(u));
  }
  connected_unit_runs(large_graph_, previous, towers_units);
}

/// A previous grid held a tower's units connected on the large-grid graph: along the chain
/// u → u + 1 for a tower whose pieces chain, through the pairs whose pieces touch for one that
/// does not (unit_touching_), and through the grid's other atoms (the neighbours bordering a
/// unit's piece) for both. A strip's point can fall on the wrong side of a run boundary, and
/// contiguous runs of unit indices (the reading before round 10) could put a grid in pieces on
/// the graph and move households needlessly (issue 12 item 7: the Nanjing E tower 79, Nanjing's
/// way 147223223 71, whose grid held units 1, 21–26 and 48 through its neighbours). Here a unit
/// whose strip's point fell in a grid it is not connected to on the large-grid graph — outside
/// that grid's largest piece by households, as construct_from_previous keeps it — takes the grid
/// most of its settled neighbours on the graph (touching units, bordering buildings) had,
/// repeated until none is left; a unit with no such neighbour keeps its grid. Units in their
/// grid's largest piece keep it, so a previous plan read right is taken over as it is.
/// `unplaced` (units whose strip lies in no grid they may take: plan_micro's units outside
/// their large grid's micro grids) are settled by their neighbours the same way.
/// The micro level reads a tower's units through each large grid's micro-grid graph the same
/// way (plan_micro, previous_unit_micro_from_geometry).
void CommunityPlanner::connected_unit_runs(const AtomGraph& graph, std::vector<PartId>& previous,
                                           const std::vector<NodeId>& units,
                                           const std::vector<NodeId>& unplaced) {
  if (units.empty()) return;
  const NodeId atoms = graph.node_count();
  UnionFind pieces(at(atoms));
  for (NodeId a = 0; a < atoms; ++a)
    for (std::int32_t e = graph.begin(a); e < graph.end(a); ++e) {
      const NodeId b = graph.neighbours[at(e)];
      if (a < b && previous[at(a)] != kNoPart && previous[at(a)] == previous[at(b)])
        pieces.unite(a, b);
    }
  std::vector<long long> households(at(atoms), 0);
  std::vector<std::int32_t> members(at(atoms), 0);
  for (NodeId a = 0; a < atoms; ++a) {
    households[at(pieces.find(a))] += graph.households[at(a)];
    ++members[at(pieces.find(a))];
  }
  std::map<PartId, std::int32_t> largest;  // grid → root of its largest piece
  for (NodeId a = 0; a < atoms; ++a) {
    if (previous[at(a)] == kNoPart) continue;
    const std::int32_t r = pieces.find(a);
    const auto [it, fresh] = largest.try_emplace(previous[at(a)], r);
    const std::int32_t best = it->second;
    if (!fresh &&
        (households[at(r)] > households[at(best)] ||
         (households[at(r)] == households[at(best)] && members[at(r)] > members[at(best)])))
      it->second = r;
  }
  std::vector<char> settled(at(atoms), 1);
  std::vector<NodeId> stray;
  for (NodeId v : units)
    if (previous[at(v)] != kNoPart && pieces.find(v) != largest.at(previous[at(v)])) {
      settled[at(v)] = 0;
      stray.push_back(v);
    }
  for (NodeId v : unplaced)
    if (settled[at(v)]) {
      settled[at(v)] = 0;
      stray.push_back(v);
    }
  for (bool grew = true; grew;) {
    grew = false;
    for (NodeId v : stray) {
      if (settled[at(v)]) continue;
      std::map<PartId, int> votes;
      for (std::int32_t e = graph.begin(v); e < graph.end(v); ++e) {
        const NodeId b = graph.neighbours[at(e)];
        if (settled[at(b)] && previous[at(b)] != kNoPart) ++votes[previous[at(b)]];
      }
      if (votes.empty()) continue;
      auto best = votes.begin();
      for (auto it = votes.begin(); it != votes.end(); ++it)
        if (it->second > best->second) best = it;
      previous[at(v)] = best->first;
      settled[at(v)] = 1;
      grew = true;
    }
  }
}

/// Re-plan from the grids alone (no rows of runs: another tool's export, a plan.gpkg without
/// its buildings layer): each unit of a tower split by units at the micro level takes the
/// previous micro grid holding its strip of the tower's cell, cut one weight per unit as the
/// export cut it (as previous_units_from_geometry does for large grids), among the micro grids
/// nested in the unit's previous large grid as the large level read it (previous_large_). A
/// unit whose strip lies in none of them (the large level settled it in a neighbour's grid) is
/// left kNoPart, for plan_micro to settle by its neighbours. Without this every unit took the
/// building's one micro grid (the one holding its point), and re-planning an unchanged extract
/// moved Nanjing 1,761, Helsinki 569 and Monaco 829 households between micro grids (issue 12
/// item 7). Towers whose runs `listed` gives are left out.
std::map<std::int32_t, std::vector<PartId>> CommunityPlanner::previous_unit_micro_from_geometry(
    const std::map<std::int32_t, std::vector<PartId>>& listed) const {
  std::map<std::int32_t, std::vector<PartId>> out;
  const Plan& existing = *ctx_.existing;
  std::vector<std::vector<std::size_t>> children;  // previous large grid → its micro grids
  std::vector<Box> box;                            // per previous micro grid
  for (std::int32_t i = 0; i < n_; ++i) {
    if (building(i).households <= params_.micro.max || listed.count(i)) continue;
    const std::int32_t b = in_.buildings[at(i)];
    if (tess_.cells[at(b)].empty()) continue;
    const bool split_large = !large_units_[at(i)].households.empty();
    const std::size_t units = split_large ? large_units_[at(i)].households.size()
                                          : unit_households(building(i)).households.size();
    if (units < 2) continue;
    if (box.empty()) {
      children.resize(existing.large_grids.size());
      for (std::size_t m = 0; m < existing.micro_grids.size(); ++m) {
        box.push_back(bounds(existing.micro_grids[m].polygon));
        const std::int32_t parent = existing.micro_grids[m].parent;
        if (parent != kNone && at(parent) < children.size()) children[at(parent)].push_back(m);
      }
    }
    // With the cell's sides, as the export and the large level cut (a tower across a hard road).
    const std::vector<MultiPolygon> strips = geo::split_cell_along_building(
        tess_.cells[at(b)], building(i).footprint, std::vector<double>(units, 1.0), {}, 0,
        geo::cell_sides_of(tess_, b));
    std::vector<PartId>& micro = out[i];
    micro.assign(units, kNoPart);
    for (std::size_t u = 0; u < units && u < strips.size(); ++u) {
      if (strips[u].empty()) continue;
      const Point p = geo::point_on_surface(strips[u]);
      const NodeId atom = atom_of_[at(i)] + (split_large ? static_cast<NodeId>(u) : 0);
      const PartId large = at(atom) < previous_large_.size() ? previous_large_[at(atom)] : kNoPart;
      auto holds = [&](std::size_t m) {
        return box_contains(box[m], p) && point_in_polygon(existing.micro_grids[m].polygon, p);
      };
      if (large != kNoPart && at(large) < children.size()) {
        for (std::size_t m : children[at(large)])
          if (holds(m)) {
            micro[u] = static_cast<PartId>(m);
            break;
          }
      } else {
        for (std::size_t m = 0; m < existing.micro_grids.size(); ++m)
          if (holds(m)) {
            micro[u] = static_cast<PartId>(m);
            break;
          }
      }
    }
  }
  return out;
}

std::vector<NodeId> CommunityPlanner::station_atoms() const {
  std::vector<NodeId> seeds;
  for (std::int32_t s : in_.stations) {
    const Point p = dataset_.stations[at(s)].location;
    for (std::int32_t i = 0; i < n_; ++i) {
      const MultiPolygon& cell = tess_.cells[at(in_.buildings[at(i)])];
      if (!cell.empty() && box_contains(bounds(cell), p) && point_in_polygon(cell, p)) {
        seeds.push_back(atom_of_[at(i)]);
        break;
      }
    }
  }
  return seeds;
}

/// Policy join_across_soft: an undersized grid merges into the neighbouring grid it shares a
/// soft (street-block) boundary with when the merged grid stays within the maximum. The repair
/// phase already merges where that lowers the violation, so this mostly catches grids whose
/// merge the refinement undid; it never crosses a hard barrier or a community boundary.
void CommunityPlanner::join_undersized_across_soft(std::int32_t first) {
  const HouseholdBounds& bounds = params_.large;
  for (std::int32_t g = first; g < static_cast<std::int32_t>(result_.large.size()); ++g) {
    Grid& grid = result_.large[at(g)];
    if (grid.buildings.empty() || grid.metrics.households >= bounds.min) continue;
    std::int32_t best = kNone;
    for (std::size_t k : in_.adjacency) {
      const geo::CellAdjacency& adj = tess_.adjacency[k];
      if (adj.crossing != geo::Crossing::soft) continue;
      const std::int32_t ga = building_large_[at(local_of(adj.a))],
                         gb = building_large_[at(local_of(adj.b))];
      if (ga == gb || (ga != g && gb != g)) continue;
      const std::int32_t other = ga == g ? gb : ga;
      if (result_.large[at(other)].buildings.empty()) continue;
      if (result_.large[at(other)].metrics.households + grid.metrics.households > bounds.max)
        continue;
      if (best == kNone ||
          result_.large[at(other)].metrics.households < result_.large[at(best)].metrics.households)
        best = other;
    }
    if (best == kNone) continue;
    Grid& into = result_.large[at(best)];
    for (Slice& slice : slices_)
      if (slice.large == g) slice.large = best;
    for (std::int32_t b : grid.buildings)
      if (building_large_[at(local_of(b))] == g) building_large_[at(local_of(b))] = best;
    into.buildings.insert(into.buildings.end(), grid.buildings.begin(), grid.buildings.end());
    std::sort(into.buildings.begin(), into.buildings.end());
    into.buildings.erase(std::unique(into.buildings.begin(), into.buildings.end()),
                         into.buildings.end());
    into.metrics.households += grid.metrics.households;
    into.metrics.workload += grid.metrics.workload;
    into.metrics.buildings = static_cast<int>(into.buildings.size());
    into.metrics.below_min = into.metrics.households < bounds.min;
    if (into.metrics.below_min && into.bounds_reason.empty())
      into.bounds_reason = grid.bounds_reason;
    if (!into.metrics.below_min && !into.metrics.above_max) into.bounds_reason.clear();
    area_[at(best)] += area_[at(g)];
    grid.buildings.clear();
    grid.metrics = GridMetrics{};
    result_.problems.report(Severity::info, "joined-across-soft-barrier",
                            community_location(dataset_, in_.community),
                            community_label(dataset_, in_.community) +
                                ": an undersized large grid joined its neighbour across a minor "
                                "road (policy join-across-soft)");
  }
  // Drop emptied grids, keeping the rest in order.
  std::vector<std::int32_t> renumber(result_.large.size(), kNone);
  std::vector<Grid> kept;
  std::vector<Point> kept_centroid;
  std::vector<double> kept_area;
  for (std::size_t g = 0; g < result_.large.size(); ++g) {
    if (static_cast<std::int32_t>(g) >= first && result_.large[g].buildings.empty()) continue;
    renumber[g] = static_cast<std::int32_t>(kept.size());
    kept.push_back(std::move(result_.large[g]));
    kept_centroid.push_back(centroid_[g]);
    kept_area.push_back(area_[g]);
  }
  result_.large = std::move(kept);
  centroid_ = std::move(kept_centroid);
  area_ = std::move(kept_area);
  for (auto& g : building_large_) g = renumber[at(g)];
  for (Slice& slice : slices_) slice.large = renumber[at(slice.large)];
}

/// Re-plan: where each household was (existing large grid) and is (new large grid, by
/// `new_index` of the slices' grids). A split tower counts per unit: the plan lists it under
/// one grid, but its units lie in several, before as after — counted per building, an
/// unchanged tower moved the households of every unit outside the listed grid (issue 12).
void CommunityPlanner::moved_flow(const std::vector<std::int32_t>& new_index) {
  if (previous_large_.empty()) return;
  std::int32_t current = kNone;
  std::size_t unit = 0;
  for (const Slice& slice : slices_) {
    if (slice.large == kNone) continue;
    const std::int32_t now = new_index[at(slice.large)];
    const std::int32_t b = in_.buildings[at(slice.local)];
    if (slice.unit_households.empty()) {
      const std::int32_t before = ctx_.existing->building_large[at(b)];
      if (before != kNone) result_.moved_flow[{before, now}] += slice.households;
      continue;
    }
    if (slice.local != current) {
      current = slice.local;
      unit = 0;
    }
    for (int households : slice.unit_households) {
      const PartId before =
          previous_large_[at(atom_of_[at(slice.local)] + static_cast<NodeId>(unit))];
      if (before != kNoPart) result_.moved_flow[{before, now}] += households;
      ++unit;
    }
  }
}

void CommunityPlanner::plan_micro() {
  const HouseholdBounds& bounds = params_.micro;
  // The slice each side of an adjacency touches: a split tower's neighbour touches the slice
  // holding the unit whose piece of the cell it borders (find_contact_units), with that unit's
  // position in the slice; any other building, its slice.
  constexpr std::size_t kNoSlice = static_cast<std::size_t>(-1);
  std::vector<std::size_t> cell_slice(at(n_), kNoSlice);
  std::vector<int> slice_first_unit(slices_.size(), 0);
  std::map<std::int32_t, std::vector<std::size_t>> unit_slice;  // local → slice of each unit
  for (std::size_t k = 0; k < slices_.size(); ++k) {
    if (slices_[k].has_cell) cell_slice[at(slices_[k].local)] = k;
    if (slices_[k].unit_households.empty()) continue;
    std::vector<std::size_t>& list = unit_slice[slices_[k].local];
    slice_first_unit[k] = static_cast<int>(list.size());
    list.insert(list.end(), slices_[k].unit_households.size(), k);
  }
  struct Touch {
    std::size_t slice;
    int unit;  // within the slice
  };
  auto touch = [&](std::size_t k, std::int32_t local) {
    const int u = contact_unit(k, local);
    const auto it = unit_slice.find(local);
    if (it == unit_slice.end()) return Touch{cell_slice[at(local)], u};
    const std::size_t s = it->second[std::min(at(u), it->second.size() - 1)];
    return Touch{s, u - slice_first_unit[s]};
  };
  // Adjacency bucketed by large grid (only pairs inside one grid matter here).
  std::map<std::int32_t, std::vector<std::size_t>> inside;
  for (std::size_t k : in_.adjacency) {
    const geo::CellAdjacency& adj = tess_.adjacency[k];
    const std::int32_t la = local_of(adj.a), lb = local_of(adj.b);
    const std::size_t sa = touch(k, la).slice, sb = touch(k, lb).slice;
    if (sa == kNoSlice || sb == kNoSlice) continue;
    const std::int32_t ga = slices_[sa].large;
    if (ga == kNone || ga != slices_[sb].large) continue;
    if (adj.crossing == geo::Crossing::hard && !same_compound(la, lb) &&
        !extra_links_.count({std::min(la, lb), std::max(la, lb)}))
      continue;
    inside[ga].push_back(k);
  }
  std::vector<NodeId> slice_node(slices_.size(), kNone);       // the slice's first node
  std::vector<int> slice_nodes(slices_.size(), 0);             // nodes of the slice (units or 1)
  std::map<std::int32_t, std::vector<std::size_t>> slices_in;  // large grid → slice indices
  for (std::size_t k = 0; k < slices_.size(); ++k) slices_in[slices_[k].large].push_back(k);
  // The extra links (buildings without a cell, empty areas joined across a barrier) inside each
  // large grid, in link order: a scan of all of them for every large grid grew with grids ×
  // links on one community holding a whole town.
  std::map<std::int32_t, std::vector<std::pair<std::int32_t, std::int32_t>>> links_in;
  for (const auto& [la, lb] : extra_links_)
    if (building_large_[at(la)] == building_large_[at(lb)])
      links_in[building_large_[at(la)]].emplace_back(la, lb);
  micro_of_.assign(at(n_), kNone);
  std::vector<NodeId> node_of(at(n_), kNone);  // local building → node holding its cell
  // Re-plan: the previous micro grid of each unit of a tower the previous plan lists run by run
  // (its buildings layer's rows of runs), as the large level takes each unit's large grid; the
  // building's one listed micro grid (the run holding its point) put every unit in that run's
  // grid, and the re-plan moved the others' households between micro grids (issue 12 item 7).
  std::map<std::int32_t, std::vector<PartId>> previous_unit_micro;  // local → per unit
  if (ctx_.existing && ctx_.existing->building_micro.size() == dataset_.buildings.size())
    for (const BuildingRun& run : ctx_.existing->building_runs) {
      if (run.micro == kNone || run.first_unit < 0 || run.building < 0 ||
          at(run.building) >= ctx_.local_index.size())
        continue;
      const std::int32_t i = local_of(run.building);
      if (i < 0 || i >= n_ || in_.buildings[at(i)] != run.building) continue;
      std::vector<PartId>& units = previous_unit_micro[i];
      if (units.size() < at(run.first_unit + run.units))
        units.resize(at(run.first_unit + run.units), kNoPart);
      for (int u = run.first_unit; u < run.first_unit + run.units; ++u)
        units[at(u)] = static_cast<PartId>(run.micro);
    }
  // From the grids alone, the towers the plan does not list run by run: each unit's micro grid
  // from its strip, then settled on each large grid's micro-grid graph (below).
  std::map<std::int32_t, std::vector<PartId>> geometry_unit_micro;
  if (ctx_.existing && ctx_.existing->building_micro.size() == dataset_.buildings.size())
    geometry_unit_micro = previous_unit_micro_from_geometry(previous_unit_micro);
  // Each large grid's micro graph and its partition are independent of the other large grids':
  // they are made for a block of large grids at a time spread over the cores (one community
  // holding a whole town plans thousands of large grids' micro grids: issue 14, "planning grids"
  // ran on one core), then taken in large-grid order, as one loop took them, so the plan is the
  // same whatever the threads. The graphs touch per-building and per-slice entries of their own
  // large grid only (node_of, slice_node, slice_nodes); the shared sets and maps they changed
  // (split_buildings_, rider_node_) are changed when the grid is taken.
  struct Node {
    std::int32_t local;
    bool has_cell;
    std::size_t slice;  // index into slices_
    std::size_t unit;   // position of the node's first unit within the slice
    int units;          // units the node holds
  };
  struct MicroGraph {
    std::vector<Node> nodes;
    AtomGraph graph;
    GraphPartition micro;
    std::vector<std::int32_t> split;  // local buildings split by units here
    std::map<std::int32_t, std::pair<std::size_t, int>> rider_node;
  };
  std::vector<std::pair<std::int32_t, const std::vector<std::size_t>*>> grid_slices;
  grid_slices.reserve(slices_in.size());
  for (const auto& [g, slice_list] : slices_in) grid_slices.emplace_back(g, &slice_list);
  auto make_micro_graph = [&](std::int32_t g, const std::vector<std::size_t>& slice_list,
                              MicroGraph& out) {
    AtomGraphBuilder builder;
    std::vector<Node>& nodes = out.nodes;
    for (std::size_t k : slice_list) {
      const Slice& slice = slices_[k];
      const std::int32_t i = slice.local;
      if (holder_[at(i)] != kNone) continue;  // a rider shares its holder's node (below)
      const std::int32_t bi = in_.buildings[at(i)];
      const double weight = building(i).workload_weight;
      // A slice above the micro maximum becomes a chain of its units, as at the large level:
      // the first unit keeps the cell (if the slice has it), the others link to the previous.
      std::vector<int> units{slice.households};
      if (slice.households > bounds.max) {
        units = slice.unit_households.empty() ? unit_households(building(i)).households
                                              : slice.unit_households;
        if (units.size() > 1) out.split.push_back(i);
      }
      // The riders of this slice's units (atoms.cpp, find_riders) add their households to the
      // node holding their unit.
      if (const auto riders = riders_.find(i); riders != riders_.end())
        for (std::int32_t r : riders->second) {
          const int unit = rider_unit_[at(r)];
          const bool split_large = !slice.unit_households.empty();
          if (split_large &&
              (unit < slice_first_unit[k] ||
               unit >= slice_first_unit[k] + static_cast<int>(slice.unit_households.size())))
            continue;  // a unit of another slice
          if (!split_large && !slice.has_cell) continue;
          const int position = std::clamp(unit - (split_large ? slice_first_unit[k] : 0), 0,
                                          static_cast<int>(units.size()) - 1);
          units[at(position)] += building(r).households;
          out.rider_node[r] = {k, position};
        }
      NodeId previous = kNone;
      slice_nodes[k] = static_cast<int>(units.size());
      for (std::size_t u = 0; u < units.size(); ++u) {
        const bool cell = slice.has_cell && u == 0;
        const NodeId v =
            builder.add_node(units[u], units[u] * weight, cell ? tess_.cell_area_m2[at(bi)] : 0.0,
                             cell ? tess_.cell_perimeter_m[at(bi)] : 0.0, cell_centroid_[at(i)]);
        const int node_units =
            units.size() > 1 ? 1 : std::max(1, static_cast<int>(slice.unit_households.size()));
        nodes.push_back({i, cell, k, u, node_units});
        if (u == 0) slice_node[k] = v;
        if (cell) node_of[at(i)] = v;
        // Global unit index of this node: the slice's first unit plus its position.
        const int global =
            (slice.unit_households.empty() ? 0 : slice_first_unit[k]) + static_cast<int>(u);
        if (previous != kNone && units_linked(i, global - 1, global))
          builder.add_edge(previous, v, 0.0);
        previous = v;
      }
    }
    // Towers whose units' pieces do not chain (unit_touching_): their units (nodes, or the
    // slices holding them) are linked where their pieces share an edge, across slices of this
    // large grid too (the chain above links only consecutive units that touch).
    {
      std::set<std::int32_t> seen;
      const std::int32_t grid = g;  // a structured binding is not captured (clang 14)
      for (std::size_t k : slice_list) {
        const std::int32_t i = slices_[k].local;
        const auto touching = unit_touching_.find(i);
        if (touching == unit_touching_.end() || !seen.insert(i).second) continue;
        // The slice of this grid holding global unit u and the node within it; kNoSlice when
        // another grid holds it.
        auto unit_node = [&](int u) -> NodeId {
          std::size_t s = kNoSlice;
          int first_unit = 0;
          if (const auto it = unit_slice.find(i); it != unit_slice.end()) {
            if (u < 0 || static_cast<std::size_t>(u) >= it->second.size()) return kNone;
            s = it->second[at(u)];
            first_unit = slice_first_unit[s];
          } else {
            s = cell_slice[at(i)];
          }
          if (s == kNoSlice || slices_[s].large != grid || slice_node[s] == kNone) return kNone;
          return slice_node[s] +
                 static_cast<NodeId>(std::clamp(u - first_unit, 0, slice_nodes[s] - 1));
        };
        for (const auto& [u, v] : touching->second) {
          const NodeId a = unit_node(u), b = unit_node(v);
          if (a != kNone && b != kNone && a != b) builder.add_edge(a, b, 0.0);
        }
      }
    }
    for (std::size_t k : slice_list) {
      const std::int32_t r = slices_[k].local;
      if (holder_[at(r)] == kNone) continue;
      const auto target = out.rider_node.find(r);
      if (target == out.rider_node.end()) continue;  // not met (cannot happen: same large grid)
      slice_node[k] = slice_node[target->second.first] + static_cast<NodeId>(target->second.second);
      slice_nodes[k] = 1;
      node_of[at(r)] = slice_node[k];
    }
    static const std::vector<std::size_t> kNoAdjacency;
    const auto inside_g = inside.find(g);  // find, not []: grids are made in parallel
    for (std::size_t k : inside_g == inside.end() ? kNoAdjacency : inside_g->second) {
      const geo::CellAdjacency& adj = tess_.adjacency[k];
      auto node = [&](std::int32_t local) {
        const Touch t = touch(k, local);
        return slice_node[t.slice] +
               static_cast<NodeId>(std::clamp(t.unit, 0, slice_nodes[t.slice] - 1));
      };
      builder.add_edge(node(local_of(adj.a)), node(local_of(adj.b)), adj.shared_length_m);
    }
    if (const auto links = links_in.find(g); links != links_in.end())
      for (const auto& [la, lb] : links->second)
        builder.add_edge(node_of[at(la)], node_of[at(lb)], 0.0);
    out.graph = builder.build();
    const AtomGraph& graph = out.graph;
    GraphPartitionOptions options;
    options.bounds = bounds;
    options.weights = params_.weights;
    options.refinement_passes = params_.refinement_passes;
    options.seed =
        params_.seed ^
        (0x3C0FFEEULL * static_cast<std::uint64_t>(in_.buildings[at(nodes.front().local)] + 1));
    if (ctx_.existing && ctx_.existing->building_micro.size() == dataset_.buildings.size()) {
      options.previous.assign(nodes.size(), kNoPart);
      std::vector<NodeId> tower_units, unplaced;  // nodes read from their strips
      for (std::size_t v = 0; v < nodes.size(); ++v) {
        const Node& node = nodes[v];
        options.previous[v] = ctx_.existing->building_micro[at(in_.buildings[at(node.local)])];
        // The node's first unit (a node standing for a whole slice: the slice's first unit).
        const std::size_t unit =
            (slices_[node.slice].unit_households.empty() ? 0 : at(slice_first_unit[node.slice])) +
            node.unit;
        const auto listed = previous_unit_micro.find(node.local);
        if (listed != previous_unit_micro.end()) {
          if (unit < listed->second.size() && listed->second[unit] != kNoPart)
            options.previous[v] = listed->second[unit];
          continue;
        }
        const auto read = geometry_unit_micro.find(node.local);
        if (read == geometry_unit_micro.end() || unit >= read->second.size()) continue;
        options.previous[v] = read->second[unit];
        tower_units.push_back(static_cast<NodeId>(v));
        if (options.previous[v] == kNoPart) unplaced.push_back(static_cast<NodeId>(v));
      }
      // As at the large level: a unit whose strip's point fell in a micro grid it is not
      // connected to on this graph takes its settled neighbours' grid.
      connected_unit_runs(graph, options.previous, tower_units, unplaced);
      for (const Grid& m : ctx_.existing->micro_grids)
        options.previous_accepted.push_back(m.bounds_reason.empty() ? 0 : 1);
    }
    out.micro = partition_graph(graph, options);
  };
  // Progress: the micro grids are the other unit per planned building, by slices done.
  std::size_t slices_done = 0;
  long long reported = 0;
  constexpr std::size_t kGridsPerBlock = 64;
  for (std::size_t block = 0; block < grid_slices.size(); block += kGridsPerBlock) {
    const std::size_t block_end = std::min(grid_slices.size(), block + kGridsPerBlock);
    std::vector<MicroGraph> made(block_end - block);
    parallel_for(block, block_end, [&](std::size_t j) {
      make_micro_graph(grid_slices[j].first, *grid_slices[j].second, made[j - block]);
    });
    for (std::size_t j = block; j < block_end; ++j) {
      const std::int32_t g = grid_slices[j].first;
      const std::vector<std::size_t>& slice_list = *grid_slices[j].second;
      MicroGraph& done = made[j - block];
      if (ctx_.progress && !slices_.empty()) {
        const long long units =
            n_ * static_cast<long long>(slices_done) / static_cast<long long>(slices_.size());
        ctx_.progress->add(static_cast<double>(units - reported));
        reported = units;
      }
      slices_done += slice_list.size();
      split_buildings_.insert(done.split.begin(), done.split.end());
      for (const auto& entry : done.rider_node) rider_node_[entry.first] = entry.second;
      const std::vector<Node>& nodes = done.nodes;
      const AtomGraph& graph = done.graph;
      const GraphPartition& micro = done.micro;
      const auto first = static_cast<std::int32_t>(result_.micro.size());
      for (PartId p = 0; p < micro.part_count; ++p) {
        Grid grid;
        grid.level = GridLevel::micro;
        grid.community = in_.community;
        grid.parent = g;
        result_.micro.push_back(std::move(grid));
        result_.cell_buildings.emplace_back();
        micro_centroid_.push_back(Point{0.0, 0.0});
        micro_area_.push_back(0.0);
      }
      std::vector<double> weight(at(micro.part_count), 0.0);
      for (std::size_t v = 0; v < nodes.size(); ++v) {
        const std::int32_t i = nodes[v].local;
        const std::int32_t m = first + micro.part[v];
        Grid& grid = result_.micro[at(m)];
        grid.buildings.push_back(in_.buildings[at(i)]);
        if (!large_units_[at(i)].households.empty() || split_buildings_.count(i))
          unit_pieces_[i].push_back({nodes[v].slice, nodes[v].unit, m, nodes[v].units});
        if (nodes[v].has_cell) {
          micro_of_[at(i)] = m;
          result_.cell_buildings[at(m)].push_back(in_.buildings[at(i)]);
        }
        grid.metrics.households += graph.households[v];
        grid.metrics.workload += graph.workload[v];
        const double w = std::max(graph.area_m2[v], 1e-9);
        micro_centroid_[at(m)].x += graph.position[v].x * w;
        micro_centroid_[at(m)].y += graph.position[v].y * w;
        micro_area_[at(m)] += graph.area_m2[v];
        weight[at(micro.part[v])] += w;
      }
      // Riders: in the micro grid of their holder's node (its households already counted there).
      for (std::size_t k : slice_list) {
        const std::int32_t r = slices_[k].local;
        if (holder_[at(r)] == kNone || node_of[at(r)] == kNone) continue;
        const std::int32_t m = first + micro.part[at(node_of[at(r)])];
        result_.micro[at(m)].buildings.push_back(in_.buildings[at(r)]);
        micro_of_[at(r)] = m;
        result_.cell_buildings[at(m)].push_back(in_.buildings[at(r)]);
      }
      for (PartId p = 0; p < micro.part_count; ++p) {
        Grid& grid = result_.micro[at(first + p)];
        std::sort(grid.buildings.begin(), grid.buildings.end());
        grid.buildings.erase(std::unique(grid.buildings.begin(), grid.buildings.end()),
                             grid.buildings.end());
        grid.metrics.buildings = static_cast<int>(grid.buildings.size());
        grid.metrics.below_min = grid.metrics.households < bounds.min;
        grid.metrics.above_max = grid.metrics.households > bounds.max;
        micro_centroid_[at(first + p)].x /= weight[at(p)];
        micro_centroid_[at(first + p)].y /= weight[at(p)];
      }
      report_infeasible_micro(result_.large[at(g)], micro, first, nodes.front().local);
      done = MicroGraph{};  // its graph is not needed any more
    }
  }
  if (ctx_.progress) ctx_.progress->add(static_cast<double>(n_ - reported));
  report_split_buildings();
}

/// One report per building whose units ended up in more than one grid (large or micro).
void CommunityPlanner::report_split_buildings() {
  // Runs of consecutive units per micro grid, for cutting the cells of split buildings.
  for (auto& [i, pieces] : unit_pieces_) {
    std::sort(pieces.begin(), pieces.end());
    std::vector<std::pair<std::int32_t, int>> runs;
    for (const UnitPiece& piece : pieces) {
      if (!runs.empty() && runs.back().first == piece.micro)
        runs.back().second += piece.units;
      else
        runs.emplace_back(piece.micro, piece.units);
    }
    if (runs.size() > 1) result_.unit_runs.emplace_back(in_.buildings[at(i)], std::move(runs));
  }
  for (std::int32_t i = 0; i < n_; ++i)
    if (!large_units_[at(i)].households.empty()) split_buildings_.insert(i);
  if (split_buildings_.empty()) return;
  std::map<std::int32_t, int> micro_count;
  for (const Grid& m : result_.micro)
    for (std::int32_t b : m.buildings)
      if (split_buildings_.count(local_of(b))) ++micro_count[local_of(b)];
  std::map<std::int32_t, std::set<std::int32_t>> large_of;
  for (const Slice& slice : slices_)
    if (split_buildings_.count(slice.local)) large_of[slice.local].insert(slice.large);
  for (std::int32_t i : split_buildings_) {
    const int micro = micro_count[i];
    const auto large = static_cast<int>(large_of[i].size());
    if (micro <= 1) continue;
    const Building& b = building(i);
    const bool above_large = b.households > params_.large.max;
    UnitHouseholds units = unit_households(b);
    std::ostringstream message;
    message << building_label(dataset_, in_.buildings[at(i)]) << " holds " << b.households
            << " households, above the " << (above_large ? "large" : "micro") << "-grid maximum of "
            << (above_large ? params_.large.max : params_.micro.max)
            << "; split at unit (entrance) boundaries into " << large << " large and " << micro
            << " micro grids; " << units.households.size()
            << (units.estimated ? " units estimated as ⌈households / (2 × " +
                                      std::to_string(b.floors > 0 ? b.floors : 6) + " floors)⌉"
                                : " units");
    ++result_.buildings_split;
    result_.problems.report(Severity::info, "building-split-by-units", b.source, message.str());
  }
}

void CommunityPlanner::grid_connectivity() {
  // Contiguity over the planning graph (allowed links), and barrier crossings: pieces with
  // households that only hard barriers would connect.
  auto evaluate = [&](const std::vector<std::int32_t>& grid_of, std::vector<Grid>& grids,
                      bool compounds_are_units) {
    UnionFind allowed(at(n_)), soft(at(n_));
    for (std::size_t k : in_.adjacency) {
      const geo::CellAdjacency& adj = tess_.adjacency[k];
      const std::int32_t la = local_of(adj.a), lb = local_of(adj.b);
      if (grid_of[at(la)] != grid_of[at(lb)] || grid_of[at(la)] == kNone) continue;
      const bool hard = adj.crossing == geo::Crossing::hard;
      if (!hard || same_compound(la, lb)) {
        allowed.unite(la, lb);
        soft.unite(la, lb);
      } else if (extra_links_.count({std::min(la, lb), std::max(la, lb)})) {
        allowed.unite(la, lb);
      }
    }
    for (const auto& [la, lb] : extra_links_)
      if (grid_of[at(la)] == grid_of[at(lb)]) allowed.unite(la, lb);
    // A building without a cell joined its nearest neighbour across no barrier at all: not a
    // crossing (it is reported as building-without-cell).
    for (const auto& [la, lb] : cellless_links_)
      if (grid_of[at(la)] == grid_of[at(lb)]) soft.unite(la, lb);
    if (compounds_are_units)
      for (const auto& members : atom_members_)  // a contracted compound is one large-grid unit
        for (std::int32_t i : members)
          if (grid_of[at(i)] == grid_of[at(members.front())]) {
            allowed.unite(i, members.front());
            soft.unite(i, members.front());
          }
    // Distinct (grid, root) pairs, sorted, instead of a std::set per grid (issue 14 item 2: a
    // node per building at 1M, between the micro grids' last report and the next stage's).
    std::vector<std::pair<std::int32_t, std::int32_t>> roots, household_roots;
    roots.reserve(at(n_));
    for (std::int32_t i = 0; i < n_; ++i) {
      if (grid_of[at(i)] == kNone) continue;
      roots.emplace_back(grid_of[at(i)], allowed.find(i));
      if (building(i).households > 0) household_roots.emplace_back(grid_of[at(i)], soft.find(i));
    }
    // Per grid, the number of distinct roots.
    auto each_grid = [](std::vector<std::pair<std::int32_t, std::int32_t>>& pairs, auto&& take) {
      std::sort(pairs.begin(), pairs.end());
      pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
      for (std::size_t a = 0, b = 0; a < pairs.size(); a = b) {
        while (b < pairs.size() && pairs[b].first == pairs[a].first) ++b;
        take(pairs[a].first, b - a);
      }
    };
    each_grid(roots, [&](std::int32_t g, std::size_t count) {
      grids[at(g)].metrics.contiguous = count <= 1;
    });
    each_grid(household_roots, [&](std::int32_t g, std::size_t count) {
      grids[at(g)].metrics.barrier_crossings = static_cast<int>(count) - 1;
    });
  };
  evaluate(building_large_, result_.large, true);
  evaluate(micro_of_, result_.micro, false);
}

void CommunityPlanner::compound_splits() {
  std::map<std::int32_t, std::set<std::int32_t>> grids_of;
  for (std::int32_t i = 0; i < n_; ++i)
    if (building(i).compound != kNone)
      grids_of[building(i).compound].insert(building_large_[at(i)]);
  for (const auto& [c, grids] : grids_of) {
    if (grids.size() <= 1) continue;
    ++result_.compound_splits;
    for (std::int32_t g : grids) ++result_.large[at(g)].metrics.compound_splits;
    const Compound& compound = dataset_.compounds[at(c)];
    auto it = oversized_compounds_.find(c);
    const auto cut = cut_compounds_.find(c);
    std::string why =
        it != oversized_compounds_.end() ? "it holds " + std::to_string(it->second) +
                                               " households, above the large-grid maximum of " +
                                               std::to_string(params_.large.max)
        : cut != cut_compounds_.end()
            ? "the community boundary cuts it into " + std::to_string(cut->second) +
                  " parts that do not touch inside " + community_label(dataset_, in_.community)
            : "part of it is in a locked grid";
    result_.problems.report(Severity::info, "compound-split", compound.source,
                            "compound '" + compound.name + "' (" + compound.ref +
                                ") is split along buildings into " + std::to_string(grids.size()) +
                                " large grids: " + why);
  }
}

}  // namespace gp::partition::detail
