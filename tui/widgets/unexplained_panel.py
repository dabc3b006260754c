"""The Unexplained panel: templates of error-like lines no heuristic explains.

Rows are the mined templates (``heuristics.mining.Template``), most frequent
first: line count, section and the template text with ``<*>`` wildcards. Below
the list the highlighted template's regex, its lines and the line currently
jumped to are shown. The panel holds no analysis state: the app computes
(``heuristics.suspicious.unexplained`` + ``heuristics.mining.mine_document``,
in a thread worker) and calls ``show(document, templates)`` ("attributes
down"); the panel posts what the user asks ("messages up"):

* Enter (or a click) / ``n``: ``UnexplainedPanel.JumpTo(line)`` with the next
  line of the highlighted template (repeated presses walk through its lines,
  wrapping around); ``N``: the previous line;
* ``p``: ``UnexplainedPanel.Promote(template_regex, lines, section_key)`` so the
  app can open the draft editor pre-filled with the template's regex.

Everything displayed comes from the diagnostics file, so it is built as
``Content`` from plain strings passed through ``printable`` (never markup).
"""

from __future__ import annotations

from collections.abc import Sequence
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

if TYPE_CHECKING:  # imported for real only when templates exist (a fast first frame)
    from triagebench.heuristics.mining import Template

MAX_ROW_CHARS = 200
EMPTY_TEXT = "No unexplained error lines: every suspicious line is covered by a finding."


def _template_lines(template: Template) -> list[int]:
    """The template's file lines (its integer refs), ascending."""
    return sorted({r for r in template.refs if isinstance(r, int)})


def _section_key(template: Template) -> str | None:
    if template.group is not None:
        return template.group
    sections = sorted(template.sections)
    return sections[0] if sections else None


class UnexplainedPanel(Vertical, can_focus=False):
    """List of unexplained-line templates plus the detail of the highlighted one."""

    DEFAULT_CSS = """
    UnexplainedPanel {
        height: 1fr;
    }
    UnexplainedPanel > OptionList {
        height: auto;
        max-height: 60%;
        border: none;
        padding: 0;
    }
    UnexplainedPanel > #unexplained-detail {
        height: 1fr;
        padding: 0 1;
        border-top: hkey $panel;
    }
    """

    BINDINGS = [
        Binding("n", "next_line", "Next line", show=True),
        Binding("N", "previous_line", "Prev line", show=True),
        Binding("p", "promote", "Promote", show=True),
    ]

    class JumpTo(Message):
        """Show file line ``line`` in the log view."""

        def __init__(self, line: int) -> None:
            super().__init__()
            self.line = line

    class Promote(Message):
        """Open the draft editor for a heuristic matching this template.

        ``template_regex`` matches the template's lines; ``lines`` are its file
        lines (ascending); ``section_key`` is the section they came from.
        """

        def __init__(self, template_regex: str, lines: list[int], section_key: str | None) -> None:
            super().__init__()
            self.template_regex = template_regex
            self.lines = lines
            self.section_key = section_key

    def __init__(self, document: Document | None = None, templates: Sequence[Template] = (), *,
                 defer: bool = False, id: str | None = None, classes: str | None = None) -> None:
        """``defer``: compose the list and the detail only after the first frame (in a
        tab pane hidden at start, so the app's first screen has fewer widgets to style);
        ``show`` before that keeps the data and displays it once they exist."""
        super().__init__(id=id, classes=classes)
        self.document: Document | None = document
        self.templates: list[Template] = list(templates)
        self._cursor: dict[int, int] = {}  # template index -> index of the line last jumped to
        self.defer = defer
        self.built = not defer  # the list and the detail are mounted

    def compose(self) -> ComposeResult:
        if not self.defer:
            yield from self.parts()

    @staticmethod
    def parts() -> list[Widget]:
        return [OptionList(id="unexplained-list"),
                VerticalScroll(Static(Content(EMPTY_TEXT), id="unexplained-text"),
                               id="unexplained-detail")]

    def on_mount(self) -> None:
        if self.defer:
            self.call_after_refresh(self.build)
        elif self.document is not None:
            self.show(self.document, self.templates)

    async def build(self) -> None:
        """(deferred) Mount the list and the detail, then show what ``show`` was given."""
        await self.mount_all(self.parts())
        self.built = True
        if self.document is not None:
            self.show(self.document, self.templates)

    @property
    def option_list(self) -> OptionList:
        return self.query_one("#unexplained-list", OptionList)

    def show(self, document: Document, templates: Sequence[Template]) -> None:
        """Display ``templates`` (mined from ``document``), most frequent first."""
        self.document = document
        self.templates = sorted(templates, key=lambda t: -t.count)
        self._cursor = {}
        if not self.built:
            return  # shown by build()
        width = len(str(self.templates[0].count)) if self.templates else 1
        options = []
        for index, template in enumerate(self.templates):
            section = printable(_section_key(template) or "", keep_tabs=False)[:40]
            text = printable(template.template, keep_tabs=False)[:MAX_ROW_CHARS]
            prompt = Content.assemble(
                (f"{template.count:>{width}}× ", "$accent"),
                (section, "$text-muted"),
                ("  ", ""),
                (text, "bold"),
            )
            options.append(Option(prompt, id=f"t{index}"))
        option_list = self.option_list
        option_list.set_options(options)
        if self.templates:
            option_list.highlighted = 0
        self._show_detail()

    @property
    def current_index(self) -> int | None:
        if not self.built or not self.is_mounted or not self.templates:
            return None
        index = self.option_list.highlighted
        return index if index is not None and index < len(self.templates) else None

    @property
    def current_template(self) -> Template | None:
        index = self.current_index
        return None if index is None else self.templates[index]

    def _show_detail(self, line: int | None = None) -> None:
        text = self.query_one("#unexplained-text", Static)
        template = self.current_template
        if template is None or self.document is None:
            text.update(Content(EMPTY_TEXT))
            return
        from triagebench.heuristics.mining import template_regex

        lines = _template_lines(template)
        shown = ", ".join(f"L{n}" for n in lines[:12]) + (" …" if len(lines) > 12 else "")
        parts: list[str | tuple[str, str]] = [
            (printable(template.template), "bold"), "\n",
            ("regex  ", "$text-muted"), printable(template_regex(template.template)), "\n",
            ("lines  ", "$text-muted"), f"{template.count} in {_section_key(template) or '-'}: {shown}",
        ]
        if line is not None:
            position = lines.index(line) + 1 if line in lines else 0
            parts += ["\n\n", (f"L{line} ({position}/{len(lines)})  ", "$accent"),
                      (printable(self.document.plain(line)), "$text-muted")]
        else:
            parts += ["\n\n", ("Enter/n: next line · N: previous · p: promote to a draft",
                               "italic")]
        text.update(Content.assemble(*parts))

    def _step(self, delta: int) -> None:
        index = self.current_index
        if index is None:
            return
        lines = _template_lines(self.templates[index])
        if not lines:
            return
        last = self._cursor.get(index)
        position = (0 if delta > 0 else len(lines) - 1) if last is None \
            else (last + delta) % len(lines)
        self._cursor[index] = position
        self._show_detail(lines[position])
        self.post_message(self.JumpTo(lines[position]))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._show_detail()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._step(1)

    def action_next_line(self) -> None:
        self._step(1)

    def action_previous_line(self) -> None:
        self._step(-1)

    def action_promote(self) -> None:
        template = self.current_template
        if template is None:
            return
        from triagebench.heuristics.mining import template_regex

        self.post_message(self.Promote(template_regex(template.template),
                                       _template_lines(template), _section_key(template)))
