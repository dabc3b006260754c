"""Project themes: registered, complete severity tokens, and the saved choice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from triagebench.services.settings import Settings, load_settings, save_settings, settings_path
from triagebench.themes import (
    DEFAULT_THEME,
    PROJECT_THEMES,
    SEVERITY_DEFAULTS,
    SEVERITY_VARIABLES,
)


@pytest.fixture(autouse=True)
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRIAGE_CONFIG_DIR", str(tmp_path / "cfg"))
    return tmp_path / "cfg"


def test_three_project_themes_each_define_every_severity_colour() -> None:
    names = {t.name for t in PROJECT_THEMES}
    assert names == {"triage-dark", "triage-light", "triage-contrast"}
    assert DEFAULT_THEME == "triage-dark"
    for theme in PROJECT_THEMES:
        assert set(SEVERITY_VARIABLES) <= set(theme.variables), theme.name
    assert set(SEVERITY_DEFAULTS) == set(SEVERITY_VARIABLES)
    light = next(t for t in PROJECT_THEMES if t.name == "triage-light")
    assert light.dark is False


def test_severity_colours_are_distinct_within_each_theme() -> None:
    for theme in PROJECT_THEMES:
        colours = [theme.variables[name].lower() for name in SEVERITY_VARIABLES]
        assert len(set(colours)) == len(colours), theme.name


def test_app_registers_project_and_builtin_themes(tmp_path: Path) -> None:
    from triagebench.tui.app import create_app

    app = create_app(str(tmp_path / "x.txt"), env={})
    for name in ("triage-dark", "triage-light", "triage-contrast", "ansi-dark", "textual-dark",
                 "nord"):
        assert name in app.available_themes
    # built-in themes get the severity defaults, so the .tcss never fails to parse
    assert app.get_theme_variable_defaults()["sev-critical"] == SEVERITY_DEFAULTS["sev-critical"]


def test_settings_round_trip_and_atomic_write(config: Path) -> None:
    assert load_settings() == Settings()
    path = save_settings(Settings(theme="triage-contrast"))
    assert path == settings_path() == config / "settings.json"
    assert json.loads(path.read_text()) == {"theme": "triage-contrast"}
    assert load_settings().theme == "triage-contrast"
    assert [p.name for p in config.iterdir()] == ["settings.json"]  # no temp file left


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"theme": 42}', ""])
def test_a_broken_settings_file_gives_the_defaults(config: Path, content: str) -> None:
    config.mkdir(parents=True)
    (config / "settings.json").write_text(content)
    assert load_settings() == Settings()
