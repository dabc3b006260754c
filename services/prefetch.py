"""Analyse a small capture in a child process while the workbench starts its UI.

Why: on a 10k-line capture the analysis (parse, library, match, device state,
unexplained lines) is ~250 ms of CPU, and importing Textual plus the first layout is
another ~250 ms. In one process both share one core (the GIL), so the findings come
after the sum. ``start`` forks *before* the CLI imports the UI: the child runs the one
pipeline (``services.analysis``) on another core while the parent imports Textual and
lays out its first frame, then sends the finished ``Analysis`` back through a pipe.
The workbench shows it in one layout pass (``Prefetch.wait`` in the loading worker).

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

Wire format: frames of an 8-byte big-endian length and a pickle. Frame 1 is the
``Analysis`` without its unexplained lines (the findings come first), frame 2 the
``Unexplained`` (or None when computing it failed). The pipe is private between a
process and its own fork, so the pickles are trusted data of this program.
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
from typing import TYPE_CHECKING, TypeVar

from triagebench.services import paths

if TYPE_CHECKING:
    from triagebench.services.analysis import Analysis, AnalysisOptions, Unexplained

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

_HEADER = struct.Struct(">Q")
_MAGICS = (b"\x1f\x8b", b"\xfd7zXZ", b"BZh", b"\x28\xb5\x2f\xfd", b"PK\x03\x04")
T = TypeVar("T")


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
    if head.startswith(_MAGICS):
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
    """A running child analysis of ``path`` (+ ``checks``); read it with ``wait``."""

    def __init__(self, pid: int, fd: int, path: str, checks: tuple[str, ...]) -> None:
        self.pid = pid
        self.path = path
        self.checks = checks
        self._fd: int | None = fd
        self._buffer = bytearray()
        self._frames: list[bytes] = []
        self._eof = False
        self.deadline = time.monotonic() + DEADLINE
        self._lock = threading.Lock()

    @property
    def pending(self) -> bool:
        """True while the child may still deliver a frame (``wait`` timed out, not failed)."""
        return bool(self._frames) or (self._fd is not None and not self._eof)

    def covers(self, path: str, checks: Sequence[str]) -> bool:
        """Whether this child analyses exactly these inputs."""
        return path == self.path and tuple(checks) == self.checks

    def _read(self, deadline: float | None) -> bool:
        """Read what is available until a frame is complete, EOF or ``deadline``;
        False when the deadline passed first."""
        fd = self._fd
        while fd is not None and not self._eof:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                ready, _, _ = select.select([fd], [], [], left)
                if not ready:
                    return False
            try:
                chunk = os.read(fd, 1 << 20)
            except InterruptedError:
                continue
            except OSError:
                chunk = b""
            if not chunk:
                self._eof = True
                self._close_fd()
                break
            self._buffer += chunk
            if self._split():
                return True
        self._split()
        return True

    def _split(self) -> bool:
        """Move complete frames from the buffer to ``_frames``; True when one moved."""
        moved = False
        while len(self._buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._buffer)
            end = _HEADER.size + size
            if len(self._buffer) < end:
                break
            self._frames.append(bytes(self._buffer[_HEADER.size:end]))
            del self._buffer[:end]
            moved = True
        return moved

    def _give_up_if_late(self) -> None:
        """Past ``DEADLINE``: kill the child, so the reads below end with EOF."""
        if self.pid > 0 and time.monotonic() > self.deadline:
            self.stop()

    def _next_frame(self, timeout: float | None) -> bytes | None:
        self._give_up_if_late()
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._frames:
            if self._eof or self._fd is None:
                return None
            if not self._read(deadline):
                return None
        return self._frames.pop(0)

    def frame_ready(self, timeout: float) -> bool:
        """Read for at most ``timeout`` seconds; True once a whole frame is buffered
        (then ``wait``/``wait_unexplained`` return it without blocking)."""
        self._give_up_if_late()
        deadline = time.monotonic() + timeout
        while not self._frames and self._fd is not None and not self._eof:
            if not self._read(deadline):
                break
        return bool(self._frames)

    def wait(self, timeout: float | None = None) -> Analysis | None:
        """The child's ``Analysis`` (its ``unexplained`` not yet filled: see
        ``wait_unexplained``), or None if the child failed or ``timeout`` passed.
        Call it from one thread only (the loading worker)."""
        from triagebench.services.analysis import Analysis

        frame = self._next_frame(timeout)
        result = _loads(frame, Analysis)
        if result is None and (frame is not None or self._eof):
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
        """The reader's end: close the pipe, stop and reap the child. Only from the
        thread that reads (closing an fd another thread reads could hand that thread a
        reused descriptor); other threads call ``stop``."""
        self._close_fd()
        self.stop()

    def _close_fd(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def stop(self) -> None:
        """Kill the child if it still runs and reap it (safe from any thread, twice):
        a reader blocked on the pipe then sees EOF and ``wait`` returns None."""
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


def _child(fd: int, path: str, checks: tuple[str, ...], options: AnalysisOptions) -> None:
    """Run in the forked child: analyse, send the frames. Never returns normally to
    the caller's code: ``start`` calls ``os._exit`` after it."""
    null = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1, 2):
        os.dup2(null, target)
    from dataclasses import replace

    from triagebench.services import analysis

    documents = analysis.capture_documents(path, checks)
    if sum(document.line_count for document in documents) > MAX_LINES:
        raise ValueError("too big to send back")  # EOF: the workbench parses it itself
    result = analysis.analyse(documents, replace(options, unexplained=False))
    _write_frame(fd, result)
    unexplained: Unexplained | None
    try:
        unexplained = analysis.find_unexplained(result.document, result.findings)
    except Exception:  # noqa: BLE001 - the workbench computes it itself then
        unexplained = None
    _write_frame(fd, unexplained)


def start(path: str, checks: Sequence[str], options: AnalysisOptions) -> Prefetch | None:
    """Fork a child analysing ``path`` (+ ``checks``) when ``eligible``; None otherwise.

    Call it only from a process that has started no thread (the CLI, before it imports
    the UI). The reader ``close()``s the returned Prefetch when done with it
    (``wait_unexplained`` does); any other thread ``stop()``s it."""
    checks = tuple(checks)
    if threading.active_count() > 1 or not eligible(path, checks):
        return None  # a fork copies locks other threads may hold: never with threads
    try:
        read_fd, write_fd = os.pipe()
    except OSError:
        return None
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
            _child(write_fd, path, checks, options)
        except BaseException:  # noqa: BLE001 - EOF without a frame tells the parent
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    return Prefetch(pid, read_fd, path, checks)


__all__ = ["DEADLINE", "MAX_BYTES", "MAX_COMPRESSED_BYTES", "MAX_LINES", "Prefetch", "eligible", "start"]
