#!/usr/bin/python3
"""Grabs the "Plan grids" Processing dialog (as QGIS shows it from the toolbox) to a PNG,
headless: QGIS offscreen, the plugin's provider registered, the dialog made by
processing.createAlgorithmDialog and grabbed with QWidget.grab().

    dialog_screenshot.py OUT.png [DEMO_TOWN.gpkg]     (GRIDPLANNER_LANG=zh_CN for Chinese)
"""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import QgsApplication, QgsProject, QgsVectorLayer  # noqa: E402

out = sys.argv[1]
root = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
town = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "data", "demo-town.gpkg")
sys.path.insert(0, os.path.join(root, "planner", "qgis_plugin"))
sys.path.insert(0, "/usr/share/qgis/python/plugins")

app = QgsApplication([], True)
app.initQgis()
from processing.core.Processing import Processing  # noqa: E402

Processing.initialize()
from gridplanner.provider import GridPlannerProvider  # noqa: E402

provider = GridPlannerProvider()  # kept: the registry does not own the Python object
QgsApplication.processingRegistry().addProvider(provider)
for name in ("buildings", "compounds", "communities", "roads", "rivers", "stations"):
    QgsProject.instance().addMapLayer(
        QgsVectorLayer("{}|layername={}".format(town, name), name, "ogr"))

from processing.gui.AlgorithmDialog import AlgorithmDialog  # noqa: E402

algorithm = QgsApplication.processingRegistry().createAlgorithmById("gridplanner:plangrids")
if algorithm is None:
    sys.exit("gridplanner:plangrids is not registered")
dialog = AlgorithmDialog(algorithm, False, None)
# The project's layers ticked in the INPUT list, as a user would pick them.
dialog.setParameters({"INPUT": list(QgsProject.instance().mapLayers().values())})
dialog.resize(1000, 940)
dialog.show()
for _ in range(20):
    app.processEvents()
image = dialog.grab()
if not image.save(out, "PNG"):
    sys.exit("cannot write " + out)
print("wrote", out, image.width(), "x", image.height())
sys.stdout.flush()
os._exit(0)
