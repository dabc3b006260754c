"""The Document: a diagnostics file split into sections, losslessly.

Lines are addressed everywhere by their 1-based number in the original file.
The raw decoded text of every line is kept once, in ``Document.lines``; sections
only hold line ranges into it (plus the rare override where a command's last
output line had busybox ``real`` glued to it), so a 1,000,000-line file costs
one list of strings, not one object per line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .text import plain_text

if TYPE_CHECKING:
    from datetime import datetime

    from .times import Clock, LineTime

CATEGORIES = ("BALENA", "BOOT", "CHECKS", "HARDWARE", "NETWORK", "OS", "SUPERVISOR", "TIME")
"""Section categories; ``CHECKS`` holds balena health checks (``parser/checks.py``)."""

# Kinds of place a line can belong to (see ``Document.place_of``).
PREAMBLE = "preamble"
STDOUT = "stdout"
STDERR = "stderr"
EPILOGUE = "epilogue"


@dataclass(slots=True)
class Stream:
    """One stream (stdout or stderr) of one section.

    ``span`` is the inclusive range of file lines this block owns (header, blank
    lines, timestamp, output, time lines). ``first_line``/``count`` give the
    command's own output lines inside it, which are contiguous. ``overrides``
    maps a line number to its output text where that differs from the raw line
    (``OKreal\\t0m 0.38s`` -> ``OK``).
    """

    span: tuple[int, int]
    first_line: int = 0
    count: int = 0
    overrides: dict[int, str] = field(default_factory=dict)

    @property
    def line_numbers(self) -> range:
        return range(self.first_line, self.first_line + self.count)

    @property
    def last_line(self) -> int:
        return self.first_line + self.count - 1 if self.count else 0


@dataclass(slots=True)
class Timing:
    real: str | None = None
    user: str | None = None
    sys: str | None = None
    real_seconds: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"real": self.real, "user": self.user, "sys": self.sys,
                "real_seconds": self.real_seconds}


@dataclass(slots=True)
class Section:
    """One command's output: header text, normalised key, category and streams."""

    index: int
    command: str
    key: str
    category: str | None
    header_line: int
    stdout: Stream
    stderr: Stream | None = None
    started_at: str | None = None
    exit_status: int | None = None
    signal: int | None = None
    timing: Timing | None = None
    is_category_marker: bool = False

    @property
    def first_line(self) -> int:
        return self.stdout.span[0]

    @property
    def last_line(self) -> int:
        return self.stdout.span[1]

    @property
    def failed(self) -> bool:
        return bool(self.exit_status) or self.signal is not None

    @property
    def stderr_count(self) -> int:
        return self.stderr.count if self.stderr else 0

    def output_line_numbers(self, stream: str = "any") -> Iterator[int]:
        """Output line numbers of the section (stdout first, then stderr)."""
        if stream in ("stdout", "any"):
            yield from self.stdout.line_numbers
        if stream in ("stderr", "any") and self.stderr is not None:
            yield from self.stderr.line_numbers


@dataclass(slots=True)
class Document:
    """A parsed diagnostics file.

    ``lines[n - 1]`` is the raw decoded text of file line ``n`` (without its
    ``\\n``; a CRLF file keeps its ``\\r``). ``places`` covers every line exactly
    once, in order, as ``(first, last, kind, section_index)`` with kind one of
    preamble/stdout/stderr/epilogue and section_index -1 outside sections.
    """

    path: str
    format: str
    lines: list[str]
    sections: list[Section]
    facts: dict[str, Any]
    places: list[tuple[int, int, str, int]]
    warnings: list[str] = field(default_factory=list)
    final_newline: bool = True
    replaced_chars: int = 0
    size_bytes: int = 0
    # Fact name -> the file line it was read from (filled by ``extract_facts``), so a
    # finding that rests on a fact can cite that line as its evidence.
    fact_lines: dict[str, int] = field(default_factory=dict)
    _by_key: dict[str, list[Section]] = field(default_factory=dict, repr=False)
    _clock: Clock | None = field(default=None, repr=False)


    def __post_init__(self) -> None:
        for section in self.sections:
            self._by_key.setdefault(section.key, []).append(section)

    # -- lines -----------------------------------------------------------
    @property
    def line_count(self) -> int:
        return len(self.lines)

    def line(self, number: int) -> str:
        """Raw text of 1-based line ``number``."""
        return self.lines[number - 1]

    def plain(self, number: int) -> str:
        """Line text without ANSI escapes, NULs or a trailing ``\\r``: what heuristics match."""
        text = self.lines[number - 1]
        if "\x1b" not in text and "\x00" not in text and not text.endswith("\r"):
            return text
        return plain_text(text)

    def output_text(self, section: Section, number: int) -> str:
        """Plain text of an output line of ``section`` (honours glued-``real`` overrides)."""
        for stream in (section.stdout, section.stderr):
            if stream is not None and number in stream.overrides:
                return plain_text(stream.overrides[number])
        return self.plain(number)

    def text(self) -> str:
        """The decoded file text, reassembled from the lines (lossless)."""
        body = "\n".join(self.lines)
        return body + "\n" if self.final_newline and self.lines else body

    # -- time (parser/times.py; nothing is computed before the first call) ----
    @property
    def clock(self) -> Clock:
        if self._clock is None:
            from .times import Clock

            self._clock = Clock(self)
        return self._clock

    @property
    def capture_time(self) -> datetime | None:
        """When the file was captured (UTC): the first section's run time; for a plain log,
        the latest stamp in it; None when the file dates nothing."""
        return self.clock.capture

    def line_time(self, number: int) -> LineTime | None:
        """When file line ``number`` happened and in which boot (None outside the file)."""
        return self.clock.line_time(number)

    def set_capture_time(self, value: datetime | None) -> None:
        """Fix the capture time (example documents); resets every cached line time."""
        from .times import Clock

        self._clock = Clock(self, capture=value, fixed=True)

    # -- sections --------------------------------------------------------
    def sections_by_key(self, key: str) -> list[Section]:
        return self._by_key.get(key, [])

    def section_at(self, number: int) -> Section | None:
        """The section owning file line ``number`` (stdout or stderr part), if any."""
        place = self.place_of(number)
        return self.sections[place[3]] if place and place[3] >= 0 else None

    def place_of(self, number: int) -> tuple[int, int, str, int] | None:
        """The ``places`` entry containing ``number`` (binary search)."""
        lo, hi = 0, len(self.places) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            first, last, _, _ = self.places[mid]
            if number < first:
                hi = mid - 1
            elif number > last:
                lo = mid + 1
            else:
                return self.places[mid]
        return None

    def stream_of(self, number: int) -> str | None:
        place = self.place_of(number)
        return place[2] if place else None

