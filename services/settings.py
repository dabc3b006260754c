"""User settings of the workbench (today: the chosen theme), kept in a small JSON file.

The file is ``settings.json`` in ``services.paths.config_dir()`` (the XDG config dir,
or ``$TRIAGE_CONFIG_DIR``). Reading never fails: a missing, unreadable or malformed
(or absurdly nested) file gives the defaults, with a notice for the user (the app must start even if someone hand-edited the file
badly). Writing goes through ``services.files.write_atomic``, so a crash mid-write
never leaves half a file behind.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from triagebench.services import files, paths
from triagebench.services.jsonfile import JSONFileError, loads_small, read_small_text

SETTINGS_FILE = "settings.json"
MAX_SETTINGS_BYTES = 1024 * 1024


@dataclass(slots=True)
class Settings:
    """What the app remembers between runs. ``theme`` None = the default theme."""

    theme: str | None = None


def settings_path() -> Path:
    return paths.config_dir() / SETTINGS_FILE


def load_settings() -> Settings:
    """The saved settings, or the defaults when there is no usable file."""
    return read_settings()[0]


def read_settings() -> tuple[Settings, str | None]:
    """The saved settings and, when the file exists but cannot be used (malformed,
    nested absurdly deep, not an object), a one-line notice for the user; the
    defaults are used then. A missing file is normal: no notice."""
    path = settings_path()
    try:
        text = read_small_text(path, MAX_SETTINGS_BYTES)
    except FileNotFoundError:
        return Settings(), None
    except (OSError, ValueError) as exc:  # JSONFileError and UnicodeDecodeError included
        return Settings(), f"{path}: cannot be read ({exc}); using the default settings"
    try:
        data = loads_small(text)
    except JSONFileError as exc:
        return Settings(), f"{path}: {exc}; using the default settings"
    if not isinstance(data, dict):
        return Settings(), f"{path}: not a JSON object; using the default settings"
    known = {f.name for f in fields(Settings)}
    values = {k: v for k, v in data.items() if k in known and (v is None or isinstance(v, str))}
    return Settings(**values), None


def save_settings(settings: Settings) -> Path:
    """Write ``settings`` atomically; returns the path. Raises ``OSError`` on failure."""
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return files.write_atomic(path, json.dumps(asdict(settings), indent=2) + "\n",
                                  overwrite=True)
    except files.WriteError as exc:
        raise OSError(str(exc)) from exc


__all__ = ["Settings", "load_settings", "read_settings", "save_settings", "settings_path"]
