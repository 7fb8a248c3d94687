#!/usr/bin/env bash
# The heap under the engine (docs/decisions/0012-allocator.md): `gridplan run --input TOWN
# --no-simulation` on one build linked with glibc's malloc, once per allocator preloaded
# (LD_PRELOAD), the allocators interleaved round by round so that a noisy machine shifts them all
# alike. One line per run: load to polygons (the start of "coverage check" in the progress log:
# reading, validation, tessellation, partition, grid polygons), wall, CPU and peak RSS of the
# whole run. The plans must be the same: each run's plan.gpkg is compared with the first's by
# tests/bench/compare_plans.py.
#
# Usage: tests/bench/allocators.sh GLIBC_BUILD TOWN.gpkg OUT_DIR [ROUNDS]
#   GLIBC_BUILD: a release build configured with -DGRIDPLAN_MIMALLOC=OFF (the default build links
#                mimalloc, and a preloaded allocator would then only replace part of it), e.g.
#                `cmake -S . -B build/glibc -G Ninja -DCMAKE_BUILD_TYPE=Release
#                 -DGRIDPLAN_MIMALLOC=OFF -DGRIDPLAN_BUILD_STUDIO=OFF -DGRIDPLAN_BUILD_TESTS=OFF
#                 && ninja -C build/glibc gridplan`
#   TOWN.gpkg: a benchmark town (tests/bench/make_real_town.py, `gridplan synth`)
#   ROUNDS: default 2
# Allocators absent from this machine are skipped (Debian: libmimalloc2.0, libjemalloc2,
# libtcmalloc-minimal4; tbbmalloc comes with libtbb12).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 3 ] || { echo "usage: $0 GLIBC_BUILD TOWN.gpkg OUT_DIR [ROUNDS]" >&2; exit 2; }
bin=$1/planner/cli/gridplan
town=$2
out=$3
rounds=${4:-2}
python=${PYTHON:-/usr/bin/python3}
[ -x "$bin" ] || { echo "$0: no gridplan in $1" >&2; exit 2; }
[ -f "$town" ] || { echo "$0: no town $town" >&2; exit 2; }
if readelf -d "$bin" | grep -q libmimalloc; then
  echo "$0: $bin links mimalloc; configure that build with -DGRIDPLAN_MIMALLOC=OFF" >&2
  exit 2
fi
lib=/usr/lib/x86_64-linux-gnu
declare -A preload=([glibc]="" [mimalloc]=$lib/libmimalloc.so.2 [jemalloc]=$lib/libjemalloc.so.2
                    [tcmalloc]=$lib/libtcmalloc_minimal.so.4 [tbbmalloc]=$lib/libtbbmalloc_proxy.so.2)
heaps=()
for h in glibc mimalloc jemalloc tcmalloc tbbmalloc; do
  if [ -z "${preload[$h]}" ] || [ -f "${preload[$h]}" ]; then heaps+=("$h"); else
    echo "skipping $h: ${preload[$h]} not installed"; fi
done
mkdir -p "$out"
first=""
status=0
printf '%-10s %5s %18s %8s %8s %10s %s\n' heap round "load-to-polygons s" "wall s" "CPU s" "peak GiB" plan
for r in $(seq 1 "$rounds"); do
  for h in "${heaps[@]}"; do
    tag=$h-$r
    rm -rf "$out/$tag"
    LD_PRELOAD=${preload[$h]} GRIDPLAN_PROGRESS_LOG="$out/$tag.tsv" /usr/bin/time -v \
      "$bin" run --input "$town" --out "$out/$tag" --no-simulation > "$out/$tag.out" 2> "$out/$tag.err"
    rc=$?
    l2p=$(awk -F'\t' '$2=="coverage check"{print $1; exit}' "$out/$tag.tsv")
    wall=$(awk '/Elapsed/{n=split($NF,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$out/$tag.err")
    cpu=$(awk '/User time|System time/{s+=$NF} END{print s}' "$out/$tag.err")
    rss=$(awk '/Maximum resident/{printf "%.2f", $NF/1048576}' "$out/$tag.err")
    plan="rc $rc"
    if [ $rc -eq 0 ]; then
      if [ -z "$first" ]; then first=$out/$tag/plan.gpkg; plan="reference"
      elif "$python" "$root/tests/bench/compare_plans.py" "$first" "$out/$tag/plan.gpkg" > "$out/$tag.compare" 2>&1; then
        plan="same plan"
      else plan="DIFFERENT PLAN ($out/$tag.compare)"; status=1; fi
    else status=1; fi
    printf '%-10s %5s %18s %8s %8s %10s %s\n' "$h" "$r" "${l2p:-?}" "${wall:-?}" "${cpu:-?}" "${rss:-?}" "$plan"
  done
done
exit $status
