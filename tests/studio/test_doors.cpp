// The studio's doors give the plan the CLI gives (issue 13): a scenario opened in the studio plans
// every building into the grid `gridplan run` puts it in; the studio's save writes the fields
// every exporter writes; a run reopened from its scenario.toml is the run's plan; a scenario with
// only min/max has the same resolved target in the studio as in the run's manifest.
#include <QDir>
#include <QString>
#include <catch2/catch.hpp>

#include "../cli/tiny_town.hpp"
#include "fixture.hpp"

using namespace gp;
using namespace gp::studio;
using gp::test::TinyTown;

namespace {

/// bid → "large_code/micro_code" of the session's plan.
std::map<std::string, std::string> assignment_of(const Session& s) {
  std::map<std::string, std::string> out;
  const Plan& p = *s.plan();
  for (std::size_t b = 0; b < s.dataset()->buildings.size(); ++b) {
    const auto l = p.building_large[b], m = p.building_micro[b];
    out[std::to_string(s.dataset()->buildings[b].id)] =
        (l == kNone ? "" : p.large_grids[static_cast<std::size_t>(l)].code) + "/" +
        (m == kNone ? "" : p.micro_grids[static_cast<std::size_t>(m)].code);
  }
  return out;
}

}  // namespace

TEST_CASE("Doors: the studio plans a scenario as gridplan run does and saves the same fields") {
  TinyTown town;
  gp::test::gridplan_ok("run " + town.path("tiny.toml") + " --out " + town.path("run") +
                        " --no-simulation -q");
  const auto expected = gp::test::assignment(town.path("run/plan.gpkg"));
  REQUIRE(expected.size() == 24);

  Session s;
  REQUIRE(s.openScenario(QString::fromStdString(town.path("tiny.toml"))));
  s.waitForIdle();
  REQUIRE(s.error().isEmpty());
  REQUIRE(s.hasPlan());
  CHECK(assignment_of(s) == expected);

  // The studio's save: the layers and fields of every exporter.
  const std::string saved = town.path("saved.gpkg");
  REQUIRE(s.exportTo(QString::fromStdString(saved)));
  s.waitForIdle();
  REQUIRE(s.error().isEmpty());
  CHECK(gp::test::schema(saved) == gp::test::schema(town.path("run/plan.gpkg")));
  CHECK(gp::test::assignment(saved) == expected);

  // The run reopened (from its scenario.toml): the run's plan, evaluated as it is.
  Session r;
  REQUIRE(r.open({QString::fromStdString(town.path("run"))}));
  r.waitForIdle();
  REQUIRE(r.error().isEmpty());
  REQUIRE(r.hasPlan());
  CHECK(r.scenario() == QStringLiteral("小镇基线"));
  CHECK(r.params().large.min == 200);
  CHECK(r.params().large.target == 300);
  CHECK(assignment_of(r) == expected);
}

TEST_CASE("Doors: a scenario with only min and max has the run's resolved target in the studio") {
  TinyTown town;
  const std::string scenario = town.min_max_scenario();
  gp::test::gridplan_ok("run " + scenario + " --out " + town.path("run") + " -q");
  const std::string manifest = gp::test::read(town.path("run/manifest.json"));
  CHECK(manifest.find("100–250 (target 175)") != std::string::npos);

  Session s;
  REQUIRE(s.openScenario(QString::fromStdString(scenario)));
  s.waitForIdle();
  REQUIRE(s.hasPlan());
  CHECK(s.params().large.target == 175);
  CHECK(s.params().micro.target == 65);
  CHECK(assignment_of(s) == gp::test::assignment(town.path("run/plan.gpkg")));
  // The legend of households per micro grid shows the report's classes for the resolved bounds:
  // below 40 first, above 90 last (report/style.hpp household_classes).
  const QVariantList legend = s.legend();
  REQUIRE(legend.size() >= 3);
  CHECK(legend.front().toMap().value(QStringLiteral("key")).toString() == QStringLiteral("below"));
  CHECK(legend.front().toMap().value(QStringLiteral("a")).toInt() == 40);
  CHECK(legend.back().toMap().value(QStringLiteral("key")).toString() == QStringLiteral("above"));
  CHECK(legend.back().toMap().value(QStringLiteral("a")).toInt() == 90);

  // setDataset resolves the parameters as every door does.
  Session m;
  m.params().large = {100, 250, 400};  // a default-looking target outside: resolved, not kept
  m.setDataset(Dataset(*s.dataset()), std::nullopt, false);
  m.waitForIdle();
  REQUIRE(m.hasPlan());
  CHECK(m.params().large.target == 175);
}
