#pragma once
// What `gridplan run` and `gridplan plan` say after writing a plan whose own audit (the rules
// and verdict of `gridplan check`) finds a broken rule, and the exit code that follows: 7 for a
// plan of ours, 0 for an existing plan evaluated as it is (docs/decisions/0010-exit-codes.md).

#include <ostream>
#include <string>
#include <vector>

#include "planner/pipeline/pipeline.hpp"

namespace gp::cli {

/// Prints the verdict (Chinese first, then English): a line when the plan holds; when it does
/// not, which rules and how many grids, that the plan must not be handed on as it is, and the
/// `gridplan check PLAN [--layer LAYER] --input …` command (`inputs`; `layer` when the plan's
/// grid layer was named) that lists the findings with coordinates.
void print_audit_verdict(const pipeline::AuditVerdict& verdict, const std::string& plan_path,
                         const std::string& layer, const std::vector<std::string>& inputs,
                         std::ostream& out);

/// kExitPlanBroken when the verdict fails (our plan breaks a rule), else kExitOk.
int exit_code_of(const pipeline::AuditVerdict& verdict);

}  // namespace gp::cli
