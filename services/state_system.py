"""Device-state readers for the OS: clock synchronisation, failed systemd units, uptime.

The clock rule is chrony-aware (balenaOS >= 2.13.0) and falls back to timedatectl on the
older timesyncd releases.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from triagebench.heuristics import compare_versions
from triagebench.parser import Section

from .state_model import EvidenceLine, StateItem
from .state_probes import (
    Capture,
    compile_bounded,
    make_item,
    search,
)

# -- time --------------------------------------------------------------------------------
TIMEDATECTL_RE = compile_bounded(r"^\s*(System clock synchronized|NTP synchronized):\s*(yes|no)\b")
CHRONY_SELECTED_RE = compile_bounded(r"^[\^#]\*\s+(\S+)")
CHRONY_SOURCE_RE = compile_bounded(r"^[\^#=][*+\-?x~]\s+\S")
LEAP_RE = compile_bounded(r"^Leap status\s*:\s*(.+?)\s*$")
CHRONY_DOWN_RE = compile_bounded(r"506 Cannot talk to daemon|Cannot talk to daemon")
CHRONY_SINCE = "2.13.0"  # meta-balena v2.13.0 "Replace systemd-timesyncd with chrony"


def check_time(capture: Capture, os_version: str | None) -> StateItem:
    """Time synchronised. balenaOS >= 2.13.0 runs chrony: ``chronyc sources`` with a ``^*``
    (selected) source or ``chronyc tracking`` ``Leap status : Normal`` means synced, even
    when ``timedatectl`` says ``System clock synchronized: no`` (the kernel flag chrony may
    not set). ``timedatectl`` "no" alone is not enough on a chrony OS (degraded until a
    second sign: no selected source, ``Not synchronised``, chronyd not answering); on older
    timesyncd OSes timedatectl is the authority."""
    key, label, group = "time", "Clock synchronised", "time"
    evidence: list[EvidenceLine] = []
    command = None
    timedatectl: bool | None = None
    td_line = None
    for section in capture.sections(r"timedatectl(?: status)?"):
        for number, text in capture.lines(section):
            match = search(TIMEDATECTL_RE, text)
            if match:
                timedatectl = match.group(2) == "yes"
                td_line = capture.evidence(section, number)
                command = section.command
                break
    selected = None
    sources = 0
    chrony_down = False
    chrony_command: str | None = None
    chrony_evidence: list[EvidenceLine] = []
    for section in capture.sections(r"chronyc sources(?: -v)?"):
        for stream in ("stdout", "stderr"):
            for number, text in capture.lines(section, stream):
                if search(CHRONY_DOWN_RE, text):
                    chrony_down = True
                    chrony_evidence.append(capture.evidence(section, number))
                elif stream == "stdout" and search(CHRONY_SOURCE_RE, text):
                    sources += 1
                    match = search(CHRONY_SELECTED_RE, text)
                    if match and selected is None:
                        selected = match.group(1)
                        chrony_evidence.insert(0, capture.evidence(section, number))
                    elif len(chrony_evidence) < 3 and selected is None:
                        chrony_evidence.append(capture.evidence(section, number))
        chrony_command = chrony_command or section.command
    leap = None
    for section in capture.sections(r"chronyc tracking"):
        for number, text in capture.lines(section):
            match = search(LEAP_RE, text)
            if match:
                leap = match.group(1)
                chrony_evidence.append(capture.evidence(section, number))
                chrony_command = chrony_command or section.command
    chrony_synced = selected is not None or (leap == "Normal" and not sources)
    chrony_unsynced = chrony_down or (sources > 0 and selected is None) or (
        leap is not None and leap.startswith("Not synchroni"))
    if td_line:
        evidence.append(td_line)
    if chrony_synced and not chrony_unsynced:
        note = " (timedatectl says no: chrony does not set the kernel flag)" if timedatectl is False else ""
        value = f"chrony synchronised to {selected}" if selected else "chrony leap status Normal"
        return make_item(key, label, group, "ok", value + note, chrony_evidence[:2] + evidence,
                         chrony_command, "time synced")
    if chrony_unsynced:
        why = "chronyd not answering" if chrony_down else (
            f"no selected NTP source ({sources} listed, none ^*)" if sources and selected is None
            else f"chrony leap status {leap}")
        if timedatectl is True:
            return make_item(key, label, group, "degraded", f"timedatectl says synchronised but {why}",
                             chrony_evidence[:3] + evidence, chrony_command, "time sync uncertain")
        return make_item(key, label, group, "failed", f"not synchronised: {why}",
                         chrony_evidence[:3] + evidence, chrony_command, "time NOT synced")
    if timedatectl is True:
        return make_item(key, label, group, "ok", "timedatectl: synchronized", evidence, command,
                         "time synced")
    if timedatectl is False:
        older = compare_versions(os_version, CHRONY_SINCE) if os_version else None
        if older is not None and older < 0:
            return make_item(key, label, group, "failed",
                             "timedatectl: not synchronized (timesyncd OS)", evidence, command,
                             "time NOT synced")
        return make_item(key, label, group, "degraded",
                         "timedatectl says not synchronized; no chrony output to confirm",
                         evidence, command, "time sync unconfirmed")
    return make_item(key, label, group, "unknown", "no time synchronisation status in the capture",
                     evidence, command)


# -- os ----------------------------------------------------------------------------------
FAILED_UNIT_RE = compile_bounded(
    r"^\W*(\S+\.(?:service|socket|mount|timer|path|target|device|swap|scope))\s+loaded\s+failed\s+failed\b")
ZERO_UNITS_RE = compile_bounded(r"^0 loaded units listed")
CRITICAL_UNITS = ("balena.service", "balena-engine.socket", "docker.service", "balena-supervisor.service",
                  "resin-supervisor.service", "openvpn.service", "openvpn-resin.service",
                  "chronyd.service", "os-config.service", "NetworkManager.service",
                  "resin-data.mount", "mnt-data.mount")


def check_failed_units(capture: Capture) -> StateItem:
    """Failed systemd units now (``systemctl list-units --failed``): none (``0 loaded units
    listed``) is ok; a failed engine, supervisor, VPN, time, network or data-mount unit is
    failed; any other failed unit degraded."""
    key, label, group = "failed_units", "Failed systemd units", "os"
    sections = capture.sections(r"systemctl (?:list-units )?--failed(?: --no-pager)?|systemctl list-units --failed.*")
    if not sections:
        return make_item(key, label, group, "unknown", "no failed-units listing in the capture", [], None)
    section = sections[0]
    units: list[tuple[str, EvidenceLine]] = []
    zero = None
    for number, text in capture.lines(section):
        match = search(FAILED_UNIT_RE, text)
        if match:
            units.append((match.group(1), capture.evidence(section, number)))
        elif search(ZERO_UNITS_RE, text.strip()):
            zero = capture.evidence(section, number)
    if units:
        names = [u for u, _ in units]
        shown = ", ".join(names[:5]) + (f" (+{len(names) - 5})" if len(names) > 5 else "")
        critical = [n for n in names if n in CRITICAL_UNITS]
        state = "failed" if critical else "degraded"
        return make_item(key, label, group, state, f"{len(names)} failed: {shown}",
                         [e for _, e in units], section.command, f"{len(names)} failed unit(s)")
    if zero is not None:
        return make_item(key, label, group, "ok", "no failed units", [zero], section.command,
                         "no failed units")
    return make_item(key, label, group, "unknown", "unreadable failed-units listing",
                     [capture.header(section)], section.command)


DATE_RE = compile_bounded(r"^\w{3} (\w{3}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) UTC (\d{4})$")
STARTED_RE = compile_bounded(r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MAX_UPTIME = 20 * 365 * 86400


def _capture_time(capture: Capture, section: Section, date_sections: list[Section]) -> datetime | None:
    """When ``uptime`` ran: its own section timestamp, else the ``date`` output (device clock)."""
    for text in (section.started_at or "",):
        match = search(STARTED_RE, text)
        if match:
            try:
                return datetime(*(int(g) for g in match.groups()), tzinfo=UTC)
            except ValueError:
                return None
    for date_section in date_sections:
        for _, text in capture.lines(date_section):
            match = search(DATE_RE, text.strip())
            if match and match.group(1) in MONTHS:
                month = MONTHS.index(match.group(1)) + 1
                try:
                    return datetime(int(match.group(6)), month, int(match.group(2)),
                                    int(match.group(3)), int(match.group(4)), int(match.group(5)),
                                    tzinfo=UTC)
                except ValueError:
                    return None
    return None


def _duration(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


UP_RE = compile_bounded(r"\bup\s+(.{1,60}?),\s+(?:\d{1,6}\s+users?,\s+)?load average")
UP_PART_RE = compile_bounded(
    r"(\d{1,6})\s+days?|(\d{1,6}):(\d\d)|(\d{1,6})\s+min(?:utes?)?|(\d{1,6})\s+(?:hours?|hrs?)")


def parse_uptime(text: str) -> int | None:
    """Seconds from busybox/procps ``uptime``: ``up 3 days,  4:02``, ``up 3 days  4:02``
    (no comma), ``up  16:12``, ``up 12 min``, ``up 2 hours``; None when unreadable."""
    match = search(UP_RE, text)
    if not match:
        return None
    seconds = 0
    found = False
    try:
        parts = UP_PART_RE.finditer(match.group(1), timeout=0.05)
        for part in parts:
            days, hours, minutes, mins, hrs = part.groups()
            found = True
            if days:
                seconds += int(days) * 86400
            elif hours:
                seconds += int(hours) * 3600 + int(minutes) * 60
            elif mins:
                seconds += int(mins) * 60
            elif hrs:
                seconds += int(hrs) * 3600
    except TimeoutError:
        return None
    return seconds if found else None


def check_uptime(capture: Capture) -> StateItem:
    """Uptime and last boot: ``uptime`` (busybox/procps) and the boot time it implies by
    the device's own clock (which may be wrong: see the time item). Known uptime is ok;
    this item informs, it does not judge."""
    key, label, group = "uptime", "Uptime and last boot", "os"
    sections = capture.sections(r"uptime")
    for section in sections:
        for number, text in capture.lines(section):
            if " up " not in f" {text} ":
                continue
            seconds = parse_uptime(text)
            if seconds is None or seconds > MAX_UPTIME:
                return make_item(key, label, group, "unknown", "unreadable uptime",
                                 [capture.evidence(section, number)], section.command)
            value = f"up {_duration(seconds)}"
            at = _capture_time(capture, section, capture.sections(r"date"))
            if at is not None:
                boot = at - timedelta(seconds=seconds)
                value += f", booted {boot:%Y-%m-%d %H:%M} UTC (device clock)"
            return make_item(key, label, group, "ok", value, [capture.evidence(section, number)],
                             section.command, f"up {_duration(seconds)}")
    return make_item(key, label, group, "unknown", "no `uptime` output in the capture", [],
                     sections[0].command if sections else None)


__all__ = ["check_failed_units", "check_time", "check_uptime", "parse_uptime"]
