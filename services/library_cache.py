"""The on-disk cache of the loaded heuristic library (issue #14).

Reading, validating and compiling the ~100 heuristic files costs ~100 ms on every
launch; a launch whose heuristic files did not change unpickles the library it loaded
last time instead (a few ms). The compiled regexes are not in the pickle
(``heuristics.format.pattern_of`` compiles each on its first search).

The cache key is a sha256 over everything the loaded library depends on:

* the code that builds it: the package version, the Python version, the ``regex``
  version, and the bytes of the ``heuristics`` and ``parser`` modules (a checkout
  switched to another branch never reads a library pickled by other code);
* the working directory (``Heuristic.source`` and the problems' file names are shown
  relative to it, ``heuristics.format.display_path``);
* the options (bundled or not, the folders, the drafts folder) and, for every file
  the loader would read (the same discovery, ``heuristics.format.heuristic_files``),
  its path and content bytes: an edit is seen even when size and mtime are kept.
  Hashing the bytes costs ~1-2 ms for the bundled library.

Files are ``<cache dir>/library-<key[:20]>.pickle`` (``services.paths.cache_dir``,
``$TRIAGE_CACHE_DIR``), written through the one atomic writer (``services.files``);
the ``MAX_FILES`` most recently used are kept. ``$TRIAGE_CACHE=off`` turns it off.

The cache is never a reason to fail or to load a wrong library: an unreadable, corrupt
or foreign file (not ours: another owner, or writable by others, since unpickling runs
code), a pickle of the wrong shape or key, a cache folder that cannot be created or
written: every one falls back to loading the files, silently (a bad file is replaced).
A library with load problems is cached too: the problems are part of what is pickled.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

import regex
import triagebench.parser as parser_package
from triagebench.heuristics import format as heuristic_format
from triagebench.heuristics.format import Heuristic, Library, LintMessage
from triagebench.services import files, paths
from triagebench.services.library import LibraryOptions

from triagebench import __version__

MAX_FILES = 8
PREFIX = "library-"
SUFFIX = ".pickle"
FORMAT = 1  # bump when the pickled payload changes shape
_CODE_DIRS = (Path(heuristic_format.__file__).resolve().parent,
              Path(parser_package.__file__ or "").resolve().parent)


@dataclass(frozen=True, slots=True)
class Loaded:
    """A library and how it was obtained: ``hit`` (unpickled from ``path``), ``miss``
    (loaded, then stored at ``path`` when that worked) or ``off`` (cache disabled or
    unusable: loaded the plain way)."""

    library: Library
    outcome: str
    path: Path | None = None


def load_cached(options: LibraryOptions) -> Library:
    """The library ``options`` describe (``services.library.load``), from the cache when
    the heuristic files are unchanged (see the module docstring)."""
    return lookup(options).library


def lookup(options: LibraryOptions) -> Loaded:
    """``load_cached`` with the outcome (for tests and the bench)."""
    sources = _Sources(options.heuristic_dirs, options.builtin, options.draft_dirs())
    if not paths.cache_enabled():
        return Loaded(sources.load(), "off")
    key = cache_key(sources)
    if key is None:
        return Loaded(sources.load(), "off")
    try:
        folder = paths.cache_dir()
    except Exception:  # noqa: BLE001 - platformdirs on an odd system: no cache, not a failure
        return Loaded(sources.load(), "off")
    target = folder / f"{PREFIX}{key[:20]}{SUFFIX}"
    cached = _read(target, key)
    if cached is not None:
        with contextlib.suppress(OSError):
            os.utime(target)  # most recently used: pruned last
        return Loaded(cached, "hit", target)
    library = sources.load()
    if cache_key(sources) != key:
        return Loaded(library, "miss")  # a file changed while it was read: do not store
    stored = _write(folder, target, key, library)
    return Loaded(library, "miss", target if stored else None)


@dataclass(frozen=True, slots=True)
class _Sources:
    """What ``load_library`` is called with (the drafts folder already resolved)."""

    dirs: tuple[str, ...]
    builtin: bool
    drafts: tuple[str, ...]

    def load(self) -> Library:
        return heuristic_format.load_library(self.dirs, builtin=self.builtin, drafts=self.drafts)


def cache_key(sources: _Sources) -> str | None:
    """The sha256 (hex) of everything the library depends on; None when the working
    directory is gone (the library's display paths could not be known)."""
    digest = hashlib.sha256()

    def add(*parts: object) -> None:
        for part in parts:
            data = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogateescape")
            digest.update(len(data).to_bytes(8, "little"))
            digest.update(data)

    try:
        cwd = os.getcwd()
    except OSError:
        return None
    add(FORMAT, __version__, sys.version, regex.__version__, cwd)
    for folder in _CODE_DIRS:
        for module in sorted(folder.glob("*.py")):
            add(module, _content(module))
    for source, draft in heuristic_format.library_sources(sources.dirs, sources.builtin,
                                                          sources.drafts):
        problems: list[LintMessage] = []
        found = heuristic_format.heuristic_files(source, problems)
        add("source", source, draft, *(str(p) for p in problems), len(found))
        for path in found:
            add(path, _content(path))
    return digest.hexdigest()


def _content(path: Path) -> bytes:
    """A file's bytes, or a marker naming why it cannot be read (the loader reports
    that file as a problem; the key must change when it becomes readable)."""
    try:
        return b"\x01" + path.read_bytes()
    except OSError as exc:
        return f"\x00{type(exc).__name__}:{exc.errno}".encode()


def _read(target: Path, key: str) -> Library | None:
    """The library pickled at ``target`` under ``key``, or None (missing, foreign, corrupt,
    another key, or not a library)."""
    try:
        with open(target, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not _trusted(info):
                return None
            payload = pickle.load(handle)
    except Exception:  # noqa: BLE001 - any unreadable or corrupt cache file is a cache miss
        return None
    if not (isinstance(payload, tuple) and len(payload) == 2 and payload[0] == key):
        return None
    library = payload[1]
    if not (isinstance(library, Library)
            and all(isinstance(h, Heuristic) for h in library.heuristics)
            and all(isinstance(m, LintMessage) for m in library.problems)):
        return None
    return library


def _trusted(info: os.stat_result) -> bool:
    """A regular file of ours that no one else can write: unpickling it runs its code."""
    if not stat.S_ISREG(info.st_mode):
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _write(folder: Path, target: Path, key: str, library: Library) -> bool:
    """Store the library (atomically, private to this user); False when it could not be."""
    try:
        data = pickle.dumps((key, library), protocol=pickle.HIGHEST_PROTOCOL)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        files.write_atomic(target, data, overwrite=True, mode=0o600)
    except Exception:  # noqa: BLE001 - a read-only or full disk, an unpicklable value: no cache
        return False
    prune(folder)
    return True


def prune(folder: Path, keep: int = MAX_FILES) -> None:
    """Delete all but the ``keep`` most recently used cache files (best effort)."""
    entries: list[tuple[float, str]] = []
    try:
        with os.scandir(folder) as scan:
            for entry in scan:
                if entry.name.startswith(PREFIX) and entry.name.endswith(SUFFIX):
                    with contextlib.suppress(OSError):
                        entries.append((entry.stat(follow_symlinks=False).st_mtime, entry.path))
    except OSError:
        return
    entries.sort(reverse=True)
    for _, path in entries[keep:]:
        with contextlib.suppress(OSError):
            os.unlink(path)


__all__ = ["MAX_FILES", "Loaded", "load_cached", "lookup", "prune"]
