// Staging and reprojection: features are read in their layer's CRS and projected together,
// in batches, to one working CRS in metres — given (--target-crs), kept from a projected
// input, or chosen (UTM / Gauss-Kruger by where the data is) — with the GCJ-02 correction where
// asked; features whose coordinates fail to project are reported and removed.

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

Sizes sizes_of(const Dataset& d) {
  return {d.buildings.size(), d.compounds.size(), d.communities.size(),   d.lines.size(),
          d.water.size(),     d.stations.size(),  d.existing_grids.size()};
}

void sample(StagedLayer& stage, const Point& p) {
  stage.sum_x += p.x;
  stage.sum_y += p.y;
  stage.extent.expand(p);
  ++stage.samples;
}

namespace {

/// Calls visit(Point*, count) for every coordinate array of the features in [begin, end).
template <class Visit>
void for_each_coordinate_array(Dataset& d, const Sizes& begin, const Sizes& end, Visit&& visit) {
  auto polygons = [&visit](MultiPolygon& mp) {
    for (Polygon& p : mp) {
      visit(p.outer.data(), p.outer.size());
      for (Ring& h : p.holes) visit(h.data(), h.size());
    }
  };
  for (std::size_t i = begin[kBuildings]; i < end[kBuildings]; ++i)
    polygons(d.buildings[i].footprint);
  for (std::size_t i = begin[kCompounds]; i < end[kCompounds]; ++i)
    polygons(d.compounds[i].footprint);
  for (std::size_t i = begin[kCommunities]; i < end[kCommunities]; ++i)
    polygons(d.communities[i].footprint);
  for (std::size_t i = begin[kLines]; i < end[kLines]; ++i)
    visit(d.lines[i].geometry.data(), d.lines[i].geometry.size());
  for (std::size_t i = begin[kWater]; i < end[kWater]; ++i) polygons(d.water[i].footprint);
  for (std::size_t i = begin[kStations]; i < end[kStations]; ++i) visit(&d.stations[i].location, 1);
  for (std::size_t i = begin[kGrids]; i < end[kGrids]; ++i) polygons(d.existing_grids[i].footprint);
}

/// Transforms many small coordinate arrays by gathering them into large x/y buffers, so PROJ is
/// called once per ~64k points instead of once per ring. Optionally applies the GCJ-02 → WGS84
/// correction between a "to WGS84" and a "WGS84 → target" step. Failed points become NaN.
class BatchTransformer {
 public:
  BatchTransformer(OGRCoordinateTransformation* first, bool gcj02,
                   OGRCoordinateTransformation* second)
      : first_(first), second_(second), gcj02_(gcj02) {}

  void add(Point* points, std::size_t count) {
    if (count == 0) return;
    spans_.emplace_back(points, count);
    pending_ += count;
    if (pending_ >= kBatchPoints) flush();
  }

  void flush() {
    if (pending_ == 0) return;
    x_.resize(pending_);
    y_.resize(pending_);
    ok_.assign(pending_, TRUE);
    std::size_t k = 0;
    for (auto [points, count] : spans_)
      for (std::size_t i = 0; i < count; ++i, ++k) {
        x_[k] = points[i].x;
        y_[k] = points[i].y;
      }
    run(first_);
    if (gcj02_) {
      for (std::size_t i = 0; i < pending_; ++i) {
        const LonLat w = gcj02_to_wgs84({x_[i], y_[i]});
        x_[i] = w.lon;
        y_[i] = w.lat;
      }
    }
    run(second_);
    k = 0;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (auto [points, count] : spans_)
      for (std::size_t i = 0; i < count; ++i, ++k) {
        const bool good = ok_[k] && std::isfinite(x_[k]) && std::isfinite(y_[k]);
        points[i] = good ? Point{x_[k], y_[k]} : Point{nan, nan};
        failed_ += good ? 0 : 1;
      }
    spans_.clear();
    pending_ = 0;
  }

  [[nodiscard]] std::size_t failed() const { return failed_; }

 private:
  void run(OGRCoordinateTransformation* transform) {
    if (transform == nullptr) return;
    std::vector<int> step_ok(pending_, TRUE);
    transform->Transform(static_cast<int>(pending_), x_.data(), y_.data(), nullptr, step_ok.data());
    for (std::size_t i = 0; i < pending_; ++i) ok_[i] = ok_[i] && step_ok[i];
  }

  static constexpr std::size_t kBatchPoints = 1 << 16;
  OGRCoordinateTransformation* first_;
  OGRCoordinateTransformation* second_;
  bool gcj02_;
  std::vector<std::pair<Point*, std::size_t>> spans_;
  std::size_t pending_ = 0;
  std::vector<double> x_, y_;
  std::vector<int> ok_;
  std::size_t failed_ = 0;
};

bool has_nan(const MultiPolygon& mp) {
  for (const Polygon& p : mp)
    for (const Point& q : p.outer)
      if (std::isnan(q.x)) return true;
  for (const Polygon& p : mp)
    for (const Ring& h : p.holes)
      for (const Point& q : h)
        if (std::isnan(q.x)) return true;
  return false;
}

bool has_nan(const LineString& line) {
  return std::any_of(line.begin(), line.end(), [](const Point& p) { return std::isnan(p.x); });
}

/// Largest relative length error of a projected CRS in metres over `extent` (its coordinates):
/// the projected length of 100 m steps east and north, at the corners, edge midpoints and centre
/// of the extent, against their length on the ellipsoid. 0 when nothing can be measured.
double scale_error(const OGRSpatialReference& srs, const Box& extent) {
  SrsPtr wgs84(new OGRSpatialReference());
  wgs84->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  wgs84->importFromEPSG(4326);
  TransformPtr to_wgs84(OGRCreateCoordinateTransformation(&srs, wgs84.get()));
  if (!to_wgs84 || !(extent.min_x <= extent.max_x)) return 0.0;
  constexpr double kStep = 100.0;  // m in the CRS
  double worst = 0.0;
  for (const double fx : {0.0, 0.5, 1.0})
    for (const double fy : {0.0, 0.5, 1.0}) {
      const double x = extent.min_x + fx * (extent.max_x - extent.min_x);
      const double y = extent.min_y + fy * (extent.max_y - extent.min_y);
      double xs[3] = {x, x + kStep, x};
      double ys[3] = {y, y, y + kStep};
      int ok[3] = {FALSE, FALSE, FALSE};
      if (!to_wgs84->Transform(3, xs, ys, nullptr, ok) || !ok[0] || !ok[1] || !ok[2]) continue;
      for (const int k : {1, 2}) {
        const double true_m = short_ellipsoid_distance_m({xs[0], ys[0]}, {xs[k], ys[k]});
        if (true_m > 0.0) worst = std::max(worst, std::abs(kStep / true_m - 1.0));
      }
    }
  return worst;
}

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g %%", 100.0 * fraction);
  return text;
}

}  // namespace

SrsPtr Loader::layer_srs(OGRLayer& layer, const std::string& path) {
  if (const OGRSpatialReference* srs = layer.GetSpatialRef()) return detail::srs_clone(*srs);
  if (!options_.assume_crs.empty()) return detail::srs_clone(*assumed_);
  throw InputError(path + ": layer '" + layer.GetName() +
                   "' has no coordinate reference system (a Shapefile without .prj?). Pass "
                   "--assume-crs with the CRS its coordinates are in, e.g. --assume-crs EPSG:4326 "
                   "for longitude/latitude or EPSG:4549 for CGCS2000 Gauss-Kruger CM 120E");
}

void Loader::choose_target_crs() {
  Dataset& d = result_.dataset;
  if (!options_.target_crs.empty()) {
    target_ = detail::srs_from_user_input(options_.target_crs, "--target-crs");
    if (!detail::srs_is_metric_projected(*target_))
      throw ConfigError("--target-crs '" + options_.target_crs +
                        "' is not a projected CRS in metres; GridPlanner computes in metres");
    result_.crs_reason = "given by option";
  } else {
    // Keep a projected metric input CRS (buildings' first) unless GCJ-02 input must be shifted.
    const StagedLayer* kept = nullptr;
    for (const StagedLayer& s : staged_)
      if (!options_.gcj02 && s.samples > 0 && detail::srs_is_metric_projected(*s.srs) &&
          (kept == nullptr || (kept->begin[kBuildings] == kept->end[kBuildings] &&
                               s.begin[kBuildings] != s.end[kBuildings])))
        kept = &s;
    // A projected CRS whose metres are not metres over the data (Web Mercator: × 1.18 in length
    // at 32°N; a zone far from the data) would scale every area, household estimate and walking
    // distance: such data is reprojected to the local zone.
    std::string rejected;
    if (kept != nullptr) {
      const double error = scale_error(*kept->srs, kept->extent);
      if (error > kMaxScaleError) {
        rejected = "the projected CRS of " + kept->label + " (" + detail::srs_name(*kept->srs) +
                   ") is off by up to " + percent(error) + " in length over the data (more than " +
                   percent(kMaxScaleError) + "), so the data is reprojected; ";
        kept = nullptr;
      }
    }
    if (kept != nullptr) {
      target_ = detail::srs_clone(*kept->srs);
      result_.crs_reason = "kept the projected CRS of " + kept->label;
    } else {
      // Centre of the data in longitude/latitude: sample means per layer, weighted by count.
      SrsPtr wgs84(new OGRSpatialReference());
      wgs84->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
      wgs84->importFromEPSG(4326);
      double lon = 0.0, lat = 0.0;
      std::size_t weight = 0;
      for (const StagedLayer& s : staged_) {
        if (s.samples == 0) continue;
        double x = s.sum_x / s.samples, y = s.sum_y / s.samples;
        TransformPtr to_wgs84(OGRCreateCoordinateTransformation(s.srs.get(), wgs84.get()));
        if (!to_wgs84 || !to_wgs84->Transform(1, &x, &y)) continue;
        lon += x * s.samples;
        lat += y * s.samples;
        weight += s.samples;
      }
      if (weight == 0) {
        result_.crs_reason = "no features: nothing to project";
        return;
      }
      const LonLat centre{lon / weight, lat / weight};
      const ProjectionChoice choice = choose_projection(centre);
      target_.reset(new OGRSpatialReference());
      target_->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
      if (target_->importFromEPSG(choice.epsg) != OGRERR_NONE)
        throw ConfigError("cannot set up EPSG:" + std::to_string(choice.epsg) +
                          " (is the PROJ database installed?)");
      result_.crs_reason = rejected + "automatic: " + choice.reason;
      if (!rejected.empty())
        d.problems.report(Severity::info, "crs-reprojected", {},
                          rejected + "working CRS " + choice.name +
                              " (EPSG:" + std::to_string(choice.epsg) + ")");
      if (options_.gcj02 && !inside_china(centre))
        d.problems.report(Severity::warning, "gcj02-outside-china", {},
                          "--gcj02 was given but the data lies outside China, where web maps "
                          "do not use GCJ-02; the correction was applied anyway");
    }
  }
  char* wkt = nullptr;
  const char* wkt_options[] = {"FORMAT=WKT2_2019", nullptr};
  target_->exportToWkt(&wkt, wkt_options);
  d.crs_wkt = wkt ? wkt : "";
  CPLFree(wkt);
  d.crs_name = detail::srs_name(*target_);
  d.crs_epsg = detail::srs_epsg(*target_);
}

void Loader::project() {
  if (!target_) return;
  Dataset& d = result_.dataset;
  SrsPtr wgs84(new OGRSpatialReference());
  wgs84->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  wgs84->importFromEPSG(4326);
  std::size_t failed = 0;
  for (std::size_t i = 0; i < staged_.size(); ++i) {
    const StagedLayer& s = staged_[i];
    progress_.update("projecting", static_cast<double>(i) / staged_.size());
    if (!options_.gcj02 && s.srs->IsSame(target_.get())) continue;
    TransformPtr first(OGRCreateCoordinateTransformation(
        s.srs.get(), options_.gcj02 ? wgs84.get() : target_.get()));
    TransformPtr second(
        options_.gcj02 ? OGRCreateCoordinateTransformation(wgs84.get(), target_.get()) : nullptr);
    if (!first || (options_.gcj02 && !second))
      throw InputError(s.label + ": no coordinate transformation from " + detail::srs_name(*s.srs) +
                       " to " + detail::srs_name(*target_) + ": " + errors_.failure_text());
    BatchTransformer transformer(first.get(), options_.gcj02, second.get());
    for_each_coordinate_array(d, s.begin, s.end,
                              [&transformer](Point* p, std::size_t n) { transformer.add(p, n); });
    transformer.flush();
    failed += transformer.failed();
  }
  errors_.take();  // PROJ's per-point messages are summarised below instead
  if (failed > 0) remove_failed_projections();
  progress_.update("projecting", 1.0);
}

void Loader::remove_failed_projections() {
  // Features with a point PROJ could not transform (outside the CRS's valid area) are listed and
  // removed, never kept with NaN coordinates.
  Dataset& d = result_.dataset;
  auto report = [&d](const Location& where, const char* what) {
    d.problems.report(Severity::error, "projection-failed", where,
                      std::string(what) + " has coordinates that cannot be projected to " +
                          d.crs_name + " (outside the CRS's area?); not loaded");
  };
  auto polygons = [&](auto& items, const char* what) {
    std::erase_if(items, [&](const auto& item) {
      if (!has_nan(item.footprint)) return false;
      report(item.source, what);
      return true;
    });
  };
  polygons(d.buildings, "building");
  polygons(d.compounds, "compound");
  polygons(d.communities, "community");
  polygons(d.water, "water area");
  polygons(d.existing_grids, "grid");
  std::erase_if(d.lines, [&](const Line& l) {
    if (!has_nan(l.geometry)) return false;
    report(l.source, "line");
    return true;
  });
  std::erase_if(d.stations, [&](const Station& s) {
    if (!std::isnan(s.location.x)) return false;
    report(s.source, "station");
    return true;
  });
}

}  // namespace gp::io::loader
