"""Chunked suspicious-line scanning finds exactly what one pass over each section finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from triagebench.heuristics import suspicious
from triagebench.parser import parse_file

SAMPLE = (Path(__file__).resolve().parent.parent / "sample-diagnostics"
          / "s18-s21-dns-ntp-vpn-clock-in-past-cm4-2.85.2.txt")


def test_chunk_size_does_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = parse_file(str(SAMPLE))
    whole = suspicious.suspicious_lines(doc)
    assert len(whole) > 50
    for size in (1, 7, 500):
        monkeypatch.setattr(suspicious, "CHUNK_LINES", size)
        assert suspicious.suspicious_lines(doc) == whole
