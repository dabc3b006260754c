"""The log view's pure helpers: row maps, chunked scans, safe ANSI and syntax spans."""

from __future__ import annotations

from array import array

import pytest
from pygments.lexers import JsonLexer
from triagebench.tui.widgets.log_index import (
    RowMap,
    ScanCancelled,
    compile_pattern,
    count_between,
    intersect_sorted,
    next_in,
    prev_in,
    scan_lines,
)
from triagebench.tui.widgets.log_render import (
    lexer_for,
    line_text,
    safe_ansi,
    syntax_spans,
)


def test_rowmap_over_ranges_maps_rows_to_file_lines_both_ways() -> None:
    rows = RowMap([(10, 12), (20, 21)])
    assert len(rows) == 5
    assert [rows.line_at(r) for r in range(5)] == [10, 11, 12, 20, 21]
    assert rows.row_of(20) == 3 and rows.row_of(15) is None
    assert rows.row_at_or_after(15) == 3 and rows.row_at_or_after(99) == 5
    assert rows.nearest_row(99) == 4
    with pytest.raises(IndexError):
        rows.line_at(5)


def test_rowmap_over_an_array() -> None:
    rows = RowMap.from_lines(array("I", [3, 7, 9]))
    assert [rows.line_at(r) for r in range(3)] == [3, 7, 9]
    assert rows.row_of(7) == 1 and rows.row_of(8) is None
    assert rows.row_at_or_after(8) == 2


def test_scan_matches_plain_text_in_chunks_and_can_invert() -> None:
    lines = [f"line {i}" for i in range(1, 12_001)]
    lines[41] = "\x1b[31mERR\x1b[0mOR here"  # ANSI splits the word; plain text still matches
    rows = RowMap([(1, len(lines))])
    found = scan_lines(lines, rows, compile_pattern("error"))
    assert list(found) == [42]
    assert len(scan_lines(lines, rows, compile_pattern("error"), invert=True)) == 11_999
    assert list(scan_lines(lines, RowMap([(40, 45)]), compile_pattern("line 4[0-4]$"))) == [
        40, 41, 43, 44]
    literal = compile_pattern("line 1.", regex_mode=False)
    assert list(scan_lines(lines, rows, literal)) == []
    sensitive = compile_pattern("LINE", case_sensitive=True)
    assert list(scan_lines(lines, rows, sensitive)) == []


def test_scan_stops_when_cancelled() -> None:
    lines = ["x"] * 20_000
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(ScanCancelled):
        scan_lines(lines, RowMap([(1, 20_000)]), compile_pattern("x"), cancelled=cancelled)


def test_sorted_helpers() -> None:
    values = array("I", [5, 10, 15])
    assert next_in(values, 5) == 10 and next_in(values, 15) is None
    assert prev_in(values, 5) is None and prev_in(values, 11) == 10
    assert count_between(values, 5, 14) == 2
    assert list(intersect_sorted(values, array("I", range(0, 100, 5)))) == [5, 10, 15]
    assert list(intersect_sorted(array("I", [1, 2]), values)) == []


def test_safe_ansi_keeps_colour_and_escapes_everything_else() -> None:
    raw = "\x1b[31mred\x1b[0m \x1b]52;c;aGVsbG8=\x07 \x1b[2J\x1b[H \x9b1A bell\x07"
    safe = safe_ansi(raw)
    assert safe.startswith("\x1b[31mred\x1b[0m ")
    assert "\\e]52;c;aGVsbG8=\\x07" in safe and "\\e[2J\\e[H" in safe and "\\x9b" in safe
    text = line_text(raw)
    assert "\x1b" not in text.plain and "\x07" not in text.plain
    assert text.plain.startswith("red ")
    assert line_text("a\tb\r").plain == "a       b"


def test_json_sections_get_token_spans() -> None:
    lines = ["header", "{", '  "Id": "abc",', '  "Running": true', "}"]
    spans = syntax_spans(lines, 2, 4, JsonLexer())
    assert spans[3] and {(a, b) for a, b, _ in spans[3]} >= {(2, 6), (8, 13)}
    assert lexer_for("balena inspect $(balena ps --all --quiet | tr \"\\n\" \" \")")
    assert lexer_for("cat /etc/os-release") and lexer_for("balena ps -a") is None
