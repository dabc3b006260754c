"""The one library policy: which heuristic files load, the same for TUI, scan, report, fleet.

A library is, in this order: the bundled heuristics (unless ``builtin=False``), every
``--heuristics DIR``, then the drafts folder (``--drafts DIR``, else ``$TRIAGE_DRAFTS``,
else ``<data dir>/drafts``; see ``services.paths``) when ``include_drafts`` is true.
Draft heuristics are marked ``draft=True`` and every front-end labels their findings.

``include_drafts`` defaults to False: a report or a scan lists reviewed heuristics
only unless asked. The TUI, where drafts are written, turns it on by default (see
``cli/options.py``); the same options give the same library everywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from triagebench.services import paths

if TYPE_CHECKING:
    from triagebench.heuristics.format import Library


class LibraryError(Exception):
    """A heuristics folder named on the command line does not exist (one line)."""


@dataclass(frozen=True, slots=True)
class LibraryOptions:
    """Which heuristics to load (see the module docstring)."""

    heuristic_dirs: tuple[str, ...] = ()
    builtin: bool = True
    drafts_dir: str | None = None
    include_drafts: bool = False

    @property
    def resolved_drafts_dir(self) -> Path:
        """The drafts folder these options name (it may not exist yet)."""
        return paths.drafts_dir(self.drafts_dir)

    def draft_dirs(self) -> tuple[str, ...]:
        """The drafts folder when drafts are included and the folder exists."""
        if not self.include_drafts:
            return ()
        folder = self.resolved_drafts_dir
        return (str(folder),) if folder.is_dir() else ()

    def with_drafts(self, include: bool = True) -> LibraryOptions:
        return replace(self, include_drafts=include)


def check_dirs(options: LibraryOptions) -> None:
    """Raise ``LibraryError`` for a named folder that does not exist.

    An explicit ``--drafts DIR`` must exist too; the default drafts folder need not
    (it is created on the first save)."""
    named = list(options.heuristic_dirs)
    if options.include_drafts and options.drafts_dir:
        named.append(options.drafts_dir)
    for folder in named:
        if not os.path.isdir(folder):
            raise LibraryError(f"heuristics folder {folder!r} does not exist")


def load(options: LibraryOptions) -> Library:
    """The library the options describe; files that fail to load are in ``problems``.

    From the on-disk cache when the heuristic files did not change since a launch
    loaded them (``services.library_cache``; ``$TRIAGE_CACHE=off`` turns it off)."""
    from triagebench.services.library_cache import load_cached

    return load_cached(options)


def describe(options: LibraryOptions) -> list[str]:
    """Human-readable list of the heuristic sources, for status lines and reports."""
    parts = ["bundled"] if options.builtin else []
    parts += list(options.heuristic_dirs)
    if options.include_drafts:
        parts.append(f"drafts: {options.resolved_drafts_dir}")
    return parts


def source_label(source: str) -> str:
    """Where a heuristic came from, the same from any working directory:
    ``builtin:NAME.toml`` for a bundled heuristic, else the file's absolute path."""
    from triagebench.heuristics.format import BUILTIN_DIR

    path = Path(source).resolve()
    if path.parent == BUILTIN_DIR:
        return f"builtin:{path.name}"
    return str(path)


def heuristic_ids(library: Library) -> list[str]:
    """The ids of the heuristics that ran, sorted (what front-ends compare)."""
    return sorted(h.id for h in library.heuristics)


__all__ = ["LibraryError", "LibraryOptions", "check_dirs", "describe", "heuristic_ids", "load",
           "source_label"]
