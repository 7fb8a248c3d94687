#pragma once
// List models for QML: the grid table (large and micro grids with their figures, sortable and
// filterable through GridTableProxy), the diagnostics list (input and planning problems, each
// resolved to the feature it names so the map can zoom to it) and the layer list of the layer
// panel and legend.

#include <QAbstractListModel>
#include <QSortFilterProxyModel>
#include <vector>

#include "planner/core/diagnostics.hpp"

namespace gp {
struct Plan;
struct Dataset;
}  // namespace gp

namespace gp::studio {

class GridTableModel : public QAbstractListModel {
  Q_OBJECT
 public:
  enum Role {
    LevelRole = Qt::UserRole + 1,  // "large" / "micro"
    IndexRole,                     // index into Plan::large_grids / micro_grids
    CodeRole,
    NameRole,
    ParentCodeRole,
    HouseholdsRole,
    BuildingsRole,
    WorkloadRole,
    AreaRole,  // km²
    CompactnessRole,
    LockedRole,
    ViolationRole,  // "" when within every rule, else a short key: below, above, split, barrier
  };
  Q_ENUM(Role)
  explicit GridTableModel(QObject* parent = nullptr) : QAbstractListModel(parent) {}
  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;

  /// Takes a new plan (resets) or refreshes rows of the same plan (same grid counts).
  void setPlan(const Plan* plan);
  /// Row of a grid, or -1.
  int rowOf(bool micro, int index) const;

 private:
  const Plan* plan_ = nullptr;
  int large_ = 0, micro_ = 0;
};

class GridTableProxy : public QSortFilterProxyModel {
  Q_OBJECT
  Q_PROPERTY(QString levelFilter READ levelFilter WRITE setLevelFilter NOTIFY levelFilterChanged)
  Q_PROPERTY(QString sortKey READ sortKey NOTIFY sortChanged)
  Q_PROPERTY(bool ascending READ ascending NOTIFY sortChanged)
 public:
  explicit GridTableProxy(QObject* parent = nullptr);
  QString levelFilter() const { return level_; }
  void setLevelFilter(const QString& level);
  QString sortKey() const { return sort_key_; }
  bool ascending() const { return ascending_; }
  /// Sorts by a role name ("households", "code", ...); the same key again flips the order.
  Q_INVOKABLE void sortByKey(const QString& key);
  Q_INVOKABLE int proxyRowOf(const QString& level, int index) const;
  Q_INVOKABLE QVariantMap rowAt(int proxyRow) const;

 signals:
  void levelFilterChanged();
  void sortChanged();

 protected:
  bool filterAcceptsRow(int row, const QModelIndex& parent) const override;

 private:
  QString level_ = QStringLiteral("micro");
  QString sort_key_ = QStringLiteral("code");
  bool ascending_ = true;
};

class DiagnosticsModel : public QAbstractListModel {
  Q_OBJECT
 public:
  enum Role {
    SeverityRole = Qt::UserRole + 1,  // "info" / "warning" / "error"
    KindRole,
    MessageRole,
    WhereRole,        // file:layer:fid
    FeatureKindRole,  // "building", "compound", "community", "station", "" when unresolved
    FeatureIndexRole,
  };
  Q_ENUM(Role)
  explicit DiagnosticsModel(QObject* parent = nullptr) : QAbstractListModel(parent) {}
  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;

  struct Row {
    Problem problem;
    QString feature_kind;
    int feature_index = -1;
  };
  /// Problems from the dataset and the plan, with features resolved by file/layer/fid.
  void setProblems(const Dataset* dataset, const Plan* plan);
  const std::vector<Row>& rows() const { return rows_; }
  Q_INVOKABLE QVariantMap rowAt(int row) const;

 private:
  std::vector<Row> rows_;
};

}  // namespace gp::studio
