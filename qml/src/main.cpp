// gridplan-studio: the Qt Quick studio over the GridPlanner engine.
//
//   gridplan-studio [--lang zh|en] [--compare PATHS...] [SCENARIO_OR_RUN_OR_FILES...]
//   gridplan-studio --screenshot FILE.png [--size WxH] [--colour-by KEY] SCENARIO_OR_RUN_OR_FILES
//   gridplan-studio --synth N ...          (a synthetic town of about N buildings, in memory)
//   gridplan-studio --basemap FILE_OR_URL_TEMPLATE ...   (GeoTIFF, MBTiles or XYZ tiles)

#include <QCommandLineParser>
#include <QDir>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQmlContext>
#include <QQuickWindow>
#include <QTimer>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>

#include "basemap_layer.hpp"
#include "map_canvas.hpp"
#include "planner/synth/town.hpp"
#include "session.hpp"
#include "studio.hpp"

namespace {

bool has_flag(int argc, char** argv, const char* flag) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], flag) == 0) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  gp::studio::limit_malloc_arenas();
  const bool screenshot_mode = has_flag(argc, argv, "--screenshot");
  // Headless rendering for screenshots unless a platform was chosen explicitly.
  // --help and --version print and exit: no display needed (a package's man page is made from
  // --help on a build machine without one).
  const bool info_only = has_flag(argc, argv, "--help") || has_flag(argc, argv, "-h") ||
                         has_flag(argc, argv, "--version") || has_flag(argc, argv, "-v");
  if ((screenshot_mode || info_only) && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  // Help → User guide reads the guide compiled into the resources (qrc:/guide/README.md) with
  // XMLHttpRequest, which Qt 6 allows for local URLs only with this set; the studio loads only
  // its own compiled-in QML, never QML from elsewhere.
  qputenv("QML_XHR_ALLOW_FILE_READ", "1");
  QGuiApplication app(argc, argv);
  QGuiApplication::setApplicationName(QStringLiteral("gridplan-studio"));
  QGuiApplication::setOrganizationName(QStringLiteral("GridPlanner"));
  QGuiApplication::setApplicationVersion(QStringLiteral(GRIDPLAN_VERSION));

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("GridPlanner studio: see, edit and compare grid plans"));
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption lang({QStringLiteral("lang")},
                          QStringLiteral("Interface language: zh (default) or en."),
                          QStringLiteral("LANG"), QStringLiteral("zh"));
  QCommandLineOption shot({QStringLiteral("screenshot")},
                          QStringLiteral("Render offscreen to FILE.png and exit."),
                          QStringLiteral("FILE"));
  QCommandLineOption size({QStringLiteral("size")}, QStringLiteral("Window size for --screenshot."),
                          QStringLiteral("WxH"), QStringLiteral("1600x1000"));
  QCommandLineOption colour({QStringLiteral("colour-by"), QStringLiteral("color-by")},
                            QStringLiteral("Grid colouring: households, workload, large, none."),
                            QStringLiteral("KEY"), QStringLiteral("households"));
  QCommandLineOption compare(
      {QStringLiteral("compare")},
      QStringLiteral("A second scenario/run/files to compare with (repeatable)."),
      QStringLiteral("PATH"));
  QCommandLineOption synth(
      {QStringLiteral("synth")},
      QStringLiteral("Open a synthetic town of about N buildings (0 = demo town)."),
      QStringLiteral("N"));
  QCommandLineOption view(
      {QStringLiteral("view")},
      QStringLiteral("For --screenshot: map, table, diagnostics, compare, basemap (dialog) or "
                     "guide (Help → User guide)."),
      QStringLiteral("VIEW"), QStringLiteral("map"));
  QCommandLineOption simulate(
      {QStringLiteral("simulate")},
      QStringLiteral("Run the simulation once the plan is ready (colours by utilisation)."));
  QCommandLineOption basemap(
      {QStringLiteral("basemap")},
      QStringLiteral("Basemap: an XYZ tile URL template (https://tile.openstreetmap.org/{z}/{x}/"
                     "{y}.png) or a GeoTIFF / MBTiles file."),
      QStringLiteral("FILE_OR_URL"));
  parser.addOptions({lang, shot, size, colour, compare, synth, view, simulate, basemap});
  parser.addPositionalArgument(QStringLiteral("inputs"),
                               QStringLiteral("Scenario, run directory or input files."));
  parser.process(app);

  gp::studio::use_cjk_font();
  if (!gp::studio::install_translator(app, parser.value(lang)))
    std::fprintf(stderr, "gridplan-studio: Chinese translation not found, using English\n");
  gp::studio::register_qml_types();

  auto* session = new gp::studio::Session(&app);
  auto* compare_session = new gp::studio::Session(&app);
  session->setColourBy(parser.value(colour));
  compare_session->setColourBy(parser.value(colour));

  auto* base = new gp::studio::BasemapLayer(&app);
  if (parser.isSet(basemap) && !base->setSource(parser.value(basemap))) {
    std::fprintf(stderr, "gridplan-studio: %s\n", qPrintable(base->error()));
    if (screenshot_mode) return 2;
  }

  QQmlApplicationEngine engine;
  engine.rootContext()->setContextProperty(QStringLiteral("studioBasemap"), base);
  engine.rootContext()->setContextProperty(QStringLiteral("studioSession"), session);
  engine.rootContext()->setContextProperty(QStringLiteral("compareSession"), compare_session);
  engine.rootContext()->setContextProperty(QStringLiteral("screenshotMode"), screenshot_mode);
  engine.rootContext()->setContextProperty(QStringLiteral("startView"), parser.value(view));
  engine.load(gp::studio::main_qml_url());
  if (engine.rootObjects().isEmpty()) return 1;
  auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().front());
  if (!window) return 1;

  if (screenshot_mode) {
    const QStringList wh = parser.value(size).split(QLatin1Char('x'));
    if (wh.size() == 2) window->resize(wh[0].toInt(), wh[1].toInt());
  }

  auto open = [&](gp::studio::Session* s, const QStringList& paths) {
    if (parser.isSet(synth)) {
      gp::synth::SynthParams params;
      params.target_buildings = parser.value(synth).toLongLong();
      s->setDataset(gp::synth::generate_town(params).dataset);
    } else if (!paths.isEmpty()) {
      s->open(paths);
    }
  };
  open(session, parser.positionalArguments());
  if (parser.isSet(compare)) {
    open(compare_session, parser.values(compare));
    QMetaObject::invokeMethod(window, "showCompare");
  }

  if (parser.isSet(simulate)) {
    // Once, when the first plan's job has ended: evaluate it, colour by simulated utilisation.
    auto done = std::make_shared<bool>(false);
    QObject::connect(session, &gp::studio::Session::busyChanged, session, [session, done] {
      if (*done || session->busy() || !session->hasPlan()) return;
      *done = true;
      if (session->simulate()) session->setColourBy(QStringLiteral("utilisation"));
    });
  }

  if (screenshot_mode) {
    const QString file = parser.value(shot);
    auto take = [window, file, base, &app] {
      QMetaObject::invokeMethod(window, "prepareScreenshot");
      // Two frames: one to lay out labels after the fit, one with the sharp map; with a
      // basemap, wait (at most a minute) for its image of the fitted view.
      auto grab = [window, file, &app] {
        const QImage image = window->grabWindow();
        const bool ok = !image.isNull() && image.save(file);
        std::fprintf(stderr, "gridplan-studio: %s %s\n", ok ? "wrote" : "could not write",
                     qPrintable(QDir::toNativeSeparators(file)));
        app.exit(ok ? 0 : 3);
      };
      if (base->active()) {
        auto poll = std::make_shared<std::function<void(int)>>();
        *poll = [poll, base, window, grab](int left) {
          if ((base->version() > 1 && !base->loading()) || left <= 0) {
            QTimer::singleShot(300, window, grab);
            return;
          }
          QTimer::singleShot(200, window, [poll, left] { (*poll)(left - 1); });
        };
        QTimer::singleShot(400, window, [poll] { (*poll)(300); });
        return;
      }
      QTimer::singleShot(400, window, [window, file, &app] {
        const QImage image = window->grabWindow();
        const bool ok = !image.isNull() && image.save(file);
        std::fprintf(stderr, "gridplan-studio: %s %s\n", ok ? "wrote" : "could not write",
                     qPrintable(QDir::toNativeSeparators(file)));
        app.exit(ok ? 0 : 3);
      });
    };
    auto pending = std::make_shared<int>(parser.isSet(compare) ? 2 : 1);
    auto done = [take, pending] {
      if (--*pending == 0) QTimer::singleShot(200, take);
    };
    for (gp::studio::Session* s : {session, compare_session}) {
      if (s == compare_session && !parser.isSet(compare)) continue;
      if (s == session && parser.isSet(simulate))
        QObject::connect(s, &gp::studio::Session::simulationChanged, window, [s, done] {
          if (s->hasSimulation()) done();
        });
      else
        QObject::connect(s, &gp::studio::Session::planned, window, done);
      QObject::connect(s, &gp::studio::Session::errorChanged, window, [s, &app] {
        if (s->error().isEmpty()) return;
        std::fprintf(stderr, "gridplan-studio: %s\n", qPrintable(s->error()));
        app.exit(2);
      });
    }
    if (parser.positionalArguments().isEmpty() && !parser.isSet(synth))
      QTimer::singleShot(300, take);
  }
  return app.exec();
}
