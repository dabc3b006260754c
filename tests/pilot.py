"""Shared helper for Pilot tests (no async pytest plugin is installed)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any


def run_async(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async Pilot test with ``asyncio.run``."""
    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return wrapper


async def settle_until(pilot: Any, until: Callable[[], bool], rounds: int = 200) -> None:
    """Let the app's workers finish and their messages be handled until ``until()`` holds
    (then one more pause); fails the test when it never does."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if until():
            await pilot.pause()
            return
    raise AssertionError("the app never reached the expected state")
