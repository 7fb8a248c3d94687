#!/usr/bin/env python3
"""Compare two plan.gpkg files (issue 14 item 2, round 9: a speed change must not change a plan).

Usage: compare_plans.py A/plan.gpkg B/plan.gpkg

Same plan: every building row (by fid, bid and unit_range) has the same large and micro grid
codes and the same geometry (the own part the export writes), and every large and micro grid
(by code) has the same row: every column, the polygon byte for byte. Prints a line per layer with the counts
and the first differences; exits 1 when anything differs.
"""
import sqlite3
import sys


def rows(path, sql):
    with sqlite3.connect(path) as c:
        return list(c.execute(sql))


def compare(a, b, layer, sql):
    ra, rb = rows(a, sql), rows(b, sql)
    da = {r[0]: r[1:] for r in ra}
    db = {r[0]: r[1:] for r in rb}
    differ = [k for k in sorted(set(da) | set(db), key=str) if da.get(k) != db.get(k)]
    dup = (len(da) != len(ra)) or (len(db) != len(rb))
    print(f"{layer}: {len(ra)} vs {len(rb)} rows, {len(differ)} differ"
          + (" (duplicate keys)" if dup else "")
          + ("" if not differ else f"; first: {differ[:5]}"))
    return len(differ) == 0 and len(ra) == len(rb)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    a, b = sys.argv[1], sys.argv[2]
    same = True
    same &= compare(a, b, "buildings (grid codes)",
                    "select fid || '/' || coalesce(bid,'') || '/' || coalesce(unit_range,''), "
                    "large_code, micro_code, households from buildings")
    same &= compare(a, b, "buildings (geometry)",
                    "select fid || '/' || coalesce(unit_range,''), hex(geom) from buildings")
    for layer in ("large_grids", "micro_grids"):
        same &= compare(a, b, f"{layer} (every column, WKB)", f"select code, * from {layer}")
    print("SAME PLAN" if same else "PLANS DIFFER")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
