#pragma once
// Progress on stderr for work longer than a second: a rewritten line on a terminal, a line every
// few seconds otherwise (logs). Quiet until the first second has passed. Each line shows the
// stage, its fraction done, the stage's estimated time left (gp::Progress: the rate so far) and,
// when the engine has been silent for a while, how long ago it last reported. A ticker thread
// redraws the line every second between the engine's updates, so the elapsed time and the
// estimate keep moving through a long step.
//
// GRIDPLAN_PROGRESS_TRACE=FILE writes, when the command ends, one line per stage: when it began
// and last reported, how many updates it made and its longest silence (the benchmarks check that
// no long stage leaves the display still for more than a second).
//
// GRIDPLAN_PROGRESS_LOG=FILE writes every update as it happens: seconds since start, stage,
// fraction, the stage's and the run's estimated time left ("" before there is one).
// tests/bench/progress_gaps.sh reads it for the longest gap per stage and the estimate's error.

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

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
  void on_report(const ProgressReport& report);
  void tick();
  void print_locked(const ProgressReport& report, bool forced);
  void write_trace() const;
  void log_update(const ProgressReport& report);

  bool enabled_;
  bool tty_;
  std::mutex mutex_;  // printing state and the ticker's stop flag
  bool printed_ = false;
  double last_print_ = -1e9;  // seconds since start
  std::string last_stage_;
  std::FILE* log_ = nullptr;  // GRIDPLAN_PROGRESS_LOG, written under log_mutex_
  std::mutex log_mutex_;
  Progress progress_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread ticker_;
};

}  // namespace gp::cli
