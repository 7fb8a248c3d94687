#include "session.hpp"

#include <QColor>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSortFilterProxyModel>
#include <QThread>
#include <chrono>
#include <cmath>
// oneTBB has a function named emit, Qt a macro of that name.
#pragma push_macro("emit")
#undef emit
#include <tbb/task_arena.h>
#include <tbb/task_scheduler_observer.h>
#pragma pop_macro("emit")
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "models.hpp"
#include "planner/core/errors.hpp"
#include "planner/pipeline/parameters.hpp"
#include "planner/pipeline/pipeline.hpp"

namespace gp::studio {
namespace {

std::size_t at(std::int32_t i) {
  return static_cast<std::size_t>(i);
}

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

QRgb mix(QRgb a, QRgb b, double t) {
  t = std::clamp(t, 0.0, 1.0);
  auto ch = [&](int x, int y) { return static_cast<int>(std::lround(x + (y - x) * t)); };
  return qRgba(ch(qRed(a), qRed(b)), ch(qGreen(a), qGreen(b)), ch(qBlue(a), qBlue(b)),
               ch(qAlpha(a), qAlpha(b)));
}

// A sequential ramp (light yellow → green → dark teal) for "within bounds" values.
QRgb ramp(double t) {
  static const QRgb stops[] = {qRgb(0xff, 0xf7, 0xbc), qRgb(0xa1, 0xd9, 0x9b),
                               qRgb(0x41, 0xab, 0x5d), qRgb(0x00, 0x6d, 0x5c)};
  t = std::clamp(t, 0.0, 1.0) * 3.0;
  const int i = std::min(2, static_cast<int>(t));
  return mix(stops[i], stops[i + 1], t - i);
}

const QRgb kBelow = qRgb(0x6b, 0xae, 0xd6);
const QRgb kAbove = qRgb(0xe3, 0x1a, 0x1c);
const QRgb kPalette[] = {qRgb(0x8d, 0xd3, 0xc7), qRgb(0xff, 0xff, 0xb3), qRgb(0xbe, 0xba, 0xda),
                         qRgb(0xfb, 0x80, 0x72), qRgb(0x80, 0xb1, 0xd3), qRgb(0xfd, 0xb4, 0x62),
                         qRgb(0xb3, 0xde, 0x69), qRgb(0xfc, 0xcd, 0xe5), qRgb(0xbc, 0x80, 0xbd),
                         qRgb(0xcc, 0xeb, 0xc5), qRgb(0xff, 0xed, 0x6f), qRgb(0xd9, 0xd9, 0xd9)};

QRgb with_alpha(QRgb c, int a) {
  return qRgba(qRed(c), qGreen(c), qBlue(c), a);
}

QStringList expand_inputs(const QStringList& paths) {
  static const QStringList kExt = {QStringLiteral("gpkg"),    QStringLiteral("shp"),
                                   QStringLiteral("geojson"), QStringLiteral("json"),
                                   QStringLiteral("fgb"),     QStringLiteral("osm"),
                                   QStringLiteral("pbf")};
  QStringList out;
  for (const QString& p : paths) {
    const QFileInfo info(p);
    if (info.isDir()) {
      // A run directory or a folder of inputs: every readable GIS file in it.
      const QDir dir(p);
      for (const QFileInfo& f : dir.entryInfoList(QDir::Files, QDir::Name))
        if (kExt.contains(f.suffix().toLower())) out << f.absoluteFilePath();
    } else {
      out << info.absoluteFilePath();
    }
  }
  return out;
}

}  // namespace

// Lowers the scheduling priority of the threads that run a job: the job's own thread and oneTBB's
// workers as they join its arena (Linux: per-thread nice value +5). Raising it back needs a
// privilege, so TBB workers stay at the lower priority; only background jobs use them.
class LowPriority : public tbb::task_scheduler_observer {
 public:
  LowPriority(tbb::task_arena& arena, bool on) : tbb::task_scheduler_observer(arena), on_(on) {}
  ~LowPriority() override {
    if (engaged_) observe(false);
  }
  /// From now on (called on the job's thread).
  void engage() {
    if (!on_ || engaged_) return;
    engaged_ = true;
    lower();
    observe(true);
  }
  void on_scheduler_entry(bool) override { lower(); }

 private:
  static void lower() {
#ifdef __linux__
    const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
    // GRIDPLAN_STUDIO_PLAN_NICE overrides the +5 (0: plan at the interface's priority).
    static const int nice = [] {
      bool ok = false;
      const int v = qEnvironmentVariableIntValue("GRIDPLAN_STUDIO_PLAN_NICE", &ok);
      return ok ? std::clamp(v, 0, 19) : 5;
    }();
    if (::getpriority(PRIO_PROCESS, tid) < nice) ::setpriority(PRIO_PROCESS, tid, nice);
#endif
  }
  bool on_;
  bool engaged_ = false;
};

struct Session::Job {
  Progress* progress = nullptr;
  LowPriority* low = nullptr;
};

Session::Session(QObject* parent) : QObject(parent) {
  grid_model_ = new GridTableModel(this);
  auto* proxy = new GridTableProxy(this);
  proxy->setSourceModel(grid_model_);
  grid_proxy_ = proxy;
  diagnostics_ = new DiagnosticsModel(this);
  scenario_ = io::default_scenario();
}

void Session::show_progress(const ProgressReport& report) {
  stage_ = QString::fromStdString(report.stage);
  progress_ = report.fraction;
  progress_text_ = tr("%1 %2 %").arg(stage_).arg(100.0 * report.fraction, 0, 'f', 0);
  if (report.stage_left_s && report.fraction < 1.0)
    progress_text_ +=
        tr(" · about %1 left").arg(QString::fromStdString(format_duration(*report.stage_left_s)));
  if (report.since_update_s >= 3.0)
    progress_text_ += tr(" · working (%1 since the last step)")
                          .arg(QString::fromStdString(format_duration(report.since_update_s)));
  emit progressChanged();
}

void Session::refreshProgress() {
  if (busy_ && job_progress_) show_progress(job_progress_->report());
}

Session::~Session() {
  if (job_progress_) job_progress_->request_cancel();
  if (worker_.joinable()) worker_.join();
}

QObject* Session::gridsObject() const {
  return grid_model_;
}
QObject* Session::gridTableObject() const {
  return grid_proxy_;
}
QObject* Session::diagnosticsObject() const {
  return diagnostics_;
}

QRectF Session::extent() const {
  if (!scene_ || scene_->extent.empty()) return {};
  const Box& b = scene_->extent;
  return {b.min_x, b.min_y, b.width(), b.height()};
}

QVariantMap Session::summary() const {
  QVariantMap m;
  if (dataset_) {
    m[QStringLiteral("buildings")] = static_cast<qlonglong>(dataset_->buildings.size());
    m[QStringLiteral("households")] = static_cast<qlonglong>(dataset_->total_households());
    m[QStringLiteral("communities")] = static_cast<qlonglong>(dataset_->communities.size());
    m[QStringLiteral("compounds")] = static_cast<qlonglong>(dataset_->compounds.size());
    m[QStringLiteral("stations")] = static_cast<qlonglong>(dataset_->stations.size());
    m[QStringLiteral("crs")] = q(dataset_->crs_name);
  }
  if (const Plan* p = plan()) {
    const PlanMetrics& pm = p->metrics;
    m[QStringLiteral("largeGrids")] = pm.large_grids;
    m[QStringLiteral("microGrids")] = pm.micro_grids;
    m[QStringLiteral("boundViolations")] = pm.bound_violations;
    m[QStringLiteral("discontiguous")] = pm.discontiguous;
    m[QStringLiteral("barrierCrossings")] = pm.barrier_crossings;
    m[QStringLiteral("compoundSplits")] = pm.compound_splits;
    m[QStringLiteral("householdsMoved")] = static_cast<qlonglong>(pm.households_moved);
    m[QStringLiteral("meanCompactness")] = pm.mean_compactness;
  }
  return m;
}

void Session::set_busy(bool b) {
  if (b == busy_) return;
  busy_ = b;
  emit busyChanged();
}

void Session::set_message(const QString& m) {
  message_ = m;
  emit messageChanged();
}

void Session::fail(const QString& message) {
  error_ = message;
  emit errorChanged();
  set_message(message);
}

void Session::start(std::function<void(Job&)> work) {
  if (worker_.joinable()) worker_.join();
  error_.clear();
  emit errorChanged();
  set_busy(true);
  auto progress = std::make_shared<Progress>([this](const ProgressReport& report) {
    // Called on the worker: hand over to the GUI thread.
    QMetaObject::invokeMethod(
        this, [this, report] { show_progress(report); }, Qt::QueuedConnection);
  });
  job_progress_ = progress;
  worker_ = std::thread([this, progress, work = std::move(work)] {
    Job job{progress.get(), nullptr};
    try {
      // With a map on screen the engine's threads run at a lower priority (nice +5): they
      // use every core while the interface is idle, and yield to it when it draws (pan and zoom
      // stay smooth while planning). Headless (tests, benchmarks without a view) they do not.
      // Loading keeps the normal priority: the first frame waits for it (see post_loaded).
      tbb::task_arena arena;
      LowPriority low(arena, view_attached_);
      job.low = &low;
      arena.execute([&] { work(job); });
    } catch (const Cancelled&) {
      QMetaObject::invokeMethod(
          this, [this] { set_message(tr("Cancelled")); }, Qt::QueuedConnection);
    } catch (const std::exception& e) {
      const QString what = QString::fromUtf8(e.what());
      QMetaObject::invokeMethod(
          this, [this, what] { fail(what); }, Qt::QueuedConnection);
    }
    QMetaObject::invokeMethod(
        this, [this] { set_busy(false); }, Qt::QueuedConnection);
  });
}

void Session::frameShown() {
  {
    std::lock_guard<std::mutex> lock(gate_mutex_);
    frame_shown_ = true;
  }
  gate_cv_.notify_all();
}

void Session::post_loaded(Job& job, std::shared_ptr<Dataset> dataset,
                          std::shared_ptr<Scene> scene) {
  {
    std::lock_guard<std::mutex> lock(gate_mutex_);
    frame_shown_ = false;
  }
  QMetaObject::invokeMethod(
      this, [this, dataset, scene] { finish_load(dataset, scene); }, Qt::QueuedConnection);
  if (view_attached_) {
    std::unique_lock<std::mutex> lock(gate_mutex_);
    gate_cv_.wait_for(lock, std::chrono::seconds(2), [this] { return frame_shown_; });
  }
  if (job.low) job.low->engage();
}

void Session::post_planned(const std::shared_ptr<Dataset>& dataset,
                           const std::shared_ptr<Scene>& scene,
                           std::shared_ptr<geo::Tessellation> tess, std::shared_ptr<Plan> plan) {
  // The cells (one triangulated polygon per building) and grid outlines are built here, off the
  // GUI thread, into a scene of their own that finish_plan moves into the map's.
  auto layers = std::make_shared<Scene>();
  layers->origin = scene->origin;
  layers->extent = scene->extent;
  build_plan_layers(*layers, *dataset, tess.get(), *plan);
  QMetaObject::invokeMethod(
      this, [this, tess, plan, layers] { finish_plan(tess, plan, false, layers); },
      Qt::QueuedConnection);
}

void Session::waitForIdle() {
  if (worker_.joinable()) worker_.join();
  QCoreApplication::processEvents();
  QCoreApplication::sendPostedEvents(this);
  QCoreApplication::processEvents();
}

bool Session::open(const QStringList& paths) {
  if (busy_) return false;
  if (paths.size() == 1 && QFileInfo(paths.front()).isDir() &&
      QFileInfo::exists(QDir(paths.front()).filePath(QStringLiteral("manifest.json"))))
    return openRun(paths.front());
  const QStringList files = expand_inputs(paths);
  if (files.isEmpty()) {
    fail(tr("Nothing to open: no GIS file in %1").arg(paths.join(QStringLiteral(", "))));
    return false;
  }
  for (const QString& f : files)
    if (f.endsWith(QLatin1String(".toml"), Qt::CaseInsensitive)) {
      if (files.size() > 1) {
        fail(tr("Open one scenario at a time: %1").arg(paths.join(QStringLiteral(", "))));
        return false;
      }
      return openScenario(f);
    }
  // Input files: the current scenario's parameters over these inputs, planned afresh (a grids
  // layer among them is not an existing plan: pipeline.hpp).
  io::Scenario scenario = scenario_;
  scenario.path.clear();
  scenario.files.clear();
  scenario.name.clear();
  scenario.existing = io::ExistingPlanSettings{};
  scenario.load.inputs.clear();
  for (const QString& f : files)
    scenario.load.inputs.push_back(io::InputSpec{f.toStdString(), {}, {}});
  return start_scenario(std::move(scenario), files.size() == 1
                                                 ? QFileInfo(files.front()).fileName()
                                                 : QFileInfo(files.front()).dir().dirName());
}

bool Session::openScenario(const QString& path) {
  if (busy_) return false;
  // The scenario itself is read here (a small TOML file): its errors show at once.
  io::Scenario scenario;
  try {
    scenario = io::load_scenario(path.toStdString());
  } catch (const std::exception& e) {
    fail(tr("Cannot open the scenario %1: %2").arg(path, QString::fromUtf8(e.what())));
    return false;
  }
  if (scenario.load.inputs.empty()) {
    fail(tr("The scenario %1 names no input files ([input] files = [...])").arg(path));
    return false;
  }
  const QString title = scenario.name.empty() ? QFileInfo(path).fileName() : q(scenario.name);
  return start_scenario(std::move(scenario), title);
}

bool Session::openRun(const QString& dir) {
  if (busy_) return false;
  // The run's resolved scenario (scenario.toml), its plan.gpkg evaluated as it is: the pipeline
  // decides whether the run's inputs are still there or its own layers stand in for them.
  io::Scenario scenario;
  try {
    scenario = pipeline::scenario_of_run(dir.toStdString());
  } catch (const std::exception& e) {
    fail(tr("Cannot open the run %1: %2").arg(dir, QString::fromUtf8(e.what())));
    return false;
  }
  return start_scenario(std::move(scenario), QFileInfo(QDir(dir).absolutePath()).fileName());
}

bool Session::start_scenario(io::Scenario scenario, const QString& title) {
  try {
    pipeline::resolve(scenario);
  } catch (const std::exception& e) {
    fail(QString::fromUtf8(e.what()));
    return false;
  }
  scenario_ = scenario;
  scenario_name_ = q(scenario_.name);
  title_ = title;
  auto s = std::make_shared<const io::Scenario>(std::move(scenario));
  start([this, s](Job& job) {
    pipeline::Loaded loaded = pipeline::load(*s, *job.progress);
    auto dataset = std::make_shared<Dataset>(std::move(loaded.result.dataset));
    auto scene = std::make_shared<Scene>();
    build_dataset_layers(*scene, *dataset);
    post_loaded(job, dataset, scene);
    pipeline::Planned planned = pipeline::plan(
        *s, *dataset, loaded.has_existing ? &loaded.existing_source : nullptr, *job.progress);
    ProblemReporter problems = planned.problems();
    auto plan = std::make_shared<Plan>(std::move(planned.plan));
    plan->problems = std::move(problems);
    post_planned(dataset, scene,
                 std::make_shared<geo::Tessellation>(std::move(planned.tessellation)), plan);
  });
  return true;
}

bool Session::openUrls(const QList<QUrl>& urls) {
  QStringList paths;
  for (const QUrl& u : urls) paths << (u.isLocalFile() ? u.toLocalFile() : u.toString());
  return open(paths);
}

void Session::setDataset(Dataset dataset, std::optional<Plan> plan, bool validate) {
  if (busy_) return;
  try {
    pipeline::resolve_parameters(scenario_);
  } catch (const std::exception& e) {
    fail(QString::fromUtf8(e.what()));
    return;
  }
  title_ = QStringLiteral("memory");
  auto s = std::make_shared<const io::Scenario>(scenario_);
  auto d = std::make_shared<Dataset>(std::move(dataset));
  std::shared_ptr<Plan> given = plan ? std::make_shared<Plan>(std::move(*plan)) : nullptr;
  start([this, s, d, given, validate](Job& job) {
    if (validate) pipeline::validate(*s, *d, *job.progress);
    auto scene = std::make_shared<Scene>();
    build_dataset_layers(*scene, *d);
    post_loaded(job, d, scene);
    if (given) {
      post_planned(d, scene,
                   std::make_shared<geo::Tessellation>(pipeline::tessellate(*s, *d, *job.progress)),
                   given);
      return;
    }
    pipeline::Planned planned = pipeline::plan(*s, *d, nullptr, *job.progress);
    ProblemReporter problems = planned.problems();
    auto p = std::make_shared<Plan>(std::move(planned.plan));
    p->problems = std::move(problems);
    post_planned(d, scene, std::make_shared<geo::Tessellation>(std::move(planned.tessellation)), p);
  });
}

void Session::cancel() {
  if (job_progress_) job_progress_->request_cancel();
}

void Session::finish_load(std::shared_ptr<Dataset> dataset, std::shared_ptr<Scene> scene) {
  editor_.reset();
  tess_.reset();
  dataset_ = std::move(dataset);
  scene_ = std::move(scene);
  highlighted_.clear();
  grid_values_.clear();
  lasso_.clear();
  simulation_plan_.reset();
  simulation_.reset();
  simulation_summary_.clear();
  emit simulationChanged();
  selected_kind_.clear();
  selected_index_ = -1;
  grid_model_->setPlan(nullptr);
  diagnostics_->setProblems(dataset_.get(), nullptr);
  emit dataChanged();
  emit planChanged();
  emit selectionChanged();
  emit editsChanged();
  emit colourKeysChanged();
  recolour();
  set_message(tr("Loaded %1 buildings").arg(dataset_->buildings.size()));
  emit opened();
}

void Session::finish_plan(std::shared_ptr<geo::Tessellation> tess, std::shared_ptr<Plan> plan,
                          bool replace, std::shared_ptr<Scene> plan_layers) {
  if (!dataset_) return;
  bool lines_built = false;
  if (replace && editor_) {
    editor_->replace_plan(std::move(*plan), tr("re-plan").toStdString());
  } else {
    tess_ = std::move(tess);
    editor_ =
        std::make_unique<PlanEditor>(*dataset_, *tess_, scenario_.partition, std::move(*plan));
    if (plan_layers) {
      for (LayerId id : {LayerId::cells, LayerId::micro_lines, LayerId::large_lines}) {
        Layer& layer = (*scene_)[id];
        const std::uint64_t g = layer.geometry_version, c = layer.colour_version;
        layer = std::move((*plan_layers)[id]);
        layer.geometry_version = g + 1;
        layer.colour_version = c + 1;
      }
      lines_built = true;
    } else {
      build_plan_layers(*scene_, *dataset_, tess_.get(), editor_->plan());
    }
  }
  plan_modified(!lines_built);
  diagnostics_->setProblems(dataset_.get(), this->plan());
  set_message(tr("Planned %1 large and %2 micro grids")
                  .arg(this->plan()->large_grids.size())
                  .arg(this->plan()->micro_grids.size()));
  emit planned();
}

void Session::plan_modified(bool rebuild_lines) {
  if (rebuild_lines) rebuild_grid_lines(*scene_, editor_->plan());
  grid_model_->setPlan(plan());
  recolour();
  emit planChanged();
  emit editsChanged();
  emit selectionChanged();
  if (simulation_plan_) emit simulationChanged();
}

bool Session::replan() {
  if (busy_ || !editor_ || !dataset_ || !tess_) return false;
  auto current = std::make_shared<Plan>(editor_->plan());
  auto dataset = dataset_;
  auto tess = tess_;
  auto s = std::make_shared<const io::Scenario>(scenario_);
  start([this, current, dataset, tess, s](Job& job) {
    if (job.low) job.low->engage();
    auto plan =
        std::make_shared<Plan>(pipeline::replan(*s, *dataset, *tess, *current, *job.progress));
    QMetaObject::invokeMethod(
        this, [this, plan] { finish_plan(nullptr, plan, true); }, Qt::QueuedConnection);
  });
  return true;
}

void Session::setColourBy(const QString& key) {
  if (key == colour_by_) return;
  colour_by_ = key;
  recolour();
  emit colourByChanged();
}

QStringList Session::colourKeys() const {
  QStringList keys = {QStringLiteral("households"), QStringLiteral("workload"),
                      QStringLiteral("large"), QStringLiteral("none")};
  for (const auto& [k, v] : grid_values_)
    if (!keys.contains(k)) keys.insert(keys.size() - 1, k);
  return keys;
}

void Session::setGridValues(const QString& key, std::vector<double> values) {
  grid_values_[key] = std::move(values);
  emit colourKeysChanged();
  if (key == colour_by_) {
    recolour();
    emit colourByChanged();
  }
}

void Session::setHighlightedBuildings(std::vector<char> flags) {
  highlighted_ = std::move(flags);
  recolour();
}

QVariantList Session::legend() const {
  QVariantList out;
  auto entry = [&](QRgb c, const QString& key, const QVariant& a = {}, const QVariant& b = {}) {
    QVariantMap m;
    m[QStringLiteral("colour")] = QColor::fromRgba(c);
    m[QStringLiteral("key")] = key;  // QML turns key + a, b into a translated label
    m[QStringLiteral("a")] = a;
    m[QStringLiteral("b")] = b;
    out << m;
  };
  if (colour_by_ == QLatin1String("households")) {
    entry(kBelow, QStringLiteral("below"), scenario_.partition.micro.min);
    entry(ramp(0.0), QStringLiteral("range"), scenario_.partition.micro.min,
          scenario_.partition.micro.target);
    entry(ramp(1.0), QStringLiteral("range"), scenario_.partition.micro.target,
          scenario_.partition.micro.max);
    entry(kAbove, QStringLiteral("above"), scenario_.partition.micro.max);
  } else if (colour_by_ == QLatin1String("large")) {
    entry(kPalette[0], QStringLiteral("categorical"));
  } else if (colour_by_ != QLatin1String("none")) {
    // The ends of the ramp with their values: shares as percentages, hours and weighted
    // households as whole numbers.
    std::vector<double> values;
    if (auto it = grid_values_.find(colour_by_); it != grid_values_.end())
      values = it->second;
    else if (const Plan* p = plan(); p && colour_by_ == QLatin1String("workload"))
      for (const Grid& g : p->micro_grids) values.push_back(g.metrics.workload);
    QVariant lo, hi;
    if (!values.empty()) {
      const auto [mn, mx] = std::minmax_element(values.begin(), values.end());
      const bool share =
          colour_by_ == QLatin1String("utilisation") || colour_by_ == QLatin1String("coverage");
      auto text = [share](double v) {
        return share ? QString::number(v * 100.0, 'f', 0) + QLatin1Char('%')
                     : QString::number(v, 'f', 0);
      };
      lo = text(*mn);
      hi = text(*mx);
    }
    entry(ramp(0.0), QStringLiteral("low"), lo);
    entry(ramp(1.0), QStringLiteral("high"), hi);
  }
  return out;
}

void Session::recolour() {
  if (!scene_ || !dataset_) return;
  const Plan* p = plan();
  const std::size_t nb = dataset_->buildings.size();
  // Cell fills: the colour of each building's micro grid.
  Layer& cells = scene_->operator[](LayerId::cells);
  cells.colour.assign(nb, qRgba(0, 0, 0, 0));
  if (p) {
    std::vector<QRgb> grid_colour(p->micro_grids.size(), qRgba(0, 0, 0, 0));
    std::vector<double> values;
    bool ramp_mode = false;
    if (auto it = grid_values_.find(colour_by_); it != grid_values_.end()) {
      values = it->second;  // simulation results (workload in hours once simulated)
      ramp_mode = true;
    } else if (colour_by_ == QLatin1String("workload")) {
      for (const Grid& g : p->micro_grids) values.push_back(g.metrics.workload);
      ramp_mode = true;
    }
    double lo = INFINITY, hi = -INFINITY;
    for (double v : values) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    for (std::size_t m = 0; m < p->micro_grids.size(); ++m) {
      const Grid& g = p->micro_grids[m];
      QRgb c = qRgba(0, 0, 0, 0);
      if (colour_by_ == QLatin1String("households")) {
        const HouseholdBounds& bd = scenario_.partition.micro;
        const int h = g.metrics.households;
        c = h < bd.min   ? kBelow
            : h > bd.max ? kAbove
                         : ramp(bd.max > bd.min ? double(h - bd.min) / (bd.max - bd.min) : 0.5);
        c = with_alpha(c, 190);
      } else if (colour_by_ == QLatin1String("large")) {
        c = with_alpha(kPalette[static_cast<std::size_t>(std::max(0, g.parent)) % 12], 200);
      } else if (ramp_mode && m < values.size()) {
        c = with_alpha(ramp(hi > lo ? (values[m] - lo) / (hi - lo) : 0.5), 190);
      }
      grid_colour[m] = c;
    }
    for (std::size_t b = 0; b < nb && b < p->building_micro.size(); ++b)
      if (p->building_micro[b] != kNone) cells.colour[b] = grid_colour[at(p->building_micro[b])];
  }
  ++cells.colour_version;

  Layer& buildings = scene_->operator[](LayerId::buildings);
  buildings.colour.assign(nb, qRgb(0x5f, 0x5f, 0x5f));
  for (std::size_t b = 0; b < nb; ++b) {
    const Building& bd = dataset_->buildings[b];
    if (!may_hold_households(bd.use)) buildings.colour[b] = qRgb(0x9a, 0x8f, 0x85);
    if (b < highlighted_.size() && highlighted_[b]) buildings.colour[b] = qRgb(0xff, 0x7f, 0x00);
  }
  if (selected_kind_ == QLatin1String("building") && selected_index_ >= 0 &&
      at(selected_index_) < nb) {
    std::vector<std::int32_t> group = editor_ ? editor_->compound_group(selected_index_)
                                              : std::vector<std::int32_t>{selected_index_};
    for (std::int32_t b : group) buildings.colour[at(b)] = qRgb(0x31, 0x82, 0xbd);
    buildings.colour[at(selected_index_)] = qRgb(0x08, 0x30, 0x9c);
  }
  for (std::int32_t b : lasso_)
    if (at(b) < nb) buildings.colour[at(b)] = qRgb(0x08, 0x30, 0x9c);
  ++buildings.colour_version;

  Layer& ml = scene_->operator[](LayerId::micro_lines);
  ml.colour.assign(ml.shapes.size(), qRgba(0x40, 0x40, 0x40, 200));
  ++ml.colour_version;
  Layer& ll = scene_->operator[](LayerId::large_lines);
  ll.colour.assign(ll.shapes.size(), qRgb(0x1a, 0x1a, 0x1a));
  if (p)
    for (std::size_t g = 0; g < p->large_grids.size() && g < ll.colour.size(); ++g)
      if (p->large_grids[g].locked) ll.colour[g] = qRgb(0x7b, 0x32, 0x94);
  ++ll.colour_version;
  rebuild_highlight();
  emit sceneChanged();
}

void Session::rebuild_highlight() {
  Layer& hl = scene_->operator[](LayerId::highlight);
  std::vector<const MultiPolygon*> shapes;
  std::vector<QRgb> colours;
  if (const Plan* p = plan()) {
    auto bad = [](const Grid& g) {
      return g.metrics.below_min || g.metrics.above_max || !g.metrics.contiguous ||
             g.metrics.barrier_crossings > 0;
    };
    for (const Grid& g : p->micro_grids)
      if (bad(g)) {
        shapes.push_back(&g.polygon);
        colours.push_back(qRgb(0xe3, 0x1a, 0x1c));
      }
    for (const Grid& g : p->large_grids)
      if (bad(g)) {
        shapes.push_back(&g.polygon);
        colours.push_back(qRgb(0xb1, 0x00, 0x26));
      }
    const int sm = selectedMicro(), sl = selectedLarge();
    if (sl >= 0) {
      shapes.push_back(&p->large_grids[at(sl)].polygon);
      colours.push_back(qRgb(0x00, 0x9a, 0xd8));
    }
    if (sm >= 0) {
      shapes.push_back(&p->micro_grids[at(sm)].polygon);
      colours.push_back(qRgb(0x00, 0xd0, 0xff));
    }
  }
  hl.pixel_width = 3.0f;
  set_outlines(hl, *scene_, shapes);
  hl.colour = colours;
}

int Session::selectedMicro() const {
  const Plan* p = plan();
  if (!p || selected_index_ < 0) return -1;
  if (selected_kind_ == QLatin1String("micro")) return selected_index_;
  if (selected_kind_ == QLatin1String("building") && at(selected_index_) < p->building_micro.size())
    return p->building_micro[at(selected_index_)];
  return -1;
}

int Session::selectedLarge() const {
  const Plan* p = plan();
  if (!p || selected_index_ < 0) return -1;
  if (selected_kind_ == QLatin1String("large")) return selected_index_;
  const int m = selectedMicro();
  return m >= 0 ? p->micro_grids[at(m)].parent : -1;
}

QVariantMap Session::selectedInfo() const {
  QVariantMap m;
  if (!dataset_ || selected_index_ < 0) return m;
  m[QStringLiteral("kind")] = selected_kind_;
  const Plan* p = plan();
  auto grid_info = [&](const Grid& g, bool micro) {
    m[QStringLiteral("code")] = q(g.code);
    m[QStringLiteral("name")] = q(g.name);
    m[QStringLiteral("households")] = g.metrics.households;
    m[QStringLiteral("buildings")] = g.metrics.buildings;
    m[QStringLiteral("workload")] = std::round(g.metrics.workload * 10) / 10;
    m[QStringLiteral("areaKm2")] = g.metrics.area_m2 / 1e6;
    m[QStringLiteral("compactness")] = g.metrics.compactness;
    m[QStringLiteral("contiguous")] = g.metrics.contiguous;
    m[QStringLiteral("belowMin")] = g.metrics.below_min;
    m[QStringLiteral("aboveMax")] = g.metrics.above_max;
    m[QStringLiteral("barrierCrossings")] = g.metrics.barrier_crossings;
    m[QStringLiteral("compoundSplits")] = g.metrics.compound_splits;
    m[QStringLiteral("locked")] = g.locked;
    const HouseholdBounds& b = micro ? scenario_.partition.micro : scenario_.partition.large;
    m[QStringLiteral("boundsMin")] = b.min;
    m[QStringLiteral("boundsMax")] = b.max;
    if (g.community >= 0 && at(g.community) < dataset_->communities.size())
      m[QStringLiteral("community")] = q(dataset_->communities[at(g.community)].name);
  };
  if (selected_kind_ == QLatin1String("building") &&
      at(selected_index_) < dataset_->buildings.size()) {
    const Building& b = dataset_->buildings[at(selected_index_)];
    m[QStringLiteral("id")] = static_cast<qlonglong>(b.id);
    m[QStringLiteral("name")] = q(b.name);
    m[QStringLiteral("use")] = QString::fromLatin1(to_string(b.use));
    m[QStringLiteral("households")] = b.households;
    m[QStringLiteral("householdsEstimated")] = b.households_estimated;
    m[QStringLiteral("floors")] = b.floors;
    m[QStringLiteral("units")] = b.units;
    m[QStringLiteral("footprintM2")] = std::round(area(b.footprint));
    if (b.compound >= 0)
      m[QStringLiteral("compound")] = q(dataset_->compounds[at(b.compound)].name);
    if (b.community >= 0)
      m[QStringLiteral("community")] = q(dataset_->communities[at(b.community)].name);
    if (p && at(selected_index_) < p->building_micro.size()) {
      const std::int32_t mi = p->building_micro[at(selected_index_)];
      const std::int32_t li = p->building_large[at(selected_index_)];
      if (mi >= 0) m[QStringLiteral("microCode")] = q(p->micro_grids[at(mi)].code);
      if (li >= 0) m[QStringLiteral("largeCode")] = q(p->large_grids[at(li)].code);
      if (editor_) {
        QStringList near;
        for (std::int32_t g : editor_->neighbour_grids(editor_->compound_group(selected_index_)))
          near << q(p->micro_grids[at(g)].code);
        m[QStringLiteral("neighbourGrids")] = near.join(QStringLiteral(", "));
      }
    }
  } else if (selected_kind_ == QLatin1String("lasso")) {
    long long households = 0;
    QStringList codes;
    for (std::int32_t b : lasso_) {
      households += dataset_->buildings[at(b)].households;
      if (p && p->building_micro[at(b)] != kNone) {
        const QString c = q(p->micro_grids[at(p->building_micro[at(b)])].code);
        if (!codes.contains(c)) codes << c;
      }
    }
    m[QStringLiteral("buildings")] = static_cast<int>(lasso_.size());
    m[QStringLiteral("households")] = households;
    m[QStringLiteral("microCode")] = codes.join(QStringLiteral(", "));
    if (editor_) {
      QStringList near;
      for (std::int32_t g : editor_->neighbour_grids(lasso_)) near << q(p->micro_grids[at(g)].code);
      m[QStringLiteral("neighbourGrids")] = near.join(QStringLiteral(", "));
    }
  } else if (selected_kind_ == QLatin1String("micro") && p &&
             at(selected_index_) < p->micro_grids.size()) {
    grid_info(p->micro_grids[at(selected_index_)], true);
    const Grid& g = p->micro_grids[at(selected_index_)];
    if (g.parent >= 0) m[QStringLiteral("largeCode")] = q(p->large_grids[at(g.parent)].code);
  } else if (selected_kind_ == QLatin1String("large") && p &&
             at(selected_index_) < p->large_grids.size()) {
    grid_info(p->large_grids[at(selected_index_)], false);
  } else if (selected_kind_ == QLatin1String("station") &&
             at(selected_index_) < dataset_->stations.size()) {
    const Station& s = dataset_->stations[at(selected_index_)];
    m[QStringLiteral("name")] = q(s.name);
    m[QStringLiteral("tier")] = QString::fromLatin1(to_string(s.tier));
    m[QStringLiteral("floorM2")] = s.floor_m2;
    m[QStringLiteral("id")] = static_cast<qlonglong>(s.id);
  }
  return m;
}

void Session::select(const QString& kind, int index) {
  selected_kind_ = index >= 0 ? kind : QString();
  selected_index_ = index >= 0 ? index : -1;
  if (selected_kind_ != QLatin1String("lasso")) lasso_.clear();
  recolour();
  emit selectionChanged();
}

void Session::selectAt(double x, double y) {
  if (!scene_) return;
  const Point w{x, y};
  std::int32_t hit = hit_test(*scene_, LayerId::stations, w);
  if (hit >= 0) return select(QStringLiteral("station"), hit);
  hit = hit_test(*scene_, LayerId::buildings, w);
  if (hit >= 0) return select(QStringLiteral("building"), hit);
  hit = hit_test(*scene_, LayerId::micro_lines, w);
  if (hit >= 0) return select(QStringLiteral("micro"), hit);
  select(QString(), -1);
}

QRectF Session::featureBox(const QString& kind, int index) const {
  if (!scene_ || index < 0) return {};
  LayerId layer = LayerId::buildings;
  if (kind == QLatin1String("micro"))
    layer = LayerId::micro_lines;
  else if (kind == QLatin1String("large"))
    layer = LayerId::large_lines;
  else if (kind == QLatin1String("station"))
    layer = LayerId::stations;
  else if (kind == QLatin1String("community"))
    layer = LayerId::communities;
  else if (kind == QLatin1String("compound"))
    layer = LayerId::compounds;
  else if (kind != QLatin1String("building"))
    return {};
  const Box b = feature_box(*scene_, layer, index);
  if (b.empty()) return {};
  return {b.min_x, b.min_y, b.width(), b.height()};
}

void Session::after_edit(const EditResult& r) {
  if (!r.ok) {
    fail(q(r.message));
    return;
  }
  error_.clear();
  emit errorChanged();
  last_edit_ms_ = r.milliseconds;
  set_message(q(r.message));
  plan_modified();
}

bool Session::moveBuildings(const QList<int>& buildings, int target) {
  if (!editor_ || busy_) return false;
  QElapsedTimer timer;
  timer.start();
  std::vector<std::int32_t> list(buildings.begin(), buildings.end());
  EditResult r = editor_->move_buildings(list, target);
  after_edit(r);
  last_edit_ms_ = static_cast<double>(timer.nsecsElapsed()) / 1e6;  // edit + checks + redraw prep
  emit editsChanged();
  return r.ok;
}

bool Session::moveSelectionTo(double x, double y, bool wholeCompound) {
  if (!editor_ || selected_kind_ != QLatin1String("building")) return false;
  const std::int32_t target = hit_test(*scene_, LayerId::micro_lines, Point{x, y});
  if (target < 0) {
    fail(tr("No micro grid at that point"));
    return false;
  }
  const std::vector<std::int32_t> group = wholeCompound
                                              ? editor_->compound_group(selected_index_)
                                              : std::vector<std::int32_t>{selected_index_};
  return moveBuildings(QList<int>(group.begin(), group.end()), target);
}

int Session::lassoSelect(const QVariantList& worldPolygon, bool wholeCompounds) {
  lasso_.clear();
  if (!dataset_ || worldPolygon.size() < 3) {
    select(QString(), -1);
    return 0;
  }
  QPolygonF ring;
  for (const QVariant& v : worldPolygon) ring << v.toPointF();
  const QRectF box = ring.boundingRect();
  std::vector<char> in(dataset_->buildings.size(), 0);
  for (std::size_t b = 0; b < dataset_->buildings.size(); ++b) {
    const Point c = centroid(dataset_->buildings[b].footprint);
    const QPointF pt(c.x, c.y);
    if (box.contains(pt) && ring.containsPoint(pt, Qt::OddEvenFill)) in[b] = 1;
  }
  if (wholeCompounds && editor_)
    for (std::size_t b = 0; b < in.size(); ++b)
      if (in[b] == 1)
        for (std::int32_t o : editor_->compound_group(static_cast<std::int32_t>(b)))
          if (!in[at(o)]) in[at(o)] = 2;
  for (std::size_t b = 0; b < in.size(); ++b)
    if (in[b]) lasso_.push_back(static_cast<std::int32_t>(b));
  if (lasso_.empty()) {
    select(QString(), -1);
    set_message(tr("The lasso caught no building"));
    return 0;
  }
  selected_kind_ = QStringLiteral("lasso");
  selected_index_ = lasso_.front();
  recolour();
  emit selectionChanged();
  set_message(tr("%1 buildings selected: click a neighbouring micro grid to move them there")
                  .arg(lasso_.size()));
  return static_cast<int>(lasso_.size());
}

bool Session::moveLassoTo(double x, double y) {
  if (!editor_ || lasso_.empty()) return false;
  const std::int32_t target = hit_test(*scene_, LayerId::micro_lines, Point{x, y});
  if (target < 0) {
    fail(tr("No micro grid at that point"));
    return false;
  }
  return moveBuildings(QList<int>(lasso_.begin(), lasso_.end()), target);
}

bool Session::simulationStale() const {
  const Plan* p = plan();
  return simulation_plan_ && p &&
         (p->building_micro != simulation_plan_->building_micro ||
          p->micro_grids.size() != simulation_plan_->micro_grids.size());
}

bool Session::simulate() {
  if (busy_ || !editor_ || !dataset_) return false;
  auto plan = std::make_shared<const Plan>(editor_->plan());
  auto dataset = dataset_;
  auto s = std::make_shared<const io::Scenario>(scenario_);
  start([this, plan, dataset, s](Job& job) {
    if (job.low) job.low->engage();
    auto evaluation = std::make_shared<const report::Evaluation>(
        pipeline::evaluate(*s, *dataset, *plan, *job.progress));
    QMetaObject::invokeMethod(
        this, [this, plan, evaluation] { finish_simulation(plan, evaluation); },
        Qt::QueuedConnection);
  });
  return true;
}

void Session::finish_simulation(std::shared_ptr<const Plan> plan,
                                std::shared_ptr<const report::Evaluation> evaluation) {
  if (!dataset_ || !editor_) return;
  const report::Evaluation& e = *evaluation;
  const std::size_t nm = plan->micro_grids.size();
  std::vector<double> workload(nm, 0.0), utilisation(nm, 0.0), coverage(nm, 0.0);
  for (std::size_t m = 0; m < nm && m < e.micro_workload.size(); ++m)
    workload[m] = e.micro_workload[m].total_hours;
  // Utilisation: the event simulation's, of the workers of the micro grid's large grid (they
  // serve its micro grids together); without a simulation the analytic need per worker.
  for (std::size_t m = 0; m < nm; ++m) {
    const std::int32_t g = plan->micro_grids[m].parent;
    if (e.simulation && g >= 0 && at(g) < e.simulation->grids.size())
      utilisation[m] = e.simulation->grids[at(g)].utilisation.mean;
    else if (m < e.micro_workload.size() && m < e.micro_workers.size())
      utilisation[m] = e.micro_workload[m].full_time_equivalents / std::max(1, e.micro_workers[m]);
  }
  // Coverage: households within the middle walking threshold (10 minutes by default) of any
  // station, as a share of the micro grid's households.
  double threshold = 0.0;
  if (!e.coverage.tiers.empty()) {
    const sim::TierCoverage& any = e.coverage.any();
    threshold = any.thresholds_m.empty() ? 0.0 : any.thresholds_m[any.thresholds_m.size() / 2];
    std::vector<double> within(nm, 0.0), total(nm, 0.0);
    for (std::size_t b = 0; b < dataset_->buildings.size() && b < any.distance_m.size(); ++b) {
      const std::int32_t m = plan->building_micro[b];
      if (m == kNone) continue;
      const double h = dataset_->buildings[b].households;
      total[at(m)] += h;
      if (any.distance_m[b] <= threshold) within[at(m)] += h;
    }
    for (std::size_t m = 0; m < nm; ++m) coverage[m] = total[m] > 0 ? within[m] / total[m] : 1.0;
  }
  grid_values_[QStringLiteral("workload")] = std::move(workload);
  grid_values_[QStringLiteral("utilisation")] = std::move(utilisation);
  grid_values_[QStringLiteral("coverage")] = std::move(coverage);
  simulation_plan_ = plan;
  simulation_ = evaluation;
  QVariantMap summary;
  if (e.simulation) {
    summary[QStringLiteral("utilisation")] = e.simulation->total.utilisation.mean;
    summary[QStringLiteral("responseP90h")] = e.simulation->total.response_p90_h.mean;
    summary[QStringLiteral("replications")] = e.simulation->replications;
  }
  if (!e.coverage.tiers.empty()) {
    const sim::TierCoverage& any = e.coverage.any();
    for (std::size_t t = 0; t < any.thresholds_m.size() && t < any.share_within.size(); ++t)
      if (any.thresholds_m[t] == threshold)
        summary[QStringLiteral("coverageShare")] = any.share_within[t];
    summary[QStringLiteral("coverageThresholdM")] = threshold;
  }
  int workers = 0;
  for (int w : e.allocation.full_time) workers += w;
  for (int w : e.allocation.part_time) workers += w;
  summary[QStringLiteral("workers")] = workers;
  simulation_summary_ = summary;
  emit colourKeysChanged();
  recolour();
  emit colourByChanged();  // the legend's values
  emit simulationChanged();
  set_message(tr("Simulated: %1 workers, mean utilisation %2%")
                  .arg(workers)
                  .arg(e.simulation
                           ? QString::number(e.simulation->total.utilisation.mean * 100, 'f', 1)
                           : QStringLiteral("–")));
}

bool Session::setLocked(const QString& level, int index, bool locked) {
  if (!editor_ || busy_) return false;
  EditResult r = editor_->set_locked(
      level == QLatin1String("micro") ? GridLevel::micro : GridLevel::large, index, locked);
  after_edit(r);
  return r.ok;
}

bool Session::undo() {
  if (!editor_ || busy_ || !editor_->can_undo()) return false;
  EditResult r = editor_->undo();
  set_message(tr("Undone: %1").arg(q(r.message)));
  plan_modified();
  return true;
}

bool Session::redo() {
  if (!editor_ || busy_ || !editor_->can_redo()) return false;
  EditResult r = editor_->redo();
  set_message(tr("Redone: %1").arg(q(r.message)));
  plan_modified();
  return true;
}

QString Session::undoText() const {
  return editor_ ? q(editor_->undo_label()) : QString();
}
QString Session::redoText() const {
  return editor_ ? q(editor_->redo_label()) : QString();
}

bool Session::exportTo(const QString& path) {
  if (!editor_ || !dataset_ || busy_) return false;
  // The layers every exporter writes (report/layers.hpp): the plan with its metrics, and the
  // simulation's figures when they are for this plan (not stale).
  auto dataset = dataset_;
  auto plan = std::make_shared<const Plan>(editor_->plan());
  std::shared_ptr<const report::Evaluation> evaluation =
      simulation_ && !simulationStale() ? simulation_ : nullptr;
  std::vector<std::string> inputs;
  for (const io::InputSpec& in : scenario_.load.inputs) inputs.push_back(in.path);
  if (!scenario_.existing.path.empty()) inputs.push_back(scenario_.existing.path);
  const std::string file = path.toStdString();
  start([this, dataset, plan, evaluation, inputs, file](Job& job) {
    job.progress->update("export", 0.0);
    ProblemReporter problems = dataset->problems;
    problems.merge(plan->problems);
    pipeline::save_plan(*dataset, pipeline::layers(*dataset, *plan, evaluation.get(), problems),
                        file, inputs);
    const QString f = QString::fromStdString(file);
    QMetaObject::invokeMethod(
        this, [this, f] { set_message(tr("Exported to %1").arg(f)); }, Qt::QueuedConnection);
  });
  return true;
}

}  // namespace gp::studio
