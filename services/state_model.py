"""The device-state model: items, their states, the overall verdict and its one-line sentence.

A ``StateItem`` answers one "is it OK right now?" question from the capture's own live
checks (engine, supervisor, API, VPN, DNS, time, disk, memory, temperature, ...). Its
``state`` is one of ``STATES``; ``unknown`` means the capture does not say, and is never
counted as ``ok``. ``DeviceState`` holds the items in a fixed order and derives the verdict
(``ok`` only when every *known* item is ok, else the worst), the counts and the sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

STATES = ("ok", "degraded", "failed", "unknown")
# Items whose *ok* phrase the sentence names (problems of any item are always named first).
SENTENCE_OK_KEYS = ("engine", "supervisor", "api", "vpn", "time", "data_disk", "memory")
GROUPS = ("engine", "supervisor", "network", "time", "storage", "memory", "hardware", "os")
_SEVERITY = {"ok": 0, "degraded": 1, "failed": 2}


class EvidenceLine(NamedTuple):
    """One file line an item's state rests on (``text`` is printable: controls escaped)."""

    line: int
    section: str
    text: str


@dataclass(slots=True)
class StateItem:
    """One live check: what was asked, what the capture answered, and where it said so.

    ``phrase`` is the item's short wording for the summary sentence ("engine up",
    "disk 12 %"); empty when the item has nothing to say there.
    """

    key: str
    label: str
    group: str
    state: str
    value: str
    evidence: list[EvidenceLine] = field(default_factory=list)
    command: str | None = None
    phrase: str = ""

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"unknown state {self.state!r}")
        if self.group not in GROUPS:
            raise ValueError(f"unknown group {self.group!r}")

    @property
    def first_line(self) -> int | None:
        """The line to jump to for this item (its first evidence line), if any."""
        return self.evidence[0].line if self.evidence else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "label": self.label, "group": self.group, "state": self.state,
            "value": self.value,
            "evidence": [{"line": e.line, "section": e.section, "text": e.text}
                         for e in self.evidence],
            "command": self.command,
        }


def worst(states: list[str]) -> str:
    """``ok`` when every known state is ok, else the worst; ``unknown`` when none is known."""
    known = [s for s in states if s != "unknown"]
    if not known:
        return "unknown"
    return max(known, key=_SEVERITY.__getitem__)


@dataclass(slots=True)
class DeviceState:
    """Every state item of one capture, in ``GROUPS`` order."""

    items: list[StateItem]

    def item(self, key: str) -> StateItem | None:
        return next((i for i in self.items if i.key == key), None)

    def group(self, name: str) -> list[StateItem]:
        return [i for i in self.items if i.group == name]

    def group_state(self, name: str) -> str:
        """The verdict of one group (what a one-line-per-group strip colours by)."""
        return worst([i.state for i in self.group(name)])

    @property
    def verdict(self) -> str:
        return worst([i.state for i in self.items])

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        for item in self.items:
            counts[item.state] += 1
        return counts

    @property
    def sentence(self) -> str:
        """One line: every problem first (failed, then degraded), then the core items that
        are fine ("Engine up, supervisor healthy, API reachable, ..., disk 12 %, memory 56 %
        free"); unknown items are not named."""
        bad = [i for i in self.items if i.state in ("failed", "degraded") and i.phrase]
        bad.sort(key=lambda i: -_SEVERITY[i.state])
        good = [i for i in self.items
                if i.state == "ok" and i.phrase and i.key in SENTENCE_OK_KEYS]
        phrases = [i.phrase for i in bad + good]
        if not phrases:
            return "No live checks in this capture: the device state is unknown."
        text = ", ".join(phrases)
        return text[:1].upper() + text[1:]

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict, "counts": self.counts, "sentence": self.sentence,
            "items": [i.as_dict() for i in self.items],
        }


__all__ = ["GROUPS", "SENTENCE_OK_KEYS", "STATES", "DeviceState", "EvidenceLine", "StateItem", "worst"]
