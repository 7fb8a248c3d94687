// Fuzz target: the partition engine on random small towns. The bytes describe a town (communities
// side by side, buildings with households, units and compounds, a river and lanes, bounds); it is
// validated, tessellated and planned, and every rule of a plan is checked on the output
// (tests/fuzz/partition_town.hpp). A broken rule aborts with a message naming it, so libFuzzer
// keeps the input as a crash; add it to tests/fuzz/corpus/partition/ and the engine tests replay
// it in every build (tests/partition/test_fuzz_corpus.cpp).

#include <cstdio>
#include <cstdlib>

#include "tests/fuzz/partition_town.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const gp::fuzz::FuzzRun run = gp::fuzz::plan_town(data, size);
  try {
    gp::fuzz::check_rules(run);
  } catch (const gp::fuzz::RuleViolated& broken) {
    std::fprintf(stderr, "fuzz_partition: rule violated: %s: %s\n", broken.rule.c_str(),
                 broken.detail.c_str());
    if (std::getenv("GRIDPLAN_FUZZ_VERBOSE") != nullptr) gp::fuzz::print_case(run.town, run.plan);
    std::abort();
  }
  return 0;
}
