#pragma once
// The scenario's keys, once. For every key: its table, name, type, where it lives in the Scenario
// (an accessor and its name), range or allowed values, and a doc line; the default is what the
// accessor reads from default_scenario(). The reader (scenario.cpp) and the writer
// (scenario_write.cpp) both walk this table, so a key cannot be read without being written; the
// few keys whose value is not one scalar or list (input.files, input.layers, inherits, include)
// are `special`, and each side has code for each of them (a special key without it is a
// std::logic_error the scenario tests hit). docs/scenario-format.md is checked against it.

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "planner/pipeline/scenario.hpp"

namespace gp::pipeline {

/// Reads and sets one key's value in a Scenario.
template <class T>
struct KeyAccess {
  std::function<T(const Scenario&)> get;
  std::function<void(Scenario&, const T&)> set;
};

/// Read and written by code of its own in the reader and the writer (see the top of this file).
struct SpecialKey {};

using KeyAccessor =
    std::variant<KeyAccess<long long>, KeyAccess<double>, KeyAccess<bool>, KeyAccess<std::string>,
                 KeyAccess<std::vector<std::string>>, KeyAccess<std::vector<double>>, SpecialKey>;

struct ScenarioKey {
  ScenarioKey(std::string name_, std::string field_, std::string doc_, KeyAccessor access_)
      : name(std::move(name_)),
        field(std::move(field_)),
        doc(std::move(doc_)),
        access(std::move(access_)) {}

  std::string name;   // within its table: "min"
  std::string field;  // where it lives: "partition.large.min"
  std::string doc;    // one line: meaning, unit
  KeyAccessor access;
  long long min_integer = 0, max_integer = 0;  // integer: the range
  double min_real = 0.0, max_real = 0.0;       // number, numbers: the range (of each)
  std::vector<std::string> allowed;            // text, texts: the values allowed (empty: any)
  std::size_t count = 0;                       // numbers: exactly this many (0: any)
  std::string count_what;                      // numbers: what they are ("month factors")
  bool path = false;  // text: a file, relative to the scenario file that names it; written absolute
  bool omit_empty = false;  // text: written only when not empty (field mappings)
  /// Read for compatibility, not written: an older name of `alias_of`, which is written instead
  /// (empty alias_of: read before the keys, e.g. inherits).
  bool written = true;
  std::string alias_of;
};

struct ScenarioTable {
  ScenarioTable(std::string path_, std::vector<ScenarioKey> keys_)
      : path(std::move(path_)), keys(std::move(keys_)) {}

  std::string path;  // "" (top level), "input", "grids.large", "events.water_supply"
  std::vector<ScenarioKey> keys;
  /// Whether the writer writes the table (empty: always); e.g. [existing] only with a path.
  std::function<bool(const Scenario&)> written;
  /// A table whose keys the user names (input.layers: layer name = role): read and written by
  /// special code, as a special key.
  bool open = false;
  /// Called with the table's `source` when this file gives one (a category keeps its own).
  std::function<void(Scenario&, const std::string&)> on_source;
};

/// Every table in reading and writing order, parents before their sub-tables. Per-item tables
/// (events.<category>, workload.<component>, input.fields.<role>) are listed for each item of
/// the defaults.
const std::vector<ScenarioTable>& scenario_tables();

/// The dotted key: "grids.large.min".
std::string dotted(const ScenarioTable& table, const ScenarioKey& key);

/// The default of a key as text (from default_scenario()), for docs and tests.
std::string default_text(const ScenarioKey& key);

}  // namespace gp::pipeline
