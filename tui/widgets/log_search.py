"""The log view's search / filter job: inline within a UI budget, else a thread worker.

Search runs as the user types, so the UI thread may spend at most ``UI_BUDGET``
seconds (about 50 ms) on one pattern IN TOTAL, every line's regex included (the
``regex`` module's timeout is the time left, so one catastrophic line such as
``(\\w+\\s?)+$`` on a long line cannot overrun it). When the budget is spent, or the
scope is bigger than ``sync_limit`` lines, the same computation restarts in a
cancellable thread worker with ``WORKER_BUDGET`` seconds; past that the pattern is
reported as too slow. Results always arrive through ``done`` (called inline, or as a
message the worker posts), tagged with a generation so the result of a superseded
pattern is dropped: workers compute, only the LogView's handlers change state.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable
from typing import Protocol

from textual.message import Message
from textual.widget import Widget
from textual.worker import get_current_worker
from triagebench.tui.widgets.log_index import ScanCancelled, ScanTooSlow

UI_BUDGET = 0.05
"""Seconds the UI thread may spend on one search / filter / derive step."""
WORKER_BUDGET = 30.0
"""Seconds a worker may spend before the pattern is reported as too slow."""
UI_CHUNK = 256
"""Lines between two deadline checks on the UI thread."""
WORKER_CHUNK = 1_000
"""Lines between two cancel checks in a worker (a superseded pattern stops soon)."""

KINDS = ("search", "filter", "derive")


class Compute(Protocol):
    """One job's computation: poll ``cancelled`` (worker) and stop at ``deadline``
    (``time.monotonic()`` value) with ``ScanTooSlow``; ``chunk`` lines between checks."""

    def __call__(self, cancelled: Callable[[], bool] | None, deadline: float | None,
                 chunk: int) -> array: ...


DoneMessage = Callable[[str, int, array | None, str | None], Message]
Done = Callable[[str, int, array | None, str | None], None]


class ScanJobs:
    """The search, filter and derive jobs of one widget, one generation counter each."""

    def __init__(self, owner: Widget, done: Done, done_message: DoneMessage,
                 sync_limit: int = 50_000) -> None:
        self.owner = owner
        self.done = done
        self.done_message = done_message
        self.sync_limit = sync_limit
        self.generation = dict.fromkeys(KINDS, 0)

    def cancel(self, kind: str) -> None:
        """Supersede ``kind``'s running job (its result will be dropped)."""
        self.generation[kind] += 1
        if self.owner.is_mounted:
            self.owner.workers.cancel_group(self.owner, self._group(kind))

    def is_current(self, kind: str, generation: int) -> bool:
        return generation == self.generation[kind]

    def run(self, kind: str, size: int, compute: Compute, what: str) -> None:
        """Start ``kind``: inline first (``UI_BUDGET``), else in a worker."""
        self.cancel(kind)
        generation = self.generation[kind]
        if not self.owner.is_mounted:  # no UI to keep responsive (tests, headless use)
            self._inline(kind, generation, compute, what, None)
            return
        if size <= self.sync_limit and self._inline(
                kind, generation, compute, what, time.monotonic() + UI_BUDGET):
            return
        self._start_worker(kind, generation, compute, what)

    def _inline(self, kind: str, generation: int, compute: Compute, what: str,
                deadline: float | None) -> bool:
        """Compute on this thread; False when the budget ran out (no result given)."""
        try:
            result = compute(None, deadline, UI_CHUNK)
        except ScanTooSlow:
            if deadline is not None:
                return False
            self.done(kind, generation, None, f"pattern too slow: {what}")
            return True
        self.done(kind, generation, result, None)
        return True

    def _start_worker(self, kind: str, generation: int, compute: Compute, what: str) -> None:
        owner = self.owner

        def work() -> None:
            worker = get_current_worker()
            deadline = time.monotonic() + WORKER_BUDGET
            try:
                found = compute(lambda: worker.is_cancelled, deadline, WORKER_CHUNK)
            except ScanCancelled:
                return
            except ScanTooSlow:
                owner.post_message(self.done_message(kind, generation, None,
                                                     f"pattern too slow: {what}"))
                return
            owner.post_message(self.done_message(kind, generation, found, None))

        owner.run_worker(work, name=f"log-view {kind}", group=self._group(kind),
                         exclusive=True, thread=True, exit_on_error=False)

    @staticmethod
    def _group(kind: str) -> str:
        return f"log-view-{kind}"


__all__ = ["UI_BUDGET", "WORKER_BUDGET", "Compute", "ScanJobs"]
