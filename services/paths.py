"""Where triagebench keeps things: every ``TRIAGE_*`` environment variable is read here.

* ``TRIAGE_DATA_DIR``: the data folder (stored sessions, and drafts unless
  ``TRIAGE_DRAFTS`` says otherwise); default ``platformdirs.user_data_dir``.
* ``TRIAGE_CONFIG_DIR``: the folder of ``settings.json``; default ``user_config_dir``.
* ``TRIAGE_DRAFTS``: the drafts folder; default ``<data dir>/drafts``.
* ``TRIAGE_CACHE_DIR``: the cache folder (the loaded heuristic library, see
  ``services.library_cache``); default ``platformdirs.user_cache_dir``. Deleting it is
  always safe.
* ``TRIAGE_CACHE``: ``off`` (or ``0``, ``no``, ``false``) turns the cache off: every
  launch loads the heuristic files again and nothing is written to the cache folder.
* ``TRIAGE_PREFETCH``: ``off`` (same values) makes the workbench analyse a file in its
  own process instead of a child forked at start (``services.prefetch``).

The variables are read on every call (not cached at import) so a test or a
``triage serve`` child can point them elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "TRIAGE_DATA_DIR"
CONFIG_DIR_ENV = "TRIAGE_CONFIG_DIR"
DRAFTS_ENV = "TRIAGE_DRAFTS"
CACHE_DIR_ENV = "TRIAGE_CACHE_DIR"
CACHE_ENV = "TRIAGE_CACHE"
CACHE_OFF_VALUES = ("off", "0", "no", "false")
PREFETCH_ENV = "TRIAGE_PREFETCH"
APP_NAME = "triagebench"


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    """Where triagebench keeps its data (``$TRIAGE_DATA_DIR`` wins)."""
    override = _env_path(DATA_DIR_ENV)
    if override is not None:
        return override
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME))


def config_dir() -> Path:
    """The folder holding the settings file (``$TRIAGE_CONFIG_DIR`` wins)."""
    override = _env_path(CONFIG_DIR_ENV)
    if override is not None:
        return override
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME))


def cache_dir() -> Path:
    """Where triagebench keeps caches (``$TRIAGE_CACHE_DIR`` wins)."""
    override = _env_path(CACHE_DIR_ENV)
    if override is not None:
        return override
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME))


def cache_enabled() -> bool:
    """False when ``$TRIAGE_CACHE`` is ``off`` (``0``, ``no``, ``false``; any case)."""
    return os.environ.get(CACHE_ENV, "").strip().lower() not in CACHE_OFF_VALUES


def prefetch_enabled() -> bool:
    """False when ``$TRIAGE_PREFETCH`` is ``off`` (``0``, ``no``, ``false``; any case)."""
    return os.environ.get(PREFETCH_ENV, "").strip().lower() not in CACHE_OFF_VALUES


def drafts_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--drafts DIR``, else ``$TRIAGE_DRAFTS``, else ``<data dir>/drafts``."""
    if explicit:
        return Path(explicit).expanduser()
    override = _env_path(DRAFTS_ENV)
    if override is not None:
        return override
    return data_dir() / "drafts"


def sessions_dir() -> Path:
    """Stored sessions (bookmarks and notes), one JSON file per content hash."""
    return data_dir() / "sessions"


__all__ = ["CACHE_DIR_ENV", "CACHE_ENV", "CONFIG_DIR_ENV", "DATA_DIR_ENV", "DRAFTS_ENV",
           "PREFETCH_ENV", "cache_dir", "cache_enabled", "config_dir", "data_dir", "drafts_dir",
           "prefetch_enabled", "sessions_dir"]
