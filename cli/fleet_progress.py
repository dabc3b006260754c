"""Progress of ``triage fleet`` on stderr: a rich bar on a terminal, otherwise one line
every ``interval`` seconds (logs of cron jobs and CI stay short and readable)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class FleetProgress:
    """Callable ``(done, total)``; ``close()`` removes the bar / prints the last line."""

    def __init__(self, stream: TextIO | None = None, interval: float = 10.0,
                 bar: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.interval = interval
        self.started = time.monotonic()
        self._last = self.started
        self._done = 0
        self._total = 0
        self._bar = None
        self._task = None
        use_bar = self.stream.isatty() if bar is None else bar
        if use_bar:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TaskProgressColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress("[progress.description]{task.description}", BarColumn(),
                                 MofNCompleteColumn(), TaskProgressColumn(),
                                 TimeRemainingColumn(), console=Console(file=self.stream),
                                 transient=True)
            self._bar.start()

    def __call__(self, done: int, total: int) -> None:
        self._done, self._total = done, total
        if self._bar is not None:
            if self._task is None:
                self._task = self._bar.add_task("scanning new captures", total=total)
            self._bar.update(self._task, completed=done, total=total)
            return
        now = time.monotonic()
        if done == 0 and total:
            self._line(f"triage fleet: {total} new file(s) to scan")
        elif now - self._last >= self.interval and done < total:
            self._last = now
            self._line(self._status(now))

    def _status(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self._done / elapsed
        left = (self._total - self._done) / rate if rate else 0.0
        return (f"triage fleet: {self._done}/{self._total} file(s) scanned, "
                f"{rate:.1f} files/s, about {left:.0f} s left")

    def _line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        elif self._total:
            self._line(self._status(time.monotonic()))


__all__ = ["FleetProgress"]
