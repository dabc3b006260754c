"""Heuristic files: the loader and the strict linter.

One TOML file per heuristic, file stem == ``id`` (format: ``docs/heuristic-format.md``).
Authors write these by hand, so every problem is reported as one line
``FILE: KEY: what is wrong`` (``LintMessage``), and a file with an error is
skipped while the rest of the library still loads (``Library.problems``).

Beyond the format document, decided here:

* ``in`` may be omitted on a ``regex``/``extract`` signal: it then means ``["*"]``.
* ``extract`` reads the *first* capture group of the *first* matching line, in
  document order (sections in file order, stdout before stderr).
* A ``fact``/``extract`` signal may carry several comparators; all must hold
  (``at_least = "2.84.0"`` + ``below = "2.98.4"`` is a range). The comparators and
  their threshold checks are the registry in ``comparators.py``.
* ``[[examples]]`` may have an optional ``name`` (shown when it fails).
* Version thresholds (``below`` ... ``equals``) must be readable as a version or
  a number; ``fixed_in`` must be a version.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triagebench.parser.document import CATEGORIES
from triagebench.parser.times import parse_iso

from .comparators import COMPARATORS, OPERATORS, Threshold, compile_pattern
from .guards import nesting_problem, permalink_problem
from .model import SEVERITIES
from .prefilter import Prefilter, pure_literal, required_literals
from .when import Node, WhenError, all_of, names_used, parse_when, positive_names

if TYPE_CHECKING:
    import regex

# The TOML reader, the regex engine, the version parser (semver), the fact names and the
# selector checks are imported where a library is loaded, not with the module: the
# workbench unpickles the child's findings (their Heuristic objects) with this module
# before its first frame, and those imports are ~15 ms it does not need there.

TIME_KEYS = ("within", "boot", "burst")
TOP_KEYS = ("id", "title", "severity", "permalink", "description", "remedy", "tags", "when",
            "fixed_in", *TIME_KEYS, "recovered_by", "active_within", "history_severity",
            "signals", "examples")
REQUIRED_TOP = ("id", "title", "severity", "permalink", "description", "signals")
SCALAR_TOP = ("id", "title", "severity", "permalink", "description", "remedy", "when", "fixed_in",
              "recovered_by", "active_within", "history_severity")
SIGNAL_KEYS = ("in", "stream", "regex", "min_count", "absent", "missing", *TIME_KEYS, "fact", "extract", *COMPARATORS)
EXAMPLE_KEYS = ("matches", "facts", "sections", "stderr", "name", "captured", "status", "severity")
STATUSES = ("active", "recovered", "historical")
BOOTS = ("current",)
DEFAULT_ACTIVE_WITHIN = 86400.0
DEFAULT_HISTORY_SEVERITY = "low"
_DURATION_RE = re.compile(r"([1-9][0-9]{0,5})([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
STREAMS = ("stdout", "stderr", "any")

BUILTIN_DIR = Path(__file__).resolve().parent / "library"


@dataclass(frozen=True, slots=True)
class LintMessage:
    """One problem: ``FILE: KEY: what is wrong``; ``level`` is ``error`` or ``warning``."""

    file: str
    key: str
    message: str
    level: str = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.level == "warning" else ""
        return f"{self.file}: {self.key}: {prefix}{self.message}"


@dataclass(slots=True)
class Comparator:
    """One comparator of a fact/extract signal: its operator (a key of
    ``comparators.OPERATORS``), its threshold and, for ``matches``, the compiled pattern."""

    op: str
    value: Threshold
    compiled: regex.Pattern[str] | None = None  # read it through ``pattern_of``

    def __getstate__(self) -> dict[str, Any]:
        return _state_without_compiled(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        _restore_state(self, state)


@dataclass(slots=True)
class Signal:
    """One named signal of a heuristic; ``kind`` is ``regex``, ``fact`` or ``extract``."""

    name: str
    kind: str
    selectors: tuple[str, ...] = ("*",)
    stream: str = "any"
    pattern: str | None = None
    compiled: regex.Pattern[str] | None = None
    min_count: int = 1
    absent: bool = False
    missing_false: bool = False  # ``missing = "false"``: no selected section reads false
    fact: str | None = None
    comparators: tuple[Comparator, ...] = ()
    prefilter: Prefilter | None = None
    literal: str | None = None  # the pattern is this plain text: searched with str.find
    within: float | None = None  # seconds before the capture; older lines do not count
    boot: str | None = None  # "current": lines of earlier boots do not count
    burst: float | None = None  # seconds: hits closer than this to the previous one are one event

    def __getstate__(self) -> dict[str, Any]:
        return _state_without_compiled(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        _restore_state(self, state)


def _state_without_compiled(item: Signal | Comparator) -> dict[str, Any]:
    """The pickled state of a signal or comparator: every field but the compiled
    pattern, so unpickling a library (the cache, a fleet worker) compiles nothing;
    ``pattern_of`` compiles it again on first use."""
    return {name: getattr(item, name) for name in item.__slots__ if name != "compiled"}


def _restore_state(item: Signal | Comparator, state: dict[str, Any]) -> None:
    item.compiled = None
    for name, value in state.items():
        setattr(item, name, value)


def pattern_of(item: Signal | Comparator) -> regex.Pattern[str] | None:
    """The compiled pattern of a ``regex``/``extract`` signal or a ``matches`` comparator
    (None for anything else): the loader's, or compiled now from the pattern text with the
    loader's ``compile_pattern`` and kept on the item. The one way to read ``.compiled``:
    an unpickled library has none until a search needs one. Two threads racing here both
    compile the same text and store equal patterns, which is harmless."""
    found = item.compiled
    if found is None:
        if isinstance(item, Signal):
            text: object = item.pattern if item.kind != "fact" else None
        else:
            text = item.value if item.op == "matches" else None
        if isinstance(text, str):
            found = compile_pattern(text).pattern
            item.compiled = found
    return found


@dataclass(slots=True)
class Example:
    """An embedded test: a tiny document (sections, stderr, facts) and the expected result."""

    number: int
    matches: bool
    facts: dict[str, Any] = field(default_factory=dict)
    sections: dict[str, list[str]] = field(default_factory=dict)
    stderr: dict[str, list[str]] = field(default_factory=dict)
    name: str = ""
    captured: datetime | None = None
    status: str | None = None  # expected finding status, checked when set
    severity: str | None = None  # expected effective severity, checked when set


@dataclass(slots=True)
class Heuristic:
    """A loaded, validated heuristic; ``when_node`` is the parsed ``when``."""

    id: str
    title: str
    severity: str
    permalink: str
    description: str
    remedy: str
    tags: list[str]
    when: str
    when_node: Node
    signals: dict[str, Signal]
    examples: list[Example]
    source: str
    draft: bool = False
    fixed_in: str | None = None
    recovered_by: tuple[str, ...] = ()
    active_within: float = DEFAULT_ACTIVE_WITHIN
    history_severity: str = DEFAULT_HISTORY_SEVERITY

    @property
    def positive_signals(self) -> set[str]:
        """Signals whose evidence explains a match (not under ``not``)."""
        return positive_names(self.when_node)


def parse_duration(value: object) -> float | None:
    """``"90s"``, ``"30m"``, ``"24h"``, ``"7d"`` -> seconds; anything else -> None."""
    if not isinstance(value, str):
        return None
    match = _DURATION_RE.fullmatch(value)
    if not match:
        return None
    return float(int(match.group(1)) * _UNITS[match.group(2)])


def _check_duration(check: _Checker, key: str, value: object) -> float | None:
    seconds = parse_duration(value)
    if seconds is None:
        check.error(key, f"must be a duration like \"90s\", \"30m\", \"24h\" or \"7d\" (got {value!r})")
    return seconds


def _load_time_keys(check: _Checker, prefix: str, data: dict[str, Any], signal: Signal) -> None:
    """``within`` / ``boot`` / ``burst`` of a signal (or the top-level defaults)."""
    if "within" in data:
        signal.within = _check_duration(check, f"{prefix}within", data["within"])
    if "burst" in data:
        signal.burst = _check_duration(check, f"{prefix}burst", data["burst"])
    if "boot" in data:
        if data["boot"] not in BOOTS:
            check.error(f"{prefix}boot", f"must be \"current\" (got {data['boot']!r})")
        else:
            signal.boot = data["boot"]


@dataclass(slots=True)
class Library:
    """Loaded heuristics plus the problems of files that were skipped."""

    heuristics: list[Heuristic] = field(default_factory=list)
    problems: list[LintMessage] = field(default_factory=list)

    def by_id(self, heuristic_id: str) -> Heuristic | None:
        for heuristic in self.heuristics:
            if heuristic.id == heuristic_id:
                return heuristic
        return None

    def __len__(self) -> int:
        return len(self.heuristics)

    def __iter__(self):
        return iter(self.heuristics)


def display_path(path: Path | str) -> str:
    """A path as shown in messages: relative to the working directory when inside it."""
    text = str(path)
    try:
        rel = os.path.relpath(text)
    except ValueError:
        return text
    return text if rel.startswith("..") else rel


class _Checker:
    """Collects messages for one file while building the Heuristic."""

    def __init__(self, file: str):
        self.file = file
        self.messages: list[LintMessage] = []

    def error(self, key: str, message: str) -> None:
        self.messages.append(LintMessage(self.file, key, message))

    @property
    def failed(self) -> bool:
        return any(m.level == "error" for m in self.messages)


def _check_keys(check: _Checker, table_label: str, data: dict[str, Any], allowed: Sequence[str],
                key_prefix: str) -> None:
    """Report the keys of a table that do not belong there: first top-level keys that TOML
    put inside it (written below a ``[table]`` header), then unknown keys."""
    misplaced = {key for key in data if key in SCALAR_TOP and key not in allowed}
    for key in data:
        if key in misplaced:
            check.error(f"{key_prefix}.{key}",
                        f"key '{key}' is inside {table_label}: move it above the first [table]")
    for key in data:
        if key not in allowed and key not in misplaced:
            check.error(f"{key_prefix}.{key}", f"unknown key (allowed: {', '.join(allowed)})")


def _check_regex(check: _Checker, key: str, pattern: Any) -> regex.Pattern[str] | None:
    checked = compile_pattern(pattern)
    if checked.problem:
        check.error(key, checked.problem)
    return checked.pattern


def _load_signal(check: _Checker, name: str, data: Any) -> Signal | None:
    from triagebench.parser.facts import FACT_NAMES

    from .selectors import selector_problem

    prefix = f"signals.{name}"
    if not isinstance(data, dict):
        check.error(prefix, "must be a table ([signals.NAME])")
        return None
    _check_keys(check, f"[signals.{name}]", data, SIGNAL_KEYS, prefix)
    sources = [k for k in ("regex", "fact", "extract") if k in data]
    if len(sources) != 1:
        what = "none" if not sources else " and ".join(sources)
        check.error(prefix, f"needs exactly one of regex / fact / extract (has {what})")
        return None
    kind = sources[0]
    signal = Signal(name=name, kind=kind)
    comparators = [k for k in COMPARATORS if k in data]

    if kind in ("regex", "extract"):
        selectors = data.get("in", ["*"])
        if isinstance(selectors, str):
            selectors = [selectors]
        if not isinstance(selectors, list) or not selectors:
            check.error(f"{prefix}.in", "must be a non-empty list of section selectors")
        else:
            for selector in selectors:
                problem = selector_problem(selector)
                if problem:
                    check.error(f"{prefix}.in", problem)
                elif selector.startswith("category:"):
                    category = selector[len("category:"):].strip().upper()
                    if category not in CATEGORIES:
                        check.error(f"{prefix}.in", f"unknown category {category!r} "
                                    f"(known: {', '.join(CATEGORIES)})")
            signal.selectors = tuple(s for s in selectors if isinstance(s, str))
        stream = data.get("stream", "any")
        if stream not in STREAMS:
            check.error(f"{prefix}.stream", f"must be one of {', '.join(STREAMS)} (got {stream!r})")
        else:
            signal.stream = stream
        signal.pattern = data[kind] if isinstance(data[kind], str) else None
        signal.compiled = _check_regex(check, f"{prefix}.{kind}", data[kind])
        if signal.compiled is not None:
            signal.prefilter = required_literals(signal.pattern or "")
            if kind == "regex":
                signal.literal = pure_literal(signal.pattern or "")
    else:
        for key in ("in", "stream"):
            if key in data:
                check.error(f"{prefix}.{key}", "a fact signal reads a document fact, not sections: remove it")
        fact = data["fact"]
        if not isinstance(fact, str) or fact not in FACT_NAMES:
            check.error(f"{prefix}.fact", f"unknown fact {fact!r} (known: {', '.join(FACT_NAMES)})")
        else:
            signal.fact = fact

    if kind == "regex":
        if comparators:
            check.error(f"{prefix}.{comparators[0]}", "comparators need fact or extract, not regex")
        min_count = data.get("min_count", 1)
        if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
            check.error(f"{prefix}.min_count", f"must be a whole number >= 1 (got {min_count!r})")
        else:
            signal.min_count = min_count
        absent = data.get("absent", False)
        if not isinstance(absent, bool):
            check.error(f"{prefix}.absent", f"must be true or false (got {absent!r})")
        else:
            signal.absent = absent
        missing = data.get("missing", "unknown")
        if missing not in ("unknown", "false"):
            check.error(f"{prefix}.missing", f'must be "unknown" or "false" (got {missing!r})')
        else:
            signal.missing_false = missing == "false"
        _load_time_keys(check, f"{prefix}.", data, signal)
    else:
        for key in ("min_count", "absent", "missing", *TIME_KEYS):
            if key in data:
                check.error(f"{prefix}.{key}", f"only a regex signal takes {key}")
        if kind == "extract" and signal.compiled is not None and signal.compiled.groups < 1:
            check.error(f"{prefix}.extract", "needs a capture group: the first group is the value read")
        if not comparators:
            check.error(prefix, f"a {kind} signal needs a comparator ({', '.join(COMPARATORS)})")
        built = []
        for op in comparators:
            checked = OPERATORS[op].validate(data[op])
            if checked.problem:
                check.error(f"{prefix}.{op}", checked.problem)
            else:
                built.append(Comparator(op, data[op], checked.pattern))
        signal.comparators = tuple(built)
    return signal


def _load_example(check: _Checker, number: int, data: Any,
                  signals: dict[str, Signal]) -> Example | None:
    from triagebench.parser.facts import FACT_NAMES

    prefix = f"examples[{number}]"
    if not isinstance(data, dict):
        check.error(prefix, "must be a table ([[examples]])")
        return None
    _check_keys(check, f"[[examples]] #{number}", data, EXAMPLE_KEYS, prefix)
    example = Example(number=number, matches=True)
    matches = data.get("matches")
    if not isinstance(matches, bool):
        check.error(f"{prefix}.matches", "required: true or false")
    else:
        example.matches = matches
    name = data.get("name", "")
    if not isinstance(name, str):
        check.error(f"{prefix}.name", "must be a string")
    else:
        example.name = name
    if "captured" in data:
        captured = data["captured"]
        value = parse_iso(captured) if isinstance(captured, str) else None
        if isinstance(captured, datetime):
            value = captured if captured.tzinfo is not None else None
        if value is None:
            check.error(f"{prefix}.captured", "must be an ISO 8601 time with a zone, like "
                        f"\"2022-05-02T16:03:56Z\" (got {captured!r})")
        example.captured = value
    if "status" in data:
        if data["status"] not in STATUSES:
            check.error(f"{prefix}.status", f"must be one of {', '.join(STATUSES)} (got {data['status']!r})")
        else:
            example.status = data["status"]
    if "severity" in data:
        if data["severity"] not in SEVERITIES:
            check.error(f"{prefix}.severity", f"must be one of {', '.join(SEVERITIES)} (got {data['severity']!r})")
        else:
            example.severity = data["severity"]
    if (example.status or example.severity) and data.get("matches") is False:
        check.error(prefix, "status/severity describe a finding: only for matches = true")
    facts = data.get("facts", {})
    if not isinstance(facts, dict):
        check.error(f"{prefix}.facts", "must be a table of fact name -> value")
    else:
        for fact in facts:
            if fact not in FACT_NAMES:
                check.error(f"{prefix}.facts", f"unknown fact {fact!r} (known: {', '.join(FACT_NAMES)})")
        example.facts = dict(facts)
    for part in ("sections", "stderr"):
        table = data.get(part, {})
        if not isinstance(table, dict):
            check.error(f"{prefix}.{part}", "must be a table of section key -> list of lines")
            continue
        clean: dict[str, list[str]] = {}
        for key, lines in table.items():
            if key in SCALAR_TOP and not isinstance(lines, list):
                check.error(f"{prefix}.{part}.{key}",
                            f"key '{key}' is inside [examples.{part}]: move it above the first [table]")
                continue
            if isinstance(lines, str):
                lines = lines.split("\n")
            if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
                check.error(f"{prefix}.{part}.{key}", "must be a list of lines (strings)")
                continue
            if any("\n" in x for x in lines):
                lines = [piece for x in lines for piece in x.split("\n")]
            clean[key] = lines
        setattr(example, part, clean)
    if not example.sections and not example.stderr and not example.facts:
        check.error(prefix, "needs sections, stderr or facts to test against")
    return example


def load_file(path: Path | str, *, draft: bool = False) -> tuple[Heuristic | None, list[LintMessage]]:
    """Load and validate one heuristic file; ``None`` (and the reasons) when it has errors."""
    path = Path(path)
    file = display_path(path)
    check = _Checker(file)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        check.error("file", f"cannot read: {exc.strerror or exc}")
        return None, check.messages
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        check.error("file", f"not UTF-8 (byte {exc.start})")
        return None, check.messages
    import tomllib

    import regex

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        check.error("toml", f"invalid TOML: {exc}")
        return None, check.messages
    except RecursionError:
        check.error("toml", "invalid TOML: nested too deep")
        return None, check.messages
    problem = nesting_problem(data)
    if problem:
        check.error("toml", problem)
        return None, check.messages
    try:
        return _build(check, data, path, draft)
    except (RecursionError, ValueError, OverflowError, TypeError, MemoryError, regex.error) as exc:
        # A last line of defence: one hostile file is reported and skipped, the
        # rest of the library still loads.
        check.error("file", f"cannot be loaded ({type(exc).__name__}: {str(exc)[:200]})")
        return None, check.messages


def _build(check: _Checker, data: dict[str, Any], path: Path,
           draft: bool) -> tuple[Heuristic | None, list[LintMessage]]:
    from .versions import parse_version

    for key in data:
        if key not in TOP_KEYS:
            check.error(key, f"unknown key (allowed: {', '.join(TOP_KEYS)})")
    raw_signals = data.get("signals")
    misplaced_top: set[str] = set()
    if isinstance(raw_signals, dict):
        for table in raw_signals.values():
            if isinstance(table, dict):
                misplaced_top.update(k for k in table if k in SCALAR_TOP)
    raw_examples = data.get("examples", [])
    if isinstance(raw_examples, list):
        for table in raw_examples:
            if isinstance(table, dict):
                misplaced_top.update(k for k in table if k in SCALAR_TOP and k not in EXAMPLE_KEYS)
                for part in ("sections", "stderr"):
                    sub = table.get(part)
                    if isinstance(sub, dict):
                        misplaced_top.update(k for k, v in sub.items()
                                             if k in SCALAR_TOP and not isinstance(v, list))

    for key in REQUIRED_TOP:
        if key not in data and key not in misplaced_top:
            check.error(key, "required key is missing")

    def text_field(key: str, required: bool) -> str:
        value = data.get(key, "")
        if not isinstance(value, str):
            check.error(key, f"must be a string (got {type(value).__name__})")
            return ""
        if required and key in data and not value.strip():
            check.error(key, "must not be empty")
        return value.strip()

    hid = text_field("id", True)
    if hid and hid != path.stem:
        check.error("id", f"{hid!r} must equal the file name stem {path.stem!r}")
    title = text_field("title", True)
    severity = text_field("severity", True)
    if "severity" in data and severity not in SEVERITIES:
        check.error("severity", f"{severity!r} is not one of {', '.join(SEVERITIES)}")
    permalink = text_field("permalink", True)
    problem = permalink_problem(permalink) if permalink else None
    if problem:
        check.error("permalink", f"{permalink[:80]!r}: {problem}")
    description = text_field("description", True)
    remedy = text_field("remedy", False)
    tags = data.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        check.error("tags", "must be a list of strings")
        tags = []
    fixed_in = data.get("fixed_in")
    if fixed_in is not None and (not isinstance(fixed_in, str) or parse_version(fixed_in) is None):
        check.error("fixed_in", f"{fixed_in!r} is not a version string")
        fixed_in = None

    signals: dict[str, Signal] = {}
    if "signals" in data:
        if not isinstance(raw_signals, dict) or not raw_signals:
            check.error("signals", "needs at least one [signals.NAME] table")
        else:
            for name, table in raw_signals.items():
                signal = _load_signal(check, name, table)
                if signal is not None:
                    signals[name] = signal

    defaults = Signal(name="", kind="regex")
    _load_time_keys(check, "", data, defaults)
    for signal in signals.values():
        if signal.kind == "regex":
            signal.within = signal.within if signal.within is not None else defaults.within
            signal.boot = signal.boot if signal.boot is not None else defaults.boot
            signal.burst = signal.burst if signal.burst is not None else defaults.burst

    recovered_by = _recovered_by(check, data.get("recovered_by", []), raw_signals)
    active_within = DEFAULT_ACTIVE_WITHIN
    if "active_within" in data:
        active_within = _check_duration(check, "active_within", data["active_within"]) or active_within
    history_severity = data.get("history_severity", DEFAULT_HISTORY_SEVERITY)
    if history_severity not in SEVERITIES:
        check.error("history_severity", f"{history_severity!r} is not one of {', '.join(SEVERITIES)}")
        history_severity = DEFAULT_HISTORY_SEVERITY

    when_text = data.get("when")
    when_node: Node | None = None
    if when_text is not None:
        if not isinstance(when_text, str):
            check.error("when", "must be a string expression")
        elif isinstance(raw_signals, dict) and raw_signals:
            try:
                when_node = parse_when(when_text, list(raw_signals))
            except WhenError as exc:
                check.error("when", str(exc))
            else:
                used = names_used(when_node)
                for name in raw_signals:
                    if name in recovered_by and name in used:
                        check.error(f"signals.{name}", "listed in recovered_by, so it must not be "
                                    "used in 'when' (a recovery sign is not a symptom)")
                    elif name not in used and name not in recovered_by:
                        check.error(f"signals.{name}", "defined but not used in 'when' "
                                    "(or listed in recovered_by)")
    elif signals:
        symptoms = [name for name in signals if name not in recovered_by]
        if not symptoms:
            check.error("recovered_by", "lists every signal: 'when' would have nothing to test")
        else:
            when_node = all_of(symptoms)
            when_text = " and ".join(symptoms)

    examples: list[Example] = []
    if not isinstance(raw_examples, list):
        check.error("examples", "must be [[examples]] tables")
    else:
        for number, table in enumerate(raw_examples, start=1):
            example = _load_example(check, number, table, signals)
            if example is not None:
                examples.append(example)

    if check.failed or when_node is None:
        return None, check.messages
    heuristic = Heuristic(
        id=hid, title=title, severity=severity, permalink=permalink, description=description,
        remedy=remedy, tags=list(tags), when=str(when_text), when_node=when_node, signals=signals,
        examples=examples, source=display_path(path), draft=draft, fixed_in=fixed_in,
        recovered_by=recovered_by, active_within=active_within, history_severity=history_severity,
    )
    return heuristic, check.messages


def _recovered_by(check: _Checker, value: Any, raw_signals: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        check.error("recovered_by", "must be a list of signal names")
        return ()
    known = raw_signals if isinstance(raw_signals, dict) else {}
    for name in value:
        if name not in known:
            check.error("recovered_by", f"{name!r} is not a signal defined under [signals]")
    return tuple(v for v in value if v in known)


def heuristic_files(directory: Path, check_list: list[LintMessage]) -> list[Path]:
    """The heuristic files a source names (a folder's ``*.toml``, or one ``.toml`` file),
    sorted; a source that cannot be read adds a ``dir`` message to ``check_list``."""
    shown = display_path(directory)
    if not directory.exists():
        check_list.append(LintMessage(shown, "dir", "no such directory"))
        return []
    if not directory.is_dir():
        if directory.suffix == ".toml":
            return [directory]
        check_list.append(LintMessage(shown, "dir", "not a directory or .toml file"))
        return []
    try:
        return sorted(p for p in directory.glob("*.toml") if p.is_file())
    except OSError as exc:
        check_list.append(LintMessage(shown, "dir", f"cannot list: {exc.strerror or exc}"))
        return []


def _load(dirs: Iterable[tuple[Path, bool]]) -> tuple[Library, list[LintMessage]]:
    library = Library()
    every: list[LintMessage] = []
    seen: dict[str, str] = {}
    for directory, draft in dirs:
        for path in heuristic_files(directory, library.problems):
            heuristic, messages = load_file(path, draft=draft)
            every.extend(messages)
            if heuristic is None:
                library.problems.extend(m for m in messages if m.level == "error")
                continue
            if heuristic.id in seen:
                message = LintMessage(heuristic.source, "id",
                                      f"duplicate id {heuristic.id!r} (also in {seen[heuristic.id]})")
                library.problems.append(message)
                every.append(message)
                continue
            seen[heuristic.id] = heuristic.source
            library.heuristics.append(heuristic)
    every[:0] = [m for m in library.problems if m.key == "dir"]
    return library, every


def load_library(dirs: Sequence[str | Path] = (), builtin: bool = True,
                 drafts: Sequence[str | Path] = ()) -> Library:
    """The bundled library (unless ``builtin=False``) plus ``dirs``, plus ``drafts``
    (marked ``draft=True``). Files with errors are skipped and listed in ``problems``."""
    library, _ = _load(library_sources(dirs, builtin, drafts))
    return library


def library_sources(dirs: Sequence[str | Path] = (), builtin: bool = True,
                    drafts: Sequence[str | Path] = ()) -> list[tuple[Path, bool]]:
    """The sources ``load_library`` reads, in order: (folder or file, is it drafts)."""
    sources: list[tuple[Path, bool]] = []
    if builtin:
        sources.append((BUILTIN_DIR, False))
    sources.extend((Path(d), False) for d in dirs)
    sources.extend((Path(d), True) for d in drafts)
    return sources


def load_with_messages(dirs: Sequence[str | Path] = (), builtin: bool = True,
                       drafts: Sequence[str | Path] = ()) -> tuple[Library, list[LintMessage]]:
    """Like ``load_library`` but also returns every message (warnings included)."""
    return _load(library_sources(dirs, builtin, drafts))


__all__ = [
    "BUILTIN_DIR", "COMPARATORS", "STATUSES", "Comparator", "Example", "Heuristic", "Library", "LintMessage",
    "Signal", "display_path", "heuristic_files", "library_sources", "load_file", "load_library",
    "load_with_messages", "parse_duration", "pattern_of",
]
