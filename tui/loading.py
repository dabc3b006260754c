"""Opening a file for the workbench: path -> (Document, Findings, Library). No Textual.

The app runs these steps in a thread worker and posts a message after each, so
the log view fills in as soon as the file is parsed and the findings follow when
matching is done. Each step is a plain function so tests and the bench can call
it directly; ``load`` chains them for callers that want everything at once.

``progress(stage, fraction)`` reports what is happening (``fraction`` is None
when unknown); ``cancelled()`` is polled between steps so Esc stops loading
without waiting for the next stage to finish.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from triagebench.heuristics.model import Findings
    from triagebench.parser import Document

Progress = Callable[[str, float | None], None]


class LoadCancelled(Exception):
    """Raised between steps when the caller's ``cancelled()`` became true."""


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """Which heuristics to match: extra folders, and whether the bundled library is used."""

    heuristic_dirs: tuple[str, ...] = ()
    builtin: bool = True
    drafts_dir: str | None = None

    @property
    def library_dirs(self) -> tuple[str, ...]:
        """Every folder heuristics come from: the extra ones, then the drafts folder."""
        return self.heuristic_dirs + ((self.drafts_dir,) if self.drafts_dir else ())

    @property
    def draft_dirs(self) -> tuple[str, ...]:
        """The drafts folder, if it exists yet (a new drafts folder is created on save)."""
        return (self.drafts_dir,) if self.drafts_dir and os.path.isdir(self.drafts_dir) else ()


def with_default_drafts(options: LoadOptions) -> LoadOptions:
    """``options`` with the drafts folder resolved: ``--drafts DIR``, else
    ``$TRIAGE_DRAFTS``, else the user data dir's ``drafts`` (``heuristics.drafts``'
    resolver). Called in the worker: the resolver's import is not free."""
    from triagebench.heuristics.drafts import default_drafts_dir

    return replace(options, drafts_dir=str(default_drafts_dir(options.drafts_dir)))


def _noop_progress(stage: str, fraction: float | None) -> None:
    return None


def _never() -> bool:
    return False


def read_document(path: str, progress: Progress = _noop_progress) -> Document:
    """Parse ``path``; ``InputError`` carries the one-line message for bad input."""
    from triagebench.parser import parse_file

    progress(f"parsing {path}…", None)
    return parse_file(path)


def read_library(options: LoadOptions, progress: Progress = _noop_progress) -> Any:
    """Load the heuristic library (bundled + extra folders + drafts)."""
    from triagebench.heuristics import load_library

    progress("loading heuristics…", None)
    return load_library(dirs=options.heuristic_dirs, builtin=options.builtin,
                        drafts=options.draft_dirs)


def match(document: Document, library: Any, progress: Progress = _noop_progress) -> Findings:
    """Evaluate every heuristic of ``library`` on ``document``."""
    from triagebench.heuristics import evaluate

    count = len(getattr(library, "heuristics", ()))
    progress(f"matching {count} heuristic{'s' if count != 1 else ''}…", None)
    return evaluate(document, library)


def load(path: str, options: LoadOptions = LoadOptions(), *,
         progress: Progress = _noop_progress,
         cancelled: Callable[[], bool] = _never) -> tuple[Document, Findings, Any]:
    """Every step in order; raises ``LoadCancelled`` if ``cancelled()`` turns true."""
    document = read_document(path, progress)
    if cancelled():
        raise LoadCancelled(path)
    library = read_library(options, progress)
    if cancelled():
        raise LoadCancelled(path)
    findings = match(document, library, progress)
    return document, findings, library


MAX_MINED_LINES = 50_000


def unexplained(document: Document, findings: Findings | None
                ) -> tuple[list[int], list[int], list[Any]]:
    """(every error-like line, those no finding covers, their mined templates)."""
    from triagebench.heuristics.mining import mine_document
    from triagebench.heuristics.suspicious import covered_lines, suspicious_lines

    suspicious = suspicious_lines(document)
    covered = covered_lines(findings) if findings is not None else set()
    lines = [n for n in suspicious if n not in covered]
    # Mining costs ~15 us a line; on a huge file the first MAX_MINED_LINES unexplained
    # lines already show the recurring templates, and the background CPU stays bounded.
    mined = lines[:MAX_MINED_LINES]
    templates = list(mine_document(document, lines=mined)) if mined else []
    return suspicious, lines, templates


def library_problems(library: Any) -> list[str]:
    """One line per load problem of the library (bad TOML, bad regex, ...)."""
    return [str(problem) for problem in getattr(library, "problems", ()) or ()]


def describe_sources(options: LoadOptions) -> Sequence[str]:
    """Human-readable list of the heuristic sources, for the status line."""
    parts = ["bundled"] if options.builtin else []
    parts += list(options.heuristic_dirs)
    if options.drafts_dir:
        parts.append(f"drafts: {options.drafts_dir}")
    return parts


__all__ = ["LoadCancelled", "LoadOptions", "describe_sources", "library_problems", "load",
           "match", "read_document", "read_library", "unexplained", "with_default_drafts"]
