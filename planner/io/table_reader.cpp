#include "planner/io/table_reader.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "planner/core/errors.hpp"

namespace gp::io {

Table read_table(const std::string& path, const std::string& layer_name) {
  GDALAllRegister();
  // CSV: every field as text (no type guessing), so a date or a code keeps its exact spelling.
  const char* const options[] = {"AUTODETECT_TYPE=NO", nullptr};
  GDALDatasetUniquePtr dataset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                                 nullptr, options, nullptr));
  if (!dataset)
    throw InputError(path + ": cannot open as a table (" + std::string(CPLGetLastErrorMsg()) +
                     "); give a CSV, GeoPackage, Shapefile or another table GDAL reads");
  OGRLayer* layer = layer_name.empty()
                        ? (dataset->GetLayerCount() > 0 ? dataset->GetLayer(0) : nullptr)
                        : dataset->GetLayerByName(layer_name.c_str());
  if (!layer)
    throw InputError(path + ": no layer '" + layer_name + "'; list the layers with ogrinfo");
  Table table;
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
    table.rows.push_back(std::move(out));
  }
  return table;
}

}  // namespace gp::io
