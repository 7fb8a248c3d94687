#pragma once
// The attribute tables of a plan as GIS layers: what planner/io writes to GeoPackage, Shapefile
// and GeoJSON, and what the report's CSV files hold. One definition of every field — its name,
// its Shapefile name (ASCII, at most 10 characters), its Chinese name and its meaning — so the
// formats cannot drift apart.
//
// Layers: communities, large_grids, micro_grids, buildings, stations, diagnostics, and
// new_stations when siting ran. Geometry is borrowed from the Dataset and Plan (coordinates in
// the dataset's projected CRS, metres): they must outlive the layers. Shapes the layers make
// themselves are kept in LayerTable::owned_geometry.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/evaluation/evaluation.hpp"
#include "planner/partition/plan.hpp"

namespace gp::report {

enum class FieldType { integer, real, text };

struct FieldDef {
  std::string name;        // GeoPackage / GeoJSON / CSV name
  std::string short_name;  // Shapefile (DBF) name: ASCII, ≤ 10 characters, unique in the layer
  std::string chinese;     // alias for people (fields.csv, report)
  FieldType type = FieldType::text;
  std::string description;  // meaning, with units
};

/// A value: empty (null), integer, real or text (UTF-8).
using FieldValue = std::variant<std::monostate, long long, double, std::string>;

enum class GeometryKind { none, point, polygon };

struct Feature {
  const MultiPolygon* polygon = nullptr;  // for GeometryKind::polygon (null: no geometry)
  Point point;                            // for GeometryKind::point
  bool has_point = false;
  std::vector<FieldValue> values;  // one per LayerTable::fields
};

struct LayerTable {
  std::string name;     // layer name (ASCII, also the Shapefile's file name)
  std::string chinese;  // e.g. "大网格"
  GeometryKind geometry = GeometryKind::none;
  std::vector<FieldDef> fields;
  std::vector<Feature> features;
  /// Geometry the layer made itself and its features borrow (the buildings layer: the own part
  /// of a building overlapped by smaller footprints, geo/own_footprint.hpp); shared, so copies of
  /// the table keep it.
  std::shared_ptr<const std::vector<MultiPolygon>> owned_geometry = {};
};

/// Every layer of a plan. `evaluation` may be null (then worker, coverage and station figures
/// are null/0 and there is no new_stations layer). `own_footprints`: each building's own part
/// (geo/own_footprint.hpp, one per Dataset::buildings, as the plan audit returns them in
/// geo::PlanAudit::own_footprints); null: computed here. `tick(fraction done)` reports progress
/// (on the calling thread; a 100k-building town's tables take seconds without the parts given).
std::vector<LayerTable> build_layers(
    const Dataset& dataset, const Plan& plan, const evaluation::Evaluation* evaluation,
    const ProblemReporter& problems,
    std::shared_ptr<const std::vector<MultiPolygon>> own_footprints = nullptr,
    const std::function<void(double)>& tick = {});

/// Chinese name of a station tier ("社区党群服务中心", ...).
const char* chinese_name(StationTier tier);

/// CSV text of a layer's attributes (RFC 4180 quoting, UTF-8 with BOM so spreadsheet software
/// in China opens Chinese text correctly).
std::string to_csv(const LayerTable& layer);

}  // namespace gp::report
