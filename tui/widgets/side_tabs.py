"""The side pane's tabs (Findings, Unexplained, Bookmarks): one strip widget + a switcher.

Why not Textual's ``TabbedContent``: it mounts a ``ContentTabs`` bar with a ``Tab``
widget per label, an animated ``Underline``, scroll containers and a ``TabPane`` per
pane, all styled twice before the first frame (on mount and again when the screen
resumes): ~15 ms CPU of the app's first frame on a 2-core box. The side pane needs
three fixed labels, so ``SideTabStrip`` draws them (and the underline, with Textual's
own ``Bar``) as one widget, and a ``ContentSwitcher`` shows the active pane. Same look
and keys: labels on one row, the bar under the active one; click a label, or focus the
strip and press left/right.

The API is the part of ``TabbedContent`` the app uses: ``active`` (the pane id) and
``get_tab(pane_id).label``. Labels come from our own code (counts), never from the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.console import Group
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.renderables.bar import Bar
from textual.widget import Widget
from textual.widgets import ContentSwitcher

PADDING = 1
"""Cells of space on each side of a label (Textual's ``Tab``: ``padding: 0 1``)."""


class SidePane(Vertical):
    """One pane of ``SideTabs``; ``title`` is its tab's label."""

    def __init__(self, title: str, *children: Widget, id: str) -> None:  # noqa: A002
        super().__init__(*children, id=id)
        self.title = title


class SideTab:
    """A tab's label; setting it redraws the strip."""

    def __init__(self, strip: SideTabStrip, pane_id: str, label: Content) -> None:
        self.strip = strip
        self.pane_id = pane_id
        self._label = label

    @property
    def label(self) -> Content:
        return self._label

    @label.setter
    def label(self, label: Content) -> None:
        self._label = label
        self.strip.refresh()


class SideTabStrip(Widget, can_focus=True):
    """The labels on one row and the underline bar (highlighting the active tab) below."""

    DEFAULT_CSS = """
    SideTabStrip {
        width: 100%;
        height: 2;
    }
    SideTabStrip > .side-tabs--tab {
        color: $foreground 50%;
    }
    SideTabStrip > .side-tabs--active {
        color: $foreground;
    }
    SideTabStrip > .side-tabs--bar {
        color: $block-cursor-background;
        background: $foreground 10%;
    }
    SideTabStrip:focus > .side-tabs--active {
        text-style: $block-cursor-text-style;
        color: $block-cursor-foreground;
        background: $block-cursor-background;
    }
    SideTabStrip:focus > .side-tabs--bar {
        background: $foreground 30%;
    }
    SideTabStrip:ansi > .side-tabs--tab {
        text-style: dim;
    }
    SideTabStrip:ansi > .side-tabs--active {
        text-style: not dim bold;
    }
    SideTabStrip:ansi > .side-tabs--bar {
        background: $border-blurred;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"side-tabs--tab", "side-tabs--active",
                                             "side-tabs--bar"}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "step(-1)", "Previous tab", show=False),
        Binding("right", "step(1)", "Next tab", show=False),
    ]

    def __init__(self, panes: Iterable[tuple[str, str]], active: str) -> None:
        super().__init__()
        self.tabs = [SideTab(self, pane_id, Content(title)) for pane_id, title in panes]
        self.active = active

    def spans(self) -> list[tuple[int, int]]:
        """(first cell, end cell) of each tab, padding included."""
        spans = []
        x = 0
        for tab in self.tabs:
            width = tab.label.cell_length + 2 * PADDING
            spans.append((x, x + width))
            x += width
        return spans

    def render(self) -> Group:
        row = Text(no_wrap=True, overflow="crop")
        tab_style = self.get_component_rich_style("side-tabs--tab")
        active_style = self.get_component_rich_style("side-tabs--active")
        highlight = (0, 0)
        for tab, (start, end) in zip(self.tabs, self.spans(), strict=True):
            active = tab.pane_id == self.active
            style = active_style if active else tab_style
            pad = " " * PADDING  # the active tab's padding is part of its cursor block
            row.append(pad, style if active else "")
            row.append(tab.label.plain, style)
            row.append(pad, style if active else "")
            if active:
                highlight = (start + PADDING, end - PADDING)
        bar_style = self.get_component_rich_style("side-tabs--bar")
        return Group(row, Bar(highlight_range=highlight,
                              highlight_style=Style.from_color(bar_style.color),
                              background_style=Style.from_color(bar_style.bgcolor)))

    def activate(self, pane_id: str) -> None:
        """Show ``pane_id`` (the parent ``SideTabs`` switches the pane)."""
        tabs = self.parent
        if isinstance(tabs, SideTabs):
            tabs.active = pane_id

    def action_step(self, delta: int) -> None:
        ids = [tab.pane_id for tab in self.tabs]
        self.activate(ids[(ids.index(self.active) + delta) % len(ids)])

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.focus()
        for tab, (start, end) in zip(self.tabs, self.spans(), strict=True):
            if start <= event.x < end:
                self.activate(tab.pane_id)
                return


class SideTabs(Vertical):
    """``SidePane`` children, one shown at a time, under a ``SideTabStrip``."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.panes: list[SidePane] = []

    def compose_add_child(self, widget: Widget) -> None:
        if not isinstance(widget, SidePane):
            raise TypeError(f"SideTabs holds SidePane widgets, not {type(widget).__name__}")
        self.panes.append(widget)

    def compose(self) -> ComposeResult:
        first = self.panes[0].id
        assert first is not None
        yield SideTabStrip([(pane.id or "", pane.title) for pane in self.panes], first)
        yield ContentSwitcher(*self.panes, initial=first)

    @property
    def strip(self) -> SideTabStrip:
        return self.query_one(SideTabStrip)

    @property
    def active(self) -> str:
        """The id of the shown pane."""
        return self.strip.active

    @active.setter
    def active(self, pane_id: str) -> None:
        self.get_tab(pane_id)  # a known pane, or ValueError
        strip = self.strip
        strip.active = pane_id
        strip.refresh()
        self.query_one(ContentSwitcher).current = pane_id

    def get_tab(self, pane_id: str) -> SideTab:
        """The tab of pane ``pane_id`` (its ``label`` can be set)."""
        for tab in self.strip.tabs:
            if tab.pane_id == pane_id:
                return tab
        raise ValueError(f"no side pane {pane_id!r}")


__all__ = ["SidePane", "SideTab", "SideTabStrip", "SideTabs"]
