#!/usr/bin/env python3
"""Real-shapes benchmark towns (issue 14): the real OSM extracts of ../shared/data tiled side by
side until the town holds N buildings, written as one GeoPackage in one metric CRS.

usage: make_real_town.py --buildings N --out TOWN.gpkg [--communities SIZE_M] [--data DIR]

Each tile is one extract — Nanjing Xinjiekou (≈1.3k buildings), Helsinki centre (≈0.5k), Monaco
(≈23k), in that order, repeated — with everything the loader reads from the OSM file itself
(`planner/io/load.cpp`, the OSM passes): buildings (building=*, not "no", with building:levels and
height), residential areas (landuse=residential → compounds), water areas (natural=water,
landuse=reservoir/basin, waterway=riverbank), roads (highway=*), rivers (waterway=river/canal/
stream) and rail (railway=rail/light_rail/narrow_gauge). The last tile is cut at a north-south
line so the town holds exactly N buildings (the westmost ones by envelope centre; its other features are
clipped to the same line). Buildings are never cut.

Coordinates: every tile is projected from WGS84 with its own transverse Mercator centred on the
tile (scale 1 at the centre: true metres, the extracts are ≤ 12 km wide) whose false easting and
northing place it in the town's layout, and the whole town is labelled EPSG:4547 (CGCS2000 /
3-degree Gauss-Krüger CM 114°E, the CRS of `gridplan synth`): the layout is centred on the
central meridian (x = 500 km) at y ≈ 3,550 km (≈ 32°N, Nanjing), so the labelled CRS's scale
differs from the tiles' by < 0.01 % even at 1M buildings (a ≈ 60 km square). Tiles are placed in
rows with 500 m of empty land between their bounding boxes: nothing overlaps, and no road joins
two tiles.

Communities: without --communities the town has no community layer, so gridplan plans it as one
community holding everything (what a user without a community layer gets). With --communities S,
a `communities` layer of S × S metre squares over each tile (cut 200 m outside the tile's
bounding box, so neighbouring tiles' communities never overlap), kept where a building's envelope
centre lies, is added (codes C<tile>-<col>-<row>): a real city's 社区 are typically 0.5–2 km².

Reproducible: same extracts and arguments → the same file (features in the extracts' order).
Needs python3-gdal (Debian). Prints one summary line.
"""
import argparse
import math
import os
import re
import sys
import time

from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()
# The Nanjing extract is an osmWebWizard download whose node ids are not in increasing order;
# GDAL's custom node index refuses such files.
gdal.SetConfigOption("OSM_USE_CUSTOM_INDEXING", "NO")
# GDAL warns about every unclosed ring of the extracts (it closes them); gridplan reports them.
gdal.PushErrorHandler("CPLQuietErrorHandler")

EXTRACTS = ["nanjing-xinjiekou.osm", "helsinki-centre.osm.pbf", "monaco.osm.pbf"]
GAP_M = 500.0  # empty land between tiles' bounding boxes
ORIGIN_X = 500000.0  # EPSG:4547 central meridian (false easting), metres
ORIGIN_Y = 3550000.0  # ≈ 32°N
TARGET_CRS = 4547
OTHER_TAG = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')


def other_tags(text):
    return dict(OTHER_TAG.findall(text or ""))


def number(text):
    """OSM numbers: "12", "12.5", "12 m"; anything else is None."""
    if not text:
        return None
    m = re.match(r"^\s*([0-9]+(?:\.[0-9]+)?)", text)
    return float(m.group(1)) if m else None


class Extract:
    """One OSM extract's features, as WKB in WGS84 with the fields written to the town."""

    def __init__(self, path):
        self.name = os.path.basename(path).split(".")[0]
        self.buildings = []  # (wkb, building, name, levels, height, osm_id)
        self.areas = {"compounds": [], "water": []}  # (wkb, name, osm_id)
        self.lines = {"roads": [], "rivers": [], "rail": []}  # (wkb, class, name, bridge, tunnel)
        ds = ogr.Open(path)
        if ds is None:
            sys.exit(f"{path}: cannot open")
        mp = ds.GetLayerByName("multipolygons")
        # The loader's passes: buildings under "building IS NOT NULL", areas under their filter.
        mp.SetAttributeFilter("building IS NOT NULL")
        for f in mp:
            building = f.GetField("building")
            g = f.GetGeometryRef()
            if building == "no" or g is None or g.IsEmpty():
                continue
            tags = other_tags(f.GetField("other_tags"))
            levels = number(tags.get("building:levels"))
            height = number(tags.get("height") or tags.get("building:height"))
            osm_id = f.GetField("osm_way_id") or f.GetField("osm_id")
            self.buildings.append((g.ExportToWkb(), building, f.GetField("name"),
                                   int(round(levels)) if levels is not None else None, height,
                                   str(osm_id)))
        mp.SetAttributeFilter(
            "landuse IN ('residential','reservoir','basin') OR \"natural\" = 'water' OR "
            "other_tags LIKE '%\"waterway\"=>\"riverbank\"%'")
        for f in mp:
            g = f.GetGeometryRef()
            if g is None or g.IsEmpty():
                continue
            landuse = f.GetField("landuse")
            tags = other_tags(f.GetField("other_tags"))
            osm_id = str(f.GetField("osm_way_id") or f.GetField("osm_id"))
            if landuse == "residential":
                self.areas["compounds"].append((g.ExportToWkb(), f.GetField("name"), osm_id))
            if (f.GetField("natural") == "water" or landuse in ("reservoir", "basin")
                    or tags.get("waterway") == "riverbank"):
                self.areas["water"].append((g.ExportToWkb(), f.GetField("name"), osm_id))
        ln = ds.GetLayerByName("lines")
        ln.SetAttributeFilter("highway IS NOT NULL OR waterway IN ('river','canal','stream') OR "
                              "railway IN ('rail','light_rail','narrow_gauge')")
        for f in ln:
            g = f.GetGeometryRef()
            if g is None or g.IsEmpty():
                continue
            tags = other_tags(f.GetField("other_tags"))
            highway, waterway = f.GetField("highway"), f.GetField("waterway")
            railway = f.GetField("railway")
            if highway:
                kind, cls = "roads", highway
            elif waterway in ("river", "canal", "stream"):
                kind, cls = "rivers", waterway
            elif railway in ("rail", "light_rail", "narrow_gauge"):
                kind, cls = "rail", railway
            else:
                continue
            self.lines[kind].append((g.ExportToWkb(), cls, f.GetField("name"),
                                     tags.get("bridge"), tags.get("tunnel")))
        # Tile centre and size in metres, from every kept feature's envelope (WGS84 degrees).
        env = None
        for wkb in self.wkbs():
            e = ogr.CreateGeometryFromWkb(wkb).GetEnvelope()
            env = e if env is None else (min(env[0], e[0]), max(env[1], e[1]),
                                         min(env[2], e[2]), max(env[3], e[3]))
        self.lon0, self.lat0 = (env[0] + env[1]) / 2, (env[2] + env[3]) / 2
        # Centroids of the buildings in the tile's metric frame (origin at the tile centre), for
        # cutting the last tile and for the community squares.
        to_local = self.transform(0.0, 0.0)
        self.centroids = []
        xmin = ymin = math.inf
        xmax = ymax = -math.inf
        for wkb in self.wkbs():
            g = ogr.CreateGeometryFromWkb(wkb)
            g.Transform(to_local)
            e = g.GetEnvelope()
            xmin, xmax = min(xmin, e[0]), max(xmax, e[1])
            ymin, ymax = min(ymin, e[2]), max(ymax, e[3])
        for b in self.buildings:
            g = ogr.CreateGeometryFromWkb(b[0])
            g.Transform(to_local)
            # Envelope centre, not the centroid: GEOS refuses the centroid of some invalid
            # footprints, which the town keeps as they are (the loader repairs them).
            e = g.GetEnvelope()
            self.centroids.append(((e[0] + e[1]) / 2, (e[2] + e[3]) / 2))
        self.bbox = (xmin, ymin, xmax, ymax)  # metres, relative to the tile centre

    def wkbs(self):
        for b in self.buildings:
            yield b[0]
        for rows in self.areas.values():
            for r in rows:
                yield r[0]
        for rows in self.lines.values():
            for r in rows:
                yield r[0]

    def transform(self, x0, y0):
        """WGS84 → transverse Mercator centred on this extract, the centre placed at (x0, y0)."""
        src = osr.SpatialReference()
        src.ImportFromEPSG(4326)
        src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        dst = osr.SpatialReference()
        dst.ImportFromProj4(f"+proj=tmerc +lat_0={self.lat0:.7f} +lon_0={self.lon0:.7f} +k=1 "
                            f"+x_0={x0:.3f} +y_0={y0:.3f} +ellps=GRS80 +units=m +no_defs")
        dst.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        return osr.CoordinateTransformation(src, dst)


def layout(extracts, n):
    """Tiles (extract, x0, y0, kept buildings) in rows until n buildings; the town ≈ square."""
    tiles, total, i = [], 0, 0
    while total < n:
        e = extracts[i % len(extracts)]
        keep = min(len(e.buildings), n - total)
        tiles.append([e, 0.0, 0.0, keep])
        total += keep
        i += 1
    area = sum((t[0].bbox[2] - t[0].bbox[0] + GAP_M) * (t[0].bbox[3] - t[0].bbox[1] + GAP_M)
               for t in tiles)
    row_width = math.sqrt(area)
    x, y, row_height = 0.0, 0.0, 0.0
    for t in tiles:
        xmin, ymin, xmax, ymax = t[0].bbox
        w, h = xmax - xmin, ymax - ymin
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height + GAP_M, 0.0
        # centre offset so the tile's bbox starts at (x, y) in layout coordinates
        t[1], t[2] = x - xmin, y - ymin
        x += w + GAP_M
        row_height = max(row_height, h)
    width = max(t[1] + t[0].bbox[2] for t in tiles)
    height = max(t[2] + t[0].bbox[3] for t in tiles)
    for t in tiles:  # centre the layout on the CRS origin chosen above
        t[1] += ORIGIN_X - width / 2
        t[2] += ORIGIN_Y - height / 2
    return tiles


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_data = os.path.join(here, "..", "..", "..", "shared", "data", "osm")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--buildings", type=int, required=True, help="buildings in the town")
    ap.add_argument("--out", required=True, help="GeoPackage to write (replaced)")
    ap.add_argument("--communities", type=float, default=0.0,
                    help="side of the community squares in metres (default: no community layer)")
    ap.add_argument("--data", default=os.environ.get("GRIDPLAN_SHARED_OSM", default_data),
                    help="folder with the OSM extracts (default ../shared/data/osm)")
    args = ap.parse_args()
    if args.buildings < 1:
        sys.exit("--buildings must be at least 1")
    started = time.time()
    paths = [os.path.join(args.data, name) for name in EXTRACTS]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        sys.exit(f"missing extract(s): {', '.join(missing)} (give the folder with --data)")
    extracts = [Extract(p) for p in paths]
    tiles = layout(extracts, args.buildings)

    if os.path.exists(args.out):
        os.remove(args.out)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(args.out)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(TARGET_CRS)

    def make_layer(name, gtype, fields):
        layer = ds.CreateLayer(name, srs, gtype, ["SPATIAL_INDEX=YES"])
        for fname, ftype in fields:
            layer.CreateField(ogr.FieldDefn(fname, ftype))
        return layer

    L = {
        "buildings": make_layer("buildings", ogr.wkbMultiPolygon,
                                [("bid", ogr.OFTInteger64), ("building", ogr.OFTString),
                                 ("name", ogr.OFTString), ("levels", ogr.OFTInteger),
                                 ("height", ogr.OFTReal), ("source", ogr.OFTString)]),
        "compounds": make_layer("compounds", ogr.wkbMultiPolygon,
                                [("ref", ogr.OFTString), ("name", ogr.OFTString)]),
        "water": make_layer("water", ogr.wkbMultiPolygon, [("name", ogr.OFTString)]),
        "roads": make_layer("roads", ogr.wkbMultiLineString,
                            [("highway", ogr.OFTString), ("name", ogr.OFTString),
                             ("bridge", ogr.OFTString), ("tunnel", ogr.OFTString)]),
        "rivers": make_layer("rivers", ogr.wkbMultiLineString,
                             [("waterway", ogr.OFTString), ("name", ogr.OFTString)]),
        "rail": make_layer("rail", ogr.wkbMultiLineString,
                           [("railway", ogr.OFTString), ("name", ogr.OFTString),
                            ("bridge", ogr.OFTString), ("tunnel", ogr.OFTString)]),
    }
    if args.communities > 0:
        L["communities"] = make_layer("communities", ogr.wkbPolygon,
                                      [("code", ogr.OFTString), ("name", ogr.OFTString)])
    counts = {k: 0 for k in L}

    def put(kind, geom, values):
        if geom is None or geom.IsEmpty():
            return
        flat = ogr.GT_Flatten(geom.GetGeometryType())
        if kind in ("buildings", "compounds", "water"):
            geom = ogr.ForceToMultiPolygon(geom) if flat != ogr.wkbGeometryCollection else None
        elif kind in ("roads", "rivers", "rail"):
            geom = ogr.ForceToMultiLineString(geom) if flat != ogr.wkbGeometryCollection else None
        if geom is None or geom.IsEmpty():
            return
        f = ogr.Feature(L[kind].GetLayerDefn())
        f.SetGeometryDirectly(geom)
        for k, v in values.items():
            if v is not None:
                f.SetField(k, v)
        L[kind].CreateFeature(f)
        counts[kind] += 1

    ds.StartTransaction()
    bid = 0
    for tile_index, (e, x0, y0, keep) in enumerate(tiles):
        ct = e.transform(x0, y0)
        order = range(len(e.buildings))
        clip = None
        if keep < len(e.buildings):
            # The last tile: its `keep` westmost buildings; other features clipped at the line
            # through the easternmost kept building's east edge.
            order = sorted(order, key=lambda i: (e.centroids[i][0], i))[:keep]
            east = -math.inf
            for i in order:
                g = ogr.CreateGeometryFromWkb(e.buildings[i][0])
                g.Transform(ct)
                east = max(east, g.GetEnvelope()[1])
            order = sorted(order)
            ring = ogr.Geometry(ogr.wkbLinearRing)
            lo_y, hi_y = y0 + e.bbox[1] - 10, y0 + e.bbox[3] + 10
            for px, py in ((x0 + e.bbox[0] - 10, lo_y), (east + 1, lo_y), (east + 1, hi_y),
                           (x0 + e.bbox[0] - 10, hi_y), (x0 + e.bbox[0] - 10, lo_y)):
                ring.AddPoint_2D(px, py)
            clip = ogr.Geometry(ogr.wkbPolygon)
            clip.AddGeometry(ring)
        for i in order:
            wkb, building, name, levels, height, osm_id = e.buildings[i]
            g = ogr.CreateGeometryFromWkb(wkb)
            g.Transform(ct)
            bid += 1
            put("buildings", g, {"bid": bid, "building": building, "name": name,
                                 "levels": levels, "height": height,
                                 "source": f"{e.name}#{tile_index} osm {osm_id}"})

        def placed(wkb):
            g = ogr.CreateGeometryFromWkb(wkb)
            g.Transform(ct)
            if clip is not None:
                if not g.Intersects(clip):
                    return None
                g = g.Intersection(clip)
            return g

        for wkb, name, osm_id in e.areas["compounds"]:
            put("compounds", placed(wkb), {"ref": f"T{tile_index}-{osm_id}", "name": name})
        for wkb, name, _ in e.areas["water"]:
            put("water", placed(wkb), {"name": name})
        for wkb, cls, name, bridge, tunnel in e.lines["roads"]:
            put("roads", placed(wkb), {"highway": cls, "name": name, "bridge": bridge,
                                       "tunnel": tunnel})
        for wkb, cls, name, _, _ in e.lines["rivers"]:
            put("rivers", placed(wkb), {"waterway": cls, "name": name})
        for wkb, cls, name, bridge, tunnel in e.lines["rail"]:
            put("rail", placed(wkb), {"railway": cls, "name": name, "bridge": bridge,
                                      "tunnel": tunnel})
        if args.communities > 0:
            s = args.communities
            xmin, ymin = e.bbox[0], e.bbox[1]
            used = sorted({(int((e.centroids[i][0] - xmin) // s),
                            int((e.centroids[i][1] - ymin) // s)) for i in order})
            # Squares are cut at the tile's bounding box plus a margin below half the gap, so
            # communities of neighbouring tiles never overlap (the last square of a row would
            # otherwise reach up to S past the tile, into the next one).
            margin = GAP_M / 2 - 50.0
            lo_x, lo_y = x0 + xmin - margin, y0 + ymin - margin
            hi_x, hi_y = x0 + e.bbox[2] + margin, y0 + e.bbox[3] + margin
            for col, row in used:
                ring = ogr.Geometry(ogr.wkbLinearRing)
                ax, ay = x0 + xmin + col * s, y0 + ymin + row * s
                bx, by = min(ax + s, hi_x), min(ay + s, hi_y)
                ax, ay = max(ax, lo_x), max(ay, lo_y)
                for px, py in ((ax, ay), (bx, ay), (bx, by), (ax, by), (ax, ay)):
                    ring.AddPoint_2D(px, py)
                poly = ogr.Geometry(ogr.wkbPolygon)
                poly.AddGeometry(ring)
                code = f"C{tile_index}-{col}-{row}"
                put("communities", poly, {"code": code, "name": f"{e.name} {code}"})
    ds.CommitTransaction()
    ds = None
    width = max(t[1] + t[0].bbox[2] for t in tiles) - min(t[1] + t[0].bbox[0] for t in tiles)
    height = max(t[2] + t[0].bbox[3] for t in tiles) - min(t[2] + t[0].bbox[1] for t in tiles)
    summary = ", ".join(f"{counts[k]} {k}" for k in L)
    print(f"{args.out}: {len(tiles)} tiles, {summary}; {width / 1000:.1f} × {height / 1000:.1f} km, "
          f"EPSG:{TARGET_CRS}; {time.time() - started:.1f} s")


if __name__ == "__main__":
    main()
