"""Go to line: a small input accepting ``1234``, ``L1234`` or ``FILE#L1234``, or a time
(``11:14``, ``2022-05-02 11:14``, ``-2h``: ``services.time_expr``, resolved by the caller).

The screen is given a ``resolve(text) -> line`` callable (the app's, built on
``parser.refs``) so a bad reference is reported inline while the user is still
typing, and the screen only closes with a line that exists.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class GotoScreen(ModalScreen[int | None]):
    """Dismisses with the resolved line number, or None on Esc."""

    DEFAULT_CSS = """
    GotoScreen {
        align: center middle;
    }
    GotoScreen > Vertical {
        width: 60;
        max-width: 95%;
        height: auto;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    GotoScreen #goto-error {
        color: $error;
        height: auto;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, resolve: Callable[[str], int], line_count: int,
                 prompt: str | None = None) -> None:
        super().__init__()
        self.resolve = resolve
        self.line_count = line_count
        self.prompt = prompt or (f"Go to line (1-{line_count:,}, L1234 or FILE#L1234) "
                                 "or time (11:14, 2022-05-02 11:14, -2h)")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(self.prompt))
            yield Input(placeholder="1234", id="goto-input")
            yield Label("", id="goto-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            line = self.resolve(event.value)
        except ValueError as exc:
            self.query_one("#goto-error", Label).update(Content(str(exc)))
            return
        self.dismiss(line)

    @on(Input.Changed)
    def clear_error(self, event: Input.Changed) -> None:
        event.stop()
        self.query_one("#goto-error", Label).update("")

    def action_cancel(self) -> None:
        self.dismiss(None)
