#pragma once
// Basemaps under the plan (issue 7, item 8): an offline raster GDAL reads (GeoTIFF, MBTiles, any
// georeferenced raster) or an online XYZ tile URL template
// ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", fetched by GDAL's WMS driver with an on-disk
// tile cache). A window of the plan's projected CRS is warped into an RGBA image, north up, for
// the studio to draw under the grids. No GDAL types in this header.
//
// Thread safety: one Basemap may be read from one thread at a time (reads are serialised by a
// mutex inside); the studio reads on a worker thread so the map never waits for tiles.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "planner/core/geometry.hpp"

namespace gp::io {

/// Pixels row by row from the top (north) edge, 4 bytes each: R, G, B, A (not premultiplied).
/// Alpha 0 where the basemap has no data (outside the raster, a missing tile).
struct RgbaImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;
  /// R, G, B, A of pixel (x, y) packed as 0xRRGGBBAA (tests).
  [[nodiscard]] std::uint32_t rgba(int x, int y) const;
};

struct BasemapOptions {
  /// XYZ tiles: directory of the on-disk tile cache; empty: GDAL's default
  /// (GDAL_DEFAULT_WMS_CACHE_PATH, else ./gdalwmscache).
  std::string cache_dir;
  /// XYZ tiles: the HTTP User-Agent (tile servers such as OpenStreetMap's require one).
  std::string user_agent = "GridPlanner";
  /// XYZ tiles: the deepest zoom level the server has.
  int max_zoom = 19;
  /// XYZ tiles: seconds before a tile request gives up (the tile then stays transparent).
  int timeout_s = 10;
};

/// True when `source` is an XYZ URL template: it contains {z}, {x} and {y} (or {-y} for TMS
/// row order).
bool is_xyz_template(std::string_view source);

/// The URL of one tile: {z}, {x}, {y} replaced ({-y}: 2^z − 1 − y, TMS row order), and {s}
/// by "a" (a server letter).
std::string xyz_tile_url(std::string_view url_template, int z, int x, int y);

/// The attribution a tile server's terms ask for, from its URL ("© OpenStreetMap contributors"
/// for openstreetmap.org tiles); empty when unknown.
std::string known_attribution(std::string_view source);

class Basemap {
 public:
  /// Opens a raster file or an XYZ template. Throws gp::InputError naming the source when GDAL
  /// cannot open it or it has no georeferencing (a raster without CRS cannot be placed).
  static std::unique_ptr<Basemap> open(const std::string& source,
                                       const BasemapOptions& options = {});
  ~Basemap();
  Basemap(const Basemap&) = delete;
  Basemap& operator=(const Basemap&) = delete;

  /// The window `extent` of the CRS `crs_wkt` (the plan's projected CRS, Dataset::crs_wkt)
  /// resampled (bilinear) to width × height pixels. Throws gp::InputError when GDAL fails
  /// (an unreadable file; a tile server that cannot be reached leaves its tiles transparent).
  [[nodiscard]] RgbaImage read(const Box& extent, const std::string& crs_wkt, int width,
                               int height) const;

  /// The source as given.
  [[nodiscard]] const std::string& source() const;
  /// Attribution to show on the map: the raster's own (MBTiles metadata `attribution`, GDAL
  /// metadata item ATTRIBUTION) or known_attribution(source); may be empty.
  [[nodiscard]] const std::string& attribution() const;
  /// The raster's extent in `crs_wkt` (its corners transformed), for fitting the view.
  [[nodiscard]] Box extent_in(const std::string& crs_wkt) const;

 private:
  struct Impl;
  explicit Basemap(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gp::io
