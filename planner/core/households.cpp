#include "planner/core/households.hpp"

#include <cmath>

namespace gp {

namespace {
bool house_like(const Building& b) {
  const std::string& u = b.source_use;
  return u == "house" || u == "detached" || u == "semidetached_house" || u == "bungalow" ||
         u == "terrace" || u == "hut" || u == "farm" || u == "static_caravan";
}
}  // namespace

void estimate_households(Building& building, const HouseholdParams& params) {
  if (building.floors <= 0) {
    building.floors_estimated = true;
    if (building.height_m > 0.0 && params.storey_height_m > 0.0)
      building.floors = std::max(1, int(std::lround(building.height_m / params.storey_height_m)));
    else
      building.floors = house_like(building) ? params.default_floors_house : params.default_floors;
  }
  if (building.households > 0 && !building.households_estimated) return;  // given by the source
  building.households_estimated = true;
  building.households_source = HouseholdSource::estimate;
  if (!may_hold_households(building.use)) {
    building.households = 0;
    return;
  }
  const double footprint = area(building.footprint);
  if (footprint < params.min_dwelling_footprint_m2 || params.dwelling_gross_m2 <= 0.0) {
    building.households = 0;
    return;
  }
  const double share =
      building.use == BuildingUse::mixed ? params.mixed_share : params.residential_share;
  const double floor_area = footprint * building.floors * share;
  building.households = std::max(1, int(std::lround(floor_area / params.dwelling_gross_m2)));
}

bool households_absurd(const Building& building, const HouseholdParams& params) {
  if (building.households < 0) return true;
  if (building.households == 0) return false;
  const double floor_area = area(building.footprint) * std::max(1, building.floors);
  return building.households > std::max(2.0, floor_area / 100.0 * params.max_households_per_100m2);
}

}  // namespace gp
