#!/usr/bin/env bash
# `make bench`: every benchmark of docs/benchmarks.md on the release build (build/release, made
# by `make release`), at the sizes the issues name. Synthetic towns are generated once into
# $GRIDPLAN_BENCH_DIR (default /tmp/gridplan-bench) and reused. Long: the 1M-building runs take
# minutes each; BENCH_QUICK=1 runs only the 100k-building sizes.
# Figures are printed; copy them into docs/benchmarks.md with the load average shown.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build/release
out=${GRIDPLAN_BENCH_DIR:-/tmp/gridplan-bench}
mkdir -p "$out"
cmake --build "$build" --target gridplan bench_load bench_partition bench_repeat >/dev/null
sizes="100000 1000000"
[ "${BENCH_QUICK:-0}" = 1 ] && sizes=100000
for n in $sizes; do
  [ -f "$out/town-$n.gpkg" ] || "$build/planner/cli/gridplan" synth --buildings "$n" --out "$out/town-$n.gpkg"
done
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

echo; echo "=== Loading vs ogr2ogr (issue 2)"
"$root/tests/bench/load_vs_ogr2ogr.sh" "$build" 1000000 "$out/town-1000000.gpkg" || true
echo; echo "=== Load to polygons (issue 4)"
# shellcheck disable=SC2086
"$root/tests/bench/pipeline.sh" "$root/build/bench-pipeline" $sizes   # its own release build (no studio)
echo; echo "=== Partition vs METIS (issue 4)"
"$root/tests/bench/partition_vs_metis.sh" "$build/tests/bench/bench_partition" --town "$out/town-100000.gpkg"
"$root/tests/bench/partition_vs_metis.sh" "$build/tests/bench/bench_partition" 400 250
echo; echo "=== Real shapes vs synthetic, partition vs METIS on the real town (issue 14)"
# Towns made from ../shared/data's OSM extracts (skipped when absent), into build/bench.
if [ -d "$root/../shared/data/osm" ]; then
  if [ "${BENCH_QUICK:-0}" = 1 ]; then
    "$root/tests/bench/real_shapes.sh" "$build" synth-100000 real-100000 real-100000-communities
  else
    "$root/tests/bench/real_shapes.sh" "$build" synth-100000 real-100000 real-100000-communities \
      real-10000 real-30000 real-300000 real-1000000-communities real-1000000 metis-real-100000
  fi
else
  echo "skipped: no ../shared/data/osm (the real OSM extracts)"
fi
echo; echo "=== Simulation (issue 5)"
"$root/tests/bench/sim.sh" "$root/build/bench-sim" all   # its own release build
if [ -x "$build/tests/studio/bench_studio" ]; then
  echo; echo "=== Studio (issue 7)"
  QT_QPA_PLATFORM=offscreen "$build/tests/studio/bench_studio" --synth 100000
fi
echo; echo "=== Repeated runs (issue 8)"
"$build/tests/bench/bench_repeat" --gpkg "$out/town-100000.gpkg" --runs 3
