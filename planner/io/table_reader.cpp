#include "planner/io/table_reader.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <memory>

#include "planner/core/errors.hpp"
#include "planner/io/gdal_support.hpp"

namespace gp::io {

namespace {

GDALDatasetUniquePtr open_vector(const std::string& path) {
  GDALAllRegister();
  // CSV: every field as text (no type guessing), so a date or a code keeps its exact spelling.
  // Only the CSV driver knows the option (others warn about it).
  std::string ext = path.size() >= 4 ? path.substr(path.size() - 4) : "";
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const bool csv = ext == ".csv" || ext == ".tsv" || ext == ".txt";
  const char* const options[] = {"AUTODETECT_TYPE=NO", nullptr};
  GDALDatasetUniquePtr dataset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                                 nullptr, csv ? options : nullptr, nullptr));
  if (!dataset)
    throw InputError(path + ": cannot open as a table (" + std::string(CPLGetLastErrorMsg()) +
                     "); give a CSV, GeoPackage, Shapefile or another table GDAL reads");
  return dataset;
}

std::string wkt_of(const OGRLayer& layer) {
  const OGRSpatialReference* srs = const_cast<OGRLayer&>(layer).GetSpatialRef();
  if (!srs) return {};
  char* text = nullptr;
  if (srs->exportToWkt(&text) != OGRERR_NONE) {
    CPLFree(text);
    return {};
  }
  std::string wkt = text ? text : "";
  CPLFree(text);
  return wkt;
}

Ring ring_of(const OGRLinearRing& ring) {
  Ring out;
  for (int i = 0; i < ring.getNumPoints(); ++i) out.push_back({ring.getX(i), ring.getY(i)});
  if (out.size() >= 3 && !(out.front() == out.back())) out.push_back(out.front());
  return out;
}

void append_polygons(const OGRGeometry& geometry, MultiPolygon& out) {
  switch (wkbFlatten(geometry.getGeometryType())) {
    case wkbPolygon: {
      const OGRPolygon& polygon = *geometry.toPolygon();
      if (!polygon.getExteriorRing()) return;
      Polygon part;
      part.outer = ring_of(*polygon.getExteriorRing());
      for (int i = 0; i < polygon.getNumInteriorRings(); ++i)
        part.holes.push_back(ring_of(*polygon.getInteriorRing(i)));
      out.push_back(std::move(part));
      return;
    }
    case wkbMultiPolygon:
    case wkbGeometryCollection:
      for (const OGRGeometry* part : *geometry.toGeometryCollection()) append_polygons(*part, out);
      return;
    default:
      return;
  }
}

}  // namespace

Table read_table(const std::string& path, const std::string& layer_name) {
  GDALDatasetUniquePtr dataset = open_vector(path);
  OGRLayer* layer = layer_name.empty()
                        ? (dataset->GetLayerCount() > 0 ? dataset->GetLayer(0) : nullptr)
                        : dataset->GetLayerByName(layer_name.c_str());
  if (!layer)
    throw InputError(path + ": no layer '" + layer_name + "'; list the layers with ogrinfo");
  Table table;
  table.crs = wkt_of(*layer);
  OGRFeatureDefn* definition = layer->GetLayerDefn();
  for (int i = 0; i < definition->GetFieldCount(); ++i)
    table.columns.emplace_back(definition->GetFieldDefn(i)->GetNameRef());
  layer->ResetReading();
  long row = 0;
  for (auto& feature : *layer) {
    TableRow out;
    out.row = ++row;
    for (int i = 0; i < definition->GetFieldCount(); ++i)
      if (feature->IsFieldSetAndNotNull(i))
        out.fields[table.columns[static_cast<std::size_t>(i)]] = feature->GetFieldAsString(i);
    if (const OGRGeometry* geometry = feature->GetGeometryRef()) {
      if (wkbFlatten(geometry->getGeometryType()) == wkbPoint && !geometry->IsEmpty()) {
        const OGRPoint& p = *geometry->toPoint();
        out.has_point = std::isfinite(p.getX()) && std::isfinite(p.getY());
        out.point = {p.getX(), p.getY()};
        out.other_geometry = !out.has_point;
      } else {
        out.other_geometry = true;
      }
    }
    table.rows.push_back(std::move(out));
  }
  return table;
}

GridPolygons read_grid_polygons(const std::string& path, const std::string& layer_name) {
  GDALDatasetUniquePtr dataset = open_vector(path);
  OGRLayer* layer = nullptr;
  if (!layer_name.empty())
    layer = dataset->GetLayerByName(layer_name.c_str());
  else if (!(layer = dataset->GetLayerByName("large_grids")) && dataset->GetLayerCount() > 0)
    layer = dataset->GetLayer(0);
  if (!layer)
    throw InputError(path + ": no layer '" + (layer_name.empty() ? "large_grids" : layer_name) +
                     "'; give a run's plan.gpkg or name the grid layer");
  const std::string name = layer->GetName();
  OGRFeatureDefn* definition = layer->GetLayerDefn();
  const int code_field = definition->GetFieldIndex("code");
  const int households_field = definition->GetFieldIndex("households");
  if (code_field < 0 || households_field < 0)
    throw InputError(path + ": layer '" + name +
                     "' has no 'code' and 'households' fields (a run's plan.gpkg large_grids "
                     "layer has them)");
  GridPolygons out;
  out.crs = wkt_of(*layer);
  layer->ResetReading();
  long row = 0;
  for (auto& feature : *layer) {
    ++row;
    GridPolygon grid;
    grid.row = feature->GetFID() >= 0 ? static_cast<long>(feature->GetFID()) : row;
    grid.code = feature->GetFieldAsString(code_field);
    grid.households = feature->GetFieldAsInteger(households_field);
    if (const OGRGeometry* geometry = feature->GetGeometryRef()) {
      std::unique_ptr<OGRGeometry> linear;
      if (geometry->hasCurveGeometry()) {
        linear.reset(geometry->getLinearGeometry());
        geometry = linear.get();
      }
      if (geometry) append_polygons(*geometry, grid.shape);
    }
    if (grid.shape.empty())
      throw InputError(path + ": layer '" + name + "', feature " + std::to_string(grid.row) +
                       " (grid '" + grid.code +
                       "') has no polygon; records cannot be located in it");
    out.grids.push_back(std::move(grid));
  }
  return out;
}

std::vector<bool> transform_points(std::vector<Point>& points, const std::string& from,
                                   const std::string& to) {
  std::vector<bool> ok(points.size(), true);
  detail::SrsPtr source = detail::srs_from_user_input(from, "the records' CRS");
  detail::SrsPtr target = detail::srs_from_user_input(to, "the plan's CRS");
  if (source->IsSame(target.get())) return ok;
  detail::TransformPtr transform(OGRCreateCoordinateTransformation(source.get(), target.get()));
  if (!transform)
    throw ConfigError("cannot transform from the records' CRS to the plan's CRS (" +
                      std::string(CPLGetLastErrorMsg()) + ")");
  for (std::size_t i = 0; i < points.size(); ++i) {
    double x = points[i].x, y = points[i].y;
    if (transform->Transform(1, &x, &y) && std::isfinite(x) && std::isfinite(y))
      points[i] = {x, y};
    else
      ok[i] = false;
  }
  return ok;
}

}  // namespace gp::io
