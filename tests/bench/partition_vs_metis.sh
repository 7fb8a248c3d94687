#!/usr/bin/env bash
# Partition vs METIS on the same adjacency graph with the same number of parts.
# Usage: tests/bench/partition_vs_metis.sh BENCH_PARTITION [WIDTH HEIGHT]
#   BENCH_PARTITION: the built tests/bench/bench_partition program
# Needs gpmetis (Debian package `metis`). Figures go to docs/benchmarks.md ("Partition vs METIS").
set -euo pipefail
bench=$1
width=${2:-400}
height=${3:-250}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

echo "== graph ${width}×${height} lattice with rivers; bounds 300–500 households (target 400)"
"$bench" --width "$width" --height "$height" --dir "$dir"
parts=$(cat "$dir/parts")

# ufactor is the allowed imbalance in per mille of the average part weight: 500/400 = 1.25 → 250
# matches our maximum; METIS has no minimum. 30 is gpmetis's default.
for ufactor in 30 250; do
  for contig in "" "-contig"; do
    start=$(date +%s.%N)
    if ! gpmetis $contig -ufactor=$ufactor "$dir/graph.metis" "$parts" >"$dir/metis.log" 2>&1; then
      echo "metis  ufactor=$ufactor $contig failed: $(grep -m1 -i error "$dir/metis.log" || tail -1 "$dir/metis.log")"
      continue
    fi
    end=$(date +%s.%N)
    wall=$(echo "$end - $start" | bc)
    partitioning=$(grep -m1 'Partitioning:' "$dir/metis.log" | awk '{print $2}')
    echo "metis  ufactor=$ufactor ${contig:-(no -contig)}: partitioning ${partitioning} s, wall ${wall} s (incl. reading the graph)"
    "$bench" --width "$width" --height "$height" --evaluate "$dir/graph.metis.part.$parts"
  done
done
