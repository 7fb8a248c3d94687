// OGR geometry → the loader's geometry (Point, LineString, MultiPolygon), coordinates still in
// the layer's CRS: curves linearised, collapsed parts dropped and counted, NaN and absurd
// coordinates refused; and what a role's layer may declare.

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "planner/core/errors.hpp"
#include "planner/core/road_classes.hpp"
#include "planner/io/crs.hpp"
#include "planner/io/gdal_support.hpp"
#include "planner/io/load_internal.hpp"
#include "planner/io/osm_tags.hpp"

namespace gp::io::loader {

const char* kind_of(GeomIssue issue) {
  switch (issue) {
    case GeomIssue::none:
      return "ok";
    case GeomIssue::null_geometry:
      return "null-geometry";
    case GeomIssue::empty_geometry:
      return "empty-input-geometry";
    case GeomIssue::wrong_type:
      return "wrong-geometry-type";
    case GeomIssue::nan_coordinates:
      return "nan-coordinates";
    case GeomIssue::degenerate:
      return "degenerate-geometry";
  }
  return "?";
}

const char* describe(GeomIssue issue) {
  switch (issue) {
    case GeomIssue::none:
      return "";
    case GeomIssue::null_geometry:
      return "feature has no geometry";
    case GeomIssue::empty_geometry:
      return "feature has an empty geometry";
    case GeomIssue::wrong_type:
      return "geometry type does not fit the layer's role";
    case GeomIssue::nan_coordinates:
      return "geometry has NaN, infinite or absurd (beyond ±1e9) coordinates";
    case GeomIssue::degenerate:
      return "geometry collapses (rings with fewer than 4 points or lines with fewer than 2)";
  }
  return "";
}

namespace {

/// Beyond this no CRS has coordinates (the Earth is 4e7 m round; degrees stop at 360): a value
/// this large is corrupt and would give a community of absurd extent and overflowing areas.
constexpr double kMaxAbsCoordinate = 1e9;

/// Copies a curve's vertices (x, y only); false when a coordinate is not finite or absurd.
bool copy_points(const OGRSimpleCurve& curve, std::vector<Point>& out) {
  const int n = curve.getNumPoints();
  out.resize(static_cast<std::size_t>(n));
  if (n == 0) return true;
  // Point is two packed doubles, so GDAL can write x and y straight into it with a stride.
  static_assert(sizeof(Point) == 2 * sizeof(double));
  curve.getPoints(&out[0].x, sizeof(Point), &out[0].y, sizeof(Point));
  for (const Point& p : out)
    if (!(std::abs(p.x) <= kMaxAbsCoordinate) || !(std::abs(p.y) <= kMaxAbsCoordinate))
      return false;
  return true;
}

GeomIssue append_polygon(const OGRPolygon& polygon, MultiPolygon& out, int& dropped_parts) {
  const OGRLinearRing* exterior = polygon.getExteriorRing();
  if (exterior == nullptr || exterior->IsEmpty()) return GeomIssue::none;
  Polygon part;
  if (!copy_points(*exterior, part.outer)) return GeomIssue::nan_coordinates;
  if (part.outer.size() >= 3 && !(part.outer.front() == part.outer.back()))
    part.outer.push_back(part.outer.front());
  if (part.outer.size() < 4) {
    ++dropped_parts;
    return GeomIssue::none;
  }
  const int holes = polygon.getNumInteriorRings();
  part.holes.reserve(static_cast<std::size_t>(holes));
  for (int i = 0; i < holes; ++i) {
    Ring hole;
    if (!copy_points(*polygon.getInteriorRing(i), hole)) return GeomIssue::nan_coordinates;
    if (hole.size() >= 3 && !(hole.front() == hole.back())) hole.push_back(hole.front());
    if (hole.size() < 4) {
      ++dropped_parts;
      continue;
    }
    part.holes.push_back(std::move(hole));
  }
  out.push_back(std::move(part));
  return GeomIssue::none;
}

GeomIssue collect_polygons(const OGRGeometry& geometry, MultiPolygon& out, int& dropped_parts) {
  switch (wkbFlatten(geometry.getGeometryType())) {
    case wkbPolygon:
      return append_polygon(*geometry.toPolygon(), out, dropped_parts);
    case wkbMultiPolygon:
    case wkbGeometryCollection: {
      bool any_polygonal = false;
      for (const OGRGeometry* part : *geometry.toGeometryCollection()) {
        const OGRwkbGeometryType t = wkbFlatten(part->getGeometryType());
        if (t != wkbPolygon && t != wkbMultiPolygon && t != wkbGeometryCollection) continue;
        any_polygonal = true;
        const GeomIssue issue = collect_polygons(*part, out, dropped_parts);
        if (issue != GeomIssue::none) return issue;
      }
      return any_polygonal ? GeomIssue::none : GeomIssue::wrong_type;
    }
    default:
      return GeomIssue::wrong_type;
  }
}

}  // namespace

/// Polygonal geometry → MultiPolygon. Curves are linearised; collapsed rings are dropped and
/// counted in `dropped_parts`.
GeomIssue read_polygons(const OGRGeometry* geometry, MultiPolygon& out, int& dropped_parts) {
  out.clear();
  dropped_parts = 0;
  if (geometry == nullptr) return GeomIssue::null_geometry;
  if (geometry->IsEmpty()) return GeomIssue::empty_geometry;
  std::unique_ptr<OGRGeometry> linear;
  if (geometry->hasCurveGeometry()) {
    linear.reset(geometry->getLinearGeometry());
    if (!linear) return GeomIssue::wrong_type;
    geometry = linear.get();
  }
  const GeomIssue issue = collect_polygons(*geometry, out, dropped_parts);
  if (issue != GeomIssue::none) return issue;
  return out.empty() ? GeomIssue::degenerate : GeomIssue::none;
}

namespace {

GeomIssue collect_lines(const OGRGeometry& geometry, std::vector<LineString>& out,
                        int& dropped_parts) {
  switch (wkbFlatten(geometry.getGeometryType())) {
    case wkbLineString:
    case wkbLinearRing: {
      LineString line;
      if (!copy_points(*geometry.toSimpleCurve(), line)) return GeomIssue::nan_coordinates;
      if (line.size() < 2)
        ++dropped_parts;
      else
        out.push_back(std::move(line));
      return GeomIssue::none;
    }
    case wkbMultiLineString:
    case wkbGeometryCollection: {
      bool any_linear = false;
      for (const OGRGeometry* part : *geometry.toGeometryCollection()) {
        const OGRwkbGeometryType t = wkbFlatten(part->getGeometryType());
        if (t != wkbLineString && t != wkbMultiLineString && t != wkbGeometryCollection) continue;
        any_linear = true;
        const GeomIssue issue = collect_lines(*part, out, dropped_parts);
        if (issue != GeomIssue::none) return issue;
      }
      return any_linear ? GeomIssue::none : GeomIssue::wrong_type;
    }
    default:
      return GeomIssue::wrong_type;
  }
}

}  // namespace

/// Linear geometry → one LineString per part.
GeomIssue read_lines(const OGRGeometry* geometry, std::vector<LineString>& out,
                     int& dropped_parts) {
  out.clear();
  dropped_parts = 0;
  if (geometry == nullptr) return GeomIssue::null_geometry;
  if (geometry->IsEmpty()) return GeomIssue::empty_geometry;
  std::unique_ptr<OGRGeometry> linear;
  if (geometry->hasCurveGeometry()) {
    linear.reset(geometry->getLinearGeometry());
    if (!linear) return GeomIssue::wrong_type;
    geometry = linear.get();
  }
  const GeomIssue issue = collect_lines(*geometry, out, dropped_parts);
  if (issue != GeomIssue::none) return issue;
  return out.empty() ? GeomIssue::degenerate : GeomIssue::none;
}

/// Point geometry → Point; a polygon or several points give their centroid (`from_centroid`).
GeomIssue read_point(const OGRGeometry* geometry, Point& out, bool& from_centroid) {
  from_centroid = false;
  if (geometry == nullptr) return GeomIssue::null_geometry;
  if (geometry->IsEmpty()) return GeomIssue::empty_geometry;
  const OGRwkbGeometryType t = wkbFlatten(geometry->getGeometryType());
  OGRPoint point;
  if (t == wkbPoint) {
    point = *geometry->toPoint();
  } else if (t == wkbMultiPoint && geometry->toMultiPoint()->getNumGeometries() == 1) {
    point = *geometry->toMultiPoint()->getGeometryRef(0);
  } else if (t == wkbMultiPoint || t == wkbPolygon || t == wkbMultiPolygon) {
    if (geometry->Centroid(&point) != OGRERR_NONE) return GeomIssue::degenerate;
    from_centroid = true;
  } else {
    return GeomIssue::wrong_type;
  }
  out = {point.getX(), point.getY()};
  if (!std::isfinite(out.x) || !std::isfinite(out.y)) return GeomIssue::nan_coordinates;
  return GeomIssue::none;
}

namespace {

enum class GeometryFamily { polygon, line, point };

GeometryFamily family_of(LayerRole role) {
  switch (role) {
    case LayerRole::roads:
    case LayerRole::rivers:
    case LayerRole::rail:
    case LayerRole::walkways:
      return GeometryFamily::line;
    case LayerRole::stations:
      return GeometryFamily::point;
    default:
      return GeometryFamily::polygon;
  }
}

}  // namespace

/// Whether a layer's declared geometry type can hold features of this role (unknown and
/// collection types are checked per feature).
bool declared_type_fits(OGRwkbGeometryType declared, LayerRole role) {
  const OGRwkbGeometryType flat = wkbFlatten(declared);
  if (flat == wkbUnknown || flat == wkbGeometryCollection || flat == wkbNone) return true;
  // Building points (楼栋 points) are planned as small squares
  // (LoadOptions::point_building_side_m).
  if (role == LayerRole::buildings && (flat == wkbPoint || flat == wkbMultiPoint)) return true;
  switch (family_of(role)) {
    case GeometryFamily::polygon:
      return flat == wkbPolygon || flat == wkbMultiPolygon || flat == wkbCurvePolygon ||
             flat == wkbMultiSurface;
    case GeometryFamily::line:
      return flat == wkbLineString || flat == wkbMultiLineString || flat == wkbCircularString ||
             flat == wkbCompoundCurve || flat == wkbMultiCurve;
    case GeometryFamily::point:
      return flat == wkbPoint || flat == wkbMultiPoint || flat == wkbPolygon ||
             flat == wkbMultiPolygon;
  }
  return true;
}

const char* family_name(LayerRole role) {
  switch (family_of(role)) {
    case GeometryFamily::polygon:
      return "polygons";
    case GeometryFamily::line:
      return "lines";
    case GeometryFamily::point:
      return "points";
  }
  return "?";
}

void Loader::skip(const Location& where, GeomIssue issue, LayerReport& report, const char* what) {
  ++report.skipped;
  result_.dataset.problems.report(Severity::warning, kind_of(issue), where,
                                  std::string(describe(issue)) + "; " + what + " not loaded");
}

void Loader::note_dropped_parts(const Location& where, int dropped_parts) {
  if (dropped_parts > 0)
    result_.dataset.problems.report(
        Severity::info, "degenerate-part-dropped", where,
        std::to_string(dropped_parts) +
            " collapsed ring(s) or line part(s) with too few points left out");
}

}  // namespace gp::io::loader
