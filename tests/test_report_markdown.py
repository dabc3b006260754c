"""The Markdown report built from findings constructed by hand (independent of the engine)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from triagebench.heuristics.mining import Template
from triagebench.heuristics.model import Evidence, Finding, Findings, HeuristicError, SignalResult
from triagebench.parser import parse_text
from triagebench.services.render_markdown import code_span, fenced, md_escape, safe_url
from triagebench.services.report import build_report
from triagebench.services.sessions import Session

from tests.test_refs import diagnostics_text, line_of


def heuristic(**fields):
    base = dict(id="supervisor-log-backend", title="Supervisor cannot reach the log backend",
                severity="high", permalink="https://example.com/kb/log backend (1)",
                description="The supervisor failed to ship logs.", remedy="Check `balena logs`.",
                source="library/x.toml", draft=False, fixed_in="14.9.0",
                positive_signals={"error", "old_supervisor", "maybe", "s"})
    base.update(fields)
    return SimpleNamespace(**base)


@pytest.fixture()
def doc():
    return parse_text(diagnostics_text(), path="/home/agent/tickets/diag.txt")


def finding_on(doc, needle: str, **fields) -> Finding:
    line = line_of(doc, needle)
    section = doc.section_at(line)
    ev = Evidence(line, section.key if section else "", doc.plain(line))
    return Finding(heuristic(**fields), {
        "error": SignalResult("error", True, [ev]),
        "old_supervisor": SignalResult("old_supervisor", True, observed="12.11.0"),
        "maybe": SignalResult("maybe", None),
    })


def no_html(text: str) -> bool:
    """No unescaped '<' could open an HTML tag outside code (autolinks are Markdown)."""
    prose = re.sub(r"^(`{3,}).*?^\1$", "", text, flags=re.M | re.S)  # fenced blocks
    prose = re.sub(r"(`+).*?\1", "", prose)  # code spans
    return re.search(r"(?<!\\)<(?!https?://)[A-Za-z/!?]", prose) is None


def fences_balanced(text: str) -> bool:
    """Every opening fence is closed by a fence of the same length (CommonMark rule)."""
    open_fence = None
    for line in text.splitlines():
        match = re.match(r"^(`{3,})", line)
        if not match:
            continue
        if open_fence is None:
            open_fence = match.group(1)
        elif match.group(1) == open_fence and line.strip() == open_fence:
            open_fence = None
    return open_fence is None


def test_report_has_title_facts_findings_and_evidence_refs(doc) -> None:
    low = finding_on(doc, "Docker version", id="engine-old", title="Old engine", severity="low",
                     fixed_in=None, permalink="https://example.com/old")
    high = finding_on(doc, "LogBackend")
    report = build_report(doc, Findings([low, high]))
    lines = report.splitlines()
    assert lines[0] == "# Triage report: diag.txt"
    assert "Captured 2022-05-02 16:03:41 UTC" in lines[2]
    assert "/home/agent" not in report  # no local paths in a ticket
    assert "| OS version | 2.87.16+rev1 |" in report
    # Worst first, both in the summary table and in the detail headings.
    assert report.index("### 1. [HIGH] Supervisor cannot reach") < report.index("### 2. [LOW] Old")
    assert "| 1 | high | Supervisor cannot reach the log backend | active |  |  |  | 14.9.0 |" in report
    assert "- **Status:** active" in report
    assert "- **Fixed in:** 14.9.0" in report
    assert "- **Write-up:** <https://example.com/kb/log%20backend%20%281%29>" in report
    assert "**Remedy:** Check `balena logs`." in report
    assert "`old_supervisor` = true (observed `12.11.0`)" in report
    assert "`maybe` = unknown" in report
    error_line = line_of(doc, "LogBackend")
    assert f"diag.txt#L{error_line}  [error]   LogBackend: unexpected error" in report
    assert "\x1b" not in report
    assert no_html(report)
    assert fences_balanced(report)


def test_state_at_capture_comes_first_and_past_findings_last(doc) -> None:
    from datetime import UTC, datetime

    old = finding_on(doc, "Docker version", id="engine-old", title="Old engine", severity="low",
                     fixed_in=None, permalink="https://example.com/old")
    old.status, old.count = "historical", 1
    old.first_seen = old.last_seen = datetime(2022, 4, 30, 16, 3, 41, tzinfo=UTC)
    high = finding_on(doc, "LogBackend")
    high.last_seen, high.count = datetime(2022, 5, 2, 16, 0, 41, tzinfo=UTC), 3
    report = build_report(doc, Findings([old, high], capture_time=datetime(
        2022, 5, 2, 16, 3, 41, tzinfo=UTC)))
    assert report.index("## State at capture") < report.index("## Findings") \
        < report.index("## Device")
    assert "| check | state | value | evidence |" in report
    assert "1 active problem (1 high); 1 historical." in report
    assert "- **Status:** active, last seen 3 min before capture, 3 events" in report
    assert "- **Last seen:** 2022-05-02 16:00:41 UTC (3 min before capture)" in report
    heading = report.index("### Not active at capture (recovered or historical)")
    assert report.index("### 1. [HIGH]") < heading < report.index("### 2. [LOW] Old engine")
    assert "| 2 | low | Old engine | historical | 2022-04-30 16:03 UTC | 2022-04-30 16:03 UTC " \
           "| 1 event |  |" in report
    assert "- **Status:** historical (last seen 2 days before capture), 1 event" in report


def test_backticks_in_evidence_cannot_break_the_fence(doc) -> None:
    finding = finding_on(doc, "weird `backtick`")
    report = build_report(doc, Findings([finding]))
    assert "````text" in report  # longer than the ``` run inside the line
    assert "weird `backtick` and ```fence``` line" in report
    assert fences_balanced(report)


def test_control_characters_are_escaped_everywhere(doc) -> None:
    nasty = heuristic(title="Title \x1b]52;c;aGk=\x07 end", description="d\x1b[2J")
    finding = Finding(nasty, {"s": SignalResult("s", True, [Evidence(1, "", "x\x1b]0;pwn\x07y")])})
    report = build_report(doc, Findings([finding]))
    assert "\x1b" not in report and "\x07" not in report
    assert "\\x07" in report


def test_no_findings_and_plain_log() -> None:
    doc = parse_text("just\na log\n", path="app.log")
    doc.facts = dict.fromkeys(doc.facts)  # a plain log carries no device facts
    report = build_report(doc, Findings([]))
    assert "## Findings (0)" in report and "No known problem matched" in report
    assert "No device facts found" in report
    assert "Capture time unknown" in report


def test_evaluation_errors_are_listed(doc) -> None:
    report = build_report(doc, Findings([], [HeuristicError("slow-one", "regex timed out")]))
    assert "Heuristics that could not be evaluated" in report
    assert "- `slow-one`: regex timed out" in report


def test_evidence_is_capped_with_a_count_of_the_rest(doc) -> None:
    evidence = [Evidence(n, "", doc.plain(n)) for n in range(1, 31)]
    finding = Finding(heuristic(), {"s": SignalResult("s", True, evidence, truncated=5)})
    report = build_report(doc, Findings([finding]))
    assert "diag.txt#L12 " in report and "diag.txt#L13 " not in report
    assert "… and 23 more matching lines" in report


def test_bookmarks_and_notes_section(doc) -> None:
    session = Session.for_document(doc, "0" * 64)
    error = line_of(doc, "LogBackend")
    session.set_note(doc, error, "first look here\n<script>alert(1)</script>")
    session.toggle(doc, 3)
    report = build_report(doc, Findings([]), bookmarks=session.sorted_bookmarks())
    assert "## Bookmarks and notes (2)" in report
    assert f"**diag.txt#L{error}** in `balena logs b96a5987452b`" in report
    assert "> first look here" in report
    assert "> \\<script>alert(1)\\</script>" in report
    assert no_html(report)
    marks = report.split("## Bookmarks and notes")[1]
    assert marks.index("diag.txt#L3") < marks.index(f"diag.txt#L{error}")
    assert fences_balanced(report)


def test_templates_section_when_given(doc) -> None:
    line = line_of(doc, "LogBackend")
    templates = [Template(1, ["LogBackend:", "<*>", "|", "pipe"], count=42, first_line=line,
                          refs=[line])]
    report = build_report(doc, Findings([]), templates=templates)
    assert "## Unexplained error lines (top templates)" in report
    assert f"| 42 | `diag.txt#L{line}` | `LogBackend: <*> \\| pipe` |" in report
    assert "Unexplained" not in build_report(doc, Findings([]), templates=[])


@pytest.mark.parametrize("text,expected", [
    ("a|b", "a\\|b"), ("*x*", "\\*x\\*"), ("raspberrypi3_64", "raspberrypi3_64"),
    ("_lead", "\\_lead"), ("<b>", "\\<b>"), ("a->b", "a->b"), ("[l](u)", "\\[l\\](u)"),
])
def test_md_escape(text: str, expected: str) -> None:
    assert md_escape(text) == expected


def test_code_span_and_fence_and_url_helpers() -> None:
    assert code_span("a`b") == "``a`b``"
    assert code_span("`x`") == "`` `x` ``"
    assert fenced(["````"]).startswith("`````text")
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("ftp://x/y") is None
    assert safe_url("https://x.org/a_(b)") == "https://x.org/a_%28b%29"


def test_templates_of_unexplained_lines_by_default(doc) -> None:
    """With no ``templates`` given, the report mines the suspicious lines that no
    finding explains (heuristics.suspicious + heuristics.mining)."""
    pytest.importorskip("triagebench.heuristics.suspicious")
    error = line_of(doc, "LogBackend")
    report = build_report(doc, Findings([]))
    assert (f"| 1 | `diag.txt#L{error}` | `LogBackend: unexpected error` |"
            in report.split("## Unexplained error lines (top templates)")[1])
    # Known-harmless errors (no provisioning log on a provisioned device) are left out.
    assert "provisioning-progress.log: No such file" not in report
    # Once a finding cites the line, it is explained and the section goes away.
    assert "Unexplained" not in build_report(doc, Findings([finding_on(doc, "LogBackend")]))
