#include "planner/geo/validate.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "planner/core/parallel.hpp"
#include "planner/geo/area_cells.hpp"
#include "planner/geo/built_up_area.hpp"
#include "planner/geo/built_up_area_validity.hpp"
#include "planner/geo/geos.hpp"
#include "planner/geo/own_footprint.hpp"
#include "planner/geo/spatial_index.hpp"

namespace gp::geo {

namespace {

// ---------------------------------------------------------------------------------------------
// Formatting helpers for messages (GCC 12 has no <format>).

std::string metres(double value, int decimals = 1) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

/// "file:layer:fid" of another feature, for messages that point at a second feature.
std::string describe(const Location& where) {
  std::string out = where.file;
  if (!where.layer.empty()) out += (out.empty() ? "" : ":") + where.layer;
  if (where.fid) out += (out.empty() ? "fid " : ":") + std::to_string(*where.fid);
  return out.empty() ? "(generated)" : out;
}

std::string quoted_name(const std::string& name) {
  return name.empty() ? std::string() : " '" + name + "'";
}

std::size_t vertex_count(const MultiPolygon& footprint) {
  std::size_t n = 0;
  for (const Polygon& p : footprint) {
    n += p.outer.size();
    for (const Ring& h : p.holes) n += h.size();
  }
  return n;
}

Box expanded(const Box& box, double margin_m) {
  if (box.empty()) return box;
  return {box.min_x - margin_m, box.min_y - margin_m, box.max_x + margin_m, box.max_y + margin_m};
}

// ---------------------------------------------------------------------------------------------
// Per-thread GEOS state. GEOS contexts are not thread-safe and prepared geometries build their
// indexes lazily on first use, so each thread owns its context and its own prepared copies of
// the containers it has touched.

struct MakeValidParamsDeleter {
  GEOSContextHandle_t ctx = nullptr;
  void operator()(GEOSMakeValidParams* p) const {
    if (p) GEOSMakeValidParams_destroy_r(ctx, p);
  }
};

/// Polygons of one container layer (compounds or communities) with their bounds and R-tree, and
/// for the large ones (the built-up area of a town without communities) the cells that answer
/// point and cover tests away from their outlines (area_cells.hpp; empty for the others).
struct ContainerLayer {
  std::vector<const MultiPolygon*> footprints;
  std::vector<Box> boxes;
  std::vector<double> areas_m2;
  BoxIndex index;
  std::vector<AreaCells> cells;

  [[nodiscard]] AreaCells::Where locate(std::int32_t i, const Point& p) const {
    return cells.empty() ? AreaCells::Where::mixed : cells[std::size_t(i)].locate(p);
  }
  [[nodiscard]] AreaCells::Where locate(std::int32_t i, const Box& b) const {
    return cells.empty() ? AreaCells::Where::mixed : cells[std::size_t(i)].locate(b);
  }
};

/// A thread's GEOS copies of a container layer, made on first use.
struct PreparedLayer {
  std::vector<GeomPtr> geometries;
  std::vector<PreparedPtr> prepared;
};

struct Worker {
  GeosContext geos;  // declared first: destroyed after every handle below
  std::unique_ptr<GEOSMakeValidParams, MakeValidParamsDeleter> make_valid;
  PreparedLayer communities;
  PreparedLayer compounds;
  ProblemReporter problems;
  ValidationSummary counts;
  std::vector<std::int32_t> scratch;
  std::vector<std::int32_t> scratch2;

  Worker() {
    GEOSMakeValidParams* p = GEOSMakeValidParams_create_r(geos.handle());
    if (!p) geos.fail("MakeValid parameters");
    make_valid = {p, MakeValidParamsDeleter{geos.handle()}};
    // STRUCTURE treats rings as area boundaries (a bow-tie becomes two triangles, a ring drawn
    // twice stays one area), which matches how planners draw; LINEWORK would keep slivers.
    // Collapsed parts (lines, points) are dropped: a building has no use for them.
    if (GEOSMakeValidParams_setMethod_r(geos.handle(), p, GEOS_MAKE_VALID_STRUCTURE) == 0 ||
        GEOSMakeValidParams_setKeepCollapsed_r(geos.handle(), p, 0) == 0)
      geos.fail("MakeValid parameters");
  }
};

using Workers = PerThread<Worker>;

/// One stage's progress in work units (features checked, footprints grown), reported from the
/// calling thread: the parallel loops below run in blocks and report between them, so the
/// display moves and cancellation is honoured within a stage (on the real 100k-building town
/// "validating areas" was silent for 73 s).
struct StageUnits {
  Progress& progress;
  const char* stage;
  double total = 0.0;
  double done = 0.0;

  void start() { progress.update(stage, 0.0); }
  void add(double units) {
    done += units;
    progress.update(stage, total > 0.0 ? std::min(1.0, done / total) : 1.0);
  }
};

/// `body(lo, hi)` over [0, n) spread over the cores in chunks of `grain`, in about 100 blocks
/// (at least 4 chunks each, so a block keeps the cores busy), reporting each block's size.
template <typename Body>
void for_blocks(std::size_t n, std::size_t grain, StageUnits& units, const Body& body) {
  const std::size_t block = std::max<std::size_t>(4 * grain, n / 100);
  for (std::size_t first = 0; first < n; first += block) {
    const std::size_t last = std::min(n, first + block);
    parallel_for_chunks(first, last, grain, body);
    units.add(double(last - first));
  }
}

const GEOSGeometry* container_geometry(Worker& w, PreparedLayer& cache, const ContainerLayer& layer,
                                       std::int32_t i) {
  if (cache.geometries.size() != layer.footprints.size()) {
    cache.prepared.clear();  // prepared handles refer to the geometries: drop them first
    cache.geometries.clear();
    cache.geometries.resize(layer.footprints.size());
    cache.prepared.resize(layer.footprints.size());
  }
  GeomPtr& g = cache.geometries[std::size_t(i)];
  if (!g) g = to_geos(w.geos, *layer.footprints[std::size_t(i)]);
  return g.get();
}

const GEOSPreparedGeometry* container_prepared(Worker& w, PreparedLayer& cache,
                                               const ContainerLayer& layer, std::int32_t i) {
  const GEOSGeometry* g = container_geometry(w, cache, layer, i);
  PreparedPtr& p = cache.prepared[std::size_t(i)];
  if (!p) {
    const GEOSPreparedGeometry* prepared = GEOSPrepare_r(w.geos.handle(), g);
    if (!prepared) w.geos.fail("prepare container");
    p = PreparedPtr(prepared, PreparedDeleter{w.geos.handle()});
  }
  return p.get();
}

double geos_area(GeosContext& ctx, const GEOSGeometry* g) {
  double a = 0.0;
  if (GEOSArea_r(ctx.handle(), g, &a) == 0) ctx.fail("area");
  return a;
}

double intersection_area(GeosContext& ctx, const GEOSGeometry* a, const GEOSGeometry* b) {
  GeomPtr overlap = own(ctx, GEOSIntersection_r(ctx.handle(), a, b), "intersection");
  return geos_area(ctx, overlap.get());
}

bool prepared_covers(GeosContext& ctx, const GEOSPreparedGeometry* p, const GEOSGeometry* g) {
  const char r = GEOSPreparedCovers_r(ctx.handle(), p, g);
  if (r == 2) ctx.fail("covers");
  return r == 1;
}

bool prepared_intersects(GeosContext& ctx, const GEOSPreparedGeometry* p, const GEOSGeometry* g) {
  const char r = GEOSPreparedIntersects_r(ctx.handle(), p, g);
  if (r == 2) ctx.fail("intersects");
  return r == 1;
}

/// The container holding `point`; when the point is in none, or in several (overlapping
/// containers), the one with the largest overlap with `footprint` (nullable: then the lowest
/// index among those holding the point). Ties go to the lowest index, so the result does not
/// depend on thread scheduling.
std::int32_t join_one(Worker& w, PreparedLayer& cache, const ContainerLayer& layer,
                      const Point& point, const GEOSGeometry* footprint, const Box& footprint_box) {
  if (layer.footprints.empty()) return kNone;
  std::vector<std::int32_t>& candidates = w.scratch;
  layer.index.intersecting(Box{point.x, point.y, point.x, point.y}, candidates);
  std::vector<std::int32_t>& holding = w.scratch2;
  holding.clear();
  GeomPtr p;  // made when a container's cells do not know
  for (std::int32_t c : candidates) {
    const AreaCells::Where where = layer.locate(c, point);
    if (where == AreaCells::Where::outside) continue;
    if (where == AreaCells::Where::mixed) {
      if (!p) p = to_geos(w.geos, point);
      if (!prepared_intersects(w.geos, container_prepared(w, cache, layer, c), p.get())) continue;
    }
    holding.push_back(c);
  }
  if (holding.size() == 1) return holding.front();
  if (!footprint) return holding.empty() ? kNone : holding.front();
  if (holding.empty()) layer.index.intersecting(footprint_box, candidates);
  const std::vector<std::int32_t>& contenders = holding.empty() ? candidates : holding;
  std::int32_t best = holding.empty() ? kNone : holding.front();
  double best_area = 0.0;
  for (std::int32_t c : contenders) {
    if (!prepared_intersects(w.geos, container_prepared(w, cache, layer, c), footprint)) continue;
    const double a = intersection_area(w.geos, container_geometry(w, cache, layer, c), footprint);
    if (a > best_area) {
      best_area = a;
      best = c;
    }
  }
  return best;
}

/// The container nearest to `geometry` within `max_m` metres, with its distance; ties go to the
/// lowest index.
std::pair<std::int32_t, double> nearest_within(Worker& w, PreparedLayer& cache,
                                               const ContainerLayer& layer,
                                               const GEOSGeometry* geometry, const Box& box,
                                               double max_m) {
  std::vector<std::int32_t>& candidates = w.scratch;
  layer.index.intersecting(expanded(box, max_m), candidates);
  std::int32_t best = kNone;
  double best_distance = INFINITY;
  for (std::int32_t c : candidates) {
    double d = INFINITY;
    if (GEOSPreparedDistance_r(w.geos.handle(), container_prepared(w, cache, layer, c), geometry,
                               &d) == 0)
      w.geos.fail("distance");
    if (d <= max_m && d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return {best, best_distance};
}

Point point_of(GeosContext& ctx, const GEOSGeometry* point) {
  Point p;
  if (GEOSGeomGetX_r(ctx.handle(), point, &p.x) == 0 ||
      GEOSGeomGetY_r(ctx.handle(), point, &p.y) == 0)
    ctx.fail("point coordinates");
  return p;
}

// ---------------------------------------------------------------------------------------------
// Repair of one polygonal footprint.

enum class RepairOutcome {
  valid,      // valid as given
  repaired,   // invalid, replaced by the polygonal parts of MakeValid
  collapsed,  // invalid and MakeValid left no area; footprint left as given
  no_vertices
};

struct Repair {
  RepairOutcome outcome = RepairOutcome::valid;
  GeomPtr geometry;  // the (repaired) footprint as GEOS; null unless valid/repaired
  double area_m2 = 0.0;
};

/// Validates `footprint`, replacing it by its repaired form when invalid, and reports what it did.
/// `what` names the feature kind in messages ("building", "compound", ...). A collapsed result
/// leaves `footprint` untouched: the caller decides what to keep.
/// `known_valid`: 1 when GEOSisValid already said the footprint as given is valid (the built-up
/// area asked, built_up_area's `validity`), else −1 (or 0): asked here.
Repair repair_footprint(Worker& w, MultiPolygon& footprint, const Location& where, const char* what,
                        const std::string& consequence_if_empty, const ValidationParams& params,
                        std::int8_t known_valid = -1) {
  Repair r;
  GEOSContextHandle_t h = w.geos.handle();
  if (vertex_count(footprint) == 0) {
    r.outcome = RepairOutcome::no_vertices;
    w.problems.report(Severity::error, "empty-geometry", where,
                      std::string(what) + " has no coordinates (empty geometry); " +
                          consequence_if_empty + " — draw it in the source");
    ++w.counts.empty;
    return r;
  }
  GeomPtr g = to_geos(w.geos, footprint);
  const char valid = known_valid == 1 ? char(1) : GEOSisValid_r(h, g.get());
  if (valid == 2) w.geos.fail("validity check");
  if (valid == 0) {
    std::string reason = "unknown reason";
    if (char* text = GEOSisValidReason_r(h, g.get())) {
      reason = text;
      GEOSFree_r(h, text);
    }
    GeomPtr fixed =
        own(w.geos, GEOSMakeValidWithParams_r(h, g.get(), w.make_valid.get()), "MakeValid");
    MultiPolygon polygons = to_multipolygon(w.geos, fixed.get());  // polygonal parts only
    if (polygons.empty()) {
      r.outcome = RepairOutcome::collapsed;
      w.problems.report(Severity::error, "empty-geometry", where,
                        std::string(what) + " footprint is invalid (" + reason +
                            ") and has no area left after repair (" +
                            std::to_string(vertex_count(footprint)) + " vertices); " +
                            consequence_if_empty + " — redraw it in the source");
      ++w.counts.empty;
      return r;
    }
    footprint = std::move(polygons);
    r.outcome = RepairOutcome::repaired;
    r.geometry = to_geos(w.geos, footprint);
    r.area_m2 = geos_area(w.geos, r.geometry.get());
    w.problems.report(Severity::warning, "invalid-geometry-repaired", where,
                      std::string(what) + " footprint was invalid (GEOS: " + reason +
                          "); repaired with MakeValid to " + std::to_string(footprint.size()) +
                          " polygon(s) of " + metres(r.area_m2) +
                          " m² — check the shape in the source");
    ++w.counts.repaired;
  } else {
    r.geometry = std::move(g);
    r.area_m2 = geos_area(w.geos, r.geometry.get());
  }
  if (r.area_m2 < params.zero_area_m2) {
    w.problems.report(Severity::warning, "zero-area", where,
                      std::string(what) + " has an area of " + metres(r.area_m2, 4) +
                          " m² (below " + metres(params.zero_area_m2, 2) +
                          " m²); kept as given — check it is not a digitising slip");
    ++w.counts.empty;
  }
  return r;
}

/// Repairs every footprint of a non-building layer in parallel. A footprint with no area after
/// repair is cleared (it would only confuse joins and overlaps); the feature itself stays.
template <typename Feature>
void repair_layer(std::vector<Feature>& features, const char* what, const char* consequence,
                  Workers& workers, const ValidationParams& params, StageUnits& units) {
  for_blocks(features.size(), 64, units, [&](std::size_t lo, std::size_t hi) {
    Worker& w = workers.local();
    for (std::size_t i = lo; i != hi; ++i) {
      Feature& f = features[i];
      try {
        const Repair r = repair_footprint(w, f.footprint, f.source, what, consequence, params);
        if (r.outcome == RepairOutcome::collapsed) f.footprint.clear();
      } catch (const GeosError& e) {
        w.problems.report(
            Severity::error, "geometry-operation-failed", f.source,
            std::string(what) + " could not be checked: " + e.what() + "; kept as given");
      }
    }
  });
}

/// `with_cells`: the large footprints (at least kCellsMinVertices vertices) get cells
/// (area_cells.hpp), 8 m wide, 6.4·10⁷ cells (64 MB) at most among them all.
ContainerLayer make_layer(const std::vector<const MultiPolygon*>& footprints, bool with_cells) {
  ContainerLayer layer;
  layer.footprints = footprints;
  layer.boxes.reserve(footprints.size());
  layer.areas_m2.reserve(footprints.size());
  for (const MultiPolygon* f : footprints) {
    layer.boxes.push_back(bounds(*f));
    layer.areas_m2.push_back(area(*f));
  }
  layer.index = BoxIndex(layer.boxes);
  if (with_cells) {
    constexpr std::size_t kCellsMinVertices = 1024;
    constexpr double kCellM = 8.0;
    constexpr std::size_t kMaxCells = 64'000'000;
    std::vector<std::size_t> large;
    for (std::size_t i = 0; i < footprints.size(); ++i)
      if (vertex_count(*footprints[i]) >= kCellsMinVertices) large.push_back(i);
    if (!large.empty()) {
      layer.cells.resize(footprints.size());
      const std::size_t each = std::max<std::size_t>(kMaxCells / large.size(), 250'000);
      parallel_for(std::size_t{0}, large.size(), [&](std::size_t k) {
        layer.cells[large[k]] = AreaCells(*footprints[large[k]], kCellM, each);
      });
    }
  }
  return layer;
}

// ---------------------------------------------------------------------------------------------
// Buildings.

/// Rounded bounding box: exact duplicates always share it, whatever their vertex order, start
/// vertex, orientation or repeated vertices; GEOS equality then confirms.
using DuplicateKey = std::array<std::int64_t, 4>;

struct BuildingJoinContext {
  const Dataset& dataset;
  const ContainerLayer& communities;
  const ContainerLayer& compounds;
  const std::map<std::string, std::int32_t>& compound_by_ref;
  const std::map<std::string, std::int32_t>& community_by_code;
  const std::map<std::string, std::int32_t>& community_by_name;
  const HouseholdParams& households;
  const ValidationParams& params;
};

std::string community_label(const Dataset& d, std::int32_t c) {
  const Community& community = d.communities[std::size_t(c)];
  std::string label = "community";
  if (!community.code.empty()) label += " " + community.code;
  label += quoted_name(community.name);
  if (community.source.fid) label += " (" + describe(community.source) + ")";
  return label;
}

std::string compound_label(const Dataset& d, std::int32_t c) {
  if (c == kNone) return "no compound";
  const Compound& compound = d.compounds[std::size_t(c)];
  std::string label = "compound";
  if (!compound.ref.empty()) label += " " + compound.ref;
  label += quoted_name(compound.name);
  label += " (" + describe(compound.source) + ")";
  return label;
}

std::int32_t lookup(const std::map<std::string, std::int32_t>& map, const std::string& key) {
  const auto it = map.find(key);
  return it == map.end() ? kNone : it->second;
}

/// Prefers a building attribute that names an existing container over geometry; reports when
/// they disagree or when the attribute names nothing.
std::int32_t reconcile(Worker& w, const Building& b, const std::string& attribute,
                       const char* attribute_name, std::int32_t by_attribute,
                       std::int32_t by_geometry, const std::string& attribute_label,
                       const std::string& geometry_label, const char* kind_prefix) {
  if (attribute.empty()) return by_geometry;
  if (by_attribute == kNone) {
    w.problems.report(Severity::warning, std::string("unknown-") + kind_prefix + "-ref", b.source,
                      std::string(attribute_name) + " '" + attribute + "' matches no " +
                          kind_prefix + "; joined by geometry to " + geometry_label +
                          " — correct the attribute or add the " + kind_prefix);
    ++w.counts.attribute_disagreements;
    return by_geometry;
  }
  if (by_attribute != by_geometry) {
    w.problems.report(Severity::warning, std::string(kind_prefix) + "-ref-disagrees", b.source,
                      std::string(attribute_name) + " '" + attribute + "' names " +
                          attribute_label + " but the footprint lies in " + geometry_label +
                          "; the attribute was kept — check the attribute or the boundary");
    ++w.counts.attribute_disagreements;
  }
  return by_attribute;
}

/// Joins `b` to the community holding the point of `own_part` (its footprint less the smaller
/// footprints on it), when the geometry chose its community and that point lies in another
/// community than the whole footprint's. The caller skips buildings whose community attribute
/// named a community (found once, by validate_building).
void rejoin_by_own_part(Worker& w, Building& b, const MultiPolygon& own_part,
                        const BuildingJoinContext& jc) {
  if (b.community == kNone) return;
  try {
    const GeomPtr part = to_geos(w.geos, own_part);
    const GeomPtr on_surface =
        own(w.geos, GEOSPointOnSurface_r(w.geos.handle(), part.get()), "PointOnSurface");
    const Point rep = point_of(w.geos, on_surface.get());
    const std::int32_t community =
        join_one(w, w.communities, jc.communities, rep, part.get(), bounds(own_part));
    if (community != kNone) b.community = community;
  } catch (const GeosError&) {
    // Kept as joined by the whole footprint.
  }
}

/// The part of a footprint outside every community is not planned (issue 12, polygon truth): a
/// footprint drawn over the edge of the communities (a building on the study area's boundary, a
/// community boundary drawn through a building at the edge of the town) would have its
/// representative point, which the audit and any GIS test against the building's micro grid,
/// where no grid lies, or in the part of the footprint the tessellation could not give it. Its
/// footprint is clipped to the communities (the part inside them, as the cells cover it) and the
/// building is then joined, planned and audited by that part, the same way in `gridplan run` and
/// `gridplan check --input` (both validate). Returns the clipped footprint as GEOS, or null when
/// the footprint lies inside the communities (the normal case), outside all of them (then the
/// nearest-community rule applies) or the clip leaves less than `zero_area_m2`.
GeomPtr clip_to_communities(Worker& w, Building& b, const BuildingJoinContext& jc,
                            const GEOSGeometry* shape, double footprint_area) {
  const ContainerLayer& layer = jc.communities;
  if (layer.footprints.empty() || !shape) return nullptr;
  std::vector<std::int32_t> candidates;
  const Box box = bounds(b.footprint);
  layer.index.intersecting(box, candidates);
  // The communities' cells answer first (area_cells.hpp): a footprint whose box lies in cells
  // wholly inside a community is covered by it, one in cells wholly outside is disjoint from it.
  std::vector<AreaCells::Where> where(candidates.size());
  for (std::size_t k = 0; k < candidates.size(); ++k) {
    where[k] = layer.locate(candidates[k], box);
    if (where[k] == AreaCells::Where::inside) return nullptr;
  }
  for (std::size_t k = 0; k < candidates.size(); ++k)
    if (where[k] == AreaCells::Where::mixed &&
        prepared_covers(w.geos, container_prepared(w, w.communities, layer, candidates[k]), shape))
      return nullptr;
  GEOSContextHandle_t h = w.geos.handle();
  GeomPtr inside;
  for (std::size_t k = 0; k < candidates.size(); ++k) {
    const std::int32_t c = candidates[k];
    if (where[k] == AreaCells::Where::outside ||
        !prepared_intersects(w.geos, container_prepared(w, w.communities, layer, c), shape))
      continue;
    GeomPtr part =
        own(w.geos, GEOSIntersection_r(h, shape, container_geometry(w, w.communities, layer, c)),
            "footprint inside a community");
    inside = inside ? own(w.geos, GEOSUnion_r(h, inside.get(), part.get()), "footprint parts")
                    : std::move(part);
  }
  if (!inside) return nullptr;
  const double inside_area = geos_area(w.geos, inside.get());
  const double outside_area = footprint_area - inside_area;
  // A footprint drawn up to the boundary is outside by rounding only.
  if (inside_area < jc.params.zero_area_m2 || outside_area <= jc.params.zero_area_m2)
    return nullptr;
  MultiPolygon clipped = to_multipolygon(w.geos, inside.get());  // polygonal parts only
  std::erase_if(clipped, [](const Polygon& p) { return std::abs(signed_area(p.outer)) <= 0.0; });
  if (clipped.empty()) return nullptr;
  for (Polygon& polygon : clipped) {  // shells counter-clockwise, holes clockwise
    if (signed_area(polygon.outer) < 0.0) std::reverse(polygon.outer.begin(), polygon.outer.end());
    for (Ring& hole : polygon.holes)
      if (signed_area(hole) > 0.0) std::reverse(hole.begin(), hole.end());
  }
  w.problems.report(Severity::warning, "building-clipped-to-community", b.source,
                    "building footprint reaches " + metres(outside_area) + " m² (" +
                        metres(100.0 * outside_area / footprint_area) +
                        " %) outside every community; planned by its part inside (" +
                        metres(inside_area) +
                        " m²), which its grid holds — check the community boundary");
  ++w.counts.clipped_to_communities;
  b.footprint = std::move(clipped);
  return to_geos(w.geos, b.footprint);
}

/// `community_named` is set when the building's community attribute names a community (by code
/// or name): that choice stands, and the podium step (4b) leaves the building alone.
void validate_building(Worker& w, Building& b, const BuildingJoinContext& jc, DuplicateKey& key,
                       bool& has_key, bool& community_named, std::int8_t known_valid) {
  const ValidationParams& params = jc.params;
  has_key = false;
  community_named = false;
  b.compound = kNone;
  b.community = kNone;
  Repair r = repair_footprint(
      w, b.footprint, b.source, "building",
      "kept with its original vertices and placed by their centroid; it has no area for a cell",
      params, known_valid);
  if (r.outcome == RepairOutcome::no_vertices) {
    // Nowhere to place it: it stays in the dataset with no community and is listed as unplanned.
    return;
  }

  // Representative point, the geometry used for overlaps and distances, and their bounds.
  Point rep;
  GeomPtr point_geometry;
  const GEOSGeometry* shape = nullptr;
  Box box;
  if (r.geometry && r.area_m2 >= params.zero_area_m2)
    if (GeomPtr clipped = clip_to_communities(w, b, jc, r.geometry.get(), r.area_m2)) {
      r.geometry = std::move(clipped);
      r.area_m2 = geos_area(w.geos, r.geometry.get());
    }
  if (r.geometry) {
    shape = r.geometry.get();
    GeomPtr on_surface =
        own(w.geos, GEOSPointOnSurface_r(w.geos.handle(), shape), "PointOnSurface");
    rep = point_of(w.geos, on_surface.get());
    box = bounds(b.footprint);
    if (r.area_m2 >= params.zero_area_m2) {
      const double grid = params.duplicate_tolerance_m;
      key = {std::llround(box.min_x / grid), std::llround(box.min_y / grid),
             std::llround(box.max_x / grid), std::llround(box.max_y / grid)};
      has_key = true;
    }
  } else {  // collapsed: the mean of the original vertices
    rep = centroid(b.footprint);
    point_geometry = to_geos(w.geos, rep);
    shape = point_geometry.get();
    box = Box{rep.x, rep.y, rep.x, rep.y};
  }
  const GEOSGeometry* overlap_shape = r.geometry ? shape : nullptr;

  const std::int32_t community_geo =
      join_one(w, w.communities, jc.communities, rep, overlap_shape, box);
  const std::int32_t compound_geo = join_one(w, w.compounds, jc.compounds, rep, overlap_shape, box);

  const std::int32_t compound_attr = lookup(jc.compound_by_ref, b.compound_ref);
  b.compound = reconcile(w, b, b.compound_ref, "compound_ref", compound_attr, compound_geo,
                         compound_attr == kNone ? "" : compound_label(jc.dataset, compound_attr),
                         compound_label(jc.dataset, compound_geo), "compound");
  std::int32_t community_attr = lookup(jc.community_by_code, b.community_ref);
  if (community_attr == kNone) community_attr = lookup(jc.community_by_name, b.community_ref);
  community_named = community_attr != kNone;
  b.community = reconcile(
      w, b, b.community_ref, "community_ref", community_attr, community_geo,
      community_attr == kNone ? "" : community_label(jc.dataset, community_attr),
      community_geo == kNone ? "no community" : community_label(jc.dataset, community_geo),
      "community");

  if (b.community == kNone && !jc.communities.footprints.empty()) {
    const auto [nearest, distance] = nearest_within(w, w.communities, jc.communities, shape, box,
                                                    params.nearest_community_max_m);
    if (nearest != kNone) {
      b.community = nearest;
      w.problems.report(Severity::warning, "building-assigned-to-nearest-community", b.source,
                        "building lies outside every community, " + metres(distance) + " m from " +
                            community_label(jc.dataset, nearest) + "; assigned to it (limit " +
                            metres(params.nearest_community_max_m, 0) +
                            " m) — check the community boundary");
      ++w.counts.assigned_to_nearest_community;
    } else {
      w.problems.report(
          Severity::error, "building-outside-community", b.source,
          "building at (" + metres(rep.x) + ", " + metres(rep.y) +
              ") lies outside every community and none is within " +
              metres(params.nearest_community_max_m, 0) +
              " m; left unassigned and listed as unplanned — extend a community boundary or "
              "remove the building");
      ++w.counts.outside_community;
    }
  }

  if (households_absurd(b, jc.households)) {
    w.problems.report(Severity::warning, "absurd-households", b.source,
                      std::to_string(b.households) + " households" +
                          (b.households_estimated ? " (estimated)" : "") + " in a building of " +
                          metres(area(b.footprint)) + " m² footprint × " +
                          std::to_string(std::max(1, b.floors)) + " floor(s), more than " +
                          metres(jc.households.max_households_per_100m2) +
                          " per 100 m² of floor area; kept as given — check the households field");
    ++w.counts.absurd_households;
  }
}

void find_duplicates(Dataset& dataset, const std::vector<DuplicateKey>& keys,
                     const std::vector<char>& has_key, const ValidationParams& params,
                     GeosContext& ctx, ProblemReporter& problems, ValidationSummary& summary) {
  std::vector<std::int32_t> order;
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (has_key[i]) order.push_back(std::int32_t(i));
  std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
    return std::tie(keys[std::size_t(a)], a) < std::tie(keys[std::size_t(b)], b);
  });
  for (std::size_t start = 0; start < order.size();) {
    std::size_t end = start + 1;
    while (end < order.size() && keys[std::size_t(order[end])] == keys[std::size_t(order[start])])
      ++end;
    if (end - start > 1) {
      // Candidates share a rounded box; confirm pairwise against the first of each class.
      std::vector<std::pair<std::int32_t, GeomPtr>> originals;
      for (std::size_t k = start; k < end; ++k) {
        const std::int32_t i = order[k];
        Building& b = dataset.buildings[std::size_t(i)];
        GeomPtr g = to_geos(ctx, b.footprint);
        if (GEOSNormalize_r(ctx.handle(), g.get()) != 0) ctx.fail("normalize");
        std::int32_t same_as = kNone;
        for (const auto& [original, og] : originals) {
          char equal =
              GEOSEqualsExact_r(ctx.handle(), og.get(), g.get(), params.duplicate_tolerance_m);
          if (equal == 0) equal = GEOSEquals_r(ctx.handle(), og.get(), g.get());
          if (equal == 2) ctx.fail("equals");
          if (equal == 1) {
            same_as = original;
            break;
          }
        }
        if (same_as == kNone) {
          originals.emplace_back(i, std::move(g));
          continue;
        }
        const Building& first = dataset.buildings[std::size_t(same_as)];
        problems.report(Severity::warning, "duplicate-building", b.source,
                        "building footprint is identical to building " + describe(first.source) +
                            " (id " + std::to_string(first.id) + "); both kept, so " +
                            std::to_string(b.households) +
                            " households may be counted twice — delete the copy in the source");
        ++summary.duplicates;
      }
    }
    start = end;
  }
}

// ---------------------------------------------------------------------------------------------
// Overlaps between features of one container layer.

template <typename Feature>
std::size_t report_overlaps(const std::vector<Feature>& features, const ContainerLayer& layer,
                            bool communities_layer, const char* what, const char* kind,
                            Workers& workers, const ValidationParams& params, StageUnits& units) {
  std::atomic<std::size_t> pairs{0};
  for_blocks(features.size(), 16, units, [&](std::size_t lo, std::size_t hi) {
    Worker& w = workers.local();
    PreparedLayer& cache = communities_layer ? w.communities : w.compounds;
    std::vector<std::int32_t> candidates;
    for (std::size_t i = lo; i != hi; ++i) {
      const auto self = std::int32_t(i);
      if (layer.boxes[i].empty()) continue;
      try {
        layer.index.intersecting(layer.boxes[i], candidates);
        for (std::int32_t j : candidates) {
          if (j <= self) continue;
          const GEOSGeometry* other = container_geometry(w, cache, layer, j);
          if (!prepared_intersects(w.geos, container_prepared(w, cache, layer, self), other))
            continue;
          const double overlap =
              intersection_area(w.geos, container_geometry(w, cache, layer, self), other);
          const double smaller = std::min(layer.areas_m2[i], layer.areas_m2[std::size_t(j)]);
          if (overlap <= params.overlap_min_m2 || overlap <= params.overlap_min_share * smaller)
            continue;
          const Feature& a = features[i];
          const Feature& b = features[std::size_t(j)];
          w.problems.report(
              Severity::warning, kind, a.source,
              std::string(what) + quoted_name(a.name) + " overlaps " + what + quoted_name(b.name) +
                  " (" + describe(b.source) + ") by " + metres(overlap) + " m² (" +
                  metres(100.0 * overlap / smaller) +
                  " % of the smaller); buildings in the overlap go to the one holding their "
                  "representative point — fix the boundaries in the source");
          ++pairs;
        }
      } catch (const GeosError& e) {
        w.problems.report(Severity::error, "geometry-operation-failed", features[i].source,
                          std::string(what) + " overlap check failed: " + e.what());
      }
    }
  });
  return pairs.load();
}

// ---------------------------------------------------------------------------------------------

Box extent_of_everything(const Dataset& d) {
  Box box;
  for (const Building& b : d.buildings) box.expand(bounds(b.footprint));
  for (const Compound& c : d.compounds) box.expand(bounds(c.footprint));
  for (const WaterArea& w : d.water) box.expand(bounds(w.footprint));
  for (const ExistingGrid& g : d.existing_grids) box.expand(bounds(g.footprint));
  for (const Line& l : d.lines) box.expand(bounds(l.geometry));
  for (const Station& s : d.stations) box.expand(s.location);
  return box;
}

template <typename Map>
void index_attribute(Map& map, const std::string& key, std::int32_t i) {
  if (!key.empty()) map.emplace(key, i);  // first one wins on duplicate keys
}

}  // namespace

bool footprint_has_area(const MultiPolygon& footprint, double zero_area_m2) {
  return !footprint.empty() && area(footprint) >= zero_area_m2;
}

ValidationSummary validate_and_join(Dataset& dataset, const HouseholdParams& households,
                                    Progress& progress) {
  return validate_and_join(dataset, households, ValidationParams{}, progress);
}

ValidationSummary validate_and_join(Dataset& dataset, const HouseholdParams& households,
                                    const ValidationParams& params, Progress& progress) {
  ValidationSummary summary;
  Workers workers;
  ProblemReporter main_problems;  // problems found outside the parallel loops
  GeosContext main_geos;

  // 1. Repair the container and area layers. Work units: one per feature repaired, and without
  //    communities one per footprint grown for the built-up area (step 2).
  StageUnits areas{progress, "validating areas"};
  areas.total = double(dataset.communities.size() + dataset.compounds.size() +
                       dataset.water.size() + dataset.existing_grids.size());
  if (dataset.communities.empty())
    areas.total += double(dataset.buildings.size() + dataset.compounds.size());
  areas.start();
  repair_layer(dataset.communities, "community",
               "it holds no buildings; its buildings go to neighbours or stay unassigned", workers,
               params, areas);
  repair_layer(dataset.compounds, "compound", "it holds no buildings", workers, params, areas);
  repair_layer(dataset.water, "water area", "it is ignored as a barrier", workers, params, areas);
  repair_layer(dataset.existing_grids, "existing grid", "it is ignored", workers, params, areas);

  // 2. No communities: the study area is one community — the built-up area of the buildings
  //    (geo/built_up_area.hpp), or, without buildings or when GEOS fails on them, the extent
  //    of all features expanded by a margin.
  // GEOSisValid's answers the built-up area found for the buildings' footprints as loaded
  // (buildings first in its list): step 4 does not ask again.
  std::vector<std::int8_t> validity;
  if (dataset.communities.empty()) {
    Community study_area;
    study_area.code = kExtentCommunityCode;
    study_area.name = kExtentCommunityName;
    std::string how;
    if (!dataset.buildings.empty()) {
      std::vector<const MultiPolygon*> footprints;
      footprints.reserve(dataset.buildings.size());
      for (const Building& b : dataset.buildings) footprints.push_back(&b.footprint);
      // Compounds too, so that none crosses the planned area's edge.
      for (const Compound& c : dataset.compounds) footprints.push_back(&c.footprint);
      try {
        study_area.footprint = built_up_area(
            main_geos, footprints, params.built_up, [&](std::size_t n) { areas.add(double(n)); },
            &validity);
      } catch (const GeosError& e) {
        main_problems.report(Severity::warning, "built-up-area-failed", Location{},
                             std::string("the built-up area could not be computed (") + e.what() +
                                 "); the extent of the data is used instead");
        study_area.footprint.clear();
      }
      if (!study_area.footprint.empty())
        how = "the built-up area of the " + std::to_string(dataset.buildings.size()) +
              " buildings and " + std::to_string(dataset.compounds.size()) +
              " compounds (footprints grown by " + metres(params.built_up.reach_m, 0) +
              " m and shrunk back to a " + metres(params.built_up.margin_m, 0) + " m margin; " +
              std::to_string(study_area.footprint.size()) + " part" +
              (study_area.footprint.size() == 1 ? "" : "s") + ", " +
              metres(area(study_area.footprint) / 10000.0, 1) + " ha)";
    }
    if (study_area.footprint.empty()) {
      const Box extent = expanded(extent_of_everything(dataset), params.extent_margin_m);
      if (!extent.empty()) {
        study_area.footprint = {Polygon{{{extent.min_x, extent.min_y},
                                         {extent.max_x, extent.min_y},
                                         {extent.max_x, extent.max_y},
                                         {extent.min_x, extent.max_y},
                                         {extent.min_x, extent.min_y}},
                                        {}}};
        how = "the extent of all features expanded by " + metres(params.extent_margin_m, 0) +
              " m (" + metres(extent.width(), 0) + " m × " + metres(extent.height(), 0) + " m)";
      }
    }
    if (!study_area.footprint.empty()) {
      dataset.communities.push_back(std::move(study_area));
      summary.community_from_extent = true;
      main_problems.report(Severity::info, "community-from-extent", Location{},
                           "no communities were given; " + how +
                               " is used as one community, code " + kExtentCommunityCode +
                               " — load a community layer to plan per community");
    }
  }

  // 3. Indexes over the containers.
  std::vector<const MultiPolygon*> footprints;
  for (const Community& c : dataset.communities) footprints.push_back(&c.footprint);
  const ContainerLayer communities = make_layer(footprints, true);
  footprints.clear();
  for (const Compound& c : dataset.compounds) footprints.push_back(&c.footprint);
  const ContainerLayer compounds = make_layer(footprints, false);

  std::map<std::string, std::int32_t> compound_by_ref, community_by_code, community_by_name;
  for (std::size_t i = 0; i < dataset.compounds.size(); ++i)
    index_attribute(compound_by_ref, dataset.compounds[i].ref, std::int32_t(i));
  for (std::size_t i = 0; i < dataset.communities.size(); ++i) {
    index_attribute(community_by_code, dataset.communities[i].code, std::int32_t(i));
    index_attribute(community_by_name, dataset.communities[i].name, std::int32_t(i));
  }

  // 4. Buildings: repair, join, households — in blocks, so progress and cancellation are
  //    reported from this thread between blocks.
  const BuildingJoinContext jc{dataset,           communities,       compounds,  compound_by_ref,
                               community_by_code, community_by_name, households, params};
  std::vector<DuplicateKey> keys(dataset.buildings.size());
  std::vector<char> has_key(dataset.buildings.size(), 0);
  std::vector<char> community_named(dataset.buildings.size(), 0);
  // Blocks of ~0.25 % (at least 1,024 buildings: a block keeps both cores busy). With one
  // community holding a town of 1M buildings a block of 1 % took 1–2.5 s on the loaded 2-core
  // machine (docs/benchmarks.md, "Progress, round 9"): a quarter of that reports every second.
  const std::size_t kBlock = std::max<std::size_t>(1024, dataset.buildings.size() / 400);
  for (std::size_t begin = 0; begin < dataset.buildings.size(); begin += kBlock) {
    progress.update("validating buildings", double(begin) / double(dataset.buildings.size()));
    const std::size_t end = std::min(dataset.buildings.size(), begin + kBlock);
    parallel_for_chunks(begin, end, 256, [&](std::size_t lo, std::size_t hi) {
      Worker& w = workers.local();
      for (std::size_t i = lo; i != hi; ++i) {
        Building& b = dataset.buildings[i];
        bool keyed = false, named = false;
        try {
          validate_building(w, b, jc, keys[i], keyed, named,
                            i < validity.size() ? validity[i] : std::int8_t{-1});
        } catch (const GeosError& e) {
          w.problems.report(Severity::error, "geometry-operation-failed", b.source,
                            std::string("building could not be validated or joined: ") + e.what() +
                                "; kept with community " +
                                (b.community == kNone ? "unassigned" : "as found"));
        }
        has_key[i] = keyed ? 1 : 0;
        community_named[i] = named ? 1 : 0;
      }
    });
  }

  // 4b. Buildings under smaller footprints (a podium with a tower mapped on it): the plan places
  //     such a building by its own part, the footprint less the smaller ones on it
  //     (own_footprint.hpp), and so does the audit; joined by the whole footprint's point, a
  //     podium cut by a community boundary could be joined to the community its tower stands in
  //     while its own part lies in the other, where no grid of its community can hold it
  //     (real-shapes towns with communities: Nanjing's 金鹰 podiums, Monaco 8557). Re-joined by
  //     the own part's point, unless the community attribute named one. Only with two
  //     communities or more: with one there is nothing to choose.
  if (dataset.communities.size() > 1) {
    progress.update("joining podiums", 0.0);
    std::vector<const MultiPolygon*> building_footprints(dataset.buildings.size());
    for (std::size_t i = 0; i < building_footprints.size(); ++i)
      building_footprints[i] = &dataset.buildings[i].footprint;
    const std::vector<MultiPolygon> own_parts = own_footprints(building_footprints);
    parallel_for_chunks(std::size_t{0}, dataset.buildings.size(), 256,
                        [&](std::size_t lo, std::size_t hi) {
                          Worker& w = workers.local();
                          for (std::size_t i = lo; i != hi; ++i)
                            if (!own_parts[i].empty() && !community_named[i])
                              rejoin_by_own_part(w, dataset.buildings[i], own_parts[i], jc);
                        });
  }

  // 5. Compounds to communities.
  StageUnits joining{progress, "joining compounds", double(dataset.compounds.size())};
  joining.start();
  for_blocks(dataset.compounds.size(), 16, joining, [&](std::size_t lo, std::size_t hi) {
    Worker& w = workers.local();
    for (std::size_t i = lo; i != hi; ++i) {
      Compound& c = dataset.compounds[i];
      c.community = kNone;
      if (compounds.boxes[i].empty()) continue;
      try {
        const GEOSGeometry* g = container_geometry(w, w.compounds, compounds, std::int32_t(i));
        GeomPtr on_surface =
            own(w.geos, GEOSPointOnSurface_r(w.geos.handle(), g), "PointOnSurface");
        const Point rep = point_of(w.geos, on_surface.get());
        c.community = join_one(w, w.communities, communities, rep, g, compounds.boxes[i]);
        if (c.community == kNone) {
          w.problems.report(Severity::warning, "compound-outside-community", c.source,
                            "compound" + quoted_name(c.name) +
                                " lies outside every community; its buildings are joined "
                                "one by one — check the community boundaries");
        } else if (!prepared_covers(
                       w.geos, container_prepared(w, w.communities, communities, c.community), g)) {
          // Grids never cross communities but compounds are kept whole: a compound across
          // a community boundary forces a choice the planner should see.
          const double inside = intersection_area(
              w.geos, container_geometry(w, w.communities, communities, c.community), g);
          const double share = compounds.areas_m2[i] > 0.0 ? inside / compounds.areas_m2[i] : 1.0;
          if (1.0 - share > params.overlap_min_share &&
              compounds.areas_m2[i] - inside > params.overlap_min_m2) {
            w.problems.report(
                Severity::warning, "compound-crosses-community", c.source,
                "compound" + quoted_name(c.name) + " lies " + metres(100.0 * share) + " % in " +
                    community_label(dataset, c.community) +
                    " and the rest outside it; joined to that community, but its buildings "
                    "follow their own position — align the compound with the community "
                    "boundary");
            ++w.counts.compounds_crossing_communities;
          }
        }
      } catch (const GeosError& e) {
        w.problems.report(Severity::error, "geometry-operation-failed", c.source,
                          std::string("compound could not be joined: ") + e.what());
      }
    }
  });

  // 6. Duplicates (sequential: candidate groups are tiny).
  progress.update("finding duplicate buildings", 0.0);
  find_duplicates(dataset, keys, has_key, params, main_geos, main_problems, summary);

  // 7. Overlaps.
  StageUnits overlaps{progress, "checking overlaps",
                      double(dataset.compounds.size() + dataset.communities.size())};
  overlaps.start();
  summary.overlapping_compounds =
      report_overlaps(dataset.compounds, compounds, false, "compound", "overlapping-compounds",
                      workers, params, overlaps);
  summary.overlapping_communities =
      report_overlaps(dataset.communities, communities, true, "community",
                      "overlapping-communities", workers, params, overlaps);

  // 8. Merge in a deterministic order.
  std::vector<Problem> found = main_problems.problems();
  for (Worker& w : workers) {
    const std::vector<Problem>& p = w.problems.problems();
    found.insert(found.end(), p.begin(), p.end());
    summary.repaired += w.counts.repaired;
    summary.empty += w.counts.empty;
    summary.outside_community += w.counts.outside_community;
    summary.absurd_households += w.counts.absurd_households;
    summary.assigned_to_nearest_community += w.counts.assigned_to_nearest_community;
    summary.attribute_disagreements += w.counts.attribute_disagreements;
    summary.compounds_crossing_communities += w.counts.compounds_crossing_communities;
    summary.clipped_to_communities += w.counts.clipped_to_communities;
  }
  std::sort(found.begin(), found.end(), [](const Problem& a, const Problem& b) {
    const std::int64_t fa = a.where.fid.value_or(-1), fb = b.where.fid.value_or(-1);
    return std::tie(a.kind, a.where.file, a.where.layer, fa, a.message) <
           std::tie(b.kind, b.where.file, b.where.layer, fb, b.message);
  });
  for (Problem& p : found) dataset.problems.report(std::move(p));

  // 9. Overlapping footprints settled once, for the tessellation, the partition, the audit and
  //    the export (Dataset::settled): footprint holders and own parts.
  progress.update("settling overlapping footprints", 0.0);
  dataset.settled = settle_footprints(
      dataset, [&](double done) { progress.update("settling overlapping footprints", done); });
  progress.update("validated", 1.0);
  return summary;
}

}  // namespace gp::geo
