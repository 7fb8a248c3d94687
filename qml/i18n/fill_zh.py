#!/usr/bin/env python3
"""Fills qml/i18n/gridplan_zh_CN.ts with the Chinese interface strings (run after lupdate:
`/usr/lib/qt6/bin/lupdate qml/src qml/ui -ts qml/i18n/gridplan_zh_CN.ts -no-obsolete -locations none && python3 qml/i18n/fill_zh.py`). Strings not
listed here stay unfinished and show in English."""
import html
import pathlib
import re

ZH = {
    "Buildings": "楼栋", "Households": "户数", "Large grids": "大网格", "Micro grids": "微网格",
    "Grids outside bounds": "超出户数范围的网格", "Grids not contiguous": "不连通的网格",
    "Barrier crossings": "跨越障碍", "Compounds split": "被拆分的小区", "Mean compactness": "平均紧凑度",
    "Left: %1": "左：%1", "Right: %1": "右：%1", "(none)": "（无）",
    "Open scenario to compare…": "打开对比方案…", "Figure": "指标", "Left": "左", "Right": "右",
    "Buildings in a different grid: %1 (%2 households)": "网格归属不同的楼栋：%1 栋（%2 户）",
    "#%1 %2 (%3 households): %4 → %5": "#%1 %2（%3 户）：%4 → %5",
    "error": "错误", "warning": "警告", "info": "提示", "Diagnostics (%1)": "诊断（%1）",
    "Code": "编码", "Name": "名称", "Workload": "工作量", "Area km²": "面积 km²",
    "Compactness": "紧凑度", "Check": "检查", "Locked": "锁定", "too small": "户数过少",
    "too large": "户数过多", "not contiguous": "不连通", "crosses barrier": "跨越障碍", "ok": "合格",
    "Grids": "网格", "All grids": "全部网格", "%1 rows": "%1 行", "Building": "楼栋",
    "Micro grid": "微网格", "Large grid": "大网格", "Service station": "党群服务站",
    "Nothing selected": "未选择", "ID": "编号", "Use": "用途", "Households estimated": "户数为估算",
    "Floors": "层数", "Units (entrances)": "单元数", "Footprint m²": "占地面积 m²", "Compound": "小区",
    "Community": "社区", "Neighbouring micro grids": "相邻微网格", "Contiguous": "连通",
    "Below minimum": "低于下限", "Above maximum": "高于上限", "Minimum households": "户数下限",
    "Maximum households": "户数上限", "Tier": "级别", "Floor area m²": "建筑面积 m²", "yes": "是",
    "no": "否", "Inspect": "查看", "Unlock grid": "解锁网格", "Lock grid": "锁定网格",
    "Zoom to": "缩放至", "Communities": "社区", "Rivers and water": "河流水系", "Grid colouring": "网格着色",
    "Compounds": "小区", "Roads": "道路", "Service stations": "党群服务中心/站",
    "Rule checks and selection": "规则检查与选中", "Layers": "图层",
    "Households per micro grid": "微网格户数", "Workload per micro grid": "微网格工作量",
    "Worker utilisation": "网格员负荷率", "Walking coverage": "步行覆盖", "No colouring": "不着色",
    "below %1 (too small)": "少于 %1 户（过小）", "above %1 (too large)": "多于 %1 户（过大）",
    "%1 – %2": "%1 – %2", "low": "低", "high": "高", "one colour per large grid": "每个大网格一种颜色",
    "Legend": "图例", "Residential building": "住宅楼栋", "Other building": "其他建筑",
    "Large grid boundary": "大网格边界", "Micro grid boundary": "微网格边界", "Rule violated": "违反规则",
    "River": "河流", "Compound service station": "小区党群服务站",
    "Community / county centre": "社区/县级党群服务中心", "&Help": "帮助(&H)",
    "&User guide (Chinese)": "用户指南(&U)", "User guide": "用户指南", "Moved building": "调整过的楼栋",
    "GridPlanner Studio": "网格规划工作台", "Open a scenario to compare": "打开要对比的方案",
    "Open scenario, run or input files": "打开方案、运行结果或输入文件",
    "GIS files (*.gpkg *.shp *.geojson *.json *.fgb *.osm *.pbf *.toml)":
        "GIS 文件 (*.gpkg *.shp *.geojson *.json *.fgb *.osm *.pbf *.toml)",
    "All files (*)": "所有文件 (*)", "Open a run directory": "打开运行结果目录", "Export grids": "导出网格",
    "GeoPackage (*.gpkg)": "GeoPackage (*.gpkg)", "&File": "文件(&F)", "&Open files…": "打开文件(&O)…",
    "Open &run directory…": "打开运行目录(&R)…", "&Compare with…": "与…对比(&C)",
    "&Export…": "导出(&E)…", "&Quit": "退出(&Q)", "&Edit": "编辑(&E)", "&Undo %1": "撤销(&U) %1",
    "&Redo %1": "重做(&R) %1", "Re-plan unlocked grids": "重新规划未锁定网格", "&View": "视图(&V)",
    "Zoom to whole town": "缩放至全城", "Grid labels": "网格标注", "Open": "打开", "Colour by": "着色依据",
    "Move building": "移动楼栋", "Move compound": "移动小区", "Undo": "撤销", "Redo": "重做",
    "Re-plan": "重新规划", "Cancel": "取消",
    "%1 buildings · %2 households · %3 large / %4 micro grids · %5 outside bounds · %6 not contiguous":
        "%1 栋楼 · %2 户 · 大网格 %3 个 / 微网格 %4 个 · %5 个超出范围 · %6 个不连通",
    "%1 buildings · planning…": "%1 栋楼 · 规划中…",
    "No data: open a scenario, a run directory or input files (or drop them here)":
        "无数据：请打开方案、运行目录或输入文件（或拖放到此处）",
    "last edit %1 ms": "上次编辑 %1 毫秒", "Map": "地图", "Grid table": "网格表", "Diagnostics": "诊断",
    "Compare": "方案对比", "Cancelled": "已取消", "Nothing to open: no GIS file in %1": "没有可打开的内容：%1 中没有 GIS 文件",
    "Scenario files are not supported by this build yet: %1": "此版本尚不支持方案文件：%1",
    "Loaded %1 buildings": "已读取 %1 栋楼", "Planned %1 large and %2 micro grids": "已划分 %1 个大网格、%2 个微网格",
    "No micro grid at that point": "该位置没有微网格", "Undone: %1": "已撤销：%1", "Redone: %1": "已重做：%1",
    "Exported to %1": "已导出到 %1",
    # Scenarios, lasso, simulation, basemap (issue 7, items 1, 4, 8).
    "Open one scenario at a time: %1": "一次只能打开一个方案：%1",
    "Cannot open the scenario %1: %2": "无法打开方案 %1：%2",
    "The scenario %1 names no input files ([input] files = [...])": "方案 %1 未指定输入文件（[input] files = [...]）",
    "The lasso caught no building": "套索内没有楼栋",
    "%1 buildings selected: click a neighbouring micro grid to move them there": "已选中 %1 栋楼：点击相邻的微网格即可移入",
    "Simulated: %1 workers, mean utilisation %2%": "仿真完成：网格员 %1 人，平均负荷率 %2%",
    "Cannot open the basemap: %1": "无法打开底图：%1", "Tiles: %1": "瓦片：%1",
    "Re-run the simulation": "重新运行仿真", "Lasso selection": "套索选择", "Lasso": "套索",
    "whole compounds": "整个小区", "Simulate (plan changed)": "仿真（方案已修改）", "Simulate": "仿真",
    "simulation (before the last edits): ": "仿真（最近修改之前）：", "simulation: ": "仿真：",
    "%1 workers · utilisation %2% · p90 response %3 h · %4% within %5 m":
        "网格员 %1 人 · 负荷率 %2% · 90% 响应 %3 小时 · %4% 住户在 %5 米内",
    "&Basemap…": "底图(&B)…", "Basemap": "底图",
    "XYZ tile URL template (e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png)\nor a GeoTIFF / MBTiles file. Empty: no basemap.":
        "XYZ 瓦片地址模板（如 https://tile.openstreetmap.org/{z}/{x}/{y}.png）\n或 GeoTIFF / MBTiles 文件。留空则不用底图。",
    "URL template or file": "地址模板或文件", "Choose file…": "选择文件…", "Remove basemap": "移除底图",
    "Choose a basemap raster": "选择底图栅格文件", "Zoom to the differences": "缩放至差异处",
    "low: %1": "低：%1", "high: %1": "高：%1",
    "Rasters (*.tif *.tiff *.mbtiles *.gpkg *.vrt *.jp2 *.png *.jpg)": "栅格文件 (*.tif *.tiff *.mbtiles *.gpkg *.vrt *.jp2 *.png *.jpg)",
    # Edit checks (PlanEditor) and run directories.
    "nothing selected": "未选择任何楼栋", "no micro grid there": "该位置没有微网格",
    "no such building": "没有该楼栋", "the building is in no grid": "该楼栋不属于任何网格",
    "already in that grid": "已在该网格中", "grid %1 is locked": "网格 %1 已锁定",
    "grids never cross a community boundary": "网格不能跨越社区边界",
    "grid %1 is not a neighbour of the selection": "网格 %1 与所选楼栋不相邻",
    "building split by units across micro grids cannot be moved by hand":
        "按单元拆分到多个微网格的楼栋不能手动移动",
    "move building": "移动楼栋", "move compound": "移动小区", "move %1 buildings": "移动 %1 栋楼",
    "%1 building(s), %2 households moved from %3 to %4": "%1 栋楼、%2 户已从 %3 移至 %4",
    "no such grid": "没有该网格", "lock grid": "锁定网格", "unlock grid": "解锁网格",
    "re-plan": "重新规划",
    "%1 is not a run directory of gridplan run (it needs manifest.json and plan.gpkg)":
        "%1 不是 gridplan run 的运行结果目录（需要 manifest.json 和 plan.gpkg）",
    "Cannot open the run's scenario %1: %2": "无法打开该运行结果的方案 %1：%2",
    "%1 %2 %": "%1 %2%", " · about %1 left": " · 约剩 %1",
    # Progress: the job's time left, durations, the engine's stages (Session::stage_text).
    " · about %1 left in all": " · 全部约剩 %1", "under a second": "不到 1 秒", "%1 s": "%1 秒",
    "%1 min %2 s": "%1 分 %2 秒", "%1 h %2 min": "%1 小时 %2 分",
    "Reading the data": "读取数据", "Projecting": "坐标投影", "Estimating households": "估算户数",
    "Checking the data": "检查数据", "Building cells": "划分楼栋地块", "Planning grids": "划分网格",
    "Drawing grid boundaries": "生成网格边界", "Checking coverage": "检查覆盖",
    "Checking the plan": "检查方案", "Estimating workload": "估算工作量", "Simulating": "事件模拟",
    "Sensitivity analysis": "敏感性分析", "Staffing": "人员配置", "Station rules": "站点规则",
    "Siting stations": "站点选址", "Evaluating": "评估", "Exporting": "导出",
    " · working (%1 since the last step)": " · 计算中（距上一步 %1）",
}


def main():
    path = pathlib.Path(__file__).with_name("gridplan_zh_CN.ts")
    text = path.read_text(encoding="utf-8")

    def fill(m):
        source = html.unescape(m.group(1))
        zh = ZH.get(source)
        if zh is None:
            return m.group(0)
        return "<source>%s</source>\n        <translation>%s</translation>" % (
            m.group(1), html.escape(zh, quote=False))

    text = re.sub(r"<source>(.*?)</source>\s*<translation[^>]*>.*?</translation>", fill, text,
                  flags=re.S)
    path.write_text(text, encoding="utf-8")
    missing = sorted({html.unescape(s) for s in re.findall(r"<source>(.*?)</source>\s*<translation type=\"unfinished\"", text, re.S)})
    for s in missing:
        print("untranslated:", s)


if __name__ == "__main__":
    main()
