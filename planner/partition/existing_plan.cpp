// existing_plan_from_grids: a plan from drawn grids (Dataset::existing_grids), buildings assigned
// by geometry or by the plan file's own building → grid rows.

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "planner/core/parallel.hpp"
#include "planner/geo/cell_split.hpp"
#include "planner/geo/geos.hpp"
#include "planner/partition/partition_internal.hpp"
#include "planner/partition/partitioner.hpp"

namespace gp {

using partition::detail::at;
using partition::detail::box_contains;

namespace {

/// How near (m) a building's point may lie to the edge of the grid holding it for the point
/// alone to decide its grid: the audit's building_tolerance_m (a building lies in its micro grid
/// when its point is within 0.5 m of it, check_plan.py's rule too), so a point closer to the
/// edge than this is as much in the grid across it.
constexpr double kNearEdgeM = 0.5;

/// The grid of `grids` (boxes `box`) holding most of `footprint`, or `current` when none holds
/// more of it than `current` does (GEOS overlays; called for the few buildings whose point lies
/// near a grid's edge). Only grids `allowed` says yes to are candidates (all when it is empty);
/// `current` must be one of them or kNone.
std::int32_t grid_holding_most(geo::GeosContext& ctx, const std::vector<Grid>& grids,
                               const std::vector<Box>& box, const MultiPolygon& footprint,
                               std::int32_t current,
                               const std::function<bool(std::size_t)>& allowed = {}) {
  const Box fb = bounds(footprint);
  const geo::GeomPtr f = geo::to_geos(ctx, footprint);
  auto shared_area = [&](std::size_t g) {
    const geo::GeomPtr grid = geo::to_geos(ctx, grids[g].polygon);
    const geo::GeomPtr shared =
        geo::own(ctx, GEOSIntersection_r(ctx.handle(), grid.get(), f.get()), "intersection");
    double a = 0.0;
    GEOSArea_r(ctx.handle(), shared.get(), &a);
    return a;
  };
  double most = current == kNone ? 0.0 : shared_area(at(current));
  std::int32_t best = current;
  for (std::size_t g = 0; g < grids.size(); ++g) {
    if (static_cast<std::int32_t>(g) == current || grids[g].polygon.empty()) continue;
    if (allowed && !allowed(g)) continue;
    if (box[g].min_x > fb.max_x || fb.min_x > box[g].max_x || box[g].min_y > fb.max_y ||
        fb.min_y > box[g].max_y)
      continue;
    if (const double a = shared_area(g); a > most) {
      most = a;
      best = static_cast<std::int32_t>(g);
    }
  }
  return best;
}

/// existing_plan_from_grids, `listed` given: each building listed under grids of this plan takes
/// them when the listed grid still touches it (holds its representative point or a vertex, else
/// covers more than 1 % of its footprint: a Nanjing building of 4,688 m² listed in a grid holding
/// 12 % of it, neither point nor vertex inside).
void take_listed_grids(const Dataset& dataset, const std::vector<ListedBuildingGrids>& listed,
                       Plan& plan) {
  std::map<std::string, std::int32_t> large_of, micro_of;
  for (std::size_t g = 0; g < plan.large_grids.size(); ++g)
    large_of.emplace(plan.large_grids[g].code, static_cast<std::int32_t>(g));
  for (std::size_t m = 0; m < plan.micro_grids.size(); ++m)
    micro_of.emplace(plan.micro_grids[m].code, static_cast<std::int32_t>(m));
  // Building ids → index; an id held by several buildings matches none of them.
  std::map<std::int64_t, std::int32_t> building_of;
  for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
    auto [it, fresh] = building_of.emplace(dataset.buildings[b].id, static_cast<std::int32_t>(b));
    if (!fresh) it->second = kNone;
  }
  std::vector<const ListedBuildingGrids*> row_of(dataset.buildings.size(), nullptr);
  for (const ListedBuildingGrids& row : listed) {
    auto it = building_of.find(row.bid);
    if (it != building_of.end() && it->second != kNone) row_of[at(it->second)] = &row;
  }
  // A building split by units is listed once per run: its runs are taken as they are (grids by
  // code), and it is listed under its largest run.
  for (const ListedBuildingGrids& row : listed) {
    if (row.first_unit < 0) continue;
    auto it = building_of.find(row.bid);
    if (it == building_of.end() || it->second == kNone) continue;
    const auto large = large_of.find(row.large_code);
    const auto micro = row.micro_code.empty() ? micro_of.end() : micro_of.find(row.micro_code);
    BuildingRun run;
    run.building = it->second;
    run.large = large == large_of.end() ? kNone : large->second;
    run.micro = micro == micro_of.end() ? kNone : micro->second;
    run.first_unit = row.first_unit;
    run.units = row.units;
    run.households = row.households;
    plan.building_runs.push_back(std::move(run));
    const ListedBuildingGrids*& kept = row_of[at(it->second)];
    if (kept && kept->first_unit >= 0 && kept->households >= row.households) continue;
    kept = &row;
  }
  std::sort(plan.building_runs.begin(), plan.building_runs.end(),
            [](const BuildingRun& l, const BuildingRun& r) {
              return std::tie(l.building, l.first_unit) < std::tie(r.building, r.first_unit);
            });
  std::vector<std::pair<std::int32_t, std::int32_t>> take(dataset.buildings.size(), {kNone, kNone});
  std::vector<char> unsure(dataset.buildings.size(), 0);
  parallel_for(std::size_t{0}, dataset.buildings.size(), [&](std::size_t b) {
    const ListedBuildingGrids* row = row_of[b];
    if (!row) return;
    const auto large = large_of.find(row->large_code);
    if (large == large_of.end()) return;
    const auto micro = row->micro_code.empty() ? micro_of.end() : micro_of.find(row->micro_code);
    const std::int32_t g = large->second;
    const std::int32_t m = micro == micro_of.end() ? kNone : micro->second;
    if (g == plan.building_large[b] && (m == kNone || m == plan.building_micro[b])) return;
    const MultiPolygon& grid =
        m != kNone ? plan.micro_grids[at(m)].polygon : plan.large_grids[at(g)].polygon;
    const MultiPolygon& footprint = dataset.buildings[b].footprint;
    bool touches = point_in_polygon(grid, geo::point_on_surface(footprint));
    for (const Polygon& p : footprint)
      for (std::size_t i = 0; i < p.outer.size() && !touches; ++i)
        touches = point_in_polygon(grid, p.outer[i]);
    take[b] = {g, m};
    unsure[b] = touches ? 0 : 1;
  });
  geo::GeosContext ctx;
  for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
    const auto [g, m] = take[b];
    if (g == kNone) continue;
    if (unsure[b]) {
      const MultiPolygon& footprint = dataset.buildings[b].footprint;
      const MultiPolygon& grid =
          m != kNone ? plan.micro_grids[at(m)].polygon : plan.large_grids[at(g)].polygon;
      if (grid.empty() || footprint.empty()) continue;
      const geo::GeomPtr a = geo::to_geos(ctx, grid);
      const geo::GeomPtr f = geo::to_geos(ctx, footprint);
      const geo::GeomPtr shared =
          geo::own(ctx, GEOSIntersection_r(ctx.handle(), a.get(), f.get()), "intersection");
      double shared_area = 0.0, footprint_area = 0.0;
      GEOSArea_r(ctx.handle(), shared.get(), &shared_area);
      GEOSArea_r(ctx.handle(), f.get(), &footprint_area);
      if (shared_area <= 0.01 * footprint_area) continue;
    }
    plan.building_large[b] = g;
    if (m != kNone) plan.building_micro[b] = m;
  }
}

}  // namespace

Plan existing_plan_from_grids(const Dataset& dataset,
                              const std::vector<ListedBuildingGrids>& listed) {
  Plan plan;
  const auto building_count = dataset.buildings.size();
  plan.building_large.assign(building_count, kNone);
  plan.building_micro.assign(building_count, kNone);
  std::vector<std::size_t> large_source, micro_source;
  for (std::size_t i = 0; i < dataset.existing_grids.size(); ++i) {
    const ExistingGrid& e = dataset.existing_grids[i];
    Grid grid;
    grid.level = e.level;
    grid.code = e.code;
    grid.name = e.name;
    grid.locked = e.locked;
    grid.bounds_reason = e.bounds_reason;
    grid.polygon = e.footprint;
    if (e.level == GridLevel::large) {
      plan.large_grids.push_back(std::move(grid));
      large_source.push_back(i);
    } else {
      plan.micro_grids.push_back(std::move(grid));
      micro_source.push_back(i);
    }
  }
  std::vector<Box> large_box, micro_box;
  for (const Grid& g : plan.large_grids) large_box.push_back(bounds(g.polygon));
  for (const Grid& g : plan.micro_grids) micro_box.push_back(bounds(g.polygon));
  // A building belongs to the grid holding its representative point (a point inside the
  // footprint, as the export lists it): the vertex centroid of an L-shaped or courtyard building
  // can lie in the neighbouring grid, and re-planning an unchanged plan then moved its
  // households (issue 12: 1,119 on Helsinki, 2,690 on Monaco).
  // A point within kNearEdgeM of its grid's edge does not decide: the building is in the grid
  // holding most of its footprint (Monaco way 143683159, its point 9 cm inside micro grid
  // …0701 and 61 % of it in …0702, where the plan had it: re-planned from the grids alone it
  // moved 7 households).
  // A building under smaller footprints (a podium under its tower) by its own part, as the plan
  // places it and the audit reads it (geo/own_footprint.hpp): by its whole footprint's point,
  // Nanjing podium 318198212 was read in the grid of the tower on it, and the re-plan from the
  // grids alone counted its 200 households as moved (households_moved 200, none moved).
  const FootprintSettling* settled = dataset.settled_footprints();
  auto placed = [&](std::size_t b) -> const MultiPolygon& {
    if (settled && !(*settled->own_parts)[b].empty()) return (*settled->own_parts)[b];
    return dataset.buildings[b].footprint;
  };
  std::vector<char> near(building_count, 0);
  parallel_for(std::size_t{0}, building_count, [&](std::size_t b) {
    const Point p = geo::point_on_surface(placed(b));
    for (std::size_t g = 0; g < plan.large_grids.size(); ++g)
      if (box_contains(large_box[g], p) && point_in_polygon(plan.large_grids[g].polygon, p)) {
        plan.building_large[b] = static_cast<std::int32_t>(g);
        if (near_outline(plan.large_grids[g].polygon, p, kNearEdgeM)) near[b] = 1;
        break;
      }
    for (std::size_t m = 0; m < plan.micro_grids.size(); ++m)
      if (box_contains(micro_box[m], p) && point_in_polygon(plan.micro_grids[m].polygon, p)) {
        plan.building_micro[b] = static_cast<std::int32_t>(m);
        if (near_outline(plan.micro_grids[m].polygon, p, kNearEdgeM)) near[b] = 1;
        break;
      }
  });
  // The micro grid is chosen among the chosen large grid's micro grids: chosen apart, a building
  // split three ways (most of it in one large grid, but its largest piece in a micro grid of
  // another) got a micro grid outside its large grid. A micro grid's large grid here: its
  // parent_code's, else the large grid holding its representative point (the parent by the
  // buildings' votes, below, needs the buildings placed first); found for the near buildings'
  // candidates only.
  {
    std::map<std::string, std::int32_t> large_of_code;
    for (std::size_t g = 0; g < plan.large_grids.size(); ++g)
      large_of_code.emplace(plan.large_grids[g].code, static_cast<std::int32_t>(g));
    constexpr std::int32_t kUnknown = -2;
    std::vector<std::int32_t> micro_parent(plan.micro_grids.size(), kUnknown);
    auto parent_of = [&](std::size_t m) {
      if (micro_parent[m] != kUnknown) return micro_parent[m];
      std::int32_t parent = kNone;
      const std::string& code = dataset.existing_grids[micro_source[m]].parent_code;
      if (const auto it = large_of_code.find(code); !code.empty() && it != large_of_code.end()) {
        parent = it->second;
      } else if (!plan.micro_grids[m].polygon.empty()) {
        const Point p = geo::point_on_surface(plan.micro_grids[m].polygon);
        for (std::size_t g = 0; g < plan.large_grids.size(); ++g)
          if (box_contains(large_box[g], p) && point_in_polygon(plan.large_grids[g].polygon, p)) {
            parent = static_cast<std::int32_t>(g);
            break;
          }
      }
      micro_parent[m] = parent;
      return parent;
    };
    geo::GeosContext ctx;
    for (std::size_t b = 0; b < building_count; ++b) {
      if (!near[b] || placed(b).empty()) continue;
      const MultiPolygon& footprint = placed(b);
      const std::int32_t large =
          grid_holding_most(ctx, plan.large_grids, large_box, footprint, plan.building_large[b]);
      plan.building_large[b] = large;
      if (large == kNone) {
        plan.building_micro[b] =
            grid_holding_most(ctx, plan.micro_grids, micro_box, footprint, plan.building_micro[b]);
        continue;
      }
      auto in_large = [&](std::size_t m) { return parent_of(m) == large; };
      const std::int32_t point_micro = plan.building_micro[b];
      const std::int32_t micro = grid_holding_most(
          ctx, plan.micro_grids, micro_box, footprint,
          point_micro != kNone && in_large(at(point_micro)) ? point_micro : kNone, in_large);
      // No micro grid of the large grid holds any of it (drawn grids that do not nest): the
      // micro grid holding its point stays, as before.
      plan.building_micro[b] = micro != kNone ? micro : point_micro;
    }
  }
  if (!listed.empty()) take_listed_grids(dataset, listed, plan);
  for (std::size_t b = 0; b < building_count; ++b) {
    if (plan.building_large[b] != kNone)
      plan.large_grids[at(plan.building_large[b])].buildings.push_back(
          static_cast<std::int32_t>(b));
    if (plan.building_micro[b] != kNone)
      plan.micro_grids[at(plan.building_micro[b])].buildings.push_back(
          static_cast<std::int32_t>(b));
  }
  // A building split by units is in the grids of each of its runs too.
  for (const BuildingRun& run : plan.building_runs)
    for (auto [grids, g] :
         {std::pair{&plan.large_grids, run.large}, std::pair{&plan.micro_grids, run.micro}}) {
      if (g == kNone) continue;
      std::vector<std::int32_t>& list = (*grids)[at(g)].buildings;
      if (std::find(list.begin(), list.end(), run.building) == list.end())
        list.insert(std::lower_bound(list.begin(), list.end(), run.building), run.building);
    }
  // Community of a large grid: the community of most of its buildings.
  for (Grid& g : plan.large_grids) {
    std::map<std::int32_t, int> votes;
    for (std::int32_t b : g.buildings) ++votes[dataset.buildings[at(b)].community];
    int most = 0;
    for (auto [c, v] : votes)
      if (v > most && c != kNone) {
        most = v;
        g.community = c;
      }
  }
  // Parent of a micro grid: by parent_code, else the large grid holding most of its buildings.
  for (std::size_t m = 0; m < plan.micro_grids.size(); ++m) {
    Grid& grid = plan.micro_grids[m];
    const std::string& parent_code = dataset.existing_grids[micro_source[m]].parent_code;
    for (std::size_t g = 0; g < plan.large_grids.size() && !parent_code.empty(); ++g)
      if (plan.large_grids[g].code == parent_code) grid.parent = static_cast<std::int32_t>(g);
    if (grid.parent == kNone) {
      std::map<std::int32_t, int> votes;
      for (std::int32_t b : grid.buildings) ++votes[plan.building_large[at(b)]];
      int most = 0;
      for (auto [g, v] : votes)
        if (v > most && g != kNone) {
          most = v;
          grid.parent = g;
        }
    }
    if (grid.parent != kNone) grid.community = plan.large_grids[at(grid.parent)].community;
  }
  return plan;
}

}  // namespace gp
