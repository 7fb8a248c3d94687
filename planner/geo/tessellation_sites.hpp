#pragma once
// Voronoi sites of one community (private to planner/geo; steps 3 and 4 of
// docs/decisions/0003-tessellation.md): each building goes to the street block that holds its
// footprint (the largest overlap when it straddles one) with one site inside it; a building
// whose footprint does not fit in its site's Voronoi cell gets sites along its outline instead,
// and its outline joins the linework (OutlineLocator then gives it the pieces inside it).

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "planner/geo/own_footprint.hpp"
#include "planner/geo/tessellation_blocks.hpp"

namespace gp::geo::detail {

/// The grid the Voronoi sites of a block with two or more of them lie on (metres): 2^-16 m
/// ≈ 15 µm, far below anything drawn and below the 0.1 mm a footprint vertex must be nearer its
/// own site (choose_sites checks on the grid points). Its points are exact doubles at any
/// projected ordinate (2^22 m × 2^16 < 2^53), so the Voronoi diagram can take them as 32-bit
/// integers relative to a block's corner without rounding (voronoi_edges).
constexpr double kSiteGridM = 1.0 / 65536.0;

/// The grid point nearest to `p`.
inline Point on_site_grid(const Point& p) {
  return {std::round(p.x / kSiteGridM) * kSiteGridM, std::round(p.y / kSiteGridM) * kSiteGridM};
}

/// A Voronoi generator: a point standing for (part of) a building, local building index.
struct Site {
  Point p;
  std::int32_t building = kNone;
};

/// Nearest site of one block, to tell which building a piece of the arrangement belongs to.
class SiteLocator {
 public:
  explicit SiteLocator(const std::vector<Site>& sites) : sites_(sites) {
    if (sites.size() > kBruteForceMax) {
      std::vector<Box> boxes;
      boxes.reserve(sites.size());
      for (const Site& s : sites) boxes.push_back({s.p.x, s.p.y, s.p.x, s.p.y});
      index_ = BoxIndex(boxes);
    }
  }

  /// Local building index of the site nearest to `point` (ties: lower building index).
  [[nodiscard]] std::int32_t nearest_building(const Point& point) const {
    if (sites_.size() <= kBruteForceMax) {
      std::int32_t best = kNone;
      double best_d2 = INFINITY;
      for (const Site& s : sites_) {
        const double d2 =
            (s.p.x - point.x) * (s.p.x - point.x) + (s.p.y - point.y) * (s.p.y - point.y);
        if (d2 < best_d2 || (d2 == best_d2 && s.building < best)) {
          best_d2 = d2;
          best = s.building;
        }
      }
      return best;
    }
    const std::vector<std::int32_t> hits = index_.nearest(point, 1);
    return hits.empty() ? kNone : sites_[std::size_t(hits.front())].building;
  }

  /// True when the site nearest to `point` belongs to `building` and every other building's
  /// site is farther by more than `margin_m` (metres). Precondition: `building` has one site.
  [[nodiscard]] bool owned_with_margin(const Point& point, std::int32_t building,
                                       double margin_m) const {
    double own = INFINITY;
    double other = INFINITY;
    auto visit = [&](const Site& s) {
      const double d = std::hypot(s.p.x - point.x, s.p.y - point.y);
      if (s.building == building)
        own = std::min(own, d);
      else
        other = std::min(other, d);
    };
    if (sites_.size() <= kBruteForceMax) {
      for (const Site& s : sites_) visit(s);
    } else {
      // The building's own single site and the nearest other one are among the two nearest
      // whenever the building owns the point; otherwise `other` < `own` anyway.
      for (std::int32_t hit : index_.nearest(point, 2)) visit(sites_[std::size_t(hit)]);
    }
    return other - own > margin_m;
  }

 private:
  static constexpr std::size_t kBruteForceMax = 24;
  const std::vector<Site>& sites_;
  BoxIndex index_;
};

/// Part of a footprint in a street block other than the building's own, across a soft road
/// (a lane under the building); see soft_spans in the .cpp.
struct Span {
  std::int32_t block = kNone;
  Point inside;  // a point strictly inside footprint ∩ block
};

/// Which block a building belongs to and its Voronoi site there.
struct Placement {
  std::int32_t block = kNone;
  Point site;
  bool covered = false;          // the block covers the whole footprint
  std::vector<Span> spans = {};  // the other blocks of its hard face holding part of the footprint

  /// True when the building's outline claims the pieces of `b` inside its footprint.
  [[nodiscard]] bool claims_block(std::int32_t b) const {
    if (b == block) return true;
    for (const Span& s : spans)
      if (s.block == b) return true;
    return false;
  }
};

/// Voronoi sites along a footprint's outline (every ring), for a building whose footprint does
/// not fit in the Voronoi cell of one site: its vertices and points between them at most
/// params.outline_site_spacing_m apart (farther on long outlines, so that one gets about
/// params.outline_sites_max of them), each at least half that spacing from the site before it
/// on its ring; on the site grid (on_site_grid), appended to `out` with `building`.
void outline_sites(const MultiPolygon& footprint, const TessellationParams& params,
                   std::int32_t building, std::vector<Site>& out);

/// A site this near another footprint's outline (metres) lies on a wall the two share (or on one
/// drawn against it): the land on both sides is footprint, whose pieces the outlines own, so the
/// site shapes no land and only adds Voronoi edges.
constexpr double kSharedWallM = 0.01;

/// Drops the sites sites[from..] (one building's, from outline_sites) that lie within
/// kSharedWallM of another footprint of the block — `members` (local building indices), whose
/// boxes `footprint_boxes` indexes by position in `members`, `footprint_of` giving each one's
/// footprint — keeping the first when it would drop them all. In a terrace or a city block most of
/// an outline is walls shared with neighbours (round 19: a sixth of real-100000's sites had another
/// building's site within 5 cm). Every site kept lies on the building's outline, so its Voronoi
/// cell still meets the footprint and the building's cell stays one piece. `near` is scratch.
void drop_sites_on_other_outlines(
    std::vector<Site>& sites, std::size_t from, const std::vector<std::int32_t>& members,
    const BoxIndex& footprint_boxes,
    const std::function<const MultiPolygon&(std::int32_t)>& footprint_of,
    std::vector<std::int32_t>& near);

/// Whether the interiors of two footprints meet (GEOS relate pattern "T********"), where cheap
/// exact tests settle it: 1 they meet, 0 they do not, −1 not settled (touching boundaries: ask
/// GEOS). Settled: boxes that overlap in no area (0); two edges crossing properly, each one's
/// ends on opposite sides of the other's line beyond rounding (1: near the crossing one quadrant
/// lies in both interiors); a vertex of one strictly inside the other, more than
/// kFootprintsApartM from its boundary (1); boundaries everywhere more than kFootprintsApartM
/// apart and no vertex of one inside the other (0). Footprints must be valid polygons.
int footprint_interiors_meet(const MultiPolygon& a, const MultiPolygon& b);

/// Distance (metres) beyond which footprint_interiors_meet trusts its point-in-polygon and
/// distance tests: 1 µm, far above their rounding (~1e-9 m at Gauss-Krüger ordinates of 3.5e6 m).
constexpr double kFootprintsApartM = 1e-6;

/// "building 12 (name)" for messages.
std::string describe_building(const Building& building);

/// Which of two overlapping footprints keeps their shared area: the smaller (m²), then the lower
/// local index (local indices ascend with dataset indices). One rule with the buildings layer
/// and the audit (own_footprints).
inline bool footprint_precedes(const MultiPolygon& a, std::int32_t ia, const MultiPolygon& b,
                               std::int32_t ib) {
  return footprint_keeps_overlap(a, std::size_t(ia), b, std::size_t(ib));
}

/// The outlined buildings (see choose_block_sites) whose footprint holds a point: a piece of the
/// arrangement inside an outlined footprint belongs to that building whatever its nearest site,
/// in its own block and in the blocks its footprint spans across a soft road (Placement::spans).
class OutlineLocator {
 public:
  OutlineLocator(const Dataset& dataset, const CommunityJob& job, const std::vector<char>& outlined,
                 const std::vector<Placement>& placements)
      : dataset_(dataset), job_(job), placements_(placements) {
    std::vector<Box> boxes(outlined.size());  // empty (not indexed) unless outlined
    for (std::size_t i = 0; i < outlined.size(); ++i)
      if (outlined[i] != 0) boxes[i] = bounds(footprint(std::int32_t(i)));
    index_ = BoxIndex(boxes);
  }

  /// Boxes of the outlined footprints (payload: local building index).
  [[nodiscard]] const BoxIndex& boxes() const { return index_; }

  /// The outlined building of `block` whose footprint contains `point`, else kNone; of
  /// overlapping footprints the smallest (then the lowest index) keeps the shared area, so a
  /// footprint nested inside another's still has a cell. `point` is a piece's interior point,
  /// never on an outline (outlines are edges of the arrangement).
  [[nodiscard]] std::int32_t building_containing(std::int32_t block, const Point& point) const {
    return building_containing(block, point, hits_);
  }
  /// Same, with the caller's scratch vector: safe to call from several threads at once.
  [[nodiscard]] std::int32_t building_containing(std::int32_t block, const Point& point,
                                                 std::vector<std::int32_t>& hits) const {
    if (index_.size() == 0) return kNone;
    index_.intersecting(Box{point.x, point.y, point.x, point.y}, hits);
    std::int32_t best = kNone;
    for (const std::int32_t i : hits) {  // ascending
      if (!placements_[std::size_t(i)].claims_block(block)) continue;
      if (best != kNone && !footprint_precedes(footprint(i), i, footprint(best), best)) continue;
      for (const Polygon& polygon : footprint(i))
        if (in_polygon(polygon, point)) {
          best = i;
          break;
        }
    }
    return best;
  }

 private:
  [[nodiscard]] const MultiPolygon& footprint(std::int32_t local) const {
    return dataset_.buildings[std::size_t(job_.buildings[std::size_t(local)])].footprint;
  }
  const Dataset& dataset_;
  const CommunityJob& job_;
  const std::vector<Placement>& placements_;
  BoxIndex index_;
  mutable std::vector<std::int32_t> hits_;  // reused by queries (one community per thread)
};

/// Step 3: each building to a block, with its Voronoi site (`block_sites`, per block) and its
/// placement; sets out.block and out.face. `own` (per local building; null or empty: none) is
/// each building's own part (own_footprint.hpp): a building under smaller footprints is placed
/// by it, its land, where its representative point lies (see place_building in the .cpp).
/// `report` takes the community's fraction done.
void place_buildings(GeosContext& ctx, const Dataset& dataset, const CommunityJob& job,
                     const std::vector<const MultiPolygon*>& own, const CommunityBlocks& blocks,
                     CommunityCells& out, std::vector<std::vector<Site>>& block_sites,
                     std::vector<Placement>& placements, const std::function<void(double)>& report);

/// Step 4 (sites): the final sites of each block holding two or more buildings, and which
/// buildings are outlined (per local building; see choose_block_sites in the .cpp).
std::vector<char> choose_sites(const Dataset& dataset, const CommunityJob& job,
                               const std::vector<Placement>& placements,
                               const TessellationParams& params, const CommunityBlocks& blocks,
                               std::vector<std::vector<Site>>& block_sites,
                               ProblemReporter& problems,
                               const std::function<void(double)>& report);

}  // namespace gp::geo::detail
