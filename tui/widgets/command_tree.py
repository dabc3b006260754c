"""The command tree: categories -> commands, each with its hits by severity.

Selecting a node scopes the log view: the root means the whole file, a command
means that command's output (stdout, then stderr), a category jumps to its
marker in the whole file. Labels show how many evidence lines each command has
per severity, ``✗N`` for a non-zero exit (``✗sig N`` for a signal) and ``⚠`` when
the command wrote to stderr, so the eye finds the broken commands without
opening them. Severity colours come from the theme (``$sev-*``), re-read when
the theme changes.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode
from triagebench.parser import Document, printable
from triagebench.themes import SEVERITIES, SEVERITY_DEFAULTS
from triagebench.tui.marks import CUT_MARK, EXIT_MARK, SEVERITY_MARKS, STDERR_MARK

if TYPE_CHECKING:
    from triagebench.heuristics.model import Findings

CATEGORY_LABELS = {"CHECKS": "Health checks"}
"""Group names shown for a category (balena health checks given with ``--checks``)."""
MAX_COMMAND = 70


@dataclass(frozen=True, slots=True)
class TreeTarget:
    """What a node points at: a section index (None = whole file) and a line to show."""

    section: int | None
    line: int | None = None
    category: str | None = None


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


class CommandTree(Tree[TreeTarget]):
    """Tree of the document's sections, grouped by category."""

    DEFAULT_CSS = """
    CommandTree {
        width: 34;
        min-width: 20;
        border-right: vkey $panel;
        background: $surface;
    }
    """

    class ScopeSelected(Message):
        """The user picked a node: scope the log view to ``target``."""

        def __init__(self, target: TreeTarget) -> None:
            super().__init__()
            self.target = target

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("(no file)", data=TreeTarget(None), id=id, classes=classes)
        self.document: Document | None = None
        self.findings: Findings | None = None
        self.counts: dict[int, Counter[str]] = {}
        self.section_nodes: dict[int, TreeNode[TreeTarget]] = {}
        self.command_cells: dict[int, int] = {}  # cells of each section's command text
        self.guide_depth = 2

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self.on_theme_changed)

    def on_theme_changed(self, _theme: object) -> None:
        self.relabel()

    def on_resize(self, _event: object) -> None:
        self.relabel()  # rows are cut to the new width

    def render_label(self, node: TreeNode[TreeTarget], base_style: Style, style: Style) -> Text:
        """The row's label cut to the tree's width with ``…``: the command is shortened,
        its hit counts and exit/stderr marks stay whole."""
        text = super().render_label(node, base_style, style)
        depth = 0
        parent = node.parent
        while parent is not None:
            depth += 1
            parent = parent.parent
        room = self.scrollable_content_region.width - depth * self.guide_depth
        if room <= 3 or text.cell_len <= room:
            return text
        prefix = text.cell_len - node.label.cell_len
        target = node.data
        command = (self.command_cells.get(target.section, node.label.cell_len)
                   if target is not None and target.section is not None else node.label.cell_len)
        suffix = text[prefix + command:]
        keep = room - suffix.cell_len - 1
        if keep < 4:  # no room for the command: cut everything at the edge
            text.truncate(room - 1)
            text.append(CUT_MARK, style)
            return text
        head = text[:prefix + command]
        head.truncate(keep)
        head.append(CUT_MARK, style)
        head.append_text(suffix)
        return head

    # -- content ---------------------------------------------------------
    def severity_color(self, severity: str) -> str:
        """The theme colour of ``severity`` (falls back to the built-in defaults)."""
        name = f"sev-{severity}"
        return self.app.theme_variables.get(name) or SEVERITY_DEFAULTS[name]

    def counts_text(self, counts: Counter[str] | None) -> Text:
        text = Text()
        for severity in SEVERITIES:
            n = (counts or {}).get(severity, 0)
            if n:
                text.append(f" {SEVERITY_MARKS[severity]}{n}",
                            Style(color=self.severity_color(severity), bold=severity == "critical"))
        return text

    def section_label(self, index: int) -> Text:
        assert self.document is not None
        section = self.document.sections[index]
        command = printable(section.command)
        if len(command) > MAX_COMMAND:
            command = command[: MAX_COMMAND - 1] + "…"
        label = Text(command)
        self.command_cells[index] = label.cell_len
        label.append_text(self.counts_text(self.counts.get(index)))
        if section.signal is not None:
            label.append(f" {EXIT_MARK}sig {section.signal}", Style(color=self.severity_color("high")))
        elif section.exit_status:
            label.append(f" {EXIT_MARK}{section.exit_status}", Style(color=self.severity_color("high")))
        if section.stderr_count:
            label.append(f" {STDERR_MARK}", Style(color=self.severity_color("medium")))
        return label

    def category_counts(self, category: str | None) -> Counter[str]:
        assert self.document is not None
        total: Counter[str] = Counter()
        for section in self.document.sections:
            if section.category == category:
                total.update(self.counts.get(section.index, Counter()))
        return total

    def root_label(self) -> Text:
        if self.document is None:
            return Text("(no file)")
        label = Text(printable(os.path.basename(self.document.path) or "file"), style="bold")
        total: Counter[str] = Counter()
        for counter in self.counts.values():
            total.update(counter)
        label.append_text(self.counts_text(total))
        return label

    def load(self, document: Document, findings: Findings | None = None) -> None:
        """Build the tree for ``document`` (and hit counts from ``findings``)."""
        self.document = document
        self.findings = findings
        self.counts = section_hit_counts(document, findings)
        self.clear()
        self.section_nodes = {}
        self.root.set_label(self.root_label())
        self.root.data = TreeTarget(None, 1)
        categories: dict[str, TreeNode[TreeTarget]] = {}
        for section in document.sections:
            if section.category is None:
                node = self.root.add_leaf(self.section_label(section.index),
                                          data=TreeTarget(section.index, section.header_line))
                self.section_nodes[section.index] = node
                continue
            parent = categories.get(section.category)
            if parent is None:
                parent = self.root.add(self.category_label(section.category),
                                       data=TreeTarget(None, section.header_line or section.first_line,
                                                       section.category))
                categories[section.category] = parent
            if section.is_category_marker:
                continue
            node = parent.add_leaf(self.section_label(section.index),
                                   data=TreeTarget(section.index, section.header_line))
            self.section_nodes[section.index] = node
        self.root.expand()
        for node in categories.values():
            if self.category_counts(node.data.category if node.data else None):
                node.expand()

    def category_label(self, category: str) -> Text:
        label = Text(CATEGORY_LABELS.get(category, category), style="bold")
        label.append_text(self.counts_text(self.category_counts(category)))
        return label

    def set_findings(self, findings: Findings | None) -> None:
        """New findings (e.g. after matching finished): recount and relabel."""
        if self.document is None or (findings is not None and findings is self.findings):
            return  # already built with these (``load(document, findings)``)
        self.findings = findings
        self.counts = section_hit_counts(self.document, findings)
        self.relabel()
        for node in self.root.children:
            if node.data and node.data.category and self.category_counts(node.data.category):
                node.expand()

    def relabel(self) -> None:
        """Rebuild every label (counts or theme colours changed)."""
        if self.document is None:
            return
        self.root.set_label(self.root_label())
        for node in self.root.children:
            if node.data and node.data.category:
                node.set_label(self.category_label(node.data.category))
        for index, node in self.section_nodes.items():
            node.set_label(self.section_label(index))

    def select_section(self, index: int | None) -> None:
        """Move the tree cursor to ``index``'s node (None = root) without re-posting."""
        node = self.root if index is None else self.section_nodes.get(index)
        if node is None:
            return
        parent = node.parent
        if parent is not None and not parent.is_expanded:
            parent.expand()
        # After an expand (here or in set_findings) node lines are only valid once
        # the tree has been rebuilt, so move after the next refresh.
        self.call_after_refresh(self.move_cursor, node)

    def on_tree_node_selected(self, event: Tree.NodeSelected[TreeTarget]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.ScopeSelected(event.node.data))
