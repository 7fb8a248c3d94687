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
    case EventCategory::work_order:
      return "work_order";
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
    case EventCategory::work_order:
      return "12345 派单";
  }
  return "?";
}

const char* to_string(RoutineBasis basis) {
  switch (basis) {
    case RoutineBasis::household:
      return "household";
    case RoutineBasis::resident:
      return "resident";
    case RoutineBasis::building:
      return "building";
    case RoutineBasis::floor:
      return "floor";
    case RoutineBasis::event:
      return "event";
    case RoutineBasis::grid:
      return "grid";
  }
  return "unknown";
}

int month_of_day(long long day) {
  // Cumulative days at the end of each month of a 365-day year.
  static constexpr int kEnd[12] = {31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};
  long long d = day % 365;
  if (d < 0) d += 365;
  int month = 0;
  while (month < 11 && d >= kEnd[month]) ++month;
  return month;
}

std::vector<CategoryParams> default_categories() {
  // rate /household/year, handling minutes, → community, → centre (of escalated). Assumptions:
  // no national statistics of grid events per household were found; the orders of magnitude
  // follow published county reports of "tens of thousands of matters per year" for towns of
  // tens of thousands of households (≈ 1–2 per household per year in total).
  const std::string rates =
      "assumption: order of magnitude from county reports of tens of thousands of matters a year "
      "for tens of thousands of households";
  std::vector<CategoryParams> categories(kCategoryCount);
  auto set = [&](std::size_t i, EventCategory category, double rate, double minutes,
                 double to_community, double to_centre) {
    CategoryParams& c = categories[i];
    c.category = category;
    c.events_per_household_per_year = rate;
    c.handling_minutes = minutes;
    c.escalate_to_community = to_community;
    c.escalate_to_centre = to_centre;
    c.source = rates;
  };
  set(0, EventCategory::community_management, 0.50, 30.0, 0.05, 0.20);
  set(1, EventCategory::public_security, 0.10, 45.0, 0.15, 0.30);
  set(2, EventCategory::dispute_mediation, 0.10, 90.0, 0.25, 0.30);
  set(3, EventCategory::livelihood_services, 0.60, 40.0, 0.10, 0.20);
  set(4, EventCategory::health, 0.20, 30.0, 0.10, 0.20);
  // 12345 tickets passed down to the grid: each needs contact, a visit and a written reply.
  set(5, EventCategory::work_order, 0.25, 45.0, 0.10, 0.30);
  categories[5].deadline_hours = 72.0;
  categories[5].source =
      "assumption: share of 12345 hotline and platform tickets dispatched to grids; deadline: "
      "many cities ask for a reply within 3 working days (local rules, not national)";
  // Security matters come later in the day than the rest: shift part of the weight to evenings.
  auto& evening = categories[1].daily;
  for (int hour = 19; hour <= 23; ++hour) evening[static_cast<std::size_t>(hour)] *= 2.0;
  // Seasons (assumptions): more security matters in the long summer evenings; more health
  // matters in winter (influenza season); more livelihood matters in the northern heating
  // season (November–March: heating complaints).
  categories[1].monthly = {0.9, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.15, 1.05, 1.0, 0.9, 0.85};
  categories[4].monthly = {1.3, 1.2, 1.1, 1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0, 1.1, 1.3};
  categories[3].monthly = {1.2, 1.1, 1.0, 0.9, 0.9, 1.0, 1.0, 1.0, 0.9, 1.0, 1.3, 1.3};
  return categories;
}

std::vector<RoutineComponent> default_routine() {
  std::vector<RoutineComponent> routine;
  RoutineComponent visits;
  visits.key = "household_visits";
  visits.chinese = "入户走访";
  visits.english = "household visits";
  visits.per_unit_per_year = 2.0;
  visits.minutes = 15.0;
  visits.source =
      "assumption: local rules ask every household to be visited regularly; 2 a year is the low "
      "end of what they ask";
  routine.push_back(visits);

  RoutineComponent updates;
  updates.key = "population_updates";
  updates.chinese = "人口信息采集更新";
  updates.english = "population information updates";
  updates.per_unit_per_year = 0.35;
  updates.minutes = 20.0;
  updates.source =
      "assumption: moves, births, rentals and floating population; the 7th census (2020) counted "
      "492.76 million people living away from their registered household, about 1 in 3";
  routine.push_back(updates);

  RoutineComponent care;
  care.key = "care_visits";
  care.chinese = "关爱对象走访";
  care.english = "care-target visits";
  care.share = 0.08;
  care.per_unit_per_year = 24.0;
  care.minutes = 30.0;
  care.source =
      "assumption: elderly living alone, disabled, low-income and special groups ≈ 8 % of "
      "households, visited twice a month";
  routine.push_back(care);

  RoutineComponent follow;
  follow.key = "follow_up";
  follow.chinese = "督办回访";
  follow.english = "supervision and follow-up";
  follow.basis = RoutineBasis::event;
  follow.share = 0.3;
  follow.per_unit_per_year = 1.0;
  follow.minutes = 20.0;
  follow.source = "assumption: 3 in 10 events and work orders get a return visit";
  routine.push_back(follow);

  RoutineComponent campaigns;
  campaigns.key = "campaigns";
  campaigns.chinese = "上级交办专项工作";
  campaigns.english = "campaigns from above";
  campaigns.per_unit_per_year = 2.0;
  campaigns.minutes = 15.0;
  // Sanitation drives in spring (爱国卫生月, April), flood-season and emergency duty in summer,
  // year-end verification in November; quiet around the Spring Festival.
  campaigns.monthly = {0.6, 0.6, 1.2, 1.5, 1.0, 1.1, 1.1, 1.1, 0.9, 0.9, 1.2, 0.8};
  campaigns.source =
      "assumption: census and verification rounds, anti-fraud publicity, sanitation drives, "
      "emergency duty: two household contacts a year";
  routine.push_back(campaigns);
  return routine;
}

}  // namespace gp::sim
