#pragma once
// Reads an attribute table (CSV, or any table GDAL opens: GeoPackage, Shapefile .dbf, XLSX, …)
// as rows of text fields, for `gridplan calibrate`; a point layer's points and CRS; a plan's
// grid polygons; and transforms points between CRSs. GDAL stays behind this header.

#include <map>
#include <string>
#include <vector>

#include "planner/core/geometry.hpp"

namespace gp::io {

struct TableRow {
  long row = 0;  // 1-based data row (feature id where the driver gives one)
  std::map<std::string, std::string> fields;
  /// The feature's point in the layer's CRS, when the layer has geometry and this feature's is a
  /// point (x = easting or longitude).
  bool has_point = false;
  Point point;
  /// The feature has a geometry that is not a point (or an empty one): for messages.
  bool other_geometry = false;
};

struct Table {
  std::vector<std::string> columns;
  std::vector<TableRow> rows;
  std::string crs;  // the layer's CRS as WKT when it has one; empty otherwise
};

/// Reads `layer` (empty: the first) of `path`. Throws InputError naming the file when it cannot
/// be opened or has no such layer.
Table read_table(const std::string& path, const std::string& layer = "");

/// A plan's grid polygons with their code and households.
struct GridPolygon {
  long row = 0;
  std::string code;
  int households = 0;
  MultiPolygon shape;
};
struct GridPolygons {
  std::vector<GridPolygon> grids;
  std::string crs;  // WKT
};
/// Reads the polygons of `layer` of `path` (empty: "large_grids" when the file has it, else the
/// first layer) with the fields `code` and `households` (a run's plan.gpkg). Throws InputError
/// naming file, layer and feature when a field or the polygon is missing.
GridPolygons read_grid_polygons(const std::string& path, const std::string& layer = "");

/// Transforms `points` in place from CRS `from` to `to` (each "EPSG:4326", WKT or a PROJ
/// string; x = easting or longitude). Returns, per point, whether it transformed (false leaves
/// the point unchanged). Throws ConfigError naming `from` when it cannot be parsed.
std::vector<bool> transform_points(std::vector<Point>& points, const std::string& from,
                                   const std::string& to);

}  // namespace gp::io
