#pragma once
// Which assumptions move the answer. Each workload parameter is moved by ±25 % (one at a time,
// the others at their values) and two figures recomputed: the analytic staffing need (WISN FTE,
// every parameter) and the simulated town p90 response at the staffing given (the parameters
// that move the need most, by default the top 8, with common random numbers so that the
// differences are the parameters' and not the generators'). Also: the smallest worker total,
// allocated like the given one, at which the service targets hold in the simulation; and a
// sentence saying when the workers given are far above or below the modelled need, naming the
// components that dominate it.

#include <functional>
#include <string>
#include <vector>

#include "planner/core/progress.hpp"
#include "planner/sim/des.hpp"
#include "planner/sim/params.hpp"
#include "planner/sim/workload.hpp"

namespace gp::sim {

/// One scalar of WorkloadParams, by name, for the tornado chart.
struct WorkloadKnob {
  std::string key;  // scenario key, e.g. "workload.care_visits.minutes"
  std::string label;
  std::function<double&(WorkloadParams&)> value;
};
/// Every scalar a county would set: each event category's rate and minutes, each routine
/// component's rate and minutes, patrol rounds and stops, allowances, walking speed and detour.
std::vector<WorkloadKnob> workload_knobs(const WorkloadParams& params);

struct SensitivityRow {
  std::string key;
  std::string label;
  double need_low = 0.0, need_high = 0.0;  // FTE at −25 % and +25 %
  double p90_low = NAN, p90_high = NAN;    // town p90 response, hours (NaN: not simulated)
};

struct SensitivityParams {
  double step = 0.25;      // ±25 %
  int simulated_rows = 8;  // rows with the largest need swing that also get a p90
  int replications = 5;    // per simulated variant
};

struct SensitivityResult {
  double need_fte = 0.0;             // at the parameters given
  double p90_h = NAN;                // at the parameters given, same replications as the variants
  std::vector<SensitivityRow> rows;  // largest need swing first
  /// Smallest worker total (full-time and part-time in the given proportion) at which the town
  /// p90 response is below the target and no grid's mean utilisation is above the maximum;
  /// -1 when not found up to four times the given total.
  int workers_meeting_target = -1;
  double p90_at_target_h = NAN;
  double max_utilisation_at_target = NAN;
};

/// `inputs`: the large grids' workload inputs, in the model's grid order. `model`: the
/// simulation model at the staffing given (its allocation is kept for the p90 variants).
SensitivityResult analyse_sensitivity(const std::vector<GridWorkloadInput>& inputs,
                                      const SimModel& model, const WorkloadParams& workload,
                                      const SimulationParams& simulation,
                                      const StaffingTarget& target, int full_time_total,
                                      int part_time_total, const SensitivityParams& params = {},
                                      Progress* progress = nullptr);

/// A sentence (Chinese, then English) on how the workers given compare with the modelled need,
/// naming the three largest components; empty inputs give an empty string. `given_fte`: the
/// workers given in full-time equivalents of available hours.
struct StaffingVerdict {
  double given_fte = 0.0;
  double need_fte = 0.0;
  double ratio = 0.0;  // given ÷ need
  std::string level;   // "far_above", "above", "in_line", "below", "far_below"
  std::string chinese;
  std::string english;
};
StaffingVerdict staffing_verdict(const std::vector<WorkloadEstimate>& estimates,
                                 const WorkloadParams& workload, int full_time_total,
                                 int part_time_total);

}  // namespace gp::sim
