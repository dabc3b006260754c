"""Compressed inputs: the format sniffed from a prefix, decompression within a budget.

Inputs arrive as ticket attachments (``.gz``, ``.xz``, ``.bz2``, ``.zst``) and
through pipes, so the format is told from the first bytes (never from the name)
and the stream is never sought back: ``Source`` hands out the sniffed prefix
first, then the rest, and counts the compressed bytes consumed.

A decompression bomb (a 1 MB ``.gz`` that expands to gigabytes) must be refused
quickly with bounded memory, so every decompressed stream runs under a
``Budget``: past ``RATIO_FLOOR`` bytes it may not expand more than ``MAX_RATIO``
times the compressed bytes consumed so far, and never past ``MAX_EXPANDED``.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

try:  # the standard library from Python 3.14; the backport (same API) before
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:
    from backports import zstd  # type: ignore[no-redef]

from .errors import InputError
from .magic import COMPRESSED, sniff

MAX_EXPANDED = 2 << 30
"""No single input may decompress to more than this (2 GiB)."""
MAX_RATIO = 200
"""Expanded / compressed bytes allowed once past ``RATIO_FLOOR`` (real diagnostics: ~5-30)."""
RATIO_FLOOR = 8 << 20
"""Below this many expanded bytes the ratio is not judged (tiny files compress oddly)."""
ZSTD_MAX_WINDOW_LOG = 27
"""Largest zstd window accepted (2**27 = 128 MiB, ``zstd --long``); a frame asking more is refused."""
SNIFF_BYTES = 512

def unsupported_problem(kind: str) -> str:
    """The one-line problem for a recognised format that is not read."""
    if kind == "tar":
        return "is a tar archive; extract it first (gzip, xz, bz2, zstd and zip are read directly)"
    if kind in ("7z", "rar", "lz4"):
        return f"is a {kind} archive; only gzip, xz, bz2, zstd and zip are read"
    article = "an" if kind[0] in "AEIOU" else "a"
    return f"is {article} {kind}, not diagnostics text"


class Source(io.RawIOBase):
    """A read-only stream over ``prefix`` then ``inner``, counting bytes handed out.

    Lets the format be sniffed from a pipe without seeking back. ``consumed`` is
    the number of bytes of the underlying (compressed) input read so far.
    """

    def __init__(self, inner: BinaryIO, prefix: bytes = b"") -> None:
        super().__init__()
        self._inner = inner
        self._prefix = prefix
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        n = 0
        if self._prefix:  # the prefix, topped up from the stream so a first read is full-size
            n = min(len(view), len(self._prefix))
            view[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
        if n < len(view) and not self._prefix:
            data = self._inner.read(len(view) - n)
            view[n:n + len(data)] = data
            n += len(data)
        self.consumed += n
        return n


def read_prefix(inner: BinaryIO, size: int = SNIFF_BYTES) -> bytes:
    """Up to ``size`` first bytes (a pipe may hand them out in pieces)."""
    parts: list[bytes] = []
    got = 0
    while got < size:
        data = inner.read(size - got)
        if not data:
            break
        parts.append(data)
        got += len(data)
    return b"".join(parts)


def human(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" or size == int(size) else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


@dataclass(slots=True)
class Budget:
    """How far one decompressed stream may expand; ``check`` raises ``InputError`` past it."""

    name: str
    compressed: Callable[[], int]
    limit: int = MAX_EXPANDED

    def check(self, expanded: int) -> None:
        if expanded > self.limit:
            raise InputError(self.name, f"refused: expands past {human(self.limit)} "
                                        "(decompression size limit)")
        if expanded > RATIO_FLOOR:
            packed = max(1, self.compressed())
            if expanded > MAX_RATIO * packed:
                raise InputError(self.name, (
                    f"refused: expands past the {MAX_RATIO}:1 ratio limit ({human(expanded)} "
                    f"from {human(packed)} so far; a decompression bomb?)"))


def decompressor(kind: str, source: Source) -> BinaryIO:
    """A binary stream of the decompressed bytes of ``source`` (multi-member/frame aware)."""
    if kind == "gzip":
        return gzip.GzipFile(fileobj=source, mode="rb")  # type: ignore[arg-type]
    if kind == "xz":
        return lzma.LZMAFile(source)  # type: ignore[return-value]
    if kind == "bz2":
        return bz2.BZ2File(source)  # type: ignore[return-value]
    if kind == "zstd":
        options = {zstd.DecompressionParameter.window_log_max: ZSTD_MAX_WINDOW_LOG}
        return zstd.ZstdFile(source, options=options)  # type: ignore[return-value]
    raise ValueError(kind)


DECOMPRESSION_ERRORS: tuple[type[BaseException], ...] = (
    OSError, EOFError, zlib.error, lzma.LZMAError, zstd.ZstdError, ValueError,
)
"""What a decompressor raises on corrupt or truncated data (gzip's ``BadGzipFile`` is an OSError)."""


__all__ = [
    "COMPRESSED", "DECOMPRESSION_ERRORS", "MAX_EXPANDED", "MAX_RATIO", "RATIO_FLOOR",
    "Budget", "Source", "decompressor", "human", "read_prefix", "sniff", "unsupported_problem",
]
