#pragma once
// Progress on stderr for work longer than a second: a rewritten line on a terminal, a line every
// few seconds otherwise (logs). Quiet until the first second has passed.

#include <chrono>
#include <string>

#include "planner/core/progress.hpp"

namespace gp::cli {

class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool enabled = true);
  ~ProgressPrinter();
  ProgressPrinter(const ProgressPrinter&) = delete;
  ProgressPrinter& operator=(const ProgressPrinter&) = delete;

  /// The Progress object to hand to engine functions.
  Progress& progress() { return progress_; }

 private:
  void print(std::string_view stage, double fraction);
  bool enabled_;
  bool tty_;
  bool printed_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  std::string last_stage_;
  Progress progress_;
};

}  // namespace gp::cli
