"""The state strip and the time-aware findings panel, as a person uses them.

Snapshots of the strip alone (fed the real device state of bundled samples, so the
picture is deterministic): the healthy capture all green, the under-voltage / SD-card
capture with its failed and degraded lines, and the same at 80 columns. The strip's rows
as drawn (``render_line``): the headline and one line per group in as many columns as the
width allows, two rows on a short terminal, the cursor item highlighted only while the
strip has focus. Pilot tests: an item jumps to its evidence line (Enter after arrow keys,
and click), a capture with no active finding says so in words, recovered/historical
findings come after the active ones and are labelled.
Update the snapshots with ``pytest tests/test_tui_state_strip.py --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult
from triagebench.parser import parse_file
from triagebench.services.state import GROUPS as SERVICE_GROUPS
from triagebench.services.state import device_state
from triagebench.themes import PROJECT_THEMES, SEVERITY_DEFAULTS
from triagebench.tui.app import create_app
from triagebench.tui.widgets.state_strip import GROUPS, StateStrip

from tests.pilot import run_async, settle_until

SAMPLES = Path(__file__).resolve().parent.parent / "sample-diagnostics"
HEALTHY = SAMPLES / "healthy-rpi0-2w-2.87.16.txt"
UNDERVOLTAGE = SAMPLES / "s10-s12-s13-undervoltage-sdcard-rpi3-2.58.3.txt"
MIGRATION = SAMPLES / "s01-storage-migration-timeout-rpi4-2.88.4.txt"


class StripApp(App[None]):
    """Only the strip, with a sample's state and a findings summary."""

    def __init__(self, path: Path, summary: str, problem: bool, theme: str) -> None:
        super().__init__()
        for project_theme in PROJECT_THEMES:
            self.register_theme(project_theme)
        self.theme = theme
        self.state = device_state(parse_file(str(path)))
        self.summary = (summary, problem)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(SEVERITY_DEFAULTS)

    def compose(self) -> ComposeResult:
        yield StateStrip(id="state")

    def on_mount(self) -> None:
        strip = self.query_one(StateStrip)
        strip.set_state(self.state)
        strip.set_summary(*self.summary)


def rows(strip: StateStrip) -> list[str]:
    """The strip's rows as drawn, trailing blanks cut: what the user reads."""
    return [strip.render_line(y).text.rstrip() for y in range(strip.size.height)]


def click_offset(strip: StateStrip, text: str) -> tuple[int, int]:
    """Where ``text`` is drawn, as an offset in the strip widget (its padding included)."""
    for y, row in enumerate(rows(strip)):
        if text in row:
            return (cell_len(row[:row.index(text)]) + strip.content_region.x - strip.region.x,
                    y + strip.content_region.y - strip.region.y)
    raise AssertionError(f"{text!r} is not drawn")


def highlighted(strip: StateStrip) -> list[str]:
    """The text drawn reversed (the cursor item)."""
    return [segment.text for y in range(strip.size.height)
            for segment in strip.render_line(y) if segment.style and segment.style.reverse]


def test_strip_groups_are_the_state_groups() -> None:
    assert GROUPS == SERVICE_GROUPS


@pytest.mark.parametrize("theme", ["triage-dark", "triage-light", "textual-dark"])
def test_snapshot_healthy(snap_compare, theme: str) -> None:
    app = StripApp(HEALTHY, "No active problem found; 1 info note", False, theme)
    assert snap_compare(app, terminal_size=(120, 8))


@pytest.mark.parametrize("size", [(120, 8), (80, 24)])
def test_snapshot_failed_and_degraded(snap_compare, size: tuple[int, int]) -> None:
    app = StripApp(UNDERVOLTAGE, "3 active problems (1 critical)", True, "triage-dark")
    assert snap_compare(app, terminal_size=size)


@pytest.mark.parametrize(("width", "layout"), [
    (120, [("engine", "supervisor", "network"), ("time", "storage", "memory"),
           ("hardware", "os")]),
    (80, [("engine", "supervisor"), ("network", "time"), ("storage", "memory"),
          ("hardware", "os")]),
])
@run_async
async def test_rows_are_the_headline_and_the_groups_in_columns(
        width: int, layout: list[tuple[str, ...]]) -> None:
    """One line per group, as many 38-cell columns as the width holds; a line too long
    for its column ends in "…" (problems first, so a failure is never the part cut)."""
    app = StripApp(UNDERVOLTAGE, "3 active problems (1 critical)", True, "triage-dark")
    async with app.run_test(size=(width, 8)) as pilot:
        await pilot.pause()
        strip = app.query_one(StateStrip)
        drawn = rows(strip)
        assert strip.region.height == 1 + len(layout)
        headline = ("State at capture: FAILED (1 failed, 1 degraded)  │  "
                    "3 active problems (1 critical)")
        assert drawn[0] == (headline if width == 120 else headline[:77] + "…")
        for row, groups in zip(drawn[1:], layout, strict=True):
            marks = [f"{'✗' if g == 'storage' else '!' if g == 'hardware' else '✓'} {g}"
                     for g in groups]
            assert [mark for mark in marks if mark in row] == marks
            assert row.startswith(marks[0])
        storage = next(row for row in drawn if "✗ storage" in row)
        assert "✗ storage    ✗data partition read-on…   " in storage
        assert all(cell_len(row) <= width - 2 for row in drawn)  # the padding stays


@run_async
async def test_resize_relays_the_columns_out() -> None:
    app = StripApp(UNDERVOLTAGE, "3 active problems (1 critical)", True, "triage-dark")
    async with app.run_test(size=(120, 12)) as pilot:
        await pilot.pause()
        strip = app.query_one(StateStrip)
        assert strip.region.height == 4
        await pilot.resize_terminal(80, 12)
        await pilot.pause()
        assert strip.region.height == 5
        assert rows(strip)[1].startswith("✓ engine") and "✓ supervisor" in rows(strip)[1]
        await pilot.resize_terminal(60, 12)
        await pilot.pause()
        assert strip.region.height == 1 + len(GROUPS)  # one column
        strip.set_compact(True)
        await pilot.pause()
        assert strip.region.height == 2


@run_async
async def test_the_cursor_item_is_highlighted_only_while_the_strip_has_focus() -> None:
    app = StripApp(UNDERVOLTAGE, "3 active problems (1 critical)", True, "triage-dark")
    async with app.run_test(size=(120, 8)) as pilot:
        await pilot.pause()
        strip = app.query_one(StateStrip)
        assert strip.has_focus  # the only focusable widget
        assert highlighted(strip) == ["✗data partition read-on…"]  # the first failed item
        await pilot.press("left")  # the previous item: the time group's last
        assert highlighted(strip) == ["✓time synced"]
        await pilot.press("down", "down")  # storage's first item, then memory's
        assert highlighted(strip) == ["✓memory 50 % free"]
        app.set_focus(None)
        await pilot.pause()
        assert highlighted(strip) == []
        strip.focus()
        await pilot.pause()
        assert highlighted(strip) == ["✓memory 50 % free"]
        strip.set_compact(True)  # compact: the chip of the cursor's group
        await pilot.pause()
        assert highlighted(strip) == ["✓memory"]
        assert rows(strip)[1].split() == ["✓engine", "✓supervisor", "✓network", "✓time",
                                          "✗storage", "✓memory", "!hardware", "✓os"]


async def loaded(pilot) -> None:
    await settle_until(pilot, lambda: pilot.app.findings is not None and pilot.app.state is not None)


@run_async
async def test_failed_item_jumps_to_its_evidence_with_enter_and_click() -> None:
    app = create_app(str(UNDERVOLTAGE), env={})
    posted: list[StateStrip.JumpTo] = []  # the hook sees a message at every node it bubbles to

    def hook(message: object) -> None:
        if isinstance(message, StateStrip.JumpTo) and all(m is not message for m in posted):
            posted.append(message)

    def jumps() -> list[str]:
        return [message.key for message in posted]

    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await loaded(pilot)
        strip = app.query_one(StateStrip)
        storage = next(row for row in rows(strip) if "✗ storage" in row)
        assert storage.startswith("✗ storage    ✗data partition read-only")
        # Focus the strip: the cursor starts on the first failed item; Enter jumps there.
        strip.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert jumps() == ["data_mount"]
        assert strip.items[strip.cursor].key == "data_mount"
        assert app.log_view.cursor_line == 4580
        assert "on /mnt/data type ext4 (ro" in app.document.plain(4580)  # type: ignore[union-attr]
        # Arrow keys, then Enter: down to the memory group, up to storage's first item,
        # right to the next one (the disk), Enter.
        strip.focus()
        await pilot.press("down", "up", "right", "enter")
        await pilot.pause()
        assert jumps()[-1] == "data_disk"
        disk = next(item for item in app.state.items if item.key == "data_disk")  # type: ignore[union-attr]
        assert disk.first_line is not None and app.log_view.cursor_line == disk.first_line
        # Click: the degraded power item (first item of the hardware line, problems first).
        await pilot.click(strip, offset=click_offset(strip, "!under-voltage"))
        await pilot.pause()
        assert jumps()[-1] == "throttling"
        assert app.log_view.cursor_line == 5776
        assert "Voltage normalised" in app.document.plain(5776)  # type: ignore[union-attr]


@run_async
async def test_no_active_problem_is_said_in_words_and_everything_is_green() -> None:
    app = create_app(str(HEALTHY), env={})
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        strip = app.query_one(StateStrip)
        headline, chips = rows(strip)  # 80x24 is short: two rows, the log keeps its room
        assert headline == "State at capture: OK  │  No active problem found; 1 info note"
        assert strip.region.y < app.log_view.region.y  # on the first screen, above the log
        assert all(app.state.group_state(g) == "ok" for g in GROUPS)  # type: ignore[union-attr]
        assert strip.region.height == 2
        assert chips.split() == [f"✓{group}" for group in GROUPS]
        # a chip jumps to its group's item: shift+Tab from the log view to the strip, Enter
        assert app.focused is app.log_view
        await pilot.press("shift+tab")
        assert app.focused is strip
        await pilot.press("down", "down", "enter")  # engine -> supervisor -> network
        await pilot.pause()
        network = strip.items[strip.cursor]
        assert network.group == "network"
        assert network.first_line is not None and app.log_view.cursor_line == network.first_line


@run_async
async def test_compact_strip_names_the_problems_and_a_chip_click_jumps() -> None:
    app = create_app(str(UNDERVOLTAGE), env={})
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        strip = app.query_one(StateStrip)
        headline, chips = rows(strip)
        assert headline.startswith("State at capture: FAILED ✗data partition read-only "
                                   "!under-vo")
        assert chips.split() == ["✓engine", "✓supervisor", "✓network", "✓time", "✗storage",
                                 "✓memory", "!hardware", "✓os"]
        await pilot.click(strip, offset=click_offset(strip, "!hardware"))
        await pilot.pause()
        assert app.log_view.cursor_line == 5776  # the group's worst item: power


@run_async
async def test_findings_panel_labels_and_orders_past_findings() -> None:
    app = create_app(str(MIGRATION), env={})
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        options = app.findings_panel.option_list
        prompts = [options.get_option_at_index(n).prompt.plain  # type: ignore[union-attr]
                   for n in range(options.option_count)]
        heading = next(n for n, p in enumerate(prompts) if "Not active at capture" in p)
        assert all("active, last seen" in p for p in prompts[:heading] if "\n" in p)
        after = [p for p in prompts[heading + 1:] if "\n" in p]
        assert after and all(p.split("\n")[1].strip().startswith(("recovered", "historical"))
                             for p in after)
        assert "events" in prompts[0] or "event" in prompts[0]
        detail = app.findings_panel.detail_content(app.findings.matches[0]).plain  # type: ignore[union-attr]
        assert "Status: active, last seen 20 min before capture, 5 events" in detail
        assert "First seen 2022-06-14 08:22:24 UTC (25 min before capture)" in detail


OLD_AUFS = """
id = "engine-on-aufs"
title = "Engine started on aufs"
severity = "info"
permalink = "https://github.com/balena-os/balena-engine/issues/301"
description = "The engine daemon started with the aufs graph driver."
tags = ["engine", "degraded"]

[signals.aufs]
in = ["journalctl*-at balenad"]
regex = 'msg="Docker daemon".*graphdriver[^=]*=aufs'
"""


@run_async
async def test_findings_panel_says_no_active_problem_before_past_findings(tmp_path: Path) -> None:
    """Only a historical finding: the panel's first row says so in words, and the
    highlighted row is that finding (dimmed and labelled), not the heading."""
    rules = tmp_path / "rules"
    rules.mkdir()
    # The daemon's aufs start line in s01 is from a boot 19 days before the capture.
    (rules / "engine-on-aufs.toml").write_text(OLD_AUFS, encoding="utf-8")
    app = create_app(str(MIGRATION), heuristic_dirs=(str(rules),), builtin=False, env={})
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert [f.status for f in app.findings.matches] == ["historical"]  # type: ignore[union-attr]
        options = app.findings_panel.option_list
        first = options.get_option_at_index(0).prompt.plain  # type: ignore[union-attr]
        assert first == "No active problem found; 1 historical"
        assert app.findings_panel.selected is app.findings.matches[0]  # type: ignore[union-attr]
        prompt = options.get_option_at_index(options.highlighted).prompt.plain  # type: ignore
        assert prompt.split("\n")[1].strip().startswith("historical (last seen 19 days before")
        headline = rows(app.query_one(StateStrip))[0]
        assert "No active problem found; 1 historical" in headline
