"""The evaluator: ``evaluate(document, library) -> Findings``.

Per heuristic, every signal gets a value (True / False / None = unknown) and
evidence; the parsed ``when`` is evaluated with Kleene logic (see ``when.py``)
and the heuristic is a finding only when it is definitely True.

Signal semantics (decided here where docs/heuristic-format.md is silent):

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

Safety: every regex search uses the ``regex`` module with ``timeout=`` (the
heuristic's remaining budget: ``timeout`` seconds per heuristic for all its
regex searches and comparators together); a heuristic that runs out is
reported in ``Findings.errors`` and the others still run.

Speed and memory: evaluation is section-major. Fact signals are evaluated
first, per heuristic; a heuristic whose ``when`` is already false gets no
scans. Every other signal becomes a scan job (identical selectors, stream and
pattern share one). Then each selected stream block is visited once, in file
order, in chunks of whole lines (about ``CHUNK_CHARS`` characters): a chunk is
joined, cleaned (ANSI, NUL, CR, overrides) and case-folded only when needed,
every required literal (``prefilter.py``) of every job that selects the block
is searched in it with ``str.find`` (hits mapped to lines through the chunk's
line-start table), only candidate lines are verified with the regex, and the
chunk is released. Literal and regex matches never span lines, so chunking by
whole lines is exact; the evaluator's extra memory is a few chunks' worth,
whatever the section size. The heuristics' ``when`` walk (signal order, early
exit, timeouts, errors) then runs on the finished scans exactly as if each
signal had been scanned on demand.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import accumulate
from typing import Any

from triagebench.parser import Document, Section, plain_text
from triagebench.parser.times import MarkerRule, marker_rule

from .comparators import OPERATORS
from .format import Comparator, Heuristic, Library, Signal, pattern_of
from .guards import LINE_CAP
from .model import Evidence, Finding, Findings, HeuristicError, SignalResult
from .prefilter import Prefilter, fold_text
from .selectors import Resolver
from .timeline import count_events, counted, judge
from .when import evaluate_when

EVIDENCE_CAP = 50
EVIDENCE_TEXT_CAP = 4096
DEFAULT_TIMEOUT = 1.0
DEFAULT_BUDGET = 10.0  # seconds for every heuristic of one scan together
CHUNK_CHARS = 4 << 20  # characters of a block joined at a time (a chunk never splits a line)

_KIND_ORDER = {"fact": 0, "extract": 1, "regex": 2}


class _Budget(Exception):
    """The whole scan's time budget ran out before this heuristic's scans finished."""


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
BIG_BLOCK = 1 << 19  # below this many characters (per chunk) a plain str.find per literal is cheapest
_SAMPLE = 1 << 14
_FIND_RATE = 4.0e9  # characters per second str.find scans (measured: 2.4-5.5e9, 2-core bench machine)
_ANCHOR_COST = 0.4e-6  # seconds per anchor-character occurrence visited in Python
_REGEX_RATE = 3.0e8  # characters per second ``re`` scans for a set of first characters (measured)
_REGEX_HIT_COST = 80e-9  # seconds per anchor-character occurrence tried by the combined regex
_NEXT_START = (1).__add__  # line length -> distance to the next line's start


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


class _Scan:
    """Per block: the literals that will be searched in it, which literal contains which,
    and (for big chunks) the characters' rates, sampled once, for the anchor pass."""

    __slots__ = ("wanted", "_bases", "_rates", "_anchors", "_multi")

    def __init__(self, wanted: dict[bool, set[str]]):
        self.wanted = wanted
        self._bases: dict[tuple[str, bool], str | None] = {}
        self._rates: dict[bool, dict[str, float]] = {}
        self._anchors: dict[tuple[str, bool], str] = {}
        self._multi: dict[bool, _Multi | None] = {}

    def multi(self, fold: bool, text: str) -> _Multi | None:
        """The combined regex for this block's literals, when the cost model prefers it to a
        ``str.find`` scan per literal (or per rare anchor character); decided once per block."""
        if fold in self._multi:
            return self._multi[fold]
        rates = self.rates(fold, text)
        # literals whose rarest character is rare enough go to the Python anchor pass (cheap);
        # the combined regex is only weighed against one ``str.find`` per remaining literal
        common = {lit: char for lit in self.wanted[fold] if self.base(fold, lit) is None
                  and rates.get(char := self.anchor(fold, lit), 0.0) * _ANCHOR_COST > 1 / _FIND_RATE}
        plain = len(common) / _FIND_RATE  # seconds per character
        combined = 1 / _REGEX_RATE + sum(rates.get(c, 0.0) for c in set(common.values())) * _REGEX_HIT_COST
        found = _Multi(common) if len(common) > 1 and combined < plain else None
        self._multi[fold] = found
        return found

    def base(self, fold: bool, literal: str) -> str | None:
        """The longest other wanted literal inside ``literal`` (its lines are a superset)."""
        key = (literal, fold)
        if key not in self._bases:
            best = None
            for other in self.wanted[fold]:
                if other != literal and other in literal and (best is None or len(other) > len(best)):
                    best = other
            self._bases[key] = best
        return self._bases[key]

    def rates(self, fold: bool, text: str) -> dict[str, float]:
        rates = self._rates.get(fold)
        if rates is None:
            step = max(1, len(text) // 4)
            sample = "".join(text[i:i + _SAMPLE] for i in range(0, len(text), step))
            size = max(1, len(sample))
            rates = {c: n / size for c, n in Counter(sample).items()}
            self._rates[fold] = rates
        return rates

    def anchor(self, fold: bool, literal: str) -> str:
        key = (literal, fold)
        char = self._anchors.get(key)
        if char is None:
            rates = self._rates[fold]
            char = self._anchors[key] = min(literal, key=lambda c: rates.get(c, 0.0))
        return char


class _Multi:
    """Many literals in one C-speed pass: a ``re`` alternation that starts with each literal's
    anchor character (so ``re`` scans for that character set) and checks the rest with
    look-arounds, consuming only the anchor, so no occurrence is skipped. An empty marker group
    names the literal that matched; the other literals on the same anchor occurrence are checked
    with ``startswith``."""

    __slots__ = ("pattern", "by_group", "siblings", "members")

    def __init__(self, anchors: dict[str, str]):
        self.members = frozenset(anchors)
        grouped: dict[str, list[str]] = {}
        for lit, char in anchors.items():
            grouped.setdefault(char, []).append(lit)
        parts = []
        self.by_group: list[str] = [""]
        self.siblings: dict[str, list[tuple[str, int]]] = {}
        for char, lits in grouped.items():
            branches = []
            for lit in lits:
                off = lit.index(char)
                pre, post = lit[:off], lit[off + 1:]
                branch = f"(?={re.escape(post)})" if post else ""
                if pre:
                    branch += f"(?<={re.escape(pre + char)})"
                branches.append(branch + "()")
                self.by_group.append(lit)
                self.siblings.setdefault(char, []).append((lit, off))
            parts.append(re.escape(char) + "(?:" + "|".join(branches) + ")")
        self.pattern = re.compile("|".join(parts))

    @property
    def literals(self) -> list[str]:
        return self.by_group[1:]


class _Chunk:
    """Consecutive whole lines of one block (from block line ``offset``), joined and cleaned.

    ``texts`` are the plain lines (for a chunk that needed no cleaning, a slice of
    ``Document.lines``; otherwise split out of the cleaned text on first use).
    ``hits(literal, fold)``: the chunk line indices containing ``literal``, one
    ``str.find`` scan that skips to the next line after each hit; a hit becomes a
    line index by bisecting the chunk's line-start table (built on first hit).
    """

    __slots__ = ("offset", "count", "text", "_texts", "_folded", "_starts", "_hits", "_scan")

    def __init__(self, offset: int, count: int, text: str, texts: list[str] | None, scan: _Scan):
        self.offset = offset
        self.count = count
        self.text = text
        self._texts = texts
        self._folded: str | None = None
        self._starts: dict[bool, list[int]] = {}
        self._hits: dict[tuple[str, bool], list[int]] = {}
        self._scan = scan

    @property
    def texts(self) -> list[str]:
        if self._texts is None:
            self._texts = self.text.split("\n")
        return self._texts

    def searched(self, fold: bool) -> str:
        if not fold:
            return self.text
        if self._folded is None:
            self._folded = fold_text(self.text)
        return self._folded

    def starts(self, fold: bool) -> list[int]:
        """Offsets of every line of the searched text, plus ``len(text) + 1``."""
        if fold and len(self.searched(True)) == len(self.text):
            fold = False  # same offsets: every character folded to one character
        starts = self._starts.get(fold)
        if starts is None:
            texts = self._folded.split("\n") if fold and self._folded is not None else self.texts
            starts = self._starts[fold] = list(accumulate(map(_NEXT_START, map(len, texts)), initial=0))
        return starts

    def _find(self, text: str, literal: str, fold: bool) -> list[int]:
        find = text.find
        pos = find(literal)
        if pos < 0:
            return []
        starts = self.starts(fold)
        out: list[int] = []
        append = out.append
        while pos >= 0:
            index = bisect_right(starts, pos) - 1
            append(index)
            pos = find(literal, starts[index + 1])
        return out

    def _line_indices(self, positions: list[int], fold: bool) -> list[int]:
        starts = self.starts(fold)
        out: list[int] = []
        last = -1
        for pos in positions:
            index = bisect_right(starts, pos) - 1
            if index != last:
                out.append(index)
                last = index
        return out

    def hits(self, literal: str, fold: bool) -> list[int]:
        """Sorted chunk line indices of the lines containing ``literal`` (in the folded text
        when ``fold``). Cached: jobs that share a literal share the scan."""
        key = (literal, fold)
        found = self._hits.get(key)
        if found is not None:
            return found
        scan = self._scan
        text = self.searched(fold)
        base = scan.base(fold, literal)
        if base is not None:
            base_lines = self.hits(base, fold)
            if base_lines:
                starts, find = self.starts(fold), text.find
                found = [i for i in base_lines if find(literal, starts[i], starts[i + 1] - 1) >= 0]
            else:
                found = []
        elif len(text) >= BIG_BLOCK and (self._multi_pass(text, literal, fold)
                                         or self._anchor_pass(text, literal, fold)):
            return self._hits[key]
        else:
            found = self._find(text, literal, fold)
        self._hits[key] = found
        return found

    def _multi_pass(self, text: str, wanted: str, fold: bool) -> bool:
        """Fill the hits of every literal of the block's combined regex (if it has one)."""
        multi = self._scan.multi(fold, text)
        if multi is None or wanted not in multi.members:
            return False
        positions: dict[str, list[int]] = {lit: [] for lit in multi.literals}
        by_group, siblings, startswith = multi.by_group, multi.siblings, text.startswith
        for match in multi.pattern.finditer(text):
            pos = match.start()
            first = by_group[match.lastindex]
            for lit, off in siblings[text[pos]]:
                start = pos - off
                if lit is first or (start >= 0 and startswith(lit, start)):
                    positions[lit].append(start)
        for lit, found in positions.items():
            self._hits[(lit, fold)] = self._line_indices(found, fold) if found else []
        return True

    def _anchor_pass(self, text: str, wanted: str, fold: bool) -> bool:
        """Literals grouped by their rarest character (rates sampled once per block): one
        ``str.find`` loop over that character checks the whole group with ``startswith``.
        Used only when the cost model says it beats one plain scan per literal."""
        scan = self._scan
        rates = scan.rates(fold, text)
        char = scan.anchor(fold, wanted)
        if (int(rates.get(char, 0.0) * len(text)) + 1) * _ANCHOR_COST > len(text) / _FIND_RATE:
            return False
        group = [(lit, lit.index(char)) for lit in {wanted, *scan.wanted[fold]}
                 if (lit, fold) not in self._hits and scan.anchor(fold, lit) == char
                 and (lit == wanted or scan.base(fold, lit) is None)]
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
            self._hits[(lit, fold)] = self._line_indices(found, fold) if found else []
        return True

    def candidates(self, prefilter: Prefilter | None) -> Sequence[int]:
        """Chunk line indices that may match (all lines without a prefilter)."""
        if prefilter is None:
            return range(self.count)
        literals, fold = prefilter.literals, prefilter.fold
        if len(literals) == 1:
            return self.hits(literals[0], fold)
        found: list[int] = []
        for literal in literals:
            found.extend(self.hits(literal, fold))
        return sorted(set(found))


class Block:
    """One stream of one section, read in chunks of whole lines (``chunks()``).

    The evaluator never holds more than one chunk of a block. ``texts`` and
    ``candidates`` give whole-block views (tests and tools; they walk every chunk).
    """

    __slots__ = ("section", "stream_name", "first_line", "count", "_lines", "_part", "_wanted")

    def __init__(self, document: Document, section: Section, stream: str):
        self.section = section
        self.stream_name = stream
        part = section.stdout if stream == "stdout" else section.stderr
        self._part = part
        self.first_line = part.first_line if part is not None else 0
        self.count = part.count if part is not None else 0
        self._lines = document.lines
        self._wanted: dict[bool, set[str]] = {False: set(), True: set()}

    def expect(self, prefilter: Prefilter) -> None:
        """Register literals that will be asked for, so scans can be shared."""
        self._wanted[prefilter.fold].update(prefilter.literals)

    def chunks(self) -> Iterator[_Chunk]:
        """The block in order, as chunks of about ``CHUNK_CHARS`` characters."""
        if not self.count:
            return
        scan = _Scan(self._wanted)
        lines, base, count = self._lines, self.first_line - 1, self.count
        overrides = self._part.overrides if self._part is not None else None
        start = 0
        size_hint = max(1, CHUNK_CHARS // 128)
        while start < count:
            raw = lines[base + start:base + min(count, start + size_hint)]
            size = sum(map(len, raw)) + len(raw)
            if size > 2 * CHUNK_CHARS and len(raw) > 1:
                size_hint = max(1, len(raw) * CHUNK_CHARS // size)
                continue
            yield self._chunk(start, raw, overrides, scan)
            start += len(raw)
            size_hint = max(1, len(raw) * CHUNK_CHARS // size)

    def _chunk(self, start: int, raw: list[str], overrides: dict[int, str] | None, scan: _Scan) -> _Chunk:
        text = "\n".join(raw)
        texts: list[str] | None = raw
        if "\x1b" in text or "\x00" in text or "\r" in text or "\x9b" in text:
            text = _plain_joined(text)
            texts = None
        if overrides:
            low = self.first_line + start
            inside = [(n - low, o) for n, o in overrides.items() if low <= n < low + len(raw)]
            if inside:
                texts = text.split("\n") if texts is None else list(raw)
                for index, override in inside:
                    texts[index] = plain_text(override)
                text = "\n".join(texts)
        return _Chunk(start, len(raw), text, texts, scan)

    @property
    def texts(self) -> list[str]:
        """Every plain line of the block."""
        return [text for chunk in self.chunks() for text in chunk.texts]

    def candidates(self, prefilter: Prefilter | None) -> Sequence[int]:
        """Block line indices that may match (all lines without a prefilter)."""
        if prefilter is None:
            return range(self.count)
        self.expect(prefilter)
        out: list[int] = []
        for chunk in self.chunks():
            offset = chunk.offset
            out.extend(offset + i for i in chunk.candidates(prefilter))
        return out


def _evidence(document: Document, hits: Sequence[tuple[int, int, int]]) -> list[Evidence]:
    """Evidence items (text as matched: plain, overrides applied; time and boot) for ``hits``."""
    out: list[Evidence] = []
    for line, start, end in hits:
        section = document.section_at(line)
        text = document.output_text(section, line) if section is not None else document.plain(line)
        if len(text) > EVIDENCE_TEXT_CAP:
            text = text[:EVIDENCE_TEXT_CAP] + "…"
        found = document.line_time(line)
        out.append(Evidence(line=line, section=section.key if section is not None else "", text=text,
                            span=(start, end), time=found.when if found is not None else None,
                            boot=found.boot if found is not None else None))
    return out


_PENDING = object()


class _Plan:
    """One heuristic's evaluation state: its remaining time budget, values so far, outcome."""

    __slots__ = ("heuristic", "left", "ordered", "values", "results", "position", "outcome")

    def __init__(self, heuristic: Heuristic | None, timeout: float):
        self.heuristic = heuristic
        self.left = timeout
        signals = heuristic.signals.values() if heuristic is not None else ()
        self.ordered = sorted(signals, key=lambda s: _KIND_ORDER[s.kind])
        self.values: dict[str, bool | None] = {}
        self.results: dict[str, SignalResult] = {}
        self.position = 0  # next signal of ``ordered`` to evaluate
        self.outcome: Any = _PENDING  # then a Finding, None or the exception that ended it

    def charge(self, started: float) -> None:
        self.left -= time.monotonic() - started


class _Job:
    """One scan (a regex or extract signal's pattern over its selected blocks), shared by
    every heuristic whose signal has the same selectors, stream and pattern."""

    __slots__ = ("signal", "first_only", "owners", "hits", "match", "done", "failed")

    def __init__(self, signal: Signal):
        self.signal = signal
        self.first_only = signal.kind == "extract"
        self.owners: list[_Plan] = []
        self.hits: list[tuple[int, int, int]] = []  # (line, match start, match end), file order
        self.match: Any = None
        self.done = False
        self.failed: dict[int, BaseException] = {}  # id(plan) -> its _Timeout / error

    @property
    def active(self) -> bool:
        return not self.done and any(id(p) not in self.failed for p in self.owners)

    def _fail(self, plans: Sequence[_Plan], exc: BaseException) -> None:
        for plan in plans:
            self.failed.setdefault(id(plan), exc)

    def run(self, block: Block, chunk: _Chunk, prefilter: bool) -> None:
        """Verify this chunk's candidate lines."""
        signal = self.signal
        live = [p for p in self.owners if id(p) not in self.failed]
        try:
            candidates = chunk.candidates(signal.prefilter if prefilter else None)
            if not candidates:
                return
            texts = chunk.texts
            first = block.first_line + chunk.offset
            hits = self.hits
            literal = signal.literal if prefilter else None
            if literal is not None:  # plain text: str.find, no regex engine, nothing to time out
                size = len(literal)
                for index in candidates:
                    text = texts[index]
                    at = text.find(literal, 0, LINE_CAP)
                    if at >= 0:
                        hits.append((first + index, at, at + size))
                return
            spent = [p for p in live if p.left <= 0]
            if spent:  # out of budget before this search: times out at its first candidate
                self._fail(spent, _Timeout(signal.name, first + candidates[0]))
                live = [p for p in live if p.left > 0]
                if not live:
                    return
            pattern = pattern_of(signal)  # compiled here on first use: not charged to the budget
            if pattern is None:
                raise ValueError(f"signal {signal.name!r} has no usable pattern")
            started = time.monotonic()
            deadline = started + max(p.left for p in live)
            search, monotonic = pattern.search, time.monotonic
            try:
                for index in candidates:
                    text = texts[index]
                    left = deadline - monotonic()
                    if left <= 0:
                        raise _Timeout(signal.name, first + index)
                    try:
                        match = search(text, 0, LINE_CAP, timeout=left)
                    except TimeoutError:
                        raise _Timeout(signal.name, first + index) from None
                    if match is None:
                        continue
                    hits.append((first + index, *match.span()))
                    if self.first_only:
                        self.match = match
                        self.done = True
                        return
            finally:
                for plan in live:
                    plan.charge(started)
        except _Timeout as exc:
            self._fail(live, exc)
        except Exception as exc:  # noqa: BLE001 - reported for the owners, the others still run
            self._fail(live, exc)


class _Markers:
    """Boot markers (``parser.times.marker_rule``) found while a log block is scanned anyway:
    one ``str.find`` per needle per chunk, instead of another pass over the lines later."""

    __slots__ = ("rule", "found")

    def __init__(self, rule: MarkerRule):
        self.rule = rule
        self.found: list[int] = []

    @classmethod
    def for_block(cls, document: Document, block: Block) -> _Markers | None:
        rule = marker_rule(document, block.section)
        if rule is None or block.first_line in document.clock.section_clock(block.section.index).markers:
            return None
        return cls(rule)

    def scan(self, block: Block, chunk: _Chunk) -> None:
        text, first = chunk.text, block.first_line + chunk.offset
        lines: set[int] = set()
        for needle in self.rule.needles:
            if self.rule.at_start:
                if text.startswith(needle):
                    lines.add(0)
                needle = "\n" + needle
            pos = text.find(needle)
            while pos >= 0:
                start = pos + 1 if self.rule.at_start else pos
                index = bisect_right(chunk.starts(False), start) - 1
                lines.add(index)
                following = chunk.starts(False)[index + 1]  # the next line (its "\n" when at_start)
                pos = text.find(needle, following - 1 if self.rule.at_start else following)
        self.found.extend(first + index for index in sorted(lines))


class _Context:
    """Per-document state: resolved selectors, the scan jobs and the blocks they select."""

    def __init__(self, document: Document, prefilter: bool = True, deadline: float = float("inf")):
        self.document = document
        self.prefilter = prefilter
        self.deadline = deadline  # time.monotonic() after which no more scanning starts
        self.resolve = Resolver(document)
        self.jobs: dict[tuple[Any, ...], _Job] = {}
        self._block_jobs: dict[tuple[int, int], tuple[Section, str, list[_Job]]] = {}

    def job(self, signal: Signal, sections: list[Section]) -> _Job:
        key = (signal.kind, signal.selectors, signal.stream, signal.pattern)
        job = self.jobs.get(key)
        if job is None:
            job = self.jobs[key] = _Job(signal)
            streams = ("stdout", "stderr") if signal.stream == "any" else (signal.stream,)
            for section in sections:
                for name in streams:
                    part = section.stdout if name == "stdout" else section.stderr
                    if part is None or not part.count:
                        continue
                    order = 0 if name == "stdout" else 1
                    entry = self._block_jobs.get((section.index, order))
                    if entry is None:
                        entry = self._block_jobs[(section.index, order)] = (section, name, [])
                    entry[2].append(job)
        return job

    def run(self) -> None:
        """Every pending job, section-major: each block read once, chunk by chunk, in file order."""
        for key in sorted(self._block_jobs):
            section, name, jobs = self._block_jobs.pop(key)
            jobs = [job for job in jobs if job.active]
            if not jobs:
                continue
            block = Block(self.document, section, name)
            if self.prefilter:
                for job in jobs:
                    if job.signal.prefilter is not None:
                        block.expect(job.signal.prefilter)
            markers = _Markers.for_block(self.document, block)
            for chunk in block.chunks():
                for job in jobs:
                    if time.monotonic() > self.deadline:
                        self._over_budget()
                        return
                    job.run(block, chunk, self.prefilter)
                if markers is not None:
                    markers.scan(block, chunk)
                jobs = [job for job in jobs if job.active]
                if not jobs:
                    break
            else:
                if markers is not None:  # every line was read: hand the boot markers to the parser
                    self.document.clock.provide_markers(section.index, block.first_line, markers.found)

    def _over_budget(self) -> None:
        """The scan's total budget is spent: every unfinished scan ends for all its owners."""
        for job in self.jobs.values():
            if job.active:
                job._fail(job.owners, _Budget())
        self._block_jobs.clear()


def _remaining(deadline: float, signal: str, line: int | None) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Timeout(signal, line)
    return left


def _compare(comparator: Comparator, observed: Any, deadline: float, signal: str) -> bool | None:
    if observed is None:
        return None
    try:
        return OPERATORS[comparator.op].compare(observed, comparator.value, pattern_of(comparator),
                                                lambda: _remaining(deadline, signal, None))
    except TimeoutError:
        raise _Timeout(signal, None) from None


def _comparators(signal: Signal, observed: Any, deadline: float) -> bool | None:
    values = [_compare(c, observed, deadline, signal.name)
              for c in signal.comparators]
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _fact_result(ctx: _Context, plan: _Plan, signal: Signal) -> SignalResult:
    """A fact signal's value; its evidence is the file line the fact was read from
    (``Document.fact_lines``), so a fact-based finding cites the line an agent checks."""
    document = ctx.document
    value = document.facts.get(signal.fact or "")
    observed = None if value is None else str(value)
    started = time.monotonic()
    try:
        result = SignalResult(signal.name, _comparators(signal, value, started + plan.left),
                              observed=observed)
    finally:
        plan.charge(started)
    line = document.fact_lines.get(signal.fact or "")
    if line and result.value is not None and 1 <= line <= document.line_count:
        text = document.plain(line)
        result.evidence = _evidence(document, [(line, 0, len(text))])
    return result


def _scan_result(ctx: _Context, plan: _Plan, signal: Signal) -> SignalResult:
    """A regex/extract signal's result from its finished scan job."""
    sections = ctx.resolve(signal.selectors)
    if not sections:  # the command was not captured: unknown, unless the signal says false
        return SignalResult(signal.name, False if signal.missing_false else None)
    job = ctx.job(signal, sections)
    failure = job.failed.get(id(plan))
    if isinstance(failure, _Timeout):
        raise _Timeout(signal.name, failure.line)
    if failure is not None:
        raise failure
    document = ctx.document
    if signal.kind == "extract":
        match = job.match
        if match is None:
            return SignalResult(signal.name, None)
        evidence = _evidence(document, job.hits)
        lines = [hit[0] for hit in job.hits]
        captured = match.group(1)
        if captured is None:
            return SignalResult(signal.name, None, evidence=evidence, lines=lines)
        started = time.monotonic()
        try:
            value = _comparators(signal, captured, started + plan.left)
        finally:
            plan.charge(started)
        return SignalResult(signal.name, value, evidence=evidence, observed=captured,
                            count=len(lines), lines=lines)
    hits = job.hits
    if signal.within is not None or signal.boot is not None:
        keep = set(counted(document, [hit[0] for hit in hits], signal))
        hits = [hit for hit in hits if hit[0] in keep]
    lines = [hit[0] for hit in hits]
    if signal.min_count > 1 or signal.burst is not None:
        events = count_events(document, lines, signal.burst)
    else:
        events = len(lines)
    hit = events >= signal.min_count
    value = not hit if signal.absent else hit
    evidence = _evidence(document, hits[:EVIDENCE_CAP])
    return SignalResult(signal.name, value, evidence=evidence, truncated=max(0, len(hits) - len(evidence)),
                        observed=None, count=events, lines=lines)


def _walk(ctx: _Context, plan: _Plan, scanned: bool) -> None:
    """Advance ``plan`` through its signals in order (facts, extracts, regexes), stopping as
    soon as its ``when`` can no longer be true. Before the scans (``scanned`` false) it
    stops at the first scan signal and registers the scan jobs of the rest."""
    heuristic = plan.heuristic
    assert heuristic is not None
    ordered, values, results = plan.ordered, plan.values, plan.results
    while plan.position < len(ordered):
        signal = ordered[plan.position]
        if signal.kind == "fact":
            result = _fact_result(ctx, plan, signal)
        elif not scanned:
            for rest in ordered[plan.position:]:
                sections = ctx.resolve(rest.selectors)
                if sections:
                    ctx.job(rest, sections).owners.append(plan)
            return
        else:
            result = _scan_result(ctx, plan, signal)
        plan.position += 1
        results[signal.name] = result
        values[signal.name] = result.value
        if len(values) < len(ordered) and evaluate_when(heuristic.when_node, values) is False:
            plan.outcome = None  # no value of the remaining signals can make it true
            return
    outcome = evaluate_when(heuristic.when_node, values)
    unknown: tuple[str, ...] = ()
    if outcome is None:
        unknown = _unknown_facts(heuristic, values)
    if outcome is not True and not unknown:
        plan.outcome = None
        return
    signals = {name: results[name] for name in heuristic.signals}
    verdict = judge(ctx.document, heuristic, signals)
    plan.outcome = Finding(heuristic=heuristic, signals=signals, status=verdict.status,
                           effective_severity=verdict.severity, first_seen=verdict.first_seen,
                           last_seen=verdict.last_seen, count=verdict.count, unknown_facts=unknown,
                           recovery=heuristic.recovered_by)


MAX_UNKNOWN_FACTS = 8  # assignments tried: 2 ** this at most


def _unknown_facts(heuristic: Heuristic, values: dict[str, bool | None]) -> tuple[str, ...]:
    """Issue #11 class 7: when ``when`` is unknown only because fact/extract signals are
    unknown, and some assignment of them makes it true while a positive (not ``absent``)
    regex signal is true, the finding stands; returns what could not be read (fact names, else signal
    names). Empty when the finding does not stand."""
    signals = heuristic.signals
    unknown = [name for name, value in values.items()
               if value is None and signals[name].kind != "regex" and name not in heuristic.recovered_by]
    if not unknown or len(unknown) > MAX_UNKNOWN_FACTS:
        return ()
    positive = heuristic.positive_signals
    if not any(values.get(name) is True and signals[name].kind == "regex" and not signals[name].absent
               and name in positive for name in signals):
        return ()
    trial = dict(values)
    for mask in range(1 << len(unknown)):
        for bit, name in enumerate(unknown):
            trial[name] = bool(mask >> bit & 1)
        if evaluate_when(heuristic.when_node, trial) is True:
            return tuple(signals[name].fact or name for name in unknown)
    return ()


def _step(ctx: _Context, plan: _Plan, scanned: bool) -> None:
    if plan.outcome is not _PENDING:
        return
    try:
        _walk(ctx, plan, scanned)
    except Exception as exc:  # noqa: BLE001 - _Timeout and internal errors end this heuristic only
        plan.outcome = exc


def evaluate_signal(ctx: _Context, signal: Signal, deadline: float) -> SignalResult:
    """One signal's value and evidence on the context's document (runs its scan now)."""
    plan = _Plan(None, deadline - time.monotonic())
    if signal.kind == "fact":
        return _fact_result(ctx, plan, signal)
    sections = ctx.resolve(signal.selectors)
    if sections:
        ctx.job(signal, sections).owners.append(plan)
        ctx.run()
    return _scan_result(ctx, plan, signal)


def evaluate_heuristic(ctx: _Context, heuristic: Heuristic, timeout: float) -> Finding | None:
    """The finding for one heuristic, or None when its ``when`` is not definitely true.

    Raises ``_Timeout`` when the heuristic's budget runs out.
    """
    plan = _Plan(heuristic, timeout)
    _walk(ctx, plan, scanned=False)
    if plan.outcome is _PENDING:
        ctx.run()
        _walk(ctx, plan, scanned=True)
    return plan.outcome


def evaluate(document: Document, library: Library | Sequence[Heuristic],
             timeout: float = DEFAULT_TIMEOUT, prefilter: bool = True,
             budget: float = DEFAULT_BUDGET) -> Findings:
    """Match every heuristic of ``library`` against ``document``.

    ``timeout`` is each heuristic's budget in seconds (all its regex searches
    together); ``budget`` is the whole scan's (issue #18): once it is spent no
    further scan starts, and every heuristic still waiting for one is reported in
    ``Findings.errors`` as skipped (one search already running may overrun it by
    at most ``timeout``). Never raises for a heuristic's sake: timeouts and unexpected
    errors become ``Findings.errors`` entries and the other heuristics still run.
    ``prefilter=False`` verifies every selected line with the regex engine (no
    literal search, no ``str.find`` shortcut): the slow reference the fast path
    is tested against.
    """
    heuristics = library.heuristics if isinstance(library, Library) else list(library)
    ctx = _Context(document, prefilter, time.monotonic() + budget)
    plans = [_Plan(heuristic, timeout) for heuristic in heuristics]
    for plan in plans:  # facts; register the scans of heuristics still undecided
        _step(ctx, plan, scanned=False)
    ctx.run()
    matches: list[Finding] = []
    errors: list[HeuristicError] = []
    for plan in plans:
        _step(ctx, plan, scanned=True)
        outcome, heuristic = plan.outcome, plan.heuristic
        assert heuristic is not None
        if isinstance(outcome, _Budget):
            errors.append(HeuristicError(
                heuristic.id, f"skipped: the scan's time budget of {budget:g} s was used up "
                              "before this heuristic's lines were searched"))
        elif isinstance(outcome, _Timeout):
            where = f" at line {outcome.line}" if outcome.line else ""
            errors.append(HeuristicError(
                heuristic.id, f"signal '{outcome.signal}' timed out after {timeout:g} s{where} "
                              "(regex too slow on this input: catastrophic backtracking?)"))
        elif isinstance(outcome, Exception):
            errors.append(HeuristicError(heuristic.id,
                                         f"internal error: {type(outcome).__name__}: {outcome}"))
        elif outcome is not None:
            matches.append(outcome)
    return Findings(matches=matches, errors=errors, capture_time=document.capture_time)


__all__ = ["CHUNK_CHARS", "DEFAULT_BUDGET", "DEFAULT_TIMEOUT", "EVIDENCE_CAP", "LINE_CAP", "evaluate", "evaluate_heuristic",
           "evaluate_signal"]
