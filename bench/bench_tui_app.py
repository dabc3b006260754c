"""Workbench app benchmark: launch -> first screen -> findings, on 10k and 1M lines.

Run: .venv/bin/python bench/bench_tui_app.py [--small FILE] [--big FILE] [--no-tmux]

Two ways of driving the real app (``create_app``, the CLI's factory):

* headless (``App.run_test``) in a fresh subprocess per file, so the peak RSS
  (VmHWM) is the app's own. Times are measured from the moment the parent
  spawned the process (interpreter start and imports included) to: the first
  frame (empty layout, "parsing…"), the document on screen (header, tree, log
  view filled) and the findings on screen. Targets: 10k lines, findings within
  450 ms; 1M lines, first screen within 1.5 s, findings within 3 s,
  RSS <= 3x the file size.
* as a user would, in tmux (120x40): spawn the command and poll the pane's text
  (``capture-pane`` through one control-mode client, ``ControlClient``; a new
  ``tmux`` process per poll with ``--spawn-poller``) every 20 ms until a line of the
  file is visible (first screen) and, for
  triage, until the findings panel lists a finding. The same probe is used for
  ``toolong`` (``tl``) and ``lnav`` when they are installed, so the numbers
  compare like for like; missing tools are skipped.
* the floor: a Textual hello-world (a ``Static`` with the file's first line and a
  ``Footer``) started the same way in the same run (``HELLO`` below), so every
  triage time is also printed as a ratio to it ("ratio_to_hello"), comparable on
  any machine (issue #14: findings on screen <= 1.5x the floor).

The library cache (``services.library_cache``) lives in ``bench/data/bench-cache`` and is
filled by one unmeasured launch first: the numbers are those of every launch but the
first after an install or a heuristic edit (that one loads the files: ~+120 ms).
``--baseline VENV`` runs another build's ``triage`` in the same tmux runs (e.g. a
worktree of an older commit with its own venv), ``--repeat N`` interleaves N runs of
every tool and reports medians, ``--no-prefetch`` sets ``TRIAGE_PREFETCH=off``.

Inputs: ``--small`` defaults to a sample-diagnostics file of >= 5,000 lines, else
a 10k-line synthetic diagnostics file from bench/bench_heuristics.py; ``--big``
defaults to bench/data/big-1m.txt from bench/make_big.py when it exists, else
the 1M-line synthetic file of bench/bench_heuristics.py.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PYTHON = sys.executable

CHILD = r"""
import asyncio, json, os, sys, time
spawned = float(sys.argv[2])
started = time.time()
prefetch = None
if sys.argv[3] == "prefetch":  # as the CLI does: fork the analysis before importing the UI
    from triagebench.tui.startup import pause_collector

    pause_collector()  # and no garbage collection until the first paint (cli/open.py)
    from triagebench.services import prefetch as prefetching
    from triagebench.services.analysis import AnalysisOptions
    from triagebench.services.library import LibraryOptions

    prefetch = prefetching.start(sys.argv[1], (),
                                 AnalysisOptions(library=LibraryOptions(include_drafts=True)))
from triagebench.tui.app import create_app

def rss_peak_kb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0

def ms():
    return (time.time() - spawned) * 1000

async def after_refresh(app):
    # wait until the screen has been repainted (App.call_after_refresh)
    done = asyncio.Event()
    app.call_after_refresh(done.set)
    await done.wait()


async def wait_until(condition, timeout=120.0):
    # Poll with a plain sleep: Pilot.pause() calls back every widget, forces a screen
    # update and waits for the CPU to be idle (up to 1 s), which would both slow the
    # loading worker and hide when the screen really changed.
    deadline = time.time() + timeout
    while not condition() and time.time() < deadline:
        await asyncio.sleep(0.002)


async def main():
    from textual import events

    out = {"interpreter_and_imports_ms": ms()}
    app = create_app(sys.argv[1], env={}, prefetch=prefetch)
    t_app = time.time()
    async with app.run_test(size=(120, 40)) as pilot:
        await after_refresh(app)
        out["first_frame_ms"] = ms()
        failed = lambda: type(app.screen).__name__ == "ErrorScreen"
        await wait_until(lambda: app.document is not None or failed())
        await after_refresh(app)
        out["document_on_screen_ms"] = ms()
        await wait_until(lambda: app.findings is not None or failed() or
                         (app.document is not None and not app.loading))
        await after_refresh(app)
        out["findings_on_screen_ms"] = ms()
        out["from_app_start_findings_ms"] = (time.time() - t_app) * 1000
        out["findings"] = len(app.findings.matches) if app.findings else None
        out["lines"] = app.document.line_count if app.document else None
        out["top_finding"] = app.findings.matches[0].title if app.findings and app.findings.matches else None
        out["screen_is"] = type(app.screen).__name__
        # PageDown: key event to repainted screen. The first presses happen while the
        # Unexplained tab is still computed in the worker (on big files).
        log = app.query_one("#log")
        log.focus()
        # from the top: the app opens at the worst finding, which may sit in the file's
        # last screen, where PageDown cannot scroll (every press would wait 10 s)
        log.action_first_line()
        await pilot.pause(0.05)
        times = []
        for _ in range(10):
            before = log.scroll_offset.y
            t0 = time.perf_counter()
            app.post_message(events.Key("pagedown", None))
            await wait_until(lambda: log.scroll_offset.y != before, timeout=10)
            await after_refresh(app)
            times.append((time.perf_counter() - t0) * 1000)
        out["pagedown_while_busy"] = app.templates is None
        times.sort()
        out["pagedown_median_ms"] = times[len(times) // 2]
        out["pagedown_max_ms"] = times[-1]
    out["peak_rss_mb"] = rss_peak_kb() / 1024
    print(json.dumps(out))

asyncio.run(main())
"""


HELLO = r"""
import sys
from textual.app import App, ComposeResult
from textual.widgets import Footer, Static

with open(sys.argv[1], encoding="utf-8", errors="replace") as handle:
    FIRST = handle.readline().strip()[:100]


class Hello(App):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static("hello " + FIRST)
        yield Footer()


Hello().run()
"""


def compile_project(root: Path = ROOT, python: str = PYTHON) -> None:
    """Write the project's bytecode, as ``pip install`` does (the dev venv runs with
    PYTHONDONTWRITEBYTECODE=1, which would make every launch recompile ~15k lines)."""
    folders = [str(root / name) for name in ("parser", "heuristics", "services", "cli", "tui",
                                             "themes", "triagebench") if (root / name).is_dir()]
    subprocess.run([python, "-m", "compileall", "-q", *folders], capture_output=True,
                   check=False)


def headless(path: Path, prefetch: bool = True) -> dict:
    env = dict(os.environ, TRIAGE_CONFIG_DIR=str(DATA / "bench-config"),
               TRIAGE_CACHE_DIR=str(DATA / "bench-cache"))
    env.pop("SSH_CONNECTION", None)
    spawned = time.time()
    proc = subprocess.run([PYTHON, "-c", CHILD, str(path), repr(spawned),
                           "prefetch" if prefetch else "in-process"], capture_output=True,
                          text=True, env=env, timeout=300, check=False)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:]}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    size_mb = path.stat().st_size / 1e6
    result["file_mb"] = size_mb
    result["rss_ratio"] = result["peak_rss_mb"] * 1.048576 / size_mb
    return result


class ControlClient:
    """A tmux control-mode client (``tmux -C attach -r``) that asks for the pane's text.

    The probes used to run ``tmux capture-pane`` as a new process every 20 ms: on a
    2-core box that process (~2-3 ms of CPU each) competes with the program measured,
    and more with one that uses both cores (triage's child analysis) than with one that
    leaves a core free (the hello-world). One long-lived client asks the same question
    over a pipe instead; ``--spawn-poller`` keeps the old way for comparison."""

    def __init__(self, session: str) -> None:
        self.proc = subprocess.Popen(["tmux", "-C", "attach", "-r", "-t", session],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, bufsize=0)
        self.session = session
        self.buffer = b""

    def capture(self) -> str:
        """The pane's text now ("" if tmux did not answer within a second)."""
        import select

        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"capture-pane -p -t {self.session}\n".encode())
        lines: list[str] = []
        inside = False
        while True:
            while b"\n" not in self.buffer:
                ready, _, _ = select.select([self.proc.stdout], [], [], 1.0)
                if not ready:
                    return ""
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    return ""
                self.buffer += chunk
            line, self.buffer = self.buffer.split(b"\n", 1)
            if line.startswith(b"%begin"):
                inside, lines = True, []
            elif line.startswith((b"%end", b"%error")):
                if inside:
                    return "\n".join(lines)
            elif inside:
                lines.append(line.decode(errors="replace"))

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


SPAWN_POLLER = False
"""--spawn-poller: one ``tmux capture-pane`` process per poll, as before 2026-11-30."""


def tmux_probe(command: list[str], expect: list[str], label: str, timeout: float = 60) -> dict:
    """Start ``command`` in a detached 120x40 tmux session; time until each text appears."""
    session = f"bench-{label}-{os.getpid()}-{time.monotonic_ns()}"
    env_cmd = ["env", f"TRIAGE_CONFIG_DIR={DATA / 'bench-config'}",
               f"TRIAGE_CACHE_DIR={DATA / 'bench-cache'}", *command]
    for _attempt in range(3):  # the tmux server may be shutting down after the last kill
        start = time.time()
        started = subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120",
                                  "-y", "40", " ".join(_quote(c) for c in env_cmd)],
                                 capture_output=True, check=False)
        if started.returncode == 0:
            break
        time.sleep(0.5)
    else:
        return {"error": started.stderr.decode(errors="replace").strip()}
    seen: dict[str, float | None] = dict.fromkeys(expect)
    client = None if SPAWN_POLLER else ControlClient(session)
    try:
        while time.time() - start < timeout and not _all_seen(seen):
            if client is None:
                screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                                        capture_output=True, text=True, check=False).stdout
            else:
                screen = client.capture()
            for text in expect:
                if seen[text] is None and text in screen:
                    seen[text] = (time.time() - start) * 1000
            time.sleep(0.02)
    finally:
        if client is not None:
            client.close()
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)
    return {text: (round(ms) if ms is not None else None) for text, ms in seen.items()}


BADGES = ("CRIT ", "HIGH ", "MED ", "LOW ", "INFO ")


OPTIONAL = ("Esc cancels",)
"""Texts a probe records when they show but does not wait for: the loading screen is
skipped when the child's findings arrive within the first paint's wait."""


def _all_seen(seen: dict[str, float | None]) -> bool:
    """Every expected text seen; of the severity badges one is enough (a file rarely has
    every severity: waiting for all would run into the timeout)."""
    others = [v for text, v in seen.items() if text not in BADGES and text not in OPTIONAL]
    badges = [v for text, v in seen.items() if text in BADGES]
    return all(v is not None for v in others) and (not badges or any(
        v is not None for v in badges))


def ratios(runs: dict[str, dict]) -> dict[str, float | None]:
    """Each triage stage (and each other tool's first screen) over the hello-world's."""
    floor = runs.get("hello", {}).get("hello ")
    if not isinstance(floor, (int, float)) or floor <= 0:
        return {}
    out: dict[str, float | None] = {}
    for tool, seen in runs.items():
        if tool == "hello":
            continue
        for text, value in seen.items():
            key = f"{tool}: {text.strip()}" if tool.startswith("triage") else tool
            out[key] = round(value / floor, 2) if isinstance(value, (int, float)) else None
        badges = [value for text, value in seen.items()
                  if text in BADGES and value is not None]
        if tool.startswith("triage") and badges:  # the first finding listed, any severity
            out[f"{tool}: findings on screen"] = round(min(badges) / floor, 2)
    return out


def median_of(runs: list[dict]) -> dict:
    """Key by key, the median of the numeric values of ``runs`` (else the first run's)."""
    out: dict = {}
    for key in runs[0]:
        values = [r.get(key) for r in runs]
        numbers = sorted(v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool))
        if numbers and len(numbers) == len(values):
            middle = numbers[len(numbers) // 2] if len(numbers) % 2 else \
                (numbers[len(numbers) // 2 - 1] + numbers[len(numbers) // 2]) / 2
            out[key] = round(middle, 2)
        else:
            out[key] = values[0]
    return out


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def last_line(path: Path) -> str:
    """The file's last non-blank line (its first 40 characters): what toolong shows
    first, since it opens tailing the file."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 65536))
        tail = handle.read().decode("utf-8", errors="replace")
    lines = [line.strip() for line in tail.splitlines() if line.strip()]
    return lines[-1][:40] if lines else path.name


def pick_small() -> Path:
    samples = sorted((ROOT / "sample-diagnostics").glob("*.txt"))
    for sample in samples:
        with sample.open(encoding="utf-8", errors="replace") as handle:
            if sum(1 for _ in handle) >= 5000:
                return sample
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_heuristics import synthetic  # type: ignore[import-not-found]

    path = DATA / "heuristics-synthetic-10k.txt"
    return path if path.exists() else synthetic(path, total=10_000)


def pick_big() -> Path:
    big = DATA / "big-1m.txt"
    maker = ROOT / "bench" / "make_big.py"
    if not big.exists() and maker.exists():
        subprocess.run([PYTHON, str(maker), str(big)], check=False)
    if big.exists():
        return big
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_heuristics import synthetic  # type: ignore[import-not-found]

    path = DATA / "heuristics-synthetic-1m.txt"
    return path if path.exists() else synthetic(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=Path)
    parser.add_argument("--big", type=Path)
    parser.add_argument("--no-tmux", action="store_true")
    parser.add_argument("--no-compile", action="store_true",
                        help="do not write the project's bytecode first (cold compile)")
    parser.add_argument("--only", choices=("small", "big"))
    parser.add_argument("--repeat", type=int, default=1,
                        help="run every probe N times, interleaved; report medians (and runs)")
    parser.add_argument("--baseline", type=Path, metavar="VENV",
                        help="also run VENV/bin/triage (e.g. an older commit's venv) in the same "
                             "tmux runs, as 'triage@baseline'")
    parser.add_argument("--spawn-poller", action="store_true",
                        help="poll the screen with one `tmux capture-pane` process per poll "
                             "(the method before 2026-11-30) instead of one control-mode client")
    parser.add_argument("--no-prefetch", action="store_true",
                        help="headless and tmux: analyse in the app's process (TRIAGE_PREFETCH=off), "
                             "as before services.prefetch")
    args = parser.parse_args()
    global SPAWN_POLLER
    SPAWN_POLLER = args.spawn_poller
    if args.no_prefetch:
        os.environ["TRIAGE_PREFETCH"] = "off"
    if not args.no_compile:
        compile_project()
        if args.baseline:
            compile_project(args.baseline.resolve().parent, str(args.baseline / "bin" / "python"))
    DATA.mkdir(parents=True, exist_ok=True)
    # only build/pick the file that will be run (make_big.py takes ~25 s)
    small = args.small or (pick_small() if args.only != "big" else None)
    big = args.big or (pick_big() if args.only != "small" else None)
    report: dict = {"nproc": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M"),
                    "bytecode": "cold" if args.no_compile else "precompiled"}
    files = [(name, path) for name, path in (("small", small), ("big", big))
             if path is not None and args.only in (None, name)]
    for name, path in files:
        print(f"[{name}] {path} …", file=sys.stderr)
        headless(path)  # warm-up, not measured: fills the library cache (bench/data/bench-cache)
        runs = [headless(path, prefetch=not args.no_prefetch) for _ in range(args.repeat)]
        report[name] = {"file": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
                        "headless": median_of(runs)}
    if not args.no_tmux and shutil.which("tmux"):
        triage = str(Path(PYTHON).with_name("triage"))
        tl = shutil.which("tl") or ("/tmp/tlvenv/bin/tl" if Path("/tmp/tlvenv/bin/tl").exists()
                                    else None)
        lnav = shutil.which("lnav")
        for name, path in files:
            # triage: the header's "N lines" appears with the document, a severity badge
            # with the findings; the others show the file's first lines.
            # "Esc cancels" is the loading text of the first (empty) screen.
            every: list[dict[str, dict]] = []
            for _ in range(args.repeat):  # interleaved, so load changes hit every tool alike
                runs = {"triage": tmux_probe([triage, str(path)],
                                             ["Esc cancels", " lines ", "CRIT ", "HIGH ", "MED ",
                                              "LOW ", "INFO "], "triage")}
                if args.baseline:
                    runs["triage@baseline"] = tmux_probe(
                        [str(args.baseline / "bin" / "triage"), str(path)],
                        ["Esc cancels", " lines ", "CRIT ", "HIGH ", "MED ", "LOW ", "INFO "],
                        "baseline")
                # the floor: the hello-world shows "hello <first line of the file>"
                runs["hello"] = tmux_probe([PYTHON, "-c", HELLO, str(path)], ["hello "], "hello")
                if tl:
                    # toolong opens tailing the file: its last line is on screen
                    runs["toolong"] = tmux_probe([tl, str(path)], [last_line(path)], "tl")
                if lnav:
                    # lnav opens on the time-sorted log view; its breadcrumb names the file
                    runs["lnav"] = tmux_probe([lnav, str(path)], [path.name], "lnav")
                every.append(runs)
            report[name]["tmux_ms"] = {tool: median_of([r[tool] for r in every])
                                       for tool in every[0]}
            report[name]["ratio_to_hello"] = median_of([ratios(r) for r in every])
            if args.repeat > 1:
                report[name]["ratio_runs"] = [ratios(r) for r in every]
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
