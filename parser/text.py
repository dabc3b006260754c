"""Text hygiene shared by everything that reads or prints diagnostics lines.

Diagnostics text is untrusted: it may carry ANSI colour, cursor movement, OSC 52
(clipboard) or OSC 8 (hyperlink) sequences, NULs and carriage returns.
``plain_text`` is what heuristics match against; ``printable`` is what may be
written to a terminal (every control character shown escaped).
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
SGR_RE = re.compile(r"\x1b\[([0-9;]*)m")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


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
    return f"\\x{code:02x}"


def printable(text: str, keep_tabs: bool = True) -> str:
    """Text safe to print: every control character (ESC included) shown escaped."""
    if keep_tabs:
        return _CONTROL_RE.sub(_escape_char, text)
    return _CONTROL_RE.sub(_escape_char, text.replace("\t", "\\t"))


def has_controls(text: str) -> bool:
    return _CONTROL_RE.search(text) is not None
