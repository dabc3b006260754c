"""User settings of the workbench (today: the chosen theme), kept in a small JSON file.

The file lives in the XDG config dir (``platformdirs.user_config_dir("triagebench")``,
e.g. ``~/.config/triagebench/settings.json``); ``TRIAGE_CONFIG_DIR`` overrides the
folder, which tests use to stay out of the real home. Reading never fails: a
missing, unreadable or malformed file gives the defaults (the app must start even
if someone hand-edited the file badly). Writing is atomic (temp file + rename in
the same folder), so a crash mid-write never leaves half a file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from platformdirs import user_config_dir

CONFIG_ENV = "TRIAGE_CONFIG_DIR"
SETTINGS_FILE = "settings.json"


@dataclass(slots=True)
class Settings:
    """What the app remembers between runs. ``theme`` None = the default theme."""

    theme: str | None = None


def config_dir() -> Path:
    """The folder holding the settings file (``$TRIAGE_CONFIG_DIR`` wins)."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override)
    return Path(user_config_dir("triagebench"))


def settings_path() -> Path:
    return config_dir() / SETTINGS_FILE


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
    fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(settings), handle, indent=2)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


__all__ = ["CONFIG_ENV", "Settings", "config_dir", "load_settings", "save_settings",
           "settings_path"]
