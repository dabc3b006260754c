"""Section keys and categories.

Headers carry run-specific tokens (the supervisor container id, the random
``mktemp`` path in ``CURL_CA_BUNDLE=...``); the key replaces them with ``{id}``
and ``{tmp}`` so heuristics can name a section the same way on every device.
Whitespace is kept exactly as written (``--no-hostname  --list-boots``).
"""

from __future__ import annotations

import re

CATEGORY_MARKER_RE = re.compile(r"^echo === ([A-Z]+) ===$")
CONTAINER_ID_RE = re.compile(r"(?<=\s)[0-9a-f]{12}(?:[0-9a-f]{52})?(?=\s|$)")
MKTEMP_RE = re.compile(r"(?:/[\w.-]+)*/tmp\.[A-Za-z0-9]{6,}")


def category_of_marker(command: str) -> str | None:
    """``echo === BALENA ===`` -> ``BALENA``; anything else -> None."""
    match = CATEGORY_MARKER_RE.match(command)
    return match.group(1) if match else None


def normalise_key(command: str) -> str:
    """The stable key of a section header (container id -> ``{id}``, mktemp -> ``{tmp}``)."""
    key = CONTAINER_ID_RE.sub("{id}", command)
    return MKTEMP_RE.sub("{tmp}", key)
