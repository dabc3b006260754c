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
