"""Device-state benchmark: ``device_state(document)`` on every bundled sample and on the
1,000,000-line file (parse time excluded: the state is computed on an already parsed file).

Run: .venv/bin/python bench/bench_state.py [--big bench/data/big-1m.txt]
Target (issue #17, set here): small next to parsing, i.e. <= 30 ms for a 10k-line file and
<= 300 ms for 1M lines, so the state can be computed with the findings without being noticed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(path: Path, repeat: int) -> tuple[float, int, str]:
    from triagebench.parser import parse_file
    from triagebench.services.state import device_state

    document = parse_file(str(path))
    times = []
    state = None
    for _ in range(repeat):
        start = time.perf_counter()
        state = device_state(document)
        times.append(time.perf_counter() - start)
    assert state is not None
    return statistics.median(times), document.line_count, state.verdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--big", default=str(ROOT / "bench" / "data" / "big-1m.txt"))
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")
    for sample in sorted((ROOT / "sample-diagnostics").glob("*.txt")):
        median, lines, verdict = measure(sample, 7)
        print(f"{sample.name:50s} {lines:>9,} lines  device_state {median * 1000:6.1f} ms "
              f"(median of 7)  verdict {verdict}")
    big = Path(args.big)
    if not big.exists():
        big.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_big.py"), str(big)], check=True)
    median, lines, verdict = measure(big, 5)
    print(f"{big.name:50s} {lines:>9,} lines  device_state {median * 1000:6.1f} ms "
          f"(median of 5)  verdict {verdict}")


if __name__ == "__main__":
    main()
