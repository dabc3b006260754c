"""The compare screen: what changed between the open capture (OLD) and another (NEW).

Shows ``services.compare.Comparison`` as a list: device facts that changed, findings new /
resolved / still present, error templates new / gone (with counts), sections whose exit
status changed, and the comparison's notes. ``Enter`` on an item opens it in the right
file: a line of the open file (OLD) closes the screen and goes there in the log view, in
its section; a line of NEW opens NEW read-only in a log view (``CaptureScreen``). Every
string shown was made printable when the ``Comparison`` was built.

``ComparePathScreen`` asks for the other file (palette entry "Compare with another
capture").
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from triagebench.parser import Document, printable
from triagebench.parser.refs import format_ref
from triagebench.services.compare import Comparison
from triagebench.tui import keys
from triagebench.tui.widgets.log_view import LogView


@dataclass(frozen=True, slots=True)
class Target:
    """Where an item opens: ``side`` "old" (the open file) or "new", at ``line``."""

    side: str
    line: int


def _name(path: str) -> str:
    return printable(path.replace("\\", "/").rsplit("/", 1)[-1])


def comparison_items(c: Comparison) -> list[tuple[str, Target | None]]:
    """(text, target) rows of the compare screen, headings with no target."""
    old, new = _name(c.old_path), _name(c.new_path)
    rows: list[tuple[str, Target | None]] = [
        (f"OLD {old} ({c.old_captured or 'capture time unknown'})", None),
        (f"NEW {new} ({c.new_captured or 'capture time unknown'})", None),
    ]
    if c.forced:
        rows.append(("! compared although these are different devices", None))
    facts = c.changed_facts
    rows.append((f"Device facts that changed ({len(facts)})", None))
    rows += [(f"  {f.label}: {f.old or '?'} -> {f.new or '?'}"
              + (f" ({f.delta})" if f.delta else ""), None) for f in facts]
    for change, heading in (("new", "Findings new"), ("resolved", "Findings resolved"),
                            ("still present", "Findings still present")):
        items = c.findings_by_change(change)
        rows.append((f"{heading} ({len(items)})", None))
        for f in items:
            side, line = ("old", f.old_first) if change == "resolved" else ("new", f.new_first)
            events = f.new_events if side == "new" else f.old_events
            where = f" ({events} event{'s' if events != 1 else ''}, {side.upper()} L{line})" \
                if line else ""
            rows.append((f"  [{f.severity.upper()}] {f.title}{where}",
                         Target(side, line) if line else None))
    for change, heading in (("new", "Error templates new"), ("gone", "Error templates gone")):
        items = c.templates_by_change(change)
        rows.append((f"{heading} ({len(items)})", None))
        side = "new" if change == "new" else "old"
        for t in items:
            line = t.examples[0] if t.examples else None
            rows.append((f"  {t.count:,}x {t.template}", Target(side, line) if line else None))
    rows.append((f"Exit status changed ({len(c.exit_status)})", None))
    for e in c.exit_status:
        line, side = (e.new_line, "new") if e.new_line else (e.old_line, "old")
        old_text = "absent" if not e.old_present else str(e.old)
        new_text = "absent" if not e.new_present else str(e.new)
        rows.append((f"  {e.command}: {old_text} -> {new_text}",
                     Target(side, line) if line else None))
    if c.notes:
        rows.append(("Notes", None))
        rows += [(f"  {note}", None) for note in c.notes]
    return [(printable(text), target) for text, target in rows]


class CompareScreen(Screen[Target | None]):
    """Dismisses with a line of the open file to go to (``Target("old", n)``) or None."""

    DEFAULT_CSS = """
    CompareScreen OptionList { height: 1fr; }
    CompareScreen #compare-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    """

    BINDINGS = [*keys.blocked_bindings("escape,enter"), Binding("escape,q", "close", "Close")]

    def __init__(self, comparison: Comparison, new_document: Document) -> None:
        super().__init__()
        self.comparison = comparison
        self.new_document = new_document
        self.items = comparison_items(comparison)

    def compose(self) -> ComposeResult:
        yield Static(Content("Compare captures · Enter opens an item in its file · Esc closes"),
                     id="compare-title")
        options = [Option(Content(text), id=str(n), disabled=target is None)
                   for n, (text, target) in enumerate(self.items)]
        yield OptionList(*options, id="compare-list")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def open_item(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        target = self.items[int(event.option.id or 0)][1]
        if target is None:
            return
        if target.side == "old":
            self.dismiss(target)
        else:
            self.app.push_screen(CaptureScreen(self.new_document, target.line))

    def action_blocked(self) -> None:
        self.app.bell()

    def action_close(self) -> None:
        self.dismiss(None)


class CaptureScreen(Screen[None]):
    """The other capture (NEW), read-only in a log view at one line."""

    DEFAULT_CSS = """
    CaptureScreen LogView { height: 1fr; }
    CaptureScreen #capture-title { height: 1; padding: 0 1; background: $panel; }
    """

    BINDINGS = [*keys.blocked_bindings("escape"), Binding("escape,q", "close", "Close")]

    def __init__(self, document: Document, line: int) -> None:
        super().__init__()
        self.document = document
        self.line = line

    def compose(self) -> ComposeResult:
        yield Static(Content(f"NEW {format_ref(self.document, self.line)} (read-only, Esc back)"),
                     id="capture-title")
        yield LogView(self.document, id="capture-log")

    def on_mount(self) -> None:
        log = self.query_one(LogView)
        log.focus()
        self.call_after_refresh(log.goto_line, self.line)

    def action_blocked(self) -> None:
        self.app.bell()

    def action_close(self) -> None:
        self.dismiss(None)


class ComparePathScreen(ModalScreen[str | None]):
    """Asks for the other capture's path."""

    DEFAULT_CSS = """
    ComparePathScreen { align: center middle; }
    ComparePathScreen > Vertical { width: 80; max-width: 95%; height: auto;
        border: round $accent; padding: 0 1; background: $surface; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content("Compare with another capture of this device (path):"))
            yield Input(placeholder="after-update.txt", id="compare-path")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


__all__ = ["CaptureScreen", "ComparePathScreen", "CompareScreen", "Target", "comparison_items"]
