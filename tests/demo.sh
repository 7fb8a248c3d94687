#!/usr/bin/env bash
# `make demo`: the main job on the bundled demo town. Usage: tests/demo.sh GRIDPLAN OUTDIR
set -euo pipefail
gridplan=$1
out=$2
cd "$(dirname "$0")/.."
mkdir -p "$out"
echo "== gridplan inspect data/demo-town.gpkg"
"$gridplan" inspect data/demo-town.gpkg
