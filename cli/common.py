"""Helpers shared by the headless verbs: loading inputs with one-line errors, output."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from triagebench.parser import InputError

if TYPE_CHECKING:
    from triagebench.parser import Document


def fail(message: str) -> int:
    """Print one clear line on stderr and return the bad-input exit code."""
    print(message, file=sys.stderr)
    return 2


def load_document(path: str) -> Document:
    """Parse ``path``; ``InputError`` carries the one-line message."""
    from triagebench.parser import parse_file

    return parse_file(path)


__all__ = ["InputError", "fail", "load_document"]
