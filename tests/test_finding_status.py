"""The words every view uses for a finding's status and time (services/finding_status.py),
built on heuristics.describe: what a person reads in scan, the report and the TUI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from triagebench.heuristics.model import Finding, Findings, SignalResult
from triagebench.services.finding_status import (
    moment_text,
    split_active,
    status_line,
    summary_text,
)

from tests.test_report_markdown import heuristic

CAPTURE = datetime(2022, 5, 9, 10, 21, 42, tzinfo=UTC)


def finding(id: str = "dns", severity: str = "high", status: str = "active",
            ago: timedelta | None = timedelta(minutes=3), count: int = 12,
            unknown: tuple[str, ...] = ()) -> Finding:
    last = CAPTURE - ago if ago is not None else None
    return Finding(heuristic(id=id, severity=severity),  # type: ignore[arg-type]
                   {"s": SignalResult("s", True)}, status=status, first_seen=last,
                   last_seen=last, count=count, unknown_facts=unknown)


def test_active_recovered_and_historical_lines() -> None:
    assert status_line(finding(), CAPTURE) == "active, last seen 3 min before capture, 12 events"
    assert status_line(finding(status="recovered", ago=timedelta(days=2), count=1), CAPTURE) \
        == "recovered; last seen 2 days before capture, 1 event"
    assert status_line(finding(status="historical", ago=None, count=0), CAPTURE) \
        == "historical: earlier boot"
    assert status_line(finding(ago=None, count=0), CAPTURE) == "active"


def test_unknown_facts_are_said_not_hidden() -> None:
    line = status_line(finding(unknown=("os.version",)), CAPTURE)
    assert line.endswith(", OS version unknown")


def test_moment_text_is_absolute_and_relative() -> None:
    assert moment_text(CAPTURE - timedelta(hours=5), CAPTURE) \
        == "2022-05-09 05:21:42 UTC (5 h before capture)"
    assert moment_text(CAPTURE, None) == "2022-05-09 10:21:42 UTC"
    assert moment_text(None, CAPTURE) == ""


def test_summary_says_when_nothing_is_active() -> None:
    past = [finding("a", status="historical"), finding("b", status="historical"),
            finding("c", "info")]
    assert summary_text(Findings(past)) == "No active problem found; 1 info note, 2 historical"
    mixed = Findings([finding("x", "medium"), finding("y", "critical"),
                      finding("z", status="recovered")])
    assert summary_text(mixed) == "2 active problems (1 critical); 1 recovered"
    active, inactive = split_active(mixed.matches)
    assert [f.id for f in active] == ["y", "x"] and [f.id for f in inactive] == ["z"]
