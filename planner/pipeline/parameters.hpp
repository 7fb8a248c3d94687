#pragma once
// Parameters validated once, for every door (`gridplan run`, `plan`, `compare`, the studio):
// the household bounds, their targets and the objective weights are resolved here and the
// resolved values are what the partitioner uses, what the manifest, the report and
// scenario.toml say, and what the studio colours by.

#include "planner/pipeline/scenario.hpp"

namespace gp::pipeline {

/// Resolves and checks the scenario's grid parameters in place.
/// - bounds: 1 ≤ min ≤ max for large and micro grids, micro max ≤ large max;
/// - target: a target the user gave (its key is in Scenario::origins, e.g.
///   "grids.large.target") must lie within [min, max]; a default target outside the bounds the
///   user gave (e.g. only min 100 and max 250 against the default 400) becomes their middle,
///   (min + max) / 2 rounded down — 175 for [100, 250];
/// - weights: finite and ≥ 0.
/// Throws gp::ConfigError naming the key (and where it was set) and saying what to do.
void resolve_parameters(pipeline::Scenario& scenario);

}  // namespace gp::pipeline
