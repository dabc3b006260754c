"""User settings of the workbench (today: the chosen theme), kept in a small JSON file.

The file is ``settings.json`` in ``services.paths.config_dir()`` (the XDG config dir,
or ``$TRIAGE_CONFIG_DIR``). Reading never fails: a missing, unreadable or malformed
file gives the defaults (the app must start even if someone hand-edited the file
badly). Writing goes through ``services.files.write_atomic``, so a crash mid-write
never leaves half a file behind.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from triagebench.services import files, paths

SETTINGS_FILE = "settings.json"


@dataclass(slots=True)
class Settings:
    """What the app remembers between runs. ``theme`` None = the default theme."""

    theme: str | None = None


def settings_path() -> Path:
    return paths.config_dir() / SETTINGS_FILE


def load_settings() -> Settings:
    """The saved settings, or the defaults when there is no usable file."""
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    if not isinstance(data, dict):
        return Settings()
    known = {f.name for f in fields(Settings)}
    values = {k: v for k, v in data.items() if k in known and (v is None or isinstance(v, str))}
    return Settings(**values)


def save_settings(settings: Settings) -> Path:
    """Write ``settings`` atomically; returns the path. Raises ``OSError`` on failure."""
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return files.write_atomic(path, json.dumps(asdict(settings), indent=2) + "\n",
                                  overwrite=True)
    except files.WriteError as exc:
        raise OSError(str(exc)) from exc


__all__ = ["Settings", "load_settings", "save_settings", "settings_path"]
