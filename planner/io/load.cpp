#include "planner/io/load.hpp"

#include <sys/resource.h>
#include <unistd.h>

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
#include "planner/io/osm_tags.hpp"

namespace gp::io {

using detail::GdalErrorCollector;
using detail::SrsPtr;
using detail::TransformPtr;

namespace {

/// MB a single GeoJSON feature may take once parsed: GDAL's default of 200, or an eighth of the
/// memory this process may use (the address-space limit, else physical memory) when smaller.
long long geojson_feature_limit_mb() {
  constexpr long long kGdalDefaultMb = 200;
  long long budget = static_cast<long long>(sysconf(_SC_PHYS_PAGES)) *
                     static_cast<long long>(sysconf(_SC_PAGE_SIZE));
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    budget = std::min(budget, static_cast<long long>(limit.rlim_cur));
  if (budget <= 0) return kGdalDefaultMb;
  return std::clamp(budget / (8LL * 1024 * 1024), 1LL, kGdalDefaultMb);
}

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

/// Whether a GDAL failure message says the file itself could not be read (short, truncated or
/// corrupt) rather than that one feature's content was bad.
bool looks_like_io_failure(std::string_view message) {
  static constexpr std::array<std::string_view, 12> kSigns{
      "fread",          "read error",     "truncat",     "corrupt",
      "short read",     "unexpected end", "malformed",   "i/o",
      "failed to read", "unable to read", "cannot read", "not a database"};
  const std::string lowered = ascii_lower(message);
  return std::any_of(kSigns.begin(), kSigns.end(), [&lowered](std::string_view sign) {
    return lowered.find(sign) != std::string::npos;
  });
}

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

// ---------------------------------------------------------------------------------------------
// Fields

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

// ---------------------------------------------------------------------------------------------
// Geometry conversion (coordinates still in the layer's CRS)

enum class GeomIssue {
  none,
  null_geometry,
  empty_geometry,
  wrong_type,
  nan_coordinates,
  degenerate
};

const char* kind_of(GeomIssue issue) {
  switch (issue) {
    case GeomIssue::none:
      return "ok";
    case GeomIssue::null_geometry:
      return "null-geometry";
    case GeomIssue::empty_geometry:
      return "empty-input-geometry";
    case GeomIssue::wrong_type:
      return "wrong-geometry-type";
    case GeomIssue::nan_coordinates:
      return "nan-coordinates";
    case GeomIssue::degenerate:
      return "degenerate-geometry";
  }
  return "?";
}

const char* describe(GeomIssue issue) {
  switch (issue) {
    case GeomIssue::none:
      return "";
    case GeomIssue::null_geometry:
      return "feature has no geometry";
    case GeomIssue::empty_geometry:
      return "feature has an empty geometry";
    case GeomIssue::wrong_type:
      return "geometry type does not fit the layer's role";
    case GeomIssue::nan_coordinates:
      return "geometry has NaN, infinite or absurd (beyond ±1e9) coordinates";
    case GeomIssue::degenerate:
      return "geometry collapses (rings with fewer than 4 points or lines with fewer than 2)";
  }
  return "";
}

/// Beyond this no CRS has coordinates (the Earth is 4e7 m round; degrees stop at 360): a value
/// this large is corrupt and would give a community of absurd extent and overflowing areas.
constexpr double kMaxAbsCoordinate = 1e9;

/// Copies a curve's vertices (x, y only); false when a coordinate is not finite or absurd.
bool copy_points(const OGRSimpleCurve& curve, std::vector<Point>& out) {
  const int n = curve.getNumPoints();
  out.resize(static_cast<std::size_t>(n));
  if (n == 0) return true;
  // Point is two packed doubles, so GDAL can write x and y straight into it with a stride.
  static_assert(sizeof(Point) == 2 * sizeof(double));
  curve.getPoints(&out[0].x, sizeof(Point), &out[0].y, sizeof(Point));
  for (const Point& p : out)
    if (!(std::abs(p.x) <= kMaxAbsCoordinate) || !(std::abs(p.y) <= kMaxAbsCoordinate))
      return false;
  return true;
}

GeomIssue append_polygon(const OGRPolygon& polygon, MultiPolygon& out, int& dropped_parts) {
  const OGRLinearRing* exterior = polygon.getExteriorRing();
  if (exterior == nullptr || exterior->IsEmpty()) return GeomIssue::none;
  Polygon part;
  if (!copy_points(*exterior, part.outer)) return GeomIssue::nan_coordinates;
  if (part.outer.size() >= 3 && !(part.outer.front() == part.outer.back()))
    part.outer.push_back(part.outer.front());
  if (part.outer.size() < 4) {
    ++dropped_parts;
    return GeomIssue::none;
  }
  const int holes = polygon.getNumInteriorRings();
  part.holes.reserve(static_cast<std::size_t>(holes));
  for (int i = 0; i < holes; ++i) {
    Ring hole;
    if (!copy_points(*polygon.getInteriorRing(i), hole)) return GeomIssue::nan_coordinates;
    if (hole.size() >= 3 && !(hole.front() == hole.back())) hole.push_back(hole.front());
    if (hole.size() < 4) {
      ++dropped_parts;
      continue;
    }
    part.holes.push_back(std::move(hole));
  }
  out.push_back(std::move(part));
  return GeomIssue::none;
}

GeomIssue collect_polygons(const OGRGeometry& geometry, MultiPolygon& out, int& dropped_parts) {
  switch (wkbFlatten(geometry.getGeometryType())) {
    case wkbPolygon:
      return append_polygon(*geometry.toPolygon(), out, dropped_parts);
    case wkbMultiPolygon:
    case wkbGeometryCollection: {
      bool any_polygonal = false;
      for (const OGRGeometry* part : *geometry.toGeometryCollection()) {
        const OGRwkbGeometryType t = wkbFlatten(part->getGeometryType());
        if (t != wkbPolygon && t != wkbMultiPolygon && t != wkbGeometryCollection) continue;
        any_polygonal = true;
        const GeomIssue issue = collect_polygons(*part, out, dropped_parts);
        if (issue != GeomIssue::none) return issue;
      }
      return any_polygonal ? GeomIssue::none : GeomIssue::wrong_type;
    }
    default:
      return GeomIssue::wrong_type;
  }
}

/// Polygonal geometry → MultiPolygon. Curves are linearised; collapsed rings are dropped and
/// counted in `dropped_parts`.
GeomIssue read_polygons(const OGRGeometry* geometry, MultiPolygon& out, int& dropped_parts) {
  out.clear();
  dropped_parts = 0;
  if (geometry == nullptr) return GeomIssue::null_geometry;
  if (geometry->IsEmpty()) return GeomIssue::empty_geometry;
  std::unique_ptr<OGRGeometry> linear;
  if (geometry->hasCurveGeometry()) {
    linear.reset(geometry->getLinearGeometry());
    if (!linear) return GeomIssue::wrong_type;
    geometry = linear.get();
  }
  const GeomIssue issue = collect_polygons(*geometry, out, dropped_parts);
  if (issue != GeomIssue::none) return issue;
  return out.empty() ? GeomIssue::degenerate : GeomIssue::none;
}

GeomIssue collect_lines(const OGRGeometry& geometry, std::vector<LineString>& out,
                        int& dropped_parts) {
  switch (wkbFlatten(geometry.getGeometryType())) {
    case wkbLineString:
    case wkbLinearRing: {
      LineString line;
      if (!copy_points(*geometry.toSimpleCurve(), line)) return GeomIssue::nan_coordinates;
      if (line.size() < 2)
        ++dropped_parts;
      else
        out.push_back(std::move(line));
      return GeomIssue::none;
    }
    case wkbMultiLineString:
    case wkbGeometryCollection: {
      bool any_linear = false;
      for (const OGRGeometry* part : *geometry.toGeometryCollection()) {
        const OGRwkbGeometryType t = wkbFlatten(part->getGeometryType());
        if (t != wkbLineString && t != wkbMultiLineString && t != wkbGeometryCollection) continue;
        any_linear = true;
        const GeomIssue issue = collect_lines(*part, out, dropped_parts);
        if (issue != GeomIssue::none) return issue;
      }
      return any_linear ? GeomIssue::none : GeomIssue::wrong_type;
    }
    default:
      return GeomIssue::wrong_type;
  }
}

/// Linear geometry → one LineString per part.
GeomIssue read_lines(const OGRGeometry* geometry, std::vector<LineString>& out,
                     int& dropped_parts) {
  out.clear();
  dropped_parts = 0;
  if (geometry == nullptr) return GeomIssue::null_geometry;
  if (geometry->IsEmpty()) return GeomIssue::empty_geometry;
  std::unique_ptr<OGRGeometry> linear;
  if (geometry->hasCurveGeometry()) {
    linear.reset(geometry->getLinearGeometry());
    if (!linear) return GeomIssue::wrong_type;
    geometry = linear.get();
  }
  const GeomIssue issue = collect_lines(*geometry, out, dropped_parts);
  if (issue != GeomIssue::none) return issue;
  return out.empty() ? GeomIssue::degenerate : GeomIssue::none;
}

/// Point geometry → Point; a polygon or several points give their centroid (`from_centroid`).
GeomIssue read_point(const OGRGeometry* geometry, Point& out, bool& from_centroid) {
  from_centroid = false;
  if (geometry == nullptr) return GeomIssue::null_geometry;
  if (geometry->IsEmpty()) return GeomIssue::empty_geometry;
  const OGRwkbGeometryType t = wkbFlatten(geometry->getGeometryType());
  OGRPoint point;
  if (t == wkbPoint) {
    point = *geometry->toPoint();
  } else if (t == wkbMultiPoint && geometry->toMultiPoint()->getNumGeometries() == 1) {
    point = *geometry->toMultiPoint()->getGeometryRef(0);
  } else if (t == wkbMultiPoint || t == wkbPolygon || t == wkbMultiPolygon) {
    if (geometry->Centroid(&point) != OGRERR_NONE) return GeomIssue::degenerate;
    from_centroid = true;
  } else {
    return GeomIssue::wrong_type;
  }
  out = {point.getX(), point.getY()};
  if (!std::isfinite(out.x) || !std::isfinite(out.y)) return GeomIssue::nan_coordinates;
  return GeomIssue::none;
}

enum class GeometryFamily { polygon, line, point };

GeometryFamily family_of(LayerRole role) {
  switch (role) {
    case LayerRole::roads:
    case LayerRole::rivers:
    case LayerRole::rail:
    case LayerRole::walkways:
      return GeometryFamily::line;
    case LayerRole::stations:
      return GeometryFamily::point;
    default:
      return GeometryFamily::polygon;
  }
}

/// Whether a layer's declared geometry type can hold features of this role (unknown and
/// collection types are checked per feature).
bool declared_type_fits(OGRwkbGeometryType declared, LayerRole role) {
  const OGRwkbGeometryType flat = wkbFlatten(declared);
  if (flat == wkbUnknown || flat == wkbGeometryCollection || flat == wkbNone) return true;
  // Building points (楼栋 points) are planned as small squares
  // (LoadOptions::point_building_side_m).
  if (role == LayerRole::buildings && (flat == wkbPoint || flat == wkbMultiPoint)) return true;
  switch (family_of(role)) {
    case GeometryFamily::polygon:
      return flat == wkbPolygon || flat == wkbMultiPolygon || flat == wkbCurvePolygon ||
             flat == wkbMultiSurface;
    case GeometryFamily::line:
      return flat == wkbLineString || flat == wkbMultiLineString || flat == wkbCircularString ||
             flat == wkbCompoundCurve || flat == wkbMultiCurve;
    case GeometryFamily::point:
      return flat == wkbPoint || flat == wkbMultiPoint || flat == wkbPolygon ||
             flat == wkbMultiPolygon;
  }
  return true;
}

const char* family_name(LayerRole role) {
  switch (family_of(role)) {
    case GeometryFamily::polygon:
      return "polygons";
    case GeometryFamily::line:
      return "lines";
    case GeometryFamily::point:
      return "points";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
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

Sizes sizes_of(const Dataset& d) {
  return {d.buildings.size(), d.compounds.size(), d.communities.size(),   d.lines.size(),
          d.water.size(),     d.stations.size(),  d.existing_grids.size()};
}

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

void sample(StagedLayer& stage, const Point& p) {
  stage.sum_x += p.x;
  stage.sum_y += p.y;
  stage.extent.expand(p);
  ++stage.samples;
}

/// Calls visit(Point*, count) for every coordinate array of the features in [begin, end).
template <class Visit>
void for_each_coordinate_array(Dataset& d, const Sizes& begin, const Sizes& end, Visit&& visit) {
  auto polygons = [&visit](MultiPolygon& mp) {
    for (Polygon& p : mp) {
      visit(p.outer.data(), p.outer.size());
      for (Ring& h : p.holes) visit(h.data(), h.size());
    }
  };
  for (std::size_t i = begin[kBuildings]; i < end[kBuildings]; ++i)
    polygons(d.buildings[i].footprint);
  for (std::size_t i = begin[kCompounds]; i < end[kCompounds]; ++i)
    polygons(d.compounds[i].footprint);
  for (std::size_t i = begin[kCommunities]; i < end[kCommunities]; ++i)
    polygons(d.communities[i].footprint);
  for (std::size_t i = begin[kLines]; i < end[kLines]; ++i)
    visit(d.lines[i].geometry.data(), d.lines[i].geometry.size());
  for (std::size_t i = begin[kWater]; i < end[kWater]; ++i) polygons(d.water[i].footprint);
  for (std::size_t i = begin[kStations]; i < end[kStations]; ++i) visit(&d.stations[i].location, 1);
  for (std::size_t i = begin[kGrids]; i < end[kGrids]; ++i) polygons(d.existing_grids[i].footprint);
}

/// Transforms many small coordinate arrays by gathering them into large x/y buffers, so PROJ is
/// called once per ~64k points instead of once per ring. Optionally applies the GCJ-02 → WGS84
/// correction between a "to WGS84" and a "WGS84 → target" step. Failed points become NaN.
class BatchTransformer {
 public:
  BatchTransformer(OGRCoordinateTransformation* first, bool gcj02,
                   OGRCoordinateTransformation* second)
      : first_(first), second_(second), gcj02_(gcj02) {}

  void add(Point* points, std::size_t count) {
    if (count == 0) return;
    spans_.emplace_back(points, count);
    pending_ += count;
    if (pending_ >= kBatchPoints) flush();
  }

  void flush() {
    if (pending_ == 0) return;
    x_.resize(pending_);
    y_.resize(pending_);
    ok_.assign(pending_, TRUE);
    std::size_t k = 0;
    for (auto [points, count] : spans_)
      for (std::size_t i = 0; i < count; ++i, ++k) {
        x_[k] = points[i].x;
        y_[k] = points[i].y;
      }
    run(first_);
    if (gcj02_) {
      for (std::size_t i = 0; i < pending_; ++i) {
        const LonLat w = gcj02_to_wgs84({x_[i], y_[i]});
        x_[i] = w.lon;
        y_[i] = w.lat;
      }
    }
    run(second_);
    k = 0;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (auto [points, count] : spans_)
      for (std::size_t i = 0; i < count; ++i, ++k) {
        const bool good = ok_[k] && std::isfinite(x_[k]) && std::isfinite(y_[k]);
        points[i] = good ? Point{x_[k], y_[k]} : Point{nan, nan};
        failed_ += good ? 0 : 1;
      }
    spans_.clear();
    pending_ = 0;
  }

  [[nodiscard]] std::size_t failed() const { return failed_; }

 private:
  void run(OGRCoordinateTransformation* transform) {
    if (transform == nullptr) return;
    std::vector<int> step_ok(pending_, TRUE);
    transform->Transform(static_cast<int>(pending_), x_.data(), y_.data(), nullptr, step_ok.data());
    for (std::size_t i = 0; i < pending_; ++i) ok_[i] = ok_[i] && step_ok[i];
  }

  static constexpr std::size_t kBatchPoints = 1 << 16;
  OGRCoordinateTransformation* first_;
  OGRCoordinateTransformation* second_;
  bool gcj02_;
  std::vector<std::pair<Point*, std::size_t>> spans_;
  std::size_t pending_ = 0;
  std::vector<double> x_, y_;
  std::vector<int> ok_;
  std::size_t failed_ = 0;
};

bool has_nan(const MultiPolygon& mp) {
  for (const Polygon& p : mp)
    for (const Point& q : p.outer)
      if (std::isnan(q.x)) return true;
  for (const Polygon& p : mp)
    for (const Ring& h : p.holes)
      for (const Point& q : h)
        if (std::isnan(q.x)) return true;
  return false;
}

bool has_nan(const LineString& line) {
  return std::any_of(line.begin(), line.end(), [](const Point& p) { return std::isnan(p.x); });
}

// ---------------------------------------------------------------------------------------------

std::string field_type_name(const OGRFieldDefn& field) {
  std::string name = OGRFieldDefn::GetFieldTypeName(field.GetType());
  if (field.GetSubType() != OFSTNone)
    name += std::string("(") + OGRFieldDefn::GetFieldSubTypeName(field.GetSubType()) + ")";
  return name;
}

bool is_shapefile_path(const std::string& path) {
  const std::string ext = ascii_lower(std::filesystem::path(path).extension().string());
  std::error_code ec;
  return ext == ".shp" || ext == ".dbf" || std::filesystem::is_directory(path, ec);
}

std::optional<std::int64_t> fid_of(const OGRFeature& f) {
  const GIntBig fid = f.GetFID();
  if (fid == OGRNullFID) return std::nullopt;
  return fid;
}

std::string location_text(const Location& where) {
  std::string text = where.file;
  if (!where.layer.empty()) text += ":" + where.layer;
  if (where.fid) text += ":" + std::to_string(*where.fid);
  return text;
}

/// Features of one layer whose text is not UTF-8 although the format requires it.
struct NotUtf8 {
  std::size_t count = 0;
  std::vector<std::int64_t> fids;  // the first few
  std::string field;               // of the first
  std::string bytes;               // the first offending value, as hex bytes

  void add(std::int64_t fid, const char* field_name, std::string_view text) {
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

  [[nodiscard]] std::string message(const std::string& driver) const {
    std::string which = count == 1 ? "feature " : "features ";
    for (std::size_t i = 0; i < fids.size(); ++i)
      which += (i ? ", " : "") + std::to_string(fids[i]);
    if (count > fids.size()) which += " (and " + std::to_string(count - fids.size()) + " more)";
    return "text in field '" + field + "' is not UTF-8 (bytes " + bytes + "), but " +
           (driver.empty() ? std::string("this format") : driver) + " files must be UTF-8; " +
           which + (count == 1 ? " has" : " have") +
           " such text. It looks like GBK or another local encoding: the text is kept as raw "
           "bytes and shows garbled in the plan and the report. Convert the file to UTF-8 (e.g. "
           "iconv -f GBK -t UTF-8 in.geojson > out.geojson) and load it again";
  }
};

/// Whether `p` lies inside the polygon (even-odd rule over the outer ring and holes; a point on
/// the boundary may go either way — used only to find a part's parent building).
bool point_in(const Polygon& polygon, const Point& p) {
  auto crossings = [&p](const Ring& ring) {
    bool inside = false;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++)
      if ((ring[i].y > p.y) != (ring[j].y > p.y) &&
          p.x < (ring[j].x - ring[i].x) * (p.y - ring[i].y) / (ring[j].y - ring[i].y) + ring[i].x)
        inside = !inside;
    return inside;
  };
  if (polygon.outer.size() < 4 || !crossings(polygon.outer)) return false;
  return std::none_of(polygon.holes.begin(), polygon.holes.end(), crossings);
}

/// OSM boundaries are used as communities only when they hold at least this share of the
/// file's buildings (by centroid).
constexpr double kMinCommunityShare = 0.9;

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

void Loader::note_gdal_warnings(const Location& where) {
  // GDAL warnings while reading (odd values, recoding failures, ...) are kept as problems, one
  // per distinct message, so nothing GDAL noticed is lost.
  std::vector<std::string> seen;
  for (const GdalErrorCollector::Message& m : errors_.take()) {
    if (m.level != CE_Warning) continue;
    if (std::find(seen.begin(), seen.end(), m.text) != seen.end()) continue;
    seen.push_back(m.text);
    result_.dataset.problems.report(Severity::warning, "gdal-warning", where, "GDAL: " + m.text);
  }
}

SrsPtr Loader::layer_srs(OGRLayer& layer, const std::string& path) {
  if (const OGRSpatialReference* srs = layer.GetSpatialRef()) return detail::srs_clone(*srs);
  if (!options_.assume_crs.empty()) return detail::srs_clone(*assumed_);
  throw InputError(path + ": layer '" + layer.GetName() +
                   "' has no coordinate reference system (a Shapefile without .prj?). Pass "
                   "--assume-crs with the CRS its coordinates are in, e.g. --assume-crs EPSG:4326 "
                   "for longitude/latitude or EPSG:4549 for CGCS2000 Gauss-Kruger CM 120E");
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

void Loader::skip(const Location& where, GeomIssue issue, LayerReport& report, const char* what) {
  ++report.skipped;
  result_.dataset.problems.report(Severity::warning, kind_of(issue), where,
                                  std::string(describe(issue)) + "; " + what + " not loaded");
}

void Loader::note_dropped_parts(const Location& where, int dropped_parts) {
  if (dropped_parts > 0)
    result_.dataset.problems.report(
        Severity::info, "degenerate-part-dropped", where,
        std::to_string(dropped_parts) +
            " collapsed ring(s) or line part(s) with too few points left out");
}

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

void Loader::add_feature(const OGRFeature& feature, LayerRole role, const Fields& fields,
                         const Location& where, StagedLayer& stage, LayerReport& report) {
  Dataset& d = result_.dataset;
  const OGRGeometry* geometry = feature.GetGeometryRef();
  switch (role) {
    case LayerRole::buildings: {
      std::optional<std::int64_t> id;
      // A text id (楼栋编号 "A-01-3") is not a number: GDAL would read it as 0 and every such
      // building would be a duplicate. The feature id becomes the bid and the text is kept as
      // the building's name when it has none (so a household table joins by it).
      std::string text_id;
      if (fields.id >= 0 && feature.IsFieldSetAndNotNull(fields.id)) {
        const OGRFieldType type = feature.GetFieldDefnRef(fields.id)->GetType();
        if (type == OFTInteger || type == OFTInteger64) {
          id = feature.GetFieldAsInteger64(fields.id);
        } else {
          const std::string text = trimmed(feature.GetFieldAsString(fields.id));
          if (const auto number = whole_number(text))
            id = *number;
          else
            text_id = text;
        }
      }
      // A point building: a tiny square in the layer's units stands in until projection, when
      // square_point_buildings() replaces it by a point_building_side_m square in metres.
      OGRPolygon placeholder;
      if (points_layer_ && geometry != nullptr && !geometry->IsEmpty()) {
        const OGRwkbGeometryType t = wkbFlatten(geometry->getGeometryType());
        const OGRPoint* point = nullptr;
        if (t == wkbPoint) point = geometry->toPoint();
        if (t == wkbMultiPoint && geometry->toMultiPoint()->getNumGeometries() == 1)
          point = geometry->toMultiPoint()->getGeometryRef(0);
        if (point != nullptr && std::isfinite(point->getX()) && std::isfinite(point->getY())) {
          constexpr double e = 1e-7;  // degrees (~1 cm) or metres: far below any real footprint
          OGRLinearRing ring;
          ring.addPoint(point->getX() - e, point->getY() - e);
          ring.addPoint(point->getX() + e, point->getY() - e);
          ring.addPoint(point->getX() + e, point->getY() + e);
          ring.addPoint(point->getX() - e, point->getY() + e);
          ring.closeRings();
          placeholder.addRing(&ring);
          geometry = &placeholder;
          point_buildings_.insert(where.file + '\x1f' + where.layer + '\x1f' +
                                  std::to_string(where.fid.value_or(-1)));
          ++point_building_layers_[where.file + '\x1f' + where.layer];
        }
      }
      const bool added = add_polygonal(
          d.buildings, geometry, where, id, "building", "buildings", stage, report,
          [&](Building& b) {
            b.name = text_of(feature, fields.name);
            if (!text_id.empty()) {
              if (b.name.empty()) b.name = text_id;
              auto [first, fresh] = text_ids_.emplace(text_id, where);
              if (!fresh)
                d.problems.report(Severity::warning, "duplicate-building-id", where,
                                  "building id '" + text_id + "' is also the id of building " +
                                      location_text(first->second) +
                                      "; both are kept, but a join by this id cannot tell them "
                                      "apart");
              auto& [count, sample] = text_id_layers_[where.file + '\x1f' + where.layer];
              if (count++ == 0) sample = text_id;
            }
            b.source_use = text_of(feature, fields.use);
            b.use = fields.use < 0 ? BuildingUse::residential : use_of(b.source_use, report);
            b.floors = std::max(0, int_of(feature, fields.floors));
            if (int_of(feature, fields.floors) < 0)
              d.problems.report(Severity::warning, "negative-floors", where,
                                "floors = " + text_of(feature, fields.floors) +
                                    " is negative; treated as unknown");
            b.height_m = std::max(0.0, number_of(feature, fields.height).value_or(0.0));
            b.units = std::max(0, int_of(feature, fields.units));
            const int households = int_of(feature, fields.households);
            // A value that is there but is no usable count (text, NaN, beyond int range) must
            // not turn into an estimate silently: the planner would never know their figure
            // was ignored.
            if (households == 0 && !text_of(feature, fields.households).empty() &&
                number_of(feature, fields.households).value_or(1.0) != 0.0)
              d.problems.report(Severity::warning, "unreadable-households", where,
                                "households = '" + text_of(feature, fields.households) +
                                    "' is not a usable count (a whole number up to 10^9); "
                                    "estimated from the footprint instead");
            if (households < 0)
              d.problems.report(Severity::warning, "negative-households", where,
                                "households = " + std::to_string(households) +
                                    " is negative; estimated from the footprint instead");
            b.households = std::max(0, households);
            b.compound_ref = text_of(feature, fields.compound);
            b.community_ref = text_of(feature, fields.community);
          });
      if (added && id) field_ids_.push_back({*id, d.buildings.size() - 1, id_fields_.size() - 1});
      return;
    }
    case LayerRole::compounds:
      add_polygonal(d.compounds, geometry, where, std::nullopt, "compound", "compounds", stage,
                    report, [&](Compound& c) {
                      c.ref = text_of(feature, fields.ref);
                      c.name = text_of(feature, fields.name);
                      c.management = management_from(text_of(feature, fields.management));
                    });
      return;
    case LayerRole::communities:
      add_polygonal(d.communities, geometry, where, std::nullopt, "community", "communities", stage,
                    report, [&](Community& c) {
                      c.code = text_of(feature, fields.code);
                      c.name = text_of(feature, fields.name);
                    });
      return;
    case LayerRole::water:
      add_polygonal(d.water, geometry, where, std::nullopt, "water area", "water", stage, report,
                    [&](WaterArea& w) { w.name = text_of(feature, fields.name); });
      return;
    case LayerRole::grids:
      add_polygonal(d.existing_grids, geometry, where, std::nullopt, "grid", "grids", stage, report,
                    [&](ExistingGrid& g) {
                      g.code = text_of(feature, fields.code);
                      g.name = text_of(feature, fields.name);
                      g.parent_code = text_of(feature, fields.parent);
                      const std::string level = text_of(feature, fields.level);
                      if (const auto parsed = level_from(level)) {
                        g.level = *parsed;
                      } else if (const auto named = level.empty()
                                                        ? level_from_layer_name(where.layer)
                                                        : std::nullopt) {
                        g.level = *named;
                      } else {
                        g.level = g.parent_code.empty() ? GridLevel::large : GridLevel::micro;
                        if (!level.empty())
                          d.problems.report(
                              Severity::warning, "unknown-grid-level", where,
                              "grid level '" + level +
                                  "' is not large or micro (大网格/微网格, 一级网格/二级网格, "
                                  "1/2); taken as " +
                                  (g.level == GridLevel::large ? "large (no parent code)"
                                                               : "micro (it has a parent code)") +
                                  ". Fix the value, or name the level field with "
                                  "--field grids.level=FIELD");
                      }
                      g.locked = flag_of(feature, fields.locked);
                    });
      return;
    case LayerRole::stations: {
      Station s;
      bool from_centroid = false;
      const GeomIssue issue = read_point(geometry, s.location, from_centroid);
      if (issue != GeomIssue::none) return skip(where, issue, report, "station");
      if (from_centroid)
        d.problems.report(Severity::info, "station-from-centroid", where,
                          "station given as an area or several points; its centroid is used");
      s.source = where;
      s.id = fields.id >= 0 && feature.IsFieldSetAndNotNull(fields.id)
                 ? feature.GetFieldAsInteger64(fields.id)
                 : where.fid.value_or(static_cast<std::int64_t>(d.stations.size()));
      s.name = text_of(feature, fields.name);
      const std::string tier = text_of(feature, fields.tier);
      if (const auto parsed = tier_from(tier)) {
        s.tier = *parsed;
      } else if (!tier.empty()) {
        d.problems.report(Severity::warning, "unknown-station-tier", where,
                          "station tier '" + tier +
                              "' is not county_centre, community_centre or compound_station; "
                              "taken as compound_station");
      }
      s.floor_m2 = std::max(0.0, number_of(feature, fields.floor_m2).value_or(0.0));
      sample(stage, s.location);
      d.stations.push_back(std::move(s));
      ++report.loaded["stations"];
      return;
    }
    case LayerRole::roads:
    case LayerRole::walkways:
    case LayerRole::rivers:
    case LayerRole::rail: {
      int dropped_parts = 0;
      const GeomIssue issue = read_lines(geometry, line_scratch_, dropped_parts);
      if (issue != GeomIssue::none) return skip(where, issue, report, "line");
      note_dropped_parts(where, dropped_parts);
      Line line;
      line.source = where;
      line.id = where.fid.value_or(static_cast<std::int64_t>(d.lines.size()));
      line.cls = text_of(feature, fields.cls);
      line.name = text_of(feature, fields.name);
      line.bridge = flag_of(feature, fields.bridge);
      line.tunnel = flag_of(feature, fields.tunnel);
      const char* kind = "roads";
      if (role == LayerRole::rivers) {
        line.kind = LineKind::river;
        line.walkable = false;
        kind = "rivers";
      } else if (role == LayerRole::rail) {
        line.kind = LineKind::rail;
        line.walkable = false;
        kind = "rail";
      } else if (role == LayerRole::walkways) {
        if (line.cls.empty()) line.cls = "footway";
        kind = "walkways";
      } else {
        line.walkable = highway_walkable(line.cls);
      }
      sample(stage, line_scratch_.front().front());
      for (LineString& part : line_scratch_) {
        d.lines.push_back(line);
        d.lines.back().geometry = std::move(part);
      }
      ++report.loaded[kind];
      return;
    }
    case LayerRole::unknown:
    case LayerRole::osm:
      return;
  }
}

void Loader::read_layer(OGRLayer& layer, const std::string& path, LayerReport& report) {
  const std::string layer_name = layer.GetName();
  const LayerRole role = report.role;
  const Location layer_location{path, layer_name, std::nullopt};
  OGRFeatureDefn& defn = *layer.GetLayerDefn();
  if (role == LayerRole::unknown) {
    result_.dataset.problems.report(
        Severity::info, "layer-ignored", layer_location,
        "layer '" + layer_name +
            "' has no recognised role and is not loaded; give it one with "
            "--role " +
            layer_name + "=buildings (or compounds, roads, ...)");
    return;
  }
  if (report.role_source == "parts-dropped") {
    const long long count = layer.GetFeatureCount(TRUE);
    report.skipped = count > 0 ? static_cast<std::size_t>(count) : 0;
    result_.dataset.problems.report(
        Severity::info, "building-parts-dropped", layer_location,
        "layer '" + layer_name + "' holds building parts: its " + std::to_string(count) +
            " features are dropped in favour of their parent buildings in the other buildings "
            "layer (loading both would count households twice); give it --role " +
            layer_name + "=buildings to load it anyway");
    return;
  }
  StagedLayer stage;
  stage.label = path + ":" + layer_name;
  stage.srs = layer_srs(layer, path);
  const Fields fields = resolve_fields(defn, role, path, layer_name, report);
  if (role == LayerRole::buildings && fields.id >= 0)
    id_fields_.push_back(defn.GetFieldDefn(fields.id)->GetNameRef());

  points_layer_ = wkbFlatten(layer.GetGeomType()) == wkbPoint ||
                  wkbFlatten(layer.GetGeomType()) == wkbMultiPoint;
  if (!declared_type_fits(layer.GetGeomType(), role)) {
    const long long count = layer.GetFeatureCount(TRUE);
    report.skipped = count > 0 ? static_cast<std::size_t>(count) : 0;
    result_.dataset.problems.report(
        Severity::error, "wrong-geometry-type", layer_location,
        "layer '" + layer_name + "' holds " + OGRGeometryTypeToName(layer.GetGeomType()) +
            " geometries but role " + to_string(role) + " needs " + family_name(role) + "; its " +
            std::to_string(count) +
            " features are not loaded (give the layer another role with "
            "--role)");
    return;
  }

  // Only read the fields we use: drivers such as GeoPackage then fetch fewer columns.
  std::vector<std::string> ignored_names;
  for (int i = 0; i < defn.GetFieldCount(); ++i) {
    bool used = false;
    for (const auto& [key, field] : report.field_mapping)
      used = used || field == defn.GetFieldDefn(i)->GetNameRef();
    if (!used) ignored_names.emplace_back(defn.GetFieldDefn(i)->GetNameRef());
  }
  ignored_names.emplace_back("OGR_STYLE");
  std::vector<const char*> ignored;
  for (const std::string& name : ignored_names) ignored.push_back(name.c_str());
  ignored.push_back(nullptr);
  layer.SetIgnoredFields(ignored.data());

  stage.begin = sizes_of(result_.dataset);
  const long long total = layer.GetFeatureCount(FALSE);
  const std::string stage_name = "reading " + stage.label;
  const std::size_t failures_before = errors_.failures();
  std::size_t unreadable = 0;
  std::size_t failures_in_features = 0;
  bool io_failure = false;
  std::vector<Problem> unreadable_problems;
  std::optional<std::int64_t> first_unreadable;
  layer.ResetReading();
  bool check_encoding = report.encoding.empty() && report.encoding_from.empty();
  if (check_encoding) {
    for (int i = 0; i < defn.GetFieldCount(); ++i) {
      if (valid_utf8(defn.GetFieldDefn(i)->GetNameRef())) continue;
      check_encoding = false;
      result_.dataset.problems.report(
          Severity::warning, "unknown-encoding", layer_location,
          "field names are not UTF-8 and the file does not say its encoding (no .cpg); pass "
          "--encoding GBK (or GB18030, the encoding it was written in)");
      break;
    }
  }
  // A driver that declares its strings UTF-8 (GeoJSON, GeoPackage, FlatGeobuf, ...) passes other
  // bytes through unchanged: a GeoJSON saved as GBK loads with garbled names. Check the text
  // fields that are read.
  std::vector<int> text_fields;
  if (report.encoding_from == "driver")
    for (const auto& [key, field] : report.field_mapping)
      if (const int i = defn.GetFieldIndex(field.c_str());
          i >= 0 && defn.GetFieldDefn(i)->GetType() == OFTString &&
          std::find(text_fields.begin(), text_fields.end(), i) == text_fields.end())
        text_fields.push_back(i);
  NotUtf8 not_utf8;
  while (true) {
    const std::size_t failures_at = errors_.failures();
    OGRFeatureUniquePtr feature(layer.GetNextFeature());
    if (!feature) break;
    ++report.read;
    const Location where{path, layer_name, fid_of(*feature)};
    if (errors_.failures() != failures_at) {
      // GDAL failed on this feature but went on: list it, and decide after the layer whether
      // the file as a whole is damaged.
      ++unreadable;
      failures_in_features += errors_.failures() - failures_at;
      if (!first_unreadable) first_unreadable = where.fid.value_or(-1);
      io_failure = io_failure || looks_like_io_failure(errors_.last_failure());
      ++report.skipped;
      unreadable_problems.push_back(
          {Severity::error, "unreadable-feature", where,
           "GDAL could not read this feature (" + errors_.last_failure() + "); not loaded"});
      continue;
    }
    add_feature(*feature, role, fields, where, stage, report);
    for (const int i : text_fields) {
      if (!feature->IsFieldSetAndNotNull(i)) continue;
      const char* text = feature->GetFieldAsString(i);
      if (valid_utf8(text)) continue;
      not_utf8.add(where.fid.value_or(-1), defn.GetFieldDefn(i)->GetNameRef(), text);
      break;
    }
    if (check_encoding && fields.name >= 0) {
      const std::string name = text_of(*feature, fields.name);
      if (!valid_utf8(name)) {
        check_encoding = false;
        result_.dataset.problems.report(
            Severity::warning, "unknown-encoding", layer_location,
            "text such as the name of feature " + std::to_string(where.fid.value_or(-1)) +
                " is not UTF-8 and the file does not say its encoding (no .cpg); pass "
                "--encoding GBK (or GB18030, the encoding it was written in)");
      }
    }
    if ((report.read & 0x1fff) == 0)
      progress_.update(stage_name, total > 0 ? static_cast<double>(report.read) / total : 0.0);
  }
  // A failure outside any feature (reading stopped), an I/O failure, or mostly unreadable
  // features: the file is damaged and nothing of this layer is used.
  const std::size_t failures = errors_.failures() - failures_before;
  const bool damaged =
      failures > failures_in_features || io_failure || 2 * unreadable > report.read;
  if (damaged) {
    const std::string gdal_text = errors_.failure_text();
    throw InputError(
        path + ": layer '" + layer_name + "': " +
        (unreadable > 0 ? std::to_string(unreadable) + " of " + std::to_string(report.read) +
                              " features could not be read (first at fid " +
                              std::to_string(first_unreadable.value_or(-1)) + ")"
                        : std::string("reading stopped with an error")) +
        ". GDAL says: " + (gdal_text.empty() ? errors_.first_failure() : gdal_text) +
        ". The file looks truncated or corrupt: copy or export it again (for a Shapefile, "
        "the .shp, .shx and .dbf must all be complete).");
  }
  for (Problem& p : unreadable_problems) result_.dataset.problems.report(std::move(p));
  if (not_utf8.count > 0)
    result_.dataset.problems.report(Severity::warning, "text-not-utf8",
                                    {path, layer_name, not_utf8.fids.front()},
                                    not_utf8.message(driver_));
  if (role == LayerRole::buildings && fields.use >= 0)
    note_unknown_uses(layer_location, report, defn.GetFieldDefn(fields.use)->GetNameRef());
  note_gdal_warnings(layer_location);
  stage.end = sizes_of(result_.dataset);
  staged_.push_back(std::move(stage));
  progress_.update(stage_name, 1.0);
}

void Loader::read_osm(GDALDataset& dataset, const std::string& path, SourceReport& source) {
  Dataset& d = result_.dataset;
  StagedLayer stage;
  stage.label = path;
  OGRLayer* multipolygons = dataset.GetLayerByName("multipolygons");
  OGRLayer* lines = dataset.GetLayerByName("lines");
  if (multipolygons == nullptr || lines == nullptr)
    throw InputError(path + ": the OSM file has no multipolygons/lines layers");
  stage.srs = detail::srs_clone(*multipolygons->GetSpatialRef());
  stage.begin = sizes_of(d);

  // Field indexes of the layers we use (GDAL's default osmconf.ini: building, landuse, natural,
  // highway, waterway, railway are columns; building:levels, height, bridge, ... in other_tags).
  auto index = [](OGRLayer* layer, const char* name) {
    return layer->GetLayerDefn()->GetFieldIndex(name);
  };
  const int mp_osm_id = index(multipolygons, "osm_id");
  const int mp_way_id = index(multipolygons, "osm_way_id");
  const int mp_name = index(multipolygons, "name");
  const int mp_building = index(multipolygons, "building");
  const int mp_landuse = index(multipolygons, "landuse");
  const int mp_natural = index(multipolygons, "natural");
  const int mp_other = index(multipolygons, "other_tags");
  const int ln_osm_id = index(lines, "osm_id");
  const int ln_name = index(lines, "name");
  const int ln_highway = index(lines, "highway");
  const int ln_waterway = index(lines, "waterway");
  const int ln_railway = index(lines, "railway");
  const int ln_other = index(lines, "other_tags");

  auto report_for = [&source](OGRLayer* layer) -> LayerReport* {
    for (LayerReport& r : source.layers)
      if (r.name == layer->GetName()) return &r;
    return nullptr;
  };
  LayerReport* mp_report = report_for(multipolygons);
  LayerReport* ln_report = report_for(lines);

  auto osm_id = [](const OGRFeature& f, int way_field, int id_field) -> std::int64_t {
    // Closed ways carry osm_way_id, relations osm_id; relations get negative ids so they never
    // collide with way ids.
    if (way_field >= 0 && f.IsFieldSetAndNotNull(way_field))
      return std::atoll(f.GetFieldAsString(way_field));
    if (id_field >= 0 && f.IsFieldSetAndNotNull(id_field))
      return -std::atoll(f.GetFieldAsString(id_field));
    return 0;
  };

  // One pass per kind of feature, each with an attribute filter, instead of interleaved reading
  // of all layers: GDAL's OSM driver yields a few more building polygons under the filter
  // "building IS NOT NULL" than without it (closed ways that are also members of a building
  // relation), and `ogrinfo -where "building IS NOT NULL"` is the count users compare with.
  // Validation reports such overlapping pairs as duplicates.
  struct Pass {
    OGRLayer* layer;
    std::string filter;
    bool buildings;
    bool communities = false;
  };
  // Communities: administrative boundaries at the configured level (社区 / quartier: 10 in
  // OSM's China and France conventions), else neighbourhood or quarter places.
  const int mp_boundary = index(multipolygons, "boundary");
  const int mp_admin_level = index(multipolygons, "admin_level");
  const int mp_place = index(multipolygons, "place");
  const bool community_pass =
      options_.osm_communities && mp_boundary >= 0 && mp_admin_level >= 0 && mp_place >= 0;
  std::vector<Pass> passes{
      Pass{multipolygons, "building IS NOT NULL", true},
      Pass{multipolygons,
           "landuse IN ('residential','reservoir','basin') OR \"natural\" = 'water' OR "
           "other_tags LIKE '%\"waterway\"=>\"riverbank\"%'",
           false},
      Pass{lines,
           "highway IS NOT NULL OR waterway IN ('river','canal','stream') OR "
           "railway IN ('rail','light_rail','narrow_gauge')",
           false},
  };
  if (community_pass)
    passes.push_back({multipolygons,
                      "(boundary = 'administrative' AND admin_level = '" +
                          std::to_string(options_.osm_admin_level) +
                          "') OR place IN ('neighbourhood','quarter')",
                      false, true});
  std::vector<std::size_t> admin_communities, place_communities;
  const std::size_t communities_before = d.communities.size();
  const std::size_t failures_before = errors_.failures();
  std::size_t count = 0;
  std::vector<std::size_t> parts;  // buildings also tagged building:part
  for (std::size_t pass_index = 0; pass_index < passes.size(); ++pass_index) {
    const Pass& pass = passes[pass_index];
    OGRLayer* layer = pass.layer;
    if (layer->SetAttributeFilter(pass.filter.c_str()) != OGRERR_NONE)
      throw InputError(path + ": the OSM driver rejected the filter " + pass.filter + ": " +
                       errors_.failure_text());
    layer->ResetReading();
    LayerReport* layer_report = report_for(layer);
    while (true) {
      OGRFeatureUniquePtr feature(layer->GetNextFeature());
      if (!feature) break;
      if ((++count & 0x1fff) == 0)
        progress_.update("reading " + path, static_cast<double>(pass_index) / passes.size());
      if (layer_report) ++layer_report->read;
      const OGRFeature& f = *feature;
      const Location where{path, layer->GetName(), fid_of(f)};
      const OGRGeometry* geometry = f.GetGeometryRef();
      if (layer == multipolygons) {
        const std::string other = text_of(f, mp_other);
        const std::string building = text_of(f, mp_building);
        if (pass.buildings && !building.empty()) {
          const std::string part =
              find_other_tag(text_of(f, mp_other), "building:part").value_or("no");
          if (building == "no") {
            ++mp_report->skipped;
            d.problems.report(Severity::info, "not-a-building", where,
                              "tagged building=no; not loaded as a building");
          } else {
            const bool added = add_polygonal(
                d.buildings, geometry, where, osm_id(f, mp_way_id, mp_osm_id), "building",
                "buildings", stage, *mp_report, [&](Building& b) {
                  b.name = text_of(f, mp_name);
                  b.source_use = building;
                  b.use = use_of(building, *mp_report);
                  if (const auto levels = find_other_tag(other, "building:levels"))
                    // Clamped before the cast: a mistyped "1e9" must not overflow an int.
                    b.floors = static_cast<int>(std::lround(
                        std::clamp(parse_osm_number(*levels, false).value_or(0.0), 0.0, 1000.0)));
                  std::optional<std::string> height = find_other_tag(other, "height");
                  if (!height) height = find_other_tag(other, "building:height");
                  if (height)
                    b.height_m = std::max(0.0, parse_osm_number(*height, true).value_or(0.0));
                });
            if (added && part != "no") parts.push_back(d.buildings.size() - 1);
          }
        }
        if (pass.communities) {
          const bool admin = text_of(f, mp_boundary) == "administrative";
          if (add_polygonal(d.communities, geometry, where, osm_id(f, mp_way_id, mp_osm_id),
                            "community boundary", "communities", stage, *mp_report,
                            [&](Community& c) {
                              c.name = text_of(f, mp_name);
                              c.code = find_other_tag(other, "ref").value_or("");
                              if (c.code.empty()) c.code = "osm" + std::to_string(c.id);
                            }))
            (admin ? admin_communities : place_communities).push_back(d.communities.size() - 1);
          continue;
        }
        const std::string landuse = pass.buildings ? std::string() : text_of(f, mp_landuse);
        if (landuse == "residential")
          add_polygonal(d.compounds, geometry, where, osm_id(f, mp_way_id, mp_osm_id),
                        "residential area", "compounds", stage, *mp_report, [&](Compound& c) {
                          c.ref = std::to_string(c.id);
                          c.name = text_of(f, mp_name);
                        });
        const bool water = !pass.buildings &&
                           (text_of(f, mp_natural) == "water" || landuse == "reservoir" ||
                            landuse == "basin" || find_other_tag(other, "waterway") == "riverbank");
        if (water)
          add_polygonal(d.water, geometry, where, osm_id(f, mp_way_id, mp_osm_id), "water area",
                        "water", stage, *mp_report,
                        [&](WaterArea& w) { w.name = text_of(f, mp_name); });
      } else if (layer == lines) {
        const std::string highway = text_of(f, ln_highway);
        const std::string waterway = text_of(f, ln_waterway);
        const std::string railway = text_of(f, ln_railway);
        Line line;
        const char* kind = nullptr;
        if (!highway.empty()) {
          line.kind = LineKind::road;
          line.cls = highway;
          kind = "roads";
        } else if (waterway == "river" || waterway == "canal" || waterway == "stream") {
          line.kind = LineKind::river;
          line.cls = waterway;
          kind = "rivers";
        } else if (railway == "rail" || railway == "light_rail" || railway == "narrow_gauge") {
          line.kind = LineKind::rail;
          line.cls = railway;
          kind = "rail";
        }
        if (kind == nullptr) continue;
        int dropped_parts = 0;
        if (const GeomIssue issue = read_lines(geometry, line_scratch_, dropped_parts);
            issue != GeomIssue::none) {
          skip(where, issue, *ln_report, kind);
          continue;
        }
        note_dropped_parts(where, dropped_parts);
        const std::string other = text_of(f, ln_other);
        line.source = where;
        line.id = std::atoll(text_of(f, ln_osm_id).c_str());
        line.name = text_of(f, ln_name);
        line.bridge = osm_truthy(find_other_tag(other, "bridge").value_or(""));
        line.tunnel = osm_truthy(find_other_tag(other, "tunnel").value_or(""));
        if (line.kind == LineKind::road) {
          const std::string foot = find_other_tag(other, "foot").value_or("");
          const std::string access = find_other_tag(other, "access").value_or("");
          line.walkable = highway_walkable(highway) && foot != "no" &&
                          !(access == "no" && foot != "yes" && foot != "designated");
        } else {
          line.walkable = false;
        }
        sample(stage, line_scratch_.front().front());
        for (LineString& part : line_scratch_) {
          d.lines.push_back(line);
          d.lines.back().geometry = std::move(part);
        }
        ++ln_report->loaded[kind];
      }
    }
    layer->SetAttributeFilter(nullptr);
  }
  if (errors_.failures() != failures_before) {
    const std::string gdal_text = errors_.failure_text();
    // GDAL's fast node index needs increasing node ids; JOSM and osmWebWizard write new
    // elements with negative or unordered ids. load_input reads such a file again without it.
    if (gdal_text.find("OSM_USE_CUSTOM_INDEXING") != std::string::npos ||
        gdal_text.find("Non increasing") != std::string::npos)
      throw OsmIdsNotSorted{gdal_text};
    throw InputError(path + ": reading the OpenStreetMap file failed: " +
                     (gdal_text.empty() ? errors_.first_failure() : gdal_text) +
                     ". The file looks truncated or corrupt: download or export it again.");
  }
  drop_building_parts(parts, stage.begin[kBuildings], path, *mp_report);
  if (!admin_communities.empty() || !place_communities.empty()) {
    // Administrative boundaries win; neighbourhood places are used only without them.
    const bool admin = !admin_communities.empty();
    if (admin && !place_communities.empty()) {
      std::vector<Community> kept;
      for (const std::size_t i : admin_communities) kept.push_back(std::move(d.communities[i]));
      d.communities.resize(communities_before);
      for (Community& c : kept) d.communities.push_back(std::move(c));
      mp_report->loaded["communities"] = kept.size();
    }
    // Boundaries that hold few of the file's buildings (an extract reaching past a city's
    // border, Monaco's quartiers in a Côte d'Azur extract) would leave most buildings outside
    // every community: then they are not used, and the built-up area is planned instead.
    const std::size_t found = d.communities.size() - communities_before;
    std::vector<Box> boxes;
    for (std::size_t i = communities_before; i < d.communities.size(); ++i)
      boxes.push_back(bounds(d.communities[i].footprint));
    std::size_t inside = 0;
    const std::size_t buildings = d.buildings.size() - stage.begin[kBuildings];
    for (std::size_t b = stage.begin[kBuildings]; b < d.buildings.size(); ++b) {
      const Point c = centroid(d.buildings[b].footprint);
      for (std::size_t k = 0; k < boxes.size(); ++k) {
        const Box& box = boxes[k];
        if (c.x < box.min_x || c.x > box.max_x || c.y < box.min_y || c.y > box.max_y) continue;
        const MultiPolygon& mp = d.communities[communities_before + k].footprint;
        if (std::any_of(mp.begin(), mp.end(), [&c](const Polygon& p) { return point_in(p, c); })) {
          ++inside;
          break;
        }
      }
    }
    const std::string what =
        admin ? std::to_string(found) +
                    " administrative boundaries (boundary=administrative, "
                    "admin_level=" +
                    std::to_string(options_.osm_admin_level) + ")"
              : std::to_string(found) + " neighbourhood places (place=neighbourhood|quarter)";
    const double share = buildings == 0 ? 1.0 : static_cast<double>(inside) / buildings;
    if (share < kMinCommunityShare) {
      d.communities.resize(communities_before);
      mp_report->loaded.erase("communities");
      d.problems.report(
          Severity::info, "osm-communities-not-used", {path, "multipolygons", std::nullopt},
          what + " hold only " + std::to_string(inside) + " of the " + std::to_string(buildings) +
              " buildings (less than 90 %); not used as communities — give a "
              "community layer, or another input.osm_admin_level");
    } else {
      std::string names;
      for (std::size_t i = communities_before, n = 0; i < d.communities.size() && n < 10; ++i, ++n)
        names += (n ? ", " : "") +
                 (d.communities[i].name.empty() ? d.communities[i].code : d.communities[i].name);
      if (d.communities.size() - communities_before > 10) names += ", …";
      d.problems.report(
          Severity::info, "communities-from-osm", {path, "multipolygons", std::nullopt},
          std::to_string(d.communities.size() - communities_before) +
              (admin ? " administrative boundaries (boundary=administrative, admin_level=" +
                           std::to_string(options_.osm_admin_level) + ")"
                     : std::string(" neighbourhood places (place=neighbourhood|quarter)")) +
              " are used as communities: " + names +
              ". Buildings outside them are listed; set input.osm_communities = false to plan the "
              "built-up area as one community, or input.osm_admin_level for another level");
    }
  }
  if (mp_report) note_unknown_uses({path, mp_report->name, std::nullopt}, *mp_report, "building");
  note_gdal_warnings({path, "", std::nullopt});
  stage.end = sizes_of(d);
  staged_.push_back(std::move(stage));
}

void Loader::load_input(const InputSpec& input) {
  const std::string& path = input.path;
  std::error_code ec;
  if (path.rfind("/vsi", 0) != 0 && !std::filesystem::exists(path, ec))
    throw InputError(path +
                     ": file not found; check the path (relative paths are taken from the "
                     "current directory)");
  std::vector<std::string> open_option_texts;
  if (!options_.encoding.empty() && is_shapefile_path(path))
    open_option_texts.push_back("ENCODING=" + options_.encoding);
  std::vector<const char*> open_options;
  for (const std::string& o : open_option_texts) open_options.push_back(o.c_str());
  open_options.push_back(nullptr);

  errors_.take();
  GDALDatasetUniquePtr dataset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                                 nullptr, open_options.data(), nullptr));
  if (!dataset) {
    const std::string gdal_text = errors_.failure_text();
    if (gdal_text.find("too complex/large") != std::string::npos)
      throw InputError(
          path + ": a feature of this GeoJSON is too large to read within the memory available (" +
          std::to_string(geojson_feature_limit_mb()) +
          " MB per feature; GDAL: " + gdal_text.substr(0, gdal_text.find(". You may define")) +
          "). Simplify that feature, convert the file to GeoPackage or FlatGeobuf (ogr2ogr -f "
          "GPKG out.gpkg in.geojson, run where more memory is available), or give GridPlanner "
          "more memory.");
    throw InputError(path + ": cannot open as vector data" +
                     (gdal_text.empty() ? std::string() : " (GDAL: " + gdal_text + ")") +
                     ". GridPlanner reads Shapefile (.shp with its .shx and .dbf), GeoPackage, "
                     "GeoJSON, FlatGeobuf and OpenStreetMap .osm/.pbf; check the file is one of "
                     "these and complete.");
  }
  // A Shapefile that does not say its encoding and whose text is not UTF-8 but clean GB18030
  // is opened again as GB18030 (said in the problems; --encoding overrides).
  bool encoding_detected = false;
  if (options_.encoding.empty() && dataset->GetDriver() &&
      std::string_view(dataset->GetDriver()->GetDescription()) == "ESRI Shapefile" &&
      shapefile_text_is_gb18030(*dataset)) {
    encoding_detected = true;
    open_option_texts = {"ENCODING=GB18030"};
    open_options = {open_option_texts.front().c_str(), nullptr};
    dataset.reset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                                    open_options.data(), nullptr));
    if (!dataset)
      throw InputError(path + ": cannot open again as GB18030: " + errors_.failure_text());
    result_.dataset.problems.report(
        Severity::info, "encoding-detected", {path, "", std::nullopt},
        "the file does not say its text encoding (no .cpg file, no DBF language byte) and its "
        "text is not UTF-8; read as GB18030 (GBK), which decodes it cleanly. Pass --encoding "
        "to read it otherwise");
  }
  SourceReport source;
  source.path = path;
  source.driver = dataset->GetDriver() ? dataset->GetDriver()->GetDescription() : "";
  driver_ = source.driver;
  result_.dataset.sources.push_back({path, source.driver, ""});
  const bool osm = source.driver == "OSM";
  const bool shapefile = source.driver == "ESRI Shapefile";

  std::vector<OGRLayer*> layers;
  for (int i = 0; i < dataset->GetLayerCount(); ++i) {
    OGRLayer* layer = dataset->GetLayer(i);
    if (input.layer.empty() || input.layer == layer->GetName()) layers.push_back(layer);
  }
  if (layers.empty() && !input.layer.empty()) {
    for (int i = 0; i < dataset->GetLayerCount(); ++i)
      if (iequals(input.layer, dataset->GetLayer(i)->GetName()))
        layers.push_back(dataset->GetLayer(i));
    if (layers.empty()) {
      std::string names;
      for (int i = 0; i < dataset->GetLayerCount(); ++i)
        names += std::string(names.empty() ? "" : ", ") + dataset->GetLayer(i)->GetName();
      throw InputError(path + ": has no layer '" + input.layer +
                       "'. Layers it has: " + (names.empty() ? "(none)" : names));
    }
  }

  if (osm) {
    // The OSM reader always takes buildings, landuse, highways and waterways from the
    // multipolygons and lines layers together, whatever layer was named.
    layers.clear();
    for (int i = 0; i < dataset->GetLayerCount(); ++i) layers.push_back(dataset->GetLayer(i));
  }
  const std::string stem = std::filesystem::path(path).stem().string();
  for (OGRLayer* layer : layers) {
    LayerReport report;
    report.name = layer->GetName();
    if (osm) {
      // Only multipolygons and lines hold what GridPlanner uses from OSM.
      const bool used = report.name == "multipolygons" || report.name == "lines";
      report.role = used ? LayerRole::osm : LayerRole::unknown;
      report.role_source = used ? "osm" : "osm-unused";
    } else if (input.role) {
      report.role = *input.role;
      report.role_source = "option";
    } else if (const auto it = options_.layer_roles.find(report.name);
               it != options_.layer_roles.end()) {
      report.role = it->second;
      report.role_source = "option";
    } else {
      report.role = detect_role(report.name);
      if (report.role == LayerRole::unknown && layers.size() == 1) report.role = detect_role(stem);
      report.role_source = report.role == LayerRole::unknown ? "none" : "name";
      // building_parts (Overture, OSM-derived exports): parts of the buildings of another layer.
      if (report.role == LayerRole::buildings &&
          ascii_lower(report.name).find("part") != std::string::npos)
        report.role_source = "name-parts";
    }
    report.geometry_type = OGRGeometryTypeToName(layer->GetGeomType());
    if (!osm) report.feature_count = layer->GetFeatureCount(TRUE);
    if (const OGRSpatialReference* srs = layer->GetSpatialRef()) {
      report.crs_name = detail::srs_name(*srs);
      report.crs_epsg = detail::srs_epsg(*srs);
    }
    const OGRFeatureDefn& defn = *layer->GetLayerDefn();
    for (int i = 0; i < defn.GetFieldCount(); ++i)
      report.fields.push_back(
          {defn.GetFieldDefn(i)->GetNameRef(), field_type_name(*defn.GetFieldDefn(i))});
    if (shapefile) {
      const char* encoding = layer->GetMetadataItem("SOURCE_ENCODING", "SHAPEFILE");
      report.encoding = encoding ? encoding : "";
      if (!options_.encoding.empty())
        report.encoding_from = "option";
      else if (encoding_detected)
        report.encoding_from = "detected";
      else if (layer->GetMetadataItem("ENCODING_FROM_CPG", "SHAPEFILE"))
        report.encoding_from = "cpg";
      else if (layer->GetMetadataItem("ENCODING_FROM_LDID", "SHAPEFILE"))
        report.encoding_from = "ldid";
    } else if (osm || layer->TestCapability(OLCStringsAsUTF8)) {
      report.encoding = "UTF-8";
      report.encoding_from = "driver";
    }
    source.layers.push_back(std::move(report));
  }

  // A building-parts layer is dropped when the parent buildings are loaded too (from this file
  // or an earlier input): each part lies inside its parent, and would count its households
  // twice. Alone, its parts are the only footprints there are and are loaded as buildings.
  const bool parents_present =
      !result_.dataset.buildings.empty() ||
      std::any_of(source.layers.begin(), source.layers.end(), [](const LayerReport& r) {
        return r.role == LayerRole::buildings && r.role_source != "name-parts";
      });
  for (LayerReport& r : source.layers)
    if (r.role_source == "name-parts") r.role_source = parents_present ? "parts-dropped" : "name";

  if (osm) {
    // Undo point for a second reading of the same file.
    const Sizes sizes_before = sizes_of(result_.dataset);
    const ProblemReporter problems_before = result_.dataset.problems;
    const std::vector<LayerReport> reports_before = source.layers;
    try {
      read_osm(*dataset, path, source);
    } catch (const OsmIdsNotSorted& unsorted) {
      Dataset& d = result_.dataset;
      d.buildings.resize(sizes_before[kBuildings]);
      d.compounds.resize(sizes_before[kCompounds]);
      d.communities.resize(sizes_before[kCommunities]);
      d.lines.resize(sizes_before[kLines]);
      d.water.resize(sizes_before[kWater]);
      d.stations.resize(sizes_before[kStations]);
      d.existing_grids.resize(sizes_before[kGrids]);
      d.problems = problems_before;
      source.layers = reports_before;
      errors_.take();
      dataset.reset();
      CPLSetThreadLocalConfigOption("OSM_USE_CUSTOM_INDEXING", "NO");
      dataset.reset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                                      open_options.data(), nullptr));
      try {
        if (!dataset) throw InputError(path + ": cannot open again: " + errors_.failure_text());
        read_osm(*dataset, path, source);
      } catch (const OsmIdsNotSorted& again) {
        CPLSetThreadLocalConfigOption("OSM_USE_CUSTOM_INDEXING", nullptr);
        throw InputError(path +
                         ": reading the OpenStreetMap file failed even without GDAL's "
                         "node index: " +
                         again.gdal_text + ". Sort it with `osmium sort` and load it again.");
      } catch (...) {
        CPLSetThreadLocalConfigOption("OSM_USE_CUSTOM_INDEXING", nullptr);
        throw;
      }
      CPLSetThreadLocalConfigOption("OSM_USE_CUSTOM_INDEXING", nullptr);
      d.problems.report(Severity::info, "osm-ids-not-sorted", {path, "", std::nullopt},
                        "element ids are not in increasing order (as JOSM and osmWebWizard "
                        "write them; GDAL: " +
                            unsorted.gdal_text.substr(0, unsorted.gdal_text.find('\n')) +
                            "); read again with GDAL's OSM_USE_CUSTOM_INDEXING=NO");
    }
  } else {
    for (std::size_t i = 0; i < layers.size(); ++i) read_layer(*layers[i], path, source.layers[i]);
  }
  result_.sources.push_back(std::move(source));
}

void Loader::drop_building_parts(const std::vector<std::size_t>& parts, std::size_t first,
                                 const std::string& path, LayerReport& report) {
  if (parts.empty()) return;
  Dataset& d = result_.dataset;
  std::vector<char> is_part(d.buildings.size(), 0);
  for (const std::size_t i : parts) is_part[i] = 1;
  std::vector<Box> boxes(d.buildings.size());
  for (std::size_t i = first; i < d.buildings.size(); ++i)
    boxes[i] = bounds(d.buildings[i].footprint);
  std::vector<char> drop(d.buildings.size(), 0);
  std::size_t dropped = 0;
  for (const std::size_t i : parts) {
    const Point c = centroid(d.buildings[i].footprint);
    for (std::size_t j = first; j < d.buildings.size(); ++j) {
      if (is_part[j] || c.x < boxes[j].min_x || c.x > boxes[j].max_x || c.y < boxes[j].min_y ||
          c.y > boxes[j].max_y)
        continue;
      const MultiPolygon& parent = d.buildings[j].footprint;
      if (!std::any_of(parent.begin(), parent.end(),
                       [&c](const Polygon& poly) { return point_in(poly, c); }))
        continue;
      drop[i] = 1;
      ++dropped;
      d.problems.report(Severity::info, "building-part", d.buildings[i].source,
                        "tagged building:part and inside building " +
                            location_text(d.buildings[j].source) +
                            "; dropped in favour of that parent building (its households would "
                            "be counted twice)");
      break;
    }
  }
  if (dropped == 0) return;
  std::size_t k = 0;
  for (std::size_t i = 0; i < d.buildings.size(); ++i)
    if (!drop[i]) {
      if (k != i) d.buildings[k] = std::move(d.buildings[i]);  // never a self-move
      ++k;
    }
  d.buildings.resize(k);
  report.skipped += dropped;
  report.loaded["buildings"] -= dropped;
  d.problems.report(Severity::info, "building-parts-dropped", {path, report.name, std::nullopt},
                    std::to_string(dropped) + " of " + std::to_string(parts.size()) +
                        " buildings tagged building:part lie inside another building and were "
                        "dropped in favour of it; the other " +
                        std::to_string(parts.size() - dropped) + " are kept as buildings");
}

BuildingUse Loader::use_of(const std::string& value, LayerReport& report) const {
  if (report.use_values.size() < 200 || report.use_values.contains(value))
    ++report.use_values[value];
  if (const std::optional<BuildingUse> use = lookup_building_use(value)) return *use;
  ++report.unknown_use;
  return options_.unknown_use;
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

void Loader::check_households() const {
  const Dataset& d = result_.dataset;
  if (!options_.require_households || d.buildings.empty() || d.total_households() > 0) return;
  std::string layers;
  for (const SourceReport& s : result_.sources)
    for (const LayerReport& l : s.layers) {
      const auto loaded = l.loaded.find("buildings");
      if (loaded == l.loaded.end()) continue;
      const auto use = l.field_mapping.find("use");
      const auto households = l.field_mapping.find("households");
      layers += "\n  " + s.path + ": layer '" + l.name + "': " + std::to_string(loaded->second) +
                " buildings; use field '" +
                (use != l.field_mapping.end()
                     ? use->second
                     : std::string(l.role == LayerRole::osm ? "building" : "(none)")) +
                "' values: " + value_counts(l.use_values, 10, false) + "; households field: " +
                (households != l.field_mapping.end() ? "'" + households->second + "'"
                                                     : std::string("(none)"));
    }
  throw InputError(
      "no households: " + std::to_string(d.buildings.size()) +
      " buildings were loaded but none holds a household (none is residential or mixed, or "
      "none is large enough for a dwelling)." +
      layers +
      "\nMap the field holding the use with --field buildings.use=FIELD, give household counts "
      "with --field buildings.households=FIELD, or set input.unknown_use = \"residential\" in "
      "the scenario for values that do not say the use.");
}

void Loader::report_duplicate_ids() {
  for (const auto& [key, entry] : text_id_layers_) {
    const std::size_t cut = key.find('\x1f');
    result_.dataset.problems.report(
        Severity::info, "text-building-ids",
        {key.substr(0, cut), key.substr(cut + 1), std::nullopt},
        std::to_string(entry.first) + " buildings have a text id (e.g. '" + entry.second +
            "'): the text is kept as the building's name where it has none, and the feature id "
            "is its bid (ids must be whole numbers to be bids)");
  }
  // Two buildings with the same value in the id field: both are kept (each is located by
  // file:layer:fid), but the plan's building table and any join by id cannot tell them apart.
  Dataset& d = result_.dataset;
  std::vector<FieldId> ids = std::move(field_ids_);
  field_ids_ = {};
  std::sort(ids.begin(), ids.end(), [](const FieldId& a, const FieldId& b) {
    return a.id != b.id ? a.id < b.id : a.building < b.building;
  });
  std::vector<std::pair<std::size_t, std::size_t>> repeats;  // (building, first with its id)
  for (std::size_t i = 1, first = 0; i < ids.size(); ++i) {
    if (ids[i].id != ids[i - 1].id) {
      first = i;
      continue;
    }
    repeats.emplace_back(i, first);
  }
  if (repeats.empty()) return;
  std::sort(repeats.begin(), repeats.end(), [&ids](const auto& a, const auto& b) {
    return ids[a.first].building < ids[b.first].building;
  });
  // A layer whose id field is all zeros must not bury every other problem: the first ones are
  // listed, the rest counted.
  constexpr std::size_t kListed = 20;
  for (std::size_t r = 0; r < repeats.size() && r < kListed; ++r) {
    const FieldId& dup = ids[repeats[r].first];
    const FieldId& first = ids[repeats[r].second];
    d.problems.report(Severity::warning, "duplicate-building-id", d.buildings[dup.building].source,
                      "building id " + std::to_string(dup.id) + " (field '" +
                          id_fields_[dup.field] + "') is also the id of building " +
                          location_text(d.buildings[first.building].source) +
                          "; both kept, but the plan's building table and any join by id "
                          "cannot tell them apart — give each building its own id in the source");
  }
  if (repeats.size() > kListed) {
    const FieldId& next = ids[repeats[kListed].first];
    d.problems.report(Severity::warning, "duplicate-building-id", d.buildings[next.building].source,
                      std::to_string(repeats.size() - kListed) +
                          " more buildings, from this one on, repeat the id of an earlier "
                          "building (not listed one by one); give each building its own id in "
                          "the source");
  }
}

/// Largest relative length error of a projected CRS in metres over `extent` (its coordinates):
/// the projected length of 100 m steps east and north, at the corners, edge midpoints and centre
/// of the extent, against their length on the ellipsoid. 0 when nothing can be measured.
double scale_error(const OGRSpatialReference& srs, const Box& extent) {
  SrsPtr wgs84(new OGRSpatialReference());
  wgs84->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  wgs84->importFromEPSG(4326);
  TransformPtr to_wgs84(OGRCreateCoordinateTransformation(&srs, wgs84.get()));
  if (!to_wgs84 || !(extent.min_x <= extent.max_x)) return 0.0;
  constexpr double kStep = 100.0;  // m in the CRS
  double worst = 0.0;
  for (const double fx : {0.0, 0.5, 1.0})
    for (const double fy : {0.0, 0.5, 1.0}) {
      const double x = extent.min_x + fx * (extent.max_x - extent.min_x);
      const double y = extent.min_y + fy * (extent.max_y - extent.min_y);
      double xs[3] = {x, x + kStep, x};
      double ys[3] = {y, y, y + kStep};
      int ok[3] = {FALSE, FALSE, FALSE};
      if (!to_wgs84->Transform(3, xs, ys, nullptr, ok) || !ok[0] || !ok[1] || !ok[2]) continue;
      for (const int k : {1, 2}) {
        const double true_m = short_ellipsoid_distance_m({xs[0], ys[0]}, {xs[k], ys[k]});
        if (true_m > 0.0) worst = std::max(worst, std::abs(kStep / true_m - 1.0));
      }
    }
  return worst;
}

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g %%", 100.0 * fraction);
  return text;
}

void Loader::choose_target_crs() {
  Dataset& d = result_.dataset;
  if (!options_.target_crs.empty()) {
    target_ = detail::srs_from_user_input(options_.target_crs, "--target-crs");
    if (!detail::srs_is_metric_projected(*target_))
      throw ConfigError("--target-crs '" + options_.target_crs +
                        "' is not a projected CRS in metres; GridPlanner computes in metres");
    result_.crs_reason = "given by option";
  } else {
    // Keep a projected metric input CRS (buildings' first) unless GCJ-02 input must be shifted.
    const StagedLayer* kept = nullptr;
    for (const StagedLayer& s : staged_)
      if (!options_.gcj02 && s.samples > 0 && detail::srs_is_metric_projected(*s.srs) &&
          (kept == nullptr || (kept->begin[kBuildings] == kept->end[kBuildings] &&
                               s.begin[kBuildings] != s.end[kBuildings])))
        kept = &s;
    // A projected CRS whose metres are not metres over the data (Web Mercator: × 1.18 in length
    // at 32°N; a zone far from the data) would scale every area, household estimate and walking
    // distance: such data is reprojected to the local zone.
    std::string rejected;
    if (kept != nullptr) {
      const double error = scale_error(*kept->srs, kept->extent);
      if (error > kMaxScaleError) {
        rejected = "the projected CRS of " + kept->label + " (" + detail::srs_name(*kept->srs) +
                   ") is off by up to " + percent(error) + " in length over the data (more than " +
                   percent(kMaxScaleError) + "), so the data is reprojected; ";
        kept = nullptr;
      }
    }
    if (kept != nullptr) {
      target_ = detail::srs_clone(*kept->srs);
      result_.crs_reason = "kept the projected CRS of " + kept->label;
    } else {
      // Centre of the data in longitude/latitude: sample means per layer, weighted by count.
      SrsPtr wgs84(new OGRSpatialReference());
      wgs84->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
      wgs84->importFromEPSG(4326);
      double lon = 0.0, lat = 0.0;
      std::size_t weight = 0;
      for (const StagedLayer& s : staged_) {
        if (s.samples == 0) continue;
        double x = s.sum_x / s.samples, y = s.sum_y / s.samples;
        TransformPtr to_wgs84(OGRCreateCoordinateTransformation(s.srs.get(), wgs84.get()));
        if (!to_wgs84 || !to_wgs84->Transform(1, &x, &y)) continue;
        lon += x * s.samples;
        lat += y * s.samples;
        weight += s.samples;
      }
      if (weight == 0) {
        result_.crs_reason = "no features: nothing to project";
        return;
      }
      const LonLat centre{lon / weight, lat / weight};
      const ProjectionChoice choice = choose_projection(centre);
      target_.reset(new OGRSpatialReference());
      target_->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
      if (target_->importFromEPSG(choice.epsg) != OGRERR_NONE)
        throw ConfigError("cannot set up EPSG:" + std::to_string(choice.epsg) +
                          " (is the PROJ database installed?)");
      result_.crs_reason = rejected + "automatic: " + choice.reason;
      if (!rejected.empty())
        d.problems.report(Severity::info, "crs-reprojected", {},
                          rejected + "working CRS " + choice.name +
                              " (EPSG:" + std::to_string(choice.epsg) + ")");
      if (options_.gcj02 && !inside_china(centre))
        d.problems.report(Severity::warning, "gcj02-outside-china", {},
                          "--gcj02 was given but the data lies outside China, where web maps "
                          "do not use GCJ-02; the correction was applied anyway");
    }
  }
  char* wkt = nullptr;
  const char* wkt_options[] = {"FORMAT=WKT2_2019", nullptr};
  target_->exportToWkt(&wkt, wkt_options);
  d.crs_wkt = wkt ? wkt : "";
  CPLFree(wkt);
  d.crs_name = detail::srs_name(*target_);
  d.crs_epsg = detail::srs_epsg(*target_);
}

void Loader::project() {
  if (!target_) return;
  Dataset& d = result_.dataset;
  SrsPtr wgs84(new OGRSpatialReference());
  wgs84->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  wgs84->importFromEPSG(4326);
  std::size_t failed = 0;
  for (std::size_t i = 0; i < staged_.size(); ++i) {
    const StagedLayer& s = staged_[i];
    progress_.update("projecting", static_cast<double>(i) / staged_.size());
    if (!options_.gcj02 && s.srs->IsSame(target_.get())) continue;
    TransformPtr first(OGRCreateCoordinateTransformation(
        s.srs.get(), options_.gcj02 ? wgs84.get() : target_.get()));
    TransformPtr second(
        options_.gcj02 ? OGRCreateCoordinateTransformation(wgs84.get(), target_.get()) : nullptr);
    if (!first || (options_.gcj02 && !second))
      throw InputError(s.label + ": no coordinate transformation from " + detail::srs_name(*s.srs) +
                       " to " + detail::srs_name(*target_) + ": " + errors_.failure_text());
    BatchTransformer transformer(first.get(), options_.gcj02, second.get());
    for_each_coordinate_array(d, s.begin, s.end,
                              [&transformer](Point* p, std::size_t n) { transformer.add(p, n); });
    transformer.flush();
    failed += transformer.failed();
  }
  errors_.take();  // PROJ's per-point messages are summarised below instead
  if (failed > 0) remove_failed_projections();
  progress_.update("projecting", 1.0);
}

void Loader::remove_failed_projections() {
  // Features with a point PROJ could not transform (outside the CRS's valid area) are listed and
  // removed, never kept with NaN coordinates.
  Dataset& d = result_.dataset;
  auto report = [&d](const Location& where, const char* what) {
    d.problems.report(Severity::error, "projection-failed", where,
                      std::string(what) + " has coordinates that cannot be projected to " +
                          d.crs_name + " (outside the CRS's area?); not loaded");
  };
  auto polygons = [&](auto& items, const char* what) {
    std::erase_if(items, [&](const auto& item) {
      if (!has_nan(item.footprint)) return false;
      report(item.source, what);
      return true;
    });
  };
  polygons(d.buildings, "building");
  polygons(d.compounds, "compound");
  polygons(d.communities, "community");
  polygons(d.water, "water area");
  polygons(d.existing_grids, "grid");
  std::erase_if(d.lines, [&](const Line& l) {
    if (!has_nan(l.geometry)) return false;
    report(l.source, "line");
    return true;
  });
  std::erase_if(d.stations, [&](const Station& s) {
    if (!std::isnan(s.location.x)) return false;
    report(s.source, "station");
    return true;
  });
}

namespace {
Ring square_ring(Point centre, double half) {
  return {{centre.x - half, centre.y - half},
          {centre.x + half, centre.y - half},
          {centre.x + half, centre.y + half},
          {centre.x - half, centre.y + half},
          {centre.x - half, centre.y - half}};
}
std::string point_key(const Location& where) {
  return where.file + '\x1f' + where.layer + '\x1f' + std::to_string(where.fid.value_or(-1));
}
}  // namespace

void Loader::square_point_buildings() {
  if (point_buildings_.empty()) return;
  Dataset& d = result_.dataset;
  if (!(options_.point_building_side_m > 0.0))
    throw ConfigError("point_building_side_m must be positive (metres), not " +
                      std::to_string(options_.point_building_side_m));
  const double half = options_.point_building_side_m / 2.0;
  for (Building& b : d.buildings) {
    if (!point_buildings_.count(point_key(b.source))) continue;
    const Point c = centroid(b.footprint);
    b.footprint = {Polygon{square_ring(c, half), {}}};
  }
  for (const auto& [key, count] : point_building_layers_) {
    const std::size_t cut = key.find('\x1f');
    const std::string side = std::to_string(
                          static_cast<int>(std::lround(options_.point_building_side_m))),
                      area_m2 = std::to_string(static_cast<int>(std::lround(
                          options_.point_building_side_m * options_.point_building_side_m)));
    d.problems.report(Severity::info, "point-buildings",
                      {key.substr(0, cut), key.substr(cut + 1), std::nullopt},
                      std::to_string(count) + " buildings are points: each is planned as a " +
                          side + " m × " + side +
                          " m square centred on its point (tessellation cell as for a footprint). "
                          "Without a household count one is estimated as a " +
                          area_m2 + " m² footprint × its floors (" +
                          std::to_string(options_.households.default_floors) +
                          " when unknown); give the households field (户数) for real figures");
  }
}

void Loader::enlarge_point_buildings() {
  if (point_buildings_.empty()) return;
  // A given count the square cannot hold (validation's absurd-households test: more than
  // max_households_per_100m2 per 100 m² of floor area) grows the square to the smallest that
  // holds it, so a 120-household tower point is not reported as absurd for our own square.
  const double per_100m2 = options_.households.max_households_per_100m2;
  if (!(per_100m2 > 0.0)) return;
  for (Building& b : result_.dataset.buildings) {
    if (b.households_estimated || b.households <= 0) continue;
    if (!point_buildings_.count(point_key(b.source))) continue;
    const double needed_m2 = b.households * 100.0 / per_100m2 / std::max(1, b.floors);
    const double side = std::sqrt(needed_m2) * 1.001;  // a hair over, for rounding
    if (side * side <= area(b.footprint)) continue;
    b.footprint = {Polygon{square_ring(centroid(b.footprint), side / 2.0), {}}};
  }
}

void Loader::apply_household_table() {
  const LoadOptions::HouseholdTable& t = options_.household_table;
  if (t.path.empty()) return;
  if (t.join_by != "id" && t.join_by != "name")
    throw ConfigError("household table join '" + t.join_by + "': use id or name");
  Dataset& d = result_.dataset;
  const std::string ext = ascii_lower(std::filesystem::path(t.path).extension().string());
  // Spreadsheets: the first row is the header even when every column holds text (GDAL 3.6's
  // XLSX/ODS drivers take this as a configuration option, not an open option). Their feature ids
  // are then sheet rows (header = row 1); CSV ids count data rows from 1.
  const bool sheet = ext == ".xlsx" || ext == ".xlsm" || ext == ".ods";
  // The drivers read the option lazily, when the sheet is first parsed: it stays set until the
  // end of this function.
  struct HeaderOption {
    const char* key;
    std::string saved;
    explicit HeaderOption(const char* k) : key(k), saved(CPLGetThreadLocalConfigOption(k, "")) {
      CPLSetThreadLocalConfigOption(key, "FORCE");
    }
    ~HeaderOption() { CPLSetThreadLocalConfigOption(key, saved.empty() ? nullptr : saved.c_str()); }
    HeaderOption(const HeaderOption&) = delete;
    HeaderOption& operator=(const HeaderOption&) = delete;
  };
  const HeaderOption xlsx_headers("OGR_XLSX_HEADERS"), ods_headers("OGR_ODS_HEADERS");
  GdalErrorCollector errors;
  GDALDatasetUniquePtr table(GDALDataset::Open(t.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                               nullptr, nullptr, nullptr));
  if (!table)
    throw InputError(
        "household table '" + t.path + "': cannot open it (" +
        (std::filesystem::exists(t.path) ? errors.failure_text() : std::string("no such file")) +
        "); give a CSV or XLSX file with a building key column and a households "
        "column");
  OGRLayer* layer = t.layer.empty() ? table->GetLayer(0) : table->GetLayerByName(t.layer.c_str());
  if (!layer)
    throw InputError("household table '" + t.path + "': no layer or sheet '" + t.layer + "'");
  OGRFeatureDefn& defn = *layer->GetLayerDefn();
  std::string fields;
  for (int i = 0; i < defn.GetFieldCount(); ++i)
    fields += (i ? ", " : "") + std::string(defn.GetFieldDefn(i)->GetNameRef());
  auto column = [&](const std::string& named, std::initializer_list<const char*> aliases,
                    const char* what, const char* option) {
    if (!named.empty()) {
      const int i = defn.GetFieldIndex(named.c_str());
      if (i < 0)
        throw InputError("household table '" + t.path + "': no column '" + named +
                         "' (columns: " + fields + ")");
      return i;
    }
    for (const char* alias : aliases)
      for (int i = 0; i < defn.GetFieldCount(); ++i)
        if (ascii_lower(trimmed(defn.GetFieldDefn(i)->GetNameRef())) == ascii_lower(alias))
          return i;
    throw InputError("household table '" + t.path + "': no " + what +
                     " column (columns: " + fields + "); name it with " + option);
  };
  const bool by_id = t.join_by == "id";
  const int key = by_id ? column(t.key_column, {"bid", "id", "building_id", "楼栋编号", "编号"},
                                 "building id", "household_table.key_column")
                        : column(t.key_column, {"address", "name", "地址", "楼栋地址", "名称"},
                                 "address", "household_table.key_column");
  const int households = column(t.households_column, {"households", "hh", "户数", "住户数", "户"},
                                "households", "household_table.households_column");

  std::map<std::string, std::vector<std::size_t>> building_of;
  for (std::size_t b = 0; b < d.buildings.size(); ++b)
    building_of[by_id ? std::to_string(d.buildings[b].id) : trimmed(d.buildings[b].name)].push_back(
        b);
  const std::string layer_name = layer->GetName();
  std::size_t matched = 0, rows = 0, unmatched = 0, unusable = 0;
  std::string first_unmatched;
  // Problems name the row as a spreadsheet or editor shows it: the header is row 1.
  auto where_of = [&](const OGRFeature& f) { return Location{t.path, layer_name, f.GetFID()}; };
  for (auto& feature : *layer) {
    ++rows;
    const std::int64_t row = sheet ? feature->GetFID() : feature->GetFID() + 1;
    std::string k = trimmed(feature->GetFieldAsString(key));
    if (by_id) {
      if (const auto n = whole_number(k)) k = std::to_string(*n);
    }
    const std::string value = trimmed(feature->GetFieldAsString(households));
    const auto count = whole_number(value);
    if (!count || *count < 0 || *count > 1000000000) {
      ++unusable;
      d.problems.report(Severity::warning, "household-table-unreadable", where_of(*feature),
                        "row " + std::to_string(row) + ": households '" + value +
                            "' is not a whole number ≥ 0; the row is not used");
      continue;
    }
    const auto found = building_of.find(k);
    if (k.empty() || found == building_of.end()) {
      ++unmatched;
      d.problems.report(Severity::warning, "household-table-unmatched", where_of(*feature),
                        "row " + std::to_string(row) + ": " +
                            (by_id ? "building id '" : "address '") + k +
                            "' matches no loaded building; its " + value +
                            " households are not counted. Check the key, or the join (" +
                            (by_id ? "by id: the buildings' id field" : "by name/address") + ")");
      continue;
    }
    if (found->second.size() > 1) {
      ++unusable;
      d.problems.report(Severity::warning, "household-table-ambiguous", where_of(*feature),
                        "row " + std::to_string(row) + ": key '" + k + "' matches " +
                            std::to_string(found->second.size()) +
                            " buildings; the row is not used (make the keys unique)");
      continue;
    }
    Building& b = d.buildings[found->second.front()];
    b.households = static_cast<int>(*count);
    b.households_estimated = false;
    ++matched;
  }
  d.problems.report(Severity::info, "household-table", {t.path, layer_name, std::nullopt},
                    std::to_string(matched) + " of " + std::to_string(rows) +
                        " rows set the households of their building (joined by " +
                        (by_id ? "building id" : "name/address") +
                        "; from the table, not "
                        "estimated); " +
                        std::to_string(unmatched) + " rows match no building, " +
                        std::to_string(unusable) + " rows are not usable; " +
                        std::to_string(d.buildings.size() - std::min(d.buildings.size(), matched)) +
                        " buildings without a row keep their own value or the estimate");
}

LoadResult Loader::run() {
  if (options_.inputs.empty()) throw ConfigError("no input files given");
  for (const auto& [role, mapping] : options_.fields) {
    const std::vector<std::string>& keys = field_keys(role);
    for (const auto& [key, field] : mapping) {
      if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
      std::string known;
      for (const std::string& k : keys) known += (known.empty() ? "" : ", ") + k;
      throw ConfigError("field mapping " + std::string(to_string(role)) + "." + key + "=" + field +
                        ": unknown key '" + key + "'; keys for " + to_string(role) + ": " +
                        (known.empty() ? "(none)" : known));
    }
  }
  if (!options_.assume_crs.empty())
    assumed_ = detail::srs_from_user_input(options_.assume_crs, "--assume-crs");

  for (const InputSpec& input : options_.inputs) load_input(input);
  report_duplicate_ids();
  choose_target_crs();
  project();

  square_point_buildings();
  apply_household_table();

  Dataset& d = result_.dataset;
  progress_.update("estimating households", 0.0);
  for (Building& b : d.buildings) estimate_households(b, options_.households);
  enlarge_point_buildings();
  check_households();

  if (options_.validate)
    result_.validation = geo::validate_and_join(d, options_.households, progress_);
  if (options_.strict) throw_if_strict_violated(d.problems);
  return std::move(result_);
}

}  // namespace

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

void throw_if_strict_violated(const ProblemReporter& problems) {
  const std::size_t errors = problems.count(Severity::error);
  const std::size_t warnings = problems.count(Severity::warning);
  if (errors + warnings == 0) return;
  std::string message = "strict mode: " + std::to_string(errors) + " error(s) and " +
                        std::to_string(warnings) + " warning(s) in the input; first:";
  std::size_t shown = 0;
  for (const Problem& p : problems.problems()) {
    if (p.severity == Severity::info) continue;
    message += "\n  " + to_string(p);
    if (++shown == 10) break;
  }
  if (errors + warnings > shown) message += "\n  ... (run `gridplan inspect --all` for the list)";
  throw StrictModeError(message);
}

LoadResult load(const LoadOptions& options, Progress& progress) {
  static std::once_flag registered;
  std::call_once(registered, [] {
    GDALAllRegister();
    // GDAL's GeoJSON reader parses each feature whole with json-c, which aborts the process
    // when an allocation fails (no exception, no message). GDAL refuses features whose parsed
    // size exceeds OGR_GEOJSON_MAX_OBJ_SIZE (default 200 MB) cleanly, so under a memory limit
    // the cap is lowered to an eighth of the memory available; unchanged on ordinary machines
    // and when the user has set it.
    if (!CPLGetConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE", nullptr))
      CPLSetConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE",
                         std::to_string(geojson_feature_limit_mb()).c_str());
  });
  return Loader(options, progress).run();
}

std::vector<RoadClassCount> count_road_classes(const Dataset& dataset,
                                               const std::set<std::string>& hard) {
  std::map<std::string, RoadClassCount> by_key;
  for (const Line& line : dataset.lines) {
    if (line.kind != LineKind::road) continue;
    const std::string key = normalise_road_class(line.cls);
    RoadClassCount& c = by_key[key];
    if (c.lines++ == 0) {
      c.key = key;
      c.known = find_road_class(key) != nullptr;
      c.hard = road_class_in(key, hard);
    }
    if (std::find(c.spellings.begin(), c.spellings.end(), line.cls) == c.spellings.end() &&
        c.spellings.size() < 8)
      c.spellings.push_back(line.cls);
  }
  std::vector<RoadClassCount> out;
  for (auto& [key, c] : by_key) out.push_back(std::move(c));
  std::sort(out.begin(), out.end(), [](const RoadClassCount& a, const RoadClassCount& b) {
    const int ra = road_rank(a.key), rb = road_rank(b.key);
    return ra != rb ? ra > rb : a.lines > b.lines;
  });
  return out;
}

Dataset load_dataset(const LoadOptions& options, Progress& progress) {
  return load(options, progress).dataset;
}

}  // namespace gp::io
