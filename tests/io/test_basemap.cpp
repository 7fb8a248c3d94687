// Basemaps (planner/io/basemap.hpp): a GeoTIFF, an MBTiles file and XYZ tiles, each made by the
// test, read as RGBA windows in a projected CRS. No network: the XYZ tiles are served from GDAL's
// in-memory file system (/vsimem/ with CPL_CURL_ENABLE_VSIMEM, GDAL's own test hook).
#include <cpl_conv.h>
#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "io_test_support.hpp"
#include "planner/core/errors.hpp"
#include "planner/io/basemap.hpp"

using namespace gp;
using namespace gp::io;

namespace {

constexpr std::uint32_t kRed = 0xdc1e1eff;
constexpr std::uint32_t kBlue = 0x1e3cdcff;

std::string wkt_of(int epsg) {
  OGRSpatialReference srs;
  srs.importFromEPSG(epsg);
  char* wkt = nullptr;
  srs.exportToWkt(&wkt);
  std::string out = wkt;
  CPLFree(wkt);
  return out;
}

/// A w × h RGB raster in memory: left half red, right half blue, georeferenced by `gt`.
GDALDataset* two_colour_raster(int w, int h, int epsg, const double gt[6]) {
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  GDALDataset* ds = mem->Create("", w, h, 3, GDT_Byte, nullptr);
  double g[6];
  std::copy(gt, gt + 6, g);
  ds->SetGeoTransform(g);
  OGRSpatialReference srs;
  srs.importFromEPSG(epsg);
  ds->SetSpatialRef(&srs);
  std::vector<GByte> row(static_cast<std::size_t>(w));
  const GByte red[3] = {0xdc, 0x1e, 0x1e}, blue[3] = {0x1e, 0x3c, 0xdc};
  bool written = true;
  for (int b = 0; b < 3; ++b)
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) row[static_cast<std::size_t>(x)] = x < w / 2 ? red[b] : blue[b];
      written &= ds->GetRasterBand(b + 1)->RasterIO(GF_Write, 0, y, w, 1, row.data(), w, 1,
                                                    GDT_Byte, 0, 0, nullptr) == CE_None;
    }
  REQUIRE(written);
  return ds;
}

bool close_to(std::uint32_t a, std::uint32_t b, int tolerance = 6) {
  for (int shift = 0; shift < 32; shift += 8) {
    const int x = static_cast<int>((a >> shift) & 0xff), y = static_cast<int>((b >> shift) & 0xff);
    if (std::abs(x - y) > tolerance) return false;
  }
  return true;
}

/// Transforms a point between two EPSG CRSs (traditional x/y order).
Point transform(Point p, int from_epsg, int to_epsg) {
  OGRSpatialReference from, to;
  from.importFromEPSG(from_epsg);
  to.importFromEPSG(to_epsg);
  from.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  to.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  OGRCoordinateTransformation* ct = OGRCreateCoordinateTransformation(&from, &to);
  REQUIRE(ct);
  REQUIRE(ct->Transform(1, &p.x, &p.y));
  OGRCoordinateTransformation::DestroyCT(ct);
  return p;
}

Box box_around(Point c, double half) {
  Box b;
  b.expand(Point{c.x - half, c.y - half});
  b.expand(Point{c.x + half, c.y + half});
  return b;
}

}  // namespace

TEST_CASE("basemap: XYZ templates and tile URLs") {
  CHECK(is_xyz_template("https://tile.openstreetmap.org/{z}/{x}/{y}.png"));
  CHECK(is_xyz_template("http://example.com/tms/{z}/{x}/{-y}.jpg"));
  CHECK(!is_xyz_template("/data/town.tif"));
  CHECK(!is_xyz_template("https://example.com/{z}/{x}.png"));
  CHECK(xyz_tile_url("https://tile.openstreetmap.org/{z}/{x}/{y}.png", 15, 26752, 12400) ==
        "https://tile.openstreetmap.org/15/26752/12400.png");
  CHECK(xyz_tile_url("https://{s}.example.com/{z}/{x}/{-y}.png", 2, 1, 0) ==
        "https://a.example.com/2/1/3.png");
  CHECK(known_attribution("https://tile.openstreetmap.org/{z}/{x}/{y}.png") ==
        "© OpenStreetMap contributors");
  CHECK(known_attribution("/data/town.tif").empty());
}

TEST_CASE("basemap: a GeoTIFF window read in its own and in another projected CRS") {
  test::register_gdal();
  test::TempDir dir("basemap-tif");
  const std::string tif = dir.file("town.tif");
  // 200 m × 100 m at 1 m per pixel in CGCS2000 / 3-degree GK CM 114E (EPSG:4547).
  const double gt[6] = {500000.0, 1.0, 0.0, 4400100.0, 0.0, -1.0};
  {
    GDALDataset* mem = two_colour_raster(200, 100, 4547, gt);
    GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
    GDALDataset* out = gtiff->CreateCopy(tif.c_str(), mem, FALSE, nullptr, nullptr, nullptr);
    REQUIRE(out);
    GDALClose(out);
    GDALClose(mem);
  }
  auto basemap = Basemap::open(tif);
  CHECK(basemap->attribution().empty());
  const std::string gk = wkt_of(4547);

  SECTION("same CRS: left red, right blue, opaque") {
    Box window;
    window.expand(Point{500000, 4400000});
    window.expand(Point{500200, 4400100});
    const RgbaImage image = basemap->read(window, gk, 100, 50);
    REQUIRE(image.width == 100);
    REQUIRE(image.height == 50);
    REQUIRE(image.pixels.size() == 100u * 50u * 4u);
    CHECK(close_to(image.rgba(10, 25), kRed));
    CHECK(close_to(image.rgba(90, 25), kBlue));
    CHECK(close_to(image.rgba(45, 2), kRed));
  }
  SECTION("a window half outside the raster is transparent there") {
    Box window;
    window.expand(Point{499900, 4400000});
    window.expand(Point{500100, 4400100});
    const RgbaImage image = basemap->read(window, gk, 100, 50);
    CHECK((image.rgba(10, 25) & 0xff) == 0);  // west of the raster
    CHECK(close_to(image.rgba(80, 25), kRed));
  }
  SECTION("warped into UTM 50N (EPSG:32650)") {
    const Point red = transform(Point{500050, 4400050}, 4547, 32650);
    const Point blue = transform(Point{500150, 4400050}, 4547, 32650);
    const std::string utm = wkt_of(32650);
    const RgbaImage a = basemap->read(box_around(red, 10), utm, 20, 20);
    const RgbaImage b = basemap->read(box_around(blue, 10), utm, 20, 20);
    CHECK(close_to(a.rgba(10, 10), kRed));
    CHECK(close_to(b.rgba(10, 10), kBlue));
    const Box extent = basemap->extent_in(utm);
    // Grid convergence between CM 114°E and the UTM zone turns the rectangle by about 2°.
    CHECK(extent.width() == Approx(203).margin(5));
    CHECK(extent.height() == Approx(107).margin(10));
  }
}

TEST_CASE("basemap: an MBTiles file written by GDAL") {
  test::register_gdal();
  if (!GetGDALDriverManager()->GetDriverByName("MBTiles")) {
    WARN("GDAL has no MBTiles driver: skipped");
    return;
  }
  test::TempDir dir("basemap-mbtiles");
  const std::string mbtiles = dir.file("town.mbtiles");
  // A Web Mercator raster around 114.3°E 39.9°N, 2 km across.
  const Point centre = transform(Point{114.3, 39.9}, 4326, 3857);
  const double gt[6] = {centre.x - 1000.0, 10.0, 0.0, centre.y + 500.0, 0.0, -10.0};
  {
    GDALDataset* mem = two_colour_raster(200, 100, 3857, gt);
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("MBTiles");
    char** options = CSLSetNameValue(nullptr, "NAME", "test town");
    GDALDataset* out = driver->CreateCopy(mbtiles.c_str(), mem, FALSE, options, nullptr, nullptr);
    CSLDestroy(options);
    REQUIRE(out);
    GDALClose(out);
    GDALClose(mem);
  }
  auto basemap = Basemap::open(mbtiles);
  // Read in the plan's CRS: GK CM 114E (EPSG:4547).
  const std::string gk = wkt_of(4547);
  const Point west = transform(Point{centre.x - 500, centre.y}, 3857, 4547);
  const Point east = transform(Point{centre.x + 500, centre.y}, 3857, 4547);
  const RgbaImage a = basemap->read(box_around(west, 50), gk, 16, 16);
  const RgbaImage b = basemap->read(box_around(east, 50), gk, 16, 16);
  CHECK(close_to(a.rgba(8, 8), kRed, 12));
  CHECK(close_to(b.rgba(8, 8), kBlue, 12));
  // Far away: no tiles, transparent.
  const Point away = transform(Point{centre.x + 50000, centre.y}, 3857, 4547);
  CHECK((basemap->read(box_around(away, 50), gk, 8, 8).rgba(4, 4) & 0xff) == 0);
}

TEST_CASE("basemap: XYZ tiles fetched through GDAL from a local tile store") {
  test::register_gdal();
  // Tiles z/x/y for zoom 0..2: the western half of the world red, the eastern half blue.
  GDALDriver* png = GetGDALDriverManager()->GetDriverByName("PNG");
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  REQUIRE(png);
  for (int z = 0; z <= 2; ++z)
    for (int x = 0; x < (1 << z); ++x)
      for (int y = 0; y < (1 << z); ++y) {
        GDALDataset* tile = mem->Create("", 256, 256, 3, GDT_Byte, nullptr);
        const GByte red[3] = {0xdc, 0x1e, 0x1e}, blue[3] = {0x1e, 0x3c, 0xdc};
        std::vector<GByte> row(256);
        bool written = true;
        for (int b = 0; b < 3; ++b)
          for (int r = 0; r < 256; ++r) {
            for (int c = 0; c < 256; ++c) {
              const bool west = (x * 256 + c) < (1 << z) * 128;
              row[static_cast<std::size_t>(c)] = west ? red[b] : blue[b];
            }
            written &= tile->GetRasterBand(b + 1)->RasterIO(GF_Write, 0, r, 256, 1, row.data(), 256,
                                                            1, GDT_Byte, 0, 0, nullptr) == CE_None;
          }
        REQUIRE(written);
        const std::string path = xyz_tile_url("/vsimem/gridplan-tiles/{z}/{x}/{y}.png", z, x, y);
        GDALDataset* out = png->CreateCopy(path.c_str(), tile, FALSE, nullptr, nullptr, nullptr);
        REQUIRE(out);
        GDALClose(out);
        GDALClose(tile);
      }
  CPLSetConfigOption("CPL_CURL_ENABLE_VSIMEM", "YES");
  BasemapOptions options;
  options.max_zoom = 2;
  options.cache_dir = "/vsimem/gridplan-tile-cache";
  auto basemap = Basemap::open("/vsimem/gridplan-tiles/{z}/{x}/{y}.png", options);
  const std::string mercator = wkt_of(3857);
  const Point west = transform(Point{-60.0, 10.0}, 4326, 3857);
  const Point east = transform(Point{60.0, 10.0}, 4326, 3857);
  const RgbaImage a = basemap->read(box_around(west, 200000), mercator, 8, 8);
  const RgbaImage b = basemap->read(box_around(east, 200000), mercator, 8, 8);
  CPLSetConfigOption("CPL_CURL_ENABLE_VSIMEM", nullptr);
  CHECK(close_to(a.rgba(4, 4), kRed, 12));
  CHECK(close_to(b.rgba(4, 4), kBlue, 12));
  VSIRmdirRecursive("/vsimem/gridplan-tiles");
  VSIRmdirRecursive("/vsimem/gridplan-tile-cache");
}

TEST_CASE("basemap: a missing file or a raster without georeferencing is an input error") {
  test::register_gdal();
  test::TempDir dir("basemap-bad");
  CHECK_THROWS_AS(Basemap::open(dir.file("missing.tif")), InputError);
  const std::string plain = dir.file("plain.tif");
  {
    GDALDataset* ds = GetGDALDriverManager()->GetDriverByName("GTiff")->Create(
        plain.c_str(), 4, 4, 1, GDT_Byte, nullptr);
    GDALClose(ds);
  }
  CHECK_THROWS_WITH(Basemap::open(plain), Catch::Contains("no georeferencing"));
}
