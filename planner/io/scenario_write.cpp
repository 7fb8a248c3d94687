#include "planner/io/scenario_write.hpp"

#include <toml++/toml.h>

#include <filesystem>
#include <sstream>

namespace gp::io {
namespace {

namespace fs = std::filesystem;

std::string absolute(const std::string& path) {
  if (path.empty()) return path;
  std::error_code ec;
  const fs::path p = fs::absolute(path, ec);
  return (ec ? fs::path(path) : p).lexically_normal().string();
}

toml::array strings(const auto& list) {
  toml::array out;
  for (const std::string& s : list) out.push_back(s);
  return out;
}

/// Adds the `source` string recorded for the table at `key` ("grids.large").
void with_source(toml::table& table, const Scenario& s, const std::string& key) {
  if (auto it = s.sources.find(key); it != s.sources.end()) table.insert("source", it->second);
}

}  // namespace

std::string to_toml(const Scenario& s) {
  const PartitionParams& p = s.partition;
  const report::EvaluationParams& e = s.evaluation;
  toml::table root;

  toml::table meta{{"name", s.name},
                   {"description", s.description},
                   {"seed", static_cast<std::int64_t>(p.seed)}};
  with_source(meta, s, "scenario");
  root.insert("scenario", std::move(meta));

  toml::table input;
  toml::array files;
  for (const InputSpec& in : s.load.inputs) {
    toml::table f{{"path", absolute(in.path)}};
    if (!in.layer.empty()) f.insert("layer", in.layer);
    if (in.role) f.insert("role", to_string(*in.role));
    files.push_back(std::move(f));
  }
  input.insert("files", std::move(files));
  input.insert("assume_crs", s.load.assume_crs);
  input.insert("target_crs", s.load.target_crs);
  input.insert("encoding", s.load.encoding);
  input.insert("gcj02", s.load.gcj02);
  input.insert("strict", s.load.strict);
  toml::table layers;
  for (const auto& [name, role] : s.load.layer_roles) layers.insert(name, to_string(role));
  input.insert("layers", std::move(layers));
  toml::table fields;
  for (const auto& [role, mapping] : s.load.fields) {
    toml::table t;
    for (const auto& [key, field] : mapping) t.insert(key, field);
    fields.insert(to_string(role), std::move(t));
  }
  input.insert("fields", std::move(fields));
  with_source(input, s, "input");
  root.insert("input", std::move(input));

  if (!s.existing.path.empty()) {
    toml::table existing{{"path", absolute(s.existing.path)},
                         {"layer", s.existing.layer},
                         {"mode", s.existing.mode},
                         {"bid_field", s.existing.bid_field},
                         {"large_field", s.existing.large_field},
                         {"micro_field", s.existing.micro_field}};
    with_source(existing, s, "existing");
    root.insert("existing", std::move(existing));
  }

  const HouseholdParams& h = s.load.households;
  toml::table households{{"dwelling_gross_m2", h.dwelling_gross_m2},
                         {"storey_height_m", h.storey_height_m},
                         {"residential_share", h.residential_share},
                         {"mixed_share", h.mixed_share},
                         {"default_floors", h.default_floors},
                         {"default_floors_house", h.default_floors_house},
                         {"min_dwelling_footprint_m2", h.min_dwelling_footprint_m2},
                         {"max_households_per_100m2", h.max_households_per_100m2}};
  with_source(households, s, "households");
  root.insert("households", std::move(households));

  auto bounds = [&](const HouseholdBounds& b, const std::string& key) {
    toml::table t{{"min", b.min}, {"max", b.max}, {"target", b.target}};
    with_source(t, s, key);
    return t;
  };
  toml::table grids{
      {"fixed_large_per_community", p.fixed_large_per_community},
      {"refinement_passes", p.refinement_passes},
      {"seed_from_stations", p.seed_from_stations},
      {"policy",
       p.policy == InfeasiblePolicy::allow_undersized ? "allow-undersized" : "join-across-soft"}};
  grids.insert("large", bounds(p.large, "grids.large"));
  grids.insert("micro", bounds(p.micro, "grids.micro"));
  toml::table weights{{"balance", p.weights.balance},
                      {"compactness", p.weights.compactness},
                      {"workload", p.weights.workload},
                      {"moved", p.weights.moved}};
  with_source(weights, s, "grids.weights");
  grids.insert("weights", std::move(weights));
  with_source(grids, s, "grids");
  root.insert("grids", std::move(grids));

  toml::table barriers{{"hard_road_classes", strings(p.hard_road_classes)}};
  with_source(barriers, s, "barriers");
  root.insert("barriers", std::move(barriers));

  const sim::WorkloadParams& w = e.workload;
  toml::table workers{
      {"full_time", e.full_time_workers},
      {"part_time", e.part_time_workers},
      {"visits_per_household_per_year", w.visits_per_household_per_year},
      {"minutes_per_visit", w.minutes_per_visit},
      {"patrols_per_year", w.patrols_per_year},
      {"patrol_route",
       w.patrol_route == sim::PatrolRoute::perimeter ? "perimeter" : "building_tour"},
      {"walking_speed_kmh", w.walking_speed_kmh},
      {"detour_factor", w.detour_factor},
      {"other_work_share", w.other_work_share}};
  with_source(workers, s, "workers");
  root.insert("workers", std::move(workers));

  toml::table events;
  for (const sim::CategoryParams& c : w.categories) {
    const std::string name = sim::to_string(c.category);
    toml::table t{{"per_household_per_year", c.events_per_household_per_year},
                  {"handling_minutes", c.handling_minutes},
                  {"escalate_to_community", c.escalate_to_community},
                  {"escalate_to_centre", c.escalate_to_centre}};
    with_source(t, s, "events." + name);
    events.insert(name, std::move(t));
  }
  with_source(events, s, "events");
  root.insert("events", std::move(events));

  const sim::SimulationParams& sp = e.simulation;
  toml::table simulation{{"enabled", e.simulate},           {"horizon_days", sp.horizon_days},
                         {"replications", sp.replications}, {"handling_cv", sp.handling_cv},
                         {"routine_work", sp.routine_work}, {"community_hours", sp.community_hours},
                         {"centre_hours", sp.centre_hours}};
  with_source(simulation, s, "simulation");
  root.insert("simulation", std::move(simulation));

  toml::table siting{{"enabled", e.site_stations},
                     {"new_stations", e.siting.new_stations},
                     {"radius_m", e.siting.radius_m},
                     {"swap_passes", e.siting.swap_passes}};
  with_source(siting, s, "stations.siting");
  toml::table stations{{"station_max_distance_m", e.rules.station_max_distance_m},
                       {"floor_m2_per_100_households", e.rules.floor_m2_per_100_households},
                       {"max_walk_m", e.rules.max_walk_m}};
  stations.insert("siting", std::move(siting));
  with_source(stations, s, "stations");
  root.insert("stations", std::move(stations));

  toml::array thresholds;
  for (double t : e.coverage.thresholds_m) thresholds.push_back(t);
  toml::table coverage{{"walking_speed_kmh", e.coverage.walking_speed_kmh},
                       {"detour_factor", e.coverage.detour_factor},
                       {"max_snap_m", e.coverage.max_snap_m}};
  coverage.insert("thresholds_m", std::move(thresholds));
  coverage.insert("forbidden_classes", strings(e.coverage.forbidden_classes));
  with_source(coverage, s, "coverage");
  root.insert("coverage", std::move(coverage));

  toml::table staffing{{"p90_response_hours", s.staffing.p90_response_hours},
                       {"max_utilisation", s.staffing.max_utilisation}};
  with_source(staffing, s, "staffing");
  root.insert("staffing", std::move(staffing));

  toml::table output{{"crs", s.output.crs}, {"shapefile_encoding", s.output.shapefile_encoding}};
  output.insert("formats", strings(s.output.formats));
  with_source(output, s, "output");
  root.insert("output", std::move(output));

  std::ostringstream text;
  text
      << "# The resolved scenario of this run (docs/scenario-format.md): every parameter with the\n"
         "# value used, inputs as absolute paths. `gridplan run scenario.toml` repeats the run;\n"
         "# the studio reopens the run from it.\n\n"
      << root << '\n';
  return text.str();
}

}  // namespace gp::io
