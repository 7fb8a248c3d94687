#pragma once
// Renders a gp::Dataset to a PNG map: communities (tinted, dashed outlines), water and rivers,
// compounds with their walls, roads drawn at their width by class, buildings coloured by use and
// height, rail, stations, plus a legend panel with a scale bar. No GDAL types in this header.
// Used for docs/images/demo-town.png (`gridplan synth --png`) and quick looks at any dataset.

#include <string>

#include "planner/core/dataset.hpp"

namespace gp::io {

struct RenderOptions {
  /// Width of the whole image in pixels (map plus legend panel); the height follows the extent.
  int width_px = 2400;
  /// Draw the legend panel on the right.
  bool legend = true;
  /// Title in the legend (ASCII: the legend uses the project's own 5×7 bitmap font).
  std::string title = "GRIDPLANNER DEMO TOWN (SYNTHETIC)";
  /// Replace an existing file.
  bool overwrite = false;
};

/// Writes the map of `dataset` to `path` (PNG, 8-bit RGB). Atomic: written to a temporary file in
/// the same directory, then renamed. Throws gp::OutputError when the file exists without
/// `overwrite` or cannot be written; gp::InputError when the dataset has nothing to draw.
void render_png(const Dataset& dataset, const std::string& path, const RenderOptions& options);

}  // namespace gp::io
