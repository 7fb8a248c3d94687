// The coverage check by edges (geo/coverage_check.hpp, issue 14 item 2) against the union check
// it replaced, on the real extracts and the bureau-style inputs: the plan's coverage figures
// (metrics.json, from the plan assembly) and `gridplan check`'s (the plan audit on the exported
// polygons) are the same whether computed by the edges or, with GRIDPLAN_COVERAGE_BY_UNION=1, by
// one GEOS union per container. Skipped cleanly when ../shared/data is absent.
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include <catch2/catch.hpp>

#include "../support/shell.hpp"

namespace fs = std::filesystem;

namespace {

using gp::test::quote;
using gp::test::shell;
using gp::test::Stderr;
using Result = gp::test::ShellResult;

/// `gridplan run` of `input` into <runs>/coverage-<name>[-union], by edges or by the union.
fs::path run(const std::string& name, const fs::path& input, bool by_union) {
  const fs::path out =
      fs::current_path() / "realdata-runs" / ("coverage-" + name + (by_union ? "-union" : ""));
  fs::create_directories(out.parent_path());
  const Result r = shell(std::string(by_union ? "GRIDPLAN_COVERAGE_BY_UNION=1 " : "") +
                             GRIDPLAN_CLI_PATH + " run --input " + quote(input) + " --out " +
                             quote(out) + " --overwrite --no-simulation -q",
                         Stderr::discarded);
  INFO(r.out);
  REQUIRE(r.code == 0);
  return out;
}

nlohmann::json check(const fs::path& plan, const fs::path& input, bool by_union) {
  const Result r =
      shell(std::string(by_union ? "GRIDPLAN_COVERAGE_BY_UNION=1 " : "") + GRIDPLAN_CLI_PATH +
                " check " + quote(plan / "plan.gpkg") + " --input " + quote(input) + " --json -q",
            Stderr::discarded);
  INFO(r.out);
  REQUIRE_NOTHROW(nlohmann::json::parse(r.out));
  return nlohmann::json::parse(r.out);
}

double number(const nlohmann::json& j, const char* key) {
  INFO(key);
  REQUIRE(j.contains(key));
  return j[key].get<double>();
}

/// Coverage figures (m²) agree to 1e-6 relative, or 1e-3 m² when they are rounding noise.
void same_area(double edges, double oracle) {
  CHECK(std::abs(edges - oracle) <= std::max(1e-3, 1e-6 * std::abs(oracle)));
}

void compare(const std::string& name, const fs::path& input) {
  INFO(name);
  const fs::path by_edges = run(name, input, false);
  const fs::path by_union = run(name, input, true);
  std::ifstream e(by_edges / "metrics.json"), u(by_union / "metrics.json");
  const nlohmann::json ke = nlohmann::json::parse(e)["kpis"], ku = nlohmann::json::parse(u)["kpis"];
  for (const char* key : {"coverage_gap_m2", "coverage_overlap_m2"}) {
    INFO(key << ": by edges " << ke[key] << ", by union " << ku[key]);
    same_area(number(ke, key), number(ku, key));
  }
  // The audit of the same exported plan both ways.
  const nlohmann::json ae = check(by_edges, input, false)["audit"];
  const nlohmann::json au = check(by_edges, input, true)["audit"];
  for (const char* key : {"coverage_gaps", "coverage_overlaps", "coverage_outside"}) {
    INFO(key << ": by edges " << ae[key] << ", by union " << au[key]);
    CHECK(ae[key] == au[key]);
  }
  for (const char* key : {"coverage_gap_m2", "coverage_overlap_m2"}) {
    if (!ae.contains(key)) continue;
    INFO(key << ": by edges " << ae[key] << ", by union " << au[key]);
    same_area(number(ae, key), number(au, key));
  }
}

fs::path extract(const char* file) {
  return fs::path(GRIDPLAN_SHARED_DATA_DIR) / "osm" / file;
}

}  // namespace

TEST_CASE("realdata: the coverage check by edges agrees with the union on every extract",
          "[realdata]") {
  for (const char* file : {"nanjing-xinjiekou.osm", "helsinki-centre.osm.pbf", "monaco.osm.pbf"}) {
    if (!fs::exists(extract(file))) {
      WARN("skipped: " << extract(file) << " is absent (real OSM extracts live in ../shared/data)");
      continue;
    }
    compare(fs::path(file).stem().stem().string(), extract(file));
  }
}
