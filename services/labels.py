"""Fact labels and value formatters, written once for every front-end.

``FACT_LABELS`` names the device facts people read (report table, scan headline,
TUI header); ``format_uptime``, ``format_capture_time`` and ``fact_value`` turn raw
fact values into text. Values come from the file, so they are checked, never trusted
(a negative or absurd uptime gives None, a malformed timestamp is shown as is).
"""

from __future__ import annotations

import re
from typing import Any

FACT_LABELS: tuple[tuple[str, str], ...] = (
    ("device.model", "Device"),
    ("device.type", "Device type"),
    ("arch", "Architecture"),
    ("os.version", "OS version"),
    ("os.variant", "OS variant"),
    ("kernel.version", "Kernel"),
    ("supervisor.version", "Supervisor"),
    ("engine.version", "Engine"),
    ("diagnose.version", "diagnose.sh"),
    ("uptime.seconds", "Uptime"),
    ("disk.data.used_percent", "Data partition used"),
    ("memory.available_percent", "Memory available"),
    ("time.synchronized", "Clock synchronised"),
)
"""(fact name, label) in display order."""

HEADLINE_FACTS = ("device.type", "os.version", "supervisor.version", "engine.version")
"""The facts a one-line summary of a file shows (``triage scan``)."""

_STAMP_RE = re.compile(r"^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d)(:\d\d)?(?:\.\d+)?(\+00:00|Z)?$")
MAX_UPTIME_SECONDS = 100 * 365 * 86400


def format_uptime(seconds: Any, *, minutes: bool = False) -> str | None:
    """``93784`` -> ``1d 2h`` (``minutes``: ``1d 2h 3m``); None when unknown or absurd."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return None
    if not 0 <= seconds <= MAX_UPTIME_SECONDS:  # NaN fails both comparisons
        return None
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    mins = rest // 60
    if days:
        return f"{days}d {hours}h {mins}m" if minutes else f"{days}d {hours}h"
    if hours or minutes:
        return f"{hours}h {mins}m"
    return f"{mins}m"


def format_capture_time(value: Any, *, seconds: bool = True) -> str | None:
    """``2022-05-02 16:03:41.105915487+00:00`` -> ``2022-05-02 16:03:41 UTC`` (without
    ``seconds``: ``2022-05-02 16:03 UTC``); other text is returned as is."""
    if value is None or value == "":
        return None
    text = str(value)
    match = _STAMP_RE.match(text.strip())
    if not match or (seconds and not (match.group(3) and match.group(4))):
        return text
    clock = match.group(2) + (match.group(3) if seconds else "")
    zone = " UTC" if match.group(4) else ""
    return f"{match.group(1)} {clock}{zone}"


def fact_value(name: str, value: Any) -> str:
    """A fact's value as text for a table (uptime, percentages, yes/no)."""
    if name == "uptime.seconds":
        return format_uptime(value, minutes=True) or str(value)
    if name.endswith("_percent") and isinstance(value, int | float) \
            and not isinstance(value, bool):
        return f"{value:g} %"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


__all__ = ["FACT_LABELS", "HEADLINE_FACTS", "fact_value", "format_capture_time",
           "format_uptime"]
