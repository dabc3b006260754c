"""Shared helpers for the heuristics tests: diagnostics text in the real format, heuristic files.

(No tests here; the name keeps it inside the heuristics test area.)
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.realdata import build


def diagnostics_text(sections: dict[str, list[str]], stderr: dict[str, list[str]] | None = None) -> str:
    """A balena diagnose.sh download with these sections, captured 2022-05-02 16:03:40 UTC
    (the one builder: ``tests.realdata.build.diagnostics_text``)."""
    return build.diagnostics_text(sections, stderr=stderr)


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
