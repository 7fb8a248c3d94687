#include "models.hpp"

#include <map>
#include <tuple>

#include "planner/core/dataset.hpp"
#include "planner/partition/plan.hpp"

namespace gp::studio {
namespace {

QString violation(const Grid& g) {
  if (g.metrics.below_min) return QStringLiteral("below");
  if (g.metrics.above_max) return QStringLiteral("above");
  if (!g.metrics.contiguous) return QStringLiteral("split");
  if (g.metrics.barrier_crossings > 0) return QStringLiteral("barrier");
  return {};
}

}  // namespace

int GridTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : large_ + micro_;
}

QVariant GridTableModel::data(const QModelIndex& index, int role) const {
  if (!plan_ || !index.isValid() || index.row() >= large_ + micro_) return {};
  const bool micro = index.row() >= large_;
  const int i = micro ? index.row() - large_ : index.row();
  const Grid& g = micro ? plan_->micro_grids[static_cast<std::size_t>(i)]
                        : plan_->large_grids[static_cast<std::size_t>(i)];
  switch (role) {
    case Qt::DisplayRole:
    case CodeRole:
      return QString::fromStdString(g.code);
    case LevelRole:
      return micro ? QStringLiteral("micro") : QStringLiteral("large");
    case IndexRole:
      return i;
    case NameRole:
      return QString::fromStdString(g.name);
    case ParentCodeRole:
      return micro && g.parent >= 0
                 ? QString::fromStdString(
                       plan_->large_grids[static_cast<std::size_t>(g.parent)].code)
                 : QString();
    case HouseholdsRole:
      return g.metrics.households;
    case BuildingsRole:
      return g.metrics.buildings;
    case WorkloadRole:
      return g.metrics.workload;
    case AreaRole:
      return g.metrics.area_m2 / 1e6;
    case CompactnessRole:
      return g.metrics.compactness;
    case LockedRole:
      return g.locked;
    case ViolationRole:
      return violation(g);
    default:
      return {};
  }
}

QHash<int, QByteArray> GridTableModel::roleNames() const {
  return {{LevelRole, "level"},
          {IndexRole, "gridIndex"},
          {CodeRole, "code"},
          {NameRole, "name"},
          {ParentCodeRole, "parentCode"},
          {HouseholdsRole, "households"},
          {BuildingsRole, "buildings"},
          {WorkloadRole, "workload"},
          {AreaRole, "areaKm2"},
          {CompactnessRole, "compactness"},
          {LockedRole, "locked"},
          {ViolationRole, "violation"}};
}

void GridTableModel::setPlan(const Plan* plan) {
  const int large = plan ? static_cast<int>(plan->large_grids.size()) : 0;
  const int micro = plan ? static_cast<int>(plan->micro_grids.size()) : 0;
  if (plan == plan_ && large == large_ && micro == micro_) {
    if (large + micro > 0) emit dataChanged(index(0), index(large + micro - 1));
    return;
  }
  beginResetModel();
  plan_ = plan;
  large_ = large;
  micro_ = micro;
  endResetModel();
}

int GridTableModel::rowOf(bool micro, int i) const {
  if (i < 0) return -1;
  if (micro) return i < micro_ ? large_ + i : -1;
  return i < large_ ? i : -1;
}

GridTableProxy::GridTableProxy(QObject* parent) : QSortFilterProxyModel(parent) {
  setDynamicSortFilter(true);
  setSortRole(GridTableModel::CodeRole);
  sort(0, Qt::AscendingOrder);
}

void GridTableProxy::setLevelFilter(const QString& level) {
  if (level == level_) return;
  level_ = level;
  invalidateFilter();
  emit levelFilterChanged();
}

void GridTableProxy::sortByKey(const QString& key) {
  const QHash<int, QByteArray> roles =
      sourceModel() ? sourceModel()->roleNames() : QHash<int, QByteArray>{};
  const int role = roles.key(key.toUtf8(), -1);
  if (role < 0) return;
  ascending_ = key == sort_key_ ? !ascending_ : true;
  sort_key_ = key;
  setSortRole(role);
  sort(0, ascending_ ? Qt::AscendingOrder : Qt::DescendingOrder);
  emit sortChanged();
}

int GridTableProxy::proxyRowOf(const QString& level, int index) const {
  auto* model = qobject_cast<GridTableModel*>(sourceModel());
  if (!model) return -1;
  const int row = model->rowOf(level == QLatin1String("micro"), index);
  if (row < 0) return -1;
  return mapFromSource(model->index(row)).row();
}

QVariantMap GridTableProxy::rowAt(int proxyRow) const {
  QVariantMap out;
  const QModelIndex i = index(proxyRow, 0);
  if (!i.isValid()) return out;
  const auto roles = roleNames();
  for (auto it = roles.begin(); it != roles.end(); ++it)
    out.insert(QString::fromUtf8(it.value()), data(i, it.key()));
  return out;
}

bool GridTableProxy::filterAcceptsRow(int row, const QModelIndex& parent) const {
  if (level_.isEmpty() || level_ == QLatin1String("all")) return true;
  const QModelIndex i = sourceModel()->index(row, 0, parent);
  return sourceModel()->data(i, GridTableModel::LevelRole).toString() == level_;
}

int DiagnosticsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QVariant DiagnosticsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= static_cast<int>(rows_.size())) return {};
  const Row& r = rows_[static_cast<std::size_t>(index.row())];
  switch (role) {
    case SeverityRole:
      return QString::fromLatin1(to_string(r.problem.severity));
    case KindRole:
      return QString::fromStdString(r.problem.kind);
    case Qt::DisplayRole:
    case MessageRole:
      return QString::fromStdString(r.problem.message);
    case WhereRole: {
      Problem where_only = r.problem;
      where_only.message.clear();
      QString s = QString::fromStdString(to_string(where_only));
      while (s.endsWith(QLatin1Char(' ')) || s.endsWith(QLatin1Char(':'))) s.chop(1);
      return s;
    }
    case FeatureKindRole:
      return r.feature_kind;
    case FeatureIndexRole:
      return r.feature_index;
    default:
      return {};
  }
}

QHash<int, QByteArray> DiagnosticsModel::roleNames() const {
  return {{SeverityRole, "severity"},       {KindRole, "kind"},
          {MessageRole, "message"},         {WhereRole, "where"},
          {FeatureKindRole, "featureKind"}, {FeatureIndexRole, "featureIndex"}};
}

void DiagnosticsModel::setProblems(const Dataset* dataset, const Plan* plan) {
  beginResetModel();
  rows_.clear();
  using Key = std::tuple<std::string, std::string, std::int64_t>;
  std::map<Key, std::pair<QString, int>> features;
  if (dataset) {
    auto add = [&](const Location& l, const char* kind, std::size_t i) {
      if (l.fid)
        features.emplace(Key{l.file, l.layer, *l.fid},
                         std::pair{QString::fromLatin1(kind), static_cast<int>(i)});
    };
    for (std::size_t i = 0; i < dataset->buildings.size(); ++i)
      add(dataset->buildings[i].source, "building", i);
    for (std::size_t i = 0; i < dataset->compounds.size(); ++i)
      add(dataset->compounds[i].source, "compound", i);
    for (std::size_t i = 0; i < dataset->communities.size(); ++i)
      add(dataset->communities[i].source, "community", i);
    for (std::size_t i = 0; i < dataset->stations.size(); ++i)
      add(dataset->stations[i].source, "station", i);
  }
  auto push = [&](const Problem& p) {
    Row r{p, {}, -1};
    if (p.where.fid) {
      auto it = features.find(Key{p.where.file, p.where.layer, *p.where.fid});
      if (it != features.end()) {
        r.feature_kind = it->second.first;
        r.feature_index = it->second.second;
      }
    }
    rows_.push_back(std::move(r));
  };
  if (dataset)
    for (const Problem& p : dataset->problems.problems()) push(p);
  if (plan)
    for (const Problem& p : plan->problems.problems()) push(p);
  // Errors first, then warnings, then infos; stable within a severity.
  std::stable_sort(rows_.begin(), rows_.end(), [](const Row& a, const Row& b) {
    return static_cast<int>(a.problem.severity) > static_cast<int>(b.problem.severity);
  });
  endResetModel();
}

QVariantMap DiagnosticsModel::rowAt(int row) const {
  QVariantMap out;
  const QModelIndex i = index(row);
  if (!i.isValid()) return out;
  const auto roles = roleNames();
  for (auto it = roles.begin(); it != roles.end(); ++it)
    out.insert(QString::fromUtf8(it.value()), data(i, it.key()));
  return out;
}

}  // namespace gp::studio
