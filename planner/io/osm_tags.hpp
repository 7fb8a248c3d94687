#pragma once
// OpenStreetMap tag handling shared by the loader and its tests: GDAL's `other_tags` field, the
// building=* → BuildingUse table, and which highway=* classes pedestrians may use.
// See docs/decisions/0002-input-layers.md for the tables and their reasons.

#include <optional>
#include <string>
#include <string_view>

#include "planner/core/dataset.hpp"

namespace gp::io {

/// The value of `key` in GDAL's OSM `other_tags` field, which is written like an hstore:
/// "key"=>"value","k2"=>"v2" with `"` and `\` escaped by a backslash. nullopt when absent.
std::optional<std::string> find_other_tag(std::string_view other_tags, std::string_view key);

/// Building use from a building=* value or a GridPlanner `use` value (case-insensitive):
/// apartments/residential/house/dormitory/… → residential; school/university/kindergarten →
/// school; hospital/clinic → hospital; office/government/public → office; commercial/retail/
/// supermarket/hotel → commercial; industrial/warehouse → industrial; garage/shed/hut/roof →
/// ancillary; anything else → other. Chinese values (住宅, 学校, 医院, 办公, 商业, 工业, …) too.
/// Generic values (see generic_building_value) give `residential`, values not in the table
/// `other`; the loader uses lookup_building_use and LoadOptions::unknown_use instead.
BuildingUse building_use_from_value(std::string_view value);
/// The table entry of a use value (trimmed, case-insensitive); nullopt when the value is generic
/// ("yes", "building", 建筑, …) or not in the table: the loader then applies
/// LoadOptions::unknown_use and lists the value.
std::optional<BuildingUse> lookup_building_use(std::string_view value);
/// A value that says only "a building" (OSM building=yes, vector-tile kind=building, 建筑, 房屋,
/// 未知): no information on the use.
bool generic_building_value(std::string_view value);

/// Whether pedestrians may walk along a road of this highway=* class: not motorways, trunk roads,
/// roads under construction or proposed; footway/path/steps/pedestrian and ordinary streets yes.
bool highway_walkable(std::string_view highway);

/// Leading number of a tag value such as "12", "12.5 m", "6;7" or "40'" (feet → metres when
/// `length` is set); nullopt when the value does not start with a number.
std::optional<double> parse_osm_number(std::string_view value, bool length);

/// "yes", "true", "1" and bridge-like values ("viaduct", "culvert", "building_passage", ...) are
/// true; "no", "false", "0", "" are false.
bool osm_truthy(std::string_view value);

}  // namespace gp::io
