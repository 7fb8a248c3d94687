#pragma once
// Private to planner/io (includes GDAL headers; never include it from a public header).
// Small helpers over the GDAL C++ API: collecting GDAL errors instead of printing them,
// opening a vector dataset with a clear gp::InputError, and CRS helpers.

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace gp::io::detail {

/// Collects GDAL errors and warnings raised on this thread while alive (GDAL's handler stack is
/// per thread). The handler only records: it never throws into GDAL's C code.
class GdalErrorCollector {
 public:
  struct Message {
    CPLErr level = CE_None;
    int code = 0;
    std::string text;
  };

  GdalErrorCollector();
  ~GdalErrorCollector();
  GdalErrorCollector(const GdalErrorCollector&) = delete;
  GdalErrorCollector& operator=(const GdalErrorCollector&) = delete;

  /// Messages since the last take() (at most kMaxKept; `dropped()` counts the rest).
  std::vector<Message> take();
  [[nodiscard]] std::size_t failures() const { return failures_; }
  [[nodiscard]] std::size_t dropped() const { return dropped_; }
  /// The first failure's text since construction, or "".
  [[nodiscard]] const std::string& first_failure() const { return first_failure_; }
  /// The most recent failure's text, or "".
  [[nodiscard]] const std::string& last_failure() const { return last_failure_; }
  /// Joins the failure messages since the last take() into one line (for exception texts).
  std::string failure_text();

 private:
  static void CPL_STDCALL handle(CPLErr level, CPLErrorNum code, const char* text);
  static constexpr std::size_t kMaxKept = 200;
  std::vector<Message> messages_;
  std::size_t failures_ = 0;
  std::size_t dropped_ = 0;
  std::string first_failure_;
  std::string last_failure_;
};

struct SrsDeleter {
  void operator()(OGRSpatialReference* srs) const {
    if (srs) srs->Release();
  }
};
using SrsPtr = std::unique_ptr<OGRSpatialReference, SrsDeleter>;

struct TransformDeleter {
  void operator()(OGRCoordinateTransformation* ct) const {
    OGRCoordinateTransformation::DestroyCT(ct);
  }
};
using TransformPtr = std::unique_ptr<OGRCoordinateTransformation, TransformDeleter>;

/// A CRS from user input ("EPSG:4326", WKT, PROJ string) with traditional GIS axis order
/// (x = easting/longitude). Throws gp::ConfigError naming `what` when it cannot be parsed.
SrsPtr srs_from_user_input(const std::string& text, const char* what);

/// A copy of a layer's CRS with traditional GIS axis order (the order OGR returns data in).
SrsPtr srs_clone(const OGRSpatialReference& srs);

/// EPSG code of a CRS (0 when it has none).
int srs_epsg(const OGRSpatialReference& srs);
/// The CRS's name, e.g. "WGS 84" or "CGCS2000 / 3-degree Gauss-Kruger CM 120E".
std::string srs_name(const OGRSpatialReference& srs);
/// Projected with metre units.
bool srs_is_metric_projected(const OGRSpatialReference& srs);

}  // namespace gp::io::detail
