#!/usr/bin/env bash
# The studio's progress in a real window (issue 14 item 5): starts gridplan-studio under a virtual
# X server (xvfb-run, Debian `xvfb`), opens a town (plans it, then simulates with --simulate) and
# takes a screenshot of the whole screen every INTERVAL seconds while it works (`import` from
# Debian `imagemagick`). Look at the shots: the toolbar's progress text should name the stage in
# the interface's language (Chinese by default), its percent, and the job's time left
# ("全部约剩 …"), and change from one shot to the next.
#
# Usage: tests/bench/progress_gaps_studio.sh [BUILD_DIR] [OUT_DIR] [-- STUDIO_ARGS...]
#   BUILD_DIR: a build with gridplan-studio (default build/dev)
#   OUT_DIR: where the shots go (default build/bench/studio-progress)
#   STUDIO_ARGS: default `--simulate data/demo-town.gpkg`; e.g. `--synth 20000 --simulate`
# Environment: SHOTS (default 12), INTERVAL (seconds, default 2), LANG_UI (zh or en, default zh).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/dev}
[ $# -gt 0 ] && shift
out=${1:-$root/build/bench/studio-progress}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(--simulate "$root/data/demo-town.gpkg")
studio=$build/qml/gridplan-studio
[ -x "$studio" ] || { echo "no $studio: build it first (--target gridplan-studio)"; exit 2; }
command -v xvfb-run >/dev/null || { echo "needs xvfb-run (apt-get install xvfb xauth)"; exit 2; }
command -v import >/dev/null || { echo "needs import (apt-get install imagemagick)"; exit 2; }
mkdir -p "$out"
rm -f "$out"/shot-*.png
shots=${SHOTS:-12}
interval=${INTERVAL:-2}
# One shell inside the X server: the studio in the background, the shots in the foreground.
xvfb-run -a -s '-screen 0 1600x1000x24' bash -c '
  studio=$1 out=$2 shots=$3 interval=$4 lang=$5; shift 5
  "$studio" --lang "$lang" "$@" >"$out/studio.log" 2>&1 &
  pid=$!
  for i in $(seq -w 1 "$shots"); do
    sleep "$interval"
    kill -0 $pid 2>/dev/null || break
    import -window root "$out/shot-$i.png" 2>/dev/null && echo "$out/shot-$i.png ($(date +%T))"
  done
  kill $pid 2>/dev/null
  wait $pid 2>/dev/null
  true' _ "$studio" "$out" "$shots" "$interval" "${LANG_UI:-zh}" "${args[@]}"
