#!/usr/bin/python3
"""Writes a man page (roff, gzip -9n as Debian policy wants) from a program's --help.

    manpage.py PROGRAM NAME SECTION "one-line summary" OUT.gz [--subcommands] [--env K=V ...]

With --subcommands, the names under "Subcommands:" in PROGRAM --help are listed and each one's
`PROGRAM SUB --help` becomes its own section, so the page stays true to the CLI.
"""

import gzip
import os
import re
import subprocess
import sys


def help_text(command, env):
    result = subprocess.run(command + ["--help"], capture_output=True, text=True, env=env,
                            timeout=60)
    text = result.stdout if result.stdout.strip() else result.stderr
    if result.returncode != 0 or not text.strip():
        sys.exit("manpage.py: {} --help failed ({}): {}".format(" ".join(command),
                                                               result.returncode, result.stderr))
    return text


def roff(text):
    out = []
    for line in text.rstrip().splitlines():
        line = line.replace("\\", "\\e")
        if line.startswith((".", "'")):
            line = "\\&" + line
        out.append(line)
    return "\n".join(out)


def main():
    program, name, section, summary, out = sys.argv[1:6]
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    main_help = help_text([program], env)
    page = [".TH {} {} \"\" \"GridPlanner\" \"User Commands\"".format(name.upper(), section),
            ".SH NAME", "{} \\- {}".format(name, summary), ".SH SYNOPSIS",
            ".B {}".format(name), "[\\fIOPTIONS\\fR] ...", ".SH DESCRIPTION", ".nf",
            roff(main_help), ".fi"]
    if "--subcommands" in sys.argv:
        block = main_help.split("Subcommands:", 1)
        names = re.findall(r"^\s{2}([a-z][a-z-]*)\s", block[1], re.M) if len(block) == 2 else []
        for sub in names:
            page += [".SH \"{} {}\"".format(name.upper(), sub.upper()), ".nf",
                     roff(help_text([program, sub], env)), ".fi"]
    page += [".SH \"SEE ALSO\"",
             "The Chinese user guide: /usr/share/doc/gridplan/guide/zh-CN/index.html",
             ".SH AUTHOR", "GridPlanner developers."]
    with open(out, "wb") as f:
        # mtime=0: the same page gives the same bytes (reproducible packages).
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as gz:
            gz.write(("\n".join(page) + "\n").encode("utf-8"))


if __name__ == "__main__":
    main()
