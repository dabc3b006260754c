"""Parser benchmark: parse time for the bundled samples and a 1,000,000-line file, plus peak RSS.

Run: .venv/bin/python bench/bench_parser.py [--big bench/data/big-1m.txt]
Each measurement of the big file runs in a fresh subprocess so peak RSS is its own.
Targets (issue #2): <= 30 ms for a 10k-line file; <= 1.5 s and peak RSS <= 3x file size for 1M lines.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from triagebench.parser import parse_file
t1 = time.perf_counter()
doc = parse_file(sys.argv[1])
t2 = time.perf_counter()
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"import_s": t1 - t0, "parse_s": t2 - t1, "peak_rss_mb": peak_kb / 1024,
                  "lines": doc.line_count, "sections": len(doc.sections)}))
"""


def time_in_process(path: Path, repeat: int = 7) -> tuple[float, int]:
    from triagebench.parser import parse_file

    times = []
    doc = None
    for _ in range(repeat):
        start = time.perf_counter()
        doc = parse_file(str(path))
        times.append(time.perf_counter() - start)
    return statistics.median(times), doc.line_count


def child(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def ensure_big(path: Path) -> Path:
    if path.exists():
        return path
    maker = ROOT / "bench" / "make_big.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(maker), str(path)], check=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--big", default=str(ROOT / "bench" / "data" / "big-1m.txt"))
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")
    for sample in sorted((ROOT / "sample-diagnostics").glob("*.txt")):
        median, lines = time_in_process(sample)
        print(f"{sample.name:45s} {lines:>8,} lines  parse {median * 1000:7.1f} ms (median of 7)")
    big = ensure_big(Path(args.big))
    size_mb = big.stat().st_size / 1e6
    runs = [child(big) for _ in range(3)]
    best = min(runs, key=lambda r: r["parse_s"])
    print(f"{big.name:45s} {best['lines']:>8,} lines  {size_mb:.1f} MB  parse {best['parse_s']:.2f} s "
          f"(best of 3)  peak RSS {best['peak_rss_mb']:.0f} MB = "
          f"{best['peak_rss_mb'] / size_mb:.2f}x file size")


if __name__ == "__main__":
    main()
