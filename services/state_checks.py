"""One reader per device-state item: which sections it reads and how it decides.

Each ``check_*`` takes a ``Capture`` and returns one ``StateItem``. The rules, and the
sources they follow, are in each function's docstring; thresholds are the ones of
balena's own health checks (``device-diagnostics/scripts/checks.sh``) where those exist,
so the state and the heuristics that mirror them do not disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from triagebench.heuristics import compare_versions
from triagebench.parser import Section

from .state_model import EvidenceLine, StateItem
from .state_probes import (
    ENGINES,
    Capture,
    compile_bounded,
    curl_error,
    curl_meaning,
    first_output,
    search,
    to_int,
    to_signed_int,
)

# -- shared patterns ---------------------------------------------------------------
ACTIVE_RE = compile_bounded(r"^\s*Active:\s+([a-z-]+)(?:\s+\(([^)]{0,80})\))?")
SINCE_RE = compile_bounded(r";\s*(\S.{0,40}?) ago\s*$")
CANNOT_CONNECT_RE = compile_bounded(
    r"Cannot connect to the (?:balenaEngine|Docker|balena-engine) daemon at unix://")
PS_HEADER_RE = compile_bounded(r"^CONTAINER ID\s+IMAGE\s")
SUPERVISOR_ROW_RE = compile_bounded(r"\s(?:balena|resin)_supervisor\s*$")
PS_STATUS_RE = compile_bounded(
    r"\s((?:Up|Restarting|Exited|Created|Paused|Dead|Removal)\b[^\n]{0,80}?)\s{2,}")


def _item(key: str, label: str, group: str, state: str, value: str,
          evidence: list[EvidenceLine], command: str | None, phrase: str = "") -> StateItem:
    return StateItem(key=key, label=label, group=group, state=state, value=value,
                     evidence=evidence[:8], command=command, phrase=phrase)


def _unit_states(capture: Capture, sections: list[Section]
                 ) -> list[tuple[str, str, EvidenceLine, Section]]:
    """``(active, sub, evidence, section)`` of every ``Active:`` line of systemctl status."""
    found = []
    for section in sections:
        for number, text in capture.lines(section):
            match = search(ACTIVE_RE, text)
            if match:
                found.append((match.group(1), match.group(2) or "",
                              capture.evidence(section, number), section))
    return found


# -- engine --------------------------------------------------------------------------
def check_engine(capture: Capture) -> StateItem:
    """Engine running (``systemctl status balena``: ``Active: active (running)``) and
    answering (``balena ps -a`` printed its table; ``Cannot connect to the balenaEngine
    daemon`` means it did not; a killed ``ps`` means it hung). Old OSes: docker/rce."""
    key, label, group = "engine", "Engine running and answering", "engine"
    units = _unit_states(capture, capture.sections(rf"systemctl status {ENGINES}(?: --no-pager)?"))
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
            return _item(key, label, group, "degraded", f"engine unit is {shown}",
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
            return _item(key, label, group, "degraded" if running else "failed",
                         f"`{section.command}` hung and was killed (engine not answering)",
                         evidence, command, "engine not answering")
    if answering is False:
        return _item(key, label, group, "failed",
                     "engine not answering: the CLI cannot connect to the engine socket",
                     evidence, command, "engine down")
    if running is False:
        active, sub = units[0][0], units[0][1]
        return _item(key, label, group, "failed",
                     f"engine unit is {active}" + (f" ({sub})" if sub else ""),
                     evidence, command, "engine down")
    if answering or running:
        value = "running and answering" if answering and running else (
            f"answering (`{command}` replied)" if answering else "running (systemd)")
        since = search(SINCE_RE, units[0][2].text) if units and running else None
        if since:
            value += f", up {since.group(1)}"  # a recent start hints at a restart loop
        return _item(key, label, group, "ok", value, evidence, command, "engine up")
    return _item(key, label, group, "unknown", "no engine status or `ps` output in the capture",
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
    units = _unit_states(capture, capture.sections(
        r"systemctl status (?:balena-supervisor|resin-supervisor)(?: (?:balena|resin)-supervisor)?(?: --no-pager)?"))
    unit_running = None
    if units:
        unit_running = any(a == "active" and s == "running" for a, s, _, _ in units)
        pick = next((u for u in units if u[0] == "active"), units[0])
        evidence.append(pick[2])
        command = command or pick[3].command
    if healthy is False:
        return _item(key, label, group, "failed", detail, evidence, command,
                     "supervisor unhealthy")
    if container == "down":
        return _item(key, label, group, "failed", f"supervisor container: {status}", evidence,
                     command, "supervisor down")
    if healthy is None and unit_running is False and container is None:
        return _item(key, label, group, "failed", f"supervisor unit is {units[0][0]}",
                     evidence, command, "supervisor down")
    if container == "unhealthy":
        return _item(key, label, group, "degraded" if healthy else "failed",
                     f"supervisor container: {status}" + (f"; {detail}" if detail else ""),
                     evidence, command, "supervisor unhealthy")
    if healthy or container == "healthy":
        value = detail or f"container {status}"
        if healthy and container == "healthy":
            value = f"{detail}; container {status}"
        return _item(key, label, group, "ok", value, evidence, command, "supervisor healthy")
    if container == "starting":
        return _item(key, label, group, "degraded", f"supervisor container: {status}",
                     evidence, command, "supervisor starting")
    if container == "up" or unit_running:
        return _item(key, label, group, "unknown", "running; its health is not in the capture",
                     evidence, command)
    return _item(key, label, group, "unknown", "no supervisor health check in the capture",
                 evidence, command)


# -- network ---------------------------------------------------------------------------
API_KEY = r"(?:CURL_CA_BUNDLE=\S+ )?curl (?:-\S+ )*https?://[^\s/]+/ping"
WEB_KEY = r"(?:CURL_CA_BUNDLE=\S+ )?curl (?:-\S+ )*https?://(?!localhost|127\.)[^\s]+"


def check_api(capture: Capture) -> StateItem:
    """API reachable: diagnose.sh's ``CURL_CA_BUNDLE=... curl $API_ENDPOINT/ping`` printed
    ``OK`` (busybox glues ``real`` to it: ``OKreal``, which the parser strips). A failing
    curl is explained by its exit code (6 DNS, 7 refused, 28 timeout, 35 TLS handshake, 60
    untrusted certificate: a TLS-intercepting firewall or a wrong clock), as checks.sh's
    ``test_balena_api`` does."""
    key, label, group = "api", "balenaCloud API reachable", "network"
    sections = capture.sections(API_KEY)
    if not sections:
        return _item(key, label, group, "unknown", "no API ping in the capture", [], None)
    section = sections[-1]
    code, line = curl_error(capture, section)
    if code is not None and line is not None:
        return _item(key, label, group, "failed", f"curl exit {code}: {curl_meaning(code)}",
                     [line], section.command, "API unreachable")
    first = first_output(capture, section)
    if first is None:
        return _item(key, label, group, "unknown", "the API ping printed nothing",
                     [capture.header(section)], section.command)
    evidence = [capture.evidence(section, first[0])]
    if first[1] == "OK":
        return _item(key, label, group, "ok", "API /ping answered OK", evidence,
                     section.command, "API reachable")
    return _item(key, label, group, "failed", f"API /ping answered {first[1][:60]!r}, not OK",
                 evidence, section.command, "API not answering OK")


IMAGE_OK_RE = compile_bounded(r"Event: Image downloaded\b")
IMAGE_FAIL_RE = compile_bounded(r"Event: Image download error|Failed to download image\b")
REGISTRY_NET_RE = compile_bounded(
    r"(?i)EAI_AGAIN|ENOTFOUND|getaddrinfo|no such host|i/o timeout|TLS handshake timeout"
    r"|x509:|certificate|dial tcp|network is unreachable|connection refused|unauthorized"
    r"|registry2?\.[\w.-]+.{0,80}(?:timeout|refused|reset)")
ENGINE_SOCKET_RE = compile_bounded(r"balena-engine\.sock|docker\.sock|no space left on device")


def check_registry(capture: Capture) -> StateItem:
    """Registry reachable: the diagnostics run no registry check (checks.sh's
    ``test_balena_registry`` does, with ``balena login``), so this reads the supervisor's
    last image download event: ``Image downloaded`` proves the registry answered then; a
    download error naming a network/TLS failure says it did not. Errors of the engine or
    the disk (``no space left``) say nothing about the registry. Otherwise unknown."""
    key, label, group = "registry", "Registry reachable", "network"
    last: tuple[bool, EvidenceLine, str] | None = None
    sections = capture.sections(rf"{ENGINES} logs .*") + capture.sections(
        r"journalctl .*-u (?:balena|resin)-supervisor.*")
    for section in sections:
        for number, text in capture.lines(section, needles=("Image download", "Failed to download")):
            if search(IMAGE_OK_RE, text):
                last = (True, capture.evidence(section, number), section.command)
            elif (search(IMAGE_FAIL_RE, text) and search(REGISTRY_NET_RE, text)
                  and not search(ENGINE_SOCKET_RE, text)):
                last = (False, capture.evidence(section, number), section.command)
        if last is not None:
            break  # the full supervisor log wins over the journal's tail of the same events
    if last is None:
        return _item(key, label, group, "unknown",
                     "no live registry check in the diagnostics (checks.sh tests it)", [], None)
    ok, line, command = last
    if ok:
        return _item(key, label, group, "ok", "the last image download succeeded", [line],
                     command, "registry reachable")
    return _item(key, label, group, "failed", "the last image download failed on the network",
                 [line], command, "registry unreachable")


OVPN_GOOD_RE = compile_bounded(
    r"Initialization Sequence Completed|Peer Connection Initiated|Data Channel: Cipher .{0,40}initialized"
    r"|Control Channel: TLSv")
OVPN_BAD_RE = compile_bounded(
    r"TCP: connect to \S+ failed|TLS Error: TLS handshake failed|Fatal TLS error|VERIFY ERROR"
    r"|SIGUSR1\[(?:connection failed|soft,tls-error)|RESOLVE: Cannot resolve host address"
    r"|TLS key negotiation failed|SIGTERM\[|Exiting due to fatal error|AUTH_FAILED"
    r"|Connection reset, restarting|Inactivity timeout")
BOOT_MARK_RE = compile_bounded(r"^-- (?:Boot [0-9a-f]{32}|Reboot) --$")


def _vpn_events(capture: Capture, section: Section, current_boot_only: bool
                ) -> list[tuple[bool, EvidenceLine]]:
    events: list[tuple[bool, EvidenceLine]] = []
    for number, text in capture.lines(section):
        if current_boot_only and search(BOOT_MARK_RE, text.strip()):
            events.clear()
            continue
        if "openvpn" not in text:
            continue
        if search(OVPN_BAD_RE, text):
            events.append((False, capture.evidence(section, number)))
        elif search(OVPN_GOOD_RE, text):
            events.append((True, capture.evidence(section, number)))
    return events


OVPN_MESSAGE_RE = compile_bounded(
    r"openvpn\[\d{1,9}\]:\s+(?:\w{3} \w{3} +\d{1,2} \d\d:\d\d:\d\d \d{4} )?(.{1,120})")


def _openvpn_message(text: str) -> str:
    """The openvpn message without the journal prefix and openvpn's own timestamp."""
    match = search(OVPN_MESSAGE_RE, text)
    return match.group(1) if match else text[-120:]


def check_vpn(capture: Capture) -> StateItem:
    """VPN connected: the openvpn unit is ``active (running)`` and its latest connection
    event (the ``systemctl status`` tail first, it is the newest; else the current boot of
    ``journalctl -u "openvpn*"``) is a success (``Initialization Sequence Completed``, a
    data-channel renegotiation) rather than a failure (``TCP: connect ... failed``, ``TLS
    Error``, ``VERIFY ERROR``, ``RESOLVE: Cannot resolve``). A failure after an earlier
    success in this boot is ``degraded`` (reconnecting)."""
    key, label, group = "vpn", "VPN connected", "network"
    status_sections = capture.sections(r"systemctl status openvpn(?:-resin)?(?:\.service)?(?: --no-pager)?")
    journal_sections = capture.sections(r"journalctl .*-u \"?openvpn.*")
    units = _unit_states(capture, status_sections)
    evidence: list[EvidenceLine] = []
    command = status_sections[0].command if status_sections else None
    if units:
        active, sub, line, section = units[0]
        evidence.append(line)
        disabled = [n for n, text in capture.lines(section, needles=("Condition:",))
                    if "start condition failed" in text]
        if active != "active" and disabled:
            # systemd skipped the unit on purpose (e.g. the VPN is disabled in config.json)
            return _item(key, label, group, "unknown",
                         f"openvpn unit is {active}: its start condition is not met (VPN disabled?)",
                         [capture.evidence(section, disabled[0]), *evidence], command)
        if active != "active":
            return _item(key, label, group, "failed", f"openvpn unit is {active}", evidence,
                         command, "VPN down")
    tail: list[tuple[bool, EvidenceLine]] = []
    for section in status_sections:
        tail += _vpn_events(capture, section, current_boot_only=False)
    journal: list[tuple[bool, EvidenceLine]] = []
    for section in journal_sections:
        journal += _vpn_events(capture, section, current_boot_only=True)
    events = tail or journal
    if tail:
        command = status_sections[0].command
    elif journal:
        command = journal_sections[0].command
    if not events:
        state_value = "openvpn running; no connection event in its log tail" if units else \
            "no VPN status in the capture"
        return _item(key, label, group, "unknown", state_value, evidence, command)
    ok, line = events[-1]
    if ok:
        return _item(key, label, group, "ok", "connected (latest openvpn event is a success)",
                     [line, *evidence], command, "VPN connected")
    earlier_success = any(good for good, _ in journal + tail)
    failures = [e for good, e in events if not good]
    if earlier_success:
        return _item(key, label, group, "degraded", "connected earlier this boot, reconnecting now",
                     [line, *evidence], command, "VPN reconnecting")
    causes = [e for e in failures if "SIGUSR1" not in e.text and "Restart" not in e.text]
    cause = causes[-1] if causes else line
    return _item(key, label, group, "failed", "not connected: " + _openvpn_message(cause.text),
                 [cause, line, *evidence], command, "VPN not connected")


PING_OK_RE = compile_bounded(r"^PING (\S+) \(([0-9a-fA-F:.]+)\)")
PING_BAD_RE = compile_bounded(
    r"ping: bad address|ping: unknown host|Temporary failure in name resolution"
    r"|Name or service not known|Name does not resolve")


def check_dns(capture: Capture) -> StateItem:
    """DNS working now: the capture's own lookups. Each curl to a public host resolved
    unless it exited 6 (or 28 with ``Resolving timed out``); busybox ping prints ``PING host
    (ip)`` once resolved, ``ping: bad address`` when not. All resolved: ok; none: failed;
    some: degraded (flaky DNS)."""
    key, label, group = "dns", "DNS resolving", "network"
    results: list[tuple[bool, EvidenceLine, str]] = []
    for section in capture.sections(WEB_KEY):
        code, line = curl_error(capture, section)
        if code == 6 or (code == 28 and line is not None and "Resolving timed out" in line.text):
            results.append((False, line or capture.header(section), section.command))
        elif code in (143, 5):
            continue
        elif code is not None and line is not None:
            results.append((True, line, section.command))  # got past DNS (refused, TLS, ...)
        elif (first := first_output(capture, section)) is not None:
            results.append((True, capture.evidence(section, first[0]), section.command))
    for section in capture.sections(r"ping (?:-\S+ (?:\d+ )?)*\S+"):
        for stream in ("stdout", "stderr"):
            for number, text in capture.lines(section, stream):
                if search(PING_OK_RE, text):
                    results.append((True, capture.evidence(section, number), section.command))
                    break
                if search(PING_BAD_RE, text):
                    results.append((False, capture.evidence(section, number), section.command))
                    break
            else:
                continue
            break
    if not results:
        return _item(key, label, group, "unknown", "no name lookup in the capture", [], None)
    failed = [r for r in results if not r[0]]
    resolved = [r for r in results if r[0]]
    evidence = [r[1] for r in failed + resolved]
    if not failed:
        return _item(key, label, group, "ok", f"{len(resolved)} of {len(results)} lookups resolved",
                     evidence, resolved[0][2], "DNS ok")
    if not resolved:
        return _item(key, label, group, "failed", f"all {len(results)} lookups failed", evidence,
                     failed[0][2], "DNS failing")
    return _item(key, label, group, "degraded",
                 f"{len(failed)} of {len(results)} lookups failed (flaky DNS)", evidence,
                 failed[0][2], "DNS flaky")


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
        return _item(key, label, group, "ok", value + note, chrony_evidence[:2] + evidence,
                     chrony_command, "time synced")
    if chrony_unsynced:
        why = "chronyd not answering" if chrony_down else (
            f"no selected NTP source ({sources} listed, none ^*)" if sources and selected is None
            else f"chrony leap status {leap}")
        if timedatectl is True:
            return _item(key, label, group, "degraded", f"timedatectl says synchronised but {why}",
                         chrony_evidence[:3] + evidence, chrony_command, "time sync uncertain")
        return _item(key, label, group, "failed", f"not synchronised: {why}",
                     chrony_evidence[:3] + evidence, chrony_command, "time NOT synced")
    if timedatectl is True:
        return _item(key, label, group, "ok", "timedatectl: synchronized", evidence, command,
                     "time synced")
    if timedatectl is False:
        older = compare_versions(os_version, CHRONY_SINCE) if os_version else None
        if older is not None and older < 0:
            return _item(key, label, group, "failed",
                         "timedatectl: not synchronized (timesyncd OS)", evidence, command,
                         "time NOT synced")
        return _item(key, label, group, "degraded",
                     "timedatectl says not synchronized; no chrony output to confirm",
                     evidence, command, "time sync unconfirmed")
    return _item(key, label, group, "unknown", "no time synchronisation status in the capture",
                 evidence, command)


# -- storage ---------------------------------------------------------------------------
DATA_MOUNTS = ("/mnt/data", "/resin-data", "/mnt/data-disk")
MOUNT_RE = compile_bounded(r"^(\S+) on (\S+) type (\S+) \(([^)]{0,400})\)")
PERCENT_RE = compile_bounded(r"^(\d{1,3})%$")


def check_data_mount(capture: Capture) -> StateItem:
    """Data partition mounted read-write: the ``mount`` line for ``/mnt/data`` (older:
    ``/resin-data``, or a ``resin-data`` labelled device) has ``rw`` first in its options,
    as checks.sh's ``test_data_partition_mounted`` reads /proc/mounts. ``ro`` is failed,
    no such line in a non-empty ``mount`` output is failed (not mounted)."""
    key, label, group = "data_mount", "Data partition mounted read-write", "storage"
    sections = capture.sections(r"mount|cat /proc/mounts")
    if not sections:
        return _item(key, label, group, "unknown", "no `mount` output in the capture", [], None)
    seen_any = False
    for section in sections:
        for number, text in capture.lines(section):
            match = search(MOUNT_RE, text)
            if not match:
                continue
            seen_any = True
            device, point, _, options = match.groups()
            if point in DATA_MOUNTS or "resin-data" in device or "balena-data" in device:
                flags = options.split(",")
                line = capture.evidence(section, number)
                if "rw" in flags:
                    return _item(key, label, group, "ok", f"{point} mounted rw ({device})", [line],
                                 section.command, "data rw")
                if "ro" in flags:
                    return _item(key, label, group, "failed", f"{point} mounted READ-ONLY ({device})",
                                 [line], section.command, "data partition read-only")
                return _item(key, label, group, "unknown", f"{point}: no rw/ro flag", [line],
                             section.command)
    if seen_any:
        section = sections[0]
        return _item(key, label, group, "failed", "no data partition (/mnt/data) in `mount`",
                     [capture.header(section)], section.command, "data partition not mounted")
    return _item(key, label, group, "unknown", "`mount` printed nothing readable",
                 [capture.header(sections[0])], sections[0].command)


class DfRow(NamedTuple):
    """The data partition's row of a df section (``present``: such a section exists)."""

    percent: int | None
    point: str | None
    line: EvidenceLine | None
    section: Section | None
    present: bool


def _df_row(capture: Capture, key_pattern: str, column: str) -> DfRow:
    """The data partition row of a df section whose header has ``column`` (``Use%`` for
    ``df -h``, ``IUse%`` for ``df -ih``): the header decides, not only the command."""
    sections = capture.sections(key_pattern)
    for section in sections:
        header: list[str] | None = None
        best = None
        for number, text in capture.lines(section):
            fields = text.split()
            if "Mounted" in fields and "on" in fields:
                header = fields
                continue
            if header is None or column not in header or len(fields) < 6:
                continue
            point = fields[-1]
            if point not in DATA_MOUNTS:
                continue
            match = search(PERCENT_RE, fields[-2])
            percent = to_int(match.group(1), 3) if match else None
            if percent is not None and percent > 100:
                percent = None
            row = DfRow(percent, point, capture.evidence(section, number), section, True)
            if point == "/mnt/data":
                return row
            best = best or row
        if best:
            return best
    return DfRow(None, None, None, sections[0] if sections else None, bool(sections))


def _percent_item(key: str, label: str, what: str, found: DfRow, fail_at: int, warn_at: int,
                  phrase_word: str) -> StateItem:
    percent, point, line, section, present = found
    if not present:
        return _item(key, label, "storage", "unknown", f"no `{what}` output in the capture", [], None)
    command = section.command if section else None
    if line is None:
        return _item(key, label, "storage", "unknown", f"no /mnt/data row in `{what}`", [], command)
    if percent is None:
        return _item(key, label, "storage", "unknown", f"unreadable use % for {point}", [line], command)
    value = f"{point} {percent} % used"
    phrase = f"{phrase_word} {percent} %"
    if percent >= fail_at:
        return _item(key, label, "storage", "failed", value, [line], command, phrase + " (full)")
    if percent >= warn_at:
        return _item(key, label, "storage", "degraded", value, [line], command, phrase)
    return _item(key, label, "storage", "ok", value, [line], command, phrase)


def check_data_disk(capture: Capture) -> StateItem:
    """Data partition space: ``df -h`` (never ``df -ih``, whose % is inodes) ``Use%`` of
    ``/mnt/data``. 90 % or more is failed (checks.sh ``test_diskspace``: < 10 % free),
    80 % or more degraded."""
    return _percent_item("data_disk", "Data partition space used", "df -h",
                         _df_row(capture, r"df(?: -h)?", "Use%"), 90, 80, "disk")


def check_data_inodes(capture: Capture) -> StateItem:
    """Data partition inodes: ``df -ih`` ``IUse%`` of ``/mnt/data`` (same thresholds)."""
    return _percent_item("data_inodes", "Data partition inodes used", "df -ih",
                         _df_row(capture, r"df -i(?:h)?", "IUse%"), 90, 80, "inodes")


# -- memory ----------------------------------------------------------------------------
MEMINFO_RE = compile_bounded(r"^(MemTotal|MemAvailable|MemFree|Buffers|Cached):\s+(\d{1,15})\s*kB")


def check_memory(capture: Capture) -> StateItem:
    """Memory available: ``MemAvailable / MemTotal`` from ``/proc/meminfo`` (else
    ``free``'s ``available`` column; very old kernels: free + buffers + cached), the
    number checks.sh's ``check_memory`` uses. Below 10 % failed (its threshold), below
    15 % degraded. A total of 0 or available above total is unreadable."""
    key, label, group = "memory", "Memory available", "memory"
    values: dict[str, int] = {}
    lines: dict[str, EvidenceLine] = {}
    command = None
    for section in capture.sections(r"cat /proc/meminfo"):
        command = section.command
        for number, text in capture.lines(section):
            match = search(MEMINFO_RE, text)
            if match and match.group(1) not in values:
                value = to_int(match.group(2), 15)
                if value is not None:
                    values[match.group(1)] = value
                    lines[match.group(1)] = capture.evidence(section, number)
    total = values.get("MemTotal")
    available = values.get("MemAvailable")
    evidence = [lines[k] for k in ("MemAvailable", "MemTotal") if k in lines]
    if total and available is None and all(k in values for k in ("MemFree", "Buffers", "Cached")):
        available = values["MemFree"] + values["Buffers"] + values["Cached"]
        evidence = [lines[k] for k in ("MemFree", "Buffers", "Cached", "MemTotal")]
    if not total or available is None:
        total, available, evidence, command = _free_numbers(capture)
    if total is None or available is None:
        return _item(key, label, group, "unknown", "no readable memory figures in the capture",
                     evidence, command)
    if total <= 0 or available > total:
        return _item(key, label, group, "unknown", "unreadable memory figures", evidence, command)
    percent = round(100.0 * available / total)
    value = f"{percent} % available ({available // 1024} of {total // 1024} MiB)"
    phrase = f"memory {percent} % free"
    if percent < 10:
        return _item(key, label, group, "failed", value, evidence, command, phrase + " (LOW)")
    if percent < 15:
        return _item(key, label, group, "degraded", value, evidence, command, phrase)
    return _item(key, label, group, "ok", value, evidence, command, phrase)


def _free_numbers(capture: Capture) -> tuple[int | None, int | None, list[EvidenceLine], str | None]:
    for section in capture.sections(r"free(?: -[hmk])?"):
        header: list[str] | None = None
        for number, text in capture.lines(section):
            fields = text.split()
            if fields and fields[0] == "total":
                header = fields
            elif header and fields and fields[0] == "Mem:":
                numbers = dict(zip(header, fields[1:], strict=False))
                total = to_int(numbers.get("total", ""), 15)
                available = to_int(numbers.get("available", "") or numbers.get("free", ""), 15)
                if "available" not in numbers and all(k in numbers for k in ("buffers", "cached")):
                    parts = [to_int(numbers.get(k, ""), 15) for k in ("free", "buffers", "cached")]
                    available = sum(p for p in parts if p is not None) if None not in parts else None
                return total, available, [capture.evidence(section, number)], section.command
    return None, None, [], None


# -- hardware --------------------------------------------------------------------------
ZONE_RE = compile_bounded(r"^(/sys/class/thermal/thermal_zone\d{1,3})\s*$")
PMIC_DUMMY = 100000  # Jetson PMIC-Die reports a fixed 100 C (checks.sh ignores that zone)


def check_temperature(capture: Capture) -> StateItem:
    """CPU temperature now: the hottest plausible zone of the thermal loop (``echo
    $i && cat $i/temp``, millidegrees C). A zone typed ``PMIC-Die`` (when a type is
    printed), or reading exactly 100000 next to normal zones, is the Jetson PMIC dummy,
    not the CPU, and is skipped (checks.sh skips it too). Values outside -40..150 C are
    unreadable. 80 C or more is failed (checks.sh's threshold), 75 C or more degraded."""
    key, label, group = "temperature", "CPU temperature", "hardware"
    sections = capture.sections(r"for i in /sys/class/thermal/.*")
    if not sections:
        return _item(key, label, group, "unknown", "no thermal zones in the capture", [], None)
    section = sections[0]
    zones: list[tuple[str, int, EvidenceLine, str]] = []
    zone = None
    zone_type = ""
    for number, text in capture.lines(section):
        stripped = text.strip()
        match = search(ZONE_RE, stripped)
        if match:
            zone, zone_type = match.group(1), ""
            continue
        value = to_signed_int(stripped, 7)
        if zone is not None and value is not None:
            zones.append((zone, value, capture.evidence(section, number), zone_type))
            zone = None
        elif zone is not None and stripped.lstrip("-").isdigit():
            zone = None  # a reading too long to be a temperature: unreadable, skipped
        elif zone is not None and stripped:
            zone_type = stripped[:40]  # a type line, where a variant of the loop prints it
    plausible = [z for z in zones if -40000 <= z[1] <= 150000]
    skipped = [z for z in plausible if "PMIC" in z[3].upper()]
    rest = [z for z in plausible if z not in skipped]
    if len(rest) > 1:
        dummies = [z for z in rest if z[1] == PMIC_DUMMY]
        if dummies and len(dummies) < len(rest):
            skipped += dummies
            rest = [z for z in rest if z not in dummies]
    if not rest:
        why = "no readable zone temperature" if not zones else "only implausible/PMIC zones"
        return _item(key, label, group, "unknown", why, [z[2] for z in zones][:3], section.command)
    hottest = max(rest, key=lambda z: z[1])
    celsius = hottest[1] / 1000
    name = hottest[0].rsplit("/", 1)[-1]
    value = f"{celsius:.1f} C ({name})"
    if skipped:
        value += f"; skipped {', '.join(z[0].rsplit('/', 1)[-1] for z in skipped)} (PMIC dummy)"
    evidence = [hottest[2]]
    phrase = f"CPU {celsius:.0f} C"
    if celsius >= 80:
        return _item(key, label, group, "failed", value, evidence, section.command, phrase + " (HOT)")
    if celsius >= 75:
        return _item(key, label, group, "degraded", value, evidence, section.command, phrase)
    return _item(key, label, group, "ok", value, evidence, section.command, phrase)


THROTTLED_RE = compile_bounded(r"throttled=0x([0-9a-fA-F]{1,8})\b")
FIRMWARE_RE = compile_bounded(
    r"(Under-?voltage detected!|Voltage normalised)(?:\s*\(0x([0-9a-fA-F]{1,8})\))?")
TEMP_THROTTLE_RE = compile_bounded(r"[Tt]emperature above threshold, cpu clock throttled")
BOOT_RE = compile_bounded(r"Booting Linux on physical CPU|Linux version \S+|^\[\s*0\.0{6}\]")
NOW_BITS = {0: "under-voltage", 1: "ARM frequency capped", 2: "throttled", 3: "soft temperature limit"}


def _decode(flags: int) -> tuple[list[str], list[str]]:
    now = [name for bit, name in NOW_BITS.items() if flags & (1 << bit)]
    since = [name for bit, name in NOW_BITS.items() if flags & (1 << (bit + 16))]
    return now, since


def check_throttling(capture: Capture, is_rpi: bool) -> StateItem:
    """Throttling / under-voltage now (Raspberry Pi firmware flags). ``vcgencmd
    get_throttled`` (``throttled=0x50005``) where present; otherwise the firmware's own
    dmesg lines of this boot, which carry the same flags: the last ``Under-voltage
    detected! (0x00050005)`` / ``Voltage normalised (0x00000000)`` says whether it is
    under-voltage *now*. Bits 0-3 are now (under-voltage, frequency capped, throttled,
    soft temperature limit), 16-19 since boot. Under-voltage now: failed; other now-bits
    or under-voltage since boot: degraded; ``Temperature above threshold, cpu clock
    throttled`` in dmesg (checks.sh ``test_throttling_dmesg``): degraded. An RPi whose
    dmesg starts at boot and has none of these is ok; other hardware: unknown."""
    key, label, group = "throttling", "Power and throttling now", "hardware"
    for section in capture.sections(r"vcgencmd get_throttled"):
        for number, text in capture.lines(section):
            match = search(THROTTLED_RE, text)
            if match:
                flags = int(match.group(1), 16)
                return _flags_item(capture, flags, [capture.evidence(section, number)],
                                   section.command, f"vcgencmd throttled=0x{flags:x}")
    dmesg = capture.sections(r"dmesg(?: -T)?")
    if not dmesg:
        return _item(key, label, group, "unknown", "no dmesg or vcgencmd output in the capture",
                     [], None)
    section = dmesg[-1]
    last_firmware: tuple[str, int | None, EvidenceLine] | None = None
    under_count = 0
    temp_throttles: list[EvidenceLine] = []
    from_boot = False
    for index, (_, text) in enumerate(capture.lines(section)):
        if index >= 5:
            break
        if search(BOOT_RE, text):
            from_boot = True
    for number, text in capture.lines(section, needles=("oltage", "threshold")):
        if "oltage" in text:
            match = search(FIRMWARE_RE, text)
            if match:
                code = int(match.group(2), 16) if match.group(2) else None
                if match.group(1).lower().startswith("under"):
                    under_count += 1
                last_firmware = (match.group(1), code, capture.evidence(section, number))
        if "threshold" in text and search(TEMP_THROTTLE_RE, text):
            temp_throttles.append(capture.evidence(section, number))
    if last_firmware is not None:
        word, code, line = last_firmware
        if code is not None:
            flags = code | ((1 << 16) if under_count else 0)
            item = _flags_item(capture, flags, [line], section.command,
                               f"last firmware report: {word} (0x{code:08x})",
                               under_count=under_count)
        elif word.lower().startswith("under"):
            item = _item(key, label, group, "failed", "under-voltage (last firmware report)",
                         [line], section.command, "UNDER-VOLTAGE")
        else:
            item = _item(key, label, group, "degraded",
                         f"under-voltage {under_count}x since boot, normalised now", [line],
                         section.command, "under-voltage since boot")
        if temp_throttles and item.state == "ok":
            return _item(key, label, group, "degraded",
                         f"{len(temp_throttles)} CPU thermal throttling events since boot",
                         temp_throttles[-1:], section.command, "CPU throttled since boot")
        return item
    if temp_throttles:
        return _item(key, label, group, "degraded",
                     f"{len(temp_throttles)} CPU thermal throttling events since boot",
                     temp_throttles[-1:], section.command, "CPU throttled since boot")
    if is_rpi and from_boot:
        return _item(key, label, group, "ok", "no under-voltage or throttling reported since boot",
                     [capture.header(section)], section.command, "power ok")
    why = "dmesg does not reach back to boot" if is_rpi else "no firmware throttling flags on this hardware"
    return _item(key, label, group, "unknown", why, [], section.command)


def _flags_item(capture: Capture, flags: int, evidence: list[EvidenceLine], command: str,
                source: str, under_count: int = 0) -> StateItem:
    key, label, group = "throttling", "Power and throttling now", "hardware"
    now, since = _decode(flags)
    if "under-voltage" in now:
        return _item(key, label, group, "failed", f"under-voltage NOW ({source})", evidence,
                     command, "UNDER-VOLTAGE now")
    if now:
        return _item(key, label, group, "degraded", f"{', '.join(now)} now ({source})",
                     evidence, command, ", ".join(now) + " now")
    if "under-voltage" in since:
        times = f" {under_count}x" if under_count else ""
        return _item(key, label, group, "degraded",
                     f"under-voltage{times} since boot, normalised now ({source})",
                     evidence, command, "under-voltage since boot")
    if since:
        return _item(key, label, group, "ok", f"nothing now; since boot: {', '.join(since)} ({source})",
                     evidence, command, "no throttling now")
    return _item(key, label, group, "ok", f"no throttling or under-voltage ({source})",
                 evidence, command, "power ok")


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
        return _item(key, label, group, "unknown", "no failed-units listing in the capture", [], None)
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
        return _item(key, label, group, state, f"{len(names)} failed: {shown}",
                     [e for _, e in units], section.command, f"{len(names)} failed unit(s)")
    if zero is not None:
        return _item(key, label, group, "ok", "no failed units", [zero], section.command,
                     "no failed units")
    return _item(key, label, group, "unknown", "unreadable failed-units listing",
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
                return _item(key, label, group, "unknown", "unreadable uptime",
                             [capture.evidence(section, number)], section.command)
            value = f"up {_duration(seconds)}"
            at = _capture_time(capture, section, capture.sections(r"date"))
            if at is not None:
                boot = at - timedelta(seconds=seconds)
                value += f", booted {boot:%Y-%m-%d %H:%M} UTC (device clock)"
            return _item(key, label, group, "ok", value, [capture.evidence(section, number)],
                         section.command, f"up {_duration(seconds)}")
    return _item(key, label, group, "unknown", "no `uptime` output in the capture", [],
                 sections[0].command if sections else None)


__all__ = [
    "check_api", "check_data_disk", "check_data_inodes", "check_data_mount", "check_dns",
    "check_engine", "check_failed_units", "check_memory", "check_registry", "check_supervisor",
    "check_temperature", "check_throttling", "check_time", "check_uptime", "check_vpn",
]
