"""Reading our own small JSON files (stored sessions, exports, settings) defensively.

They live in the user's folders and travel between people (a session file comes
with a ticket), so they are untrusted like the diagnostics: ``loads_small`` refuses
nesting deeper than any file we write (``json.loads`` would hit ``RecursionError``)
and turns integers of absurd length into ``None`` (``int()`` refuses over 4,300
digits with a ``ValueError`` that is not a ``JSONDecodeError``). Every failure is a
``JSONFileError`` whose message says what is wrong, for the caller to prefix with
the file name. ``read_small_text`` reads such a file with a size cap, refusing
pipes and devices without blocking.
"""

from __future__ import annotations

import json
import os
import stat
from typing import Any

from triagebench.parser.json_depth import json_depth_ok

MAX_DEPTH = 32  # sessions nest 4 deep (a filter may hold a small object)
MAX_INT_DIGITS = 18


class JSONFileError(ValueError):
    """The text is not JSON we accept; ``str()`` is the problem, without the file name."""


def read_small_text(path: str | os.PathLike[str], max_bytes: int) -> str:
    """The UTF-8 text of a regular file of at most ``max_bytes``.

    Opened non-blocking and checked with ``fstat`` before reading, so a FIFO or a
    device given as a session or settings file is refused at once instead of hanging.
    Raises ``FileNotFoundError``, ``IsADirectoryError``, ``UnicodeDecodeError``,
    ``OSError``, or ``JSONFileError`` (not a regular file, too big)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(info.st_mode):
            raise JSONFileError("not a regular file (a pipe or device)")
        if info.st_size > max_bytes:
            raise JSONFileError(f"{info.st_size:,} bytes, over the {max_bytes:,}-byte limit")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise JSONFileError(f"over the {max_bytes:,}-byte limit")
    return data.decode("utf-8")


def _bounded_int(text: str) -> int | None:
    digits = text.lstrip("-")
    return int(text) if len(digits) <= MAX_INT_DIGITS else None


def loads_small(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` with a depth limit and bounded integers (see the module docstring)."""
    if not json_depth_ok(text, max_depth):
        raise JSONFileError(f"nested more than {max_depth} levels deep (not a file "
                            f"triagebench wrote)")
    try:
        return json.loads(text, parse_int=_bounded_int)
    except json.JSONDecodeError as exc:
        raise JSONFileError(f"invalid JSON at line {exc.lineno} column {exc.colno} "
                            f"({exc.msg})") from None
    except (RecursionError, ValueError) as exc:  # belt and braces behind the checks above
        raise JSONFileError(f"cannot be read as JSON ({type(exc).__name__})") from None


__all__ = ["JSONFileError", "MAX_DEPTH", "loads_small", "read_small_text"]
