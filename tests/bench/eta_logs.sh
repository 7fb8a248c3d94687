#!/usr/bin/env bash
# One side-by-side set of progress logs for the run's time left (issue 14 item 5; docs/benchmarks.md
# "The run's time left: one speed per group, round 12"): the demo town, the three OSM extracts,
# synth-100000 and real-100000 (and real-1000000 with WITH_1M=1, under /work/bench/1M.lock's
# flock when that file's directory exists), one after the other with one build, all logs in
# one directory. tests/bench/eta_fit.py gives every directory of logs one machine speed, so runs
# made together here carry the real cost ratios between towns into the fitted stage costs.
#
# Usage: tests/bench/eta_logs.sh BUILD_DIR OUT_DIR
#   then: /usr/bin/python3 tests/bench/eta_fit.py OUT_DIR/*.progress-log.tsv [MORE_DIRS/*.tsv] \
#           --fit --write-cpp planner/pipeline/pipeline.cpp --write-fixture tests/data/eta/fit-runs.tsv
# Environment: WITH_1M (default 0), BENCH_MEM_GB (default 14), and what progress_gaps.sh and
# real_shapes.sh read. The bench towns (synth-100000.gpkg, real-*.gpkg) are made in OUT_DIR
# when missing; link the shared ones there first (ln -s /work/bench/towns/*.gpkg OUT_DIR/).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: eta_logs.sh BUILD_DIR OUT_DIR}
out=${2:?usage: eta_logs.sh BUILD_DIR OUT_DIR}
mkdir -p "$out"
export GRIDPLAN_BENCH_DIR=$out
export BENCH_MEM_GB=${BENCH_MEM_GB:-14}
"$root/tests/bench/progress_gaps.sh" "$build" demo nanjing helsinki monaco
"$root/tests/bench/real_shapes.sh" "$build" synth-100000 real-100000
if [ "${WITH_1M:-0}" = 1 ]; then
  lock=/work/bench/1M.lock
  if [ -d "$(dirname "$lock")" ]; then
    BENCH_TIMEOUT=${BENCH_TIMEOUT:-3600} flock "$lock" "$root/tests/bench/real_shapes.sh" "$build" real-1000000
  else
    BENCH_TIMEOUT=${BENCH_TIMEOUT:-3600} "$root/tests/bench/real_shapes.sh" "$build" real-1000000
  fi
fi
ls "$out"/*.progress-log.tsv
