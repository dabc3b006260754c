"""Turning one untrusted diagnostics line into safe, styled Rich ``Text``.

Nothing from the file reaches the terminal raw: ANSI SGR colour codes become Rich
styles, every other escape sequence (OSC 52 clipboard, OSC 8 hyperlinks, cursor
movement, ...) and control character (``\\r``, NUL, ...) is shown escaped, e.g.
``\\e]52;c;aGVsbG8=\\x07``. Sections whose output is JSON or ``key=value`` text
are highlighted with Pygments, lexed once per section and cached by the widget.
No Textual imports here, so this is unit-testable on its own.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from triagebench.parser.text import ESCAPE_RE, SGR_RE, printable

if TYPE_CHECKING:
    from pygments.lexer import Lexer

# Pygments, rich.syntax and the heuristics package are imported on first use (the
# first JSON section shown, the first line judged): not on the app's first frame.

MAX_RENDER_CHARS = 4_000
"""Characters of a line that are styled and rendered; the rest is cut (``line_detail`` has all)."""

MAX_SYNTAX_CHARS = 400_000
"""Sections with more output than this are not syntax highlighted."""

TAB_SIZE = 8

def load_judge() -> Callable[[str], bool]:
    """The test for lines that look like an error: the one vocabulary (with its benign
    list) of ``heuristics.suspicious``. Importing and compiling it costs ~20 ms (more
    while the loading worker holds the GIL), so the log view calls this in a thread
    worker rather than on the frame that first shows the file."""
    from triagebench.heuristics.suspicious import default_rules

    return default_rules().is_suspicious


def safe_ansi(raw: str) -> str:
    """Keep SGR colour sequences, show every other escape / control char escaped."""
    out: list[str] = []
    pos = 0
    for match in ESCAPE_RE.finditer(raw):
        out.append(printable(raw[pos:match.start()]))
        sequence = match.group()
        out.append(sequence if SGR_RE.fullmatch(sequence) else printable(sequence))
        pos = match.end()
    out.append(printable(raw[pos:]))
    return "".join(out)


def line_text(raw: str, spans: list[tuple[int, int, Style]] | None = None) -> Text:
    """Safe styled ``Text`` for one raw line (tabs expanded, capped length).

    ``spans`` (syntax highlighting, offsets into the raw line) apply only to
    lines without escapes or control characters, where the offsets line up.

    A single trailing ``\\r`` (CRLF files) is dropped rather than shown on every
    line; any other ``\\r`` is shown escaped.
    """
    if raw.endswith("\r"):
        raw = raw[:-1]
    if len(raw) > MAX_RENDER_CHARS:
        raw = raw[:MAX_RENDER_CHARS]
    if "\x1b" in raw or "\x9b" in raw:
        text = Text.from_ansi(safe_ansi(raw), tab_size=TAB_SIZE, end="")
        text.expand_tabs(TAB_SIZE)
        return text
    text = Text(printable(raw), end="")
    if spans and text.plain == raw:
        for start, end, style in spans:
            text.stylize(style, start, end)
    if "\t" in raw:
        text.expand_tabs(TAB_SIZE)
    return text


# -- syntax highlighting per section ---------------------------------------
JSON_COMMANDS = re.compile(
    r"^(?:balena|docker|balena-engine) (?:network |volume )?inspect\b"
    r"|^cat /mnt/(?:boot|conf|data-disk)/(?:config|device-type)\.json\b"
)
KEY_VALUE_COMMANDS = re.compile(r"^cat /etc/os-release\b|^cat /mnt/boot/config\.txt\b")


def lexer_for(command: str) -> Lexer | None:
    """The Pygments lexer for a section's output, or None for plain text."""
    if JSON_COMMANDS.search(command):
        from pygments.lexers import JsonLexer

        return JsonLexer()
    if KEY_VALUE_COMMANDS.search(command):
        from pygments.lexers import IniLexer

        return IniLexer()
    return None


Spans = dict[int, list[tuple[int, int, Style]]]
"""File line number -> (start, end, style) spans within that raw line."""


def syntax_spans(lines: list[str], first_line: int, count: int, lexer: Lexer,
                 dark: bool = True) -> Spans:
    """Lex ``count`` lines starting at file line ``first_line``; spans per line."""
    body = lines[first_line - 1:first_line - 1 + count]
    text = "\n".join(body)
    if len(text) > MAX_SYNTAX_CHARS:
        return {}
    from pygments.token import Text as TextToken
    from pygments.token import Whitespace
    from rich.syntax import Syntax

    theme = Syntax.get_theme("ansi_dark" if dark else "ansi_light")
    starts = [0]
    for line in body[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    spans: Spans = {}
    for pos, token_type, value in lexer.get_tokens_unprocessed(text):
        if token_type in TextToken or token_type in Whitespace or not value.strip():
            continue
        style = theme.get_style_for_token(token_type)
        if not style:
            continue
        end = pos + len(value)
        index = bisect_right(starts, pos) - 1
        while index < len(starts) and starts[index] < end:
            line_start = starts[index]
            line_end = line_start + len(body[index])
            a, b = max(pos, line_start) - line_start, min(end, line_end) - line_start
            if b > a:
                spans.setdefault(first_line + index, []).append((a, b, style))
            index += 1
    return spans
