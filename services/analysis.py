"""The single analysis pipeline: file -> document -> library -> findings (+ the device
state at capture) -> unexplained lines.

Several inputs of one capture (a diagnostics file and its health checks) are one
analysis: ``analyse([diagnostics, checks])`` combines them (``services.combine``)
into one Document, so they feed one findings list and one report;
``read_inputs(path)`` gives every input a path holds (each member of a zip).

Every front-end calls ``analyse``: the TUI worker (step by step, posting a message
after each stage), ``triage scan``, ``triage report`` and ``triage fleet``. So the
library policy (``services.library``), the regex time budget and the mining cap are
the same everywhere.

``progress(stage, fraction)`` reports what is happening (``fraction`` None when
unknown); ``cancel()`` is polled between stages and raises ``Cancelled``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from triagebench.parser.errors import InputError
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


class SeveralInputs(InputError):
    """A path holds several inputs that are not one capture (a zip of several devices'
    files). An ``InputError`` (one line) for a verb that takes one capture; the workbench
    lets the user pick one of ``names`` (``archive.zip:member``)."""

    def __init__(self, path: str, names: list[str]) -> None:
        prefix = path + ":"
        shown = [n[len(prefix):] if n.startswith(prefix) else n for n in names]
        more = ", …" if len(shown) > 3 else ""
        super().__init__(path, f"holds {len(names)} files of more than one capture "
                               f"({', '.join(shown[:3])}{more}); open one at a time, "
                               "or scan them all with triage scan")
        self.names = names


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
    inputs: tuple[str, ...] = ()
    """The names of the inputs combined into ``document`` (the diagnostics file first)."""

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


def read_inputs(path: str) -> list[Document | InputError]:
    """Every input ``path`` holds, parsed: one for a file or stream, one per zip member
    (named ``archive.zip:member``); a member that cannot be read is its ``InputError``.
    Raises ``InputError`` when ``path`` itself cannot be read."""
    from triagebench.parser import open_inputs, parse_input

    out: list[Document | InputError] = []
    for named in open_inputs(path):
        try:
            out.append(parse_input(named))
        except InputError as exc:
            out.append(exc)
    return out


def _name(entry: Document | InputError) -> str:
    return entry.path


def capture_documents(path: str, checks: Sequence[str] = (), member: str | None = None,
                      progress: Progress = _no_progress) -> list[Document]:
    """The Documents of the one capture ``path`` holds: its input, or ``member`` of a
    zip, then the health checks of ``checks``; ``combine`` them for one Document.

    A zip whose members are one capture (a diagnostics file and its checks) gives
    them all; one that holds several captures raises ``SeveralInputs`` unless
    ``member`` names one. Raises ``InputError`` for unreadable input."""
    from triagebench.services.combine import group_captures, is_checks

    progress(f"parsing {path}…", None)
    entries = read_inputs(path)
    if member is not None:
        entries = [e for e in entries if _name(e) == member]
        if not entries:
            raise InputError(path, f"holds no file named {member!r}")
    documents = [e for e in entries if not isinstance(e, InputError)]
    if len(entries) > 1:
        groups = group_captures(documents)
        if len(groups) != 1 or len(documents) != len(entries):
            raise SeveralInputs(path, [_name(e) for e in entries])
        documents = groups[0]
    elif isinstance(entries[0], InputError):
        raise entries[0]
    for extra in checks:
        progress(f"parsing {extra}…", None)
        for entry in read_inputs(extra):
            if isinstance(entry, InputError):
                raise entry
            if not is_checks(entry):
                raise InputError(entry.path, "is not balena health checks (checks.sh JSON)")
            documents.append(entry)
    return documents


def read_capture(path: str, checks: Sequence[str] = (), member: str | None = None,
                 progress: Progress = _no_progress) -> Document:
    """The one Document the workbench shows for ``path`` (see ``capture_documents``):
    the diagnostics combined with their health checks (``services.combine``)."""
    from triagebench.services.combine import combine

    documents = capture_documents(path, checks, member, progress)
    return combine(documents[0], documents[1:])


def read_library(options: LibraryOptions, progress: Progress = _no_progress) -> Library:
    """Load the heuristic library the options describe."""
    progress("loading heuristics…", None)
    return load_library(options)


def library_facts(library: Library) -> tuple[int, tuple[str, ...]]:
    """What the front-ends say of a library: how many heuristics, and its problems."""
    return len(library.heuristics), tuple(str(problem) for problem in library.problems)


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


def analyse(source: str | Document | Sequence[Document],
            options: AnalysisOptions = AnalysisOptions(),  # noqa: B008
            progress: Progress | None = None, cancel: Cancel | None = None,
            library: Library | None = None) -> Analysis:
    """Run every stage on ``source``: a path (its one capture: a file, or a zip of a
    diagnostics file and its checks; ``SeveralInputs`` for a zip of several devices'),
    an already parsed ``Document``, or the Documents of one capture (the diagnostics
    first, then its health checks), which are combined into one Document and so give
    one set of findings.

    ``library``: an already loaded library for these options (fleet loads it once
    per process). Raises ``InputError`` for unreadable input, ``Cancelled``."""
    from triagebench.parser import Document
    from triagebench.services.combine import combine

    report = progress or _no_progress
    cancelled = cancel or _never
    if isinstance(source, Document):
        documents = [source]
    elif isinstance(source, str):
        documents = capture_documents(source, progress=report)
    else:
        documents = list(source)
    if not documents:
        raise ValueError("analyse: no document given")
    document = combine(documents[0], documents[1:])
    inputs = tuple(d.path for d in documents)
    if cancelled():
        raise Cancelled(document.path)
    if library is None:
        library = read_library(options.library, report)
    if cancelled():
        raise Cancelled(document.path)
    findings = match(document, library, report, options.timeout)
    result = Analysis(document, library, findings, read_state(document), inputs=inputs)
    if options.unexplained:
        if cancelled():
            raise Cancelled(document.path)
        report("looking for unexplained lines…", None)
        result.unexplained = find_unexplained(document, findings)
    return result


__all__ = ["MAX_MINED_LINES", "Analysis", "AnalysisOptions", "Cancelled", "SeveralInputs",
           "Unexplained", "analyse", "capture_documents", "find_unexplained", "match", "read_capture",
           "read_document", "read_inputs", "read_library", "read_state"]
