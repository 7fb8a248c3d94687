// Writing towns to GeoPackage (read back with the GDAL API), the committed demo town against a
// fresh regeneration, and the PNG map.

#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "planner/core/errors.hpp"
#include "planner/io/png.hpp"
#include "planner/io/writer.hpp"
#include "planner/synth/town.hpp"

namespace fs = std::filesystem;

namespace {

/// A fresh temporary directory, removed with everything in it at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("gridplan-synth-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(counter()++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

GDALDatasetUniquePtr open_vector(const fs::path& path) {
  GDALAllRegister();
  return GDALDatasetUniquePtr(
      GDALDataset::Open(path.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
}

const gp::synth::SynthTown& demo_town() {
  static const gp::synth::SynthTown town = gp::synth::generate_town(gp::synth::SynthParams{});
  return town;
}

std::string geometry_mismatch(OGRGeometry* a, OGRGeometry* b) {
  if (!a || !b) return (a || b) ? "one geometry is missing" : "";
  if (a->getGeometryType() != b->getGeometryType()) return "geometry types differ";
  std::vector<unsigned char> wa(static_cast<std::size_t>(a->WkbSize())),
      wb(static_cast<std::size_t>(b->WkbSize()));
  a->exportToWkb(wkbNDR, wa.data());
  b->exportToWkb(wkbNDR, wb.data());
  if (wa == wb) return "";
  // Not byte-equal: allow 1e-6 m (another platform's libm in the river meander).
  OGREnvelope ea, eb;
  a->getEnvelope(&ea);
  b->getEnvelope(&eb);
  if (wa.size() != wb.size()) return "vertex counts differ";
  if (std::abs(ea.MinX - eb.MinX) > 1e-6 || std::abs(ea.MaxY - eb.MaxY) > 1e-6)
    return "coordinates differ";
  return "";  // same size, same envelope: differences below the tolerance
}

}  // namespace

TEST_CASE("synth: the GeoPackage writer round-trips the demo town through GDAL", "[synth][io]") {
  TempDir dir;
  const fs::path out = dir.path / "town.gpkg";
  const gp::Dataset& d = demo_town().dataset;
  gp::io::write_gpkg(d, out.string(), {});
  REQUIRE(fs::exists(out));
  // Nothing but the result is left in the directory (the temporary was renamed).
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir.path)) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 1);

  GDALDatasetUniquePtr ds = open_vector(out);
  REQUIRE(ds);
  std::map<std::string, OGRLayer*> layers;
  for (OGRLayer* l : ds->GetLayers()) layers[l->GetName()] = l;
  for (const char* name : {"buildings", "compounds", "communities", "roads", "rivers", "water",
                           "rail", "stations", "grids"})
    REQUIRE(layers.count(name) == 1);

  std::size_t roads = 0, rivers = 0, rail = 0;
  for (const gp::Line& l : d.lines)
    ++(l.kind == gp::LineKind::road ? roads : l.kind == gp::LineKind::river ? rivers : rail);
  CHECK(layers["buildings"]->GetFeatureCount() == static_cast<GIntBig>(d.buildings.size()));
  CHECK(layers["compounds"]->GetFeatureCount() == static_cast<GIntBig>(d.compounds.size()));
  CHECK(layers["communities"]->GetFeatureCount() == static_cast<GIntBig>(d.communities.size()));
  CHECK(layers["roads"]->GetFeatureCount() == static_cast<GIntBig>(roads));
  CHECK(layers["rivers"]->GetFeatureCount() == static_cast<GIntBig>(rivers));
  CHECK(layers["rail"]->GetFeatureCount() == static_cast<GIntBig>(rail));
  CHECK(layers["stations"]->GetFeatureCount() == static_cast<GIntBig>(d.stations.size()));
  CHECK(layers["grids"]->GetFeatureCount() == static_cast<GIntBig>(d.existing_grids.size()));

  // Field names and types of the layer convention the loaders read.
  OGRFeatureDefn* bdefn = layers["buildings"]->GetLayerDefn();
  const std::map<std::string, OGRFieldType> building_fields = {
      {"bid", OFTInteger64},      {"name", OFTString},     {"use", OFTString},
      {"floors", OFTInteger},     {"height", OFTReal},     {"units", OFTInteger},
      {"households", OFTInteger}, {"compound", OFTString}, {"community", OFTString}};
  for (const auto& [name, type] : building_fields) {
    const int index = bdefn->GetFieldIndex(name.c_str());
    REQUIRE(index >= 0);
    CHECK(bdefn->GetFieldDefn(index)->GetType() == type);
  }
  for (const char* f : {"class", "name", "bridge", "tunnel"})
    CHECK(layers["roads"]->GetLayerDefn()->GetFieldIndex(f) >= 0);
  for (const char* f : {"sid", "name", "tier", "floor_m2"})
    CHECK(layers["stations"]->GetLayerDefn()->GetFieldIndex(f) >= 0);
  for (const char* f : {"code", "name", "level", "parent", "locked"})
    CHECK(layers["grids"]->GetLayerDefn()->GetFieldIndex(f) >= 0);
  CHECK(layers["compounds"]->GetLayerDefn()->GetFieldIndex("management") >= 0);

  // CRS and Chinese text.
  const OGRSpatialReference* srs = layers["buildings"]->GetSpatialRef();
  REQUIRE(srs);
  CHECK(std::string(srs->GetAuthorityCode(nullptr)) == "4547");
  OGRFeatureUniquePtr first(layers["communities"]->GetNextFeature());
  REQUIRE(first);
  CHECK(std::string(first->GetFieldAsString("name")) == d.communities.front().name);
  CHECK(std::string(first->GetFieldAsString("name")) == "西城社区");
  CHECK(std::string(first->GetFieldAsString("code")) == d.communities.front().code);

  // Attributes of every building, in order.
  layers["buildings"]->ResetReading();
  std::size_t i = 0;
  long long households = 0;
  for (auto& f : *layers["buildings"]) {
    REQUIRE(i < d.buildings.size());
    const gp::Building& b = d.buildings[i++];
    REQUIRE(f->GetFieldAsInteger64("bid") == b.id);
    REQUIRE(f->GetFieldAsInteger("households") == b.households);
    REQUIRE(f->GetFieldAsInteger("units") == b.units);
    REQUIRE(std::string(f->GetFieldAsString("use")) == gp::to_string(b.use));
    households += f->GetFieldAsInteger("households");
  }
  CHECK(households == demo_town().summary.households);

  std::set<std::string> compound_names;
  for (auto& f : *layers["compounds"]) compound_names.insert(f->GetFieldAsString("name"));
  CHECK(compound_names.size() == d.compounds.size());
  for (auto& f : *layers["roads"])
    if (f->GetFieldAsInteger("bridge") == 1)
      CHECK(std::string(f->GetFieldAsString("name")).size() > 0);
}

TEST_CASE("synth: the writer refuses to overwrite without permission, and never an input",
          "[synth][io]") {
  TempDir dir;
  const fs::path out = dir.path / "town.gpkg";
  gp::Dataset tiny;
  tiny.crs_epsg = 4547;
  gp::Building b;
  b.id = 1;
  b.footprint = {gp::Polygon{{{478000, 4468000},
                              {478010, 4468000},
                              {478010, 4468010},
                              {478000, 4468010},
                              {478000, 4468000}},
                             {}}};
  tiny.buildings.push_back(b);
  gp::io::write_gpkg(tiny, out.string(), {});
  CHECK_THROWS_AS(gp::io::write_gpkg(tiny, out.string(), {}), gp::OutputError);
  gp::io::GpkgWriteOptions overwrite;
  overwrite.overwrite = true;
  CHECK_NOTHROW(gp::io::write_gpkg(tiny, out.string(), overwrite));
  // An input of the run is never written, even with --overwrite.
  gp::Dataset from_file = tiny;
  from_file.sources.push_back({out.string(), "GPKG", ""});
  CHECK_THROWS_AS(gp::io::write_gpkg(from_file, out.string(), overwrite), gp::OutputError);
  overwrite.inputs.push_back((dir.path / "." / "town.gpkg").string());
  CHECK_THROWS_AS(gp::io::write_gpkg(tiny, out.string(), overwrite), gp::OutputError);
  // A missing directory is reported, and no temporary file is left anywhere.
  CHECK_THROWS_AS(gp::io::write_gpkg(tiny, (dir.path / "missing" / "t.gpkg").string(), {}),
                  gp::OutputError);
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir.path)) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 1);
}

TEST_CASE("synth: the committed demo town equals a fresh regeneration", "[synth][io][demo]") {
  const fs::path committed = fs::path(GRIDPLAN_SOURCE_DIR) / "data" / "demo-town.gpkg";
  REQUIRE(fs::exists(committed));
  TempDir dir;
  const fs::path fresh = dir.path / "demo-town.gpkg";
  gp::io::GpkgWriteOptions options;
  options.fixed_timestamp = "2024-06-03T00:00:00Z";
  gp::io::write_gpkg(demo_town().dataset, fresh.string(), options);

  GDALDatasetUniquePtr a = open_vector(committed);
  GDALDatasetUniquePtr b = open_vector(fresh);
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(a->GetLayerCount() == b->GetLayerCount());
  // Feature by feature: attributes and geometry (gpkg_contents timestamps are not compared).
  for (int k = 0; k < a->GetLayerCount(); ++k) {
    OGRLayer* la = a->GetLayer(k);
    OGRLayer* lb = b->GetLayerByName(la->GetName());
    INFO("layer " << la->GetName()
                  << ": regenerate with `gridplan synth --out data/demo-town.gpkg --overwrite` if "
                     "the generator changed on purpose (data/README.md)");
    REQUIRE(lb);
    REQUIRE(la->GetFeatureCount() == lb->GetFeatureCount());
    REQUIRE(la->GetLayerDefn()->GetFieldCount() == lb->GetLayerDefn()->GetFieldCount());
    la->ResetReading();
    lb->ResetReading();
    while (true) {
      OGRFeatureUniquePtr fa(la->GetNextFeature());
      OGRFeatureUniquePtr fb(lb->GetNextFeature());
      REQUIRE(static_cast<bool>(fa) == static_cast<bool>(fb));
      if (!fa) break;
      INFO("fid " << fa->GetFID());
      for (int f = 0; f < fa->GetFieldCount(); ++f)
        REQUIRE(std::string(fa->GetFieldAsString(f)) == std::string(fb->GetFieldAsString(f)));
      REQUIRE(geometry_mismatch(fa->GetGeometryRef(), fb->GetGeometryRef()) == "");
    }
  }
}

TEST_CASE("synth: the map renders to a PNG that GDAL reads", "[synth][io]") {
  TempDir dir;
  const fs::path png = dir.path / "town.png";
  gp::io::RenderOptions options;
  options.width_px = 900;
  gp::io::render_png(demo_town().dataset, png.string(), options);
  GDALAllRegister();
  GDALDatasetUniquePtr raster(
      GDALDataset::Open(png.string().c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  REQUIRE(raster);
  CHECK(raster->GetRasterXSize() == 900);
  CHECK(raster->GetRasterCount() == 3);
  CHECK(std::string(raster->GetDriver()->GetDescription()) == "PNG");
  // Not a blank image: the blue band varies (water, roads, buildings).
  const int w = raster->GetRasterXSize(), h = raster->GetRasterYSize();
  std::vector<unsigned char> blue(static_cast<std::size_t>(w) * static_cast<std::size_t>(h));
  REQUIRE(raster->GetRasterBand(3)->RasterIO(GF_Read, 0, 0, w, h, blue.data(), w, h, GDT_Byte, 0,
                                             0) == CE_None);
  double sum = 0.0, sum2 = 0.0;
  for (unsigned char v : blue) sum += v, sum2 += static_cast<double>(v) * v;
  const double mean = sum / static_cast<double>(blue.size());
  CHECK(std::sqrt(sum2 / static_cast<double>(blue.size()) - mean * mean) > 10.0);
  raster.reset();
  CHECK_FALSE(fs::exists(dir.path / "town.png.aux.xml"));
  CHECK_THROWS_AS(gp::io::render_png(demo_town().dataset, png.string(), options), gp::OutputError);
}
