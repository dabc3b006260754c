"""Numbers read from a diagnostics file, parsed defensively.

A file is untrusted: an exit status, a timing or a ``MemTotal`` may be written
with 5,000 digits, or as ``nan``/``inf``. Python's ``int()`` refuses strings over
4,300 digits (``ValueError``) and ``float()`` of a 400-digit integer overflows
(``OverflowError``); ``json.dumps`` writes ``NaN``, which is not JSON. Every
number the parser keeps therefore goes through these helpers: a value with more
than ``MAX_DIGITS`` digits, outside the caller's range, or not finite is
*unknown* (``None``) rather than an exception or a poisoned value.
"""

from __future__ import annotations

import math

MAX_DIGITS = 30  # far beyond any real counter (2**64 has 20 digits)


def bounded_int(text: str | None, *, low: int | None = None, high: int | None = None,
                max_digits: int = MAX_DIGITS) -> int | None:
    """``text`` (optional sign, decimal digits) as an int, or ``None`` when it is
    not a plain integer, has more than ``max_digits`` digits or lies outside
    ``[low, high]``."""
    if text is None:
        return None
    text = text.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits or len(digits) > max_digits or not (digits.isascii() and digits.isdigit()):
        return None
    value = int(text)
    if (low is not None and value < low) or (high is not None and value > high):
        return None
    return value


def bounded_float(text: str | None, *, low: float | None = None, high: float | None = None,
                  max_digits: int = MAX_DIGITS) -> float | None:
    """``text`` as a finite float, or ``None`` (NaN, infinities, over ``max_digits``
    digits, exponents, outside ``[low, high]``, anything unreadable)."""
    if text is None:
        return None
    text = text.strip()
    body = text[1:] if text[:1] in "+-" else text
    whole, _, fraction = body.partition(".")
    if not (whole or fraction) or len(whole) + len(fraction) > max_digits:
        return None
    if not all(part == "" or (part.isascii() and part.isdigit()) for part in (whole, fraction)):
        return None
    value = float(text)
    return finite(value, low=low, high=high)


def finite(value: float | int | None, *, low: float | None = None,
           high: float | None = None) -> float | None:
    """``value`` as a float when it is a finite number inside ``[low, high]``, else ``None``."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError, TypeError):
        return None
    if not math.isfinite(number):
        return None
    if (low is not None and number < low) or (high is not None and number > high):
        return None
    return number


__all__ = ["MAX_DIGITS", "bounded_float", "bounded_int", "finite"]
