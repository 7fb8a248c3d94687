#pragma once
// Reads an attribute table (CSV, or any table GDAL opens: GeoPackage, Shapefile .dbf, XLSX, …)
// as rows of text fields, for `gridplan calibrate`. GDAL stays behind this header.

#include <map>
#include <string>
#include <vector>

namespace gp::io {

struct TableRow {
  long row = 0;  // 1-based data row (feature id where the driver gives one)
  std::map<std::string, std::string> fields;
};

struct Table {
  std::vector<std::string> columns;
  std::vector<TableRow> rows;
};

/// Reads `layer` (empty: the first) of `path`. Throws InputError naming the file when it cannot
/// be opened or has no such layer.
Table read_table(const std::string& path, const std::string& layer = "");

}  // namespace gp::io
