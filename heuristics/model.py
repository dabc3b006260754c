"""What evaluation produces: findings with per-signal values and evidence.

These types are the contract between the core and every view (CLI text/JSON/
Markdown, the TUI, reports, fleet records). Views read them; they never re-match.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .format import Heuristic

from triagebench.parser.times import as_iso

SEVERITIES = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


def severity_at_least(severity: str, threshold: str) -> bool:
    """True when ``severity`` is as bad as ``threshold`` or worse."""
    return SEVERITY_RANK[severity] <= SEVERITY_RANK[threshold]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One line that made a signal true (or, for ``extract``, the line read)."""

    line: int
    section: str
    text: str
    span: tuple[int, int] | None = None
    time: datetime | None = None  # when the line happened (UTC), None when unknown
    boot: int | None = None  # 0 = current boot, -1 = previous, None = unknown

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "section": self.section, "text": self.text,
                "time": as_iso(self.time), "boot": self.boot}


@dataclass(slots=True)
class SignalResult:
    """A signal's value: True, False or None (unknown), with evidence and observed value."""

    name: str
    value: bool | None
    evidence: list[Evidence] = field(default_factory=list)
    observed: str | None = None
    truncated: int = 0  # matching lines beyond the evidence cap
    count: int = 0  # distinct events (regex signals; see docs/heuristic-format.md)
    lines: list[int] = field(default_factory=list, repr=False)  # every counted line, file order

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value}
        if self.evidence:
            out["evidence"] = [e.as_dict() for e in self.evidence]
        if self.observed is not None:
            out["observed"] = self.observed
        if self.truncated:
            out["more_evidence"] = self.truncated
        return out


@dataclass(slots=True)
class HeuristicError:
    """A problem evaluating one heuristic (timeout, bad data); the rest still run."""

    heuristic: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"heuristic": self.heuristic, "message": self.message}


@dataclass(slots=True)
class Finding:
    """A heuristic whose ``when`` held on the document.

    ``heuristic`` is the loaded heuristic (see ``heuristics.format``); the most
    used fields are mirrored here so views need not reach into it.
    """

    heuristic: Heuristic
    signals: dict[str, SignalResult]
    status: str = "active"  # active | recovered | historical
    effective_severity: str | None = None  # None: the heuristic's own severity
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    count: int = 0  # distinct events over the true positive signals
    unknown_facts: tuple[str, ...] = ()  # facts that could not be read but would not clear it
    recovery: tuple[str, ...] = ()  # signals that are signs of recovery, not symptoms

    @property
    def id(self) -> str:
        return self.heuristic.id

    @property
    def title(self) -> str:
        return self.heuristic.title

    @property
    def severity(self) -> str:
        """The severity shown: ``history_severity`` when recovered or historical."""
        return self.effective_severity or self.heuristic.severity

    @property
    def base_severity(self) -> str:
        """The heuristic's own severity."""
        return self.heuristic.severity

    @property
    def permalink(self) -> str:
        return self.heuristic.permalink

    @property
    def description(self) -> str:
        return self.heuristic.description

    @property
    def remedy(self) -> str:
        return self.heuristic.remedy

    @property
    def source(self) -> str:
        return self.heuristic.source

    @property
    def draft(self) -> bool:
        return self.heuristic.draft

    @property
    def evidence(self) -> list[Evidence]:
        """Evidence of every true symptom signal, one entry per line, in file order: only
        signals that explain the match (un-negated in ``when``), never the recovery signs nor
        the conditions that clear it (``not mmc1_is_sdio``: SDIO lines are not SD-card
        evidence)."""
        seen: dict[int, Evidence] = {}
        explaining = self.heuristic.positive_signals
        for name, result in self.signals.items():
            if result.value and name not in self.recovery and name in explaining:
                for item in result.evidence:
                    seen.setdefault(item.line, item)
        return [seen[n] for n in sorted(seen)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity,
            "base_severity": self.base_severity,
            "status": self.status,
            "first_seen": as_iso(self.first_seen),
            "last_seen": as_iso(self.last_seen),
            "count": self.count,
            "unknown_facts": list(self.unknown_facts),
            "permalink": self.permalink,
            "source": self.source,
            "signals": {name: r.as_dict() for name, r in self.signals.items()},
        }


@dataclass(slots=True)
class Findings:
    """All matches for one document (active first, then worst effective severity, then id),
    plus per-heuristic errors."""

    matches: list[Finding] = field(default_factory=list)
    errors: list[HeuristicError] = field(default_factory=list)
    by_line: dict[int, list[Finding]] = field(default_factory=dict)
    capture_time: datetime | None = None  # the document's, for "3 min before capture" texts

    def __post_init__(self) -> None:
        self.matches.sort(key=lambda f: (f.status != "active", SEVERITY_RANK[f.severity], f.id))
        if not self.by_line:
            self.index_lines()

    def index_lines(self) -> None:
        """(Re)build ``by_line``: line number -> findings whose evidence includes it."""
        self.by_line = {}
        for finding in self.matches:
            for item in finding.evidence:
                self.by_line.setdefault(item.line, []).append(finding)

    def worst_at(self, line: int) -> str | None:
        """Worst severity among findings with evidence on ``line``."""
        found = self.by_line.get(line)
        if not found:
            return None
        return min((f.severity for f in found), key=SEVERITY_RANK.__getitem__)
