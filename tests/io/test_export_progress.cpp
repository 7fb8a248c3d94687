// Progress through the export (issue 14 item 5): the export of a 100k-building plan took 15 s
// without an update. Gaps between updates are counted in features written (work units), not in
// wall time, so the test holds on any machine.

#include <gdal_priv.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "io_test_support.hpp"
#include "planner/core/progress.hpp"
#include "planner/io/export.hpp"
#include "planner/report/layers.hpp"

using namespace gp;

namespace {

std::string wkt_of_epsg(int epsg) {
  io::test::register_gdal();
  OGRSpatialReference srs;
  srs.importFromEPSG(epsg);
  char* text = nullptr;
  srs.exportToWkt(&text);
  std::string wkt = text;
  CPLFree(text);
  return wkt;
}

/// A point layer of `count` features with an id and a name each (EPSG:4547 coordinates).
report::LayerTable points(int count) {
  report::LayerTable table;
  table.name = "points";
  table.chinese = "点";
  table.geometry = report::GeometryKind::point;
  table.fields = {{"id", "id", "编号", report::FieldType::integer, "feature number"},
                  {"name", "name", "名称", report::FieldType::text, "feature name"}};
  for (int i = 0; i < count; ++i) {
    report::Feature f;
    f.point = {500000.0 + i % 100, 3500000.0 + i / 100};
    f.has_point = true;
    f.values = {static_cast<long long>(i), "点" + std::to_string(i)};
    table.features.push_back(std::move(f));
  }
  return table;
}

}  // namespace

TEST_CASE("export: progress every few thousand features, over every format, within its range") {
  const int count = 30000;
  const std::vector<report::LayerTable> layers = {points(count)};
  std::vector<double> fractions;
  bool estimate = false;
  double clock = 0.0;
  Progress progress(
      [&](const ProgressReport& r) {
        REQUIRE(r.stage == "export");
        fractions.push_back(r.fraction);
        estimate = estimate || r.stage_left_s.has_value();
      },
      [&] { return clock += 1.0; });

  io::test::TempDir dir("export-progress");
  io::ExportOptions options;
  options.formats = {"shp", "geojson"};
  options.progress = &progress;
  options.progress_begin = 0.2;
  options.progress_end = 0.8;
  io::export_layers(layers, wkt_of_epsg(4547), dir.file(""), options);

  // 3 formats × 30,000 features = 90,000 written, an update every 4,096 of them; and the
  // GeoPackage layer's R-tree, 6 units per feature, reported while SQLite builds it (SQLite's
  // progress handler: an update every 1,000 of its steps, 60 units, here where every reading of
  // the clock is a second).
  const double total = 3.0 * count + 6.0 * count;
  REQUIRE(fractions.size() >= static_cast<std::size_t>(3.0 * count / 4096) + 100);
  CHECK(fractions.front() == Approx(0.2));
  CHECK(fractions.back() == Approx(0.8));
  double largest = 0.0;
  for (std::size_t i = 1; i < fractions.size(); ++i) {
    CHECK(fractions[i] >= fractions[i - 1]);
    largest = std::max(largest, fractions[i] - fractions[i - 1]);
  }
  // The largest step, in units: at most 4,096 features' worth of the 270,000 (the R-tree's
  // 180,000 move in steps of 60).
  CHECK(largest * total / 0.6 <= 4096.0 + 1e-6);
  CHECK(estimate);
}
