#!/usr/bin/env python3
"""Lists the grids of an exported plan that are not one polygon, fast enough for the 1M town
(about a second for 100k grids; `gridplan check` and check_plan.py take minutes there).

usage: grids_in_pieces.py PLAN.gpkg

For every feature of large_grids and micro_grids: a grid without geometry, or a multipolygon of
more than one part, is printed with its code, its parts' areas (m², the plan's metric CRS, largest
first), a point on its second largest part, and its households and buildings. Exit 1 when any
grid is listed. Uses Debian's python3-gdal (/usr/bin/python3).
"""
import sys

from osgeo import ogr

ogr.UseExceptions()


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    plan = ogr.Open(sys.argv[1])
    listed = 0
    for layer_name in ("large_grids", "micro_grids"):
        layer = plan.GetLayerByName(layer_name)
        for feature in layer:
            geometry = feature.GetGeometryRef()
            code = feature.GetField("code")
            if geometry is None or geometry.IsEmpty():
                print(f"{layer_name} {code}: no polygon")
                listed += 1
                continue
            if ogr.GT_Flatten(geometry.GetGeometryType()) != ogr.wkbMultiPolygon:
                continue
            parts = [geometry.GetGeometryRef(i) for i in range(geometry.GetGeometryCount())]
            if len(parts) < 2:
                continue
            parts.sort(key=lambda p: p.GetArea(), reverse=True)
            where = parts[1].PointOnSurface()
            areas = " + ".join(f"{p.GetArea():.1f}" for p in parts)
            print(f"{layer_name} {code}: {len(parts)} parts ({areas} m²), second at "
                  f"{where.GetX():.1f} {where.GetY():.1f}; {feature.GetField('households')} "
                  f"households, {feature.GetField('buildings')} buildings")
            listed += 1
    print(f"{listed} grid(s) not one polygon")
    return 1 if listed else 0


if __name__ == "__main__":
    sys.exit(main())
