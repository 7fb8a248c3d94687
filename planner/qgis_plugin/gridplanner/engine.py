"""Runs the GridPlanner engine (the `gridplan` program) for the algorithms.

The engine is the project's own CLI, never a copy of it in Python: the algorithms build its
command line, forward its stderr progress lines ("[12 s] stage  45.0%, ~3 s left") to
QgsProcessingFeedback, kill it when the user cancels, and hand its error messages to the user
verbatim (they name the file, layer and feature and say what to do).
"""

import os
import re
import shutil
import subprocess
import threading
import time

from qgis.core import QgsProcessingException, QgsSettings

from .i18n import tr

#: Where the program is looked for, in order: the GRIDPLAN environment variable, the plugin
#: setting "gridplanner/executable", a build tree next to the plugin (developers), PATH.
SETTING_KEY = "gridplanner/executable"

# "[12 s] tessellating  45.0%, ~3 s left (run ~20 s left)": elapsed, stage, percent, estimate.
PROGRESS = re.compile(r"^\[[^\]]*\]\s+(.*?)\s+([0-9.]+)%(.*)$")


def find_gridplan():
    candidates = [os.environ.get("GRIDPLAN", ""), QgsSettings().value(SETTING_KEY, "", str)]
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", "..", ".."))
    for preset in ("release", "dev"):
        candidates.append(os.path.join(root, "build", preset, "planner", "cli", "gridplan"))
    candidates.append(shutil.which("gridplan") or "")
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise QgsProcessingException(
        tr("The GridPlanner program 'gridplan' was not found. Install the gridplan Debian "
           "package, or set the GRIDPLAN environment variable (or the QGIS setting {}) to "
           "its path.").format(SETTING_KEY))


def run_engine(arguments, feedback, ok_codes=(0,)):
    """Runs gridplan with `arguments`; returns (exit code, stdout text).

    Progress lines go to the feedback's progress bar, other stderr lines to its log. A cancel
    request kills the process. An exit code not in `ok_codes` raises QgsProcessingException with
    the engine's own message.
    """
    command = [find_gridplan()] + [str(a) for a in arguments]
    feedback.pushCommandInfo(" ".join(_quote(a) for a in command))
    env = dict(os.environ)
    env.setdefault("LANG", "C.UTF-8")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env, text=True, encoding="utf-8", errors="replace")
    errors = []
    out = []

    def read_stderr():
        for line in process.stderr:
            line = line.rstrip("\n")
            match = PROGRESS.match(line)
            if match:
                estimate = match.group(3).strip(" ,")
                feedback.setProgressText(match.group(1) + (" — " + estimate if estimate else ""))
                feedback.setProgress(float(match.group(2)))
            elif line.strip():
                errors.append(line)
                feedback.pushInfo(line)

    def read_stdout():
        for line in process.stdout:
            out.append(line)

    readers = [threading.Thread(target=read_stderr, daemon=True),
               threading.Thread(target=read_stdout, daemon=True)]
    for reader in readers:
        reader.start()
    cancelled = False
    while process.poll() is None:
        if feedback.isCanceled():
            cancelled = True
            process.terminate()  # the engine stops at its next progress check
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            break
        time.sleep(0.1)
    for reader in readers:
        reader.join(timeout=5)
    process.stdout.close()
    process.stderr.close()
    stdout = "".join(out)
    if cancelled:
        raise QgsProcessingException(tr("Cancelled: gridplan was stopped."))
    if process.returncode not in ok_codes:
        message = "\n".join(errors) or stdout.strip() or tr("gridplan exited with code {}").format(
            process.returncode)
        raise QgsProcessingException(message)
    return process.returncode, stdout


def _quote(text):
    return text if re.fullmatch(r"[\w@%+=:,./-]+", text) else "'" + text.replace("'", "'\\''") + "'"
