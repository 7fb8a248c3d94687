// Repeated-run memory check: load (or generate) the same synthetic town and plan it three times
// in one process, printing the resident set after each run. A leak or a cache that grows per run
// shows as RSS climbing run after run; a stable plateau is what the studio, which plans again and
// again in one process, needs.
//
//   bench_repeat --buildings 100000 [--runs 3] [--gpkg town.gpkg]
//
// With --gpkg the town is read through io::load (the CLI's path: GDAL, projection, validation);
// without it the town is generated in memory and validated. Figures in docs/benchmarks.md
// ("Repeated runs").

#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "planner/geo/tessellation.hpp"
#include "planner/geo/validate.hpp"
#include "planner/io/load.hpp"
#include "planner/partition/partitioner.hpp"
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

}  // namespace

int main(int argc, char** argv) {
  long long buildings = 100000;
  int runs = 3;
  std::string gpkg;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
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
  const auto [rss0, peak0] = rss_mib();
  std::printf("start          rss %8.1f MiB  peak %8.1f MiB\n", rss0, peak0);
  for (int run = 1; run <= runs; ++run) {
    const auto start = std::chrono::steady_clock::now();
    std::size_t grids = 0, count = 0;
    {
      const Dataset town = make_town(buildings, gpkg);
      Progress progress;
      const PartitionParams params;
      const geo::Tessellation tessellation =
          geo::tessellate(town, tessellation_params(params), progress);
      const Plan plan = make_plan(town, tessellation, params, progress);
      grids = plan.large_grids.size() + plan.micro_grids.size();
      count = town.buildings.size();
    }
    // Give freed arenas back to the system so RSS shows what is still held, not glibc's caches.
    malloc_trim(0);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto [rss, peak] = rss_mib();
    std::printf("run %d: %zu buildings, %zu grids, %6.1f s  rss %8.1f MiB  peak %8.1f MiB\n", run,
                count, grids, seconds, rss, peak);
    std::fflush(stdout);
  }
  return 0;
}
