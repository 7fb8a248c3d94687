#include "planner/sim/des.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <limits>
#include <numeric>
#include <string>

#include "planner/core/errors.hpp"
#include "planner/core/parallel.hpp"
#include "planner/core/random.hpp"
#include "planner/sim/event_queue.hpp"

namespace gp::sim {

namespace {

constexpr double kHoursPerYear = 8760.0;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---------------------------------------------------------------- shifts

bool on_shift(const ShiftPattern& shift, double t) {
  const double day = std::floor(t / 24.0);
  const auto weekday = static_cast<std::size_t>(static_cast<long long>(day) % 7);
  if (!shift.days[weekday]) return false;
  const double hour = t - 24.0 * day;
  for (const auto& interval : shift.intervals) {
    if (hour >= interval[0] && hour < interval[1]) return true;
  }
  return false;
}

/// The first shift start at or after t; +inf when the pattern has no working time.
double first_start_at_or_after(const ShiftPattern& shift, double t) {
  const double first_day = std::floor(t / 24.0);
  for (int offset = 0; offset <= 7; ++offset) {
    const double day = first_day + offset;
    const auto weekday = static_cast<std::size_t>(static_cast<long long>(day) % 7);
    if (!shift.days[weekday]) continue;
    double best = std::numeric_limits<double>::infinity();
    for (const auto& interval : shift.intervals) {
      const double start = 24.0 * day + interval[0];
      if (start >= t && interval[1] > interval[0]) best = std::min(best, start);
    }
    if (best < std::numeric_limits<double>::infinity()) return best;
  }
  return std::numeric_limits<double>::infinity();
}

double scheduled_hours(const ShiftPattern& shift, double horizon_h) {
  double total = 0.0;
  for (long long day = 0; 24.0 * static_cast<double>(day) < horizon_h; ++day) {
    if (!shift.days[static_cast<std::size_t>(day % 7)]) continue;
    for (const auto& interval : shift.intervals) {
      const double start = 24.0 * static_cast<double>(day) + interval[0];
      const double end = std::min(24.0 * static_cast<double>(day) + interval[1], horizon_h);
      total += std::max(0.0, end - start);
    }
  }
  return total;
}

// ---------------------------------------------------------------- per-grid arrival streams

constexpr std::size_t kSlots = 12 * 7 * 24;  // month × weekday × hour

/// Month (0..11) of each day of a 365-day year.
const std::array<std::uint8_t, 365>& month_table() {
  static const std::array<std::uint8_t, 365> table = [] {
    std::array<std::uint8_t, 365> months{};
    for (long long d = 0; d < 365; ++d)
      months[static_cast<std::size_t>(d)] = static_cast<std::uint8_t>(month_of_day(d));
    return months;
  }();
  return table;
}

/// The slot of hour `hour` counted from Monday 1 January 00:00.
std::size_t slot_of_hour(long long hour) {
  const long long day = hour / 24;
  const auto weekday = static_cast<std::size_t>(day % 7);
  const std::size_t month = month_table()[static_cast<std::size_t>(day % 365)];
  return (month * 7 + weekday) * 24 + static_cast<std::size_t>(hour % 24);
}

std::size_t slot_of(double t) {
  return slot_of_hour(static_cast<long long>(std::floor(t)));
}

template <std::size_t N>
std::array<double, N> normalised(const std::array<double, N>& profile) {
  double sum = 0.0;
  for (double v : profile) sum += std::max(v, 0.0);
  std::array<double, N> result{};
  for (std::size_t i = 0; i < N; ++i) {
    result[i] = sum > 0.0 ? std::max(profile[i], 0.0) * static_cast<double>(N) / sum : 1.0;
  }
  return result;
}

struct CategoryStream {
  double escalate_to_community = 0.0;
  double escalate_to_centre = 0.0;
  double handling_hours = 0.0;
  double deadline_hours = 0.0;
};

struct GridStreams {
  std::vector<CategoryStream> categories;
  /// Event intensity per slot and category, cumulative over categories within the slot
  /// (slot × C + c), per hour; the last of a slot is the slot's total.
  std::vector<double> event_cumulative;
  std::vector<double> slot_total;  // per slot, events per hour
  std::vector<double> cumulative;  // building weights, cumulative
  /// Routine work: hours of work per day of the year, and their prefix sums (366 entries).
  std::array<double, 365> routine_day{};
  std::array<double, 366> routine_prefix{};
};

GridStreams make_streams(const SimGrid& grid, const WorkloadParams& workload,
                         const SimulationParams& params) {
  GridStreams streams;
  double weight = 0.0, walk_sum = 0.0;
  const double speed_m_per_h = workload.walking_speed_kmh * 1000.0;
  for (const SimBuilding& building : grid.buildings) {
    const double w = std::max(building.weighted_households, 0.0);
    weight += w;
    streams.cumulative.push_back(weight);
    const double metres =
        building.walk_from_base_m >= 0.0
            ? building.walk_from_base_m
            : std::hypot(building.location.x - grid.base.x, building.location.y - grid.base.y) *
                  workload.detour_factor;
    walk_sum += w * metres;
  }
  // Mean walk of a routine task from the base to its building, hours.
  const double mean_walk_h =
      params.walking && weight > 0.0 ? walk_sum / weight / speed_m_per_h : 0.0;
  const std::size_t categories = workload.categories.size();
  streams.event_cumulative.assign(kSlots * categories, 0.0);
  streams.slot_total.assign(kSlots, 0.0);
  double events_per_year = 0.0;
  // Calibrated per-grid multiplier of the event rates (1 unless the scenario sets one).
  const double event_weight = weight * workload.event_multiplier(grid.code);
  for (std::size_t c = 0; c < categories; ++c) {
    const CategoryParams& category = workload.categories[c];
    streams.categories.push_back({category.escalate_to_community, category.escalate_to_centre,
                                  category.handling_minutes / 60.0, category.deadline_hours});
    const double rate = event_weight * category.events_per_household_per_year / kHoursPerYear;
    events_per_year += event_weight * category.events_per_household_per_year;
    const auto daily = normalised(category.daily);
    const auto weekly = normalised(category.weekly);
    const auto monthly = normalised(category.monthly);
    for (std::size_t m = 0; m < 12; ++m)
      for (std::size_t d = 0; d < 7; ++d)
        for (std::size_t h = 0; h < 24; ++h)
          streams.event_cumulative[((m * 7 + d) * 24 + h) * categories + c] =
              rate * daily[h] * weekly[d] * monthly[m];
  }
  for (std::size_t slot = 0; slot < kSlots; ++slot) {
    double sum = 0.0;
    for (std::size_t c = 0; c < categories; ++c) {
      sum += streams.event_cumulative[slot * categories + c];
      streams.event_cumulative[slot * categories + c] = sum;
    }
    streams.slot_total[slot] = sum;
  }

  // Routine work, hours of work per hour in each month.
  std::array<double, 12> per_hour{};
  const bool inhabited = weight > 0.0;
  const double buildings = static_cast<double>(grid.buildings.size());
  for (const RoutineComponent& component : workload.routine) {
    double units = 0.0;
    switch (component.basis) {
      case RoutineBasis::household:
        units = weight;
        break;
      case RoutineBasis::resident:
        units = weight * workload.persons_per_household;
        break;
      case RoutineBasis::building:
        units = buildings;
        break;
      case RoutineBasis::floor:
        units = grid.floors > 0.0 ? grid.floors : buildings;
        break;
      case RoutineBasis::event:
        units = events_per_year;
        break;
      case RoutineBasis::grid:
        units = inhabited ? 1.0 : 0.0;
        break;
    }
    const double tasks = units * component.share * component.per_unit_per_year;
    const double hours = component.minutes / 60.0 + (component.walk ? mean_walk_h : 0.0);
    const auto monthly = normalised(component.monthly);
    for (std::size_t m = 0; m < 12; ++m) per_hour[m] += tasks * hours / kHoursPerYear * monthly[m];
  }
  const double patrol_h =
      inhabited ? workload.patrols_per_year *
                      (grid.patrol_route_m / speed_m_per_h + grid.patrol_stop_minutes / 60.0)
                : 0.0;
  // Support work of the grid's own workers and the grid chief's supervision.
  const double support = grid.full_time * workload.support_hours_per_year(workload.full_time) +
                         grid.part_time * workload.support_hours_per_year(workload.part_time) +
                         (inhabited ? workload.grid_chief_hours_per_year : 0.0);
  for (std::size_t m = 0; m < 12; ++m) per_hour[m] += (patrol_h + support) / kHoursPerYear;
  for (long long d = 0; d < 365; ++d) {
    const auto day = static_cast<std::size_t>(d);
    streams.routine_day[day] = 24.0 * per_hour[static_cast<std::size_t>(month_of_day(d))];
    streams.routine_prefix[day + 1] = streams.routine_prefix[day] + streams.routine_day[day];
  }
  return streams;
}

// ---------------------------------------------------------------- one grid, one replication

enum class ActionKind : std::uint8_t { task_done, shift_start, routine_ready };
struct Action {
  ActionKind kind = ActionKind::task_done;
  std::int32_t worker = 0;
};

struct EventRecord {
  double reported = 0.0;
  double started = -1.0;    // a worker took it
  double responded = -1.0;  // the worker reached the building
  double resolved = -1.0;   // grid handling done, plus escalation delays
  std::int32_t building = 0;
  std::uint8_t category = 0;
  bool handled = false;  // grid handling finished within the horizon
  bool to_community = false;
  bool to_centre = false;
};

struct Worker {
  bool full_time = true;
  const ShiftPattern* shift = nullptr;
  bool busy = false;
  double idle_since = 0.0;
  Point position;
  double busy_hours = 0.0;
  double scheduled_hours = 0.0;
  int events_handled = 0;
  std::int32_t current_event = -1;  // -1: routine task or none
  double busy_until = 0.0;
};

/// What one (replication, grid) job leaves for the merge.
struct GridOutcome {
  std::vector<float> responses, resolutions;
  double waits = 0.0;
  double events = 0, backlog = 0, routine_backlog = 0, handled = 0, to_community = 0, to_centre = 0,
         busy = 0, scheduled = 0, with_deadline = 0, on_time = 0;
  std::vector<double> worker_utilisation, worker_events;
  std::uint64_t actions = 0;
};

class GridRun {
 public:
  GridRun(const SimGrid& grid, const GridStreams& streams, const WorkloadParams& workload,
          const SimulationParams& params, std::uint64_t seed)
      : grid_(grid),
        streams_(streams),
        workload_(workload),
        params_(params),
        event_rng_(derive_replication_seed(seed, 0)),
        service_rng_(derive_replication_seed(seed, 2)),
        horizon_h_(params.horizon_days * 24.0),
        speed_m_per_h_(workload.walking_speed_kmh * 1000.0),
        block_h_(std::max(params.routine_block_minutes, 1.0) / 60.0) {
    for (int k = 0; k < grid.full_time + grid.part_time; ++k) {
      Worker worker;
      worker.full_time = k < grid.full_time;
      worker.shift = worker.full_time ? &workload.full_time : &workload.part_time;
      worker.position = grid.base;
      worker.scheduled_hours = scheduled_hours(*worker.shift, horizon_h_);
      workers_.push_back(worker);
    }
  }

  /// `elapsed(share)`, when given, is told the share of the horizon simulated so far, every
  /// sixteenth of it (progress from inside a long replication; it changes nothing simulated).
  GridOutcome run(const std::function<void(double)>& elapsed = {}) {
    constexpr double kNever = std::numeric_limits<double>::infinity();
    constexpr double kTicks = 16.0;
    double next_tick = horizon_h_ / kTicks;
    double next_event = next_event_time(0.0);
    // One shift-start action per shift pattern (full time, part time) wakes all its workers.
    for (int pattern = 0; pattern < 2; ++pattern) {
      if (!has_pattern(pattern)) continue;
      const double start = first_start_at_or_after(shift(pattern), 0.0);
      if (start < horizon_h_) queue_.push(start, {ActionKind::shift_start, pattern});
    }
    for (;;) {
      const double next_worker = queue_.empty() ? kNever : queue_.top().time;
      if (elapsed) {
        const double t = std::min(next_worker, next_event);
        if (t >= next_tick && t <= horizon_h_) {
          elapsed(t / horizon_h_);
          next_tick = t + horizon_h_ / kTicks;
        }
      }
      // Ties: worker actions first, then events (a fixed order).
      if (next_worker <= next_event) {
        if (next_worker > horizon_h_) break;
        const auto entry = queue_.pop();
        ++actions_;
        switch (entry.payload.kind) {
          case ActionKind::task_done:
            on_done(entry.payload.worker, entry.time);
            break;
          case ActionKind::shift_start:
            on_shift_start(entry.payload.worker, entry.time);
            break;
          case ActionKind::routine_ready:
            ready_pending_ = false;
            while (dispatch(entry.time)) {
            }
            break;
        }
      } else {
        if (next_event > horizon_h_) break;
        ++actions_;
        on_event(next_event);
        next_event = next_event_time(next_event);
      }
    }
    return collect();
  }

 private:
  [[nodiscard]] bool has_pattern(int pattern) const {
    return pattern == 0 ? grid_.full_time > 0 : grid_.part_time > 0;
  }
  [[nodiscard]] const ShiftPattern& shift(int pattern) const {
    return pattern == 0 ? workload_.full_time : workload_.part_time;
  }

  /// The next event after t: the piecewise-constant hourly intensity inverted exactly (one
  /// exponential draw, then hour by hour until its integral is used up).
  double next_event_time(double t) {
    double need = event_rng_.exponential(1.0);
    auto hour = static_cast<long long>(std::floor(t));
    const auto last_hour = static_cast<long long>(std::ceil(horizon_h_));
    for (; hour <= last_hour; ++hour) {
      const double rate = streams_.slot_total[slot_of_hour(hour)];
      const double from = std::max(t, static_cast<double>(hour));
      const double mass = rate * (static_cast<double>(hour) + 1.0 - from);
      if (mass >= need && rate > 0.0) return from + need / rate;
      need -= mass;
    }
    return std::numeric_limits<double>::infinity();
  }

  /// Routine work accrued since time 0, hours.
  [[nodiscard]] double accrued(double t) const {
    const double day = std::floor(t / 24.0);
    const auto d = static_cast<long long>(day);
    const auto year = static_cast<double>(d / 365);
    const auto in_year = static_cast<std::size_t>(d % 365);
    return year * streams_.routine_prefix[365] + streams_.routine_prefix[in_year] +
           (t - 24.0 * day) / 24.0 * streams_.routine_day[in_year];
  }

  /// The time after t at which the accrued routine work reaches `target` hours (inf: never
  /// within the horizon).
  [[nodiscard]] double time_accrued(double target, double t) const {
    double day_start = 24.0 * std::floor(t / 24.0);
    while (day_start <= horizon_h_) {
      const double day_end = day_start + 24.0;
      const double at_end = accrued(day_end - 1e-9);
      if (at_end >= target) {
        const double from = std::max(t, day_start);
        const auto in_year =
            static_cast<std::size_t>(static_cast<long long>(day_start / 24.0) % 365);
        const double per_hour = streams_.routine_day[in_year] / 24.0;
        if (per_hour <= 0.0) return day_end;
        return std::max(from, from + (target - accrued(from)) / per_hour);
      }
      day_start = day_end;
    }
    return std::numeric_limits<double>::infinity();
  }

  std::int32_t pick_building(Rng& rng) const {
    const std::vector<double>& cumulative = streams_.cumulative;
    const double u = rng.uniform() * cumulative.back();
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
    return static_cast<std::int32_t>(std::min<std::ptrdiff_t>(
        it - cumulative.begin(), static_cast<std::ptrdiff_t>(cumulative.size()) - 1));
  }

  void on_event(double t) {
    const std::size_t categories = streams_.categories.size();
    const std::size_t slot = slot_of(t);
    const double* row = &streams_.event_cumulative[slot * categories];
    const double u = event_rng_.uniform() * streams_.slot_total[slot];
    std::size_t c = 0;
    while (c + 1 < categories && u >= row[c]) ++c;
    EventRecord record;
    record.reported = t;
    record.category = static_cast<std::uint8_t>(c);
    record.building = pick_building(event_rng_);
    events_.push_back(record);
    waiting_events_.push_back(static_cast<std::int32_t>(events_.size() - 1));
    dispatch(t);
  }

  /// Starts the longest-idle on-shift worker on the next task; false when none started.
  bool dispatch(double t) {
    std::int32_t chosen = -1;
    for (std::size_t w = 0; w < workers_.size(); ++w) {
      const Worker& worker = workers_[w];
      if (worker.busy || !on_shift(*worker.shift, t)) continue;
      if (chosen < 0 || worker.idle_since < workers_[static_cast<std::size_t>(chosen)].idle_since)
        chosen = static_cast<std::int32_t>(w);
    }
    return chosen >= 0 && start_next(chosen, t);
  }

  double walk_hours(const Worker& worker, std::int32_t building) const {
    if (!params_.walking) return 0.0;
    const SimBuilding& target = grid_.buildings[static_cast<std::size_t>(building)];
    if (target.walk_from_base_m >= 0.0) return target.walk_from_base_m / speed_m_per_h_;
    const double dx = target.location.x - worker.position.x;
    const double dy = target.location.y - worker.position.y;
    return std::hypot(dx, dy) * workload_.detour_factor / speed_m_per_h_;
  }

  double handling_hours(double mean_hours) {
    if (params_.exponential_handling) return service_rng_.exponential(mean_hours);
    return service_rng_.lognormal_mean_cv(mean_hours, params_.handling_cv);
  }

  /// Gives worker `w` (idle, on shift) the next task of its grid; false when there is none.
  bool start_next(std::int32_t w, double t) {
    Worker& worker = workers_[static_cast<std::size_t>(w)];
    double duration = 0.0;
    if (waiting_head_ < waiting_events_.size()) {
      const std::int32_t e = waiting_events_[waiting_head_++];
      EventRecord& record = events_[static_cast<std::size_t>(e)];
      const double walk = walk_hours(worker, record.building);
      record.started = t;
      record.responded = t + walk;
      duration = walk + handling_hours(streams_.categories[record.category].handling_hours);
      worker.current_event = e;
      if (params_.walking &&
          grid_.buildings[static_cast<std::size_t>(record.building)].walk_from_base_m < 0.0)
        worker.position = grid_.buildings[static_cast<std::size_t>(record.building)].location;
    } else if (params_.routine_work && accrued(t) - routine_taken_ >= block_h_ - 1e-9) {
      routine_taken_ += block_h_;
      duration = block_h_;
      worker.current_event = -1;
      worker.position = grid_.base;  // routine blocks start and end at the base
    } else {
      if (params_.routine_work && !ready_pending_) {
        const double ready = time_accrued(routine_taken_ + block_h_, t);
        if (ready <= horizon_h_) {
          queue_.push(ready, {ActionKind::routine_ready, 0});
          ready_pending_ = true;
        }
      }
      return false;
    }
    worker.busy = true;
    worker.busy_until = t + duration;
    // Busy time counts only inside the horizon so utilisation stays comparable across runs.
    worker.busy_hours += std::min(t + duration, horizon_h_) - t;
    queue_.push(t + duration, {ActionKind::task_done, w});
    return true;
  }

  void on_done(std::int32_t w, double t) {
    Worker& worker = workers_[static_cast<std::size_t>(w)];
    worker.busy = false;
    worker.idle_since = t;
    if (worker.current_event >= 0) {
      EventRecord& record = events_[static_cast<std::size_t>(worker.current_event)];
      const CategoryStream& category = streams_.categories[record.category];
      record.handled = true;
      record.resolved = t;
      ++worker.events_handled;
      if (service_rng_.bernoulli(category.escalate_to_community)) {
        record.to_community = true;
        record.resolved += service_rng_.lognormal_mean_cv(params_.community_hours, 1.0);
        if (service_rng_.bernoulli(category.escalate_to_centre)) {
          record.to_centre = true;
          record.resolved += service_rng_.lognormal_mean_cv(params_.centre_hours, 1.0);
        }
      }
      worker.current_event = -1;
    }
    if (on_shift(*worker.shift, t)) start_next(w, t);
  }

  void on_shift_start(int pattern, double t) {
    while (dispatch(t)) {
    }
    const double next = first_start_at_or_after(shift(pattern), t + 1e-9);
    if (next <= horizon_h_) queue_.push(next, {ActionKind::shift_start, pattern});
  }

  GridOutcome collect() {
    GridOutcome out;
    out.actions = actions_;
    out.responses.reserve(events_.size());
    for (const EventRecord& record : events_) {
      out.events += 1;
      const double deadline = streams_.categories[record.category].deadline_hours;
      if (record.started >= 0.0) {
        const double response = record.responded - record.reported;
        out.responses.push_back(static_cast<float>(response));
        out.waits += record.started - record.reported;
        if (deadline > 0.0) out.on_time += response <= deadline ? 1 : 0;
      }
      // A matter not yet taken counts as late only once its deadline has passed in the horizon.
      if (deadline > 0.0 && (record.started >= 0.0 || record.reported + deadline <= horizon_h_))
        out.with_deadline += 1;
      if (record.handled) {
        out.handled += 1;
        out.to_community += record.to_community ? 1 : 0;
        out.to_centre += record.to_centre ? 1 : 0;
      }
      if (record.resolved >= 0.0 && record.resolved <= horizon_h_) {
        out.resolutions.push_back(static_cast<float>(record.resolved - record.reported));
      } else {
        out.backlog += 1;
      }
    }
    out.routine_backlog =
        params_.routine_work ? std::max(0.0, accrued(horizon_h_) - routine_taken_) : 0.0;
    for (const Worker& worker : workers_) {
      out.busy += worker.busy_hours;
      out.scheduled += worker.scheduled_hours;
      if (worker.busy && worker.current_event < 0 && worker.busy_until > horizon_h_)
        out.routine_backlog += worker.busy_until - horizon_h_;
      out.worker_utilisation.push_back(
          worker.scheduled_hours > 0.0 ? worker.busy_hours / worker.scheduled_hours : kNaN);
      out.worker_events.push_back(worker.events_handled);
    }
    return out;
  }

  const SimGrid& grid_;
  const GridStreams& streams_;
  const WorkloadParams& workload_;
  const SimulationParams& params_;
  Rng event_rng_, service_rng_;
  double horizon_h_;
  double speed_m_per_h_;
  double block_h_;
  EventQueue<Action> queue_;
  std::vector<Worker> workers_;
  std::vector<EventRecord> events_;
  std::vector<std::int32_t> waiting_events_;
  std::size_t waiting_head_ = 0;
  double routine_taken_ = 0.0;  // routine hours given to workers so far
  bool ready_pending_ = false;  // a routine_ready action is in the queue
  std::uint64_t actions_ = 0;
};

// Per-replication values of one group, before estimation across replications.
struct GroupValues {
  double events = 0, utilisation = kNaN, response_mean = kNaN, response_median = kNaN,
         response_p90 = kNaN, wait_mean = kNaN, resolution_median = kNaN, resolution_p90 = kNaN,
         backlog = 0, routine_backlog = 0, share_in_grid = kNaN, to_community = 0, to_centre = 0,
         on_time_share = kNaN;
};

/// Pools grid outcomes into one group's values (quantiles over the pooled events).
GroupValues pool_values(const std::vector<const GridOutcome*>& parts) {
  GroupValues v;
  std::vector<double> responses, resolutions;
  double waits = 0, handled = 0, busy = 0, scheduled = 0, with_deadline = 0, on_time = 0;
  double response_sum = 0.0;
  for (const GridOutcome* o : parts) {
    v.events += o->events;
    v.backlog += o->backlog;
    v.routine_backlog += o->routine_backlog;
    v.to_community += o->to_community;
    v.to_centre += o->to_centre;
    waits += o->waits;
    handled += o->handled;
    busy += o->busy;
    scheduled += o->scheduled;
    with_deadline += o->with_deadline;
    on_time += o->on_time;
    for (float r : o->responses) {
      responses.push_back(r);
      response_sum += r;
    }
    resolutions.insert(resolutions.end(), o->resolutions.begin(), o->resolutions.end());
  }
  if (scheduled > 0.0) v.utilisation = busy / scheduled;
  if (!responses.empty()) {
    v.response_mean = response_sum / static_cast<double>(responses.size());
    v.wait_mean = waits / static_cast<double>(responses.size());
    v.response_median = quantile(responses, 0.5);
    v.response_p90 = quantile(responses, 0.9);
  }
  if (!resolutions.empty()) {
    v.resolution_median = quantile(resolutions, 0.5);
    v.resolution_p90 = quantile(resolutions, 0.9);
  }
  if (handled > 0) v.share_in_grid = (handled - v.to_community) / handled;
  if (with_deadline > 0) v.on_time_share = on_time / with_deadline;
  return v;
}

struct ReplicationValues {
  std::vector<GroupValues> grids, communities;
  GroupValues total;
};

GroupResult estimate_group(const std::vector<ReplicationValues>& reps,
                           const GroupValues& (*select)(const ReplicationValues&, std::size_t),
                           std::size_t index) {
  auto field = [&](double GroupValues::*member) {
    std::vector<double> values;
    values.reserve(reps.size());
    for (const ReplicationValues& rep : reps) values.push_back(select(rep, index).*member);
    return estimate(values);
  };
  GroupResult result;
  result.events = field(&GroupValues::events);
  result.utilisation = field(&GroupValues::utilisation);
  result.response_mean_h = field(&GroupValues::response_mean);
  result.response_median_h = field(&GroupValues::response_median);
  result.response_p90_h = field(&GroupValues::response_p90);
  result.wait_mean_h = field(&GroupValues::wait_mean);
  result.resolution_median_h = field(&GroupValues::resolution_median);
  result.resolution_p90_h = field(&GroupValues::resolution_p90);
  result.backlog = field(&GroupValues::backlog);
  result.routine_backlog = field(&GroupValues::routine_backlog);
  result.share_in_grid = field(&GroupValues::share_in_grid);
  result.escalated_to_community = field(&GroupValues::to_community);
  result.escalated_to_centre = field(&GroupValues::to_centre);
  result.on_time_share = field(&GroupValues::on_time_share);
  return result;
}

}  // namespace

SimResult simulate(const SimModel& model, const WorkloadParams& workload,
                   const SimulationParams& params, Progress* progress) {
  if (params.replications < 1) {
    throw ConfigError("sim: replications must be at least 1, got " +
                      std::to_string(params.replications));
  }
  if (params.horizon_days <= 0.0) {
    throw ConfigError("sim: horizon_days must be positive, got " +
                      std::to_string(params.horizon_days));
  }
  if (workload.categories.empty() || workload.categories.size() > 250) {
    throw ConfigError("sim: between 1 and 250 event categories are needed, got " +
                      std::to_string(workload.categories.size()));
  }
  if (workload.walking_speed_kmh <= 0.0) {
    throw ConfigError("sim: walking speed must be positive");
  }
  for (const SimGrid& grid : model.grids) {
    if (grid.community < 0 || grid.community >= std::max(model.communities, 1)) {
      throw ConfigError("sim: grid '" + grid.code + "' has community index " +
                        std::to_string(grid.community) + " outside the model's " +
                        std::to_string(model.communities) + " communities");
    }
  }
  std::vector<GridStreams> streams(model.grids.size());
  parallel_for(std::size_t{0}, model.grids.size(),
               [&](std::size_t g) { streams[g] = make_streams(model.grids[g], workload, params); });

  const auto replications = static_cast<std::size_t>(params.replications);
  const std::size_t grid_count = model.grids.size();
  const std::size_t jobs = replications * grid_count;
  std::vector<GridOutcome> outcomes(jobs);
  // Each job (one grid, one replication) is a work unit, reported from the worker running it
  // (by simulated time) and finishing it, at most every 0.1 s (WorkCounter), where cancellation is
  // honoured too. Units are weighted by the grid's expected events (households), so a town with a
  // few very large grids still moves evenly (weight: 1 + Σ weighted households, the rate of events
  // and visits): reporting per batch of jobs/20 left 2.9 s between updates on the real 30k town.
  // Outcomes are written by index: the same results whatever the order the jobs finish in.
  std::vector<double> job_weight(grid_count, 1.0);
  double weight_total = 0.0;
  for (std::size_t g = 0; g < grid_count; ++g) {
    for (const SimBuilding& b : model.grids[g].buildings)
      job_weight[g] += std::max(b.weighted_households, 0.0);
    weight_total += job_weight[g];
  }
  WorkCounter done(progress, "simulating", weight_total * static_cast<double>(replications));
  parallel_for(std::size_t{0}, jobs, [&](std::size_t j) {
    const std::size_t r = j / grid_count, g = j % grid_count;
    GridRun run(model.grids[g], streams[g], workload, params,
                derive_replication_seed(derive_replication_seed(params.seed, r), g));
    // Inside the replication too, by simulated time: one grid-year of a large grid under a
    // variant with few workers took 2.5 s on the loaded machine (real 30k town, sensitivity).
    double reported = 0.0;
    outcomes[j] = run.run([&](double share) {
      done.add(job_weight[g] * (share - reported));
      reported = share;
    });
    done.add(job_weight[g] * (1.0 - reported));
  });
  done.finish();

  const auto community_count = static_cast<std::size_t>(std::max(model.communities, 1));
  std::vector<ReplicationValues> reps(replications);
  parallel_for(std::size_t{0}, replications, [&](std::size_t r) {
    ReplicationValues& values = reps[r];
    std::vector<std::vector<const GridOutcome*>> by_community(community_count);
    std::vector<const GridOutcome*> all;
    for (std::size_t g = 0; g < grid_count; ++g) {
      const GridOutcome* outcome = &outcomes[r * grid_count + g];
      values.grids.push_back(pool_values({outcome}));
      by_community[static_cast<std::size_t>(model.grids[g].community)].push_back(outcome);
      all.push_back(outcome);
    }
    for (const auto& parts : by_community) values.communities.push_back(pool_values(parts));
    values.total = pool_values(all);
  });

  SimResult result;
  result.replications = params.replications;
  result.seed = params.seed;
  for (const GridOutcome& outcome : outcomes) result.actions += outcome.actions;
  for (std::size_t g = 0; g < grid_count; ++g) {
    result.grids.push_back(estimate_group(
        reps,
        [](const ReplicationValues& r, std::size_t i) -> const GroupValues& { return r.grids[i]; },
        g));
  }
  for (std::size_t c = 0; c < community_count; ++c) {
    result.communities.push_back(estimate_group(
        reps,
        [](const ReplicationValues& r, std::size_t i) -> const GroupValues& {
          return r.communities[i];
        },
        c));
  }
  result.total = estimate_group(
      reps, [](const ReplicationValues& r, std::size_t) -> const GroupValues& { return r.total; },
      0);
  for (std::size_t g = 0; g < grid_count; ++g) {
    const SimGrid& grid = model.grids[g];
    for (int k = 0; k < grid.full_time + grid.part_time; ++k) {
      WorkerResult worker;
      worker.grid = static_cast<std::int32_t>(g);
      worker.full_time = k < grid.full_time;
      std::vector<double> utilisation, handled;
      for (std::size_t r = 0; r < replications; ++r) {
        const GridOutcome& outcome = outcomes[r * grid_count + g];
        utilisation.push_back(outcome.worker_utilisation[static_cast<std::size_t>(k)]);
        handled.push_back(outcome.worker_events[static_cast<std::size_t>(k)]);
      }
      worker.utilisation = estimate(utilisation);
      worker.events_handled = estimate(handled);
      result.workers.push_back(worker);
    }
  }
  std::size_t with_network = 0, buildings = 0;
  for (const SimGrid& grid : model.grids) {
    for (const SimBuilding& building : grid.buildings) {
      ++buildings;
      with_network += building.walk_from_base_m >= 0.0 ? 1 : 0;
    }
  }
  result.walking_distances = !params.walking             ? "none (walking ignored)"
                             : with_network == buildings ? "network"
                             : with_network == 0         ? "straight line × detour"
                                                         : "mixed";
  return result;
}

SimModel build_model(const Dataset& dataset, const Plan& plan, const WorkloadParams& workload,
                     const WorkerAllocation& allocation,
                     const std::vector<double>* walk_from_station_m) {
  if (allocation.full_time.size() != plan.large_grids.size() ||
      allocation.part_time.size() != plan.large_grids.size()) {
    throw ConfigError("sim: worker allocation has " + std::to_string(allocation.full_time.size()) +
                      " entries for " + std::to_string(plan.large_grids.size()) + " large grids");
  }
  SimModel model;
  const auto community_count = static_cast<std::int32_t>(dataset.communities.size());
  bool unassigned = false;
  for (const Grid& grid : plan.large_grids) unassigned |= grid.community == kNone;
  model.communities = community_count + (unassigned || community_count == 0 ? 1 : 0);
  for (std::size_t g = 0; g < plan.large_grids.size(); ++g) {
    const Grid& grid = plan.large_grids[g];
    SimGrid sim_grid;
    sim_grid.code = grid.code;
    sim_grid.community = grid.community == kNone ? model.communities - 1 : grid.community;
    sim_grid.full_time = allocation.full_time[g];
    sim_grid.part_time = allocation.part_time[g];
    Box box;
    double sx = 0.0, sy = 0.0, sw = 0.0;
    for (std::int32_t index : grid.buildings) {
      const Building& building = dataset.buildings.at(static_cast<std::size_t>(index));
      if (building.households <= 0) continue;
      SimBuilding sim_building;
      sim_building.location = centroid(building.footprint);
      sim_building.weighted_households = building.households * building.workload_weight;
      if (walk_from_station_m && static_cast<std::size_t>(index) < walk_from_station_m->size()) {
        const double walk = (*walk_from_station_m)[static_cast<std::size_t>(index)];
        sim_building.walk_from_base_m = std::isfinite(walk) ? walk : -1.0;
      }
      box.expand(sim_building.location);
      sx += sim_building.location.x * sim_building.weighted_households;
      sy += sim_building.location.y * sim_building.weighted_households;
      sw += sim_building.weighted_households;
      sim_grid.buildings.push_back(sim_building);
    }
    sim_grid.base = sw > 0.0 ? Point{sx / sw, sy / sw} : Point{};
    double best = std::numeric_limits<double>::infinity();
    Point station_base = sim_grid.base;
    for (const Station& station : dataset.stations) {
      if (station.tier != StationTier::compound_station || box.empty()) continue;
      const Point& p = station.location;
      if (p.x < box.min_x || p.x > box.max_x || p.y < box.min_y || p.y > box.max_y) continue;
      const double d = std::hypot(p.x - sim_grid.base.x, p.y - sim_grid.base.y);
      if (d < best) {
        best = d;
        station_base = p;
      }
    }
    sim_grid.base = station_base;
    const GridWorkloadInput input = workload_input(dataset, grid);
    sim_grid.patrol_route_m = patrol_route_m(input, workload);
    sim_grid.patrol_stop_minutes = patrol_stop_minutes(input, workload);
    sim_grid.floors = input.floors;
    model.grids.push_back(std::move(sim_grid));
  }
  return model;
}

}  // namespace gp::sim
