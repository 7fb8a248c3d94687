// OpenStreetMap input (.osm, .pbf) through GDAL's OSM driver: buildings (with building:part
// outlines inside another building dropped), landuse and boundaries as communities, roads,
// waterways, railways, water and stations.

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
#include "planner/core/point_in_polygon.hpp"
#include "planner/core/road_classes.hpp"
#include "planner/io/crs.hpp"
#include "planner/io/gdal_support.hpp"
#include "planner/io/load_internal.hpp"
#include "planner/io/osm_tags.hpp"

namespace gp::io::loader {

namespace {

/// OSM boundaries are used as communities only when they hold at least this share of the
/// file's buildings (by centroid).
constexpr double kMinCommunityShare = 0.9;

}  // namespace

void Loader::read_osm(GDALDataset& dataset, const std::string& path, SourceReport& source) {
  Dataset& d = result_.dataset;
  StagedLayer stage;
  stage.label = path;
  OGRLayer* multipolygons = dataset.GetLayerByName("multipolygons");
  OGRLayer* lines = dataset.GetLayerByName("lines");
  if (multipolygons == nullptr || lines == nullptr)
    throw InputError(path + ": the OSM file has no multipolygons/lines layers");
  stage.srs = detail::srs_clone(*multipolygons->GetSpatialRef());
  stage.begin = sizes_of(d);

  // Field indexes of the layers we use (GDAL's default osmconf.ini: building, landuse, natural,
  // highway, waterway, railway are columns; building:levels, height, bridge, ... in other_tags).
  auto index = [](OGRLayer* layer, const char* name) {
    return layer->GetLayerDefn()->GetFieldIndex(name);
  };
  const int mp_osm_id = index(multipolygons, "osm_id");
  const int mp_way_id = index(multipolygons, "osm_way_id");
  const int mp_name = index(multipolygons, "name");
  const int mp_building = index(multipolygons, "building");
  const int mp_landuse = index(multipolygons, "landuse");
  const int mp_natural = index(multipolygons, "natural");
  const int mp_other = index(multipolygons, "other_tags");
  const int ln_osm_id = index(lines, "osm_id");
  const int ln_name = index(lines, "name");
  const int ln_highway = index(lines, "highway");
  const int ln_waterway = index(lines, "waterway");
  const int ln_railway = index(lines, "railway");
  const int ln_other = index(lines, "other_tags");

  auto report_for = [&source](OGRLayer* layer) -> LayerReport* {
    for (LayerReport& r : source.layers)
      if (r.name == layer->GetName()) return &r;
    return nullptr;
  };
  LayerReport* mp_report = report_for(multipolygons);
  LayerReport* ln_report = report_for(lines);

  auto osm_id = [](const OGRFeature& f, int way_field, int id_field) -> std::int64_t {
    // Closed ways carry osm_way_id, relations osm_id; relations get negative ids so they never
    // collide with way ids.
    if (way_field >= 0 && f.IsFieldSetAndNotNull(way_field))
      return std::atoll(f.GetFieldAsString(way_field));
    if (id_field >= 0 && f.IsFieldSetAndNotNull(id_field))
      return -std::atoll(f.GetFieldAsString(id_field));
    return 0;
  };

  // One pass per kind of feature, each with an attribute filter, instead of interleaved reading
  // of all layers: GDAL's OSM driver yields a few more building polygons under the filter
  // "building IS NOT NULL" than without it (closed ways that are also members of a building
  // relation), and `ogrinfo -where "building IS NOT NULL"` is the count users compare with.
  // Validation reports such overlapping pairs as duplicates.
  struct Pass {
    OGRLayer* layer;
    std::string filter;
    bool buildings;
    bool communities = false;
  };
  // Communities: administrative boundaries at the configured level (社区 / quartier: 10 in
  // OSM's China and France conventions), else neighbourhood or quarter places.
  const int mp_boundary = index(multipolygons, "boundary");
  const int mp_admin_level = index(multipolygons, "admin_level");
  const int mp_place = index(multipolygons, "place");
  const bool community_pass =
      options_.osm_communities && mp_boundary >= 0 && mp_admin_level >= 0 && mp_place >= 0;
  std::vector<Pass> passes{
      Pass{multipolygons, "building IS NOT NULL", true},
      Pass{multipolygons,
           "landuse IN ('residential','reservoir','basin') OR \"natural\" = 'water' OR "
           "other_tags LIKE '%\"waterway\"=>\"riverbank\"%'",
           false},
      Pass{lines,
           "highway IS NOT NULL OR waterway IN ('river','canal','stream') OR "
           "railway IN ('rail','light_rail','narrow_gauge')",
           false},
  };
  if (community_pass)
    passes.push_back({multipolygons,
                      "(boundary = 'administrative' AND admin_level = '" +
                          std::to_string(options_.osm_admin_level) +
                          "') OR place IN ('neighbourhood','quarter')",
                      false, true});
  std::vector<std::size_t> admin_communities, place_communities;
  const std::size_t communities_before = d.communities.size();
  const std::size_t failures_before = errors_.failures();
  std::size_t count = 0;
  std::vector<std::size_t> parts;  // buildings also tagged building:part
  for (std::size_t pass_index = 0; pass_index < passes.size(); ++pass_index) {
    const Pass& pass = passes[pass_index];
    OGRLayer* layer = pass.layer;
    if (layer->SetAttributeFilter(pass.filter.c_str()) != OGRERR_NONE)
      throw InputError(path + ": the OSM driver rejected the filter " + pass.filter + ": " +
                       errors_.failure_text());
    layer->ResetReading();
    LayerReport* layer_report = report_for(layer);
    while (true) {
      OGRFeatureUniquePtr feature(layer->GetNextFeature());
      if (!feature) break;
      if ((++count & 0x1fff) == 0)
        progress_.update("reading " + path, static_cast<double>(pass_index) / passes.size());
      if (layer_report) ++layer_report->read;
      const OGRFeature& f = *feature;
      const Location where{path, layer->GetName(), fid_of(f)};
      const OGRGeometry* geometry = f.GetGeometryRef();
      if (layer == multipolygons) {
        const std::string other = text_of(f, mp_other);
        const std::string building = text_of(f, mp_building);
        if (pass.buildings && !building.empty()) {
          const std::string part =
              find_other_tag(text_of(f, mp_other), "building:part").value_or("no");
          if (building == "no") {
            ++mp_report->skipped;
            d.problems.report(Severity::info, "not-a-building", where,
                              "tagged building=no; not loaded as a building");
          } else {
            const bool added = add_polygonal(
                d.buildings, geometry, where, osm_id(f, mp_way_id, mp_osm_id), "building",
                "buildings", stage, *mp_report, [&](Building& b) {
                  b.name = text_of(f, mp_name);
                  b.source_use = building;
                  b.use = use_of(building, *mp_report);
                  if (const auto levels = find_other_tag(other, "building:levels"))
                    // Clamped before the cast: a mistyped "1e9" must not overflow an int.
                    b.floors = static_cast<int>(std::lround(
                        std::clamp(parse_osm_number(*levels, false).value_or(0.0), 0.0, 1000.0)));
                  std::optional<std::string> height = find_other_tag(other, "height");
                  if (!height) height = find_other_tag(other, "building:height");
                  if (height)
                    b.height_m = std::max(0.0, parse_osm_number(*height, true).value_or(0.0));
                });
            if (added && part != "no") parts.push_back(d.buildings.size() - 1);
          }
        }
        if (pass.communities) {
          const bool admin = text_of(f, mp_boundary) == "administrative";
          if (add_polygonal(d.communities, geometry, where, osm_id(f, mp_way_id, mp_osm_id),
                            "community boundary", "communities", stage, *mp_report,
                            [&](Community& c) {
                              c.name = text_of(f, mp_name);
                              c.code = find_other_tag(other, "ref").value_or("");
                              if (c.code.empty()) c.code = "osm" + std::to_string(c.id);
                            }))
            (admin ? admin_communities : place_communities).push_back(d.communities.size() - 1);
          continue;
        }
        const std::string landuse = pass.buildings ? std::string() : text_of(f, mp_landuse);
        if (landuse == "residential")
          add_polygonal(d.compounds, geometry, where, osm_id(f, mp_way_id, mp_osm_id),
                        "residential area", "compounds", stage, *mp_report, [&](Compound& c) {
                          c.ref = std::to_string(c.id);
                          c.name = text_of(f, mp_name);
                        });
        const bool water = !pass.buildings &&
                           (text_of(f, mp_natural) == "water" || landuse == "reservoir" ||
                            landuse == "basin" || find_other_tag(other, "waterway") == "riverbank");
        if (water)
          add_polygonal(d.water, geometry, where, osm_id(f, mp_way_id, mp_osm_id), "water area",
                        "water", stage, *mp_report,
                        [&](WaterArea& w) { w.name = text_of(f, mp_name); });
      } else if (layer == lines) {
        const std::string highway = text_of(f, ln_highway);
        const std::string waterway = text_of(f, ln_waterway);
        const std::string railway = text_of(f, ln_railway);
        Line line;
        const char* kind = nullptr;
        if (!highway.empty()) {
          line.kind = LineKind::road;
          line.cls = highway;
          kind = "roads";
        } else if (waterway == "river" || waterway == "canal" || waterway == "stream") {
          line.kind = LineKind::river;
          line.cls = waterway;
          kind = "rivers";
        } else if (railway == "rail" || railway == "light_rail" || railway == "narrow_gauge") {
          line.kind = LineKind::rail;
          line.cls = railway;
          kind = "rail";
        }
        if (kind == nullptr) continue;
        int dropped_parts = 0;
        if (const GeomIssue issue = read_lines(geometry, line_scratch_, dropped_parts);
            issue != GeomIssue::none) {
          skip(where, issue, *ln_report, kind);
          continue;
        }
        note_dropped_parts(where, dropped_parts);
        const std::string other = text_of(f, ln_other);
        line.source = where;
        line.id = std::atoll(text_of(f, ln_osm_id).c_str());
        line.name = text_of(f, ln_name);
        line.bridge = osm_truthy(find_other_tag(other, "bridge").value_or(""));
        line.tunnel = osm_truthy(find_other_tag(other, "tunnel").value_or(""));
        if (line.kind == LineKind::road) {
          const std::string foot = find_other_tag(other, "foot").value_or("");
          const std::string access = find_other_tag(other, "access").value_or("");
          line.walkable = highway_walkable(highway) && foot != "no" &&
                          !(access == "no" && foot != "yes" && foot != "designated");
        } else {
          line.walkable = false;
        }
        sample(stage, line_scratch_.front().front());
        for (LineString& part : line_scratch_) {
          d.lines.push_back(line);
          d.lines.back().geometry = std::move(part);
        }
        ++ln_report->loaded[kind];
      }
    }
    layer->SetAttributeFilter(nullptr);
  }
  if (errors_.failures() != failures_before) {
    const std::string gdal_text = errors_.failure_text();
    // GDAL's fast node index needs increasing node ids; JOSM and osmWebWizard write new
    // elements with negative or unordered ids. load_input reads such a file again without it.
    if (gdal_text.find("OSM_USE_CUSTOM_INDEXING") != std::string::npos ||
        gdal_text.find("Non increasing") != std::string::npos)
      throw OsmIdsNotSorted{gdal_text};
    throw InputError(path + ": reading the OpenStreetMap file failed: " +
                     (gdal_text.empty() ? errors_.first_failure() : gdal_text) +
                     ". The file looks truncated or corrupt: download or export it again.");
  }
  drop_building_parts(parts, stage.begin[kBuildings], path, *mp_report);
  if (!admin_communities.empty() || !place_communities.empty()) {
    // Administrative boundaries win; neighbourhood places are used only without them.
    const bool admin = !admin_communities.empty();
    if (admin && !place_communities.empty()) {
      std::vector<Community> kept;
      for (const std::size_t i : admin_communities) kept.push_back(std::move(d.communities[i]));
      d.communities.resize(communities_before);
      for (Community& c : kept) d.communities.push_back(std::move(c));
      mp_report->loaded["communities"] = kept.size();
    }
    // Boundaries that hold few of the file's buildings (an extract reaching past a city's
    // border, Monaco's quartiers in a Côte d'Azur extract) would leave most buildings outside
    // every community: then they are not used, and the built-up area is planned instead.
    const std::size_t found = d.communities.size() - communities_before;
    std::vector<Box> boxes;
    for (std::size_t i = communities_before; i < d.communities.size(); ++i)
      boxes.push_back(bounds(d.communities[i].footprint));
    std::size_t inside = 0;
    const std::size_t buildings = d.buildings.size() - stage.begin[kBuildings];
    for (std::size_t b = stage.begin[kBuildings]; b < d.buildings.size(); ++b) {
      const Point c = centroid(d.buildings[b].footprint);
      for (std::size_t k = 0; k < boxes.size(); ++k) {
        const Box& box = boxes[k];
        if (c.x < box.min_x || c.x > box.max_x || c.y < box.min_y || c.y > box.max_y) continue;
        const MultiPolygon& mp = d.communities[communities_before + k].footprint;
        if (std::any_of(mp.begin(), mp.end(),
                        [&c](const Polygon& p) { return point_in_polygon(p, c); })) {
          ++inside;
          break;
        }
      }
    }
    const std::string what =
        admin ? std::to_string(found) +
                    " administrative boundaries (boundary=administrative, "
                    "admin_level=" +
                    std::to_string(options_.osm_admin_level) + ")"
              : std::to_string(found) + " neighbourhood places (place=neighbourhood|quarter)";
    const double share = buildings == 0 ? 1.0 : static_cast<double>(inside) / buildings;
    if (share < kMinCommunityShare) {
      d.communities.resize(communities_before);
      mp_report->loaded.erase("communities");
      d.problems.report(
          Severity::info, "osm-communities-not-used", {path, "multipolygons", std::nullopt},
          what + " hold only " + std::to_string(inside) + " of the " + std::to_string(buildings) +
              " buildings (less than 90 %); not used as communities — give a "
              "community layer, or another input.osm_admin_level");
    } else {
      std::string names;
      for (std::size_t i = communities_before, n = 0; i < d.communities.size() && n < 10; ++i, ++n)
        names += (n ? ", " : "") +
                 (d.communities[i].name.empty() ? d.communities[i].code : d.communities[i].name);
      if (d.communities.size() - communities_before > 10) names += ", …";
      d.problems.report(
          Severity::info, "communities-from-osm", {path, "multipolygons", std::nullopt},
          std::to_string(d.communities.size() - communities_before) +
              (admin ? " administrative boundaries (boundary=administrative, admin_level=" +
                           std::to_string(options_.osm_admin_level) + ")"
                     : std::string(" neighbourhood places (place=neighbourhood|quarter)")) +
              " are used as communities: " + names +
              ". Buildings outside them are listed; set input.osm_communities = false to plan the "
              "built-up area as one community, or input.osm_admin_level for another level");
    }
  }
  if (mp_report) note_unknown_uses({path, mp_report->name, std::nullopt}, *mp_report, "building");
  note_gdal_warnings({path, "", std::nullopt});
  stage.end = sizes_of(d);
  staged_.push_back(std::move(stage));
}

void Loader::drop_building_parts(const std::vector<std::size_t>& parts, std::size_t first,
                                 const std::string& path, LayerReport& report) {
  if (parts.empty()) return;
  Dataset& d = result_.dataset;
  std::vector<char> is_part(d.buildings.size(), 0);
  for (const std::size_t i : parts) is_part[i] = 1;
  std::vector<Box> boxes(d.buildings.size());
  for (std::size_t i = first; i < d.buildings.size(); ++i)
    boxes[i] = bounds(d.buildings[i].footprint);
  std::vector<char> drop(d.buildings.size(), 0);
  std::size_t dropped = 0;
  for (const std::size_t i : parts) {
    const Point c = centroid(d.buildings[i].footprint);
    for (std::size_t j = first; j < d.buildings.size(); ++j) {
      if (is_part[j] || c.x < boxes[j].min_x || c.x > boxes[j].max_x || c.y < boxes[j].min_y ||
          c.y > boxes[j].max_y)
        continue;
      const MultiPolygon& parent = d.buildings[j].footprint;
      if (!std::any_of(parent.begin(), parent.end(),
                       [&c](const Polygon& poly) { return point_in_polygon(poly, c); }))
        continue;
      drop[i] = 1;
      ++dropped;
      d.problems.report(Severity::info, "building-part", d.buildings[i].source,
                        "tagged building:part and inside building " +
                            location_text(d.buildings[j].source) +
                            "; dropped in favour of that parent building (its households would "
                            "be counted twice)");
      break;
    }
  }
  if (dropped == 0) return;
  std::size_t k = 0;
  for (std::size_t i = 0; i < d.buildings.size(); ++i)
    if (!drop[i]) {
      if (k != i) d.buildings[k] = std::move(d.buildings[i]);  // never a self-move
      ++k;
    }
  d.buildings.resize(k);
  report.skipped += dropped;
  report.loaded["buildings"] -= dropped;
  d.problems.report(Severity::info, "building-parts-dropped", {path, report.name, std::nullopt},
                    std::to_string(dropped) + " of " + std::to_string(parts.size()) +
                        " buildings tagged building:part lie inside another building and were "
                        "dropped in favour of it; the other " +
                        std::to_string(parts.size() - dropped) + " are kept as buildings");
}

}  // namespace gp::io::loader
