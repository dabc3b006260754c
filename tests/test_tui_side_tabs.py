"""The side pane's tabs (``SideTabs``): labels on one row, the bar under the active one,
a click or left/right on the focused strip switches the pane shown below."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.content import Content
from textual.geometry import Region
from textual.widgets import Static
from triagebench.tui.widgets.side_tabs import SidePane, SideTabs, SideTabStrip

from tests.pilot import run_async


class Host(App[None]):
    def compose(self) -> ComposeResult:
        with SideTabs(id="side"):
            with SidePane("Findings", id="findings-tab"):
                yield Static("the findings list")
            with SidePane("Unexplained …", id="unexplained-tab"):
                yield Static("the unexplained templates")
            with SidePane("Bookmarks", id="bookmarks-tab"):
                yield Static("the bookmarks")


def strip_rows(app: App[None]) -> list[str]:
    """The strip as painted: the labels row and the bar row."""
    strip = app.query_one(SideTabStrip)
    return [line.text for line in strip.render_lines(Region(0, 0, strip.size.width, 2))]


def shown(app: App[None]) -> list[str]:
    return [str(static.render()) for static in app.query(Static) if static.region]


@run_async
async def test_labels_bar_and_the_first_pane_are_shown() -> None:
    app = Host()
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        rows = strip_rows(app)
        assert rows[0].startswith(" Findings  Unexplained …  Bookmarks ")
        # the bar is highlighted under "Findings" (cells 1-8): half bars mark its ends
        assert rows[1].startswith("╸━━━━━━━━╺━")
        assert shown(app) == ["the findings list"]
        assert app.query_one(SideTabs).active == "findings-tab"


@run_async
async def test_a_click_on_a_label_or_arrows_on_the_focused_strip_switch_panes() -> None:
    app = Host()
    async with app.run_test(size=(60, 10)) as pilot:
        tabs = app.query_one(SideTabs)
        await pilot.click(SideTabStrip, offset=(len(" Findings  Unexplained …  ") + 2, 0))
        await pilot.pause()
        assert tabs.active == "bookmarks-tab" and shown(app) == ["the bookmarks"]
        assert app.query_one(SideTabStrip).has_focus
        await pilot.press("left")
        await pilot.pause()
        assert tabs.active == "unexplained-tab" and shown(app) == ["the unexplained templates"]
        await pilot.press("right", "right")  # wraps around
        await pilot.pause()
        assert tabs.active == "findings-tab" and shown(app) == ["the findings list"]


@run_async
async def test_a_relabelled_tab_moves_the_labels_after_it_and_the_bar() -> None:
    app = Host()
    async with app.run_test(size=(60, 10)) as pilot:
        tabs = app.query_one(SideTabs)
        tabs.get_tab("findings-tab").label = Content("Findings 12")
        tabs.active = "unexplained-tab"
        await pilot.pause()
        rows = strip_rows(app)
        assert rows[0].startswith(" Findings 12  Unexplained …  Bookmarks ")
        start = len(" Findings 12  ")  # the bar under "Unexplained …" only
        assert rows[1][start - 1:start + len("Unexplained …") + 1] == "╸" + "━" * 13 + "╺"
        assert tabs.get_tab("findings-tab").label.plain == "Findings 12"
