// Loader warnings for inputs that load but would mislead: two buildings with the same id, and
// text that is not UTF-8 in a format that must be UTF-8 (a GeoJSON saved as GBK). Both keep every
// building and say which features, in which file and layer, and what to do.

#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "io_test_support.hpp"
#include "planner/core/errors.hpp"
#include "planner/io/load.hpp"

using namespace gp;
using io::test::rect_wkt;
using io::test::TempDir;

namespace {

constexpr double kX = 384000, kY = 3546000;  // EPSG:4549 metres

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

/// A GeoJSON FeatureCollection in EPSG:4549 with one 20 m square per properties text, 50 m apart.
std::string geojson_squares(const std::vector<std::string>& properties) {
  std::string features;
  for (std::size_t i = 0; i < properties.size(); ++i) {
    const double x = kX + 50.0 * double(i), y = kY;
    auto p = [](double px, double py) {
      return "[" + std::to_string(px) + "," + std::to_string(py) + "]";
    };
    features += std::string(i ? "," : "") + R"({"type":"Feature","properties":)" + properties[i] +
                R"(,"geometry":{"type":"Polygon","coordinates":[[)" + p(x, y) + "," + p(x + 20, y) +
                "," + p(x + 20, y + 20) + "," + p(x, y + 20) + "," + p(x, y) + "]]}}";
  }
  return R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4549"}},"features":[)" +
         features + "]}";
}

io::LoadResult load_files(const std::vector<std::string>& paths) {
  io::LoadOptions options;
  for (const std::string& path : paths) options.inputs.push_back({path, "", {}});
  Progress progress;
  return io::load(options, progress);
}

std::vector<Problem> problems_of(const Dataset& dataset, const std::string& kind) {
  std::vector<Problem> found;
  for (const Problem& p : dataset.problems.problems())
    if (p.kind == kind) found.push_back(p);
  return found;
}

}  // namespace

TEST_CASE("duplicate building ids: each repeat is a warning naming both features") {
  TempDir dir("dup-ids");
  const std::string path = dir.file("buildings.geojson");
  write_bytes(path, geojson_squares({R"({"bid":7})", R"({"bid":8})", R"({"bid":7})"}));
  const io::LoadResult result = load_files({path});
  REQUIRE(result.dataset.buildings.size() == 3);  // nothing dropped
  const std::vector<Problem> found = problems_of(result.dataset, "duplicate-building-id");
  REQUIRE(found.size() == 1);
  const Problem& p = found.front();
  CHECK(p.severity == Severity::warning);
  CHECK(p.where.file == path);
  CHECK(p.where.layer == "buildings");
  CHECK(p.where.fid == 2);
  CHECK(p.message.find("building id 7 (field 'bid')") != std::string::npos);
  CHECK(p.message.find(path + ":buildings:0") != std::string::npos);
  CHECK(p.message.find("give each building its own id") != std::string::npos);
}

TEST_CASE("duplicate building ids across two files, and none when ids are unique or absent") {
  TempDir dir("dup-ids-files");
  const std::string a = dir.file("a.gpkg"), b = dir.file("b.gpkg"), c = dir.file("c.gpkg");
  using io::test::write_layer;
  write_layer(a, "GPKG", "buildings", 4549, wkbPolygon, {{"bid", OFTInteger64}},
              {{rect_wkt(kX, kY, 20, 12), {{"bid", "41"}}},
               {rect_wkt(kX, kY + 40, 20, 12), {{"bid", "42"}}}});
  write_layer(b, "GPKG", "buildings", 4549, wkbPolygon, {{"bid", OFTInteger64}},
              {{rect_wkt(kX + 60, kY, 20, 12), {{"bid", "42"}}}});
  write_layer(c, "GPKG", "buildings", 4549, wkbPolygon, {{"name", OFTString}},
              {{rect_wkt(kX + 120, kY, 20, 12), {{"name", "a"}}}});

  const io::LoadResult both = load_files({a, b});
  const std::vector<Problem> found = problems_of(both.dataset, "duplicate-building-id");
  REQUIRE(found.size() == 1);
  CHECK(found.front().where.file == b);
  CHECK(found.front().message.find("building id 42") != std::string::npos);
  CHECK(found.front().message.find(a + ":buildings:2") != std::string::npos);

  CHECK(problems_of(load_files({a}).dataset, "duplicate-building-id").empty());
  // Without an id field ids come from the fid: two files both start at 1, which is not the
  // user's doing and is not reported.
  CHECK(problems_of(load_files({c, c}).dataset, "duplicate-building-id").empty());
}

TEST_CASE("duplicate building ids: a layer of repeated ids lists twenty and counts the rest") {
  TempDir dir("dup-ids-many");
  const std::string path = dir.file("buildings.geojson");
  std::vector<std::string> properties(45, R"({"bid":0})");
  write_bytes(path, geojson_squares(properties));
  const io::LoadResult result = load_files({path});
  REQUIRE(result.dataset.buildings.size() == 45);
  const std::vector<Problem> found = problems_of(result.dataset, "duplicate-building-id");
  REQUIRE(found.size() == 21);
  CHECK(found.back().where.fid == 21);
  CHECK(found.back().message.find("24 more buildings") != std::string::npos);
}

TEST_CASE("GBK bytes in a GeoJSON: a warning names the features and says to convert to UTF-8") {
  TempDir dir("gbk-geojson");
  const std::string path = dir.file("buildings.geojson");
  // "测试" in GBK (b2e2 cad4) is not UTF-8, which GeoJSON requires; "测试" in UTF-8 is fine.
  write_bytes(path, geojson_squares({"{\"name\":\"\xb2\xe2\xca\xd4\"}",
                                     "{\"name\":\"\xe6\xb5\x8b\xe8\xaf\x95\"}",
                                     "{\"name\":\"\xb2\xe2\"}"}));
  const io::LoadResult result = load_files({path});
  REQUIRE(result.dataset.buildings.size() == 3);  // loaded, the bytes kept as they are
  const std::vector<Problem> found = problems_of(result.dataset, "text-not-utf8");
  REQUIRE(found.size() == 1);  // one per layer
  const Problem& p = found.front();
  CHECK(p.severity == Severity::warning);
  CHECK(p.where.file == path);
  CHECK(p.where.layer == "buildings");
  CHECK(p.where.fid == 0);
  CHECK(p.message.find("field 'name'") != std::string::npos);
  CHECK(p.message.find("b2 e2 ca d4") != std::string::npos);
  CHECK(p.message.find("GeoJSON files must be UTF-8") != std::string::npos);
  CHECK(p.message.find("features 0, 2 have") != std::string::npos);
  CHECK(p.message.find("iconv -f GBK -t UTF-8") != std::string::npos);

  const std::string clean = dir.file("clean.geojson");
  write_bytes(clean, geojson_squares({"{\"name\":\"\xe6\xb5\x8b\xe8\xaf\x95\"}"}));
  CHECK(problems_of(load_files({clean}).dataset, "text-not-utf8").empty());
}
