#!/usr/bin/env bash
# Real shapes vs synthetic (issue 14, docs/benchmarks.md "Real shapes"): `gridplan run --input TOWN
# --out DIR --no-simulation` on the synthetic 100k town and on real-shapes towns made from the
# OSM extracts in ../shared/data (tests/bench/make_real_town.py), one after the other in one run,
# each under /usr/bin/time -v (wall, user+sys CPU, peak RSS). Every run's exported plan is then
# checked by geometry: tests/bench/grids_in_pieces.py (grids not one polygon, NAME.pieces),
# ../shared/tools/check_plan.py (independent, geopandas) and `gridplan check`
# when this build has it. One table row per run at the end, with the load-to-polygons time (load
# and plan stages, wall and CPU), then each real town's ratio to the synthetic town of the same
# size run in the same invocation (load to polygons and whole run). The table also gives each
# stage's CPU and peak resident memory up to the evaluation (sampled every 0.1 s from /proc), and
# a last table the cost per building of each run (issue 14 item 2's curve: real-10000 …
# real-300000 in one community should cost about the same per building).
#
# Usage: tests/bench/real_shapes.sh [BUILD_DIR] [RUN...]
#   BUILD_DIR: a release build with gridplan (default build/release; `cmake --preset release`)
#   RUN: synth-N (gridplan synth), real-N (one community holding everything), real-N-communities
#        (1 km community squares), metis-TOWN (partition vs gpmetis on that town's graph, needs
#        bench_partition built). Default: synth-100000 real-100000 real-100000-communities
#        real-10000 real-30000 real-300000 real-1000000-communities.
# Environment: GRIDPLAN_BENCH_DIR (towns and outputs; default build/bench), BENCH_TIMEOUT (s per
# run, default 1800), BENCH_MEM_GB (address-space cap per run, default 16: a run past it fails
# with "out of memory" instead of taking the machine's memory from everyone else),
# PYTHON (default /usr/bin/python3, Debian's, which has python3-gdal and python3-geopandas),
# MAX_GAP (s, default 1: each run's every stage, from reading to the export, must update at least this often,
# checked by tests/bench/progress_gaps.py on the run's progress log; PASS/FAIL per town, and the
# script exits 1 when a town fails it).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
[ $# -gt 0 ] && shift
runs=("$@")
[ ${#runs[@]} -eq 0 ] && runs=(synth-100000 real-100000 real-100000-communities real-10000
                               real-30000 real-300000 real-1000000-communities)
out=${GRIDPLAN_BENCH_DIR:-$root/build/bench}
timeout_s=${BENCH_TIMEOUT:-1800}
mem_gb=${BENCH_MEM_GB:-16}
python=${PYTHON:-/usr/bin/python3}
max_gap=${MAX_GAP:-1}
gaps_failed=0
gridplan=$build/planner/cli/gridplan
check_plan=$root/../shared/tools/check_plan.py
mkdir -p "$out"
[ -x "$gridplan" ] || { echo "no $gridplan: build it first (cmake --build --preset release --target gridplan)"; exit 2; }
has_check=0
# `gridplan check PLAN` (issue 12) once this build has it: listed in the subcommands of --help.
"$gridplan" --help 2>/dev/null | grep -qE '^ +check( |$)' && has_check=1

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "gridplan: $(git -C "$root" rev-parse --short HEAD) ($build)"

town_of() {  # run name → GeoPackage, made when missing
  local name=$1 file=$out/$1.gpkg
  if [ ! -f "$file" ]; then
    case $name in
      synth-*) "$gridplan" synth --quiet --buildings "${name#synth-}" --out "$file" >&2 ;;
      real-*-communities) n=${name#real-}; n=${n%-communities}
        "$python" "$root/tests/bench/make_real_town.py" --buildings "$n" --communities 1000 --out "$file" >&2 ;;
      real-*) "$python" "$root/tests/bench/make_real_town.py" --buildings "${name#real-}" --out "$file" >&2 ;;
      *) echo "unknown run $name" >&2; return 1 ;;
    esac
  fi
  echo "$file"
}

# The CPU the run has used so far (user + sys, s) and its memory, every 0.1 s of wall time while
# it runs: one line "wall_s cpu_s rss_kib hwm_kib" per sample, wall from `start` ($EPOCHREALTIME
# when the run was started), rss_kib and hwm_kib gridplan's VmRSS and VmHWM (its resident set
# now and its peak so far, KiB). Read from /proc/PID/stat and /proc/PID/status of gridplan (the
# grandchild of `time` and `timeout`), so the load-to-polygons span is measured in CPU as well as
# wall (the wall time of the plan stage moves with the machine's load several times over, its
# CPU much less) and each stage's peak memory is known (progress_gaps.py --cpu).
sample_cpu() {
  local runner=$1 start=$2 pid="" child tick stat
  tick=$(getconf CLK_TCK)
  while kill -0 "$runner" 2>/dev/null; do
    if [ -z "$pid" ]; then
      child=$runner
      for _ in 1 2; do
        # "PID " without a newline: read the whole file (`read` fails at its end).
        child=$(cat "/proc/$child/task/$child/children" 2>/dev/null)
        child=${child%% *}
        [ -n "$child" ] || break
      done
      pid=$child
    fi
    if [ -n "$pid" ] && read -r stat <"/proc/$pid/stat" 2>/dev/null; then
      stat=${stat##*) }  # fields after "(comm)": state is field 3, utime 14, stime 15
      read -ra f <<<"$stat"
      rss=0 hwm=0
      while read -r key value _; do
        case $key in VmHWM:) hwm=$value ;; VmRSS:) rss=$value ;; esac
      done <"/proc/$pid/status" 2>/dev/null
      awk -v now="$EPOCHREALTIME" -v start="$start" -v u="${f[11]}" -v s="${f[12]}" -v t="$tick" \
        -v rss="$rss" -v hwm="$hwm" \
        'BEGIN { printf "%.3f %.2f %d %d\n", now - start, (u + s) / t, rss, hwm }'
    fi
    sleep 0.1
  done
}

# CPU at wall time T (s since start) from a sample file: the last sample at or before T.
cpu_at() {
  awk -v t="$2" '$1 <= t { c = $2 } END { if (c != "") print c }' "$1"
}

declare -A plan_wall plan_cpu run_cpu run_rss run_buildings
rows=()
broken_runs=()  # "town: what failed" for every exported plan that breaks a check
for name in "${runs[@]}"; do
  if [[ $name == metis-* ]]; then
    # Partition step vs gpmetis on the town's own large-grid atom graph (partition_vs_metis.sh).
    town=$(town_of "${name#metis-}") || continue
    echo "== $name: partition vs gpmetis on $town (load before $(cut -d' ' -f1-3 /proc/loadavg))"
    ( ulimit -v $((mem_gb * 1024 * 1024))
      exec timeout "$timeout_s" "$root/tests/bench/partition_vs_metis.sh" \
        "$build/tests/bench/bench_partition" --town "$town" ) 2>&1 | tee "$out/$name.log"
    echo "  load after: $(cut -d' ' -f1-3 /proc/loadavg)"
    continue
  fi
  town=$(town_of "$name") || { rows+=("| $name | town not made |"); continue; }
  dir=$out/run-$name
  rm -rf "$dir"
  echo "== $name: $town (load before $(cut -d' ' -f1-3 /proc/loadavg))"
  start=$EPOCHREALTIME
  ( ulimit -v $((mem_gb * 1024 * 1024))
    GRIDPLAN_PROGRESS_TRACE=$out/$name.progress.tsv GRIDPLAN_PROGRESS_LOG=$out/$name.progress-log.tsv \
      exec /usr/bin/time -v -o "$out/$name.time" timeout "$timeout_s" \
      "$gridplan" run --input "$town" --out "$dir" --no-simulation ) >"$out/$name.log" 2>"$out/$name.err" &
  runner=$!
  sample_cpu "$runner" "$start" >"$out/$name.cpu.tsv" &
  sampler=$!
  wait "$runner"
  rc=$?
  wait "$sampler"
  grep -E "^scenario|^time:" "$out/$name.log"
  tail -2 "$out/$name.err" | sed 's/^/  stderr: /'
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$out/$name.time")
  cpu=$(awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{printf "%.1f", u+s}' "$out/$name.time")
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%.2f", $2/1048576}' "$out/$name.time")
  stages=$(grep -m1 "^time:" "$out/$name.log" | sed 's/^time: //')
  # Load to polygons (issue 14 item 2): gridplan's load and plan stages (read, validate,
  # tessellate, plan, grid polygons, coverage check, audit), before the evaluation. Wall from
  # gridplan's own stage times; CPU sampled when the progress log shows the evaluation's first
  # stage ("workload"; its time is from the start of the command, the samples' from the launch,
  # a few ms earlier).
  to_polygons="—"
  eval_start=$(awk -F'\t' '$2 == "workload" { print $1; exit }' "$out/$name.progress-log.tsv" 2>/dev/null)
  wall_lp=$(grep -m1 "^time:" "$out/$name.log" | sed -E 's/^time: load ([0-9.]+) s, plan ([0-9.]+) s.*/\1 \2/' |
            awk 'NF == 2 { printf "%.1f", $1 + $2 }')
  cpu_lp=""
  [ -n "$eval_start" ] && cpu_lp=$(cpu_at "$out/$name.cpu.tsv" "$eval_start")
  if [ -n "$wall_lp" ]; then
    to_polygons="$wall_lp s wall, ${cpu_lp:-?} s CPU"
    plan_wall[$name]=$wall_lp
    plan_cpu[$name]=$cpu_lp
  fi
  run_cpu[$name]=$cpu
  run_rss[$name]=$(awk -F': ' '/Maximum resident set size/{print $2}' "$out/$name.time")
  run_buildings[$name]=$(ogrinfo -ro -so "$town" buildings 2>/dev/null | awk -F': ' '/Feature Count/{print $2}')
  communities=$(grep -m1 "^scenario" "$out/$name.log" | sed -E 's/.*communities: ([0-9]+).*/\1/')
  # The longest time the progress display had nothing new from the engine, and in which stage.
  gap=$(awk -F'\t' 'NR>1 && $5>m {m=$5; s=$1} END{if (m) printf "%.1f s (%s)", m, s}' "$out/$name.progress.tsv" 2>/dev/null)
  # Progress (issue 12/14 item 5): every stage, from reading to the export, updates within
  # MAX_GAP s (round 17: the stages up to the polygons too, checked only after them before);
  # the stages' wall, CPU and longest silence into NAME.gaps.
  silence="—"
  if [ -s "$out/$name.progress-log.tsv" ]; then
    "$python" "$root/tests/bench/progress_gaps.py" "$out/$name.progress-log.tsv" \
      --max-gap "$max_gap" --cpu "$out/$name.cpu.tsv" \
      --min-stage-s 0.5 >"$out/$name.gaps" 2>&1
    grc=$?
    sed -n '/^ *stage /,/longest gap/p' "$out/$name.gaps" | sed 's/^/  /'
    verdict=$(grep -E '^(PASS|FAIL)' "$out/$name.gaps" | sed "s| $out/$name.progress-log.tsv||")
    echo "  progress, every stage: ${verdict:-no verdict (exit $grc)}"
    silence="${verdict%%:*} (≤ $max_gap s)"
    [ $grc -eq 0 ] || gaps_failed=1
  fi
  # CPU and peak resident memory of each stage up to the evaluation (issue 14 item 2: where the
  # memory goes), grouped for the table; every stage's wall, CPU and peak RSS into NAME.stages.
  by_stage="—"
  if [ -s "$out/$name.progress-log.tsv" ]; then
    "$python" "$root/tests/bench/progress_gaps.py" "$out/$name.progress-log.tsv" \
      --cpu "$out/$name.cpu.tsv" --min-stage-s 0 >"$out/$name.stages" 2>&1
    by_stage=$("$python" "$root/tests/bench/progress_gaps.py" "$out/$name.progress-log.tsv" \
      --cpu "$out/$name.cpu.tsv" --summary 2>/dev/null | tail -1)
    echo "  by stage, CPU / peak RSS: ${by_stage:-—}"
  fi
  checks=""
  buildings="$communities communities"
  if [ $rc -eq 7 ]; then
    # Exit 7: the plan was written, but the run's own audit (the rules of gridplan check) found
    # a broken rule (docs/cli/README.md "Exit codes"). The checks below still run on it.
    own=$(grep -m1 -o 'breaks rules of its own audit.*)' "$out/$name.log")
    echo "  gridplan run: exit 7, the plan $own"
    broken_runs+=("$name: gridplan run exit 7 (the plan ${own:-breaks rules of its own audit})")
    checks="run exit 7: $own; "
  fi
  if { [ $rc -eq 0 ] || [ $rc -eq 7 ]; } && [ -f "$dir/plan.gpkg" ]; then
    expected=$(ogrinfo -ro -so "$town" buildings 2>/dev/null | awk -F': ' '/Feature Count/{print $2}')
    # First the one-polygon rule alone (seconds even at 1M, where the full checks take minutes).
    "$python" "$root/tests/bench/grids_in_pieces.py" "$dir/plan.gpkg" >"$out/$name.pieces" 2>&1
    echo "  grids_in_pieces.py: $(tail -1 "$out/$name.pieces")"
    grep -q '^0 grid(s) not one polygon' "$out/$name.pieces" || broken_runs+=("$name: grids in pieces")
    c=$("$python" "$check_plan" "$dir/plan.gpkg" 300 500 "$expected" 2>&1 | tail -1)
    echo "  check_plan.py: $c"
    [[ $c == "plan holds"* ]] || broken_runs+=("$name: check_plan.py")
    checks="${checks}check_plan: $c"
    # Buildings in the exported plan and its grids, from check_plan's summary.
    buildings="$(grep -o 'buildings=[0-9]*' <<<"$c" | cut -d= -f2) buildings, $communities communities, $(grep -o 'large=[0-9]*' <<<"$c" | cut -d= -f2) large grids"
    if [ $has_check = 1 ]; then
      # --input: without the town's roads and rivers `gridplan check` cannot check the hard
      # barriers ("no roads or rivers: hard barriers not checked"), and a plan with grids across
      # a main road passed here (round 13, docs/benchmarks.md "Same binary, same town").
      "$gridplan" check "$dir/plan.gpkg" --input "$town" >"$out/$name.check" 2>&1
      crc=$?
      echo "  gridplan check: exit $crc, $(tail -1 "$out/$name.check")"
      checks="$checks; gridplan check: exit $crc"
      [ $crc -eq 0 ] || broken_runs+=("$name: gridplan check exit $crc")
    else
      checks="$checks; gridplan check: not in this build"
    fi
  else
    checks="run failed (exit $rc): $(tail -1 "$out/$name.err")"
    broken_runs+=("$name: run failed")
  fi
  rows+=("| $name | $buildings | $to_polygons | $wall | $cpu s | $rss GiB | ${by_stage:-—} | $stages | $gap | $silence | $checks |")
  echo "  load after: $(cut -d' ' -f1-3 /proc/loadavg)"
done

echo
echo "| run | plan | load to polygons | wall | CPU (user+sys) | peak RSS | by stage to the evaluation: CPU / peak RSS | gridplan's stages | longest progress silence | every stage updates | plan checks |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"

# Real shapes against the synthetic town of the same size, from this run (issue 14 item 2:
# load to polygons ≤ 1.5× the synthetic town's time in the same run).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "" && b > 0) printf "%.2f×", a / b; else printf "—" }'; }
header=0
for name in "${runs[@]}"; do
  [[ $name == real-* ]] || continue
  n=${name#real-}; n=${n%-communities}
  synth=synth-$n
  [ -n "${run_cpu[$synth]:-}" ] && [ -n "${run_cpu[$name]:-}" ] || continue
  if [ $header = 0 ]; then
    echo
    echo "| real / synthetic, same run | load to polygons, wall | load to polygons, CPU | whole run, CPU |"
    echo "|---|---|---|---|"
    header=1
  fi
  echo "| $name / $synth | $(ratio "${plan_wall[$name]:-}" "${plan_wall[$synth]:-}") ($(printf '%s / %s s' "${plan_wall[$name]:-?}" "${plan_wall[$synth]:-?}")) | $(ratio "${plan_cpu[$name]:-}" "${plan_cpu[$synth]:-}") ($(printf '%s / %s s' "${plan_cpu[$name]:-?}" "${plan_cpu[$synth]:-?}")) | $(ratio "${run_cpu[$name]}" "${run_cpu[$synth]}") (${run_cpu[$name]} / ${run_cpu[$synth]} s) |"
done
# Cost per building (issue 14 item 2: close to linear in the buildings of a community): load to
# polygons CPU (ms) and the run's peak resident memory (KiB) per building of the input.
echo
echo "| run | buildings | load to polygons, CPU | CPU per building | peak RSS | peak RSS per building |"
echo "|---|---|---|---|---|---|"
for name in "${runs[@]}"; do
  [ -n "${run_buildings[$name]:-}" ] && [ "${run_buildings[$name]}" -gt 0 ] || continue
  awk -v n="$name" -v b="${run_buildings[$name]}" -v c="${plan_cpu[$name]:-}" \
    -v r="${run_rss[$name]:-}" 'BEGIN {
      cpu = c == "" ? "—" : sprintf("%.1f s", c); per = c == "" ? "—" : sprintf("%.3f ms", 1000 * c / b)
      rss = r == "" ? "—" : sprintf("%.2f GiB", r / 1048576); rper = r == "" ? "—" : sprintf("%.1f KiB", r / b)
      printf "| %s | %d | %s | %s | %s | %s |\n", n, b, cpu, per, rss, rper }'
done
# The plan invariants are checked here, not only printed (issue 14: "checked by the benchmark
# script itself"): a town whose exported plan breaks one fails the script.
if [ ${#broken_runs[@]} -gt 0 ]; then
  printf 'plan checks FAILED: %s\n' "${broken_runs[@]}"
  exit 1
fi
[ $gaps_failed -eq 0 ] || { echo "progress: a stage of a run was silent over $max_gap s (see DIR/NAME.gaps)"; exit 1; }
