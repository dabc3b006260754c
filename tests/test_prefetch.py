"""The child-process analysis (``services.prefetch``): the same result as the pipeline run
in-process, a clean fallback whenever the child cannot deliver, and the workbench showing
it. Forking happens only in fresh subprocesses here: a pytest process has threads."""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import select
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from triagebench.services import prefetch
from triagebench.services.analysis import AnalysisOptions, analyse, capture_documents
from triagebench.tui.app import create_app

from tests.pilot import run_async, settle_until

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample-diagnostics" / "s10-s12-s13-undervoltage-sdcard-rpi3-2.58.3.txt"
HEALTHY = ROOT / "sample-diagnostics" / "healthy-rpi0-2w-2.87.16.txt"

SUMMARY = r"""
import json, sys
from triagebench.services import prefetch
from triagebench.services.analysis import AnalysisOptions, analyse, capture_documents

def summary(result, unexplained):
    return {
        "lines": result.document.line_count,
        "findings": [[f.id, f.status, f.severity, f.count, [e.line for e in f.evidence]]
                     for f in result.findings.matches],
        "state": [[i.key, i.state] for i in result.state.items],
        "unexplained": None if unexplained is None else
            [unexplained.suspicious[:50], unexplained.lines[:50], len(unexplained.templates)],
    }

path, mode, checks = sys.argv[1], sys.argv[2], tuple(sys.argv[3:])
if mode == "child":
    handle = prefetch.start(path, checks, AnalysisOptions())
    if handle is None:
        print(json.dumps({"started": False}))
        sys.exit(0)
    result = handle.wait()
    unexplained = handle.wait_unexplained() if result is not None else None
    pid = handle.pid
    out = {"started": True, "result": None if result is None else summary(result, unexplained),
           "reaped": pid == 0}
else:
    result = analyse(capture_documents(path, checks), AnalysisOptions())
    out = {"started": False, "result": summary(result, result.unexplained)}
print(json.dumps(out))
"""


def run_summary(path: Path, mode: str, env: dict[str, str] | None = None,
                checks: tuple[Path, ...] = ()) -> dict:
    proc = subprocess.run([sys.executable, "-c", SUMMARY, str(path), mode, *map(str, checks)],
                          capture_output=True, text=True, timeout=120, check=False, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # the child never writes to the terminal
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("sample", [SAMPLE, HEALTHY], ids=["failing", "healthy"])
def test_the_child_finds_exactly_what_the_pipeline_finds_in_process(sample: Path) -> None:
    child = run_summary(sample, "child")
    here = run_summary(sample, "here")
    assert child["started"] and child["reaped"]
    assert child["result"] == here["result"]
    assert child["result"]["lines"] > 5000


def test_the_child_combines_the_health_checks_as_the_pipeline_does(tmp_path: Path) -> None:
    from tests.test_parser_checks import FAILED_COMBINED

    checks = tmp_path / "checks.json"
    checks.write_text(FAILED_COMBINED, encoding="utf-8")
    child = run_summary(HEALTHY, "child", checks=(checks,))
    here = run_summary(HEALTHY, "here", checks=(checks,))
    assert child["started"] and child["result"] == here["result"]
    # the failed health checks are findings of the combined capture
    alone = run_summary(HEALTHY, "here")
    assert len(child["result"]["findings"]) > len(alone["result"]["findings"])


def test_several_captures_in_one_zip_make_the_child_give_up_cleanly(tmp_path: Path) -> None:
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(SAMPLE, "a.txt")
        zf.write(HEALTHY, "b.txt")
    out = run_summary(archive, "child")
    # the child raised SeveralInputs: no result, the workbench runs the pipeline itself
    # (which opens the picker); the child was reaped and printed nothing
    assert out == {"started": True, "result": None, "reaped": True}


def test_disabled_by_the_environment() -> None:
    out = run_summary(SAMPLE, "child", env=dict(os.environ, TRIAGE_PREFETCH="off"))
    assert out == {"started": False}


def test_only_small_regular_files_are_prefetched(tmp_path: Path) -> None:
    assert prefetch.eligible(str(SAMPLE))
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(prefetch.MAX_BYTES + 1)
    assert not prefetch.eligible(str(big))
    assert not prefetch.eligible(str(SAMPLE), [str(big)])  # the inputs count together
    assert not prefetch.eligible(str(tmp_path / "missing.txt"))
    assert not prefetch.eligible(str(tmp_path))
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert not prefetch.eligible(str(fifo))  # never opened: it would block
    packed = tmp_path / "big.txt.gz"
    packed.write_bytes(b"\x1f\x8b" + b"\0" * (prefetch.MAX_COMPRESSED_BYTES + 1))
    assert not prefetch.eligible(str(packed))


def test_a_process_with_threads_never_forks() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert prefetch.start(str(SAMPLE), (), AnalysisOptions()) is None
    finally:
        stop.set()
        thread.join()


STOP = r"""
import sys, threading, time
from triagebench.services import prefetch
from triagebench.services.analysis import AnalysisOptions

def slow(fd, path, checks, options):
    time.sleep(30)

prefetch._child = slow  # the fork inherits it: a child that would take 30 s
handle = prefetch.start(sys.argv[1], (), AnalysisOptions())
got = []
reader = threading.Thread(target=lambda: got.append(handle.wait()))
reader.start()
time.sleep(0.2)
started = time.monotonic()
handle.stop()  # from another thread, as Esc does
reader.join(5)
print(not reader.is_alive(), got == [None], round(time.monotonic() - started, 2) < 2)
"""


def test_stop_unblocks_a_waiting_reader_and_kills_the_child() -> None:
    proc = subprocess.run([sys.executable, "-c", STOP, str(SAMPLE)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "True", "True"]


# -- the workbench reading a child's frames ----------------------------------------------


def fake_prefetch(path: Path, frames: list[object] | None, delay: float = 0.0) -> prefetch.Prefetch:
    """A Prefetch whose 'child' is a thread writing ``frames`` (None: it dies first)."""
    read_fd, write_fd = os.pipe()

    def write() -> None:
        time.sleep(delay)
        try:
            for frame in frames or []:
                data = pickle.dumps(frame)
                os.write(write_fd, len(data).to_bytes(8, "big"))
                view = memoryview(data)
                while view:
                    if not select.select([], [write_fd], [], 5)[1]:
                        return
                    view = view[os.write(write_fd, view[:65536]):]
        except OSError:
            return  # the reader closed the pipe (the app gave up on this 'child')
        finally:
            os.close(write_fd)

    threading.Thread(target=write, daemon=True).start()
    return prefetch.Prefetch(0, read_fd, str(path), ())


def findings_text(app) -> list[str]:
    return [f"{f.id} {f.status} {f.severity}" for f in app.findings.matches]


@run_async
async def test_the_workbench_shows_the_childs_analysis_in_one_go() -> None:
    result = analyse(capture_documents(str(SAMPLE)), AnalysisOptions(unexplained=False))
    unexplained = analyse(result.document).unexplained
    # later than the first paint's budget: the loading worker reads it
    handle = fake_prefetch(SAMPLE, [prefetch.Delivered.of(result), unexplained], delay=0.6)
    app = create_app(str(SAMPLE), env={}, prefetch=handle)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_until(pilot, lambda: app.findings is not None and app.templates is not None)
        assert app.document is not None and app.document.line_count == result.document.line_count
        assert findings_text(app) == [f"{f.id} {f.status} {f.severity}"
                                      for f in result.findings.matches]
        assert app.state is not None
        assert len(app.templates) == len(unexplained.templates)
        # what the user sees: the findings tab counts them, the strip states the problem
        tab = app.side_tabs.get_tab("findings-tab")
        assert str(tab.label) == f"Findings {len(result.findings.matches)}"
        # the cursor opened at the worst finding's first evidence line
        worst = result.findings.matches[0].evidence[0].line
        await settle_until(pilot, lambda: app.log_view.cursor_line == worst)


@run_async
async def test_a_child_that_dies_falls_back_to_loading_here() -> None:
    handle = fake_prefetch(SAMPLE, None, delay=0.1)
    app = create_app(str(SAMPLE), env={}, prefetch=handle)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_until(pilot, lambda: app.findings is not None)
        expected = analyse(capture_documents(str(SAMPLE)), AnalysisOptions(unexplained=False))
        assert findings_text(app) == [f"{f.id} {f.status} {f.severity}"
                                      for f in expected.findings.matches]


@run_async
async def test_a_prefetch_of_another_file_is_not_used(tmp_path: Path) -> None:
    handle = fake_prefetch(HEALTHY, None, delay=5)
    app = create_app(str(SAMPLE), env={}, prefetch=handle)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_until(pilot, lambda: app.findings is not None)
        assert app.document is not None and app.document.path.endswith(SAMPLE.name)
        assert not handle.pending  # closed by the app (its pipe, not just its child)


def test_typed_result_only() -> None:
    """A frame of the wrong type (never sent by our child) is refused, not trusted."""
    handle = fake_prefetch(SAMPLE, [{"not": "an analysis"}])
    assert handle.wait(timeout=10) is None
    result = analyse(capture_documents(str(HEALTHY)), AnalysisOptions(unexplained=False))
    handle = fake_prefetch(HEALTHY, [result])  # a whole Analysis is not what the child sends
    assert handle.wait(timeout=10) is None
    handle = fake_prefetch(HEALTHY, [prefetch.Delivered.of(result)])
    got = handle.wait(timeout=10)
    assert isinstance(got, prefetch.Delivered)
    assert got.document.line_count == result.document.line_count
    assert got.heuristic_count == len(result.library.heuristics)
    assert handle.wait_unexplained(timeout=10) is None  # the writer ended after one frame


@run_async
async def test_an_analysis_already_in_is_laid_out_before_the_first_paint() -> None:
    """The usual case: the child's frame arrived while the UI was importing. The app
    shows it while mounting (no loading screen, no worker round trip), then loads the
    library the child used, and the unexplained lines follow."""
    result = analyse(capture_documents(str(SAMPLE)), AnalysisOptions(unexplained=False))
    unexplained = analyse(result.document).unexplained
    handle = fake_prefetch(SAMPLE, [prefetch.Delivered.of(result), unexplained])
    assert handle.frame_ready(10) and handle.first_frame_size() is not None
    app = create_app(str(SAMPLE), env={}, prefetch=handle)
    async with app.run_test(size=(120, 40)) as pilot:
        # mounted: the findings are there without waiting for a worker
        assert app.findings is not None and app.document is not None
        assert findings_text(app) == [f"{f.id} {f.status} {f.severity}"
                                      for f in result.findings.matches]
        assert not app.query("#loading")  # no loading box at all
        await settle_until(pilot, lambda: app.library is not None and app.templates is not None)
        assert len(app.library.heuristics) == len(result.library.heuristics)
        assert len(app.templates) == len(unexplained.templates)
        assert not handle.pending
        worst = result.findings.matches[0].evidence[0].line
        await settle_until(pilot, lambda: app.log_view.cursor_line == worst)


@run_async
async def test_a_frame_too_big_to_unpickle_inline_is_read_by_the_worker(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prefetch, "INLINE_FRAME_BYTES", 10)
    result = analyse(capture_documents(str(SAMPLE)), AnalysisOptions(unexplained=False))
    handle = fake_prefetch(SAMPLE, [prefetch.Delivered.of(result), None])
    assert handle.frame_ready(10)
    app = create_app(str(SAMPLE), env={}, prefetch=handle)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.first_frame_hold is not None  # the first paint waits for the worker
        await settle_until(pilot, lambda: app.findings is not None and app.library is not None)
        assert findings_text(app) == [f"{f.id} {f.status} {f.severity}"
                                      for f in result.findings.matches]


def test_the_cli_opens_a_file_through_the_child_and_quits_cleanly(tmp_path: Path) -> None:
    """End to end as a user runs it: ``triage FILE`` in a 120x40 terminal (a pty) shows
    the worst finding (the analysis came from the child), ``q`` quits with 0."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", TRIAGE_CONFIG_DIR=str(tmp_path / "c"),
               TRIAGE_DATA_DIR=str(tmp_path / "d"), TRIAGE_DRAFTS=str(tmp_path / "drafts"))
    proc = subprocess.Popen([sys.executable, "-m", "triagebench", str(SAMPLE)], stdin=slave,
                            stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 60
    try:
        while b"Data partition mounted read-only" not in seen and time.monotonic() < deadline:
            if select.select([master], [], [], 0.5)[0]:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
        assert b"Data partition mounted read-only" in seen
        os.write(master, b"q")
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline:
            if select.select([master], [], [], 0.2)[0]:  # keep draining: a full pty blocks it
                try:
                    os.read(master, 65536)
                except OSError:
                    break
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)


def test_quitting_while_the_child_still_works_does_not_hang() -> None:
    """The loading worker waits in slices: when the app quits (its workers cancelled)
    the thread ends, so the interpreter, which joins worker threads, exits at once."""
    handle = fake_prefetch(SAMPLE, None, delay=30)  # a child that would answer in 30 s

    async def quit_early() -> None:
        app = create_app(str(SAMPLE), env={}, prefetch=handle)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.3)
            assert app.document is None
            await pilot.press("q")

    started = time.monotonic()
    asyncio.run(quit_early())  # returns only after the worker threads ended
    assert time.monotonic() - started < 10


HANG = r"""
import sys, time
from triagebench.services import prefetch
from triagebench.services.analysis import AnalysisOptions

def hang(fd, path, checks, options):
    time.sleep(60)

prefetch._child = hang  # a child that never answers (say, a lock held across the fork)
prefetch.DEADLINE = 0.5
handle = prefetch.start(sys.argv[1], (), AnalysisOptions())
started = time.monotonic()
result = handle.wait(timeout=0.1)
while result is None and handle.pending and time.monotonic() - started < 10:
    result = handle.wait(timeout=0.1)  # the workbench's loading worker waits like this
print(result is None, handle.pending, handle.pid, time.monotonic() - started < 5)
"""


def test_a_child_that_hangs_is_killed_at_the_deadline_and_given_up() -> None:
    proc = subprocess.run([sys.executable, "-c", HANG, str(SAMPLE)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    # no result, nothing pending (the workbench analyses in-process), the child reaped
    assert proc.stdout.split() == ["True", "False", "0", "True"]


@run_async
async def test_the_first_paint_waits_for_a_slow_child_only_briefly() -> None:
    """The first paint waits for the child's analysis at most FIRST_FRAME_WAIT: a
    slower child gets the loading screen (painted), then the findings."""
    import time as clock

    from triagebench.tui.app import FIRST_FRAME_WAIT

    result = analyse(capture_documents(str(SAMPLE)), AnalysisOptions(unexplained=False))
    handle = fake_prefetch(SAMPLE, [prefetch.Delivered.of(result), None],
                           delay=FIRST_FRAME_WAIT + 1.0)
    app = create_app(str(SAMPLE), env={}, prefetch=handle)
    started = clock.monotonic()
    async with app.run_test(size=(120, 40)) as pilot:
        assert clock.monotonic() - started < FIRST_FRAME_WAIT + 0.9  # not held till the child
        await pilot.pause(0.2)
        assert app.first_frame_hold is None  # waited once already: no second hold
        assert app.findings is None
        assert "Esc cancels" in str(app.query_one("#loading-text").render())
        await settle_until(pilot, lambda: app.findings is not None)
        assert findings_text(app) == [f"{f.id} {f.status} {f.severity}"
                                      for f in result.findings.matches]



TOO_MANY = r"""
import sys
from triagebench.services import prefetch
from triagebench.services.analysis import AnalysisOptions

prefetch.MAX_LINES = 1000  # the sample has 8.5k lines: as a small .xz expanding to 30 MB
handle = prefetch.start(sys.argv[1], (), AnalysisOptions())
print(handle is not None, handle.wait() is None, handle.pending, handle.pid)
"""


def test_a_child_whose_input_expands_too_far_gives_up_before_pickling() -> None:
    """A compressed file passes the size check on its compressed size; the child counts
    the lines it parsed and sends nothing when they are too many (the workbench then
    parses the file itself instead of holding two copies)."""
    proc = subprocess.run([sys.executable, "-c", TOO_MANY, str(SAMPLE)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "True", "False", "0"]


@run_async
async def test_the_childs_session_is_what_the_workbench_opens_with(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child reads the file's stored session (bookmarks, notes) with the analysis;
    the workbench shows it from its first frame, and a child started for another
    ``--session`` file is not used."""
    from triagebench.services.sessions import load_stored, open_session, save_stored

    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path / "data"))
    result = analyse(capture_documents(str(SAMPLE)), AnalysisOptions(unexplained=False))
    stored, _ = load_stored(result.document)
    stored.mark(result.document, 42, "the child read this note")
    save_stored(stored)
    opened = open_session(result.document)
    assert opened.error is None and 42 in opened.session.bookmarks
    handle = fake_prefetch(SAMPLE, [prefetch.Delivered.of(result, opened), None])
    assert handle.frame_ready(10)
    app = create_app(str(SAMPLE), env={}, prefetch=handle)
    async with app.run_test(size=(120, 40)):
        assert app.session is not None and app.session.bookmarks[42].note == \
            "the child read this note"
        assert 42 in app.log_view.bookmarks
    other = fake_prefetch(SAMPLE, None)
    other.session_path = str(tmp_path / "exported.session.json")
    assert not other.covers(str(SAMPLE), ())  # the workbench imports no --session here


def test_a_session_file_that_cannot_be_imported_still_opens_the_stored_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from triagebench.services.sessions import open_session

    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path / "data"))
    document = capture_documents(str(SAMPLE))[0]
    broken = tmp_path / "broken.session.json"
    broken.write_text("{not json")
    opened = open_session(document, broken)
    assert opened.session is not None and opened.error and "broken.session.json" in opened.error
