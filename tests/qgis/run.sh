#!/usr/bin/env bash
# QGIS headless tests of GridPlanner's styled outputs and Processing provider.
#
#   tests/qgis/run.sh GRIDPLAN [WORKDIR_PARENT]     (a fresh directory under it, removed on success)
#
# 1. styles: `gridplan run` on the demo town (GeoPackage + Shapefiles); render_plan.py opens the
#    layers in QGIS, loads their default styles and renders them, checking the renderer, labels,
#    the violation rule against the data and the colours in the PNG.
# 2. provider: qgis_process with the plugin from planner/qgis_plugin (QGIS_PLUGINPATH, a throwaway
#    QGIS profile): Plan grids on the demo town with non-default bounds and hard road classes (the
#    written plan must carry them), on a real OpenStreetMap extract from ../shared/data (skipped
#    when absent); an engine error must reach the user verbatim; Compare plans on the two runs;
#    Check a plan when the engine has `gridplan check`; cancel (provider_test.py).
# Exit 77 (ctest: skipped) when QGIS is not installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
gridplan=$(realpath "$1")
base=${2:-/tmp}
mkdir -p "$base"
work=$(mktemp -d "$base/gridplan-qgis-XXXXXX")
export QT_QPA_PLATFORM=offscreen
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$work/runtime}
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

# Debian's qgis_process wrapper adds QGIS_OPTS=--noversioncheck, which qgis_process refuses;
# the binary behind it takes no such option.
qgis_process=""
for candidate in /usr/bin/qgis_process.bin "$(command -v qgis_process || true)"; do
  [ -n "$candidate" ] && [ -x "$candidate" ] && { qgis_process=$candidate; break; }
done
if [ -z "$qgis_process" ] || ! /usr/bin/python3 -c 'import qgis.core' 2>/dev/null; then
  echo "SKIP: QGIS is not installed (apt-get install --no-install-recommends qgis python3-qgis qgis-providers)"
  exit 77
fi
export QGIS_OPTS=
qp() { "$qgis_process" "$@" 2> >(grep -v 'XDG_RUNTIME_DIR\|setapi() is deprecated' >&2); }

echo "== 1. styled outputs"
"$gridplan" run "$root/scenarios/demo-baseline.toml" --out "$work/demo" --no-simulation \
  --format shp -q
test -f "$work/demo/shp/large_grids.qml" || { echo "FAIL: no sidecar .qml"; exit 1; }
/usr/bin/python3 "$here/render_plan.py" "$work/demo/plan.gpkg" "$work/demo-gpkg.png"
/usr/bin/python3 "$here/render_plan.py" "$work/demo/shp" "$work/demo-shp.png" --zoom-large-grid 3

echo "== 2. Processing provider"
# A throwaway QGIS profile: enabling the plugin must not touch the user's settings.
export HOME="$work/home"
mkdir -p "$HOME"
export QGIS_PLUGINPATH="$root/planner/qgis_plugin"
export GRIDPLAN="$gridplan"
qp plugins enable gridplanner >/dev/null
qp list | grep -q "gridplanner:plangrids" || { echo "FAIL: provider not listed"; qp list | tail -20; exit 1; }

town="$root/data/demo-town.gpkg"
inputs=()
for layer in buildings compounds communities roads rivers water stations; do
  inputs+=("INPUT=$town|layername=$layer")
done
# Non-default bounds and road classes: the written plan must show them.
qp run gridplanner:plangrids -- "${inputs[@]}" LARGE_MIN=250 LARGE_MAX=450 \
  MICRO_MIN=80 MICRO_MAX=180 HARD_ROADS=2,3 SEED=7 \
  OUTPUT="$work/plugin-a" | tee "$work/plugin-a.log"
test -f "$work/plugin-a/plan.gpkg" || { echo "FAIL: Plan grids wrote no plan.gpkg"; exit 1; }
/usr/bin/python3 - "$work/plugin-a" <<'PY'
import json, sqlite3, sys
run = sys.argv[1]
p = json.load(open(run + "/manifest.json", encoding="utf-8"))["parameters"]
assert p["grids.large"].startswith("250–450"), p["grids.large"]
assert p["grids.micro"].startswith("80–180"), p["grids.micro"]
assert p["barriers.hard_road_classes"] == "primary, secondary", p["barriers.hard_road_classes"]
assert p["scenario.seed"] == "7", p["scenario.seed"]
db = sqlite3.connect(run + "/plan.gpkg")
qml = db.execute("select styleQML from layer_styles where f_table_name='large_grids' and useAsDefault").fetchone()[0]
assert "250–299 户" in qml, "the style's classes do not follow the plugin's bounds"
print("plugin run: bounds 250–450 / 80–180 and hard roads primary, secondary reached the engine")
PY
qp run gridplanner:plangrids -- "INPUT=$town|layername=buildings" "INPUT=$town|layername=communities" \
  "INPUT=$town|layername=compounds" "INPUT=$town|layername=roads" SEED=8 \
  OUTPUT="$work/plugin-b" >/dev/null
test -f "$work/plugin-b/plan.gpkg"

# An engine error reaches the user verbatim (here: bounds no grid can satisfy).
set +e
qp run gridplanner:plangrids -- "INPUT=$town|layername=buildings" LARGE_MIN=500 LARGE_MAX=300 \
  OUTPUT="$work/plugin-bad" > "$work/plugin-bad.log" 2>&1
status=$?
set -e
cat "$work/plugin-bad.log" | grep -v XDG_RUNTIME | tail -5
[ $status -ne 0 ] || { echo "FAIL: impossible bounds did not fail"; exit 1; }
grep -q "min 500 > max 300" "$work/plugin-bad.log" || { echo "FAIL: engine message not shown verbatim"; exit 1; }

qp run gridplanner:compareplans -- "PLANS=$work/plugin-a" "PLANS=$work/plugin-b" \
  OUTPUT="$work/compare" >/dev/null
test -f "$work/compare/compare.html" || { echo "FAIL: Compare plans wrote no compare.html"; exit 1; }
echo "compare: $work/compare/compare.html"

if "$gridplan" --help | grep -qE '^\s+check\s'; then
  # The engine's own verdict: the plan as planned holds (exit 0) with loose bounds; with bounds
  # it cannot meet a rule breaks (exit 1), which is a result (ALL_RULES_HOLD false), not an error.
  # The sound plan is the demo baseline's run. (The plugin run above, with micro grids of 80–180,
  # splits towers into unit runs; `gridplan check` files a split tower under one micro grid, so
  # its other runs read as 0 households — a known limitation, docs/cli/check.md.)
  qp run gridplanner:checkplan -- "PLAN=$work/demo/plan.gpkg" LARGE_MIN=100 LARGE_MAX=5000 \
    MICRO_MIN=1 MICRO_MAX=5000 OUTPUT="$work/check-ok.json" > "$work/check-ok.log"
  grep -q "ALL_RULES_HOLD:[[:space:]]*true" "$work/check-ok.log" || { cat "$work/check-ok.log"; echo "FAIL: check of a sound plan"; exit 1; }
  qp run gridplanner:checkplan -- "PLAN=$work/plugin-a/plan.gpkg" LARGE_MIN=450 LARGE_MAX=460 \
    OUTPUT="$work/check-bad.json" > "$work/check-bad.log"
  grep -q "ALL_RULES_HOLD:[[:space:]]*false" "$work/check-bad.log" || { cat "$work/check-bad.log"; echo "FAIL: check with unmeetable bounds"; exit 1; }
  /usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/check-bad.json"
  echo "check: a sound plan holds, unmeetable bounds break a rule, the JSON is written"
else
  echo "SKIP: Check a plan (this gridplan has no 'check' subcommand yet)"
fi

osm="$root/../shared/data/osm/nanjing-xinjiekou.osm"
if [ -f "$osm" ]; then
  qp run gridplanner:plangrids -- "INPUT=$osm|layername=multipolygons" SEED=1 \
    OUTPUT="$work/plugin-osm" >/dev/null
  /usr/bin/python3 "$here/render_plan.py" "$work/plugin-osm/plan.gpkg" "$work/osm.png"
else
  echo "SKIP: real extract $osm not present"
fi

/usr/bin/python3 "$here/provider_test.py" "$work/provider"
echo "qgis tests passed"
rm -rf "$work"
