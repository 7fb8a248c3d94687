#!/bin/sh
# Simulator benchmarks (docs/benchmarks.md, "Simulation"): builds bench_sim in a release build
# and runs the three figures. Usage: tests/bench/sim.sh [build-dir] [des|coverage|siting|all]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/bench-sim}
what=${2:-all}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGRIDPLAN_BUILD_STUDIO=OFF >/dev/null
cmake --build "$build" --target bench_sim
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/tests/bench/bench_sim" "$what"
