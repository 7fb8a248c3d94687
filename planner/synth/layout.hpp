#pragma once
// Internal to the generator: road network under construction, rivers, and the town frame.
// Roads are collected as long axis-aligned lines plus riverside roads, each with the coordinates
// where other roads meet it, and are emitted at the end as segments split at every junction, so
// the walking network is noded without any geometry library.

#include <string>
#include <vector>

#include "planner/core/dataset.hpp"

namespace gp::synth::detail {

/// Round to millimetres: generated coordinates are exact to 1 mm, so regenerating the demo town
/// on another platform (a libm with different last-bit sin) still compares equal at 1e-6 m
/// tolerance in nearly every case, and the file stays compact.
double round_mm(double value);
/// Round to decimetres: layout positions (road centrelines, block edges).
double round_dm(double value);

/// Half the road reserve (红线 width) of a road class, m: buildings and walls keep at least this
/// far from the centreline. Unknown classes get the residential value.
double road_half_width(const std::string& road_class);
/// Gap between a road reserve and a block, wall or building (pavement, green strip), m.
inline constexpr double kSetback = 4.0;

/// A meandering river flowing west→east across the town.
struct River {
  int ordinal = 0;                             // 0 = main river (names)
  double base_y = 0.0;                         // mean northing of the centre line, m
  double x_start = 0.0, x_end = 0.0;           // extent of the line (beyond the town), m
  double phase_long = 0.0, phase_short = 0.0;  // radians

  /// Northing of the centre line at easting x (mm-rounded; identical for identical x).
  [[nodiscard]] double centre_y(double x) const;
  /// Northing of the centre line of the riverside road on the north (side=+1) or south (−1) bank.
  [[nodiscard]] double riverside_y(double x, int side) const;
  /// Northing of the community boundary drawn along this river over [low, high] (sampled with
  /// sample_x) at x: the centre line at sample vertices, else on the straight chord between the
  /// neighbouring vertices, so cells cut at any x tile the community polygon exactly.
  [[nodiscard]] double chord_y(double x, double low, double high) const;
  /// Sample eastings of the line between a and b (both included, in the order a→b), on a 20 m
  /// grid anchored at x_start so neighbouring pieces share vertices exactly.
  [[nodiscard]] std::vector<double> sample_x(double a, double b) const;
};
/// Half width of the water surface, m (a ≈ 56 m wide county-town river).
inline constexpr double kRiverHalfWidth = 28.0;
/// Largest |meander| of the centre line around base_y, m (amplitudes 30 + 12).
inline constexpr double kMeanderMax = 42.0;
/// Riverside road centre line distance from the river centre line, m.
inline constexpr double kRiversideOffset = 42.0;
/// Distance from a river's base line to the first block on either bank, m: meander, riverside
/// road and its reserve, pavement. The strip between is riverside park (滨河公园).
inline constexpr double kRiverReserve = kMeanderMax + kRiversideOffset + 9.0 + kSetback;

/// An axis-aligned road between `from` and `to` along its axis at cross coordinate `at`.
struct StraightRoad {
  bool vertical = false;  // true: runs south→north at x = at; false: west→east at y = at
  double at = 0.0;
  double from = 0.0, to = 0.0;
  std::string cls, name;
  std::vector<double> junctions;                   // where other roads meet or cross it
  std::vector<std::pair<double, double>> bridges;  // intervals along the axis carried on a bridge
};

/// A road following a river bank at kRiversideOffset from the centre line.
struct RiversideRoad {
  int river = 0;  // index into RoadNetwork::rivers
  int side = 1;   // +1 north bank, −1 south bank
  double from = 0.0, to = 0.0;
  std::string cls, name;
  std::vector<double> junctions;  // eastings where other roads meet it
};

struct RoadNetwork {
  std::vector<River> rivers;
  std::vector<StraightRoad> straight;
  std::vector<RiversideRoad> riverside;

  std::size_t add(StraightRoad road) {
    straight.push_back(std::move(road));
    return straight.size() - 1;
  }
  /// Emits every road as segments split at junctions (bridges as their own segments).
  void emit(std::vector<Line>& out) const;
};

}  // namespace gp::synth::detail
