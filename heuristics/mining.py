"""Template mining: group similar log lines into templates with ``<*>`` wildcards.

Why: the lines no heuristic explains are what a pattern author needs to see
next, but a device log repeats the same message with different numbers, ids and
timestamps thousands of times. Mining collapses them into a few templates such
as ``Under-voltage detected! (<*>)`` with a count and example lines, which the
draft editor can promote to a heuristic (``template_regex``) and the fleet scan
can rank by the number of files they appear in.

The algorithm is Drain (He et al., ICWS 2017), written here from the paper
rather than depending on ``drain3`` (pinned, unmaintained dependencies and a
pickle-like persistence format):

1. **Prefix stripping** (``strip_prefix``): per-source line prefixes that say
   *when/who* but not *what* are cut from the start of the line: journal
   ``May 02 16:03:56 ident[pid]: ``, ``dmesg -T`` ``[Fri Apr 29 13:35:04 2022] ``,
   plain ``dmesg`` ``[   12.345678] ``, RFC 3339 timestamps, openvpn's inner
   asctime stamp, the supervisor's ``[info]``/``[error]``/``[api]`` level tags
   and balenad's logfmt ``time="…" level=… msg="``. Only a *prefix* is cut, so a
   template's regex searched (unanchored) in the original line still matches.
2. **Masking** (``mask``): variable tokens (numbers, versions, hex and
   container ids, UUIDs, IPv4/IPv6 addresses with ports, MAC addresses,
   durations, sizes, timestamps, quoted values holding digits, mktemp names)
   become ``<*>``. One combined regex, applied only to lines with a digit.
3. **Tree search**: clusters are grouped by (group, token count, first
   ``depth - 3`` tokens, as logparser's Drain; a token with a digit or ``<*>`` takes the wildcard
   branch; a node holds at most ``max_children`` children).
4. **Similarity**: in the leaf, the cluster with the highest share of equal
   (non-wildcard) positions wins if it reaches ``sim_threshold``; ties go to the
   cluster with more wildcards. Otherwise a new cluster starts.
5. **Update**: positions where the template and the line differ become ``<*>``.
6. **Merge** (``templates()``): clusters that ended with the same template text
   in the same group (possible because the tree routed their first lines
   differently) are reported as one.

``group`` keeps unrelated sources apart: ``mine_document`` mines each section
key separately, so a ``dmesg`` template never absorbs a supervisor line.

Measured on the 16 labelled Loghub-2k samples by ``bench/bench_mining.py``
(results in ``bench/results-mining.md``).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from triagebench.parser import Document, Section

WILDCARD = "<*>"
_DIGIT_RE = re.compile(r"\d")

# --- prefix stripping ------------------------------------------------------------
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_WEEKDAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_HMS = r"\d\d:\d\d:\d\d(?:[.,]\d+)?"
_RFC3339 = r"\d{4}-\d\d-\d\d[T ]" + _HMS + r"(?:Z|[+-]\d\d:?\d\d)?"

#: Outer prefixes (where the line came from), tried once at the start of a line.
OUTER_PREFIX_RE = re.compile(
    # journal: "May 02 16:03:56 [host ]ident[pid]: " (systemctl status tails carry the host)
    rf"{_MONTH} [ \d]\d {_HMS} (?:[^\s\[\]:]+ )?[^\s\[\]:]+(?:\[\d+\])?: "
    # dmesg -T: "[Fri Apr 29 13:35:04 2022] "
    rf"|\[{_WEEKDAY} {_MONTH} [ \d]?\d {_HMS} \d{{4}}\] ?"
    # dmesg: "[   12.345678] "
    r"|\[ *\d+\.\d+\] ?"
)

#: Inner prefixes (timestamps and level tags a program adds itself), stripped repeatedly.
INNER_PREFIX_RE = re.compile(
    # RFC 3339 / ISO timestamps, optionally bracketed: chronyd, newer supervisors, date output
    rf"\[?{_RFC3339}\]?:? +"
    # openvpn's own asctime: "Mon May  2 16:03:56 2022 "
    rf"|{_WEEKDAY} {_MONTH} [ \d]?\d {_HMS} \d{{4}} +"
    # supervisor level tags (after ANSI removal): "[info]    ", "[error]   ", "[api]     "
    r"|\[(?:info|error|warn|warning|debug|event|success|api|notice|verbose|silly|critical)\] *"
    # balenad logfmt: time="..." level=error msg="
    r'|time="[^"]*" +level=\w+ +(?:msg=)?"?'
)


def strip_prefix(text: str) -> str:
    """``text`` without the per-source prefixes (journal, dmesg, timestamps, level tags).

    Only a prefix is removed, never text in the middle, so the result is always a
    suffix of ``text`` (which keeps ``template_regex`` valid on the raw line).
    """
    match = OUTER_PREFIX_RE.match(text)
    if match:
        text = text[match.end():]
    for _ in range(3):
        match = INNER_PREFIX_RE.match(text)
        if not match or not match.end():
            break
        text = text[match.end():]
    return text


# --- masking ---------------------------------------------------------------------
_B = r"(?<![A-Za-z0-9])"  # left boundary: not inside a word
_E = r"(?![A-Za-z0-9])"  # right boundary

#: Product masks, in priority order (the first alternative that matches at a
#: position wins). Every alternative needs a digit, so lines without one skip
#: masking entirely.
MASK_PATTERNS: tuple[str, ...] = (
    # UUID
    _B + r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}" + _E,
    # dates and times (an RFC 3339 timestamp with a space is two tokens)
    _B + r"\d{4}-\d\d-\d\d(?:T" + _HMS + r"(?:Z|[+-]\d\d:?\d\d)?)?" + _E,
    _B + _HMS + r"(?:Z|[+-]\d\d:?\d\d)?" + _E,
    # IPv6 (incl. MAC addresses and ::1), optionally [bracketed] with :port
    r"(?<![\w:])\[?(?=[0-9a-fA-F:]*\d)(?:[0-9a-fA-F]{1,4})?:(?:[0-9a-fA-F]{0,4}:){1,6}"
    r"[0-9a-fA-F]{0,4}(?![\w:])\]?(?::\d+)?",
    # IPv4 with optional /cidr and :port
    r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?(?::\d+)?(?![\w.])",
    # sha256:... digests and 0x-hex
    r"sha256:[0-9a-f]{12,}",
    _B + r"0[xX][0-9a-fA-F]+" + _E,
    # hex ids of 8+ chars with a digit (container ids, hashes)
    _B + r"(?=[0-9]*[a-fA-F])(?=[a-fA-F]*\d)[0-9a-fA-F]{8,}" + _E,
    # Go/busybox durations (1h2m3.5s, 0m 0.01s is two tokens) and numbers with units
    _B + r"(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|h|m|s)){2,}" + _E,
    _B + r"[-+]?\d+(?:\.\d+)?(?:ns|us|µs|ms|s|sec|secs|min|mins|h|d|[kKMGTP]i?B|[kKMGTP]|B|%)" + _E,
    # versions (v1.2.3, 2.87.16+rev1) and plain numbers
    _B + r"v?\d+(?:\.\d+)+(?:[-+][0-9A-Za-z.]+)?" + _E,
    _B + r"[-+]?\d+(?:\.\d+)?" + _E,
    # quoted values that hold a digit: '...', "..."
    r"'(?=[^'\s]*\d)[^'\s]+'",
    r'"(?=[^"\s]*\d)[^"\s]+"',
    # mktemp names
    r"tmp\.[A-Za-z0-9]{6,}",
)
MASK_RE = re.compile("|".join(f"(?:{p})" for p in MASK_PATTERNS))
_DIGIT_TOKEN_RE = re.compile(r"\S*\d\S*")


def _mask_token(match: re.Match[str]) -> str:
    token = match.group()
    # Fast path for the commonest shape: a plain number, maybe in brackets/punctuation.
    core = token.strip("()[],;:=")
    if core.isdigit() and core.isascii():
        start = token.index(core)
        return token[:start] + WILDCARD + token[start + len(core):]
    return MASK_RE.sub(WILDCARD, token)


def mask(text: str) -> str:
    """Replace variable tokens in ``text`` with ``<*>`` (the product's mask set).

    No mask spans whitespace and every mask needs a digit, so only the
    whitespace-separated tokens holding a digit are examined (several times
    faster than running the combined mask regex over the whole line).
    """
    if _DIGIT_RE.search(text) is None:
        return text
    return _DIGIT_TOKEN_RE.sub(_mask_token, text)


def preprocess(text: str) -> str:
    """What the miner clusters: prefix stripped, then masked."""
    return mask(strip_prefix(text))


# --- templates -------------------------------------------------------------------
@dataclass(slots=True, eq=False)
class Template:
    """One mined template and the lines it groups.

    ``refs`` holds every ref added (line numbers for ``mine_document``, or any
    hashable such as ``"file.txt#L12"``); ``examples`` is the first few.
    ``first_line``/``last_line`` are the smallest and largest integer refs
    (``None`` when refs are not line numbers). ``sections`` is the set of
    section keys (groups) the lines came from.
    """

    id: int
    tokens: list[str]
    group: str | None = None
    count: int = 0
    first_line: int | None = None
    last_line: int | None = None
    sections: set[str] = field(default_factory=set)
    refs: list[Any] = field(default_factory=list)

    @property
    def template(self) -> str:
        return " ".join(self.tokens)

    @property
    def wildcards(self) -> int:
        return sum(1 for t in self.tokens if t == WILDCARD)

    @property
    def examples(self) -> list[Any]:
        return self.refs[:3]

    @property
    def regex(self) -> str:
        return template_regex(self.template)

    def _absorb(self, other: Template) -> None:
        self.count += other.count
        self.refs.extend(other.refs)
        self.sections |= other.sections
        for value in (other.first_line, other.last_line):
            if value is not None:
                self._see_line(value)

    def _see_line(self, line: int) -> None:
        if self.first_line is None or line < self.first_line:
            self.first_line = line
        if self.last_line is None or line > self.last_line:
            self.last_line = line

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "template": self.template, "count": self.count,
            "first_line": self.first_line, "last_line": self.last_line,
            "sections": sorted(self.sections), "examples": list(self.examples),
            "regex": self.regex,
        }


def _has_digit_or_wildcard(token: str) -> bool:
    return WILDCARD in token or _DIGIT_RE.search(token) is not None


_LETTER_RE = re.compile(r"[A-Za-z]")
_DIGITS_RE = re.compile(r"\d+")


def _is_wild_token(token: str) -> bool:
    """A parameter-like token: wildcards, digits and punctuation only (``<*>``, ``(<*>``,
    ``466``, ``<*>:<*>,``), no letters outside the wildcards."""
    if WILDCARD in token:
        return _LETTER_RE.search(token.replace(WILDCARD, "")) is None
    return _DIGIT_RE.search(token) is not None and _LETTER_RE.search(token) is None


def _gaps(tokens: list[str]) -> tuple[list[str], list[list[str]]]:
    """Literal tokens and the wildcard-token runs around them (len(gaps) = len(literals) + 1)."""
    literals: list[str] = []
    gaps: list[list[str]] = [[]]
    for token in tokens:
        if _is_wild_token(token):
            gaps[-1].append(token)
        else:
            literals.append(token)
            gaps.append([])
    return literals, gaps


def _merge_tokens(mine: list[str], theirs: list[str]) -> list[str]:
    """Tokens of two templates with the same literals: gaps that differ become one ``<*>``."""
    if len(mine) == len(theirs):
        return [a if a == b else WILDCARD for a, b in zip(mine, theirs, strict=True)]
    literals, my_gaps = _gaps(mine)
    their_literals, their_gaps = _gaps(theirs)
    out: list[str] = []
    for index, gap in enumerate(my_gaps):
        out.extend(gap if gap == their_gaps[index] else [WILDCARD])
        if index < len(literals):
            same = literals[index] == their_literals[index]
            out.append(literals[index] if same else WILDCARD)
    return out


class TemplateMiner:
    """A Drain-style miner. Add lines with ``add``; read ``templates()``.

    Parameters: ``sim_threshold`` (share of equal tokens needed to join a cluster),
    ``depth`` (tree depth incl. root, length layer and leaf, >= 3: ``depth - 3`` leading tokens
    route a line), ``max_children`` (per tree node), ``masks`` (a list of regexes
    replaced by ``<*>`` instead of the product masks; ``[]`` for none),
    ``strip_prefixes`` (cut journal/dmesg/… prefixes first), ``max_refs`` (refs
    kept per template, ``None`` = all).
    """

    def __init__(self, sim_threshold: float = 0.5, depth: int = 4, max_children: int = 100,
                 masks: Iterable[str] | None = None, strip_prefixes: bool = True,
                 max_refs: int | None = None) -> None:
        if depth < 3:
            raise ValueError("depth must be at least 3")
        self.sim_threshold = sim_threshold
        self.prefix_depth = depth - 3
        self.max_children = max_children
        self.strip_prefixes = strip_prefixes
        self.max_refs = max_refs
        if masks is None:
            self._mask = mask
        else:
            compiled = [re.compile(p) for p in masks]

            def _sequential(text: str) -> str:
                for pattern in compiled:
                    text = pattern.sub(WILDCARD, text)
                return text

            self._mask = _sequential
        self._root: dict[Any, Any] = {}
        self._clusters: list[Template] = []
        self._cache: dict[tuple[str | None, str], Template] = {}

    # -- learning ------------------------------------------------------------
    def add(self, text: str, ref: Hashable = None, group: str | None = None,
            count: int = 1) -> int:
        """Add one line; returns the id of the template it joined or started.

        ``ref`` is remembered as an example (an int is a line number); ``group``
        keeps lines of different sources apart (``mine_document`` passes the
        section key); ``count`` > 1 adds that many identical lines at once (the
        fleet scan re-mines per-file templates weighted by their line counts).
        """
        if self.strip_prefixes:
            text = strip_prefix(text)
        masked = self._mask(text)
        cluster = self._cache.get((group, masked))
        if cluster is None:
            tokens = masked.split()
            cluster = self._match_or_create(tokens, group)
            if len(self._cache) < 200_000:
                self._cache[(group, masked)] = cluster
        cluster.count += count
        if self.max_refs is None or len(cluster.refs) < self.max_refs:
            cluster.refs.append(ref)
        if isinstance(ref, int):
            cluster._see_line(ref)
        if group is not None:
            cluster.sections.add(group)
        return cluster.id

    def _leaf(self, tokens: list[str], group: str | None, create: bool) -> list[Template] | None:
        node = self._root.get((group, len(tokens)))
        if node is None:
            if not create:
                return None
            node = self._root[(group, len(tokens))] = {}
        for token in tokens[: self.prefix_depth]:
            child = node.get(token)
            if child is None:
                if not create:
                    child = node.get(WILDCARD)
                    if child is None:
                        return None
                elif _has_digit_or_wildcard(token):
                    child = node.setdefault(WILDCARD, {})
                elif WILDCARD in node:
                    if len(node) < self.max_children:
                        child = node[token] = {}
                    else:
                        child = node[WILDCARD]
                elif len(node) + 1 < self.max_children:
                    child = node[token] = {}
                elif len(node) + 1 == self.max_children:
                    child = node[WILDCARD] = {}
                else:
                    child = node[WILDCARD]
            node = child
        if create:
            return node.setdefault(None, [])
        return node.get(None)

    def _best(self, clusters: list[Template], tokens: list[str]) -> Template | None:
        best, best_sim, best_wild = None, -1.0, -1
        size = len(tokens) or 1
        for cluster in clusters:
            same = wild = 0
            for mine, theirs in zip(cluster.tokens, tokens, strict=True):
                if mine == WILDCARD:
                    wild += 1
                elif mine == theirs:
                    same += 1
            sim = same / size
            if sim > best_sim or (sim == best_sim and wild > best_wild):
                best, best_sim, best_wild = cluster, sim, wild
        if best is not None and (best_sim >= self.sim_threshold or not tokens):
            return best
        return None

    def _match_or_create(self, tokens: list[str], group: str | None) -> Template:
        leaf = self._leaf(tokens, group, create=False)
        cluster = self._best(leaf, tokens) if leaf else None
        if cluster is None:
            # Search never creates nodes (it falls back to the wildcard child); the
            # new cluster goes where the creation walk puts it, as in Drain.
            cluster = Template(id=len(self._clusters), tokens=list(tokens), group=group)
            self._clusters.append(cluster)
            created = self._leaf(tokens, group, create=True)
            assert created is not None
            created.append(cluster)
        else:
            cluster.tokens = [mine if mine == theirs else WILDCARD
                              for mine, theirs in zip(cluster.tokens, tokens, strict=True)]
        return cluster

    # -- results -------------------------------------------------------------
    def _merge_key(self, cluster: Template) -> tuple[str | None, Any]:
        """Clusters with equal keys are reported as one template.

        The key is the template without its wildcard-only tokens (``<*>``,
        ``(<*>``, ``<*>,``): Drain splits lines by token count, so a parameter
        that spans a varying number of tokens (``bytes sent`` vs ``bytes (1.2 KB)
        sent``) leaves several clusters that differ only in such tokens
        (drain3 issue #66). A template of wildcards only keeps its exact text.
        """
        canonical = tuple(_DIGITS_RE.sub("0", t) for t in cluster.tokens if not _is_wild_token(t))
        if not canonical:
            return (cluster.group, cluster.template)
        return (cluster.group, canonical)

    def templates(self) -> list[Template]:
        """Final templates, most frequent first, clusters of equal merge key combined."""
        merged: dict[tuple[str | None, Any], Template] = {}
        for cluster in self._clusters:
            key = self._merge_key(cluster)
            into = merged.get(key)
            if into is None:
                merged[key] = Template(
                    id=cluster.id, tokens=list(cluster.tokens), group=cluster.group,
                    count=cluster.count, first_line=cluster.first_line,
                    last_line=cluster.last_line, sections=set(cluster.sections),
                    refs=list(cluster.refs))
            else:
                into.tokens = _merge_tokens(into.tokens, cluster.tokens)
                into._absorb(cluster)
        result = list(merged.values())
        for item in result:
            if self.max_refs is not None:
                del item.refs[self.max_refs:]
        result.sort(key=lambda t: (-t.count, t.first_line if t.first_line is not None else 0,
                                   t.id))
        return result

    def assignments(self) -> dict[int, int]:
        """Cluster id (as returned by ``add``) -> id of the template it is reported under."""
        firsts: dict[tuple[str | None, Any], int] = {}
        mapping: dict[int, int] = {}
        for cluster in self._clusters:
            mapping[cluster.id] = firsts.setdefault(self._merge_key(cluster), cluster.id)
        return mapping

    def __len__(self) -> int:
        return len(self._clusters)


# --- documents -------------------------------------------------------------------
def _output_lines(document: Document) -> Iterable[tuple[Section, int]]:
    for section in document.sections:
        if section.is_category_marker:
            continue
        for number in section.output_line_numbers():
            yield section, number


def mine_document(document: Document, lines: Iterable[int] | None = None,
                  miner: TemplateMiner | None = None) -> list[Template]:
    """Mine a parsed ``Document`` per section key; templates sorted by count.

    ``lines`` restricts mining to those file lines (e.g. the unexplained ones);
    by default every output line of every section is mined. Blank lines are
    skipped. Refs are 1-based file line numbers.
    """
    miner = miner or TemplateMiner()
    if lines is None:
        pairs: Iterable[tuple[Any, int]] = _output_lines(document)
    else:
        pairs = ((document.section_at(n), n) for n in sorted(set(lines)))
    for section, number in pairs:
        if section is None:
            text, key = document.plain(number), None
        else:
            text, key = document.output_text(section, number), section.key
        if text.strip():
            miner.add(text, number, group=key)
    return miner.templates()


# --- templates as regexes ----------------------------------------------------------
def template_regex(template: str) -> str:
    """A regex (for ``re``/``regex`` search) matching the lines of ``template``.

    Literal parts are escaped and whitespace between tokens becomes ``\\s+``.
    A run of standalone ``<*>`` tokens becomes ``\\S+(?:\\s+\\S+){0,8}?``: one to
    nine whitespace-separated tokens, lazily (a parameter may span several tokens,
    and merged templates may differ in length there); a ``<*>`` inside a token
    becomes ``\\S+?``. Wildcards never cross a literal and ``\\s``/``\\S`` are
    disjoint, so there is no catastrophic backtracking. The regex is unanchored on
    the left because mining cut the line's prefix (journal timestamp, ident,
    level tag).
    """
    parts: list[str] = []
    previous_wild = False
    for token in template.split():
        if token == WILDCARD:
            if not previous_wild:
                parts.append(r"\S+(?:\s+\S+){0,8}?")
            previous_wild = True
            continue
        previous_wild = False
        pieces = token.split(WILDCARD)
        parts.append(r"\S+?".join(re.escape(p) for p in pieces))
    return r"\s+".join(parts)
