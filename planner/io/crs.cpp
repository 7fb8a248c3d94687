#include "planner/io/crs.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numbers>

namespace gp::io {

namespace {

// A coarse outline of China (lon, lat in degrees), traced by hand clockwise from Mohe along the
// land borders, with the coast replaced by lines out at sea so coastal cities, Hainan and Taiwan
// fall inside while Korea, Japan, Vietnam, Mongolia and Russia fall outside. About half a degree
// accurate near borders; it only decides which projection family to use for a town's data.
constexpr std::array<LonLat, 112> kChinaOutline{{
    {122.3, 53.6},  {125.6, 53.1}, {127.6, 50.0},  {130.6, 48.9}, {132.6, 47.7},  {134.8, 48.4},
    {133.2, 45.2},  {132.0, 44.9}, {131.0, 44.9},  {131.3, 43.2}, {130.7, 42.3},  {129.9, 43.0},
    {128.9, 42.0},  {128.1, 41.9}, {126.6, 41.7},  {125.3, 40.6}, {124.1, 39.8},  {123.0, 38.0},
    {124.0, 34.0},  {123.5, 31.0}, {123.0, 28.0},  {122.3, 25.5}, {122.2, 21.8},  {120.5, 21.5},
    {116.0, 22.0},  {111.5, 18.5}, {109.5, 17.8},  {108.3, 18.3}, {108.5, 20.8},  {108.0, 21.55},
    {107.3, 21.7},  {106.7, 22.0}, {106.5, 22.4},  {105.9, 22.9}, {105.3, 23.35}, {104.5, 22.8},
    {103.95, 22.5}, {103.0, 22.6}, {102.2, 22.45}, {101.8, 21.2}, {101.2, 21.15}, {100.2, 21.5},
    {99.3, 22.1},   {99.5, 22.9},  {98.9, 23.2},   {98.5, 24.1},  {97.6, 23.9},   {97.7, 24.8},
    {98.7, 25.9},   {98.7, 27.0},  {98.5, 28.1},   {97.5, 28.3},  {96.2, 29.0},   {95.3, 29.0},
    {94.0, 28.6},   {92.5, 27.9},  {91.6, 27.8},   {90.5, 28.2},  {89.5, 28.2},   {88.9, 27.5},
    {88.7, 28.0},   {88.1, 27.9},  {86.9, 28.0},   {85.0, 28.5},  {83.5, 29.2},   {82.0, 30.2},
    {81.0, 30.2},   {79.8, 30.9},  {79.0, 31.5},   {78.7, 32.6},  {79.3, 33.0},   {78.9, 34.3},
    {78.0, 35.5},   {76.2, 35.9},  {75.0, 36.9},   {74.9, 37.3},  {74.9, 38.5},   {73.6, 39.4},
    {73.7, 39.9},   {74.8, 40.5},  {76.0, 40.4},   {76.9, 41.0},  {78.3, 41.4},   {80.2, 42.1},
    {80.5, 43.2},   {80.8, 44.9},  {82.6, 45.2},   {82.3, 45.6},  {83.0, 47.2},   {85.6, 47.1},
    {85.6, 48.4},   {86.8, 49.1},  {87.8, 49.2},   {88.7, 48.3},  {90.1, 47.7},   {90.9, 46.3},
    {91.0, 45.5},   {93.5, 45.0},  {95.4, 44.3},   {96.4, 42.7},  {100.0, 42.6},  {103.8, 41.8},
    {105.0, 41.6},  {106.7, 42.3}, {109.3, 42.4},  {112.0, 43.6}, {116.5, 46.3},  {119.7, 46.6},
    {115.6, 47.9},  {117.9, 49.5}, {120.1, 51.7},  {121.0, 53.2},
}};

// Forward GCJ-02 offset terms of the public formula; x = lon − 105°, y = lat − 35°.
double gcj_lat_term(double x, double y) {
  using std::numbers::pi;
  double t = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::abs(x));
  t += (20.0 * std::sin(6.0 * x * pi) + 20.0 * std::sin(2.0 * x * pi)) * 2.0 / 3.0;
  t += (20.0 * std::sin(y * pi) + 40.0 * std::sin(y / 3.0 * pi)) * 2.0 / 3.0;
  t += (160.0 * std::sin(y / 12.0 * pi) + 320.0 * std::sin(y * pi / 30.0)) * 2.0 / 3.0;
  return t;
}

double gcj_lon_term(double x, double y) {
  using std::numbers::pi;
  double t = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::abs(x));
  t += (20.0 * std::sin(6.0 * x * pi) + 20.0 * std::sin(2.0 * x * pi)) * 2.0 / 3.0;
  t += (20.0 * std::sin(x * pi) + 40.0 * std::sin(x / 3.0 * pi)) * 2.0 / 3.0;
  t += (150.0 * std::sin(x / 12.0 * pi) + 300.0 * std::sin(x / 30.0 * pi)) * 2.0 / 3.0;
  return t;
}

}  // namespace

bool inside_china(LonLat where) {
  // Crossing-number test; the outline is closed implicitly (last vertex → first).
  bool inside = false;
  const std::size_t n = kChinaOutline.size();
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    const LonLat& a = kChinaOutline[i];
    const LonLat& b = kChinaOutline[j];
    if ((a.lat > where.lat) != (b.lat > where.lat)) {
      const double lon_at = a.lon + (where.lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat);
      if (where.lon < lon_at) inside = !inside;
    }
  }
  return inside;
}

ProjectionChoice choose_projection(LonLat centre) {
  char buffer[160];
  ProjectionChoice choice;
  if (inside_china(centre)) {
    // Central meridians of the 3° zones are multiples of 3°; EPSG:4534 is CM 75E.
    int cm = 3 * static_cast<int>(std::lround(centre.lon / 3.0));
    cm = std::clamp(cm, 75, 135);
    choice.epsg = 4534 + (cm - 75) / 3;
    std::snprintf(buffer, sizeof buffer, "CGCS2000 / 3-degree Gauss-Kruger CM %dE", cm);
    choice.name = buffer;
    std::snprintf(buffer, sizeof buffer,
                  "data centred at %.4fE %.4fN, inside China: CGCS2000 3-degree Gauss-Kruger "
                  "zone with central meridian %dE (EPSG:%d)",
                  centre.lon, centre.lat, cm, choice.epsg);
    choice.reason = buffer;
    return choice;
  }
  int zone = static_cast<int>(std::floor((centre.lon + 180.0) / 6.0)) + 1;
  zone = std::clamp(zone, 1, 60);
  const bool north = centre.lat >= 0.0;
  choice.epsg = (north ? 32600 : 32700) + zone;
  std::snprintf(buffer, sizeof buffer, "WGS 84 / UTM zone %d%c", zone, north ? 'N' : 'S');
  choice.name = buffer;
  std::snprintf(buffer, sizeof buffer,
                "data centred at %.4f %.4f, outside China: UTM zone %d%c (EPSG:%d)", centre.lon,
                centre.lat, zone, north ? 'N' : 'S', choice.epsg);
  choice.reason = buffer;
  return choice;
}

double short_ellipsoid_distance_m(LonLat a, LonLat b) {
  constexpr double kA = 6378137.0;                   // WGS84 semi-major axis, m
  constexpr double kF = 1.0 / 298.257223563;         // WGS84 flattening
  constexpr double kE2 = kF * (2.0 - kF);            // first eccentricity squared
  constexpr double kRad = std::numbers::pi / 180.0;  // degrees → radians
  const double phi = 0.5 * (a.lat + b.lat) * kRad;
  const double w = 1.0 - kE2 * std::sin(phi) * std::sin(phi);
  const double m = kA * (1.0 - kE2) / (w * std::sqrt(w));  // meridian radius of curvature
  const double n = kA / std::sqrt(w);                      // prime-vertical radius
  const double north = (b.lat - a.lat) * kRad * m;
  const double east = (b.lon - a.lon) * kRad * n * std::cos(phi);
  return std::hypot(north, east);
}

LonLat wgs84_to_gcj02(LonLat wgs84) {
  using std::numbers::pi;
  // Krasovsky 1940 semi-major axis (m) and first eccentricity squared, as in the formula.
  constexpr double a = 6378245.0;
  constexpr double ee = 0.00669342162296594323;
  const double x = wgs84.lon - 105.0, y = wgs84.lat - 35.0;
  double d_lat = gcj_lat_term(x, y);
  double d_lon = gcj_lon_term(x, y);
  const double rad_lat = wgs84.lat / 180.0 * pi;
  double magic = std::sin(rad_lat);
  magic = 1.0 - ee * magic * magic;
  const double sqrt_magic = std::sqrt(magic);
  d_lat = (d_lat * 180.0) / ((a * (1.0 - ee)) / (magic * sqrt_magic) * pi);
  d_lon = (d_lon * 180.0) / (a / sqrt_magic * std::cos(rad_lat) * pi);
  return {wgs84.lon + d_lon, wgs84.lat + d_lat};
}

LonLat gcj02_to_wgs84(LonLat gcj02) {
  // Solve forward(w) = g: w ← w − (forward(w) − g). The offset's derivative is ~1e-5, so the
  // error shrinks by that factor per step.
  LonLat w = gcj02;
  for (int i = 0; i < 10; ++i) {
    const LonLat f = wgs84_to_gcj02(w);
    const double e_lon = f.lon - gcj02.lon, e_lat = f.lat - gcj02.lat;
    w.lon -= e_lon;
    w.lat -= e_lat;
    if (std::abs(e_lon) < 1e-10 && std::abs(e_lat) < 1e-10) break;
  }
  return w;
}

}  // namespace gp::io
