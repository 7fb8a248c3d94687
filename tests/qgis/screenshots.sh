#!/usr/bin/env bash
# Remakes the documentation screenshots of the QGIS integration and the Chinese guide:
#   docs/images/qgis-plan.png, docs/images/qgis-toolbox-dialog.png (README "Use it from QGIS")
#   docs/guide/zh-CN/images/{qgis-plan,qgis-toolbox-dialog,studio-map,studio-table,studio-guide,
#                            report-overview}.png
#
#   tests/qgis/screenshots.sh GRIDPLAN GRIDPLAN_STUDIO
# QGIS (python3-qgis) and the studio run offscreen; the plan is the demo baseline.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
gridplan=$(realpath "$1")
studio=$(realpath "$2")
work=$(mktemp -d /tmp/gridplan-shots-XXXXXX)
guide="$root/docs/guide/zh-CN/images"
mkdir -p "$guide"
export QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$work/runtime}
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

"$gridplan" run "$root/scenarios/demo-baseline.toml" --out "$work/demo" --no-simulation -q
/usr/bin/python3 "$here/render_plan.py" "$work/demo/plan.gpkg" "$root/docs/images/qgis-plan.png" \
  --size 1200x860
GRIDPLAN_LANG=zh_CN GRIDPLANNER_LANG=zh_CN /usr/bin/python3 "$here/dialog_screenshot.py" \
  "$root/docs/images/qgis-toolbox-dialog.png"
cp "$root/docs/images/qgis-plan.png" "$root/docs/images/qgis-toolbox-dialog.png" "$guide/"
cp "$root/docs/images/report-overview.png" "$guide/report-overview.png"
"$studio" --lang zh --screenshot "$guide/studio-map.png" --size 1400x900 \
  "$root/scenarios/demo-baseline.toml"
"$studio" --lang zh --screenshot "$guide/studio-table.png" --size 1400x900 --view table \
  "$root/scenarios/demo-baseline.toml"
"$studio" --lang zh --screenshot "$guide/studio-guide.png" --size 1400x900 --view guide \
  "$root/scenarios/demo-baseline.toml"
rm -rf "$work"
ls -la "$root/docs/images/qgis-"*.png "$guide"
