"""Fleet-scan benchmark: throughput, driver peak RSS as the fleet grows, incremental reruns.

Usage: ``.venv/bin/python bench/bench_fleet.py [--counts 1000,5000,10000] [--jobs N]
[--out FILE.md]``

Inputs are written on the fly (never committed) into a temporary folder: variations of
the bundled ~8k-line samples (``sample-diagnostics/*.txt`` with 8,000 lines or more; each
copy gets its own device UUID, two captures per device, so every file has its own
content hash), or synthetic ~10k-line files in the diagnose 4.22 layout
(``synthetic_file``) when the samples are absent. For each count, a fresh driver process
runs exactly what ``triage fleet FOLDER --db NEW.sqlite`` runs (process pool, batches,
tree-reduced partials, the store, the summary) and reports files/s and its own peak RSS
(``ru_maxrss``; worker processes not included): it must stay flat (+-10 %) while the
count grows. Then 100 new files are added to the largest folder and the same store is
run again: it must take < 5 % of the first run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from triagebench.services.fleet import ScanOptions, expand_paths

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


MIN_LINES = 8000


def sources() -> tuple[list[str], str]:
    """Texts to vary: the bundled samples of 8,000+ lines, else synthetic files."""
    texts = [p.read_text(encoding="utf-8", errors="surrogateescape")
             for p in sorted(SAMPLES.glob("*.txt"))]
    texts = [t for t in texts if t.count("\n") >= MIN_LINES and '"uuid": "' in t]
    if texts:
        return texts, f"variations of the {len(texts)} bundled samples of 8k+ lines"
    return [synthetic_file(seed) for seed in range(7)], "7 synthetic ~10k-line files"


_UUID = re.compile(r'"uuid": "[0-9a-f]+"')


def write_files(folder: Path, texts: list[str], start: int, stop: int) -> None:
    """Files ``start``..``stop - 1``: sample ``i % len``, device UUID ``i // 2``."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(start, stop):
        text = _UUID.sub(f'"uuid": "{index // 2:032x}"', texts[index % len(texts)], count=1)
        (folder / f"capture-{index:05}.txt").write_text(text, encoding="utf-8",
                                                        errors="surrogateescape")


def view(all_files: Path, target: Path, count: int) -> Path:
    """A folder of symlinks to the first ``count`` generated files."""
    target.mkdir(parents=True)
    for index in range(count):
        name = f"capture-{index:05}.txt"
        os.symlink(all_files / name, target / name)
    return target


def _current_rss_mb() -> float:
    """This process's resident set now (``VmRSS``), 0 where /proc is absent."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def driver(folder: str, db: str, jobs: int) -> int:
    """One ``triage fleet``-equivalent run in this (fresh) process; prints a JSON line."""
    from triagebench.services.fleet import PoolBackend, library_for, run_fleet
    from triagebench.services.fleet_store import open_store

    start = time.perf_counter()
    paths, _ = expand_paths([folder])
    options = ScanOptions()
    store = open_store(db)
    stats = run_fleet(paths, store, PoolBackend(options, library_for(options), jobs))
    summary = store.summary(stats)
    store.close()
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "inputs": stats.inputs, "scanned": stats.scanned,
                      "known": stats.known, "errors": stats.error_count,
                      "devices": summary.devices, "patterns": len(summary.patterns),
                      "templates": summary.template_total,
                      "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "rss_end_mb": _current_rss_mb()}))
    return 0


def run_driver(folder: Path, db: Path, jobs: int) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--driver", str(folder), str(db), str(jobs)],
                          capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  {folder.name}: {result}", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="1000,5000,10000")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--driver", nargs=3, metavar=("FOLDER", "DB", "JOBS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.driver:
        return driver(args.driver[0], args.driver[1], int(args.driver[2]))
    counts = sorted(int(c) for c in args.counts.split(","))
    texts, label = sources()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as temp:
        root = Path(temp)
        generated = root / "all"
        t0 = time.perf_counter()
        write_files(generated, texts, 0, counts[-1] + 100)
        print(f"wrote {counts[-1] + 100} files in {time.perf_counter() - t0:.1f} s", flush=True)
        lines = sum(t.count("\n") for t in texts) / len(texts)
        for count in counts:
            folder = view(generated, root / f"fleet-{count}", count)
            result = run_driver(folder, root / f"fleet-{count}.sqlite", args.jobs)
            rows.append((count, result))
        largest, first = rows[-1]
        folder = root / f"fleet-{largest}"
        for index in range(largest, largest + 100):
            name = f"capture-{index:05}.txt"
            os.symlink(generated / name, folder / name)
        again = run_driver(folder, root / f"fleet-{largest}.sqlite", args.jobs)
    rss = [r["maxrss_mb"] for _, r in rows]
    spread = (max(rss) - min(rss)) / min(rss)
    ratio = again["seconds"] / first["seconds"]
    table = ["| files | scan + store + report | files/s | driver peak RSS | devices | patterns |",
             "|---:|---:|---:|---:|---:|---:|"]
    for count, r in rows:
        table.append(f"| {count:,} | {r['seconds']:.1f} s | {count / r['seconds']:.1f} | "
                     f"{r['maxrss_mb']:.1f} MB | {r['devices']:,.0f} | {r['patterns']:.0f} |")
    text = "\n".join([
        "# Fleet scan benchmark", "",
        f"Machine: {os.cpu_count()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}; date {date.today().isoformat()}; load average at the "
        f"end {os.getloadavg()[0]:.1f}.",
        f"Command: `.venv/bin/python bench/bench_fleet.py --counts {args.counts} --jobs "
        f"{args.jobs} --out bench/results-fleet.md`.", "",
        f"Inputs: {label} (~{lines:,.0f} lines each), written on the fly.", "",
        *table, "",
        f"Driver peak RSS spread across counts: {spread:.1%} (target: within 10 %).", "",
        f"Second run, same store, {largest:,} known + 100 new files: {again['seconds']:.1f} s "
        f"= {ratio:.1%} of the first run (target < 5 %; scanned {again['scanned']:.0f}, "
        f"known {again['known']:.0f}).", ""])
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
