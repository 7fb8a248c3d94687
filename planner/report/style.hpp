#pragma once
// The one definition of how a plan looks on a map: the households ramp and its legend classes,
// the outline of a grid outside its household bounds, micro grid outlines, building use colours,
// station tiers and the walking-distance bands of station coverage. The report's SVG maps
// (planner/report/html.cpp, svg.cpp), the studio (qml/src) and the QGIS layer styles written with
// every export (planner/io/qgis_style.cpp) all read it, so a GIS user, a report reader and a
// studio user see the same colours for the same thing.
//
// Sizes are given in CSS pixels at 96 dpi (the report's unit); QGIS styles convert them to
// millimetres (1 px = 25.4 / 96 mm).

#include <cstdint>
#include <string>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/partition/params.hpp"
#include "planner/sim/params.hpp"

namespace gp::report::style {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  /// "#rrggbb"
  [[nodiscard]] std::string hex() const;
  /// "r,g,b,a" with a = 255 × opacity, as QGIS writes colours.
  [[nodiscard]] std::string qgis(double opacity = 1.0) const;
  friend bool operator==(const Rgb&, const Rgb&) = default;
};

struct Stroke {
  Rgb colour;
  double width_px = 1.0;
  double opacity = 1.0;
};

/// Sequential ramp (YlOrRd: light yellow → orange → dark red) for t in [0, 1]; not finite t
/// (no data) gives no_data().
Rgb ramp(double t);
Rgb no_data();

/// One legend class of a numeric field: values v with lower ≤ v < upper (lower or upper
/// infinite at the ends of the scale).
struct ValueClass {
  double lower = 0.0;
  double upper = 0.0;
  Rgb colour;
  std::string label;  // Chinese, then English ("300–349 户")
};

/// The classes of households in a grid with bounds [min, max] (inclusive): below min, four equal
/// steps from min to max (fewer when max − min < 3), above max. The colours are the ramp at the
/// middle of each class, so a grid inside its bounds is never drawn in the end colours.
std::vector<ValueClass> household_classes(int min, int max);
/// The colour of `households` in household_classes(min, max).
Rgb household_colour(double households, int min, int max);

/// A large grid outside its household bounds (drawn on top of its fill).
Stroke violation_outline();
/// Large grid boundary (on the ramp fill).
Stroke large_outline();
/// Micro grid boundary (no fill).
Stroke micro_outline();
/// Community boundary.
Stroke community_outline();

/// Building fill by use class.
Rgb building_colour(BuildingUse use);
/// Chinese and English name of a use class ("住宅 residential").
std::string building_label(BuildingUse use);
/// Every use class, in legend order.
const std::vector<BuildingUse>& building_uses();

/// Station marker by tier: colour, half-width of its square marker in px, Chinese name.
struct StationSymbol {
  Rgb colour;
  double radius_px = 4.0;
};
StationSymbol station_symbol(StationTier tier);
/// Outline of a station marker: normal, and failing a station rule.
Stroke station_outline(bool fails_rule);
/// Every tier, in legend order (largest first).
const std::vector<StationTier>& station_tiers();

/// Walking-distance bands of station coverage for thresholds t0 < t1 < ... (metres): ≤ t0,
/// ≤ t1, ≤ t2, farther (at most three thresholds used: 5, 10 and 15 minutes of walking).
std::vector<ValueClass> walking_bands(const std::vector<double>& thresholds_m);
/// The colour of a building `distance_m` from its nearest station.
Rgb walking_colour(double distance_m, const std::vector<double>& thresholds_m);

/// Grid labels: font family (has the Chinese glyphs; Debian fonts-noto-cjk) and size in points.
inline constexpr const char* kLabelFont = "Noto Sans CJK SC";
inline constexpr double kLabelPoints = 8.0;

/// Map background (the report's maps and the studio's canvas).
Rgb background();

/// What the styles of one plan depend on: the scenario's household bounds and coverage
/// thresholds (defaults: the engine's).
struct PlanStyle {
  HouseholdBounds large = PartitionParams{}.large;
  HouseholdBounds micro = PartitionParams{}.micro;
  std::vector<double> walk_thresholds_m = sim::CoverageParams{}.thresholds_m;
};

}  // namespace gp::report::style
