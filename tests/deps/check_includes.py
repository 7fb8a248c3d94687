#!/usr/bin/env python3
"""Module dependencies point one way: reads every #include line under planner/ and qml/src/ and
fails (exit 1, one line per offending include: file:line: what and why) when a module includes a
module it must not, or a library header outside the module that owns it. The rules are the table
in docs/architecture.md "Modules"; keep both in step.

Usage: check_includes.py [SOURCE_DIR]   (ctest runs it as "deps: module includes point one way")
"""
import pathlib
import re
import sys

# module -> engine modules it may include (besides itself). Order of the architecture drawing:
# core <- geo <- partition, sim, synth <- evaluation <- report <- io <- pipeline <- cli, studio.
ALLOWED = {
    "core": set(),
    "geo": {"core"},
    "sim": {"core", "partition"},  # the Plan type (partition/plan.hpp) it evaluates
    "synth": {"core", "geo"},
    "partition": {"core", "geo"},
    "evaluation": {"core", "geo", "partition", "sim"},
    "report": {"core", "geo", "partition", "sim", "evaluation"},
    "io": {"core", "geo", "partition", "sim", "evaluation", "report"},
    "pipeline": {"core", "geo", "partition", "sim", "evaluation", "report", "io"},
    "cli": {"core", "geo", "partition", "sim", "evaluation", "report", "io", "pipeline", "synth"},
    "studio": {"core", "geo", "partition", "sim", "evaluation", "report", "io", "pipeline", "synth"},
}
# Library headers and the only modules that may include them (in any file).
LIBRARIES = [
    (re.compile(r"^(gdal|ogr|cpl_|ogrsf_frmts)"), {"io"}, "GDAL only in planner/io"),
    (re.compile(r"^geos_c\.h"), {"geo"}, "GEOS (the _r C API) only in planner/geo"),
    (re.compile(r"^(Q[A-Z]\w*|qt\w*/)"), {"studio"}, "Qt only in qml/"),
    (re.compile(r"^toml\+\+/"), {"pipeline"}, "toml++ only in planner/pipeline (scenario files)"),
    (re.compile(r"^CLI/"), {"cli"}, "CLI11 only in planner/cli"),
]
# Public headers (.hpp) of io must not pull GDAL in: its users do not link GDAL. Its private
# headers (GDAL helpers shared by its .cpp files) may, and nothing outside io includes them.
PRIVATE_HEADERS = {"planner/io/gdal_support.hpp"}
PUBLIC_HEADER_FORBIDDEN = [(re.compile(r"^(gdal|ogr|cpl_)"), "io", "no GDAL in io's public headers")]
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def module_of(path: pathlib.Path, root: pathlib.Path):
    rel = path.relative_to(root).parts
    if rel[0] == "planner" and len(rel) > 2:
        return rel[1]
    if rel[0] == "qml" and rel[1] == "src":
        return "studio"
    return None


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    files = sorted(
        [p for p in (root / "planner").rglob("*") if p.suffix in (".hpp", ".cpp", ".h")]
        + [p for p in (root / "qml" / "src").rglob("*") if p.suffix in (".hpp", ".cpp", ".h")]
    )
    problems = []
    for path in files:
        module = module_of(path, root)
        if module is None:
            continue
        if module not in ALLOWED:
            problems.append(f"{path.relative_to(root)}: module '{module}' has no rule in "
                            f"tests/deps/check_includes.py (add it there and to docs/architecture.md)")
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            header = m.group(1)
            where = f"{path.relative_to(root)}:{number}"
            if header in PRIVATE_HEADERS and module != header.split("/")[1]:
                problems.append(f"{where}: {module} includes {header}, a private header of "
                                f"{header.split('/')[1]}")
            if header.startswith("planner/"):
                target = header.split("/")[1]
                if target != module and target not in ALLOWED[module]:
                    problems.append(f"{where}: {module} includes {header}: {module} may include "
                                    f"only {', '.join(sorted(ALLOWED[module])) or 'itself'}")
                continue
            for pattern, owners, why in LIBRARIES:
                if pattern.match(header) and module not in owners:
                    problems.append(f"{where}: {module} includes <{header}>: {why}")
            rel = path.relative_to(root).as_posix()
            if path.suffix == ".hpp" and rel not in PRIVATE_HEADERS:
                for pattern, owner, why in PUBLIC_HEADER_FORBIDDEN:
                    if module == owner and pattern.match(header):
                        problems.append(f"{where}: <{header}> in a public header: {why}")
    for p in problems:
        print(p)
    print(f"checked {len(files)} files: {len(problems)} wrong-way includes")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
