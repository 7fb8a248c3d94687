#pragma once
// Parameters of the partition engine, as a plain config struct with documented defaults.
// Household bounds follow provincial guidance for urban grids (300–500 households per large
// grid, see docs/domain notes); the micro-grid preset is configurable because local practice
// varies (20–50 households in many places; Yanggao's figures imply ≈ 100–200).

#include <cstdint>
#include <optional>
#include <set>
#include <string>

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
  /// OSM-style highway classes (and equivalents) that are hard barriers; lower classes are soft.
  std::set<std::string> hard_road_classes{
      "motorway",     "motorway_link", "trunk",          "trunk_link", "primary",
      "primary_link", "secondary",     "secondary_link", "tertiary",   "tertiary_link"};
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
