#include "planner/cli/input_options.hpp"

#include "planner/core/errors.hpp"

namespace gp::cli {
namespace {

io::LayerRole role_or_throw(const std::string& name, const std::string& option) {
  if (const auto role = io::parse_role(name)) return *role;
  throw ConfigError(option + ": unknown role '" + name +
                    "'; roles: buildings, compounds, communities, roads, rivers, water, rail, "
                    "walkways, stations, grids");
}

}  // namespace

void add_input_options(CLI::App* cmd, InputArgs& args) {
  cmd->add_option("--role", args.roles,
                  "Role of a layer LAYER=ROLE, e.g. 楼栋=buildings (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--field", args.fields,
                  "Field mapping ROLE.KEY=FIELD, e.g. buildings.households=HU_SHU (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--encoding", args.encoding,
                  "Shapefile text encoding of the inputs when there is no .cpg, e.g. GBK, "
                  "GB18030, UTF-8");
  cmd->add_option("--assume-crs", args.assume_crs,
                  "CRS of layers that have none, e.g. EPSG:4326 or EPSG:4549");
  cmd->add_option("--target-crs", args.target_crs,
                  "Projected CRS in metres to compute in instead of the automatic choice");
  cmd->add_flag("--gcj02", args.gcj02,
                "Coordinates are GCJ-02 (from Chinese web maps): correct them to WGS84");
  cmd->add_option("--household-table", args.household_table,
                  "Table of households per building (CSV, XLSX or ODS) from the civil-affairs or "
                  "public-security department; its counts replace the estimate")
      ->check(CLI::ExistingFile);
  cmd->add_option("--household-sheet", args.household_table_layer,
                  "Sheet (or layer) of the household table; default: the first");
  cmd->add_option("--household-join", args.household_join,
                  "How household-table rows find their building: id (the buildings' id field, "
                  "default) or name (the buildings' name/address field)")
      ->check(CLI::IsMember({"id", "name"}));
  cmd->add_option(
      "--household-key", args.household_key_column,
      "Household-table column holding the building id or name; default: the first "
      "of bid, id, building_id, 楼栋编号, 编号 (id) or address, name, 地址, 名称 (name)");
  cmd->add_option("--household-column", args.household_count_column,
                  "Household-table column holding the households; default: the first of "
                  "households, hh, 户数, 住户数, 户");
  cmd->add_option("--point-building-side", args.point_building_side_m,
                  "Side in metres of the square a building given as a point stands for "
                  "(default 10)")
      ->check(CLI::Range(1.0, 200.0));
}

void apply_input_options(const InputArgs& args, io::LoadOptions& options) {
  if (!args.encoding.empty()) options.encoding = args.encoding;
  if (!args.assume_crs.empty()) options.assume_crs = args.assume_crs;
  if (!args.target_crs.empty()) options.target_crs = args.target_crs;
  if (args.gcj02) options.gcj02 = true;
  if (args.point_building_side_m > 0.0) options.point_building_side_m = args.point_building_side_m;
  io::LoadOptions::HouseholdTable& table = options.household_table;
  if (!args.household_table.empty()) table.path = args.household_table;
  const bool table_detail = !args.household_table_layer.empty() || !args.household_join.empty() ||
                            !args.household_key_column.empty() ||
                            !args.household_count_column.empty();
  if (table_detail && table.path.empty())
    throw ConfigError(
        "--household-sheet, --household-join, --household-key and --household-column describe "
        "a household table: give it with --household-table FILE (or [input.household_table] "
        "path in the scenario)");
  if (!args.household_table_layer.empty()) table.layer = args.household_table_layer;
  if (!args.household_join.empty()) table.join_by = args.household_join;
  if (!args.household_key_column.empty()) table.key_column = args.household_key_column;
  if (!args.household_count_column.empty()) table.households_column = args.household_count_column;
  for (const std::string& text : args.fields) {
    const auto eq = text.find('=');
    const auto dot = text.find('.');
    if (eq == std::string::npos || dot == std::string::npos || dot > eq || eq + 1 == text.size())
      throw ConfigError("--field '" + text +
                        "': expected ROLE.KEY=FIELD, e.g. "
                        "buildings.households=HU_SHU");
    const io::LayerRole role = role_or_throw(text.substr(0, dot), "--field '" + text + "'");
    options.fields[role][text.substr(dot + 1, eq - dot - 1)] = text.substr(eq + 1);
  }
  for (const std::string& text : args.roles) {
    const auto eq = text.rfind('=');
    if (eq == std::string::npos || eq == 0)
      throw ConfigError("--role '" + text + "': expected LAYER=ROLE, e.g. 楼栋=buildings");
    options.layer_roles[text.substr(0, eq)] =
        role_or_throw(text.substr(eq + 1), "--role '" + text + "'");
  }
}

void record_input_origins(const InputArgs& args, pipeline::Scenario& scenario) {
  if (!args.encoding.empty()) scenario.origins["input.encoding"] = {"--encoding", 0};
  if (!args.assume_crs.empty()) scenario.origins["input.assume_crs"] = {"--assume-crs", 0};
  if (!args.target_crs.empty()) scenario.origins["input.target_crs"] = {"--target-crs", 0};
  if (args.point_building_side_m > 0.0)
    scenario.origins["input.point_building_side_m"] = {"--point-building-side", 0};
  if (!args.household_table.empty())
    scenario.origins["input.household_table.path"] = {"--household-table", 0};
}

}  // namespace gp::cli
