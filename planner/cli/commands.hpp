#pragma once
// Registry of subcommands; each is defined in its own cmd_<name>.cpp.

#include "planner/cli/command.hpp"

namespace gp::cli {

void add_inspect_command(CLI::App& app, Action& action);
void add_synth_command(CLI::App& app, Action& action);
void add_plan_command(CLI::App& app, Action& action);
void add_run_command(CLI::App& app, Action& action);
void add_compare_command(CLI::App& app, Action& action);
void add_check_command(CLI::App& app, Action& action);
void add_calibrate_command(CLI::App& app, Action& action);

}  // namespace gp::cli
