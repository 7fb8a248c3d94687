#include "planner/io/writer.hpp"

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string_view>
#include <system_error>

#include "planner/core/errors.hpp"

namespace gp::io {

namespace {

namespace fs = std::filesystem;

/// Records the first GDAL failure on this thread while alive (GDAL's handler stack is per
/// thread); never throws from the C callback.
class FailureRecorder {
 public:
  FailureRecorder() { CPLPushErrorHandlerEx(&FailureRecorder::handle, this); }
  ~FailureRecorder() { CPLPopErrorHandler(); }
  FailureRecorder(const FailureRecorder&) = delete;
  FailureRecorder& operator=(const FailureRecorder&) = delete;
  [[nodiscard]] const std::string& first() const { return first_; }

 private:
  static void CPL_STDCALL handle(CPLErr level, CPLErrorNum, const char* text) {
    auto* self = static_cast<FailureRecorder*>(CPLGetErrorHandlerUserData());
    if (self && level >= CE_Failure && self->first_.empty()) self->first_ = text ? text : "?";
  }
  std::string first_;
};

/// Sets a GDAL configuration option on this thread for the writer's lifetime.
class ThreadConfig {
 public:
  ThreadConfig(const char* key, const std::string& value) : key_(key) {
    if (const char* old = CPLGetThreadLocalConfigOption(key, nullptr)) old_ = old, had_old_ = true;
    CPLSetThreadLocalConfigOption(key, value.empty() ? nullptr : value.c_str());
  }
  ~ThreadConfig() { CPLSetThreadLocalConfigOption(key_, had_old_ ? old_.c_str() : nullptr); }
  ThreadConfig(const ThreadConfig&) = delete;
  ThreadConfig& operator=(const ThreadConfig&) = delete;

 private:
  const char* key_;
  std::string old_;
  bool had_old_ = false;
};

struct Field {
  const char* name;
  OGRFieldType type;
};

class GpkgBuilder {
 public:
  GpkgBuilder(const std::string& temp_path, const Dataset& dataset, const std::string& final_path)
      : final_path_(final_path) {
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
    if (!driver) throw OutputError("GeoPackage writer: GDAL has no GPKG driver");
    dataset_.reset(driver->Create(temp_path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!dataset_) fail("cannot create the file");
    OGRErr err = OGRERR_FAILURE;
    if (!dataset.crs_wkt.empty())
      err = srs_.importFromWkt(dataset.crs_wkt.c_str());
    else if (dataset.crs_epsg > 0)
      err = srs_.importFromEPSG(dataset.crs_epsg);
    if (err != OGRERR_NONE)
      throw OutputError("GeoPackage writer: " + final_path +
                        ": the dataset has no usable CRS (crs_wkt empty, crs_epsg " +
                        std::to_string(dataset.crs_epsg) + ")");
    srs_.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  }

  OGRLayer* layer(const char* name, OGRwkbGeometryType type, std::initializer_list<Field> fields) {
    char** options = nullptr;
    options = CSLSetNameValue(options, "FID", "fid");
    options = CSLSetNameValue(options, "GEOMETRY_NAME", "geom");
    OGRLayer* l = dataset_->CreateLayer(name, &srs_, type, options);
    CSLDestroy(options);
    if (!l) fail(std::string("cannot create layer '") + name + "'");
    for (const Field& f : fields) {
      OGRFieldDefn defn(f.name, f.type);
      if (l->CreateField(&defn) != OGRERR_NONE)
        fail(std::string("cannot create field '") + f.name + "' in layer '" + name + "'");
    }
    return l;
  }

  void begin() {
    if (dataset_->StartTransaction() != OGRERR_NONE) fail("cannot start a transaction");
  }
  void commit() {
    if (dataset_->CommitTransaction() != OGRERR_NONE) fail("cannot commit");
  }

  void add(OGRLayer* l, OGRFeature& feature) {
    if (l->CreateFeature(&feature) != OGRERR_NONE)
      fail(std::string("cannot write a feature to layer '") + l->GetName() + "'");
  }

  /// Closes the file; GDAL 3.6's close returns nothing, so failures come from the recorder.
  void close() {
    dataset_.reset();
    if (!recorder_.first().empty()) fail("closing the file");
  }

  [[noreturn]] void fail(const std::string& what) {
    throw OutputError("GeoPackage writer: " + final_path_ + ": " + what +
                      (recorder_.first().empty() ? "" : ": " + recorder_.first()));
  }

 private:
  FailureRecorder recorder_;
  std::string final_path_;
  GDALDatasetUniquePtr dataset_;
  OGRSpatialReference srs_;
};

OGRLinearRing* ring_of(const Ring& ring) {
  auto* r = new OGRLinearRing();
  r->setNumPoints(static_cast<int>(ring.size()), FALSE);
  for (std::size_t i = 0; i < ring.size(); ++i)
    r->setPoint(static_cast<int>(i), ring[i].x, ring[i].y);
  if (!ring.empty() && !(ring.front() == ring.back())) r->closeRings();
  return r;
}

OGRPolygon* polygon_of(const Polygon& polygon) {
  auto* p = new OGRPolygon();
  p->addRingDirectly(ring_of(polygon.outer));
  for (const Ring& hole : polygon.holes) p->addRingDirectly(ring_of(hole));
  return p;
}

/// A single polygon when the layer is polygonal (every feature one part), else a multipolygon.
OGRGeometry* area_geometry(const MultiPolygon& shape, bool multi) {
  if (!multi && shape.size() == 1) return polygon_of(shape.front());
  auto* m = new OGRMultiPolygon();
  for (const Polygon& p : shape) m->addGeometryDirectly(polygon_of(p));
  return m;
}

OGRLineString* line_of(const LineString& line) {
  auto* l = new OGRLineString();
  l->setNumPoints(static_cast<int>(line.size()), FALSE);
  for (std::size_t i = 0; i < line.size(); ++i)
    l->setPoint(static_cast<int>(i), line[i].x, line[i].y);
  return l;
}

template <typename T, typename Shape>
bool any_multipart(const std::vector<T>& items, Shape shape) {
  for (const T& item : items)
    if (shape(item).size() != 1) return true;
  return false;
}

void check_target(const Dataset& dataset, const fs::path& out, const GpkgWriteOptions& options) {
  std::error_code ec;
  const bool exists = fs::exists(out, ec);
  std::vector<std::string> inputs = options.inputs;
  for (const SourceInfo& s : dataset.sources) inputs.push_back(s.path);
  if (exists) {
    for (const std::string& input : inputs) {
      std::error_code eq;
      if (!input.empty() && fs::equivalent(out, input, eq))
        throw OutputError("GeoPackage writer: refusing to write '" + out.string() +
                          "': it is an input of this run (" + input + ")");
    }
    if (!options.overwrite)
      throw OutputError("GeoPackage writer: '" + out.string() +
                        "' exists; choose another path or pass --overwrite");
    if (!fs::is_regular_file(out, ec))
      throw OutputError("GeoPackage writer: '" + out.string() + "' exists and is not a file");
  }
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec))
    throw OutputError(
        "GeoPackage writer: cannot write '" + out.string() + "': '" + dir.string() +
        (fs::exists(dir, ec) ? "' is not a directory" : "' does not exist (create it first)"));
}

void write_all(GpkgBuilder& gpkg, const Dataset& d, Progress* progress) {
  const double total =
      static_cast<double>(d.buildings.size() + d.compounds.size() + d.communities.size() +
                          d.lines.size() + d.stations.size() + d.existing_grids.size() + 1);
  std::size_t written = 0;
  auto tick = [&] {
    if (progress && ++written % 4096 == 0)
      progress->update("write GeoPackage", static_cast<double>(written) / total);
  };

  // Communities, compounds and buildings: containers before their contents.
  if (!d.communities.empty()) {
    const bool multi = any_multipart(
        d.communities, [](const Community& c) -> const MultiPolygon& { return c.footprint; });
    OGRLayer* l = gpkg.layer("communities", multi ? wkbMultiPolygon : wkbPolygon,
                             {{"code", OFTString}, {"name", OFTString}});
    gpkg.begin();
    for (const Community& c : d.communities) {
      OGRFeature f(l->GetLayerDefn());
      f.SetField("code", c.code.c_str());
      f.SetField("name", c.name.c_str());
      f.SetGeometryDirectly(area_geometry(c.footprint, multi));
      gpkg.add(l, f);
      tick();
    }
    gpkg.commit();
  }
  if (!d.compounds.empty()) {
    const bool multi = any_multipart(
        d.compounds, [](const Compound& c) -> const MultiPolygon& { return c.footprint; });
    OGRLayer* l = gpkg.layer("compounds", multi ? wkbMultiPolygon : wkbPolygon,
                             {{"ref", OFTString}, {"name", OFTString}, {"management", OFTString}});
    gpkg.begin();
    for (const Compound& c : d.compounds) {
      OGRFeature f(l->GetLayerDefn());
      f.SetField("ref", c.ref.c_str());
      f.SetField("name", c.name.c_str());
      f.SetField("management", to_string(c.management));
      f.SetGeometryDirectly(area_geometry(c.footprint, multi));
      gpkg.add(l, f);
      tick();
    }
    gpkg.commit();
  }
  {
    const bool multi = any_multipart(
        d.buildings, [](const Building& b) -> const MultiPolygon& { return b.footprint; });
    OGRLayer* l = gpkg.layer("buildings", multi ? wkbMultiPolygon : wkbPolygon,
                             {{"bid", OFTInteger64},
                              {"name", OFTString},
                              {"use", OFTString},
                              {"floors", OFTInteger},
                              {"height", OFTReal},
                              {"units", OFTInteger},
                              {"households", OFTInteger},
                              {"compound", OFTString},
                              {"community", OFTString}});
    const int i_bid = 0, i_name = 1, i_use = 2, i_floors = 3, i_height = 4, i_units = 5,
              i_households = 6, i_compound = 7, i_community = 8;
    gpkg.begin();
    for (const Building& b : d.buildings) {
      OGRFeature f(l->GetLayerDefn());
      f.SetField(i_bid, static_cast<GIntBig>(b.id));
      f.SetField(i_name, b.name.c_str());
      f.SetField(i_use, to_string(b.use));
      f.SetField(i_floors, b.floors);
      f.SetField(i_height, b.height_m);
      f.SetField(i_units, b.units);
      f.SetField(i_households, b.households);
      // References by the container's ref/code; the index wins over the string when set.
      std::string compound = b.compound_ref;
      if (b.compound >= 0 && static_cast<std::size_t>(b.compound) < d.compounds.size())
        compound = d.compounds[static_cast<std::size_t>(b.compound)].ref;
      std::string community = b.community_ref;
      if (b.community >= 0 && static_cast<std::size_t>(b.community) < d.communities.size())
        community = d.communities[static_cast<std::size_t>(b.community)].code;
      if (!compound.empty()) f.SetField(i_compound, compound.c_str());
      if (!community.empty()) f.SetField(i_community, community.c_str());
      f.SetGeometryDirectly(area_geometry(b.footprint, multi));
      gpkg.add(l, f);
      tick();
    }
    gpkg.commit();
  }

  // Lines by kind: roads (with bridge/tunnel flags), rivers, rail.
  for (LineKind kind : {LineKind::road, LineKind::river, LineKind::rail}) {
    bool any = false;
    for (const Line& line : d.lines) any = any || line.kind == kind;
    if (!any) continue;
    const char* name = kind == LineKind::road    ? "roads"
                       : kind == LineKind::river ? "rivers"
                                                 : "rail";
    OGRLayer* l = kind == LineKind::road ? gpkg.layer(name, wkbLineString,
                                                      {{"class", OFTString},
                                                       {"name", OFTString},
                                                       {"bridge", OFTInteger},
                                                       {"tunnel", OFTInteger}})
                                         : gpkg.layer(name, wkbLineString,
                                                      {{"class", OFTString}, {"name", OFTString}});
    gpkg.begin();
    for (const Line& line : d.lines) {
      if (line.kind != kind) continue;
      OGRFeature f(l->GetLayerDefn());
      f.SetField("class", line.cls.c_str());
      f.SetField("name", line.name.c_str());
      if (kind == LineKind::road) {
        f.SetField("bridge", line.bridge ? 1 : 0);
        f.SetField("tunnel", line.tunnel ? 1 : 0);
      }
      f.SetGeometryDirectly(line_of(line.geometry));
      gpkg.add(l, f);
      tick();
    }
    gpkg.commit();
  }
  if (!d.water.empty()) {
    const bool multi = any_multipart(
        d.water, [](const WaterArea& w) -> const MultiPolygon& { return w.footprint; });
    OGRLayer* l = gpkg.layer("water", multi ? wkbMultiPolygon : wkbPolygon, {{"name", OFTString}});
    gpkg.begin();
    for (const WaterArea& w : d.water) {
      OGRFeature f(l->GetLayerDefn());
      f.SetField("name", w.name.c_str());
      f.SetGeometryDirectly(area_geometry(w.footprint, multi));
      gpkg.add(l, f);
    }
    gpkg.commit();
  }
  if (!d.stations.empty()) {
    OGRLayer* l = gpkg.layer(
        "stations", wkbPoint,
        {{"sid", OFTInteger64}, {"name", OFTString}, {"tier", OFTString}, {"floor_m2", OFTReal}});
    gpkg.begin();
    for (const Station& s : d.stations) {
      OGRFeature f(l->GetLayerDefn());
      f.SetField("sid", static_cast<GIntBig>(s.id));
      f.SetField("name", s.name.c_str());
      f.SetField("tier", to_string(s.tier));
      f.SetField("floor_m2", s.floor_m2);
      f.SetGeometryDirectly(new OGRPoint(s.location.x, s.location.y));
      gpkg.add(l, f);
      tick();
    }
    gpkg.commit();
  }
  if (!d.existing_grids.empty()) {
    const bool multi = any_multipart(
        d.existing_grids, [](const ExistingGrid& g) -> const MultiPolygon& { return g.footprint; });
    OGRLayer* l = gpkg.layer("grids", multi ? wkbMultiPolygon : wkbPolygon,
                             {{"code", OFTString},
                              {"name", OFTString},
                              {"level", OFTString},
                              {"parent", OFTString},
                              {"locked", OFTInteger}});
    gpkg.begin();
    for (const ExistingGrid& g : d.existing_grids) {
      OGRFeature f(l->GetLayerDefn());
      f.SetField("code", g.code.c_str());
      f.SetField("name", g.name.c_str());
      f.SetField("level", g.level == GridLevel::large ? "large" : "micro");
      if (!g.parent_code.empty()) f.SetField("parent", g.parent_code.c_str());
      f.SetField("locked", g.locked ? 1 : 0);
      f.SetGeometryDirectly(area_geometry(g.footprint, multi));
      gpkg.add(l, f);
      tick();
    }
    gpkg.commit();
  }
}

}  // namespace

void write_gpkg(const Dataset& dataset, const std::string& path, const GpkgWriteOptions& options,
                Progress* progress) {
  GDALAllRegister();
  const fs::path out(path);
  check_target(dataset, out, options);
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  // Same directory, so the final rename is atomic; hidden and marked temporary.
  const fs::path temp =
      dir / ("." + out.filename().string() + ".tmp-" + std::to_string(::getpid()) + ".gpkg");
  std::error_code ec;
  fs::remove(temp, ec);
  try {
    ThreadConfig timestamp("OGR_CURRENT_DATE", options.fixed_timestamp);
    GpkgBuilder gpkg(temp.string(), dataset, path);
    write_all(gpkg, dataset, progress);
    gpkg.close();
  } catch (...) {
    fs::remove(temp, ec);
    throw;
  }
  fs::rename(temp, out, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw OutputError("GeoPackage writer: cannot move the finished file to '" + path +
                      "': " + ec.message());
  }
  if (progress) progress->update("write GeoPackage", 1.0);
}

}  // namespace gp::io
