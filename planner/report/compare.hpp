#pragma once
// Comparing plans side by side: key figures, buildings and households moved between plans, and
// a difference map. Plans come either from memory (a run just made) or from run directories read
// back by planner/io (plan.gpkg + metrics.json), so the comparison needs no dataset: a snapshot
// holds what it draws and counts.

#include <cstdint>
#include <string>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/partition/plan.hpp"
#include "planner/report/kpi.hpp"

namespace gp::report {

struct SnapshotBuilding {
  std::int64_t bid = 0;  // Building::id: how buildings are matched across plans
  int households = 0;
  Point position;  // representative point
  std::string large_code;
  std::string micro_code;
};

struct SnapshotGrid {
  std::string code;
  std::string community;
  int households = 0;
  MultiPolygon polygon;
};

/// What a comparison needs of one plan. Coordinates of one comparison share a CRS; `geographic`
/// when they are longitude/latitude degrees.
struct RunSnapshot {
  std::string name;    // shown in column headers
  std::string source;  // run directory or scenario file
  PlanKpis kpis;
  std::vector<SnapshotBuilding> buildings;
  std::vector<SnapshotGrid> large_grids;
  bool geographic = false;
};

RunSnapshot make_snapshot(const std::string& name, const Dataset& dataset, const Plan& plan,
                          const PlanKpis& kpis);

/// Buildings and households whose large grid changed from `before` to `after`. Grids are matched
/// by the households they share (each grid of `after` to the grid of `before` it takes most of
/// its households from), so renumbered but unchanged grids count as unchanged. Buildings present
/// in only one plan are counted in `unmatched`.
struct Moves {
  long long buildings = 0;
  long long households = 0;
  long long unmatched = 0;
  std::vector<std::size_t> moved;  // indices into after.buildings
};
Moves moved_between(const RunSnapshot& before, const RunSnapshot& after);

/// Terminal table: one row per figure, one column per plan; moves are against the first plan.
std::string compare_text(const std::vector<RunSnapshot>& runs);
/// The same as CSV (UTF-8 with BOM): key, chinese, english, then one column per plan.
std::string compare_csv(const std::vector<RunSnapshot>& runs);
/// compare.html: the table, small maps of every plan, and a difference map of each plan against
/// the first (its grid boundaries over the first plan's, moved buildings highlighted).
std::string compare_html(const std::vector<RunSnapshot>& runs, const std::string& version,
                         const std::string& generated);

}  // namespace gp::report
