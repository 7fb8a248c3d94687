#include "planner/core/memory.hpp"

#include <cstddef>  // also defines __GLIBC__, which the #if below reads

#if defined(__GLIBC__)
#include <malloc.h>
#endif

// mimalloc's collect call, declared weak: present when the program links mimalloc or runs with
// it preloaded, null otherwise (the sanitizer builds, which must keep their own malloc). The core
// library stays free of the dependency; the programs choose the allocator at link time.
extern "C" void mi_collect(bool force)
    __attribute__((weak));  // NOLINT(readability-identifier-naming)

namespace gp {

void release_free_memory() {
  if (mi_collect != nullptr) {
    mi_collect(true);
    return;
  }
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

const char* heap_allocator_name() {
  return mi_collect != nullptr ? "mimalloc" : "glibc";
}

}  // namespace gp
