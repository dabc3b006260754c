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
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.events import Resize
from textual.message import Message
from textual.widgets import Static
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


def item_text(item: StateItem) -> str:
    """The item's short phrase ("API reachable"), or its name and state when it has none."""
    phrase = printable(item.phrase).strip()
    if phrase:
        return phrase
    name = SHORT_NAMES.get(item.key, item.key)
    return f"{name} unknown" if item.state == "unknown" else f"{name} {item.state}"


class GroupLine(Static):
    """One group's line; a click on an item runs ``action_jump`` with its index."""

    DEFAULT_CSS = """
    GroupLine {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        padding: 0 1 0 0;
    }
    """

    def __init__(self, group: str) -> None:
        super().__init__(Content(""), classes="state-group")
        self.group = group

    def action_jump(self, index: int) -> None:
        strip = next((a for a in self.ancestors if isinstance(a, StateStrip)), None)
        if strip is not None:
            strip.jump(index)


class ChipLine(Static):
    """The compact strip's row of group chips; a click runs ``action_jump`` with an index."""

    def action_jump(self, index: int) -> None:
        strip = next((a for a in self.ancestors if isinstance(a, StateStrip)), None)
        if strip is not None:
            strip.jump(index)


class StateStrip(Vertical, can_focus=True):
    """The device state at capture: a headline and one line per group."""

    DEFAULT_CSS = """
    StateStrip {
        height: auto;
        padding: 0 1;
        background: $surface;
    }
    StateStrip:focus {
        background-tint: $foreground 5%;
    }
    StateStrip > #state-headline {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    StateStrip > #state-chips {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        display: none;
    }
    StateStrip.-compact > #state-chips {
        display: block;
    }
    StateStrip.-compact > #state-groups {
        display: none;
    }
    StateStrip > #state-groups {
        height: auto;
        grid-size: 2;
        grid-rows: 1;
        grid-gutter: 0 2;
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

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.state: DeviceState | None = None
        self.summary: str | None = None
        self.has_problem = False
        self.items: list[StateItem] = []  # in group order: what the cursor walks
        self.cursor = 0

    def compose(self) -> ComposeResult:
        yield Static(Content.styled("State at capture: reading the live checks…",
                                    "$text-muted"), id="state-headline")
        yield ChipLine(Content(""), id="state-chips")
        with Grid(id="state-groups"):
            for group in GROUPS:
                yield GroupLine(group)

    def on_mount(self) -> None:
        # The lines are there from the first frame (a placeholder until the state arrives),
        # so the strip's height never changes under the log view's opening jump.
        for line in self.query(GroupLine):
            line.update(Content.styled(f"  {line.group:<10} …", "$text-muted"))

    # -- data ----------------------------------------------------------------------
    def set_state(self, state: DeviceState) -> None:
        """Show ``state`` (a capture that answers nothing shows every line unknown)."""
        self.state = state
        self.items = [item for group in GROUPS for item in self.group_items(group)]
        self.cursor = next((n for n, item in enumerate(self.items)
                            if item.state in ("failed", "degraded")), 0)
        self.refresh_lines()

    def set_summary(self, summary: str, has_problem: bool) -> None:
        """What the findings say ("No active problem found; 2 historical"), after matching."""
        self.summary = summary
        self.has_problem = has_problem
        self.refresh_headline()

    def group_items(self, group: str) -> list[StateItem]:
        """A group's items, problems first (so a narrow line never cuts a failure off)."""
        if self.state is None:
            return []
        return sorted(self.state.group(group), key=lambda item: ORDER[item.state])

    # -- rendering -----------------------------------------------------------------
    def refresh_headline(self) -> None:
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
                compact = self.has_class("-compact")
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
        if parts:
            self.query_one("#state-headline", Static).update(Content.assemble(*parts))

    def refresh_lines(self) -> None:
        state = self.state
        if state is None:
            return
        self.refresh_headline()
        index = {id(item): n for n, item in enumerate(self.items)}
        for line in self.query(GroupLine):
            group_state = state.group_state(line.group)
            style = STATE_STYLES[group_state]
            parts: list[Content | tuple[str, str] | str] = [
                (f"{STATE_MARKS[group_state]} {line.group:<10}", f"bold {style}")]
            for item in self.group_items(line.group):
                n = index[id(item)]
                item_style = f"{STATE_STYLES[item.state]} @click=jump({n})"
                if self.has_focus and n == self.cursor:
                    item_style = f"reverse {item_style}"
                if item.state in ("failed", "degraded"):
                    item_style = f"bold {item_style}"
                parts += [" ", (f"{STATE_MARKS[item.state]}{item_text(item)}", item_style)]
            line.update(Content.assemble(*parts))
        self.refresh_chips(index)

    def refresh_chips(self, index: dict[int, int]) -> None:
        """The compact row: one chip per group, coloured by the group's state."""
        state = self.state
        if state is None:
            return
        chips: list[Content | tuple[str, str] | str] = []
        for group in GROUPS:
            items = self.group_items(group)
            if not items:
                continue
            group_state = state.group_state(group)
            n = index[id(items[0])]
            style = f"{STATE_STYLES[group_state]} @click=jump({n})"
            if self.has_focus and self.items[self.cursor].group == group:
                style = f"reverse {style}"
            if group_state in ("failed", "degraded"):
                style = f"bold {style}"
            chips += [(f"{STATE_MARKS[group_state]}{group}", style), " "]
        self.query_one("#state-chips", ChipLine).update(Content.assemble(*chips))

    def set_compact(self, compact: bool) -> None:
        """Two rows (short terminals) or a line per group."""
        if compact != self.has_class("-compact"):
            self.set_class(compact, "-compact")
            self.refresh_lines()

    def on_resize(self, event: Resize) -> None:
        columns = max(1, min(4, event.size.width // COLUMN_WIDTH))
        self.query_one("#state-groups", Grid).styles.grid_size_columns = columns

    def on_focus(self) -> None:
        self.refresh_lines()

    def on_blur(self) -> None:
        self.refresh_lines()

    # -- navigation --------------------------------------------------------------
    def action_step(self, delta: int) -> None:
        if self.items:
            self.cursor = (self.cursor + delta) % len(self.items)
            self.refresh_lines()

    def action_step_group(self, delta: int) -> None:
        if not self.items:
            return
        groups = [item.group for item in self.items]
        current = groups[self.cursor]
        order = [g for g in GROUPS if g in groups]
        target = order[(order.index(current) + delta) % len(order)]
        self.cursor = groups.index(target)
        self.refresh_lines()

    def action_jump_cursor(self) -> None:
        self.jump(self.cursor)

    def jump(self, index: int) -> None:
        """Post a jump to item ``index``'s first evidence line (and put the cursor there)."""
        if not 0 <= index < len(self.items):
            return
        self.cursor = index
        self.refresh_lines()
        item = self.items[index]
        self.post_message(self.JumpTo(item.key, item.label, item.first_line))
