#pragma once
// A scenario written back as TOML (docs/scenario-format.md): every key the reader understands,
// with the resolved values, so the file read again gives the same scenario. Each run directory
// holds one (scenario.toml) and the studio reopens a run from it. Paths are written absolute.

#include <string>

#include "planner/pipeline/scenario.hpp"

namespace gp::pipeline {

/// The scenario as TOML text: one table per section, `source` strings kept, no `inherits`
/// (the file stands alone). parse_scenario(to_toml(s), path) gives `s` again (its `files`,
/// `origins` and `path` aside). The simulation's seed is the scenario's seed.
std::string to_toml(const Scenario& scenario);

}  // namespace gp::pipeline
