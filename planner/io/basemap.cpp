#include "planner/io/basemap.hpp"

#include <cpl_string.h>
#include <gdal_utils.h>

#include <algorithm>
#include <cmath>
#include <mutex>

#include "planner/core/errors.hpp"
#include "planner/core/text.hpp"
#include "planner/io/gdal_support.hpp"

namespace gp::io {
namespace {

void register_gdal() {
  static std::once_flag registered;
  std::call_once(registered, [] { GDALAllRegister(); });
}

struct DatasetCloser {
  void operator()(GDALDataset* ds) const {
    if (ds) GDALClose(ds);
  }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

/// Owns a NULL-terminated argument list for the GDAL utility functions.
class Args {
 public:
  Args& add(const std::string& a) {
    list_ = CSLAddString(list_, a.c_str());
    return *this;
  }
  ~Args() { CSLDestroy(list_); }
  char** get() const { return list_; }

 private:
  char** list_ = nullptr;
};

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

/// A GDAL WMS description of an XYZ tile service in Web Mercator (EPSG:3857), 256-pixel tiles,
/// row 0 at the top (or at the bottom for {-y}), with an on-disk cache.
std::string wms_xml(const std::string& url_template, const BasemapOptions& options) {
  const bool tms = url_template.find("{-y}") != std::string::npos;
  std::string url = replace_all(url_template, "{z}", "${z}");
  url = replace_all(url, "{x}", "${x}");
  url = replace_all(url, tms ? "{-y}" : "{y}", "${y}");
  url = replace_all(url, "{s}", "a");
  const char* half = "20037508.342789244";
  std::string xml = "<GDAL_WMS><Service name=\"TMS\"><ServerUrl>" + xml_escape(url) +
                    "</ServerUrl></Service><DataWindow><UpperLeftX>-" + half +
                    "</UpperLeftX><UpperLeftY>" + half + "</UpperLeftY><LowerRightX>" + half +
                    "</LowerRightX><LowerRightY>-" + half + "</LowerRightY><TileLevel>" +
                    std::to_string(std::clamp(options.max_zoom, 0, 22)) +
                    "</TileLevel><TileCountX>1</TileCountX><TileCountY>1</TileCountY><YOrigin>" +
                    (tms ? "bottom" : "top") +
                    "</YOrigin></DataWindow><Projection>EPSG:3857</Projection>"
                    "<BlockSizeX>256</BlockSizeX><BlockSizeY>256</BlockSizeY>"
                    "<BandsCount>4</BandsCount><MaxConnections>2</MaxConnections>"
                    "<ZeroBlockHttpCodes>204,404</ZeroBlockHttpCodes>"
                    "<ZeroBlockOnServerException>true</ZeroBlockOnServerException>"
                    "<Timeout>" +
                    std::to_string(std::max(1, options.timeout_s)) + "</Timeout><UserAgent>" +
                    xml_escape(options.user_agent) + "</UserAgent><Cache>";
  if (!options.cache_dir.empty()) xml += "<Path>" + xml_escape(options.cache_dir) + "</Path>";
  xml += "</Cache></GDAL_WMS>";
  return xml;
}

std::string metadata_attribution(GDALDataset& ds) {
  for (const char* domain : {"", "MBTILES"}) {
    char** md = ds.GetMetadata(domain);
    for (int i = 0; md && md[i]; ++i) {
      char* key = nullptr;
      const char* value = CPLParseNameValue(md[i], &key);
      const bool match = key && value && EQUAL(key, "attribution");
      CPLFree(key);
      if (match) return value;
    }
  }
  return "";
}

bool has_georeferencing(GDALDataset& ds) {
  double gt[6];
  return ds.GetSpatialRef() != nullptr && ds.GetGeoTransform(gt) == CE_None;
}

}  // namespace

std::uint32_t RgbaImage::rgba(int x, int y) const {
  const std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                         static_cast<std::size_t>(x)) *
                        4;
  return (std::uint32_t{pixels[i]} << 24) | (std::uint32_t{pixels[i + 1]} << 16) |
         (std::uint32_t{pixels[i + 2]} << 8) | std::uint32_t{pixels[i + 3]};
}

bool is_xyz_template(std::string_view source) {
  return source.find("{z}") != std::string_view::npos &&
         source.find("{x}") != std::string_view::npos &&
         (source.find("{y}") != std::string_view::npos ||
          source.find("{-y}") != std::string_view::npos);
}

std::string xyz_tile_url(std::string_view url_template, int z, int x, int y) {
  std::string url = replace_all(std::string(url_template), "{z}", std::to_string(z));
  url = replace_all(url, "{x}", std::to_string(x));
  url = replace_all(url, "{-y}", std::to_string((1 << z) - 1 - y));
  url = replace_all(url, "{y}", std::to_string(y));
  return replace_all(url, "{s}", "a");
}

std::string known_attribution(std::string_view source) {
  if (source.find("openstreetmap.org") != std::string_view::npos ||
      source.find("openstreetmap.fr") != std::string_view::npos)
    return "© OpenStreetMap contributors";
  return "";
}

struct Basemap::Impl {
  std::string source;
  std::string attribution;
  DatasetPtr dataset;  // expanded to RGBA through a VRT when paletted
  DatasetPtr original;
  mutable std::mutex mutex;
};

Basemap::Basemap(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Basemap::~Basemap() = default;

const std::string& Basemap::source() const {
  return impl_->source;
}
const std::string& Basemap::attribution() const {
  return impl_->attribution;
}

std::unique_ptr<Basemap> Basemap::open(const std::string& source, const BasemapOptions& options) {
  register_gdal();
  detail::GdalErrorCollector errors;
  auto impl = std::make_unique<Impl>();
  impl->source = source;
  const bool xyz = is_xyz_template(source);
  const std::string name = xyz ? wms_xml(source, options) : source;
  impl->original.reset(static_cast<GDALDataset*>(
      GDALOpenEx(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
  if (!impl->original)
    throw InputError("basemap '" + source + "': GDAL cannot open it as a raster" +
                     (errors.failures() ? " (" + errors.failure_text() + ")" : std::string()) +
                     "; give a GeoTIFF, an MBTiles file or an XYZ URL template with {z}, {x} "
                     "and {y}");
  if (!has_georeferencing(*impl->original))
    throw InputError("basemap '" + source +
                     "': the raster has no georeferencing (CRS and geotransform), so it "
                     "cannot be placed under the plan; georeference it first (gdal_translate "
                     "-a_srs -a_ullr, or a world file)");
  impl->attribution = metadata_attribution(*impl->original);
  if (impl->attribution.empty()) impl->attribution = known_attribution(source);
  // A paletted raster is expanded to RGBA once, through a virtual dataset.
  GDALRasterBand* first = impl->original->GetRasterBand(1);
  if (impl->original->GetRasterCount() == 1 && first && first->GetColorTable()) {
    Args args;
    args.add("-of").add("VRT").add("-expand").add("rgba");
    GDALTranslateOptions* t = GDALTranslateOptionsNew(args.get(), nullptr);
    impl->dataset.reset(GDALDataset::FromHandle(
        GDALTranslate("", GDALDataset::ToHandle(impl->original.get()), t, nullptr)));
    GDALTranslateOptionsFree(t);
  }
  if (!impl->dataset) {
    impl->dataset.reset(impl->original.release());
  }
  return std::unique_ptr<Basemap>(new Basemap(std::move(impl)));
}

RgbaImage Basemap::read(const Box& extent, const std::string& crs_wkt, int width,
                        int height) const {
  RgbaImage image;
  if (width <= 0 || height <= 0 || extent.empty()) return image;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  detail::GdalErrorCollector errors;
  GDALDataset& src = *impl_->dataset;
  const int bands = src.GetRasterCount();
  const bool src_alpha =
      bands > 0 && src.GetRasterBand(bands)->GetColorInterpretation() == GCI_AlphaBand;
  const std::string srs = crs_wkt.empty() ? std::string("EPSG:3857") : crs_wkt;
  Args args;
  args.add("-of").add("MEM").add("-t_srs").add(srs);
  args.add("-te")
      .add(CPLSPrintf("%.17g", extent.min_x))
      .add(CPLSPrintf("%.17g", extent.min_y))
      .add(CPLSPrintf("%.17g", extent.max_x))
      .add(CPLSPrintf("%.17g", extent.max_y));
  args.add("-ts").add(std::to_string(width)).add(std::to_string(height));
  args.add("-r").add("bilinear").add("-ot").add("Byte");
  if (!src_alpha) args.add("-dstalpha");
  GDALWarpAppOptions* options = GDALWarpAppOptionsNew(args.get(), nullptr);
  GDALDatasetH in = GDALDataset::ToHandle(&src);
  int usage_error = 0;
  DatasetPtr out(GDALDataset::FromHandle(GDALWarp("", nullptr, 1, &in, options, &usage_error)));
  GDALWarpAppOptionsFree(options);
  if (!out)
    throw InputError("basemap '" + impl_->source + "': cannot read the window (" +
                     errors.failure_text() + ")");
  const int n = out->GetRasterCount();
  image.width = width;
  image.height = height;
  image.pixels.assign(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 4, 0);
  // Output bands: colour band(s) then alpha. Gray (+ alpha) repeats the gray band.
  const int colour = std::max(1, n - 1);
  for (int channel = 0; channel < 4; ++channel) {
    const int band = channel == 3 ? n : std::min(channel + 1, colour);
    if (band < 1) continue;
    const CPLErr e = out->GetRasterBand(band)->RasterIO(
        GF_Read, 0, 0, width, height, image.pixels.data() + channel, width, height, GDT_Byte, 4,
        static_cast<GSpacing>(width) * 4, nullptr);
    if (e != CE_None)
      throw InputError("basemap '" + impl_->source + "': cannot read band " + std::to_string(band) +
                       " (" + errors.failure_text() + ")");
  }
  return image;
}

Box Basemap::extent_in(const std::string& crs_wkt) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Box box;
  GDALDataset& src = *impl_->dataset;
  double gt[6];
  if (src.GetGeoTransform(gt) != CE_None || !src.GetSpatialRef()) return box;
  detail::SrsPtr from = detail::srs_clone(*src.GetSpatialRef());
  detail::SrsPtr to = detail::srs_from_user_input(crs_wkt, "basemap target CRS");
  detail::TransformPtr ct(OGRCreateCoordinateTransformation(from.get(), to.get()));
  if (!ct) return box;
  const int w = src.GetRasterXSize(), h = src.GetRasterYSize();
  // Corners and edge midpoints (a reprojected rectangle bulges).
  for (int i = 0; i <= 4; ++i)
    for (int j = 0; j <= 4; ++j) {
      if (i != 0 && i != 4 && j != 0 && j != 4) continue;
      const double px = w * i / 4.0, py = h * j / 4.0;
      double x = gt[0] + px * gt[1] + py * gt[2];
      double y = gt[3] + px * gt[4] + py * gt[5];
      if (ct->Transform(1, &x, &y)) box.expand(Point{x, y});
    }
  return box;
}

}  // namespace gp::io
