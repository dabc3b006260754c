"""Required-literal prefilter and ReDoS lint for heuristic regexes.

``required_literals(pattern)`` returns a set of literal strings such that every
match of ``pattern`` contains at least one of them (or ``None`` when no such set
with literals of at least ``MIN_LITERAL`` characters can be proven). The
evaluator then finds candidate lines with ``str.find`` over a section's joined
text (C speed) and verifies only those lines with the real regex; lines that
cannot match are never handed to the regex engine.

Correctness rules (a prefilter may let through too much, never too little):

* The pattern is parsed with the standard library's regex parser (``re._parser``;
  CPython 3.11+). A pattern it cannot parse (``regex``-module-only syntax such as
  ``\\p{L}`` or variable-width look-behind) gets no prefilter: every line is verified.
* Only mandatory parts count: runs of literal characters in a concatenation,
  groups, and repeats with a minimum of at least one. Optional parts (``?``,
  ``*``, ``{0,n}``), classes, look-arounds and back-references end a run.
* An alternation contributes only if *every* branch has a required literal; the
  set is then the union of the branches' literals.
* If the pattern is case-insensitive anywhere (``(?i)`` global or scoped), every
  literal is lower-cased and matched against a case-folded copy of the text
  (``str.lower()`` plus ``ſ``->``s`` and ``ı``->``i``, the non-ASCII characters
  that fold onto ASCII letters); a literal with other non-ASCII characters is
  not used.
* ``(?x)`` verbose patterns are fine: the parser has already dropped the spaces.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

try:  # CPython 3.11+: the parser behind ``re`` (sre_parse is deprecated)
    from re import _constants as _C  # type: ignore[attr-defined]
    from re import _parser as _P  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - other interpreters: no prefilter, still correct
    _P = None
    _C = None

MIN_LITERAL = 3
_UNBOUNDED = 65535  # sre MAXREPEAT is 4294967295 on 64-bit; any large max counts as unbounded


@dataclass(frozen=True, slots=True)
class Prefilter:
    """Literals of which every match contains at least one; ``fold``: compare case-folded."""

    literals: tuple[str, ...]
    fold: bool


def fold_text(text: str) -> str:
    """The case-folded text a ``fold`` prefilter searches (same line structure)."""
    lowered = text.lower()
    if not lowered.isascii():
        lowered = lowered.replace("\u017f", "s").replace("\u0131", "i")
    return lowered


_BRACES_RE = re.compile(r"\{[^{}]*\}?")
_REPEAT_RE = re.compile(r"\{\d*(?:,\d*)?\}")


def _regex_only_syntax(pattern: str) -> bool:
    """Constructs the ``regex`` module reads differently from ``re`` (fuzzy ``{e<=1}``,
    POSIX ``[[:alpha:]]``): the stdlib parse would not describe the real pattern."""
    if "[:" in pattern:
        return True
    return any(not _REPEAT_RE.fullmatch(m.group()) for m in _BRACES_RE.finditer(pattern))


def _parse(pattern: str):
    if _P is None or _regex_only_syntax(pattern):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _P.parse(pattern)
    except Exception:  # noqa: BLE001 - any parse failure just means "no prefilter"
        return None


def _has_ignorecase(parsed) -> bool:
    if parsed.state.flags & re.IGNORECASE:
        return True
    return _scoped_ignorecase(parsed.data if hasattr(parsed, "data") else parsed)


def _scoped_ignorecase(items) -> bool:
    for op, av in items:
        if op is _C.SUBPATTERN:
            _group, add_flags, _del, sub = av
            if add_flags & re.IGNORECASE or _scoped_ignorecase(sub):
                return True
        elif op is _C.BRANCH:
            if any(_scoped_ignorecase(b) for b in av[1]):
                return True
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
            if _scoped_ignorecase(av[2]):
                return True
        elif op is _C.ATOMIC_GROUP or op in (_C.ASSERT, _C.ASSERT_NOT):
            sub = av if op is _C.ATOMIC_GROUP else av[1]
            if _scoped_ignorecase(sub):
                return True
    return False


def _score(candidate: frozenset[str]) -> tuple[float, int]:
    """Higher is better: the cheapest set to search, then the longest shortest literal.

    ``str.find`` skips further with a longer needle (measured on a 57 MB journal
    block: 3 chars 38 ms, 10 chars 17 ms, 40 chars 5 ms) and a longer literal is
    also rarer, so the cost of a set is taken as the sum of 1/length.
    """
    return (-sum(1.0 / len(s) for s in candidate), min(len(s) for s in candidate))


def _best(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    usable = [c for c in candidates if c and min(len(s) for s in c) >= MIN_LITERAL]
    return max(usable, key=_score) if usable else None


def _required(items) -> frozenset[str] | None:
    """Best required-literal set for a sequence of parsed items, or None."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            candidates.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        if op is _C.LITERAL:
            run.append(chr(av))
            continue
        flush()
        sub = None
        if op is _C.SUBPATTERN:
            sub = _required(av[3])
        elif op is _C.ATOMIC_GROUP:
            sub = _required(av)
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
            if av[0] >= 1:
                sub = _required(av[2])
        elif op is _C.BRANCH:
            branches = [_required(b) for b in av[1]]
            if branches and all(b is not None for b in branches):
                sub = frozenset().union(*branches)  # type: ignore[arg-type]
        if sub is not None:
            candidates.append(sub)
    flush()
    return _best(candidates)


def required_literals(pattern: str) -> Prefilter | None:
    """A conservative literal prefilter for ``pattern`` (see the module docstring)."""
    parsed = _parse(pattern)
    if parsed is None:
        return None
    try:
        fold = _has_ignorecase(parsed)
        found = _required(parsed.data)
    except Exception:  # noqa: BLE001 - unexpected parse-tree shape: be safe, no prefilter
        return None
    if found is None:
        return None
    literals = tuple(sorted(found))
    if fold:
        if any(not s.isascii() for s in literals):
            return None
        literals = tuple(sorted({s.lower() for s in literals}))
    if any(len(s) < MIN_LITERAL for s in literals):
        return None
    # a literal containing another of the set adds no line the shorter one misses
    literals = tuple(s for s in literals if not any(o != s and o in s for o in literals))
    return Prefilter(literals, fold)


def pure_literal(pattern: str) -> str | None:
    """The text a pattern matches when it is nothing but literal characters
    (``balena\\.service: start``), case-sensitively; else None. Such a pattern is
    searched with ``str.find``, which cannot backtrack."""
    parsed = _parse(pattern)
    if parsed is None or parsed.state.flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL):
        return None
    items = list(parsed.data)
    if not items or any(op is not _C.LITERAL for op, _ in items):
        return None
    return "".join(chr(av) for _, av in items)


# -- ReDoS lint -------------------------------------------------------------

def _contains_unbounded_repeat(items) -> bool:
    for op, av in items:
        if op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
            if av[1] >= _UNBOUNDED or av[1] > 100:
                return True
            if _contains_unbounded_repeat(av[2]):
                return True
        elif op is _C.SUBPATTERN:
            if _contains_unbounded_repeat(av[3]):
                return True
        elif op is _C.BRANCH and any(_contains_unbounded_repeat(b) for b in av[1]):
            return True
    return False


def _nested(items) -> str | None:
    for op, av in items:
        if op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
            body = av[2]
            if (av[1] >= _UNBOUNDED or av[1] > 100) and _contains_unbounded_repeat(body):
                return "a repeated group contains another unbounded repeat (e.g. (a+)+)"
            if av[1] >= _UNBOUNDED and any(o is _C.BRANCH for o, _ in body):
                for o, a in body:
                    if o is _C.BRANCH and len(a[1]) > 1:
                        return "an unbounded repeat of an alternation (e.g. (a|aa)*)"
            found = _nested(body)
            if found:
                return found
        elif op is _C.SUBPATTERN:
            found = _nested(av[3])
            if found:
                return found
        elif op is _C.BRANCH:
            for branch in av[1]:
                found = _nested(branch)
                if found:
                    return found
    return None


def nested_quantifier(pattern: str) -> str | None:
    """A description of a nested-quantifier shape (ReDoS risk), or None."""
    parsed = _parse(pattern)
    if parsed is None:
        return None
    try:
        return _nested(parsed.data)
    except Exception:  # noqa: BLE001
        return None


def pathological_lines(pattern: str, length: int = 4000) -> list[str]:
    """Adversarial lines for a pattern: long runs of characters it is likely to accept."""
    chars = {"a", " ", "0", "x", "-", ".", ":"}
    chars.update(c for c in pattern if c.isprintable() and c not in "()[]{}*+?|\\^$")
    lines = []
    for char in sorted(chars):
        lines.append(char * length + "\x01")
        lines.append(char * length)
    lines.append(("ab" * (length // 2)) + "!")
    lines.append(("a " * (length // 2)) + "!")
    return lines


__all__ = ["MIN_LITERAL", "Prefilter", "fold_text", "nested_quantifier", "pathological_lines",
           "pure_literal", "required_literals"]
