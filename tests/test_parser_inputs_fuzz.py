"""Property tests: whatever bytes or JSON arrive, the reader gives a Document or one InputError line."""

from __future__ import annotations

import json
import os
import tempfile

from hypothesis import given, settings
from hypothesis import strategies as st
from triagebench.parser import Document, InputError, parse_file, parse_raw
from triagebench.parser.checks import FORMAT, KEY_PREFIX
from triagebench.parser.reader import RawLines

MAGICS = [b"", b"\x1f\x8b\x08\x00", b"\xfd7zXZ\x00", b"BZh9", b"\x28\xb5\x2f\xfd", b"PK\x03\x04",
          b"PK\x05\x06", b"{", b"["]
KEYS = st.sampled_from(["name", "success", "status", "checks", "diagnose_version", "other"])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS | st.text(max_size=4), inner,
                                                                 max_size=4),
    max_leaves=25)


def _outcome(read) -> Document | InputError:
    try:
        return read()
    except InputError as exc:
        assert "\n" not in str(exc)
        return exc


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(MAGICS), st.binary(max_size=600))
def test_any_bytes_give_a_document_or_one_line_error(magic: bytes, body: bytes) -> None:
    handle, path = tempfile.mkstemp(prefix="fuzz-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(magic + body)
        _outcome(lambda: parse_file(path))
    finally:
        os.unlink(path)


@settings(max_examples=200, deadline=None)
@given(st.lists(JSON.filter(lambda v: isinstance(v, (dict, list))), min_size=1, max_size=3))
def test_any_json_stream_is_health_checks_or_one_line_error(values: list) -> None:
    text = "\n".join(json.dumps(v) for v in values)
    raw = RawLines("x.json", text.split("\n"), False, len(text), 0)
    result = _outcome(lambda: parse_raw(raw))
    if isinstance(result, Document):
        assert result.format == FORMAT
        assert result.sections
        for section in result.sections:
            assert section.key.startswith(KEY_PREFIX)
            first = result.line(section.stdout.first_line)
            assert first in ("success: true", "success: false")
