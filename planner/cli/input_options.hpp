#pragma once
// The input options every subcommand that reads inputs takes (inspect, plan, run): layer roles,
// field mapping, Shapefile encoding, CRS of layers without one, the projected CRS to compute in,
// GCJ-02 correction. One declaration, one meaning (docs/cli/README.md "Input options").

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "planner/io/load.hpp"
#include "planner/pipeline/scenario.hpp"

namespace gp::cli {

struct InputArgs {
  std::vector<std::string> roles;   // LAYER=ROLE
  std::vector<std::string> fields;  // ROLE.KEY=FIELD
  std::string encoding;
  std::string assume_crs;
  std::string target_crs;
  bool gcj02 = false;
};

/// Declares --role, --field, --encoding, --assume-crs, --target-crs and --gcj02 on `cmd`.
void add_input_options(CLI::App* cmd, InputArgs& args);

/// Applies the options given over `options` (a scenario's [input] keeps what is not given).
/// Throws gp::ConfigError for a malformed --role/--field or an unknown role.
void apply_input_options(const InputArgs& args, io::LoadOptions& options);

/// Records the options given as the origin of their scenario keys (for messages).
void record_input_origins(const InputArgs& args, pipeline::Scenario& scenario);

}  // namespace gp::cli
