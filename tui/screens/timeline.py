"""The timeline screen (key ``t``): the merged timeline with search, filter, go-to, bookmarks.

The keys people use in the log view work the same here: ``/`` search (``n``/``N``),
``f``/``F`` keep/hide lines matching a regex, ``:`` go to a time (``11:14``,
``2022-05-02 11:14``, ``-2h``) or a line, ``e``/``E`` next/previous evidence or error-like
line, ``m`` bookmark, ``y`` copy with the ``FILE#L`` reference, ``h`` only evidence and
error-like lines (the story without the chatter), ``Enter`` open the line in
its section of the log view (the screen closes with that line). ``Esc`` clears the search
and filter, or closes; ``t`` closes. Bookmarks are the app's session's: a mark set here
shows in the log view and the Bookmarks tab.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static
from triagebench.parser import printable
from triagebench.parser.refs import format_ref
from triagebench.services.time_expr import TimeExpressionError, looks_like_time, parse_when
from triagebench.services.timeline import Timeline
from triagebench.tui import keys
from triagebench.tui.widgets.timeline_view import TimelineView

if TYPE_CHECKING:
    from datetime import datetime

    from triagebench.tui.app import TriageApp


class TimelineScreen(Screen[int | None]):
    """Dismisses with a file line to open in its section, or None (closed)."""

    DEFAULT_CSS = """
    TimelineScreen TimelineView { height: 1fr; }
    TimelineScreen #timeline-prompt { display: none; height: 3; }
    TimelineScreen #timeline-prompt.-shown { display: block; }
    TimelineScreen #timeline-status { height: 1; padding: 0 1; background: $panel;
                                      color: $text-muted; }
    """

    BINDINGS = [
        *keys.blocked_bindings("slash,f,F,colon,ctrl+g,y,c,m,escape,t,enter,o"),
        Binding("slash", "prompt('search')", "Search"),
        Binding("f", "prompt('keep')", "Keep"),
        Binding("F", "prompt('hide')", "Hide", show=False),
        Binding("colon,ctrl+g", "goto", "Go to"),
        Binding("y,c", "copy", "Copy"),
        Binding("m", "bookmark", "Mark"),
        Binding("h", "hits_only", "Hits only"),
        Binding("escape", "escape", "Clear/close"),
        Binding("t", "close", "Close"),
    ]

    def __init__(self, timeline: Timeline, bookmarks: set[int], *,
                 start: datetime | None = None, line: int | None = None) -> None:
        super().__init__()
        self.timeline = timeline
        self.bookmarks = bookmarks
        self.start = start
        self.start_line = line
        self.prompt_mode = "search"

    def compose(self) -> ComposeResult:
        yield TimelineView(self.timeline, id="timeline")
        yield Input(id="timeline-prompt")
        yield Static("", id="timeline-status")

    @property
    def view(self) -> TimelineView:
        return self.query_one(TimelineView)

    def on_mount(self) -> None:
        view = self.view
        view.set_bookmarks(self.bookmarks)
        view.focus()
        self.call_after_refresh(self._start_position)
        self._set_status("Enter opens the line in its section · / search · f filter · "
                         "h hits only · : go to 11:14 or -2h · e/E next hit · t or Esc closes")

    def _start_position(self) -> None:
        view = self.view
        if self.start_line is not None and view.goto_line(self.start_line):
            return
        if self.start is None and self.start_line is not None:  # a line without its own
            stamp = self.timeline.document.line_time(self.start_line)  # time: its section's
            self.start = stamp.when if stamp is not None else None
        if self.start is not None:
            view.goto_row(view.slice.row_at(self.start), near_top=True)
        else:
            view.action_last_line()

    def triage(self) -> TriageApp:
        from triagebench.tui.app import TriageApp

        app = self.app
        assert isinstance(app, TriageApp)
        return app

    def _set_status(self, text: str, error: bool = False) -> None:
        content = Content(printable(text))
        self.query_one("#timeline-status", Static).update(
            content.stylize("$error") if error else content)

    # -- messages from the view ----------------------------------------------------------
    def on_timeline_view_open_line(self, message: TimelineView.OpenLine) -> None:
        message.stop()
        self.dismiss(message.line)

    def on_timeline_view_status(self, message: TimelineView.Status) -> None:
        message.stop()
        self._set_status(message.text, message.error)

    def on_timeline_view_cursor_moved(self, message: TimelineView.CursorMoved) -> None:
        message.stop()
        if message.line is None:
            return
        row = self.view.current_row()
        if row is not None and row.kind == "line":
            where = ", ".join(row.sections)
            self._set_status(f"{format_ref(self.timeline.document, row.line)} · {where}")

    # -- actions ---------------------------------------------------------------------------
    def action_prompt(self, mode: str) -> None:
        self.prompt_mode = mode
        prompt = self.query_one("#timeline-prompt", Input)
        prompt.placeholder = {"search": "search (regex)", "keep": "keep lines matching (regex)",
                              "hide": "hide lines matching (regex)"}[mode]
        current = self.view.search_source if mode == "search" else None
        prompt.value = current or ""
        prompt.add_class("-shown")
        prompt.focus()

    @on(Input.Submitted, "#timeline-prompt")
    def prompt_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        prompt = self.query_one("#timeline-prompt", Input)
        prompt.remove_class("-shown")
        view = self.view
        if self.prompt_mode == "search":
            view.set_search(event.value or None)
        else:
            view.set_filter(event.value or None, exclude=self.prompt_mode == "hide")
        view.focus()

    def action_goto(self) -> None:
        from triagebench.tui.screens.goto import GotoScreen

        self.app.push_screen(
            GotoScreen(self.resolve, len(self.view.slice),
                       prompt="Go to a time (11:14, 2022-05-02 11:14, -2h) or a line (L1234)"),
            self._goto_result)

    def resolve(self, text: str) -> int:
        """A time or a line reference -> a row position of the timeline (ValueError)."""
        view = self.view
        if looks_like_time(text):
            try:
                when = parse_when(text, self.timeline.capture)
            except TimeExpressionError as exc:
                raise ValueError(str(exc)) from exc
            if not len(view.slice):
                raise ValueError("the timeline is empty")
            return view.slice.row_at(when)
        line = self.triage().resolve_reference(text)
        at = view.slice.row_of_line(line)
        if at is None:
            raise ValueError(f"line {line:,} has no time stamp (or is filtered out)")
        return at

    def _goto_result(self, position: int | None) -> None:
        if position is not None:
            self.view.goto_row(position, near_top=True)
            self.view.focus()

    def action_copy(self) -> None:
        line = self.view.current_line()
        if line is None:
            return
        doc = self.timeline.document
        ref = format_ref(doc, line)
        self.triage().copy_text(f"{ref}  {doc.plain(line)}", ref)

    def action_bookmark(self) -> None:
        line = self.view.current_line()
        app = self.triage()
        session = app.session
        if line is None or session is None:
            return
        if session.is_marked(line):
            if session.note_at(line):
                self.notify("This bookmark has a note: delete it in the Bookmarks tab.",
                            timeout=3)
                return
            session.unmark(line)
        else:
            session.mark(self.timeline.document, line, None)
        app.session_changed()
        self.view.set_bookmarks(session.bookmarks)

    def action_escape(self) -> None:
        prompt = self.query_one("#timeline-prompt", Input)
        if prompt.has_class("-shown"):
            prompt.remove_class("-shown")
            self.view.focus()
            return
        view = self.view
        if view.search_source or view.filter_source:
            view.set_search(None)
            view.set_filter(None)
            self._set_status("Cleared search and filter.")
            return
        self.dismiss(None)

    def action_hits_only(self) -> None:
        self.view.set_hits_only(not self.view.hits_only)

    def action_blocked(self) -> None:
        self.app.bell()

    def action_close(self) -> None:
        self.dismiss(None)


__all__ = ["TimelineScreen"]
