#include "planner/report/kpi.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace gp::report {

Distribution distribution(const std::vector<double>& values) {
  Distribution d;
  d.count = static_cast<int>(values.size());
  if (values.empty()) return d;
  d.min = *std::min_element(values.begin(), values.end());
  d.max = *std::max_element(values.begin(), values.end());
  d.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  double squares = 0.0;
  for (double v : values) squares += (v - d.mean) * (v - d.mean);
  const double sd = std::sqrt(squares / static_cast<double>(values.size()));
  d.cv = d.mean != 0.0 ? sd / d.mean : 0.0;
  return d;
}

PlanKpis compute_kpis(const std::string& name, const Dataset& dataset, const Plan& plan,
                      const evaluation::Evaluation* evaluation, const ProblemReporter& problems,
                      bool has_existing_plan) {
  PlanKpis k;
  k.name = name;
  k.communities = static_cast<int>(dataset.communities.size());
  for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
    const int households = dataset.buildings[b].households;
    if (households <= 0) continue;
    k.households += households;
    ++k.buildings;
    if (b >= plan.building_large.size() || plan.building_large[b] == kNone) ++k.unplanned_buildings;
  }
  k.large_grids = static_cast<int>(plan.large_grids.size());
  k.micro_grids = static_cast<int>(plan.micro_grids.size());
  std::vector<double> large, micro;
  double compactness = 0.0;
  for (const Grid& g : plan.large_grids) {
    large.push_back(g.metrics.households);
    k.large_violations += (g.metrics.below_min || g.metrics.above_max) ? 1 : 0;
    compactness += g.metrics.compactness;
  }
  for (const Grid& g : plan.micro_grids) {
    micro.push_back(g.metrics.households);
    k.micro_violations += (g.metrics.below_min || g.metrics.above_max) ? 1 : 0;
  }
  k.large_households = distribution(large);
  k.micro_households = distribution(micro);
  k.mean_compactness = large.empty() ? 0.0 : compactness / static_cast<double>(large.size());
  k.discontiguous = plan.metrics.discontiguous;
  k.barrier_crossings = plan.metrics.barrier_crossings;
  k.compound_splits = plan.metrics.compound_splits;
  k.buildings_split = plan.metrics.buildings_split;
  k.grids_with_crumbs = plan.metrics.grids_with_crumbs;
  k.grids_without_polygon = plan.metrics.grids_without_polygon;
  k.buildings_outside = plan.metrics.buildings_outside;
  k.micro_not_nested = plan.metrics.micro_not_nested;
  k.coverage_gap_m2 = plan.metrics.coverage_gap_m2;
  k.coverage_overlap_m2 = plan.metrics.coverage_overlap_m2;
  k.households_moved = has_existing_plan ? plan.metrics.households_moved : -1;
  k.problems_error = static_cast<int>(problems.count(Severity::error));
  k.problems_warning = static_cast<int>(problems.count(Severity::warning));
  k.stations = static_cast<int>(dataset.stations.size());
  if (!evaluation) return k;

  const evaluation::Evaluation& e = *evaluation;
  for (int w : e.allocation.full_time) k.full_time_workers += w;
  for (int w : e.allocation.part_time) k.part_time_workers += w;
  for (const sim::WorkloadEstimate& w : e.large_workload) k.analytic_fte += w.full_time_equivalents;
  if (e.simulation) {
    const sim::SimResult& s = *e.simulation;
    k.utilisation = s.total.utilisation.mean;
    k.response_median_h = s.total.response_median_h.mean;
    k.response_p90_h = s.total.response_p90_h.mean;
    k.resolution_p90_h = s.total.resolution_p90_h.mean;
    k.share_in_grid = s.total.share_in_grid.mean;
    k.replications = s.replications;
    double highest = 0.0;
    for (const sim::GroupResult& g : s.grids)
      if (std::isfinite(g.utilisation.mean)) highest = std::max(highest, g.utilisation.mean);
    k.max_grid_utilisation = s.grids.empty() ? NAN : highest;
  }
  if (!e.coverage.tiers.empty()) {
    const sim::TierCoverage& any = e.coverage.any();
    k.thresholds_m = any.thresholds_m;
    k.coverage_share = any.share_within;
  }
  k.coverage_method = e.coverage.method;
  for (const evaluation::StationStats& s : e.stations)
    k.stations_failing_rules += s.fails_rule ? 1 : 0;
  for (const sim::RuleFailure& f : e.rule_failures) {
    if (f.kind == sim::RuleKind::no_station_in_large_grid) ++k.large_grids_without_station;
    if (f.kind == sim::RuleKind::floor_area_short) ++k.communities_floor_short;
    if (f.kind == sim::RuleKind::households_beyond_walk)
      k.households_beyond_walk += static_cast<long long>(f.value);
  }
  if (e.siting) {
    k.new_stations_suggested = static_cast<int>(e.siting->max_cover.size());
    k.new_station_households = e.siting->max_cover_households;
  }
  return k;
}

namespace {

nlohmann::json number(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

double read_number(const nlohmann::json& json, const char* key, double fallback) {
  if (!json.contains(key) || json[key].is_null()) return fallback;
  return json[key].get<double>();
}

nlohmann::json to_json(const Distribution& d) {
  return {{"count", d.count}, {"min", d.min}, {"mean", d.mean}, {"max", d.max}, {"cv", d.cv}};
}

Distribution distribution_from(const nlohmann::json& json) {
  Distribution d;
  if (!json.is_object()) return d;
  d.count = json.value("count", 0);
  d.min = json.value("min", 0.0);
  d.mean = json.value("mean", 0.0);
  d.max = json.value("max", 0.0);
  d.cv = json.value("cv", 0.0);
  return d;
}

}  // namespace

nlohmann::json to_json(const PlanKpis& k) {
  auto shares = nlohmann::json::array();
  for (double s : k.coverage_share) shares.push_back(number(s));
  return {{"name", k.name},
          {"households", k.households},
          {"buildings", k.buildings},
          {"communities", k.communities},
          {"large_grids", k.large_grids},
          {"micro_grids", k.micro_grids},
          {"large_households", to_json(k.large_households)},
          {"micro_households", to_json(k.micro_households)},
          {"large_violations", k.large_violations},
          {"micro_violations", k.micro_violations},
          {"discontiguous", k.discontiguous},
          {"barrier_crossings", k.barrier_crossings},
          {"compound_splits", k.compound_splits},
          {"buildings_split", k.buildings_split},
          {"grids_with_crumbs", k.grids_with_crumbs},
          {"grids_without_polygon", k.grids_without_polygon},
          {"buildings_outside", k.buildings_outside},
          {"micro_not_nested", k.micro_not_nested},
          {"coverage_gap_m2", k.coverage_gap_m2},
          {"coverage_overlap_m2", k.coverage_overlap_m2},
          {"mean_compactness", k.mean_compactness},
          {"unplanned_buildings", k.unplanned_buildings},
          {"households_moved", k.households_moved},
          {"full_time_workers", k.full_time_workers},
          {"part_time_workers", k.part_time_workers},
          {"analytic_fte", k.analytic_fte},
          {"utilisation", number(k.utilisation)},
          {"max_grid_utilisation", number(k.max_grid_utilisation)},
          {"response_median_h", number(k.response_median_h)},
          {"response_p90_h", number(k.response_p90_h)},
          {"resolution_p90_h", number(k.resolution_p90_h)},
          {"share_in_grid", number(k.share_in_grid)},
          {"replications", k.replications},
          {"coverage_thresholds_m", k.thresholds_m},
          {"coverage_share", shares},
          {"coverage_method", k.coverage_method},
          {"stations", k.stations},
          {"stations_failing_rules", k.stations_failing_rules},
          {"communities_floor_short", k.communities_floor_short},
          {"large_grids_without_station", k.large_grids_without_station},
          {"households_beyond_walk", k.households_beyond_walk},
          {"new_stations_suggested", k.new_stations_suggested},
          {"new_station_households", k.new_station_households},
          {"problems_error", k.problems_error},
          {"problems_warning", k.problems_warning}};
}

PlanKpis kpis_from_json(const nlohmann::json& j) {
  PlanKpis k;
  k.name = j.value("name", "");
  k.households = j.value("households", 0LL);
  k.buildings = j.value("buildings", 0LL);
  k.communities = j.value("communities", 0);
  k.large_grids = j.value("large_grids", 0);
  k.micro_grids = j.value("micro_grids", 0);
  if (j.contains("large_households")) k.large_households = distribution_from(j["large_households"]);
  if (j.contains("micro_households")) k.micro_households = distribution_from(j["micro_households"]);
  k.large_violations = j.value("large_violations", 0);
  k.micro_violations = j.value("micro_violations", 0);
  k.discontiguous = j.value("discontiguous", 0);
  k.barrier_crossings = j.value("barrier_crossings", 0);
  k.compound_splits = j.value("compound_splits", 0);
  k.buildings_split = j.value("buildings_split", 0);
  k.grids_with_crumbs = j.value("grids_with_crumbs", 0);
  k.grids_without_polygon = j.value("grids_without_polygon", 0);
  k.buildings_outside = j.value("buildings_outside", 0);
  k.micro_not_nested = j.value("micro_not_nested", 0);
  k.coverage_gap_m2 = j.value("coverage_gap_m2", 0.0);
  k.coverage_overlap_m2 = j.value("coverage_overlap_m2", 0.0);
  k.mean_compactness = j.value("mean_compactness", 0.0);
  k.unplanned_buildings = j.value("unplanned_buildings", 0);
  k.households_moved = j.value("households_moved", -1LL);
  k.full_time_workers = j.value("full_time_workers", 0);
  k.part_time_workers = j.value("part_time_workers", 0);
  k.analytic_fte = j.value("analytic_fte", 0.0);
  k.utilisation = read_number(j, "utilisation", NAN);
  k.max_grid_utilisation = read_number(j, "max_grid_utilisation", NAN);
  k.response_median_h = read_number(j, "response_median_h", NAN);
  k.response_p90_h = read_number(j, "response_p90_h", NAN);
  k.resolution_p90_h = read_number(j, "resolution_p90_h", NAN);
  k.share_in_grid = read_number(j, "share_in_grid", NAN);
  k.replications = j.value("replications", 0);
  if (j.contains("coverage_thresholds_m"))
    k.thresholds_m = j["coverage_thresholds_m"].get<std::vector<double>>();
  if (j.contains("coverage_share"))
    for (const auto& s : j["coverage_share"])
      k.coverage_share.push_back(s.is_null() ? NAN : s.get<double>());
  k.coverage_method = j.value("coverage_method", "");
  k.stations = j.value("stations", 0);
  k.stations_failing_rules = j.value("stations_failing_rules", 0);
  k.communities_floor_short = j.value("communities_floor_short", 0);
  k.large_grids_without_station = j.value("large_grids_without_station", 0);
  k.households_beyond_walk = j.value("households_beyond_walk", 0LL);
  k.new_stations_suggested = j.value("new_stations_suggested", 0);
  k.new_station_households = j.value("new_station_households", 0LL);
  k.problems_error = j.value("problems_error", 0);
  k.problems_warning = j.value("problems_warning", 0);
  return k;
}

std::vector<KpiRow> kpi_rows(const PlanKpis& any) {
  std::vector<KpiRow> rows = {
      {"households", "户数", "households", 0, false, 0},
      {"large_grids", "大网格数", "large grids", 0, false, 0},
      {"micro_grids", "微网格数", "micro grids", 0, false, 0},
      {"large_hh_min", "大网格户数 最小", "households per large grid, min", 0, false, 0},
      {"large_hh_mean", "大网格户数 平均", "households per large grid, mean", 0, false, 0},
      {"large_hh_max", "大网格户数 最大", "households per large grid, max", 0, false, 0},
      {"large_hh_cv", "大网格户数 变异系数", "households per large grid, CV", 3, false, -1},
      {"micro_hh_min", "微网格户数 最小", "households per micro grid, min", 0, false, 0},
      {"micro_hh_mean", "微网格户数 平均", "households per micro grid, mean", 0, false, 0},
      {"micro_hh_max", "微网格户数 最大", "households per micro grid, max", 0, false, 0},
      {"micro_hh_cv", "微网格户数 变异系数", "households per micro grid, CV", 3, false, -1},
      {"violations", "超出户数界限的网格", "grids outside household bounds", 0, false, -1},
      {"compactness", "平均紧凑度", "mean compactness (Polsby-Popper)", 3, false, +1},
      {"discontiguous", "不连通的网格 (多块)", "grids in pieces", 0, false, -1},
      {"grids_with_crumbs", "带碎片的网格", "grids with sliver crumbs", 0, false, -1},
      {"barrier_crossings", "跨越硬边界的网格", "grids across a hard barrier", 0, false, -1},
      {"compound_splits", "被拆分的小区", "compounds split between large grids", 0, false, -1},
      {"buildings_outside", "不在所属微网格内的楼栋", "buildings outside their micro grid", 0,
       false, -1},
      {"workers", "网格员 (专职+兼职)", "grid workers (full + part time)", 0, false, 0},
      {"utilisation", "网格员利用率", "worker utilisation", 1, true, 0},
      {"max_grid_utilisation", "最忙网格利用率", "busiest grid utilisation", 1, true, -1},
      {"response_p90_h", "响应时间 P90 (小时)", "response time p90, hours", 2, false, -1},
      {"share_in_grid", "小事不出网格比例", "share resolved in the grid", 1, true, +1}};
  const char* minutes[] = {"5", "10", "15"};
  for (std::size_t t = 0; t < any.thresholds_m.size(); ++t) {
    const std::string m = t < 3 ? minutes[t] : std::to_string(t);
    const std::string metres = std::to_string(static_cast<int>(any.thresholds_m[t]));
    rows.push_back({"coverage_" + std::to_string(t), m + " 分钟步行覆盖 (" + metres + " m)",
                    "households within " + metres + " m walk", 1, true, +1});
  }
  rows.push_back(
      {"stations_failing", "面积未知的服务站", "stations without floor area", 0, false, -1});
  rows.push_back({"communities_floor_short", "服务面积不足的社区",
                  "communities below 30 m²/100 households", 0, false, -1});
  rows.push_back(
      {"large_without_station", "无驿站的大网格", "large grids without a station", 0, false, -1});
  rows.push_back(
      {"households_moved", "调整户数 (相对现状)", "households moved vs existing", 0, false, -1});
  return rows;
}

double kpi_value(const PlanKpis& k, const std::string& key) {
  if (key == "households") return static_cast<double>(k.households);
  if (key == "large_grids") return k.large_grids;
  if (key == "micro_grids") return k.micro_grids;
  if (key == "large_hh_min") return k.large_households.min;
  if (key == "large_hh_mean") return k.large_households.mean;
  if (key == "large_hh_max") return k.large_households.max;
  if (key == "large_hh_cv") return k.large_households.cv;
  if (key == "micro_hh_min") return k.micro_households.min;
  if (key == "micro_hh_mean") return k.micro_households.mean;
  if (key == "micro_hh_max") return k.micro_households.max;
  if (key == "micro_hh_cv") return k.micro_households.cv;
  if (key == "violations") return k.large_violations + k.micro_violations;
  if (key == "compactness") return k.mean_compactness;
  if (key == "discontiguous") return k.discontiguous;
  if (key == "grids_with_crumbs") return k.grids_with_crumbs;
  if (key == "barrier_crossings") return k.barrier_crossings;
  if (key == "compound_splits") return k.compound_splits;
  if (key == "buildings_outside") return k.buildings_outside;
  if (key == "workers") return k.full_time_workers + k.part_time_workers;
  if (key == "utilisation") return k.utilisation;
  if (key == "max_grid_utilisation") return k.max_grid_utilisation;
  if (key == "response_p90_h") return k.response_p90_h;
  if (key == "share_in_grid") return k.share_in_grid;
  if (key.rfind("coverage_", 0) == 0) {
    const std::size_t t = std::stoul(key.substr(9));
    return t < k.coverage_share.size() ? k.coverage_share[t] : NAN;
  }
  if (key == "stations_failing") return k.stations_failing_rules;
  if (key == "communities_floor_short") return k.communities_floor_short;
  if (key == "large_without_station") return k.large_grids_without_station;
  if (key == "households_moved")
    return k.households_moved < 0 ? NAN : static_cast<double>(k.households_moved);
  return NAN;
}

std::string format_kpi(double value, const KpiRow& row) {
  if (!std::isfinite(value)) return "—";
  char text[64];
  if (row.percent)
    std::snprintf(text, sizeof text, "%.*f %%", row.decimals, value * 100.0);
  else
    std::snprintf(text, sizeof text, "%.*f", row.decimals, value);
  return text;
}

}  // namespace gp::report
