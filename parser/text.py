"""Text hygiene shared by everything that reads or prints diagnostics lines.

Diagnostics text is untrusted: it may carry ANSI colour, cursor movement, OSC 52
(clipboard) or OSC 8 (hyperlink) sequences, NULs, carriage returns, backspaces,
and Unicode bidi controls that reorder what a reader sees ("Trojan Source").
``plain_text`` is what heuristics match against; ``printable`` is what may be
written to a terminal (every control character, ESC, C1 and bidi control shown
escaped); ``clipboard_safe`` is what may be put on the clipboard (a pasted line
must not carry a CR, BS or BEL into the user's shell).
"""

from __future__ import annotations

import re

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC (ESC P/X/^/_ ... ST),
# and two-character escapes (ESC + one byte).
ESCAPE_RE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
# One SGR parameter that may be rendered: anything but 8 (concealed: hides text). The
# 256-colour / true-colour forms (38;5;N, 48;2;R;G;B, ...) are read whole so their
# numbers are not taken for parameters, and a plain 38/48/58 is refused where such a
# form starts, so every sequence parses one way only (no backtracking blow-up).
_SGR_PARAM = (r"(?:[345]8;5;\d{1,3}|[345]8;2;\d{1,3};\d{1,3};\d{1,3}"
              r"|0{0,2}[0-79]|(?![345]8;[25];)[1-9]\d{1,2}|)")
SGR_RE = re.compile(rf"\x1b\[({_SGR_PARAM}(?:;{_SGR_PARAM})*)m")
"""An SGR sequence safe to render as style (never SGR 8): the log view keeps these and
shows every other escape sequence escaped."""
ANY_SGR_RE = re.compile(r"(?:\x1b\[|\x9b)[0-9;:]*m")
# Bidi embedding/override/isolate controls and marks, plus the Unicode line and
# paragraph separators (a terminal may break the line there).
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL_RE = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_BIDI}\u2028\u2029]")


def plain_text(text: str) -> str:
    """Strip escape sequences, NUL bytes and a trailing carriage return."""
    if "\x1b" in text or "\x9b" in text:
        text = ESCAPE_RE.sub("", text)
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text[:-1] if text.endswith("\r") else text


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char == "\x1b":
        return "\\e"
    if char == "\r":
        return "\\r"
    if char == "\x00":
        return "\\0"
    if code > 0xFF:
        return f"\\u{code:04x}"
    return f"\\x{code:02x}"


def printable(text: str, keep_tabs: bool = True) -> str:
    """Text safe to print: every control character (C0, ESC, DEL, C1) and bidi control
    shown escaped (``\\e``, ``\\r``, ``\\x07``, ``\\u202e``). ``\\n`` is kept (callers print
    one line at a time or want the line breaks), and tabs unless ``keep_tabs`` is false."""
    if keep_tabs:
        return _CONTROL_RE.sub(_escape_char, text)
    return _CONTROL_RE.sub(_escape_char, text.replace("\t", "\\t"))


def has_controls(text: str) -> bool:
    return _CONTROL_RE.search(text) is not None


def clipboard_safe(text: str) -> str:
    """Text for the clipboard: what the log view shows, minus colour.

    SGR colour sequences are removed (styling means nothing in a paste); a line's
    trailing ``\\r`` (CRLF files) is dropped; every other escape sequence and control
    character (CR, BS, BEL, ESC, C1, bidi controls) is written escaped, so pasting
    into a shell can neither run a command early nor hide part of the line. Line
    breaks and tabs are kept.
    """
    out = []
    for line in text.split("\n"):
        if line.endswith("\r"):
            line = line[:-1]
        if "\x1b" in line or "\x9b" in line:
            line = ANY_SGR_RE.sub("", line)
        out.append(printable(line))
    return "\n".join(out)
