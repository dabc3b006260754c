"""A full screen saying what went wrong with the file, instead of a traceback.

Used when a problem shows up after the app started (the file vanished or became
unreadable between the CLI check and the worker, loading was cancelled, ...).
The message names the file and the problem in one line; q quits, Esc returns
to the previous screen when there is one worth returning to.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static
from triagebench.parser import printable


class ErrorScreen(Screen[None]):
    """Shows ``message`` (and an optional ``hint``); the only ways out are quit or back."""

    DEFAULT_CSS = """
    ErrorScreen {
        align: center middle;
    }
    ErrorScreen #error-box {
        width: auto;
        max-width: 90%;
        height: auto;
        border: heavy $error;
        padding: 1 2;
        background: $surface;
    }
    ErrorScreen #error-box > Static {
        width: auto;  /* else 1fr of an auto-width box: zero wide, the message vanished */
        max-width: 100%;
    }
    ErrorScreen #error-title {
        color: $error;
        text-style: bold;
    }
    """

    BINDINGS = [
        Binding("q", "app.quit", "Quit"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, message: str, hint: str = "", *, can_go_back: bool = False) -> None:
        super().__init__()
        self.message = printable(message)
        self.hint = printable(hint)
        self.can_go_back = can_go_back

    def compose(self) -> ComposeResult:
        with Middle(), Center(), Vertical(id="error-box"):
            yield Static(Content("Cannot show this file"), id="error-title")
            yield Static(Content(self.message), id="error-message")
            if self.hint:
                yield Static(Content.styled(self.hint, "$text-muted"), id="error-hint")
        yield Footer()

    def action_back(self) -> None:
        if self.can_go_back:
            self.dismiss(None)
        else:
            self.app.exit(return_code=2)
