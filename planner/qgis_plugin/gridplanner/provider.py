"""The GridPlanner Processing provider: id "gridplanner", three algorithms."""

import os

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .algorithms import CheckPlanAlgorithm, ComparePlansAlgorithm, PlanGridsAlgorithm
from .i18n import tr


class GridPlannerProvider(QgsProcessingProvider):
    def id(self):
        return "gridplanner"

    def name(self):
        return tr("GridPlanner (网格规划)")

    def longName(self):  # noqa: N802
        return self.name()

    def icon(self):
        return QIcon(os.path.join(os.path.dirname(__file__), "icon.svg"))

    def svgIconPath(self):  # noqa: N802
        return os.path.join(os.path.dirname(__file__), "icon.svg")

    def loadAlgorithms(self):  # noqa: N802
        for algorithm in (PlanGridsAlgorithm(), CheckPlanAlgorithm(), ComparePlansAlgorithm()):
            self.addAlgorithm(algorithm)
