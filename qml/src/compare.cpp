#include "compare.hpp"

#include <unordered_map>

#include "session.hpp"

namespace gp::studio {
namespace {
std::size_t at(int i) {
  return static_cast<std::size_t>(i);
}
}  // namespace

CompareModel::CompareModel(QObject* parent) : QAbstractListModel(parent) {}

int CompareModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QVariant CompareModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount() || !left_ || !right_) return {};
  const Plan* lp = left_->plan();
  const Plan* rp = right_->plan();
  if (!lp || !rp) return {};
  const Row& r = rows_[at(index.row())];
  const Building& b = left_->dataset()->buildings[at(r.left_building)];
  auto code = [](const std::vector<Grid>& grids, std::int32_t g) {
    return g >= 0 ? QString::fromStdString(grids[static_cast<std::size_t>(g)].code) : QString();
  };
  switch (role) {
    case BuildingRole:
      return r.left_building;
    case IdRole:
      return static_cast<qlonglong>(b.id);
    case Qt::DisplayRole:
    case NameRole:
      return QString::fromStdString(b.name);
    case HouseholdsRole:
      return b.households;
    case LeftLargeRole:
      return code(lp->large_grids, lp->building_large[at(r.left_building)]);
    case RightLargeRole:
      return code(rp->large_grids, rp->building_large[at(r.right_building)]);
    case LeftMicroRole:
      return code(lp->micro_grids, lp->building_micro[at(r.left_building)]);
    case RightMicroRole:
      return code(rp->micro_grids, rp->building_micro[at(r.right_building)]);
    default:
      return {};
  }
}

QHash<int, QByteArray> CompareModel::roleNames() const {
  return {{BuildingRole, "building"},   {IdRole, "buildingId"},
          {NameRole, "name"},           {HouseholdsRole, "households"},
          {LeftLargeRole, "leftLarge"}, {RightLargeRole, "rightLarge"},
          {LeftMicroRole, "leftMicro"}, {RightMicroRole, "rightMicro"}};
}

void CompareModel::watch(Session* s) {
  if (s) connect(s, &Session::planChanged, this, &CompareModel::refresh);
}

void CompareModel::setLeft(Session* s) {
  if (s == left_) return;
  if (left_) disconnect(left_, nullptr, this, nullptr);
  left_ = s;
  watch(s);
  emit sessionsChanged();
  refresh();
}

void CompareModel::setRight(Session* s) {
  if (s == right_) return;
  if (right_) disconnect(right_, nullptr, this, nullptr);
  right_ = s;
  watch(s);
  emit sessionsChanged();
  refresh();
}

void CompareModel::refresh() {
  beginResetModel();
  rows_.clear();
  moved_households_ = 0;
  const Plan* lp = left_ ? left_->plan() : nullptr;
  const Plan* rp = right_ ? right_->plan() : nullptr;
  std::vector<char> left_flags, right_flags;
  if (lp && rp) {
    const auto& lb = left_->dataset()->buildings;
    const auto& rb = right_->dataset()->buildings;
    std::unordered_map<std::int64_t, int> right_of;
    for (std::size_t i = 0; i < rb.size(); ++i) right_of.emplace(rb[i].id, static_cast<int>(i));
    left_flags.assign(lb.size(), 0);
    right_flags.assign(rb.size(), 0);
    // A building moved when the set of buildings sharing its grid changed: compare by the
    // code of its large and micro grid (codes are positional, so both plans number alike).
    for (std::size_t i = 0; i < lb.size(); ++i) {
      auto it = right_of.find(lb[i].id);
      if (it == right_of.end()) continue;
      const std::int32_t l_large = lp->building_large[i],
                         r_large = rp->building_large[at(it->second)];
      const std::int32_t l_micro = lp->building_micro[i],
                         r_micro = rp->building_micro[at(it->second)];
      auto code = [](const std::vector<Grid>& g, std::int32_t k) {
        return k >= 0 ? g[static_cast<std::size_t>(k)].code : std::string();
      };
      if (code(lp->large_grids, l_large) == code(rp->large_grids, r_large) &&
          code(lp->micro_grids, l_micro) == code(rp->micro_grids, r_micro))
        continue;
      rows_.push_back({static_cast<int>(i), it->second});
      moved_households_ += lb[i].households;
      left_flags[i] = 1;
      right_flags[at(it->second)] = 1;
    }
  }
  endResetModel();
  if (left_ && left_->hasData()) left_->setHighlightedBuildings(std::move(left_flags));
  if (right_ && right_->hasData()) right_->setHighlightedBuildings(std::move(right_flags));
  emit compared();
}

QRectF CompareModel::movedBox() const {
  QRectF box;
  if (!left_) return box;
  for (const Row& r : rows_) {
    const QRectF b = left_->featureBox(QStringLiteral("building"), r.left_building);
    if (!b.isNull()) box = box.isNull() ? b : box.united(b);
  }
  return box;
}

QVariantList CompareModel::figures() const {
  QVariantList out;
  const QVariantMap a = left_ ? left_->summary() : QVariantMap{};
  const QVariantMap b = right_ ? right_->summary() : QVariantMap{};
  for (const char* key :
       {"buildings", "households", "largeGrids", "microGrids", "boundViolations", "discontiguous",
        "barrierCrossings", "compoundSplits", "meanCompactness"}) {
    QVariantMap m;
    m[QStringLiteral("key")] = QString::fromLatin1(key);
    m[QStringLiteral("left")] = a.value(QString::fromLatin1(key));
    m[QStringLiteral("right")] = b.value(QString::fromLatin1(key));
    out << m;
  }
  return out;
}

}  // namespace gp::studio
