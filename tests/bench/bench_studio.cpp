// Studio benchmark (offscreen): opening a town to its first frame, and pan/zoom frame times.
//
//   bench_studio [--synth N] [--frames F] [--size WxH] [--plan] [--repeat R] [FILES...]
//
// Opens FILES (through io::load, as the studio does) or a synthetic town of about N buildings
// (default 100000; generation time is reported apart and not counted), shows the map in an
// offscreen Qt Quick window and reports:
//   open→first frame   load (or validate) + map layers built + first frame swapped
//   pan/zoom frame     median and 95th percentile over F frames, each a viewport change
//                      followed by the frame that shows it
//   settled repaint    the sharp repaint that follows when the view stops moving (software
//                      scene graph only; with a GPU there is none)
//   open→plan          with --plan: until the background plan is ready (the engine's time), then
//                      the same pan/zoom series again over the planned map (cells coloured by
//                      grid, grid outlines)
//   --repeat R         opens and plans the same input R times in this process (as a planner does
//                      all day) and prints the resident set after each plan (the heap's free pages
//                      returned first, so it shows what is still held) and the peak: the studio's
//                      leak check (issue 8, docs/benchmarks.md "Repeated runs"). Implies --plan.
// The first series is timed with the dataset's layers (buildings, roads, communities...) while
// the plan is being computed on the worker thread. The load average is printed before and after
// (the machine is shared: figures are noisy).
#include <sys/resource.h>
#include <unistd.h>

#include <QElapsedTimer>
#include <QGuiApplication>
#include <QQmlComponent>
#include <QQmlEngine>
#include <QQuickItem>
#include <QQuickView>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "map_canvas.hpp"
#include "planner/core/memory.hpp"
#include "planner/synth/town.hpp"
#include "session.hpp"
#include "studio.hpp"

using gp::studio::MapCanvas;
using gp::studio::MapViewport;
using gp::studio::Session;

namespace {

template <class Pred>
void spin(Pred done) {
  while (!done()) QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
}

double ms(const QElapsedTimer& t) {
  return static_cast<double>(t.nsecsElapsed()) / 1e6;
}

void print_load(const char* when) {
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    double a = 0, b = 0, c = 0;
    if (std::fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3)
      std::printf("load average %s: %.2f %.2f %.2f\n", when, a, b, c);
    std::fclose(f);
  }
}

/// Resident set now and peak, MiB (after returning freed heap to the system).
std::pair<double, double> memory_mib() {
  gp::release_free_memory();
  double rss = 0.0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    long size = 0, resident = 0;
    if (std::fscanf(f, "%ld %ld", &size, &resident) == 2)
      rss = static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1048576.0;
    std::fclose(f);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return {rss, static_cast<double>(usage.ru_maxrss) / 1024.0};
}

}  // namespace

int main(int argc, char** argv) {
  gp::studio::limit_malloc_arenas();  // as the studio's main does
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QGuiApplication app(argc, argv);
  gp::studio::register_qml_types();
  long long synth = 100000;
  int frames = 60, w = 1600, h = 1000;
  bool wait_plan = false;
  int repeat = 1;
  QStringList files;
  const QStringList args = QCoreApplication::arguments();
  for (int i = 1; i < args.size(); ++i) {
    if (args[i] == QLatin1String("--plan"))
      wait_plan = true;
    else if (args[i] == QLatin1String("--synth") && i + 1 < args.size())
      synth = args[++i].toLongLong();
    else if (args[i] == QLatin1String("--repeat") && i + 1 < args.size()) {
      repeat = std::max(1, args[++i].toInt());
      wait_plan = wait_plan || repeat > 1;
    } else if (args[i] == QLatin1String("--frames") && i + 1 < args.size())
      frames = args[++i].toInt();
    else if (args[i] == QLatin1String("--size") && i + 1 < args.size()) {
      const QStringList wh = args[++i].split(QLatin1Char('x'));
      w = wh.value(0).toInt();
      h = wh.value(1).toInt();
    } else
      files << args[i];
  }

  print_load("before");
  if (repeat > 1) {
    const auto [rss, peak] = memory_mib();
    std::printf("memory at start    RSS %.1f MiB, peak %.1f MiB\n", rss, peak);
  }
  gp::Dataset dataset;
  if (files.isEmpty()) {
    QElapsedTimer g;
    g.start();
    gp::synth::SynthParams params;
    params.target_buildings = synth;
    dataset = gp::synth::generate_town(params).dataset;
    std::printf("generate     %zu buildings in %.0f ms (not counted)\n", dataset.buildings.size(),
                ms(g));
  }

  QQuickView view;
  view.resize(w, h);
  QQmlComponent component(view.engine());
  component.setData(R"(
    import QtQuick
    import GridPlanner 1.0
    Item {
      property alias viewport: vp
      property alias canvas: canvas
      MapViewport { id: vp; width: canvas.width; height: canvas.height }
      LayerList { id: layers }
      MapCanvas { id: canvas; anchors.fill: parent; viewport: vp; layers: layers }
    })",
                    QUrl());
  auto* root = qobject_cast<QQuickItem*>(component.create());
  if (!root) {
    std::fprintf(stderr, "%s\n", qPrintable(component.errorString()));
    return 1;
  }
  root->setParentItem(view.contentItem());
  root->setSize(QSizeF(w, h));
  auto* vp = root->property("viewport").value<MapViewport*>();
  auto* canvas = root->property("canvas").value<MapCanvas*>();
  Session session;
  canvas->setSession(&session);
  view.show();

  bool swapped = false;
  QObject::connect(&view, &QQuickWindow::frameSwapped, &view, [&] { swapped = true; });
  spin([&] { return swapped; });

  bool opened = false, planned = false;
  QObject::connect(&session, &Session::opened, [&] { opened = true; });
  QObject::connect(&session, &Session::planned, [&] { planned = true; });
  QElapsedTimer open_timer;
  open_timer.start();
  if (files.isEmpty())
    session.setDataset(std::move(dataset));
  else
    session.open(files);
  spin([&] { return opened || !session.error().isEmpty(); });
  if (!session.error().isEmpty()) {
    std::fprintf(stderr, "error: %s\n", qPrintable(session.error()));
    return 2;
  }
  const QRectF e = session.extent();
  vp->fitRect(e, 0.02);
  canvas->settle();
  swapped = false;
  spin([&] { return swapped; });
  const double first_frame = ms(open_timer);
  std::printf("buildings    %zu\n", session.dataset()->buildings.size());
  std::printf("renderer     %s\n", qPrintable(canvas->renderer()));
  std::printf("open→first frame   %8.1f ms\n", first_frame);
  // Zoom in to a town-district view, settle, then time frames of continuous pan/zoom.
  vp->zoomAt(4.0, w / 2.0, h / 2.0);
  canvas->settle();
  swapped = false;
  spin([&] { return swapped; });
  auto series = [&](const char* what) {
    std::vector<double> times;
    for (int i = 0; i < frames; ++i) {
      QElapsedTimer t;
      t.start();
      swapped = false;
      if (i % 3 == 2)
        vp->zoomAt(i % 2 ? 1.05 : 1.0 / 1.05, w / 2.0, h / 2.0);
      else
        vp->panBy(7.0, -4.0);
      spin([&] { return swapped; });
      times.push_back(ms(t));
    }
    std::sort(times.begin(), times.end());
    std::printf("%-18s median %.2f ms, p95 %.2f ms, max %.2f ms (%d frames)\n", what,
                times[times.size() / 2], times[times.size() * 95 / 100], times.back(), frames);
  };
  series(session.plan() ? "pan/zoom frame" : "pan/zoom frame (planning)");
  QElapsedTimer t;
  t.start();
  canvas->settle();
  swapped = false;
  spin([&] { return swapped; });
  std::printf("settled repaint    %8.1f ms\n", ms(t));
  if (wait_plan) {
    spin([&] { return planned || !session.error().isEmpty(); });
    std::printf("open→plan          %8.1f ms (%d large, %d micro grids)\n", ms(open_timer),
                session.plan() ? static_cast<int>(session.plan()->large_grids.size()) : 0,
                session.plan() ? static_cast<int>(session.plan()->micro_grids.size()) : 0);
    // The planned map: settle once (cells and outlines drawn), then the same gestures.
    canvas->settle();
    swapped = false;
    spin([&] { return swapped; });
    series("pan/zoom frame (planned)");
    QElapsedTimer r;
    r.start();
    canvas->settle();
    swapped = false;
    spin([&] { return swapped; });
    std::printf("settled repaint (planned) %5.1f ms\n", ms(r));
  }
  if (repeat > 1) {
    const auto [rss, peak] = memory_mib();
    std::printf("run 1              open→plan %.1f s, RSS %.1f MiB, peak %.1f MiB\n",
                ms(open_timer) / 1000.0, rss, peak);
  }
  for (int run = 2; run <= repeat; ++run) {
    opened = planned = false;
    QElapsedTimer run_timer;
    run_timer.start();
    if (files.isEmpty()) {
      gp::synth::SynthParams params;
      params.target_buildings = synth;
      session.setDataset(gp::synth::generate_town(params).dataset);
    } else {
      session.open(files);
    }
    spin([&] { return (opened && planned) || !session.error().isEmpty(); });
    if (!session.error().isEmpty()) {
      std::fprintf(stderr, "error: %s\n", qPrintable(session.error()));
      return 2;
    }
    canvas->settle();
    swapped = false;
    spin([&] { return swapped; });
    const auto [rss, peak] = memory_mib();
    std::printf("run %-2d             open→plan %.1f s, RSS %.1f MiB, peak %.1f MiB\n", run,
                ms(run_timer) / 1000.0, rss, peak);
  }
  print_load("after");
  std::fflush(stdout);
  // The plan may still be running on the worker; do not wait for it to notice the cancel.
  std::_Exit(0);
}
