// make_plan: the driver over the partition steps: per community inputs, the community planners
// (in parallel), then assembly. The steps are in the files partition_internal.hpp lists; see
// docs/decisions/0005-partition.md for the reasons behind each step.

#include "planner/partition/partitioner.hpp"

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "planner/core/errors.hpp"
#include "planner/core/parallel.hpp"
#include "planner/partition/partition_internal.hpp"

namespace gp::partition::detail {

std::string bounds_text(const HouseholdBounds& bounds) {
  return std::to_string(bounds.min) + "–" + std::to_string(bounds.max);
}

std::string community_label(const Dataset& dataset, std::int32_t community) {
  const Community& c = dataset.communities[at(community)];
  std::string label = "community '" +
                      (c.name.empty() ? std::string("#") + std::to_string(community + 1) : c.name) +
                      "'";
  if (!c.code.empty()) label += " (" + c.code + ")";
  return label;
}

std::string building_label(const Dataset& dataset, std::int32_t b) {
  const Building& building = dataset.buildings[at(b)];
  std::string label = "building " + std::to_string(building.id);
  if (!building.name.empty()) label += " '" + building.name + "'";
  return label;
}

}  // namespace gp::partition::detail

namespace gp {

using partition::detail::at;
using partition::detail::bounds_text;
using partition::detail::box_contains;
using partition::detail::building_label;
using partition::detail::community_label;
using partition::detail::CommunityInput;
using partition::detail::CommunityPlanner;
using partition::detail::CommunityResult;
using partition::detail::Context;
using partition::detail::PlanProgress;

geo::TessellationParams tessellation_params(const PartitionParams& params) {
  geo::TessellationParams tp;
  tp.hard_road_classes = params.hard_road_classes;
  return tp;
}

Plan make_plan(const Dataset& dataset, const PartitionParams& params, Progress& progress,
               const Plan* existing) {
  progress.update("tessellating", 0.0);
  geo::Tessellation tessellation = geo::tessellate(dataset, tessellation_params(params), progress);
  Plan plan = make_plan(dataset, tessellation, params, progress, existing);
  plan.problems.merge(tessellation.problems);
  return plan;
}

Plan make_plan(const Dataset& dataset, const geo::Tessellation& tess, const PartitionParams& params,
               Progress& progress, const Plan* existing) {
  return make_plan(dataset, tess, params, progress, existing, nullptr);
}

Plan make_plan(const Dataset& dataset, const geo::Tessellation& tess, const PartitionParams& params,
               Progress& progress, const Plan* existing,
               std::vector<LargeGridPartition>* large_partitions) {
  if (params.large.min > params.large.max || params.micro.min > params.micro.max ||
      params.large.max <= 0 || params.micro.max <= 0)
    throw ConfigError("partition: household bounds need 0 < min ≤ max (large " +
                      bounds_text(params.large) + ", micro " + bounds_text(params.micro) + ")");
  const auto building_count = dataset.buildings.size();
  if (tess.cells.size() != building_count || tess.cell_area_m2.size() != building_count ||
      tess.cell_perimeter_m.size() != building_count)
    throw std::invalid_argument(
        "partition: the tessellation does not match the dataset's buildings");
  progress.update("planning grids", 0.0);

  Plan plan;
  Context ctx{dataset,
              tess,
              params,
              existing,
              std::vector<std::int32_t>(building_count, kNone),
              std::vector<char>(building_count, 0),
              large_partitions != nullptr};
  ctx.settled = dataset.settled_footprints();
  const auto communities = dataset.communities.size();
  std::vector<CommunityInput> inputs(communities);
  for (std::size_t c = 0; c < communities; ++c) inputs[c].community = static_cast<std::int32_t>(c);

  // Locked grids of the existing plan keep their buildings; a locked micro grid locks its parent.
  if (existing) {
    std::set<std::int32_t> locked;
    for (std::size_t g = 0; g < existing->large_grids.size(); ++g)
      if (existing->large_grids[g].locked) locked.insert(static_cast<std::int32_t>(g));
    for (const Grid& m : existing->micro_grids)
      if (m.locked && m.parent != kNone && !locked.count(m.parent)) {
        locked.insert(m.parent);
        plan.problems.report(Severity::info, "micro-lock-locks-parent", Location{},
                             "micro grid " + m.code + " is locked, so its large grid " +
                                 existing->large_grids[at(m.parent)].code + " is kept as well");
      }
    for (std::int32_t g : locked) {
      const Grid& grid = existing->large_grids[at(g)];
      if (grid.community < 0 || at(grid.community) >= communities) continue;
      inputs[at(grid.community)].locked_large.push_back(g);
      for (std::int32_t b : grid.buildings) ctx.locked_building[at(b)] = 1;
    }
  }
  for (std::size_t b = 0; b < building_count; ++b) {
    const Building& building = dataset.buildings[b];
    if (ctx.locked_building[b]) continue;
    if (building.community == kNone || at(building.community) >= communities) {
      plan.problems.report(Severity::warning, "building-unplanned", building.source,
                           building_label(dataset, static_cast<std::int32_t>(b)) + " (" +
                               std::to_string(building.households) +
                               " households) lies in no community and is in no grid");
      continue;
    }
    auto& input = inputs[at(building.community)];
    ctx.local_index[b] = static_cast<std::int32_t>(input.buildings.size());
    input.buildings.push_back(static_cast<std::int32_t>(b));
  }
  for (std::size_t k = 0; k < tess.adjacency.size(); ++k) {
    const auto& adj = tess.adjacency[k];
    if (ctx.local_index[at(adj.a)] == kNone || ctx.local_index[at(adj.b)] == kNone) continue;
    const std::int32_t c = dataset.buildings[at(adj.a)].community;
    if (c != dataset.buildings[at(adj.b)].community) continue;  // cells never cross communities
    inputs[at(c)].adjacency.push_back(k);
  }
  if (params.seed_from_stations)
    for (std::size_t s = 0; s < dataset.stations.size(); ++s) {
      if (dataset.stations[s].tier != StationTier::compound_station) continue;
      for (std::size_t c = 0; c < communities; ++c) {
        const MultiPolygon& shape = dataset.communities[c].footprint;
        if (box_contains(bounds(shape), dataset.stations[s].location) &&
            point_in_polygon(shape, dataset.stations[s].location)) {
          inputs[c].stations.push_back(static_cast<std::int32_t>(s));
          break;
        }
      }
    }

  // "planning grids" moves from 0 to 0.6 as the communities' buildings get their grids (one
  // community holding a whole town is seconds of partitioning): three units per building, the
  // contact units of towers, the large grids, the micro grids (PlanProgress).
  // After them, kTailUnits per building (CommunityPlanner::run), each unit still a fifth of the
  // stage: up to 0.65; then the planners freed 0.66, the communities merged 0.67 (at 1M, 1.16 s
  // at 60 % without an update before).
  long long units = 0;
  for (const CommunityInput& input : inputs)
    units += 3 * static_cast<long long>(input.buildings.size());
  const double tail_units = partition::detail::kTailUnits * static_cast<double>(units) / 3.0;
  PlanProgress plan_progress(progress, static_cast<double>(units) + tail_units, 0.0,
                             0.2 * (3.0 + partition::detail::kTailUnits));
  ctx.progress = &plan_progress;
  std::vector<CommunityResult> results(communities);
  parallel_for(std::size_t{0}, communities,
               [&](std::size_t c) { results[c] = CommunityPlanner(ctx, inputs[c]).run(); });
  progress.update("planning grids", 0.66);

  // Assemble in community order (deterministic whatever the thread schedule).
  partition::detail::UnitRuns unit_runs;
  partition::detail::MovedFlow moved_flow;
  const std::vector<std::vector<std::int32_t>> cell_buildings =
      partition::detail::merge_communities(dataset, results, inputs, large_partitions, plan,
                                           unit_runs, moved_flow);
  progress.update("planning grids", 0.67);

  // Polygons: micro grids from cells, large grids from their micro grids (both coverages).
  progress.update("grid polygons", 0.0);
  const std::vector<char> large_noded =
      partition::detail::grid_polygons(dataset, tess, cell_buildings, unit_runs, plan, progress);

  // Coverage: per community, the union of its large grids against the community polygon, and
  // the overlap as Σ areas − area of the union. Micro overlap inside each large grid likewise.
  partition::detail::coverage(dataset, large_noded, plan, progress);

  partition::detail::plan_metrics(dataset, ctx, existing, std::move(moved_flow), plan);
  progress.update("planning grids", 1.0);
  return plan;
}

}  // namespace gp
