#pragma once
// Chinese names for the synthetic town: communities, compounds, roads, rivers, institutions.
// The demo town uses hand-picked names typical of a North-China county town; larger towns compose
// names from the same vocabulary and add ordinals so every name stays unique.

#include <cstdint>
#include <string>
#include <unordered_set>

#include "planner/core/random.hpp"

namespace gp::synth {

/// Chinese numeral for 1 ≤ n ≤ 9999 ("一", "十二", "一百零五"); decimal digits beyond that.
std::string chinese_numeral(int n);

/// Community name ("鼓楼社区") for the community numbered `index` (0-based, numbering order).
/// Indices below the demo town's 15 give the demo names; others are composed and unique.
std::string community_name(int index);
/// The name without the "社区" suffix ("鼓楼"), used to name the community's streets.
std::string community_short_name(const std::string& community_name);

/// Building era of a residential compound; decides the name style.
enum class CompoundEra { walkup, midrise, tower };

/// A compound name in the style of its era ("粮食局家属院", "锦绣花园", "御景华府"), unique
/// within `used`: on a clash the place name is put in front ("城南锦绣花园"), then a phase suffix
/// ("二期") is added. Adds the name to `used`.
std::string compound_name(Rng& rng, CompoundEra era, const std::string& place,
                          std::unordered_set<std::string>& used);

/// Name of the north–south arterial on column boundary `index` of `count` boundaries and of the
/// east–west arterial on row boundary `index`. The demo town (`named` true) uses real-sounding
/// street names; larger towns use the 经N路 / 纬N路 numbering common in planned Chinese towns.
std::string north_south_arterial_name(int index, int count, bool named);
std::string east_west_arterial_name(int index, int count, bool named);

/// Name of the `ordinal`-th river (0 = the town's main river).
std::string river_name(int ordinal);

}  // namespace gp::synth
