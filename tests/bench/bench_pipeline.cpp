// Load to polygons (issue 4, docs/benchmarks.md "Partition: load to polygons"): times each stage
// of planning a GeoPackage town — load (GDAL read, projection, validation and spatial join),
// tessellation, partition (make_plan on that tessellation, polygons included) — printing wall and
// CPU time per stage and the peak resident set size after it.
//
// Usage: bench_pipeline <town.gpkg>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

#include "planner/geo/tessellation.hpp"
#include "planner/io/load.hpp"
#include "planner/partition/partitioner.hpp"

namespace {

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

/// Wall and CPU time of one stage, printed when it ends.
class StageTimer {
 public:
  explicit StageTimer(std::string name)
      : name_(std::move(name)),
        wall_start_(std::chrono::steady_clock::now()),
        cpu_start_(cpu_seconds()) {}
  void stop() {
    wall_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start_).count();
    cpu_s_ = cpu_seconds() - cpu_start_;
    std::printf("%-14s wall %8.2f s  cpu %8.2f s  peak RSS %8.0f MiB\n", name_.c_str(), wall_s_,
                cpu_s_, peak_rss_mib());
    std::fflush(stdout);
  }
  [[nodiscard]] double wall_s() const { return wall_s_; }
  [[nodiscard]] double cpu_s() const { return cpu_s_; }

 private:
  std::string name_;
  std::chrono::steady_clock::time_point wall_start_;
  double cpu_start_;
  double wall_s_ = 0.0;
  double cpu_s_ = 0.0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <town.gpkg>\n", argv[0]);
    return 2;
  }
  try {
    gp::Progress progress;
    StageTimer load("load");
    gp::io::LoadOptions options;
    options.inputs.push_back({argv[1], {}, {}});
    const gp::Dataset dataset = gp::io::load_dataset(options, progress);
    load.stop();

    const gp::PartitionParams params;
    StageTimer tessellate("tessellate");
    const gp::geo::Tessellation tessellation =
        gp::geo::tessellate(dataset, gp::tessellation_params(params), progress);
    tessellate.stop();

    StageTimer partition("plan+polygons");
    const gp::Plan plan = gp::make_plan(dataset, tessellation, params, progress);
    partition.stop();

    std::printf("%zu buildings, %zu communities: %d large and %d micro grids, %zu problems\n",
                dataset.buildings.size(), dataset.communities.size(), plan.metrics.large_grids,
                plan.metrics.micro_grids, plan.problems.problems().size());
    std::printf("total          wall %8.2f s  cpu %8.2f s  peak RSS %8.0f MiB\n",
                load.wall_s() + tessellate.wall_s() + partition.wall_s(),
                load.cpu_s() + tessellate.cpu_s() + partition.cpu_s(), peak_rss_mib());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_pipeline: %s\n", error.what());
    return 1;
  }
  return 0;
}
