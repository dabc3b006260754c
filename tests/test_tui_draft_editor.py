"""The draft editor in a tiny host app: edit, live preview, save, no overwrite, read-only folder."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Checkbox, Input, Static
from triagebench.heuristics import load_file
from triagebench.heuristics.evaluate import evaluate
from triagebench.parser import Document
from triagebench.tui.screens.draft_editor import DraftEditor

from tests.pilot import run_async
from tests.test_drafts_fixture import DMESG, line_of, lines_of, make_document, make_text


class Host(App[None]):
    """Opens one DraftEditor and records what it reports."""

    def __init__(self, document: Document, lines: list[int], drafts_dir: Path,
                 corpus: list[str], source_regex: str | None = None) -> None:
        super().__init__()
        self.document = document
        self.lines = lines
        self.drafts_dir = drafts_dir
        self.corpus = corpus
        self.source_regex = source_regex
        self.results: list[str | None] = []
        self.preview_lines: list[list[int]] = []

    def on_mount(self) -> None:
        self.push_screen(DraftEditor(self.document, self.lines, self.document.facts,
                                     self.drafts_dir, self.corpus, self.source_regex),
                         self.results.append)

    def on_draft_editor_preview_lines(self, message: DraftEditor.PreviewLines) -> None:
        self.preview_lines.append(message.lines)


def _text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def _settle(pilot) -> None:
    """Let the debounce timer fire, the worker finish and its messages be handled."""
    for _ in range(3):
        await pilot.pause(0.4)
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _corpus(tmp_path: Path) -> list[str]:
    a = tmp_path / "corpus-a.txt"
    a.write_text(make_text(), encoding="utf-8")
    b = tmp_path / "corpus-b.txt"
    b.write_text(make_text([(DMESG, ["[Fri Apr 29 13:35:04 2022] all good"], [])]),
                 encoding="utf-8")
    return [str(a), str(b)]


async def _type_title(pilot, screen, text: str) -> None:
    """Replace the title, the last characters typed as keys (as an author would)."""
    title = screen.query_one("#title", Input)
    title.focus()
    title.value = text[:-3]
    title.cursor_position = len(title.value)
    await pilot.press(*text[-3:])


@run_async
async def test_edit_preview_save_then_refuse_a_second_save(tmp_path: Path) -> None:
    doc = make_document()
    n = line_of(doc, "Under-voltage detected! (0x00050005)")
    drafts = tmp_path / "drafts"
    corpus = _corpus(tmp_path)
    app = Host(doc, [n], drafts, corpus)
    async with app.run_test(size=(140, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, DraftEditor)
        assert screen.query_one("#signal-0", Input).value.startswith("Under-voltage detected!")
        await _type_title(pilot, screen, "RPi power supply too weak")
        await _settle(pilot)
        assert screen.query_one("#id", Input).value == "rpi-power-supply-too-weak"
        preview = _text(screen, "#draft-preview")
        assert "3 matching lines in this file" in preview
        assert f"{n:>7}" in preview
        assert "corpus: matches 1/2 files" in preview
        assert app.preview_lines[-1] == lines_of(doc, "Under-voltage detected!")
        assert 'title = "RPi power supply too weak"' in screen.toml_text
        lint = _text(screen, "#draft-lint")
        assert "error" not in lint and "placeholder" in lint
        await pilot.press("ctrl+s")
        await pilot.pause()
    path = Path(app.results[0])
    assert path == drafts / "rpi-power-supply-too-weak.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["title"] == "RPi power supply too weak"
    heuristic, messages = load_file(path, draft=True)
    assert heuristic is not None and [m for m in messages if m.level == "error"] == []
    assert evaluate(doc, [heuristic]).matches

    # the same draft again: refused, the id field offers "-2", the editor stays open
    again = Host(doc, [n], drafts, [])
    async with again.run_test(size=(140, 50)) as pilot:
        screen = again.screen
        await _type_title(pilot, screen, "RPi power supply too weak")
        await _settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert again.screen is screen and again.results == []
        assert screen.query_one("#id", Input).value == "rpi-power-supply-too-weak-2"
        assert "already exists" in _text(screen, "#draft-status")
        assert data == tomllib.loads(path.read_text(encoding="utf-8"))  # not overwritten
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert again.results == [str(drafts / "rpi-power-supply-too-weak-2.toml")]


def _readonly_dir(tmp_path: Path) -> Path:
    if os.geteuid() == 0:
        try:
            (Path("/sys/kernel") / ".triage-probe").touch()
        except OSError:
            return Path("/sys/kernel")
        pytest.skip("no read-only folder available as root")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


@run_async
async def test_readonly_folder_keeps_the_editor_open_and_nothing_lost(tmp_path: Path) -> None:
    doc = make_document()
    n = line_of(doc, "LogBackend: unexpected error")
    app = Host(doc, [n], _readonly_dir(tmp_path), [])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await _type_title(pilot, screen, "Supervisor cannot resolve the API")
        screen.query_one("#version", Checkbox).value = True
        await _settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen and app.results == []
        assert "not writable" in _text(screen, "#draft-status")
        assert screen.query_one("#title", Input).value == "Supervisor cannot resolve the API"
        assert screen.query_one("#version", Checkbox).value is True
        # Esc with edits asks first, the second Esc discards
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and "Esc again" in _text(screen, "#draft-status")
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


@run_async
async def test_a_broken_regex_shows_lint_errors_inline_and_save_is_refused(tmp_path: Path) -> None:
    doc = make_document()
    app = Host(doc, [line_of(doc, "Under-voltage")], tmp_path / "d", [])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        regex = screen.query_one("#signal-0", Input)
        regex.focus()
        regex.value = "Under-voltage (detected"
        await _settle(pilot)
        assert "does not compile" in _text(screen, "#draft-lint")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen and "fix the lint errors" in _text(screen, "#draft-status")
    assert not (tmp_path / "d").exists()


@run_async
async def test_a_selection_without_output_lines_explains_itself(tmp_path: Path) -> None:
    doc = make_document()
    header = line_of(doc, f"--- {DMESG} ---")
    app = Host(doc, [header, header + 1], tmp_path, [])
    async with app.run_test(size=(100, 30)) as pilot:
        assert "nothing to promote" in _text(app.screen, "#draft-status")
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


@run_async
async def test_a_mined_template_regex_is_promoted_directly(tmp_path: Path) -> None:
    doc = make_document()
    app = Host(doc, [], tmp_path / "d", [], source_regex=r"Reported current state to the cloud")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert screen.query_one("#signal-0", Input).value == "Reported current state to the cloud"
        await _settle(pilot)
        assert "3 matching lines" in _text(screen, "#draft-preview")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results and Path(app.results[0]).exists()


@run_async
async def test_the_selector_is_a_choice_and_editable(tmp_path: Path) -> None:
    from textual.widgets import Select

    from tests.test_drafts_scope import UNDER, document

    doc = document()
    n = line_of(doc, UNDER)
    app = Host(doc, [n], tmp_path / "drafts", [])
    async with app.run_test(size=(140, 50)) as pilot:
        screen = app.screen
        await _settle(pilot)
        menu = screen.query_one("#scope-0", Select)
        field = screen.query_one("#in-0", Input)
        assert menu.value == "log" and "dmesg*" in field.value
        # the default finds the message wherever the kernel log is: 5 lines, not 2
        assert "5 matching lines in this file" in _text(screen, "#draft-preview")
        menu.value = "section"
        await _settle(pilot)
        assert field.value == DMESG
        assert "2 matching lines in this file" in _text(screen, "#draft-preview")
        assert f"in = ['{DMESG}']" in screen.toml_text or f'in = ["{DMESG}"]' in screen.toml_text
        menu.value = "any"
        await _settle(pilot)
        assert field.value == "*"
        field.focus()
        field.value = "dmesg -T, journalctl --no-pager --no-hostname -pwarning -perr -a"
        await _settle(pilot)
        assert "3 matching lines in this file" in _text(screen, "#draft-preview")
        assert "-pwarning -perr -a" in screen.toml_text
