// Session: opening inputs, scenarios and runs through the pipeline, and the background jobs
// (load, plan, re-plan, simulate, save) with progress, cancel and priority.
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
#include <string_view>
#include <vector>
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
#include "session_internal.hpp"

namespace gp::studio {

using detail::at;
using detail::q;

namespace {

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

/// The run's stage weights (pipeline::run_stage_weights, expected seconds per stage) from the
/// stage named `first` up to, not including, the stage named `end` ("" = to the end): a job that
/// runs only some of the run's stages sets these, so the studio shows the whole job's time left
/// and not only the current stage's. Before loading they are for an assumed town; a job that has
/// the dataset weighs its stages by its size (pipeline::weigh_stages).
std::vector<StageWeight> job_weights(const pipeline::Scenario& s, std::string_view first,
                                     std::string_view end = {}) {
  return pipeline::stage_weights_slice(pipeline::run_stage_weights(s), first, end);
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
  scenario_ = pipeline::default_scenario();
}

QString Session::duration_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0.0) seconds = 0.0;
  if (seconds < 1.0) return tr("under a second");
  const long s = std::lround(seconds);
  if (s < 60) return tr("%1 s").arg(s);
  if (s < 3600) return tr("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
  const long m = std::lround(seconds / 60.0);
  return tr("%1 h %2 min").arg(m / 60).arg(m % 60, 2, 10, QLatin1Char('0'));
}

QString Session::stage_text(const std::string& stage) {
  // The engine names its stages in English (the CLI's words); the window shows them in the
  // interface's language, matched by prefix. A stage not listed shows as the engine names it.
  struct Name {
    const char* prefix;
    const char* text;
  };
  static const Name names[] = {
      {"reading ", QT_TR_NOOP("Reading the data")},
      {"projecting", QT_TR_NOOP("Projecting")},
      {"estimating households", QT_TR_NOOP("Estimating households")},
      {"finding duplicate", QT_TR_NOOP("Checking the data")},
      {"validat", QT_TR_NOOP("Checking the data")},
      {"tessellat", QT_TR_NOOP("Building cells")},
      {"planning grids", QT_TR_NOOP("Planning grids")},
      {"grid polygons", QT_TR_NOOP("Drawing grid boundaries")},
      {"coverage check", QT_TR_NOOP("Checking coverage")},
      {"plan audit", QT_TR_NOOP("Checking the plan")},
      {"workload", QT_TR_NOOP("Estimating workload")},
      {"coverage", QT_TR_NOOP("Walking coverage")},
      {"event simulation", QT_TR_NOOP("Simulating")},
      {"simulating", QT_TR_NOOP("Simulating")},
      {"sensitivity", QT_TR_NOOP("Sensitivity analysis")},
      {"staffing", QT_TR_NOOP("Staffing")},
      {"station rules", QT_TR_NOOP("Station rules")},
      {"station siting", QT_TR_NOOP("Siting stations")},
      {"siting", QT_TR_NOOP("Siting stations")},
      {"evaluation", QT_TR_NOOP("Evaluating")},
      {"export", QT_TR_NOOP("Exporting")},
      {"write ", QT_TR_NOOP("Exporting")},
  };
  for (const Name& n : names)
    if (stage.rfind(n.prefix, 0) == 0) return tr(n.text);
  return QString::fromStdString(stage);
}

void Session::show_progress(const ProgressReport& report) {
  stage_ = stage_text(report.stage);
  // The bar shows the whole job when its stage weights are set (it then never goes back at a
  // new stage); the text the current stage's percent.
  progress_ = report.run_fraction ? *report.run_fraction : report.fraction;
  progress_text_ = tr("%1 %2 %").arg(stage_).arg(100.0 * report.fraction, 0, 'f', 0);
  if (report.total_left_s)
    progress_text_ += tr(" · about %1 left in all").arg(duration_text(*report.total_left_s));
  else if (report.stage_left_s && report.fraction < 1.0)
    progress_text_ += tr(" · about %1 left").arg(duration_text(*report.stage_left_s));
  if (report.since_update_s >= 3.0)
    progress_text_ +=
        tr(" · working (%1 since the last step)").arg(duration_text(report.since_update_s));
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
  pipeline::Scenario scenario = scenario_;
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
  pipeline::Scenario scenario;
  try {
    scenario = pipeline::load_scenario(path.toStdString());
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
  pipeline::Scenario scenario;
  try {
    scenario = pipeline::scenario_of_run(dir.toStdString());
  } catch (const std::exception& e) {
    fail(tr("Cannot open the run %1: %2").arg(dir, QString::fromUtf8(e.what())));
    return false;
  }
  return start_scenario(std::move(scenario), QFileInfo(QDir(dir).absolutePath()).fileName());
}

bool Session::start_scenario(pipeline::Scenario scenario, const QString& title) {
  try {
    pipeline::resolve(scenario);
  } catch (const std::exception& e) {
    fail(QString::fromUtf8(e.what()));
    return false;
  }
  scenario_ = scenario;
  scenario_name_ = q(scenario_.name);
  title_ = title;
  auto s = std::make_shared<const pipeline::Scenario>(std::move(scenario));
  start([this, s](Job& job) {
    job.progress->set_stage_weights(job_weights(*s, "reading ", "workload"));
    pipeline::Loaded loaded = pipeline::load(*s, *job.progress);
    pipeline::weigh_stages(*job.progress, *s, loaded.dataset(), "reading ", "workload");
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
  auto s = std::make_shared<const pipeline::Scenario>(scenario_);
  auto d = std::make_shared<Dataset>(std::move(dataset));
  std::shared_ptr<Plan> given = plan ? std::make_shared<Plan>(std::move(*plan)) : nullptr;
  start([this, s, d, given, validate](Job& job) {
    pipeline::weigh_stages(*job.progress, *s, *d,
                           given ? "tessellat" : (validate ? "validat" : "tessellat"),
                           given ? "planning grids" : "workload");
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
  auto s = std::make_shared<const pipeline::Scenario>(scenario_);
  start([this, current, dataset, tess, s](Job& job) {
    if (job.low) job.low->engage();
    pipeline::weigh_stages(*job.progress, *s, *dataset, "planning grids", "workload");
    auto plan =
        std::make_shared<Plan>(pipeline::replan(*s, *dataset, *tess, *current, *job.progress));
    QMetaObject::invokeMethod(
        this, [this, plan] { finish_plan(nullptr, plan, true); }, Qt::QueuedConnection);
  });
  return true;
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
  auto s = std::make_shared<const pipeline::Scenario>(scenario_);
  start([this, plan, dataset, s](Job& job) {
    if (job.low) job.low->engage();
    pipeline::weigh_stages(*job.progress, *s, *dataset, "workload", "export");
    auto evaluation = std::make_shared<const evaluation::Evaluation>(
        pipeline::evaluate(*s, *dataset, *plan, *job.progress));
    QMetaObject::invokeMethod(
        this, [this, plan, evaluation] { finish_simulation(plan, evaluation); },
        Qt::QueuedConnection);
  });
  return true;
}

bool Session::exportTo(const QString& path) {
  if (!editor_ || !dataset_ || busy_) return false;
  // The layers every exporter writes (report/layers.hpp): the plan with its metrics, and the
  // simulation's figures when they are for this plan (not stale).
  auto dataset = dataset_;
  auto plan = std::make_shared<const Plan>(editor_->plan());
  std::shared_ptr<const evaluation::Evaluation> evaluation =
      simulation_ && !simulationStale() ? simulation_ : nullptr;
  std::vector<std::string> inputs;
  for (const io::InputSpec& in : scenario_.load.inputs) inputs.push_back(in.path);
  if (!scenario_.existing.path.empty()) inputs.push_back(scenario_.existing.path);
  const std::string file = path.toStdString();
  start([this, dataset, plan, evaluation, inputs, file](Job& job) {
    pipeline::weigh_stages(*job.progress, pipeline::default_scenario(), *dataset, "export");
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
