"""Limits for heuristic files, which are untrusted input too (issue #18).

A heuristic file may come from anyone's ``--heuristics`` folder or drafts. Each
check here returns a one-line problem (or ``None``) that the loader reports as a
lint error for that file alone, so one bad file is skipped and never kills the
run:

* ``regex_problem``: a pattern over ``MAX_PATTERN_CHARS`` characters, with more
  than ``MAX_BRANCHES`` alternatives, or whose nested counted repeats multiply
  past ``MAX_REPEAT_PRODUCT`` (``(a{1000}){1000}`` made the ``regex`` module
  allocate over 10 GB at compile time; a 200,000-word alternation added 65 s to
  every scan). Checked on the text, before anything is compiled.
* ``threshold_problem``: a comparator number over ``MAX_THRESHOLD_DIGITS`` digits,
  beyond ``MAX_THRESHOLD``, or not finite (a 400-digit TOML integer raised
  ``OverflowError`` in the comparison).
* ``nesting_problem``: TOML data nested deeper than ``MAX_TOML_DEPTH`` (walked
  without recursion; ``tomllib`` itself raising ``RecursionError`` on 500 levels is
  caught by the loader).
* ``permalink_problem``: an http(s) URL with a real host name, printable ASCII
  only, none of the characters that break out of a Markdown link or an HTML
  attribute, and balanced parentheses.
"""

from __future__ import annotations

import ipaddress
import math
import re
from typing import Any
from urllib.parse import urlsplit

MAX_PATTERN_CHARS = 8_192
MAX_BRANCHES = 1_000
MAX_REPEAT_PRODUCT = 10_000
MAX_THRESHOLD_DIGITS = 30
MAX_THRESHOLD = 1e15
MAX_TOML_DEPTH = 32
MAX_PERMALINK_CHARS = 2_048
# Every search of a heuristic regex (a signal, a ``matches`` comparator) reads at most this
# many characters of a line: a 10 MB line costs what a 4 kB one does.
LINE_CAP = 4096

_COUNTED_REPEAT_RE = re.compile(r"\{(\d*)(?:,(\d*))?\}")
_HOST_LABEL_RE = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_TLD_RE = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,62}(?<!-)")
# Printable ASCII minus what breaks a Markdown link or an HTML attribute, or is
# never valid unencoded in a URL (RFC 3986): space, quotes, angle brackets,
# backtick, backslash, braces, pipe, caret.
_URL_FORBIDDEN = set(" \"'<>`\\{}|^")


def regex_problem(pattern: str) -> str | None:
    """Why ``pattern`` is too costly to compile or run, or None."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"pattern is {len(pattern):,} characters (limit {MAX_PATTERN_CHARS:,})"
    branches, product = _shape(pattern)
    if branches > MAX_BRANCHES:
        return f"pattern has {branches:,} alternatives (limit {MAX_BRANCHES:,})"
    if product > MAX_REPEAT_PRODUCT:
        return (f"counted repeats multiply to {product:,} copies (limit {MAX_REPEAT_PRODUCT:,}): "
                "nest fewer or smaller {n} repeats")
    return None


def _shape(pattern: str) -> tuple[int, int]:
    """(alternatives, largest product of nested counted-repeat bounds), in one pass.

    A conservative reading of the syntax: escapes and character classes are
    skipped, a ``{n,m}`` after an atom multiplies that atom's weight by its
    larger bound, and a group's weight is the largest weight inside it.
    """
    branches = 1
    stack = [1]  # the largest weight inside each open group
    last = 1  # weight of the atom just read (what a following {n} repeats)
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\":
            i += 2
            last = 1
            continue
        if char == "[":
            i = _class_end(pattern, i)
            last = 1
            continue
        if char == "(":
            stack.append(1)
            last = 1
        elif char == ")":
            inner = stack.pop() if len(stack) > 1 else 1
            last = inner
            stack[-1] = max(stack[-1], inner)
        elif char == "|":
            branches += 1
        elif char == "{":
            match = _COUNTED_REPEAT_RE.match(pattern, i)
            if match and (match.group(1) or match.group(2)):
                low = int(match.group(1)[:9] or 0)
                high = int(match.group(2)[:9]) if match.group(2) else low
                last *= max(low, high, 1)
                stack[-1] = max(stack[-1], last)
                i = match.end()
                continue
            last = 1
        else:
            last = 1
        i += 1
    return branches, max(stack)


def _class_end(pattern: str, start: int) -> int:
    """Index just past the character class opening at ``start``."""
    i = start + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "]":
            return i + 1
        i += 1
    return i


def threshold_problem(value: Any) -> str | None:
    """Why a comparator's number is out of range, or None (non-numbers pass)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        # Never str() a huge int: over 4,300 digits that raises ValueError itself.
        if abs(value) > MAX_THRESHOLD:
            return f"number is out of range (limit {MAX_THRESHOLD:g})"
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return f"{value!r} is not a finite number"
        if abs(value) > MAX_THRESHOLD:
            return f"number {value:g} is out of range (limit {MAX_THRESHOLD:g})"
        return None
    if isinstance(value, str):
        digits = sum(c.isdigit() for c in value)
        if digits > MAX_THRESHOLD_DIGITS:
            return f"{value[:20]!r}… has {digits} digits (limit {MAX_THRESHOLD_DIGITS})"
        if value.strip().lower().lstrip("+-") in ("nan", "inf", "infinity"):
            return f"{value!r} is not a finite number"
    return None


def nesting_problem(data: Any) -> str | None:
    """Why parsed TOML is nested too deep, or None (iterative walk)."""
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_TOML_DEPTH:
            return f"tables/arrays nested over {MAX_TOML_DEPTH} levels deep"
        if isinstance(value, dict):
            pending.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            pending.extend((child, depth + 1) for child in value)
    return None


def permalink_problem(url: Any) -> str | None:
    """Why ``url`` is not a safe http(s) permalink, or None."""
    if not isinstance(url, str) or not url:
        return "must be an http(s) URL"
    if len(url) > MAX_PERMALINK_CHARS:
        return f"is {len(url):,} characters long (limit {MAX_PERMALINK_CHARS:,})"
    for char in url:
        code = ord(char)
        if code < 0x21 or code == 0x7F:
            return f"contains a control or space character (U+{code:04X})"
        if code > 0x7E:
            return (f"contains the non-ASCII character U+{code:04X} (zero-width, bidi, C1 or "
                    "look-alike characters are not allowed; percent-encode it)")
        if char in _URL_FORBIDDEN:
            return f"contains {char!r}, which is not allowed in a permalink"
    depth = 0
    for char in url:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return "has a ')' that closes nothing"
    if depth:
        return "has an unclosed '('"
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced '[' / ']' (IPv6 brackets)
        return "has a malformed host or port"
    if parts.scheme not in ("http", "https") or not url.startswith(("http://", "https://")):
        return "must be an http(s) URL (starting with https:// or http://)"
    if "@" in parts.netloc:
        return "must not carry a user name (user@host hides the real host)"
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return "has a malformed host or port"
    if not host:
        return "has no host name"
    if _host_ok(host):
        return None
    return f"host {host!r} is not a valid domain name or IP address"


def _host_ok(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return True
    labels = host.rstrip(".").split(".")
    if len(labels) < 2 or not _TLD_RE.fullmatch(labels[-1]):
        return False
    return all(_HOST_LABEL_RE.fullmatch(label) for label in labels)


__all__ = [
    "LINE_CAP", "MAX_BRANCHES", "MAX_PATTERN_CHARS", "MAX_REPEAT_PRODUCT", "MAX_THRESHOLD",
    "MAX_THRESHOLD_DIGITS", "MAX_TOML_DEPTH", "nesting_problem", "permalink_problem",
    "regex_problem", "threshold_problem",
]
