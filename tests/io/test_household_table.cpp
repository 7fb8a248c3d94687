// A household table as departments keep it (CSV or XLSX: building id or address, 户数) joined to
// the buildings: matched rows set the households (not estimated), unmatched rows are listed with
// file and row, buildings without a row keep their estimate.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "io_test_support.hpp"
#include "planner/io/load.hpp"

using namespace gp;

namespace {

const Problem* find_problem(const Dataset& d, const std::string& kind) {
  for (const Problem& p : d.problems.problems())
    if (p.kind == kind) return &p;
  return nullptr;
}

}  // namespace

TEST_CASE("household table (CSV) joined by building id on Nanjing's buildings",
          "[household-table][real]") {
  const std::filesystem::path osm =
      std::filesystem::path(GRIDPLAN_SHARED_DATA_DIR) / "osm" / "nanjing-xinjiekou.osm";
  if (!std::filesystem::exists(osm)) {
    WARN("skipped: " << osm << " missing");
    return;
  }
  io::LoadOptions options;
  options.inputs.push_back({osm.string(), "", {}});
  Progress progress;
  const io::LoadResult before = io::load(options, progress);
  const std::vector<Building>& buildings = before.dataset.buildings;
  REQUIRE(buildings.size() > 200);

  io::test::TempDir dir("household-table");
  const std::string csv = dir.file("户数表.csv");
  std::map<std::int64_t, int> given;
  {
    std::ofstream out(csv);
    out << "楼栋编号,户数,备注\n";
    // Every third of the first 150 buildings, with figures the estimate would not give.
    for (std::size_t i = 0; i < 150; i += 3) {
      const int households = 7 + static_cast<int>(i);
      given[buildings[i].id] = households;
      out << buildings[i].id << "," << households << ",\n";
    }
    out << "999999999999,12,no such building\n";  // data row 51 → row 52 of the file
  }
  options.household_table.path = csv;
  const io::LoadResult after = io::load(options, progress);
  const Dataset& d = after.dataset;
  REQUIRE(d.buildings.size() == buildings.size());
  std::size_t set = 0, kept = 0;
  for (std::size_t b = 0; b < d.buildings.size(); ++b) {
    const Building& x = d.buildings[b];
    REQUIRE(x.id == buildings[b].id);
    if (const auto g = given.find(x.id); g != given.end()) {
      CHECK(x.households == g->second);
      CHECK_FALSE(x.households_estimated);
      CHECK(x.households_source == HouseholdSource::table);
      ++set;
    } else {
      CHECK(x.households == buildings[b].households);
      CHECK(x.households_estimated == buildings[b].households_estimated);
      CHECK(x.households_source == buildings[b].households_source);
      CHECK(x.households_source ==
            (x.households_estimated ? HouseholdSource::estimate : HouseholdSource::field));
      ++kept;
    }
  }
  CHECK(set == given.size());
  CHECK(kept == buildings.size() - given.size());
  const Problem* unmatched = find_problem(d, "household-table-unmatched");
  REQUIRE(unmatched);
  CHECK(unmatched->where.file == csv);
  CHECK(unmatched->message.find("row 52") != std::string::npos);
  CHECK(unmatched->message.find("999999999999") != std::string::npos);
  CHECK(d.problems.counts_by_kind()["household-table-unmatched"] == 1);
  const Problem* note = find_problem(d, "household-table");
  REQUIRE(note);
  CHECK(note->message.find("50 of 51 rows") != std::string::npos);
}

TEST_CASE("household table (XLSX) joined by address, bad rows and columns are said",
          "[household-table]") {
  io::test::TempDir dir("household-xlsx");
  const std::string buildings = dir.file("楼栋.gpkg");
  io::test::write_layer(buildings, "GPKG", "楼栋", 4547, wkbPolygon,
                        {{"地址", OFTString}, {"户数", OFTInteger}},
                        {{io::test::rect_wkt(500000, 3500000, 20, 20), {{"地址", "中山路1号"}}},
                         {io::test::rect_wkt(500100, 3500000, 20, 20), {{"地址", "中山路3号"}}},
                         {io::test::rect_wkt(500200, 3500000, 20, 20), {{"地址", "中山路5号"}}}});
  const std::string xlsx = dir.file("住户.xlsx");
  io::test::write_layer(xlsx, "XLSX", "Sheet1", 0, wkbNone,
                        {{"地址", OFTString}, {"住户数", OFTString}},
                        {{"", {{"地址", "中山路1号"}, {"住户数", "40"}}},
                         {"", {{"地址", " 中山路3号 "}, {"住户数", "many"}}},
                         {"", {{"地址", "中山路9号"}, {"住户数", "8"}}}});
  io::LoadOptions options;
  options.inputs.push_back({buildings, "", {}});
  options.fields[io::LayerRole::buildings]["name"] = "地址";
  options.household_table = {xlsx, "", "name", "", ""};
  Progress progress;
  const io::LoadResult r = io::load(options, progress);
  std::map<std::string, const Building*> by_name;
  for (const Building& b : r.dataset.buildings) by_name[b.name] = &b;
  REQUIRE(by_name.size() == 3);
  CHECK(by_name.at("中山路1号")->households == 40);
  CHECK_FALSE(by_name.at("中山路1号")->households_estimated);
  CHECK(by_name.at("中山路1号")->households_source == HouseholdSource::table);
  CHECK(by_name.at("中山路3号")->households_estimated);  // "many": not used, said
  CHECK(by_name.at("中山路3号")->households_source == HouseholdSource::estimate);
  CHECK(by_name.at("中山路5号")->households_estimated);
  auto kinds = r.dataset.problems.counts_by_kind();
  CHECK(kinds["household-table-unreadable"] == 1);
  CHECK(kinds["household-table-unmatched"] == 1);
  const Problem* unmatched = find_problem(r.dataset, "household-table-unmatched");
  REQUIRE(unmatched);
  CHECK(unmatched->message.find("row 4") != std::string::npos);
  CHECK(unmatched->message.find("中山路9号") != std::string::npos);

  options.household_table.households_column = "户口";
  CHECK_THROWS_WITH(io::load(options, progress),
                    Catch::Contains("no column '户口'") && Catch::Contains("住户数"));
}

TEST_CASE("text building ids (楼栋编号 'A-01-3') are kept, not read as 0 duplicates",
          "[household-table][ids]") {
  io::test::TempDir dir("text-ids");
  const std::string path = dir.file("楼栋.gpkg");
  io::test::write_layer(path, "GPKG", "楼栋", 4547, wkbPolygon, {{"楼栋编号", OFTString}},
                        {{io::test::rect_wkt(500000, 3500000, 20, 20), {{"楼栋编号", "A-01-3"}}},
                         {io::test::rect_wkt(500100, 3500000, 20, 20), {{"楼栋编号", "A-01-4"}}},
                         {io::test::rect_wkt(500200, 3500000, 20, 20), {{"楼栋编号", " 12 "}}}});
  const std::string csv = dir.file("户数.csv");
  {
    std::ofstream out(csv);
    out << "楼栋编号,户数\nA-01-4,33\n";
  }
  io::LoadOptions options;
  options.inputs.push_back({path, "", {}});
  options.household_table = {csv, "", "name", "楼栋编号", ""};
  Progress progress;
  const io::LoadResult r = io::load(options, progress);
  auto kinds = r.dataset.problems.counts_by_kind();
  CHECK(kinds["duplicate-building-id"] == 0);
  CHECK(kinds["text-building-ids"] == 1);
  CHECK(kinds["household-table-unmatched"] == 0);
  std::map<std::string, const Building*> by_name;
  for (const Building& b : r.dataset.buildings) by_name[b.name] = &b;
  REQUIRE(by_name.count("A-01-3") == 1);
  REQUIRE(by_name.count("A-01-4") == 1);
  CHECK(by_name.at("A-01-3")->id != by_name.at("A-01-4")->id);
  CHECK(by_name.at("A-01-4")->households == 33);
  CHECK_FALSE(by_name.at("A-01-4")->households_estimated);
  bool numeric = false;
  for (const Building& b : r.dataset.buildings) numeric |= b.id == 12;
  CHECK(numeric);
}
