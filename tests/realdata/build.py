"""The one builder of diagnostics text in diagnose.sh format, for the real-data corpus and
every test that needs a capture.

``diagnostics_text`` writes the frame around given command outputs (banners, command listing,
per-command ``date --utc --rfc-3339=ns`` stamps, busybox ``time`` and exit-status lines, the
``STDERR:`` part with its own banners) exactly as ``diagnose.sh`` 4.22/4.23 prints it (checked
line by line against a real diagnose 4.22.11 capture), so the parser sees what it sees on a device. ``build_text`` turns a corpus case into such a file: the real lines of a
case are kept byte for byte, category markers are added.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CASES_DIR = Path(__file__).resolve().parent / "cases"
KINDS = ("problem", "healthy", "recovered", "benign")
CATEGORY_ORDER = ("BALENA", "BOOT", "HARDWARE", "NETWORK", "OS", "SUPERVISOR", "TIME")
CONTAINER_ID = "b96a5987452b"
TMP_PATH = "/tmp/tmp.Yx3kQp2vZa"
PREFIX = ("--- prefixing commands with 'date --utc --rfc-3339=ns ; /usr/bin/time -o /dev/stdout "
          "timeout --preserve-status --kill-after=20 -v 10 bash -c' ---")
BANNERS = ("--- diagnose 4.22.11 ---",
           "--- NOTE: not all commands are expected to succeed on all device types ---",
           "--- COMMANDS ---")
CAPTURED = dt.datetime(2022, 5, 2, 16, 3, 40, 941545, tzinfo=dt.UTC)
STEP = dt.timedelta(milliseconds=300)


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


def _frame() -> list[str]:
    """The banners and prefix line that open both the stdout and the ``STDERR:`` part."""
    out: list[str] = []
    for banner in BANNERS:
        out += ["", banner, ""]
    return out + ["", PREFIX, ""]


def diagnostics_text(sections: Mapping[str, Sequence[str]] | Iterable[tuple[str, Sequence[str]]], *,
                     stderr: Mapping[str, Sequence[str]] | None = None,
                     status: Mapping[str, int] | None = None, glued: Collection[str] = (),
                     captured: dt.datetime = CAPTURED, step: dt.timedelta = STEP,
                     real: str = "0m 0.05s", stderr_part: bool = True) -> str:
    """A whole diagnostics file: ``sections`` (command -> output lines, in listing order) in
    the real frame. ``status`` adds busybox's ``Command exited with non-zero status N``;
    a ``glued`` command printed no final newline, so ``real`` sticks to its last line. The
    first command is stamped ``captured``, each next one ``step`` later. ``stderr_part=False``
    cuts the file before ``STDERR:`` (a truncated download)."""
    blocks = list(sections.items()) if isinstance(sections, Mapping) else list(sections)
    stderr = stderr or {}
    status = status or {}
    out = ["STDOUT:", "", "real\t0m 0.00s", "user\t0m 0.00s", "sys\t0m 0.00s", *_frame()]
    out.extend(command for command, _ in blocks)
    when = captured
    for command, lines in blocks:
        out += ["", f"--- {command} ---", "", _stamp(when)]
        body = list(lines)
        if status.get(command):
            body.append(f"Command exited with non-zero status {status[command]}")
        if command in glued and body:
            body[-1] += f"real\t{real}"
        else:
            body.append(f"real\t{real}")
        out += [*body, "user\t0m 0.01s", "sys\t0m 0.01s"]
        when += step
    if stderr_part:
        out += ["STDERR:", *_frame()]
        for command, _ in blocks:
            out += ["", f"--- {command} ---", "", *stderr.get(command, [])]
    return "\n".join(out) + "\n"


def build_text(case: Case) -> str:
    """The whole diagnostics file for ``case``: its sections grouped under category markers."""
    sections = dict(case.sections)
    if (case.os_version or case.device_type) and "cat /etc/os-release" not in sections:
        sections["cat /etc/os-release"] = _os_release(case)
    by_category: dict[str, list[str]] = {c: [] for c in CATEGORY_ORDER}
    for key in sections:
        by_category[category_of(key)].append(key)
    blocks: list[tuple[str, Sequence[str]]] = []
    for category in CATEGORY_ORDER:
        blocks.append((f"echo === {category} ===", [f"=== {category} ==="]))
        blocks.extend((_command(key), sections[key]) for key in by_category[category])
    return diagnostics_text(blocks, captured=case.captured,
                            stderr={_command(k): v for k, v in case.stderr.items()},
                            status={_command(k): v for k, v in case.exit_status.items()})
