#include "planner/report/layers.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <tuple>
#include <unordered_set>

#include "planner/geo/own_footprint.hpp"
#include "planner/geo/plan_audit.hpp"
#include "planner/partition/partitioner.hpp"

namespace gp::report {
namespace {

std::size_t at(std::int32_t index) {
  return static_cast<std::size_t>(index);
}

FieldDef integer(const char* name, const char* short_name, const char* chinese,
                 const char* description) {
  return {name, short_name, chinese, FieldType::integer, description};
}
FieldDef real(const char* name, const char* short_name, const char* chinese,
              const char* description) {
  return {name, short_name, chinese, FieldType::real, description};
}
FieldDef text(const char* name, const char* short_name, const char* chinese,
              const char* description) {
  return {name, short_name, chinese, FieldType::text, description};
}

FieldValue rounded(double value, double step) {
  return std::isfinite(value) ? FieldValue(std::round(value / step) * step) : FieldValue();
}

std::string violation(const GridMetrics& m) {
  if (m.below_min) return "below_min";
  if (m.above_max) return "above_max";
  return "";
}

/// The recorded reason of a grid outside its bounds ("" within them).
std::string bounds_why(const Grid& grid) {
  if (!grid.metrics.below_min && !grid.metrics.above_max) return "";
  if (grid.locked) return "locked grid, kept as drawn";
  return grid.bounds_reason;
}

std::string community_name(const Dataset& dataset, std::int32_t community) {
  return community == kNone ? "" : dataset.communities[at(community)].name;
}

/// Where a problem's feature is, for the diagnostics layer: (file, layer, fid) → a point.
using FeatureKey = std::tuple<std::string, std::string, std::int64_t>;
/// Where each of the `wanted` features is: the features the diagnostics name, looked up among
/// all of them (the first feature with a key wins, as std::map::emplace keeps it). Only the
/// wanted ones are indexed: indexing every building (a centroid and a string-keyed map entry
/// each) was 1.1 s without a word at the export's 14 % at 1M buildings (round 11), for the few
/// hundred features problems name.
template <typename T>
void index_features(std::map<FeatureKey, Point>& index, const std::vector<T>& features,
                    const std::set<FeatureKey>& wanted,
                    const std::unordered_set<std::int64_t>& wanted_fids) {
  if (wanted.empty()) return;
  for (const T& f : features)
    if (f.source.fid && wanted_fids.count(*f.source.fid)) {
      FeatureKey key{f.source.file, f.source.layer, *f.source.fid};
      if (!wanted.count(key) || index.count(key)) continue;
      if constexpr (requires { f.footprint; })
        index.emplace(std::move(key), centroid(f.footprint));
      else if constexpr (requires { f.location; })
        index.emplace(std::move(key), f.location);
      else if (!f.geometry.empty())
        index.emplace(std::move(key), f.geometry[f.geometry.size() / 2]);
    }
}

}  // namespace

const char* chinese_name(StationTier tier) {
  switch (tier) {
    case StationTier::county_centre:
      return "县级党群服务中心";
    case StationTier::community_centre:
      return "社区党群服务中心";
    case StationTier::compound_station:
      return "小区党群服务站";
  }
  return "";
}

std::vector<LayerTable> build_layers(
    const Dataset& dataset, const Plan& plan, const evaluation::Evaluation* evaluation,
    const ProblemReporter& problems,
    std::shared_ptr<const std::vector<MultiPolygon>> own_footprints,
    const std::function<void(double)>& tick) {
  // Progress: the buildings' own parts, when computed here, are most of the work (0–0.6); then
  // the buildings' rows (to 0.95), the rest (small tables) to the end.
  if ((!own_footprints || own_footprints->size() != dataset.buildings.size()) &&
      dataset.settled_footprints())
    own_footprints = dataset.settled->own_parts;  // settled once after validation
  const bool own_given = own_footprints && own_footprints->size() == dataset.buildings.size();
  const double rows_begin = own_given ? 0.1 : 0.6;
  auto report = [&](double fraction) {
    if (tick) tick(fraction);
  };
  std::vector<LayerTable> layers;
  const evaluation::Evaluation* e = evaluation;
  const sim::TierCoverage* any = e && !e->coverage.tiers.empty() ? &e->coverage.any() : nullptr;

  // communities
  {
    LayerTable t{"communities", "社区", GeometryKind::polygon, {}, {}};
    t.fields = {text("code", "code", "社区代码", "community code (12 digits)"),
                text("name", "name", "社区名称", "community name"),
                integer("households", "households", "户数", "households in planned buildings"),
                integer("buildings", "buildings", "楼栋数", "buildings holding households"),
                integer("large_count", "large_cnt", "大网格数", "large grids"),
                integer("micro_count", "micro_cnt", "微网格数", "micro grids"),
                real("area_m2", "area_m2", "面积(平方米)", "area, m²")};
    std::vector<long long> households(dataset.communities.size(), 0);
    std::vector<long long> buildings(dataset.communities.size(), 0);
    std::vector<int> large(dataset.communities.size(), 0), micro(dataset.communities.size(), 0);
    for (const Building& b : dataset.buildings)
      if (b.community != kNone && b.households > 0) {
        households[at(b.community)] += b.households;
        ++buildings[at(b.community)];
      }
    for (const Grid& g : plan.large_grids)
      if (g.community != kNone) ++large[at(g.community)];
    for (const Grid& g : plan.micro_grids)
      if (g.community != kNone) ++micro[at(g.community)];
    for (std::size_t c = 0; c < dataset.communities.size(); ++c) {
      const Community& community = dataset.communities[c];
      t.features.push_back(
          {&community.footprint,
           {},
           false,
           {community_code(dataset, static_cast<std::int32_t>(c)), community.name, households[c],
            buildings[c], static_cast<long long>(large[c]), static_cast<long long>(micro[c]),
            rounded(area(community.footprint), 0.01)}});
    }
    layers.push_back(std::move(t));
  }

  // large_grids
  {
    LayerTable t{"large_grids", "大网格", GeometryKind::polygon, {}, {}};
    t.fields = {
        text("code", "code", "网格编码", "grid code: community code + 2 digits"),
        text("name", "name", "网格名称", "grid name"),
        text("level", "level", "层级", "large (大网格)"),
        text("community", "community", "所属社区", "community name"),
        text("comm_code", "comm_code", "社区代码", "community code"),
        integer("households", "households", "户数", "households"),
        integer("buildings", "buildings", "楼栋数", "buildings"),
        integer("micro_count", "micro_cnt", "微网格数", "micro grids inside"),
        integer("workers", "workers", "网格员数", "grid workers allocated (full + part time)"),
        integer("full_time", "full_time", "专职网格员", "full-time workers"),
        integer("part_time", "part_time", "兼职网格员", "part-time workers"),
        real("work_hours", "work_hours", "年工作量(小时)", "analytic workload, hours per year"),
        real("hours_per_worker", "hrs_worker", "人均年工作量(小时)",
             "analytic workload per allocated worker, hours per year"),
        real("utilisation", "util", "网格员利用率", "simulated worker utilisation (0–1)"),
        real("response_p90_h", "resp_p90_h", "响应时间P90(小时)",
             "simulated 90th-percentile response time, hours"),
        real("area_m2", "area_m2", "面积(平方米)", "area, m²"),
        real("compact", "compact", "紧凑度", "Polsby-Popper compactness 4πA/P² (0–1)"),
        text("station", "station", "党群服务站", "compound station inside or nearby (name)"),
        text("violation", "violation", "户数越界", "below_min / above_max household bounds"),
        text("bounds_why", "bounds_why", "越界原因",
             "why the grid is outside its household bounds, as the partition found it"),
        integer("locked", "locked", "锁定", "1 = kept exactly from the existing plan")};
    std::vector<int> micro_count(plan.large_grids.size(), 0);
    for (const Grid& m : plan.micro_grids)
      if (m.parent != kNone) ++micro_count[at(m.parent)];
    for (std::size_t g = 0; g < plan.large_grids.size(); ++g) {
      const Grid& grid = plan.large_grids[g];
      FieldValue workers, full, part, hours, per_worker, utilisation, p90, station;
      if (e) {
        full = static_cast<long long>(e->allocation.full_time[g]);
        part = static_cast<long long>(e->allocation.part_time[g]);
        workers = static_cast<long long>(e->allocation.full_time[g] + e->allocation.part_time[g]);
        hours = rounded(e->large_workload[g].total_hours, 0.1);
        per_worker = rounded(e->large_hours_per_worker[g], 0.1);
        if (e->simulation && g < e->simulation->grids.size()) {
          utilisation = rounded(e->simulation->grids[g].utilisation.mean, 0.0001);
          p90 = rounded(e->simulation->grids[g].response_p90_h.mean, 0.01);
        }
        station = e->large_station[g] == kNone ? std::string()
                                               : dataset.stations[at(e->large_station[g])].name;
      }
      t.features.push_back(
          {&grid.polygon,
           {},
           false,
           {grid.code,
            grid.name,
            std::string("large"),
            community_name(dataset, grid.community),
            grid.community == kNone ? std::string() : community_code(dataset, grid.community),
            static_cast<long long>(grid.metrics.households),
            static_cast<long long>(grid.metrics.buildings),
            static_cast<long long>(micro_count[g]),
            workers,
            full,
            part,
            hours,
            per_worker,
            utilisation,
            p90,
            rounded(grid.metrics.area_m2, 0.01),
            rounded(grid.metrics.compactness, 0.0001),
            station,
            violation(grid.metrics),
            bounds_why(grid),
            static_cast<long long>(grid.locked)}});
    }
    layers.push_back(std::move(t));
  }

  // micro_grids
  {
    LayerTable t{"micro_grids", "微网格", GeometryKind::polygon, {}, {}};
    t.fields = {
        text("code", "code", "网格编码", "micro grid code: large grid code + 2 digits"),
        text("level", "level", "层级", "micro (微网格)"),
        text("large_code", "large_code", "所属大网格", "code of the enclosing large grid"),
        text("community", "community", "所属社区", "community name"),
        integer("households", "households", "户数", "households"),
        integer("buildings", "buildings", "楼栋数", "buildings"),
        integer("workers", "workers", "网格员数", "share of the large grid's workers, by workload"),
        real("work_hours", "work_hours", "年工作量(小时)", "analytic workload, hours per year"),
        real("area_m2", "area_m2", "面积(平方米)", "area, m²"),
        real("compact", "compact", "紧凑度", "Polsby-Popper compactness (0–1)"),
        text("violation", "violation", "户数越界", "below_min / above_max"),
        text("bounds_why", "bounds_why", "越界原因",
             "why the grid is outside its household bounds, as the partition found it"),
        integer("locked", "locked", "锁定", "1 = kept from the existing plan")};
    for (std::size_t m = 0; m < plan.micro_grids.size(); ++m) {
      const Grid& grid = plan.micro_grids[m];
      FieldValue workers, hours;
      if (e) {
        workers = static_cast<long long>(e->micro_workers[m]);
        hours = rounded(e->micro_workload[m].total_hours, 0.1);
      }
      t.features.push_back(
          {&grid.polygon,
           {},
           false,
           {grid.code, std::string("micro"),
            grid.parent == kNone ? std::string() : plan.large_grids[at(grid.parent)].code,
            community_name(dataset, grid.community),
            static_cast<long long>(grid.metrics.households),
            static_cast<long long>(grid.metrics.buildings), workers, hours,
            rounded(grid.metrics.area_m2, 0.01), rounded(grid.metrics.compactness, 0.0001),
            violation(grid.metrics), bounds_why(grid), static_cast<long long>(grid.locked)}});
    }
    layers.push_back(std::move(t));
  }

  // buildings
  {
    LayerTable t{"buildings", "楼栋", GeometryKind::polygon, {}, {}};
    t.fields = {
        integer("bid", "bid", "楼栋编号", "building id (source id, stable across runs)"),
        text("name", "name", "名称", "building name"),
        text("use", "use", "用途", "use class"),
        integer("households", "households", "户数", "households"),
        integer("hh_est", "hh_est", "户数为估算", "1 = households estimated from floor area"),
        text("hh_source", "hh_source", "户数来源",
             "where households came from: field, table, point (estimated for a point) or "
             "estimate (from floor area)"),
        integer("floors", "floors", "层数", "storeys above ground (0 = unknown)"),
        integer("units", "units", "单元数", "entrances (0 = unknown)"),
        text("compound", "compound", "所属小区", "compound name (or its id)"),
        text("community", "community", "所属社区", "community name"),
        text("large_code", "large_code", "大网格编码", "large grid code"),
        text("micro_code", "micro_code", "微网格编码", "micro grid code"),
        real("walk_m", "walk_m", "步行距离(米)",
             "walking distance to the nearest station of any tier, m"),
        text("station", "station", "最近服务站", "nearest station of any tier (name)"),
        text("unit_range", "unit_range", "单元范围",
             "a building split by units between micro grids has one row per run of units: "
             "the run's units, 1-based in entrance order (e.g. \"4-9\"), its households, "
             "grids and its strip of the footprint; empty for a building in one micro grid")};
    // Runs of buildings split by units, per building (Plan::building_runs is ordered by building).
    std::vector<std::pair<std::size_t, std::size_t>> runs_of(dataset.buildings.size(), {0, 0});
    for (std::size_t k = 0; k < plan.building_runs.size(); ++k) {
      auto& [first, end] = runs_of[at(plan.building_runs[k].building)];
      if (first == end) first = k;
      end = k + 1;
    }
    std::shared_ptr<const std::vector<MultiPolygon>> own_parts = own_footprints;
    if (!own_given) {
      std::vector<const MultiPolygon*> footprints;
      for (const Building& building : dataset.buildings) footprints.push_back(&building.footprint);
      own_parts = std::make_shared<const std::vector<MultiPolygon>>(
          geo::own_footprints_chunked(footprints, [&](double done) { report(rows_begin * done); }));
    }
    const std::vector<MultiPolygon>& own = *own_parts;
    t.owned_geometry = own_parts;
    report(rows_begin);
    // A row per building: a tick per kRowsPerTick buildings (100k: a few tenths of a second).
    constexpr std::size_t kRowsPerTick = 4096;
    const double buildings =
        static_cast<double>(std::max<std::size_t>(dataset.buildings.size(), 1));
    for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
      if (b % kRowsPerTick == kRowsPerTick - 1)
        report(rows_begin + (0.95 - rows_begin) * static_cast<double>(b + 1) / buildings);
      const Building& building = dataset.buildings[b];
      const std::int32_t large = b < plan.building_large.size() ? plan.building_large[b] : kNone;
      const std::int32_t micro = b < plan.building_micro.size() ? plan.building_micro[b] : kNone;
      std::string compound;
      if (building.compound != kNone) {
        const Compound& c = dataset.compounds[at(building.compound)];
        compound = c.name.empty() ? c.ref : c.name;
      }
      FieldValue walk, station;
      if (any && b < any->distance_m.size()) {
        walk = rounded(any->distance_m[b], 0.1);
        if (any->station[b] != kNone) station = dataset.stations[at(any->station[b])].name;
      }
      auto row = [&](const MultiPolygon* shape, long long households, std::int32_t large_grid,
                     std::int32_t micro_grid, FieldValue unit_range) {
        t.features.push_back(
            {shape,
             {},
             false,
             {static_cast<long long>(building.id), building.name,
              std::string(to_string(building.use)), households,
              static_cast<long long>(building.households_estimated),
              std::string(to_string(building.households_source)),
              static_cast<long long>(building.floors), static_cast<long long>(building.units),
              compound, community_name(dataset, building.community),
              large_grid == kNone ? std::string() : plan.large_grids[at(large_grid)].code,
              micro_grid == kNone ? std::string() : plan.micro_grids[at(micro_grid)].code, walk,
              station, std::move(unit_range)}});
      };
      const auto [first_run, end_run] = runs_of[b];
      if (first_run == end_run) {
        // A building overlapped by smaller footprints (a podium under its tower) is written as
        // its own part, which its cell holds: the smaller ones' rows cover the rest.
        row(own[b].empty() ? &building.footprint : &own[b], building.households, large, micro, {});
        continue;
      }
      // One row per run: households add up to the building's, each row inside its micro grid.
      for (std::size_t k = first_run; k < end_run; ++k) {
        const BuildingRun& run = plan.building_runs[k];
        row(run.footprint.empty() ? &building.footprint : &run.footprint, run.households, run.large,
            run.micro,
            std::to_string(run.first_unit + 1) + "-" + std::to_string(run.first_unit + run.units));
      }
    }
    layers.push_back(std::move(t));
  }

  report(0.95);

  // stations
  {
    LayerTable t{"stations", "党群服务站点", GeometryKind::point, {}, {}};
    t.fields = {integer("sid", "sid", "站点编号", "station id"),
                text("name", "name", "名称", "station name"),
                text("tier", "tier", "层级", "county_centre / community_centre / compound_station"),
                text("tier_zh", "tier_zh", "层级(中文)", "tier in Chinese"),
                real("floor_m2", "floor_m2", "建筑面积(平方米)", "floor area, m² (0 = unknown)"),
                integer("hh_served", "hh_served", "服务户数",
                        "households whose nearest station of this tier it is"),
                integer("hh_5min", "hh_5min", "5分钟内户数", "of those, within the 1st threshold"),
                integer("hh_10min", "hh_10min", "10分钟内户数", "within the 2nd threshold"),
                integer("hh_15min", "hh_15min", "15分钟内户数", "within the 3rd threshold"),
                real("floor_need", "floor_need", "所需面积(平方米)",
                     "floor area the rule asks for, m² (30 m² per 100 households)"),
                text("rule", "rule", "规则检查", "floor_area_short / floor_area_unknown / ok")};
    for (std::size_t s = 0; s < dataset.stations.size(); ++s) {
      const Station& station = dataset.stations[s];
      FieldValue served, within[3], need, rule;
      if (e) {
        const evaluation::StationStats& stats = e->stations[s];
        served = stats.households_served;
        for (std::size_t k = 0; k < 3; ++k)
          if (k < stats.households_within.size()) within[k] = stats.households_within[k];
        need = std::round(stats.households_served * 0.3 * 10.0) / 10.0;
        rule = std::string("ok");
        for (const sim::RuleFailure& f : e->rule_failures)
          if (f.station == static_cast<std::int32_t>(s)) rule = std::string(sim::to_string(f.kind));
      }
      t.features.push_back(
          {nullptr,
           station.location,
           true,
           {static_cast<long long>(station.id), station.name, std::string(to_string(station.tier)),
            std::string(chinese_name(station.tier)), station.floor_m2, served, within[0], within[1],
            within[2], need, rule}});
    }
    layers.push_back(std::move(t));
  }

  // diagnostics: input problems, plan problems, rule failures
  {
    LayerTable t{"diagnostics", "诊断", GeometryKind::point, {}, {}};
    t.fields = {text("severity", "severity", "级别", "info / warning / error"),
                text("kind", "kind", "类型", "stable problem kind"),
                text("file", "file", "文件", "input file"),
                text("layer", "layer", "图层", "input layer"),
                integer("src_fid", "src_fid", "要素编号", "feature id in the input layer"),
                text("grid", "grid", "网格", "grid code, for rule failures"),
                text("message", "message", "说明", "what is wrong and what was done")};
    std::set<FeatureKey> wanted;
    std::unordered_set<std::int64_t> wanted_fids;
    for (const Problem& p : problems.problems())
      if (p.where.fid) {
        wanted.emplace(p.where.file, p.where.layer, *p.where.fid);
        wanted_fids.insert(*p.where.fid);
      }
    std::map<FeatureKey, Point> where;
    index_features(where, dataset.buildings, wanted, wanted_fids);
    index_features(where, dataset.compounds, wanted, wanted_fids);
    index_features(where, dataset.communities, wanted, wanted_fids);
    index_features(where, dataset.stations, wanted, wanted_fids);
    index_features(where, dataset.lines, wanted, wanted_fids);
    for (const Problem& p : problems.problems()) {
      Feature f;
      if (p.where.fid) {
        auto found = where.find(FeatureKey{p.where.file, p.where.layer, *p.where.fid});
        if (found != where.end()) {
          f.point = found->second;
          f.has_point = true;
        }
      }
      f.values = {std::string(to_string(p.severity)),
                  p.kind,
                  p.where.file,
                  p.where.layer,
                  p.where.fid ? FieldValue(static_cast<long long>(*p.where.fid)) : FieldValue(),
                  FieldValue(),
                  p.message};
      t.features.push_back(std::move(f));
    }
    if (e)
      for (const sim::RuleFailure& r : e->rule_failures) {
        Feature f;
        std::string grid;
        if (r.station != kNone) {
          f.point = dataset.stations[at(r.station)].location;
          f.has_point = true;
        } else if (r.large_grid != kNone) {
          const Grid& g = plan.large_grids[at(r.large_grid)];
          grid = g.code;
          if (!g.polygon.empty()) {
            f.point = centroid(g.polygon);
            f.has_point = true;
          }
        }
        if (r.large_grid != kNone) grid = plan.large_grids[at(r.large_grid)].code;
        f.values = {std::string("warning"),
                    std::string("rule-") + sim::to_string(r.kind),
                    FieldValue(),
                    FieldValue(),
                    FieldValue(),
                    grid,
                    r.message};
        t.features.push_back(std::move(f));
      }
    layers.push_back(std::move(t));
  }

  // new_stations: suggested sites (maximal covering, then the set cover)
  if (e && e->siting) {
    LayerTable t{"new_stations", "建议新增站点", GeometryKind::point, {}, {}};
    t.fields = {integer("rank", "rank", "顺序", "order chosen (1 = covers most)"),
                text("method", "method", "方法", "max_cover (k sites) / set_cover (cover all)"),
                integer("hh_covered", "hh_covered", "新增覆盖户数",
                        "households newly covered, in the order chosen")};
    auto add = [&](const std::vector<sim::SitedStation>& sites, const char* method) {
      long long rank = 0;
      for (const sim::SitedStation& s : sites)
        t.features.push_back(
            {nullptr, s.location, true, {++rank, std::string(method), s.households_covered}});
    };
    add(e->siting->max_cover, "max_cover");
    add(e->siting->set_cover, "set_cover");
    layers.push_back(std::move(t));
  }
  report(1.0);
  return layers;
}

namespace {
std::string csv_cell(const FieldValue& value) {
  if (std::holds_alternative<std::monostate>(value)) return "";
  if (const auto* i = std::get_if<long long>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) {
    char text[64];
    std::snprintf(text, sizeof text, "%.10g", *d);
    return text;
  }
  const std::string& s = std::get<std::string>(value);
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string quoted = "\"";
  for (char c : s) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}
}  // namespace

std::string to_csv(const LayerTable& layer) {
  std::string out = "\xEF\xBB\xBF";  // UTF-8 byte-order mark: Excel then reads UTF-8
  for (std::size_t i = 0; i < layer.fields.size(); ++i)
    out += (i ? "," : "") + csv_cell(layer.fields[i].name);
  out += "\r\n";
  for (const Feature& f : layer.features) {
    for (std::size_t i = 0; i < f.values.size(); ++i) out += (i ? "," : "") + csv_cell(f.values[i]);
    out += "\r\n";
  }
  return out;
}

}  // namespace gp::report
