#pragma once
// Own clip of a polygonal shape by a strip between two parallel lines (issue 14 item 2: the
// per-strip GEOS intersection in the cut of a split tower was two thirds of "planning grids" on
// the real 100k town). docs/decisions/0008-polygon-truth.md "Strips clipped by own code".

#include <cstddef>
#include <optional>
#include <vector>

#include "planner/core/geometry.hpp"

namespace gp::geo {

/// A shape made ready for strip clips: rings oriented (outer counter-clockwise, holes
/// clockwise), closing vertex dropped, every vertex's position along the axis, and the
/// positions along the axis of the places where the shape's rings touch themselves or each
/// other (within kStripClipTolerance): a strip holding one of those is not decided by the own
/// clip (GEOS then splits a pinch into polygons the ring walk would keep as one).
class StripShape {
 public:
  /// `along`: unit vector of the axis the strip lies across. `shape` valid (GEOS sense).
  StripShape(const MultiPolygon& shape, const Point& along);

  /// shape ∩ {p : t0 ≤ p·along ≤ t1} (t0 < t1), polygons with their holes, outer rings
  /// counter-clockwise, holes clockwise, rings closed; an empty list when they do not meet.
  /// Exact up to the rounding of the crossing points (the same formula as area_before), not
  /// snapped. std::nullopt when the own clip cannot decide it: a vertex or a place where rings
  /// touch within kStripClipTolerance of either line, two crossings of one line that close to
  /// each other, or an input that does not walk as a valid shape does (crossings on a line not
  /// alternating entry and exit). The caller then asks GEOS.
  std::optional<MultiPolygon> clip(double t0, double t1) const;

 private:
  struct RingData {
    std::vector<Point> points;  // without the closing vertex
    std::vector<double> t;      // p·along per point
    bool hole = false;
  };
  Point along_{1.0, 0.0};
  std::vector<RingData> rings_;
  std::vector<double> touches_;  // t of places where rings touch (sorted)
};

/// Tolerance (m) of the own strip clip's decisions: far above the rounding of a position along
/// the axis at projected coordinates (~10⁻⁹ m), far below any length that matters.
inline constexpr double kStripClipTolerance = 1e-7;

/// Area (m²) of a polygon, |outer| − Σ|holes|, with coordinates taken about its first vertex
/// (gp::area's shoelace on projected coordinates loses ~10⁻⁴ m², GEOS's does not).
double polygon_area(const Polygon& polygon);

/// Clips the own clip could not decide (GEOS was asked instead), and clips made, since start.
/// Thread-safe.
std::size_t strip_clip_fallbacks();
std::size_t strip_clips_made();
/// Counts one fallback / one clip (the caller of StripShape::clip).
void count_strip_clip(bool fallback);

}  // namespace gp::geo
