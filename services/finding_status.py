"""What every view says about a finding's status and time, built on ``heuristics.describe``.

``heuristics.describe`` holds the words ("last seen 3 min before capture", "recovered; …",
"OS version unknown"); this module only assembles them the same way for the scan text,
its Markdown, the report and the TUI panel, so no view invents a second vocabulary:

* ``status_line(finding, capture)`` -> ``"active, last seen 3 min before capture, 12 events"``;
* ``moment_text(when, capture)`` -> ``"2022-05-09 10:21 UTC (3 min before capture)"`` for
  first/last-seen columns;
* ``split_active(matches)`` -> (active, recovered or historical), each in the order given;
* ``summary_text(findings)`` -> ``"No active problem found; 2 historical"``.

Plain text (no markup): views escape and style it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from triagebench.heuristics.describe import relative_text, seen_text, unknown_text
from triagebench.heuristics.model import Finding, Findings

STATUS_LABELS = {"active": "active", "recovered": "recovered", "historical": "historical"}
INACTIVE_HEADING = "Not active at capture (recovered or historical)"


def events_text(count: int) -> str:
    """``"12 events"`` / ``"1 event"``; "" when nothing was counted (fact-only findings)."""
    if count <= 0:
        return ""
    return f"{count:,} event{'s' if count != 1 else ''}"


def status_line(finding: Finding, capture: datetime | None) -> str:
    """Status, when it was last seen, the distinct-event count and the unknown facts:
    ``"active, last seen 3 min before capture, 12 events"``, ``"recovered; last seen 2 days
    before capture, 3 events"``, ``"historical (last seen 19 days before capture), 1 event"``."""
    seen = seen_text(finding, capture)
    if finding.status == "active":
        parts = ["active", seen]
    elif finding.status == "historical":
        # describe says "past (last seen …)" / "past: earlier boot"; the status word leads
        parts = ["historical" + seen[len("past"):] if seen.startswith("past") else
                 (f"historical, {seen}" if seen else "historical")]
    else:
        parts = [seen or STATUS_LABELS.get(finding.status, finding.status)]
    parts += [events_text(finding.count), unknown_text(finding)]
    return ", ".join(p for p in parts if p)


def moment_text(when: datetime | None, capture: datetime | None) -> str:
    """An absolute UTC time plus its distance to the capture; "" when unknown."""
    if when is None:
        return ""
    text = when.strftime("%Y-%m-%d %H:%M:%S UTC")
    if capture is None:
        return text
    return f"{text} ({relative_text(when, capture)})"


def split_active(matches: Sequence[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(active findings, recovered or historical ones), each keeping the given order."""
    active = [f for f in matches if f.status == "active"]
    return active, [f for f in matches if f.status != "active"]


def is_problem(finding: Finding) -> bool:
    """An active finding above ``info`` (info findings are notes, not problems)."""
    return finding.status == "active" and finding.severity != "info"


def summary_text(findings: Findings) -> str:
    """One sentence on the findings: ``"No active problem found; 2 historical"`` or
    ``"3 active problems (1 critical); 1 recovered"``."""
    problems = [f for f in findings.matches if is_problem(f)]
    notes = sum(f.status == "active" and f.severity == "info" for f in findings.matches)
    others = []
    if notes:
        others.append(f"{notes} info note{'s' if notes != 1 else ''}")
    for status in ("recovered", "historical"):
        count = sum(f.status == status for f in findings.matches)
        if count:
            others.append(f"{count} {status}")
    if problems:
        worst = problems[0].severity
        worst_count = sum(f.severity == worst for f in problems)
        head = (f"{len(problems)} active problem{'s' if len(problems) != 1 else ''} "
                f"({worst_count} {worst})")
    else:
        head = "No active problem found"
    return head + (f"; {', '.join(others)}" if others else "")


__all__ = ["INACTIVE_HEADING", "STATUS_LABELS", "events_text", "is_problem", "moment_text",
           "split_active", "status_line", "summary_text"]
