#pragma once
// Progress from inside long serial loops and sorts (issue 12/14 item 5: progress advances at
// least once a second through every long stage). Reporting only: the loops and sorts they
// wrap compute exactly what they computed without them.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <utility>

namespace gp {

/// Counts the items of a serial loop and calls `report(from + (to − from) · done / total)` every
/// `every` items, or every 1/32 of the loop when that is fewer (but never more often than every
/// 256 items): a loop over a million buildings reports a few hundred times at the cost of one
/// addition and one comparison per item, one over a few thousand still a few times, one over a
/// few hundred (a small community's) at most once. A null `report` does nothing.
class LoopTicks {
 public:
  LoopTicks(std::function<void(double)> report, double from, double to, std::size_t total,
            std::size_t every = 4096)
      : report_(std::move(report)),
        from_(from),
        to_(to),
        total_(double(std::max<std::size_t>(total, 1))),
        every_(std::clamp<std::size_t>(total / 32, 256, std::max<std::size_t>(every, 256))),
        next_(every_) {}
  void step(std::size_t count = 1) {
    done_ += count;
    if (done_ < next_) return;
    next_ = done_ + every_;
    if (report_) report_(from_ + (to_ - from_) * std::min(1.0, double(done_) / total_));
  }

 private:
  std::function<void(double)> report_;
  double from_, to_, total_;
  std::size_t every_, next_;
  std::size_t done_ = 0;
};

/// std::sort(first, last, less), reporting on the way: the comparisons made over those a sort of
/// that many elements is expected to make (1.2 n log₂ n; capped at 0.99), every 2²⁰ of them, then
/// 1. The same std::sort with the same comparisons, so the same order — also of elements that
/// compare equal, which a different sort (a parallel one, a stable one) could order otherwise.
template <typename It, typename Less>
void sort_reporting(It first, It last, Less less, const std::function<void(double)>& report) {
  const double n = double(last - first);
  if (!report || n < 65536.0) {
    std::sort(first, last, less);
    if (report) report(1.0);
    return;
  }
  const double expected = 1.2 * n * std::log2(n);
  std::size_t count = 0;
  std::sort(first, last, [&](const auto& a, const auto& b) {
    if ((++count & ((std::size_t(1) << 20) - 1)) == 0)
      report(std::min(0.99, double(count) / expected));
    return less(a, b);
  });
  report(1.0);
}

}  // namespace gp
