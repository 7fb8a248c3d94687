#pragma once
// Validation, repair and spatial joins of a loaded, projected dataset.
//
// - invalid polygons are repaired with GEOS MakeValid (structure method, keeping collapsed
//   parts out) and counted; empty and zero-area features are reported;
// - duplicate buildings (same footprint) are reported, and kept (never silently dropped);
// - each building is joined to the compound and community that contain its centroid
//   (largest overlap when the centroid is outside every one), compounds to communities;
// - buildings outside every community, overlapping compounds and communities, and absurd
//   household counts are reported;
// - when the dataset has no communities, one community is made from the extent of all features
//   and a problem of kind "community-from-extent" says so.
//
// Every problem is `file:layer:fid: message` through Dataset::problems. Nothing is removed from
// the dataset: a building that cannot be used keeps its place with a problem saying why.

#include "planner/core/dataset.hpp"
#include "planner/core/households.hpp"
#include "planner/core/progress.hpp"

namespace gp::geo {

struct ValidationSummary {
  std::size_t repaired = 0;           // invalid geometries repaired by MakeValid
  std::size_t empty = 0;              // empty or zero-area features
  std::size_t duplicates = 0;         // duplicate building footprints
  std::size_t outside_community = 0;  // buildings in no community
  std::size_t overlapping_compounds = 0;
  std::size_t overlapping_communities = 0;
  std::size_t absurd_households = 0;
  bool community_from_extent = false;
};

ValidationSummary validate_and_join(Dataset& dataset, const HouseholdParams& households,
                                    Progress& progress);

}  // namespace gp::geo
