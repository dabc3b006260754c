"""Inputs the way they arrive: stdin, pipes, gzip/xz/bz2/zstd, zip bundles, bombs, FIFOs.

The scan CLI is run in a subprocess for stdin and pipes (``cat f | triage scan -``),
exactly as a user types it; the reader API is called directly for the rest.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import subprocess
import sys
import threading
import zipfile
import zlib
from pathlib import Path

import pytest
from triagebench.parser import InputError, open_inputs, parse_file, parse_input
from triagebench.parser.decompress import MAX_RATIO, Budget, zstd
from triagebench.parser.reader import read_lines

from tests.json_schema import validate_output

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample-diagnostics" / "s10-s12-s13-undervoltage-sdcard-rpi3-2.58.3.txt"
COMPRESSORS = {
    "gz": gzip.compress,
    "xz": lzma.compress,
    "bz2": bz2.compress,
    "zst": zstd.compress,
}
PLAIN_LINES = read_lines(str(SAMPLE)).lines


def _triage(*args: str, stdin: bytes | None = None, pass_fds: tuple[int, ...] = (),
            timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "triagebench", *args], input=stdin,
                          capture_output=True, timeout=timeout, pass_fds=pass_fds, cwd=ROOT)


def _scan_ids(result: subprocess.CompletedProcess[bytes]) -> set[str]:
    assert result.returncode == 0, result.stderr.decode()
    payload = json.loads(result.stdout)
    validate_output(payload)  # a subprocess's JSON is checked against its schema too
    return {m["id"] for m in payload["matches"]}


@pytest.fixture(scope="module")
def sample_ids() -> set[str]:
    ids = _scan_ids(_triage("scan", "--format", "json", str(SAMPLE)))
    assert "rpi-under-voltage" in ids
    return ids


# -- stdin and pipes -----------------------------------------------------------------


def test_stdin_dash_scans_like_the_file(sample_ids: set[str]) -> None:
    result = _triage("scan", "--format", "json", "-", stdin=SAMPLE.read_bytes())
    assert _scan_ids(result) == sample_ids
    assert json.loads(result.stdout)["file"] == "<stdin>"


def test_compressed_stdin_is_decompressed(sample_ids: set[str]) -> None:
    data = lzma.compress(SAMPLE.read_bytes())
    assert _scan_ids(_triage("scan", "--format", "json", "-", stdin=data)) == sample_ids


def test_process_substitution_pipe_is_read_without_seeking(sample_ids: set[str]) -> None:
    """``triage scan <(zcat f.gz)`` hands over ``/dev/fd/N``, a pipe that cannot seek back."""
    read_end, write_end = os.pipe()
    payload = gzip.compress(SAMPLE.read_bytes())

    def feed() -> None:
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        result = _triage("scan", "--format", "json", f"/dev/fd/{read_end}", pass_fds=(read_end,))
    finally:
        os.close(read_end)
        writer.join()
    assert _scan_ids(result) == sample_ids


def test_terminal_stdin_and_empty_stdin_get_one_line_errors() -> None:
    result = _triage("scan", "-", stdin=b"")
    assert result.returncode == 2
    assert result.stderr.decode().strip() == "<stdin>: file is empty"


# -- compression formats ---------------------------------------------------------------


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_each_compression_round_trips(tmp_path: Path, suffix: str) -> None:
    original = SAMPLE.read_bytes()
    path = tmp_path / f"diag.txt.{suffix}"
    path.write_bytes(COMPRESSORS[suffix](original))
    document = parse_file(str(path))
    assert document.path == str(path)
    assert document.lines == PLAIN_LINES
    assert document.format == "balena-diagnostics"
    assert document.facts["os.version"] == parse_file(str(SAMPLE)).facts["os.version"]


def test_concatenated_gzip_members_are_all_read(tmp_path: Path) -> None:
    path = tmp_path / "two.gz"
    path.write_bytes(gzip.compress(b"first line\n") + gzip.compress(b"second line\n"))
    assert read_lines(str(path)).lines == ["first line", "second line"]


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_truncated_compressed_file_is_a_one_line_error(tmp_path: Path, suffix: str) -> None:
    data = COMPRESSORS[suffix](SAMPLE.read_bytes())
    path = tmp_path / f"cut.{suffix}"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as caught:
        parse_file(str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: cannot be read as ")
    assert "\n" not in message


# -- zip archives ----------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_zip_members_are_separate_inputs(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.zip"
    _zip(bundle, {
        "device-a/diagnostics.txt": SAMPLE.read_bytes(),
        "notes.log": b"Jan 01 00:00:01 host kernel: hello\n",
        "screenshot.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        "__MACOSX/._notes.log": b"\x00\x05\x16\x07",
        "empty-dir/": b"",
    })
    inputs = open_inputs(str(bundle))
    assert [i.name for i in inputs] == [f"{bundle}:device-a/diagnostics.txt", f"{bundle}:notes.log",
                                        f"{bundle}:screenshot.png"]
    diag = parse_input(inputs[0])
    assert diag.path == f"{bundle}:device-a/diagnostics.txt"
    assert diag.lines == PLAIN_LINES
    assert inputs[1].lines().lines == ["Jan 01 00:00:01 host kernel: hello"]
    assert inputs[2].raw is None and inputs[2].error is not None
    assert str(inputs[2].error) == f"{bundle}:screenshot.png: is a PNG image, not diagnostics text"
    with pytest.raises(InputError) as caught:
        parse_file(str(bundle))
    assert str(caught.value) == (
        f"{bundle}: zip archive holds 3 files (device-a/diagnostics.txt, notes.log, "
        "screenshot.png); give one file at a time (extract the one you want)")


def test_one_file_zip_parses_as_that_file_and_nested_gzip_is_read(tmp_path: Path) -> None:
    bundle = tmp_path / "one.zip"
    _zip(bundle, {"diag.txt.gz": gzip.compress(SAMPLE.read_bytes())})
    document = parse_file(str(bundle))
    assert document.path == f"{bundle}:diag.txt.gz"
    assert document.lines == PLAIN_LINES


def test_zip_from_stdin_is_spooled_and_read(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", "alpha\n")
        archive.writestr("b.txt", "beta\n")
    code = ("from triagebench.parser import open_inputs\n"
            "for i in open_inputs('-'): print(i.name, i.lines().lines)")
    result = subprocess.run([sys.executable, "-c", code], input=buffer.getvalue(),
                            capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().splitlines() == ["<stdin>:a.txt ['alpha']",
                                                   "<stdin>:b.txt ['beta']"]


def test_empty_and_broken_zips_are_one_line_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.zip"
    _zip(empty, {"folder/": b""})
    with pytest.raises(InputError, match=r"empty\.zip: zip archive holds no files$"):
        open_inputs(str(empty))
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(InputError, match=r"broken\.zip: cannot be read as zip"):
        open_inputs(str(broken))


# -- bombs -----------------------------------------------------------------------------


def _gzip_bomb(path: Path, compressed_mib: int = 1) -> None:
    """A gzip of ~1,000x newlines, built fast by repeating one fully flushed deflate block."""
    block_in = b"\n" * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(block_in) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeats = (compressed_mib << 20) // len(block)
    tail = compressor.flush()
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    trailer = (0).to_bytes(4, "little") + ((repeats * len(block_in)) & 0xFFFFFFFF).to_bytes(4, "little")
    path.write_bytes(header + block * repeats + tail + trailer)


def test_one_megabyte_gzip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.gz"
    _gzip_bomb(bomb)
    assert bomb.stat().st_size > 900_000
    with pytest.raises(InputError) as caught:
        parse_file(str(bomb))
    message = str(caught.value)
    assert message.startswith(f"{bomb}: refused: expands past the {MAX_RATIO}:1 ratio limit (")
    assert message.endswith("a decompression bomb?)")


@pytest.mark.parametrize("suffix", ["xz", "bz2", "zst"])
def test_bombs_in_other_formats_are_refused(tmp_path: Path, suffix: str) -> None:
    bomb = tmp_path / f"bomb.{suffix}"
    bomb.write_bytes(COMPRESSORS[suffix](b"a\n" * (12 << 20)))
    with pytest.raises(InputError, match=rf"^{bomb}: refused: expands past the {MAX_RATIO}:1"):
        parse_file(str(bomb))


def test_highly_compressible_but_honest_file_is_read(tmp_path: Path) -> None:
    """Under the ratio floor a file may compress as well as it likes (a tiny repetitive log)."""
    path = tmp_path / "small.gz"
    path.write_bytes(gzip.compress(b"eth0: link down\n" * 100_000))
    assert len(read_lines(str(path)).lines) == 100_000


def test_zip_bomb_member_is_refused_from_its_declared_sizes(tmp_path: Path) -> None:
    bundle = tmp_path / "bomb.zip"
    _zip(bundle, {"ok.txt": b"fine\n", "big.txt": b"\n" * (24 << 20)})
    ok, big = open_inputs(str(bundle))
    assert ok.lines().lines == ["fine"]
    assert big.error is not None
    assert str(big.error).startswith(f"{bundle}:big.txt: refused: expands past the {MAX_RATIO}:1")


def test_absolute_size_cap_names_the_file() -> None:
    budget = Budget("f.gz", lambda: 10 << 30, limit=2 << 30)
    budget.check(2 << 30)
    with pytest.raises(InputError) as caught:
        budget.check((2 << 30) + 1)
    assert str(caught.value) == "f.gz: refused: expands past 2 GiB (decompression size limit)"


# -- non-regular and binary files ---------------------------------------------------------


def test_named_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "diag.fifo"
    os.mkfifo(fifo)
    result = _triage("scan", str(fifo), timeout=30)  # would hang without the check
    assert result.returncode == 2
    assert result.stderr.decode().strip() == (
        f"{fifo}: is a named pipe (FIFO), refused so reading cannot hang; pipe it in instead "
        "(cat FIFO | triage scan -)")


def test_device_is_refused() -> None:
    with pytest.raises(InputError, match=r"^/dev/null: is a device, not a diagnostics file$"):
        parse_file("/dev/null")


@pytest.mark.parametrize(("data", "problem"), [
    (b"7z\xbc\xaf\x27\x1c" + b"\x00" * 64, "is a 7z archive; only gzip, xz, bz2, zstd and zip are read"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "is an ELF executable, not diagnostics text"),
    (b"\x00\x01\x02\x03" * 100, "looks like a binary file, not diagnostics text"),
])
def test_other_binary_inputs_get_one_line_errors(tmp_path: Path, data: bytes, problem: str) -> None:
    path = tmp_path / "blob"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        parse_file(str(path))
    assert str(caught.value) == f"{path}: {problem}"


def test_tar_gz_is_told_apart(tmp_path: Path) -> None:
    import tarfile

    tar_path = tmp_path / "logs.tar.gz"
    with tarfile.open(tar_path, "w:gz") as archive:
        archive.add(SAMPLE, arcname="diag.txt")
    with pytest.raises(InputError) as caught:
        parse_file(str(tar_path))
    assert str(caught.value) == (f"{tar_path}: is a tar archive; extract it first "
                                 "(gzip, xz, bz2, zstd and zip are read directly)")


def test_binary_after_a_text_prefix_is_still_caught(tmp_path: Path) -> None:
    """The binary sniff sees a full first chunk, not only the few bytes used to tell the format."""
    path = tmp_path / "mostly-binary.log"
    path.write_bytes(b"header line of text\n" * 30 + bytes(range(32)) * 2000)
    with pytest.raises(InputError, match=r"looks like a binary file, not diagnostics text$"):
        parse_file(str(path))
