"""Process-wide start-up tuning for the workbench: the cyclic garbage collector.

By the time the app is built, the interpreter tracks ~40k long-lived containers (Textual,
Rich, our modules, the themes). Every full ("generation 2") collection walks all of
them, and building the first screen allocates enough to trigger several collections:
~25 ms of the first frame went to the collector on a 2-core box. ``gc.freeze()`` moves
the objects alive now to a permanent generation the collector skips; they are still
freed by reference counting, only cycles among them would stay (module-level objects
live as long as the process anyway). No ``gc.collect()`` first: it costs ~20 ms, more
than the few import-time cycles it would free. Done once per process, so tests that
build many apps freeze only the start-up objects.

Before that, ``triage FILE`` pauses the collector altogether (``pause_collector``, in the
CLI, before Textual is imported) until the first frame is painted
(``resume_collector``): importing Textual and building the first screen ran ~130
young-generation and ~11 middle-generation collections, ~20 ms of the time to the
findings, that free next to nothing (modules, classes and widgets all stay alive). The
objects alive at the first paint are then frozen and the collector runs as usual.
"""

from __future__ import annotations

import gc

_frozen: set[str] = set()


def _freeze_once(what: str) -> None:
    """``gc.freeze()`` the first time ``what`` is asked for in this process."""
    if what in _frozen:
        return
    _frozen.add(what)
    gc.freeze()


_paused: list[bool] = [False]


def pause_collector() -> None:
    """Stop the cyclic collector until ``resume_collector`` (the CLI, for start-up)."""
    if gc.isenabled():
        gc.disable()
        _paused[0] = True


def resume_collector() -> None:
    """After the first paint: freeze what is alive, collect as usual again. A no-op
    unless ``pause_collector`` stopped the collector (tests and other callers keep
    theirs)."""
    if _paused[0]:
        _paused[0] = False
        gc.freeze()
        gc.enable()


def freeze_startup_objects() -> None:
    """Exclude the objects alive now from every later garbage collection (once)."""
    _freeze_once("start-up")


def freeze_first_document() -> None:
    """The same for the first document shown (its lines, sections and findings: tens of
    thousands of containers that live as long as the file is open): laying out and
    painting it no longer walks them in every full collection (~20 ms). Once per
    process; a later file opened in the same process is collected normally."""
    _freeze_once("first document")


__all__ = ["freeze_first_document", "freeze_startup_objects", "pause_collector",
           "resume_collector"]
