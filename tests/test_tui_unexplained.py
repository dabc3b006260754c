"""Pilot tests of the Unexplained panel in a tiny host app.

The host plays the workbench's role: it computes the unexplained templates
(suspicious lines minus findings, mined), shows them in the panel and records
the ``JumpTo`` / ``Promote`` messages the panel posts.
"""

from __future__ import annotations

import re

from textual.app import App, ComposeResult
from textual.widgets import OptionList, Static
from triagebench.heuristics.mining import mine_document
from triagebench.heuristics.suspicious import unexplained
from triagebench.parser import Document, parse_text
from triagebench.tui.widgets.unexplained_panel import UnexplainedPanel

from tests.pilot import run_async
from tests.test_heuristics_support import diagnostics_text


def _doc() -> Document:
    return parse_text(diagnostics_text({
        "dmesg -T": [
            "[Fri Apr 29 13:35:04 2022] mmcblk0: error -110 transferring data, sector 1234",
            "[Fri Apr 29 13:35:05 2022] usb 1-1: new device",
            "[Fri Apr 29 13:35:06 2022] mmcblk0: error -110 transferring data, sector 99",
            "[Fri Apr 29 13:35:07 2022] mmcblk0: error -110 transferring data, sector 5",
            "[Fri Apr 29 13:35:08 2022] \x1b[31mEXT4-fs error\x1b[0m (device mmcblk0p6): bad",
        ],
    }), path="diag.txt")


class Host(App[None]):
    def __init__(self, doc: Document) -> None:
        super().__init__()
        self.doc = doc
        self.templates = mine_document(doc, lines=unexplained(doc, None))
        self.jumps: list[int] = []
        self.promotions: list[UnexplainedPanel.Promote] = []

    def compose(self) -> ComposeResult:
        yield UnexplainedPanel(self.doc, self.templates, id="unexplained")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_unexplained_panel_jump_to(self, message: UnexplainedPanel.JumpTo) -> None:
        self.jumps.append(message.line)

    def on_unexplained_panel_promote(self, message: UnexplainedPanel.Promote) -> None:
        self.promotions.append(message)


def _rows(app: App) -> list[str]:
    options = app.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def _detail(app: App) -> str:
    return str(app.query_one("#unexplained-text", Static).render())


def _lines_with(doc: Document, text: str) -> list[int]:
    return [n for n in range(1, doc.line_count + 1) if text in doc.plain(n)]


@run_async
async def test_lists_templates_by_count_and_walks_through_lines() -> None:
    doc = _doc()
    app = Host(doc)
    mmc = _lines_with(doc, "mmcblk0: error -110")
    async with app.run_test(size=(100, 30)) as pilot:
        rows = _rows(app)
        assert len(rows) == 2
        assert rows[0].startswith("3× dmesg -T")
        assert "mmcblk0: error <*> transferring data, sector <*>" in rows[0]
        assert "\x1b" not in rows[1] and "EXT4-fs error" in rows[1]  # ANSI never shown raw
        assert "regex" in _detail(app)
        await pilot.press("enter")
        await pilot.press("enter")
        await pilot.press("n")
        await pilot.press("n")  # wraps around
        await pilot.press("N")
        await pilot.pause()
        assert app.jumps == [mmc[0], mmc[1], mmc[2], mmc[0], mmc[2]]
        assert f"L{mmc[2]} (3/3)" in _detail(app)


@run_async
async def test_promote_posts_a_regex_matching_the_template_lines() -> None:
    doc = _doc()
    app = Host(doc)
    mmc = _lines_with(doc, "mmcblk0: error -110")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("p")
        await pilot.pause()
        (promotion,) = app.promotions
        assert promotion.lines == mmc
        assert promotion.section_key == "dmesg -T"
        for line in mmc:
            assert re.search(promotion.template_regex, doc.plain(line))
        assert not re.search(promotion.template_regex, doc.plain(_lines_with(doc, "usb 1-1")[0]))
        # moving to the second template promotes that one
        await pilot.press("down", "p")
        await pilot.pause()
        assert app.promotions[1].lines == _lines_with(doc, "EXT4-fs")


@run_async
async def test_empty_panel_says_so_and_ignores_keys() -> None:
    doc = parse_text(diagnostics_text({"uptime": ["10:00:00 up 3 days"]}), path="ok.txt")
    app = Host(doc)
    async with app.run_test(size=(80, 20)) as pilot:
        assert _rows(app) == []
        assert "No unexplained error lines" in _detail(app)
        await pilot.press("enter", "n", "p")
        await pilot.pause()
        assert app.jumps == [] and app.promotions == []


class DeferredHost(App[None]):
    """The workbench's way: the list is composed after the first frame, and the
    templates arrive before it exists."""

    def __init__(self, doc: Document) -> None:
        super().__init__()
        self.doc = doc
        self.templates = mine_document(doc, lines=unexplained(doc, None))
        self.jumps: list[int] = []

    def on_unexplained_panel_jump_to(self, message: UnexplainedPanel.JumpTo) -> None:
        self.jumps.append(message.line)

    def compose(self) -> ComposeResult:
        yield UnexplainedPanel(self.doc, [], id="unexplained", defer=True)

    def on_mount(self) -> None:
        panel = self.query_one(UnexplainedPanel)
        assert not panel.query(OptionList)  # nothing composed before the first frame
        panel.show(self.doc, self.templates)


@run_async
async def test_a_deferred_panel_shows_templates_given_before_its_list_existed() -> None:
    app = DeferredHost(_doc())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        rows = _rows(app)
        assert len(rows) == 2 and rows[0].startswith("3× dmesg -T")
        assert "regex" in _detail(app)
        app.query_one(OptionList).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.jumps == [_lines_with(app.doc, "mmcblk0: error -110")[0]]
