#!/usr/bin/python3
"""The GridPlanner Processing provider inside a QGIS application (headless):

- the provider registers its three algorithms; names and parameters are Chinese when QGIS's
  language is Chinese, English otherwise;
- Plan grids on the demo town forwards the engine's progress lines to QgsProcessingFeedback and
  queues the grid layers to load, styled, on completion;
- cancel: a stand-in engine that prints progress then hangs is killed within a second of the
  feedback's cancel, and the algorithm raises "Cancelled";
- an engine error message reaches the user verbatim.

    provider_test.py WORKDIR        (GRIDPLAN = the gridplan executable; QGIS_PLUGINPATH set)
"""

import os
import stat
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (QgsApplication, QgsFeatureRequest, QgsProcessingContext,  # noqa: E402
                       QgsProcessingException, QgsProcessingFeedback, QgsProject, QgsVectorLayer)

work = sys.argv[1]
os.makedirs(work, exist_ok=True)
root = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(root, "planner", "qgis_plugin"))

app = QgsApplication([], False)
app.initQgis()
failures = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message)
    if not condition:
        failures.append(message)


class Recorder(QgsProcessingFeedback):
    def __init__(self, cancel_after_progress=False):
        super().__init__()
        self.texts, self.infos = [], []
        self.cancel_after_progress = cancel_after_progress

    def setProgressText(self, text):  # noqa: N802
        self.texts.append(text)
        if self.cancel_after_progress:
            self.cancel()

    def pushInfo(self, info):  # noqa: N802
        self.infos.append(info)


os.environ["GRIDPLANNER_LANG"] = "zh_CN"
from gridplanner.provider import GridPlannerProvider  # noqa: E402
from gridplanner import algorithms  # noqa: E402

provider = GridPlannerProvider()
QgsApplication.processingRegistry().addProvider(provider)
names = sorted(a.id() for a in provider.algorithms())
check(names == ["gridplanner:checkplan", "gridplanner:compareplans", "gridplanner:plangrids"],
      "three algorithms registered: {}".format(names))
plan = QgsApplication.processingRegistry().algorithmById("gridplanner:plangrids")
check(plan.displayName() == "划分网格", "Chinese name: " + plan.displayName())
check(plan.parameterDefinition("LARGE_MIN").description() == "大网格最少户数",
      "Chinese parameter: " + plan.parameterDefinition("LARGE_MIN").description())
os.environ["GRIDPLANNER_LANG"] = "en_GB"
check(algorithms.PlanGridsAlgorithm().displayName() == "Plan grids", "English name")

# Plan grids on the demo town: progress forwarded, layers queued to load styled.
town = os.path.join(root, "data", "demo-town.gpkg")
layers = [QgsVectorLayer("{}|layername={}".format(town, n), n, "ogr")
          for n in ("buildings", "compounds", "communities", "roads", "rivers", "stations")]
context = QgsProcessingContext()
context.setProject(QgsProject.instance())
feedback = Recorder()
alg = plan.create()
params = {"INPUT": layers, "LARGE_MIN": 300, "LARGE_MAX": 500, "MICRO_MIN": 100,
          "MICRO_MAX": 200, "HARD_ROADS": [0, 1, 2, 3, 4], "SEED": 3, "SIMULATE": True,
          "OUTPUT": os.path.join(work, "run")}
alg.prepare(params, context, feedback)
results = alg.runPrepared(params, context, feedback)
check(os.path.isfile(results["PLAN"]), "plan written: " + results["PLAN"])
check(len(feedback.texts) > 0, "engine progress forwarded: {}".format(feedback.texts[:4]))
queued = context.layersToLoadOnCompletion()
check(len(queued) == 2 and all("layername=" in k for k in queued),
      "grid layers queued to load on completion: {}".format(list(queued)))
details = list(queued.values())
check(all(d.postProcessor() is not None for d in details), "queued layers load their style")
layer = QgsVectorLayer(results["LARGE_GRIDS"], "large", "ogr")
details[0].postProcessor().postProcessLayer(layer, context, feedback)
check(layer.renderer().type() == "RuleRenderer", "post-processor loads the default style")

# A layer that is no file (a memory layer, as an edited selection or a join makes): saved to a
# GeoPackage under its name first, and the engine plans it.
memory = layers[0].materialize(QgsFeatureRequest())
memory.setName("buildings")
check(memory.providerType() == "memory", "memory layer of {} buildings".format(memory.featureCount()))
feedback = Recorder()
params = {"INPUT": [memory, layers[2]], "SEED": 1, "SIMULATE": False,
          "OUTPUT": os.path.join(work, "memory-run")}
alg = plan.create()
alg.prepare(params, context, feedback)
results = alg.runPrepared(params, context, feedback)
check(any("saved it to" in info for info in feedback.infos), "memory layer saved for the engine")
check(os.path.isfile(results["PLAN"]), "plan from a memory layer written")
manifest = open(os.path.join(work, "memory-run", "manifest.json"), encoding="utf-8").read()
planned = QgsVectorLayer(results["PLAN"] + "|layername=buildings", "b", "ogr").featureCount()
check("input-0.gpkg" in manifest and planned == memory.featureCount(),
      "the engine read the saved layer: {} of {} buildings in the plan".format(
          planned, memory.featureCount()))

# A scenario file without layers: its inputs and settings are inherited, the bounds overridden.
feedback = Recorder()
params = {"SCENARIO": os.path.join(root, "scenarios", "demo-baseline.toml"), "LARGE_MIN": 320,
          "LARGE_MAX": 520, "SEED": 5, "SIMULATE": False, "OUTPUT": os.path.join(work, "scenario-run")}
alg = plan.create()
alg.prepare(params, context, feedback)
results = alg.runPrepared(params, context, feedback)
import json  # noqa: E402
p = json.load(open(os.path.join(work, "scenario-run", "manifest.json"), encoding="utf-8"))["parameters"]
# The scenario's 106 full-time workers come through; its 300–500 bounds are overridden.
check(p["grids.large"].startswith("320–520") and "demo-town.gpkg" in p["input.files"]
      and p["workers.full_time"] == "106",
      "scenario inherited, bounds overridden: {} / {}".format(p["grids.large"], p["input.files"]))

# Cancel: a stand-in engine that reports progress and then hangs.
fake = os.path.join(work, "fake-gridplan")
with open(fake, "w") as f:
    f.write("#!/bin/sh\necho '[   1.0s] planning  10.0%' >&2\nexec sleep 600\n")
os.chmod(fake, os.stat(fake).st_mode | stat.S_IEXEC)
real = os.environ["GRIDPLAN"]
os.environ["GRIDPLAN"] = fake
from gridplanner import engine  # noqa: E402

feedback = Recorder(cancel_after_progress=True)
start = time.monotonic()
try:
    engine.run_engine(["run"], feedback)
    check(False, "cancel raises")
except QgsProcessingException as error:
    elapsed = time.monotonic() - start
    check("Cancelled" in str(error), "cancel raises: " + str(error))
    check(elapsed < 3.0, "engine killed {:.1f} s after the cancel".format(elapsed))
check(feedback.texts == ["planning"], "progress text before cancel: {}".format(feedback.texts))

# Engine errors verbatim.
os.environ["GRIDPLAN"] = real
try:
    engine.run_engine(["run", "--input", os.path.join(work, "nowhere.gpkg"), "--out",
                       os.path.join(work, "x")], Recorder())
    check(False, "a missing input fails")
except QgsProcessingException as error:
    check("nowhere.gpkg" in str(error) and "no such file" in str(error), "engine message verbatim: " + str(error))

app.exitQgis()
print("provider_test:", "FAILED" if failures else "passed")
sys.stdout.flush()
os._exit(1 if failures else 0)
