// Placeholder until the loader lands.
#include "planner/cli/commands.hpp"
namespace gp::cli {
void add_synth_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("synth", "Generate a synthetic county town");
  cmd->callback([&action] { action = [] { return kExitOk; }; });
}
}  // namespace gp::cli
