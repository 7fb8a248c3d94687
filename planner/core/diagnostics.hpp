#pragma once
// Problems found in input data or while planning, reported instead of stopping the run.
// Each problem is located as `file:layer:fid` so a planner can open the feature in a GIS.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gp {

enum class Severity { info, warning, error };

/// Where a problem is. Empty fields are omitted when printed.
struct Location {
  std::string file;
  std::string layer;
  std::optional<std::int64_t> fid;
};

struct Problem {
  Severity severity = Severity::warning;
  /// Stable machine-readable kind, e.g. "invalid-geometry-repaired", "building-outside-community".
  std::string kind;
  Location where;
  /// Human sentence: what is wrong, quoting the value, and what was done / what to do.
  std::string message;
};

/// Formats "file:layer:fid: message" (the parts that are known).
std::string to_string(const Problem& problem);
const char* to_string(Severity severity);

/// Collects problems. Not thread-safe: give each thread its own and merge().
class ProblemReporter {
 public:
  void report(Problem problem);
  void report(Severity severity, std::string kind, Location where, std::string message);
  void merge(const ProblemReporter& other);

  [[nodiscard]] const std::vector<Problem>& problems() const { return problems_; }
  [[nodiscard]] std::size_t count(Severity severity) const;
  /// Problems per kind, for summaries.
  [[nodiscard]] std::map<std::string, std::size_t> counts_by_kind() const;
  [[nodiscard]] bool empty() const { return problems_.empty(); }

 private:
  std::vector<Problem> problems_;
};

}  // namespace gp
