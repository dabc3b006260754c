"""Device state at capture: "is this device OK right now?", from the capture's live checks.

A diagnostics file is history (journals, dmesg) *and* a snapshot of the device when the
commands ran (the API ping printed ``OK`` or not, ``balena ps`` answered or not,
``/v1/healthy``, ``chronyc``, ``df``, ``free``, thermal zones, the VPN unit, ``mount``
flags, failed units). This module reads only the snapshot. Never imports Textual.

API (for the CLI, report and TUI wiring)::

    from triagebench.services.state import device_state
    state = device_state(document)          # a parsed triagebench.parser.Document
    state.verdict                           # "ok" | "degraded" | "failed" | "unknown"
    state.counts                            # {"ok": 11, "degraded": 0, "failed": 1, "unknown": 3}
    state.sentence                          # "Engine up, supervisor healthy, API reachable, ..."
    for group in GROUPS:                    # one strip line per group
        state.group_state(group), state.group(group)
    item = state.item("time")               # StateItem or None
    item.state, item.label, item.value, item.command
    item.evidence                           # [EvidenceLine(line, section, text)], first = jump target
    item.first_line                         # the line to jump to (None when no evidence)
    state.as_dict()                         # JSON: {"verdict", "counts", "sentence", "items": [...]}

Each item's ``as_dict()`` is ``{key, label, group, state, value, evidence: [{line,
section, text}], command}``. Evidence ``text`` has every control character escaped
(``parser.printable``): safe to print as is. ``unknown`` means the capture does not
answer (command absent, output unreadable or absurd); it is never counted as ok, and the
verdict is ``ok`` only when every *known* item is ok.

Items, in order (``key``: group): ``engine``: engine, ``supervisor``: supervisor, ``api``,
``registry``, ``vpn``, ``dns``: network, ``time``: time, ``data_mount``, ``data_disk``,
``data_inodes``: storage, ``memory``: memory, ``temperature``, ``throttling``: hardware,
``failed_units``, ``uptime``: os. How each one decides is in its reader's docstring: ``state_balena`` (engine,
supervisor), ``state_network``, ``state_system`` (time, failed units, uptime),
``state_hardware`` (storage, memory, temperature, throttling); ``state_probes`` holds the
defensive reading helpers, ``state_model`` the dataclasses and the verdict.

Health checks (``checks.sh`` JSON) combined with the capture fill items the text leaves
unknown and confirm the others; a disagreement is shown in the item's value, never hidden
(``state_checks``).

Cost: one pass over each small live-check section (never the big journals, except the
supervisor log for the registry item and dmesg for firmware flags), regexes with timeouts.
"""

from __future__ import annotations

from triagebench.parser import Document

from .state_balena import check_engine, check_supervisor
from .state_checks import apply_health_checks
from .state_hardware import (
    check_data_disk,
    check_data_inodes,
    check_data_mount,
    check_memory,
    check_temperature,
    check_throttling,
)
from .state_model import GROUPS, STATES, DeviceState, EvidenceLine, StateItem, worst
from .state_network import check_api, check_dns, check_registry, check_vpn
from .state_probes import Capture
from .state_system import check_failed_units, check_time, check_uptime

ITEM_KEYS = ("engine", "supervisor", "api", "registry", "vpn", "dns", "time", "data_mount",
             "data_disk", "data_inodes", "memory", "temperature", "throttling", "failed_units",
             "uptime")


def _is_rpi(document: Document) -> bool:
    """Raspberry Pi family (firmware under-voltage/throttling flags exist)."""
    model = str(document.facts.get("device.model") or "")
    slug = str(document.facts.get("device.type") or "")
    return "Raspberry Pi" in model or slug.startswith(("raspberry", "rpi", "fincm3", "revpi"))


def device_state(document: Document) -> DeviceState:
    """Every state item of ``document``, in ``ITEM_KEYS`` order (see the module docstring)."""
    capture = Capture(document)
    os_version = document.facts.get("os.version")
    items = [
        check_engine(capture),
        check_supervisor(capture),
        check_api(capture),
        check_registry(capture),
        check_vpn(capture),
        check_dns(capture),
        check_time(capture, os_version if isinstance(os_version, str) else None),
        check_data_mount(capture),
        check_data_disk(capture),
        check_data_inodes(capture),
        check_memory(capture),
        check_temperature(capture),
        check_throttling(capture, _is_rpi(document)),
        check_failed_units(capture),
        check_uptime(capture),
    ]
    return DeviceState(apply_health_checks(document, items))


__all__ = [
    "GROUPS", "ITEM_KEYS", "STATES", "DeviceState", "EvidenceLine", "StateItem", "device_state",
    "worst",
]
