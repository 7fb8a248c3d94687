#include "planner/pipeline/scenario.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>

#include "planner/core/errors.hpp"

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

  template <typename Integer>
  void integer(const std::string& name, Integer& out, long long lo, long long hi) {
    const toml::node* node = find(name);
    if (!node) return;
    auto value = node->value_exact<std::int64_t>();
    if (!value) {
      fail(*node, name, "expected an integer, got " + type_name(*node) + quoted_value(*node));
      return;
    }
    if (*value < lo || *value > hi) {
      fail(*node, name,
           std::to_string(*value) + " is out of range; expected " + std::to_string(lo) + " to " +
               std::to_string(hi));
      return;
    }
    out = static_cast<Integer>(*value);
    record(name, *node);
  }

  void real(const std::string& name, double& out, double lo, double hi) {
    const toml::node* node = find(name);
    if (!node) return;
    if (!node->is_number()) {
      fail(*node, name, "expected a number, got " + type_name(*node) + quoted_value(*node));
      return;
    }
    const double value = node->value<double>().value_or(0.0);
    if (!(value >= lo && value <= hi)) {
      fail(*node, name,
           number_text(value) + " is out of range; expected " + number_text(lo) + " to " +
               number_text(hi));
      return;
    }
    out = value;
    record(name, *node);
  }

  void boolean(const std::string& name, bool& out) {
    const toml::node* node = find(name);
    if (!node) return;
    if (auto value = node->value_exact<bool>()) {
      out = *value;
      record(name, *node);
    } else {
      fail(*node, name, "expected true or false, got " + type_name(*node) + quoted_value(*node));
    }
  }

  void string(const std::string& name, std::string& out,
              const std::vector<std::string>& allowed = {}) {
    const toml::node* node = find(name);
    if (!node) return;
    auto value = node->value_exact<std::string>();
    if (!value) {
      fail(*node, name, "expected a string, got " + type_name(*node) + quoted_value(*node));
      return;
    }
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) {
      std::string list;
      for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + ("\"" + a + "\"");
      fail(*node, name,
           "\"" + *value + "\" is not one of " + list + suggestion(*value, allowed, false));
      return;
    }
    out = *value;
    record(name, *node);
  }

  void strings(const std::string& name, std::vector<std::string>& out) {
    const toml::node* node = find(name);
    if (!node) return;
    const toml::array* array = node->as_array();
    if (!array) {
      fail(*node, name, "expected an array of strings, got " + type_name(*node));
      return;
    }
    std::vector<std::string> values;
    for (std::size_t i = 0; i < array->size(); ++i) {
      auto text = (*array)[i].value_exact<std::string>();
      if (!text) {
        fail((*array)[i], name + "[" + std::to_string(i) + "]",
             "expected a string, got " + type_name((*array)[i]));
        return;
      }
      values.push_back(*text);
    }
    out = std::move(values);
    record(name, *node);
  }

  void reals(const std::string& name, std::vector<double>& out, double lo, double hi) {
    const toml::node* node = find(name);
    if (!node) return;
    const toml::array* array = node->as_array();
    if (!array) {
      fail(*node, name, "expected an array of numbers, got " + type_name(*node));
      return;
    }
    std::vector<double> values;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& item = (*array)[i];
      if (!item.is_number()) {
        fail(item, name + "[" + std::to_string(i) + "]",
             "expected a number, got " + type_name(item));
        return;
      }
      const double v = item.value<double>().value_or(0.0);
      if (!(v >= lo && v <= hi)) {
        fail(item, name + "[" + std::to_string(i) + "]",
             number_text(v) + " is out of range; expected " + number_text(lo) + " to " +
                 number_text(hi));
        return;
      }
      values.push_back(v);
    }
    out = std::move(values);
    record(name, *node);
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

void read_bounds(TableReader grids, HouseholdBounds& bounds) {
  // `grids` is the reader of grids.large / grids.micro.
  grids.integer("min", bounds.min, 1, 1000000);
  grids.integer("max", bounds.max, 1, 1000000);
  grids.integer("target", bounds.target, 1, 1000000);
  grids.finish();
}

std::string resolve(const std::string& file, const std::string& path) {
  if (path.empty()) return path;
  fs::path p(path);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (fs::path(file).parent_path() / p).lexically_normal().string();
}

void read_input(TableReader input, const std::string& file) {
  Scenario& s = input.scenario();
  LoadOptions& load = s.load;
  if (const toml::node* node = input.find("files")) {
    const toml::array* array = node->as_array();
    if (!array) {
      input.fail(*node, "files",
                 "expected an array of file names (or of {path, layer, role} "
                 "tables), got " +
                     type_name(*node));
    } else {
      load.inputs.clear();
      for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::node& item = (*array)[i];
        const std::string key = "files[" + std::to_string(i) + "]";
        InputSpec spec;
        if (auto text = item.value_exact<std::string>()) {
          spec.path = *text;
        } else if (const toml::table* t = item.as_table()) {
          TableReader entry(t, input.key(key), file, input.line_of(item), input.problems(), s,
                            nullptr);
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
          input.fail(item, key,
                     "file not found: '" + spec.path +
                         "' (relative paths are relative to the scenario file)");
        load.inputs.push_back(std::move(spec));
      }
      input.record("files", *node);
    }
  }
  input.string("assume_crs", load.assume_crs);
  input.string("target_crs", load.target_crs);
  input.string("encoding", load.encoding);
  input.boolean("gcj02", load.gcj02);
  input.boolean("strict", load.strict);
  input.boolean("osm_communities", load.osm_communities);
  input.integer("osm_admin_level", load.osm_admin_level, 2, 11);
  {
    std::string use;
    input.string("unknown_use", use,
                 {"residential", "mixed", "school", "hospital", "office", "commercial",
                  "industrial", "ancillary", "other"});
    for (const BuildingUse u :
         {BuildingUse::residential, BuildingUse::mixed, BuildingUse::school, BuildingUse::hospital,
          BuildingUse::office, BuildingUse::commercial, BuildingUse::industrial,
          BuildingUse::ancillary, BuildingUse::other})
      if (use == to_string(u)) load.unknown_use = u;
  }

  // input.layers: layer name → role
  if (const toml::node* node = input.find("layers")) {
    if (const toml::table* t = node->as_table()) {
      for (const auto& [name, value] : *t) {
        const std::string key = "layers." + std::string(name.str());
        auto role_text = value.value_exact<std::string>();
        auto role = role_text ? parse_role(*role_text) : std::nullopt;
        if (!role)
          input.fail(value, key,
                     "expected a layer role (buildings, compounds, communities, roads, "
                     "rivers, water, rail, walkways, stations, grids)" +
                         quoted_value(value));
        else
          load.layer_roles[std::string(name.str())] = *role;
      }
    } else {
      input.fail(*node, "layers", "expected a table of layer name = role");
    }
  }
  // input.fields.<role>.<key> = "FIELD"
  TableReader fields = input.sub("fields");
  for (const char* role_name : {"buildings", "compounds", "communities", "roads", "rivers", "water",
                                "rail", "walkways", "stations", "grids"}) {
    TableReader role_reader = fields.sub(role_name);
    const LayerRole role = *parse_role(role_name);
    for (const std::string& field_key : field_keys(role)) {
      std::string value;
      role_reader.string(field_key, value);
      if (!value.empty()) load.fields[role][field_key] = value;
    }
    role_reader.finish();
  }
  fields.finish();
  // input.point_building_side_m: the square a building given as a point stands for (metres).
  input.real("point_building_side_m", load.point_building_side_m, 1, 200);
  // [input.household_table]: households per building from a department's table (CSV/XLSX).
  {
    TableReader table = input.sub("household_table");
    io::LoadOptions::HouseholdTable& h = load.household_table;
    std::string path;
    table.string("path", path);
    if (!path.empty()) {
      h.path = resolve(file, path);
      std::error_code ec;
      if (!fs::exists(h.path, ec))
        table.fail(
            *table.find("path"), "path",
            "file not found: '" + h.path + "' (relative paths are relative to the scenario file)");
    }
    table.string("layer", h.layer);
    table.string("join_by", h.join_by, {"id", "name"});
    table.string("key_column", h.key_column);
    table.string("households_column", h.households_column);
    table.finish();
  }
  input.finish();
}

void read_households(TableReader t) {
  HouseholdParams& h = t.scenario().load.households;
  t.real("dwelling_gross_m2", h.dwelling_gross_m2, 10, 1000);
  t.real("storey_height_m", h.storey_height_m, 2, 10);
  t.real("residential_share", h.residential_share, 0, 1);
  t.real("mixed_share", h.mixed_share, 0, 1);
  t.integer("default_floors", h.default_floors, 1, 200);
  t.integer("default_floors_house", h.default_floors_house, 1, 20);
  t.real("min_dwelling_footprint_m2", h.min_dwelling_footprint_m2, 0, 10000);
  t.real("max_households_per_100m2", h.max_households_per_100m2, 0.1, 100);
  t.finish();
}

void read_grids(TableReader t) {
  PartitionParams& p = t.scenario().partition;
  read_bounds(t.sub("large"), p.large);
  read_bounds(t.sub("micro"), p.micro);
  t.integer("fixed_large_per_community", p.fixed_large_per_community, 0, 10000);
  t.integer("refinement_passes", p.refinement_passes, 0, 1000);
  t.boolean("seed_from_stations", p.seed_from_stations);
  std::string policy;
  t.string("policy", policy, {"allow-undersized", "join-across-soft"});
  if (policy == "allow-undersized") p.policy = InfeasiblePolicy::allow_undersized;
  if (policy == "join-across-soft") p.policy = InfeasiblePolicy::join_across_soft;
  TableReader w = t.sub("weights");
  w.real("balance", p.weights.balance, 0, 1000);
  w.real("compactness", p.weights.compactness, 0, 1000);
  w.real("workload", p.weights.workload, 0, 1000);
  w.real("moved", p.weights.moved, 0, 1000);
  w.finish();
  t.finish();
}

void read_barriers(TableReader t) {
  std::vector<std::string> classes;
  bool given = t.table() && t.table()->contains("hard_road_classes");
  t.strings("hard_road_classes", classes);
  if (given) {
    t.scenario().partition.hard_road_classes = {classes.begin(), classes.end()};
  }
  t.finish();
}

void read_workers(TableReader t) {
  evaluation::EvaluationParams& e = t.scenario().evaluation;
  sim::WorkloadParams& w = e.workload;
  t.integer("full_time", e.full_time_workers, 0, 1000000);
  t.integer("part_time", e.part_time_workers, 0, 1000000);
  // The household-visit component under its older names.
  for (sim::RoutineComponent& r : w.routine) {
    if (r.key != "household_visits") continue;
    t.real("visits_per_household_per_year", r.per_unit_per_year, 0, 365);
    t.real("minutes_per_visit", r.minutes, 0, 600);
  }
  t.real("patrols_per_year", w.patrols_per_year, 0, 3650);
  t.real("patrol_minutes_per_building", w.patrol_minutes_per_building, 0, 600);
  t.real("patrol_minutes_per_floor", w.patrol_minutes_per_floor, 0, 600);
  std::string route;
  t.string("patrol_route", route, {"building_tour", "perimeter"});
  if (route == "perimeter") w.patrol_route = sim::PatrolRoute::perimeter;
  if (route == "building_tour") w.patrol_route = sim::PatrolRoute::building_tour;
  t.real("walking_speed_kmh", w.walking_speed_kmh, 0.5, 20);
  t.real("detour_factor", w.detour_factor, 1, 5);
  t.real("meeting_hours_per_week", w.meeting_hours_per_week, 0, 60);
  t.real("ledger_hours_per_week", w.ledger_hours_per_week, 0, 60);
  t.real("training_hours_per_year", w.training_hours_per_year, 0, 2000);
  t.real("grid_chief_hours_per_year", w.grid_chief_hours_per_year, 0, 5000);
  t.real("persons_per_household", w.persons_per_household, 0.5, 20);
  // Part-time workers' hours per week, spread over their working days from 09:00.
  double part_time_hours = w.part_time.hours_per_week();
  const bool part_given = t.table() && t.table()->contains("part_time_hours_per_week");
  t.real("part_time_hours_per_week", part_time_hours, 0.5, 60);
  if (part_given) {
    const double per_day = part_time_hours / std::max(1, w.part_time.days_per_week());
    w.part_time.intervals = {{9.0, std::min(24.0, 9.0 + per_day)}};
  }
  t.finish();
}

/// A profile of N factors (0–100) under `key`: exactly N values, or the key absent (default kept).
template <std::size_t N>
void read_profile(TableReader& r, const char* key, std::array<double, N>& out, const char* what) {
  std::vector<double> profile;
  r.reals(key, profile, 0, 100);
  if (profile.size() == N)
    std::copy(profile.begin(), profile.end(), out.begin());
  else if (!profile.empty())
    r.fail(
        *r.find(key), key,
        "expected " + std::to_string(N) + " " + what + ", got " + std::to_string(profile.size()));
}

void read_events(TableReader t) {
  std::vector<sim::CategoryParams>& categories = t.scenario().evaluation.workload.categories;
  for (sim::CategoryParams& c : categories) {
    TableReader r = t.sub(sim::to_string(c.category));
    r.real("per_household_per_year", c.events_per_household_per_year, 0, 1000);
    r.real("handling_minutes", c.handling_minutes, 0, 10000);
    r.real("escalate_to_community", c.escalate_to_community, 0, 1);
    r.real("escalate_to_centre", c.escalate_to_centre, 0, 1);
    r.real("deadline_hours", c.deadline_hours, 0, 100000);
    read_profile(r, "monthly", c.monthly, "month factors (January..December)");
    read_profile(r, "weekly", c.weekly, "day factors (Monday..Sunday)");
    read_profile(r, "daily", c.daily, "hour factors (0..23 h)");
    r.string("source", c.source);
    r.finish();
  }
  // [events.grid_multipliers]: grid code = events relative to the town rate (gridplan calibrate).
  if (const toml::node* node = t.find("grid_multipliers")) {
    std::map<std::string, double>& out = t.scenario().evaluation.workload.grid_event_multipliers;
    if (const toml::table* table = node->as_table()) {
      // Merged key by key over what an inherited or included file set.
      for (const auto& [code, value] : *table) {
        const auto number = value.value<double>();
        if (!number || !(*number >= 0.0 && *number <= 100.0))
          t.fail(value, "grid_multipliers." + std::string(code.str()),
                 "expected a multiplier from 0 to 100" + quoted_value(value));
        else
          out[std::string(code.str())] = *number;
      }
      t.record("grid_multipliers", *node);
    } else {
      t.fail(*node, "grid_multipliers", "expected a table of grid code = multiplier");
    }
  }
  t.finish();
}

/// [workload.<component>]: the routine components of the grid worker's job (docs/simulation.md).
void read_workload(TableReader t) {
  for (sim::RoutineComponent& c : t.scenario().evaluation.workload.routine) {
    TableReader r = t.sub(c.key);
    r.real("per_unit_per_year", c.per_unit_per_year, 0, 100000);
    r.real("share", c.share, 0, 1);
    r.real("minutes", c.minutes, 0, 10000);
    read_profile(r, "monthly", c.monthly, "month factors (January..December)");
    r.string("source", c.source);
    r.finish();
  }
  t.finish();
}

void read_simulation(TableReader t) {
  evaluation::EvaluationParams& e = t.scenario().evaluation;
  sim::SimulationParams& s = e.simulation;
  t.boolean("enabled", e.simulate);
  t.real("horizon_days", s.horizon_days, 1, 3660);
  t.integer("replications", s.replications, 1, 10000);
  t.real("handling_cv", s.handling_cv, 0, 10);
  t.boolean("routine_work", s.routine_work);
  t.real("community_hours", s.community_hours, 0, 10000);
  t.real("centre_hours", s.centre_hours, 0, 100000);
  t.boolean("sensitivity", e.sensitivity);
  t.integer("sensitivity_replications", e.sensitivity_params.replications, 2, 1000);
  t.integer("sensitivity_simulated_rows", e.sensitivity_params.simulated_rows, 0, 1000);
  t.finish();
}

void read_stations(TableReader t) {
  evaluation::EvaluationParams& e = t.scenario().evaluation;
  t.real("station_max_distance_m", e.rules.station_max_distance_m, 0, 100000);
  t.real("floor_m2_per_100_households", e.rules.floor_m2_per_100_households, 0, 10000);
  t.real("max_walk_m", e.rules.max_walk_m, 1, 100000);
  TableReader siting = t.sub("siting");
  siting.boolean("enabled", e.site_stations);
  siting.integer("new_stations", e.siting.new_stations, 0, 10000);
  siting.real("radius_m", e.siting.radius_m, 1, 100000);
  siting.integer("swap_passes", e.siting.swap_passes, 0, 100);
  siting.finish();
  t.finish();
}

void read_coverage(TableReader t) {
  sim::CoverageParams& c = t.scenario().evaluation.coverage;
  t.reals("thresholds_m", c.thresholds_m, 1, 100000);
  t.real("walking_speed_kmh", c.walking_speed_kmh, 0.5, 20);
  t.real("detour_factor", c.detour_factor, 1, 5);
  t.real("max_snap_m", c.max_snap_m, 0, 100000);
  t.strings("forbidden_classes", c.forbidden_classes);
  t.finish();
}

void read_staffing(TableReader t) {
  sim::StaffingTarget& s = t.scenario().staffing;
  t.real("p90_response_hours", s.p90_response_hours, 0.01, 10000);
  t.real("max_utilisation", s.max_utilisation, 0.01, 1);
  t.scenario().evaluation.target = s;
  t.finish();
}

void read_existing(TableReader t, const std::string& file) {
  ExistingPlanSettings& e = t.scenario().existing;
  std::string path;
  t.string("path", path);
  if (!path.empty()) {
    e.path = resolve(file, path);
    std::error_code ec;
    if (!fs::exists(e.path, ec))
      t.fail(*t.find("path"), "path",
             "file not found: '" + e.path + "' (relative paths are relative to the scenario file)");
  }
  t.string("layer", e.layer);
  t.string("mode", e.mode, {"replan", "evaluate"});
  t.string("bid_field", e.bid_field);
  t.string("large_field", e.large_field);
  t.string("micro_field", e.micro_field);
  t.finish();
}

void read_output(TableReader t) {
  OutputSettings& o = t.scenario().output;
  std::vector<std::string> formats = o.formats;
  t.strings("formats", formats);
  for (std::size_t i = 0; i < formats.size(); ++i)
    if (formats[i] != "gpkg" && formats[i] != "shp" && formats[i] != "geojson")
      t.fail(*t.find("formats"), "formats[" + std::to_string(i) + "]",
             "\"" + formats[i] +
                 "\" is not a format; use \"shp\" and/or \"geojson\" (the "
                 "GeoPackage is always written)");
  o.formats = formats;
  t.string("crs", o.crs);
  t.string("shapefile_encoding", o.shapefile_encoding, {"UTF-8", "GBK"});
  t.finish();
}

/// Applies one parsed file over `scenario` (which holds defaults or what the file inherits).
void apply(const toml::table* root, const std::string& file, Scenario& scenario, Problems& problems,
           std::set<std::string>* all_known) {
  TableReader top(root, "", file, 1, problems, scenario, all_known);
  top.expect("inherits");  // handled by the caller
  top.expect("include");   // handled by the caller
  TableReader meta = top.sub("scenario");
  meta.string("name", scenario.name);
  meta.string("description", scenario.description);
  std::uint64_t seed = 0;
  meta.integer("seed", seed, 0, std::numeric_limits<std::int64_t>::max());
  if (seed != 0 || (meta.table() && meta.table()->contains("seed"))) {
    scenario.partition.seed = seed;
    scenario.evaluation.simulation.seed = seed;
  }
  meta.finish();
  read_input(top.sub("input"), file);
  read_existing(top.sub("existing"), file);
  read_households(top.sub("households"));
  read_grids(top.sub("grids"));
  read_barriers(top.sub("barriers"));
  read_workers(top.sub("workers"));
  read_events(top.sub("events"));
  read_workload(top.sub("workload"));
  read_simulation(top.sub("simulation"));
  read_stations(top.sub("stations"));
  read_coverage(top.sub("coverage"));
  read_staffing(top.sub("staffing"));
  read_output(top.sub("output"));
  top.finish();
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
