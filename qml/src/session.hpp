#pragma once
// The studio's controller: opens inputs, runs the engine (io::load → partition::make_plan) on a
// worker thread with progress and cancel, keeps the plan and its edits, selection and colouring,
// and exposes all of it to QML as properties, invokable actions and list models.

#include <QObject>
#include <QPointF>
#include <QRectF>
#include <QStringList>
#include <QUrl>
#include <QVariantMap>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "plan_edit.hpp"
#include "planner/core/dataset.hpp"
#include "planner/core/progress.hpp"
#include "planner/geo/tessellation.hpp"
#include "planner/partition/params.hpp"
#include "planner/partition/plan.hpp"
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
  Q_INVOKABLE bool openUrls(const QList<QUrl>& urls);
  Q_INVOKABLE void cancel();
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
  /// `validate` (as io::load does), then plans in the background unless `plan` is given.
  void setDataset(Dataset dataset, std::optional<Plan> plan = std::nullopt, bool validate = true);
  /// Blocks until the background job ends (tests, screenshot mode).
  void waitForIdle();

  const Dataset* dataset() const { return dataset_.get(); }
  const Plan* plan() const { return editor_ ? &editor_->plan() : nullptr; }
  const Scene* scene() const { return scene_.get(); }
  PlanEditor* editor() { return editor_.get(); }
  PartitionParams& params() { return params_; }

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
  void opened();   // dataset shown (first frame possible)
  void planned();  // plan ready

 private:
  struct Job;
  void start(std::function<void(Job&)> work);
  void finish_load(std::shared_ptr<Dataset> dataset, std::shared_ptr<Scene> scene);
  void finish_plan(std::shared_ptr<geo::Tessellation> tess, std::shared_ptr<Plan> plan,
                   bool replace);
  void fail(const QString& message);
  void set_busy(bool b);
  void set_message(const QString& m);
  void recolour();
  void rebuild_highlight();
  void after_edit(const EditResult& r);
  void plan_modified();

  std::shared_ptr<Dataset> dataset_;
  std::shared_ptr<geo::Tessellation> tess_;
  std::unique_ptr<PlanEditor> editor_;
  std::shared_ptr<Scene> scene_;
  PartitionParams params_;
  std::map<QString, std::vector<double>> grid_values_;
  std::vector<char> highlighted_;

  std::thread worker_;
  std::shared_ptr<Progress> job_progress_;
  std::atomic<double> pending_progress_{0.0};

  bool busy_ = false;
  double progress_ = 0.0;
  QString stage_, error_, message_, title_;
  QString colour_by_ = QStringLiteral("households");
  QString selected_kind_;
  int selected_index_ = -1;
  double last_edit_ms_ = 0.0;
  GridTableModel* grid_model_ = nullptr;
  QSortFilterProxyModel* grid_proxy_ = nullptr;
  DiagnosticsModel* diagnostics_ = nullptr;
};

}  // namespace gp::studio
