"""Several inputs, one set of findings: a diagnostics file and the health checks of the
same capture give ONE analysis (scan, report); zip members are reported one by one."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from triagebench.cli.main import main
from triagebench.parser import parse_file
from triagebench.services.analysis import analyse
from triagebench.services.combine import combine

from tests.test_parser_checks import FAILED_COMBINED

ROOT = Path(__file__).resolve().parent.parent
DIAG = ROOT / "sample-diagnostics" / "s14-s17-oom-disk-full-fincm3-2.94.4.txt"
HEALTHY = ROOT / "sample-diagnostics" / "healthy-rpi0-2w-2.87.16.txt"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def checks(tmp_path: Path) -> Path:
    path = tmp_path / "checks.json"
    path.write_text(FAILED_COMBINED + "\n", encoding="utf-8")
    return path


def _ids(payload: dict) -> set[str]:
    return {m["id"] for m in payload["matches"]}


def test_diagnostics_and_checks_give_one_set_of_findings(
        checks: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, alone_out, _ = run(capsys, "scan", str(DIAG), "--format", "json")
    _, checks_out, _ = run(capsys, "scan", str(checks), "--format", "json")
    code, out, _ = run(capsys, "scan", str(DIAG), str(checks), "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert isinstance(payload, dict)  # one capture: one object, not a list of two
    assert payload["file"] == str(DIAG)
    assert payload["inputs"] == [str(DIAG), str(checks)]
    alone, from_checks = json.loads(alone_out), json.loads(checks_out)
    assert _ids(alone) and _ids(from_checks)
    assert _ids(payload) == _ids(alone) | _ids(from_checks)
    assert payload["facts"]["os.version"] == alone["facts"]["os.version"]
    assert payload["facts"]["diagnose.version"] == alone["facts"]["diagnose.version"]  # its own


def test_the_diagnostics_file_keeps_its_line_numbers(checks: Path) -> None:
    alone = analyse(str(DIAG))
    both = analyse([parse_file(str(DIAG)), parse_file(str(checks))])
    lines = {f.id: [e.line for e in f.evidence] for f in alone.findings.matches}
    for finding in both.findings.matches:
        if finding.id in lines:
            assert [e.line for e in finding.evidence] == lines[finding.id]
    checks_findings = [f for f in both.findings.matches if f.id not in lines]
    assert checks_findings
    for finding in checks_findings:
        for evidence in finding.evidence:
            assert evidence.line > alone.document.line_count
            assert evidence.section.startswith("checks.sh: ")
            assert both.document.line(evidence.line).strip() in evidence.text.strip() \
                or evidence.text.strip() in both.document.line(evidence.line)


def test_combined_document_places_and_sections_stay_consistent(checks: Path) -> None:
    diag, extra = parse_file(str(HEALTHY)), parse_file(str(checks))
    both = combine(diag, [extra])
    assert both.line_count == diag.line_count + extra.line_count
    assert both.lines[:diag.line_count] == diag.lines
    covered = [n for first, last, _, _ in both.places for n in range(first, last + 1)]
    assert covered == list(range(1, both.line_count + 1))  # every line once, in order
    for section in both.sections[len(diag.sections):]:
        assert both.section_at(section.header_line) is section
        assert section.category == "CHECKS"
        assert [both.output_text(section, n) for n in section.output_line_numbers()][0] \
            .startswith("success: ")


def test_a_failed_high_check_fails_the_scan_beside_a_healthy_file(
        checks: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scan", str(HEALTHY), str(checks), "--fail-on", "high")
    assert code == 1
    assert "+ health checks: " + str(checks) in out
    assert "health-check" in out


def test_two_diagnostics_files_still_stand_alone(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scan", str(HEALTHY), str(DIAG), "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert [p["file"] for p in payload] == [str(HEALTHY), str(DIAG)]


def test_zip_members_are_reported_one_by_one(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(HEALTHY, "a/healthy.txt")
        archive.write(DIAG, "b/oom.txt")
        archive.writestr("broken.txt", b"\x00\x01\x02\x03" * 1000)
    code, out, err = run(capsys, "scan", str(bundle), "--format", "json")
    assert code == 2  # one member could not be read; the others are still reported
    payload = json.loads(out)
    assert [p["file"] for p in payload] == [f"{bundle}:a/healthy.txt", f"{bundle}:b/oom.txt",
                                            f"{bundle}:broken.txt"]
    assert "error" in payload[2] and "binary" in payload[2]["error"]
    assert f"{bundle}:broken.txt: looks like a binary file" in err
    assert _ids(payload[1])


def test_a_zip_of_one_capture_is_one_analysis(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    bundle = tmp_path / "ticket.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(HEALTHY, "diagnostics.txt")
        archive.writestr("checks.json", FAILED_COMBINED)
    code, out, _ = run(capsys, "scan", str(bundle), "--format", "json", "--fail-on", "high")
    assert code == 1
    payload = json.loads(out)
    assert payload["inputs"] == [f"{bundle}:diagnostics.txt", f"{bundle}:checks.json"]


@pytest.mark.parametrize("form", ["option", "positional"])
def test_report_takes_the_checks_beside_the_file(checks: Path, form: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    extra = ["--checks", str(checks)] if form == "option" else [str(checks)]
    code, out, _ = run(capsys, "report", str(HEALTHY), *extra, "--no-bookmarks")
    assert code == 0
    _, alone, _ = run(capsys, "report", str(HEALTHY), "--no-bookmarks")
    assert "health-check" in out and "health-check" not in alone
    assert "checks.json" in out


def test_report_refuses_two_captures(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "report", str(HEALTHY), str(DIAG), "--no-bookmarks")
    assert code == 2 and not out
    assert "one capture" in err and len(err.splitlines()) == 1
