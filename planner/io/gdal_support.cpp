#include "planner/io/gdal_support.hpp"

#include "planner/core/errors.hpp"

namespace gp::io::detail {

GdalErrorCollector::GdalErrorCollector() {
  CPLPushErrorHandlerEx(&GdalErrorCollector::handle, this);
}

GdalErrorCollector::~GdalErrorCollector() {
  CPLPopErrorHandler();
}

void CPL_STDCALL GdalErrorCollector::handle(CPLErr level, CPLErrorNum code, const char* text) {
  auto* self = static_cast<GdalErrorCollector*>(CPLGetErrorHandlerUserData());
  if (self == nullptr || level == CE_Debug || level == CE_None) return;
  try {
    if (level >= CE_Failure) {
      ++self->failures_;
      self->last_failure_ = text ? text : "";
      if (self->first_failure_.empty()) self->first_failure_ = self->last_failure_;
    }
    if (self->messages_.size() >= kMaxKept) {
      ++self->dropped_;
      return;
    }
    self->messages_.push_back({level, code, text ? text : ""});
  } catch (...) {
    // Out of memory while recording a message: nothing sensible to do inside a C callback.
  }
}

std::vector<GdalErrorCollector::Message> GdalErrorCollector::take() {
  std::vector<Message> out;
  out.swap(messages_);
  return out;
}

std::string GdalErrorCollector::failure_text() {
  // A truncated file gives one GDAL error per unreadable feature; quoting them all buries the
  // advice that follows under hundreds of lines, so quote the first few and count the rest.
  constexpr int kQuoted = 3;
  std::string text;
  int failures = 0;
  for (const Message& m : take()) {
    if (m.level < CE_Failure) continue;
    if (++failures > kQuoted) continue;
    if (!text.empty()) text += "; ";
    text += m.text;
  }
  if (failures > kQuoted)
    text += " (and " + std::to_string(failures - kQuoted) + " more GDAL errors like these)";
  return text;
}

SrsPtr srs_from_user_input(const std::string& text, const char* what) {
  SrsPtr srs(new OGRSpatialReference());
  srs->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  if (srs->SetFromUserInput(text.c_str()) != OGRERR_NONE)
    throw ConfigError(std::string(what) + ": cannot understand the coordinate reference system '" +
                      text + "'; give it as EPSG:<code> (e.g. EPSG:4326), WKT or a PROJ string");
  return srs;
}

SrsPtr srs_clone(const OGRSpatialReference& srs) {
  SrsPtr copy(srs.Clone());
  copy->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return copy;
}

int srs_epsg(const OGRSpatialReference& srs) {
  const char* authority = srs.GetAuthorityName(nullptr);
  const char* code = srs.GetAuthorityCode(nullptr);
  if (authority && code && EQUAL(authority, "EPSG")) return std::atoi(code);
  // Some drivers give a CRS that matches an EPSG one without saying so (e.g. a .prj in ESRI
  // WKT): ask PROJ for a confident identification.
  int matches = 0;
  int* confidence = nullptr;
  OGRSpatialReferenceH* found = srs.FindMatches(nullptr, &matches, &confidence);
  int epsg = 0;
  if (found && matches > 0 && confidence[0] >= 90) {
    const auto* best = OGRSpatialReference::FromHandle(found[0]);
    const char* a = best->GetAuthorityName(nullptr);
    const char* c = best->GetAuthorityCode(nullptr);
    if (a && c && EQUAL(a, "EPSG")) epsg = std::atoi(c);
  }
  OSRFreeSRSArray(found);
  CPLFree(confidence);
  return epsg;
}

std::string srs_name(const OGRSpatialReference& srs) {
  const char* name = srs.GetName();
  return name ? name : "";
}

bool srs_is_metric_projected(const OGRSpatialReference& srs) {
  if (!srs.IsProjected()) return false;
  return std::abs(srs.GetLinearUnits(nullptr) - 1.0) < 1e-9;
}

}  // namespace gp::io::detail
