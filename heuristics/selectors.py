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
from collections.abc import Iterable, Sequence
from functools import lru_cache

from triagebench.parser import Document, Section

GLOB_CHARS = frozenset("*?[")
PLAIN_LOG = "plain-log"


@lru_cache(maxsize=4096)
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(pattern), re.DOTALL)


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


def resolve(selectors: Sequence[str], document: Document) -> list[Section]:
    """Sections named by any of ``selectors``, in document order, each once."""
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
    test = _matcher(tuple(selectors))
    verdicts: dict[tuple[str, str | None], bool] = {}
    found = []
    for section in sections:
        place = (section.key, section.category)
        verdict = verdicts.get(place)
        if verdict is None:
            verdict = verdicts[place] = test(*place)
        if verdict:
            found.append(section)
    return found


@lru_cache(maxsize=1024)
def _matcher(selectors: tuple[str, ...]):
    """One test for a whole selector list, equivalent to ``matches_any``: a set of
    exact keys, a set of categories and one compiled alternation of the globs, so a
    file with 100,000 sections costs one cheap call per section, not one per
    selector per section."""
    exact = frozenset(selectors)
    categories = frozenset(s[9:].strip().upper() for s in selectors if s.startswith("category:"))
    globs = [s for s in selectors if not s.startswith("category:") and GLOB_CHARS.intersection(s)]
    combined = re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in globs),
                          re.DOTALL).match if globs else None

    def test(key: str, category: str | None) -> bool:
        if key in exact:
            return True
        if categories and category is not None and category.upper() in categories:
            return True
        return combined is not None and combined(key) is not None

    return test


class Resolver:
    """Resolves selector lists against one document, each distinct list once."""

    def __init__(self, document: Document):
        self.document = document
        self._cache: dict[tuple[str, ...], list[Section]] = {}

    def __call__(self, selectors: Sequence[str]) -> list[Section]:
        key = tuple(selectors)
        found = self._cache.get(key)
        if found is None:
            found = resolve(key, self.document)
            self._cache[key] = found
        return found


__all__ = ["Resolver", "matches_any", "resolve", "selector_matches", "selector_problem"]
