# Warning and sanitizer flags live in INTERFACE targets that every project target links.
add_library(gridplan_warnings INTERFACE)
target_compile_options(gridplan_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough
  # -Wnull-dereference is left off: GCC 12 reports false positives inside libstdc++'s
  # std::string when inlined at -O2 (seen through CLI11's StringTools.hpp).
  # -Wconversion is left off: GDAL/GEOS/Qt APIs mix int, size_t and double everywhere and the
  # casts it would demand hide real intent more than they reveal bugs.
)
if(GRIDPLAN_WARNINGS_AS_ERRORS)
  target_compile_options(gridplan_warnings INTERFACE -Werror)
endif()

add_library(gridplan_sanitize INTERFACE)
if(GRIDPLAN_SANITIZE)
  target_compile_options(gridplan_sanitize INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(gridplan_sanitize INTERFACE -fsanitize=address,undefined)
  # With the fuzz targets in the same build (asan preset, clang), the engine libraries also get
  # libFuzzer's coverage instrumentation (-fsanitize=fuzzer-no-link, added to the libraries under
  # planner/ by the top-level CMakeLists.txt), so the fuzzers are guided inside the loaders and the
  # partitioner. The tests link those libraries too: without libFuzzer the coverage hooks are the
  # sanitizer runtime's no-ops. The test programs, CLI and studio are not instrumented: no fuzzer
  # links them, and it cost a quarter of a test file's compile time.
endif()

# Project targets link this one: warnings plus sanitizers (if enabled).
add_library(gridplan_flags INTERFACE)
target_link_libraries(gridplan_flags INTERFACE gridplan_warnings gridplan_sanitize)

include(GridPlannerParallel)   # GRIDPLAN_PARALLEL_STD: the backend of planner/core/parallel.hpp
