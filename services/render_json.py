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
SCAN_SCHEMA = "triagebench-scan/1"
PARSE_SCHEMA = "triagebench-parse/1"
FLEET_SCHEMA = "triagebench-fleet/1"
TIMELINE_SCHEMA = "triagebench-timeline/1"
DIFF_SCHEMA = "triagebench-diff/1"
SCHEMAS = (SCAN_SCHEMA, PARSE_SCHEMA, FLEET_SCHEMA, TIMELINE_SCHEMA, DIFF_SCHEMA)
"""Every JSON output names its contract in a top-level ``"schema"`` field; the JSON
Schema of ``triagebench-scan/1`` is ``services/schemas/triagebench-scan-1.schema.json``."""

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


def schema_file(name: str) -> str:
    """The file name of contract ``name``'s JSON Schema (``triagebench-scan/1`` ->
    ``triagebench-scan-1.schema.json``), shipped as package data in ``services/schemas/``."""
    return name.replace("/", "-") + ".schema.json"


def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of contract ``name`` (``FileNotFoundError`` when none is shipped)."""
    from importlib.resources import files

    path = files("triagebench.services").joinpath("schemas", schema_file(name))
    return json.loads(path.read_text(encoding="utf-8"))


__all__ = ["DIFF_SCHEMA", "FLEET_SCHEMA", "PARSE_SCHEMA", "SCAN_SCHEMA", "SCHEMAS",
           "TIMELINE_SCHEMA", "json_text", "load_schema", "schema_file", "write_json"]
