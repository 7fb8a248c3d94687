// gridplan: the command-line front end. main() alone maps exceptions to exit codes.

#include <csignal>
#include <iostream>
#include <new>

#include "planner/cli/commands.hpp"
#include "planner/core/errors.hpp"

namespace {
const char* kDescription =
    "GridPlanner (网格规划): load buildings, compounds, communities, roads and rivers; draw large\n"
    "and micro community grids under household bounds and hard boundaries; export for the city "
    "GIS.";
}

int main(int argc, char** argv) {
  using namespace gp::cli;
  CLI::App app{kDescription, "gridplan"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("gridplan ") + GRIDPLAN_VERSION);
  Action action;
  add_inspect_command(app, action);
  add_synth_command(app, action);
  add_plan_command(app, action);
  add_run_command(app, action);
  add_compare_command(app, action);
  add_check_command(app, action);
  add_calibrate_command(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  try {
    return action ? action() : kExitOk;
  } catch (const gp::InputError& e) {
    std::cerr << "gridplan: input error: " << e.what() << '\n';
    return kExitInput;
  } catch (const gp::ConfigError& e) {
    std::cerr << "gridplan: configuration error: " << e.what() << '\n';
    return kExitConfig;
  } catch (const gp::StrictModeError& e) {
    std::cerr << "gridplan: " << e.what() << '\n';
    return kExitStrict;
  } catch (const gp::OutputError& e) {
    std::cerr << "gridplan: output error: " << e.what() << '\n';
    return kExitOutput;
  } catch (const gp::Cancelled&) {
    std::cerr << "gridplan: cancelled\n";
    return kExitCancelled;
  } catch (const std::bad_alloc&) {
    // Not a bug to report: the input needs more memory than this process may use.
    std::cerr
        << "gridplan: out of memory: the input needs more memory than this process may use.\n"
           "Close other programs, raise the limit (ulimit -v), or split the input into smaller\n"
           "areas (e.g. one street at a time) and run again. Nothing was written.\n";
    return kExitFailure;
  } catch (const std::exception& e) {
    std::cerr << "gridplan: internal error: " << e.what()
              << "\n(please report this with the command line and inputs)\n";
    return kExitFailure;
  }
}
