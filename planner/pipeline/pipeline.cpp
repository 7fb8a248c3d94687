#include "planner/pipeline/pipeline.hpp"

#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "planner/core/clock.hpp"
#include "planner/core/errors.hpp"
#include "planner/core/memory.hpp"
#include "planner/core/progress_ticks.hpp"
#include "planner/partition/partitioner.hpp"
#include "planner/pipeline/parameters.hpp"
#include "planner/pipeline/scenario_write.hpp"
#include "planner/report/html.hpp"

namespace gp::pipeline {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

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

nlohmann::json metrics_json(const Plan& plan, const evaluation::Evaluation& evaluation,
                            const report::PlanKpis& kpis) {
  nlohmann::json metrics = {{"kpis", report::to_json(kpis)}};
  if (evaluation.simulation) {
    metrics["simulation"]["total"] = group_json(evaluation.simulation->total);
    auto& grids = metrics["simulation"]["large_grids"] = nlohmann::json::object();
    for (std::size_t g = 0; g < plan.large_grids.size(); ++g)
      grids[plan.large_grids[g].code] = group_json(evaluation.simulation->grids[g]);
    metrics["simulation"]["walking_distances"] = evaluation.simulation->walking_distances;
  }
  metrics["staffing_verdict"] = {{"level", evaluation.verdict.level},
                                 {"given_fte", evaluation.verdict.given_fte},
                                 {"need_fte", evaluation.verdict.need_fte},
                                 {"chinese", evaluation.verdict.chinese},
                                 {"english", evaluation.verdict.english}};
  if (evaluation.sensitivity) {
    const sim::SensitivityResult& sens = *evaluation.sensitivity;
    auto& j = metrics["sensitivity"];
    j["need_fte"] = sens.need_fte;
    j["p90_h"] = sens.p90_h;
    j["workers_meeting_target"] = sens.workers_meeting_target;
    auto finite = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
    for (const sim::SensitivityRow& row : sens.rows)
      j["rows"].push_back({{"key", row.key},
                           {"need_low", row.need_low},
                           {"need_high", row.need_high},
                           {"p90_low", finite(row.p90_low)},
                           {"p90_high", finite(row.p90_high)}});
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
  return metrics;
}

}  // namespace

void resolve(pipeline::Scenario& scenario) {
  if (scenario.load.inputs.empty())
    throw ConfigError("no input files: give a scenario with [input] files = [...] or --input FILE");
  resolve_parameters(scenario);
}

Loaded load(const pipeline::Scenario& s, Progress& progress) {
  const auto start = Clock::now();
  Loaded out;
  io::LoadOptions options = s.load;
  out.has_existing = !s.existing.path.empty();
  if (out.has_existing) {
    out.existing_source = io::inspect_existing_plan(s.existing);
    for (const io::InputSpec& in : out.existing_source.grid_inputs) options.inputs.push_back(in);
  }
  out.result = io::load(options, progress);
  Dataset& dataset = out.result.dataset;
  // Nothing to plan: say so here rather than fail later on an empty dataset (no CRS to export in).
  if (dataset.buildings.empty())
    throw InputError(
        "no buildings were loaded from the inputs (empty layers, or no layer recognised as "
        "buildings); check them with `gridplan inspect` and name the building layer with "
        "--role LAYER=buildings (or [input.layers] in the scenario) if needed");
  // Only the existing plan's grid layers count as the existing plan: a data file may carry a
  // grids layer of its own (loaded with the other layers; listed twice it would double).
  std::vector<ExistingGrid> kept;
  std::set<std::pair<std::string, std::int64_t>> seen;
  for (ExistingGrid& grid : dataset.existing_grids) {
    bool chosen = false;
    for (const io::InputSpec& in : out.existing_source.grid_inputs)
      chosen |= grid.source.layer == in.layer &&
                fs::path(grid.source.file).filename() == fs::path(in.path).filename();
    if (chosen && seen.insert({grid.source.layer, grid.source.fid.value_or(grid.id)}).second)
      kept.push_back(std::move(grid));
  }
  dataset.existing_grids = std::move(kept);
  out.seconds = seconds_since(start);
  return out;
}

void validate(const pipeline::Scenario& scenario, Dataset& dataset, Progress& progress) {
  geo::validate_and_join(dataset, scenario.load.households, progress);
}

ProblemReporter Planned::problems() const {
  ProblemReporter all = tessellation.problems;
  all.merge(import_problems);
  if (!evaluated_existing) all.merge(plan.problems);
  return all;
}

geo::Tessellation tessellate(const pipeline::Scenario& s, const Dataset& dataset,
                             Progress& progress) {
  return geo::tessellate(dataset, tessellation_params(s.partition), progress);
}

Planned plan(const pipeline::Scenario& s, const Dataset& dataset,
             const io::ExistingPlanSource* existing, Progress& progress) {
  Planned out;
  auto t0 = Clock::now();
  out.tessellation = tessellate(s, dataset, progress);
  out.tessellate_seconds = seconds_since(t0);
  release_free_memory();
  t0 = Clock::now();
  if (existing) {
    Plan imported =
        existing->kind == io::ExistingPlanKind::grid_polygons
            ? existing_plan_from_grids(dataset, existing->listed)
            : io::plan_from_table(dataset, s.existing, &out.tessellation, out.import_problems);
    geo::PlanAudit audit = evaluation::fill_plan_metrics(dataset, imported, s.partition);
    out.own_footprints = audit.own_footprints;
    if (s.existing.mode == "evaluate") out.audit = std::move(audit);
    out.existing = std::move(imported);
  }
  out.evaluated_existing = existing && s.existing.mode == "evaluate";
  out.plan = out.evaluated_existing ? *out.existing
                                    : make_plan(dataset, out.tessellation, s.partition, progress,
                                                out.existing ? &*out.existing : nullptr);
  release_free_memory();
  // The plan's metrics by geometry, on the polygons that are exported (imported plans: above).
  if (!out.evaluated_existing) {
    out.audit = evaluation::audit_plan(dataset, out.plan, s.partition, &progress);
    out.own_footprints = out.audit.own_footprints;
  }
  // Calibrated per-grid multipliers are keyed by grid code: a code the plan lacks is not used.
  for (const auto& [code, multiplier] : s.evaluation.workload.grid_event_multipliers)
    if (std::none_of(out.plan.large_grids.begin(), out.plan.large_grids.end(),
                     [&code = code](const Grid& g) { return g.code == code; }))
      (out.evaluated_existing ? out.import_problems : out.plan.problems)
          .report(Severity::warning, "grid-multiplier-unknown-grid", {},
                  "[events.grid_multipliers] names grid '" + code + "' (multiplier " +
                      std::to_string(multiplier) +
                      ") that this plan does not have; it is not used. Multipliers belong to "
                      "the plan they were fitted on: run gridplan calibrate on this plan.gpkg");
  out.plan_seconds = seconds_since(t0);
  return out;
}

Planned plan(const pipeline::Scenario& s, const Loaded& loaded, Progress& progress) {
  return plan(s, loaded.dataset(), loaded.has_existing ? &loaded.existing_source : nullptr,
              progress);
}

void to_json(nlohmann::json& j, const AuditVerdict& verdict) {
  j = {{"holds", verdict.broken == 0},
       {"broken", verdict.broken},
       {"allowed", verdict.allowed},
       {"broken_grids", verdict.grids},
       {"broken_by_rule", verdict.broken_by_rule},
       {"own_plan", verdict.own_plan}};
}

AuditVerdict audit_verdict(const geo::PlanAudit& audit, const Plan& plan, bool own_plan) {
  AuditVerdict v;
  v.own_plan = own_plan;
  v.broken = audit.broken();
  v.allowed = audit.findings.size() - v.broken;
  std::set<std::pair<GridLevel, std::string>> grids;
  std::set<std::string> locked;
  for (const std::vector<Grid>* level : {&plan.large_grids, &plan.micro_grids})
    for (const Grid& g : *level)
      if (g.locked) locked.insert(g.code);
  v.locked_only = v.broken > 0;
  for (const geo::AuditFinding& f : audit.findings) {
    if (f.severity != geo::AuditSeverity::broken) continue;
    ++v.broken_by_rule[f.rule];
    if (!f.grid.empty()) grids.insert({f.level, f.grid});
    // A finding about a building names no grid when it has none (building-unassigned): it is
    // on a locked grid when its large grid is.
    const bool in_locked =
        f.building != kNone && static_cast<std::size_t>(f.building) < plan.building_large.size() &&
        plan.building_large[static_cast<std::size_t>(f.building)] != kNone &&
        plan.large_grids[static_cast<std::size_t>(
                             plan.building_large[static_cast<std::size_t>(f.building)])]
            .locked;
    v.locked_only = v.locked_only && (locked.contains(f.grid) || in_locked);
  }
  v.grids = grids.size();
  return v;
}

AuditVerdict audit_verdict(const Planned& planned) {
  return audit_verdict(planned.audit, planned.plan, !planned.evaluated_existing);
}

Plan replan(const pipeline::Scenario& s, const Dataset& dataset,
            const geo::Tessellation& tessellation, const Plan& current, Progress& progress) {
  Plan plan = make_plan(dataset, tessellation, s.partition, progress, &current);
  evaluation::audit_plan(dataset, plan, s.partition, &progress);
  return plan;
}

evaluation::Evaluation evaluate(const pipeline::Scenario& s, const Dataset& dataset,
                                const Plan& plan, Progress& progress) {
  return evaluation::evaluate(dataset, plan, s.evaluation, progress);
}

ProblemReporter all_problems(const Dataset& dataset, const Planned& planned) {
  ProblemReporter all = dataset.problems;
  all.merge(planned.problems());
  return all;
}

std::vector<report::LayerTable> layers(
    const Dataset& dataset, const Plan& plan, const evaluation::Evaluation* evaluation,
    const ProblemReporter& problems,
    std::shared_ptr<const std::vector<MultiPolygon>> own_footprints,
    const std::function<void(double)>& tick) {
  return report::build_layers(dataset, plan, evaluation, problems, std::move(own_footprints), tick);
}

io::ExportResult export_layers(const pipeline::Scenario& s, const Dataset& dataset,
                               const io::LoadResult* loaded,
                               const std::vector<report::LayerTable>& layers,
                               const std::string& dir, Progress* progress, double progress_begin,
                               double progress_end) {
  io::ExportOptions options;
  options.progress = progress;
  options.progress_begin = progress_begin;
  options.progress_end = progress_end;
  options.formats = s.output.formats;
  options.crs = !s.output.crs.empty() ? s.output.crs : loaded ? io::input_crs(*loaded) : "";
  options.shapefile_encoding = s.output.shapefile_encoding;
  // The QGIS styles' household classes and walking bands follow the scenario's bounds.
  options.style = {s.partition.large, s.partition.micro, s.evaluation.coverage.thresholds_m};
  return io::export_layers(layers, dataset.crs_wkt, dir, options);
}

void save_plan(const Dataset& dataset, const std::vector<report::LayerTable>& layers,
               const std::string& path, const std::vector<std::string>& inputs) {
  const fs::path target = fs::absolute(path).lexically_normal();
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (fs::exists(in, ec) && fs::equivalent(in, target, ec))
      throw OutputError("save: '" + path + "' is an input of this plan; choose another file");
  }
  // Staged in a sibling directory and moved into place complete.
  io::OutputDirectory staging(target.string() + ".staging", true, inputs);
  io::export_layers(layers, dataset.crs_wkt, staging.path(), {});
  std::error_code ec;
  fs::rename(fs::path(staging.path()) / "plan.gpkg", target, ec);
  if (ec) throw OutputError("save: cannot write '" + path + "': " + ec.message());
}

RunSize run_size(const Dataset& dataset) {
  RunSize size;
  size.buildings = static_cast<double>(dataset.buildings.size());
  size.communities = static_cast<double>(std::max<std::size_t>(dataset.communities.size(), 1));
  std::vector<double> per_community(dataset.communities.size() + 1, 0.0);
  std::vector<double> vertices_per_community(per_community.size(), 0.0);
  for (const Building& b : dataset.buildings) {
    double vertices = 0;
    for (const Polygon& polygon : b.footprint) {
      vertices += static_cast<double>(polygon.outer.size());
      for (const Ring& hole : polygon.holes) vertices += static_cast<double>(hole.size());
    }
    size.vertices += vertices;
    // Buildings without a community are planned as one more container.
    const std::size_t c =
        b.community >= 0 && static_cast<std::size_t>(b.community) < dataset.communities.size()
            ? static_cast<std::size_t>(b.community)
            : dataset.communities.size();
    per_community[c] += 1.0;
    vertices_per_community[c] += vertices;
    size.households += b.households;
    if (b.households > 0) size.homes += 1.0;
  }
  const auto largest = std::max_element(per_community.begin(), per_community.end());
  size.largest_community = *largest;
  size.largest_vertices = vertices_per_community[static_cast<std::size_t>(
      std::distance(per_community.begin(), largest))];
  for (const Line& line : dataset.lines)
    size.line_vertices += static_cast<double>(line.geometry.size());
  return size;
}

std::string describe(const RunSize& size) {
  std::ostringstream out;
  out.precision(12);
  out << "size buildings=" << size.buildings << " vertices=" << size.vertices
      << " communities=" << size.communities << " largest_community=" << size.largest_community
      << " largest_vertices=" << size.largest_vertices << " line_vertices=" << size.line_vertices
      << " households=" << size.households << " homes=" << size.homes;
  return out.str();
}

namespace {

/// A stage's expected seconds per unit of its work. Fitted by tests/bench/eta_fit.py on measured
/// progress logs (dev build, 2 cores shared with other builds: only the ratios between stages
/// matter; the demo town, the three OSM extracts, the synthetic 100k town, the real-shapes 30k
/// and 100k towns with and without communities, Nanjing and real-30000 with the simulation;
/// docs/benchmarks.md "Progress and ETA, round 5"): non-negative least squares of each stage's
/// time on these units, relative errors, one speed per run. Refitted in round 10 on the logs of
/// rounds 9 and 10 (the demo town, the three extracts, synth-100000, real-30000/100000/300000
/// and two runs of real-1000000 in one community; docs/benchmarks.md "Progress silences at 1M,
/// round 10"): the tessellation, planning and audit had become 3–10× cheaper since round 5, and
/// only reading kept a fixed cost (see tests/bench/eta_fit.py). Round 11: planning grids, grid
/// polygons, the plan audit and the export have fixed costs too (the export's files, report and
/// checksums: 1.3–2 s of a 9–10 s run, 21–24 % of it, against a weight of 2–4 %), fitted as the
/// median residual of the short runs (demo, Helsinki, Nanjing) with the per-unit costs kept, so
/// runs of 100k buildings and more weigh the same (tests/bench/eta_fixed_terms.py;
/// docs/benchmarks.md "Progress: the street blocks, the siting, the export's end and short
/// runs' time left, round 11"). Round 12: refitted with one machine speed per group of runs made
/// side by side (a directory of logs), so the costs carry the measured ratios between towns, and
/// with symmetric relative errors; no fixed terms but reading's (the groups' short runs set
/// them). The table below is written by `tests/bench/eta_fit.py LOGS --fit --write-cpp
/// planner/pipeline/pipeline.cpp --write-fixture tests/data/eta/fit-runs.tsv` (docs/benchmarks.md
/// "The run's time left: one speed per group, round 12"); test_run_progress checks it against
/// those runs.
struct StageCost {
  const char* prefix;
  double fixed_s;             // a stage's start-up, whatever the input
  double per_building;        // every building
  double per_vertex;          // every footprint vertex
  double per_largest_vertex;  // footprint vertices of the largest community: the built-up area,
                              // the tessellation's and the audit's one-community unions grow
                              // faster than linearly in them
  double per_line_vertex;     // road, river and rail vertices
  double per_home;            // buildings with households
};

// clang-format off
constexpr StageCost kStageCosts[] = {
    // prefix                     fixed     building  vertex    largest v. line v.  home
    {"reading ",                      0.0665,   3.87e-06, 2.35e-08, 0,        0,        0},
    {"projecting",                    0,        0,        0,        0,        4.29e-06, 0},
    {"estimating households",         0,        1.43e-07, 0,        0,        0,        0},
    {"validat",                       0,        5.95e-06, 0,        7.98e-06, 0,        0},
    {"tessellat",                     0,        0,        8.22e-06, 1.12e-05, 0,        0},
    {"planning grids",                0,        1.24e-05, 0,        0,        0,        0},
    {"grid polygons",                 0,        3.97e-06, 0,        3.94e-06, 0,        0},
    {"coverage check",                0,        4.34e-07, 0,        5.95e-07, 0,        0},
    {"plan audit",                    0,        2.62e-05, 0,        7.39e-06, 0,        0},
    {"workload",                      0,        1.78e-06, 0,        0,        0,        0},
    {"coverage",                      0,        5.72e-06, 0,        0,        0,        0},
};
constexpr StageCost kSitingCosts[] = {
    {"siting: coverage of candidates", 0,        0,        0,        0,        0,        4.76e-05},
    {"siting: maximal covering",      0,        0,        0,        0,        0,        1.07e-05},
    {"siting: set covering",          0,        0,        0,        0,        0,        1.86e-05},
};
constexpr StageCost kExportCost =
    {"export",                        0,        0,        8.69e-06, 0,        0,        0};
// Seconds per household and replication-year of the event simulation, and of the sensitivity's
// variants (each simulates the base, two per simulated row and ~10 staffing probes), fitted
// against the speed the same runs showed on their other stages.
constexpr double kSimulationPerHouseholdYear = 8.24e-07;
constexpr double kSensitivityPerHouseholdYear = 5.79e-07;
// clang-format on

double stage_seconds(const StageCost& cost, const RunSize& size) {
  return cost.fixed_s + cost.per_building * size.buildings + cost.per_vertex * size.vertices +
         cost.per_largest_vertex * size.largest_vertices +
         cost.per_line_vertex * size.line_vertices + cost.per_home * size.homes;
}

/// Before loading: a town of 10,000 buildings in one community, with real footprints' ~9
/// vertices each and one road vertex per building.
RunSize assumed_size() {
  RunSize size;
  size.buildings = size.largest_community = size.homes = 10000;
  size.vertices = size.largest_vertices = 90000;
  size.line_vertices = 10000;
  size.communities = 1;
  size.households = 300000;
  return size;
}

}  // namespace

/// Stages without their own weight count as part of the weighted stage before them, so the
/// weights go to the steps that report their own fraction: "simulating", not the evaluation's
/// "event simulation" marker. Stages the scenario skips (simulation, sensitivity, siting) are
/// left out.
std::vector<StageWeight> run_stage_weights(const pipeline::Scenario& s, const RunSize* given) {
  const RunSize size = given ? *given : assumed_size();
  std::vector<StageWeight> weights;
  for (const StageCost& cost : kStageCosts)
    weights.push_back({cost.prefix, stage_seconds(cost, size)});
  if (s.evaluation.simulate) {
    const sim::SimulationParams& sim = s.evaluation.simulation;
    const double years = std::max(sim.horizon_days, 1.0) / 365.0;
    weights.push_back({"simulating", kSimulationPerHouseholdYear * size.households *
                                         std::max(sim.replications, 1) * years});
    if (s.evaluation.sensitivity) {
      // The base, two variants per simulated row and the staffing bisection's ~10 probes
      // (sim/sensitivity.cpp), each with its own replications.
      const sim::SensitivityParams& sp = s.evaluation.sensitivity_params;
      constexpr double kBisectionProbes = 10.0;
      const double runs = 2.0 * std::max(sp.simulated_rows, 0) + 1.0 + kBisectionProbes;
      weights.push_back({"sensitivity", kSensitivityPerHouseholdYear * size.households * runs *
                                            std::max(sp.replications, 2) * years});
    }
  }
  weights.push_back({"station rules", 0.001});
  if (s.evaluation.site_stations)
    for (const StageCost& cost : kSitingCosts)
      weights.push_back({cost.prefix, stage_seconds(cost, size)});
  weights.push_back({kExportCost.prefix, stage_seconds(kExportCost, size)});
  return weights;
}

std::vector<StageWeight> stage_weights_slice(std::vector<StageWeight> all, std::string_view first,
                                             std::string_view end) {
  std::vector<StageWeight> slice;
  bool in = first.empty();
  for (StageWeight& w : all) {
    if (w.prefix == first) in = true;
    if (!end.empty() && w.prefix == end) break;
    if (in) slice.push_back(std::move(w));
  }
  return slice;
}

void weigh_stages(Progress& progress, const pipeline::Scenario& scenario, const Dataset& dataset,
                  std::string_view first, std::string_view end) {
  const RunSize size = run_size(dataset);
  std::vector<StageWeight> weights =
      stage_weights_slice(run_stage_weights(scenario, &size), first, end);
  std::ostringstream text;
  text.precision(4);
  text << "weights";
  for (const StageWeight& w : weights) text << "|" << w.prefix << "=" << w.weight;
  std::ostringstream run;
  const sim::SimulationParams& sim = scenario.evaluation.simulation;
  const sim::SensitivityParams& sp = scenario.evaluation.sensitivity_params;
  run << "run simulate=" << scenario.evaluation.simulate
      << " sensitivity=" << scenario.evaluation.sensitivity
      << " siting=" << scenario.evaluation.site_stations << " replications=" << sim.replications
      << " years=" << std::max(sim.horizon_days, 1.0) / 365.0
      << " sensitivity_rows=" << sp.simulated_rows
      << " sensitivity_replications=" << sp.replications;
  progress.note(describe(size));
  progress.note(run.str());
  progress.note(text.str());
  progress.set_stage_weights(std::move(weights));
}

namespace {

/// Empties `items` one at a time, stepping `ticks` per item, then frees the array.
template <typename T>
void free_each(std::vector<T>& items, LoopTicks& ticks) {
  for (T& item : items) {
    item = T{};
    ticks.step();
  }
  std::vector<T>().swap(items);
}

/// Frees the run's largest data (the layer tables' rows, the cells, the grids, the buildings)
/// item by item with progress, `report(0..1)`: at 1M buildings, gigabytes of small
/// allocations took 1.9 s at the return of run(), after the export's last update.
void release_with_progress(std::vector<report::LayerTable>& tables, Planned& planned,
                           Loaded& loaded, const std::function<void(double)>& report) {
  std::size_t total = 0;
  for (const report::LayerTable& table : tables) total += table.features.size();
  Dataset& dataset = loaded.dataset();
  total += planned.tessellation.cells.size() + planned.plan.large_grids.size() +
           planned.plan.micro_grids.size() + dataset.buildings.size() + dataset.lines.size();
  LoopTicks ticks(report, 0.0, 1.0, total, std::size_t(1) << 14);
  for (report::LayerTable& table : tables) free_each(table.features, ticks);
  tables.clear();
  free_each(planned.tessellation.cells, ticks);
  free_each(planned.plan.large_grids, ticks);
  free_each(planned.plan.micro_grids, ticks);
  free_each(dataset.buildings, ticks);
  free_each(dataset.lines, ticks);
  report(1.0);
}

}  // namespace

RunOutcome run(RunRequest request, Progress& progress) {
  pipeline::Scenario& s = request.scenario;
  resolve(s);
  RunOutcome outcome;
  // Inputs are never written: the output directory may not be or hold any of them.
  std::vector<std::string> protected_paths = s.files;
  for (const io::InputSpec& in : s.load.inputs) protected_paths.push_back(in.path);
  if (!s.existing.path.empty()) protected_paths.push_back(s.existing.path);
  io::OutputDirectory dir(request.out, request.overwrite, protected_paths);
  progress.set_stage_weights(run_stage_weights(s));

  Loaded loaded = load(s, progress);
  const Dataset& dataset = loaded.dataset();
  outcome.load_seconds = loaded.seconds;
  // The run's time left from here follows this input's size, not the assumed town's.
  weigh_stages(progress, s, dataset);
  Planned planned = plan(s, loaded, progress);
  const Plan& plan = planned.plan;
  outcome.plan_seconds = planned.tessellate_seconds + planned.plan_seconds;

  auto t0 = Clock::now();
  const evaluation::Evaluation evaluation = evaluate(s, dataset, plan, progress);
  outcome.evaluate_seconds = seconds_since(t0);

  const ProblemReporter problems = all_problems(dataset, planned);
  const bool replanned = loaded.has_existing && !planned.evaluated_existing;
  const report::PlanKpis kpis =
      report::compute_kpis(s.name, dataset, plan, &evaluation, problems, replanned);

  // Exports: one stage "export" for the layer tables (0–0.15), the GIS files (–0.75), the CSVs
  // (–0.8), metrics.json, report.html (–0.9) and the manifest's checksums (–1): each part
  // reports, as a 100k-building run spends seconds in each.
  t0 = Clock::now();
  progress.update("export", 0.0);
  std::vector<report::LayerTable> tables =
      layers(dataset, plan, &evaluation, problems, planned.own_footprints,
             [&](double done) { progress.update("export", 0.15 * done); });
  progress.update("export", 0.15);
  io::ExportResult exported =
      export_layers(s, dataset, &loaded.result, tables, dir.path(), &progress, 0.15, 0.75);
  const fs::path root(dir.path());
  for (std::size_t k = 0; k < tables.size(); ++k) {
    const report::LayerTable& layer = tables[k];
    if (layer.name != "buildings" && layer.name != "diagnostics") {
      io::write_text((root / (layer.name + ".csv")).string(), report::to_csv(layer));
      exported.files.push_back(layer.name + ".csv");
    }
    progress.update("export",
                    0.75 + 0.05 * static_cast<double>(k + 1) / static_cast<double>(tables.size()));
  }

  // metrics.json: key figures plus what a spreadsheet or a later comparison needs.
  nlohmann::json metrics = metrics_json(plan, evaluation, kpis);
  // The plan's own audit, as `gridplan check --json` gives it: the run exits 7 when a plan of
  // ours breaks a rule (docs/cli/README.md "Exit codes").
  AuditVerdict verdict = audit_verdict(planned);
  metrics["audit"] = verdict;
  if (replanned) {
    // The existing plan's key figures without the event simulation (which would double the run).
    pipeline::Scenario quick = s;
    quick.evaluation.simulate = false;
    quick.evaluation.site_stations = false;
    const evaluation::Evaluation existing_evaluation =
        evaluate(quick, dataset, *planned.existing, progress);
    metrics["existing_kpis"] =
        report::to_json(report::compute_kpis(s.name + " (existing)", dataset, *planned.existing,
                                             &existing_evaluation, planned.import_problems, false));
  }
  io::write_text((root / "metrics.json").string(), metrics.dump(1) + "\n");
  exported.files.push_back("metrics.json");

  // report.html
  progress.update("export", 0.8);
  const std::vector<std::pair<std::string, std::string>> parameters = pipeline::describe(s);
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
  info.parameters = parameters;
  info.sources = {s.sources.begin(), s.sources.end()};
  info.large = s.partition.large;
  info.micro = s.partition.micro;
  info.max_utilisation = s.staffing.max_utilisation;
  info.p90_response_hours = s.staffing.p90_response_hours;
  io::write_text(
      (root / "report.html").string(),
      report::render_report_html(info, dataset, plan, evaluation, kpis, problems, [&](double done) {
        progress.update("export", 0.8 + 0.09 * done);
      }));
  exported.files.push_back("report.html");

  // scenario.toml: the resolved scenario, read back by the studio (and `gridplan run`).
  io::write_text((root / "scenario.toml").string(), pipeline::to_toml(s));
  exported.files.push_back("scenario.toml");
  progress.update("export", 0.9);
  outcome.export_seconds = seconds_since(t0);

  // manifest.json, last: its presence marks a complete run.
  nlohmann::json manifest = {
      {"gridplan_version", GRIDPLAN_VERSION},
      {"created", info.generated},
      {"scenario",
       {{"name", s.name}, {"files", nlohmann::json::array()}, {"resolved", "scenario.toml"}}},
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
       {{"load", outcome.load_seconds},
        {"plan", outcome.plan_seconds},
        {"evaluate", outcome.evaluate_seconds},
        {"export", outcome.export_seconds}}}};
  for (const std::string& file : s.files)
    manifest["scenario"]["files"].push_back({{"path", file}, {"sha256", io::sha256_file(file)}});
  for (const auto& [key, value] : parameters) manifest["parameters"][key] = value;
  std::vector<std::string> inputs;
  std::vector<io::InputSpec> all_inputs = s.load.inputs;
  for (const io::InputSpec& in : loaded.existing_source.grid_inputs) all_inputs.push_back(in);
  for (const io::InputSpec& in : all_inputs)
    for (const std::string& f : input_files(in.path))
      if (std::find(inputs.begin(), inputs.end(), f) == inputs.end()) inputs.push_back(f);
  if (loaded.has_existing &&
      std::find(inputs.begin(), inputs.end(), s.existing.path) == inputs.end())
    inputs.push_back(s.existing.path);
  // The checksums read every input and output again (a 100k town: ~100 MB, a second or two):
  // 0.9–0.98 of the export, by bytes read.
  double bytes_total = 0, bytes_done = 0;
  auto file_bytes = [](const fs::path& f) {
    std::error_code ec;
    const auto n = fs::is_regular_file(f, ec) ? fs::file_size(f, ec) : 0;
    return ec ? 0.0 : static_cast<double>(n);
  };
  for (const std::string& f : inputs) bytes_total += file_bytes(f);
  for (const std::string& f : exported.files) bytes_total += file_bytes(root / f);
  // Reported as the bytes are read (every few MiB: one input or plan.gpkg of ~100 MB is over a
  // second alone).
  auto read = [&](double bytes) {
    bytes_done += bytes;
    progress.update("export", 0.9 + 0.08 * std::min(1.0, bytes_done / std::max(bytes_total, 1.0)));
  };
  for (const std::string& f : inputs) {
    manifest["inputs"].push_back({{"path", f},
                                  {"bytes", fs::is_regular_file(f) ? fs::file_size(f) : 0},
                                  {"sha256", io::sha256_file(f, read)}});
  }
  for (const std::string& f : exported.files)
    manifest["outputs"].push_back(
        {{"file", f}, {"sha256", io::sha256_file((root / f).string(), read)}});
  io::write_text((root / "manifest.json").string(), manifest.dump(1) + "\n");
  dir.commit();
  progress.update("export", 0.98);

  outcome.dir = dir.final_path();
  outcome.kpis = kpis;
  outcome.staffing_verdict = evaluation.verdict.english;
  outcome.has_existing = loaded.has_existing;
  outcome.evaluated_existing = planned.evaluated_existing;
  outcome.verdict = std::move(verdict);
  release_with_progress(tables, planned, loaded,
                        [&](double f) { progress.update("export", 0.98 + 0.02 * f); });
  progress.update("export", 1.0);
  outcome.files = std::move(exported.files);
  outcome.scenario = std::move(s);
  return outcome;
}

pipeline::Scenario scenario_of_run(const std::string& dir) {
  const fs::path run(dir);
  const fs::path plan_path = run / "plan.gpkg";
  const fs::path manifest_path = run / "manifest.json";
  if (!fs::exists(plan_path) || !fs::exists(manifest_path))
    throw InputError("'" + dir +
                     "' is not a run directory of gridplan run (it needs manifest.json and "
                     "plan.gpkg)");
  nlohmann::json manifest;
  try {
    std::ifstream in(manifest_path);
    manifest = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw InputError("'" + manifest_path.string() + "' does not read as JSON: " + e.what());
  }
  // The run's inputs, if they are still there unchanged in size; else the run's own layers.
  bool inputs_here = manifest.contains("inputs") && !manifest["inputs"].empty();
  if (inputs_here)
    for (const auto& input : manifest["inputs"]) {
      const std::string path = input.value("path", "");
      std::error_code ec;
      inputs_here = inputs_here && fs::is_regular_file(path, ec) &&
                    fs::file_size(path, ec) == input.value("bytes", std::uintmax_t{0});
    }
  pipeline::Scenario scenario;
  const fs::path toml_path = run / "scenario.toml";
  if (fs::exists(toml_path)) {
    toml::table root;
    try {
      root = toml::parse_file(toml_path.string());
    } catch (const toml::parse_error& e) {
      throw ConfigError(toml_path.string() + ":" + std::to_string(e.source().begin.line) +
                        ": (syntax): " + std::string(e.description()));
    }
    if (!inputs_here) {
      // Parsed without the inputs (they moved): the run's own layers replace them below.
      if (toml::table* input = root["input"].as_table()) input->erase("files");
      root.erase("existing");
    }
    std::ostringstream text;
    text << root;
    scenario = pipeline::parse_scenario(text.str(), toml_path.string());
    scenario.files.clear();  // the run's copy, not the user's scenario file
  } else {
    // A run directory from before scenario.toml: the defaults, named after the run.
    scenario = pipeline::default_scenario();
    scenario.name = manifest.value("scenario", nlohmann::json::object()).value("name", "");
    inputs_here = false;
  }
  if (!inputs_here) {
    scenario.load.inputs.clear();
    for (const char* layer : {"communities", "buildings", "stations"})
      scenario.load.inputs.push_back(io::InputSpec{plan_path.string(), layer, {}});
  }
  scenario.existing = io::ExistingPlanSettings{};
  scenario.existing.path = plan_path.string();
  scenario.existing.mode = "evaluate";
  resolve(scenario);
  return scenario;
}

}  // namespace gp::pipeline
