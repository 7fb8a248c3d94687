#pragma once
// PNG files through GDAL: a rasterised map (planner/report/raster_map.hpp) written atomically.
// No GDAL types in this header.

#include <string>

#include "planner/core/dataset.hpp"
#include "planner/report/raster_map.hpp"

namespace gp::io {

struct RenderOptions : report::MapOptions {
  /// Replace an existing file.
  bool overwrite = false;
};

/// Writes `image` to `path` (PNG, 8-bit RGB, no .aux.xml sidecar). Atomic: written to a temporary
/// file in the same directory, then renamed. Throws gp::OutputError when the file exists without
/// `overwrite` or cannot be written.
void write_png(const report::RgbImage& image, const std::string& path, bool overwrite);

/// The map of `dataset` (report::rasterise_map) written with write_png. Throws gp::OutputError
/// (as write_png), gp::InputError when the dataset has nothing to draw.
void render_png(const Dataset& dataset, const std::string& path, const RenderOptions& options);

}  // namespace gp::io
