"""What a file is, from its first bytes: compressed, an archive, binary or text.

Kept apart from the readers (``decompress``, ``reader``) so the CLI can check a file
before the workbench starts without importing the decompressors and zip support.
"""

from __future__ import annotations

GZIP_MAGIC = b"\x1f\x8b"
BINARY_SAMPLE = 65536

COMPRESSED = ("gzip", "xz", "bz2", "zstd")
MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"BZh", "bz2"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
    (b"\x04\x22\x4d\x18", "lz4"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"%PDF-", "PDF document"),
    (b"\x7fELF", "ELF executable"),
)


def sniff(prefix: bytes) -> str | None:
    """The container/compression format of a stream from its first bytes, or None for text."""
    for magic, name in MAGICS:
        if prefix.startswith(magic):
            return name
    if prefix[257:262] == b"ustar":
        return "tar"
    return None



def looks_binary(data: bytes) -> bool:
    """True when the sample has many NULs or non-text control bytes.

    Real diagnostics carry a stray NUL and ANSI escapes, so a handful is fine;
    binaries have them everywhere.
    """
    sample = data[:BINARY_SAMPLE]
    if not sample:
        return False
    bad = len(sample) - len(sample.translate(None, _CONTROL_BYTES))  # C speed, no loop
    return bad / len(sample) > 0.05


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
"""C0 control bytes that text does not carry (tab, newline, form feed, CR and ESC do)."""


__all__ = ["BINARY_SAMPLE", "COMPRESSED", "GZIP_MAGIC", "MAGICS", "looks_binary", "sniff"]
