#!/usr/bin/env python3
"""Deterministic generator of realistic balena device-diagnostics sample files.

Usage:  python tools/samples/generate.py [OUTDIR]      (stdlib only)

Writes one ``.txt`` per scenario (see ``SCENARIOS`` at the bottom), plus ``README.md`` and
``ground_truth.json`` describing what each file exhibits, into OUTDIR (default: sample-diagnostics/, beside tools/).
Every file is built from its own ``random.Random(seed)``, so output is byte-identical on
every run and every machine.

How it is organised (top to bottom):

* helpers: ``Mark`` (a line that carries a signature id such as ``S10``), time formats;
* ``SIGNATURES`` / ``BENIGN``: the ids, names and severities used in the ground truth;
* ``Device`` catalogue and ``Scenario`` (one per file: device, capture time, planted problems);
* ``Host``: the simulated device - boots, a journal (events with monotonic times), the
  supervisor log, containers, disk/memory numbers - filled by *stories*;
* stories: ``story_base`` (boot + 'normal' periodic noise) and one ``story_Sxx`` per problem;
* section generators: one ``g_*`` function per diagnose command, listed in ``COMMANDS``;
* renderers: ``render_v4`` (diagnose 4.22.11), ``render_leech`` (2017), ``render_journal``;
* ``write_all``: files + README.md + ground_truth.json (line numbers computed from the marks).

Line numbers in the ground truth are 1-based and count ``\\n`` only (a ``\\r`` inside a curl
progress meter does not start a new line).
"""

from __future__ import annotations

import datetime as _dt
import json
import random
import re
import string
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parents[2] / "sample-diagnostics"
"""Where the samples live (and ship from, as ``triagebench.samples``); this generator
is kept outside the package so it never ships in the wheel."""
DIAGNOSE_VERSION = "4.22.11"
UTC = _dt.UTC
ESC = "\x1b"


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


class Mark(str):
    """A planted line: a ``str`` that remembers the signature/benign id it demonstrates."""

    tag: str

    def __new__(cls, text: str, tag: str) -> Mark:
        obj = super().__new__(cls, text)
        obj.tag = tag
        return obj


def mark(tag: str | None, text: str) -> str:
    return Mark(text, tag) if tag else text


def like(src: str, text: str) -> str:
    """``text`` carrying the same mark as ``src`` (string operations drop the subclass)."""
    return Mark(text, src.tag) if isinstance(src, Mark) else text


def hexs(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def alnum(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


def epoch(s: str) -> float:
    """'2022-05-09 10:21:14' (UTC) -> epoch seconds."""
    return _dt.datetime.strptime(s, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp()


def utc(t: float) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(t, UTC)


def ts_journal(t: float) -> str:  # May 02 16:03:56
    return utc(t).strftime("%b %d %H:%M:%S")


def ts_dmesg(t: float) -> str:  # [Fri Apr 29 13:35:04 2022]
    d = utc(t)
    return f"[{d:%a %b} {d.day:2d} {d:%H:%M:%S %Y}]"


def ts_ctime(t: float) -> str:  # Fri Apr 29 13:35:04 2022 (openvpn)
    d = utc(t)
    return f"{d:%a %b} {d.day:2d} {d:%H:%M:%S %Y}"


def ts_date(t: float) -> str:  # Mon May  2 16:04:09 UTC 2022 (busybox date)
    d = utc(t)
    return f"{d:%a %b} {d.day:2d} {d:%H:%M:%S} UTC {d.year}"


def ts_long(t: float) -> str:  # Fri 2022-04-29 12:00:02 UTC (journal header, systemctl)
    return utc(t).strftime("%a %Y-%m-%d %H:%M:%S UTC")


def ts_ns(t_ns: int) -> str:  # 2022-05-02 16:03:41.105915487+00:00
    d = utc(t_ns // 1_000_000_000)
    return f"{d:%Y-%m-%d %H:%M:%S}.{t_ns % 1_000_000_000:09d}+00:00"


def ts_go(t: float, nsx: int) -> str:  # 2022-05-02T15:56:33.584733562Z
    d = utc(t)
    return f"{d:%Y-%m-%dT%H:%M:%S}.{d.microsecond:06d}{nsx:03d}Z"


def ts_iso(t: float) -> str:  # 2022-04-29T12:00:05Z (chronyd)
    return utc(t).strftime("%Y-%m-%dT%H:%M:%SZ")


def busybox_time(seconds: float) -> str:
    """busybox ``time`` %E / %U / %S: ``0m 0.21s`` (``1h 2m 03s`` past an hour)."""
    cs = int(round(seconds * 100))
    m, cs = divmod(cs, 6000)
    if m >= 60:
        h, m = divmod(m, 60)
        return f"{h}h {m}m {cs // 100:02d}s"
    return f"{m}m {cs // 100}.{cs % 100:02d}s"


def ago(seconds: float) -> str:
    """docker-style relative time: '3 days', '19 months', 'About an hour'."""
    s = int(seconds)
    if s < 60:
        return f"{max(s, 1)} seconds"
    if s < 3600:
        m = s // 60
        return "About a minute" if m == 1 else f"{m} minutes"
    if s < 2 * 3600:
        return "About an hour"
    if s < 2 * 86400:
        return f"{s // 3600} hours"
    if s < 14 * 86400:
        return f"{s // 86400} days"
    if s < 60 * 86400:
        return f"{s // (7 * 86400)} weeks"
    if s < 730 * 86400:
        return f"{s // (30 * 86400)} months"
    return f"{s // (365 * 86400)} years"


def systemd_ago(seconds: float) -> str:
    s = int(seconds)
    if s < 60:
        return f"{s}s ago"
    if s < 3600:
        return f"{s // 60}min {s % 60}s ago"
    if s < 86400:
        return f"{s // 3600}h {(s % 3600) // 60}min ago"
    d = s // 86400
    return f"{d} day{'s' if d > 1 else ''} ago"


def human(n_bytes: float, unit: str = "") -> str:
    """busybox df -h style: 13.9G, 253.8M, 178.0K."""
    for suffix in ("", "K", "M", "G", "T"):
        if n_bytes < 1024 or suffix == "T":
            if suffix == "":
                return f"{int(n_bytes)}"
            return f"{n_bytes:.1f}{suffix}"
        n_bytes /= 1024
    raise AssertionError


# --------------------------------------------------------------------------------------------
# what can be planted: failure signatures (reference §6) and known-benign noise (§6.1)
# --------------------------------------------------------------------------------------------

# id -> (short name, expected severity, primary section: where the signature is defined)
SIGNATURES: dict[str, tuple[str, str, str]] = {
    "S01": ("Engine storage migration killed by systemd start timeout", "critical",
            "journalctl --no-pager --no-hostname -n 1000 -at balenad"),
    "S02": ("aufs to overlay2 storage migration failed / recovered", "high",
            "test -f /mnt/state/balena-engine-storage-migration.log && "
            "cat /mnt/state/balena-engine-storage-migration.log"),
    "S03": ("Engine watchdog timeout under heavy load", "high",
            "journalctl --no-pager --no-hostname -n 200 -a -u balena"),
    "S05": ("balenad panic: slice bounds out of range applying delta (32-bit)", "critical",
            "journalctl --no-pager --no-hostname -n 1000 -at balenad"),
    "S06": ("Delta download failed while engine unavailable", "high",
            "journalctl --no-pager --no-hostname -n 200 -a -u balena"),
    "S08": ("Engine crash-looping / killed", "high",
            "journalctl --no-pager --no-hostname -n 200 -a -u balena"),
    "S10": ("Under-voltage detected", "high", "dmesg -T"),
    "S12": ("SD card I/O errors and timeouts", "high", "dmesg -T"),
    "S13": ("Filesystem corruption / read-only remount / rootfs fingerprint mismatch", "critical",
            "dmesg -T"),
    "S14": ("Data partition full: no space left on device", "critical", "df -h"),
    "S17": ("Out-of-memory killer", "high", "dmesg -T"),
    "S18": ("DNS resolution failing (EAI_AGAIN / could not resolve)", "high",
            "balena logs <ID>"),
    "S19": ("NTP not synchronising, clock wrong", "high", "timedatectl status"),
    "S20": ("Clock in the past: certificate is not yet valid", "critical",
            'journalctl --no-pager --no-hostname -n 200 -a -u "openvpn*"'),
    "S21": ("VPN (cloudlink) cannot connect", "high",
            'journalctl --no-pager --no-hostname -n 200 -a -u "openvpn*"'),
    "S25": ("Supervisor cannot apply state: duplicate network is ambiguous", "high",
            "balena logs <ID>"),
    "S28": ("User container crash loop / unhealthy", "medium", "balena ps -a"),
}

# signature id -> the bundled heuristic (heuristics/library/<id>.toml) expected to report it
HEURISTICS: dict[str, str] = {
    "S01": "engine-storage-migration-timeout", "S02": "engine-storage-migration-failed",
    "S03": "engine-watchdog-timeout", "S05": "engine-delta-slice-bounds-panic",
    "S06": "supervisor-delta-download-failed", "S08": "engine-killed-crashloop", "S10": "rpi-under-voltage",
    "S12": "storage-media-io-errors", "S13": "filesystem-corruption", "S14": "data-partition-full",
    "S17": "oom-killer", "S18": "dns-resolution-failing", "S19": "ntp-not-synchronised",
    "S20": "tls-certificate-not-yet-valid", "S21": "vpn-cannot-connect", "S25": "supervisor-duplicate-network",
    "S28": "user-container-crash-loop",
}

BENIGN: dict[str, str] = {
    "B01": "openvpn route add failed (harmless)",
    "B02": "openvpn vpn-auth file group/others accessible warning",
    "B03": "transient DNS failures during boot",
    "B04": "ExecStartPre balena stop resin_supervisor fails (legacy name)",
    "B05": "supervisor Invalid firewall mode warning",
    "B06": "node DEP0005 Buffer() deprecation warning",
    "B07": "RPi VCHI service open failures",
    "B08": "brcmfmac set MAC address failed -52",
    "B09": "udev Unknown group 'render'",
    "B10": "balenad cgroup rt period/runtime not supported",
    "B11": "container failed to exit within 10 seconds - using the force",
    "B12": "single getaddrinfo EAI_AGAIN shortly after boot",
    "B13": "legacy or absent paths: Command exited with non-zero status 1",
    "B14": "4.22.11 network inspect bug: Error: No such network",
    "B15": "rootfs fingerprint file missing: integrity check skipped",
    "B16": "aufs storage-driver deprecated warning",
}


# --------------------------------------------------------------------------------------------
# devices
# --------------------------------------------------------------------------------------------


@dataclass
class Device:
    slug: str                 # balena device type (os-release SLUG / MACHINE)
    name: str                 # device-type.json name
    family: str               # rpi64 | rpi32 | x86
    arch: str                 # uname -m
    model: str | None         # /proc/device-tree/model (None: no device tree)
    kernel: str
    kernel_date: str          # uname -v date part
    os_version: str           # 2.87.16+rev1
    meta_version: str         # META_BALENA_VERSION
    supervisor: str           # 12.11.0 (no v)
    engine: str               # 19.03.30
    engine_commit: str
    engine_banner: str        # `balena --version` line
    mem_kb: int
    cpus: int = 4
    data_gb: float = 28.4     # size of resin-data
    disk: str = "mmcblk0"     # block device of the boot media
    wifi: bool = True
    hw_revision: str = "a02082"
    soc: str = "BCM2835"
    cpu_part: str = "0xd03"
    mmc_name: str = "SC32G"
    mmc_manfid: str = "0x000003"
    mmc_oemid: str = "0x5344"
    systemd: str = "247.3"
    openvpn: str = "2.4.7"
    networkmanager: str = "1.28.0"
    dnsmasq: str = "2.84rc2"
    chrony: str = "4.0"
    variant_dev: bool = False
    journal_header: str = "new"   # "new": -- Journal begins at ..., "old": -- Logs begin at ...

    @property
    def sup_arch(self) -> str:
        return {"rpi64": "aarch64", "rpi32": "armv7hf", "x86": "amd64"}[self.family]

    @property
    def dpart(self) -> str:
        """the partition naming prefix: mmcblk0p / nvme0n1p / sda"""
        return self.disk + ("p" if self.disk[-1].isdigit() else "")


ZERO2W = Device(
    slug="raspberrypi0-2w-64", name="Raspberry Pi Zero 2 W (64bit)", family="rpi64",
    arch="aarch64", model="Raspberry Pi Zero 2 W Rev 1.0", kernel="5.10.78-v8",
    kernel_date="Thu Dec 9 10:36:32 UTC 2021", os_version="2.87.16+rev1",
    meta_version="2.87.16", supervisor="12.11.0", engine="19.03.30",
    engine_commit="c41a2d5c1a102294994118434aefaa54a76e2814",
    engine_banner="Docker version 19.03.30, build c41a2d5c1a102294994118434aefaa54a76e2814",
    mem_kb=468676, data_gb=13.9, hw_revision="902120", mmc_name="SR16G",
    mmc_manfid="0x000003", mmc_oemid="0x5344",
)

RPI4_64 = Device(
    slug="raspberrypi4-64", name="Raspberry Pi 4 (using 64bit OS)", family="rpi64",
    arch="aarch64", model="Raspberry Pi 4 Model B Rev 1.4", kernel="5.10.83-v8",
    kernel_date="Tue Jan 18 13:02:11 UTC 2022", os_version="2.88.4+rev3",
    meta_version="2.88.4", supervisor="12.11.16", engine="19.03.30",
    engine_commit="c41a2d5c1a102294994118434aefaa54a76e2814",
    engine_banner="Docker version 19.03.30, build c41a2d5c1a102294994118434aefaa54a76e2814",
    mem_kb=3884392, data_gb=57.4, hw_revision="c03114", soc="BCM2835", cpu_part="0xd08",
    mmc_name="EB1QT", mmc_manfid="0x000027", mmc_oemid="0x5048",
)

RPI3_64_OLD = Device(
    slug="raspberrypi3-64", name="Raspberry Pi 3 (using 64bit OS)", family="rpi64",
    arch="aarch64", model="Raspberry Pi 3 Model B Plus Rev 1.3", kernel="5.4.59-v8",
    kernel_date="Fri Oct 30 09:12:45 UTC 2020", os_version="2.58.3+rev1",
    meta_version="2.58.3", supervisor="11.14.0", engine="19.03.13-dev",
    engine_commit="074a481789174b4b6fd2d706086e8ffceb72e924",
    engine_banner="balena-engine version 19.03.13-dev, build 074a481789174b4b6fd2d706086e8ffceb72e924",
    mem_kb=945364, data_gb=13.9, hw_revision="a020d3", mmc_name="SD16G",
    mmc_manfid="0x00009f", mmc_oemid="0x5449", systemd="244.5", dnsmasq="2.78",
    journal_header="old",
)

FIN = Device(
    slug="fincm3", name="Balena Fin (CM3)", family="rpi32", arch="armv7l",
    model="Raspberry Pi Compute Module 3 Plus Rev 1.0", kernel="5.10.95-v7",
    kernel_date="Wed Feb 23 09:41:08 UTC 2022", os_version="2.94.4",
    meta_version="2.94.4", supervisor="12.11.38", engine="20.10.12",
    engine_commit="73c78258302d94f9652da995af6f65a621fac918",
    engine_banner="balena-engine version 20.10.12, build 73c78258302d94f9652da995af6f65a621fac918",
    mem_kb=948304, data_gb=6.4, hw_revision="a02100", mmc_name="DG4008",
    mmc_manfid="0x000045", mmc_oemid="0x0100",
)

CM4 = Device(
    slug="raspberrypicm4-ioboard", name="Raspberry Pi CM4 IO Board", family="rpi64",
    arch="aarch64", model="Raspberry Pi Compute Module 4 Rev 1.0", kernel="5.10.31-v8",
    kernel_date="Mon Sep 13 16:20:19 UTC 2021", os_version="2.85.2+rev3",
    meta_version="2.85.2", supervisor="12.10.3", engine="19.03.29",
    engine_commit="8ba3b1e5b8d1b6c7a7c38d84e64a3a8c79aeb1b2",
    engine_banner="Docker version 19.03.29, build 8ba3b1e5b8d1b6c7a7c38d84e64a3a8c79aeb1b2",
    mem_kb=1894684, data_gb=28.4, hw_revision="b03140", cpu_part="0xd08",
    mmc_name="8GTF4R", mmc_manfid="0x000015", mmc_oemid="0x0100",
)

RPI3_32 = Device(
    slug="raspberrypi3", name="Raspberry Pi 3", family="rpi32", arch="armv7l",
    model="Raspberry Pi 3 Model B Rev 1.2", kernel="5.10.83-v7",
    kernel_date="Tue Jan 18 12:51:37 UTC 2022", os_version="2.88.4+rev3",
    meta_version="2.88.4", supervisor="12.11.16", engine="19.03.30",
    engine_commit="c41a2d5c1a102294994118434aefaa54a76e2814",
    engine_banner="Docker version 19.03.30, build c41a2d5c1a102294994118434aefaa54a76e2814",
    mem_kb=948304, data_gb=28.4, hw_revision="a22082", mmc_name="SC32G",
)

NUC = Device(
    slug="genericx86-64-ext", name="Generic x86_64 (GPT)", family="x86", arch="x86_64",
    model=None, kernel="5.15.39", kernel_date="Wed Jul 20 11:03:52 UTC 2022",
    os_version="2.98.33", meta_version="2.98.33", supervisor="14.4.4", engine="20.10.17",
    engine_commit="611a8a4bc7d9e2a4d8b2cd1f2e1b1a0f4cd7a27e",
    engine_banner="balena-engine version 20.10.17, build 611a8a4bc7d9e2a4d8b2cd1f2e1b1a0f4cd7a27e",
    mem_kb=8041768, data_gb=226.3, disk="nvme0n1", wifi=False, cpu_part="",
)

LEGACY_RPI3 = Device(
    slug="raspberrypi3", name="Raspberry Pi 3", family="rpi32", arch="armv7l",
    model="Raspberry Pi 3 Model B Rev 1.2", kernel="4.4.50", kernel_date="Mon Jul 31 08:44:10 UTC 2017",
    os_version="2.2.0+rev1", meta_version="2.2.0", supervisor="6.1.2", engine="17.03.1-ce",
    engine_commit="c6d412e",
    engine_banner="Docker version 17.03.1-ce, build c6d412e",
    mem_kb=995556, data_gb=13.6, systemd="232", variant_dev=True,
)

RPI4_PLAIN = Device(
    slug="raspberrypi4-64", name="Raspberry Pi 4 (using 64bit OS)", family="rpi64",
    arch="aarch64", model="Raspberry Pi 4 Model B Rev 1.2", kernel="5.10.83-v8",
    kernel_date="Tue Jan 18 13:02:11 UTC 2022", os_version="2.94.4",
    meta_version="2.94.4", supervisor="12.11.38", engine="20.10.12",
    engine_commit="73c78258302d94f9652da995af6f65a621fac918",
    engine_banner="balena-engine version 20.10.12, build 73c78258302d94f9652da995af6f65a621fac918",
    mem_kb=1892220, data_gb=28.4, hw_revision="b03112", cpu_part="0xd08",
)


# One Raspberry Pi 4 (8 GB) captured twice: before and after a host OS update (HUP) from
# 2.88.4+rev3 to 2.115.18 (meta-balena 2.115.18 ships supervisor 14.11.8 and engine 20.10.37).
RPI4_HUP_OLD = Device(
    slug="raspberrypi4-64", name="Raspberry Pi 4 (using 64bit OS)", family="rpi64",
    arch="aarch64", model="Raspberry Pi 4 Model B Rev 1.4", kernel="5.10.83-v8",
    kernel_date="Tue Jan 18 13:02:11 UTC 2022", os_version="2.88.4+rev3",
    meta_version="2.88.4", supervisor="12.11.16", engine="19.03.30",
    engine_commit="c41a2d5c1a102294994118434aefaa54a76e2814",
    engine_banner="Docker version 19.03.30, build c41a2d5c1a102294994118434aefaa54a76e2814",
    mem_kb=7998416, data_gb=28.4, hw_revision="d03114", soc="BCM2835", cpu_part="0xd08",
    mmc_name="SN32G", mmc_manfid="0x000003", mmc_oemid="0x5344",
)

RPI4_HUP_NEW = Device(
    slug="raspberrypi4-64", name="Raspberry Pi 4 (using 64bit OS)", family="rpi64",
    arch="aarch64", model="Raspberry Pi 4 Model B Rev 1.4", kernel="6.1.21-v8",
    kernel_date="Wed Jun 14 09:27:51 UTC 2023", os_version="2.115.18",
    meta_version="2.115.18", supervisor="14.11.8", engine="20.10.37",
    engine_commit="3a4b2ccf4b4ad5ab5ab7e4a45d4c8eeeffd3bd90",
    engine_banner="balena-engine version 20.10.37, build 3a4b2ccf4b4ad5ab5ab7e4a45d4c8eeeffd3bd90",
    mem_kb=7998416, data_gb=28.4, hw_revision="d03114", soc="BCM2835", cpu_part="0xd08",
    mmc_name="SN32G", mmc_manfid="0x000003", mmc_oemid="0x5344", systemd="250.5",
    openvpn="2.6.4", networkmanager="1.42.6", dnsmasq="2.89", chrony="4.2",
)


def vtuple(v: str) -> tuple[int, ...]:
    """'2.87.16+rev1' -> (2, 87, 16, 1); 'v12.11.0' -> (12, 11, 0, 0)."""
    v = v.lstrip("v")
    core, _, rev = v.partition("+rev")
    nums = [int("".join(ch for ch in x.split("-")[0] if ch.isdigit()) or 0) for x in core.split(".")[:3]]
    return tuple(nums + [0] * (3 - len(nums)) + [int(rev or 0)])


# --------------------------------------------------------------------------------------------
# scenario = one file
# --------------------------------------------------------------------------------------------


@dataclass
class Scenario:
    """One sample file.  `problems` is the ground truth (every id must be planted, and nothing else);
    `stories` plant them.  Knobs read by the base story and the generators:

    services            application services (keys of APP_LINES); app_period: seconds between their logs
    persistent, prev_boots, prev_boot_tail, prev_boot_clean   persistent journal with earlier boots
    storage, storage_prev   engine storage driver; engine_boot0: replaces the current boot's engine start
    vpn, boot_resolve_fails, boot_eai_again, clock_stuck, dns_stats, dnsServers, ssh_from   network/time
    state               initial Host.st overrides (clock_synced, vpn_up, dns_ok, tls_ok, ...)
    timings, timeouts   per-command run time / killed by `timeout` (keyed by COMMANDS template)
    goroutines, fingerprint, kernel_s, userspace_s, engine_start_s, sup_logs_from_boot   section details
    """

    filename: str
    title: str
    summary: str
    seed: str
    device: Device
    start: str                  # device clock at the first section ('YYYY-mm-dd HH:MM:SS')
    uptime: int                 # seconds since the current boot at `start`
    problems: list[str]         # signature ids planted (ground truth)
    stories: list[Callable[[Host], None]] = field(default_factory=list)
    fmt: str = "v4"             # v4 | leech | journal
    knobs: dict = field(default_factory=dict)


@dataclass
class Boot:
    idx: int                    # 0 = current boot, -1 = the one before, ...
    boot_id: str
    start: float                # epoch of monotonic 0, on the clock the device has at capture
    length: float               # seconds the boot lasted (current boot: uptime + capture)
    skew: float = 0.0           # before the NTP step the logged clock lags by this much
    step_at: float = -1.0       # monotonic seconds at which chronyd stepped the clock


@dataclass
class Ev:
    boot: int
    mono: float
    seq: int
    ident: str
    pid: int | None
    msg: str
    unit: str
    prio: int
    tag: str | None
    stamp: str | None           # go | ovpn | chrony: the program adds its own timestamp
    nsx: int


@dataclass
class Container:
    name: str
    service: str
    image: str                  # image reference as shown by `balena ps`
    image_sha: str              # sha256 (64 hex)
    cid: str                    # 64 hex
    created: float
    started: float
    state: str = "running"      # running | exited | restarting
    exit_code: int = 0
    finished: float = 0.0
    restart_count: int = 0
    oom: bool = False
    health: str | None = None   # healthy | unhealthy
    failing_streak: int = 0
    network: str = "default"    # host | default (= <appId>_default)
    cmd: tuple[str, ...] = ("/usr/bin/entry.sh", "node", "index.js")
    entrypoint: tuple[str, ...] = ()
    workdir: str = "/usr/src/app"
    service_id: int = 0
    image_id: int = 0
    pid: int = 0
    ip: str = ""
    mem_usage: str = "0B"
    cpu: str = "0.00%"
    pids: int = 0
    healthcheck_log: list[str] = field(default_factory=list)
    tag: str | None = None      # signature id to mark this container's `balena ps -a` line with

    @property
    def short(self) -> str:
        return self.cid[:12]


@dataclass
class Image:
    repo: str
    tag: str
    sha: str
    created_ago: float
    size: str


@dataclass
class Sched:
    command: str
    start_ns: int
    real: float
    user: float
    sys: float
    timeout: bool = False


@dataclass
class Out:
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    status: int = 0
    tail: str | None = None     # last output written without a newline (glued to `real`)


PID_ENGINE, PID_CONTAINERD, PID_SUPERVISOR = -1, -2, -3   # pids resolved when a line is rendered

SUP_COLOURS = {"info": "34", "error": "31", "warn": "33", "debug": "35", "event": "36",
               "success": "32"}


def sup_ansi(level: str, text: str) -> str:
    """A supervisor log line as the supervisor prints it (chalk colours, padded tag)."""
    pad = " " * (10 - len(level) - 2)
    if level == "api":
        tag = f"[{ESC}[47m{ESC}[30mapi{ESC}[39m{ESC}[49m]"
    else:
        tag = f"[{ESC}[{SUP_COLOURS[level]}m{level}{ESC}[39m]"
    return f"{tag}{pad}{text}"


def logfmt(level: str, msg: str, extra: str = "") -> str:
    """logrus text format (the part after time=...)."""
    if msg and all(c not in msg for c in ' "=\\') and msg.isprintable():
        m = msg
    else:
        m = '"' + msg.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"level={level} msg={m}" + (f" {extra}" if extra else "")


class Host:
    """The simulated device. Stories fill it; section generators read it."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.dev = sc.device
        self.rng = random.Random(sc.seed)
        r = self.rng
        self.uuid = hexs(r, 32)
        self.hostname = self.uuid[:7]
        self.machine_id = hexs(r, 32)
        self.app_id = r.randint(1_200_000, 1_999_999)
        self.app_name = sc.knobs.get("app_name", "fleet-" + "".join(r.choice("abcdefgh") for _ in range(5)))
        self.user_id = r.randint(100_000, 199_999)
        self.release_id = r.randint(2_000_000, 2_400_000)
        self.commit = hexs(r, 32)
        self.sup_cid_full = hexs(r, 64)
        self.sup_cid = self.sup_cid_full[:12]
        self.tmp = "/tmp/tmp." + alnum(r, 10)
        self.t0 = epoch(sc.start)
        self.t0_ns = int(self.t0) * 1_000_000_000 + r.randint(100_000_000, 999_999_999)
        self.uptime = sc.uptime
        self.boots: list[Boot] = [Boot(0, hexs(r, 32), self.t0 - sc.uptime, sc.uptime + 60)]
        self.events: list[Ev] = []
        self.sup_log: list[tuple[int, float, int, str, str, str | None]] = []
        self._seq = 0
        self.sorted = False
        # processes (current boot)
        self.pid = {
            "journald": 920 + r.randint(-400, 40), "udevd": 943 + r.randint(-400, 40),
            "rngd": 1276, "plymouthd": 1277, "modem": 1286, "chronyd": 1293, "dbus": 1296,
            "logind": 1350, "nm": 1376, "dnsmasq": 1387, "balenad": 1393, "healthdog": 1396,
            "avahi": 1427, "openvpn": 1435, "wpa": 1439, "containerd": 1455, "hciattach": 1467,
            "bluetoothd": 1492, "os-config": 1502, "start-sup": 1770, "sup-healthdog": 1771,
            "supervisor": 1931, "sup-shim": 1941, "sup-node": 1960, "sup-journalctl": 2011,
        }
        shift = r.randint(-120, 160)
        for k in list(self.pid):
            if k not in ("journald", "udevd"):
                self.pid[k] += shift
        self.engine_runs: dict[int, list[tuple[float, int, int]]] = {
            0: [(9.0, self.pid["balenad"], self.pid["containerd"])]}
        self.sup_runs: dict[int, list[tuple[float, int]]] = {0: [(20.0, self.pid["supervisor"])]}
        self.containers: list[Container] = []
        self.images: list[Image] = []
        self.networks: list[tuple[str, str, str, str]] = []
        self.volumes: list[str] = []
        self.schedule: list[Sched] = []
        self.hup_log: list[str] | None = None
        self.migration_log: list[str] | None = None
        self.fingerprint_failed: list[str] = []
        self.failed_units: list[tuple[str, str]] = []
        self.deleted_open: list[str] = []
        # state read by section generators (stories override)
        self.st: dict = {
            "clock_synced": True, "vpn_up": True, "dns_ok": True, "tls_ok": True,
            "data_used_pct": r.uniform(6, 14), "mem_avail_pct": r.uniform(45, 62),
            "data_ro": False, "load": (0.67, 0.22, 0.13), "cpu_idle": 95,
            "wifi_ip": f"192.168.{r.choice([0, 1, 1, 8, 50, 88])}.{r.randint(20, 230)}",
            "gateway": None, "vpn_ip": f"10.240.{r.randint(2, 250)}.{r.randint(2, 250)}",
            "vpn_peer": f"52.{r.randint(1, 250)}.{r.randint(1, 250)}.{r.randint(1, 250)}",
            "dns_upstreams": None, "engine_restarts": 0, "sup_healthy": True,
            "engine_active_since": None, "persistent": False, "api_ms": r.randint(200, 420),
            "temp": r.randint(38000, 52000),
        }
        self.identity: dict | None = None
        if sc.knobs.get("identity"):
            self._same_device(sc.knobs["identity"])
        ip = self.st["wifi_ip"].rsplit(".", 1)[0]
        self.st["gateway"] = ip + ".1"
        self.st["dns_upstreams"] = [ip + ".1", "8.8.8.8"]

    def _same_device(self, seed: str) -> None:
        """Knob 'identity': what stays the same on one device across captures (uuid, hostname,
        machine-id, fleet, release, config.json ids, MAC addresses, CPU serial, LAN address) comes
        from its own Random(seed), drawn after everything else so the file's own sequence is
        unchanged; two scenarios with the same identity are the same device."""
        r = random.Random(seed)
        self.uuid = hexs(r, 32)
        self.hostname = self.uuid[:7]
        self.machine_id = hexs(r, 32)
        self.app_id = r.randint(1_200_000, 1_999_999)
        self.app_name = self.sc.knobs.get("app_name", "fleet-" + "".join(r.choice("abcdefgh") for _ in range(5)))
        self.user_id = r.randint(100_000, 199_999)
        self.release_id = r.randint(2_000_000, 2_400_000)
        self.commit = hexs(r, 32)
        self.st["wifi_ip"] = f"192.168.{r.choice([0, 1, 8, 50])}.{r.randint(20, 230)}"
        self.identity = {
            "username": "gh_" + "".join(r.choice(string.ascii_lowercase) for _ in range(7)),
            "device_id": r.randint(4_000_000, 9_000_000),
            "registered_at": int(epoch("2022-02-03 11:42:17")),
            "mac": "e4:5f:01:" + ":".join(hexs(r, 2) for _ in range(3)),
            "eth_mac": "dc:a6:32:" + ":".join(hexs(r, 2) for _ in range(3)),
            "serial": "1000000" + hexs(r, 9),
        }

    # ---- clock -------------------------------------------------------------------------
    def boot(self, idx: int) -> Boot:
        for b in self.boots:
            if b.idx == idx:
                return b
        raise KeyError(idx)

    def logged(self, boot: int, mono: float) -> float:
        """The wall-clock time the device wrote for an event."""
        b = self.boot(boot)
        lag = b.skew if (b.step_at >= 0 and mono < b.step_at) else 0.0
        return b.start + mono - lag

    def real(self, boot: int, mono: float) -> float:
        """What `dmesg -T` shows (boot time computed from the current clock)."""
        return self.boot(boot).start + mono

    def mono_of(self, t: float) -> float:
        """monotonic seconds (current boot) of an epoch time during the capture."""
        return self.uptime + (t - self.t0)

    def mono_ns(self, t_ns: int) -> float:
        return self.uptime + (t_ns - self.t0_ns) / 1e9

    # ---- journal -----------------------------------------------------------------------
    def add(self, mono: float, ident: str, pid: int | None, msg: str, unit: str = "",
            prio: int = 6, tag: str | None = None, stamp: str | None = None,
            boot: int = 0) -> None:
        assert "\n" not in msg, msg
        self._seq += 1
        self.events.append(Ev(boot, mono, self._seq, ident, pid, msg, unit, prio, tag, stamp,
                              self.rng.randint(0, 999)))
        self.sorted = False

    def kern(self, mono: float, msg: str, prio: int = 6, tag: str | None = None,
             boot: int = 0) -> None:
        self.add(mono, "kernel", None, msg, "", prio, tag, None, boot)

    def sd(self, mono: float, msg: str, unit: str = "", prio: int = 6, tag: str | None = None,
           boot: int = 0) -> None:
        self.add(mono, "systemd", 1, msg, unit, prio, tag, None, boot)

    def engine_pids(self, boot: int, mono: float) -> tuple[int, int]:
        runs = self.engine_runs.get(boot) or [(0.0, self.pid["balenad"], self.pid["containerd"])]
        cur = runs[0]
        for run in sorted(runs):
            if run[0] <= mono:
                cur = run
        return cur[1], cur[2]

    def bd(self, mono: float, level: str, msg: str, extra: str = "", tag: str | None = None,
           boot: int = 0, containerd: bool = False, raw: str | None = None) -> None:
        """A balenad (or its containerd) log line, unit balena.service."""
        if raw is not None:
            self.add(mono, "balenad", PID_ENGINE, raw, "balena.service", 6, tag, None, boot)
            return
        self.add(mono, "balenad", PID_CONTAINERD if containerd else PID_ENGINE, logfmt(level, msg, extra),
                 "balena.service", 6, tag, "go", boot)

    def sup(self, mono: float, level: str, text: str, tag: str | None = None,
            boot: int = 0) -> None:
        """A supervisor log line: `balena logs`, the supervisor unit and the engine journal."""
        self._seq += 1
        self.sup_log.append((boot, mono, self._seq, level, text, tag))
        line = sup_ansi(level, text)
        self.add(mono, self.sup_unit, PID_SUPERVISOR, line, self.sup_unit + ".service", 6, tag, None, boot)
        self.add(mono, self.sup_cid, PID_ENGINE, line, "balena.service", 6, tag, None, boot)

    def sup_pid(self, boot: int, mono: float) -> int:
        runs = self.sup_runs.get(boot) or [(0.0, self.pid["supervisor"])]
        spid = runs[0][1]
        for run in sorted(runs):
            if run[0] <= mono:
                spid = run[1]
        return spid

    def app(self, mono: float, c: Container, text: str, tag: str | None = None,
            boot: int = 0) -> None:
        self.add(mono, c.short, PID_ENGINE, text, "balena.service", 6, tag, None, boot)

    def finish(self) -> None:
        if not self.sorted:
            self.events.sort(key=lambda e: (e.boot, e.mono, e.seq))
            prev: Ev | None = None
            for e in self.events:       # programs stamp lines with strictly increasing (sub-second) times
                if prev is not None and e.boot == prev.boot and e.mono <= prev.mono:
                    e.mono = prev.mono + self.rng.uniform(0.000004, 0.00004)
                prev = e
            self.sup_log.sort(key=lambda s: (s[0], s[1], s[2]))
            self.sorted = True

    def jline(self, e: Ev, hostname: bool = False) -> str:
        t = self.logged(e.boot, e.mono)
        head = ts_journal(t) + (" " + self.hostname if hostname else "")
        pid = e.pid
        if pid is not None and pid < 0:     # resolved now: the engine/supervisor may have restarted since
            if pid == PID_SUPERVISOR:
                pid = self.sup_pid(e.boot, e.mono)
            else:
                pid = self.engine_pids(e.boot, e.mono)[0 if pid == PID_ENGINE else 1]
        who = e.ident if pid is None else f"{e.ident}[{pid}]"
        body = e.msg
        if e.stamp == "go":
            body = f'time="{ts_go(t, e.nsx)}" {body}'
        elif e.stamp == "ovpn":
            body = f"{ts_ctime(t)} {body}"
        elif e.stamp == "chrony":
            body = f"{ts_iso(t)} {body}"
        return mark(e.tag, f"{head} {who}: {body}")

    def journal_header(self, until: float) -> str:
        self.finish()
        first = self.events[0]
        last = first
        for e in reversed(self.events):
            if e.boot < 0 or e.mono <= until:
                last = e
                break
        a, b = self.logged(first.boot, first.mono), self.logged(last.boot, last.mono)
        if self.dev.journal_header == "old":
            return f"-- Logs begin at {ts_long(a)}, end at {ts_long(b)}. --"
        return f"-- Journal begins at {ts_long(a)}, ends at {ts_long(b)}. --"

    def select(self, until: float, units: Iterable[str] = (), idents: Iterable[str] = (),
               maxprio: int | None = None, n: int | None = None,
               kernel_only: bool = False) -> list[Ev]:
        self.finish()
        units, idents = tuple(units), tuple(idents)
        evs = [e for e in self.events
               if (e.boot < 0 or e.mono <= until)
               and (not units or e.unit in units)
               and (not idents or e.ident in idents)
               and (maxprio is None or e.prio <= maxprio)
               and (not kernel_only or e.ident == "kernel")]
        return evs[-n:] if n else evs

    def journal(self, until: float, *, hostname: bool = False, header: bool = True,
                **filters) -> list[str]:
        evs = self.select(until, **filters)
        lines = [self.journal_header(until)] if header else []
        if not evs:
            lines.append("-- No entries --")
        prev = None
        for e in evs:
            if prev is not None and e.boot != prev:
                if self.dev.journal_header == "old":
                    lines.append("-- Reboot --")
                else:
                    lines.append(f"-- Boot {self.boot(e.boot).boot_id} --")
            prev = e.boot
            lines.append(self.jline(e, hostname))
        return lines

    # ---- names that depend on the OS version --------------------------------------------
    @property
    def sup_unit(self) -> str:
        return "balena-supervisor" if vtuple(self.dev.os_version) >= (2, 78, 0, 0) else "resin-supervisor"

    @property
    def sup_name(self) -> str:
        return self.sup_unit.replace("-", "_")

    @property
    def vpn_host(self) -> str:
        return "vpn.balena-cloud.com"

    def cmd_mono(self, prefix: str) -> float:
        """monotonic time at which the section whose command starts with `prefix` ran."""
        for s in self.schedule:
            if s.command.startswith(prefix):
                return self.mono_ns(s.start_ns)
        raise KeyError(prefix)

    def cmd_end(self) -> float:
        s = self.schedule[-1]
        return self.mono_ns(s.start_ns) + s.real


# --------------------------------------------------------------------------------------------
# kernel boot messages (dmesg and the journal's kernel lines)
# --------------------------------------------------------------------------------------------


def kernel_boot(h: Host) -> list[tuple[float, str, int, str | None]]:
    """(mono, message, priority, tag) for the kernel ring buffer of a boot."""
    dev, r = h.dev, h.rng
    if dev.family == "x86":
        return _kernel_boot_x86(h)
    arm64 = dev.family == "rpi64"
    mem_mb = dev.mem_kb // 1024
    gcc = ("aarch64-poky-linux-gcc (GCC) 10.2.0, GNU ld (GNU Binutils) 2.36.1.20210209" if arm64
           else "arm-poky-linux-gnueabi-gcc (GCC) 10.2.0, GNU ld (GNU Binutils) 2.36.1.20210209")
    pi4 = dev.cpu_part == "0xd08"
    soc_base = "fe" if pi4 else "3f"
    lines: list[str] = []
    if arm64:
        lines += [f"Booting Linux on physical CPU 0x0000000000 [0x410f{dev.cpu_part[2:]}{'3' if pi4 else '4'}]"]
    else:
        lines += ["Booting Linux on physical CPU 0x0"]
    lines += [
        f"Linux version {dev.kernel} (oe-user@oe-host) ({gcc}) #1 SMP{' PREEMPT' if arm64 else ''} {dev.kernel_date}",
    ]
    if not arm64:
        lines += [f"CPU: ARMv7 Processor [410f{dev.cpu_part[2:]}4] revision 4 (ARMv7), cr=10c5383d",
                  "CPU: div instructions available: patching division code",
                  "CPU: PIPT / VIPT nonaliasing data cache, VIPT aliasing instruction cache",
                  "OF: fdt: Machine model: " + (dev.model or "")]
    else:
        lines += ["random: fast init done", "Machine model: " + (dev.model or ""), "efi: UEFI not found."]
    cma = 256 if mem_mb < 1024 else 320
    lines += [
        f"Reserved memory: created CMA memory pool at 0x000000001ec00000, size {cma} MiB",
        "OF: reserved mem: initialized node linux,cma, compatible id shared-dma-pool",
        "Zone ranges:",
        "  DMA      [mem 0x0000000000000000-0x000000003fffffff]",
        "  DMA32    " + ("[mem 0x0000000040000000-0x00000000ffffffff]" if mem_mb > 1024 else "empty"),
        "  Normal   " + ("[mem 0x0000000100000000-0x00000001ffffffff]" if mem_mb > 3000 else "empty"),
        "Movable zone start for each node",
        "Early memory node ranges",
        f"  node   0: [mem 0x0000000000000000-0x{mem_mb * 1048576 + 0x3000000 - 1:016x}]",
        f"Initmem setup node 0 [mem 0x0000000000000000-0x{mem_mb * 1048576 + 0x3000000 - 1:016x}]",
        f"On node 0 totalpages: {(mem_mb + 48) * 256}",
        f"  DMA zone: {(mem_mb + 48) * 4} pages used for memmap",
        "  DMA zone: 0 pages reserved",
        f"  DMA zone: {(mem_mb + 48) * 256} pages, LIFO batch:63",
        "percpu: Embedded 32 pages/cpu s92056 r8192 d30824 u131072",
        "pcpu-alloc: s92056 r8192 d30824 u131072 alloc=32*4096",
        "pcpu-alloc: [0] 0 [0] 1 [0] 2 [0] 3 ",
    ]
    if arm64:
        lines += ["Detected VIPT I-cache on CPU0", "CPU features: detected: ARM erratum 843419",
                  "CPU features: detected: ARM erratum 845719"]
    lines += [
        f"Built 1 zonelists, mobility grouping on.  Total pages: {(mem_mb + 40) * 255}",
        "Kernel command line: coherent_pool=1M 8250.nr_uarts=1 snd_bcm2835.enable_compat_alsa=0 "
        "snd_bcm2835.enable_hdmi=1 bcm2708_fb.fbwidth=656 bcm2708_fb.fbheight=416 bcm2708_fb.fbswap=1 "
        f"vc_mem.mem_base=0x{'3ec00000' if not pi4 else '3eb00000'} vc_mem.mem_size=0x{'40000000' if not pi4 else '3ff00000'}  "
        f"dwc_otg.lpm_enable=0 console=tty1 rootfstype=ext4 rootwait root=UUID=ba1eadef-{hexs(r, 4)}-4{hexs(r, 3)}-8{hexs(r, 3)}-{hexs(r, 12)} rootwait",
        "Dentry cache hash table entries: 131072 (order: 8, 1048576 bytes, linear)",
        "Inode-cache hash table entries: 65536 (order: 7, 524288 bytes, linear)",
        "mem auto-init: stack:off, heap alloc:off, heap free:off",
        f"Memory: {dev.mem_kb - cma * 1024 - 30000}K/{(mem_mb + 48) * 1024}K available (10304K kernel code, "
        f"1514K rwdata, 3852K rodata, 3776K init, 1080K bss, 59532K reserved, {cma * 1024}K cma-reserved)",
        "SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=4, Nodes=1",
        "ftrace: allocating 33962 entries in 133 pages",
        "ftrace: allocated 133 pages with 3 groups",
        "rcu: Preemptible hierarchical RCU implementation." if arm64 else "rcu: Hierarchical RCU implementation.",
        "rcu: \tRCU event tracing is enabled.",
        "rcu: \tRCU restricting CPUs from NR_CPUS=256 to nr_cpu_ids=4.",
        "\tTrampoline variant of Tasks RCU enabled.",
        "\tRude variant of Tasks RCU enabled.",
        "\tTracing variant of Tasks RCU enabled.",
        "rcu: RCU calculated value of scheduler-enlistment delay is 25 jiffies.",
        "rcu: Adjusting geometry for rcu_fanout_leaf=16, nr_cpu_ids=4",
        "NR_IRQS: 64, nr_irqs: 64, preallocated irqs: 0",
        "random: get_random_bytes called from start_kernel+0x3b0/0x570 with crng_init=1",
        "arch_timer: cp15 timer(s) running at 19.20MHz (phys)." if not pi4 else "arch_timer: cp15 timer(s) running at 54.00MHz (phys).",
        "clocksource: arch_sys_counter: mask: 0xffffffffffffff max_cycles: 0x46d987e47, max_idle_ns: 440795202767 ns",
        "sched_clock: 56 bits at 19MHz, resolution 52ns, wraps every 4398046511078ns",
        "Console: colour dummy device 80x25",
        "printk: console [tty1] enabled",
        "Calibrating delay loop (skipped), value calculated using timer frequency.. 38.40 BogoMIPS (lpj=76800)",
        "pid_max: default: 32768 minimum: 301",
        "LSM: Security Framework initializing",
        "Mount-cache hash table entries: 2048 (order: 2, 16384 bytes, linear)",
        "Mountpoint-cache hash table entries: 2048 (order: 2, 16384 bytes, linear)",
        "rcu: Hierarchical SRCU implementation.",
        "EFI services will not be available." if arm64 else "CPU: Testing write buffer coherency: ok",
        "smp: Bringing up secondary CPUs ...",
    ]
    for cpu in (1, 2, 3):
        if arm64:
            lines += [f"Detected VIPT I-cache on CPU{cpu}",
                      f"CPU{cpu}: Booted secondary processor 0x000000000{cpu} [0x410f{dev.cpu_part[2:]}4]"]
        else:
            lines += [f"CPU{cpu}: thread -1, cpu {cpu}, socket 0, mpidr 8000000{cpu}"]
    lines += [
        "smp: Brought up 1 node, 4 CPUs",
        "SMP: Total of 4 processors activated." + ("" if arm64 else " (153.60 BogoMIPS)."),
        "CPU features: detected: 32-bit EL0 Support" if arm64 else "CPU: All CPU(s) started in HYP mode.",
        "CPU features: detected: CRC32 instructions" if arm64 else "CPU: Virtualization extensions available.",
        "CPU: All CPU(s) started at EL2" if arm64 else "devtmpfs: initialized",
        "alternatives: patching kernel code" if arm64 else "VFP support v0.3: implementor 41 architecture 3 part 40 variant 3 rev 4",
        "devtmpfs: initialized" if arm64 else "Enabled cp15_barrier support",
        "Enabled cp15_barrier support" if arm64 else "Enabled setend support",
        "Enabled setend support" if arm64 else "random: fast init done",
        "clocksource: jiffies: mask: 0xffffffff max_cycles: 0xffffffff, max_idle_ns: 7645041785100000 ns",
        "futex hash table entries: 1024 (order: 4, 65536 bytes, linear)",
        "pinctrl core: initialized pinctrl subsystem",
        "DMI not present or invalid." if arm64 else "NET: Registered protocol family 16",
        "NET: Registered protocol family 16" if arm64 else "DMA: preallocated 1024 KiB pool for atomic coherent allocations",
        "DMA: preallocated 1024 KiB GFP_KERNEL pool for atomic allocations",
        "DMA: preallocated 1024 KiB GFP_KERNEL|GFP_DMA pool for atomic allocations",
        "audit: initializing netlink subsys (disabled)",
        "audit: type=2000 audit(0.052:1): state=initialized audit_enabled=0 res=1",
        "thermal_sys: Registered thermal governor 'step_wise'",
        "cpuidle: using governor menu",
        "hw-breakpoint: found 6 breakpoint and 4 watchpoint registers." if arm64 else "hw-breakpoint: found 5 (+1 reserved) breakpoint and 4 watchpoint registers.",
        "ASID allocator initialised with 65536 entries" if arm64 else "hw-breakpoint: maximum watchpoint size is 8 bytes.",
        "Serial: AMBA PL011 UART driver",
        f"bcm2835-mbox {soc_base}00b880.mailbox: mailbox enabled",
        f"raspberrypi-firmware soc:firmware: Attached to firmware from 2021-12-01T15:01:54, variant start{'4' if pi4 else ''}",
        f"raspberrypi-firmware soc:firmware: Firmware hash is {hexs(r, 40)}",
        f"bcm2835-dma {soc_base}007000.dma: DMA legacy API manager, dmachans=0x1",
        "vgaarb: loaded",
        "SCSI subsystem initialized",
        "usbcore: registered new interface driver usbfs",
        "usbcore: registered new interface driver hub",
        "usbcore: registered new device driver usb",
        "usb_phy_generic phy: supply vcc not found, using dummy regulator",
        "clocksource: Switched to clocksource arch_sys_counter",
        "VFS: Disk quotas dquot_6.6.0",
        "VFS: Dquot-cache hash table entries: 512 (order 0, 4096 bytes)",
        "FS-Cache: Loaded",
        "CacheFiles: Loaded",
        "NET: Registered protocol family 2",
        "IP idents hash table entries: 8192 (order: 4, 65536 bytes, linear)",
        "tcp_listen_portaddr_hash hash table entries: 512 (order: 1, 8192 bytes, linear)",
        "TCP established hash table entries: 4096 (order: 3, 32768 bytes, linear)",
        "TCP bind hash table entries: 4096 (order: 4, 65536 bytes, linear)",
        "TCP: Hash tables configured (established 4096 bind 4096)",
        "UDP hash table entries: 256 (order: 1, 8192 bytes, linear)",
        "UDP-Lite hash table entries: 256 (order: 1, 8192 bytes, linear)",
        "NET: Registered protocol family 1",
        "RPC: Registered named UNIX socket transport module.",
        "RPC: Registered udp transport module.",
        "RPC: Registered tcp transport module.",
        "RPC: Registered tcp NFSv4.1 backchannel transport module.",
        "PCI: CLS 0 bytes, default 64",
        "hw perfevents: enabled with armv8_cortex_a53 PMU driver, 7 counters available" if arm64
        else "hw perfevents: enabled with armv7_cortex_a7 PMU driver, 7 counters available",
        "Initialise system trusted keyrings",
        "workingset: timestamp_bits=46 max_order=18 bucket_order=0",
        "zbud: loaded",
        "squashfs: version 4.0 (2009/01/31) Phillip Lougher",
        "FS-Cache: Netfs 'nfs' registered for caching",
        "NFS: Registering the id_resolver key type",
        "Key type id_resolver registered",
        "Key type id_legacy registered",
        "nfs4filelayout_init: NFSv4 File Layout Driver Registering...",
        "Key type asymmetric registered",
        "Asymmetric key parser 'x509' registered",
        "Block layer SCSI generic (bsg) driver version 0.4 loaded (major 247)",
        "io scheduler mq-deadline registered",
        "io scheduler kyber registered",
        "bcm2708_fb soc:fb: FB found 1 display(s)",
        "Console: switching to colour frame buffer device 82x26",
        "bcm2708_fb soc:fb: Registered framebuffer for display 0, size 656x416",
        f"bcm2835-rng {soc_base}104000.rng: hwrng registered" if not pi4 else "iproc-rng200 fe104000.rng: hwrng registered",
        "vc-mem: phys_addr:0x00000000 mem_base=0x3ec00000 mem_size:0x40000000(1024 MiB)",
        f"gpiomem-bcm2835 {soc_base}200000.gpiomem: Initialised: Registers at 0x{soc_base}200000",
        "brd: module loaded",
        "loop: module loaded",
        "Loading iSCSI transport class v2.0-870.",
        "libphy: Fixed MDIO Bus: probed",
        "usbcore: registered new interface driver r8152",
        "usbcore: registered new interface driver lan78xx",
        "usbcore: registered new interface driver smsc95xx",
        "dwc_otg: version 3.00a 10-AUG-2012 (platform bus)",
        "Core Release: 2.80a",
        "Setting default values for core params",
        "Finished setting default values for core params",
        "Using Buffer DMA mode",
        "Periodic Transfer Interrupt Enhancement - disabled",
        "Multiprocessor Interrupt Enhancement - disabled",
        "OTG VER PARAM: 0, OTG VER FLAG: 0",
        "Dedicated Tx FIFOs mode",
        "usbcore: registered new interface driver usb-storage",
        "mousedev: PS/2 mouse device common for all mice",
        "bcm2835-wdt bcm2835-wdt: Broadcom BCM2835 watchdog timer",
        f"bcm2835-cpufreq: min=600000 max={1500000 if pi4 else 1200000}",
        "sdhci: Secure Digital Host Controller Interface driver",
        "sdhci: Copyright(c) Pierre Ossman",
        f"mmc-bcm2835 {soc_base}300000.mmcnr: could not get clk, deferring probe",
        f"sdhost-bcm2835 {soc_base}202000.mmc: could not get clk, deferring probe",
        "sdhci-pltfm: SDHCI platform and OF driver helper",
        "ledtrig-cpu: registered to indicate activity on CPUs",
        "hid: raw HID events driver (C) Jiri Kosina",
        "usbcore: registered new interface driver usbhid",
        "usbhid: USB HID core driver",
        "Initializing XFRM netlink socket",
        "NET: Registered protocol family 17",
        "Key type dns_resolver registered",
        "registered taskstats version 1",
        "Loading compiled-in X.509 certificates",
        "Key type ._fscrypt registered",
        "Key type .fscrypt registered",
        "Key type fscrypt-provisioning registered",
        f"uart-pl011 {soc_base}201000.serial: cts_event_workaround enabled",
        f"{soc_base}201000.serial: ttyAMA0 at MMIO 0x{soc_base}201000 (irq = 99, base_baud = 0) is a PL011 rev2",
        "bcm2835-power bcm2835-power: Broadcom BCM2835 power domains driver",
        f"mmc-bcm2835 {soc_base}300000.mmcnr: mmc_debug:0 mmc_debug2:0",
        f"mmc-bcm2835 {soc_base}300000.mmcnr: DMA channel allocated",
        "sdhost: log_buf @ (____ptrval____) (c2b07000 phys)",
        "mmc1: queuing unknown CIS tuple 0x80 (2 bytes)",
        "mmc0: sdhost-bcm2835 loaded - DMA enabled (>1)",
        "of_cfs_init",
        "of_cfs_init: OK",
        "Waiting for root device UUID=ba1eadef-...",
        "mmc1: new high speed SDIO card at address 0001",
        "mmc0: host does not support reading read-only switch, assuming write-enable",
        f"mmc0: new high speed SDHC card at address {hexs(r, 4)}",
        f"mmcblk0: mmc0:{hexs(r, 4)} {dev.mmc_name} {dev.data_gb + 0.9:.1f} GiB",
        " mmcblk0: p1 p2 p3 p4 < p5 p6 >",
        "EXT4-fs (mmcblk0p2): mounted filesystem with ordered data mode. Opts: (null)",
        "VFS: Mounted root (ext4 filesystem) readonly on device 179:2.",
        "devtmpfs: mounted",
        "Freeing unused kernel memory: 3776K",
        "Run /sbin/init as init process",
    ]
    events: list[tuple[float, str, int, str | None]] = []
    t = 0.0
    for i, msg in enumerate(lines):
        events.append((round(t, 6), msg, 6, None))
        t += 0.0 if i < 30 else r.uniform(0.0002, 0.012)
    t = 2.1
    late: list[tuple[str, int, str | None]] = [
        ("EXT4-fs (mmcblk0p2): re-mounted. Opts: (null)", 6, None),
        ("random: crng init done", 5, None),
        ("random: 7 urandom warning(s) missed due to ratelimiting", 5, None),
        ("vc_sm_cma: module is from the staging directory, the quality is unknown, you have been warned.", 4, None),
        ("bcm2835_vc_sm_cma_probe: Videocore shared memory driver", 6, None),
        ("[vc_sm_connected_init]: start", 6, None),
        ("[vc_sm_connected_init]: installed successfully", 6, None),
        ("mc: Linux media interface: v0.10", 6, None),
        ("videodev: Linux video capture interface: v2.00", 6, None),
        ("bcm2835_mmal_vchiq: module is from the staging directory, the quality is unknown, you have been warned.", 4, None),
        ("vc_sm_cma_vchi_init: failed to open VCHI service (-1)", 3, "B07"),
        ("bcm2835_mmal_vchiq: Failed to open VCHI service connection (status=-1)", 3, "B07"),
        ("snd_bcm2835: module is from the staging directory, the quality is unknown, you have been warned.", 4, None),
        ("bcm2835_audio bcm2835_audio: card created with 8 channels", 6, None),
        ("cfg80211: Loading compiled-in X.509 certificates for regulatory database", 6, None),
        ("cfg80211: Loaded X.509 cert 'sforshee: 00b28ddf47aef9cea7'", 6, None),
        ("brcmfmac: F1 signature read @0x18000000=0x1541a9a6", 6, None),
        ("brcmfmac: brcmf_fw_alloc_request: using brcm/brcmfmac43455-sdio for chip BCM4345/6", 6, None),
        ("usbcore: registered new interface driver brcmfmac", 6, None),
        ("brcmfmac: brcmf_c_preinit_dcmds: Firmware: BCM4345/6 wl0: Nov  1 2021 00:37:25 version 7.45.241 "
         "(1a2f2fa CY) FWID 01-703fd60", 6, None),
        (f"EXT4-fs ({dev.dpart}6): mounted filesystem with ordered data mode. Opts: (null)", 6, None),
        (f"EXT4-fs ({dev.dpart}5): mounted filesystem with ordered data mode. Opts: (null)", 6, None),
        (f"EXT4-fs ({dev.dpart}3): mounted filesystem with ordered data mode. Opts: (null)", 6, None),
        ("Bluetooth: Core ver 2.22", 6, None),
        ("NET: Registered protocol family 31", 6, None),
        ("Bluetooth: HCI device and connection manager initialized", 6, None),
        ("Bluetooth: HCI socket layer initialized", 6, None),
        ("Bluetooth: L2CAP socket layer initialized", 6, None),
        ("Bluetooth: SCO socket layer initialized", 6, None),
        ("Bluetooth: HCI UART driver ver 2.3", 6, None),
        ("Bluetooth: HCI UART protocol H4 registered", 6, None),
        ("Bluetooth: HCI UART protocol Three-wire (H5) registered", 6, None),
        ("Bluetooth: HCI UART protocol Broadcom registered", 6, None),
        ("Bluetooth: BNEP (Ethernet Emulation) ver 1.3", 6, None),
        ("Bluetooth: BNEP filters: protocol multicast", 6, None),
        ("Bluetooth: BNEP socket layer initialized", 6, None),
        ("brcmfmac: brcmf_netdev_set_mac_address: Setting cur_etheraddr failed, -52", 3, "B08"),
        ("IPv6: ADDRCONF(NETDEV_CHANGE): wlan0: link becomes ready", 6, None),
        ("bridge: filtering via arp/ip/ip6tables is no longer available by default. Update your scripts "
         "to load br_netfilter if you need this.", 6, None),
        ("Bridge firewalling registered", 6, None),
        ("tun: Universal TUN/TAP device driver, 1.6", 6, None),
    ]
    for msg, prio, tag in late:
        events.append((round(t, 6), msg, prio, tag))
        t += r.uniform(0.01, 0.35)
    return events


def _kernel_boot_x86(h: Host) -> list[tuple[float, str, int, str | None]]:
    dev, r = h.dev, h.rng
    gib = dev.mem_kb / 1048576
    lines = [
        f"Linux version {dev.kernel} (oe-user@oe-host) (x86_64-poky-linux-gcc (GCC) 11.3.0, GNU ld (GNU "
        f"Binutils) 2.38.20220708) #1 SMP PREEMPT {dev.kernel_date}",
        "Command line: BOOT_IMAGE=/bzImage root=UUID=ba1eadef-3b2c-4e9f-8a1d-" + hexs(r, 12)
        + " rootwait  console=null quiet splash vt.global_cursor_default=0 consoleblank=0",
        "x86/fpu: Supporting XSAVE feature 0x001: 'x87 floating point registers'",
        "x86/fpu: Supporting XSAVE feature 0x002: 'SSE registers'",
        "x86/fpu: Supporting XSAVE feature 0x004: 'AVX registers'",
        "x86/fpu: xstate_offset[2]:  576, xstate_sizes[2]:  256",
        "x86/fpu: Enabled xstate features 0x7, context size is 832 bytes, using 'compacted' format.",
        "signal: max sigframe size: 2032",
        "BIOS-provided physical RAM map:",
        "BIOS-e820: [mem 0x0000000000000000-0x000000000009cfff] usable",
        "BIOS-e820: [mem 0x000000000009d000-0x000000000009ffff] reserved",
        "BIOS-e820: [mem 0x00000000000e0000-0x00000000000fffff] reserved",
        "BIOS-e820: [mem 0x0000000000100000-0x000000003fffffff] usable",
        "BIOS-e820: [mem 0x0000000040000000-0x00000000403fffff] reserved",
        "BIOS-e820: [mem 0x0000000040400000-0x000000006b7e4fff] usable",
        "BIOS-e820: [mem 0x000000006b7e5000-0x000000006bfe9fff] reserved",
        "BIOS-e820: [mem 0x000000006bfea000-0x000000006c02efff] ACPI data",
        "BIOS-e820: [mem 0x000000006c02f000-0x000000006c8c6fff] ACPI NVS",
        "BIOS-e820: [mem 0x000000006c8c7000-0x000000006cffefff] reserved",
        "BIOS-e820: [mem 0x000000006cfff000-0x000000006cffffff] usable",
        "BIOS-e820: [mem 0x00000000fed00000-0x00000000fed00fff] reserved",
        f"BIOS-e820: [mem 0x0000000100000000-0x{int(gib * 2**30) + 0x92000000:016x}] usable",
        "NX (Execute Disable) protection: active",
        "SMBIOS 3.1.1 present.",
        "DMI: Intel(R) Client Systems NUC8i5BEH/NUC8BEB, BIOS BECFL357.86A.0089.2021.0113.1556 01/13/2021",
        "tsc: Detected 2300.000 MHz processor",
        "tsc: Detected 2299.968 MHz TSC",
        "last_pfn = 0x292000 max_arch_pfn = 0x400000000",
        "x86/PAT: Configuration [0-7]: WB  WC  UC- UC  WB  WP  UC- WT  ",
        "ACPI: Early table checksum verification disabled",
        "ACPI: RSDP 0x00000000000F05B0 000024 (v02 INTEL )",
        "ACPI: XSDT 0x000000006C00B0A8 0000CC (v01 INTEL  NUC8i5BE 00000059 AMI  00010013)",
        "ACPI: FACP 0x000000006C023C50 000114 (v06 INTEL  NUC8i5BE 00000059 AMI  00010013)",
        "ACPI: DSDT 0x000000006C00B208 018A46 (v02 INTEL  NUC8i5BE 00000059 INTL 20160527)",
        "ACPI: FACS 0x000000006C8C6080 000040",
        "ACPI: APIC 0x000000006C023D68 0000BC (v03 INTEL  NUC8i5BE 00000059 AMI  00010013)",
        "ACPI: MCFG 0x000000006C023E28 00003C (v01 INTEL  NUC8i5BE 00000059 MSFT 00000097)",
        "Zone ranges:",
        "  DMA      [mem 0x0000000000001000-0x0000000000ffffff]",
        "  DMA32    [mem 0x0000000001000000-0x00000000ffffffff]",
        "  Normal   [mem 0x0000000100000000-0x0000000291ffffff]",
        "ACPI: PM-Timer IO Port: 0x1808",
        "IOAPIC[0]: apic_id 2, version 32, address 0xfec00000, GSI 0-119",
        "smpboot: Allowing 8 CPUs, 0 hotplug CPUs",
        "Booting paravirtualized kernel on bare hardware",
        "setup_percpu: NR_CPUS:64 nr_cpumask_bits:64 nr_cpu_ids:8 nr_node_ids:1",
        "Built 1 zonelists, mobility grouping on.  Total pages: 2023104",
        "Dentry cache hash table entries: 1048576 (order: 11, 8388608 bytes, linear)",
        f"Memory: {dev.mem_kb - 180000}K/{dev.mem_kb + 260000}K available (14345K kernel code, 2341K rwdata)",
        "rcu: Preemptible hierarchical RCU implementation.",
        "NR_IRQS: 4352, nr_irqs: 2048, preallocated irqs: 16",
        "Console: colour dummy device 80x25",
        "printk: console [tty0] enabled",
        "ACPI: Core revision 20210730",
        "APIC: Switch to symmetric I/O mode setup",
        "clocksource: tsc-early: mask: 0xffffffffffffffff max_cycles: 0x212717146a7, max_idle_ns: 440795291431 ns",
        "Calibrating delay loop (skipped), value calculated using timer frequency.. 4599.93 BogoMIPS (lpj=2299968)",
        "smpboot: CPU0: Intel(R) Core(TM) i5-8259U CPU @ 2.30GHz (family: 0x6, model: 0x8e, stepping: 0xa)",
        "Performance Events: PEBS fmt3+, Skylake events, 32-deep LBR, full-width counters, Intel PMU driver.",
        "smp: Bringing up secondary CPUs ...",
        "x86: Booting SMP configuration:",
        ".... node  #0, CPUs:      #1 #2 #3 #4 #5 #6 #7",
        "smp: Brought up 1 node, 8 CPUs",
        "smpboot: Max logical packages: 1",
        "smpboot: Total of 8 processors activated (36799.48 BogoMIPS)",
        "devtmpfs: initialized",
        "PCI: Using configuration type 1 for base access",
        "ACPI: Added _OSI(Module Device)",
        "ACPI: 10 ACPI AML tables successfully acquired and loaded",
        "ACPI: Interpreter enabled",
        "ACPI: PCI Root Bridge [PCI0] (domain 0000 [bus 00-fe])",
        "pci 0000:00:00.0: [8086:3ed0] type 00 class 0x060000",
        "pci 0000:00:02.0: [8086:3ea5] type 00 class 0x030000",
        "pci 0000:00:14.0: [8086:9ded] type 00 class 0x0c0330",
        "pci 0000:00:1f.6: [8086:15be] type 00 class 0x020000",
        "pci 0000:6d:00.0: [144d:a808] type 00 class 0x010802",
        "iommu: Default domain type: Translated ",
        "SCSI subsystem initialized",
        "usbcore: registered new interface driver usbfs",
        "usbcore: registered new interface driver hub",
        "usbcore: registered new device driver usb",
        "clocksource: Switched to clocksource tsc-early",
        "NET: Registered PF_INET protocol family",
        "TCP: Hash tables configured (established 65536 bind 65536)",
        "Initialise system trusted keyrings",
        "workingset: timestamp_bits=46 max_order=21 bucket_order=0",
        "Block layer SCSI generic (bsg) driver version 0.4 loaded (major 249)",
        "io scheduler mq-deadline registered",
        "nvme nvme0: pci function 0000:6d:00.0",
        "xhci_hcd 0000:00:14.0: xHCI Host Controller",
        "xhci_hcd 0000:00:14.0: new USB bus registered, assigned bus number 1",
        "usb usb1: New USB device found, idVendor=1d6b, idProduct=0002, bcdDevice= 5.15",
        "hub 1-0:1.0: 16 ports detected",
        "usb usb2: New USB device found, idVendor=1d6b, idProduct=0003, bcdDevice= 5.15",
        "hub 2-0:1.0: 6 ports detected",
        "nvme nvme0: 8/0/0 default/read/poll queues",
        " nvme0n1: p1 p2 p3 p4 p5 p6",
        "e1000e: Intel(R) PRO/1000 Network Driver",
        "e1000e 0000:00:1f.6: Interrupt Throttling Rate (ints/sec) set to dynamic conservative mode",
        f"e1000e 0000:00:1f.6 eth0: (PCI Express:2.5GT/s:Width x1) 94:c6:91:{hexs(r, 2)}:{hexs(r, 2)}:{hexs(r, 2)}",
        "e1000e 0000:00:1f.6 eth0: Intel(R) PRO/1000 Network Connection",
        "i915 0000:00:02.0: [drm] VT-d active for gfx access",
        "[drm] Initialized i915 1.6.0 20201103 for 0000:00:02.0 on minor 0",
        "fbcon: i915drmfb (fb0) is primary device",
        "EXT4-fs (nvme0n1p2): mounted filesystem with ordered data mode. Opts: (null). Quota mode: none.",
        "VFS: Mounted root (ext4 filesystem) readonly on device 259:2.",
        "Freeing unused kernel image (initmem) memory: 1612K",
        "Run /sbin/init as init process",
    ]
    events = []
    t = 0.0
    for i, msg in enumerate(lines):
        events.append((round(t, 6), msg, 6, None))
        t += 0.0 if i < 40 else r.uniform(0.001, 0.03)
    t = 2.3
    for msg in [
        "EXT4-fs (nvme0n1p2): re-mounted. Opts: (null). Quota mode: none.",
        "random: crng init done",
        "EXT4-fs (nvme0n1p6): mounted filesystem with ordered data mode. Opts: (null). Quota mode: none.",
        "EXT4-fs (nvme0n1p5): mounted filesystem with ordered data mode. Opts: (null). Quota mode: none.",
        "e1000e 0000:00:1f.6 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx",
        "IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready",
        "bridge: filtering via arp/ip/ip6tables is no longer available by default. Update your scripts "
        "to load br_netfilter if you need this.",
        "Bridge firewalling registered",
        "tun: Universal TUN/TAP device driver, 1.6",
    ]:
        events.append((round(t, 6), msg, 6, None))
        t += r.uniform(0.05, 0.5)
    return events


# --------------------------------------------------------------------------------------------
# stories: the base life of a device
# --------------------------------------------------------------------------------------------

VPN_CA = "C=US, ST=WA, L=Seattle, O=balena.io, OU=balenaCloud, CN=open-balena-vpn-rootCA"
VPN_CERT = "C=US, ST=WA, L=Seattle, O=balena.io, OU=balenaCloud, CN=vpn.balena-cloud.com"
API = "https://api.balena-cloud.com"


def ovpn(h: Host, mono: float, msg: str, tag: str | None = None, boot: int = 0,
         prio: int = 6) -> None:
    h.add(mono, "openvpn", h.pid["openvpn"], msg, "openvpn.service", prio, tag, "ovpn", boot)


def chrony(h: Host, mono: float, msg: str, tag: str | None = None, boot: int = 0) -> None:
    h.add(mono, "chronyd", h.pid["chronyd"], msg, "chronyd.service", 6, tag, "chrony", boot)


def nm(h: Host, mono: float, msg: str, boot: int = 0, level: str = "info") -> None:
    stamp = f"{h.logged(boot, mono):.4f}"
    h.add(mono, "NetworkManager", h.pid["nm"], f"<{level}>  [{stamp}] {msg}",
          "NetworkManager.service", 6 if level == "info" else 4, None, None, boot)


def dnsmasq(h: Host, mono: float, msg: str, tag: str | None = None, boot: int = 0,
            prio: int = 6) -> None:
    h.add(mono, "dnsmasq", h.pid["dnsmasq"], msg, "dnsmasq.service", prio, tag, None, boot)


def vpn_server(h: Host) -> str:
    return h.st["vpn_peer"]


def ovpn_arch(h: Host) -> str:
    return {"rpi64": "aarch64-poky-linux-gnu", "rpi32": "arm-poky-linux-gnueabi",
            "x86": "x86_64-poky-linux-gnu"}[h.dev.family]


def openvpn_start(h: Host, mono: float, boot: int, resolve_fails: int) -> float:
    ovpn(h, mono, "WARNING: file '/var/volatile/vpn-auth' is group or others accessible", "B02", boot)
    ovpn(h, mono, f"OpenVPN {h.dev.openvpn} {ovpn_arch(h)} [SSL (OpenSSL)] [LZO] [LZ4] [EPOLL] "
         "[MH/PKTINFO] [AEAD] built on Feb 20 2019", None, boot)
    ovpn(h, mono, "library versions: OpenSSL 1.1.1l  24 Aug 2021, LZO 2.10", None, boot)
    for _ in range(resolve_fails):
        ovpn(h, mono, "NOTE: the current --script-security setting may allow this configuration to "
             "call user-defined scripts", None, boot)
        for _ in range(2):
            ovpn(h, mono, f"RESOLVE: Cannot resolve host address: {h.vpn_host}:443 (Temporary failure "
                 "in name resolution)", "B03", boot)
        ovpn(h, mono, "Could not determine IPv4/IPv6 protocol", None, boot)
        ovpn(h, mono, "NOTE: UID/GID downgrade will be delayed because of --client, --pull, or "
             "--up-delay", None, boot)
        ovpn(h, mono, "SIGUSR1[soft,init_instance] received, process restarting", None, boot)
        ovpn(h, mono, "Restart pause, 5 second(s)", None, boot)
        mono += 5.0
    ovpn(h, mono, "NOTE: the current --script-security setting may allow this configuration to "
         "call user-defined scripts", None, boot)
    return mono


def openvpn_connect(h: Host, mono: float, boot: int) -> float:
    r, srv = h.rng, vpn_server(h)
    gw, ip = h.st["gateway"], h.st["vpn_ip"]
    mac = "e4:5f:01:" + ":".join(hexs(r, 2) for _ in range(3))
    steps = [
        f"TCP/UDP: Preserving recently used remote address: [AF_INET]{srv}:443",
        "Socket Buffers: R=[131072->131072] S=[16384->16384]",
        f"Attempting to establish TCP connection with [AF_INET]{srv}:443 [nonblock]",
        f"TCP connection established with [AF_INET]{srv}:443",
        "TCP_CLIENT link local: (not bound)",
        f"TCP_CLIENT link remote: [AF_INET]{srv}:443",
        f"TLS: Initial packet from [AF_INET]{srv}:443, sid={hexs(r, 8)} {hexs(r, 8)}",
        f"VERIFY OK: depth=1, {VPN_CA}",
        "VERIFY KU OK",
        "Validating certificate extended key usage",
        "++ Certificate has EKU (str) TLS Web Server Authentication, expects TLS Web Server Authentication",
        "VERIFY EKU OK",
        f"VERIFY OK: depth=0, {VPN_CERT}",
        "Control Channel: TLSv1.3, cipher TLSv1.3 TLS_AES_256_GCM_SHA384, 2048 bit RSA",
        f"[{h.vpn_host}] Peer Connection Initiated with [AF_INET]{srv}:443",
        f"SENT CONTROL [{h.vpn_host}]: 'PUSH_REQUEST' (status=1)",
        "PUSH: Received control message: 'PUSH_REPLY,sndbuf 0,rcvbuf 0,route-gateway 10.240.0.1,ping 10,"
        f"ping-restart 60,socket-flags TCP_NODELAY,ifconfig {ip} {srv},peer-id 0,cipher AES-128-GCM'",
        "OPTIONS IMPORT: timers and/or timeouts modified",
        "OPTIONS IMPORT: --sndbuf/--rcvbuf options modified",
        "Socket Buffers: R=[131072->131072] S=[87040->87040]",
        "OPTIONS IMPORT: --socket-flags option modified",
        "Socket flags: TCP_NODELAY=1 succeeded",
        "OPTIONS IMPORT: --ifconfig/up options modified",
        "OPTIONS IMPORT: route-related options modified",
        "OPTIONS IMPORT: peer-id set",
        "OPTIONS IMPORT: adjusting link_mtu to 1627",
        "OPTIONS IMPORT: data channel crypto options modified",
        "Data Channel: using negotiated cipher 'AES-128-GCM'",
        "Outgoing Data Channel: Cipher 'AES-128-GCM' initialized with 128 bit key",
        "Incoming Data Channel: Cipher 'AES-128-GCM' initialized with 128 bit key",
        f"ROUTE_GATEWAY {gw}/255.255.255.0 IFACE={'wlan0' if h.dev.wifi else 'eth0'} HWADDR={mac}",
        "TUN/TAP device resin-vpn opened",
        "TUN/TAP TX queue length set to 100",
        "/sbin/ip link set dev resin-vpn up mtu 1500",
        f"/sbin/ip addr add dev resin-vpn local {ip} peer {srv}",
        f"/etc/openvpn-misc/upscript.sh resin-vpn 1500 1555 {ip} {srv} init",
        f"/sbin/ip route add {srv}/32 via {srv}",
    ]
    for msg in steps:
        ovpn(h, mono, msg, None, boot)
        mono += r.uniform(0.0, 0.08)
    ovpn(h, mono, "ERROR: Linux route add command failed: external program exited with error status: 2",
         "B01", boot)
    ovpn(h, mono, "GID set to openvpn", None, boot)
    ovpn(h, mono, "UID set to openvpn", None, boot)
    ovpn(h, mono, "Initialization Sequence Completed", None, boot)
    return mono


def openvpn_renegotiate(h: Host, mono: float, boot: int) -> None:
    r = h.rng
    for msg in [
        f"VERIFY OK: depth=1, {VPN_CA}",
        "VERIFY KU OK",
        "Validating certificate extended key usage",
        "++ Certificate has EKU (str) TLS Web Server Authentication, expects TLS Web Server Authentication",
        "VERIFY EKU OK",
        f"VERIFY OK: depth=0, {VPN_CERT}",
        "Outgoing Data Channel: Cipher 'AES-128-GCM' initialized with 128 bit key",
        "Incoming Data Channel: Cipher 'AES-128-GCM' initialized with 128 bit key",
        "Control Channel: TLSv1.3, cipher TLSv1.3 TLS_AES_256_GCM_SHA384, 2048 bit RSA",
    ]:
        ovpn(h, mono, msg, None, boot)
        mono += r.uniform(0.0, 0.3)


CONTAINERD_PLUGINS = [
    "io.containerd.content.v1.content", "io.containerd.snapshotter.v1.native",
    "io.containerd.snapshotter.v1.overlayfs", "io.containerd.metadata.v1.bolt",
    "io.containerd.differ.v1.walking", "io.containerd.gc.v1.scheduler",
    "io.containerd.service.v1.containers-service", "io.containerd.service.v1.content-service",
    "io.containerd.service.v1.diff-service", "io.containerd.service.v1.images-service",
    "io.containerd.service.v1.leases-service", "io.containerd.service.v1.namespaces-service",
    "io.containerd.service.v1.snapshots-service", "io.containerd.runtime.v1.linux",
    "io.containerd.runtime.v2.task", "io.containerd.monitor.v1.cgroups",
    "io.containerd.service.v1.tasks-service", "io.containerd.internal.v1.restart",
    "io.containerd.grpc.v1.containers", "io.containerd.grpc.v1.content", "io.containerd.grpc.v1.diff",
    "io.containerd.grpc.v1.events", "io.containerd.grpc.v1.healthcheck", "io.containerd.grpc.v1.images",
    "io.containerd.grpc.v1.leases", "io.containerd.grpc.v1.namespaces",
    "io.containerd.internal.v1.opt", "io.containerd.grpc.v1.snapshots", "io.containerd.grpc.v1.tasks",
    "io.containerd.grpc.v1.version", "io.containerd.grpc.v1.introspection",
]


def engine_start(h: Host, mono: float, boot: int, storage: str = "overlay2",
                 pid: int | None = None, migration: Callable[[Host, float, int], float] | None = None,
                 restart_containers: bool = True) -> float:
    """systemd starts balena.service; returns the monotonic time the engine is ready."""
    r = h.rng
    if pid is not None:
        runs = h.engine_runs.setdefault(boot, [])
        runs.append((mono, pid, pid + r.randint(14, 40)))
        runs.sort()
    elif boot not in h.engine_runs:
        h.engine_runs[boot] = [(mono, h.pid["balenad"], h.pid["containerd"])]
    h.sd(mono, "Starting Balena Application Container Engine...", "balena.service", boot=boot)
    mono += 0.4
    h.bd(mono, "info", "Starting up", boot=boot)
    h.bd(mono, "warning", "Running experimental build", boot=boot)
    _, cpid = h.engine_pids(boot, mono)
    h.bd(mono + 0.01, "info", "libcontainerd: started new balena-engine-containerd process",
         f"pid={cpid}", boot=boot)
    mono += 0.2
    ctd = "1.2.0+unknown" if vtuple(h.dev.engine) < (20, 0, 0) else "1.4.0+unknown"
    h.bd(mono, "info", "starting containerd", f"revision= version={ctd}", boot=boot, containerd=True)
    for p in CONTAINERD_PLUGINS:
        kind = p.rsplit(".", 1)[0]
        h.bd(mono, "info", f'loading plugin "{p}"...', f"type={kind}", boot=boot, containerd=True)
        if p == "io.containerd.metadata.v1.bolt":
            h.bd(mono, "info", "metadata content store policy set", "policy=shared", boot=boot,
                 containerd=True)
        if p == "io.containerd.internal.v1.opt":
            h.bd(mono, "warning", "failed to load plugin io.containerd.internal.v1.opt",
                 'error="mkdir /opt: read-only file system"', boot=boot, containerd=True)
        mono += r.uniform(0.0002, 0.004)
    for addr in ("balena-engine-containerd-debug.sock", "balena-engine-containerd.sock.ttrpc",
                 "balena-engine-containerd.sock"):
        h.bd(mono, "info", "serving...", f"address=/var/run/balena-engine/containerd/{addr}",
             boot=boot, containerd=True)
    h.bd(mono, "info", f"containerd successfully booted in {r.uniform(0.03, 0.09):.6f}s", boot=boot,
         containerd=True)
    mono += 0.05
    if storage == "aufs":
        h.bd(mono, "warning", "[graphdriver] WARNING: the aufs storage-driver is deprecated, and will "
             "be removed in a future release", tag="B16", boot=boot)
    if migration is not None:
        mono = migration(h, mono, boot)
        if mono < 0:        # the migration never finished: systemd killed us
            return mono
    h.bd(mono, "info", f"Pruned {r.randint(1, 4)} unused graph driver layers", boot=boot)
    h.bd(mono + 0.02, "warning", "Your kernel does not support cgroup rt period", tag="B10", boot=boot)
    h.bd(mono + 0.02, "warning", "Your kernel does not support cgroup rt runtime", tag="B10", boot=boot)
    h.bd(mono + 0.03, "info", "Loading containers: start.", boot=boot)
    mono += r.uniform(0.6, 1.8)
    h.bd(mono, "info", "Default bridge (balena0) is assigned with an IP address 10.114.101.0/24. "
         "Daemon option --bip can be used to set a preferred IP address", boot=boot)
    mono += 0.3
    h.bd(mono, "info", "Loading containers: done.", boot=boot)
    h.bd(mono + 0.2, "info", "Docker daemon",
         f"commit={h.dev.engine_commit} graphdriver(s)={storage} version={h.dev.engine}", boot=boot)
    h.bd(mono + 0.2, "info", "Daemon has completed initialization", boot=boot)
    for sock in ("/var/run/balena-engine.sock", "/var/run/balena.sock"):
        h.bd(mono + 0.25, "info", f"API listen on {sock}", boot=boot)
    mono += 0.3
    h.sd(mono, "Started Balena Application Container Engine.", "balena.service", boot=boot)
    if restart_containers:
        for c in h.containers:
            if c.network != "host" or c.name != h.sup_name:
                shim_started(h, mono, boot)
                mono += r.uniform(0.3, 0.9)
    return mono


def shim_started(h: Host, mono: float, boot: int) -> None:
    h.bd(mono, "info", "shim balena-engine-containerd-shim started",
         f"address=/containerd-shim/{hexs(h.rng, 64)}.sock debug=false pid={h.rng.randint(2000, 9000)}",
         boot=boot, containerd=True)


def engine_healthcheck(h: Host, mono: float, boot: int) -> None:
    """the balena-healthcheck container every 3 minutes: shim started / reaped / ignoring event"""
    r = h.rng
    h.bd(mono, "info", "shim balena-engine-containerd-shim started",
         f"address=/containerd-shim/{hexs(r, 64)}.sock debug=false pid={r.randint(100000, 520000)}",
         boot=boot, containerd=True)
    mono += r.uniform(2.6, 2.9)
    h.bd(mono, "info", "shim reaped", f"id={hexs(r, 64)}", boot=boot, containerd=True)
    h.bd(mono + 0.01, "info", "ignoring event",
         'module=libcontainerd namespace=moby topic=/tasks/delete type="*events.TaskDelete"',
         boot=boot)


def supervisor_start(h: Host, mono: float, boot: int, eai_again: bool = False,
                     vpn: bool = True) -> float:
    """systemd starts the supervisor unit; the supervisor logs its start-up."""
    r, unit = h.rng, h.sup_unit + ".service"
    pre = h.pid["start-sup"] - r.randint(25, 40)
    h.sd(mono, "Starting Balena supervisor...", unit, boot=boot)
    h.add(mono + 0.4, "balena", pre, "Error: No such container: resin_supervisor", unit, 6, "B04",
          None, boot)
    h.sd(mono + 0.9, "Started Balena supervisor.", unit, boot=boot)
    mono += 2.5
    v = h.dev.supervisor
    s = [
        ("info", f"Supervisor v{v} starting up..."),
        ("info", "Setting host to discoverable"),
        ("warn", "Invalid firewall mode: . Reverting to state: off"),
        ("info", "Applying firewall mode: off"),
        ("debug", "Starting systemd unit: avahi-daemon.service"),
        ("debug", "Starting systemd unit: avahi-daemon.socket"),
        ("debug", "Starting logging infrastructure"),
        ("debug", "Performing database cleanup for container log timestamps"),
        ("info", "Starting firewall"),
        ("info", "Previous engine snapshot was not stored. Skipping cleanup."),
        ("debug", "Handling of local mode switch is completed"),
        ("success", "Firewall mode applied"),
        ("debug", "Starting api binder"),
        ("info", f"API Binder bound to: {API}/v6/"),
        ("event", "Event: Supervisor start {}"),
        ("debug", "Connectivity check enabled: true"),
        ("debug", "Starting periodic check for IP addresses"),
        ("info", "Reporting initial state, supervisor version and API info"),
        ("debug", "Skipping preloading"),
        ("info", "VPN connection is not active."),
        ("info", "Waiting for connectivity..."),
        ("info", "Starting API server"),
        ("info", "Supervisor API successfully started on port 48484"),
        ("info", "Applying target state"),
        ("debug", "Ensuring device is provisioned"),
        ("debug", "Starting current state report"),
        ("debug", "Starting target state poll"),
        ("debug", "Spawning journald with: chroot  /mnt/root journalctl -a --follow -o json "
                  "_SYSTEMD_UNIT=balena.service"),
    ]
    for level, text in s:
        h.sup(mono, level, text, "B05" if text.startswith("Invalid firewall") else None, boot)
        mono += r.uniform(0.005, 0.25)
    return mono


def svc_json(h: Host, c: Container) -> str:
    return json.dumps({"service": {"appId": h.app_id, "serviceId": c.service_id,
                                   "serviceName": c.service, "commit": h.commit,
                                   "releaseId": h.release_id}}, separators=(",", ":"))


def add_user_containers(h: Host) -> None:
    """The supervisor container and the application's services (knob 'services')."""
    r, dev = h.rng, h.dev
    boot_t = h.boot(0).start
    sup_img = f"balena/{dev.sup_arch}-supervisor:v{dev.supervisor}"
    h.containers.append(Container(
        name=h.sup_name, service="", image=sup_img, image_sha=hexs(r, 64), cid=h.sup_cid_full,
        created=boot_t - r.uniform(60, 400) * 86400, started=boot_t + 19.9, network="host",
        cmd=("/usr/src/app/entry.sh",), health="healthy", pid=h.pid["sup-node"],
        mem_usage=f"{r.uniform(45, 75):.2f}MiB", cpu=f"{r.uniform(0.1, 0.9):.2f}%", pids=11))
    h.images.append(Image(f"balena/{dev.sup_arch}-supervisor", f"v{dev.supervisor}",
                          h.containers[-1].image_sha, r.uniform(150, 400) * 86400,
                          f"{r.uniform(60, 80):.1f}MB"))
    created = h.boot(0).start - r.uniform(5, 40) * 86400
    for i, svc in enumerate(h.sc.knobs.get("services", ["sensor"])):
        img_hash = hexs(r, 32)
        image_id = r.randint(4_000_000, 5_900_000)
        sha = hexs(r, 64)
        c = Container(
            name=f"{svc}_{image_id}_{h.release_id}_{h.commit}", service=svc,
            image=sha[:12], image_sha=sha, cid=hexs(r, 64), created=created,
            started=boot_t + 11 + i, service_id=r.randint(500_000, 1_500_000), image_id=image_id,
            cmd=("/usr/bin/entry.sh", "node", "src/index.js") if svc != "inference"
            else ("python3", "-u", "serve.py"),
            pid=h.pid["sup-node"] + 180 + 37 * i, ip=f"172.17.0.{2 + i}",
            mem_usage=f"{r.uniform(20, 120):.2f}MiB", cpu=f"{r.uniform(0.1, 4):.2f}%",
            pids=r.randint(7, 23))
        h.containers.append(c)
        h.images.append(Image(f"registry2.balena-cloud.com/v2/{img_hash}", "latest", sha,
                              (h.t0 - created) + 3600, f"{r.uniform(90, 420):.1f}MB"))
    h.images.append(Image("balena-healthcheck-image", "latest", hexs(r, 64),
                          r.uniform(200, 300) * 86400, "9.14kB"))
    net_ids = [hexs(r, 12) for _ in range(5)]
    h.networks = [(net_ids[0], f"{h.app_id}_default", "bridge", "local"),
                  (net_ids[1], "bridge", "bridge", "local"),
                  (net_ids[2], "host", "host", "local"),
                  (net_ids[3], "none", "null", "local"),
                  (net_ids[4], "supervisor0", "bridge", "local")]


APP_LINES = {
    "sensor": lambda r: f"reading: temp={r.uniform(18, 27):.1f}C hum={r.uniform(30, 60):.1f}% "
                        f"pressure={r.uniform(995, 1025):.1f}hPa",
    "uploader": lambda r: f"uploaded batch of {r.randint(10, 80)} readings in {r.randint(80, 900)}ms",
    "inference": lambda r: f"INFO frame={r.randint(1, 10**6)} objects={r.randint(0, 9)} "
                           f"latency_ms={r.uniform(40, 95):.1f}",
    "web": lambda r: f"GET /api/status 200 {r.randint(2, 30)}ms",
    "node-app": lambda r: f"[app] heartbeat ok, heap={r.randint(40, 400)}MB",
    "main": lambda r: f"{r.choice(['GET', 'GET', 'POST'])} /api/v1/{r.choice(['status', 'metrics', 'events'])} "
                      f"{r.choice([200, 200, 200, 204])} {r.randint(2, 60)}ms",
    "db": lambda r: f"LOG:  checkpoint complete: wrote {r.randint(1, 90)} buffers ({r.uniform(0, 1):.1f}%); "
                    f"0 WAL file(s) added, 0 removed, 0 recycled",
}


def boot_sequence(h: Host, boot: int = 0, *, eai_again: bool = True) -> dict[str, float]:
    """Kernel, systemd, network, VPN, time, engine and supervisor start for one boot."""
    r, dev, kn = h.rng, h.dev, h.sc.knobs
    for mono, msg, prio, tag in kernel_boot(h):
        h.kern(mono, msg, prio, tag, boot)
    t = 1.15
    arch = {"rpi64": "arm64", "rpi32": "arm", "x86": "x86-64"}[dev.family]
    h.sd(t, f"systemd {dev.systemd} running in system mode. (+PAM -AUDIT -SELINUX +IMA -APPARMOR "
         "+SMACK +SYSVINIT +UTMP -LIBCRYPTSETUP -GCRYPT -GNUTLS +ACL +XZ -LZ4 -ZSTD -SECCOMP +BLKID "
         "-ELFUTILS +KMOD -IDN2 -IDN -PCRE2 default-hierarchy=hybrid)", boot=boot)
    h.sd(t, f"Detected architecture {arch}.", boot=boot)
    h.sd(t, f"Set hostname to <{h.hostname}>.", boot=boot)
    t += 0.6
    jpid = h.pid["journald"]
    h.add(t, "systemd-journald", jpid, "Journal started", "systemd-journald.service", 6, None, None, boot)
    size = "4.5M" if dev.mem_kb < 600000 else "9.2M"
    where = "/var/log/journal" if h.st["persistent"] else "/run/log/journal"
    h.add(t, "systemd-journald", jpid,
          f"{'System' if h.st['persistent'] else 'Runtime'} Journal ({where}/{h.machine_id}) is {size}, "
          f"max 36.6M, 32.0M free.", "systemd-journald.service", 6, None, None, boot)
    units = [
        ("Remount Root and Kernel File Systems", "systemd-remount-fs.service"),
        ("Load Kernel Modules", "systemd-modules-load.service"),
        ("Apply Kernel Variables", "systemd-sysctl.service"),
        ("Coldplug All udev Devices", "systemd-udev-trigger.service"),
        ("Create Static Device Nodes in /dev", "systemd-tmpfiles-setup-dev.service"),
        ("Rule-based Manager for Device Events and Files", "systemd-udevd.service"),
        ("Resin persistent state mount", "mnt-state.mount"),
        ("Bind mount for /etc/machine-id", "etc-machine\\x2did.mount"),
        ("Flush Journal to Persistent Storage", "systemd-journal-flush.service"),
        ("Balena boot partition mount service", "mnt-boot.mount"),
        ("Resin data partition mount service", "mnt-data.mount"),
        ("Create Volatile Files and Directories", "systemd-tmpfiles-setup.service"),
        ("Hardware RNG Entropy Gatherer Daemon", "rngd.service"),
        ("config.json watch", "config-json.path"),
        ("D-Bus System Message Bus", "dbus.service"),
        ("Avahi mDNS/DNS-SD Stack", "avahi-daemon.service"),
        ("Modem Manager", "ModemManager.service"),
        ("Login Service", "systemd-logind.service"),
        ("Network Manager", "NetworkManager.service"),
        ("WPA supplicant", "wpa_supplicant.service"),
        ("Bluetooth service", "bluetooth.service"),
    ]
    for name, unit in units:
        h.sd(t, f"Starting {name}...", unit, boot=boot)
        t += r.uniform(0.02, 0.3)
        h.sd(t, f"{'Mounted' if unit.endswith('.mount') else 'Started'} {name}.", unit, boot=boot)
        if unit == "systemd-udevd.service":
            for rule in ("50-udev-default.rules:38", "50-udev-default.rules:42"):
                h.add(t + 0.2, "systemd-udevd", h.pid["udevd"],
                      f"/lib/udev/rules.d/{rule} Unknown group 'render', ignoring",
                      "systemd-udevd.service", 3, "B09", None, boot)
    # network
    nm(h, t, f"NetworkManager (version {dev.networkmanager}) is starting... (for the first time)", boot)
    nm(h, t, "Read config: /etc/NetworkManager/NetworkManager.conf (etc: os-networkmanager.conf)", boot)
    nm(h, t + 0.1, "manager[0x55d2b8a0]: monitoring kernel firmware directory '/lib/firmware'.", boot)
    nm(h, t + 0.3, "hostname: hostname: using hostnamed", boot)
    nm(h, t + 0.4, "dns-mgr[0x55d2c120]: init: dns=dnsmasq, rc-manager=file", boot)
    t += 0.5
    # dnsmasq
    h.sd(t, "Starting DNS forwarder and DHCP server...", "dnsmasq.service", boot=boot)
    dnsmasq(h, t + 0.1, f"started, version {dev.dnsmasq} cachesize 150", boot=boot)
    dnsmasq(h, t + 0.1, "compile time options: IPv6 GNU-getopt DBus no-UBus no-i18n no-IDN DHCP DHCPv6 "
            "no-Lua TFTP no-conntrack ipset auth no-cryptohash no-DNSSEC loop-detect inotify dumpfile",
            boot=boot)
    dnsmasq(h, t + 0.1, "DBus support enabled: connected to system bus", boot=boot)
    dnsmasq(h, t + 0.1, "failed to access /etc/resolv.dnsmasq: No such file or directory", "B03", boot)
    h.sd(t + 0.2, "Started DNS forwarder and DHCP server.", "dnsmasq.service", boot=boot)
    # vpn + time
    h.sd(t + 0.3, "Started OpenVPN.", "openvpn.service", boot=boot)
    ov_t = openvpn_start(h, t + 0.5, boot, resolve_fails=kn.get("boot_resolve_fails", 1))
    h.sd(t + 0.4, "Starting chrony, an NTP client/server...", "chronyd.service", boot=boot)
    chrony(h, t + 0.5, f"chronyd version {dev.chrony} starting (+CMDMON +NTP +REFCLOCK +RTC -PRIVDROP "
           "-SCFILTER -SIGND +ASYNCDNS -NTS -SECHASH +IPV6 -DEBUG)", None, boot)
    chrony(h, t + 0.5, f"Frequency {r.uniform(-9, 9):.3f} +/- {r.uniform(0.05, 0.9):.3f} ppm read from "
           "/var/lib/chrony/drift", None, boot)
    h.sd(t + 0.6, "Started chrony, an NTP client/server.", "chronyd.service", boot=boot)
    # link up, DHCP
    iface = "wlan0" if dev.wifi else "eth0"
    t = 11.0 + r.uniform(0, 2)
    nm(h, t, f"device ({iface}): state change: disconnected -> prepare (reason 'none', sys-iface-state: "
       "'managed')", boot)
    nm(h, t + 0.4, f"device ({iface}): state change: prepare -> config (reason 'none', sys-iface-state: "
       "'managed')", boot)
    nm(h, t + 1.2, f"device ({iface}): state change: config -> ip-config (reason 'none', "
       "sys-iface-state: 'managed')", boot)
    nm(h, t + 1.3, f"dhcp4 ({iface}): activation: beginning transaction (timeout in 45 seconds)", boot)
    nm(h, t + 1.9, f"dhcp4 ({iface}): option ip_address           => '{h.st['wifi_ip']}'", boot)
    nm(h, t + 1.9, f"dhcp4 ({iface}): option routers              => '{h.st['gateway']}'", boot)
    nm(h, t + 1.9, f"dhcp4 ({iface}): state changed new lease, address={h.st['wifi_ip']}", boot)
    nm(h, t + 2.1, f"device ({iface}): state change: secondaries -> activated (reason 'none', "
       "sys-iface-state: 'managed')", boot)
    nm(h, t + 2.1, "manager: NetworkManager state is now CONNECTED_GLOBAL", boot)
    dns_t = t + 2.2
    dnsmasq(h, dns_t, "reading /etc/resolv.dnsmasq", boot=boot)
    for up in h.st["dns_upstreams"]:
        dnsmasq(h, dns_t, f"using nameserver {up}#53", boot=boot)
    if kn.get("vpn", True):
        openvpn_connect(h, max(ov_t, dns_t + 1.0), boot)
    # modem manager
    mm = h.pid["modem"]
    h.add(6.2, "ModemManager", mm, "<info>  ModemManager (version 1.14.2) starting in system bus...",
          "ModemManager.service", 6, None, None, boot)
    if dev.family != "x86":
        h.add(9.4, "ModemManager", mm, "<warn>  [base-manager] couldn't check support for device '/sys/devices/"
              "platform/soc/3f300000.mmcnr/mmc_host/mmc1/mmc1:0001/mmc1:0001:1': not supported by any plugin",
              "ModemManager.service", 4, None, None, boot)
    # engine + supervisor (a scenario may replace the engine start of the current boot)
    hook = kn.get("engine_boot0") if boot == 0 else None
    storage = kn.get("storage_prev", kn.get("storage", "overlay2")) if boot < 0 else kn.get("storage", "overlay2")
    if hook:
        e_t = hook(h, 9.0 + r.uniform(0, 0.4), boot)
    else:
        e_t = engine_start(h, 9.0 + r.uniform(0, 0.4), boot, storage=storage)
    s_t = supervisor_start(h, max(e_t, 19.0) + 0.5, boot)
    if boot == 0:
        h.st["sup_active_since"] = max(e_t, 19.0) + 1.4
    res = {"engine_ready": e_t, "sup_ready": s_t, "dns_up": dns_t}
    return res


def sup_after_start(h: Host, mono: float, boot: int, eai_again: bool) -> float:
    r = h.rng
    for c in h.containers:
        if c.network == "host":
            continue
        h.sup(mono, "event", "Event: Service start " + svc_json(h, c), boot=boot)
        h.sup(mono + 0.6, "event", "Event: Service started " + svc_json(h, c), boot=boot)
        mono += 0.7
    h.sup(mono, "api", f"GET /v1/device/host-config 200 - {r.uniform(80, 160):.3f} ms", boot=boot)
    h.sup(mono + 0.2, "debug", "Finished applying target state", boot=boot)
    h.sup(mono + 0.2, "success", "Device state apply success", boot=boot)
    mono += 1.0
    if eai_again:
        h.sup(mono, "error", "LogBackend: unexpected error: Error: getaddrinfo EAI_AGAIN "
              "api.balena-cloud.com", "B12", boot)
        h.sup(mono, "error", "      at GetAddrInfoReqWrap.onlookup [as oncomplete] (dns.js:64:26)",
              None, boot)
        mono += 3.0
    return mono


def periodic(h: Host, boot: int, t_from: float, t_to: float, *, vpn: bool = True,
             healthcheck: bool = True, sup: bool = True, app: bool = True) -> None:
    """the steady noise of a running device between t_from and t_to (monotonic)."""
    r, kn = h.rng, h.sc.knobs
    if healthcheck:
        t = t_from + r.uniform(0, 180)
        while t < t_to:
            engine_healthcheck(h, t, boot)
            t += 180 + r.uniform(-1.5, 2.5)
    if sup:
        t = t_from + r.uniform(20, 300)
        while t < t_to:
            h.sup(t, "api", f"GET /v1/healthy 200 - {r.lognormvariate(1.9, 0.35):.3f} ms", boot=boot)
            t += 300 + r.uniform(0, 2.5)
        t = t_from + r.uniform(30, 600)
        while t < t_to:
            h.sup(t, "debug", "Attempting container log timestamp flush...", boot=boot)
            h.sup(t + 0.01, "debug", "Container log timestamp flush complete", boot=boot)
            t += 600
    if app:
        period = kn.get("app_period", 60)
        for c in h.containers:
            if c.network == "host" or c.service not in APP_LINES:
                continue
            t = max(t_from, c.started - h.boot(boot).start) + r.uniform(1, period)
            while t < t_to:
                h.app(t, c, APP_LINES[c.service](r), boot=boot)
                t += period + r.uniform(-2, 2)
    if vpn:     # the VPN server renegotiates the TLS session every 8 hours
        t = t_from + 8 * 3600 + r.uniform(0, 60)
        while t < t_to:
            openvpn_renegotiate(h, t, boot)
            t += 8 * 3600 + r.uniform(0, 5)
    # NTP source changes, DHCP renewals
    t = t_from + r.uniform(3, 20) * 3600
    pool = [f"{i}.resinio.pool.ntp.org" for i in range(4)]
    while t < t_to and h.st["clock_synced"]:
        a = f"{r.choice([54, 149, 162, 206, 216])}.{r.randint(1, 254)}.{r.randint(1, 254)}.{r.randint(1, 254)}"
        chrony(h, t, f"Selected source {a} ({r.choice(pool)})", None, boot)
        if r.random() < 0.3:
            b = f"{r.choice([23, 45, 95, 185])}.{r.randint(1, 254)}.{r.randint(1, 254)}.{r.randint(1, 254)}"
            chrony(h, t + 68, f"Source {a} replaced with {b} ({r.choice(pool)})", None, boot)
        t += r.uniform(5, 30) * 3600
    if h.dev.family != "x86":
        t = t_from + (3600 - (h.logged(boot, t_from) % 3600)) + 2
        while t < t_to:
            h.add(t, "fake-hwclock", r.randint(2000, 520000), "[fake-hwclock][INFO] Saving system time to "
                  "/etc/fake-hwclock/fake-hwclock.data.", "fake-hwclock-update.service", 6, None, None, boot)
            t += 3600
    iface = "wlan0" if h.dev.wifi else "eth0"
    t = t_from + 43200
    while t < t_to:
        nm(h, t, f"dhcp4 ({iface}): option ip_address           => '{h.st['wifi_ip']}'", boot)
        nm(h, t, f"dhcp4 ({iface}): state changed extended lease, address={h.st['wifi_ip']}", boot)
        t += 43200 + r.uniform(0, 30)


def clock_step(h: Host, boot: int = 0, skew: float | None = None) -> None:
    """RPi without RTC: boot with the clock fake-hwclock saved last, chronyd steps it ~70 s later."""
    b = h.boot(boot)
    r = h.rng
    b.skew = round(skew if skew is not None else r.uniform(1200, 9000), 6)
    b.step_at = r.uniform(62, 80)
    srv = f"{r.choice([54, 149, 162])}.{r.randint(1, 254)}.{r.randint(1, 254)}.{r.randint(1, 254)}"
    chrony(h, b.step_at - 1.2, f"Selected source {srv} ({r.randint(0, 3)}.resinio.pool.ntp.org)", None, boot)
    chrony(h, b.step_at - 0.001, f"System clock wrong by {b.skew:.6f} seconds", None, boot)
    chrony(h, b.step_at, f"System clock was stepped by {b.skew:.6f} seconds", None, boot)


def capture_events(h: Host) -> None:
    """What the diagnostics run itself leaves in the journal."""
    r = h.rng
    if not h.schedule:
        return
    src = h.sc.knobs.get("ssh_from", "10.240.0.1")
    if src == "lan":
        src = h.st["wifi_ip"].rsplit(".", 1)[0] + ".23"
    port = r.randint(33000, 60999)
    m = h.uptime - r.uniform(1.5, 3.0)
    h.sd(m, f"Started OpenSSH Per-Connection Daemon ({src}:{port}).", "sshd@.service")
    h.add(m + 0.3, "sshd", r.randint(500000, 520000),
          f"Accepted publickey for root from {src} port {port} ssh2: RSA SHA256:{alnum(r, 43)}",
          "sshd@.service")
    # supervisor API call made by `curl ... /v1/healthy`
    m = h.cmd_mono("curl --max-time 5 localhost:48484/v1/healthy") + 0.02
    if h.st["sup_healthy"]:
        h.sup(m, "api", f"GET /v1/healthy 200 - {r.uniform(4, 9):.3f} ms")
    # dnsmasq statistics dumped by `systemctl kill -s USR1 dnsmasq`
    m = h.cmd_mono("systemctl kill -s USR1 dnsmasq") + 0.015
    t = int(h.logged(0, m))
    stats = h.sc.knobs.get("dns_stats")
    sent = r.randint(3000, 9000)
    dnsmasq(h, m, f"time {t}")
    dnsmasq(h, m, f"cache size 150, 0/{r.randint(900, 4000)} cache insertions re-used unexpired cache entries.")
    dnsmasq(h, m, f"queries forwarded {sent}, queries answered locally {r.randint(1500, 6000)}")
    dnsmasq(h, m, "queries for authoritative zones 0")
    dnsmasq(h, m, "pool memory in use 0, max 0, allocated 0")
    for i, up in enumerate(h.st["dns_upstreams"]):
        if stats:
            q, f, tag = stats[i]
        else:
            q, f, tag = (sent if i == 0 else r.randint(0, 40)), r.randint(0, 9), None
        dnsmasq(h, m, f"server {up}#53: queries sent {q}, retried or failed {f}", tag)
    dnsmasq(h, m, "Host                                     Address                        Flags      Expires")
    dnsmasq(h, m, "balena                                   10.114.102.1                   4FRI   H")


def story_base(h: Host) -> None:
    kn, r = h.sc.knobs, h.rng
    h.st["persistent"] = kn.get("persistent", False)
    add_user_containers(h)
    # previous boots (persistent journal only)
    start = h.boot(0).start
    for i, length in enumerate(kn.get("prev_boots", []), start=1):
        gap = r.uniform(20, 90)
        start -= gap + length
        h.boots.append(Boot(-i, hexs(r, 32), start, length))
    h.boots.sort(key=lambda b: b.idx)
    clean = kn.get("prev_boot_clean", True)

    def skew(b: Boot) -> float | None:
        """a clean reboot saves the clock at shutdown; a power cut loses up to an hour more"""
        if b.idx == h.boots[0].idx:
            return None
        before = h.boot(b.idx - 1)
        gap = b.start - (before.start + before.length)
        return gap + (r.uniform(3, 8) if clean else r.uniform(300, 3600))

    for b in h.boots:
        if b.idx == 0:
            continue
        if h.dev.family != "x86" and not kn.get("clock_stuck"):
            clock_step(h, b.idx, skew(b))
        res = boot_sequence(h, b.idx)
        s_t = sup_after_start(h, res["sup_ready"], b.idx, eai_again=False)
        # only the last hours of an old boot matter (journal -n limits)
        periodic(h, b.idx, max(s_t, b.length - kn.get("prev_boot_tail", 6 * 3600)), b.length)
        if clean:
            h.sd(b.length - 1.0, "Stopping Balena Application Container Engine...", "balena.service", boot=b.idx)
            h.sd(b.length - 0.2, "Stopped Balena Application Container Engine.", "balena.service", boot=b.idx)
            h.sd(b.length, "Reached target Reboot.", boot=b.idx)
    if h.dev.family != "x86" and not kn.get("clock_stuck"):
        clock_step(h, 0, skew(h.boot(0)))
    res = boot_sequence(h, 0)
    h.st["engine_active_since"] = res["engine_ready"]
    s_t = sup_after_start(h, res["sup_ready"], 0, eai_again=kn.get("boot_eai_again", True))
    if kn.get("vpn", True):
        h.sup(s_t + r.uniform(1, 4), "info", "VPN connection is active.")
        h.sup(s_t + r.uniform(5, 9), "info", "Internet Connectivity: OK")
    h.st["sup_steady"] = s_t + 10
    end = h.uptime + 60
    periodic(h, 0, s_t + 10, end, vpn=kn.get("vpn", True), sup=kn.get("sup_periodic", True))
    capture_events(h)


# --------------------------------------------------------------------------------------------
# section generators: one per diagnose command.  Signature: g(h, s) -> Out
#   h: the Host, s: the Sched entry of this section (s.start_ns: `date` of the section)
# --------------------------------------------------------------------------------------------


def missing(path: str, prog: str = "cat", status: int = 1) -> Out:
    out = Out(err=[f"{prog}: {path}: No such file or directory"], status=status)
    if status:
        out.out = []
    return out


def curl_meter(total: int, speed: str, spent: str = "--:--:--", err: str | None = None,
               stalled: bool = False) -> list[str]:
    head = ["  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current",
            "                                 Dload  Upload   Total   Spent    Left  Speed"]
    zero = "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0"
    if err is not None:
        return head + [zero + f"\r  0     0    0     0    0     0      0      0 --:--:--  {spent} --:--:--     0"
                       + err]
    done = f"\r100 {total:5d}  100 {total:5d}    0     0 {speed:>6}      0 --:--:-- --:--:-- --:--:-- {speed:>5}"
    if total > 99999 or stalled:
        done = f"\r100 {total}    0 {total}    0     0  {speed}      0 --:--:-- --:--:-- --:--:-- {speed}"
    return head + [zero + done]


def g_category(h: Host, s: Sched) -> Out:
    return Out(out=[s.command[5:]])


def _ptr(h: Host) -> str:
    r = h.rng
    if h.dev.family == "rpi64":
        return "0x4000" + hexs(r, 6)
    if h.dev.family == "x86":
        return "0xc000" + hexs(r, 6)
    return "0x" + r.choice("123456789abcdef") + hexs(r, 6)


def _args(h: Host, n: int) -> str:
    r = h.rng
    vals = []
    for _ in range(n):
        x = r.random()
        vals.append(_ptr(h) if x < 0.6 else r.choice(["0x0", "0x1", "0x2", "0x9", "0x30", "0x8000",
                                                        "0xffffffffffffffff"]))
    return ", ".join(vals)


def go_paths(h: Host) -> tuple[str, str]:
    triple = {"rpi64": "aarch64-poky-linux", "rpi32": "cortexa7t2hf-neon-vfpv4-poky-linux-gnueabi",
              "x86": "corei7-64-poky-linux"}[h.dev.family]
    eng = (f"/work/build/tmp/work/{triple}/balena/{h.dev.engine}+git{h.dev.engine_commit}-r0/git/src/"
           "import/.gopath/src/github.com/docker/docker")
    return "/usr/lib/go/src", eng


GOROUTINE_KINDS = [
    ("IO wait", [("internal/poll.runtime_pollWait", 3, "G/runtime/netpoll.go", 182),
                 ("internal/poll.(*pollDesc).wait", 5, "G/internal/poll/fd_poll_runtime.go", 87),
                 ("internal/poll.(*pollDesc).waitRead(...)", 0, "G/internal/poll/fd_poll_runtime.go", 92),
                 ("internal/poll.(*FD).Read", 7, "G/internal/poll/fd_unix.go", 169),
                 ("net.(*netFD).Read", 7, "G/net/fd_unix.go", 202),
                 ("net.(*conn).Read", 7, "G/net/net.go", 177),
                 ("github.com/docker/docker/cmd/dockerd/hack.(*MalformedHostHeaderOverrideConn).Read", 7,
                  "E/cmd/dockerd/hack/malformed_host_override.go", 110),
                 ("net/http.(*connReader).backgroundRead", 1, "G/net/http/server.go", 677)],
     ("net/http.(*connReader).startBackgroundRead", "G/net/http/server.go", 673)),
    ("select", [("github.com/docker/docker/vendor/google.golang.org/grpc.(*ccBalancerWrapper).watcher", 1,
                 "E/vendor/google.golang.org/grpc/balancer_conn_wrappers.go", 115)],
     ("github.com/docker/docker/vendor/google.golang.org/grpc.newCCBalancerWrapper",
      "E/vendor/google.golang.org/grpc/balancer_conn_wrappers.go", 106)),
    ("chan receive", [("github.com/docker/docker/vendor/google.golang.org/grpc.(*addrConn).resetTransport", 1,
                       "E/vendor/google.golang.org/grpc/clientconn.go", 1077)],
     ("github.com/docker/docker/vendor/google.golang.org/grpc.(*addrConn).connect",
      "E/vendor/google.golang.org/grpc/clientconn.go", 743)),
    ("select", [("github.com/docker/docker/daemon/logger/journald.(*journald).followJournal", 6,
                 "E/daemon/logger/journald/read.go", 246),
                ("github.com/docker/docker/daemon/logger/journald.(*journald).readLogs", 3,
                 "E/daemon/logger/journald/read.go", 363)],
     ("github.com/docker/docker/daemon/logger/journald.(*journald).ReadLogs",
      "E/daemon/logger/journald/read.go", 392)),
    ("select", [("github.com/docker/docker/libcontainerd/remote.(*client).processEventStream", 3,
                 "E/libcontainerd/remote/client.go", 801)],
     ("github.com/docker/docker/libcontainerd/remote.NewClient", "E/libcontainerd/remote/client.go", 84)),
    ("sleep", [("time.Sleep", 1, "G/runtime/time.go", 105),
               ("github.com/docker/docker/daemon/stats.(*Collector).Run", 1, "E/daemon/stats/collector.go", 86)],
     ("github.com/docker/docker/daemon.(*Daemon).newStatsCollector", "E/daemon/stats.go", 160)),
    ("select", [("github.com/docker/docker/daemon.(*Daemon).execCommandGC", 1, "E/daemon/exec.go", 321)],
     ("github.com/docker/docker/daemon.NewDaemon", "E/daemon/daemon.go", 1052)),
    ("IO wait", [("internal/poll.runtime_pollWait", 3, "G/runtime/netpoll.go", 182),
                 ("internal/poll.(*pollDesc).wait", 5, "G/internal/poll/fd_poll_runtime.go", 87),
                 ("internal/poll.(*pollDesc).waitRead(...)", 0, "G/internal/poll/fd_poll_runtime.go", 92),
                 ("internal/poll.(*FD).Accept", 1, "G/internal/poll/fd_unix.go", 384),
                 ("net.(*netFD).accept", 1, "G/net/fd_unix.go", 238),
                 ("net.(*UnixListener).accept", 1, "G/net/unixsock_posix.go", 162),
                 ("net.(*UnixListener).Accept", 1, "G/net/unixsock.go", 260),
                 ("net/http.(*Server).Serve", 3, "G/net/http/server.go", 2859),
                 ("github.com/docker/docker/api/server.(*HTTPServer).Serve(...)", 0, "E/api/server/server.go", 99),
                 ("github.com/docker/docker/api/server.(*Server).serveAPI.func1", 2, "E/api/server/server.go", 84)],
     ("github.com/docker/docker/api/server.(*Server).serveAPI", "E/api/server/server.go", 80)),
    ("semacquire", [("sync.runtime_notifyListWait", 2, "G/runtime/sema.go", 510),
                    ("sync.(*Cond).Wait", 1, "G/sync/cond.go", 56),
                    ("github.com/docker/docker/pkg/ioutils.(*BytesPipe).Read", 4, "E/pkg/ioutils/bytespipe.go", 125),
                    ("io.copyBuffer", 7, "G/io/io.go", 402)],
     ("github.com/docker/docker/container/stream.(*Config).CopyToPipe.func1",
      "E/container/stream/streams.go", 124)),
    ("chan receive", [("github.com/docker/docker/daemon.(*Daemon).ProcessEvent.func1", 2,
                       "E/daemon/monitor.go", 126)],
     ("github.com/docker/docker/daemon.(*Daemon).ProcessEvent", "E/daemon/monitor.go", 120)),
]


def g_pprof(h: Host, s: Sched) -> Out:
    r = h.rng
    gsrc, esrc = go_paths(h)
    up_min = int((h.uptime - h.st.get("engine_active_since", 9)) / 60)

    def path(p: str) -> str:
        return p.replace("G/", gsrc + "/", 1).replace("E/", esrc + "/", 1)

    def frames(fr: list[tuple[str, int, str, int]]) -> list[str]:
        out = []
        for func, n, p, line in fr:
            if func.endswith("(...)"):
                out += [func, f"\t{path(p)}:{line}"]
            else:
                out += [f"{func}({_args(h, n)})", f"\t{path(p)}:{line} +0x{r.randint(0x18, 0x9f0):x}"]
        return out

    gid = r.randint(200000, 600000) if h.uptime > 86400 else r.randint(800, 30000)
    lines = [f"goroutine {gid} [running]:"]
    lines += frames([
        ("runtime/pprof.writeGoroutineStacks", 4, "G/runtime/pprof/pprof.go", 679),
        ("runtime/pprof.writeGoroutine", 5, "G/runtime/pprof/pprof.go", 668),
        ("runtime/pprof.(*Profile).WriteTo", 6, "G/runtime/pprof/pprof.go", 329),
        ("net/http/pprof.handler.ServeHTTP", 5, "G/net/http/pprof/pprof.go", 245),
        ("github.com/docker/docker/api/server/router/debug.handlePprof", 8,
         "E/api/server/router/debug/debug_routes.go", 10),
        ("github.com/docker/docker/api/server/middleware.ExperimentalMiddleware.WrapHandler.func1", 8,
         "E/api/server/middleware/experimental.go", 26),
        ("github.com/docker/docker/api/server/middleware.VersionMiddleware.WrapHandler.func1", 8,
         "E/api/server/middleware/version.go", 62),
        ("github.com/docker/docker/pkg/authorization.(*Middleware).WrapHandler.func1", 8,
         "E/pkg/authorization/middleware.go", 59),
        ("github.com/docker/docker/api/server.(*Server).makeHTTPHandler.func1", 3, "E/api/server/server.go", 142),
        ("net/http.HandlerFunc.ServeHTTP", 4, "G/net/http/server.go", 1995),
        ("github.com/docker/docker/vendor/github.com/gorilla/mux.(*Router).ServeHTTP", 4,
         "E/vendor/github.com/gorilla/mux/mux.go", 212),
        ("github.com/docker/docker/api/server.(*routerSwapper).ServeHTTP", 4, "E/api/server/router_swapper.go", 29),
        ("net/http.serverHandler.ServeHTTP", 4, "G/net/http/server.go", 2774),
        ("net/http.(*conn).serve", 3, "G/net/http/server.go", 1878),
    ])
    lines += ["created by net/http.(*Server).Serve", f"\t{path('G/net/http/server.go')}:2884 +0x2a4", ""]
    lines += [f"goroutine 1 [chan receive, {up_min} minutes]:"]
    lines += frames([
        ("github.com/docker/docker/cmd/dockerd.(*DaemonCli).start", 4, "E/cmd/dockerd/daemon.go", 241),
        ("github.com/docker/docker/cmd/dockerd.runDaemon(...)", 0, "E/cmd/dockerd/docker_unix.go", 13),
        ("github.com/docker/docker/cmd/dockerd.newDaemonCommand.func1", 6, "E/cmd/dockerd/docker.go", 34),
        ("github.com/docker/docker/vendor/github.com/spf13/cobra.(*Command).execute", 6,
         "E/vendor/github.com/spf13/cobra/command.go", 762),
        ("github.com/docker/docker/vendor/github.com/spf13/cobra.(*Command).ExecuteC", 4,
         "E/vendor/github.com/spf13/cobra/command.go", 852),
        ("github.com/docker/docker/cmd/dockerd.Main", 0, "E/cmd/dockerd/docker.go", 98),
        ("main.main", 0, "E/cmd/balena-engine/main.go", 29),
    ])
    lines.append("")
    lines += [f"goroutine 19 [syscall, {up_min} minutes]:"]
    lines += frames([("os/signal.signal_recv", 1, "G/runtime/sigqueue.go", 139),
                     ("os/signal.loop", 0, "G/os/signal/signal_unix.go", 23)])
    lines += ["created by os/signal.init.0", f"\t{path('G/os/signal/signal_unix.go')}:29 +0x38", ""]
    n = h.sc.knobs.get("goroutines", 110)
    used = {1, 19, gid}
    for _ in range(n):
        state, fr, created = GOROUTINE_KINDS[r.randrange(len(GOROUTINE_KINDS))]
        g = r.randint(20, gid - 1)
        while g in used:
            g = r.randint(20, gid - 1)
        used.add(g)
        long_lived = r.random() < 0.7
        dur = f", {up_min if long_lived else r.randint(1, max(1, up_min))} minutes" if r.random() < 0.8 else ""
        lines.append(f"goroutine {g} [{state}{dur}]:")
        lines += frames(fr)
        lines += [f"created by {created[0]}", f"\t{path(created[1])}:{created[2]} +0x{r.randint(0x30, 0x9f0):x}", ""]
    lines.pop()
    size = sum(len(x) + 1 for x in lines)
    err = curl_meter(size, f"{r.randint(1200, 2600)}k", stalled=True)
    return Out(out=lines, err=err)


def g_engine_version(h: Host, s: Sched) -> Out:
    return Out(out=[h.dev.engine_banner])


def table(rows: list[list[str]], widths: list[int] | None = None) -> list[str]:
    """docker CLI tables: columns padded to width+3 (last column unpadded)."""
    n = len(rows[0])
    w = widths or [max(len(row[i]) for row in rows) for i in range(n)]
    out = []
    for row in rows:
        cells = [row[i].ljust(max(w[i] + 3, 20)) if i < n - 1 else row[i] for i in range(n)]
        out.append("".join(cells))
    return out


def g_images(h: Host, s: Sched) -> Out:
    rows = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]]
    for im in h.images:
        rows.append([im.repo, im.tag, im.sha[:12], ago(im.created_ago) + " ago", im.size])
    return Out(out=table(rows))


def container_status(h: Host, c: Container) -> str:
    now = h.t0
    if c.state == "running":
        st = f"Up {ago(now - c.started)}"
        if c.health:
            st += f" ({c.health})"
        return st
    if c.state == "restarting":
        return f"Restarting ({c.exit_code}) {ago(now - c.finished)} ago"
    return f"Exited ({c.exit_code}) {ago(now - c.finished)} ago"


def g_ps_a(h: Host, s: Sched) -> Out:
    rows = [["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]]
    for c in h.containers:
        cmd = " ".join(c.cmd)
        cmd = '"' + (cmd[:19] + "…" if len(cmd) > 20 else cmd) + '"'
        line = [c.short, c.image, cmd, ago(h.t0 - c.created) + " ago", container_status(h, c), "", c.name]
        rows.append(line)
    lines = table(rows)
    tags = [None] + [c.tag for c in h.containers]
    return Out(out=[mark(t, ln) for t, ln in zip(tags, lines, strict=True)])


def g_stats(h: Host, s: Sched) -> Out:
    rows = [["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"]]
    lim_mib = h.dev.mem_kb / 1024
    lim = f"{lim_mib / 1024:.2f}GiB" if lim_mib > 1024 else f"{lim_mib:.1f}MiB"
    for c in h.containers:
        if c.state != "running":
            rows.append([c.short, c.name, "0.00%", "0B / 0B", "0.00%", "0B / 0B", "0B / 0B", "0"])
            continue
        mem = float(c.mem_usage[:-3])
        net = "0B / 0B" if c.network == "host" else f"{h.rng.uniform(1, 90):.1f}MB / {h.rng.uniform(1, 60):.1f}MB"
        rows.append([c.short, c.name, c.cpu, f"{c.mem_usage} / {lim}", f"{mem / lim_mib * 100:.2f}%", net,
                     f"{h.rng.uniform(1, 90):.1f}MB / {h.rng.uniform(0, 40):.3g}kB", str(c.pids)])
    return Out(out=table(rows))


def g_system_df(h: Host, s: Sched) -> Out:
    st = h.st
    total = st.get("images_total", f"{h.rng.uniform(150, 600):.1f}MB")
    active = sum(1 for c in h.containers if c.state == "running")
    rows = [["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"],
            ["Images", str(len(h.images)), str(len(h.images) - 1), total,
             st.get("images_reclaim", "9.136kB (0%)")],
            ["Containers", str(len(h.containers)), str(active), st.get("containers_size", "45B"), "0B (0%)"],
            ["Local Volumes", str(len(h.volumes)), str(len(h.volumes)), st.get("volumes_size", "0B"), "0B"],
            ["Build Cache", "0", "0", "0B", "0B"]]
    return Out(out=table(rows))


def g_volume_ls(h: Host, s: Sched) -> Out:
    rows = [["DRIVER", "VOLUME NAME"]] + [["local", v] for v in h.volumes]
    return Out(out=table(rows))


def g_network_ls(h: Host, s: Sched) -> Out:
    rows = [["NETWORK ID", "NAME", "DRIVER", "SCOPE"]] + [list(n) for n in h.networks]
    return Out(out=table(rows))


def unit_tail(h: Host, s: Sched, unit: str, n: int = 10) -> list[str]:
    m = h.mono_ns(s.start_ns)
    evs = [e for e in h.select(m, units=(unit,)) if e.boot == 0][-n:]
    return [h.jline(e, hostname=True) for e in evs]


def g_status_engine(h: Host, s: Sched) -> Out:
    b0 = h.boot(0)
    since = h.logged(0, h.st.get("engine_active_since") or 9.0)
    bpid, cpid = h.engine_pids(0, h.mono_ns(s.start_ns))
    lines = [
        "● balena.service - Balena Application Container Engine",
        "     Loaded: loaded (/lib/systemd/system/balena.service; enabled; vendor preset: enabled)",
    ]
    if vtuple(h.dev.os_version) >= (2, 84, 0, 0):
        lines += ["    Drop-In: /etc/systemd/system/balena.service.d", "             └─storagemigration.conf"]
    lines += [
        f"     Active: active (running) since {ts_long(since)}; {systemd_ago(h.t0 - since)}",
        "TriggeredBy: ● balena-engine.socket",
        "       Docs: https://www.balena.io/docs/getting-started",
        f"   Main PID: {bpid} (balenad)",
        f"      Tasks: {h.rng.randint(38, 70)} (limit: {4915 if h.dev.mem_kb > 3000000 else 224 if h.dev.mem_kb < 600000 else 1052})",
        f"     Memory: {h.rng.uniform(60, 180):.1f}M",
        "     CGroup: /system.slice/balena.service",
        f"             ├─{bpid} /usr/bin/balenad --experimental --log-driver=journald --storage-driver="
        f"{h.sc.knobs.get('storage', 'overlay2')} -H fd:// -H unix:///var/run/balena.sock -H "
        "unix:///var/run/balena-engine.sock --dns=10.114.102.1 --bip=10.114.101.1/24 "
        "--fixed-cidr=10.114.101.0/25 --max-download-attempts=10 --exec-opt=native.cgroupdriver=systemd",
        f"             ├─{bpid + 3} /proc/self/exe --healthcheck /usr/lib/balena/balena-healthcheck --pid {bpid}",
        f"             ├─{cpid} balena-engine-containerd --config /var/run/balena-engine/containerd/containerd.toml "
        "--log-level info",
    ]
    running = [c for c in h.containers if c.state == "running"]
    for i, c in enumerate(running):
        pre = "└─" if i == len(running) - 1 else "├─"
        lines.append(f"             {pre}{c.pid - 19} balena-engine-containerd-shim -namespace moby -workdir "
                     f"/var/lib/docker/containerd/daemon/io.containerd.runtime.v1.linux/moby/{c.cid} -address "
                     "/var/run/balena-engine/containerd/balena-engine-containerd.sock -containerd-binary "
                     "/usr/bin/balena-engine -containerd-binary-argv0 balena-engine-containerd -runtime-root "
                     "/var/run/balena-engine/runtime-runc -systemd-cgroup")
    del b0
    return Out(out=lines + [""] + unit_tail(h, s, "balena.service"))


def g_j_engine(h: Host, s: Sched) -> Out:
    return Out(out=h.journal(h.mono_ns(s.start_ns), units=("balena.service",), n=200))


def g_j_balenad(h: Host, s: Sched) -> Out:
    return Out(out=h.journal(h.mono_ns(s.start_ns), idents=("balenad",), n=1000))


def iso_z(t: float, nsx: int) -> str:
    d = utc(t)
    return f"{d:%Y-%m-%dT%H:%M:%S}.{d.microsecond:06d}{nsx:03d}Z"


def inspect_obj(h: Host, c: Container) -> dict:
    r = h.rng
    host_net = c.network == "host"
    net_name = "host" if host_net else f"{h.app_id}_default"
    running = c.state == "running"
    state = {
        "Status": c.state, "Running": running, "Paused": False, "Restarting": c.state == "restarting",
        "OOMKilled": c.oom, "Dead": False, "Pid": c.pid if running else 0, "ExitCode": c.exit_code,
        "Error": "", "StartedAt": iso_z(c.started, r.randint(0, 999)),
        "FinishedAt": iso_z(c.finished, r.randint(0, 999)) if c.finished else "0001-01-01T00:00:00Z",
    }
    if c.health:
        log = []
        for i in range(5):
            t = h.t0 - (5 - i) * 30
            log.append({"Start": iso_z(t, r.randint(0, 999)), "End": iso_z(t + 0.4, r.randint(0, 999)),
                        "ExitCode": 1 if c.health == "unhealthy" else 0,
                        "Output": (c.healthcheck_log[-1] if c.healthcheck_log else "")})
        state["Health"] = {"Status": c.health, "FailingStreak": c.failing_streak, "Log": log}
    labels = {"io.balena.app-id": str(h.app_id), "io.balena.supervised": "true"}
    if c.service:
        labels.update({"io.balena.service-id": str(c.service_id), "io.balena.service-name": c.service})
    else:
        labels = {"io.balena.architecture": h.dev.sup_arch, "io.balena.qemu.version": "5.2.0+balena4-arm"}
    mounts = [] if c.service else [
        {"Type": "bind", "Source": src, "Destination": dst, "Mode": "", "RW": True, "Propagation": "rprivate"}
        for src, dst in [("/mnt/boot", "/boot"), ("/mnt/data/resin-data/balena-supervisor", "/data"),
                         ("/var/run/balena-engine.sock", "/var/run/balena-engine.sock"),
                         ("/var/log/supervisor-log", "/var/log"), ("/etc/resolv.conf", "/etc/resolv.conf"),
                         ("/run/dbus", "/run/dbus"), ("/", "/mnt/root")]]
    layer = hexs(r, 64)
    obj = {
        "Id": c.cid,
        "Created": iso_z(c.created, r.randint(0, 999)),
        "Path": c.cmd[0],
        "Args": list(c.cmd[1:]),
        "State": state,
        "Image": "sha256:" + c.image_sha,
        "ResolvConfPath": f"/var/lib/docker/containers/{c.cid}/resolv.conf",
        "HostnamePath": f"/var/lib/docker/containers/{c.cid}/hostname",
        "HostsPath": f"/var/lib/docker/containers/{c.cid}/hosts",
        "LogPath": "",
        "Name": "/" + c.name,
        "RestartCount": c.restart_count,
        "Driver": "overlay2",
        "Platform": "linux",
        "MountLabel": "",
        "ProcessLabel": "",
        "AppArmorProfile": "",
        "ExecIDs": None,
        "HostConfig": {
            "Binds": [f"{m['Source']}:{m['Destination']}" for m in mounts] or None,
            "ContainerIDFile": "",
            "LogConfig": {"Type": "journald", "Config": {}},
            "NetworkMode": net_name,
            "PortBindings": {},
            "RestartPolicy": {"Name": "always" if c.service else "always", "MaximumRetryCount": 0},
            "AutoRemove": False, "VolumeDriver": "", "VolumesFrom": None,
            "CapAdd": [], "CapDrop": [], "Capabilities": None,
            "Dns": [], "DnsOptions": [], "DnsSearch": [], "ExtraHosts": [], "GroupAdd": [],
            "IpcMode": "private" if c.service else "host", "Cgroup": "", "Links": None, "OomScoreAdj": 0,
            "PidMode": "", "Privileged": not c.service, "PublishAllPorts": False, "ReadonlyRootfs": False,
            "SecurityOpt": ["label=disable"] if not c.service else None,
            "UTSMode": "", "UsernsMode": "", "ShmSize": 67108864, "Runtime": "runc",
            "ConsoleSize": [0, 0], "Isolation": "", "CpuShares": 0, "Memory": 0, "NanoCpus": 0,
            "CgroupParent": "", "BlkioWeight": 0, "BlkioWeightDevice": [], "BlkioDeviceReadBps": None,
            "BlkioDeviceWriteBps": None, "BlkioDeviceReadIOps": None, "BlkioDeviceWriteIOps": None,
            "CpuPeriod": 0, "CpuQuota": 0, "CpuRealtimePeriod": 0, "CpuRealtimeRuntime": 0,
            "CpusetCpus": "", "CpusetMems": "", "Devices": [], "DeviceCgroupRules": None,
            "DeviceRequests": None, "KernelMemory": 0, "KernelMemoryTCP": 0, "MemoryReservation": 0,
            "MemorySwap": 0, "MemorySwappiness": None, "OomKillDisable": False, "PidsLimit": None,
            "Ulimits": [], "CpuCount": 0, "CpuPercent": 0, "IOMaximumIOps": 0, "IOMaximumBandwidth": 0,
            "MaskedPaths": ["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                            "/sys/firmware"] if c.service else None,
            "ReadonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
            if c.service else None,
        },
        "GraphDriver": {
            "Data": {
                "LowerDir": f"/var/lib/docker/overlay2/{layer}-init/diff:/var/lib/docker/overlay2/{hexs(r, 64)}/diff:"
                            f"/var/lib/docker/overlay2/{hexs(r, 64)}/diff",
                "MergedDir": f"/var/lib/docker/overlay2/{layer}/merged",
                "UpperDir": f"/var/lib/docker/overlay2/{layer}/diff",
                "WorkDir": f"/var/lib/docker/overlay2/{layer}/work",
            },
            "Name": "overlay2",
        },
        "Mounts": mounts,
        "Config": {
            "Hostname": h.hostname if not c.service else c.cid[:12],
            "Domainname": "", "User": "", "AttachStdin": False, "AttachStdout": False,
            "AttachStderr": False, "Tty": True, "OpenStdin": False, "StdinOnce": False,
            "Cmd": list(c.cmd),
            "Healthcheck": {"Test": ["CMD-SHELL", "/usr/src/app/healthcheck.sh"], "Interval": 30000000000,
                            "Timeout": 10000000000, "Retries": 3} if c.health else None,
            "Image": "sha256:" + c.image_sha if c.service else c.image,
            "Volumes": None,
            "WorkingDir": c.workdir,
            "Entrypoint": list(c.entrypoint) or None,
            "OnBuild": None,
            "Labels": labels,
            "StopSignal": "SIGTERM",
        },
        "NetworkSettings": {
            "Bridge": "", "SandboxID": hexs(r, 64), "HairpinMode": False, "LinkLocalIPv6Address": "",
            "LinkLocalIPv6PrefixLen": 0, "Ports": {}, "SandboxKey": "/var/run/balena-engine/netns/"
            + ("default" if host_net else hexs(r, 12)),
            "SecondaryIPAddresses": None, "SecondaryIPv6Addresses": None, "EndpointID": "",
            "Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0, "IPAddress": "",
            "IPPrefixLen": 0, "IPv6Gateway": "", "MacAddress": "",
            "Networks": {net_name: {
                "IPAMConfig": None if host_net else {}, "Links": None,
                "Aliases": None if host_net else [c.service, c.short],
                "NetworkID": h.networks[2][0] if host_net else h.networks[0][0],
                "EndpointID": hexs(r, 64) if running else "",
                "Gateway": "" if host_net or not running else "172.17.0.1",
                "IPAddress": "" if host_net or not running else c.ip,
                "IPPrefixLen": 0 if host_net or not running else 16,
                "IPv6Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
                "MacAddress": "" if host_net or not running else "02:42:ac:11:00:0" + c.ip[-1],
                "DriverOpts": None}},
        },
    }
    if not c.health:
        del obj["Config"]["Healthcheck"]
    return obj


def g_inspect(h: Host, s: Sched) -> Out:
    text = json.dumps([inspect_obj(h, c) for c in h.containers], indent=2, ensure_ascii=False)
    lines = text.split("\n")
    out = []
    for ln in lines:
        tag = None
        st = ln.strip()
        if st == '"OOMKilled": true,':
            tag = "S17"
        elif st.startswith('"RestartCount": ') and int(st[16:].rstrip(",")) >= 5 or st == '"Status": "unhealthy",':
            tag = "S28"
        out.append(mark(tag, ln))
    return Out(out=out)


def g_net_inspect(h: Host, s: Sched) -> Out:
    running = [c for c in h.containers if c.state == "running"]
    return Out(out=["[]"], status=1,
               err=[mark("B14", f"Error: No such network: {c.short}") for c in running])


def g_migration_log(h: Host, s: Sched) -> Out:
    if h.migration_log is None:
        return Out(status=1)
    return Out(out=list(h.migration_log))


# ---- BOOT ------------------------------------------------------------------------------------


def g_analyze(h: Host, s: Sched) -> Out:
    k = h.sc.knobs.get("kernel_s", 8.762 if h.dev.family != "x86" else 4.118)
    u = h.sc.knobs.get("userspace_s", 20.854)

    def fmt(x: float) -> str:
        return f"{int(x // 60)}min {x % 60:.3f}s" if x >= 60 else f"{x:.3f}s"
    return Out(out=[f"Startup finished in {fmt(k)} (kernel) + {fmt(u)} (userspace) = {fmt(k + u)} ",
                    f"multi-user.target reached after {fmt(u - 0.08)} in userspace"])


def g_critical_chain(h: Host, s: Sched) -> Out:
    u = h.sc.knobs.get("userspace_s", 20.854)
    eng = h.sc.knobs.get("engine_start_s", 10.828)
    sup_at = u - 0.91
    chain = [
        ("multi-user.target", u - 0.08, None),
        ("balena-info@tty1.service", u - 0.14, 0.053),
        (f"{h.sup_unit}.service", sup_at, 0.825),
        ("balena.service", sup_at - eng, eng),
        ("dnsmasq.service", sup_at - eng - 0.213, 0.105),
        ("network.target", sup_at - eng - 0.236, None),
        ("wpa_supplicant.service" if h.dev.wifi else "NetworkManager.service", 10.813, 0.115),
        ("basic.target", 5.543, None),
        ("paths.target", 5.542, None),
        ("config-json.path", 5.457, None),
        ("sysinit.target", 5.447, None),
        ("rngd.service", 5.437, None),
        ("systemd-udev-settle.service", 1.980, 3.405),
        ("systemd-udev-trigger.service", 1.338, 0.558),
        ("systemd-udevd-kernel.socket", 1.136, None),
        ("system.slice", 0.957, None),
        ("-.slice", 0.957, None),
    ]

    def fmt(x: float) -> str:
        if x >= 60:
            return f"{int(x // 60)}min {x % 60:.3f}s"
        return f"{x:.3f}s" if x >= 1 else f"{int(round(x * 1000))}ms"
    out = ['The time when unit became active or started is printed after the "@" character.',
           'The time the unit took to start is printed after the "+" character.', ""]
    for i, (unit, at, took) in enumerate(chain):
        pre = "" if i == 0 else "  " * (i - 1) + "└─"
        out.append(f"{pre}{unit} @{fmt(at)}" + (f" +{fmt(took)}" if took else ""))
    return Out(out=out)


# ---- HARDWARE --------------------------------------------------------------------------------


def g_cpuinfo(h: Host, s: Sched) -> Out:
    dev, r = h.dev, h.rng
    out: list[str] = []
    if dev.family == "x86":
        for i in range(8):
            out += [f"processor\t: {i}", "vendor_id\t: GenuineIntel", "cpu family\t: 6", "model\t\t: 142",
                    "model name\t: Intel(R) Core(TM) i5-8259U CPU @ 2.30GHz", "stepping\t: 10",
                    "microcode\t: 0xf0", f"cpu MHz\t\t: {r.uniform(700, 3800):.3f}", "cache size\t: 6144 KB",
                    "physical id\t: 0", "siblings\t: 8", f"core id\t\t: {i % 4}", "cpu cores\t: 4",
                    f"apicid\t\t: {i}", f"initial apicid\t: {i}", "fpu\t\t: yes", "fpu_exception\t: yes",
                    "cpuid level\t: 22", "wp\t\t: yes",
                    "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts "
                    "acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc art arch_perfmon "
                    "pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni pclmulqdq dtes64 monitor "
                    "ds_cpl vmx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid sse4_1 sse4_2 x2apic movbe popcnt "
                    "aes xsave avx f16c rdrand lahf_lm abm 3dnowprefetch cpuid_fault epb invpcid_single pti "
                    "ssbd ibrs ibpb stibp tpr_shadow vnmi flexpriority ept vpid ept_ad fsgsbase tsc_adjust "
                    "bmi1 avx2 smep bmi2 erms invpcid mpx rdseed adx smap clflushopt intel_pt xsaveopt xsavec "
                    "xgetbv1 xsaves dtherm ida arat pln pts hwp hwp_notify hwp_act_window hwp_epp md_clear "
                    "flush_l1d arch_capabilities",
                    "vmx flags\t: vnmi preemption_timer invvpid ept_x_only ept_ad ept_1gb flexpriority tsc_offset "
                    "vtpr mtf vapic ept vpid unrestricted_guest ple pml ept_mode_based_exec",
                    "bugs\t\t: cpu_meltdown spectre_v1 spectre_v2 spec_store_bypass l1tf mds swapgs itlb_multihit "
                    "srbds", "bogomips\t: 4599.93", "clflush size\t: 64", "cache_alignment\t: 64",
                    "address sizes\t: 39 bits physical, 48 bits virtual", "power management:", ""]
        return Out(out=out[:-1])
    for i in range(dev.cpus):
        out.append(f"processor\t: {i}")
        if dev.family == "rpi32":
            out.append("model name\t: ARMv7 Processor rev 4 (v7l)")
            out += ["BogoMIPS\t: 38.40",
                    "Features\t: half thumb fastmult vfp edsp neon vfpv3 tls vfpv4 idiva idivt vfpd32 lpae "
                    "evtstrm crc32", "CPU implementer\t: 0x41", "CPU architecture: 7"]
        else:
            out += ["BogoMIPS\t: " + ("108.00" if dev.cpu_part == "0xd08" else "38.40"),
                    "Features\t: fp asimd evtstrm crc32 cpuid", "CPU implementer\t: 0x41", "CPU architecture: 8"]
        out += ["CPU variant\t: 0x0", f"CPU part\t: {dev.cpu_part}",
                f"CPU revision\t: {3 if dev.cpu_part == '0xd08' else 4}", ""]
    serial = "0000000" + hexs(r, 9)
    if h.identity:
        serial = h.identity["serial"]
    out += [f"Hardware\t: {dev.soc if dev.family == 'rpi64' else 'BCM2835'}", f"Revision\t: {dev.hw_revision}",
            f"Serial\t\t: {serial}", f"Model\t\t: {dev.model}"]
    return Out(out=out)


def g_model(h: Host, s: Sched) -> Out:
    if not h.dev.model:
        return missing("/proc/device-tree/model")
    return Out(tail=h.dev.model + "\0")


def mem_info(h: Host) -> dict[str, int]:
    if "mem" in h.st:
        return h.st["mem"]
    r, total = h.rng, h.dev.mem_kb
    avail = int(total * h.st["mem_avail_pct"] / 100)
    free = int(avail * r.uniform(0.25, 0.4))
    buffers = int(total * r.uniform(0.02, 0.05))
    cached = max(avail - free - buffers + int(total * 0.03), 4000)
    shmem = int(total * r.uniform(0.01, 0.03))
    swap = int(total / 2) if h.dev.family != "x86" else 0
    m = {"MemTotal": total, "MemFree": free, "MemAvailable": avail, "Buffers": buffers, "Cached": cached,
         "SwapCached": r.randint(0, 300), "Shmem": shmem, "SwapTotal": swap,
         "SwapFree": swap - (r.randint(0, 4000) if h.st["mem_avail_pct"] > 20 else int(swap * 0.93)),
         "Slab": int(total * 0.09), "AnonPages": total - avail - int(total * 0.12)}
    h.st["mem"] = m
    return m


def g_meminfo(h: Host, s: Sched) -> Out:
    m, r = mem_info(h), h.rng
    total = m["MemTotal"]
    rows = [("MemTotal", total), ("MemFree", m["MemFree"]), ("MemAvailable", m["MemAvailable"]),
            ("Buffers", m["Buffers"]), ("Cached", m["Cached"]), ("SwapCached", m["SwapCached"]),
            ("Active", int(total * 0.23)), ("Inactive", int(total * 0.44)),
            ("Active(anon)", int(total * 0.015)), ("Inactive(anon)", int(m["AnonPages"] * 0.9)),
            ("Active(file)", int(total * 0.21)), ("Inactive(file)", int(total * 0.17)),
            ("Unevictable", 0), ("Mlocked", 0), ("SwapTotal", m["SwapTotal"]), ("SwapFree", m["SwapFree"]),
            ("Dirty", r.randint(8, 400)), ("Writeback", 0), ("AnonPages", m["AnonPages"]),
            ("Mapped", int(total * 0.2)), ("Shmem", m["Shmem"]), ("KReclaimable", int(m["Slab"] * 0.45)),
            ("Slab", m["Slab"]), ("SReclaimable", int(m["Slab"] * 0.45)), ("SUnreclaim", int(m["Slab"] * 0.55)),
            ("KernelStack", 3136), ("PageTables", int(total * 0.0064)), ("NFS_Unstable", 0), ("Bounce", 0),
            ("WritebackTmp", 0), ("CommitLimit", total // 2 + m["SwapTotal"] // 2),
            ("Committed_AS", int(total * 2.4)), ("VmallocTotal", 262930368 if h.dev.family != "rpi32" else 1064960),
            ("VmallocUsed", 9804), ("VmallocChunk", 0), ("Percpu", 1856)]
    if h.dev.family != "x86":
        rows += [("CmaTotal", 262144), ("CmaFree", r.randint(20000, 60000))]
    else:
        rows += [("HugePages_Total", 0), ("HugePages_Free", 0), ("Hugepagesize", 2048),
                 ("DirectMap4k", 262144), ("DirectMap2M", 8114176)]
    out = []
    for k, v in rows:
        if k.startswith("HugePages_T") or k.startswith("HugePages_F"):
            out.append(f"{k + ':':<15}{v:>8}")
            continue
        line = f"{k + ':':<16}{v:>8} kB"
        out.append(line)
    return Out(out=out)


KTHREADS = ["kthreadd", "rcu_gp", "rcu_par_gp", "mm_percpu_wq", "rcu_tasks_kthre", "rcu_tasks_rude_",
            "rcu_tasks_trace", "ksoftirqd/0", "rcu_preempt", "migration/0", "cpuhp/0", "cpuhp/1",
            "migration/1", "ksoftirqd/1", "cpuhp/2", "migration/2", "ksoftirqd/2", "cpuhp/3", "migration/3",
            "ksoftirqd/3", "kdevtmpfs", "netns", "kauditd", "khungtaskd", "oom_reaper", "writeback",
            "kcompactd0", "kblockd", "blkcg_punt_bio", "md", "watchdogd", "kworker/0:1H-mmc_complete", "rpciod",
            "kworker/u9:0-hci0", "xprtiod", "kswapd0", "nfsiod", "iscsi_eh", "iscsi_destroy", "dwc_otg",
            "DWC Notificatio", "vchiq-slot/0", "vchiq-recy/0", "vchiq-sync/0", "ipv6_addrconf", "zswap-shrink",
            "mmc_complete", "kworker/1:1H-mmc_complete"]


@dataclass
class Proc:
    pid: int
    ppid: int
    user: str
    comm: str
    args: str
    vsz_kb: int
    cpu_s: int
    stat: str = "S"
    cpu_pct: int = 0


def processes(h: Host, s: Sched, tool: str) -> list[Proc]:
    r, p, dev = h.rng, h.pid, h.dev
    frac = h.uptime / 266000
    procs: list[Proc] = [Proc(1, 0, "root", "systemd", "{systemd} /sbin/init", 94108, int(58 * frac * 60) // 60)]
    kpid = 2
    for k in KTHREADS:
        if dev.family == "x86" and any(x in k for x in ("vchiq", "dwc", "DWC", "mmc")):
            continue
        procs.append(Proc(kpid, 0 if k == "kthreadd" else 2, "root", k, f"[{k[:15]}]", 0,
                          int(r.uniform(0, 30) * frac), "IW" if "kworker" in k or k.startswith("rcu_") else "SW"))
        kpid += 1 if kpid < 20 else r.randint(1, 6)
    for part in (2, 5, 6):
        procs.append(Proc(kpid + 700 + part, 2, "root", f"jbd2/{dev.dpart}{part}-", f"[jbd2/{dev.dpart}{part}-]",
                          0, int(22 * frac), "SW"))
        procs.append(Proc(kpid + 701 + part, 2, "root", "ext4-rsv-conver", "[ext4-rsv-conver]", 0, 0, "IW<"))
    bpid, cpid = h.engine_pids(0, h.mono_ns(s.start_ns))
    iface_wifi = dev.wifi
    user = [
        (p["journald"], 1, "root", "systemd-journal", "/lib/systemd/systemd-journald", 31576, 18),
        (p["udevd"], 1, "root", "systemd-udevd", "/lib/systemd/systemd-udevd", 5892, 2),
        (p["rngd"], 1, "root", "rngd", "/usr/sbin/rngd -f -r /dev/hwrng", 298000, 88),
        (p["plymouthd"], 1, "root", "plymouthd", "@sbin/plymouthd --tty=tty1 --mode=boot --pid-file=/run/plymouth/pid "
         "--attach-to-session --kernel-command-line=plymouth.ignore-serial-consoles splash", 10404, 300),
        (p["modem"], 1, "root", "ModemManager", "/usr/sbin/ModemManager --log-journal", 314000, 0),
        (p["chronyd"], 1, "root", "chronyd", "/usr/sbin/chronyd -d", 77680, 0),
        (p["dbus"], 1, "messageb", "dbus-daemon", "/usr/bin/dbus-daemon --system --address=systemd: --nofork "
         "--nopidfile --systemd-activation --syslog-only", 4720, 3),
        (p["logind"], 1, "root", "systemd-logind", "/lib/systemd/systemd-logind", 6984, 5),
        (p["nm"], 1, "root", "NetworkManager", "/usr/sbin/NetworkManager --no-daemon", 868000, 185),
        (p["dnsmasq"], 1, "nobody", "dnsmasq", "/usr/bin/dnsmasq -x /run/dnsmasq.pid -a 127.0.0.2,10.114.102.1 -7 "
         "/etc/dnsmasq.d/ -r /etc/resolv.dnsmasq -z --servers-file=/run/dnsmasq.servers -k --log-facility=-", 4148, 9),
        (bpid, 1, "root", "balenad", "/usr/bin/balenad --experimental --log-driver=journald --storage-driver="
         f"{h.sc.knobs.get('storage', 'overlay2')} -H fd:// -H unix:///var/run/balena.sock -H "
         "unix:///var/run/balena-engine.sock --dns=10.114.102.1 --bip=10.114.101.1/24 --fixed-cidr=10.114.101.0/25 "
         "--max-download-attempts=10 --exec-opt=native.cgroupdriver=systemd", 1403000, 2862),
        (bpid + 3, bpid, "root", "exe", f"/proc/self/exe --healthcheck /usr/lib/balena/balena-healthcheck --pid {bpid}",
         4668, 1),
        (p["avahi"], 1, "avahi", "avahi-daemon", f"avahi-daemon: running [{h.hostname}.local]", 5264, 2),
        (p["avahi"] + 4, p["avahi"], "avahi", "avahi-daemon", "avahi-daemon: chroot helper", 4740, 0),
        (cpid, bpid, "root", "balena-engine-c", "balena-engine-containerd --config "
         "/var/run/balena-engine/containerd/containerd.toml --log-level info", 1254000, 2202),
        (p["start-sup"], 1, "root", "start-balena-su", "{start-balena-su} /bin/sh /usr/bin/start-balena-supervisor",
         3672, 0),
        (p["sup-healthdog"], p["start-sup"], "root", "exe", "/proc/self/exe --healthcheck "
         f"/usr/lib/balena-supervisor/balena-supervisor-healthcheck --pid {p['start-sup']}", 4668, 3),
        (p["supervisor"], p["start-sup"], "root", "balena", f"balena start --attach {h.sup_name}", 812000, 174),
        (p["sup-shim"], cpid, "root", "balena-engine-c", "balena-engine-containerd-shim -namespace moby -workdir "
         f"/var/lib/docker/containerd/daemon/io.containerd.runtime.v1.linux/moby/{h.sup_cid_full} -address "
         "/var/run/balena-engine/containerd/balena-engine-containerd.sock -containerd-binary /usr/bin/balena-engine "
         "-containerd-binary-argv0 balena-engine-containerd -runtime-root /var/run/balena-engine/runtime-runc",
         958000, 932),
        (p["sup-node"], p["sup-shim"], "root", "node", "node /usr/src/app/dist/app.js", 287000, 4120),
        (p["sup-journalctl"], p["sup-node"], "root", "journalctl",
         "journalctl -a --follow -o json _SYSTEMD_UNIT=balena.service", 19088, 5),
        (p["openvpn"], 1, "openvpn", "openvpn", "/usr/sbin/openvpn --writepid /run/openvpn/openvpn.pid --cd "
         "/etc/openvpn/ --config /etc/openvpn/openvpn.conf --connect-retry 5 120", 7828, 12),
        (p["start-sup"] - 470, 1, "root", "agetty", "/sbin/agetty -o -p -- \\u --noclear tty1 linux", 2060, 0),
    ]
    if dev.family != "x86":
        user += [(p["wpa"], 1, "root", "wpa_supplicant", "/usr/sbin/wpa_supplicant -u", 11316, 4),
                 (p["hciattach"], 1, "root", "hciattach", "/usr/bin/hciattach /dev/serial1 bcm43xx 3000000 flow - "
                  f"b8:27:eb:{hexs(r, 2)}:{hexs(r, 2)}:{hexs(r, 2)}", 2084, 0),
                 (p["bluetoothd"], 1, "root", "bluetoothd", "/usr/libexec/bluetooth/bluetoothd --experimental", 7344, 0),
                 (p["start-sup"] - 449, 1, "root", "agetty", "/sbin/agetty -8 -L serial0 115200 xterm", 2060, 0)]
    del iface_wifi
    for c in h.containers:
        if c.network == "host" or c.state != "running":
            continue
        shim = c.pid - 19
        user.append((shim, cpid, "root", "balena-engine-c", "balena-engine-containerd-shim -namespace moby -workdir "
                     f"/var/lib/docker/containerd/daemon/io.containerd.runtime.v1.linux/moby/{c.cid} -address "
                     "/var/run/balena-engine/containerd/balena-engine-containerd.sock -containerd-binary "
                     "/usr/bin/balena-engine -containerd-binary-argv0 balena-engine-containerd -runtime-root "
                     "/var/run/balena-engine/runtime-runc", 936000, 300))
        user.append((c.pid, shim, "root", c.cmd[0].rsplit("/", 1)[-1][:15] if c.cmd[0] != "/usr/bin/entry.sh"
                     else "node", " ".join(c.cmd[1:]) if c.cmd[0] == "/usr/bin/entry.sh" else " ".join(c.cmd),
                     int(float(c.mem_usage[:-3]) * 1024 * 2.6), 900))
    for pid, ppid, u, comm, args, vsz, cpu in user:
        pr = Proc(pid, ppid, u, comm, args, vsz, int(cpu * frac * 60))
        procs.append(pr)
    heavy = h.st.get("heavy_proc")
    if heavy:
        for pr in procs:
            if pr.args.startswith(heavy):
                pr.cpu_pct, pr.stat = 89, "R"
    # the diagnostics run itself
    if "pid_hi" not in h.st:     # the diagnostics processes are the newest ones on the device
        known = [p.pid for p in procs] + [run[1] for run in h.sup_runs.get(0, [])]
        h.st["pid_hi"] = int(min(4_000_000, max(2500 + h.uptime * 1.95, max(known) + r.randint(2000, 4000))))
    hi = h.st["pid_hi"]
    # the second ps/top (OS category) runs ~10 s after the first one (HARDWARE category)
    second = any(x.command == s.command and x.start_ns == s.start_ns for x in h.schedule[60:])
    base = hi + (0 if tool == "ps" else 10) + (230 if second else 0)
    sh_pid = hi - 404
    procs += [Proc(sh_pid - 2, 1, "root", "sshd", "sshd: root@notty", 6604, 0),
              Proc(sh_pid, sh_pid - 2, "root", "sh", "sh -c /bin/sh", 3444, 0),
              Proc(sh_pid + 2, sh_pid, "root", "bash", "bash -s --", 3576, 0),
              Proc(base, sh_pid + 2, "root", "time", f"/usr/bin/time -o /dev/stdout timeout --preserve-status "
                   f"--kill-after=20 -v 10 bash -c {tool if tool == 'ps' else 'top -b -n 1'}", 3148, 0),
              Proc(base + 1, base, "root", "timeout", "timeout --preserve-status --kill-after=20 -v 10 bash -c "
                   + (tool if tool == "ps" else "top -b -n 1"), 2232, 0),
              Proc(base + 2, base + 1, "root", tool, "top -b -n 1" if tool == "top" else "ps", 3280, 0, "R",
                   4 if tool == "top" else 0)]
    for i in range(r.randint(8, 16)):
        w = f"kworker/{r.randint(0, dev.cpus - 1)}:{r.randint(0, 3)}{r.choice(['', 'H'])}-" + r.choice(
            ["events", "mm_percpu_wq", "events_freezable", "cgroup_destroy", "kblockd"])
        procs.append(Proc(hi - 5000 + i * r.randint(50, 400), 2, "root", w, f"[{w[:15]}]", 0, 0, "IW"))
    procs.sort(key=lambda x: x.pid)
    return procs


def fmt_cputime(sec: int) -> str:
    return f"{sec // 3600:02d}:{(sec % 3600) // 60:02d}:{sec % 60:02d}"


def g_ps(h: Host, s: Sched) -> Out:
    out = ["    PID TTY          TIME CMD"]
    for p in processes(h, s, "ps"):
        out.append(f"{p.pid:7d} ?        {fmt_cputime(p.cpu_s)} {p.comm}")
    return Out(out=out)


def g_top(h: Host, s: Sched) -> Out:
    m, r = mem_info(h), h.rng
    procs = processes(h, s, "top")
    used = m["MemTotal"] - m["MemFree"]
    load = h.st["load"]
    idle = h.st["cpu_idle"]
    usr = max(0, 100 - idle - 4)
    out = [f"Mem: {used}K used, {m['MemFree']}K free, {m['Shmem']}K shrd, {m['Buffers']}K buff, "
           f"{m['Cached']}K cached",
           f"CPU: {usr:3d}% usr {4 if idle < 99 else 0:3d}% sys   0% nic {idle:3d}% idle   0% io   0% irq   0% sirq",
           f"Load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} {r.randint(1, 3)}/{len(procs) + 60} "
           f"{procs[-1].pid}",
           "  PID  PPID USER     STAT   VSZ %VSZ %CPU COMMAND"]
    total = m["MemTotal"]

    def vsz(k: int) -> str:
        return f"{k // 1024}m" if k >= 100000 else str(k)
    for p in sorted(procs, key=lambda x: (-x.cpu_pct, -x.vsz_kb)):
        cmd = p.args if p.vsz_kb else p.args
        out.append(f"{p.pid:5d} {p.ppid:5d} {p.user:<8} {p.stat:<4} {vsz(p.vsz_kb):>5} "
                   f"{int(p.vsz_kb * 100 / total):3d}% {p.cpu_pct:3d}% {cmd}")
    return Out(out=out)


def g_provisioning(h: Host, s: Sched) -> Out:
    out = missing("/var/log/provisioning-progress.log")
    return out


def ch(n_bytes: float) -> str:
    """coreutils df -h: 1024-based, ceil, one decimal below 10."""
    if n_bytes <= 0:
        return "0"
    units = ["", "K", "M", "G", "T"]
    i = 0
    x = float(n_bytes)
    while x >= 1024 and i < 4:
        x /= 1024
        i += 1
    if i == 0:
        return str(int(x))
    if x < 10:
        v = (int(x * 10) + (1 if x * 10 > int(x * 10) else 0)) / 10
        if v >= 10:
            return f"{int(v)}{units[i]}"
        return f"{v:.1f}{units[i]}"
    return f"{int(x) + (1 if x > int(x) else 0)}{units[i]}"


def filesystems(h: Host) -> list[tuple[str, float, float, str, str, int]]:
    """(device, size bytes, used bytes, mountpoint, fstype, inodes)"""
    if "fs" in h.st:
        return h.st["fs"]
    r, dev, st = h.rng, h.dev, h.st
    M, G = 1024 ** 2, 1024 ** 3
    ram = dev.mem_kb * 1024
    data = dev.data_gb * G
    used = data * st["data_used_pct"] / 100
    state_used = r.uniform(0.2, 0.6) * M
    rows = [
        ("/dev/root", 295 * M, r.uniform(240, 252) * M, "/", "ext4", 76000),
        ("devtmpfs", ram * 0.42, 0, "/dev", "devtmpfs", 47921),
        ("tmpfs", ram / 2, 0, "/dev/shm", "tmpfs", 57212),
        ("tmpfs", ram / 5, r.uniform(8, 14) * M, "/run", "tmpfs", 819200),
        ("tmpfs", 4 * M, 0, "/sys/fs/cgroup", "tmpfs", 1024),
        (f"/dev/{dev.dpart}1", 40 * M, r.uniform(19, 22) * M, "/mnt/boot", "vfat", 0),
        ("tmpfs", ram / 2, r.uniform(4, 260) * 1024, "/tmp", "tmpfs", 57212),
        ("tmpfs", ram / 2, r.uniform(40, 80) * 1024, "/var/volatile", "tmpfs", 57212),
        (f"/dev/{dev.dpart}5", 19 * M, state_used, "/mnt/state", "ext4", 5136),
        (f"/dev/{dev.dpart}6", data, used, "/mnt/data", "ext4", int(data / 16384)),
    ]
    for mp in ("/etc/machine-id", "/etc/hostname", "/etc/NetworkManager/system-connections",
               "/var/lib/NetworkManager", "/var/lib/chrony", "/var/lib/systemd", "/home/root/.ssh"):
        rows.append((f"/dev/{dev.dpart}5", 19 * M, state_used, mp, "ext4", 5136))
    for c in h.containers:
        if c.state == "running":
            rows.append(("overlay", data, used, f"/var/lib/docker/overlay2/{hexs(r, 64)}/merged", "overlay",
                         int(data / 16384)))
    st["fs"] = rows
    return rows


def df_table(rows: list[list[str]]) -> list[str]:
    w = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    out = []
    for row in rows:
        cells = [row[0].ljust(w[0])] + [row[i].rjust(w[i]) for i in range(1, len(w))] + [row[-1]]
        out.append(" ".join(cells))
    return out


def g_df(h: Host, s: Sched) -> Out:
    rows = [["Filesystem", "Size", "Used", "Avail", "Use%", "Mounted on"]]
    tags: list[str | None] = [None]
    for devname, size, used, mp, _fs, _ino in filesystems(h):
        avail = max(size - used - (size * 0.05 if _fs in ("ext4", "overlay") else 0), 0)
        pct = int(-(-used * 100 // (used + avail))) if used else 0
        rows.append([devname, ch(size), ch(used), ch(avail), f"{pct}%", mp])
        tags.append("S14" if (mp == "/mnt/data" and pct >= 90) else None)
    return Out(out=[mark(t, ln) for t, ln in zip(tags, df_table(rows), strict=True)])


def g_dfi(h: Host, s: Sched) -> Out:
    rows = [["Filesystem", "Inodes", "IUsed", "IFree", "IUse%", "Mounted on"]]
    r = h.rng

    def k(n: int) -> str:
        return "0" if n == 0 else (f"{n / 1000:.0f}K" if n >= 10000 else f"{n / 1000:.1f}K" if n >= 1000 else str(n))
    for devname, _size, _used, mp, fs, ino in filesystems(h):
        if fs == "vfat":
            rows.append([devname, "0", "0", "0", "-", mp])
            continue
        used = int(ino * (r.uniform(0.001, 0.05) if fs == "tmpfs" else r.uniform(0.02, 0.12)))
        rows.append([devname, k(ino), k(used), k(ino - used), f"{max(1, used * 100 // max(ino, 1))}%", mp])
    return Out(out=df_table(rows))


def g_thermal(h: Host, s: Sched) -> Out:
    r = h.rng
    if h.dev.family == "x86":
        return Out(out=["/sys/class/thermal/thermal_zone0", str(27800),
                        "/sys/class/thermal/thermal_zone1", str(h.st["temp"] - 5000 + r.randint(0, 999))])
    return Out(out=["/sys/class/thermal/thermal_zone0", str(h.st["temp"] + r.randint(0, 999))])


def g_mmc(h: Host, s: Sched) -> Out:
    d = h.dev
    if d.family == "x86":
        return Out()
    addr = hexs(h.rng, 4)
    return Out(out=[f"/sys/class/mmc_host/mmc0/mmc0:{addr}", f"manfid:{d.mmc_manfid}", f"oemid:{d.mmc_oemid}",
                    f"name:{d.mmc_name}", "hwrev:0x8" if d.mmc_oemid != "0x0100" else "hwrev:0x0", "fwrev:0x0"])


def g_free(h: Host, s: Sched) -> Out:
    m = mem_info(h)
    used = m["MemTotal"] - m["MemFree"] - m["Buffers"] - m["Cached"]
    cache = m["Buffers"] + m["Cached"]
    return Out(out=[
        "              total        used        free      shared  buff/cache   available",
        f"Mem:   {m['MemTotal']:12d}{used:12d}{m['MemFree']:12d}{m['Shmem']:12d}{cache:12d}{m['MemAvailable']:12d}",
        f"Swap:  {m['SwapTotal']:12d}{m['SwapTotal'] - m['SwapFree']:12d}{m['SwapFree']:12d}",
    ])


def g_ls_dev(h: Host, s: Sched) -> Out:
    dev = h.dev
    boot = h.boot(0)
    d = utc(boot.start + 9)
    date = f"{d:%b} {d.day:2d} {d:%H:%M}"
    ents: list[tuple[str, str, str, str, str]] = []   # perms, owner, group, size, name

    def c(name: str, maj: int, mi: int, grp: str = "root", perm: str = "crw-rw----") -> None:
        ents.append((perm, "root", grp, f"{maj}, {mi:3d}", name))

    def dr(name: str, size: int = 60) -> None:
        ents.append(("drwxr-xr-x", "root", "root", str(size), name))

    def ln(name: str, target: str) -> None:
        ents.append(("lrwxrwxrwx", "root", "root", str(len(target)), f"{name} -> {target}"))
    c("autofs", 10, 235, perm="crw-r--r--")
    dr("block", 560)
    dr("bsg", 100)
    c("btrfs-control", 10, 234)
    dr("bus", 60)
    c("cachefiles", 10, 223)
    dr("char", 1520)
    c("console", 5, 1, "tty", "crw--w----")
    c("cpu_dma_latency", 10, 59)
    c("cuse", 10, 203, perm="crw-rw-rw-")
    dr("disk", 140)
    if dev.family != "x86":
        dr("dri", 100)
        c("fb0", 29, 0, "video")
    c("full", 1, 7, perm="crw-rw-rw-")
    c("fuse", 10, 229, perm="crw-rw-rw-")
    if dev.family != "x86":
        for i in range(2):
            c(f"gpiochip{i}", 254, i, "gpio")
        c("gpiomem", 246, 0, "gpio")
    c("hwrng", 10, 183)
    ln("initctl", "/run/initctl")
    dr("input", 80)
    c("kmsg", 1, 11, perm="crw-r--r--")
    ln("log", "/run/systemd/journal/dev-log")
    c("loop-control", 10, 237, "disk")
    for i in range(8):
        ents.append(("brw-rw----", "root", "disk", f"7, {i:3d}", f"loop{i}"))
    dr("mapper", 60)
    c("mem", 1, 1, "kmem", "crw-r-----")
    base = 179 if dev.family != "x86" else 259
    ents.append(("brw-rw----", "root", "disk", f"{base},   0", dev.disk))
    for i in (1, 2, 3, 4, 5, 6):
        ents.append(("brw-rw----", "root", "disk", f"{base}, {i:3d}", f"{dev.dpart}{i}"))
    dr("mqueue", 40)
    dr("net", 60)
    c("null", 1, 3, perm="crw-rw-rw-")
    c("ppp", 108, 0)
    c("ptmx", 5, 2, "tty", "crw-rw-rw-")
    dr("pts", 0)
    for i in range(16):
        ents.append(("brw-rw----", "root", "disk", f"1, {i:3d}", f"ram{i}"))
    c("random", 1, 8, perm="crw-rw-rw-")
    c("rfkill", 10, 242)
    if dev.family != "x86":
        ln("serial0", "ttyS0")
        ln("serial1", "ttyAMA0")
    dr("shm", 40)
    dr("snd", 100)
    ln("stderr", "/proc/self/fd/2")
    ln("stdin", "/proc/self/fd/0")
    ln("stdout", "/proc/self/fd/1")
    c("tty", 5, 0, "tty", "crw-rw-rw-")
    for i in range(64):
        c(f"tty{i}", 4, i, "tty", "crw--w----" if i else "crw--w----")
    if dev.family != "x86":
        c("ttyAMA0", 204, 64, "dialout")
        c("ttyS0", 4, 64, "dialout")
    else:
        for i in range(4):
            c(f"ttyS{i}", 4, 64 + i, "dialout")
    c("ttyprintk", 5, 3, perm="crw-------")
    c("uhid", 10, 239, perm="crw-------")
    c("uinput", 10, 223, perm="crw-------")
    c("urandom", 1, 9, perm="crw-rw-rw-")
    if dev.family != "x86":
        c("vc-mem", 246, 0, "video")
        c("vchiq", 245, 0, "video")
        c("vcio", 244, 0, "video")
    for i in range(1, 7):
        c(f"vcs{i}", 7, i, "tty")
        c(f"vcsa{i}", 7, 128 + i, "tty")
    c("vhci", 10, 137, perm="crw-------")
    c("watchdog", 10, 130, perm="crw-------")
    c("watchdog0", 248, 0, perm="crw-------")
    c("zero", 1, 5, perm="crw-rw-rw-")
    ents.sort(key=lambda e: e[4].lower())
    w_owner = 4
    w_size = max(len(e[3]) for e in ents)
    w_grp = max(len(e[2]) for e in ents)
    out = ["total 0"]
    for perm, owner, grp, size, name in ents:
        n = 2 if perm.startswith("d") else 1
        out.append(f"{perm} {n} {owner:<{w_owner}} {grp:<{w_grp}} {size:>{w_size}} {date} {name}")
    return Out(out=out)


USB_ROOT = """Bus 001 Device 001: ID 1d6b:0002 Linux Foundation 2.0 root hub
Device Descriptor:
  bLength                18
  bDescriptorType         1
  bcdUSB               2.00
  bDeviceClass            9 Hub
  bDeviceSubClass         0
  bDeviceProtocol         1 Single TT
  bMaxPacketSize0        64
  idVendor           0x1d6b Linux Foundation
  idProduct          0x0002 2.0 root hub
  bcdDevice            {kv}
  iManufacturer           3 Linux {kernel} {hcd}
  iProduct                2 {product}
  iSerial                 1 {serial}
  bNumConfigurations      1
  Configuration Descriptor:
    bLength                 9
    bDescriptorType         2
    wTotalLength       0x0019
    bNumInterfaces          1
    bConfigurationValue     1
    iConfiguration          0
    bmAttributes         0xe0
      Self Powered
      Remote Wakeup
    MaxPower                0mA
    Interface Descriptor:
      bLength                 9
      bDescriptorType         4
      bInterfaceNumber        0
      bAlternateSetting       0
      bNumEndpoints           1
      bInterfaceClass         9 Hub
      bInterfaceSubClass      0
      bInterfaceProtocol      0
      iInterface              0
      Endpoint Descriptor:
        bLength                 7
        bDescriptorType         5
        bEndpointAddress     0x81  EP 1 IN
        bmAttributes            3
          Transfer Type            Interrupt
          Synch Type               None
          Usage Type               Data
        wMaxPacketSize     0x0004  1x 4 bytes
        bInterval              12
Hub Descriptor:
  bLength               9
  bDescriptorType      41
  nNbrPorts             {ports}
  wHubCharacteristic 0x000a
    No power switching (usb 1.0)
    Per-port overcurrent protection
  bPwrOn2PwrGood       10 * 2 milli seconds
  bHubContrCurrent      0 milli Ampere
  DeviceRemovable    0x00
  PortPwrCtrlMask    0xff
 Hub Port Status:
{ports_status}Device Status:     0x0001
  Self Powered"""


def g_lsusb(h: Host, s: Sched) -> Out:
    dev = h.dev
    kv = ".".join(dev.kernel.split("-")[0].split(".")[:2])
    hcd = "dwc_otg_hcd" if dev.family != "x86" else "xhci-hcd"
    ports = 1 if dev.slug.startswith("raspberrypi0") else 4
    status = "".join(f"   Port {i}: 0000.0100 power\n" for i in range(1, ports + 1))
    text = USB_ROOT.format(kv=kv, kernel=dev.kernel, hcd=hcd, product="DWC OTG Controller" if hcd == "dwc_otg_hcd"
                           else "xHCI Host Controller", serial="3f980000.usb" if hcd == "dwc_otg_hcd"
                           else "0000:00:14.0", ports=ports, ports_status=status)
    out = [""] + text.split("\n")
    errs = ["Couldn't open device, some information will be missing"]
    if ports > 1:
        extra = [
            "", "Bus 001 Device 002: ID 0424:9514 Microchip Technology, Inc. (formerly SMSC) SMC9514 Hub",
            "Device Descriptor:", "  bLength                18", "  bDescriptorType         1",
            "  bcdUSB               2.00", "  bDeviceClass            9 Hub", "  bDeviceSubClass         0",
            "  bDeviceProtocol         2 TT per port", "  bMaxPacketSize0        64",
            "  idVendor           0x0424 Microchip Technology, Inc. (formerly SMSC)",
            "  idProduct          0x9514 SMC9514 Hub", "  bcdDevice            2.00",
            "  iManufacturer           0 ", "  iProduct                0 ", "  iSerial                 0 ",
            "  bNumConfigurations      1",
        ]
        out += extra
        errs.append("Couldn't open device, some information will be missing")
    return Out(out=out[1:], err=errs)


def g_mmcli_l(h: Host, s: Sched) -> Out:
    return Out(out=["No modems were found"])


def g_mount(h: Host, s: Sched) -> Out:
    dev, r = h.dev, h.rng
    out = [
        f"/dev/{dev.dpart}2 on / type ext4 (ro,relatime)",
        f"devtmpfs on /dev type devtmpfs (rw,relatime,size={int(dev.mem_kb * 0.42)}k,nr_inodes={dev.mem_kb // 10},mode=755)",
        "sysfs on /sys type sysfs (rw,nosuid,nodev,noexec,relatime)",
        "proc on /proc type proc (rw,relatime)",
        "securityfs on /sys/kernel/security type securityfs (rw,nosuid,nodev,noexec,relatime)",
        "tmpfs on /dev/shm type tmpfs (rw,nosuid,nodev)",
        "devpts on /dev/pts type devpts (rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=000)",
        f"tmpfs on /run type tmpfs (rw,nosuid,nodev,size={dev.mem_kb // 5}k,nr_inodes=819200,mode=755)",
        "tmpfs on /sys/fs/cgroup type tmpfs (ro,nosuid,nodev,noexec,size=4096k,nr_inodes=1024,mode=755)",
        "cgroup2 on /sys/fs/cgroup/unified type cgroup2 (rw,nosuid,nodev,noexec,relatime,nsdelegate)",
        "cgroup on /sys/fs/cgroup/systemd type cgroup (rw,nosuid,nodev,noexec,relatime,xattr,name=systemd)",
        "pstore on /sys/fs/pstore type pstore (rw,nosuid,nodev,noexec,relatime)",
        "bpf on /sys/fs/bpf type bpf (rw,nosuid,nodev,noexec,relatime,mode=700)",
    ]
    for i, ctl in enumerate(["cpuset", "cpu,cpuacct", "blkio", "memory", "devices", "freezer",
                             "net_cls,net_prio", "perf_event", "pids"]):
        out.append(f"cgroup on /sys/fs/cgroup/{ctl} type cgroup (rw,nosuid,nodev,noexec,relatime,{ctl})")
        del i
    out += [
        "systemd-1 on /proc/sys/fs/binfmt_misc type autofs (rw,relatime,fd=29,pgrp=1,timeout=0,minproto=5,maxproto=5,direct)",
        "mqueue on /dev/mqueue type mqueue (rw,nosuid,nodev,noexec,relatime)",
        "debugfs on /sys/kernel/debug type debugfs (rw,nosuid,nodev,noexec,relatime)",
        "configfs on /sys/kernel/config type configfs (rw,nosuid,nodev,noexec,relatime)",
        "fusectl on /sys/fs/fuse/connections type fusectl (rw,nosuid,nodev,noexec,relatime)",
        f"/dev/{dev.dpart}1 on /mnt/boot type vfat (rw,relatime,fmask=0022,dmask=0022,codepage=437,"
        "iocharset=iso8859-1,shortname=mixed,errors=remount-ro)",
        "tmpfs on /tmp type tmpfs (rw,nosuid,nodev)",
        "tmpfs on /var/volatile type tmpfs (rw,relatime)",
        f"/dev/{dev.dpart}5 on /mnt/state type ext4 (rw,relatime)",
    ]
    for mp in ("/etc/machine-id", "/etc/hostname", "/etc/NetworkManager/system-connections",
               "/var/lib/NetworkManager", "/var/lib/chrony", "/var/lib/systemd", "/home/root/.ssh"):
        out.append(f"/dev/{dev.dpart}5 on {mp} type ext4 (rw,relatime)")
    ro = h.st["data_ro"]
    out.append(f"/dev/{dev.dpart}6 on /mnt/data type ext4 ({'ro' if ro else 'rw'},relatime)")
    out.append(f"/dev/{dev.dpart}6 on /var/lib/docker type ext4 ({'ro' if ro else 'rw'},relatime)")
    for c in h.containers:
        if c.state != "running":
            continue
        lay = hexs(r, 64)
        out.append(f"overlay on /var/lib/docker/overlay2/{lay}/merged type overlay (rw,relatime,lowerdir=/var/lib/"
                   f"docker/overlay2/l/{alnum(r, 26).upper()}:/var/lib/docker/overlay2/l/{alnum(r, 26).upper()},"
                   f"upperdir=/var/lib/docker/overlay2/{lay}/diff,workdir=/var/lib/docker/overlay2/{lay}/work)")
        out.append(f"shm on /var/lib/docker/containers/{c.cid}/mounts/shm type tmpfs (rw,nosuid,nodev,noexec,"
                   "relatime,size=65536k)")
        if c.network != "host":
            out.append(f"nsfs on /run/balena-engine/netns/{hexs(r, 12)} type nsfs (rw)")
    return Out(out=out)


def g_uname(h: Host, s: Sched) -> Out:
    d = h.dev
    pre = " PREEMPT" if d.family == "rpi64" or d.family == "x86" else ""
    return Out(out=[f"Linux {h.hostname} {d.kernel} #1 SMP{pre} {d.kernel_date} {d.arch} GNU/Linux"])


# ---- NETWORK ---------------------------------------------------------------------------------


def interfaces(h: Host) -> list[dict]:
    if "ifaces" in h.st:
        return h.st["ifaces"]
    r, st, dev = h.rng, h.st, h.dev
    mac = (("e4:5f:01:" if dev.family != "x86" else "94:c6:91:") + ":".join(hexs(r, 2) for _ in range(3)))
    up = h.uptime / 266000
    ifs = [{"name": "lo", "mac": "00:00:00:00:00:00", "ip": "127.0.0.1", "mask": 8, "flags": "LOOPBACK,UP,LOWER_UP",
            "rx": int(2738118 * up) + 5000, "rxp": int(21859 * up) + 40, "tx": 0, "txp": 0, "type": "loopback"}]
    main = "wlan0" if dev.wifi else "eth0"
    if dev.family != "x86" and dev.wifi and not dev.slug.startswith("raspberrypi0"):
        ifs.append({"name": "eth0", "mac": "b8:27:eb:" + ":".join(hexs(r, 2) for _ in range(3)), "ip": None,
                    "flags": "NO-CARRIER,BROADCAST,MULTICAST,UP", "rx": 0, "rxp": 0, "tx": 0, "txp": 0,
                    "type": "ether", "down": True})
    ifs.append({"name": main, "mac": mac, "ip": st["wifi_ip"], "mask": 24, "flags": "BROADCAST,MULTICAST,UP,LOWER_UP",
                "rx": int(61193291 * up * 3) + 90000, "rxp": int(337841 * up * 3) + 500,
                "tx": int(12736600 * up * 3) + 40000, "txp": int(90679 * up * 3) + 300, "type": "ether"})
    if h.identity:
        for i in ifs:
            if i["name"] in (main, "eth0"):
                i["mac"] = h.identity["mac" if i["name"] == main else "eth_mac"]
    ifs.append({"name": "resin-dns", "mac": "da:0f:5f:" + ":".join(hexs(r, 2) for _ in range(3)),
                "ip": "10.114.102.1", "mask": 24, "flags": "BROADCAST,MULTICAST,UP,LOWER_UP", "rx": 0, "rxp": 0,
                "tx": 0, "txp": 0, "type": "ether"})
    ifs.append({"name": "balena0", "mac": "02:42:" + ":".join(hexs(r, 2) for _ in range(4)), "ip": "10.114.101.1",
                "mask": 24, "flags": "NO-CARRIER,BROADCAST,MULTICAST,UP", "rx": 0, "rxp": 0, "tx": 0, "txp": 0,
                "type": "ether", "down": True})
    ifs.append({"name": "supervisor0", "mac": "02:42:" + ":".join(hexs(r, 2) for _ in range(4)),
                "ip": "10.114.104.1", "mask": 25, "flags": "NO-CARRIER,BROADCAST,MULTICAST,UP", "rx": 491,
                "rxp": 7, "tx": 4116, "txp": 27, "type": "ether", "down": True})
    ifs.append({"name": f"br-{h.networks[0][0]}", "mac": "02:42:" + ":".join(hexs(r, 2) for _ in range(4)),
                "ip": "172.17.0.1", "mask": 16, "flags": "BROADCAST,MULTICAST,UP,LOWER_UP",
                "rx": r.randint(10**5, 10**8), "rxp": r.randint(1000, 90000), "tx": r.randint(10**5, 10**8),
                "txp": r.randint(1000, 90000), "type": "ether"})
    if st["vpn_up"]:
        ifs.append({"name": "resin-vpn", "mac": None, "ip": st["vpn_ip"], "peer": st["vpn_peer"], "mask": 32,
                    "flags": "POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP", "rx": int(35246 * up * 3) + 900,
                    "rxp": int(504 * up * 3) + 9, "tx": int(492745 * up * 3) + 900, "txp": int(790 * up * 3) + 9,
                    "type": "none"})
    for c in h.containers:
        if c.network != "host" and c.state == "running":
            ifs.append({"name": "veth" + hexs(r, 7), "mac": hexs(r, 2) + ":" + ":".join(hexs(r, 2) for _ in range(5)),
                        "ip": None, "flags": "BROADCAST,MULTICAST,UP,LOWER_UP", "rx": r.randint(10**5, 10**7),
                        "rxp": r.randint(1000, 90000), "tx": r.randint(10**5, 10**7), "txp": r.randint(1000, 90000),
                        "type": "ether", "veth": True})
    for i in ifs:
        if not i["tx"] and i["type"] == "loopback":
            i["tx"], i["txp"] = i["rx"], i["rxp"]
    st["ifaces"] = ifs
    return ifs


def g_ip_addr(h: Host, s: Sched) -> Out:
    out = []
    r = h.rng
    for n, i in enumerate(interfaces(h), start=1):
        name = i["name"] + ("@if" + str(r.randint(4, 40)) if i.get("veth") else "")
        mtu = 65536 if i["type"] == "loopback" else 1500
        state = "UNKNOWN" if i["type"] in ("loopback", "none") else ("DOWN" if i.get("down") else "UP")
        qdisc = "noqueue" if i["name"] != "wlan0" and i["name"] != "eth0" else ("mq" if i["name"] == "eth0" else "pfifo_fast")
        extra = " qlen 1000" if i["type"] in ("loopback",) or i["name"] in ("wlan0", "eth0", "resin-dns") else (
            " qlen 100" if i["type"] == "none" else "")
        out.append(f"{n}: {name}: <{i['flags']}> mtu {mtu} qdisc {qdisc} state {state} group default{extra}")
        if i["type"] == "loopback":
            out.append("    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00")
        elif i["type"] == "none":
            out.append("    link/none ")
        else:
            out.append(f"    link/ether {i['mac']} brd ff:ff:ff:ff:ff:ff" + (" link-netnsid 0" if i.get("veth") else ""))
        if i["ip"]:
            if i.get("peer"):
                out.append(f"    inet {i['ip']} peer {i['peer']}/32 scope global {i['name']}")
            else:
                brd = "" if i["type"] == "loopback" else f" brd {i['ip'].rsplit('.', 1)[0]}.255"
                scope = "host" if i["type"] == "loopback" else "global"
                dyn = " dynamic noprefixroute" if i["name"] in ("wlan0", "eth0") else ""
                out.append(f"    inet {i['ip']}/{i['mask']}{brd} scope {scope}{dyn} {i['name']}")
            out.append("       valid_lft forever preferred_lft forever" if i["name"] not in ("wlan0", "eth0")
                       else f"       valid_lft {r.randint(20000, 86000)}sec preferred_lft {r.randint(20000, 86000)}sec")
        if i["type"] == "loopback":
            out += ["    inet6 ::1/128 scope host ", "       valid_lft forever preferred_lft forever"]
        elif not i.get("down") and i["type"] != "none":
            out += [f"    inet6 fe80::{hexs(r, 4)}:{hexs(r, 4)}:{hexs(r, 4)}:{hexs(r, 4)}/64 scope link "
                    + ("noprefixroute " if i["name"] in ("wlan0", "eth0") else ""),
                    "       valid_lft forever preferred_lft forever"]
    return Out(out=out)


def g_resolv(h: Host, s: Sched) -> Out:
    return Out(out=["nameserver 127.0.0.2"])


def g_net_dev(h: Host, s: Sched) -> Out:
    out = ["Inter-|   Receive                                                |  Transmit",
           " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
           "carrier compressed"]
    for i in interfaces(h):
        out.append(f"{i['name']:>6}: {i['rx']:8d} {i['rxp']:7d}    0    0    0     0          0         0 "
                   f"{i['tx']:8d} {i['txp']:7d}    0    0    0     0       0          0")
    return Out(out=out)


def g_snmp(h: Host, s: Sched) -> Out:
    r = h.rng
    up = max(h.uptime / 266000, 0.01)

    def n(x: int) -> int:
        return int(x * up * r.uniform(0.8, 1.2))
    ip_in, ip_out = n(1483121), n(1162340)
    return Out(out=[
        "Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards "
        "InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs "
        "FragFails FragCreates",
        f"Ip: 1 64 {ip_in} 0 {n(12)} {n(35110)} 0 0 {ip_in - n(35110)} {ip_out} {n(3)} {n(41)} 0 0 0 0 0 0 0",
        "Icmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs InSrcQuenchs InRedirects "
        "InEchos InEchoReps InTimestamps InTimestampReps InAddrMasks InAddrMaskReps OutMsgs OutErrors "
        "OutDestUnreachs OutTimeExcds OutParmProbs OutSrcQuenchs OutRedirects OutEchos OutEchoReps OutTimestamps "
        "OutTimestampReps OutAddrMasks OutAddrMaskReps",
        f"Icmp: {n(512)} 0 0 {n(497)} 0 0 0 0 {n(14)} 1 0 0 0 0 {n(530)} 0 {n(515)} 0 0 0 0 1 {n(14)} 0 0 0 0",
        "IcmpMsg: InType0 InType3 InType8 OutType0 OutType3 OutType8",
        f"IcmpMsg: 1 {n(497)} {n(14)} {n(14)} {n(515)} 1",
        "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab "
        "InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors",
        f"Tcp: 1 200 120000 -1 {n(19876)} {n(17012)} {n(140)} {n(211)} {r.randint(4, 12)} {n(1290311)} "
        f"{n(1001210)} {n(2012)} 0 {n(1430)} 0",
        "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti "
        "MemErrors",
        f"Udp: {n(151201)} {n(497)} 0 {n(152310)} 0 0 0 {n(3120)} 0",
        "UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti "
        "MemErrors",
        "UdpLite: 0 0 0 0 0 0 0 0 0",
    ])


def g_udp(h: Host, s: Sched) -> Out:
    r = h.rng
    rows = [("0200007F", 53, 997), ("0166720A", 53, 997), ("00000000", 5353, 995), ("0100007F", 323, 0),
            ("00000000", 68, 0), ("00000000", 41953, 995)]
    out = ["  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref "
           "pointer drops             "]
    for i, (addr, port, uid) in enumerate(rows):
        out.append(f"{r.randint(10, 500):5d}: {addr}:{port:04X} 00000000:0000 07 00000000:00000000 00:00000000 "
                   f"00000000 {uid:5d}        0 {r.randint(12000, 40000)} 2 {hexs(r, 16)} 0")
        del i
    return Out(out=out)


def g_api_ping(h: Host, s: Sched) -> Out:
    if not h.st["dns_ok"]:
        return Out(status=6, err=curl_meter(0, "0", spent="0:00:04",
                                            err=mark("S18", "curl: (6) Could not resolve host: api.balena-cloud.com")))
    return Out(tail="OK", err=curl_meter(2, str(h.rng.randint(3, 9))))


def google_html(h: Host) -> tuple[list[str], str]:
    r = h.rng
    nonce = alnum(r, 22)
    kei = alnum(r, 22)
    expi = ",".join(str(r.choice([r.randint(1, 9999), r.randint(10000, 99999), r.randint(100000, 9999999)]))
                    for _ in range(330))
    first = (f'<!doctype html><html itemscope="" itemtype="http://schema.org/WebPage" lang="en-GB"><head><meta '
             'content="text/html; charset=UTF-8" http-equiv="Content-Type"><meta content="/images/branding/googleg/1x/'
             'googleg_standard_color_128dp.png" itemprop="image"><title>Google</title><script nonce="'
             f"{nonce}\">(function(){{window.google={{kEI:'{kei}',kEXPI:'0,{expi}',kBL:'{alnum(r, 4)}',"
             f"kOPI:{r.randint(10**7, 10**8)}}};google.sn='webhp';google.kHL='en-GB';}})();(function(){{\n")
    body = [
        first.rstrip("\n"),
        "var f=this||self;var h,k=[];function l(a){for(var b;a&&(!a.getAttribute||!(b=a.getAttribute(\"eid\")));)"
        "a=a.parentNode;return b||h}function m(a){for(var b=null;a&&(!a.getAttribute||!(b=a.getAttribute(\"leid\")))"
        ";)a=a.parentNode;return b}",
        "function n(a,b,c,d,g){var e=\"\";c||-1!==b.search(\"&ei=\")||(e=\"&ei=\"+l(d),-1===b.search(\"&lei=\")&&(d=m(d))"
        "&&(e+=\"&lei=\"+d));d=\"\";!c&&f._cshid&&-1===b.search(\"&cshid=\")&&\"slh\"!==a&&(d=\"&cshid=\"+f._cshid);"
        "c=c||\"/\"+(g||\"gen_204\")+\"?atyp=i&ct=\"+a+\"&cad=\"+b+e+\"&zx=\"+Date.now()+d;/^http:/i.test(c)&&"
        "\"https:\"===window.location.protocol&&(google.ml&&google.ml(Error(\"a\"),!1,{src:c,glmm:1}),c=\"\");return c};"
        "h=google.kEI;google.getEI=l;google.getLEI=m;google.ml=function(){return null};google.log=function(a,b,c,d,g)"
        "{if(c=n(a,b,c,d,g)){a=new Image;var e=k.length;k[e]=a;a.onerror=a.onload=a.onabort=function(){delete k[e]};"
        "a.src=c}};google.logUrl=n;}).call(this);(function(){",
        "google.y={};google.sy=[];google.x=function(a,b){if(a)var c=a.id;else{do c=Math.random();while(google.y[c])}"
        "google.y[c]=[a,b];return!1};google.sx=function(a){google.sy.push(a)};google.lm=[];google.plm=function(a){"
        "google.lm.push.apply(google.lm,a)};google.lq=[];google.load=function(a,b,c){google.lq.push([[a],b,c])};"
        "google.loadAll=function(a,b){google.lq.push([a,b])};google.bx=!1;google.lx=function(){};}).call(this);"
        "google.f={};(function(){",
        "document.documentElement.addEventListener(\"submit\",function(b){var a;if(a=b.target){var c=a.getAttribute"
        "(\"data-submitfalse\");a=\"1\"===c||\"q\"===c&&!a.elements.q.value?!0:!1}else a=!1;a&&(b.preventDefault(),"
        "b.stopPropagation())},!0);document.documentElement.addEventListener(\"click\",function(b){var a;a:{for(a=b."
        "target;a&&a!==document.documentElement;a=a.parentElement)if(\"A\"===a.tagName){a=\"1\"===a.getAttribute("
        "\"data-nohref\");break a}a=!1}a&&b.preventDefault()},!0);}).call(this);</script><style>#gbar,#guser{font-size"
        ":13px;padding-top:1px !important;}#gbar{height:22px}#guser{padding-bottom:7px !important;text-align:right}"
        ".gbh,.gbd{border-top:1px solid #c9d7f1;font-size:1px}.gbh{height:0;position:absolute;top:24px;width:100%}"
        "@media all{.gb1{height:22px;margin-right:.5em;vertical-align:top}#gbar{float:left}}a.gb1,a.gb4{text-"
        "decoration:underline !important}a.gb1,a.gb4{color:#00c !important}.gbi .gb4{color:#dd8e27 !important}.gbf "
        ".gb4{color:#900 !important}",
        "</style><style>body,td,a,p,.h{font-family:arial,sans-serif}body{margin:0;overflow-y:scroll}#gog{padding:3px"
        " 8px 0}td{line-height:.8em}.gac_m td{line-height:17px}form{margin-bottom:20px}.h{color:#1558d6}em{font-weight"
        ":bold;font-style:normal}.lst{height:25px;width:496px}.gsfi,.lst{font:18px arial,sans-serif}.gsfs{font:17px "
        "arial,sans-serif}.ds{display:inline-box;display:inline-block;margin:3px 0 4px;margin-left:4px}input{font-"
        "family:inherit}body{background:#fff;color:#000}a{color:#4b11a8;text-decoration:none}a:hover,a:active{text-"
        "decoration:underline}.fl a{color:#1558d6}a:visited{color:#4b11a8}.sblc{padding-top:5px}.sblc a{display:block;"
        "margin:2px 0;margin-left:13px;font-size:11px}.lsbb{background:#f8f9fa;border:solid 1px;border-color:#dadce0 "
        "#70757a #70757a #dadce0;height:30px}.lsbb{display:block}#WqQANb a{display:inline-block;margin:0 12px}.lsb{"
        "background:url(/images/nav_logo229.png) 0 -261px repeat-x;border:none;color:#000;cursor:pointer;height:30px;"
        "margin:0;outline:0;font:15px arial,sans-serif;vertical-align:top}.lsb:active{background:#dadce0}.lst:focus{"
        "outline:none}</style><script nonce=\"" + nonce + "\"></script></head><body bgcolor=\"#fff\"><script nonce=\""
        + nonce + "\">(function(){var src='/images/nav_logo229.png';var iesg=false;document.body.onload = function(){"
        "window.n && window.n();if (document.images){new Image().src=src;}",
        "if (!iesg){document.f&&document.f.q.focus();document.gbqf&&document.gbqf.q.focus();}",
        "}",
        "})();</script><div id=\"mngb\"><div id=gbar><nobr><b class=gb1>Search</b> <a class=gb1 href=\"https://www."
        "google.co.uk/imghp?hl=en&tab=wi\">Images</a> <a class=gb1 href=\"https://maps.google.co.uk/maps?hl=en&tab=wl"
        "\">Maps</a> <a class=gb1 href=\"https://news.google.com/?tab=wn\">News</a> <a class=gb1 href=\"https://mail."
        "google.com/mail/?tab=wm\">Gmail</a> <a class=gb1 href=\"https://drive.google.com/?tab=wo\">Drive</a> </nobr>"
        "</div><div id=guser width=100%><nobr><span id=gbn class=gbi></span><span id=gbf class=gbf></span><span id="
        "gbe></span><a target=_top id=gb_70 href=\"https://accounts.google.com/ServiceLogin?hl=en&passive=true&"
        "continue=https://www.google.co.uk/&ec=GAZAAQ\" class=gb4>Sign in</a></nobr></div><div class=gbh style=left:0>"
        "</div><div class=gbh style=right:0></div></div><center><br clear=\"all\" id=\"lgpd\"><div id=\"lga\"><img alt"
        "=\"Google\" height=\"92\" src=\"/images/branding/googlelogo/1x/googlelogo_white_background_color_272x92dp.png\""
        " style=\"padding:28px 0 14px\" width=\"272\" id=\"hplogo\"><br><br></div><form action=\"/search\" name=\"f\">"
        "<table cellpadding=\"0\" cellspacing=\"0\"><tr valign=\"top\"><td width=\"25%\">&nbsp;</td><td align=\"center\""
        " nowrap=\"\"><input name=\"ie\" value=\"ISO-8859-1\" type=\"hidden\"><input value=\"en-GB\" name=\"hl\" type="
        "\"hidden\"><input name=\"source\" type=\"hidden\" value=\"hp\"><input name=\"biw\" type=\"hidden\"><input "
        "name=\"bih\" type=\"hidden\"><div class=\"ds\" style=\"height:32px;margin:4px 0\"><input class=\"lst\" style="
        "\"margin:0;padding:5px 8px 0 6px;vertical-align:top;color:#000\" autocomplete=\"off\" value=\"\" title="
        "\"Google Search\" maxlength=\"2048\" name=\"q\" size=\"57\"></div><br style=\"line-height:0\"><span class="
        "\"ds\"><span class=\"lsbb\"><input class=\"lsb\" value=\"Google Search\" name=\"btnG\" type=\"submit\"></span>"
        "</span><span class=\"ds\"><span class=\"lsbb\"><input class=\"lsb\" id=\"tsuid_1\" value=\"I'm Feeling Lucky\""
        " name=\"btnI\" type=\"submit\">",
        "<div style=\"font-size:83%;min-height:3.5em\"><br><div id=\"SIvCob\">Google offered in:  <a href=\"https://www."
        f"google.co.uk/setprefs?sig=0_{alnum(r, 27)}%3D&amp;hl=cy&amp;source=homepage&amp;sa=X&amp;ved=0ahUKE"
        f"{alnum(r, 24)}\">Cymraeg</a>    <a href=\"https://www.google.co.uk/setprefs?sig=0_{alnum(r, 27)}%3D&amp;"
        "hl=fr&amp;source=homepage\">Fran\udce7ais</a>  </div></div></div><span id=\"footer\"><div style=\"font-size:"
        "10pt\"><div style=\"margin:19px auto;text-align:center\" id=\"WqQANb\"><a href=\"/intl/en/ads/\">Advertising"
        "\udca0Programmes</a><a href=\"/services/\">Business Solutions</a><a href=\"/intl/en/about.html\">About Google"
        "</a><a href=\"https://www.google.co.uk/setprefdomain?prefdom=US&amp;sig=K_" + alnum(r, 27) + "%3D\" id=\"fehl"
        "\">Google.com</a></div></div><p style=\"font-size:8pt;color:#70757a\">&copy; " + str(utc(h.t0).year)
        + " - <a href=\"/intl/en/policies/privacy/\">Privacy</a> - <a href=\"/intl/en/policies/terms/\">Terms</a></p>"
        "</span></center><script nonce=\"" + nonce + "\">(function(){window.google.cdo={height:757,width:1440};"
        "(function(){",
    ]
    tail = (f"google.xjsu='/xjs/_/js/k\\x3dxjs.hp.en.{alnum(r, 11)}.O/am\\x3d{alnum(r, 10)}/d\\x3d1/ed\\x3d1/rs\\x3d{alnum(r, 34)}/m\\x3dsb_he,d';"
            "})();</script>        </body></html>")
    return body, tail


def g_google(h: Host, s: Sched) -> Out:
    r = h.rng
    if not h.st["tls_ok"]:
        err = curl_meter(0, "0", spent="0:00:01",
                         err=mark("S20", "curl: (60) SSL certificate problem: certificate is not yet valid"))
        err += ["More details here: https://curl.se/docs/sslcerts.html", "",
                "curl failed to verify the legitimacy of the server and therefore could not",
                "establish a secure connection to it. To learn more about this situation and",
                "how to fix it, please visit the web page mentioned above."]
        return Out(status=60, err=err)
    body, tail = google_html(h)
    size = sum(len(x) + 1 for x in body) + len(tail)
    err = ["  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current",
           "                                 Dload  Upload   Total   Spent    Left  Speed",
           "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0"
           "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0"
           f"\r100 {size}    0 {size}    0     0  {r.randint(15000, 26000)}      0 --:--:-- --:--:-- --:--:-- "
           f"{r.randint(15000, 26000)}"]
    return Out(out=body, tail=tail, err=err)


def g_ifconfig(h: Host, s: Sched) -> Out:
    out = []
    r = h.rng

    def b(n: int) -> str:
        return human(n).replace("K", " KiB").replace("M", " MiB").replace("G", " GiB") if n >= 1024 else f"{n}.0 B"
    for i in sorted(interfaces(h), key=lambda x: x["name"]):
        if i.get("down") and i["name"] == "eth0":
            continue
        enc = "Local Loopback" if i["type"] == "loopback" else ("UNSPEC" if i["type"] == "none" else "Ethernet")
        hw = "" if i["type"] == "loopback" else (
            "  HWaddr 00-00-00-00-00-00-00-00-00-00-00-00-00-00-00-00" if i["type"] == "none"
            else f"  HWaddr {i['mac'].upper()}")
        out.append(f"{i['name']:<9} Link encap:{enc}{hw}  ")
        if i["ip"]:
            if i.get("peer"):
                out.append(f"          inet addr:{i['ip']}  P-t-P:{i['peer']}  Mask:255.255.255.255")
            elif i["type"] == "loopback":
                out.append("          inet addr:127.0.0.1  Mask:255.0.0.0")
            else:
                mask = {24: "255.255.255.0", 16: "255.255.0.0", 25: "255.255.255.128"}[i["mask"]]
                out.append(f"          inet addr:{i['ip']}  Bcast:{i['ip'].rsplit('.', 1)[0]}.255  Mask:{mask}")
        if i["type"] == "loopback":
            out.append("          inet6 addr: ::1/128 Scope:Host")
        elif not i.get("down"):
            out.append(f"          inet6 addr: fe80::{hexs(r, 4)}:{hexs(r, 4)}:{hexs(r, 4)}:{hexs(r, 4)}/64 Scope:Link")
        flags = ("UP LOOPBACK RUNNING  MTU:65536" if i["type"] == "loopback"
                 else "UP POINTOPOINT RUNNING NOARP MULTICAST  MTU:1500" if i["type"] == "none"
                 else "UP BROADCAST MULTICAST  MTU:1500" if i.get("down") else "UP BROADCAST RUNNING MULTICAST  MTU:1500")
        out += [f"          {flags}  Metric:1",
                f"          RX packets:{i['rxp']} errors:0 dropped:0 overruns:0 frame:0",
                f"          TX packets:{i['txp']} errors:0 dropped:0 overruns:0 carrier:0",
                f"          collisions:0 txqueuelen:{1000 if i['name'] in ('lo', 'wlan0', 'eth0', 'resin-dns') else 100 if i['type'] == 'none' else 0} ",
                f"          RX bytes:{i['rx']} ({b(i['rx'])})  TX bytes:{i['tx']} ({b(i['tx'])})", ""]
    return Out(out=out)


def g_iptables(h: Host, s: Sched) -> Out:
    pad = "           "
    acc = f"ACCEPT     all  --  0.0.0.0/0            0.0.0.0/0{pad}"
    rel = "ACCEPT     all  --  0.0.0.0/0            0.0.0.0/0            ctstate RELATED,ESTABLISHED"
    dock = f"DOCKER     all  --  0.0.0.0/0            0.0.0.0/0{pad}"
    hdr = "target     prot opt source               destination         "
    bridges = 3
    out = ["Chain INPUT (policy ACCEPT)", hdr, f"BALENA-FIREWALL  all  --  0.0.0.0/0            0.0.0.0/0{pad}", "",
           "Chain FORWARD (policy DROP)", hdr, f"DOCKER-USER  all  --  0.0.0.0/0            0.0.0.0/0{pad}",
           f"DOCKER-ISOLATION-STAGE-1  all  --  0.0.0.0/0            0.0.0.0/0{pad}"]
    for _ in range(bridges):
        out += [rel, dock, acc, acc]
    out += ["", "Chain OUTPUT (policy ACCEPT)", hdr, "", "Chain BALENA-FIREWALL (1 references)", hdr,
            "ACCEPT     all  --  0.0.0.0/0            0.0.0.0/0            state RELATED,ESTABLISHED",
            "ACCEPT     all  --  0.0.0.0/0            0.0.0.0/0            ADDRTYPE match src-type LOCAL"]
    out += ["ACCEPT     tcp  --  0.0.0.0/0            0.0.0.0/0            tcp dpt:48484"] * 5
    out += ["REJECT     tcp  --  0.0.0.0/0            0.0.0.0/0            tcp dpt:48484 reject-with icmp-port-unreachable",
            "ACCEPT     tcp  --  0.0.0.0/0            0.0.0.0/0            tcp dpt:22222",
            "ACCEPT     all  --  0.0.0.0/0            0.0.0.0/0            ADDRTYPE match dst-type MULTICAST",
            f"ACCEPT     icmp --  0.0.0.0/0            0.0.0.0/0{pad}",
            "ACCEPT     udp  --  0.0.0.0/0            0.0.0.0/0            udp dpt:53",
            f"RETURN     all  --  0.0.0.0/0            0.0.0.0/0{pad}",
            "REJECT     all  --  0.0.0.0/0            0.0.0.0/0            reject-with icmp-port-unreachable", "",
            "Chain DOCKER (3 references)", hdr, "", "Chain DOCKER-ISOLATION-STAGE-1 (1 references)", hdr]
    out += [f"DOCKER-ISOLATION-STAGE-2  all  --  0.0.0.0/0            0.0.0.0/0{pad}"] * bridges
    out += [f"RETURN     all  --  0.0.0.0/0            0.0.0.0/0{pad}", "",
            "Chain DOCKER-ISOLATION-STAGE-2 (3 references)", hdr]
    out += [f"DROP       all  --  0.0.0.0/0            0.0.0.0/0{pad}"] * bridges
    out += [f"RETURN     all  --  0.0.0.0/0            0.0.0.0/0{pad}", "", "Chain DOCKER-USER (1 references)", hdr,
            f"RETURN     all  --  0.0.0.0/0            0.0.0.0/0{pad}"]
    return Out(out=out)


def g_iptables_nat(h: Host, s: Sched) -> Out:
    hdr = "target     prot opt source               destination         "
    return Out(out=[
        "Chain PREROUTING (policy ACCEPT)", hdr,
        "DOCKER     all  --  0.0.0.0/0            0.0.0.0/0            ADDRTYPE match dst-type LOCAL", "",
        "Chain INPUT (policy ACCEPT)", hdr, "", "Chain OUTPUT (policy ACCEPT)", hdr,
        "DOCKER     all  --  0.0.0.0/0           !127.0.0.0/8          ADDRTYPE match dst-type LOCAL", "",
        "Chain POSTROUTING (policy ACCEPT)", hdr,
        "MASQUERADE  all  --  10.114.101.0/24      0.0.0.0/0           ",
        "MASQUERADE  all  --  172.17.0.0/16        0.0.0.0/0           ",
        "MASQUERADE  all  --  10.114.104.0/25      0.0.0.0/0           ", "",
        "Chain DOCKER (2 references)", hdr] + ["RETURN     all  --  0.0.0.0/0            0.0.0.0/0           "] * 3)


def g_j_mm(h: Host, s: Sched) -> Out:
    return Out(out=h.journal(h.mono_ns(s.start_ns), units=("ModemManager.service",)))


def g_j_openvpn(h: Host, s: Sched) -> Out:
    return Out(out=h.journal(h.mono_ns(s.start_ns), units=("openvpn.service",), n=200))


def g_sysconn(h: Host, s: Sched) -> Out:
    out = ["total 1" if h.dev.wifi else "total 0"]
    if h.dev.wifi:
        out.append("-rwxr-xr-x 1 root root 219 Mar  3  2022 balena-wifi")
    out.append("-rwxr-xr-x 1 root root 132 Mar  3  2022 README.ignore")
    return Out(out=out)


def g_mmcli_m(h: Host, s: Sched) -> Out:
    return Out(status=1, err=["error: couldn't find modem"])


def g_netstat(h: Host, s: Sched) -> Out:
    rows = [("tcp", "127.0.0.2:53", "0.0.0.0:*"), ("tcp", "10.114.102.1:53", "0.0.0.0:*"),
            ("tcp", "0.0.0.0:22222", "0.0.0.0:*"), ("tcp", "127.0.0.1:5355", "0.0.0.0:*"),
            ("tcp", ":::22222", ":::*"), ("tcp", ":::48484", ":::*"), ("tcp", ":::5355", ":::*")]
    out = ["Active Internet connections (only servers)",
           "Proto Recv-Q Send-Q Local Address           Foreign Address         State       "]
    for proto, local, remote in rows:
        out.append(f"{proto:<5}       0      0 {local:<23} {remote:<23} LISTEN      ")
    return Out(out=out)


def g_nmcli(h: Host, s: Sched) -> Out:
    return Out(out=[f"nmcli tool, version {h.dev.networkmanager}"])


def g_ping(h: Host, s: Sched) -> Out:
    r = h.rng
    ip = f"142.250.{r.randint(64, 200)}.{r.randint(3, 250)}"
    t = r.uniform(9, 45)
    return Out(out=[f"PING google.co.uk ({ip}): 56 data bytes", f"64 bytes from {ip}: seq=0 ttl=117 time={t:.3f} ms",
                    "", "--- google.co.uk ping statistics ---",
                    "1 packets transmitted, 1 packets received, 0% packet loss",
                    f"round-trip min/avg/max = {t:.3f}/{t:.3f}/{t:.3f} ms"])


def g_usr1(h: Host, s: Sched) -> Out:
    return Out()


def g_status_openvpn(h: Host, s: Sched) -> Out:
    since = h.logged(0, 7.0)
    pid = h.pid["openvpn"]
    return Out(out=[
        "● openvpn.service - OpenVPN",
        "     Loaded: loaded (/lib/systemd/system/openvpn.service; enabled; vendor preset: enabled)",
        f"     Active: active (running) since {ts_long(since)}; {systemd_ago(h.t0 - since)}",
        f"   Main PID: {pid} (openvpn)",
        f"      Tasks: 1 (limit: {224 if h.dev.mem_kb < 600000 else 1052})",
        f"     Memory: {h.rng.uniform(1.2, 2.4):.1f}M",
        "     CGroup: /system.slice/openvpn.service",
        f"             └─{pid} /usr/sbin/openvpn --writepid /run/openvpn/openvpn.pid --cd /etc/openvpn/ --config "
        "/etc/openvpn/openvpn.conf --connect-retry 5 120",
        "",
    ] + unit_tail(h, s, "openvpn.service"))


# ---- OS --------------------------------------------------------------------------------------


def g_os_release(h: Host, s: Sched) -> Out:
    d, r = h.dev, h.rng
    v = vtuple(d.os_version)
    code = "zeus" if v < (2, 60, 0, 0) else "dunfell" if v < (2, 100, 0, 0) else "kirkstone"
    out = ['ID="balena-os"', 'NAME="balenaOS"', f'VERSION="{d.os_version}"', f'VERSION_ID="{d.os_version}"',
           f'PRETTY_NAME="balenaOS {d.os_version}"', f'DISTRO_CODENAME="{code}"', f'MACHINE="{d.slug}"']
    if v < (2, 85, 0, 0):
        out += ['VARIANT="Production"', 'VARIANT_ID="prod"']
    out += [f'META_BALENA_VERSION="{d.meta_version}"', f'BALENA_BOARD_REV="{hexs(r, 7)}"',
            f'META_BALENA_REV="{hexs(r, 7)}"', f'SLUG="{d.slug}"']
    return Out(out=out)


def config_json(h: Host) -> dict:
    d, r = h.dev, h.rng
    cfg = {
        "applicationName": h.app_name, "applicationId": h.app_id, "deviceType": d.slug, "userId": h.user_id,
        "username": "gh_" + "".join(r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(7)),
        "appUpdatePollInterval": 900000, "listenPort": 48484, "vpnPort": 443, "apiEndpoint": API,
        "vpnEndpoint": h.vpn_host, "registryEndpoint": "registry2.balena-cloud.com",
        "deltaEndpoint": "https://delta.balena-cloud.com", "pubnubSubscribeKey": "<hidden>",
        "pubnubPublishKey": "<hidden>", "mixpanelToken": "<hidden>", "apiKey": "<hidden>",
        "version": d.os_version, "uuid": h.uuid, "deviceApiKey": "<hidden>", "deviceApiKeys": "<hidden>",
        "registered_at": int(h.boot(0).start - r.uniform(60, 500) * 86400), "deviceId": r.randint(4_000_000, 9_000_000),
        "persistentLogging": h.st["persistent"], "developmentMode": False,
    }
    if h.identity:
        cfg.update(username=h.identity["username"], registered_at=h.identity["registered_at"],
                   deviceId=h.identity["device_id"])
    if h.sc.knobs.get("dnsServers"):
        cfg["dnsServers"] = h.sc.knobs["dnsServers"]
    if d.family == "x86":
        cfg["installer"] = {"secureboot": False}
    return cfg


def g_config_json(h: Host, s: Sched) -> Out:
    return Out(out=json.dumps(config_json(h), indent=2).split("\n"))


CONFIG_TXT = """################################################################################
##  Raspberry Pi boot configuration (balenaOS default, trimmed by the user)
##  See https://www.raspberrypi.com/documentation/computers/config_txt.html
################################################################################

## disable_overscan
##     Set to "1" to disable overscan on HDMI displays.
##
disable_overscan=1

## hdmi_force_hotplug
##     Pretend an HDMI display is attached even when none is detected.
##
#hdmi_force_hotplug=1

## hdmi_group / hdmi_mode
##     Select the HDMI output timings. 1 = CEA (TV), 2 = DMT (monitor).
##
#hdmi_group=1
#hdmi_mode=16

## framebuffer_width / framebuffer_height
##     Console framebuffer size in pixels. Defaults to the display size.
##
#framebuffer_width=1280
#framebuffer_height=720

## gpu_mem
##     Memory in MB given to the VideoCore GPU; the rest goes to Linux.
##     Headless devices can use the minimum of 16.
##
gpu_mem=16

## start_x
##     Load the extended firmware needed by the camera module.
##
#start_x=1

## enable_uart
##     Enable the primary UART on GPIO 14/15 for a serial console.
##
enable_uart=1

## dtparam
##     Device tree parameters for the base tree: i2c, spi, audio.
##
dtparam=i2c_arm=on
dtparam=spi=on
dtparam=audio=on

## dtoverlay
##     Device tree overlays, one per line.
##
dtoverlay=vc4-kms-v3d
#dtoverlay=disable-bt
#dtoverlay=gpio-shutdown,gpio_pin=3

## arm_64bit
##     Boot the kernel in 64-bit mode (64-bit images only).
##
{arm64}

## avoid_warnings
##     Hide the under-voltage and over-temperature warning icons on screen.
##     The kernel still logs them.
##
#avoid_warnings=1

## boot_delay
##     Seconds to wait before loading the kernel. Helps slow SD cards.
##
#boot_delay=1

## over_voltage / arm_freq
##     Overclocking. Leave commented unless you know what you are doing.
##
#over_voltage=2
#arm_freq=1400

## disable_splash
##     Do not show the rainbow splash screen at boot.
##
disable_splash=1

## balenaOS
kernel={kernel}
dtoverlay=balena-fin
"""


def g_config_txt(h: Host, s: Sched) -> Out:
    if h.dev.family == "x86":
        return missing("/mnt/boot/config.txt")
    txt = CONFIG_TXT.replace("{arm64}", "arm_64bit=1" if h.dev.family == "rpi64" else "#arm_64bit=1")
    txt = txt.replace("{kernel}", "kernel8.img" if h.dev.family == "rpi64" else "kernel7.img")
    lines = txt.rstrip("\n").split("\n")
    if h.dev.slug != "fincm3":
        lines = lines[:-1]
    return Out(out=lines)


def g_device_type(h: Host, s: Sched) -> Out:
    d = h.dev
    rpi = d.family != "x86"
    contract = {
        "slug": d.slug, "version": 1, "aliases": [d.slug], "name": d.name,
        "arch": d.arch if d.arch != "armv7l" else "armv7hf", "state": "released",
        "private": False,
        "instructions": ["Write the OS file you downloaded to your SD card. We recommend using "
                         "<a href=\"https://etcher.balena.io/\">Etcher</a>.",
                         "Insert the freshly flashed SD card into the device.",
                         "Connect power to the device to boot it."] if rpi else
                        ["Write the OS file you downloaded to a USB key.", "Insert the USB key into the device.",
                         "Boot the device from the USB key; it will flash the internal storage and shut down."],
        "gettingStartedLink": {"windows": f"https://www.balena.io/docs/learn/getting-started/{d.slug}/nodejs/",
                               "osx": f"https://www.balena.io/docs/learn/getting-started/{d.slug}/nodejs/",
                               "linux": f"https://www.balena.io/docs/learn/getting-started/{d.slug}/nodejs/"},
        "supportsBlink": True,
        "options": [{"isGroup": True, "name": "network", "message": "Network",
                     "options": [{"message": "Network Connection", "name": "network", "type": "list",
                                  "choices": ["ethernet", "wifi"]},
                                 {"message": "Wifi SSID", "name": "wifiSsid", "type": "text",
                                  "when": {"network": "wifi"}},
                                 {"message": "Wifi Passphrase", "name": "wifiKey", "type": "password",
                                  "when": {"network": "wifi"}}]},
                    {"isGroup": True, "isCollapsible": True, "collapsed": True, "name": "advanced",
                     "message": "Advanced",
                     "options": [{"message": "Check for updates every X minutes", "name": "appUpdatePollInterval",
                                  "type": "number", "min": 10, "default": 10}]}],
        "yocto": {"machine": d.slug if d.slug != "raspberrypi0-2w-64" else "raspberrypi0-2w-64",
                  "image": "balena-image" if rpi else "balena-image-flasher", "fstype": "balenaos-img",
                  "version": "yocto-dunfell", "deployArtifact": f"balena-image-{d.slug}.balenaos-img",
                  "compressed": True},
        "configuration": {"config": {"partition": {"primary": 1}, "path": "/config.json"}},
        "initialization": {"options": [{"message": "Select a drive", "type": "drive", "name": "drive"}],
                           "operations": [{"command": "burn"}]},
    }
    return Out(out=json.dumps(contract, indent=2).split("\n"))


def g_dmesg(h: Host, s: Sched) -> Out:
    evs = [e for e in h.select(h.mono_ns(s.start_ns), kernel_only=True) if e.boot == 0]
    return Out(out=[mark(e.tag, f"{ts_dmesg(h.real(0, e.mono))} {e.msg}") for e in evs])


def g_hup(h: Host, s: Sched) -> Out:
    if not h.hup_log:
        return Out(status=1, err=["find: /mnt/data/*hup/*log: No such file or directory"])
    return Out(out=list(h.hup_log))


def g_list_boots(h: Host, s: Sched) -> Out:
    h.finish()
    m = h.mono_ns(s.start_ns)
    out = []
    boots = [b for b in sorted(h.boots, key=lambda b: b.idx) if any(e.boot == b.idx for e in h.events)]
    for b in boots:
        evs = [e for e in h.events if e.boot == b.idx and (b.idx < 0 or e.mono <= m)]
        a, z = h.logged(b.idx, evs[0].mono), h.logged(b.idx, evs[-1].mono)
        out.append(f"{b.idx:3d} {b.boot_id} {ts_long(a)}—{ts_long(z)}")
    return Out(out=out)


def g_j_n500(h: Host, s: Sched) -> Out:
    return Out(out=h.journal(h.mono_ns(s.start_ns), n=500))


def g_j_err(h: Host, s: Sched) -> Out:
    return Out(out=h.journal(h.mono_ns(s.start_ns), maxprio=3))


def g_deleted(h: Host, s: Sched) -> Out:
    if not h.deleted_open:
        return Out(status=1)
    return Out(out=list(h.deleted_open))


def g_hup_lock(h: Host, s: Sched) -> Out:
    return Out(status=1, err=["stat: cannot stat '/var/lock/*hup.lock': No such file or directory"])


def g_sysctl(h: Host, s: Sched) -> Out:
    r = h.rng
    out = []
    simple = [
        ("abi.cp15_barrier", "1"), ("abi.setend", "1"), ("debug.exception-trace", "1"),
        ("dev.cdrom.autoclose", "1"), ("dev.scsi.logging_level", "0"), ("fs.aio-max-nr", "65536"),
        ("fs.aio-nr", "0"), ("fs.binfmt_misc.status", "enabled"), ("fs.dentry-state", f"{r.randint(20000, 90000)}\t"
         f"{r.randint(5000, 40000)}\t45\t0\t{r.randint(2000, 9000)}\t0"),
        ("fs.dir-notify-enable", "1"), ("fs.epoll.max_user_watches", str(r.randint(80000, 900000))),
        ("fs.file-max", str(r.randint(40000, 800000))), ("fs.file-nr", f"{r.randint(1500, 4000)}\t0\t47282"),
        ("fs.inode-nr", f"{r.randint(20000, 70000)}\t{r.randint(100, 3000)}"),
        ("fs.inotify.max_queued_events", "16384"), ("fs.inotify.max_user_instances", "128"),
        ("fs.inotify.max_user_watches", "8192"), ("fs.lease-break-time", "45"), ("fs.leases-enable", "1"),
        ("fs.mount-max", "100000"), ("fs.mqueue.msg_default", "10"), ("fs.mqueue.msg_max", "10"),
        ("fs.nr_open", "1048576"), ("fs.overflowgid", "65534"), ("fs.overflowuid", "65534"),
        ("fs.pipe-max-size", "1048576"), ("fs.protected_fifos", "0"), ("fs.protected_hardlinks", "0"),
        ("fs.protected_regular", "0"), ("fs.protected_symlinks", "0"), ("fs.suid_dumpable", "0"),
        ("kernel.cap_last_cap", "40"), ("kernel.core_pattern", "core"), ("kernel.core_pipe_limit", "0"),
        ("kernel.core_uses_pid", "0"), ("kernel.ctrl-alt-del", "0"), ("kernel.dmesg_restrict", "0"),
        ("kernel.domainname", "(none)"), ("kernel.hostname", h.hostname), ("kernel.hung_task_timeout_secs", "120"),
        ("kernel.kptr_restrict", "0"), ("kernel.max_lock_depth", "1024"), ("kernel.modprobe", "/sbin/modprobe"),
        ("kernel.msgmax", "8192"), ("kernel.msgmnb", "16384"), ("kernel.msgmni", "32000"),
        ("kernel.ngroups_max", "65536"), ("kernel.osrelease", h.dev.kernel),
        ("kernel.ostype", "Linux"), ("kernel.overflowgid", "65534"), ("kernel.overflowuid", "65534"),
        ("kernel.panic", "10"), ("kernel.panic_on_oops", "1"), ("kernel.perf_event_paranoid", "2"),
        ("kernel.pid_max", "32768" if h.dev.family == "rpi32" else "4194304"), ("kernel.printk", "7\t4\t1\t7"),
        ("kernel.random.boot_id", f"{hexs(r, 8)}-{hexs(r, 4)}-{hexs(r, 4)}-{hexs(r, 4)}-{hexs(r, 12)}"),
        ("kernel.random.entropy_avail", str(r.randint(2000, 3800))), ("kernel.random.poolsize", "4096"),
        ("kernel.random.uuid", f"{hexs(r, 8)}-{hexs(r, 4)}-4{hexs(r, 3)}-a{hexs(r, 3)}-{hexs(r, 12)}"),
        ("kernel.randomize_va_space", "2"), ("kernel.sched_rt_period_us", "1000000"),
        ("kernel.sched_rt_runtime_us", "950000"), ("kernel.shmall", "18446744073692774399"),
        ("kernel.shmmax", "18446744073692774399"), ("kernel.shmmni", "4096"), ("kernel.sysrq", "16"),
        ("kernel.tainted", "1024" if h.dev.family != "x86" else "0"), ("kernel.threads-max", str(r.randint(3000, 60000))),
        ("kernel.version", f"#1 SMP PREEMPT {h.dev.kernel_date}"),
    ]
    out += [f"{k} = {v}" for k, v in simple]
    for iface in [i["name"] for i in interfaces(h)] + ["all", "default"]:
        for key, val in [("accept_local", "0"), ("accept_redirects", "1"), ("accept_source_route", "0"),
                         ("arp_accept", "0"), ("arp_announce", "0"), ("arp_filter", "0"), ("arp_ignore", "0"),
                         ("arp_notify", "0"), ("bc_forwarding", "0"), ("bootp_relay", "0"),
                         ("disable_policy", "0"), ("disable_xfrm", "0"), ("drop_gratuitous_arp", "0"),
                         ("forwarding", "1"), ("log_martians", "0"), ("mc_forwarding", "0"), ("medium_id", "0"),
                         ("promote_secondaries", "1"), ("proxy_arp", "0"), ("route_localnet", "0"),
                         ("rp_filter", "2"), ("secure_redirects", "1"), ("send_redirects", "1"),
                         ("shared_media", "1"), ("src_valid_mark", "0"), ("tag", "0")]:
            out.append(f"net.ipv4.conf.{iface}.{key} = {val}")
    for key, val in [("icmp_echo_ignore_all", "0"), ("ip_default_ttl", "64"), ("ip_forward", "1"),
                     ("ip_local_port_range", "32768\t60999"), ("tcp_keepalive_time", "7200"),
                     ("tcp_fin_timeout", "60"), ("tcp_syncookies", "1")]:
        out.append(f"net.ipv4.{key} = {val}")
    for iface in [i["name"] for i in interfaces(h) if i["type"] != "none"] + ["all", "default"]:
        for key, val in [("accept_dad", "1"), ("accept_ra", "1"), ("accept_ra_defrtr", "1"),
                         ("autoconf", "1"), ("dad_transmits", "1"), ("disable_ipv6", "0"), ("forwarding", "0"),
                         ("hop_limit", "64"), ("mtu", "1500" if iface != "lo" else "65536"),
                         ("router_solicitations", "-1"), ("use_tempaddr", "0")]:
            out.append(f"net.ipv6.conf.{iface}.{key} = {val}")
    for key, val in [("admin_reserve_kbytes", "8192"), ("dirty_background_ratio", "10"), ("dirty_ratio", "20"),
                     ("drop_caches", "0"), ("min_free_kbytes", str(r.randint(2000, 16000))),
                     ("overcommit_memory", "0"), ("overcommit_ratio", "50"), ("panic_on_oom", "0"),
                     ("swappiness", "60"), ("vfs_cache_pressure", "100")]:
        out.append(f"vm.{key} = {val}")
    out.sort(key=lambda x: x.split(" = ")[0])
    err = ['sysctl: reading key "net.ipv6.conf.all.stable_secret"',
           'sysctl: reading key "net.ipv6.conf.default.stable_secret"']
    return Out(out=out, err=err)


def g_failed_units(h: Host, s: Sched) -> Out:
    if not h.failed_units:
        return Out(out=["  UNIT LOAD ACTIVE SUB DESCRIPTION", "0 loaded units listed."])
    w = max(len(u) for u, _ in h.failed_units) + 2
    out = [f"  {'UNIT':<{w}}LOAD   ACTIVE SUB    DESCRIPTION"]
    for u, desc in h.failed_units:
        out.append(mark("S08" if u.startswith("balena") else None, f"● {u:<{w}}loaded failed failed {desc}"))
    out += ["", "LOAD   = Reflects whether the unit definition was properly loaded.",
            "ACTIVE = The high-level unit activation state, i.e. generalization of SUB.",
            "SUB    = The low-level unit activation state, values depend on unit type.", "",
            f"{len(h.failed_units)} loaded units listed."]
    return Out(out=out)


def g_fingerprint(h: Host, s: Sched) -> Out:
    if not h.sc.knobs.get("fingerprint"):
        return Out(status=1, err=[mark("B15", "grep: /resinos.fingerprint: No such file or directory"),
                                  "md5sum: 'standard input': no properly formatted MD5 checksum lines found"])
    if not h.fingerprint_failed:
        return Out()
    out = [mark("S13", f"{p}: FAILED") for p in h.fingerprint_failed]
    n = len(h.fingerprint_failed)
    return Out(out=out, status=1,
               err=[mark("S13", f"md5sum: WARNING: {n} computed checksum{'s' if n > 1 else ''} did NOT match")])


# ---- SUPERVISOR ------------------------------------------------------------------------------


def g_sup_resolv(h: Host, s: Sched) -> Out:
    return Out(out=["nameserver 10.114.102.1", "options timeout:15"])


def g_sup_logs(h: Host, s: Sched) -> Out:
    m = h.mono_ns(s.start_ns)
    first = h.sc.knobs.get("sup_logs_from_boot", -99)
    out = [mark(tag, sup_ansi(level, text)) for boot, mono, _seq, level, text, tag in h.sup_log
           if boot >= first and (boot < 0 or mono <= m)]
    starts = sum(1 for _b, _m, _s, _l, text, _t in h.sup_log if text.startswith("Supervisor v") and _b >= first)
    dep = ("(node:1) [DEP0005] DeprecationWarning: Buffer() is deprecated due to security and usability issues. "
           "Please use the Buffer.alloc(), Buffer.allocUnsafe(), or Buffer.from() methods instead.")
    return Out(out=out, err=[mark("B06", dep)] * max(1, starts))


def g_sup_healthy(h: Host, s: Sched) -> Out:
    if not h.st["sup_healthy"]:
        return Out(status=22, err=curl_meter(0, "0", spent="0:00:05",
                                             err="curl: (28) Operation timed out after 5001 milliseconds with 0 bytes "
                                                 "received"))
    return Out(tail="OK", err=curl_meter(2, str(h.rng.randint(100, 400))))


def g_j_sup(h: Host, s: Sched) -> Out:
    return Out(out=h.journal(h.mono_ns(s.start_ns), units=(h.sup_unit + ".service",), n=200))


def g_sup_locks(h: Host, s: Sched) -> Out:
    d = utc(h.boot(0).start + 20)
    date = f"{d:%b} {d.day:2d} {d:%H:%M}"
    base = f"/tmp/{h.sup_unit}/services/{h.app_id}"
    svcs = [c.service for c in h.containers if c.service]
    out = [f"{base}:", f"total {0}"]
    for sv in svcs:
        out.append(f"drwxr-xr-x 2 root root 40 {date} {sv}")
    for sv in svcs:
        out += ["", f"{base}/{sv}:", "total 0"]
    return Out(out=out)


def g_status_sup(h: Host, s: Sched) -> Out:
    unit = h.sup_unit
    since = h.logged(0, h.st.get("sup_active_since", 20.3))
    p = h.pid
    block = [
        f"● {unit}.service - Balena supervisor",
        f"     Loaded: loaded (/lib/systemd/system/{unit}.service; enabled; vendor preset: enabled)",
        f"     Active: active (running) since {ts_long(since)}; {systemd_ago(h.t0 - since)}",
        mark("B04", f"    Process: {p['start-sup'] - 34} ExecStartPre=/usr/bin/balena stop resin_supervisor "
                    "(code=exited, status=1/FAILURE)"),
        f"    Process: {p['start-sup'] - 17} ExecStartPre=/usr/bin/balena stop balena_supervisor (code=exited, "
        "status=0/SUCCESS)",
        f"    Process: {p['start-sup'] - 1} ExecStartPre=/bin/systemctl is-active balena.service (code=exited, "
        "status=0/SUCCESS)",
        f"   Main PID: {p['start-sup']} ({f'start-{unit}'[:15]})",
        f"      Tasks: {h.rng.randint(10, 14)} (limit: {224 if h.dev.mem_kb < 600000 else 1052})",
        f"     Memory: {h.rng.uniform(9, 16):.1f}M",
        f"     CGroup: /system.slice/{unit}.service",
        f"             ├─{p['start-sup']} /bin/sh /usr/bin/start-{unit}",
        f"             ├─{p['sup-healthdog']} /proc/self/exe --healthcheck /usr/lib/{unit}/{unit}-healthcheck "
        f"--pid {p['start-sup']}",
        f"             └─{p['supervisor']} balena start --attach {h.sup_name}",
        "",
    ] + unit_tail(h, s, unit + ".service")
    if unit == "balena-supervisor":
        return Out(out=block + [""] + block)
    return Out(out=block, status=4, err=["Unit balena-supervisor.service could not be found."])


def g_sup_legacy(h: Host, s: Sched) -> Out:
    return Out(status=1, err=["tail: cannot open '/var/log/supervisor-log/resin_supervisor_stdout.log' for reading: "
                              "No such file or directory"])


# ---- TIME ------------------------------------------------------------------------------------


def g_chrony_dhcp(h: Host, s: Sched) -> Out:
    return missing("/tmp/chrony_added_dhcp_ntp_servers")


def g_chronyc_sources(h: Host, s: Sched) -> Out:
    r = h.rng
    out = ["MS Name/IP address         Stratum Poll Reach LastRx Last sample               ",
           "==============================================================================="]
    if not h.st["clock_synced"]:
        for _ in range(4):
            ip = f"{r.choice([23, 45, 162, 185, 212])}.{r.randint(1, 254)}.{r.randint(1, 254)}.{r.randint(1, 254)}"
            out.append(mark("S19", f"^? {ip:<27}  0  10     0     -     +0ns[   +0ns] +/-    0ns"))
        return Out(out=out)
    marks = ["^+", "^*", "^-", "^+"]
    for mk in marks:
        name = r.choice(["ntp1.", "time.", "ns1.", "ntp."]) + r.choice(["example-isp.net", "hostingco.de", "torix.ca",
                                                                       "uni-hannover.de", "fastly.net"])
        off = r.randint(-6000, 6000)
        out.append(f"{mk} {name:<27} {r.randint(1, 3)}  {r.choice([10, 13, 14])}   377   {r.randint(20, 64)}m "
                   f"{off:+6d}us[{off + r.randint(-200, 200):+5d}us] +/-   {r.randint(8, 40)}ms")
    return Out(out=out)


def g_chronyc_tracking(h: Host, s: Sched) -> Out:
    r = h.rng
    if not h.st["clock_synced"]:
        return Out(out=["Reference ID    : 00000000 ()", "Stratum         : 0",
                        "Ref time (UTC)  : Thu Jan 01 00:00:00 1970", "System time     : 0.000000000 seconds fast of NTP time",
                        "Last offset     : +0.000000000 seconds", "RMS offset      : 0.000000000 seconds",
                        "Frequency       : 3.712 ppm slow", "Residual freq   : +0.000 ppm", "Skew            : 0.000 ppm",
                        "Root delay      : 1.000000000 seconds", "Root dispersion : 1.000000000 seconds",
                        "Update interval : 0.0 seconds", mark("S19", "Leap status     : Not synchronised")])
    ref = utc(h.t0 - r.uniform(600, 9000))
    return Out(out=[f"Reference ID    : {hexs(r, 8).upper()} (ntp1.example-isp.net)", "Stratum         : 2",
                    f"Ref time (UTC)  : {ref:%a %b %d %H:%M:%S %Y}",
                    f"System time     : 0.000{r.randint(100000, 999999)} seconds {r.choice(['slow', 'fast'])} of NTP time",
                    f"Last offset     : {r.uniform(-0.0005, 0.0005):+.9f} seconds",
                    f"RMS offset      : {r.uniform(0.0005, 0.003):.9f} seconds",
                    f"Frequency       : {r.uniform(0, 9):.3f} ppm fast", "Residual freq   : -0.000 ppm",
                    "Skew            : 0.017 ppm", f"Root delay      : {r.uniform(0.01, 0.05):.9f} seconds",
                    f"Root dispersion : {r.uniform(0.001, 0.009):.9f} seconds",
                    f"Update interval : {r.uniform(1000, 17000):.1f} seconds", "Leap status     : Normal"])


def g_date(h: Host, s: Sched) -> Out:
    return Out(out=[ts_date(s.start_ns / 1e9)])


def g_j_chrony(h: Host, s: Sched) -> Out:
    return Out(out=h.journal(h.mono_ns(s.start_ns), units=("chronyd.service",)))


def g_timedatectl(h: Host, s: Sched) -> Out:
    t = s.start_ns / 1e9
    synced = h.st["clock_synced"]
    return Out(out=[f"               Local time: {ts_long(t)}", f"           Universal time: {ts_long(t)}",
                    "                 RTC time: n/a" if h.dev.family != "x86" else
                    f"                 RTC time: {utc(t):%a %Y-%m-%d %H:%M:%S}",
                    "                Time zone: n/a (UTC, +0000)",
                    mark(None if synced else "S19", f"System clock synchronized: {'yes' if synced else 'no'}"),
                    "              NTP service: n/a", "          RTC in local TZ: no"])


def g_uptime(h: Host, s: Sched) -> Out:
    t = s.start_ns / 1e9
    up = int(h.mono_ns(s.start_ns))
    d, rem = divmod(up, 86400)
    hh, mm = rem // 3600, (rem % 3600) // 60
    if d:
        upt = f"up {d} day{'s' if d > 1 else ''}  {hh}:{mm:02d}" if hh else f"up {d} day{'s' if d > 1 else ''}  {mm} min"
    else:
        upt = f"up  {hh}:{mm:02d}" if hh else f"up {mm} min"
    la = h.st["load"]
    return Out(out=[f" {utc(t):%H:%M:%S}  {upt},  0 users,  load average: {la[0]:.2f}, {la[1]:.2f}, {la[2]:.2f}"])


# --------------------------------------------------------------------------------------------
# the diagnose 4.22.11 command list (as expanded on a balenaOS >= 2.9 device)
# $ENG -> balena, <ID> -> supervisor container id, <TMP> -> mktemp file
# --------------------------------------------------------------------------------------------

JQ_CONFIG = (r'jq ". | with_entries(if .key | (contains(\"apiKey\") or contains(\"deviceApiKey\") or '
             r'contains(\"pubnubSubscribeKey\") or contains(\"pubnubPublishKey\") or contains(\"mixpanelToken\") or '
             r'contains(\"wifiKey\") or contains(\"files\")) then .value = \"<hidden>\" else . end)"')
FINGERPRINT = ('grep -vE "/var/cache/ldconfig/aux-cache|md5sum|/etc/hostname|/etc/machine-id|'
               '/etc/balena-supervisor/supervisor.conf|/etc/resin-supervisor/supervisor.conf|'
               '/etc/systemd/timesyncd.conf|/home/root/.rnd" /resinos.fingerprint | md5sum --quiet -c ')
THERMAL = "for i in /sys/class/thermal/thermal* ; do if [ -e $i/temp ]; then echo $i && cat $i/temp; fi ; done"
MMC = ("for i in /sys/class/mmc_host/mmc*/mmc* ; do if [ -e $i/oemid ]; then echo $i; for j in manfid oemid name "
       "hwrev fwrev; do printf $j: && cat $i/$j; done; fi; done")

# (command template, generator, typical `real` seconds)
COMMANDS: list[tuple[str, Callable[[Host, Sched], Out], float]] = [
    ("echo === BALENA ===", g_category, 0.01),
    ("curl --unix-socket /var/run/balena.sock http://./debug/pprof/goroutine?debug=2", g_pprof, 0.06),
    ("$ENG --version", g_engine_version, 0.21),
    ("$ENG images", g_images, 0.22),
    ("$ENG ps -a", g_ps_a, 0.22),
    ("$ENG stats --all --no-stream", g_stats, 2.48),
    ("$ENG system df", g_system_df, 0.27),
    ("$ENG volume ls", g_volume_ls, 0.21),
    ("$ENG network ls", g_network_ls, 0.22),
    ("systemctl status $ENG --no-pager", g_status_engine, 0.09),
    ("journalctl --no-pager --no-hostname -n 200 -a -u $ENG", g_j_engine, 0.12),
    ("journalctl --no-pager --no-hostname -n 1000 -at balenad", g_j_balenad, 0.31),
    ('$ENG inspect $($ENG ps --all --quiet | tr "\\n" " ") | jq "del(.[].Config.Env)"', g_inspect, 0.54),
    ('$ENG network inspect $($ENG ps --quiet | tr "\\n" " ")', g_net_inspect, 0.43),
    ("test -f /mnt/state/balena-engine-storage-migration.log && cat /mnt/state/balena-engine-storage-migration.log",
     g_migration_log, 0.01),
    ("echo === BOOT ===", g_category, 0.01),
    ("systemd-analyze", g_analyze, 0.10),
    ("systemd-analyze critical-chain", g_critical_chain, 5.40),
    ("echo === HARDWARE ===", g_category, 0.01),
    ("cat /proc/cpuinfo", g_cpuinfo, 0.02),
    ("cat /proc/device-tree/model", g_model, 0.01),
    ("cat /proc/meminfo", g_meminfo, 0.01),
    ("ps", g_ps, 0.07),
    ("top -b -n 1", g_top, 0.45),
    ("cat /var/log/provisioning-progress.log", g_provisioning, 0.01),
    ("df -h", g_df, 0.02),
    ("df -ih", g_dfi, 0.02),
    (THERMAL, g_thermal, 0.02),
    (MMC, g_mmc, 0.05),
    ("free -h", g_free, 0.01),
    ("ls -l /dev", g_ls_dev, 0.03),
    ("lsusb -vvv", g_lsusb, 0.12),
    ("mmcli -L", g_mmcli_l, 0.15),
    ("mount", g_mount, 0.01),
    ("uname -a", g_uname, 0.01),
    ("echo === NETWORK ===", g_category, 0.01),
    ("/sbin/ip addr", g_ip_addr, 0.02),
    ("cat /etc/resolv.conf", g_resolv, 0.01),
    ("cat /proc/net/dev", g_net_dev, 0.01),
    ("cat /proc/net/snmp", g_snmp, 0.01),
    ("cat /proc/net/udp", g_udp, 0.01),
    ("CURL_CA_BUNDLE=<TMP> curl https://api.balena-cloud.com/ping", g_api_ping, 0.38),
    ("CURL_CA_BUNDLE=<TMP> curl https://www.google.co.uk", g_google, 0.78),
    ("ifconfig", g_ifconfig, 0.02),
    ("iptables -n -L", g_iptables, 0.04),
    ("iptables -n -t nat -L", g_iptables_nat, 0.02),
    ("journalctl --no-pager --no-hostname -a -u ModemManager", g_j_mm, 0.03),
    ('journalctl --no-pager --no-hostname -n 200 -a -u "openvpn*"', g_j_openvpn, 0.05),
    ("ls -l /mnt/boot/system-connections", g_sysconn, 0.02),
    ("mmcli -m 0", g_mmcli_m, 0.12),
    ("netstat -ntl", g_netstat, 0.02),
    ("nmcli --version", g_nmcli, 0.08),
    ("ping -c 1 -W 3 google.co.uk", g_ping, 0.05),
    ("systemctl kill -s USR1 dnsmasq", g_usr1, 0.03),
    ("systemctl status openvpn-resin --no-pager", g_status_openvpn, 0.06),
    ("echo === OS ===", g_category, 0.01),
    ("cat /etc/os-release", g_os_release, 0.01),
    ("cat /mnt/boot/config.json | " + JQ_CONFIG, g_config_json, 0.07),
    ("cat /mnt/boot/config.txt", g_config_txt, 0.01),
    ("cat /mnt/boot/device-type.json", g_device_type, 0.01),
    ("cat /mnt/boot/extlinux/extlinux.conf", lambda h, s: missing("/mnt/boot/extlinux/extlinux.conf"), 0.01),
    ("cat /mnt/boot/resinOS_uEnv.txt", lambda h, s: missing("/mnt/boot/resinOS_uEnv.txt"), 0.01),
    ("cat /mnt/boot/uEnv.txt", lambda h, s: missing("/mnt/boot/uEnv.txt"), 0.01),
    ("cat /mnt/conf/config.json | " + JQ_CONFIG, lambda h, s: missing("/mnt/conf/config.json", status=0), 0.05),
    ("cat /mnt/data-disk/config.json | " + JQ_CONFIG, lambda h, s: missing("/mnt/data-disk/config.json", status=0),
     0.05),
    ("cat /var/log/messages", lambda h, s: missing("/var/log/messages"), 0.01),
    ("cat /var/log/provisioning-progress.log", g_provisioning, 0.01),
    ("dmesg -T", g_dmesg, 0.06),
    ("find /mnt/data/*hup/*log -mtime -180 | xargs tail -n 250 -v", g_hup, 0.03),
    ("journalctl --no-pager --no-hostname  --list-boots", g_list_boots, 0.05),
    ("journalctl --no-pager --no-hostname -n500 -a", g_j_n500, 0.16),
    ("journalctl --no-pager --no-hostname -pwarning -perr -a", g_j_err, 0.62),
    ("ls -lR /proc/ 2>/dev/null | grep /data/ | grep \\(deleted\\)", g_deleted, 2.35),
    ("ps", g_ps, 0.07),
    ("stat /var/lock/*hup.lock", g_hup_lock, 0.01),
    ("sysctl -a", g_sysctl, 0.22),
    ("systemctl list-units --failed --no-pager", g_failed_units, 0.04),
    ("top -b -n 1", g_top, 0.45),
    (FINGERPRINT, g_fingerprint, 0.02),
    ("echo === SUPERVISOR ===", g_category, 0.01),
    ("$ENG exec <ID> cat /etc/resolv.conf", g_sup_resolv, 1.56),
    ("$ENG logs <ID>", g_sup_logs, 1.84),
    ("curl --max-time 5 localhost:48484/v1/healthy", g_sup_healthy, 0.05),
    ("journalctl --no-pager --no-hostname -n 200 -a -u balena-supervisor -u resin-supervisor", g_j_sup, 0.07),
    ("ls -lR /tmp/*-supervisor/**/*", g_sup_locks, 0.03),
    ("systemctl status balena-supervisor resin-supervisor --no-pager", g_status_sup, 0.07),
    ("tail -500 /var/log/supervisor-log/resin_supervisor_stdout.log", g_sup_legacy, 0.02),
    ("echo === TIME ===", g_category, 0.01),
    ("cat /tmp/chrony_added_dhcp_ntp_servers", g_chrony_dhcp, 0.02),
    ("chronyc sources", g_chronyc_sources, 1.42),
    ("chronyc tracking", g_chronyc_tracking, 0.03),
    ("date", g_date, 0.02),
    ("journalctl --no-pager --no-hostname -u chronyd", g_j_chrony, 0.03),
    ("timedatectl status", g_timedatectl, 0.38),
    ("uptime", g_uptime, 0.02),
]

B13_PATHS = ("cat /var/log/provisioning-progress.log", "cat /mnt/boot/extlinux/extlinux.conf",
             "cat /mnt/boot/resinOS_uEnv.txt", "cat /mnt/boot/uEnv.txt", "cat /var/log/messages", "mmcli -m 0",
             "find /mnt/data/*hup/*log", "stat /var/lock/*hup.lock", "tail -500 /var/log/supervisor-log",
             "cat /tmp/chrony_added_dhcp_ntp_servers", "test -f /mnt/state/balena-engine-storage-migration.log")


def expand(h: Host, template: str) -> str:
    return template.replace("$ENG", "balena").replace("<ID>", h.sup_cid).replace("<TMP>", h.tmp)


def build_schedule(h: Host) -> None:
    """When each section ran: `date` timestamps advance by the command's run time plus overhead.
    Knobs (keyed by command template): 'timings' overrides the typical run time, 'timeouts' lists
    commands killed by `timeout` after 10 s (status 143)."""
    r = h.rng
    t = h.t0_ns
    timeouts = h.sc.knobs.get("timeouts", [])
    for template, _gen, typical in COMMANDS:
        cmd = expand(h, template)
        timeout = template in timeouts
        typical = h.sc.knobs.get("timings", {}).get(template, typical)
        real = 10.0 + r.uniform(0.005, 0.04) if timeout else max(0.0, typical * r.uniform(0.8, 1.25))
        real = round(real, 2)
        user = round(min(real, real * r.uniform(0.05, 0.7) + 0.004), 2) if real > 0.02 else 0.0
        sys_ = round(min(real, real * r.uniform(0.05, 0.45) + 0.005), 2)
        if timeout:
            user, sys_ = round(r.uniform(0.05, 0.4), 2), round(r.uniform(0.02, 0.2), 2)
        h.schedule.append(Sched(cmd, t, real, user, sys_, timeout))
        t += int((real + r.uniform(0.045, 0.075)) * 1e9) + r.randint(0, 999_999)


class Lines:
    """Accumulates the physical lines of a file and the planted marks (tag, line number, section)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.marks: list[tuple[str, int, str]] = []

    def add(self, text: str, section: str = "") -> None:
        assert "\n" not in text, text[:80]
        self.lines.append(text)
        if isinstance(text, Mark):
            self.marks.append((text.tag, len(self.lines), section))

    def announce(self, header: str) -> None:
        self.add("")
        self.add(f"--- {header} ---")
        self.add("")

    def data(self) -> bytes:
        return ("\n".join(self.lines) + "\n").encode("utf-8", "surrogateescape")


def run_sections(h: Host) -> list[tuple[Sched, Out]]:
    h.finish()
    res = []
    for (template, gen, _typical), s in zip(COMMANDS, h.schedule, strict=True):
        out = gen(h, s)
        if s.timeout:       # killed by `timeout -v 10`: no output, status 128+SIGTERM
            out.out, out.tail, out.status = [], None, 143
            out.err.append("timeout: sending signal TERM to command 'bash'")
        if out.status == 1 and any(s.command.startswith(p) for p in B13_PATHS):
            out.status = -1      # marker: render the B13 line
        res.append((s, out))
        del template
    return res


def render_v4(h: Host) -> Lines:
    build = run_sections(h)
    L = Lines()
    L.add("STDOUT:")
    L.add("")
    for k in ("real", "user", "sys"):
        L.add(f"{k}\t0m 0.00s")
    banners = [f"diagnose {DIAGNOSE_VERSION}", "NOTE: not all commands are expected to succeed on all device types",
               "COMMANDS", "prefixing commands with 'date --utc --rfc-3339=ns ; /usr/bin/time -o /dev/stdout timeout "
               "--preserve-status --kill-after=20 -v 10 bash -c'"]
    for b in banners:
        L.announce(b)
    for s, _out in build:
        L.add(s.command)
    for s, out in build:
        L.announce(s.command)
        L.add(ts_ns(s.start_ns))
        for line in out.out:
            L.add(line, s.command)
        status = 1 if out.status == -1 else out.status
        glue = out.tail or ""
        if status:
            text = f"{glue}Command exited with non-zero status {status}"
            tag = "B13" if out.status == -1 else (glue.tag if isinstance(glue, Mark) else None)
            L.add(mark(tag, text), s.command)
            glue = ""
        real = f"{glue}real\t{busybox_time(s.real)}"
        L.add(like(glue, real) if glue else real, s.command)
        L.add(f"user\t{busybox_time(s.user)}")
        L.add(f"sys\t{busybox_time(s.sys)}")
    L.add("")
    L.add("STDERR:")
    for b in banners:
        L.announce(b)
    for s, out in build:
        L.announce(s.command)
        for line in out.err:
            L.add(line, s.command)
    # the stream ends with the last announce's blank line; data() adds the final newline
    return L


# --------------------------------------------------------------------------------------------
# ground truth
# --------------------------------------------------------------------------------------------


def facts(h: Host) -> dict:
    d = h.dev
    return {
        "os.name": "balenaOS" if h.sc.fmt != "leech" else "Resin OS",
        "os.version": d.os_version,
        "device.type": d.slug,
        "device.model": d.model,
        "arch": d.arch,
        "kernel.version": d.kernel,
        "supervisor.version": d.supervisor,
        "engine.version": d.engine,
        "diagnose.version": DIAGNOSE_VERSION if h.sc.fmt == "v4" else None,
        "hostname": h.hostname,
        "captured_at": ts_ns(h.t0_ns) if h.sc.fmt == "v4" else None,
    }


def truth(h: Host, L: Lines) -> dict:
    sc = h.sc
    problems = []
    for pid in sc.problems:
        name, sev, primary = SIGNATURES[pid]
        primary = expand(h, primary)
        hits = [(n, sec) for tag, n, sec in L.marks if tag == pid]
        if not hits:
            raise SystemExit(f"{sc.filename}: no line planted for {pid}")
        sections = list(dict.fromkeys(sec for _n, sec in hits))
        if sc.fmt == "v4" and primary not in sections:
            raise SystemExit(f"{sc.filename}: {pid} has no line in its primary section {primary!r}: {sections}")
        if sc.fmt != "v4" and primary not in sections:
            primary = sections[0]
        problems.append({"id": pid, "heuristic": HEURISTICS[pid], "name": name, "severity": sev, "section": primary,
                         "sections": sections, "lines": [n for n, _sec in hits]})
    benign = []
    for bid, bname in BENIGN.items():
        hits = [n for tag, n, _sec in L.marks if tag == bid]
        if hits:
            benign.append({"id": bid, "name": bname, "lines": hits})
    stray = sorted({tag for tag, _n, _s in L.marks if tag.startswith("S") and tag not in sc.problems})
    if stray:
        raise SystemExit(f"{sc.filename}: lines tagged {stray} but not declared as problems")
    return {"title": sc.title, "summary": sc.summary, "format": {"v4": "diagnose-4.22", "leech": "leech-2017",
                                                                 "journal": "plain-journal"}[sc.fmt],
            "line_count": len(L.lines), "device": facts(h), "problems": problems, "benign": benign}


# --------------------------------------------------------------------------------------------
# problem stories: each plants one family of signatures (reference §6) into a Host
# --------------------------------------------------------------------------------------------


def image_json(h: Host, c: Container, release: int, digest: str, name: str | None = None) -> str:
    return json.dumps({"name": name or f"registry2.balena-cloud.com/v2/{hexs(h.rng, 32)}@sha256:{digest}",
                       "appId": h.app_id, "serviceId": c.service_id, "serviceName": c.service,
                       "imageId": c.image_id + 17, "releaseId": release, "dependent": 0, "dockerImageId": None},
                      separators=(",", ":"))


# ---- S01 / S02: storage migration killed by the systemd start timeout -------------------------

def s01_engine_boot(h: Host, mono: float, boot: int) -> float:
    """Current boot after a HUP from an aufs release: the aufs -> overlay2 migration runs inside
    balena.service start-up and systemd's 90 s start timeout kills it, twice."""
    r = h.rng
    log: list[str] = []
    layers = [hexs(r, 64) for _ in range(r.randint(40, 60))]

    def mlog(m: float, level: str, msg: str, extra: str = "", tag: str | None = None) -> None:
        log.append(mark(tag, f'time="{ts_go(h.logged(boot, m), r.randint(0, 999))}" ' + logfmt(level, msg, extra)))

    def migration(attempt: int, deadline: float | None) -> Callable[[Host, float, int], float]:
        def run(hh: Host, m: float, b: int) -> float:
            if attempt > 1:
                hh.bd(m, "warning", "found incomplete storage migration state", "state=/var/lib/docker/aufs-migration")
                hh.bd(m + 0.01, "info", "recovering from failed aufs to overlay migration", tag="S02")
                mlog(m + 0.01, "info", "recovering from failed aufs to overlay migration", tag="S02")
                hh.bd(m + 2.4, "info", "removed partially migrated overlay2 data", "path=/var/lib/docker/overlay2")
                mlog(m + 2.4, "info", "removed partially migrated overlay2 data", "path=/var/lib/docker/overlay2")
                m += 2.5
            hh.bd(m, "info", "Storage migration from aufs to overlay2 starting", tag="S01")
            mlog(m, "info", "Storage migration from aufs to overlay2 starting")
            hh.bd(m + 0.05, "info", "checking for aufs root", "root=/var/lib/docker/aufs")
            hh.bd(m + 0.3, "info", "migrating image layers", f"count={len(layers)}")
            mlog(m + 0.3, "info", "migrating image layers", f"count={len(layers)}")
            m += 0.4
            step = (deadline - m - 1.0) / len(layers) * 1.6 if deadline else 0.9
            for i, lay in enumerate(layers):
                if deadline and m >= deadline - 0.5:
                    return -1.0
                hh.bd(m, "info", "moving aufs layer to overlay2", f"id={lay} layer={i + 1}/{len(layers)}")
                m += step * r.uniform(0.6, 1.4)
            hh.bd(m, "info", "switching storage driver configuration", "from=aufs to=overlay2")
            hh.bd(m + 0.2, "info", "Storage migration from aufs to overlay2 finished",
                  f"took={m - mono:.1f}s")
            mlog(m + 0.2, "info", "Storage migration from aufs to overlay2 finished", f"took={m - mono:.1f}s")
            return m + 0.3
        return run

    t = mono
    bpid = h.pid["balenad"]
    for attempt in (1, 2, 3):
        pid = None if attempt == 1 else bpid + 310 * attempt + r.randint(0, 40)
        last = attempt == 3
        ready = engine_start(h, t, boot, pid=pid, migration=migration(attempt, None if last else t + 90.0),
                             restart_containers=last)
        if last:
            h.migration_log = log
            h.st["engine_active_since"] = t
            return ready
        tt = t + 90.0
        unit = "balena.service"
        h.sd(tt, "balena.service: start operation timed out. Terminating.", unit, prio=4, tag="S01")
        h.bd(tt + 0.01, "info", "Processing signal 'terminated'")
        h.sd(tt + 1.8, "balena.service: Main process exited, code=killed, status=15/TERM", unit, prio=5)
        h.sd(tt + 1.8, "balena.service: Failed with result 'timeout'.", unit, prio=4)
        h.sd(tt + 1.9, "Failed to start Balena Application Container Engine.", unit, prio=3)
        h.sd(tt + 1.9, "Dependency failed for Balena supervisor.", h.sup_unit + ".service", prio=3)
        h.sd(tt + 1.9, f"{h.sup_unit}.service: Job {h.sup_unit}.service/start failed with result 'dependency'.",
             h.sup_unit + ".service", prio=4)
        h.sd(tt + 7.0, f"balena.service: Scheduled restart job, restart counter is at {attempt}.", unit, prio=6)
        h.sd(tt + 7.0, "Stopped Balena Application Container Engine.", unit)
        t = tt + 7.1
    raise AssertionError


def story_s01(h: Host) -> None:
    """after the engine finally came up, the supervisor re-downloads the images lost in the migration."""
    r = h.rng
    start = h.st["sup_steady"] + 5
    app = [c for c in h.containers if c.service]
    for c in app:
        digest = hexs(r, 64)
        img = image_json(h, c, h.release_id, digest)
        h.sup(start, "event", "Event: Docker image download " + json.dumps({"image": json.loads(img)},
                                                                            separators=(",", ":")))
        h.sup(start + r.uniform(40, 160), "event", "Event: Image downloaded " + json.dumps(
            {"image": json.loads(img)}, separators=(",", ":")))
        start += 170
    h.sup(start + 2, "event", "Event: Service install " + svc_json(h, app[0]))
    h.sup(start + 3, "event", "Event: Service installed " + svc_json(h, app[0]))
    # the HUP log left by the previous boot
    prev = h.boot(-1)
    t = utc(prev.start + prev.length - 300)
    old = "2.80.3+rev1"
    name = f"/mnt/data/balenahup/balenahup-{t:%Y%m%dT%H%M%S}.log"
    img = f"registry2.balena-cloud.com/v2/{hexs(r, 32)}"
    lines = [f"==> {name} <==", "[000000000][LOG]Normal HUP", "[000000000][LOG]Loading info from config.json",
             f"[000000001][LOG]Host OS version \"{old}\"", f"[000000001][LOG]Target OS version \"{h.dev.os_version}\"",
             "[000000002][LOG]Checking for manual override flag...", "[000000003][LOG]Running pre-update fixes...",
             "[000000004][LOG]Stopping balena-supervisor.service", "[000000006][LOG]Getting new hostapp image",
             f"[000000153][LOG]Image type balena_registry, location '{img}' succeeded",
             "[000000154][LOG]Running hostapp-update...", "[000000231][LOG]hostapp-update: finished",
             f"[000000233][LOG]Updating supervisor to v{h.dev.supervisor}",
             "[000000252][LOG]Supervisor update: finished",
             "[000000253][LOG]Finished update, rebooting in 10 seconds..."]
    h.hup_log = lines


# ---- S10 / S12 / S13: power, SD card and filesystem ---------------------------------------------

def under_voltage(h: Host, mono: float, boot: int = 0) -> None:
    h.kern(mono, "Under-voltage detected! (0x00050005)", 2, "S10", boot)
    h.kern(mono + h.rng.uniform(2, 40), "Voltage normalised (0x00000000)", 6, None, boot)


def story_power_storage(h: Host) -> None:
    r, d = h.rng, h.dev
    p = d.dpart
    for b in h.boots:
        span = b.length if b.idx < 0 else h.uptime
        n = 5 if b.idx < 0 else 16
        for _ in range(n):
            under_voltage(h, r.uniform(30, span - 60), b.idx)
    # the previous boot died without a clean shutdown: the current boot notices
    h.kern(4.8, f"FAT-fs ({p}1): Volume was not properly unmounted. Some data may be corrupt. Please run fsck.", 4)
    h.add(1.9, "systemd-journald", h.pid["journald"], f"File /var/log/journal/{h.machine_id}/system.journal "
          "corrupted or uncleanly shut down, renaming and replacing.", "systemd-journald.service", 4, "S13")
    h.kern(4.6, f"EXT4-fs ({p}6): recovery complete", 6)
    # SD card trouble, then the data partition goes read-only
    t = h.uptime - r.uniform(5400, 7200)
    for k in range(4):
        sector = r.randint(1_000_000, 30_000_000)
        h.kern(t, "mmc0: Timeout waiting for hardware interrupt.", 3, "S12")
        h.kern(t + 0.01, f"mmcblk0: error -110 transferring data, sector {sector}, nr 8, cmd response 0x900, "
               "card status 0xd00", 3, "S12")
        h.kern(t + 0.02, f"blk_update_request: I/O error, dev mmcblk0, sector {sector} op 0x1:(WRITE) flags 0x800 "
               "phys_seg 1 prio class 0", 3, "S12")
        h.kern(t + 0.02, f"Buffer I/O error on dev {p}6, logical block {sector // 8 - 262144}, lost async page write",
               3, "S12")
        if k == 1:
            h.kern(t + 0.03, f"EXT4-fs warning (device {p}6): ext4_end_bio:349: I/O error 10 writing to inode "
                   f"{r.randint(100000, 900000)} starting block {sector // 8})", 4)
        t += r.uniform(20, 400)
    h.kern(t, f"EXT4-fs error (device {p}6): ext4_journal_check_start:61: Detected aborted journal", 2, "S13")
    h.kern(t, f"Aborting journal on device {p}6-8.", 3, "S13")
    h.kern(t + 0.01, f"EXT4-fs ({p}6): Remounting filesystem read-only", 2, "S13")
    h.kern(t + 0.02, f"EXT4-fs error (device {p}6) in ext4_reserve_inode_write:5736: Journal has aborted", 2, "S13")
    h.kern(t + 9.5, f"EXT4-fs error (device {p}6): ext4_find_entry:1455: inode #{r.randint(2, 9000)}: comm balenad: "
           "reading directory lblock 0", 2, "S13")
    h.st["data_ro"] = True
    # consequences seen by the engine and the supervisor (not signatures themselves)
    tt = t + 30
    while tt < h.uptime + 40:
        h.bd(tt, "error", "Error writing log message", "driver=journald error=\"write /var/lib/docker/containers/"
             f"{h.containers[1].cid}/{h.containers[1].cid}-json.log: read-only file system\"")
        tt += r.uniform(300, 900)
    tt = t + 60
    while tt < h.uptime + 40:
        h.sup(tt, "error", "Error from the database while flushing log timestamps: Error: SQLITE_READONLY: "
              "attempt to write a readonly database")
        tt += 600
    h.fingerprint_failed = ["/usr/lib/libsqlite3.so.0.8.6", f"/lib/modules/{d.kernel}/kernel/fs/ext4/ext4.ko",
                            "/usr/bin/balena-engine"]
    h.st["temp"] = 51000


# ---- S14 / S17: out of memory and out of disk ------------------------------------------------------

def oom_kill(h: Host, mono: float, pid: int, comm: str, c: Container) -> None:
    r, d = h.rng, h.dev
    k = h.kern
    k(mono, f"{comm} invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0", 4, "S17")
    k(mono, f"CPU: {r.randint(0, 3)} PID: {pid} Comm: {comm} Not tainted {d.kernel} #1", 4)
    k(mono, "Hardware name: BCM2835", 4)
    frames = ["unwind_backtrace", "show_stack", "dump_stack", "dump_header", "oom_kill_process", "out_of_memory",
              "__alloc_pages_nodemask", "pagecache_get_page", "filemap_fault", "__do_fault", "handle_mm_fault",
              "do_page_fault", "do_PrefetchAbort", "ret_from_exception"]
    addrs = [f"c0{r.randint(0x100000, 0xa0ffff):06x}" for _ in frames]
    for i in range(len(frames) - 1):
        k(mono, f"[<{addrs[i]}>] ({frames[i]}) from [<{addrs[i + 1]}>] ({frames[i + 1]}+0x{r.randint(16, 900):x}/"
          f"0x{r.randint(900, 2000):x})", 4)
    anon = r.randint(180000, 200000)
    for line in ["Mem-Info:",
                 f"active_anon:{r.randint(9000, 16000)} inactive_anon:{anon} isolated_anon:0",
                 f" active_file:{r.randint(60, 200)} inactive_file:{r.randint(40, 160)} isolated_file:0",
                 " unevictable:0 dirty:0 writeback:0",
                 f" slab_reclaimable:{r.randint(1800, 2600)} slab_unreclaimable:{r.randint(4000, 5200)}",
                 f" mapped:{r.randint(150, 300)} shmem:{r.randint(900, 1300)} pagetables:{r.randint(1200, 1600)} bounce:0",
                 f" free:{r.randint(2800, 3200)} free_pcp:{r.randint(40, 140)} free_cma:0",
                 f"Normal free:{r.randint(11000, 12800)}kB min:16384kB low:20480kB high:24576kB reserved_highatomic:0KB "
                 f"active_anon:{r.randint(40000, 64000)}kB inactive_anon:{anon * 4}kB active_file:480kB "
                 "inactive_file:352kB unevictable:0kB writepending:0kB present:1015808kB managed:980104kB mlocked:0kB "
                 "pagetables:5728kB bounce:0kB free_pcp:412kB local_pcp:112kB free_cma:0kB",
                 "lowmem_reserve[]: 0 0 0",
                 "Free swap  = 0kB", f"Total swap = {d.mem_kb // 2}kB", "253952 pages RAM",
                 "0 pages HighMem/MovableOnly", "8645 pages reserved", "65536 pages cma reserved",
                 "Tasks state (memory values in pages):",
                 "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name"]:
        k(mono, line, 4)
    for ppid, name, vm, rss in [(h.pid["journald"], "systemd-journal", 7894, 1043), (h.pid["udevd"], "systemd-udevd", 3473, 412),
                                (h.pid["nm"], "NetworkManager", 52311, 1810), (h.pid["balenad"], "balenad", 243124, 14520),
                                (h.pid["containerd"], "balena-engine-c", 231402, 6930), (h.pid["sup-node"], "node", 61824, 19902),
                                (pid, comm, r.randint(300000, 330000), anon)]:
        k(mono, f"[{ppid:7d}] {0:5d} {ppid:5d} {vm:8d} {rss:8d} {r.randint(20, 700) * 1024:14d} {0:8d} "
          f"{0 if name != 'node' or ppid != pid else 0:13d} {name}", 4)
    k(mono, f"oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=docker-{c.cid}.scope,mems_allowed=0,"
      f"global_oom,task_memcg=/system.slice/docker-{c.cid}.scope,task={comm},pid={pid},uid=0", 3, "S17")
    k(mono, f"Out of memory: Killed process {pid} ({comm}) total-vm:{r.randint(1200000, 1300000)}kB, "
      f"anon-rss:{anon * 4 - r.randint(0, 9000)}kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:{r.randint(1300, 1500)}kB "
      "oom_score_adj:0", 3, "S17")
    k(mono + 0.4, f"oom_reaper: reaped process {pid} ({comm}), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB", 6)


def story_oom_disk(h: Host) -> None:
    r = h.rng
    app = next(c for c in h.containers if c.service == "node-app")
    up = next(c for c in h.containers if c.service == "uploader")
    pids = [2345] + [r.randint(3000, 60000) for _ in range(3)]
    times = [h.uptime - 8 * 3600, h.uptime - 5 * 3600 - 600, h.uptime - 2 * 3600 - 111, h.uptime - 182]
    for pid, t in zip(pids, times, strict=True):
        for j in range(6):
            h.app(t - 600 + j * 90, app, f"[app] heartbeat ok, heap={620 + j * 15}MB")
        oom_kill(h, t, pid, "node", app)
        h.bd(t + 0.6, "info", "shim reaped", f"id={app.cid}", containerd=True)
        h.bd(t + 0.62, "info", "ignoring event", 'module=libcontainerd namespace=moby topic=/tasks/delete '
             'type="*events.TaskDelete"')
        h.sup(t + 0.9, "event", "Event: Service exit " + svc_json(h, app))
        if t < times[-1]:
            shim_started(h, t + 1.5, 0)
            h.sup(t + 2.0, "event", "Event: Service started " + svc_json(h, app))
    app.state, app.exit_code, app.oom, app.restart_count = "restarting", 137, True, 14
    app.finished = h.t0 - 182 + 0.9
    app.tag = "S28"
    h.st["mem_avail_pct"] = 4.2
    h.st["data_used_pct"] = 98.7
    h.st["images_total"] = "5.211GB"
    h.st["images_reclaim"] = "2.402GB (46%)"
    h.st["containers_size"] = "1.187GB"
    h.st["load"] = (3.41, 3.12, 2.87)
    h.st["cpu_idle"] = 41
    # a new release the device cannot download
    new_release = h.release_id + r.randint(100, 900)
    digest = hexs(r, 64)
    img = image_json(h, up, new_release, digest)
    name = json.loads(img)["name"]
    files = ["/usr/src/app/node_modules/aws-sdk/dist/aws-sdk.min.js", "/usr/lib/python3.9/lib-dynload/_ssl.so",
             "/usr/src/app/node_modules/.cache/esbuild/bin/esbuild", "/usr/share/zoneinfo/America/Argentina/Salta"]
    t = h.uptime - 12 * 3600
    delay = 2000
    while t < h.uptime + 30:
        f = r.choice(files)
        why = f"failed to register layer: Error processing tar file(exit status 1): write {f}: no space left on device"
        h.sup(t, "event", "Event: Docker image download " + json.dumps({"image": json.loads(img)}, separators=(",", ":")))
        h.bd(t + 40, "info", f"Attempting next endpoint for pull after error: {why}", tag="S14")
        h.bd(t + 40.1, "error", f"Handler for POST /v1.40/images/create returned error: {why}", tag="S14")
        h.sup(t + 40.2, "error", f"Failed to download image '{name}' due to '{why}'", "S14")
        h.sup(t + 40.3, "event", "Event: Image download error " + json.dumps(
            {"error": {"message": why}, "image": json.loads(img)}, separators=(",", ":")), "S14")
        h.sup(t + 40.4, "error", f"Scheduling another update attempt in {delay}ms due to failure:  Error: Failed to "
              f"download image '{name}' due to '{why}'", "S14")
        h.sup(t + 40.4, "error", "      at Images.fetch (/usr/src/app/dist/app.js:14:139921)")
        t += 40.4 + delay / 1000 + r.uniform(0.05, 3.0)
        delay = min(delay * 2, 900000)


# ---- S18-S21: DNS, NTP and VPN with the clock stuck in the past ------------------------------------

def story_offline_clock(h: Host) -> None:
    r = h.rng
    srv = vpn_server(h)
    # chrony never gets a usable source
    chrony(h, 12.0, "Could not resolve address of initstepslew server 0.resinio.pool.ntp.org")
    t = 70.0
    while t < h.uptime + 30:
        chrony(h, t, "Can't synchronise: no selectable sources", "S19")
        t += r.uniform(2, 7) * 3600
    # os-config cannot fetch its configuration
    oc = h.pid["os-config"]
    h.add(21.0, "os-config", oc, f"Fetching service configuration from {API}/os/v1/config...", "os-config.service")
    h.add(31.0, "os-config", oc, f"error sending request for url ({API}/os/v1/config): error trying to connect: dns "
          "error: failed to lookup address information: Temporary failure in name resolution", "os-config.service",
          3, "S18")
    h.add(95.0, "os-config", oc, f"error sending request for url ({API}/os/v1/config): error trying to connect: "
          "error:1416F086:SSL routines:tls_process_server_certificate:certificate verify failed:"
          "ssl/statem/statem_clnt.c:1915: (certificate is not yet valid)", "os-config.service", 3, "S20")
    # openvpn keeps retrying
    t = 60.0
    while t < h.uptime + 30:
        x = r.random()
        if x < 0.45:
            for _ in range(2):
                ovpn(h, t, f"RESOLVE: Cannot resolve host address: {h.vpn_host}:443 (Temporary failure in name "
                     "resolution)", "S18")
            ovpn(h, t, "Could not determine IPv4/IPv6 protocol")
            ovpn(h, t, "SIGUSR1[soft,init_instance] received, process restarting")
        elif x < 0.6:
            ovpn(h, t, f"Attempting to establish TCP connection with [AF_INET]{srv}:443 [nonblock]")
            ovpn(h, t + 30, f"TCP: connect to [AF_INET]{srv}:443 failed: Connection timed out", "S21")
            ovpn(h, t + 30, "SIGUSR1[connection failed(soft),init_instance] received, process restarting", "S21")
            t += 30
        else:
            ovpn(h, t, f"Attempting to establish TCP connection with [AF_INET]{srv}:443 [nonblock]")
            ovpn(h, t + 0.2, f"TCP connection established with [AF_INET]{srv}:443")
            ovpn(h, t + 0.3, f"TLS: Initial packet from [AF_INET]{srv}:443, sid={hexs(r, 8)} {hexs(r, 8)}")
            ovpn(h, t + 0.5, f"VERIFY ERROR: depth=1, error=certificate is not yet valid: {VPN_CA}", "S20")
            ovpn(h, t + 0.5, "OpenSSL: error:1416F086:SSL routines:tls_process_server_certificate:certificate "
                 "verify failed")
            ovpn(h, t + 0.5, "TLS_ERROR: BIO read tls_read_plaintext error")
            ovpn(h, t + 0.5, "TLS Error: TLS object -> incoming plaintext read error")
            ovpn(h, t + 0.5, "TLS Error: TLS handshake failed", "S21")
            ovpn(h, t + 0.5, "Fatal TLS error (check_tls_errors_co), restarting", "S21")
            ovpn(h, t + 0.5, "SIGUSR1[soft,tls-error] received, process restarting")
        ovpn(h, t + 1, "Restart pause, 120 second(s)")
        t += 120 + r.uniform(1, 6)
        ovpn(h, t, "NOTE: the current --script-security setting may allow this configuration to call user-defined "
             "scripts")
    # the supervisor cannot reach the API
    t = h.st["sup_steady"]
    while t < h.uptime + 30:
        if r.random() < 0.6:
            h.sup(t, "error", "LogBackend: unexpected error: Error: getaddrinfo EAI_AGAIN api.balena-cloud.com", "S18")
            h.sup(t, "error", "      at GetAddrInfoReqWrap.onlookup [as oncomplete] (dns.js:64:26)")
            h.sup(t + 5, "event", 'Event: Device state report failure {"error":"getaddrinfo EAI_AGAIN '
                  'api.balena-cloud.com"}', "S18")
            h.sup(t + 9, "error", "Failed to get target state for device: Error: getaddrinfo EAI_AGAIN "
                  "api.balena-cloud.com", "S18")
        else:
            h.sup(t, "event", 'Event: Device state report failure {"error":"certificate is not yet valid"}', "S20")
            h.sup(t + 4, "error", f"Failed to get target state for device: FetchError: request to {API}/device/v3/"
                  f"{h.uuid}/state failed, reason: certificate is not yet valid", "S20")
        t += r.uniform(300, 900)


# ---- S05 / S06 / S08: engine panics applying a >2 GB delta on a 32-bit board -----------------------

def panic_trace(h: Host, mono: float) -> None:
    r = h.rng
    gsrc, esrc = go_paths(h)
    esrc = esrc.replace("/work/build/", "/yocto/resin-board/build/")

    def p32() -> str:
        return "0x" + r.choice("123456789abc") + hexs(r, 6)
    raw = [
        ("panic: runtime error: slice bounds out of range [:2147483648] with capacity 2147479552", "S05"),
        ("", None),
        (f"goroutine {r.randint(800, 3000)} [running]:", None),
        (f"github.com/docker/docker/pkg/ioutils.(*concatReadSeekCloser).Read({p32()}, {p32()}, 0x200, 0x200, "
         f"{p32()}, 0x1, {p32()})", "S05"),
        (f"\t{esrc}/pkg/ioutils/concat.go:55 +0x330", None),
        (f"io.(*LimitedReader).Read({p32()}, {p32()}, 0x200, 0x200, 0x0, 0x0, 0x0)", None),
        (f"\t{gsrc}/io/io.go:448 +0xc4", None),
        (f"io.copyBuffer({p32()}, {p32()}, {p32()}, {p32()}, {p32()}, 0x200, 0x200, {p32()}, {p32()}, 0x0, ...)", None),
        (f"\t{gsrc}/io/io.go:402 +0xd8", None),
        ("io.Copy(...)", None),
        (f"\t{gsrc}/io/io.go:364", None),
        (f"io.CopyN({p32()}, {p32()}, 0xa34bd9b0, {p32()}, 0x200, 0x0, 0x0, 0x0, 0x0, 0x0)", None),
        (f"\t{gsrc}/io/io.go:340 +0x8c", None),
        (f"github.com/docker/docker/vendor/github.com/balena-os/librsync-go.Patch({p32()}, {p32()}, {p32()}, "
         f"{p32()}, {p32()}, {p32()}, 0x0, {p32()})", "S05"),
        (f"\t{esrc}/vendor/github.com/balena-os/librsync-go/patch.go:83 +0x1c0", None),
        (f"github.com/docker/docker/distribution/xfer.(*LayerDownloadManager).makeDownloadFunc.func1.1({p32()}, "
         f"{p32()}, {p32()}, {p32()})", None),
        (f"\t{esrc}/distribution/xfer/download.go:379 +0x2d0", None),
        (f"github.com/docker/docker/distribution.(*v2Puller).pullSchema2Layers.func1({p32()}, {p32()})", None),
        (f"\t{esrc}/distribution/pull_v2.go:612 +0x1a4", None),
        ("created by github.com/docker/docker/distribution/xfer.(*LayerDownloadManager).makeDownloadFunc.func1", None),
        (f"\t{esrc}/distribution/xfer/download.go:372 +0x4c8", None),
    ]
    for text, tag in raw:
        h.bd(mono, "", "", raw=text, tag=tag)


def story_delta_crash(h: Host) -> None:
    r = h.rng
    main = next(c for c in h.containers if c.service == "main")
    new_release = h.release_id + r.randint(50, 400)
    src_digest, dst_digest = hexs(r, 64), hexs(r, 64)
    img = image_json(h, main, new_release, dst_digest)
    name = json.loads(img)["name"]
    tag = f"delta([main] {name})"
    t = 1200.0 + r.uniform(0, 200)
    restarts = 0
    unit = "balena.service"
    while t < h.uptime - 240:
        h.sup(t, "event", "Event: Delta image download " + json.dumps({"image": json.loads(img)}, separators=(",", ":")))
        h.sup(t + 0.4, "debug", f"{tag}: Starting delta to {name}")
        h.sup(t + 2.1, "debug", f"{tag}: Delta source: registry2.balena-cloud.com/v2/{hexs(r, 32)}@sha256:{src_digest}")
        t_p = t + r.uniform(160, 420)
        bpid, _ = h.engine_pids(0, t_p)
        if restarts == 1:       # this time balenad hangs applying the delta and is SIGKILLed
            h.bd(t_p - 60, "warning", "Health check for container " + h.containers[0].cid + " error: context "
                 "deadline exceeded")
            h.sd(t_p + 0.2, "balena.service: Main process exited, code=killed, status=9/KILL", unit, prio=5,
                 tag="S08")
            h.sd(t_p + 0.2, "balena.service: Failed with result 'signal'.", unit, prio=4)
        else:
            panic_trace(h, t_p)
            h.sd(t_p + 0.2, "balena.service: Main process exited, code=exited, status=2/INVALIDARGUMENT", unit,
                 prio=5)
            h.sd(t_p + 0.2, "balena.service: Failed with result 'exit-code'.", unit, prio=4)
        h.sup(t_p + 0.1, "debug", f"{tag}: Delta failed with Error: read ECONNRESET", "S06")
        err = {"message": "read ECONNRESET", "stack": "Error: read ECONNRESET\n    at Pipe.onStreamRead "
               "(internal/stream_base_commons.js:205:27)"}
        h.sup(t_p + 0.1, "event", "Event: Image download error " + json.dumps(
            {"error": err, "image": json.loads(img)}, separators=(",", ":")), "S06")
        for msg in ["Updating failed, but there's another update scheduled immediately:  Error: connect ECONNREFUSED "
                    "/var/run/balena-engine.sock", "Device state apply error Error: connect ECONNREFUSED "
                    "/var/run/balena-engine.sock", "Scheduling another update attempt in 2000ms due to failure:  "
                    "Error: connect ECONNREFUSED /var/run/balena-engine.sock"]:
            h.sup(t_p + 0.3, "error", msg, "S06")
            h.sup(t_p + 0.3, "error", "      at PipeConnectWrap.afterConnect [as oncomplete] (net.js:1141:16)")
        h.sup(t_p + 0.5, "event", 'Event: Device state report failure {"error":{"message":"connect ECONNREFUSED '
              '/var/run/balena-engine.sock"}}')
        restarts += 1
        h.sd(t_p + 5.2, f"balena.service: Scheduled restart job, restart counter is at {restarts}.", unit, prio=6,
             tag="S08" if restarts >= 3 else None)
        h.sd(t_p + 5.2, "Stopped Balena Application Container Engine.", unit)
        h.sd(t_p + 5.4, f"{h.sup_unit}.service: Main process exited, code=exited, status=1/FAILURE",
             h.sup_unit + ".service", prio=5)
        h.sd(t_p + 5.4, f"{h.sup_unit}.service: Failed with result 'exit-code'.", h.sup_unit + ".service", prio=4)
        new_pid = bpid + r.randint(300, 900)
        ready = engine_start(h, t_p + 5.3, 0, pid=new_pid)
        h.st["engine_active_since"] = t_p + 5.3
        h.sup_runs[0].append((ready + 1.0, h.pid["supervisor"] + restarts * 7 + r.randint(1000, 9000)))
        h.pid["supervisor"] = h.sup_runs[0][-1][1]
        s_t = supervisor_start(h, ready + 1.0, 0)
        h.st["sup_active_since"] = ready + 1.0
        sup_after_start(h, s_t, 0, eai_again=False)
        t = s_t + r.uniform(200, 400)
    h.st["engine_restarts"] = restarts
    for c in h.containers:
        c.started = h.logged(0, h.st["engine_active_since"] + 3)


# ---- S03 / S08 / S25 / S28: overloaded x86 box, crash-looping service, duplicate network -----------

def story_overload(h: Host) -> None:
    r = h.rng
    web = next(c for c in h.containers if c.service == "web")
    db = next(c for c in h.containers if c.service == "db")
    inf = next(c for c in h.containers if c.service == "inference")
    h.st["load"] = (9.84, 9.12, 8.77)
    h.st["cpu_idle"] = 2
    h.st["heavy_proc"] = " ".join(inf.cmd)
    h.st["mem_avail_pct"] = 31.0
    h.st["temp"] = 71000
    # S28: web crash-loops because db never becomes ready; db is unhealthy
    db.health, db.failing_streak = "unhealthy", 12
    db.healthcheck_log = ["pg_isready: /var/run/postgresql:5432 - no response"]
    db.tag = "S28"
    web.state, web.exit_code, web.restart_count, web.finished = "restarting", 1, 37, h.t0 - 8
    web.tag = "S28"
    t = h.uptime - 6 * 3600
    delay = 10.0
    while t < h.uptime - 8:
        h.app(t, web, "Error: connect ECONNREFUSED 172.17.0.4:5432")
        h.app(t, web, "    at TCPConnectWrap.afterConnect [as oncomplete] (net.js:1148:16)")
        h.sup(t + 0.3, "event", "Event: Service exit " + svc_json(h, web), "S28")
        h.bd(t + 0.2, "info", "shim reaped", f"id={web.cid}", containerd=True)
        t += delay + r.uniform(0, 40)
        shim_started(h, t, 0)
        h.sup(t + 0.2, "event", "Event: Service restart " + svc_json(h, web), "S28")
        delay = min(delay * 1.4, 600)
    # S25: two networks called <appId>_default
    dup = f"{h.app_id}_default"
    h.networks.insert(1, (hexs(r, 12), dup, "bridge", "local"))
    h.st["dup_network"] = dup
    t = h.uptime - 30 * 3600
    delay = 2000
    why = (f"Failed to apply state transition steps. (HTTP code 500) server error - network {dup} is ambiguous "
           '(2 matches found based on name) Steps:["createNetwork"]')
    while t < h.uptime + 30:
        h.sup(t, "info", "Applying target state")
        h.sup(t + 0.8, "error", f"Device state apply error Error: {why}", "S25")
        h.sup(t + 0.8, "error", f"Scheduling another update attempt in {delay}ms due to failure:  Error: {why}", "S25")
        t += 0.8 + delay / 1000 + r.uniform(0.01, 2.5)
        delay = min(delay * 2, 900000)
    # S03: the engine watchdog fires under load (twice), systemd aborts balenad
    unit = "balena.service"
    for i, t in enumerate([h.uptime - 31 * 3600, h.uptime - 13 * 60 - 40]):
        for j in range(3):
            h.bd(t - 300 + j * 90, "warning", f"Health check for container {inf.cid} error: context deadline exceeded")
        bpid, _ = h.engine_pids(0, t)
        h.sd(t, "balena.service: Watchdog timeout (limit 6min)!", unit, prio=2, tag="S03")
        h.sd(t, f"balena.service: Killing process {bpid} (balenad) with signal SIGABRT.", unit, prio=5)
        for text in ["SIGABRT: abort", f"PC=0x{hexs(r, 12)} m=0 sigcode=0", "", "goroutine 0 [idle]:",
                     f"runtime.futex(0x{hexs(r, 7)}, 0x80, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x7ffd{hexs(r, 8)}, "
                     f"0x{hexs(r, 6)}, ...)", "\t/usr/lib/go/src/runtime/sys_linux_amd64.s:579 +0x21"]:
            h.bd(t + 0.1, "", "", raw=text)
        h.sd(t + 2.4, "balena.service: Main process exited, code=dumped, status=6/ABRT", unit, prio=5, tag="S08")
        h.sd(t + 2.4, "balena.service: Failed with result 'watchdog'.", unit, prio=4)
        h.sd(t + 7.5, f"balena.service: Scheduled restart job, restart counter is at {i + 1}.", unit)
        h.sd(t + 7.5, "Stopped Balena Application Container Engine.", unit)
        ready = engine_start(h, t + 7.6, 0, pid=bpid + r.randint(2000, 90000))
        h.st["engine_active_since"] = t + 7.6
        new = h.pid["supervisor"] + r.randint(2000, 90000)
        h.sup_runs[0].append((ready + 1.0, new))
        h.pid["supervisor"] = new
        s_t = supervisor_start(h, ready + 1.0, 0)
        h.st["sup_active_since"] = ready + 1.0
        sup_after_start(h, s_t, 0, eai_again=False)
    for c in h.containers:
        if c.state == "running":
            c.started = h.logged(0, h.st["engine_active_since"] + 3)


# ---- plain journal export: flaky power and DNS -------------------------------------------------

def story_plain(h: Host) -> None:
    r = h.rng
    for _ in range(5):
        under_voltage(h, r.uniform(200, h.uptime - 100))
    t = h.st["sup_steady"] + 1800
    while t < h.uptime:
        h.sup(t, "error", "LogBackend: unexpected error: Error: getaddrinfo EAI_AGAIN api.balena-cloud.com", "S18")
        h.sup(t, "error", "      at GetAddrInfoReqWrap.onlookup [as oncomplete] (dns.js:64:26)")
        t += r.uniform(600, 2400)


# ---- one device before and after a host OS update (the pair for `triage diff`) --------------------

def story_hup_before(h: Host) -> None:
    """/mnt/data 95% full of images from old releases; the 'uploader' service cannot write its
    cache (ENOSPC) and crash-loops for the last ~3 hours; `balena stats` hangs on it (killed)."""
    r = h.rng
    up = next(c for c in h.containers if c.service == "uploader")
    start = h.uptime - 3 * 3600 - r.uniform(0, 600)
    h.events = [e for e in h.events if not (e.boot == 0 and e.ident == up.short and e.mono >= start)]
    t = start
    delay = 10.0
    restarts = 0
    while t < h.uptime - 20:
        name = f"/usr/src/app/cache/batch-{r.randint(10000, 99999)}.json"
        h.app(t, up, f"Error: ENOSPC: no space left on device, write '{name}'", "S14")
        h.app(t, up, "    at Object.writeFileSync (node:fs:2306:3)")
        h.bd(t + 0.2, "info", "shim reaped", f"id={up.cid}", containerd=True)
        h.sup(t + 0.3, "event", "Event: Service exit " + svc_json(h, up), "S28")
        t += delay + r.uniform(0, 30)
        shim_started(h, t, 0)
        h.sup(t + 0.2, "event", "Event: Service restart " + svc_json(h, up), "S28")
        restarts += 1
        delay = min(delay * 1.5, 900)
    up.state, up.exit_code, up.restart_count, up.finished = "restarting", 1, restarts, h.t0 - 20
    up.tag = "S28"
    h.st["data_used_pct"] = 89.3
    h.st["images_total"] = "24.61GB"
    h.st["images_reclaim"] = "19.87GB (80%)"
    h.st["mem_avail_pct"] = 71.5


def story_hup_after(h: Host) -> None:
    """Five hours after the HUP to 2.115.18: the old images are gone (33% used), the uploader runs;
    the firmware now reports under-voltage a few times an hour (a USB camera was added)."""
    r = h.rng
    t = 900.0
    while t < h.uptime - 120:
        under_voltage(h, t)
        t += r.uniform(900, 2400)
    h.st["data_used_pct"] = 31.2
    h.st["mem_avail_pct"] = 58.3
    h.containers[0].created = h.boot(0).start - r.uniform(60, 300)  # the HUP replaced the supervisor
    when = utc(h.boot(0).start - r.uniform(320, 400))
    name = f"/mnt/data/balenahup/balenahup-{when:%Y%m%dT%H%M%S}.log"
    img = f"registry2.balena-cloud.com/v2/{hexs(r, 32)}"
    h.hup_log = [f"==> {name} <==", "[000000000][LOG]Normal HUP", "[000000000][LOG]Loading info from config.json",
                 '[000000001][LOG]Host OS version "2.88.4+rev3"',
                 f'[000000001][LOG]Target OS version "{h.dev.os_version}"',
                 "[000000002][LOG]Checking for manual override flag...", "[000000003][LOG]Running pre-update fixes...",
                 "[000000004][LOG]Stopping balena-supervisor.service", "[000000006][LOG]Getting new hostapp image",
                 f"[000000171][LOG]Image type balena_registry, location '{img}' succeeded",
                 "[000000172][LOG]Running hostapp-update...", "[000000259][LOG]hostapp-update: finished",
                 f"[000000261][LOG]Updating supervisor to v{h.dev.supervisor}",
                 "[000000284][LOG]Supervisor update: finished",
                 "[000000285][LOG]Finished update, rebooting in 10 seconds..."]


# --------------------------------------------------------------------------------------------
# the 2017 "leech" format (no timestamps, no time lines, inline CHECKS, `docker`)
# --------------------------------------------------------------------------------------------

LEECH_COMMANDS = [
    "cat /etc/os-release", "uname -a", "free -h", "cat /proc/cpuinfo", "cat /proc/meminfo", "ps", "top -b -n 1",
    "tail -500 /var/log/supervisor-log/resin_supervisor_stdout.log", "cat /var/log/provisioning-progress.log",
    "df -h", "btrfs fi df /mnt/data-disk", "btrfs fi df /mnt/data", "btrfs fi usage /mnt/data-disk",
    "btrfs fi usage /mnt/data", "ls -l /mnt/boot/system-connections", "cat /mnt/boot/config.txt",
    "cat /mnt/boot/uEnv.txt", "cat /mnt/boot/resinOS_uEnv.txt", "mount", "ls -l /dev", "date", "timedatectl status",
    "/sbin/ip addr", "curl https://www.google.co.uk", "curl https://pubnub.com", "curl https://api.resin.io/ping",
    "journalctl -n500", "dmesg", "cat /var/log/messages", "cat /etc/resolv.conf", "cat /proc/net/dev",
    "cat /proc/net/udp", "cat /proc/net/snmp", "netstat -ntl", "curl --max-time 5 localhost:48484/ping",
    "docker --version", "ping -c 1 -W 3 google.co.uk", "docker images", "docker ps -a", "docker stats --all --no-stream",
    "systemctl status resin-supervisor", "journalctl -n 200 --no-pager -u resin-supervisor", "systemctl status docker",
    "journalctl -n 200 --no-pager -u docker", "systemctl status openvpn-resin",
    "journalctl -n 200 --no-pager -u openvpn-resin", "iptables -n -L", "iptables -n -t nat -L",
    "docker exec resin_supervisor cat /etc/resolv.conf",
]


def story_leech(h: Host) -> None:
    """A 2017 resinOS 2.2 device: docker, resin-supervisor v6, DNS failing for the API."""
    r, dev = h.rng, h.dev
    clock_step(h, 0)
    for mono, msg, prio, tag in kernel_boot(h):
        h.kern(mono, msg, prio, None if tag and tag.startswith("B") else tag)
    h.sd(1.2, f"systemd {dev.systemd} running in system mode. (+PAM -AUDIT -SELINUX +IMA -APPARMOR +SMACK "
         "+SYSVINIT +UTMP -LIBCRYPTSETUP -GCRYPT -GNUTLS +ACL +XZ -LZ4 -SECCOMP +BLKID -ELFUTILS +KMOD -IDN)")
    h.sd(1.2, "Detected architecture arm.")
    h.sd(1.3, f"Set hostname to <{h.hostname}>.")
    for i, name in enumerate(["Resin persistent state mount", "Resin data partition mount service", "D-Bus System Message Bus",
                              "Avahi mDNS/DNS-SD Stack", "Modem Manager", "Network Manager", "DNS forwarder and DHCP server",
                              "Docker Application Container Engine", "OpenVPN", "Resin supervisor"]):
        h.sd(2.0 + i * 0.9, f"Starting {name}...")
        h.sd(2.4 + i * 0.9, f"Started {name}.")
    dpid = 724
    h.pid["balenad"] = dpid
    t = 9.5
    for msg in ["libcontainerd: new containerd process, pid: 761", "Graph migration to content-addressability took 0.00 seconds",
                "Loading containers: start.", "Loading containers: done.", "Daemon has completed initialization",
                "API listen on /var/run/docker.sock", "API listen on [::]:2375"]:
        h.add(t, "dockerd", dpid, logfmt("info", msg), "docker.service", 6, None, "go")
        t += 0.3
    h.add(t, "dockerd", dpid, logfmt("info", "Docker daemon", "commit=c6d412e graphdriver=aufs version=17.03.1-ce"),
          "docker.service", 6, None, "go")
    h.add(t, "dockerd", dpid, logfmt("warning", "Your kernel does not support cgroup rt period"), "docker.service", 6,
          "B10", "go")
    sup_pid = 1065
    lines = ["Supervisor v6.1.2 starting up...", "Starting event tracker", "Starting up api binder",
             "Event: Supervisor start {}", "Starting API server", "Supervisor API listening on allowed interfaces only",
             "Applying target state"]
    t = 21.0
    for text in lines:
        h.sup_log.append((0, t, 0, "plain", text, None))
        h.add(t, "resin-supervisor", sup_pid, text, "resin-supervisor.service")
        t += 0.4
    t = h.uptime - 5 * 3600
    while t < h.uptime:
        block = [("Failed to get target state for device: Error: getaddrinfo EAI_AGAIN api.resin.io:443", "S18"),
                 ("Error: getaddrinfo EAI_AGAIN api.resin.io:443", "S18"),
                 ("    at Object.exports._errnoException (util.js:1022:11)", None),
                 ("    at errnoException (dns.js:33:15)", None),
                 ("    at GetAddrInfoReqWrap.onlookup [as oncomplete] (dns.js:76:26)", None)]
        if r.random() < 0.5:
            block.append(("Event: Device state report failure {\"error\":\"getaddrinfo EAI_AGAIN api.resin.io:443\"}", "S18"))
        for text, tag in block:
            h.sup_log.append((0, t, 0, "plain", text, tag))
            h.add(t, "resin-supervisor", sup_pid, text, "resin-supervisor.service", 6, tag)
        t += r.uniform(60, 240)
    t = 40.0
    while t < h.uptime:
        h.add(t, h.containers[1].short, dpid, APP_LINES["sensor"](r), "docker.service")
        t += r.uniform(50, 70)
    h.add(12.0, "openvpn", 744, "OpenVPN 2.3.14 arm-poky-linux-gnueabi [SSL (OpenSSL)] [LZO] [EPOLL] [MH] [IPv6] built on "
          "Jun 12 2017", "openvpn-resin.service", 6, None, "ovpn")
    t = 12.5
    while t < h.uptime:
        h.add(t, "openvpn", 744, "RESOLVE: Cannot resolve host address: vpn.resin.io:443 (Temporary failure in name "
              "resolution)", "openvpn-resin.service", 6, "S18", "ovpn")
        h.add(t + 0.01, "openvpn", 744, "SIGUSR1[soft,init_instance] received, process restarting",
              "openvpn-resin.service", 6, None, "ovpn")
        t += r.uniform(300, 1200)


def render_leech(h: Host) -> Lines:
    """Text of a 2017 leech run: banner, inline CHECKS, COMMANDS listing, `--- cmd ---` sections."""
    r, dev = h.rng, h.dev
    h.finish()
    L = Lines()
    fake = Sched("", h.t0_ns, 0, 0, 0)
    m = h.uptime

    def jl(evs: list[Ev]) -> list[str]:
        return [f"-- Logs begin at {ts_long(h.logged(0, h.events[0].mono))}, end at "
                f"{ts_long(h.logged(0, h.events[-1].mono))}. --"] + [h.jline(e, hostname=True) for e in evs]

    def sup_text() -> list[str]:
        return [mark(tag, text) for _b, _m, _s, _lvl, text, tag in h.sup_log][-500:]

    def ps_busybox() -> list[str]:
        out = ["  PID USER       VSZ STAT COMMAND"]
        for p in processes(h, fake, "ps"):
            vsz = f"{p.vsz_kb // 1024}m" if p.vsz_kb >= 100000 else str(p.vsz_kb)
            out.append(f"{p.pid:5d} {p.user:<8} {vsz:>5} {p.stat:<4} {p.args[:52]}")
        return out

    def df_busybox() -> list[str]:
        out = ["Filesystem                Size      Used Available Use% Mounted on"]
        for devname, size, used, mp, _fs, _ino in filesystems(h)[:10]:
            avail = max(size - used, 0)
            pct = int(used * 100 // size) if used else 0
            out.append(f"{devname:<20}{human(size):>10}{human(used) if used else '0':>10}{human(avail):>10}"
                       f"{pct:>4}% {mp}")
        return out

    def status(unit: str, desc: str, pid: int, cmd: str, units: tuple[str, ...]) -> list[str]:
        since = h.logged(0, 9.0)
        tail = [h.jline(e, hostname=True) for e in h.select(m, units=units)][-10:]
        return [f"● {unit} - {desc}", f"   Loaded: loaded (/lib/systemd/system/{unit}; enabled; vendor preset: enabled)",
                f"   Active: active (running) since {ts_long(since)}; {systemd_ago(h.t0 - since)}",
                f" Main PID: {pid} ({cmd.split()[0].rsplit('/', 1)[-1][:15]})",
                f"   CGroup: /system.slice/{unit}", f"           └─{pid} {cmd}", ""] + tail

    body, tail = google_html(h)
    sup_c = h.containers[0]
    outs: dict[str, tuple[list[str], str | None]] = {
        "cat /etc/os-release": (['ID="resin-os"', 'NAME="Resin OS"', f'VERSION="{dev.os_version}"',
                                 f'VERSION_ID="{dev.meta_version}"', f'PRETTY_NAME="Resin OS {dev.os_version}"',
                                 f'RESIN_BOARD_REV="{hexs(r, 7)}"', f'META_RESIN_REV="{hexs(r, 7)}"',
                                 f'SLUG="{dev.slug}"', f'MACHINE="{dev.slug}"', 'VARIANT="Development"',
                                 'VARIANT_ID="dev"'], None),
        "uname -a": ([f"Linux {h.hostname} {dev.kernel} #2 SMP {dev.kernel_date} armv7l armv7l armv7l GNU/Linux"], None),
        "free -h": (["             total       used       free     shared    buffers     cached",
                     f"Mem:        {dev.mem_kb}     {int(dev.mem_kb * 0.82)}     {int(dev.mem_kb * 0.18)}      15860"
                     f"      53216     524192", f"-/+ buffers/cache:     {int(dev.mem_kb * 0.25)}     "
                     f"{int(dev.mem_kb * 0.75)}", "Swap:            0          0          0"], None),
        "cat /proc/cpuinfo": (g_cpuinfo(h, fake).out[:-1], None),
        "cat /proc/meminfo": (g_meminfo(h, fake).out, None),
        "ps": (ps_busybox(), None),
        "top -b -n 1": (g_top(h, fake).out, None),
        "tail -500 /var/log/supervisor-log/resin_supervisor_stdout.log": (sup_text(), None),
        "df -h": (df_busybox(), None),
        "ls -l /mnt/boot/system-connections": (["-rwxr-xr-x    1 root     root           211 Aug  1 09:12 resin-wifi"],
                                               None),
        "cat /mnt/boot/config.txt": (["gpu_mem=16", "disable_splash=1", "dtparam=i2c_arm=on", "dtparam=spi=on",
                                      "enable_uart=1"], None),
        "mount": (g_mount(h, fake).out, None),
        "ls -l /dev": (g_ls_dev(h, fake).out[1:], None),
        "date": ([ts_date(h.t0)], None),
        "timedatectl status": ([f"      Local time: {ts_long(h.t0)}", f"  Universal time: {ts_long(h.t0)}",
                                "        RTC time: n/a", "       Time zone: UTC (UTC, +0000)", " Network time on: yes",
                                "NTP synchronized: yes", " RTC in local TZ: no"], None),
        "/sbin/ip addr": (g_ip_addr(h, fake).out, None),
        "curl https://www.google.co.uk": (body, tail),
        "curl https://pubnub.com": (['<html><head><meta http-equiv="refresh" content="0;URL=https://www.pubnub.com/">'
                                     "</head><body></body></html>"], None),
        "curl https://api.resin.io/ping": ([], "OK"),
        "journalctl -n500": (jl(h.select(m, n=500)), None),
        "dmesg": ([mark(e.tag, f"[{e.mono:12.6f}] {e.msg}") for e in h.select(m, kernel_only=True)], None),
        "cat /etc/resolv.conf": (["nameserver 127.0.0.2"], None),
        "cat /proc/net/dev": (g_net_dev(h, fake).out, None),
        "cat /proc/net/udp": (g_udp(h, fake).out, None),
        "cat /proc/net/snmp": (g_snmp(h, fake).out, None),
        "netstat -ntl": (g_netstat(h, fake).out, None),
        "curl --max-time 5 localhost:48484/ping": ([], "OK"),
        "docker --version": ([dev.engine_banner], None),
        "ping -c 1 -W 3 google.co.uk": (["ping: bad address 'google.co.uk'"], None),
        "docker images": (g_images(h, fake).out, None),
        "docker ps -a": (g_ps_a(h, fake).out, None),
        "docker stats --all --no-stream": (g_stats(h, fake).out, None),
        "systemctl status resin-supervisor": (status("resin-supervisor.service", "Resin supervisor", 1006,
                                                     "/bin/sh /usr/bin/start-resin-supervisor",
                                                     ("resin-supervisor.service",)), None),
        "journalctl -n 200 --no-pager -u resin-supervisor": (jl(h.select(m, units=("resin-supervisor.service",), n=200)),
                                                             None),
        "systemctl status docker": (status("docker.service", "Docker Application Container Engine", 724,
                                           "/usr/bin/dockerd --log-driver=journald -s aufs -H fd:// -H tcp://0.0.0.0:2375 "
                                           "--dns 172.17.0.1", ("docker.service",)), None),
        "journalctl -n 200 --no-pager -u docker": (jl(h.select(m, units=("docker.service",), n=200)), None),
        "systemctl status openvpn-resin": (status("openvpn-resin.service", "OpenVPN Resin", 744,
                                                  "/usr/sbin/openvpn --daemon --writepid /var/run/openvpn/resin.pid --cd "
                                                  "/etc/openvpn/ --config /run/openvpn/resin.conf",
                                                  ("openvpn-resin.service",)), None),
        "journalctl -n 200 --no-pager -u openvpn-resin": (jl(h.select(m, units=("openvpn-resin.service",), n=200)), None),
        "iptables -n -L": (g_iptables(h, fake).out, None),
        "iptables -n -t nat -L": (g_iptables_nat(h, fake).out, None),
        "docker exec resin_supervisor cat /etc/resolv.conf": (["nameserver 127.0.0.2"], None),
    }
    del sup_c
    L.add("")
    L.add("--- leech / diagnose  ---")
    L.add("")
    L.announce("CHECKS")
    mem = mem_info(h)
    for line in [f"MEM: OK ({mem['MemAvailable'] * 100 // mem['MemTotal']}% available.)",
                 "DOCKER: OK (docker is running.)", "SUPERVISOR: OK (supervisor is running).",
                 "DNS: OK (first DNS server is 127.0.0.2.)",
                 f"DISK: OK (df reports {100 - int(h.st['data_used_pct'])}% free.)",
                 "METADATA: SKIP: not resinOS 1.x device"]:
        L.add(line)
    L.announce("COMMANDS")
    for cmd in LEECH_COMMANDS:
        L.add(cmd)
    pending = ""
    for cmd in LEECH_COMMANDS:
        # announce: blank, header, blank - but output without a final newline swallows the blank
        if pending:
            L.add(like(pending, pending))
        else:
            L.add("")
        L.add(f"--- {cmd} ---")
        L.add("")
        lines, tail = outs.get(cmd, ([], None))
        for line in lines:
            L.add(line, cmd)
        pending = tail or ""
    if pending:
        L.add(pending)
    return L


def render_journal(h: Host) -> Lines:
    """`journalctl -a --no-pager` of the current boot (short format, with hostname)."""
    L = Lines()
    for line in h.journal(h.uptime, hostname=True):
        L.add(line, "journal")
    return L


# --------------------------------------------------------------------------------------------
# the sample files
# --------------------------------------------------------------------------------------------

SCENARIOS: list[Scenario] = [
    Scenario(
        filename="healthy-rpi0-2w-2.87.16.txt",
        title="Healthy Raspberry Pi Zero 2 W",
        summary="A healthy device, up 3 days. Only the known-benign noise of a normal balenaOS boot: DNS not up "
                "yet when openvpn starts, one supervisor EAI_AGAIN right after boot, the openvpn route-add ERROR, "
                "the resin_supervisor ExecStartPre failure, VCHI/brcmfmac kernel messages, legacy paths missing.",
        seed="triagebench/healthy-rpi0-2w", device=ZERO2W, start="2022-05-09 10:21:14", uptime=3 * 86400 + 4 * 3600 + 1291,
        problems=[], knobs={"services": ["sensor"], "goroutines": 118},
    ),
    Scenario(
        filename="s01-storage-migration-timeout-rpi4-2.88.4.txt",
        title="Engine killed mid storage migration after a host OS update",
        summary="First boot after a host OS update from an aufs release (2.80.3+rev1) to 2.88.4+rev3 (< 2.98.4). "
                "balenad starts the aufs->overlay2 migration inside balena.service start-up; systemd's start "
                "timeout kills it twice ('start operation timed out. Terminating.'), the engine recovers the failed "
                "migration and finally finishes; the supervisor re-downloads the application images. Persistent "
                "logging shows the previous (old OS) boot.",
        seed="triagebench/s01-rpi4", device=RPI4_64, start="2022-06-14 08:47:03", uptime=23 * 60 + 17,
        problems=["S01", "S02"], stories=[story_s01],
        knobs={"services": ["sensor", "uploader"], "engine_boot0": s01_engine_boot, "persistent": True,
               "prev_boots": [19 * 86400 + 3 * 3600], "storage_prev": "aufs", "goroutines": 210,
               "userspace_s": 312.457, "engine_start_s": 291.122, "sup_logs_from_boot": 0},
    ),
    Scenario(
        filename="s10-s12-s13-undervoltage-sdcard-rpi3-2.58.3.txt",
        title="Under-voltage, failing SD card, read-only data partition",
        summary="A Raspberry Pi 3B+ on a weak power supply: repeated 'Under-voltage detected! (0x00050005)' in "
                "this and the previous boot (which ended without a clean shutdown), then mmc timeouts, I/O errors on "
                "mmcblk0, an aborted ext4 journal and /mnt/data remounted read-only. The rootfs fingerprint check "
                "reports FAILED files.",
        seed="triagebench/s10-rpi3", device=RPI3_64_OLD, start="2021-02-17 13:05:40", uptime=16 * 3600 + 12 * 60 + 9,
        problems=["S10", "S12", "S13"], stories=[story_power_storage],
        knobs={"services": ["sensor", "uploader"], "persistent": True, "prev_boots": [2 * 86400 + 5 * 3600],
               "fingerprint": True, "goroutines": 150, "prev_boot_clean": False},
    ),
    Scenario(
        filename="s14-s17-oom-disk-full-fincm3-2.94.4.txt",
        title="Out of memory and data partition full",
        summary="A balenaFin (32-bit) whose Node.js service leaks memory: the kernel OOM killer kills it four times "
                "(the first as process 2345), it is restarting with \"OOMKilled\": true and RestartCount 14. "
                "/mnt/data is 99% full, so the new release cannot be downloaded: 'failed to register layer ... no "
                "space left on device' and a supervisor 'Failed to download image' loop.",
        seed="triagebench/s14-fin", device=FIN, start="2022-03-08 19:32:11", uptime=86400 + 7 * 3600 + 1234,
        problems=["S14", "S17", "S28"], stories=[story_oom_disk],
        knobs={"services": ["node-app", "uploader"], "goroutines": 170, "app_period": 90},
    ),
    Scenario(
        filename="s18-s21-dns-ntp-vpn-clock-in-past-cm4-2.85.2.txt",
        title="No DNS, no NTP, no VPN: clock stuck in the past",
        summary="A CM4 behind a firewall that drops NTP and is flaky for DNS. chronyd never synchronises, so the "
                "clock stays at the OS build date (September 2021, the diagnostics timestamps are wrong too). Every "
                "TLS connection fails with 'certificate is not yet valid' (openvpn VERIFY ERROR, supervisor, "
                "os-config, curl exit 60); DNS lookups fail with EAI_AGAIN long after boot; openvpn never reaches "
                "'Initialization Sequence Completed'. The run was started from the LAN.",
        seed="triagebench/s18-cm4", device=CM4, start="2021-09-16 06:12:44", uptime=2 * 86400 + 3 * 3600 + 731,
        problems=["S18", "S19", "S20", "S21"], stories=[story_offline_clock],
        knobs={"services": ["sensor"], "clock_stuck": True, "vpn": False, "boot_eai_again": False,
               "ssh_from": "lan", "boot_resolve_fails": 3, "goroutines": 130,
               "timings": {"CURL_CA_BUNDLE=<TMP> curl https://api.balena-cloud.com/ping": 4.02,
                           "CURL_CA_BUNDLE=<TMP> curl https://www.google.co.uk": 1.1},
               "dns_stats": [(5123, 3310, "S18"), (1312, 1312, "S18")],
               "state": {"clock_synced": False, "vpn_up": False, "dns_ok": False, "tls_ok": False}},
    ),
    Scenario(
        filename="s05-s06-delta-panic-rpi3-armv7-2.88.4.txt",
        title="Engine crash loop applying a large delta on a 32-bit board",
        summary="A Raspberry Pi 3 running the 32-bit (armv7l) OS 2.88.4+rev3 (< 2.98.29) downloads a >2 GB delta: "
                "balenad panics with 'slice bounds out of range [:2147483648]' in librsync-go.Patch / "
                "concatReadSeekCloser, systemd restarts it, the supervisor sees 'Delta failed with Error: read "
                "ECONNRESET' and 'connect ECONNREFUSED /var/run/balena-engine.sock', retries, and the cycle repeats.",
        seed="triagebench/s05-rpi3", device=RPI3_32, start="2022-07-21 15:40:02", uptime=3 * 3600 + 48 * 60 + 21,
        problems=["S05", "S06", "S08"], stories=[story_delta_crash],
        knobs={"services": ["main"], "goroutines": 170, "timeouts": ["$ENG stats --all --no-stream"]},
    ),
    Scenario(
        filename="s03-s25-s28-overload-watchdog-nuc-2.98.33.txt",
        title="Overloaded x86 device: engine watchdog, crash-looping service, duplicate network",
        summary="An Intel NUC (2.98.33 < 2.101.7) running a CPU-bound inference service at load ~9.8: the engine "
                "healthcheck misses the 6 min watchdog twice and systemd aborts balenad. The 'web' service "
                "crash-loops (RestartCount 37) because 'db' is unhealthy, and the supervisor (v14.4.4 < 14.9.0) "
                "cannot apply the target state because two networks are named <appId>_default ('is ambiguous').",
        seed="triagebench/s03-nuc", device=NUC, start="2022-09-02 11:15:27", uptime=4 * 86400 + 2 * 3600 + 77,
        problems=["S03", "S08", "S25", "S28"], stories=[story_overload],
        knobs={"services": ["inference", "web", "db"], "goroutines": 190,
               "timeouts": ["ls -lR /proc/ 2>/dev/null | grep /data/ | grep \\(deleted\\)"]},
    ),
    Scenario(
        filename="legacy-leech-resinos-2.2.0-rpi3.txt",
        title="2017 'leech' diagnostics of a Resin OS 2.2 device",
        summary="Pre-2019 format: '--- leech / diagnose  ---' banner, inline '--- CHECKS ---', `docker` instead of "
                "`balena`, sections without timestamps or time lines (so output without a final newline is glued "
                "to the next header's blank line). The supervisor (v6.1.2) cannot resolve api.resin.io: "
                "'getaddrinfo EAI_AGAIN api.resin.io:443'.",
        seed="triagebench/leech-rpi3", device=LEGACY_RPI3, start="2017-08-10 14:02:11", uptime=9 * 3600 + 14 * 60,
        problems=["S18"], stories=[], fmt="leech", knobs={"services": ["sensor"]},
    ),
    Scenario(
        filename="plain-journal-rpi4-undervoltage-dns.txt",
        title="Plain journal export (no sections)",
        summary="The output of `journalctl -a --no-pager` for one boot of a Raspberry Pi 4 (short format with "
                "hostname; no '--- x ---' headers at all): a few under-voltage warnings and recurring supervisor "
                "EAI_AGAIN errors.",
        seed="triagebench/plain-rpi4", device=RPI4_PLAIN, start="2022-05-14 16:40:12", uptime=8 * 3600 + 1337,
        problems=["S10", "S18"], stories=[story_plain], fmt="journal",
        knobs={"services": ["sensor", "uploader"], "app_period": 30},
    ),
    Scenario(
        filename="pair-before-hup-s14-s28-rpi4-2.88.4.txt",
        title="One device before a host OS update: data partition full, crash-looping service",
        summary="First of a pair (same device uuid as pair-after-hup-s10-rpi4-2.115.18.txt): a Raspberry Pi 4 "
                "on 2.88.4+rev3 (supervisor 12.11.16, engine 19.03.30), up 11 days. /mnt/data is 95% full of "
                "images from old releases, so the 'uploader' service fails with 'ENOSPC: no space left on device' "
                "and crash-loops (Restarting, 'Service exit' / 'Service restart' events); `balena stats` hangs "
                "and is killed by timeout (status 143). No host OS update log yet.",
        seed="triagebench/pair-before-hup", device=RPI4_HUP_OLD, start="2023-07-10 14:05:31",
        uptime=11 * 86400 + 6 * 3600 + 1903, problems=["S14", "S28"], stories=[story_hup_before],
        knobs={"services": ["sensor", "uploader"], "identity": "triagebench/pair-rpi4-hup", "goroutines": 160,
               "timeouts": ["$ENG stats --all --no-stream"]},
    ),
    Scenario(
        filename="pair-after-hup-s10-rpi4-2.115.18.txt",
        title="The same device after a host OS update: disk freed, under-voltage",
        summary="Second of a pair (same device uuid as pair-before-hup-s14-s28-rpi4-2.88.4.txt), two days later "
                "and 5 hours after a host OS update to 2.115.18 (supervisor 14.11.8, engine 20.10.37, kernel "
                "6.1.21-v8; the HUP log is in /mnt/data/balenahup). The unused images were removed (33% used), "
                "the uploader runs again and `balena stats` completes; new: the firmware reports 'Under-voltage "
                "detected! (0x00050005)' a few times an hour.",
        seed="triagebench/pair-after-hup", device=RPI4_HUP_NEW, start="2023-07-12 16:48:09",
        uptime=5 * 3600 + 17 * 60 + 44, problems=["S10"], stories=[story_hup_after],
        knobs={"services": ["sensor", "uploader"], "identity": "triagebench/pair-rpi4-hup", "goroutines": 175},
    ),
]


def assign_container_pids(h: Host) -> None:
    """shim and main pids of the running containers, consistent with the last engine start."""
    _, cpid = h.engine_pids(0, h.uptime + 60)
    spid = h.sup_pid(0, h.uptime + 60)
    k = 0
    for c in h.containers:
        if c.network == "host":
            shim = spid + 10
            h.pid["sup-shim"], h.pid["sup-node"], h.pid["sup-journalctl"] = shim, shim + 19, shim + 70
            c.pid = shim + 19
        elif c.state == "running":
            c.pid = cpid + 120 + 57 * k + 19
            k += 1


def build(sc: Scenario) -> tuple[Host, Lines]:
    h = Host(sc)
    h.st.update(sc.knobs.get("state", {}))
    if sc.fmt == "v4":
        build_schedule(h)
    if sc.fmt == "leech":
        add_user_containers(h)
        h.containers[0].name = "resin_supervisor"
        h.containers[0].image = "resin/armv7hf-supervisor:v6.1.2"
        h.images[0].repo, h.images[0].tag = "resin/armv7hf-supervisor", "v6.1.2"
        h.images.pop()
        story_leech(h)
        return h, render_leech(h)
    story_base(h)
    for story in sc.stories:
        story(h)
    assign_container_pids(h)
    h.finish()
    return h, render_v4(h) if sc.fmt == "v4" else render_journal(h)


def readme(results: dict[str, dict]) -> str:
    out = [
        "# Sample diagnostics",
        "",
        "Synthetic but realistic balena device-diagnostics files, generated by `generate.py` "
        "(stdlib only, deterministic: one `random.Random(seed)` per file). **Do not edit the `.txt` files by hand**: "
        "change the generator and run",
        "",
        "```",
        "python tools/samples/generate.py            # rewrites *.txt, README.md, ground_truth.json here",
        "python tools/samples/generate.py OUTDIR     # or somewhere else",
        "```",
        "",
        "No real device file was copied; every identifier (UUIDs, container ids, IPs, serials) is invented. "
        "The format follows `shared/reference/balena-diagnostics.md` §2 (diagnose 4.22.11 as downloaded from "
        "the dashboard: `STDOUT:` stream, then `STDERR:` stream) and §1.1 / §5.4 for the 2017 leech format.",
        "",
        "`ground_truth.json` is the machine-readable version of this page. Line numbers are 1-based and count "
        "`\\n` only (a `\\r` inside a curl progress meter is not a line break). `lines` lists every planted line of "
        "a signature, in any section; `section` is the section where the signature is defined (reference §6, "
        "\"where\"), `sections` every section that holds one of its lines. `benign` lists the known-benign noise "
        "(§6.1) that heuristics must *not* report.",
        "",
        "## Traps present in every diagnose-4.22 file",
        "",
        "- false header inside output: `--- google.co.uk ping statistics ---` (ping section; absent only where "
        "ping fails);",
        "- `real` glued to output: `OKreal\\t0m 0.05s` in `curl --max-time 5 localhost:48484/v1/healthy` and in "
        "`CURL_CA_BUNDLE=... curl https://api.balena-cloud.com/ping` (unless the curl fails), the last line of the "
        "minified HTML of `curl https://www.google.co.uk` (2,000+ chars) ends in `</body></html>real\\t...`, and "
        "`cat /proc/device-tree/model` prints `Raspberry Pi ... Rev 1.x\\0real\\t0m 0.01s` (one NUL byte, RPi "
        "boards only; x86 has no device tree);",
        "- the google HTML contains raw ISO-8859-1 bytes (`Fran\\xe7ais`, `\\xa0`): **these files are not valid "
        "UTF-8**, decode with `errors=\"replace\"`/`surrogateescape`;",
        "- ANSI colour in every supervisor line (`balena logs <id>`, supervisor journal, `systemctl status` tails, "
        "container lines `<12-hex id>[<balenad pid>]:` in the engine journal): `[\\x1b[34minfo\\x1b[39m]`, "
        "`[\\x1b[31merror\\x1b[39m]`, `[\\x1b[47m\\x1b[30mapi\\x1b[39m\\x1b[49m]`, also debug 35, event 36, "
        "success 32, warn 33;",
        "- numeric-only output lines (thermal `34324`), JSON `0` array items (`ConsoleSize`) in inspect;",
        "- headers with a double space (`journalctl --no-pager --no-hostname  --list-boots`) and a trailing space "
        "(`... md5sum --quiet -c `), run-specific tokens (`balena logs <12-hex>`, `CURL_CA_BUNDLE=/tmp/tmp.XXXXXXXXXX`);",
        "- journal lines without hostname or year (`May 09 10:21:14 dnsmasq[1387]: ...`), a `-- Journal begins at "
        "... --` (2.58: `-- Logs begin at ...`) line first, `-- Boot <id> --` between boots, non-monotonic "
        "timestamps where chronyd stepped the clock after boot, `systemctl status` tails *with* hostname, "
        "`dmesg -T` lines `[Mon May  9 10:21:14 2022] ...` (real time, unlike the journal's pre-step times);",
        "- curl progress meters with `\\r` in the STDERR part; a failing curl's error is glued to its meter line;",
        "- a blank journal message (`balenad[N]: ` with a trailing space) inside Go panic traces.",
        "",
        "Exceptions, by design: in the DNS/NTP/VPN file both CURL_CA_BUNDLE curls fail (exit 6 and 60), so it has "
        "no `OKreal` for the API ping and no google HTML; the Intel NUC file has no device tree (no NUL byte). "
        "Killed commands (`timeout: sending signal TERM to command 'bash'` in STDERR, `Command exited with non-zero "
        "status 143`) appear in the delta-panic (`balena stats`) and overload (`ls -lR /proc/ ...`) files.",
        "",
        "Device type slugs and models used: `raspberrypi0-2w-64` (\"Raspberry Pi Zero 2 W Rev 1.0\"), "
        "`raspberrypi4-64` (\"Raspberry Pi 4 Model B Rev 1.4\" / \"Rev 1.2\"), `raspberrypi3-64` "
        "(\"Raspberry Pi 3 Model B Plus Rev 1.3\"), `raspberrypi3` (\"Raspberry Pi 3 Model B Rev 1.2\", armv7l), "
        "`fincm3` (\"Raspberry Pi Compute Module 3 Plus Rev 1.0\", armv7l), `raspberrypicm4-ioboard` "
        "(\"Raspberry Pi Compute Module 4 Rev 1.0\"), `genericx86-64-ext` (Intel NUC, x86_64, no model).",
        "",
        "The 1,000,000-line benchmark file is not committed: `python bench/make_big.py [PATH]` writes it (default "
        "`bench/data/big-1m.txt`) with its ground truth next to it (`PATH.truth.json`).",
        "",
    ]
    for name, t in results.items():
        d = t["device"]
        out += [f"## `{name}`", "", f"**{t['title']}** ({t['format']}, {t['line_count']:,} lines). {t['summary']}", "",
                "| fact | value |", "| --- | --- |"]
        for k, v in d.items():
            out.append(f"| {k} | {'' if v is None else '`' + str(v) + '`'} |")
        out.append("")
        if t["problems"]:
            out += ["| id | problem | severity | section | planted lines |", "| --- | --- | --- | --- | --- |"]
            for p in t["problems"]:
                lines = p["lines"]
                shown = ", ".join(str(n) for n in lines[:12]) + (f", … ({len(lines)} lines)" if len(lines) > 12 else "")
                out.append(f"| {p['id']} | {p['name']} | {p['severity']} | `{p['section']}` | {shown} |")
        else:
            out.append("No problems planted: heuristics should report nothing above `info` here.")
        if t["benign"]:
            out += ["", "Known-benign noise (must not be reported): " + "; ".join(
                f"{b['id']} {b['name']} (line {b['lines'][0]}{'…' if len(b['lines']) > 1 else ''})" for b in t["benign"])
                + "."]
        out.append("")
    return "\n".join(out)


def dump_truth(results: dict[str, dict]) -> str:
    """JSON with one line per list of line numbers (readable diffs, small file)."""
    text = json.dumps(results, indent=2, ensure_ascii=False)
    return re.sub(r"\[\s*(\d+(?:,\s*\d+)*)\s*\]",
                  lambda m: "[" + ", ".join(re.split(r",\s*", m.group(1))) + "]", text) + "\n"


def write_all(outdir: Path) -> dict[str, dict]:
    outdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    for sc in SCENARIOS:
        h, L = build(sc)
        (outdir / sc.filename).write_bytes(L.data())
        results[sc.filename] = truth(h, L)
        print(f"{sc.filename}: {len(L.lines):,} lines, {len(L.data()):,} bytes", file=sys.stderr)
    (outdir / "ground_truth.json").write_text(dump_truth(results), encoding="utf-8")
    (outdir / "README.md").write_text(readme(results) + "\n", encoding="utf-8")
    return results


def main(argv: list[str]) -> int:
    outdir = Path(argv[1]) if len(argv) > 1 else HERE
    write_all(outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
