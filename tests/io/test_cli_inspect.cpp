// `gridplan inspect --json` end to end: run the real executable and parse its JSON.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "../support/shell.hpp"

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "io_test_support.hpp"

namespace {

struct RunResult {
  int exit_code = -1;
  std::string out;
};

/// Runs a shell command, capturing stdout (stderr is left to the test log).
RunResult run(const std::string& command) {
  gp::test::ShellResult r = gp::test::shell(command, gp::test::Stderr::to_log);
  return {r.code, std::move(r.out)};
}

std::string quoted(const std::string& s) {
  return "'" + s + "'";
}

}  // namespace

TEST_CASE("gridplan inspect --json describes an OSM file", "[cli]") {
  const std::string cli = GRIDPLAN_CLI_PATH;
  if (!std::filesystem::exists(cli)) {
    WARN("skipped: " << cli << " not built (build the gridplan target)");
    return;
  }
  const std::string osm = std::string(GRIDPLAN_TEST_DATA_DIR) + "/osm/small-town.osm";
  const RunResult r = run(quoted(cli) + " inspect --json --all " + quoted(osm));
  REQUIRE(r.exit_code == 0);
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  CHECK(doc["crs"]["epsg"] == 4547);
  CHECK(doc["dataset"]["buildings"] == 5);
  CHECK(doc["dataset"]["compounds"] == 1);
  CHECK(doc["dataset"]["roads"] == 4);
  CHECK(doc["dataset"]["rivers"] == 1);
  REQUIRE(doc["sources"].size() == 1);
  CHECK(doc["sources"][0]["driver"] == "OSM");
  bool found_multipolygons = false;
  for (const auto& layer : doc["sources"][0]["layers"]) {
    if (layer["name"] != "multipolygons") continue;
    found_multipolygons = true;
    CHECK(layer["role"] == "osm");
    CHECK(layer["crs"]["epsg"] == 4326);
    CHECK(layer["loaded"]["buildings"] == 5);
  }
  CHECK(found_multipolygons);
  CHECK(doc["problems"]["by_kind"]["not-a-building"] == 1);
  CHECK(doc["problems"]["listed"] == doc["problems"]["total"]);
  CHECK(doc["validation"].is_object());
}

TEST_CASE("gridplan inspect exit codes: missing file 3, --strict 5", "[cli]") {
  const std::string cli = GRIDPLAN_CLI_PATH;
  if (!std::filesystem::exists(cli)) {
    WARN("skipped: " << cli << " not built");
    return;
  }
  CHECK(run(quoted(cli) + " inspect /nonexistent/file.gpkg 2>/dev/null").exit_code == 3);
  // A building without geometry is a warning, which --strict turns into exit code 5 after the
  // report has been printed.
  gp::io::test::TempDir dir("cli-strict");
  const std::string path = dir.file("buildings.geojson");
  gp::io::test::write_layer(path, "GeoJSON", "buildings", 4326, wkbPolygon, {{"name", OFTString}},
                            {{"POLYGON((118.78 32.04,118.7805 32.04,118.7805 32.0405,118.78 "
                              "32.04))",
                              {{"name", "a"}}},
                             {"", {{"name", "no geometry"}}}});
  CHECK(run(quoted(cli) + " inspect " + quoted(path) + " 2>/dev/null").exit_code == 0);
  const RunResult strict = run(quoted(cli) + " inspect --strict " + quoted(path) + " 2>/dev/null");
  CHECK(strict.exit_code == 5);
  CHECK(strict.out.find("Projected CRS: CGCS2000 / 3-degree Gauss-Kruger CM 120E") !=
        std::string::npos);
  CHECK(strict.out.find(path + ":buildings:") != std::string::npos);
  const std::string osm = std::string(GRIDPLAN_TEST_DATA_DIR) + "/osm/small-town.osm";
  CHECK(run(quoted(cli) + " inspect --field buildings.flats=x " + quoted(osm) + " 2>/dev/null")
            .exit_code == 4);
}

TEST_CASE("gridplan inspect reads a GBK shapefile without .cpg as GB18030, said, overridable",
          "[cli]") {
  const std::string cli = GRIDPLAN_CLI_PATH;
  if (!std::filesystem::exists(cli)) {
    WARN("skipped: " << cli << " not built");
    return;
  }
  gp::io::test::TempDir dir("cli-gbk");
  const std::string path = dir.file("楼栋.shp");
  gp::io::test::write_layer(
      path, "ESRI Shapefile", "楼栋", 4549, wkbPolygon, {{"名称", OFTString}, {"户数", OFTInteger}},
      {{gp::io::test::rect_wkt(384000, 3546000, 30, 12), {{"名称", "1号楼"}, {"户数", "24"}}}},
      {"ENCODING=GBK"});
  std::filesystem::remove(dir.file("楼栋.cpg"));
  const RunResult raw = run(quoted(cli) + " inspect --json " + quoted(path) + " 2>/dev/null");
  REQUIRE(raw.exit_code == 0);
  const nlohmann::json doc = nlohmann::json::parse(raw.out);
  // No .cpg, text not UTF-8 but clean GB18030: read as GB18030, said, Chinese fields recognised.
  CHECK(doc["problems"]["by_kind"]["encoding-detected"] == 1);
  CHECK_FALSE(doc["problems"]["by_kind"].contains("unknown-encoding"));
  const nlohmann::json detected = doc["sources"][0]["layers"][0];
  CHECK(detected["encoding"]["from"] == "detected");
  CHECK(detected["field_mapping"]["households"] == "户数");
  CHECK(detected["field_mapping"]["name"] == "名称");
  CHECK(doc["dataset"]["households"] == 24);
  CHECK(doc["dataset"]["buildings_households_given"] == 1);

  const RunResult decoded =
      run(quoted(cli) + " inspect --json --encoding GBK " + quoted(path) + " 2>/dev/null");
  REQUIRE(decoded.exit_code == 0);
  const nlohmann::json layer = nlohmann::json::parse(decoded.out)["sources"][0]["layers"][0];
  CHECK(layer["encoding"]["from"] == "option");
  CHECK(layer["field_mapping"]["households"] == "户数");
  CHECK(layer["fields"][0]["name"] == "名称");
}
