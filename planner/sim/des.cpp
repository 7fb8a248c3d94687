#include "planner/sim/des.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
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

struct CategoryStream {
  double rate_per_hour = 0.0;  // mean intensity
  std::array<double, 24> daily{};
  std::array<double, 7> weekly{};
  double escalate_to_community = 0.0;
  double escalate_to_centre = 0.0;
  double handling_hours = 0.0;
};

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

struct GridStreams {
  std::vector<CategoryStream> categories;
  double max_intensity = 0.0;      // thinning bound
  std::vector<double> cumulative;  // building weights, cumulative
  double routine_rate_per_hour = 0.0;
  double visit_share = 0.0;  // of routine arrivals, the share that are visits
};

GridStreams make_streams(const SimGrid& grid, const WorkloadParams& workload) {
  GridStreams streams;
  double weight = 0.0;
  for (const SimBuilding& building : grid.buildings) {
    weight += std::max(building.weighted_households, 0.0);
    streams.cumulative.push_back(weight);
  }
  for (const CategoryParams& params : workload.categories) {
    CategoryStream stream;
    stream.rate_per_hour = weight * params.events_per_household_per_year / kHoursPerYear;
    stream.daily = normalised(params.daily);
    stream.weekly = normalised(params.weekly);
    stream.escalate_to_community = params.escalate_to_community;
    stream.escalate_to_centre = params.escalate_to_centre;
    stream.handling_hours = params.handling_minutes / 60.0;
    streams.max_intensity += stream.rate_per_hour *
                             *std::max_element(stream.daily.begin(), stream.daily.end()) *
                             *std::max_element(stream.weekly.begin(), stream.weekly.end());
    streams.categories.push_back(stream);
  }
  const double visits = weight * workload.visits_per_household_per_year;
  const double patrols = grid.buildings.empty() ? 0.0 : workload.patrols_per_year;
  streams.routine_rate_per_hour = (visits + patrols) / kHoursPerYear;
  streams.visit_share = visits + patrols > 0.0 ? visits / (visits + patrols) : 0.0;
  return streams;
}

double intensity(const CategoryStream& stream, double t) {
  const double day = std::floor(t / 24.0);
  const auto hour = static_cast<std::size_t>(std::min(23.0, std::floor(t - 24.0 * day)));
  const auto weekday = static_cast<std::size_t>(static_cast<long long>(day) % 7);
  return stream.rate_per_hour * stream.daily[hour] * stream.weekly[weekday];
}

// ---------------------------------------------------------------- one replication

enum class ActionKind : std::uint8_t { event_arrival, routine_arrival, task_done, shift_start };
struct Action {
  ActionKind kind = ActionKind::event_arrival;
  std::int32_t index = 0;  // grid for arrivals, worker otherwise
};

struct EventRecord {
  double reported = 0.0;
  double started = -1.0;    // a worker took it
  double responded = -1.0;  // the worker reached the building
  double resolved = -1.0;   // grid handling done, plus escalation delays
  std::int32_t grid = 0;
  bool handled = false;  // grid handling finished within the horizon
  bool to_community = false;
  bool to_centre = false;
};

struct RoutineTask {
  bool patrol = false;
  std::int32_t building = 0;
};

struct Worker {
  std::int32_t grid = 0;
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

struct GridState {
  std::deque<std::int32_t> events;  // waiting events (indices into the event records)
  std::deque<RoutineTask> routine;
  std::vector<std::int32_t> workers;
};

// Per-replication values of one group, before estimation across replications.
struct GroupValues {
  double events = 0, utilisation = kNaN, response_mean = kNaN, response_median = kNaN,
         response_p90 = kNaN, wait_mean = kNaN, resolution_median = kNaN, resolution_p90 = kNaN,
         backlog = 0, routine_backlog = 0, share_in_grid = kNaN, to_community = 0, to_centre = 0;
};

struct ReplicationValues {
  std::vector<GroupValues> grids, communities;
  GroupValues total;
  std::vector<double> worker_utilisation, worker_events;
};

class Replication {
 public:
  Replication(const SimModel& model, const WorkloadParams& workload, const SimulationParams& params,
              const std::vector<GridStreams>& streams, std::uint64_t seed)
      : model_(model),
        workload_(workload),
        params_(params),
        streams_(streams),
        rng_(seed),
        horizon_h_(params.horizon_days * 24.0),
        speed_m_per_h_(workload.walking_speed_kmh * 1000.0) {
    grids_.resize(model.grids.size());
    for (std::size_t g = 0; g < model.grids.size(); ++g) {
      const SimGrid& grid = model.grids[g];
      for (int k = 0; k < grid.full_time + grid.part_time; ++k) {
        Worker worker;
        worker.grid = static_cast<std::int32_t>(g);
        worker.full_time = k < grid.full_time;
        worker.shift = worker.full_time ? &workload.full_time : &workload.part_time;
        worker.position = grid.base;
        worker.scheduled_hours = scheduled_hours(*worker.shift, horizon_h_);
        grids_[g].workers.push_back(static_cast<std::int32_t>(workers_.size()));
        workers_.push_back(worker);
      }
    }
  }

  ReplicationValues run() {
    for (std::size_t g = 0; g < grids_.size(); ++g) {
      schedule_event_candidate(static_cast<std::int32_t>(g), 0.0);
      if (params_.routine_work) schedule_routine(static_cast<std::int32_t>(g), 0.0);
    }
    for (std::size_t w = 0; w < workers_.size(); ++w) {
      const double start = first_start_at_or_after(*workers_[w].shift, 0.0);
      if (start < horizon_h_) queue_.push(start, {ActionKind::shift_start, static_cast<int>(w)});
    }
    while (!queue_.empty() && queue_.top().time <= horizon_h_) {
      const auto entry = queue_.pop();
      const double t = entry.time;
      const Action action = entry.payload;
      switch (action.kind) {
        case ActionKind::event_arrival:
          on_event_candidate(action.index, t);
          break;
        case ActionKind::routine_arrival:
          on_routine(action.index, t);
          break;
        case ActionKind::task_done:
          on_done(action.index, t);
          break;
        case ActionKind::shift_start:
          on_shift_start(action.index, t);
          break;
      }
    }
    return collect();
  }

 private:
  void schedule_event_candidate(std::int32_t grid, double t) {
    const double bound = streams_[static_cast<std::size_t>(grid)].max_intensity;
    if (bound <= 0.0) return;
    const double next = t + rng_.exponential(1.0 / bound);
    if (next <= horizon_h_) queue_.push(next, {ActionKind::event_arrival, grid});
  }

  void schedule_routine(std::int32_t grid, double t) {
    const double rate = streams_[static_cast<std::size_t>(grid)].routine_rate_per_hour;
    if (rate <= 0.0) return;
    const double next = t + rng_.exponential(1.0 / rate);
    if (next <= horizon_h_) queue_.push(next, {ActionKind::routine_arrival, grid});
  }

  std::int32_t pick_building(const GridStreams& streams) {
    const double u = rng_.uniform() * streams.cumulative.back();
    const auto it = std::upper_bound(streams.cumulative.begin(), streams.cumulative.end(), u);
    return static_cast<std::int32_t>(
        std::min<std::ptrdiff_t>(it - streams.cumulative.begin(),
                                 static_cast<std::ptrdiff_t>(streams.cumulative.size()) - 1));
  }

  // Thinning (Lewis-Shedler): candidates at the bound rate, accepted with intensity ÷ bound.
  void on_event_candidate(std::int32_t grid, double t) {
    const GridStreams& streams = streams_[static_cast<std::size_t>(grid)];
    schedule_event_candidate(grid, t);
    double total = 0.0;
    std::array<double, 16> per_category{};
    const std::size_t categories = std::min<std::size_t>(streams.categories.size(), 16);
    for (std::size_t c = 0; c < categories; ++c) {
      per_category[c] = intensity(streams.categories[c], t);
      total += per_category[c];
    }
    const double u = rng_.uniform() * streams.max_intensity;
    if (u >= total) return;  // thinned out
    // u < total is itself uniform on [0, total): reuse it to pick the category.
    std::size_t category = 0;
    double cumulative = per_category[0];
    while (u >= cumulative && category + 1 < categories) cumulative += per_category[++category];
    EventRecord record;
    record.reported = t;
    record.grid = grid;
    events_.push_back(record);
    event_building_.push_back(pick_building(streams));
    event_category_.push_back(static_cast<std::uint8_t>(category));
    grids_[static_cast<std::size_t>(grid)].events.push_back(
        static_cast<std::int32_t>(events_.size() - 1));
    dispatch(grid, t);
  }

  void on_routine(std::int32_t grid, double t) {
    const GridStreams& streams = streams_[static_cast<std::size_t>(grid)];
    schedule_routine(grid, t);
    RoutineTask task;
    task.patrol = !rng_.bernoulli(streams.visit_share);
    if (!task.patrol) task.building = pick_building(streams);
    grids_[static_cast<std::size_t>(grid)].routine.push_back(task);
    dispatch(grid, t);
  }

  void dispatch(std::int32_t grid, double t) {
    std::int32_t chosen = -1;
    for (std::int32_t w : grids_[static_cast<std::size_t>(grid)].workers) {
      const Worker& worker = workers_[static_cast<std::size_t>(w)];
      if (worker.busy || !on_shift(*worker.shift, t)) continue;
      if (chosen < 0 || worker.idle_since < workers_[static_cast<std::size_t>(chosen)].idle_since) {
        chosen = w;
      }
    }
    if (chosen >= 0) start_next(chosen, t);
  }

  double walk_hours(const Worker& worker, const SimGrid& grid, std::int32_t building) const {
    if (!params_.walking) return 0.0;
    const SimBuilding& target = grid.buildings[static_cast<std::size_t>(building)];
    if (target.walk_from_base_m >= 0.0) return target.walk_from_base_m / speed_m_per_h_;
    const double dx = target.location.x - worker.position.x;
    const double dy = target.location.y - worker.position.y;
    return std::hypot(dx, dy) * workload_.detour_factor / speed_m_per_h_;
  }

  double handling_hours(double mean_hours) {
    if (params_.exponential_handling) return rng_.exponential(mean_hours);
    return rng_.lognormal_mean_cv(mean_hours, params_.handling_cv);
  }

  /// Gives worker `w` (idle, on shift) the next task of its grid, if any.
  void start_next(std::int32_t w, double t) {
    Worker& worker = workers_[static_cast<std::size_t>(w)];
    GridState& state = grids_[static_cast<std::size_t>(worker.grid)];
    const SimGrid& grid = model_.grids[static_cast<std::size_t>(worker.grid)];
    const GridStreams& streams = streams_[static_cast<std::size_t>(worker.grid)];
    double duration = 0.0;
    if (!state.events.empty()) {
      const std::int32_t e = state.events.front();
      state.events.pop_front();
      const std::int32_t building = event_building_[static_cast<std::size_t>(e)];
      const double walk = walk_hours(worker, grid, building);
      EventRecord& record = events_[static_cast<std::size_t>(e)];
      record.started = t;
      record.responded = t + walk;
      duration =
          walk +
          handling_hours(
              streams.categories[event_category_[static_cast<std::size_t>(e)]].handling_hours);
      worker.current_event = e;
      if (params_.walking &&
          grid.buildings[static_cast<std::size_t>(building)].walk_from_base_m < 0.0) {
        worker.position = grid.buildings[static_cast<std::size_t>(building)].location;
      }
    } else if (!state.routine.empty()) {
      const RoutineTask task = state.routine.front();
      state.routine.pop_front();
      worker.current_event = -1;
      if (task.patrol) {
        duration = grid.patrol_route_m / speed_m_per_h_;
        worker.position = grid.base;
      } else {
        duration = walk_hours(worker, grid, task.building) + workload_.minutes_per_visit / 60.0;
        if (grid.buildings[static_cast<std::size_t>(task.building)].walk_from_base_m < 0.0) {
          worker.position = grid.buildings[static_cast<std::size_t>(task.building)].location;
        }
      }
    } else {
      return;
    }
    worker.busy = true;
    worker.busy_until = t + duration;
    // Busy time counts only inside the horizon so utilisation stays comparable across runs.
    worker.busy_hours += std::min(t + duration, horizon_h_) - t;
    queue_.push(t + duration, {ActionKind::task_done, w});
  }

  void on_done(std::int32_t w, double t) {
    Worker& worker = workers_[static_cast<std::size_t>(w)];
    worker.busy = false;
    worker.idle_since = t;
    if (worker.current_event >= 0) {
      EventRecord& record = events_[static_cast<std::size_t>(worker.current_event)];
      const CategoryStream& category =
          streams_[static_cast<std::size_t>(worker.grid)]
              .categories[event_category_[static_cast<std::size_t>(worker.current_event)]];
      record.handled = true;
      record.resolved = t;
      ++worker.events_handled;
      if (rng_.bernoulli(category.escalate_to_community)) {
        record.to_community = true;
        record.resolved += rng_.lognormal_mean_cv(params_.community_hours, 1.0);
        if (rng_.bernoulli(category.escalate_to_centre)) {
          record.to_centre = true;
          record.resolved += rng_.lognormal_mean_cv(params_.centre_hours, 1.0);
        }
      }
      worker.current_event = -1;
    }
    if (on_shift(*worker.shift, t)) start_next(w, t);
  }

  void on_shift_start(std::int32_t w, double t) {
    Worker& worker = workers_[static_cast<std::size_t>(w)];
    if (!worker.busy) start_next(w, t);
    const double next = first_start_at_or_after(*worker.shift, t + 1e-9);
    if (next <= horizon_h_) queue_.push(next, {ActionKind::shift_start, w});
  }

  // ------------------------------------------------------------ results of this replication

  struct Pool {
    std::vector<double> responses, resolutions;
    double waits = 0.0;
    double events = 0, backlog = 0, routine_backlog = 0, handled = 0, to_community = 0,
           to_centre = 0, busy = 0, scheduled = 0;
    void add(const Pool& other) {
      responses.insert(responses.end(), other.responses.begin(), other.responses.end());
      resolutions.insert(resolutions.end(), other.resolutions.begin(), other.resolutions.end());
      waits += other.waits;
      events += other.events;
      backlog += other.backlog;
      routine_backlog += other.routine_backlog;
      handled += other.handled;
      to_community += other.to_community;
      to_centre += other.to_centre;
      busy += other.busy;
      scheduled += other.scheduled;
    }
    GroupValues values() {
      GroupValues v;
      v.events = events;
      v.backlog = backlog;
      v.routine_backlog = routine_backlog;
      v.to_community = to_community;
      v.to_centre = to_centre;
      if (scheduled > 0.0) v.utilisation = busy / scheduled;
      if (!responses.empty()) {
        v.response_mean = std::accumulate(responses.begin(), responses.end(), 0.0) /
                          static_cast<double>(responses.size());
        v.wait_mean = waits / static_cast<double>(responses.size());
        v.response_median = quantile(responses, 0.5);
        v.response_p90 = quantile(responses, 0.9);
      }
      if (!resolutions.empty()) {
        v.resolution_median = quantile(resolutions, 0.5);
        v.resolution_p90 = quantile(resolutions, 0.9);
      }
      if (handled > 0) v.share_in_grid = (handled - to_community) / handled;
      return v;
    }
  };

  ReplicationValues collect() {
    std::vector<Pool> pools(grids_.size());
    for (const EventRecord& record : events_) {
      Pool& pool = pools[static_cast<std::size_t>(record.grid)];
      pool.events += 1;
      if (record.started >= 0.0) {
        pool.responses.push_back(record.responded - record.reported);
        pool.waits += record.started - record.reported;
      }
      if (record.handled) {
        pool.handled += 1;
        pool.to_community += record.to_community ? 1 : 0;
        pool.to_centre += record.to_centre ? 1 : 0;
      }
      if (record.resolved >= 0.0 && record.resolved <= horizon_h_) {
        pool.resolutions.push_back(record.resolved - record.reported);
      } else {
        pool.backlog += 1;
      }
    }
    ReplicationValues values;
    for (std::size_t g = 0; g < grids_.size(); ++g) {
      pools[g].routine_backlog = static_cast<double>(grids_[g].routine.size());
      for (std::int32_t w : grids_[g].workers) {
        const Worker& worker = workers_[static_cast<std::size_t>(w)];
        pools[g].busy += worker.busy_hours;
        pools[g].scheduled += worker.scheduled_hours;
        if (worker.busy && worker.current_event < 0 && worker.busy_until > horizon_h_) {
          pools[g].routine_backlog += 1;
        }
        values.worker_utilisation.push_back(
            worker.scheduled_hours > 0.0 ? worker.busy_hours / worker.scheduled_hours : kNaN);
        values.worker_events.push_back(worker.events_handled);
      }
    }
    std::vector<Pool> communities(static_cast<std::size_t>(std::max(model_.communities, 1)));
    Pool total;
    for (std::size_t g = 0; g < grids_.size(); ++g) {
      communities[static_cast<std::size_t>(model_.grids[g].community)].add(pools[g]);
      total.add(pools[g]);
    }
    for (Pool& pool : pools) values.grids.push_back(pool.values());
    for (Pool& pool : communities) values.communities.push_back(pool.values());
    values.total = total.values();
    return values;
  }

  const SimModel& model_;
  const WorkloadParams& workload_;
  const SimulationParams& params_;
  const std::vector<GridStreams>& streams_;
  Rng rng_;
  double horizon_h_;
  double speed_m_per_h_;
  EventQueue<Action> queue_;
  std::vector<GridState> grids_;
  std::vector<Worker> workers_;
  std::vector<EventRecord> events_;
  std::vector<std::int32_t> event_building_;
  std::vector<std::uint8_t> event_category_;
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
  if (workload.categories.empty() || workload.categories.size() > 16) {
    throw ConfigError("sim: between 1 and 16 event categories are needed, got " +
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
  std::vector<GridStreams> streams;
  streams.reserve(model.grids.size());
  for (const SimGrid& grid : model.grids) streams.push_back(make_streams(grid, workload));

  const auto replications = static_cast<std::size_t>(params.replications);
  std::vector<ReplicationValues> reps(replications);
  // Batches let the calling thread report progress and honour cancellation between them.
  const std::size_t batch = 8;
  for (std::size_t first = 0; first < replications; first += batch) {
    const std::size_t last = std::min(replications, first + batch);
    parallel_for(first, last, [&](std::size_t r) {
      Replication replication(model, workload, params, streams,
                              derive_replication_seed(params.seed, r));
      reps[r] = replication.run();
    });
    if (progress) {
      progress->update("simulating", static_cast<double>(last) / static_cast<double>(replications));
    }
  }

  SimResult result;
  result.replications = params.replications;
  result.seed = params.seed;
  for (std::size_t g = 0; g < model.grids.size(); ++g) {
    result.grids.push_back(estimate_group(
        reps,
        [](const ReplicationValues& r, std::size_t i) -> const GroupValues& { return r.grids[i]; },
        g));
  }
  for (std::size_t c = 0; c < static_cast<std::size_t>(std::max(model.communities, 1)); ++c) {
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
  std::size_t worker_index = 0;
  for (std::size_t g = 0; g < model.grids.size(); ++g) {
    const SimGrid& grid = model.grids[g];
    for (int k = 0; k < grid.full_time + grid.part_time; ++k, ++worker_index) {
      WorkerResult worker;
      worker.grid = static_cast<std::int32_t>(g);
      worker.full_time = k < grid.full_time;
      std::vector<double> utilisation, handled;
      for (const ReplicationValues& rep : reps) {
        utilisation.push_back(rep.worker_utilisation[worker_index]);
        handled.push_back(rep.worker_events[worker_index]);
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
    sim_grid.patrol_route_m = patrol_route_m(workload_input(dataset, grid), workload);
    model.grids.push_back(std::move(sim_grid));
  }
  return model;
}

}  // namespace gp::sim
