"""Pilot tests of the pieces wired into the workbench: drafts, Unexplained, bookmarks,
notes, sessions, --goto and the exports. Key by key, as a support agent works.

The file is the draft tests' fixture (real dmesg/journal/supervisor lines) with one
heuristic that explains the engine migration, so the under-voltage and mmcblk0
lines are unexplained. Config, data and drafts folders are temp paths (env), the
draft editor's corpus is one small file, and nothing reaches a real clipboard.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList, TextArea
from triagebench.cli import open as open_tui
from triagebench.heuristics.mining import template_regex
from triagebench.tui.app import TriageApp, create_app
from triagebench.tui.keys import KEYS
from triagebench.tui.screens.draft_editor import DraftEditor
from triagebench.tui.screens.note_editor import NoteEditor

from tests.pilot import run_async, settle_until
from tests.test_drafts_fixture import make_text

MIGRATION_HEURISTIC = '''
id = "engine-storage-migration-timeout"
title = "Engine storage migration timing out"
severity = "critical"
permalink = "https://example.com/kb/engine-storage-migration-timeout"
description = "The engine migrates aufs to overlay2 and times out."

[signals.migration]
in = ["journalctl --no-pager --no-hostname -n 1000 -at balenad"]
regex = 'Storage migration from aufs to overlay2 starting'

[signals.timeout]
in = ["journalctl *"]
regex = 'balena\\.service: start operation timed out'
'''

pytestmark = pytest.mark.usefixtures("no_local_clipboard")





@pytest.fixture()
def sample(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    path = folder / "device-diag.txt"
    path.write_text(make_text(), encoding="utf-8")
    heuristics = tmp_path / "heuristics"
    heuristics.mkdir()
    (heuristics / "engine-storage-migration-timeout.toml").write_text(
        MIGRATION_HEURISTIC.lstrip(), encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "other.txt").write_text(make_text(), encoding="utf-8")
    return path


def make_app(sample: Path, **kwargs: Any) -> TriageApp:
    root = sample.parent.parent
    kwargs.setdefault("env", {})
    return create_app(str(sample), heuristic_dirs=(str(root / "heuristics"),), builtin=False,
                      corpus_dir=str(root / "corpus"), **kwargs)


async def loaded(app: TriageApp, pilot: Any) -> None:
    """Wait until the loading worker finished and its messages were handled."""
    await settle_until(pilot, lambda: app.findings is not None and app.templates is not None)
    assert app.session is not None


async def settle(pilot: Any, rounds: int = 3) -> None:
    """Let debounce timers fire, workers finish and their messages be handled."""
    for _ in range(rounds):
        await pilot.pause(0.35)
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def line_of(app: TriageApp, text: str) -> int:
    assert app.document is not None
    return next(n for n in range(1, app.document.line_count + 1) if text in app.document.line(n))


def tab_label(app: TriageApp, pane_id: str) -> str:
    return app.side_tabs.get_tab(pane_id).label.plain


def prompts(option_list: OptionList) -> list[str]:
    return [str(option.prompt) for option in option_list.options]


@run_async
async def test_promote_selection_edit_title_save_shows_the_draft_finding(sample: Path) -> None:
    """Issue #5 done-when: select -> p -> edit title -> ctrl+s -> a DRAFT finding."""
    app = make_app(sample)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(app, pilot)
        assert [f.id for f in app.findings.matches] == ["engine-storage-migration-timeout"]
        first = line_of(app, "Under-voltage detected! (0x00050005)")
        app.log_view.goto_line(first)
        app.log_view.focus()
        await pilot.press("v")
        await pilot.press("p")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, DraftEditor)
        title = editor.query_one("#title", Input)
        title.focus()
        title.value = "RPi power supply too we"
        title.cursor_position = len(title.value)
        await pilot.press(*"ak")
        await settle(pilot)
        # the live preview highlights what the draft matches in the log view
        assert first in app.log_view.extra_highlights
        assert app.log_view.extra_label == "draft preview"
        await pilot.press("ctrl+s")
        await settle(pilot, 2)
        assert not isinstance(app.screen, DraftEditor)
        saved = sample.parent.parent / "drafts" / "rpi-power-supply-too-weak.toml"
        assert saved.is_file()
        draft = next(f for f in app.findings.matches if f.id == "rpi-power-supply-too-weak")
        assert draft.draft and draft.title == "RPi power supply too weak"
        panel = app.findings_panel
        assert panel.selected is draft and app.side_tabs.active == "findings-tab"
        assert any("DRAFT" in p and "RPi power supply too weak" in p
                   for p in prompts(panel.option_list))
        assert "draft" in tab_label(app, "findings-tab")
        # the log view re-highlights: the draft's evidence is marked, the preview cleared
        assert app.log_view.severity_of(first) is not None
        assert app.log_view.extra_highlights == set()
        # the under-voltage lines are no longer unexplained
        assert first not in app.unexplained_lines


@run_async
async def test_unexplained_tab_lists_templates_and_enter_jumps_to_a_line(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(app, pilot)
        templates = app.templates
        assert templates
        assert tab_label(app, "unexplained-tab") == f"Unexplained {len(templates)}"
        panel = app.unexplained_panel
        rows = prompts(panel.option_list)
        assert any("mmcblk0: error <*> transferring data" in row for row in rows)
        app.show_tab("unexplained-tab")
        panel.option_list.focus()
        await pilot.pause()
        template = panel.current_template
        lines = sorted(r for r in template.refs if isinstance(r, int))
        await pilot.press("enter")
        await pilot.pause()
        assert app.log_view.cursor_line == lines[0]
        # the log view's "looks like an error" marks come from the same computation
        assert set(app.unexplained_lines) <= app.log_view.suspicious


@run_async
async def test_promote_from_unexplained_opens_the_editor_with_the_template_regex(
        sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(app, pilot)
        app.show_tab("unexplained-tab")
        panel = app.unexplained_panel
        panel.option_list.focus()
        rows = prompts(panel.option_list)
        panel.option_list.highlighted = next(i for i, row in enumerate(rows)
                                             if "mmcblk0: error" in row)
        await pilot.pause()
        regex = template_regex(panel.current_template.template)
        await pilot.press("p")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, DraftEditor)
        assert editor.query_one("#signal-0", Input).value == regex
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DraftEditor)
        assert app.log_view.extra_highlights == set()


@run_async
async def test_m_bookmarks_the_cursor_line_and_it_survives_a_restart_on_a_renamed_copy(
        sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(app, pilot)
        line = line_of(app, "mmc0: Timeout waiting")
        app.log_view.goto_line(line)
        app.log_view.focus()
        await pilot.press("m")
        await pilot.pause()
        assert line in app.log_view.bookmarks
        assert app.bookmarks_panel.lines == [line]
        assert tab_label(app, "bookmarks-tab") == "Bookmarks 1"
        # a selection marks every line of it; m again removes them
        await pilot.press("down", "v", "down", "m")
        await pilot.pause()
        assert app.bookmarks_panel.lines == [line, line + 1, line + 2]
        await pilot.press("m")
        await pilot.pause()
        assert app.bookmarks_panel.lines == [line]

    renamed = sample.with_name("renamed-copy.txt")
    shutil.copy(sample, renamed)
    again = make_app(renamed)
    async with again.run_test(size=(140, 45)) as pilot:
        await loaded(again, pilot)
        assert again.bookmarks_panel.lines == [line]
        assert line in again.log_view.bookmarks


@run_async
async def test_a_writes_a_note_on_the_cursor_line(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(app, pilot)
        line = line_of(app, "brcmf_netdev_set_mac_address")
        app.log_view.goto_line(line)
        app.log_view.focus()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        area = app.screen.query_one(TextArea)
        await pilot.press(*"wifi mac")
        assert area.text == "wifi mac"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, NoteEditor)
        assert app.session.note_at(line) == "wifi mac"
        assert prompts(app.bookmarks_panel.option_list)[0].endswith("wifi mac")
        # m on a line with a note keeps the note (it is removed only on purpose)
        await pilot.press("m")
        await pilot.pause()
        assert app.session.note_at(line) == "wifi mac"
        stored = json.loads(next((sample.parent.parent / "data" / "sessions").glob("*.json"))
                            .read_text(encoding="utf-8"))
        assert stored["bookmarks"][0]["note"] == "wifi mac"


@run_async
async def test_goto_opens_at_the_reference(sample: Path) -> None:
    app = make_app(sample, goto="device-diag.txt#L40")
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(app, pilot)
        await pilot.pause()
        assert app.log_view.cursor_line == 40

    messages: list[str] = []
    past = make_app(sample, goto="L999999")
    notify = past.notify
    past.notify = lambda message, **kw: (messages.append(message), notify(message, **kw))[1]
    async with past.run_test(size=(140, 45)) as pilot:
        await loaded(past, pilot)
        assert any("--goto" in m and "past the end" in m for m in messages)
        # the usual start: the first evidence line of the worst finding
        assert past.log_view.cursor_line == past.findings.matches[0].evidence[0].line


def test_goto_and_session_that_cannot_work_fail_before_the_app_starts(
        sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = __import__("argparse").ArgumentParser()
    open_tui.add_arguments(parser)
    assert open_tui.run(parser.parse_args([str(sample), "--goto", "L0"])) == 2
    assert "--goto" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    assert open_tui.run(parser.parse_args([str(sample), "--session", str(bad)])) == 2
    assert "not a triagebench session" in capsys.readouterr().err
    assert open_tui.run(parser.parse_args([str(sample), "--corpus", str(tmp_path / "no")])) == 2


@run_async
async def test_X_exports_a_session_and_session_import_restores_the_view(
        sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(sample)
    messages: list[str] = []
    notify = app.notify
    app.notify = lambda message, **kw: (messages.append(message), notify(message, **kw))[1]
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(app, pilot)
        line = line_of(app, "LogBackend: unexpected error")
        app.log_view.goto_line(line)
        app.log_view.focus()
        await pilot.press("m")
        await pilot.press("g")  # move away from the bookmark: the position is the cursor
        await pilot.press("down", "down")
        await pilot.press("slash", *"EAI_AGAIN", "enter")
        await pilot.pause()
        # the search moved to its first match; the exported position is the cursor
        position = app.log_view.cursor_line
        assert app.search_pattern == "EAI_AGAIN" and "EAI_AGAIN" in app.document.line(position)
        await pilot.press("X")
        await pilot.pause()
    exported = sample.with_name("device-diag.session.json")
    assert exported.is_file()
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert data["position"]["line"] == position and data["search"] == "EAI_AGAIN"
    assert [b["line"] for b in data["bookmarks"]] == [line]
    assert any(f"--session {exported.name}" in m or f"--session {exported}" in m
               for m in messages)

    # a colleague: their own data folder, a copy of the file, the exported session
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path / "colleague"))
    theirs = tmp_path / "theirs.txt"
    shutil.copy(sample, theirs)
    colleague = make_app(theirs, session_path=str(exported))
    async with colleague.run_test(size=(140, 45)) as pilot:
        await loaded(colleague, pilot)
        await pilot.pause()
        assert colleague.log_view.cursor_line == position
        assert colleague.bookmarks_panel.lines == [line]
        assert colleague.search_pattern == "EAI_AGAIN" and colleague.log_view.search_count == 2
    # a second export never overwrites the first
    async with make_app(sample).run_test(size=(140, 45)) as pilot:
        await loaded(pilot.app, pilot)
        await pilot.press("X")
        await pilot.pause()
    assert sample.with_name("device-diag.session-2.json").is_file()
    assert json.loads(exported.read_text(encoding="utf-8")) == data


@run_async
async def test_x_writes_the_report_next_to_the_file_and_copies_it(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(app, pilot)
        line = line_of(app, "mmc0: Timeout waiting")
        app.log_view.goto_line(line)
        app.log_view.focus()
        await pilot.press("a", *"check the SD card", "ctrl+s")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        report = sample.with_name("device-diag.triage.md")
        assert report.is_file()
        text = report.read_text(encoding="utf-8")
        assert app.clipboard == text
        assert "Engine storage migration timing out" in text
        assert f"device-diag.txt#L{line}" in text and "check the SD card" in text
        assert "mmcblk0: error" in text  # the unexplained templates
        await pilot.press("x")
        await pilot.pause()
        assert sample.with_name("device-diag.triage-2.md").is_file()
        assert report.read_text(encoding="utf-8") == text


@run_async
async def test_P_copies_the_permalink_and_the_palette_lists_every_key(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(app, pilot)
        app.log_view.focus()
        await pilot.press("P")
        await pilot.pause()
        assert app.clipboard == "https://example.com/kb/engine-storage-migration-timeout"
        line = app.log_view.cursor_line
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard.startswith(f"device-diag.txt#L{line}  ")
        titles = [title for title, _, _ in app.palette_commands()]
        for spec in KEYS:
            if spec.action and spec.action != "quit":
                assert any(title.endswith(f"({spec.display})") for title in titles), spec
        # a palette command runs its action
        await dict((t, c) for t, _, c in app.palette_commands())["Export report (x)"]()
        await pilot.pause()
        assert sample.with_name("device-diag.triage.md").is_file()
