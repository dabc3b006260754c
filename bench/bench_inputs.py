"""Inputs: reading compressed files and refusing decompression bombs, time and peak RSS.

Each case runs ``parse_file`` in a fresh process (so peak RSS is that case's alone) and
prints one Markdown table row. Targets (issue 18): a bomb is refused in well under 5 s
with peak memory under 5x the input + 150 MB; a compressed file costs about what the
plain one does. Run: ``.venv/bin/python bench/bench_inputs.py``.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample-diagnostics" / "s10-s12-s13-undervoltage-sdcard-rpi3-2.58.3.txt"
BIG = ROOT / "bench" / "data" / "big-1m.txt"

CHILD = """
import json, sys, time
start = time.perf_counter()
from triagebench.parser import InputError, parse_file
t0 = time.perf_counter()
try:
    doc = parse_file(sys.argv[1])
    outcome = f"read {doc.line_count:,} lines ({doc.format})"
except InputError as exc:
    outcome = exc.problem.split(" (")[0]
seconds = time.perf_counter() - t0
# VmHWM (not ru_maxrss, which survives exec from the big parent): this process's peak RSS.
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "outcome": outcome, "rss_mb": int(hwm.split()[1]) / 1024}))
"""


def gzip_bomb(path: Path, compressed_bytes: int, unit: bytes) -> None:
    """A gzip bomb of ``unit`` repeated, built by repeating one fully flushed deflate block."""
    block_in = unit * ((1 << 20) // len(unit))
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(block_in) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeats = compressed_bytes // len(block)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    path.write_bytes(header + block * repeats + compressor.flush() + bytes(8))


def measure(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True,
                         text=True, timeout=600, check=True)
    return json.loads(out.stdout)


def main() -> None:
    from triagebench.parser.decompress import zstd

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases: list[tuple[str, Path]] = []
        data = SAMPLE.read_bytes()
        for label, suffix, compress in [("plain", "txt", None), ("gzip", "gz", gzip.compress),
                                        ("xz", "xz", lzma.compress), ("bz2", "bz2", bz2.compress),
                                        ("zstd", "zst", zstd.compress)]:
            path = folder / f"sample.{suffix}"
            path.write_bytes(compress(data) if compress else data)
            cases.append((f"sample ({len(data) / 1e6:.2f} MB) {label}", path))
        if BIG.exists():
            big_gz = folder / "big.txt.gz"
            with BIG.open("rb") as src, gzip.open(big_gz, "wb", compresslevel=6) as dst:
                while chunk := src.read(8 << 20):
                    dst.write(chunk)
            cases.append(("big-1m.txt plain", BIG))
            cases.append(("big-1m.txt gzip", big_gz))
        for unit, name in [(b"\n", "newlines"), (b"a\n", "'a' lines")]:
            bomb = folder / f"bomb-{len(unit)}.gz"
            gzip_bomb(bomb, 1 << 20, unit)
            cases.append((f"1 MB gzip bomb of {name} (~1 GB)", bomb))
        xz_bomb = folder / "bomb.xz"
        xz_bomb.write_bytes(lzma.compress(b"a\n" * (256 << 20), preset=1))
        cases.append((f"{xz_bomb.stat().st_size // 1024} KB xz bomb (512 MB)", xz_bomb))
        zip_bomb = folder / "bomb.zip"
        with zipfile.ZipFile(zip_bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("diag.txt", b"\n" * (256 << 20))
        cases.append((f"{zip_bomb.stat().st_size // 1024} KB zip bomb (256 MB member)", zip_bomb))

        print("| input | size | outcome | parse s | peak RSS MB |")
        print("|---|---|---|---|---|")
        for label, path in cases:
            result = measure(path)
            size = path.stat().st_size
            print(f"| {label} | {size / 1e6:.2f} MB | {result['outcome']} | "
                  f"{result['seconds']:.2f} | {result['rss_mb']:.0f} |")


if __name__ == "__main__":
    main()
