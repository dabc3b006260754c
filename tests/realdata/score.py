"""Scoring one corpus case against the bundled library (shared by the test and report.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from triagebench.heuristics import Library, load_library, severity_at_least
from triagebench.heuristics.evaluate import evaluate
from triagebench.parser import parse_text

from .build import Case, build_text, load_cases


@dataclass(slots=True)
class CaseResult:
    case: Case
    problems: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@cache
def bundled_library() -> Library:
    return load_library()


def score(case: Case, library: Library | None = None) -> CaseResult:
    """Scan the case's diagnostics text and compare with what the case expects."""
    library = library or bundled_library()
    document = parse_text(build_text(case), path=f"{case.name}.txt")
    findings = evaluate(document, library)
    result = CaseResult(case)
    by_id = {}
    for finding in findings.matches:
        record = finding.as_dict()
        by_id[finding.id] = (finding, record)
        result.found.append(f"{finding.id}:{record['severity']}:{record.get('status', '-')}")
    expected = {e.id: e for e in case.expect}
    for expect in case.expect:
        if expect.id not in by_id:
            result.problems.append(f"missing {expect.id}")
            continue
        finding, record = by_id[expect.id]
        if not severity_at_least(record["severity"], expect.severity):
            result.problems.append(f"{expect.id} at {record['severity']}, expected >= {expect.severity}")
        if expect.status and record.get("status") != expect.status:
            result.problems.append(f"{expect.id} status {record.get('status')}, expected {expect.status}")
        if not finding.evidence:
            result.problems.append(f"{expect.id} cites no evidence line")
    if case.kind != "problem":
        for heuristic_id, (_, record) in by_id.items():
            if heuristic_id not in expected and severity_at_least(record["severity"], "medium"):
                result.problems.append(f"false alarm {heuristic_id} ({record['severity']})")
    return result


def score_all() -> list[CaseResult]:
    library = bundled_library()
    return [score(case, library) for case in load_cases()]
