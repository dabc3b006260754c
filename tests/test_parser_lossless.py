"""Property: every line of any input belongs to exactly one place, and the text round-trips."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from triagebench.parser import parse_text

from tests.test_parser_traps import SECTIONS, make_file

BASE = make_file(SECTIONS, stderr={"balena --version": ["warning: x"]})
BASE_LINES = BASE.split("\n")

line_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
tricky = st.sampled_from([
    "", "--- balena --version ---", "--- COMMANDS ---", "STDERR:", "STDOUT:", "real\t0m 0.01s",
    "user\t0m 0.00s", "sys\t0m 0.00s", "2022-05-02 16:03:41.105915487+00:00", "OKreal\t0m 0.38s",
    "Command exited with non-zero status 1", "--- google.co.uk ping statistics ---",
    "echo === OS ===", "\x1b[31merror\x1b[39m", "\r", "\x00", "a\rb", "\x0c\u2028\x85",
])


def check(text: str) -> None:
    doc = parse_text(text)
    assert doc.text() == text
    covered: list[int] = []
    for first, last, _kind, _index in doc.places:
        assert first <= last
        covered.extend(range(first, last + 1))
    assert covered == list(range(1, doc.line_count + 1))
    for section in doc.sections:
        for number in section.output_line_numbers():
            place = doc.place_of(number)
            assert place is not None and place[3] == section.index


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(line_text, tricky), max_size=60), st.booleans())
def test_generated_text_is_lossless(lines: list[str], final_newline: bool) -> None:
    check("\n".join(lines) + ("\n" if final_newline else ""))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_real_layout_is_lossless(data: st.DataObject) -> None:
    lines = list(BASE_LINES)
    for _ in range(data.draw(st.integers(0, 8))):
        op = data.draw(st.sampled_from(["delete", "insert", "replace", "truncate"]))
        at = data.draw(st.integers(0, max(len(lines) - 1, 0)))
        if op == "delete" and lines:
            del lines[at]
        elif op == "insert":
            lines.insert(at, data.draw(st.one_of(line_text, tricky)))
        elif op == "replace" and lines:
            lines[at] = data.draw(st.one_of(line_text, tricky))
        elif op == "truncate":
            lines = lines[:at]
    check("\n".join(lines))
