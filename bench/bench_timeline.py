"""Timeline benchmark on the 1,000,000-line file (issue #15): build, memory, PageDown.

Run: .venv/bin/python bench/bench_timeline.py [--big bench/data/big-1m.txt]

In a fresh subprocess (so RSS is the timeline's own, on top of the parsed document):
* build: ``services.timeline.build_timeline`` over every line (the TUI does it in a
  thread worker on ``t``); wall and CPU time, best of 3;
* memory: bytes of the timeline's arrays, tracemalloc peak of one build, RSS before and
  after (VmRSS) and the process peak (VmHWM);
* a filtered view (``--since 2h``-style slice and a ``--grep``) and a jump to a time;
* the TUI widget (``TimelineView``) in ``run_test``: first render, PageDown press->idle and
  the cold-cache repaint of every visible row (median / max over 40 presses), ``e`` (next
  hit) and ``h`` (evidence and error-like lines only).

Findings come from the bundled library (``evaluate``), error-like lines from
``heuristics.suspicious``, as in the workbench.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r'''
import asyncio, json, statistics, sys, time, tracemalloc

def vm(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return 0.0

from datetime import timedelta
from triagebench.heuristics import load_library
from triagebench.heuristics.evaluate import evaluate
from triagebench.heuristics.suspicious import suspicious_lines
from triagebench.parser import parse_file
from triagebench.services.timeline import build_timeline

doc = parse_file(sys.argv[1])
findings = evaluate(doc, load_library(dirs=(), builtin=True))
suspicious = suspicious_lines(doc)
doc.capture_time  # the clock's document-wide context, as after any analysis
result = {"lines": doc.line_count, "evidence_lines": len(findings.by_line),
          "error_like_lines": len(suspicious)}
rss_before = vm("VmRSS")
walls, cpus = [], []
for _ in range(3):
    t, c = time.perf_counter(), time.process_time()
    timeline = build_timeline(doc, findings, suspicious)
    walls.append(time.perf_counter() - t); cpus.append(time.process_time() - c)
result["build_wall_s"] = min(walls)
result["build_cpu_s"] = min(cpus)
result["entries"] = len(timeline)
result["copies_merged"] = sum(len(v) for v in timeline.copies.values())
result["boots"] = len(timeline.boot_starts)
arrays = (timeline.times, timeline.lines, timeline.sections, timeline.boots)
result["arrays_mb"] = (sum(a.itemsize * len(a) for a in arrays)
                       + len(timeline.severity) + len(timeline.error_like)) / 1e6
result["rss_delta_mb"] = vm("VmRSS") - rss_before
tracemalloc.start()
again = build_timeline(doc, findings, suspicious)
current, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
del again
result["tracemalloc_kept_mb"] = current / 1e6
result["tracemalloc_peak_mb"] = peak / 1e6

t = time.perf_counter(); full = timeline.view(); result["view_all_s"] = time.perf_counter() - t
capture = timeline.capture
t = time.perf_counter()
window = timeline.view(capture - timedelta(hours=2), capture)
result["view_2h_s"] = time.perf_counter() - t
result["view_2h_rows"] = len(window)
t = time.perf_counter()
grep = timeline.view(grep="Under-voltage|I/O error")
result["grep_s"] = time.perf_counter() - t
result["grep_rows"] = len(grep)
t = time.perf_counter(); full.row_at(capture - timedelta(days=30)); result["jump_s"] = time.perf_counter() - t

from textual.app import App
from triagebench.tui.widgets.timeline_view import TimelineView

class Host(App):
    def compose(self):
        yield TimelineView(timeline)

async def main():
    start = time.perf_counter()
    app = Host()
    async with app.run_test(size=(160, 50)) as pilot:
        view = app.query_one(TimelineView)
        await pilot.pause()
        result["first_render_s"] = time.perf_counter() - start
        view.focus()
        view.goto_row(len(view.slice) // 3)
        await pilot.pause()
        press, repaint = [], []
        for _ in range(40):
            t = time.perf_counter()
            await pilot.press("pagedown")
            press.append(time.perf_counter() - t)
            view._cache.clear()  # cold cache: the honest repaint
            t = time.perf_counter()
            for y in range(view.size.height):
                view.render_line(y)
            repaint.append(time.perf_counter() - t)
        press.sort(); repaint.sort()
        result["pagedown_press_median_ms"] = statistics.median(press) * 1000
        result["pagedown_press_p95_ms"] = press[int(len(press) * 0.95) - 1] * 1000
        result["pagedown_repaint_median_ms"] = statistics.median(repaint) * 1000
        result["pagedown_repaint_max_ms"] = repaint[-1] * 1000
        t = time.perf_counter(); await pilot.press("e"); result["next_hit_s"] = time.perf_counter() - t
        t = time.perf_counter(); view.set_hits_only(True); await pilot.pause()
        result["hits_only_s"] = time.perf_counter() - t
        result["hits_only_rows"] = len(view.slice)
    result["peak_rss_mb"] = vm("VmHWM")
    print(json.dumps(result))

asyncio.run(main())
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--big", default=str(ROOT / "bench" / "data" / "big-1m.txt"))
    args = parser.parse_args()
    big = Path(args.big)
    if not big.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_big.py"), str(big)], check=True)
    out = subprocess.run([sys.executable, "-c", CHILD, str(big)], check=True,
                         capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
