"""The single analysis pipeline: file -> document -> library -> findings (+ the device
state at capture) -> unexplained lines.

Every front-end calls ``analyse``: the TUI worker (step by step, posting a message
after each stage), ``triage scan``, ``triage report`` and ``triage fleet``. So the
library policy (``services.library``), the regex time budget and the mining cap are
the same everywhere.

``progress(stage, fraction)`` reports what is happening (``fraction`` None when
unknown); ``cancel()`` is polled between stages and raises ``Cancelled``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from triagebench.services.library import LibraryOptions
from triagebench.services.library import load as load_library

if TYPE_CHECKING:
    from triagebench.heuristics.format import Library
    from triagebench.heuristics.mining import Template, TemplateMiner
    from triagebench.heuristics.model import Findings
    from triagebench.parser import Document
    from triagebench.services.state import DeviceState

Progress = Callable[[str, float | None], None]
Cancel = Callable[[], bool]

MAX_MINED_LINES = 50_000
"""Mining costs ~15 us a line; the first 50,000 unexplained lines already show the
recurring templates, and the CPU spent stays bounded on a huge file."""



DEFAULT_TIMEOUT = 1.0
"""Per-heuristic regex time budget in seconds (``--timeout``); the evaluator's default,
kept here so importing this module does not load the engine (a test checks they agree)."""


class Cancelled(Exception):
    """Raised between stages when ``cancel()`` became true."""


@dataclass(frozen=True, slots=True)
class AnalysisOptions:
    """How to analyse: which heuristics, the regex budget, whether to mine."""

    library: LibraryOptions = field(default_factory=LibraryOptions)
    timeout: float = DEFAULT_TIMEOUT
    unexplained: bool = True


@dataclass(slots=True)
class Unexplained:
    """Error-like lines, those no finding covers, and their mined templates."""

    suspicious: list[int]
    lines: list[int]
    templates: list[Template]


@dataclass(slots=True)
class Analysis:
    """Everything one file's analysis produced."""

    document: Document
    library: Library
    findings: Findings
    state: DeviceState
    unexplained: Unexplained | None = None

    @property
    def templates(self) -> list[Template]:
        return self.unexplained.templates if self.unexplained else []


def _no_progress(stage: str, fraction: float | None) -> None:
    return None


def _never() -> bool:
    return False


def read_document(path: str, progress: Progress = _no_progress) -> Document:
    """Parse ``path``; ``InputError`` carries the one-line message for bad input."""
    from triagebench.parser import parse_file

    progress(f"parsing {path}…", None)
    return parse_file(path)


def read_library(options: LibraryOptions, progress: Progress = _no_progress) -> Library:
    """Load the heuristic library the options describe."""
    progress("loading heuristics…", None)
    return load_library(options)


def match(document: Document, library: Library, progress: Progress = _no_progress,
          timeout: float = DEFAULT_TIMEOUT) -> Findings:
    """Evaluate every heuristic of ``library`` on ``document``."""
    from triagebench.heuristics.evaluate import evaluate

    count = len(library.heuristics)
    progress(f"matching {count} heuristic{'s' if count != 1 else ''}…", None)
    return evaluate(document, library, timeout=timeout)


def read_state(document: Document) -> DeviceState:
    """The device state at capture (``services.state``): what every front-end shows
    before the findings, computed from the capture's live checks only."""
    from triagebench.services.state import device_state

    return device_state(document)


def find_unexplained(document: Document, findings: Findings | None,
                     miner: TemplateMiner | None = None) -> Unexplained:
    """Error-like lines no finding covers, and templates mined from the first
    ``MAX_MINED_LINES`` of them (``miner``: e.g. fewer refs kept per template)."""
    from triagebench.heuristics.mining import mine_document
    from triagebench.heuristics.suspicious import covered_lines, suspicious_lines

    suspicious = suspicious_lines(document)
    covered = covered_lines(findings) if findings is not None else set()
    lines = [n for n in suspicious if n not in covered]
    mined = lines[:MAX_MINED_LINES]
    templates = list(mine_document(document, lines=mined, miner=miner)) if mined else []
    return Unexplained(suspicious, lines, templates)


def analyse(source: str | Document, options: AnalysisOptions = AnalysisOptions(),  # noqa: B008
            progress: Progress | None = None, cancel: Cancel | None = None,
            library: Library | None = None) -> Analysis:
    """Run every stage on ``source`` (a path or an already parsed ``Document``).

    ``library``: an already loaded library for these options (fleet loads it once
    per process). Raises ``InputError`` for unreadable input, ``Cancelled``."""
    report = progress or _no_progress
    cancelled = cancel or _never
    if isinstance(source, str):
        document = read_document(source, report)
    else:
        document = source
    if cancelled():
        raise Cancelled(document.path)
    if library is None:
        library = read_library(options.library, report)
    if cancelled():
        raise Cancelled(document.path)
    findings = match(document, library, report, options.timeout)
    result = Analysis(document, library, findings, read_state(document))
    if options.unexplained:
        if cancelled():
            raise Cancelled(document.path)
        report("looking for unexplained lines…", None)
        result.unexplained = find_unexplained(document, findings)
    return result


__all__ = ["MAX_MINED_LINES", "Analysis", "AnalysisOptions", "Cancelled", "Unexplained",
           "analyse", "find_unexplained", "match", "read_document", "read_library", "read_state"]
