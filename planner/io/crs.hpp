#pragma once
// Choosing a metric CRS for data given in geographic coordinates, and the GCJ-02 correction.
// No GDAL here: these are plain functions the loader (and tests) call with longitudes and
// latitudes in degrees (WGS84 / CGCS2000, which agree to well under a metre for planning).

#include <string>

namespace gp::io {

struct LonLat {
  double lon = 0.0;  // degrees east
  double lat = 0.0;  // degrees north
};

/// Whether a point lies inside a coarse outline of China (mainland, Hainan, Taiwan; accurate to
/// roughly half a degree near the borders — enough to pick a projection for a town's data).
bool inside_china(LonLat where);

struct ProjectionChoice {
  int epsg = 0;
  std::string name;    // e.g. "CGCS2000 / 3-degree Gauss-Kruger CM 120E"
  std::string reason;  // one sentence for the user
};

/// The projected CRS for data centred at `centre`:
///  - inside China: CGCS2000 3-degree Gauss-Krüger, central meridian = the multiple of 3°
///    nearest to the longitude (EPSG:4534 = CM 75E … EPSG:4554 = CM 135E; the "CM" codes carry
///    no zone-number prefix in their false easting, 500 000 m);
///  - elsewhere: WGS 84 / UTM, zone from the longitude (EPSG:326zz north, 327zz south; the
///    Norway/Svalbard zone exceptions are not applied).
ProjectionChoice choose_projection(LonLat centre);

/// Length on the WGS84 / CGCS2000 ellipsoid, metres, of a short step between two nearby points
/// (meridian and prime-vertical radii of curvature at their mean latitude; for steps of a few
/// hundred metres the error is far below 1e-6 of the length).
double short_ellipsoid_distance_m(LonLat a, LonLat b);

/// Largest projected CRS scale error over the data this loader tolerates before reprojecting:
/// 0.1 % (a 3° Gauss-Krüger zone stays below 0.03 % within its zone, UTM within 0.1 %; Web
/// Mercator is 18 % off at Nanjing's latitude).
inline constexpr double kMaxScaleError = 0.001;

/// GCJ-02 ("Mars coordinates", required by Chinese web maps) from WGS84, by the publicly known
/// forward formula (Krasovsky ellipsoid constants). Applied everywhere it is called: the caller
/// decides whether the data is in China.
LonLat wgs84_to_gcj02(LonLat wgs84);

/// WGS84 from GCJ-02 by fixed-point iteration of the forward formula (the offset varies slowly,
/// so a few iterations reach 1e-9°, ≈ 0.1 mm).
LonLat gcj02_to_wgs84(LonLat gcj02);

}  // namespace gp::io
