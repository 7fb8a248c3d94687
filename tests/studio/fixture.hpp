#pragma once
// The demo town, loaded and planned once per test run through the studio's Session: from
// data/demo-town.gpkg when it exists (the GDAL path the studio uses), else generated in memory.

#include <QCoreApplication>
#include <QFileInfo>
#include <QString>
#include <memory>

#include "planner/synth/town.hpp"
#include "session.hpp"

namespace gp::studio::test {

/// Built with AddressSanitizer (the asan preset runs the studio tests too): timings then say
/// nothing about the product, so timing checks are skipped.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

inline QString demo_town_path() {
  return QStringLiteral(GRIDPLAN_SOURCE_DIR "/data/demo-town.gpkg");
}

inline Session& demo_session() {
  static std::unique_ptr<Session> session;
  if (!session) {
    session = std::make_unique<Session>();
    if (QFileInfo::exists(demo_town_path()))
      session->open({demo_town_path()});
    else
      session->setDataset(synth::generate_town(synth::SynthParams{}).dataset);
    session->waitForIdle();
  }
  return *session;
}

inline bool same_grid(const Grid& a, const Grid& b) {
  auto same_rings = [](const MultiPolygon& x, const MultiPolygon& y) {
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!(x[i].outer == y[i].outer) || x[i].holes.size() != y[i].holes.size()) return false;
      for (std::size_t h = 0; h < x[i].holes.size(); ++h)
        if (!(x[i].holes[h] == y[i].holes[h])) return false;
    }
    return true;
  };
  const GridMetrics &m = a.metrics, &n = b.metrics;
  return a.level == b.level && a.code == b.code && a.name == b.name && a.community == b.community &&
         a.parent == b.parent && a.locked == b.locked && a.buildings == b.buildings &&
         same_rings(a.polygon, b.polygon) && m.households == n.households &&
         m.buildings == n.buildings && m.workload == n.workload && m.area_m2 == n.area_m2 &&
         m.perimeter_m == n.perimeter_m && m.compactness == n.compactness &&
         m.contiguous == n.contiguous && m.below_min == n.below_min && m.above_max == n.above_max &&
         m.barrier_crossings == n.barrier_crossings && m.compound_splits == n.compound_splits;
}

inline bool same_plan(const Plan& a, const Plan& b) {
  if (a.large_grids.size() != b.large_grids.size() || a.micro_grids.size() != b.micro_grids.size())
    return false;
  for (std::size_t i = 0; i < a.large_grids.size(); ++i)
    if (!same_grid(a.large_grids[i], b.large_grids[i])) return false;
  for (std::size_t i = 0; i < a.micro_grids.size(); ++i)
    if (!same_grid(a.micro_grids[i], b.micro_grids[i])) return false;
  const PlanMetrics &m = a.metrics, &n = b.metrics;
  return a.building_micro == b.building_micro && a.building_large == b.building_large &&
         m.large_grids == n.large_grids && m.micro_grids == n.micro_grids &&
         m.bound_violations == n.bound_violations && m.discontiguous == n.discontiguous &&
         m.barrier_crossings == n.barrier_crossings && m.compound_splits == n.compound_splits &&
         m.households == n.households && m.mean_compactness == n.mean_compactness;
}

}  // namespace gp::studio::test
