"""Splitting diagnostics text into sections.

Three formats, tried in order:

* ``balena-diagnostics``: the ``--- COMMANDS ---`` listing is the authoritative
  list of headers, matched in order in the stdout part and again in the
  ``STDERR:`` part. This defeats false headers such as
  ``--- google.co.uk ping statistics ---`` printed by busybox ping.
* ``diagnostics-legacy``: no listing (older scripts); a header is a
  ``--- x ---`` line followed by a blank line, a timestamp or the end.
* ``plain-log``: no headers at all; one section holds every line.

Indices here are 0-based internally and converted to 1-based line numbers when
``Section``/``Stream`` objects are built.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from .document import EPILOGUE, PREAMBLE, STDERR, STDOUT, Section, Stream, Timing
from .keys import category_of_marker, normalise_key
from .numbers import bounded_float, bounded_int

TIMESTAMP_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,9})?[+-]\d\d:\d\d$")
TIME_VALUE = r"(?:\d+h )?\d+m ?\d+(?:\.\d+)?s"
REAL_TAIL_RE = re.compile(rf"[\t ]+(?P<value>{TIME_VALUE})")
USER_RE = re.compile(rf"^user[\t ]+(?P<value>{TIME_VALUE})$")
SYS_RE = re.compile(rf"^sys[\t ]+(?P<value>{TIME_VALUE})$")
STATUS_RE = re.compile(r"^Command (?:exited with non-zero status (?P<status>\d+)"
                       r"|terminated by signal (?P<signal>\d+))$")
BANNER_PREFIXES = ("diagnose ", "diagnose", "leech", "NOTE:", "COMMANDS", "prefixing commands",
                   "STDOUT", "STDERR")


def _clean(line: str) -> str:
    """A line as compared for structure: without a trailing CR."""
    return line[:-1] if line.endswith("\r") else line


def _header_command(line: str) -> str | None:
    if line.startswith("--- "):
        line = _clean(line)
        if line.endswith(" ---") and len(line) >= 8:
            return line[4:-4]
    return None


def _is_banner(command: str) -> bool:
    return command.startswith(BANNER_PREFIXES)


MAX_STATUS = 255  # an exit status is one byte
MAX_SIGNAL = 128
MAX_SECONDS = 10 ** 9  # ~31 years: any larger command time is not a real measurement
STRUCTURE_LINE = 4096  # a longer line is never a timestamp or a time line


def parse_seconds(value: str) -> float | None:
    """``0m 0.38s`` / ``1h 2m 3.5s`` -> seconds; unknown when a field has absurd digits."""
    match = re.fullmatch(r"(?:(\d+)h )?(\d+)m ?(\d+(?:\.\d+)?)s", value)
    if not match:
        return None
    hours, minutes, seconds = match.groups()
    parts = (bounded_int(hours or "0"), bounded_int(minutes), bounded_float(seconds))
    if any(part is None for part in parts):
        return None
    total = parts[0] * 3600 + parts[1] * 60 + parts[2]  # type: ignore[operator]
    return total if total <= MAX_SECONDS else None


def match_real(line: str) -> tuple[str, str] | None:
    """A ``real`` time line, possibly glued to the command's last output
    (``OKreal\t0m 0.38s``): (glued text before it, time value), else None.

    Only the last ``real`` can start the time value (the value holds no letters
    but h/m/s), so the line is split there: linear, however long the line is.
    """
    pre, found, tail = line.rpartition("real")
    if not found or len(tail) > STRUCTURE_LINE:
        return None
    match = REAL_TAIL_RE.fullmatch(tail)
    return (pre, match.group("value")) if match else None


@dataclass(slots=True)
class Listing:
    commands: list[str]
    categories: list[str | None]
    end: int  # index of the first line after the listing


@dataclass(slots=True)
class SplitResult:
    format: str
    sections: list[Section]
    places: list[tuple[int, int, str, int]]
    warnings: list[str] = field(default_factory=list)


def find_listing(lines: list[str], limit: int = 400) -> Listing | None:
    """The command listing that follows ``--- COMMANDS ---`` (and the prefix line)."""
    start = None
    for i in range(min(len(lines), limit)):
        if _clean(lines[i]) == "--- COMMANDS ---":
            start = i + 1
            break
    if start is None:
        return None
    i = start
    # Skip blank lines and banner headers (the prefixing line) before the listing.
    while i < len(lines):
        line = _clean(lines[i])
        command = _header_command(line)
        if not line.strip() or (command is not None and _is_banner(command)):
            i += 1
            continue
        break
    commands: list[str] = []
    categories: list[str | None] = []
    category: str | None = None
    while i < len(lines):
        line = _clean(lines[i])
        if not line.strip() or _header_command(line) is not None:
            break
        marker = category_of_marker(line)
        if marker:
            category = marker
        commands.append(line)
        categories.append(category)
        i += 1
    if not commands:
        return None
    return Listing(commands, categories, i)


class _Matcher:
    """Matches header lines against the listing, in order, skipping missing ones."""

    def __init__(self, commands: list[str]) -> None:
        self.positions: dict[str, list[int]] = {}
        for index, command in enumerate(commands):
            self.positions.setdefault(command, []).append(index)
        self.pointer = 0

    def match(self, command: str) -> int | None:
        positions = self.positions.get(command)
        if not positions:
            return None
        k = bisect_left(positions, self.pointer)
        if k == len(positions):
            return None
        self.pointer = positions[k] + 1
        return positions[k]


def _stdout_stream(lines: list[str], header: int, end: int) -> tuple[Stream, dict]:
    """Parse one stdout block (0-based ``header``..``end`` inclusive)."""
    info: dict = {"started_at": None, "exit_status": None, "signal": None, "timing": None}
    first = header + 1
    if first <= end and not lines[first].strip():
        first += 1
    if first <= end and len(lines[first]) < 64 and TIMESTAMP_RE.match(_clean(lines[first])):
        info["started_at"] = _clean(lines[first])
        first += 1
    last = end
    if last >= first and not _clean(lines[last]).strip():
        last -= 1
    overrides: dict[int, str] = {}
    timing, last, glued = _take_timing(lines, first, last)
    if timing:
        info["timing"] = timing
    if glued is not None:
        overrides[last + 1] = glued  # the glued line stays as the final output line
        last_output = last + 1
    else:
        last_output = last
        if last >= first:
            status = STATUS_RE.match(_clean(lines[last]))
            if status:
                _apply_status(info, status)
                last_output = last - 1
    count = max(0, last_output - first + 1)
    stream = Stream(span=(header + 1, end + 1), first_line=first + 1 if count else 0,
                    count=count, overrides={k + 1: v for k, v in overrides.items()})
    return stream, info


def _apply_status(info: dict, status: re.Match[str]) -> None:
    """The line is GNU time's status line whatever the number; an absurd number
    (over ``MAX_STATUS``/``MAX_SIGNAL``, thousands of digits) is unknown (None)."""
    if status.group("status"):
        info["exit_status"] = bounded_int(status.group("status"), low=1, high=MAX_STATUS)
    else:
        info["signal"] = bounded_int(status.group("signal"), low=1, high=MAX_SIGNAL)


def _take_timing(lines: list[str], first: int, last: int) -> tuple[Timing | None, int, str | None]:
    """Strip trailing real/user/sys lines; returns timing, new last index, glued output.

    When busybox printed ``real`` right after output without a newline, the
    returned ``glued`` is that output text and ``last`` points before its line.
    """
    if last - first < 2:
        return None, last, None
    if len(lines[last]) > STRUCTURE_LINE or len(lines[last - 1]) > STRUCTURE_LINE:
        return None, last, None
    sys_match = SYS_RE.match(_clean(lines[last]))
    user_match = USER_RE.match(_clean(lines[last - 1])) if sys_match else None
    real_match = match_real(_clean(lines[last - 2])) if user_match else None
    if not real_match:
        return None, last, None
    pre, real = real_match
    timing = Timing(real=real, user=user_match.group("value"), sys=sys_match.group("value"),
                    real_seconds=parse_seconds(real))
    if pre:
        return timing, last - 3, pre
    return timing, last - 3, None


def _stderr_stream(lines: list[str], header: int, end: int) -> tuple[Stream, Timing | None]:
    first = header + 1
    if first <= end and not lines[first].strip():
        first += 1
    last = end
    if last >= first and not _clean(lines[last]).strip():
        last -= 1
    timing, last, glued = _take_timing(lines, first, last)
    overrides = {}
    if glued is not None:
        last += 1
        overrides[last + 1] = glued
    count = max(0, last - first + 1)
    return Stream(span=(header + 1, end + 1), first_line=first + 1 if count else 0, count=count,
                  overrides=overrides), timing


def _find_marker(lines: list[str], marker: str, start: int = 0) -> int | None:
    for i in range(start, len(lines)):
        line = lines[i]
        if line.startswith(marker) and _clean(line) == marker:
            return i
    return None


def _headers_in(lines: list[str], start: int, stop: int, matcher: _Matcher) -> list[tuple[int, int]]:
    found = []
    for i in range(start, stop):
        line = lines[i]
        if line.startswith("--- "):
            command = _header_command(line)
            if command is not None:
                index = matcher.match(command)
                if index is not None:
                    found.append((i, index))
    return found


def _places_from(spans: list[tuple[int, int, str, int]], total: int,
                 first_section_line: int) -> list[tuple[int, int, str, int]]:
    """Fill the gaps between owned spans so every line 1..total has exactly one place."""
    places: list[tuple[int, int, str, int]] = []
    cursor = 1
    for first, last, kind, index in sorted(spans):
        if first > cursor:
            gap_kind = PREAMBLE if cursor < first_section_line else EPILOGUE
            places.append((cursor, first - 1, gap_kind, -1))
        places.append((first, last, kind, index))
        cursor = last + 1
    if cursor <= total:
        places.append((cursor, total, PREAMBLE if not spans else EPILOGUE, -1))
    return places


def split(lines: list[str]) -> SplitResult:
    listing = find_listing(lines)
    if listing is not None:
        return _split_listed(lines, listing)
    legacy = _split_legacy(lines)
    if legacy is not None:
        return legacy
    return _split_plain(lines)


def _split_listed(lines: list[str], listing: Listing) -> SplitResult:
    total = len(lines)
    stderr_at = _find_marker(lines, "STDERR:", listing.end)
    stdout_stop = stderr_at if stderr_at is not None else total
    headers = _headers_in(lines, listing.end, stdout_stop, _Matcher(listing.commands))
    warnings: list[str] = []
    sections: list[Section] = []
    spans: list[tuple[int, int, str, int]] = []
    by_listing: dict[int, Section] = {}
    for n, (line_index, listing_index) in enumerate(headers):
        end = headers[n + 1][0] - 1 if n + 1 < len(headers) else stdout_stop - 1
        # The blank line announce() prints before the next header belongs to this block.
        section = _make_section(lines, len(sections), listing.commands[listing_index],
                                listing.categories[listing_index], line_index, end)
        sections.append(section)
        by_listing[listing_index] = section
        spans.append((line_index + 1, end + 1, STDOUT, section.index))
    missing = len(listing.commands) - len(headers)
    if missing:
        absent = [c for i, c in enumerate(listing.commands) if i not in by_listing]
        warnings.append(f"{missing} command(s) of the listing have no section "
                        f"(file truncated?): first missing: {absent[0]!r}")
    if stderr_at is not None:
        stderr_headers = _headers_in(lines, stderr_at + 1, total, _Matcher(listing.commands))
        for n, (line_index, listing_index) in enumerate(stderr_headers):
            end = stderr_headers[n + 1][0] - 1 if n + 1 < len(stderr_headers) else total - 1
            section = by_listing.get(listing_index)
            if section is None:
                continue
            stream, timing = _stderr_stream(lines, line_index, end)
            section.stderr = stream
            if section.timing is None and timing is not None:
                section.timing = timing
            spans.append((line_index + 1, end + 1, STDERR, section.index))
    elif sections:
        warnings.append("no STDERR: part: stderr of the commands is not in this file")
    first_line = spans[0][0] if spans else total + 1
    places = _places_from(spans, total, first_line)
    # 2017 "leech" files have the listing but neither timestamps nor time lines.
    timed = any(s.started_at or s.timing for s in sections)
    kind = "balena-diagnostics" if timed or not sections else "diagnostics-legacy"
    return SplitResult(kind, sections, places, warnings)


def _make_section(lines: list[str], index: int, command: str, category: str | None,
                  header: int, end: int) -> Section:
    stream, info = _stdout_stream(lines, header, end)
    marker = category_of_marker(command)
    return Section(
        index=index, command=command, key=normalise_key(command),
        category=marker or category, header_line=header + 1, stdout=stream,
        started_at=info["started_at"], exit_status=info["exit_status"],
        signal=info["signal"], timing=info["timing"], is_category_marker=marker is not None,
    )


def _split_legacy(lines: list[str]) -> SplitResult | None:
    """Older files: a header is ``--- x ---`` followed by a blank line, a timestamp or EOF."""
    total = len(lines)
    stderr_at = _find_marker(lines, "STDERR:")
    stdout_stop = stderr_at if stderr_at is not None else total
    candidates: list[tuple[int, str]] = []
    for i in range(stdout_stop):
        line = lines[i]
        if not line.startswith("--- "):
            continue
        command = _header_command(line)
        if command is None:
            continue
        following = _clean(lines[i + 1]) if i + 1 < stdout_stop else ""
        if following.strip() and not TIMESTAMP_RE.match(following):
            continue
        candidates.append((i, command))
    if not candidates:
        return None
    sections: list[Section] = []
    spans: list[tuple[int, int, str, int]] = []
    # Banner headers end the previous block but open no section.
    for n, (line_index, command) in enumerate(candidates):
        if _is_banner(command):
            continue
        end = candidates[n + 1][0] - 1 if n + 1 < len(candidates) else stdout_stop - 1
        section = _make_section(lines, len(sections), command, None, line_index, end)
        sections.append(section)
        spans.append((line_index + 1, end + 1, STDOUT, section.index))
    if not sections:
        return None
    category = None
    for section in sections:  # legacy files with markers still get categories
        if section.is_category_marker:
            category = section.category
        elif category:
            section.category = category
    warnings = ["no --- COMMANDS --- listing: sections found by header shape (older format)"]
    if stderr_at is not None:
        commands = [s.command for s in sections]
        stderr_headers = _headers_in(lines, stderr_at + 1, total, _Matcher(commands))
        for n, (line_index, position) in enumerate(stderr_headers):
            end = stderr_headers[n + 1][0] - 1 if n + 1 < len(stderr_headers) else total - 1
            section = sections[position]
            section.stderr, timing = _stderr_stream(lines, line_index, end)
            if section.timing is None and timing is not None:
                section.timing = timing
            spans.append((line_index + 1, end + 1, STDERR, section.index))
    places = _places_from(spans, total, spans[0][0])
    return SplitResult("diagnostics-legacy", sections, places, warnings)


def _split_plain(lines: list[str]) -> SplitResult:
    total = len(lines)
    stream = Stream(span=(1, total), first_line=1 if total else 0, count=total)
    section = Section(index=0, command="(whole file)", key="log", category=None, header_line=0,
                      stdout=stream)
    places = [(1, total, STDOUT, 0)] if total else []
    return SplitResult("plain-log", [section], places,
                       ["no section headers: the whole file is one section"])
