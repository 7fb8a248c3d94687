// Progress through the siting's candidate coverage (issue 14 item 5): one bounded search per
// candidate, 30 s on the real 100k town without a word before. The gaps between updates are
// counted in candidates (work units), not wall time, so the test holds on any machine.

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "planner/core/progress.hpp"
#include "planner/core/random.hpp"
#include "planner/sim/siting.hpp"

using namespace gp;
using namespace gp::sim;

namespace {

Line street(Point a, Point b) {
  Line line;
  line.kind = LineKind::road;
  line.cls = "residential";
  line.geometry = {a, b};
  line.walkable = true;
  return line;
}

/// Streets every 100 m over a square of `size_m`.
std::vector<Line> lattice(double size_m) {
  std::vector<Line> lines;
  for (double v = 0.0; v <= size_m + 1e-9; v += 100.0) {
    lines.push_back(street({v, 0.0}, {v, size_m}));
    lines.push_back(street({0.0, v}, {size_m, v}));
  }
  return lines;
}

std::vector<Point> random_points(Rng& rng, int count, double size_m) {
  std::vector<Point> points;
  for (int i = 0; i < count; ++i)
    points.push_back({rng.uniform() * size_m, rng.uniform() * size_m});
  return points;
}

struct Update {
  std::string stage;
  double fraction;
  bool has_estimate;
};

/// Largest step of `stage`'s fraction between consecutive updates, from 0 to its last update.
double largest_step(const std::vector<Update>& updates, const std::string& stage, int* count) {
  double previous = 0.0, largest = 0.0;
  *count = 0;
  for (const Update& u : updates)
    if (u.stage == stage) {
      largest = std::max(largest, u.fraction - previous);
      previous = u.fraction;
      ++*count;
    }
  return largest;
}

}  // namespace

TEST_CASE("siting: candidate coverage reports progress every block of candidates, with an ETA") {
  Rng rng(14);
  const double size = 3000.0;
  CoverageParams params;
  const WalkNetwork network = WalkNetwork::from_lines(lattice(size), params);
  REQUIRE_FALSE(network.empty());
  const int candidates = 20000;  // a block is max(256, n / 200) = 256 candidates
  const std::vector<Point> sites = random_points(rng, candidates, size);
  const std::vector<Point> demands = random_points(rng, 5000, size);

  // An injected clock one second per reading: the estimate does not depend on the machine.
  double clock = 0.0;
  std::vector<Update> updates;
  Progress progress(
      [&](const ProgressReport& r) {
        updates.push_back({r.stage, r.fraction, r.stage_left_s.has_value()});
      },
      [&] { return clock += 1.0; });

  for (const bool walking : {true, false}) {
    updates.clear();
    const CoverageSets sets = compute_coverage_sets(walking ? network : WalkNetwork{}, sites,
                                                    demands, 500.0, 100.0, 1.3, &progress);
    REQUIRE(sets.candidates() == static_cast<std::size_t>(candidates));
    int count = 0;
    const double step = largest_step(updates, "siting: coverage of candidates", &count);
    // Every 256 candidates (1.28 % of them) an update, the last at 100 %.
    CHECK(count >= candidates / 256);
    CHECK(step <= 256.0 / candidates + 1e-12);
    REQUIRE_FALSE(updates.empty());
    CHECK(updates.back().fraction == 1.0);
    CHECK(std::any_of(updates.begin(), updates.end(),
                      [](const Update& u) { return u.has_estimate; }));
  }

  // The same sets with and without a progress sink (the blocks change nothing).
  const CoverageSets quiet = compute_coverage_sets(network, sites, demands, 500.0, 100.0, 1.3);
  const CoverageSets reported =
      compute_coverage_sets(network, sites, demands, 500.0, 100.0, 1.3, &progress);
  CHECK(quiet.offsets == reported.offsets);
  CHECK(quiet.demands == reported.demands);
}
