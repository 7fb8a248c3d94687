// Placeholder until the loader lands.
#include "planner/cli/commands.hpp"
namespace gp::cli {
void add_plan_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("plan", "Draw large and micro grids");
  cmd->callback([&action] { action = [] { return kExitOk; }; });
}
}  // namespace gp::cli
