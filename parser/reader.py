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


@dataclass(slots=True)
class RawText:
    path: str
    text: str
    size_bytes: int
    replaced_chars: int


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


def read_bytes(path: str) -> bytes:
    """Read a file's bytes (gunzipping ``.gz`` transparently) or raise ``InputError``."""
    if not os.path.exists(path):
        raise InputError(path, "no such file")
    if os.path.isdir(path):
        raise InputError(path, "is a directory, not a diagnostics file")
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from None
    if data[:2] == GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            raise InputError(path, "looks gzip-compressed but is corrupt or truncated") from None
    return data


def read_text(path: str) -> RawText:
    """Read and validate a diagnostics file."""
    data = read_bytes(path)
    if not data.strip():
        raise InputError(path, "file is empty" if not data else "file holds only whitespace")
    if looks_binary(data):
        raise InputError(path, "looks like a binary file, not diagnostics text")
    text, replaced = decode(data)
    return RawText(path=path, text=text, size_bytes=len(data), replaced_chars=replaced)
