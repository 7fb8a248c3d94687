"""Households moved by a small change, per grid (issue 12 item 7; tests/realdata).

  local_change.py pick PLAN.gpkg
      prints the bid of a building to remove: a closed OSM way (bid > 0) of a home in a large grid
      of at least three buildings, not split by units; the median by households of those.
  local_change.py moved BEFORE.gpkg AFTER.gpkg BID
      prints JSON: the removed building's large grid (code, households, and its neighbours: grids
      whose polygons touch it within 1 m, metric CRS), and the households moved between the two
      plans by large grid, as gridplan counts them (each old grid's successor is the new grid
      receiving most of its households; the rest moved), split into those whose old grid is the
      removed building's grid, a neighbour of it, or further away; the same by micro grid
      ("micro_moved", each old micro grid where its large grid is), and the farthest distance
      (m, between footprints) from the removed building of a building whose households moved,
      by large and by micro grid ("farthest_m"), against the median diagonal of the large
      grids' bounding boxes ("median_grid_diagonal_m": how far one grid reaches).
  local_change.py compound PLAN.gpkg OUT.osm
      writes OUT.osm (OSM XML, ids above any real one) holding one new residential compound
      (landuse=residential): the convex hull, grown by 1 m, of two neighbouring homes of one large
      grid that lie in different micro grids and in no compound yet (the nearest such pair to the
      median home), so the compound, which stays whole, must join them; prints the bids of the
      buildings it takes in (those two and any whose representative point lies inside).
  local_change.py moved BEFORE.gpkg AFTER.gpkg BID[,BID...] --kept
      as `moved`, with the named buildings kept (a compound added around them): their grids are
      the reference ("own") grids.
  local_change.py unchanged BEFORE.gpkg AFTER.gpkg
      prints JSON {"large": N, "micro": M}: the households moved between two plans of the same
      buildings, by large and by micro grid, counted as `moved` counts them (a tower unit by
      unit), whatever the grids' codes.
  local_change.py grids PLAN.gpkg OUT.gpkg
      writes OUT.gpkg holding only PLAN's large_grids and micro_grids layers: an existing plan
      without its buildings layer (as another tool or a platform exports one), which the re-plan
      reads by geometry.

Run with /usr/bin/python3 (geopandas).
"""
import json
import sys
from collections import defaultdict

import geopandas as gpd


def households_by_grid(path, level="large_code"):
    """bid -> [(unit, grid code, households)] from a plan's buildings layer (`level`: the field
    naming the grid, large_code or micro_code): one entry for a whole building, one per unit
    (单元) for a tower split by units (its runs' households spread evenly over their units), so
    the same unit can be followed from one plan to the other."""
    rows = gpd.read_file(path, layer="buildings", ignore_geometry=True)
    out = defaultdict(list)
    for r in rows.sort_values(["bid"]).itertuples():
        grid = getattr(r, level)
        if not r.large_code or not isinstance(grid, str) or not grid:
            continue
        units = str(r.unit_range or "")
        if "-" in units:
            first, last = (int(x) for x in units.split("-"))
            count = last - first + 1
            for u in range(first, last + 1):
                out[int(r.bid)].append((u, grid, int(r.households) / count))
        else:
            out[int(r.bid)].append((0, grid, float(r.households)))
    for b in out:
        out[b].sort()
    return rows, out


def pick(plan):
    rows = gpd.read_file(plan, layer="buildings", ignore_geometry=True)
    runs = rows[rows["unit_range"].fillna("") != ""]["bid"].astype(int).unique().tolist()
    per_grid = rows.groupby("large_code")["bid"].nunique()
    ok = rows[(rows["bid"] > 0) & (rows["households"] > 0) & (~rows["bid"].isin(runs))
              & (rows["large_code"].map(per_grid) >= 3)]
    ok = ok.sort_values(["households", "bid"]).reset_index(drop=True)
    print(int(ok.iloc[len(ok) // 2]["bid"]))


def compound(plan, out_path):
    rows = gpd.read_file(plan, layer="buildings")
    rows = rows.to_crs(rows.estimate_utm_crs())
    runs = set(rows[rows["unit_range"].fillna("") != ""]["bid"].astype(int))
    homes = rows[(rows["bid"] > 0) & (rows["households"] > 0) & (~rows["bid"].isin(runs))
                 & (rows["compound"].fillna("") == "") & (rows["large_code"].fillna("") != "")]
    homes = homes.sort_values(["households", "bid"]).reset_index(drop=True)
    middle = homes.iloc[len(homes) // 2].geometry.centroid
    best = None
    for a in homes.itertuples():
        others = homes[(homes["large_code"] == a.large_code) & (homes["micro_code"] != a.micro_code)]
        for b in others.itertuples():
            gap = a.geometry.distance(b.geometry)
            if gap > 15.0:
                continue
            key = (a.geometry.centroid.distance(middle), gap, min(a.bid, b.bid))
            if best is None or key < best[0]:
                best = (key, a, b)
    if best is None:
        sys.exit("no two homes of one large grid in different micro grids within 15 m")
    _, a, b = best
    outline = a.geometry.union(b.geometry).convex_hull.buffer(1.0, join_style=2)
    # Every building the outline takes in (its representative point inside) joins the compound.
    inside = sorted(int(x) for x in rows[rows.geometry.representative_point().within(outline)]["bid"]
                    if int(x) in set(rows["bid"].astype(int)))
    hull = gpd.GeoSeries([outline], crs=rows.crs).to_crs(4326).iloc[0]
    ring = list(hull.exterior.coords)[:-1]
    first = 10**12
    with open(out_path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="local_change.py">\n')
        for i, (lon, lat) in enumerate(ring):
            f.write(f'  <node id="{first + i}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>\n')
        f.write(f'  <way id="{first}" version="1">\n')
        for i in list(range(len(ring))) + [0]:
            f.write(f'    <nd ref="{first + i}"/>\n')
        f.write('    <tag k="landuse" v="residential"/>\n    <tag k="name" v="新增小区"/>\n')
        f.write('  </way>\n</osm>\n')
    print(",".join(str(x) for x in sorted(set(inside) | {int(a.bid), int(b.bid)})))


def unit_by_unit(was, now):
    """Whether a building's entries pair unit by unit (a tower split in both plans)."""
    return len(was) == len(now) and not (len(now) == 1 and now[0][0] == 0)


def grid_pairs(was, now):
    """(old grid, new grid) of each of a building's households: unit by unit, else every pair."""
    if unit_by_unit(was, now):
        return [(g, n) for (_, g, _h), (_, n, _k) in zip(was, now)]
    return [(g, n) for _, g, _h in was for _, n, _k in now]


def grid_flow(old, new, gone):
    """(old grid, new grid) -> households, and each old grid's successor."""
    # Flow old grid -> new grid over the buildings in both plans, unit by unit for a tower
    # split by units (unit k of the old plan is unit k of the new one; a whole building's
    # households flow to its new grids in proportion).
    flow = defaultdict(float)
    for b, was in old.items():
        if b in gone or b not in new:
            continue
        now = new[b]
        if unit_by_unit(was, now):
            for (_, g, h), (_, n, _k) in zip(was, now):
                flow[(g, n)] += h
            continue
        total = sum(k for _, _, k in now)
        if total <= 0:
            continue
        for _, g, h in was:
            for _, n, k in now:
                flow[(g, n)] += h * k / total
    successor = {}
    for (g, n), f in flow.items():
        if g not in successor or f > flow[(g, successor[g])]:
            successor[g] = n
    return flow, successor


def moved(before, after, bids, kept=False):
    _, old = households_by_grid(before)
    _, new = households_by_grid(after)
    grids = gpd.read_file(before, layer="large_grids")
    grids = grids.to_crs(grids.estimate_utm_crs())
    own = {max(old[b], key=lambda e: e[2])[1] for b in bids}
    removed_grid = sorted(own)[0]
    shapes = grids[grids["code"].isin(own)].geometry
    near = set(grids[grids.geometry.intersects(shapes.buffer(1.0).unary_union)]["code"]) - own
    gone = set() if kept else set(bids)
    flow, successor = grid_flow(old, new, gone)
    out = {"removed_grid": removed_grid, "neighbours": sorted(near),
           "own_grids": sorted(own),
           "removed_grid_households": int(grids[grids["code"] == removed_grid]["households"].iloc[0]),
           "own_grid_households": int(grids[grids["code"].isin(own)]["households"].sum()),
           "removed_households": round(sum(h for b in gone for _, _, h in old[b])),
           "moved": {"own": 0, "neighbours": 0, "elsewhere": 0}, "elsewhere": []}
    for (g, n), f in flow.items():
        if n == successor[g] or f < 0.5:
            continue
        where = "own" if g in own else "neighbours" if g in near else "elsewhere"
        out["moved"][where] += round(f)
        if where == "elsewhere":
            out["elsewhere"].append({"from": g, "to": n, "households": round(f)})
    # The same by micro grid, each old micro grid where its large grid is (own, a neighbour,
    # elsewhere); and how far from the named buildings the buildings whose households moved lie
    # (metres between footprints), by large and by micro grid.
    _, old_micro = households_by_grid(before, "micro_code")
    _, new_micro = households_by_grid(after, "micro_code")
    flow_micro, successor_micro = grid_flow(old_micro, new_micro, gone)
    micro = gpd.read_file(before, layer="micro_grids", ignore_geometry=True)
    parent = dict(zip(micro["code"], micro["large_code"]))
    out["micro_moved"] = {"own": 0, "neighbours": 0, "elsewhere": 0}
    for (g, n), f in flow_micro.items():
        if n == successor_micro[g] or f < 0.5:
            continue
        large = parent.get(g)
        where = "own" if large in own else "neighbours" if large in near else "elsewhere"
        out["micro_moved"][where] += round(f)
    rows = gpd.read_file(before, layer="buildings")
    rows = rows.to_crs(grids.crs)
    shape = rows[rows["bid"].isin(bids)].geometry.unary_union
    box = grids.geometry.bounds
    out["median_grid_diagonal_m"] = round(float(
        (((box.maxx - box.minx) ** 2 + (box.maxy - box.miny) ** 2) ** 0.5).median()), 1)
    out["farthest_m"] = {}
    for level, (was_all, now_all, succ) in (("large", (old, new, successor)),
                                            ("micro", (old_micro, new_micro, successor_micro))):
        moved_bids = {b for b, was in was_all.items() if b not in gone and b in now_all
                      and any(n != succ[g] for g, n in grid_pairs(was, now_all[b]))}
        moved_rows = rows[rows["bid"].isin(moved_bids)]
        out["farthest_m"][level] = round(float(moved_rows.distance(shape).max()), 1) \
            if len(moved_rows) else 0.0
    print(json.dumps(out, ensure_ascii=False))


def unchanged(before, after):
    out = {}
    for name, level in (("large", "large_code"), ("micro", "micro_code")):
        _, old = households_by_grid(before, level)
        _, new = households_by_grid(after, level)
        flow, successor = grid_flow(old, new, set())
        out[name] = round(sum(f for (g, n), f in flow.items() if n != successor[g]))
    print(json.dumps(out))


def grids(plan, out_path):
    for layer in ("large_grids", "micro_grids"):
        gpd.read_file(plan, layer=layer).to_file(out_path, layer=layer, driver="GPKG")


if __name__ == "__main__":
    if sys.argv[1] == "pick":
        pick(sys.argv[2])
    elif sys.argv[1] == "unchanged":
        unchanged(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "grids":
        grids(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "compound":
        compound(sys.argv[2], sys.argv[3])
    else:
        moved(sys.argv[2], sys.argv[3], [int(b) for b in sys.argv[4].split(",")],
              kept="--kept" in sys.argv[5:])
