// The global `operator new` and `operator delete`, compiled into every program that links
// mimalloc (gridplan_heap, the top-level CMakeLists.txt; docs/decisions/0012-allocator.md).
//
// Why: Debian builds mimalloc as C, and its `operator new`, finding no memory, aborts the process
// (SIGABRT, "mimalloc: error: out of memory in 'new'") instead of throwing std::bad_alloc: the
// C build cannot throw, and the new-handler it would call is its own weak stub, which always
// answers "none". A planner who gives gridplan a town too big for the machine must get "out of
// memory … split the input" and exit code 1 (tests/hardening/test_faults.cpp), not a crash.
//
// These are the standard's replaceable forms, as libstdc++ writes them: `malloc` (mimalloc's,
// which returns null when the heap is full), then the new-handler, then std::bad_alloc; the
// nothrow forms return null instead; every `operator delete` is `free`. Defined in the executable,
// they come before libmimalloc's and libstdc++'s in symbol lookup. The whole set is replaced, not
// only the throwing forms, so that every block is allocated and freed by one pair (malloc and free,
// mimalloc's by interposition) and GCC's -Wmismatched-new-delete has nothing to pair wrongly.
#include <cstddef>
#include <cstdlib>
#include <new>

// NOLINTBEGIN(cppcoreguidelines-no-malloc): this file is the allocator's C++ face; malloc and
// free are what it is made of.

namespace {

void* allocate_or_throw(std::size_t size) {
  if (size == 0) size = 1;
  for (;;) {
    if (void* p = std::malloc(size)) return p;
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* allocate_aligned(std::size_t size, std::align_val_t alignment) noexcept {
  const auto align = static_cast<std::size_t>(alignment);
  void* p = nullptr;
  return posix_memalign(&p, align < sizeof(void*) ? sizeof(void*) : align, size == 0 ? 1 : size) ==
                 0
             ? p
             : nullptr;
}

void* allocate_aligned_or_throw(std::size_t size, std::align_val_t alignment) {
  for (;;) {
    if (void* p = allocate_aligned(size, alignment)) return p;
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

}  // namespace

// NOLINTBEGIN(misc-new-delete-overloads): the standard's full replaceable set, defined together.
void* operator new(std::size_t size) {
  return allocate_or_throw(size);
}
void* operator new[](std::size_t size) {
  return allocate_or_throw(size);
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  return allocate_aligned_or_throw(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return allocate_aligned_or_throw(size, alignment);
}
// The nothrow forms consult the new-handler like the throwing ones (a handler may free memory),
// and answer null where those throw.
void* operator new(std::size_t size, const std::nothrow_t& /*tag*/) noexcept {
  try {
    return allocate_or_throw(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return ::operator new(size, tag);
}
void* operator new(std::size_t size, std::align_val_t alignment,
                   const std::nothrow_t& /*tag*/) noexcept {
  try {
    return allocate_aligned_or_throw(size, alignment);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, std::align_val_t alignment,
                     const std::nothrow_t& tag) noexcept {
  return ::operator new(size, alignment, tag);
}

void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t /*size*/) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t /*size*/) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t /*alignment*/) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t /*alignment*/) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t /*size*/, std::align_val_t /*alignment*/) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t /*size*/, std::align_val_t /*alignment*/) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t& /*tag*/) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t& /*tag*/) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t /*alignment*/,
                     const std::nothrow_t& /*tag*/) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t /*alignment*/,
                       const std::nothrow_t& /*tag*/) noexcept {
  std::free(p);
}
// NOLINTEND(misc-new-delete-overloads)
// NOLINTEND(cppcoreguidelines-no-malloc)
