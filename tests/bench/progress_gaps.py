#!/usr/bin/env python3
"""Reads GRIDPLAN_PROGRESS_LOG files (one line per progress update: t_s, stage, fraction,
stage_left_s, total_left_s, "(note)" lines for tests/bench/eta_fit.py, then an "(end)" line at
the command's end) and prints, per run:

- per stage: updates, time from its first update to the next stage, the longest gap between
  updates while it was the current stage (seconds), and where in the stage that gap began;
- the run's estimated time left against the actual time left (end − t) at 10 %, 25 %, 50 %,
  75 % and 90 % of the run, and the median/maximum relative error from 10 % of the run on.

Usage: progress_gaps.py LOG [LOG...] [--max-gap S] [--markdown]
Exit 1 when --max-gap is given and some stage's longest gap exceeds it.
Standard library only (runs with any python3).
"""
import argparse
import statistics
import sys


def read(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 5:
                continue
            t, stage, fraction, stage_left, total_left = parts[:5]
            if stage == "(note)":  # the run's size and weights (tests/bench/eta_fit.py)
                continue
            rows.append((float(t), stage, float(fraction),
                         float(stage_left) if stage_left else None,
                         float(total_left) if total_left else None))
    return rows


def analyse(rows):
    """(stages, eta) — stages: list of dicts in order of first update."""
    if not rows:
        return [], []
    end = rows[-1][0] if rows[-1][1] == "(end)" else rows[-1][0]
    updates = [r for r in rows if r[1] != "(end)"]
    stages = {}
    order = []
    for i, (t, stage, fraction, _, _) in enumerate(updates):
        if stage not in stages:
            stages[stage] = {"stage": stage, "updates": 0, "first": t, "last": t, "gap": 0.0,
                             "gap_at": fraction, "time": 0.0}
            order.append(stage)
        s = stages[stage]
        s["updates"] += 1
        s["last"] = t
        nxt = updates[i + 1][0] if i + 1 < len(updates) else end
        gap = nxt - t
        s["time"] += gap
        if gap > s["gap"]:
            s["gap"], s["gap_at"] = gap, fraction
    eta = []
    for t, stage, fraction, _, total_left in updates:
        if total_left is None or end <= 0:
            continue
        actual = end - t
        eta.append((t / end, t, total_left, actual))
    return [stages[s] for s in order], eta


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("logs", nargs="+")
    ap.add_argument("--max-gap", type=float)
    ap.add_argument("--min-stage-s", type=float, default=1.0,
                    help="list stages that took at least this long (default 1 s)")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    worst_overall = 0.0
    for path in a.logs:
        rows = read(path)
        stages, eta = analyse(rows)
        if not rows:
            print(f"{path}: empty log")
            continue
        end = rows[-1][0]
        print(f"\n{path}: {end:.1f} s, {len(rows) - 1} updates")
        long = [s for s in stages if s["time"] >= a.min_stage_s]
        if a.markdown:
            print("\n| stage | time | updates | longest gap | at fraction |")
            print("|---|---|---|---|---|")
        else:
            print(f"  {'stage':44s} {'time s':>8s} {'updates':>8s} {'gap s':>7s} {'at':>6s}")
        for s in long:
            if a.markdown:
                print(f"| {s['stage']} | {s['time']:.1f} s | {s['updates']} | "
                      f"{s['gap']:.2f} s | {100 * s['gap_at']:.0f} % |")
            else:
                print(f"  {s['stage'][:44]:44s} {s['time']:8.1f} {s['updates']:8d} "
                      f"{s['gap']:7.2f} {100 * s['gap_at']:5.0f}%")
        worst = max(stages, key=lambda s: s["gap"])
        worst_overall = max(worst_overall, worst["gap"])
        print(f"  longest gap: {worst['gap']:.2f} s in '{worst['stage']}'")
        if eta:
            print("  run's time left, estimated vs actual:")
            for mark in (0.1, 0.25, 0.5, 0.75, 0.9):
                near = min(eta, key=lambda e: abs(e[0] - mark))
                print(f"    at {100 * mark:3.0f} % of the run ({near[1]:7.1f} s): "
                      f"estimate {near[2]:7.1f} s, actual {near[3]:7.1f} s")
            errors = [abs(e[2] - e[3]) / max(e[3], 1.0) for e in eta if e[0] >= 0.1]
            if errors:
                print(f"  relative error from 10 % of the run on: median "
                      f"{100 * statistics.median(errors):.0f} %, max {100 * max(errors):.0f} %")
            first = eta[0]
            print(f"  first estimate at {first[1]:.1f} s ({100 * first[0]:.1f} % of the run)")
        else:
            print("  no estimate of the run's time left")
    if a.max_gap is not None and worst_overall > a.max_gap:
        print(f"FAIL: a gap of {worst_overall:.2f} s > {a.max_gap} s")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
