#!/usr/bin/env python3
"""The run's estimated time left (issue 14 item 5): how wrong it is, and the stage costs it
should use.

Reads GRIDPLAN_PROGRESS_LOG files of `gridplan run` (one line per progress update: t_s, stage,
fraction, stage_left_s, total_left_s; "(note)" lines with the run's size, scenario and weights
in a sixth column, written by pipeline::weigh_stages; an "(end)" line at the command's end).

For each log it measures the error of the run's time left, sampled at every 1 % of the run's
wall time from 10 % to 99 % (the estimate in force then, counting down from its update, against
the actual time left end − t; relative error |estimate − actual| ÷ max(actual, 1 s)):
- "as run": the total_left_s the binary logged;
- "fixed shares": the estimator replayed (a port of gp::Progress) with main's stage weights
  before round 5 (fixed shares of the run, pipeline.cpp at 1a823fc);
- "by size": replayed with the weights of this script's cost model (a port of
  pipeline::run_stage_weights: seconds per building, vertex, … per stage) and the coefficients
  given by --coefficients (default: those this script fits on the logs given);
- with --loo, "by size, left out": each run replayed with coefficients fitted on the others.

--fit prints the fitted coefficients as the C++ table of planner/pipeline/pipeline.cpp
(kStageCosts) and as JSON (--save FILE) for --coefficients.

Fit: each stage's time in a run (from its first update to the first update of a later weighted
stage, as the estimator counts it) is modelled as speed_g × (fixed + Σ cost_u × units_u), with
one speed per group of runs made side by side on one machine — the logs of one directory
(round 12; `--speed-per run` gives each run its own, as before: that matched each run's stage
shares but not the costs between towns) — and non-negative costs; costs and speeds are fitted
alternately, least squares of symmetric relative errors (nnls_sym).

The refit, one command (docs/benchmarks.md "The run's time left: one speed per group, round
12"; the logs of tests/bench/eta_logs.sh, one directory per side-by-side set):

    /usr/bin/python3 tests/bench/eta_fit.py SET1/*.progress-log.tsv [SET2/*.progress-log.tsv …] \
        --fit --write-cpp planner/pipeline/pipeline.cpp --write-fixture tests/data/eta/fit-runs.tsv

writes the stage-cost table into pipeline.cpp and the runs' sizes and stage times into the
fixture test_run_progress checks the table against (the estimate's error at the stage ends of
the long runs, and real vs synthetic tessellation as measured in one group).

Usage: eta_fit.py LOG [LOG...] [--fit] [--loo] [--save FILE] [--coefficients FILE] [--markdown]
                  [--speed-per group|run] [--write-cpp PIPELINE_CPP] [--write-fixture TSV]
Needs numpy (use /usr/bin/python3).
"""
import argparse
import itertools
import json
import math
import os
import statistics
import sys

import numpy as np

STAGE_RATE_FROM = 0.1

UNITS = ["fixed", "buildings", "vertices", "largest_vertices", "line_vertices", "homes"]

# Stages in run order (pipeline::run_stage_weights) and the units each may scale with. Only
# reading has a fixed cost (opening the file, GDAL's drivers): fitted with one speed per run, a
# fixed term elsewhere soaked up the runs' speeds (round 10: 12 s of "fixed" tessellation, 7 s
# of audit, 5 s of export, so a town of 2,000 buildings expected a minute of planning).

STAGES = [
    ("reading ", ["fixed", "buildings", "vertices", "line_vertices"]),
    ("projecting", ["buildings", "vertices", "line_vertices"]),
    ("estimating households", ["buildings"]),
    ("validat", ["buildings", "largest_vertices"]),
    ("tessellat", ["buildings", "vertices", "largest_vertices"]),
    ("planning grids", ["buildings"]),
    ("grid polygons", ["buildings", "largest_vertices"]),
    ("coverage check", ["buildings", "largest_vertices"]),
    ("plan audit", ["buildings", "largest_vertices"]),
    ("workload", ["buildings"]),
    ("coverage", ["buildings"]),
]
SIM_STAGES = ["simulating", "sensitivity"]  # per household-replication-year
SITING = [
    ("siting: coverage of candidates", ["homes"]),
    ("siting: maximal covering", ["homes"]),
    ("siting: set covering", ["homes"]),
]
EXPORT = ("export", ["buildings", "vertices"])


def read_log(path):
    updates, notes, end = [], {}, None
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 5:
                continue
            t, stage = float(parts[0]), parts[1]
            if stage == "(end)":
                end = t
                continue
            if stage == "(note)":
                text = parts[5] if len(parts) > 5 else ""
                key, _, rest = text.partition(" ")
                if text.startswith("weights|"):
                    notes.setdefault("weights_at", t)
                    notes["weights"] = [(w.rpartition("=")[0], float(w.rpartition("=")[2]))
                                        for w in text.split("|")[1:]]
                else:
                    notes[key] = {k: float(v) for k, v in (kv.split("=") for kv in rest.split())}
                    notes[key + "_at"] = t
                continue
            updates.append((t, stage, float(parts[2]),
                            float(parts[4]) if parts[4] else None))
    if end is None and updates:
        end = updates[-1][0]
    return {"path": path, "updates": updates, "notes": notes, "end": end}


def scenario_flags(run):
    sc = run["notes"].get("run")
    if sc is None:  # a log without notes: judge by the stages it went through
        stages = {u[1] for u in run["updates"]}
        return {"simulate": float("simulating" in stages),
                "sensitivity": float("sensitivity" in stages),
                "siting": float(any(s.startswith("siting") for s in stages)),
                "replications": 10, "years": 1, "sensitivity_rows": 8,
                "sensitivity_replications": 5}
    return sc


def old_weights(sc):
    """main's run_stage_weights before round 5 (fixed shares)."""
    w = [("reading ", 0.010), ("projecting", 0.005), ("estimating households", 0.005),
         ("validat", 0.050), ("tessellat", 0.250), ("planning grids", 0.010),
         ("grid polygons", 0.015), ("coverage check", 0.015), ("plan audit", 0.030),
         ("workload", 0.002), ("coverage:", 0.005)]
    years = sc["years"]
    if sc["simulate"]:
        w.append(("simulating", 0.060 * max(sc["replications"], 1) * years / 10))
        if sc["sensitivity"]:
            runs = 2 * max(sc["sensitivity_rows"], 0) + 1 + 10
            w.append(("sensitivity", 0.060 * 0.75 * runs * max(sc["sensitivity_replications"], 2)
                      * years / 10))
    w.append(("station rules", 0.001))
    if sc["siting"]:
        w += [("siting: coverage of candidates", 0.030), ("siting: maximal covering", 0.005),
              ("siting: set covering", 0.005)]
    w.append(("export", 0.015))
    return w


ASSUMED = {"buildings": 10000, "vertices": 90000, "communities": 1, "largest_community": 10000,
           "largest_vertices": 90000, "line_vertices": 10000, "households": 300000,
           "homes": 10000}


def sim_units(sc, size):
    years = sc["years"]
    sim = size["households"] * max(sc["replications"], 1) * years
    runs = 2 * max(sc["sensitivity_rows"], 0) + 1 + 10
    sens = size["households"] * runs * max(sc["sensitivity_replications"], 2) * years
    return sim, sens


def new_weights(sc, size, coef):
    """A port of pipeline::run_stage_weights with `coef` {stage: {unit: seconds per unit}}."""
    def seconds(stage):
        c = coef.get(stage, {})
        return sum(c.get(u, 0.0) * (1.0 if u == "fixed" else size[u]) for u in UNITS)
    w = [(p, seconds(p)) for p, _ in STAGES]
    if sc["simulate"]:
        sim, sens = sim_units(sc, size)
        w.append(("simulating", coef.get("simulating", {}).get("household_years", 0) * sim))
        if sc["sensitivity"]:
            w.append(("sensitivity", coef.get("sensitivity", {}).get("household_years", 0) * sens))
    w.append(("station rules", 0.001))
    if sc["siting"]:
        w += [(p, seconds(p)) for p, _ in SITING]
    w.append((EXPORT[0], seconds(EXPORT[0])))
    return w


def index_of(weights, stage):
    for i, (prefix, _) in enumerate(weights):
        if stage.startswith(prefix):
            return i
    return None


def replay(run, weights_before, weights_after=None, switch_at=None, stage_rate=False):
    """gp::Progress's run estimate at each update: [(t, total_left or None)]. `weights_after`
    replaces the weights from time `switch_at` on (pipeline::weigh_stages after loading). With
    `stage_rate`, the current weighted stage's rest goes at its own rate once it has done
    STAGE_RATE_FROM of its weight, the stages after it at the run's rate."""
    weights = weights_before
    stage, fraction, w_index, done_before, w_fraction, w_start = None, 0.0, None, 0.0, 0.0, 0.0
    w_began = 0.0
    out = []
    switched = weights_after is None
    for t, st, f, _ in run["updates"]:
        if not switched and t >= switch_at:
            switched = True
            before = w_index
            weights = weights_after
            w_index = index_of(weights, stage) if stage is not None else None
            if before is None or w_index is None or before != w_index:
                w_fraction, w_start = 0.0, fraction
            done_before = sum(w for _, w in weights[:w_index]) if w_index is not None else 0.0
        if st != stage:
            stage = st
            i = index_of(weights, st)
            if i is not None and (w_index is None or i > w_index):
                done_before = sum(w for _, w in weights[:i])
                w_index, w_fraction, w_start = i, 0.0, f
                w_began = t
        fraction = f
        if w_index is not None and index_of(weights, stage) == w_index:
            share = (f - w_start) / (1 - w_start) if w_start < 1 else 1.0
            w_fraction = max(w_fraction, min(max(share, 0.0), 1.0))
        est = None
        if w_index is not None:
            total = sum(w for _, w in weights)
            done = done_before + weights[w_index][1] * w_fraction
            if total > 0 and done >= 0.01 * total and t > 0:
                est = t * (total - done) / done
                if stage_rate and w_fraction >= STAGE_RATE_FROM and t > w_began:
                    # The rest of this stage at its own rate; the stages after it at the rate
                    # of the run before this stage (seconds per unit of weight).
                    own = (t - w_began) * (1 - w_fraction) / w_fraction
                    after = total - done_before - weights[w_index][1]
                    rate = (w_began / done_before) if done_before > 0 else t / done
                    est = own + after * rate
        out.append((t, est))
    return out


def errors(run, estimates):
    """Relative errors sampled at each 1 % of the run's time from 10 % to 99 %."""
    end = run["end"]
    out = []
    k = 0
    last = None
    for pct in range(10, 100):
        t = end * pct / 100
        while k < len(estimates) and estimates[k][0] <= t:
            if estimates[k][1] is not None:
                last = estimates[k]
            k += 1
        if last is None:
            continue
        est = max(0.0, last[1] - (t - last[0]))
        actual = end - t
        out.append(abs(est - actual) / max(actual, 1.0))
    return out


def stage_times(run, weights):
    """Seconds per weighted stage as the estimator assigns them."""
    times = {}
    w_index = None
    updates = run["updates"]
    for k, (t, st, _, _) in enumerate(updates):
        i = index_of(weights, st)
        if i is not None and (w_index is None or i > w_index):
            w_index = i
        nxt = updates[k + 1][0] if k + 1 < len(updates) else run["end"]
        if w_index is not None:
            name = weights[w_index][0]
            times[name] = times.get(name, 0.0) + (nxt - t)
    return times


def design(run, stage, units):
    size, sc = run["notes"]["size"], scenario_flags(run)
    if stage in SIM_STAGES:
        sim, sens = sim_units(sc, size)
        return [sim if stage == "simulating" else sens]
    return [1.0 if u == "fixed" else size[u] for u in units]


def all_stages():
    return ([(p, u) for p, u in STAGES] + [(s, ["household_years"]) for s in SIM_STAGES]
            + SITING + [EXPORT])


def nnls_sym(X, y, rounds=6):
    """About min Σ log(X a ÷ y)² with a ≥ 0: relative errors on the scale √(y · prediction),
    reweighted a few times (nnls_rel's first answer, then the geometric mean of measured and
    predicted). Relative errors alone cost at most 100 % for a stage predicted at nothing but
    without bound for one predicted too long, so a fit could price a town's stage at ~0 (round
    12: synth-100000's tessellation at 1/100 of real-100000's, measured 1/2)."""
    a = nnls_rel(X, y)
    for _ in range(rounds):
        pred = X @ a
        scale = np.sqrt(y * np.clip(pred, y / 10, y * 10))
        a = nnls_rel(X, y, scale)
    return a


def nnls_rel(X, y, scale=None):
    """min Σ ((X a − y) / scale)² with a ≥ 0 (scale: y unless given), by trying every subset of
    columns (≤ 4 units)."""
    Xr = X / (y if scale is None else scale)[:, None]
    ones = y / (y if scale is None else scale)
    best, best_a = math.inf, np.zeros(X.shape[1])
    cols = range(X.shape[1])
    for r in range(1, X.shape[1] + 1):
        for subset in itertools.combinations(cols, r):
            a_sub, *_ = np.linalg.lstsq(Xr[:, subset], ones, rcond=None)
            if (a_sub < 0).any():
                continue
            a = np.zeros(X.shape[1])
            a[list(subset)] = a_sub
            err = float(((Xr @ a - ones) ** 2).sum())
            if err < best - 1e-12:
                best, best_a = err, a
    return best_a


def group_of(run, speed_per="group"):
    """The key a run's speed is shared by: its directory (logs made side by side on one machine
    are kept in one directory: tests/bench/progress_gaps.sh and real_shapes.sh write them so), or
    the run itself with speed_per="run"."""
    if speed_per == "run":
        return run["path"]
    return os.path.dirname(os.path.abspath(run["path"]))


def fit(runs, speed_per="group", symmetric=True):
    """{stage: {unit: cost}}, {run path: speed}. One speed per group of runs (group_of): runs
    made side by side share the machine's speed, so the costs carry the real ratios between
    towns (one free speed per run matched each run's stage shares, not its cost against the
    other runs')."""
    key = {r["path"]: group_of(r, speed_per) for r in runs}
    gspeed = {g: 1.0 for g in key.values()}
    speed = {r["path"]: 1.0 for r in runs}
    coef = {}
    skeleton = [(p, 1.0) for p, _ in all_stages()]
    skeleton.insert(len(STAGES) + len(SIM_STAGES), ("station rules", 1.0))
    times = {r["path"]: stage_times(r, skeleton) for r in runs}
    for _ in range(20):
        for stage, units in all_stages():
            rows = [(design(r, stage, units), times[r["path"]][stage] / speed[r["path"]])
                    for r in runs if times[r["path"]].get(stage, 0.0) > 0.02
                    and (stage not in SIM_STAGES or scenario_flags(r)["simulate"])]
            if not rows:
                continue
            X = np.array([x for x, _ in rows], dtype=float)
            y = np.array([t for _, t in rows], dtype=float)
            a = nnls_sym(X, y) if symmetric else nnls_rel(X, y)
            coef[stage] = dict(zip(units, a.tolist()))
        # Each group's speed: the ratio of its runs' stage times to the model's, in logs,
        # weighted by the stage's time (long stages set the speed).
        for g in gspeed:
            ratios, wts = [], []
            for r in runs:
                if key[r["path"]] != g:
                    continue
                for stage, units in all_stages():
                    t = times[r["path"]].get(stage, 0.0)
                    # The speed is the machine's, read on the stages every run has (not the
                    # simulation, which only some runs have: it is fitted against that speed).
                    if t <= 0.02 or stage not in coef or stage in SIM_STAGES:
                        continue
                    pred = sum(c * x for c, x in zip(coef[stage].values(),
                                                     design(r, stage, units)))
                    if pred > 0:
                        ratios.append(t / pred)
                        wts.append(t)
            if ratios:
                gspeed[g] = math.exp(sum(w * math.log(q) for q, w in zip(ratios, wts))
                                     / sum(wts))
        mean = math.exp(statistics.mean(math.log(v) for v in gspeed.values()))
        for g in gspeed:
            gspeed[g] /= mean
        for r in runs:
            speed[r["path"]] = gspeed[key[r["path"]]]
    return coef, speed


def cpp_table(coef):
    lines = []
    for stage, _ in STAGES + SITING + [EXPORT]:
        c = coef.get(stage, {})
        vals = [c.get(u, 0.0) for u in UNITS]
        lines.append('    {"%s", %s},' % (stage, ", ".join("%.3g" % v for v in vals)))
    for s in SIM_STAGES:
        lines.append("// %s per household-replication-year: %.3g"
                     % (s, coef.get(s, {}).get("household_years", 0.0)))
    return "\n".join(lines)


SIZE_KEYS = ["buildings", "vertices", "communities", "largest_community", "largest_vertices",
             "line_vertices", "households", "homes"]
RUN_KEYS = ["simulate", "sensitivity", "siting", "replications", "years", "sensitivity_rows",
            "sensitivity_replications"]


def boundary_errors(stage_seconds, end, weights, start=0.1):
    """The run's time left as the estimator gives it at the end of each weighted stage (elapsed
    × weight left ÷ weight done), against the actual time left, from `start` of the run on:
    relative errors |estimate − actual| ÷ max(actual, 1 s). The measure tests/pipeline/
    test_run_progress.cpp takes on tests/data/eta/fit-runs.tsv (the same sums in C++)."""
    total = sum(w for _, w in weights)
    elapsed = done = 0.0
    out = []
    for prefix, w in weights:
        elapsed += stage_seconds.get(prefix, 0.0)
        done += w
        actual = end - elapsed
        if elapsed < start * end or actual <= 0 or done <= 0 or stage_seconds.get(prefix, 0) <= 0:
            continue
        estimate = elapsed * (total - done) / done
        out.append(abs(estimate - actual) / max(actual, 1.0))
    return out


def write_fixture(path, runs, coef, speed_per):
    """Each run's size, scenario, group and measured seconds per weighted stage, for
    test_run_progress (which checks the weights pipeline.cpp gives against them)."""
    skeleton = [(p, 1.0) for p, _ in all_stages()]
    skeleton.insert(len(STAGES) + len(SIM_STAGES), ("station rules", 1.0))
    with open(path, "w", encoding="utf-8") as f:
        f.write("# Written by tests/bench/eta_fit.py --write-fixture (docs/benchmarks.md \"The "
                "run's time left: one speed per group\", round 12).\n"
                "# One line per progress log the stage costs were fitted on: its group (runs "
                "made side by side), its end (s),\n# its scenario and size (the log's notes), "
                "and its measured seconds per weighted stage.\n")
        f.write("\t".join(["run", "group", "end_s"] + RUN_KEYS + SIZE_KEYS + ["stages"]) + "\n")
        for r in runs:
            sc, size = scenario_flags(r), r["notes"]["size"]
            times = stage_times(r, skeleton)
            name = os.path.basename(r["path"]).replace(".progress-log.tsv", "")
            group = os.path.basename(group_of(r, speed_per))
            stages = "|".join(f"{k}={v:.4f}" for k, v in times.items() if v > 0)
            f.write("\t".join([name, group, f"{r['end']:.3f}"]
                               + [f"{float(sc[k]):g}" for k in RUN_KEYS]
                               + [f"{float(size[k]):.12g}" for k in SIZE_KEYS] + [stages]) + "\n")


def write_cpp(path, coef):
    """Replaces the stage-cost table of planner/pipeline/pipeline.cpp (kStageCosts,
    kSitingCosts, kExportCost and the simulation's two constants) by the fitted one."""
    text = open(path, encoding="utf-8").read()

    def row(stage, width=30):
        c = coef.get(stage, {})
        vals = "".join(("%.3g, " % c.get(u, 0.0)).ljust(10) for u in UNITS).rstrip().rstrip(",")
        return '{"%s",%s%s}' % (stage, " " * max(1, width - len(stage)), vals)

    body = ["constexpr StageCost kStageCosts[] = {",
            "    // prefix                     fixed     building  vertex    largest v. line v.  home"]
    body += ["    %s," % row(p) for p, _ in STAGES]
    body += ["};", "constexpr StageCost kSitingCosts[] = {"]
    body += ["    %s," % row(p) for p, _ in SITING]
    body += ["};", "constexpr StageCost kExportCost =", "    %s;" % row(EXPORT[0])]
    body += ["// Seconds per household and replication-year of the event simulation, and of the "
             "sensitivity's",
             "// variants (each simulates the base, two per simulated row and ~10 staffing probes), "
             "fitted",
             "// against the speed the same runs showed on their other stages.",
             "constexpr double kSimulationPerHouseholdYear = %.3g;"
             % coef.get("simulating", {}).get("household_years", 0.0),
             "constexpr double kSensitivityPerHouseholdYear = %.3g;"
             % coef.get("sensitivity", {}).get("household_years", 0.0)]
    begin = text.index("constexpr StageCost kStageCosts[] = {")
    end = text.index("// clang-format on", begin)
    text = text[:begin] + "\n".join(body) + "\n" + text[end:]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def summary(errs):
    if not errs:
        return "—", "—"
    q = sorted(errs)
    return (f"{100 * statistics.median(q):.0f} %", f"{100 * q[min(len(q) - 1, int(0.9 * len(q)))]:.0f} %")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("logs", nargs="+")
    ap.add_argument("--fit", action="store_true")
    ap.add_argument("--loo", action="store_true")
    ap.add_argument("--save")
    ap.add_argument("--coefficients")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--write-cpp", metavar="PIPELINE_CPP",
                    help="write the fitted costs into planner/pipeline/pipeline.cpp")
    ap.add_argument("--write-fixture", metavar="TSV",
                    help="write the runs' sizes and stage times for test_run_progress "
                         "(tests/data/eta/fit-runs.tsv)")
    ap.add_argument("--speed-per", choices=["group", "run"], default="group",
                    help="one machine speed per directory of logs (runs made side by side; "
                         "default) or per run (before round 12)")
    a = ap.parse_args()
    runs = [read_log(p) for p in a.logs]
    sized = [r for r in runs if "size" in r["notes"]]
    coef = None
    if a.coefficients:
        with open(a.coefficients, encoding="utf-8") as f:
            coef = json.load(f)
    elif sized:
        coef, speed = fit(sized, a.speed_per)
        if a.fit:
            print("speed per run (1 = the groups' geometric mean):")
            for r in sized:
                print(f"  {r['path']}: {speed[r['path']]:.2f}")
            print("kStageCosts:")
            print(cpp_table(coef))
    if a.write_cpp and coef is not None:
        write_cpp(a.write_cpp, coef)
        print(f"wrote the stage costs into {a.write_cpp}")
    if a.write_fixture and coef is not None:
        write_fixture(a.write_fixture, sized, coef, a.speed_per)
        print(f"wrote {len(sized)} runs to {a.write_fixture}")
    if a.save and coef is not None:
        with open(a.save, "w", encoding="utf-8") as f:
            json.dump(coef, f, indent=1)
    cols = ["as run", "fixed shares", "by size", "by size + stage rate"] + (
        ["by size, left out"] if a.loo else [])
    pooled = {c: [] for c in cols}
    per_run = {}
    if a.markdown:
        print("\n| run | " + " | ".join(f"{c}: median / p90" for c in cols) + " |")
        print("|---|" + "---|" * len(cols))
    for r in runs:
        sc = scenario_flags(r)
        res = {}
        logged = [(t, e) for t, _, _, e in r["updates"]]
        res["as run"] = errors(r, logged)
        res["fixed shares"] = errors(r, replay(r, old_weights(sc)))
        if coef is not None and "size" in r["notes"]:
            before = new_weights(sc, ASSUMED, coef)
            after = new_weights(sc, r["notes"]["size"], coef)
            res["by size"] = errors(r, replay(r, before, after, r["notes"]["size_at"]))
            res["by size + stage rate"] = errors(
                r, replay(r, before, after, r["notes"]["size_at"], stage_rate=True))
            if a.loo and len(sized) > 2:
                others = [o for o in sized if o["path"] != r["path"]]
                c2, _ = fit(others, a.speed_per)
                res["by size, left out"] = errors(
                    r, replay(r, new_weights(sc, ASSUMED, c2),
                              new_weights(sc, r["notes"]["size"], c2), r["notes"]["size_at"]))
        per_run[r["path"]] = res
        for c in cols:
            pooled[c] += res.get(c, [])
        cells = []
        for c in cols:
            m, p = summary(res.get(c, []))
            cells.append(f"{m} / {p}")
        name = r["path"].rsplit("/", 1)[-1].replace(".progress-log.tsv", "")
        if a.markdown:
            print(f"| {name} ({r['end']:.0f} s) | " + " | ".join(cells) + " |")
        else:
            print(f"{name} ({r['end']:.0f} s): " + "; ".join(
                f"{c} {cell}" for c, cell in zip(cols, cells)))
    # Runs of a minute or more: where a display's time left matters (a run of a few seconds is
    # over before anyone reads it, and its relative errors dominate a pooled median).
    long_runs = {c: [] for c in cols}
    for r in runs:
        if r["end"] >= 60 and r["path"] in per_run:
            for c in cols:
                long_runs[c] += per_run[r["path"]].get(c, [])
    cells = [" / ".join(summary(long_runs[c])) for c in cols]
    if a.markdown:
        print("| runs ≥ 60 s | " + " | ".join(cells) + " |")
    else:
        print("runs >= 60 s: " + "; ".join(f"{c} {cell}" for c, cell in zip(cols, cells)))
    if coef is not None:
        # test_run_progress's measure on tests/data/eta/fit-runs.tsv: the error at each weighted
        # stage's end, and the real vs synthetic tessellation of a group, weighed and measured.
        skeleton = [(p, 1.0) for p, _ in all_stages()]
        skeleton.insert(len(STAGES) + len(SIM_STAGES), ("station rules", 1.0))
        cells = []
        by_name = {}
        for r in sized:
            times = stage_times(r, skeleton)
            w = new_weights(scenario_flags(r), r["notes"]["size"], coef)
            b = boundary_errors(times, r["end"], w)
            name = os.path.basename(r["path"]).replace(".progress-log.tsv", "")
            by_name[r["path"]] = (name, times, dict(w))
            cells.append(f"{name} {100 * statistics.median(b):.0f} %" if b else f"{name} —")
        print("at stage ends (median): " + "; ".join(cells))
        for rp, (rn, rt, rw) in by_name.items():
            for sp, (sn, st, sw) in by_name.items():
                if (rn.startswith("real-") and sn.startswith("synth-")
                        and group_of({"path": rp}, a.speed_per) == group_of({"path": sp}, a.speed_per)
                        and st.get("tessellat") and rt.get("tessellat")):
                    print(f"tessellation {rn} / {sn}: weighs {rw['tessellat'] / sw['tessellat']:.2f}x,"
                          f" measured {rt['tessellat'] / st['tessellat']:.2f}x")
    cells = [" / ".join(summary(pooled[c])) for c in cols]
    if a.markdown:
        print("| all runs | " + " | ".join(cells) + " |")
    else:
        print("all runs: " + "; ".join(f"{c} {cell}" for c, cell in zip(cols, cells)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
