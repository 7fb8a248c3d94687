#pragma once
// Rasterises a gp::Dataset to an RGB map image: communities (tinted, dashed outlines), water and
// rivers, compounds with their walls, roads drawn at their width by class, buildings coloured by
// use and height, rail, stations, plus a legend panel with a scale bar. Pure pixels, no GDAL:
// planner/io/png.hpp writes the image as a PNG (docs/images/demo-town.png, `gridplan synth --png`).

#include <cstdint>
#include <string>
#include <vector>

#include "planner/core/dataset.hpp"

namespace gp::report {

struct MapOptions {
  /// Width of the whole image in pixels (map plus legend panel); the height follows the extent.
  int width_px = 2400;
  /// Draw the legend panel on the right.
  bool legend = true;
  /// Title in the legend (ASCII: the legend uses the project's own 5×7 bitmap font).
  std::string title = "GRIDPLANNER DEMO TOWN (SYNTHETIC)";
};

/// 8-bit RGB pixels, row by row from the top, 3 bytes per pixel.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;
};

/// The map of `dataset`. Throws gp::InputError when the dataset has nothing to draw.
RgbImage rasterise_map(const Dataset& dataset, const MapOptions& options);

}  // namespace gp::report
