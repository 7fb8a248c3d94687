#pragma once
// Helpers for the io tests: a temporary directory and a small GDAL writer that makes input files
// from WKT, so most test inputs are created by the tests themselves instead of kept in git.

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace gp::io::test {

inline void register_gdal() {
  static const bool registered = [] {
    GDALAllRegister();
    return true;
  }();
  (void)registered;
}

/// A fresh directory under the system temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  explicit TempDir(const std::string& name) {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("gridplan-io-" + name + "-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

struct TestField {
  std::string name;
  OGRFieldType type = OFTString;
};

struct TestFeature {
  std::string wkt;  // empty: no geometry
  std::vector<std::pair<std::string, std::string>> values;
};

/// Writes one layer with `driver` ("ESRI Shapefile", "GPKG", "GeoJSON", "FlatGeobuf"). `epsg` 0
/// writes no CRS. For GeoPackage an existing file gets the layer added.
inline void write_layer(const std::string& path, const char* driver_name, const std::string& layer,
                        int epsg, OGRwkbGeometryType type, const std::vector<TestField>& fields,
                        const std::vector<TestFeature>& features,
                        const std::vector<std::string>& layer_options = {}) {
  register_gdal();
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name);
  if (!driver) throw std::runtime_error(std::string("no GDAL driver ") + driver_name);
  GDALDatasetUniquePtr dataset;
  if (std::filesystem::exists(path) && std::string(driver_name) == "GPKG")
    dataset.reset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
  else
    dataset.reset(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!dataset) throw std::runtime_error("cannot create " + path);
  OGRSpatialReference srs;
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  if (epsg != 0) srs.importFromEPSG(epsg);
  std::vector<const char*> options;
  for (const std::string& o : layer_options) options.push_back(o.c_str());
  options.push_back(nullptr);
  OGRLayer* out = dataset->CreateLayer(layer.c_str(), epsg != 0 ? &srs : nullptr, type,
                                       const_cast<char**>(options.data()));
  if (!out) throw std::runtime_error("cannot create layer " + layer + " in " + path);
  for (const TestField& f : fields) {
    OGRFieldDefn defn(f.name.c_str(), f.type);
    out->CreateField(&defn);
  }
  for (const TestFeature& tf : features) {
    OGRFeatureUniquePtr feature(OGRFeature::CreateFeature(out->GetLayerDefn()));
    for (const auto& [name, value] : tf.values) feature->SetField(name.c_str(), value.c_str());
    if (!tf.wkt.empty()) {
      OGRGeometry* geometry = nullptr;
      if (OGRGeometryFactory::createFromWkt(tf.wkt.c_str(), epsg != 0 ? &srs : nullptr,
                                            &geometry) != OGRERR_NONE)
        throw std::runtime_error("bad WKT " + tf.wkt);
      feature->SetGeometryDirectly(geometry);
    }
    if (out->CreateFeature(feature.get()) != OGRERR_NONE)
      throw std::runtime_error("cannot write a feature to " + path);
  }
}

/// A WKT rectangle (x0 y0, x0+w y0+h), closed, counter-clockwise.
inline std::string rect_wkt(double x0, double y0, double w, double h) {
  auto p = [](double x, double y) { return std::to_string(x) + " " + std::to_string(y); };
  return "POLYGON((" + p(x0, y0) + "," + p(x0 + w, y0) + "," + p(x0 + w, y0 + h) + "," +
         p(x0, y0 + h) + "," + p(x0, y0) + "))";
}

}  // namespace gp::io::test
