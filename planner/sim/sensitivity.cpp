#include "planner/sim/sensitivity.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string_view>

#include "planner/core/errors.hpp"

namespace gp::sim {

namespace {

std::string fmt(double value, int decimals) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(decimals);
  out << value;
  return out.str();
}

double need_fte(const std::vector<GridWorkloadInput>& inputs, const WorkloadParams& workload) {
  double total = 0.0;
  for (const GridWorkloadInput& input : inputs)
    total += estimate_workload(input, workload).full_time_equivalents;
  return total;
}

/// The model with the patrol figures of `workload` (route and stops depend on it).
SimModel with_patrol(SimModel model, const std::vector<GridWorkloadInput>& inputs,
                     const WorkloadParams& workload) {
  for (std::size_t g = 0; g < model.grids.size() && g < inputs.size(); ++g) {
    model.grids[g].patrol_route_m = patrol_route_m(inputs[g], workload);
    model.grids[g].patrol_stop_minutes = patrol_stop_minutes(inputs[g], workload);
  }
  return model;
}

struct Outcome {
  double p90 = NAN;
  double max_utilisation = 0.0;
};

Outcome run(const SimModel& model, const WorkloadParams& workload, const SimulationParams& sim,
            Progress* progress = nullptr) {
  const SimResult result = simulate(model, workload, sim, progress);
  Outcome outcome;
  outcome.p90 = result.total.response_p90_h.mean;
  for (const GroupResult& grid : result.grids)
    if (std::isfinite(grid.utilisation.mean))
      outcome.max_utilisation = std::max(outcome.max_utilisation, grid.utilisation.mean);
  return outcome;
}

}  // namespace

std::vector<WorkloadKnob> workload_knobs(const WorkloadParams& params) {
  std::vector<WorkloadKnob> knobs;
  for (std::size_t c = 0; c < params.categories.size(); ++c) {
    const std::string name = to_string(params.categories[c].category);
    const std::string chinese = chinese_name(params.categories[c].category);
    knobs.push_back({"events." + name + ".per_household_per_year", chinese + " 事件率 rate",
                     [c](WorkloadParams& w) -> double& {
                       return w.categories[c].events_per_household_per_year;
                     }});
    knobs.push_back(
        {"events." + name + ".handling_minutes", chinese + " 处理时长 minutes",
         [c](WorkloadParams& w) -> double& { return w.categories[c].handling_minutes; }});
  }
  for (std::size_t r = 0; r < params.routine.size(); ++r) {
    const RoutineComponent& component = params.routine[r];
    knobs.push_back({"workload." + component.key + ".per_unit_per_year",
                     component.chinese + " 频次 rate",
                     [r](WorkloadParams& w) -> double& { return w.routine[r].per_unit_per_year; }});
    knobs.push_back({"workload." + component.key + ".minutes", component.chinese + " 时长 minutes",
                     [r](WorkloadParams& w) -> double& { return w.routine[r].minutes; }});
  }
  knobs.push_back({"workers.patrols_per_year", "巡查次数 patrol rounds",
                   [](WorkloadParams& w) -> double& { return w.patrols_per_year; }});
  knobs.push_back({"workers.patrol_minutes_per_building", "巡查每栋时长 patrol min/building",
                   [](WorkloadParams& w) -> double& { return w.patrol_minutes_per_building; }});
  knobs.push_back({"workers.patrol_minutes_per_floor", "巡查每层时长 patrol min/floor",
                   [](WorkloadParams& w) -> double& { return w.patrol_minutes_per_floor; }});
  knobs.push_back({"workers.meeting_hours_per_week", "例会 meetings h/week",
                   [](WorkloadParams& w) -> double& { return w.meeting_hours_per_week; }});
  knobs.push_back({"workers.ledger_hours_per_week", "台账报表 ledgers h/week",
                   [](WorkloadParams& w) -> double& { return w.ledger_hours_per_week; }});
  knobs.push_back({"workers.training_hours_per_year", "培训 training h/year",
                   [](WorkloadParams& w) -> double& { return w.training_hours_per_year; }});
  knobs.push_back({"workers.grid_chief_hours_per_year", "网格长督导 grid chief h/year",
                   [](WorkloadParams& w) -> double& { return w.grid_chief_hours_per_year; }});
  knobs.push_back({"workers.walking_speed_kmh", "步行速度 walking speed",
                   [](WorkloadParams& w) -> double& { return w.walking_speed_kmh; }});
  knobs.push_back({"workers.detour_factor", "绕行系数 detour factor",
                   [](WorkloadParams& w) -> double& { return w.detour_factor; }});
  return knobs;
}

SensitivityResult analyse_sensitivity(const std::vector<GridWorkloadInput>& inputs,
                                      const SimModel& model, const WorkloadParams& workload,
                                      const SimulationParams& simulation,
                                      const StaffingTarget& target, int full_time_total,
                                      int part_time_total, const SensitivityParams& params,
                                      Progress* progress) {
  if (inputs.size() != model.grids.size())
    throw ConfigError("sim sensitivity: " + std::to_string(inputs.size()) + " grid inputs for " +
                      std::to_string(model.grids.size()) + " model grids");
  SensitivityResult result;
  result.need_fte = need_fte(inputs, workload);
  const std::vector<WorkloadKnob> knobs = workload_knobs(workload);
  for (const WorkloadKnob& knob : knobs) {
    SensitivityRow row;
    row.key = knob.key;
    row.label = knob.label;
    WorkloadParams low = workload, high = workload;
    knob.value(low) *= 1.0 - params.step;
    knob.value(high) *= 1.0 + params.step;
    row.need_low = need_fte(inputs, low);
    row.need_high = need_fte(inputs, high);
    result.rows.push_back(row);
  }
  std::stable_sort(result.rows.begin(), result.rows.end(),
                   [](const SensitivityRow& a, const SensitivityRow& b) {
                     return std::abs(a.need_high - a.need_low) > std::abs(b.need_high - b.need_low);
                   });
  if (model.grids.empty()) return result;

  // Only the p90 response needs the event simulation: the staffing-need swing above is the
  // analytic workload model (need_fte), so each simulated row costs two simulations (−/+ step)
  // and the bisection one per probe; the rest of the rows are never simulated.
  SimulationParams sim = simulation;
  sim.replications = std::max(2, params.replications);
  // Steps: the base, two per simulated row, then the staffing bisection: its two ends and one
  // probe per halving of the range searched (below), so the fraction reaches 1 when the analysis
  // ends (a fixed 12 left the run's estimate too high at the end on the demo town).
  const int grid_total = static_cast<int>(model.grids.size());
  const int given_total = full_time_total + part_time_total;
  const int range = std::max(4 * std::max(given_total, grid_total),
                             4 * static_cast<int>(std::ceil(result.need_fte))) -
                    grid_total;
  const int halvings = range > 1 ? static_cast<int>(std::ceil(std::log2(range))) : 0;
  const int total_steps =
      static_cast<int>(std::min(result.rows.size(),
                                static_cast<std::size_t>(std::max(params.simulated_rows, 0)))) *
          2 +
      1 + 2 + halvings;
  int step = 0;
  auto tick = [&] {
    if (progress)
      progress->update("sensitivity", std::min(1.0, static_cast<double>(++step) / total_steps));
  };
  // Each simulation reports its own jobs (des.cpp: at most every 0.1 s), passed on as the
  // fraction of the current step, so the display moves within a step (a step is one whole
  // simulation: tens of seconds on a 100k-building town) and cancellation is honoured there.
  // The inner runs read the caller's clock: their reports are throttled by it (WorkCounter).
  Progress within(
      [&](const ProgressReport& r) {
        if (progress)
          progress->update("sensitivity", std::min(1.0, (static_cast<double>(step) +
                                                         std::clamp(r.fraction, 0.0, 1.0)) /
                                                            total_steps));
      },
      [progress] { return progress ? progress->now() : 0.0; });
  Progress* inner = progress ? &within : nullptr;
  if (progress) progress->update("sensitivity", 0.0);  // the stage begins with its first run
  auto run = [&](const SimModel& m, const WorkloadParams& w, const SimulationParams& p) {
    return ::gp::sim::run(m, w, p, inner);
  };
  result.p90_h = run(model, workload, sim).p90;
  tick();
  const std::size_t simulated =
      std::min(result.rows.size(), static_cast<std::size_t>(std::max(params.simulated_rows, 0)));
  for (std::size_t i = 0; i < simulated; ++i) {
    SensitivityRow& row = result.rows[i];
    const auto knob = std::find_if(knobs.begin(), knobs.end(),
                                   [&](const WorkloadKnob& k) { return k.key == row.key; });
    WorkloadParams low = workload, high = workload;
    knob->value(low) *= 1.0 - params.step;
    knob->value(high) *= 1.0 + params.step;
    row.p90_low = run(with_patrol(model, inputs, low), low, sim).p90;
    tick();
    row.p90_high = run(with_patrol(model, inputs, high), high, sim).p90;
    tick();
  }

  // The worker total that meets the targets: bisection over totals, allocated by workload in the
  // given full-time/part-time proportion (at least one full-time worker per grid).
  std::vector<WorkloadEstimate> estimates;
  for (const GridWorkloadInput& input : inputs)
    estimates.push_back(estimate_workload(input, workload));
  const int grids = static_cast<int>(model.grids.size());
  const int given = full_time_total + part_time_total;
  const double full_share =
      given > 0 ? static_cast<double>(full_time_total) / static_cast<double>(given) : 1.0;
  auto staffed = [&](int total) {
    int full = std::max(grids, static_cast<int>(std::lround(total * full_share)));
    full = std::min(full, total);
    const WorkerAllocation allocation = allocate_workers(estimates, full, total - full);
    SimModel variant = model;
    for (std::size_t g = 0; g < variant.grids.size(); ++g) {
      variant.grids[g].full_time = allocation.full_time[g];
      variant.grids[g].part_time = allocation.part_time[g];
    }
    return run(variant, workload, sim);
  };
  auto meets = [&](const Outcome& o) {
    return std::isfinite(o.p90) && o.p90 < target.p90_response_hours &&
           o.max_utilisation < target.max_utilisation;
  };
  int low = grids;
  int high = std::max(4 * std::max(given, grids), 4 * static_cast<int>(std::ceil(result.need_fte)));
  Outcome at_high = staffed(high);
  tick();
  if (!meets(at_high)) return result;
  Outcome best = at_high;
  Outcome at_low = staffed(low);
  tick();
  if (meets(at_low)) {
    high = low;
    best = at_low;
  }
  while (high - low > 1 && step < total_steps + 20) {
    const int middle = low + (high - low) / 2;
    const Outcome o = staffed(middle);
    tick();
    if (meets(o)) {
      high = middle;
      best = o;
    } else {
      low = middle;
    }
  }
  result.workers_meeting_target = high;
  result.p90_at_target_h = best.p90;
  result.max_utilisation_at_target = best.max_utilisation;
  return result;
}

StaffingVerdict staffing_verdict(const std::vector<WorkloadEstimate>& estimates,
                                 const WorkloadParams& workload, int full_time_total,
                                 int part_time_total) {
  StaffingVerdict verdict;
  if (estimates.empty()) return verdict;
  const double awt = workload.full_time.available_hours_per_year();
  for (const WorkloadEstimate& e : estimates) verdict.need_fte += e.full_time_equivalents;
  if (full_time_total == 0 && part_time_total == 0) {
    verdict.level = "by_need";
    verdict.chinese =
        "各网格按模型测算的需求配备专职网格员 (共 " + fmt(verdict.need_fte, 1) + " 个全职当量)。";
    verdict.english = "Each grid is staffed by its modelled need (" + fmt(verdict.need_fte, 1) +
                      " full-time equivalents in all).";
    return verdict;
  }
  verdict.given_fte =
      (full_time_total * awt + part_time_total * workload.part_time.available_hours_per_year()) /
      awt;
  verdict.ratio = verdict.need_fte > 0.0 ? verdict.given_fte / verdict.need_fte : INFINITY;
  const std::vector<ComponentHours> parts = breakdown(estimates, workload);
  double total = 0.0;
  for (const ComponentHours& p : parts) total += p.hours;
  std::string top_zh, top_en;
  for (std::size_t i = 0; i < parts.size() && i < 3; ++i) {
    const std::string share = fmt(total > 0 ? 100.0 * parts[i].hours / total : 0.0, 0) + " %";
    top_zh += (i ? "、" : "") + parts[i].chinese + " " + share;
    top_en += (i ? ", " : "") + parts[i].english + " " + share;
  }
  const std::string given = std::to_string(full_time_total) + " 名专职 + " +
                            std::to_string(part_time_total) + " 名兼职 (≈ " +
                            fmt(verdict.given_fte, 0) + " 全职当量)";
  const std::string given_en = std::to_string(full_time_total) + " full-time + " +
                               std::to_string(part_time_total) + " part-time workers (≈ " +
                               fmt(verdict.given_fte, 0) + " full-time equivalents)";
  const std::string need = fmt(verdict.need_fte, 0);
  const std::string ratio = fmt(verdict.ratio, 1);
  if (verdict.ratio >= 1.5) {
    verdict.level = "far_above";
    verdict.chinese =
        given + " 是模型测算需求 (" + need + " 全职当量) 的 " + ratio + " 倍。需求主要来自：" +
        top_zh +
        "。若实际并不清闲，说明网格承担了模型未计入的工作：请用本地数据调整 "
        "[workload] 与 [events] 参数或用 gridplan calibrate 从工单记录拟合；否则人员可调剂。";
    verdict.english = "The " + given_en + " are " + ratio + "× the modelled need of " + need +
                      " FTE. The need is dominated by " + top_en +
                      ". If the workers are not idle, the grids carry work the model leaves out: "
                      "set [workload] and [events] to local figures (`gridplan calibrate` fits "
                      "them to work-order records); otherwise staff could be moved.";
  } else if (verdict.ratio >= 1.15) {
    verdict.level = "above";
    verdict.chinese = given + " 高于模型测算需求 (" + need + " 全职当量)，为其 " + ratio +
                      " 倍；需求主要来自：" + top_zh + "。";
    verdict.english = "The " + given_en + " are above the modelled need of " + need + " FTE (" +
                      ratio + "×); the need is dominated by " + top_en + ".";
  } else if (verdict.ratio >= 0.85) {
    verdict.level = "in_line";
    verdict.chinese =
        given + " 与模型测算需求 (" + need + " 全职当量) 相当；需求主要来自：" + top_zh + "。";
    verdict.english = "The " + given_en + " are in line with the modelled need of " + need +
                      " FTE; the need is dominated by " + top_en + ".";
  } else {
    verdict.level = verdict.ratio >= 0.67 ? "below" : "far_below";
    verdict.chinese = given + " 低于模型测算需求 (" + need + " 全职当量)，仅为其 " + ratio +
                      " 倍：事务会积压、响应变慢。需求主要来自：" + top_zh + "。";
    verdict.english = "The " + given_en + " are below the modelled need of " + need + " FTE (" +
                      ratio +
                      "×): work will back up and responses slow down. The need is "
                      "dominated by " +
                      top_en + ".";
  }
  return verdict;
}

}  // namespace gp::sim
