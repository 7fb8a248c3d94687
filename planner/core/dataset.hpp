#pragma once
// The loaded, validated and projected input of a plan. Every coordinate is in metres in the
// dataset's projected CRS (`crs`). Features keep where they came from (`source`) so any problem
// can be reported as file:layer:fid.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "planner/core/diagnostics.hpp"
#include "planner/core/geometry.hpp"

namespace gp {

inline constexpr std::int32_t kNone = -1;  // "no index" for optional references between features

enum class BuildingUse {
  residential,  // dwellings (apartments, houses, bungalows, dormitories)
  mixed,        // shops below, dwellings above
  school,
  hospital,
  office,      // offices and government
  commercial,  // shops, markets, hotels
  industrial,
  ancillary,  // sheds, garages, huts: never dwellings
  other       // other non-residential (religious, sports, ...)
};
const char* to_string(BuildingUse use);
/// Residential or mixed: may hold households.
bool may_hold_households(BuildingUse use);

/// Where a building's household count came from (exported as the buildings' hh_source).
enum class HouseholdSource {
  field,     // given by the source: its households field (户数) or OSM tag, or a synthetic town
  table,     // the household table joined to the buildings (--household-table)
  point,     // estimated for a building given as a point: its square (point_building_side_m)
  estimate,  // estimated from footprint area × floors (planner/core/households.hpp)
};
const char* to_string(HouseholdSource source);

struct Building {
  std::int64_t id = 0;  // bid: stable across runs (source id if given, else feature id)
  Location source;      // where it was read from
  std::string name;
  std::string source_use;  // raw use/tag value as read, e.g. OSM building=apartments
  BuildingUse use = BuildingUse::residential;
  MultiPolygon footprint;  // metres, projected CRS
  int floors = 0;          // storeys above ground; 0 = unknown
  bool floors_estimated = false;
  double height_m = 0.0;  // 0 = unknown
  int units = 0;          // entrances (单元); 0 = unknown
  int households = 0;     // 户
  bool households_estimated = false;
  HouseholdSource households_source = HouseholdSource::field;
  double workload_weight = 1.0;    // relative grid-worker effort per household (1 = ordinary)
  std::string compound_ref;        // compound id given by the source (attribute), if any
  std::string community_ref;       // community id/code given by the source (attribute), if any
  std::int32_t compound = kNone;   // index into Dataset::compounds after the spatial join
  std::int32_t community = kNone;  // index into Dataset::communities after the spatial join
};

/// Who manages a compound (物业 / 物管会 / 业委会); `none` is an unmanaged 三无 compound.
enum class Management { unknown, property_company, committee, none };
const char* to_string(Management management);

struct Compound {
  std::int64_t id = 0;
  Location source;
  std::string ref;  // id as given by the source (matches Building::compound_ref)
  std::string name;
  Management management = Management::unknown;
  MultiPolygon footprint;
  std::int32_t community = kNone;
};

struct Community {
  std::int64_t id = 0;
  Location source;
  std::string code;  // administrative code if given (12 digits, GB/T 2260 + street + community)
  std::string name;
  MultiPolygon footprint;
};

enum class LineKind { road, river, rail };
const char* to_string(LineKind kind);

/// A linear feature: a road or path (barrier and/or walking network), a river, a railway.
struct Line {
  std::int64_t id = 0;
  Location source;
  LineKind kind = LineKind::road;
  std::string cls;  // road class (OSM highway=*, or mapped), waterway type, rail type
  std::string name;
  LineString geometry;
  bool bridge = false;
  bool tunnel = false;
  bool walkable = true;  // pedestrians may use it (false for motorways, rivers, rail)
};

/// Standing water and wide rivers mapped as areas (natural=water, waterway=riverbank).
struct WaterArea {
  std::int64_t id = 0;
  Location source;
  std::string name;
  MultiPolygon footprint;
};

enum class StationTier { county_centre, community_centre, compound_station };
const char* to_string(StationTier tier);

/// A party-mass service centre or station (党群服务中心/站).
struct Station {
  std::int64_t id = 0;
  Location source;
  std::string name;
  StationTier tier = StationTier::compound_station;
  double floor_m2 = 0.0;  // 0 = unknown
  Point location;
};

enum class GridLevel { large, micro };

/// A grid of an existing (hand-drawn or earlier) plan.
struct ExistingGrid {
  std::int64_t id = 0;
  Location source;
  GridLevel level = GridLevel::large;
  std::string code;
  std::string name;
  std::string parent_code;  // for micro grids: the large grid's code, if given
  bool locked = false;
  MultiPolygon footprint;
  /// Why the grid is outside its household bounds, as the plan that made it recorded it (our
  /// plan.gpkg's field bounds_why); "" when none is given.
  std::string bounds_reason;
};

/// One input file as read: for the manifest and for inspect.
struct SourceInfo {
  std::string path;
  std::string driver;
  std::string sha256;
};

struct Dataset;

/// The overlapping footprints settled once, after validation (geo::settle_footprints,
/// planner/geo/own_footprint.hpp), and carried on the dataset for the tessellation, the partition,
/// the audit and the export, which each computed them again before.
struct FootprintSettling {
  /// Each building's community when settled: the rest holds while the dataset's are the same
  /// (Dataset::settled_footprints).
  std::vector<std::int32_t> community;
  /// geo::footprint_holders among the buildings of the building's community: the holder's index
  /// in the dataset, or kNone (and kNone for a building in no community).
  std::vector<std::int32_t> holder;
  /// geo::own_footprints among the buildings of the building's community that are no copy
  /// (geo::footprint_is_copy of their holder), as the tessellation places its sites: the
  /// non-empty ones only, (building, own part), ascending by building.
  std::vector<std::pair<std::int32_t, MultiPolygon>> site_parts;
  /// geo::own_footprints among all the buildings (the audit's points, the buildings layer's rows).
  std::shared_ptr<const std::vector<MultiPolygon>> own_parts;
};

struct Dataset {
  std::string crs_wkt;   // projected CRS of every coordinate below
  std::string crs_name;  // e.g. "CGCS2000 / 3-degree Gauss-Kruger CM 114E"
  int crs_epsg = 0;      // 0 when the CRS has no EPSG code
  std::vector<SourceInfo> sources;
  std::vector<Building> buildings;
  std::vector<Compound> compounds;
  std::vector<Community> communities;
  std::vector<Line> lines;
  std::vector<WaterArea> water;
  std::vector<Station> stations;
  std::vector<ExistingGrid> existing_grids;
  ProblemReporter problems;
  /// Set by the validation (geo::validate_and_join); null when the dataset was not validated.
  std::shared_ptr<const FootprintSettling> settled;

  [[nodiscard]] long long total_households() const;
  /// `settled` while it still describes the buildings (as many, each in the same community), else
  /// null: then each step computes what it needs itself, as before.
  [[nodiscard]] const FootprintSettling* settled_footprints() const;
  [[nodiscard]] Box extent() const;
};

}  // namespace gp
