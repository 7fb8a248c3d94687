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
