#!/usr/bin/env python3
"""Fixed costs of the stages a short run spends seconds in whatever its size (issue 14 item 5,
round 11: the run's time left on 9–16 s runs).

Reads the stage costs of planner/pipeline/pipeline.cpp (kStageCosts, kSitingCosts,
kExportCost, the simulation's per household-year), writes them as JSON for
`eta_fit.py --coefficients` (--save-current FILE), and, given short runs' GRIDPLAN_PROGRESS_LOG
files, fits a fixed term for each of --stages as the median over the runs of the stage's time
at the run's speed minus what the per-unit costs give (the run's speed from its other stages,
weighted by their time; reading excluded). The per-unit costs are kept, so long runs weigh as
before. Prints the fixed terms and writes the table with them (--save FILE).

Usage: eta_fixed_terms.py [--stages "export,plan audit,..."] [--save FILE]
                          [--save-current FILE] [LOG...]
Needs numpy (eta_fit.py's import; use /usr/bin/python3).
"""
import argparse
import json
import math
import os
import re
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import eta_fit as e  # noqa: E402

UNITS = ["fixed", "buildings", "vertices", "largest_vertices", "line_vertices", "homes"]


def current_costs(path):
    text = open(path, encoding="utf-8").read()
    coef = {}
    for m in re.finditer(r'\{"([^"]+)",\s*([^}]*)\}', text):
        values = [v.strip() for v in m.group(2).split(",") if v.strip()]
        if len(values) != 6:
            continue
        try:
            coef[m.group(1)] = dict(zip(UNITS, (float(v) for v in values)))
        except ValueError:
            continue
    for name, key in (("simulating", "kSimulationPerHouseholdYear"),
                      ("sensitivity", "kSensitivityPerHouseholdYear")):
        m = re.search(key + r"\s*=\s*([0-9.eE+-]+);", text)
        coef[name] = {"household_years": float(m.group(1))}
    return coef


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("logs", nargs="*")
    ap.add_argument("--stages", default="export,plan audit,planning grids,grid polygons")
    ap.add_argument("--save")
    ap.add_argument("--save-current")
    ap.add_argument("--source", default=os.path.join(HERE, "../../planner/pipeline/pipeline.cpp"))
    a = ap.parse_args()
    coef = current_costs(a.source)
    if a.save_current:
        with open(a.save_current, "w", encoding="utf-8") as f:
            json.dump(coef, f, indent=1)
    if not a.logs:
        return 0
    fixed = a.stages.split(",")
    skeleton = [(p, 1.0) for p, _ in e.all_stages()]
    skeleton.insert(len(e.STAGES) + len(e.SIM_STAGES), ("station rules", 1.0))

    def per_unit(run, stage):
        size = run["notes"]["size"]
        return sum(c * size[u] for u, c in coef[stage].items() if u != "fixed")

    residuals = {s: [] for s in fixed}
    for path in a.logs:
        run = e.read_log(path)
        times = e.stage_times(run, skeleton)
        num = den = 0.0
        for stage, _ in e.STAGES + e.SITING:
            t = times.get(stage, 0.0)
            if stage in fixed or stage == "reading " or t <= 0.02:
                continue
            p = per_unit(run, stage) + coef[stage]["fixed"]
            if p > 0:
                num += t * math.log(t / p)
                den += t
        speed = math.exp(num / den) if den > 0 else 1.0
        for s in fixed:
            residuals[s].append(max(0.0, times.get(s, 0.0) / speed - per_unit(run, s)))
        print(f"{path}: speed {speed:.2f}; " +
              ", ".join(f"{s} {residuals[s][-1]:.3f} s" for s in fixed))
    for s in fixed:
        coef[s]["fixed"] = statistics.median(residuals[s])
        print(f"{s}: fixed {coef[s]['fixed']:.3g} s")
    if a.save:
        with open(a.save, "w", encoding="utf-8") as f:
            json.dump(coef, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
