#!/usr/bin/env bash
# `make demo`: the main job on the bundled demo town — the baseline scenario and its variants,
# each planned, simulated, exported and reported, then compared side by side.
# Usage: tests/demo.sh GRIDPLAN OUTDIR   (OUTDIR is replaced: it holds only demo outputs)
set -euo pipefail
gridplan=$(realpath "$1")
out=$(realpath -m "$2")
cd "$(dirname "$0")/.."
mkdir -p "$out"
start=$SECONDS

echo "== gridplan inspect data/demo-town.gpkg"
"$gridplan" inspect data/demo-town.gpkg

runs=()
for scenario in demo-baseline demo-more-workers demo-small-micro demo-extra-centre \
                demo-merge-communities demo-existing demo-replan; do
  echo
  echo "== gridplan run scenarios/$scenario.toml --out $out/$scenario"
  "$gridplan" run "scenarios/$scenario.toml" --out "$out/$scenario" --overwrite --quiet \
    $([ "$scenario" = demo-baseline ] && echo "--format shp,geojson")
  runs+=("$out/$scenario")
done

echo
echo "== gridplan compare (${#runs[@]} runs) --out $out/compare"
"$gridplan" compare "${runs[@]}" --out "$out/compare" --overwrite --quiet

echo
echo "== ogrinfo $out/demo-baseline/plan.gpkg"
if command -v ogrinfo >/dev/null; then ogrinfo -ro -so -q "$out/demo-baseline/plan.gpkg"; fi
echo
echo "demo finished in $((SECONDS - start)) s"
echo "report:     $out/demo-baseline/report.html"
echo "comparison: $out/compare/compare.html"
