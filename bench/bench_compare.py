"""Compare benchmark: ``services.compare.compare`` on the bundled before/after pair and on
the 1,000,000-line file compared with itself, with the time split by stage and peak RSS.

Run: .venv/bin/python bench/bench_compare.py [--big bench/data/big-1m.txt]
The big file is measured in a fresh subprocess so its peak RSS is its own. Parsing is
not part of ``compare`` (it takes two Documents) and is reported separately.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAIR = ("pair-before-hup-s14-s28-rpi4-2.88.4.txt", "pair-after-hup-s10-rpi4-2.115.18.txt")
CHILD = r"""
import json, resource, sys, time
from triagebench.heuristics import load_library
from triagebench.heuristics.evaluate import evaluate
from triagebench.heuristics.mining import mine_document
from triagebench.heuristics.suspicious import suspicious_lines
from triagebench.parser import parse_file
from triagebench.services import compare as cmp

library = load_library(dirs=(), builtin=True)
t0 = time.perf_counter()
old = parse_file(sys.argv[1])
new = parse_file(sys.argv[1])
t1 = time.perf_counter()
result = cmp.compare(old, new, library)
t2 = time.perf_counter()
# stages, once more on one document (each runs twice inside compare)
s0 = time.perf_counter(); evaluate(old, library); s1 = time.perf_counter()
lines = suspicious_lines(old); s2 = time.perf_counter()
mine_document(old, lines=lines[:cmp.MAX_MINED_LINES]); s3 = time.perf_counter()
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"parse_two_s": t1 - t0, "compare_s": t2 - t1, "evaluate_one_s": s1 - s0,
                  "suspicious_one_s": s2 - s1, "suspicious_lines": len(lines),
                  "mine_one_s": s3 - s2, "peak_rss_mb": peak_kb / 1024,
                  "lines": old.line_count, "notes": result.notes}))
"""


def ensure_big(path: Path) -> Path:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_big.py"), str(path)], check=True)
    return path


def bench_pair(repeat: int = 7) -> float:
    from triagebench.heuristics import load_library
    from triagebench.parser import parse_file
    from triagebench.services.compare import compare

    library = load_library(dirs=(), builtin=True)
    old, new = (parse_file(str(ROOT / "sample-diagnostics" / name)) for name in PAIR)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        compare(old, new, library)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--big", default=str(ROOT / "bench" / "data" / "big-1m.txt"))
    args = parser.parse_args()
    print(f"pair ({PAIR[0]} vs {PAIR[1]}): compare {bench_pair() * 1000:.0f} ms (median of 7)")
    big = ensure_big(Path(args.big))
    out = subprocess.run([sys.executable, "-c", CHILD, str(big)], check=True,
                         capture_output=True, text=True)
    data = json.loads(out.stdout)
    print(f"1M lines vs itself ({data['lines']:,} lines): compare {data['compare_s']:.2f} s "
          f"(parse of the two files {data['parse_two_s']:.2f} s, not included); per file: "
          f"evaluate {data['evaluate_one_s']:.2f} s, suspicious lines {data['suspicious_one_s']:.2f} s "
          f"({data['suspicious_lines']:,} lines), mining the first 50,000 "
          f"{data['mine_one_s']:.2f} s; peak RSS {data['peak_rss_mb']:.0f} MB")
    for note in data["notes"]:
        print(f"  note: {note}")


if __name__ == "__main__":
    main()
