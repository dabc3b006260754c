"""``InputError``: the one-line message for input that cannot be read as diagnostics."""

from __future__ import annotations


class InputError(Exception):
    """A file that cannot be read as a diagnostics text; ``str()`` is the one-line message."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


__all__ = ["InputError"]
