"""The evaluator: ``evaluate(document, library) -> Findings``.

Per heuristic, every signal gets a value (True / False / None = unknown) and
evidence; the parsed ``when`` is evaluated with Kleene logic (see ``when.py``)
and the heuristic is a finding only when it is definitely True.

Signal semantics (decided here where DESIGN.md is silent):

* ``regex``: every selected output line (plain text: no ANSI, NUL or trailing
  CR; glued busybox ``real`` removed) is searched; at most the first
  ``LINE_CAP`` characters of a line are matched. True when at least
  ``min_count`` lines match; ``absent = true`` inverts (true when fewer than
  ``min_count`` lines match). When *no* selected section exists in the document
  the value is unknown: a command that was not captured proves nothing, so an
  ``absent`` signal cannot fire on a file that lacks the section.
* ``extract``: the first capture group of the first matching line, in document
  order (sections in file order; in each, stdout before stderr); nothing
  extracted -> unknown.
* ``fact``: ``document.facts[NAME]``; missing/None -> unknown.
* Comparators (all must hold; Kleene AND): ``below``/``at_most``/``at_least``/
  ``above`` compare numerically when both sides are plain numbers, else as
  balena versions (``versions.py``); unreadable -> unknown. ``equals`` does the
  same, and when the threshold is neither a number nor a version it compares
  text exactly. ``matches`` searches the value's text with the regex.
* Evidence is capped at ``EVIDENCE_CAP`` lines per signal; the rest are
  counted in ``SignalResult.truncated``.

Safety and speed: every regex search uses the ``regex`` module with
``timeout=`` (the heuristic's remaining budget, ``timeout`` seconds per
heuristic); a heuristic that runs out is reported in ``Findings.errors`` and
the others still run. Selectors are resolved once per document; for each
stream block the plain text is joined once, and a regex with required
literals (``prefilter.py``) only verifies the lines where ``str.find`` saw one
of them. Cheap signals (facts) are evaluated first, and the remaining regex
scans of a heuristic are skipped as soon as its ``when`` can no longer be true.
"""

from __future__ import annotations

import operator
import re
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from itertools import accumulate
from typing import Any

from triagebench.parser import Document, Section, plain_text

from .format import Heuristic, Library, Signal
from .model import Evidence, Finding, Findings, HeuristicError, SignalResult
from .prefilter import Prefilter, fold_text
from .selectors import Resolver
from .versions import as_number, compare_values, parse_version
from .when import evaluate_when

LINE_CAP = 4096
EVIDENCE_CAP = 50
EVIDENCE_TEXT_CAP = 4096
DEFAULT_TIMEOUT = 1.0

_KIND_ORDER = {"fact": 0, "extract": 1, "regex": 2}


class _Timeout(Exception):
    def __init__(self, signal: str, line: int | None):
        super().__init__(signal)
        self.signal = signal
        self.line = line


# ``parser.text.ESCAPE_RE`` with ``\n`` excluded from every variable part: applied to
# a block's joined text it removes exactly what ``plain_text`` removes line by line.
_ESCAPES_JOINED = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b\n]*(?:\x1b\\)?"
    r"|\x1b[ -~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
BIG_BLOCK = 1 << 19  # below this many characters a plain str.find per literal is cheapest
_SAMPLE = 1 << 14
_FIND_RATE = 2.0e9  # characters per second str.find scans (measured, 2-core bench machine)
_ANCHOR_COST = 0.4e-6  # seconds per anchor-character occurrence visited in Python


def _plain_joined(text: str) -> str:
    """``plain_text`` applied to every line of a ``\n``-joined block, in one pass."""
    if "\x1b" in text or "\x9b" in text:
        text = _ESCAPES_JOINED.sub("", text)
    if "\x00" in text:
        text = text.replace("\x00", "")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if text.endswith("\r"):
            text = text[:-1]
    return text


def _line_offsets(texts: Sequence[str]) -> list[int]:
    """Start offset of every line in the joined text, plus the end (C-level loops only)."""
    return list(map(operator.add, accumulate(map(len, texts), initial=0), range(len(texts) + 1)))


class Block:
    """One stream of one section: its plain output lines, joined once for fast literal search.

    ``candidates(prefilter)`` finds the lines that contain a required literal.
    Small blocks use ``str.find`` per literal. In big blocks, literals are
    grouped by their rarest character (estimated from a sample of the block):
    one ``str.find`` loop over that character's occurrences checks every
    literal of the group with ``startswith`` — a shared single pass instead of
    one full scan per literal — unless the character is so common that a plain
    ``str.find`` is cheaper. Results are cached per literal, so heuristics that
    share a literal share the work.
    """

    __slots__ = ("section", "first_line", "texts", "_text", "_offsets", "_folded", "_fold_offsets",
                 "_hits", "_pending", "_freq")

    def __init__(self, document: Document, section: Section, stream: str):
        self.section = section
        part = section.stdout if stream == "stdout" else section.stderr
        self.first_line = part.first_line if part is not None else 0
        count = part.count if part is not None else 0
        texts = document.lines[self.first_line - 1:self.first_line - 1 + count] if count else []
        text = "\n".join(texts)
        if any(c in text for c in ("\x1b", "\x00", "\r", "\x9b")):
            text = _plain_joined(text)
            texts = text.split("\n")
        self._text: str | None = text
        if part is not None and part.overrides:
            texts = list(texts)
            for number, override in part.overrides.items():
                index = number - self.first_line
                if 0 <= index < len(texts):
                    texts[index] = plain_text(override)
            self._text = None
        self.texts = texts
        self._offsets: list[int] | None = None
        self._folded: str | None = None
        self._fold_offsets: list[int] | None = None
        self._hits: dict[tuple[str, bool], list[int]] = {}
        self._pending: dict[bool, set[str]] = {False: set(), True: set()}
        self._freq: dict[bool, dict[str, int]] = {}

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "\n".join(self.texts)
        return self._text

    def offsets(self) -> list[int]:
        if self._offsets is None:
            self._offsets = _line_offsets(self.texts)
        return self._offsets

    def folded(self) -> tuple[str, list[int]]:
        if self._folded is None:
            folded = fold_text(self.text)
            if len(folded) == len(self.text):
                self._fold_offsets = self.offsets()
            else:
                self._fold_offsets = _line_offsets(folded.split("\n"))
            self._folded = folded
        return self._folded, self._fold_offsets  # type: ignore[return-value]

    def expect(self, prefilter: Prefilter) -> None:
        """Register literals that will be asked for, so one anchor pass can serve them all."""
        self._pending[prefilter.fold].update(prefilter.literals)

    def _sample_freq(self, fold: bool, text: str) -> dict[str, int]:
        freq = self._freq.get(fold)
        if freq is None:
            step = max(1, len(text) // 4)
            sample = "".join(text[i:i + _SAMPLE] for i in range(0, len(text), step))
            freq = dict(Counter(sample))
            scale = len(text) / max(1, len(sample))
            freq = {c: int(n * scale) + 1 for c, n in freq.items()}
            self._freq[fold] = freq
        return freq

    def _find_all(self, text: str, literal: str) -> list[int]:
        positions = []
        find = text.find
        pos = find(literal)
        while pos != -1:
            positions.append(pos)
            pos = find(literal, pos + 1)
        return positions

    def _scan_literals(self, fold: bool, wanted: str) -> None:
        """Fill ``_hits`` for ``wanted`` (and every pending literal sharing its anchor pass)."""
        text = self.folded()[0] if fold else self.text
        positions: dict[str, list[int]] = {}
        if len(text) < BIG_BLOCK:
            positions[wanted] = self._find_all(text, wanted)
        else:
            freq = self._sample_freq(fold, text)
            find_cost = len(text) / _FIND_RATE

            def anchor(literal: str) -> str:
                return min(literal, key=lambda c: freq.get(c, 0))

            char = anchor(wanted)
            if freq.get(char, 0) * _ANCHOR_COST > find_cost:
                positions[wanted] = self._find_all(text, wanted)
            else:
                group = [(lit, lit.index(char)) for lit in {wanted, *self._pending[fold]}
                         if (lit, fold) not in self._hits and anchor(lit) == char]
                for lit, _ in group:
                    positions[lit] = []
                find = text.find
                startswith = text.startswith
                pos = find(char)
                while pos != -1:
                    for lit, off in group:
                        start = pos - off
                        if start >= 0 and startswith(lit, start):
                            positions[lit].append(start)
                    pos = find(char, pos + 1)
        offsets: list[int] = []
        if any(positions.values()):
            offsets = self.folded()[1] if fold else self.offsets()
        for lit, found in positions.items():
            lines = sorted({bisect_right(offsets, p) - 1 for p in found})
            self._hits[(lit, fold)] = lines
            self._pending[fold].discard(lit)

    def candidates(self, prefilter: Prefilter | None) -> Sequence[int]:
        """Indices of lines that may match (all lines without a prefilter)."""
        if prefilter is None:
            return range(len(self.texts))
        if not self.texts:
            return ()
        found: set[int] = set()
        for literal in prefilter.literals:
            key = (literal, prefilter.fold)
            if key not in self._hits:
                self._scan_literals(prefilter.fold, literal)
            found.update(self._hits[key])
        return sorted(found)


class _Context:
    """Per-document caches: resolved selectors, joined blocks, shared regex scans."""

    def __init__(self, document: Document):
        self.document = document
        self.resolve = Resolver(document)
        self._blocks: dict[tuple[int, str], Block] = {}
        self.scans: dict[tuple[Any, ...], tuple[int, list[Evidence]]] = {}

    def blocks(self, sections: list[Section], stream: str) -> list[Block]:
        out = []
        streams = ("stdout", "stderr") if stream == "any" else (stream,)
        for section in sections:
            for name in streams:
                part = section.stdout if name == "stdout" else section.stderr
                if part is None or not part.count:
                    continue
                key = (section.index, name)
                block = self._blocks.get(key)
                if block is None:
                    block = Block(self.document, section, name)
                    self._blocks[key] = block
                out.append(block)
        return out

    def expect(self, heuristics: Sequence[Heuristic]) -> None:
        """Tell every block which literals will be searched in it (one anchor pass serves many)."""
        for heuristic in heuristics:
            for signal in heuristic.signals.values():
                if signal.prefilter is None or signal.kind == "fact":
                    continue
                sections = self.resolve(signal.selectors)
                for block in self.blocks(sections, signal.stream):
                    block.expect(signal.prefilter)


def _evidence(block: Block, index: int, match: Any, span: tuple[int, int] | None = None) -> Evidence:
    text = block.texts[index]
    if len(text) > EVIDENCE_TEXT_CAP:
        text = text[:EVIDENCE_TEXT_CAP] + "…"
    if match is not None:
        span = match.span()
    return Evidence(line=block.first_line + index, section=block.section.key, text=text, span=span)


def _remaining(deadline: float, signal: str, line: int | None) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Timeout(signal, line)
    return left


def _scan(ctx: _Context, signal: Signal, sections: list[Section], deadline: float,
          first_only: bool = False) -> tuple[int, list[Evidence], Any]:
    """Search the selected lines: (matching line count, capped evidence, first match)."""
    compiled = signal.compiled
    count = 0
    evidence: list[Evidence] = []
    first_match = None
    literal = signal.literal
    for block in ctx.blocks(sections, signal.stream):
        texts = block.texts
        if literal is not None:  # plain text: str.find, no regex engine, nothing to time out
            for index in block.candidates(signal.prefilter):
                at = texts[index].find(literal, 0, LINE_CAP)
                if at < 0:
                    continue
                count += 1
                if len(evidence) < EVIDENCE_CAP:
                    evidence.append(_evidence(block, index, None, (at, at + len(literal))))
            continue
        for index in block.candidates(signal.prefilter):
            text = texts[index]
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Timeout(signal.name, block.first_line + index)
            try:
                match = compiled.search(text, 0, LINE_CAP, timeout=left)
            except TimeoutError:
                raise _Timeout(signal.name, block.first_line + index) from None
            if match is None:
                continue
            count += 1
            if len(evidence) < EVIDENCE_CAP:
                evidence.append(_evidence(block, index, match))
            if first_only:
                return count, evidence, match
            if first_match is None:
                first_match = match
    return count, evidence, first_match


def _compare(op: str, observed: Any, threshold: Any, compiled: Any, deadline: float,
             signal: str) -> bool | None:
    if observed is None:
        return None
    if op == "matches":
        text = observed if isinstance(observed, str) else str(observed)
        try:
            return compiled.search(text, 0, LINE_CAP,
                                   timeout=_remaining(deadline, signal, None)) is not None
        except TimeoutError:
            raise _Timeout(signal, None) from None
    if op == "equals":
        if isinstance(threshold, bool) or isinstance(observed, bool):
            if isinstance(observed, str):
                observed = observed.strip().lower() in ("true", "yes", "1", "on")
            return bool(observed) == bool(threshold) if isinstance(observed, bool) else None
        if as_number(threshold) is None and parse_version(threshold) is None:
            return str(observed).strip() == str(threshold).strip()
        result = compare_values(observed, threshold)
        return None if result is None else result == 0
    result = compare_values(observed, threshold)
    if result is None:
        return None
    if op == "below":
        return result < 0
    if op == "at_most":
        return result <= 0
    if op == "at_least":
        return result >= 0
    return result > 0  # above


def _comparators(signal: Signal, observed: Any, deadline: float) -> bool | None:
    values = [_compare(c.op, observed, c.value, c.compiled, deadline, signal.name)
              for c in signal.comparators]
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def evaluate_signal(ctx: _Context, signal: Signal, deadline: float) -> SignalResult:
    """One signal's value and evidence on the context's document."""
    if signal.kind == "fact":
        value = ctx.document.facts.get(signal.fact or "")
        observed = None if value is None else str(value)
        return SignalResult(signal.name, _comparators(signal, value, deadline), observed=observed)
    sections = ctx.resolve(signal.selectors)
    if not sections:
        return SignalResult(signal.name, None)
    if signal.kind == "extract":
        _, evidence, match = _scan(ctx, signal, sections, deadline, first_only=True)
        if match is None:
            return SignalResult(signal.name, None)
        captured = match.group(1)
        if captured is None:
            return SignalResult(signal.name, None, evidence=evidence)
        return SignalResult(signal.name, _comparators(signal, captured, deadline),
                            evidence=evidence, observed=captured)
    key = (signal.selectors, signal.stream, signal.pattern)
    cached = ctx.scans.get(key)
    if cached is None:
        count, evidence, _ = _scan(ctx, signal, sections, deadline)
        ctx.scans[key] = (count, evidence)
    else:
        count, evidence = cached
    hit = count >= signal.min_count
    value = not hit if signal.absent else hit
    return SignalResult(signal.name, value, evidence=list(evidence),
                        truncated=max(0, count - len(evidence)), observed=None)


def evaluate_heuristic(ctx: _Context, heuristic: Heuristic, timeout: float) -> Finding | None:
    """The finding for one heuristic, or None when its ``when`` is not definitely true.

    Raises ``_Timeout`` when the heuristic's budget runs out.
    """
    deadline = time.monotonic() + timeout
    ordered = sorted(heuristic.signals.values(), key=lambda s: _KIND_ORDER[s.kind])
    values: dict[str, bool | None] = {}
    results: dict[str, SignalResult] = {}
    for signal in ordered:
        result = evaluate_signal(ctx, signal, deadline)
        results[signal.name] = result
        values[signal.name] = result.value
        if len(values) < len(ordered) and evaluate_when(heuristic.when_node, values) is False:
            return None  # no value of the remaining signals can make it true
    if evaluate_when(heuristic.when_node, values) is not True:
        return None
    ordered_results = {name: results[name] for name in heuristic.signals}
    return Finding(heuristic=heuristic, signals=ordered_results)


def evaluate(document: Document, library: Library | Sequence[Heuristic],
             timeout: float = DEFAULT_TIMEOUT) -> Findings:
    """Match every heuristic of ``library`` against ``document``.

    ``timeout`` is each heuristic's budget in seconds (all its regex searches
    together). Never raises for a heuristic's sake: timeouts and unexpected
    errors become ``Findings.errors`` entries and the other heuristics still run.
    """
    heuristics = library.heuristics if isinstance(library, Library) else list(library)
    ctx = _Context(document)
    ctx.expect(heuristics)
    matches: list[Finding] = []
    errors: list[HeuristicError] = []
    for heuristic in heuristics:
        try:
            finding = evaluate_heuristic(ctx, heuristic, timeout)
        except _Timeout as exc:
            where = f" at line {exc.line}" if exc.line else ""
            errors.append(HeuristicError(
                heuristic.id, f"signal '{exc.signal}' timed out after {timeout:g} s{where} "
                              "(regex too slow on this input: catastrophic backtracking?)"))
            continue
        except Exception as exc:  # noqa: BLE001 - one broken heuristic must not stop the scan
            errors.append(HeuristicError(heuristic.id, f"internal error: {type(exc).__name__}: {exc}"))
            continue
        if finding is not None:
            matches.append(finding)
    return Findings(matches=matches, errors=errors)


__all__ = ["DEFAULT_TIMEOUT", "EVIDENCE_CAP", "LINE_CAP", "evaluate", "evaluate_heuristic",
           "evaluate_signal"]
