#pragma once
// The input options every subcommand that reads inputs takes (inspect, plan, run): layer roles,
// field mapping, Shapefile encoding, CRS of layers without one, the projected CRS to compute in,
// GCJ-02 correction, the household table and the size of buildings given as points. One
// declaration, one meaning (docs/cli/README.md "Input options").

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
  // [input.household_table]: households per building from a department's table (CSV/XLSX/ODS).
  std::string household_table;         // path
  std::string household_table_layer;   // sheet or layer
  std::string household_join;          // "id" or "name"
  std::string household_key_column;    // column holding the building id or name
  std::string household_count_column;  // column holding the households
  double point_building_side_m = 0.0;  // input.point_building_side_m; 0: not given
};

/// Declares --role, --field, --encoding, --assume-crs, --target-crs, --gcj02, --household-table
/// (with --household-sheet, --household-join, --household-key, --household-column) and
/// --point-building-side on `cmd`.
void add_input_options(CLI::App* cmd, InputArgs& args);

/// Applies the options given over `options` (a scenario's [input] keeps what is not given).
/// Throws gp::ConfigError for a malformed --role/--field, an unknown role, or a household option
/// without --household-table (and none in the scenario).
void apply_input_options(const InputArgs& args, io::LoadOptions& options);

/// Records the options given as the origin of their scenario keys (for messages).
void record_input_origins(const InputArgs& args, pipeline::Scenario& scenario);

}  // namespace gp::cli
