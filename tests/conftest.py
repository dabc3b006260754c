"""Every test runs isolated: settings, sessions and drafts live in temp folders.

The library cache (``services.library_cache``) lives in one temp folder for the whole
session, set in ``pytest_configure``: before any fixture, since a module-scoped fixture
(a ``triage scan`` subprocess, say) runs before the autouse ``isolated`` below. Never the
user's cache, and shared by the tests and the ``triage`` processes they start (which
inherit the environment), so most loads are cache hits, as in use.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CACHE_DIR = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    folder = Path(tempfile.mkdtemp(prefix="triage-test-cache-"))
    config.stash[CACHE_DIR] = folder
    os.environ["TRIAGE_CACHE_DIR"] = str(folder)
    os.environ.pop("TRIAGE_CACHE", None)


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(CACHE_DIR, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def session_cache_dir(pytestconfig: pytest.Config) -> Path:
    return pytestconfig.stash[CACHE_DIR]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, session_cache_dir: Path) -> None:
    monkeypatch.setenv("TRIAGE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TRIAGE_DRAFTS", str(tmp_path / "drafts"))
    monkeypatch.setenv("TRIAGE_CACHE_DIR", str(session_cache_dir))
    monkeypatch.delenv("TRIAGE_CACHE", raising=False)


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
