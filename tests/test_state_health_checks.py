"""Health checks beside a capture fill the state items the text leaves unknown, and a
check that disagrees with the text is shown in the item, never hidden (issue #17)."""

from __future__ import annotations

from pathlib import Path

from triagebench.parser import parse_file
from triagebench.services.analysis import AnalysisOptions, analyse

from tests.test_parser_checks import FAILED_COMBINED

SAMPLES = Path(__file__).resolve().parent.parent / "sample-diagnostics"
HEALTHY = SAMPLES / "healthy-rpi0-2w-2.87.16.txt"
PLAIN = SAMPLES / "plain-journal-rpi4-undervoltage-dns.txt"


def _state(tmp_path: Path, diagnostics: Path):
    checks = tmp_path / "checks.json"
    checks.write_text(FAILED_COMBINED, encoding="utf-8")
    documents = [parse_file(str(diagnostics)), parse_file(str(checks))]
    return analyse(documents, AnalysisOptions(unexplained=False)).state


def test_checks_fill_what_the_text_does_not_answer(tmp_path: Path) -> None:
    alone = analyse(str(PLAIN), AnalysisOptions(unexplained=False)).state
    assert alone.item("time").state == "unknown"  # a journal export runs no live command
    state = _state(tmp_path, PLAIN)
    time, power, memory = state.item("time"), state.item("throttling"), state.item("memory")
    assert time.state == "failed" and "check_timesync failed" in time.value
    assert time.command == "checks.sh: check_timesync"
    assert time.evidence[0].section == "checks.sh: check_timesync"
    assert power.state == "failed" and "12 under-voltage events" in power.value
    assert memory.state == "ok" and "check_memory passed" in memory.value


def test_a_disagreeing_check_is_shown_not_hidden(tmp_path: Path) -> None:
    alone = analyse(str(HEALTHY), AnalysisOptions(unexplained=False)).state
    assert alone.item("time").state == "ok"
    time = _state(tmp_path, HEALTHY).item("time")
    assert time.state == "ok"  # the capture's own chrony/timedatectl lines keep the say
    assert "health check check_timesync disagrees: failed: Time is not being synchronized" in time.value
    assert time.evidence[-1].section == "checks.sh: check_timesync"


def test_scan_text_shows_the_disagreement(tmp_path: Path, capsys) -> None:
    from triagebench.cli.main import main

    checks = tmp_path / "checks.json"
    checks.write_text(FAILED_COMBINED, encoding="utf-8")
    main(["scan", str(HEALTHY), str(checks)])
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.strip().startswith("DISAGREES") and "Time" in x)
    assert "check_timesync disagrees" in line
