#include "planner/io/export.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include <sqlite3.h>

#include "planner/core/errors.hpp"
#include "planner/io/gdal_support.hpp"
#include "planner/io/qgis_style.hpp"

namespace gp::io {
namespace {

namespace fs = std::filesystem;
using report::FieldType;
using report::GeometryKind;
using report::LayerTable;

void register_gdal() {
  static const bool registered = [] {
    GDALAllRegister();
    return true;
  }();
  (void)registered;
}

OGRLinearRing* make_ring(const Ring& ring) {
  auto* out = new OGRLinearRing();
  out->setNumPoints(static_cast<int>(ring.size()), FALSE);
  for (std::size_t i = 0; i < ring.size(); ++i)
    out->setPoint(static_cast<int>(i), ring[i].x, ring[i].y);
  if (!ring.empty() && !(ring.front() == ring.back())) out->closeRings();
  return out;
}

OGRMultiPolygon* make_multipolygon(const MultiPolygon& shape) {
  auto* out = new OGRMultiPolygon();
  for (const Polygon& polygon : shape) {
    if (polygon.outer.size() < 4) continue;
    auto* p = new OGRPolygon();
    p->addRingDirectly(make_ring(polygon.outer));
    for (const Ring& hole : polygon.holes)
      if (hole.size() >= 4) p->addRingDirectly(make_ring(hole));
    out->addGeometryDirectly(p);
  }
  return out;
}

/// Cuts UTF-8 text to at most `bytes` bytes without splitting a character.
std::string utf8_prefix(const std::string& text, std::size_t bytes) {
  if (text.size() <= bytes) return text;
  std::size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

OGRFieldType ogr_type(FieldType type) {
  switch (type) {
    case FieldType::integer:
      return OFTInteger64;
    case FieldType::real:
      return OFTReal;
    case FieldType::text:
      return OFTString;
  }
  return OFTString;
}

OGRwkbGeometryType ogr_geometry(GeometryKind kind) {
  switch (kind) {
    case GeometryKind::none:
      return wkbNone;
    case GeometryKind::point:
      return wkbPoint;
    case GeometryKind::polygon:
      return wkbMultiPolygon;
  }
  return wkbUnknown;
}

struct Target {
  const char* driver;
  bool shapefile = false;
  std::vector<std::string> dataset_options;
  std::vector<std::string> layer_options;
};

std::vector<const char*> c_options(const std::vector<std::string>& options) {
  std::vector<const char*> out;
  for (const std::string& o : options) out.push_back(o.c_str());
  out.push_back(nullptr);
  return out;
}

/// Features written so far out of all an export writes, reported as stage "export". Units: one
/// per feature written in each format, and `kRtreeUnits` per feature of a GeoPackage layer for
/// its R-tree spatial index (built in one SQLite statement when the layer is synced: 100k
/// features took 4.2 s on the loaded machine, against 0.6 s to write them).
class ExportProgress {
 public:
  // A GeoPackage feature's R-tree entry costs about seven feature writes (the measurement above),
  // and SQLite's progress handler fires every kRtreeSteps virtual-machine steps: 0.146 times per
  // polygon indexed at 3,000 features, 0.159 at 100,000 (the tree gets deeper), ~0.11 for a grid
  // of points. Counted as 0.10, the display reaches the layer's share before SQLite ends (and
  // goes on reporting it) rather than jump at its end.
  static constexpr double kRtreeUnits = 6.0;
  static constexpr int kRtreeSteps = 1000;
  static constexpr double kRtreeCallbacksPerFeature = 0.10;

  ExportProgress(const ExportOptions& options, double total)
      : progress_(options.progress),
        begin_(options.progress_begin),
        end_(options.progress_end),
        total_(std::max(total, 1.0)) {}
  /// One feature written; every kEvery features the display moves.
  void feature() {
    done_ += 1.0;
    if (++since_report_ >= kEvery) report();
  }
  void report() {
    since_report_ = 0;
    if (progress_)
      progress_->update("export", begin_ + (end_ - begin_) * std::min(1.0, done_ / total_));
  }
  [[nodiscard]] bool enabled() const { return progress_ != nullptr; }

  /// A layer's R-tree of `features` entries is being built: SQLite's progress handler calls this
  /// every kRtreeSteps steps. Its units go up to the layer's share and no further (the count of
  /// steps per feature is an estimate); `rtree_done` settles the rest. Reported at most every
  /// 0.1 s. Returns false once cancellation is asked (the handler then interrupts SQLite).
  bool rtree_step() noexcept {
    rtree_units_ = std::min(rtree_budget_, rtree_units_ + kRtreeUnits / kRtreeCallbacksPerFeature);
    if (progress_ == nullptr) return true;
    try {
      const double now = progress_->now();
      if (now - last_rtree_report_ < 0.1) {
        cancelled_ = progress_->cancel_requested();
        return !cancelled_;
      }
      last_rtree_report_ = now;
      progress_->update("export",
                        begin_ + (end_ - begin_) * std::min(1.0, (done_ + rtree_units_) / total_));
      return true;
    } catch (...) {
      cancelled_ = true;  // Cancelled: rethrown by the caller once SQLite has returned
      return false;
    }
  }
  void rtree_begin(double features) {
    rtree_budget_ = features * kRtreeUnits;
    rtree_units_ = 0.0;
    last_rtree_report_ = progress_ ? progress_->now() : 0.0;
  }
  void rtree_done() {
    done_ += rtree_budget_;
    rtree_budget_ = rtree_units_ = 0.0;
    if (cancelled_) throw Cancelled();
    report();
  }

 private:
  // ~4096 polygon features take a few tens of milliseconds to write to a GeoPackage.
  static constexpr std::size_t kEvery = 4096;
  Progress* progress_;
  double begin_, end_;
  double total_;
  double done_ = 0.0;
  std::size_t since_report_ = 0;
  double rtree_budget_ = 0.0, rtree_units_ = 0.0, last_rtree_report_ = 0.0;
  bool cancelled_ = false;
};

/// SQLite's progress handler (a C callback: it never throws; a non-zero return interrupts the
/// statement, which the caller then reports as the cancellation it was).
int export_rtree_progress(void* context) noexcept {
  return static_cast<ExportProgress*>(context)->rtree_step() ? 0 : 1;
}

/// Writes layers into one GDAL dataset at `path` (GeoPackage: all layers; Shapefile directory or
/// GeoJSON file: the caller passes one layer).
void write_dataset(const std::string& path, const std::vector<const LayerTable*>& layers,
                   const Target& target, OGRSpatialReference* srs,
                   OGRCoordinateTransformation* transform, ExportProgress& progress) {
  register_gdal();
  detail::GdalErrorCollector errors;
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(target.driver);
  if (!driver) throw OutputError(std::string("export: GDAL has no ") + target.driver + " driver");
  auto dataset_options = c_options(target.dataset_options);
  GDALDatasetUniquePtr dataset(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown,
                                              const_cast<char**>(dataset_options.data())));
  if (!dataset) throw OutputError("export: cannot create '" + path + "': " + errors.failure_text());
  const bool transactions = std::string(target.driver) == "GPKG";
  for (const LayerTable* table : layers) {
    std::vector<std::string> layer_options = target.layer_options;
    if (transactions) {
      layer_options.push_back("IDENTIFIER=" + table->chinese + " " + table->name);
      layer_options.push_back("DESCRIPTION=GridPlanner " + table->name);
    }
    auto options = c_options(layer_options);
    OGRLayer* layer = dataset->CreateLayer(
        table->name.c_str(), table->geometry == GeometryKind::none ? nullptr : srs,
        ogr_geometry(table->geometry), const_cast<char**>(options.data()));
    if (!layer)
      throw OutputError("export: cannot create layer '" + table->name + "' in '" + path +
                        "': " + errors.failure_text());
    for (const report::FieldDef& def : table->fields) {
      const std::string& name = target.shapefile ? def.short_name : def.name;
      OGRFieldDefn field(name.c_str(), ogr_type(def.type));
      if (def.type == FieldType::text && target.shapefile) field.SetWidth(254);
      field.SetAlternativeName(def.chinese.c_str());
      if (layer->CreateField(&field) != OGRERR_NONE)
        throw OutputError("export: cannot create field '" + name + "' of layer '" + table->name +
                          "' in '" + path + "': " + errors.failure_text());
    }
    if (transactions) dataset->StartTransaction();
    for (const report::Feature& f : table->features) {
      OGRFeatureUniquePtr feature(OGRFeature::CreateFeature(layer->GetLayerDefn()));
      for (std::size_t i = 0; i < f.values.size(); ++i) {
        const int index = static_cast<int>(i);
        const report::FieldValue& v = f.values[i];
        if (const auto* n = std::get_if<long long>(&v))
          feature->SetField(index, static_cast<GIntBig>(*n));
        else if (const auto* d = std::get_if<double>(&v))
          feature->SetField(index, *d);
        else if (const auto* s = std::get_if<std::string>(&v))
          feature->SetField(index, (target.shapefile ? utf8_prefix(*s, 254) : *s).c_str());
        else
          feature->SetFieldNull(index);
      }
      OGRGeometry* geometry = nullptr;
      if (table->geometry == GeometryKind::polygon && f.polygon && !f.polygon->empty())
        geometry = make_multipolygon(*f.polygon);
      else if (table->geometry == GeometryKind::point && f.has_point)
        geometry = new OGRPoint(f.point.x, f.point.y);
      if (geometry) {
        if (transform && geometry->transform(transform) != OGRERR_NONE) {
          delete geometry;
          throw OutputError("export: cannot reproject a feature of layer '" + table->name +
                            "' to the output CRS: " + errors.failure_text());
        }
        feature->SetGeometryDirectly(geometry);
      }
      if (layer->CreateFeature(feature.get()) != OGRERR_NONE)
        throw OutputError("export: writing a feature of layer '" + table->name + "' to '" + path +
                          "' failed: " + errors.failure_text());
      progress.feature();
    }
    if (transactions && dataset->CommitTransaction() != OGRERR_NONE)
      throw OutputError("export: writing layer '" + table->name + "' to '" + path +
                        "' failed: " + errors.failure_text());
    if (transactions) {
      // The GeoPackage driver defers each layer's R-tree spatial index to the dataset's close,
      // where all of them were built in one silent call (real 100k town: ~2 s on the loaded
      // machine, the export's longest gap). Built here, layer by layer, with SQLite's progress
      // handler counting the statement's steps, the display moves through it; the file holds
      // the same tables and rows.
      auto* db = table->geometry == GeometryKind::none || !progress.enabled()
                     ? nullptr
                     : static_cast<sqlite3*>(dataset->GetInternalHandle("SQLITE_HANDLE"));
      progress.rtree_begin(table->geometry == GeometryKind::none
                               ? 0.0
                               : static_cast<double>(table->features.size()));
      if (db)
        sqlite3_progress_handler(db, ExportProgress::kRtreeSteps, export_rtree_progress, &progress);
      const OGRErr synced = layer->SyncToDisk();
      if (db) sqlite3_progress_handler(db, 0, nullptr, nullptr);
      progress.rtree_done();  // throws Cancelled if the handler interrupted SQLite for it
      if (synced != OGRERR_NONE)
        throw OutputError("export: writing layer '" + table->name + "' to '" + path +
                          "' failed: " + errors.failure_text());
    }
  }
  // GDAL 3.6: closing returns nothing; write errors surface through the error handler.
  dataset->FlushCache(true);
  dataset.reset();
  if (errors.failures() > 0)
    throw OutputError(
        "export: writing '" + path + "' failed: " +
        (errors.first_failure().empty() ? "unknown GDAL error" : errors.first_failure()));
}

std::string random_suffix() {
  std::random_device device;
  std::mt19937_64 generator(device());
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 6; ++i) out += digits[generator() % 16];
  return out;
}

bool inside(const fs::path& path, const fs::path& dir) {
  auto p = path.begin();
  for (auto d = dir.begin(); d != dir.end(); ++d, ++p)
    if (p == path.end() || *p != *d) return false;
  return true;
}

// SHA-256 (FIPS 180-4).
class Sha256 {
 public:
  void update(const unsigned char* data, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) {
      block_[filled_++] = data[i];
      if (filled_ == 64) {
        compress();
        filled_ = 0;
      }
    }
    length_ += size;
  }
  std::string hex() {
    const std::uint64_t bits = length_ * 8;
    const unsigned char one = 0x80, zero = 0;
    update(&one, 1);
    while (filled_ != 56) update(&zero, 1);
    unsigned char tail[8];
    for (int i = 0; i < 8; ++i) tail[i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
    update(tail, 8);
    std::string out;
    char text[9];
    for (std::uint32_t h : state_) {
      std::snprintf(text, sizeof text, "%08x", h);
      out += text;
    }
    return out;
  }

 private:
  static std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
  void compress() {
    static constexpr std::array<std::uint32_t, 64> k{
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    std::array<std::uint32_t, 64> w{};
    for (int i = 0; i < 16; ++i)
      w[i] = (std::uint32_t{block_[4 * i]} << 24) | (std::uint32_t{block_[4 * i + 1]} << 16) |
             (std::uint32_t{block_[4 * i + 2]} << 8) | std::uint32_t{block_[4 * i + 3]};
    for (int i = 16; i < 64; ++i) {
      const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::array<std::uint32_t, 8> v = state_;
    for (int i = 0; i < 64; ++i) {
      const std::uint32_t s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
      const std::uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
      const std::uint32_t t1 = v[7] + s1 + ch + k[i] + w[i];
      const std::uint32_t s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
      const std::uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
      const std::uint32_t t2 = s0 + maj;
      v = {t1 + t2, v[0], v[1], v[2], v[3] + t1, v[4], v[5], v[6]};
    }
    for (int i = 0; i < 8; ++i) state_[i] += v[i];
  }
  std::array<std::uint32_t, 8> state_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<unsigned char, 64> block_{};
  std::size_t filled_ = 0;
  std::uint64_t length_ = 0;
};

void hash_file(Sha256& hash, const fs::path& path, const std::function<void(double)>& read) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("checksum: cannot read '" + path.string() + "'");
  std::array<char, 1 << 16> buffer;
  // `read` after every 4 MiB (≈ 20 ms of hashing): a plan.gpkg of 100 MB is a second or two.
  constexpr std::size_t kReportBytes = std::size_t{1} << 22;
  std::size_t unreported = 0;
  while (in) {
    in.read(buffer.data(), buffer.size());
    const auto n = static_cast<std::size_t>(in.gcount());
    hash.update(reinterpret_cast<const unsigned char*>(buffer.data()), n);
    unreported += n;
    if (read && unreported >= kReportBytes) {
      read(static_cast<double>(unreported));
      unreported = 0;
    }
  }
  if (read && unreported > 0) read(static_cast<double>(unreported));
}

}  // namespace

std::string sha256_hex(const std::string& bytes) {
  Sha256 hash;
  hash.update(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return hash.hex();
}

std::string sha256_file(const std::string& path) {
  return sha256_file(path, {});
}

std::string sha256_file(const std::string& path, const std::function<void(double)>& read) {
  Sha256 hash;
  if (fs::is_directory(path)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(path))
      if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      const std::string name = fs::relative(file, path).generic_string();
      hash.update(reinterpret_cast<const unsigned char*>(name.data()), name.size() + 1);
      hash_file(hash, file, read);
    }
  } else {
    hash_file(hash, path, read);
  }
  return hash.hex();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw OutputError("cannot create '" + path + "'");
  out << text;
  out.close();
  if (!out) throw OutputError("writing '" + path + "' failed (disk full?)");
}

std::string input_crs(const LoadResult& loaded) {
  std::set<int> codes;
  for (const SourceReport& source : loaded.sources)
    for (const LayerReport& layer : source.layers) {
      if (layer.role == LayerRole::unknown || layer.read == 0) continue;
      codes.insert(layer.crs_epsg);
    }
  if (codes.size() == 1 && *codes.begin() != 0) return "EPSG:" + std::to_string(*codes.begin());
  return "";
}

ExportResult export_layers(const std::vector<LayerTable>& layers, const std::string& source_crs_wkt,
                           const std::string& dir, const ExportOptions& options) {
  register_gdal();
  for (const std::string& format : options.formats)
    if (format != "gpkg" && format != "shp" && format != "geojson")
      throw ConfigError("export: unknown format '" + format + "'; use shp and/or geojson");
  std::string encoding;
  if (options.shapefile_encoding == "UTF-8" || options.shapefile_encoding.empty())
    encoding = "UTF-8";
  else if (options.shapefile_encoding == "GBK" || options.shapefile_encoding == "CP936")
    encoding = "CP936";
  else
    throw ConfigError("export: Shapefile encoding must be UTF-8 or GBK, not '" +
                      options.shapefile_encoding + "'");

  detail::SrsPtr source(new OGRSpatialReference());
  source->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  if (source->importFromWkt(source_crs_wkt.c_str()) != OGRERR_NONE)
    throw ConfigError("export: the dataset's CRS is not valid WKT");
  detail::SrsPtr target = options.crs.empty() ? detail::srs_clone(*source)
                                              : detail::srs_from_user_input(options.crs, "--crs");
  detail::TransformPtr transform;
  if (!target->IsSame(source.get())) {
    transform.reset(OGRCreateCoordinateTransformation(source.get(), target.get()));
    if (!transform)
      throw ConfigError("export: cannot transform from " + detail::srs_name(*source) + " to " +
                        options.crs);
  }
  ExportResult result;
  result.crs_name = detail::srs_name(*target);
  result.crs_epsg = detail::srs_epsg(*target);

  std::vector<const LayerTable*> all;
  for (const LayerTable& l : layers) all.push_back(&l);
  const fs::path root(dir);
  const bool shp =
      std::find(options.formats.begin(), options.formats.end(), "shp") != options.formats.end();
  const bool geojson =
      std::find(options.formats.begin(), options.formats.end(), "geojson") != options.formats.end();
  double features = 0, indexed = 0;
  for (const LayerTable& l : layers) {
    features += static_cast<double>(l.features.size());
    if (l.geometry != GeometryKind::none) indexed += static_cast<double>(l.features.size());
  }
  ExportProgress progress(options, features * (1 + (shp ? 1 : 0) + (geojson ? 1 : 0)) +
                                       indexed * ExportProgress::kRtreeUnits);
  progress.report();
  write_dataset((root / "plan.gpkg").string(), all, {"GPKG", false, {}, {"FID=fid"}}, target.get(),
                transform.get(), progress);
  // QGIS opens every layer styled: the default styles in the GeoPackage's layer_styles table.
  write_layer_styles((root / "plan.gpkg").string(), qgis_styles(layers, options.style, false));
  result.files.push_back("plan.gpkg");
  if (shp) {
    fs::create_directories(root / "shp");
    std::string aliases = "\xEF\xBB\xBFlayer,field,name,chinese,type,description\r\n";
    for (const LayerTable& layer : layers) {
      std::set<std::string> names;
      for (const report::FieldDef& f : layer.fields) {
        if (f.short_name.size() > 10 || !names.insert(f.short_name).second)
          throw OutputError("export: Shapefile field name '" + f.short_name + "' of layer '" +
                            layer.name + "' is longer than 10 characters or repeated");
        const char* type = f.type == FieldType::integer ? "integer"
                           : f.type == FieldType::real  ? "real"
                                                        : "text";
        aliases += layer.name + "," + f.short_name + "," + f.name + "," + f.chinese + "," + type +
                   ",\"" + f.description + "\"\r\n";
      }
      // One Shapefile per layer: a directory data source holds <layer>.shp/.shx/.dbf/.prj/.cpg.
      write_dataset((root / "shp").string(), {&layer},
                    {"ESRI Shapefile", true, {}, {"ENCODING=" + encoding}}, target.get(),
                    transform.get(), progress);
      for (const char* ext : {".shp", ".shx", ".dbf", ".prj", ".cpg"})
        if (fs::exists(root / "shp" / (layer.name + ext)))
          result.files.push_back("shp/" + layer.name + ext);
      // The sidecar style QGIS loads with the Shapefile (<layer>.qml); further styles of the
      // layer as <layer>.<style>.qml to load by hand.
      for (const LayerStyle& style : qgis_styles({layer}, options.style, true)) {
        const std::string file =
            "shp/" + layer.name + (style.is_default ? "" : "." + style.key) + ".qml";
        write_text((root / file).string(), style.qml);
        result.files.push_back(file);
      }
    }
    write_text((root / "shp" / "fields.csv").string(), aliases);
    result.files.push_back("shp/fields.csv");
  }
  if (geojson) {
    fs::create_directories(root / "geojson");
    const bool geographic = target->IsGeographic();
    for (const LayerTable& layer : layers) {
      const std::string file = (root / "geojson" / (layer.name + ".geojson")).string();
      write_dataset(file, {&layer},
                    {"GeoJSON",
                     false,
                     {},
                     {"RFC7946=NO", std::string("COORDINATE_PRECISION=") + (geographic ? "8" : "3"),
                      "WRITE_NAME=YES"}},
                    target.get(), transform.get(), progress);
      result.files.push_back("geojson/" + layer.name + ".geojson");
    }
  }
  progress.report();
  return result;
}

OutputDirectory::OutputDirectory(std::string final_dir, bool overwrite,
                                 const std::vector<std::string>& inputs)
    : overwrite_(overwrite) {
  if (final_dir.empty()) throw OutputError("no output directory given (--out DIR)");
  const fs::path final_path = fs::weakly_canonical(fs::absolute(final_dir));
  final_ = final_path.string();
  for (const std::string& input : inputs) {
    if (input.empty()) continue;
    const fs::path in = fs::weakly_canonical(fs::absolute(input));
    if (inside(in, final_path) || in == final_path)
      throw OutputError("output directory '" + final_ + "' holds the input '" + in.string() +
                        "'; inputs are never written over: choose another --out");
  }
  std::error_code ec;
  if (fs::exists(final_path, ec)) {
    if (!overwrite)
      throw OutputError("output directory '" + final_ +
                        "' exists; pass --overwrite to replace it, or choose another --out");
    if (!fs::is_directory(final_path))
      throw OutputError("'" + final_ + "' exists and is not a directory");
  }
  fs::create_directories(final_path.parent_path(), ec);
  if (ec)
    throw OutputError("cannot create '" + final_path.parent_path().string() + "': " + ec.message());
  for (int attempt = 0; attempt < 10; ++attempt) {
    const std::string candidate = final_ + ".tmp-" + random_suffix();
    if (fs::create_directory(candidate, ec)) {
      temp_ = candidate;
      return;
    }
  }
  throw OutputError("cannot create a temporary directory next to '" + final_ +
                    "': " + ec.message());
}

OutputDirectory::~OutputDirectory() {
  if (committed_ || temp_.empty()) return;
  std::error_code ec;
  fs::remove_all(temp_, ec);
}

void OutputDirectory::commit() {
  std::error_code ec;
  std::string old;
  if (fs::exists(final_, ec)) {
    if (!overwrite_) throw OutputError("output directory '" + final_ + "' appeared meanwhile");
    old = final_ + ".old-" + random_suffix();
    fs::rename(final_, old, ec);
    if (ec) throw OutputError("cannot move the old '" + final_ + "' aside: " + ec.message());
  }
  fs::rename(temp_, final_, ec);
  if (ec) throw OutputError("cannot rename '" + temp_ + "' to '" + final_ + "': " + ec.message());
  committed_ = true;
  if (!old.empty()) fs::remove_all(old, ec);
}

}  // namespace gp::io
