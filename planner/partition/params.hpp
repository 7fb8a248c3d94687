#pragma once
// Parameters of the partition engine, as a plain config struct with documented defaults.
// Household bounds follow provincial guidance for urban grids (300–500 households per large
// grid, see docs/domain notes); the micro-grid preset is configurable because local practice
// varies (20–50 households in many places; Yanggao's figures imply ≈ 100–200).

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "planner/core/road_classes.hpp"

namespace gp {

struct HouseholdBounds {
  int min = 300;     // households, inclusive
  int max = 500;     // households, inclusive
  int target = 400;  // soft target the balance term pulls towards
};

/// What to do where a container cannot be divided within the bounds.
enum class InfeasiblePolicy {
  allow_undersized,  // keep the undersized grid, report it (default)
  join_across_soft,  // merge it with a neighbour across a soft barrier if that fits, else
                     // undersized
};

struct ObjectiveWeights {
  double balance = 1.0;      // squared relative deviation from the target households
  double compactness = 0.5;  // 1 − Polsby-Popper of the grid's cells
  double workload = 0.0;     // squared relative deviation of workload weight from the mean
  double moved = 2.0;        // share of households moved away from the existing plan
};

struct PartitionParams {
  HouseholdBounds large{300, 500, 400};
  HouseholdBounds micro{100, 200, 150};
  /// Road classes that are hard barriers; lower classes are soft. Matched as in
  /// core/road_classes ("primary" covers "primary_link", "主干路" covers "主干道"). Default: the
  /// table's hard classes (OSM motorway … tertiary, 快速路/主干路/次干路, 高速公路, 一级/二级公路,
  /// 国道, 省道); 支路 is soft unless listed here.
  std::set<std::string> hard_road_classes = default_hard_road_classes();
  InfeasiblePolicy policy = InfeasiblePolicy::allow_undersized;
  ObjectiveWeights weights;
  /// Fixed number of large grids per community (0 = choose from the bounds).
  int fixed_large_per_community = 0;
  /// Local-search passes over the boundary atoms (each pass visits every boundary atom once).
  int refinement_passes = 8;
  std::uint64_t seed = 1;
  /// Use stations (compound stations) as seeds of large grids where they fall inside.
  bool seed_from_stations = true;
};

}  // namespace gp
