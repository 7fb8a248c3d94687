#include "planner/report/html.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "planner/partition/partitioner.hpp"
#include "planner/report/layers.hpp"
#include "planner/report/style.hpp"
#include "planner/report/svg.hpp"

namespace gp::report {
namespace {

using svg::escape;
using svg::fixed;

std::size_t at(std::int32_t index) {
  return static_cast<std::size_t>(index);
}

std::string percent(double share, int decimals = 1) {
  return std::isfinite(share) ? fixed(share * 100.0, decimals) + " %" : "—";
}
std::string number(double value, int decimals = 0) {
  return std::isfinite(value) ? fixed(value, decimals) : "—";
}

std::string card(const std::string& chinese, const std::string& english, const std::string& value,
                 bool bad = false) {
  return "<div class=\"card" + std::string(bad ? " bad" : "") + "\"><div class=\"v\">" +
         escape(value) + "</div><div class=\"k\">" + escape(chinese) + "<small>" + escape(english) +
         "</small></div></div>";
}

Box plan_extent(const Dataset& dataset, const Plan& plan) {
  Box box;
  for (const Community& c : dataset.communities) box.expand(bounds(c.footprint));
  for (const Grid& g : plan.large_grids) box.expand(bounds(g.polygon));
  if (box.empty())
    for (const Building& b : dataset.buildings) box.expand(bounds(b.footprint));
  return box;
}

/// SVG stroke attributes of a style outline.
std::string stroke_attributes(const style::Stroke& s) {
  return "stroke=\"" + s.colour.hex() + "\" stroke-width=\"" + fixed(s.width_px, 1) + "\"" +
         (s.opacity < 1.0 ? " stroke-opacity=\"" + fixed(s.opacity, 2) + "\"" : std::string());
}

/// The large grids' household legend: the style's classes and the violation outline.
std::vector<std::pair<std::string, std::string>> household_legend(int min, int max) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (const style::ValueClass& c : style::household_classes(min, max))
    entries.push_back({c.colour.hex(), c.label});
  const style::Stroke v = style::violation_outline();
  entries.push_back(
      {"none\" stroke=\"" + v.colour.hex() + "\" stroke-width=\"2", "超出界限 outside bounds"});
  return entries;
}

/// Progress of the report in grids drawn (each map draws every large grid twice, fill and
/// violation outline, and every micro grid once; a 100k town's three maps take over a second).
class DrawProgress {
 public:
  DrawProgress(const std::function<void(double)>& tick, double total)
      : tick_(tick), total_(std::max(total, 1.0)) {}
  void add(double grids) {
    done_ += grids;
    unreported_ += grids;
    if (unreported_ >= kGridsPerTick) flush();
  }
  void flush() {
    unreported_ = 0.0;
    if (tick_) tick_(std::min(1.0, done_ / total_));
  }

 private:
  static constexpr double kGridsPerTick = 2048;
  const std::function<void(double)>& tick_;
  double total_;
  double done_ = 0.0, unreported_ = 0.0;
};

/// Map frame: the grids filled by `fill(g)`, micro grid and community outlines, labels.
std::string grid_map(const Dataset& dataset, const Plan& plan, const svg::Viewport& view,
                     const std::vector<std::string>& fill, const std::vector<std::string>& tooltip,
                     const std::vector<bool>& flagged, const std::string& overlay,
                     const std::string& legend, DrawProgress& drawn) {
  std::string out = "<svg class=\"map\" width=\"" + fixed(view.width(), 0) + "\" height=\"" +
                    fixed(view.height(), 0) + "\" viewBox=\"0 0 " + fixed(view.width(), 0) + " " +
                    fixed(view.height(), 0) +
                    "\"><rect width=\"100%\" height=\"100%\" "
                    "fill=\"#f4f4f0\"/>";
  for (const Line& line : dataset.lines) {
    if (line.kind != LineKind::river) continue;
    std::string d;
    for (std::size_t i = 0; i < line.geometry.size(); ++i)
      d += (i ? "L" : "M") + fixed(view.x(line.geometry[i]), 1) + " " +
           fixed(view.y(line.geometry[i]), 1);
    out += "<path d=\"" + d + "\" fill=\"none\" stroke=\"#9cc3e6\" stroke-width=\"3\"/>";
  }
  for (const WaterArea& w : dataset.water)
    out += "<path d=\"" + svg::path_data(w.footprint, view) + "\" fill=\"#bcd8f0\"/>";
  for (std::size_t g = 0; g < plan.large_grids.size(); ++g) {
    const Grid& grid = plan.large_grids[g];
    out += "<path d=\"" + svg::path_data(grid.polygon, view) + "\" fill=\"" + fill[g] +
           "\" fill-rule=\"evenodd\" " + stroke_attributes(style::large_outline()) + "><title>" +
           escape(tooltip[g]) + "</title></path>";
    drawn.add(1.0);
  }
  for (const Grid& micro : plan.micro_grids) {
    out += "<path d=\"" + svg::path_data(micro.polygon, view) + "\" fill=\"none\" " +
           stroke_attributes(style::micro_outline()) + "/>";
    drawn.add(1.0);
  }
  for (std::size_t g = 0; g < plan.large_grids.size(); ++g) {
    if (flagged[g])
      out += "<path d=\"" + svg::path_data(plan.large_grids[g].polygon, view) +
             "\" fill=\"none\" " + stroke_attributes(style::violation_outline()) + "/>";
    drawn.add(1.0);
  }
  for (const Community& c : dataset.communities)
    out += "<path d=\"" + svg::path_data(c.footprint, view) + "\" fill=\"none\" " +
           stroke_attributes(style::community_outline()) + "/>";
  if (plan.large_grids.size() <= 250)
    for (const Grid& grid : plan.large_grids) {
      if (grid.polygon.empty()) continue;
      const Point c = centroid(grid.polygon);
      const std::string label =
          grid.code.size() > 2 ? grid.code.substr(grid.code.size() - 2) : grid.code;
      out += "<text x=\"" + fixed(view.x(c), 1) + "\" y=\"" + fixed(view.y(c) + 3, 1) +
             "\" class=\"lbl\">" + escape(label) + "</text>";
    }
  out += overlay + svg::scale_bar(view) + "</svg>";
  return "<div class=\"mapbox\">" + out + "<div class=\"legend\"><svg width=\"260\" height=\"" +
         std::to_string(20 +
                        18 * static_cast<int>(std::count(legend.begin(), legend.end(), '\n'))) +
         "\">" + legend + "</svg></div></div>";
}

std::string legend_block(const std::vector<std::pair<std::string, std::string>>& entries) {
  // One line per entry so grid_map can size the legend.
  std::string out;
  for (std::size_t i = 0; i < entries.size(); ++i)
    out += svg::legend(4, 4 + 18.0 * static_cast<double>(i), {entries[i]}) + "\n";
  return out;
}

std::string table_row(const std::vector<std::string>& cells, bool header = false) {
  std::string out = "<tr>";
  for (const std::string& c : cells)
    out += (header ? "<th>" : "<td>") + c + (header ? "</th>" : "</td>");
  return out + "</tr>";
}

}  // namespace

const char* report_css() {
  return R"CSS(
body{font-family:"Noto Sans CJK SC","Noto Sans SC","WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",sans-serif;margin:0;color:#222;background:#fff}
header{background:#8b1a1a;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:24px}header p{margin:4px 0 0;opacity:.9}
main{padding:12px 28px 40px;max-width:1280px}
h2{border-bottom:2px solid #8b1a1a;padding-bottom:4px;margin-top:32px;font-size:20px}
h2 small,h3 small,th small,.k small{font-weight:normal;color:#777;margin-left:6px;font-size:12px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:150px;background:#fafafa}
.card .v{font-size:24px;font-weight:bold;color:#8b1a1a}.card.bad .v{color:#c0392b}
.card.bad{border-color:#c0392b;background:#fdf0ee}
.card .k{font-size:13px}.card .k small{display:block;margin:0}
.maps{display:flex;flex-wrap:wrap;gap:18px}
.mapbox{display:flex;gap:8px;align-items:flex-start}
svg.map{border:1px solid #ccc;background:#f4f4f0}
.lbl{font-size:9px;text-anchor:middle;fill:#222;paint-order:stroke;stroke:#fff;stroke-width:2px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f0e6e6}td:first-child,th:first-child{text-align:left}
td.t{text-align:left}tr.bad td{background:#fdf0ee}
.scroll{max-height:480px;overflow:auto;display:inline-block}
.note{color:#555;font-size:13px}.charts{display:flex;flex-wrap:wrap;gap:18px}
.chartbox h3{font-size:15px;margin:8px 0 2px}
code{background:#f4f4f4;padding:0 3px}
@media print{.scroll{max-height:none}}
)CSS";
}

std::string render_report_html(const ReportInfo& info, const Dataset& dataset, const Plan& plan,
                               const evaluation::Evaluation& e, const PlanKpis& k,
                               const ProblemReporter& problems,
                               const std::function<void(double)>& tick) {
  // Three maps, each drawing every large grid twice and every micro grid once; the third a dot
  // for every step-th building as well (step as below).
  const std::size_t dot_step = std::max<std::size_t>(1, dataset.buildings.size() / 60000);
  const double dots = static_cast<double>((dataset.buildings.size() + dot_step - 1) / dot_step);
  DrawProgress drawn(
      tick,
      3.0 * static_cast<double>(2 * plan.large_grids.size() + plan.micro_grids.size()) + dots);
  std::string h;
  h.reserve(1 << 20);
  h += "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>" +
       escape("网格规划报告 — " + info.title) + "</title><style>" + report_css() +
       "</style></head><body>";
  h += "<header><h1>网格规划报告 · " + escape(info.title) + "</h1><p>GridPlanner " +
       escape(info.version) + " · " + escape(info.generated) +
       " · Grid planning report</p></header><main>";
  if (!info.description.empty()) h += "<p>" + escape(info.description) + "</p>";

  // Key figures.
  h += "<h2>主要指标<small>Key figures</small></h2><div class=\"cards\">";
  h += card("户数", "households", fixed(static_cast<double>(k.households), 0));
  h += card("大网格", "large grids", std::to_string(k.large_grids));
  h += card("微网格", "micro grids", std::to_string(k.micro_grids));
  h += card("大网格户数 (最小–最大)", "households per large grid, min–max",
            fixed(k.large_households.min, 0) + "–" + fixed(k.large_households.max, 0));
  h += card("超出户数界限", "grids outside bounds",
            std::to_string(k.large_violations + k.micro_violations),
            k.large_violations + k.micro_violations > 0);
  h += card("平均紧凑度", "mean compactness", fixed(k.mean_compactness, 3));
  // Checked on the grid polygons (evaluation::audit_plan): what a GIS user would find.
  h +=
      card("不连通的网格", "grids in pieces", std::to_string(k.discontiguous), k.discontiguous > 0);
  h += card("跨越硬边界的网格", "grids across a hard barrier", std::to_string(k.barrier_crossings),
            k.barrier_crossings > 0);
  h += card("被拆分的小区", "compounds split", std::to_string(k.compound_splits));
  h += card("不在微网格内的楼栋", "buildings outside their micro grid",
            std::to_string(k.buildings_outside), k.buildings_outside > 0);
  h += card("网格员 专职/兼职", "workers full/part time",
            std::to_string(k.full_time_workers) + " / " + std::to_string(k.part_time_workers));
  h += card("网格员利用率", "worker utilisation", percent(k.utilisation),
            std::isfinite(k.max_grid_utilisation) && k.max_grid_utilisation > info.max_utilisation);
  h += card("响应时间 P90", "response p90", number(k.response_p90_h, 1) + " h",
            std::isfinite(k.response_p90_h) && k.response_p90_h > info.p90_response_hours);
  const char* minutes[] = {"5", "10", "15"};
  for (std::size_t t = 0; t < k.coverage_share.size() && t < 3; ++t)
    h += card(std::string(minutes[t]) + " 分钟步行覆盖",
              "within " + fixed(k.thresholds_m[t], 0) + " m walk", percent(k.coverage_share[t]));
  h += card("服务面积不足的社区", "communities below 30 m²/100 households",
            std::to_string(k.communities_floor_short), k.communities_floor_short > 0);
  if (k.stations_failing_rules > 0)
    h += card("面积未知的服务站", "stations without floor area",
              std::to_string(k.stations_failing_rules), true);
  h += card("无驿站的大网格", "large grids without station",
            std::to_string(k.large_grids_without_station), k.large_grids_without_station > 0);
  if (k.households_moved >= 0)
    h += card("调整户数 (相对现状)", "households moved vs existing",
              std::to_string(k.households_moved));
  if (k.unplanned_buildings > 0)
    h += card("未纳入网格的楼栋", "buildings in no grid", std::to_string(k.unplanned_buildings),
              true);
  h += "</div><p class=\"note\">大网格户数界限 " + std::to_string(info.large.min) + "–" +
       std::to_string(info.large.max) + "，微网格 " + std::to_string(info.micro.min) + "–" +
       std::to_string(info.micro.max) + "。坐标系 CRS: " + escape(info.crs) +
       "。覆盖计算: " + escape(k.coverage_method) + "。";
  if (k.replications > 0)
    h += "事件模拟 " + std::to_string(k.replications) + " 次重复 (replications)。";
  h += "</p>";

  // Maps.
  const Box extent = plan_extent(dataset, plan);
  const svg::Viewport view(extent, 760, 620);
  const std::size_t large_count = plan.large_grids.size();
  h += "<h2>地图<small>Maps</small></h2><div class=\"maps\">";
  {
    std::vector<std::string> fill, tip;
    std::vector<bool> flagged;
    for (const Grid& g : plan.large_grids) {
      fill.push_back(
          style::household_colour(g.metrics.households, info.large.min, info.large.max).hex());
      tip.push_back(g.code + " " + g.name + "：" + std::to_string(g.metrics.households) + " 户, " +
                    std::to_string(g.metrics.buildings) + " 栋");
      flagged.push_back(g.metrics.below_min || g.metrics.above_max);
    }
    h += "<div><h3>大网格户数<small>large grids by households (red outline: outside bounds; "
         "white lines: micro grids)</small></h3>";
    h += grid_map(dataset, plan, view, fill, tip, flagged, "",
                  legend_block(household_legend(info.large.min, info.large.max)), drawn);
    h += "</div>";
  }
  {
    std::vector<std::string> fill, tip;
    std::vector<bool> flagged;
    const bool simulated = e.simulation.has_value();
    double most = 0.0;
    for (double v : e.large_hours_per_worker) most = std::max(most, v);
    // The ramp spans the observed utilisation so differences between grids show; grids above
    // the staffing target get a red outline whatever the ramp.
    double busiest = 0.05;
    if (simulated)
      for (const sim::GroupResult& g : e.simulation->grids)
        if (std::isfinite(g.utilisation.mean)) busiest = std::max(busiest, g.utilisation.mean);
    for (std::size_t g = 0; g < large_count; ++g) {
      const Grid& grid = plan.large_grids[g];
      double load = NAN;
      std::string text;
      if (simulated && g < e.simulation->grids.size()) {
        load = e.simulation->grids[g].utilisation.mean;
        fill.push_back(svg::ramp_colour(load / busiest));
        text = "利用率 " + percent(load) + ", P90 响应 " +
               number(e.simulation->grids[g].response_p90_h.mean, 1) + " h";
        flagged.push_back(load > info.max_utilisation);
      } else {
        load = g < e.large_hours_per_worker.size() ? e.large_hours_per_worker[g] : NAN;
        fill.push_back(svg::ramp_colour(most > 0 ? load / most : NAN));
        text = "人均 " + number(load, 0) + " 小时/年";
        flagged.push_back(false);
      }
      const int workers = e.allocation.full_time[g] + e.allocation.part_time[g];
      tip.push_back(grid.code + "：" + std::to_string(workers) + " 名网格员, " + text);
    }
    h += "<div><h3>网格员负荷<small>" +
         std::string(simulated ? "large grids by simulated worker utilisation (red outline: above "
                                 "the target)"
                               : "large grids by workload hours per worker") +
         "</small></h3>";
    h += grid_map(
        dataset, plan, view, fill, tip, flagged, "",
        simulated
            ? legend_block({{svg::ramp_colour(0), "0 %"},
                            {svg::ramp_colour(0.5), percent(busiest / 2, 0)},
                            {svg::ramp_colour(1), percent(busiest, 0) + " 最高 highest"},
                            {"none\" stroke=\"#c0392b\" stroke-width=\"2",
                             "高于目标 " + percent(info.max_utilisation, 0) + " above target"}})
            : legend_block(
                  {{svg::ramp_colour(0), "0 h"}, {svg::ramp_colour(1), number(most, 0) + " h"}}),
        drawn);
    h += "</div>";
  }
  {
    // Station coverage: buildings as dots by walking distance band, stations by tier.
    std::string overlay;
    const sim::TierCoverage* any = e.coverage.tiers.empty() ? nullptr : &e.coverage.any();
    const std::size_t step = std::max<std::size_t>(1, dataset.buildings.size() / 60000);
    for (std::size_t b = 0; any && b < dataset.buildings.size(); b += step) {
      drawn.add(1.0);
      const Building& building = dataset.buildings[b];
      if (building.households <= 0 || b >= any->distance_m.size()) continue;
      const Point c = centroid(building.footprint);
      overlay += "<circle cx=\"" + fixed(view.x(c), 1) + "\" cy=\"" + fixed(view.y(c), 1) +
                 "\" r=\"1.8\" fill=\"" +
                 style::walking_colour(any->distance_m[b], e.thresholds_m).hex() + "\"/>";
    }
    for (std::size_t s = 0; s < dataset.stations.size(); ++s) {
      const Station& st = dataset.stations[s];
      const double x = view.x(st.location), y = view.y(st.location);
      const style::StationSymbol symbol = style::station_symbol(st.tier);
      const double r = symbol.radius_px;
      const bool bad = s < e.stations.size() && e.stations[s].fails_rule;
      const style::Stroke outline = style::station_outline(bad);
      overlay += "<rect x=\"" + fixed(x - r, 1) + "\" y=\"" + fixed(y - r, 1) + "\" width=\"" +
                 fixed(2 * r, 1) + "\" height=\"" + fixed(2 * r, 1) + "\" fill=\"" +
                 symbol.colour.hex() + "\" " + stroke_attributes(outline) + "><title>" +
                 escape(st.name) + " (" + chinese_name(st.tier) + ")</title></rect>";
    }
    if (e.siting)
      for (const sim::SitedStation& s : e.siting->max_cover) {
        const double x = view.x(s.location), y = view.y(s.location);
        overlay +=
            "<path d=\"M" + fixed(x, 1) + " " + fixed(y - 8, 1) + "L" + fixed(x + 2.4, 1) + " " +
            fixed(y - 2.5, 1) + "L" + fixed(x + 7.6, 1) + " " + fixed(y - 2.5, 1) + "L" +
            fixed(x + 3.4, 1) + " " + fixed(y + 1.2, 1) + "L" + fixed(x + 5, 1) + " " +
            fixed(y + 7, 1) + "L" + fixed(x, 1) + " " + fixed(y + 3.5, 1) + "L" + fixed(x - 5, 1) +
            " " + fixed(y + 7, 1) + "L" + fixed(x - 3.4, 1) + " " + fixed(y + 1.2, 1) + "L" +
            fixed(x - 7.6, 1) + " " + fixed(y - 2.5, 1) + "L" + fixed(x - 2.4, 1) + " " +
            fixed(y - 2.5, 1) +
            "Z\" fill=\"#0072b2\" stroke=\"#fff\" stroke-width=\"1\"><title>建议新增站点: +" +
            std::to_string(s.households_covered) + " 户</title></path>";
      }
    std::vector<std::string> fill(large_count, "#ffffff"), tip;
    for (const Grid& g : plan.large_grids) tip.push_back(g.code);
    std::vector<std::pair<std::string, std::string>> entries;
    for (const style::ValueClass& band : style::walking_bands(e.thresholds_m))
      entries.push_back({band.colour.hex(), band.label});
    entries.push_back(
        {style::station_symbol(StationTier::compound_station).colour.hex(), "小区党群服务站"});
    entries.push_back(
        {style::station_symbol(StationTier::community_centre).colour.hex(), "社区/县级中心"});
    entries.push_back({"#0072b2", "★ 建议新增站点"});
    h += "<div><h3>服务站步行覆盖<small>buildings by walking distance to the nearest station; "
         "orange outline: station failing a rule</small></h3>";
    h += grid_map(dataset, plan, view, fill, tip, std::vector<bool>(large_count, false), overlay,
                  legend_block(entries), drawn);
    h += "</div>";
  }
  drawn.flush();  // the maps are drawn (a small plan never reached a tick)
  h += "</div>";

  // Distributions.
  h += "<h2>分布<small>Distributions</small></h2><div class=\"charts\">";
  {
    std::vector<double> large, micro;
    for (const Grid& g : plan.large_grids) large.push_back(g.metrics.households);
    for (const Grid& g : plan.micro_grids) micro.push_back(g.metrics.households);
    h += "<div class=\"chartbox\"><h3>大网格户数<small>households per large grid</small></h3>" +
         svg::histogram(
             large, 16, "户数 households",
             {{static_cast<double>(info.large.min), "下限 " + std::to_string(info.large.min)},
              {static_cast<double>(info.large.max), "上限 " + std::to_string(info.large.max)}}) +
         "</div>";
    h += "<div class=\"chartbox\"><h3>微网格户数<small>households per micro grid</small></h3>" +
         svg::histogram(
             micro, 16, "户数 households",
             {{static_cast<double>(info.micro.min), "下限 " + std::to_string(info.micro.min)},
              {static_cast<double>(info.micro.max), "上限 " + std::to_string(info.micro.max)}}) +
         "</div>";
    if (e.simulation) {
      std::vector<std::pair<std::string, double>> util, p90;
      for (std::size_t g = 0; g < large_count && g < e.simulation->grids.size(); ++g) {
        util.push_back({plan.large_grids[g].code, e.simulation->grids[g].utilisation.mean * 100.0});
        p90.push_back({plan.large_grids[g].code, e.simulation->grids[g].response_p90_h.mean});
      }
      std::vector<double> p90_values;
      for (const auto& [code, v] : p90) p90_values.push_back(v);
      auto by_value = [](const auto& a, const auto& b) { return a.second > b.second; };
      std::sort(util.begin(), util.end(), by_value);
      if (util.size() > 40) util.resize(40);
      h += "<div class=\"chartbox\"><h3>网格员利用率 (最高 40 个网格)<small>utilisation per large "
           "grid, %</small></h3>" +
           svg::bars(util, "%.1f %%", info.max_utilisation * 100.0,
                     "目标 " + percent(info.max_utilisation, 0)) +
           "</div>";
      h += "<div class=\"chartbox\"><h3>P90 响应时间<small>90th-percentile response per large "
           "grid, hours</small></h3>" +
           svg::histogram(
               p90_values, 16, "小时 hours",
               {{info.p90_response_hours, "目标 " + number(info.p90_response_hours, 0) + " h"}}) +
           "</div>";
    }
  }
  h += "</div>";

  // Workload and staffing: what the need is made of, how the workers given compare, which
  // assumptions move the answer.
  h += "<h2>工作量与人员配置<small>Workload and staffing</small></h2>";
  if (!e.verdict.chinese.empty()) {
    const bool far = e.verdict.level == "far_above" || e.verdict.level == "far_below";
    h += std::string("<p") + (far ? " style=\"color:#c0392b;font-weight:bold\"" : "") + ">" +
         escape(e.verdict.chinese) + "<br><small>" + escape(e.verdict.english) + "</small></p>";
  }
  if (!e.workload_breakdown.empty()) {
    double total = 0.0;
    for (const sim::ComponentHours& c : e.workload_breakdown) total += c.hours;
    h += "<table>" + table_row({"工作内容<small>component</small>",
                                "小时/年<small>hours/year</small>", "占比<small>share</small>"},
                               true);
    for (const sim::ComponentHours& c : e.workload_breakdown)
      h += table_row({"<span class=\"t\">" + escape(c.chinese) + " <small>" + escape(c.english) +
                          "</small></span>",
                      fixed(c.hours, 0), percent(total > 0 ? c.hours / total : NAN)});
    h += table_row({"合计 <small>total</small>", fixed(total, 0), "100 %"});
    h += "</table><p class=\"note\">WISN: 主要工作量 + 类别津贴 (例会、台账、培训) + 个人津贴 "
         "(网格长督导)；各项默认值及来源见 docs/simulation.md。</p>";
  }
  if (e.sensitivity) {
    const sim::SensitivityResult& sens = *e.sensitivity;
    std::vector<svg::TornadoRow> need, p90;
    for (const sim::SensitivityRow& row : sens.rows) {
      if (need.size() < 15) need.push_back({row.label, row.need_low, row.need_high});
      if (std::isfinite(row.p90_low)) p90.push_back({row.label, row.p90_low, row.p90_high});
    }
    h += "<div class=\"charts\"><div class=\"chartbox\"><h3>人员需求敏感性<small>staffing need "
         "(FTE) with each parameter at ±25 %</small></h3>" +
         svg::tornado(need, sens.need_fte, "需求 need", "%.1f") + "</div>";
    if (!p90.empty())
      h += "<div class=\"chartbox\"><h3>P90 响应敏感性<small>town p90 response (h) at the "
           "staffing given, ±25 %, " +
           std::to_string(p90.size()) + " largest rows simulated</small></h3>" +
           svg::tornado(p90, sens.p90_h, "P90", "%.1f h") + "</div>";
    h += "</div><p>";
    if (sens.workers_meeting_target > 0)
      h += "满足服务目标 (P90 响应 &lt; " + number(info.p90_response_hours, 0) +
           " h，各网格利用率 &lt; " + percent(info.max_utilisation, 0) + ") 所需网格员约 <b>" +
           std::to_string(sens.workers_meeting_target) + "</b> 名 (按现有专兼职比例与工作量分配；" +
           "模拟 P90 " + number(sens.p90_at_target_h, 1) + " h，最忙网格 " +
           percent(sens.max_utilisation_at_target) +
           ")。<small>Workers at which the service "
           "targets are met.</small>";
    else
      h += "在现有专兼职比例下，即使人数增至四倍也达不到服务目标 (P90 响应 &lt; " +
           number(info.p90_response_hours, 0) +
           " h)：夜间和周末上报的事件要等到下一个班次，应调整班次或目标。<small>The targets are "
           "not met even at four times the workers: reports outside working hours wait for the "
           "next shift; change the shifts or the target.</small>";
    h += "</p>";
  }

  // Communities.
  h += "<h2>社区<small>Communities</small></h2><table>";
  h += table_row(
      {"社区代码<small>code</small>", "社区<small>community</small>",
       "户数<small>households</small>", "大网格<small>large</small>", "微网格<small>micro</small>",
       "越界<small>violations</small>", "网格员<small>workers</small>"},
      true);
  {
    struct Row {
      long long households = 0;
      int large = 0, micro = 0, violations = 0, workers = 0;
    };
    std::map<std::int32_t, Row> rows;
    for (std::size_t g = 0; g < large_count; ++g) {
      const Grid& grid = plan.large_grids[g];
      Row& r = rows[grid.community];
      r.households += grid.metrics.households;
      ++r.large;
      r.violations += grid.metrics.below_min || grid.metrics.above_max;
      r.workers += e.allocation.full_time[g] + e.allocation.part_time[g];
    }
    for (const Grid& grid : plan.micro_grids) {
      Row& r = rows[grid.community];
      ++r.micro;
      r.violations += grid.metrics.below_min || grid.metrics.above_max;
    }
    for (const auto& [c, r] : rows)
      h += table_row(
          {c == kNone ? "" : escape(community_code(dataset, c)),
           "<span class=\"t\">" +
               escape(c == kNone ? "(无社区)" : dataset.communities[at(c)].name) + "</span>",
           std::to_string(r.households), std::to_string(r.large), std::to_string(r.micro),
           std::to_string(r.violations), std::to_string(r.workers)});
  }
  h += "</table>";

  // Large grids.
  h += "<h2>大网格<small>Large grids</small></h2><div class=\"scroll\"><table>";
  h += table_row(
      {"编码<small>code</small>", "社区<small>community</small>", "户数<small>hh</small>",
       "楼栋<small>bldg</small>", "微网格<small>micro</small>", "网格员<small>workers</small>",
       "人均工时<small>h/worker/yr</small>", "利用率<small>util.</small>",
       "P90 响应<small>h</small>", "面积<small>km²</small>", "紧凑度<small>compact</small>",
       "服务站<small>station</small>", "越界<small>violation</small>"},
      true);
  {
    std::vector<int> micro_count(large_count, 0);
    for (const Grid& m : plan.micro_grids)
      if (m.parent != kNone) ++micro_count[at(m.parent)];
    for (std::size_t g = 0; g < large_count; ++g) {
      const Grid& grid = plan.large_grids[g];
      const bool bad = grid.metrics.below_min || grid.metrics.above_max;
      std::string util = "—", p90 = "—";
      if (e.simulation && g < e.simulation->grids.size()) {
        util = percent(e.simulation->grids[g].utilisation.mean);
        p90 = number(e.simulation->grids[g].response_p90_h.mean, 1);
      }
      const std::string station = e.large_station[g] == kNone
                                      ? "<b style=\"color:#c0392b\">无 none</b>"
                                      : escape(dataset.stations[at(e.large_station[g])].name);
      h += std::string(bad ? "<tr class=\"bad\">" : "<tr>") + "<td>" + escape(grid.code) +
           "</td><td class=\"t\">" +
           escape(grid.community == kNone ? "" : dataset.communities[at(grid.community)].name) +
           "</td><td>" + std::to_string(grid.metrics.households) + "</td><td>" +
           std::to_string(grid.metrics.buildings) + "</td><td>" + std::to_string(micro_count[g]) +
           "</td><td>" + std::to_string(e.allocation.full_time[g] + e.allocation.part_time[g]) +
           "</td><td>" + number(e.large_hours_per_worker[g], 0) + "</td><td>" + util + "</td><td>" +
           p90 + "</td><td>" + fixed(grid.metrics.area_m2 / 1e6, 3) + "</td><td>" +
           fixed(grid.metrics.compactness, 3) + "</td><td class=\"t\">" + station + "</td><td>" +
           (grid.metrics.below_min   ? "低于下限 below min"
            : grid.metrics.above_max ? "高于上限 above max"
                                     : "") +
           "</td></tr>";
    }
  }
  h += "</table></div>";

  // Stations.
  h += "<h2>党群服务站点<small>Stations</small></h2><div class=\"scroll\"><table>";
  h += table_row({"名称<small>name</small>", "层级<small>tier</small>",
                  "面积 m²<small>floor</small>", "服务户数<small>served</small>",
                  "5/10/15 分钟内户数<small>within</small>", "检查<small>rule</small>"},
                 true);
  for (std::size_t s = 0; s < dataset.stations.size(); ++s) {
    const Station& st = dataset.stations[s];
    const evaluation::StationStats& stats = e.stations[s];
    std::string within;
    for (std::size_t t = 0; t < stats.households_within.size(); ++t)
      within += (t ? " / " : "") + std::to_string(stats.households_within[t]);
    h += std::string(stats.fails_rule ? "<tr class=\"bad\">" : "<tr>") + "<td class=\"t\">" +
         escape(st.name) + "</td><td class=\"t\">" + chinese_name(st.tier) + "</td><td>" +
         (st.floor_m2 > 0 ? fixed(st.floor_m2, 0) : "未知") + "</td><td>" +
         std::to_string(stats.households_served) + "</td><td>" + within + "</td><td>" +
         (stats.fails_rule ? "面积未知 floor unknown" : "—") + "</td></tr>";
  }
  h += "</table></div><p class=\"note\">每百户 30 m² 是社区层级的指标 (社区综合服务设施：社区中心与"
       "社区内各站点合计)，不是单个小区站点的面积要求；见下方规则检查。<small>30 m² per 100 "
       "households applies to a community's centre and stations together.</small></p>";
  if (e.siting) {
    const sim::SitingResult& s = *e.siting;
    h += "<p>步行 15 分钟以外的户数 (households beyond the siting radius): " +
         std::to_string(s.households_uncovered) + "；建议新增 " +
         std::to_string(s.max_cover.size()) + " 个站点可覆盖其中 " +
         std::to_string(s.max_cover_households) + " 户 (upper bound " +
         fixed(s.max_cover_upper_bound, 0) + ")；全部覆盖至少需要 " +
         std::to_string(s.set_cover.size()) + " 个站点 (lower bound " +
         std::to_string(s.set_cover_lower_bound) + ")。" + escape(s.method) + "</p>";
  }

  // Rule failures and diagnostics.
  h += "<h2>规则检查与诊断<small>Rule failures and diagnostics</small></h2>";
  if (!e.rule_failures.empty()) {
    h += "<h3>规则不达标 (" + std::to_string(e.rule_failures.size()) +
         ")<small>station rules</small></h3><div class=\"scroll\"><table>";
    h += table_row({"规则<small>rule</small>", "层级<small>level</small>",
                    "说明<small>message</small>", "来源<small>source</small>"},
                   true);
    for (const sim::RuleFailure& f : e.rule_failures)
      h += "<tr><td>" + std::string(sim::to_string(f.kind)) + "</td><td class=\"t\">" +
           sim::rule_level(f.kind) + "</td><td class=\"t\">" + escape(f.message) +
           "</td><td class=\"t\"><small>" + escape(sim::rule_source(f.kind)) + "</small></td></tr>";
    h += "</table></div>";
  }
  h += "<h3>问题统计<small>problems by kind</small></h3><table>";
  h += table_row({"类型<small>kind</small>", "数量<small>count</small>"}, true);
  for (const auto& [kind, count] : problems.counts_by_kind())
    h += table_row({escape(kind), std::to_string(count)});
  h += "</table><div class=\"scroll\"><table>";
  h += table_row({"级别<small>severity</small>", "类型<small>kind</small>",
                  "位置与说明<small>where and what</small>"},
                 true);
  std::size_t shown = 0;
  for (int level = 2; level >= 0; --level)
    for (const Problem& p : problems.problems()) {
      if (static_cast<int>(p.severity) != level || shown >= 500) continue;
      ++shown;
      h += "<tr" + std::string(p.severity == Severity::error ? " class=\"bad\"" : "") + "><td>" +
           to_string(p.severity) + "</td><td class=\"t\">" + escape(p.kind) +
           "</td><td class=\"t\">" + escape(to_string(p)) + "</td></tr>";
    }
  h += "</table></div>";
  if (problems.problems().size() > shown)
    h += "<p class=\"note\">仅显示前 " + std::to_string(shown) +
         " 条；全部见 plan.gpkg 的 diagnostics 图层 (all in the diagnostics layer).</p>";

  // Parameters and sources.
  h += "<h2>参数与来源<small>Parameters and sources</small></h2><table>";
  for (const auto& [key, value] : info.parameters)
    h += "<tr><td><code>" + escape(key) + "</code></td><td class=\"t\">" + escape(value) +
         "</td></tr>";
  h += "</table>";
  if (!info.sources.empty()) {
    h += "<table>" + table_row({"预设<small>preset</small>", "来源<small>source</small>"}, true);
    for (const auto& [key, value] : info.sources)
      h += "<tr><td><code>" + escape(key) + "</code></td><td class=\"t\">" + escape(value) +
           "</td></tr>";
    h += "</table>";
  }
  h += "<p class=\"note\">输入 inputs: ";
  for (const std::string& in : info.inputs) h += "<code>" + escape(in) + "</code> ";
  h += "</p></main></body></html>\n";
  return h;
}

}  // namespace gp::report
