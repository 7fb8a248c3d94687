#pragma once
// The engine's parallel loops. Every parallel loop in planner/ goes through these three names, so
// the backend is chosen in one place:
//   - oneTBB (default): work stealing over Debian's libtbb.
//   - std::thread (GRIDPLAN_PARALLEL_STD, cmake/GridPlannerParallel.cmake; the tsan preset):
//     worker threads take chunks from a shared atomic counter and are joined before the loop
//     returns. ThreadSanitizer sees these threads, atomics and joins, whereas Debian's libtbb is
//     not instrumented and its hand-offs look like races, so under TSan every report is ours.
// Both backends give the same results: loop bodies write to their own index and callers merge in
// index order; PerThread holds scratch state whose content must not affect the results (or is
// merged in an order that does not depend on threads, e.g. sorted afterwards).
// A loop started inside another loop's body runs on the calling thread in the std::thread
// backend (TBB nests by itself).

#include <cstddef>

#if defined(GRIDPLAN_PARALLEL_STD) && GRIDPLAN_PARALLEL_STD
#include <algorithm>
#include <atomic>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>
#else
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/parallel_for.h>
#endif

namespace gp {

#if defined(GRIDPLAN_PARALLEL_STD) && GRIDPLAN_PARALLEL_STD

namespace detail {

inline thread_local bool in_parallel_worker = false;

/// Runs body(begin, end) on [first, last) cut into chunks of `chunk` indices, on up to
/// hardware_concurrency threads (the calling thread is one of them). The first exception thrown
/// by a body stops the remaining chunks and is rethrown here after every thread has joined.
template <typename Body>
void run_chunks(std::size_t first, std::size_t last, std::size_t chunk, const Body& body) {
  if (last <= first) return;
  chunk = std::max<std::size_t>(chunk, 1);
  const std::size_t chunks = (last - first + chunk - 1) / chunk;
  const std::size_t threads =
      std::min<std::size_t>(chunks, std::max(1U, std::thread::hardware_concurrency()));
  if (threads <= 1 || in_parallel_worker) {
    for (std::size_t begin = first; begin < last; begin += chunk)
      body(begin, std::min(last, begin + chunk));
    return;
  }
  std::atomic<std::size_t> next{0};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  auto work = [&] {
    in_parallel_worker = true;
    for (std::size_t c = next.fetch_add(1); c < chunks; c = next.fetch_add(1)) {
      const std::size_t begin = first + c * chunk;
      try {
        body(begin, std::min(last, begin + chunk));
      } catch (...) {
        const std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next.store(chunks);
      }
    }
    in_parallel_worker = false;
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  try {
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  } catch (...) {
    next.store(chunks);
    for (std::thread& thread : pool) thread.join();
    throw;
  }
  work();
  for (std::thread& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace detail

/// body(begin, end) over [first, last) in chunks of about `grain` indices.
template <typename Body>
void parallel_for_chunks(std::size_t first, std::size_t last, std::size_t grain, const Body& body) {
  detail::run_chunks(first, last, grain, body);
}

/// body(i) for every i in [first, last), in parallel.
template <typename Body>
void parallel_for(std::size_t first, std::size_t last, const Body& body) {
  if (last <= first) return;
  // About eight chunks per thread: balance without a counter increment per index.
  const std::size_t threads = std::max(1U, std::thread::hardware_concurrency());
  const std::size_t chunk = std::max<std::size_t>(1, (last - first) / (8 * threads));
  detail::run_chunks(first, last, chunk, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i != end; ++i) body(i);
  });
}

/// One T per thread that calls local(), created on first use (default-constructed, or by the
/// factory given to the constructor). Iterating visits every T created so far; do it only
/// after the loops have returned.
template <typename T>
class PerThread {
 public:
  PerThread() : add_([](std::deque<T>& values) { values.emplace_back(); }) {}
  template <typename Factory>
  explicit PerThread(Factory factory)
      : add_([factory = std::move(factory)](std::deque<T>& values) {
          values.push_back(factory());
        }) {}

  T& local() {
    const std::lock_guard lock(mutex_);
    const std::thread::id self = std::this_thread::get_id();
    for (std::size_t i = 0; i < owners_.size(); ++i)
      if (owners_[i] == self) return values_[i];
    add_(values_);
    owners_.push_back(self);
    return values_.back();
  }

  auto begin() { return values_.begin(); }
  auto end() { return values_.end(); }

 private:
  std::function<void(std::deque<T>&)> add_;
  std::mutex mutex_;
  std::vector<std::thread::id> owners_;
  std::deque<T> values_;  // a deque keeps references valid while others are added
};

#else

template <typename Body>
void parallel_for_chunks(std::size_t first, std::size_t last, std::size_t grain, const Body& body) {
  if (last <= first) return;
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(first, last, grain),
      [&](const tbb::blocked_range<std::size_t>& range) { body(range.begin(), range.end()); });
}

template <typename Body>
void parallel_for(std::size_t first, std::size_t last, const Body& body) {
  if (last <= first) return;
  tbb::parallel_for(first, last, body);
}

template <typename T>
class PerThread {
 public:
  PerThread() = default;
  template <typename Factory>
  explicit PerThread(Factory factory) : values_(std::move(factory)) {}

  T& local() { return values_.local(); }
  auto begin() { return values_.begin(); }
  auto end() { return values_.end(); }

 private:
  tbb::enumerable_thread_specific<T> values_;
};

#endif

}  // namespace gp
