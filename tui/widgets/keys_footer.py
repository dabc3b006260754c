"""The key footer: one Line-API widget that draws the screen's keys on one row.

Textual's ``Footer`` is a container of one ``FooterKey`` widget per key (a dozen on
the main screen), rebuilt whenever the screen publishes "bindings updated". Styling those
widgets took ~15 ms and rendering them ~3.5 ms of the first frame with findings
(issue #14). This footer is a single widget: it keeps the list of keys it shows,
lays them out itself and paints one ``Strip``; nothing is mounted or styled when
the keys change, and nothing is redrawn when they did not.

What it draws is Textual's compact footer: each key (``app.get_key_display``) then
its description, one blank between keys, disabled keys dimmed, the command-palette
key at the right end behind a thin separator. Keys that do not fit are left out
whole (the palette key stays). Colours come from the theme through
``COMPONENT_CLASSES`` and the same ``$footer-*`` variables ``FooterKey`` uses.
Clicking a key presses it (``app.simulate_key``); the key under the mouse is
highlighted and its tooltip, if the binding has one, is the widget's tooltip.
Binding groups (``Binding.group``, unused here) are drawn as separate keys.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.color import Color
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

SEPARATOR = "▏"
"""Drawn left of the palette key (Textual's ``border-left: vkey``)."""


class FooterEntry(NamedTuple):
    """One key as the footer shows it."""

    key: str
    """The Textual key name a click simulates (``binding.key``)."""
    display: str
    """How the key is written (``app.get_key_display``), e.g. ``^p`` or ``/``."""
    description: str
    enabled: bool
    tooltip: str


class FooterKeys(NamedTuple):
    """Everything the footer shows: the keys from the left and the palette key."""

    keys: tuple[FooterEntry, ...]
    palette: FooterEntry | None


def visible_keys(screen: Screen[Any]) -> FooterKeys:
    """What a footer on ``screen`` shows, in Textual ``Footer``'s order and rules.

    The active bindings with ``show`` (the first binding of each action, as
    ``Footer`` groups them), and the command-palette key when it is bound and
    the palette is enabled.
    """
    app = screen.app
    palette_key = app.COMMAND_PALETTE_BINDING
    actions: set[str] = set()
    keys: list[FooterEntry] = []
    palette: FooterEntry | None = None
    for _node, binding, enabled, tooltip in screen.active_bindings.values():
        if binding.key == palette_key and app.ENABLE_COMMAND_PALETTE:
            palette = FooterEntry(binding.key, app.get_key_display(binding),
                                  binding.description, enabled,
                                  binding.tooltip or binding.description)
        if not binding.show or binding.action in actions:
            continue
        actions.add(binding.action)
        keys.append(FooterEntry(binding.key, app.get_key_display(binding),
                                binding.description, enabled, tooltip))
    return FooterKeys(tuple(keys), palette)


class Placed(NamedTuple):
    """A key laid out on the row: cells ``start`` to ``end`` (exclusive)."""

    start: int
    end: int
    entry: FooterEntry
    palette: bool


class KeysFooter(Widget):
    """The screen's keys on one row, docked at the bottom (see the module docstring)."""

    ALLOW_SELECT = False

    COMPONENT_CLASSES = {
        "footer-key--item",
        "footer-key--key",
        "footer-key--description",
        "footer-key--hover",
        "footer-key--disabled",
        "footer-key--separator",
    }
    """Parts of a key, painted in layers: the item background under the key and its
    description, the hover background over the item, dim for disabled keys; the
    separator left of the palette key."""

    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeysFooter > .footer-key--item {
        background: $footer-item-background;
    }
    KeysFooter > .footer-key--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeysFooter > .footer-key--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeysFooter > .footer-key--hover {
        background: $block-hover-background;
    }
    KeysFooter > .footer-key--disabled {
        text-style: dim;
    }
    KeysFooter > .footer-key--separator {
        color: $foreground 20%;
    }
    """

    def __init__(self, *, id: str | None = None, compact: bool = True) -> None:  # noqa: A002
        super().__init__(id=id)
        self.compact = compact
        """Textual's compact spacing (``key description``, one blank between keys);
        otherwise its roomy one (`` key description ``, no blank)."""
        self.shown = FooterKeys((), None)
        self.hover_index: int | None = None
        """Index (in ``arrange_keys()``) of the key under the mouse."""
        self._placed: tuple[int, FooterKeys, list[Placed]] | None = None
        self._painted: tuple[object, Strip] | None = None
        self._part_styles: dict[tuple[str, bool, bool], Style] = {}

    # -- keeping up with the bindings -----------------------------------------
    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.update_keys(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """The screen's bindings changed (focus moved, ``refresh_bindings``).

        Ignored while the terminal is not focused, as ``Footer`` does: the app
        drops focus then and the keys would flicker.
        """
        if screen.app.app_focus and self.is_attached:
            self.update_keys(screen)

    def update_keys(self, screen: Screen[Any]) -> None:
        """Show ``screen``'s keys; repaint only when they differ from the shown ones."""
        keys = visible_keys(screen)
        if keys == self.shown:
            return
        self.shown = keys
        self.set_hover(None)
        self.refresh()

    # -- layout -----------------------------------------------------------------
    def entry_width(self, entry: FooterEntry) -> int:
        """Cells of one key with its padding (not counting the blank after it)."""
        padding = 0 if self.compact else 2
        if entry.description:
            return cell_len(entry.display) + padding + 1 + cell_len(entry.description)
        return cell_len(entry.display)

    def arrange_keys(self) -> list[Placed]:
        """Where each shown key goes at the current width: the palette key (with its
        separator and one blank after it) at the right end, then as many keys from
        the left as fit whole in front of it."""
        width = self.size.width
        if self._placed is not None and self._placed[:2] == (width, self.shown):
            return self._placed[2]
        palette = self.shown.palette
        right = width
        if palette is not None:
            right = max(0, width - (cell_len(SEPARATOR) + self.entry_width(palette) + 1))
        placed: list[Placed] = []
        gap = 1 if self.compact else 0
        x = 0
        for entry in self.shown.keys:
            end = x + self.entry_width(entry)
            if end > right:
                break
            placed.append(Placed(x, end, entry, False))
            x = end + gap
        if palette is not None:
            placed.append(Placed(right, width, palette, True))
        self._placed = (width, self.shown, placed)
        return placed

    def placed_at(self, x: int) -> int | None:
        """Index in ``arrange_keys()`` of the key covering column ``x``, if any."""
        return next((index for index, item in enumerate(self.arrange_keys())
                     if item.start <= x < item.end), None)

    # -- painting ---------------------------------------------------------------
    def notify_style_update(self) -> None:
        """The theme or CSS changed: forget the styles and the painted row."""
        super().notify_style_update()
        self._part_styles.clear()
        self._painted = None

    def part_style(self, part: str, *, hover: bool, enabled: bool) -> Style:
        """The Rich style of one part of a key (``key``, ``description``,
        ``separator`` or ``item`` for its padding), its background layered as
        ``FooterKey`` widgets would be: footer, item, hover, the part's own."""
        cache_key = (part, hover, enabled)
        style = self._part_styles.get(cache_key)
        if style is not None:
            return style
        background = self.background_colors[1]
        background += self.get_component_styles("footer-key--item").background
        if hover:
            background += self.get_component_styles("footer-key--hover").background
        color: Color = self.styles.color
        text_style = Style()
        if part != "item":
            styles = self.get_component_styles(f"footer-key--{part}")
            background += styles.background
            if styles.has_rule("color"):
                color = styles.color
            text_style = styles.text_style
        if not enabled:
            text_style += self.get_component_styles("footer-key--disabled").text_style
        style = Style.from_color((background + color).rich_color,
                                 background.rich_color) + text_style
        self._part_styles[cache_key] = style
        return style

    def entry_segments(self, item: Placed, hover: bool) -> list[Segment]:
        """The cells of one placed key, from ``item.start`` to ``item.end``."""
        entry = item.entry

        def style(part: str) -> Style:
            return self.part_style(part, hover=hover, enabled=entry.enabled)

        segments = []
        if item.palette:
            segments.append(Segment(SEPARATOR, style("separator")))
        pad = "" if self.compact else " "
        if entry.description:
            segments.append(Segment(f"{pad}{entry.display}{pad}", style("key")))
            segments.append(Segment(f" {entry.description}" if self.compact
                                    else f"{entry.description} ", style("description")))
        else:
            segments.append(Segment(entry.display, style("key")))
        if item.palette:
            segments.append(Segment(" ", style("item")))
        return segments

    def render_line(self, y: int) -> Strip:
        """The one row of keys (blank rows below it if the footer is made taller)."""
        width = self.size.width
        base = self.rich_style
        if y != 0:
            return Strip.blank(width, base)
        placed = self.arrange_keys()
        cache_key = (width, self.shown, self.hover_index, self.compact)
        if self._painted is not None and self._painted[0] == cache_key:
            return self._painted[1]
        segments: list[Segment] = []
        x = 0
        for index, item in enumerate(placed):
            if item.start > x:
                segments.append(Segment(" " * (item.start - x), base))
            segments.extend(self.entry_segments(item, index == self.hover_index))
            x = item.end
        strip = Strip(segments).adjust_cell_length(width, base)
        self._painted = (cache_key, strip)
        return strip

    # -- the mouse --------------------------------------------------------------
    def set_hover(self, index: int | None) -> None:
        """Highlight the key at ``index`` of ``arrange_keys()`` (None: no key); its
        tooltip becomes the footer's and the mouse pointer a hand (terminals that
        support pointer shapes), as over a ``FooterKey``."""
        if index == self.hover_index:
            return
        self.hover_index = index
        placed = self.arrange_keys()
        self.tooltip = (placed[index].entry.tooltip or None) if index is not None else None
        self.styles.pointer = "default" if index is None else "pointer"
        self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self.set_hover(self.placed_at(event.x))

    def on_leave(self, _event: events.Leave) -> None:
        self.set_hover(None)

    def on_resize(self, _event: events.Resize) -> None:
        # the keys move; the mouse says which one it is over when it moves again
        self.set_hover(None)

    def on_click(self, event: events.Click) -> None:
        """Press the clicked key, as ``FooterKey`` does (a bell when it is disabled)."""
        index = self.placed_at(event.x)
        if index is None:
            return
        entry = self.arrange_keys()[index].entry
        if entry.enabled:
            self.app.simulate_key(entry.key)
        else:
            self.app.bell()
