"""Validate a JSON output against the JSON Schema it names (``"schema"``), for tests:
the conftest hook on the one JSON writer, and tests that read a subprocess's stdout."""

from __future__ import annotations

import pytest


def validate_output(payload: object) -> None:
    """Fail unless ``payload`` (an object, or each object of a list) names its contract in
    ``"schema"`` and matches the JSON Schema shipped for it."""
    import jsonschema
    from triagebench.services.render_json import load_schema

    items = payload if isinstance(payload, list) else [payload]
    if not all(isinstance(item, dict) and isinstance(item.get("schema"), str) for item in items):
        pytest.fail("a JSON output without a \"schema\" field (docs/json-outputs.md)")
    names = {item["schema"] for item in items if isinstance(item, dict)}
    for name in names:
        try:
            schema = load_schema(name)
        except FileNotFoundError:
            pytest.fail(f"JSON output names schema {name!r} but no schema file ships for it")
        jsonschema.validate(payload, schema)
