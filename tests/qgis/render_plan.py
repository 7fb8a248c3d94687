#!/usr/bin/python3
"""Opens a GridPlanner plan.gpkg (or a Shapefile folder) in QGIS headless, loads each layer's
default style (the GeoPackage's layer_styles table / the sidecar .qml) and renders the map to PNG
with QgsMapRendererSequentialJob; then checks what a GIS user would see.

    render_plan.py PLAN.gpkg|SHP_DIR OUT.png [--size 1400x1000] [--zoom-large-grid N]

Checks (exit 1 with the reason when one fails):
- every layer opens and its default style loads (the renderer is GridPlanner's rule-based one);
- large_grids: one rule per household class plus the violation outline; labels on, in Noto Sans
  CJK SC; every grid outside its bounds is matched by the red outline rule;
- the PNG shows the ramp colours of the classes the plan's grids fall in and, when a grid is
  outside its bounds, the violation red.
Exit 77 when QGIS's Python bindings are missing (ctest: skipped).
"""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
try:
    from qgis.core import (QgsApplication, QgsMapRendererSequentialJob, QgsMapSettings,
                           QgsRectangle, QgsVectorLayer, QgsRuleBasedRenderer,
                           QgsFeatureRequest, QgsRenderContext)
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor
except ImportError as error:
    print("render_plan: QGIS Python bindings not installed (python3-qgis):", error)
    sys.exit(77)

LAYERS = ["communities", "buildings", "large_grids", "micro_grids", "stations"]


def fail(message):
    print("render_plan: FAIL:", message)
    sys.stdout.flush()
    os._exit(1)


def open_layer(source, name):
    if os.path.isdir(source):
        uri = os.path.join(source, name + ".shp")
        if not os.path.exists(uri):
            return None
    else:
        uri = "{}|layername={}".format(source, name)
    layer = QgsVectorLayer(uri, name, "ogr")
    if not layer.isValid():
        return None
    message, ok = layer.loadDefaultStyle()
    if not ok:
        fail("{}: no default style loaded ({})".format(name, message))
    return layer


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__)
        return 2
    source, out = args[0], args[1]
    width, height = 1400, 1000
    zoom = None
    if "--size" in args:
        width, height = (int(v) for v in args[args.index("--size") + 1].split("x"))
    if "--zoom-large-grid" in args:
        zoom = int(args[args.index("--zoom-large-grid") + 1])

    app = QgsApplication([], False)
    app.initQgis()
    layers = {}
    for name in LAYERS:
        layer = open_layer(source, name)
        if layer is not None:
            layers[name] = layer
    for required in ("large_grids", "micro_grids", "buildings"):
        if required not in layers:
            fail("layer {} missing in {}".format(required, source))

    large = layers["large_grids"]
    renderer = large.renderer()
    if not isinstance(renderer, QgsRuleBasedRenderer):
        fail("large_grids renderer is {}, not GridPlanner's rule-based style".format(renderer.type()))
    rules = renderer.rootRule().children()
    labels = [r.label() for r in rules]
    print("large_grids rules:", labels)
    if len(rules) != 7 or "outside bounds" not in labels[-1]:
        fail("large_grids: expected 6 household classes and the violation rule, got {}".format(labels))
    if not large.labelsEnabled():
        fail("large_grids: labels are off")
    font = large.labeling().settings().format().font().family()
    if font != "Noto Sans CJK SC":
        fail("large_grids: label font is {!r}".format(font))
    violation_symbol = rules[-1].symbol()
    red = violation_symbol.symbolLayer(0).strokeColor()
    if (red.red(), red.green(), red.blue()) != (0xc0, 0x39, 0x2b):
        fail("violation outline colour is {}".format(red.name()))

    # Which classes do the grids fall in, and are violations matched by the outline rule?
    context = QgsRenderContext()
    renderer.startRender(context, large.fields())
    per_class = [0] * 6
    violations = 0
    for feature in large.getFeatures():
        matched = [i for i, r in enumerate(rules) if r.isFilterOK(feature, context)]
        if not matched:
            fail("large grid {} matches no rule".format(feature["code"]))
        for i in matched:
            if i < 6:
                per_class[i] += 1
        violated = feature["violation"] in ("below_min", "above_max")
        if violated != (6 in matched):
            fail("grid {}: violation {!r} but outline rule {}".format(
                feature["code"], feature["violation"], 6 in matched))
        violations += violated
    renderer.stopRender(context)
    used = [i for i in range(6) if per_class[i] > 0]
    print("large grids:", large.featureCount(), "per class:", per_class,
          "outside bounds:", violations)

    settings = QgsMapSettings()
    # Top to bottom: stations, community outlines, micro grid outlines, buildings, large grids.
    top_down = ["stations", "communities", "micro_grids", "buildings", "large_grids"]
    order = [layers[n] for n in top_down if n in layers]
    settings.setLayers(order)
    settings.setBackgroundColor(QColor(244, 244, 240))
    settings.setOutputSize(QSize(width, height))
    settings.setDestinationCrs(large.crs())
    extent = QgsRectangle(large.extent())
    if zoom is not None:
        features = list(large.getFeatures(QgsFeatureRequest().setLimit(zoom + 1)))
        extent = QgsRectangle(features[min(zoom, len(features) - 1)].geometry().boundingBox())
        extent.scale(2.2)
    else:
        extent.scale(1.05)
    settings.setExtent(extent)
    settings.setFlag(QgsMapSettings.Antialiasing, True)
    settings.setFlag(QgsMapSettings.DrawLabeling, True)
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    if not image.save(out, "PNG"):
        fail("cannot write " + out)
    print("wrote", out, image.width(), "x", image.height())

    # The PNG must show the fill colours of the classes that hold at least three grids (exact RGB
    # where not blended with outlines or labels) and the violation red when three grids are outside
    # their bounds (a single small grid may be too small to see at the town's scale).
    wanted = {}
    for i in [i for i in used if per_class[i] >= 3] if zoom is None else []:
        c = rules[i].symbol().color()
        wanted[(c.red(), c.green(), c.blue())] = rules[i].label()
    if violations >= 3 and zoom is None:
        wanted[(0xc0, 0x39, 0x2b)] = "violation outline"
    counts = dict.fromkeys(wanted, 0)
    step = 2
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            p = image.pixel(x, y)
            r, g, b = (p >> 16) & 255, (p >> 8) & 255, p & 255
            for key in counts:  # within 6 per channel: antialiased line centres
                if abs(key[0] - r) <= 6 and abs(key[1] - g) <= 6 and abs(key[2] - b) <= 6:
                    counts[key] += 1
    for colour, n in counts.items():
        print("  {:<28} #{:02x}{:02x}{:02x}: {} px".format(wanted[colour], *colour, n * step * step))
        if n == 0:
            fail("the rendered map shows no {} ({})".format(wanted[colour], colour))
    app.exitQgis()
    sys.stdout.flush()
    os._exit(0)  # QGIS 3.22's Python teardown can crash after exitQgis(); the checks are done


if __name__ == "__main__":
    sys.exit(main())
