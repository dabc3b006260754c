"""Device-state readers for the balena platform itself: the engine and the supervisor.

Both are judged on what they did when the diagnostics ran (systemd's ``Active:`` line, whether
``balena ps`` answered, the supervisor's ``/v1/healthy``), never on their log history.
"""

from __future__ import annotations

from .state_model import EvidenceLine, StateItem
from .state_probes import (
    ENGINES,
    Capture,
    compile_bounded,
    curl_error,
    curl_meaning,
    first_output,
    make_item,
    search,
    unit_states,
)

SINCE_RE = compile_bounded(r";\s*(\S.{0,40}?) ago\s*$")
CANNOT_CONNECT_RE = compile_bounded(
    r"Cannot connect to the (?:balenaEngine|Docker|balena-engine) daemon at unix://")
PS_HEADER_RE = compile_bounded(r"^CONTAINER ID\s+IMAGE\s")
SUPERVISOR_ROW_RE = compile_bounded(r"\s(?:balena|resin)_supervisor\s*$")
PS_STATUS_RE = compile_bounded(
    r"\s((?:Up|Restarting|Exited|Created|Paused|Dead|Removal)\b[^\n]{0,80}?)\s{2,}")


# -- engine --------------------------------------------------------------------------
def check_engine(capture: Capture) -> StateItem:
    """Engine running (``systemctl status balena``: ``Active: active (running)``) and
    answering (``balena ps -a`` printed its table; ``Cannot connect to the balenaEngine
    daemon`` means it did not; a killed ``ps`` means it hung). Old OSes: docker/rce."""
    key, label, group = "engine", "Engine running and answering", "engine"
    units = unit_states(capture, capture.sections(rf"systemctl status {ENGINES}(?: --no-pager)?"))
    evidence: list[EvidenceLine] = []
    running: bool | None = None
    command = None
    if units:
        active, sub, line, section = units[0]
        evidence.append(line)
        command = section.command
        running = active == "active" and sub in ("running", "")
        if active in ("activating", "deactivating", "reloading"):
            shown = f"{active} ({sub})" if sub else active
            return make_item(key, label, group, "degraded", f"engine unit is {shown}",
                             evidence, command, f"engine {active}")
    answering: bool | None = None
    for section in capture.sections(rf"{ENGINES} (?:ps -a|info)"):
        for stream in ("stdout", "stderr"):
            for number, text in capture.lines(section, stream):
                if search(CANNOT_CONNECT_RE, text):
                    answering = False
                    evidence.insert(0, capture.evidence(section, number))
                    command = section.command
                    break
                if stream == "stdout" and (search(PS_HEADER_RE, text)
                                           or text.startswith("Server Version:")):
                    answering = True if answering is None else answering
                    evidence.append(capture.evidence(section, number))
                    command = command or section.command
                    break
            if answering is False:
                break
        if answering is None and (section.signal is not None or section.exit_status == 143):
            answering = False
            evidence.insert(0, capture.status_evidence(section))
            command = section.command
            return make_item(key, label, group, "degraded" if running else "failed",
                             f"`{section.command}` hung and was killed (engine not answering)",
                             evidence, command, "engine not answering")
    if answering is False:
        return make_item(key, label, group, "failed",
                         "engine not answering: the CLI cannot connect to the engine socket",
                         evidence, command, "engine down")
    if running is False:
        active, sub = units[0][0], units[0][1]
        return make_item(key, label, group, "failed",
                         f"engine unit is {active}" + (f" ({sub})" if sub else ""),
                         evidence, command, "engine down")
    if answering or running:
        value = "running and answering" if answering and running else (
            f"answering (`{command}` replied)" if answering else "running (systemd)")
        since = search(SINCE_RE, units[0][2].text) if units and running else None
        if since:
            value += f", up {since.group(1)}"  # a recent start hints at a restart loop
        return make_item(key, label, group, "ok", value, evidence, command, "engine up")
    return make_item(key, label, group, "unknown", "no engine status or `ps` output in the capture",
                     evidence, command)


# -- supervisor ------------------------------------------------------------------------
def _supervisor_container(capture: Capture) -> tuple[str | None, EvidenceLine | None]:
    """The STATUS column of the supervisor's row in ``balena ps -a`` and its evidence."""
    for section in capture.sections(rf"{ENGINES} ps -a"):
        for number, text in capture.lines(section):
            if search(SUPERVISOR_ROW_RE, text):
                match = search(PS_STATUS_RE, text + "  ")
                return (match.group(1).strip() if match else None,
                        capture.evidence(section, number))
    return None, None


def check_supervisor(capture: Capture) -> StateItem:
    """Supervisor running and healthy: ``curl localhost:48484/v1/healthy`` printed ``OK``
    (legacy: ``/ping``); the supervisor container is ``Up ... (healthy)`` in ``balena ps -a``;
    its unit is ``active (running)``. A failed curl is explained by its exit code (7:
    nothing listening, 28: no answer in time). Running without any health answer is
    ``unknown`` (never ok)."""
    key, label, group = "supervisor", "Supervisor running and healthy", "supervisor"
    evidence: list[EvidenceLine] = []
    command = None
    healthy: bool | None = None
    detail = ""
    for section in capture.sections(r"curl (?:-\S+ (?:\S+ )?)*(?:http://)?(?:localhost|127\.0\.0\.1):\d{2,5}/(?:v1/healthy|ping)"):
        command = section.command
        code, line = curl_error(capture, section)
        first = first_output(capture, section)
        if code is not None and line is not None:
            healthy = False
            detail = f"/v1/healthy: curl exit {code}, {curl_meaning(code)}"
            evidence.append(line)
        elif first is not None:
            evidence.append(capture.evidence(section, first[0]))
            healthy = first[1] == "OK"
            detail = "healthcheck endpoint answered OK" if healthy else (
                f"healthcheck endpoint answered {first[1][:60]!r}")
        break
    status, row = _supervisor_container(capture)
    if row is not None:
        evidence.append(row)
    container = None  # "healthy" | "unhealthy" | "starting" | "up" | "down"
    if status:
        if not status.startswith("Up"):
            container = "down"
        elif "(unhealthy)" in status:
            container = "unhealthy"
        elif "(healthy)" in status:
            container = "healthy"
        elif "health: starting" in status:
            container = "starting"
        else:
            container = "up"
    units = unit_states(capture, capture.sections(
        r"systemctl status (?:balena-supervisor|resin-supervisor)(?: (?:balena|resin)-supervisor)?(?: --no-pager)?"))
    unit_running = None
    if units:
        unit_running = any(a == "active" and s == "running" for a, s, _, _ in units)
        pick = next((u for u in units if u[0] == "active"), units[0])
        evidence.append(pick[2])
        command = command or pick[3].command
    if healthy is False:
        return make_item(key, label, group, "failed", detail, evidence, command,
                         "supervisor unhealthy")
    if container == "down":
        return make_item(key, label, group, "failed", f"supervisor container: {status}", evidence,
                         command, "supervisor down")
    if healthy is None and unit_running is False and container is None:
        return make_item(key, label, group, "failed", f"supervisor unit is {units[0][0]}",
                         evidence, command, "supervisor down")
    if container == "unhealthy":
        return make_item(key, label, group, "degraded" if healthy else "failed",
                         f"supervisor container: {status}" + (f"; {detail}" if detail else ""),
                         evidence, command, "supervisor unhealthy")
    if healthy or container == "healthy":
        value = detail or f"container {status}"
        if healthy and container == "healthy":
            value = f"{detail}; container {status}"
        return make_item(key, label, group, "ok", value, evidence, command, "supervisor healthy")
    if container == "starting":
        return make_item(key, label, group, "degraded", f"supervisor container: {status}",
                         evidence, command, "supervisor starting")
    if container == "up" or unit_running:
        return make_item(key, label, group, "unknown", "running; its health is not in the capture",
                         evidence, command)
    return make_item(key, label, group, "unknown", "no supervisor health check in the capture",
                     evidence, command)


__all__ = ["check_engine", "check_supervisor"]
