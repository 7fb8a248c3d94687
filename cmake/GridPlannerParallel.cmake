# Backend of planner/core/parallel.hpp (the engine's only parallel loops).
#   OFF (default): oneTBB (work stealing, Debian's libtbb).
#   ON: std::thread with a shared chunk counter. ThreadSanitizer understands std::thread and the
#       atomics and joins it synchronises with, but not Debian's uninstrumented libtbb, whose
#       hand-offs it reports as races; the tsan preset turns this on so every report is ours.
option(GRIDPLAN_PARALLEL_STD "Run the engine's parallel loops on std::thread instead of oneTBB (for ThreadSanitizer)" OFF)
if(GRIDPLAN_PARALLEL_STD)
  target_compile_definitions(gridplan_flags INTERFACE GRIDPLAN_PARALLEL_STD=1)
endif()
