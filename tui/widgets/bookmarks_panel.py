"""The bookmarks panel: marked lines with their section and note, for hand-over.

One row per bookmark (line number, section command, first line of the note); the
highlighted bookmark's full note and line text are shown below. The panel owns
no state beyond what it displays: the app keeps the ``Session`` and calls
``show(document, bookmarks)`` after every change ("attributes down"); the panel
posts messages for what the user asks ("messages up"):

* Enter (or a click) on a row: ``BookmarksPanel.JumpTo(line)``;
* ``n``: ``BookmarksPanel.EditNote(line)`` (the app opens ``NoteEditor``);
* ``delete``: ``BookmarksPanel.Remove(line)`` (not ``x``: that is the app's export
  key, and a slip must not drop a note).

All displayed text comes from the diagnostics file or from notes, so it is built
as ``Content`` from plain strings passed through ``printable`` (never markup).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from triagebench.parser import Document, printable
from triagebench.parser.refs import format_ref

if TYPE_CHECKING:  # sessions load after the first frame
    from triagebench.services.sessions import Bookmark

MAX_ROW_CHARS = 200
EMPTY_TEXT = "No bookmarks yet: mark a line in the log view."


def _one_line(text: str) -> str:
    """First line of ``text``, printable, with an ellipsis when more follows."""
    lines = (text or "").strip().splitlines()
    if not lines:
        return ""
    first = printable(lines[0].strip(), keep_tabs=False)[:MAX_ROW_CHARS]
    return first + (" …" if len(lines) > 1 else "")


class BookmarksPanel(Vertical, can_focus=False):
    """List of bookmarks plus the detail (full note, line text) of the highlighted one."""

    DEFAULT_CSS = """
    BookmarksPanel {
        height: 1fr;
    }
    BookmarksPanel > OptionList {
        height: auto;
        max-height: 60%;
        border: none;
        padding: 0;
    }
    BookmarksPanel > #bookmark-detail {
        height: 1fr;
        padding: 0 1;
        border-top: hkey $panel;
    }
    """

    BINDINGS = [
        Binding("n", "edit_note", "Note", show=True),
        Binding("delete", "remove", "Unmark", show=True),
    ]

    class JumpTo(Message):
        """Show file line ``line`` in the log view."""

        def __init__(self, line: int) -> None:
            super().__init__()
            self.line = line

    class EditNote(Message):
        """The user wants to edit the note on ``line``."""

        def __init__(self, line: int) -> None:
            super().__init__()
            self.line = line

    class Remove(Message):
        """The user wants the bookmark on ``line`` removed."""

        def __init__(self, line: int) -> None:
            super().__init__()
            self.line = line

    def __init__(self, *, defer: bool = False, id: str | None = None,  # noqa: A002
                 classes: str | None = None) -> None:
        """``defer``: compose the list and the detail only after the first frame (in a
        tab pane hidden at start, so the app's first screen has fewer widgets to style);
        ``show`` before that keeps the bookmarks and displays them once they exist."""
        super().__init__(id=id, classes=classes)
        self.document: Document | None = None
        self.lines: list[int] = []
        self.notes: dict[int, str] = {}
        self.marks: list[Bookmark] = []
        self.defer = defer
        self.built = not defer  # the list and the detail are mounted

    def compose(self) -> ComposeResult:
        if not self.defer:
            yield from self.parts()

    @staticmethod
    def parts() -> list[Widget]:
        return [OptionList(id="bookmark-list"),
                VerticalScroll(Static(Content(EMPTY_TEXT), id="bookmark-text"),
                               id="bookmark-detail")]

    def on_mount(self) -> None:
        if self.defer:
            self.call_after_refresh(self.build)

    async def build(self) -> None:
        """(deferred) Mount the list and the detail, then show what ``show`` was given."""
        await self.mount_all(self.parts())
        self.built = True
        self.fill(None)

    @property
    def option_list(self) -> OptionList:
        return self.query_one("#bookmark-list", OptionList)

    def show(self, document: Document, bookmarks: Iterable[Bookmark]) -> None:
        """Display ``bookmarks`` of ``document``,
        keeping the highlighted line when it is still marked."""
        previous = self.current_line
        marks = sorted((b for b in bookmarks if 1 <= b.line <= document.line_count),
                       key=lambda b: b.line)
        self.document = document
        self.marks = marks
        self.lines = [b.line for b in marks]
        self.notes = {b.line: b.note or "" for b in marks}
        if self.built:
            self.fill(previous)

    def fill(self, previous: int | None) -> None:
        """Rebuild the rows from ``marks`` (highlighting ``previous`` when still marked)."""
        document = self.document
        if document is None:
            return
        width = len(str(self.lines[-1])) if self.lines else 1
        options = []
        for bookmark in self.marks:
            section = document.section_at(bookmark.line)
            where = printable(section.command, keep_tabs=False)[:60] if section else "(preamble)"
            prompt = Content.assemble(
                (f"L{bookmark.line:<{width}} ", "$accent"),
                (where, "$text-muted"),
                ("  ", ""),
                (_one_line(bookmark.note), "bold"),
            )
            options.append(Option(prompt, id=f"L{bookmark.line}"))
        option_list = self.option_list
        option_list.set_options(options)
        if self.lines:
            index = self.lines.index(previous) if previous in self.lines else 0
            option_list.highlighted = index
        self._show_detail()

    @property
    def current_line(self) -> int | None:
        """The highlighted bookmark's line, if any."""
        if not self.built or not self.is_mounted or not self.lines:
            return None
        index = self.option_list.highlighted
        return self.lines[index] if index is not None and index < len(self.lines) else None

    def _show_detail(self) -> None:
        text = self.query_one("#bookmark-text", Static)
        line = self.current_line
        if line is None or self.document is None:
            text.update(Content(EMPTY_TEXT))
            return
        doc = self.document
        note = self.notes.get(line, "").strip()
        parts: list[str | tuple[str, str]] = [(format_ref(doc, line), "bold"), "\n",
                                              (printable(doc.plain(line)), "$text-muted"), "\n\n"]
        parts.append(printable(note) if note else ("(no note: press n to add one)", "italic"))
        text.update(Content.assemble(*parts))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._show_detail()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.lines):
            self.post_message(self.JumpTo(self.lines[event.option_index]))

    def action_edit_note(self) -> None:
        line = self.current_line
        if line is not None:
            self.post_message(self.EditNote(line))

    def action_remove(self) -> None:
        line = self.current_line
        if line is not None:
            self.post_message(self.Remove(line))
