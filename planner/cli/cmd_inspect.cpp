// gridplan inspect SOURCE...: what is in the input files and what is wrong with them.
// Loads the sources exactly as `plan` would (same roles, fields, CRS choice, validation), then
// prints per layer: role, geometry type, counts, CRS, fields, encoding; the chosen projected CRS;
// the validation summary and the problems. --json prints one JSON document instead.

#include <nlohmann/json.hpp>

#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "planner/cli/commands.hpp"
#include "planner/cli/input_options.hpp"
#include "planner/cli/progress_printer.hpp"
#include "planner/core/errors.hpp"
#include "planner/io/load.hpp"
#include "planner/io/osm_tags.hpp"
#include "planner/partition/params.hpp"

namespace gp::cli {

namespace {

struct InspectArgs {
  std::vector<std::string> sources;
  bool json = false;
  bool all = false;
  std::size_t limit = 20;
  bool strict = false;
  bool gcj02 = false;
  bool no_validate = false;
  InputArgs input;  // --role, --field, --encoding, --assume-crs, --target-crs, --gcj02
};

io::LoadOptions options_from(const InspectArgs& args) {
  io::LoadOptions options;
  for (const std::string& source : args.sources) options.inputs.push_back({source, "", {}});
  apply_input_options(args.input, options);
  options.validate = !args.no_validate;
  options.strict = false;              // checked after printing, so the report is still shown
  options.require_households = false;  // reported below instead of thrown
  return options;
}

struct DatasetCounts {
  std::size_t roads = 0, rivers = 0, rail = 0, walkable = 0;
  std::size_t households_given = 0, households_estimated = 0, non_residential = 0;
};

DatasetCounts count(const Dataset& d) {
  DatasetCounts c;
  for (const Line& l : d.lines) {
    c.roads += l.kind == LineKind::road ? 1 : 0;
    c.rivers += l.kind == LineKind::river ? 1 : 0;
    c.rail += l.kind == LineKind::rail ? 1 : 0;
    c.walkable += l.walkable ? 1 : 0;
  }
  for (const Building& b : d.buildings) {
    if (!may_hold_households(b.use))
      ++c.non_residential;
    else if (b.households_estimated)
      ++c.households_estimated;
    else
      ++c.households_given;
  }
  return c;
}

nlohmann::json problem_json(const Problem& p) {
  nlohmann::json j{{"severity", to_string(p.severity)},
                   {"kind", p.kind},
                   {"file", p.where.file},
                   {"layer", p.where.layer},
                   {"message", p.message},
                   {"text", to_string(p)}};
  j["fid"] = p.where.fid ? nlohmann::json(*p.where.fid) : nlohmann::json(nullptr);
  return j;
}

void print_json(const io::LoadResult& result, const InspectArgs& args, bool validated) {
  const Dataset& d = result.dataset;
  nlohmann::json doc;
  doc["sources"] = nlohmann::json::array();
  for (const io::SourceReport& s : result.sources) {
    nlohmann::json source{{"path", s.path}, {"driver", s.driver}};
    source["layers"] = nlohmann::json::array();
    for (const io::LayerReport& l : s.layers) {
      nlohmann::json layer{{"name", l.name},
                           {"role", io::to_string(l.role)},
                           {"role_source", l.role_source},
                           {"geometry_type", l.geometry_type},
                           {"crs", {{"name", l.crs_name}, {"epsg", l.crs_epsg}}},
                           {"encoding", {{"name", l.encoding}, {"from", l.encoding_from}}},
                           {"field_mapping", l.field_mapping},
                           {"read", l.read},
                           {"skipped", l.skipped},
                           {"loaded", l.loaded}};
      if (!l.use_values.empty()) {
        nlohmann::json uses = nlohmann::json::array();
        for (const auto& [value, n] : l.use_values) {
          const auto use = io::lookup_building_use(value);
          uses.push_back(
              {{"value", value},
               {"buildings", n},
               {"known", use.has_value()},
               {"generic", io::generic_building_value(value)},
               {"use", use ? nlohmann::json(to_string(*use)) : nlohmann::json(nullptr)}});
        }
        layer["use_values"] = std::move(uses);
        layer["unknown_use"] = l.unknown_use;
      }
      layer["feature_count"] =
          l.feature_count >= 0 ? nlohmann::json(l.feature_count) : nlohmann::json(nullptr);
      layer["fields"] = nlohmann::json::array();
      for (const io::FieldReport& f : l.fields)
        layer["fields"].push_back({{"name", f.name}, {"type", f.type}});
      source["layers"].push_back(std::move(layer));
    }
    doc["sources"].push_back(std::move(source));
  }
  doc["crs"] = {{"name", d.crs_name}, {"epsg", d.crs_epsg}, {"reason", result.crs_reason}};
  const DatasetCounts c = count(d);
  doc["dataset"] = {{"buildings", d.buildings.size()},
                    {"households", d.total_households()},
                    {"buildings_households_given", c.households_given},
                    {"buildings_households_estimated", c.households_estimated},
                    {"buildings_non_residential", c.non_residential},
                    {"compounds", d.compounds.size()},
                    {"communities", d.communities.size()},
                    {"lines", d.lines.size()},
                    {"roads", c.roads},
                    {"rivers", c.rivers},
                    {"rail", c.rail},
                    {"walkable_lines", c.walkable},
                    {"water_areas", d.water.size()},
                    {"stations", d.stations.size()},
                    {"existing_grids", d.existing_grids.size()}};
  nlohmann::json classes = nlohmann::json::array();
  for (const io::RoadClassCount& rc :
       io::count_road_classes(d, PartitionParams{}.hard_road_classes))
    classes.push_back({{"class", rc.key},
                       {"spellings", rc.spellings},
                       {"lines", rc.lines},
                       {"known", rc.known},
                       {"hard", rc.hard}});
  doc["road_classes"] = std::move(classes);
  if (validated) {
    const geo::ValidationSummary& v = result.validation;
    doc["validation"] = {{"repaired", v.repaired},
                         {"empty", v.empty},
                         {"duplicates", v.duplicates},
                         {"outside_community", v.outside_community},
                         {"overlapping_compounds", v.overlapping_compounds},
                         {"overlapping_communities", v.overlapping_communities},
                         {"absurd_households", v.absurd_households},
                         {"community_from_extent", v.community_from_extent}};
  } else {
    doc["validation"] = nullptr;
  }
  const ProblemReporter& problems = d.problems;
  nlohmann::json list = nlohmann::json::array();
  for (const Problem& p : problems.problems()) {
    if (!args.all && list.size() >= args.limit) break;
    list.push_back(problem_json(p));
  }
  doc["problems"] = {{"errors", problems.count(Severity::error)},
                     {"warnings", problems.count(Severity::warning)},
                     {"info", problems.count(Severity::info)},
                     {"total", problems.problems().size()},
                     {"by_kind", problems.counts_by_kind()},
                     {"listed", list.size()},
                     {"list", std::move(list)}};
  // Replace, not throw on, bytes that are not UTF-8 (a GBK Shapefile read without --encoding).
  std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void print_text(const io::LoadResult& result, const InspectArgs& args, bool validated) {
  std::ostream& out = std::cout;
  const Dataset& d = result.dataset;
  for (const io::SourceReport& s : result.sources) {
    out << s.path << "  (" << s.driver << ", " << s.layers.size() << " layer"
        << (s.layers.size() == 1 ? "" : "s") << ")\n";
    for (const io::LayerReport& l : s.layers) {
      out << "  layer " << l.name << ": role " << io::to_string(l.role);
      if (l.role_source == "name") out << " (from its name)";
      if (l.role_source == "parts-dropped")
        out << " (building parts: dropped in favour of the parent buildings)";
      if (l.role_source == "option") out << " (given)";
      if (l.role_source == "osm-unused") out << " (not used from OSM)";
      out << ", " << l.geometry_type;
      if (l.feature_count >= 0) out << ", " << l.feature_count << " features";
      out << '\n';
      out << "    CRS: " << (l.crs_name.empty() ? "(none)" : l.crs_name);
      if (l.crs_epsg != 0) out << " (EPSG:" << l.crs_epsg << ")";
      out << '\n';
      if (!l.encoding.empty() || !l.encoding_from.empty())
        out << "    encoding: " << (l.encoding.empty() ? "unknown" : l.encoding)
            << (l.encoding_from.empty() ? "" : " (from " + l.encoding_from + ")") << '\n';
      out << "    fields:";
      if (l.fields.empty()) out << " (none)";
      for (std::size_t i = 0; i < l.fields.size(); ++i)
        out << (i == 0 ? " " : ", ") << l.fields[i].name << " " << l.fields[i].type;
      out << '\n';
      if (!l.field_mapping.empty()) {
        out << "    read as:";
        bool first = true;
        for (const auto& [key, field] : l.field_mapping) {
          out << (first ? " " : ", ") << key << "←" << field;
          first = false;
        }
        out << '\n';
      }
      if (l.role != io::LayerRole::unknown) {
        out << "    read " << l.read << ", loaded:";
        if (l.loaded.empty()) out << " nothing";
        for (const auto& [kind, n] : l.loaded) out << " " << kind << " " << n;
        if (l.skipped > 0) out << "; not loaded " << l.skipped << " (see problems)";
        out << '\n';
      }
      if (!l.use_values.empty()) {
        out << "    use values:";
        bool first = true;
        for (const auto& [value, n] : l.use_values) {
          const auto use = io::lookup_building_use(value);
          out << (first ? " " : ", ") << (value.empty() ? "(empty)" : value) << " " << n << " → "
              << (use ? to_string(*use) : "unknown");
          first = false;
        }
        out << '\n';
        if (l.unknown_use > 0)
          out << "    " << l.unknown_use
              << " buildings with a generic or unknown use value (taken as residential unless "
                 "the scenario's input.unknown_use says otherwise)\n";
      }
    }
  }
  out << "\nProjected CRS: " << (d.crs_name.empty() ? "(none)" : d.crs_name);
  if (d.crs_epsg != 0) out << " (EPSG:" << d.crs_epsg << ")";
  out << "\n  " << result.crs_reason << '\n';

  const DatasetCounts c = count(d);
  out << "\nDataset:\n"
      << "  buildings    " << d.buildings.size() << " (" << d.total_households() << " households; "
      << c.households_given << " buildings with a count, " << c.households_estimated
      << " estimated, " << c.non_residential << " non-residential)\n"
      << "  compounds    " << d.compounds.size() << '\n'
      << "  communities  " << d.communities.size() << '\n'
      << "  lines        " << d.lines.size() << " (roads " << c.roads << ", rivers " << c.rivers
      << ", rail " << c.rail << "; walkable " << c.walkable << ")\n"
      << "  water areas  " << d.water.size() << '\n'
      << "  stations     " << d.stations.size() << '\n'
      << "  grids        " << d.existing_grids.size() << '\n';

  const std::vector<io::RoadClassCount> classes =
      io::count_road_classes(d, PartitionParams{}.hard_road_classes);
  if (!classes.empty()) {
    out << "\nRoad classes (hard = a barrier no grid crosses, by default; "
           "--hard-road-classes or barriers.hard_road_classes changes it):\n";
    for (const io::RoadClassCount& rc : classes) {
      out << "  " << rc.key << "  " << rc.lines << " line" << (rc.lines == 1 ? "" : "s") << ", "
          << (rc.hard ? "hard" : "soft");
      if (!rc.known) out << ", unknown class (soft, walkable)";
      if (rc.spellings.size() > 1 || (rc.spellings.size() == 1 && rc.spellings[0] != rc.key)) {
        out << "  (as";
        for (const std::string& sp : rc.spellings) out << " '" << sp << "'";
        out << ")";
      }
      out << '\n';
    }
  }
  if (!d.buildings.empty() && d.total_households() == 0)
    out << "\nWARNING: " << d.buildings.size()
        << " buildings but 0 households: `gridplan run` refuses this input (map the use or "
           "households field, or set input.unknown_use)\n";

  if (validated) {
    const geo::ValidationSummary& v = result.validation;
    out << "\nValidation:\n"
        << "  repaired invalid geometries  " << v.repaired << '\n'
        << "  empty or zero-area           " << v.empty << '\n'
        << "  duplicate buildings          " << v.duplicates << '\n'
        << "  buildings outside community  " << v.outside_community << '\n'
        << "  overlapping compounds        " << v.overlapping_compounds << '\n'
        << "  overlapping communities      " << v.overlapping_communities << '\n'
        << "  absurd household counts      " << v.absurd_households << '\n';
    if (v.community_from_extent)
      out << "  no community layer: one community made from the built-up area\n";
  }

  const ProblemReporter& problems = d.problems;
  out << "\nProblems: " << problems.count(Severity::error) << " errors, "
      << problems.count(Severity::warning) << " warnings, " << problems.count(Severity::info)
      << " notes\n";
  for (const auto& [kind, n] : problems.counts_by_kind()) out << "  " << kind << ": " << n << '\n';
  std::size_t shown = 0;
  for (const Problem& p : problems.problems()) {
    if (!args.all && shown >= args.limit) break;
    if (shown == 0) out << '\n';
    out << to_string(p) << '\n';
    ++shown;
  }
  if (shown < problems.problems().size())
    out << "... " << problems.problems().size() - shown << " more (--all lists every one)\n";
}

int run_inspect(const InspectArgs& args) {
  const io::LoadOptions options = options_from(args);
  ProgressPrinter printer;
  const io::LoadResult result = io::load(options, printer.progress());
  if (args.json)
    print_json(result, args, options.validate);
  else
    print_text(result, args, options.validate);
  std::cout.flush();
  if (args.strict) io::throw_if_strict_violated(result.dataset.problems);
  return kExitOk;
}

}  // namespace

void add_inspect_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<InspectArgs>();
  auto* cmd = app.add_subcommand(
      "inspect",
      "Describe input files: layers, roles, geometry types, counts, CRS, fields, encoding, then "
      "load and validate them and list the problems found (file:layer:fid: problem)");
  cmd->add_option("SOURCE", args->sources,
                  "Input files: Shapefile, GeoPackage, GeoJSON, FlatGeobuf, OSM .osm/.pbf")
      ->required();
  cmd->add_flag("--json", args->json, "Print one JSON document (for scripts) instead of text");
  cmd->add_flag("--all", args->all, "List every problem (default: the first --limit)");
  cmd->add_option("--limit", args->limit, "How many problems to list without --all")
      ->default_val(20);
  cmd->add_flag("--strict", args->strict,
                "Exit with code 5 when any warning or error was found (after printing)");
  add_input_options(cmd, args->input);
  cmd->add_flag("--no-validate", args->no_validate,
                "Only read and project; skip validation and spatial joins");
  cmd->callback([&action, args] { action = [args] { return run_inspect(*args); }; });
}

}  // namespace gp::cli
