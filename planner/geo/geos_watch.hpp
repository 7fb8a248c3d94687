#pragma once
// Progress inside one long GEOS call (issue 14 item 5). A single overlay, noding or polygonizing
// call of a town held in one community runs for seconds and cannot report; GEOS itself passes
// an interrupt checkpoint (GEOS_CHECK_FOR_INTERRUPTS) all through its noding, overlay, buffer
// and polygonizing loops — about five per input vertex in a union. These helpers count the
// checkpoints a call passes and let the calling thread report them while the call runs on a
// helper thread: the same call on the same inputs, so the same result, with its work counted.
//
//   std::atomic<std::uint64_t> checks{0};
//   run_polled([&] { CheckpointScope count{checks}; result = GEOSUnaryUnion_r(...); },
//              [&] { report(double(checks) / expected); });
//
// The checkpoint callback is GEOS's one process-wide interrupt callback (GEOS 3.11 has no
// per-context one); it is registered once, chains to any callback registered before it, and
// only counts on threads inside a CheckpointScope (a thread-local pointer), so other threads'
// GEOS calls pay one thread-local load per checkpoint.

#include <atomic>
#include <cstdint>
#include <functional>

namespace gp::geo {

/// While alive, the GEOS checkpoints this thread passes are added to `counter` (scopes nest:
/// the innermost counts). Registers the checkpoint callback on first use.
class CheckpointScope {
 public:
  explicit CheckpointScope(std::atomic<std::uint64_t>& counter);
  ~CheckpointScope();
  CheckpointScope(const CheckpointScope&) = delete;
  CheckpointScope& operator=(const CheckpointScope&) = delete;

 private:
  std::atomic<std::uint64_t>* previous_;
};

/// Runs `work` on a helper thread and, until it ends, calls `poll()` on this thread about every
/// `interval_s` seconds (not after the work ended). Rethrows what `work` threw. When `poll`
/// throws (a cancelled run), waits for `work` to end, then rethrows that. `work` may run
/// parallel loops (the helper thread joins the same task arena as any other).
void run_polled(const std::function<void()>& work, const std::function<void()>& poll,
                double interval_s = 0.1);

/// `work()` on this thread when `expected_checkpoints` is below `min_checkpoints` (or not a
/// number): so short a call costs more on a helper thread than its progress shows. Otherwise
/// run_polled(work, poll, interval_s).
void run_polled_when_long(double expected_checkpoints, double min_checkpoints,
                          const std::function<void()>& work, const std::function<void()>& poll,
                          double interval_s = 0.1);

/// A GEOS call's expected checkpoints per input vertex, measured on GEOS 3.11 (the built-up
/// area's unions of grown footprints, the tessellation's noding and polygonizing of roads):
/// used to turn a call's count into a fraction when nothing better is known.
inline constexpr double kUnionCheckpointsPerVertex = 5.0;

/// Below this many expected checkpoints (a tenth of a second of GEOS work or less) a call is
/// made directly: a helper thread per small community's call would cost more than it shows.
inline constexpr double kPolledMinCheckpoints = 50000.0;

}  // namespace gp::geo
