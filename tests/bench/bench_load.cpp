// Benchmark: load + validate + project building footprints from a GeoPackage, the way every
// gridplan command does (io::load). Prints wall and CPU seconds and peak RSS; the script
// tests/bench/load_vs_ogr2ogr.sh runs it side by side with `ogr2ogr -t_srs` on the same file.
//
// Usage: bench_load FILE.gpkg [LAYER]

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <string>

#include "planner/io/load.hpp"

namespace {
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}
double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_load FILE.gpkg [LAYER]\n");
    return 2;
  }
  try {
    gp::io::LoadOptions options;
    gp::io::InputSpec input;
    input.path = argv[1];
    if (argc > 2) {
      input.layer = argv[2];
      input.role = gp::io::LayerRole::buildings;
    }
    options.inputs.push_back(input);
    gp::Progress progress;
    const double cpu_start = cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    const gp::io::LoadResult result = gp::io::load(options, progress);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = cpu_seconds() - cpu_start;
    std::printf("buildings %zu  households %lld  problems %zu  crs %s (EPSG:%d)\n",
                result.dataset.buildings.size(), result.dataset.total_households(),
                result.dataset.problems.problems().size(), result.dataset.crs_name.c_str(),
                result.dataset.crs_epsg);
    std::printf("gridplan load+validate+project: wall %.2f s  cpu %.2f s  peak RSS %.0f MiB\n",
                wall, cpu, peak_rss_mib());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_load: %s\n", e.what());
    return 1;
  }
}
