#pragma once
// std::sort's result on both cores (issue 14 item 2: the serial sorts of one large community).
//
// A sort whose comparator leaves distinct values equivalent (contacts by piece pair, each with
// its own length) gives an order among them that depends on the algorithm, and later sums follow
// that order: a parallel merge sort or a stable sort could change a sum's last bit. This runs
// libstdc++'s own introsort (the one std::sort runs) and only hands the disjoint subranges its
// recursion makes to the threads: the top partitions are made exactly as std::sort makes them
// (the same pivot, the same swaps, the same depth limit), each subrange is then sorted by the
// library's __introsort_loop with the depth std::sort would have left, and finished by the
// insertion sort std::sort runs over the whole range at the end. That final pass moves no
// element across a partition cut (every element left of a cut is ≤ every one right of it, and
// an insertion stops at the first element not greater), so running it per subrange changes
// nothing. The result is std::sort's, element for element, whatever the threads; on another
// standard library the serial std::sort runs.

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

#include "planner/core/parallel.hpp"

namespace gp {

/// std::sort(first, last, less) with std::sort's result, the work spread over the threads.
/// `report` (optional) gets the fraction of the expected comparisons made (1.2 n log₂ n,
/// capped at 0.99; then 1), from any thread, one call at a time, rising only.
template <typename It, typename Less>
void parallel_std_sort(It first, It last, Less less,
                       const std::function<void(double)>& report = {}) {
  const std::ptrdiff_t n = last - first;
#if defined(__GLIBCXX__)
  constexpr std::ptrdiff_t kSerialBelow = std::ptrdiff_t(1) << 14;
  if (n >= kSerialBelow) {
    // Comparisons counted per task and added every 2^16 (reporting only).
    const double expected = 1.2 * double(n) * std::log2(double(n));
    std::atomic<std::size_t> compared{0};
    std::mutex report_mutex;
    double reported = 0.0;
    auto add = [&](std::size_t count) {
      const std::size_t now = compared += count;
      if (!report) return;
      const double f = std::min(0.99, double(now) / expected);
      const std::lock_guard lock(report_mutex);
      if (f <= reported) return;
      reported = f;
      report(f);
    };
    auto counting = [&less, &add](std::size_t& count) {
      return [&less, &add, &count](const auto& a, const auto& b) {
        if ((++count & 0xffffU) == 0) add(0x10000U);
        return less(a, b);
      };
    };
    // The subranges std::sort's recursion makes, with the depth limit it gives each, split
    // until they are small enough or there are enough of them for the threads.
    struct Range {
      It first;
      It last;
      std::ptrdiff_t depth;
    };
    const std::ptrdiff_t leaf = std::max<std::ptrdiff_t>(kSerialBelow / 2, n / 64);
    // One level of std::sort's partitioning of every range above `leaf` at a time; each level's
    // partitions run in parallel (disjoint ranges).
    std::vector<Range> open{{first, last, std::ptrdiff_t(std::__lg(n)) * 2}};
    std::vector<Range> leaves;
    while (!open.empty()) {
      std::vector<It> cuts(open.size());
      parallel_for(0, open.size(), [&](std::size_t k) {
        const Range& r = open[k];
        if (r.last - r.first <= leaf || r.depth == 0) return;
        std::size_t count = 0;
        cuts[k] = std::__unguarded_partition_pivot(
            r.first, r.last, __gnu_cxx::__ops::__iter_comp_iter(counting(count)));
        add(count & 0xffffU);
      });
      std::vector<Range> next;
      for (std::size_t k = 0; k < open.size(); ++k) {
        const Range& r = open[k];
        if (r.last - r.first <= leaf || r.depth == 0) {
          leaves.push_back(r);
          continue;
        }
        next.push_back({r.first, cuts[k], r.depth - 1});
        next.push_back({cuts[k], r.last, r.depth - 1});
      }
      open = std::move(next);
    }
    parallel_for(0, leaves.size(), [&](std::size_t k) {
      const Range& r = leaves[k];
      std::size_t count = 0;
      const auto comp = __gnu_cxx::__ops::__iter_comp_iter(counting(count));
      std::__introsort_loop(r.first, r.last, r.depth, comp);
      // std::sort's final insertion sort, on this subrange only (guarded: it must not read the
      // element before the subrange, which another thread may be moving).
      std::__insertion_sort(r.first, r.last, comp);
      add(count & 0xffffU);
    });
    if (report) report(1.0);
    return;
  }
#endif
  std::sort(first, last, less);
  if (report && n > 0) report(1.0);
}

}  // namespace gp

namespace gp {

/// std::stable_sort(values, less) on the threads: parts stable-sorted, then merged pairwise by
/// std::inplace_merge (stable: of equivalent values the left part's come first). A stable sort
/// has one result, so it is std::stable_sort's whatever the threads.
template <typename T, typename Less>
void parallel_stable_sort(std::vector<T>& values, Less less) {
  constexpr std::size_t kMinPart = std::size_t(1) << 15;
  const std::size_t n = values.size();
  std::size_t parts = 1;
  while (parts < 16 && n / (2 * parts) >= kMinPart) parts *= 2;
  if (parts == 1) {
    std::stable_sort(values.begin(), values.end(), less);
    return;
  }
  std::vector<std::size_t> edge(parts + 1);
  for (std::size_t k = 0; k <= parts; ++k) edge[k] = n * k / parts;
  const auto at = [&](std::size_t k) { return values.begin() + std::ptrdiff_t(edge[k]); };
  parallel_for(0, parts, [&](std::size_t k) { std::stable_sort(at(k), at(k + 1), less); });
  for (std::size_t width = 1; width < parts; width *= 2)
    parallel_for(0, parts / (2 * width), [&](std::size_t k) {
      const std::size_t first = 2 * k * width;
      std::inplace_merge(at(first), at(first + width), at(first + 2 * width), less);
    });
}

}  // namespace gp
