"""Hostile inputs (issue #18): parse + scan time of the big crashers, each in a fresh process.

Run: .venv/bin/python bench/bench_hostile.py
Wall and CPU seconds are both printed (the bench machine is shared).
Target (issue #18): no run over 5 s for an input under 2 MB, peak RSS under
5x the input + 150 MB. Each case is written to a temp file and measured as
``parse_file`` + ``evaluate`` with the bundled library in its own process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_heuristics_support import diagnostics_text  # noqa: E402

CHILD = r"""
import json, resource, sys, time
from triagebench.heuristics import load_library
from triagebench.heuristics.evaluate import evaluate
from triagebench.parser import parse_file
library = load_library()
t0, c0 = time.perf_counter(), time.process_time()
doc = parse_file(sys.argv[1])
t1, c1 = time.perf_counter(), time.process_time()
evaluate(doc, library)
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"parse_s": t1 - t0, "scan_s": t2 - t1, "parse_cpu": c1 - c0, "scan_cpu": c2 - c1,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def cases() -> dict[str, str]:
    return {
        "uptime line, 100k spaces": diagnostics_text({"uptime": [" up" + " " * 100_000 + "x"]}),
        "uptime line, 'up ,' x 25k": diagnostics_text({"uptime": ["up ," * 25_000]}),
        "PRETTY_NAME 50 KB": diagnostics_text({"cat /etc/os-release": ['PRETTY_NAME="' + " " * 50_000 + 'x"']}),
        "dmesg Machine model 50 KB": diagnostics_text({"dmesg": ["Machine model: " + " " * 50_000 + "x"]}),
        "header /a/a/... 100 KB": diagnostics_text({"/a" * 50_000: ["x"]}),
        "100k headers, 1.6 MB": "".join(f"--- c{i} ---\n\n" for i in range(100_000)),
        "config.json nested 100k": diagnostics_text({"cat /mnt/boot/config.json": ['{"a":' * 100_000 + "1" + "}" * 100_000]}),
    }


def main() -> None:
    print(f"{'case':32} {'size':>9} {'parse wall/CPU':>15} {'scan wall/CPU':>15} {'peak RSS':>9}  bound")
    with tempfile.TemporaryDirectory() as folder:
        for name, text in cases().items():
            path = Path(folder) / "case.txt"
            path.write_text(text, encoding="utf-8")
            size_mb = path.stat().st_size / 2**20
            out = subprocess.run([sys.executable, "-c", CHILD, str(path)], check=True,
                                 capture_output=True, text=True)
            result = json.loads(out.stdout)
            bound = 5 * size_mb + 150
            print(f"{name:32} {size_mb:7.2f}MB {result['parse_s']:7.2f}/{result['parse_cpu']:.2f}s "
                  f"{result['scan_s']:7.2f}/{result['scan_cpu']:.2f}s {result['rss_mb']:7.0f}MB  {bound:.0f}MB")


if __name__ == "__main__":
    main()
