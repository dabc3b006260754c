"""Time expressions people type: ``2h``, ``-30m``, ``11:14``, ``2022-05-02 11:14``. No Textual.

One parser for every front-end: ``triage timeline --since/--until``, the TUI's go-to
prompt (``:``) and the report's timeline block read times the same way.

* a duration (``90s``, ``30m``, ``2h``, ``1d``, ``1h30m``; a leading ``-`` is optional):
  that long before the capture; ``+5m``: after it;
* a time of day (``11:14``, ``11:14:05``): on the capture's day, UTC (the timeline shows
  UTC); when that would be after the capture, the day before;
* a date and time (``2022-05-02 11:14``, ``2022-05-02T11:14:05Z``, ``2022-05-02``), UTC.

Relative forms need the capture time; without it they raise ``TimeExpressionError``
with a message that says so. Numbers are bounded (no 5,000-digit hours).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_DURATION_RE = re.compile(r"^([+-]?)((?:\d{1,6}\s*(?:d|h|m|min|s)\s*){1,4})$", re.IGNORECASE)
_PART_RE = re.compile(r"(\d{1,6})\s*(d|h|min|m|s)", re.IGNORECASE)
_CLOCK_RE = re.compile(r"^(\d{1,2}):(\d\d)(?::(\d\d))?$")
_DATE_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d{1,2}):(\d\d)(?::(\d\d))?)?\s*(?:Z|UTC)?$",
                      re.IGNORECASE)
_UNITS = {"d": 86400, "h": 3600, "m": 60, "min": 60, "s": 1}
MAX_SECONDS = 100 * 365 * 86400


class TimeExpressionError(ValueError):
    """A time expression that cannot be read; the message is one line for the user."""


def looks_like_time(text: str) -> bool:
    """Whether ``text`` is meant as a time (so ``:`` can tell ``11:14`` from a line number)."""
    text = text.strip()
    return bool(_DURATION_RE.match(text) or _CLOCK_RE.match(text) or _DATE_RE.match(text))


def parse_when(text: str, capture: datetime | None) -> datetime:
    """The UTC instant ``text`` names (see the module docstring)."""
    raw = text.strip()
    if not raw:
        raise TimeExpressionError("empty time")
    shown = raw[:40]
    match = _DURATION_RE.match(raw)
    if match:
        seconds = sum(int(n) * _UNITS[u.lower()] for n, u in _PART_RE.findall(match.group(2)))
        if seconds > MAX_SECONDS:
            raise TimeExpressionError(f"time {shown!r}: too far from the capture")
        if capture is None:
            raise TimeExpressionError(f"time {shown!r} is relative to the capture, "
                                      "and this file has no capture time")
        delta = timedelta(seconds=seconds)
        return capture + delta if match.group(1) == "+" else capture - delta
    match = _CLOCK_RE.match(raw)
    if match:
        hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise TimeExpressionError(f"time {shown!r}: not a time of day")
        if capture is None:
            raise TimeExpressionError(f"time {shown!r} needs a date: this file has no capture time")
        value = capture.astimezone(UTC).replace(hour=hour, minute=minute, second=second,
                                                microsecond=0)
        return value - timedelta(days=1) if value > capture else value
    match = _DATE_RE.match(raw)
    if match:
        y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups())
        try:
            return datetime(y, mo, d, h, mi, s, tzinfo=UTC)
        except ValueError:
            raise TimeExpressionError(f"time {shown!r}: no such date or time") from None
    raise TimeExpressionError(f"time {shown!r}: expected 2h, -30m, 11:14 or 2022-05-02 11:14")


__all__ = ["TimeExpressionError", "looks_like_time", "parse_when"]
