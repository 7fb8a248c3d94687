// Session: colouring the map (households, workload, large grids, simulation results), the
// legend, the highlight of grids outside their bounds and of the selection.
#include <QColor>
#include <cmath>

#include "models.hpp"
#include "planner/report/style.hpp"
#include "session.hpp"
#include "session_internal.hpp"

namespace gp::studio {

using detail::at;
using detail::q;

namespace {

// Colours from the one map style (report/style.hpp) that the report and the QGIS styles use too.
QRgb to_qrgb(report::style::Rgb c) {
  return qRgb(c.r, c.g, c.b);
}
QRgb ramp(double t) {
  return to_qrgb(report::style::ramp(std::clamp(t, 0.0, 1.0)));
}

const QRgb kPalette[] = {qRgb(0x8d, 0xd3, 0xc7), qRgb(0xff, 0xff, 0xb3), qRgb(0xbe, 0xba, 0xda),
                         qRgb(0xfb, 0x80, 0x72), qRgb(0x80, 0xb1, 0xd3), qRgb(0xfd, 0xb4, 0x62),
                         qRgb(0xb3, 0xde, 0x69), qRgb(0xfc, 0xcd, 0xe5), qRgb(0xbc, 0x80, 0xbd),
                         qRgb(0xcc, 0xeb, 0xc5), qRgb(0xff, 0xed, 0x6f), qRgb(0xd9, 0xd9, 0xd9)};

QRgb with_alpha(QRgb c, int a) {
  return qRgba(qRed(c), qGreen(c), qBlue(c), a);
}

}  // namespace

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
    // The legend classes of the report and the QGIS styles, for the micro grids' bounds.
    const HouseholdBounds& bd = scenario_.partition.micro;
    for (const report::style::ValueClass& k : report::style::household_classes(bd.min, bd.max)) {
      const QRgb c = to_qrgb(k.colour);
      if (!std::isfinite(k.lower))
        entry(c, QStringLiteral("below"), bd.min);
      else if (!std::isfinite(k.upper))
        entry(c, QStringLiteral("above"), bd.max);
      else  // the class holds lower ≤ v < upper households; shown as whole numbers
        entry(c, QStringLiteral("range"), static_cast<int>(std::lround(k.lower)),
              static_cast<int>(std::lround(k.upper)) - 1);
    }
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
        c = with_alpha(to_qrgb(report::style::household_colour(h, bd.min, bd.max)), 190);
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

void Session::finish_simulation(std::shared_ptr<const Plan> plan,
                                std::shared_ptr<const evaluation::Evaluation> evaluation) {
  if (!dataset_ || !editor_) return;
  const evaluation::Evaluation& e = *evaluation;
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

}  // namespace gp::studio
