"""Reading the log as less and lnav users expect (issue #12), key by key through Pilot.

Each test opens the real-format sample (``test_tui_app_helpers``) through the CLI's
factory and asserts what a user notices: the typed search text on screen, where the
cursor lands, what a key says when it has nothing to do, the scope chip, wrap.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from rich.segment import Segment
from triagebench.services import analysis
from triagebench.tui.app import TriageApp
from triagebench.tui.widgets.command_tree import CommandTree
from triagebench.tui.widgets.log_view import LogView

from tests.pilot import run_async
from tests.test_tui_app import line_of, loaded, make_app
from tests.test_tui_app_helpers import (
    HEURISTICS,
    MIGRATION,
    TIMEOUT,
    tree_rows,
    write_sample,
)

pytestmark = pytest.mark.usefixtures("no_local_clipboard")


@pytest.fixture()
def sample(tmp_path: Path) -> Path:
    return write_sample(tmp_path)


def screen_text(app: TriageApp) -> str:
    """Every character on screen, row by row (what the terminal shows)."""
    return app.export_screenshot().replace("&#160;", " ")


def log_rows(view: LogView) -> list[str]:
    return [view.render_line(y).text for y in range(view.size.height)]


def toasts(app: TriageApp) -> list[str]:
    return [str(n.message) for n in app._notifications]  # noqa: SLF001 - test inspection


@pytest.mark.parametrize("theme", ["triage-dark", "triage-light", "triage-contrast"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@run_async
async def test_typed_search_text_is_visible_with_its_count(
        sample: Path, theme: str, size: tuple[int, int]) -> None:
    app = make_app(sample, theme=theme)
    async with app.run_test(size=size) as pilot:
        await loaded(app, pilot)
        app.log_view.focus()
        await pilot.press("slash", *"heartbeat 1")
        await pilot.pause()
        field = app.search_bar.input
        # one row that holds the text (the focused Input's 3-row border hid it before)
        assert field.content_region.height == 1 and field.content_region.width > 10
        assert "heartbeat 1" in screen_text(app)
        assert "11 matches" in str(app.search_bar.query_one("#search-status").render())
        await pilot.press("escape", "f", *"zq")
        await pilot.pause()
        assert app.search_bar.input.content_region.height == 1
        assert "zq" in screen_text(app)


@run_async
async def test_incremental_search_moves_enter_confirms_n_steps_esc_restores(
        sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        log = app.log_view
        log.focus()
        await pilot.press("g")
        start = log.cursor_line
        await pilot.press("slash", *"start operation timed")
        await pilot.pause()
        # typing moves to the first match after the cursor
        assert log.cursor_line == line_of(app, TIMEOUT)
        await pilot.press("escape")
        await pilot.pause()
        assert log.cursor_line == start and app.search_pattern is None  # Esc restores
        await pilot.press("slash", *"balena\\.service", "enter")
        await pilot.pause()
        first = line_of(app, TIMEOUT)
        assert log.cursor_line == first and log.has_focus  # Enter confirms there
        await pilot.press("n")
        assert log.cursor_line == line_of(app, "Failed with result 'timeout'")
        await pilot.press("N")
        assert log.cursor_line == first
        row = log.cursor_line - log.scroll_offset.y  # on screen, under the header
        assert 1 <= row < log.size.height
        assert "start operation timed out" in log_rows(log)[row]


@pytest.mark.parametrize("theme", ["triage-dark", "triage-light", "triage-contrast"])
@run_async
async def test_dimmed_lines_keep_their_colours(sample: Path, tmp_path: Path, theme: str) -> None:
    coloured = tmp_path / "colour.txt"
    text = sample.read_text()
    coloured.write_text(text.replace("=== BALENA ===\n",
                                     "\x1b[31mred line\x1b[0m\n", 1))
    app = make_app(coloured, theme=theme)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        log = app.log_view
        log.set_search("heartbeat")
        await pilot.pause()
        red = line_of(app, "red line")
        log.goto_line(red)
        await pilot.pause()
        row = log.cursor_line - log.scroll_offset.y
        strip = log.render_line(row)
        segments: list[Segment] = [seg for seg in strip if "red line" in seg.text]
        assert segments, strip.text
        style = segments[0].style
        assert style is not None and style.dim
        assert style.color is not None and style.color.name == "color(1)"  # the ANSI red


@run_async
async def test_e_steps_over_evidence_and_error_like_lines_and_says_when_none(
        sample: Path, tmp_path: Path) -> None:
    error_like = 'May 02 16:04:09 balenad[1234]: level=error msg="failed to pull image"'
    sample.write_text(sample.read_text().replace('msg=\"after 2\"\n',
                                                 f'msg=\"after 2\"\n{error_like}\n', 1))
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.pause()
        log = app.log_view
        log.focus()
        await pilot.press("g", "e")
        stops = [log.cursor_line]
        for _ in range(8):
            await pilot.press("e")
            stops.append(log.cursor_line)
        # an error-like line that no finding covers is a stop too (the • lines)
        assert log.suspicious is not None and line_of(app, "failed to pull") in log.suspicious
        assert line_of(app, "failed to pull") in stops
        assert line_of(app, MIGRATION) in stops
    # a file without findings or error-like lines: e says so
    quiet = tmp_path / "quiet"
    quiet.mkdir()
    plain = quiet / "plain.txt"
    plain.write_text("hello\nworld\n")
    app = make_app(plain)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        app.log_view.focus()
        await pilot.press("e")
        await pilot.pause()
        assert any("No evidence or error-like line" in t for t in toasts(app))


@run_async
async def test_scope_chip_whole_file_key_and_matches_outside_the_scope(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        uptime = next(s.index for s in app.document.sections if s.command == "uptime")
        app.scope_to_section(uptime)
        await pilot.pause()
        log = app.log_view
        assert log.scope == uptime
        assert "section: uptime" in log_rows(log)[0]
        await pilot.press("slash", *"heartbeat")
        await pilot.pause()
        status = str(app.search_bar.query_one("#search-status").render())
        assert "0 matches in section: uptime" in status and "30 more in the whole file" in status
        await pilot.press("enter")
        tree = app.query_one(CommandTree)
        rows = tree_rows(tree)
        await pilot.press("W")
        await pilot.pause()
        assert log.scope is None and log.search_count == 30
        assert "section:" not in log_rows(log)[0]
        assert tree_rows(tree) == rows  # groups left open or closed as they were


@run_async
async def test_opening_jump_never_overrides_a_key_the_user_pressed(
        sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    real = analysis.match

    def slow_match(document: Any, library: Any, progress: Any = None) -> Any:
        release.wait(5)
        return real(document, library)

    monkeypatch.setattr(analysis, "match", slow_match)
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):
            await pilot.pause(0.02)
            if app.document is not None:
                break
        assert app.document is not None and app.findings is None
        app.log_view.focus()
        await pilot.press("G")
        last = app.log_view.cursor_line
        assert last == app.document.line_count
        release.set()
        await loaded(app, pilot)
        await pilot.pause()
        assert app.log_view.cursor_line == last  # not undone by the opening jump


@run_async
async def test_a_medium_worst_finding_still_opens_on_its_evidence(tmp_path: Path) -> None:
    path = write_sample(tmp_path)
    (tmp_path / "heuristics" / "engine-storage-migration-timeout.toml").unlink()
    assert "usb-descriptor-errors" in HEURISTICS
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.pause()
        assert [f.severity for f in app.findings.matches] == ["medium"]
        assert app.log_view.cursor_line == line_of(app, "device descriptor read/64")


@run_async
async def test_u_and_U_step_through_bookmarks_and_t_toggles_the_tree(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(app, pilot)
        log = app.log_view
        log.focus()
        await pilot.press("u")
        await pilot.pause()
        assert any("No bookmark" in t for t in toasts(app))
        first, second = line_of(app, MIGRATION), line_of(app, TIMEOUT)
        for line in (first, second):
            log.goto_line(line)
            await pilot.press("m")
        await pilot.press("g", "u")
        assert log.cursor_line == first
        await pilot.press("u")
        assert log.cursor_line == second
        await pilot.press("U")
        assert log.cursor_line == first
        tree = app.query_one(CommandTree)
        assert not tree.display
        await pilot.press("b")
        await pilot.pause()
        assert tree.display and tree.has_focus
        await pilot.press("b")
        await pilot.pause()
        assert not tree.display


@run_async
async def test_wrap_shows_a_long_line_whole_and_h_l_scroll_it_sideways(
        sample: Path, tmp_path: Path) -> None:
    long_path = tmp_path / "long.txt"
    tail = " ".join(f"word{i}" for i in range(60)) + " THE-END"
    long_path.write_text(sample.read_text().replace("=== BALENA ===\n",
                                                    f"start {tail}\n", 1))
    app = make_app(long_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        log = app.log_view
        log.focus()
        line = line_of(app, "THE-END")
        log.goto_line(line)
        await pilot.pause()
        assert "THE-END" not in "".join(log_rows(log))
        assert "…" in log_rows(log)[line - log.scroll_offset.y]
        await pilot.press("w")
        await pilot.pause()
        assert log.wrap
        rows = log_rows(log)
        assert "THE-END" in "".join(rows) and "↪" in "".join(rows)
        # the cursor line is still on screen; PageDown moves the view
        top = log.scroll_offset.y
        await pilot.press("pagedown")
        await pilot.pause()
        assert log.scroll_offset.y > top
        await pilot.press("w", "g")
        log.goto_line(line)
        await pilot.pause()
        presses = 0
        while "THE-END" not in log_rows(log)[line - log.scroll_offset.y] and presses < 80:
            await pilot.press("l")
            presses += 1
        row = log_rows(log)[line - log.scroll_offset.y]
        assert "THE-END" in row and "«" in row and 0 < presses < 80
        await pilot.press("h")
        assert log.hscroll == (presses - 1) * 8


@run_async
async def test_help_lists_only_keys_that_work(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        app.log_view.focus()
        shown = {b.binding.description for b in app.active_bindings.values()}
        assert "Scroll Left" not in shown and "Page Left" not in shown
        assert {"Scroll left", "Scroll right", "Wrap", "Next bookmark"} <= shown


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
@run_async
async def test_tree_rows_end_in_an_ellipsis_and_keep_their_counts(
        sample: Path, size: tuple[int, int]) -> None:
    app = make_app(sample)
    async with app.run_test(size=size) as pilot:
        await loaded(app, pilot)
        if size[0] < 110:
            await pilot.press("b")
        await pilot.pause()
        tree = app.query_one(CommandTree)
        rows = [tree.render_line(y).text.rstrip() for y in range(tree.size.height)]
        journal = next(r for r in rows if "journalctl --no-pa" in r and r.endswith("●1"))
        assert "…" in journal  # was cut mid-word at the edge: "journalctl --no-pager --n"
        assert all(len(r) <= tree.scrollable_content_region.width for r in rows)


@run_async
async def test_toasts_leave_the_findings_pane_quickly(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        timeouts = [n.timeout for n in app._notifications]  # noqa: SLF001 - test inspection
        assert timeouts and max(timeouts) <= 5
        assert app.NOTIFICATION_TIMEOUT <= 4


@run_async
async def test_a_truncated_file_says_so_in_the_header(sample: Path) -> None:
    text = sample.read_text()
    sample.write_text(text[:len(text) // 2])
    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(app, pilot)
        header = str(app.query_one("#facts").render())
        assert "TRUNCATED" in header and "file truncated?" in header
        # visible on the first row, not behind the facts
        assert "TRUNCATED" in app.query_one("#facts").render_line(0).text


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@run_async
async def test_the_footer_leaves_no_stray_character_after_a_resize(
        sample: Path, size: tuple[int, int]) -> None:
    from triagebench.tui.widgets.keys_footer import KeysFooter

    app = make_app(sample)
    async with app.run_test(size=(200, 50)) as pilot:
        await loaded(app, pilot)
        await pilot.resize_terminal(*size)
        await pilot.pause()
        width, height = size
        footer = app.query_one(KeysFooter)
        assert app.screen.get_widget_at(width - 1, height - 1)[0] is footer
        # the last cell belongs to the palette key, not to a key laid out under it
        index = footer.placed_at(width - 1)
        assert index is not None and footer.arrange_keys()[index].palette
        text = footer.render_line(0).text
        assert len(text) == width and text.endswith("▏^p palette ")


@run_async
async def test_the_error_screen_shows_its_message(tmp_path: Path) -> None:
    from triagebench.tui.screens.error import ErrorScreen

    app = make_app(tmp_path / "gone.txt")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        message = app.screen.query_one("#error-message")
        assert 20 < message.size.width <= 80 and "gone.txt" in str(message.render())
        assert app.screen.region.contains_region(message.region)
