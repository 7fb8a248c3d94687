#include "planner/sim/params.hpp"

namespace gp::sim {

const char* to_string(EventCategory category) {
  switch (category) {
    case EventCategory::community_management:
      return "community_management";
    case EventCategory::public_security:
      return "public_security";
    case EventCategory::dispute_mediation:
      return "dispute_mediation";
    case EventCategory::livelihood_services:
      return "livelihood_services";
    case EventCategory::health:
      return "health";
  }
  return "unknown";
}

const char* chinese_name(EventCategory category) {
  switch (category) {
    case EventCategory::community_management:
      return "社区管理";
    case EventCategory::public_security:
      return "社会治安";
    case EventCategory::dispute_mediation:
      return "纠纷调解";
    case EventCategory::livelihood_services:
      return "民生服务";
    case EventCategory::health:
      return "医疗卫生";
  }
  return "?";
}

std::vector<CategoryParams> default_categories() {
  // rate /household/year, handling minutes, → community, → centre (of escalated). Assumptions.
  std::vector<CategoryParams> categories(kCategoryCount);
  categories[0] = {EventCategory::community_management,
                   0.50,
                   30.0,
                   0.05,
                   0.20,
                   kDefaultDailyProfile,
                   kDefaultWeeklyProfile};
  categories[1] = {EventCategory::public_security, 0.10, 45.0, 0.15, 0.30, kDefaultDailyProfile,
                   kDefaultWeeklyProfile};
  categories[2] = {EventCategory::dispute_mediation,
                   0.10,
                   90.0,
                   0.25,
                   0.30,
                   kDefaultDailyProfile,
                   kDefaultWeeklyProfile};
  categories[3] = {EventCategory::livelihood_services,
                   0.60,
                   40.0,
                   0.10,
                   0.20,
                   kDefaultDailyProfile,
                   kDefaultWeeklyProfile};
  categories[4] = {EventCategory::health, 0.20, 30.0, 0.10, 0.20, kDefaultDailyProfile,
                   kDefaultWeeklyProfile};
  // Security matters come later in the day than the rest: shift part of the weight to evenings.
  auto& evening = categories[1].daily;
  for (int hour = 19; hour <= 23; ++hour) evening[static_cast<std::size_t>(hour)] *= 2.0;
  return categories;
}

}  // namespace gp::sim
