#pragma once
// The audit of a grid plan BY GEOMETRY: the rules a plan must keep, checked on the polygons
// users receive (the ones exported to plan.gpkg, drawn by hand in a GIS, or imported from a
// district's Shapefile), not on the adjacency graph that produced them. One place computes them;
// evaluation::audit_plan (planner/evaluation/evaluation.hpp) turns a gp::Plan into the input below
// and writes the results into the plan's metrics, and `gridplan check` prints them.
//
// Rules (AuditFinding::rule; "broken" unless said otherwise):
//   grid-without-polygon     a grid has no polygon (or one of zero area)
//   grid-in-pieces           a grid's polygon has a second piece of at least
//                            min(AuditParams::piece_min_m2, piece_min_share × the largest):
//                            the same rule as ../shared/tools/check_plan.py
//   grid-crumbs              a grid has extra pieces, all smaller than that (sliver crumbs)
//   building-outside-grid    a building's representative point (GEOS PointOnSurface of its
//                            footprint, less the smaller footprints overlapping it:
//                            own_footprint.hpp) is farther than building_tolerance_m from its
//                            micro grid
//                            (AuditInput::building_micro: the grid it is filed under, as an
//                            exported plan records it and check_plan.py reads it; a building
//                            split by units is filed under the grid holding its cell)
//   building-unassigned      a building with households is in no micro grid
//   micro-not-nested         a micro grid reaches more than nesting_min_m2 outside its large
//                            grid buffered by nesting_tolerance_m (check_plan.py's rule), or has
//                            no large grid
//   coverage-gap             part of a community (of a large grid, for micro grids) that no grid
//                            covers, above coverage_min_m2 and coverage_min_share of its area
//   coverage-overlap         two grids of one container overlapping by more than that
//   coverage-outside         grids reaching outside their container (community / large grid)
//   barrier-crossed          a hard barrier line (river, rail, hard road class; bridges and
//                            tunnels excepted unless bridges_cut) cuts the grid's polygon into
//                            pieces of which two or more hold the grid's buildings: the grid
//                            lies on both sides. "allowed" when the buildings on the two sides
//                            are joined by compounds that span the barrier (a compound is kept
//                            whole). Pieces without the grid's buildings (empty land joined
//                            across a barrier for seamless coverage) are not crossings.
//                            Sides whose buildings lie in one hard face (the land as the hard
//                            lines, water areas and community boundaries divide it, as the
//                            tessellation cuts it) are joined around the barrier's end: rule
//                            barrier-through, "allowed" (a dead end, a road stopping at a bridge
//                            or tunnel, a gap in the data). Across faces, sides whose buildings
//                            hold no households are "allowed" too (joined for coverage).
//   barrier-through          see barrier-crossed: a hard line runs through the grid but does
//                            not separate the land (allowed, counted apart)
//   compound-split           a compound's buildings are in more than one large grid; "allowed"
//                            when the compound holds more households than the large-grid maximum
//   households-out-of-bounds a grid's households outside [min, max] of its level; "allowed"
//                            when the plan records a reason (AuditGrid::bounds_reason)
//
// Every finding carries the grid code, a location (x, y in the plan's projected CRS, metres) and
// a message naming the grid and the measured value. Geometry with GEOS (reentrant C API through
// planner/geo/geos.hpp); grids are audited in parallel, findings come out in a fixed order
// (rule, then level, then grid index), whatever the thread count.

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/core/progress.hpp"

namespace gp::geo {

class BoxIndex;

/// One grid as the audit sees it (borrowed: the pointers must outlive the call).
struct AuditGrid {
  GridLevel level = GridLevel::large;
  std::string code;
  std::string name;
  /// Index into Dataset::communities; kNone: found by the largest overlap of the polygon.
  std::int32_t community = kNone;
  /// Micro grids: index into AuditInput::large; kNone when it has none.
  std::int32_t parent = kNone;
  const MultiPolygon* polygon = nullptr;  // metres; null or empty: no polygon
  /// Buildings the grid lists (indices into Dataset::buildings). Used only when the building →
  /// grid maps of AuditInput are empty (all kNone).
  const std::vector<std::int32_t>* buildings = nullptr;
  long long households = 0;
  /// Why the grid is outside its household bounds, when the plan records it ("" = none).
  std::string bounds_reason;
};

/// One run of units of a building split by units between micro grids (a building above the
/// micro maximum, docs/decisions/0005-partition.md): it belongs to its micro grid (and that
/// grid's large grid) at `point`, a point of the run's strip of the footprint (the buildings
/// layer of plan.gpkg carries one row per run, its geometry that strip).
struct AuditRun {
  std::int32_t building = kNone;  // index into Dataset::buildings
  std::int32_t large = kNone;     // index into AuditInput::large
  std::int32_t micro = kNone;     // index into AuditInput::micro
  Point point;                    // metres; NaN: the building's own representative point
};

struct AuditInput {
  std::vector<AuditGrid> large;
  std::vector<AuditGrid> micro;
  /// Per building: its large and micro grid (indices into large / micro), kNone when none. When
  /// given, they decide which grid a building belongs to (one each, as exported plans record it).
  std::vector<std::int32_t> building_large;
  std::vector<std::int32_t> building_micro;
  /// Buildings split by units: all their runs. A building with runs belongs to each run's grids
  /// (instead of building_large / building_micro), each checked at the run's point.
  std::vector<AuditRun> runs;
  /// Each building's own part (own_footprint.hpp; an empty entry: its whole footprint), when
  /// the caller has them already (one per Dataset::buildings); null: the audit computes them.
  std::shared_ptr<const std::vector<MultiPolygon>> own_footprints;
};

struct AuditBounds {
  int min = 0;
  int max = 0;
};

struct AuditParams {
  AuditBounds large{300, 500};
  AuditBounds micro{100, 200};
  /// Road classes that are hard barriers (as TessellationParams::hard_road_classes; rivers and
  /// rail always are).
  std::set<std::string> hard_road_classes;
  bool bridges_cut = false;  // as TessellationParams::bridges_cut
  /// A second piece of at least min(piece_min_m2, piece_min_share × largest piece) splits a grid.
  double piece_min_m2 = 100.0;
  double piece_min_share = 0.01;
  /// A building's representative point may lie this far outside its micro grid (m): digitising
  /// and rounding offsets along shared edges (check_plan.py uses 0.5 m).
  double building_tolerance_m = 0.5;
  /// A micro grid may reach this far outside its large grid (m) ...
  double nesting_tolerance_m = 0.01;
  /// ... and beyond that by no more than this area (m²).
  double nesting_min_m2 = 0.5;
  /// Gaps and overlaps smaller than both this area (m²) and this share of the container's area
  /// are rounding noise, not findings.
  double coverage_min_m2 = 1.0;
  double coverage_min_share = 1e-6;
  /// Pieces of a grid cut by a barrier smaller than this (m²) are slivers along the line.
  double crossing_piece_min_m2 = 1.0;
  /// A hard line within this distance (m) of a grid's edge reaches it, and a strip this wide on
  /// either side of a line is no side of the grid: an edge drawn along a road lies on it in
  /// memory and nanometres off it when read back from WGS84, and both must give one figure.
  double barrier_tolerance_m = 0.05;
  /// Check large grids against their communities (off when the communities are not real, e.g.
  /// made from the data's extent because no community layer was given).
  bool check_community_coverage = true;
  /// Check household bounds (off when no buildings were given: every grid would hold 0).
  bool check_households = true;
};

enum class AuditSeverity : std::uint8_t {
  broken,   // the rule is broken
  allowed,  // an exception the rules allow (said why in the message)
};
const char* to_string(AuditSeverity severity);

struct AuditFinding {
  std::string rule;  // stable id, see the list above
  AuditSeverity severity = AuditSeverity::broken;
  GridLevel level = GridLevel::large;
  std::string grid;        // grid code; community code for community-level findings ("" if none)
  std::string other_grid;  // the second grid of an overlap, "" otherwise
  std::int32_t building = kNone;  // index into Dataset::buildings, when about a building
  std::int32_t compound = kNone;  // index into Dataset::compounds, when about a compound
  Point where;                    // metres, in the dataset's projected CRS
  double value = 0.0;             // m², m, households or pieces, as the message says
  std::string message;            // English, names the grid and the value
};

/// Per grid: what the audit measured.
struct GridAudit {
  int pieces = 0;                 // pieces at or above the split threshold (0 without a polygon)
  bool in_pieces = false;         // a real second piece
  bool crumbs = false;            // extra pieces, all crumbs
  int barrier_crossings = 0;      // extra sides of hard barriers holding the grid's buildings
  bool crossing_allowed = false;  // ... all joined through compounds spanning the barrier
  int compound_splits = 0;        // large grids: compounds split between this and another grid
  int buildings_outside = 0;      // micro grids: buildings it lists that lie outside it
};

struct AuditCounts {
  int grids_without_polygon = 0;
  int large_in_pieces = 0;
  int micro_in_pieces = 0;
  int grids_with_crumbs = 0;
  int buildings_outside = 0;
  int buildings_unassigned = 0;
  int micro_not_nested = 0;
  int coverage_gaps = 0;             // containers with a gap above the noise
  double coverage_gap_m2 = 0.0;      // Σ over communities of the uncovered area (large grids)
  int coverage_overlaps = 0;         // overlapping pairs above the noise
  double coverage_overlap_m2 = 0.0;  // Σ of those overlaps (large grids within communities)
  int coverage_outside = 0;
  int large_crossing_barrier = 0;  // broken crossings only
  int micro_crossing_barrier = 0;
  int crossings_allowed = 0;
  int barriers_through = 0;         // grids a hard line runs through without separating the land
  int compound_splits = 0;          // all splits (broken + allowed)
  int compound_splits_allowed = 0;  // of those, compounds above the large-grid maximum
  int bounds_outside = 0;           // grids outside their bounds (large + micro)
  int bounds_without_reason = 0;
};

struct PlanAudit {
  std::vector<AuditFinding> findings;
  std::vector<GridAudit> large;  // per AuditInput::large
  std::vector<GridAudit> micro;  // per AuditInput::micro
  AuditCounts counts;
  /// The buildings' own parts the audit placed them by (given or computed): the buildings
  /// layer of the export writes the same shapes, so a run computes them once.
  std::shared_ptr<const std::vector<MultiPolygon>> own_footprints;
  /// Findings that break a rule (severity broken).
  [[nodiscard]] std::size_t broken() const;
  [[nodiscard]] bool holds() const { return broken() == 0; }
};

/// Audits `input` against `dataset` (buildings, compounds, communities, lines). Preconditions:
/// the dataset is projected and validated (geo::validate_and_join); grid indices in `input` are
/// in range. Throws gp::Cancelled through `progress`; a GEOS failure on one grid becomes a
/// finding of rule "geometry-failed" naming it instead of stopping the audit.
PlanAudit audit_plan(const Dataset& dataset, const AuditInput& input, const AuditParams& params,
                     Progress& progress);

/// geo::own_footprints in chunks of buildings, `tick(fraction done)` after each (a 100k-building
/// town takes seconds): the same parts, as each chunk computes its buildings' parts against
/// every footprint whose box meets theirs. `tick` is called on the calling thread.
std::vector<MultiPolygon> own_footprints_chunked(const std::vector<const MultiPolygon*>& footprints,
                                                 const std::function<void(double)>& tick);

/// Whether some point of `lines` lies inside `polygon` farther than `tolerance` (m) from its
/// boundary: a hard line passing through the grid's interior beyond the audit's tolerance
/// (AuditParams::barrier_tolerance_m). No GEOS: each line segment near the polygon is covered by
/// the intervals within `tolerance` of the polygon's edges (each exact up to a bisection that
/// only ever shrinks them), and each part left over lies wholly inside or wholly outside, decided
/// at its middle. A line along an edge, touching a vertex or cutting a corner by less than the
/// tolerance does not pass; one reaching deeper does. The barrier rule cuts only grids it says
/// yes for (geo/plan_audit.cpp), with the same findings as cutting every grid a line meets.
bool line_inside_beyond(const MultiPolygon& polygon, const std::vector<const LineString*>& lines,
                        double tolerance);

/// Whether the points of `points` that lie inside `polygon` are all joined to each other by
/// straight paths (between the points themselves) that stay inside the polygon, farther than
/// `clear` (m) from every line of `lines` and farther than `margin` from the polygon's boundary;
/// and every other point lies farther than `margin` outside it. No GEOS. True only when it has
/// shown that: then however the lines widened by less than `clear` cut the polygon, all those
/// points lie in one piece of it. False when it could not (a point near a line or the boundary,
/// points the lines truly separate, or a shape whose straight paths do not join them) — the
/// barrier rule then cuts the grid with GEOS. The barrier rule asks it before the cut
/// (geo/plan_audit.cpp): a grid whose buildings it joins has no finding.
bool points_joined_clear_of(const MultiPolygon& polygon,
                            const std::vector<const LineString*>& lines,
                            const std::vector<Point>& points, double clear, double margin);

/// A polygon's edges, for asking of many lines whether they reach inside (or outside) it
/// farther than `tolerance` from its boundary (line_inside_beyond's test, built once).
class EdgeReach {
 public:
  EdgeReach(const MultiPolygon& polygon, double tolerance);
  ~EdgeReach();
  EdgeReach(const EdgeReach&) = delete;
  EdgeReach& operator=(const EdgeReach&) = delete;
  /// Whether a point of `line` lies inside (`inside`) or outside (!`inside`) the polygon,
  /// farther than the tolerance from its boundary.
  [[nodiscard]] bool beyond(const LineString& line, bool inside) const;

 private:
  struct Edge {
    Point a, b;
  };
  const MultiPolygon& polygon_;
  double r_;
  std::vector<Edge> edges_;
  std::vector<Box> boxes_;
  Box box_;
  std::unique_ptr<BoxIndex> index_;
};

/// The rule's title in Chinese and English, e.g. "网格不连通" / "grid in pieces" (for printing).
const char* rule_title_zh(const std::string& rule);
const char* rule_title_en(const std::string& rule);

}  // namespace gp::geo
