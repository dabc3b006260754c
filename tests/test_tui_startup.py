"""Start-up hygiene: what the app imports before its first frame (issue #4).

The heuristics engine, Pygments, the Markdown key help, sessions and the modal
screens are imported on first use (the loading worker, a key), so importing the
app stays close to Textual's own import time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from triagebench.heuristics.model import SEVERITIES as ENGINE_SEVERITIES
from triagebench.heuristics.model import SEVERITY_RANK as ENGINE_RANK
from triagebench.themes import SEVERITIES, SEVERITY_RANK

DEFERRED = (
    "triagebench.heuristics",
    "triagebench.heuristics.evaluate",
    "triagebench.heuristics.mining",
    "triagebench.services.sessions",
    "triagebench.tui.screens.detail",
    "triagebench.tui.screens.draft_editor",
    "pygments.lexers",
    "markdown_it",
    "webbrowser",
)


def test_severity_scale_matches_the_engine():
    assert SEVERITIES == ENGINE_SEVERITIES
    assert SEVERITY_RANK == ENGINE_RANK


def test_app_import_defers_what_the_first_frame_does_not_need():
    code = ("import json, sys; import triagebench.tui.app; "
            f"print(json.dumps([m for m in {list(DEFERRED)!r} if m in sys.modules]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert json.loads(result.stdout) == []


def test_building_the_app_freezes_the_start_up_objects_once_per_process():
    """The collector skips what exists when the first app is built; building more apps
    (tests, a reopened file) must not freeze their objects too (they would never be
    collected)."""
    code = ("import gc; from triagebench.tui.app import create_app; "
            "create_app('a.txt', env={}); first = gc.get_freeze_count(); "
            "junk = [[] for _ in range(10_000)]; create_app('b.txt', env={}); "
            "print(first, gc.get_freeze_count())")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    first, second = map(int, result.stdout.split())
    assert first > 10_000  # Textual, Rich and our modules (GC-tracked containers)
    assert second == first


def test_the_first_document_shown_is_frozen_too_and_only_the_first():
    """Its lines and findings live as long as the file is open: the collector skips them
    after the first document is shown (in a fresh process: freezing is per process)."""
    code = r"""
import asyncio, gc, sys
from triagebench.tui.app import create_app
from tests.pilot import settle_until

async def main(path):
    app = create_app(path, env={})
    async with app.run_test(size=(120, 40)) as pilot:
        before = gc.get_freeze_count()
        await settle_until(pilot, lambda: app.findings is not None)
        return before, gc.get_freeze_count()

first = asyncio.run(main(sys.argv[1]))
second = asyncio.run(main(sys.argv[1]))
print(*first, *second)
"""
    sample = str(Path(__file__).resolve().parent.parent / "sample-diagnostics"
                 / "s10-s12-s13-undervoltage-sdcard-rpi3-2.58.3.txt")
    result = subprocess.run([sys.executable, "-c", code, sample], capture_output=True,
                            text=True, check=True, cwd=Path(__file__).resolve().parent.parent)
    before, after, again_before, again_after = map(int, result.stdout.split())
    assert after > before + 8_000  # at least the document's lines became permanent
    assert again_after == again_before  # a second file in the same process is not frozen


def test_the_collector_paused_for_start_up_runs_again_after_the_first_paint():
    """``triage FILE`` pauses the cyclic collector before importing Textual; the app
    freezes what is alive and turns it back on once its first frame is painted (a
    collector left off would let every cycle of a long session pile up). An app built
    without the pause (tests, the bench) keeps its collector as it was."""
    code = r"""
import asyncio, gc, sys
from triagebench.tui.startup import pause_collector
pause_collector()
assert not gc.isenabled()
from triagebench.tui.app import create_app

async def main(path):
    app = create_app(path, env={})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        return gc.isenabled(), gc.get_freeze_count()

enabled, frozen = asyncio.run(main(sys.argv[1]))
gc.disable()  # a second app, the collector off by someone else: left as it is
again, _ = asyncio.run(main(sys.argv[1]))
print(enabled, frozen > 10_000, again)
"""
    sample = str(Path(__file__).resolve().parent.parent / "sample-diagnostics"
                 / "healthy-rpi0-2w-2.87.16.txt")
    result = subprocess.run([sys.executable, "-c", code, sample], capture_output=True,
                            text=True, check=True, cwd=Path(__file__).resolve().parent.parent)
    assert result.stdout.split() == ["True", "True", "False"]
