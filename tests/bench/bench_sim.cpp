// Benchmarks of the simulator module on synthetic inputs generated here (docs/benchmarks.md,
// "Simulation"). Usage: bench_sim [des|district|coverage|siting|all] [--quick]
//   des       a simulated year of the demo town (53 large grids, 20,000 households, 282 workers),
//             30 replications
//   district  a simulated year of a large district: 1,075 large grids, 430,000 households,
//             5,780 workers (Yanggao's ratio), 10 replications; prints scheduler actions per
//             second per core and checks that the same seed gives the same numbers
//   coverage  1,000,000 buildings and 1,000 stations on a 20 km × 20 km street lattice with a river
//             and bridges
//   siting    50 new stations among 10,000 candidates for 100,000 buildings
// --quick divides the sizes by 10 (a smoke run for CI).

#include <time.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <string>
#include <thread>

#include "planner/core/dataset.hpp"
#include "planner/core/random.hpp"
#include "planner/sim/coverage.hpp"
#include "planner/sim/des.hpp"
#include "planner/sim/siting.hpp"
#include "planner/sim/workload.hpp"

using namespace gp;
using namespace gp::sim;

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// CPU time of the whole process (every thread), seconds. With other processes sharing the
/// cores, wall time says how busy the machine was; CPU time per core says how fast the code is.
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

/// The 1-minute load average ("?" where /proc is absent).
std::string load_average() {
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  if (!f) return "?";
  char text[64] = {};
  const bool ok = std::fscanf(f, "%63s", text) == 1;
  std::fclose(f);
  return ok ? text : "?";
}

Line street(Point a, Point b, bool bridge = false, const char* cls = "residential") {
  Line line;
  line.kind = LineKind::road;
  line.cls = cls;
  line.geometry = {a, b};
  line.bridge = bridge;
  line.walkable = std::strcmp(cls, "motorway") != 0;
  return line;
}

/// A square street lattice of `size_m` with streets every `spacing_m`, a river down the middle
/// (x = size/2) crossed only by bridges every `bridge_every_m`, and a motorway along the
/// diagonal (not walkable, no junctions made with it).
void add_lattice(Dataset& dataset, double size_m, double spacing_m, double bridge_every_m) {
  const double river_x = size_m / 2.0, bank = 10.0;
  Line river;
  river.kind = LineKind::river;
  river.cls = "river";
  river.walkable = false;
  river.geometry = {{river_x, -50.0}, {river_x, size_m + 50.0}};
  dataset.lines.push_back(river);
  const int lines = static_cast<int>(size_m / spacing_m);
  for (int k = 0; k <= lines; ++k) {
    const double v = k * spacing_m;
    // Vertical streets (none on the river itself).
    if (std::abs(v - river_x) > 1.0) dataset.lines.push_back(street({v, 0.0}, {v, size_m}));
    // Horizontal streets end at the banks; some continue over a bridge.
    dataset.lines.push_back(street({0.0, v}, {river_x - bank, v}));
    dataset.lines.push_back(street({river_x + bank, v}, {size_m, v}));
    if (std::fmod(v, bridge_every_m) < 1e-9) {
      dataset.lines.push_back(street({river_x - bank, v}, {river_x + bank, v}, true));
    }
  }
  dataset.lines.push_back(street({0.0, 0.0}, {size_m, size_m}, false, "motorway"));
}

void add_buildings(Dataset& dataset, Rng& rng, std::size_t count, double size_m) {
  dataset.buildings.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    Building building;
    building.id = static_cast<std::int64_t>(i);
    const double x = rng.uniform() * size_m, y = rng.uniform() * size_m;
    building.footprint = {
        {{{x - 5, y - 5}, {x + 5, y - 5}, {x + 5, y + 5}, {x - 5, y + 5}, {x - 5, y - 5}}, {}}};
    building.households = 1 + static_cast<int>(rng.below(40));
    dataset.buildings.push_back(std::move(building));
  }
}

void add_stations(Dataset& dataset, Rng& rng, std::size_t count, double size_m) {
  for (std::size_t i = 0; i < count; ++i) {
    Station station;
    station.id = static_cast<std::int64_t>(i);
    station.tier = i == 0        ? StationTier::county_centre
                   : i % 20 == 1 ? StationTier::community_centre
                                 : StationTier::compound_station;
    station.floor_m2 = station.tier == StationTier::compound_station ? 150.0 : 600.0;
    station.location = {rng.uniform() * size_m, rng.uniform() * size_m};
    dataset.stations.push_back(station);
  }
}

/// A town of `grids` large grids of 250 m × 250 m, `households` households in buildings of 20–60
/// households (4–18 floors), workers allocated by workload with at least one full-time worker
/// per grid (half the workers full-time).
SimModel make_town(int grids, int households_target, int workers, const WorkloadParams& params,
                   double* fte) {
  Rng rng(20240601);
  SimModel model;
  std::vector<WorkloadEstimate> workload;
  const int columns = static_cast<int>(std::ceil(std::sqrt(grids)));
  for (int g = 0; g < grids; ++g) {
    SimGrid grid;
    grid.code = std::to_string(g + 1);
    grid.community = g / 4;
    const double x0 = (g % columns) * 250.0, y0 = (g / columns) * 250.0;
    grid.base = {x0 + 125.0, y0 + 125.0};
    GridWorkloadInput input;
    const int grid_households = households_target / grids + (g < households_target % grids ? 1 : 0);
    int left = grid_households;
    while (left > 0) {
      const int n = std::min(left, 20 + static_cast<int>(rng.below(41)));
      grid.buildings.push_back(
          {{x0 + rng.uniform() * 250.0, y0 + rng.uniform() * 250.0}, double(n)});
      left -= n;
      ++input.buildings;
      input.floors += 4 + static_cast<double>(rng.below(15));
    }
    input.households = grid_households;
    input.weighted_households = grid_households;
    input.area_m2 = 250.0 * 250.0;
    input.perimeter_m = 1000.0;
    grid.patrol_route_m = patrol_route_m(input, params);
    grid.patrol_stop_minutes = patrol_stop_minutes(input, params);
    grid.floors = input.floors;
    workload.push_back(estimate_workload(input, params));
    model.grids.push_back(grid);
  }
  model.communities = (grids + 3) / 4;
  const WorkerAllocation allocation =
      allocate_workers(workload, workers / 2, workers - workers / 2);
  for (std::size_t g = 0; g < model.grids.size(); ++g) {
    model.grids[g].full_time = allocation.full_time[g];
    model.grids[g].part_time = allocation.part_time[g];
  }
  *fte = 0.0;
  for (const WorkloadEstimate& w : workload) *fte += w.full_time_equivalents;
  return model;
}

int run_town(const char* name, int grids, int households, int workers, int replications,
             double limit_s) {
  const WorkloadParams params;
  double fte = 0.0;
  const SimModel model = make_town(grids, households, workers, params, &fte);
  SimulationParams sim;
  sim.replications = replications;
  const std::string load_before = load_average();
  const auto start = Clock::now();
  const double cpu_start = process_cpu_seconds();
  const SimResult result = simulate(model, params, sim);
  const double elapsed = seconds_since(start);
  const double cpu = process_cpu_seconds() - cpu_start;
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  std::printf(
      "%s: %d grids, %d households, %d workers, %d replications of 365 days: %.2f s wall, "
      "%.2f s CPU (all threads); load average %s before, %s after\n",
      name, grids, households, workers, sim.replications, elapsed, cpu, load_before.c_str(),
      load_average().c_str());
  // Per core from CPU time: the honest figure when other processes share the cores (wall time
  // then includes their share). CPU ÷ cores is the wall time on an idle machine, provided the
  // replications keep every core busy.
  std::printf(
      "  %.2f M scheduler actions; %.2f M actions per CPU second per core; %.2f M/s per core "
      "from wall time (%u cores); idle-machine estimate CPU/cores = %.2f s (limit %.1f s)\n",
      static_cast<double>(result.actions) / 1e6, static_cast<double>(result.actions) / cpu / 1e6,
      static_cast<double>(result.actions) / elapsed / cores / 1e6, cores, cpu / cores, limit_s);
  std::printf("  analytic need %.1f FTE; events/year %.0f ± %.0f; utilisation %.3f ± %.3f\n", fte,
              result.total.events.mean, result.total.events.half_width,
              result.total.utilisation.mean, result.total.utilisation.half_width);
  std::printf("  response median %.2f h, p90 %.2f ± %.2f h; resolution p90 %.1f h; in grid %.3f\n",
              result.total.response_median_h.mean, result.total.response_p90_h.mean,
              result.total.response_p90_h.half_width, result.total.resolution_p90_h.mean,
              result.total.share_in_grid.mean);
  // Same seed, same numbers (whatever the threads did).
  const SimResult again = simulate(model, params, sim);
  const bool same = again.total.response_p90_h.mean == result.total.response_p90_h.mean &&
                    again.total.utilisation.mean == result.total.utilisation.mean &&
                    again.actions == result.actions;
  std::printf("  rerun with the same seed: %s\n", same ? "identical" : "DIFFERENT");
  return elapsed <= limit_s && same ? 0 : 1;
}

int bench_des(bool quick) {
  // The demo town: 53 large grids, 20,000 households, 282 workers.
  return run_town("des", 53, 20000, 282, quick ? 3 : 30, quick ? 1e9 : 2.0);
}

int bench_district(bool quick) {
  // A large district: 430,000 households, Yanggao's worker ratio (282 per 21,000 households).
  return quick ? run_town("district", 108, 43000, 578, 2, 1e9)
               : run_town("district", 1075, 430000, 5780, 10, 5.0);
}

int bench_coverage(bool quick) {
  Rng rng(7);
  Dataset dataset;
  const double size = quick ? 6000.0 : 20000.0;
  add_lattice(dataset, size, 100.0, 1000.0);
  add_buildings(dataset, rng, quick ? 100000 : 1000000, size);
  add_stations(dataset, rng, quick ? 100 : 1000, size);
  CoverageParams params;
  auto start = Clock::now();
  const WalkNetwork network = WalkNetwork::from_lines(dataset.lines, params);
  const double build = seconds_since(start);
  start = Clock::now();
  const CoverageResult coverage = compute_coverage(dataset, network, params);
  const double cover = seconds_since(start);
  std::printf("coverage: %zu buildings, %zu stations, network %zu nodes / %zu edges\n",
              dataset.buildings.size(), dataset.stations.size(), network.node_count(),
              network.edge_count());
  std::printf(
      "  network build %.2f s, coverage (snap + 4 multi-source Dijkstras + shares) %.2f s, "
      "total %.2f s\n",
      build, cover, build + cover);
  const TierCoverage& any = coverage.any();
  std::printf("  any tier: within 300/500/1000 m = %.3f / %.3f / %.3f of %lld households\n",
              any.share_within[0], any.share_within[1], any.share_within[2], any.households);
  return build + cover <= 20.0 || quick ? 0 : 1;
}

int bench_siting(bool quick) {
  Rng rng(11);
  Dataset dataset;
  const double size = quick ? 3000.0 : 10000.0;
  add_lattice(dataset, size, 100.0, 1000.0);
  add_buildings(dataset, rng, quick ? 10000 : 100000, size);
  add_stations(dataset, rng, quick ? 3 : 20, size);
  std::vector<Point> candidates;
  const std::size_t candidate_count = quick ? 1000 : 10000;
  for (std::size_t c = 0; c < candidate_count; ++c) {
    candidates.push_back({rng.uniform() * size, rng.uniform() * size});
  }
  CoverageParams coverage_params;
  SitingParams params;
  params.new_stations = quick ? 10 : 50;
  auto start = Clock::now();
  const WalkNetwork network = WalkNetwork::from_lines(dataset.lines, coverage_params);
  const CoverageResult coverage = compute_coverage(dataset, network, coverage_params);
  const double prepare = seconds_since(start);
  start = Clock::now();
  const SitingResult result =
      site_stations(dataset, coverage, network, candidates, params, coverage_params);
  const double siting = seconds_since(start);
  std::printf("siting: %zu buildings, %zu candidates, %d new stations (radius %.0f m walking)\n",
              dataset.buildings.size(), candidates.size(), params.new_stations, params.radius_m);
  std::printf(
      "  network + coverage %.2f s, siting (coverage sets + MCLP + set cover) %.2f s, "
      "total %.2f s\n",
      prepare, siting, prepare + siting);
  std::printf(
      "  uncovered %lld households; MCLP covers %lld (upper bound %.0f, gap %.2f %%); "
      "set cover %zu sites (lower bound %d), uncoverable %lld\n",
      result.households_uncovered, result.max_cover_households, result.max_cover_upper_bound,
      100.0 * result.max_cover_gap, result.set_cover.size(), result.set_cover_lower_bound,
      result.households_uncoverable);
  return prepare + siting <= 30.0 || quick ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string what = argc > 1 ? argv[1] : "all";
  bool quick = false;
  for (int i = 1; i < argc; ++i) quick |= std::strcmp(argv[i], "--quick") == 0;
  int failures = 0;
  if (what == "des" || what == "all") failures += bench_des(quick);
  if (what == "district" || what == "all") failures += bench_district(quick);
  if (what == "coverage" || what == "all") failures += bench_coverage(quick);
  if (what == "siting" || what == "all") failures += bench_siting(quick);
  if (failures > 0) std::printf("%d benchmark(s) over their time limit\n", failures);
  return failures == 0 ? 0 : 1;
}
