"""One builder for the real-data corpus: a case file -> diagnostics text in diagnose.sh format.

The real lines of a case are kept byte for byte; only the frame around them (banner, command
listing, category markers, per-command ``date --utc --rfc-3339=ns`` stamps, busybox ``time``
lines, the ``STDERR:`` part) is written here, exactly as ``diagnose.sh`` 4.22/4.23 prints it
(see /shared/reference/balena-diagnostics.md §2), so the parser sees what it sees on a device.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

CASES_DIR = Path(__file__).resolve().parent / "cases"
KINDS = ("problem", "healthy", "recovered", "benign")
CATEGORY_ORDER = ("BALENA", "BOOT", "HARDWARE", "NETWORK", "OS", "SUPERVISOR", "TIME")
CONTAINER_ID = "b96a5987452b"
TMP_PATH = "/tmp/tmp.Yx3kQp2vZa"
PREFIX = ("--- prefixing commands with 'date --utc --rfc-3339=ns ; /usr/bin/time -o /dev/stdout "
          "timeout --preserve-status --kill-after=20 -v 10 bash -c' ---")


@dataclass(frozen=True, slots=True)
class Expect:
    id: str
    severity: str = "low"
    status: str | None = None


@dataclass(slots=True)
class Case:
    """One corpus case as read from its TOML file (format: README.md beside this file)."""

    name: str
    kind: str
    title: str
    captured: dt.datetime
    sources: list[dict[str, str]]
    expect: list[Expect]
    sections: dict[str, list[str]]
    stderr: dict[str, list[str]] = field(default_factory=dict)
    exit_status: dict[str, int] = field(default_factory=dict)
    device_type: str | None = None
    os_version: str | None = None
    pending: str | None = None


def category_of(key: str) -> str:
    """The diagnose.sh category a command is listed under (keyword rules, good enough for
    ``category:`` selectors; the real listing order is BALENA, BOOT, HARDWARE, NETWORK, OS,
    SUPERVISOR, TIME)."""
    k = key.lower()
    if "supervisor" in k or k.startswith("balena logs") or "48484" in k or "v1/healthy" in k:
        return "SUPERVISOR"
    if k.startswith(("balena", "curl --unix-socket", "systemctl status balena", "test -f /mnt/state/balena")) \
            or "-u balena " in k + " " or "-at balenad" in k:
        return "BALENA"
    if k.startswith("systemd-analyze"):
        return "BOOT"
    if k.startswith(("date", "timedatectl", "chronyc")) or "chrony" in k or "timesync" in k:
        return "TIME"
    if k.startswith(("ping", "curl", "ip ", "ifconfig", "nmcli", "mmcli", "iptables", "cat /etc/resolv",
                     "ls -l /etc/network", "iw ", "netstat")) or any(
            unit in k for unit in ("networkmanager", "modemmanager", "openvpn", "dnsmasq", "wpa_supplicant")):
        return "NETWORK"
    if k.startswith(("cat /proc/", "ps", "top", "df", "for i in /sys", "dmesg", "vcgencmd", "free",
                     "cat /var/log/provisioning", "lsusb", "lsblk")):
        return "HARDWARE"
    return "OS"


def load_case(path: Path) -> Case:
    """Read and check one case file; raises ValueError naming the file and the problem."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    name = path.stem
    kind = data.get("kind")
    if kind not in KINDS:
        raise ValueError(f"{path.name}: kind must be one of {', '.join(KINDS)}")
    sources = data.get("sources") or []
    if not sources or not all(str(s.get("url", "")).startswith("https://") for s in sources):
        raise ValueError(f"{path.name}: needs [[sources]] with https:// urls")
    expect = [Expect(e["id"], e.get("severity", "low"), e.get("status")) for e in data.get("expect", [])]
    if kind == "problem" and not expect:
        raise ValueError(f"{path.name}: a problem case needs at least one [[expect]]")
    sections = data.get("sections") or {}
    if not sections:
        raise ValueError(f"{path.name}: no [sections]")
    captured = dt.datetime.fromisoformat(str(data["captured"]).replace("Z", "+00:00"))
    if captured.tzinfo is None:
        captured = captured.replace(tzinfo=dt.UTC)
    return Case(name=name, kind=kind, title=data.get("title", name), captured=captured,
                sources=sources, expect=expect, sections=sections, stderr=data.get("stderr", {}),
                exit_status=data.get("exit_status", {}), device_type=data.get("device_type"),
                os_version=data.get("os_version"), pending=data.get("pending"))


def load_cases(directory: Path = CASES_DIR) -> list[Case]:
    return [load_case(p) for p in sorted(directory.glob("*.toml"))]


def _command(key: str) -> str:
    return key.replace("{id}", CONTAINER_ID).replace("{tmp}", TMP_PATH)


def _stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f") + "000+00:00"


def _os_release(case: Case) -> list[str]:
    version = case.os_version or "2.88.4"
    slug = case.device_type or "raspberrypi4-64"
    return [
        'ID="balena-os"', 'NAME="balenaOS"', f'VERSION="{version}"', f'VERSION_ID="{version}"',
        f'PRETTY_NAME="balenaOS {version}"', f'MACHINE="{slug}"', 'VARIANT="Production"',
        'VARIANT_ID=prod', f'SLUG="{slug}"',
    ]


def build_text(case: Case) -> str:
    """The whole diagnostics file for ``case`` (stdout part, then the ``STDERR:`` part)."""
    sections = dict(case.sections)
    if (case.os_version or case.device_type) and "cat /etc/os-release" not in sections:
        sections["cat /etc/os-release"] = _os_release(case)
    by_category: dict[str, list[str]] = {c: [] for c in CATEGORY_ORDER}
    for key in sections:
        by_category[category_of(key)].append(key)
    ordered: list[tuple[str, str | None]] = []  # (command, key or None for a marker)
    for category in CATEGORY_ORDER:
        ordered.append((f"echo === {category} ===", None))
        ordered.extend((_command(key), key) for key in by_category[category])

    out = ["STDOUT:", "", "real\t0m 0.00s", "user\t0m 0.00s", "sys\t0m 0.00s", "",
           "--- diagnose 4.22.11 ---", "", "",
           "--- NOTE: not all commands are expected to succeed on all device types ---", "", "",
           "--- COMMANDS ---", "", "", PREFIX, ""]
    out.extend(command for command, _ in ordered)
    when = case.captured
    for command, key in ordered:
        out += ["", f"--- {command} ---", "", _stamp(when)]
        if key is None:
            out.append(command[len("echo "):])
        else:
            out.extend(sections[key])
            status = case.exit_status.get(key)
            if status:
                out.append(f"Command exited with non-zero status {status}")
        out += ["real\t0m 0.05s", "user\t0m 0.01s", "sys\t0m 0.01s"]
        when += dt.timedelta(milliseconds=300)
    if case.stderr:
        out += ["STDERR:"]
        for command, key in ordered:
            out += ["", f"--- {command} ---", ""]
            if key is not None:
                out.extend(case.stderr.get(key, []))
    return "\n".join(out) + "\n"
