"""The one Markdown escaper: every Markdown output (report, scan, fleet) builds text here.

Text from a diagnostics file is untrusted: it goes through ``plain_text`` and
``printable`` (escape sequences and C0/C1 controls shown escaped, never raw,
newlines included), and then either

* ``md_escape``: inline prose, Markdown specials (emphasis, links, code, tables,
  HTML tags) backslash-escaped;
* ``code_span``: inline code whose delimiter is longer than any backtick run inside,
  so a file name or line full of backticks cannot break out;
* ``fenced``: a code block whose fence no line inside can close;
* ``cell``: a table cell (``md_escape`` plus no ``|`` splitting);
* ``safe_url``: a link target, http(s) only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote, urlsplit

from triagebench.parser import plain_text, printable

MAX_LINE_CHARS = 400

_BACKTICKS_RE = re.compile(r"`+")
_MD_SPECIAL_RE = re.compile(r"([\\`*\[\]<|])|(?<!\w)_|_(?!\w)")


def safe_text(text: str, limit: int | None = MAX_LINE_CHARS) -> str:
    """One line of untrusted text made printable (no escape sequences, no newlines)."""
    text = printable(plain_text(text)).replace("\n", "\\n")  # a name may hold a newline
    return text if limit is None or len(text) <= limit else text[:limit] + " …"


def md_escape(text: str) -> str:
    """Escape the Markdown characters that would change how ``text`` renders
    (emphasis, links, code, tables, HTML tags); word-internal ``_`` and ``>`` (harmless
    without a ``<``) are left alone so plain-text readers see ``a->b``, not ``a-\\>b``."""
    return _MD_SPECIAL_RE.sub(lambda m: "\\" + m.group(0), safe_text(text))


def cell(text: str) -> str:
    """``text`` for a table cell: escaped, on one line."""
    return md_escape(text)


def code_span(text: str) -> str:
    """``text`` as inline code, with a delimiter longer than any backtick run inside."""
    text = safe_text(text)
    longest = max((len(run) for run in _BACKTICKS_RE.findall(text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fenced(lines: Sequence[str], info: str = "text") -> str:
    """A fenced code block whose fence no line inside can close (lines made safe)."""
    lines = [safe_text(line, None) for line in lines]
    longest = max((len(run) for line in lines for run in _BACKTICKS_RE.findall(line)), default=0)
    fence = "`" * max(3, longest + 1)
    return "\n".join([f"{fence}{info}", *lines, fence])


def safe_url(url: str | None) -> str | None:
    """``url`` if it is http(s), with characters that would break a Markdown link quoted."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=":/?#@!$&'*+,;=%-._~")


_NON_HTTP_LINK_RE = re.compile(r"\]\((?!\s*https?://)")
_NON_HTTP_REF_DEF_RE = re.compile(r"^(\s{0,3})\[(?=[^\]\n]*\]:[ \t]*+(?!https?://))", re.MULTILINE)


def author_text(text: str) -> str:
    """Heuristic-author text (description, remedy): Markdown kept, HTML tags (``<``),
    control characters and links to anything but http(s) (``[x](javascript:...)``,
    ``[x]: file:...``) neutralised. Titles are one line of plain text: ``md_escape``."""
    text = printable(text.strip(), keep_tabs=True)
    text = text.replace("<", "\\<")
    text = _NON_HTTP_LINK_RE.sub("\\](", text)
    return _NON_HTTP_REF_DEF_RE.sub(lambda m: m.group(1) + "\\[", text)


__all__ = ["author_text", "cell", "code_span", "fenced", "md_escape", "safe_text", "safe_url"]
