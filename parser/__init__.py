"""Diagnostics text -> ``Document`` (sections, lines, facts). Never imports Textual.

Use ``parse_file(path)`` for files on disk (raises ``InputError`` with a one-line
message) and ``parse_text(text)`` for text already in memory.
"""

from __future__ import annotations

from .document import CATEGORIES, Document, Section, Stream, Timing
from .facts import FACT_NAMES, extract_facts
from .reader import InputError, read_lines
from .sections import split
from .text import plain_text, printable
from .times import LineTime

__all__ = [
    "CATEGORIES", "FACT_NAMES", "Document", "InputError", "LineTime", "Section", "Stream", "Timing",
    "parse_file", "parse_text", "plain_text", "printable",
]


def split_lines(text: str) -> tuple[list[str], bool]:
    """Split on ``\\n`` only (not ``str.splitlines``, which also splits on form feeds
    and Unicode separators and would break losslessness)."""
    if not text:
        return [], False
    lines = text.split("\n")
    final_newline = text.endswith("\n")
    if final_newline:
        lines.pop()
    return lines, final_newline


def parse_text(text: str, path: str = "<text>") -> Document:
    """Parse decoded diagnostics text into a Document."""
    lines, final_newline = split_lines(text)
    return parse_lines(lines, final_newline, path=path, size_bytes=len(text.encode("utf-8", "replace")))


def parse_lines(lines: list[str], final_newline: bool, *, path: str, size_bytes: int,
                replaced_chars: int = 0) -> Document:
    """Build the Document from already split lines (the list is kept, not copied)."""
    result = split(lines)
    warnings = list(result.warnings)
    if replaced_chars:
        warnings.append(f"{replaced_chars} invalid UTF-8 byte sequence(s) replaced with U+FFFD")
    doc = Document(
        path=path, format=result.format, lines=lines, sections=result.sections, facts={},
        places=result.places, warnings=warnings, final_newline=final_newline,
        replaced_chars=replaced_chars, size_bytes=size_bytes,
    )
    doc.facts = extract_facts(doc)
    return doc


def parse_file(path: str) -> Document:
    """Read and parse a file; raises ``InputError`` naming the file and the problem."""
    raw = read_lines(path)
    return parse_lines(raw.lines, raw.final_newline, path=path, size_bytes=raw.size_bytes,
                       replaced_chars=raw.replaced_chars)
