#include "planner/cli/progress_printer.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace gp::cli {

namespace {

// Quiet for short commands; then a terminal line is redrawn at most every 0.1 s and at least
// every second, a log line written every 3 s (or at a new stage).
constexpr double kQuietSeconds = 1.0;
constexpr double kTtyInterval = 0.1;
constexpr double kTickSeconds = 1.0;
constexpr double kLogInterval = 3.0;
// "last report N s ago" is shown once the engine has been silent this long.
constexpr double kSilentSeconds = 3.0;

}  // namespace

ProgressPrinter::ProgressPrinter(bool enabled)
    : enabled_(enabled),
      tty_(isatty(STDERR_FILENO) == 1),
      progress_([this](const ProgressReport& report) { on_report(report); }) {
  if (const char* path = std::getenv("GRIDPLAN_PROGRESS_LOG"); path != nullptr && *path != '\0') {
    log_ = std::fopen(path, "w");
    if (log_ == nullptr)
      std::fprintf(stderr, "GRIDPLAN_PROGRESS_LOG: cannot write %s\n", path);
    else
      std::fprintf(log_, "t_s\tstage\tfraction\tstage_left_s\ttotal_left_s\n");
  }
  // Notes (the run's size and stage weights, for tests/bench/eta_fit.py) go to the log as
  // "(note)" lines with the text in a sixth column.
  if (log_ != nullptr)
    progress_.set_note_handler([this](std::string_view text) {
      const double t = progress_.report().elapsed_s;
      const std::lock_guard lock(log_mutex_);
      std::fprintf(log_, "%.4f\t(note)\t0\t\t\t%.*s\n", t, static_cast<int>(text.size()),
                   text.data());
    });
  if (enabled_) ticker_ = std::thread([this] { tick(); });
}

ProgressPrinter::~ProgressPrinter() {
  {
    const std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  if (printed_ && tty_) std::fputc('\n', stderr);
  write_trace();
  if (log_ != nullptr) {
    // The end of the command: the estimate's error is measured against this time.
    std::fprintf(log_, "%.4f\t(end)\t1\t\t\n", progress_.report().elapsed_s);
    std::fclose(log_);
  }
}

void ProgressPrinter::log_update(const ProgressReport& report) {
  const std::lock_guard lock(log_mutex_);
  std::fprintf(log_, "%.4f\t%s\t%.6f\t", report.elapsed_s, report.stage.c_str(), report.fraction);
  if (report.stage_left_s) std::fprintf(log_, "%.3f", *report.stage_left_s);
  std::fputc('\t', log_);
  if (report.total_left_s) std::fprintf(log_, "%.3f", *report.total_left_s);
  std::fputc('\n', log_);
}

void ProgressPrinter::on_report(const ProgressReport& report) {
  if (log_ != nullptr) log_update(report);
  if (!enabled_) return;
  const std::lock_guard lock(mutex_);
  print_locked(report, false);
}

void ProgressPrinter::tick() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, std::chrono::duration<double>(kTickSeconds / 2),
                         [this] { return stop_; })) {
    const ProgressReport report = progress_.report();
    if (report.stage.empty()) continue;
    const double interval = tty_ ? kTickSeconds : kLogInterval;
    if (report.elapsed_s - last_print_ >= interval) print_locked(report, true);
  }
}

void ProgressPrinter::print_locked(const ProgressReport& report, bool forced) {
  if (report.elapsed_s < kQuietSeconds) return;
  const bool new_stage = report.stage != last_stage_;
  const double interval = tty_ ? kTtyInterval : kLogInterval;
  if (!forced && !new_stage && report.elapsed_s - last_print_ < interval && report.fraction < 1.0)
    return;
  std::string line = "[" + format_duration(report.elapsed_s) + "] " + report.stage;
  char percent[16];
  std::snprintf(percent, sizeof percent, " %5.1f%%", 100.0 * report.fraction);
  line += percent;
  if (report.stage_left_s && report.fraction < 1.0)
    line += ", ~" + format_duration(*report.stage_left_s) + " left";
  if (report.total_left_s) line += " (run ~" + format_duration(*report.total_left_s) + " left)";
  if (report.since_update_s >= kSilentSeconds)
    line += " (last report " + format_duration(report.since_update_s) + " ago)";
  if (tty_)
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
  else
    std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
  printed_ = true;
  last_print_ = report.elapsed_s;
  last_stage_ = report.stage;
}

void ProgressPrinter::write_trace() const {
  const char* path = std::getenv("GRIDPLAN_PROGRESS_TRACE");
  if (path == nullptr || *path == '\0') return;
  std::FILE* out = std::fopen(path, "w");
  if (out == nullptr) {
    std::fprintf(stderr, "GRIDPLAN_PROGRESS_TRACE: cannot write %s\n", path);
    return;
  }
  std::fprintf(out, "stage\tfirst_s\tlast_s\tupdates\tlongest_gap_s\n");
  for (const StageTiming& t : progress_.timings())
    std::fprintf(out, "%s\t%.3f\t%.3f\t%d\t%.3f\n", t.stage.c_str(), t.first_s, t.last_s, t.updates,
                 t.longest_gap_s);
  std::fclose(out);
}

}  // namespace gp::cli
