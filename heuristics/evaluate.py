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

import re
import time
from collections import Counter
from collections.abc import Sequence
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
# The first alternative alone (CSI: colours, cursor moves), twice as fast as the full pattern.
# When it leaves no ESC behind (and there was no 8-bit CSI), every ESC of the text started a
# CSI sequence, which is exactly where the full pattern would also have matched the same text.
_CSI_JOINED = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
BIG_BLOCK = 1 << 19  # below this many characters a plain str.find per literal is cheapest
_SAMPLE = 1 << 14
_FIND_RATE = 2.0e9  # characters per second str.find scans (measured, 2-core bench machine)
_ANCHOR_COST = 0.4e-6  # seconds per anchor-character occurrence visited in Python


def _strip_escapes(text: str) -> str:
    if "\x9b" not in text:
        stripped = _CSI_JOINED.sub("", text)
        if "\x1b" not in stripped:
            return stripped
    return _ESCAPES_JOINED.sub("", text)


def _plain_joined(text: str) -> str:
    """``plain_text`` applied to every line of a ``\n``-joined block, in one pass."""
    if "\x1b" in text or "\x9b" in text:
        text = _strip_escapes(text)
    if "\x00" in text:
        text = text.replace("\x00", "")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if text.endswith("\r"):
            text = text[:-1]
    return text


class Block:
    """One stream of one section: its plain output lines, joined once for fast literal search.

    ``candidates(prefilter)`` finds the lines that contain a required literal:
    ``str.find`` over the joined text (C speed; no per-line Python work on lines
    without a hit), each hit mapped to its line index by counting newlines from
    the previous hit, so no line-offset table is ever built. A literal that
    contains another requested literal is looked for only in that literal's
    lines. In big blocks, literals may also be grouped by their rarest character
    (estimated from a sample): one ``str.find`` loop over that character's
    occurrences checks every literal of the group with ``startswith`` — used
    only when a cost model says it beats one plain scan per literal. Results are
    cached per literal, so heuristics that share a literal share the work.

    Line texts: when the block needed no cleaning (no ANSI/NUL/CR, no glued
    ``real`` override) a line is read straight from ``Document.lines``; otherwise
    from the cleaned joined text at the line start recorded by the scan, and
    the full per-line list (``texts``) is only split out when a signal without
    a prefilter needs every line.
    """

    __slots__ = ("section", "stream_name", "first_line", "count", "_lines", "_part", "_text", "_texts", "_direct",
                 "_folded", "_starts", "_hits", "_pending", "_freq")

    def __init__(self, document: Document, section: Section, stream: str):
        self.section = section
        self.stream_name = stream
        part = section.stdout if stream == "stdout" else section.stderr
        self._part = part
        self.first_line = part.first_line if part is not None else 0
        self.count = part.count if part is not None else 0
        self._lines = document.lines
        self._text: str | None = None
        self._texts: list[str] | None = None
        self._direct = True  # line i is document.lines[first_line - 1 + i] as is
        self._folded: str | None = None
        self._starts: dict[int, int] = {}
        self._hits: dict[tuple[str, bool], list[int]] = {}
        self._pending: dict[bool, set[str]] = {False: set(), True: set()}
        self._freq: dict[bool, dict[str, int]] = {}

    # -- text --------------------------------------------------------------
    def _raw(self) -> list[str]:
        start = self.first_line - 1
        return self._lines[start:start + self.count] if self.count else []

    @property
    def text(self) -> str:
        """The plain lines joined with ``\\n`` (built once, on first use)."""
        if self._text is None:
            text = "\n".join(self._raw())
            if "\x1b" in text or "\x00" in text or "\r" in text or "\x9b" in text:
                text = _plain_joined(text)
                self._direct = False
            part = self._part
            if part is not None and part.overrides:
                texts = text.split("\n")
                for number, override in part.overrides.items():
                    index = number - self.first_line
                    if 0 <= index < len(texts):
                        texts[index] = plain_text(override)
                text = "\n".join(texts)
                self._texts = texts
                self._direct = False
            self._text = text
        return self._text

    @property
    def texts(self) -> list[str]:
        """Every plain line (a list; split out of the joined text only when needed)."""
        if self._texts is None:
            text = self.text
            self._texts = self._raw() if self._direct else text.split("\n")
        return self._texts

    def line(self, index: int) -> str:
        """Plain text of line ``index`` of the block."""
        if self._texts is not None:
            return self._texts[index]
        text = self.text  # also decides ``_direct``
        if self._direct:
            return self._lines[self.first_line - 1 + index]
        start = self._starts.get(index)
        if start is None:
            return self.texts[index]
        end = text.find("\n", start)
        return text[start:] if end < 0 else text[start:end]

    def folded(self) -> str:
        if self._folded is None:
            self._folded = fold_text(self.text)
        return self._folded

    def _searched(self, fold: bool) -> tuple[str, bool]:
        """The text searched for ``fold`` literals, and whether its offsets are the plain text's."""
        if not fold:
            return self.text, True
        folded = self.folded()
        return folded, len(folded) == len(self.text)

    # -- literal search ------------------------------------------------------
    def expect(self, prefilter: Prefilter) -> None:
        """Register literals that will be asked for, so scans can be shared."""
        self._pending[prefilter.fold].update(prefilter.literals)

    def _sample_freq(self, fold: bool, text: str) -> dict[str, int]:
        freq = self._freq.get(fold)
        if freq is None:
            step = max(1, len(text) // 4)
            sample = "".join(text[i:i + _SAMPLE] for i in range(0, len(text), step))
            counts = Counter(sample)
            scale = len(text) / max(1, len(sample))
            freq = {c: int(n * scale) + 1 for c, n in counts.items()}
            self._freq[fold] = freq
        return freq

    def _line_indices(self, text: str, positions: Sequence[int], aligned: bool) -> list[int]:
        """Sorted distinct line indices of ascending ``positions`` in ``text``."""
        out: list[int] = []
        starts = self._starts if aligned and not self._direct else None
        count, rfind = text.count, text.rfind
        index = last = 0
        previous = -1
        for pos in positions:
            start = rfind("\n", 0, pos) + 1
            if start == previous:
                continue
            index += count("\n", last, start)
            last = previous = start
            out.append(index)
            if starts is not None:
                starts[index] = start
        return out

    def _find_lines(self, text: str, literal: str, aligned: bool) -> list[int]:
        """Line indices containing ``literal``: one ``str.find`` scan, skipping to the next line
        after each hit, newlines counted incrementally between hits."""
        out: list[int] = []
        starts = self._starts if aligned and not self._direct else None
        find, count, rfind = text.find, text.count, text.rfind
        index = last = 0
        pos = find(literal)
        while pos != -1:
            start = rfind("\n", 0, pos) + 1
            index += count("\n", last, start)
            last = start
            out.append(index)
            if starts is not None:
                starts[index] = start
            end = find("\n", pos + len(literal))
            if end == -1:
                break
            pos = find(literal, end + 1)
        return out

    def _contained(self, fold: bool, literal: str) -> str | None:
        """The longest other requested literal inside ``literal`` (its lines are a superset)."""
        best = None
        for other in (*self._pending[fold], *(lit for lit, f in self._hits if f == fold)):
            if other != literal and other in literal and (best is None or len(other) > len(best)):
                best = other
        return best

    def _scan_literals(self, fold: bool, wanted: str) -> None:
        """Fill ``_hits`` for ``wanted`` (and every pending literal sharing its anchor pass)."""
        base = self._contained(fold, wanted)
        if base is not None:
            key = (base, fold)
            if key not in self._hits:
                self._scan_literals(fold, base)
            if fold:
                lines = [i for i in self._hits[key] if wanted in fold_text(self.line(i))]
            else:
                lines = [i for i in self._hits[key] if wanted in self.line(i)]
            self._hits[(wanted, fold)] = lines
            self._pending[fold].discard(wanted)
            return
        text, aligned = self._searched(fold)
        if not aligned:
            self.texts  # noqa: B018 - folded offsets differ from the plain text's: read lines from the list
        if len(text) >= BIG_BLOCK:
            freq = self._sample_freq(fold, text)

            def anchor(literal: str) -> str:
                return min(literal, key=lambda c: freq.get(c, 0))

            char = anchor(wanted)
            if freq.get(char, 0) * _ANCHOR_COST <= len(text) / _FIND_RATE:
                group = [(lit, lit.index(char)) for lit in {wanted, *self._pending[fold]}
                         if (lit, fold) not in self._hits and anchor(lit) == char
                         and (lit == wanted or self._contained(fold, lit) is None)]
                positions: dict[str, list[int]] = {lit: [] for lit, _ in group}
                find, startswith = text.find, text.startswith
                pos = find(char)
                while pos != -1:
                    for lit, off in group:
                        start = pos - off
                        if start >= 0 and startswith(lit, start):
                            positions[lit].append(start)
                    pos = find(char, pos + 1)
                for lit, found in positions.items():
                    found.sort()
                    self._hits[(lit, fold)] = self._line_indices(text, found, aligned)
                    self._pending[fold].discard(lit)
                return
        self._hits[(wanted, fold)] = self._find_lines(text, wanted, aligned)
        self._pending[fold].discard(wanted)

    def candidates(self, prefilter: Prefilter | None) -> Sequence[int]:
        """Indices of lines that may match (all lines without a prefilter)."""
        if prefilter is None:
            return range(self.count)
        if not self.count:
            return ()
        found: list[int] = []
        for literal in prefilter.literals:
            key = (literal, prefilter.fold)
            if key not in self._hits:
                self._scan_literals(prefilter.fold, literal)
            found.extend(self._hits[key])
        if len(prefilter.literals) == 1:
            return found
        return sorted(set(found))


class _Context:
    """Per-document caches: resolved selectors, joined blocks, shared regex scans."""

    def __init__(self, document: Document, prefilter: bool = True):
        self.document = document
        self.prefilter = prefilter
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
                if signal.prefilter is None or signal.kind == "fact" or not self.prefilter:
                    continue
                sections = self.resolve(signal.selectors)
                for block in self.blocks(sections, signal.stream):
                    block.expect(signal.prefilter)


def _evidence(block: Block, index: int, match: Any, span: tuple[int, int] | None = None) -> Evidence:
    text = block.line(index)
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
    prefilter = signal.prefilter if ctx.prefilter else None
    literal = signal.literal if ctx.prefilter else None
    for block in ctx.blocks(sections, signal.stream):
        line = block.line
        if literal is not None:  # plain text: str.find, no regex engine, nothing to time out
            for index in block.candidates(prefilter):
                at = line(index).find(literal, 0, LINE_CAP)
                if at < 0:
                    continue
                count += 1
                if len(evidence) < EVIDENCE_CAP:
                    evidence.append(_evidence(block, index, None, (at, at + len(literal))))
            continue
        for index in block.candidates(prefilter):
            text = line(index)
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
             timeout: float = DEFAULT_TIMEOUT, prefilter: bool = True) -> Findings:
    """Match every heuristic of ``library`` against ``document``.

    ``timeout`` is each heuristic's budget in seconds (all its regex searches
    together). Never raises for a heuristic's sake: timeouts and unexpected
    errors become ``Findings.errors`` entries and the other heuristics still run.
    ``prefilter=False`` verifies every selected line with the regex engine (no
    literal search, no ``str.find`` shortcut): the slow reference the fast path
    is tested against.
    """
    heuristics = library.heuristics if isinstance(library, Library) else list(library)
    ctx = _Context(document, prefilter)
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
