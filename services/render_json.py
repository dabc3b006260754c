"""The one JSON writer of every verb (``parse --json``, ``scan --format json``, ``fleet``).

Non-ASCII text stays readable (``ensure_ascii=False``) but no control character
reaches the terminal raw: ``json`` already escapes C0 (ESC included); this also
escapes DEL, the C1 range (``\\x9b`` is a one-byte CSI on many terminals) and the
Unicode line/paragraph separators. The contracts are in ``docs/json-outputs.md``.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any, TextIO

# json.dumps escapes C0 inside strings already; C0 outside strings is only the
# indentation's newlines and spaces, which must stay.
_UNSAFE_RE = re.compile(r"[\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_text(payload: Any, *, indent: int | None = 2) -> str:
    """``payload`` as JSON text with every control character escaped."""
    text = json.dumps(payload, indent=indent, ensure_ascii=False, default=str)
    return _UNSAFE_RE.sub(_escape, text)


def write_json(payload: Any, out: TextIO | None = None, *, indent: int | None = 2) -> None:
    """Write ``payload`` and a newline to ``out`` (stdout by default)."""
    (out or sys.stdout).write(json_text(payload, indent=indent) + "\n")


__all__ = ["json_text", "write_json"]
