#pragma once
// Household estimation for buildings that carry no household count (e.g. OpenStreetMap).
//
//   households = round(footprint_m2 × floors × residential_share ÷ dwelling_gross_m2)
//   floors     = building floors, else round(height_m ÷ storey_height_m), else a default by use
//
// Every parameter is overridable from the scenario; defaults and their reasons are below.

#include "planner/core/dataset.hpp"

namespace gp {

struct HouseholdParams {
  /// Gross floor area per dwelling incl. stairs and walls (建筑面积), m². 90 m² sits between old
  /// 6-storey walk-ups (≈ 60–70 m²) and new towers (≈ 100–120 m²).
  double dwelling_gross_m2 = 90.0;
  /// Storey height used to turn a building height into floors, m (GB 50096 typical 2.8–3.0 m).
  double storey_height_m = 3.0;
  /// Share of floor area that is dwellings for purely residential buildings.
  double residential_share = 1.0;
  /// Share for mixed buildings (street-front shops below dwellings).
  double mixed_share = 0.7;
  /// Floors assumed when neither floors nor height is known, for apartment-like buildings.
  int default_floors = 6;
  /// Floors assumed for houses, bungalows and huts when unknown (平房区 are single-storey).
  int default_floors_house = 1;
  /// Footprints smaller than this are not dwellings (sheds, kiosks, stair towers), m².
  double min_dwelling_footprint_m2 = 30.0;
  /// Above this many households per 100 m² of floor area a given count is reported as absurd.
  double max_households_per_100m2 = 5.0;
};

/// Fills floors (if unknown) and households (if not given) for one building and sets the
/// *_estimated flags. Buildings whose use cannot hold households get 0 households.
/// Precondition: footprint in metres.
void estimate_households(Building& building, const HouseholdParams& params);

/// Whether a given household count is implausible for the footprint and floors.
bool households_absurd(const Building& building, const HouseholdParams& params);

}  // namespace gp
