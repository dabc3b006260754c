"""When each line happened: ``Document.capture_time`` and ``Document.line_time(n)``.

Nothing here runs at parse time. The first ``line_time`` call in a section builds
that section's ``SectionClock`` (its kind, boot markers and run time: one pass of
``str.startswith`` over the section's lines, only for log sections); each line is
then read on demand (one or two anchored regexes) and cached. A heuristic only
asks for the lines it matched, so a 1,000,000-line file costs nothing until then.

Sources, first match wins (see docs/heuristic-format.md, "Time"):

* a stamp at the start of the line: journal short ``May 02 12:01:40`` (year from
  the capture time; a line that would fall more than a day after the capture is
  from the previous year), ISO ``2022-05-02T12:01:40.123+0000`` /
  ``2022-05-02 12:01:40`` (also inside ``[...]``, as supervisors print it),
  ``dmesg -T`` ``[Wed Feb 17 11:14:17 2021]``, relative dmesg ``[    2.071234]``
  (capture time - uptime + seconds; without both, no time);
* in log sections only, a stamp inside the line: engine ``time="..."``, an ISO
  stamp, openvpn's ``Fri Apr 29 12:00:12 2022``;
* otherwise a line of a live command's output (not a log) is stamped with its
  section's run time (``started_at``), boot 0; a log line gets no time.

Boots: in a journal section ``-- Reboot --`` / ``-- Boot <id> --`` lines split
boots (after the last marker: boot 0, before it -1, ...); in ``balena logs`` and
supervisor log files ``Supervisor vX starting up`` / ``Starting supervisor``
lines do (a marker line belongs to the boot it starts). dmesg is boot 0. Other
log lines: unknown boot.

Journal and dmesg stamps are local time: UTC unless ``timedatectl`` shows a
``Time zone: NAME (ABBR, +hhmm)`` offset. Every value read from the file is
checked (month/day ranges, years 1970-2200, seconds of uptime below 100 years);
anything absurd is no time, never an exception.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import compress, repeat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .document import Document, Section

MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
MIN_YEAR, MAX_YEAR = 1970, 2200
MAX_UPTIME = 100 * 365 * 86400
PROVISIONAL_YEAR = 2024  # yearless stamps with nothing to anchor them (leap: Feb 29 parses)

# Sources (``LineTime.source``); "run" is inherited from the section, every other one is the line's own.
JOURNAL, ISO, DMESG_T, DMESG_REL, EMBEDDED, RUN = "journal", "iso", "dmesg-T", "dmesg", "embedded", "run"

_JOURNAL_RE = re.compile(r"\s*([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?\b")
_ISO_CORE = (r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?"
             r"(?: ?(Z|UTC|[+-]\d\d:?\d\d)(?![\d:]))?")
_ISO_START_RE = re.compile(r"\s*\[?" + _ISO_CORE)
_ISO_ANY_RE = re.compile(r"(?<![\d-])" + _ISO_CORE)
_DMESG_T_RE = re.compile(r"\s*\[(?:[A-Z][a-z]{2} )?([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})\]")
_DMESG_REL_RE = re.compile(r"\s*(?:<\d+>)?\[ *(\d{1,10})\.(\d{1,9})\]")
_CTIME_RE = re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})\b")
_TZ_RE = re.compile(r"Time zone:.*\(\s*[^,()]*,\s*([+-])(\d\d):?(\d\d)\s*\)")
_JOURNAL_ENDS_RE = re.compile(r"ends at \w{3} " + _ISO_CORE)
_STARTED_AT_RE = re.compile(r"^" + _ISO_CORE + r"$")
_DATE_OUTPUT_RE = re.compile(r"^\w{3} (\w{3}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (?:UTC )?(\d{4})$")
_UPTIME_RE = re.compile(r"\bup\s+(?:(\d{1,7})\s+days?,?\s*)?(?:(\d{1,7}):(\d\d)|(\d{1,7})\s+min\w*|(\d{1,7})\s+h\w*)?")
_JOURNAL_PREFIX_RE = re.compile(
    r"\s*[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d(?:\.\d+)?(?: \S+)?? [^\s\[:]+(?:\[\d+\])?: ")
_MASK_RE = re.compile(r"0x[0-9a-fA-F]+|\b[0-9a-fA-F]{12,}\b|[0-9a-fA-F-]{32,36}|\d+")
_SUPERVISOR_START = ("starting up", "Starting supervisor")

LOG_WORDS = ("journalctl", "dmesg", "balena logs", "docker logs", "/var/log", "logread", ".log",
             "tail ", "*log")


@dataclass(frozen=True, slots=True)
class LineTime:
    """When a line happened (UTC, or None) and its boot (0 = current, -1 = previous, None = unknown).

    ``source`` says where the time came from (``journal``, ``iso``, ``dmesg-T``,
    ``dmesg``, ``embedded``, or ``run`` for a live output line stamped with its
    section's run time); ``own`` is true when the line carries the stamp itself.
    """

    when: datetime | None
    boot: int | None
    source: str = ""

    @property
    def own(self) -> bool:
        return self.when is not None and self.source != RUN


NO_TIME = LineTime(None, None)


def _fraction(text: str | None) -> int:
    return int((text or "0")[:6].ljust(6, "0"))


def _make(year: int, month: int, day: int, hour: int, minute: int, second: int, micro: int = 0,
          offset: timedelta | None = None) -> datetime | None:
    """A UTC datetime, or None for anything out of range (never raises)."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        value = datetime(year, month, day, hour, minute, min(second, 59), micro, tzinfo=UTC)
    except (ValueError, OverflowError):
        return None
    return value - offset if offset else value


def _offset(text: str | None) -> timedelta | None:
    if not text or text in ("Z", "UTC"):
        return None
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4])
    if hours > 23 or minutes > 59:
        return None
    return sign * timedelta(hours=hours, minutes=minutes)


def _iso(match: re.Match[str], local: timedelta | None) -> datetime | None:
    y, mo, d, h, mi, s, frac, zone = match.groups()
    offset = _offset(zone) if zone else local
    return _make(int(y), int(mo), int(d), int(h), int(mi), int(s), _fraction(frac), offset)


def parse_iso(text: str) -> datetime | None:
    """An ISO-8601-ish stamp (``2022-05-02 16:03:56.535779868+00:00``, ``...T...Z``) as UTC."""
    match = _STARTED_AT_RE.match(text.strip())
    return _iso(match, None) if match else None


def parse_uptime_seconds(text: str) -> int | None:
    """Seconds of ``uptime`` output: procps and busybox (``up 3 days  2:29,``, ``up 23 min,``)."""
    match = _UPTIME_RE.search(text)
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, mins, hrs = (int(g) if g else 0 for g in match.groups())
    seconds = days * 86400 + hours * 3600 + minutes * 60 + mins * 60 + hrs * 3600
    return seconds if seconds <= MAX_UPTIME else None


def mask(text: str) -> str:
    """A line's message with every number, hex id and PID masked (for counting events)."""
    match = _JOURNAL_PREFIX_RE.match(text)
    if match:
        text = text[match.end():]
    else:
        for regex in (_DMESG_T_RE, _DMESG_REL_RE, _ISO_START_RE):
            found = regex.match(text)
            if found:
                text = text[found.end():].lstrip("]")
                break
    return _MASK_RE.sub("#", text.strip())


def is_log_section(command: str) -> bool:
    """A section whose lines are a record of the past (journal, dmesg, log files), not live state."""
    if "--list-boots" in command:
        return False
    return any(word in command for word in LOG_WORDS)


@dataclass(frozen=True, slots=True)
class MarkerRule:
    """What starts a boot in a section: ``needles`` at the start of a line (journal) or
    anywhere in it (supervisor logs)."""

    needles: tuple[str, ...]
    at_start: bool


JOURNAL_MARKERS = MarkerRule(("-- Reboot --", "-- Boot "), True)
SUPERVISOR_MARKERS = MarkerRule(_SUPERVISOR_START, False)


def marker_rule(document: Document, section: Section | None) -> MarkerRule | None:
    """How boots are told apart in ``section`` (None: they are not)."""
    plain = section is None or document.format == "plain-log"
    command = section.command if section is not None else ""
    if not (plain or is_log_section(command)):
        return None
    if plain or "journalctl" in command:
        return JOURNAL_MARKERS
    if "balena logs" in command or "supervisor" in command:
        return SUPERVISOR_MARKERS
    return None


class SectionClock:
    """Per section: log or live, run time, and the boot markers of each stream (line numbers,
    found on first use, or handed over by a scan that already read the stream)."""

    __slots__ = ("log", "run", "rule", "markers", "boot_default", "times", "_document", "_section")

    def __init__(self, document: Document, section: Section | None, run: datetime | None):
        command = section.command if section is not None else ""
        plain = section is None or document.format == "plain-log"
        self.log = plain or is_log_section(command)
        self.run = run
        self.rule = marker_rule(document, section)
        self.markers: dict[int, list[int]] = {}  # stream's first line -> its marker lines
        # dmesg is the current boot; a journal tail reaches the capture: its last boot is the current one
        self.boot_default: int | None = 0 if not self.log or "dmesg" in command \
            or self.rule is JOURNAL_MARKERS else None
        self.times: dict[int, LineTime] = {}
        self._document = document
        self._section = section

    def _stream_markers(self, number: int) -> list[int]:
        section = self._section
        if section is None or self.rule is None:
            return []
        stream = section.stdout
        if section.stderr is not None and section.stderr.count \
                and section.stderr.first_line <= number <= section.stderr.last_line:
            stream = section.stderr
        found = self.markers.get(stream.first_line)
        if found is None:
            found = self.markers[stream.first_line] = _lines_containing(
                self._document.lines, stream.first_line, stream.count, self.rule.needles, self.rule.at_start)
        return found

    def boot_of(self, number: int) -> int | None:
        markers = self._stream_markers(number)
        if not markers:
            return self.boot_default
        return bisect_right(markers, number) - len(markers)


def _lines_containing(lines: list[str], first: int, count: int, needles: tuple[str, ...],
                      at_start: bool) -> list[int]:
    """Line numbers (from ``first``) of the ``count`` lines that start with (``at_start``) or
    contain a needle: ``map`` + ``compress``, no Python step per line."""
    numbers = range(first, first + count)
    block = lines[first - 1:first - 1 + count]
    if at_start:
        return list(compress(numbers, map(str.startswith, block, repeat(needles))))
    found: set[int] = set()
    for needle in needles:
        found.update(compress(numbers, map(str.__contains__, block, repeat(needle))))
    return sorted(found)


def _journal_time(match: re.Match[str], reference: datetime, local: timedelta | None) -> datetime | None:
    """A yearless journal stamp in the year of ``reference``, or the year before when that
    would put it more than a day after ``reference`` (Feb 29: the year before if needed)."""
    mon, day, h, mi, s, frac = match.groups()
    month = MONTHS.get(mon.lower())
    if month is None:
        return None
    year = reference.year
    value = _make(year, month, int(day), int(h), int(mi), int(s), _fraction(frac), local)
    if value is None and month == 2 and day == "29":
        value = _make(year - 1, month, 29, int(h), int(mi), int(s), _fraction(frac), local)
    if value is not None and value > reference + timedelta(days=1):
        value = _make(year - 1, month, int(day), int(h), int(mi), int(s), _fraction(frac), local)
    return value


class Clock:
    """Document-wide time context, built on the first ``line_time`` call."""

    def __init__(self, document: Document, capture: datetime | None = None, fixed: bool = False):
        """``fixed``: use ``capture`` as the capture time (even None) instead of reading it."""
        self.document = document
        self.local = _timezone(document)
        self.capture = capture if fixed else capture_time(document)
        self.reference = self.capture or datetime(PROVISIONAL_YEAR, 12, 31, 23, 59, 59, tzinfo=UTC)
        uptime = document.facts.get("uptime.seconds") if isinstance(document.facts, dict) else None
        if not isinstance(uptime, int) or isinstance(uptime, bool) or not 0 <= uptime <= MAX_UPTIME:
            uptime = _uptime_from_sections(document)
        self.booted = self.capture - timedelta(seconds=uptime) if self.capture and uptime is not None else None
        self.sections: dict[int, SectionClock] = {}

    def section_clock(self, index: int) -> SectionClock:
        clock = self.sections.get(index)
        if clock is None:
            section = self.document.sections[index] if index >= 0 else None
            run = parse_iso(section.started_at) if section is not None and section.started_at else None
            if run is None and section is not None and not is_log_section(section.command):
                run = self.capture
            clock = self.sections[index] = SectionClock(self.document, section, run)
        return clock

    def provide_markers(self, index: int, first_line: int, markers: list[int]) -> None:
        """Boot markers of the stream starting at ``first_line`` of section ``index``, found by
        a caller that already read every line of it (the evaluator's scan): saves a pass."""
        clock = self.section_clock(index)
        clock.markers.setdefault(first_line, sorted(markers))

    def journal(self, match: re.Match[str]) -> datetime | None:
        return _journal_time(match, self.reference, self.local)

    def read(self, text: str, log: bool) -> tuple[datetime | None, str]:
        """The line's own stamp and its source ("" when it has none)."""
        head = text[:80]
        match = _JOURNAL_RE.match(head)
        if match:
            return self.journal(match), JOURNAL
        match = _ISO_START_RE.match(head)
        if match:
            return _iso(match, None if match.group(8) else self.local), ISO
        if head.lstrip().startswith("["):
            match = _DMESG_T_RE.match(head)
            if match:
                mon, day, h, mi, s, year = match.groups()
                month = MONTHS.get(mon.lower())
                return (_make(int(year), month, int(day), int(h), int(mi), int(s), 0, self.local)
                        if month else None), DMESG_T
            match = _DMESG_REL_RE.match(head)
            if match:
                if self.booted is None:
                    return None, DMESG_REL
                seconds = int(match.group(1))
                if seconds > MAX_UPTIME:
                    return None, DMESG_REL
                return self.booted + timedelta(seconds=seconds, microseconds=_fraction(match.group(2))), DMESG_REL
        if not log:
            return None, ""
        window = text[:300]
        at = window.find('time="')
        match = _ISO_ANY_RE.search(window, at + 6) if at >= 0 else _ISO_ANY_RE.search(window)
        if match:
            return _iso(match, None if match.group(8) else self.local), EMBEDDED
        match = _CTIME_RE.search(window)
        if match:
            mon, day, h, mi, s, year = match.groups()
            month = MONTHS.get(mon.lower())
            if month:
                return _make(int(year), month, int(day), int(h), int(mi), int(s), 0, self.local), EMBEDDED
        return None, ""

    def line_time(self, number: int) -> LineTime | None:
        document = self.document
        if not 1 <= number <= len(document.lines):
            return None
        place = document.place_of(number)
        if place is None:
            return None
        index = place[3]
        clock = self.section_clock(index)
        found = clock.times.get(number)
        if found is not None:
            return found
        text = document.lines[number - 1]
        try:
            when, source = self.read(text, clock.log)
        except (ValueError, OverflowError, IndexError):
            when, source = None, ""
        if source in (DMESG_REL, DMESG_T):
            boot: int | None = 0
        else:
            boot = clock.boot_of(number)
        if when is None and not source and not clock.log:
            when, source = clock.run, RUN
        result = LineTime(when, boot, source) if (when is not None or boot is not None) else NO_TIME
        clock.times[number] = result
        return result


def _by_prefix(document: Document, prefix: str) -> list[Section]:
    return [s for s in document.sections if s.key == prefix or s.key.startswith(prefix + " ")]


def _timezone(document: Document) -> timedelta | None:
    for section in _by_prefix(document, "timedatectl"):
        for number in section.output_line_numbers("stdout"):
            match = _TZ_RE.search(document.lines[number - 1])
            if match:
                sign, hours, minutes = match.groups()
                if int(hours) > 23 or int(minutes) > 59:
                    return None
                delta = timedelta(hours=int(hours), minutes=int(minutes))
                return -delta if sign == "-" else (delta or None)
    return None


def _uptime_from_sections(document: Document) -> int | None:
    for section in _by_prefix(document, "uptime"):
        for number in section.output_line_numbers("stdout"):
            seconds = parse_uptime_seconds(document.lines[number - 1][:200])
            if seconds is not None:
                return seconds
    return None


def capture_time(document: Document) -> datetime | None:
    """When the file was captured (see ``Document.capture_time``)."""
    for section in document.sections:
        if section.started_at:
            value = parse_iso(section.started_at)
            if value is not None:
                return value
    for section in _by_prefix(document, "date"):
        for number in section.output_line_numbers("stdout"):
            match = _DATE_OUTPUT_RE.match(document.lines[number - 1].strip())
            if match:
                mon, day, h, mi, s, year = match.groups()
                month = MONTHS.get(mon.lower())
                if month:
                    return _make(int(year), month, int(day), int(h), int(mi), int(s))
    return _latest_stamp(document)


def _latest_stamp(document: Document, tail: int = 2000) -> datetime | None:
    """Plain logs: the latest stamp in the last ``tail`` lines (a journal header's
    ``ends at`` first; yearless journal stamps are read against that or the latest
    year-bearing stamp, else against today)."""
    lines = document.lines
    for text in lines[:5]:
        match = _JOURNAL_ENDS_RE.search(text)
        if match:
            value = _iso(match, None)
            if value is not None:
                return value
    latest: datetime | None = None
    yearless: list[re.Match[str]] = []
    for text in lines[-tail:]:
        head = text[:300]
        match = _ISO_START_RE.match(head) or _ISO_ANY_RE.search(head)
        if match:
            value = _iso(match, None)
        else:
            found = _DMESG_T_RE.match(head) or _CTIME_RE.search(head)
            value = None
            if found:
                mon, day, h, mi, s, year = found.groups()
                month = MONTHS.get(mon.lower())
                value = _make(int(year), month, int(day), int(h), int(mi), int(s)) if month else None
            elif journal := _JOURNAL_RE.match(head):
                yearless.append(journal)
        if value is not None and (latest is None or value > latest):
            latest = value
    if yearless:
        reference = latest or datetime.now(UTC)
        for match in yearless:
            value = _journal_time(match, reference, None)
            if value is not None and (latest is None or value > latest):
                latest = value
    return latest


def as_iso(value: datetime | None) -> str | None:
    """ISO 8601 UTC with a ``Z`` (``2022-05-02T12:01:40Z``; microseconds only when present)."""
    if value is None:
        return None
    text = value.astimezone(UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


__all__ = ["JOURNAL_MARKERS", "SUPERVISOR_MARKERS", "LineTime", "MarkerRule", "NO_TIME", "SectionClock", "as_iso", "capture_time", "is_log_section", "marker_rule", "mask",
           "parse_iso", "parse_uptime_seconds"]
