// Session: selection (map click, table, feature boxes), the lasso, and the edits (moves, locks,
// undo and redo) through the PlanEditor.
#include <QElapsedTimer>
#include <cmath>

#include "models.hpp"
#include "planner/core/point_in_polygon.hpp"
#include "session.hpp"
#include "session_internal.hpp"

namespace gp::studio {

using detail::at;
using detail::q;

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
  // The project's one point-in-polygon rule (planner/core/point_in_polygon.hpp).
  Ring ring;
  Box box;
  for (const QVariant& v : worldPolygon) {
    const QPointF q = v.toPointF();
    ring.push_back(Point{q.x(), q.y()});
    box.expand(ring.back());
  }
  std::vector<char> in(dataset_->buildings.size(), 0);
  for (std::size_t b = 0; b < dataset_->buildings.size(); ++b) {
    const Point c = centroid(dataset_->buildings[b].footprint);
    const bool in_box =
        c.x >= box.min_x && c.x <= box.max_x && c.y >= box.min_y && c.y <= box.max_y;
    if (in_box && point_in_ring(ring, c)) in[b] = 1;
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

}  // namespace gp::studio
