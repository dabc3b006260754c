"""Reading diagnostics inputs into decoded lines, with clear one-line errors.

An input is a path, ``-`` (standard input) or a pipe path (``/dev/stdin``,
``<(zcat …)`` = ``/dev/fd/63``). It may be plain text, gzip, xz, bz2 or zstd
(told from the first bytes, never by seeking back, so pipes work), or a zip
archive whose every member is one input (``bundle.zip:member.txt``).

Every problem becomes an ``InputError`` whose message names the input and the
problem in one line; callers print it and exit, never a traceback. A named
FIFO or a device given as a path is refused at once (opening it could block
forever); decompression runs under a size and ratio budget (``decompress``).

API: ``read_lines(path)`` for one input (an archive of several members is an
error there); ``open_inputs(path)`` for every input a path holds.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from .decompress import (
    COMPRESSED,
    DECOMPRESSION_ERRORS,
    MAX_EXPANDED,
    MAX_RATIO,
    RATIO_FLOOR,
    Budget,
    Source,
    decompressor,
    human,
    read_prefix,
    sniff,
    unsupported_problem,
)
from .errors import InputError
from .magic import looks_binary
from .text import printable

if TYPE_CHECKING:
    import zipfile

CHUNK = 8 << 20
COMPRESSED_CHUNK = 1 << 20
"""Decompressed streams are read in small chunks so the budget is checked often."""

STDIN = "-"
STDIN_NAME = "<stdin>"
MAX_MEMBERS = 1000
"""A zip with more members than this is refused (a zip of a million empty files)."""
MAX_ARCHIVE = 2 << 30
"""A zip read from a pipe is spooled (memory, then disk) up to this size."""
SPOOL_MEMORY = 32 << 20
JUNK_MEMBER_RE = re.compile(r"(?:^|/)(?:__MACOSX/|\._[^/]*$|\.DS_Store$|Thumbs\.db$)")
PIPE_PATH_RE = re.compile(r"^/(?:dev/stdin|dev/fd/\d+|proc/(?:self|thread-self|\d+)/fd/\d+)$")


def decode(data: bytes) -> tuple[str, int]:
    """Decode UTF-8, replacing invalid bytes; returns the text and how many were replaced."""
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        replaced = text.count("\ufffd") - data.count("\ufffd".encode())
        return text, max(replaced, 1)


@dataclass(slots=True)
class RawLines:
    """One input's decoded lines; ``path`` is the input's name (see ``NamedInput.name``)."""

    path: str
    lines: list[str]
    final_newline: bool
    size_bytes: int
    replaced_chars: int


@dataclass(frozen=True, slots=True)
class NamedInput:
    """One input of a path: its display name and its lines, or why it could not be read.

    ``name`` is the path itself for a plain or compressed file, ``<stdin>`` for
    ``-``, and ``archive.zip:member`` for a zip member. Exactly one of ``raw``
    and ``error`` is set; one bad member does not spoil the others.
    """

    name: str
    raw: RawLines | None = None
    error: InputError | None = None

    def lines(self) -> RawLines:
        """The lines, or raise the ``InputError`` that kept this input from being read."""
        if self.raw is None:
            raise self.error or InputError(self.name, "cannot be read")
        return self.raw


# -- opening -------------------------------------------------------------------


def _stdin() -> tuple[str, BinaryIO]:
    stream = sys.stdin
    if stream is None:
        raise InputError(STDIN_NAME, "there is no standard input")
    try:
        interactive = stream.isatty()
    except (OSError, ValueError):
        interactive = False
    if interactive:
        raise InputError(STDIN_NAME, "standard input is a terminal; pipe a file in "
                                     "(cat FILE | triage scan -)")
    try:
        return STDIN_NAME, stream.buffer
    except AttributeError:
        raise InputError(STDIN_NAME, "standard input is not a byte stream") from None


def _refuse_special(path: str, mode: int) -> None:
    """Refuse what is neither a regular file nor a pipe handed over by the shell."""
    if stat.S_ISDIR(mode):
        raise InputError(path, "is a directory, not a diagnostics file")
    pipe_path = PIPE_PATH_RE.match(os.path.normpath(path)) is not None
    if stat.S_ISFIFO(mode) and not pipe_path:
        raise InputError(path, "is a named pipe (FIFO), refused so reading cannot hang; "
                               "pipe it in instead (cat FIFO | triage scan -)")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        if pipe_path:
            raise InputError(path, "is a terminal or device, not a pipe or file; pipe a file in")
        raise InputError(path, "is a device, not a diagnostics file")
    if stat.S_ISSOCK(mode):
        raise InputError(path, "is a socket, not a diagnostics file")


def _open(path: str) -> tuple[str, BinaryIO, bool]:
    """``(name, handle, owned)``; ``owned`` is False for standard input (never closed)."""
    if path == STDIN:
        name, handle = _stdin()
        return name, handle, False
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(path, "no such file") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except (OSError, ValueError) as exc:
        raise InputError(path, f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    _refuse_special(path, mode)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the caller
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from None
    return path, handle, True


# -- reading one stream into lines ---------------------------------------------------


def _collect(name: str, stream: BinaryIO, budget: Budget | None, chunk_size: int) -> RawLines:
    """Read a stream straight into decoded lines, chunk by chunk.

    Peak memory is the line list plus one chunk, never the whole file's bytes
    and text at once (a 1,000,000-line file must stay under 3x its size).
    Chunks are cut after a newline byte, which never occurs inside a UTF-8
    multi-byte sequence, so decoding per chunk equals decoding the whole.
    Under a ``budget``, decompressed bytes are held as bytes (not lines) until
    ``RATIO_FLOOR`` is passed and the ratio judged, so a bomb made of newlines
    is refused before it becomes millions of list entries.
    """
    lines: list[str] = []
    size = 0
    replaced = 0
    tail = b""
    first = True
    pending: list[bytes] = []
    judged = budget is None

    def take(data: bytes) -> None:
        nonlocal tail, replaced
        data = tail + data
        cut = data.rfind(b"\n")
        if cut < 0:
            tail = data
            return
        tail = data[cut + 1:]
        text, bad = decode(data[: cut + 1])
        replaced += bad
        lines.extend(text.split("\n"))
        lines.pop()  # the empty string after the final newline of the chunk

    while True:
        chunk = stream.read(chunk_size)
        if not chunk:
            break
        size += len(chunk)
        if budget is not None:
            budget.check(size)
        if first:
            first = False
            kind = sniff(chunk[:512])
            if kind is not None and kind not in COMPRESSED and budget is not None:
                raise InputError(name, unsupported_problem(kind))
            if looks_binary(chunk):
                raise InputError(name, "looks like a binary file, not diagnostics text")
        if not judged:
            pending.append(chunk)
            if size <= RATIO_FLOOR:
                continue
            judged = True
            chunk = b"".join(pending)
            pending.clear()
        take(chunk)
    if pending:
        take(b"".join(pending))
        pending.clear()
    final_newline = not tail and size > 0
    if tail:
        text, bad = decode(tail)
        replaced += bad
        lines.extend(text.split("\n"))
    if size == 0:
        raise InputError(name, "file is empty")
    if not any(line.strip() for line in lines):
        raise InputError(name, "file holds only whitespace")
    return RawLines(name, lines, final_newline, size, replaced)


def _read_stream(name: str, handle: BinaryIO, prefix: bytes) -> RawLines:
    """Lines of one stream whose first bytes (``prefix``) were already read from ``handle``."""
    kind = sniff(prefix)
    source = Source(handle, prefix)
    if kind is None:
        try:
            return _collect(name, source, None, CHUNK)  # type: ignore[arg-type]
        except OSError as exc:
            raise InputError(name, f"cannot be read ({exc})") from None
    if kind == "zip":
        raise InputError(name, "is a zip archive inside a compressed stream or archive; "
                               "unpack the outer layer first")
    if kind not in COMPRESSED:
        raise InputError(name, unsupported_problem(kind))
    budget = Budget(name, lambda: source.consumed)
    try:
        with decompressor(kind, source) as stream:
            return _collect(name, stream, budget, COMPRESSED_CHUNK)
    except MemoryError:
        raise InputError(name, f"refused: too large to decompress in memory ({kind})") from None
    except DECOMPRESSION_ERRORS as exc:
        raise InputError(name, f"cannot be read as {kind} ({exc})") from None


# -- zip archives ------------------------------------------------------------------


def _member_name(archive: str, member: str) -> str:
    shown = printable(member, keep_tabs=False).replace("\n", "\\n")
    return f"{archive}:{shown}"


def _spool(name: str, handle: BinaryIO, prefix: bytes) -> BinaryIO:
    """A seekable copy of a piped zip (zip needs its central directory at the end)."""
    import tempfile  # zip input only: not imported to read a plain capture

    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115 - caller closes
    spool.write(prefix)
    total = len(prefix)
    while True:
        data = handle.read(COMPRESSED_CHUNK)
        if not data:
            break
        total += len(data)
        if total > MAX_ARCHIVE:
            spool.close()
            raise InputError(name, f"refused: zip archive larger than {human(MAX_ARCHIVE)}")
        spool.write(data)
    spool.seek(0)
    return spool  # type: ignore[return-value]


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> RawLines:
    import zipfile

    if info.flag_bits & 0x1:
        raise InputError(name, "is encrypted; unpack the archive first")
    if info.file_size > MAX_EXPANDED:
        raise InputError(name, f"refused: expands past {human(MAX_EXPANDED)} "
                               "(decompression size limit)")
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(1, info.compress_size):
        raise InputError(name, (
            f"refused: expands past the {MAX_RATIO}:1 ratio limit ({human(info.file_size)} "
            f"from {human(info.compress_size)}; a decompression bomb?)"))
    try:
        with archive.open(info) as member:
            return _read_stream(name, member, read_prefix(member))  # type: ignore[arg-type]
    except InputError:
        raise
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, *DECOMPRESSION_ERRORS) as exc:
        raise InputError(name, f"cannot be read from the zip ({exc})") from None


def _zip_inputs(name: str, handle: BinaryIO, prefix: bytes) -> list[NamedInput]:
    import zipfile  # zip input only: not imported to read a plain capture

    try:
        seekable = handle.seekable()
    except (OSError, ValueError):
        seekable = False
    if seekable:
        handle.seek(0)
        target = handle
    else:
        target = _spool(name, handle, prefix)
    try:
        try:
            archive = zipfile.ZipFile(target)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise InputError(name, f"cannot be read as zip ({exc})") from None
        with archive:
            infos = [i for i in archive.infolist()
                     if not i.is_dir() and not JUNK_MEMBER_RE.search(i.filename)]
            if not infos:
                raise InputError(name, "zip archive holds no files")
            if len(infos) > MAX_MEMBERS:
                raise InputError(name, f"refused: zip archive holds {len(infos):,} files "
                                       f"(limit {MAX_MEMBERS:,})")
            out: list[NamedInput] = []
            expanded = 0
            for info in infos:
                member = _member_name(name, info.filename)
                try:
                    expanded += info.file_size
                    if expanded > MAX_EXPANDED:
                        raise InputError(member, f"refused: the archive expands past "
                                                 f"{human(MAX_EXPANDED)} in all")
                    out.append(NamedInput(member, raw=_read_member(archive, info, member)))
                except InputError as exc:
                    out.append(NamedInput(member, error=exc))
            return out
    finally:
        if target is not handle:
            target.close()


# -- public API ----------------------------------------------------------------------


def open_inputs(path: str) -> list[NamedInput]:
    """Every input ``path`` holds: one for a file, stream or compressed file, one per zip member.

    Raises ``InputError`` when the path itself cannot be read (missing, FIFO,
    device, binary, bomb, broken or empty zip); a zip member that cannot be
    read comes back as a ``NamedInput`` with ``error`` set.
    """
    return _open_inputs(path)[1]


def _open_inputs(path: str) -> tuple[str, list[NamedInput]]:
    name, handle, owned = _open(path)
    try:
        try:
            prefix = read_prefix(handle)
        except OSError as exc:
            raise InputError(name, f"cannot be read ({exc})") from None
        if sniff(prefix) == "zip":
            return name, _zip_inputs(name, handle, prefix)
        return name, [NamedInput(name, raw=_read_stream(name, handle, prefix))]
    finally:
        if owned:
            handle.close()


def read_lines(path: str) -> RawLines:
    """The lines of the one input ``path`` holds (``InputError`` for a zip of several files)."""
    name, inputs = _open_inputs(path)
    if len(inputs) == 1:
        return inputs[0].lines()
    shown = ", ".join(i.name[len(name) + 1:] for i in inputs[:3])
    more = ", …" if len(inputs) > 3 else ""
    raise InputError(name, (
        f"zip archive holds {len(inputs)} files ({shown}{more}); "
        "give one file at a time (extract the one you want)"))


__all__ = [
    "STDIN", "STDIN_NAME", "InputError", "NamedInput", "RawLines", "decode",
    "looks_binary", "open_inputs", "read_lines",
]
