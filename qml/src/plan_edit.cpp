#include "plan_edit.hpp"

#include <QCoreApplication>
#include <initializer_list>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <set>

namespace gp::studio {
namespace {

/// An edit message in the interface language (Chinese by default, see studio.cpp): `text` is
/// marked with QT_TRANSLATE_NOOP("PlanEditor", ...) for lupdate; %1, %2... take `args`.
std::string tr_text(const char* text, std::initializer_list<std::string> args = {}) {
  QString out = QCoreApplication::translate("PlanEditor", text);
  for (const std::string& a : args) out = out.arg(QString::fromStdString(a));
  return out.toStdString();
}

std::size_t at(std::int32_t i) {
  return static_cast<std::size_t>(i);
}

void erase_sorted(std::vector<std::int32_t>& v, std::int32_t x) {
  auto it = std::lower_bound(v.begin(), v.end(), x);
  if (it != v.end() && *it == x) v.erase(it);
}
void insert_sorted(std::vector<std::int32_t>& v, std::int32_t x) {
  auto it = std::lower_bound(v.begin(), v.end(), x);
  if (it == v.end() || *it != x) v.insert(it, x);
}

void fill_polygon_metrics(Grid& grid) {
  grid.metrics.area_m2 = area(grid.polygon);
  grid.metrics.perimeter_m = perimeter(grid.polygon);
  grid.metrics.compactness = polsby_popper(grid.metrics.area_m2, grid.metrics.perimeter_m);
}

}  // namespace

PlanEditor::PlanEditor(const Dataset& dataset, const geo::Tessellation& tessellation,
                       const PartitionParams& params, Plan plan)
    : dataset_(dataset), tess_(tessellation), params_(params), plan_(std::move(plan)) {
  neighbours_.resize(dataset_.buildings.size());
  for (const geo::CellAdjacency& adj : tess_.adjacency) {
    if (adj.a < 0 || adj.b < 0 || at(adj.a) >= neighbours_.size() ||
        at(adj.b) >= neighbours_.size())
      continue;
    neighbours_[at(adj.a)].push_back({adj.b, adj.crossing});
    neighbours_[at(adj.b)].push_back({adj.a, adj.crossing});
  }
}

std::vector<std::int32_t> PlanEditor::compound_group(std::int32_t building) const {
  if (building < 0 || at(building) >= dataset_.buildings.size()) return {};
  const std::int32_t compound = dataset_.buildings[at(building)].compound;
  const std::int32_t micro = plan_.building_micro[at(building)];
  if (compound == kNone || micro == kNone) return {building};
  std::vector<std::int32_t> out;
  for (std::int32_t b : plan_.micro_grids[at(micro)].buildings)
    if (dataset_.buildings[at(b)].compound == compound && plan_.building_micro[at(b)] == micro)
      out.push_back(b);
  return out;
}

std::vector<std::int32_t> PlanEditor::neighbour_grids(
    const std::vector<std::int32_t>& buildings) const {
  std::set<std::int32_t> out;
  for (std::int32_t b : buildings) {
    const std::int32_t own = plan_.building_micro[at(b)];
    for (const Link& l : neighbours_[at(b)]) {
      const std::int32_t m = plan_.building_micro[at(l.to)];
      if (m != kNone && m != own) out.insert(m);
    }
  }
  return {out.begin(), out.end()};
}

bool PlanEditor::connected(const std::vector<std::int32_t>& members, bool soft_only,
                           bool households_only, int* pieces) const {
  // Breadth-first search over the cell adjacency restricted to `members`.
  std::vector<std::int32_t> sorted = members;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  auto member = [&](std::int32_t b) { return std::binary_search(sorted.begin(), sorted.end(), b); };
  std::vector<char> seen(sorted.size(), 0);
  auto slot = [&](std::int32_t b) {
    return static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), b) -
                                    sorted.begin());
  };
  int count = 0;
  std::deque<std::int32_t> queue;
  for (std::size_t s = 0; s < sorted.size(); ++s) {
    if (seen[s]) continue;
    const std::int32_t start = sorted[s];
    if (households_only && dataset_.buildings[at(start)].households <= 0) continue;
    if (tess_.cells.size() > at(start) && tess_.cells[at(start)].empty()) continue;  // no cell
    ++count;
    seen[s] = 1;
    queue.push_back(start);
    while (!queue.empty()) {
      const std::int32_t b = queue.front();
      queue.pop_front();
      for (const Link& l : neighbours_[at(b)]) {
        if (!member(l.to)) continue;
        const bool hard = l.crossing == geo::Crossing::hard;
        const std::int32_t ca = dataset_.buildings[at(b)].compound;
        const bool same_compound = ca != kNone && ca == dataset_.buildings[at(l.to)].compound;
        if (hard && !same_compound) continue;
        (void)soft_only;
        const std::size_t t = slot(l.to);
        if (seen[t]) continue;
        seen[t] = 1;
        queue.push_back(l.to);
      }
    }
  }
  if (pieces) *pieces = count;
  return count <= 1;
}

void PlanEditor::recheck_micro(std::int32_t m) {
  Grid& grid = plan_.micro_grids[at(m)];
  std::vector<std::int32_t> owned;
  for (std::int32_t b : grid.buildings)
    if (plan_.building_micro[at(b)] == m) owned.push_back(b);
  const HouseholdBounds& bounds = params_.micro;
  grid.metrics.buildings = static_cast<int>(grid.buildings.size());
  grid.metrics.below_min = grid.metrics.households < bounds.min;
  grid.metrics.above_max = grid.metrics.households > bounds.max;
  grid.metrics.contiguous = connected(owned, false, false, nullptr);
  int pieces = 0;
  connected(owned, true, true, &pieces);
  grid.metrics.barrier_crossings = std::max(0, pieces - 1);
  std::vector<const MultiPolygon*> cells;
  for (std::int32_t b : owned)
    if (at(b) < tess_.cells.size() && !tess_.cells[at(b)].empty())
      cells.push_back(&tess_.cells[at(b)]);
  grid.polygon = cells.empty() ? MultiPolygon{} : geo::union_cells(cells);
  fill_polygon_metrics(grid);
}

void PlanEditor::recheck_large(std::int32_t g) {
  Grid& grid = plan_.large_grids[at(g)];
  const HouseholdBounds& bounds = params_.large;
  grid.metrics.buildings = static_cast<int>(grid.buildings.size());
  grid.metrics.below_min = grid.metrics.households < bounds.min;
  grid.metrics.above_max = grid.metrics.households > bounds.max;
  grid.metrics.contiguous = connected(grid.buildings, false, false, nullptr);
  int pieces = 0;
  connected(grid.buildings, true, true, &pieces);
  grid.metrics.barrier_crossings = std::max(0, pieces - 1);
  // Compounds of this grid with buildings in another large grid.
  std::map<std::int32_t, bool> split;
  for (std::int32_t b : grid.buildings)
    if (dataset_.buildings[at(b)].compound != kNone) split[dataset_.buildings[at(b)].compound];
  if (!split.empty())
    for (std::size_t b = 0; b < dataset_.buildings.size(); ++b) {
      auto it = split.find(dataset_.buildings[b].compound);
      if (it != split.end() && plan_.building_large[b] != g && plan_.building_large[b] != kNone)
        it->second = true;
    }
  grid.metrics.compound_splits = 0;
  for (const auto& [c, s] : split) grid.metrics.compound_splits += s ? 1 : 0;
  std::vector<const MultiPolygon*> parts;
  for (const Grid& m : plan_.micro_grids)
    if (m.parent == g && !m.polygon.empty()) parts.push_back(&m.polygon);
  grid.polygon = parts.empty() ? MultiPolygon{} : geo::union_cells(parts);
  fill_polygon_metrics(grid);
}

void PlanEditor::resum_plan_metrics() {
  PlanMetrics& pm = plan_.metrics;
  pm.large_grids = static_cast<int>(plan_.large_grids.size());
  pm.micro_grids = static_cast<int>(plan_.micro_grids.size());
  pm.households = 0;
  pm.bound_violations = pm.discontiguous = pm.barrier_crossings = 0;
  double compact = 0.0;
  for (const Grid& g : plan_.large_grids) {
    pm.households += g.metrics.households;
    compact += g.metrics.compactness;
  }
  pm.mean_compactness = pm.large_grids > 0 ? compact / pm.large_grids : 0.0;
  for (const auto* grids : {&plan_.large_grids, &plan_.micro_grids})
    for (const Grid& g : *grids) {
      pm.bound_violations += (g.metrics.below_min || g.metrics.above_max) ? 1 : 0;
      pm.discontiguous += g.metrics.contiguous ? 0 : 1;
      pm.barrier_crossings += g.metrics.barrier_crossings;
    }
  std::map<std::int32_t, std::set<std::int32_t>> grids_of;
  for (std::size_t b = 0; b < dataset_.buildings.size(); ++b)
    if (dataset_.buildings[b].compound != kNone && plan_.building_large[b] != kNone)
      grids_of[dataset_.buildings[b].compound].insert(plan_.building_large[b]);
  pm.compound_splits = 0;
  for (const auto& [c, g] : grids_of) pm.compound_splits += g.size() > 1 ? 1 : 0;
}

EditResult PlanEditor::move_buildings(const std::vector<std::int32_t>& selection,
                                      std::int32_t target) {
  const auto start = std::chrono::steady_clock::now();
  EditResult r;
  if (selection.empty()) {
    r.message = tr_text(QT_TRANSLATE_NOOP("PlanEditor", "nothing selected"));
    return r;
  }
  if (target < 0 || at(target) >= plan_.micro_grids.size()) {
    r.message = tr_text(QT_TRANSLATE_NOOP("PlanEditor", "no micro grid there"));
    return r;
  }
  // Buildings already in the target stay where they are (a lasso may catch some of them).
  std::vector<std::int32_t> buildings;
  for (std::int32_t b : selection) {
    if (b < 0 || at(b) >= dataset_.buildings.size()) {
      r.message = tr_text(QT_TRANSLATE_NOOP("PlanEditor", "no such building"));
      return r;
    }
    if (plan_.building_micro[at(b)] == kNone) {
      r.message = tr_text(QT_TRANSLATE_NOOP("PlanEditor", "the building is in no grid"));
      return r;
    }
    if (plan_.building_micro[at(b)] != target) buildings.push_back(b);
  }
  std::sort(buildings.begin(), buildings.end());
  buildings.erase(std::unique(buildings.begin(), buildings.end()), buildings.end());
  if (buildings.empty()) {
    r.message = tr_text(QT_TRANSLATE_NOOP("PlanEditor", "already in that grid"));
    return r;
  }
  std::vector<std::int32_t> sources;
  for (std::int32_t b : buildings) insert_sorted(sources, plan_.building_micro[at(b)]);
  Grid& to = plan_.micro_grids[at(target)];
  const std::int32_t l1 = to.parent;
  auto locked = [&](const Grid& m) {
    return m.locked || (m.parent != kNone && plan_.large_grids[at(m.parent)].locked);
  };
  if (locked(to)) {
    r.message = tr_text(QT_TRANSLATE_NOOP("PlanEditor", "grid %1 is locked"), {to.code});
    return r;
  }
  for (std::int32_t s : sources) {
    const Grid& from = plan_.micro_grids[at(s)];
    if (locked(from)) {
      r.message = tr_text(QT_TRANSLATE_NOOP("PlanEditor", "grid %1 is locked"), {from.code});
      return r;
    }
    if (from.community != to.community) {
      r.message =
          tr_text(QT_TRANSLATE_NOOP("PlanEditor", "grids never cross a community boundary"));
      return r;
    }
  }
  const auto near = neighbour_grids(buildings);
  if (!std::binary_search(near.begin(), near.end(), target)) {
    r.message = tr_text(
        QT_TRANSLATE_NOOP("PlanEditor", "grid %1 is not a neighbour of the selection"), {to.code});
    return r;
  }
  for (std::int32_t b : buildings)
    for (std::size_t m = 0; m < plan_.micro_grids.size(); ++m)
      if (static_cast<std::int32_t>(m) != plan_.building_micro[at(b)] &&
          std::binary_search(plan_.micro_grids[m].buildings.begin(),
                             plan_.micro_grids[m].buildings.end(), b)) {
        r.message = tr_text(QT_TRANSLATE_NOOP(
            "PlanEditor", "building split by units across micro grids cannot be moved by hand"));
        return r;
      }
  // Large grids whose membership changes: the target's and every other source's parent.
  std::vector<std::int32_t> larges;
  for (std::int32_t s : sources)
    if (plan_.micro_grids[at(s)].parent != l1)
      insert_sorted(larges, plan_.micro_grids[at(s)].parent);
  if (!larges.empty()) insert_sorted(larges, l1);

  Step step;
  std::int32_t compound = dataset_.buildings[at(buildings.front())].compound;
  for (std::int32_t b : buildings)
    if (dataset_.buildings[at(b)].compound != compound) compound = kNone;
  step.label = buildings.size() == 1 ? tr_text(QT_TRANSLATE_NOOP("PlanEditor", "move building"))
               : compound != kNone   ? tr_text(QT_TRANSLATE_NOOP("PlanEditor", "move compound"))
                                     : tr_text(QT_TRANSLATE_NOOP("PlanEditor", "move %1 buildings"),
                                               {std::to_string(buildings.size())});
  step.metrics_before = plan_.metrics;
  for (std::int32_t s : sources)
    step.before.push_back({GridLevel::micro, s, plan_.micro_grids[at(s)]});
  step.before.push_back({GridLevel::micro, target, to});
  for (std::int32_t l : larges)
    step.before.push_back({GridLevel::large, l, plan_.large_grids[at(l)]});
  for (std::int32_t b : buildings)
    step.assign_before.push_back({b, plan_.building_micro[at(b)], plan_.building_large[at(b)]});

  long long hh = 0;
  for (std::int32_t b : buildings) {
    const Building& bd = dataset_.buildings[at(b)];
    const std::int32_t source = plan_.building_micro[at(b)];
    Grid& from = plan_.micro_grids[at(source)];
    const std::int32_t l0 = from.parent;
    const double work = bd.households * bd.workload_weight;
    hh += bd.households;
    erase_sorted(from.buildings, b);
    insert_sorted(to.buildings, b);
    from.metrics.households -= bd.households;
    to.metrics.households += bd.households;
    from.metrics.workload -= work;
    to.metrics.workload += work;
    plan_.building_micro[at(b)] = target;
    if (l0 != l1) {
      Grid& a = plan_.large_grids[at(l0)];
      Grid& c = plan_.large_grids[at(l1)];
      erase_sorted(a.buildings, b);
      insert_sorted(c.buildings, b);
      a.metrics.households -= bd.households;
      c.metrics.households += bd.households;
      a.metrics.workload -= work;
      c.metrics.workload += work;
      plan_.building_large[at(b)] = l1;
    }
  }
  for (std::int32_t s : sources) recheck_micro(s);
  recheck_micro(target);
  r.micro = sources;
  insert_sorted(r.micro, target);
  for (std::int32_t l : larges) recheck_large(l);
  r.large = larges;
  resum_plan_metrics();
  for (const GridCopy& c : step.before)
    step.after.push_back({c.level, c.index,
                          c.level == GridLevel::micro ? plan_.micro_grids[at(c.index)]
                                                      : plan_.large_grids[at(c.index)]});
  for (std::int32_t b : buildings) step.assign_after.push_back({b, target, l1});
  step.metrics_after = plan_.metrics;
  push(std::move(step));
  r.ok = true;
  std::string from_codes;
  for (std::int32_t s : sources)
    from_codes += (from_codes.empty() ? "" : ", ") + plan_.micro_grids[at(s)].code;
  r.message =
      tr_text(QT_TRANSLATE_NOOP("PlanEditor", "%1 building(s), %2 households moved from %3 to %4"),
              {std::to_string(buildings.size()), std::to_string(hh), from_codes, to.code});
  r.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return r;
}

EditResult PlanEditor::set_locked(GridLevel level, std::int32_t grid, bool locked) {
  EditResult r;
  auto& grids = level == GridLevel::micro ? plan_.micro_grids : plan_.large_grids;
  if (grid < 0 || at(grid) >= grids.size()) {
    r.message = tr_text(QT_TRANSLATE_NOOP("PlanEditor", "no such grid"));
    return r;
  }
  if (grids[at(grid)].locked == locked) {
    r.ok = true;
    return r;
  }
  Step step;
  step.label = locked ? tr_text(QT_TRANSLATE_NOOP("PlanEditor", "lock grid"))
                      : tr_text(QT_TRANSLATE_NOOP("PlanEditor", "unlock grid"));
  step.metrics_before = step.metrics_after = plan_.metrics;
  step.before.push_back({level, grid, grids[at(grid)]});
  grids[at(grid)].locked = locked;
  step.after.push_back({level, grid, grids[at(grid)]});
  push(std::move(step));
  r.ok = true;
  (level == GridLevel::micro ? r.micro : r.large).push_back(grid);
  return r;
}

void PlanEditor::replace_plan(Plan plan, std::string label) {
  Step step;
  step.label = std::move(label);
  step.whole = true;
  step.plan_before = plan_;
  step.plan_after = plan;
  plan_ = std::move(plan);
  push(std::move(step));
}

void PlanEditor::push(Step step) {
  steps_.resize(done_);
  steps_.push_back(std::move(step));
  done_ = steps_.size();
}

void PlanEditor::apply(const std::vector<GridCopy>& grids, const std::vector<Assignment>& assign,
                       const PlanMetrics& metrics) {
  for (const GridCopy& c : grids)
    (c.level == GridLevel::micro ? plan_.micro_grids : plan_.large_grids)[at(c.index)] = c.grid;
  for (const Assignment& a : assign) {
    plan_.building_micro[at(a.building)] = a.micro;
    plan_.building_large[at(a.building)] = a.large;
  }
  plan_.metrics = metrics;
}

EditResult PlanEditor::touched(const Step& step, bool) const {
  EditResult r;
  r.ok = true;
  r.message = step.label;
  for (const GridCopy& c : step.before)
    (c.level == GridLevel::micro ? r.micro : r.large).push_back(c.index);
  return r;
}

EditResult PlanEditor::undo() {
  if (!can_undo()) return {};
  const Step& step = steps_[--done_];
  if (step.whole)
    plan_ = step.plan_before;
  else
    apply(step.before, step.assign_before, step.metrics_before);
  return touched(step, false);
}

EditResult PlanEditor::redo() {
  if (!can_redo()) return {};
  const Step& step = steps_[done_++];
  if (step.whole)
    plan_ = step.plan_after;
  else
    apply(step.after, step.assign_after, step.metrics_after);
  return touched(step, true);
}

std::string PlanEditor::undo_label() const {
  return can_undo() ? steps_[done_ - 1].label : "";
}
std::string PlanEditor::redo_label() const {
  return can_redo() ? steps_[done_].label : "";
}

}  // namespace gp::studio
