"""The key footer, recomposed only when the keys it shows change.

Textual's ``Footer`` rebuilds all of its keys whenever the screen publishes
"bindings updated" (every focus change, every ``refresh_bindings``). At start-up
that happened ~17 times before the findings were on screen, each rebuild mounting
and styling a dozen ``FooterKey`` widgets (~150 ms of the first second on a
2-core box). This footer remembers what it shows and skips the rebuild when the
visible keys (key, label, enabled) are the same.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


def visible_keys(screen: Screen[Any]) -> tuple[tuple[object, ...], ...]:
    """What a footer on ``screen`` would show: (key, action, label, enabled, tooltip)."""
    return tuple((binding.key, binding.action, binding.description, enabled, tooltip)
                 for _node, binding, enabled, tooltip in screen.active_bindings.values()
                 if binding.show or binding.key == screen.app.COMMAND_PALETTE_BINDING)


class KeysFooter(Footer):
    """``Footer`` that skips rebuilding when its keys did not change."""

    # Compact footers give the docked palette key a 1-cell right margin; the keys
    # scrolled under it showed through that cell (a stray character at the right edge
    # after a resize). Padding instead of margin: same width, painted.
    DEFAULT_CSS = """
    KeysFooter.-compact FooterKey.-command-palette {
        margin-right: 0;
        padding-right: 1;
    }
    """

    def __init__(self, *, id: str | None = None, compact: bool = True) -> None:  # noqa: A002
        super().__init__(id=id, compact=compact)
        self.shown_keys: tuple[tuple[object, ...], ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            super().bindings_changed(screen)
            return
        keys = visible_keys(screen)
        if keys == self.shown_keys:
            return
        self.shown_keys = keys
        super().bindings_changed(screen)
