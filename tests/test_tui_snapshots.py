"""Snapshots of the main screen: 80x24 and 120x40, in the dark and the light theme.

Deterministic by construction: a fixed sample file (``test_tui_app_helpers``),
a fixed heuristics folder, a temp config dir (no saved theme), no SSH/tmux
environment, and the screenshot is taken after the loading worker finished.
Update with ``pytest tests/test_tui_snapshots.py --snapshot-update`` after a
deliberate visual change (and look at the SVGs).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from triagebench.tui.app import TriageApp, create_app

from tests.test_tui_app_helpers import write_sample

SAMPLE_DIR = Path("/tmp/triagebench-snapshot-sample")



def build(theme: str) -> TriageApp:
    # A fixed path: the file name and folder appear on screen.
    SAMPLE_DIR.mkdir(exist_ok=True)
    path = write_sample(SAMPLE_DIR)
    return create_app(str(path), theme=theme, heuristic_dirs=(str(SAMPLE_DIR / "heuristics"),),
                      builtin=False, env={})


async def wait_loaded(pilot) -> None:
    app = pilot.app
    for _ in range(100):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if app.findings is not None:
            break
    await pilot.pause()


@pytest.mark.parametrize("theme", ["triage-dark", "triage-light"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_main_screen(snap_compare, theme: str, size: tuple[int, int]) -> None:
    assert snap_compare(build(theme), terminal_size=size, run_before=wait_loaded)
