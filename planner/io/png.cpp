#include "planner/io/png.hpp"

#include <gdal_priv.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>
#include <vector>

#include "planner/core/errors.hpp"

namespace gp::io {

namespace fs = std::filesystem;

void write_png(const report::RgbImage& image, const std::string& path, bool overwrite) {
  const fs::path out(path);
  std::error_code ec;
  if (fs::exists(out, ec) && !overwrite)
    throw OutputError("map renderer: '" + path +
                      "' exists; choose another path or pass --overwrite");
  const int width = image.width, height = image.height;
  // Raster out through GDAL: a MEM dataset copied by the PNG driver.
  GDALAllRegister();
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  GDALDriver* png = GetGDALDriverManager()->GetDriverByName("PNG");
  if (!mem || !png) throw OutputError("map renderer: GDAL lacks the MEM or PNG driver");
  GDALDatasetUniquePtr raster(mem->Create("", width, height, 3, GDT_Byte, nullptr));
  if (!raster) throw OutputError("map renderer: cannot create an in-memory raster");
  std::vector<std::uint8_t> band(static_cast<std::size_t>(width) * height);
  for (int k = 0; k < 3; ++k) {
    for (std::size_t i = 0; i < band.size(); ++i)
      band[i] = image.rgb[i * 3 + static_cast<std::size_t>(k)];
    if (raster->GetRasterBand(k + 1)->RasterIO(GF_Write, 0, 0, width, height, band.data(), width,
                                               height, GDT_Byte, 0, 0) != CE_None)
      throw OutputError("map renderer: cannot fill the in-memory raster");
  }
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  const fs::path temp =
      dir / ("." + out.filename().string() + ".tmp-" + std::to_string(::getpid()) + ".png");
  {
    // No PNG metadata sidecar (.aux.xml) next to the map.
    CPLSetThreadLocalConfigOption("GDAL_PAM_ENABLED", "NO");
    GDALDatasetUniquePtr written(
        png->CreateCopy(temp.string().c_str(), raster.get(), FALSE, nullptr, nullptr, nullptr));
    CPLSetThreadLocalConfigOption("GDAL_PAM_ENABLED", nullptr);
    if (!written) {
      fs::remove(temp, ec);
      throw OutputError("map renderer: cannot write '" + path + "': " + CPLGetLastErrorMsg());
    }
  }
  fs::rename(temp, out, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw OutputError("map renderer: cannot move the finished map to '" + path +
                      "': " + ec.message());
  }
}

void render_png(const Dataset& dataset, const std::string& path, const RenderOptions& options) {
  // Refused before the (slow) rasterising when the file is there already.
  std::error_code ec;
  if (fs::exists(path, ec) && !options.overwrite)
    throw OutputError("map renderer: '" + path +
                      "' exists; choose another path or pass --overwrite");
  write_png(report::rasterise_map(dataset, options), path, options.overwrite);
}

}  // namespace gp::io
