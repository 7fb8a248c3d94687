"""The plugin object: registers the GridPlanner Processing provider (QGIS plugin conventions)."""

from qgis.core import QgsApplication

from .provider import GridPlannerProvider


class GridPlannerPlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider = None

    def initProcessing(self):  # noqa: N802 (QGIS calls it; qgis_process calls only this)
        self.provider = GridPlannerProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
