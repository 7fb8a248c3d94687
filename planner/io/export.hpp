#pragma once
// Exports of a plan that a GIS opens cleanly: one GeoPackage with every layer (UTF-8, field
// aliases in Chinese), optionally one Shapefile per layer (.prj, .cpg, UTF-8 or GBK, ASCII field
// names of at most 10 characters, fields.csv with the long and Chinese names) and one GeoJSON per
// layer. Output CRS: the input's by default, any CRS on request (coordinates are reprojected from
// the dataset's projected CRS). No GDAL types in this header.
//
// Atomicity: OutputDirectory writes a whole run into DIR.tmp-XXXXXX next to DIR and renames it
// into place at the end, so an interrupted run never leaves a directory that looks complete.

#include <functional>
#include <string>
#include <vector>

#include "planner/core/progress.hpp"
#include "planner/io/load.hpp"
#include "planner/report/layers.hpp"
#include "planner/report/style.hpp"

namespace gp::io {

struct ExportOptions {
  /// Extra formats besides the GeoPackage: "shp", "geojson".
  std::vector<std::string> formats;
  /// Output CRS as EPSG:xxxx, WKT or PROJ text; empty: `source_crs_wkt` unchanged.
  std::string crs;
  /// Shapefile text encoding: "UTF-8" or "GBK" (written as CP936, the code page GBK is).
  std::string shapefile_encoding = "UTF-8";
  /// What the QGIS layer styles depend on (household bounds, walking thresholds): plan.gpkg's
  /// layer_styles table and the Shapefiles' sidecar .qml files (planner/io/qgis_style.hpp).
  report::style::PlanStyle style;
  /// Reported to as stage "export", fraction of the features written (every format counted)
  /// mapped onto [progress_begin, progress_end], so a caller doing more after the layers keeps
  /// one stage. Updated every few thousand features: a 100k-building plan takes seconds.
  Progress* progress = nullptr;
  double progress_begin = 0.0;
  double progress_end = 1.0;
};

struct ExportResult {
  std::vector<std::string> files;  // written, relative to the output directory
  std::string crs_name;            // the output CRS
  int crs_epsg = 0;
};

/// Writes `layers` into the existing, empty directory `dir`: plan.gpkg, and shp/<layer>.shp
/// (+ shp/fields.csv) and geojson/<layer>.geojson when asked. `source_crs_wkt` is the CRS of the
/// layers' coordinates (Dataset::crs_wkt). Throws gp::ConfigError for an unknown format, CRS or
/// encoding, gp::OutputError when GDAL cannot write (message names the file and layer).
ExportResult export_layers(const std::vector<report::LayerTable>& layers,
                           const std::string& source_crs_wkt, const std::string& dir,
                           const ExportOptions& options);

/// The CRS to write in by default: the input layers' CRS when they all share one EPSG code
/// ("EPSG:4326" for an OSM extract, the surveying bureau's Gauss-Krüger zone for its files),
/// else "" (the dataset's projected CRS).
std::string input_crs(const LoadResult& loaded);

/// A run's output directory, written atomically.
class OutputDirectory {
 public:
  /// Refuses (gp::OutputError) an existing `final_dir` unless `overwrite`, and any `final_dir`
  /// that is or contains one of `inputs`. Creates the temporary sibling DIR.tmp-XXXXXX.
  OutputDirectory(std::string final_dir, bool overwrite, const std::vector<std::string>& inputs);
  ~OutputDirectory();  // removes the temporary directory unless committed
  OutputDirectory(const OutputDirectory&) = delete;
  OutputDirectory& operator=(const OutputDirectory&) = delete;

  /// Where to write now.
  [[nodiscard]] const std::string& path() const { return temp_; }
  [[nodiscard]] const std::string& final_path() const { return final_; }
  /// Moves the directory into place (replacing the old one when overwriting).
  void commit();

 private:
  std::string final_;
  std::string temp_;
  bool overwrite_ = false;
  bool committed_ = false;
};

/// Writes a text file (UTF-8 as given). Throws gp::OutputError.
void write_text(const std::string& path, const std::string& text);

/// SHA-256 of a file's bytes as 64 hex digits (a directory: of its files in name order, each
/// path then content). Throws gp::InputError when unreadable.
std::string sha256_file(const std::string& path);
/// The same, calling `read(bytes)` as it goes (every few MiB and at the end; the bytes since the
/// last call) for progress.
std::string sha256_file(const std::string& path, const std::function<void(double)>& read);
/// SHA-256 of bytes, 64 hex digits.
std::string sha256_hex(const std::string& bytes);

}  // namespace gp::io
