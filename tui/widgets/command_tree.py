"""The command tree: categories -> commands, each with its hits by severity.

Selecting a row scopes the log view: the root means the whole file, a command
means that command's output (stdout, then stderr), a category jumps to its
marker in the whole file. Labels show how many evidence lines each command has
per severity, ``✗N`` for a non-zero exit (``✗sig N`` for a signal) and ``⚠`` when
the command wrote to stderr, so the eye finds the broken commands without
opening them. Severity colours come from the theme (``$sev-*``), re-read when
the theme changes.

A Line-API widget (``ScrollView`` + ``render_line``), not Textual's ``Tree``: the
tree is at most a few hundred rows of known shape, so its visible rows are kept as
a plain list of ``TreeItem`` and each screen row is drawn straight into segments.
Textual's ``Tree`` rebuilt and re-rendered a Rich ``Text`` per line (plus our
re-cutting of it) and styled seven component classes; on the first frame it was
the most expensive widget to show (issue #14). Looks and keys follow ``Tree``:
guides, ``▼``/``▶`` arrows, the block cursor (focused and blurred), hover line,
Enter selects (and toggles a group), Space toggles a group, shift+arrows walk
parents and siblings; left/right also collapse/expand a group.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from triagebench.parser import Document, printable
from triagebench.themes import SEVERITIES, SEVERITY_DEFAULTS
from triagebench.tui.marks import CUT_MARK, EXIT_MARK, SEVERITY_MARKS, STDERR_MARK

if TYPE_CHECKING:
    from triagebench.heuristics.model import Findings

CATEGORY_LABELS = {"CHECKS": "Health checks"}
"""Group names shown for a category (balena health checks given with ``--checks``)."""
MAX_COMMAND = 70
GUIDE_WIDTH = 2
"""Cells of indentation per level (a guide such as ``├ `` or ``│ ``)."""
ARROW_EXPANDED = "▼ "
ARROW_COLLAPSED = "▶ "
ARROW_WIDTH = 2
NO_STYLE = Style()


@dataclass(frozen=True, slots=True)
class TreeTarget:
    """What a row points at: a section index (None = whole file) and a line to show."""

    section: int | None
    line: int | None = None
    category: str | None = None


@dataclass(eq=False, slots=True)
class TreeItem:
    """One entry of the tree: the file (the root), a category group or a command.

    ``name`` is the part a narrow tree shortens with ``…``; ``marks`` (hit counts,
    exit and stderr marks, each with its colour) are always shown whole. Both are
    already printable (control characters escaped) and are drawn as plain text,
    never parsed as markup.
    """

    target: TreeTarget
    name: str
    name_style: Style = NO_STYLE
    marks: list[tuple[str, Style]] = field(default_factory=list)
    expandable: bool = False
    """Groups and the root have an arrow and can be collapsed; commands cannot."""
    expanded: bool = False
    parent: TreeItem | None = None
    children: list[TreeItem] = field(default_factory=list)
    depth: int = 0
    row: int = -1
    """Its row while shown, -1 while inside a collapsed group."""

    @property
    def is_last(self) -> bool:
        """The last child of its parent (its guide is ``└``)."""
        return self.parent is None or self.parent.children[-1] is self

    def path(self) -> list[TreeItem]:
        """The root down to this item."""
        path = [self]
        parent = self.parent
        while parent is not None:
            path.append(parent)
            parent = parent.parent
        path.reverse()
        return path

    def add(self, child: TreeItem) -> TreeItem:
        """Append ``child`` under this item."""
        child.parent = self
        child.depth = self.depth + 1
        self.children.append(child)
        return child


def section_hit_counts(document: Document, findings: Findings | None) -> dict[int, Counter[str]]:
    """Per section index: evidence lines counted by their worst severity."""
    counts: dict[int, Counter[str]] = {}
    if findings is None:
        return counts
    for line in findings.by_line:
        section = document.section_at(line)
        if section is None:
            continue
        severity = findings.worst_at(line)
        if severity:
            counts.setdefault(section.index, Counter())[severity] += 1
    return counts


def cut_pieces(pieces: list[tuple[str, Style]], cells: int) -> list[tuple[str, Style]]:
    """The first ``cells`` cells of ``pieces`` (a wide character cut in half becomes a
    space, as ``Text.truncate`` does)."""
    out: list[tuple[str, Style]] = []
    for text, style in pieces:
        if cells <= 0:
            break
        width = cell_len(text)
        if width > cells:
            text = set_cell_size(text, cells)
            width = cells
        out.append((text, style))
        cells -= width
    return out


class CommandTree(ScrollView, can_focus=True, inherit_bindings=False):
    """Tree of the document's sections, grouped by category (see the module docstring)."""

    ALLOW_SELECT = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "cursor_page_up", "Page up", show=False),
        Binding("pagedown", "cursor_page_down", "Page down", show=False),
        Binding("home", "cursor_first", "First row", show=False),
        Binding("end", "cursor_last", "Last row", show=False),
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("space", "toggle_node", "Toggle", show=False),
        Binding("shift+space", "toggle_expand_all", "Expand or collapse all", show=False),
        Binding("left", "collapse_or_parent", "Collapse", show=False),
        Binding("right", "expand_or_child", "Expand", show=False),
        Binding("shift+left", "cursor_parent", "Cursor to parent", show=False),
        Binding("shift+right", "cursor_parent_next_sibling", "Cursor to next ancestor",
                show=False),
        Binding("shift+up", "cursor_previous_sibling", "Cursor to previous sibling", show=False),
        Binding("shift+down", "cursor_next_sibling", "Cursor to next sibling", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "command-tree--cursor",
        "command-tree--guides",
        "command-tree--guides-selected",
        "command-tree--hover",
    }
    """Cursor (label cells of the cursor row), guides, guides under the cursor row (when
    focused) and the row under the mouse: the same roles and theme colours as
    Textual's ``Tree``."""

    DEFAULT_CSS = """
    CommandTree {
        width: 34;
        min-width: 20;
        border-right: vkey $panel;
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        & > .command-tree--guides { color: $surface-lighten-2; }
        & > .command-tree--guides-selected { color: $block-cursor-blurred-background; }
        & > .command-tree--cursor {
            text-style: $block-cursor-blurred-text-style;
            background: $block-cursor-blurred-background;
        }
        & > .command-tree--hover { background: $block-hover-background; }
        &:focus {
            background-tint: $foreground 5%;
            & > .command-tree--cursor {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
            & > .command-tree--guides { color: $surface-lighten-3; }
            & > .command-tree--guides-selected { color: $block-cursor-background; }
        }
        &:light {
            & > .command-tree--guides { color: $surface-darken-1; }
            & > .command-tree--guides-selected { color: $block-cursor-background; }
        }
    }
    CommandTree:ansi {
        color: ansi_default;
        & > .command-tree--guides { color: $ansi-background; }
        &:nocolor > .command-tree--cursor { text-style: reverse; }
    }
    """

    class ScopeSelected(Message):
        """The user picked a row: scope the log view to ``target``."""

        def __init__(self, target: TreeTarget) -> None:
            super().__init__()
            self.target = target

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.document: Document | None = None
        self.findings: Findings | None = None
        self.counts: dict[int, Counter[str]] = {}
        self.root = TreeItem(TreeTarget(None), "(no file)", expandable=True)
        self.section_items: dict[int, TreeItem] = {}
        self.rows: list[TreeItem] = []
        """The shown items, top to bottom (children of collapsed items left out)."""
        self.cursor_item: TreeItem | None = None
        """The item under the cursor; None until the user or the log view moves it."""
        self.hover_item: TreeItem | None = None
        self.styles_memo: dict[str, Style] = {}
        self.label_width = 0
        """Cells a row's label may use (the width without the scrollbar), set per frame."""
        self.rebuild_rows()

    # -- theme, focus, size ------------------------------------------------------
    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self.on_theme_changed)

    def on_theme_changed(self, _theme: object) -> None:
        self.styles_memo.clear()
        self.relabel()  # the severity colours are in the marks

    def notify_style_update(self) -> None:
        """CSS, theme or focus (``:focus``) changed: the memoised styles are stale."""
        super().notify_style_update()
        self.styles_memo.clear()
        self.refresh()

    def on_focus(self) -> None:
        self.styles_memo.clear()
        self.refresh()

    def on_blur(self) -> None:
        self.styles_memo.clear()
        self.refresh()

    def on_resize(self, _event: events.Resize) -> None:
        """Rows are cut to the new width (at draw time); the cursor stays in view (the
        tree may have been hidden, size 0, when the log view last moved it)."""
        self.scroll_to_cursor()
        self.refresh()

    def style_of(self, name: str | None = None, *, full: bool = False) -> Style:
        """The widget's Rich style, or a component class's style: partial (only what the
        class sets) or ``full`` (over the widget's own). Memoised: both walk the CSS on
        every call and a screenful asks for them per row."""
        key = (name or "") + ("+" if full else "")
        style = self.styles_memo.get(key)
        if style is None:
            style = (self.rich_style if name is None
                     else self.get_component_rich_style(name, partial=not full))
            self.styles_memo[key] = style
        return style

    # -- content -------------------------------------------------------------------
    def severity_color(self, severity: str) -> str:
        """The theme colour of ``severity`` (falls back to the built-in defaults)."""
        name = f"sev-{severity}"
        return self.app.theme_variables.get(name) or SEVERITY_DEFAULTS[name]

    def count_marks(self, counts: Counter[str] | None) -> list[tuple[str, Style]]:
        """`` ●2 ▲1`` pieces: hit counts by severity, worst first, in the theme colours."""
        marks = []
        for severity in SEVERITIES:
            n = (counts or {}).get(severity, 0)
            if n:
                marks.append((f" {SEVERITY_MARKS[severity]}{n}",
                              Style(color=self.severity_color(severity),
                                    bold=severity == "critical")))
        return marks

    def label_section(self, item: TreeItem, index: int) -> None:
        """Name a command row: the command, its counts, exit and stderr marks."""
        assert self.document is not None
        section = self.document.sections[index]
        command = printable(section.command)
        if len(command) > MAX_COMMAND:
            command = command[: MAX_COMMAND - 1] + CUT_MARK
        marks = self.count_marks(self.counts.get(index))
        if section.signal is not None:
            marks.append((f" {EXIT_MARK}sig {section.signal}",
                          Style(color=self.severity_color("high"))))
        elif section.exit_status:
            marks.append((f" {EXIT_MARK}{section.exit_status}",
                          Style(color=self.severity_color("high"))))
        if section.stderr_count:
            marks.append((f" {STDERR_MARK}", Style(color=self.severity_color("medium"))))
        item.name, item.marks = command, marks

    def category_counts(self, category: str | None) -> Counter[str]:
        assert self.document is not None
        total: Counter[str] = Counter()
        for section in self.document.sections:
            if section.category == category:
                total.update(self.counts.get(section.index, Counter()))
        return total

    def label_category(self, item: TreeItem) -> None:
        """Name a group row: the category (or its display name) and its total counts."""
        category = item.target.category or ""
        item.name = printable(CATEGORY_LABELS.get(category, category))
        item.name_style = Style(bold=True)
        item.marks = self.count_marks(self.category_counts(category))

    def label_root(self) -> None:
        """Name the root row: the file's name and the counts of the whole file."""
        if self.document is None:
            return
        total: Counter[str] = Counter()
        for counter in self.counts.values():
            total.update(counter)
        self.root.name = printable(os.path.basename(self.document.path) or "file")
        self.root.name_style = Style(bold=True)
        self.root.marks = self.count_marks(total)

    def groups(self) -> Iterator[TreeItem]:
        """The category groups (the root's children that are not commands)."""
        return (item for item in self.root.children if item.target.category)

    def load(self, document: Document, findings: Findings | None = None) -> None:
        """Build the tree for ``document`` (and hit counts from ``findings``)."""
        self.document = document
        self.findings = findings
        self.counts = section_hit_counts(document, findings)
        self.root = TreeItem(TreeTarget(None, 1), "", expandable=True, expanded=True)
        self.label_root()
        self.section_items = {}
        categories: dict[str, TreeItem] = {}
        for section in document.sections:
            if section.category is None:
                parent = self.root
            else:
                parent = categories.get(section.category)
                if parent is None:
                    target = TreeTarget(None, section.header_line or section.first_line,
                                        section.category)
                    parent = self.root.add(TreeItem(target, "", expandable=True))
                    self.label_category(parent)
                    categories[section.category] = parent
                if section.is_category_marker:
                    continue
            item = parent.add(TreeItem(TreeTarget(section.index, section.header_line), ""))
            self.label_section(item, section.index)
            self.section_items[section.index] = item
        for group in categories.values():
            group.expanded = bool(group.marks)  # open the groups with hits
        self.cursor_item = self.hover_item = None
        self.rebuild_rows()
        self.scroll_to(y=0, animate=False)

    def set_findings(self, findings: Findings | None) -> None:
        """New findings (e.g. after matching finished): recount, relabel, open the groups
        that now have hits."""
        if self.document is None or (findings is not None and findings is self.findings):
            return  # already built with these (``load(document, findings)``)
        self.findings = findings
        self.counts = section_hit_counts(self.document, findings)
        self.relabel()
        for group in self.groups():
            if group.marks:
                group.expanded = True
        self.rebuild_rows()

    def relabel(self) -> None:
        """Rebuild every label (counts or theme colours changed)."""
        if self.document is None:
            return
        self.label_root()
        for group in self.groups():
            self.label_category(group)
        for index, item in self.section_items.items():
            self.label_section(item, index)
        self.refresh()

    # -- rows, cursor, expand/collapse ---------------------------------------------
    def rebuild_rows(self) -> None:
        """Recompute the shown rows after a load or an expand/collapse; the cursor moves
        up to its nearest shown ancestor if its group was collapsed."""
        rows: list[TreeItem] = []

        def add(item: TreeItem) -> None:
            item.row = len(rows)
            rows.append(item)
            for child in item.children:
                if item.expanded:
                    add(child)
                else:
                    hide(child)

        def hide(item: TreeItem) -> None:
            item.row = -1
            for child in item.children:
                hide(child)

        add(self.root)
        self.rows = rows
        cursor = self.cursor_item
        while cursor is not None and cursor.row < 0:
            cursor = cursor.parent
        self.cursor_item = cursor
        self.virtual_size = Size(0, len(rows))
        self.refresh()

    @property
    def cursor_row(self) -> int | None:
        """The cursor's row, None when there is no cursor."""
        return self.cursor_item.row if self.cursor_item is not None else None

    def move_cursor(self, item: TreeItem | None) -> None:
        """Put the cursor on ``item`` (opening its collapsed ancestors) and scroll it
        into view; None removes the cursor."""
        if item is not None:
            opened = False
            parent = item.parent
            while parent is not None:
                if not parent.expanded:
                    parent.expanded = opened = True
                parent = parent.parent
            if opened:
                self.rebuild_rows()
        if item is not self.cursor_item:
            self.cursor_item = item
            self.refresh()
        self.scroll_to_cursor()

    def move_cursor_to_row(self, row: int) -> None:
        """Put the cursor on ``row`` (clamped to the rows)."""
        self.move_cursor(self.rows[max(0, min(len(self.rows) - 1, row))])

    def scroll_to_cursor(self) -> None:
        """Scroll just enough that the cursor row is on screen."""
        row = self.cursor_row
        height = self.scrollable_content_region.height
        if row is None or height <= 0:
            return
        top = self.scroll_offset.y
        if row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False)

    def set_expanded(self, item: TreeItem, expanded: bool) -> None:
        """Open or close a group (or the root); commands have nothing to open."""
        if item.expandable and item.expanded != expanded:
            item.expanded = expanded
            self.rebuild_rows()
            self.scroll_to_cursor()

    def select_section(self, index: int | None) -> None:
        """Move the tree cursor to ``index``'s row (None = root) without re-posting."""
        item = self.root if index is None else self.section_items.get(index)
        if item is not None:
            self.move_cursor(item)

    def select(self, item: TreeItem) -> None:
        """The user picked ``item``: scope the log view to it; a group (or the root) also
        opens or closes, as Textual's ``Tree`` does on select."""
        self.move_cursor(item)
        self.post_message(self.ScopeSelected(item.target))
        self.set_expanded(item, not item.expanded)

    # -- keys --------------------------------------------------------------------
    def step(self, delta: int) -> None:
        """Move the cursor ``delta`` rows; without a cursor, down starts at the top and
        up at the bottom (as ``Tree``)."""
        row = self.cursor_row
        if row is None:
            self.move_cursor_to_row(0 if delta > 0 else len(self.rows) - 1)
        else:
            self.move_cursor_to_row(row + delta)

    def action_cursor_up(self) -> None:
        self.step(-1)

    def action_cursor_down(self) -> None:
        self.step(1)

    def action_cursor_page_up(self) -> None:
        self.step(-max(1, self.scrollable_content_region.height - 1))

    def action_cursor_page_down(self) -> None:
        self.step(max(1, self.scrollable_content_region.height - 1))

    def action_cursor_first(self) -> None:
        self.move_cursor_to_row(0)

    def action_cursor_last(self) -> None:
        self.move_cursor_to_row(len(self.rows) - 1)

    def action_select_cursor(self) -> None:
        if self.cursor_item is not None:
            self.select(self.cursor_item)

    def action_toggle_node(self) -> None:
        """Space: open or close the group under the cursor; on a command, select it."""
        item = self.cursor_item
        if item is None:
            return
        if item.expandable:
            self.set_expanded(item, not item.expanded)
        else:
            self.select(item)

    def action_toggle_expand_all(self) -> None:
        """Open all the cursor's siblings, or close them all if any is open."""
        item = self.cursor_item
        if item is None or item.parent is None:
            return
        siblings = [sibling for sibling in item.parent.children if sibling.expandable]
        expand = not any(sibling.expanded for sibling in siblings)
        for sibling in siblings:
            sibling.expanded = expand
        self.rebuild_rows()
        self.scroll_to_cursor()

    def action_collapse_or_parent(self) -> None:
        """Left: close the open group under the cursor, else go to the parent row."""
        item = self.cursor_item
        if item is None:
            return
        if item.expandable and item.expanded:
            self.set_expanded(item, False)
        elif item.parent is not None:
            self.move_cursor(item.parent)

    def action_expand_or_child(self) -> None:
        """Right: open the closed group under the cursor, else go to its first child."""
        item = self.cursor_item
        if item is None or not item.expandable:
            return
        if not item.expanded:
            self.set_expanded(item, True)
        elif item.children:
            self.move_cursor(item.children[0])

    def sibling(self, item: TreeItem, delta: int) -> TreeItem | None:
        """The sibling ``delta`` places from ``item`` (None past either end)."""
        if item.parent is None:
            return None
        siblings = item.parent.children
        index = siblings.index(item) + delta
        return siblings[index] if 0 <= index < len(siblings) else None

    def action_cursor_parent(self) -> None:
        if self.cursor_item is not None and self.cursor_item.parent is not None:
            self.move_cursor(self.cursor_item.parent)

    def action_cursor_parent_next_sibling(self) -> None:
        item = self.cursor_item
        if item is not None and item.parent is not None:
            following = self.sibling(item.parent, 1)
            if following is not None:
                self.move_cursor(following)

    def action_cursor_previous_sibling(self) -> None:
        """To the previous sibling, or to the parent from the first child."""
        item = self.cursor_item
        if item is not None:
            target = self.sibling(item, -1) or item.parent
            if target is not None:
                self.move_cursor(target)

    def action_cursor_next_sibling(self) -> None:
        """To the next sibling, or to the parent's next sibling from the last child."""
        item = self.cursor_item
        if item is None:
            return
        target = self.sibling(item, 1)
        if target is None and item.parent is not None:
            target = self.sibling(item.parent, 1)
        if target is not None:
            self.move_cursor(target)

    # -- mouse -------------------------------------------------------------------
    def item_at(self, event: events.MouseEvent) -> tuple[TreeItem, int] | None:
        """The item under the pointer and the pointer's x in the row, if on a row."""
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        row = self.scroll_offset.y + offset.y
        if not 0 <= row < len(self.rows):
            return None
        return self.rows[row], offset.x

    def on_click(self, event: events.Click) -> None:
        """A click on a group's arrow opens or closes it; anywhere else on a row selects
        the row (as Enter)."""
        hit = self.item_at(event)
        if hit is None:
            return
        item, x = hit
        arrow = item.depth * GUIDE_WIDTH
        if item.expandable and arrow <= x < arrow + ARROW_WIDTH:
            self.set_expanded(item, not item.expanded)
        else:
            self.select(item)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hit = self.item_at(event)
        self.set_hover(hit[0] if hit is not None else None)

    def on_leave(self, _event: events.Leave) -> None:
        self.set_hover(None)

    def set_hover(self, item: TreeItem | None) -> None:
        if item is not self.hover_item:
            self.hover_item = item
            self.refresh()

    # -- drawing -----------------------------------------------------------------
    def render_lines(self, crop: Region) -> list[Strip]:
        """Note the label width (without the scrollbar) once for the rows drawn now:
        ``scrollable_content_region`` costs more than drawing a row."""
        self.label_width = self.scrollable_content_region.width
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        row = self.scroll_offset.y + y
        if width <= 0 or row >= len(self.rows):
            return Strip.blank(width, self.style_of())
        return self.render_row(self.rows[row], width)

    def render_row(self, item: TreeItem, width: int) -> Strip:
        """One screen row: guides, arrow, the label cut to the room left (``…`` after
        the name, the marks whole), padded to ``width``."""
        path = item.path()
        hover = self.hover_item
        base = self.style_of()
        line = base + self.style_of("command-tree--hover") if hover in path else base
        segments: list[Segment] = []
        guides = line + self.style_of("command-tree--guides")
        selected = guides + self.style_of("command-tree--guides-selected")
        cursor = self.cursor_item
        focused = self.has_focus
        under_cursor = False
        for column in range(1, len(path)):
            under_cursor = under_cursor or (focused and path[column - 1] is cursor)
            node = path[column]
            if column < item.depth:
                glyph = "  " if node.is_last else "│ "
            else:
                glyph = "└ " if node.is_last else "├ "
            segments.append(Segment(glyph, selected if under_cursor else guides))
        # The cursor style goes over the label's own colours (as in ``Tree``), not the arrow.
        over = self.style_of("command-tree--cursor", full=True) if item is cursor else NO_STYLE
        label = line + over
        head = []
        if item.expandable:
            head.append((ARROW_EXPANDED if item.expanded else ARROW_COLLAPSED, line))
        head.append((item.name, line + item.name_style + over))
        marks = [(text, line + style + over) for text, style in item.marks]
        # As the ``Tree`` version cut its labels: ``room`` is the width after the guides.
        room = self.label_width - item.depth * GUIDE_WIDTH
        head_cells = sum(cell_len(text) for text, _style in head)
        marks_cells = sum(cell_len(text) for text, _style in item.marks)
        if room > 3 and head_cells + marks_cells > room:
            keep = room - marks_cells - 1
            if keep < 4:  # no room for the name: cut everything at the edge
                pieces = [*cut_pieces(head + marks, room - 1), (CUT_MARK, label)]
            else:
                pieces = [*cut_pieces(head, keep), (CUT_MARK, label), *marks]
        else:
            pieces = head + marks
        used = item.depth * GUIDE_WIDTH
        for text, style in pieces:
            if text:
                segments.append(Segment(text, style))
                used += cell_len(text)
        if used > width:  # only when the tree is narrower than a guide and an arrow
            return Strip(segments).crop(0, width)
        segments.append(Segment(" " * (width - used), line))
        return Strip(segments, width)
