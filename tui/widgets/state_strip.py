"""The state strip: "is this device OK right now?" on the first screen, above the log.

One headline (the state verdict and, once matching finished, what the findings say: "No
active problem found; 2 historical") and one line per state group (engine, supervisor,
network, time, storage, memory, hardware, os), each coloured by the group's worst state
with the theme's ``$success`` / ``$warning`` / ``$error`` / ``$text-muted`` (so every
theme, built-ins included, colours it). A line names its items with the state module's
own short phrases ("API reachable", "disk 12 %", "time NOT synced"). Group lines sit in
as many columns as the width allows (one line per group always: 80 columns give two
columns, four rows).

On a short terminal (under ``COMPACT_HEIGHT`` rows, e.g. 80x24) the strip is two rows so the
log keeps its room: the headline names the failed and degraded items, and one row of group
chips ("✓engine ✗storage !hardware …") replaces the group lines; a chip jumps to its group's
worst item.

Every item jumps to its first evidence line: click it, or focus the strip and move with
the arrow keys, Enter jumps. The strip only posts ``StateStrip.JumpTo``; the app moves
the log view. Item text comes from the file (values) or the state module (phrases): it is
built as ``Content`` from plain strings, never parsed as markup.

The strip is one Line-API widget (``render_line``), not a container of a headline, a grid
and eight line widgets: it is on the first frame, and every widget there costs a mount,
a styling pass and a layout (issue #14). Its height is the number of rows it draws, known
from the width alone (``get_content_height``), so the first layout is the final one. It
lays the rows out as the widgets did (a grid of ``1fr`` columns, a two-cell gutter, one
cell of padding after each line, "…" where a line is cut) and renders each row's
``Content`` with Textual's own style parsing (theme variables resolved), so it looks the
same. An item's ``@click=jump(n)`` meta makes it clickable and gives it the theme's link
style on top of its state colour (``$link-color``, underlined, the hover highlight), as
the ``Static`` lines showed their ``@click`` text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget
from triagebench.parser import printable

if TYPE_CHECKING:
    from triagebench.services.state import DeviceState, StateItem

GROUPS = ("engine", "supervisor", "network", "time", "storage", "memory", "hardware", "os")
"""``services.state_model.GROUPS``, kept here so the first frame needs no services import
(a test keeps them equal)."""
STATE_STYLES = {"ok": "$success", "degraded": "$warning", "failed": "$error",
                "unknown": "$text-muted"}
STATE_MARKS = {"ok": "✓", "degraded": "!", "failed": "✗", "unknown": "?"}
SHORT_NAMES = {"engine": "engine", "supervisor": "supervisor", "api": "API",
               "registry": "registry", "vpn": "VPN", "dns": "DNS", "time": "clock",
               "data_mount": "data mount", "data_disk": "disk", "data_inodes": "inodes",
               "memory": "memory", "temperature": "temperature", "throttling": "power",
               "failed_units": "failed units", "uptime": "uptime"}
VERDICT_WORDS = {"ok": "OK", "degraded": "DEGRADED", "failed": "FAILED", "unknown": "unknown"}
ORDER = {"failed": 0, "degraded": 1, "ok": 2, "unknown": 3}  # within a line: problems first
COLUMN_WIDTH = 38  # a group line needs about this much (80 columns: two per row)
COMPACT_HEIGHT = 34  # terminals shorter than this get the two-row strip
MAX_COLUMNS = 4
GUTTER = 2  # cells between two columns of group lines
LINE_PAD = 1  # blank cells after each group line's text


def item_text(item: StateItem) -> str:
    """The item's short phrase ("API reachable"), or its name and state when it has none."""
    phrase = printable(item.phrase).strip()
    if phrase:
        return phrase
    name = SHORT_NAMES.get(item.key, item.key)
    return f"{name} unknown" if item.state == "unknown" else f"{name} {item.state}"


def columns_for(width: int) -> int:
    """How many columns of group lines a strip ``width`` cells wide (padding included)
    holds: as many ``COLUMN_WIDTH`` columns as fit, one to ``MAX_COLUMNS``."""
    return max(1, min(MAX_COLUMNS, width // COLUMN_WIDTH))


def column_spans(width: int, columns: int) -> list[tuple[int, int]]:
    """(first cell, cells) of each of ``columns`` equal columns in ``width`` cells, with
    ``GUTTER`` cells between two; the cells the division leaves over are spread as a grid
    of ``1fr`` columns spreads them (each boundary rounded down), so the lines sit where
    the grid of line widgets put them."""
    share = max(0, width - GUTTER * (columns - 1))
    return [(n * share // columns + n * GUTTER,
             (n + 1) * share // columns - n * share // columns) for n in range(columns)]


class StateStrip(Widget, can_focus=True):
    """The device state at capture: a headline and one line per group, drawn row by row."""

    DEFAULT_CSS = """
    StateStrip {
        height: auto;
        padding: 0 1;
        background: $surface;
    }
    StateStrip:focus {
        background-tint: $foreground 5%;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right,l", "step(1)", "Next check", show=False),
        Binding("left,h", "step(-1)", "Previous check", show=False),
        Binding("down,j", "step_group(1)", "Next group", show=False),
        Binding("up,k", "step_group(-1)", "Previous group", show=False),
        Binding("enter", "jump_cursor", "Jump to evidence", show=True),
    ]

    class JumpTo(Message):
        """Show ``line``, the evidence of state item ``key`` (``line`` None: it has none)."""

        def __init__(self, key: str, label: str, line: int | None) -> None:
            super().__init__()
            self.key = key
            self.label = label
            self.line = line

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.state: DeviceState | None = None
        self.summary: str | None = None
        self.has_problem = False
        self.items: list[StateItem] = []  # in group order: what the cursor walks
        self.cursor = 0
        # (content width, one strip per row): drawn once, kept until something shown changes
        self.drawn: tuple[int, list[Strip]] | None = None

    # -- data ----------------------------------------------------------------------
    def set_state(self, state: DeviceState) -> None:
        """Show ``state`` (a capture that answers nothing shows every line unknown)."""
        self.state = state
        self.items = [item for group in GROUPS for item in self.group_items(group)]
        self.cursor = next((n for n, item in enumerate(self.items)
                            if item.state in ("failed", "degraded")), 0)
        self.redraw()

    def set_summary(self, summary: str, has_problem: bool) -> None:
        """What the findings say ("No active problem found; 2 historical"), after matching."""
        self.summary = summary
        self.has_problem = has_problem
        self.redraw()

    def set_compact(self, compact: bool) -> None:
        """Two rows (short terminals) or a line per group."""
        if compact != self.is_compact:
            self.set_class(compact, "-compact")
            self.redraw(layout=True)  # the height changes

    @property
    def is_compact(self) -> bool:
        """Two rows: the app sets ``-compact`` on short terminals (``set_compact``)."""
        return self.has_class("-compact")

    def group_items(self, group: str) -> list[StateItem]:
        """A group's items, problems first (so a narrow line never cuts a failure off)."""
        if self.state is None:
            return []
        return sorted(self.state.group(group), key=lambda item: ORDER[item.state])

    # -- what the rows say ---------------------------------------------------------
    def headline(self) -> Content:
        """The first row: the verdict (compact: and the problem items), then the summary;
        a placeholder until either is known."""
        parts: list[Content | tuple[str, str] | str] = []
        state = self.state
        if state is not None:
            verdict = state.verdict
            counts = state.counts
            if verdict == "unknown":
                parts.append(("State at capture unknown (no live checks in this file)",
                              "$text-muted"))
            else:
                detail = ", ".join(f"{counts[n]} {n}" for n in ("failed", "degraded")
                                   if counts[n])
                parts += [("State at capture: ", "bold"),
                          (VERDICT_WORDS[verdict], f"bold {STATE_STYLES[verdict]}")]
                compact = self.is_compact
                if detail and not compact:  # compact: the items themselves follow
                    parts.append((f" ({detail})", STATE_STYLES[verdict]))
                if compact:
                    problems = [item for item in self.items if item.state in ("failed", "degraded")]
                    for item in problems:
                        parts += [" ", (f"{STATE_MARKS[item.state]}{item_text(item)}",
                                        f"bold {STATE_STYLES[item.state]}")]
        if self.summary is not None:
            if parts:
                parts.append(("  │  ", "$text-muted"))
            parts.append((printable(self.summary),
                          "bold $warning" if self.has_problem else "bold $success"))
        if not parts:
            return Content.styled("State at capture: reading the live checks…", "$text-muted")
        return Content.assemble(*parts)

    def group_line(self, group: str) -> Content:
        """One group's line: its mark and name in the group's colour, then its items, each
        clickable (``@click=jump(n)``, ``n`` its index in ``items``); a placeholder (the
        line is there from the first frame, so the strip's height never changes under the
        log view's opening jump) until the state arrives."""
        state = self.state
        if state is None:
            return Content.styled(f"  {group:<10} …", "$text-muted")
        group_state = state.group_state(group)
        style = STATE_STYLES[group_state]
        parts: list[Content | tuple[str, str] | str] = [
            (f"{STATE_MARKS[group_state]} {group:<10}", f"bold {style}")]
        for item in self.group_items(group):
            n = self.item_index(item)
            item_style = self.click_style(item.state, n, bold=item.state in ("failed", "degraded"),
                                          reverse=self.has_focus and n == self.cursor)
            parts += [" ", (f"{STATE_MARKS[item.state]}{item_text(item)}", item_style)]
        return Content.assemble(*parts)

    def chip_line(self) -> Content:
        """The compact row: one chip per group, coloured by the group's state; a chip
        jumps to its group's worst item."""
        state = self.state
        if state is None:
            return Content("")
        chips: list[Content | tuple[str, str] | str] = []
        for group in GROUPS:
            items = self.group_items(group)
            if not items:
                continue
            group_state = state.group_state(group)
            style = self.click_style(group_state, self.item_index(items[0]),
                                     bold=group_state in ("failed", "degraded"),
                                     reverse=self.has_focus and self.items[self.cursor].group == group)
            chips += [(f"{STATE_MARKS[group_state]}{group}", style), " "]
        return Content.assemble(*chips)

    def item_index(self, item: StateItem) -> int:
        """``item``'s place in ``items`` (what ``jump`` and the cursor count in)."""
        return next(n for n, other in enumerate(self.items) if other is item)

    @staticmethod
    def click_style(state: str, index: int, *, bold: bool, reverse: bool) -> Style:
        """An item's (or chip's) style: ``state``'s colour, and a click runs ``jump(index)``.
        The colour is parsed (theme variables resolved, cached by the stylesheet) without
        the click meta, so a first frame parses a handful of styles, not one per item."""
        colour = " ".join(["bold"] * bold + ["reverse"] * reverse + [STATE_STYLES[state]])
        return Style.parse(colour) + Style.from_meta({"@click": f"jump({index})"})

    # -- layout --------------------------------------------------------------------
    def columns(self, width: int) -> int:
        """Columns of group lines in a content ``width`` (the padding counts, as when the
        strip's full width picked them)."""
        return columns_for(width + self.styles.gutter.width)

    def rows(self, width: int) -> list[list[tuple[int, int, Content]]]:
        """What each row shows in a content ``width``: (first cell, cells, text) per cell.
        Compact: the headline and the chips; else the headline and the group lines, row
        by row, ``LINE_PAD`` cells kept blank after each."""
        rows = [[(0, width, self.headline())]]
        if self.is_compact:
            rows.append([(0, width, self.chip_line())])
            return rows
        columns = self.columns(width)
        spans = column_spans(width, columns)
        for first in range(0, len(GROUPS), columns):
            rows.append([(x, max(0, cells - LINE_PAD), self.group_line(group))
                         for (x, cells), group in zip(spans, GROUPS[first:first + columns],
                                                      strict=False)])
        return rows

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The rows this width needs: two compact, else the headline and the group rows
        (so the first layout already has the final height)."""
        if self.is_compact:
            return 2
        columns = self.columns(width)
        return 1 + (len(GROUPS) + columns - 1) // columns

    # -- drawing -------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        """Row ``y``; the rows are drawn together, once per change (``redraw``) or width."""
        width = self.size.width
        if self.drawn is None or self.drawn[0] != width:
            self.drawn = (width, self.draw(width))
        rows = self.drawn[1]
        if y < len(rows):
            return rows[y]
        return Strip.blank(width, self.visual_style.background_style.rich_style)

    def draw(self, width: int) -> list[Strip]:
        """Every row: each cell's text cut to its cells ("…" where cut) and drawn with the
        strip's style underneath; clickable items take the theme's link style on top (as
        a ``Static`` shows ``@click`` text); blank cells get the background only."""
        base = self.visual_style
        blank = base.background_style.rich_style
        link = self.link_style
        strips = []
        for row in self.rows(width):
            segments: list[Segment] = []
            x = 0
            for start, cells, content in row:
                if start > x:
                    segments.append(Segment(" " * (start - x), blank))
                text = content.truncate(cells, ellipsis=True)
                for segment in text.render_segments(base):
                    style = segment.style
                    if style is not None and "@click" in style.meta:
                        segment = Segment(segment.text, style + link)
                    segments.append(segment)
                x = start + text.cell_length
            if width > x:
                segments.append(Segment(" " * (width - x), blank))
            strips.append(Strip(segments, max(width, x)))
        return strips

    def redraw(self, layout: bool = False) -> None:
        """Draw the rows again (something they show changed); ``layout``: the height too."""
        self.drawn = None
        self.refresh(layout=layout)

    def notify_style_update(self) -> None:
        # A theme switch or a pseudo-class (focus) changed the colours the rows were drawn in.
        self.drawn = None
        super().notify_style_update()

    def on_focus(self) -> None:
        self.redraw()

    def on_blur(self) -> None:
        self.redraw()

    # -- navigation ----------------------------------------------------------------
    def action_step(self, delta: int) -> None:
        if self.items:
            self.cursor = (self.cursor + delta) % len(self.items)
            self.redraw()

    def action_step_group(self, delta: int) -> None:
        if not self.items:
            return
        groups = [item.group for item in self.items]
        current = groups[self.cursor]
        order = [g for g in GROUPS if g in groups]
        target = order[(order.index(current) + delta) % len(order)]
        self.cursor = groups.index(target)
        self.redraw()

    def action_jump_cursor(self) -> None:
        self.jump(self.cursor)

    def action_jump(self, index: int) -> None:
        """A click on an item (its ``@click=jump(n)`` meta)."""
        self.jump(index)

    def jump(self, index: int) -> None:
        """Post a jump to item ``index``'s first evidence line (and put the cursor there)."""
        if not 0 <= index < len(self.items):
            return
        self.cursor = index
        self.redraw()
        item = self.items[index]
        self.post_message(self.JumpTo(item.key, item.label, item.first_line))
