#include "planner/core/dataset.hpp"

namespace gp {

const char* to_string(HouseholdSource source) {
  switch (source) {
    case HouseholdSource::field:
      return "field";
    case HouseholdSource::table:
      return "table";
    case HouseholdSource::point:
      return "point";
    case HouseholdSource::estimate:
      return "estimate";
  }
  return "estimate";
}

const char* to_string(BuildingUse use) {
  switch (use) {
    case BuildingUse::residential:
      return "residential";
    case BuildingUse::mixed:
      return "mixed";
    case BuildingUse::school:
      return "school";
    case BuildingUse::hospital:
      return "hospital";
    case BuildingUse::office:
      return "office";
    case BuildingUse::commercial:
      return "commercial";
    case BuildingUse::industrial:
      return "industrial";
    case BuildingUse::ancillary:
      return "ancillary";
    case BuildingUse::other:
      return "other";
  }
  return "?";
}

bool may_hold_households(BuildingUse use) {
  return use == BuildingUse::residential || use == BuildingUse::mixed;
}

const char* to_string(Management management) {
  switch (management) {
    case Management::unknown:
      return "unknown";
    case Management::property_company:
      return "property_company";
    case Management::committee:
      return "committee";
    case Management::none:
      return "none";
  }
  return "?";
}

const char* to_string(LineKind kind) {
  switch (kind) {
    case LineKind::road:
      return "road";
    case LineKind::river:
      return "river";
    case LineKind::rail:
      return "rail";
  }
  return "?";
}

const char* to_string(StationTier tier) {
  switch (tier) {
    case StationTier::county_centre:
      return "county_centre";
    case StationTier::community_centre:
      return "community_centre";
    case StationTier::compound_station:
      return "compound_station";
  }
  return "?";
}

const FootprintSettling* Dataset::settled_footprints() const {
  if (!settled || settled->community.size() != buildings.size() ||
      settled->holder.size() != buildings.size() || !settled->own_parts ||
      settled->own_parts->size() != buildings.size())
    return nullptr;
  for (std::size_t i = 0; i < buildings.size(); ++i)
    if (settled->community[i] != buildings[i].community) return nullptr;
  return settled.get();
}

long long Dataset::total_households() const {
  long long total = 0;
  for (const Building& b : buildings) total += b.households;
  return total;
}

Box Dataset::extent() const {
  Box box;
  for (const Building& b : buildings) box.expand(bounds(b.footprint));
  for (const Community& c : communities) box.expand(bounds(c.footprint));
  for (const Line& l : lines) box.expand(bounds(l.geometry));
  return box;
}

}  // namespace gp
