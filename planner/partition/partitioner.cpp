// make_plan: atoms and graphs per community, large then micro grids, polygons, codes, metrics.
// See docs/decisions/0005-partition.md for the reasons behind each step.

#include "planner/partition/partitioner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>

#include "planner/core/errors.hpp"
#include "planner/core/parallel.hpp"
#include "planner/core/point_in_polygon.hpp"
#include "planner/geo/cell_split.hpp"
#include "planner/geo/geos.hpp"
#include "planner/partition/graph_partition.hpp"

namespace gp {
namespace {

using partition::AtomGraph;
using partition::AtomGraphBuilder;
using partition::GraphPartition;
using partition::GraphPartitionOptions;
using partition::InfeasibleContainer;
using partition::kNoPart;
using partition::NodeId;
using partition::PartId;

std::size_t at(std::int32_t i) {
  return static_cast<std::size_t>(i);
}

std::string padded(long long number, int width) {
  std::string digits = std::to_string(number);
  if (static_cast<int>(digits.size()) < width)
    digits.insert(0, static_cast<std::size_t>(width - static_cast<int>(digits.size())), '0');
  return digits;
}

/// Even-odd point-in-polygon over every ring (holes included), boundary counted as inside-ish.
bool contains(const MultiPolygon& shape, Point p) {
  bool inside = false;
  auto ring_test = [&](const Ring& ring) {
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
      const Point& a = ring[i];
      const Point& b = ring[j];
      if (ray_crosses(a, b, p)) inside = !inside;
    }
  };
  for (const Polygon& polygon : shape) {
    if (polygon.outer.size() < 4) continue;
    ring_test(polygon.outer);
    for (const Ring& hole : polygon.holes)
      if (hole.size() >= 4) ring_test(hole);
  }
  return inside;
}

bool box_contains(const Box& box, Point p) {
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

std::string bounds_text(const HouseholdBounds& bounds) {
  return std::to_string(bounds.min) + "–" + std::to_string(bounds.max);
}

const char* policy_name(InfeasiblePolicy policy) {
  return policy == InfeasiblePolicy::allow_undersized ? "allow-undersized" : "join-across-soft";
}

/// Everything the per-community workers share (read-only).
struct Context {
  const Dataset& dataset;
  const geo::Tessellation& tess;
  const PartitionParams& params;
  const Plan* existing;
  std::vector<std::int32_t> local_index;  // building → index in its community's planned list
  std::vector<char> locked_building;
  bool keep_large_partitions = false;  // fill CommunityResult::large_partition (benchmarks)
};

struct CommunityInput {
  std::int32_t community = kNone;
  std::vector<std::int32_t> buildings;     // planned (not locked), ascending
  std::vector<std::size_t> adjacency;      // tessellation adjacency with both ends planned here
  std::vector<std::int32_t> stations;      // compound stations inside the community
  std::vector<std::int32_t> locked_large;  // existing large grid indices kept as they are
};

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
  std::vector<std::pair<std::int32_t, std::vector<std::pair<std::int32_t, int>>>> unit_runs;
  /// Re-plan: households per (existing large grid, new large grid index into `large`), a split
  /// building counted per unit (see CommunityPlanner::moved_flow).
  std::map<std::pair<std::int32_t, std::int32_t>, long long> moved_flow;
};

Location community_location(const Dataset& dataset, std::int32_t community) {
  return dataset.communities[at(community)].source;
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

/// Orders grids west→east within rows north→south and returns the order (indices into
/// `centroids`). Rows are `row_height_m` high, counted down from `top_y`.
std::vector<std::size_t> reading_order(const std::vector<Point>& centroids, double top_y,
                                       double row_height_m) {
  std::vector<std::size_t> order(centroids.size());
  std::iota(order.begin(), order.end(), 0);
  const double h = row_height_m > 0.0 ? row_height_m : 1.0;
  auto row = [&](std::size_t i) {
    return static_cast<long long>(std::floor((top_y - centroids[i].y) / h));
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t l, std::size_t r) {
    const long long rl = row(l), rr = row(r);
    if (rl != rr) return rl < rr;
    if (centroids[l].x != centroids[r].x) return centroids[l].x < centroids[r].x;
    return l < r;
  });
  return order;
}

class CommunityPlanner {
 public:
  CommunityPlanner(const Context& ctx, const CommunityInput& input)
      : ctx_(ctx),
        in_(input),
        dataset_(ctx.dataset),
        tess_(ctx.tess),
        params_(ctx.params),
        n_(static_cast<std::int32_t>(input.buildings.size())) {}

  CommunityResult run() {
    copy_locked();
    if (n_ > 0) {
      prepare_buildings();
      plan_large();
      plan_micro();
      grid_connectivity();
      compound_splits();
    }
    number_grids();
    return std::move(result_);
  }

 private:
  [[nodiscard]] const Building& building(std::int32_t local) const {
    return dataset_.buildings[at(in_.buildings[at(local)])];
  }
  [[nodiscard]] std::int32_t local_of(std::int32_t b) const { return ctx_.local_index[at(b)]; }
  [[nodiscard]] bool same_compound(std::int32_t la, std::int32_t lb) const {
    return building(la).compound != kNone && building(la).compound == building(lb).compound;
  }

  void copy_locked() {
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
  void recount(Grid& grid, const HouseholdBounds& bounds) const {
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

  void prepare_buildings() {
    const auto n = at(n_);
    cell_centroid_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::int32_t b = in_.buildings[i];
      const MultiPolygon& cell = tess_.cells[at(b)];
      cell_centroid_[i] =
          cell.empty() ? centroid(dataset_.buildings[at(b)].footprint) : centroid(cell);
      top_y_ = std::max(top_y_, cell.empty() ? cell_centroid_[i].y : bounds(cell).max_y);
    }
    // Buildings without a cell (the tessellation could not place one) are linked to the nearest
    // building with a cell, so they still belong to a grid.
    for (std::int32_t i = 0; i < n_; ++i) {
      if (!tess_.cells[at(in_.buildings[at(i)])].empty()) continue;
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
  }

  // ---- large grids --------------------------------------------------------------------------
  void plan_large() {
    const HouseholdBounds& bounds = params_.large;
    // Compounds are contracted while they fit the large-grid maximum.
    std::map<std::int32_t, long long> compound_households;
    for (std::int32_t i = 0; i < n_; ++i)
      if (building(i).compound != kNone)
        compound_households[building(i).compound] += building(i).households;
    atom_of_.assign(at(n_), kNone);
    large_units_.assign(at(n_), {});
    std::map<std::int32_t, NodeId> compound_atom;
    std::vector<std::pair<NodeId, NodeId>> unit_links;  // consecutive units of one building
    for (std::int32_t i = 0; i < n_; ++i) {
      const std::int32_t c = building(i).compound;
      if (c != kNone && compound_households[c] <= bounds.max) {
        auto [it, fresh] = compound_atom.emplace(c, static_cast<NodeId>(atom_members_.size()));
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
      UnitHouseholds units = unit_households(building(i));
      atom_households_[at(atom_of_[at(i)])] += units.households.front();
      NodeId previous = atom_of_[at(i)];
      for (std::size_t u = 1; u < units.households.size(); ++u) {
        const auto unit_atom = static_cast<NodeId>(atom_members_.size());
        atom_members_.emplace_back();  // no cell: the building is a member of its first atom
        atom_households_.push_back(units.households[u]);
        atom_building_.push_back(i);
        unit_links.emplace_back(previous, unit_atom);
        previous = unit_atom;
      }
      large_units_[at(i)] = std::move(units);
    }
    for (auto [c, h] : compound_households)
      if (h > bounds.max) oversized_compounds_[c] = h;

    const auto atoms = static_cast<std::int32_t>(atom_members_.size());
    std::vector<double> inner(at(atoms), 0.0);
    struct Link {
      NodeId a, b;
      double length;
      std::int32_t la, lb;
    };
    std::vector<Link> edges, hard_links;
    std::set<std::int32_t> spanning;
    for (std::size_t k : in_.adjacency) {
      const geo::CellAdjacency& adj = tess_.adjacency[k];
      const std::int32_t la = local_of(adj.a), lb = local_of(adj.b);
      const NodeId a = atom_of_[at(la)], b = atom_of_[at(lb)];
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
    for (const auto& [a, b] : unit_links)
      edges.push_back({a, b, 0.0, atom_building_[at(a)], atom_building_[at(b)]});

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
    }
    const auto started = std::chrono::steady_clock::now();
    GraphPartition large = partition_graph(large_graph_, options);
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
        if (u == 0 || slices_.back().large != grid) slices_.push_back({i, 0, grid, u == 0, {}});
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
    if (params_.policy == InfeasiblePolicy::join_across_soft) join_undersized_across_soft(first);
    report_infeasible_large(large, first);
  }

  /// A plan lists a split tower under one grid, but its units lay in several: each unit takes
  /// the previous large grid holding its strip of the tower's cell (the first unit's strip
  /// holds the rest of the cell, as the first run's grid does; the listed grid is the one
  /// holding the building's representative point, which need not be the first run's), cut as
  /// the export cut it (split_cell_along_building, one weight per unit: the runs' cuts fall on unit
  /// boundaries). Without this every unit of a tower landed in one previous grid, which then
  /// broke the bounds, and re-planning an unchanged plan moved households (issue 12).
  void previous_units_from_geometry(std::vector<PartId>& previous) const {
    const Plan& existing = *ctx_.existing;
    for (std::int32_t i = 0; i < n_; ++i) {
      const std::vector<int>& units = large_units_[at(i)].households;
      const std::int32_t b = in_.buildings[at(i)];
      if (units.size() < 2 || tess_.cells[at(b)].empty()) continue;
      const std::vector<MultiPolygon> strips = geo::split_cell_along_building(
          tess_.cells[at(b)], building(i).footprint, std::vector<double>(units.size(), 1.0));
      for (std::size_t u = 0; u < units.size() && u < strips.size(); ++u) {
        if (strips[u].empty()) continue;
        const Point p = geo::point_on_surface(strips[u]);
        for (std::size_t g = 0; g < existing.large_grids.size(); ++g) {
          const MultiPolygon& polygon = existing.large_grids[g].polygon;
          if (box_contains(bounds(polygon), p) && contains(polygon, p)) {
            // A split building is never inside a contracted compound: its unit atoms are the
            // ids right after its first atom.
            previous[at(atom_of_[at(i)] + static_cast<NodeId>(u))] = static_cast<PartId>(g);
            break;
          }
        }
      }
      contiguous_unit_runs(previous, atom_of_[at(i)], units.size());
    }
  }

  /// The units of a tower in one previous grid formed one run of the chain (a grid is
  /// connected, and units after the first link only to their neighbours in the chain), but a
  /// strip's point can fall on the wrong side of a run boundary: the labels are made contiguous
  /// again, keeping how many units each grid had, in the order of their units' mean index
  /// (Helsinki: one tower's units alternated between two grids; 33 → 0 households moved).
  static void contiguous_unit_runs(std::vector<PartId>& previous, NodeId first, std::size_t count) {
    struct Run {
      PartId grid;
      std::size_t units = 0;
      double index_sum = 0.0;
    };
    std::vector<Run> runs;
    for (std::size_t u = 0; u < count; ++u) {
      const PartId g = previous[at(first + static_cast<NodeId>(u))];
      auto it = std::find_if(runs.begin(), runs.end(), [g](const Run& r) { return r.grid == g; });
      if (it == runs.end()) it = runs.insert(runs.end(), Run{g});
      ++it->units;
      it->index_sum += static_cast<double>(u);
    }
    if (runs.size() < 2) return;
    std::stable_sort(runs.begin(), runs.end(), [](const Run& l, const Run& r) {
      return l.index_sum / static_cast<double>(l.units) <
             r.index_sum / static_cast<double>(r.units);
    });
    std::size_t u = 0;
    for (const Run& run : runs)
      for (std::size_t k = 0; k < run.units; ++k, ++u)
        previous[at(first + static_cast<NodeId>(u))] = run.grid;
  }

  std::vector<NodeId> station_atoms() const {
    std::vector<NodeId> seeds;
    for (std::int32_t s : in_.stations) {
      const Point p = dataset_.stations[at(s)].location;
      for (std::int32_t i = 0; i < n_; ++i) {
        const MultiPolygon& cell = tess_.cells[at(in_.buildings[at(i)])];
        if (!cell.empty() && box_contains(bounds(cell), p) && contains(cell, p)) {
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
  void join_undersized_across_soft(std::int32_t first) {
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
        if (best == kNone || result_.large[at(other)].metrics.households <
                                 result_.large[at(best)].metrics.households)
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
  void moved_flow(const std::vector<std::int32_t>& new_index) {
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

  void report_infeasible_large(const GraphPartition& large, std::int32_t first) {
    const HouseholdBounds& bounds = params_.large;
    const auto components = partition::connected_components(large_graph_);
    for (const InfeasibleContainer& container : large.infeasible) {
      std::vector<std::int32_t> members;  // local building indices
      for (NodeId a = 0; a < large_graph_.node_count(); ++a)
        if (components.of_node[at(a)] == container.component)
          members.insert(members.end(), atom_members_[at(a)].begin(), atom_members_[at(a)].end());
      std::sort(members.begin(), members.end());
      members.erase(std::unique(members.begin(), members.end()), members.end());
      const bool whole = static_cast<std::int32_t>(members.size()) == n_;
      std::string what;
      if (whole) {
        what = "the whole community";
      } else {
        std::set<std::int32_t> compounds;
        for (std::int32_t i : members) compounds.insert(building(i).compound);
        if (compounds.size() == 1 && *compounds.begin() != kNone) {
          const Compound& c = dataset_.compounds[at(*compounds.begin())];
          what = "compound '" + c.name + "' (" + c.ref + "), cut off by hard barriers,";
        } else {
          what = "an area of " + std::to_string(members.size()) +
                 " buildings cut off by hard "
                 "barriers (rivers, rail, major roads), e.g. " +
                 building_label(dataset_, in_.buildings[at(members.front())]) + ",";
        }
      }
      std::ostringstream message;
      message << community_label(dataset_, in_.community) << ": " << what << " holds "
              << container.households << " households";
      std::string kind;
      switch (container.why) {
        case partition::Infeasibility::below_minimum:
          kind = "container-below-minimum";
          message << ", fewer than the large-grid minimum of " << bounds.min
                  << "; it is kept as one undersized large grid (policy "
                  << policy_name(params_.policy) << ")";
          break;
        case partition::Infeasibility::no_feasible_count:
          kind = "container-no-feasible-division";
          message << ": no number of large grids puts each within " << bounds_text(bounds)
                  << " households (" << container.min_parts << " grids would be needed for the "
                  << "maximum, at most " << container.max_parts << " allow the minimum); it is "
                  << "divided into " << container.parts << " grids below the minimum, none above "
                  << "the maximum (policy " << policy_name(params_.policy) << ")";
          break;
        case partition::Infeasibility::granularity:
          kind = "container-granularity";
          message << ": its compounds (kept whole) and buildings are too coarse, or joined too "
                  << "narrowly, to divide within " << bounds_text(bounds) << " households; "
                  << container.violating_parts.size() << " of " << container.parts
                  << " large grids stay outside the bounds ("
                  << violating_parts_text(large, container) << "); "
                  << (container.atom_above_max
                          ? "a single building (or one entrance of it) holds more than the "
                            "maximum, so no division can keep every grid within the bounds"
                      : container.proven
                          ? "an exhaustive search over every division into connected grids "
                            "found none within the bounds"
                          : "no division within the bounds was found (the area is too large "
                            "for an exhaustive search, so one may exist)");
          break;
      }
      (void)first;
      result_.problems.report(Severity::warning, kind, community_location(dataset_, in_.community),
                              message.str());
    }
  }

  /// "a grid of 270 households (with compound '甲' 124, compound '乙' 112), …" for the parts
  /// the partition left outside the bounds: what made them coarse.
  std::string violating_parts_text(const GraphPartition& large,
                                   const InfeasibleContainer& container) const {
    std::ostringstream text;
    bool first_part = true;
    // Three grids say what made the container coarse; a gigantic one would list hundreds.
    constexpr std::size_t kListed = 3;
    std::size_t listed = 0;
    for (PartId p : container.violating_parts) {
      if (listed++ == kListed) {
        text << "; and " << container.violating_parts.size() - kListed << " more";
        break;
      }
      long long households = 0;
      std::vector<std::pair<long long, std::string>> whole;  // compounds kept whole
      for (NodeId a = 0; a < large_graph_.node_count(); ++a) {
        if (large.part[at(a)] != p) continue;
        households += large_graph_.households[at(a)];
        const auto& members = atom_members_[at(a)];
        if (!members.empty() && building(members[0]).compound != kNone &&
            (members.size() > 1 || !oversized_compounds_.count(building(members[0]).compound)))
          whole.emplace_back(-atom_households_[at(a)],
                             dataset_.compounds[at(building(members[0]).compound)].name);
      }
      if (!first_part) text << "; ";
      first_part = false;
      text << "a grid of " << households << " households";
      std::sort(whole.begin(), whole.end());
      if (!whole.empty()) text << " with compound";
      for (std::size_t k = 0; k < whole.size() && k < 3; ++k)
        text << (k ? ", '" : " '") << whole[k].second << "' " << -whole[k].first;
    }
    return text.str();
  }

  // ---- micro grids --------------------------------------------------------------------------
  void plan_micro() {
    const HouseholdBounds& bounds = params_.micro;
    // Adjacency bucketed by large grid (only pairs inside one grid matter here).
    std::map<std::int32_t, std::vector<std::size_t>> inside;
    for (std::size_t k : in_.adjacency) {
      const geo::CellAdjacency& adj = tess_.adjacency[k];
      const std::int32_t la = local_of(adj.a), lb = local_of(adj.b);
      if (building_large_[at(la)] != building_large_[at(lb)]) continue;
      if (adj.crossing == geo::Crossing::hard && !same_compound(la, lb) &&
          !extra_links_.count({std::min(la, lb), std::max(la, lb)}))
        continue;
      inside[building_large_[at(la)]].push_back(k);
    }
    std::map<std::int32_t, std::vector<std::size_t>> slices_in;  // large grid → slice indices
    for (std::size_t k = 0; k < slices_.size(); ++k) slices_in[slices_[k].large].push_back(k);
    micro_of_.assign(at(n_), kNone);
    std::vector<NodeId> node_of(at(n_), kNone);  // local building → node holding its cell
    for (auto& [g, slice_list] : slices_in) {
      AtomGraphBuilder builder;
      struct Node {
        std::int32_t local;
        bool has_cell;
        std::size_t slice;  // index into slices_
        std::size_t unit;   // position of the node's first unit within the slice
        int units;          // units the node holds
      };
      std::vector<Node> nodes;
      for (std::size_t k : slice_list) {
        const Slice& slice = slices_[k];
        const std::int32_t i = slice.local;
        const std::int32_t bi = in_.buildings[at(i)];
        const double weight = building(i).workload_weight;
        // A slice above the micro maximum becomes a chain of its units, as at the large level:
        // the first unit keeps the cell (if the slice has it), the others link to the previous.
        std::vector<int> units{slice.households};
        if (slice.households > bounds.max) {
          units = slice.unit_households.empty() ? unit_households(building(i)).households
                                                : slice.unit_households;
          if (units.size() > 1) split_buildings_.insert(i);
        }
        NodeId previous = kNone;
        for (std::size_t u = 0; u < units.size(); ++u) {
          const bool cell = slice.has_cell && u == 0;
          const NodeId v =
              builder.add_node(units[u], units[u] * weight, cell ? tess_.cell_area_m2[at(bi)] : 0.0,
                               cell ? tess_.cell_perimeter_m[at(bi)] : 0.0, cell_centroid_[at(i)]);
          const int node_units =
              units.size() > 1 ? 1 : std::max(1, static_cast<int>(slice.unit_households.size()));
          nodes.push_back({i, cell, k, u, node_units});
          if (cell) node_of[at(i)] = v;
          if (previous != kNone) builder.add_edge(previous, v, 0.0);
          previous = v;
        }
      }
      for (std::size_t k : inside[g]) {
        const geo::CellAdjacency& adj = tess_.adjacency[k];
        builder.add_edge(node_of[at(local_of(adj.a))], node_of[at(local_of(adj.b))],
                         adj.shared_length_m);
      }
      for (const auto& [la, lb] : extra_links_)
        if (building_large_[at(la)] == g && building_large_[at(lb)] == g)
          builder.add_edge(node_of[at(la)], node_of[at(lb)], 0.0);
      AtomGraph graph = builder.build();
      GraphPartitionOptions options;
      options.bounds = bounds;
      options.weights = params_.weights;
      options.refinement_passes = params_.refinement_passes;
      options.seed =
          params_.seed ^
          (0x3C0FFEEULL * static_cast<std::uint64_t>(in_.buildings[at(nodes.front().local)] + 1));
      if (ctx_.existing && ctx_.existing->building_micro.size() == dataset_.buildings.size()) {
        options.previous.assign(nodes.size(), kNoPart);
        for (std::size_t v = 0; v < nodes.size(); ++v)
          options.previous[v] =
              ctx_.existing->building_micro[at(in_.buildings[at(nodes[v].local)])];
      }
      GraphPartition micro = partition_graph(graph, options);
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
      const Grid& parent = result_.large[at(g)];
      for (const InfeasibleContainer& container : micro.infeasible) {
        // An undersized large grid is already reported; its single micro grid is no news.
        if (parent.metrics.below_min && container.parts == 1) continue;
        std::ostringstream message;
        message << community_label(dataset_, in_.community) << ": a part of a large grid holding "
                << container.households << " households (e.g. "
                << building_label(dataset_, in_.buildings[at(nodes.front().local)])
                << ") cannot be divided into micro grids of " << bounds_text(bounds)
                << " households (" << partition::to_string(container.why)
                << (container.why == partition::Infeasibility::granularity
                        ? (container.proven ? ", proven by exhaustive search" : ", not proven")
                        : "")
                << "); " << container.violating_parts.size() << " of " << container.parts
                << " micro grids stay outside the bounds";
        result_.problems.report(Severity::info, "micro-grid-out-of-bounds",
                                community_location(dataset_, in_.community), message.str());
      }
    }
    report_split_buildings();
  }

  /// One report per building whose units ended up in more than one grid (large or micro).
  void report_split_buildings() {
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
              << " households, above the " << (above_large ? "large" : "micro")
              << "-grid maximum of " << (above_large ? params_.large.max : params_.micro.max)
              << "; split at unit (entrance) boundaries into " << large << " large and " << micro
              << " micro grids; " << units.households.size()
              << (units.estimated ? " units estimated as ⌈households / (2 × " +
                                        std::to_string(b.floors > 0 ? b.floors : 6) + " floors)⌉"
                                  : " units");
      ++result_.buildings_split;
      result_.problems.report(Severity::info, "building-split-by-units", b.source, message.str());
    }
  }

  // ---- metrics inside the community ---------------------------------------------------------
  void grid_connectivity() {
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
      for (const auto& members : atom_members_)  // a contracted compound is one large-grid unit
        for (std::int32_t i : compounds_are_units ? members : std::vector<std::int32_t>{})
          if (grid_of[at(i)] == grid_of[at(members.front())]) {
            allowed.unite(i, members.front());
            soft.unite(i, members.front());
          }
      std::map<std::int32_t, std::set<std::int32_t>> roots, household_roots;
      for (std::int32_t i = 0; i < n_; ++i) {
        if (grid_of[at(i)] == kNone) continue;
        roots[grid_of[at(i)]].insert(allowed.find(i));
        if (building(i).households > 0) household_roots[grid_of[at(i)]].insert(soft.find(i));
      }
      for (auto& [g, r] : roots) grids[at(g)].metrics.contiguous = r.size() <= 1;
      for (auto& [g, r] : household_roots)
        grids[at(g)].metrics.barrier_crossings = static_cast<int>(r.size()) - 1;
    };
    evaluate(building_large_, result_.large, true);
    evaluate(micro_of_, result_.micro, false);
  }

  void compound_splits() {
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
      std::string why = it != oversized_compounds_.end()
                            ? "it holds " + std::to_string(it->second) +
                                  " households, above the large-grid maximum of " +
                                  std::to_string(params_.large.max)
                            : "part of it is in a locked grid";
      result_.problems.report(Severity::info, "compound-split", compound.source,
                              "compound '" + compound.name + "' (" + compound.ref +
                                  ") is split along buildings into " +
                                  std::to_string(grids.size()) + " large grids: " + why);
    }
  }

  // ---- codes --------------------------------------------------------------------------------
  void number_grids() {
    if (result_.large.empty()) return;
    const std::string prefix = community_code(dataset_, in_.community);
    const std::string community_name = dataset_.communities[at(in_.community)].name;
    double total_area = 0.0, top = top_y_;
    for (std::size_t g = 0; g < result_.large.size(); ++g) {
      total_area += area_[g];
      if (result_.large[g].locked) top = std::max(top, bounds(result_.large[g].polygon).max_y);
    }
    const double row_height = std::sqrt(total_area / static_cast<double>(result_.large.size()));
    std::set<std::string> used;
    for (const Grid& g : result_.large)
      if (g.locked) used.insert(g.code);
    int number = 0;
    for (std::size_t g : reading_order(centroid_, top, row_height)) {
      Grid& grid = result_.large[g];
      if (grid.locked) continue;
      do {
        ++number;
        grid.code = prefix + padded(number, 2);
      } while (used.count(grid.code));
      grid.name = community_name + "第" + padded(number, 2) + "网格";
    }
    // Micro grids: per large grid, same reading order.
    std::map<std::int32_t, std::vector<std::size_t>> by_parent;
    for (std::size_t m = 0; m < result_.micro.size(); ++m)
      if (!result_.micro[m].locked) by_parent[result_.micro[m].parent].push_back(m);
    for (auto& [parent, list] : by_parent) {
      std::vector<Point> centres;
      double parent_area = 0.0, parent_top = -INFINITY;
      for (std::size_t m : list) {
        centres.push_back(micro_centroid_[m]);
        parent_area += micro_area_[m];
        parent_top = std::max(parent_top, micro_centroid_[m].y);
      }
      const Grid& large = result_.large[at(parent)];
      const double height =
          std::sqrt(std::max(parent_area, 1.0) / static_cast<double>(list.size()));
      int micro_number = 0;
      for (std::size_t k : reading_order(centres, parent_top + height / 2, height)) {
        Grid& grid = result_.micro[list[k]];
        ++micro_number;
        grid.code = large.code + padded(micro_number, 2);
        grid.name = large.name + "第" + padded(micro_number, 2) + "微网格";
      }
    }
    if (result_.large.size() > 99)
      result_.problems.report(Severity::warning, "grid-code-overflow",
                              community_location(dataset_, in_.community),
                              community_label(dataset_, in_.community) + " has " +
                                  std::to_string(result_.large.size()) +
                                  " large grids; codes above 99 use 3 digits (CJ/T 349 allows 2)");
    // Final order: by code, micro grids by parent code then code.
    std::vector<std::size_t> order(result_.large.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t l, std::size_t r) {
      return result_.large[l].code < result_.large[r].code;
    });
    std::vector<std::int32_t> new_index(order.size());
    std::vector<Grid> sorted;
    for (std::size_t k = 0; k < order.size(); ++k) {
      new_index[order[k]] = static_cast<std::int32_t>(k);
      sorted.push_back(std::move(result_.large[order[k]]));
    }
    result_.large = std::move(sorted);
    for (Grid& m : result_.micro) m.parent = new_index[at(m.parent)];
    std::vector<std::size_t> micro_order(result_.micro.size());
    std::iota(micro_order.begin(), micro_order.end(), 0);
    std::sort(micro_order.begin(), micro_order.end(), [&](std::size_t l, std::size_t r) {
      return result_.micro[l].code < result_.micro[r].code;
    });
    std::vector<Grid> micro_sorted;
    std::vector<std::vector<std::int32_t>> cells_sorted;
    std::vector<std::int32_t> new_micro_index(micro_order.size());
    for (std::size_t m : micro_order) {
      new_micro_index[m] = static_cast<std::int32_t>(micro_sorted.size());
      micro_sorted.push_back(std::move(result_.micro[m]));
      cells_sorted.push_back(std::move(result_.cell_buildings[m]));
    }
    result_.micro = std::move(micro_sorted);
    result_.cell_buildings = std::move(cells_sorted);
    moved_flow(new_index);
    for (auto& [building_index, runs] : result_.unit_runs)
      for (auto& run : runs) run.first = new_micro_index[at(run.first)];
  }

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

void fill_polygon_metrics(Grid& grid) {
  grid.metrics.area_m2 = area(grid.polygon);
  grid.metrics.perimeter_m = perimeter(grid.polygon);
  grid.metrics.compactness = polsby_popper(grid.metrics.area_m2, grid.metrics.perimeter_m);
}

}  // namespace

std::string community_code(const Dataset& dataset, std::int32_t community) {
  const Community& c = dataset.communities[at(community)];
  if (!c.code.empty()) return c.code;
  return "99" + padded(community + 1, 10);
}

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
            contains(shape, dataset.stations[s].location)) {
          inputs[c].stations.push_back(static_cast<std::int32_t>(s));
          break;
        }
      }
    }

  std::vector<CommunityResult> results(communities);
  parallel_for(std::size_t{0}, communities,
               [&](std::size_t c) { results[c] = CommunityPlanner(ctx, inputs[c]).run(); });
  progress.update("planning grids", 0.6);

  // Assemble in community order (deterministic whatever the thread schedule).
  plan.building_large.assign(building_count, kNone);
  plan.building_micro.assign(building_count, kNone);
  std::vector<std::vector<std::int32_t>> cell_buildings;
  // Buildings split by units across micro grids: (building, runs of (micro grid, units)).
  std::vector<std::pair<std::int32_t, std::vector<std::pair<std::int32_t, int>>>> unit_runs;
  std::map<std::pair<std::int32_t, std::int32_t>, long long> moved_flow;
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

  // Polygons: micro grids from cells, large grids from their micro grids (both coverages).
  progress.update("grid polygons", 0.7);
  // The cell of a building split by units is cut across the building, one piece per run of
  // units, so that every grid holding a run has a polygon and the grids still tile the
  // community. Grids holding such pieces are not exact coverages any more (a cut ends on a
  // neighbouring cell's edge without a vertex there): they use the noding union.
  std::vector<std::vector<MultiPolygon>> unit_pieces(unit_runs.size());
  parallel_for(std::size_t{0}, unit_runs.size(), [&](std::size_t k) {
    const auto& [b, runs] = unit_runs[k];
    std::vector<double> weights;
    for (const auto& run : runs) weights.push_back(run.second);
    unit_pieces[k] = geo::split_cell_along_building(tess.cells[at(b)],
                                                    dataset.buildings[at(b)].footprint, weights);
  });
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
  std::vector<std::vector<const MultiPolygon*>> extra_pieces(plan.micro_grids.size());
  std::vector<char> micro_noded(plan.micro_grids.size(), 0);
  std::set<std::int32_t> cut_cells;
  for (std::size_t k = 0; k < unit_runs.size(); ++k) {
    if (tess.cells[at(unit_runs[k].first)].empty()) continue;
    cut_cells.insert(unit_runs[k].first);
    for (std::size_t j = 0; j < unit_runs[k].second.size(); ++j) {
      const auto m = at(unit_runs[k].second[j].first);
      if (!unit_pieces[k][j].empty()) extra_pieces[m].push_back(&unit_pieces[k][j]);
      micro_noded[m] = 1;
    }
  }
  parallel_for(std::size_t{0}, plan.micro_grids.size(), [&](std::size_t m) {
    Grid& grid = plan.micro_grids[m];
    if (!grid.locked) {
      std::vector<const MultiPolygon*> cells = extra_pieces[m];
      for (std::int32_t b : cell_buildings[m])
        if (!tess.cells[at(b)].empty() && !cut_cells.count(b)) cells.push_back(&tess.cells[at(b)]);
      grid.polygon = cells.empty()    ? MultiPolygon{}
                     : micro_noded[m] ? geo::union_polygons(cells)
                                      : geo::union_cells(cells);
    }
    fill_polygon_metrics(grid);
  });
  std::vector<std::vector<const MultiPolygon*>> micro_polygons(plan.large_grids.size());
  std::vector<char> large_noded(plan.large_grids.size(), 0);
  for (std::size_t m = 0; m < plan.micro_grids.size(); ++m) {
    const Grid& micro = plan.micro_grids[m];
    if (!micro.polygon.empty()) micro_polygons[at(micro.parent)].push_back(&micro.polygon);
    if (micro_noded[m]) large_noded[at(micro.parent)] = 1;
  }
  parallel_for(std::size_t{0}, plan.large_grids.size(), [&](std::size_t g) {
    Grid& grid = plan.large_grids[g];
    if (!grid.locked) {
      const std::vector<const MultiPolygon*>& parts = micro_polygons[g];
      grid.polygon = parts.empty()    ? MultiPolygon{}
                     : large_noded[g] ? geo::union_polygons(parts)
                                      : geo::union_cells(parts);
    }
    fill_polygon_metrics(grid);
  });

  // Coverage: per community, the union of its large grids against the community polygon, and
  // the overlap as Σ areas − area of the union. Micro overlap inside each large grid likewise.
  progress.update("coverage check", 0.9);
  std::vector<std::vector<const MultiPolygon*>> by_community(communities);
  std::vector<char> community_noded(communities, 0);
  for (std::size_t g = 0; g < plan.large_grids.size(); ++g) {
    const Grid& grid = plan.large_grids[g];
    if (!grid.polygon.empty()) by_community[at(grid.community)].push_back(&grid.polygon);
    if (large_noded[g]) community_noded[at(grid.community)] = 1;
  }
  std::vector<double> gap(communities, 0.0), overlap(communities, 0.0);
  parallel_for(std::size_t{0}, communities, [&](std::size_t c) {
    if (by_community[c].empty()) return;
    const MultiPolygon all = community_noded[c] ? geo::union_polygons(by_community[c])
                                                : geo::union_cells(by_community[c]);
    const double union_area = area(all);
    double sum = 0.0;
    for (const MultiPolygon* p : by_community[c]) sum += area(*p);
    gap[c] = std::abs(area(dataset.communities[c].footprint) - union_area);
    overlap[c] = std::max(0.0, sum - union_area);
  });
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

  // Plan metrics.
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
  progress.update("planning grids", 1.0);
  return plan;
}

namespace {

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
    bool touches = contains(grid, geo::point_on_surface(footprint));
    for (const Polygon& p : footprint)
      for (std::size_t i = 0; i < p.outer.size() && !touches; ++i)
        touches = contains(grid, p.outer[i]);
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
  parallel_for(std::size_t{0}, building_count, [&](std::size_t b) {
    const Point p = geo::point_on_surface(dataset.buildings[b].footprint);
    for (std::size_t g = 0; g < plan.large_grids.size(); ++g)
      if (box_contains(large_box[g], p) && contains(plan.large_grids[g].polygon, p)) {
        plan.building_large[b] = static_cast<std::int32_t>(g);
        break;
      }
    for (std::size_t m = 0; m < plan.micro_grids.size(); ++m)
      if (box_contains(micro_box[m], p) && contains(plan.micro_grids[m].polygon, p)) {
        plan.building_micro[b] = static_cast<std::int32_t>(m);
        break;
      }
  });
  if (!listed.empty()) take_listed_grids(dataset, listed, plan);
  for (std::size_t b = 0; b < building_count; ++b) {
    if (plan.building_large[b] != kNone)
      plan.large_grids[at(plan.building_large[b])].buildings.push_back(
          static_cast<std::int32_t>(b));
    if (plan.building_micro[b] != kNone)
      plan.micro_grids[at(plan.building_micro[b])].buildings.push_back(
          static_cast<std::int32_t>(b));
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
