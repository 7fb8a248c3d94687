#include "planner/report/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "planner/report/html.hpp"
#include "planner/report/svg.hpp"

namespace gp::report {
namespace {

using svg::escape;
using svg::fixed;

std::size_t at(std::int32_t index) {
  return static_cast<std::size_t>(index);
}

/// Rows of the comparison: the key figures plus the moves against the first plan.
struct Table {
  std::vector<KpiRow> rows;
  std::vector<std::vector<std::string>> cells;  // per row, per run
};

Table build_table(const std::vector<RunSnapshot>& runs) {
  Table t;
  if (runs.empty()) return t;
  t.rows = kpi_rows(runs.front().kpis);
  for (const KpiRow& row : t.rows) {
    std::vector<std::string> cells;
    for (const RunSnapshot& run : runs)
      cells.push_back(format_kpi(kpi_value(run.kpis, row.key), row));
    t.cells.push_back(std::move(cells));
  }
  KpiRow buildings{"buildings_moved_vs_first",
                   "调整楼栋 (相对第一个方案)",
                   "buildings moved vs the first plan",
                   0,
                   false,
                   -1};
  KpiRow households{"households_moved_vs_first",
                    "调整户数 (相对第一个方案)",
                    "households moved vs the first plan",
                    0,
                    false,
                    -1};
  std::vector<std::string> b_cells, h_cells;
  for (const RunSnapshot& run : runs) {
    const Moves moves = moved_between(runs.front(), run);
    b_cells.push_back(std::to_string(moves.buildings));
    h_cells.push_back(std::to_string(moves.households));
  }
  t.rows.push_back(buildings);
  t.cells.push_back(b_cells);
  t.rows.push_back(households);
  t.cells.push_back(h_cells);
  return t;
}

/// Display width of UTF-8 text in a terminal: CJK characters take two columns.
std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t bytes = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    // Wide: CJK and full-width forms (3-byte sequences from U+3000); punctuation such as the
    // dash U+2014 (lead byte 0xE2) is narrow.
    width += bytes == 4 || (bytes == 3 && c >= 0xE3) ? 2 : 1;
    i += bytes;
  }
  return width;
}

std::string pad(const std::string& text, std::size_t width, bool right) {
  const std::size_t w = display_width(text);
  const std::string spaces(w < width ? width - w : 0, ' ');
  return right ? spaces + text : text + spaces;
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

Box extent_of(const std::vector<RunSnapshot>& runs) {
  Box box;
  for (const RunSnapshot& run : runs)
    for (const SnapshotGrid& g : run.large_grids) box.expand(bounds(g.polygon));
  return box;
}

std::string svg_open(const svg::Viewport& view) {
  return "<svg class=\"map\" width=\"" + fixed(view.width(), 0) + "\" height=\"" +
         fixed(view.height(), 0) + "\" viewBox=\"0 0 " + fixed(view.width(), 0) + " " +
         fixed(view.height(), 0) + "\"><rect width=\"100%\" height=\"100%\" fill=\"#f4f4f0\"/>";
}

}  // namespace

RunSnapshot make_snapshot(const std::string& name, const Dataset& dataset, const Plan& plan,
                          const PlanKpis& kpis) {
  RunSnapshot s;
  s.name = name;
  s.kpis = kpis;
  for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
    const Building& building = dataset.buildings[b];
    const std::int32_t large = b < plan.building_large.size() ? plan.building_large[b] : kNone;
    const std::int32_t micro = b < plan.building_micro.size() ? plan.building_micro[b] : kNone;
    s.buildings.push_back({building.id, building.households, centroid(building.footprint),
                           large == kNone ? "" : plan.large_grids[at(large)].code,
                           micro == kNone ? "" : plan.micro_grids[at(micro)].code});
  }
  for (const Grid& g : plan.large_grids)
    s.large_grids.push_back({g.code,
                             g.community == kNone ? "" : dataset.communities[at(g.community)].name,
                             g.metrics.households, g.polygon});
  return s;
}

Moves moved_between(const RunSnapshot& before, const RunSnapshot& after) {
  Moves moves;
  std::unordered_map<std::int64_t, std::size_t> index_before;
  for (std::size_t i = 0; i < before.buildings.size(); ++i)
    index_before.emplace(before.buildings[i].bid, i);
  // Households shared by (grid after, grid before); each after-grid's counterpart is the
  // before-grid it shares most with (ties: the smaller code, for determinism).
  std::map<std::string, std::map<std::string, long long>> shared;
  for (const SnapshotBuilding& b : after.buildings) {
    auto found = index_before.find(b.bid);
    if (found == index_before.end()) continue;
    shared[b.large_code][before.buildings[found->second].large_code] += std::max(b.households, 1);
  }
  std::map<std::string, std::string> counterpart;
  for (const auto& [after_code, row] : shared) {
    long long best = -1;
    for (const auto& [before_code, households] : row)
      if (households > best) {
        best = households;
        counterpart[after_code] = before_code;
      }
  }
  std::unordered_map<std::int64_t, bool> seen;
  for (std::size_t i = 0; i < after.buildings.size(); ++i) {
    const SnapshotBuilding& b = after.buildings[i];
    auto found = index_before.find(b.bid);
    if (found == index_before.end()) {
      ++moves.unmatched;
      continue;
    }
    seen[b.bid] = true;
    if (b.households <= 0) continue;
    if (before.buildings[found->second].large_code != counterpart[b.large_code]) {
      ++moves.buildings;
      moves.households += b.households;
      moves.moved.push_back(i);
    }
  }
  for (const SnapshotBuilding& b : before.buildings)
    if (!seen.count(b.bid)) ++moves.unmatched;
  return moves;
}

std::string compare_text(const std::vector<RunSnapshot>& runs) {
  const Table t = build_table(runs);
  std::size_t label_width = 0;
  for (const KpiRow& row : t.rows) label_width = std::max(label_width, display_width(row.chinese));
  std::vector<std::size_t> widths;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    std::size_t w = std::max<std::size_t>(10, display_width(runs[r].name));
    for (const auto& cells : t.cells) w = std::max(w, display_width(cells[r]));
    widths.push_back(w);
  }
  std::string out = pad("", label_width, false);
  for (std::size_t r = 0; r < runs.size(); ++r) out += "  " + pad(runs[r].name, widths[r], true);
  out += "\n";
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    out += pad(t.rows[i].chinese, label_width, false);
    for (std::size_t r = 0; r < runs.size(); ++r) out += "  " + pad(t.cells[i][r], widths[r], true);
    out += "\n";
  }
  return out;
}

std::string compare_csv(const std::vector<RunSnapshot>& runs) {
  const Table t = build_table(runs);
  std::string out = "\xEF\xBB\xBFkey,chinese,english";
  for (const RunSnapshot& run : runs) out += "," + csv_cell(run.name);
  out += "\r\n";
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    out += t.rows[i].key + "," + csv_cell(t.rows[i].chinese) + "," + csv_cell(t.rows[i].english);
    for (const std::string& cell : t.cells[i]) out += "," + csv_cell(cell);
    out += "\r\n";
  }
  return out;
}

std::string compare_html(const std::vector<RunSnapshot>& runs, const std::string& version,
                         const std::string& generated) {
  const Table t = build_table(runs);
  std::string h =
      "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>方案比较 "
      "Plan comparison</title><style>";
  h += report_css();
  h += "</style></head><body><header><h1>方案比较 · ";
  for (std::size_t r = 0; r < runs.size(); ++r) h += (r ? " / " : "") + escape(runs[r].name);
  h += "</h1><p>GridPlanner " + escape(version) + " · " + escape(generated) +
       " · Plan comparison</p></header><main>";

  h += "<h2>指标对比<small>Key figures side by side (bold: best)</small></h2><table><tr><th>指标 "
       "<small>figure</small></th>";
  for (const RunSnapshot& run : runs) h += "<th>" + escape(run.name) + "</th>";
  h += "</tr>";
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const KpiRow& row = t.rows[i];
    // The best value of a row with a direction, when the plans differ.
    std::vector<double> values;
    for (const RunSnapshot& run : runs) values.push_back(kpi_value(run.kpis, row.key));
    double best = NAN;
    if (row.better != 0 && i + 2 < t.rows.size())
      for (double v : values)
        if (std::isfinite(v) && (!std::isfinite(best) || (row.better < 0 ? v < best : v > best)))
          best = v;
    h += "<tr><td class=\"t\">" + escape(row.chinese) + "<small>" + escape(row.english) +
         "</small></td>";
    for (std::size_t r = 0; r < runs.size(); ++r) {
      const bool highlight =
          std::isfinite(best) && values[r] == best &&
          std::count(values.begin(), values.end(), best) < static_cast<long>(values.size());
      h += "<td>" + std::string(highlight ? "<b>" : "") + escape(t.cells[i][r]) +
           (highlight ? "</b>" : "") + "</td>";
    }
    h += "</tr>";
  }
  h += "</table><p class=\"note\">调整户数按楼栋编号 (bid) "
       "匹配；网格按共有户数最多配对，重新编号但未变化的网格不计为调整。"
       "Moves match buildings by bid and grids by the households they share.</p>";

  // Maps: each plan coloured by households; difference maps against the first plan.
  const Box extent = extent_of(runs);
  const bool geographic = !runs.empty() && runs.front().geographic;
  const double width = runs.size() <= 2 ? 600 : 420;
  const svg::Viewport view(extent, width, width * 0.9, geographic);
  h += "<h2>各方案大网格户数<small>Large grids by households, per plan</small></h2><div "
       "class=\"maps\">";
  double lo = INFINITY, hi = -INFINITY;
  for (const RunSnapshot& run : runs)
    for (const SnapshotGrid& g : run.large_grids) {
      lo = std::min(lo, static_cast<double>(g.households));
      hi = std::max(hi, static_cast<double>(g.households));
    }
  for (const RunSnapshot& run : runs) {
    std::string m = svg_open(view);
    for (const SnapshotGrid& g : run.large_grids)
      m += "<path d=\"" + svg::path_data(g.polygon, view) + "\" fill=\"" +
           svg::ramp_colour((g.households - lo) / std::max(hi - lo, 1.0)) +
           "\" stroke=\"#555\" stroke-width=\"0.8\"><title>" + escape(g.code) + ": " +
           std::to_string(g.households) + " 户</title></path>";
    m += svg::scale_bar(view) + "</svg>";
    h += "<div><h3>" + escape(run.name) + "<small>" + std::to_string(run.large_grids.size()) +
         " large grids</small></h3>" + m + "</div>";
  }
  h += "</div><p class=\"note\">颜色 colour: " + fixed(std::isfinite(lo) ? lo : 0, 0) +
       " 户 (浅 light) → " + fixed(std::isfinite(hi) ? hi : 0, 0) + " 户 (深 dark)</p>";

  if (runs.size() >= 2) {
    h += "<h2>差异图<small>Difference maps against " + escape(runs.front().name) +
         ": grey = its grid boundaries, blue = the other plan's, red = buildings moved</small></h2>"
         "<div class=\"maps\">";
    for (std::size_t r = 1; r < runs.size(); ++r) {
      const Moves moves = moved_between(runs.front(), runs[r]);
      std::string m = svg_open(view);
      for (const SnapshotGrid& g : runs.front().large_grids)
        m += "<path d=\"" + svg::path_data(g.polygon, view) +
             "\" fill=\"#ffffff\" stroke=\"#999\" stroke-width=\"2.4\"/>";
      for (const SnapshotGrid& g : runs[r].large_grids)
        m += "<path d=\"" + svg::path_data(g.polygon, view) +
             "\" fill=\"none\" stroke=\"#0072b2\" stroke-width=\"1\"><title>" + escape(g.code) +
             "</title></path>";
      for (std::size_t i : moves.moved) {
        const SnapshotBuilding& b = runs[r].buildings[i];
        m += "<circle cx=\"" + fixed(view.x(b.position), 1) + "\" cy=\"" +
             fixed(view.y(b.position), 1) + "\" r=\"2.2\" fill=\"#d62728\"><title>bid " +
             std::to_string(b.bid) + ": " + std::to_string(b.households) + " 户 → " +
             escape(b.large_code) + "</title></circle>";
      }
      m += svg::scale_bar(view) + "</svg>";
      h += "<div><h3>" + escape(runs.front().name) + " → " + escape(runs[r].name) + "<small>" +
           std::to_string(moves.buildings) + " 栋 / " + std::to_string(moves.households) +
           " 户调整 moved</small></h3>" + m + "</div>";
    }
    h += "</div>";
  }

  // Distributions per plan.
  h += "<h2>大网格户数分布<small>Households per large grid</small></h2><div class=\"charts\">";
  for (const RunSnapshot& run : runs) {
    std::vector<double> values;
    for (const SnapshotGrid& g : run.large_grids) values.push_back(g.households);
    h += "<div class=\"chartbox\"><h3>" + escape(run.name) + "</h3>" +
         svg::histogram(values, 14, "户数 households", {}, 400, 200) + "</div>";
  }
  h += "</div><h2>来源<small>Sources</small></h2><ul>";
  for (const RunSnapshot& run : runs)
    h += "<li>" + escape(run.name) + ": <code>" + escape(run.source) + "</code></li>";
  h += "</ul></main></body></html>\n";
  return h;
}

}  // namespace gp::report
