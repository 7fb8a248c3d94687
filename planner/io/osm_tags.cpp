#include "planner/io/osm_tags.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <utility>

#include "planner/core/road_classes.hpp"

namespace gp::io {

namespace {

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Reads a quoted string starting at text[pos] == '"'; returns the unescaped content and moves
// pos past the closing quote. Returns false on malformed input.
bool read_quoted(std::string_view text, std::size_t& pos, std::string& out) {
  out.clear();
  if (pos >= text.size() || text[pos] != '"') return false;
  ++pos;
  while (pos < text.size()) {
    const char c = text[pos++];
    if (c == '\\' && pos < text.size()) {
      out.push_back(text[pos++]);
    } else if (c == '"') {
      return true;
    } else {
      out.push_back(c);
    }
  }
  return false;
}

struct UseEntry {
  std::string_view value;
  BuildingUse use;
};

// building=* values (OSM wiki "Key:building") and GridPlanner `use` values, plus common Chinese
// attribute values from surveying-bureau data.
constexpr std::array kUseTable{
    UseEntry{"residential", BuildingUse::residential},
    UseEntry{"apartments", BuildingUse::residential},
    UseEntry{"house", BuildingUse::residential},
    UseEntry{"detached", BuildingUse::residential},
    UseEntry{"semidetached_house", BuildingUse::residential},
    UseEntry{"terrace", BuildingUse::residential},
    UseEntry{"dormitory", BuildingUse::residential},
    UseEntry{"bungalow", BuildingUse::residential},
    UseEntry{"farm", BuildingUse::residential},
    UseEntry{"static_caravan", BuildingUse::residential},
    UseEntry{"houseboat", BuildingUse::residential},
    UseEntry{"dwelling", BuildingUse::residential},
    UseEntry{"dwellings", BuildingUse::residential},
    UseEntry{"housing", BuildingUse::residential},
    UseEntry{"住房", BuildingUse::residential},
    UseEntry{"住宅楼", BuildingUse::residential},
    UseEntry{"居民楼", BuildingUse::residential},
    UseEntry{"民居", BuildingUse::residential},
    UseEntry{"宿舍", BuildingUse::residential},
    UseEntry{"公寓", BuildingUse::residential},
    UseEntry{"别墅", BuildingUse::residential},
    UseEntry{"住宅用地", BuildingUse::residential},
    UseEntry{"城镇住宅", BuildingUse::residential},
    UseEntry{"农村宅基地", BuildingUse::residential},
    UseEntry{"住宅", BuildingUse::residential},
    UseEntry{"居住", BuildingUse::residential},
    UseEntry{"平房", BuildingUse::residential},
    UseEntry{"mixed", BuildingUse::mixed},
    UseEntry{"mixed_use", BuildingUse::mixed},
    UseEntry{"商住", BuildingUse::mixed},
    UseEntry{"商住楼", BuildingUse::mixed},
    UseEntry{"商住两用", BuildingUse::mixed},
    UseEntry{"住宅商业", BuildingUse::mixed},
    UseEntry{"school", BuildingUse::school},
    UseEntry{"university", BuildingUse::school},
    UseEntry{"college", BuildingUse::school},
    UseEntry{"kindergarten", BuildingUse::school},
    UseEntry{"学校", BuildingUse::school},
    UseEntry{"幼儿园", BuildingUse::school},
    UseEntry{"教育", BuildingUse::school},
    UseEntry{"中学", BuildingUse::school},
    UseEntry{"小学", BuildingUse::school},
    UseEntry{"大学", BuildingUse::school},
    UseEntry{"hospital", BuildingUse::hospital},
    UseEntry{"clinic", BuildingUse::hospital},
    UseEntry{"医院", BuildingUse::hospital},
    UseEntry{"卫生院", BuildingUse::hospital},
    UseEntry{"诊所", BuildingUse::hospital},
    UseEntry{"医疗", BuildingUse::hospital},
    UseEntry{"office", BuildingUse::office},
    UseEntry{"government", BuildingUse::office},
    UseEntry{"public", BuildingUse::office},
    UseEntry{"civic", BuildingUse::office},
    UseEntry{"townhall", BuildingUse::office},
    UseEntry{"办公", BuildingUse::office},
    UseEntry{"政府", BuildingUse::office},
    UseEntry{"办公楼", BuildingUse::office},
    UseEntry{"行政办公", BuildingUse::office},
    UseEntry{"机关", BuildingUse::office},
    UseEntry{"commercial", BuildingUse::commercial},
    UseEntry{"retail", BuildingUse::commercial},
    UseEntry{"supermarket", BuildingUse::commercial},
    UseEntry{"hotel", BuildingUse::commercial},
    UseEntry{"shop", BuildingUse::commercial},
    UseEntry{"kiosk", BuildingUse::commercial},
    UseEntry{"商业", BuildingUse::commercial},
    UseEntry{"商铺", BuildingUse::commercial},
    UseEntry{"商场", BuildingUse::commercial},
    UseEntry{"酒店", BuildingUse::commercial},
    UseEntry{"宾馆", BuildingUse::commercial},
    UseEntry{"商服", BuildingUse::commercial},
    UseEntry{"industrial", BuildingUse::industrial},
    UseEntry{"warehouse", BuildingUse::industrial},
    UseEntry{"factory", BuildingUse::industrial},
    UseEntry{"manufacture", BuildingUse::industrial},
    UseEntry{"工业", BuildingUse::industrial},
    UseEntry{"仓库", BuildingUse::industrial},
    UseEntry{"厂房", BuildingUse::industrial},
    UseEntry{"仓储", BuildingUse::industrial},
    UseEntry{"ancillary", BuildingUse::ancillary},
    UseEntry{"garage", BuildingUse::ancillary},
    UseEntry{"garages", BuildingUse::ancillary},
    UseEntry{"carport", BuildingUse::ancillary},
    UseEntry{"shed", BuildingUse::ancillary},
    UseEntry{"hut", BuildingUse::ancillary},
    UseEntry{"roof", BuildingUse::ancillary},
    UseEntry{"parking", BuildingUse::ancillary},
    UseEntry{"service", BuildingUse::ancillary},
    UseEntry{"toilets", BuildingUse::ancillary},
    UseEntry{"transformer_tower", BuildingUse::ancillary},
    UseEntry{"附属", BuildingUse::ancillary},
    UseEntry{"车库", BuildingUse::ancillary},
    UseEntry{"配套", BuildingUse::ancillary},
    UseEntry{"附属用房", BuildingUse::ancillary},
    UseEntry{"配电房", BuildingUse::ancillary},
    UseEntry{"ruins", BuildingUse::ancillary},
    UseEntry{"other", BuildingUse::other},
    UseEntry{"其他", BuildingUse::other},
    UseEntry{"其它", BuildingUse::other},
    UseEntry{"公共", BuildingUse::other},
    UseEntry{"公共服务", BuildingUse::other},
    UseEntry{"church", BuildingUse::other},
    UseEntry{"chapel", BuildingUse::other},
    UseEntry{"cathedral", BuildingUse::other},
    UseEntry{"mosque", BuildingUse::other},
    UseEntry{"temple", BuildingUse::other},
    UseEntry{"religious", BuildingUse::other},
    UseEntry{"synagogue", BuildingUse::other},
    UseEntry{"shrine", BuildingUse::other},
    UseEntry{"sports_hall", BuildingUse::other},
    UseEntry{"sports_centre", BuildingUse::other},
    UseEntry{"stadium", BuildingUse::other},
    UseEntry{"grandstand", BuildingUse::other},
    UseEntry{"pavilion", BuildingUse::other},
    UseEntry{"train_station", BuildingUse::other},
    UseEntry{"transportation", BuildingUse::other},
    UseEntry{"museum", BuildingUse::other},
    UseEntry{"library", BuildingUse::other},
    UseEntry{"fire_station", BuildingUse::other},
    UseEntry{"police", BuildingUse::other},
    UseEntry{"construction", BuildingUse::other},
    UseEntry{"bridge", BuildingUse::other},
    UseEntry{"tower", BuildingUse::other},
    UseEntry{"bunker", BuildingUse::other},
    UseEntry{"barn", BuildingUse::ancillary},
    UseEntry{"greenhouse", BuildingUse::ancillary},
    UseEntry{"cabin", BuildingUse::residential},
    UseEntry{"宗教", BuildingUse::other},
    UseEntry{"文化", BuildingUse::other},
    UseEntry{"体育", BuildingUse::other},
};

}  // namespace

std::optional<std::string> find_other_tag(std::string_view other_tags, std::string_view key) {
  std::size_t pos = 0;
  std::string k, v;
  while (pos < other_tags.size()) {
    if (!read_quoted(other_tags, pos, k)) return std::nullopt;
    if (other_tags.substr(pos, 2) != "=>") return std::nullopt;
    pos += 2;
    if (!read_quoted(other_tags, pos, v)) return std::nullopt;
    if (k == key) return v;
    if (pos < other_tags.size() && other_tags[pos] == ',') ++pos;
  }
  return std::nullopt;
}

namespace {
std::string trimmed_lower(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return ascii_lower(value);
}
}  // namespace

BuildingUse building_use_from_value(std::string_view value) {
  if (generic_building_value(value)) return BuildingUse::residential;
  return lookup_building_use(value).value_or(BuildingUse::other);
}

std::optional<BuildingUse> lookup_building_use(std::string_view value) {
  const std::string v = trimmed_lower(value);
  for (const UseEntry& entry : kUseTable)
    if (entry.value == v) return entry.use;
  return std::nullopt;
}

bool generic_building_value(std::string_view value) {
  // Values that say only "this is a building": OSM building=yes, vector-tile kind=building,
  // bureau tables that fill 用途 with 建筑 / 房屋 / 未知.
  static constexpr std::array<std::string_view, 12> kGeneric{
      "yes",  "building", "buildings", "true", "1",    "unknown",
      "建筑", "房屋",     "建筑物",    "楼栋", "未知", "不详"};
  const std::string v = trimmed_lower(value);
  return std::find(kGeneric.begin(), kGeneric.end(), v) != kGeneric.end();
}

bool highway_walkable(std::string_view highway) {
  return road_walkable(highway);
}

std::optional<double> parse_osm_number(std::string_view value, bool length) {
  std::size_t start = 0;
  while (start < value.size() && value[start] == ' ') ++start;
  double number = 0.0;
  const char* first = value.data() + start;
  const char* last = value.data() + value.size();
  const auto [end, error] = std::from_chars(first, last, number);
  if (error != std::errc() || !std::isfinite(number)) return std::nullopt;
  if (length) {
    const std::string_view rest = value.substr(static_cast<std::size_t>(end - value.data()));
    // Feet: 40' or 40 ft (OSM allows imperial lengths); 1 ft = 0.3048 m.
    if (rest.find('\'') != std::string_view::npos || rest.find("ft") != std::string_view::npos)
      number *= 0.3048;
  }
  return number;
}

bool osm_truthy(std::string_view value) {
  const std::string v = ascii_lower(value);
  return !(v.empty() || v == "no" || v == "false" || v == "0");
}

}  // namespace gp::io
