#!/usr/bin/env python3
"""Reads GRIDPLAN_PROGRESS_LOG files (one line per progress update: t_s, stage, fraction,
stage_left_s, total_left_s, "(note)" lines for tests/bench/eta_fit.py, then an "(end)" line at
the command's end) and prints, per run:

- per stage: updates, time from its first update to the next stage, the longest gap between
  updates while it was the current stage (seconds), and where in the stage that gap began;
- the run's estimated time left against the actual time left (end − t) at 10 %, 25 %, 50 %,
  75 % and 90 % of the run, and the median/maximum relative error from 10 % of the run on.

Usage: progress_gaps.py LOG [LOG...] [--max-gap S] [--after STAGE] [--cpu CPU_TSV]
                        [--markdown]
  --max-gap S    check each stage's longest gap against S seconds: a line "PASS ..." or
                 "FAIL ..." per log naming every stage above it; exit 1 when one is.
  --after STAGE  check (and list) only the stages that begin after STAGE's first update
                 (e.g. "grid polygons": the audit, siting, export); default every stage.
  --cpu FILE     CPU samples of the run ("wall_s cpu_s" per line, tests/bench/real_shapes.sh's
                 NAME.cpu.tsv, wall from the launch): each stage's CPU seconds beside its wall.
                 Only with one LOG.
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


def read_cpu(path):
    """[(wall_s, cpu_s)] in time order."""
    samples = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                samples.append((float(parts[0]), float(parts[1])))
    return samples


def cpu_at(samples, t):
    """CPU used by wall time t: the last sample at or before it (None before the first)."""
    c = None
    for wall, cpu in samples:
        if wall > t:
            break
        c = cpu
    return c


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
        s["end"] = nxt
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
    ap.add_argument("--after", help="only the stages that begin after this one's first update")
    ap.add_argument("--cpu", help="CPU samples of the run (wall_s cpu_s per line)")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    if a.cpu and len(a.logs) != 1:
        ap.error("--cpu goes with one LOG")
    samples = read_cpu(a.cpu) if a.cpu else None
    failed = False
    for path in a.logs:
        rows = read(path)
        stages, eta = analyse(rows)
        if not rows:
            print(f"{path}: empty log")
            if a.max_gap is not None:
                print(f"FAIL {path}: no progress updates")
                failed = True
            continue
        end = rows[-1][0]
        print(f"\n{path}: {end:.1f} s, {len(rows) - 1} updates")
        if a.after is not None:
            start = next((s["first"] for s in stages if s["stage"] == a.after), None)
            if start is None:
                print(f"  no stage '{a.after}' in this log: checking every stage")
            else:
                stages = [s for s in stages if s["first"] > start]
        if not stages:
            continue
        for s in stages:
            s["cpu"] = None
            if samples:
                c0, c1 = cpu_at(samples, s["first"]), cpu_at(samples, s["end"])
                if c0 is not None and c1 is not None:
                    s["cpu"] = c1 - c0
        long = [s for s in stages if s["time"] >= a.min_stage_s or
                (a.max_gap is not None and s["gap"] > a.max_gap)]
        cpu_of = lambda s: "—" if s["cpu"] is None else f"{s['cpu']:.1f}"
        if a.markdown:
            print("\n| stage | time | CPU | updates | longest gap | at fraction |")
            print("|---|---|---|---|---|---|")
        else:
            print(f"  {'stage':44s} {'time s':>8s} {'CPU s':>7s} {'updates':>8s} {'gap s':>7s} "
                  f"{'at':>6s}")
        for s in long:
            if a.markdown:
                print(f"| {s['stage']} | {s['time']:.1f} s | {cpu_of(s)} s | {s['updates']} | "
                      f"{s['gap']:.2f} s | {100 * s['gap_at']:.0f} % |")
            else:
                print(f"  {s['stage'][:44]:44s} {s['time']:8.1f} {cpu_of(s):>7s} "
                      f"{s['updates']:8d} {s['gap']:7.2f} {100 * s['gap_at']:5.0f}%")
        worst = max(stages, key=lambda s: s["gap"])
        print(f"  longest gap: {worst['gap']:.2f} s in '{worst['stage']}'")
        if a.max_gap is not None:
            over = [s for s in stages if s["gap"] > a.max_gap]
            scope = f" after '{a.after}'" if a.after else ""
            if over:
                failed = True
                print(f"FAIL {path}: longest silence above {a.max_gap} s{scope} in " +
                      ", ".join(f"'{s['stage']}' {s['gap']:.2f} s at {100 * s['gap_at']:.0f} %"
                                for s in over))
            else:
                print(f"PASS {path}: every stage{scope} updates within {a.max_gap} s "
                      f"(longest {worst['gap']:.2f} s, '{worst['stage']}')")
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
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
