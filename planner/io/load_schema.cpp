// The loader's schema: roles of layers (by name, Chinese included), the field names each role
// understands with their aliases (Chinese included), attribute values (numbers, flags,
// management, tiers, grid levels) and text encodings (UTF-8; GB18030/GBK Shapefiles).

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "planner/core/errors.hpp"
#include "planner/core/road_classes.hpp"
#include "planner/io/crs.hpp"
#include "planner/io/gdal_support.hpp"
#include "planner/io/load_internal.hpp"
#include "planner/io/osm_tags.hpp"

namespace gp::io::loader {

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string trimmed(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.front() == '\r'))
    v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r'))
    v.remove_suffix(1);
  return std::string(v);
}

std::optional<std::int64_t> whole_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str()) return std::nullopt;
  std::string rest(end);
  // "12.0" from a spreadsheet is 12; anything else after the digits is not a number.
  if (!rest.empty() && rest.find_first_not_of(".0") != std::string::npos) return std::nullopt;
  return v;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ascii_lower(a) == ascii_lower(b);
}

/// Whether bytes are well-formed UTF-8 (used to notice a Shapefile whose encoding GDAL could not
/// tell, so its Chinese text came through as raw GBK bytes).
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    if (c < 0x80) {
      extra = 0;
    } else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
      extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
      extra = 3;
    } else {
      return false;
    }
    if (extra > 0 && i + extra >= s.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += extra + 1;
  }
  return true;
}

/// Whether bytes are well-formed GB18030 (GBK is a subset): ASCII, two-byte sequences lead
/// 0x81-0xFE with trail 0x40-0x7E / 0x80-0xFE, four-byte sequences 0x81-0xFE 0x30-0x39
/// 0x81-0xFE 0x30-0x39 (GB 18030-2005 §4).
bool valid_gb18030(std::string_view s) {
  std::size_t i = 0;
  auto at = [&s](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  while (i < s.size()) {
    const unsigned char c = at(i);
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c == 0x80 || c == 0xFF || i + 1 >= s.size()) return false;
    const unsigned char t = at(i + 1);
    if ((t >= 0x40 && t <= 0x7E) || (t >= 0x80 && t <= 0xFE)) {
      i += 2;
      continue;
    }
    if (t >= 0x30 && t <= 0x39 && i + 3 < s.size() && at(i + 2) >= 0x81 && at(i + 2) <= 0xFE &&
        at(i + 3) >= 0x30 && at(i + 3) <= 0x39) {
      i += 4;
      continue;
    }
    return false;
  }
  return true;
}

/// Whether a Shapefile that does not say its encoding (no .cpg, no DBF language byte) holds
/// text that is not UTF-8 but decodes cleanly as GB18030 — the commonest form of Chinese bureau
/// data. Looks at the field names and the text of the first 2000 features of each layer.
bool shapefile_text_is_gb18030(GDALDataset& dataset) {
  bool any_foreign = false;
  auto check = [&any_foreign](std::string_view text) {
    if (valid_utf8(text)) return true;
    any_foreign = true;
    return valid_gb18030(text);
  };
  for (int l = 0; l < dataset.GetLayerCount(); ++l) {
    OGRLayer* layer = dataset.GetLayer(l);
    const char* source = layer->GetMetadataItem("SOURCE_ENCODING", "SHAPEFILE");
    if ((source != nullptr && *source != '\0') ||
        layer->GetMetadataItem("ENCODING_FROM_CPG", "SHAPEFILE") ||
        layer->GetMetadataItem("ENCODING_FROM_LDID", "SHAPEFILE"))
      continue;
    const OGRFeatureDefn& defn = *layer->GetLayerDefn();
    for (int i = 0; i < defn.GetFieldCount(); ++i)
      if (!check(defn.GetFieldDefn(i)->GetNameRef())) return false;
    layer->ResetReading();
    for (int n = 0; n < 2000; ++n) {
      OGRFeatureUniquePtr feature(layer->GetNextFeature());
      if (!feature) break;
      for (int i = 0; i < defn.GetFieldCount(); ++i)
        if (defn.GetFieldDefn(i)->GetType() == OFTString && feature->IsFieldSetAndNotNull(i) &&
            !check(feature->GetFieldAsString(i)))
          return false;
    }
    layer->ResetReading();
  }
  return any_foreign;
}

namespace {

// ---------------------------------------------------------------------------------------------
// Roles

struct RoleName {
  LayerRole role;
  std::string_view name;
};

constexpr std::array kRoleNames{
    RoleName{LayerRole::unknown, "unknown"},     RoleName{LayerRole::buildings, "buildings"},
    RoleName{LayerRole::compounds, "compounds"}, RoleName{LayerRole::communities, "communities"},
    RoleName{LayerRole::roads, "roads"},         RoleName{LayerRole::rivers, "rivers"},
    RoleName{LayerRole::water, "water"},         RoleName{LayerRole::rail, "rail"},
    RoleName{LayerRole::walkways, "walkways"},   RoleName{LayerRole::stations, "stations"},
    RoleName{LayerRole::grids, "grids"},         RoleName{LayerRole::osm, "osm"},
};

struct RoleTokens {
  LayerRole role;
  std::vector<std::string_view> tokens;
};

// Checked in this order: the first role with a token contained in the (lower-cased) layer name
// wins, so "社区服务站" is a station before it is a community and "waterway" a river before water.
const std::vector<RoleTokens>& role_tokens() {
  static const std::vector<RoleTokens> table{
      {LayerRole::stations, {"station", "党群服务", "服务站", "服务中心"}},
      {LayerRole::grids, {"grid", "网格"}},
      {LayerRole::buildings, {"building", "bldg", "建筑", "楼栋", "房屋"}},
      {LayerRole::compounds, {"compound", "小区", "院落"}},
      {LayerRole::communities, {"communit", "社区", "居委"}},
      {LayerRole::walkways, {"walkway", "footway", "footpath", "步道", "人行"}},
      {LayerRole::roads, {"road", "street", "highway", "道路", "街道"}},
      {LayerRole::rail, {"rail", "铁路"}},
      {LayerRole::rivers, {"river", "waterway", "stream", "canal", "河流", "河道", "水系线"}},
      {LayerRole::water, {"water", "lake", "水域", "水面", "水系"}},
  };
  return table;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Fields

const std::vector<FieldKeySpec>& key_specs(LayerRole role) {
  static const std::vector<FieldKeySpec> buildings{
      {"id", &Fields::id, {"bid", "id", "building_id", "楼栋编号", "编号"}},
      {"name", &Fields::name, {"name", "名称", "楼栋名称", "楼名", "建筑名称"}},
      {"use", &Fields::use, {"use", "building", "kind", "type", "用途", "建筑用途", "类型"}},
      {"floors",
       &Fields::floors,
       {"floors", "levels", "building_levels", "building:levels", "storeys", "stories", "层数",
        "楼层数", "地上层数", "楼层"}},
      {"height", &Fields::height, {"height", "height_m", "高度", "建筑高度"}},
      {"units", &Fields::units, {"units", "entrances", "单元数", "单元"}},
      {"households",
       &Fields::households,
       {"households", "hh", "hhs", "household", "户数", "住户数", "户"}},
      {"compound",
       &Fields::compound,
       {"compound", "compound_ref", "compound_id", "小区", "小区编号", "所属小区"}},
      {"community",
       &Fields::community,
       {"community", "community_ref", "community_code", "社区", "社区编码", "所属社区",
        "社区名称"}},
  };
  static const std::vector<FieldKeySpec> compounds{
      {"ref", &Fields::ref, {"ref", "id", "compound_id", "code", "编号", "小区编号"}},
      {"name", &Fields::name, {"name", "名称", "小区名称"}},
      {"management", &Fields::management, {"management", "物业", "管理方式", "物业管理"}},
  };
  static const std::vector<FieldKeySpec> communities{
      {"code", &Fields::code, {"code", "id", "ref", "编码", "社区编码", "代码"}},
      {"name", &Fields::name, {"name", "名称", "社区名称"}},
  };
  static const std::vector<FieldKeySpec> roads{
      {"class", &Fields::cls, {"class", "highway", "fclass", "kind", "type", "道路等级", "等级"}},
      {"name", &Fields::name, {"name", "名称", "道路名称"}},
      {"bridge", &Fields::bridge, {"bridge", "桥梁"}},
      {"tunnel", &Fields::tunnel, {"tunnel", "隧道"}},
  };
  static const std::vector<FieldKeySpec> rivers{
      {"class", &Fields::cls, {"class", "waterway", "kind", "type", "类型"}},
      {"name", &Fields::name, {"name", "名称", "河流名称"}},
  };
  static const std::vector<FieldKeySpec> rail{
      {"class", &Fields::cls, {"class", "railway", "kind", "type", "类型"}},
      {"name", &Fields::name, {"name", "名称"}},
      {"bridge", &Fields::bridge, {"bridge", "桥梁"}},
      {"tunnel", &Fields::tunnel, {"tunnel", "隧道"}},
  };
  static const std::vector<FieldKeySpec> water{
      {"name", &Fields::name, {"name", "名称"}},
  };
  static const std::vector<FieldKeySpec> stations{
      {"id", &Fields::id, {"sid", "id", "编号"}},
      {"name", &Fields::name, {"name", "名称", "站点名称"}},
      {"tier", &Fields::tier, {"tier", "level", "type", "级别", "等级"}},
      {"floor_m2", &Fields::floor_m2, {"floor_m2", "floor_area", "area_m2", "面积", "建筑面积"}},
  };
  static const std::vector<FieldKeySpec> grids{
      {"code", &Fields::code, {"code", "id", "编码", "网格编码"}},
      {"name", &Fields::name, {"name", "名称", "网格名称"}},
      // Grid-management platforms export 网格级别 / 上级编码; our own plan.gpkg names a micro
      // grid's parent large_code (所属大网格 in its Chinese-labelled export).
      {"level",
       &Fields::level,
       {"level", "grid_level", "type", "网格级别", "网格层级", "层级", "级别"}},
      {"parent",
       &Fields::parent,
       {"parent", "parent_code", "large_code", "上级编码", "上级网格编码", "上级网格", "所属大网格",
        "大网格编码", "上级"}},
      {"locked", &Fields::locked, {"locked", "lock", "锁定"}},
  };
  static const std::vector<FieldKeySpec> none{};
  switch (role) {
    case LayerRole::buildings:
      return buildings;
    case LayerRole::compounds:
      return compounds;
    case LayerRole::communities:
      return communities;
    case LayerRole::roads:
    case LayerRole::walkways:
      return roads;
    case LayerRole::rivers:
      return rivers;
    case LayerRole::rail:
      return rail;
    case LayerRole::water:
      return water;
    case LayerRole::stations:
      return stations;
    case LayerRole::grids:
      return grids;
    case LayerRole::unknown:
    case LayerRole::osm:
      break;
  }
  return none;
}

/// Field index whose name equals `wanted` (case-insensitive), or whose name is `wanted` cut to
/// the 10 characters a Shapefile DBF allows; -1 if none.
int find_field(const OGRFeatureDefn& defn, std::string_view wanted) {
  const std::string lowered = ascii_lower(wanted);
  for (int i = 0; i < defn.GetFieldCount(); ++i) {
    const std::string field = ascii_lower(defn.GetFieldDefn(i)->GetNameRef());
    if (field == lowered) return i;
  }
  if (lowered.size() > 10) {
    for (int i = 0; i < defn.GetFieldCount(); ++i) {
      const std::string field = ascii_lower(defn.GetFieldDefn(i)->GetNameRef());
      if (field.size() == 10 && lowered.compare(0, 10, field) == 0) return i;
    }
  }
  return -1;
}

std::string field_list(const OGRFeatureDefn& defn) {
  std::string out;
  for (int i = 0; i < defn.GetFieldCount(); ++i) {
    if (!out.empty()) out += ", ";
    out += defn.GetFieldDefn(i)->GetNameRef();
  }
  return out.empty() ? "(none)" : out;
}

// ---------------------------------------------------------------------------------------------
// Attribute values

std::string text_of(const OGRFeature& f, int i) {
  if (i < 0 || !f.IsFieldSetAndNotNull(i)) return {};
  return f.GetFieldAsString(i);
}

std::optional<double> number_of(const OGRFeature& f, int i) {
  if (i < 0 || !f.IsFieldSetAndNotNull(i)) return std::nullopt;
  switch (f.GetFieldDefnRef(i)->GetType()) {
    case OFTInteger:
    case OFTInteger64:
      return static_cast<double>(f.GetFieldAsInteger64(i));
    case OFTReal:
      return f.GetFieldAsDouble(i);
    default:
      return parse_osm_number(f.GetFieldAsString(i), false);
  }
}

int int_of(const OGRFeature& f, int i) {
  const std::optional<double> v = number_of(f, i);
  if (!v || !std::isfinite(*v) || std::abs(*v) > 1e9) return 0;
  return static_cast<int>(std::lround(*v));
}

bool flag_of(const OGRFeature& f, int i) {
  if (i < 0 || !f.IsFieldSetAndNotNull(i)) return false;
  const OGRFieldType type = f.GetFieldDefnRef(i)->GetType();
  if (type == OFTInteger || type == OFTInteger64) return f.GetFieldAsInteger64(i) != 0;
  return osm_truthy(f.GetFieldAsString(i));
}

Management management_from(std::string_view value) {
  const std::string v = ascii_lower(value);
  if (v == "property_company" || v == "物业" || v == "物业公司")
    return Management::property_company;
  if (v == "committee" || v == "物管会" || v == "业委会" || v == "业主委员会")
    return Management::committee;
  if (v == "none" || v == "无" || v == "三无") return Management::none;
  return Management::unknown;
}

std::optional<StationTier> tier_from(std::string_view value) {
  const std::string v = ascii_lower(value);
  if (v == "county_centre" || v == "county_center" || v == "county" || v == "县级" ||
      v == "党群服务中心")
    return StationTier::county_centre;
  if (v == "community_centre" || v == "community_center" || v == "community" || v == "社区")
    return StationTier::community_centre;
  if (v == "compound_station" || v == "compound" || v == "station" || v == "小区" || v == "站")
    return StationTier::compound_station;
  return std::nullopt;
}

std::optional<GridLevel> level_from(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  const std::string v = ascii_lower(value);
  if (v == "large" || v == "large_grid" || v == "大网格" || v == "大" || v == "一级网格" ||
      v == "一级" || v == "1")
    return GridLevel::large;
  if (v == "micro" || v == "micro_grid" || v == "微网格" || v == "微" || v == "二级网格" ||
      v == "二级" || v == "2")
    return GridLevel::micro;
  return std::nullopt;
}

// A grid layer without a level field (two layers 大网格 / 微网格, large_grids / micro_grids):
// its name tells the level when it says one.
std::optional<GridLevel> level_from_layer_name(std::string_view layer) {
  const std::string v = ascii_lower(layer);
  if (v.find("micro") != std::string::npos || v.find("微网格") != std::string::npos ||
      v.find("二级") != std::string::npos)
    return GridLevel::micro;
  if (v.find("large") != std::string::npos || v.find("大网格") != std::string::npos ||
      v.find("一级") != std::string::npos)
    return GridLevel::large;
  return std::nullopt;
}

std::string field_type_name(const OGRFieldDefn& field) {
  std::string name = OGRFieldDefn::GetFieldTypeName(field.GetType());
  if (field.GetSubType() != OFSTNone)
    name += std::string("(") + OGRFieldDefn::GetFieldSubTypeName(field.GetSubType()) + ")";
  return name;
}

void NotUtf8::add(std::int64_t fid, const char* field_name, std::string_view text) {
  if (count++ == 0) {
    field = field_name;
    for (std::size_t i = 0; i < text.size() && i < 8; ++i) {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%02x", static_cast<unsigned char>(text[i]));
      bytes += (i ? " " : "") + std::string(hex);
    }
    if (text.size() > 8) bytes += " …";
  }
  if (fids.size() < 5) fids.push_back(fid);
}

std::string NotUtf8::message(const std::string& driver) const {
  std::string which = count == 1 ? "feature " : "features ";
  for (std::size_t i = 0; i < fids.size(); ++i) which += (i ? ", " : "") + std::to_string(fids[i]);
  if (count > fids.size()) which += " (and " + std::to_string(count - fids.size()) + " more)";
  return "text in field '" + field + "' is not UTF-8 (bytes " + bytes + "), but " +
         (driver.empty() ? std::string("this format") : driver) + " files must be UTF-8; " + which +
         (count == 1 ? " has" : " have") +
         " such text. It looks like GBK or another local encoding: the text is kept as raw "
         "bytes and shows garbled in the plan and the report. Convert the file to UTF-8 (e.g. "
         "iconv -f GBK -t UTF-8 in.geojson > out.geojson) and load it again";
}

std::string value_counts(const std::map<std::string, std::size_t>& values, std::size_t limit,
                         bool only_unknown) {
  std::vector<std::pair<std::size_t, std::string>> sorted;
  for (const auto& [value, n] : values)
    if (!only_unknown || !lookup_building_use(value)) sorted.emplace_back(n, value);
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::string out;
  for (std::size_t i = 0; i < sorted.size() && i < limit; ++i)
    out += (i ? ", '" : "'") + sorted[i].second + "' ×" + std::to_string(sorted[i].first);
  if (sorted.size() > limit) out += ", … (" + std::to_string(sorted.size() - limit) + " more)";
  return out.empty() ? "(none)" : out;
}

Fields Loader::resolve_fields(const OGRFeatureDefn& defn, LayerRole role, const std::string& path,
                              const std::string& layer, LayerReport& report) const {
  Fields fields;
  const auto configured = options_.fields.find(role);
  for (const FieldKeySpec& spec : key_specs(role)) {
    int index = -1;
    if (configured != options_.fields.end()) {
      if (const auto it = configured->second.find(spec.key); it != configured->second.end()) {
        index = find_field(defn, it->second);
        if (index < 0)
          throw InputError(path + ": layer '" + layer + "' has no field '" + it->second +
                           "' (configured for " + to_string(role) + "." + spec.key +
                           "). Fields it has: " + field_list(defn));
      }
    }
    for (std::size_t a = 0; index < 0 && a < spec.aliases.size(); ++a)
      index = find_field(defn, spec.aliases[a]);
    fields.*spec.slot = index;
    if (index >= 0) report.field_mapping[spec.key] = defn.GetFieldDefn(index)->GetNameRef();
  }
  return fields;
}

BuildingUse Loader::use_of(const std::string& value, LayerReport& report) const {
  if (report.use_values.size() < 200 || report.use_values.contains(value))
    ++report.use_values[value];
  if (const std::optional<BuildingUse> use = lookup_building_use(value)) return *use;
  ++report.unknown_use;
  return options_.unknown_use;
}

void Loader::note_unknown_uses(const Location& where, const LayerReport& report,
                               const char* field) {
  if (report.unknown_use == 0) return;
  result_.dataset.problems.report(
      Severity::info, "unknown-use", where,
      std::to_string(report.unknown_use) + " buildings have a value in field '" + field +
          "' that does not say their use (" + value_counts(report.use_values, 8, true) +
          "): taken as " + to_string(options_.unknown_use) +
          " (scenario key input.unknown_use), households estimated where not given");
}

}  // namespace gp::io::loader

namespace gp::io {

using loader::ascii_lower;
using loader::FieldKeySpec;
using loader::key_specs;
using loader::kRoleNames;
using loader::role_tokens;
using loader::RoleName;
using loader::RoleTokens;

const char* to_string(LayerRole role) {
  for (const RoleName& r : kRoleNames)
    if (r.role == role) return r.name.data();
  return "unknown";
}

std::optional<LayerRole> parse_role(std::string_view name) {
  const std::string lowered = ascii_lower(name);
  for (const RoleName& r : kRoleNames)
    if (r.name == lowered) return r.role;
  return std::nullopt;
}

LayerRole detect_role(std::string_view layer_name) {
  const std::string lowered = ascii_lower(layer_name);
  for (const RoleTokens& entry : role_tokens())
    for (std::string_view token : entry.tokens)
      if (lowered.find(token) != std::string::npos) return entry.role;
  return LayerRole::unknown;
}

const std::vector<std::string>& field_keys(LayerRole role) {
  static const auto table = [] {
    std::map<LayerRole, std::vector<std::string>> keys;
    for (const RoleName& r : kRoleNames)
      for (const FieldKeySpec& spec : key_specs(r.role)) keys[r.role].push_back(spec.key);
    return keys;
  }();
  static const std::vector<std::string> none;
  const auto it = table.find(role);
  return it == table.end() ? none : it->second;
}

}  // namespace gp::io
