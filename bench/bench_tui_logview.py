"""LogView benchmark on a 1,000,000-line diagnostics file (headless, Textual run_test).

Run: .venv/bin/python bench/bench_tui_logview.py [--big bench/data/logview-1m.txt]

Measures, in a fresh subprocess so peak RSS is the widget's own:
* parse time (for context; the parser has its own bench);
* time to first render: App start -> LogView mounted and the first screen painted;
* PageDown: key press -> screen idle (median / p95 over 40 presses), and the pure
  repaint work (rendering every visible row with cold caches), target <= 50 ms;
* search over all 1M lines (thread worker; time until results are applied);
* filter over all 1M lines, then clearing it;
* peak RSS (VmHWM) of the whole process vs the file size, target <= 3x.

The big file comes from bench/make_big.py when it exists, else it is synthesised
here in the real diagnose.sh format (journal sections with ANSI supervisor lines,
a JSON ``balena inspect`` section, a few error lines).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_LINES = 1_000_000
HEADER = """
real\t0m 0.00s
user\t0m 0.00s
sys\t0m 0.00s

--- diagnose 4.22.11 ---


--- NOTE: not all commands are expected to succeed on all device types ---


--- COMMANDS ---


--- prefixing commands with 'date --utc --rfc-3339=ns ; /usr/bin/time -o /dev/stdout timeout --preserve-status --kill-after=20 -v 10 bash -c' ---

"""


def synthesise(path: Path, lines: int = TARGET_LINES) -> None:
    """Write a realistic-looking diagnostics file of about ``lines`` lines."""
    rng = random.Random(4)
    commands = ["balena inspect $(balena ps --all --quiet | tr \"\\n\" \" \")"]
    commands += [f"journalctl --no-pager --no-hostname -n 1000 -at balenad{i}" for i in range(99)]
    per_section = (lines - 40 - len(commands) * 10) // len(commands)
    out: list[str] = [HEADER.rstrip("\n"), *commands, ""]
    for index, command in enumerate(commands):
        out += [f"--- {command} ---", "", "2022-05-02 16:03:41.105915487+00:00"]
        if index == 0:
            out.append("[")
            for n in range(per_section - 2):
                out.append(f'    "Key{n}": "value {n}",' if n % 3 else "  {")
            out.append("]")
        else:
            for n in range(per_section):
                second = n % 60
                roll = rng.random()
                if roll < 0.002:
                    text = f"balena.service: start operation timed out. Terminating. ({n})"
                elif roll < 0.05:
                    text = f"[\x1b[34minfo\x1b[39m]    Reported current state to the cloud {n}"
                else:
                    text = (f'level=info msg="Container {n:08x} healthcheck ok" '
                            f"module=libcontainerd namespace=moby")
                out.append(f"May 02 16:{index % 60:02d}:{second:02d} balenad[1387]: {text}")
        out += ["real\t0m 0.30s", "user\t0m 0.10s", "sys\t0m 0.05s", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def ensure_big(path: Path) -> Path:
    if path.exists():
        return path
    maker = ROOT / "bench" / "make_big.py"
    if maker.exists():
        subprocess.run([sys.executable, str(maker), str(path)], check=True)
    else:
        synthesise(path)
    return path


CHILD = r'''
import asyncio, json, statistics, sys, time
from types import SimpleNamespace

def vm(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return 0.0

t0 = time.perf_counter()
from textual.app import App
from triagebench.heuristics.model import Evidence, Finding, Findings, SignalResult
from triagebench.parser import parse_file
from triagebench.tui.widgets.log_view import LogView
t_import = time.perf_counter() - t0

t0 = time.perf_counter()
doc = parse_file(sys.argv[1])
t_parse = time.perf_counter() - t0
rss_doc = vm("VmRSS")

# evidence for every "timed out" line, as the engine would report it
lines = [n for n in range(1, doc.line_count + 1, 7) if "timed out" in doc.lines[n - 1]][:2000]
heuristic = SimpleNamespace(id="engine-timeout", title="Engine start timed out",
                            severity="critical", permalink="https://example.com", description="",
                            remedy="", source="x.toml", draft=False)
evidence = [Evidence(n, "journalctl", doc.plain(n)) for n in lines]
findings = Findings([Finding(heuristic, {"s": SignalResult("s", True, evidence)})])

class Host(App):
    def compose(self):
        yield LogView(doc, findings)

async def wait_idle(pilot, view):
    while view.busy:
        await pilot.pause(0.002)

async def main():
    result = {"lines": doc.line_count, "parse_s": t_parse, "import_s": t_import,
              "rss_after_parse_mb": rss_doc, "evidence_lines": len(lines)}
    start = time.perf_counter()
    app = Host()
    async with app.run_test(size=(160, 50)) as pilot:
        view = app.query_one(LogView)
        await pilot.pause()
        result["first_render_s"] = time.perf_counter() - start
        view.focus()
        await pilot.pause()
        press, repaint = [], []
        for _ in range(40):
            t = time.perf_counter()
            await pilot.press("pagedown")
            press.append(time.perf_counter() - t)
            view._strip_cache.clear(); view._text_cache.clear()   # cold caches: honest repaint
            t = time.perf_counter()
            for y in range(view.size.height):
                view.render_line(y)
            repaint.append(time.perf_counter() - t)
        # the same with wrap on (w): the layout of the screen is computed per frame
        view.set_wrap(True)
        await pilot.pause()
        wpress, wrepaint = [], []
        for _ in range(40):
            t = time.perf_counter()
            await pilot.press("pagedown")
            wpress.append(time.perf_counter() - t)
            view._strip_cache.clear(); view._text_cache.clear()
            t = time.perf_counter()
            for y in range(view.size.height):
                view.render_line(y)
            wrepaint.append(time.perf_counter() - t)
        t = time.perf_counter()
        await pilot.press("G")
        result["wrap_end_s"] = time.perf_counter() - t
        view.set_wrap(False)
        await pilot.pause()
        sideways = []
        for _ in range(20):
            t = time.perf_counter()
            await pilot.press("l")
            for y in range(view.size.height):
                view.render_line(y)
            sideways.append(time.perf_counter() - t)
        wpress.sort(); wrepaint.sort(); sideways.sort()
        result["wrap_press_median_ms"] = statistics.median(wpress) * 1000
        result["wrap_press_p95_ms"] = wpress[int(len(wpress) * 0.95) - 1] * 1000
        result["wrap_repaint_median_ms"] = statistics.median(wrepaint) * 1000
        result["wrap_repaint_max_ms"] = wrepaint[-1] * 1000
        result["sideways_median_ms"] = statistics.median(sideways) * 1000
        view.goto_line(doc.line_count // 2)
        await pilot.pause()
        t = time.perf_counter()
        await pilot.press("e")
        result["next_hit_s"] = time.perf_counter() - t
        idle = []
        for _ in range(20):
            t = time.perf_counter()
            await pilot.press("f12")  # unbound: the cost of a key round trip in run_test
            idle.append(time.perf_counter() - t)
        result["unbound_key_median_ms"] = statistics.median(idle) * 1000
        press.sort(); repaint.sort()
        result["pagedown_press_median_ms"] = statistics.median(press) * 1000
        result["pagedown_press_p95_ms"] = press[int(len(press) * 0.95) - 1] * 1000
        result["pagedown_repaint_median_ms"] = statistics.median(repaint) * 1000
        result["pagedown_repaint_max_ms"] = repaint[-1] * 1000

        t = time.perf_counter()
        view.set_search("timed out|segfault")
        await wait_idle(pilot, view)
        result["search_s"] = time.perf_counter() - t
        result["search_count"] = view.search_count
        t = time.perf_counter()
        await pilot.press("n")
        result["next_match_s"] = time.perf_counter() - t

        t = time.perf_counter()
        view.set_filter("Reported current state")
        await wait_idle(pilot, view)
        result["filter_s"] = time.perf_counter() - t   # includes re-running the search
        result["filter_shown"] = view.shown_count
        result["filter_hidden"] = view.hidden_count
        t = time.perf_counter()
        view.set_filter(None)
        await wait_idle(pilot, view)
        result["filter_clear_s"] = time.perf_counter() - t
        t = time.perf_counter()
        view.show_section(50)
        await wait_idle(pilot, view)
        await pilot.pause()
        result["show_section_s"] = time.perf_counter() - t
    result["peak_rss_mb"] = vm("VmHWM")
    print(json.dumps(result))

asyncio.run(main())
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--big", default=str(ROOT / "bench" / "data" / "logview-1m.txt"))
    args = parser.parse_args()
    big = ensure_big(Path(args.big))
    size_mb = big.stat().st_size / 1e6
    out = subprocess.run([sys.executable, "-c", CHILD, str(big)], check=True,
                         capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")
    print(f"file: {big.name}, {result['lines']:,} lines, {size_mb:.1f} MB; "
          f"{result['evidence_lines']} evidence lines")
    print(f"parse:                 {result['parse_s']:.2f} s (RSS after parse "
          f"{result['rss_after_parse_mb']:.0f} MB)")
    print(f"first render:          {result['first_render_s'] * 1000:.0f} ms (App start -> painted)")
    print(f"PageDown press->idle:  median {result['pagedown_press_median_ms']:.1f} ms, "
          f"p95 {result['pagedown_press_p95_ms']:.1f} ms")
    print(f"unbound key press:     median {result['unbound_key_median_ms']:.1f} ms "
          "(pilot round trip, for comparison)")
    print(f"PageDown repaint:      median {result['pagedown_repaint_median_ms']:.1f} ms, "
          f"max {result['pagedown_repaint_max_ms']:.1f} ms (all rows, cold caches; target <= 50)")
    print(f"wrap on (w), PageDown: press->idle median {result['wrap_press_median_ms']:.1f} ms, "
          f"p95 {result['wrap_press_p95_ms']:.1f} ms; repaint median "
          f"{result['wrap_repaint_median_ms']:.1f} ms, max {result['wrap_repaint_max_ms']:.1f} ms;"
          f" G to the end {result['wrap_end_s'] * 1000:.0f} ms")
    print(f"sideways (l) + repaint: median {result['sideways_median_ms']:.1f} ms")
    print(f"next hit (e):          {result['next_hit_s'] * 1000:.1f} ms")
    print(f"search 1M lines:       {result['search_s']:.2f} s -> {result['search_count']:,} lines; "
          f"n: {result['next_match_s'] * 1000:.1f} ms")
    print(f"filter 1M lines:       {result['filter_s']:.2f} s -> {result['filter_shown']:,} shown, "
          f"{result['filter_hidden']:,} hidden (incl. re-search); clear {result['filter_clear_s']:.2f} s")
    print(f"show_section:          {result['show_section_s'] * 1000:.0f} ms")
    print(f"peak RSS (VmHWM):      {result['peak_rss_mb']:.0f} MB = "
          f"{result['peak_rss_mb'] / size_mb:.2f}x file size (target <= 3x)")


if __name__ == "__main__":
    main()
