#pragma once
// Parameters of the simulator module as plain config structs with documented defaults.
// Where no published source exists the comment says "assumption, configurable": the defaults are
// a starting point for a county to replace with its own figures (docs/simulation.md lists them).

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "planner/core/road_classes.hpp"

namespace gp::sim {

/// The five work categories of grid workers (社区管理、社会治安、纠纷调解、民生服务、医疗卫生), and
/// work orders dispatched to the grid from the 12345 hotline and the governance platform (派单),
/// which come with a deadline.
enum class EventCategory {
  community_management,
  public_security,
  dispute_mediation,
  livelihood_services,
  health,
  work_order
};
inline constexpr int kCategoryCount = 6;
const char* to_string(EventCategory category);
/// The Chinese name used in reports (e.g. "社会治安").
const char* chinese_name(EventCategory category);

/// Hourly multipliers for hours 0..23 (mean normalised to 1 before use).
using DailyProfile = std::array<double, 24>;
/// Day multipliers Monday..Sunday (mean normalised to 1 before use).
using WeeklyProfile = std::array<double, 7>;

/// Reports that residents raise by day: quiet at night, peaks mid-morning and late afternoon,
/// some in the evening. Assumption, configurable (shape only; no published hourly data).
inline constexpr DailyProfile kDefaultDailyProfile{0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.4,  0.9,
                                                   1.6, 2.0,  2.0,  1.8,  1.2,  1.2, 1.6,  1.9,
                                                   1.9, 1.6,  1.2,  1.2,  1.0,  0.7, 0.35, 0.2};
/// Slightly more on Monday (weekend matters reported) and less on Sunday. Assumption.
inline constexpr WeeklyProfile kDefaultWeeklyProfile{1.15, 1.0, 1.0, 1.0, 1.0, 0.95, 0.9};
/// Month multipliers January..December (mean normalised to 1 before use).
using MonthlyProfile = std::array<double, 12>;
inline constexpr MonthlyProfile kFlatMonthlyProfile{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
/// The month (0..11) of day `day` counted from 1 January (365-day years, no leap days).
int month_of_day(long long day);

/// One event category: how often it arises, how long it takes, where it escalates.
struct CategoryParams {
  EventCategory category = EventCategory::community_management;
  double events_per_household_per_year = 0.5;  // assumption, configurable
  double handling_minutes = 30.0;  // mean on-site handling time, excluding walking (assumption)
  /// Share handed to the community after the grid worker's handling (大事不出社区). Assumption.
  double escalate_to_community = 0.05;
  /// Of those escalated to the community, the share passed on to the service centre
  /// (难事不出社区服务中心). Assumption.
  double escalate_to_centre = 0.2;
  DailyProfile daily = kDefaultDailyProfile;
  WeeklyProfile weekly = kDefaultWeeklyProfile;
  MonthlyProfile monthly = kFlatMonthlyProfile;
  /// Deadline for the response (report → worker at the building), hours; 0 = none. The
  /// simulation reports the share of matters answered within it.
  double deadline_hours = 0.0;
  /// Where the figures come from ("assumption" when none was found).
  std::string source = "assumption";
};

/// Default categories. Every rate is an assumption, configurable: no national statistics of
/// grid events per household were found; the orders of magnitude follow published county
/// reports of "tens of thousands of matters per year" for towns of tens of thousands of
/// households (≈ 1–2 per household per year in total).
std::vector<CategoryParams> default_categories();

/// A worker's working pattern: the same daily intervals on the marked weekdays.
struct ShiftPattern {
  /// Working intervals within a day as [start_hour, end_hour) pairs, hours since midnight.
  std::vector<std::array<double, 2>> intervals{{8.5, 12.0}, {14.5, 18.0}};
  /// Monday..Sunday: works that day.
  std::array<bool, 7> days{true, true, true, true, true, false, false};
  /// Days per year without work although scheduled: public holidays (11, 国务院 holiday rules)
  /// plus annual leave, sick leave and training (assumption: 10). Used by the analytic model;
  /// the event simulation runs the pattern without holidays (documented simplification).
  double absent_days_per_year = 21.0;
  [[nodiscard]] double hours_per_day() const {
    double hours = 0.0;
    for (const auto& interval : intervals) hours += interval[1] - interval[0];
    return hours;
  }
  [[nodiscard]] double hours_per_week() const { return hours_per_day() * days_per_week(); }
  [[nodiscard]] int days_per_week() const {
    int n = 0;
    for (bool d : days) n += d ? 1 : 0;
    return n;
  }
  /// Available working hours per year (WISN "available working time"):
  /// (52.14 weeks × working days per week − absent days) × hours per day.
  [[nodiscard]] double available_hours_per_year() const {
    return (52.143 * days_per_week() - absent_days_per_year) * hours_per_day();
  }
  /// Weeks actually worked per year: available days ÷ working days per week.
  [[nodiscard]] double weeks_worked_per_year() const {
    const int per_week = days_per_week();
    return per_week > 0 ? (52.143 * per_week - absent_days_per_year) / per_week : 0.0;
  }
};

/// Full time (专职): 08:30–12:00 and 14:30–18:00, Monday to Friday, 7 h/day — the common office
/// hours of Chinese street offices. Assumption, configurable.
inline ShiftPattern full_time_shift() {
  return ShiftPattern{};
}
/// Part time (兼职, building and unit chiefs, volunteers — "a few hours a week"): 09:00–11:00 on
/// Monday, Wednesday and Saturday, 6 h/week, 10 days a year off (they keep other jobs and
/// holidays do not stop all of them). Assumption, configurable ([workers] part_time_hours).
inline ShiftPattern part_time_shift() {
  return ShiftPattern{{{9.0, 11.0}}, {true, false, true, false, false, true, false}, 10.0};
}

/// What a routine workload component's rate is counted per.
enum class RoutineBasis {
  household,  // Σ households × workload weight
  resident,   // households × persons per household
  building,   // buildings holding households
  floor,      // Σ floors of those buildings
  event,      // events and work orders of the grid (follow-up of each)
  grid        // one per large grid
};
const char* to_string(RoutineBasis basis);

/// One part of the grid worker's routine job: tasks that arise at `per_unit_per_year` ×
/// `share` per unit of `basis`, each taking `minutes` on site plus, when `walk`, the walk to
/// the building. In the event simulation they are low-priority work (events go first).
struct RoutineComponent {
  std::string key;      // scenario key, e.g. "care_visits"
  std::string chinese;  // e.g. "关爱对象走访"
  std::string english;  // e.g. "care-target visits"
  RoutineBasis basis = RoutineBasis::household;
  double share = 1.0;  // share of the units concerned (e.g. care targets among households)
  double per_unit_per_year = 1.0;
  double minutes = 15.0;
  bool walk = true;
  MonthlyProfile monthly = kFlatMonthlyProfile;
  std::string source = "assumption";
};

/// Default routine components (docs/simulation.md tabulates them with their sources).
std::vector<RoutineComponent> default_routine();

/// How the patrol route of a grid is estimated.
enum class PatrolRoute {
  /// Beardwood-Halton-Hammersley tour of the grid's buildings: 0.7124·√(n·A) × detour factor
  /// (n buildings, A grid area). Default: a patrol passes every building.
  building_tour,
  /// The grid polygon's perimeter × detour factor: a boundary walk.
  perimeter
};

/// The analytic workload model (WHO Workload Indicators of Staffing Need, WISN): activity
/// standards × annual volumes → main workload hours; category allowances (support work every
/// worker does: meetings, ledgers, training) as a factor 1 ÷ (1 − allowance share of working
/// time); individual allowances (the grid chief's supervision) added as hours per grid.
struct WorkloadParams {
  std::vector<CategoryParams> categories = default_categories();
  std::vector<RoutineComponent> routine = default_routine();
  /// Residents per household for RoutineBasis::resident: 2.62, 7th national census (2020).
  double persons_per_household = 2.62;
  /// Patrol rounds (巡查, with check-in 打卡) per year: one per working day. Assumption.
  double patrols_per_year = 250.0;
  PatrolRoute patrol_route = PatrolRoute::building_tour;
  /// Minutes per patrol round at each building (entrances, notices, fire passages) and per floor
  /// (stairwells and corridors: 消防通道 checks). Assumptions, configurable.
  double patrol_minutes_per_building = 1.0;
  double patrol_minutes_per_floor = 0.2;
  /// Walking speed, km/h: the common planning assumption (≈ 75 m/min), domain notes.
  double walking_speed_kmh = 4.5;
  /// Network distance ÷ straight-line distance for walking where no network is used. 1.3 is
  /// typical of urban street grids in the walking-accessibility literature (assumption).
  double detour_factor = 1.3;
  /// Mean walk from the grid base to a visited/event building as a share of the grid's
  /// equivalent radius √(A/π) (2/3 for uniform points in a disc) × detour factor.
  double walk_share_of_radius = 2.0 / 3.0;
  /// WISN category allowance of a full-time worker (part-time workers in proportion to their
  /// weekly hours): meetings (例会) and ledgers, reports and app data entry (台账、报表) per
  /// week worked, training per year. Assumptions, configurable.
  double meeting_hours_per_week = 2.0;
  double ledger_hours_per_week = 5.0;
  double training_hours_per_year = 40.0;
  /// WISN individual allowance: the grid chief's (网格长) supervision of the grid's workers and
  /// reporting to the community, hours per large grid per year. Assumption, configurable.
  double grid_chief_hours_per_year = 100.0;
  ShiftPattern full_time = full_time_shift();
  ShiftPattern part_time = part_time_shift();
  /// Events per large grid relative to the town rate, by grid code (`gridplan calibrate`'s
  /// shrunk per-grid multipliers, scenario [events.grid_multipliers]); a grid not listed has 1.
  /// Every event category of the grid is scaled, in the analytic model and the simulation.
  std::map<std::string, double> grid_event_multipliers;
  [[nodiscard]] double event_multiplier(const std::string& grid_code) const {
    const auto it = grid_event_multipliers.find(grid_code);
    return it == grid_event_multipliers.end() ? 1.0 : it->second;
  }
  /// Support (category allowance) hours per year of a worker on `shift`.
  [[nodiscard]] double support_hours_per_year(const ShiftPattern& shift) const {
    const double full_week = full_time.hours_per_week();
    const double scale = full_week > 0.0 ? shift.hours_per_week() / full_week : 0.0;
    return scale *
           ((meeting_hours_per_week + ledger_hours_per_week) * full_time.weeks_worked_per_year() +
            training_hours_per_year);
  }
};

/// The event simulation (workers, queueing, escalation).
struct SimulationParams {
  double horizon_days = 365.0;  // simulated time; starts Monday 00:00 with empty queues
  int replications = 30;
  std::uint64_t seed = 1;
  /// Handling-time variability: log-normal with this coefficient of variation (sd/mean).
  /// 0 makes it deterministic; `exponential_handling` overrides with an exponential.
  double handling_cv = 1.0;  // assumption, configurable
  bool exponential_handling = false;
  /// Simulate home visits and patrols as low-priority work (events always go first).
  bool routine_work = true;
  /// Routine work (every routine component, patrols, support work, the grid chief's hours)
  /// accrues as a backlog of hours at its rates (monthly profiles, mean walks included) and is
  /// taken in blocks of this length when no event waits. Assumption: one hour, the unit a grid
  /// worker plans routine work in.
  double routine_block_minutes = 60.0;
  /// Time the community takes for an escalated matter, mean hours (log-normal, cv 1):
  /// 2 working days. Assumption, configurable.
  double community_hours = 48.0;
  /// Time the service centre takes for a matter passed on, mean hours: 1 week. Assumption.
  double centre_hours = 168.0;
  /// Walk times: when no walking distance to the grid base is given for a building, the worker
  /// walks from where they are: straight line × detour factor (WorkloadParams::detour_factor).
  /// Set false to ignore walking (pure queueing, e.g. the M/M/c check).
  bool walking = true;
  /// Worker choice: the idle worker who has been idle longest; ties by worker order.
};

/// Staffing target: a grid is staffed when the 90th-percentile response time (mean over
/// replications) is below `p90_response_hours` and every worker's mean utilisation is below
/// `max_utilisation`.
struct StaffingTarget {
  double p90_response_hours = 24.0;  // assumption, configurable (respond within one day)
  double max_utilisation = 0.85;     // the usual queueing safety margin
  int max_workers_per_grid = 50;     // stop searching here (reported as unmet)
};

/// Walking-network coverage of stations.
struct CoverageParams {
  /// Distance thresholds, metres: 5/10/15-minute life circles at 4.5 km/h (GB 50180-2018 uses
  /// ≈ 300 / 500 / 800–1000 m).
  std::vector<double> thresholds_m{300.0, 500.0, 1000.0};
  double walking_speed_kmh = 4.5;
  /// Used only when no walking network is given (then the result says so).
  double detour_factor = 1.3;
  /// Buildings or stations farther than this from any walkable line are not joined to the
  /// network; they fall back to straight line × detour to the nearest station, and are listed.
  double max_snap_m = 500.0;
  /// Road classes pedestrians may not use (besides lines marked walkable = false), matched as
  /// in core/road_classes ("trunk" covers "trunk_link"); default: the table's unwalkable ones.
  std::vector<std::string> forbidden_classes = default_unwalkable_road_classes();
};

/// Rules on stations (docs/domain.md).
struct RuleParams {
  /// A large grid passes when a compound station lies inside its polygon or within this
  /// straight-line distance of one of its buildings, metres. Assumption, configurable.
  double station_max_distance_m = 300.0;
  /// National community-service plan (2022): ≥ 30 m² per 100 households served.
  double floor_m2_per_100_households = 30.0;
  /// Households farther than this walking distance from every station fail (15-minute circle).
  double max_walk_m = 1000.0;
};

/// Station siting (maximal covering / set covering).
struct SitingParams {
  /// A candidate covers a building within this walking distance, metres (15-minute circle).
  double radius_m = 1000.0;
  /// Number of new stations for maximal covering.
  int new_stations = 5;
  /// Swap passes of the local search after the greedy start (each pass tries every chosen site
  /// against every candidate; stops early when a pass improves nothing).
  int swap_passes = 3;
  /// With no candidate list, use every building with households as a candidate site.
  bool candidates_from_buildings = true;
};

}  // namespace gp::sim
