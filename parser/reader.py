"""Reading a diagnostics file from disk into decoded text, with clear errors.

Every problem becomes an ``InputError`` whose message names the file and the
problem in one line; callers print it and exit, never a traceback.
"""

from __future__ import annotations

import gzip
import os
import zlib
from dataclasses import dataclass

GZIP_MAGIC = b"\x1f\x8b"
BINARY_SAMPLE = 65536


class InputError(Exception):
    """A file that cannot be read as a diagnostics text; ``str()`` is the one-line message."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def looks_binary(data: bytes) -> bool:
    """True when the sample has many NULs or non-text control bytes.

    Real diagnostics carry a stray NUL and ANSI escapes, so a handful is fine;
    binaries have them everywhere.
    """
    sample = data[:BINARY_SAMPLE]
    if not sample:
        return False
    text_controls = {9, 10, 12, 13, 27}
    bad = sum(1 for b in sample if b < 32 and b not in text_controls)
    return bad / len(sample) > 0.05


def decode(data: bytes) -> tuple[str, int]:
    """Decode UTF-8, replacing invalid bytes; returns the text and how many were replaced."""
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        replaced = text.count("\ufffd") - data.count("\ufffd".encode())
        return text, max(replaced, 1)


CHUNK = 8 << 20


@dataclass(slots=True)
class RawLines:
    path: str
    lines: list[str]
    final_newline: bool
    size_bytes: int
    replaced_chars: int


def _open_binary(path: str):
    if not os.path.exists(path):
        raise InputError(path, "no such file")
    if os.path.isdir(path):
        raise InputError(path, "is a directory, not a diagnostics file")
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the caller
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from None
    if handle.read(2) == GZIP_MAGIC:
        handle.close()
        return gzip.open(path, "rb")
    handle.seek(0)
    return handle


def read_lines(path: str) -> RawLines:
    """Read a file straight into decoded lines, chunk by chunk.

    Peak memory is the line list plus one chunk, never the whole file's bytes
    and text at once (a 1,000,000-line file must stay under 3x its size).
    Chunks are cut after a newline byte, which never occurs inside a UTF-8
    multi-byte sequence, so decoding per chunk equals decoding the whole.
    """
    lines: list[str] = []
    size = 0
    replaced = 0
    tail = b""
    first = True
    try:
        with _open_binary(path) as handle:
            while True:
                chunk = handle.read(CHUNK)
                if not chunk:
                    break
                if first:
                    first = False
                    if looks_binary(chunk):
                        raise InputError(path, "looks like a binary file, not diagnostics text")
                size += len(chunk)
                data = tail + chunk
                cut = data.rfind(b"\n")
                if cut < 0:
                    tail = data
                    continue
                tail = data[cut + 1:]
                text, bad = decode(data[: cut + 1])
                replaced += bad
                lines.extend(text.split("\n"))
                lines.pop()  # the empty string after the final newline of the chunk
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(path, f"cannot be read ({exc})") from None
    final_newline = not tail and size > 0
    if tail:
        text, bad = decode(tail)
        replaced += bad
        lines.extend(text.split("\n"))
    if size == 0:
        raise InputError(path, "file is empty")
    if not any(line.strip() for line in lines):
        raise InputError(path, "file holds only whitespace")
    return RawLines(path, lines, final_newline, size, replaced)
