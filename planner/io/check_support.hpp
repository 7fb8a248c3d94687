#pragma once
// What `gridplan check` reads besides the loader: longitude and latitude of points given in a
// dataset's projected CRS (for messages a user pastes into a web map), and the diagnostics a run
// recorded in its plan.gpkg (the reasons grids are outside their bounds). No GDAL types here.

#include <string>
#include <vector>

#include "planner/core/geometry.hpp"
#include "planner/io/crs.hpp"

namespace gp::io {

/// WGS84 longitude/latitude (degrees) of `points` given in `crs_wkt` (metres). A point that
/// cannot be transformed (non-finite input, a CRS PROJ cannot read) comes back as NaN, NaN.
std::vector<LonLat> to_lon_lat(const std::string& crs_wkt, const std::vector<Point>& points);

struct RecordedDiagnostic {
  std::string severity;
  std::string kind;
  std::string message;
};

/// The rows of the `diagnostics` layer `gridplan run` writes into plan.gpkg (severity, kind,
/// message); empty when the file has no such layer. Throws gp::InputError when the file cannot
/// be opened.
std::vector<RecordedDiagnostic> read_recorded_diagnostics(const std::string& path);

}  // namespace gp::io
