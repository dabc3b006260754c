"""Suspicious lines: output lines that read like an error, minus known-harmless ones.

Why: heuristics only find what someone already wrote down. The lines that look
like trouble but that no finding explains ("unexplained errors") are where the
next heuristic comes from, and what an agent should glance at when nothing
matched. The vocabulary (``[[suspicious]]``) and the known-benign list
(``[[benign]]``, balena-diagnostics.md §6.1) are data in
``heuristics/data/suspicious.toml`` so they can be tuned without code changes.

Speed: all suspicious regexes are one compiled alternation (one ``search`` per
line); benign patterns run only on the few lines that hit.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from triagebench.parser import Document, Section

from .model import Finding, Findings
from .prefilter import fold_text, required_literals
from .selectors import selector_matches

DATA_FILE = Path(__file__).parent / "data" / "suspicious.toml"


class RulesError(ValueError):
    """A broken rules file; ``str()`` names the file, the entry and the problem."""


@dataclass(frozen=True, slots=True)
class BenignRule:
    """A harmless pattern; ``selectors`` empty = everywhere; ``regex`` None = whole sections."""

    regex: re.Pattern[str] | None
    selectors: tuple[str, ...] = ()
    note: str = ""


@dataclass(slots=True)
class Rules:
    """Compiled suspicious vocabulary and benign list.

    ``suspicious`` is the whole vocabulary as one regex (for callers that want
    it); matching goes through ``hit``, which first looks for each entry's
    required literals (``prefilter.required_literals``) in the lower-cased line
    with ``in`` and runs only the entries whose literals occur: Python's ``re``
    scans a case-insensitive alternation of ~60 words at ~1 µs per character,
    the literal check costs a few µs per line.
    """

    suspicious: re.Pattern[str]
    benign_global: re.Pattern[str] | None
    benign_scoped: list[BenignRule] = field(default_factory=list)
    source: str = ""
    entries: list[tuple[tuple[str, ...] | None, re.Pattern[str]]] = field(default_factory=list)
    benign_entries: list[tuple[tuple[str, ...] | None, re.Pattern[str]]] = field(
        default_factory=list)

    def hit(self, text: str) -> bool:
        """Does ``text`` contain a suspicious word (before the benign check)?"""
        if not self.entries:
            return self.suspicious.search(text) is not None
        return _any_entry_matches(self.entries, text)

    def hits_in(self, texts: Sequence[str]) -> list[int]:
        """Indices of ``texts`` that ``hit`` (block-wise, see ``gated_hits``)."""
        if not self.entries:
            return [i for i, text in enumerate(texts) if self.suspicious.search(text)]
        return gated_hits(self.entries, texts)

    def _scoped(self, section: Section | None) -> list[BenignRule]:
        if section is None:
            return []
        key, category = section.key, section.category
        return [r for r in self.benign_scoped
                if any(selector_matches(s, key, category) for s in r.selectors)]

    def silenced(self, section: Section | None) -> bool:
        """True when a benign entry without regex silences this whole section."""
        return any(r.regex is None for r in self._scoped(section))

    def is_benign(self, text: str, section: Section | None = None) -> bool:
        if self.benign_entries:
            if _any_entry_matches(self.benign_entries, text):
                return True
        elif self.benign_global is not None and self.benign_global.search(text):
            return True
        return any(r.regex is None or r.regex.search(text) for r in self._scoped(section))

    def is_suspicious(self, text: str, section: Section | None = None) -> bool:
        if not self.hit(text):
            return False
        return not self.is_benign(text, section)


def _compile(pattern: Any, where: str) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise RulesError(f"{where}: 'regex' must be a non-empty string")
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise RulesError(f"{where}: bad regex {pattern!r}: {exc}") from None


def _any_entry_matches(entries: Sequence[tuple[tuple[str, ...] | None, re.Pattern[str]]],
                       text: str) -> bool:
    """Does any entry's regex match ``text``? An entry's regex only runs when one of its
    literals occurs in the case-folded text (or it has none)."""
    low = fold_text(text)
    for literals, pattern in entries:
        if literals is not None and not any(literal in low for literal in literals):
            continue
        if pattern.search(text) is not None:
            return True
    return False


def gated_hits(entries: Sequence[tuple[tuple[str, ...] | None, re.Pattern[str]]],
               texts: Sequence[str]) -> list[int]:
    """Indices of ``texts`` matched by any entry, found block-wise.

    Each entry's literals are located with ``str.find`` in the joined
    lower-cased block (C speed); only the lines holding one are searched with
    the entry's regex. An entry without literals searches every line.
    """
    lows = [fold_text(t) for t in texts]
    starts: list[int] = []
    offset = 0
    for low in lows:
        starts.append(offset)
        offset += len(low) + 1
    joined = "\n".join(lows)
    found: set[int] = set()
    for literals, pattern in entries:
        if literals is None:
            candidates: Iterable[int] = range(len(texts))
        else:
            candidates = set()
            for literal in literals:
                position = joined.find(literal)
                while position != -1:
                    index = bisect_right(starts, position) - 1
                    candidates.add(index)
                    following = starts[index + 1] if index + 1 < len(starts) else len(joined)
                    position = joined.find(literal, following)
        for index in candidates:
            if index not in found and pattern.search(texts[index]) is not None:
                found.add(index)
    return sorted(found)


def _minimal(literals: Sequence[str]) -> tuple[str, ...]:
    """Drop literals that contain another one (``killed`` when ``kill`` is there):
    the shorter one already finds every such line, and each literal costs a scan."""
    return tuple(sorted(x for x in set(literals)
                        if not any(other != x and other in x for other in literals)))


def _literals(entry: dict[str, Any], compiled: re.Pattern[str], where: str) -> tuple[str, ...] | None:
    """The entry's prefilter: its ``literals`` key, else derived from the regex (or None)."""
    literals = entry.get("literals")
    if literals is None:
        prefilter = required_literals("(?i)" + compiled.pattern)
        return _minimal(prefilter.literals) if prefilter else None
    if (not isinstance(literals, list) or not literals
            or not all(isinstance(x, str) and x and x == x.lower() for x in literals)):
        raise RulesError(f"{where}: 'literals' must be a list of lower-case strings")
    return _minimal(literals)


def rules_from_data(data: dict[str, Any], source: str = "<rules>") -> Rules:
    """Build ``Rules`` from parsed TOML (``suspicious``/``benign`` arrays of tables)."""
    unknown = set(data) - {"suspicious", "benign"}
    if unknown:
        raise RulesError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}")
    words = []
    entries: list[tuple[tuple[str, ...] | None, re.Pattern[str]]] = []
    for index, entry in enumerate(data.get("suspicious", []), 1):
        where = f"{source}: [[suspicious]] #{index}"
        if not isinstance(entry, dict):
            raise RulesError(f"{where}: must be a table")
        compiled = _compile(entry.get("regex"), where)
        words.append(compiled.pattern)
        entries.append((_literals(entry, compiled, where), compiled))
    if not words:
        raise RulesError(f"{source}: no [[suspicious]] entries")
    global_benign: list[str] = []
    benign_entries: list[tuple[tuple[str, ...] | None, re.Pattern[str]]] = []
    scoped: list[BenignRule] = []
    for index, entry in enumerate(data.get("benign", []), 1):
        where = f"{source}: [[benign]] #{index}"
        if not isinstance(entry, dict):
            raise RulesError(f"{where}: must be a table")
        selectors = entry.get("in", [])
        if isinstance(selectors, str):
            selectors = [selectors]
        if not isinstance(selectors, list) or not all(isinstance(s, str) for s in selectors):
            raise RulesError(f"{where}: 'in' must be a list of section selectors")
        regex = entry.get("regex")
        if regex is None and not selectors:
            raise RulesError(f"{where}: needs 'regex', 'in' or both")
        compiled = _compile(regex, where) if regex is not None else None
        if selectors:
            scoped.append(BenignRule(compiled, tuple(selectors), str(entry.get("note", ""))))
        elif compiled is not None:
            global_benign.append(compiled.pattern)
            benign_entries.append((_literals(entry, compiled, where), compiled))
    return Rules(
        suspicious=re.compile("|".join(f"(?:{w})" for w in words), re.IGNORECASE),
        benign_global=(re.compile("|".join(f"(?:{b})" for b in global_benign), re.IGNORECASE)
                       if global_benign else None),
        benign_scoped=scoped,
        source=source,
        entries=entries,
        benign_entries=benign_entries,
    )


def load_rules(path: str | Path | None = None) -> Rules:
    """Rules from a TOML file (default: the bundled ``data/suspicious.toml``)."""
    if path is None:
        return default_rules()
    return _load(Path(path))


def _load(path: Path) -> Rules:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: invalid TOML: {exc}") from None
    return rules_from_data(data, str(path))


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    return _load(DATA_FILE)


def is_suspicious(text: str, section: Section | None = None, rules: Rules | None = None) -> bool:
    """Does this line read like an error (and is it not a known-harmless one)?

    ``section`` (a parser ``Section``) enables the section-scoped benign entries.
    """
    return (rules or default_rules()).is_suspicious(text, section)


CHUNK_LINES = 20_000


def _output_sections(document: Document) -> Iterable[Section]:
    return (s for s in document.sections if not s.is_category_marker)


def suspicious_lines(document: Document, rules: Rules | None = None) -> list[int]:
    """File line numbers (1-based, ascending) of suspicious output lines.

    Only command output counts (stdout and stderr of each section): headers,
    timestamps, ``real/user/sys`` and exit-status lines are structure, not log.
    """
    rules = rules or default_rules()
    found: list[int] = []
    for section in _output_sections(document):
        if rules.silenced(section):
            continue
        scoped = rules._scoped(section)
        # Whole lines in chunks: a hit never spans lines, and the joined and
        # lower-cased copies stay small however big the section is.
        numbers_iter = section.output_line_numbers()
        while numbers := list(islice(numbers_iter, CHUNK_LINES)):
            texts = [document.output_text(section, n) for n in numbers]
            hits = rules.hits_in(texts)
            if not hits:
                continue
            candidates = [texts[i] for i in hits]
            benign = set(gated_hits(rules.benign_entries, candidates))
            for position, index in enumerate(hits):
                if position in benign:
                    continue
                if scoped and any(r.regex is None or r.regex.search(candidates[position])
                                  for r in scoped):
                    continue
                found.append(numbers[index])
    found.sort()
    return found


def covered_lines(findings: Findings | Iterable[Finding]) -> set[int]:
    """Lines that some finding cites as evidence (a ``Findings`` answers from its index)."""
    if isinstance(findings, Findings):
        return set(findings.by_line)
    covered: set[int] = set()
    for finding in findings:
        covered.update(item.line for item in finding.evidence)
    return covered


def unexplained(document: Document, findings: Findings | Iterable[Finding] | None, rules: Rules | None = None) -> list[int]:
    """Suspicious lines that no finding's evidence covers.

    ``findings`` is a ``Findings`` (uses its ``by_line`` index) or an iterable
    of ``Finding``.
    """
    covered = covered_lines(findings) if findings is not None else set()
    return [n for n in suspicious_lines(document, rules) if n not in covered]


__all__: Sequence[str] = (
    "BenignRule", "Rules", "RulesError", "covered_lines", "default_rules", "is_suspicious",
    "load_rules", "rules_from_data", "suspicious_lines", "unexplained",
)
