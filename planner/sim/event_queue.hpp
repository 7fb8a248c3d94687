#pragma once
// The simulator's future-event list: a binary min-heap on (time, sequence). The sequence number
// breaks ties between simultaneous events in the order they were scheduled, which keeps runs
// deterministic whatever the heap's internal layout.

#include <cstdint>
#include <utility>
#include <vector>

namespace gp::sim {

template <typename Payload>
class EventQueue {
 public:
  struct Entry {
    double time = 0.0;
    std::uint64_t sequence = 0;
    Payload payload{};
  };

  void push(double time, Payload payload) {
    heap_.push_back(Entry{time, next_sequence_++, std::move(payload)});
    sift_up(heap_.size() - 1);
  }
  [[nodiscard]] bool empty() const { return heap_.empty(); }
  [[nodiscard]] std::size_t size() const { return heap_.size(); }
  /// Precondition: !empty().
  [[nodiscard]] const Entry& top() const { return heap_.front(); }
  /// Removes and returns the earliest entry. Precondition: !empty().
  Entry pop() {
    Entry first = std::move(heap_.front());
    heap_.front() = std::move(heap_.back());
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
    return first;
  }

 private:
  static bool before(const Entry& a, const Entry& b) {
    return a.time < b.time || (a.time == b.time && a.sequence < b.sequence);
  }
  void sift_up(std::size_t i) {
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (!before(heap_[i], heap_[parent])) break;
      std::swap(heap_[i], heap_[parent]);
      i = parent;
    }
  }
  void sift_down(std::size_t i) {
    const std::size_t n = heap_.size();
    for (;;) {
      const std::size_t left = 2 * i + 1, right = left + 1;
      std::size_t smallest = i;
      if (left < n && before(heap_[left], heap_[smallest])) smallest = left;
      if (right < n && before(heap_[right], heap_[smallest])) smallest = right;
      if (smallest == i) return;
      std::swap(heap_[i], heap_[smallest]);
      i = smallest;
    }
  }

  std::vector<Entry> heap_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace gp::sim
