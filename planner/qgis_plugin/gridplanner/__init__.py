"""GridPlanner (网格规划) Processing provider for QGIS.

QGIS loads a plugin by calling classFactory(iface); Processing-only plugins register their
provider in initProcessing() so qgis_process (no GUI) finds the algorithms too.
"""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin import GridPlannerPlugin

    return GridPlannerPlugin(iface)
