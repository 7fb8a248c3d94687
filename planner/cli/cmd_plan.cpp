// gridplan plan INPUT... --out DIR: the pipeline's stages up to the export (planner/pipeline:
// resolve → load → validate → tessellate → plan → layers → export), without evaluation and
// report; prints a summary per community and writes the layers `gridplan run` writes (plan.gpkg,
// geojson/) and a JSON summary. See docs/cli/plan.md.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "planner/cli/commands.hpp"
#include "planner/cli/input_options.hpp"
#include "planner/cli/plan_verdict.hpp"
#include "planner/cli/progress_printer.hpp"
#include "planner/core/clock.hpp"
#include "planner/core/errors.hpp"
#include "planner/partition/partitioner.hpp"
#include "planner/pipeline/pipeline.hpp"

namespace gp::cli {
namespace {

struct PlanOptions {
  std::vector<std::string> inputs;
  std::string out;
  PartitionParams params;
  std::string hard_roads;  // comma-separated OSM highway classes; empty = defaults
  std::string existing;
  std::string policy = "allow-undersized";
  bool ignore_existing = false;  // accepted for old scripts: a grids layer in the inputs is unused
  InputArgs input;
  std::string crs;
  bool large_target_given = false, micro_target_given = false;
  bool quiet = false;
};

namespace fs = std::filesystem;

void write_json(const std::filesystem::path& path, const nlohmann::json& json) {
  std::ofstream out(path);
  if (!out) throw OutputError("plan: cannot write '" + path.string() + "'");
  out << json.dump(1) << '\n';
  if (!out) throw OutputError("plan: writing '" + path.string() + "' failed (disk full?)");
}

int run_plan(const PlanOptions& options) {
  ProgressPrinter printer(!options.quiet);
  const auto start = std::chrono::steady_clock::now();

  // The options as a scenario, resolved by the pipeline as every door's are.
  pipeline::Scenario scenario = pipeline::default_scenario();
  scenario.name = fs::path(options.inputs.front()).stem().string();
  PartitionParams& params = scenario.partition;
  params = options.params;
  if (options.large_target_given) scenario.origins["grids.large.target"] = {"--large-target", 0};
  if (options.micro_target_given) scenario.origins["grids.micro.target"] = {"--micro-target", 0};
  if (!options.hard_roads.empty()) {
    params.hard_road_classes.clear();
    std::stringstream list(options.hard_roads);
    for (std::string cls; std::getline(list, cls, ',');)
      if (!cls.empty()) params.hard_road_classes.insert(cls);
  }
  if (options.policy == "allow-undersized")
    params.policy = InfeasiblePolicy::allow_undersized;
  else if (options.policy == "join-across-soft")
    params.policy = InfeasiblePolicy::join_across_soft;
  else
    throw ConfigError("plan: --policy must be allow-undersized or join-across-soft, not '" +
                      options.policy + "'");
  for (const std::string& path : options.inputs) scenario.load.inputs.push_back({path, "", {}});
  apply_input_options(options.input, scenario.load);
  record_input_origins(options.input, scenario);
  if (!options.existing.empty()) {
    scenario.existing.path = options.existing;
    scenario.existing.mode = "replan";
  }
  scenario.output.crs = options.crs;
  scenario.output.formats = {"geojson"};
  pipeline::resolve(scenario);

  const pipeline::Loaded loaded = pipeline::load(scenario, printer.progress());
  const Dataset& dataset = loaded.dataset();
  const double load_s = seconds_since(start);
  const bool has_existing = loaded.has_existing;
  const pipeline::Planned planned = pipeline::plan(scenario, loaded, printer.progress());
  const Plan& plan = planned.plan;
  const double tessellate_s = planned.tessellate_seconds;
  const double partition_s = planned.plan_seconds;

  // Summary table per community.
  struct Row {
    long long households = 0;
    int large = 0, micro = 0, violations = 0;
  };
  std::map<std::int32_t, Row> rows;
  for (const Grid& g : plan.large_grids) {
    Row& r = rows[g.community];
    r.households += g.metrics.households;
    ++r.large;
    r.violations += (g.metrics.below_min || g.metrics.above_max) ? 1 : 0;
  }
  for (const Grid& g : plan.micro_grids) {
    Row& r = rows[g.community];
    ++r.micro;
    r.violations += (g.metrics.below_min || g.metrics.above_max) ? 1 : 0;
  }
  std::ostream& out = std::cout;
  bool from_extent = false;
  for (const Problem& p : dataset.problems.problems())
    from_extent |= p.kind == "community-from-extent";
  if (from_extent)
    out << "No community layer in the input: the whole extent is planned as one community.\n";
  out << "large grids " << params.large.min << "–" << params.large.max << " households (target "
      << params.large.target << "), micro grids " << params.micro.min << "–" << params.micro.max
      << " (target " << params.micro.target << ")\n\n";
  out << std::left << std::setw(16) << "code" << std::setw(24) << "community" << std::right
      << std::setw(11) << "households" << std::setw(8) << "large" << std::setw(8) << "micro"
      << std::setw(12) << "violations" << '\n';
  for (const auto& [c, r] : rows) {
    const Community& community = dataset.communities[static_cast<std::size_t>(c)];
    out << std::left << std::setw(16) << community_code(dataset, c) << std::setw(24)
        << (community.name.empty() ? "(unnamed)" : community.name) << std::right << std::setw(11)
        << r.households << std::setw(8) << r.large << std::setw(8) << r.micro << std::setw(12)
        << r.violations << '\n';
  }
  const PlanMetrics& m = plan.metrics;
  out << std::left << std::setw(40) << "total" << std::right << std::setw(11) << m.households
      << std::setw(8) << m.large_grids << std::setw(8) << m.micro_grids << std::setw(12)
      << m.bound_violations << "\n\n";
  out << "discontiguous grids " << m.discontiguous << ", barrier crossings " << m.barrier_crossings
      << ", compounds split " << m.compound_splits << ", buildings split by units "
      << m.buildings_split << ", mean compactness " << std::fixed << std::setprecision(3)
      << m.mean_compactness << "\ncoverage gap " << std::setprecision(6) << m.coverage_gap_m2
      << " m², overlap " << m.coverage_overlap_m2 << " m²";
  if (has_existing) out << ", households moved from the existing plan " << m.households_moved;
  out << '\n';
  const ProblemReporter all = pipeline::all_problems(dataset, planned);
  if (!all.empty()) {
    out << "\nproblems:";
    for (const auto& [kind, count] : all.counts_by_kind()) out << ' ' << kind << "×" << count;
    out << '\n';
    int shown = 0;
    for (const Problem& p : plan.problems.problems())
      if (p.severity != Severity::info && shown++ < 10) out << "  " << to_string(p) << '\n';
  }
  out << std::setprecision(2) << "\ntime: load " << load_s << " s, tessellate " << tessellate_s
      << " s, partition " << partition_s << " s, total " << seconds_since(start) << " s\n";

  // Outputs: the layers `gridplan run` writes (one definition of every field, report/layers.hpp),
  // staged next to the directory's other files and moved in complete.
  const fs::path dir(options.out);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw OutputError("plan: cannot create '" + dir.string() + "': " + ec.message());
  std::vector<std::string> written;
  {
    io::OutputDirectory staging((dir / ".plan.staging").string(), true, options.inputs);
    const io::ExportResult exported =
        pipeline::export_layers(scenario, dataset, &loaded.result,
                                pipeline::layers(dataset, plan, nullptr, all), staging.path());
    for (const char* name : {"plan.gpkg", "geojson"}) {
      fs::remove_all(dir / name, ec);
      fs::rename(fs::path(staging.path()) / name, dir / name, ec);
      if (ec)
        throw OutputError("plan: cannot move '" + std::string(name) + "' into '" + dir.string() +
                          "': " + ec.message());
    }
    written = exported.files;
  }
  nlohmann::json summary = {
      {"crs", dataset.crs_name},
      {"crs_epsg", dataset.crs_epsg},
      {"community_from_extent", from_extent},
      {"params",
       {{"large", {params.large.min, params.large.max, params.large.target}},
        {"micro", {params.micro.min, params.micro.max, params.micro.target}},
        {"seed", params.seed},
        {"policy", options.policy}}},
      {"metrics",
       {{"large_grids", m.large_grids},
        {"micro_grids", m.micro_grids},
        {"bound_violations", m.bound_violations},
        {"discontiguous", m.discontiguous},
        {"barrier_crossings", m.barrier_crossings},
        {"compound_splits", m.compound_splits},
        {"buildings_split", m.buildings_split},
        {"households", m.households},
        {"households_moved", m.households_moved},
        {"mean_compactness", m.mean_compactness},
        {"coverage_gap_m2", m.coverage_gap_m2},
        {"coverage_overlap_m2", m.coverage_overlap_m2}}},
      {"seconds", {{"load", load_s}, {"tessellate", tessellate_s}, {"partition", partition_s}}},
      {"problems", nlohmann::json::array()}};
  for (const Problem& p : plan.problems.problems())
    summary["problems"].push_back(
        {{"severity", to_string(p.severity)}, {"kind", p.kind}, {"message", to_string(p)}});
  const pipeline::AuditVerdict verdict = pipeline::audit_verdict(planned);
  summary["audit"] = verdict;
  auto& buildings = summary["buildings"] = nlohmann::json::array();
  for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
    const auto large = plan.building_large[b], micro = plan.building_micro[b];
    buildings.push_back(
        {{"id", dataset.buildings[b].id},
         {"large", large == kNone ? "" : plan.large_grids[static_cast<std::size_t>(large)].code},
         {"micro", micro == kNone ? "" : plan.micro_grids[static_cast<std::size_t>(micro)].code}});
  }
  write_json(dir / "plan.json", summary);
  out << "wrote " << (dir / "plan.gpkg").string() << ", " << (dir / "geojson").string() << "/ ("
      << written.size() - 1 << " layers), " << (dir / "plan.json").string() << '\n';
  // The plan's own audit, last: a plan that breaks a rule exits 7, its outputs written.
  std::vector<std::string> inputs;
  for (const io::InputSpec& in : scenario.load.inputs) inputs.push_back(in.path);
  print_audit_verdict(verdict, (dir / "plan.gpkg").string(), "", inputs, out);
  return exit_code_of(verdict);
}

}  // namespace

void add_plan_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<PlanOptions>();
  auto* cmd = app.add_subcommand(
      "plan",
      "Draw large and micro grids from loaded data; exit 7 when the plan breaks a rule of its "
      "own audit (written all the same)");
  cmd->add_option("inputs", options->inputs, "Input files (GeoPackage, Shapefile, GeoJSON, OSM)")
      ->required();
  cmd->add_option("--out,-o", options->out, "Output directory")->required();
  auto& p = options->params;
  cmd->add_option("--large-min", p.large.min, "Minimum households per large grid")
      ->capture_default_str();
  cmd->add_option("--large-max", p.large.max, "Maximum households per large grid")
      ->capture_default_str();
  options->large_target_given = false;
  cmd->add_option("--large-target", p.large.target,
                  "Target households per large grid (default: 400, or the middle of the bounds "
                  "given when 400 lies outside them)")
      ->capture_default_str()
      ->each([options](const std::string&) { options->large_target_given = true; });
  cmd->add_option("--micro-min", p.micro.min, "Minimum households per micro grid")
      ->capture_default_str();
  cmd->add_option("--micro-max", p.micro.max, "Maximum households per micro grid")
      ->capture_default_str();
  cmd->add_option("--micro-target", p.micro.target,
                  "Target households per micro grid (default: 150, or the middle of the bounds "
                  "given when 150 lies outside them)")
      ->capture_default_str()
      ->each([options](const std::string&) { options->micro_target_given = true; });
  cmd->add_option("--hard-roads", options->hard_roads,
                  "Comma-separated road classes that are hard barriers (default: motorway, trunk, "
                  "primary, secondary, tertiary and their links)");
  cmd->add_option("--seed", p.seed, "Seed of the partitioner (same seed, same plan)")
      ->capture_default_str();
  cmd->add_option("--fixed-large", p.fixed_large_per_community,
                  "Large grids per community (0 = from the bounds)")
      ->capture_default_str();
  cmd->add_option("--policy", options->policy,
                  "Where bounds cannot hold: allow-undersized or join-across-soft")
      ->capture_default_str();
  cmd->add_option("--existing", options->existing,
                  "Existing plan to re-plan from (grid polygons or a building→grid table); locked "
                  "grids stay, moves are penalised. Only a file named here is the existing plan");
  cmd->add_flag("--ignore-existing", options->ignore_existing,
                "Kept for old scripts: a grids layer among the inputs is never the existing "
                "plan (name it with --existing)");
  cmd->add_option("--crs", options->crs, "Output CRS, e.g. EPSG:4326 (default: the input's)");
  add_input_options(cmd, options->input);
  cmd->add_flag("--quiet,-q", options->quiet, "No progress output");
  cmd->callback([&action, options] { action = [options] { return run_plan(*options); }; });
}

}  // namespace gp::cli
