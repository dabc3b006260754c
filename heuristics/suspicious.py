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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

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
    """Compiled suspicious vocabulary and benign list."""

    suspicious: re.Pattern[str]
    benign_global: re.Pattern[str] | None
    benign_scoped: list[BenignRule] = field(default_factory=list)
    source: str = ""

    def _scoped(self, section: Any) -> list[BenignRule]:
        if section is None:
            return []
        key, category = section.key, section.category
        return [r for r in self.benign_scoped
                if any(selector_matches(s, key, category) for s in r.selectors)]

    def silenced(self, section: Any) -> bool:
        """True when a benign entry without regex silences this whole section."""
        return any(r.regex is None for r in self._scoped(section))

    def is_benign(self, text: str, section: Any = None) -> bool:
        if self.benign_global is not None and self.benign_global.search(text):
            return True
        return any(r.regex is None or r.regex.search(text) for r in self._scoped(section))

    def is_suspicious(self, text: str, section: Any = None) -> bool:
        if self.suspicious.search(text) is None:
            return False
        return not self.is_benign(text, section)


def _compile(pattern: Any, where: str) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise RulesError(f"{where}: 'regex' must be a non-empty string")
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise RulesError(f"{where}: bad regex {pattern!r}: {exc}") from None


def rules_from_data(data: dict[str, Any], source: str = "<rules>") -> Rules:
    """Build ``Rules`` from parsed TOML (``suspicious``/``benign`` arrays of tables)."""
    unknown = set(data) - {"suspicious", "benign"}
    if unknown:
        raise RulesError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}")
    words = []
    for index, entry in enumerate(data.get("suspicious", []), 1):
        where = f"{source}: [[suspicious]] #{index}"
        if not isinstance(entry, dict):
            raise RulesError(f"{where}: must be a table")
        words.append(_compile(entry.get("regex"), where).pattern)
    if not words:
        raise RulesError(f"{source}: no [[suspicious]] entries")
    global_benign: list[str] = []
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
    return Rules(
        suspicious=re.compile("|".join(f"(?:{w})" for w in words), re.IGNORECASE),
        benign_global=(re.compile("|".join(f"(?:{b})" for b in global_benign), re.IGNORECASE)
                       if global_benign else None),
        benign_scoped=scoped,
        source=source,
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


def is_suspicious(text: str, section: Any = None, rules: Rules | None = None) -> bool:
    """Does this line read like an error (and is it not a known-harmless one)?

    ``section`` (a parser ``Section``) enables the section-scoped benign entries.
    """
    return (rules or default_rules()).is_suspicious(text, section)


def _output_sections(document: Any) -> Iterable[Any]:
    return (s for s in document.sections if not s.is_category_marker)


def suspicious_lines(document: Any, rules: Rules | None = None) -> list[int]:
    """File line numbers (1-based, ascending) of suspicious output lines.

    Only command output counts (stdout and stderr of each section): headers,
    timestamps, ``real/user/sys`` and exit-status lines are structure, not log.
    """
    rules = rules or default_rules()
    search = rules.suspicious.search
    found: list[int] = []
    for section in _output_sections(document):
        if rules.silenced(section):
            continue
        for number in section.output_line_numbers():
            text = document.output_text(section, number)
            if search(text) is not None and not rules.is_benign(text, section):
                found.append(number)
    found.sort()
    return found


def covered_lines(findings: Any) -> set[int]:
    """Lines that some finding cites as evidence."""
    by_line = getattr(findings, "by_line", None)
    if by_line is not None:
        return set(by_line)
    covered: set[int] = set()
    for finding in findings:
        covered.update(item.line for item in finding.evidence)
    return covered


def unexplained(document: Any, findings: Any, rules: Rules | None = None) -> list[int]:
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
