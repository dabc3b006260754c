"""The key registry (tui/keys.py) is the one source: README, BINDINGS, palette agree."""

from __future__ import annotations

from pathlib import Path

from triagebench.tui.app import TriageApp
from triagebench.tui.keys import KEYS, bindings, palette_entries, readme_table
from triagebench.tui.widgets.log_view import LogView

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_key_table_is_the_registry() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("| key | does |")
    table = text[start:text.index("\n\n", start)].splitlines()
    assert table == readme_table(), "README's key table differs from tui/keys.py"


def test_app_bindings_come_from_the_registry_and_every_action_exists() -> None:
    assert [(b.key, b.action) for b in TriageApp.BINDINGS] == [(b.key, b.action)
                                                               for b in bindings()]
    for spec in KEYS:
        if spec.action:
            name = spec.action.split("(")[0]
            assert hasattr(TriageApp, f"action_{name}"), spec.action
    footer = [b.description for b in TriageApp.BINDINGS if b.show]
    assert footer[:3] == ["Search", "Go to", "Copy"]


def test_widget_keys_in_the_registry_are_bound_by_the_log_view() -> None:
    log_keys = {key for b in LogView.BINDINGS for key in b.key.split(",")}
    for spec in KEYS:
        if not spec.action and spec.display.split()[0] in ("v", "e", "n", "u", "w", "left"):
            assert set(spec.display.split()) <= log_keys, spec.display


def test_palette_lists_every_action_with_its_key_but_quit() -> None:
    titles = [title for title, _, _ in palette_entries()]
    assert "Export report (x)" in titles and "Go to line (: ctrl+g)" in titles
    assert not any(title.startswith("Quit") for title in titles)
