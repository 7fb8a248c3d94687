#pragma once
// The run pipeline shared by `gridplan run` and `gridplan compare` (which runs the scenarios it
// is given): load → validate → tessellate → plan (or import an existing plan) → evaluate
// (workload, event simulation, coverage, rules, siting) → export → report → manifest, written
// atomically into one output directory. Defined in cmd_run.cpp.

#include <string>
#include <vector>

#include "planner/io/scenario.hpp"
#include "planner/report/kpi.hpp"

namespace gp::cli {

struct RunRequest {
  io::Scenario scenario;
  std::string out;
  bool overwrite = false;
  bool quiet = false;
  /// Print the parameters used (for `run --input` without a scenario file).
  bool print_parameters = false;
};

struct RunOutcome {
  std::string dir;  // the output directory, final
  report::PlanKpis kpis;
};

RunOutcome execute_run(const RunRequest& request);

}  // namespace gp::cli
