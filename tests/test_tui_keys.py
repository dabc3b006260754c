"""The key registry (tui/keys.py) is the one source: README, BINDINGS, palette agree."""

from __future__ import annotations

from pathlib import Path

from triagebench.tui.app import TriageApp
from triagebench.tui.keys import (
    CYCLE_THEMES,
    KEYS,
    bindings,
    palette_entries,
    readme_legend,
    readme_table,
    readme_themes,
)
from triagebench.tui.marks import (
    BOOKMARK_MARK,
    CUT_MARK,
    DRAFT_MARK,
    EVIDENCE_MARK,
    EXIT_MARK,
    LEFT_MARK,
    SEVERITY_MARKS,
    STDERR_MARK,
    SUSPECT_MARK,
    WRAP_MARK,
)
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


def readme_block(first_words: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index(first_words)
    return text[start:text.index("\n\n", start)].splitlines()


def test_the_readme_legend_and_theme_list_are_the_app_s() -> None:
    assert readme_block("The header holds the device facts.") == readme_legend()
    assert readme_block("Themes: `ctrl+t` cycles") == readme_themes()


def test_no_symbol_means_two_things() -> None:
    symbols = [*SEVERITY_MARKS.values(), BOOKMARK_MARK, EVIDENCE_MARK, SUSPECT_MARK,
               DRAFT_MARK, WRAP_MARK, EXIT_MARK, STDERR_MARK, CUT_MARK, LEFT_MARK]
    assert len(symbols) == len(set(symbols))


def test_ctrl_t_cycles_exactly_the_themes_the_readme_names(tmp_path, monkeypatch) -> None:
    import asyncio

    from triagebench.tui.app import create_app

    monkeypatch.setenv("TRIAGE_CONFIG_DIR", str(tmp_path / "config"))
    path = tmp_path / "tiny.txt"
    path.write_text("hello\n")

    async def run() -> list[str]:
        app = create_app(str(path), env={}, builtin=False, theme=CYCLE_THEMES[0])
        seen = [app.theme]
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in CYCLE_THEMES:
                await pilot.press("ctrl+t")
                await pilot.pause()
                seen.append(app.theme)
        return seen

    seen = asyncio.run(run())
    assert seen == [*CYCLE_THEMES, CYCLE_THEMES[0]]
    for name in CYCLE_THEMES:
        assert f"`{name}`" in "\n".join(readme_themes())
