"""A truncated or damaged capture says so in ``triage scan`` (text, JSON ``warnings``,
Markdown) and in the Markdown report: findings from half a file are not the whole story."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from triagebench.parser import parse_text
from triagebench.services.analysis import match, read_library
from triagebench.services.integrity import file_warnings
from triagebench.services.library import LibraryOptions
from triagebench.services.report import build_report

from tests.test_tui_app_helpers import diagnostics_text, write_sample


def scan(path: Path, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "triagebench.cli.main", "scan", str(path),
                             "--heuristics", str(path.parent / "heuristics"), "--no-builtin",
                             *args], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


def test_scan_says_a_file_is_truncated_in_every_format(tmp_path: Path) -> None:
    path = write_sample(tmp_path)
    text = path.read_text()
    path.write_text(text[:len(text) // 2])
    assert "warning:" in scan(path) and "file truncated?" in scan(path)
    data = json.loads(scan(path, "--format", "json"))
    assert any("file truncated?" in w for w in data["warnings"])
    assert "> **Warning:**" in scan(path, "--format", "markdown")


def test_a_whole_file_has_no_warning(tmp_path: Path) -> None:
    path = write_sample(tmp_path)
    assert json.loads(scan(path, "--format", "json"))["warnings"] == []
    assert "warning:" not in scan(path)


def test_the_report_warns_about_a_truncated_file(tmp_path: Path) -> None:
    text = diagnostics_text()
    document = parse_text(text[:len(text) // 2], path="cut.txt")
    assert file_warnings(document)
    write_sample(tmp_path)
    options = LibraryOptions((str(tmp_path / "heuristics"),), False, None, False)
    findings = match(document, read_library(options))
    report = build_report(document, findings, templates=[])
    head = report.split("## Device")[0]
    assert "> **Warning:**" in head and "file truncated?" in head
    whole = parse_text(text, path="whole.txt")
    assert "Warning:" not in build_report(whole, match(whole, read_library(options)),
                                          templates=[])
