"""Device-state readers for the network: balenaCloud API, registry, VPN and DNS.

They read the capture's own connection attempts (diagnose.sh's curls and ping, the openvpn
unit and its log tail), with curl's exit codes explained as checks.sh's ``test_balena_api``
does.
"""

from __future__ import annotations

from triagebench.parser import Section

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
        return make_item(key, label, group, "unknown", "no API ping in the capture", [], None)
    section = sections[-1]
    code, line = curl_error(capture, section)
    if code is not None and line is not None:
        return make_item(key, label, group, "failed", f"curl exit {code}: {curl_meaning(code)}",
                         [line], section.command, "API unreachable")
    first = first_output(capture, section)
    if first is None:
        return make_item(key, label, group, "unknown", "the API ping printed nothing",
                         [capture.header(section)], section.command)
    evidence = [capture.evidence(section, first[0])]
    if first[1] == "OK":
        return make_item(key, label, group, "ok", "API /ping answered OK", evidence,
                         section.command, "API reachable")
    return make_item(key, label, group, "failed", f"API /ping answered {first[1][:60]!r}, not OK",
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
        return make_item(key, label, group, "unknown",
                         "no live registry check in the diagnostics (checks.sh tests it)", [], None)
    ok, line, command = last
    if ok:
        return make_item(key, label, group, "ok", "the last image download succeeded", [line],
                         command, "registry reachable")
    return make_item(key, label, group, "failed", "the last image download failed on the network",
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
    units = unit_states(capture, status_sections)
    evidence: list[EvidenceLine] = []
    command = status_sections[0].command if status_sections else None
    if units:
        active, sub, line, section = units[0]
        evidence.append(line)
        disabled = [n for n, text in capture.lines(section, needles=("Condition:",))
                    if "start condition failed" in text]
        if active != "active" and disabled:
            # systemd skipped the unit on purpose (e.g. the VPN is disabled in config.json)
            return make_item(key, label, group, "unknown",
                             f"openvpn unit is {active}: its start condition is not met (VPN disabled?)",
                             [capture.evidence(section, disabled[0]), *evidence], command)
        if active != "active":
            return make_item(key, label, group, "failed", f"openvpn unit is {active}", evidence,
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
        return make_item(key, label, group, "unknown", state_value, evidence, command)
    ok, line = events[-1]
    if ok:
        return make_item(key, label, group, "ok", "connected (latest openvpn event is a success)",
                         [line, *evidence], command, "VPN connected")
    earlier_success = any(good for good, _ in journal + tail)
    failures = [e for good, e in events if not good]
    if earlier_success:
        return make_item(key, label, group, "degraded", "connected earlier this boot, reconnecting now",
                         [line, *evidence], command, "VPN reconnecting")
    causes = [e for e in failures if "SIGUSR1" not in e.text and "Restart" not in e.text]
    cause = causes[-1] if causes else line
    return make_item(key, label, group, "failed", "not connected: " + _openvpn_message(cause.text),
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
        return make_item(key, label, group, "unknown", "no name lookup in the capture", [], None)
    failed = [r for r in results if not r[0]]
    resolved = [r for r in results if r[0]]
    evidence = [r[1] for r in failed + resolved]
    if not failed:
        return make_item(key, label, group, "ok", f"{len(resolved)} of {len(results)} lookups resolved",
                         evidence, resolved[0][2], "DNS ok")
    if not resolved:
        return make_item(key, label, group, "failed", f"all {len(results)} lookups failed", evidence,
                         failed[0][2], "DNS failing")
    return make_item(key, label, group, "degraded",
                     f"{len(failed)} of {len(results)} lookups failed (flaky DNS)", evidence,
                     failed[0][2], "DNS flaky")


__all__ = ["check_api", "check_dns", "check_registry", "check_vpn"]
