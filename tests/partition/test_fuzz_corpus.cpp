// The fuzz target's corpus replayed by the engine tests: every input libFuzzer once found breaking
// a rule (tests/fuzz/corpus/partition/regression-*) and the seed towns are planned again and
// checked by the same rules (tests/fuzz/partition_town.hpp), in every build — the dev and TSan
// builds have no libFuzzer, and the asan build's fuzzing starts from random seeds.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/partition_town.hpp"

namespace {

std::vector<std::filesystem::path> corpus_files() {
  const std::filesystem::path dir =
      std::filesystem::path(GRIDPLAN_SOURCE_DIR) / "tests" / "fuzz" / "corpus" / "partition";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("fuzz corpus: every committed town keeps every rule of a plan", "[partition][fuzz]") {
  const std::vector<std::filesystem::path> files = corpus_files();
  REQUIRE(files.size() >= 4);
  for (const std::filesystem::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    INFO(file.filename().string());
    const gp::fuzz::FuzzRun run =
        gp::fuzz::plan_town(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    std::string broken;
    try {
      gp::fuzz::check_rules(run);
    } catch (const gp::fuzz::RuleViolated& violation) {
      broken = violation.rule + ": " + violation.detail;
    }
    CHECK(broken == "");  // the broken rule, when one is
    CHECK_FALSE(run.plan.large_grids.empty());
  }
}
