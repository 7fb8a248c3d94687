#pragma once
// Validation, repair and spatial joins of a loaded, projected dataset.
//
// - invalid polygons (buildings, compounds, communities, water, existing grids) are repaired with
//   GEOS MakeValid (structure method, keeping collapsed parts out), only polygonal parts are kept,
//   and each repair is reported ("invalid-geometry-repaired", with GEOS's reason);
// - empty and zero-area features are reported ("empty-geometry", "zero-area");
// - duplicate buildings (same footprint) are reported ("duplicate-building"), and kept;
// - each building is joined to the compound and community that contain its representative point
//   (GEOS PointOnSurface: always inside the footprint, unlike the centroid of an L-shaped block),
//   with the largest overlap deciding when the point is in none or in several (overlapping
//   containers); compounds are joined to communities the same way. A building attribute
//   (compound_ref = Compound::ref, community_ref = Community::code or name) that names an existing
//   feature wins over geometry, and a disagreement is reported;
// - a footprint reaching outside every community (over the edge of the communities, more than
//   zero_area_m2) is clipped to its part inside them and planned, joined and audited by that
//   part ("building-clipped-to-community", warning; households kept);
// - a building outside every community is assigned to the nearest community within
//   ValidationParams::nearest_community_max_m ("building-assigned-to-nearest-community",
//   warning), else left with community == kNone ("building-outside-community", error: a later
//   stage lists it as unplanned);
// - overlapping compounds and communities, compounds crossing a community boundary
//   ("compound-crosses-community") and absurd household counts are reported;
// - when the dataset has no communities, one community is made from the built-up area of the
//   buildings (geo/built_up_area.hpp; without buildings, the envelope of all features expanded
//   by ValidationParams::extent_margin_m), code "000000000000", name
//   "研究范围 (study area)", and an info problem of kind "community-from-extent" says so.
//
// Every problem is `file:layer:fid: message` through Dataset::problems; the problems this adds
// are appended sorted by (kind, file, layer, fid, message), so the output is identical whatever
// the thread count. Nothing is removed from the dataset: a building that cannot be used keeps its
// place with a problem saying why.
//
// What a building footprint looks like afterwards:
// - a valid (multi)polygon — the normal case, possibly repaired; or
// - the ORIGINAL vertices of a footprint that collapsed to nothing on repair (a sliver, all
//   vertices on a line), reported as "empty-geometry" (error). Its area() is about 0; place it by
//   gp::centroid(footprint), which for such shapes is the mean of its vertices — the join already
//   did so. Use footprint_has_area() before area-based geometry work; or
// - no vertices at all ("empty-geometry", error): compound = community = kNone.
//
// Preconditions: coordinates in metres in a projected CRS; Building::source etc. filled in.
// Households are not changed (a building with a collapsed footprint keeps its count).
// Progress is reported from the calling thread; if it throws gp::Cancelled the dataset is left
// partly validated and should be discarded. Throws nothing else for bad features: a GEOS failure
// on one feature becomes a "geometry-operation-failed" error problem.

#include <cstddef>

#include "planner/core/dataset.hpp"
#include "planner/core/households.hpp"
#include "planner/core/progress.hpp"
#include "planner/geo/built_up_area.hpp"

namespace gp::geo {

struct ValidationParams {
  /// Features with less area than this are reported as zero-area (m²). 0.01 m² is a 10 cm
  /// square: nothing real is that small, so it can only be a digitising slip.
  double zero_area_m2 = 0.01;
  /// A building outside every community is given to the nearest one within this distance (m):
  /// far enough to absorb boundary digitising offsets between sources, close enough not to
  /// reach across a street block.
  double nearest_community_max_m = 50.0;
  /// No community given: the built-up area of the buildings is the one community.
  BuiltUpParams built_up;
  /// Margin around the extent of all features when no community is given and there are no
  /// buildings to take a built-up area from (m).
  double extent_margin_m = 50.0;
  /// Overlaps between compounds (and between communities) are reported when larger than both
  /// this area (m²) and this share of the smaller feature: small slivers are digitising noise.
  double overlap_min_m2 = 1.0;
  double overlap_min_share = 0.01;
  /// Coordinates are rounded to this grid (m) to find candidate duplicate footprints, then
  /// confirmed with GEOS equality within this tolerance.
  double duplicate_tolerance_m = 0.01;
};

struct ValidationSummary {
  std::size_t repaired = 0;               // invalid geometries repaired by MakeValid
  std::size_t empty = 0;                  // empty or zero-area features
  std::size_t duplicates = 0;             // duplicate building footprints (copies after the first)
  std::size_t outside_community = 0;      // buildings left in no community (community == kNone)
  std::size_t overlapping_compounds = 0;  // pairs
  std::size_t overlapping_communities = 0;  // pairs
  std::size_t absurd_households = 0;
  bool community_from_extent = false;
  std::size_t assigned_to_nearest_community = 0;  // buildings given to a community within reach
  std::size_t attribute_disagreements = 0;  // compound_ref/community_ref vs geometry, unknown refs
  std::size_t compounds_crossing_communities = 0;  // compounds partly outside their community
  std::size_t clipped_to_communities = 0;          // footprints reaching outside every community
};

/// Code and name of the community made when the dataset has none.
inline constexpr const char* kExtentCommunityCode = "000000000000";
inline constexpr const char* kExtentCommunityName = "研究范围 (study area)";

ValidationSummary validate_and_join(Dataset& dataset, const HouseholdParams& households,
                                    const ValidationParams& params, Progress& progress);
/// Same with default ValidationParams.
ValidationSummary validate_and_join(Dataset& dataset, const HouseholdParams& households,
                                    Progress& progress);

/// Whether a validated footprint has area to do geometry with (false for an empty or collapsed
/// footprint: see above).
bool footprint_has_area(const MultiPolygon& footprint, double zero_area_m2 = 0.01);

}  // namespace gp::geo
