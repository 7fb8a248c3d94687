#include "planner/report/style.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace gp::report::style {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string format_metres(double m) {
  char out[32];
  std::snprintf(out, sizeof out, "%.0f", m);
  return out;
}

}  // namespace

std::string Rgb::hex() const {
  char out[8];
  std::snprintf(out, sizeof out, "#%02x%02x%02x", r, g, b);
  return out;
}

std::string Rgb::qgis(double opacity) const {
  const int a = static_cast<int>(std::lround(std::clamp(opacity, 0.0, 1.0) * 255.0));
  return std::to_string(r) + "," + std::to_string(g) + "," + std::to_string(b) + "," +
         std::to_string(a);
}

Rgb ramp(double t) {
  // YlOrRd-like stops (ColorBrewer): light yellow → orange → dark red.
  static constexpr std::array<std::array<double, 3>, 5> stops{
      {{255, 255, 204}, {254, 217, 118}, {253, 141, 60}, {227, 26, 28}, {128, 0, 38}}};
  if (!std::isfinite(t)) return no_data();
  t = std::clamp(t, 0.0, 1.0) * (stops.size() - 1);
  const auto i = std::min<std::size_t>(static_cast<std::size_t>(t), stops.size() - 2);
  const double f = t - static_cast<double>(i);
  auto channel = [&](int c) {
    return static_cast<std::uint8_t>(stops[i][c] + f * (stops[i + 1][c] - stops[i][c]));
  };
  return {channel(0), channel(1), channel(2)};
}

Rgb no_data() {
  return {0xcc, 0xcc, 0xcc};
}

std::vector<ValueClass> household_classes(int min, int max) {
  // Four equal steps inside the bounds (integers: households are counted), one class each side.
  std::vector<ValueClass> out;
  out.push_back({-kInf, static_cast<double>(min), ramp(0.0),
                 "< " + std::to_string(min) + " 户 (低于下限 below min)"});
  // Up to four steps of equal width inside the bounds (fewer when the range holds fewer counts).
  const int span = std::max(max - min + 1, 1);
  const int steps = std::min(span, 4);
  for (int k = 0; k < steps; ++k) {
    const int lo = min + span * k / steps;
    const int hi = k == steps - 1 ? max + 1 : min + span * (k + 1) / steps;
    const double t = steps == 1 ? 0.5 : 0.125 + 0.75 * k / (steps - 1);
    out.push_back({static_cast<double>(lo), static_cast<double>(hi), ramp(t),
                   std::to_string(lo) + "–" + std::to_string(hi - 1) + " 户"});
  }
  out.push_back({static_cast<double>(max + 1), kInf, ramp(1.0),
                 "> " + std::to_string(max) + " 户 (高于上限 above max)"});
  return out;
}

Rgb household_colour(double households, int min, int max) {
  if (!std::isfinite(households)) return no_data();
  for (const ValueClass& c : household_classes(min, max))
    if (households >= c.lower && households < c.upper) return c.colour;
  return no_data();
}

Stroke violation_outline() {
  return {{0xc0, 0x39, 0x2b}, 3.0, 1.0};
}
Stroke large_outline() {
  return {{0x55, 0x55, 0x55}, 0.8, 1.0};
}
Stroke micro_outline() {
  return {{0x40, 0x40, 0x40}, 0.6, 0.8};
}
Stroke community_outline() {
  return {{0x22, 0x22, 0x22}, 1.8, 1.0};
}

Rgb building_colour(BuildingUse use) {
  switch (use) {
    case BuildingUse::residential:
      return {0x5f, 0x5f, 0x5f};  // the studio's residential grey
    case BuildingUse::mixed:
      return {0x8c, 0x6d, 0x31};
    case BuildingUse::school:
      return {0x1b, 0x9e, 0x77};
    case BuildingUse::hospital:
      return {0xd9, 0x5f, 0x02};
    case BuildingUse::office:
      return {0x75, 0x70, 0xb3};
    case BuildingUse::commercial:
      return {0xe7, 0x29, 0x8a};
    case BuildingUse::industrial:
      return {0x66, 0x66, 0x99};
    case BuildingUse::ancillary:
      return {0xbd, 0xb5, 0xa8};
    case BuildingUse::other:
      return {0x9a, 0x8f, 0x85};  // the studio's "other building"
  }
  return no_data();
}

std::string building_label(BuildingUse use) {
  switch (use) {
    case BuildingUse::residential:
      return "住宅 residential";
    case BuildingUse::mixed:
      return "商住混合 mixed";
    case BuildingUse::school:
      return "学校 school";
    case BuildingUse::hospital:
      return "医院 hospital";
    case BuildingUse::office:
      return "办公 office";
    case BuildingUse::commercial:
      return "商业 commercial";
    case BuildingUse::industrial:
      return "工业 industrial";
    case BuildingUse::ancillary:
      return "附属用房 ancillary";
    case BuildingUse::other:
      return "其他 other";
  }
  return "?";
}

const std::vector<BuildingUse>& building_uses() {
  static const std::vector<BuildingUse> uses{
      BuildingUse::residential, BuildingUse::mixed,     BuildingUse::school,
      BuildingUse::hospital,    BuildingUse::office,    BuildingUse::commercial,
      BuildingUse::industrial,  BuildingUse::ancillary, BuildingUse::other};
  return uses;
}

StationSymbol station_symbol(StationTier tier) {
  switch (tier) {
    case StationTier::county_centre:
      return {{0x4b, 0x00, 0x82}, 7.0};
    case StationTier::community_centre:
      return {{0x4b, 0x00, 0x82}, 5.5};
    case StationTier::compound_station:
      return {{0x8b, 0x1a, 0x1a}, 4.0};
  }
  return {no_data(), 4.0};
}

Stroke station_outline(bool fails_rule) {
  return fails_rule ? Stroke{{0xff, 0x99, 0x00}, 2.5, 1.0} : Stroke{{0xff, 0xff, 0xff}, 1.0, 1.0};
}

const std::vector<StationTier>& station_tiers() {
  static const std::vector<StationTier> tiers{
      StationTier::county_centre, StationTier::community_centre, StationTier::compound_station};
  return tiers;
}

std::vector<ValueClass> walking_bands(const std::vector<double>& thresholds_m) {
  // Diverging green → red (ColorBrewer RdYlGn ends): near is good.
  static const Rgb colours[] = {{0x1a, 0x98, 0x50}, {0x91, 0xcf, 0x60}, {0xfe, 0xe0, 0x8b}};
  static const char* minutes[] = {"5", "10", "15"};
  std::vector<ValueClass> out;
  double lower = 0.0;
  for (std::size_t t = 0; t < thresholds_m.size() && t < 3; ++t) {
    out.push_back({lower, thresholds_m[t], colours[t],
                   "≤ " + format_metres(thresholds_m[t]) + " m (" + minutes[t] + " 分钟)"});
    lower = thresholds_m[t];
  }
  out.push_back({lower, kInf, {0xd7, 0x30, 0x27}, "更远 farther"});
  return out;
}

Rgb walking_colour(double distance_m, const std::vector<double>& thresholds_m) {
  if (!std::isfinite(distance_m)) return walking_bands(thresholds_m).back().colour;
  // A building exactly at a threshold is inside that band (≤), as the report counts coverage.
  const std::vector<ValueClass> bands = walking_bands(thresholds_m);
  for (std::size_t i = 0; i + 1 < bands.size(); ++i)
    if (distance_m <= bands[i].upper) return bands[i].colour;
  return bands.back().colour;
}

Rgb background() {
  return {0xf4, 0xf4, 0xf0};
}

}  // namespace gp::report::style
