"""Diagnostics text -> ``Document`` (sections, lines, facts). Never imports Textual.

Use ``parse_file(path)`` for one input (a file, ``-`` for standard input, a pipe,
a gzip/xz/bz2/zstd file or a one-file zip; raises ``InputError`` with a one-line
message), ``open_inputs(path)`` + ``parse_input(named)`` for every input a path
holds (each member of a zip), and ``parse_text(text)`` for text already in memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import InputError
from .lazy import lazy_exports
from .text import plain_text, printable

if TYPE_CHECKING:
    from .document import CATEGORIES, Document, Section, Stream, Timing
    from .facts import FACT_NAMES
    from .reader import STDIN, NamedInput, RawLines, open_inputs
    from .times import LineTime

# The names below are imported on first use (PEP 562 ``__getattr__``): the CLI needs
# ``InputError`` and ``printable`` before it forks the analysis (services.prefetch), and
# the regex engine, the decompressors and the health-check reader behind the other
# names cost ~25 ms of imports that the workbench's process would pay before its
# first frame (its child, which parses, imports them itself).
_EXPORTS: dict[str, str] = {
    "CATEGORIES": "document", "Document": "document", "Section": "document",
    "Stream": "document", "Timing": "document",
    "FACT_NAMES": "facts",
    "STDIN": "reader", "NamedInput": "reader", "RawLines": "reader", "open_inputs": "reader",
    "read_lines": "reader",
    "LineTime": "times",
}


__getattr__ = lazy_exports(__name__, globals(), _EXPORTS)


__all__ = [
    "CATEGORIES", "FACT_NAMES", "STDIN", "Document", "InputError", "LineTime", "NamedInput",
    "Section", "Stream", "Timing", "open_inputs", "parse_file", "parse_input", "parse_raw",
    "parse_text", "plain_text", "printable",
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
    from .document import Document
    from .facts import extract_facts
    from .sections import split

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


def parse_raw(raw: RawLines) -> Document:
    """The Document of one input's lines (``Document.path`` is the input's name).

    JSON input is read as balena health checks (format ``health-checks``); JSON
    that is not health checks is an ``InputError``, never an all-clear log.
    """
    from .checks import looks_like_json, parse_checks

    if looks_like_json(raw.lines, raw.size_bytes):
        try:
            doc = parse_checks(raw.lines, path=raw.path, size_bytes=raw.size_bytes)
        except InputError:
            raise
        except ValueError:
            pass  # not JSON after all: a text log that starts with a brace
        else:
            return doc
    return parse_lines(raw.lines, raw.final_newline, path=raw.path, size_bytes=raw.size_bytes,
                       replaced_chars=raw.replaced_chars)


def parse_input(named: NamedInput) -> Document:
    """Parse one input from ``open_inputs``; raises its ``InputError`` if it could not be read."""
    return parse_raw(named.lines())


def parse_file(path: str) -> Document:
    """Read and parse one input; raises ``InputError`` naming the input and the problem.

    ``path`` may be ``-`` (standard input, named ``<stdin>``); a zip holding
    several files is an error here (use ``open_inputs``).
    """
    from .reader import read_lines

    return parse_raw(read_lines(path))
