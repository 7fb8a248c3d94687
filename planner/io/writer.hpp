#pragma once
// Writes a gp::Dataset to a GeoPackage in the layer convention the loaders read (see
// docs/demo-town.md "Layers"): buildings, compounds, communities, roads, rivers, water, rail,
// stations, grids. No GDAL types in this header.

#include <string>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/core/progress.hpp"

namespace gp::io {

struct GpkgWriteOptions {
  /// Replace an existing output file. Without it an existing file is an error.
  bool overwrite = false;
  /// Files that must never be written (the run's inputs). Dataset::sources are checked too.
  std::vector<std::string> inputs;
  /// When set (e.g. "2024-06-03T00:00:00Z"), GeoPackage timestamps use this instant instead of the
  /// clock, so regenerating the same data gives a byte-identical file (committed demo data).
  std::string fixed_timestamp;
};

/// Writes every non-empty layer of `dataset` to `path` (the buildings layer always). Coordinates
/// are written as they are, in the dataset's CRS (crs_wkt, else EPSG crs_epsg; precondition: one of
/// them is set). Atomic: the file is written next to `path` under a temporary name and renamed
/// when complete, so an interrupted write never leaves a file that looks complete.
/// Throws gp::OutputError when `path` is an input, exists without `overwrite`, or cannot be
/// written.
void write_gpkg(const Dataset& dataset, const std::string& path, const GpkgWriteOptions& options,
                Progress* progress = nullptr);

}  // namespace gp::io
