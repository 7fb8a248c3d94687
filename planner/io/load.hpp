#pragma once
// Loading input layers into a gp::Dataset: GDAL readers (Shapefile, GeoPackage, GeoJSON,
// FlatGeobuf, OpenStreetMap .osm/.pbf), field mapping, encodings, CRS choice and projection to
// metres, household estimation, then geo::validate_and_join.
//
// GDAL stays behind this header: nothing here includes a GDAL header.
//
// Layer roles are detected from layer names (see detect_role and docs/decisions/
// 0002-input-layers.md) or given explicitly. Field names are matched case-insensitively with
// common aliases (households/hh/户数, floors/levels/层数, ...); a field named in
// LoadOptions::fields that the layer does not have is a gp::InputError listing the fields it has.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/core/households.hpp"
#include "planner/core/progress.hpp"
#include "planner/geo/validate.hpp"

namespace gp::io {

/// What a layer holds. `osm` is a whole OpenStreetMap file (buildings, landuse, highways,
/// waterways and railways are taken from its multipolygons and lines layers by tags).
enum class LayerRole {
  unknown,
  buildings,
  compounds,
  communities,
  roads,
  rivers,
  water,
  rail,
  walkways,
  stations,
  grids,
  osm
};
const char* to_string(LayerRole role);
/// Parses a role name as printed by to_string ("buildings", "roads", ...); nullopt if unknown.
std::optional<LayerRole> parse_role(std::string_view name);
/// The role a layer name suggests ("buildings", "建筑", "楼栋" → buildings, "小区" → compounds,
/// ...); unknown when nothing matches. Case-insensitive; a name containing a token matches.
LayerRole detect_role(std::string_view layer_name);

/// One input: a file (or directory of shapefiles), optionally one layer of it, optionally a role
/// for the chosen layer(s) instead of detecting it from the layer name.
struct InputSpec {
  std::string path;
  std::string layer;              // empty: every layer of the file
  std::optional<LayerRole> role;  // empty: detect from the layer name
};

struct LoadOptions {
  std::vector<InputSpec> inputs;
  /// Layer name → role, for any input (overrides detection; InputSpec::role wins over this).
  std::map<std::string, LayerRole> layer_roles;
  /// Field mapping per role: key (see field_keys) → field name in the file. Keys not given are
  /// found by their aliases; a key given here must exist in the layer.
  std::map<LayerRole, std::map<std::string, std::string>> fields;
  /// CRS for layers that have none ("EPSG:4326", WKT, PROJ string); empty: such a layer is an
  /// error.
  std::string assume_crs;
  /// Projected CRS for the whole dataset, overriding the automatic choice; must be in metres.
  std::string target_crs;
  /// Input coordinates are GCJ-02 (Chinese web maps): shift them to WGS84 before projecting.
  bool gcj02 = false;
  /// Shapefile text encoding (GDAL name, e.g. "GBK", "GB18030", "UTF-8"); empty: from the .cpg
  /// file, else the DBF language byte.
  std::string encoding;
  HouseholdParams households;
  /// OpenStreetMap: administrative boundaries (boundary=administrative at `osm_admin_level`),
  /// else place=neighbourhood|quarter areas, are loaded as communities (scenario keys
  /// input.osm_communities, input.osm_admin_level).
  bool osm_communities = true;
  int osm_admin_level = 10;
  /// Use given to buildings whose use value is generic ("yes", kind = "building", 建筑) or not
  /// known (scenario key input.unknown_use). Such buildings are counted per layer and flagged.
  BuildingUse unknown_use = BuildingUse::residential;
  /// Buildings were loaded but none holds a household: throw gp::InputError naming the layers,
  /// their use and households fields and the values found (off for inspect, which reports it).
  bool require_households = true;
  /// Buildings given as points (楼栋 points of a grid-management platform or an address
  /// database) are planned as squares of this side (metres, working CRS) centred on the point,
  /// so the tessellation gives them a cell. Without a household count a point is estimated as
  /// this footprint (10 m × 10 m = 100 m²) × its floors (default floors when unknown); a given
  /// count larger than that footprint can hold (HouseholdParams::max_households_per_100m2)
  /// enlarges the square just enough. Said in one `point-buildings` note per layer.
  double point_building_side_m = 10.0;
  /// A household table as departments keep it (CSV, XLSX or any table GDAL reads): one row per
  /// building with its key and its households. Rows matched set the building's households (not
  /// estimated, counted in a `household-table` note); rows matching no building are listed
  /// (`household-table-unmatched`, file:row); buildings without a row keep their own value or
  /// the estimate. Empty path: no table.
  struct HouseholdTable {
    std::string path;
    std::string layer;  // sheet or layer; empty: the first
    /// "id": the table key is a building id (Building::id, from the buildings' id field, e.g.
    /// 楼栋编号); "name": the key is the building's name/address text (map the buildings' address
    /// field as buildings.name, e.g. 地址), compared trimmed.
    std::string join_by = "id";
    /// Table columns; empty: the first present of bid, id, building_id, 楼栋编号, 编号 (id) or
    /// address, name, 地址, 楼栋地址, 名称 (name); households, hh, 户数, 住户数, 户.
    std::string key_column;
    std::string households_column;
  } household_table;
  /// Any warning or error becomes fatal (gp::StrictModeError listing the first problems).
  bool strict = false;
  /// Run geo::validate_and_join after loading (off only for tools that describe raw input).
  bool validate = true;
};

/// The field keys a role understands (for --field role.key=FIELD), e.g. buildings: id, name,
/// use, floors, height, units, households, compound, community.
const std::vector<std::string>& field_keys(LayerRole role);

struct FieldReport {
  std::string name;
  std::string type;  // GDAL field type name: "Integer64", "String", "Real", ...
};

/// What was found in one layer and what became of its features.
struct LayerReport {
  std::string name;
  LayerRole role = LayerRole::unknown;
  std::string role_source;  // "name" (detected), "option" (given), "osm", "none"
  std::string geometry_type;
  long long feature_count = -1;  // features in the layer (-1 when the driver cannot tell cheaply)
  std::string crs_name;
  int crs_epsg = 0;
  std::vector<FieldReport> fields;
  /// Which file field each key was read from (after aliases and options).
  std::map<std::string, std::string> field_mapping;
  std::string encoding;       // text encoding of the source ("UTF-8", "CP936", ...), "" if unknown
  std::string encoding_from;  // "cpg", "ldid", "option", "driver" or ""
  std::size_t read = 0;       // features read
  std::size_t skipped = 0;    // features not loaded (each listed in Dataset::problems)
  /// Loaded features per kind ("buildings", "compounds", "roads", ...).
  std::map<std::string, std::size_t> loaded;
  /// Buildings: each use value read → number of buildings (the first 200 distinct values), and
  /// how many buildings had a generic or unknown value (given LoadOptions::unknown_use).
  std::map<std::string, std::size_t> use_values;
  std::size_t unknown_use = 0;
};

struct SourceReport {
  std::string path;
  std::string driver;
  std::vector<LayerReport> layers;
};

struct LoadResult {
  Dataset dataset;
  std::vector<SourceReport> sources;
  geo::ValidationSummary validation;
  /// How the projected CRS was chosen, e.g. "automatic: data centred at 118.78E 32.04N, inside
  /// China → CGCS2000 3-degree Gauss-Kruger zone CM 120E".
  std::string crs_reason;
};

/// Reads every input, projects to one metric CRS, estimates households and validates.
/// Layers without a role are described in the result, not loaded. Throws gp::InputError
/// (missing/corrupt file, layer without CRS, a configured field the layer lacks,
/// a named layer that does not exist), gp::ConfigError (bad option value, unknown field key),
/// gp::StrictModeError (strict and any warning or error found),
/// gp::Cancelled.
LoadResult load(const LoadOptions& options, Progress& progress);

/// Road lines per class as loaded: the normalised class (core/road_classes), its spellings in
/// the files, the number of lines, whether the table knows it and whether it is in `hard`.
struct RoadClassCount {
  std::string key;
  std::vector<std::string> spellings;
  std::size_t lines = 0;
  bool known = false;
  bool hard = false;
};
std::vector<RoadClassCount> count_road_classes(const Dataset& dataset,
                                               const std::set<std::string>& hard);

/// load(...).dataset.
Dataset load_dataset(const LoadOptions& options, Progress& progress);

/// Throws gp::StrictModeError when `problems` holds any warning or error, quoting the first few.
void throw_if_strict_violated(const ProblemReporter& problems);

}  // namespace gp::io
