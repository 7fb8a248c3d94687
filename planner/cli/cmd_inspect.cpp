// Placeholder until the loader lands.
#include "planner/cli/commands.hpp"
namespace gp::cli {
void add_inspect_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("inspect", "Describe input files: layers, CRS, fields, problems");
  cmd->callback([&action] { action = [] { return kExitOk; }; });
}
}  // namespace gp::cli
