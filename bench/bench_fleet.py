"""Fleet-scan benchmark: ``triage fleet`` over 1,000 files of ~10,000 lines.

Usage: ``.venv/bin/python bench/bench_fleet.py [--files 1000] [--jobs N] [--out FILE.md]``

The inputs are the bundled samples (``sample-diagnostics/*.txt``) when they
exist, otherwise synthetic diagnostics files of ~10,000 lines in the real
diagnose 4.22 layout (journal, dmesg, supervisor, openvpn, goroutine dump; about 8 % of
the lines error-like, most of them recurring) written by ``synthetic_file``. They are symlinked into a
temporary folder until there are ``--files`` of them, then scanned exactly as
``triage fleet FOLDER --format json`` does (worker processes, library loaded
once per worker, aggregation). Target: <= 60 s for 1,000 files on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from triagebench.cli.fleet import _scan_all
from triagebench.services.fleet import ScanOptions, aggregate, expand_paths, scan_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample-diagnostics"
TIME = "real\t0m 0.01s\nuser\t0m 0.00s\nsys\t0m 0.00s"
PREFIX = ("--- prefixing commands with 'date --utc --rfc-3339=ns ; /usr/bin/time -o /dev/stdout "
          "timeout --preserve-status --kill-after=20 -v 10 bash -c' ---")


def _journal(rng: random.Random, count: int, idents: list[str], messages: list[str]) -> list[str]:
    out = []
    for index in range(count):
        minute, second = divmod(index, 60)
        ident = rng.choice(idents)
        text = rng.choice(messages).format(n=rng.randint(1, 99999), h=rng.getrandbits(48),
                                          ip=f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.7")
        out.append(f"May 02 {10 + minute // 60:02}:{minute % 60:02}:{second:02} "
                   f"{ident}[{rng.randint(100, 4000)}]: {text}")
    return out


def synthetic_file(seed: int, target_lines: int = 11_500) -> str:
    """A diagnostics text of about ``target_lines`` lines in the diagnose 4.22 layout."""
    rng = random.Random(seed)
    version = rng.choice(["2.80.3+rev1", "2.88.4", "2.98.33", "2.105.1", "2.113.18"])
    machine = rng.choice(["raspberrypi4-64", "raspberrypi3", "fincm3", "jetson-nano", "genericx86-64"])
    balenad = _journal(rng, target_lines // 3, ["balenad"], [
        *['time="2022-05-02T16:03:56.{n}Z" level=info msg="shim reaped" id={h:x}'] * 8,
        'time="2022-05-02T16:03:56.{n}Z" level=info msg="ignoring event" module=libcontainerd',
        'time="2022-05-02T16:03:56.{n}Z" level=warning msg="Your kernel does not support cgroup rt period"',
        'time="2022-05-02T16:03:56.{n}Z" level=info msg="Container {h:x} is healthy"',
        'time="2022-05-02T16:03:56.{n}Z" level=info msg="Layer sha256:{h:x} cleaned up"',
        'time="2022-05-02T16:03:56.{n}Z" level=info msg="API listen on /var/run/balena-engine.sock"',
        'time="2022-05-02T16:03:56.{n}Z" level=info msg="Processing signal \'terminated\'"',
        'time="2022-05-02T16:03:56.{n}Z" level=error msg="Handler for GET /containers/{h:x}/json returned error: No such container: {h:x}"',
    ])
    supervisor = _journal(rng, target_lines // 4, ["balena-supervisor"], [
        *["[info]    Reported current state to the cloud"] * 6,
        *["[api]     GET /v1/healthy 200 - {n} ms"] * 6,
        "[info]    Applying target state",
        "[info]    Reported current state to the cloud",
        "[info]    Reported current state to the cloud",
        "[debug]   Attempting container log timestamp flush...",
        "[debug]   Container log timestamp flush complete",
        "[api]     GET /v1/device 200 - {n} ms",
        "[event]   Event: Service exit {{\"service\":\"main\",\"serviceId\":{n}}}",
        "[error]   LogBackend: unexpected error: Error: getaddrinfo EAI_AGAIN api.balena-cloud.com",
        "[warn]    Invalid firewall mode: . Reverting to state: off",
    ])
    warnings = _journal(rng, target_lines // 40, ["kernel", "systemd", "openvpn", "NetworkManager"], [
        "Under-voltage detected! (0x0005000{n})",
        "balena.service: Watchdog timeout (limit 6min)!",
        "TCP: connect to [AF_INET]{ip}:443 failed: Connection timed out",
        "device (wlan0): Activation: failed for connection 'wifi{n}'",
        "mmc0: Timeout waiting for hardware interrupt.",
        "usb 1-1.{n}: device descriptor read/64, error -71",
    ])
    dmesg = [f"[Fri Apr 29 13:{i // 60 % 60:02}:{i % 60:02} 2022] " + rng.choice([
        "Under-voltage detected! (0x00050005)", "Voltage normalised (0x00000000)",
        f"mmcblk0: error -110 transferring data, sector {rng.randint(1, 10**7)}, nr 8",
        *[f"eth0: renamed from veth{rng.getrandbits(24):x}"] * 4,
        *["brcmfmac: brcmf_c_preinit_dcmds: Firmware: BCM4345/6 wl0: Oct 22 2019"] * 4,
        "vc_sm_cma_vchi_init: failed to open VCHI service (-1)",
        f"docker0: port {rng.randint(1, 9)}(veth{rng.getrandbits(24):x}) entered forwarding state",
    ]) for i in range(target_lines // 10)]
    goroutines = []
    while len(goroutines) < target_lines // 8:
        goroutines += [f"goroutine {rng.randint(1, 9999)} [chan receive, {rng.randint(1, 90)} minutes]:",
                       "github.com/docker/docker/vendor/github.com/pkg/errors.(*fundamental).Error(...)",
                       f"\t/go/src/github.com/docker/docker/daemon/monitor.go:{rng.randint(1, 999)} +0x{rng.getrandbits(16):x}",
                       ""]
    sections = {
        "echo === BALENA ===": ["=== BALENA ==="],
        "curl --unix-socket /var/run/balena.sock http://./debug/pprof/goroutine?debug=2": goroutines,
        "balena --version": ["Docker version 19.03.30, build c41a2d5c1a102294994118434aefaa54a76e2814"],
        "journalctl --no-pager --no-hostname -n 1000 -at balenad": balenad,
        "echo === HARDWARE ===": ["=== HARDWARE ==="],
        "dmesg -T": dmesg,
        "echo === OS ===": ["=== OS ==="],
        "cat /etc/os-release": ['ID="balena-os"', f'VERSION="{version}"', f'VERSION_ID="{version}"',
                                f'PRETTY_NAME="balenaOS {version}"', f'MACHINE="{machine}"'],
        "journalctl --no-pager --no-hostname -pwarning -perr -a": warnings,
        "echo === SUPERVISOR ===": ["=== SUPERVISOR ==="],
        "journalctl --no-pager --no-hostname -n 200 -a -u balena-supervisor": supervisor,
        "df -h": ["Filesystem      Size  Used Avail Use% Mounted on",
                  f"/dev/mmcblk0p6   28G  {rng.randint(1, 27)}G  3G  {rng.randint(5, 99)}% /mnt/data"],
    }
    out = ["STDOUT:", "", TIME, "", "--- diagnose 4.22.11 ---", "", "",
           "--- NOTE: not all commands are expected to succeed on all device types ---", "", "",
           "--- COMMANDS ---", "", "", PREFIX, "", *sections]
    for command, lines in sections.items():
        out += ["", f"--- {command} ---", "", "2022-05-02 16:03:40.941545526+00:00", *lines, TIME]
    out += ["", "STDERR:", ""]
    for command in sections:
        out += ["", f"--- {command} ---", ""]
    return "\n".join(out) + "\n"


def inputs(folder: Path, count: int) -> tuple[list[Path], str]:
    """``count`` files in ``folder`` (symlinks to samples, or synthetic files) and a label."""
    samples = sorted(SAMPLES.glob("*.txt"))
    if not samples:
        sources = []
        for seed in range(min(count, 20)):
            path = folder / "src" / f"synthetic-{seed:02}.txt"
            path.parent.mkdir(exist_ok=True)
            path.write_text(synthetic_file(seed), encoding="utf-8")
            sources.append(path)
        label = f"{len(sources)} synthetic ~10k-line files (bench/bench_fleet.py synthetic_file)"
    else:
        sources = samples
        label = f"the {len(samples)} files of sample-diagnostics/"
    links = []
    for index in range(count):
        link = folder / "fleet" / f"device-{index:04}.txt"
        link.parent.mkdir(exist_ok=True)
        os.symlink(sources[index % len(sources)].resolve(), link)
        links.append(link)
    return links, label


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as temp:
        folder = Path(temp)
        links, label = inputs(folder, args.files)
        total_lines = sum(p.read_bytes().count(b"\n") for p in links[:50])
        average_lines = total_lines / min(50, len(links))
        t0 = time.perf_counter()
        single = scan_file(str(links[0]), ScanOptions())
        one_file = time.perf_counter() - t0
        paths, _ = expand_paths([str(folder / "fleet")])
        start = time.perf_counter()
        records = _scan_all(paths, ScanOptions(), args.jobs)
        scanned = time.perf_counter() - start
        report = aggregate(records)
        total = time.perf_counter() - start
    errors = sum(1 for r in records if r.error)
    print(f"inputs: {label}; {len(paths)} files, ~{average_lines:,.0f} lines each")
    print(f"one file (serial, library already loaded after the first): {one_file * 1000:.0f} ms "
          f"({single.lines:,} lines, {len(single.matches)} findings, {single.unexplained} unexplained lines)")
    print(f"fleet scan with {args.jobs} worker(s): {scanned:.1f} s, aggregate "
          f"{total - scanned:.2f} s, total {total:.1f} s "
          f"({len(paths) * average_lines / total:,.0f} lines/s); {errors} errors; "
          f"{len(report.patterns)} patterns, {len(report.templates)} templates")
    if args.out:
        text = "\n".join([
            "# Fleet scan benchmark",
            "",
            f"Machine: {os.cpu_count()} cores ({platform.machine()}), Python "
            f"{platform.python_version()}; date {date.today().isoformat()}.",
            f"Command: `.venv/bin/python bench/bench_fleet.py --files {args.files} --jobs {args.jobs} "
            "--out bench/results-fleet.md`.",
            "",
            f"Inputs: {label}, symlinked to {len(paths)} files of ~{average_lines:,.0f} lines.",
            "",
            "| measurement | value |",
            "|---|---:|",
            f"| one file, serial (parse + evaluate + suspicious + mine) | {one_file * 1000:.0f} ms |",
            f"| {len(paths)} files, {args.jobs} worker processes (scan) | {scanned:.1f} s |",
            f"| aggregation (fleet re-mining, ranking) | {total - scanned:.2f} s |",
            f"| **total** (target <= 60 s) | **{total:.1f} s** |",
            f"| throughput | {len(paths) * average_lines / total:,.0f} lines/s |",
            "",
        ])
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
