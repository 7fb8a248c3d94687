// Scenario files: values, inheritance, sources, and every kind of error with file:line.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>

#include "planner/core/errors.hpp"
#include "planner/pipeline/scenario.hpp"
#include "planner/pipeline/scenario_keys.hpp"

namespace fs = std::filesystem;
using gp::ConfigError;
using gp::pipeline::load_scenario;
using gp::pipeline::Scenario;

namespace {

class ScenarioDir {
 public:
  ScenarioDir() {
    std::random_device random;
    path_ = fs::temp_directory_path() / ("gridplan-scenario-" + std::to_string(random()));
    fs::create_directories(path_);
    std::ofstream(path_ / "town.gpkg") << "not read by the parser";
  }
  ~ScenarioDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
    return (path_ / name).string();
  }
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

/// The ConfigError message of loading `path`, or "" when it loads.
std::string error_of(const std::string& path) {
  try {
    load_scenario(path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a scenario sets values, keeps defaults and records sources") {
  ScenarioDir dir;
  const std::string path = dir.write("base.toml", R"(# comment
[scenario]
name = "基线 baseline"
seed = 42

[input]
files = ["town.gpkg"]

[grids.large]
min = 250
max = 450
target = 350
source = "provincial guidance"

[workers]
full_time = 53
part_time = 229

[coverage]
thresholds_m = [300, 500, 800]

[output]
formats = ["shp"]
shapefile_encoding = "GBK"
)");
  const Scenario s = load_scenario(path);
  CHECK(s.name == "基线 baseline");
  CHECK(s.partition.seed == 42);
  CHECK(s.evaluation.simulation.seed == 42);
  REQUIRE(s.load.inputs.size() == 1);
  CHECK(s.load.inputs[0].path == dir.file("town.gpkg"));
  CHECK(s.partition.large.min == 250);
  CHECK(s.partition.large.max == 450);
  CHECK(s.partition.micro.min == 100);  // default kept
  CHECK(s.evaluation.full_time_workers == 53);
  CHECK(s.evaluation.part_time_workers == 229);
  CHECK(s.evaluation.coverage.thresholds_m == std::vector<double>{300, 500, 800});
  CHECK(s.output.formats == std::vector<std::string>{"shp"});
  CHECK(s.output.shapefile_encoding == "GBK");
  CHECK(s.sources.at("grids.large") == "provincial guidance");
  CHECK(s.origins.at("grids.large.min").line == 10);
}

TEST_CASE("a scenario inherits and overrides, chains work, cycles are errors") {
  ScenarioDir dir;
  dir.write("base.toml", R"([scenario]
name = "base"
[input]
files = ["town.gpkg"]
[grids.large]
min = 300
max = 500
[workers]
part_time = 229
)");
  dir.write("mid.toml", R"(inherits = "base.toml"
[workers]
part_time = 239
source = "ten more part-time workers"
)");
  const std::string leaf = dir.write("leaf.toml", R"(inherits = "mid.toml"
[scenario]
name = "leaf"
[grids.large]
max = 480
)");
  const Scenario s = load_scenario(leaf);
  CHECK(s.name == "leaf");
  CHECK(s.partition.large.min == 300);
  CHECK(s.partition.large.max == 480);
  CHECK(s.evaluation.part_time_workers == 239);
  CHECK(s.sources.at("workers") == "ten more part-time workers");
  REQUIRE(s.files.size() == 3);
  CHECK(s.files[0] == leaf);
  CHECK(s.files[1] == dir.file("mid.toml"));
  CHECK(s.load.inputs.at(0).path == dir.file("town.gpkg"));

  dir.write("a.toml", "inherits = \"b.toml\"\n");
  dir.write("b.toml", "inherits = \"a.toml\"\n");
  CHECK_THAT(error_of(dir.file("a.toml")),
             Catch::Contains("b.toml:1: inherits: inheritance cycle"));
  const std::string missing = dir.write("orphan.toml", "\n\ninherits = \"nowhere.toml\"\n");
  CHECK_THAT(error_of(missing), Catch::Contains("orphan.toml:3: inherits: file not found"));
}

TEST_CASE("an unknown key is reported with file:line and the closest known key") {
  ScenarioDir dir;
  const std::string path = dir.write("typo.toml", R"([input]
files = ["town.gpkg"]

[grids.large]
mni = 300
max = 500
)");
  const std::string error = error_of(path);
  CHECK_THAT(error, Catch::Contains(path + ":5: grids.large.mni: unknown key; did you mean "
                                           "'grids.large.min'?"));
  // A misspelt table, and a key in the wrong table.
  const std::string table = dir.write("table.toml", "[grid.large]\nmin = 300\n");
  CHECK_THAT(error_of(table), Catch::Contains(":1: grid: unknown key; did you mean 'grids'?"));
  const std::string moved = dir.write("moved.toml", "[grids]\nseed = 3\n");
  CHECK_THAT(error_of(moved),
             Catch::Contains(":2: grids.seed: unknown key; did you mean 'scenario.seed'?"));
  // Nothing close: no suggestion.
  const std::string far = dir.write("far.toml", "[workers]\nzzzzzzzzzzzz = 1\n");
  CHECK_THAT(error_of(far), Catch::Contains(":2: workers.zzzzzzzzzzzz: unknown key"));
  CHECK_THAT(error_of(far), !Catch::Contains("did you mean"));
}

TEST_CASE("wrong types, out-of-range values and impossible bounds are rejected") {
  ScenarioDir dir;
  const std::string type = dir.write("type.toml", "[grids.large]\nmin = \"300\"\n");
  CHECK_THAT(
      error_of(type),
      Catch::Contains(type + ":2: grids.large.min: expected an integer, got a string (\"300\")"));
  const std::string boolean = dir.write("bool.toml", "[simulation]\n\nenabled = 1\n");
  CHECK_THAT(error_of(boolean), Catch::Contains(":3: simulation.enabled: expected true or false"));
  const std::string range = dir.write("range.toml", "[workers]\nfull_time = -5\n");
  CHECK_THAT(error_of(range), Catch::Contains(":2: workers.full_time: -5 is out of range"));
  const std::string bounds =
      dir.write("bounds.toml", "[grids.large]\nmin = 500\nmax = 300\ntarget = 400\n");
  CHECK_THAT(error_of(bounds), Catch::Contains(bounds + ":2: grids.large: min 500 > max 300"));
  const std::string choice = dir.write("choice.toml", "[grids]\npolicy = \"allow_undersized\"\n");
  CHECK_THAT(error_of(choice), Catch::Contains(":2: grids.policy: \"allow_undersized\" is not one "
                                               "of \"allow-undersized\", \"join-across-soft\"; "
                                               "did you mean 'allow-undersized'?"));
  const std::string order = dir.write("order.toml", "[coverage]\nthresholds_m = [500, 300]\n");
  CHECK_THAT(error_of(order), Catch::Contains(":2: coverage.thresholds_m: thresholds must be given "
                                              "in ascending order"));
  const std::string profile =
      dir.write("profile.toml",
                "[events.public_security]\nweekly = [1, 2]\n[workload.care_visits]\n"
                "monthly = [1, 1, 1]\n");
  CHECK_THAT(error_of(profile),
             Catch::Contains(":2: events.public_security.weekly: expected 7 day factors "
                             "(Monday..Sunday), got 2"));
  CHECK_THAT(error_of(profile), Catch::Contains(":4: workload.care_visits.monthly: expected 12 "
                                                "month factors (January..December), got 3"));
  // Every problem of a file is reported at once.
  const std::string many = dir.write("many.toml", "[grids.large]\nmin = \"x\"\nmaxx = 3\n");
  const std::string error = error_of(many);
  CHECK_THAT(error, Catch::Contains(":2: grids.large.min"));
  CHECK_THAT(error,
             Catch::Contains(":3: grids.large.maxx: unknown key; did you mean 'grids.large.max'?"));
}

TEST_CASE("a missing input file is reported where it is named") {
  ScenarioDir dir;
  const std::string path =
      dir.write("missing.toml", "[input]\nfiles = [\n  \"town.gpkg\",\n  \"gone.gpkg\",\n]\n");
  CHECK_THAT(error_of(path), Catch::Contains(path + ":4: input.files[1]: file not found: '" +
                                             dir.file("gone.gpkg")));
  const std::string table =
      dir.write("table.toml", "[input]\nfiles = [{ path = \"town.gpkg\", role = \"bildings\" }]\n");
  CHECK_THAT(error_of(table),
             Catch::Contains("input.files[0].role: unknown layer role \"bildings\""));
}

TEST_CASE("a syntax error names file and line") {
  ScenarioDir dir;
  const std::string path = dir.write("syntax.toml", "[grids]\nmin = = 3\n");
  CHECK_THAT(error_of(path), Catch::Contains(path + ":2:"));
}

TEST_CASE("the repository's scenarios parse") {
  const fs::path scenarios = fs::path(GRIDPLAN_SOURCE_DIR) / "scenarios";
  if (!fs::exists(scenarios)) return;
  int parsed = 0;
  for (const auto& entry : fs::directory_iterator(scenarios)) {
    if (entry.path().extension() != ".toml") continue;
    INFO(entry.path().string());
    const Scenario s = load_scenario(entry.path().string());
    CHECK(!s.load.inputs.empty());
    CHECK(s.partition.large.min <= s.partition.large.max);
    ++parsed;
  }
  CHECK(parsed > 0);
}

TEST_CASE("known keys and edit distance") {
  const auto keys = gp::pipeline::known_keys();
  for (const char* key : {"grids.large.min", "workers.part_time", "coverage.thresholds_m",
                          "events.health.handling_minutes", "input.fields.buildings.households",
                          "stations.siting.new_stations", "scenario.seed", "inherits"})
    CHECK(std::find(keys.begin(), keys.end(), key) != keys.end());
  CHECK(gp::pipeline::edit_distance("kitten", "sitting") == 3);
  CHECK(gp::pipeline::edit_distance("", "abc") == 3);
  CHECK(gp::pipeline::edit_distance("min", "min") == 0);
  CHECK(gp::pipeline::edit_distance("mni", "min") == 1);  // a transposition is one edit
}

TEST_CASE("scenario keys: the reader knows exactly the keys of the key table") {
  // The reader walks the key table (scenario_keys.hpp), so it cannot know a key the table (and
  // with it the writer) does not list. Besides the keys: every table's `source` and the
  // sub-table names themselves.
  std::set<std::string> expected{"source"};
  for (const gp::pipeline::ScenarioTable& table : gp::pipeline::scenario_tables()) {
    if (!table.path.empty()) {
      expected.insert(table.path);
      expected.insert(table.path + ".source");
    }
    for (const gp::pipeline::ScenarioKey& key : table.keys)
      if (!table.open) expected.insert(gp::pipeline::dotted(table, key));
  }
  const std::vector<std::string> known = gp::pipeline::known_keys();
  CHECK(std::set<std::string>(known.begin(), known.end()) == expected);
}

TEST_CASE("scenario keys: every key is in docs/scenario-format.md") {
  // A key is documented when the page names it in backticks: in full (`grids.large.min`), within
  // its top table (`large.min` under [grids]) or by its name in its table's section (`min`).
  std::ifstream in(std::string(GRIDPLAN_SOURCE_DIR) + "/docs/scenario-format.md");
  REQUIRE(in);
  const std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::set<std::string> named;
  for (std::size_t at = page.find('`'); at != std::string::npos;) {
    const std::size_t end = page.find('`', at + 1);
    if (end == std::string::npos) break;
    named.insert(page.substr(at + 1, end - at - 1));
    at = page.find('`', end + 1);
  }
  for (const gp::pipeline::ScenarioTable& table : gp::pipeline::scenario_tables()) {
    if (table.open) continue;
    for (const gp::pipeline::ScenarioKey& key : table.keys) {
      const std::string full = gp::pipeline::dotted(table, key);
      const std::size_t dot = full.find('.');
      INFO(full);
      CHECK((named.count(full) || named.count(key.name) ||
             (dot != std::string::npos && named.count(full.substr(dot + 1)))));
    }
  }
  // The check can fail: a key the page does not name.
  CHECK(named.count("no_such_key_m") == 0);
}

TEST_CASE("scenario keys: a default for every key and no key twice") {
  std::set<std::string> seen;
  for (const gp::pipeline::ScenarioTable& table : gp::pipeline::scenario_tables())
    for (const gp::pipeline::ScenarioKey& key : table.keys) {
      const std::string full = gp::pipeline::dotted(table, key);
      INFO(full);
      CHECK(seen.insert(full).second);
      CHECK(!key.doc.empty());
      if (!std::holds_alternative<gp::pipeline::SpecialKey>(key.access)) CHECK(!key.field.empty());
    }
  const auto& tables = gp::pipeline::scenario_tables();
  auto find = [&](const std::string& path, const std::string& name) {
    for (const auto& t : tables)
      if (t.path == path)
        for (const auto& k : t.keys)
          if (k.name == name) return gp::pipeline::default_text(k);
    return std::string("(missing)");
  };
  CHECK(find("grids.large", "min") == "300");
  CHECK(find("grids.policy", "") == "(missing)");
  CHECK(find("grids", "policy") == "allow-undersized");
  CHECK(find("coverage", "thresholds_m") == "300, 500, 1000");
}
