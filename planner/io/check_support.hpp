#pragma once
// What `gridplan check` reads besides the loader: longitude and latitude of points given in a
// dataset's projected CRS (for messages a user pastes into a web map). (The reasons grids are
// outside their bounds are read with the grids, from their `bounds_why` field.) No GDAL types
// here.

#include <string>
#include <vector>

#include "planner/core/geometry.hpp"
#include "planner/io/crs.hpp"

namespace gp::io {

/// WGS84 longitude/latitude (degrees) of `points` given in `crs_wkt` (metres). A point that
/// cannot be transformed (non-finite input, a CRS PROJ cannot read) comes back as NaN, NaN.
std::vector<LonLat> to_lon_lat(const std::string& crs_wkt, const std::vector<Point>& points);

}  // namespace gp::io
