// The report module on hand-made towns: KPIs, JSON round trip, households moved between plans,
// the evaluation pipeline, and self-contained HTML (inline SVG, no scripts, no URLs, Chinese).

#include <catch2/catch.hpp>

#include <cmath>

#include "planner/evaluation/evaluation.hpp"
#include "planner/report/compare.hpp"
#include "planner/report/html.hpp"
#include "planner/report/kpi.hpp"
#include "planner/report/layers.hpp"
#include "planner/report/svg.hpp"

using namespace gp;
using namespace gp::report;
using namespace gp::evaluation;

namespace {

MultiPolygon square(double x, double y, double size) {
  return {Polygon{{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}, {}}};
}

/// A 4 × 2 block of buildings (50 households each) in one 400 × 200 m community, two large grids
/// (west and east halves) with one micro grid each, a street along y = 100 m, one station.
struct Town {
  Dataset dataset;
  Plan plan;
  Town() {
    Community c;
    c.code = "140221100001";
    c.name = "西城社区";
    c.footprint = square(0, 0, 400);
    c.footprint[0].outer = {{0, 0}, {400, 0}, {400, 200}, {0, 200}, {0, 0}};
    dataset.communities.push_back(c);
    for (int i = 0; i < 8; ++i) {
      Building b;
      b.id = 100 + i;
      b.households = 50;
      b.footprint = square(20 + (i % 4) * 100, 20 + (i / 4) * 100, 40);
      b.community = 0;
      dataset.buildings.push_back(b);
    }
    Line street;
    street.kind = LineKind::road;
    street.cls = "residential";
    street.geometry = {{0, 100}, {400, 100}};
    dataset.lines.push_back(street);
    Line cross;
    cross.kind = LineKind::road;
    cross.cls = "residential";
    cross.geometry = {{200, 0}, {200, 200}};
    dataset.lines.push_back(cross);
    Station s;
    s.name = "西城小区党群服务站";
    s.tier = StationTier::compound_station;
    s.floor_m2 = 60;  // serves 400 households: needs 120 m²
    s.location = {100, 100};
    dataset.stations.push_back(s);
    plan = split_at(200.0);
  }
  /// Large grids west / east of x, each one micro grid.
  Plan split_at(double x) const {
    Plan p;
    p.building_large.assign(8, kNone);
    p.building_micro.assign(8, kNone);
    for (int g = 0; g < 2; ++g) {
      Grid large;
      large.code = "1402211000010" + std::to_string(g + 1);
      large.community = 0;
      const double x0 = g == 0 ? 0 : x, x1 = g == 0 ? x : 400;
      large.polygon = {Polygon{{{x0, 0}, {x1, 0}, {x1, 200}, {x0, 200}, {x0, 0}}, {}}};
      p.large_grids.push_back(large);
      Grid micro = large;
      micro.level = GridLevel::micro;
      micro.code = large.code + "01";
      micro.parent = g;
      p.micro_grids.push_back(micro);
    }
    for (int b = 0; b < 8; ++b) {
      const int g =
          centroid(dataset.buildings[static_cast<std::size_t>(b)].footprint).x < x ? 0 : 1;
      p.building_large[static_cast<std::size_t>(b)] = g;
      p.building_micro[static_cast<std::size_t>(b)] = g;
      p.large_grids[static_cast<std::size_t>(g)].buildings.push_back(b);
      p.micro_grids[static_cast<std::size_t>(g)].buildings.push_back(b);
    }
    PartitionParams params;
    params.large = {150, 250, 200};
    params.micro = {100, 250, 200};
    fill_plan_metrics(dataset, p, params);
    return p;
  }
};

EvaluationParams quick_params() {
  EvaluationParams params;
  params.simulation.replications = 2;
  params.simulation.horizon_days = 28;
  params.full_time_workers = 2;
  params.part_time_workers = 2;
  params.siting.new_stations = 1;
  return params;
}

}  // namespace

TEST_CASE("distribution: min, mean, max and coefficient of variation") {
  const Distribution d = distribution({100, 200, 300});
  CHECK(d.count == 3);
  CHECK(d.min == 100);
  CHECK(d.max == 300);
  CHECK(d.mean == Approx(200));
  CHECK(d.cv == Approx(std::sqrt(20000.0 / 3.0) / 200.0));
  CHECK(distribution({}).count == 0);
}

TEST_CASE("fill_plan_metrics and KPIs of a hand-made plan") {
  Town town;
  const Plan& plan = town.plan;
  CHECK(plan.large_grids[0].metrics.households == 200);
  CHECK(plan.large_grids[0].metrics.area_m2 == Approx(40000));
  CHECK(plan.large_grids[0].metrics.compactness == Approx(M_PI / 4.0));  // a square
  const PlanKpis k = compute_kpis("基线", town.dataset, plan, nullptr, {}, false);
  CHECK(k.households == 400);
  CHECK(k.large_grids == 2);
  CHECK(k.large_households.cv == Approx(0.0));
  CHECK(k.large_violations == 0);
  CHECK(k.households_moved == -1);
  const PlanKpis back = kpis_from_json(to_json(k));
  CHECK(back.name == "基线");
  CHECK(back.households == 400);
  CHECK(std::isnan(back.utilisation));
  CHECK(back.large_households.mean == Approx(200));
}

TEST_CASE("evaluation: workers, coverage, simulation, rules and siting join up") {
  Town town;
  Progress progress;
  const evaluation::Evaluation e = evaluate(town.dataset, town.plan, quick_params(), progress);
  REQUIRE(e.allocation.full_time.size() == 2);
  CHECK(e.allocation.full_time[0] + e.allocation.full_time[1] == 2);
  CHECK(e.allocation.part_time[0] + e.allocation.part_time[1] == 2);
  CHECK(e.micro_workers[0] + e.micro_workers[1] == 4);
  REQUIRE(e.simulation);
  CHECK(e.simulation->grids.size() == 2);
  CHECK(e.coverage.network_used);
  CHECK(e.large_station[0] == 0);  // inside the west grid
  CHECK(e.stations[0].households_served == 400);
  // 60 m² < 120 m² for the 400 households: a community-level shortfall (no community layer:
  // the town), not a failure of the station itself, whose floor area is known.
  CHECK_FALSE(e.stations[0].fails_rule);
  const PlanKpis k = compute_kpis("x", town.dataset, town.plan, &e, {}, false);
  CHECK(k.stations_failing_rules == 0);
  CHECK(k.communities_floor_short == 1);
  CHECK(!e.verdict.english.empty());
  CHECK(k.full_time_workers == 2);
  CHECK(std::isfinite(k.utilisation));
  CHECK(k.coverage_share.size() == 3);
  const auto layers = build_layers(town.dataset, town.plan, &e, {});
  std::vector<std::string> names;
  for (const LayerTable& l : layers) names.push_back(l.name);
  CHECK(names == std::vector<std::string>{"communities", "large_grids", "micro_grids", "buildings",
                                          "stations", "diagnostics", "new_stations"});
  for (const LayerTable& l : layers)
    for (const Feature& f : l.features) CHECK(f.values.size() == l.fields.size());
}

TEST_CASE("households moved: renumbered grids are not moves, shifted boundaries are") {
  Town town;
  const PlanKpis none = compute_kpis("a", town.dataset, town.plan, nullptr, {}, false);
  const RunSnapshot a = make_snapshot("a", town.dataset, town.plan, none);
  // The same grids with swapped codes: nothing moved.
  Plan renumbered = town.plan;
  std::swap(renumbered.large_grids[0].code, renumbered.large_grids[1].code);
  const RunSnapshot b = make_snapshot("b", town.dataset, renumbered, none);
  CHECK(moved_between(a, b).households == 0);
  // The boundary moved east past one column of buildings: two buildings (100 households) moved.
  const RunSnapshot c = make_snapshot("c", town.dataset, town.split_at(300.0), none);
  const Moves moves = moved_between(a, c);
  CHECK(moves.buildings == 2);
  CHECK(moves.households == 100);
  CHECK(moves.moved.size() == 2);
  const std::string table = compare_text({a, c});
  CHECK(table.find("调整户数 (相对第一个方案)") != std::string::npos);
  const std::string csv = compare_csv({a, c});
  CHECK(csv.find("households_moved_vs_first,") != std::string::npos);
  CHECK(csv.find(",0,100\r\n") != std::string::npos);
}

TEST_CASE("report.html and compare.html are self-contained, with maps, charts and Chinese labels") {
  Town town;
  Progress progress;
  const evaluation::Evaluation e = evaluate(town.dataset, town.plan, quick_params(), progress);
  const PlanKpis k = compute_kpis("基线方案", town.dataset, town.plan, &e, {}, false);
  ReportInfo info;
  info.title = "基线方案 <baseline>";
  info.large = {150, 250, 200};
  const std::string html = render_report_html(info, town.dataset, town.plan, e, k, {});
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("<meta charset=\"utf-8\">") != std::string::npos);
  CHECK(html.find("基线方案 &lt;baseline&gt;") != std::string::npos);  // escaped
  for (const char* label : {"大网格户数", "网格员负荷", "服务站步行覆盖", "主要指标", "西城社区"})
    CHECK(html.find(label) != std::string::npos);
  std::size_t maps = 0;
  for (std::size_t at = html.find("class=\"map\""); at != std::string::npos;
       at = html.find("class=\"map\"", at + 1))
    ++maps;
  CHECK(maps == 3);
  CHECK(html.find("class=\"chart\"") != std::string::npos);
  for (const char* external : {"http://", "https://", "<script", "src=", "@import", "url("})
    CHECK(html.find(external) == std::string::npos);

  const RunSnapshot a = make_snapshot("基线", town.dataset, town.plan, k);
  const RunSnapshot b = make_snapshot("东移", town.dataset, town.split_at(300.0), k);
  const std::string compare = compare_html({a, b}, "0.1.0", "2024-01-01T00:00:00Z");
  CHECK(compare.find("差异图") != std::string::npos);
  CHECK(compare.find("<circle") != std::string::npos);  // moved buildings
  for (const char* external : {"http://", "https://", "<script", "src="})
    CHECK(compare.find(external) == std::string::npos);
}

TEST_CASE("SVG helpers: viewport keeps the aspect, escape, ramp") {
  const svg::Viewport view(Box{0, 0, 200, 100}, 420, 1000);
  CHECK(view.width() == Approx(420));
  CHECK(view.height() == Approx(8 + 8 + 100 * (404.0 / 200.0)));
  CHECK(view.y(Point{0, 100}) == Approx(8));  // north up
  CHECK(svg::escape("a<b&\"c\"") == "a&lt;b&amp;&quot;c&quot;");
  CHECK(svg::ramp_colour(0) == "#ffffcc");
  CHECK(svg::ramp_colour(NAN) == "#cccccc");
}
