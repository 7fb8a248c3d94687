#include "planner/io/check_support.hpp"

#include <cmath>
#include <limits>

#include "planner/io/gdal_support.hpp"

namespace gp::io {

std::vector<LonLat> to_lon_lat(const std::string& crs_wkt, const std::vector<Point>& points) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::vector<LonLat> out(points.size(), LonLat{kNaN, kNaN});
  if (crs_wkt.empty() || points.empty()) return out;
  detail::GdalErrorCollector errors;  // a CRS PROJ cannot use gives NaN, not console noise
  detail::SrsPtr from(new OGRSpatialReference());
  if (from->importFromWkt(crs_wkt.c_str()) != OGRERR_NONE) return out;
  from->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  detail::SrsPtr wgs84(new OGRSpatialReference());
  if (wgs84->importFromEPSG(4326) != OGRERR_NONE) return out;
  wgs84->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  detail::TransformPtr transform(OGRCreateCoordinateTransformation(from.get(), wgs84.get()));
  if (!transform) return out;
  for (std::size_t i = 0; i < points.size(); ++i) {
    double x = points[i].x, y = points[i].y;
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    if (transform->Transform(1, &x, &y) && std::isfinite(x) && std::isfinite(y)) out[i] = {x, y};
  }
  return out;
}

}  // namespace gp::io
