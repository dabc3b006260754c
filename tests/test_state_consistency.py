"""The device state and the findings never contradict each other (issue #17).

An ACTIVE finding that claims something is broken now ("the engine is not running", "DNS
is failing", "the clock is not synchronised", "the data partition is full") must not sit
beside a state item that the capture's own live checks show as ``ok``: one of the two
is wrong, and an agent stops trusting both. ``CLAIMS`` names, per heuristic, the state
items it claims are not ok; heuristics with the component tag and the connectivity kind
(library convention) claim the matching item too, so new signatures are covered.

``KNOWN`` lists the disagreements the bundled library has today, each with the heuristic
that is wrong; an entry that stops happening fails the test too (delete it then).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from triagebench.heuristics.model import Finding
from triagebench.services.analysis import AnalysisOptions, analyse
from triagebench.services.state import DeviceState

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "sample-diagnostics").glob("*.txt"))

CLAIMS: dict[str, tuple[str, ...]] = {
    "engine-not-running": ("engine",),
    "engine-failed-to-start": ("engine",),
    "legacy-engine-network-controller": ("engine",),
    "health-check-container-engine-down": ("engine",),
    "supervisor-unhealthy": ("supervisor",),
    "supervisor-watchdog-timeout": ("supervisor",),
    "legacy-supervisor-name-conflict": ("supervisor",),
    "health-check-supervisor": ("supervisor",),
    "api-unreachable": ("api",),
    "dns-resolution-failing": ("dns",),
    "vpn-cannot-connect": ("vpn",),
    "ntp-not-synchronised": ("time",),
    "health-check-timesync": ("time",),
    "tls-certificate-not-yet-valid": ("time",),
    "data-partition-full": ("data_disk",),
    "health-check-disk-space": ("data_disk",),
    "data-partition-read-only": ("data_mount",),
    "health-check-data-partition": ("data_mount",),
    "low-memory": ("memory",),
    "health-check-memory": ("memory",),
    "rpi-under-voltage": ("throttling",),
    "health-check-under-voltage": ("throttling",),
    "cpu-thermal-throttling": ("temperature",),
    "health-check-temperature": ("temperature",),
    "failed-systemd-units": ("failed_units",),
}
# (component tag, kind tag) -> the state item such a heuristic claims is failing now.
TAG_CLAIMS = {("api", "connectivity"): "api", ("dns", "connectivity"): "dns",
              ("vpn", "connectivity"): "vpn", ("time", "connectivity"): "time"}

# (sample prefix, heuristic id, item): disagreements of the bundled library today.
KNOWN: set[tuple[str, str, str]] = set()


def claimed_items(finding: Finding) -> set[str]:
    items = set(CLAIMS.get(finding.id, ()))
    tags = set(finding.heuristic.tags)
    items.update(item for (component, kind), item in TAG_CLAIMS.items()
                 if component in tags and kind in tags)
    return items


def contradictions(findings: list[Finding], state: DeviceState) -> set[tuple[str, str]]:
    """(heuristic id, state item) for every active finding claiming an item that is ok."""
    found = set()
    for finding in findings:
        if finding.status != "active":
            continue
        for key in claimed_items(finding):
            item = state.item(key)
            if item is not None and item.state == "ok":
                found.add((finding.id, key))
    return found


def test_claims_name_real_state_items() -> None:
    keys = {item.key for item in analyse(str(SAMPLES[0]), AnalysisOptions(unexplained=False))
            .state.items}
    assert {k for items in CLAIMS.values() for k in items} <= keys
    assert set(TAG_CLAIMS.values()) <= keys


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:12])
def test_no_active_finding_claims_what_the_state_shows_ok(path: Path) -> None:
    analysis = analyse(str(path), AnalysisOptions(unexplained=False))
    found = contradictions(analysis.findings.matches, analysis.state)
    known = {(h, i) for prefix, h, i in KNOWN if path.name.startswith(prefix)}
    evidence = {(h, i): analysis.state.item(i).value for h, i in found}  # type: ignore[union-attr]
    assert found - known == set(), f"active findings contradicted by the state: {evidence}"
    assert known - found == set(), f"fixed, delete from KNOWN: {known - found}"


def test_the_check_sees_a_contradiction_when_there_is_one() -> None:
    """The healthy sample with its own DNS claim forced active: the DNS item is ok, so the
    check must object (guards against a test that can never fail)."""
    analysis = analyse(str(SAMPLES[0]), AnalysisOptions(unexplained=False))
    assert analysis.state.item("dns").state == "ok"  # type: ignore[union-attr]
    fake = analysis.findings.matches[0]
    fake_claims = dict(CLAIMS)
    CLAIMS[fake.id] = ("dns",)
    try:
        assert (fake.id, "dns") in contradictions([fake], analysis.state)
    finally:
        CLAIMS.clear()
        CLAIMS.update(fake_claims)
