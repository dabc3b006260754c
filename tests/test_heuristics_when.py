"""The ``when`` language: precedence, parentheses, quantifiers, Kleene unknown handling, errors."""

from __future__ import annotations

import itertools

import pytest
from triagebench.heuristics.when import WhenError, evaluate_when, parse_when

SIGNALS = ["a", "b", "c", "net_dns", "net_vpn"]


def ev(text: str, **values: bool | None) -> bool | None:
    return evaluate_when(parse_when(text, SIGNALS), values)


def test_and_binds_tighter_than_or() -> None:
    # a or (b and c): true with a alone; "(a or b) and c" would be false
    assert ev("a or b and c", a=True, b=False, c=False) is True
    assert ev("(a or b) and c", a=True, b=False, c=False) is False


def test_not_binds_tighter_than_and() -> None:
    # (not a) and b
    assert ev("not a and b", a=False, b=True) is True
    assert ev("not (a and b)", a=True, b=False) is True
    assert ev("not a and b", a=True, b=False) is False


def test_every_assignment_matches_python_semantics() -> None:
    text = "not a or b and not (c or a)"
    for a, b, c in itertools.product([True, False], repeat=3):
        expected = (not a) or (b and not (c or a))
        assert ev(text, a=a, b=b, c=c) is expected


def test_kleene_unknown() -> None:
    assert ev("a and b", a=True, b=None) is None
    assert ev("a and b", a=False, b=None) is False
    assert ev("a or b", a=True, b=None) is True
    assert ev("a or b", a=False, b=None) is None
    assert ev("not a", a=None) is None


def test_quantifiers() -> None:
    assert ev("any of net_*", net_dns=False, net_vpn=True) is True
    assert ev("all of net_*", net_dns=True, net_vpn=False) is False
    assert ev("all of net_* and a", net_dns=True, net_vpn=True, a=True) is True
    assert ev("any of net_*", net_dns=None, net_vpn=False) is None


@pytest.mark.parametrize(("text", "fragment"), [
    ("a and", "ends too early"),
    ("a b", "unexpected 'b'"),
    ("(a or b", "missing ')'"),
    ("a and zz", "unknown signal 'zz'"),
    ("any of x_*", "matches no signal"),
    ("net_*", "needs 'any of' or 'all of'"),
    ("a & b", "unexpected character '&'"),
    ("", "empty expression"),
    ("a or or b", "unexpected 'or'"),
])
def test_errors_say_what_is_wrong(text: str, fragment: str) -> None:
    with pytest.raises(WhenError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        parse_when(text, SIGNALS)
