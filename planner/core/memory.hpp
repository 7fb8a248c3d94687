#pragma once
// The process heap, as the programs link it: mimalloc in the release and dev builds
// (GRIDPLAN_MIMALLOC, docs/decisions/0012-allocator.md), glibc's malloc under the sanitizers.

namespace gp {

/// Hands the heap's free pages back to the system after a stage that freed much (the
/// tessellation's noding and Voronoi arrays, the partition's unit cuts), so that the resident
/// set does not stay at the stage's peak for the rest of the run. Asks whichever allocator the
/// process runs on: mimalloc (linked or preloaded) collects its free pages, glibc trims its
/// arenas. Takes milliseconds; no result depends on it. Any thread.
void release_free_memory();

/// The allocator the process runs on: "mimalloc" or "glibc" (what release_free_memory asks).
const char* heap_allocator_name();

}  // namespace gp
