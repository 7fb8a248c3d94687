// gridplan run SCENARIO --out DIR | gridplan run --input FILE... --out DIR: the whole job on one
// scenario — plan, evaluate, export for the GIS, report. See docs/cli/run.md.

#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include "planner/cli/commands.hpp"
#include "planner/cli/progress_printer.hpp"
#include "planner/cli/run_pipeline.hpp"
#include "planner/core/errors.hpp"
#include "planner/io/export.hpp"
#include "planner/io/load.hpp"
#include "planner/io/plan_import.hpp"
#include "planner/partition/partitioner.hpp"
#include "planner/report/html.hpp"
#include "planner/report/layers.hpp"

namespace gp::cli {
namespace {

namespace fs = std::filesystem;

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

nlohmann::json estimate_json(const sim::Estimate& e) {
  auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
  return {{"mean", number(e.mean)}, {"ci95", number(e.half_width)}};
}

nlohmann::json group_json(const sim::GroupResult& g) {
  return {{"events", estimate_json(g.events)},
          {"utilisation", estimate_json(g.utilisation)},
          {"response_median_h", estimate_json(g.response_median_h)},
          {"response_p90_h", estimate_json(g.response_p90_h)},
          {"resolution_p90_h", estimate_json(g.resolution_p90_h)},
          {"backlog", estimate_json(g.backlog)},
          {"share_in_grid", estimate_json(g.share_in_grid)}};
}

/// Every file an input stands for: a Shapefile's sidecars too.
std::vector<std::string> input_files(const std::string& path) {
  std::vector<std::string> files{path};
  const fs::path p(path);
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  if (ext == ".shp")
    for (const char* sidecar : {".shx", ".dbf", ".prj", ".cpg"}) {
      fs::path s = p;
      s.replace_extension(sidecar);
      if (fs::exists(s)) files.push_back(s.string());
    }
  return files;
}

void print_kpis(const report::PlanKpis& k, std::ostream& out) {
  const auto rows = report::kpi_rows(k);
  for (const report::KpiRow& row : rows) {
    const double v = report::kpi_value(k, row.key);
    if (!std::isfinite(v)) continue;
    out << "  " << std::left << std::setw(40) << row.english << report::format_kpi(v, row) << '\n';
  }
}

}  // namespace

RunOutcome execute_run(const RunRequest& request) {
  const io::Scenario& s = request.scenario;
  ProgressPrinter printer(!request.quiet);
  Progress& progress = printer.progress();
  const auto start = std::chrono::steady_clock::now();
  std::ostream& out = std::cout;

  if (s.load.inputs.empty())
    throw ConfigError(
        "run: no input files: give a scenario with [input] files = [...] or "
        "--input FILE");
  // Inputs are never written: the output directory may not be or hold any of them.
  std::vector<std::string> protected_paths = s.files;
  for (const io::InputSpec& in : s.load.inputs) protected_paths.push_back(in.path);
  if (!s.existing.path.empty()) protected_paths.push_back(s.existing.path);
  io::OutputDirectory dir(request.out, request.overwrite, protected_paths);

  if (request.print_parameters) {
    out << "No scenario file: using the defaults (write them into a scenario to change them, see "
           "docs/scenario-format.md):\n";
    for (const auto& [key, value] : io::describe(s)) out << "  " << key << " = " << value << '\n';
    out << '\n';
  }

  // Load, with the existing plan's grid polygons when it has them.
  io::LoadOptions load = s.load;
  io::ExistingPlanSource existing_source;
  const bool has_existing = !s.existing.path.empty();
  if (has_existing) {
    existing_source = io::inspect_existing_plan(s.existing);
    for (const io::InputSpec& in : existing_source.grid_inputs) load.inputs.push_back(in);
  }
  io::LoadResult loaded = io::load(load, progress);
  Dataset& dataset = loaded.dataset;
  // Nothing to plan: say so here rather than fail later on an empty dataset (no CRS to export in).
  if (dataset.buildings.empty())
    throw InputError(
        "run: no buildings were loaded from the inputs (empty layers, or no layer "
        "recognised as buildings); check them with `gridplan inspect` and name the "
        "building layer with --role LAYER=buildings if needed");
  // Only the existing plan's grid layers count as the existing plan (a data file may carry a
  // grids layer of its own; it is loaded with the other layers and, listed twice, would double).
  {
    std::vector<ExistingGrid> kept;
    std::set<std::pair<std::string, std::int64_t>> seen;
    for (ExistingGrid& grid : dataset.existing_grids) {
      bool chosen = false;
      for (const io::InputSpec& in : existing_source.grid_inputs)
        chosen |= grid.source.layer == in.layer &&
                  fs::path(grid.source.file).filename() == fs::path(in.path).filename();
      if (chosen && seen.insert({grid.source.layer, grid.source.fid.value_or(grid.id)}).second)
        kept.push_back(std::move(grid));
    }
    dataset.existing_grids = std::move(kept);
  }
  const double load_s = seconds_since(start);

  auto t0 = std::chrono::steady_clock::now();
  const geo::Tessellation tessellation =
      geo::tessellate(dataset, tessellation_params(s.partition), progress);
  ProblemReporter import_problems;
  Plan existing;
  if (has_existing) {
    existing = existing_source.kind == io::ExistingPlanKind::grid_polygons
                   ? existing_plan_from_grids(dataset, existing_source.listed)
                   : io::plan_from_table(dataset, s.existing, &tessellation, import_problems);
    report::fill_plan_metrics(dataset, existing, s.partition);
  }
  const bool evaluate_existing = has_existing && s.existing.mode == "evaluate";
  Plan plan = evaluate_existing ? existing
                                : make_plan(dataset, tessellation, s.partition, progress,
                                            has_existing ? &existing : nullptr);
  const double plan_s = seconds_since(t0);

  t0 = std::chrono::steady_clock::now();
  const report::Evaluation evaluation = report::evaluate(dataset, plan, s.evaluation, progress);
  const double evaluate_s = seconds_since(t0);

  ProblemReporter problems = dataset.problems;
  problems.merge(tessellation.problems);
  problems.merge(import_problems);
  if (!evaluate_existing) problems.merge(plan.problems);
  const report::PlanKpis kpis = report::compute_kpis(s.name, dataset, plan, &evaluation, problems,
                                                     has_existing && !evaluate_existing);

  // Exports.
  t0 = std::chrono::steady_clock::now();
  const std::vector<report::LayerTable> layers =
      report::build_layers(dataset, plan, &evaluation, problems);
  io::ExportOptions export_options;
  export_options.formats = s.output.formats;
  export_options.crs = s.output.crs.empty() ? io::input_crs(loaded) : s.output.crs;
  export_options.shapefile_encoding = s.output.shapefile_encoding;
  io::ExportResult exported =
      io::export_layers(layers, dataset.crs_wkt, dir.path(), export_options);
  const fs::path root(dir.path());
  for (const report::LayerTable& layer : layers)
    if (layer.name != "buildings" && layer.name != "diagnostics") {
      io::write_text((root / (layer.name + ".csv")).string(), report::to_csv(layer));
      exported.files.push_back(layer.name + ".csv");
    }

  // metrics.json: key figures plus what a spreadsheet or a later comparison needs.
  nlohmann::json metrics = {{"kpis", report::to_json(kpis)}};
  if (evaluation.simulation) {
    metrics["simulation"]["total"] = group_json(evaluation.simulation->total);
    auto& grids = metrics["simulation"]["large_grids"] = nlohmann::json::object();
    for (std::size_t g = 0; g < plan.large_grids.size(); ++g)
      grids[plan.large_grids[g].code] = group_json(evaluation.simulation->grids[g]);
    metrics["simulation"]["walking_distances"] = evaluation.simulation->walking_distances;
  }
  for (const sim::TierCoverage& tier : evaluation.coverage.tiers)
    metrics["coverage"].push_back({{"tier", tier.any_tier ? "any" : to_string(tier.tier)},
                                   {"stations", tier.stations},
                                   {"thresholds_m", tier.thresholds_m},
                                   {"households_within", tier.households_within},
                                   {"share_within", tier.share_within},
                                   {"households_unreachable", tier.households_unreachable}});
  metrics["coverage_method"] = evaluation.coverage.method;
  if (evaluation.siting) {
    const sim::SitingResult& siting = *evaluation.siting;
    metrics["siting"] = {{"method", siting.method},
                         {"households_uncovered", siting.households_uncovered},
                         {"households_uncoverable", siting.households_uncoverable},
                         {"max_cover_sites", siting.max_cover.size()},
                         {"max_cover_households", siting.max_cover_households},
                         {"max_cover_upper_bound", siting.max_cover_upper_bound},
                         {"set_cover_sites", siting.set_cover.size()},
                         {"set_cover_lower_bound", siting.set_cover_lower_bound}};
  }
  metrics["plan"] = {{"bound_violations", plan.metrics.bound_violations},
                     {"discontiguous", plan.metrics.discontiguous},
                     {"barrier_crossings", plan.metrics.barrier_crossings},
                     {"compound_splits", plan.metrics.compound_splits},
                     {"buildings_split", plan.metrics.buildings_split},
                     {"households_moved", plan.metrics.households_moved},
                     {"coverage_gap_m2", plan.metrics.coverage_gap_m2},
                     {"coverage_overlap_m2", plan.metrics.coverage_overlap_m2}};
  if (has_existing && !evaluate_existing) {
    // The existing plan's key figures without the event simulation (which would double the run).
    report::EvaluationParams quick = s.evaluation;
    quick.simulate = false;
    quick.site_stations = false;
    const report::Evaluation existing_evaluation =
        report::evaluate(dataset, existing, quick, progress);
    metrics["existing_kpis"] = report::to_json(report::compute_kpis(
        s.name + " (existing)", dataset, existing, &existing_evaluation, import_problems, false));
  }
  io::write_text((root / "metrics.json").string(), metrics.dump(1) + "\n");
  exported.files.push_back("metrics.json");

  // report.html
  report::ReportInfo info;
  info.title = s.name;
  info.description = s.description;
  info.version = GRIDPLAN_VERSION;
  info.generated = now_utc();
  info.crs = dataset.crs_name +
             (dataset.crs_epsg ? " (EPSG:" + std::to_string(dataset.crs_epsg) + ")" : "") +
             "; exports in " + exported.crs_name +
             (exported.crs_epsg ? " (EPSG:" + std::to_string(exported.crs_epsg) + ")" : "");
  for (const io::InputSpec& in : s.load.inputs) info.inputs.push_back(in.path);
  info.parameters = io::describe(s);
  info.sources = {s.sources.begin(), s.sources.end()};
  info.large = s.partition.large;
  info.micro = s.partition.micro;
  info.max_utilisation = s.staffing.max_utilisation;
  info.p90_response_hours = s.staffing.p90_response_hours;
  io::write_text((root / "report.html").string(),
                 report::render_report_html(info, dataset, plan, evaluation, kpis, problems));
  exported.files.push_back("report.html");
  const double export_s = seconds_since(t0);

  // manifest.json, last: its presence marks a complete run.
  nlohmann::json manifest = {
      {"gridplan_version", GRIDPLAN_VERSION},
      {"created", info.generated},
      {"scenario", {{"name", s.name}, {"files", nlohmann::json::array()}}},
      {"seed", s.partition.seed},
      {"simulation_seed", s.evaluation.simulation.seed},
      {"parameters", nlohmann::json::object()},
      {"sources", s.sources},
      {"inputs", nlohmann::json::array()},
      {"crs",
       {{"computation", dataset.crs_name},
        {"computation_epsg", dataset.crs_epsg},
        {"output", exported.crs_name},
        {"output_epsg", exported.crs_epsg}}},
      {"outputs", nlohmann::json::array()},
      {"seconds",
       {{"load", load_s}, {"plan", plan_s}, {"evaluate", evaluate_s}, {"export", export_s}}}};
  for (const std::string& file : s.files)
    manifest["scenario"]["files"].push_back({{"path", file}, {"sha256", io::sha256_file(file)}});
  for (const auto& [key, value] : io::describe(s)) manifest["parameters"][key] = value;
  std::vector<std::string> inputs;
  for (const io::InputSpec& in : load.inputs)
    for (const std::string& f : input_files(in.path))
      if (std::find(inputs.begin(), inputs.end(), f) == inputs.end()) inputs.push_back(f);
  if (has_existing && std::find(inputs.begin(), inputs.end(), s.existing.path) == inputs.end())
    inputs.push_back(s.existing.path);
  for (const std::string& f : inputs)
    manifest["inputs"].push_back({{"path", f},
                                  {"bytes", fs::is_regular_file(f) ? fs::file_size(f) : 0},
                                  {"sha256", io::sha256_file(f)}});
  for (const std::string& f : exported.files)
    manifest["outputs"].push_back({{"file", f}, {"sha256", io::sha256_file((root / f).string())}});
  io::write_text((root / "manifest.json").string(), manifest.dump(1) + "\n");
  dir.commit();

  out << "scenario " << s.name << ": " << kpis.households << " households in " << kpis.buildings
      << " buildings, communities: " << kpis.communities << '\n';
  print_kpis(kpis, out);
  if (has_existing)
    out << (evaluate_existing ? "  (the existing plan, evaluated as it is)\n"
                              : "  (re-planned from the existing plan)\n");
  out << std::fixed << std::setprecision(1) << "time: load " << load_s << " s, plan " << plan_s
      << " s, evaluate " << evaluate_s << " s, export " << export_s << " s\n";
  out << "wrote " << dir.final_path() << "/ (plan.gpkg";
  for (const std::string& f : s.output.formats) out << ", " << f;
  out << ", metrics.json, manifest.json)\nreport: " << dir.final_path() << "/report.html\n";
  out.unsetf(std::ios::fixed);
  return {dir.final_path(), kpis};
}

namespace {

struct RunOptions {
  std::string scenario;
  std::vector<std::string> inputs;
  std::string out;
  std::vector<std::string> formats;
  std::string crs;
  std::string encoding;
  std::string existing;
  std::string existing_mode;
  std::int64_t seed = -1;
  int replications = 0;
  bool no_simulation = false;
  bool overwrite = false;
  bool quiet = false;
};

int run_command(const RunOptions& o) {
  RunRequest request;
  if (!o.scenario.empty()) {
    request.scenario = io::load_scenario(o.scenario);
  } else {
    if (o.inputs.empty())
      throw ConfigError("run: give a scenario file or --input FILE (see gridplan run --help)");
    request.scenario = io::default_scenario();
    request.print_parameters = true;
  }
  io::Scenario& s = request.scenario;
  if (!o.inputs.empty()) {
    s.load.inputs.clear();
    for (const std::string& path : o.inputs) {
      if (!fs::exists(path)) throw InputError("run: --input '" + path + "': no such file");
      s.load.inputs.push_back({path, "", std::nullopt});
    }
    if (o.scenario.empty()) s.name = fs::path(o.inputs.front()).stem().string();
  }
  for (const std::string& f : o.formats)
    if (f != "gpkg" &&
        std::find(s.output.formats.begin(), s.output.formats.end(), f) == s.output.formats.end()) {
      if (f != "shp" && f != "geojson")
        throw ConfigError("run: --format '" + f + "' is not shp or geojson");
      s.output.formats.push_back(f);
    }
  if (!o.crs.empty()) s.output.crs = o.crs;
  if (!o.encoding.empty()) {
    if (o.encoding != "UTF-8" && o.encoding != "GBK")
      throw ConfigError("run: --encoding must be UTF-8 or GBK, not '" + o.encoding + "'");
    s.output.shapefile_encoding = o.encoding;
  }
  if (!o.existing.empty()) {
    if (!fs::exists(o.existing))
      throw InputError("run: --existing '" + o.existing + "': no such file");
    s.existing.path = o.existing;
  }
  if (!o.existing_mode.empty()) {
    if (o.existing_mode != "replan" && o.existing_mode != "evaluate")
      throw ConfigError("run: --existing-mode must be replan or evaluate");
    s.existing.mode = o.existing_mode;
  }
  if (o.seed >= 0) {
    s.partition.seed = static_cast<std::uint64_t>(o.seed);
    s.evaluation.simulation.seed = static_cast<std::uint64_t>(o.seed);
  }
  if (o.replications > 0) s.evaluation.simulation.replications = o.replications;
  if (o.no_simulation) s.evaluation.simulate = false;
  request.out = o.out;
  request.overwrite = o.overwrite;
  request.quiet = o.quiet;
  execute_run(request);
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand(
      "run", "Plan, evaluate, export (GeoPackage, Shapefile, GeoJSON) and report one scenario");
  cmd->add_option("scenario", o->scenario, "Scenario file (TOML, docs/scenario-format.md)");
  cmd->add_option("--input,-i", o->inputs,
                  "Input file(s) instead of the scenario's (defaults printed when no scenario)");
  cmd->add_option("--out,-o", o->out, "Output directory (refused if it exists, see --overwrite)")
      ->required();
  cmd->add_option("--format,-f", o->formats, "Extra formats: shp, geojson (comma-separated)")
      ->delimiter(',');
  cmd->add_option("--crs", o->crs, "Output CRS, e.g. EPSG:4326 (default: the input's)");
  cmd->add_option("--encoding", o->encoding, "Shapefile text encoding: UTF-8 (default) or GBK");
  cmd->add_option("--existing", o->existing,
                  "Existing plan: grid polygons or a building→grid table (bid, large_code, "
                  "micro_code)");
  cmd->add_option("--existing-mode", o->existing_mode,
                  "replan (default: fewest households moved) or evaluate (keep it as it is)");
  cmd->add_option("--seed", o->seed, "Seed of the partitioner and the simulation");
  cmd->add_option("--replications", o->replications, "Event-simulation replications");
  cmd->add_flag("--no-simulation", o->no_simulation, "Skip the event simulation (faster)");
  cmd->add_flag("--overwrite", o->overwrite, "Replace an existing output directory");
  cmd->add_flag("--quiet,-q", o->quiet, "No progress output");
  cmd->callback([&action, o] { action = [o] { return run_command(*o); }; });
}

}  // namespace gp::cli
