// Fuzz target: the scenario parser on arbitrary TOML text held in memory.
// Contract under test (planner/pipeline/scenario.hpp): any text either parses or is rejected with
// gp::ConfigError / gp::InputError. Any other exception, a crash, a hang or a sanitizer report is
// a finding.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "planner/core/errors.hpp"
#include "planner/pipeline/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    // A directory that does not exist: `inherits` and input paths resolve against it and fail
    // cleanly instead of reading whatever happens to be on the fuzzing machine.
    const gp::pipeline::Scenario scenario =
        gp::pipeline::parse_scenario(text, "/nonexistent-gridplan-fuzz/scenario.toml");
    (void)gp::pipeline::describe(scenario);
  } catch (const gp::ConfigError&) {
  } catch (const gp::InputError&) {
  }
  return 0;
}
