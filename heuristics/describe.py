"""One vocabulary for what a finding says about time, for every view (CLI text/Markdown,
TUI panel, report): ``seen_text(finding, capture)`` -> ``"last seen 3 min before capture"``,
``"recovered; last seen 2 days before capture"``, ...; ``unknown_text(finding)`` ->
``"OS version unknown"``. Plain text (no markup); views escape and style it.
"""

from __future__ import annotations

from datetime import datetime

from .model import Finding

FACT_LABELS = {
    "os.name": "OS name", "os.version": "OS version", "os.variant": "OS variant",
    "device.type": "device type", "device.model": "device model", "arch": "architecture",
    "kernel.version": "kernel version", "supervisor.version": "supervisor version",
    "engine.version": "engine version", "diagnose.version": "diagnose version",
    "uptime.seconds": "uptime", "disk.data.used_percent": "data partition use",
    "memory.available_percent": "available memory", "time.synchronized": "clock sync state",
    "captured_at": "capture time",
}


CAPTURE_RUN_SECONDS = 300
"""How long after the capture's first stamp a line still counts as "at capture": the capture
time is when diagnose.sh started; its ~90 commands run for up to a few minutes after it."""


def span_text(seconds: float) -> str:
    """A duration as a person says it: ``"40 s"``, ``"3 min"``, ``"5 h"``, ``"2 days"``."""
    seconds = abs(seconds)
    if seconds < 90:
        return f"{int(seconds)} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)} h"
    days = round(seconds / 86400)
    return f"{days} day" if days == 1 else f"{days} days"


def relative_text(moment: datetime, capture: datetime | None) -> str:
    """``moment`` relative to the capture ("3 min before capture", "at capture"), or the
    absolute UTC time when the capture time is unknown."""
    if capture is None:
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    delta = (capture - moment).total_seconds()
    if -CAPTURE_RUN_SECONDS <= delta < 1:
        return "at capture"  # stamped while diagnose.sh ran (its commands take up to minutes)
    return f"{span_text(delta)} {'before' if delta > 0 else 'after'} capture"


def seen_text(finding: Finding, capture: datetime | None) -> str:
    """When the finding was seen and its status, in words ("" for an active, undated one)."""
    seen = f"last seen {relative_text(finding.last_seen, capture)}" if finding.last_seen is not None else ""
    if finding.status == "active":
        return seen
    if finding.status == "recovered":
        return f"recovered; {seen}" if seen else "recovered"
    return f"past ({seen})" if seen else "past: earlier boot"


def unknown_text(finding: Finding) -> str:
    """``"OS version unknown"`` for the facts that could not be read ("" when none)."""
    labels = [FACT_LABELS.get(name, name) for name in finding.unknown_facts]
    if not labels:
        return ""
    return (", ".join(labels[:-1]) + " and " + labels[-1] if len(labels) > 1 else labels[0]) + " unknown"


__all__ = ["FACT_LABELS", "relative_text", "seen_text", "span_text", "unknown_text"]
