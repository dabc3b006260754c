"""A small modal to write or edit the note on one line.

``app.push_screen(NoteEditor(ref, line_text, note), callback)``: the callback gets
the new note text (``""`` clears it) on Ctrl+S, or ``None`` when cancelled with
Escape, so the app decides what to store. The line being annotated is shown
(through ``printable``: it comes from the diagnostics file) so the author sees
what the note is about.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static, TextArea
from triagebench.parser import printable


class NoteEditor(ModalScreen[str | None]):
    """Edit a note; dismisses with the text (Ctrl+S / Save) or ``None`` (Escape / Cancel)."""

    DEFAULT_CSS = """
    NoteEditor {
        align: center middle;
    }
    NoteEditor > Vertical {
        width: 80%;
        max-width: 100;
        height: auto;
        max-height: 80%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    NoteEditor #note-line {
        color: $text-muted;
        height: auto;
        max-height: 3;
    }
    NoteEditor TextArea {
        height: 8;
    }
    NoteEditor Horizontal {
        height: auto;
        align-horizontal: right;
    }
    NoteEditor Button {
        margin-left: 1;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save note", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, ref: str, line_text: str, note: str = "") -> None:
        super().__init__()
        self.ref = ref
        self.line_text = line_text
        self.note = note
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content.assemble(("Note on ", ""), (printable(self.ref), "bold")))
            yield Static(Content(printable(self.line_text, keep_tabs=False)), id="note-line")
            yield TextArea(self.note, soft_wrap=True, id="note-text")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Save (Ctrl+S)", variant="primary", id="save")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        # Ctrl+S is a priority binding: it runs before the text area has handled the keys
        # typed just before it (they wait in its queue, e.g. a fast paste). Finish the save
        # from that queue, so every typed character is in the note.
        if not self.saving:
            self.saving = True
            self.query_one(TextArea).call_later(self.finish_save)

    def finish_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text.rstrip())

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()
