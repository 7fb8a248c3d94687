#pragma once
// The studio's controller: opens inputs, runs the pipeline's stages (planner/pipeline: the same
// resolve → load → validate → tessellate → plan / evaluate as `gridplan run`) on a worker thread
// with progress and cancel, keeps the plan and its edits, selection and colouring, and exposes all
// of it to QML as properties, invokable actions and list models. Implementation in three files
// along its seams: session.cpp (opening and background jobs), session_colour.cpp (colouring,
// legend, highlight), session_select.cpp (selection, lasso, edits).

#include <QObject>
#include <QPointF>
#include <QRectF>
#include <QStringList>
#include <QUrl>
#include <QVariantMap>
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "plan_edit.hpp"
#include "planner/core/dataset.hpp"
#include "planner/core/progress.hpp"
#include "planner/evaluation/evaluation.hpp"
#include "planner/geo/tessellation.hpp"
#include "planner/partition/params.hpp"
#include "planner/partition/plan.hpp"
#include "planner/pipeline/scenario.hpp"
#include "scene.hpp"

class QSortFilterProxyModel;

namespace gp::studio {

class GridTableModel;
class DiagnosticsModel;

class Session : public QObject {
  Q_OBJECT
  Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
  Q_PROPERTY(double progress READ progress NOTIFY progressChanged)
  Q_PROPERTY(QString stage READ stage NOTIFY progressChanged)
  /// Stage, its percent done and the job's estimated time left ("建筑单元划分 42 % · 全部约剩
  /// 1 分 10 秒"; the stage's when the job has no stage weights); refreshProgress() keeps it
  /// moving between the engine's updates. `progress` is the whole job's share done.
  Q_PROPERTY(QString progressText READ progressText NOTIFY progressChanged)
  Q_PROPERTY(QString error READ error NOTIFY errorChanged)
  Q_PROPERTY(QString message READ message NOTIFY messageChanged)
  Q_PROPERTY(QString title READ title NOTIFY dataChanged)
  Q_PROPERTY(bool hasData READ hasData NOTIFY dataChanged)
  Q_PROPERTY(bool hasPlan READ hasPlan NOTIFY planChanged)
  Q_PROPERTY(QRectF extent READ extent NOTIFY dataChanged)
  Q_PROPERTY(QVariantMap summary READ summary NOTIFY planChanged)
  Q_PROPERTY(QString colourBy READ colourBy WRITE setColourBy NOTIFY colourByChanged)
  Q_PROPERTY(QStringList colourKeys READ colourKeys NOTIFY colourKeysChanged)
  Q_PROPERTY(QVariantList legend READ legend NOTIFY colourByChanged)
  Q_PROPERTY(QString selectedKind READ selectedKind NOTIFY selectionChanged)
  Q_PROPERTY(int selectedIndex READ selectedIndex NOTIFY selectionChanged)
  Q_PROPERTY(int selectedMicro READ selectedMicro NOTIFY selectionChanged)
  Q_PROPERTY(int selectedLarge READ selectedLarge NOTIFY selectionChanged)
  Q_PROPERTY(QVariantMap selectedInfo READ selectedInfo NOTIFY selectionChanged)
  Q_PROPERTY(int lassoCount READ lassoCount NOTIFY selectionChanged)
  Q_PROPERTY(bool hasSimulation READ hasSimulation NOTIFY simulationChanged)
  Q_PROPERTY(bool simulationStale READ simulationStale NOTIFY simulationChanged)
  Q_PROPERTY(QVariantMap simulationSummary READ simulationSummary NOTIFY simulationChanged)
  Q_PROPERTY(QString scenario READ scenario NOTIFY dataChanged)
  Q_PROPERTY(bool canUndo READ canUndo NOTIFY editsChanged)
  Q_PROPERTY(bool canRedo READ canRedo NOTIFY editsChanged)
  Q_PROPERTY(QString undoText READ undoText NOTIFY editsChanged)
  Q_PROPERTY(QString redoText READ redoText NOTIFY editsChanged)
  Q_PROPERTY(double lastEditMs READ lastEditMs NOTIFY editsChanged)
  Q_PROPERTY(QObject* grids READ gridsObject CONSTANT)
  Q_PROPERTY(QObject* gridTable READ gridTableObject CONSTANT)
  Q_PROPERTY(QObject* diagnostics READ diagnosticsObject CONSTANT)

 public:
  explicit Session(QObject* parent = nullptr);
  ~Session() override;

  bool busy() const { return busy_; }
  double progress() const { return progress_; }
  QString stage() const { return stage_; }
  QString progressText() const { return progress_text_; }
  QString error() const { return error_; }
  QString message() const { return message_; }
  QString title() const { return title_; }
  bool hasData() const { return dataset_ != nullptr; }
  bool hasPlan() const { return editor_ != nullptr; }
  QRectF extent() const;
  QVariantMap summary() const;
  QString colourBy() const { return colour_by_; }
  void setColourBy(const QString& key);
  QStringList colourKeys() const;
  QVariantList legend() const;
  QString selectedKind() const { return selected_kind_; }
  int selectedIndex() const { return selected_index_; }
  int selectedMicro() const;
  int selectedLarge() const;
  QVariantMap selectedInfo() const;
  int lassoCount() const { return static_cast<int>(lasso_.size()); }
  bool hasSimulation() const { return simulation_plan_ != nullptr; }
  bool simulationStale() const;
  QVariantMap simulationSummary() const { return simulation_summary_; }
  QString scenario() const { return scenario_name_; }
  bool canUndo() const { return editor_ && editor_->can_undo(); }
  bool canRedo() const { return editor_ && editor_->can_redo(); }
  QString undoText() const;
  QString redoText() const;
  double lastEditMs() const { return last_edit_ms_; }
  QObject* gridsObject() const;
  QObject* gridTableObject() const;
  QObject* diagnosticsObject() const;

  /// Opens inputs: a scenario (.toml), a run directory, or input files (GeoPackage, Shapefile,
  /// GeoJSON, FlatGeobuf, OSM). Loads and plans in the background.
  Q_INVOKABLE bool open(const QStringList& paths);
  /// Opens a scenario file as `gridplan run` reads it: its inputs, field mapping, grid bounds,
  /// barriers, existing plan (re-planned or evaluated as it is) and evaluation parameters.
  /// Scenario errors (gp::ConfigError) are reported at once through error().
  Q_INVOKABLE bool openScenario(const QString& path);
  /// Opens a run directory of `gridplan run` (manifest.json + plan.gpkg) and shows that plan as
  /// it was exported: its grids (codes, polygons) are evaluated as they are, not re-planned.
  /// The run's scenario and inputs are read again when they are still where the manifest says
  /// (roads, rivers, compounds on the map); otherwise the run's own layers (communities,
  /// buildings, stations) and the bounds recorded in the manifest are used.
  Q_INVOKABLE bool openRun(const QString& dir);
  Q_INVOKABLE bool openUrls(const QList<QUrl>& urls);
  Q_INVOKABLE void cancel();
  /// Re-reads the running job's progress (elapsed time, estimate); the window calls it every
  /// second while busy, so the text moves even while the engine is inside one long step.
  Q_INVOKABLE void refreshProgress();
  /// Re-plans the unlocked grids, with the current plan as the existing one (undoable).
  Q_INVOKABLE bool replan();

  /// Selection by a click on the map at world (x, y): a station, a building, else a micro grid.
  Q_INVOKABLE void selectAt(double x, double y);
  /// kind: "building", "micro", "large", "station", "" (none).
  Q_INVOKABLE void select(const QString& kind, int index);
  /// World box of a feature, for zooming to it.
  Q_INVOKABLE QRectF featureBox(const QString& kind, int index) const;
  Q_INVOKABLE QRectF selectionBox() const { return featureBox(selected_kind_, selected_index_); }

  /// Moves the selected building (or, with `wholeCompound`, its compound's buildings in the same
  /// micro grid) to the micro grid at world (x, y).
  Q_INVOKABLE bool moveSelectionTo(double x, double y, bool wholeCompound);
  Q_INVOKABLE bool moveBuildings(const QList<int>& buildings, int targetMicro);
  /// Lasso: selects the buildings whose footprint centroid lies inside the world polygon
  /// (a list of QPointF; with `wholeCompounds` also the rest of their compounds in the same
  /// micro grids). Returns how many are selected.
  Q_INVOKABLE int lassoSelect(const QVariantList& worldPolygon, bool wholeCompounds);
  /// Moves the lasso selection to the micro grid at world (x, y) in one undoable edit.
  Q_INVOKABLE bool moveLassoTo(double x, double y);
  const std::vector<std::int32_t>& lasso() const { return lasso_; }
  /// Evaluates the current plan in the background (workload, workers, walking coverage, event
  /// simulation: evaluation::evaluate, as `gridplan run`) and colours by its results: per micro
  /// grid `workload` (hours a year), `utilisation` (simulated, of its large grid's workers) and
  /// `coverage` (share of households within the walking threshold of a station).
  Q_INVOKABLE bool simulate();
  Q_INVOKABLE bool setLocked(const QString& level, int index, bool locked);
  Q_INVOKABLE bool undo();
  Q_INVOKABLE bool redo();
  /// Writes the plan through the engine's writer. Returns false and sets error() on failure.
  Q_INVOKABLE bool exportTo(const QString& path);

  /// Hook for simulator results: one value per micro grid under a colour key ("workload",
  /// "utilisation", "coverage"); the key becomes selectable.
  void setGridValues(const QString& key, std::vector<double> values);
  /// Buildings drawn highlighted (e.g. moved between two compared scenarios).
  void setHighlightedBuildings(std::vector<char> flags);

  /// Uses an in-memory dataset (tests, benchmarks, synthetic towns): validates and joins it when
  /// `validate` (pipeline::validate, with the current scenario's household parameters), then
  /// plans in the background unless `plan` is given.
  void setDataset(Dataset dataset, std::optional<Plan> plan = std::nullopt, bool validate = true);
  /// Blocks until the background job ends (tests, screenshot mode).
  void waitForIdle();
  /// A map view draws this session: the worker then waits (at most 2 s) after loading until
  /// frameShown() before planning, so the first frame does not share the CPU with the planner.
  void setViewAttached(bool attached) { view_attached_ = attached; }
  /// Called by the map after it drew the loaded data (any thread).
  void frameShown();

  const Dataset* dataset() const { return dataset_.get(); }
  const Plan* plan() const { return editor_ ? &editor_->plan() : nullptr; }
  const Scene* scene() const { return scene_.get(); }
  PlanEditor* editor() { return editor_.get(); }
  /// The scenario the current plan was made with (defaults until one is opened): its grid
  /// parameters, household estimation and evaluation parameters, resolved by the pipeline.
  const pipeline::Scenario& currentScenario() const { return scenario_; }
  PartitionParams& params() { return scenario_.partition; }
  evaluation::EvaluationParams& evaluationParams() { return scenario_.evaluation; }
  /// Grid values by colour key (simulation results and setGridValues).
  const std::map<QString, std::vector<double>>& gridValues() const { return grid_values_; }

 signals:
  void busyChanged();
  void progressChanged();
  void errorChanged();
  void messageChanged();
  void dataChanged();
  void planChanged();
  void sceneChanged();  // geometry or colours of some layer changed
  void colourByChanged();
  void colourKeysChanged();
  void selectionChanged();
  void editsChanged();
  void simulationChanged();
  void opened();   // dataset shown (first frame possible)
  void planned();  // plan ready

 private:
  struct Job;
  void start(std::function<void(Job&)> work);
  void show_progress(const ProgressReport& report);
  /// A duration in the interface's language ("42 秒", "3 分 05 秒").
  static QString duration_text(double seconds);
  /// An engine stage name ("tessellation", "planning grids") in the interface's language.
  static QString stage_text(const std::string& stage);
  /// Resolves the scenario (errors at once through error()), makes it current, then loads,
  /// tessellates and plans (or evaluates the existing plan of) it in the background.
  bool start_scenario(pipeline::Scenario scenario, const QString& title);
  void finish_load(std::shared_ptr<Dataset> dataset, std::shared_ptr<Scene> scene);
  void finish_plan(std::shared_ptr<geo::Tessellation> tess, std::shared_ptr<Plan> plan,
                   bool replace, std::shared_ptr<Scene> plan_layers = nullptr);
  /// On the worker: posts the loaded dataset to the GUI, waits for its first frame (when a view
  /// is attached), then builds the plan's map layers there too and posts the plan.
  void post_loaded(Job& job, std::shared_ptr<Dataset> dataset, std::shared_ptr<Scene> scene);
  void post_planned(const std::shared_ptr<Dataset>& dataset, const std::shared_ptr<Scene>& scene,
                    std::shared_ptr<geo::Tessellation> tess, std::shared_ptr<Plan> plan);
  void fail(const QString& message);
  void set_busy(bool b);
  void set_message(const QString& m);
  void recolour();
  void rebuild_highlight();
  void after_edit(const EditResult& r);
  void plan_modified(bool rebuild_lines = true);
  void finish_simulation(std::shared_ptr<const Plan> plan,
                         std::shared_ptr<const evaluation::Evaluation> evaluation);

  std::shared_ptr<Dataset> dataset_;
  std::shared_ptr<geo::Tessellation> tess_;
  std::unique_ptr<PlanEditor> editor_;
  std::shared_ptr<Scene> scene_;
  pipeline::Scenario scenario_;
  QString scenario_name_;
  std::map<QString, std::vector<double>> grid_values_;
  std::vector<std::int32_t> lasso_;
  std::shared_ptr<const Plan> simulation_plan_;  // the plan the results are for
  std::shared_ptr<const evaluation::Evaluation>
      simulation_;  // its evaluation (saved with the plan)
  QVariantMap simulation_summary_;
  std::vector<char> highlighted_;

  std::thread worker_;
  std::atomic<bool> view_attached_{false};
  std::mutex gate_mutex_;
  std::condition_variable gate_cv_;
  bool frame_shown_ = false;
  std::shared_ptr<Progress> job_progress_;
  std::atomic<double> pending_progress_{0.0};

  bool busy_ = false;
  double progress_ = 0.0;
  QString stage_, error_, message_, title_;
  QString progress_text_;
  QString colour_by_ = QStringLiteral("households");
  QString selected_kind_;
  int selected_index_ = -1;
  double last_edit_ms_ = 0.0;
  GridTableModel* grid_model_ = nullptr;
  QSortFilterProxyModel* grid_proxy_ = nullptr;
  DiagnosticsModel* diagnostics_ = nullptr;
};

}  // namespace gp::studio
