#pragma once
// QGIS layer styles for a plan's layers, from the one style definition (planner/report/style.hpp)
// the report and the studio use: QGIS .qml documents, written into the GeoPackage's standard
// `layer_styles` table (the table QGIS itself writes with "Save style → in database", which
// QgsVectorLayer::loadDefaultStyle() reads, so plan.gpkg opens styled) and as sidecar
// <layer>.qml files next to Shapefiles (QGIS loads those as the default style). No GDAL types here.
//
// Styles (rule-based renderers, so one layer can carry a fill and an outline rule):
//   large_grids  fill by households in the style's legend classes, red outline outside bounds,
//                labels "code\nname" in Noto Sans CJK SC
//   micro_grids  outlines only, code labels at large scales
//   buildings    fill by use class (default); a second style "步行覆盖 walking coverage" by
//                walking distance band to the nearest station
//   stations     squares by tier, orange outline when a station rule fails
//   communities  outline; new_stations star markers; diagnostics by severity

#include <string>
#include <vector>

#include "planner/report/layers.hpp"
#include "planner/report/style.hpp"

namespace gp::io {

struct LayerStyle {
  std::string layer;        // f_table_name
  std::string name;         // styleName
  std::string description;  // shown in QGIS's style manager
  std::string qml;          // the whole .qml document (UTF-8)
  bool is_default = false;  // useAsDefault
  std::string key;          // file-name part of a non-default style ("walking")
};

/// The styles of `layers`. `shapefile` selects the Shapefile (≤ 10 character) field names the
/// style's expressions refer to. Layers without a style of their own get none.
std::vector<LayerStyle> qgis_styles(const std::vector<report::LayerTable>& layers,
                                    const report::style::PlanStyle& plan_style, bool shapefile);

/// Adds the `layer_styles` table to an existing GeoPackage (created as QGIS creates it; rows
/// appended when it exists) with one row per style; f_geometry_column is the layer's geometry
/// column as GDAL reports it. Throws gp::OutputError naming the file when GDAL cannot write.
void write_layer_styles(const std::string& gpkg_path, const std::vector<LayerStyle>& styles);

}  // namespace gp::io
