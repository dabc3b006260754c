"""Compare two captures of one device: what changed between OLD and NEW. No Textual.

Why: when a customer says "it got worse" (or "the host OS update fixed it"), an agent
holds two diagnostics files of the same device and wants the differences, not two
reports: which device facts changed (OS, supervisor, engine, kernel, disk, memory,
uptime / last boot), which findings are new, resolved or still present, which error
messages appeared or went away, and which commands now exit differently.

``compare(old, new, library, force=False) -> Comparison`` does the work once; the
``triage diff`` verb and the TUI compare screen only render it (``as_dict``,
``render_text``, ``render_markdown``). Two files that are clearly different devices
(device uuid from config.json, hostname, device type) raise ``DifferentDevices``
unless ``force=True``.

JSON (``as_dict``, ``"schema": "triagebench-diff/1"``)::

    {"schema", "old": {"file", "captured_at"}, "new": {...},
     "identity": [{"name": "uuid"|"hostname"|"device.type", "old", "new"}],
     "different_devices": bool, "forced": bool,
     "facts": [{"name", "label", "old", "new", "old_text", "new_text", "delta", "changed"}],
     "findings": {"new"|"resolved"|"still_present": [{"id", "title", "change",
                  "old_severity", "new_severity", "old_evidence_lines", "new_evidence_lines",
                  "old_first_line", "new_first_line", "old_status", "new_status",
                  "old_events", "new_events"}]},
     "templates": {"new"|"gone": [{"template", "change", "count", "sections",
                   "example_lines"}]},
     "exit_status": [{"key", "command", "old", "new", "old_present", "new_present",
                      "old_line", "new_line"}],
     "notes": [str]}

A finding's bucket follows its status (heuristics' time-aware ``status``): active in
NEW but absent or only recovered/historical in OLD is new; active in OLD but absent or
only recovered/historical in NEW is resolved; otherwise it is still present.

Line numbers are 1-based lines of the file named by the change (NEW for new and
still-present findings and new templates, OLD for resolved ones and gone templates).
Error templates are mined from every error-like line (``heuristics.suspicious``, the
first ``MAX_MINED_LINES`` of each file), explained or not: a message that a finding
also reports still appears, because the question here is which messages came or went.

Every string taken from a file is made printable when the ``Comparison`` is built
(ANSI removed, every other control character shown escaped), so no renderer and no
consumer of ``as_dict`` can emit a raw control character; Markdown additionally
escapes the characters that would turn file text into markup.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from triagebench.heuristics.evaluate import evaluate
from triagebench.heuristics.format import Library
from triagebench.heuristics.mining import Template, TemplateMiner, mine_document
from triagebench.heuristics.model import SEVERITY_RANK, Finding, Findings
from triagebench.heuristics.suspicious import suspicious_lines
from triagebench.parser import Document, plain_text, printable
from triagebench.services.labels import FACT_LABELS, format_uptime
from triagebench.services.render_markdown import code_span, md_escape

SCHEMA = "triagebench-diff/1"

#: Suspicious lines mined per file: the cap the workbench uses (tui/loading.py): mining
#: costs ~15 us a line, and the first 50,000 already show the recurring templates.
MAX_MINED_LINES = 50_000

#: Longest file-derived string kept (a 2,000-character minified HTML line is not a template).
MAX_TEXT = 300

#: Rows shown per list by the text and Markdown renderers (``as_dict`` keeps them all).
RENDER_LIMIT = 25

_LABELS = {**dict(FACT_LABELS), "os.name": "OS", "last_boot": "Last boot"}

#: Device facts compared, in display order (what changed on an update first): (name, label).
#: Labels are the shared ones (``services.labels``); ``last_boot`` is capture time - uptime.
FACTS: tuple[tuple[str, str], ...] = tuple((name, _LABELS[name]) for name in (
    "os.name", "os.version", "os.variant", "supervisor.version", "engine.version",
    "kernel.version", "device.type", "device.model", "arch", "diagnose.version",
    "disk.data.used_percent", "memory.available_percent", "uptime.seconds", "last_boot",
    "time.synchronized"))

_CONFIG_JSON_RE = re.compile(r"cat /mnt/(?:boot|conf|data-disk|data)/config\.json\b.*")
_STAMP_RE = re.compile(
    r"^\s*(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.\d+)?\s*(Z|[+-]\d\d:?\d\d)?\s*$")
_HOSTNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$")
_JOURNAL_HOST_RE = re.compile(r"^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d (\S+) \S+?(?:\[\d+\])?: ")
_SET_HOSTNAME_RE = re.compile(r"Set hostname to <([^>]{1,64})>")
_MAX_UPTIME = 100 * 366 * 86400  # an uptime beyond a century is garbage, not a last boot


# --- errors ---------------------------------------------------------------------------
class DifferentDevices(ValueError):
    """The two captures are clearly two devices; ``str()`` is the one-line message."""

    def __init__(self, old_path: str, new_path: str,
                 differences: Sequence[IdentityFact]) -> None:
        self.old_path = old_path
        self.new_path = new_path
        self.differences = list(differences)
        what = ", ".join(f"{d.label} {d.old} vs {d.new}" for d in self.differences)
        super().__init__(f"{_safe(old_path)} and {_safe(new_path)} are different devices "
                         f"({what}); use --force to compare them anyway")


# --- result types ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class IdentityFact:
    """One identity fact of both files (``None`` where the file does not say)."""

    name: str  # "uuid" | "hostname" | "device.type"
    label: str
    old: str | None
    new: str | None

    @property
    def comparable(self) -> bool:
        return self.old is not None and self.new is not None

    @property
    def differs(self) -> bool:
        return self.comparable and self.old != self.new

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class FactChange:
    """A device fact in both files; ``old``/``new`` are display strings (None: unknown)."""

    name: str
    label: str
    old: str | None
    new: str | None
    old_value: Any = None  # the raw number/string, for JSON consumers
    new_value: Any = None
    delta: str | None = None  # "-61 points", "+2 days 3h"...

    @property
    def changed(self) -> bool:
        return self.old != self.new

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "old": self.old_value,
                "new": self.new_value, "old_text": self.old, "new_text": self.new,
                "delta": self.delta, "changed": self.changed}


@dataclass(frozen=True, slots=True)
class FindingChange:
    """A heuristic matched in one or both files."""

    id: str
    title: str
    change: str  # "new" | "resolved" | "still present"
    old_severity: str | None
    new_severity: str | None
    old_lines: int = 0  # evidence lines cited in OLD / NEW
    new_lines: int = 0
    old_first: int | None = None  # first evidence line
    new_first: int | None = None
    old_status: str | None = None  # active | recovered | historical (None: not matched)
    new_status: str | None = None
    old_events: int = 0  # distinct events (heuristics' count), 0 when not matched
    new_events: int = 0

    @property
    def severity(self) -> str:
        """The severity that matters: NEW's if present, else OLD's."""
        return self.new_severity or self.old_severity or "info"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "change": self.change,
                "old_severity": self.old_severity, "new_severity": self.new_severity,
                "old_evidence_lines": self.old_lines, "new_evidence_lines": self.new_lines,
                "old_first_line": self.old_first, "new_first_line": self.new_first,
                "old_status": self.old_status, "new_status": self.new_status,
                "old_events": self.old_events, "new_events": self.new_events}


@dataclass(frozen=True, slots=True)
class TemplateChange:
    """An error-line template present in only one of the files."""

    template: str
    change: str  # "new" | "gone"
    count: int  # lines in the file that has it
    sections: tuple[str, ...]
    examples: tuple[int, ...]  # line numbers in that file

    def as_dict(self) -> dict[str, Any]:
        return {"template": self.template, "change": self.change, "count": self.count,
                "sections": list(self.sections), "example_lines": list(self.examples)}


@dataclass(frozen=True, slots=True)
class ExitStatusChange:
    """A command (section key) whose exit status differs; ``None``: not in that file."""

    key: str
    command: str
    old: int | None
    new: int | None
    old_present: bool = True
    new_present: bool = True
    old_line: int | None = None  # the section's header line in each file (to jump to)
    new_line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "command": self.command, "old": self.old, "new": self.new,
                "old_present": self.old_present, "new_present": self.new_present,
                "old_line": self.old_line, "new_line": self.new_line}


@dataclass(slots=True)
class Comparison:
    """Everything that differs between two captures (OLD first, NEW second)."""

    old_path: str
    new_path: str
    old_captured: str | None
    new_captured: str | None
    identity: list[IdentityFact]
    forced: bool  # different devices, compared because force=True
    facts: list[FactChange]
    findings: list[FindingChange]
    templates: list[TemplateChange]
    exit_status: list[ExitStatusChange]
    notes: list[str] = field(default_factory=list)

    # -- views on the lists -------------------------------------------------------
    @property
    def changed_facts(self) -> list[FactChange]:
        return [f for f in self.facts if f.changed]

    def findings_by_change(self, change: str) -> list[FindingChange]:
        return [f for f in self.findings if f.change == change]

    def templates_by_change(self, change: str) -> list[TemplateChange]:
        return [t for t in self.templates if t.change == change]

    @property
    def different_devices(self) -> bool:
        return bool(_mismatch(self.identity))

    # -- outputs -----------------------------------------------------------------
    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "old": {"file": self.old_path, "captured_at": self.old_captured},
            "new": {"file": self.new_path, "captured_at": self.new_captured},
            "identity": [i.as_dict() for i in self.identity],
            "different_devices": self.different_devices,
            "forced": self.forced,
            "facts": [f.as_dict() for f in self.facts],
            "findings": {change.replace(" ", "_"): [f.as_dict() for f in self.findings_by_change(change)]
                         for change in ("new", "resolved", "still present")},
            "templates": {change: [t.as_dict() for t in self.templates_by_change(change)]
                          for change in ("new", "gone")},
            "exit_status": [e.as_dict() for e in self.exit_status],
            "notes": list(self.notes),
        }

    def render_text(self) -> str:
        return _render(self, markdown=False)

    def render_markdown(self) -> str:
        return _render(self, markdown=True)


# --- the use case ---------------------------------------------------------------------
def compare(old: Document, new: Document, library: Library, *, force: bool = False,
            old_findings: Findings | None = None,
            new_findings: Findings | None = None) -> Comparison:
    """Compare two parsed captures with one heuristic library.

    Raises ``DifferentDevices`` when an identity fact known in both files differs
    (the device uuid; without both uuids, the hostname or the device type) unless
    ``force`` is true. A caller that already evaluated a file with ``library`` (the
    workbench has the open file's findings) passes them to skip evaluating it again.
    """
    identity = identity_facts(old, new)
    mismatch = _mismatch(identity)
    if mismatch and not force:
        raise DifferentDevices(old.path, new.path, mismatch)
    if old_findings is None:
        old_findings = evaluate(old, library)
    if new_findings is None:
        new_findings = evaluate(new, library)
    notes: list[str] = []
    if mismatch:
        notes.append("compared although these are different devices ("
                     + ", ".join(d.label for d in mismatch) + " differ)")
    elif not any(i.comparable for i in identity):
        notes.append("could not confirm these are the same device (no uuid, hostname or "
                     "device type in both files)")
    old_time, new_time = _capture_time(old), _capture_time(new)
    if old_time and new_time and new_time < old_time:
        notes.append("NEW was captured before OLD: are the files in the right order?")
    templates, capped = _template_changes(old, new)
    notes.extend(f"{_safe(_base(path))}: only the first {MAX_MINED_LINES:,} error-like lines "
                 "were mined for templates" for path in capped)
    errors = [f"{_safe(_base(doc.path))}: heuristic {_safe(e.heuristic)}: {_safe(e.message)}"
              for doc, found in ((old, old_findings), (new, new_findings)) for e in found.errors]
    notes.extend(errors)
    return Comparison(
        old_path=_safe(old.path), new_path=_safe(new.path),
        old_captured=_stamp_text(old_time, old.facts.get("captured_at")),
        new_captured=_stamp_text(new_time, new.facts.get("captured_at")),
        identity=identity, forced=force and bool(mismatch),
        facts=fact_changes(old, new), findings=finding_changes(old_findings, new_findings),
        templates=templates, exit_status=exit_status_changes(old, new), notes=notes,
    )


# --- identity -------------------------------------------------------------------------
def identity_facts(old: Document, new: Document) -> list[IdentityFact]:
    """uuid (config.json), hostname and device type of both files."""
    return [
        IdentityFact("uuid", "device uuid", device_uuid(old), device_uuid(new)),
        IdentityFact("hostname", "hostname", hostname(old), hostname(new)),
        IdentityFact("device.type", "device type", _fact_text(old, "device.type"),
                     _fact_text(new, "device.type")),
    ]


def _mismatch(identity: Sequence[IdentityFact]) -> list[IdentityFact]:
    """The identity facts that prove two devices: the uuid when both files have one
    (authoritative: a hostname can be changed in config.json), else hostname / type."""
    uuid = next(i for i in identity if i.name == "uuid")
    if uuid.comparable:
        return [i for i in identity if i.differs] if uuid.differs else []
    return [i for i in identity if i.differs]


def _config_json(doc: Document) -> dict[str, Any]:
    for section in doc.sections:
        if not _CONFIG_JSON_RE.fullmatch(section.key):
            continue
        text = "\n".join(doc.output_text(section, n) for n in section.stdout.line_numbers)
        start = text.find("{")
        if start < 0:
            continue
        try:
            value = json.loads(text[start:])
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict):
            return value
    return {}


def device_uuid(doc: Document) -> str | None:
    """The device uuid from config.json (lower-case hex), or None."""
    value = _config_json(doc).get("uuid")
    if isinstance(value, str) and re.fullmatch(r"[0-9a-fA-F]{7,64}", value.strip()):
        return value.strip().lower()
    return None


def hostname(doc: Document) -> str | None:
    """The device hostname: config.json, ``uname -a``, ``sysctl -a``, the boot journal,
    or (plain journal exports) the host field of the journal lines."""
    value = _config_json(doc).get("hostname")
    if isinstance(value, str) and _HOSTNAME_RE.fullmatch(value.strip()):
        return value.strip()
    for section in doc.sections_by_key("uname -a"):
        for n in section.stdout.line_numbers:
            parts = doc.output_text(section, n).split()
            if len(parts) > 2 and parts[0] == "Linux" and _HOSTNAME_RE.fullmatch(parts[1]):
                return parts[1]
    for section in doc.sections:
        if not section.key.startswith("sysctl"):
            continue
        for n in section.stdout.line_numbers:
            line = doc.lines[n - 1]
            if line.startswith("kernel.hostname = "):
                name = line.partition("=")[2].strip()
                if _HOSTNAME_RE.fullmatch(name):
                    return name
    for line in doc.lines:
        if "Set hostname to <" in line:
            match = _SET_HOSTNAME_RE.search(line)
            if match and _HOSTNAME_RE.fullmatch(match.group(1)):
                return match.group(1)
    if doc.format == "plain-log":
        for line in doc.lines[:2000]:
            match = _JOURNAL_HOST_RE.match(line)
            if match and _HOSTNAME_RE.fullmatch(match.group(1)):
                return match.group(1)
    return None


# --- facts ----------------------------------------------------------------------------
def _fact_text(doc: Document, name: str) -> str | None:
    value = doc.facts.get(name)
    if value is None or value == "":
        return None
    return _safe(str(value))


def _number(value: Any) -> float | None:
    """A finite, sane number from a fact (the file may hold absurd values)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return None
    if number != number or number in (float("inf"), float("-inf")) or abs(number) > 1e15:
        return None
    return number


def _share(value: Any) -> float | None:
    """A percentage fact, or None when it is not one (df can be fed anything)."""
    number = _number(value)
    return number if number is not None and 0 <= number <= 100 else None


def _percent(number: float | None) -> str | None:
    return None if number is None else f"{number:g}%"


def _capture_time(doc: Document) -> datetime | None:
    match = _STAMP_RE.match(str(doc.facts.get("captured_at") or ""))
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    offset = match.group(7)
    try:
        when = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None
    if offset and offset != "Z":
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        when -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return when


def _stamp_text(when: datetime | None, raw: Any) -> str | None:
    if when is not None:
        return when.strftime("%Y-%m-%d %H:%M:%S UTC")
    return _safe(str(raw)) if raw else None


def _last_boot(doc: Document) -> datetime | None:
    captured = _capture_time(doc)
    uptime = _number(doc.facts.get("uptime.seconds"))
    if captured is None or uptime is None or not 0 <= uptime <= _MAX_UPTIME:
        return None
    return captured - timedelta(seconds=uptime)


def fact_changes(old: Document, new: Document) -> list[FactChange]:
    """Every compared fact, changed or not (``FactChange.changed`` tells)."""
    result: list[FactChange] = []
    for name, label in FACTS:
        if name in ("disk.data.used_percent", "memory.available_percent"):
            a, b = _share(old.facts.get(name)), _share(new.facts.get(name))
            delta = f"{b - a:+.3g} points" if a is not None and b is not None and a != b else None
            result.append(FactChange(name, label, _percent(a), _percent(b), a, b, delta))
        elif name == "uptime.seconds":
            a, b = _number(old.facts.get(name)), _number(new.facts.get(name))
            result.append(FactChange(name, label, format_uptime(a, minutes=True),
                                     format_uptime(b, minutes=True),
                                     None if a is None else int(a), None if b is None else int(b)))
        elif name == "last_boot":
            a_boot, b_boot = _last_boot(old), _last_boot(new)
            a_text = a_boot.strftime("%Y-%m-%d %H:%M UTC") if a_boot else None
            b_text = b_boot.strftime("%Y-%m-%d %H:%M UTC") if b_boot else None
            # uptime has minute resolution: boots within 5 minutes are the same boot
            if a_boot and b_boot and abs((b_boot - a_boot).total_seconds()) <= 300:
                b_text = a_text
            delta = "rebooted between the captures" if a_boot and b_boot and a_text != b_text else None
            result.append(FactChange(name, label, a_text, b_text,
                                     a_boot.isoformat() if a_boot else None,
                                     b_boot.isoformat() if b_boot else None, delta))
        else:
            a_text, b_text = _fact_text(old, name), _fact_text(new, name)
            result.append(FactChange(name, label, a_text, b_text, a_text, b_text))
    return result


# --- findings -------------------------------------------------------------------------
def _weight(finding: Finding | None) -> int:
    """2: active problem, 1: matched but recovered or historical, 0: not matched."""
    return 0 if finding is None else 2 if finding.status == "active" else 1


def finding_changes(old: Findings, new: Findings) -> list[FindingChange]:
    """New, resolved and still-present findings, by heuristic id; worst first in each.

    A finding that is active in OLD but only recovered or historical in NEW is resolved;
    active in NEW but past (or absent) in OLD is new; otherwise it is still present."""
    before = {f.id: f for f in old.matches}
    after = {f.id: f for f in new.matches}
    result: list[FindingChange] = []
    for heuristic_id in dict.fromkeys([*after, *before]):
        a, b = before.get(heuristic_id), after.get(heuristic_id)
        old_weight, new_weight = _weight(a), _weight(b)
        change = ("new" if new_weight > old_weight else "resolved" if old_weight > new_weight
                  else "still present")
        either = b or a
        assert either is not None
        a_lines = [e.line for e in a.evidence] if a else []
        b_lines = [e.line for e in b.evidence] if b else []
        result.append(FindingChange(
            id=_safe(heuristic_id), title=_safe(either.title), change=change,
            old_severity=a.severity if a else None, new_severity=b.severity if b else None,
            old_lines=len(a_lines), new_lines=len(b_lines),
            old_first=a_lines[0] if a_lines else None, new_first=b_lines[0] if b_lines else None,
            old_status=a.status if a else None, new_status=b.status if b else None,
            old_events=a.count if a else 0, new_events=b.count if b else 0))
    order = {"new": 0, "resolved": 1, "still present": 2}
    result.sort(key=lambda f: (order[f.change], SEVERITY_RANK.get(f.severity, 99), f.id))
    return result


# --- error templates ------------------------------------------------------------------
def _mined(doc: Document) -> tuple[list[Template], bool]:
    """Templates of the file's error-like lines (first MAX_MINED_LINES), and whether capped."""
    lines = suspicious_lines(doc)
    capped = len(lines) > MAX_MINED_LINES
    lines = lines[:MAX_MINED_LINES]
    return (list(mine_document(doc, lines=lines)) if lines else []), capped


def _template_changes(old: Document, new: Document) -> tuple[list[TemplateChange], list[str]]:
    """Templates present in only one file, with their line counts in that file.

    Each file is mined on its own (per section, as the workbench does); the two sets
    of templates are then mined together (as the fleet scan merges files, but across
    sections: one message printed in several journal sections is one template), so a
    message whose template came out slightly differently in the two files still counts
    as present in both.
    """
    per_file = []
    capped = []
    for doc in (old, new):
        templates, was_capped = _mined(doc)
        per_file.append(templates)
        if was_capped:
            capped.append(doc.path)
    miner = TemplateMiner(sim_threshold=0.6, masks=[], strip_prefixes=False, max_refs=None)
    for side, templates in enumerate(per_file):
        for index, item in enumerate(templates):
            miner.add(item.template, (side, index), count=item.count)
    result: list[TemplateChange] = []
    for merged in miner.templates():
        sides = {side for side, _ in merged.refs}
        if len(sides) != 1:
            continue
        side = sides.pop()
        items = [per_file[side][index] for _, index in merged.refs]
        sections = sorted({s for item in items for s in item.sections})
        examples = sorted({r for item in items for r in item.refs if isinstance(r, int)})[:3]
        result.append(TemplateChange(
            template=_safe(merged.template), change="gone" if side == 0 else "new",
            count=sum(item.count for item in items),
            sections=tuple(_safe(s) for s in sections), examples=tuple(examples)))
    result.sort(key=lambda t: (t.change != "new", -t.count, t.template))
    return result, capped


# --- exit statuses --------------------------------------------------------------------
def _statuses(doc: Document) -> dict[tuple[str, int], tuple[str, int | None, int]]:
    """(section key, occurrence) -> (command, exit status, header line); a diagnose run
    without a ``Command exited`` line exited 0; formats without time lines do not say (None)."""
    seen: dict[str, int] = {}
    result: dict[tuple[str, int], tuple[str, int | None, int]] = {}
    for section in doc.sections:
        if section.is_category_marker:
            continue
        occurrence = seen.get(section.key, 0)
        seen[section.key] = occurrence + 1
        status = section.exit_status
        if status is None and section.timing is not None:
            status = 0
        result[(section.key, occurrence)] = (section.command, status, section.header_line)
    return result


def exit_status_changes(old: Document, new: Document) -> list[ExitStatusChange]:
    """Commands whose exit status differs (a command missing from one file counts)."""
    before, after = _statuses(old), _statuses(new)
    result: list[ExitStatusChange] = []
    for key in dict.fromkeys([*before, *after]):
        a, b = before.get(key), after.get(key)
        if a is not None and b is not None and (a[1] is None or b[1] is None or a[1] == b[1]):
            continue
        command = b[0] if b else a[0] if a else ""
        result.append(ExitStatusChange(
            key=_safe(key[0]), command=_safe(command), old=a[1] if a else None,
            new=b[1] if b else None, old_present=a is not None, new_present=b is not None,
            old_line=a[2] if a else None, new_line=b[2] if b else None))
    return result


# --- text hygiene ---------------------------------------------------------------------
def _safe(text: str) -> str:
    """One line of file text, printable: ANSI removed, every control character escaped."""
    text = printable(plain_text(text), keep_tabs=False).replace("\n", "\\n")
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + " …"


def _base(path: str) -> str:
    return os.path.basename(path) or path


# --- rendering ------------------------------------------------------------------------
def _status_text(value: int | None, present: bool) -> str:
    if not present:
        return "not run"
    if value is None:
        return "unknown"
    if value > 128 and value - 128 in (9, 15):
        return f"{value} (killed by SIG{'KILL' if value - 128 == 9 else 'TERM'})"
    return str(value)


def _amount(events: int, lines: int) -> str:
    """How much of a finding a file shows: distinct events when counted, else evidence lines."""
    if events:
        return f"{events} event{'s' if events != 1 else ''}"
    return f"{lines} evidence line{'s' if lines != 1 else ''}"


def _render(c: Comparison, *, markdown: bool) -> str:
    md = md_escape if markdown else (lambda s: s)  # the one Markdown escaper
    code = code_span if markdown else (lambda s: s)
    old_name, new_name = _base(c.old_path), _base(c.new_path)
    out: list[str] = []

    def heading(text: str) -> None:
        out.extend(["", f"## {text}", ""] if markdown else ["", text])

    def item(text: str) -> None:
        out.append(f"- {text}" if markdown else f"  {text}")

    def ref(name: str, line: int | None) -> str:
        return code(f"{name}#L{line}") if line else ""

    def more(shown: int, total: int) -> None:
        if total > shown:
            item(f"… and {total - shown} more")

    out.append("# Comparing two captures" if markdown else "Comparing two captures")
    if markdown:
        out.append("")
    for label, path, when in (("OLD", c.old_path, c.old_captured), ("NEW", c.new_path, c.new_captured)):
        item(f"{label}: {code(path)}" + (f", captured {md(when)}" if when else ""))
    ident = [f"{i.label} {code(i.new or i.old or '')}" for i in c.identity
             if (i.new or i.old) and not i.differs]
    if ident:
        item("device: " + ", ".join(ident))
    for i in c.identity:
        if i.differs:
            item(f"{i.label} differs: {code(i.old or '')} vs {code(i.new or '')}")
    for note in c.notes:
        item(f"note: {md(note)}")

    heading("Device facts that changed")
    changed = c.changed_facts
    for f in changed:
        delta = f" ({md(f.delta)})" if f.delta else ""
        item(f"{f.label}: {code(f.old or 'unknown')} -> {code(f.new or 'unknown')}{delta}"
             if markdown else f"{f.label:<22} {f.old or 'unknown'} -> {f.new or 'unknown'}{delta}")
    if not changed:
        item("none")

    heading("Findings")
    for change, file_name, label in (("new", new_name, "New"), ("resolved", old_name, "Resolved"),
                                     ("still present", new_name, "Still present")):
        rows = c.findings_by_change(change)
        item(f"{label} ({len(rows)})" + (":" if rows else ""))
        for f in rows[:RENDER_LIMIT]:
            if change == "still present":
                sev = f.new_severity if f.old_severity == f.new_severity else \
                    f"{f.old_severity} -> {f.new_severity}"
                first = f.new_first
                lines = f"{_amount(f.old_events, f.old_lines)} -> {_amount(f.new_events, f.new_lines)}"
            elif change == "new":
                sev, first, lines = f.new_severity, f.new_first, _amount(f.new_events, f.new_lines)
            else:
                sev, first, lines = f.old_severity, f.old_first, _amount(f.old_events, f.old_lines)
            at = ref(file_name, first)
            past = [f"{status} in {side}" for status, side in ((f.old_status, "OLD"), (f.new_status, "NEW"))
                    if status and status != "active"]
            if past:
                sev = f"{sev} ({', '.join(past)})"
            text = f"{sev} {code(f.id)} {md(f.title)} ({lines}{', ' + at if at else ''})"
            out.append(("  - " if markdown else "      ") + text)
        if len(rows) > RENDER_LIMIT:
            out.append(("  - " if markdown else "      ") + f"… and {len(rows) - RENDER_LIMIT} more")

    heading("Error templates")
    for change, file_name, label in (("new", new_name, "New"), ("gone", old_name, "Gone")):
        rows = c.templates_by_change(change)
        item(f"{label} ({len(rows)})" + (":" if rows else ""))
        for t in rows[:RENDER_LIMIT]:
            where = ", ".join(t.sections[:2]) + (" …" if len(t.sections) > 2 else "")
            at = ref(file_name, t.examples[0] if t.examples else None)
            text = (f"{t.count}x {code(t.template)}" + (f" in {code(where)}" if where else "")
                    + (f", {at}" if at else ""))
            out.append(("  - " if markdown else "      ") + text)
        if len(rows) > RENDER_LIMIT:
            out.append(("  - " if markdown else "      ") + f"… and {len(rows) - RENDER_LIMIT} more")

    heading("Sections whose exit status changed")
    for e in c.exit_status[:RENDER_LIMIT]:
        item(f"{code(e.key)}: {_status_text(e.old, e.old_present)} -> "
             f"{_status_text(e.new, e.new_present)}")
    more(min(len(c.exit_status), RENDER_LIMIT), len(c.exit_status))
    if not c.exit_status:
        item("none")
    return "\n".join(out) + "\n"


__all__ = [
    "FACTS", "MAX_MINED_LINES", "SCHEMA", "Comparison", "DifferentDevices", "ExitStatusChange",
    "FactChange", "FindingChange", "IdentityFact", "TemplateChange", "compare", "device_uuid",
    "exit_status_changes", "fact_changes", "finding_changes", "hostname", "identity_facts",
]
