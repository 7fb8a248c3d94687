// gridplan plan INPUT... --out DIR: load, validate, tessellate, draw large and micro grids, print
// a summary per community and write the grids (GeoJSON per level, in the dataset's projected CRS)
// and a JSON summary. See docs/cli/plan.md.

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
#include "planner/cli/progress_printer.hpp"
#include "planner/core/errors.hpp"
#include "planner/io/export.hpp"
#include "planner/io/load.hpp"
#include "planner/partition/partitioner.hpp"
#include "planner/report/layers.hpp"

namespace gp::cli {
namespace {

struct PlanOptions {
  std::vector<std::string> inputs;
  std::string out;
  PartitionParams params;
  std::string hard_roads;  // comma-separated OSM highway classes; empty = defaults
  std::string existing;
  std::string policy = "allow-undersized";
  bool ignore_existing = false;  // plan afresh even when an input holds a grids layer
  bool quiet = false;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

nlohmann::json ring_json(const Ring& ring) {
  auto coordinates = nlohmann::json::array();
  for (const Point& p : ring) coordinates.push_back({p.x, p.y});
  return coordinates;
}

nlohmann::json polygon_json(const MultiPolygon& shape) {
  auto polygons = nlohmann::json::array();
  for (const Polygon& polygon : shape) {
    auto rings = nlohmann::json::array();
    rings.push_back(ring_json(polygon.outer));
    for (const Ring& hole : polygon.holes) rings.push_back(ring_json(hole));
    polygons.push_back(std::move(rings));
  }
  return {{"type", "MultiPolygon"}, {"coordinates", std::move(polygons)}};
}

nlohmann::json metrics_json(const Grid& grid, const Plan& plan, const Dataset& dataset) {
  const GridMetrics& m = grid.metrics;
  nlohmann::json properties = {
      {"code", grid.code},
      {"name", grid.name},
      {"level", grid.level == GridLevel::large ? "large" : "micro"},
      {"community", grid.community == kNone
                        ? ""
                        : dataset.communities[static_cast<std::size_t>(grid.community)].name},
      {"parent",
       grid.parent == kNone ? "" : plan.large_grids[static_cast<std::size_t>(grid.parent)].code},
      {"locked", grid.locked},
      {"households", m.households},
      {"buildings", m.buildings},
      {"workload", m.workload},
      {"area_m2", m.area_m2},
      {"perimeter_m", m.perimeter_m},
      {"compactness", m.compactness},
      {"contiguous", m.contiguous},
      {"below_min", m.below_min},
      {"above_max", m.above_max},
      {"barrier_crossings", m.barrier_crossings},
      {"compound_splits", m.compound_splits}};
  return properties;
}

void write_json(const std::filesystem::path& path, const nlohmann::json& json) {
  std::ofstream out(path);
  if (!out) throw OutputError("plan: cannot write '" + path.string() + "'");
  out << json.dump(1) << '\n';
  if (!out) throw OutputError("plan: writing '" + path.string() + "' failed (disk full?)");
}

nlohmann::json grids_geojson(const std::vector<Grid>& grids, const Plan& plan,
                             const Dataset& dataset) {
  nlohmann::json collection = {{"type", "FeatureCollection"},
                               {"features", nlohmann::json::array()}};
  // GeoJSON (RFC 7946) wants WGS84; these coordinates are the dataset's projected metres, so the
  // legacy "crs" member names it. GIS software (QGIS, GDAL) honours it.
  if (dataset.crs_epsg != 0)
    collection["crs"] = {
        {"type", "name"},
        {"properties", {{"name", "urn:ogc:def:crs:EPSG::" + std::to_string(dataset.crs_epsg)}}}};
  for (const Grid& grid : grids)
    collection["features"].push_back({{"type", "Feature"},
                                      {"properties", metrics_json(grid, plan, dataset)},
                                      {"geometry", polygon_json(grid.polygon)}});
  return collection;
}

int run_plan(const PlanOptions& options) {
  ProgressPrinter printer(!options.quiet);
  const auto start = std::chrono::steady_clock::now();

  PartitionParams params = options.params;
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
  if (params.large.min > params.large.max)
    throw ConfigError("plan: --large-min " + std::to_string(params.large.min) +
                      " exceeds --large-max " + std::to_string(params.large.max));
  if (params.micro.min > params.micro.max)
    throw ConfigError("plan: --micro-min " + std::to_string(params.micro.min) +
                      " exceeds --micro-max " + std::to_string(params.micro.max));
  // A target outside the bounds (e.g. only --large-max given) moves to the middle of them.
  for (HouseholdBounds* b : {&params.large, &params.micro})
    if (b->target < b->min || b->target > b->max) b->target = (b->min + b->max) / 2;

  io::LoadOptions load;
  for (const std::string& path : options.inputs) load.inputs.push_back({path, "", std::nullopt});
  if (!options.existing.empty())
    load.inputs.push_back({options.existing, "", io::LayerRole::grids});
  Dataset dataset = io::load_dataset(load, printer.progress());
  const double load_s = seconds_since(start);

  Plan existing;
  if (options.ignore_existing) dataset.existing_grids.clear();
  const bool has_existing = !dataset.existing_grids.empty();
  if (has_existing) existing = existing_plan_from_grids(dataset);

  const auto plan_start = std::chrono::steady_clock::now();
  geo::Tessellation tessellation =
      geo::tessellate(dataset, tessellation_params(params), printer.progress());
  const double tessellate_s = seconds_since(plan_start);
  const auto partition_start = std::chrono::steady_clock::now();
  Plan plan = make_plan(dataset, tessellation, params, printer.progress(),
                        has_existing ? &existing : nullptr);
  const double partition_s = seconds_since(partition_start);

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
  ProblemReporter all = dataset.problems;
  all.merge(tessellation.problems);
  all.merge(plan.problems);
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

  // Outputs.
  const std::filesystem::path dir(options.out);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw OutputError("plan: cannot create '" + dir.string() + "': " + ec.message());
  write_json(dir / "large-grids.geojson", grids_geojson(plan.large_grids, plan, dataset));
  write_json(dir / "micro-grids.geojson", grids_geojson(plan.micro_grids, plan, dataset));
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
  auto& buildings = summary["buildings"] = nlohmann::json::array();
  for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
    const auto large = plan.building_large[b], micro = plan.building_micro[b];
    buildings.push_back(
        {{"id", dataset.buildings[b].id},
         {"large", large == kNone ? "" : plan.large_grids[static_cast<std::size_t>(large)].code},
         {"micro", micro == kNone ? "" : plan.micro_grids[static_cast<std::size_t>(micro)].code}});
  }
  write_json(dir / "plan.json", summary);
  // The plan as a GeoPackage with every layer (planner/io/export.hpp), in the dataset's CRS:
  // written in a staging directory next to it and moved into place complete.
  {
    io::OutputDirectory staging((dir / "plan.gpkg.staging").string(), true, options.inputs);
    io::ExportOptions export_options;
    export_options.style.large = params.large;  // the QGIS styles' household classes
    export_options.style.micro = params.micro;
    io::export_layers(report::build_layers(dataset, plan, nullptr, all), dataset.crs_wkt,
                      staging.path(), export_options);
    std::filesystem::rename(std::filesystem::path(staging.path()) / "plan.gpkg", dir / "plan.gpkg");
  }
  out << "wrote " << (dir / "large-grids.geojson").string() << ", "
      << (dir / "micro-grids.geojson").string() << ", " << (dir / "plan.json").string() << ", "
      << (dir / "plan.gpkg").string() << '\n';
  return kExitOk;
}

}  // namespace

void add_plan_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<PlanOptions>();
  auto* cmd = app.add_subcommand("plan", "Draw large and micro grids from loaded data");
  cmd->add_option("inputs", options->inputs, "Input files (GeoPackage, Shapefile, GeoJSON, OSM)")
      ->required();
  cmd->add_option("--out,-o", options->out, "Output directory")->required();
  auto& p = options->params;
  cmd->add_option("--large-min", p.large.min, "Minimum households per large grid")
      ->capture_default_str();
  cmd->add_option("--large-max", p.large.max, "Maximum households per large grid")
      ->capture_default_str();
  cmd->add_option("--large-target", p.large.target, "Target households per large grid")
      ->capture_default_str();
  cmd->add_option("--micro-min", p.micro.min, "Minimum households per micro grid")
      ->capture_default_str();
  cmd->add_option("--micro-max", p.micro.max, "Maximum households per micro grid")
      ->capture_default_str();
  cmd->add_option("--micro-target", p.micro.target, "Target households per micro grid")
      ->capture_default_str();
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
                  "Existing grids (a layer of large/micro grid polygons); locked grids stay, moves "
                  "are penalised");
  cmd->add_flag("--ignore-existing", options->ignore_existing,
                "Plan afresh: do not start from a grids layer found in the inputs");
  cmd->add_flag("--quiet,-q", options->quiet, "No progress output");
  cmd->callback([&action, options] { action = [options] { return run_plan(*options); }; });
}

}  // namespace gp::cli
