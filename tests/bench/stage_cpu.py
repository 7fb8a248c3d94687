#!/usr/bin/env python3
# Usage: tests/bench/stage_cpu.py PROGRESS_LOG -- gridplan ARGS...  (docs/benchmarks.md, round 11 helper valid)
# stagecpu.py LOG -- cmd...: runs cmd with GRIDPLAN_PROGRESS_LOG=LOG, samples its CPU every 50 ms,
# prints CPU per stage (from the first update of a stage to the first of the next distinct stage).
import os, sys, subprocess, time
log = sys.argv[1]; cmd = sys.argv[3:]
env = dict(os.environ, GRIDPLAN_PROGRESS_LOG=log)
tck = os.sysconf('SC_CLK_TCK')
t0 = time.time()
p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
samples = []
while p.poll() is None:
    try:
        f = open(f'/proc/{p.pid}/stat').read().rsplit(')', 1)[1].split()
        samples.append((time.time() - t0, (int(f[11]) + int(f[12])) / tck))
    except Exception: pass
    time.sleep(0.05)
ru = os.wait4(p.pid, 0) if False else None
total = samples[-1][1] if samples else 0
def cpu_at(t):
    best = 0.0
    for s, c in samples:
        if s <= t: best = c
        else: break
    return best
stages = []
for line in open(log):
    parts = line.rstrip('\n').split('\t')
    if parts[0] == 't_s': continue
    t, st = float(parts[0]), parts[1]
    if st.startswith('reading'): st = 'reading'
    if not stages or stages[-1][1] != st: stages.append((t, st))
agg = {}
order = []
for k, (t, st) in enumerate(stages):
    end = stages[k + 1][0] if k + 1 < len(stages) else samples[-1][0]
    c = cpu_at(end) - cpu_at(t)
    if st not in agg: order.append(st); agg[st] = 0.0
    agg[st] += c
for st in order: print(f'{agg[st]:8.2f}  {st}')
print(f'{total:8.2f}  total (last sample)')
