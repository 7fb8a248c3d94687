// Assembly: the communities' results → one plan. Grids in community order, building → grid
// tables, grid polygons by coverage union (cells of towers split by units cut between the runs),
// coverage against the community polygons, and the plan's metrics.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <numeric>
#include <vector>

#include "planner/core/parallel.hpp"
#include "planner/geo/cell_split.hpp"
#include "planner/geo/coverage_check.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/strip_clip.hpp"
#include "planner/geo/union_cells.hpp"
#include "planner/partition/partition_internal.hpp"

namespace gp::partition::detail {

void fill_polygon_metrics(Grid& grid) {
  grid.metrics.area_m2 = area(grid.polygon);
  grid.metrics.perimeter_m = perimeter(grid.polygon);
  grid.metrics.compactness = polsby_popper(grid.metrics.area_m2, grid.metrics.perimeter_m);
}

std::vector<std::vector<std::int32_t>> merge_communities(
    const Dataset& dataset, std::vector<CommunityResult>& results,
    const std::vector<CommunityInput>& inputs, std::vector<LargeGridPartition>* large_partitions,
    Plan& plan, UnitRuns& unit_runs, MovedFlow& moved_flow) {
  const auto building_count = dataset.buildings.size();
  const auto communities = dataset.communities.size();
  plan.building_large.assign(building_count, kNone);
  plan.building_micro.assign(building_count, kNone);
  std::vector<std::vector<std::int32_t>> cell_buildings;
  for (std::size_t c = 0; c < communities; ++c) {
    CommunityResult& r = results[c];
    const auto large_offset = static_cast<std::int32_t>(plan.large_grids.size());
    const auto micro_offset = static_cast<std::int32_t>(plan.micro_grids.size());
    for (auto& [b, runs] : r.unit_runs) {
      for (auto& run : runs) run.first += micro_offset;
      unit_runs.emplace_back(b, std::move(runs));
    }
    for (Grid& g : r.large) plan.large_grids.push_back(std::move(g));
    for (std::size_t m = 0; m < r.micro.size(); ++m) {
      r.micro[m].parent += large_offset;
      plan.micro_grids.push_back(std::move(r.micro[m]));
      cell_buildings.push_back(std::move(r.cell_buildings[m]));
    }
    plan.problems.merge(r.problems);
    if (large_partitions && r.large_partition)
      large_partitions->push_back(std::move(*r.large_partition));
    for (const auto& [key, households] : r.moved_flow)
      moved_flow[{key.first, key.second + large_offset}] += households;
    plan.metrics.buildings_split += r.buildings_split;
    plan.metrics.compound_splits += r.compound_splits;
    if (inputs[c].buildings.empty() && inputs[c].locked_large.empty())
      plan.problems.report(Severity::info, "community-without-buildings",
                           dataset.communities[c].source,
                           community_label(dataset, static_cast<std::int32_t>(c)) +
                               " holds no building; it gets no grid");
  }
  for (std::size_t g = 0; g < plan.large_grids.size(); ++g)
    for (std::int32_t b : plan.large_grids[g].buildings)
      plan.building_large[at(b)] = static_cast<std::int32_t>(g);
  for (std::size_t m = 0; m < plan.micro_grids.size(); ++m) {
    const Grid& grid = plan.micro_grids[m];
    // Unit pieces without the cell do not claim the building; the piece holding the cell does.
    for (std::int32_t b : grid.locked ? grid.buildings : cell_buildings[m])
      plan.building_micro[at(b)] = static_cast<std::int32_t>(m);
    for (std::int32_t b : grid.buildings)
      if (plan.building_micro[at(b)] == kNone)
        plan.building_micro[at(b)] = static_cast<std::int32_t>(m);
  }
  // A building split by units across large grids belongs to the one holding its cell.
  for (std::size_t b = 0; b < building_count; ++b)
    if (plan.building_micro[b] != kNone)
      plan.building_large[b] = plan.micro_grids[at(plan.building_micro[b])].parent;
  return cell_buildings;
}

namespace {

/// Counts of the unions of one run, printed to stderr when GRIDPLAN_UNION_STATS is set (the
/// benchmark's check that planned grids take the own coverage union: docs/benchmarks.md
/// "Unions, round 3").
struct UnionStats {
  std::size_t micro_rounded = 0, micro_left = 0;  // rounded micro grids; left rounded
  std::size_t large_rounded = 0, large_left = 0;
  std::size_t communities = 0, communities_noded = 0;  // coverage check: on the noding union
};

UnionStats& union_stats() {
  static UnionStats stats;
  return stats;
}

/// geo::conform_edges over each community's grids (`community[i]` of grids[i]) holding a
/// rounded one (`rounded`), communities spread over the cores; locked grids are kept as they
/// are. Returns per grid whether its community's grids were made edge-matched; changed
/// polygons get their metrics again. Progress "grid polygons" from `begin` to `end`.
std::vector<char> conform_by_community(const Dataset& dataset, std::vector<Grid>& grids,
                                       const std::vector<std::int32_t>& community,
                                       const std::vector<char>& rounded, Progress& progress,
                                       double begin, double end) {
  std::vector<std::vector<std::size_t>> members(dataset.communities.size());
  std::vector<char> any(dataset.communities.size(), 0);
  for (std::size_t i = 0; i < grids.size(); ++i) {
    if (community[i] == kNone || at(community[i]) >= members.size()) continue;
    members[at(community[i])].push_back(i);
    if (rounded[i] && !grids[i].locked) any[at(community[i])] = 1;
  }
  double total = 0.0;
  for (std::size_t c = 0; c < members.size(); ++c)
    if (any[c]) total += static_cast<double>(members[c].size());
  WorkCounter work(&progress, "grid polygons", std::max(total, 1.0), begin, end);
  std::vector<char> done(grids.size(), 0);
  parallel_for(std::size_t{0}, members.size(), [&](std::size_t c) {
    if (!any[c]) return;
    // Work units: grids conformed (one community holding a town conforms thousands of grids in
    // one call: issue 14, 2.1 s without an update on the real 100k town).
    double reported = 0.0;
    const auto size = static_cast<double>(members[c].size());
    auto report = [&](double fraction) {
      work.add((fraction - reported) * size);
      reported = fraction;
    };
    std::vector<MultiPolygon*> polygons;
    std::vector<char> moved, fixed;
    for (std::size_t i : members[c]) {
      polygons.push_back(&grids[i].polygon);
      moved.push_back(rounded[i]);
      fixed.push_back(grids[i].locked ? 1 : 0);
    }
    std::vector<char> changed;
    if (!geo::conform_edges(polygons, moved, fixed, geo::kConformToleranceM, &changed, report))
      return;
    for (std::size_t k = 0; k < members[c].size(); ++k) {
      done[members[c][k]] = 1;
      if (changed[k]) fill_polygon_metrics(grids[members[c][k]]);
    }
  });
  return done;
}

}  // namespace

std::vector<char> grid_polygons(const Dataset& dataset, const geo::Tessellation& tess,
                                const std::vector<std::vector<std::int32_t>>& cell_buildings,
                                const UnitRuns& unit_runs, Plan& plan, Progress& progress) {
  // Progress "grid polygons" in blocks of grids (a 100k-building town unions ~10k micro and
  // ~3k large grids: seconds).
  // Ranges of the stage: cutting split towers' cells 0–0.1, micro grids' unions 0.1–0.55,
  // their conforming 0.55–0.7, large grids' unions 0.7–0.9, their conforming 0.9–1.
  const std::size_t grids = plan.micro_grids.size() + plan.large_grids.size();
  auto in_blocks = [&](std::size_t count, double begin, double end, const auto& body) {
    const std::size_t block = std::max<std::size_t>(64, grids / 100);
    for (std::size_t first = 0; first < count; first += block) {
      const std::size_t last = std::min(count, first + block);
      parallel_for(first, last, body);
      progress.update("grid polygons",
                      begin + (end - begin) * static_cast<double>(last) /
                                  static_cast<double>(std::max<std::size_t>(count, 1)));
    }
  };
  // The cell of a building split by units is cut across the building, one piece per run of
  // units, so that every grid holding a run has a polygon and the grids still tile the
  // community. Grids holding such pieces are not exact coverages any more (a cut ends on a
  // neighbouring cell's edge without a vertex there): they use the noding union.
  // Each run is told which cells beside the tower's its micro grid holds, so that the cut puts
  // each run's strip toward them and a run that is not the first reaches them through the
  // cell (issue 12, Nanjing micro grid …12002).
  std::vector<std::vector<std::vector<const MultiPolygon*>>> beside(unit_runs.size());
  {
    // Per building, not maps (issue 14 item 2: a map of every whole cell, looked up twice per
    // adjacency, was a thirtieth of the stage at real-100000).
    constexpr std::size_t kNoRun = static_cast<std::size_t>(-1);
    std::vector<std::size_t> split_of(tess.cells.size(), kNoRun);  // building → in unit_runs
    for (std::size_t k = 0; k < unit_runs.size(); ++k) split_of[at(unit_runs[k].first)] = k;
    std::vector<std::int32_t> micro_of_cell(tess.cells.size(), kNone);  // whole cells only
    for (std::size_t m = 0; m < cell_buildings.size(); ++m)
      for (std::int32_t b : cell_buildings[m])
        if (split_of[at(b)] == kNoRun) micro_of_cell[at(b)] = static_cast<std::int32_t>(m);
    auto add = [&](std::int32_t tower, std::int32_t other) {
      const std::size_t k = split_of[at(tower)];
      const std::int32_t m = micro_of_cell[at(other)];
      if (k == kNoRun || m == kNone || tess.cells[at(other)].empty()) return;
      const auto& runs = unit_runs[k].second;
      auto& lists = beside[k];
      lists.resize(runs.size());
      for (std::size_t j = 0; j < runs.size(); ++j)
        if (runs[j].first == m) lists[j].push_back(&tess.cells[at(other)]);
    };
    for (const geo::CellAdjacency& adj : tess.adjacency) {
      add(adj.a, adj.b);
      add(adj.b, adj.a);
    }
  }
  // Progress: cutting these cells and their footprints is the first tenth of the stage (one
  // unit per split building and step; 3.5 s without an update on the real 30k town, loaded).
  WorkCounter split(&progress, "grid polygons", 2.0 * static_cast<double>(unit_runs.size()), 0.0,
                    0.1);
  std::vector<std::vector<MultiPolygon>> unit_pieces(unit_runs.size());
  parallel_for(std::size_t{0}, unit_runs.size(), [&](std::size_t k) {
    split.add(1.0);
    const auto& [b, runs] = unit_runs[k];
    std::vector<double> weights;
    int units = 0;
    for (const auto& run : runs) {
      weights.push_back(run.second);
      units += run.second;
    }
    // Cut on the axis of the cut one weight per unit, which the partition linked the tower's
    // neighbours by (atoms.cpp, find_contact_units).
    unit_pieces[k] =
        geo::split_cell_along_building(tess.cells[at(b)], dataset.buildings[at(b)].footprint,
                                       weights, beside[k], units, geo::cell_sides_of(tess, b));
  });
  // The partition's cuts of the towers, kept for the cuts above, are not needed any more.
  geo::forget_unit_cuts();
  // A split building is listed under the grid whose piece holds its representative point (what
  // a GIS user clicks), so the building layer's micro and large codes name a grid the building
  // lies in (issue 12); the other runs list it in Grid::buildings.
  for (std::size_t k = 0; k < unit_runs.size(); ++k) {
    const auto& [b, runs] = unit_runs[k];
    if (tess.cells[at(b)].empty() || unit_pieces[k].size() != runs.size()) continue;
    const std::size_t j =
        geo::piece_holding_point_on_surface(unit_pieces[k], dataset.buildings[at(b)].footprint);
    if (plan.micro_grids[at(runs[j].first)].locked) continue;
    plan.building_micro[at(b)] = runs[j].first;
    plan.building_large[at(b)] = plan.micro_grids[at(runs[j].first)].parent;
  }
  // Every run of a split building, for the buildings layer (one row per run: its units,
  // households, grids and strip of the footprint), the audit (each run inside its own micro
  // grid) and a later re-plan (issue 12).
  {
    std::vector<std::vector<MultiPolygon>> strips(unit_runs.size());
    parallel_for(std::size_t{0}, unit_runs.size(), [&](std::size_t k) {
      split.add(1.0);
      strips[k] = geo::footprint_in_pieces(unit_pieces[k],
                                           dataset.buildings[at(unit_runs[k].first)].footprint);
    });
    std::vector<std::size_t> order(unit_runs.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t l, std::size_t r) {
      return unit_runs[l].first < unit_runs[r].first;
    });
    for (std::size_t k : order) {
      const auto& [b, runs] = unit_runs[k];
      // The units as the community planner made them (unit_households: the same split).
      const std::vector<int> households = unit_households(dataset.buildings[at(b)]).households;
      int first = 0;
      for (std::size_t j = 0; j < runs.size(); ++j) {
        BuildingRun run;
        run.building = b;
        run.micro = runs[j].first;
        run.large = plan.micro_grids[at(run.micro)].parent;
        run.first_unit = first;
        run.units = runs[j].second;
        for (int u = first; u < first + run.units && u < static_cast<int>(households.size()); ++u)
          run.households += households[static_cast<std::size_t>(u)];
        if (j < strips[k].size()) run.footprint = std::move(strips[k][j]);
        first += run.units;
        plan.building_runs.push_back(std::move(run));
      }
    }
  }
  std::vector<std::vector<const MultiPolygon*>> extra_pieces(plan.micro_grids.size());
  std::vector<char> micro_noded(plan.micro_grids.size(), 0);
  std::vector<char> cut_cells(tess.cells.size(), 0);  // per building
  for (std::size_t k = 0; k < unit_runs.size(); ++k) {
    if (tess.cells[at(unit_runs[k].first)].empty()) continue;
    cut_cells[at(unit_runs[k].first)] = 1;
    for (std::size_t j = 0; j < unit_runs[k].second.size(); ++j) {
      const auto m = at(unit_runs[k].second[j].first);
      if (!unit_pieces[k][j].empty()) extra_pieces[m].push_back(&unit_pieces[k][j]);
      micro_noded[m] = 1;
    }
  }
  in_blocks(plan.micro_grids.size(), 0.1, 0.55, [&](std::size_t m) {
    Grid& grid = plan.micro_grids[m];
    if (!grid.locked) {
      std::vector<const MultiPolygon*> cells = extra_pieces[m];
      for (std::int32_t b : cell_buildings[m])
        if (!tess.cells[at(b)].empty() && !cut_cells[at(b)]) cells.push_back(&tess.cells[at(b)]);
      bool changed = false;
      grid.polygon = geo::valid_grid_polygon(cells.empty()    ? MultiPolygon{}
                                             : micro_noded[m] ? geo::union_polygons(cells)
                                                              : geo::union_cells(cells),
                                             &changed);
      // Its edges are no longer exactly its neighbours': its large grid needs the noding union.
      if (changed) micro_noded[m] = 1;
    }
    fill_polygon_metrics(grid);
  });
  // The runs' pieces are in their micro grids' polygons now (issue 14: held to the end of the
  // stage, they were a copy of every split tower's cell on the 1M town).
  std::vector<std::vector<const MultiPolygon*>>().swap(extra_pieces);
  std::vector<std::vector<MultiPolygon>>().swap(unit_pieces);
  // Rounded micro grids made edge-matched with their neighbours, community by community
  // (geo::conform_edges): their large grids and the coverage check then take the own coverage
  // union instead of the noding union (docs/benchmarks.md "Unions, round 3").
  UnionStats& stats = union_stats();
  stats = UnionStats{};
  {
    std::vector<std::int32_t> micro_community(plan.micro_grids.size(), kNone);
    for (std::size_t m = 0; m < plan.micro_grids.size(); ++m)
      micro_community[m] = plan.large_grids[at(plan.micro_grids[m].parent)].community;
    const std::vector<char> conformed = conform_by_community(
        dataset, plan.micro_grids, micro_community, micro_noded, progress, 0.55, 0.7);
    for (std::size_t m = 0; m < plan.micro_grids.size(); ++m) {
      stats.micro_rounded += micro_noded[m] != 0;
      if (micro_noded[m] && conformed[m]) micro_noded[m] = 0;
      stats.micro_left += micro_noded[m] != 0;
    }
  }
  std::vector<std::vector<const MultiPolygon*>> micro_polygons(plan.large_grids.size());
  std::vector<char> large_noded(plan.large_grids.size(), 0);
  for (std::size_t m = 0; m < plan.micro_grids.size(); ++m) {
    const Grid& micro = plan.micro_grids[m];
    if (!micro.polygon.empty()) micro_polygons[at(micro.parent)].push_back(&micro.polygon);
    if (micro_noded[m]) large_noded[at(micro.parent)] = 1;
  }
  in_blocks(plan.large_grids.size(), 0.7, 0.9, [&](std::size_t g) {
    Grid& grid = plan.large_grids[g];
    if (!grid.locked) {
      const std::vector<const MultiPolygon*>& parts = micro_polygons[g];
      bool changed = false;
      grid.polygon = geo::valid_grid_polygon(parts.empty()    ? MultiPolygon{}
                                             : large_noded[g] ? geo::union_polygons(parts)
                                                              : geo::union_cells(parts),
                                             &changed);
      if (changed) large_noded[g] = 1;  // the community's union needs the noding union too
    }
    fill_polygon_metrics(grid);
  });
  {
    std::vector<std::int32_t> large_community(plan.large_grids.size(), kNone);
    for (std::size_t g = 0; g < plan.large_grids.size(); ++g)
      large_community[g] = plan.large_grids[g].community;
    const std::vector<char> conformed = conform_by_community(
        dataset, plan.large_grids, large_community, large_noded, progress, 0.9, 1.0);
    for (std::size_t g = 0; g < plan.large_grids.size(); ++g) {
      stats.large_rounded += large_noded[g] != 0;
      if (large_noded[g] && conformed[g]) large_noded[g] = 0;
      stats.large_left += large_noded[g] != 0;
    }
  }
  return large_noded;
}

void coverage(const Dataset& dataset, const std::vector<char>& large_noded, Plan& plan,
              Progress& progress) {
  const auto communities = dataset.communities.size();
  std::vector<std::vector<const MultiPolygon*>> by_community(communities);
  std::vector<char> community_noded(communities, 0);
  for (std::size_t g = 0; g < plan.large_grids.size(); ++g) {
    const Grid& grid = plan.large_grids[g];
    if (!grid.polygon.empty()) by_community[at(grid.community)].push_back(&grid.polygon);
    if (large_noded[g]) community_noded[at(grid.community)] = 1;
  }
  // Each community's large grids against its polygon by their edges (geo::check_coverage): grids
  // made of the tessellation's cells and conformed (above) share their vertices, so the edges
  // cancel and no geometry is overlaid; only where they do not (a gap, an overlap, grids left
  // rounded) are the grids overlaid, in tiles of a few dozen around those edges. It was a tree of
  // GEOS unions per community: with one community holding a town of 1M buildings its last
  // unions were a quarter of the town each and sat in GEOS's snap-rounding noder for 23 min
  // without an update (docs/benchmarks.md "Coverage check by edges, round 7").
  // Progress in grids checked, from the workers, at least every 0.1 s while there is work.
  const bool by_union = geo::coverage_by_union_requested();  // the test oracle
  WorkCounter checked(&progress, "coverage check",
                      std::max(1.0, static_cast<double>(plan.large_grids.size())));
  progress.update("coverage check", 0.0);
  std::vector<geo::CoverageCheck> checks(communities);
  std::vector<std::string> failures(communities);
  parallel_for_chunks(std::size_t{0}, communities, 1, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t c = lo; c < hi; ++c) {
      if (by_community[c].empty()) continue;
      try {
        checks[c] =
            by_union
                ? geo::check_coverage_by_union(dataset.communities[c].footprint, by_community[c])
                : geo::check_coverage(dataset.communities[c].footprint, by_community[c], {},
                                      [&](double units) { checked.add(units); });
      } catch (const geo::GeosError& e) {
        failures[c] = e.what();
      }
      if (by_union) checked.add(static_cast<double>(by_community[c].size()));
    }
  });
  if (std::getenv("GRIDPLAN_UNION_STATS") != nullptr) {
    UnionStats& stats = union_stats();
    std::size_t edges = 0, unmatched = 0, junctions = 0, left = 0, tiles = 0, overlaid = 0,
                conforming = 0;
    for (std::size_t c = 0; c < communities; ++c) {
      stats.communities += !by_community[c].empty();
      stats.communities_noded += !by_community[c].empty() && community_noded[c];
      conforming += !by_community[c].empty() && checks[c].conforming();
      edges += checks[c].edges;
      unmatched += checks[c].unmatched;
      junctions += checks[c].t_junctions;
      left += checks[c].unmatched_after_t_junctions;
      tiles += checks[c].tiles;
      overlaid += checks[c].overlaid_tiles;
    }
    std::fprintf(
        stderr,
        "union stats: micro grids rounded %zu, left rounded %zu; large grids rounded "
        "%zu, left rounded %zu; coverage check: %zu of %zu communities left rounded, "
        "%zu edge-matched; %zu edges, %zu unmatched, %zu T-junctions cut, %zu left, %zu of "
        "%zu tiles overlaid%s; own "
        "coverage union fell back %zu times; own strip clips %zu, left to GEOS %zu\n",
        stats.micro_rounded, stats.micro_left, stats.large_rounded, stats.large_left,
        stats.communities_noded, stats.communities, conforming, edges, unmatched, junctions, left,
        overlaid, tiles, by_union ? " (by union: GRIDPLAN_COVERAGE_BY_UNION)" : "",
        geo::union_cells_fallbacks(), geo::strip_clips_made(), geo::strip_clip_fallbacks());
  }
  // gap: |community − union of its grids| (a gap, or grids reaching out of it); overlap: Σ of
  // the grids' areas − their union.
  std::vector<double> gap(communities, 0.0), overlap(communities, 0.0);
  for (std::size_t c = 0; c < communities; ++c) {
    if (by_community[c].empty()) continue;
    gap[c] = std::abs(checks[c].gap_m2 - checks[c].outside_m2);
    overlap[c] = checks[c].overlap_m2;
    if (!failures[c].empty())
      plan.problems.report(Severity::warning, "coverage-gap", dataset.communities[c].source,
                           community_label(dataset, static_cast<std::int32_t>(c)) +
                               ": the coverage of its large grids could not be checked (" +
                               failures[c] + "); run `gridplan check` on the plan");
  }
  progress.update("coverage check", 1.0);
  for (std::size_t c = 0; c < communities; ++c) {
    plan.metrics.coverage_gap_m2 += gap[c];
    plan.metrics.coverage_overlap_m2 += overlap[c];
    const double community_area = area(dataset.communities[c].footprint);
    if (gap[c] > 1e-6 * std::max(1.0, community_area))
      plan.problems.report(Severity::warning, "coverage-gap", dataset.communities[c].source,
                           community_label(dataset, static_cast<std::int32_t>(c)) +
                               ": its large grids cover " + std::to_string(gap[c]) +
                               " m² less or more than the community polygon");
  }
  {
    std::vector<double> micro_sum(plan.large_grids.size(), 0.0);
    for (const Grid& m : plan.micro_grids) micro_sum[at(m.parent)] += m.metrics.area_m2;
    for (std::size_t g = 0; g < plan.large_grids.size(); ++g)
      plan.metrics.coverage_overlap_m2 +=
          std::max(0.0, micro_sum[g] - plan.large_grids[g].metrics.area_m2);
  }
}

void plan_metrics(const Dataset& dataset, const Context& ctx, const Plan* existing,
                  MovedFlow moved_flow, Plan& plan) {
  const auto building_count = dataset.buildings.size();
  PlanMetrics& pm = plan.metrics;
  pm.large_grids = static_cast<int>(plan.large_grids.size());
  pm.micro_grids = static_cast<int>(plan.micro_grids.size());
  double compact_sum = 0.0;
  for (const Grid& g : plan.large_grids) {
    pm.households += g.metrics.households;
    compact_sum += g.metrics.compactness;
  }
  pm.mean_compactness = pm.large_grids > 0 ? compact_sum / pm.large_grids : 0.0;
  for (const auto* grids : {&plan.large_grids, &plan.micro_grids})
    for (const Grid& g : *grids) {
      pm.bound_violations += (g.metrics.below_min || g.metrics.above_max) ? 1 : 0;
      pm.discontiguous += g.metrics.contiguous ? 0 : 1;
      pm.barrier_crossings += g.metrics.barrier_crossings;
    }

  // Households moved: each existing large grid's successor is the new grid holding most of its
  // households; households elsewhere have moved. The planned buildings' flow comes from the
  // community planners (split towers per unit); buildings of locked grids stay where they were.
  if (existing && existing->building_large.size() == building_count) {
    std::map<std::pair<std::int32_t, std::int32_t>, long long> flow = std::move(moved_flow);
    for (std::size_t b = 0; b < building_count; ++b)
      if (ctx.locked_building[b] && existing->building_large[b] != kNone &&
          plan.building_large[b] != kNone)
        flow[{existing->building_large[b], plan.building_large[b]}] +=
            dataset.buildings[b].households;
    std::map<std::int32_t, std::pair<long long, long long>> best;  // old → (max, total)
    for (const auto& [key, h] : flow) {
      auto& entry = best[key.first];
      entry.first = std::max(entry.first, h);
      entry.second += h;
    }
    for (const auto& [old, entry] : best) pm.households_moved += entry.second - entry.first;
  }
}

}  // namespace gp::partition::detail
