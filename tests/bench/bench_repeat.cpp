// Repeated-run memory check: load (or generate) the same synthetic town and plan it three times
// in one process, printing the resident set after each run. A leak or a cache that grows per run
// shows as RSS climbing run after run; a stable plateau is what the studio, which plans again and
// again in one process, needs.
//
//   bench_repeat --buildings 100000 [--runs 3] [--gpkg town.gpkg] [--pipeline]
//
// With --gpkg the town is read through io::load (the CLI's path: GDAL, projection, validation);
// without it the town is generated in memory and validated. With --pipeline each run continues
// like `gridplan run --no-simulation`: evaluation (workload, coverage, rules, station siting), key
// figures, the output layers and their GeoPackage export into a scratch directory (removed after
// the run). Figures in docs/benchmarks.md ("Repeated runs").

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "planner/core/memory.hpp"
#include "planner/evaluation/evaluation.hpp"
#include "planner/geo/tessellation.hpp"
#include "planner/geo/validate.hpp"
#include "planner/io/export.hpp"
#include "planner/io/load.hpp"
#include "planner/partition/partitioner.hpp"
#include "planner/report/kpi.hpp"
#include "planner/report/layers.hpp"
#include "planner/synth/town.hpp"

using namespace gp;

namespace {

/// VmRSS and VmHWM (peak) of this process, MiB, from /proc/self/status.
std::pair<double, double> rss_mib() {
  std::ifstream status("/proc/self/status");
  double rss = 0.0, peak = 0.0;
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) rss = std::stod(line.substr(6)) / 1024.0;
    if (line.rfind("VmHWM:", 0) == 0) peak = std::stod(line.substr(6)) / 1024.0;
  }
  return {rss, peak};
}

Dataset make_town(long long buildings, const std::string& gpkg) {
  Progress progress;
  if (!gpkg.empty()) {
    io::LoadOptions options;
    options.inputs.push_back({gpkg, "", {}});
    return io::load(options, progress).dataset;
  }
  synth::SynthParams params;
  params.target_buildings = buildings;
  Dataset town = synth::generate_town(params).dataset;
  (void)geo::validate_and_join(town, HouseholdParams{}, progress);
  return town;
}

/// The rest of `gridplan run --no-simulation` after the plan: evaluate, key figures, layers,
/// GeoPackage export (into a scratch directory, removed afterwards). Returns the exported files.
std::size_t run_pipeline_tail(const Dataset& town, const geo::Tessellation& tessellation,
                              const Plan& plan, int run) {
  Progress progress;
  evaluation::EvaluationParams params;
  params.simulate = false;
  const evaluation::Evaluation evaluation = evaluation::evaluate(town, plan, params, progress);
  ProblemReporter problems = town.problems;
  problems.merge(tessellation.problems);
  problems.merge(plan.problems);
  const report::PlanKpis kpis =
      report::compute_kpis("bench_repeat", town, plan, &evaluation, problems, false);
  (void)kpis;
  const std::vector<report::LayerTable> layers =
      report::build_layers(town, plan, &evaluation, problems);
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("bench-repeat-" + std::to_string(::getpid()) + "-" + std::to_string(run));
  std::filesystem::create_directories(dir);
  struct Remove {
    std::filesystem::path dir;
    ~Remove() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } remove{dir};
  return io::export_layers(layers, town.crs_wkt, dir.string(), {}).files.size();
}

}  // namespace

int main(int argc, char** argv) {
  long long buildings = 100000;
  int runs = 3;
  std::string gpkg;
  bool pipeline = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--pipeline") {
      pipeline = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::cerr << "bench_repeat: " << arg << " needs a value\n";
      return 2;
    }
    if (arg == "--buildings")
      buildings = std::stoll(argv[++i]);
    else if (arg == "--runs")
      runs = std::stoi(argv[++i]);
    else if (arg == "--gpkg")
      gpkg = argv[++i];
    else {
      std::cerr << "bench_repeat: unknown option " << arg << '\n';
      return 2;
    }
  }
  if (pipeline && gpkg.empty()) {
    std::cerr << "bench_repeat: --pipeline needs --gpkg (the CLI's path, with the input's CRS)\n";
    return 2;
  }
  const auto [rss0, peak0] = rss_mib();
  std::printf("start          rss %8.1f MiB  peak %8.1f MiB\n", rss0, peak0);
  for (int run = 1; run <= runs; ++run) {
    const auto start = std::chrono::steady_clock::now();
    std::size_t grids = 0, count = 0, files = 0;
    {
      const Dataset town = make_town(buildings, gpkg);
      Progress progress;
      const PartitionParams params;
      const geo::Tessellation tessellation =
          geo::tessellate(town, tessellation_params(params), progress);
      const Plan plan = make_plan(town, tessellation, params, progress);
      if (pipeline) files = run_pipeline_tail(town, tessellation, plan, run);
      grids = plan.large_grids.size() + plan.micro_grids.size();
      count = town.buildings.size();
    }
    // Give freed pages back to the system so RSS shows what is still held, not the heap's caches.
    release_free_memory();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto [rss, peak] = rss_mib();
    std::printf(
        "run %d: %zu buildings, %zu grids, %zu files, %6.1f s  rss %8.1f MiB  peak %8.1f MiB\n",
        run, count, grids, files, seconds, rss, peak);
    std::fflush(stdout);
  }
  return 0;
}
