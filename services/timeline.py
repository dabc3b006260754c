"""The device's story: every timestamped line of every section, merged by time. No Textual.

Why: support agents reconstruct "what happened first" (under-voltage, then SD I/O errors,
then ext4 read-only) by hand across ~90 command outputs. ``build_timeline(document,
findings, suspicious)`` does it once; ``triage timeline``, the TUI timeline view and the
report's "Timeline around the worst finding" block only read it.

What is on it: each output line that carries its own time stamp (``Document.clock``,
parser/times.py: journal, ISO, dmesg, embedded stamps; UTC, the device's offset applied
where ``timedatectl`` gives one). Live-output lines only stamped with their section's run
time are not: they all happened "at the capture", which the capture marker stands for.
A line copied into several journals (same masked text, ``parser.times.mask``, same second,
different sections) is kept once with every section listed.

Compact: the lines are parallel ``array`` columns (time as float seconds, file line,
section, boot, severity, error-like), sorted by time (file order on ties); a line's text,
sections and copies are looked up only when a row is shown, so 1,000,000 lines cost ~25
bytes each, not a Python object each. The per-line cache of ``Document.line_time`` is not
used here (it would keep one object per line): the clock's ``read`` and ``boot_of`` are.

A ``TimelineSlice`` is one filtered reading (``since``/``until``/``grep``): its rows are
codes in one array, ``>= 0`` a line, ``CAPTURE`` the capture marker, ``<= BOOT_BASE`` a
boot separator. Rows are in time order, markers included, so jumping to a time is a
binary search (``row_at``).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import regex
from triagebench.heuristics.model import SEVERITIES, SEVERITY_RANK, Findings
from triagebench.parser import Document, printable
from triagebench.parser.times import DMESG_REL, DMESG_T, JOURNAL, RUN, Clock, mask

SCHEMA = "triagebench-timeline/1"
CAPTURE = -1
BOOT_BASE = -2
NO_BOOT = -(2**31)
GREP_TIMEOUT = 0.05
"""Seconds one ``--grep`` search may take on one line (a timeout counts as no match)."""
LINE_CAP = 4000
"""Characters of a line that ``grep`` searches."""
SECTION_LABEL_CAP = 48


def _severity_code(severity: str | None) -> int:
    """0 none, 5 critical ... 1 info (bigger is worse, fits a byte)."""
    return 0 if severity is None else len(SEVERITIES) - SEVERITY_RANK[severity]


def severity_name(code: int) -> str | None:
    return SEVERITIES[len(SEVERITIES) - code] if code else None


def _epoch(value: datetime) -> float:
    return value.timestamp()


def from_epoch(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


class TimelineError(ValueError):
    """A filter that cannot be applied (bad regex); the message is one line."""


@dataclass(frozen=True, slots=True)
class Row:
    """One shown row, materialised on demand (never kept for every line)."""

    kind: str  # "line", "boot" or "capture"
    when: datetime
    line: int = 0
    lines: tuple[int, ...] = ()
    sections: tuple[str, ...] = ()
    severity: str | None = None
    error_like: bool = False
    boot: int | None = None
    text: str = ""

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"kind": self.kind, "time": iso(self.when)}
        if self.kind == "line":
            out.update(line=self.line, lines=list(self.lines), sections=list(self.sections),
                       severity=self.severity, error_like=self.error_like, boot=self.boot,
                       text=self.text)
        elif self.kind == "boot":
            out["boot"] = self.boot
        return out


def section_label(key: str) -> str:
    """A section's key, short: the flags every journal call has dropped, capped."""
    label = printable(key.replace("--no-pager ", "").replace("--no-hostname ", "")).strip()
    return label if len(label) <= SECTION_LABEL_CAP else label[:SECTION_LABEL_CAP - 1] + "…"


def iso(value: datetime) -> str:
    text = value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    return text + "Z"


@dataclass(slots=True)
class Timeline:
    """Every timestamped line of one document, in time order (see the module docstring)."""

    document: Document
    capture: datetime | None
    offset: timedelta | None
    times: array = field(default_factory=lambda: array("d"))
    lines: array = field(default_factory=lambda: array("i"))
    sections: array = field(default_factory=lambda: array("i"))
    boots: array = field(default_factory=lambda: array("i"))
    severity: bytearray = field(default_factory=bytearray)
    error_like: bytearray = field(default_factory=bytearray)
    copies: dict[int, tuple[int, ...]] = field(default_factory=dict)
    boot_starts: list[tuple[float, int]] = field(default_factory=list)
    skipped: int = 0  # lines whose stamp could not be read (absurd values)
    _labels: dict[int, str] = field(default_factory=dict)  # section index -> label

    def __len__(self) -> int:
        return len(self.times)

    # -- one entry ---------------------------------------------------------------
    def entry_lines(self, index: int) -> tuple[int, ...]:
        return (self.lines[index], *self.copies.get(index, ()))

    def section_labels(self, index: int) -> tuple[str, ...]:
        doc = self.document
        labels: list[str] = []
        for number in self.entry_lines(index):
            place = doc.place_of(number)
            owner = place[3] if place is not None else -1
            label = self._labels.get(owner)
            if label is None:
                label = self._labels[owner] = (section_label(doc.sections[owner].key)
                                               if owner >= 0 else "(outside sections)")
            if label not in labels:
                labels.append(label)
        return tuple(labels)

    def entry_of_line(self, number: int) -> int | None:
        """The entry showing file line ``number`` (itself or as a copy)."""
        try:
            return self.lines.index(number)
        except ValueError:
            pass
        for index, others in self.copies.items():
            if number in others:
                return index
        return None

    def row(self, code: int) -> Row:
        if code == CAPTURE:
            assert self.capture is not None
            return Row("capture", self.capture)
        if code <= BOOT_BASE:
            start, boot = self.boot_starts[BOOT_BASE - code]
            return Row("boot", from_epoch(start), boot=boot)
        boot = self.boots[code]
        return Row("line", from_epoch(self.times[code]), line=self.lines[code],
                   lines=self.entry_lines(code), sections=self.section_labels(code),
                   severity=severity_name(self.severity[code]), error_like=bool(self.error_like[code]),
                   boot=None if boot == NO_BOOT else boot,
                   text=printable(self.document.plain(self.lines[code])))

    def code_time(self, code: int) -> float:
        if code == CAPTURE:
            return _epoch(self.capture) if self.capture else 0.0
        if code <= BOOT_BASE:
            return self.boot_starts[BOOT_BASE - code][0]
        return self.times[code]

    # -- reading ---------------------------------------------------------------------
    def view(self, since: datetime | None = None, until: datetime | None = None,
             grep: str | None = None) -> TimelineSlice:
        """The rows between ``since`` and ``until`` (inclusive) whose text matches ``grep``."""
        lo = 0 if since is None else bisect_left(self.times, _epoch(since))
        hi = len(self.times) if until is None else bisect_right(self.times, _epoch(until))
        hi = max(lo, hi)
        selected: Sequence[int] = range(lo, hi)
        if grep:
            try:
                pattern = regex.compile(grep)
            except (regex.error, OverflowError, RecursionError) as exc:
                raise TimelineError(f"--grep {printable(grep)[:60]!r}: {exc}") from None
            selected = array("l", (i for i in selected if self._matches(pattern, i)))
        markers: list[tuple[float, int, bool]] = []  # (time, code, after equal times)
        low = -float("inf") if since is None else _epoch(since)
        high = float("inf") if until is None else _epoch(until)
        for n, (start, _boot) in enumerate(self.boot_starts):
            if low <= start <= high:
                markers.append((start, BOOT_BASE - n, False))
        if self.capture is not None and low <= _epoch(self.capture) <= high:
            markers.append((_epoch(self.capture), CAPTURE, True))
        markers.sort(key=lambda m: (m[0], m[1] == CAPTURE))
        rows = array("l")
        done = 0
        key = self.times.__getitem__
        for when, code, after in markers:
            find = bisect_right if after else bisect_left
            at = find(selected, when, key=key)
            rows.extend(selected[done:at])
            rows.append(code)
            done = at
        rows.extend(selected[done:])
        return TimelineSlice(self, rows, since, until, grep)

    def _matches(self, pattern: regex.Pattern[str], index: int) -> bool:
        text = self.document.plain(self.lines[index])[:LINE_CAP]
        try:
            return pattern.search(text, timeout=GREP_TIMEOUT) is not None
        except TimeoutError:
            return False


@dataclass(slots=True)
class TimelineSlice:
    """One filtered reading of a ``Timeline``: row codes in time order."""

    timeline: Timeline
    rows: array
    since: datetime | None = None
    until: datetime | None = None
    grep: str | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def row(self, index: int) -> Row:
        return self.timeline.row(self.rows[index])

    def __iter__(self) -> Iterable[Row]:
        return (self.timeline.row(code) for code in self.rows)

    def row_at(self, when: datetime) -> int:
        """The first row at or after ``when`` (the last row when all are before)."""
        at = bisect_left(self.rows, _epoch(when), key=self.timeline.code_time)
        return min(at, max(len(self.rows) - 1, 0))

    def row_of_line(self, number: int) -> int | None:
        index = self.timeline.entry_of_line(number)
        if index is None:
            return None
        try:
            return self.rows.index(index)
        except ValueError:
            return None

    def line_count(self) -> int:
        return sum(1 for code in self.rows if code >= 0)


# -- building ----------------------------------------------------------------------------
def build_timeline(document: Document, findings: Findings | None = None,
                   suspicious: Iterable[int] = ()) -> Timeline:
    """The timeline of ``document``: severity from ``findings.by_line``, the error-like flag
    from ``suspicious`` (``heuristics.suspicious.suspicious_lines``; the analysis has them)."""
    clock = document.clock
    capture = document.capture_time
    times: list[float] = []
    numbers = array("i")
    owners = array("i")
    boots = array("i")
    skipped = 0
    lines = document.lines
    read = _Reader(clock)
    for section in document.sections:
        if section.is_category_marker:
            continue
        index = section.index
        sclock = clock.section_clock(index)
        log = sclock.log
        for number in section.output_line_numbers():
            text = lines[number - 1]
            if not text or text[0] in "-=#":  # cheap reject: journal markers, rules, comments
                continue
            try:
                when, source = read(text, log)
            except (ValueError, OverflowError, IndexError):
                skipped += 1
                continue
            if when is None:
                if source:
                    skipped += 1
                continue
            boot = 0 if source in (DMESG_REL, DMESG_T) else sclock.boot_of(number)
            times.append(when)
            numbers.append(number)
            owners.append(index)
            boots.append(NO_BOOT if boot is None else boot)
    order = sorted(range(len(times)), key=times.__getitem__)
    timeline = Timeline(document, capture, clock.local, skipped=skipped)
    timeline.times = array("d", (times[i] for i in order))
    del times
    timeline.lines = array("i", (numbers[i] for i in order))
    timeline.sections = array("i", (owners[i] for i in order))
    timeline.boots = array("i", (boots[i] for i in order))
    del order, numbers, owners, boots
    _merge_copies(timeline)
    _flag(timeline, findings, suspicious)
    timeline.boot_starts = _boot_starts(timeline, clock.booted)
    return timeline


_HAS_CLOCK_RE = re.compile(r"\d:\d\d")
_DMESG_LOOK_RE = re.compile(r"\s*(?:<\d+>)?\[ *\d+\.")
_DIGITS = frozenset("0123456789")


class _Reader:
    """``Clock.read`` with two shortcuts that give the same values, faster on big files:

    * a journal stamp (``May 02 12:01:40``) is read once per minute (``read`` on the
      minute's prefix) and the seconds are added: the year guess and the device offset
      are the same for every second of a minute;
    * a line with no ``d:dd`` in its first 300 characters that does not start like a
      relative dmesg stamp has no stamp ``read`` could find (every other form has one).

    Returns (epoch seconds or None, source); ``run`` stamps count as none here.
    """

    __slots__ = ("clock", "minutes")

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.minutes: dict[str, float | None] = {}

    def __call__(self, text: str, log: bool) -> tuple[float | None, str]:
        if (len(text) > 16 and text[3] == " " and text[9] == ":" and text[12] == ":"
                and text[15] in " ." and text[0].isupper() and text[13] in _DIGITS
                and text[14] in _DIGITS and text[10] in _DIGITS and text[11] in _DIGITS):
            key = text[:12]
            base = self.minutes.get(key, -1.0)
            if base == -1.0:
                when, source = self.clock.read(key + ":00 ", log)
                base = self.minutes[key] = when.timestamp() if when and source == JOURNAL else None
            if base is not None:
                second = min(int(text[13:15]), 59)
                fraction = 0.0
                if text[15] == ".":
                    digits = text[16:22]
                    end = 0
                    while end < len(digits) and digits[end] in _DIGITS:
                        end += 1
                    fraction = int(digits[:end]) / 10 ** end if end else 0.0
                return base + second + fraction, JOURNAL
        if _HAS_CLOCK_RE.search(text, 0, 300) is None and _DMESG_LOOK_RE.match(text) is None:
            return None, ""
        when, source = self.clock.read(text, log)
        if when is None or source == RUN:
            return None, source if when is None and source else ""
        return when.timestamp(), source


def _merge_copies(timeline: Timeline) -> None:
    """Keep a line copied into several sections (same second, same masked text) once.
    Only seconds holding lines of more than one section are masked: cheap on big files."""
    times, secs, lines = timeline.times, timeline.sections, timeline.lines
    doc = timeline.document
    drop: set[int] = set()
    copies: dict[int, list[int]] = {}
    n = len(times)
    start = 0
    while start < n:
        second = int(times[start])
        end = start + 1
        while end < n and int(times[end]) == second:
            end += 1
        if end - start > 1 and len(set(secs[start:end])) > 1:
            seen: dict[str, int] = {}
            for i in range(start, end):
                key = mask(doc.plain(lines[i])[:LINE_CAP])
                first = seen.get(key)
                if first is None:
                    seen[key] = i
                elif secs[first] != secs[i] and all(secs[c] != secs[i] for c in copies.get(first, ())):
                    copies.setdefault(first, []).append(i)
                    drop.add(i)
        start = end
    if not drop:
        return
    keep = [i for i in range(n) if i not in drop]
    new_index = {old: new for new, old in enumerate(keep)}
    timeline.copies = {new_index[first]: tuple(lines[c] for c in found)
                       for first, found in copies.items()}
    timeline.times = array("d", (times[i] for i in keep))
    timeline.lines = array("i", (lines[i] for i in keep))
    timeline.sections = array("i", (secs[i] for i in keep))
    timeline.boots = array("i", (timeline.boots[i] for i in keep))


def _flag(timeline: Timeline, findings: Findings | None, suspicious: Iterable[int]) -> None:
    n = len(timeline.times)
    timeline.severity = bytearray(n)
    timeline.error_like = bytearray(n)
    by_line = findings.by_line if findings is not None else {}
    wanted = set(suspicious)
    if not by_line and not wanted:
        return
    for i in range(n):
        for number in timeline.entry_lines(i) if i in timeline.copies else (timeline.lines[i],):
            if number in wanted:
                timeline.error_like[i] = 1
            if by_line and number in by_line:
                worst = min((f.severity for f in by_line[number]), key=SEVERITY_RANK.__getitem__)
                timeline.severity[i] = max(timeline.severity[i], _severity_code(worst))


def _boot_starts(timeline: Timeline, booted: datetime | None) -> list[tuple[float, int]]:
    """(start, boot) of every boot whose start is known, oldest first, kept only while
    the starts increase with the boot number (inconsistent clocks show no separator)."""
    first: dict[int, float] = {}
    for when, boot in zip(timeline.times, timeline.boots, strict=True):
        if boot != NO_BOOT and boot not in first:
            first[boot] = when
    if booted is not None:  # uptime's boot; dmesg -T may run a little earlier (clock drift)
        start = booted.timestamp()
        seen = first.get(0)
        first[0] = seen if seen is not None and start - 3600 < seen < start else start
    starts: list[tuple[float, int]] = []
    for boot in sorted(first):
        if starts and first[boot] <= starts[-1][0]:
            continue
        starts.append((first[boot], boot))
    if len(starts) == 1 and booted is None:
        return []  # one boot, start unknown: its first line is no boot start
    return starts


# -- rendering (CLI) ----------------------------------------------------------------------
def _flag_text(row: Row) -> str:
    if row.severity:
        return row.severity.upper()
    return "error" if row.error_like else ""


def boot_label(row: Row) -> str:
    name = "current boot" if row.boot == 0 else f"boot {row.boot}"
    return f"── {name} starts ──"


def header(view: TimelineSlice) -> list[str]:
    tl = view.timeline
    file = printable(tl.document.path)
    captured = iso(tl.capture) if tl.capture else "unknown"
    head = [f"Timeline of {file}: {view.line_count():,} timestamped line(s), times in UTC; "
            f"capture taken {captured}"]
    if tl.offset:
        head.append(f"device time zone UTC{_offset_text(tl.offset)} (converted)")
    filters = [f"since {iso(view.since)}" if view.since else "",
               f"until {iso(view.until)}" if view.until else "",
               f"grep {printable(view.grep)[:80]!r}" if view.grep else ""]
    if any(filters):
        head.append("filter: " + ", ".join(f for f in filters if f))
    return head


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def render_text(view: TimelineSlice) -> str:
    out = header(view)
    out.append("")
    for row in view:
        out.append(_text_row(row))
    return "\n".join(out) + "\n"


def _text_row(row: Row) -> str:
    stamp = iso(row.when)
    if row.kind == "capture":
        return f"{stamp}  ══ capture taken ══"
    if row.kind == "boot":
        return f"{stamp}  {boot_label(row)}"
    return (f"{stamp}  {_flag_text(row):8}  L{row.line:<7} [{', '.join(row.sections)}]  "
            f"{row.text}")


def as_dict(view: TimelineSlice) -> dict[str, object]:
    tl = view.timeline
    return {
        "schema": SCHEMA,
        "file": printable(tl.document.path),
        "captured_at": iso(tl.capture) if tl.capture else None,
        "device_offset": _offset_text(tl.offset) if tl.offset else None,
        "since": iso(view.since) if view.since else None,
        "until": iso(view.until) if view.until else None,
        "grep": printable(view.grep) if view.grep else None,
        "count": view.line_count(),
        "rows": [row.as_dict() for row in view],
    }


def render_markdown(view: TimelineSlice, *, heading: str = "#") -> str:
    from triagebench.services.render_markdown import fenced, md_escape

    out = [f"{heading} Timeline", "", *(md_escape(line) for line in header(view)), ""]
    rows = [_text_row(row) for row in view]
    out.append(fenced(rows) if rows else "No timestamped line in this range.")
    return "\n".join(out) + "\n"


__all__ = ["BOOT_BASE", "CAPTURE", "SCHEMA", "Row", "Timeline", "TimelineError", "TimelineSlice",
           "as_dict", "build_timeline", "from_epoch", "iso", "render_markdown", "render_text"]
