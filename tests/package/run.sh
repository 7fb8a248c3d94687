#!/usr/bin/env bash
# Installs the Debian package built by `make package` on this machine and runs what it installed,
# from the installed paths only (nothing from the source or build tree):
#   lintian (no errors), apt-get install ./gridplan_*.deb, gridplan --version, gridplan run on the
#   installed demo town, gridplan-studio --help/--version without a display, the studio's
#   offscreen screenshot of the installed demo scenario, man pages, desktop entry, the Chinese
#   guide, and the QGIS plugin found by qgis_process from QGIS's system plugin folder.
#
#   tests/package/run.sh build/PRESET/package/gridplan_VERSION_ARCH.deb
# Needs root or sudo (it installs the package).
set -euo pipefail
deb=$(realpath "$1")
work=$(mktemp -d /tmp/gridplan-package-XXXXXX)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
fail() { echo "FAIL: $*"; exit 1; }
SECONDS=0
lap() { printf '  [%3d s] %s\n' "$SECONDS" "$1"; }

echo "== lintian $(basename "$deb")"
if command -v lintian >/dev/null; then
  lintian --no-tag-display-limit "$deb" > "$work/lintian.txt" 2>&1 || true
  cat "$work/lintian.txt"
  ! grep -q '^E: ' "$work/lintian.txt" || fail "lintian reports errors"
  lap "lintian: no errors"
else
  echo "SKIP: lintian not installed"
fi

echo "== install"
dpkg-deb --info "$deb" | sed -n '/Package:/,/Description:/p'
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --reinstall "$deb" > "$work/apt.log" 2>&1 \
  || { cat "$work/apt.log"; fail "apt-get install"; }
lap "installed"
for f in /usr/bin/gridplan /usr/bin/gridplan-studio /usr/share/man/man1/gridplan.1.gz \
         /usr/share/man/man1/gridplan-studio.1.gz /usr/share/applications/gridplan-studio.desktop \
         /usr/share/icons/hicolor/scalable/apps/gridplan-studio.svg \
         /usr/share/qgis/python/plugins/gridplanner/metadata.txt \
         /usr/share/gridplanner/data/demo-town.gpkg /usr/share/gridplanner/scenarios/demo-baseline.toml \
         /usr/share/doc/gridplan/copyright /usr/share/doc/gridplan/guide/zh-CN/README.md; do
  [ -f "$f" ] || fail "$f not installed"
done
zcat /usr/share/man/man1/gridplan.1.gz | grep -q '^\.SH "GRIDPLAN RUN"' || fail "man page lacks 'gridplan run'"
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate /usr/share/applications/gridplan-studio.desktop
fi

echo "== run the installed programs (cwd $work, no build tree on PATH)"
cd "$work"
export PATH=/usr/bin:/bin
/usr/bin/gridplan --version | tee version.txt
grep -q "[0-9]\.[0-9]" version.txt || fail "gridplan --version"
/usr/bin/gridplan run /usr/share/gridplanner/scenarios/demo-baseline.toml --out "$work/demo" \
  --no-simulation -q
[ -f "$work/demo/plan.gpkg" ] && [ -f "$work/demo/report.html" ] || fail "gridplan run wrote no plan"
lap "gridplan run on the installed demo town"

# --help and --version with no display and no platform chosen.
(unset DISPLAY WAYLAND_DISPLAY QT_QPA_PLATFORM; /usr/bin/gridplan-studio --version) | tee studio-version.txt
grep -q "gridplan-studio" studio-version.txt || fail "gridplan-studio --version"
(unset DISPLAY WAYLAND_DISPLAY QT_QPA_PLATFORM; /usr/bin/gridplan-studio --help) > studio-help.txt
grep -q -- "--screenshot" studio-help.txt || fail "gridplan-studio --help"
(unset DISPLAY WAYLAND_DISPLAY QT_QPA_PLATFORM
 /usr/bin/gridplan-studio --screenshot "$work/studio.png" --size 1200x800 \
   /usr/share/gridplanner/scenarios/demo-baseline.toml)
[ "$(stat -c %s "$work/studio.png")" -gt 50000 ] || fail "studio screenshot missing or empty"
(unset DISPLAY WAYLAND_DISPLAY QT_QPA_PLATFORM
 /usr/bin/gridplan-studio --lang zh --screenshot "$work/guide.png" --size 1200x800 --view guide \
   /usr/share/gridplanner/scenarios/demo-baseline.toml) 2> "$work/guide.log"
! grep -qi "error\|XHR" "$work/guide.log" || { cat "$work/guide.log"; fail "Help → User guide"; }
lap "gridplan-studio --help, --version and --screenshot from /usr/bin"

if [ -x /usr/bin/qgis_process.bin ]; then
  export HOME="$work/home" QT_QPA_PLATFORM=offscreen QGIS_OPTS= XDG_RUNTIME_DIR="$work/runtime"
  mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
  unset QGIS_PLUGINPATH GRIDPLAN
  /usr/bin/qgis_process.bin plugins enable gridplanner > /dev/null 2>&1
  /usr/bin/qgis_process.bin list 2>/dev/null | grep -q "gridplanner:plangrids" \
    || fail "QGIS does not find the installed plugin"
  /usr/bin/qgis_process.bin run gridplanner:plangrids -- \
    "INPUT=/usr/share/gridplanner/data/demo-town.gpkg|layername=buildings" \
    "INPUT=/usr/share/gridplanner/data/demo-town.gpkg|layername=communities" \
    OUTPUT="$work/qgis-run" > "$work/qgis.log" 2>&1 || { tail -20 "$work/qgis.log"; fail "plugin run"; }
  [ -f "$work/qgis-run/plan.gpkg" ] || fail "the installed plugin wrote no plan"
  lap "QGIS: installed plugin runs the installed gridplan"
else
  echo "SKIP: QGIS not installed; plugin check skipped"
fi
cp "$work/studio.png" "${GRIDPLAN_PACKAGE_SHOT:-/dev/null}" 2>/dev/null || true
rm -rf "$work"
echo "package test passed"
