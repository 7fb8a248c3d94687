#include "planner/pipeline/scenario_write.hpp"

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <sstream>

namespace gp::pipeline {

// The scenario configures the readers: their option types and role names.
using namespace gp::io;
namespace {

namespace fs = std::filesystem;

std::string absolute(const std::string& path) {
  if (path.empty()) return path;
  std::error_code ec;
  const fs::path p = fs::absolute(path, ec);
  return (ec ? fs::path(path) : p).lexically_normal().string();
}

/// A TOML basic string: double quotes, backslash escapes, control characters as \uXXXX; UTF-8
/// (Chinese names) as it is.
std::string quote(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned char>(c));
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

/// A key: bare when it is only ASCII letters, digits, '_' and '-', else quoted (楼栋).
std::string key(const std::string& k) {
  bool bare = !k.empty();
  for (const char c : k)
    bare &= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '_' || c == '-';
  return bare ? k : quote(k);
}

/// The shortest text that reads back as the same double (0.2, not 0.20000000000000001), always
/// with a '.' or an exponent so TOML reads a float.
std::string number(double v) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  std::string text(buffer, ec == std::errc() ? end : buffer);
  if (text.find_first_of(".eE") == std::string::npos && text.find("inf") == std::string::npos &&
      text.find("nan") == std::string::npos)
    text += ".0";
  return text;
}

class Writer {
 public:
  explicit Writer(const Scenario& s) : s_(s) {}
  void table(const std::string& name) {
    out_ << (first_ ? "" : "\n") << '[' << name << "]\n";
    first_ = false;
    if (auto it = s_.sources.find(name); it != s_.sources.end()) text("source", it->second);
  }
  void text(const std::string& k, const std::string& v) {
    out_ << key(k) << " = " << quote(v) << '\n';
  }
  void integer(const std::string& k, long long v) { out_ << key(k) << " = " << v << '\n'; }
  void real(const std::string& k, double v) { out_ << key(k) << " = " << number(v) << '\n'; }
  void boolean(const std::string& k, bool v) {
    out_ << key(k) << " = " << (v ? "true" : "false") << '\n';
  }
  template <class List>
  void texts(const std::string& k, const List& list) {
    out_ << key(k) << " = [";
    bool first = true;
    for (const std::string& v : list) {
      out_ << (first ? "" : ", ") << quote(v);
      first = false;
    }
    out_ << "]\n";
  }
  void reals(const std::string& k, const std::vector<double>& list) {
    out_ << key(k) << " = [";
    for (std::size_t i = 0; i < list.size(); ++i) out_ << (i ? ", " : "") << number(list[i]);
    out_ << "]\n";
  }
  std::ostringstream& raw() { return out_; }
  std::string str() const { return out_.str(); }

 private:
  const Scenario& s_;
  std::ostringstream out_;
  bool first_ = true;
};

}  // namespace

std::string to_toml(const Scenario& s) {
  const PartitionParams& p = s.partition;
  const evaluation::EvaluationParams& e = s.evaluation;
  Writer w(s);
  w.raw() << "# The resolved scenario of this run (docs/scenario-format.md): every parameter with "
             "the value\n# used, inputs as absolute paths. `gridplan run scenario.toml` repeats "
             "the run; the studio\n# reopens the run from it.\n\n";

  w.table("scenario");
  w.text("name", s.name);
  w.text("description", s.description);
  w.integer("seed", static_cast<long long>(p.seed));

  w.table("input");
  w.raw() << "files = [";
  for (std::size_t i = 0; i < s.load.inputs.size(); ++i) {
    const InputSpec& in = s.load.inputs[i];
    w.raw() << (i ? "," : "") << "\n  { path = " << quote(absolute(in.path));
    if (!in.layer.empty()) w.raw() << ", layer = " << quote(in.layer);
    if (in.role) w.raw() << ", role = " << quote(to_string(*in.role));
    w.raw() << " }";
  }
  w.raw() << (s.load.inputs.empty() ? "]\n" : "\n]\n");
  w.text("assume_crs", s.load.assume_crs);
  w.text("target_crs", s.load.target_crs);
  w.text("encoding", s.load.encoding);
  w.boolean("gcj02", s.load.gcj02);
  w.boolean("strict", s.load.strict);
  w.boolean("osm_communities", s.load.osm_communities);
  w.integer("osm_admin_level", s.load.osm_admin_level);
  w.text("unknown_use", to_string(s.load.unknown_use));
  w.real("point_building_side_m", s.load.point_building_side_m);
  {
    const io::LoadOptions::HouseholdTable& h = s.load.household_table;
    w.table("input.household_table");
    w.text("path", h.path.empty() ? "" : absolute(h.path));
    w.text("layer", h.layer);
    w.text("join_by", h.join_by);
    w.text("key_column", h.key_column);
    w.text("households_column", h.households_column);
  }
  w.table("input.layers");
  for (const auto& [name, role] : s.load.layer_roles) w.text(name, to_string(role));
  for (const auto& [role, mapping] : s.load.fields) {
    w.table(std::string("input.fields.") + to_string(role));
    for (const auto& [field_key, field] : mapping) w.text(field_key, field);
  }

  if (!s.existing.path.empty()) {
    w.table("existing");
    w.text("path", absolute(s.existing.path));
    w.text("layer", s.existing.layer);
    w.text("mode", s.existing.mode);
    w.text("bid_field", s.existing.bid_field);
    w.text("large_field", s.existing.large_field);
    w.text("micro_field", s.existing.micro_field);
  }

  const HouseholdParams& h = s.load.households;
  w.table("households");
  w.real("dwelling_gross_m2", h.dwelling_gross_m2);
  w.real("storey_height_m", h.storey_height_m);
  w.real("residential_share", h.residential_share);
  w.real("mixed_share", h.mixed_share);
  w.integer("default_floors", h.default_floors);
  w.integer("default_floors_house", h.default_floors_house);
  w.real("min_dwelling_footprint_m2", h.min_dwelling_footprint_m2);
  w.real("max_households_per_100m2", h.max_households_per_100m2);

  w.table("grids");
  w.integer("fixed_large_per_community", p.fixed_large_per_community);
  w.integer("refinement_passes", p.refinement_passes);
  w.boolean("seed_from_stations", p.seed_from_stations);
  w.text("policy",
         p.policy == InfeasiblePolicy::allow_undersized ? "allow-undersized" : "join-across-soft");
  for (const auto& [name, b] : {std::pair{"large", p.large}, std::pair{"micro", p.micro}}) {
    w.table(std::string("grids.") + name);
    w.integer("min", b.min);
    w.integer("max", b.max);
    w.integer("target", b.target);
  }
  w.table("grids.weights");
  w.real("balance", p.weights.balance);
  w.real("compactness", p.weights.compactness);
  w.real("workload", p.weights.workload);
  w.real("moved", p.weights.moved);

  w.table("barriers");
  w.texts("hard_road_classes", p.hard_road_classes);

  const sim::WorkloadParams& wl = e.workload;
  w.table("workers");
  w.integer("full_time", e.full_time_workers);
  w.integer("part_time", e.part_time_workers);
  w.real("patrols_per_year", wl.patrols_per_year);
  w.real("patrol_minutes_per_building", wl.patrol_minutes_per_building);
  w.real("patrol_minutes_per_floor", wl.patrol_minutes_per_floor);
  w.text("patrol_route",
         wl.patrol_route == sim::PatrolRoute::perimeter ? "perimeter" : "building_tour");
  w.real("walking_speed_kmh", wl.walking_speed_kmh);
  w.real("detour_factor", wl.detour_factor);
  w.real("meeting_hours_per_week", wl.meeting_hours_per_week);
  w.real("ledger_hours_per_week", wl.ledger_hours_per_week);
  w.real("training_hours_per_year", wl.training_hours_per_year);
  w.real("grid_chief_hours_per_year", wl.grid_chief_hours_per_year);
  w.real("persons_per_household", wl.persons_per_household);
  w.real("part_time_hours_per_week", wl.part_time.hours_per_week());

  for (const sim::RoutineComponent& r : wl.routine) {
    w.table("workload." + r.key);
    w.real("per_unit_per_year", r.per_unit_per_year);
    w.real("share", r.share);
    w.real("minutes", r.minutes);
    w.reals("monthly", {r.monthly.begin(), r.monthly.end()});
  }

  // Per-grid event multipliers of `gridplan calibrate` (an inline table: grid code = factor).
  w.table("events");
  w.raw() << "grid_multipliers = {";
  for (auto it = wl.grid_event_multipliers.begin(); it != wl.grid_event_multipliers.end(); ++it)
    w.raw() << (it == wl.grid_event_multipliers.begin() ? " " : ", ") << key(it->first) << " = "
            << number(it->second);
  w.raw() << (wl.grid_event_multipliers.empty() ? "}\n" : " }\n");

  for (const sim::CategoryParams& c : wl.categories) {
    w.table(std::string("events.") + sim::to_string(c.category));
    w.real("per_household_per_year", c.events_per_household_per_year);
    w.real("handling_minutes", c.handling_minutes);
    w.real("escalate_to_community", c.escalate_to_community);
    w.real("escalate_to_centre", c.escalate_to_centre);
    w.real("deadline_hours", c.deadline_hours);
    w.reals("monthly", {c.monthly.begin(), c.monthly.end()});
    w.reals("weekly", {c.weekly.begin(), c.weekly.end()});
    w.reals("daily", {c.daily.begin(), c.daily.end()});
  }

  const sim::SimulationParams& sp = e.simulation;
  w.table("simulation");
  w.boolean("enabled", e.simulate);
  w.real("horizon_days", sp.horizon_days);
  w.integer("replications", sp.replications);
  w.real("handling_cv", sp.handling_cv);
  w.boolean("routine_work", sp.routine_work);
  w.real("community_hours", sp.community_hours);
  w.real("centre_hours", sp.centre_hours);
  w.boolean("sensitivity", e.sensitivity);
  w.integer("sensitivity_replications", e.sensitivity_params.replications);
  w.integer("sensitivity_simulated_rows", e.sensitivity_params.simulated_rows);

  w.table("stations");
  w.real("station_max_distance_m", e.rules.station_max_distance_m);
  w.real("floor_m2_per_100_households", e.rules.floor_m2_per_100_households);
  w.real("max_walk_m", e.rules.max_walk_m);
  w.table("stations.siting");
  w.boolean("enabled", e.site_stations);
  w.integer("new_stations", e.siting.new_stations);
  w.real("radius_m", e.siting.radius_m);
  w.integer("swap_passes", e.siting.swap_passes);

  w.table("coverage");
  w.reals("thresholds_m", e.coverage.thresholds_m);
  w.real("walking_speed_kmh", e.coverage.walking_speed_kmh);
  w.real("detour_factor", e.coverage.detour_factor);
  w.real("max_snap_m", e.coverage.max_snap_m);
  w.texts("forbidden_classes", e.coverage.forbidden_classes);

  w.table("staffing");
  w.real("p90_response_hours", s.staffing.p90_response_hours);
  w.real("max_utilisation", s.staffing.max_utilisation);

  w.table("output");
  w.texts("formats", s.output.formats);
  w.text("crs", s.output.crs);
  w.text("shapefile_encoding", s.output.shapefile_encoding);
  return w.str();
}

}  // namespace gp::pipeline
