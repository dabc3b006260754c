"""``lint(dirs)``: every loader message plus the checks too slow for every load.

On top of the loader's errors (``format.py``) lint adds:

* ReDoS: a nested-quantifier shape (``(a+)+``, ``(a|aa)*``) is a warning; a regex
  that exceeds ``PATHOLOGICAL_TIMEOUT`` on a pathological line (long runs of the
  characters it accepts) is an error — it would time out on real files.
* ``recovered_by`` with no ``[[examples]]`` expecting ``status = "recovered"`` is a
  warning: the recovery is never tested.
* Selectors that match no section of any bundled sample
  (``sample-diagnostics/*.txt``, when present) are warnings: probably a typo or a
  command that diagnose.sh does not run. ``log``, ``*`` and ``category:`` are
  not checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .format import Heuristic, LintMessage, load_with_messages, pattern_of
from .prefilter import nested_quantifier, pathological_lines
from .selectors import matches_any

PATHOLOGICAL_TIMEOUT = 0.25


@lru_cache(maxsize=1)
def sample_keys() -> tuple[tuple[str, str | None], ...]:
    """(key, category) of every section in the bundled samples; empty when there are none."""
    from triagebench.parser import InputError, parse_file

    try:
        root = resources.files("triagebench.samples")
        paths = sorted(Path(str(p)) for p in root.iterdir() if str(p).endswith(".txt"))
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return ()
    found: dict[tuple[str, str | None], None] = {}
    for path in paths:
        try:
            document = parse_file(str(path))
        except (InputError, OSError):
            continue
        if document.format == "plain-log":
            continue
        for section in document.sections:
            found[(section.key, section.category)] = None
    return tuple(found)


def _catastrophic(pattern: str, compiled) -> str | None:
    for line in pathological_lines(pattern):
        try:
            compiled.search(line, timeout=PATHOLOGICAL_TIMEOUT)
        except TimeoutError:
            shown = line[:12] + "…" if len(line) > 12 else line
            return (f"catastrophic backtracking: took over {PATHOLOGICAL_TIMEOUT:g} s on a "
                    f"{len(line)}-character line like {shown!r}")
    return None


def lint_heuristic(heuristic: Heuristic, keys: Sequence[tuple[str, str | None]]) -> list[LintMessage]:
    """The slow checks for one loaded heuristic."""
    out: list[LintMessage] = []
    if heuristic.recovered_by and not any(e.status == "recovered" for e in heuristic.examples):
        out.append(LintMessage(heuristic.source, "recovered_by", "no [[examples]] expects "
                               "status = \"recovered\": the recovery is never tested", "warning"))
    for signal in heuristic.signals.values():
        patterns = []
        compiled = pattern_of(signal)
        if compiled is not None and signal.pattern:
            patterns.append((f"signals.{signal.name}.{signal.kind}", signal.pattern, compiled))
        for comparator in signal.comparators:
            compiled = pattern_of(comparator)
            if compiled is not None:
                patterns.append((f"signals.{signal.name}.matches", str(comparator.value), compiled))
        for key, pattern, compiled in patterns:
            shape = nested_quantifier(pattern)
            problem = _catastrophic(pattern, compiled)
            if problem:
                out.append(LintMessage(heuristic.source, key, problem))
            elif shape:
                out.append(LintMessage(heuristic.source, key,
                                       f"{shape}: may backtrack catastrophically; use a possessive "
                                       "quantifier, an atomic group or a bounded repeat", "warning"))
        if keys and signal.kind != "fact":
            for selector in signal.selectors:
                if selector in ("*", "log") or selector.startswith("category:"):
                    continue
                if not any(matches_any([selector], key, category) for key, category in keys):
                    out.append(LintMessage(heuristic.source, f"signals.{signal.name}.in",
                                           f"selector {selector!r} matches no section in the "
                                           "bundled samples", "warning"))
    return out


def lint(dirs: Sequence[str | Path] = (), builtin: bool | None = None) -> list[LintMessage]:
    """Every problem in ``dirs`` (the bundled library when ``dirs`` is empty).

    Errors first in file order as found; ``level`` tells errors from warnings.
    """
    if builtin is None:
        builtin = not dirs
    library, messages = load_with_messages(dirs, builtin=builtin)
    keys = sample_keys()
    for heuristic in library.heuristics:
        messages.extend(lint_heuristic(heuristic, keys))
    return messages


__all__ = ["PATHOLOGICAL_TIMEOUT", "lint", "lint_heuristic", "sample_keys"]
