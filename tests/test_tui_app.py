"""Pilot tests of the workbench app: what a support agent does, key by key.

Each test opens a real diagnostics file (built in the real 4.22 layout by
``test_tui_app_helpers``) with a heuristics folder, through ``create_app`` (the
CLI's factory), and asserts what the user would notice: scope, cursor line,
match counts, hidden lines, clipboard content, theme, screens.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input
from triagebench.services import analysis
from triagebench.services.settings import load_settings
from triagebench.tui import clipboard
from triagebench.tui.app import TriageApp, create_app
from triagebench.tui.screens.detail import DetailScreen
from triagebench.tui.screens.error import ErrorScreen
from triagebench.tui.screens.goto import GotoScreen
from triagebench.tui.widgets.command_tree import CommandTree
from triagebench.tui.widgets.search_bar import SearchBar

from tests.pilot import run_async, settle_until
from tests.test_tui_app_helpers import (
    MIGRATION,
    TIMEOUT,
    cursor_text,
    tree_rows,
    write_sample,
)

pytestmark = pytest.mark.usefixtures("no_local_clipboard")


@pytest.fixture()
def sample(tmp_path: Path) -> Path:
    return write_sample(tmp_path)


def make_app(sample: Path, **kwargs: Any) -> TriageApp:
    kwargs.setdefault("env", {})
    return create_app(str(sample), heuristic_dirs=(str(sample.parent / "heuristics"),),
                      builtin=False, **kwargs)


async def loaded(app: TriageApp, pilot: Any) -> None:
    """Wait until the loading worker finished and its messages were handled."""
    await settle_until(pilot, lambda: app.findings is not None)


def line_of(app: TriageApp, text: str) -> int:
    assert app.document is not None
    return next(n for n in range(1, app.document.line_count + 1) if text in app.document.line(n))


@run_async
async def test_first_screen_shows_device_and_worst_problem_at_its_evidence(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        header = str(app.query_one("#facts").render())
        assert "Raspberry Pi 4 Model B" in header and "balenaOS 2.87.16+rev1" in header
        assert "device-diag.txt" in header
        panel = app.findings_panel
        assert panel.selected is not None and panel.selected.severity == "critical"
        prompts = [str(o.prompt) for o in panel.option_list.options]
        assert "Engine storage migration timing out" in prompts[0]
        assert "USB device descriptor" in prompts[1]
        # opened at the first evidence of the critical finding
        assert app.log_view.cursor_line == line_of(app, MIGRATION)
        # the tree counts the hits per command and marks failures / stderr
        rows = tree_rows(app.tree_view)
        assert "│ └ journalctl --no-pager… ●1" in rows
        assert "│ └ cat /var/log/provis… ✗1 ⚠" in rows


@run_async
async def test_selecting_a_command_in_the_tree_scopes_the_log_view(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        tree = app.tree_view
        uptime = next(s.index for s in app.document.sections if s.command == "uptime")
        assert "└ ▶ TIME" in tree_rows(tree)  # no hits: closed
        tree.focus()
        tree.select_section(uptime)  # opens its group
        await pilot.pause()
        assert "└ ▼ TIME" in tree_rows(tree) and cursor_text(tree) == "uptime"
        await pilot.press("enter")
        await pilot.pause()
        assert app.log_view.scope == uptime
        section = app.document.sections[uptime]
        assert section.first_line <= app.log_view.cursor_line <= section.last_line
        # the root goes back to the whole file
        await pilot.press("home", "enter")
        await pilot.pause()
        assert app.log_view.scope is None


@run_async
async def test_findings_panel_jumps_through_evidence(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        app.findings_panel.option_list.focus()
        await pilot.press("enter")
        await pilot.pause()
        evidence = [e.line for e in app.findings_panel.selected.evidence]
        assert evidence == sorted([line_of(app, MIGRATION), line_of(app, TIMEOUT),
                                   line_of(app, "Failed with result 'timeout'")])
        assert app.log_view.cursor_line == evidence[0]
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.log_view.cursor_line == evidence[1]
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause()
        assert app.log_view.cursor_line == evidence[0]  # wraps around
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert app.log_view.cursor_line == evidence[2]
        # the medium finding: move down, Enter jumps to its line
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.log_view.cursor_line == line_of(app, "device descriptor read/64")


@run_async
async def test_search_is_incremental_counts_and_reports_bad_regex_inline(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        app.log_view.focus()
        await pilot.press("slash")
        bar = app.query_one(SearchBar)
        assert bar.is_open and isinstance(app.focused, Input)
        await pilot.press(*"heartbeat")
        await pilot.pause()
        assert app.log_view.search_count == 30
        app.refresh_search_status()
        assert "30 matches" in str(bar.query_one("#search-status").render())
        await pilot.press("left_parenthesis")
        await pilot.pause()
        status = bar.query_one("#search-status")
        assert status.has_class("-error") and "invalid regex" in str(status.render())
        await pilot.press("backspace", "enter")
        await pilot.pause()
        assert not bar.is_open and app.log_view.has_focus
        first = app.log_view.cursor_line
        await pilot.press("n")
        assert app.log_view.cursor_line != first
        await pilot.press("escape")
        await pilot.pause()
        assert app.search_pattern is None and app.log_view.search_count == 0


@run_async
async def test_filter_keeps_or_hides_matching_lines_and_esc_clears(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        total = app.document.line_count
        app.log_view.focus()
        await pilot.press("f", *"heartbeat", "enter")
        await pilot.pause()
        assert app.log_view.hidden_count == total - 30
        await pilot.press("escape")
        await pilot.pause()
        assert app.log_view.hidden_count == 0
        await pilot.press("F", *"heartbeat", "enter")
        await pilot.pause()
        assert app.log_view.hidden_count == 30
        assert app.filter_mode == "hide"
        await pilot.press("escape")
        await pilot.pause()
        assert app.log_view.hidden_count == 0 and app.filter_pattern is None


@run_async
async def test_go_to_line_accepts_numbers_and_references_and_rejects_bad_ones(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("colon", *"42", "enter")
        await pilot.pause()
        assert app.log_view.cursor_line == 42
        await pilot.press("ctrl+g", *"device-diag.txt#L100", "enter")
        await pilot.pause()
        assert app.log_view.cursor_line == 100
        await pilot.press("colon", *"99999", "enter")
        await pilot.pause()
        assert isinstance(app.screen, GotoScreen)
        assert "past the end" in str(app.screen.query_one("#goto-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, GotoScreen) and app.log_view.cursor_line == 100


@run_async
async def test_copy_line_and_permalink_set_the_clipboard_and_notify(sample: Path) -> None:
    app = make_app(sample, env={"TMUX": "/tmp/tmux-0/default,1,0"})
    messages: list[str] = []
    notify = app.notify

    def record(message: str, **kwargs: Any) -> None:
        messages.append(message)
        notify(message, **kwargs)

    app.notify = record  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        app.log_view.focus()
        line = line_of(app, MIGRATION)
        app.log_view.goto_line(line)
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == f"device-diag.txt#L{line}  {app.document.plain(line)}"
        assert any(f"device-diag.txt#L{line}" in m and "set-clipboard on" in m for m in messages)
        await pilot.press("P")
        await pilot.pause()
        assert app.clipboard == "https://example.com/kb/engine-storage-migration-timeout"
        # a selected range is copied with a range reference
        await pilot.press("v", "down", "down", "c")
        await pilot.pause()
        assert app.clipboard.startswith(f"device-diag.txt#L{line}-L{line + 2}\n")
        assert app.clipboard.count("\n") == 3


@run_async
async def test_over_ssh_no_local_copy_no_animation_and_links_are_copied_not_opened(
        sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    local: list[str] = []
    monkeypatch.setattr(clipboard, "local_copy", local.append)
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    app = make_app(sample, env={"SSH_CONNECTION": "10.0.0.1 5555 10.0.0.2 22"})
    assert app.animation_level == "none"
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        app.findings_panel.option_list.focus()
        await pilot.press("o")
        await pilot.pause()
        assert opened == [] and local == []
        assert app.clipboard == "https://example.com/kb/engine-storage-migration-timeout"


@run_async
async def test_theme_switch_is_saved_and_restored(sample: Path, tmp_path: Path) -> None:
    app = make_app(sample)
    assert app.theme == "triage-dark"
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.theme == "triage-light"
        assert app.theme_variables["sev-critical"] == "#c4242b"
    saved = json.loads((tmp_path / "config" / "settings.json").read_text())
    assert saved["theme"] == "triage-light"
    assert load_settings().theme == "triage-light"
    again = make_app(sample)
    assert again.theme == "triage-light"
    # --theme wins for one run, an unknown name falls back with a warning
    assert make_app(sample, theme="triage-contrast").theme == "triage-contrast"
    assert make_app(sample, theme="no-such-theme").theme == "triage-dark"


@run_async
async def test_esc_while_parsing_cancels_with_an_error_screen(
        sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    real = analysis.read_capture

    def slow_read(path: str, *args: Any) -> Any:
        release.wait(5)
        return real(path)

    monkeypatch.setattr(analysis, "read_capture", slow_read)
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.loading and app.query_one("#loading").display
        await pilot.press("escape")
        await pilot.pause()
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        assert "loading cancelled" in app.screen.message
        assert app.document is None


@run_async
async def test_esc_while_matching_keeps_the_document(
        sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    real = analysis.match

    def slow_match(document: Any, library: Any, progress: Any = None) -> Any:
        release.wait(5)
        return real(document, library)

    monkeypatch.setattr(analysis, "match", slow_match)
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(50):
            await pilot.pause(0.02)
            if app.document is not None:
                break
        assert app.document is not None and app.loading
        await pilot.press("escape")
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, ErrorScreen)
        assert app.findings is None
        assert "cancelled" in app.findings_panel.status or "cancelled" in str(
            app.findings_panel.option_list.options[0].prompt)


@run_async
async def test_file_vanishing_before_load_shows_an_error_screen(sample: Path) -> None:
    app = make_app(sample)
    sample.unlink()
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        assert "device-diag.txt" in app.screen.message and "no such file" in app.screen.message
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 2  # the file could not be shown: a failed run


@run_async
async def test_narrow_terminal_stacks_findings_and_ctrl_b_toggles_the_tree(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(app, pilot)
        assert app.screen.has_class("-narrow")
        tree = app.query_one(CommandTree)
        assert not tree.display
        side = app.query_one("#side")
        assert side.region.y > app.log_view.region.y  # findings below the log
        assert side.region.height >= 7
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert tree.display and tree.has_focus
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert not tree.display
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not side.display
    wide = make_app(sample)
    async with wide.run_test(size=(200, 60)) as pilot:
        await loaded(wide, pilot)
        assert not wide.screen.has_class("-narrow") and not wide.screen.has_class("-medium")
        side = wide.query_one("#side")
        assert side.region.x > wide.log_view.region.x  # three columns


@run_async
async def test_command_palette_jumps_to_a_section_and_a_finding(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"os-release")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        target = next(s.index for s in app.document.sections if s.command == "cat /etc/os-release")
        assert app.log_view.scope == target
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"usb descriptor")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.findings_panel.selected.id == "usb-descriptor-errors"
        assert app.log_view.cursor_line == line_of(app, "device descriptor read/64")


@run_async
async def test_enter_on_a_line_opens_the_whole_line_and_it_can_be_copied(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        model = line_of(app, "Raspberry Pi 4 Model B")
        app.log_view.goto_line(model)
        app.log_view.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.text == "Raspberry Pi 4 Model B Rev 1.4"  # the NUL never reaches the tty
        await pilot.press("y")
        assert app.clipboard == f"device-diag.txt#L{model}\nRaspberry Pi 4 Model B Rev 1.4"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DetailScreen)


@run_async
async def test_the_error_screen_lays_out_its_message_and_q_exits_2(sample: Path) -> None:
    app = make_app(sample)
    sample.unlink()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        message = app.screen.query_one("#error-message")
        assert message.region.width >= 40 and message.region.height >= 1
        assert "no such file" in str(message.render())
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 2
