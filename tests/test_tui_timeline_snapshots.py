"""Snapshots of the timeline screen and the compare screen (120x40, dark theme).

Deterministic: copies of bundled samples in a fixed folder (the file name shows on
screen), two small heuristics in a fixed folder instead of the evolving bundled library,
no SSH/tmux environment, screenshots after every worker finished. Update with
``pytest tests/test_tui_timeline_snapshots.py --snapshot-update`` after a deliberate
visual change (and look at the SVGs).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from triagebench.tui.app import TriageApp, create_app
from triagebench.tui.screens.compare import CompareScreen
from triagebench.tui.screens.timeline import TimelineScreen

SAMPLES = Path(__file__).resolve().parent.parent / "sample-diagnostics"
FOLDER = Path("/tmp/triagebench-timeline-snapshot")
HEURISTICS = {
    "under-voltage.toml": '''
id = "under-voltage"
title = "Under-voltage detected"
severity = "high"
permalink = "https://example.com/kb/under-voltage"
description = "The power supply cannot deliver enough current."
tags = ["power", "degraded"]

[signals.undervoltage]
in = ["dmesg*", "journalctl *"]
regex = 'Under-?voltage detected!'
''',
    "read-only-remount.toml": '''
id = "read-only-remount"
title = "Filesystem remounted read-only"
severity = "critical"
permalink = "https://example.com/kb/read-only"
description = "ext4 hit an error and remounted the data partition read-only."
tags = ["filesystem", "corruption"]

[signals.remount]
in = ["dmesg*", "journalctl *"]
regex = 'Remounting filesystem read-only'
''',
}


def _setup(*names: str) -> list[str]:
    FOLDER.mkdir(exist_ok=True)
    heuristics = FOLDER / "heuristics"
    heuristics.mkdir(exist_ok=True)
    for name, text in HEURISTICS.items():
        (heuristics / name).write_text(text.lstrip(), encoding="utf-8")
    paths = []
    for name in names:
        target = FOLDER / name
        shutil.copyfile(SAMPLES / name, target)
        paths.append(str(target))
    return paths


def _app(path: str, **kwargs: Any) -> TriageApp:
    return create_app(path, theme="triage-dark", heuristic_dirs=(str(FOLDER / "heuristics"),),
                      builtin=False, env={}, **kwargs)


async def _settle(pilot: Any) -> None:
    for _ in range(5):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def _timeline_at_failure(pilot: Any) -> None:
    app = pilot.app
    for _ in range(100):
        await _settle(pilot)
        if app.findings is not None and app.templates is not None:
            break
    await pilot.press("t")
    for _ in range(20):
        await _settle(pilot)
        if isinstance(app.screen, TimelineScreen):
            break
    await pilot.press("h", "colon")
    await pilot.pause()
    await pilot.press(*"11:09", "enter")
    await _settle(pilot)
    app.clear_notifications()
    await _settle(pilot)


async def _compare(pilot: Any) -> None:
    app = pilot.app
    for _ in range(100):
        await _settle(pilot)
        if isinstance(app.screen, CompareScreen):
            break
    app.clear_notifications()
    await _settle(pilot)


def test_timeline_screen(snap_compare) -> None:
    (path,) = _setup("s10-s12-s13-undervoltage-sdcard-rpi3-2.58.3.txt")
    assert snap_compare(_app(path), terminal_size=(120, 40), run_before=_timeline_at_failure)


def test_compare_screen(snap_compare) -> None:
    old, new = _setup("pair-before-hup-s14-s28-rpi4-2.88.4.txt",
                      "pair-after-hup-s10-rpi4-2.115.18.txt")
    assert snap_compare(_app(old, compare_path=new), terminal_size=(120, 40),
                        run_before=_compare)
