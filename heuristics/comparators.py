"""Signal comparators: the one registry of the operators a ``fact``/``extract`` signal may carry.

A comparator is a key of a signal (``at_least = "2.84.0"``) that judges the signal's value
(a document fact, or the first capture group of an ``extract``). Each one is an entry in
``OPERATORS``: its name -> ``Operator(validate, compare)``. The loader
(``format.py``) accepts exactly these keys and runs ``validate`` on the threshold; the
evaluator (``evaluate.py``) runs ``compare``. Adding an operator is one new entry here.

* ``validate(threshold)`` -> ``Checked``: the problem (one lint line, or None) and, for
  ``matches``, the compiled pattern kept on the ``Comparator``.
* ``compare(observed, threshold, pattern, left)`` -> True / False / None (None: the value
  cannot be compared, e.g. not a version). ``left()`` is the seconds of budget still left
  (it raises when none is); a regex that runs out raises ``TimeoutError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .guards import LINE_CAP, regex_problem, threshold_problem
from .versions import as_number, compare_values, parse_version

if TYPE_CHECKING:
    import regex

Threshold = str | int | float | bool
Left = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Checked:
    """What ``validate`` found: a problem (the threshold is refused) or the prepared pattern."""

    problem: str | None = None
    pattern: regex.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class Operator:
    """One comparator: how its threshold is checked at load time and how it judges a value."""

    validate: Callable[[object], Checked]
    compare: Callable[[object, Threshold, regex.Pattern[str] | None, Left], bool | None]


def compile_pattern(pattern: object) -> Checked:
    """A heuristic author's regular expression, compiled with the ``regex`` module, or the
    reason it is refused (not a string, too costly a shape, does not compile)."""
    import regex  # here: unpickling a library or findings needs no regex engine

    if not isinstance(pattern, str) or not pattern:
        return Checked("must be a non-empty string (a regular expression)")
    problem = regex_problem(pattern)
    if problem:
        return Checked(f"regex refused: {problem}")
    try:
        return Checked(pattern=regex.compile(pattern))
    except (regex.error, ValueError, TypeError, OverflowError, RecursionError) as exc:
        return Checked(f"regex does not compile: {exc}")


def _threshold(value: object, *, ordered: bool) -> Checked:
    if isinstance(value, bool) and ordered:
        return Checked(f"must be a version or a number (got {value!r})")
    problem = threshold_problem(value)
    if problem:
        return Checked(problem)
    if not isinstance(value, str | int | float | bool):
        return Checked(f"must be a version, a number or a string (got {type(value).__name__})")
    if ordered and as_number(value) is None and parse_version(value) is None:
        return Checked(f"{value!r} is not a version or a number")
    return Checked()


def _ordered(value: object) -> Checked:
    """``below`` ... ``above``: a version or a number (never a boolean)."""
    return _threshold(value, ordered=True)


def _equality(value: object) -> Checked:
    """``equals``: a version, a number, a boolean or plain text."""
    return _threshold(value, ordered=False)


def _order(test: Callable[[int], bool]) -> Callable[[object, Threshold, regex.Pattern[str] | None, Left],
                                                    bool | None]:
    """An ordering comparator: ``test`` reads ``compare_values(observed, threshold)``."""
    def compare(observed: object, threshold: Threshold, pattern: regex.Pattern[str] | None,
                left: Left) -> bool | None:
        result = compare_values(observed, threshold)
        return None if result is None else test(result)
    return compare


def _equals(observed: object, threshold: Threshold, pattern: regex.Pattern[str] | None,
            left: Left) -> bool | None:
    if isinstance(threshold, bool) or isinstance(observed, bool):
        if isinstance(observed, str):
            observed = observed.strip().lower() in ("true", "yes", "1", "on")
        return bool(observed) == bool(threshold) if isinstance(observed, bool) else None
    if as_number(threshold) is None and parse_version(threshold) is None:
        return str(observed).strip() == str(threshold).strip()
    result = compare_values(observed, threshold)
    return None if result is None else result == 0


def _matches(observed: object, threshold: Threshold, pattern: regex.Pattern[str] | None,
             left: Left) -> bool | None:
    if pattern is None:
        return None
    text = observed if isinstance(observed, str) else str(observed)
    return pattern.search(text, 0, LINE_CAP, timeout=left()) is not None


OPERATORS: dict[str, Operator] = {
    "below": Operator(_ordered, _order(lambda r: r < 0)),
    "at_most": Operator(_ordered, _order(lambda r: r <= 0)),
    "at_least": Operator(_ordered, _order(lambda r: r >= 0)),
    "above": Operator(_ordered, _order(lambda r: r > 0)),
    "equals": Operator(_equality, _equals),
    "matches": Operator(compile_pattern, _matches),
}
COMPARATORS = tuple(OPERATORS)

__all__ = ["COMPARATORS", "OPERATORS", "Checked", "Operator", "compile_pattern"]
