#pragma once
// A tiny town in EPSG:4547 written as GeoJSON, and running the gridplan executable: shared by the
// CLI tests (test_run.cpp, test_doors.cpp) and the studio's door tests (tests/studio).

#include <catch2/catch.hpp>

#include "../support/shell.hpp"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace gp::test {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string output;  // stdout and stderr
};

inline Result run(const std::string& command) {
  ShellResult r = shell(command, Stderr::merged);
  return {r.code, std::move(r.out)};
}

inline std::string gridplan() {
  return GRIDPLAN_CLI_PATH;
}

/// Runs `gridplan ARGS` and requires success (the output is the failure's message).
inline Result gridplan_ok(const std::string& args) {
  Result r = run(gridplan() + " " + args);
  if (r.code != 0) FAIL("gridplan " << args << " exited " << r.code << ":\n" << r.output);
  return r;
}

inline std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string square(double x, double y, double size) {
  std::ostringstream out;
  out << "[[[" << x << "," << y << "],[" << x + size << "," << y << "],[" << x + size << ","
      << y + size << "],[" << x << "," << y + size << "],[" << x << "," << y << "]]]";
  return out.str();
}

inline const char* kCrs =
    R"("crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4547"}})";

/// A tiny town in EPSG:4547: 24 buildings of 40 households in a 6 × 4 block, one community,
/// a street grid, one compound station.
class TinyTown {
 public:
  TinyTown() {
    std::random_device random;
    root_ = fs::temp_directory_path() / ("gridplan-cli-run-" + std::to_string(random()));
    fs::create_directories(root_ / "in");
    const double x0 = 500000, y0 = 3500000;
    std::ostringstream buildings;
    buildings << R"({"type":"FeatureCollection","name":"buildings",)" << kCrs << R"(,"features":[)";
    for (int i = 0; i < 24; ++i) {
      buildings << (i ? "," : "") << R"({"type":"Feature","properties":{"id":)" << 1000 + i
                << R"(,"name":"幸福小区)" << i + 1 << R"(号楼","households":40,"floors":6},)"
                << R"("geometry":{"type":"Polygon","coordinates":)"
                << square(x0 + 15 + (i % 6) * 50, y0 + 15 + (i / 6) * 50, 20) << "}}";
    }
    buildings << "]}";
    std::ofstream(root_ / "in" / "buildings.geojson") << buildings.str();
    std::ofstream(root_ / "in" / "communities.geojson")
        << R"({"type":"FeatureCollection","name":"communities",)" << kCrs
        << R"(,"features":[{"type":"Feature","properties":{"code":"140221100001","name":"幸福社区"},)"
        << R"("geometry":{"type":"Polygon","coordinates":)" << square(x0, y0, 300) << "}}]}";
    std::ostringstream roads;
    roads << R"({"type":"FeatureCollection","name":"roads",)" << kCrs << R"(,"features":[)";
    for (int i = 0; i <= 6; ++i)
      roads
          << (i ? "," : "")
          << R"({"type":"Feature","properties":{"highway":"residential"},"geometry":{"type":"LineString","coordinates":[[)"
          << x0 + i * 50 << "," << y0 << "],[" << x0 + i * 50 << "," << y0 + 200 << "]]}}";
    for (int j = 0; j <= 4; ++j)
      roads
          << R"(,{"type":"Feature","properties":{"highway":"residential"},"geometry":{"type":"LineString","coordinates":[[)"
          << x0 << "," << y0 + j * 50 << "],[" << x0 + 300 << "," << y0 + j * 50 << "]]}}";
    roads << "]}";
    std::ofstream(root_ / "in" / "roads.geojson") << roads.str();
    std::ofstream(root_ / "in" / "stations.geojson")
        << R"({"type":"FeatureCollection","name":"stations",)" << kCrs
        << R"(,"features":[{"type":"Feature","properties":{"id":1,"name":"幸福小区党群服务站","tier":"compound_station","floor_m2":120},)"
        << R"("geometry":{"type":"Point","coordinates":[)" << x0 + 100 << "," << y0 + 100
        << "]}}]}";
    std::ofstream(root_ / "tiny.toml") << R"([scenario]
name = "小镇基线"
seed = 3

[input]
files = ["in/buildings.geojson", "in/communities.geojson", "in/roads.geojson", "in/stations.geojson"]

[grids.large]
min = 200
max = 400
target = 300
source = "test bounds"

[grids.micro]
min = 60
max = 160
target = 120

[workers]
full_time = 4
part_time = 4

[simulation]
replications = 2
horizon_days = 14

[stations.siting]
new_stations = 1
)";
    std::ofstream(root_ / "missing.toml") << "[input]\nfiles = [\"in/nowhere.gpkg\"]\n";
  }
  ~TinyTown() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  [[nodiscard]] std::string path(const std::string& name) const { return (root_ / name).string(); }
  /// The input files in/NAME.geojson, each after `flag` (" --input" for run, "" for plan).
  [[nodiscard]] std::string inputs(std::initializer_list<const char*> names,
                                   const std::string& flag = "") const {
    std::string out;
    for (const char* name : names) out += flag + " " + path(std::string("in/") + name + ".geojson");
    return out;
  }
  /// minmax.toml: the town with only min and max of both levels (targets left to resolve: 175 and
  /// 65), seed 3, no simulation. The door tests' scenario for "the same target everywhere".
  [[nodiscard]] std::string min_max_scenario() const {
    std::ofstream(root_ / "minmax.toml") << R"([scenario]
name = "min-max"
seed = 3
[input]
files = ["in/buildings.geojson", "in/communities.geojson", "in/roads.geojson"]
[grids.large]
min = 100
max = 250
[grids.micro]
min = 40
max = 90
[simulation]
enabled = false
)";
    return path("minmax.toml");
  }
  /// Entries of the root directory whose name contains `part`.
  [[nodiscard]] int count_entries(const std::string& part) const {
    int n = 0;
    for (const auto& e : fs::directory_iterator(root_))
      n += e.path().filename().string().find(part) != std::string::npos ? 1 : 0;
    return n;
  }

 private:
  fs::path root_;
};

/// bid → the values of `fields` joined by '/' ("55/table") of a plan.gpkg's buildings layer (read
/// with ogr2ogr as CSV; values without commas).
inline std::map<std::string, std::string> building_values(const std::string& gpkg,
                                                          const std::vector<std::string>& fields) {
  const std::string csv = gpkg + ".values.csv";
  std::string select = "bid";
  for (const std::string& f : fields) select += "," + f;
  const Result r =
      run("ogr2ogr -f CSV " + csv + " " + gpkg + " buildings -select " + select + " -overwrite");
  REQUIRE(r.code == 0);
  std::map<std::string, std::string> out;
  std::istringstream in(read(csv));
  std::string line;
  std::getline(in, line);  // header
  // GDAL's CSV quotes values that look like numbers ("14022110000101"): unquote.
  auto unquote = [](std::string v) {
    if (!v.empty() && v.back() == '\r') v.pop_back();
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return v;
  };
  while (std::getline(in, line)) {
    std::vector<std::string> values;
    for (std::size_t at = 0;;) {
      const std::size_t comma = line.find(',', at);
      values.push_back(unquote(line.substr(at, comma - at)));
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
    std::string joined;
    for (std::size_t i = 1; i < values.size(); ++i) joined += (i > 1 ? "/" : "") + values[i];
    out[values.front()] = joined;
  }
  fs::remove(csv);
  return out;
}

/// bid → "large_code/micro_code" of a plan.gpkg's buildings layer.
inline std::map<std::string, std::string> assignment(const std::string& gpkg) {
  return building_values(gpkg, {"large_code", "micro_code"});
}

/// "layer: field (Type)" for every field of every layer of a GeoPackage (ogrinfo -so).
inline std::set<std::string> schema(const std::string& gpkg) {
  std::set<std::string> fields;
  for (const char* layer :
       {"communities", "large_grids", "micro_grids", "buildings", "stations", "diagnostics"}) {
    const Result r = run("ogrinfo -ro -so -nomd " + gpkg + " " + layer);
    REQUIRE(r.code == 0);
    static const std::regex field(R"(^(\w+): (\w+) \()");
    std::istringstream in(r.output);
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (std::regex_search(line, m, field) && m[1] != "Geometry" && m[1] != "Layer" &&
          m[1] != "Extent" && m[1] != "FID")
        fields.insert(std::string(layer) + ": " + m[1].str() + " (" + m[2].str() + ")");
    }
  }
  return fields;
}

}  // namespace gp::test
