// gp::Progress: estimates of the time left and gaps between updates, with an injected clock (no
// sleeping, deterministic).

#include <algorithm>
#include <catch2/catch.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "planner/core/errors.hpp"
#include "planner/core/progress.hpp"

namespace {

struct FakeClock {
  double t = 100.0;  // seconds; any origin
  gp::Progress::Clock clock() {
    return [this] { return t; };
  }
};

}  // namespace

TEST_CASE("Progress: the old two-argument callback still receives every update") {
  std::vector<std::pair<std::string, double>> seen;
  gp::Progress progress([&](std::string_view stage, double f) { seen.emplace_back(stage, f); });
  progress.update("loading", 0.0);
  progress.update("loading", 0.5);
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].first == "loading");
  CHECK(seen[1].second == 0.5);
  progress.request_cancel();
  CHECK_THROWS_AS(progress.update("loading", 0.6), gp::Cancelled);
}

TEST_CASE("Progress: a stage's time left is its remaining fraction at the rate so far") {
  FakeClock c;
  std::vector<gp::ProgressReport> reports;
  gp::Progress progress([&](const gp::ProgressReport& r) { reports.push_back(r); }, c.clock());
  c.t += 2.0;  // 2 s pass before the stage starts: not part of the stage's rate
  progress.update("tessellation", 0.0);
  CHECK_FALSE(reports.back().stage_left_s.has_value());  // nothing to estimate from yet
  c.t += 10.0;
  progress.update("tessellation", 0.25);
  // 25 % in 10 s → 75 % in 30 s.
  REQUIRE(reports.back().stage_left_s.has_value());
  CHECK(*reports.back().stage_left_s == Approx(30.0));
  CHECK(reports.back().stage_elapsed_s == Approx(10.0));
  CHECK(reports.back().elapsed_s == Approx(12.0));
  CHECK(reports.back().fraction == Approx(0.25));

  // A display polling between updates: elapsed moves, the estimate counts down.
  c.t += 4.0;
  const gp::ProgressReport polled = progress.report();
  CHECK(polled.since_update_s == Approx(4.0));
  CHECK(polled.stage_elapsed_s == Approx(14.0));
  REQUIRE(polled.stage_left_s.has_value());
  CHECK(*polled.stage_left_s == Approx(26.0));
  // ... and never below zero when the engine is slower than estimated.
  c.t += 100.0;
  CHECK(*progress.report().stage_left_s == Approx(0.0));

  // The rate slowed: 25 % → 50 % at t = 10 + 104 + 6 s of the stage; estimate from the average.
  c.t += 6.0;
  progress.update("tessellation", 0.5);
  CHECK(*reports.back().stage_left_s == Approx(120.0 * 0.5 / 0.5));
}

TEST_CASE("Progress: a stage that starts part-way or again measures its rate from its start") {
  FakeClock c;
  gp::Progress progress([](const gp::ProgressReport&) {}, c.clock());
  progress.update("simulating", 0.5);  // resumed at 50 %: only the gain since counts
  c.t += 5.0;
  progress.update("simulating", 0.75);
  CHECK(*progress.report().stage_left_s == Approx(5.0));
  // Same name, fraction back to 0: a new run of the stage (e.g. another replication batch).
  c.t += 1.0;
  progress.update("simulating", 0.0);
  CHECK_FALSE(progress.report().stage_left_s.has_value());
  CHECK(progress.report().stage_elapsed_s == Approx(0.0));
  // Below 1 % gained, no estimate: one early block would swing it wildly.
  c.t += 1.0;
  progress.update("simulating", 0.005);
  CHECK_FALSE(progress.report().stage_left_s.has_value());
  c.t += 1.0;
  progress.update("simulating", 0.02);
  CHECK(*progress.report().stage_left_s == Approx(2.0 * 0.98 / 0.02));
  // Fractions out of range are clamped, NaN taken as 0.
  progress.update("other", 7.0);
  CHECK(progress.report().fraction == 1.0);
}

TEST_CASE("Progress: stage weights give the time left of the whole run") {
  FakeClock c;
  gp::Progress progress([](const gp::ProgressReport&) {}, c.clock());
  progress.set_stage_weights(
      {{"reading ", 1.0}, {"tessellation", 6.0}, {"planning", 1.0}, {"evaluation", 2.0}});
  c.t += 4.0;
  progress.update("reading town.gpkg", 1.0);  // weight 1 of 10 done in 4 s
  REQUIRE(progress.report().total_left_s.has_value());
  CHECK(*progress.report().total_left_s == Approx(36.0));
  // A stage without a weight belongs to the weighted stage before it: no change in done weight.
  c.t += 1.0;
  progress.update("validating buildings", 0.5);
  CHECK(*progress.report().total_left_s == Approx(5.0 * 9.0 / 1.0));
  // Half the tessellation: 1 + 3 = 4 of 10 in 20 s → 30 s left.
  progress.update("tessellation", 0.0);
  c.t += 15.0;
  progress.update("tessellation", 0.5);
  CHECK(*progress.report().total_left_s == Approx(30.0));
  // Skipping "planning" straight to evaluation counts it done. A stage whose first report is
  // part-way (a fraction of a larger whole, as the evaluation's steps report) starts at none of
  // its own weight done: 1 + 6 + 1 = 8 of 10 at 20 s.
  progress.update("evaluation", 0.5);
  CHECK(*progress.report().total_left_s == Approx(20.0 * 2.0 / 8.0));
  c.t += 20.0;
  progress.update("evaluation", 0.75);  // half of what was left of it: 9 of 10 at 40 s
  CHECK(*progress.report().total_left_s == Approx(40.0 * 1.0 / 9.0));
  // A weighted stage named again (a second file read) lowers nothing.
  progress.update("evaluation", 0.6);
  CHECK(*progress.report().total_left_s == Approx(40.0 * 1.0 / 9.0));
  // Without weights there is no whole-run estimate.
  gp::Progress plain([](const gp::ProgressReport&) {}, c.clock());
  plain.update("tessellation", 0.5);
  CHECK_FALSE(plain.report().total_left_s.has_value());
}

TEST_CASE("Progress: weights set again mid-run (the input's size known) keep what is done") {
  FakeClock c;
  gp::Progress progress([](const gp::ProgressReport&) {}, c.clock());
  std::vector<std::string> notes;
  progress.set_note_handler([&](std::string_view text) { notes.emplace_back(text); });
  // Assumed before loading: validation 1, tessellation 2, export 1.
  progress.set_stage_weights(
      {{"reading ", 1.0}, {"validat", 1.0}, {"tessellat", 2.0}, {"export", 1.0}});
  c.t += 2.0;
  progress.update("reading town.gpkg", 1.0);
  progress.update("validating areas", 0.0);
  c.t += 2.0;
  progress.update("validating areas", 0.5);  // 1 + 0.5 of 5 in 4 s
  CHECK(*progress.report().total_left_s == Approx(4.0 * 3.5 / 1.5));
  // The input turns out to need a long tessellation: 1, 1, 20, 1. Half the validation stays done:
  // 1.5 of 23 in 4 s.
  progress.note("size buildings=100000");
  progress.set_stage_weights(
      {{"reading ", 1.0}, {"validat", 1.0}, {"tessellat", 20.0}, {"export", 1.0}});
  CHECK(*progress.report().total_left_s == Approx(4.0 * 21.5 / 1.5));
  CHECK(*progress.report().run_fraction == Approx(1.5 / 23.0));
  c.t += 2.0;
  progress.update("validating areas", 1.0);  // 2 of 23 in 6 s
  CHECK(*progress.report().total_left_s == Approx(6.0 * 21.0 / 2.0));
  progress.update("tessellation", 0.0);
  c.t += 6.0;
  progress.update("tessellation", 0.1);  // 4 of 23 in 12 s
  CHECK(*progress.report().total_left_s == Approx(12.0 * 19.0 / 4.0));
  REQUIRE(notes.size() == 1);
  CHECK(notes[0] == "size buildings=100000");
  // Without a handler a note goes nowhere.
  gp::Progress quiet([](const gp::ProgressReport&) {}, c.clock());
  quiet.note("nobody listens");
}

TEST_CASE("Progress: timings record each stage's longest gap between updates") {
  FakeClock c;
  gp::Progress progress([](const gp::ProgressReport&) {}, c.clock());
  progress.update("load", 0.0);
  c.t += 0.5;
  progress.update("load", 0.5);
  c.t += 0.25;
  progress.update("load", 1.0);
  c.t += 3.0;  // silent 3 s after the load: charged to "load", the display showed it
  progress.update("tessellation", 0.0);
  c.t += 1.0;
  progress.update("tessellation", 0.1);
  c.t += 7.0;  // nothing since: the gap up to now counts
  const std::vector<gp::StageTiming> t = progress.timings();
  REQUIRE(t.size() == 2);
  CHECK(t[0].stage == "load");
  CHECK(t[0].updates == 3);
  CHECK(t[0].longest_gap_s == Approx(3.0));
  CHECK(t[0].last_s == Approx(0.75));
  CHECK(t[1].stage == "tessellation");
  CHECK(t[1].first_s == Approx(3.75));
  CHECK(t[1].longest_gap_s == Approx(7.0));
}

TEST_CASE("Progress: durations for people") {
  CHECK(gp::format_duration(0.25) == "250 ms");
  CHECK(gp::format_duration(42.4) == "42 s");
  CHECK(gp::format_duration(200.0) == "3 min 20 s");
  CHECK(gp::format_duration(3900.0) == "1 h 05 min");
  CHECK(gp::format_duration(-1.0) == "0 ms");
}

TEST_CASE("WorkCounter: units from many threads report a rising fraction, at most every interval") {
  FakeClock c;
  std::mutex mutex;
  std::vector<double> fractions;
  gp::Progress progress(
      [&](const gp::ProgressReport& r) {
        const std::lock_guard lock(mutex);
        fractions.push_back(r.fraction);
      },
      c.clock());
  {
    // 4 threads × 250 units over [0.2, 0.6]; the fake clock stands still, so only the first
    // unit reports (throttled) until finish().
    gp::WorkCounter counter(&progress, "simulating", 1000.0, 0.2, 0.6);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 250; ++i) counter.add(1.0);
      });
    for (std::thread& t : threads) t.join();
    REQUIRE(fractions.size() == 1);
    CHECK(fractions[0] == Approx(0.2 + 0.4 / 1000.0).margin(0.4 * 4 / 1000.0));
    counter.finish();
    CHECK(fractions.back() == Approx(0.6));
  }
  fractions.clear();
  {
    // The clock moves 0.05 s per unit: a report about every 0.1 s, never lower, ending at
    // the range's end.
    gp::WorkCounter counter(&progress, "sensitivity", 100.0);
    for (int i = 0; i < 100; ++i) {
      c.t += 0.05;
      counter.add(1.0);
    }
    CHECK(fractions.size() >= 33);  // every 2 or 3 units, as the sums of 0.05 round
    CHECK(fractions.size() <= 51);
    CHECK(std::is_sorted(fractions.begin(), fractions.end()));
    CHECK(fractions.back() == Approx(1.0));
  }
  // Cancellation is honoured from add(), even between reports.
  gp::WorkCounter counter(&progress, "x", 10.0);
  progress.request_cancel();
  CHECK_THROWS_AS(counter.add(1.0), gp::Cancelled);
  // No Progress: nothing happens.
  gp::WorkCounter none(nullptr, "x", 10.0);
  CHECK_NOTHROW(none.add(5.0));
  CHECK_NOTHROW(none.finish());
}
