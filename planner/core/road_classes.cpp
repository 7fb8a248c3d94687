#include "planner/core/road_classes.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace gp {

namespace {

// Hard by default: the classes that bound street blocks in practice — OSM motorway … tertiary
// (as before this table), urban 快速路 / 主干路 / 次干路, highways 高速公路 / 一级 / 二级公路 and
// administrative 国道 / 省道. 支路 (branch street), 县道 and lower are soft by default: branch
// streets often run inside the large grids of a community (domain brief); make them hard with
// barriers.hard_road_classes / --hard-road-classes where local practice differs.
// Not walkable: motorways and trunk roads (OSM access rules), 高速公路 and 快速路 main
// carriageways (no pedestrians by law, 道路交通安全法 §67), and ways that are not open roads.
// 国道 / 一级公路 stay walkable: through towns they carry pavements.
// Drawn widths (m) are typical carriageway widths, not road reserves (CJJ 37-2012 table 5.3.4
// gives red-line widths of 40-70 m for 主干路, drawn narrower so that blocks stay visible).
const std::vector<RoadClass>& table() {
  static const std::vector<RoadClass> classes{
      {"motorway", 7, true, false, 24.0, "高速公路(OSM)", "motorway"},
      {"高速公路", 7, true, false, 24.0, "高速公路", "expressway (highway)"},
      {"快速路", 7, true, false, 24.0, "快速路", "urban expressway"},
      {"trunk", 6, true, false, 24.0, "干线公路(OSM)", "trunk road"},
      {"国道", 6, true, true, 20.0, "国道", "national road"},
      {"一级公路", 6, true, true, 20.0, "一级公路", "class 1 highway"},
      {"primary", 5, true, true, 20.0, "主要道路(OSM)", "primary road"},
      {"主干路", 5, true, true, 20.0, "主干路", "arterial road"},
      {"省道", 5, true, true, 15.0, "省道", "provincial road"},
      {"二级公路", 5, true, true, 15.0, "二级公路", "class 2 highway"},
      {"secondary", 4, true, true, 15.0, "次要道路(OSM)", "secondary road"},
      {"次干路", 4, true, true, 15.0, "次干路", "secondary arterial"},
      {"县道", 4, false, true, 11.0, "县道", "county road"},
      {"tertiary", 3, true, true, 11.0, "三级道路(OSM)", "tertiary road"},
      {"支路", 3, false, true, 11.0, "支路", "branch street"},
      {"三级公路", 3, false, true, 9.0, "三级公路", "class 3 highway"},
      {"乡道", 2, false, true, 7.0, "乡道", "township road"},
      {"四级公路", 2, false, true, 6.0, "四级公路", "class 4 highway"},
      {"村道", 2, false, true, 5.0, "村道", "village road"},
      {"unclassified", 2, false, true, 7.0, "未分级道路(OSM)", "unclassified road"},
      {"residential", 2, false, true, 7.0, "居住区道路(OSM)", "residential street"},
      {"living_street", 2, false, true, 7.0, "生活街道(OSM)", "living street"},
      {"road", 2, false, true, 7.0, "道路(未知等级)", "road of unknown class"},
      {"街坊路", 1, false, true, 5.0, "街坊路/小区路", "estate road"},
      {"service", 1, false, true, 4.5, "服务道路(OSM)", "service road"},
      {"busway", 1, false, false, 4.5, "公交专用道", "busway"},
      {"track", 0, false, true, 1.6, "小路(OSM)", "track"},
      {"pedestrian", 0, false, true, 1.6, "步行街", "pedestrian street"},
      {"人行道", 0, false, true, 1.6, "人行道/步行道", "footway"},
      {"footway", 0, false, true, 1.6, "人行道(OSM)", "footway"},
      {"path", 0, false, true, 1.6, "小径(OSM)", "path"},
      {"steps", 0, false, true, 1.6, "台阶", "steps"},
      {"cycleway", 0, false, true, 1.6, "自行车道", "cycleway"},
      {"bridleway", 0, false, true, 1.6, "马道", "bridleway"},
      {"corridor", 0, false, true, 1.6, "室内通道", "corridor"},
      {"construction", 0, false, false, 1.6, "在建道路", "under construction"},
      {"proposed", 0, false, false, 1.6, "规划道路", "proposed"},
      {"abandoned", 0, false, false, 1.6, "废弃道路", "abandoned"},
      {"raceway", 0, false, false, 1.6, "赛道", "raceway"},
      {"bus_guideway", 0, false, false, 1.6, "导轨公交", "bus guideway"},
      {"escape", 0, false, false, 1.6, "避险车道", "escape lane"},
  };
  return classes;
}

// Other spellings found in bureau data and web-map exports → table key.
constexpr std::array<std::pair<std::string_view, std::string_view>, 30> kSynonyms{{
    {"城市快速路", "快速路"},
    {"快速道路", "快速路"},
    {"expressway", "快速路"},
    {"主干道", "主干路"},
    {"城市主干路", "主干路"},
    {"城市主干道", "主干路"},
    {"arterial", "主干路"},
    {"次干道", "次干路"},
    {"城市次干路", "次干路"},
    {"城市次干道", "次干路"},
    {"collector", "次干路"},
    {"城市支路", "支路"},
    {"支道", "支路"},
    {"branch", "支路"},
    {"高速", "高速公路"},
    {"小区路", "街坊路"},
    {"小区道路", "街坊路"},
    {"内部道路", "街坊路"},
    {"内部路", "街坊路"},
    {"步行道", "人行道"},
    {"步道", "人行道"},
    {"人行步道", "人行道"},
    {"sidewalk", "footway"},
    {"motorway_junction", "motorway"},
    {"trunk_road", "trunk"},
    {"primary_road", "primary"},
    {"secondary_road", "secondary"},
    {"tertiary_road", "tertiary"},
    {"residential_road", "residential"},
    {"service_road", "service"},
}};

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() > suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

const std::vector<RoadClass>& road_classes() {
  return table();
}

std::string normalise_road_class(std::string_view cls) {
  // Trim ASCII whitespace and the ideographic space U+3000 (E3 80 80) that Chinese input
  // methods leave in attribute tables.
  auto trim = [](std::string_view& s) {
    bool changed = true;
    while (changed) {
      changed = false;
      while (!s.empty() &&
             (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
        s.remove_prefix(1);
        changed = true;
      }
      while (!s.empty() &&
             (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
        changed = true;
      }
      if (s.starts_with("\xE3\x80\x80")) {
        s.remove_prefix(3);
        changed = true;
      }
      if (s.ends_with("\xE3\x80\x80")) {
        s.remove_suffix(3);
        changed = true;
      }
    }
  };
  trim(cls);
  std::string out;
  out.reserve(cls.size());
  for (const char c : cls) {
    if (c >= 'A' && c <= 'Z')
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    else if (c == ' ' || c == '-')
      out.push_back('_');
    else
      out.push_back(c);
  }
  // A link or ramp belongs to its parent class (OSM primary_link; 快速路匝道, 主干路连接线).
  for (const std::string_view suffix :
       {std::string_view("_link"), std::string_view("匝道"), std::string_view("连接线")})
    if (ends_with(out, suffix)) {
      out.resize(out.size() - suffix.size());
      break;
    }
  for (const auto& [synonym, key] : kSynonyms)
    if (out == synonym) return std::string(key);
  return out;
}

const RoadClass* find_road_class(std::string_view cls) {
  const std::string key = normalise_road_class(cls);
  for (const RoadClass& entry : table())
    if (entry.key == key) return &entry;
  return nullptr;
}

bool road_class_in(std::string_view cls, const std::set<std::string>& classes) {
  if (classes.empty()) return false;
  const std::string key = normalise_road_class(cls);
  if (classes.contains(key)) return true;
  return std::any_of(classes.begin(), classes.end(),
                     [&key](const std::string& c) { return normalise_road_class(c) == key; });
}

bool road_class_in(std::string_view cls, const std::vector<std::string>& classes) {
  if (classes.empty()) return false;
  const std::string key = normalise_road_class(cls);
  return std::any_of(classes.begin(), classes.end(),
                     [&key](const std::string& c) { return normalise_road_class(c) == key; });
}

std::set<std::string> default_hard_road_classes() {
  std::set<std::string> out;
  for (const RoadClass& entry : table())
    if (entry.hard) out.emplace(entry.key);
  return out;
}

std::vector<std::string> default_unwalkable_road_classes() {
  std::vector<std::string> out;
  for (const RoadClass& entry : table())
    if (!entry.walkable) out.emplace_back(entry.key);
  return out;
}

int road_rank(std::string_view cls) {
  const RoadClass* entry = find_road_class(cls);
  return entry ? entry->rank : 2;
}

bool road_walkable(std::string_view cls) {
  const RoadClass* entry = find_road_class(cls);
  return entry ? entry->walkable : true;
}

double road_drawn_width_m(std::string_view cls) {
  const RoadClass* entry = find_road_class(cls);
  return entry ? entry->drawn_width_m : 7.0;
}

}  // namespace gp
