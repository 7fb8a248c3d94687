#pragma once
// The CLI is one file per subcommand. Each file defines `add_<name>_command(CLI::App&, Action&)`:
// it declares the subcommand's options and, when the subcommand is chosen, sets `action` to the
// work to run. Only main() turns exceptions into exit codes (see exit_codes below).

#include <CLI/CLI.hpp>

#include <functional>

namespace gp::cli {

/// The chosen subcommand's work; returns the process exit code.
using Action = std::function<int()>;

// Exit codes, documented in docs/cli/README.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;      // unexpected internal error
inline constexpr int kExitUsage = 2;        // bad command line
inline constexpr int kExitInput = 3;        // unreadable or bad input data
inline constexpr int kExitConfig = 4;       // bad parameter or scenario
inline constexpr int kExitStrict = 5;       // validation problems under --strict
inline constexpr int kExitOutput = 6;       // output could not be written
inline constexpr int kExitPlanBroken = 7;   // plan written, but it breaks a rule of its own audit
inline constexpr int kExitCancelled = 130;  // interrupted

}  // namespace gp::cli
