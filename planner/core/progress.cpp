#include "planner/core/progress.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "planner/core/errors.hpp"

namespace gp {

namespace {

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// A stage's time left is estimated only once it has advanced this much since it began: earlier,
// one slow first block would make the estimate swing by orders of magnitude.
constexpr double kMinFractionForEstimate = 0.01;

}  // namespace

Progress::Progress(std::function<void(std::string_view, double)> on_update)
    : on_update_(std::move(on_update)), clock_(steady_seconds), start_(clock_()) {
  stage_start_ = last_update_ = start_;
}

Progress::Progress(std::function<void(const ProgressReport&)> on_report, Clock clock)
    : on_report_(std::move(on_report)),
      clock_(clock ? std::move(clock) : Clock(steady_seconds)),
      start_(clock_()) {
  stage_start_ = last_update_ = start_;
}

double Progress::now() const {
  return clock_();
}

std::optional<std::size_t> Progress::weight_index(std::string_view stage) const {
  for (std::size_t i = 0; i < weights_.size(); ++i)
    if (stage.substr(0, weights_[i].prefix.size()) == weights_[i].prefix) return i;
  return std::nullopt;
}

void Progress::set_stage_weights(std::vector<StageWeight> weights) {
  const std::lock_guard lock(mutex_);
  const std::optional<std::size_t> before = weight_;
  weights_ = std::move(weights);
  weight_ = weight_index(stage_);
  weight_done_before_ = 0.0;
  // Weighed anew within the same stage (the run's size became known): its share done stays.
  if (!before || !weight_ || *before != *weight_) {
    weight_fraction_ = 0.0;
    weight_start_f_ = fraction_;
  }
  if (weight_)
    for (std::size_t i = 0; i < *weight_; ++i) weight_done_before_ += weights_[i].weight;
}

void Progress::note(std::string_view text) {
  std::function<void(std::string_view)> handler;
  {
    const std::lock_guard lock(mutex_);
    handler = on_note_;
  }
  if (handler) handler(text);
}

void Progress::set_note_handler(std::function<void(std::string_view)> handler) {
  const std::lock_guard lock(mutex_);
  on_note_ = std::move(handler);
}

void Progress::update(std::string_view stage, double fraction) {
  if (cancel_.load()) throw Cancelled();
  if (on_update_) on_update_(stage, fraction);
  if (!std::isfinite(fraction)) fraction = 0.0;
  fraction = std::clamp(fraction, 0.0, 1.0);
  const double t = clock_();
  ProgressReport out;
  {
    const std::lock_guard lock(mutex_);
    if (!timings_.empty()) {
      StageTiming& previous = timings_[current_timing_];
      previous.longest_gap_s = std::max(previous.longest_gap_s, t - last_update_);
    }
    // A new stage, or the same name started again (its fraction went back): the rate so far is
    // measured from here.
    const bool new_stage = stage != stage_ || fraction + 1e-9 < fraction_;
    if (new_stage) {
      stage_start_ = t;
      stage_start_f_ = fraction;
      stage_left_at_update_.reset();
      if (stage != stage_) {
        stage_ = std::string(stage);
        const auto found = std::find_if(timings_.begin(), timings_.end(),
                                        [&](const StageTiming& s) { return s.stage == stage_; });
        if (found == timings_.end()) {
          timings_.push_back(StageTiming{stage_, t - start_, t - start_, 0, 0.0});
          current_timing_ = timings_.size() - 1;
        } else {
          current_timing_ = static_cast<std::size_t>(found - timings_.begin());
        }
        // Weights: a later weighted stage marks every earlier one done; a stage without a
        // weight belongs to the weighted stage before it.
        // A stage matching an earlier weight again (a second read) changes nothing.
        if (const auto w = weight_index(stage_); w && (!weight_ || *w > *weight_)) {
          weight_done_before_ = 0.0;
          for (std::size_t i = 0; i < *w; ++i) weight_done_before_ += weights_[i].weight;
          weight_ = w;
          weight_fraction_ = 0.0;
          weight_start_f_ = fraction;
        }
      }
    } else {
      const double gained = fraction - stage_start_f_;
      if (gained >= kMinFractionForEstimate && t > stage_start_)
        stage_left_at_update_ = (t - stage_start_) * (1.0 - fraction) / gained;
    }
    fraction_ = fraction;
    // A weighted stage's share done counts from its first report: stages that report a fraction
    // of a larger whole ("event simulation" at 0.3 of the evaluation) start at none done. Never
    // lowered: a stage named again (a second input file read) does not undo the estimate.
    if (weight_ && weight_index(stage_) == weight_) {
      const double share =
          weight_start_f_ < 1.0 ? (fraction - weight_start_f_) / (1.0 - weight_start_f_) : 1.0;
      weight_fraction_ = std::max(weight_fraction_, std::clamp(share, 0.0, 1.0));
    }
    last_update_ = t;
    StageTiming& current = timings_[current_timing_];
    current.last_s = t - start_;
    ++current.updates;
    if (on_report_) out = report_locked(t);
  }
  if (on_report_) on_report_(out);
}

ProgressReport Progress::report_locked(double t) const {
  ProgressReport r;
  r.stage = stage_;
  r.fraction = fraction_;
  r.elapsed_s = t - start_;
  r.stage_elapsed_s = t - stage_start_;
  r.since_update_s = t - last_update_;
  if (stage_left_at_update_)
    r.stage_left_s = std::max(0.0, *stage_left_at_update_ - r.since_update_s);
  if (weight_) {
    const double total =
        std::accumulate(weights_.begin(), weights_.end(), 0.0,
                        [](double s, const StageWeight& w) { return s + w.weight; });
    const double done = weight_done_before_ + weights_[*weight_].weight * weight_fraction_;
    if (total > 0.0) r.run_fraction = std::clamp(done / total, 0.0, 1.0);
    // As for a stage: the run so far took elapsed_s for `done` of the weight; the rest is assumed
    // to go at that average speed. Measured at the last update, counting down between updates.
    if (done >= kMinFractionForEstimate * total && last_update_ > start_)
      r.total_left_s =
          std::max(0.0, (last_update_ - start_) * (total - done) / done - r.since_update_s);
  }
  return r;
}

ProgressReport Progress::report() const {
  const double t = clock_();
  const std::lock_guard lock(mutex_);
  return report_locked(t);
}

std::vector<StageTiming> Progress::timings() const {
  const double t = clock_();
  const std::lock_guard lock(mutex_);
  std::vector<StageTiming> out = timings_;
  if (!out.empty())
    out[current_timing_].longest_gap_s =
        std::max(out[current_timing_].longest_gap_s, t - last_update_);
  return out;
}

WorkCounter::WorkCounter(Progress* progress, std::string stage, double total_units, double begin,
                         double end, double interval_s)
    : progress_(progress),
      stage_(std::move(stage)),
      total_(std::max(total_units, 1e-12)),
      begin_(begin),
      end_(end),
      interval_(interval_s) {}

void WorkCounter::add(double units) {
  if (progress_ == nullptr || !(units > 0.0)) return;
  done_.fetch_add(units);
  report(0.0, false);  // the fraction is read from done_ under the lock
}

void WorkCounter::finish() {
  if (progress_ != nullptr) report(end_, true);
}

void WorkCounter::report(double end_fraction, bool force) {
  // One thread reports at a time, and the others wait for it rather than skip their report: a
  // reporting thread kept off the core (a loaded machine) would otherwise let the others finish
  // many units unreported, shown as one large step. Reports are microseconds; units (a grid's
  // replication, a grid checked) are far longer, so the wait costs nothing measurable.
  const std::lock_guard lock(mutex_);
  const double fraction =
      force ? end_fraction : begin_ + (end_ - begin_) * std::min(1.0, done_.load() / total_);
  const double now = progress_->now();
  if (fraction <= last_fraction_ || (!force && now - last_time_ < interval_)) {
    if (progress_->cancel_requested()) throw Cancelled();  // honoured between reports too
    return;
  }
  last_time_ = now;
  last_fraction_ = fraction;
  progress_->update(stage_, fraction);
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  char text[48];
  if (seconds < 1.0) {
    std::snprintf(text, sizeof text, "%.0f ms", seconds * 1000.0);
  } else if (seconds < 60.0) {
    std::snprintf(text, sizeof text, "%.0f s", seconds);
  } else if (seconds < 3600.0) {
    const long s = std::lround(seconds);
    std::snprintf(text, sizeof text, "%ld min %02ld s", s / 60, s % 60);
  } else {
    const long m = std::lround(seconds / 60.0);
    std::snprintf(text, sizeof text, "%ld h %02ld min", m / 60, m % 60);
  }
  return text;
}

}  // namespace gp
