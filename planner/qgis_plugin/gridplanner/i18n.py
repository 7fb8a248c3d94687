"""Chinese and English strings of the plugin.

QGIS plugins translate with QCoreApplication.translate and .qm files; this plugin keeps its
few strings in one table instead (no build step, reviewable in a diff). The language follows
QGIS's own setting "locale/userLocale" (Settings → Options → General), as Qt .qm loading in
plugins does; GRIDPLANNER_LANG overrides it (tests).
"""

import os

from qgis.core import QgsSettings

ZH_CN = {
    "GridPlanner (网格规划)": "网格规划 GridPlanner",
    "Plan grids": "划分网格",
    "Check a plan": "检查网格方案",
    "Compare plans": "比较网格方案",
    "Planning": "网格规划",
    "Input layers (buildings, compounds, communities, roads, rivers, stations…)":
        "输入图层 (楼栋、小区、社区、道路、河流、服务站…)",
    "Scenario file (optional; the values below override it)": "情景文件 (可选；以下参数优先)",
    "Large grid: minimum households": "大网格最少户数",
    "Large grid: maximum households": "大网格最多户数",
    "Micro grid: minimum households": "微网格最少户数",
    "Micro grid: maximum households": "微网格最多户数",
    "Hard road classes (no grid crosses them)": "硬边界道路等级 (网格不跨越)",
    "Random seed": "随机种子",
    "Other hard road classes, as your data writes them (comma-separated, e.g. 主干路,次干路)":
        "其他硬边界道路等级，按数据中的写法 (逗号分隔，如 主干路,次干路)",
    "Run the event simulation (slower)": "运行事件模拟 (较慢)",
    "Output folder": "输出文件夹",
    "Plan (GeoPackage)": "网格方案 (GeoPackage)",
    "Report (HTML)": "报告 (HTML)",
    "Large grids": "大网格",
    "Micro grids": "微网格",
    "Plan file (plan.gpkg, or a GeoPackage or Shapefile of grids)":
        "方案文件 (plan.gpkg，或网格的 GeoPackage/Shapefile)",
    "Layers to check against (default: the plan file's own layers)":
        "用于检查的图层 (默认使用方案文件自带的图层)",
    "Scenario file whose bounds and hard road classes apply (optional)":
        "采用其户数界限和硬边界道路等级的情景文件 (可选)",
    "Check result (JSON)": "检查结果 (JSON)",
    "All rules hold": "全部规则满足",
    "Plans to compare (run folders or scenario files; the first is the reference)":
        "待比较的方案 (运行输出文件夹或情景文件；第一个为参照)",
    "Comparison (HTML)": "比较报告 (HTML)",
    "The plan holds every rule.": "方案满足全部规则。",
    "The plan breaks a rule; see the messages above.": "方案违反规则，详见上方信息。",
    "Cancelled: gridplan was stopped.": "已取消：gridplan 已停止。",
    "gridplan exited with code {}": "gridplan 退出码 {}",
    "The GridPlanner program 'gridplan' was not found. Install the gridplan Debian package, "
    "or set the GRIDPLAN environment variable (or the QGIS setting {}) to its path.":
        "未找到网格规划程序 gridplan。请安装 gridplan 软件包，或将环境变量 GRIDPLAN "
        "(或 QGIS 设置 {}) 设为其路径。",
    "Layer '{}' is not a file GridPlanner can read; saved it to {} first.":
        "图层“{}”不是 GridPlanner 可读取的文件，已先保存到 {}。",
    "Give at least two plans to compare.": "请至少给出两个方案进行比较。",
    "The output folder {} exists and is not a GridPlanner output; choose a new or empty folder.":
        "输出文件夹 {} 已存在且不是网格规划的输出，请选择新的或空的文件夹。",
    "Scenario file": "情景文件",
    "Give the input layers, or a scenario file that names its input files.":
        "请选择输入图层，或给出列有输入文件的情景文件。",
    "Divides every community of the input layers into large grids (大网格) and micro grids "
    "(微网格) with the GridPlanner engine, within the household bounds, never crossing rivers, "
    "rail or the hard road classes. Writes plan.gpkg (layers open styled), report.html and "
    "the attribute tables into the output folder.":
        "使用网格规划引擎把输入图层中的每个社区划分为大网格和微网格：户数在界限之内，"
        "不跨越河流、铁路和硬边界道路。在输出文件夹写出 plan.gpkg (图层自带样式)、"
        "report.html 和属性表。",
    "Checks a plan against GridPlanner's rules (household bounds, boundaries, coverage, "
    "stations) with `gridplan check`. Fails only when the engine cannot read the plan; a broken "
    "rule is reported in the log and in the ALL_RULES_HOLD output.":
        "使用 gridplan check 按网格规划的规则 (户数界限、边界、覆盖、服务站) 检查方案。"
        "只有无法读取方案时才报错；违反的规则写在日志和“全部规则满足”输出中。",
    "Compares plans side by side with `gridplan compare`: households per grid, grids outside "
    "their bounds, workload, walking coverage and the buildings moved against the first plan. "
    "Writes compare.html and compare.csv.":
        "使用 gridplan compare 并列比较方案：每个网格的户数、越界网格、工作量、步行覆盖"
        "以及相对第一个方案调整的楼栋。写出 compare.html 和 compare.csv。",
}


def language():
    forced = os.environ.get("GRIDPLANNER_LANG", "")
    if forced:
        return forced
    locale = QgsSettings().value("locale/userLocale", "", str) or ""
    if not locale:
        from qgis.PyQt.QtCore import QLocale
        locale = QLocale.system().name()
    return locale


def tr(text):
    """The text in QGIS's language: Chinese for zh*, else English."""
    if language().lower().startswith("zh"):
        return ZH_CN.get(text, text)
    return text
