"""Every test runs isolated: settings, sessions and drafts live in temp folders."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TRIAGE_DRAFTS", str(tmp_path / "drafts"))


@pytest.fixture()
def no_local_clipboard(monkeypatch: pytest.MonkeyPatch) -> None:
    """App tests copy through OSC 52 only; the machine's clipboard is never touched."""
    from triagebench.tui import clipboard

    monkeypatch.setattr(clipboard, "local_copy", lambda text: True)


@pytest.fixture(autouse=True)
def json_outputs_match_their_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every JSON a verb writes in a test is validated against the JSON Schema it names.

    The one writer (``services/render_json.json_text``) is wrapped: a payload (or each
    object of a list payload) that carries ``"schema"`` must validate against the schema
    file shipped for that name (``services/schemas/``); a name without a file fails."""
    from triagebench.services import render_json

    from tests.json_schema import validate_output

    original = render_json.json_text

    def checked(payload: object, *, indent: int | None = 2) -> str:
        validate_output(payload)
        return original(payload, indent=indent)

    monkeypatch.setattr(render_json, "json_text", checked)
