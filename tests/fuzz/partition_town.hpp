// A small random town read from bytes, and the rules every plan of it must keep: shared by the
// libFuzzer target (tests/fuzz/fuzz_partition.cpp) and the corpus replay of the engine tests
// (tests/partition/test_fuzz_corpus.cpp), so a crash the fuzzer once found is replayed by every
// build, also the dev and TSan ones that have no libFuzzer.
//
// Rules (docs/decisions/0005-partition.md, tests/partition/test_plan.cpp check_invariants):
//   - every building with a community is in exactly one large grid (several only when split by
//     units, reported) and maps to one micro grid whose parent is that large grid;
//   - micro grids nest in their large grid (code prefix, buildings a subset);
//   - measured on the grid polygons, as the pipeline publishes them (evaluation::audit_plan, the
//     contract of make_plan: its graph-based figures are provisional): every grid polygon is in
//     one piece, every grid has a polygon without crumbs, every building lies inside its micro
//     grid, micro grids nest — on every town, overlapping and nested footprints included
//     (docs/decisions/0008-polygon-truth.md, "Overlapping footprints settled in the engine");
//     no grid lies on both sides of a hard barrier unless a compound spanning it is reported;
//   - household bounds hold unless the container is reported infeasible;
//   - grids tile their community without gaps or overlaps; codes are unique.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/core/errors.hpp"
#include "planner/evaluation/evaluation.hpp"
#include "planner/geo/tessellation.hpp"
#include "planner/geo/validate.hpp"
#include "planner/partition/partitioner.hpp"

namespace gp::fuzz {

/// Reads the fuzzer's bytes as small numbers; past the end it yields zeros, so every input is a
/// town.
class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  int next(int lo, int hi) {
    const int value = pos_ < size_ ? data_[pos_] : 0;
    ++pos_;
    return lo + value % (hi - lo + 1);
  }
  [[nodiscard]] bool exhausted() const { return pos_ >= size_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

inline gp::Polygon rect(double x0, double y0, double x1, double y1) {
  return {{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}};
}

/// Prints the town and its plan (to reproduce a broken rule by hand).
inline void print_case(const gp::Dataset& town, const gp::Plan& plan) {
  for (const gp::Community& c : town.communities) {
    const gp::Box b = gp::bounds(c.footprint);
    std::fprintf(stderr, "community %s [%g %g %g %g]\n", c.code.c_str(), b.min_x, b.min_y, b.max_x,
                 b.max_y);
  }
  for (const gp::Compound& c : town.compounds) {
    const gp::Box b = gp::bounds(c.footprint);
    std::fprintf(stderr, "compound %s [%g %g %g %g]\n", c.ref.c_str(), b.min_x, b.min_y, b.max_x,
                 b.max_y);
  }
  for (std::size_t i = 0; i < town.buildings.size(); ++i) {
    const gp::Building& b = town.buildings[i];
    const gp::Box box = gp::bounds(b.footprint);
    std::fprintf(stderr,
                 "building %zu [%g %g %g %g] hh %d units %d compound %d community %d "
                 "large %d micro %d\n",
                 i, box.min_x, box.min_y, box.max_x, box.max_y, b.households, b.units, b.compound,
                 b.community, plan.building_large[i], plan.building_micro[i]);
  }
  for (const gp::Line& l : town.lines)
    std::fprintf(stderr, "line %s (%g %g)-(%g %g)\n", l.cls.c_str(), l.geometry.front().x,
                 l.geometry.front().y, l.geometry.back().x, l.geometry.back().y);
  for (const gp::Grid& g : plan.large_grids)
    std::fprintf(stderr, "large %s hh %d crossings %d contiguous %d\n", g.code.c_str(),
                 g.metrics.households, g.metrics.barrier_crossings, g.metrics.contiguous ? 1 : 0);
  for (const gp::Problem& p : plan.problems.problems())
    std::fprintf(stderr, "problem %s: %s\n", p.kind.c_str(), p.message.c_str());
}

/// The first broken rule of a plan: thrown by check_rules.
struct RuleViolated {
  std::string rule, detail;
};

[[noreturn]] inline void violated(const char* rule, const std::string& detail) {
  throw RuleViolated{rule, detail};
}

inline bool has_problem(const gp::Plan& plan, const std::set<std::string>& kinds) {
  for (const gp::Problem& p : plan.problems.problems())
    if (kinds.count(p.kind) != 0) return true;
  return false;
}

inline gp::Dataset make_town(ByteReader& in, gp::PartitionParams& params) {
  gp::Dataset town;
  town.crs_epsg = 4547;
  const int communities = in.next(1, 3);
  const double height = 40.0 * in.next(2, 6);
  std::vector<double> edges{0.0};
  for (int c = 0; c < communities; ++c) edges.push_back(edges.back() + 50.0 * in.next(2, 6));
  for (int c = 0; c < communities; ++c) {
    gp::Community community;
    community.id = c + 1;
    community.code = "14022100" + std::to_string(1000 + c);
    community.name = "社区" + std::to_string(c + 1);
    community.source = {"fuzz", "communities", c + 1};
    community.footprint = {rect(edges[static_cast<std::size_t>(c)], 0,
                                edges[static_cast<std::size_t>(c) + 1], height)};
    town.communities.push_back(std::move(community));
  }
  const double width = edges.back();
  const int compounds = in.next(0, 4);
  for (int k = 0; k < compounds; ++k) {
    gp::Compound compound;
    compound.id = k + 1;
    compound.ref = "K" + std::to_string(k + 1);
    compound.name = "小区" + std::to_string(k + 1);
    compound.source = {"fuzz", "compounds", k + 1};
    town.compounds.push_back(std::move(compound));
  }
  // Buildings on a 10 m lattice (so footprints may touch or overlap, as real data does), 4–30 m
  // wide, with households up to well above the large-grid maximum.
  const int buildings = in.next(1, 48);
  for (int b = 0; b < buildings && !in.exhausted(); ++b) {
    gp::Building building;
    building.id = 1000 + b;
    building.source = {"fuzz", "buildings", b + 1};
    const double x = 10.0 * in.next(0, static_cast<int>(width / 10.0) - 1) + 5.0;
    const double y = 10.0 * in.next(0, static_cast<int>(height / 10.0) - 1) + 5.0;
    const double half_w = in.next(2, 15), half_h = in.next(2, 10);
    building.footprint = {rect(x - half_w, y - half_h, x + half_w, y + half_h)};
    const int kind = in.next(0, 7);
    building.households = kind == 0 ? 0 : kind == 7 ? in.next(0, 255) * 4 : in.next(1, 120);
    building.units = in.next(0, 6);
    building.floors = in.next(0, 18);
    const int compound = in.next(0, compounds);
    if (compound > 0) building.compound_ref = "K" + std::to_string(compound);
    town.buildings.push_back(std::move(building));
  }
  // Each compound is the box around its buildings (a walled compound drawn around them).
  for (int k = 0; k < compounds; ++k) {
    gp::Box box;
    for (const gp::Building& b : town.buildings)
      if (b.compound_ref == town.compounds[static_cast<std::size_t>(k)].ref)
        box.expand(gp::bounds(b.footprint));
    if (!box.empty())
      town.compounds[static_cast<std::size_t>(k)].footprint = {
          rect(box.min_x - 1.0, box.min_y - 1.0, box.max_x + 1.0, box.max_y + 1.0)};
  }
  // A river across part of the town, and soft lanes.
  if (in.next(0, 1) == 1) {
    gp::Line river;
    river.id = 1;
    river.kind = gp::LineKind::river;
    river.cls = "river";
    river.source = {"fuzz", "rivers", 1};
    river.geometry = {
        {-1.0, 10.0 * in.next(0, static_cast<int>(height / 10.0))},
        {width * in.next(1, 10) / 10.0 + 1.0, 10.0 * in.next(0, static_cast<int>(height / 10.0))}};
    town.lines.push_back(std::move(river));
  }
  const int lanes = in.next(0, 3);
  for (int l = 0; l < lanes; ++l) {
    gp::Line lane;
    lane.id = 10 + l;
    lane.kind = gp::LineKind::road;
    lane.cls = in.next(0, 3) == 0 ? "primary" : "residential";
    lane.source = {"fuzz", "roads", l + 1};
    const double x = 10.0 * in.next(1, static_cast<int>(width / 10.0));
    lane.geometry = {{x, -1.0}, {x + 10.0 * in.next(0, 4) - 20.0, height + 1.0}};
    town.lines.push_back(std::move(lane));
  }
  params.large.min = 20 * in.next(1, 20);
  params.large.max = params.large.min + 20 * in.next(0, 15);
  params.large.target = (params.large.min + params.large.max) / 2;
  params.micro.min = 10 * in.next(1, 10);
  params.micro.max = params.micro.min + 10 * in.next(0, 10);
  params.micro.target = (params.micro.min + params.micro.max) / 2;
  params.policy = in.next(0, 1) == 0 ? gp::InfeasiblePolicy::allow_undersized
                                     : gp::InfeasiblePolicy::join_across_soft;
  params.seed = static_cast<std::uint64_t>(in.next(0, 255));
  params.refinement_passes = in.next(0, 4);
  return town;
}

/// A town, its plan and the plan measured on its grid polygons.
struct FuzzRun {
  gp::Dataset town;
  gp::PartitionParams params;
  gp::Plan plan;
  gp::geo::PlanAudit audit;  // the plan measured on its polygons
  /// Two footprints overlap (more than touching), or one reaches outside the communities: no
  /// rule depends on it any more; kept for printing and statistics.
  bool footprints_overlap = false;
  /// Per large / micro grid: make_plan found it in pieces on its planning graph (before the
  /// audit measured the polygons).
  std::vector<char> graph_discontiguous[2];
};

/// The first broken finding of the audit (message), for the violation's detail.
inline std::string first_finding(const FuzzRun& run) {
  for (const gp::geo::AuditFinding& f : run.audit.findings)
    if (f.severity == gp::geo::AuditSeverity::broken) return f.message;
  return "no finding";
}

inline void check_rules(const FuzzRun& run) {
  const gp::Dataset& town = run.town;
  const gp::PartitionParams& params = run.params;
  const gp::Plan& plan = run.plan;
  const std::size_t n = town.buildings.size();
  if (plan.building_micro.size() != n || plan.building_large.size() != n)
    violated("one entry per building", std::to_string(plan.building_micro.size()));
  std::vector<int> large_count(n, 0);
  for (const gp::Grid& g : plan.large_grids)
    for (std::int32_t b : g.buildings) {
      if (b < 0 || static_cast<std::size_t>(b) >= n) violated("building index", g.code);
      ++large_count[static_cast<std::size_t>(b)];
    }
  const bool split_reported = has_problem(plan, {"building-split-by-units"});
  const bool unplanned_reported =
      has_problem(plan, {"building-unplanned", "building-without-cell"});
  for (std::size_t b = 0; b < n; ++b) {
    const std::string which = "building " + std::to_string(b);
    if (town.buildings[b].community == gp::kNone) continue;
    if (large_count[b] == 0) {
      if (!unplanned_reported) violated("every building in a grid (or listed)", which);
      continue;
    }
    if (large_count[b] > 1 && !split_reported) violated("one large grid per building", which);
    const std::int32_t micro = plan.building_micro[b];
    if (micro == gp::kNone || static_cast<std::size_t>(micro) >= plan.micro_grids.size())
      violated("every building in exactly one micro grid", which);
    if (plan.micro_grids[static_cast<std::size_t>(micro)].parent != plan.building_large[b])
      violated("micro grid nested in the building's large grid", which);
  }
  std::set<std::string> codes;
  for (const gp::Grid& m : plan.micro_grids) {
    if (m.parent == gp::kNone || static_cast<std::size_t>(m.parent) >= plan.large_grids.size())
      violated("micro grid has a parent", m.code);
    const gp::Grid& parent = plan.large_grids[static_cast<std::size_t>(m.parent)];
    if (m.code.compare(0, parent.code.size(), parent.code) != 0)
      violated("micro code extends its parent's", m.code);
    for (std::int32_t b : m.buildings)
      if (!std::binary_search(parent.buildings.begin(), parent.buildings.end(), b))
        violated("micro grid buildings inside the parent", m.code);
  }
  for (const gp::Grid& g : plan.large_grids)
    if (!codes.insert(g.code).second) violated("unique codes", g.code);
  for (const gp::Grid& g : plan.micro_grids)
    if (!codes.insert(g.code).second) violated("unique codes", g.code);
  // Every rule of the polygons, on every town: overlapping and nested footprints (copies, a
  // building inside another or inside a split tower, a footprint half outside its community) are
  // settled before the partition (docs/decisions/0008-polygon-truth.md, "Overlapping footprints
  // settled in the engine"), so they break none.
  const std::vector<gp::Grid>* levels[2] = {&plan.large_grids, &plan.micro_grids};
  for (std::size_t level = 0; level < 2; ++level)
    for (std::size_t g = 0; g < levels[level]->size(); ++g) {
      const gp::Grid& grid = (*levels[level])[g];
      if (!grid.metrics.contiguous)
        violated("contiguity (grid polygons in one piece)", grid.code + "; " + first_finding(run));
    }
  if (plan.metrics.grids_without_polygon != 0)
    violated("every grid has a polygon",
             std::to_string(plan.metrics.grids_without_polygon) + "; " + first_finding(run));
  if (plan.metrics.grids_with_crumbs != 0)
    violated("no crumbs",
             std::to_string(plan.metrics.grids_with_crumbs) + " grids; " + first_finding(run));
  if (plan.metrics.buildings_outside != 0)
    violated("buildings inside their micro grid",
             std::to_string(plan.metrics.buildings_outside) + " buildings; " + first_finding(run));
  if (plan.metrics.micro_not_nested != 0)
    violated("micro grids nest",
             std::to_string(plan.metrics.micro_not_nested) + " grids; " + first_finding(run));
  if (plan.metrics.barrier_crossings != 0 && !has_problem(plan, {"compound-spans-barrier"}))
    violated("no barrier crossings", std::to_string(plan.metrics.barrier_crossings));
  const bool large_infeasible = has_problem(
      plan, {"container-below-minimum", "container-no-feasible-division", "container-granularity"});
  for (const gp::Grid& g : plan.large_grids)
    if ((g.metrics.below_min || g.metrics.above_max) && !large_infeasible)
      violated("large-grid bounds hard unless reported",
               g.code + " holds " + std::to_string(g.metrics.households));
  const bool micro_infeasible = has_problem(plan, {"micro-grid-out-of-bounds"});
  for (const gp::Grid& m : plan.micro_grids) {
    const gp::Grid& parent = plan.large_grids[static_cast<std::size_t>(m.parent)];
    const bool outside =
        m.metrics.households < params.micro.min || m.metrics.households > params.micro.max;
    // An undersized large grid has one micro grid; its size is already reported.
    if (outside && !micro_infeasible && !parent.metrics.below_min && !split_reported)
      violated("micro-grid bounds hard unless reported",
               m.code + " holds " + std::to_string(m.metrics.households));
  }
  double community_area = 0.0;
  for (const gp::Community& c : town.communities) community_area += gp::area(c.footprint);
  if (plan.metrics.coverage_gap_m2 > 1e-6 * community_area)
    violated("seamless coverage (gap)", std::to_string(plan.metrics.coverage_gap_m2));
  if (plan.metrics.coverage_overlap_m2 > 1e-6 * community_area)
    violated("seamless coverage (overlap)", std::to_string(plan.metrics.coverage_overlap_m2));
}

/// Validates, tessellates and plans the town the bytes describe, then measures the plan on its
/// grid polygons as the pipeline does (evaluation::audit_plan).
inline FuzzRun plan_town(const std::uint8_t* data, std::size_t size) {
  ByteReader in(data, size);
  FuzzRun run;
  run.town = make_town(in, run.params);
  gp::Progress progress;
  (void)gp::geo::validate_and_join(run.town, gp::HouseholdParams{}, progress);
  const gp::geo::Tessellation tessellation =
      gp::geo::tessellate(run.town, gp::tessellation_params(run.params), progress);
  run.plan = gp::make_plan(run.town, tessellation, run.params, progress);
  for (const gp::Grid& g : run.plan.large_grids)
    run.graph_discontiguous[0].push_back(g.metrics.contiguous ? 0 : 1);
  for (const gp::Grid& g : run.plan.micro_grids)
    run.graph_discontiguous[1].push_back(g.metrics.contiguous ? 0 : 1);
  // The fuzz town's footprints and communities are axis-aligned rectangles: boxes say it.
  gp::Box town_box;
  for (const gp::Community& c : run.town.communities) town_box.expand(gp::bounds(c.footprint));
  for (std::size_t b = 0; b < run.town.buildings.size(); ++b) {
    const gp::Box box = gp::bounds(run.town.buildings[b].footprint);
    if (box.min_x < town_box.min_x || box.min_y < town_box.min_y || box.max_x > town_box.max_x ||
        box.max_y > town_box.max_y)
      run.footprints_overlap = true;
    for (std::size_t o = b + 1; o < run.town.buildings.size(); ++o) {
      const gp::Box other = gp::bounds(run.town.buildings[o].footprint);
      if (std::min(box.max_x, other.max_x) > std::max(box.min_x, other.min_x) &&
          std::min(box.max_y, other.max_y) > std::max(box.min_y, other.min_y))
        run.footprints_overlap = true;
    }
  }
  run.audit = gp::evaluation::audit_plan(run.town, run.plan, run.params, &progress);
  return run;
}

}  // namespace gp::fuzz
