// planner/core/parallel.hpp: the same contract under both backends (oneTBB by default,
// std::thread in the tsan preset, where ThreadSanitizer checks these tests too). Catch2's
// assertions are not thread-safe: loop bodies only record, the checks come after the loop.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <vector>

#include "planner/core/parallel.hpp"
#include "planner/core/parallel_sort.hpp"

using namespace gp;

TEST_CASE("parallel: every index is visited exactly once, results merge in index order") {
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{10007}}) {
    std::vector<int> visits(n, 0);
    std::vector<std::size_t> squares(n, 0);
    parallel_for(0, n, [&](std::size_t i) {
      ++visits[i];
      squares[i] = i * i;
    });
    for (std::size_t i = 0; i < n; ++i) {
      REQUIRE(visits[i] == 1);
      REQUIRE(squares[i] == i * i);
    }
  }
}

TEST_CASE("parallel: chunks tile the range without gaps or overlaps") {
  const std::size_t first = 5, last = 5000;
  std::vector<int> visits(last, 0);
  std::atomic<std::size_t> calls{0}, empty{0};
  parallel_for_chunks(first, last, 64, [&](std::size_t begin, std::size_t end) {
    if (begin >= end) ++empty;
    ++calls;
    for (std::size_t i = begin; i != end; ++i) ++visits[i];
  });
  for (std::size_t i = 0; i < last; ++i) REQUIRE(visits[i] == (i < first ? 0 : 1));
  CHECK(calls.load() >= 1);
  CHECK(empty.load() == 0);
}

TEST_CASE("parallel: an exception in a body reaches the caller after the loop") {
  std::atomic<int> done{0};
  REQUIRE_THROWS_AS(parallel_for(0, 1000,
                                 [&](std::size_t i) {
                                   if (i == 500) throw std::runtime_error("body failed");
                                   ++done;
                                 }),
                    std::runtime_error);
  CHECK(done.load() < 1000);
}

TEST_CASE("parallel: a loop inside a loop body runs and completes") {
  std::vector<std::vector<int>> grid(16, std::vector<int>(100, 0));
  parallel_for(0, grid.size(), [&](std::size_t r) {
    parallel_for(0, grid[r].size(), [&](std::size_t c) { grid[r][c] = int(r * 100 + c); });
  });
  for (std::size_t r = 0; r < grid.size(); ++r)
    for (std::size_t c = 0; c < grid[r].size(); ++c) REQUIRE(grid[r][c] == int(r * 100 + c));
}

TEST_CASE("parallel: PerThread gives each thread its own value and visits all of them after") {
  struct Scratch {
    std::vector<std::size_t> seen;
  };
  PerThread<Scratch> scratch;
  parallel_for_chunks(0, 4096, 16, [&](std::size_t begin, std::size_t end) {
    Scratch& s = scratch.local();
    for (std::size_t i = begin; i != end; ++i) s.seen.push_back(i);
  });
  std::vector<std::size_t> all;
  for (Scratch& s : scratch) all.insert(all.end(), s.seen.begin(), s.seen.end());
  std::sort(all.begin(), all.end());
  std::vector<std::size_t> expected(4096);
  std::iota(expected.begin(), expected.end(), std::size_t{0});
  CHECK(all == expected);

  PerThread<std::vector<int>> made([] { return std::vector<int>(3, 7); });
  std::atomic<int> wrong{0};
  parallel_for(0, 100, [&](std::size_t) {
    if (made.local().size() != 3) ++wrong;
  });
  CHECK(wrong.load() == 0);
  for (const std::vector<int>& v : made) CHECK(v == std::vector<int>(3, 7));
}

// parallel_sort (planner/core/parallel_sort.hpp): with a total order (key, then payload) the
// result is std::sort's element for element, and its progress comes from the calling thread only,
// rising, ending at 1; parallel_stable_sort keeps std::stable_sort's order among equivalent
// values. Random, few-key, sorted, reversed and equal inputs large enough to be split.
TEST_CASE(
    "parallel_sort and parallel_stable_sort: std::sort's result under a total order, "
    "std::stable_sort's among equivalent values, progress on the calling thread") {
  struct Item {
    std::uint32_t key;
    std::uint32_t payload;
  };
  const auto by_key = [](const Item& a, const Item& b) { return a.key < b.key; };
  const auto total = [](const Item& a, const Item& b) {
    return a.key != b.key ? a.key < b.key : a.payload < b.payload;
  };
  const std::thread::id caller = std::this_thread::get_id();
  std::uint64_t state = 88172645463325252ULL;
  auto next = [&] {
    state ^= state << 13U;
    state ^= state >> 7U;
    state ^= state << 17U;
    return state;
  };
  for (const std::size_t n : {std::size_t{100}, std::size_t{20000}, std::size_t{300007}}) {
    for (const std::uint32_t keys : {2U, 50U, 100000U, 0xffffffffU}) {
      for (int shape = 0; shape < 4; ++shape) {
        std::vector<Item> items(n);
        for (std::size_t i = 0; i < n; ++i)
          items[i] = {std::uint32_t(next() % keys), std::uint32_t(i)};
        if (shape == 1) std::sort(items.begin(), items.end(), by_key);
        if (shape == 2) std::sort(items.rbegin(), items.rend(), by_key);
        if (shape == 3)
          for (Item& item : items) item.key = 7;
        std::vector<Item> stable = items;
        std::vector<Item> expected_stable = items;
        std::stable_sort(expected_stable.begin(), expected_stable.end(), by_key);
        parallel_stable_sort(stable, by_key);
        std::vector<Item> expected = items;
        std::sort(expected.begin(), expected.end(), total);
        std::atomic<int> calls{0};
        std::atomic<int> elsewhere{0};
        double last = 0.0;
        bool rising = true;
        parallel_sort(items.begin(), items.end(), total, [&](double f) {
          ++calls;
          if (std::this_thread::get_id() != caller) ++elsewhere;
          if (f < last) rising = false;
          last = f;
        });
        bool same = true;
        for (std::size_t i = 0; i < n; ++i)
          same = same && items[i].key == expected[i].key && items[i].payload == expected[i].payload;
        bool same_stable = true;
        for (std::size_t i = 0; i < n; ++i)
          same_stable = same_stable && stable[i].key == expected_stable[i].key &&
                        stable[i].payload == expected_stable[i].payload;
        CAPTURE(n, keys, shape);
        REQUIRE(same);
        REQUIRE(same_stable);
        REQUIRE(rising);
        REQUIRE(elsewhere.load() == 0);
        REQUIRE(last == 1.0);
      }
    }
  }
}
