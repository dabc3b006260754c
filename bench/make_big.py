#!/usr/bin/env python3
"""Write a ~1,000,000-line balena diagnostics file for benchmarks (deterministic).

Usage:  python bench/make_big.py [PATH] [--lines N]      (default PATH: bench/data/big-1m.txt)

The file has the real diagnose 4.22.11 format (it is built by tools/samples/generate.py) for a
32-bit Raspberry Pi 3 whose persistent journal holds months of boots.  Planted problems (as in the
samples): S05/S06/S08 engine delta panic loop, S10/S12/S13 under-voltage + SD card + read-only
data partition, S18 DNS (EAI_AGAIN).  The bulk is history, not new signatures:

* `journalctl --no-pager --no-hostname -pwarning -perr -a` (no -n limit): error-level engine,
  kernel and systemd lines from ~60 earlier boots, with varying timestamps and pids;
* `balena logs <id>` (no limit): the supervisor's log of those boots.

A ground-truth JSON (same shape as sample-diagnostics/ground_truth.json) is written next to the
file as PATH + '.truth.json'.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools" / "samples"))

import generate as g  # noqa: E402

BOOTS = 60
# error-level lines that are noise, not signatures (no tag): what a busy engine and kernel log
ENGINE_ERRORS = [
    'Handler for GET /v1.40/containers/json returned error: write unix /var/run/balena-engine.sock->@: '
    'write: broken pipe',
    "stream copy error: reading from a closed fifo",
    'Error streaming logs: context canceled" container={cid} method="(*Daemon).ContainerLogs',
    'failed to get event" error="rpc error: code = Unavailable desc = transport is closing" module=libcontainerd',
    'Handler for POST /v1.40/containers/{cid}/stop returned error: Container {cid} is not running',
    'error waiting for container: context canceled',
]
KERNEL_ERRORS = [
    "usb 1-1.{port}: device descriptor read/64, error -71",
    "usb 1-1.{port}: device not accepting address {addr}, error -71",
    "brcmfmac: brcmf_sdio_readframes: RXHEADER FAILED: -84",
    "brcmfmac: brcmf_sdio_rxfail: abort command, terminate frame, send NAK",
    "cpu cpu0: dev_pm_opp_set_rate: failed to find current OPP for freq 1200000000 (-34)",
]


def story_history(target: int) -> Callable[[g.Host], None]:
    """Fill the earlier boots with error-level lines and the supervisor log with their history."""

    def story(h: g.Host) -> None:
        r = h.rng
        boots = [b for b in h.boots if b.idx < 0]
        per_err = target // 2 // len(boots)
        per_sup = target // 2 // len(boots)
        for b in boots:
            bpid = r.randint(900, 3400)
            h.engine_runs[b.idx] = [(9.0, bpid, bpid + r.randint(14, 40))]
            h.sup_runs[b.idx] = [(20.0, bpid + r.randint(400, 600))]
            span = b.length - 300
            t = 200.0
            for i in range(per_err):
                if i % 7 == 6:
                    msg = r.choice(KERNEL_ERRORS).format(port=r.randint(1, 5), addr=r.randint(4, 40))
                    h.add(t, "kernel", None, msg, "", 3, None, None, b.idx)
                elif i % 11 == 10:
                    h.add(t, "systemd", 1, f"run-balena\\x2dengine-runtime\\x2drunc-moby-{g.hexs(r, 64)}"
                          "-runc.mount: Failed to open /run/systemd/transient/... : No such file or directory",
                          "", 3, None, None, b.idx)
                else:
                    cid = g.hexs(r, 64)
                    msg = r.choice(ENGINE_ERRORS).replace("{cid}", cid)
                    h.add(t, "balenad", g.PID_ENGINE, g.logfmt("error", msg) if '" ' not in msg
                          else f'level=error msg="{msg}"', "balena.service", 3, None, "go", b.idx)
                t += span / per_err * r.uniform(0.2, 1.8)
                if t > b.length - 60:
                    t = b.length - 60 - r.uniform(0, 50)
            t = 20.0
            step = span / per_sup
            for i in range(per_sup):
                x = i % 4
                if x == 0:
                    level, text = "api", f"GET /v1/healthy 200 - {r.lognormvariate(1.9, 0.35):.3f} ms"
                elif x == 1:
                    level, text = "debug", "Attempting container log timestamp flush..."
                elif x == 2:
                    level, text = "debug", "Container log timestamp flush complete"
                else:
                    level, text = "api", f"GET /v1/device 200 - {r.uniform(8, 90):.3f} ms"
                h.sup_log.append((b.idx, t, 0, level, text, None))    # supervisor history only
                t += step * r.uniform(0.5, 1.5)
        h.sorted = False

    return story


def big_scenario(lines: int) -> g.Scenario:
    return g.Scenario(
        filename="big-1m.txt",
        title="Benchmark: months of history on a failing 32-bit Raspberry Pi 3",
        summary="diagnose 4.22.11 capture with a persistent journal of ~60 boots: engine delta panic loop, "
                "under-voltage, SD card errors, read-only data partition, EAI_AGAIN.",
        seed="triagebench/bench-big", device=g.RPI3_32, start="2022-07-21 15:40:02",
        uptime=3 * 3600 + 48 * 60 + 21, problems=["S05", "S06", "S08", "S10", "S12", "S13", "S18"],
        stories=[g.story_delta_crash, g.story_power_storage, g.story_plain, story_history(lines - 12000)],
        knobs={"services": ["main"], "goroutines": 170, "persistent": True, "fingerprint": True,
               "prev_boots": [2 * 86400 + i * 137 for i in range(BOOTS)], "prev_boot_tail": 2 * 3600,
               "prev_boot_clean": False},
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", nargs="?", default=str(ROOT / "bench" / "data" / "big-1m.txt"))
    ap.add_argument("--lines", type=int, default=1_000_000, help="approximate number of lines")
    args = ap.parse_args()
    path = Path(args.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    sc = big_scenario(args.lines)
    h, lines = g.build(sc)
    data = lines.data()
    path.write_bytes(data)
    truth = g.truth(h, lines)
    Path(str(path) + ".truth.json").write_text(g.dump_truth({path.name: truth}), encoding="utf-8")
    print(f"{path}: {len(lines.lines):,} lines, {len(data) / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s; "
          f"planted: {', '.join(p['id'] + '×' + str(len(p['lines'])) for p in truth['problems'])}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
