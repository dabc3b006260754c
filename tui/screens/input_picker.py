"""Pick one file of an archive that holds several (``triage bundle.zip``).

A ticket's zip often holds several devices' diagnostics. The reader gives every
member as ``bundle.zip:member`` (``services.analysis.read_capture`` raises
``SeveralInputs``); this modal lists them and returns the name picked (Enter or a
click), or None (Esc: quit, since there is nothing else to show). A zip holding one
capture (a diagnostics file and its health checks) never gets here: it opens as one.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from triagebench.parser import printable


class InputsToPick(Message):
    """(worker -> app) ``path`` holds several inputs: ask which one to open."""

    def __init__(self, generation: int, path: str, names: list[str]) -> None:
        super().__init__()
        self.generation = generation
        self.path = path
        self.names = names


class InputPicker(ModalScreen[str | None]):
    """Lists an archive's files; dismisses with the picked name (None: none)."""

    DEFAULT_CSS = """
    InputPicker {
        align: center middle;
    }
    InputPicker #picker-box {
        width: auto;
        min-width: 40;
        max-width: 90%;
        height: auto;
        max-height: 80%;
        border: heavy $accent;
        padding: 1 2;
        background: $surface;
    }
    InputPicker #picker-title {
        text-style: bold;
        margin-bottom: 1;
    }
    InputPicker OptionList {
        height: auto;
        max-height: 30;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, path: str, names: list[str]) -> None:
        super().__init__()
        self.path = path
        self.names = names

    def compose(self) -> ComposeResult:
        prefix = self.path + ":"
        options = [Option(Content(printable(n[len(prefix):] if n.startswith(prefix) else n)), id=str(i))
                   for i, n in enumerate(self.names)]
        with Vertical(id="picker-box"):
            yield Static(Content(f"{printable(self.path)} holds {len(self.names)} files; "
                                 "open which one?"), id="picker-title")
            yield OptionList(*options, id="picker-list")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = int(event.option.id or 0)
        self.dismiss(self.names[index])

    def action_cancel(self) -> None:
        self.dismiss(None)


__all__ = ["InputPicker", "InputsToPick"]
