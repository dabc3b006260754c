"""Pilot tests of the timeline (``t``), jump by time (``:``) and the compare screen, key by
key as a support agent works, on the bundled under-voltage / SD-card sample and the
before/after host OS update pair. Config and data folders are temp paths (conftest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList
from triagebench.tui.app import TriageApp, create_app
from triagebench.tui.screens.compare import CaptureScreen, CompareScreen
from triagebench.tui.screens.timeline import TimelineScreen
from triagebench.tui.widgets.log_view import LogView
from triagebench.tui.widgets.timeline_view import TimelineView

from tests.pilot import run_async

SAMPLES = Path(__file__).resolve().parent.parent / "sample-diagnostics"
SDCARD = SAMPLES / "s10-s12-s13-undervoltage-sdcard-rpi3-2.58.3.txt"
OLD = SAMPLES / "pair-before-hup-s14-s28-rpi4-2.88.4.txt"
NEW = SAMPLES / "pair-after-hup-s10-rpi4-2.115.18.txt"

pytestmark = pytest.mark.usefixtures("no_local_clipboard")


async def loaded(app: TriageApp, pilot: Any) -> None:
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if app.findings is not None and app.templates is not None:
            break
    await pilot.pause()


async def settle(app: TriageApp, pilot: Any) -> None:
    for _ in range(5):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def open_timeline(app: TriageApp, pilot: Any) -> TimelineView:
    await pilot.press("t")
    for _ in range(50):
        await settle(app, pilot)
        if isinstance(app.screen, TimelineScreen):
            break
    assert isinstance(app.screen, TimelineScreen)
    await pilot.pause()
    return app.screen.query_one(TimelineView)


def visible(view: TimelineView) -> list[tuple[int, str]]:
    """(row position, text) of the rows on screen."""
    top = view.scroll_offset.y
    rows = range(top, min(len(view.slice), top + view.size.height - 1))
    return [(at, view.slice.row(at).text) for at in rows]


@run_async
async def test_causal_order_on_one_screen_and_enter_lands_in_each_section() -> None:
    app = create_app(str(SDCARD), env={})
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        view = await open_timeline(app, pilot)
        await pilot.press("h")  # evidence and error-like lines only
        await pilot.press("colon")
        await pilot.pause()
        await pilot.press(*"10:31", "enter")
        await settle(app, pilot)
        shown = visible(view)
        texts = [text for _at, text in shown]
        voltage = next(i for i, t in enumerate(texts) if "Under-voltage detected" in t)
        io = next(i for i, t in enumerate(texts) if "I/O error" in t)
        remount = next(i for i, t in enumerate(texts) if "Remounting filesystem read-only" in t)
        assert voltage < io < remount  # the story, in order, on one screen
        doc = app.document
        assert doc is not None
        for index in (voltage, io, remount):
            position = shown[index][0]
            row = view.slice.row(position)
            view.goto_row(position)
            await pilot.pause()
            await pilot.press("enter")
            await settle(app, pilot)
            assert not isinstance(app.screen, TimelineScreen)
            log = app.query_one("#log", LogView)
            section = doc.section_at(row.line)
            assert section is not None
            assert log.cursor_line == row.line
            assert log.scope == section.index  # in its section, not just the whole file
            view = await open_timeline(app, pilot)
            if not view.hits_only:
                await pilot.press("h")


@run_async
async def test_search_filter_bookmark_copy_and_time_jump_in_the_timeline() -> None:
    app = create_app(str(SDCARD), env={})
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        view = await open_timeline(app, pilot)
        await pilot.press("slash", *"Remounting", "enter")
        await settle(app, pilot)
        assert view.match_count >= 1
        await pilot.press("home", "n")
        row = view.current_row()
        assert row is not None and "Remounting filesystem read-only" in row.text
        await pilot.press("m")
        assert app.session is not None and app.session.is_marked(row.line)
        await pilot.press("y")
        assert app.clipboard.endswith(app.document.plain(row.line))
        assert f"#L{row.line}" in app.clipboard
        await pilot.press("f", *"mmcblk0", "enter")
        await settle(app, pilot)
        lines = [view.slice.row(at) for at in range(len(view.slice))]
        assert all("mmcblk0" in r.text for r in lines if r.kind == "line")
        assert view.slice.line_count() < len(view.base)
        await pilot.press("escape")  # clears search and filter
        await settle(app, pilot)
        assert view.filter_source is None and len(view.slice) == len(view.base)
        await pilot.press("colon")
        await pilot.pause()
        await pilot.press(*"-2h", "enter")
        await settle(app, pilot)
        row = view.current_row()
        assert row is not None and app.document.capture_time is not None
        target = app.document.capture_time.timestamp() - 7200
        assert row.when.timestamp() >= target
        assert view.slice.row(view.cursor - 1).when.timestamp() < target
        await pilot.press("e")
        hit = view.current_row()
        assert hit is not None and (hit.severity or hit.error_like)
        await pilot.press("a", "p", "ctrl+b")  # the main view's keys do not act behind it
        await settle(app, pilot)
        assert isinstance(app.screen, TimelineScreen) and not app.screen.has_class("-hide-tree")
        await pilot.press("escape")  # nothing to clear: closes
        await settle(app, pilot)
        assert not isinstance(app.screen, TimelineScreen)
        # the mark made in the timeline is in the log view's gutter
        assert row is not None


@run_async
async def test_colon_jumps_by_time_in_the_log_view() -> None:
    app = create_app(str(SDCARD), env={})
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("colon")
        await pilot.pause()
        await pilot.press(*"2021-02-17 11:19:41", "enter")
        await settle(app, pilot)  # a small file: its timeline is built on the spot
        assert not app.screen.query("#goto-input")
        log = app.query_one("#log", LogView)
        text = app.document.lines[log.cursor_line - 1]
        assert "11:19:41" in text and "EXT4-fs error" in text  # first line of that second


@run_async
async def test_compare_screen_opens_items_in_the_right_file() -> None:
    app = create_app(str(OLD), env={}, compare_path=str(NEW))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        for _ in range(50):
            await settle(app, pilot)
            if isinstance(app.screen, CompareScreen):
                break
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        texts = [text for text, _target in screen.items]
        assert any("OS version: 2.88.4+rev3 -> 2.115.18" in t for t in texts)
        new_row = next(i for i, t in enumerate(texts) if "Under-voltage detected" in t
                       and "NEW L" in t)
        old_row = next(i for i, t in enumerate(texts) if "Data partition full" in t)
        options = screen.query_one(OptionList)
        options.highlighted = new_row
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, CaptureScreen)
        target = screen.items[new_row][1]
        assert target is not None
        capture_log = app.screen.query_one(LogView)
        assert capture_log.document is not None and capture_log.document.path == str(NEW)
        assert capture_log.cursor_line == target.line
        assert "Under-voltage" in capture_log.document.lines[target.line - 1]
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        options.highlighted = old_row
        await pilot.press("enter")
        await settle(app, pilot)
        old_target = screen.items[old_row][1]
        assert old_target is not None and old_target.side == "old"
        log = app.query_one("#log", LogView)
        assert log.cursor_line == old_target.line
        assert "no space left on device" in app.document.lines[old_target.line - 1].lower()


@run_async
async def test_first_and_last_seen_of_a_finding_open_the_timeline_there() -> None:
    from triagebench.tui.widgets.findings_panel import FindingsPanel

    app = create_app(str(SDCARD), env={})
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        panel = app.query_one(FindingsPanel)
        assert panel.select_finding("rpi-under-voltage")
        finding = panel.selected
        assert finding is not None and finding.first_seen is not None
        await pilot.press("T")
        for _ in range(20):
            await settle(app, pilot)
            if isinstance(app.screen, TimelineScreen):
                break
        assert isinstance(app.screen, TimelineScreen)
        view = app.screen.query_one(TimelineView)
        await settle(app, pilot)
        row = view.current_row()
        assert row is not None and row.when == finding.first_seen
        assert "Under-voltage detected" in row.text and row.severity == "high"
        await pilot.press("t")  # closes
        await settle(app, pilot)
        assert finding.last_seen is not None
        panel.post_message(FindingsPanel.ShowTime(finding.last_seen))
        for _ in range(20):
            await settle(app, pilot)
            if isinstance(app.screen, TimelineScreen):
                break
        view = app.screen.query_one(TimelineView)
        await settle(app, pilot)
        row = view.current_row()
        assert row is not None and row.when == finding.last_seen
        assert "Under-voltage detected" in row.text
