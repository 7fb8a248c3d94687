#!/usr/bin/env python3
"""Per-thread CPU of one stage (docs/benchmarks.md, "Tessellation on both cores, round 12").

Usage: thread_split.py PERF_TXT PROGRESS_LOG STAGE
  PERF_TXT:     `perf script -i DATA -F tid,time` of `perf record -F 200 -- gridplan run ...`
  PROGRESS_LOG: the run's GRIDPLAN_PROGRESS_LOG (t_s, stage, fraction, ...)
Samples falling in STAGE are counted per thread: the main thread, the busiest other thread (the
TBB worker on 2 cores) and the rest (GEOS calls watched on helper threads). With both cores
balanced where work is parallel, main - worker + rest is the CPU spent with one core busy, and
all - worker approximates the stage's wall on 2 idle cores.
"""
import bisect
import collections
import sys

txt, plog, stage = sys.argv[1:4]
S = [(int(l.split()[0]), float(l.split()[1].rstrip(':'))) for l in open(txt) if l.strip()]
t0 = S[0][1] - 0.05
rows = [l.rstrip('\n').split('\t') for l in open(plog)][1:]
rows = [(float(r[0]), r[1], float(r[2])) for r in rows if len(r) >= 3]
ts = [r[0] for r in rows]
c = collections.Counter()
for tid, t in S:
    i = bisect.bisect_right(ts, t - t0) - 1
    if i >= 0 and rows[i][1] == stage: c[tid] += 1
tot = sum(c.values())
main = min(c)
print(stage, 'samples', tot, 'by thread', c.most_common(6))
# the TBB worker: the non-main thread with the most samples
others = [(n, tid) for tid, n in c.items() if tid != main]
others.sort(reverse=True)
worker = others[0][1] if others else None
w = c[worker] if worker else 0
print(f'  main {c[main]}  tbb worker {w}  other threads (GEOS watch) {tot - c[main] - w}')
print(f'  CPU-bound wall on 2 idle cores ~ total - worker = {tot - w} samples ({(tot - w)/tot:.2f} of CPU)')
