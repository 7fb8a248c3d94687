#pragma once
// Progress and cancellation for long computations. The engine calls `step`; the CLI prints to
// stderr, the studio updates a progress bar and may request cancellation.

#include <atomic>
#include <functional>
#include <string_view>

namespace gp {

class Progress {
 public:
  /// `on_update(stage, fraction in [0,1])`; may be empty.
  explicit Progress(std::function<void(std::string_view, double)> on_update = {})
      : on_update_(std::move(on_update)) {}

  /// Reports progress; throws gp::Cancelled if cancellation was requested.
  void update(std::string_view stage, double fraction);
  void request_cancel() { cancel_.store(true); }
  [[nodiscard]] bool cancel_requested() const { return cancel_.load(); }

 private:
  std::function<void(std::string_view, double)> on_update_;
  std::atomic<bool> cancel_{false};
};

}  // namespace gp
