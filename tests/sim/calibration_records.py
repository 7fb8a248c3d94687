#!/usr/bin/python3
"""Synthesise a department's records from a run's plan.gpkg, for trying `gridplan calibrate`
(docs/cli/calibrate.md shows it on the demo town).

Writes, in OUT_DIR:
  records.csv    work orders and events of one year: time, lon, lat (WGS 84), category (scenario
                 or Chinese name), minutes; located by coordinates, no grid code. Rates per
                 household per year RATES, three chosen grids BUSY × busier, office-hours
                 profile, handling minutes log-normal around MINUTES; plus one bad row of each
                 kind at the end.
  staffing.csv   grid, full_time, part_time: the run's allocation.
  time_use.csv   component, minutes_per_day: an illustrative survey (not real data).

Usage: /usr/bin/python3 tests/sim/calibration_records.py RUN_DIR/plan.gpkg OUT_DIR [SEED]
Needs python3-geopandas (Debian), as ../shared/tools/check_plan.py.
"""
import csv
import datetime
import math
import os
import random
import sys

import geopandas

RATES = {"livelihood_services": 0.6, "community_management": 0.5, "work_order": 0.25,
         "health": 0.2, "public_security": 0.1, "dispute_mediation": 0.1}
CHINESE = {"livelihood_services": "民生服务", "health": "医疗卫生"}
MINUTES = {"livelihood_services": 35, "community_management": 25, "work_order": 50,
           "health": 30, "public_security": 45, "dispute_mediation": 80}
BUSY = 2.0
# Hour weights: office hours, a morning peak (records are entered when work is done).
HOURS = [0.02] * 7 + [0.5, 1.5, 2.0, 2.0, 1.5, 0.6, 0.6, 1.4, 1.8, 1.6, 1.2, 0.4, 0.3, 0.2,
                      0.1, 0.05, 0.02]


def main():
    plan, out_dir = sys.argv[1], sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
    os.makedirs(out_dir, exist_ok=True)
    buildings = geopandas.read_file(plan, layer="buildings")
    buildings = buildings[buildings["households"] > 0]
    grids = geopandas.read_file(plan, layer="large_grids")
    codes = sorted(grids["code"])
    busy = set(rng.sample(codes, 3))
    points = buildings.geometry.representative_point().to_crs("EPSG:4326")
    start = datetime.datetime(2025, 1, 1)
    rows = []
    for (_, b), p in zip(buildings.iterrows(), points):
        factor = BUSY if b["large_code"] in busy else 1.0
        for category, rate in RATES.items():
            n = poisson(rng, b["households"] * rate * factor)
            for _ in range(n):
                day = rng.randrange(365)
                hour = rng.choices(range(24), HOURS)[0]
                t = start + datetime.timedelta(days=day, hours=hour, minutes=rng.randrange(60))
                name = CHINESE.get(category, category) if rng.random() < 0.5 else category
                minutes = ""
                if rng.random() < 0.8:  # a fifth of the records have no handling time
                    sigma = 0.6
                    minutes = round(MINUTES[category] * math.exp(rng.gauss(-sigma**2 / 2, sigma)))
                rows.append([t.strftime("%Y-%m-%d %H:%M"), f"{p.x:.7f}", f"{p.y:.7f}", name,
                             minutes])
    rows.sort(key=lambda r: r[0])
    rows += [["2025-02-30 09:00", "113.0", "40.0", "民生服务", "30"],    # unreadable date
             ["2026-01-05 09:00", f"{p.x:.7f}", f"{p.y:.7f}", "health", "30"],  # after the year
             ["2025-05-05 09:00", f"{p.x:.7f}", f"{p.y:.7f}", "health", "-10"],  # negative
             ["2025-05-05 09:00", "113,1", "", "health", "20"],          # unreadable coordinates
             ["2025-05-05 09:00", "0.0", "0.0", "health", "20"],         # outside every grid
             ["2025-05-05 09:00", f"{p.x:.7f}", f"{p.y:.7f}", "卫生", "20"]]  # unknown category
    with open(os.path.join(out_dir, "records.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["time", "lon", "lat", "category", "minutes"])
        w.writerows(rows)
    with open(os.path.join(out_dir, "staffing.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["grid", "full_time", "part_time"])
        for _, g in grids.sort_values("code").iterrows():
            w.writerow([g["code"], g["full_time"], g["part_time"]])
    with open(os.path.join(out_dir, "time_use.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["component", "minutes_per_day"])
        for component, minutes in [("patrol", 70), ("household_visits", 40), ("care_visits", 75),
                                   ("campaigns", 60), ("livelihood_services", 25),
                                   ("work_order", 20), ("support", 90),
                                   ("微信群与电话答复 WeChat and phone", 45)]:
            w.writerow([component, minutes])
    print(f"{len(rows)} records ({len(rows) - 6} good, 6 bad) in {out_dir}/records.csv; "
          f"busy grids (×{BUSY}): {', '.join(sorted(busy))}")


def poisson(rng, mean):
    # Knuth's method for small means, normal approximation above 50.
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


if __name__ == "__main__":
    main()
