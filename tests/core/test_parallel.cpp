// planner/core/parallel.hpp: the same contract under both backends (oneTBB by default,
// std::thread in the tsan preset, where ThreadSanitizer checks these tests too). Catch2's
// assertions are not thread-safe: loop bodies only record, the checks come after the loop.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "planner/core/parallel.hpp"

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
