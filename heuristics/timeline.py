"""Time, events and recovery for the evaluator (docs/heuristic-format.md, "Time and events").

Only lines a signal matched are ever timed (``Document.line_time`` is lazy and
cached), so a heuristic that matches nothing costs nothing here.

* ``counted``: a signal's matching lines minus those outside its ``within``
  window or from an earlier boot than ``boot = "current"`` allows (a line whose
  time or boot is unknown still counts: nothing proves it old).
* ``count_events``: matching lines -> distinct events. Lines that carry their
  own stamp are one event when their masked message (``parser.times.mask``:
  prefix, digits, hex ids and PIDs masked) is equal and they are stamped in
  the same second: journald shows one supervisor line under two
  units, dmesg and the kernel journal repeat kernel lines. Then ``burst`` merges
  every own-stamped hit less than ``burst`` after the previous one (gap based: a
  retry storm with no pause of ``burst`` is one event). Lines without their own
  stamp (live command output, undated log lines) are one event each.
* ``judge``: a finding's first/last seen, event count and status
  (active / recovered / historical) and the severity it is shown with.

Cost is bounded: at most ``TIME_CAP`` matching lines per signal (and per finding) are
timed, the last ones in file order (within a log section, the most recent); earlier ones
are left out of ``within``/``boot`` filtering (dropped), of event counting (so ``count`` is
then a lower bound) and of first/last seen. About 5-8 µs a line: 0.1-0.16 s at the cap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from triagebench.parser import Document
from triagebench.parser.times import RUN, LineTime, mask

from .format import Heuristic, Signal
from .model import SEVERITY_RANK, SignalResult

TIME_CAP = 20_000  # matching lines timed per signal / finding: the last ones in file order


def _capped(lines: Sequence[int]) -> Sequence[int]:
    """The last ``TIME_CAP`` lines (file order: within a log section, the most recent)."""
    return lines[-TIME_CAP:] if len(lines) > TIME_CAP else lines


def _time(document: Document, number: int) -> LineTime | None:
    return document.line_time(number)


def counted(document: Document, lines: Sequence[int], signal: Signal) -> list[int]:
    """The lines of ``lines`` that count for ``signal`` (its ``within`` and ``boot``)."""
    if signal.within is None and signal.boot is None:
        return list(lines)
    lines = _capped(lines)
    capture = document.capture_time
    oldest = capture - timedelta(seconds=signal.within) if capture is not None and signal.within else None
    out: list[int] = []
    for number in lines:
        found = _time(document, number)
        if found is not None:
            if signal.boot is not None and found.boot is not None and found.boot < 0:
                continue
            if oldest is not None and found.when is not None and found.when < oldest:
                continue
        out.append(number)
    return out


def count_events(document: Document, lines: Iterable[int], burst: float | None = None) -> int:
    """Distinct events among ``lines`` (see the module docstring)."""
    undated = 0
    stamped: list[tuple[datetime, int]] = []
    for number in _capped(list(lines)):
        found = _time(document, number)
        if found is None or not found.own or found.when is None:
            undated += 1
        else:
            stamped.append((found.when, number))
    if not stamped:
        return undated
    stamped.sort()
    seen: set[tuple[str, int]] = set()
    starts: list[datetime] = []
    for when, number in stamped:
        key = (mask(document.plain(number)), int(when.timestamp()))
        if key in seen:
            continue
        seen.add(key)
        starts.append(when)
    if burst is None:
        return undated + len(starts)
    events = 0
    previous_hit: datetime | None = None
    for when in starts:
        if previous_hit is None or (when - previous_hit).total_seconds() >= burst:
            events += 1
        previous_hit = when
    return undated + events


@dataclass(slots=True)
class Verdict:
    """What a finding says about when: see ``judge``."""

    status: str
    severity: str | None
    first_seen: datetime | None
    last_seen: datetime | None
    count: int


def _later(document: Document, recovery: int, last_line: int, last_seen: datetime | None) -> bool:
    """Whether recovery line ``recovery`` is at or after the last symptom."""
    found = _time(document, recovery)
    when = found.when if found is not None else None
    if when is not None and last_seen is not None:
        return when >= last_seen
    if found is not None and found.source == RUN:
        return True  # live output at capture time: after every line a log could hold
    section = document.section_at(recovery)
    return section is not None and section is document.section_at(last_line) and recovery > last_line


def judge(document: Document, heuristic: Heuristic, results: dict[str, SignalResult]) -> Verdict:
    """Status, shown severity, first/last seen and event count of a matched heuristic.

    The symptoms are the lines of its true positive regex signals (not ``absent`` ones: those
    are true for lines that are missing; not facts or extracts: they describe the device, not
    when something happened). Recovered:
    a ``recovered_by`` signal is true (a fact, or a line at or after the last symptom;
    live output counts as the capture time). Historical: the last symptom is older than
    ``active_within`` before the capture (and no undated symptom line could be recent: one
    that is not from an earlier boot), or every symptom is from an earlier boot.
    A finding with no dated symptom is active.
    """
    positive = heuristic.positive_signals
    lines: set[int] = set()
    bursts: list[float] = []
    for name, result in results.items():
        signal = heuristic.signals[name]
        if name in positive and result.value and name not in heuristic.recovered_by \
                and signal.kind == "regex" and not signal.absent:
            lines.update(result.lines)
            burst = signal.burst
            if burst is not None:
                bursts.append(burst)
    ordered = list(_capped(sorted(lines)))
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    last_line = ordered[-1] if ordered else 0
    boots: list[int | None] = []
    undated_now = False  # an undated symptom not from an earlier boot: nothing proves it old
    for number in ordered:
        found = _time(document, number)
        boot = found.boot if found is not None else None
        boots.append(boot)
        when = found.when if found is not None else None
        if when is None:
            undated_now = undated_now or boot is None or boot >= 0
            continue
        if first_seen is None or when < first_seen:
            first_seen = when
        if last_seen is None or when >= last_seen:
            last_seen, last_line = when, number
    count = count_events(document, ordered, max(bursts) if bursts else None) if ordered else 0

    status = "active"
    for name in heuristic.recovered_by:
        result = results.get(name)
        if result is None or not result.value:
            continue
        signal = heuristic.signals[name]
        if signal.kind != "regex" or not ordered:
            status = "recovered"  # a fact or a value read now: the present state
            break
        if any(_later(document, number, last_line, last_seen) for number in result.lines):
            status = "recovered"
            break
    if status == "active":
        capture = document.capture_time
        old = (last_seen is not None and capture is not None and not undated_now
               and last_seen < capture - timedelta(seconds=heuristic.active_within))
        earlier_boots = bool(boots) and all(b is not None and b < 0 for b in boots)
        if old or earlier_boots:
            status = "historical"
    severity = None
    if status != "active":
        base, history = heuristic.severity, heuristic.history_severity
        severity = history if SEVERITY_RANK[history] > SEVERITY_RANK[base] else base
    return Verdict(status, severity, first_seen, last_seen, count)


__all__ = ["TIME_CAP", "Verdict", "count_events", "counted", "judge"]
