#pragma once
// Progress and cancellation for long computations. The engine calls `update(stage, fraction)`
// (fraction of that stage done, in [0, 1]); the CLI prints to stderr, the studio updates its
// progress bar and text and may request cancellation.
//
// Time left is estimated from the rate so far: within a stage, from the fraction gained since the
// stage began over the time it took, so the stage's remaining fraction is assumed to go at the
// same average speed (`ProgressReport::stage_left_s`). With stage weights (the expected share of
// the whole run each stage takes, `set_stage_weights`), the run's time left is the time so far per
// unit of weight done, times the weight still to do (`total_left_s`). A display polls `report()`
// between updates (once a second) so elapsed times keep moving when the engine is in a long step;
// the estimate then counts down from the last update's.

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gp {

/// What a display shows: where the work is and how long it should still take. Times in seconds.
struct ProgressReport {
  std::string stage;                   ///< the last stage reported ("" before the first update)
  double fraction = 0.0;               ///< of that stage, in [0, 1]
  double elapsed_s = 0.0;              ///< since the Progress was made
  double stage_elapsed_s = 0.0;        ///< since this stage began (its first update)
  double since_update_s = 0.0;         ///< since the last update
  std::optional<double> stage_left_s;  ///< time left in this stage, once it can be estimated
  std::optional<double> total_left_s;  ///< time left in the whole run (needs stage weights)
  std::optional<double> run_fraction;  ///< share of the whole run done (needs stage weights)
};

/// One stage's timing, for benchmarks: how often the display could move.
struct StageTiming {
  std::string stage;
  double first_s = 0.0;  ///< first update, since the Progress was made
  double last_s = 0.0;   ///< last update
  int updates = 0;
  /// Longest time without any update while this stage was the current one (from one of its
  /// updates to the next update of any stage, or to `timings(now)`).
  double longest_gap_s = 0.0;
};

/// The expected share of the run one stage takes. A stage reported as `name` belongs to the
/// first weight whose `prefix` starts `name` ("reading " matches "reading town.gpkg"). A stage
/// without a weight counts as part of the weighted stage before it. A weighted stage's share done
/// is its progress since its first report: (fraction − first) ÷ (1 − first).
struct StageWeight {
  std::string prefix;
  double weight = 0.0;
};

class Progress {
 public:
  /// Monotonic time in seconds; tests inject their own.
  using Clock = std::function<double()>;

  /// `on_update(stage, fraction in [0,1])`; may be empty.
  explicit Progress(std::function<void(std::string_view, double)> on_update = {});
  /// `on_report` receives the report after every update (on the updating thread); `clock`
  /// defaults to std::chrono::steady_clock.
  explicit Progress(std::function<void(const ProgressReport&)> on_report, Clock clock = {});

  /// Reports progress; throws gp::Cancelled if cancellation was requested. Thread-safe.
  void update(std::string_view stage, double fraction);
  void request_cancel() { cancel_.store(true); }
  [[nodiscard]] bool cancel_requested() const { return cancel_.load(); }

  /// The state now, with estimates; thread-safe (a display polls it between updates).
  [[nodiscard]] ProgressReport report() const;
  /// Stages in the order they began, with their longest gap between updates (up to now).
  [[nodiscard]] std::vector<StageTiming> timings() const;
  /// Weights of the run's stages in the order they run; enables `total_left_s`. May be called
  /// again during the run with the same stages weighted anew (once the input's size is known):
  /// the stages done then count with their new weights against the time they took, and the
  /// current stage keeps its share done.
  void set_stage_weights(std::vector<StageWeight> weights);
  /// A line of context for a log (the run's size and weights); given to the note handler, if
  /// any. Thread-safe.
  void note(std::string_view text);
  void set_note_handler(std::function<void(std::string_view)> handler);

  [[nodiscard]] double now() const;

 private:
  [[nodiscard]] ProgressReport report_locked(double now) const;
  [[nodiscard]] std::optional<std::size_t> weight_index(std::string_view stage) const;

  std::function<void(std::string_view, double)> on_update_;
  std::function<void(const ProgressReport&)> on_report_;
  std::function<void(std::string_view)> on_note_;  // set before the run, read under mutex_
  Clock clock_;
  double start_ = 0.0;
  std::atomic<bool> cancel_{false};

  mutable std::mutex mutex_;
  std::string stage_;
  double fraction_ = 0.0;
  double stage_start_ = 0.0;    // time of the stage's first update
  double stage_start_f_ = 0.0;  // its fraction then
  double last_update_ = 0.0;
  std::optional<double> stage_left_at_update_;
  std::vector<StageTiming> timings_;
  std::size_t current_timing_ = 0;
  std::vector<StageWeight> weights_;
  std::optional<std::size_t> weight_;  // the current stage's weight
  double weight_done_before_ = 0.0;    // weights of the stages finished before the current one
  double weight_fraction_ = 0.0;       // the current weighted stage's share done
  double weight_start_f_ = 0.0;        // its fraction at its first report
};

/// Work units done on parallel workers, reported as a stage's fraction from whichever thread
/// completes units: at most every `interval_s` (0.1 s: a display redraws at most that often) and
/// never lowered (a lower fraction would read as the stage starting again). `begin`..`end` is the
/// part of the stage these units cover. Thread-safe; with a null Progress it does nothing. A
/// cancellation throws gp::Cancelled on the worker, which the parallel loops rethrow on their
/// caller.
class WorkCounter {
 public:
  WorkCounter(Progress* progress, std::string stage, double total_units, double begin = 0.0,
              double end = 1.0, double interval_s = 0.1);
  void add(double units = 1.0);
  /// Reports the end of the range now (whatever the interval).
  void finish();

 private:
  void report(double fraction, bool force);

  Progress* progress_;
  std::string stage_;
  double total_;
  double begin_, end_, interval_;
  std::atomic<double> done_{0.0};
  std::mutex mutex_;
  double last_time_ = -1e300;
  double last_fraction_ = -1.0;
};

/// "850 ms", "42 s", "3 min 20 s", "1 h 05 min": a duration for people.
std::string format_duration(double seconds);

}  // namespace gp
