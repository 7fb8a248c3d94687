#pragma once
// The hand-computable sensitivity case shared by tests/sim/test_sensitivity.cpp and
// test_sensitivity_progress.cpp: two event categories, no routine work, no patrol, no
// allowances, always-on workers, so that need = households × Σ rate × minutes ÷ 60 ÷ AWT.

#include <cmath>

#include "planner/sim/des.hpp"
#include "planner/sim/sensitivity.hpp"

namespace gp::sim::test {

inline ShiftPattern always_on() {
  return ShiftPattern{{{0.0, 24.0}}, {true, true, true, true, true, true, true}, 0.0};
}

/// Category A: 1 event per household per year, 60 min; B: 0.1, 30 min. Nothing else.
inline WorkloadParams hand_workload() {
  WorkloadParams w;
  CategoryParams a;
  a.category = EventCategory::livelihood_services;
  a.events_per_household_per_year = 1.0;
  a.handling_minutes = 60.0;
  a.escalate_to_community = 0.0;
  a.daily.fill(1.0);
  a.weekly.fill(1.0);
  CategoryParams b = a;
  b.category = EventCategory::health;
  b.events_per_household_per_year = 0.1;
  b.handling_minutes = 30.0;
  w.categories = {a, b};
  w.routine.clear();
  w.patrols_per_year = 0.0;
  w.meeting_hours_per_week = 0.0;
  w.ledger_hours_per_week = 0.0;
  w.training_hours_per_year = 0.0;
  w.grid_chief_hours_per_year = 0.0;
  w.full_time = always_on();
  return w;
}

inline GridWorkloadInput hand_grid(int households, double area_m2) {
  GridWorkloadInput g;
  g.code = "G";
  g.households = households;
  g.weighted_households = households;
  g.buildings = 10;
  g.floors = 10;
  g.area_m2 = area_m2;
  g.perimeter_m = 4 * std::sqrt(area_m2);
  return g;
}

}  // namespace gp::sim::test
