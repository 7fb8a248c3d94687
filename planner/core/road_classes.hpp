#pragma once
// The one road-class table: every part of GridPlanner that asks about a road's class (the
// loader's walkable flag, the partition's default hard barriers, the tessellation's hard test,
// the studio's and the PNG renderer's drawn widths, the walking network) asks here, and matches
// a class the same way.
//
// Classes covered: OpenStreetMap highway=* values, and the Chinese national classes
//  - urban roads, CJJ 37-2012 / GB 50220: 快速路, 主干路, 次干路, 支路, 街坊路 / 小区路 /
//    内部道路, 人行道 / 步行道;
//  - highways by technical grade, JTG B01-2014: 高速公路, 一级公路 … 四级公路;
//  - highways by administration: 国道, 省道, 县道, 乡道, 村道.
// Matching (normalise_road_class): surrounding whitespace is dropped, ASCII letters are
// lower-cased, inner spaces and '-' become '_', a trailing "_link" (or Chinese 匝道 / 连接线)
// takes its parent class, and synonyms (主干道, 城市主干路, expressway, …) map to their entry.
// A class the table does not know keeps its normalised spelling and is soft, walkable and drawn
// as an ordinary street.

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace gp {

struct RoadClass {
  std::string_view key;  // canonical spelling, e.g. "primary", "主干路"
  /// 0 paths … 7 motorways: comparable importance across the OSM and Chinese systems (used for
  /// drawing order and colour).
  int rank = 0;
  /// A hard barrier by default: grids never cross it (PartitionParams::hard_road_classes).
  bool hard = false;
  /// Pedestrians may walk along it (the walking network for coverage).
  bool walkable = true;
  /// Carriageway width drawn in maps and the studio, metres (narrower than the road reserve).
  double drawn_width_m = 7.0;
  std::string_view label_zh;
  std::string_view label_en;
};

/// Every class of the table, in rank order (highest first).
const std::vector<RoadClass>& road_classes();

/// The canonical key of a class as written in a file ("Primary_Link " → "primary",
/// "城市主干道" → "主干路"); an unknown class is returned trimmed and lower-cased.
std::string normalise_road_class(std::string_view cls);

/// The table entry of a class (after normalise_road_class), or nullptr when unknown.
const RoadClass* find_road_class(std::string_view cls);

/// Whether `cls` is one of `classes`, both sides normalised: "primary_link" is in {"primary"},
/// "主干道" is in {"主干路"}.
bool road_class_in(std::string_view cls, const std::set<std::string>& classes);
bool road_class_in(std::string_view cls, const std::vector<std::string>& classes);

/// The classes that are hard barriers by default (keys of the entries with `hard`).
std::set<std::string> default_hard_road_classes();
/// The classes pedestrians may not use by default (keys of the entries without `walkable`).
std::vector<std::string> default_unwalkable_road_classes();

/// Table lookups with the defaults for an unknown class (rank 2, soft, walkable, 7 m).
int road_rank(std::string_view cls);
bool road_walkable(std::string_view cls);
double road_drawn_width_m(std::string_view cls);

}  // namespace gp
