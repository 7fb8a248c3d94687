#!/usr/bin/env bash
# Issue 2 benchmark: load + validate + project N building footprints from a GeoPackage, side by
# side with `ogr2ogr -t_srs` reprojecting the same file, in one run.
# Usage: tests/bench/load_vs_ogr2ogr.sh BUILD_DIR [BUILDINGS [TOWN.gpkg]]
#   BUILD_DIR: a release build (cmake --preset release → build/release)
#   TOWN.gpkg: an already generated `gridplan synth --buildings BUILDINGS` town (else generated)
# The synthetic town is generated in EPSG:4547; it is first converted to geographic WGS84
# (EPSG:4326) so both tools have to project every vertex (gridplan picks the CGCS2000 GK zone).
set -euo pipefail
build=$1
n=${2:-1000000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
gridplan=$build/planner/cli/gridplan
bench=$build/tests/bench/bench_load

town_gk=${3:-}
if [ -z "$town_gk" ]; then
  echo "== generating a town of $n buildings"
  town_gk=$dir/town-gk.gpkg
  "$gridplan" synth --buildings "$n" --out "$town_gk" >/dev/null
fi
ogr2ogr -f GPKG -t_srs EPSG:4326 -nln buildings "$dir/town.gpkg" "$town_gk" buildings
echo "buildings in file: $(ogrinfo -so "$dir/town.gpkg" buildings | grep 'Feature Count')"

for round in 1 2 3; do
  echo "== round $round"
  sync
  rm -f "$dir/out.gpkg"
  /usr/bin/time -f "ogr2ogr -t_srs EPSG:4547: wall %e s  cpu %U+%S s  peak RSS %M KiB" \
    ogr2ogr -f GPKG -t_srs EPSG:4547 "$dir/out.gpkg" "$dir/town.gpkg" buildings
  /usr/bin/time -f "bench_load (whole process): wall %e s  cpu %U+%S s  peak RSS %M KiB" \
    "$bench" "$dir/town.gpkg"
done
