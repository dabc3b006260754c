"""Analyse a small capture in a child process while the workbench starts its UI.

Why: on a 10k-line capture the analysis (parse, library, match, device state,
unexplained lines) is ~100 ms of CPU, and importing Textual plus the first layout is
another ~200 ms. In one process both share one core (the GIL), so the findings come
after the sum. ``start`` forks *before* the CLI imports the UI: the child runs the one
pipeline (``services.analysis``) on another core while the parent imports Textual, and
sends the result back through a pipe. A reader thread in the parent drains the pipe as
the child writes (the child never waits on a full pipe), so the analysis is usually in
memory when the workbench mounts: it is then laid out before the first paint
(``first_frame_size`` within ``INLINE_FRAME_BYTES``), else read by the loading worker.

When it is used: ``os.fork`` exists (POSIX), the caller has started no thread (the CLI
forks before Textual is imported; never fork a process with threads), and every input
is a regular file of at most ``MAX_BYTES`` (``MAX_COMPRESSED_BYTES`` when compressed):
on a 1M-line file pickling the document would cost more than parsing it where it is
shown, and hold it twice in memory, so big files keep the in-process pipeline.

Whatever goes wrong in the child (bad input, several captures in one zip, a crash, a
killed child, a pickle that does not load, a child still silent ``DEADLINE`` seconds
after the fork, which is then killed) makes ``wait`` return None, and the caller
runs the in-process pipeline, which words every error exactly as before. The child
never writes to the terminal (its stdin, stdout and stderr are ``/dev/null``) and
always ends with ``os._exit``, so it never runs the parent's code after the fork.

Wire format: frames of an 8-byte big-endian length and a pickle. Frame 1 is a
``Delivered`` (the analysis without its library and unexplained lines: the findings
come first), frame 2 the ``Unexplained`` (or None when computing it failed). The pipe
is private between a process and its own fork, so the pickles are trusted data of
this program.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import select
import signal
import stat
import struct
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from triagebench.parser.magic import COMPRESSED, sniff
from triagebench.services import paths

if TYPE_CHECKING:
    from triagebench.heuristics.model import Findings
    from triagebench.parser import Document
    from triagebench.services.analysis import Analysis, AnalysisOptions, Unexplained
    from triagebench.services.sessions import OpenedSession
    from triagebench.services.state import DeviceState

MAX_BYTES = 8 * 1024 * 1024
"""Largest plain input (all inputs together) analysed in a child: ~100k lines."""

MAX_COMPRESSED_BYTES = 1024 * 1024
"""Largest compressed input analysed in a child (it may expand ~10x, and up to the
decompressor's 200:1 bomb limit: the child also checks the lines it got, see MAX_LINES)."""

MAX_LINES = 150_000
"""Most lines (all inputs together, after decompression) the child sends back; more and
it gives up before pickling, so the workbench parses the file itself (a compressed file
that expands past ``MAX_BYTES`` would otherwise be pickled and held by both processes)."""

DEADLINE = 60.0
"""Seconds after the fork when a child that has not sent everything is killed (the
reader then sees EOF and the workbench analyses in its own process). An 8 MB file takes
~2 s (matching is bounded at ~11 s by the regex budgets); this only guards against a
child that hangs (e.g. a lock held across the fork). The child also ends itself at that
time (``signal.alarm``), so it never outlives a parent that was killed."""

PUMP_SLICE = 0.1
"""Seconds the reader thread blocks at most before it checks ``close`` and the deadline."""

INLINE_FRAME_BYTES = 2 * 1024 * 1024
"""A first frame at most this big may be unpickled on the UI thread (~10 ms for 2 MB,
a ~15k-line capture), so the workbench lays it out before its first paint; a bigger one
is read by the loading worker."""

_HEADER = struct.Struct(">Q")
T = TypeVar("T")


@dataclass(frozen=True)
class Delivered:
    """The child's first frame: the ``Analysis`` without its library, and the file's
    session (bookmarks, position) as the workbench opens it.

    The library is a third of the pickle, and unpickling it imports the heuristics
    engine's modules (~12 ms) on the way to the first frame; the workbench needs only
    how many heuristics ran and the library's problems to show the findings, and
    loads the library itself (from its cache) after the first paint. The session is
    read here for the same reason (hashing the file and reading the store: ~5 ms of
    the workbench's first frame, while this process has time to spare)."""

    document: Document
    findings: Findings
    state: DeviceState
    inputs: tuple[str, ...]
    heuristic_count: int
    library_problems: tuple[str, ...]
    session: OpenedSession | None = None

    @classmethod
    def of(cls, result: Analysis, session: OpenedSession | None = None) -> Delivered:
        from triagebench.services.analysis import library_facts

        count, problems = library_facts(result.library)
        return cls(result.document, result.findings, result.state, result.inputs, count,
                   problems, session)


def _input_bytes(path: str) -> int | None:
    """The size that counts against the limits, or None when ``path`` must not be
    prefetched (not a regular file, unreadable, too big)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return None
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError:
        return None
    if sniff(head) in (*COMPRESSED, "zip"):
        return info.st_size if info.st_size <= MAX_COMPRESSED_BYTES else None
    return info.st_size


def eligible(path: str, checks: Sequence[str] = ()) -> bool:
    """True when the inputs are small regular files and this platform can fork."""
    if not hasattr(os, "fork") or not paths.prefetch_enabled():
        return False
    total = 0
    for name in (path, *checks):
        size = _input_bytes(name)
        if size is None:
            return False
        total += size
    return total <= MAX_BYTES


class Prefetch:
    """A running child analysis of ``path`` (+ ``checks``); read it with ``wait``.

    A reader thread (``_pump``) drains the pipe from the moment of the fork, so the child
    never blocks on a full pipe while the workbench is still importing and laying out its
    first frame, and the frames are in memory when the app asks for them. The thread only
    moves bytes (unpickling imports modules: that stays in the caller's thread). It owns
    the pipe's descriptor and closes it itself, so no other thread can close a descriptor
    it is reading."""

    def __init__(self, pid: int, fd: int, path: str, checks: tuple[str, ...],
                 session_path: str | None = None) -> None:
        self.pid = pid
        self.path = path
        self.checks = checks
        self.session_path = session_path
        self._frames: list[bytes] = []
        self._eof = False
        self._closed = False
        self.deadline = time.monotonic() + DEADLINE
        self._lock = threading.Lock()
        self._arrived = threading.Condition(threading.Lock())
        self._reader = threading.Thread(target=self._pump, args=(fd,), daemon=True,
                                        name="prefetch-reader")
        self._reader.start()

    @property
    def pending(self) -> bool:
        """True while the child may still deliver a frame (``wait`` timed out, not failed)."""
        with self._arrived:
            return not self._closed and (bool(self._frames) or not self._eof)

    def covers(self, path: str, checks: Sequence[str], session_path: str | None = None) -> bool:
        """Whether this child analyses exactly these inputs (and opens that session)."""
        return (path == self.path and tuple(checks) == self.checks
                and session_path == self.session_path)

    def _pump(self, fd: int) -> None:
        """(reader thread) Read frames until EOF, ``close`` or the deadline (then the
        child is killed, which ends the pipe)."""
        buffer = bytearray()
        try:
            while not self._closed:
                left = self.deadline - time.monotonic()
                if left <= 0:
                    self.stop()  # a hung child: killed, so the read below sees EOF
                    left = PUMP_SLICE
                ready, _, _ = select.select([fd], [], [], min(left, PUMP_SLICE))
                if not ready:
                    continue
                try:
                    chunk = os.read(fd, 1 << 20)
                except InterruptedError:
                    continue
                except OSError:
                    chunk = b""
                if not chunk:
                    break
                buffer += chunk
                frames = _split(buffer)
                if frames:
                    with self._arrived:
                        self._frames.extend(frames)
                        self._arrived.notify_all()
        finally:
            with contextlib.suppress(OSError):
                os.close(fd)
            with self._arrived:
                self._eof = True
                self._arrived.notify_all()

    def _await_frame(self, timeout: float | None) -> bool:
        """(holding ``_arrived``) Wait at most ``timeout`` seconds (None: no limit) until
        a whole frame is in, the pipe ended or ``close`` was called; True for a frame."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._frames and not self._eof and not self._closed:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                break
            self._arrived.wait(left)
        return bool(self._frames) and not self._closed

    def _next_frame(self, timeout: float | None) -> bytes | None:
        """The next whole frame, waiting at most ``timeout`` seconds; None on EOF,
        ``close`` or timeout."""
        with self._arrived:
            return self._frames.pop(0) if self._await_frame(timeout) else None

    def frame_ready(self, timeout: float) -> bool:
        """Wait at most ``timeout`` seconds; True once a whole frame is in (then
        ``wait``/``wait_unexplained`` return it without blocking)."""
        with self._arrived:
            return self._await_frame(timeout)

    def first_frame_size(self) -> int | None:
        """The size of the buffered first frame, None while it has not arrived."""
        with self._arrived:
            return len(self._frames[0]) if self._frames and not self._closed else None

    def wait(self, timeout: float | None = None) -> Delivered | None:
        """The child's analysis (its unexplained lines follow: ``wait_unexplained``), or
        None if the child failed or ``timeout`` passed."""
        frame = self._next_frame(timeout)
        result = _loads(frame, Delivered)
        if result is None and (frame is not None or not self.pending):
            self.close()
        return result

    def wait_unexplained(self, timeout: float | None = None) -> Unexplained | None:
        """The unexplained lines the child computed after the findings, or None; the
        child is finished with (``close``) afterwards."""
        from triagebench.services.analysis import Unexplained

        frame = self._next_frame(timeout)
        self.close()
        return _loads(frame, Unexplained)

    def close(self) -> None:
        """Done with this child: nothing more is returned, the child is stopped and
        reaped, and the reader thread closes the pipe (within ``PUMP_SLICE``)."""
        with self._arrived:
            self._closed = True
            self._frames.clear()
            self._arrived.notify_all()
        self.stop()

    def stop(self) -> None:
        """Kill the child if it still runs and reap it (safe from any thread, twice):
        the pipe then ends, and a ``wait`` in progress returns None."""
        with self._lock:  # the UI thread (Esc, quit) and the worker may both stop it
            pid, self.pid = self.pid, 0
        if pid <= 0:
            return
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        except (ChildProcessError, ProcessLookupError, OSError):
            pass


def _split(buffer: bytearray) -> list[bytes]:
    """Remove the complete frames from the front of ``buffer`` and return them."""
    frames: list[bytes] = []
    while len(buffer) >= _HEADER.size:
        (size,) = _HEADER.unpack_from(buffer)
        end = _HEADER.size + size
        if len(buffer) < end:
            break
        frames.append(bytes(buffer[_HEADER.size:end]))
        del buffer[:end]
    return frames


def _loads(frame: bytes | None, kind: type[T]) -> T | None:
    """Unpickle one frame of the expected type; None for anything else."""
    if frame is None:
        return None
    collecting = gc.isenabled()
    gc.disable()  # unpickling a document allocates ~10^5 containers: no collection midway
    try:
        result = pickle.loads(frame)  # noqa: S301 - our own fork's data, private pipe
    except Exception:  # noqa: BLE001 - any failure: the caller runs the pipeline itself
        return None
    finally:
        if collecting:
            gc.enable()
    return result if isinstance(result, kind) else None


def _write_frame(fd: int, payload: object) -> None:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _child(fd: int, path: str, checks: tuple[str, ...], options: AnalysisOptions,
           session_path: str | None) -> None:
    """Run in the forked child: analyse, send the frames. Never returns normally to
    the caller's code: ``start`` calls ``os._exit`` after it."""
    null = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1, 2):
        os.dup2(null, target)
    gc.enable()  # the CLI pauses the collector for the workbench's start-up, not for this
    from dataclasses import replace

    from triagebench.services import analysis

    documents = analysis.capture_documents(path, checks)
    if sum(document.line_count for document in documents) > MAX_LINES:
        raise ValueError("too big to send back")  # EOF: the workbench parses it itself
    result = analysis.analyse(documents, replace(options, unexplained=False))
    from triagebench.services.sessions import open_session

    _write_frame(fd, Delivered.of(result, open_session(result.document, session_path)))
    unexplained: Unexplained | None
    try:
        unexplained = analysis.find_unexplained(result.document, result.findings)
    except Exception:  # noqa: BLE001 - the workbench computes it itself then
        unexplained = None
    _write_frame(fd, unexplained)


PIPE_BYTES = 1 << 20
"""The pipe's buffer asked for (Linux ``F_SETPIPE_SZ``; 1 MB is the default ceiling,
``/proc/sys/fs/pipe-max-size``): a 10k-line capture's first frame (~0.8 MB) is then
written at once, instead of in 64 KB steps each waiting for the reader thread to get
the GIL from the importing UI thread (up to 5 ms a step)."""


def _widen(fd: int) -> None:
    """Grow ``fd``'s pipe buffer to ``PIPE_BYTES`` where the platform allows; the
    default is kept otherwise (it only costs the child some waiting)."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass


def import_shared_modules() -> None:
    """Import the modules both processes need: the classes of the child's result (the
    parent unpickles them) are also the ones the child builds them with. Imported once
    before the fork, the child does not import them again: ~13 ms less of its work
    while the parent imports the UI on the other core, where the two processes slow
    each other down. Measured in tmux (9 interleaved rounds per sample), the findings
    showed 9–26 ms sooner; the parent pays the same imports, only earlier."""
    import triagebench.heuristics.format  # noqa: F401
    import triagebench.parser.document  # noqa: F401
    import triagebench.parser.times  # noqa: F401
    import triagebench.services.sessions  # noqa: F401
    import triagebench.services.state_model  # noqa: F401


def start(path: str, checks: Sequence[str], options: AnalysisOptions,
          session_path: str | None = None) -> Prefetch | None:
    """Fork a child analysing ``path`` (+ ``checks``) when ``eligible``; None otherwise.
    ``session_path``: the ``--session`` file the workbench imports (the child reads the
    file's session too).

    Call it only from a process that has started no thread (the CLI, before it imports
    the UI). The reader ``close()``s the returned Prefetch when done with it
    (``wait_unexplained`` does); any other thread ``stop()``s it."""
    checks = tuple(checks)
    if threading.active_count() > 1 or not eligible(path, checks):
        return None  # a fork copies locks other threads may hold: never with threads
    import_shared_modules()
    try:
        read_fd, write_fd = os.pipe()
    except OSError:
        return None
    _widen(write_fd)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # the child
        code = 0
        try:
            if hasattr(signal, "alarm"):
                signal.alarm(int(DEADLINE) + 1)  # never outlive a killed parent for long
            os.close(read_fd)
            _child(write_fd, path, checks, options, session_path)
        except BaseException:  # noqa: BLE001 - EOF without a frame tells the parent
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    return Prefetch(pid, read_fd, path, checks, session_path)


__all__ = ["DEADLINE", "INLINE_FRAME_BYTES", "Delivered", "import_shared_modules", "MAX_BYTES", "MAX_COMPRESSED_BYTES", "MAX_LINES", "Prefetch", "eligible", "start"]
