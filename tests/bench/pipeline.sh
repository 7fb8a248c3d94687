#!/bin/sh
# Load to polygons (docs/benchmarks.md, "Partition: load to polygons"): builds gridplan and
# bench_pipeline in a release build, generates the synthetic towns with `gridplan synth` (kept
# in the output directory between runs) and times each stage on them.
# Usage: tests/bench/pipeline.sh [build-dir] [sizes...]   (default sizes: 100000 1000000)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/bench-pipeline}
[ $# -gt 0 ] && shift
sizes=${*:-100000 1000000}
out=${GRIDPLAN_BENCH_DIR:-/tmp/gridplan-bench}
mkdir -p "$out"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGRIDPLAN_BUILD_STUDIO=OFF \
  -DGRIDPLAN_BUILD_BENCH=ON >/dev/null
cmake --build "$build" --target gridplan bench_pipeline
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $sizes; do
  town="$out/town-$n.gpkg"
  if [ ! -f "$town" ]; then
    "$build/planner/cli/gridplan" synth --buildings "$n" --out "$town"
  fi
  echo "== $n buildings: $town"
  /usr/bin/time -f "process: %e s wall, %U s user, %S s system, peak RSS %M KiB" \
    "$build/tests/bench/bench_pipeline" "$town"
  # Other work on the machine inflates wall time: the load after the run tells how much.
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
