#include "planner/pipeline/scenario.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <variant>

#include "planner/core/errors.hpp"
#include "planner/pipeline/scenario_keys.hpp"

namespace gp::pipeline {

// The scenario configures the readers: their option types and role names.
using namespace gp::io;
namespace {

namespace fs = std::filesystem;

/// Collects problems as `file:line: key: problem` lines; thrown together at the end so a user
/// fixes a file in one pass.
struct Problems {
  std::vector<std::string> lines;
  void add(const std::string& file, long line, const std::string& key, const std::string& what) {
    lines.push_back(file + ":" + std::to_string(line) + ": " + key + ": " + what);
  }
};

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "true/false";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date/time";
  }
}

std::string quoted_value(const toml::node& node) {
  std::ostringstream out;
  if (node.is_string())
    out << " (\"" << node.value_or(std::string()) << "\")";
  else if (node.is_integer())
    out << " (" << node.value_or(std::int64_t{0}) << ")";
  else if (node.is_floating_point())
    out << " (" << node.value_or(0.0) << ")";
  else if (node.is_boolean())
    out << " (" << (node.value_or(false) ? "true" : "false") << ")";
  return out.str();
}

std::string number_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

const std::set<std::string>& every_key();

/// Reads one TOML table of the scenario: each getter records the key as known, so the table's
/// unknown keys can be reported with the closest known one (and the known keys listed for docs).
class TableReader {
 public:
  TableReader(const toml::table* table, std::string path, std::string file, long line,
              Problems& problems, Scenario& scenario, std::set<std::string>* all_known)
      : table_(table),
        path_(std::move(path)),
        file_(std::move(file)),
        line_(line),
        problems_(problems),
        scenario_(scenario),
        all_known_(all_known) {
    expect("source");
    if (const toml::node* node = find("source")) {
      if (auto text = node->value<std::string>())
        scenario_.sources[path_.empty() ? "scenario" : path_] = *text;
      else
        fail(*node, "source",
             "expected a string naming where these figures come from, got " + type_name(*node));
    }
  }

  [[nodiscard]] std::string key(const std::string& name) const {
    return path_.empty() ? name : path_ + "." + name;
  }
  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] long line_of(const toml::node& node) const {
    return node.source().begin.line ? static_cast<long>(node.source().begin.line) : line_;
  }
  void fail(const toml::node& node, const std::string& name, const std::string& what) {
    problems_.add(file_, line_of(node), key(name), what);
  }
  void record(const std::string& name, const toml::node& node) {
    scenario_.origins[key(name)] = {file_, line_of(node)};
  }

  /// Marks `name` known and returns its node if present.
  const toml::node* find(const std::string& name) {
    expect(name);
    if (!table_) return nullptr;
    return table_->get(name);
  }
  void expect(const std::string& name) {
    known_.insert(name);
    if (all_known_) all_known_->insert(key(name));
  }

  // The getters set `out` and return true when the key is present and valid; absent, they leave
  // `out` as it is; wrong, they report a problem.
  template <typename Integer>
  bool integer(const std::string& name, Integer& out, long long lo, long long hi) {
    const toml::node* node = find(name);
    if (!node) return false;
    auto value = node->value_exact<std::int64_t>();
    if (!value) {
      fail(*node, name, "expected an integer, got " + type_name(*node) + quoted_value(*node));
      return false;
    }
    if (*value < lo || *value > hi) {
      fail(*node, name,
           std::to_string(*value) + " is out of range; expected " + std::to_string(lo) + " to " +
               std::to_string(hi));
      return false;
    }
    out = static_cast<Integer>(*value);
    record(name, *node);
    return true;
  }

  bool real(const std::string& name, double& out, double lo, double hi) {
    const toml::node* node = find(name);
    if (!node) return false;
    if (!node->is_number()) {
      fail(*node, name, "expected a number, got " + type_name(*node) + quoted_value(*node));
      return false;
    }
    const double value = node->value<double>().value_or(0.0);
    if (!(value >= lo && value <= hi)) {
      fail(*node, name,
           number_text(value) + " is out of range; expected " + number_text(lo) + " to " +
               number_text(hi));
      return false;
    }
    out = value;
    record(name, *node);
    return true;
  }

  bool boolean(const std::string& name, bool& out) {
    const toml::node* node = find(name);
    if (!node) return false;
    if (auto value = node->value_exact<bool>()) {
      out = *value;
      record(name, *node);
      return true;
    } else {
      fail(*node, name, "expected true or false, got " + type_name(*node) + quoted_value(*node));
    }
    return false;
  }

  bool string(const std::string& name, std::string& out,
              const std::vector<std::string>& allowed = {}) {
    const toml::node* node = find(name);
    if (!node) return false;
    auto value = node->value_exact<std::string>();
    if (!value) {
      fail(*node, name, "expected a string, got " + type_name(*node) + quoted_value(*node));
      return false;
    }
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) {
      std::string list;
      for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + ("\"" + a + "\"");
      fail(*node, name,
           "\"" + *value + "\" is not one of " + list + suggestion(*value, allowed, false));
      return false;
    }
    out = *value;
    record(name, *node);
    return true;
  }

  bool strings(const std::string& name, std::vector<std::string>& out) {
    const toml::node* node = find(name);
    if (!node) return false;
    const toml::array* array = node->as_array();
    if (!array) {
      fail(*node, name, "expected an array of strings, got " + type_name(*node));
      return false;
    }
    std::vector<std::string> values;
    for (std::size_t i = 0; i < array->size(); ++i) {
      auto text = (*array)[i].value_exact<std::string>();
      if (!text) {
        fail((*array)[i], name + "[" + std::to_string(i) + "]",
             "expected a string, got " + type_name((*array)[i]));
        return false;
      }
      values.push_back(*text);
    }
    out = std::move(values);
    record(name, *node);
    return true;
  }

  bool reals(const std::string& name, std::vector<double>& out, double lo, double hi) {
    const toml::node* node = find(name);
    if (!node) return false;
    const toml::array* array = node->as_array();
    if (!array) {
      fail(*node, name, "expected an array of numbers, got " + type_name(*node));
      return false;
    }
    std::vector<double> values;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& item = (*array)[i];
      if (!item.is_number()) {
        fail(item, name + "[" + std::to_string(i) + "]",
             "expected a number, got " + type_name(item));
        return false;
      }
      const double v = item.value<double>().value_or(0.0);
      if (!(v >= lo && v <= hi)) {
        fail(item, name + "[" + std::to_string(i) + "]",
             number_text(v) + " is out of range; expected " + number_text(lo) + " to " +
                 number_text(hi));
        return false;
      }
      values.push_back(v);
    }
    out = std::move(values);
    record(name, *node);
    return true;
  }

  /// A sub-table (absent: a reader over nothing, so its keys are still known).
  TableReader sub(const std::string& name) {
    const toml::node* node = find(name);
    const toml::table* table = nullptr;
    long line = line_;
    if (node) {
      table = node->as_table();
      line = line_of(*node);
      if (!table)
        fail(*node, name, "expected a table ([" + key(name) + "]), got " + type_name(*node));
    }
    return TableReader(table, key(name), file_, line, problems_, scenario_, all_known_);
  }

  /// Reports keys of the table that no getter asked for.
  void finish() {
    if (!table_) return;
    for (const auto& [name, node] : *table_) {
      const std::string text(name.str());
      if (known_.count(text)) continue;
      const long line =
          name.source().begin.line ? static_cast<long>(name.source().begin.line) : line_of(node);
      std::vector<std::string> candidates(known_.begin(), known_.end());
      problems_.add(file_, line, key(text), "unknown key" + suggestion(text, candidates));
    }
  }

  [[nodiscard]] const toml::table* table() const { return table_; }
  [[nodiscard]] const std::string& path() const { return path_; }
  Problems& problems() { return problems_; }
  Scenario& scenario() { return scenario_; }
  std::set<std::string>* all_known() { return all_known_; }

  /// "; did you mean 'x'?" when a candidate is close enough, else "".
  std::string suggestion(const std::string& text, const std::vector<std::string>& candidates,
                         bool as_key = true) {
    std::string best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const std::string& c : candidates) {
      const std::size_t d = edit_distance(text, c);
      if (d < best_distance) {
        best_distance = d;
        best = c;
      }
    }
    // Close enough: at most a third of the longer word (at least 1, at most 3 edits).
    const std::size_t limit = std::clamp<std::size_t>(std::max(text.size(), best.size()) / 3, 1, 3);
    if (!best.empty() && best_distance <= limit)
      return "; did you mean '" + (as_key ? key(best) : best) + "'?";
    // The same key in another table (e.g. `seed` under [grids] instead of [scenario]).
    if (as_key)
      for (const std::string& k : all_known_ ? *all_known_ : every_key()) {
        const auto dot = k.rfind('.');
        if (dot != std::string::npos && k.substr(dot + 1) == text && k != key(text))
          return "; did you mean '" + k + "'?";
      }
    return "";
  }

 private:
  const toml::table* table_;
  std::string path_;
  std::string file_;
  long line_;
  Problems& problems_;
  Scenario& scenario_;
  std::set<std::string>* all_known_;
  std::set<std::string> known_;
};

std::string resolve(const std::string& file, const std::string& path) {
  if (path.empty()) return path;
  fs::path p(path);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (fs::path(file).parent_path() / p).lexically_normal().string();
}

/// input.files: file names or {path, layer, role} tables, relative to the scenario file.
void read_files(TableReader& input, const std::string& file) {
  Scenario& s = input.scenario();
  LoadOptions& load = s.load;
  const toml::node* node = input.find("files");
  if (!node) return;
  const toml::array* array = node->as_array();
  if (!array) {
    input.fail(*node, "files",
               "expected an array of file names (or of {path, layer, role} "
               "tables), got " +
                   type_name(*node));
    return;
  }
  load.inputs.clear();
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& item = (*array)[i];
    const std::string key = "files[" + std::to_string(i) + "]";
    InputSpec spec;
    if (auto text = item.value_exact<std::string>()) {
      spec.path = *text;
    } else if (const toml::table* t = item.as_table()) {
      TableReader entry(t, input.key(key), file, input.line_of(item), input.problems(), s, nullptr);
      entry.string("path", spec.path);
      entry.string("layer", spec.layer);
      std::string role;
      entry.string("role", role);
      if (!role.empty()) {
        spec.role = parse_role(role);
        if (!spec.role)
          input.fail(item, key + ".role",
                     "unknown layer role \"" + role +
                         "\"; use buildings, compounds, communities, "
                         "roads, rivers, water, rail, walkways, "
                         "stations, grids or osm");
      }
      entry.finish();
      if (spec.path.empty()) {
        input.fail(item, key, "needs a path");
        continue;
      }
    } else {
      input.fail(item, key,
                 "expected a file name or a {path, layer, role} table, got " + type_name(item));
      continue;
    }
    spec.path = resolve(file, spec.path);
    std::error_code ec;
    if (!fs::exists(spec.path, ec))
      input.fail(
          item, key,
          "file not found: '" + spec.path + "' (relative paths are relative to the scenario file)");
    load.inputs.push_back(std::move(spec));
  }
  input.record("files", *node);
}

/// input.layers: layer name → role.
void read_layers(TableReader& layers) {
  const toml::table* t = layers.table();
  if (!t) return;
  for (const auto& [name, value] : *t) {
    const std::string text(name.str());
    if (text == "source") continue;  // the table's source (read by TableReader)
    auto role_text = value.value_exact<std::string>();
    auto role = role_text ? parse_role(*role_text) : std::nullopt;
    if (!role)
      layers.fail(value, text,
                  "expected a layer role (buildings, compounds, communities, roads, "
                  "rivers, water, rail, walkways, stations, grids)" +
                      quoted_value(value));
    else
      layers.scenario().load.layer_roles[text] = *role;
  }
}

/// events.grid_multipliers: grid code → events relative to the town rate (gridplan calibrate),
/// merged key by key over what an inherited or included file set.
void read_grid_multipliers(TableReader& table) {
  const toml::table* t = table.table();
  if (!t) return;
  std::map<std::string, double>& out = table.scenario().evaluation.workload.grid_event_multipliers;
  for (const auto& [code, value] : *t) {
    const std::string text(code.str());
    if (text == "source") continue;  // the table's source (read by TableReader)
    const auto number = value.value<double>();
    if (!number || !(*number >= 0.0 && *number <= 100.0))
      table.fail(value, text, "expected a multiplier from 0 to 100" + quoted_value(value));
    else
      out[text] = *number;
  }
}

/// Reads a special key (scenario_keys.hpp): each has code here, and a special key without it is
/// a programming error.
void read_special(TableReader& r, const ScenarioTable& table, const ScenarioKey& key,
                  const std::string& file) {
  const std::string name = dotted(table, key);
  if (name == "inherits" || name == "include") {
    r.expect(key.name);  // read by load_chain before the keys
  } else if (name == "input.files") {
    read_files(r, file);
  } else if (name == "input.layers.*") {
    read_layers(r);
  } else if (name == "events.grid_multipliers.*") {
    read_grid_multipliers(r);
  } else {
    throw std::logic_error("scenario: no reader for the special key " + name);
  }
}

/// Reads one key of the table into the scenario, as the table says.
void read_key(TableReader& r, const ScenarioTable& table, const ScenarioKey& k,
              const std::string& file) {
  Scenario& s = r.scenario();
  std::visit(
      [&](const auto& access) {
        using A = std::decay_t<decltype(access)>;
        if constexpr (std::is_same_v<A, SpecialKey>) {
          read_special(r, table, k, file);
        } else if constexpr (std::is_same_v<A, KeyAccess<long long>>) {
          long long v = access.get(s);
          if (r.integer(k.name, v, k.min_integer, k.max_integer)) access.set(s, v);
        } else if constexpr (std::is_same_v<A, KeyAccess<double>>) {
          double v = access.get(s);
          if (r.real(k.name, v, k.min_real, k.max_real)) access.set(s, v);
        } else if constexpr (std::is_same_v<A, KeyAccess<bool>>) {
          bool v = access.get(s);
          if (r.boolean(k.name, v)) access.set(s, v);
        } else if constexpr (std::is_same_v<A, KeyAccess<std::string>>) {
          std::string v;
          if (!r.string(k.name, v, k.allowed)) return;
          if (k.path && !v.empty()) {
            v = resolve(file, v);
            std::error_code ec;
            if (!fs::exists(v, ec))
              r.fail(
                  *r.find(k.name), k.name,
                  "file not found: '" + v + "' (relative paths are relative to the scenario file)");
          }
          access.set(s, v);
        } else if constexpr (std::is_same_v<A, KeyAccess<std::vector<std::string>>>) {
          std::vector<std::string> v;
          if (!r.strings(k.name, v)) return;
          for (std::size_t i = 0; i < v.size(); ++i)
            if (!k.allowed.empty() &&
                std::find(k.allowed.begin(), k.allowed.end(), v[i]) == k.allowed.end()) {
              std::string list;
              for (const std::string& a : k.allowed)
                list += (list.empty() ? "" : ", ") + ("\"" + a + "\"");
              r.fail(*r.find(k.name), k.name + "[" + std::to_string(i) + "]",
                     "\"" + v[i] + "\" is not one of " + list);
            }
          access.set(s, v);
        } else {
          std::vector<double> v;
          if (!r.reals(k.name, v, k.min_real, k.max_real)) return;
          if (k.count == 0 || v.size() == k.count)
            access.set(s, v);
          else if (!v.empty())
            r.fail(*r.find(k.name), k.name,
                   "expected " + std::to_string(k.count) + " " + k.count_what + ", got " +
                       std::to_string(v.size()));
        }
      },
      k.access);
}

/// Whether `child` is a direct sub-table of `parent` ("" is the top level).
bool is_child(const std::string& parent, const std::string& child) {
  if (parent.empty()) return !child.empty() && child.find('.') == std::string::npos;
  return child.size() > parent.size() + 1 && child.compare(0, parent.size(), parent) == 0 &&
         child[parent.size()] == '.' && child.find('.', parent.size() + 1) == std::string::npos;
}

/// Reads table `index` of scenario_tables() with `r`: its keys, then its sub-tables.
void read_table(TableReader r, std::size_t index, const std::string& file) {
  const std::vector<ScenarioTable>& tables = scenario_tables();
  const ScenarioTable& table = tables[index];
  if (table.on_source)
    if (const toml::node* node = r.find("source"))
      if (auto text = node->value_exact<std::string>()) table.on_source(r.scenario(), *text);
  for (const ScenarioKey& k : table.keys) read_key(r, table, k, file);
  if (table.open) return;  // its keys are the user's: no unknown keys
  for (std::size_t c = index + 1; c < tables.size(); ++c)
    if (is_child(table.path, tables[c].path))
      read_table(r.sub(tables[c].path.substr(table.path.empty() ? 0 : table.path.size() + 1)), c,
                 file);
  r.finish();
}

/// Applies one parsed file over `scenario` (which holds defaults or what the file inherits).
void apply(const toml::table* root, const std::string& file, Scenario& scenario, Problems& problems,
           std::set<std::string>* all_known) {
  read_table(TableReader(root, "", file, 1, problems, scenario, all_known), 0, file);
  // The service targets the evaluation checks are the scenario's [staffing].
  scenario.evaluation.target = scenario.staffing;
}
/// Checks across keys, after inheritance: bounds, targets, worker totals.
void check(const Scenario& s, Problems& problems) {
  auto where = [&](const std::string& key) {
    auto it = s.origins.find(key);
    return it == s.origins.end() ? KeyOrigin{s.path, 1} : it->second;
  };
  auto check_bounds = [&](const std::string& prefix, const HouseholdBounds& b) {
    if (b.min > b.max) {
      const KeyOrigin o =
          where(s.origins.count(prefix + ".min") ? prefix + ".min" : prefix + ".max");
      problems.add(o.file, o.line, prefix,
                   "min " + std::to_string(b.min) + " > max " + std::to_string(b.max) +
                       ": no grid can satisfy these bounds; swap them or widen the range");
    } else if (s.origins.count(prefix + ".target") && (b.target < b.min || b.target > b.max)) {
      const KeyOrigin o = where(prefix + ".target");
      problems.add(o.file, o.line, prefix + ".target",
                   std::to_string(b.target) + " lies outside [" + std::to_string(b.min) + ", " +
                       std::to_string(b.max) + "]");
    }
  };
  check_bounds("grids.large", s.partition.large);
  check_bounds("grids.micro", s.partition.micro);
  if (s.partition.micro.max > s.partition.large.max) {
    const KeyOrigin o = where("grids.micro.max");
    problems.add(o.file, o.line, "grids.micro.max",
                 std::to_string(s.partition.micro.max) + " exceeds grids.large.max " +
                     std::to_string(s.partition.large.max) +
                     ": a micro grid must fit inside a large grid");
  }
  const auto& t = s.evaluation.coverage.thresholds_m;
  if (!std::is_sorted(t.begin(), t.end()) || t.empty()) {
    const KeyOrigin o = where("coverage.thresholds_m");
    problems.add(o.file, o.line, "coverage.thresholds_m",
                 "thresholds must be given in ascending order (e.g. [300, 500, 1000])");
  }
}

toml::table parse_file_or_throw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError("scenario: cannot read '" + path +
                     "': " + (fs::exists(path) ? "permission denied" : "no such file"));
  std::stringstream text;
  text << in.rdbuf();
  try {
    return toml::parse(text.str(), path);
  } catch (const toml::parse_error& e) {
    throw ConfigError(path + ":" + std::to_string(e.source().begin.line) +
                      ": (syntax): " + std::string(e.description()));
  }
}

void load_chain(const toml::table& root, const std::string& path, Scenario& scenario,
                Problems& problems, std::vector<std::string>& stack) {
  // The parent first, then this file over it.
  if (const toml::node* node = root.get("inherits")) {
    auto parent = node->value_exact<std::string>();
    const long line = static_cast<long>(node->source().begin.line);
    if (!parent) {
      problems.add(path, line, "inherits",
                   "expected the file name of the parent scenario, got " + type_name(*node));
    } else {
      const std::string parent_path = resolve(path, *parent);
      std::error_code ec;
      if (std::find(stack.begin(), stack.end(), parent_path) != stack.end()) {
        problems.add(
            path, line, "inherits",
            "inheritance cycle: '" + parent_path + "' inherits (directly or not) from this file");
      } else if (!fs::exists(parent_path, ec)) {
        problems.add(path, line, "inherits",
                     "file not found: '" + parent_path + "' (relative to this file)");
      } else {
        stack.push_back(parent_path);
        const toml::table parent_root = parse_file_or_throw(parent_path);
        load_chain(parent_root, parent_path, scenario, problems, stack);
        stack.pop_back();
        scenario.files.push_back(parent_path);
      }
    }
  }
  // Fragments this file includes (e.g. what `gridplan calibrate` wrote), in order, over the
  // parent and under this file's own keys.
  if (const toml::node* node = root.get("include")) {
    const long line = static_cast<long>(node->source().begin.line);
    const toml::array* array = node->as_array();
    if (!array) {
      problems.add(path, line, "include",
                   "expected an array of file names (include = [\"calibration.toml\"]), got " +
                       type_name(*node));
    } else {
      for (std::size_t i = 0; i < array->size(); ++i) {
        auto name = (*array)[i].value_exact<std::string>();
        const std::string key = "include[" + std::to_string(i) + "]";
        if (!name) {
          problems.add(path, line, key, "expected a file name, got " + type_name((*array)[i]));
          continue;
        }
        const std::string included = resolve(path, *name);
        std::error_code ec;
        if (std::find(stack.begin(), stack.end(), included) != stack.end()) {
          problems.add(path, line, key, "include cycle: '" + included + "' includes this file");
        } else if (!fs::exists(included, ec)) {
          problems.add(path, line, key,
                       "file not found: '" + included + "' (relative to this file)");
        } else {
          stack.push_back(included);
          const toml::table included_root = parse_file_or_throw(included);
          load_chain(included_root, included, scenario, problems, stack);
          stack.pop_back();
          scenario.files.push_back(included);
        }
      }
    }
  }
  apply(&root, path, scenario, problems, nullptr);
}

Scenario finish_scenario(const toml::table& root, const std::string& path) {
  Scenario scenario = default_scenario();
  scenario.path = path;
  scenario.name = fs::path(path).stem().string();
  Problems problems;
  std::vector<std::string> stack{fs::path(path).lexically_normal().string()};
  load_chain(root, path, scenario, problems, stack);
  // Files: the scenario first, then what it inherits (nearest first).
  std::reverse(scenario.files.begin(), scenario.files.end());
  scenario.files.insert(scenario.files.begin(), path);
  if (problems.lines.empty()) check(scenario, problems);
  if (!problems.lines.empty()) {
    std::string message;
    for (const std::string& line : problems.lines) message += (message.empty() ? "" : "\n") + line;
    throw ConfigError(message);
  }
  return scenario;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string fmt(double v) {
  return number_text(v);
}

const std::set<std::string>& every_key() {
  static const std::set<std::string> keys = [] {
    const std::vector<std::string> list = known_keys();
    return std::set<std::string>(list.begin(), list.end());
  }();
  return keys;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: insertions, deletions, substitutions and transpositions of two
  // neighbouring characters each cost 1 ("mni" is one edit from "min": the usual typo).
  const std::size_t rows = a.size() + 1, columns = b.size() + 1;
  std::vector<std::size_t> d(rows * columns);
  auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return d[i * columns + j]; };
  for (std::size_t i = 0; i < rows; ++i) at(i, 0) = i;
  for (std::size_t j = 0; j < columns; ++j) at(0, j) = j;
  for (std::size_t i = 1; i < rows; ++i)
    for (std::size_t j = 1; j < columns; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
    }
  return at(rows - 1, columns - 1);
}

Scenario default_scenario() {
  Scenario s;
  s.name = "defaults";
  // Simulation replications: 10 keeps a run of a county town within seconds while the 95 %
  // intervals stay narrow (docs/simulation.md); scenarios may ask for 30.
  s.evaluation.simulation.replications = 10;
  return s;
}

Scenario load_scenario(const std::string& path) {
  const std::string normal = fs::path(path).lexically_normal().string();
  return finish_scenario(parse_file_or_throw(normal), normal);
}

Scenario parse_scenario(std::string_view text, const std::string& path) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    throw ConfigError(path + ":" + std::to_string(e.source().begin.line) +
                      ": (syntax): " + std::string(e.description()));
  }
  return finish_scenario(root, path);
}

std::vector<std::string> known_keys() {
  Scenario scratch = default_scenario();
  Problems problems;
  std::set<std::string> keys;
  apply(nullptr, "", scratch, problems, &keys);
  return {keys.begin(), keys.end()};
}

std::vector<std::pair<std::string, std::string>> describe(const Scenario& s) {
  std::vector<std::pair<std::string, std::string>> d;
  const PartitionParams& p = s.partition;
  const evaluation::EvaluationParams& e = s.evaluation;
  d.push_back({"scenario.name", s.name});
  d.push_back({"scenario.seed", std::to_string(p.seed)});
  std::vector<std::string> inputs;
  for (const InputSpec& in : s.load.inputs) inputs.push_back(in.path);
  d.push_back({"input.files", join(inputs)});
  if (!s.load.target_crs.empty()) d.push_back({"input.target_crs", s.load.target_crs});
  if (!s.load.encoding.empty()) d.push_back({"input.encoding", s.load.encoding});
  if (!s.existing.path.empty()) {
    d.push_back({"existing.path", s.existing.path});
    d.push_back({"existing.mode", s.existing.mode});
  }
  d.push_back({"households.dwelling_gross_m2", fmt(s.load.households.dwelling_gross_m2)});
  d.push_back({"households.default_floors", std::to_string(s.load.households.default_floors)});
  d.push_back({"grids.large", std::to_string(p.large.min) + "–" + std::to_string(p.large.max) +
                                  " (target " + std::to_string(p.large.target) + ")"});
  d.push_back({"grids.micro", std::to_string(p.micro.min) + "–" + std::to_string(p.micro.max) +
                                  " (target " + std::to_string(p.micro.target) + ")"});
  d.push_back({"grids.policy", p.policy == InfeasiblePolicy::allow_undersized
                                   ? "allow-undersized"
                                   : "join-across-soft"});
  d.push_back({"grids.fixed_large_per_community", std::to_string(p.fixed_large_per_community)});
  d.push_back({"grids.weights", "balance " + fmt(p.weights.balance) + ", compactness " +
                                    fmt(p.weights.compactness) + ", workload " +
                                    fmt(p.weights.workload) + ", moved " + fmt(p.weights.moved)});
  d.push_back({"barriers.hard_road_classes",
               join({p.hard_road_classes.begin(), p.hard_road_classes.end()})});
  d.push_back({"workers.full_time", e.full_time_workers == 0 && e.part_time_workers == 0
                                        ? std::string("analytic need per grid")
                                        : std::to_string(e.full_time_workers)});
  d.push_back({"workers.part_time", std::to_string(e.part_time_workers)});
  d.push_back({"workers.part_time_hours_per_week", fmt(e.workload.part_time.hours_per_week())});
  d.push_back({"workers.walking_speed_kmh", fmt(e.workload.walking_speed_kmh)});
  d.push_back({"workers.patrol", fmt(e.workload.patrols_per_year) + " rounds/year, " +
                                     fmt(e.workload.patrol_minutes_per_building) +
                                     " min/building, " + fmt(e.workload.patrol_minutes_per_floor) +
                                     " min/floor"});
  d.push_back({"workers.allowances",
               "meetings " + fmt(e.workload.meeting_hours_per_week) + " h/week, ledgers " +
                   fmt(e.workload.ledger_hours_per_week) + " h/week, training " +
                   fmt(e.workload.training_hours_per_year) + " h/year, grid chief " +
                   fmt(e.workload.grid_chief_hours_per_year) + " h/grid/year"});
  for (const sim::RoutineComponent& r : e.workload.routine)
    d.push_back({"workload." + r.key, fmt(r.per_unit_per_year) + "/" + sim::to_string(r.basis) +
                                          "/year × share " + fmt(r.share) + ", " + fmt(r.minutes) +
                                          " min"});
  for (const sim::CategoryParams& c : e.workload.categories)
    d.push_back({std::string("events.") + sim::to_string(c.category),
                 fmt(c.events_per_household_per_year) + "/household/year, " +
                     fmt(c.handling_minutes) + " min, escalate " + fmt(c.escalate_to_community) +
                     " → centre " + fmt(c.escalate_to_centre)});
  if (!e.workload.grid_event_multipliers.empty()) {
    double low = INFINITY, high = 0.0;
    for (const auto& [code, m] : e.workload.grid_event_multipliers) {
      low = std::min(low, m);
      high = std::max(high, m);
    }
    d.push_back(
        {"events.grid_multipliers", std::to_string(e.workload.grid_event_multipliers.size()) +
                                        " grids, " + fmt(low) + " … " + fmt(high)});
  }
  d.push_back({"simulation", e.simulate
                                 ? fmt(e.simulation.horizon_days) + " days × " +
                                       std::to_string(e.simulation.replications) + " replications"
                                 : std::string("off")});
  std::vector<std::string> thresholds;
  for (double t : e.coverage.thresholds_m) thresholds.push_back(fmt(t) + " m");
  d.push_back({"coverage.thresholds_m", join(thresholds)});
  d.push_back({"stations.station_max_distance_m", fmt(e.rules.station_max_distance_m)});
  d.push_back({"stations.floor_m2_per_100_households", fmt(e.rules.floor_m2_per_100_households)});
  d.push_back({"stations.max_walk_m", fmt(e.rules.max_walk_m)});
  d.push_back({"stations.siting", e.site_stations
                                      ? std::to_string(e.siting.new_stations) + " new within " +
                                            fmt(e.siting.radius_m) + " m"
                                      : std::string("off")});
  d.push_back({"staffing", "p90 response ≤ " + fmt(s.staffing.p90_response_hours) +
                               " h, utilisation ≤ " + fmt(s.staffing.max_utilisation)});
  d.push_back(
      {"output.formats",
       "gpkg" + (s.output.formats.empty() ? std::string() : ", " + join(s.output.formats))});
  d.push_back({"output.crs", s.output.crs.empty() ? std::string("the input's") : s.output.crs});
  d.push_back({"output.shapefile_encoding", s.output.shapefile_encoding});
  return d;
}

}  // namespace gp::pipeline
