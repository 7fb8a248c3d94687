#include "planner/core/diagnostics.hpp"

namespace gp {

const char* to_string(Severity severity) {
  switch (severity) {
    case Severity::info:
      return "info";
    case Severity::warning:
      return "warning";
    case Severity::error:
      return "error";
  }
  return "?";
}

std::string to_string(const Problem& problem) {
  std::string out;
  if (!problem.where.file.empty()) out += problem.where.file + ":";
  if (!problem.where.layer.empty()) out += problem.where.layer + ":";
  if (problem.where.fid) out += std::to_string(*problem.where.fid) + ":";
  if (!out.empty()) out += " ";
  out += to_string(problem.severity);
  out += ": ";
  out += problem.message;
  out += " [" + problem.kind + "]";
  return out;
}

void ProblemReporter::report(Problem problem) {
  problems_.push_back(std::move(problem));
}

void ProblemReporter::report(Severity severity, std::string kind, Location where,
                             std::string message) {
  problems_.push_back({severity, std::move(kind), std::move(where), std::move(message)});
}

void ProblemReporter::merge(const ProblemReporter& other) {
  problems_.insert(problems_.end(), other.problems_.begin(), other.problems_.end());
}

std::size_t ProblemReporter::count(Severity severity) const {
  std::size_t n = 0;
  for (const Problem& p : problems_) n += p.severity == severity ? 1 : 0;
  return n;
}

std::map<std::string, std::size_t> ProblemReporter::counts_by_kind() const {
  std::map<std::string, std::size_t> counts;
  for (const Problem& p : problems_) ++counts[p.kind];
  return counts;
}

}  // namespace gp
