"""Fleet scan: many diagnostics files -> per-device pattern prevalence, device state and
unexplained templates, incrementally, on a process pool or a Dask cluster.

Why: a fleet owner needs to know which known problems are common right now (and on
which OS versions and device types), whether that is getting better between runs, and
which unexplained error lines recur across devices (the next heuristics to write).
Ranking is by *devices*, so one chatty device or one device captured every day cannot
dominate.

The work travels (any scheduler runs the same pure functions):

* ``scan_file(path, options, library)`` / ``scan_bytes(name, data, options, library)``
  parse, evaluate and mine one capture into a small ``FileRecord`` (never raises: a
  bad file gives a record with ``error`` set).
* ``scan_batch(items, options, library)`` scans a few files and returns their records
  (without templates) plus one ``Partial``: mergeable aggregates (captures per pattern x
  status x OS x device type, device-state items per state, unexplained templates with
  file/line counts and examples). The library is *shipped by value* (pickled once to each
  worker), never rebuilt from folder paths on a worker.
* ``merge_partials(a, b)`` merges two partials (templates re-mined so the same message
  mined differently in two files lands in one template, capped at ``MAX_TEMPLATES``).
  ``TreeReducer`` merges them in batch order as a binary tree, so the driver holds at
  most log2(batches) partials and every scheduler gives the same result.
* ``run_fleet`` drives it: hashes the inputs, skips those already in the store
  (``services.fleet_store``, keyed by content hash), scans the new ones on a
  ``Backend`` (``PoolBackend`` here, ``fleet_dask.DaskBackend``), writes each batch's
  records to the store as they arrive and merges the reduced partial into the store's
  aggregates. Ctrl-C stops submitting, keeps every finished batch and commits.

The report (``fleet_store.Store.summary``) is computed from the store in SQL: a device's
state is its latest capture (optionally only captures at or after ``since``).
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from triagebench.heuristics.mining import TemplateMiner
from triagebench.heuristics.model import Finding
from triagebench.parser import InputError
from triagebench.services.analysis import AnalysisOptions, analyse, find_unexplained
from triagebench.services.library import LibraryOptions
from triagebench.services.library import load as load_library

if TYPE_CHECKING:
    from triagebench.heuristics.format import Library
    from triagebench.parser import Document
    from triagebench.services.fleet_store import Store

FACTS = ("os.version", "device.type", "arch", "supervisor.version")
UNKNOWN = "unknown"
DIAGNOSTIC_SUFFIXES = {".txt", ".log", ".gz", ".xz", ".bz2", ".zst", ".zip", ".json"}
"""What a folder walk takes (plus files without an extension): every input kind the
reader reads (``parser/reader.py``); a ``.json`` only when it looks like health checks."""
CHECKS_HINTS = (b'"diagnose_version"', b'"checks"')
NOT_DIAGNOSTICS = {"readme", "license", "licence", "copying", "notice", "makefile", "citation",
                   "authors", "changelog", "dockerfile", "ground_truth"}
MAX_TEMPLATES = 2000
"""Templates a partial keeps after a merge (most files first): bounds the memory of every
partial, so the driver and the reducing workers stay flat as the fleet grows."""
ACTIVE = "active"
PAST = "past"  # recovered or historical: happened, but the device is not in it now


# --- records -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ScanOptions:
    """What every worker needs besides the library: how much to keep per file."""

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
    severity: str  # the severity shown (history severity when not active)
    title: str
    evidence_lines: list[int] = field(default_factory=list)
    status: str = ACTIVE  # active | recovered | historical
    base_severity: str = ""  # the heuristic's own severity


@dataclass(slots=True)
class TemplateRecord:
    section: str | None
    template: str
    count: int
    example_lines: list[int] = field(default_factory=list)


@dataclass(slots=True)
class FileRecord:
    """What one capture contributes (small and picklable)."""

    path: str
    facts: dict[str, Any] = field(default_factory=dict)
    format: str | None = None
    lines: int = 0
    matches: list[MatchRecord] = field(default_factory=list)
    templates: list[TemplateRecord] = field(default_factory=list)
    state: dict[str, str] = field(default_factory=dict)  # device-state item -> state
    device_id: str | None = None
    captured_at: str | None = None  # UTC, "YYYY-MM-DDTHH:MM:SSZ"
    hash: str = ""
    suspicious: int = 0
    unexplained: int = 0
    heuristic_errors: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One capture to scan: a path the worker can read, or its bytes (``data``)."""

    path: str
    hash: str
    data: bytes | None = None


# --- per-process library ---------------------------------------------------------------
_LIBRARIES: dict[LibraryOptions, Library] = {}
_LIBRARY_LOADS = 0  # how many times this process loaded a library (tests check "once")
_SHIPPED: Library | None = None  # the library a pool worker received by value


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


def init_worker(library: Library) -> None:
    """Pool initializer: keep the library shipped by value; Ctrl-C is the driver's job."""
    global _SHIPPED
    _SHIPPED = library
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# --- identity of a capture ----------------------------------------------------------------
_UUID_RE = re.compile(r'"uuid"\s*:\s*"([0-9a-fA-F]{7,64})"')
_ISO_RE = re.compile(r"^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.\d+)?\s*(Z|[+-]\d\d:?\d\d)?$")


def device_id_of(document: Document) -> str | None:
    """The device UUID from the capture's ``config.json`` section, if it shows one."""
    for section in document.sections:
        if "config.json" not in section.key:
            continue
        for number in section.output_line_numbers("stdout"):
            match = _UUID_RE.search(document.lines[number - 1][:500])
            if match:
                return match.group(1).lower()
    return None


def normalise_time(text: object) -> str | None:
    """``YYYY-MM-DDTHH:MM:SSZ`` (UTC) from an ISO-like or ``date`` output; None if unsure."""
    if not isinstance(text, str) or len(text) > 80:
        return None
    value = text.strip()
    match = _ISO_RE.match(value)
    try:
        if match:
            zone = match.group(3) or "+00:00"
            zone = "+00:00" if zone == "Z" else zone
            moment = datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}{zone}")
        else:
            moment = datetime.strptime(" ".join(value.split()), "%a %b %d %H:%M:%S %Z %Y")
            moment = moment.replace(tzinfo=UTC)
    except ValueError:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def hash_file(path: str) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --- one file --------------------------------------------------------------------------
def _evidence_lines(finding: Finding, limit: int) -> list[int]:
    return [item.line for item in finding.evidence[:limit]]


def _document_from_bytes(name: str, data: bytes) -> Document:
    """Parse a capture held in memory (compressed captures go through a temporary file,
    so the parser's decompression limits apply unchanged)."""
    import tempfile

    from triagebench.parser import parse_file, parse_raw
    from triagebench.parser.decompress import sniff
    from triagebench.parser.reader import RawLines, decode, looks_binary

    if sniff(data[:512]):
        with tempfile.TemporaryDirectory(prefix="triage-fleet-") as folder:
            target = Path(folder) / Path(name).name
            target.write_bytes(data)
            document = parse_file(str(target))
            document.path = name
            return document
    if looks_binary(data):
        raise InputError(name, "looks like a binary file, not diagnostics text")
    from triagebench.parser import split_lines

    text, replaced = decode(data)
    lines, final_newline = split_lines(text)
    return parse_raw(RawLines(name, lines, final_newline, len(data), replaced))


def _scan(source: str | Document, name: str, options: ScanOptions,
          library: Library | None) -> FileRecord:
    started = time.perf_counter()
    record = FileRecord(path=name)
    try:
        library = library or library_for(options)
        analysis = analyse(source, AnalysisOptions(options.library, unexplained=False),
                           library=library)
        document, findings = analysis.document, analysis.findings
        record.format = document.format
        record.lines = document.line_count
        record.facts = {name: document.facts.get(name) for name in FACTS}
        record.device_id = device_id_of(document)
        record.captured_at = normalise_time(document.facts.get("captured_at"))
        record.matches = [MatchRecord(f.id, f.severity, f.title,
                                      _evidence_lines(f, options.max_examples),
                                      f.status, f.base_severity)
                          for f in findings.matches]
        record.heuristic_errors = [f"{e.heuristic}: {e.message}" for e in findings.errors]
        if document.format != "health-checks":
            from triagebench.services.state import device_state

            record.state = {item.key: item.state for item in device_state(document).items}
        unexplained = find_unexplained(document, findings,
                                       TemplateMiner(max_refs=options.max_examples))
        record.suspicious = len(unexplained.suspicious)
        record.unexplained = len(unexplained.lines)
        record.templates = [TemplateRecord(next(iter(t.sections), None) if t.sections else None,
                                           t.template, t.count, [r for r in t.refs if r])
                            for t in unexplained.templates[: options.max_templates]]
    except InputError as exc:
        record.error = str(exc)
    except (OSError, MemoryError, RecursionError, ValueError, UnicodeError) as exc:
        record.error = f"{name}: {type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001 - a fleet scan must survive any one bad file
        record.error = f"{name}: internal error: {type(exc).__name__}: {exc}"
    record.seconds = time.perf_counter() - started
    return record


def scan_file(path: str, options: ScanOptions = ScanOptions(),  # noqa: B008
              library: Library | None = None) -> FileRecord:
    """Parse, evaluate and mine the capture at ``path`` (``services.analysis``, the
    pipeline every front-end uses). Never raises: problems go to ``error``."""
    return _scan(str(path), str(path), options, library)


def scan_bytes(name: str, data: bytes, options: ScanOptions = ScanOptions(),  # noqa: B008
               library: Library | None = None) -> FileRecord:
    """``scan_file`` for a capture held in memory (sent to a worker that cannot read the
    driver's disk); ``name`` is what the report shows."""
    started = time.perf_counter()
    try:
        document = _document_from_bytes(name, data)
    except InputError as exc:
        return FileRecord(path=name, error=str(exc), seconds=time.perf_counter() - started,
                          hash=content_hash(data))
    record = _scan(document, name, options, library)
    record.hash = content_hash(data)
    return record


# --- partial aggregates --------------------------------------------------------------------
@dataclass(slots=True)
class TemplateCount:
    """One unexplained template across some files."""

    section: str | None
    template: str
    files: int
    lines: int
    examples: list[str]  # FILE#L123, the first few in path order


@dataclass(slots=True)
class Partial:
    """Mergeable aggregates of some captures (order of merging does not change counts)."""

    files: int = 0
    scanned: int = 0
    patterns: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)
    """(pattern id, ``active``/``past``, OS version, device type) -> captures."""
    titles: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (title, severity)
    states: Counter[tuple[str, str]] = field(default_factory=Counter)  # (item, state) -> captures
    templates: list[TemplateCount] = field(default_factory=list)


def file_ref(path: str, line: int) -> str:
    """``FILE#L123``: the one line-reference form, with the file's base name."""
    return f"{os.path.basename(path) or path}#L{line}"


def fact(record: FileRecord, name: str) -> str:
    value = record.facts.get(name)
    return UNKNOWN if value in (None, "") else str(value)


def status_class(status: str) -> str:
    return ACTIVE if status == ACTIVE else PAST


def _template_sort_key(item: TemplateCount) -> tuple[int, int, str, str]:
    return (-item.files, -item.lines, item.section or "", item.template)


def mine_templates(templates: Sequence[TemplateCount], max_examples: int = 3) -> list[TemplateCount]:
    """Re-mine templates of several files (same section only) into fleet templates."""
    miner = TemplateMiner(sim_threshold=0.6, masks=[], strip_prefixes=False, max_refs=None)
    for index, item in enumerate(templates):
        miner.add(item.template, index, group=item.section, count=item.lines)
    out = []
    for mined in miner.templates():
        parts = [templates[i] for i in mined.refs]
        examples = sorted({e for part in parts for e in part.examples})
        out.append(TemplateCount(mined.group, mined.template, sum(p.files for p in parts),
                                 mined.count, examples[:max_examples]))
    out.sort(key=_template_sort_key)
    return out[:MAX_TEMPLATES]


def partial_of(records: Iterable[FileRecord], max_examples: int = 3) -> Partial:
    """The aggregates of some records (their templates count one file each)."""
    partial = Partial()
    templates: list[TemplateCount] = []
    for record in records:
        partial.files += 1
        if record.error is not None:
            continue
        partial.scanned += 1
        os_version, device = fact(record, "os.version"), fact(record, "device.type")
        for match in record.matches:
            partial.patterns[(match.id, status_class(match.status), os_version, device)] += 1
            partial.titles.setdefault(match.id, (match.title, match.base_severity
                                                 or match.severity))
        for key, state in record.state.items():
            partial.states[(key, state)] += 1
        for item in record.templates:
            templates.append(TemplateCount(item.section, item.template, 1, item.count,
                                           [file_ref(record.path, line)
                                            for line in item.example_lines[:1]]))
    partial.templates = mine_templates(templates, max_examples)
    return partial


def merge_partials(a: Partial, b: Partial, max_examples: int = 3) -> Partial:
    """``a`` and ``b`` merged (pure: neither is changed)."""
    titles = dict(b.titles)
    titles.update(a.titles)
    return Partial(a.files + b.files, a.scanned + b.scanned, a.patterns + b.patterns,
                   dict(sorted(titles.items())), a.states + b.states,
                   mine_templates([*a.templates, *b.templates], max_examples))


H = TypeVar("H")


class TreeReducer(Generic[H]):
    """Merge values pushed in order as a balanced binary tree (a binary counter).

    Holds at most log2(n) values; ``merge`` may return a handle to a value being computed
    elsewhere (a Dask future), so the tree is the same whatever runs it."""

    def __init__(self, merge: Callable[[H, H], H]) -> None:
        self._merge = merge
        self._stack: list[tuple[int, H]] = []

    def push(self, value: H) -> None:
        level = 0
        while self._stack and self._stack[-1][0] == level:
            _, left = self._stack.pop()
            value = self._merge(left, value)
            level += 1
        self._stack.append((level, value))

    @property
    def held(self) -> int:
        """How many partial results the reducer holds right now."""
        return len(self._stack)

    def fold(self) -> H | None:
        """The merge of everything pushed (None when nothing was)."""
        if not self._stack:
            return None
        value = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            value = self._merge(left, value)
        return value


# --- batches ------------------------------------------------------------------------------
@dataclass(slots=True)
class BatchResult:
    records: list[FileRecord]  # without templates: those are in ``partial``
    partial: Partial


def scan_batch(items: Sequence[WorkItem], options: ScanOptions, library: Library) -> BatchResult:
    """Scan ``items`` with ``library``; records for the store plus one partial aggregate."""
    records = []
    for item in items:
        if item.data is not None:
            record = scan_bytes(item.path, item.data, options, library)
        else:
            record = scan_file(item.path, options, library)
        record.hash = item.hash
        records.append(record)
    partial = partial_of(records, options.max_examples)
    for record in records:
        record.templates = []
    return BatchResult(records, partial)


def _pool_batch(items: Sequence[WorkItem], options: ScanOptions) -> BatchResult:
    """``scan_batch`` in a pool worker, with the library ``init_worker`` received."""
    return scan_batch(items, options, _SHIPPED or library_for(options))


class Backend(Protocol[H]):
    """Runs batches somewhere and merges partials there."""

    def map(self, batches: Sequence[Sequence[WorkItem]]) -> Iterator[tuple[list[FileRecord], H]]:
        """(records, partial handle) per batch, in batch order."""
        ...

    def merge(self, a: H, b: H) -> H: ...

    def result(self, handle: H) -> Partial: ...

    def cancel(self) -> None:
        """Stop pending batches (Ctrl-C); merging what finished must still work."""
        ...

    def close(self) -> None: ...


class PoolBackend:
    """The default: a local process pool (or this process with ``jobs=1``)."""

    def __init__(self, options: ScanOptions, library: Library, jobs: int) -> None:
        self.options = options
        self.library = library
        self.jobs = jobs
        self._pool = (ProcessPoolExecutor(max_workers=jobs, initializer=init_worker,
                                          initargs=(library,)) if jobs > 1 else None)

    def map(self, batches: Sequence[Sequence[WorkItem]]) -> Iterator[tuple[list[FileRecord],
                                                                              Partial]]:
        if self._pool is None:
            for batch in batches:
                result = scan_batch(batch, self.options, self.library)
                yield result.records, result.partial
            return
        window = self.jobs * 3  # batches in flight: bounded driver memory
        pending: dict[int, Future[BatchResult]] = {}
        submitted = 0
        for index in range(len(batches)):
            while submitted < len(batches) and submitted < index + window:
                pending[submitted] = self._pool.submit(_pool_batch, batches[submitted],
                                                       self.options)
                submitted += 1
            result = pending.pop(index).result()
            yield result.records, result.partial

    def merge(self, a: Partial, b: Partial) -> Partial:
        return merge_partials(a, b, self.options.max_examples)

    def result(self, handle: Partial) -> Partial:
        return handle

    def cancel(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        self.cancel()


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


@dataclass(slots=True)
class RunStats:
    """What one run did (the report's ``run`` block)."""

    inputs: int = 0
    known: int = 0  # already in the store (same content), not scanned again
    scanned: int = 0  # scanned in this run (errors included)
    errors: list[tuple[str, str]] = field(default_factory=list)  # first MAX_ERRORS
    error_count: int = 0
    interrupted: bool = False
    heuristic_errors: list[str] = field(default_factory=list)


MAX_ERRORS = 200
Progress = Callable[[int, int], None]  # (files done, files to scan)


def plan(paths: Sequence[str], store: Store, stats: RunStats,
         unreadable: Callable[[str, str], None]) -> list[WorkItem]:
    """The new captures among ``paths`` (content not in the store yet, each once)."""
    items: list[WorkItem] = []
    seen: set[str] = set()
    for path in paths:
        stats.inputs += 1
        try:
            info = os.stat(path)
            digest = store.cached_hash(path, info.st_size, info.st_mtime_ns)
            if digest is None:
                digest = hash_file(path)
                store.cache_hash(path, info.st_size, info.st_mtime_ns, digest)
        except OSError as exc:
            unreadable(path, f"{path}: cannot be read: {exc.strerror or exc}")
            continue
        if digest in seen or store.has_capture(digest):
            stats.known += 1
            continue
        seen.add(digest)
        items.append(WorkItem(path, digest))
    return items


def run_fleet(paths: Sequence[str], store: Store, backend: Backend[Any], batch_size: int = 8,
              progress: Progress | None = None) -> RunStats:
    """Scan the new captures among ``paths`` on ``backend`` into ``store`` (see the module
    docstring). Ctrl-C (``KeyboardInterrupt``) stops cleanly: finished batches are kept."""
    stats = RunStats()

    def unreadable(path: str, message: str) -> None:
        stats.error_count += 1
        if len(stats.errors) < MAX_ERRORS:
            stats.errors.append((path, message))

    run_id = store.begin_run()
    reducer: TreeReducer[Any] = TreeReducer(backend.merge)
    heuristic_errors: set[str] = set()
    try:
        try:
            items = plan(paths, store, stats, unreadable)
            batches = [items[i:i + batch_size] for i in range(0, len(items), batch_size)]
            done = 0
            if progress:
                progress(0, len(items))
            for records, handle in backend.map(batches):
                store.add_records(records, run_id)
                reducer.push(handle)
                for record in records:
                    stats.scanned += 1
                    if record.error is not None:
                        unreadable(record.path, record.error)
                    heuristic_errors.update(record.heuristic_errors)
                done += len(records)
                if progress:
                    progress(done, len(items))
        except KeyboardInterrupt:
            stats.interrupted = True
            backend.cancel()
        total = reducer.fold()
        if total is not None:
            store.merge_partial(backend.result(total))
        stats.heuristic_errors = sorted(heuristic_errors)
        store.finish_run(run_id, stats)
    except BaseException:
        store.rollback()
        raise
    finally:
        backend.close()
    return stats


__all__ = [
    "ACTIVE", "MAX_TEMPLATES", "PAST", "Backend", "BatchResult", "FileRecord", "MatchRecord",
    "Partial", "PoolBackend", "RunStats", "ScanOptions", "TemplateCount", "TemplateRecord",
    "TreeReducer", "WorkItem", "content_hash", "device_id_of", "expand_paths", "file_ref",
    "hash_file", "init_worker", "library_for", "merge_partials", "mine_templates", "normalise_time",
    "partial_of", "plan", "run_fleet", "scan_batch", "scan_bytes", "scan_file",
]
