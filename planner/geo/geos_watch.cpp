#include "planner/geo/geos_watch.hpp"

#include <geos_c.h>

#include <chrono>
#include <exception>
#include <future>
#include <mutex>
#include <thread>

namespace gp::geo {

namespace {

thread_local std::atomic<std::uint64_t>* t_counter = nullptr;
GEOSInterruptCallback* g_previous = nullptr;

void on_checkpoint() {
  if (std::atomic<std::uint64_t>* c = t_counter) c->fetch_add(1, std::memory_order_relaxed);
  if (g_previous != nullptr) g_previous();
}

void register_callback() {
  static std::once_flag once;
  std::call_once(once, [] {
    GEOSInterruptCallback* previous = GEOS_interruptRegisterCallback(&on_checkpoint);
    if (previous != &on_checkpoint) g_previous = previous;
  });
}

}  // namespace

CheckpointScope::CheckpointScope(std::atomic<std::uint64_t>& counter) : previous_(t_counter) {
  register_callback();
  t_counter = &counter;
}

CheckpointScope::~CheckpointScope() {
  t_counter = previous_;
}

void run_polled(const std::function<void()>& work, const std::function<void()>& poll,
                double interval_s) {
  std::packaged_task<void()> task(work);
  std::future<void> done = task.get_future();
  std::thread helper(std::move(task));
  const auto interval = std::chrono::duration<double>(interval_s);
  std::exception_ptr poll_error;
  while (done.wait_for(interval) != std::future_status::ready) {
    if (poll_error) continue;  // cancelled: wait for the work, report nothing more
    try {
      poll();
    } catch (...) {
      poll_error = std::current_exception();
    }
  }
  helper.join();
  if (poll_error) std::rethrow_exception(poll_error);
  done.get();  // rethrows the work's exception
}

void run_polled_when_long(double expected_checkpoints, double min_checkpoints,
                          const std::function<void()>& work, const std::function<void()>& poll,
                          double interval_s) {
  if (!(expected_checkpoints >= min_checkpoints)) {
    work();
    return;
  }
  run_polled(work, poll, interval_s);
}

}  // namespace gp::geo
