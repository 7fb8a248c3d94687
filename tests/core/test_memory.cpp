// planner/core/memory.hpp: the programs run on the heap the build chose (mimalloc unless
// sanitized), and handing free pages back leaves every live block intact.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <numeric>
#include <string>
#include <vector>

#if GRIDPLAN_HEAP_MIMALLOC
#include <mimalloc.h>
#endif

#include "planner/core/memory.hpp"

using namespace gp;

TEST_CASE("memory: malloc and operator new come from the heap the build links") {
#if GRIDPLAN_HEAP_MIMALLOC
  // A program that names mimalloc but still allocates from glibc (the library dropped at link
  // time, or loaded after libc) would pass a check of the name alone: ask where blocks live.
  CHECK(std::string(heap_allocator_name()) == "mimalloc");
  void* raw = std::malloc(100);
  REQUIRE(raw != nullptr);
  CHECK(mi_is_in_heap_region(raw));
  std::free(raw);
  const auto array = std::make_unique<std::vector<double>>(1000, 1.0);
  CHECK(mi_is_in_heap_region(array->data()));
#else
  CHECK(std::string(heap_allocator_name()) == "glibc");
#endif
}

#if GRIDPLAN_HEAP_MIMALLOC
TEST_CASE("memory: operator new on a full heap throws std::bad_alloc, it does not abort") {
  // Debian's mimalloc aborts the process here; planner/core/heap_new.cpp's operator new throws,
  // which the programs turn into "out of memory" and exit code 1 (tests/hardening's
  // memory-limit case shows it end to end). 2^62 bytes is more than any machine's address space.
  // (Not under the sanitizers: ASan reports such a request as an error by design.)
  constexpr std::size_t kImpossible = std::size_t{1} << 62U;
  CHECK_THROWS_AS(::operator new(kImpossible), std::bad_alloc);
  CHECK_THROWS_AS(::operator new[](kImpossible), std::bad_alloc);
  CHECK_THROWS_AS(::operator new (kImpossible, std::align_val_t{64}), std::bad_alloc);
  CHECK(::operator new(kImpossible, std::nothrow) == nullptr);
  CHECK(::operator new[](kImpossible, std::nothrow) == nullptr);
  CHECK(::operator new (kImpossible, std::align_val_t{64}, std::nothrow) == nullptr);
  // An alignment malloc already gives takes malloc's path; it is still honoured.
  void* small = ::operator new (24, std::align_val_t{8});
  CHECK(reinterpret_cast<std::uintptr_t>(small) % 8 == 0);
  ::operator delete (small, std::align_val_t{8});
  void* aligned = ::operator new (100, std::align_val_t{256});
  CHECK(reinterpret_cast<std::uintptr_t>(aligned) % 256 == 0);
  ::operator delete (aligned, std::align_val_t{256});
}
#endif

TEST_CASE("memory: releasing free pages keeps the live blocks and their contents") {
  std::vector<std::vector<int>> kept;
  {
    std::vector<std::vector<int>> freed;
    for (int i = 0; i < 2000; ++i) {
      freed.emplace_back(1000, i);
      if (i % 10 == 0) kept.emplace_back(100, i);
    }
  }  // ~8 MB freed in many blocks, the kept ones between them
  release_free_memory();
  release_free_memory();  // twice: nothing left to hand back is no error
  for (std::size_t k = 0; k < kept.size(); ++k) {
    REQUIRE(kept[k].size() == 100);
    CHECK(std::accumulate(kept[k].begin(), kept[k].end(), 0L) == 100L * long(10 * k));
  }
}
