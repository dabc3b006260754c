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
# A mktemp name (``/tmp.XXXXXXXXXX``) and, to its left, the directories it sits in.
# Matched in two linear steps (the name, then its directories on the reversed
# prefix): the one-regex form ``(?:/[\w.-]+)*/tmp\.…`` is quadratic on a long
# ``/a/a/a…`` header (a 100 KB header took 60 s).
MKTEMP_NAME_RE = re.compile(r"/tmp\.[A-Za-z0-9]{6,}")
REVERSED_DIRS_RE = re.compile(r"(?:[\w.-]+/)*")


def category_of_marker(command: str) -> str | None:
    """``echo === BALENA ===`` -> ``BALENA``; anything else -> None."""
    match = CATEGORY_MARKER_RE.match(command)
    return match.group(1) if match else None


def normalise_key(command: str) -> str:
    """The stable key of a section header (container id -> ``{id}``, mktemp -> ``{tmp}``)."""
    key = CONTAINER_ID_RE.sub("{id}", command)
    return _replace_mktemp(key) if "/tmp." in key else key


def _replace_mktemp(text: str) -> str:
    """Every ``[/dir…]/tmp.XXXXXX`` path -> ``{tmp}`` (directories included)."""
    out: list[str] = []
    pos = 0
    for name in MKTEMP_NAME_RE.finditer(text):
        start = name.start()
        dirs = REVERSED_DIRS_RE.match(text[pos:start][::-1])
        start -= dirs.end() if dirs else 0
        out.append(text[pos:start])
        out.append("{tmp}")
        pos = name.end()
    out.append(text[pos:])
    return "".join(out)
