"""The key footer (issue #14): one widget that draws the keys a user can press.

Through Pilot, as a user sees it: the row of keys at 120 and 80 columns (whole keys
only, the palette key at the right end), clicking a key presses it, the row follows
focus, the key under the mouse is highlighted, disabled keys are dimmed and every
theme colours the keys with its own ``$footer-*`` colours.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.command import CommandPalette
from textual.widgets import Static
from triagebench.themes import PROJECT_THEMES
from triagebench.tui.widgets.keys_footer import KeysFooter

from tests.pilot import run_async
from tests.test_tui_app import loaded, make_app
from tests.test_tui_app_helpers import write_sample

pytestmark = pytest.mark.usefixtures("no_local_clipboard")

LOG_KEYS_120 = ("e Next hit n Next match v Select / Search : Go to y Copy m Mark a Note "
                "p Promote x Report ] Evidence f Keep ▏^p palette ")
LOG_KEYS_80 = ("e Next hit n Next match v Select / Search : Go to y Copy m Mark"
               + " " * 5 + "▏^p palette ")


@pytest.fixture()
def sample(tmp_path: Path) -> Path:
    return write_sample(tmp_path)


def footer_of(app: App[object]) -> KeysFooter:
    return app.query_one(KeysFooter)


def footer_text(app: App[object]) -> str:
    """The footer row as the terminal shows it."""
    return footer_of(app).render_line(0).text


def style_at(footer: KeysFooter, x: int) -> Style:
    """The style of the footer's cell ``x``."""
    offset = 0
    for segment in footer.render_line(0):
        offset += segment.cell_length
        if x < offset:
            assert segment.style is not None
            return segment.style
    raise AssertionError(f"no cell {x}")


@pytest.mark.parametrize(("size", "expected"), [((120, 40), LOG_KEYS_120),
                                                ((80, 24), LOG_KEYS_80)])
@run_async
async def test_the_footer_shows_the_keys_that_fit_whole(
        sample: Path, size: tuple[int, int], expected: str) -> None:
    app = make_app(sample)
    async with app.run_test(size=size) as pilot:
        await loaded(app, pilot)
        app.log_view.focus()
        await pilot.pause()
        text = footer_text(app)
        assert text == expected and len(text) == size[0]
        # the footer is the bottom row of the screen
        assert footer_of(app).region.y == size[1] - 1


@run_async
async def test_the_footer_follows_focus(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        app.log_view.focus()
        await pilot.pause()
        assert footer_text(app).startswith("e Next hit n Next match v Select / Search")
        app.tree_view.focus()
        await pilot.pause()
        # the tree has none of the log view's reading keys; the app's "? Keys" now fits
        text = footer_text(app)
        assert text.startswith("/ Search : Go to") and "Next hit" not in text
        assert "f Keep ? Keys " in text and text.endswith("▏^p palette ")
        app.log_view.focus()
        await pilot.pause()
        assert footer_text(app) == LOG_KEYS_120


@run_async
async def test_the_footer_repaints_only_when_its_keys_change(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        footer = footer_of(app)
        shown = footer.shown
        painted = footer.render_line(0)
        app.screen.refresh_bindings()
        await pilot.pause()
        # the same keys: the same painted row, not a new one
        assert footer.shown is shown and footer.render_line(0) is painted
        app.tree_view.focus()
        await pilot.pause()
        assert footer.shown != shown and footer.render_line(0) is not painted


@run_async
async def test_clicking_a_key_presses_it(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        app.log_view.focus()
        await pilot.pause()
        # the blank between two keys is no key
        gap = footer_text(app).index(" / Search")
        assert await pilot.click(KeysFooter, offset=(gap, 0))
        await pilot.pause()
        assert app.focused is app.log_view
        # the key and its description both press "/"
        for column in (gap + 1, gap + len(" / Search") - 1):
            app.log_view.focus()
            await pilot.pause()
            assert await pilot.click(KeysFooter, offset=(column, 0))
            await pilot.pause()
            assert app.focused is app.search_bar.input
            await pilot.press("escape")
        # the palette key at the right end opens the palette
        assert await pilot.click(KeysFooter, offset=(119, 0))
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


@run_async
async def test_the_key_under_the_mouse_is_highlighted_with_its_tooltip(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        app.log_view.focus()
        await pilot.pause()
        footer = footer_of(app)
        search = footer_text(app).index("/ Search")
        copy = footer_text(app).index("y Copy")
        plain = style_at(footer, search + 3).bgcolor
        assert style_at(footer, copy + 3).bgcolor == plain
        await pilot.hover(KeysFooter, offset=(search + 3, 0))
        await pilot.pause()
        assert style_at(footer, search + 3).bgcolor != plain
        assert style_at(footer, search).bgcolor == style_at(footer, search + 3).bgcolor
        assert style_at(footer, copy + 3).bgcolor == plain
        # the palette binding has a tooltip; the footer shows it while over that key
        await pilot.hover(KeysFooter, offset=(117, 0))
        await pilot.pause()
        assert footer.tooltip == "Open the command palette"
        assert footer.styles.pointer == "pointer"
        assert style_at(footer, search + 3).bgcolor == plain
        # leaving the footer: no highlight, no tooltip
        await pilot.hover("#log", offset=(5, 5))
        await pilot.pause()
        assert footer.hover_index is None and footer.tooltip is None
        assert footer.styles.pointer == "default"
        assert all(style_at(footer, x).bgcolor == plain for x in (search, 117))


class KeysApp(App[None]):
    """The footer alone, with one key its ``check_action`` greys out."""

    BINDINGS = [Binding("a", "ring", "Ring"), Binding("b", "never", "Never"),
                Binding("c", "hidden", "Hidden", show=False)]
    CSS = "Static { height: 1fr; }"

    def __init__(self) -> None:
        super().__init__()
        for theme in PROJECT_THEMES:
            self.register_theme(theme)
        self.rang = 0
        self.bells = 0

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield KeysFooter(compact=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "never" else True

    def action_ring(self) -> None:
        self.rang += 1

    def bell(self) -> None:
        self.bells += 1


@run_async
async def test_a_disabled_key_is_dimmed_and_only_rings_the_bell() -> None:
    app = KeysApp()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        assert footer_text(app) == "a Ring b Never" + " " * 34 + "▏^p palette "
        footer = footer_of(app)
        assert not style_at(footer, 0).dim and style_at(footer, 7).dim
        assert not style_at(footer, 2).dim and style_at(footer, 9).dim
        await pilot.click(KeysFooter, offset=(0, 0))
        await pilot.click(KeysFooter, offset=(9, 0))
        await pilot.pause()
        assert (app.rang, app.bells) == (1, 1)


class RoomyKeysApp(KeysApp):
    def compose(self) -> ComposeResult:
        yield Static("body")
        yield KeysFooter(compact=False)


@run_async
async def test_the_roomy_footer_pads_keys_as_textual_does() -> None:
    app = RoomyKeysApp()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        assert footer_text(app) == " a Ring  b Never " + " " * 29 + "▏ ^p palette  "
        # the padding around a key is part of it (clickable), as in a FooterKey
        assert [footer_of(app).placed_at(x) for x in (0, 7, 8, 16, 17)] == [0, 0, 1, 1, None]


@pytest.mark.parametrize("theme", ["triage-dark", "triage-light", "triage-contrast",
                                   "ansi-dark", "textual-dark", "textual-light"])
@run_async
async def test_every_theme_colours_the_footer(theme: str) -> None:
    app = KeysApp()
    async with app.run_test(size=(60, 5)) as pilot:
        app.theme = theme
        await pilot.pause()
        footer = footer_of(app)
        variables = app.theme_variables
        key, description = style_at(footer, 0), style_at(footer, 2)
        assert key.bold and not description.bold
        key_colour = Color.parse(variables["footer-key-foreground"])
        if key_colour.ansi is None:
            background = Color.parse(variables["footer-background"])
            assert key.color == key_colour.rich_color
            assert key.bgcolor == description.bgcolor == background.rich_color
            assert description.color == Color.parse(
                variables["footer-description-foreground"]).rich_color
        else:  # the ANSI theme: terminal colours, never a made-up RGB
            assert key.color is not None and key.color.triplet is None
        # the theme change repainted the footer (not the previous theme's colours)
        app.theme = "triage-contrast" if theme != "triage-contrast" else "triage-dark"
        await pilot.pause()
        assert style_at(footer, 0).color != key.color
