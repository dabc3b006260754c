"""Line references: the one format used to point at a line everywhere (TUI, CLI, reports).

Two forms, both ``FILE#FRAGMENT`` so they read like URLs and paste into tickets:

* ``diag.txt#L1234``: file line 1234 (1-based, as everywhere in triagebench).
* ``diag.txt#section=balena%20logs%20%7Bid%7D&line=3``: output line 3 of the
  section whose key is ``balena logs {id}``. Section keys normalise run-specific
  tokens (container ids, mktemp paths), so this form still points at the same
  line in a re-capture of the same device, where file line numbers have moved.
  ``&occurrence=2`` picks the second section with that key (rare: legacy files);
  a section reference without ``&line=`` means the section's header line.

``parse_ref`` also accepts the short forms people type: ``#L1234``, ``L1234``,
``1234`` and a fragment without a file (it then applies to the open file).
``resolve_ref`` turns a reference into a file line of a ``Document`` or raises
``RefError`` with one clear line naming the file and the problem.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from .document import Document, Section

# Characters kept as-is in a quoted section key: readable, and none of them is
# special in a fragment or in Markdown (``#``, ``&``, ``=``, ``%``, ``|``, brackets,
# quotes, backticks and whitespace are quoted).
_KEY_SAFE = "/:{}*.,;_-~!$'()+@^"
_LINE_RE = re.compile(r"^L?([0-9]+)$", re.IGNORECASE)
MAX_NUMBER_DIGITS = 12
MAX_SHOWN_CHARS = 80


class RefError(ValueError):
    """A reference that cannot be parsed or resolved; ``str()`` is the one-line message."""


@dataclass(frozen=True, slots=True)
class Ref:
    """A parsed reference. Exactly one of ``line`` / ``section_key`` is set.

    ``file`` is the file part as written (``None`` for a bare fragment: the open
    file). ``section_line`` is the 1-based output line inside the section
    (``None``: the section's header line). ``occurrence`` picks among sections
    sharing the key (1 = first).
    """

    file: str | None
    line: int | None = None
    section_key: str | None = None
    section_line: int | None = None
    occurrence: int = 1

    @property
    def stable(self) -> bool:
        """True for a section-relative reference (survives a re-capture)."""
        return self.section_key is not None

    def fragment(self) -> str:
        """The part after ``#`` (``L1234`` or ``section=...&line=n``)."""
        if self.section_key is None:
            return f"L{self.line}"
        text = f"section={quote(self.section_key, safe=_KEY_SAFE)}"
        if self.occurrence > 1:
            text += f"&occurrence={self.occurrence}"
        if self.section_line is not None:
            text += f"&line={self.section_line}"
        return text

    def __str__(self) -> str:
        return f"{self.file or ''}#{self.fragment()}"


def file_label(doc: Document) -> str:
    """The file name a reference carries: the base name, never a local directory."""
    return os.path.basename(doc.path) or doc.path


def output_lines(section: Section) -> list[int]:
    """The section's output lines in reference order: stdout, then stderr."""
    return list(section.output_line_numbers("any"))


def section_position(doc: Document, line: int) -> tuple[Section, int | None, int] | None:
    """Where ``line`` sits in its section: (section, output index or None for the header,
    occurrence of the key). ``None`` when the line is not addressable that way
    (preamble, timestamp, time lines, blank lines around a header)."""
    section = doc.section_at(line)
    if section is None:
        return None
    same_key = doc.sections_by_key(section.key)
    occurrence = next((i for i, s in enumerate(same_key, 1) if s is section), 1)
    if line == section.header_line:
        return section, None, occurrence
    for stream in (section.stdout, section.stderr):
        if stream is not None and stream.count and stream.first_line <= line <= stream.last_line:
            index = line - stream.first_line + 1
            if stream is section.stderr:
                index += section.stdout.count
            return section, index, occurrence
    return None


def make_ref(doc: Document, line: int, stable: bool = False) -> Ref:
    """The ``Ref`` for file line ``line``; ``stable`` prefers the section form when the
    line is a section header or output line (other lines fall back to ``#L``)."""
    label = file_label(doc)
    if stable:
        place = section_position(doc, line)
        if place is not None:
            section, index, occurrence = place
            return Ref(label, None, section.key, index, occurrence)
    return Ref(label, line)


def format_ref(doc: Document, line: int, stable: bool = False) -> str:
    """``FILE#L1234``, or with ``stable`` ``FILE#section=<key>&line=<n>`` where possible."""
    return str(make_ref(doc, line, stable))


def _positive(value: str, what: str, text: str) -> int:
    """``value`` as a positive int: ASCII digits only (``²`` and other Unicode digits
    pass ``isdigit`` but not ``int``) and at most ``MAX_NUMBER_DIGITS`` of them (a
    5,000-digit number is over Python's int-parsing limit, and no file is that long)."""
    shown = _shown(value)
    if not (value.isascii() and value.isdecimal()):
        raise RefError(f"{_shown(text)}: {what} must be a positive whole number, not {shown}")
    if len(value.lstrip("0")) > MAX_NUMBER_DIGITS:
        raise RefError(f"{_shown(text)}: {what} has {len(value):,} digits; no file is that long")
    number = int(value)
    if number < 1:
        raise RefError(f"{_shown(text)}: {what} must be a positive whole number, not {shown}")
    return number


def _shown(text: str) -> str:
    """``text`` quoted for a message, capped so a huge reference stays one short line."""
    return repr(text if len(text) <= MAX_SHOWN_CHARS else text[:MAX_SHOWN_CHARS] + "…")


def _parse_fragment(fragment: str, file: str | None, text: str) -> Ref:
    match = _LINE_RE.match(fragment)
    if match:
        return Ref(file, _positive(match.group(1), "the line", text))
    if not fragment.startswith("section="):
        raise RefError(f"{_shown(text)} is not a line reference (expected FILE#L1234, "
                       f"FILE#section=KEY&line=N, L1234 or 1234)")
    fields: dict[str, str] = {}
    for part in fragment.split("&"):
        name, sep, value = part.partition("=")
        if not sep or name not in ("section", "line", "occurrence") or name in fields:
            raise RefError(f"{_shown(text)}: unexpected {_shown(part)} in a section reference")
        fields[name] = value
    key = unquote(fields["section"])
    if not key:
        raise RefError(f"{_shown(text)}: the section key is empty")
    line = _positive(fields["line"], "line", text) if "line" in fields else None
    occurrence = _positive(fields["occurrence"], "occurrence", text) if "occurrence" in fields else 1
    return Ref(file, None, key, line, occurrence)


def parse_ref(text: str) -> Ref:
    """Parse a reference as printed by ``format_ref`` or typed by a person.

    ``FILE#L1234``, ``FILE#1234``, ``FILE#section=KEY&line=N``, ``#L1234``,
    ``L1234``, ``1234``, ``section=KEY&line=N``; a bare ``FILE`` means its first line.
    Raises ``RefError`` with a one-line message otherwise.
    """
    raw = text.strip()
    if not raw:
        raise RefError("empty line reference")
    if "#" in raw:
        # A quoted key never contains '#', so the last '#' starts the fragment.
        file_part, _, fragment = raw.rpartition("#")
        return _parse_fragment(fragment, file_part or None, raw)
    if _LINE_RE.match(raw) or raw.startswith("section="):
        return _parse_fragment(raw, None, raw)
    return Ref(raw, 1)


def resolve_ref(ref: Ref, doc: Document) -> int:
    """The file line ``ref`` points at in ``doc``; ``RefError`` says why when it cannot.

    The file part is not compared with ``doc``: a reference copied from a renamed or
    re-downloaded copy still applies (callers may warn when the names differ).
    """
    name = file_label(doc)
    if ref.section_key is None:
        line = ref.line or 1
        if line > doc.line_count:
            raise RefError(f"line {line:,} is past the end of {name} ({doc.line_count:,} lines)")
        return line
    sections = doc.sections_by_key(ref.section_key)
    if not sections:
        raise RefError(f"section {ref.section_key!r} is not in {name}")
    if ref.occurrence > len(sections):
        raise RefError(f"section {ref.section_key!r} occurs {len(sections)} time(s) in {name}, "
                       f"not {ref.occurrence}")
    section = sections[ref.occurrence - 1]
    if ref.section_line is None:
        return section.header_line or section.first_line
    # Output lines are stdout then stderr, each contiguous: index without listing them
    # (a plain log is one section of possibly a million lines).
    n = ref.section_line
    if n <= section.stdout.count:
        return section.stdout.first_line + n - 1
    stderr_count = section.stderr.count if section.stderr is not None else 0
    if section.stderr is not None and n <= section.stdout.count + stderr_count:
        return section.stderr.first_line + n - section.stdout.count - 1
    total = section.stdout.count + stderr_count
    raise RefError(f"line {n:,} is past the end of section {ref.section_key!r} in {name} "
                   f"({total:,} output lines)")


def ref_file_matches(ref: Ref, doc: Document) -> bool:
    """True when ``ref`` names no file or the same base name as ``doc``."""
    return ref.file is None or os.path.basename(ref.file) == file_label(doc)


__all__ = ["Ref", "RefError", "file_label", "format_ref", "make_ref", "output_lines",
           "parse_ref", "ref_file_matches", "resolve_ref", "section_position"]
