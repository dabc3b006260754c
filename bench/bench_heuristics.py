"""Heuristics benchmark: parse + evaluate the bundled library on the samples and a 1M-line file.

Run: .venv/bin/python bench/bench_heuristics.py [--big FILE] [--repeat N]

Measures, per file, the median of N runs of ``parse_file`` and of
``evaluate(document, library)`` (the library is loaded once, as the CLI and the
TUI do), and the end-to-end ``triage scan --format json`` wall time, CPU time
and peak RSS of a fresh process for the big file. The big file is ``bench/data/big-1m.txt`` (made by
``bench/make_big.py``) when present, else a synthetic diagnostics file of
1,000,000 lines written once to ``bench/data/heuristics-synthetic-1m.txt``:
the real diagnose.sh layout with the journal, engine, supervisor and dmesg
sections blown up from realistic line templates (ANSI colour in supervisor
logs, a few known failure signatures sprinkled in).

Targets (issue #3, 2-core machine): 1M lines end to end <= 2 s (>= 500k lines/s);
a 10k-line file <= 60 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"

TIME = "real\t0m 0.01s\nuser\t0m 0.00s\nsys\t0m 0.00s"
TEMPLATES = {
    "journalctl --no-pager --no-hostname -n 1000 -at balenad": [
        'May 02 16:{m:02d}:{s:02d} balenad[1189]: time="2022-05-02T16:{m:02d}:{s:02d}.{n}Z" level=info msg="ignoring event" container={h} module=libcontainerd namespace=moby topic=/tasks/delete type="*events.TaskDelete"',
        'May 02 16:{m:02d}:{s:02d} balenad[1189]: time="2022-05-02T16:{m:02d}:{s:02d}.{n}Z" level=warning msg="Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap."',
        'May 02 16:{m:02d}:{s:02d} balenad[1189]: time="2022-05-02T16:{m:02d}:{s:02d}.{n}Z" level=error msg="Handler for GET /containers/{h}/json returned error: No such container: {h}"',
        'May 02 16:{m:02d}:{s:02d} {h}[1189]: [info]    Reported current state to the cloud',
    ],
    "journalctl --no-pager --no-hostname -pwarning -perr -a": [
        "May 02 16:{m:02d}:{s:02d} kernel: brcmfmac: brcmf_cfg80211_set_power_mgmt: power save enabled",
        "May 02 16:{m:02d}:{s:02d} NetworkManager[{n}]: <warn>  [16512{n}.1234] dhcp4 (wlan0): request timed out",
        "May 02 16:{m:02d}:{s:02d} chronyd[{n}]: Could not resolve address of initstepslew server time{n}.google.com",
        "May 02 16:{m:02d}:{s:02d} openvpn[{n}]: TLS Error: TLS key negotiation failed to occur within 60 seconds (check your network connectivity)",
        "May 02 16:{m:02d}:{s:02d} dnsmasq[{n}]: failed to send packet: Network unreachable",
    ],
    "balena logs b96a5987452b": [
        "[\x1b[34minfo\x1b[39m]    Reported current state to the cloud",
        "[\x1b[32mdebug\x1b[39m]   Attempting container log timestamp flush...",
        "[\x1b[31merror\x1b[39m]   LogBackend: unexpected error: Error: getaddrinfo EAI_AGAIN api.balena-cloud.com",
        "[\x1b[47m\x1b[30mapi\x1b[39m\x1b[49m]     GET /v1/healthy 200 - {n}.123 ms",
    ],
    "dmesg -T": [
        "[Fri Apr 29 13:{m:02d}:{s:02d} 2022] IPv6: ADDRCONF(NETDEV_CHANGE): veth{h}: link becomes ready",
        "[Fri Apr 29 13:{m:02d}:{s:02d} 2022] br-{h}: port 1(veth{n}) entered forwarding state",
        "[Fri Apr 29 13:{m:02d}:{s:02d} 2022] audit: type=1400 audit({n}.123:45): apparmor=\"DENIED\" operation=\"open\"",
    ],
}
SIGNATURES = {
    "journalctl --no-pager --no-hostname -n 1000 -at balenad": [
        'May 02 16:02:26 balenad[1189]: time="2022-05-02T16:02:26.155Z" level=info msg="Storage migration from aufs to overlay2 starting"',
    ],
    "journalctl --no-pager --no-hostname -pwarning -perr -a": [
        "May 02 16:03:56 systemd[1]: balena.service: start operation timed out. Terminating.",
        "May 02 16:04:00 kernel: EXT4-fs error (device mmcblk0p6): ext4_find_entry:1455: inode #2: comm balenad: reading directory lblock 0",
    ],
    "dmesg -T": ["[Fri Apr 29 13:35:04 2022] Under-voltage detected! (0x00050005)"],
}
SMALL = {
    "echo === BALENA ===": ["=== BALENA ==="],
    "balena --version": ["Docker version 19.03.30, build c41a2d5c1a102294994118434aefaa54a76e2814"],
    "echo === OS ===": ["=== OS ==="],
    "cat /etc/os-release": ['ID="balena-os"', 'NAME="balenaOS"', 'VERSION="2.87.16+rev1"',
                            'VERSION_ID="2.87.16+rev1"', 'PRETTY_NAME="balenaOS 2.87.16+rev1"',
                            'BALENA_BOARD_REV="ef7ed1a"', 'SLUG="raspberrypi4-64"'],
    "df -h": ["Filesystem Size Used Avail Use% Mounted on", "/dev/mmcblk0p6 28.6G 26.0G 1.2G 96% /mnt/data"],
    "uptime": [" 16:04:10 up 2 days,  3:12,  load average: 0.52, 0.58, 0.59"],
}


def synthetic(path: Path, total: int = 1_000_000, seed: int = 7) -> Path:
    """Write the synthetic 1M-line diagnostics file (deterministic)."""
    rng = random.Random(seed)
    weights = {"journalctl --no-pager --no-hostname -n 1000 -at balenad": 0.35,
               "journalctl --no-pager --no-hostname -pwarning -perr -a": 0.25,
               "balena logs b96a5987452b": 0.25, "dmesg -T": 0.15}
    overhead = 200 + sum(len(v) + 8 for v in SMALL.values())
    budget = total - overhead - 8 * len(weights)
    sections: dict[str, list[str]] = dict(SMALL)
    for key, weight in weights.items():
        count = int(budget * weight)
        pool = TEMPLATES[key]
        lines = []
        for _ in range(count):
            template = pool[rng.randrange(len(pool))]
            lines.append(template.format(m=rng.randrange(60), s=rng.randrange(60),
                                         n=rng.randrange(10_000, 99_999), h=f"{rng.getrandbits(48):012x}"))
        for signature in SIGNATURES.get(key, []):
            for _ in range(3):
                lines.insert(rng.randrange(len(lines)), signature)
        sections[key] = lines
    out = ["STDOUT:", "", TIME, "", "--- diagnose 4.22.11 ---", "", "", "--- COMMANDS ---", "", "",
           "--- prefixing commands with 'date --utc --rfc-3339=ns ; /usr/bin/time -o /dev/stdout "
           "timeout --preserve-status --kill-after=20 -v 10 bash -c' ---", "", *sections]
    for command, lines in sections.items():
        out += ["", f"--- {command} ---", "", "2022-05-02 16:03:40.941545526+00:00", *lines, TIME]
    out += ["", "STDERR:", "", "--- diagnose 4.22.11 ---", ""]
    for command in sections:
        out += ["", f"--- {command} ---", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(out) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def median_time(fn, repeat: int) -> tuple[float, float, object]:
    """Median wall and CPU (process) seconds of ``fn()``; CPU time is steadier on a shared box."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), statistics.median(cpu), result


def measure(path: Path, library, repeat: int) -> dict:
    from triagebench.heuristics.evaluate import evaluate
    from triagebench.parser import parse_file

    parse_s, _, document = median_time(lambda: parse_file(str(path)), repeat)
    eval_s, eval_cpu, findings = median_time(lambda: evaluate(document, library), repeat)
    lines = document.line_count
    return {"file": path.name, "lines": lines, "parse_s": parse_s, "eval_s": eval_s, "eval_cpu": eval_cpu,
            "total_s": parse_s + eval_s, "lines_per_s": lines / (parse_s + eval_s),
            "matches": len(findings.matches), "errors": len(findings.errors)}


def end_to_end(path: Path) -> tuple[float, float | None, int | None]:
    """Wall seconds, CPU seconds (user + sys) and peak RSS in bytes of a fresh
    ``triage scan FILE --format json`` process. CPU and RSS come from GNU ``/usr/bin/time``
    (the child's own ``ru_maxrss`` would include this big parent's pages from before ``exec``);
    without it they are None."""
    command = [sys.executable, "-m", "triagebench.cli.main", "scan", str(path), "--format", "json"]
    timer = Path("/usr/bin/time")
    if timer.exists():
        command = [str(timer), "-f", "TIME %U %S %M", *command]
    start = time.perf_counter()
    done = subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    for line in reversed(done.stderr.splitlines()):
        if line.startswith("TIME "):
            user, system, kbytes = line.split()[1:]
            return wall, float(user) + float(system), int(kbytes) * 1024
    return wall, None, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=Path, default=None, help="a 1M-line file (default: see docstring)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from triagebench.heuristics import load_library

    start = time.perf_counter()
    library = load_library()
    load_s = time.perf_counter() - start
    regexes = sum(1 for h in library.heuristics for s in h.signals.values() if s.kind != "fact")
    prefiltered = sum(1 for h in library.heuristics for s in h.signals.values() if s.prefilter)
    print(f"library: {len(library.heuristics)} heuristics, {regexes} regex/extract signals "
          f"({prefiltered} with a literal prefilter), loaded in {load_s * 1000:.0f} ms; nproc {os.cpu_count()}")

    files = sorted((ROOT / "sample-diagnostics").glob("*.txt"))
    big = args.big
    if big is None:
        big = DATA / "big-1m.txt"
        if not big.exists():
            big = DATA / "heuristics-synthetic-1m.txt"
            if not big.exists():
                print(f"writing {big.relative_to(ROOT)} ...")
                synthetic(big)
    small = DATA / "heuristics-synthetic-10k.txt"
    if not small.exists():
        synthetic(small, total=10_000)
    print(f"{'file':40} {'lines':>9} {'parse ms':>9} {'eval ms':>9} {'eval cpu':>9} {'total ms':>9} "
          f"{'lines/s':>10} matches")
    for path in [*files, small, big]:
        result = measure(path, library, args.repeat if path != big else max(1, args.repeat // 2))
        print(f"{result['file'][:40]:40} {result['lines']:>9,} {result['parse_s'] * 1000:>9.1f} "
              f"{result['eval_s'] * 1000:>9.1f} {result['eval_cpu'] * 1000:>9.1f} "
              f"{result['total_s'] * 1000:>9.1f} "
              f"{result['lines_per_s']:>10,.0f} {result['matches']:>3} ({result['errors']} errors)")
    for path in (small, big):
        wall, cpu, rss = end_to_end(path)
        extra = ""
        if cpu is not None and rss is not None:
            extra = (f", {cpu:.2f} s CPU, peak RSS {rss / 2**20:.0f} MB = "
                     f"{rss / path.stat().st_size:.2f}x the file")
        print(f"end to end `triage scan {path.name} --format json` (fresh process): {wall:.2f} s wall{extra}")


if __name__ == "__main__":
    main()
