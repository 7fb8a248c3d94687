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

/// One block of `size` bytes aligned to `align`, or null: malloc when its own alignment is enough.
void* try_allocate(std::size_t size, std::size_t align) noexcept {
  if (size == 0) size = 1;
  if (align <= alignof(std::max_align_t)) return std::malloc(size);
  void* p = nullptr;
  return posix_memalign(&p, align, size) == 0 ? p : nullptr;
}

/// The standard's loop: try, else call the new-handler (which may free memory) and try again,
/// else throw.
void* allocate_or_throw(std::size_t size, std::size_t align) {
  for (;;) {
    if (void* p = try_allocate(size, align)) return p;
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

/// The nothrow forms: the same loop (the new-handler too), null where it throws.
void* allocate_or_null(std::size_t size, std::size_t align) noexcept {
  try {
    return allocate_or_throw(size, align);
  } catch (...) {
    return nullptr;
  }
}

constexpr std::size_t kPlain = alignof(std::max_align_t);

}  // namespace

// NOLINTBEGIN(misc-new-delete-overloads): the standard's full replaceable set, defined together.
void* operator new(std::size_t size) {
  return allocate_or_throw(size, kPlain);
}
void* operator new[](std::size_t size) {
  return allocate_or_throw(size, kPlain);
}
void* operator new(std::size_t size, std::align_val_t align) {
  return allocate_or_throw(size, static_cast<std::size_t>(align));
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return allocate_or_throw(size, static_cast<std::size_t>(align));
}
void* operator new(std::size_t size, const std::nothrow_t& /*tag*/) noexcept {
  return allocate_or_null(size, kPlain);
}
void* operator new[](std::size_t size, const std::nothrow_t& /*tag*/) noexcept {
  return allocate_or_null(size, kPlain);
}
void* operator new(std::size_t size, std::align_val_t align,
                   const std::nothrow_t& /*tag*/) noexcept {
  return allocate_or_null(size, static_cast<std::size_t>(align));
}
void* operator new[](std::size_t size, std::align_val_t align,
                     const std::nothrow_t& /*tag*/) noexcept {
  return allocate_or_null(size, static_cast<std::size_t>(align));
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
