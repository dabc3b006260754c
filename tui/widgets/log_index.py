"""Compact row maps and line scans for the log view (no Textual imports).

A log view on a 1,000,000-line file must not create one Python object per line.
``RowMap`` maps the view's rows (0-based) to file line numbers (1-based) either
as a few inclusive ranges (the whole file, one section's stdout + stderr spans)
or as one ``array('I')`` (the lines a filter kept). ``scan_lines`` runs a
compiled pattern over the lines of a ``RowMap`` in chunks, checking a
cancellation callback between chunks, and returns the matching line numbers as
an ``array('I')``. Both are pure so thread workers and tests can use them.
"""

from __future__ import annotations

import time
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from triagebench.parser import plain_text

if TYPE_CHECKING:
    import regex

CHUNK = 5_000
"""Lines scanned between two cancellation checks."""


class ScanCancelled(Exception):
    """The scan was cancelled (a newer pattern replaced it)."""


class ScanTooSlow(Exception):
    """The pattern took longer than the allowed time budget."""


class RowMap:
    """Rows of the view -> file line numbers, monotonically increasing.

    Built either from inclusive ``(first, last)`` ranges or from an explicit
    sorted ``array('I')`` of line numbers. Lookups are O(log n) either way.
    """

    __slots__ = ("_ranges", "_starts", "_lines", "_length")

    def __init__(self, ranges: Sequence[tuple[int, int]] = (), lines: array | None = None) -> None:
        self._lines = lines
        self._ranges: list[tuple[int, int]] = [(a, b) for a, b in ranges if b >= a]
        self._starts: list[int] = []
        total = 0
        for first, last in self._ranges:
            self._starts.append(total)
            total += last - first + 1
        self._length = len(lines) if lines is not None else total

    @classmethod
    def from_lines(cls, lines: array) -> RowMap:
        """A map over an explicit sorted array of file line numbers."""
        return cls(lines=lines)

    @property
    def explicit(self) -> array | None:
        """The explicit line array, or None for a range map."""
        return self._lines

    @property
    def ranges(self) -> list[tuple[int, int]]:
        """The inclusive ranges of a range map (empty for an explicit map)."""
        return list(self._ranges)

    def __len__(self) -> int:
        return self._length

    def line_at(self, row: int) -> int:
        """File line number shown at ``row`` (0-based); IndexError outside."""
        if row < 0 or row >= self._length:
            raise IndexError(row)
        if self._lines is not None:
            return self._lines[row]
        index = bisect_right(self._starts, row) - 1
        return self._ranges[index][0] + (row - self._starts[index])

    def row_of(self, line: int) -> int | None:
        """Row showing file line ``line``, or None if the line is not in the map."""
        if self._lines is not None:
            index = bisect_left(self._lines, line)
            if index < len(self._lines) and self._lines[index] == line:
                return index
            return None
        for start, (first, last) in zip(self._starts, self._ranges, strict=True):
            if first <= line <= last:
                return start + line - first
        return None

    def row_at_or_after(self, line: int) -> int:
        """First row whose line is >= ``line`` (``len(self)`` if none)."""
        if self._lines is not None:
            return bisect_left(self._lines, line)
        for start, (first, last) in zip(self._starts, self._ranges, strict=True):
            if line <= last:
                return start + max(0, line - first)
        return self._length

    def nearest_row(self, line: int) -> int:
        """Row of ``line`` or of the closest shown line (next one, else previous)."""
        if not self._length:
            return 0
        row = self.row_at_or_after(line)
        return min(row, self._length - 1)

    def contains(self, line: int) -> bool:
        return self.row_of(line) is not None

    def chunks(self, size: int = CHUNK) -> Iterator[tuple[Sequence[int], int]]:
        """Yield ``(line numbers, count)`` chunks covering the map in order."""
        if self._lines is not None:
            for start in range(0, self._length, size):
                part = self._lines[start:start + size]
                yield part, len(part)
            return
        for first, last in self._ranges:
            for start in range(first, last + 1, size):
                end = min(last, start + size - 1)
                yield range(start, end + 1), end - start + 1


def compile_pattern(pattern: str, *, regex_mode: bool = True,
                    case_sensitive: bool = False) -> regex.Pattern[str]:
    """Compile a user pattern (raises ``regex.error`` with a readable message). The
    ``regex`` module is imported here, by the first search, not at start-up (~6 ms)."""
    import regex

    source = pattern if regex_mode else regex.escape(pattern)
    flags = regex.VERSION0 | (0 if case_sensitive else regex.IGNORECASE)
    return regex.compile(source, flags)


def _clean(text: str) -> str:
    """The text a pattern is matched against: plain, without escapes or NULs."""
    if "\x1b" in text or "\x00" in text or "\x9b" in text or text.endswith("\r"):
        return plain_text(text)
    return text


def scan_lines(
    lines: Sequence[str],
    rows: RowMap,
    pattern: Any,
    *,
    cancelled: Callable[[], bool] | None = None,
    per_line_timeout: float | None = None,
    budget: float | None = None,
    deadline: float | None = None,
    invert: bool = False,
    chunk: int = CHUNK,
    concurrent: bool = False,
) -> array:
    """Line numbers (1-based) in ``rows`` whose plain text matches ``pattern``.

    ``invert`` keeps the non-matching lines instead. ``cancelled`` is polled
    between chunks (raises ``ScanCancelled``); ``budget`` (seconds from now) or
    ``deadline`` (a ``time.monotonic()`` value) bounds the TOTAL time, each line's
    regex included (the regex module's timeout is the time left, so one
    catastrophic line cannot overrun it): past it ``ScanTooSlow`` is raised.
    ``per_line_timeout`` bounds each line on its own. ``chunk``: lines between two
    checks of ``cancelled`` and the deadline (small on the UI thread).
    ``concurrent``: the regex module releases the GIL while matching (for a worker
    thread: a slow pattern there must not stall the UI thread).
    """
    out = array("I")
    search = pattern.search
    if budget is not None:
        deadline = time.monotonic() + budget if deadline is None else min(
            deadline, time.monotonic() + budget)
    for numbers, _count in rows.chunks(chunk):
        if cancelled is not None and cancelled():
            raise ScanCancelled
        if deadline is not None and time.monotonic() > deadline:
            raise ScanTooSlow
        if isinstance(numbers, range):
            chunk: Sequence[str] = lines[numbers.start - 1:numbers.stop - 1]
        else:
            chunk = [lines[n - 1] for n in numbers]
        try:
            if deadline is not None:
                hits = _timed_hits(search, chunk, deadline, per_line_timeout, concurrent, invert)
            elif per_line_timeout is not None:
                hits = [
                    (search(_clean(text), timeout=per_line_timeout) is None) == invert
                    for text in chunk
                ]
            else:
                hits = [(search(_clean(text)) is None) == invert for text in chunk]
        except TimeoutError as exc:
            raise ScanTooSlow from exc
        out.extend(n for n, hit in zip(numbers, hits, strict=True) if hit)
    return out


def _timed_hits(search: Callable[..., object], chunk: Sequence[str], deadline: float,
                cap: float | None, concurrent: bool, invert: bool) -> list[bool]:
    """Per line: does it match? Each regex gets the time left until ``deadline`` (at
    most ``cap``); past the deadline ``ScanTooSlow`` is raised before the next line."""
    hits = []
    clock = time.monotonic
    for text in chunk:
        left = deadline - clock()
        if left <= 0:
            raise ScanTooSlow
        found = search(_clean(text), timeout=left if cap is None else min(left, cap),
                       concurrent=concurrent or None)
        hits.append((found is None) == invert)
    return hits


def next_in(sorted_lines: Sequence[int], after: int) -> int | None:
    """First value in a sorted sequence strictly greater than ``after``."""
    index = bisect_right(sorted_lines, after)
    return sorted_lines[index] if index < len(sorted_lines) else None


def prev_in(sorted_lines: Sequence[int], before: int) -> int | None:
    """Last value in a sorted sequence strictly smaller than ``before``."""
    index = bisect_left(sorted_lines, before) - 1
    return sorted_lines[index] if index >= 0 else None


def contains_sorted(sorted_lines: Sequence[int], line: int) -> bool:
    """Membership test on a sorted sequence (binary search)."""
    index = bisect_left(sorted_lines, line)
    return index < len(sorted_lines) and sorted_lines[index] == line


def count_between(sorted_lines: Sequence[int], first: int, last: int) -> int:
    """How many values lie in the inclusive range [first, last]."""
    return bisect_right(sorted_lines, last) - bisect_left(sorted_lines, first)


def intersect_sorted(first: Sequence[int], second: Sequence[int], *,
                     cancelled: Callable[[], bool] | None = None,
                     deadline: float | None = None) -> array:
    """Values present in both sorted sequences, as ``array('I')``.

    Walks the shorter sequence and binary-searches the longer one, so a few
    thousand search matches against a million filtered rows costs milliseconds.
    """
    small, large = (first, second) if len(first) <= len(second) else (second, first)
    out = array("I")
    size = len(large)
    for start in range(0, len(small), CHUNK):
        if cancelled is not None and cancelled():
            raise ScanCancelled
        if deadline is not None and time.monotonic() > deadline:
            raise ScanTooSlow
        for value in small[start:start + CHUNK]:
            index = bisect_left(large, value)
            if index < size and large[index] == value:
                out.append(value)
    return out
