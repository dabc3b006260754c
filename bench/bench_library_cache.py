"""Library load cold vs cached (issue #14), each in a fresh interpreter.

Prints, as medians of ``--runs`` fresh subprocesses (the cache lives in a temp folder,
never the user's):

* ``load()`` alone (imports done first): cache off (what every launch paid before the
  cache), a miss (load + pickle + atomic write) and a hit;
* ``load()`` + ``evaluate`` of the sample: a hit compiles the regexes the scan needs on
  first use, so this is the honest end-to-end gain;
* ``triage scan SAMPLE`` wall time, cache off vs warm (hyperfine when installed, else
  ``--scan-runs`` subprocess runs).

Run: ``.venv/bin/python bench/bench_library_cache.py``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample-diagnostics" / "s10-s12-s13-undervoltage-sdcard-rpi3-2.58.3.txt"
TRIAGE = Path(sys.executable).parent / "triage"

LOAD = """
import time
from triagebench.services import library_cache
from triagebench.services.library import LibraryOptions
started = time.perf_counter()
loaded = library_cache.lookup(LibraryOptions())
print(time.perf_counter() - started, loaded.outcome, len(loaded.library))
"""

LOAD_EVALUATE = """
import sys, time
from triagebench.heuristics.evaluate import evaluate
from triagebench.parser import parse_file
from triagebench.services import library_cache
from triagebench.services.library import LibraryOptions
document = parse_file(sys.argv[1])
started = time.perf_counter()
loaded = library_cache.lookup(LibraryOptions())
findings = evaluate(document, loaded.library)
print(time.perf_counter() - started, loaded.outcome, len(findings.matches))
"""


def run_python(code: str, env: dict[str, str], *args: str) -> tuple[float, str, str]:
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout.split()
    return float(out[0]), out[1], out[2]


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} ms (min {min(values) * 1000:.1f})"


def measure(code: str, env: dict[str, str], runs: int, cache: Path | None, *args: str) -> str:
    """Median of ``runs`` fresh subprocesses; ``cache`` is emptied before each (a miss)."""
    times, outcomes = [], set()
    for _ in range(runs):
        if cache is not None:
            shutil.rmtree(cache, ignore_errors=True)
        seconds, outcome, _ = run_python(code, env, *args)
        times.append(seconds)
        outcomes.add(outcome)
    return f"{median_ms(times)}  [{'/'.join(sorted(outcomes))}]"


def scan_wall(env: dict[str, str], runs: int) -> str:
    command = [str(TRIAGE), "scan", str(SAMPLE)]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return median_ms(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scan-runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(scratch) / "cache"
        env = dict(os.environ, TRIAGE_CACHE_DIR=str(cache), TRIAGE_DATA_DIR=str(Path(scratch) / "data"),
                   TRIAGE_CONFIG_DIR=str(Path(scratch) / "config"))
        off = dict(env, TRIAGE_CACHE="off")
        on = dict(env, TRIAGE_CACHE="on")
        print(f"python {sys.version.split()[0]}, nproc {os.cpu_count()}, medians of {args.runs} "
              f"fresh interpreters")
        print(f"load(): cache off        {measure(LOAD, off, args.runs, None)}")
        print(f"load(): miss (+ write)   {measure(LOAD, on, args.runs, cache)}")
        run_python(LOAD, on)
        print(f"load(): hit              {measure(LOAD, on, args.runs, None)}")
        print(f"load()+evaluate: off     {measure(LOAD_EVALUATE, off, args.runs, None, str(SAMPLE))}")
        run_python(LOAD, on)
        print(f"load()+evaluate: hit     {measure(LOAD_EVALUATE, on, args.runs, None, str(SAMPLE))}")
        tool = shutil.which("hyperfine")
        if tool:
            subprocess.run([tool, "--warmup", "2", "-N", "--runs", str(args.scan_runs),
                            "-n", "cache off", f"env TRIAGE_CACHE=off {TRIAGE} scan {SAMPLE}",
                            "-n", "cache warm", f"{TRIAGE} scan {SAMPLE}"], env=on, cwd=ROOT)
        else:
            run_python(LOAD, on)
            print(f"triage scan SAMPLE: off  {scan_wall(off, args.scan_runs)}  "
                  f"(median of {args.scan_runs} runs)")
            print(f"triage scan SAMPLE: warm {scan_wall(on, args.scan_runs)}")


if __name__ == "__main__":
    main()
