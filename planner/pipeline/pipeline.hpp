#pragma once
// The product's whole path, written once: resolve the scenario → load → validate → tessellate →
// plan, re-plan or evaluate an existing plan → simulate → build the output layers → export →
// report → manifest. Every door calls these stages — `gridplan run` and `gridplan compare`
// (run), `gridplan plan` (the stages up to the export), the studio's open / openScenario /
// openRun / setDataset / save (the stages it shows) — and none re-implements one.
//
// The existing plan (documented in docs/architecture.md "One path"): only what the scenario names
// as one (`[existing] path`, `--existing FILE`) is the existing plan, re-planned or evaluated as
// its `mode` says. A grids layer that happens to be among the data inputs (the demo town's
// hand-drawn `grids`, an earlier plan.gpkg's large_grids/micro_grids) is not: the plan is then
// drawn afresh. Name the file as the existing plan to start from it.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "planner/core/dataset.hpp"
#include "planner/core/progress.hpp"
#include "planner/evaluation/evaluation.hpp"
#include "planner/geo/tessellation.hpp"
#include "planner/io/export.hpp"
#include "planner/io/load.hpp"
#include "planner/io/plan_import.hpp"
#include "planner/partition/plan.hpp"
#include "planner/pipeline/scenario.hpp"
#include "planner/report/kpi.hpp"
#include "planner/report/layers.hpp"

namespace gp::pipeline {

// ---- stage 1: resolve ------------------------------------------------------------------------

/// Checks what a run needs (at least one input) and resolves the parameters once
/// (parameters.hpp). Every door calls this before loading. Throws gp::ConfigError.
void resolve(pipeline::Scenario& scenario);

// ---- stage 2: load and validate --------------------------------------------------------------

struct Loaded {
  io::LoadResult result;  // the dataset (validated and joined), per-layer reports, CRS choice
  io::ExistingPlanSource existing_source;
  bool has_existing = false;  // the scenario names an existing plan
  double seconds = 0.0;
  Dataset& dataset() { return result.dataset; }
  const Dataset& dataset() const { return result.dataset; }
};

/// Loads the scenario's inputs (with the existing plan's grid layers when it names one) and
/// validates them; only the existing plan's grid layers stay as Dataset::existing_grids.
/// Throws gp::InputError when no building was loaded (naming --role LAYER=buildings).
Loaded load(const pipeline::Scenario& scenario, Progress& progress);

/// Validates and joins an in-memory dataset as load() does (synthetic towns, tests), with the
/// scenario's household parameters.
void validate(const pipeline::Scenario& scenario, Dataset& dataset, Progress& progress);

// ---- stage 3: tessellate and plan ------------------------------------------------------------

struct Planned {
  geo::Tessellation tessellation;
  Plan plan;
  /// The existing plan as imported, its metrics filled (when the scenario names one).
  std::optional<Plan> existing;
  ProblemReporter import_problems;  // rows of a building→grid table that did not match
  bool evaluated_existing = false;  // `plan` is the existing plan, evaluated as it is
  double tessellate_seconds = 0.0;
  double plan_seconds = 0.0;
  /// Each building's own part (geo/own_footprint.hpp), as the plan audit computed them: the
  /// export's buildings layer writes these, so a run computes them once (null: not audited).
  std::shared_ptr<const std::vector<MultiPolygon>> own_footprints;
  /// The audit of `plan` by geometry (evaluation::audit_plan, the rules and verdict of
  /// `gridplan check`): of our plan, or of the existing plan when it is evaluated as it is.
  geo::PlanAudit audit;
  /// Problems of tessellation, import and (unless the existing plan is evaluated) planning.
  ProblemReporter problems() const;
};

/// What a plan's audit says, for the CLI's summary and exit code (docs/cli/README.md "Exit
/// codes", docs/decisions/0010-exit-codes.md). Broken and allowed as the audit classifies its
/// findings (geo::AuditSeverity): the same notion as `gridplan check`, nothing recounted here.
struct AuditVerdict {
  std::size_t broken = 0;                             // findings that break a rule
  std::size_t allowed = 0;                            // exceptions the rules allow
  std::size_t grids = 0;                              // distinct grids named by a broken finding
  std::map<std::string, std::size_t> broken_by_rule;  // rule id → broken findings
  /// Every broken finding names a grid locked from the existing plan (kept as drawn).
  bool locked_only = false;
  /// The plan is ours (planned or re-planned): false when the existing plan is evaluated as it
  /// is, whose broken rules are the job's answer, not a fault of the planner.
  bool own_plan = true;
  /// Our own plan breaks a rule of its own audit: it must not be handed on as it is (exit 7).
  [[nodiscard]] bool fails() const { return own_plan && broken > 0; }
};
AuditVerdict audit_verdict(const geo::PlanAudit& audit, const Plan& plan, bool own_plan);
/// The verdict as metrics.json and `gridplan plan`'s plan.json give it ("audit": holds, broken,
/// allowed, broken_grids, broken_by_rule, own_plan); nlohmann's serializer, so `j = verdict`.
void to_json(nlohmann::json& j, const AuditVerdict& verdict);
/// The verdict on a planned (or imported and evaluated) plan.
AuditVerdict audit_verdict(const Planned& planned);

/// One cell per building, cut by the scenario's hard barriers.
geo::Tessellation tessellate(const pipeline::Scenario& scenario, const Dataset& dataset,
                             Progress& progress);

/// Tessellates, then plans afresh, re-plans from the existing plan, or takes the existing plan
/// as it is (mode "evaluate"), filling its metrics. `existing` is the loaded existing plan's
/// source (Loaded::existing_source when Loaded::has_existing), else null: planned afresh.
Planned plan(const pipeline::Scenario& scenario, const Dataset& dataset,
             const io::ExistingPlanSource* existing, Progress& progress);
/// plan(scenario, loaded.dataset(), the existing plan's source when there is one, progress).
Planned plan(const pipeline::Scenario& scenario, const Loaded& loaded, Progress& progress);

/// Re-plans the unlocked grids of `current` (the studio's re-plan after edits): fewest
/// households moved, locked grids kept.
Plan replan(const pipeline::Scenario& scenario, const Dataset& dataset,
            const geo::Tessellation& tessellation, const Plan& current, Progress& progress);

// ---- stage 4: evaluate (workload, workers, coverage, event simulation, siting) -------------

evaluation::Evaluation evaluate(const pipeline::Scenario& scenario, const Dataset& dataset,
                                const Plan& plan, Progress& progress);

// ---- stage 5: output layers and export -------------------------------------------------------

/// Every problem a run reports: the dataset's and the plan's (Planned::problems).
ProblemReporter all_problems(const Dataset& dataset, const Planned& planned);

/// The output layers (report/layers.hpp: one definition of every field) of a plan; evaluation
/// may be null (worker, coverage and station figures then null).
/// `own_footprints` and `tick` as report::build_layers takes them.
std::vector<report::LayerTable> layers(
    const Dataset& dataset, const Plan& plan, const evaluation::Evaluation* evaluation,
    const ProblemReporter& problems,
    std::shared_ptr<const std::vector<MultiPolygon>> own_footprints = nullptr,
    const std::function<void(double)>& tick = {});

/// Exports the layers into the directory `dir` (plan.gpkg, and shp/, geojson/ as the scenario's
/// output settings ask) in the scenario's output CRS, else the inputs' CRS when `loaded` tells
/// it, else the dataset's. With `progress`: stage "export", the features written mapped onto
/// [progress_begin, progress_end].
io::ExportResult export_layers(const pipeline::Scenario& scenario, const Dataset& dataset,
                               const io::LoadResult* loaded,
                               const std::vector<report::LayerTable>& layers,
                               const std::string& dir, Progress* progress = nullptr,
                               double progress_begin = 0.0, double progress_end = 1.0);

/// Writes the layers to one GeoPackage at `path` (the studio's save), atomically (staged next to
/// it and renamed into place), in the dataset's CRS. Refuses (gp::OutputError) a path that is one
/// of `inputs`.
void save_plan(const Dataset& dataset, const std::vector<report::LayerTable>& layers,
               const std::string& path, const std::vector<std::string>& inputs);

// ---- the whole run ---------------------------------------------------------------------------

struct RunRequest {
  pipeline::Scenario scenario;  // resolved by run() itself
  std::string out;
  bool overwrite = false;
};

struct RunOutcome {
  std::string dir;  // the output directory, final
  report::PlanKpis kpis;
  /// The staffing verdict in words (given workers against the modelled need), English.
  std::string staffing_verdict;
  pipeline::Scenario scenario;  // as resolved
  bool has_existing = false;
  bool evaluated_existing = false;
  AuditVerdict verdict;  // the plan's audit: a plan of ours that breaks a rule fails the run
  double load_seconds = 0.0, plan_seconds = 0.0, evaluate_seconds = 0.0, export_seconds = 0.0;
  std::vector<std::string> files;  // written, relative to dir
};

/// The whole path into one output directory, written atomically: plan.gpkg (+ shp/, geojson/),
/// a CSV per layer, metrics.json, report.html, scenario.toml (the resolved scenario) and
/// manifest.json last (its presence marks a complete run).
RunOutcome run(RunRequest request, Progress& progress);

/// The work a run's stages scale with, counted on the loaded dataset (after validation: the
/// buildings' communities are known). Tessellation, validation and the audit scale with footprint
/// vertices and with how many buildings share one community (a town without a communities layer
/// is one community of the whole extent); the evaluation with households and homes.
struct RunSize {
  double buildings = 0;          // buildings loaded
  double vertices = 0;           // footprint vertices, all rings
  double communities = 0;        // communities (≥ 1 after validation)
  double largest_community = 0;  // buildings of the community holding the most
  double largest_vertices = 0;   // footprint vertices of that community's buildings
  double line_vertices = 0;      // vertices of roads, rivers and rails
  double households = 0;         // 户, all buildings
  double homes = 0;              // buildings with households (the siting's candidates)
};
RunSize run_size(const Dataset& dataset);
/// "buildings=… vertices=… …": one line for GRIDPLAN_PROGRESS_LOG (tests/bench/eta_fit.py).
std::string describe(const RunSize& size);

/// The expected time of each stage of a whole run, in seconds of a reference machine (2 cores,
/// idle, release build), in the order the stages run (what `run` gives
/// `Progress::set_stage_weights`; only their ratios matter, the Progress measures the machine's
/// own speed as the run goes). Each stage's time is its work units (`size`) times a cost per unit
/// fitted on measured runs (tests/bench/eta_fit.py, docs/benchmarks.md "Progress and ETA, round
/// 5"); without `size` (before loading) a 10,000-building town in one community is assumed. A
/// caller running only some stages (the studio's jobs) takes the slice it runs.
std::vector<StageWeight> run_stage_weights(const pipeline::Scenario& scenario,
                                           const RunSize* size = nullptr);

/// Sets `progress`'s stage weights for the stages from `first` up to, not including, `end`
/// ("" = to the end) from the loaded dataset's size, and writes the size as a progress note. Call
/// once the dataset is loaded: the estimate of the run's time left then follows this input.
void weigh_stages(Progress& progress, const pipeline::Scenario& scenario, const Dataset& dataset,
                  std::string_view first = {}, std::string_view end = {});
/// The slice of `run_stage_weights` from the stage named `first` ("" = the first) up to, not
/// including, `end` ("" = to the end).
std::vector<StageWeight> stage_weights_slice(std::vector<StageWeight> all, std::string_view first,
                                             std::string_view end);

/// The scenario a run directory was made with: its scenario.toml when its inputs are still there
/// unchanged in size (manifest.json records them), else the run's own layers (communities,
/// buildings, stations of plan.gpkg) with the parameters of scenario.toml. In both cases the
/// run's plan.gpkg is the existing plan, evaluated as it is: the run opens as it was exported.
/// Throws gp::InputError when `dir` is not a complete run directory, gp::ConfigError when its
/// scenario.toml does not read.
pipeline::Scenario scenario_of_run(const std::string& dir);

}  // namespace gp::pipeline
