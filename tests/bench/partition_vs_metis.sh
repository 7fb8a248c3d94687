#!/usr/bin/env bash
# Partition vs METIS on the same adjacency graph with the same number of parts.
# Usage: tests/bench/partition_vs_metis.sh BENCH_PARTITION [WIDTH HEIGHT]    # lattice town
#        tests/bench/partition_vs_metis.sh BENCH_PARTITION --town TOWN.gpkg   # a loaded town
#   BENCH_PARTITION: the built tests/bench/bench_partition program
# For a town the graph is the union of make_plan's per-community large-grid atom graphs (no edge
# across a hard barrier or a community boundary); METIS gets the whole graph and the total count.
# Needs gpmetis (Debian package `metis`). Figures go to docs/benchmarks.md ("Partition vs METIS").
set -euo pipefail
bench=$1
shift
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

if [ "${1:-}" = "--town" ]; then
  source_args=(--town "$2")
  echo "== large-grid atom graph of $2; bounds 300–500 households (target 400)"
else
  width=${1:-400}
  height=${2:-250}
  source_args=(--width "$width" --height "$height")
  echo "== graph ${width}×${height} lattice with rivers; bounds 300–500 households (target 400)"
fi
"$bench" "${source_args[@]}" --dir "$dir" | tee "$dir/ours.log"
parts=$(cat "$dir/parts")
# Ours in thread CPU time (bench_partition prints it: for a town, partition_graph re-run with
# make_plan's options): with other processes on the cores, CPU against CPU is the fair comparison
# (gpmetis's own "Partitioning" timer is CPU time too).
ours_cpu=$(sed -n 's/.*ours\( re-run\)*: \([0-9.]*\) s thread CPU.*/\2/p' "$dir/ours.log")

# ufactor is the allowed imbalance in per mille of the average part weight: 500/400 = 1.25 → 250
# matches our maximum; METIS has no minimum. 30 is gpmetis's default.
for ufactor in 30 250; do
  for contig in "" "-contig"; do
    # METIS's own "Partitioning" figure is CPU time (GKlib's timers use clock()); the process as
    # a whole is timed too, wall and CPU, as on a busy machine the two differ.
    if ! /usr/bin/time -f "%e %U %S" -o "$dir/metis.time" \
        gpmetis $contig -ufactor=$ufactor "$dir/graph.metis" "$parts" >"$dir/metis.log" 2>&1; then
      echo "metis  ufactor=$ufactor $contig failed: $(grep -m1 -i error "$dir/metis.log" || tail -1 "$dir/metis.log")"
      continue
    fi
    read -r wall user sys <"$dir/metis.time"
    partitioning=$(grep -m1 'Partitioning:' "$dir/metis.log" | awk '{print $2}')
    echo "metis  ufactor=$ufactor ${contig:-(no -contig)}: partitioning ${partitioning} s CPU (its own timer); whole process incl. reading the graph: wall ${wall} s, CPU $(echo "$user + $sys" | bc) s"
    grep -i "warn\|contig" "$dir/metis.log" | head -3 || true
    "$bench" --graph "$dir/graph.atoms" --evaluate "$dir/graph.metis.part.$parts"
    [ -n "$ours_cpu" ] && [ -n "$partitioning" ] &&
      echo "       ratio ours / metis in CPU time: $(echo "scale=2; $ours_cpu / $partitioning" | bc)"
  done
done
