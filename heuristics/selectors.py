"""The one section-selector resolver: which sections a signal's ``in`` names.

A selector is one of:

* ``*``                 every section;
* ``category:NAME``     every section of that category (``category:NETWORK``;
                        NAME is case-insensitive);
* a glob                a key containing ``*``, ``?`` or ``[`` is matched
                        fnmatch-style against each section *key*, case-sensitively
                        (``*`` spans anything, spaces included: ``journalctl *``);
* an exact key          e.g. ``dmesg -T`` or ``balena logs {id}``. A selector
                        equal to a key always matches that key, even when it
                        contains glob characters.

In a ``plain-log`` document (a file without section headers: one section with key
``log``) every selector matches that one section: the command that produced the
text is unknown, so a plain journal still gets findings.

The TUI, the evaluator, the linter and the draft writer all resolve through
``resolve`` / ``selector_matches`` so they can never disagree.
"""

from __future__ import annotations

import fnmatch
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import lru_cache

from triagebench.parser import Document, Section

GLOB_CHARS = frozenset("*?[")
PLAIN_LOG = "plain-log"
STAR_SCAN_SECTIONS = 20_000
"""Up to this many sections, a glob of literals and ``*`` is tested against each key with
string operations (``star_match``); past it, all of a list's globs become one regex
scanned over the joined keys (``_line_globs``: C speed for 100,000 headers, but
compiling one regex per distinct list cost ~10 ms of a 10k-line file's analysis)."""


@lru_cache(maxsize=4096)
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(pattern), re.DOTALL)


def star_parts(glob: str) -> tuple[str, ...] | None:
    """The literal parts around a glob's ``*``s, or None when it has ``?`` or ``[``."""
    if "?" in glob or "[" in glob:
        return None
    return tuple(glob.split("*"))


def star_match(parts: tuple[str, ...], key: str) -> bool:
    """``fnmatch.fnmatchcase(key, glob)`` for a glob of literals and ``*`` only (``parts``
    from ``star_parts``): the first part starts the key, the last ends it, and the ones
    between appear in order, each as early as it can (which is enough for ``*``)."""
    if len(parts) == 1:
        return key == parts[0]
    head, tail = parts[0], parts[-1]
    if len(key) < len(head) + len(tail) or not key.startswith(head) or not key.endswith(tail):
        return False
    position, end = len(head), len(key) - len(tail)
    for middle in parts[1:-1]:
        if middle:
            found = key.find(middle, position, end)
            if found < 0:
                return False
            position = found + len(middle)
    return True


def selector_problem(selector: str) -> str | None:
    """Why a selector is malformed (for the linter), or None."""
    if not isinstance(selector, str) or not selector.strip():
        return "a selector must be a non-empty string"
    if selector != selector.strip():
        return f"selector {selector!r} has leading/trailing spaces (keys keep the header's spacing; use a glob)"
    if selector.startswith("category:") and not selector[len("category:"):].strip():
        return "'category:' needs a category name"
    return None


def selector_matches(selector: str, key: str, category: str | None) -> bool:
    """Does one selector name a section with this key and category?"""
    if selector == "*" or selector == key:
        return True
    if selector.startswith("category:"):
        return category is not None and category.upper() == selector[9:].strip().upper()
    if GLOB_CHARS.intersection(selector):
        return _glob(selector).match(key) is not None
    return False


def matches_any(selectors: Iterable[str], key: str, category: str | None) -> bool:
    return any(selector_matches(s, key, category) for s in selectors)


def resolve(selectors: Sequence[str], document: Document,
            index: KeyIndex | None = None) -> list[Section]:
    """Sections named by any of ``selectors``, in document order, each once
    (``index``: the document's ``KeyIndex``, when the caller resolves many lists)."""
    sections = document.sections
    if document.format == PLAIN_LOG:
        return list(sections)
    if "*" in selectors:
        return list(sections)
    exact = [s for s in selectors if not GLOB_CHARS.intersection(s) and not s.startswith("category:")]
    if len(exact) == len(selectors):
        found: list[Section] = []
        for key in exact:
            found.extend(document.sections_by_key(key))
        found = list({s.index: s for s in found}.values())
        found.sort(key=lambda s: s.index)
        return found
    if index is None:
        index = KeyIndex(document)
    globs = [s for s in selectors if not s.startswith("category:") and GLOB_CHARS.intersection(s)]
    by_stars = len(sections) <= STAR_SCAN_SECTIONS and all(
        star_parts(glob) is not None for glob in globs)
    combined = _line_globs(tuple(globs)) if globs and not by_stars else None
    if globs and not by_stars and combined is None:
        return [s for s in sections if matches_any(selectors, s.key, s.category)]
    chosen: set[int] = set()
    for selector in selectors:
        chosen.update(index.by_key.get(selector, ()))
        if selector.startswith("category:"):
            chosen.update(index.by_category.get(selector[9:].strip().upper(), ()))
    if by_stars:
        for glob in globs:
            chosen.update(index.star_matches(glob))
    elif combined is not None:
        starts = index.starts
        for match in combined.finditer(index.blob):
            chosen.add(bisect_right(starts, match.start()) - 1)
    return [sections[i] for i in sorted(chosen)]


class KeyIndex:
    """One document's section keys, for resolving many selector lists: key and category
    lookups; each ``*``-only glob's matches, computed once (``star_matches``, the path for
    files up to ``STAR_SCAN_SECTIONS`` sections); and the keys as one newline-joined text,
    so on bigger files a list of globs is one C-speed regex scan instead of a Python test
    per section (a file with 100,000 headers resolved 41 lists in 4 s before)."""

    __slots__ = ("blob", "by_category", "by_key", "keys", "star", "starts")

    def __init__(self, document: Document):
        self.keys = [section.key for section in document.sections]
        self.star: dict[str, list[int]] = {}  # glob -> indices of the keys it matches
        self.starts: list[int] = []
        self.by_key: dict[str, list[int]] = {}
        self.by_category: dict[str, list[int]] = {}
        pos = 0
        for i, section in enumerate(document.sections):
            self.starts.append(pos)
            pos += len(section.key) + 1
            self.by_key.setdefault(section.key, []).append(i)
            if section.category is not None:
                self.by_category.setdefault(section.category.upper(), []).append(i)
        self.blob = "\n".join(s.key for s in document.sections)

    def star_matches(self, glob: str) -> list[int]:
        """Indices of the keys a ``*``-only glob matches (``star_match``), once per glob."""
        found = self.star.get(glob)
        if found is None:
            parts = star_parts(glob)
            assert parts is not None
            found = self.star[glob] = [i for i, key in enumerate(self.keys)
                                       if star_match(parts, key)]
        return found


@lru_cache(maxsize=1024)
def _line_globs(globs: tuple[str, ...]) -> re.Pattern[str] | None:
    """The globs as one multi-line regex matching whole keys of ``KeyIndex.blob``, or
    None when a glob's translation could cross a line (a negated class ``[!x]``)."""
    bodies = []
    for glob in globs:
        translated = fnmatch.translate(glob)
        if not (translated.startswith("(?s:") and translated.endswith(")\\Z")) or "[^" in translated:
            return None
        bodies.append(translated[4:-3])  # without DOTALL, so ``.`` never crosses a key
    return re.compile("^(?:" + "|".join(f"(?:{b})" for b in bodies) + ")$", re.MULTILINE)


class Resolver:
    """Resolves selector lists against one document, each distinct list once."""

    def __init__(self, document: Document):
        self.document = document
        self._cache: dict[tuple[str, ...], list[Section]] = {}
        self._index: KeyIndex | None = None

    def __call__(self, selectors: Sequence[str]) -> list[Section]:
        key = tuple(selectors)
        found = self._cache.get(key)
        if found is None:
            if self._index is None:
                self._index = KeyIndex(self.document)
            found = resolve(key, self.document, self._index)
            self._cache[key] = found
        return found


__all__ = ["Resolver", "matches_any", "resolve", "selector_matches", "selector_problem",
           "star_match", "star_parts"]
