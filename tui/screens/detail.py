"""The whole of one line, for lines too long for the log view (minified HTML, JSON).

The text is escaped (``printable``: control characters and escape sequences
shown as ``\\e``, ``\\r`` ...) and shown soft-wrapped in a read-only TextArea, so
it can be read, selected with the mouse and copied (``y`` copies it whole with
its ``FILE#L1234`` reference).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea
from triagebench.parser import printable


class DetailScreen(ModalScreen[None]):
    """Modal with the reference as title and the full, escaped line text below."""

    DEFAULT_CSS = """
    DetailScreen {
        align: center middle;
    }
    DetailScreen > Vertical {
        width: 90%;
        height: 80%;
        border: round $accent;
        background: $surface;
    }
    DetailScreen #detail-title {
        height: 1;
        padding: 0 1;
        text-style: bold;
    }
    DetailScreen TextArea {
        height: 1fr;
        border: none;
    }
    """

    BINDINGS = [
        Binding("escape,q", "dismiss", "Close"),
        Binding("y", "copy", "Copy line"),
    ]

    def __init__(self, reference: str, text: str) -> None:
        super().__init__()
        self.reference = reference
        self.text = printable(text)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.assemble((self.reference, "bold"),
                                          (f"  {len(self.text):,} chars  (y copy, Esc close)",
                                           "$text-muted")), id="detail-title")
            yield TextArea(self.text, read_only=True, soft_wrap=True, show_line_numbers=False,
                           id="detail-text")

    def action_copy(self) -> None:
        copy = getattr(self.app, "copy_text", None)
        if copy is not None:
            copy(f"{self.reference}\n{self.text}", f"line {self.reference}")
        else:
            self.app.copy_to_clipboard(self.text)
