// The studio's C++ layer: triangulation, viewport, models, selection, edits with undo/redo.
#include <QSignalSpy>
#include <QTranslator>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <random>

#include "fixture.hpp"
#include "map_viewport.hpp"
#include "models.hpp"
#include "triangulate.hpp"

using namespace gp;
using namespace gp::studio;

namespace {

double triangles_area(const std::vector<float>& xy, const std::vector<std::uint32_t>& idx) {
  double sum = 0.0;
  for (std::size_t t = 0; t + 2 < idx.size(); t += 3) {
    const double ax = xy[2 * idx[t]], ay = xy[2 * idx[t] + 1];
    const double bx = xy[2 * idx[t + 1]], by = xy[2 * idx[t + 1] + 1];
    const double cx = xy[2 * idx[t + 2]], cy = xy[2 * idx[t + 2] + 1];
    sum += std::abs((bx - ax) * (cy - ay) - (by - ay) * (cx - ax)) / 2.0;
  }
  return sum;
}

Ring square(double x0, double y0, double s, bool ccw = true) {
  Ring r = {{x0, y0}, {x0 + s, y0}, {x0 + s, y0 + s}, {x0, y0 + s}, {x0, y0}};
  if (!ccw) std::reverse(r.begin(), r.end());
  return r;
}

}  // namespace

TEST_CASE("triangulate: simple, concave and holed polygons keep their area") {
  const Point origin{1000.0, 2000.0};
  std::vector<float> xy;
  std::vector<std::uint32_t> idx;
  SECTION("square, either orientation") {
    for (bool ccw : {true, false}) {
      xy.clear();
      idx.clear();
      Polygon p{square(1000, 2000, 10, ccw), {}};
      CHECK(triangulate(p, origin, xy, idx) == 2);
      CHECK(triangles_area(xy, idx) == Approx(100.0));
    }
  }
  SECTION("L shape (concave)") {
    Polygon p{{{0, 0}, {20, 0}, {20, 5}, {5, 5}, {5, 20}, {0, 20}, {0, 0}}, {}};
    CHECK(triangulate(p, {}, xy, idx) == 4);
    CHECK(triangles_area(xy, idx) == Approx(area(p)));
  }
  SECTION("square with two holes") {
    Polygon p{square(0, 0, 100), {square(10, 10, 20, false), square(60, 50, 30, true)}};
    triangulate(p, {}, xy, idx);
    CHECK(triangles_area(xy, idx) == Approx(10000.0 - 400.0 - 900.0));
  }
  SECTION("random star-shaped polygons") {
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> radius(5.0, 50.0);
    for (int n = 0; n < 50; ++n) {
      Polygon p;
      const int k = 5 + n;
      for (int i = 0; i < k; ++i) {
        const double a = 2 * M_PI * i / k, r = radius(rng);
        p.outer.push_back({r * std::cos(a), r * std::sin(a)});
      }
      p.outer.push_back(p.outer.front());
      xy.clear();
      idx.clear();
      CHECK(triangulate(p, {}, xy, idx) == static_cast<std::size_t>(k - 2));
      CHECK(triangles_area(xy, idx) == Approx(area(p)).epsilon(1e-6));
    }
  }
  SECTION("degenerate input adds nothing") {
    Polygon p{{{0, 0}, {1, 1}, {2, 2}, {0, 0}}, {}};
    CHECK(triangulate(p, {}, xy, idx) == 0);
    CHECK(idx.empty());
  }
}

TEST_CASE("MapViewport: conversions, zoom about a point, fit") {
  MapViewport vp;
  vp.setWidth(800);
  vp.setHeight(600);
  vp.setCentreX(500000);
  vp.setCentreY(4400000);
  vp.setScale(2.0);
  const QPointF s = vp.toScreen(500010, 4400010);
  CHECK(s.x() == Approx(420));
  CHECK(s.y() == Approx(280));  // north is up
  const QPointF w = vp.toWorld(s.x(), s.y());
  CHECK(w.x() == Approx(500010));
  CHECK(w.y() == Approx(4400010));
  const QPointF before = vp.toWorld(100, 100);
  vp.zoomAt(1.7, 100, 100);
  CHECK(vp.toWorld(100, 100).x() == Approx(before.x()));
  CHECK(vp.toWorld(100, 100).y() == Approx(before.y()));
  vp.fit(0, 0, 4000, 1000, 0.0);
  CHECK(vp.scale() == Approx(0.2));
  const QTransform t = vp.transform(100, 100);  // scene-relative coordinates
  CHECK(t.map(QPointF(0, 0)).x() == Approx(vp.toScreen(100, 100).x()));
  CHECK(t.map(QPointF(0, 0)).y() == Approx(vp.toScreen(100, 100).y()));
}

TEST_CASE("Session: the demo town loads and plans in the background") {
  Session& s = test::demo_session();
  REQUIRE(s.error().isEmpty());
  REQUIRE(s.hasData());
  REQUIRE(s.hasPlan());
  CHECK(!s.busy());
  const Plan& plan = *s.plan();
  CHECK(plan.large_grids.size() > 20);
  CHECK(plan.micro_grids.size() >= plan.large_grids.size());
  CHECK(s.summary().value(QStringLiteral("largeGrids")).toInt() ==
        static_cast<int>(plan.large_grids.size()));
  // Every layer the map needs was built.
  const Scene& scene = *s.scene();
  CHECK(!scene[LayerId::buildings].indices.empty());
  CHECK(!scene[LayerId::cells].indices.empty());
  CHECK(!scene[LayerId::large_lines].indices.empty());
  CHECK(scene[LayerId::buildings].feature.size() * 2 == scene[LayerId::buildings].xy.size());
}

TEST_CASE("Session: cancel stops a running job") {
  Session s;
  synth::SynthParams params;
  params.target_buildings = 20000;
  s.setDataset(synth::generate_town(params).dataset);
  s.cancel();
  s.waitForIdle();
  CHECK(!s.busy());
  CHECK(!s.hasPlan());
  CHECK(s.message() == QStringLiteral("Cancelled"));
}

TEST_CASE("GridTableModel and proxy: roles, sorting, level filter, selection sync") {
  Session& s = test::demo_session();
  auto* model = qobject_cast<GridTableModel*>(s.gridsObject());
  auto* proxy = qobject_cast<GridTableProxy*>(s.gridTableObject());
  REQUIRE(model);
  REQUIRE(proxy);
  const Plan& plan = *s.plan();
  CHECK(model->rowCount() == static_cast<int>(plan.large_grids.size() + plan.micro_grids.size()));
  const QModelIndex first = model->index(0);
  CHECK(model->data(first, GridTableModel::CodeRole).toString().toStdString() ==
        plan.large_grids[0].code);
  CHECK(model->data(first, GridTableModel::HouseholdsRole).toInt() ==
        plan.large_grids[0].metrics.households);
  CHECK(model->roleNames().value(GridTableModel::HouseholdsRole) == "households");

  proxy->setLevelFilter(QStringLiteral("micro"));
  CHECK(proxy->rowCount() == static_cast<int>(plan.micro_grids.size()));
  proxy->sortByKey(QStringLiteral("households"));
  CHECK(proxy->ascending());
  for (int r = 1; r < proxy->rowCount(); ++r)
    REQUIRE(proxy->rowAt(r - 1)[QStringLiteral("households")].toInt() <=
            proxy->rowAt(r)[QStringLiteral("households")].toInt());
  proxy->sortByKey(QStringLiteral("households"));  // again: descending
  CHECK(!proxy->ascending());
  CHECK(proxy->rowAt(0)[QStringLiteral("households")].toInt() >=
        proxy->rowAt(proxy->rowCount() - 1)[QStringLiteral("households")].toInt());
  // The proxy row of micro grid 3 shows micro grid 3.
  const int row = proxy->proxyRowOf(QStringLiteral("micro"), 3);
  CHECK(proxy->rowAt(row)[QStringLiteral("gridIndex")].toInt() == 3);
  proxy->setLevelFilter(QStringLiteral("large"));
  CHECK(proxy->rowCount() == static_cast<int>(plan.large_grids.size()));
  proxy->setLevelFilter(QStringLiteral("micro"));
  proxy->sortByKey(QStringLiteral("code"));
}

TEST_CASE("DiagnosticsModel: problems of input and plan, resolved to features") {
  Session& s = test::demo_session();
  auto* diag = qobject_cast<DiagnosticsModel*>(s.diagnosticsObject());
  REQUIRE(diag);
  const std::size_t expected =
      s.dataset()->problems.problems().size() + s.plan()->problems.problems().size();
  CHECK(diag->rowCount() == static_cast<int>(expected));
  // Errors sort before warnings before infos.
  for (int r = 1; r < diag->rowCount(); ++r)
    REQUIRE(static_cast<int>(diag->rows()[static_cast<std::size_t>(r - 1)].problem.severity) >=
            static_cast<int>(diag->rows()[static_cast<std::size_t>(r)].problem.severity));
  for (const auto& row : diag->rows())
    if (row.feature_index >= 0) {
      CHECK(!s.featureBox(row.feature_kind, row.feature_index).isNull());
      break;
    }
}

TEST_CASE("Session: selection by map click and feature boxes") {
  Session& s = test::demo_session();
  const Dataset& d = *s.dataset();
  std::size_t b = 0;
  while (b < d.buildings.size() && d.buildings[b].households == 0) ++b;
  REQUIRE(b < d.buildings.size());
  // A point inside the building: the midpoint of a triangle of its footprint.
  const Scene& scene = *s.scene();
  const Layer& layer = scene[LayerId::buildings];
  std::size_t v = 0;
  while (layer.feature[v] != static_cast<std::int32_t>(b)) ++v;
  std::size_t t = 0;
  while (layer.indices[t] != v && layer.indices[t + 1] != v && layer.indices[t + 2] != v) t += 3;
  double x = 0, y = 0;
  for (int k = 0; k < 3; ++k) {
    x += layer.xy[2 * layer.indices[t + k]] / 3.0;
    y += layer.xy[2 * layer.indices[t + k] + 1] / 3.0;
  }
  QSignalSpy spy(&s, &Session::selectionChanged);
  s.selectAt(x + scene.origin.x, y + scene.origin.y);
  CHECK(spy.count() == 1);
  CHECK(s.selectedKind() == QStringLiteral("building"));
  CHECK(s.selectedIndex() == static_cast<int>(b));
  CHECK(s.selectedMicro() == s.plan()->building_micro[b]);
  CHECK(s.selectedInfo().value(QStringLiteral("households")).toInt() == d.buildings[b].households);
  const QRectF box = s.selectionBox();
  CHECK(box.contains(QPointF(x + scene.origin.x, y + scene.origin.y)));
  s.select(QString(), -1);
  CHECK(s.selectedKind().isEmpty());
}

TEST_CASE("Edits: move a building to a neighbouring grid, re-check, undo restores exactly") {
  Session& s = test::demo_session();
  PlanEditor& editor = *s.editor();
  const Plan original = *s.plan();
  const Dataset& d = *s.dataset();
  // A residential building with a neighbouring micro grid in another large grid if possible.
  std::int32_t building = kNone, target = kNone;
  for (std::size_t b = 0; b < d.buildings.size() && building == kNone; ++b) {
    if (d.buildings[b].households <= 0 || original.building_micro[b] == kNone) continue;
    for (std::int32_t m : editor.neighbour_grids({static_cast<std::int32_t>(b)}))
      if (original.micro_grids[static_cast<std::size_t>(m)].community ==
              original.micro_grids[static_cast<std::size_t>(original.building_micro[b])]
                  .community &&
          original.micro_grids[static_cast<std::size_t>(m)].parent != original.building_large[b]) {
        building = static_cast<std::int32_t>(b);
        target = m;
        break;
      }
  }
  REQUIRE(building != kNone);
  const std::int32_t source = original.building_micro[static_cast<std::size_t>(building)];
  const int hh = d.buildings[static_cast<std::size_t>(building)].households;

  REQUIRE(s.moveBuildings({building}, target));
  const Plan& edited = *s.plan();
  CHECK(edited.building_micro[static_cast<std::size_t>(building)] == target);
  CHECK(edited.micro_grids[static_cast<std::size_t>(source)].metrics.households ==
        original.micro_grids[static_cast<std::size_t>(source)].metrics.households - hh);
  CHECK(edited.micro_grids[static_cast<std::size_t>(target)].metrics.households ==
        original.micro_grids[static_cast<std::size_t>(target)].metrics.households + hh);
  CHECK(edited.building_large[static_cast<std::size_t>(building)] ==
        edited.micro_grids[static_cast<std::size_t>(target)].parent);
  CHECK(area(edited.micro_grids[static_cast<std::size_t>(target)].polygon) >
        area(original.micro_grids[static_cast<std::size_t>(target)].polygon));
  CHECK(s.canUndo());
  // Incremental checks on the demo town; a timing says nothing under ASan.
  if (!test::kSanitized) CHECK(s.lastEditMs() < 50.0);
  const Plan after = *s.plan();

  REQUIRE(s.undo());
  CHECK(test::same_plan(*s.plan(), original));
  CHECK(s.canRedo());
  REQUIRE(s.redo());
  CHECK(test::same_plan(*s.plan(), after));
  REQUIRE(s.undo());
  CHECK(test::same_plan(*s.plan(), original));

  SECTION("a move to a grid that is not a neighbour is refused") {
    std::int32_t far = kNone;
    const auto near = editor.neighbour_grids({building});
    for (std::size_t m = 0; m < original.micro_grids.size(); ++m)
      if (static_cast<std::int32_t>(m) != source &&
          !std::binary_search(near.begin(), near.end(), static_cast<std::int32_t>(m))) {
        far = static_cast<std::int32_t>(m);
        break;
      }
    REQUIRE(far != kNone);
    CHECK(!s.moveBuildings({building}, far));
    CHECK(!s.error().isEmpty());
    CHECK(test::same_plan(*s.plan(), original));
    // The refusal speaks the interface language: Chinese with the studio's translation.
    QTranslator chinese;
    REQUIRE(chinese.load(QStringLiteral(GRIDPLAN_STUDIO_QM_PATH)));
    QCoreApplication::installTranslator(&chinese);
    CHECK(!s.moveBuildings({building}, far));
    QCoreApplication::removeTranslator(&chinese);
    INFO(s.error().toStdString());
    CHECK(s.error().contains(QStringLiteral("与所选楼栋不相邻")));
  }
  SECTION("a locked grid refuses moves; lock is undoable") {
    REQUIRE(s.setLocked(QStringLiteral("micro"), target, true));
    CHECK(s.plan()->micro_grids[static_cast<std::size_t>(target)].locked);
    CHECK(!s.moveBuildings({building}, target));
    REQUIRE(s.undo());
    CHECK(test::same_plan(*s.plan(), original));
  }
}

TEST_CASE("Session: colouring by each key recolours without re-triangulating") {
  Session& s = test::demo_session();
  const Layer& cells = (*s.scene())[LayerId::cells];
  const auto geometry = cells.geometry_version;
  for (const QString& key : s.colourKeys()) {
    if (key == s.colourBy()) continue;
    const auto colours = cells.colour_version;
    s.setColourBy(key);
    CHECK(cells.colour_version > colours);
    CHECK(s.colourBy() == key);
  }
  s.setColourBy(QStringLiteral("households"));
  CHECK(cells.geometry_version == geometry);
  // The hook for simulator results adds a key.
  std::vector<double> values(s.plan()->micro_grids.size(), 0.0);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i);
  s.setGridValues(QStringLiteral("utilisation"), values);
  CHECK(s.colourKeys().contains(QStringLiteral("utilisation")));
}
