"""fleet takes every input kind from folders, --include GLOB, says how many files it
skipped, and shows progress on a non-terminal as a plain line every few seconds."""

from __future__ import annotations

import bz2
import json
import lzma
import zipfile
from pathlib import Path

import pytest
from triagebench.cli.main import main
from triagebench.services.fleet import expand_inputs

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
    assert payload["run"]["inputs"] == 4 and payload["run"]["scanned"] == 4
    assert payload["errors"] == []
    assert "triage fleet: skipped 4 file(s) in the folders" in err
    assert "--include GLOB" in err
    captures = {p["id"]: p["captures_active"] for p in payload["patterns"]}
    assert max(captures.values()) == 3  # the same sample, read from xz, bz2 and zip
    assert any(i.startswith("health-check") for i in captures)


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
    assert payload["run"]["scanned"] == 2
    [error] = payload["errors"]
    assert error["file"] == str(root / "two-devices.zip")
    assert "holds 2 files of more than one capture (a.txt, b.txt)" in error["error"]
    ids = {p["id"] for p in payload["patterns"]}
    assert "health-check-under-voltage" in ids  # the capture's checks were read with it
