"""The search / filter bar: one input, three modes, incremental as you type.

* ``search`` (``/``): highlight matches, dim the rest; ``n`` / ``N`` move.
* ``keep`` (``f``): show only lines matching the regex.
* ``hide`` (``F``): hide lines matching the regex.

The bar only reports what was typed (``Changed`` on every edit, ``Submitted`` on
Enter, ``Closed`` on Esc); the app applies it to the log view and writes back
the status (match count, hidden lines, or the regex error inline) with
``set_status``, so an invalid pattern is shown, never raised.

The app mounts the bar the first time it is used (its ``Input`` and labels are a tenth
of the CSS and widgets of the first frame, and most files are read without a search);
``open`` and ``set_status`` called before its children exist are applied on mount.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label

MODES = {"search": "/", "keep": "keep", "hide": "hide"}
PLACEHOLDERS = {
    "search": "regex to search (Enter keeps it, Esc clears)",
    "keep": "regex: show only matching lines",
    "hide": "regex: hide matching lines",
}


class SearchBar(Horizontal):
    """A one-line bar with a mode label, the pattern input and a status label."""

    DEFAULT_CSS = """
    SearchBar {
        height: 1;
        dock: bottom;
        background: $panel;
        display: none;
    }
    SearchBar.-open {
        display: block;
    }
    SearchBar > #search-mode {
        width: auto;
        padding: 0 1;
        background: $accent;
        color: $background;
        text-style: bold;
    }
    /* compact=True (Textual's one-line Input: no border, !important) keeps the typed
       text visible when focused; the focus style would otherwise draw a 3-row border
       into this 1-row bar and hide the text. */
    SearchBar > Input, SearchBar > Input:focus {
        width: 1fr;
        height: 1;
        padding: 0 1;
        background: $boost;
        color: $foreground;
    }
    SearchBar > #search-status {
        width: auto;
        max-width: 50%;
        padding: 0 1;
        color: $text-muted;
    }
    SearchBar > #search-status.-error {
        color: $error;
        text-style: bold;
    }
    """

    BINDINGS = [Binding("escape", "close", "Clear", show=True)]

    class Changed(Message):
        """The pattern was edited (incremental search / live filter preview)."""

        def __init__(self, mode: str, pattern: str) -> None:
            super().__init__()
            self.mode = mode
            self.pattern = pattern

    class Submitted(Message):
        """Enter: keep the pattern active and go back to the log view."""

        def __init__(self, mode: str, pattern: str) -> None:
            super().__init__()
            self.mode = mode
            self.pattern = pattern

    class Closed(Message):
        """Esc: clear this mode's pattern."""

        def __init__(self, mode: str) -> None:
            super().__init__()
            self.mode = mode

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.mode = "search"
        self.built = False  # the children are composed and mounted (on_mount ran)
        self.pending_open: str | None = None  # the pattern of an open() before that
        self.status: tuple[str, bool] = ("", False)  # what set_status shows (text, error)

    def compose(self) -> ComposeResult:
        yield Label(MODES["search"], id="search-mode")
        yield Input(placeholder=PLACEHOLDERS["search"], id="search-input", select_on_focus=False,
                    compact=True)
        yield Label("", id="search-status")

    @property
    def input(self) -> Input:
        return self.query_one("#search-input", Input)

    def on_mount(self) -> None:
        self.built = True
        pattern, self.pending_open = self.pending_open, None
        if pattern is not None:
            text, error = self.status
            self.open(self.mode, pattern)
            self.set_status(text, error)

    def open(self, mode: str, pattern: str = "") -> None:
        """Show the bar in ``mode`` with ``pattern`` and focus the input."""
        self.mode = mode
        if not self.built:  # just mounted: on_mount opens it
            self.pending_open = pattern
            self.status = ("", False)
            self.add_class("-open")
            return
        self.query_one("#search-mode", Label).update(MODES[mode])
        field = self.input
        field.placeholder = PLACEHOLDERS[mode]
        with field.prevent(Input.Changed):
            field.value = pattern
        field.cursor_position = len(pattern)
        self.set_status("")
        self.add_class("-open")
        field.focus()

    def hide(self) -> None:
        self.remove_class("-open")

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    @property
    def has_error(self) -> bool:
        """Is the status a regex error (not a count)?"""
        return self.status[1]

    def set_status(self, text: str, error: bool = False) -> None:
        """Show ``text`` (a count, or the regex error in the error colour)."""
        self.status = (text, error)
        if not self.built:
            return
        status = self.query_one("#search-status", Label)
        status.update(Content(text))
        status.set_class(error, "-error")

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self.mode, event.value))

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted(self.mode, event.value))

    def action_close(self) -> None:
        self.post_message(self.Closed(self.mode))
