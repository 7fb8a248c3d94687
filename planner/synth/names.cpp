#include "planner/synth/names.hpp"

#include <array>
#include <string_view>

namespace gp::synth {

namespace {

using Names = std::span<const std::string_view>;

// The demo town's 15 communities in numbering order (north-west first, west→east, north→south).
constexpr std::array<std::string_view, 15> kDemoCommunities = {
    "西城", "北关", "鼓楼", "府前", "东城",  // north row
    "新华", "西关", "文化", "迎宾", "东关",  // middle row, north bank of the river
    "滨河", "南关", "城南", "兴盛", "南营",  // south row, south bank
};

// Syllables for composing further community names in larger towns.
constexpr std::array<std::string_view, 24> kCommunityFirst = {
    "安", "康", "和", "兴", "富", "永", "新", "长", "建", "光", "明", "振",
    "育", "德", "仁", "华", "朝", "锦", "瑞", "丰", "福", "泰", "宁", "嘉"};
constexpr std::array<std::string_view, 20> kCommunitySecond = {
    "平", "乐", "华", "阳", "盛", "宁", "兴", "安", "泰", "苑",
    "园", "城", "源", "丰", "祥", "惠", "和", "顺", "福", "民"};

// Work units whose staff housing became the old walk-up compounds (单位家属院).
constexpr std::array<std::string_view, 24> kWorkUnits = {
    "粮食局",   "供销社",   "电业局",   "农机厂", "水利局", "卫生局", "教育局",   "纺织厂",
    "建筑公司", "棉麻公司", "物资局",   "交通局", "税务局", "邮电局", "化肥厂",   "机械厂",
    "酒厂",     "铁路",     "食品公司", "工商局", "林业局", "财政局", "医药公司", "二轻局"};
constexpr std::array<std::string_view, 3> kWorkUnitSuffixes = {"家属院", "宿舍", "家属楼"};
constexpr std::array<std::string_view, 24> kWalkupPrefixes = {
    "东风", "红旗", "前进", "光明", "团结", "胜利", "友谊", "和平", "向阳", "建设", "幸福", "康乐",
    "文苑", "安居", "富民", "新华", "民主", "永安", "育才", "园丁", "南苑", "北苑", "丰收", "长青"};
constexpr std::array<std::string_view, 3> kWalkupSuffixes = {"小区", "新村", "小区"};
constexpr std::array<std::string_view, 24> kMidriseprefixes = {
    "阳光", "锦绣", "金泰", "紫荆", "翠苑", "盛世", "和谐", "康城", "丽景", "怡和", "金地", "华庭",
    "嘉禾", "瑞祥", "福泽", "龙泉", "恒泰", "馨园", "书香", "水岸", "桂花", "玉兰", "泰和", "宏远"};
constexpr std::array<std::string_view, 6> kMidriseSuffixes = {"花园", "家园", "苑",
                                                              "名苑", "嘉园", "雅居"};
constexpr std::array<std::string_view, 16> kTowerPrefixes = {
    "御景", "壹号", "天悦", "中央", "滨河", "凤凰", "君临", "尚城",
    "云山", "世纪", "国际", "星河", "锦江", "万象", "东方", "紫金"};
constexpr std::array<std::string_view, 7> kTowerSuffixes = {"华府", "天地", "公馆", "国际",
                                                            "湾",   "尚城", "府"};

constexpr std::array<std::string_view, 6> kDemoNorthSouth = {"西环路", "解放路", "人民路",
                                                             "建设路", "迎宾路", "东环路"};
constexpr std::array<std::string_view, 4> kDemoEastWest = {"南环路", "滨河路", "鼓楼大街",
                                                           "北环路"};
constexpr std::array<std::string_view, 8> kRivers = {"南洋河", "白登河", "黑水河", "二道河",
                                                     "十里河", "桑干河", "御河",   "淤泥河"};

constexpr std::array<std::string_view, 10> kDigits = {"零", "一", "二", "三", "四",
                                                      "五", "六", "七", "八", "九"};

std::string str(std::string_view s) {
  return std::string(s);
}

std::string pick(Rng& rng, Names names) {
  return str(rng.pick(names));
}

}  // namespace

std::string chinese_numeral(int n) {
  if (n <= 0 || n > 9999) return std::to_string(n);
  constexpr std::array<std::string_view, 4> kPlaces = {"", "十", "百", "千"};
  const int digits[4] = {n % 10, n / 10 % 10, n / 100 % 10, n / 1000};
  int top = 3;
  while (digits[top] == 0) --top;
  std::string out;
  bool pending_zero = false;
  for (int place = top; place >= 0; --place) {
    const int d = digits[place];
    if (d == 0) {
      pending_zero = !out.empty();
      continue;
    }
    if (pending_zero) out += kDigits[0];
    pending_zero = false;
    // "十二" rather than "一十二" when ten is the leading place.
    if (!(d == 1 && place == 1 && place == top)) out += kDigits[static_cast<std::size_t>(d)];
    out += kPlaces[static_cast<std::size_t>(place)];
  }
  return out;
}

std::string community_name(int index) {
  if (index >= 0 && index < static_cast<int>(kDemoCommunities.size()))
    return str(kDemoCommunities[static_cast<std::size_t>(index)]) + "社区";
  const int composed = index - static_cast<int>(kDemoCommunities.size());
  const int pairs = static_cast<int>(kCommunityFirst.size() * kCommunitySecond.size());
  const auto first = static_cast<std::size_t>(composed % static_cast<int>(kCommunityFirst.size()));
  const auto second = static_cast<std::size_t>(composed / static_cast<int>(kCommunityFirst.size()) %
                                               static_cast<int>(kCommunitySecond.size()));
  std::string name = str(kCommunityFirst[first]) + str(kCommunitySecond[second]);
  // A composed pair may spell a demo name (新华, 兴盛): mark it as the eastern namesake.
  for (std::string_view demo : kDemoCommunities)
    if (name == demo) name += "东";
  // Beyond the composed pairs an ordinal keeps names unique ("安平二社区").
  if (composed >= pairs) name += chinese_numeral(composed / pairs + 1);
  return name + "社区";
}

std::string community_short_name(const std::string& community_name) {
  constexpr std::string_view kSuffix = "社区";
  if (community_name.size() > kSuffix.size() && community_name.ends_with(kSuffix))
    return community_name.substr(0, community_name.size() - kSuffix.size());
  return community_name;
}

namespace {

/// prefix + suffix. The suffix is drawn first, in a statement of its own: `pick(prefix) +
/// pick(suffix)` leaves the order of the two draws to the compiler (GCC drew the suffix first,
/// clang the prefix), so the same seed gave different towns. The committed demo town was made
/// with GCC's order, kept here.
std::string pick_pair(Rng& rng, Names prefixes, Names suffixes) {
  std::string suffix = pick(rng, suffixes);
  return pick(rng, prefixes) + suffix;
}

}  // namespace

std::string compound_name(Rng& rng, CompoundEra era, const std::string& place,
                          std::unordered_set<std::string>& used) {
  std::string name;
  switch (era) {
    case CompoundEra::walkup:
      if (rng.chance(0.35))
        name = pick_pair(rng, kWorkUnits, kWorkUnitSuffixes);
      else
        name = pick_pair(rng, kWalkupPrefixes, kWalkupSuffixes);
      break;
    case CompoundEra::midrise:
      name = pick_pair(rng, kMidriseprefixes, kMidriseSuffixes);
      break;
    case CompoundEra::tower:
      name = pick_pair(rng, kTowerPrefixes, kTowerSuffixes);
      break;
  }
  if (used.insert(name).second) return name;
  // Big towns reuse the vocabulary: a place name in front, as estates are often called.
  name = place + name;
  if (used.insert(name).second) return name;
  // Later phases of an estate carry the same name with 二期, 三期, ...
  for (int phase = 2;; ++phase) {
    std::string phased = name + chinese_numeral(phase) + "期";
    if (used.insert(phased).second) return phased;
  }
}

std::string north_south_arterial_name(int index, int count, bool named) {
  if (named && count == static_cast<int>(kDemoNorthSouth.size()))
    return str(kDemoNorthSouth[static_cast<std::size_t>(index)]);
  return "经" + chinese_numeral(index + 1) + "路";
}

std::string east_west_arterial_name(int index, int count, bool named) {
  if (named && count == static_cast<int>(kDemoEastWest.size()))
    return str(kDemoEastWest[static_cast<std::size_t>(index)]);
  return "纬" + chinese_numeral(index + 1) + "路";
}

std::string river_name(int ordinal) {
  const auto n = static_cast<int>(kRivers.size());
  std::string name = str(kRivers[static_cast<std::size_t>(ordinal % n)]);
  if (ordinal >= n) name = chinese_numeral(ordinal / n + 1) + "道" + name;
  return name;
}

}  // namespace gp::synth
