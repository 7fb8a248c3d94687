// Studio workflows of issue 7 beyond the basics: opening a scenario file (drop, menu and
// command line all end in Session::open), the lasso, and re-running the simulation.
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QUrl>
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "fixture.hpp"

using namespace gp;
using namespace gp::studio;

namespace {

std::size_t at(std::int32_t i) {
  return static_cast<std::size_t>(i);
}

QString scenario_path(const char* name) {
  return QStringLiteral(GRIDPLAN_SOURCE_DIR "/scenarios/") + QString::fromLatin1(name);
}

/// A point inside micro grid `m` that the map's hit test finds: the footprint centroid of one of
/// its buildings (the grid polygon is the union of its buildings' cells).
Point point_in_micro(const Session& s, std::int32_t m) {
  const Plan& plan = *s.plan();
  for (std::int32_t b : plan.micro_grids[at(m)].buildings) {
    if (plan.building_micro[at(b)] != m) continue;
    const Point c = centroid(s.dataset()->buildings[at(b)].footprint);
    if (hit_test(*s.scene(), LayerId::micro_lines, c) == m) return c;
  }
  return {};
}

}  // namespace

TEST_CASE("Scenario: a .toml dropped on the window opens with its parameters and existing plan") {
  Session s;
  // A drop hands the session file URLs (Main.qml's DropArea → openUrls); so does the File menu.
  REQUIRE(s.openUrls({QUrl::fromLocalFile(scenario_path("demo-existing.toml"))}));
  s.waitForIdle();
  REQUIRE(s.error().isEmpty());
  REQUIRE(s.hasPlan());
  CHECK(s.scenario() == QStringLiteral("demo-existing"));
  CHECK(s.title() == QStringLiteral("demo-existing"));
  // The scenario's bounds (demo-baseline.toml, inherited), not the defaults.
  CHECK(s.params().large.min == 300);
  CHECK(s.params().large.max == 500);
  CHECK(s.params().micro.min == 100);
  CHECK(s.params().micro.max == 200);
  CHECK(s.evaluationParams().full_time_workers == 106);
  CHECK(s.evaluationParams().part_time_workers == 176);
  // mode = "evaluate": the plan is the existing grids layer as it is.
  const Dataset& d = *s.dataset();
  REQUIRE(!d.existing_grids.empty());
  std::set<std::string> existing_codes, plan_codes;
  for (const ExistingGrid& g : d.existing_grids) existing_codes.insert(g.code);
  for (const Grid& g : s.plan()->large_grids) plan_codes.insert(g.code);
  for (const Grid& g : s.plan()->micro_grids) plan_codes.insert(g.code);
  CHECK(plan_codes == existing_codes);
}

TEST_CASE("Scenario: a re-plan scenario plans from its existing grids") {
  Session s;
  REQUIRE(s.open({scenario_path("demo-replan.toml")}));
  CHECK(s.busy());  // in the background
  s.waitForIdle();
  REQUIRE(s.error().isEmpty());
  REQUIRE(s.hasPlan());
  CHECK(s.scenario() == QStringLiteral("demo-replan"));
  CHECK(s.params().weights.moved == Approx(4.0));
  CHECK(!s.dataset()->existing_grids.empty());
  CHECK(s.plan()->large_grids.size() > 20);
}

TEST_CASE("Scenario: errors in a scenario file are shown at once, naming the key") {
  QTemporaryDir dir;
  REQUIRE(dir.isValid());
  const QString path = dir.filePath(QStringLiteral("bad.toml"));
  QFile f(path);
  REQUIRE(f.open(QIODevice::WriteOnly));
  f.write("[input]\nfiles = [\"" GRIDPLAN_SOURCE_DIR
          "/data/demo-town.gpkg\"]\n[grids.large]\nmni = 3\n");
  f.close();
  Session s;
  CHECK(!s.open({path}));
  CHECK(!s.busy());
  CHECK(s.error().contains(QStringLiteral("mni")));
  CHECK(s.error().contains(QStringLiteral("min")));  // "did you mean"
  // Two scenarios at once are refused.
  CHECK(!s.open({scenario_path("demo-baseline.toml"), scenario_path("demo-replan.toml")}));
}

TEST_CASE("Scenario: gridplan-studio opens a .toml from the command line") {
  QTemporaryDir dir;
  REQUIRE(dir.isValid());
  const QString png = dir.filePath(QStringLiteral("shot.png"));
  QProcess studio;
  studio.setProcessChannelMode(QProcess::ForwardedErrorChannel);
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  studio.setProcessEnvironment(env);
  studio.start(QStringLiteral(GRIDPLAN_STUDIO_PATH),
               {QStringLiteral("--lang"), QStringLiteral("en"), QStringLiteral("--size"),
                QStringLiteral("900x600"), QStringLiteral("--screenshot"), png,
                scenario_path("demo-baseline.toml")});
  REQUIRE(studio.waitForFinished(180000));
  CHECK(studio.exitStatus() == QProcess::NormalExit);
  CHECK(studio.exitCode() == 0);
  const QImage image(png);
  REQUIRE(!image.isNull());
  CHECK(image.width() == 900);
}

TEST_CASE("Lasso: buildings inside a freehand polygon move to a neighbouring grid in one edit") {
  Session& s = test::demo_session();
  REQUIRE(s.hasPlan());
  const Plan original = *s.plan();
  const Dataset& d = *s.dataset();
  PlanEditor& editor = *s.editor();
  // A compound of several buildings in one micro grid with a neighbouring grid to move to.
  std::vector<std::int32_t> group;
  std::int32_t target = kNone;
  for (std::size_t b = 0; b < d.buildings.size() && target == kNone; ++b) {
    if (d.buildings[b].compound == kNone || original.building_micro[b] == kNone) continue;
    group = editor.compound_group(static_cast<std::int32_t>(b));
    if (group.size() < 2) continue;
    const std::int32_t own = original.building_micro[b];
    for (std::int32_t m : editor.neighbour_grids(group))
      if (original.micro_grids[at(m)].community == original.micro_grids[at(own)].community &&
          !original.micro_grids[at(m)].locked) {
        target = m;
        break;
      }
  }
  REQUIRE(target != kNone);
  // The lasso: a freehand ring (an octagon) around the group's footprint centroids.
  Box box;
  for (std::int32_t b : group) box.expand(centroid(d.buildings[at(b)].footprint));
  const double cx = (box.min_x + box.max_x) / 2, cy = (box.min_y + box.max_y) / 2;
  const double r = std::max(box.width(), box.height()) / 2 * 1.5 + 1.0;
  QVariantList ring;
  for (int k = 0; k < 8; ++k)
    ring << QPointF(cx + r * std::cos(k * M_PI / 4), cy + r * std::sin(k * M_PI / 4));
  QPolygonF poly;
  for (const QVariant& v : ring) poly << v.toPointF();
  std::vector<std::int32_t> expected;
  for (std::size_t b = 0; b < d.buildings.size(); ++b) {
    const Point c = centroid(d.buildings[b].footprint);
    if (poly.containsPoint(QPointF(c.x, c.y), Qt::OddEvenFill))
      expected.push_back(static_cast<std::int32_t>(b));
  }
  REQUIRE(s.lassoSelect(ring, false) == static_cast<int>(expected.size()));
  CHECK(s.lasso() == expected);
  for (std::int32_t b : group) CHECK(std::count(expected.begin(), expected.end(), b) == 1);
  CHECK(s.selectedKind() == QStringLiteral("lasso"));
  CHECK(s.selectedInfo().value(QStringLiteral("buildings")).toInt() ==
        static_cast<int>(expected.size()));
  // Selected buildings are drawn in the selection colour.
  CHECK((*s.scene())[LayerId::buildings].colour[at(group.front())] == qRgb(0x08, 0x30, 0x9c));

  const Point p = point_in_micro(s, target);
  REQUIRE(s.moveLassoTo(p.x, p.y));
  const Plan& moved = *s.plan();
  for (std::int32_t b : expected)
    if (original.building_micro[at(b)] != kNone) CHECK(moved.building_micro[at(b)] == target);
  // Rules re-checked: the target's households are the sum over its buildings.
  long long hh = 0;
  for (std::int32_t b : moved.micro_grids[at(target)].buildings)
    hh += d.buildings[at(b)].households;
  CHECK(moved.micro_grids[at(target)].metrics.households == hh);
  CHECK(s.undoText().toStdString().rfind("move", 0) == 0);
  // One undo gives the plan back exactly.
  REQUIRE(s.undo());
  CHECK(test::same_plan(*s.plan(), original));
  s.select(QString(), -1);
  CHECK(s.lassoCount() == 0);
}

TEST_CASE("Lasso: buildings from two micro grids move together, undo restores both") {
  Session& s = test::demo_session();
  const Plan original = *s.plan();
  const Dataset& d = *s.dataset();
  PlanEditor& editor = *s.editor();
  // target → one (building, source) per source grid, among residential buildings next to it.
  std::map<std::int32_t, std::map<std::int32_t, std::int32_t>> by_target;
  std::int32_t target = kNone;
  for (std::size_t b = 0; b < d.buildings.size() && target == kNone; ++b) {
    const std::int32_t own = original.building_micro[b];
    if (own == kNone || d.buildings[b].households <= 0) continue;
    for (std::int32_t m : editor.neighbour_grids({static_cast<std::int32_t>(b)})) {
      if (original.micro_grids[at(m)].community != original.micro_grids[at(own)].community)
        continue;
      by_target[m].emplace(own, static_cast<std::int32_t>(b));
      if (by_target[m].size() == 2) {
        target = m;
        break;
      }
    }
  }
  REQUIRE(target != kNone);
  std::vector<std::int32_t> sources;
  QList<int> buildings;
  for (const auto& [src, b] : by_target[target]) {
    sources.push_back(src);
    buildings << b;
  }
  REQUIRE(s.moveBuildings(buildings, target));
  const Plan& moved = *s.plan();
  for (int b : buildings) CHECK(moved.building_micro[at(b)] == target);
  for (std::int32_t src : sources)
    CHECK(moved.micro_grids[at(src)].metrics.households <
          original.micro_grids[at(src)].metrics.households + 1);
  if (!test::kSanitized) CHECK(s.lastEditMs() < 50.0);  // a timing says nothing under ASan
  REQUIRE(s.undo());
  CHECK(test::same_plan(*s.plan(), original));
  CHECK(!s.canUndo());
}

TEST_CASE("Simulation: re-run on demand in the background, colours by its results") {
  Session& s = test::demo_session();
  REQUIRE(s.hasPlan());
  s.evaluationParams().simulation.replications = 2;
  s.evaluationParams().simulation.horizon_days = 28;
  s.evaluationParams().site_stations = false;
  REQUIRE(s.simulate());
  CHECK(s.busy());  // on the worker thread; the GUI stays responsive
  s.waitForIdle();
  REQUIRE(s.error().isEmpty());
  REQUIRE(s.hasSimulation());
  CHECK(!s.simulationStale());
  const std::size_t nm = s.plan()->micro_grids.size();
  for (const char* key : {"workload", "utilisation", "coverage"}) {
    INFO(key);
    CHECK(s.colourKeys().contains(QString::fromLatin1(key)));
    REQUIRE(s.gridValues().count(QString::fromLatin1(key)) == 1);
    CHECK(s.gridValues().at(QString::fromLatin1(key)).size() == nm);
  }
  const auto& util = s.gridValues().at(QStringLiteral("utilisation"));
  CHECK(*std::max_element(util.begin(), util.end()) > 0.0);
  CHECK(*std::max_element(util.begin(), util.end()) < 5.0);
  for (double c : s.gridValues().at(QStringLiteral("coverage"))) {
    CHECK(c >= 0.0);
    CHECK(c <= 1.0);
  }
  // No workers given (files opened without a scenario): each grid's analytic need.
  CHECK(s.simulationSummary().value(QStringLiteral("workers")).toInt() >=
        static_cast<int>(s.plan()->large_grids.size()));
  CHECK(s.simulationSummary().contains(QStringLiteral("utilisation")));

  // Colouring by utilisation recolours the cells from the results.
  const Layer& cells = (*s.scene())[LayerId::cells];
  s.setColourBy(QStringLiteral("utilisation"));
  const std::vector<QRgb> by_util = cells.colour;
  s.setColourBy(QStringLiteral("households"));
  CHECK(by_util != cells.colour);
  long coloured = 0;
  for (QRgb c : by_util) coloured += qAlpha(c) > 0 ? 1 : 0;
  CHECK(coloured > static_cast<long>(s.dataset()->buildings.size() / 2));

  // An edit makes the results stale; undo makes them current again.
  const Plan original = *s.plan();
  std::int32_t building = kNone, target = kNone;
  for (std::size_t b = 0; b < original.building_micro.size() && target == kNone; ++b)
    if (original.building_micro[b] != kNone && s.dataset()->buildings[b].households > 0)
      for (std::int32_t m : s.editor()->neighbour_grids({static_cast<std::int32_t>(b)}))
        if (original.micro_grids[at(m)].community ==
            original.micro_grids[at(original.building_micro[b])].community) {
          building = static_cast<std::int32_t>(b);
          target = m;
          break;
        }
  REQUIRE(s.moveBuildings({building}, target));
  CHECK(s.simulationStale());
  REQUIRE(s.undo());
  CHECK(!s.simulationStale());
}

TEST_CASE("Run directory: a run of gridplan run opens as it was exported, not re-planned") {
  QTemporaryDir tmp;
  REQUIRE(tmp.isValid());
  const QString run = tmp.filePath(QStringLiteral("run"));
  QProcess cli;
  cli.start(QStringLiteral(GRIDPLAN_CLI_PATH),
            {QStringLiteral("run"), scenario_path("demo-small-micro.toml"), QStringLiteral("--out"),
             run, QStringLiteral("--no-simulation"), QStringLiteral("--quiet")});
  REQUIRE(cli.waitForFinished(300000));
  INFO(cli.readAllStandardError().toStdString());
  REQUIRE(cli.exitCode() == 0);

  // The run's grids, as written to plan.gpkg.
  auto codes_of = [](const Plan& plan) {
    std::set<std::string> codes;
    for (const Grid& g : plan.large_grids) codes.insert(g.code);
    for (const Grid& g : plan.micro_grids) codes.insert(g.code);
    return codes;
  };
  std::set<std::string> exported;
  {
    Session s;
    REQUIRE(s.open({run}));  // a directory with manifest.json: Session::openRun
    s.waitForIdle();
    REQUIRE(s.error().isEmpty());
    REQUIRE(s.hasPlan());
    CHECK(s.title() == QStringLiteral("run"));
    // The run's scenario (30–60 micro bounds), read from the run's scenario.toml.
    CHECK(s.scenario() == QStringLiteral("demo-small-micro"));
    CHECK(s.params().micro.min == 30);
    CHECK(s.params().micro.max == 60);
    for (const ExistingGrid& g : s.dataset()->existing_grids) exported.insert(g.code);
    REQUIRE(exported.size() > 400);          // 58 large + ~420 micro grids of that scenario
    CHECK(codes_of(*s.plan()) == exported);  // evaluated as it is, not re-planned
    CHECK(!s.dataset()->lines.empty());      // roads and rivers from the run's inputs
  }
  {
    // Inputs moved away: the run's own layers, the parameters of its scenario.toml.
    QFile manifest(QDir(run).filePath(QStringLiteral("manifest.json")));
    REQUIRE(manifest.open(QIODevice::ReadOnly));
    QByteArray text = manifest.readAll();
    manifest.close();
    text.replace("/data/demo-town.gpkg", "/data/moved-away.gpkg");
    text.replace("demo-small-micro.toml", "moved-away.toml");
    REQUIRE(manifest.open(QIODevice::WriteOnly | QIODevice::Truncate));
    manifest.write(text);
    manifest.close();
    Session s;
    REQUIRE(s.open({run}));
    s.waitForIdle();
    REQUIRE(s.error().isEmpty());
    REQUIRE(s.hasPlan());
    CHECK(s.params().micro.min == 30);  // from scenario.toml, not the manifest's display text
    CHECK(s.params().micro.max == 60);
    // The run's own buildings layer: one row per run of units of a split tower (the runs of a
    // building share its bid), so the rows outnumber the 2,058 buildings; the bids do not.
    std::set<std::int64_t> bids;
    for (const auto& b : s.dataset()->buildings) bids.insert(b.id);
    CHECK(bids.size() == 2058);
    CHECK(s.dataset()->buildings.size() >= 2058);
    CHECK(codes_of(*s.plan()) == exported);
  }
}
