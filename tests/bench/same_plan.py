#!/usr/bin/env python3
"""same_plan.py A.gpkg B.gpkg: compares two plans row by row, in each layer's own order: the
buildings' columns (grid codes), and every grid's, community's and station's columns with the
geometry blob byte for byte. Prints per layer rows and differing rows; exit 1 if any differ."""
import sqlite3, sys, hashlib
a, b = sys.argv[1], sys.argv[2]
ca, cb = sqlite3.connect(a), sqlite3.connect(b)
bad = 0
for (t,) in ca.execute("select table_name from gpkg_contents order by table_name"):
    if t in ("layer_styles",):
        continue
    cols = [r[1] for r in ca.execute(f'pragma table_info("{t}")')]
    colsb = [r[1] for r in cb.execute(f'pragma table_info("{t}")')]
    if cols != colsb:
        print(t, "columns differ"); bad += 1; continue
    key = "fid" if "fid" in cols else cols[0]
    q = f'select * from "{t}" order by "{key}"'
    ra, rb = ca.execute(q), cb.execute(q)
    n = diff = 0
    first = None
    while True:
        x, y = ra.fetchone(), rb.fetchone()
        if x is None and y is None: break
        n += 1
        if x != y:
            diff += 1
            if first is None: first = (x[0] if x else None)
    print(f"{t}: {n} rows, {diff} differ" + (f"  first fid: {first}" if first is not None else ""))
    bad += diff > 0
sys.exit(1 if bad else 0)
