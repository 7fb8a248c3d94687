#pragma once
// Deterministic synthetic county towns: the bundled demo town (modelled on Yanggao county, see
// ../shared/docs/domain.md and docs/demo-town.md) and benchmark towns of any size with the same
// structure. Plain geometry only (no GEOS in the hot path, no GDAL): the result is a gp::Dataset
// that planner/io writes to a GeoPackage.
//
// Layout, in metres, CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547):
//   - communities are the cells of an arterial road grid (columns × rows), tiling the town with no
//     gaps or overlaps; every sixth row boundary is a river instead of a road (the demo town has
//     one river, between its southern and middle rows), crossed by road bridges on even inner
//     column boundaries and a footbridge;
//   - each community is cut by branch roads into blocks; a block holds walled compounds (walk-ups,
//     mid-rises or towers), an institution campus (school, hospital, office, market) and a row of
//     street-front buildings along the arterial; two in fifteen communities are bungalow areas
//     (平房区): lanes and single-storey courtyard houses, no compounds;
//   - stations: one county centre, one centre per community, a station in some compounds;
//   - an existing, hand-drawn-looking plan: large grids that group whole blocks and compounds
//     along roads, unevenly sized as real hand-drawn plans are, with micro grids inside.

#include <cstdint>

#include "planner/core/dataset.hpp"
#include "planner/core/progress.hpp"

namespace gp::synth {

/// The seed of the bundled demo town (data/demo-town.gpkg).
inline constexpr std::uint64_t kDemoSeed = 20240709;

struct SynthParams {
  /// Same seed and parameters → byte-identical features.
  std::uint64_t seed = kDemoSeed;
  /// Approximate building count; 0 = the demo town (5 × 3 = 15 communities). Larger values tile
  /// more communities of the same structure outward (≈ 180 buildings per community).
  std::int64_t target_buildings = 0;
  /// Households aimed at per community, calibrated so that the demo town's total divided by 400
  /// (the target large-grid size) gives ≈ 53 large grids, Yanggao's figure (domain.md).
  double households_per_community = 1420.0;
  /// Town centre in EPSG:4547 metres: 113.75°E 40.36°N (Yanggao county town), projected with
  /// `gdaltransform -s_srs EPSG:4490 -t_srs EPSG:4547` → 478764.06, 4469532.75.
  Point centre{478764.0, 4469533.0};
};

/// Figures of a generated (or any) dataset, as printed by `gridplan synth`.
struct SynthSummary {
  std::size_t communities = 0;
  std::size_t bungalow_communities = 0;  // communities with no compound (平房区)
  std::size_t compounds = 0;
  std::size_t unmanaged_compounds = 0;  // management = none (三无小区)
  std::size_t property_company_compounds = 0;
  std::size_t buildings = 0;
  std::size_t residential_buildings = 0;  // residential or mixed with households > 0
  std::size_t buildings_outside_compounds = 0;
  std::size_t non_residential_buildings = 0;  // schools, hospital, offices, market, sheds...
  long long units = 0;                        // entrances (单元) of dwelling buildings
  long long households = 0;
  std::size_t roads = 0;  // road segments (split at junctions)
  std::size_t bridges = 0;
  std::size_t river_lines = 0;
  std::size_t stations = 0;
  std::size_t county_centres = 0;
  std::size_t community_centres = 0;
  std::size_t compound_stations = 0;
  std::size_t existing_large_grids = 0;
  std::size_t existing_micro_grids = 0;
  /// Large grids the default bounds give: Σ over communities of max(1, round(households ÷ 400)),
  /// and the whole-town range ⌈households ÷ 500⌉ … ⌊households ÷ 300⌋.
  long long expected_large_grids_at_target = 0;
  long long expected_large_grids_min = 0;
  long long expected_large_grids_max = 0;
  double area_km2 = 0.0;  // area of the communities' union (they tile the town)
};

/// Counts the figures above from any dataset (the loaders' output as well as the generator's).
/// Uses Building::community / compound indices when set, else the *_ref strings.
SynthSummary summarize(const Dataset& dataset);

struct SynthTown {
  Dataset dataset;
  SynthSummary summary;
};

/// Generates a town. Deterministic: the same `params` always give identical features in the same
/// order. `progress` may be null; generation of 1M buildings takes a few seconds.
/// Throws gp::ConfigError for a negative `target_buildings`.
SynthTown generate_town(const SynthParams& params, Progress* progress = nullptr);

}  // namespace gp::synth
