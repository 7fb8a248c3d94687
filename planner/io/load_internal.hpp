#pragma once
// What the pieces of the loader share (internal to planner/io, not for other modules). The loader
// reads in steps, one file each:
//   load_schema.cpp    roles of layers, field names per role (with Chinese aliases), attribute
//                      values, text encodings (UTF-8, GB18030/GBK Shapefiles)
//   load_geometry.cpp  OGR geometry → Point / LineString / MultiPolygon (still in the layer's CRS)
//   load_reproject.cpp staging of features per layer, the choice of the working CRS, reprojection
//   load_osm.cpp       OpenStreetMap files (.osm, .pbf) through GDAL's OSM driver
//   load.cpp           the driver: inputs, layers, features, point buildings, household table,
//                      ids, checks; the public functions of load.hpp

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "planner/io/gdal_support.hpp"
#include "planner/io/load.hpp"

namespace gp::io::loader {

using detail::GdalErrorCollector;
using detail::SrsPtr;
using detail::TransformPtr;

// ---- text (load_schema.cpp) ------------------------------------------------------------------

std::string ascii_lower(std::string_view text);
/// `v` without leading and trailing blanks, tabs and carriage returns.
std::string trimmed(std::string_view v);
/// A whole number from text ("12", "12.0" from a spreadsheet); nothing for anything else.
std::optional<std::int64_t> whole_number(const std::string& text);
bool iequals(std::string_view a, std::string_view b);
/// Whether bytes are well-formed UTF-8.
bool valid_utf8(std::string_view s);
/// Whether bytes are well-formed GB18030 (GBK is a subset).
bool valid_gb18030(std::string_view s);
/// Whether a Shapefile that does not say its encoding holds text that is not UTF-8 but decodes
/// cleanly as GB18030.
bool shapefile_text_is_gb18030(GDALDataset& dataset);

// ---- fields (load_schema.cpp) ----------------------------------------------------------------

/// Field indexes of one layer for every key a role understands (-1: not present).
struct Fields {
  int id = -1, name = -1, use = -1, floors = -1, height = -1, units = -1, households = -1,
      compound = -1, community = -1, ref = -1, management = -1, code = -1, cls = -1, bridge = -1,
      tunnel = -1, tier = -1, floor_m2 = -1, level = -1, parent = -1, locked = -1;
};

struct FieldKeySpec {
  std::string key;
  int Fields::*slot;
  std::vector<std::string> aliases;  // in order of preference; matched case-insensitively
};

/// The keys a role understands, each with its field-name aliases (Chinese included).
const std::vector<FieldKeySpec>& key_specs(LayerRole role);
/// Field index whose name equals `wanted` (case-insensitive, or cut to 10 characters as a DBF
/// does); -1 if none.
int find_field(const OGRFeatureDefn& defn, std::string_view wanted);
/// "a, b, c" of a layer's field names, for messages.
std::string field_list(const OGRFeatureDefn& defn);
/// "String(JSON)" etc.: a field's OGR type, for messages.
std::string field_type_name(const OGRFieldDefn& field);

std::string text_of(const OGRFeature& f, int i);
std::optional<double> number_of(const OGRFeature& f, int i);
int int_of(const OGRFeature& f, int i);
bool flag_of(const OGRFeature& f, int i);
Management management_from(std::string_view value);
std::optional<StationTier> tier_from(std::string_view value);
std::optional<GridLevel> level_from(std::string_view value);
/// A grid layer without a level field: its name tells the level when it says one.
std::optional<GridLevel> level_from_layer_name(std::string_view layer);

/// "'a' ×3, 'b' ×1" of use values, most frequent first (only those naming no use when
/// `only_unknown`), at most `limit` listed.
std::string value_counts(const std::map<std::string, std::size_t>& values, std::size_t limit,
                         bool only_unknown);

/// Features of one layer whose text is not UTF-8 although the format requires it.
struct NotUtf8 {
  std::size_t count = 0;
  std::vector<std::int64_t> fids;  // the first few
  std::string field;               // of the first
  std::string bytes;               // the first offending value, as hex bytes

  void add(std::int64_t fid, const char* field_name, std::string_view text);
  [[nodiscard]] std::string message(const std::string& driver) const;
};

// ---- geometry (load_geometry.cpp) ------------------------------------------------------------

enum class GeomIssue {
  none,
  null_geometry,
  empty_geometry,
  wrong_type,
  nan_coordinates,
  degenerate
};

const char* kind_of(GeomIssue issue);
const char* describe(GeomIssue issue);
/// Polygonal geometry → MultiPolygon. Curves are linearised; collapsed rings are dropped and
/// counted in `dropped_parts`.
GeomIssue read_polygons(const OGRGeometry* geometry, MultiPolygon& out, int& dropped_parts);
/// Linear geometry → one LineString per part.
GeomIssue read_lines(const OGRGeometry* geometry, std::vector<LineString>& out, int& dropped_parts);
/// Point geometry → Point; a polygon or several points give their centroid (`from_centroid`).
GeomIssue read_point(const OGRGeometry* geometry, Point& out, bool& from_centroid);
/// Whether a layer's declared geometry type can hold features of this role.
bool declared_type_fits(OGRwkbGeometryType declared, LayerRole role);
/// "polygons", "lines" or "points": what a role's features are.
const char* family_name(LayerRole role);

// ---- staging (load_reproject.cpp) ------------------------------------------------------------

// Staging: features are read with their layer's coordinates, then projected together.

enum Collection : std::size_t {
  kBuildings,
  kCompounds,
  kCommunities,
  kLines,
  kWater,
  kStations,
  kGrids,
  kCollections
};
using Sizes = std::array<std::size_t, kCollections>;

Sizes sizes_of(const Dataset& d);

/// A run of dataset features read from one layer (or one OSM file), all in `srs`.
struct StagedLayer {
  std::string label;  // file:layer
  SrsPtr srs;
  Sizes begin{};
  Sizes end{};
  // Mean of each feature's first vertex (layer CRS): where the data is, for choosing a CRS.
  double sum_x = 0.0, sum_y = 0.0;
  std::size_t samples = 0;
  Box extent;  // of the same first vertices
};

/// Adds a feature's first vertex to the layer's sample (mean and extent).
void sample(StagedLayer& stage, const Point& p);

// ---- the driver (load.cpp) --------------------------------------------------------------------

/// MB a single GeoJSON feature may take once parsed.
long long geojson_feature_limit_mb();
/// Whether a GDAL failure message says the file itself could not be read.
bool looks_like_io_failure(std::string_view message);
bool is_shapefile_path(const std::string& path);
std::optional<std::int64_t> fid_of(const OGRFeature& f);
/// "file:layer:fid", for messages.
std::string location_text(const Location& where);

/// Thrown by read_osm when GDAL's OSM driver refused unordered element ids.
struct OsmIdsNotSorted {
  std::string gdal_text;
};

class Loader {
 public:
  Loader(const LoadOptions& options, Progress& progress) : options_(options), progress_(progress) {}

  LoadResult run();

 private:
  void load_input(const InputSpec& input);
  void read_layer(OGRLayer& layer, const std::string& path, LayerReport& report);
  void read_osm(GDALDataset& dataset, const std::string& path, SourceReport& source);
  void add_feature(const OGRFeature& feature, LayerRole role, const Fields& fields,
                   const Location& where, StagedLayer& stage, LayerReport& report);
  void skip(const Location& where, GeomIssue issue, LayerReport& report, const char* what);
  void note_dropped_parts(const Location& where, int dropped_parts);
  /// Reads a polygonal feature into a new item of `items`: footprint (or a skip report naming
  /// `what`), source, id (`id`, else the fid, else the position), then `fill(item)` for the
  /// role's attributes; counts it under `loaded_as`. False when the feature was skipped.
  template <typename Item, typename Fill>
  bool add_polygonal(std::vector<Item>& items, const OGRGeometry* geometry, const Location& where,
                     std::optional<std::int64_t> id, const char* what, const char* loaded_as,
                     StagedLayer& stage, LayerReport& report, Fill&& fill);
  SrsPtr layer_srs(OGRLayer& layer, const std::string& path);
  Fields resolve_fields(const OGRFeatureDefn& defn, LayerRole role, const std::string& path,
                        const std::string& layer, LayerReport& report) const;
  void report_duplicate_ids();
  /// Rows of the runs of one building split by units (merged here, after projection): see
  /// unit_run_rows_.
  void merge_unit_runs();
  void choose_target_crs();
  void project();
  void remove_failed_projections();
  void note_gdal_warnings(const Location& where);
  /// The use of a building from its use value; counts the value in `report`.
  BuildingUse use_of(const std::string& value, LayerReport& report) const;
  /// One note per layer listing the buildings whose use value was generic or unknown.
  void note_unknown_uses(const Location& where, const LayerReport& report, const char* field);
  void check_households() const;
  /// Joins LoadOptions::household_table to the buildings (before the estimate).
  void apply_household_table();
  /// Buildings read from points: their placeholder footprints become squares of
  /// point_building_side_m around the projected point (before the household estimate) ...
  void square_point_buildings();
  /// ... and squares too small for a given household count are enlarged (after it).
  void enlarge_point_buildings();
  /// Removes the buildings at `parts` (tagged building:part) that lie inside another building
  /// loaded since `first`: a part (a tower on a podium) would count its parent's households
  /// twice. A part inside no other building is the only outline there is and stays.
  void drop_building_parts(const std::vector<std::size_t>& parts, std::size_t first,
                           const std::string& path, LayerReport& report);

  /// Buildings read from points, by "file\x1flayer\x1ffid" (indices shift when buildings are
  /// dropped); per layer "file\x1flayer": how many.
  std::unordered_set<std::string> point_buildings_;
  /// A plan's buildings layer read as data (`gridplan check plan.gpkg`, the studio opening a
  /// run): a building split by units between micro grids is one row per run, each with the
  /// building's id and its `unit_range`. By "file\x1flayer\x1ffid" of such a row: the building
  /// it is a run of, "file\x1flayer\x1fid".
  std::unordered_map<std::string, std::string> unit_run_rows_;
  /// The layer being read declares points: only then are its points buildings (a stray point
  /// in a polygon layer is a label or an error, listed as wrong-geometry-type).
  bool points_layer_ = false;
  std::map<std::string, std::size_t> point_building_layers_;
  const LoadOptions& options_;
  Progress& progress_;
  LoadResult result_;
  std::vector<StagedLayer> staged_;
  SrsPtr target_;
  SrsPtr assumed_;
  std::vector<LineString> line_scratch_;
  GdalErrorCollector errors_;
  std::string driver_;  // of the input being read, for messages
  /// Building ids read from an id field, for report_duplicate_ids: the id, the building and the
  /// field it came from (an index into id_fields_).
  struct FieldId {
    std::int64_t id;
    std::size_t building;
    std::size_t field;
  };
  std::vector<FieldId> field_ids_;
  /// Text building ids (not numbers): first location of each, and per "file\x1flayer" how many
  /// and one example, for the `text-building-ids` note.
  std::map<std::string, Location> text_ids_;
  std::map<std::string, std::pair<std::size_t, std::string>> text_id_layers_;
  std::vector<std::string> id_fields_;
};

// Defined here: read_layer (load.cpp) and read_osm (load_osm.cpp) both use it.
template <typename Item, typename Fill>
bool Loader::add_polygonal(std::vector<Item>& items, const OGRGeometry* geometry,
                           const Location& where, std::optional<std::int64_t> id, const char* what,
                           const char* loaded_as, StagedLayer& stage, LayerReport& report,
                           Fill&& fill) {
  Item item;
  int dropped_parts = 0;
  const GeomIssue issue = read_polygons(geometry, item.footprint, dropped_parts);
  if (issue != GeomIssue::none) {
    skip(where, issue, report, what);
    return false;
  }
  note_dropped_parts(where, dropped_parts);
  item.source = where;
  item.id = id.value_or(where.fid.value_or(static_cast<std::int64_t>(items.size())));
  fill(item);
  sample(stage, item.footprint.front().outer.front());
  items.push_back(std::move(item));
  ++report.loaded[loaded_as];
  return true;
}

}  // namespace gp::io::loader
