// make_plan on the committed demo town (data/demo-town.gpkg, a synthetic Yanggao-sized county
// town): the plan a planner would get from `gridplan plan data/demo-town.gpkg` with defaults,
// planned afresh (the town's hand-drawn grid layer is not used as an existing plan here).

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include "planner/geo/tessellation.hpp"
#include "planner/io/load.hpp"
#include "planner/partition/partitioner.hpp"

using namespace gp;

namespace {

const Dataset& demo_town() {
  static const Dataset dataset = [] {
    io::LoadOptions load;
    load.inputs.push_back({std::string(GRIDPLAN_SOURCE_DIR) + "/data/demo-town.gpkg", "", {}});
    Progress progress;
    return io::load_dataset(load, progress);
  }();
  return dataset;
}

struct DemoPlan {
  geo::Tessellation tessellation;
  Plan plan;
};

DemoPlan plan_demo_town() {
  const Dataset& dataset = demo_town();
  PartitionParams params;
  Progress progress;
  DemoPlan out;
  out.tessellation = geo::tessellate(dataset, tessellation_params(params), progress);
  out.plan = make_plan(dataset, out.tessellation, params, progress);
  return out;
}

/// Whether a problem of one of `kinds` names `community` (messages start with its label).
bool reported_for(const Plan& plan, const Community& community,
                  const std::set<std::string>& kinds) {
  const std::string label = "community '" + community.name + "'";
  for (const Problem& p : plan.problems.problems())
    if (kinds.count(p.kind) && p.message.find(label) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("demo town: a plan a planner can adopt", "[plan][demo]") {
  const Dataset& dataset = demo_town();
  REQUIRE(dataset.buildings.size() > 100);
  const DemoPlan first = plan_demo_town();
  const Plan& plan = first.plan;
  INFO("large " << plan.metrics.large_grids << ", micro " << plan.metrics.micro_grids
                << ", violations " << plan.metrics.bound_violations);

  // Every building is in exactly one micro grid (a building split by units is listed by each
  // of its pieces, reported, and maps to the piece holding its cell).
  std::map<std::int32_t, int> micro_listing;
  for (const Grid& m : plan.micro_grids)
    for (std::int32_t b : m.buildings) ++micro_listing[b];
  for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
    INFO("building " << dataset.buildings[b].id);
    REQUIRE(dataset.buildings[b].community != kNone);
    REQUIRE(plan.building_micro[b] != kNone);
    const int listed = micro_listing[static_cast<std::int32_t>(b)];
    CHECK(listed >= 1);
    if (listed > 1) CHECK(dataset.buildings[b].households > PartitionParams{}.micro.max);
  }

  CHECK(plan.metrics.barrier_crossings == 0);
  CHECK(plan.metrics.discontiguous == 0);
  CHECK(plan.metrics.large_grids >= 45);
  CHECK(plan.metrics.large_grids <= 60);

  // Bound violations only where the container is reported infeasible.
  for (const Grid& g : plan.large_grids) {
    if (!g.metrics.below_min && !g.metrics.above_max) continue;
    const Community& community = dataset.communities[static_cast<std::size_t>(g.community)];
    INFO("large grid " << g.code << " with " << g.metrics.households << " households");
    CHECK(reported_for(
        plan, community,
        {"container-below-minimum", "container-no-feasible-division", "container-granularity"}));
  }
  for (const Grid& m : plan.micro_grids) {
    if (!m.metrics.below_min && !m.metrics.above_max) continue;
    const Grid& parent = plan.large_grids[static_cast<std::size_t>(m.parent)];
    const Community& community = dataset.communities[static_cast<std::size_t>(m.community)];
    INFO("micro grid " << m.code << " with " << m.metrics.households << " households");
    CHECK(
        (parent.metrics.below_min || reported_for(plan, community, {"micro-grid-out-of-bounds"})));
  }

  // Seamless coverage per community: the union of its large grids is the community, and the
  // grids do not overlap (Σ areas = area of the union), within 1e-6 of the community's area.
  std::vector<std::vector<const MultiPolygon*>> by_community(dataset.communities.size());
  for (const Grid& g : plan.large_grids)
    if (!g.polygon.empty())
      by_community[static_cast<std::size_t>(g.community)].push_back(&g.polygon);
  for (std::size_t c = 0; c < dataset.communities.size(); ++c) {
    if (by_community[c].empty()) continue;
    INFO("community " << dataset.communities[c].name);
    const double community_area = area(dataset.communities[c].footprint);
    const double union_area = area(geo::union_cells(by_community[c]));
    double sum = 0.0;
    for (const MultiPolygon* p : by_community[c]) sum += area(*p);
    CHECK(std::abs(community_area - union_area) <= 1e-6 * community_area);
    CHECK(sum - union_area <= 1e-6 * community_area);
  }

  // Codes: unique, and the same on a second run.
  std::set<std::string> codes;
  for (const Grid& g : plan.large_grids) CHECK(codes.insert(g.code).second);
  for (const Grid& g : plan.micro_grids) CHECK(codes.insert(g.code).second);
  const DemoPlan second = plan_demo_town();
  REQUIRE(second.plan.large_grids.size() == plan.large_grids.size());
  REQUIRE(second.plan.micro_grids.size() == plan.micro_grids.size());
  for (std::size_t g = 0; g < plan.large_grids.size(); ++g) {
    CHECK(second.plan.large_grids[g].code == plan.large_grids[g].code);
    CHECK(second.plan.large_grids[g].buildings == plan.large_grids[g].buildings);
  }
  for (std::size_t m = 0; m < plan.micro_grids.size(); ++m)
    CHECK(second.plan.micro_grids[m].code == plan.micro_grids[m].code);
  CHECK(second.plan.building_micro == plan.building_micro);
}
