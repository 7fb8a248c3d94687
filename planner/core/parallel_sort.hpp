#pragma once
// Sorts on both cores (issue 14 item 2: the serial sorts of one large community).
//
// parallel_sort needs a comparator that orders distinct values strictly (a total order: two
// values are equivalent only when they are equal, e.g. the contacts by piece pair and then by
// length). The sorted sequence is then unique, so the result does not depend on the algorithm
// or on the threads, and sums taken in that order afterwards are the same on every run.
// It is a plain chunked merge sort: parts sorted by std::sort on the threads, then merged
// pairwise, in rounds. Progress is reported on the calling thread between the parallel loops
// (never from a worker), like the engine's other long loops.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <iterator>
#include <thread>
#include <vector>

#include "planner/core/parallel.hpp"

namespace gp {

/// Sorts [first, last) by `less`, a strict total order on the values (see above), on the
/// threads. `report` (optional) is called on the calling thread with the fraction done (the
/// parts sorted, a few at a time, then each merge round), rising, the last call 1.
template <typename It, typename Less>
void parallel_sort(It first, It last, Less less, const std::function<void(double)>& report = {}) {
  const std::size_t n = std::size_t(last - first);
  constexpr std::size_t kMinPart = std::size_t(1) << 14;
  std::size_t parts = 1;
  while (parts < 64 && n / (2 * parts) >= kMinPart) parts *= 2;
  if (parts == 1) {
    std::sort(first, last, less);
    if (report && n > 0) report(1.0);
    return;
  }
  std::vector<std::size_t> edge(parts + 1);
  for (std::size_t k = 0; k <= parts; ++k) edge[k] = n * k / parts;
  const auto at = [&](std::size_t k) { return first + std::ptrdiff_t(edge[k]); };
  // Work in element moves: sorting a part of m elements ~ m log₂ m, a merge round ~ n.
  const double rounds = std::log2(double(parts));
  const double sorting = double(n) * std::log2(double(n) / double(parts));
  const double total = sorting + double(n) * rounds;
  double done = 0.0;
  auto advance = [&](double units) {
    done += units;
    if (report) report(std::min(0.99, done / total));
  };
  // Parts sorted as many at a time as there are cores (2 to 8), reporting between: a large sort
  // still reports often.
  const std::size_t group = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 2, 8);
  for (std::size_t g = 0; g < parts; g += group) {
    const std::size_t end = std::min(parts, g + group);
    parallel_for(g, end, [&](std::size_t k) { std::sort(at(k), at(k + 1), less); });
    advance(sorting * double(end - g) / double(parts));
  }
  for (std::size_t width = 1; width < parts; width *= 2) {
    parallel_for(0, parts / (2 * width), [&](std::size_t k) {
      const std::size_t from = 2 * k * width;
      std::inplace_merge(at(from), at(from + width), at(from + 2 * width), less);
    });
    advance(double(n));
  }
  if (report) report(1.0);
}

/// parallel_sort over a whole vector.
template <typename T, typename Less>
void parallel_sort(std::vector<T>& values, Less less,
                   const std::function<void(double)>& report = {}) {
  parallel_sort(values.begin(), values.end(), less, report);
}

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
