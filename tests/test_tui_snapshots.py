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

from tests.pilot import settle_until
from tests.test_tui_app_helpers import write_sample

SAMPLE_DIR = Path("/tmp/triagebench-snapshot-sample")



def build(theme: str) -> TriageApp:
    # A fixed path: the file name and folder appear on screen.
    SAMPLE_DIR.mkdir(exist_ok=True)
    path = write_sample(SAMPLE_DIR)
    return create_app(str(path), theme=theme, heuristic_dirs=(str(SAMPLE_DIR / "heuristics"),),
                      builtin=False, env={})


async def wait_loaded(pilot) -> None:
    await settle_until(pilot, lambda: pilot.app.findings is not None)


@pytest.mark.parametrize("theme", ["triage-dark", "triage-light"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_main_screen(snap_compare, theme: str, size: tuple[int, int]) -> None:
    assert snap_compare(build(theme), terminal_size=size, run_before=wait_loaded)


async def wait_error_screen(pilot) -> None:
    from triagebench.tui.screens.error import ErrorScreen

    await settle_until(pilot, lambda: isinstance(pilot.app.screen, ErrorScreen))


def test_error_screen_shows_its_message(snap_compare) -> None:
    """A file that vanished before loading: the red box holds the title, the message
    naming the file and the problem, and the hint (it used to lay out at 0x0)."""
    SAMPLE_DIR.mkdir(exist_ok=True)
    missing = SAMPLE_DIR / "vanished-device-diag.txt"
    missing.unlink(missing_ok=True)
    app = create_app(str(missing), theme="triage-dark", builtin=False, env={})
    assert snap_compare(app, terminal_size=(80, 24), run_before=wait_error_screen)
