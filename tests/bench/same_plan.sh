#!/usr/bin/env bash
# Whether two runs made the same plan (docs/benchmarks.md "Planning grids and grid polygons, round
# 9"): the buildings layer (every row: bid, grid codes, unit range, its geometry) and the large
# and micro grids (every row and column, the polygons byte for byte) of A/plan.gpkg and
# B/plan.gpkg, by md5 of the rows in fid order. Prints one line per layer; exit 1 when any differs.
# Usage: tests/bench/same_plan.sh RUN_DIR_A RUN_DIR_B
set -uo pipefail
a=$1/plan.gpkg b=$2/plan.gpkg
status=0
for query in \
  "buildings|SELECT fid, bid, large_code, micro_code, unit_range, households, hex(geom) FROM buildings ORDER BY fid" \
  "large_grids|SELECT * , hex(geom) FROM large_grids ORDER BY fid" \
  "micro_grids|SELECT *, hex(geom) FROM micro_grids ORDER BY fid"; do
  layer=${query%%|*} sql=${query#*|}
  rows=$(sqlite3 "$a" "SELECT count(*) FROM $layer")
  ha=$(sqlite3 "$a" "$sql" | md5sum | cut -d' ' -f1)
  hb=$(sqlite3 "$b" "$sql" | md5sum | cut -d' ' -f1)
  if [ "$ha" = "$hb" ]; then echo "$layer: same ($rows rows)"; else echo "$layer: DIFFERENT"; status=1; fi
done
exit $status
