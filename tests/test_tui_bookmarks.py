"""Pilot tests of the bookmarks panel and the note editor in tiny host apps.

The host app plays the role the workbench will: it owns the ``Session``, shows it
in the panel, opens the note editor on ``EditNote`` and stores what it returns.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import OptionList, Static
from triagebench.parser import Document, parse_text
from triagebench.parser.refs import format_ref
from triagebench.services.sessions import Session
from triagebench.tui.screens.note_editor import NoteEditor
from triagebench.tui.widgets.bookmarks_panel import BookmarksPanel

from tests.pilot import run_async
from tests.test_refs import diagnostics_text, line_of


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path / "data"))




class Host(App[None]):
    """A minimal workbench stand-in: session state lives here, the panel only displays it."""

    def __init__(self, doc: Document, session: Session) -> None:
        super().__init__()
        self.doc = doc
        self.session = session
        self.jumps: list[int] = []
        self.edit_results: list[str | None] = []

    def compose(self) -> ComposeResult:
        yield BookmarksPanel(id="bookmarks")

    def on_mount(self) -> None:
        self.refresh_panel()
        self.query_one(OptionList).focus()

    def refresh_panel(self) -> None:
        self.query_one(BookmarksPanel).show(self.doc, self.session.bookmarks.values())

    def on_bookmarks_panel_jump_to(self, message: BookmarksPanel.JumpTo) -> None:
        self.jumps.append(message.line)

    def on_bookmarks_panel_remove(self, message: BookmarksPanel.Remove) -> None:
        self.session.unmark(message.line)
        self.refresh_panel()

    def on_bookmarks_panel_edit_note(self, message: BookmarksPanel.EditNote) -> None:
        line = message.line

        def store(note: str | None) -> None:
            self.edit_results.append(note)
            if note is not None:
                self.session.set_note(self.doc, line, note)
                self.refresh_panel()

        self.push_screen(NoteEditor(format_ref(self.doc, line), self.doc.plain(line),
                                    self.session.note_at(line)), store)


@pytest.fixture()
def doc() -> Document:
    return parse_text(diagnostics_text(), path="diag.txt")


def detail_text(app: App) -> str:
    return str(app.query_one("#bookmark-text", Static).render())


def option_texts(app: App) -> list[str]:
    options = app.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


@run_async
async def test_panel_lists_bookmarks_in_line_order_and_jumps(doc: Document) -> None:
    session = Session.for_document(doc, "0" * 64)
    error = line_of(doc, "LogBackend")
    release = line_of(doc, 'VERSION_ID="2.87.16+rev1"')
    session.set_note(doc, release, "old OS\nsecond line")
    session.set_note(doc, error, "supervisor log error")
    app = Host(doc, session)
    async with app.run_test(size=(100, 30)) as pilot:
        rows = option_texts(app)
        assert rows[0].startswith(f"L{error} balena logs b96a5987452b")
        assert rows[0].endswith("supervisor log error")
        assert rows[1].startswith(f"L{release} cat /etc/os-release")
        assert rows[1].endswith("old OS …")  # more lines follow
        assert "LogBackend: unexpected error" in detail_text(app)
        await pilot.press("down")
        assert "old OS\nsecond line" in detail_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.jumps == [release]


@run_async
async def test_note_editor_saves_with_ctrl_s_and_cancels_with_escape(doc: Document) -> None:
    session = Session.for_document(doc, "0" * 64)
    error = line_of(doc, "LogBackend")
    session.toggle(doc, error)
    app = Host(doc, session)
    async with app.run_test(size=(100, 30)) as pilot:
        assert "(no note: press n to add one)" in detail_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"check the backend")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, NoteEditor)
        assert session.note_at(error) == "check the backend"
        assert option_texts(app)[0].endswith("check the backend")

        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*" (discard me)")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, NoteEditor)
        assert app.edit_results == ["check the backend", None]
        assert session.note_at(error) == "check the backend"


@run_async
async def test_remove_and_empty_state(doc: Document) -> None:
    session = Session.for_document(doc, "0" * 64)
    session.toggle(doc, 3)
    app = Host(doc, session)
    async with app.run_test(size=(80, 24)) as pilot:
        assert option_texts(app)[0].startswith("L3 (preamble)")
        await pilot.press("delete")
        await pilot.pause()
        assert session.bookmarks == {}
        assert option_texts(app) == []
        assert "No bookmarks yet" in detail_text(app)


@run_async
async def test_untrusted_text_is_shown_escaped(doc: Document) -> None:
    session = Session.for_document(doc, "0" * 64)
    line = line_of(doc, "Supervisor v12.11.0")  # carries ANSI colour codes
    session.set_note(doc, line, "note with \x1b]52;c;aGk=\x07 escape")
    app = Host(doc, session)
    async with app.run_test(size=(100, 30)):
        shown = option_texts(app)[0] + detail_text(app)
        assert "\x1b" not in shown and "\x07" not in shown
        assert "\\e]52;c;aGk=\\x07" in shown


class DeferredHost(App[None]):
    """The workbench's way: the panel's list is composed after the first frame, and the
    bookmarks arrive before it exists."""

    def __init__(self, doc: Document, session: Session) -> None:
        super().__init__()
        self.doc = doc
        self.session = session

    def compose(self) -> ComposeResult:
        yield BookmarksPanel(id="bookmarks", defer=True)

    def on_mount(self) -> None:
        panel = self.query_one(BookmarksPanel)
        assert not panel.query(OptionList)  # nothing composed before the first frame
        panel.show(self.doc, self.session.bookmarks.values())


@run_async
async def test_a_deferred_panel_shows_bookmarks_given_before_its_list_existed(
        doc: Document) -> None:
    session = Session.for_document(doc, "0" * 64)
    error = line_of(doc, "LogBackend")
    session.set_note(doc, error, "supervisor log error")
    app = DeferredHost(doc, session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        panel = app.query_one(BookmarksPanel)
        assert panel.current_line == error
        assert option_texts(app)[0].endswith("supervisor log error")
        assert "LogBackend: unexpected error" in detail_text(app)
