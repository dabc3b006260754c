"""How deep a JSON text nests, checked before ``json.loads`` (which recurses, so a
hostile file of 100,000 ``[`` would raise ``RecursionError``).

Its own module with the standard ``re`` (3.11 has possessive quantifiers), so reading
the settings file at start-up does not import the ``regex`` engine (~6 ms).
"""

from __future__ import annotations

import re

MAX_JSON_DEPTH = 64

_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*+"|[\[\]{}]')


def json_depth_ok(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Does ``text`` nest at most ``limit`` arrays/objects deep? (Strings are skipped,
    so brackets inside them do not count.) Linear, no recursion."""
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > limit:
                return False
        elif char in "]}":
            depth -= 1
    return True


__all__ = ["MAX_JSON_DEPTH", "json_depth_ok"]
