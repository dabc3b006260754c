"""The findings list says when a finding has more evidence than the capped list shows."""

from __future__ import annotations

from types import SimpleNamespace

from triagebench.heuristics.model import Evidence, Finding, SignalResult
from triagebench.tui.widgets.findings_panel import FindingsPanel


def _finding(truncated: int) -> Finding:
    heuristic = SimpleNamespace(id="x", title="Something broke", severity="high", permalink="",
                                description="", remedy="", source="", draft=False,
                                positive_signals={"boom"})
    evidence = [Evidence(line=n, section="dmesg -T", text="boom") for n in range(1, 51)]
    return Finding(heuristic=heuristic, signals={
        "boom": SignalResult("boom", True, evidence, truncated=truncated)})


def test_capped_evidence_is_shown_as_a_lower_bound() -> None:
    panel = FindingsPanel()
    assert "50+ lines" in panel.finding_prompt(_finding(truncated=300)).plain
    assert "50 lines" in panel.finding_prompt(_finding(truncated=0)).plain
    assert "50+" not in panel.finding_prompt(_finding(truncated=0)).plain
