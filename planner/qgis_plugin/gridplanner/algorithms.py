"""The GridPlanner algorithms: Plan grids, Check a plan, Compare plans.

Each runs the engine's CLI (engine.py); none re-implements planning in Python. Layers from the
QGIS project are passed as their files (GeoPackage/Shapefile/... with the layer name); layers
that are not files (memory, database) are saved to a GeoPackage in the processing temp folder
first. Bounds, hard road classes and the seed go into a scenario file that inherits the user's
scenario when one is given (docs/scenario-format.md).
"""

import json
import os

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingOutputBoolean,
    QgsProcessingOutputFile,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingUtils,
    QgsProviderRegistry,
    QgsVectorFileWriter,
    QgsVectorLayer,
)

from .engine import run_engine
from .i18n import tr

#: OSM highway classes a planner may make hard; the engine's default is the first five.
ROAD_CLASSES = ["motorway", "trunk", "primary", "secondary", "tertiary", "unclassified",
                "residential", "living_street", "service", "pedestrian", "track"]
DEFAULT_HARD = [0, 1, 2, 3, 4]


def toml_string(text):
    return json.dumps(str(text), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def overwrite_arguments(folder):
    """The engine writes a whole folder and replaces it only with --overwrite. An empty folder
    (Processing creates its temporary outputs) is removed first; an earlier GridPlanner output
    (it has manifest.json or compare.csv) is replaced; any other folder is refused, so choosing
    e.g. the Documents folder by mistake never deletes it."""
    if not os.path.exists(folder):
        return []
    if os.path.isdir(folder) and not os.listdir(folder):
        os.rmdir(folder)
        return []
    if any(os.path.exists(os.path.join(folder, f)) for f in ("manifest.json", "compare.csv")):
        return ["--overwrite"]
    raise QgsProcessingException(
        tr("The output folder {} exists and is not a GridPlanner output; choose a new or empty "
           "folder.").format(folder))


class StyledLoader(QgsProcessingLayerPostProcessorInterface):
    """Loads the layer's default style (plan.gpkg's layer_styles table) once QGIS has added it."""

    instances = []  # QGIS does not keep Python post-processors alive

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        if isinstance(layer, QgsVectorLayer):
            layer.loadDefaultStyle()
            layer.triggerRepaint()

    @classmethod
    def create(cls):
        processor = cls()
        cls.instances.append(processor)
        return processor


def load_styled(context, path, layer_name, display_name):
    uri = "{}|layername={}".format(path, layer_name)
    details = QgsProcessingContext.LayerDetails(display_name, context.project(), display_name)
    details.setPostProcessor(StyledLoader.create())
    context.addLayerToLoadOnCompletion(uri, details)
    return uri


class GridPlannerAlgorithm(QgsProcessingAlgorithm):
    def createInstance(self):  # noqa: N802
        return type(self)()

    def group(self):
        return tr("Planning")

    def groupId(self):  # noqa: N802
        return "planning"

    def shortHelpString(self):  # noqa: N802
        return tr(self.HELP)

    def displayName(self):  # noqa: N802
        return tr(self.NAME)

    def flags(self):
        # The engine runs in its own process; the Python side only waits on it.
        return super().flags() | QgsProcessingAlgorithm.FlagNoThreading


class PlanGridsAlgorithm(GridPlannerAlgorithm):
    NAME = "Plan grids"
    HELP = ("Divides every community of the input layers into large grids (大网格) and micro grids "
            "(微网格) with the GridPlanner engine, within the household bounds, never crossing "
            "rivers, rail or the hard road classes. Writes plan.gpkg (layers open styled), "
            "report.html and the attribute tables into the output folder.")

    def name(self):
        return "plangrids"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterMultipleLayers(
            "INPUT", tr("Input layers (buildings, compounds, communities, roads, rivers, stations…)"),
            QgsProcessing.TypeVector, optional=True))
        self.addParameter(QgsProcessingParameterFile(
            "SCENARIO", tr("Scenario file (optional; the values below override it)"),
            extension="toml", optional=True))
        for key, label, default in (("LARGE_MIN", "Large grid: minimum households", 300),
                                    ("LARGE_MAX", "Large grid: maximum households", 500),
                                    ("MICRO_MIN", "Micro grid: minimum households", 100),
                                    ("MICRO_MAX", "Micro grid: maximum households", 200)):
            self.addParameter(QgsProcessingParameterNumber(
                key, tr(label), QgsProcessingParameterNumber.Integer, default, minValue=1))
        self.addParameter(QgsProcessingParameterEnum(
            "HARD_ROADS", tr("Hard road classes (no grid crosses them)"), ROAD_CLASSES,
            allowMultiple=True, defaultValue=DEFAULT_HARD, optional=True))
        self.addParameter(QgsProcessingParameterString(
            "HARD_ROADS_OTHER", tr("Other hard road classes, as your data writes them "
                                   "(comma-separated, e.g. 主干路,次干路)"),
            optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            "SEED", tr("Random seed"), QgsProcessingParameterNumber.Integer, 1, minValue=0))
        self.addParameter(QgsProcessingParameterBoolean(
            "SIMULATE", tr("Run the event simulation (slower)"), defaultValue=False))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", tr("Output folder")))
        self.addOutput(QgsProcessingOutputFile("PLAN", tr("Plan (GeoPackage)")))
        self.addOutput(QgsProcessingOutputFile("REPORT", tr("Report (HTML)")))
        self.addOutput(QgsProcessingOutputVectorLayer("LARGE_GRIDS", tr("Large grids")))
        self.addOutput(QgsProcessingOutputVectorLayer("MICRO_GRIDS", tr("Micro grids")))

    def input_entries(self, layers, folder, feedback):
        """TOML entries for the layers: their files, or a GeoPackage written here for others."""
        entries = []
        osm_files = set()
        for index, layer in enumerate(layers):
            parts = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source())
            path = parts.get("path", "")
            if path.lower().endswith((".osm", ".pbf")) and os.path.isfile(path):
                # OpenStreetMap: the engine reads buildings, roads, water... from the whole file,
                # whichever of OGR's layers (points, lines, multipolygons) was picked.
                if path not in osm_files:
                    osm_files.add(path)
                    entries.append("{ path = " + toml_string(path) + " }")
                continue
            if layer.providerType() == "ogr" and path and os.path.isfile(path):
                layer_name = parts.get("layerName") or ""
                entry = "{ path = " + toml_string(path)
                if layer_name:
                    entry += ", layer = " + toml_string(layer_name)
                entries.append(entry + " }")
                continue
            # Not a file the engine reads: save it under the layer's name (the name tells the
            # engine its role, e.g. "buildings").
            target = os.path.join(folder, "input-{}.gpkg".format(index))
            options = QgsVectorFileWriter.SaveVectorOptions()
            options.driverName = "GPKG"
            options.layerName = layer.name()
            error = QgsVectorFileWriter.writeAsVectorFormatV3(
                layer, target, layer.transformContext(), options)
            if error[0] != QgsVectorFileWriter.NoError:
                raise QgsProcessingException(error[1])
            feedback.pushInfo(tr("Layer '{}' is not a file GridPlanner can read; saved it to {} "
                                 "first.").format(layer.name(), target))
            entries.append("{ path = " + toml_string(target) + ", layer = " +
                           toml_string(layer.name()) + " }")
        return entries

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        layers = self.parameterAsLayerList(parameters, "INPUT", context)
        scenario = self.parameterAsFile(parameters, "SCENARIO", context)
        bounds = {key: self.parameterAsInt(parameters, key, context)
                  for key in ("LARGE_MIN", "LARGE_MAX", "MICRO_MIN", "MICRO_MAX")}
        hard = [ROAD_CLASSES[i] for i in self.parameterAsEnums(parameters, "HARD_ROADS", context)]
        other = self.parameterAsString(parameters, "HARD_ROADS_OTHER", context) or ""
        hard += [c.strip() for c in other.replace("，", ",").split(",") if c.strip()]
        seed = self.parameterAsInt(parameters, "SEED", context)
        if not layers and not scenario:
            raise QgsProcessingException(tr("Give the input layers, or a scenario file that names "
                                            "its input files."))
        simulate = self.parameterAsBool(parameters, "SIMULATE", context)
        out = self.parameterAsString(parameters, "OUTPUT", context)

        work = QgsProcessingUtils.tempFolder()
        lines = []
        if scenario:
            lines.append("inherits = " + toml_string(os.path.abspath(scenario)))
        lines += ["[scenario]", "name = " + toml_string("qgis"), "seed = {}".format(seed), ""]
        if layers:
            lines += ["[input]", "files = [" + ", ".join(self.input_entries(layers, work, feedback))
                      + "]", ""]
        for level in ("large", "micro"):
            low, high = bounds[level.upper() + "_MIN"], bounds[level.upper() + "_MAX"]
            # The target must lie within the bounds: the middle, as the engine's defaults.
            lines += ["[grids.{}]".format(level), "min = {}".format(low),
                      "max = {}".format(high), "target = {}".format((low + high) // 2), ""]
        lines += ["[barriers]", "hard_road_classes = [" +
                  ", ".join(toml_string(c) for c in hard) + "]", ""]
        scenario_file = os.path.join(work, "gridplanner-qgis.toml")
        with open(scenario_file, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        feedback.pushInfo(tr("Scenario file") + ": " + scenario_file)

        arguments = ["run", scenario_file, "--out", out] + overwrite_arguments(out)
        if not simulate:
            arguments.append("--no-simulation")
        run_engine(arguments, feedback)

        plan = os.path.join(out, "plan.gpkg")
        results = {"OUTPUT": out, "PLAN": plan, "REPORT": os.path.join(out, "report.html")}
        results["MICRO_GRIDS"] = load_styled(context, plan, "micro_grids", tr("Micro grids"))
        results["LARGE_GRIDS"] = load_styled(context, plan, "large_grids", tr("Large grids"))
        return results


class CheckPlanAlgorithm(GridPlannerAlgorithm):
    NAME = "Check a plan"
    HELP = ("Checks a plan against GridPlanner's rules (household bounds, boundaries, coverage, "
            "stations) with `gridplan check`. Fails only when the engine cannot read the plan; a "
            "broken rule is reported in the log and in the ALL_RULES_HOLD output.")

    def name(self):
        return "checkplan"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(
            "PLAN", tr("Plan file (plan.gpkg, or a GeoPackage or Shapefile of grids)"),
            behavior=QgsProcessingParameterFile.File,
            fileFilter="GeoPackage (*.gpkg);;Shapefile (*.shp)"))
        self.addParameter(QgsProcessingParameterMultipleLayers(
            "INPUT", tr("Layers to check against (default: the plan file's own layers)"),
            QgsProcessing.TypeVector, optional=True))
        self.addParameter(QgsProcessingParameterFile(
            "RULES", tr("Scenario file whose bounds and hard road classes apply (optional)"),
            extension="toml", optional=True))
        for key, label in (("LARGE_MIN", "Large grid: minimum households"),
                           ("LARGE_MAX", "Large grid: maximum households"),
                           ("MICRO_MIN", "Micro grid: minimum households"),
                           ("MICRO_MAX", "Micro grid: maximum households")):
            self.addParameter(QgsProcessingParameterNumber(
                key, tr(label), QgsProcessingParameterNumber.Integer, None, optional=True,
                minValue=1))
        self.addParameter(QgsProcessingParameterFileDestination(
            "OUTPUT", tr("Check result (JSON)"), "JSON (*.json)"))
        self.addOutput(QgsProcessingOutputBoolean("ALL_RULES_HOLD", tr("All rules hold")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        plan = self.parameterAsFile(parameters, "PLAN", context)
        out = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        arguments = ["check", plan, "--json"]
        for layer in self.parameterAsLayerList(parameters, "INPUT", context):
            path = QgsProviderRegistry.instance().decodeUri(
                layer.providerType(), layer.source()).get("path", "")
            if path and path not in arguments:
                arguments += ["--input", path]
        rules = self.parameterAsFile(parameters, "RULES", context)
        if rules:
            arguments += ["--rules", rules]
        for key, option in (("LARGE_MIN", "--min"), ("LARGE_MAX", "--max"),
                            ("MICRO_MIN", "--micro-min"), ("MICRO_MAX", "--micro-max")):
            if parameters.get(key) is not None:
                arguments += [option, self.parameterAsInt(parameters, key, context)]
        # Exit 0: every rule holds; 1: a rule broke (a result, not a failure); else an error.
        code, stdout = run_engine(arguments, feedback, ok_codes=(0, 1))
        with open(out, "w", encoding="utf-8") as f:
            f.write(stdout)
        try:
            result = json.loads(stdout)
            feedback.pushInfo(json.dumps(result, ensure_ascii=False, indent=1)[:20000])
        except ValueError:
            feedback.pushInfo(stdout)
        if code == 0:
            feedback.pushInfo(tr("The plan holds every rule."))
        else:
            feedback.reportError(tr("The plan breaks a rule; see the messages above."))
        return {"OUTPUT": out, "ALL_RULES_HOLD": code == 0}


class ComparePlansAlgorithm(GridPlannerAlgorithm):
    NAME = "Compare plans"
    HELP = ("Compares plans side by side with `gridplan compare`: households per grid, grids "
            "outside their bounds, workload, walking coverage and the buildings moved against the "
            "first plan. Writes compare.html and compare.csv.")

    def name(self):
        return "compareplans"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterMultipleLayers(
            "PLANS", tr("Plans to compare (run folders or scenario files; the first is the "
                        "reference)"), QgsProcessing.TypeFile))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", tr("Output folder")))
        self.addOutput(QgsProcessingOutputFile("REPORT", tr("Comparison (HTML)")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        plans = self.parameterAsFileList(parameters, "PLANS", context)
        if len(plans) < 2:
            raise QgsProcessingException(tr("Give at least two plans to compare."))
        out = self.parameterAsString(parameters, "OUTPUT", context)
        # A plan.gpkg stands for its run folder (compare reads plan.gpkg and metrics.json there).
        plans = [os.path.dirname(p) if p.endswith(".gpkg") else p for p in plans]
        _, stdout = run_engine(["compare"] + plans + ["--out", out] + overwrite_arguments(out),
                               feedback)
        feedback.pushInfo(stdout)
        return {"OUTPUT": out, "REPORT": os.path.join(out, "compare.html")}
