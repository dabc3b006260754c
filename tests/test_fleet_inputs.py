"""fleet takes every input kind from folders, --include GLOB, says how many files it
skipped, and shows progress on a non-terminal as a plain line every few seconds."""

from __future__ import annotations

import bz2
import io
import json
import lzma
import zipfile
from pathlib import Path

import pytest
from triagebench.cli.fleet import _scan_all
from triagebench.cli.main import main
from triagebench.cli.progress import ProgressLines
from triagebench.services.fleet import ScanOptions, expand_inputs

from tests.test_parser_checks import FAILED_COMBINED

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample-diagnostics" / "s14-s17-oom-disk-full-fincm3-2.94.4.txt"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    data = SAMPLE.read_bytes()
    root = tmp_path / "tickets"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt.xz").write_bytes(lzma.compress(data))
    (root / "sub" / "b.log.bz2").write_bytes(bz2.compress(data))
    with zipfile.ZipFile(root / "c.zip", "w") as archive:
        archive.writestr("diag.txt", data)
    (root / "checks.json").write_text(FAILED_COMBINED, encoding="utf-8")
    (root / "package.json").write_text('{"name": "x", "version": "1"}', encoding="utf-8")
    (root / "README.md").write_text("notes", encoding="utf-8")
    (root / "photo.png").write_bytes(b"\x89PNG\r\n")
    (root / ".hidden.txt").write_text("skip", encoding="utf-8")
    return root


def test_folders_hold_every_readable_kind(folder: Path) -> None:
    found = expand_inputs([str(folder)])
    names = sorted(Path(f).relative_to(folder).as_posix() for f in found.files)
    assert names == ["a.txt.xz", "c.zip", "checks.json", "sub/b.log.bz2"]
    assert found.skipped == 4  # package.json, README.md, photo.png, .hidden.txt
    assert found.problems == []


def test_include_globs_take_exactly_what_they_match(folder: Path) -> None:
    found = expand_inputs([str(folder)], include=("*.xz", "sub/*"))
    assert sorted(Path(f).name for f in found.files) == ["a.txt.xz", "b.log.bz2"]
    assert found.skipped == 6  # c.zip, checks.json, package.json, README.md, photo.png, .hidden.txt


def test_fleet_scans_compressed_files_and_says_what_it_skipped(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["fleet", str(folder), "-j", "1", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0
    payload = json.loads(out)
    assert payload["files"] == 4 and payload["scanned"] == 4 and payload["errors"] == []
    assert payload["skipped"] == 4
    assert "triage fleet: skipped 4 file(s) in folders" in err
    assert "--include GLOB" in err
    ids = {p["id"]: p["files"] for p in payload["patterns"]}
    assert max(ids.values()) == 3  # the same sample, read from xz, bz2 and zip
    assert any(i.startswith("health-check") for i in ids)


def test_progress_lines_are_throttled() -> None:
    now = [0.0]
    out = io.StringIO()
    lines = ProgressLines("scanned", 10, every=5.0, out=out, clock=lambda: now[0])
    for _ in range(9):
        now[0] += 1.0
        lines.advance()
    assert out.getvalue().splitlines() == ["scanned 5/10 (50%), 0:00:05 elapsed"]
    now[0] += 0.5
    lines.advance()  # done: a last line, since one was printed
    assert out.getvalue().splitlines()[-1] == "scanned 10/10 (100%), 0:00:09 elapsed"


def test_a_quick_run_prints_no_progress_line() -> None:
    out = io.StringIO()
    lines = ProgressLines("scanned", 3, every=5.0, out=out, clock=lambda: 0.0)
    for _ in range(3):
        lines.advance()
    assert out.getvalue() == ""


def test_fleet_on_a_non_terminal_prints_progress_lines(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = expand_inputs([str(folder)]).files
    records = _scan_all(files, ScanOptions(), jobs=1, every=0.0)
    _, err = capsys.readouterr()
    assert [r.error for r in records] == [None] * 4
    lines = err.splitlines()
    assert lines[0].startswith("triage fleet: scanned 1/4 (25%)")
    assert lines[-1].startswith("triage fleet: scanned 4/4 (100%)")
    assert "\x1b" not in err and "\r" not in err


def test_fleet_reads_a_zip_of_one_capture_and_names_the_files_of_a_zip_of_several(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = SAMPLE.read_bytes()
    root = tmp_path / "zips"
    root.mkdir()
    with zipfile.ZipFile(root / "one-capture.zip", "w") as archive:
        archive.writestr("diagnostics.txt", data)
        archive.writestr("checks.json", FAILED_COMBINED)
    with zipfile.ZipFile(root / "two-devices.zip", "w") as archive:
        archive.writestr("a.txt", data)
        archive.writestr("b.txt", data)
    code = main(["fleet", str(root), "-j", "1", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0
    payload = json.loads(out)
    assert payload["scanned"] == 1
    [error] = payload["errors"]
    assert error["file"] == str(root / "two-devices.zip")
    assert "holds 2 files of more than one capture (a.txt, b.txt)" in error["error"]
    ids = {p["id"] for p in payload["patterns"]}
    assert "health-check-under-voltage" in ids  # the capture's checks were read with it
