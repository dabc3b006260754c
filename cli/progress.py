"""Progress for a non-terminal stderr (CI logs, ``2> log``): one line every few seconds.

A progress bar redraws with control sequences, which a log file keeps as garbage; a
silent long run looks hung. So when stderr is not a terminal, a verb prints one plain
line at most every ``every`` seconds (and a last one when done, if any was printed).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


class ProgressLines:
    """``advance()`` after each item; prints ``LABEL 12/340 (4%), 0:00:35 elapsed``."""

    def __init__(self, label: str, total: int, *, every: float = 5.0,
                 out: TextIO | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.label = label
        self.total = total
        self.every = every
        self.out = out
        self.clock = clock
        self.done = 0
        self.started = clock()
        self.last = self.started
        self.printed = 0

    def _line(self) -> str:
        elapsed = int(self.clock() - self.started)
        share = f" ({self.done / self.total:.0%})" if self.total else ""
        return (f"{self.label} {self.done}/{self.total}{share}, "
                f"{elapsed // 3600}:{elapsed // 60 % 60:02d}:{elapsed % 60:02d} elapsed")

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = self.clock()
        finished = self.done >= self.total
        if now - self.last >= self.every or (finished and self.printed):
            self.last = now
            self.printed += 1
            print(self._line(), file=self.out or sys.stderr, flush=True)


__all__ = ["ProgressLines"]
