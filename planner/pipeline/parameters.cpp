#include "planner/pipeline/parameters.hpp"

#include <cmath>
#include <string>

#include "planner/core/errors.hpp"

namespace gp::pipeline {
namespace {

/// "file:line: " where a key was set (a scenario file, or a command-line option with line 0).
std::string where(const pipeline::Scenario& s, const std::string& key) {
  auto it = s.origins.find(key);
  if (it == s.origins.end()) return s.path.empty() ? "" : s.path + ": ";
  return it->second.line > 0 ? it->second.file + ":" + std::to_string(it->second.line) + ": "
                             : it->second.file + ": ";
}

void resolve_bounds(pipeline::Scenario& s, HouseholdBounds& b, const std::string& key) {
  if (b.min < 1)
    throw ConfigError(where(s, key + ".min") + key + ".min: " + std::to_string(b.min) +
                      " households; a grid needs at least 1");
  if (b.min > b.max)
    throw ConfigError(where(s, key + ".min") + key + ": min " + std::to_string(b.min) + " > max " +
                      std::to_string(b.max) +
                      ": no grid can satisfy these bounds; swap them or widen the range");
  if (b.target >= b.min && b.target <= b.max) return;
  if (s.origins.count(key + ".target"))
    throw ConfigError(where(s, key + ".target") + key + ".target: " + std::to_string(b.target) +
                      " lies outside [" + std::to_string(b.min) + ", " + std::to_string(b.max) +
                      "]; give a target within the bounds or leave it out (then it is their "
                      "middle)");
  b.target = b.min + (b.max - b.min) / 2;
}

}  // namespace

void resolve_parameters(pipeline::Scenario& s) {
  PartitionParams& p = s.partition;
  resolve_bounds(s, p.large, "grids.large");
  resolve_bounds(s, p.micro, "grids.micro");
  if (p.micro.max > p.large.max)
    throw ConfigError(where(s, "grids.micro.max") + "grids.micro.max: " +
                      std::to_string(p.micro.max) + " exceeds grids.large.max " +
                      std::to_string(p.large.max) + ": a micro grid must fit inside a large grid");
  const std::pair<const char*, double> weights[] = {{"balance", p.weights.balance},
                                                    {"compactness", p.weights.compactness},
                                                    {"workload", p.weights.workload},
                                                    {"moved", p.weights.moved}};
  for (const auto& [name, value] : weights)
    if (!std::isfinite(value) || value < 0)
      throw ConfigError(where(s, std::string("grids.weights.") + name) + "grids.weights." + name +
                        ": " + std::to_string(value) + "; weights are numbers ≥ 0");
  if (p.fixed_large_per_community < 0)
    throw ConfigError(
        where(s, "grids.fixed_large_per_community") +
        "grids.fixed_large_per_community: " + std::to_string(p.fixed_large_per_community) +
        "; give 0 (from the bounds) "
        "or a positive number");
}

}  // namespace gp::pipeline
