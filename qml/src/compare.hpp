#pragma once
// Two scenarios side by side: the buildings whose large or micro grid differs between the left
// and the right plan (matched by building id), highlighted on both maps, and the plan figures
// of both for a table of differences.

#include <QAbstractListModel>
#include <QPointer>
#include <vector>

#include "session.hpp"

namespace gp::studio {

class Session;

class CompareModel : public QAbstractListModel {
  Q_OBJECT
  Q_PROPERTY(gp::studio::Session* left READ left WRITE setLeft NOTIFY sessionsChanged)
  Q_PROPERTY(gp::studio::Session* right READ right WRITE setRight NOTIFY sessionsChanged)
  Q_PROPERTY(int movedBuildings READ movedBuildings NOTIFY compared)
  Q_PROPERTY(qlonglong movedHouseholds READ movedHouseholds NOTIFY compared)
  Q_PROPERTY(QVariantList figures READ figures NOTIFY compared)
 public:
  enum Role {
    BuildingRole = Qt::UserRole + 1,  // index in the left dataset
    IdRole,
    NameRole,
    HouseholdsRole,
    LeftLargeRole,
    RightLargeRole,
    LeftMicroRole,
    RightMicroRole,
  };
  explicit CompareModel(QObject* parent = nullptr);
  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;

  Session* left() const { return left_; }
  Session* right() const { return right_; }
  void setLeft(Session* s);
  void setRight(Session* s);
  int movedBuildings() const { return static_cast<int>(rows_.size()); }
  qlonglong movedHouseholds() const { return moved_households_; }
  /// [{key, left, right}] for the plan figures (grids, violations, compactness, ...).
  QVariantList figures() const;
  Q_INVOKABLE void refresh();
  /// World box of the moved buildings (left plan), null when none moved.
  Q_INVOKABLE QRectF movedBox() const;

 signals:
  void sessionsChanged();
  void compared();

 private:
  struct Row {
    int left_building, right_building;
  };
  void watch(Session* s);
  QPointer<Session> left_, right_;
  std::vector<Row> rows_;
  qlonglong moved_households_ = 0;
};

}  // namespace gp::studio
