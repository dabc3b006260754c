"""A full screen saying what went wrong with the file, instead of a traceback.

Used when a problem shows up after the app started (the file vanished or became
unreadable between the CLI check and the worker, loading was cancelled, ...).
The message names the file and the problem in one line; q quits with exit code 2
(the run failed: docs/exit-codes.md), Esc returns to the previous screen when there
is one worth returning to (else quits the same way). The box has a definite width so
its text wraps inside it (with ``width: auto`` around ``1fr`` children the message
laid out at 0x0: an empty red box).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static
from triagebench.parser import printable

EXIT_NOT_SHOWN = 2  # docs/exit-codes.md: the file could not be shown


class ErrorScreen(Screen[None]):
    """Shows ``message`` (and an optional ``hint``); the only ways out are quit or back."""

    DEFAULT_CSS = """
    ErrorScreen {
        align: center middle;
    }
    ErrorScreen #error-box {
        width: 90%;
        max-width: 100;
        height: auto;
        border: heavy $error;
        padding: 1 2;
        background: $surface;
    }
    ErrorScreen #error-box > Static {
        width: 100%;
        height: auto;
    }
    ErrorScreen #error-message {
        margin: 1 0;
    }
    ErrorScreen #error-title {
        color: $error;
        text-style: bold;
    }
    """

    BINDINGS = [
        Binding("q", "quit_failed", "Quit"),
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

    def action_quit_failed(self) -> None:
        """q: the file could not be shown, so the run failed: exit code 2, not 0."""
        self.app.exit(return_code=EXIT_NOT_SHOWN)

    def action_back(self) -> None:
        if self.can_go_back:
            self.dismiss(None)
        else:
            self.app.exit(return_code=EXIT_NOT_SHOWN)
