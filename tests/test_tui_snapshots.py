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


# -- the main screen states (issue #12) ----------------------------------------------

async def settle(pilot) -> None:
    """Workers done, debounce timers fired, toasts cleared: a still screen."""
    for _ in range(3):
        await pilot.pause(0.4)
        await pilot.app.workers.wait_for_complete()
    pilot.app.clear_notifications()
    from textual.widgets import Input

    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False  # a blinking cursor would make the snapshot flaky
    await pilot.pause()


def build_with(theme: str = "triage-dark", path: str | None = None) -> TriageApp:
    SAMPLE_DIR.mkdir(exist_ok=True)
    sample = write_sample(SAMPLE_DIR)
    corpus = SAMPLE_DIR / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "copy.txt").write_text(sample.read_text())
    return create_app(path or str(sample), theme=theme,
                      heuristic_dirs=(str(SAMPLE_DIR / "heuristics"),), builtin=False, env={},
                      corpus_dir=str(corpus))


def steps(*keys: str, action=None):
    async def run_before(pilot) -> None:
        await wait_loaded(pilot)
        pilot.app.log_view.focus()
        if action is not None:
            await action(pilot)
        if keys:
            await pilot.press(*keys)
        await settle(pilot)
    return run_before


def test_search_active_with_matches(snap_compare) -> None:
    assert snap_compare(build_with(), terminal_size=(120, 40),
                        run_before=steps("g", "slash", *"heartbeat 1"))


def test_filter(snap_compare) -> None:
    assert snap_compare(build_with(), terminal_size=(120, 40),
                        run_before=steps("f", *"balena", "enter"))


def test_wrap_on(snap_compare) -> None:
    assert snap_compare(build_with(), terminal_size=(80, 24), run_before=steps("w"))


def test_draft_editor(snap_compare) -> None:
    async def promote(pilot) -> None:
        app = pilot.app
        line = next(n for n in range(1, app.document.line_count + 1)
                    if "start operation timed out" in app.document.line(n))
        app.log_view.goto_line(line)
        await pilot.press("p")

    assert snap_compare(build_with(), terminal_size=(140, 45), run_before=steps(action=promote))


def test_unexplained(snap_compare) -> None:
    async def show(pilot) -> None:
        pilot.app.show_tab("unexplained-tab")

    build_with()  # writes the sample
    path = SAMPLE_DIR / "device-unexplained.txt"
    pulls = "".join(f'May 02 16:04:0{i} balenad[1234]: level=error msg="failed to pull '
                    f'image {i}"\n' for i in range(3))
    path.write_text((SAMPLE_DIR / "device-diag.txt").read_text().replace(
        'msg="after 2"\n', 'msg="after 2"\n' + pulls, 1))
    assert snap_compare(build_with(path=str(path)), terminal_size=(120, 40),
                        run_before=steps(action=show))


def test_bookmarks(snap_compare) -> None:
    async def mark(pilot) -> None:
        app = pilot.app
        for text in ("heartbeat 3", "start operation timed out"):
            line = next(n for n in range(1, app.document.line_count + 1)
                        if text in app.document.line(n))
            app.log_view.goto_line(line)
            await pilot.press("m")
        app.show_tab("bookmarks-tab")

    assert snap_compare(build_with(), terminal_size=(120, 40), run_before=steps(action=mark))


def test_error_screen(snap_compare) -> None:
    async def wait(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    missing = str(SAMPLE_DIR / "no-such-capture.txt")
    assert snap_compare(build_with(path=missing), terminal_size=(80, 24), run_before=wait)


def test_contrast_theme(snap_compare) -> None:
    assert snap_compare(build_with("triage-contrast"), terminal_size=(120, 40),
                        run_before=steps())


def test_80x24_with_the_tree_shown(snap_compare) -> None:
    assert snap_compare(build_with(), terminal_size=(80, 24), run_before=steps("b"))
