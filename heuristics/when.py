"""The ``when`` expression: a boolean formula over signal names, parsed once at load.

Grammar (precedence ``not`` > ``and`` > ``or``, parentheses group)::

    expr   := term ("or" term)*
    term   := factor ("and" factor)*
    factor := "not" factor | "(" expr ")" | ("any" | "all") "of" PATTERN | NAME

``PATTERN`` is a signal name with ``*`` wildcards (``any of net_*``); it must
match at least one defined signal. Keywords are lower case.

A heuristic file is untrusted: an expression over ``MAX_WHEN_CHARS`` characters or
``MAX_WHEN_TOKENS`` tokens, or nesting ``not``/parentheses over ``MAX_WHEN_DEPTH``
deep, is a ``WhenError`` (a lint error), never a ``RecursionError``.

Evaluation uses Kleene's strong three-valued logic with ``None`` = unknown:
``and`` is False if any operand is False, else unknown if any is unknown;
``or`` is True if any operand is True, else unknown if any is unknown;
``not unknown`` is unknown. A heuristic matches only when its ``when`` is
definitely True, so an unknown value can never make a heuristic match by
itself (``not old_os`` with an unknown OS version does not match), but
``a or old_os`` still matches when ``a`` is true.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Value = bool | None

_TOKEN_RE = re.compile(r"\s*(?:(?P<paren>[()])|(?P<word>[A-Za-z_*?][A-Za-z0-9_*?.-]*)|(?P<bad>\S))")
KEYWORDS = {"and", "or", "not", "any", "all", "of"}
MAX_WHEN_CHARS = 4_000
MAX_WHEN_TOKENS = 1_000
MAX_WHEN_DEPTH = 32


class WhenError(ValueError):
    """A ``when`` expression that cannot be parsed; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Name:
    name: str


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Quantified:
    """``any of PATTERN`` / ``all of PATTERN``; ``names`` are resolved at parse time."""

    quantifier: str
    pattern: str
    names: tuple[str, ...]


Node = Name | Not | And | Or | Quantified


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:  # only trailing whitespace left
            break
        if match.group("bad"):
            raise WhenError(f"unexpected character {match.group('bad')!r} at column {match.start('bad') + 1}")
        tokens.append(match.group("paren") or match.group("word"))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str], signals: Sequence[str]):
        self.tokens = tokens
        self.pos = 0
        self.signals = list(signals)
        self.depth = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise WhenError("expression ends too early")
        self.pos += 1
        return token

    def expr(self) -> Node:
        operands = [self.term()]
        while self.peek() == "or":
            self.pos += 1
            operands.append(self.term())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def term(self) -> Node:
        operands = [self.factor()]
        while self.peek() == "and":
            self.pos += 1
            operands.append(self.factor())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_WHEN_DEPTH:
            raise WhenError(f"'not' and parentheses nest over {MAX_WHEN_DEPTH} deep")

    def factor(self) -> Node:
        token = self.take()
        if token == "not":
            self.nested()
            node = Not(self.factor())
            self.depth -= 1
            return node
        if token == "(":
            self.nested()
            node = self.expr()
            if self.peek() != ")":
                raise WhenError("missing ')'")
            self.pos += 1
            self.depth -= 1
            return node
        if token in ("any", "all") and self.peek() == "of":
            self.pos += 1
            pattern = self.take()
            if pattern in KEYWORDS or pattern in "()":
                raise WhenError(f"'{token} of' needs a signal name pattern, got {pattern!r}")
            names = tuple(n for n in self.signals if fnmatch.fnmatchcase(n, pattern))
            if not names:
                raise WhenError(f"'{token} of {pattern}' matches no signal")
            return Quantified(token, pattern, names)
        if token in KEYWORDS or token in "()":
            raise WhenError(f"unexpected {token!r}")
        if any(c in token for c in "*?"):
            raise WhenError(f"wildcard {token!r} needs 'any of' or 'all of' in front")
        if token not in self.signals:
            defined = ", ".join(self.signals) or "none"
            raise WhenError(f"unknown signal {token!r} (defined: {defined})")
        return Name(token)


def parse_when(text: str, signals: Sequence[str]) -> Node:
    """Parse ``text`` against the defined ``signals``; raises ``WhenError``."""
    if len(text) > MAX_WHEN_CHARS:
        raise WhenError(f"expression is {len(text):,} characters (limit {MAX_WHEN_CHARS:,})")
    tokens = _tokens(text)
    if len(tokens) > MAX_WHEN_TOKENS:
        raise WhenError(f"expression has {len(tokens):,} words (limit {MAX_WHEN_TOKENS:,})")
    if not tokens:
        raise WhenError("empty expression")
    parser = _Parser(tokens, signals)
    node = parser.expr()
    if parser.peek() is not None:
        raise WhenError(f"unexpected {parser.peek()!r} after a complete expression")
    return node


def all_of(signals: Sequence[str]) -> Node:
    """The default ``when``: every signal AND-ed."""
    if len(signals) == 1:
        return Name(signals[0])
    return And(tuple(Name(n) for n in signals))


def names_used(node: Node) -> set[str]:
    """Signal names a formula refers to."""
    if isinstance(node, Name):
        return {node.name}
    if isinstance(node, Not):
        return names_used(node.operand)
    if isinstance(node, Quantified):
        return set(node.names)
    return set().union(*(names_used(n) for n in node.operands))


def _and(values: list[Value]) -> Value:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _or(values: list[Value]) -> Value:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def evaluate_when(node: Node, values: Mapping[str, Value]) -> Value:
    """Kleene three-valued evaluation (see the module docstring)."""
    if isinstance(node, Name):
        return values.get(node.name)
    if isinstance(node, Not):
        inner = evaluate_when(node.operand, values)
        return None if inner is None else not inner
    if isinstance(node, And):
        return _and([evaluate_when(n, values) for n in node.operands])
    if isinstance(node, Or):
        return _or([evaluate_when(n, values) for n in node.operands])
    items = [values.get(n) for n in node.names]
    return _or(items) if node.quantifier == "any" else _and(items)


def positive_names(node: Node, negated: bool = False) -> set[str]:
    """Signals that appear un-negated (their evidence explains the finding)."""
    if isinstance(node, Name):
        return set() if negated else {node.name}
    if isinstance(node, Not):
        return positive_names(node.operand, not negated)
    if isinstance(node, Quantified):
        return set() if negated else set(node.names)
    return set().union(*(positive_names(n, negated) for n in node.operands))


def to_text(node: Node) -> str:
    """Canonical text of a formula (fully parenthesised where needed)."""
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Not):
        return f"not {to_text(node.operand)}"
    if isinstance(node, Quantified):
        return f"{node.quantifier} of {node.pattern}"
    joiner = " and " if isinstance(node, And) else " or "
    return "(" + joiner.join(to_text(n) for n in node.operands) + ")"


__all__ = [
    "And", "Name", "Node", "Not", "Or", "Quantified", "WhenError", "all_of", "evaluate_when",
    "names_used", "parse_when", "positive_names", "to_text",
]
