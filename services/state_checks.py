"""balena health checks (``checks.sh``) beside a capture fill or confirm the state items.

When a health-checks file is combined with the diagnostics file (``services.combine``),
its checks are sections ``checks.sh: <name>`` whose output is ``success: true|false`` then
the status text. For each check that speaks about a state item:

* the item is ``unknown`` in the diagnostics text: the check decides it (``ok`` when it
  passed, ``failed`` when it failed), with the check's lines as evidence;
* the item is known and the check agrees: the check's line is added as evidence;
* they disagree: the diagnostics text keeps the say (it is the direct observation), and
  the value says so ("… (health check check_timesync disagrees: …)") with the check's
  line as evidence, so the disagreement is shown, never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

from triagebench.parser import Document, printable

from .state_model import EvidenceLine, StateItem

CHECK_ITEMS: dict[str, tuple[str, ...]] = {
    "check_container_engine": ("engine",),
    "check_supervisor": ("supervisor",),
    "check_timesync": ("time",),
    "check_under_voltage": ("throttling",),
    "check_temperature": ("temperature",),
    "check_memory": ("memory",),
    "check_diskspace": ("data_disk",),
    "check_networking": ("api",),
    "check_dns": ("dns",),
}
"""Which state items a check speaks about (checks.sh 4.23: one check may test more; only
what it decides as a whole is mapped)."""

PREFIX = "checks.sh: "
STATUS_CAP = 160


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    passed: bool
    status: str
    evidence: EvidenceLine


def health_checks(document: Document) -> list[CheckResult]:
    """The checks combined into ``document`` (none for a plain diagnostics file)."""
    out: list[CheckResult] = []
    for section in document.sections:
        if not section.key.startswith(PREFIX):
            continue
        lines = [(n, document.output_text(section, n)) for n in section.stdout.line_numbers]
        if not lines or not lines[0][1].startswith("success: "):
            continue
        first_line, flag = lines[0]
        passed = flag.strip().endswith("true")
        status = " ".join(text.strip() for _, text in lines[1:] if text.strip())
        status = printable(status)[:STATUS_CAP]
        where = lines[1] if len(lines) > 1 else lines[0]
        out.append(CheckResult(section.key[len(PREFIX):], passed, status,
                               EvidenceLine(where[0], section.key, printable(where[1]))))
    return out


def apply_health_checks(document: Document, items: list[StateItem]) -> list[StateItem]:
    """``items`` filled or confirmed by the health checks of the same capture (in place)."""
    by_key = {item.key: item for item in items}
    for check in health_checks(document):
        for key in CHECK_ITEMS.get(check.name, ()):
            item = by_key.get(key)
            if item is None:
                continue
            said = "passed" if check.passed else f"failed: {check.status}"
            if item.state == "unknown":
                item.state = "ok" if check.passed else "failed"
                item.value = f"health check {check.name} {said}"
                item.evidence = [check.evidence, *item.evidence]
                item.command = f"{PREFIX}{check.name}"
                if not check.passed:
                    item.phrase = f"{item.label} failed (health check)"
            elif (item.state == "ok") != check.passed:
                item.value = f"{item.value} (health check {check.name} disagrees: {said})"
                item.evidence = [*item.evidence, check.evidence]
            else:
                item.evidence = [*item.evidence, check.evidence]
    return items


__all__ = ["CHECK_ITEMS", "CheckResult", "apply_health_checks", "health_checks"]
