#!/usr/bin/env python3
"""Reads GRIDPLAN_PROGRESS_LOG files (one line per progress update: t_s, stage, fraction,
stage_left_s, total_left_s, "(note)" lines for tests/bench/eta_fit.py, then an "(end)" line at
the command's end) and prints, per run:

- per stage: updates, time from its first update to the next stage, the longest gap between
  updates while it was the current stage (seconds), and where in the stage that gap began;
- the run's estimated time left against the actual time left (end − t) at 10 %, 25 %, 50 %,
  75 % and 90 % of the run, and the median/maximum relative error from 10 % of the run on.

Usage: progress_gaps.py LOG [LOG...] [--max-gap S] [--after STAGE] [--cpu CPU_TSV]
                        [--markdown] [--summary]
  --max-gap S    check each stage's longest gap against S seconds: a line "PASS ..." or
                 "FAIL ..." per log naming every stage above it; exit 1 when one is.
  --after STAGE  check (and list) only the stages that begin after STAGE's first update
                 (e.g. "grid polygons": the audit, siting, export); default every stage.
  --cpu FILE     CPU samples of the run ("wall_s cpu_s [rss_kib hwm_kib]" per line,
                 tests/bench/real_shapes.sh's NAME.cpu.tsv, wall from the launch): each stage's
                 CPU seconds beside its wall and, when the samples have them, its peak resident
                 memory (GiB): the largest VmRSS sampled in the stage, or the process's VmHWM at
                 the stage's end when that rose during the stage (a peak between two samples).
                 Only with one LOG.
  --summary      one line instead: the stages up to the evaluation grouped (every "reading
                 FILE:LAYER" as "reading", the validation's steps as "validation"), each as
                 "NAME CPU s / peak GiB" (needs --cpu), for real_shapes.sh's table.
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
    """[(wall_s, cpu_s, rss_kib, hwm_kib)] in time order; rss and hwm None when not sampled."""
    samples = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                samples.append((float(parts[0]), float(parts[1]), None, None))
            elif len(parts) == 4:
                samples.append((float(parts[0]), float(parts[1]), int(parts[2]) or None,
                                int(parts[3]) or None))
    return samples


def cpu_at(samples, t):
    """CPU used by wall time t: the last sample at or before it (None before the first)."""
    c = None
    for wall, cpu, _, _ in samples:
        if wall > t:
            break
        c = cpu
    return c


def hwm_at(samples, t):
    """The process's peak resident set by wall time t (KiB; 0 before the first sample)."""
    h = 0
    for wall, _, _, hwm in samples:
        if wall > t:
            break
        h = hwm or h
    return h


def peak_rss(samples, t0, t1):
    """Peak resident set (KiB) from wall time t0 to t1, None without memory samples: the largest
    VmRSS sampled in the span, or the VmHWM at t1 when it rose in the span (a peak can fall
    between two samples 0.1 s apart)."""
    rss = [r for wall, _, r, _ in samples if t0 <= wall <= t1 and r]
    if not rss:
        return None
    peak = max(rss)
    h0, h1 = hwm_at(samples, t0), hwm_at(samples, t1)
    if h1 > h0:
        peak = max(peak, h1)
    return peak


def stage_cpu_peak(samples, s):
    """(CPU s, peak KiB) of a stage over its own spans (analyse): a stage that reports again
    after other stages (the "planning grids" 1.0 after "grid polygons" and "coverage check") is
    not charged their CPU or their memory, as it was from its first update to its last (round 11:
    real-100000's "planning grids" 6.4 s CPU held grid polygons' 2.4 s and the coverage check's
    0.4 s; its 3.21 GiB at 1M was the coverage check's peak)."""
    cpu, peak = 0.0, None
    for t0, t1 in s["spans"]:
        c0, c1 = cpu_at(samples, t0), cpu_at(samples, t1)
        if c0 is None or c1 is None:
            return None, peak_rss(samples, s["first"], s["end"])
        cpu += c1 - c0
        p = peak_rss(samples, t0, t1)
        if p is not None:
            peak = p if peak is None else max(peak, p)
    return cpu, peak


VALIDATION_STEPS = ("projecting", "estimating households", "validating", "joining", "finding",
                    "checking overlaps", "validated")


def group_of(stage):
    """The summary's name of a stage: reading and the validation's steps as one each."""
    if stage.startswith("reading "):
        return "reading"
    if stage.startswith(VALIDATION_STEPS):
        return "validation"
    return stage


def summary(stages):
    """'NAME CPU s / peak GiB' per group of stages before the evaluation ("workload")."""
    groups, order = {}, []
    for s in stages:
        if s["stage"] == "workload":
            break
        g = group_of(s["stage"])
        if g not in groups:
            groups[g] = {"cpu": 0.0, "peak": None}
            order.append(g)
        if s["cpu"] is not None:
            groups[g]["cpu"] += s["cpu"]
        if s["peak"] is not None:
            groups[g]["peak"] = max(groups[g]["peak"] or 0, s["peak"])
    parts = []
    for g in order:
        peak = groups[g]["peak"]
        parts.append(f"{g} {groups[g]['cpu']:.1f} s / " +
                     ("—" if peak is None else f"{peak / 1048576:.2f} GiB"))
    return " · ".join(parts)


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
        # The stage's own intervals: a stage that updates again after others ("planning grids"
        # 1.0 after "grid polygons" and "coverage check") is charged only its own time.
        if s.setdefault("spans", []) and s["spans"][-1][1] == t:
            s["spans"][-1][1] = nxt
        else:
            s["spans"].append([t, nxt])
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
    ap.add_argument("--summary", action="store_true")
    a = ap.parse_args()
    if a.summary and not a.cpu:
        ap.error("--summary needs --cpu")
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
        if a.summary:
            for s in stages:
                s["cpu"], s["peak"] = stage_cpu_peak(samples, s)
            print(summary(stages))
            continue
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
            s["cpu"] = s["peak"] = None
            if samples:
                s["cpu"], s["peak"] = stage_cpu_peak(samples, s)
        long = [s for s in stages if s["time"] >= a.min_stage_s or
                (a.max_gap is not None and s["gap"] > a.max_gap)]
        cpu_of = lambda s: "—" if s["cpu"] is None else f"{s['cpu']:.1f}"
        peak_of = lambda s: "—" if s["peak"] is None else f"{s['peak'] / 1048576:.2f}"
        if a.markdown:
            print("\n| stage | time | CPU | peak RSS | updates | longest gap | at fraction |")
            print("|---|---|---|---|---|---|---|")
        else:
            print(f"  {'stage':44s} {'time s':>8s} {'CPU s':>7s} {'RSS GiB':>8s} {'updates':>8s} "
                  f"{'gap s':>7s} {'at':>6s}")
        for s in long:
            if a.markdown:
                print(f"| {s['stage']} | {s['time']:.1f} s | {cpu_of(s)} s | {peak_of(s)} GiB | "
                      f"{s['updates']} | {s['gap']:.2f} s | {100 * s['gap_at']:.0f} % |")
            else:
                print(f"  {s['stage'][:44]:44s} {s['time']:8.1f} {cpu_of(s):>7s} "
                      f"{peak_of(s):>8s} {s['updates']:8d} {s['gap']:7.2f} "
                      f"{100 * s['gap_at']:5.0f}%")
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
