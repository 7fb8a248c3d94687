#pragma once
// RAII over the reentrant GEOS C API. One GeosContext per thread; every handle carries the
// context that made it, so it can be destroyed correctly. GEOS reports errors through a message
// handler: we record the message there (never throw from a C callback) and throw gp::GeosError
// after checking the return value.

#include <geos_c.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "planner/core/geometry.hpp"

namespace gp::geo {

struct GeosError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class GeosContext {
 public:
  GeosContext();
  ~GeosContext();
  GeosContext(const GeosContext&) = delete;
  GeosContext& operator=(const GeosContext&) = delete;

  [[nodiscard]] GEOSContextHandle_t handle() const { return handle_; }
  /// The last error GEOS reported on this context ("" if none), then clears it.
  std::string take_error();
  /// Throws GeosError("<what>: <last GEOS message>").
  [[noreturn]] void fail(const std::string& what);

 private:
  static void on_error(const char* message, void* userdata);
  GEOSContextHandle_t handle_;
  std::string last_error_;
};

struct GeomDeleter {
  GEOSContextHandle_t ctx = nullptr;
  void operator()(GEOSGeometry* g) const {
    if (g) GEOSGeom_destroy_r(ctx, g);
  }
};
using GeomPtr = std::unique_ptr<GEOSGeometry, GeomDeleter>;

struct PreparedDeleter {
  GEOSContextHandle_t ctx = nullptr;
  void operator()(const GEOSPreparedGeometry* g) const {
    if (g) GEOSPreparedGeom_destroy_r(ctx, g);
  }
};
using PreparedPtr = std::unique_ptr<const GEOSPreparedGeometry, PreparedDeleter>;

/// Takes ownership of a GEOS result; throws with the GEOS message when it is null.
GeomPtr own(GeosContext& ctx, GEOSGeometry* geometry, const char* what);

/// Makes `geometry` safe for several threads to read at once (prepare, intersect, test against).
/// GEOS 3.11 computes a geometry's envelope on first use and caches it in the geometry itself
/// (Geometry::getEnvelopeInternal writes a mutable member without synchronisation), and a
/// coordinate sequence its dimension likewise. Two threads reading a geometry whose caches are
/// still empty both write them: one Envelope leaks or is freed while the other reads it, and a
/// predicate can then answer from freed memory. That made the tessellation of one large
/// community differ, rarely, from run to run (a plan with grids across a main road) and made
/// LeakSanitizer report a leak now and then (issue 14, docs/decisions/0011). This fills those
/// caches for `geometry` and every component (a polygon's rings, a collection's members).
/// Precondition: no other thread uses `geometry` during the call (call it on the thread that
/// made it, or in a parallel loop where it is this iteration's own).
void fill_read_caches(GeosContext& ctx, const GEOSGeometry* geometry);

// Conversions between plain gp geometry and GEOS.
GeomPtr to_geos(GeosContext& ctx, const Polygon& polygon);
GeomPtr to_geos(GeosContext& ctx, const MultiPolygon& multipolygon);
GeomPtr to_geos(GeosContext& ctx, const LineString& line);
GeomPtr to_geos(GeosContext& ctx, const Point& point);
/// Polygonal parts of any geometry (collections are searched; lines and points are ignored).
MultiPolygon to_multipolygon(GeosContext& ctx, const GEOSGeometry* geometry);
/// Linear parts of any geometry (polygon rings are not included).
std::vector<LineString> to_lines(GeosContext& ctx, const GEOSGeometry* geometry);

}  // namespace gp::geo
