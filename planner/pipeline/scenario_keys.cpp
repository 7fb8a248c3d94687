#include "planner/pipeline/scenario_keys.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <type_traits>

namespace gp::pipeline {
namespace {

using Texts = std::vector<std::string>;
using Numbers = std::vector<double>;

// A key whose value is one member of the Scenario: its name (for the table's `field`), a getter
// and a setter converting to the member's type.
#define GP_AT(member) \
#member, [](const Scenario& s) { return s.member; },         \
      [](Scenario& s, const auto& v) {                          \
        s.member = static_cast<std::decay_t<decltype(s.member)>>(v); \
      }

template <class Get, class Set>
ScenarioKey integer(std::string name, long long lo, long long hi, std::string doc,
                    std::string field, Get get, Set set) {
  ScenarioKey k{std::move(name), std::move(field), std::move(doc),
                KeyAccess<long long>{
                    [get](const Scenario& s) { return static_cast<long long>(get(s)); }, set}};
  k.min_integer = lo;
  k.max_integer = hi;
  return k;
}

template <class Get, class Set>
ScenarioKey real(std::string name, double lo, double hi, std::string doc, std::string field,
                 Get get, Set set) {
  ScenarioKey k{
      std::move(name), std::move(field), std::move(doc),
      KeyAccess<double>{[get](const Scenario& s) { return static_cast<double>(get(s)); }, set}};
  k.min_real = lo;
  k.max_real = hi;
  return k;
}

template <class Get, class Set>
ScenarioKey boolean(std::string name, std::string doc, std::string field, Get get, Set set) {
  return {std::move(name), std::move(field), std::move(doc), KeyAccess<bool>{get, set}};
}

template <class Get, class Set>
ScenarioKey text(std::string name, std::string doc, std::string field, Get get, Set set,
                 Texts allowed = {}) {
  ScenarioKey k{std::move(name), std::move(field), std::move(doc),
                KeyAccess<std::string>{get, set}};
  k.allowed = std::move(allowed);
  return k;
}

template <class Get, class Set>
ScenarioKey texts(std::string name, std::string doc, std::string field, Get get, Set set) {
  return {std::move(name), std::move(field), std::move(doc), KeyAccess<Texts>{get, set}};
}

template <class Get, class Set>
ScenarioKey numbers(std::string name, double lo, double hi, std::string doc, std::string field,
                    Get get, Set set) {
  ScenarioKey k{std::move(name), std::move(field), std::move(doc), KeyAccess<Numbers>{get, set}};
  k.min_real = lo;
  k.max_real = hi;
  return k;
}

ScenarioKey special(std::string name, std::string doc, bool written = true) {
  ScenarioKey k{std::move(name), "", std::move(doc), SpecialKey{}};
  k.written = written;
  return k;
}

/// A profile of exactly N factors 0–100 (std::array<double, N> in the parameters).
template <class Get>
ScenarioKey profile(std::string name, std::string doc, std::string field, std::string what,
                    Get get) {
  ScenarioKey k = numbers(
      std::move(name), 0, 100, std::move(doc), std::move(field),
      [get](const Scenario& s) {
        const auto& a = get(const_cast<Scenario&>(s));
        return Numbers(a.begin(), a.end());
      },
      [get](Scenario& s, const Numbers& v) { std::copy(v.begin(), v.end(), get(s).begin()); });
  k.count = std::tuple_size_v<std::decay_t<decltype(get(std::declval<Scenario&>()))>>;
  k.count_what = std::move(what);
  return k;
}

const char* policy_text(InfeasiblePolicy p) {
  return p == InfeasiblePolicy::allow_undersized ? "allow-undersized" : "join-across-soft";
}

std::vector<ScenarioTable> make_tables() {
  const Scenario defaults = default_scenario();
  std::vector<ScenarioTable> t;

  t.push_back(
      {"",
       {special("inherits", "parent scenario file, applied first", false),
        special("include", "fragments applied over the parent, under this file's keys", false)}});

  t.push_back({"scenario",
               {text("name", "short name shown in reports and comparisons", GP_AT(name)),
                text("description", "one sentence for the report", GP_AT(description)),
                integer(
                    "seed", 0, std::numeric_limits<std::int64_t>::max(),
                    "seed of the partitioner and of the event simulation", "partition.seed",
                    [](const Scenario& s) { return s.partition.seed; },
                    [](Scenario& s, long long v) {
                      s.partition.seed = static_cast<std::uint64_t>(v);
                      s.evaluation.simulation.seed = static_cast<std::uint64_t>(v);
                    })}});

  Texts uses;
  for (const BuildingUse u : {BuildingUse::residential, BuildingUse::mixed, BuildingUse::school,
                              BuildingUse::hospital, BuildingUse::office, BuildingUse::commercial,
                              BuildingUse::industrial, BuildingUse::ancillary, BuildingUse::other})
    uses.push_back(to_string(u));
  t.push_back(
      {"input",
       {special("files", "GIS files: a path or { path, layer, role }"),
        text("assume_crs", "CRS of layers that have none", GP_AT(load.assume_crs)),
        text("target_crs", "metric CRS to compute in (empty: automatic)", GP_AT(load.target_crs)),
        text("encoding", "Shapefile text encoding when no .cpg says it", GP_AT(load.encoding)),
        boolean("gcj02", "coordinates are GCJ-02: shift to WGS 84", GP_AT(load.gcj02)),
        boolean("strict", "any input warning is fatal", GP_AT(load.strict)),
        boolean("osm_communities", "OSM boundaries become the communities",
                GP_AT(load.osm_communities)),
        integer("osm_admin_level", 2, 11, "OSM admin_level of community boundaries",
                GP_AT(load.osm_admin_level)),
        text(
            "unknown_use", "use of buildings whose use value says nothing", "load.unknown_use",
            [](const Scenario& s) { return std::string(to_string(s.load.unknown_use)); },
            [](Scenario& s, const std::string& v) {
              for (const BuildingUse u :
                   {BuildingUse::residential, BuildingUse::mixed, BuildingUse::school,
                    BuildingUse::hospital, BuildingUse::office, BuildingUse::commercial,
                    BuildingUse::industrial, BuildingUse::ancillary, BuildingUse::other})
                if (v == to_string(u)) s.load.unknown_use = u;
            },
            uses),
        real("point_building_side_m", 1, 200, "side of the square a building point stands for, m",
             GP_AT(load.point_building_side_m))}});
  {
    ScenarioKey path =
        text("path", "household table file (CSV, XLSX, ODS)", GP_AT(load.household_table.path));
    path.path = true;
    t.push_back(
        {"input.household_table",
         {path,
          text("layer", "sheet or layer (empty: the first)", GP_AT(load.household_table.layer)),
          text("join_by", "id: rows name building ids; name: building names or addresses",
               GP_AT(load.household_table.join_by), {"id", "name"}),
          text("key_column", "the table's key column (empty: by name)",
               GP_AT(load.household_table.key_column)),
          text("households_column", "the table's households column (empty: by name)",
               GP_AT(load.household_table.households_column))}});
  }
  {
    ScenarioTable layers{"input.layers", {special("*", "layer name = role")}};
    layers.open = true;
    t.push_back(layers);
  }
  t.push_back({"input.fields", {}});
  for (const io::LayerRole role :
       {io::LayerRole::buildings, io::LayerRole::compounds, io::LayerRole::communities,
        io::LayerRole::roads, io::LayerRole::rivers, io::LayerRole::water, io::LayerRole::rail,
        io::LayerRole::walkways, io::LayerRole::stations, io::LayerRole::grids}) {
    ScenarioTable fields{std::string("input.fields.") + io::to_string(role), {}};
    for (const std::string& key : io::field_keys(role)) {
      ScenarioKey k = text(
          key, "field of the file holding " + key, "load.fields",
          [role, key](const Scenario& s) {
            const auto r = s.load.fields.find(role);
            if (r == s.load.fields.end()) return std::string();
            const auto f = r->second.find(key);
            return f == r->second.end() ? std::string() : f->second;
          },
          [role, key](Scenario& s, const std::string& v) {
            if (!v.empty()) s.load.fields[role][key] = v;
          });
      k.omit_empty = true;
      fields.keys.push_back(std::move(k));
    }
    fields.written = [role](const Scenario& s) { return s.load.fields.count(role) > 0; };
    t.push_back(std::move(fields));
  }

  {
    ScenarioKey path = text("path", "the existing plan: grid polygons or a building→grid table",
                            GP_AT(existing.path));
    path.path = true;
    ScenarioTable existing{
        "existing",
        {path, text("layer", "layer of path", GP_AT(existing.layer)),
         text("mode", "replan: fewest households moved; evaluate: as it is", GP_AT(existing.mode),
              {"replan", "evaluate"}),
         text("bid_field", "building id field of a building→grid table", GP_AT(existing.bid_field)),
         text("large_field", "large grid code field of a building→grid table",
              GP_AT(existing.large_field)),
         text("micro_field", "micro grid code field of a building→grid table",
              GP_AT(existing.micro_field))}};
    existing.written = [](const Scenario& s) { return !s.existing.path.empty(); };
    t.push_back(std::move(existing));
  }

  t.push_back(
      {"households",
       {real("dwelling_gross_m2", 10, 1000, "gross floor area per dwelling, m²",
             GP_AT(load.households.dwelling_gross_m2)),
        real("storey_height_m", 2, 10, "storey height for floors from height, m",
             GP_AT(load.households.storey_height_m)),
        real("residential_share", 0, 1, "share of a residential building's floor area in dwellings",
             GP_AT(load.households.residential_share)),
        real("mixed_share", 0, 1, "share of a mixed building's floor area in dwellings",
             GP_AT(load.households.mixed_share)),
        integer("default_floors", 1, 200, "floors of a building that does not say",
                GP_AT(load.households.default_floors)),
        integer("default_floors_house", 1, 20, "floors of a house that does not say",
                GP_AT(load.households.default_floors_house)),
        real("min_dwelling_footprint_m2", 0, 10000, "smaller footprints hold no dwelling, m²",
             GP_AT(load.households.min_dwelling_footprint_m2)),
        real("max_households_per_100m2", 0.1, 100, "above this a given count is absurd",
             GP_AT(load.households.max_households_per_100m2))}});

  t.push_back(
      {"grids",
       {integer("fixed_large_per_community", 0, 10000, "large grids per community (0: by bounds)",
                GP_AT(partition.fixed_large_per_community)),
        integer("refinement_passes", 0, 1000, "local-search passes",
                GP_AT(partition.refinement_passes)),
        boolean("seed_from_stations", "compound stations seed large grids",
                GP_AT(partition.seed_from_stations)),
        text(
            "policy", "where bounds cannot hold", "partition.policy",
            [](const Scenario& s) { return std::string(policy_text(s.partition.policy)); },
            [](Scenario& s, const std::string& v) {
              if (v == "allow-undersized") s.partition.policy = InfeasiblePolicy::allow_undersized;
              if (v == "join-across-soft") s.partition.policy = InfeasiblePolicy::join_across_soft;
            },
            {"allow-undersized", "join-across-soft"})}});
  t.push_back({"grids.large",
               {integer("min", 1, 1000000, "households per large grid, lower bound",
                        GP_AT(partition.large.min)),
                integer("max", 1, 1000000, "households per large grid, upper bound",
                        GP_AT(partition.large.max)),
                integer("target", 1, 1000000, "households per large grid, soft target",
                        GP_AT(partition.large.target))}});
  t.push_back({"grids.micro",
               {integer("min", 1, 1000000, "households per micro grid, lower bound",
                        GP_AT(partition.micro.min)),
                integer("max", 1, 1000000, "households per micro grid, upper bound",
                        GP_AT(partition.micro.max)),
                integer("target", 1, 1000000, "households per micro grid, soft target",
                        GP_AT(partition.micro.target))}});
  t.push_back({"grids.weights",
               {real("balance", 0, 1000, "objective weight of household balance",
                     GP_AT(partition.weights.balance)),
                real("compactness", 0, 1000, "objective weight of compactness",
                     GP_AT(partition.weights.compactness)),
                real("workload", 0, 1000, "objective weight of workload balance",
                     GP_AT(partition.weights.workload)),
                real("moved", 0, 1000, "objective weight of households moved",
                     GP_AT(partition.weights.moved))}});

  t.push_back(
      {"barriers",
       {texts(
           "hard_road_classes", "road classes no grid crosses", "partition.hard_road_classes",
           [](const Scenario& s) {
             return Texts(s.partition.hard_road_classes.begin(),
                          s.partition.hard_road_classes.end());
           },
           [](Scenario& s, const Texts& v) {
             s.partition.hard_road_classes = {v.begin(), v.end()};
           })}});

  {
    ScenarioTable workers{
        "workers",
        {integer("full_time", 0, 1000000, "full-time workers of the town (0 and 0: the need)",
                 GP_AT(evaluation.full_time_workers)),
         integer("part_time", 0, 1000000, "part-time workers of the town",
                 GP_AT(evaluation.part_time_workers))}};
    // The household-visit component under its older names.
    const auto& routine = defaults.evaluation.workload.routine;
    for (std::size_t i = 0; i < routine.size(); ++i) {
      if (routine[i].key != "household_visits") continue;
      ScenarioKey visits = real(
          "visits_per_household_per_year", 0, 365, "older name", "workload.routine",
          [i](const Scenario& s) { return s.evaluation.workload.routine[i].per_unit_per_year; },
          [i](Scenario& s, double v) { s.evaluation.workload.routine[i].per_unit_per_year = v; });
      visits.written = false;
      visits.alias_of = "workload.household_visits.per_unit_per_year";
      ScenarioKey minutes = real(
          "minutes_per_visit", 0, 600, "older name", "workload.routine",
          [i](const Scenario& s) { return s.evaluation.workload.routine[i].minutes; },
          [i](Scenario& s, double v) { s.evaluation.workload.routine[i].minutes = v; });
      minutes.written = false;
      minutes.alias_of = "workload.household_visits.minutes";
      workers.keys.push_back(std::move(visits));
      workers.keys.push_back(std::move(minutes));
    }
    for (ScenarioKey& k : std::vector<ScenarioKey>{
             real("patrols_per_year", 0, 3650, "patrol rounds per year",
                  GP_AT(evaluation.workload.patrols_per_year)),
             real("patrol_minutes_per_building", 0, 600, "patrol minutes per building per round",
                  GP_AT(evaluation.workload.patrol_minutes_per_building)),
             real("patrol_minutes_per_floor", 0, 600, "patrol minutes per floor per round",
                  GP_AT(evaluation.workload.patrol_minutes_per_floor)),
             text(
                 "patrol_route", "how a patrol route is estimated",
                 "evaluation.workload.patrol_route",
                 [](const Scenario&s) {
                   return std::string(s.evaluation.workload.patrol_route ==
                                              sim::PatrolRoute::perimeter
                                          ? "perimeter"
                                          : "building_tour");
                 },
                 [](Scenario&s, const std::string&v) {
                   if (v == "perimeter")
                     s.evaluation.workload.patrol_route = sim::PatrolRoute::perimeter;
                   if (v == "building_tour")
                     s.evaluation.workload.patrol_route = sim::PatrolRoute::building_tour;
                 },
                 {"building_tour", "perimeter"}),
             real("walking_speed_kmh", 0.5, 20, "walking speed, km/h",
                  GP_AT(evaluation.workload.walking_speed_kmh)),
             real("detour_factor", 1, 5, "straight line → walking distance",
                  GP_AT(evaluation.workload.detour_factor)),
             real("meeting_hours_per_week", 0, 60, "meetings per full-time worker, h/week",
                  GP_AT(evaluation.workload.meeting_hours_per_week)),
             real("ledger_hours_per_week", 0, 60, "ledgers per full-time worker, h/week",
                  GP_AT(evaluation.workload.ledger_hours_per_week)),
             real("training_hours_per_year", 0, 2000, "training per full-time worker, h/year",
                  GP_AT(evaluation.workload.training_hours_per_year)),
             real("grid_chief_hours_per_year", 0, 5000,
                  "grid chief allowance per large grid, h/year",
                  GP_AT(evaluation.workload.grid_chief_hours_per_year)),
             real("persons_per_household", 0.5, 20, "for components counted per resident",
                  GP_AT(evaluation.workload.persons_per_household)),
             real(
                 "part_time_hours_per_week", 0.5, 60,
                 "part-time workers' hours, from 09:00 on their working days",
                 "evaluation.workload.part_time",
                 [](const Scenario&s) { return s.evaluation.workload.part_time.hours_per_week(); },
                 [](Scenario&s, double hours) {
                   sim::ShiftPattern& p = s.evaluation.workload.part_time;
                   const double per_day = hours / std::max(1, p.days_per_week());
                   p.intervals = {{9.0, std::min(24.0, 9.0 + per_day)}};
                 })})
      workers.keys.push_back(std::move(k));
    t.push_back(std::move(workers));
  }

  t.push_back({"workload", {}});
  const auto& routine = defaults.evaluation.workload.routine;
  for (std::size_t i = 0; i < routine.size(); ++i) {
    auto at = [i](Scenario& s) -> sim::RoutineComponent& {
      return s.evaluation.workload.routine[i];
    };
    ScenarioTable r{
        "workload." + routine[i].key,
        {real(
             "per_unit_per_year", 0, 100000, "visits or matters per unit per year",
             "workload.routine",
             [at](const Scenario& s) { return at(const_cast<Scenario&>(s)).per_unit_per_year; },
             [at](Scenario& s, double v) { at(s).per_unit_per_year = v; }),
         real(
             "share", 0, 1, "share of the units concerned", "workload.routine",
             [at](const Scenario& s) { return at(const_cast<Scenario&>(s)).share; },
             [at](Scenario& s, double v) { at(s).share = v; }),
         real(
             "minutes", 0, 10000, "minutes per visit or matter", "workload.routine",
             [at](const Scenario& s) { return at(const_cast<Scenario&>(s)).minutes; },
             [at](Scenario& s, double v) { at(s).minutes = v; }),
         profile("monthly", "month factors, January..December", "workload.routine",
                 "month factors (January..December)",
                 [at](Scenario& s) -> sim::MonthlyProfile& { return at(s).monthly; })}};
    r.on_source = [at](Scenario& s, const std::string& v) { at(s).source = v; };
    t.push_back(std::move(r));
  }

  t.push_back({"events", {}});
  const auto& categories = defaults.evaluation.workload.categories;
  for (std::size_t i = 0; i < categories.size(); ++i) {
    auto at = [i](Scenario& s) -> sim::CategoryParams& {
      return s.evaluation.workload.categories[i];
    };
    auto get = [at](double sim::CategoryParams::*m) {
      return [at, m](const Scenario& s) { return at(const_cast<Scenario&>(s)).*m; };
    };
    auto set = [at](double sim::CategoryParams::*m) {
      return [at, m](Scenario& s, double v) { at(s).*m = v; };
    };
    ScenarioTable c{
        std::string("events.") + sim::to_string(categories[i].category),
        {real("per_household_per_year", 0, 1000, "matters per household per year",
              "workload.categories", get(&sim::CategoryParams::events_per_household_per_year),
              set(&sim::CategoryParams::events_per_household_per_year)),
         real("handling_minutes", 0, 10000, "mean handling time on site, minutes",
              "workload.categories", get(&sim::CategoryParams::handling_minutes),
              set(&sim::CategoryParams::handling_minutes)),
         real("escalate_to_community", 0, 1, "share handed to the community", "workload.categories",
              get(&sim::CategoryParams::escalate_to_community),
              set(&sim::CategoryParams::escalate_to_community)),
         real("escalate_to_centre", 0, 1, "of those, share passed on to the centre",
              "workload.categories", get(&sim::CategoryParams::escalate_to_centre),
              set(&sim::CategoryParams::escalate_to_centre)),
         real("deadline_hours", 0, 100000, "response deadline, h (0: none)", "workload.categories",
              get(&sim::CategoryParams::deadline_hours), set(&sim::CategoryParams::deadline_hours)),
         profile("monthly", "month factors, January..December", "workload.categories",
                 "month factors (January..December)",
                 [at](Scenario& s) -> sim::MonthlyProfile& { return at(s).monthly; }),
         profile("weekly", "day factors, Monday..Sunday", "workload.categories",
                 "day factors (Monday..Sunday)",
                 [at](Scenario& s) -> sim::WeeklyProfile& { return at(s).weekly; }),
         profile("daily", "hour factors, 0..23 h", "workload.categories", "hour factors (0..23 h)",
                 [at](Scenario& s) -> sim::DailyProfile& { return at(s).daily; })}};
    c.on_source = [at](Scenario& s, const std::string& v) { at(s).source = v; };
    t.push_back(std::move(c));
  }

  {
    // gridplan calibrate's per-grid event multipliers: grid code = events relative to the town's
    // rate (merged key by key over inherited and included files).
    ScenarioTable multipliers{"events.grid_multipliers",
                              {special("*", "grid code = event multiplier, 0–100")}};
    multipliers.open = true;
    t.push_back(multipliers);
  }

  t.push_back(
      {"simulation",
       {boolean("enabled", "run the event simulation", GP_AT(evaluation.simulate)),
        real("horizon_days", 1, 3660, "simulated days", GP_AT(evaluation.simulation.horizon_days)),
        integer("replications", 1, 10000, "independent replications",
                GP_AT(evaluation.simulation.replications)),
        real("handling_cv", 0, 10, "coefficient of variation of handling times",
             GP_AT(evaluation.simulation.handling_cv)),
        boolean("routine_work", "routine work occupies the workers",
                GP_AT(evaluation.simulation.routine_work)),
        real("community_hours", 0, 10000, "community handling of an escalated matter, h",
             GP_AT(evaluation.simulation.community_hours)),
        real("centre_hours", 0, 100000, "centre handling of an escalated matter, h",
             GP_AT(evaluation.simulation.centre_hours)),
        boolean("sensitivity", "±25 % sensitivity analysis", GP_AT(evaluation.sensitivity)),
        integer("sensitivity_replications", 2, 1000, "replications per sensitivity row",
                GP_AT(evaluation.sensitivity_params.replications)),
        integer("sensitivity_simulated_rows", 0, 1000, "sensitivity rows simulated",
                GP_AT(evaluation.sensitivity_params.simulated_rows))}});

  t.push_back(
      {"stations",
       {real("station_max_distance_m", 0, 100000, "farthest building from its station, m",
             GP_AT(evaluation.rules.station_max_distance_m)),
        real("floor_m2_per_100_households", 0, 10000, "station floor area per 100 households, m²",
             GP_AT(evaluation.rules.floor_m2_per_100_households)),
        real("max_walk_m", 1, 100000, "longest walk to a station, m",
             GP_AT(evaluation.rules.max_walk_m))}});
  t.push_back({"stations.siting",
               {boolean("enabled", "site new stations", GP_AT(evaluation.site_stations)),
                integer("new_stations", 0, 10000, "new stations at most",
                        GP_AT(evaluation.siting.new_stations)),
                real("radius_m", 1, 100000, "households beyond this need a station, m",
                     GP_AT(evaluation.siting.radius_m)),
                integer("swap_passes", 0, 100, "improvement passes",
                        GP_AT(evaluation.siting.swap_passes))}});

  t.push_back({"coverage",
               {numbers("thresholds_m", 1, 100000, "walking distance thresholds, m, ascending",
                        GP_AT(evaluation.coverage.thresholds_m)),
                real("walking_speed_kmh", 0.5, 20, "walking speed, km/h",
                     GP_AT(evaluation.coverage.walking_speed_kmh)),
                real("detour_factor", 1, 5, "straight line → walking distance without a network",
                     GP_AT(evaluation.coverage.detour_factor)),
                real("max_snap_m", 0, 100000, "farthest join to the walking network, m",
                     GP_AT(evaluation.coverage.max_snap_m)),
                texts("forbidden_classes", "road classes pedestrians may not use",
                      GP_AT(evaluation.coverage.forbidden_classes))}});

  t.push_back({"staffing",
               {real("p90_response_hours", 0.01, 10000, "90th percentile response target, h",
                     GP_AT(staffing.p90_response_hours)),
                real("max_utilisation", 0.01, 1, "highest utilisation of a worker",
                     GP_AT(staffing.max_utilisation))}});

  {
    ScenarioKey formats = texts("formats", "extra formats besides the GeoPackage: shp, geojson",
                                GP_AT(output.formats));
    formats.allowed = {"gpkg", "shp", "geojson"};
    t.push_back({"output",
                 {formats, text("crs", "output CRS (empty: the input's)", GP_AT(output.crs)),
                  text("shapefile_encoding", "Shapefile text encoding",
                       GP_AT(output.shapefile_encoding), {"UTF-8", "GBK"})}});
  }
  return t;
}

#undef GP_AT

std::string number_text(double v) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, ec == std::errc() ? end : buffer);
}

}  // namespace

const std::vector<ScenarioTable>& scenario_tables() {
  static const std::vector<ScenarioTable> tables = make_tables();
  return tables;
}

std::string dotted(const ScenarioTable& table, const ScenarioKey& key) {
  return table.path.empty() ? key.name : table.path + "." + key.name;
}

std::string default_text(const ScenarioKey& key) {
  static const Scenario defaults = default_scenario();
  return std::visit(
      [](const auto& access) -> std::string {
        using A = std::decay_t<decltype(access)>;
        if constexpr (std::is_same_v<A, SpecialKey>) {
          return "";
        } else {
          const auto v = access.get(defaults);
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, long long>) {
            return std::to_string(v);
          } else if constexpr (std::is_same_v<V, double>) {
            return number_text(v);
          } else if constexpr (std::is_same_v<V, bool>) {
            return v ? "true" : "false";
          } else if constexpr (std::is_same_v<V, std::string>) {
            return v;
          } else {
            std::string out;
            for (const auto& item : v) {
              if (!out.empty()) out += ", ";
              if constexpr (std::is_same_v<std::decay_t<decltype(item)>, double>)
                out += number_text(item);
              else
                out += item;
            }
            return out;
          }
        }
      },
      key.access);
}

}  // namespace gp::pipeline
