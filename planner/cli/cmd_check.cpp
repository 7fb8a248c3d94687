// gridplan check PLAN [--input FILE...] [--rules SCENARIO] [--json]: audits any plan — ours
// (plan.gpkg), a hand-drawn GeoPackage, a district Shapefile — by geometry against the grid
// rules and the household bounds. Exit 1 when a rule breaks. See docs/cli/check.md.

#include <nlohmann/json.hpp>

#include <algorithm>
#include <climits>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include "planner/cli/commands.hpp"
#include "planner/cli/progress_printer.hpp"
#include "planner/core/errors.hpp"
#include "planner/evaluation/evaluation.hpp"
#include "planner/geo/validate.hpp"
#include "planner/io/check_support.hpp"
#include "planner/io/load.hpp"
#include "planner/io/plan_import.hpp"
#include "planner/partition/partitioner.hpp"
#include "planner/pipeline/scenario.hpp"

namespace gp::cli {
namespace {

namespace fs = std::filesystem;

struct CheckOptions {
  std::string plan;
  std::string layer;
  std::vector<std::string> inputs;
  std::string rules;
  int min = -1, max = -1, micro_min = -1, micro_max = -1;
  std::vector<std::string> hard_roads;
  std::string encoding;
  bool json = false;
  bool english = false;
  bool quiet = false;
};

/// Bounds and barriers recorded with a run (manifest.json next to plan.gpkg): the parameters
/// `gridplan run` printed, "300–500 (target 400)" and "primary, secondary, ...".
bool bounds_from_manifest(const fs::path& plan, PartitionParams& params, std::string& from) {
  const fs::path manifest = plan.parent_path() / "manifest.json";
  if (!fs::is_regular_file(manifest)) return false;
  nlohmann::json m;
  try {
    std::ifstream in(manifest);
    m = nlohmann::json::parse(in);
  } catch (const std::exception&) {
    return false;  // not ours, or damaged: the defaults apply (said in the output)
  }
  if (!m.contains("parameters") || !m["parameters"].is_object()) return false;
  const nlohmann::json& p = m["parameters"];
  const std::regex range(R"((\d+)\D+(\d+))");  // "300–500 (target 400)": the en dash is 3 bytes
  bool found = false;
  for (auto [key, bounds] :
       {std::pair{"grids.large", &params.large}, std::pair{"grids.micro", &params.micro}}) {
    if (!p.contains(key) || !p[key].is_string()) continue;
    const std::string text = p[key].get<std::string>();
    std::smatch match;
    if (!std::regex_search(text, match, range)) continue;
    bounds->min = std::stoi(match[1]);
    bounds->max = std::stoi(match[2]);
    found = true;
  }
  if (p.contains("barriers.hard_road_classes") && p["barriers.hard_road_classes"].is_string()) {
    std::set<std::string> classes;
    std::stringstream list(p["barriers.hard_road_classes"].get<std::string>());
    for (std::string c; std::getline(list, c, ',');) {
      c.erase(0, c.find_first_not_of(' '));
      c.erase(c.find_last_not_of(' ') + 1);
      if (!c.empty()) classes.insert(c);
    }
    if (!classes.empty()) params.hard_road_classes = classes;
  }
  if (found) from = "the run's manifest (" + manifest.string() + ")";
  return found;
}

/// A buildings layer naming each building's grids (bid, large_code, micro_code, as our
/// plan.gpkg's buildings layer does, or given with --input): the plan's own assignment, which
/// the audit checks against the polygons. A hand-drawn plan has none: its buildings belong to
/// the grid their centroid falls in.
const io::LayerReport* assignment_layer(const io::LoadResult& loaded, std::string& source) {
  for (const io::SourceReport& s : loaded.sources)
    for (const io::LayerReport& layer : s.layers) {
      if (layer.role != io::LayerRole::buildings) continue;
      bool bid = false, large = false;
      for (const io::FieldReport& f : layer.fields) {
        bid |= f.name == "bid";
        large |= f.name == "large_code";
      }
      if (bid && large) {
        source = s.path;
        return &layer;
      }
    }
  return nullptr;
}

/// Whether the plan file (not loaded: --input gave the data) has a buildings layer with the
/// assignment fields; probed by reading it as a building→grid table.
bool has_layer_fields(const io::LoadResult&, const std::string& plan) {
  try {
    io::ExistingPlanSettings probe;
    probe.path = plan;
    probe.layer = "buildings";
    Dataset none;
    ProblemReporter ignored;
    io::plan_from_table(none, probe, nullptr, ignored);
    return true;
  } catch (const InputError&) {
    return false;  // no such layer or fields: a hand-drawn plan
  }
}

/// A micro grid whose layer names no parent (our plan.gpkg writes it as `large_code`, which the
/// grid reader does not take for the parent) is nested by its code: CJ/T 349 codes extend their
/// large grid's code by two digits. The longest large-grid code that prefixes it wins over the
/// vote of its buildings' centroids.
void nest_by_code(const Dataset& dataset, Plan& plan) {
  std::size_t m = 0;
  for (const ExistingGrid& e : dataset.existing_grids) {
    if (e.level != GridLevel::micro) continue;
    Grid& grid = plan.micro_grids[m++];
    if (!e.parent_code.empty()) continue;
    // Exactly two digits longer first (codes of grids past the 99th of a community grow a
    // digit, so "…10" + "01" and "…100" + "1" would both prefix "…1001"), then any prefix.
    std::size_t best = 0;
    for (std::size_t g = 0; g < plan.large_grids.size(); ++g) {
      const std::string& code = plan.large_grids[g].code;
      const std::size_t rank = code.size() + 2 == grid.code.size() ? 1000 : code.size();
      if (!code.empty() && code.size() < grid.code.size() && rank > best &&
          grid.code.compare(0, code.size(), code) == 0) {
        best = rank;
        grid.parent = static_cast<std::int32_t>(g);
        grid.community = plan.large_grids[g].community;
      }
    }
  }
}

/// Replaces the centroid assignment of `plan` (grid polygons) by the one the table gives, grids
/// matched by code. Buildings naming a code the plan has no polygon for stay unassigned (listed).
void assign_from_table(const Dataset& dataset, Plan& plan, const Plan& table,
                       ProblemReporter& problems) {
  std::map<std::string, std::int32_t> large_of, micro_of;
  for (std::size_t g = 0; g < plan.large_grids.size(); ++g)
    large_of.emplace(plan.large_grids[g].code, static_cast<std::int32_t>(g));
  for (std::size_t m = 0; m < plan.micro_grids.size(); ++m)
    micro_of.emplace(plan.micro_grids[m].code, static_cast<std::int32_t>(m));
  for (Grid& g : plan.large_grids) g.buildings.clear();
  for (Grid& g : plan.micro_grids) g.buildings.clear();
  std::set<std::string> unknown;
  for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
    plan.building_large[b] = plan.building_micro[b] = kNone;
    if (b >= table.building_large.size() || table.building_large[b] == kNone) continue;
    const std::string& large =
        table.large_grids[static_cast<std::size_t>(table.building_large[b])].code;
    if (auto it = large_of.find(large); it != large_of.end())
      plan.building_large[b] = it->second;
    else
      unknown.insert(large);
    if (table.building_micro[b] == kNone) continue;
    const std::string& micro =
        table.micro_grids[static_cast<std::size_t>(table.building_micro[b])].code;
    if (auto it = micro_of.find(micro); it != micro_of.end())
      plan.building_micro[b] = it->second;
    else
      unknown.insert(micro);
  }
  // Buildings split by units (one table row per run): each run in its own grids.
  plan.building_runs.clear();
  for (const BuildingRun& run : table.building_runs) {
    BuildingRun mapped = run;
    mapped.large = mapped.micro = kNone;
    if (run.large != kNone) {
      const std::string& code = table.large_grids[static_cast<std::size_t>(run.large)].code;
      if (auto it = large_of.find(code); it != large_of.end())
        mapped.large = it->second;
      else
        unknown.insert(code);
    }
    if (run.micro != kNone) {
      const std::string& code = table.micro_grids[static_cast<std::size_t>(run.micro)].code;
      if (auto it = micro_of.find(code); it != micro_of.end())
        mapped.micro = it->second;
      else
        unknown.insert(code);
    }
    plan.building_runs.push_back(std::move(mapped));
  }
  for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
    if (plan.building_large[b] != kNone)
      plan.large_grids[static_cast<std::size_t>(plan.building_large[b])].buildings.push_back(
          static_cast<std::int32_t>(b));
    if (plan.building_micro[b] != kNone)
      plan.micro_grids[static_cast<std::size_t>(plan.building_micro[b])].buildings.push_back(
          static_cast<std::int32_t>(b));
  }
  for (const BuildingRun& run : plan.building_runs)
    for (auto [grids, g] :
         {std::pair{&plan.large_grids, run.large}, std::pair{&plan.micro_grids, run.micro}}) {
      if (g == kNone) continue;
      std::vector<std::int32_t>& list = (*grids)[static_cast<std::size_t>(g)].buildings;
      if (std::find(list.begin(), list.end(), run.building) == list.end()) {
        list.insert(std::lower_bound(list.begin(), list.end(), run.building), run.building);
      }
    }
  for (const std::string& code : unknown)
    problems.report(Severity::warning, "check-unknown-grid-code", {},
                    "buildings name grid " + code + ", which has no polygon in the plan");
}

std::string coordinate(double v, int decimals) {
  if (!std::isfinite(v)) return "?";
  std::ostringstream s;
  s << std::fixed << std::setprecision(decimals) << v;
  return s.str();
}

nlohmann::json number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

int check_command(const CheckOptions& o) {
  if (!fs::exists(o.plan)) throw InputError("check: plan '" + o.plan + "': no such file");
  for (const std::string& in : o.inputs)
    if (!fs::exists(in)) throw InputError("check: --input '" + in + "': no such file");

  // Rules: a scenario, else the run's recorded bounds, else the defaults; options win.
  PartitionParams params;
  std::string bounds_from = "the defaults (give --rules SCENARIO or --min/--max to change them)";
  io::LoadOptions load;
  if (!o.rules.empty()) {
    const pipeline::Scenario scenario = pipeline::load_scenario(o.rules);
    params = scenario.partition;
    load.households = scenario.load.households;
    load.encoding = scenario.load.encoding;
    bounds_from = "scenario " + o.rules;
  } else {
    bounds_from_manifest(fs::path(o.plan), params, bounds_from);
  }
  bool options_given = false;
  for (auto [value, target] :
       {std::pair{o.min, &params.large.min}, std::pair{o.max, &params.large.max},
        std::pair{o.micro_min, &params.micro.min}, std::pair{o.micro_max, &params.micro.max}})
    if (value >= 0) {
      *target = value;
      options_given = true;
    }
  if (options_given) bounds_from += ", changed by options";
  for (const auto& [name, b] : {std::pair{"large", params.large}, std::pair{"micro", params.micro}})
    if (b.min < 0 || b.max < b.min)
      throw ConfigError(std::string("check: ") + name + "-grid bounds " + std::to_string(b.min) +
                        "–" + std::to_string(b.max) +
                        " are not a range: give min ≤ max (households, e.g. --min 300 --max 500)");
  if (!o.hard_roads.empty()) params.hard_road_classes = {o.hard_roads.begin(), o.hard_roads.end()};
  if (!o.encoding.empty()) load.encoding = o.encoding;

  // The plan's grid layers, and the data to check them against: the plan file's own layers
  // (our plan.gpkg carries buildings and communities), or the files given with --input.
  io::ExistingPlanSettings settings;
  settings.path = o.plan;
  settings.layer = o.layer;
  const io::ExistingPlanSource source = io::inspect_existing_plan(settings);
  if (source.kind == io::ExistingPlanKind::building_table && o.inputs.empty())
    throw InputError("check: '" + o.plan +
                     "' holds no grid polygons (it reads as a building→grid table); give the "
                     "buildings, communities and roads it refers to with --input FILE");
  for (const io::InputSpec& in : source.grid_inputs) load.inputs.push_back(in);
  if (o.inputs.empty())
    load.inputs.push_back({o.plan, "", std::nullopt});
  else
    for (const std::string& in : o.inputs) load.inputs.push_back({in, "", std::nullopt});

  auto printer = std::make_unique<ProgressPrinter>(!o.quiet && !o.json);
  Progress& progress = printer->progress();
  io::LoadResult loaded = io::load(load, progress);
  Dataset& dataset = loaded.dataset;
  // Only the plan's grid layers are the plan (a data file may carry a grids layer of its own,
  // e.g. the demo town's hand-drawn grids); one read both as named and by its detected role
  // counts once.
  {
    std::vector<ExistingGrid> kept;
    std::set<std::pair<std::string, std::int64_t>> seen;
    for (ExistingGrid& grid : dataset.existing_grids) {
      bool chosen = false;
      for (const io::InputSpec& in : source.grid_inputs)
        chosen |= grid.source.layer == in.layer &&
                  fs::path(grid.source.file).filename() == fs::path(in.path).filename();
      if (chosen && seen.insert({grid.source.layer, grid.source.fid.value_or(grid.id)}).second)
        kept.push_back(std::move(grid));
    }
    dataset.existing_grids = std::move(kept);
  }

  ProblemReporter problems;
  Plan plan;
  std::string assignment = "the grid polygon holding each building's centroid";
  if (source.kind == io::ExistingPlanKind::building_table) {
    const geo::Tessellation cells = geo::tessellate(dataset, tessellation_params(params), progress);
    plan = io::plan_from_table(dataset, settings, &cells, problems);
  } else {
    if (dataset.existing_grids.empty())
      throw InputError("check: '" + o.plan + "' has no grid polygons to check");
    plan = existing_plan_from_grids(dataset);
    nest_by_code(dataset, plan);
    std::string table_path;
    io::ExistingPlanSettings table = settings;
    table.layer.clear();
    if (const io::LayerReport* layer = assignment_layer(loaded, table_path)) {
      table.path = table_path;
      table.layer = layer->name;
    } else if (!o.inputs.empty() && has_layer_fields(loaded, o.plan)) {
      table.layer = "buildings";  // our plan.gpkg, checked against the data it was made from
    }
    if (!table.layer.empty()) {
      ProblemReporter ignored;  // rows of buildings not loaded: the audit lists what matters
      assign_from_table(dataset, plan, io::plan_from_table(dataset, table, nullptr, ignored),
                        problems);
      assignment = "the plan's buildings layer (" + table.layer + ": bid, large_code, micro_code)";
    }
  }
  // Reasons for grids outside their bounds: each grid's own, as the run recorded it in the grid
  // layers' field bounds_why (read with the grids, kept by existing_plan_from_grids).

  // The rules the data cannot support are off, as in every audit of a plan; and the coverage of
  // a community made from the data's extent: a district's own plan was not drawn on our study
  // area (`gridplan run` checks its own plan's coverage of it; evaluation.hpp).
  geo::AuditParams audit_params = evaluation::audit_params(params, dataset);
  if (!evaluation::community_coverage_checkable(dataset))
    audit_params.check_community_coverage = false;
  std::vector<std::string> notes;
  if (!audit_params.check_community_coverage)
    notes.push_back("no community layer: coverage of communities not checked");
  if (!audit_params.check_households)
    notes.push_back("no buildings layer: building and household rules not checked");
  bool has_hard = false;
  for (const Line& line : dataset.lines)
    has_hard |= line.kind != LineKind::road || params.hard_road_classes.contains(line.cls);
  if (!has_hard)
    notes.push_back(dataset.lines.empty()
                        ? "no roads or rivers: hard barriers not checked (give them with --input)"
                        : "no road of a hard class among the lines: no barrier to cross");
  geo::PlanAudit audit =
      evaluation::fill_plan_metrics(dataset, plan, params, audit_params, &progress);
  printer.reset();  // ends the progress line before the findings
  // Grid features the reader could not take (no geometry, e.g. a grid exported without a
  // polygon) are not in the plan: they are grids without a polygon all the same.
  for (const Problem& p : dataset.problems.problems()) {
    const bool no_geometry = p.kind == "null-geometry" || p.kind == "empty-input-geometry" ||
                             p.kind == "degenerate-geometry";
    bool grid_layer = false;
    for (const io::InputSpec& in : source.grid_inputs)
      grid_layer |= p.where.layer == in.layer &&
                    fs::path(p.where.file).filename() == fs::path(in.path).filename();
    if (!no_geometry || !grid_layer) continue;
    geo::AuditFinding f;
    f.rule = "grid-without-polygon";
    f.level =
        p.where.layer.find("micro") != std::string::npos ? GridLevel::micro : GridLevel::large;
    f.where = {std::nan(""), std::nan("")};
    f.message = p.where.layer + " feature " +
                (p.where.fid ? std::to_string(*p.where.fid) : std::string("?")) +
                " has no polygon: " + p.message;
    audit.findings.insert(audit.findings.begin(), std::move(f));
    ++audit.counts.grids_without_polygon;
    ++plan.metrics.grids_without_polygon;
  }

  std::vector<Point> where;
  for (const geo::AuditFinding& f : audit.findings) where.push_back(f.where);
  const std::vector<io::LonLat> lonlat = io::to_lon_lat(dataset.crs_wkt, where);
  long long households = 0;
  for (const Building& b : dataset.buildings) households += std::max(0, b.households);
  const std::size_t broken = audit.broken();
  const PlanMetrics& m = plan.metrics;
  std::map<std::string, int> by_rule;
  for (const geo::AuditFinding& f : audit.findings)
    if (f.severity == geo::AuditSeverity::broken) ++by_rule[f.rule];

  if (o.json) {
    nlohmann::json j;
    j["plan"] = o.plan;
    j["holds"] = broken == 0;
    j["broken"] = broken;
    j["allowed"] = audit.findings.size() - broken;
    j["crs"] = {{"name", dataset.crs_name}, {"epsg", dataset.crs_epsg}};
    j["bounds"] = {{"large", {{"min", params.large.min}, {"max", params.large.max}}},
                   {"micro", {{"min", params.micro.min}, {"max", params.micro.max}}},
                   {"from", bounds_from}};
    j["hard_road_classes"] = params.hard_road_classes;
    j["counts"] = {{"large_grids", plan.large_grids.size()},
                   {"micro_grids", plan.micro_grids.size()},
                   {"buildings", dataset.buildings.size()},
                   {"households", households}};
    // The same keys and meaning as metrics.json "kpis" of a run.
    j["metrics"] = {{"discontiguous", m.discontiguous},
                    {"grids_with_crumbs", m.grids_with_crumbs},
                    {"grids_without_polygon", m.grids_without_polygon},
                    {"barrier_crossings", m.barrier_crossings},
                    {"compound_splits", m.compound_splits},
                    {"buildings_outside", m.buildings_outside},
                    {"micro_not_nested", m.micro_not_nested},
                    {"coverage_gap_m2", m.coverage_gap_m2},
                    {"coverage_overlap_m2", m.coverage_overlap_m2},
                    {"bound_violations", m.bound_violations}};
    const geo::AuditCounts& c = audit.counts;
    j["audit"] = {{"large_in_pieces", c.large_in_pieces},
                  {"micro_in_pieces", c.micro_in_pieces},
                  {"grids_with_crumbs", c.grids_with_crumbs},
                  {"grids_without_polygon", c.grids_without_polygon},
                  {"buildings_outside", c.buildings_outside},
                  {"buildings_unassigned", c.buildings_unassigned},
                  {"micro_not_nested", c.micro_not_nested},
                  {"coverage_gaps", c.coverage_gaps},
                  {"coverage_overlaps", c.coverage_overlaps},
                  {"coverage_outside", c.coverage_outside},
                  {"large_crossing_barrier", c.large_crossing_barrier},
                  {"micro_crossing_barrier", c.micro_crossing_barrier},
                  {"crossings_allowed", c.crossings_allowed},
                  {"barriers_through", c.barriers_through},
                  {"compound_splits", c.compound_splits},
                  {"compound_splits_allowed", c.compound_splits_allowed},
                  {"bounds_outside", c.bounds_outside},
                  {"bounds_without_reason", c.bounds_without_reason}};
    j["broken_by_rule"] = by_rule;
    j["findings"] = nlohmann::json::array();
    for (std::size_t i = 0; i < audit.findings.size(); ++i) {
      const geo::AuditFinding& f = audit.findings[i];
      nlohmann::json item = {{"rule", f.rule},
                             {"title_zh", geo::rule_title_zh(f.rule)},
                             {"title_en", geo::rule_title_en(f.rule)},
                             {"severity", geo::to_string(f.severity)},
                             {"level", f.level == GridLevel::large ? "large" : "micro"},
                             {"grid", f.grid},
                             {"x", number(f.where.x)},
                             {"y", number(f.where.y)},
                             {"lon", number(lonlat[i].lon)},
                             {"lat", number(lonlat[i].lat)},
                             {"value", number(f.value)},
                             {"message", f.message}};
      if (!f.other_grid.empty()) item["other_grid"] = f.other_grid;
      if (f.building != kNone)
        item["building"] = dataset.buildings[static_cast<std::size_t>(f.building)].id;
      if (f.compound != kNone)
        item["compound"] = dataset.compounds[static_cast<std::size_t>(f.compound)].ref;
      j["findings"].push_back(std::move(item));
    }
    j["assignment"] = assignment;
    j["notes"] = notes;
    std::cout << j.dump(1) << '\n';
    return broken == 0 ? kExitOk : kExitFailure;
  }

  std::ostream& out = std::cout;
  out << "检查 check " << o.plan << ": " << plan.large_grids.size() << " 大网格 large, "
      << plan.micro_grids.size() << " 微网格 micro, " << dataset.buildings.size()
      << " 楼栋 buildings (" << households << " 户 households)\n";
  out << "  bounds: large " << params.large.min << "–" << params.large.max << ", micro "
      << params.micro.min << "–" << params.micro.max << " households, from " << bounds_from
      << "\n  CRS: " << dataset.crs_name
      << (dataset.crs_epsg ? " (EPSG:" + std::to_string(dataset.crs_epsg) + ")" : "") << '\n';
  out << "  buildings belong to grids by " << assignment << '\n';
  for (const std::string& note : notes) out << "  note: " << note << '\n';
  for (std::size_t i = 0; i < audit.findings.size(); ++i) {
    const geo::AuditFinding& f = audit.findings[i];
    out << (f.severity == geo::AuditSeverity::broken ? "✗ " : "· ") << '['
        << (o.english ? "" : std::string(geo::rule_title_zh(f.rule)) + " ")
        << geo::rule_title_en(f.rule)
        << (f.severity == geo::AuditSeverity::allowed ? ", allowed" : "") << "] "
        << (f.grid.empty() ? "" : f.grid + ": ") << f.message << "\n    at x "
        << coordinate(f.where.x, 1) << ", y " << coordinate(f.where.y, 1);
    if (std::isfinite(lonlat[i].lon))
      out << " (" << coordinate(lonlat[i].lon, 6) << "E, " << coordinate(lonlat[i].lat, 6) << "N)";
    out << '\n';
  }
  for (const Problem& p : problems.problems()) out << "  note: " << p.message << '\n';
  out << "metrics: discontiguous " << m.discontiguous << ", crumbs " << m.grids_with_crumbs
      << ", barrier crossings " << m.barrier_crossings << " (" << audit.counts.crossings_allowed
      << " allowed, " << audit.counts.barriers_through
      << " barriers through a grid without separating the land), compound splits "
      << m.compound_splits << ", buildings outside " << m.buildings_outside << ", micro not nested "
      << m.micro_not_nested << ", coverage gap " << coordinate(m.coverage_gap_m2, 1)
      << " m², overlap " << coordinate(m.coverage_overlap_m2, 1) << " m², outside bounds "
      << m.bound_violations << '\n';
  if (broken == 0) {
    out << "结果 result: plan holds every rule";
  } else {
    out << "结果 result: " << broken << " broken (";
    bool first = true;
    for (const auto& [rule, n] : by_rule) {
      out << (first ? "" : ", ") << n << " " << rule;
      first = false;
    }
    out << ")";
  }
  const std::size_t allowed = audit.findings.size() - broken;
  if (allowed > 0) out << "; " << allowed << " allowed exception(s)";
  out << '\n';
  return broken == 0 ? kExitOk : kExitFailure;
}

}  // namespace

void add_check_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<CheckOptions>();
  auto* cmd = app.add_subcommand(
      "check",
      "Audit a plan (ours, hand-drawn, a district's Shapefile) by geometry: grids in pieces, "
      "across hard barriers, buildings outside their grid, gaps, overlaps, bounds; exit 1 when "
      "a rule breaks");
  cmd->add_option("plan", o->plan, "Plan file: plan.gpkg, a GeoPackage or Shapefile of grids")
      ->required();
  cmd->add_option("--layer", o->layer, "The plan's grid layer (default: found by name)");
  cmd->add_option("--input,-i", o->inputs,
                  "Buildings, compounds, communities, roads, rivers to check against (default: "
                  "the plan file's own layers)");
  cmd->add_option("--rules", o->rules, "Scenario (TOML) whose bounds and hard road classes apply");
  cmd->add_option("--min", o->min, "Large-grid minimum households");
  cmd->add_option("--max", o->max, "Large-grid maximum households");
  cmd->add_option("--micro-min", o->micro_min, "Micro-grid minimum households");
  cmd->add_option("--micro-max", o->micro_max, "Micro-grid maximum households");
  cmd->add_option("--hard-roads", o->hard_roads,
                  "Road classes that are hard barriers (comma-separated)")
      ->delimiter(',');
  cmd->add_option("--encoding", o->encoding,
                  "Shapefile text encoding of the inputs (e.g. GBK) when .cpg is missing");
  cmd->add_flag("--json", o->json, "Print the findings as JSON (for scripts)");
  cmd->add_flag("--english", o->english, "Rule titles in English only");
  cmd->add_flag("--quiet,-q", o->quiet, "No progress output");
  cmd->callback([&action, o] { action = [o] { return check_command(*o); }; });
}

}  // namespace gp::cli
