"""Fleet scan: many diagnostics files -> pattern prevalence and unexplained templates.

Why: a patterns owner needs to know which known problems are common (and on
which OS versions and device types), and which unexplained error lines recur
across devices: those are the next heuristics to write. Ranking is by the
number of *files* (document frequency), so one chatty device cannot dominate.

The work is split so it can be distributed later:

* ``scan_file(path, options) -> FileRecord`` is a pure function of its inputs
  (reads one file, returns a small picklable record, never raises: a bad file
  gives a record with ``error`` set). The heuristic library is loaded once per
  process (``init_worker`` as a ``ProcessPoolExecutor`` initializer; a cache
  keyed by the options otherwise).
* ``aggregate(records) -> FleetReport`` merges records; it re-mines the
  per-file templates (weighted by their line counts, per section key) so the
  same message mined in two files lands in one fleet template.
* ``write_sqlite(report, records, path)`` stores the result (schema below).

SQLite schema (written to a temporary file in the target folder, then renamed
into place; an existing file is never overwritten unless ``force=True``, in
which case it is replaced whole — one database = one fleet run):

``meta(key TEXT PRIMARY KEY, value TEXT)``
    ``created_at`` (UTC ISO 8601), ``files``, ``scanned``, ``tool_version``.
``files(id INTEGER PRIMARY KEY, path TEXT, format TEXT, lines INTEGER,
os_version TEXT, device_type TEXT, arch TEXT, supervisor_version TEXT,
suspicious INTEGER, unexplained INTEGER, error TEXT)``
    one row per input file; ``error`` is NULL for a scanned file.
``findings(file_id INTEGER REFERENCES files(id), heuristic TEXT, severity TEXT,
title TEXT, evidence_lines TEXT)``
    one row per (file, matched heuristic); ``evidence_lines`` is a JSON array
    of 1-based line numbers (first few).
``templates(id INTEGER PRIMARY KEY, section TEXT, template TEXT, regex TEXT,
files INTEGER, lines INTEGER, examples TEXT)``
    fleet-level unexplained templates; ``examples`` is a JSON array of
    ``FILE#L123`` references.
``template_files(template_id INTEGER REFERENCES templates(id), file_id INTEGER
REFERENCES files(id), lines INTEGER, example_lines TEXT)``
    where each fleet template occurs and how often.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from triagebench.heuristics.format import Library
from triagebench.heuristics.mining import TemplateMiner, template_regex
from triagebench.heuristics.model import SEVERITY_RANK, Finding
from triagebench.parser import InputError
from triagebench.services.analysis import AnalysisOptions, analyse, find_unexplained
from triagebench.services.library import LibraryOptions
from triagebench.services.library import load as load_library

FACTS = ("os.version", "device.type", "arch", "supervisor.version")
UNKNOWN = "unknown"
DIAGNOSTIC_SUFFIXES = {".txt", ".log", ".gz", ".xz", ".bz2", ".zst", ".zip", ".json"}
"""What a folder walk takes (plus files without an extension): every input kind the
reader reads (``parser/reader.py``); a ``.json`` only when it looks like health checks."""
CHECKS_HINTS = (b'"diagnose_version"', b'"checks"')
NOT_DIAGNOSTICS = {"readme", "license", "licence", "copying", "notice", "makefile", "citation",
                   "authors", "changelog", "dockerfile", "ground_truth"}


# --- records -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ScanOptions:
    """What every worker needs: where heuristics come from and how much to keep per file."""

    heuristic_dirs: tuple[str, ...] = ()
    builtin: bool = True
    drafts_dir: str | None = None
    include_drafts: bool = False
    max_templates: int = 200  # unexplained templates kept per file
    max_examples: int = 3  # example lines kept per template / finding

    @property
    def library(self) -> LibraryOptions:
        """The library policy (``services.library``) these options describe."""
        return LibraryOptions(self.heuristic_dirs, self.builtin, self.drafts_dir,
                              self.include_drafts)


@dataclass(slots=True)
class MatchRecord:
    id: str
    severity: str
    title: str
    evidence_lines: list[int] = field(default_factory=list)


@dataclass(slots=True)
class TemplateRecord:
    section: str | None
    template: str
    count: int
    example_lines: list[int] = field(default_factory=list)


@dataclass(slots=True)
class FileRecord:
    """What one file contributes to the fleet report (small and picklable)."""

    path: str
    facts: dict[str, Any] = field(default_factory=dict)
    format: str | None = None
    lines: int = 0
    matches: list[MatchRecord] = field(default_factory=list)
    templates: list[TemplateRecord] = field(default_factory=list)
    suspicious: int = 0
    unexplained: int = 0
    heuristic_errors: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- per-process library cache -------------------------------------------------------
_LIBRARIES: dict[LibraryOptions, Library] = {}
_LIBRARY_LOADS = 0  # how many times this process loaded a library (tests check "once")


def library_for(options: ScanOptions) -> Library:
    """The heuristic library for ``options``, loaded at most once per process."""
    global _LIBRARY_LOADS
    library = _LIBRARIES.get(options.library)
    if library is None:
        library = load_library(options.library)
        _LIBRARIES[options.library] = library
        _LIBRARY_LOADS += 1
    return library


def library_loads() -> int:
    return _LIBRARY_LOADS


def init_worker(options: ScanOptions) -> None:
    """``ProcessPoolExecutor`` initializer: load the library once in this worker."""
    library_for(options)


# --- one file --------------------------------------------------------------------------
def _evidence_lines(finding: Finding, limit: int) -> list[int]:
    return [item.line for item in finding.evidence[:limit]]


def scan_file(path: str, options: ScanOptions = ScanOptions()) -> FileRecord:  # noqa: B008
    """Parse, evaluate and mine one file (``services.analysis``, the pipeline every
    front-end uses). Never raises: problems go to ``error``."""
    started = time.perf_counter()
    record = FileRecord(path=str(path))
    try:
        analysis = analyse(str(path), AnalysisOptions(options.library, unexplained=False),
                           library=library_for(options))
        document, findings = analysis.document, analysis.findings
        record.format = document.format
        record.lines = document.line_count
        record.facts = {name: document.facts.get(name) for name in FACTS}
        record.matches = [MatchRecord(f.id, f.severity, f.title,
                                      _evidence_lines(f, options.max_examples))
                          for f in findings.matches]
        record.heuristic_errors = [f"{e.heuristic}: {e.message}" for e in findings.errors]
        unexplained = find_unexplained(document, findings,
                                       TemplateMiner(max_refs=options.max_examples))
        record.suspicious = len(unexplained.suspicious)
        record.unexplained = len(unexplained.lines)
        templates = unexplained.templates
        record.templates = [TemplateRecord(next(iter(t.sections), None) if t.sections else None,
                                           t.template, t.count, [r for r in t.refs if r])
                            for t in templates[: options.max_templates]]
    except InputError as exc:
        record.error = str(exc)
    except (OSError, MemoryError, RecursionError, ValueError, UnicodeError) as exc:
        record.error = f"{path}: {type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001 - a fleet scan must survive any one bad file
        record.error = f"{path}: internal error: {type(exc).__name__}: {exc}"
    record.seconds = time.perf_counter() - started
    return record


# --- many files -----------------------------------------------------------------------
def _is_candidate(path: Path) -> bool:
    name = path.name
    if name.startswith("."):
        return False
    suffix = path.suffix.lower()
    if suffix and suffix not in DIAGNOSTIC_SUFFIXES:
        return False
    stem = name.lower().split(".", 1)[0]
    return stem not in NOT_DIAGNOSTICS


def _looks_like_checks(path: Path) -> bool:
    """A ``.json`` file is taken from a folder only when its start names health-check keys."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return True  # let the scan report why it cannot be read
    return any(hint in head for hint in CHECKS_HINTS)


@dataclass(slots=True)
class Expansion:
    """What ``expand_inputs`` found: files to scan, missing paths, and how many files in
    the walked folders were left out (hidden, not diagnostics by name or kind, not
    ``--include``d; hidden folders are not walked)."""

    files: list[str]
    problems: list[str]
    skipped: int = 0


def _included(path: Path, folder: Path, include: Sequence[str]) -> bool:
    from fnmatch import fnmatch

    rel = path.relative_to(folder).as_posix()
    return any(fnmatch(path.name, glob) or fnmatch(rel, glob) for glob in include)


def expand_inputs(paths: Iterable[str], include: Sequence[str] = ()) -> Expansion:
    """Files to scan from files and folders (recursive), and problems (missing paths).

    In folders: every input kind the reader reads (``DIAGNOSTIC_SUFFIXES``, health-checks
    ``.json``) and files without an extension, skipping hidden entries and obvious
    non-diagnostics (README, LICENSE, ...); with ``include`` globs (``--include``,
    matched against the name or the path inside the folder) exactly the files matching
    one of them instead. A file named explicitly is always taken. Sorted, each file once.
    """
    found: dict[str, None] = {}
    problems: list[str] = []
    skipped = 0
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # not walked
                for name in sorted(files):
                    candidate = Path(root) / name
                    if not candidate.is_file():
                        continue
                    if include:
                        taken = _included(candidate, path, include)
                    else:
                        taken = _is_candidate(candidate) and (
                            candidate.suffix.lower() != ".json" or _looks_like_checks(candidate))
                    if taken:
                        found.setdefault(str(candidate), None)
                    else:
                        skipped += 1
        elif path.exists():
            found.setdefault(str(path), None)
        else:
            problems.append(f"{raw}: no such file or folder")
    return Expansion(sorted(found), problems, skipped)


def expand_paths(paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """``expand_inputs`` without globs: ``(files, problems)``."""
    expansion = expand_inputs(paths)
    return expansion.files, expansion.problems


# --- aggregation ----------------------------------------------------------------------
@dataclass(slots=True)
class PatternStat:
    id: str
    title: str
    severity: str
    files: int
    share: float
    by_os: dict[str, int]
    by_device: dict[str, int]
    examples: list[str]  # FILE#L123 of the first evidence line in the first files


@dataclass(slots=True)
class FleetTemplate:
    section: str | None
    template: str
    regex: str
    files: int
    lines: int
    examples: list[str]  # FILE#L123
    by_file: dict[str, tuple[int, list[int]]] = field(default_factory=dict)


@dataclass(slots=True)
class FleetReport:
    files: int
    scanned: int
    errors: list[tuple[str, str]]
    os_totals: dict[str, int]
    device_totals: dict[str, int]
    patterns: list[PatternStat]
    templates: list[FleetTemplate]
    clean_files: int = 0  # scanned files with no finding
    heuristic_errors: list[str] = field(default_factory=list)

    def as_dict(self, top: int | None = None) -> dict[str, Any]:
        templates = self.templates if top is None else self.templates[:top]
        return {
            "files": self.files, "scanned": self.scanned, "clean_files": self.clean_files,
            "errors": [{"file": f, "error": e} for f, e in self.errors],
            "os_totals": self.os_totals, "device_totals": self.device_totals,
            "patterns": [asdict(p) for p in self.patterns],
            "templates": [{k: v for k, v in asdict(t).items() if k != "by_file"}
                          for t in templates],
            "heuristic_errors": self.heuristic_errors,
        }


def file_ref(path: str, line: int) -> str:
    """``FILE#L123``: the one line-reference form, with the file's base name."""
    return f"{os.path.basename(path) or path}#L{line}"


def _fact(record: FileRecord, name: str) -> str:
    value = record.facts.get(name)
    return UNKNOWN if value in (None, "") else str(value)


def aggregate(records: Sequence[FileRecord], max_examples: int = 3) -> FleetReport:
    """Merge per-file records into the fleet report (pure; order-independent ranking)."""
    scanned = [r for r in records if r.error is None]
    errors = [(r.path, r.error) for r in records if r.error is not None]
    os_totals = Counter(_fact(r, "os.version") for r in scanned)
    device_totals = Counter(_fact(r, "device.type") for r in scanned)

    per_pattern: dict[str, list[tuple[FileRecord, MatchRecord]]] = defaultdict(list)
    for record in scanned:
        for match in record.matches:
            per_pattern[match.id].append((record, match))
    patterns = []
    for pattern_id, hits in per_pattern.items():
        first = hits[0][1]
        patterns.append(PatternStat(
            id=pattern_id, title=first.title, severity=first.severity, files=len(hits),
            share=len(hits) / len(scanned) if scanned else 0.0,
            by_os=dict(Counter(_fact(r, "os.version") for r, _ in hits).most_common()),
            by_device=dict(Counter(_fact(r, "device.type") for r, _ in hits).most_common()),
            examples=[file_ref(r.path, m.evidence_lines[0]) for r, m in hits
                      if m.evidence_lines][:max_examples],
        ))
    # Problems first, by prevalence; info-level facts (development mode, ...) after them.
    patterns.sort(key=lambda p: (p.severity == "info", -p.files,
                                 SEVERITY_RANK.get(p.severity, 99), p.id))

    # Re-mine per-file templates across the fleet (same section key only).
    miner = TemplateMiner(sim_threshold=0.6, masks=[], strip_prefixes=False, max_refs=None)
    for file_index, record in enumerate(scanned):
        for template_index, item in enumerate(record.templates):
            miner.add(item.template, (file_index, template_index), group=item.section,
                      count=item.count)
    fleet_templates = []
    for mined in miner.templates():
        by_file: dict[str, tuple[int, list[int]]] = {}
        for file_index, template_index in mined.refs:
            record = scanned[file_index]
            item = record.templates[template_index]
            count, lines = by_file.get(record.path, (0, []))
            by_file[record.path] = (count + item.count, lines + item.example_lines)
        examples = [file_ref(path, lines[0]) for path, (_, lines) in by_file.items() if lines]
        fleet_templates.append(FleetTemplate(
            section=mined.group, template=mined.template, regex=template_regex(mined.template),
            files=len(by_file), lines=mined.count, examples=examples[:max_examples],
            by_file=by_file))
    fleet_templates.sort(key=lambda t: (-t.files, -t.lines, t.section or "", t.template))

    heuristic_errors = sorted({e for r in scanned for e in r.heuristic_errors})
    return FleetReport(
        files=len(records), scanned=len(scanned), errors=errors,
        os_totals=dict(os_totals.most_common()), device_totals=dict(device_totals.most_common()),
        patterns=patterns, templates=fleet_templates,
        clean_files=sum(1 for r in scanned if not r.matches),
        heuristic_errors=heuristic_errors,
    )


# --- SQLite -------------------------------------------------------------------------
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files (id INTEGER PRIMARY KEY, path TEXT NOT NULL, format TEXT, lines INTEGER,
    os_version TEXT, device_type TEXT, arch TEXT, supervisor_version TEXT,
    suspicious INTEGER, unexplained INTEGER, error TEXT);
CREATE TABLE findings (file_id INTEGER NOT NULL REFERENCES files(id), heuristic TEXT NOT NULL,
    severity TEXT, title TEXT, evidence_lines TEXT);
CREATE TABLE templates (id INTEGER PRIMARY KEY, section TEXT, template TEXT NOT NULL,
    regex TEXT, files INTEGER, lines INTEGER, examples TEXT);
CREATE TABLE template_files (template_id INTEGER NOT NULL REFERENCES templates(id),
    file_id INTEGER NOT NULL REFERENCES files(id), lines INTEGER, example_lines TEXT);
CREATE INDEX findings_heuristic ON findings(heuristic);
CREATE INDEX template_files_template ON template_files(template_id);
"""


class DatabaseExistsError(FileExistsError):
    """The target database exists and ``force`` was not given."""


def write_sqlite(report: FleetReport, records: Sequence[FileRecord], path: str | Path,
                 force: bool = False) -> Path:
    """Write the run to a new SQLite file atomically (temp file + rename)."""
    target = Path(path)
    if target.exists() and not force:
        raise DatabaseExistsError(f"{target}: already exists (use --force to replace it)")
    if target.is_dir():
        raise IsADirectoryError(f"{target}: is a directory")
    folder = target.parent if str(target.parent) else Path(".")
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(handle)
    try:
        connection = sqlite3.connect(temp_name)
        try:
            _fill(connection, report, records)
            connection.commit()
        finally:
            connection.close()
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target


def _fill(connection: sqlite3.Connection, report: FleetReport,
          records: Sequence[FileRecord]) -> None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        tool_version = version("triagebench")
    except PackageNotFoundError:
        tool_version = "unknown"
    connection.executescript(SCHEMA)
    connection.executemany("INSERT INTO meta VALUES (?, ?)", [
        ("created_at", datetime.now(UTC).isoformat(timespec="seconds")),
        ("files", str(report.files)), ("scanned", str(report.scanned)),
        ("tool_version", tool_version),
    ])
    file_ids: dict[str, int] = {}
    for file_id, record in enumerate(records, 1):
        file_ids[record.path] = file_id
        connection.execute(
            "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (file_id, record.path, record.format, record.lines,
             record.facts.get("os.version"), record.facts.get("device.type"),
             record.facts.get("arch"), record.facts.get("supervisor.version"),
             record.suspicious, record.unexplained, record.error))
        connection.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?)", [
            (file_id, m.id, m.severity, m.title, json.dumps(m.evidence_lines))
            for m in record.matches])
    for template_id, item in enumerate(report.templates, 1):
        connection.execute("INSERT INTO templates VALUES (?, ?, ?, ?, ?, ?, ?)", (
            template_id, item.section, item.template, item.regex, item.files, item.lines,
            json.dumps(item.examples)))
        connection.executemany("INSERT INTO template_files VALUES (?, ?, ?, ?)", [
            (template_id, file_ids[path], count, json.dumps(lines))
            for path, (count, lines) in item.by_file.items() if path in file_ids])


__all__ = [
    "DatabaseExistsError", "FileRecord", "FleetReport", "FleetTemplate", "MatchRecord",
    "PatternStat", "ScanOptions", "TemplateRecord", "aggregate", "expand_paths", "file_ref",
    "init_worker", "library_for", "scan_file", "write_sqlite",
]
