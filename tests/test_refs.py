"""Line references: formatting, parsing every accepted form, resolving, clear errors.

Also home of ``diagnostics_text``, a small file in the real diagnose 4.2x layout that
the session and report tests reuse.
"""

from __future__ import annotations

import datetime as dt

import pytest
from triagebench.parser import parse_text
from triagebench.parser.refs import Ref, RefError, format_ref, parse_ref, resolve_ref

from tests.realdata import build

CAPTURED = dt.datetime(2022, 5, 2, 16, 3, 41, 105915, tzinfo=dt.UTC)


def diagnostics_text(container: str = "b96a5987452b", shift: list[str] | None = None,
                     extra: list[tuple[str, list[str]]] | None = None) -> str:
    """A small diagnostics file in the real layout (STDOUT:, banners, listing, sections,
    STDERR:). ``container`` changes the supervisor id (a re-capture); ``shift`` adds
    output lines to an earlier section so every later file line number moves; ``extra``
    appends (command, output lines) sections."""
    sections = [
        ("echo === BALENA ===", ["=== BALENA ==="]),
        ("balena --version", ["Docker version 19.03.30, build c41a2d5c1a", *(shift or [])]),
        (f"balena logs {container}", [
                                      "[\x1b[34minfo\x1b[39m]    Supervisor v12.11.0 starting up...",
                                      "[\x1b[31merror\x1b[39m]   LogBackend: unexpected error",
                                      "weird `backtick` and ```fence``` line"]),
        ("echo === OS ===", ["=== OS ==="]),
        ("cat /etc/os-release", ['ID="balena-os"', 'NAME="balenaOS"', 'VERSION="2.87.16+rev1"',
                                 'VERSION_ID="2.87.16+rev1"', 'PRETTY_NAME="balenaOS 2.87.16+rev1"',
                                 'BALENA_BOARD_REV="abc"', 'SLUG="raspberrypi3"',
                                 'MACHINE="raspberrypi3"', 'VARIANT="Production"']),
        ("cat /var/log/provisioning-progress.log", []),
        *(extra or []),
    ]
    provisioning = "cat /var/log/provisioning-progress.log"
    return build.diagnostics_text(
        sections, captured=CAPTURED, status={provisioning: 1},
        stderr={provisioning: ["cat: /var/log/provisioning-progress.log: No such file or directory"]})


def line_of(doc, needle: str) -> int:
    """The first file line containing ``needle``."""
    return next(n for n in range(1, doc.line_count + 1) if needle in doc.line(n))


@pytest.fixture()
def doc():
    return parse_text(diagnostics_text(), path="/tmp/somewhere/diag.txt")


def test_plain_reference_uses_the_base_name_and_round_trips(doc) -> None:
    line = line_of(doc, "LogBackend")
    text = format_ref(doc, line)
    assert text == f"diag.txt#L{line}"
    assert parse_ref(text) == Ref("diag.txt", line)
    assert resolve_ref(parse_ref(text), doc) == line


def test_stable_reference_names_the_section_key_not_the_container_id(doc) -> None:
    line = line_of(doc, "LogBackend")
    text = format_ref(doc, line, stable=True)
    assert text == "diag.txt#section=balena%20logs%20{id}&line=2"
    ref = parse_ref(text)
    assert (ref.file, ref.section_key, ref.section_line) == ("diag.txt", "balena logs {id}", 2)
    assert resolve_ref(ref, doc) == line


def test_stable_reference_survives_a_recapture_where_file_lines_moved(doc) -> None:
    line = line_of(doc, "LogBackend")
    ref = parse_ref(format_ref(doc, line, stable=True))
    recapture = parse_text(diagnostics_text(container="0123456789ab",
                                            shift=["new line 1", "new line 2"]))
    moved = resolve_ref(ref, recapture)
    assert moved == line + 2
    assert "LogBackend" in recapture.line(moved)
    # The plain form keeps the file line, which now shows something else.
    assert "LogBackend" not in recapture.line(resolve_ref(parse_ref(f"L{line}"), recapture))


def test_stable_reference_reaches_stderr_lines_after_stdout(doc) -> None:
    line = line_of(doc, "No such file or directory")
    text = format_ref(doc, line, stable=True)
    assert text.endswith("#section=cat%20/var/log/provisioning-progress.log&line=1")
    assert resolve_ref(parse_ref(text), doc) == line


def test_header_line_gets_a_section_reference_without_line(doc) -> None:
    header = line_of(doc, "--- cat /etc/os-release ---")
    text = format_ref(doc, header, stable=True)
    assert text == "diag.txt#section=cat%20/etc/os-release"
    assert resolve_ref(parse_ref(text), doc) == header


def test_non_output_lines_fall_back_to_file_line(doc) -> None:
    timestamp = line_of(doc, "2022-05-02 16:03:41")
    assert format_ref(doc, timestamp, stable=True) == f"diag.txt#L{timestamp}"
    assert format_ref(doc, 1, stable=True) == "diag.txt#L1"


@pytest.mark.parametrize("text,expected", [
    ("#L12", Ref(None, 12)),
    ("L12", Ref(None, 12)),
    ("l12", Ref(None, 12)),
    ("12", Ref(None, 12)),
    ("  diag.txt#12 ", Ref("diag.txt", 12)),
    ("dir/with#hash/diag.txt#L3", Ref("dir/with#hash/diag.txt", 3)),
    ("section=df%20-h&line=4", Ref(None, None, "df -h", 4)),
    ("x.txt#section=a%26b%3Dc%23d&occurrence=2&line=1", Ref("x.txt", None, "a&b=c#d", 1, 2)),
    ("diag.txt", Ref("diag.txt", 1)),
])
def test_accepted_forms(text: str, expected: Ref) -> None:
    assert parse_ref(text) == expected


def test_keys_with_reserved_characters_round_trip() -> None:
    ref = Ref("f.txt", None, "echo a&b=c #d 100%", 7)
    assert parse_ref(str(ref)) == ref
    assert " " not in str(ref) and "|" not in str(ref)


@pytest.mark.parametrize("text,message", [
    ("", "empty line reference"),
    ("diag.txt#L0", "must be a positive whole number"),
    ("diag.txt#Lx", "is not a line reference"),
    ("diag.txt#section=df&line=-1", "must be a positive whole number"),
    ("diag.txt#section=df&col=3", "unexpected 'col=3'"),
    ("diag.txt#section=&line=3", "section key is empty"),
])
def test_malformed_references_get_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(RefError, match=message) as info:
        parse_ref(text)
    assert "\n" not in str(info.value)


def test_reference_into_a_missing_section_says_so(doc) -> None:
    with pytest.raises(RefError) as info:
        resolve_ref(parse_ref("diag.txt#section=balena%20ps%20-a&line=3"), doc)
    assert str(info.value) == "section 'balena ps -a' is not in diag.txt"


def test_reference_past_the_end_gives_the_line_count(doc) -> None:
    with pytest.raises(RefError) as info:
        resolve_ref(parse_ref("L99999"), doc)
    assert str(info.value) == f"line 99,999 is past the end of diag.txt ({doc.line_count:,} lines)"


def test_reference_past_the_end_of_a_section(doc) -> None:
    with pytest.raises(RefError, match=r"line 40 is past the end of section 'cat /etc/os-release' "
                                       r"in diag.txt \(9 output lines\)"):
        resolve_ref(parse_ref("#section=cat%20/etc/os-release&line=40"), doc)


def test_every_line_round_trips_in_both_forms(doc) -> None:
    for line in range(1, doc.line_count + 1):
        for stable in (False, True):
            assert resolve_ref(parse_ref(format_ref(doc, line, stable)), doc) == line


def test_plain_log_has_one_section_keyed_log() -> None:
    doc = parse_text("alpha\nbeta\ngamma\n", path="app.log")
    assert format_ref(doc, 2, stable=True) == "app.log#section=log&line=2"
    assert resolve_ref(parse_ref("app.log#section=log&line=3"), doc) == 3
