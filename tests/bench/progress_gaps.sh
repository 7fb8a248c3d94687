#!/usr/bin/env bash
# Progress through every long stage (issue 14 item 5, docs/benchmarks.md "Progress"): runs
# `gridplan run` with GRIDPLAN_PROGRESS_LOG (every progress update with its time, fraction and
# estimates) on each town, then tests/bench/progress_gaps.py prints per stage the longest gap
# between updates and the run's estimated time left against the actual time left.
#
# Usage: tests/bench/progress_gaps.sh [BUILD_DIR] [RUN...]
#   BUILD_DIR: a build with gridplan (default build/release)
#   RUN: demo (data/demo-town.gpkg, whole run: simulation and sensitivity), synth-N
#        (gridplan synth, whole run), real-N (tests/bench/make_real_town.py, one community,
#        --no-simulation), real-N-communities (the same with 1 km communities), real-N-sim (one
#        community with simulation and sensitivity), nanjing / helsinki / monaco (the OSM
#        extracts of ../shared/data/osm, --no-simulation); a suffix -nosim runs a whole-run town
#        without the simulation, -sim an extract with it.
#        Default: demo synth-30000 real-30000.
# Environment: GRIDPLAN_BENCH_DIR (towns, logs, outputs; default build/bench), MAX_GAP (seconds:
# exit 1 when some stage's longest gap is above it; default none: the 1 s target depends on the
# machine and its load, so the figure is reported, not asserted), PYTHON (default /usr/bin/python3).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
[ $# -gt 0 ] && shift
runs=("$@")
[ ${#runs[@]} -eq 0 ] && runs=(demo synth-30000 real-30000)
out=${GRIDPLAN_BENCH_DIR:-$root/build/bench}
python=${PYTHON:-/usr/bin/python3}
gridplan=$build/planner/cli/gridplan
mkdir -p "$out"
[ -x "$gridplan" ] || { echo "no $gridplan: build it first (cmake --build --preset release --target gridplan)"; exit 2; }
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "gridplan: $(git -C "$root" rev-parse --short HEAD) ($build)"

logs=()
for name in "${runs[@]}"; do
  extra=()
  base=${name%-nosim}
  [ "$base" != "$name" ] && extra=(--no-simulation)
  osm=$root/../shared/data/osm
  case $base in
    demo) town=$root/data/demo-town.gpkg ;;
    synth-*) town=$out/$base.gpkg
      [ -f "$town" ] || "$gridplan" synth --quiet --buildings "${base#synth-}" --out "$town" ;;
    real-*-sim) n=${name#real-}; n=${n%-sim}; town=$out/real-$n.gpkg
      [ -f "$town" ] || "$python" "$root/tests/bench/make_real_town.py" --buildings "$n" --out "$town" ;;
    real-*-communities) n=${name#real-}; n=${n%-communities}; town=$out/$name.gpkg
      extra=(--no-simulation)
      [ -f "$town" ] || "$python" "$root/tests/bench/make_real_town.py" --buildings "$n" \
        --communities 1000 --out "$town" ;;
    real-*) town=$out/$name.gpkg; extra=(--no-simulation)
      [ -f "$town" ] || "$python" "$root/tests/bench/make_real_town.py" --buildings "${name#real-}" --out "$town" ;;
    nanjing*) town=$osm/nanjing-xinjiekou.osm ;;
    helsinki*) town=$osm/helsinki-centre.osm.pbf ;;
    monaco*) town=$osm/monaco.osm.pbf ;;
    *) echo "unknown run $name"; continue ;;
  esac
  case $name in nanjing|helsinki|monaco) extra=(--no-simulation) ;; esac
  log=$out/$name.progress-log.tsv
  echo "== $name: $town ${extra[*]} (load $(cut -d' ' -f1-3 /proc/loadavg))"
  GRIDPLAN_PROGRESS_LOG=$log "$gridplan" run --input "$town" --out "$out/progress-$name" \
    --overwrite --quiet "${extra[@]}" >"$out/$name.progress-out" 2>"$out/$name.progress-err"
  rc=$?
  # Exit 7: the run went through and wrote its plan, which breaks a rule of its own audit (said
  # here; the progress log is complete and kept).
  [ $rc -eq 7 ] && echo "  plan $(grep -m1 -o 'breaks rules of its own audit.*)' "$out/$name.progress-out") (exit 7)"
  [ $rc -eq 0 ] || [ $rc -eq 7 ] || { echo "  failed: $(tail -1 "$out/$name.progress-err")"; continue; }
  logs+=("$log")
done
[ ${#logs[@]} -gt 0 ] || exit 1
args=("${logs[@]}")
[ -n "${MAX_GAP:-}" ] && args+=(--max-gap "$MAX_GAP")
"$python" "$root/tests/bench/progress_gaps.py" "${args[@]}"
