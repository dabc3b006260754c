"""Shared helpers for the heuristics tests: diagnostics text in the real format, heuristic files.

(No tests here; the name keeps it inside the heuristics test area.)
"""

from __future__ import annotations

import textwrap
from pathlib import Path

TIME = "real\t0m 0.01s\nuser\t0m 0.00s\nsys\t0m 0.00s"


def diagnostics_text(sections: dict[str, list[str]], stderr: dict[str, list[str]] | None = None) -> str:
    """A balena diagnose.sh download (STDOUT:/STDERR: parts, COMMANDS listing) with these sections."""
    stderr = stderr or {}
    out = ["STDOUT:", "", TIME, "", "--- diagnose 4.22.11 ---", "", "",
           "--- NOTE: not all commands are expected to succeed on all device types ---", "", "",
           "--- COMMANDS ---", "", "",
           "--- prefixing commands with 'date --utc --rfc-3339=ns ; /usr/bin/time -o /dev/stdout "
           "timeout --preserve-status --kill-after=20 -v 10 bash -c' ---", ""]
    out.extend(sections)
    for command, lines in sections.items():
        out += ["", f"--- {command} ---", "", "2022-05-02 16:03:40.941545526+00:00", *lines, TIME]
    out += ["", "STDERR:", "", "--- diagnose 4.22.11 ---", ""]
    for command in sections:
        out += ["", f"--- {command} ---", "", *stderr.get(command, [])]
    return "\n".join(out) + "\n"


def write_heuristic(folder: Path, hid: str, body: str, *, severity: str = "high",
                    title: str | None = None, extra_top: str = "") -> Path:
    """Write ``folder/hid.toml`` with the required top-level keys plus ``body`` (signals...)."""
    folder.mkdir(parents=True, exist_ok=True)
    head = (f'id = "{hid}"\ntitle = "{title or hid}"\nseverity = "{severity}"\n'
            f'permalink = "https://example.com/kb/{hid}"\ndescription = "What {hid} means."\n'
            f'remedy = "Fix {hid}."\n{extra_top}')
    path = folder / f"{hid}.toml"
    path.write_text(head + "\n" + textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path
