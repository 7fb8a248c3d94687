#pragma once
// A small reader of OSM XML extracts for tests/geo (whose tests link no GDAL): the closed
// building ways and the highway ways of a file such as ../shared/data/osm/nanjing-xinjiekou.osm,
// in metres, for tests that need real footprints and roads without the loader.

#include <geos_c.h>

#include <cmath>
#include <fstream>
#include <map>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "planner/core/geometry.hpp"
#include "planner/geo/geos.hpp"

namespace gp::test {

/// The value of attribute `name` on one line of OSM XML ("" when absent).
inline std::string osm_attribute(const std::string& line, const std::string& name) {
  const std::string key = " " + name + "=\"";
  const std::size_t at = line.find(key);
  if (at == std::string::npos) return {};
  const std::size_t from = at + key.size();
  return line.substr(from, line.find('"', from) - from);
}

struct OsmXmlWays {
  /// Closed ways tagged building, only those GEOS finds valid and with area (the tessellation's
  /// input is validated).
  std::vector<MultiPolygon> buildings;
  /// Open or closed ways tagged highway (not buildings): (highway value, line).
  std::vector<std::pair<std::string, LineString>> highways;
};

/// The ways of an OSM XML file in metres: a local equirectangular projection around the first
/// node, offset to Gauss-Krüger-sized ordinates (500 km east, 3,500 km north) so that the tests
/// meet the rounding of real projected coordinates. Ways with a node missing are skipped.
inline OsmXmlWays read_osm_xml(const std::string& path) {
  std::ifstream in(path);
  std::map<std::string, Point> nodes;
  OsmXmlWays out;
  std::string line;
  double lat0 = NAN;
  double lon0 = NAN;
  std::vector<std::string> refs;
  bool in_way = false;
  bool building = false;
  std::string highway;
  geo::GeosContext ctx;
  while (std::getline(in, line)) {
    if (line.find("<node ") != std::string::npos) {
      const double lat = std::stod(osm_attribute(line, "lat"));
      const double lon = std::stod(osm_attribute(line, "lon"));
      if (std::isnan(lat0)) {
        lat0 = lat;
        lon0 = lon;
      }
      constexpr double kMetresPerDegree = 6371000.0 * std::numbers::pi / 180.0;
      nodes[osm_attribute(line, "id")] = {
          500000.0 + (lon - lon0) * kMetresPerDegree * std::cos(lat0 * std::numbers::pi / 180.0),
          3500000.0 + (lat - lat0) * kMetresPerDegree};
    } else if (line.find("<way ") != std::string::npos) {
      in_way = true;
      building = false;
      highway.clear();
      refs.clear();
    } else if (in_way && line.find("<nd ") != std::string::npos) {
      refs.push_back(osm_attribute(line, "ref"));
    } else if (in_way && line.find("k=\"building\"") != std::string::npos) {
      building = true;
    } else if (in_way && line.find("k=\"highway\"") != std::string::npos) {
      highway = osm_attribute(line, "v");
    } else if (in_way && line.find("</way>") != std::string::npos) {
      in_way = false;
      LineString points;
      for (const std::string& ref : refs) {
        const auto it = nodes.find(ref);
        if (it == nodes.end()) break;
        points.push_back(it->second);
      }
      if (points.size() != refs.size()) continue;
      if (building) {
        if (refs.size() < 4 || refs.front() != refs.back()) continue;
        MultiPolygon footprint{{points, {}}};
        geo::GeomPtr g = geo::to_geos(ctx, footprint);
        if (GEOSisValid_r(ctx.handle(), g.get()) == 1 && area(footprint) > 0.0)
          out.buildings.push_back(std::move(footprint));
      } else if (!highway.empty() && points.size() >= 2) {
        out.highways.emplace_back(highway, std::move(points));
      }
    }
  }
  return out;
}

}  // namespace gp::test
