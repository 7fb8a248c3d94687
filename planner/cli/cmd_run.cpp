// gridplan run SCENARIO --out DIR | gridplan run --input FILE... --out DIR: the whole job on one
// scenario — plan, evaluate, export for the GIS, report — through the pipeline
// (planner/pipeline). This file only turns options into a scenario and prints the outcome.
// See docs/cli/run.md.

#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>

#include "planner/cli/commands.hpp"
#include "planner/cli/input_options.hpp"
#include "planner/cli/plan_verdict.hpp"
#include "planner/cli/progress_printer.hpp"
#include "planner/core/errors.hpp"
#include "planner/pipeline/pipeline.hpp"

namespace gp::cli {
namespace {

namespace fs = std::filesystem;

struct RunOptions {
  std::string scenario;
  std::vector<std::string> inputs;
  InputArgs input;
  std::string out;
  std::vector<std::string> formats;
  std::string crs;
  std::string shp_encoding;
  std::string existing;
  std::string existing_mode;
  std::int64_t seed = -1;
  int replications = 0;
  bool no_simulation = false;
  bool overwrite = false;
  bool quiet = false;
};

void print_kpis(const report::PlanKpis& k, std::ostream& out) {
  for (const report::KpiRow& row : report::kpi_rows(k)) {
    const double v = report::kpi_value(k, row.key);
    if (!std::isfinite(v)) continue;
    out << "  " << std::left << std::setw(40) << row.english << report::format_kpi(v, row) << '\n';
  }
}

pipeline::Scenario scenario_from(const RunOptions& o) {
  pipeline::Scenario s;
  if (!o.scenario.empty()) {
    s = pipeline::load_scenario(o.scenario);
  } else {
    if (o.inputs.empty())
      throw ConfigError("run: give a scenario file or --input FILE (see gridplan run --help)");
    s = pipeline::default_scenario();
  }
  if (!o.inputs.empty()) {
    s.load.inputs.clear();
    for (const std::string& path : o.inputs) {
      if (!fs::exists(path)) throw InputError("run: --input '" + path + "': no such file");
      s.load.inputs.push_back({path, "", std::nullopt});
    }
    if (o.scenario.empty()) s.name = fs::path(o.inputs.front()).stem().string();
  }
  apply_input_options(o.input, s.load);
  record_input_origins(o.input, s);
  for (const std::string& f : o.formats)
    if (f != "gpkg" &&
        std::find(s.output.formats.begin(), s.output.formats.end(), f) == s.output.formats.end()) {
      if (f != "shp" && f != "geojson")
        throw ConfigError("run: --format '" + f + "' is not shp or geojson");
      s.output.formats.push_back(f);
    }
  if (!o.crs.empty()) s.output.crs = o.crs;
  if (!o.shp_encoding.empty()) {
    if (o.shp_encoding != "UTF-8" && o.shp_encoding != "GBK")
      throw ConfigError("run: --shp-encoding must be UTF-8 or GBK, not '" + o.shp_encoding + "'");
    s.output.shapefile_encoding = o.shp_encoding;
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
  return s;
}

int run_command(const RunOptions& o) {
  pipeline::RunRequest request;
  request.scenario = scenario_from(o);
  pipeline::resolve(request.scenario);
  request.out = o.out;
  request.overwrite = o.overwrite;
  std::ostream& out = std::cout;
  if (o.scenario.empty()) {
    out << "No scenario file: using the defaults (write them into a scenario to change them, see "
           "docs/scenario-format.md; the run directory's scenario.toml holds them all):\n";
    for (const auto& [key, value] : pipeline::describe(request.scenario))
      out << "  " << key << " = " << value << '\n';
    out << '\n';
  }
  ProgressPrinter printer(!o.quiet);
  const pipeline::RunOutcome r = pipeline::run(std::move(request), printer.progress());
  const report::PlanKpis& kpis = r.kpis;
  out << "scenario " << r.scenario.name << ": " << kpis.households << " households in "
      << kpis.buildings << " buildings, communities: " << kpis.communities << '\n';
  print_kpis(kpis, out);
  if (!r.staffing_verdict.empty()) out << "staffing: " << r.staffing_verdict << '\n';
  if (r.has_existing)
    out << (r.evaluated_existing ? "  (the existing plan, evaluated as it is)\n"
                                 : "  (re-planned from the existing plan)\n");
  out << std::fixed << std::setprecision(1) << "time: load " << r.load_seconds << " s, plan "
      << r.plan_seconds << " s, evaluate " << r.evaluate_seconds << " s, export "
      << r.export_seconds << " s\n";
  out << "wrote " << r.dir << "/ (plan.gpkg";
  for (const std::string& f : r.scenario.output.formats) out << ", " << f;
  out << ", metrics.json, scenario.toml, manifest.json)\nreport: " << r.dir << "/report.html\n";
  out.unsetf(std::ios::fixed);
  // The plan's own audit, last: a plan of ours that breaks a rule exits 7 (the outputs stay, to
  // be opened); an existing plan evaluated as it is reports its findings and exits 0.
  std::vector<std::string> inputs;
  for (const io::InputSpec& in : r.scenario.load.inputs) inputs.push_back(in.path);
  const bool existing = r.evaluated_existing && !r.scenario.existing.path.empty();
  print_audit_verdict(r.verdict, existing ? r.scenario.existing.path : r.dir + "/plan.gpkg",
                      existing ? r.scenario.existing.layer : "", inputs, out);
  return exit_code_of(r.verdict);
}

}  // namespace

void add_run_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand(
      "run",
      "Plan, evaluate, export (GeoPackage, Shapefile, GeoJSON) and report one scenario; exit 7 "
      "when the plan made breaks a rule of its own audit (written all the same)");
  cmd->add_option("scenario", o->scenario, "Scenario file (TOML, docs/scenario-format.md)");
  cmd->add_option("--input,-i", o->inputs,
                  "Input file(s) instead of the scenario's (defaults printed when no scenario)");
  add_input_options(cmd, o->input);
  cmd->add_option("--out,-o", o->out, "Output directory (refused if it exists, see --overwrite)")
      ->required();
  cmd->add_option("--format,-f", o->formats, "Extra formats: shp, geojson (comma-separated)")
      ->delimiter(',');
  cmd->add_option("--crs", o->crs, "Output CRS, e.g. EPSG:4326 (default: the input's)");
  cmd->add_option("--shp-encoding", o->shp_encoding,
                  "Text encoding of the Shapefiles written: UTF-8 (default) or GBK");
  cmd->add_option("--existing", o->existing,
                  "Existing plan: grid polygons or a building→grid table (bid, large_code, "
                  "micro_code). Only a file named here (or in the scenario) is the existing plan");
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
