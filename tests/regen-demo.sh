#!/usr/bin/env bash
# `make regen-demo`: regenerate the bundled demo town and its map after a deliberate change to the
# generator (planner/synth). Usage: tests/regen-demo.sh GRIDPLAN
# The test "synth: the committed demo town equals a fresh regeneration" fails until this is run
# and the results are committed together with the generator change.
set -euo pipefail
gridplan=$(realpath "$1")
cd "$(dirname "$0")/.."
seed=20240709  # gp::synth::kDemoSeed (planner/synth/town.hpp); also in data/README.md
"$gridplan" synth --out data/demo-town.gpkg --seed "$seed" --overwrite \
  --png docs/images/demo-town.png --png-width 2400
echo "== changed files (commit them with the generator change):"
git status --short -- data/demo-town.gpkg docs/images/demo-town.png

# Scenario inputs derived from the demo town (scenarios/demo-merge-communities.toml,
# scenarios/demo-extra-centre.toml).
ogr2ogr -f GeoJSON scenarios/data/merged-communities.geojson.tmp data/demo-town.gpkg \
  -dialect SQLite -nln communities -lco COORDINATE_PRECISION=3 -lco RFC7946=NO \
  -sql "SELECT CASE WHEN code IN ('140221100011','140221100012') THEN '140221100011' ELSE code END AS code,
               CASE WHEN code IN ('140221100011','140221100012') THEN '滨河南关社区' ELSE name END AS name,
               ST_Union(geom) AS geom FROM communities GROUP BY 1 ORDER BY 1"
mv scenarios/data/merged-communities.geojson.tmp scenarios/data/merged-communities.geojson
git status --short -- scenarios/data
