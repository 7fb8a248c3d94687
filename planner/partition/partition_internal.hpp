#pragma once
// What the pieces of make_plan share (internal to planner/partition, not installed, not for other
// modules): small helpers, the per-community planner and the assembly steps. The steps live in
//   atoms.cpp             buildings → atoms (compounds kept whole while within the maximum, towers
//                         as chains of unit atoms) and the large-grid atom graph
//   community_planner.cpp large grids per community, micro grids per large grid, metrics inside
//                         a community
//   infeasibility.cpp     the messages explaining why household bounds cannot be met
//   codes.cpp             grid codes and names, padded numbers, reading order
//   assembly.cpp          communities → one plan: grid polygons, coverage, plan metrics
//   existing_plan.cpp     existing_plan_from_grids (a plan from drawn grids)
//   partitioner.cpp       make_plan: the driver over those steps
// See docs/decisions/0005-partition.md for the reasons behind each step.

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/core/point_in_polygon.hpp"
#include "planner/core/progress.hpp"
#include "planner/geo/tessellation.hpp"
#include "planner/partition/graph_partition.hpp"
#include "planner/partition/partitioner.hpp"

namespace gp::partition::detail {

inline std::size_t at(std::int32_t i) {
  return static_cast<std::size_t>(i);
}

/// `number` in decimal, left-padded with zeros to `width` digits (longer numbers are kept whole).
std::string padded(long long number, int width);

inline bool box_contains(const Box& box, Point p) {
  return !box.empty() && p.x >= box.min_x && p.x <= box.max_x && p.y >= box.min_y &&
         p.y <= box.max_y;
}

struct UnionFind {
  std::vector<std::int32_t> parent;
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  std::int32_t find(std::int32_t v) {
    while (parent[at(v)] != v) {
      parent[at(v)] = parent[at(parent[at(v)])];
      v = parent[at(v)];
    }
    return v;
  }
  void unite(std::int32_t a, std::int32_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent[at(std::max(a, b))] = std::min(a, b);
  }
};

/// "min–max" of household bounds, for messages.
std::string bounds_text(const HouseholdBounds& bounds);

/// Progress of "planning grids" from the communities' planners, which run on worker threads:
/// units of work (three per planned building: the contact units of the towers beside it, its
/// large grid, then its micro grid) are added as they are done, and the stage's fraction — mapped
/// onto [begin, end] — is reported at most every 0.1 s, never decreasing (core WorkCounter). A
/// thread that finds another reporting waits for it rather than skipping its report: skipping let a
/// reporter kept off the core on a loaded CI machine hide half the stage (one step of 0.30 on the
/// demo town). A cancellation thrown by Progress::update propagates out of the community's planner.
/// "planning grids" units per planned building after its micro grids (CommunityPlanner::run:
/// the split buildings' reports, the grids' connectivity, compound splits and codes).
inline constexpr double kTailUnits = 0.25;

class PlanProgress {
 public:
  PlanProgress(Progress& progress, double total_units, double begin, double end)
      : counter_(&progress, "planning grids", std::max(total_units, 1.0), begin, end) {}
  void add(double units) {
    if (units > 0.0) counter_.add(units);
  }

 private:
  WorkCounter counter_;
};

/// Everything the per-community workers share (read-only).
struct Context {
  const Dataset& dataset;
  const geo::Tessellation& tess;
  const PartitionParams& params;
  const Plan* existing;
  std::vector<std::int32_t> local_index;  // building → index in its community's planned list
  std::vector<char> locked_building;
  bool keep_large_partitions = false;  // fill CommunityResult::large_partition (benchmarks)
  PlanProgress* progress = nullptr;    // "planning grids" (three units per planned building)
  /// Dataset::settled_footprints(), checked once per plan (the check reads every building).
  const FootprintSettling* settled = nullptr;
};

struct CommunityInput {
  std::int32_t community = kNone;
  std::vector<std::int32_t> buildings;     // planned (not locked), ascending
  std::vector<std::size_t> adjacency;      // tessellation adjacency with both ends planned here
  std::vector<std::int32_t> stations;      // compound stations inside the community
  std::vector<std::int32_t> locked_large;  // existing large grid indices kept as they are
};

/// Buildings split by units across micro grids: (building, runs of consecutive units in unit
/// order as (micro grid, number of units)).
using UnitRuns = std::vector<std::pair<std::int32_t, std::vector<std::pair<std::int32_t, int>>>>;

/// Households per (existing large grid, new large grid).
using MovedFlow = std::map<std::pair<std::int32_t, std::int32_t>, long long>;

struct CommunityResult {
  std::vector<Grid> large;
  std::vector<Grid> micro;                                // parent: index into `large`
  std::vector<std::vector<std::int32_t>> cell_buildings;  // per micro grid
  ProblemReporter problems;
  int buildings_split = 0;
  int compound_splits = 0;
  std::optional<LargeGridPartition> large_partition;
  /// Buildings split by units across micro grids: the runs of consecutive units, in unit order,
  /// as (micro grid index into `micro`, number of units). Their cells are cut between the runs.
  UnitRuns unit_runs;
  /// Re-plan: households per (existing large grid, new large grid index into `large`), a split
  /// building counted per unit (see CommunityPlanner::moved_flow).
  MovedFlow moved_flow;
};

inline Location community_location(const Dataset& dataset, std::int32_t community) {
  return dataset.communities[at(community)].source;
}

/// "community '名' (code)", for messages.
std::string community_label(const Dataset& dataset, std::int32_t community);

/// "building 12 '名'", for messages.
std::string building_label(const Dataset& dataset, std::int32_t b);

/// Households per unit (entrance, 单元) of a building that must be split. Building::units when
/// known; otherwise estimated as ⌈households / (2 × floors)⌉: two households per floor and
/// entrance (一梯两户) is the most common layout of Chinese residential blocks, so the estimate
/// errs towards more, smaller units, i.e. finer splits. Floors unknown (the loader normally
/// estimates them) count as 6 storeys. Households are spread evenly over the units: unit u holds
/// ⌊h·(u+1)/U⌋ − ⌊h·u/U⌋, so units differ by at most one household.
struct UnitHouseholds {
  std::vector<int> households;  // per unit, in entrance order
  bool estimated = false;       // units were not given by the source
};

/// No building has more entrances than this (the longest residential slabs have a few dozen). It
/// bounds the unit chain of absurd inputs — a 100 km footprint, a count of 10^9 — which would
/// otherwise become millions of unit atoms and exhaust memory.
constexpr int kMaxUnitsPerBuilding = 256;

UnitHouseholds unit_households(const Building& building);

/// How far (m) a tower's footprint must stay inside its cell's boundary for find_contact_units
/// to link every neighbour to its first unit without cutting the cell: more than twice the
/// 1 cm by which geo::pieces_bordering widens a piece (a later unit's piece, inside the
/// footprint, is then out of every neighbour's reach), and far above the 1 µm snap rounding
/// of the cut.
constexpr double kClearOfCellM = 0.05;

/// Whether `footprint` lies inside `cell` at least `margin` (m) from the cell's boundary, the
/// cell being one polygon without holes (no other cell inside it) and the footprint one polygon
/// (holes allowed: a courtyard then holds no other cell). Plain geometry on the rings, no GEOS.
bool footprint_clear_of_cell_boundary(const MultiPolygon& cell, const MultiPolygon& footprint,
                                      double margin);

/// How near (m, by bounding box) a later unit's piece of a cut tower must come to a neighbour's
/// cell or piece for find_contact_units to ask geo::pieces_bordering which unit it borders: that
/// function skips pairs of pieces more than 2 cm apart by box, so pairs farther than this cannot
/// give a later unit (tests/partition/test_contact_units.cpp checks it).
constexpr double kPiecesNearM = 0.1;

/// Whether a piece after the first of `a` comes within kPiecesNearM of any piece of `b`, or
/// one after the first of `b` of any piece of `a` (by their boxes, empty boxes never near): the
/// pieces of two sides of an adjacency, a whole cell being one piece. When not,
/// geo::pieces_bordering(a, b) returns no index above 0 (the neighbour links to unit 0).
bool later_unit_pieces_near(const std::vector<Box>& a, const std::vector<Box>& b);

/// Orders grids west→east within rows north→south and returns the order (indices into
/// `centroids`). Rows are `row_height_m` high, counted down from `top_y`.
std::vector<std::size_t> reading_order(const std::vector<Point>& centroids, double top_y,
                                       double row_height_m);

/// Plans one community: atoms, large grids, micro grids, metrics inside the community, codes.
/// Its member functions are defined in atoms.cpp, community_planner.cpp, infeasibility.cpp and
/// codes.cpp.
class CommunityPlanner {
 public:
  CommunityPlanner(const Context& ctx, const CommunityInput& input)
      : ctx_(ctx),
        in_(input),
        dataset_(ctx.dataset),
        tess_(ctx.tess),
        params_(ctx.params),
        n_(static_cast<std::int32_t>(input.buildings.size())) {}

  CommunityResult run();

 private:
  [[nodiscard]] const Building& building(std::int32_t local) const {
    return dataset_.buildings[at(in_.buildings[at(local)])];
  }
  [[nodiscard]] std::int32_t local_of(std::int32_t b) const { return ctx_.local_index[at(b)]; }
  [[nodiscard]] bool same_compound(std::int32_t la, std::int32_t lb) const {
    return building(la).compound != kNone && building(la).compound == building(lb).compound;
  }

  // community_planner.cpp
  void copy_locked();
  void recount(Grid& grid, const HouseholdBounds& bounds) const;
  void plan_large();
  void compound_parts();
  void previous_units_from_geometry(std::vector<PartId>& previous) const;
  static void connected_unit_runs(const AtomGraph& graph, std::vector<PartId>& previous,
                                  const std::vector<NodeId>& units,
                                  const std::vector<NodeId>& unplaced = {});
  /// Re-plan from the grids alone (no rows of runs): per local building split by units at
  /// the micro level, the previous micro grid of each unit, read from its strip (plan_micro).
  [[nodiscard]] std::map<std::int32_t, std::vector<PartId>> previous_unit_micro_from_geometry(
      const std::map<std::int32_t, std::vector<PartId>>& listed) const;
  [[nodiscard]] std::vector<NodeId> station_atoms() const;
  void join_undersized_across_soft(std::int32_t first);
  void moved_flow(const std::vector<std::int32_t>& new_index);
  void plan_micro();
  void report_split_buildings();
  void grid_connectivity();
  void compound_splits();

  // atoms.cpp
  void prepare_buildings();
  /// Buildings planned with the building holding their footprint (sets holder_, riders_).
  void find_riders();
  /// Atoms of the large-grid graph; returns the links between consecutive units of a tower.
  std::vector<std::pair<NodeId, NodeId>> make_large_atoms();
  /// The large-grid atom graph over the atoms (sets large_graph_). `report` (optional) gets the
  /// share of it done, from inside its loops over the adjacencies and the atoms.
  void build_large_graph(const std::vector<std::pair<NodeId, NodeId>>& unit_links,
                         const std::function<void(double)>& report = {});
  /// Towers split into units (households above the micro maximum): for each of their
  /// adjacencies, the unit whose piece of the cell the neighbour borders (sets contact_unit_).
  void find_contact_units();
  /// The unit of local building `local` that adjacency `k` (index into tess_.adjacency) touches:
  /// 0 for a building not split into units.
  [[nodiscard]] int contact_unit(std::size_t k, std::int32_t local) const;
  /// Whether units u and v of local building `local` are linked: consecutive units of a tower
  /// whose unit pieces chain (every tower but those in unit_touching_), else units whose pieces
  /// share an edge.
  [[nodiscard]] bool units_linked(std::int32_t local, int u, int v) const;

  // infeasibility.cpp
  void report_infeasible_large(const GraphPartition& large, std::int32_t first);
  /// `part_atoms`: the atoms of each part of the large-grid partition, in atom order.
  [[nodiscard]] std::string violating_parts_text(
      const InfeasibleContainer& container,
      const std::vector<std::vector<NodeId>>& part_atoms) const;
  void report_infeasible_micro(const Grid& parent, const GraphPartition& micro, std::int32_t first,
                               std::int32_t example_local);

  // codes.cpp
  void number_grids();

  const Context& ctx_;
  const CommunityInput& in_;
  const Dataset& dataset_;
  const geo::Tessellation& tess_;
  const PartitionParams& params_;
  const std::int32_t n_;
  CommunityResult result_;
  std::vector<Point> cell_centroid_;  // per local building
  double top_y_ = -INFINITY;
  std::vector<NodeId> atom_of_;  // per local building: the atom holding its cell
  std::vector<std::vector<std::int32_t>> atom_members_;  // per atom; empty for further units
  std::vector<long long> atom_households_;
  std::vector<std::int32_t> atom_building_;  // per atom: a local building in it
  std::vector<UnitHouseholds> large_units_;  // per local building above the large maximum
  /// Per local building: the local building it is planned with (a copy of it, or a footprint
  /// it holds inside: geo::footprint_holders), kNone for most; find_riders().
  std::vector<std::int32_t> holder_;
  std::map<std::int32_t, std::vector<std::int32_t>> riders_;  // holder → its riders, ascending
  std::vector<int> rider_unit_;  // per rider: the unit of its (tower) holder it goes with
  /// Per rider (local building): the slice and node position within it that carries it
  /// (plan_micro).
  std::map<std::int32_t, std::pair<std::size_t, int>> rider_node_;
  /// (adjacency index, local building) → unit of a split tower whose piece of the cell the
  /// neighbour borders; absent = unit 0 (docs/decisions/0008, "Barrier crossings").
  std::map<std::pair<std::size_t, std::int32_t>, int> contact_unit_;
  /// Towers whose consecutive units' pieces (the cut one weight per unit) do not all share an
  /// edge (an E-shaped tower, a complex wrapped around a court): local building → pairs (u < v)
  /// of units whose pieces do (geo::unit_pieces_touching). Their unit atoms and nodes are
  /// linked by these pairs instead of the chain u → u + 1 (docs/decisions/0008, round 9).
  std::map<std::int32_t, std::vector<std::pair<int, int>>> unit_touching_;
  /// Towers standing across a hard road (their cell in several hard faces, geo::CellSides):
  /// local building → the side of each unit (geo::unit_sides). Units on different sides are
  /// not linked (docs/decisions/0008, "A split tower across a hard road").
  std::map<std::int32_t, std::vector<int>> unit_side_;
  /// Whether units u and v of tower `local` lie on different sides of a hard road.
  [[nodiscard]] bool units_across(std::int32_t local, int u, int v) const;
  /// What one large grid holds of one building: all of it, or a run of consecutive units.
  struct Slice {
    std::int32_t local = kNone;
    int households = 0;
    std::int32_t large = kNone;        // index into result_.large
    bool has_cell = true;              // the run holding the first unit carries the building's cell
    std::vector<int> unit_households;  // of the run; empty = building not split at this level
  };
  std::vector<Slice> slices_;
  std::vector<PartId> previous_large_;  // re-plan: per large-graph atom, its existing large grid
  std::set<std::int32_t> split_buildings_;  // local buildings split by units (either level)
  struct UnitPiece {
    std::size_t slice, unit;
    std::int32_t micro;
    int units;
    bool operator<(const UnitPiece& o) const {
      return slice != o.slice ? slice < o.slice : unit < o.unit;
    }
  };
  std::map<std::int32_t, std::vector<UnitPiece>> unit_pieces_;  // local building → its nodes
  std::map<std::int32_t, long long> oversized_compounds_;
  /// Per local building: a local building standing for its compound's part that touches it
  /// inside this community (kNone outside a compound); compound_parts().
  std::vector<std::int32_t> compound_part_;
  std::map<std::int32_t, int> cut_compounds_;  // compound → parts inside this community, when > 1
  std::set<std::pair<std::int32_t, std::int32_t>> extra_links_;     // local pairs (lo, hi)
  std::set<std::pair<std::int32_t, std::int32_t>> cellless_links_;  // of cell-less buildings
  AtomGraph large_graph_;
  std::vector<PartId> large_part_;
  PartId large_count_ = 0;
  std::vector<std::int32_t> building_large_;  // per local building: index into result_.large
  std::vector<std::int32_t> micro_of_;        // per local building: micro grid holding its cell
  std::vector<Point> centroid_;               // per large grid
  std::vector<double> area_;
  std::vector<Point> micro_centroid_;
  std::vector<double> micro_area_;
};

// assembly.cpp: the communities' results → one plan, in community order (deterministic whatever
// the thread schedule).

/// Grids, building → grid tables, problems and counters of every community into `plan`; returns
/// per micro grid the buildings whose cells it holds, and fills `unit_runs` (micro indices of the
/// plan) and `moved_flow` (large indices of the plan).
std::vector<std::vector<std::int32_t>> merge_communities(
    const Dataset& dataset, std::vector<CommunityResult>& results,
    const std::vector<CommunityInput>& inputs, std::vector<LargeGridPartition>* large_partitions,
    Plan& plan, UnitRuns& unit_runs, MovedFlow& moved_flow);

/// Grid polygons: micro grids from cells (cells of towers split by units cut between the runs),
/// large grids from their micro grids; area, perimeter and compactness of each. Returns per large
/// grid whether its polygon came from the noding union (not an exact coverage).
std::vector<char> grid_polygons(const Dataset& dataset, const geo::Tessellation& tess,
                                const std::vector<std::vector<std::int32_t>>& cell_buildings,
                                const UnitRuns& unit_runs, Plan& plan, Progress& progress);

/// Coverage gap and overlap per community against the community polygon, and micro overlap.
/// Reports "coverage check" from 0 to 1 in grids merged.
void coverage(const Dataset& dataset, const std::vector<char>& large_noded, Plan& plan,
              Progress& progress);

/// The plan's totals over its grids and, re-planning, the households moved.
void plan_metrics(const Dataset& dataset, const Context& ctx, const Plan* existing,
                  MovedFlow moved_flow, Plan& plan);

/// Area, perimeter and Polsby–Popper compactness of a grid's polygon.
void fill_polygon_metrics(Grid& grid);

}  // namespace gp::partition::detail
